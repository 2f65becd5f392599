//! Sans-IO tests of reading and setting one parameter, with a fake clock.

use mavlink::dialects::common::{MavParamType, PARAM_VALUE_DATA};

use super::*;

const V: VehicleId = VehicleId {
    sysid: 1,
    compid: 1,
};
const ENC: ParamEncoding = ParamEncoding::Bytewise;

fn sends(out: &mut Vec<Action>) -> Vec<MavMessage> {
    out.drain(..)
        .filter_map(|a| match a {
            Action::Send(m) => Some(m),
            _ => None,
        })
        .collect()
}

fn echo(name: &str, value: ParamValue) -> MavMessage {
    MavMessage::PARAM_VALUE(PARAM_VALUE_DATA {
        param_value: value.to_wire(ENC),
        param_count: 50,
        param_index: 7,
        param_id: param_id(name),
        param_type: value.mav_type(),
    })
}

#[test]
fn set_is_retried_until_the_echo_carries_the_new_value() {
    let t0 = Instant::now();
    let mut out = Vec::new();
    let mut s = SetOne::start(V, "NAV_DLL_ACT", ParamValue::I32(2), ENC, t0, &mut out).unwrap();
    match &sends(&mut out)[..] {
        [MavMessage::PARAM_SET(p)] => {
            assert_eq!(p.param_type, MavParamType::MAV_PARAM_TYPE_INT32);
            assert_eq!(p.param_value.to_bits(), 2, "PX4's bytewise INT32");
            assert_eq!(param_name(&p.param_id).as_deref(), Some("NAV_DLL_ACT"));
        }
        other => panic!("{other:?}"),
    }
    // Lost: retransmitted after the timeout.
    let t = t0 + PARAM_READ_TIMEOUT;
    s.on_tick(t, &mut out);
    assert_eq!(sends(&mut out).len(), 1);
    // Another parameter's value does not confirm it; the right one does.
    s.on_message(1, &echo("NAV_RCL_ACT", ParamValue::I32(2)), t, &mut out);
    assert!(s.take_result().is_none());
    s.on_message(1, &echo("NAV_DLL_ACT", ParamValue::I32(2)), t, &mut out);
    let p = s.take_result().unwrap().unwrap();
    assert_eq!(p.value, ParamValue::I32(2));
    assert_eq!(p.index, 7);
}

#[test]
fn a_stale_echo_is_tolerated_once_then_a_refusal_is_reported() {
    let t0 = Instant::now();
    let mut out = Vec::new();
    let want = ParamValue::F32(80.0);
    let mut s = SetOne::start(V, "RTL_RETURN_ALT", want, ENC, t0, &mut out).unwrap();
    out.clear();
    s.on_message(
        1,
        &echo("RTL_RETURN_ALT", ParamValue::F32(60.0)),
        t0,
        &mut out,
    );
    assert_eq!(sends(&mut out).len(), 1, "sent again at once");
    assert!(s.take_result().is_none());
    s.on_message(1, &echo("RTL_RETURN_ALT", want), t0, &mut out);
    assert!(s.take_result().unwrap().is_ok());

    let mut s = SetOne::start(V, "RTL_RETURN_ALT", want, ENC, t0, &mut out).unwrap();
    out.clear();
    for _ in 0..2 {
        s.on_message(
            1,
            &echo("RTL_RETURN_ALT", ParamValue::F32(60.0)),
            t0,
            &mut out,
        );
    }
    assert_eq!(
        s.take_result(),
        Some(Err(ParamError::Rejected {
            vehicle: V,
            name: "RTL_RETURN_ALT".into(),
            requested: want,
            actual: ParamValue::F32(60.0),
        }))
    );
}

#[test]
fn set_reports_type_mismatch_and_timeout() {
    let t0 = Instant::now();
    let mut out = Vec::new();
    let mut s = SetOne::start(V, "COM_DL_LOSS_T", ParamValue::F32(5.0), ENC, t0, &mut out).unwrap();
    s.on_message(1, &echo("COM_DL_LOSS_T", ParamValue::I32(10)), t0, &mut out);
    assert!(matches!(
        s.take_result(),
        Some(Err(ParamError::TypeMismatch {
            sent_type: "REAL32",
            vehicle_type: "INT32",
            ..
        }))
    ));

    out.clear();
    let mut s = SetOne::start(V, "COM_DL_LOSS_T", ParamValue::I32(5), ENC, t0, &mut out).unwrap();
    let mut t = t0;
    let mut sent = sends(&mut out).len();
    let r = loop {
        t += PARAM_READ_TIMEOUT;
        s.on_tick(t, &mut out);
        sent += sends(&mut out).len();
        if let Some(r) = s.take_result() {
            break r;
        }
    };
    assert_eq!(sent, usize::from(PARAM_MAX_ATTEMPTS));
    assert!(
        matches!(&r, Err(ParamError::Timeout { what, attempts, .. })
            if what == "PARAM_SET COM_DL_LOSS_T" && *attempts == PARAM_MAX_ATTEMPTS),
        "{r:?}"
    );
    assert_eq!(
        SetOne::start(
            V,
            "A_NAME_TOO_LONG_X",
            ParamValue::I32(1),
            ENC,
            t0,
            &mut out
        )
        .err(),
        Some(ParamError::NameTooLong("A_NAME_TOO_LONG_X".into()))
    );
}

