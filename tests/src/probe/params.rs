//! Parameters: the count, type and default of the ones Vigil uses, and the answers to
//! unknown names, indices out of range, `_HASH_CHECK` and a set.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use gcs_link::mavlink::dialects::common::*;
use gcs_link::params::HASH_CHECK_NAME;
use gcs_link::params::value::{ParamEncoding, ParamValue, kind_name, param_id, param_name};
use serde::{Deserialize, Serialize};

use super::observation::Tolerance;
use super::{Probe, ProbeError, phase_error};

/// One parameter as the vehicle listed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamRecord {
    /// Name.
    pub name: String,
    /// MAVLink type (`MAV_PARAM_TYPE_*` without the prefix, e.g. `INT32`).
    pub kind: String,
    /// Value (decoded from PX4's bytewise encoding for integers).
    pub value: f64,
}

/// The parameters Vigil reads, sets or whose behaviour gcs-sim models.
pub const VIGIL_PARAMS: &[&str] = &[
    "BAT1_CAPACITY",
    "BAT1_N_CELLS",
    "BAT1_V_CHARGED",
    "BAT1_V_EMPTY",
    "BAT_CRIT_THR",
    "BAT_EMERGEN_THR",
    "BAT_LOW_THR",
    "COM_ARM_WO_GPS",
    "COM_DISARM_LAND",
    "COM_DISARM_PRFLT",
    "COM_DL_LOSS_T",
    "COM_LOW_BAT_ACT",
    "COM_OBL_RC_ACT",
    "COM_RC_IN_MODE",
    "COM_RC_LOSS_T",
    "COM_TAKEOFF_ACT",
    "GF_ACTION",
    "GF_ALTMODE",
    "GF_MAX_HOR_DIST",
    "GF_MAX_VER_DIST",
    "GF_SOURCE",
    "MAV_COMP_ID",
    "MAV_PROTO_VER",
    "MAV_SYS_ID",
    "MAV_TYPE",
    "MIS_DIST_1WP",
    "MIS_TAKEOFF_ALT",
    "MPC_ACC_DOWN_MAX",
    "MPC_ACC_HOR",
    "MPC_ACC_UP_MAX",
    "MPC_LAND_ALT1",
    "MPC_LAND_ALT2",
    "MPC_LAND_SPEED",
    "MPC_THR_HOVER",
    "MPC_TILTMAX_AIR",
    "MPC_TKO_SPEED",
    "MPC_XY_CRUISE",
    "MPC_XY_VEL_MAX",
    "MPC_Z_VEL_MAX_DN",
    "MPC_Z_VEL_MAX_UP",
    "MPC_Z_V_AUTO_DN",
    "MPC_Z_V_AUTO_UP",
    "NAV_ACC_RAD",
    "NAV_DLL_ACT",
    "NAV_MC_ALT_RAD",
    "NAV_RCL_ACT",
    "RTL_DESCEND_ALT",
    "RTL_LAND_DELAY",
    "RTL_RETURN_ALT",
    "RTL_TYPE",
    "RTL_CONE_ANG",
    "SYS_AUTOSTART",
    "SYS_HAS_MAG",
];

const LIST_QUIET: Duration = Duration::from_secs(3);

pub(super) async fn run(p: &mut Probe) -> Result<(), ProbeError> {
    p.say("params: reading the whole list");
    let list = read_all(p).await?;
    p.num("param.count", list.len() as f64, Tolerance::EXACT);
    for name in VIGIL_PARAMS {
        match list.values().find(|r| r.name == *name) {
            Some(r) => {
                let (value, kind) = (r.value, r.kind.clone());
                p.num(format!("param.{name}"), value, Tolerance::rel(1e-4, 1e-6));
                p.text(format!("param.{name}.type"), kind);
            }
            None => p.text(format!("param.{name}"), "missing"),
        }
    }
    p.params = list.into_values().collect();

    p.say("params: unknown names, indices and the hash check");
    let reply = read_reply(p, "VIGIL_NO_SUCH", -1).await;
    p.text("param.read_unknown_name.reply", reply);
    let reply = read_reply(p, "", 30000).await;
    p.text("param.read_index_out_of_range.reply", reply);
    let reply = read_reply(p, HASH_CHECK_NAME, -1).await;
    p.text("param.read_hash_check.reply", reply);

    let reply = set_reply(p, "VIGIL_NO_SUCH", ParamValue::F32(1.0)).await;
    p.text("param.set_unknown.reply", reply);
    // The data-link failsafe is off by default; the flight phase checks it with Return.
    let reply = set_reply(p, "NAV_DLL_ACT", ParamValue::I32(2)).await;
    p.text("param.set_nav_dll_act.reply", reply);
    Ok(())
}

