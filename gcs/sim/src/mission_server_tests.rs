//! The mission server answers as PX4's mavlink_mission.cpp does.

use super::*;
use gcs_link::mavlink::dialects::common::{MISSION_REQUEST_LIST_DATA, MissionState};

const ME: VehicleId = VehicleId {
    sysid: 1,
    compid: 1,
};
const GCS: VehicleId = VehicleId {
    sysid: 255,
    compid: 190,
};

fn item(seq: u16) -> MissionItemInt {
    MissionItemInt::waypoint(seq, 1, 2, 3.0)
}

/// A server holding a three-item mission, asked for it (it answers MISSION_COUNT).
fn downloading() -> MissionServer {
    let mut s = MissionServer::default();
    s.store(MissionType::Mission, (0..3).map(item).collect());
    let list = MavMessage::MISSION_REQUEST_LIST(MISSION_REQUEST_LIST_DATA {
        target_system: 1,
        mission_type: MavMissionType::MAV_MISSION_TYPE_MISSION,
        ..Default::default()
    });
    let out = s.on_message(ME, GCS, &list, Instant::now());
    assert!(matches!(&out[..], [MavMessage::MISSION_COUNT(c)] if c.count == 3));
    s
}

fn request(s: &mut MissionServer, seq: u16) -> Vec<MavMessage> {
    let r = MavMessage::MISSION_REQUEST_INT(MISSION_REQUEST_INT_DATA {
        seq,
        target_system: 1,
        target_component: 1,
        mission_type: MavMissionType::MAV_MISSION_TYPE_MISSION,
    });
    s.on_message(ME, GCS, &r, Instant::now())
}

fn is_item(out: &[MavMessage], seq: u16) -> bool {
    matches!(out, [MavMessage::MISSION_ITEM_INT(i)] if i.seq == seq)
}

fn is_error(out: &[MavMessage]) -> bool {
    matches!(out, [MavMessage::MISSION_ACK(a)]
        if a.mavtype == MavMissionResult::MAV_MISSION_ERROR
            && a.mission_type == MavMissionType::MAV_MISSION_TYPE_MISSION
            && a.target_system == GCS.sysid)
}

#[test]
fn a_download_serves_the_next_item_or_the_previous_one_again() {
    let mut s = downloading();
    assert!(is_item(&request(&mut s, 0), 0));
    // Item 0 was lost: asked again, it comes again.
    assert!(is_item(&request(&mut s, 0), 0));
    assert!(is_item(&request(&mut s, 1), 1));
    assert!(is_item(&request(&mut s, 1), 1));
    assert!(is_item(&request(&mut s, 2), 2));
    assert!(is_item(&request(&mut s, 2), 2));
}

#[test]
fn a_request_out_of_order_ends_the_download_with_an_error() {
    // Skipping ahead.
    let mut s = downloading();
    assert!(is_error(&request(&mut s, 1)));
    // The transfer is over: PX4 ignores requests when idle.
    assert!(request(&mut s, 0).is_empty());

    // Going back more than one item.
    let mut s = downloading();
    for seq in 0..3 {
        assert!(is_item(&request(&mut s, seq), seq));
    }
    assert!(is_error(&request(&mut s, 0)));
    assert!(request(&mut s, 2).is_empty());

    // Past the end of the list.
    let mut s = downloading();
    for seq in 0..3 {
        assert!(is_item(&request(&mut s, seq), seq));
    }
    assert!(is_error(&request(&mut s, 3)));
}

#[test]
fn an_empty_list_has_no_item_to_request() {
    let mut s = MissionServer::default();
    let list = MavMessage::MISSION_REQUEST_LIST(MISSION_REQUEST_LIST_DATA {
        target_system: 1,
        mission_type: MavMissionType::MAV_MISSION_TYPE_MISSION,
        ..Default::default()
    });
    let out = s.on_message(ME, GCS, &list, Instant::now());
    assert!(matches!(&out[..], [MavMessage::MISSION_COUNT(c)] if c.count == 0));
    assert!(is_error(&request(&mut s, 0)));
}

