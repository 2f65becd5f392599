//! The parameter server answers as PX4's mavlink_parameters.cpp does.

use gcs_link::mavlink::dialects::common::{
    PARAM_REQUEST_LIST_DATA, PARAM_REQUEST_READ_DATA, PARAM_SET_DATA,
};

use super::*;
use crate::params::DataLinkLossAction;

const SYS: u8 = 7;

fn list(target_system: u8) -> MavMessage {
    MavMessage::PARAM_REQUEST_LIST(PARAM_REQUEST_LIST_DATA {
        target_system,
        target_component: 1,
    })
}

fn read(name: &str, index: i16) -> MavMessage {
    MavMessage::PARAM_REQUEST_READ(PARAM_REQUEST_READ_DATA {
        param_index: index,
        target_system: SYS,
        target_component: 1,
        param_id: name.into(),
    })
}

fn set(name: &str, value: f32, param_type: MavParamType) -> MavMessage {
    MavMessage::PARAM_SET(PARAM_SET_DATA {
        param_value: value,
        target_system: SYS,
        target_component: 0,
        param_id: name.into(),
        param_type,
    })
}

fn values(msgs: &[MavMessage]) -> Vec<&PARAM_VALUE_DATA> {
    msgs.iter()
        .filter_map(|m| match m {
            MavMessage::PARAM_VALUE(v) => Some(v),
            _ => None,
        })
        .collect()
}

fn drain_stream(s: &mut ParamServer) -> Vec<MavMessage> {
    let mut all = Vec::new();
    loop {
        let burst = s.poll_stream();
        if burst.is_empty() {
            return all;
        }
        assert!(burst.len() <= STREAM_BURST);
        all.extend(burst);
    }
}

#[test]
fn list_streams_the_hash_then_every_parameter_in_name_order() {
    let mut p = Px4Params::default();
    let mut s = ParamServer::new(SYS, &p);
    assert!(s.on_message(SYS, &list(0), &mut p).is_empty());
    assert!(s.poll_stream().is_empty(), "PX4 ignores target system 0");
    assert!(s.on_message(SYS, &list(SYS), &mut p).is_empty());
    let all = drain_stream(&mut s);
    let v = values(&all);
    assert_eq!(v.len(), s.count() + 1);
    assert_eq!(name_of(&v[0].param_id), HASH_CHECK);
    assert_eq!(v[0].param_index, u16::MAX);
    assert_eq!(v[0].param_type, MavParamType::MAV_PARAM_TYPE_UINT32);
    assert_eq!(v[0].param_value.to_bits(), s.hash());
    let names: Vec<String> = v[1..].iter().map(|m| name_of(&m.param_id)).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    for (i, m) in v[1..].iter().enumerate() {
        assert_eq!(usize::from(m.param_index), i);
        assert_eq!(usize::from(m.param_count), s.count());
    }
    // MAV_SYS_ID is the vehicle's; integers are bytewise.
    let sys = v
        .iter()
        .find(|m| name_of(&m.param_id) == "MAV_SYS_ID")
        .unwrap();
    assert_eq!(sys.param_type, MavParamType::MAV_PARAM_TYPE_INT32);
    assert_eq!(sys.param_value.to_bits(), u32::from(SYS));
    let mode = v
        .iter()
        .find(|m| name_of(&m.param_id) == "COM_FLTMODE1")
        .unwrap();
    assert_eq!(mode.param_value.to_bits() as i32, -1);
    let alt = v
        .iter()
        .find(|m| name_of(&m.param_id) == "RTL_RETURN_ALT")
        .unwrap();
    assert_eq!(alt.param_type, MavParamType::MAV_PARAM_TYPE_REAL32);
    assert_eq!(alt.param_value, 30.0, "PX4's RTL_RETURN_ALT");
    // Every value is PX4 SITL's, but the system id.
    assert_eq!(s.count(), 903);
    for m in &v[1..] {
        let name = name_of(&m.param_id);
        let px4 = table::px4_default(&name).unwrap();
        if name != "MAV_SYS_ID" {
            assert_eq!(
                m.param_value.to_bits(),
                u32::from_le_bytes(px4.bytes()),
                "{name}"
            );
        }
    }
}

