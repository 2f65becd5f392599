//! The transfer state machine with a fake clock and a scripted vehicle: no sockets.

use std::time::{Duration, Instant};

use mavlink::dialects::common::*;

use super::transfer::{MissionTransfer, Operation};
use super::wire::{mav_mission_type, to_wire};
use super::{MissionError, MissionItemInt, MissionResult, MissionType, Outcome, RttEstimator};
use crate::vehicle::VehicleId;

const V: VehicleId = VehicleId {
    sysid: 1,
    compid: 1,
};

fn rtt() -> RttEstimator {
    RttEstimator::new(
        Duration::from_millis(500),
        Duration::from_millis(100),
        Duration::from_secs(5),
    )
}

fn items(n: u16) -> Vec<MissionItemInt> {
    (0..n)
        .map(|seq| MissionItemInt::waypoint(seq, 1, 2, 3.0))
        .collect()
}

/// A mission upload of `n` items to [`V`] from GCS 255, five tries per message.
fn upload(n: u16, t0: Instant) -> (MissionTransfer, Vec<MavMessage>) {
    MissionTransfer::start(
        V,
        255,
        MissionType::Mission,
        Operation::Upload(items(n)),
        rtt(),
        5,
        t0,
    )
}

fn ack(result: MavMissionResult) -> MavMessage {
    MavMessage::MISSION_ACK(MISSION_ACK_DATA {
        target_system: 255,
        target_component: 190,
        mavtype: result,
        mission_type: MavMissionType::MAV_MISSION_TYPE_MISSION,
        opaque_id: 77,
    })
}

#[allow(deprecated)]
fn legacy_request(seq: u16) -> MavMessage {
    MavMessage::MISSION_REQUEST(MISSION_REQUEST_DATA {
        seq,
        target_system: 255,
        target_component: 190,
        mission_type: MavMissionType::MAV_MISSION_TYPE_MISSION,
    })
}

fn request(seq: u16) -> MavMessage {
    MavMessage::MISSION_REQUEST_INT(MISSION_REQUEST_INT_DATA {
        seq,
        target_system: 255,
        target_component: 190,
        mission_type: MavMissionType::MAV_MISSION_TYPE_MISSION,
    })
}

#[test]
fn upload_answers_legacy_requests_and_ignores_an_early_accept() {
    let t0 = Instant::now();
    let (mut t, out) = upload(3, t0);
    assert!(matches!(
        out[0],
        MavMessage::MISSION_COUNT(MISSION_COUNT_DATA { count: 3, .. })
    ));
    let out = t.on_message(&legacy_request(0), t0);
    assert!(matches!(&out[0], MavMessage::MISSION_ITEM_INT(i) if i.seq == 0));
    // A stale ACCEPTED (say from an earlier upload) before the last item: ignored.
    assert!(
        t.on_message(&ack(MavMissionResult::MAV_MISSION_ACCEPTED), t0)
            .is_empty()
    );
    assert!(t.result().is_none());
    t.on_message(&request(1), t0);
    t.on_message(&request(2), t0);
    assert_eq!(t.progress().done, 2);
    t.on_message(&ack(MavMissionResult::MAV_MISSION_ACCEPTED), t0);
    assert_eq!(
        t.take_result(),
        Some(Ok(Outcome::Uploaded {
            opaque_id: Some(77)
        }))
    );
}

#[test]
fn a_late_error_ack_after_the_upload_finished_is_ignored() {
    // PX4 (and the sim) answers an item that arrives once the upload is over, a stray
    // duplicate say, with MAV_MISSION_ERROR: the upload has its result by then.
    let t0 = Instant::now();
    let (mut t, _) = upload(2, t0);
    t.on_message(&request(0), t0);
    t.on_message(&request(1), t0);
    assert!(
        t.on_message(&ack(MavMissionResult::MAV_MISSION_ACCEPTED), t0)
            .is_empty()
    );
    let done = Some(Ok(Outcome::Uploaded {
        opaque_id: Some(77),
    }));
    assert_eq!(t.result(), done.as_ref());
    assert!(
        t.on_message(&ack(MavMissionResult::MAV_MISSION_ERROR), t0)
            .is_empty()
    );
    // A late request (a duplicate) gets no item either, and no timer runs.
    assert!(t.on_message(&request(0), t0).is_empty());
    assert_eq!(t.next_deadline(), None);
    assert_eq!(t.take_result(), done);
    // Once the result was taken, too.
    assert!(
        t.on_message(&ack(MavMissionResult::MAV_MISSION_ERROR), t0)
            .is_empty()
    );
    assert_eq!(t.take_result(), None);
}