#[test]
fn a_repeated_last_item_is_acknowledged_again() {
    let (me, gcs) = (ME, GCS);
    let mut s = MissionServer::default();
    let now = Instant::now();
    let count = MavMessage::MISSION_COUNT(MISSION_COUNT_DATA {
        count: 2,
        target_system: 1,
        mission_type: MavMissionType::MAV_MISSION_TYPE_MISSION,
        ..Default::default()
    });
    assert_eq!(s.on_message(me, gcs, &count, now).len(), 1);
    let send = |s: &mut MissionServer, seq| {
        let w = MavMessage::MISSION_ITEM_INT(to_wire(&item(seq), me).unwrap());
        s.on_message(me, gcs, &w, now)
    };
    assert!(matches!(
        send(&mut s, 0)[..],
        [MavMessage::MISSION_REQUEST_INT(_)]
    ));
    let accepted = |r: &[MavMessage]| {
        matches!(r, [MavMessage::MISSION_ACK(a)]
            if a.mavtype == MavMissionResult::MAV_MISSION_ACCEPTED && a.opaque_id == plan_id(&[item(0), item(1)]))
    };
    assert!(accepted(&send(&mut s, 1)));
    // The ACK was lost: the ground station sends the last item again.
    assert!(accepted(&send(&mut s, 1)));
    // Any other item outside a transfer is an error (see the tests below).
    assert!(is_critical_then_error(&send(&mut s, 0), ITEM_NO_TRANSFER));
    // The last item is still acknowledged again after that.
    assert!(accepted(&send(&mut s, 1)));
}

/// A server that has received `n` waypoints of an upload of `count` from `from`.
fn uploading(from: VehicleId, count: u16, n: u16) -> MissionServer {
    let mut s = MissionServer::default();
    let now = Instant::now();
    let c = MavMessage::MISSION_COUNT(MISSION_COUNT_DATA {
        count,
        target_system: 1,
        mission_type: MavMissionType::MAV_MISSION_TYPE_MISSION,
        ..Default::default()
    });
    // A fresh vehicle asks with the old MISSION_REQUEST (PX4's `_int_mode` is off).
    assert_eq!(
        requested(&s.on_message(ME, from, &c, now)),
        Some((false, 0))
    );
    for seq in 0..n {
        let out = send_item(&mut s, from, seq);
        assert!(matches!(
            out.last(),
            Some(MavMessage::MISSION_REQUEST_INT(_) | MavMessage::MISSION_ACK(_))
        ));
    }
    s
}

fn send_item(s: &mut MissionServer, from: VehicleId, seq: u16) -> Vec<MavMessage> {
    let w = MavMessage::MISSION_ITEM_INT(to_wire(&item(seq), ME).unwrap());
    s.on_message(ME, from, &w, Instant::now())
}

/// The text of a critical STATUSTEXT.
fn critical_text(m: &MavMessage) -> Option<String> {
    match m {
        MavMessage::STATUSTEXT(t) if t.severity == MavSeverity::MAV_SEVERITY_CRITICAL => {
            let bytes: &[u8] = t.text.as_ref();
            let end = bytes.iter().position(|b| *b == 0).unwrap_or(bytes.len());
            Some(String::from_utf8_lossy(&bytes[..end]).into_owned())
        }
        _ => None,
    }
}

/// PX4's answer to an item it ignores: a critical STATUSTEXT `text`, then MAV_MISSION_ERROR.
fn is_critical_then_error(out: &[MavMessage], text: &str) -> bool {
    match out {
        [status, ack] => {
            critical_text(status).as_deref() == Some(text) && is_error(std::slice::from_ref(ack))
        }
        _ => false,
    }
}