#[test]
fn the_whole_list_streams_in_about_a_second_of_sim_cycles() {
    let mut p = Px4Params::default();
    let mut s = ParamServer::new(SYS, &p);
    s.on_message(SYS, &list(SYS), &mut p);
    let mut cycles = 0u32;
    let mut sent = 0;
    loop {
        let burst = s.poll_stream();
        if burst.is_empty() {
            break;
        }
        sent += burst.len();
        cycles += 1;
    }
    assert_eq!(sent, 904, "_HASH_CHECK and 903 parameters");
    // One burst a 20 ms cycle of the sim's loop (runner.rs): 0.92 s, PX4's ~1 s.
    assert_eq!(cycles, 46);
}

#[test]
fn a_second_request_restarts_without_the_hash_and_hash_set_stops() {
    let mut p = Px4Params::default();
    let mut s = ParamServer::new(SYS, &p);
    s.on_message(SYS, &list(SYS), &mut p);
    let first = s.poll_stream();
    assert_eq!(name_of(&values(&first)[0].param_id), HASH_CHECK);
    s.on_message(SYS, &list(SYS), &mut p);
    let again = drain_stream(&mut s);
    assert_eq!(values(&again)[0].param_index, 0, "restart skips the hash");
    assert_eq!(again.len(), s.count());
    s.on_message(SYS, &list(SYS), &mut p);
    s.poll_stream();
    let stop = set(HASH_CHECK, 0.0, MavParamType::MAV_PARAM_TYPE_UINT32);
    assert!(s.on_message(SYS, &stop, &mut p).is_empty());
    assert!(s.poll_stream().is_empty());
}

#[test]
fn read_by_name_index_and_hash() {
    let mut p = Px4Params::default();
    let mut s = ParamServer::new(SYS, &p);
    let r = s.on_message(SYS, &read("NAV_DLL_ACT", -1), &mut p);
    let v = values(&r)[0];
    assert_eq!(name_of(&v.param_id), "NAV_DLL_ACT");
    let i = v.param_index as i16;
    let r = s.on_message(SYS, &read("", i), &mut p);
    assert_eq!(name_of(&values(&r)[0].param_id), "NAV_DLL_ACT");
    let r = s.on_message(SYS, &read(HASH_CHECK, -1), &mut p);
    assert_eq!(values(&r)[0].param_value.to_bits(), s.hash());
    assert!(
        s.on_message(SYS, &read("NO_SUCH_PARAM", -1), &mut p)
            .is_empty()
    );
    assert!(s.on_message(SYS, &read("", 9999), &mut p).is_empty());
    // Another system's request is not ours.
    assert!(
        s.on_message(SYS + 1, &read("NAV_DLL_ACT", -1), &mut p)
            .is_empty()
    );
}

