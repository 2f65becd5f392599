//! One mission transfer (upload, download, clear, set-current) as a sans-IO state machine.
//!
//! Fed the vehicle's messages and clock ticks; returns the messages to send. Timeouts
//! come from the link's measured round trip ([`RttEstimator`]); each step has its own
//! bounded retry budget. A transfer ends in exactly one typed result: an upload either
//! is acknowledged by the vehicle after its last item was sent, or fails loudly.

use std::time::Instant;

#[allow(deprecated)] // MISSION_SET_CURRENT: see Operation::SetCurrent.
use mavlink::dialects::common::MISSION_SET_CURRENT_DATA;
use mavlink::dialects::common::{
    MISSION_ACK_DATA, MISSION_CLEAR_ALL_DATA, MISSION_COUNT_DATA, MISSION_ITEM_INT_DATA,
    MISSION_REQUEST_INT_DATA, MISSION_REQUEST_LIST_DATA, MavMessage, MavMissionResult,
};
use vigil_values::raw::{MissionItemInt, MissionType};

use super::rtt::RttEstimator;
use super::wire::{MissionResult, from_wire, mav_mission_type, to_wire};
use super::{MissionError, Outcome, Progress};
use crate::vehicle::VehicleId;

/// What a transfer does.
#[derive(Debug, Clone, PartialEq)]
pub enum Operation {
    /// Replace the vehicle's list with these items (numbered 0..n).
    Upload(Vec<MissionItemInt>),
    /// Read the vehicle's list.
    Download,
    /// Empty the vehicle's list.
    Clear,
    /// Make this mission item the current one (MISSION_SET_CURRENT).
    SetCurrent(u16),
}

enum State {
    Upload {
        items: Vec<MISSION_ITEM_INT_DATA>,
        last_sent: Option<u16>,
    },
    Download {
        count: Option<u16>,
        items: Vec<MissionItemInt>,
        opaque_id: Option<u32>,
    },
    Clear,
    SetCurrent(u16),
}

/// The message we wait an answer to, for retransmission and round-trip samples.
struct Pending {
    msg: MavMessage,
    sent_at: Instant,
    retransmitted: bool,
    retries: u32,
    deadline: Instant,
}

/// One transfer in progress.
pub struct MissionTransfer {
    vehicle: VehicleId,
    gcs_sysid: u8,
    mission_type: MissionType,
    state: State,
    pending: Option<Pending>,
    rtt: RttEstimator,
    max_retries: u32,
    progress: Progress,
    result: Option<Result<Outcome, MissionError>>,
    /// Set once the transfer has ended, even after its result was taken.
    ended: bool,
}