#[test]
fn an_item_after_the_upload_ended_is_answered_with_an_error() {
    // The upload completed: any item but its last is a stray (PX4: "No transfer").
    let mut s = uploading(GCS, 3, 3);
    let stored = s.list(MissionType::Mission).to_vec();
    for seq in [0, 1, 3, 7] {
        assert!(
            is_critical_then_error(&send_item(&mut s, GCS, seq), ITEM_NO_TRANSFER),
            "item {seq}"
        );
    }
    assert_eq!(s.list(MissionType::Mission), &stored[..], "nothing stored");
    // A later upload starts as usual.
    let c = MavMessage::MISSION_COUNT(MISSION_COUNT_DATA {
        count: 1,
        target_system: 1,
        mission_type: MavMissionType::MAV_MISSION_TYPE_MISSION,
        ..Default::default()
    });
    assert!(matches!(
        &s.on_message(ME, GCS, &c, Instant::now())[..],
        [MavMessage::MISSION_REQUEST_INT(r)] if r.seq == 0
    ));

    // An upload that failed leaves no upload to acknowledge again: its items are strays.
    let mut s = uploading(GCS, 3, 1);
    let mut bad = to_wire(&item(1), ME).unwrap();
    bad.command = gcs_link::mavlink::dialects::common::MavCmd::MAV_CMD_NAV_RALLY_POINT;
    assert!(matches!(
        &s.on_message(ME, GCS, &MavMessage::MISSION_ITEM_INT(bad), Instant::now())[..],
        [MavMessage::MISSION_ACK(a)] if a.mavtype == MavMissionResult::MAV_MISSION_UNSUPPORTED
    ));
    assert!(is_critical_then_error(
        &send_item(&mut s, GCS, 1),
        ITEM_NO_TRANSFER
    ));

    // After a download, too.
    let mut s = downloading();
    for seq in 0..3 {
        assert!(is_item(&request(&mut s, seq), seq));
    }
    let done = MavMessage::MISSION_ACK(MISSION_ACK_DATA {
        target_system: 1,
        mavtype: MavMissionResult::MAV_MISSION_ACCEPTED,
        mission_type: MavMissionType::MAV_MISSION_TYPE_MISSION,
        ..Default::default()
    });
    assert!(s.on_message(ME, GCS, &done, Instant::now()).is_empty());
    assert!(is_critical_then_error(
        &send_item(&mut s, GCS, 0),
        ITEM_NO_TRANSFER
    ));
}

#[test]
fn an_item_during_a_download_is_answered_busy_and_the_download_goes_on() {
    let mut s = downloading();
    assert!(is_item(&request(&mut s, 0), 0));
    assert!(is_critical_then_error(
        &send_item(&mut s, GCS, 0),
        ITEM_BUSY
    ));
    assert!(is_item(&request(&mut s, 1), 1));
}

#[test]
fn an_item_from_another_ground_station_gets_no_ack() {
    let other = VehicleId {
        sysid: 254,
        compid: 190,
    };
    // PX4 answers only its transfer partner, even when idle: a vehicle that never
    // transferred a plan has none, so it only says so.
    let mut s = MissionServer::default();
    let out = send_item(&mut s, GCS, 0);
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(
        critical_text(&out[0]).as_deref(),
        Some(ITEM_PARTNER_MISMATCH)
    );

    // During an upload, and after it, another ground station's items change nothing.
    let mut s = uploading(GCS, 2, 1);
    let out = send_item(&mut s, other, 1);
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(
        critical_text(&out[0]).as_deref(),
        Some(ITEM_PARTNER_MISMATCH)
    );
    assert!(matches!(
        &send_item(&mut s, GCS, 1)[..],
        [MavMessage::MISSION_ACK(a)] if a.mavtype == MavMissionResult::MAV_MISSION_ACCEPTED
    ));
    let out = send_item(&mut s, other, 0);
    assert_eq!(
        critical_text(&out[0]).as_deref(),
        Some(ITEM_PARTNER_MISMATCH)
    );
    assert_eq!(out.len(), 1, "{out:?}");
}

