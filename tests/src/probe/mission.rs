//! The mission protocol: upload (request type, an out-of-order item, too many items),
//! download (an out-of-range request, the round trip), MISSION_CURRENT, fence, rally
//! and clearing. Leaves the flight phase's mission on the vehicle.

use std::time::Duration;

use gcs_link::mavlink::dialects::common::*;

use super::observation::Tolerance;
use super::{Probe, ProbeError, phase_error};

/// Take-off and cruise altitude of the probe's mission, metres above home.
pub(super) const MISSION_ALT_M: f32 = 20.0;
/// The first waypoint: this far north of home, metres.
pub(super) const LEG1_NORTH_M: f64 = 120.0;
/// The second waypoint: this far east of the first, metres (flown at [`LEG2_SPEED_MPS`]).
pub(super) const LEG2_EAST_M: f64 = 200.0;
/// The speed the mission commands for the second leg (DO_CHANGE_SPEED), m/s.
pub(super) const LEG2_SPEED_MPS: f32 = 12.0;

const REPLY: Duration = Duration::from_secs(1);

/// Home (degE7) from the latest position.
pub(super) fn home(p: &Probe) -> (i32, i32) {
    p.link
        .log
        .position
        .as_ref()
        .map_or((0, 0), |pos| (pos.lat, pos.lon))
}

/// `north_m`, `east_m` from `home`, degE7.
pub(super) fn offset(home: (i32, i32), north_m: f64, east_m: f64) -> (i32, i32) {
    let lat = f64::from(home.0) / 1e7;
    let dlat = north_m / 111_320.0;
    let dlon = east_m / (111_320.0 * lat.to_radians().cos());
    (
        home.0 + (dlat * 1e7).round() as i32,
        home.1 + (dlon * 1e7).round() as i32,
    )
}

fn item(
    seq: u16,
    command: MavCmd,
    frame: MavFrame,
    mission_type: MavMissionType,
    (x, y): (i32, i32),
    z: f32,
    param1: f32,
) -> MISSION_ITEM_INT_DATA {
    MISSION_ITEM_INT_DATA {
        param1,
        param2: 0.0,
        param3: 0.0,
        param4: f32::NAN,
        x,
        y,
        z,
        seq,
        command,
        target_system: 1,
        target_component: 1,
        frame,
        current: 0,
        autocontinue: 1,
        mission_type,
    }
}

/// Take-off, a waypoint at the default speed, a DO_CHANGE_SPEED, a waypoint at that
/// speed, return: the mission the flight phase flies.
pub(super) fn patrol(home: (i32, i32)) -> Vec<MISSION_ITEM_INT_DATA> {
    use MavCmd::*;
    let rel = MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT;
    let m = MavMissionType::MAV_MISSION_TYPE_MISSION;
    let wp1 = offset(home, LEG1_NORTH_M, 0.0);
    let wp2 = offset(home, LEG1_NORTH_M, LEG2_EAST_M);
    let mut speed = item(
        2,
        MAV_CMD_DO_CHANGE_SPEED,
        MavFrame::MAV_FRAME_MISSION,
        m,
        (0, 0),
        0.0,
        1.0,
    );
    speed.param2 = LEG2_SPEED_MPS;
    speed.param3 = -1.0;
    vec![
        item(0, MAV_CMD_NAV_TAKEOFF, rel, m, home, MISSION_ALT_M, 0.0),
        item(1, MAV_CMD_NAV_WAYPOINT, rel, m, wp1, MISSION_ALT_M, 0.0),
        speed,
        item(3, MAV_CMD_NAV_WAYPOINT, rel, m, wp2, MISSION_ALT_M, 0.0),
        item(
            4,
            MAV_CMD_NAV_RETURN_TO_LAUNCH,
            MavFrame::MAV_FRAME_MISSION,
            m,
            (0, 0),
            0.0,
            0.0,
        ),
    ]
}

