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
    // Any other item outside a transfer gets no answer.
    assert!(send(&mut s, 0).is_empty());
}