#[test]
fn an_item_of_another_list_is_an_error_but_the_upload_goes_on() {
    let mut s = uploading(GCS, 2, 1);
    let mut fence = to_wire(&item(1), ME).unwrap();
    fence.mission_type = MavMissionType::MAV_MISSION_TYPE_FENCE;
    let out = s.on_message(
        ME,
        GCS,
        &MavMessage::MISSION_ITEM_INT(fence),
        Instant::now(),
    );
    assert!(is_error(&out), "{out:?}");
    assert!(matches!(
        &send_item(&mut s, GCS, 1)[..],
        [MavMessage::MISSION_ACK(a)] if a.mavtype == MavMissionResult::MAV_MISSION_ACCEPTED
    ));
    assert_eq!(s.list(MissionType::Mission).len(), 2);
}

/// `Some((int, seq))` when `out` is one request: `int` for MISSION_REQUEST_INT, false
/// for the old MISSION_REQUEST.
#[allow(deprecated)] // MISSION_REQUEST: what PX4 sends outside `_int_mode`.
fn requested(out: &[MavMessage]) -> Option<(bool, u16)> {
    match out {
        [MavMessage::MISSION_REQUEST_INT(r)] => Some((true, r.seq)),
        [MavMessage::MISSION_REQUEST(r)] => Some((false, r.seq)),
        _ => None,
    }
}

fn count_msg(t: MavMissionType, count: u16) -> MavMessage {
    MavMessage::MISSION_COUNT(MISSION_COUNT_DATA {
        count,
        target_system: 1,
        target_component: 1,
        mission_type: t,
        opaque_id: 0,
    })
}

fn list_msg(t: MavMissionType) -> MavMessage {
    MavMessage::MISSION_REQUEST_LIST(MISSION_REQUEST_LIST_DATA {
        target_system: 1,
        target_component: 1,
        mission_type: t,
    })
}

fn ack_msg(t: MavMissionType, r: MavMissionResult) -> MavMessage {
    MavMessage::MISSION_ACK(MISSION_ACK_DATA {
        target_system: 1,
        target_component: 1,
        mavtype: r,
        mission_type: t,
        opaque_id: 0,
    })
}

/// The ground station's MISSION_ACK at the end of a download of list `t`: no answer.
fn end_download(s: &mut MissionServer, t: MavMissionType, now: Instant) {
    let done = ack_msg(t, MavMissionResult::MAV_MISSION_ACCEPTED);
    assert!(s.on_message(ME, GCS, &done, now).is_empty());
}

/// The result of `out` when it is one MISSION_ACK of list `t` to the ground station.
fn acked(out: &[MavMessage], t: MavMissionType) -> Option<MavMissionResult> {
    match out {
        [MavMessage::MISSION_ACK(a)] if a.mission_type == t && a.target_system == GCS.sysid => {
            Some(a.mavtype)
        }
        _ => None,
    }
}

/// The count of `out` when it is one MISSION_COUNT of list `t`.
fn counted(out: &[MavMessage], t: MavMissionType) -> Option<u16> {
    match out {
        [MavMessage::MISSION_COUNT(c)] if c.mission_type == t => Some(c.count),
        _ => None,
    }
}

const MISSION: MavMissionType = MavMissionType::MAV_MISSION_TYPE_MISSION;

/// The probe's four-item mission: take-off, two waypoints, return.
fn patrol() -> Vec<MissionItemInt> {
    let mut items: Vec<_> = (0..3).map(item).collect();
    items[0].command = 22; // NAV_TAKEOFF
    let mut rtl = MissionItemInt::waypoint(3, 0, 0, 0.0);
    rtl.command = 20; // NAV_RETURN_TO_LAUNCH
    rtl.frame = 2; // MAV_FRAME_MISSION
    items.push(rtl);
    items
}

/// Sends `items` (as MISSION_ITEM_INT) one by one; returns the last reply.
fn send_all(s: &mut MissionServer, items: &[MissionItemInt], now: Instant) -> Vec<MavMessage> {
    let mut out = Vec::new();
    for i in items {
        let w = MavMessage::MISSION_ITEM_INT(to_wire(i, ME).unwrap());
        out = s.on_message(ME, GCS, &w, now);
    }
    out
}

