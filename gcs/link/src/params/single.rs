//! One-parameter transfers: read by name or index, and set with confirmation.

use std::time::Instant;

use mavlink::dialects::common::{MavMessage, PARAM_SET_DATA};

use super::{Action, decode, param_value, read_request};
use crate::constants::{PARAM_MAX_ATTEMPTS, PARAM_NO_SUCH_AFTER, PARAM_READ_TIMEOUT};
use crate::params::value::{ParamEncoding, ParamValue, kind_name, param_id, param_name};
use crate::params::{HASH_CHECK_NAME, Param, ParamError};
use crate::vehicle::VehicleId;

/// Which parameter a [`ReadOne`] asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamRef {
    /// By name.
    Name(String),
    /// By index.
    Index(u16),
}

/// Reads one parameter with PARAM_REQUEST_READ.
///
/// PX4 answers a read of an unknown name with nothing, so silence alone cannot tell a
/// missing parameter from a lossy link. Each read by name therefore also asks for
/// `_HASH_CHECK`, which PX4 always answers: once [`PARAM_NO_SUCH_AFTER`] requests in a
/// row brought the hash back but never the name, the vehicle has no such parameter
/// ([`ParamError::NoSuchParam`], in about two seconds instead of every retry).
#[derive(Debug)]
pub struct ReadOne {
    vehicle: VehicleId,
    encoding: ParamEncoding,
    which: ParamRef,
    attempts: u8,
    /// `_HASH_CHECK` answers received to the probes sent with a read by name.
    hash_answers: u8,
    deadline: Instant,
    result: Option<Result<Param, ParamError>>,
}

impl ReadOne {
    /// Starts reading `which` from `vehicle`.
    pub fn start(
        vehicle: VehicleId,
        which: ParamRef,
        encoding: ParamEncoding,
        now: Instant,
        out: &mut Vec<Action>,
    ) -> Result<Self, ParamError> {
        if let ParamRef::Name(n) = &which {
            check_name(n)?;
        }
        let mut r = Self {
            vehicle,
            encoding,
            which,
            attempts: 0,
            hash_answers: 0,
            deadline: now,
            result: None,
        };
        r.send(now, out);
        Ok(r)
    }

    /// The name read, unless it is `_HASH_CHECK` itself (then no probe goes with it).
    fn probed_name(&self) -> Option<&str> {
        match &self.which {
            ParamRef::Name(n) if n != HASH_CHECK_NAME => Some(n),
            _ => None,
        }
    }

    fn send(&mut self, now: Instant, out: &mut Vec<Action>) {
        self.attempts += 1;
        self.deadline = now + PARAM_READ_TIMEOUT;
        out.push(Action::Send(match &self.which {
            ParamRef::Name(n) => read_request(self.vehicle, n, -1),
            ParamRef::Index(i) => read_request(self.vehicle, "", *i as i16),
        }));
        if self.probed_name().is_some() {
            out.push(Action::Send(read_request(
                self.vehicle,
                HASH_CHECK_NAME,
                -1,
            )));
        }
    }

    /// The vehicle answered every `_HASH_CHECK` probe of at least
    /// [`PARAM_NO_SUCH_AFTER`] requests but never the name: it has no such parameter.
    fn no_such_param(&self) -> Option<ParamError> {
        let name = self.probed_name()?;
        let proven =
            self.attempts >= PARAM_NO_SUCH_AFTER && self.hash_answers >= PARAM_NO_SUCH_AFTER;
        // After every retry, any answer at all shows the link works.
        let last = self.attempts >= PARAM_MAX_ATTEMPTS && self.hash_answers > 0;
        (proven || last).then(|| ParamError::NoSuchParam {
            vehicle: self.vehicle,
            name: name.to_owned(),
            attempts: self.attempts,
        })
    }

    /// When [`on_tick`](Self::on_tick) next has something to do.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// The result, once finished.
    pub fn take_result(&mut self) -> Option<Result<Param, ParamError>> {
        self.result.take()
    }

    /// Handles a message from the vehicle's system.
    pub fn on_message(&mut self, compid: u8, msg: &MavMessage) {
        let Some(v) = param_value(self.vehicle, compid, msg) else {
            return;
        };
        let name = param_name(&v.param_id);
        if self.attempts > 0
            && self.probed_name().is_some()
            && name.as_deref() == Some(HASH_CHECK_NAME)
        {
            self.hash_answers = self.hash_answers.saturating_add(1);
            return;
        }
        let matches = match &self.which {
            ParamRef::Name(n) => name.as_deref() == Some(n.as_str()),
            ParamRef::Index(i) => v.param_index == *i,
        };
        if matches && self.attempts > 0 {
            self.result = Some(decode(self.vehicle, v, self.encoding));
            self.attempts = 0;
        }
    }

