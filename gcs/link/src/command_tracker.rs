//! The command protocol as a sans-IO state machine: send, await COMMAND_ACK, retransmit.
//!
//! Fed submissions, acks and clock ticks; returns what to send and which commands
//! finished. One command per (vehicle, MAV_CMD) is in flight at a time, as the MAVLink
//! command protocol requires; later ones wait their turn.

use std::collections::VecDeque;
use std::time::Instant;

use mavlink::dialects::common::{COMMAND_ACK_DATA, MavMessage};

use crate::command::{CommandError, WireCommand, classify};
use crate::constants::{COMMAND_ACK_TIMEOUT, COMMAND_IN_PROGRESS_TIMEOUT, COMMAND_MAX_ATTEMPTS};
use crate::vehicle::VehicleId;

/// What the tracker asks its owner to do.
#[derive(Debug)]
pub enum Action<T> {
    /// Send this message to the vehicle.
    Send(VehicleId, Box<MavMessage>),
    /// The command finished: hand the result to whoever waits on `T`.
    Done(T, Result<(), CommandError>),
}

struct InFlight<T> {
    vehicle: VehicleId,
    wire: WireCommand,
    attempts: u8,
    deadline: Instant,
    in_progress: bool,
    token: T,
}

/// Pending commands with their retransmission timers.
pub struct CommandTracker<T> {
    in_flight: Vec<InFlight<T>>,
    waiting: VecDeque<(VehicleId, WireCommand, T)>,
}

impl<T> Default for CommandTracker<T> {
    fn default() -> Self {
        Self {
            in_flight: Vec::new(),
            waiting: VecDeque::new(),
        }
    }
}

impl<T> CommandTracker<T> {
    /// Queues a command; sends it now unless the same command is already in flight.
    pub fn submit(
        &mut self,
        vehicle: VehicleId,
        wire: WireCommand,
        token: T,
        now: Instant,
        out: &mut Vec<Action<T>>,
    ) {
        if self.busy(vehicle, &wire) {
            self.waiting.push_back((vehicle, wire, token));
        } else {
            self.launch(vehicle, wire, token, now, out);
        }
    }