#[test]
fn a_fresh_vehicle_requests_with_the_old_mission_request_until_an_int_item_comes() {
    let mut s = MissionServer::default();
    assert!(!s.int_mode(), "PX4 boots out of _int_mode");
    let t0 = Instant::now();
    let items = patrol();
    let out = s.on_message(ME, GCS, &count_msg(MISSION, 4), t0);
    assert_eq!(requested(&out), Some((false, 0)), "{out:?}");
    // Item 2 while 0 is expected: no error ACK, nothing stored, PX4 drops it...
    let w = MavMessage::MISSION_ITEM_INT(to_wire(&items[2], ME).unwrap());
    assert!(s.on_message(ME, GCS, &w, t0).is_empty());
    assert!(s.int_mode(), "any MISSION_ITEM_INT turns _int_mode on");
    // ... and asks for item 0 again on its retry timer, now as MISSION_REQUEST_INT.
    assert!(s.on_tick(t0 + RETRY_TIMEOUT / 2).is_empty());
    let out = s.on_tick(t0 + RETRY_TIMEOUT);
    assert_eq!(requested(&out), Some((true, 0)), "{out:?}");
    // The ground station starts over: MISSION_COUNT again before any item is a lost
    // request, answered with the request again.
    let out = s.on_message(ME, GCS, &count_msg(MISSION, 4), t0);
    assert_eq!(requested(&out), Some((true, 0)), "{out:?}");
    for (n, i) in items.iter().enumerate().take(3) {
        let w = MavMessage::MISSION_ITEM_INT(to_wire(i, ME).unwrap());
        let out = s.on_message(ME, GCS, &w, t0);
        assert_eq!(requested(&out), Some((true, n as u16 + 1)), "{out:?}");
    }
    let out = send_all(&mut s, &items[3..], t0);
    assert_eq!(
        acked(&out, MISSION),
        Some(MavMissionResult::MAV_MISSION_ACCEPTED)
    );
    assert_eq!(s.list(MissionType::Mission), &items[..]);
    // _int_mode outlives the transfer: the next upload asks with MISSION_REQUEST_INT.
    let out = s.on_message(ME, GCS, &count_msg(MISSION, 1), t0);
    assert_eq!(requested(&out), Some((true, 0)), "{out:?}");
}

#[test]
fn an_item_out_of_order_mid_upload_is_dropped_and_the_upload_goes_on() {
    let mut s = uploading(GCS, 4, 2);
    let t = Instant::now();
    // Ahead of the expected item 2, and behind it: neither is an error.
    assert!(send_item(&mut s, GCS, 3).is_empty());
    assert!(send_item(&mut s, GCS, 0).is_empty());
    let out = s.on_tick(t + RETRY_TIMEOUT + Duration::from_millis(1));
    assert_eq!(requested(&out), Some((true, 2)), "{out:?}");
    assert_eq!(requested(&send_item(&mut s, GCS, 2)), Some((true, 3)));
    assert_eq!(
        acked(&send_item(&mut s, GCS, 3), MISSION),
        Some(MavMissionResult::MAV_MISSION_ACCEPTED)
    );
    let seqs: Vec<u16> = s.list(MissionType::Mission).iter().map(|i| i.seq).collect();
    assert_eq!(seqs, [0, 1, 2, 3]);
}

