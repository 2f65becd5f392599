//! The parameter server, as PX4's `MavlinkParametersManager`
//! (`src/modules/mavlink/mavlink_parameters.cpp`) answers:
//!
//! - **PARAM_REQUEST_LIST** addressed to this system and component 1 or 0 (PX4 does not
//!   accept target system 0 here): streams `_HASH_CHECK` first (index -1, UINT32,
//!   `param_hash_check()`), then every parameter in index (name) order, up to 20 per
//!   cycle as PX4 does on UDP: PX4 SITL's 903 ([`table::px4_params`]) take 46 cycles of
//!   the sim's 20 ms loop, about 1 s, as on PX4. A request while streaming restarts at
//!   index 0, without the hash.
//! - **PARAM_REQUEST_READ**: by index (`param_index` >= 0) or by name; the name
//!   `_HASH_CHECK` gets the hash. Unknown names and indices get no answer.
//! - **PARAM_SET**: `_HASH_CHECK` stops the stream (the GCS has the set cached).
//!   Otherwise the type must be the parameter's (INT32 / REAL32) or PX4 ignores it; so
//!   are unknown names (PX4 only logs them on its console). Accepted values are echoed
//!   in a PARAM_VALUE. Unlike PX4, which stores any value of the right type, the sim
//!   refuses values outside the parameter's range or enumeration: it echoes the value
//!   it keeps and says why in a STATUSTEXT, so the model never runs on a value PX4
//!   would not define. Only the parameters in [`table::CURATED`] have a range or
//!   enumeration; the rest take any finite value of their type.
//!
//! The hash covers every parameter; PX4's leaves out its volatile ones, so it differs
//! from the `_HASH_CHECK` PX4 SITL sent with the same values (a GCS only compares a
//! vehicle's hash with its own earlier ones).
//!
//! Integers travel bytewise in the float field (PX4's `memcpy`). Values the model uses
//! ([`bind`]) are written through to [`Px4Params`] at once.

use gcs_link::crc::crc32_part;
use gcs_link::mavlink::dialects::common::{
    MavMessage, MavParamType, MavSeverity, PARAM_VALUE_DATA, STATUSTEXT_DATA,
};

use crate::params::Px4Params;

#[path = "param_bind.rs"]
pub mod bind;
#[path = "param_table.rs"]
pub mod table;

use table::{ParamDef, Px4Value};

/// PX4's name for the parameter hash.
pub const HASH_CHECK: &str = "_HASH_CHECK";
/// PARAM_VALUE sent per cycle while streaming the list (PX4 on UDP: 20).
pub const STREAM_BURST: usize = 20;
/// PX4's autopilot component id.
const COMPID: u8 = 1;

/// One vehicle's parameters and its list stream.
#[derive(Debug, Clone)]
pub struct ParamServer {
    /// PX4's parameters in index (name) order.
    defs: &'static [ParamDef],
    values: Vec<Px4Value>,
    /// Next index of the list stream; `Some(-1)` sends the hash first.
    stream: Option<i32>,
}

fn name_of(id: &gcs_link::mavlink::types::CharArray<16>) -> String {
    // PX4 copies 16 bytes and terminates: a name of exactly 16 characters is whole.
    let end = id.iter().position(|b| *b == 0).unwrap_or(16);
    String::from_utf8_lossy(&id[..end]).into_owned()
}

impl ParamServer {
    /// PX4 SITL's parameters with PX4's defaults, except the model's values in
    /// `params` and `MAV_SYS_ID` = `sysid`.
    pub fn new(sysid: u8, params: &Px4Params) -> Self {
        let defs = table::px4_params();
        let values = defs
            .iter()
            .map(|d| match d.name {
                "MAV_SYS_ID" => Px4Value::Int(i32::from(sysid)),
                n => bind::model_value(params, n).unwrap_or(d.default),
            })
            .collect();
        Self {
            defs,
            values,
            stream: None,
        }
    }