    /// Number of commands in flight or waiting.
    pub fn len(&self) -> usize {
        self.in_flight.len() + self.waiting.len()
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn busy(&self, vehicle: VehicleId, wire: &WireCommand) -> bool {
        self.in_flight
            .iter()
            .any(|f| f.vehicle == vehicle && f.wire.command() == wire.command())
    }

    fn launch(
        &mut self,
        vehicle: VehicleId,
        wire: WireCommand,
        token: T,
        now: Instant,
        out: &mut Vec<Action<T>>,
    ) {
        out.push(Action::Send(vehicle, Box::new(wire.to_message(vehicle, 0))));
        self.in_flight.push(InFlight {
            vehicle,
            wire,
            attempts: 1,
            deadline: now + COMMAND_ACK_TIMEOUT,
            in_progress: false,
            token,
        });
    }

    /// Handles a COMMAND_ACK from `from`.
    pub fn on_ack(
        &mut self,
        from: VehicleId,
        ack: &COMMAND_ACK_DATA,
        now: Instant,
        out: &mut Vec<Action<T>>,
    ) {
        let Some(i) = self
            .in_flight
            .iter()
            .position(|f| f.vehicle.sysid == from.sysid && f.wire.command() == ack.command)
        else {
            return;
        };
        match classify(ack.result) {
            Ok(false) => {
                let f = &mut self.in_flight[i];
                f.in_progress = true;
                f.deadline = now + COMMAND_IN_PROGRESS_TIMEOUT;
            }
            done => {
                let f = self.in_flight.swap_remove(i);
                let result = done
                    .map(|_| ())
                    .map_err(|rejection| CommandError::Rejected {
                        vehicle: f.vehicle,
                        command: f.wire.name(),
                        rejection,
                    });
                out.push(Action::Done(f.token, result));
                self.promote(f.vehicle, f.wire, now, out);
            }
        }
    }

    /// Retransmits commands whose ack is late and times out those out of attempts.
    pub fn on_tick(&mut self, now: Instant, out: &mut Vec<Action<T>>) {
        let mut i = 0;
        while i < self.in_flight.len() {
            let f = &mut self.in_flight[i];
            if now < f.deadline {
                i += 1;
                continue;
            }
            if !f.in_progress && f.attempts < COMMAND_MAX_ATTEMPTS {
                out.push(Action::Send(
                    f.vehicle,
                    Box::new(f.wire.to_message(f.vehicle, f.attempts)),
                ));
                f.attempts += 1;
                f.deadline = now + COMMAND_ACK_TIMEOUT;
                i += 1;
                continue;
            }
            let f = self.in_flight.swap_remove(i);
            out.push(Action::Done(
                f.token,
                Err(CommandError::Timeout {
                    vehicle: f.vehicle,
                    command: f.wire.name(),
                    attempts: f.attempts,
                }),
            ));
            self.promote(f.vehicle, f.wire, now, out);
        }
    }

    /// Fails every command for `vehicle` (e.g. when its link is lost).
    pub fn fail_vehicle(
        &mut self,
        vehicle: VehicleId,
        err: &CommandError,
        out: &mut Vec<Action<T>>,
    ) {
        let mut i = 0;
        while i < self.in_flight.len() {
            if self.in_flight[i].vehicle == vehicle {
                let f = self.in_flight.swap_remove(i);
                out.push(Action::Done(f.token, Err(err.clone())));
            } else {
                i += 1;
            }
        }
        let mut keep = VecDeque::with_capacity(self.waiting.len());
        for (v, w, t) in self.waiting.drain(..) {
            if v == vehicle {
                out.push(Action::Done(t, Err(err.clone())));
            } else {
                keep.push_back((v, w, t));
            }
        }
        self.waiting = keep;
    }

    /// Launches the next waiting command of the same kind for the same vehicle.
    fn promote(
        &mut self,
        vehicle: VehicleId,
        wire: WireCommand,
        now: Instant,
        out: &mut Vec<Action<T>>,
    ) {
        if let Some(pos) = self
            .waiting
            .iter()
            .position(|(v, w, _)| *v == vehicle && w.command() == wire.command())
            && let Some((v, w, t)) = self.waiting.remove(pos)
        {
            self.launch(v, w, t, now, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{Rejection, VehicleCommand, encode};
    use mavlink::dialects::common::{MavCmd, MavResult};
    use std::time::Duration;

    const V: VehicleId = VehicleId {
        sysid: 1,
        compid: 1,
    };

    fn ack(command: MavCmd, result: MavResult) -> COMMAND_ACK_DATA {
        COMMAND_ACK_DATA {
            command,
            result,
            target_system: 255,
            target_component: 190,
            ..Default::default()
        }
    }

    fn arm() -> WireCommand {
        encode(V, &VehicleCommand::Arm, None).unwrap()
    }

    fn confirmation(a: &Action<u32>) -> u8 {
        match a {
            Action::Send(_, m) => match m.as_ref() {
                MavMessage::COMMAND_LONG(c) => c.confirmation,
                other => panic!("expected a COMMAND_LONG, got {other:?}"),
            },
            other => panic!("expected a COMMAND_LONG send, got {other:?}"),
        }
    }

    #[test]
    fn retransmits_with_rising_confirmation_then_times_out() {
        let t0 = Instant::now();
        let mut tr = CommandTracker::default();
        let mut out = Vec::new();
        tr.submit(V, arm(), 7u32, t0, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(confirmation(&out[0]), 0);
        let mut confirmations = vec![];
        let mut t = t0;
        let mut result = None;
        for _ in 0..10 {
            t += COMMAND_ACK_TIMEOUT + Duration::from_millis(1);
            out.clear();
            tr.on_tick(t, &mut out);
            for a in out.drain(..) {
                match a {
                    Action::Send(..) => confirmations.push(confirmation(&a)),
                    Action::Done(tok, r) => result = Some((tok, r)),
                }
            }
        }
        assert_eq!(confirmations, vec![1, 2, 3]);
        let (tok, r) = result.expect("timed out");
        assert_eq!(tok, 7);
        assert!(
            matches!(r, Err(CommandError::Timeout { attempts: 4, .. })),
            "{r:?}"
        );
        assert!(tr.is_empty());
    }

    #[test]
    fn ack_completes_and_rejections_are_typed() {
        let t0 = Instant::now();
        let mut tr = CommandTracker::default();
        let mut out = Vec::new();
        tr.submit(V, arm(), 1u32, t0, &mut out);
        out.clear();
        tr.on_ack(
            V,
            &ack(
                MavCmd::MAV_CMD_COMPONENT_ARM_DISARM,
                MavResult::MAV_RESULT_TEMPORARILY_REJECTED,
            ),
            t0,
            &mut out,
        );
        match out.pop() {
            Some(Action::Done(1, Err(CommandError::Rejected { rejection, .. }))) => {
                assert_eq!(rejection, Rejection::TemporarilyRejected)
            }
            other => panic!("{other:?}"),
        }
        tr.submit(V, arm(), 2u32, t0, &mut out);
        out.clear();
        // An ack for another command does not complete it.
        tr.on_ack(
            V,
            &ack(MavCmd::MAV_CMD_NAV_LAND, MavResult::MAV_RESULT_ACCEPTED),
            t0,
            &mut out,
        );
        assert!(out.is_empty());
        tr.on_ack(
            V,
            &ack(
                MavCmd::MAV_CMD_COMPONENT_ARM_DISARM,
                MavResult::MAV_RESULT_ACCEPTED,
            ),
            t0,
            &mut out,
        );
        assert!(matches!(out.pop(), Some(Action::Done(2, Ok(())))));
    }

    #[test]
    fn same_command_waits_its_turn_and_in_progress_stops_retries() {
        let t0 = Instant::now();
        let mut tr = CommandTracker::default();
        let mut out = Vec::new();
        tr.submit(V, arm(), 1u32, t0, &mut out);
        tr.submit(V, arm(), 2u32, t0, &mut out);
        assert_eq!(out.len(), 1, "second arm must wait");
        out.clear();
        tr.on_ack(
            V,
            &ack(
                MavCmd::MAV_CMD_COMPONENT_ARM_DISARM,
                MavResult::MAV_RESULT_IN_PROGRESS,
            ),
            t0,
            &mut out,
        );
        tr.on_tick(t0 + COMMAND_ACK_TIMEOUT * 3, &mut out);
        assert!(
            out.is_empty(),
            "no retransmission while in progress: {out:?}"
        );
        tr.on_ack(
            V,
            &ack(
                MavCmd::MAV_CMD_COMPONENT_ARM_DISARM,
                MavResult::MAV_RESULT_ACCEPTED,
            ),
            t0,
            &mut out,
        );
        assert!(matches!(out[0], Action::Done(1, Ok(()))));
        assert!(
            matches!(&out[1], Action::Send(V, m) if matches!(m.as_ref(), MavMessage::COMMAND_LONG(_)))
        );
    }

    #[test]
    fn link_loss_fails_everything_for_that_vehicle() {
        let t0 = Instant::now();
        let mut tr = CommandTracker::default();
        let mut out = Vec::new();
        tr.submit(V, arm(), 1u32, t0, &mut out);
        tr.submit(V, arm(), 2u32, t0, &mut out);
        out.clear();
        tr.fail_vehicle(V, &CommandError::LinkLost(V), &mut out);
        assert_eq!(out.len(), 2);
        assert!(
            out.iter()
                .all(|a| matches!(a, Action::Done(_, Err(CommandError::LinkLost(_)))))
        );
        assert!(tr.is_empty());
    }
}