async fn read_all(p: &mut Probe) -> Result<BTreeMap<u16, ParamRecord>, ProbeError> {
    let target = p.link.vehicle.unwrap_or(1);
    p.link
        .send(&MavMessage::PARAM_REQUEST_LIST(PARAM_REQUEST_LIST_DATA {
            target_system: target,
            target_component: 1,
        }))
        .await;
    let mut got = BTreeMap::new();
    let mut count = None;
    for _round in 0..5 {
        let mut last = Instant::now();
        while last.elapsed() < LIST_QUIET {
            let until = last + LIST_QUIET;
            let Some(rx) = p.link.next(until).await else {
                break;
            };
            if let Some(MavMessage::PARAM_VALUE(v)) = &rx.msg {
                last = rx.at;
                count = Some(v.param_count);
                if let Some(r) = record(v) {
                    got.insert(v.param_index, r);
                }
                if count.is_some_and(|c| got.len() >= usize::from(c)) {
                    break;
                }
            }
        }
        let Some(c) = count else {
            return Err(phase_error(
                "params",
                "no PARAM_VALUE answered PARAM_REQUEST_LIST",
            ));
        };
        let missing: Vec<u16> = (0..c).filter(|i| !got.contains_key(i)).collect();
        if missing.is_empty() {
            return Ok(got);
        }
        for i in missing {
            p.link
                .send(&MavMessage::PARAM_REQUEST_READ(PARAM_REQUEST_READ_DATA {
                    param_index: i as i16,
                    target_system: target,
                    target_component: 1,
                    param_id: param_id(""),
                }))
                .await;
        }
    }
    Err(phase_error(
        "params",
        format!("{} of {:?} parameters after five rounds", got.len(), count),
    ))
}

fn record(v: &PARAM_VALUE_DATA) -> Option<ParamRecord> {
    let name = param_name(&v.param_id)?;
    let value = ParamValue::from_wire(v.param_value, v.param_type, ParamEncoding::Bytewise).ok()?;
    Some(ParamRecord {
        name,
        kind: kind_name(v.param_type).to_string(),
        value: value.as_f64(),
    })
}

/// Sends PARAM_REQUEST_READ and names the answer: "PARAM_VALUE <name> <index>", or "none".
async fn read_reply(p: &mut Probe, name: &str, index: i16) -> String {
    let target = p.link.vehicle.unwrap_or(1);
    p.link
        .send(&MavMessage::PARAM_REQUEST_READ(PARAM_REQUEST_READ_DATA {
            param_index: index,
            target_system: target,
            target_component: 1,
            param_id: param_id(name),
        }))
        .await;
    answer(p, name).await
}

/// Sends PARAM_SET and names the answer.
async fn set_reply(p: &mut Probe, name: &str, value: ParamValue) -> String {
    let target = p.link.vehicle.unwrap_or(1);
    p.link
        .send(&MavMessage::PARAM_SET(PARAM_SET_DATA {
            param_value: value.to_wire(ParamEncoding::Bytewise),
            target_system: target,
            target_component: 1,
            param_id: param_id(name),
            param_type: value.mav_type(),
        }))
        .await;
    answer(p, name).await
}

/// The first PARAM_VALUE (named, unless asked by index) within 2 s, or STATUSTEXT.
async fn answer(p: &mut Probe, name: &str) -> String {
    p.link
        .wait_for(Duration::from_secs(2), |rx| match &rx.msg {
            Some(MavMessage::PARAM_VALUE(v)) => {
                let n = param_name(&v.param_id).unwrap_or_default();
                (name.is_empty() || n == name).then(|| {
                    let value = record(v).map_or(f64::NAN, |r| r.value);
                    // The hash's value changes with every parameter set; only its name counts.
                    if n == HASH_CHECK_NAME {
                        format!("PARAM_VALUE {n}")
                    } else {
                        format!("PARAM_VALUE {n} {value}")
                    }
                })
            }
            _ => None,
        })
        .await
        .unwrap_or_else(|| "none".into())
}