    /// Retransmits or times out once the deadline has passed.
    pub fn on_tick(&mut self, now: Instant, out: &mut Vec<Action>) {
        if self.attempts == 0 || now < self.deadline {
            return;
        }
        if let Some(e) = self.no_such_param() {
            self.result = Some(Err(e));
            self.attempts = 0;
        } else if self.attempts >= PARAM_MAX_ATTEMPTS {
            let what = match &self.which {
                ParamRef::Name(n) => format!("PARAM_REQUEST_READ {n}"),
                ParamRef::Index(i) => format!("PARAM_REQUEST_READ #{i}"),
            };
            self.result = Some(Err(ParamError::Timeout {
                vehicle: self.vehicle,
                what,
                attempts: self.attempts,
            }));
            self.attempts = 0;
        } else {
            self.send(now, out);
        }
    }
}

/// Sets one parameter with PARAM_SET and waits for the vehicle to echo the new value.
#[derive(Debug)]
pub struct SetOne {
    vehicle: VehicleId,
    encoding: ParamEncoding,
    name: String,
    value: ParamValue,
    attempts: u8,
    mismatches: u8,
    deadline: Instant,
    result: Option<Result<Param, ParamError>>,
}

impl SetOne {
    /// Starts setting `name` to `value` on `vehicle`.
    pub fn start(
        vehicle: VehicleId,
        name: &str,
        value: ParamValue,
        encoding: ParamEncoding,
        now: Instant,
        out: &mut Vec<Action>,
    ) -> Result<Self, ParamError> {
        check_name(name)?;
        let mut s = Self {
            vehicle,
            encoding,
            name: name.to_owned(),
            value,
            attempts: 0,
            mismatches: 0,
            deadline: now,
            result: None,
        };
        s.send(now, out);
        Ok(s)
    }

    fn send(&mut self, now: Instant, out: &mut Vec<Action>) {
        self.attempts += 1;
        self.deadline = now + PARAM_READ_TIMEOUT;
        out.push(Action::Send(MavMessage::PARAM_SET(PARAM_SET_DATA {
            param_value: self.value.to_wire(self.encoding),
            target_system: self.vehicle.sysid,
            target_component: self.vehicle.compid,
            param_id: param_id(&self.name),
            param_type: self.value.mav_type(),
        })));
    }

    /// When [`on_tick`](Self::on_tick) next has something to do.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// The result, once finished.
    pub fn take_result(&mut self) -> Option<Result<Param, ParamError>> {
        self.result.take()
    }

    /// Handles a message from the vehicle's system.
    ///
    /// The echo must carry the value sent. One other value may be a PARAM_VALUE that
    /// was already on its way (a list in progress), so the set is sent again; a second
    /// other value means the vehicle refused it.
    pub fn on_message(
        &mut self,
        compid: u8,
        msg: &MavMessage,
        now: Instant,
        out: &mut Vec<Action>,
    ) {
        if self.attempts == 0 {
            return;
        }
        let Some(v) = param_value(self.vehicle, compid, msg) else {
            return;
        };
        if param_name(&v.param_id).as_deref() != Some(self.name.as_str()) {
            return;
        }
        if v.param_type != self.value.mav_type() {
            self.result = Some(Err(ParamError::TypeMismatch {
                vehicle: self.vehicle,
                name: self.name.clone(),
                sent_type: self.value.kind(),
                vehicle_type: kind_name(v.param_type),
            }));
            self.attempts = 0;
            return;
        }
        let got = match decode(self.vehicle, v, self.encoding) {
            Ok(p) => p,
            Err(e) => {
                self.result = Some(Err(e));
                self.attempts = 0;
                return;
            }
        };
        if got.value.same_as(&self.value) {
            self.result = Some(Ok(got));
            self.attempts = 0;
            return;
        }
        self.mismatches += 1;
        if self.mismatches >= 2 || self.attempts >= PARAM_MAX_ATTEMPTS {
            self.result = Some(Err(ParamError::Rejected {
                vehicle: self.vehicle,
                name: self.name.clone(),
                requested: self.value,
                actual: got.value,
            }));
            self.attempts = 0;
        } else {
            self.send(now, out);
        }
    }

    /// Retransmits or times out once the deadline has passed.
    pub fn on_tick(&mut self, now: Instant, out: &mut Vec<Action>) {
        if self.attempts == 0 || now < self.deadline {
            return;
        }
        if self.attempts >= PARAM_MAX_ATTEMPTS {
            self.result = Some(Err(ParamError::Timeout {
                vehicle: self.vehicle,
                what: format!("PARAM_SET {}", self.name),
                attempts: self.attempts,
            }));
            self.attempts = 0;
        } else {
            self.send(now, out);
        }
    }
}

fn check_name(name: &str) -> Result<(), ParamError> {
    if name.len() > 16 {
        Err(ParamError::NameTooLong(name.to_owned()))
    } else {
        Ok(())
    }
}

#[cfg(test)]
#[path = "single_tests.rs"]
mod tests;