#[test]
fn requests_for_another_gcs_or_list_are_ignored() {
    let t0 = Instant::now();
    let (mut t, _) = upload(2, t0);
    let other_gcs = MavMessage::MISSION_REQUEST_INT(MISSION_REQUEST_INT_DATA {
        seq: 0,
        target_system: 254,
        target_component: 190,
        mission_type: MavMissionType::MAV_MISSION_TYPE_MISSION,
    });
    assert!(t.on_message(&other_gcs, t0).is_empty());
    let fence = MavMessage::MISSION_REQUEST_INT(MISSION_REQUEST_INT_DATA {
        seq: 0,
        target_system: 255,
        target_component: 190,
        mission_type: MavMissionType::MAV_MISSION_TYPE_FENCE,
    });
    assert!(t.on_message(&fence, t0).is_empty());
}

#[test]
fn download_skips_duplicates_and_re_requests_on_timeout() {
    let t0 = Instant::now();
    let (mut t, out) = MissionTransfer::start(
        V,
        255,
        MissionType::Mission,
        Operation::Download,
        rtt(),
        5,
        t0,
    );
    assert!(matches!(out[0], MavMessage::MISSION_REQUEST_LIST(_)));
    let count = MavMessage::MISSION_COUNT(MISSION_COUNT_DATA {
        count: 2,
        target_system: 255,
        target_component: 190,
        mission_type: MavMissionType::MAV_MISSION_TYPE_MISSION,
        opaque_id: 9,
    });
    let t1 = t0 + Duration::from_millis(40);
    let out = t.on_message(&count, t1);
    assert!(matches!(&out[0], MavMessage::MISSION_REQUEST_INT(r) if r.seq == 0));
    assert_eq!(
        t.rtt().srtt(),
        Some(Duration::from_millis(40)),
        "sampled from the first answer"
    );
    assert!(
        t.on_message(&count, t1).is_empty(),
        "a duplicate count changes nothing"
    );
    let wire: Vec<MavMessage> = items(2)
        .iter()
        .map(|i| {
            MavMessage::MISSION_ITEM_INT(
                to_wire(
                    i,
                    VehicleId {
                        sysid: 255,
                        compid: 190,
                    },
                )
                .unwrap(),
            )
        })
        .collect();
    // item 1 before item 0 (reordered): ignored until item 0 arrives.
    assert!(t.on_message(&wire[1], t1).is_empty());
    // item 0 is late: the request is repeated after the timeout.
    let out = t.on_tick(t1 + Duration::from_secs(1));
    assert!(matches!(&out[0], MavMessage::MISSION_REQUEST_INT(r) if r.seq == 0));
    t.on_message(&wire[0], t1);
    let out = t.on_message(&wire[1], t1);
    assert!(
        matches!(&out[0], MavMessage::MISSION_ACK(a) if a.mavtype == MavMissionResult::MAV_MISSION_ACCEPTED)
    );
    match t.take_result() {
        Some(Ok(Outcome::Downloaded {
            items: got,
            opaque_id,
        })) => {
            assert_eq!(got.len(), 2);
            assert_eq!(opaque_id, Some(9));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn cancel_tells_the_vehicle_and_ends_the_transfer() {
    let t0 = Instant::now();
    let (mut t, _) = MissionTransfer::start(
        V,
        255,
        MissionType::Rally,
        Operation::Download,
        rtt(),
        5,
        t0,
    );
    let out = t.cancel();
    assert!(matches!(&out[0], MavMessage::MISSION_ACK(a)
        if a.mavtype == MavMissionResult::MAV_MISSION_OPERATION_CANCELLED
        && a.mission_type == mav_mission_type(MissionType::Rally)));
    assert_eq!(t.take_result(), Some(Err(MissionError::Cancelled)));
    assert!(t.cancel().is_empty(), "nothing more once ended");
}

#[test]
fn error_acks_and_bad_input_are_typed() {
    let t0 = Instant::now();
    let (mut t, _) = upload(2, t0);
    t.on_message(&ack(MavMissionResult::MAV_MISSION_NO_SPACE), t0);
    assert!(matches!(
        t.take_result(),
        Some(Err(MissionError::Rejected {
            result: MissionResult::NoSpace,
            ..
        }))
    ));

    let mut bad = items(2);
    bad[1].seq = 5;
    let (mut t, out) = MissionTransfer::start(
        V,
        255,
        MissionType::Mission,
        Operation::Upload(bad),
        rtt(),
        5,
        t0,
    );
    assert!(out.is_empty());
    assert_eq!(
        t.take_result(),
        Some(Err(MissionError::Numbering { index: 1, seq: 5 }))
    );

    let (mut t, _) = MissionTransfer::start(
        V,
        255,
        MissionType::Fence,
        Operation::Upload(items(1)),
        rtt(),
        5,
        t0,
    );
    assert!(matches!(
        t.take_result(),
        Some(Err(MissionError::WrongType { .. }))
    ));
}