#[test]
fn set_checks_type_and_range_echoes_and_reaches_the_model() {
    let mut p = Px4Params::default();
    let mut s = ParamServer::new(SYS, &p);
    let h0 = s.hash();
    let int32 = MavParamType::MAV_PARAM_TYPE_INT32;
    let real32 = MavParamType::MAV_PARAM_TYPE_REAL32;
    // Wrong type: ignored, as PX4 does.
    assert!(
        s.on_message(SYS, &set("NAV_DLL_ACT", 2.0, real32), &mut p)
            .is_empty()
    );
    assert_eq!(p.nav_dll_act, DataLinkLossAction::Disabled);
    // Unknown name: ignored.
    assert!(
        s.on_message(SYS, &set("NO_SUCH", 1.0, real32), &mut p)
            .is_empty()
    );
    // Bytewise INT32 2: accepted, echoed, and the model now returns on link loss.
    let r = s.on_message(SYS, &set("NAV_DLL_ACT", f32::from_bits(2), int32), &mut p);
    let v = values(&r)[0];
    assert_eq!((v.param_value.to_bits(), v.param_type), (2, int32));
    assert_eq!(p.nav_dll_act, DataLinkLossAction::Return);
    assert_eq!(s.get("NAV_DLL_ACT"), Some(Px4Value::Int(2)));
    assert_ne!(s.hash(), h0, "the hash follows the values");
    let r = s.on_message(SYS, &set("COM_DL_LOSS_T", f32::from_bits(5), int32), &mut p);
    assert_eq!(values(&r)[0].param_value.to_bits(), 5);
    assert_eq!(p.com_dl_loss_t_s, 5.0);
    let r = s.on_message(SYS, &set("RTL_RETURN_ALT", 80.0, real32), &mut p);
    assert_eq!(values(&r)[0].param_value, 80.0);
    assert_eq!(p.rtl_return_alt_m, 80.0);
    // Out of range: refused with the kept value echoed and a STATUSTEXT.
    let r = s.on_message(SYS, &set("NAV_DLL_ACT", f32::from_bits(4), int32), &mut p);
    assert!(matches!(r[0], MavMessage::STATUSTEXT(_)));
    assert_eq!(values(&r)[0].param_value.to_bits(), 2);
    assert_eq!(p.nav_dll_act, DataLinkLossAction::Return);
    let r = s.on_message(SYS, &set("RTL_RETURN_ALT", 1000.0, real32), &mut p);
    assert_eq!(values(&r)[0].param_value, 80.0);
    // A parameter the model does not use is still stored and served.
    s.on_message(
        SYS,
        &set("SYS_AUTOSTART", f32::from_bits(4002), int32),
        &mut p,
    );
    assert_eq!(s.get("SYS_AUTOSTART"), Some(Px4Value::Int(4002)));
    // One the sim has no range for: any finite value of its type, as PX4 stores it.
    let r = s.on_message(SYS, &set("MIS_YAW_ERR", -1e30, real32), &mut p);
    assert_eq!(values(&r)[0].param_value, -1e30);
    let r = s.on_message(SYS, &set("MIS_YAW_ERR", f32::NAN, real32), &mut p);
    assert!(matches!(r[0], MavMessage::STATUSTEXT(_)));
    assert_eq!(s.get("MIS_YAW_ERR"), Some(Px4Value::Float(-1e30)));
    // The last parameter by index and by name.
    let last = s.count() - 1;
    let r = s.on_message(SYS, &read("", last as i16), &mut p);
    assert_eq!(name_of(&values(&r)[0].param_id), "WV_YRATE_MAX");
    assert_eq!(usize::from(values(&r)[0].param_index), last);
    let r = s.on_message(SYS, &set("WV_YRATE_MAX", 45.0, real32), &mut p);
    assert_eq!(usize::from(values(&r)[0].param_index), last);
    assert!(
        s.on_message(SYS, &read("", s.count() as i16), &mut p)
            .is_empty()
    );
}

#[test]
fn config_values_are_what_the_server_reports() {
    let p = Px4Params {
        nav_dll_act: DataLinkLossAction::Land,
        rtl_return_alt_m: 45.0,
        ..Px4Params::default()
    };
    let s = ParamServer::new(SYS, &p);
    assert_eq!(s.get("NAV_DLL_ACT"), Some(Px4Value::Int(3)));
    assert_eq!(s.get("RTL_RETURN_ALT"), Some(Px4Value::Float(45.0)));
    assert_eq!(s.get("GF_ACTION"), Some(Px4Value::Int(2)));
}

#[test]
fn hash_is_px4s_crc32part_over_names_and_values() {
    let p = Px4Params::default();
    let s = ParamServer::new(SYS, &p);
    // An independent table-free CRC (reflected 0xEDB88320, init 0, no final xor).
    let mut bytes = Vec::new();
    for d in s.defs {
        bytes.extend_from_slice(d.name.as_bytes());
        bytes.extend_from_slice(&s.get(d.name).unwrap().bytes());
    }
    let table: Vec<u32> = (0..256u32)
        .map(|n| {
            (0..8).fold(n, |c, _| {
                if c & 1 == 1 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                }
            })
        })
        .collect();
    let crc = bytes.iter().fold(0u32, |c, b| {
        table[((c ^ u32::from(*b)) & 0xFF) as usize] ^ (c >> 8)
    });
    assert_eq!(s.hash(), crc);
}