pub(super) async fn run(p: &mut Probe) -> Result<(), ProbeError> {
    p.say("mission: upload, download, fence, rally");
    let mut items = patrol(home(p));
    let target = p.link.vehicle.unwrap_or(1);
    for i in &mut items {
        i.target_system = target;
    }
    let mission = MavMissionType::MAV_MISSION_TYPE_MISSION;

    // The first request, then an item out of order.
    send_count(p, mission, items.len() as u16).await;
    let first = reply(p).await;
    p.text("mission.upload.first_request", first);
    p.link
        .send(&MavMessage::MISSION_ITEM_INT(items[2].clone()))
        .await;
    let after = reply(p).await;
    p.text("mission.upload.out_of_order.reply", after);
    let ack = upload(p, mission, &items).await;
    p.text("mission.upload.ack", ack);

    let current = p
        .link
        .wait_for(Duration::from_secs(3), |rx| match &rx.msg {
            Some(MavMessage::MISSION_CURRENT(c)) => Some(c.clone()),
            _ => None,
        })
        .await;
    match current {
        Some(c) => {
            p.num(
                "mission.current.after_upload.seq",
                f64::from(c.seq),
                Tolerance::EXACT,
            );
            p.num(
                "mission.current.after_upload.total",
                f64::from(c.total),
                Tolerance::EXACT,
            );
            p.text(
                "mission.current.after_upload.state",
                format!("{:?}", c.mission_state),
            );
        }
        None => p.text("mission.current.after_upload.seq", "none"),
    }

    // Download: the count, an index out of range, then the items back.
    let count = request_count(p, mission).await;
    p.text(
        "mission.download.count",
        count.map_or("none".into(), |c| c.to_string()),
    );
    request_item(p, mission, 99).await;
    let r = reply(p).await;
    p.text("mission.download.out_of_range.reply", r);
    let back = download_items(p, mission, count.unwrap_or(0)).await;
    p.text(
        "mission.download.after_out_of_range",
        round_trip(&items, &back),
    );
    let count = request_count(p, mission).await;
    let back = download_items(p, mission, count.unwrap_or(0)).await;
    p.text("mission.download.round_trip", round_trip(&items, &back));

    // Too many items (PX4 SITL holds 10,000): refused, the mission kept.
    send_count(p, mission, 65000).await;
    let r = reply(p).await;
    p.text("mission.upload.too_many.reply", r);
    let kept = request_count(p, mission).await;
    p.text(
        "mission.after_too_many.count",
        kept.map_or("none".into(), |c| c.to_string()),
    );
    ack_download(p, mission).await;

    fence_and_rally(p).await;
    if kept != Some(items.len() as u16) {
        let ack = upload(p, mission, &items).await;
        if ack != "MISSION_ACK MAV_MISSION_ACCEPTED" {
            return Err(phase_error(
                "mission",
                format!("the flight's mission was not accepted: {ack}"),
            ));
        }
    }
    Ok(())
}

/// "equal", or the first field that came back different.
fn round_trip(sent: &[MISSION_ITEM_INT_DATA], back: &[MISSION_ITEM_INT_DATA]) -> String {
    if sent.len() != back.len() {
        return format!("{} items back of {}", back.len(), sent.len());
    }
    for (a, b) in sent.iter().zip(back) {
        let diff = if a.command != b.command {
            format!("command {:?}", b.command)
        } else if a.frame != b.frame {
            format!("frame {:?}", b.frame)
        } else if (a.x, a.y) != (b.x, b.y) {
            format!("position {},{}", b.x, b.y)
        } else if (a.z - b.z).abs() > 0.01 {
            format!("z {}", b.z)
        } else if a.autocontinue != b.autocontinue {
            format!("autocontinue {}", b.autocontinue)
        } else {
            continue;
        };
        return format!("seq {}: {diff}", a.seq);
    }
    "equal".into()
}

