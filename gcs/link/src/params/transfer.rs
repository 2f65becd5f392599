//! The parameter protocol as sans-IO state machines, as MAVSDK's parameter client
//! runs it: each is fed the vehicle's PARAM_VALUE messages and clock ticks (time is
//! passed in), pushes what to send onto an action list, and holds its result once done.
//!
//! - [`FetchAll`]: PARAM_REQUEST_LIST, collect the stream by index, then re-request the
//!   missing indices with PARAM_REQUEST_READ, bounded per index.
//! - [`ReadOne`]: PARAM_REQUEST_READ by name or index, retransmitted until answered.
//! - [`SetOne`]: PARAM_SET, confirmed by the PARAM_VALUE echo carrying the new value.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use mavlink::dialects::common::{
    MavMessage, MavParamType, PARAM_REQUEST_LIST_DATA, PARAM_REQUEST_READ_DATA, PARAM_SET_DATA,
    PARAM_VALUE_DATA,
};

use super::value::{ParamEncoding, ParamValue, param_id, param_name};
use super::{HASH_CHECK_NAME, Param, ParamError, ParamSet, Progress};
use crate::constants::{
    PARAM_LIST_START_TIMEOUT, PARAM_MAX_ATTEMPTS, PARAM_READ_TIMEOUT, PARAM_READS_IN_FLIGHT,
    PARAM_STREAM_GAP_TIMEOUT,
};
use crate::vehicle::VehicleId;

/// What a transfer asks its driver to do.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)] // drained at once; boxing would cost more
pub enum Action {
    /// Send this message to the vehicle.
    Send(MavMessage),
    /// More of the list has arrived.
    Progress(Progress),
    /// The vehicle reported `_HASH_CHECK`: offer a cached set with this hash, if any,
    /// through [`FetchAll::use_cached`].
    HashCheck(u32),
}

/// A PARAM_VALUE decoded, if it comes from `vehicle`'s component.
fn param_value(vehicle: VehicleId, compid: u8, msg: &MavMessage) -> Option<&PARAM_VALUE_DATA> {
    match msg {
        MavMessage::PARAM_VALUE(v) if compid == vehicle.compid => Some(v),
        _ => None,
    }
}

fn decode(
    vehicle: VehicleId,
    v: &PARAM_VALUE_DATA,
    encoding: ParamEncoding,
) -> Result<Param, ParamError> {
    let name = param_name(&v.param_id).unwrap_or_default();
    let value = ParamValue::from_wire(v.param_value, v.param_type, encoding).map_err(|source| {
        ParamError::Value {
            vehicle,
            name: name.clone(),
            source,
        }
    })?;
    Ok(Param {
        name,
        value,
        index: v.param_index,
    })
}