#[allow(deprecated)] // MISSION_REQUEST and MISSION_ITEM: the old float messages.
#[test]
fn int_mode_follows_what_the_ground_station_sends() {
    use gcs_link::mavlink::dialects::common::{MISSION_REQUEST_DATA, MavFrame};
    let mut s = MissionServer::default();
    let t = Instant::now();
    s.store(MissionType::Mission, vec![item(0)]);
    // MISSION_REQUEST_LIST leaves it off: an old MISSION_REQUEST gets the old float item.
    assert_eq!(
        counted(&s.on_message(ME, GCS, &list_msg(MISSION), t), MISSION),
        Some(1)
    );
    assert!(!s.int_mode());
    let old = MavMessage::MISSION_REQUEST(MISSION_REQUEST_DATA {
        seq: 0,
        target_system: 1,
        target_component: 1,
        mission_type: MISSION,
    });
    let out = s.on_message(ME, GCS, &old, t);
    let [MavMessage::MISSION_ITEM(i)] = &out[..] else {
        panic!("{out:?}")
    };
    assert_eq!(i.seq, 0);
    assert_eq!(i.frame, MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT);
    assert!((f64::from(i.x) - 1e-7).abs() < 1e-9, "degrees: {}", i.x);
    assert_eq!(i.z, 3.0);
    end_download(&mut s, MISSION, t);

    // MISSION_REQUEST_INT turns it on, for downloads and the next upload alike.
    assert_eq!(
        counted(&s.on_message(ME, GCS, &list_msg(MISSION), t), MISSION),
        Some(1)
    );
    assert!(is_item(&request(&mut s, 0), 0));
    assert!(s.int_mode());
    end_download(&mut s, MISSION, t);
    let out = s.on_message(ME, GCS, &count_msg(MISSION, 2), t);
    assert_eq!(requested(&out), Some((true, 0)));
    // A partner that cannot take it answers MAV_MISSION_UNSUPPORTED: PX4 flips the mode
    // and asks again, each time.
    let unsupported = ack_msg(MISSION, MavMissionResult::MAV_MISSION_UNSUPPORTED);
    assert_eq!(
        requested(&s.on_message(ME, GCS, &unsupported, t)),
        Some((false, 0))
    );
    assert_eq!(
        requested(&s.on_message(ME, GCS, &unsupported, t)),
        Some((true, 0))
    );
    // The old MISSION_REQUEST turns it off again, even one addressed to no transfer.
    assert!(s.on_message(ME, GCS, &old, t).is_empty());
    assert!(!s.int_mode());
}

#[test]
fn mission_current_leaves_the_mission_state_unknown_as_px4_does() {
    let unpack = |m: MavMessage| match m {
        MavMessage::MISSION_CURRENT(c) => c,
        other => panic!("{other:?}"),
    };
    let mut s = MissionServer::default();
    // No mission: PX4 says total UINT16_MAX, and no state.
    let c = unpack(s.mission_current());
    assert_eq!((c.seq, c.total), (0, u16::MAX));
    assert_eq!(c.mission_state, MissionState::MISSION_STATE_UNKNOWN);
    assert_eq!(c.mission_id, 0);

    let t = Instant::now();
    s.on_message(ME, GCS, &count_msg(MISSION, 4), t);
    let out = send_all(&mut s, &patrol(), t);
    assert_eq!(
        acked(&out, MISSION),
        Some(MavMissionResult::MAV_MISSION_ACCEPTED)
    );
    // After an upload: item 0 of 4, still no state (PX4 v1.15 never fills it in, in
    // any flight mode), mission_mode 0.
    let c = unpack(s.mission_current());
    assert_eq!((c.seq, c.total), (0, 4));
    assert_eq!(c.mission_state, MissionState::MISSION_STATE_UNKNOWN);
    assert_eq!(c.mission_mode, 0);
    assert_eq!(c.mission_id, s.id(MissionType::Mission));
}

#[test]
fn a_request_out_of_range_ends_the_download_until_the_next_request_list() {
    let mut s = MissionServer::default();
    let t = Instant::now();
    s.store(MissionType::Mission, patrol());
    assert_eq!(
        counted(&s.on_message(ME, GCS, &list_msg(MISSION), t), MISSION),
        Some(4)
    );
    assert!(is_error(&request(&mut s, 99)));
    for seq in 0..4 {
        assert!(
            request(&mut s, seq).is_empty(),
            "item {seq} after the error"
        );
    }
    end_download(&mut s, MISSION, t);
    assert_eq!(
        counted(&s.on_message(ME, GCS, &list_msg(MISSION), t), MISSION),
        Some(4)
    );
    for seq in 0..4 {
        assert!(is_item(&request(&mut s, seq), seq));
    }
}