async fn fence_and_rally(p: &mut Probe) {
    let home = home(p);
    let fence_t = MavMissionType::MAV_MISSION_TYPE_FENCE;
    let corners = [
        (-1000.0, -1000.0),
        (-1000.0, 1000.0),
        (1000.0, 1000.0),
        (1000.0, -1000.0),
    ];
    let fence: Vec<_> = corners
        .iter()
        .enumerate()
        .map(|(i, (n, e))| {
            item(
                i as u16,
                MavCmd::MAV_CMD_NAV_FENCE_POLYGON_VERTEX_INCLUSION,
                MavFrame::MAV_FRAME_GLOBAL,
                fence_t,
                offset(home, *n, *e),
                0.0,
                4.0,
            )
        })
        .collect();
    let ack = upload(p, fence_t, &fence).await;
    p.text("fence.upload.ack", ack);
    let c = request_count(p, fence_t).await;
    p.text(
        "fence.download.count",
        c.map_or("none".into(), |c| c.to_string()),
    );
    ack_download(p, fence_t).await;

    let rally_t = MavMissionType::MAV_MISSION_TYPE_RALLY;
    let rally = vec![item(
        0,
        MavCmd::MAV_CMD_NAV_RALLY_POINT,
        MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT,
        rally_t,
        offset(home, 0.0, 50.0),
        20.0,
        0.0,
    )];
    let ack = upload(p, rally_t, &rally).await;
    p.text("rally.upload.ack", ack);
    let c = request_count(p, rally_t).await;
    p.text(
        "rally.download.count",
        c.map_or("none".into(), |c| c.to_string()),
    );
    ack_download(p, rally_t).await;

    // Clearing: rally and fence go, so that Return flies home.
    for (t, name) in [(rally_t, "rally"), (fence_t, "fence")] {
        let target = p.link.vehicle.unwrap_or(1);
        p.link
            .send(&MavMessage::MISSION_CLEAR_ALL(MISSION_CLEAR_ALL_DATA {
                target_system: target,
                target_component: 1,
                mission_type: t,
            }))
            .await;
        let r = reply(p).await;
        p.text(format!("{name}.clear.reply"), r);
        let c = request_count(p, t).await;
        p.text(
            format!("{name}.after_clear.count"),
            c.map_or("none".into(), |c| c.to_string()),
        );
        ack_download(p, t).await;
    }
}

async fn send_count(p: &mut Probe, mission_type: MavMissionType, count: u16) {
    let target = p.link.vehicle.unwrap_or(1);
    p.link
        .send(&MavMessage::MISSION_COUNT(MISSION_COUNT_DATA {
            count,
            target_system: target,
            target_component: 1,
            mission_type,
            opaque_id: 0,
        }))
        .await;
}

/// The vehicle's next mission-protocol message, named: "MISSION_REQUEST_INT 0",
/// "MISSION_ACK MAV_MISSION_ACCEPTED", … or "none" within a second.
#[allow(deprecated)] // PX4 may answer with the old MISSION_REQUEST; the probe must see it.
async fn reply(p: &mut Probe) -> String {
    p.link
        .wait_for(REPLY, |rx| match &rx.msg {
            Some(MavMessage::MISSION_REQUEST_INT(r)) => {
                Some(format!("MISSION_REQUEST_INT {}", r.seq))
            }
            Some(MavMessage::MISSION_REQUEST(r)) => Some(format!("MISSION_REQUEST {}", r.seq)),
            Some(MavMessage::MISSION_ACK(a)) => Some(format!("MISSION_ACK {:?}", a.mavtype)),
            Some(MavMessage::MISSION_ITEM_INT(i)) => Some(format!("MISSION_ITEM_INT {}", i.seq)),
            Some(MavMessage::MISSION_COUNT(c)) => Some(format!("MISSION_COUNT {}", c.count)),
            _ => None,
        })
        .await
        .unwrap_or_else(|| "none".into())
}