fn read_request(vehicle: VehicleId, name: &str, index: i16) -> MavMessage {
    MavMessage::PARAM_REQUEST_READ(PARAM_REQUEST_READ_DATA {
        param_index: index,
        target_system: vehicle.sysid,
        target_component: vehicle.compid,
        param_id: param_id(name),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// PARAM_REQUEST_LIST sent, nothing heard yet.
    Requesting,
    /// The stream is arriving.
    Streaming,
    /// The stream went quiet: missing indices are being re-requested.
    Rerequesting,
    /// Every parameter is in but `_HASH_CHECK` was lost: asking for it by name.
    Hashing,
    /// Finished; the result may have been taken.
    Done,
}

/// Downloads every parameter: the list stream, then re-requests of what it missed.
#[derive(Debug)]
pub struct FetchAll {
    vehicle: VehicleId,
    encoding: ParamEncoding,
    phase: Phase,
    deadline: Instant,
    list_attempts: u8,
    count: Option<u16>,
    slots: Vec<Option<Param>>,
    received: usize,
    hash: Option<u32>,
    /// Indices re-requested and not yet answered.
    in_flight: BTreeSet<u16>,
    /// Re-requests sent per index.
    read_attempts: BTreeMap<u16, u8>,
    hash_attempts: u8,
    result: Option<Result<ParamSet, ParamError>>,
}

impl FetchAll {
    /// Starts a download from `vehicle`: sends PARAM_REQUEST_LIST.
    pub fn start(
        vehicle: VehicleId,
        encoding: ParamEncoding,
        now: Instant,
        out: &mut Vec<Action>,
    ) -> Self {
        let mut f = Self {
            vehicle,
            encoding,
            phase: Phase::Requesting,
            deadline: now,
            list_attempts: 0,
            count: None,
            slots: Vec::new(),
            received: 0,
            hash: None,
            in_flight: BTreeSet::new(),
            read_attempts: BTreeMap::new(),
            hash_attempts: 0,
            result: None,
        };
        f.request_list(now, out);
        f
    }

    fn request_list(&mut self, now: Instant, out: &mut Vec<Action>) {
        self.list_attempts += 1;
        self.deadline = now + PARAM_LIST_START_TIMEOUT;
        out.push(Action::Send(MavMessage::PARAM_REQUEST_LIST(
            PARAM_REQUEST_LIST_DATA {
                target_system: self.vehicle.sysid,
                target_component: self.vehicle.compid,
            },
        )));
    }

    /// When [`on_tick`](Self::on_tick) next has something to do.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// The result, once finished (taken: later calls return `None`).
    pub fn take_result(&mut self) -> Option<Result<ParamSet, ParamError>> {
        self.result.take()
    }

    /// Whether the transfer has finished (its result may have been taken).
    pub fn is_done(&self) -> bool {
        self.phase == Phase::Done
    }

    fn finish(&mut self, r: Result<ParamSet, ParamError>) {
        self.result = Some(r);
        self.phase = Phase::Done;
    }

    /// Handles a message from the vehicle's system (`compid` is its sender component).
    pub fn on_message(
        &mut self,
        compid: u8,
        msg: &MavMessage,
        now: Instant,
        out: &mut Vec<Action>,
    ) {
        if self.is_done() {
            return;
        }
        let Some(v) = param_value(self.vehicle, compid, msg) else {
            return;
        };
        if param_name(&v.param_id).as_deref() == Some(HASH_CHECK_NAME) {
            self.hash = Some(v.param_value.to_bits());
            if self.phase == Phase::Hashing {
                return self.complete();
            }
            self.heard(now);
            out.push(Action::HashCheck(v.param_value.to_bits()));
            if self.count.is_none() {
                self.count = Some(v.param_count);
                self.slots = vec![None; usize::from(v.param_count)];
                if v.param_count == 0 {
                    self.complete();
                }
            }
            return;
        }
        let param = match decode(self.vehicle, v, self.encoding) {
            Ok(p) => p,
            Err(e) => return self.finish(Err(e)),
        };
        if self.count != Some(v.param_count) {
            if self.count.is_some() {
                // The vehicle's count changed mid-transfer: start collecting afresh.
                self.list_attempts += 1;
                if self.list_attempts > PARAM_MAX_ATTEMPTS {
                    let total = v.param_count;
                    return self.finish(Err(ParamError::Incomplete {
                        vehicle: self.vehicle,
                        missing: (0..total).collect(),
                        total,
                    }));
                }
                self.in_flight.clear();
                self.read_attempts.clear();
                self.phase = Phase::Streaming;
            }
            self.count = Some(v.param_count);
            self.slots = vec![None; usize::from(v.param_count)];
            self.received = 0;
        }
        let Some(slot) = self.slots.get_mut(usize::from(param.index)) else {
            return; // index -1 (65535) or out of range: not part of the list
        };
        let index = param.index;
        let fresh = slot.is_none();
        *slot = Some(param);
        self.heard(now);
        if fresh {
            self.received += 1;
            out.push(Action::Progress(Progress {
                received: self.received,
                total: self.slots.len(),
            }));
        }
        if self.in_flight.remove(&index) {
            self.fill_reads(now, out);
        }
        if self.received == self.slots.len() && self.phase != Phase::Hashing {
            if self.hash.is_none() && self.encoding == ParamEncoding::Bytewise {
                // PX4 sends the hash once, first: if it was lost, ask for it by name
                // (PX4 answers PARAM_REQUEST_READ of `_HASH_CHECK`).
                self.phase = Phase::Hashing;
                self.request_hash(now, out);
            } else {
                self.complete();
            }
        }
    }

    fn request_hash(&mut self, now: Instant, out: &mut Vec<Action>) {
        self.hash_attempts += 1;
        self.deadline = now + PARAM_READ_TIMEOUT;
        out.push(Action::Send(read_request(
            self.vehicle,
            HASH_CHECK_NAME,
            -1,
        )));
    }

    fn complete(&mut self) {
        let params = self.slots.drain(..).flatten().collect();
        let set = ParamSet {
            params,
            hash: self.hash,
            from_cache: false,
        };
        self.finish(Ok(set));
    }

    fn heard(&mut self, now: Instant) {
        match self.phase {
            Phase::Requesting | Phase::Streaming => {
                self.phase = Phase::Streaming;
                self.deadline = now + PARAM_STREAM_GAP_TIMEOUT;
            }
            Phase::Rerequesting | Phase::Hashing | Phase::Done => {}
        }
    }

    /// Finishes with `cached` if it carries the hash the vehicle reported, and tells the
    /// vehicle to stop streaming (PX4 stops on a PARAM_SET of `_HASH_CHECK`, as
    /// QGroundControl sends). Returns whether it was used.
    pub fn use_cached(&mut self, cached: &ParamSet, out: &mut Vec<Action>) -> bool {
        if self.is_done() || self.hash.is_none() || cached.hash != self.hash {
            return false;
        }
        out.push(Action::Send(MavMessage::PARAM_SET(PARAM_SET_DATA {
            param_value: f32::from_bits(self.hash.unwrap_or_default()),
            target_system: self.vehicle.sysid,
            target_component: self.vehicle.compid,
            param_id: param_id(HASH_CHECK_NAME),
            param_type: MavParamType::MAV_PARAM_TYPE_UINT32,
        })));
        let mut set = cached.clone();
        set.from_cache = true;
        self.finish(Ok(set));
        true
    }

    /// Retransmits and re-requests once the deadline has passed.
    pub fn on_tick(&mut self, now: Instant, out: &mut Vec<Action>) {
        if self.is_done() || now < self.deadline {
            return;
        }
        match self.phase {
            Phase::Requesting => {
                if self.list_attempts >= PARAM_MAX_ATTEMPTS {
                    let attempts = self.list_attempts;
                    self.finish(Err(ParamError::Timeout {
                        vehicle: self.vehicle,
                        what: "PARAM_REQUEST_LIST".into(),
                        attempts,
                    }));
                } else {
                    self.request_list(now, out);
                }
            }
            Phase::Streaming if self.count.is_none() => {
                // Heard the hash but no parameter: ask for the list again.
                self.phase = Phase::Requesting;
                self.deadline = now;
                self.on_tick(now, out);
            }
            Phase::Streaming => {
                self.phase = Phase::Rerequesting;
                self.fill_reads(now, out);
            }
            Phase::Rerequesting => {
                let late: Vec<u16> = self.in_flight.iter().copied().collect();
                for index in late {
                    if self.read_attempts.get(&index).copied().unwrap_or(0) >= PARAM_MAX_ATTEMPTS {
                        let missing = self.missing().collect();
                        let total = self.count.unwrap_or(0);
                        return self.finish(Err(ParamError::Incomplete {
                            vehicle: self.vehicle,
                            missing,
                            total,
                        }));
                    }
                    self.read_index(index, out);
                }
                self.fill_reads(now, out);
                self.deadline = now + PARAM_READ_TIMEOUT;
            }
            Phase::Hashing if self.hash_attempts >= PARAM_MAX_ATTEMPTS => self.complete(),
            Phase::Hashing => self.request_hash(now, out),
            Phase::Done => {}
        }
    }

    fn missing(&self) -> impl Iterator<Item = u16> + '_ {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_none())
            .map(|(i, _)| i as u16)
    }

    /// Re-requests missing indices until [`PARAM_READS_IN_FLIGHT`] are outstanding.
    fn fill_reads(&mut self, now: Instant, out: &mut Vec<Action>) {
        if self.phase != Phase::Rerequesting {
            return;
        }
        let room = PARAM_READS_IN_FLIGHT.saturating_sub(self.in_flight.len());
        let next: Vec<u16> = self
            .missing()
            .filter(|i| !self.in_flight.contains(i))
            .take(room)
            .collect();
        if !next.is_empty() && self.in_flight.is_empty() {
            self.deadline = now + PARAM_READ_TIMEOUT;
        }
        for index in next {
            self.in_flight.insert(index);
            self.read_index(index, out);
        }
    }

    fn read_index(&mut self, index: u16, out: &mut Vec<Action>) {
        *self.read_attempts.entry(index).or_insert(0) += 1;
        out.push(Action::Send(read_request(self.vehicle, "", index as i16)));
    }
}

#[path = "single.rs"]
mod single;
pub use single::{ParamRef, ReadOne, SetOne};

#[cfg(test)]
#[path = "transfer_tests.rs"]
mod tests;
