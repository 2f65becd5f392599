//! The mission server answers as PX4's mavlink_mission.cpp does.

use super::*;
use gcs_link::mavlink::dialects::common::MISSION_REQUEST_LIST_DATA;

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
    assert!(matches!(
        &s.on_message(ME, from, &c, now)[..],
        [MavMessage::MISSION_REQUEST_INT(r)] if r.seq == 0
    ));
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
    assert!(matches!(
        &send_item(&mut s, GCS, 2)[..],
        [MavMessage::MISSION_ACK(a)] if a.mavtype == MavMissionResult::MAV_MISSION_INVALID_SEQUENCE
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