#[test]
fn too_many_items_are_refused_with_no_space_and_the_plan_is_kept() {
    let t = Instant::now();
    let lists = [
        (MISSION, MissionType::Mission, 10_000),
        (
            MavMissionType::MAV_MISSION_TYPE_FENCE,
            MissionType::Fence,
            64,
        ),
        (
            MavMissionType::MAV_MISSION_TYPE_RALLY,
            MissionType::Rally,
            32,
        ),
    ];
    for (mt, t_, max) in lists {
        assert_eq!(
            MAX_ITEMS[index(t_)],
            usize::from(max),
            "PX4 SITL's {t_:?} limit"
        );
        let mut s = MissionServer::default();
        s.store(MissionType::Mission, patrol());
        for count in [max + 1, 65_000] {
            let out = s.on_message(ME, GCS, &count_msg(mt, count), t);
            assert_eq!(
                acked(&out, mt),
                Some(MavMissionResult::MAV_MISSION_NO_SPACE),
                "{t_:?} {count}: {out:?}"
            );
        }
        assert_eq!(s.list(MissionType::Mission), &patrol()[..], "mission kept");
        assert_eq!(
            counted(&s.on_message(ME, GCS, &list_msg(MISSION), t), MISSION),
            Some(4)
        );
        end_download(&mut s, MISSION, t);
        // Exactly the limit starts the upload.
        let out = s.on_message(ME, GCS, &count_msg(mt, max), t);
        assert_eq!(requested(&out), Some((false, 0)), "{t_:?}: {out:?}");
    }
}

#[test]
fn fence_and_rally_upload_download_and_clear() {
    let fence_t = MavMissionType::MAV_MISSION_TYPE_FENCE;
    let rally_t = MavMissionType::MAV_MISSION_TYPE_RALLY;
    let t = Instant::now();
    let mut s = MissionServer::default();
    s.store(MissionType::Mission, patrol());
    let fence: Vec<MissionItemInt> = [(-1, -1), (-1, 1), (1, 1), (1, -1)]
        .iter()
        .enumerate()
        .map(|(n, (a, b))| MissionItemInt {
            command: 5001, // NAV_FENCE_POLYGON_VERTEX_INCLUSION
            frame: 0,
            param1: 4.0,
            mission_type: MissionType::Fence,
            ..MissionItemInt::waypoint(n as u16, a * 100_000, b * 100_000, 0.0)
        })
        .collect();
    let rally = vec![MissionItemInt {
        command: 5100, // NAV_RALLY_POINT
        mission_type: MissionType::Rally,
        ..MissionItemInt::waypoint(0, 1000, 2000, 20.0)
    }];
    for (mt, t_, items) in [
        (fence_t, MissionType::Fence, &fence),
        (rally_t, MissionType::Rally, &rally),
    ] {
        let out = s.on_message(ME, GCS, &count_msg(mt, items.len() as u16), t);
        assert!(requested(&out).is_some(), "{out:?}");
        let out = send_all(&mut s, items, t);
        assert_eq!(
            acked(&out, mt),
            Some(MavMissionResult::MAV_MISSION_ACCEPTED)
        );
        assert_eq!(s.list(t_), &items[..]);
        let n = counted(&s.on_message(ME, GCS, &list_msg(mt), t), mt);
        assert_eq!(n, Some(items.len() as u16));
        end_download(&mut s, mt, t);
    }
    for mt in [rally_t, fence_t] {
        let clear = MavMessage::MISSION_CLEAR_ALL(
            gcs_link::mavlink::dialects::common::MISSION_CLEAR_ALL_DATA {
                target_system: 1,
                target_component: 1,
                mission_type: mt,
            },
        );
        let out = s.on_message(ME, GCS, &clear, t);
        assert_eq!(
            acked(&out, mt),
            Some(MavMissionResult::MAV_MISSION_ACCEPTED)
        );
        assert_eq!(
            counted(&s.on_message(ME, GCS, &list_msg(mt), t), mt),
            Some(0)
        );
        end_download(&mut s, mt, t);
    }
    assert_eq!(
        s.list(MissionType::Mission),
        &patrol()[..],
        "the mission stays"
    );
}