impl MissionTransfer {
    /// Starts `op` on `vehicle`'s `mission_type` list; returns the transfer and what to send.
    pub fn start(
        vehicle: VehicleId,
        gcs_sysid: u8,
        mission_type: MissionType,
        op: Operation,
        rtt: RttEstimator,
        max_retries: u32,
        now: Instant,
    ) -> (Self, Vec<MavMessage>) {
        let mut t = Self {
            vehicle,
            gcs_sysid,
            mission_type,
            state: State::Clear,
            pending: None,
            rtt,
            max_retries,
            progress: Progress { done: 0, total: 0 },
            result: None,
            ended: false,
        };
        let mtype = mav_mission_type(mission_type);
        let (target_system, target_component) = (vehicle.sysid, vehicle.compid);
        let first = match op {
            Operation::Upload(items) => {
                let wire: Result<Vec<_>, _> = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        if usize::from(item.seq) != i {
                            return Err(MissionError::Numbering {
                                index: i,
                                seq: item.seq,
                            });
                        }
                        if item.mission_type != mission_type {
                            return Err(MissionError::WrongType {
                                seq: item.seq,
                                expected: mission_type,
                                found: item.mission_type,
                            });
                        }
                        to_wire(item, vehicle).map_err(MissionError::from)
                    })
                    .collect();
                let count =
                    u16::try_from(items.len()).map_err(|_| MissionError::TooMany(items.len()));
                match wire.and_then(|w| count.map(|c| (w, c))) {
                    Ok((items, count)) => {
                        t.progress.total = items.len();
                        t.state = State::Upload {
                            items,
                            last_sent: None,
                        };
                        MavMessage::MISSION_COUNT(MISSION_COUNT_DATA {
                            count,
                            target_system,
                            target_component,
                            mission_type: mtype,
                            opaque_id: 0,
                        })
                    }
                    Err(e) => {
                        t.finish(Err(e));
                        return (t, Vec::new());
                    }
                }
            }
            Operation::Download => {
                t.state = State::Download {
                    count: None,
                    items: Vec::new(),
                    opaque_id: None,
                };
                MavMessage::MISSION_REQUEST_LIST(MISSION_REQUEST_LIST_DATA {
                    target_system,
                    target_component,
                    mission_type: mtype,
                })
            }
            Operation::Clear => MavMessage::MISSION_CLEAR_ALL(MISSION_CLEAR_ALL_DATA {
                target_system,
                target_component,
                mission_type: mtype,
            }),
            Operation::SetCurrent(seq) => {
                t.state = State::SetCurrent(seq);
                // Deprecated in favour of MAV_CMD_DO_SET_MISSION_CURRENT, but what PX4 and
                // ArduPilot have always answered with MISSION_CURRENT.
                #[allow(deprecated)]
                MavMessage::MISSION_SET_CURRENT(MISSION_SET_CURRENT_DATA {
                    seq,
                    target_system,
                    target_component,
                })
            }
        };
        let out = vec![t.send(first, now)];
        (t, out)
    }

    /// Progress so far (items transferred of the total).
    pub fn progress(&self) -> Progress {
        self.progress
    }

    /// The result, once the transfer has ended.
    pub fn result(&self) -> Option<&Result<Outcome, MissionError>> {
        self.result.as_ref()
    }

    /// Takes the result, once the transfer has ended.
    pub fn take_result(&mut self) -> Option<Result<Outcome, MissionError>> {
        self.result.take()
    }

    /// The round-trip estimate, updated by this transfer's samples.
    pub fn rtt(&self) -> RttEstimator {
        self.rtt
    }

    /// When [`Self::on_tick`] next has something to do.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.pending.as_ref().map(|p| p.deadline)
    }

    fn send(&mut self, msg: MavMessage, now: Instant) -> MavMessage {
        self.pending = Some(Pending {
            msg: msg.clone(),
            sent_at: now,
            retransmitted: false,
            retries: 0,
            deadline: now + self.rtt.timeout(),
        });
        msg
    }

    /// An answer to the pending message arrived: sample the round trip (Karn's rule).
    fn answered(&mut self, now: Instant) {
        if let Some(p) = self.pending.take()
            && !p.retransmitted
        {
            self.rtt.sample(now.saturating_duration_since(p.sent_at));
        }
    }

    fn finish(&mut self, result: Result<Outcome, MissionError>) {
        self.pending = None;
        self.result = Some(result);
        self.ended = true;
    }

    fn stage(&self) -> &'static str {
        match &self.state {
            State::Upload {
                last_sent: None, ..
            } => "upload: waiting for the first item request",
            State::Upload { .. } => "upload: waiting for an item request or the final ack",
            State::Download { count: None, .. } => "download: waiting for the item count",
            State::Download { .. } => "download: waiting for an item",
            State::Clear => "clear: waiting for the ack",
            State::SetCurrent(_) => "set current: waiting for MISSION_CURRENT",
        }
    }

    fn ack(&self, result: MavMissionResult) -> MavMessage {
        MavMessage::MISSION_ACK(MISSION_ACK_DATA {
            target_system: self.vehicle.sysid,
            target_component: self.vehicle.compid,
            mavtype: result,
            mission_type: mav_mission_type(self.mission_type),
            opaque_id: 0,
        })
    }

    fn ours(&self, target_system: u8) -> bool {
        target_system == 0 || target_system == self.gcs_sysid
    }

    fn our_type(&self, t: mavlink::dialects::common::MavMissionType) -> bool {
        t == mav_mission_type(self.mission_type)
    }

    /// Handles a message from the vehicle (frames from other systems must not be passed).
    #[allow(deprecated)] // MISSION_REQUEST: PX4 prefers _INT, older autopilots still send it.
    pub fn on_message(&mut self, msg: &MavMessage, now: Instant) -> Vec<MavMessage> {
        if self.ended {
            return Vec::new();
        }
        let request = match msg {
            MavMessage::MISSION_REQUEST_INT(r) => Some((r.seq, r.target_system, r.mission_type)),
            MavMessage::MISSION_REQUEST(r) => Some((r.seq, r.target_system, r.mission_type)),
            _ => None,
        };
        if let Some((seq, target, mtype)) = request {
            if self.ours(target) && self.our_type(mtype) {
                return self.on_request(seq, now);
            }
            return Vec::new();
        }
        match msg {
            MavMessage::MISSION_ACK(a)
                if self.ours(a.target_system) && self.our_type(a.mission_type) =>
            {
                self.on_ack(a, now)
            }
            MavMessage::MISSION_COUNT(c)
                if self.ours(c.target_system) && self.our_type(c.mission_type) =>
            {
                self.on_count(c, now)
            }
            MavMessage::MISSION_ITEM_INT(i)
                if self.ours(i.target_system) && self.our_type(i.mission_type) =>
            {
                self.on_item(i, now)
            }
            MavMessage::MISSION_CURRENT(c) => {
                if let State::SetCurrent(seq) = self.state
                    && c.seq == seq
                {
                    self.answered(now);
                    self.finish(Ok(Outcome::CurrentSet(seq)));
                }
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn on_request(&mut self, seq: u16, now: Instant) -> Vec<MavMessage> {
        let State::Upload { items, last_sent } = &mut self.state else {
            return Vec::new();
        };
        let Some(item) = items.get(usize::from(seq)) else {
            return Vec::new();
        };
        let msg = MavMessage::MISSION_ITEM_INT(item.clone());
        *last_sent = Some(last_sent.map_or(seq, |l| l.max(seq)));
        // The vehicle asks for item n once it has items 0..n.
        self.progress.done = self.progress.done.max(usize::from(seq));
        self.answered(now);
        vec![self.send(msg, now)]
    }

    fn on_ack(&mut self, a: &MISSION_ACK_DATA, now: Instant) -> Vec<MavMessage> {
        let failure = MissionResult::from_mav(a.mavtype);
        match (&self.state, failure) {
            (_, Some(result)) => {
                let stage = self.stage();
                self.finish(Err(MissionError::Rejected {
                    vehicle: self.vehicle,
                    mission_type: self.mission_type,
                    result,
                    stage,
                }));
            }
            (State::Upload { items, last_sent }, None) => {
                let complete = match last_sent {
                    None => items.is_empty(),
                    Some(l) => usize::from(*l) + 1 == items.len(),
                };
                // An ACCEPTED before the last item was even requested is stale: ignore it.
                if complete {
                    self.progress.done = items.len();
                    self.answered(now);
                    self.finish(Ok(Outcome::Uploaded {
                        opaque_id: (a.opaque_id != 0).then_some(a.opaque_id),
                    }));
                }
            }
            (State::Clear, None) => {
                self.answered(now);
                self.finish(Ok(Outcome::Cleared));
            }
            _ => {}
        }
        Vec::new()
    }

    fn on_count(&mut self, c: &MISSION_COUNT_DATA, now: Instant) -> Vec<MavMessage> {
        let State::Download {
            count, opaque_id, ..
        } = &mut self.state
        else {
            return Vec::new();
        };
        if count.is_some() {
            return Vec::new(); // a duplicate
        }
        *count = Some(c.count);
        *opaque_id = (c.opaque_id != 0).then_some(c.opaque_id);
        self.progress.total = usize::from(c.count);
        self.answered(now);
        if c.count == 0 {
            let ack = self.ack(MavMissionResult::MAV_MISSION_ACCEPTED);
            self.finish(Ok(Outcome::Downloaded {
                items: Vec::new(),
                opaque_id: (c.opaque_id != 0).then_some(c.opaque_id),
            }));
            return vec![ack];
        }
        vec![self.request_item(0, now)]
    }

    fn request_item(&mut self, seq: u16, now: Instant) -> MavMessage {
        let msg = MavMessage::MISSION_REQUEST_INT(MISSION_REQUEST_INT_DATA {
            seq,
            target_system: self.vehicle.sysid,
            target_component: self.vehicle.compid,
            mission_type: mav_mission_type(self.mission_type),
        });
        self.send(msg, now)
    }

    fn on_item(&mut self, i: &MISSION_ITEM_INT_DATA, now: Instant) -> Vec<MavMessage> {
        let State::Download {
            count: Some(count),
            items,
            opaque_id,
        } = &mut self.state
        else {
            return Vec::new();
        };
        if usize::from(i.seq) != items.len() {
            return Vec::new(); // a duplicate or a stale retransmission
        }
        let Some(item) = from_wire(i) else {
            let seq = i.seq;
            self.finish(Err(MissionError::Protocol {
                vehicle: self.vehicle,
                detail: format!("item {seq} has no mission type"),
            }));
            return Vec::new();
        };
        items.push(item);
        let (got, total, opaque) = (items.len(), usize::from(*count), *opaque_id);
        self.progress.done = got;
        self.answered(now);
        if got < total {
            return vec![self.request_item(got as u16, now)];
        }
        let ack = self.ack(MavMissionResult::MAV_MISSION_ACCEPTED);
        let State::Download { items, .. } = std::mem::replace(&mut self.state, State::Clear) else {
            unreachable!("matched above")
        };
        self.finish(Ok(Outcome::Downloaded {
            items,
            opaque_id: opaque,
        }));
        vec![ack]
    }

    /// Retransmits the pending message if its answer is late; fails after the retry budget.
    pub fn on_tick(&mut self, now: Instant) -> Vec<MavMessage> {
        let timeout = self.rtt.timeout();
        let max_retries = self.max_retries;
        let Some(p) = self.pending.as_mut() else {
            return Vec::new();
        };
        if now < p.deadline {
            return Vec::new();
        }
        if p.retries >= max_retries {
            let retries = p.retries;
            let stage = self.stage();
            self.finish(Err(MissionError::Timeout {
                vehicle: self.vehicle,
                mission_type: self.mission_type,
                stage,
                retries,
            }));
            return Vec::new();
        }
        p.retries += 1;
        p.retransmitted = true;
        p.deadline = now + timeout;
        vec![p.msg.clone()]
    }

    /// Cancels the transfer, telling the vehicle (MAV_MISSION_OPERATION_CANCELLED).
    pub fn cancel(&mut self) -> Vec<MavMessage> {
        if self.ended {
            return Vec::new();
        }
        let ack = self.ack(MavMissionResult::MAV_MISSION_OPERATION_CANCELLED);
        self.finish(Err(MissionError::Cancelled));
        vec![ack]
    }
}