/// Uploads `items` (restarting on a stall), answering each request; names the final ACK.
#[allow(deprecated)] // answers the old MISSION_REQUEST too
async fn upload(
    p: &mut Probe,
    mission_type: MavMissionType,
    items: &[MISSION_ITEM_INT_DATA],
) -> String {
    let target = p.link.vehicle.unwrap_or(1);
    for _attempt in 0..3 {
        send_count(p, mission_type, items.len() as u16).await;
        loop {
            let got = p
                .link
                .wait_for(Duration::from_secs(2), |rx| match &rx.msg {
                    Some(MavMessage::MISSION_REQUEST_INT(r)) if r.mission_type == mission_type => {
                        Some(Ok(r.seq))
                    }
                    Some(MavMessage::MISSION_REQUEST(r)) if r.mission_type == mission_type => {
                        Some(Ok(r.seq))
                    }
                    Some(MavMessage::MISSION_ACK(a)) if a.mission_type == mission_type => {
                        Some(Err(format!("MISSION_ACK {:?}", a.mavtype)))
                    }
                    _ => None,
                })
                .await;
            match got {
                Some(Ok(seq)) => {
                    if let Some(it) = items.get(usize::from(seq)) {
                        let mut it = it.clone();
                        it.target_system = target;
                        p.link.send(&MavMessage::MISSION_ITEM_INT(it)).await;
                    }
                }
                Some(Err(ack)) => return ack,
                None => break,
            }
        }
    }
    "none".into()
}

async fn request_count(p: &mut Probe, mission_type: MavMissionType) -> Option<u16> {
    let target = p.link.vehicle.unwrap_or(1);
    for _ in 0..3 {
        p.link
            .send(&MavMessage::MISSION_REQUEST_LIST(
                MISSION_REQUEST_LIST_DATA {
                    target_system: target,
                    target_component: 1,
                    mission_type,
                },
            ))
            .await;
        let c = p
            .link
            .wait_for(REPLY, |rx| match &rx.msg {
                Some(MavMessage::MISSION_COUNT(c)) if c.mission_type == mission_type => {
                    Some(c.count)
                }
                _ => None,
            })
            .await;
        if c.is_some() {
            return c;
        }
    }
    None
}

async fn request_item(p: &mut Probe, mission_type: MavMissionType, seq: u16) {
    let target = p.link.vehicle.unwrap_or(1);
    p.link
        .send(&MavMessage::MISSION_REQUEST_INT(MISSION_REQUEST_INT_DATA {
            seq,
            target_system: target,
            target_component: 1,
            mission_type,
        }))
        .await;
}

async fn download_items(
    p: &mut Probe,
    mission_type: MavMissionType,
    count: u16,
) -> Vec<MISSION_ITEM_INT_DATA> {
    let mut out = Vec::new();
    for seq in 0..count {
        let mut got = None;
        for _ in 0..3 {
            request_item(p, mission_type, seq).await;
            got = p
                .link
                .wait_for(REPLY, |rx| match &rx.msg {
                    Some(MavMessage::MISSION_ITEM_INT(i))
                        if i.seq == seq && i.mission_type == mission_type =>
                    {
                        Some(i.clone())
                    }
                    _ => None,
                })
                .await;
            if got.is_some() {
                break;
            }
        }
        match got {
            Some(i) => out.push(i),
            None => break,
        }
    }
    ack_download(p, mission_type).await;
    out
}

async fn ack_download(p: &mut Probe, mission_type: MavMissionType) {
    let target = p.link.vehicle.unwrap_or(1);
    p.link
        .send(&MavMessage::MISSION_ACK(MISSION_ACK_DATA {
            target_system: target,
            target_component: 1,
            mavtype: MavMissionResult::MAV_MISSION_ACCEPTED,
            mission_type,
            opaque_id: 0,
        }))
        .await;
}