    /// Number of parameters (PARAM_VALUE's `param_count`).
    pub fn count(&self) -> usize {
        self.defs.len()
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<Px4Value> {
        self.index_of(name).map(|i| self.values[i])
    }

    fn index_of(&self, name: &str) -> Option<usize> {
        self.defs
            .binary_search_by(|d| d.name.as_bytes().cmp(name.as_bytes()))
            .ok()
    }

    /// PX4's `param_hash_check()`: CRC32 (NuttX `crc32part`, no inversion) over each
    /// parameter's name then its 4 value bytes, in index order.
    pub fn hash(&self) -> u32 {
        self.defs.iter().zip(&self.values).fold(0, |crc, (d, v)| {
            crc32_part(&v.bytes(), crc32_part(d.name.as_bytes(), crc))
        })
    }

    fn value_msg(&self, i: usize) -> MavMessage {
        let (param_value, param_type) = match self.values[i] {
            Px4Value::Int(v) => (f32::from_bits(v as u32), MavParamType::MAV_PARAM_TYPE_INT32),
            Px4Value::Float(f) => (f, MavParamType::MAV_PARAM_TYPE_REAL32),
        };
        MavMessage::PARAM_VALUE(PARAM_VALUE_DATA {
            param_value,
            param_count: self.count() as u16,
            param_index: i as u16,
            param_id: self.defs[i].name.into(),
            param_type,
        })
    }

    fn hash_msg(&self) -> MavMessage {
        MavMessage::PARAM_VALUE(PARAM_VALUE_DATA {
            param_value: f32::from_bits(self.hash()),
            param_count: self.count() as u16,
            param_index: u16::MAX, // -1
            param_id: HASH_CHECK.into(),
            param_type: MavParamType::MAV_PARAM_TYPE_UINT32,
        })
    }

    fn for_us(sysid: u8, target_system: u8, target_component: u8) -> bool {
        target_system == sysid && (target_component == COMPID || target_component == 0)
    }

    /// Whether `msg` is for the parameter service.
    pub fn handles(msg: &MavMessage) -> bool {
        matches!(
            msg,
            MavMessage::PARAM_REQUEST_LIST(_)
                | MavMessage::PARAM_REQUEST_READ(_)
                | MavMessage::PARAM_SET(_)
        )
    }

    /// Answers a parameter message addressed to system `sysid`; writes accepted values
    /// the model uses into `params`. Returns the messages to send now.
    pub fn on_message(
        &mut self,
        sysid: u8,
        msg: &MavMessage,
        params: &mut Px4Params,
    ) -> Vec<MavMessage> {
        match msg {
            MavMessage::PARAM_REQUEST_LIST(r)
                if Self::for_us(sysid, r.target_system, r.target_component) =>
            {
                self.stream = Some(if self.stream.is_none() { -1 } else { 0 });
                vec![]
            }
            MavMessage::PARAM_REQUEST_READ(r)
                if Self::for_us(sysid, r.target_system, r.target_component) =>
            {
                if r.param_index >= 0 {
                    let i = r.param_index as usize;
                    return if i < self.count() {
                        vec![self.value_msg(i)]
                    } else {
                        vec![]
                    };
                }
                let name = name_of(&r.param_id);
                if name == HASH_CHECK {
                    return vec![self.hash_msg()];
                }
                self.index_of(&name)
                    .map(|i| vec![self.value_msg(i)])
                    .unwrap_or_default()
            }
            MavMessage::PARAM_SET(s)
                if Self::for_us(sysid, s.target_system, s.target_component) =>
            {
                let name = name_of(&s.param_id);
                if name == HASH_CHECK {
                    self.stream = None;
                    return vec![];
                }
                let Some(i) = self.index_of(&name) else {
                    return vec![];
                };
                let value = match (self.defs[i].default, s.param_type) {
                    (Px4Value::Int(_), MavParamType::MAV_PARAM_TYPE_INT32) => {
                        Px4Value::Int(s.param_value.to_bits() as i32)
                    }
                    (Px4Value::Float(_), MavParamType::MAV_PARAM_TYPE_REAL32) => {
                        Px4Value::Float(s.param_value)
                    }
                    _ => return vec![], // PX4: "invalid param", no answer
                };
                if !self.defs[i].accepts(value) {
                    let text = format!("Param {name}: {} refused", value.as_f64());
                    return vec![
                        MavMessage::STATUSTEXT(STATUSTEXT_DATA {
                            severity: MavSeverity::MAV_SEVERITY_WARNING,
                            text: text.as_str().into(),
                            ..Default::default()
                        }),
                        self.value_msg(i),
                    ];
                }
                self.values[i] = value;
                bind::apply(params, &name, value);
                vec![self.value_msg(i)]
            }
            _ => vec![],
        }
    }

    /// The next messages of the list stream, if one is running (call once per cycle).
    pub fn poll_stream(&mut self) -> Vec<MavMessage> {
        let mut out = Vec::new();
        while let Some(next) = self.stream {
            if out.len() >= STREAM_BURST {
                break;
            }
            if next < 0 {
                out.push(self.hash_msg());
            } else {
                out.push(self.value_msg(next as usize));
            }
            let after = next + 1;
            self.stream = (after < self.count() as i32).then_some(after);
        }
        out
    }
}

#[cfg(test)]
#[path = "param_server_tests.rs"]
mod tests;