#[test]
fn read_by_name_and_by_index() {
    let t0 = Instant::now();
    let mut out = Vec::new();
    let mut r =
        ReadOne::start(V, ParamRef::Name("COM_FLTMODE1".into()), ENC, t0, &mut out).unwrap();
    match &sends(&mut out)[..] {
        [
            MavMessage::PARAM_REQUEST_READ(q),
            MavMessage::PARAM_REQUEST_READ(probe),
        ] => {
            assert_eq!(q.param_index, -1);
            assert_eq!(param_name(&q.param_id).as_deref(), Some("COM_FLTMODE1"));
            assert_eq!(param_name(&probe.param_id).as_deref(), Some("_HASH_CHECK"));
        }
        other => panic!("{other:?}"),
    }
    r.on_tick(t0 + PARAM_READ_TIMEOUT, &mut out);
    assert_eq!(sends(&mut out).len(), 2);
    r.on_message(1, &echo("COM_FLTMODE2", ParamValue::I32(-1)));
    assert!(r.take_result().is_none());
    r.on_message(1, &echo("COM_FLTMODE1", ParamValue::I32(-1)));
    assert_eq!(r.take_result().unwrap().unwrap().value, ParamValue::I32(-1));

    let mut r = ReadOne::start(V, ParamRef::Index(7), ENC, t0, &mut out).unwrap();
    match &sends(&mut out)[..] {
        [MavMessage::PARAM_REQUEST_READ(q)] => assert_eq!(q.param_index, 7),
        other => panic!("{other:?}"),
    }
    r.on_message(1, &echo("ANY", ParamValue::F32(1.5)));
    let p = r.take_result().unwrap().unwrap();
    assert_eq!((p.name.as_str(), p.index), ("ANY", 7));
}

fn hash_answer() -> MavMessage {
    MavMessage::PARAM_VALUE(PARAM_VALUE_DATA {
        param_value: f32::from_bits(0xDEAD_BEEF),
        param_count: 50,
        param_index: u16::MAX,
        param_id: param_id("_HASH_CHECK"),
        param_type: MavParamType::MAV_PARAM_TYPE_UINT32,
    })
}

#[test]
fn an_unknown_name_is_reported_once_the_hash_probes_prove_the_link() {
    let t0 = Instant::now();
    let mut out = Vec::new();
    let mut r = ReadOne::start(V, ParamRef::Name("NO_SUCH".into()), ENC, t0, &mut out).unwrap();
    let mut now = t0;
    for _ in 0..PARAM_NO_SUCH_AFTER {
        assert_eq!(sends(&mut out).len(), 2);
        // PX4 answers the hash read, never the unknown name.
        r.on_message(1, &hash_answer());
        assert!(r.take_result().is_none());
        now += PARAM_READ_TIMEOUT;
        r.on_tick(now, &mut out);
    }
    let e = r.take_result().unwrap().unwrap_err();
    assert_eq!(
        e,
        ParamError::NoSuchParam {
            vehicle: V,
            name: "NO_SUCH".into(),
            attempts: PARAM_NO_SUCH_AFTER
        }
    );
    assert!(e.to_string().contains("has no parameter NO_SUCH"), "{e}");
    assert!(now - t0 < PARAM_READ_TIMEOUT * 4);
}

#[test]
fn silence_on_every_request_is_a_timeout_not_a_missing_parameter() {
    let t0 = Instant::now();
    let mut out = Vec::new();
    let mut r = ReadOne::start(
        V,
        ParamRef::Name("RTL_RETURN_ALT".into()),
        ENC,
        t0,
        &mut out,
    )
    .unwrap();
    let mut now = t0;
    let res = loop {
        if let Some(res) = r.take_result() {
            break res;
        }
        now += PARAM_READ_TIMEOUT;
        r.on_tick(now, &mut out);
        assert!(now - t0 < PARAM_READ_TIMEOUT * 20, "never ended");
    };
    assert!(matches!(res, Err(ParamError::Timeout { .. })), "{res:?}");
}
