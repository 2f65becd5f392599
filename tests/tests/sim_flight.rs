//! gcs-link flying gcs-sim over real UDP sockets on loopback (ephemeral ports).

use std::time::Duration;

use gcs_link::vehicle::{GpsFix, LandedState};
use gcs_link::{
    CommandError, Event, FlightMode, LatLon, LinkConfig, LinkHandle, Rejection, VehicleCommand,
    VehicleId,
};
use gcs_sim::{DataLinkLossAction, SimConfig};
use geo::{Distance, Haversine, Point};
use vigil_tests::harness::{WAIT, gcs, sim_for, wait_state};

fn dist_m(a: LatLon, b: LatLon) -> f64 {
    Haversine.distance(
        Point::new(a.lon_deg, a.lat_deg),
        Point::new(b.lon_deg, b.lat_deg),
    )
}

fn drain(link: &mut LinkHandle) -> Vec<Event> {
    std::iter::from_fn(|| link.try_next_event()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_flight_arm_takeoff_goto_hold_return_land_disarm() {
    let mut link = gcs().await;
    // GPS fix after 20 simulated seconds = 2 s of wall time at 10x.
    let _sim = sim_for(&link, 10.0, |c| c.gps_fix_after_s = 20.0).await;
    let id = link.wait_for_vehicle(1, WAIT).await.unwrap();
    let v = wait_state(&link, id, "first telemetry", |v| v.position.is_some()).await;
    assert_eq!(v.mode, FlightMode::Hold);
    assert!(!v.armed);
    assert_eq!(v.autopilot, gcs_link::vehicle::Autopilot::Px4);

    // PX4 refuses to arm before its preflight checks pass.
    if v.gps.map(|g| g.fix) != Some(GpsFix::Fix3d) {
        let err = link.command(id, VehicleCommand::Arm).await.unwrap_err();
        assert!(
            matches!(
                err,
                CommandError::Rejected {
                    rejection: Rejection::TemporarilyRejected,
                    ..
                }
            ),
            "{err}"
        );
    }
    let v = wait_state(&link, id, "GPS fix and home", |v| {
        v.gps.is_some_and(|g| g.fix == GpsFix::Fix3d) && v.home.is_some()
    })
    .await;
    let home = v.home.unwrap();

    link.command(id, VehicleCommand::Arm).await.unwrap();
    wait_state(&link, id, "armed", |v| v.armed).await;
    link.command(id, VehicleCommand::Takeoff { alt_rel_m: 30.0 })
        .await
        .unwrap();
    // EXTENDED_SYS_STATE (the landed state) comes at 1 Hz, so on a loaded machine the
    // position can show 30 m a moment before the landed state says so: wait for both.
    wait_state(&link, id, "takeoff to 30 m, in air, then Hold", |v| {
        v.mode == FlightMode::Hold
            && v.position.is_some_and(|p| (p.alt_rel_m - 30.0).abs() < 1.0)
            && v.landed == LandedState::InAir
    })
    .await;

    let target = LatLon::new(home.lat_lon.lat_deg + 0.0018, home.lat_lon.lon_deg + 0.0009);
    link.command(
        id,
        VehicleCommand::GoTo {
            target,
            alt_rel_m: 40.0,
        },
    )
    .await
    .unwrap();
    let v = wait_state(&link, id, "arrival at the go-to point", |v| {
        v.position
            .is_some_and(|p| dist_m(p.lat_lon, target) < 4.0 && (p.alt_rel_m - 40.0).abs() < 1.0)
    })
    .await;
    assert_eq!(v.mode, FlightMode::Hold);

    link.command(id, VehicleCommand::Hold).await.unwrap();
    link.command(id, VehicleCommand::ReturnToLaunch)
        .await
        .unwrap();
    wait_state(&link, id, "Return mode", |v| v.mode == FlightMode::Return).await;
    let v = wait_state(&link, id, "landed and disarmed at home", |v| {
        !v.armed && v.landed == LandedState::OnGround
    })
    .await;
    let p = v.position.unwrap();
    assert!(
        dist_m(p.lat_lon, home.lat_lon) < 3.0,
        "{} m from home",
        dist_m(p.lat_lon, home.lat_lon)
    );
    assert!(p.alt_rel_m.abs() < 0.5);
    assert!(v.battery.remaining_pct.unwrap() < 100.0);

    let events = drain(&mut link);
    let modes: Vec<(FlightMode, FlightMode)> = events
        .iter()
        .filter_map(|e| match e {
            Event::ModeChanged { from, to, .. } => Some((*from, *to)),
            _ => None,
        })
        .collect();
    // Modes are reported by the 1 Hz HEARTBEAT, so a 1 s takeoff at 10x may fall between
    // two of them; the return is long enough to be seen.
    assert!(
        modes.iter().any(|(_, to)| *to == FlightMode::Return),
        "{modes:?}"
    );
    assert_eq!(
        modes.last().map(|m| m.1),
        Some(FlightMode::Return),
        "{modes:?}"
    );
    assert!(events.contains(&Event::Armed(id)));
    assert!(events.contains(&Event::Disarmed(id)));
    assert!(events.iter().any(
        |e| matches!(e, Event::StatusText { status, .. } if status.text == "Landing detected")
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_loss_is_detected_commands_fail_fast_and_link_recovers() {
    let mut link = gcs().await;
    let sim = sim_for(&link, 1.0, |_| {}).await;
    let id = link.wait_for_vehicle(1, WAIT).await.unwrap();
    drain(&mut link);

    sim.set_link_cut(true);
    wait_state(&link, id, "link lost", |v| v.link_lost).await;
    let started = std::time::Instant::now();
    let err = link.command(id, VehicleCommand::Arm).await.unwrap_err();
    assert_eq!(err, CommandError::LinkLost(id));
    // Not sent at all: no retransmission cycle was waited for.
    assert!(started.elapsed() < gcs_link::constants::COMMAND_ACK_TIMEOUT);
    assert_eq!(link.snapshot().get(id).unwrap().best_link, None);

    sim.set_link_cut(false);
    let v = wait_state(&link, id, "link regained", |v| !v.link_lost).await;
    assert_eq!(v.best_link, Some(0));
    let events = drain(&mut link);
    assert!(events.contains(&Event::LinkLost(id)), "{events:?}");
    assert!(events.contains(&Event::LinkRegained(id)), "{events:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gcs_link_loss_failsafe_returns_the_drone() {
    let link = gcs().await;
    let sim = sim_for(&link, 5.0, |c| {
        c.gps_fix_after_s = 0.0;
        c.params.nav_dll_act = DataLinkLossAction::Return;
        c.params.com_dl_loss_t_s = 2.0;
    })
    .await;
    let id = link.wait_for_vehicle(1, WAIT).await.unwrap();
    wait_state(&link, id, "home", |v| v.home.is_some()).await;
    link.command(id, VehicleCommand::Arm).await.unwrap();
    link.command(id, VehicleCommand::Takeoff { alt_rel_m: 20.0 })
        .await
        .unwrap();
    wait_state(&link, id, "hovering", |v| {
        v.mode == FlightMode::Hold && !v.link_lost && v.armed
    })
    .await;
    sim.set_link_cut(true);
    wait_state(&link, id, "link lost", |v| v.link_lost).await;
    // PX4 acts once the GCS heartbeat has been silent its receiver's timeout plus
    // COM_DL_LOSS_T, after holding COM_FAIL_ACT_T: keep the link cut until it has.
    let deadline = tokio::time::Instant::now() + WAIT;
    while sim.vehicle(0).mode != FlightMode::Return {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no Return while the link was cut"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    sim.set_link_cut(false);
    let v = wait_state(&link, id, "Return after data-link loss", |v| {
        !v.link_lost && v.mode == FlightMode::Return
    })
    .await;
    assert_eq!(v.system_status, gcs_link::vehicle::SystemStatus::Critical);
    let last = sim.vehicle(0);
    assert!(last.failsafe);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lossy_link_still_flies_and_quality_reflects_loss() {
    let link = gcs().await;
    let _sim = sim_for(&link, 5.0, |c| {
        c.gps_fix_after_s = 0.0;
        c.faults.loss_pct = 10.0;
        c.faults.duplicate_pct = 5.0;
        c.faults.latency = Duration::from_millis(20);
    })
    .await;
    let id = link.wait_for_vehicle(1, WAIT).await.unwrap();
    wait_state(&link, id, "home", |v| v.home.is_some()).await;
    // Retransmission carries commands through 10 % loss each way (a lost attempt is 19 %
    // likely; four in a row 0.13 %).
    link.command(id, VehicleCommand::Arm).await.unwrap();
    link.command(id, VehicleCommand::Takeoff { alt_rel_m: 15.0 })
        .await
        .unwrap();
    wait_state(&link, id, "airborne", |v| {
        v.position.is_some_and(|p| p.alt_rel_m > 10.0)
    })
    .await;
    let v = wait_state(&link, id, "a few hundred packets", |v| {
        v.links.first().is_some_and(|l| l.quality.received > 300)
    })
    .await;
    let q = v.links[0].quality;
    let pct = q.total_pct();
    assert!(
        (80.0..=97.0).contains(&pct),
        "delivery {pct:.1} % with 10 % loss"
    );
    assert!(q.lost > 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_drones_on_one_port_are_three_vehicles() {
    let link = gcs().await;
    let _sim = sim_for(&link, 1.0, |c| {
        c.vehicles = SimConfig::fleet(3, 11, LatLon::new(18.7369, 7.3853), 430.0);
        c.gps_fix_after_s = 0.0;
    })
    .await;
    let snap = link
        .wait_for(WAIT, |s| {
            s.vehicles.len() == 3 && s.vehicles.values().all(|v| v.home.is_some())
        })
        .await
        .unwrap();
    let ids: Vec<u8> = snap.vehicles.keys().map(|k| k.sysid).collect();
    assert_eq!(ids, vec![11, 12, 13]);
    // A command reaches only its own drone even though all share one udpin socket.
    let twelve = VehicleId {
        sysid: 12,
        compid: 1,
    };
    link.command(twelve, VehicleCommand::Arm).await.unwrap();
    let s = link
        .wait_for(WAIT, |s| s.get(twelve).is_some_and(|v| v.armed))
        .await
        .unwrap();
    assert!(
        !s.get(VehicleId {
            sysid: 11,
            compid: 1
        })
        .unwrap()
        .armed
    );
    assert!(
        !s.get(VehicleId {
            sysid: 13,
            compid: 1
        })
        .unwrap()
        .armed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_links_both_ways() {
    // Ground station listens (tcpin), drone connects (tcpout).
    let link = gcs_link::start(LinkConfig::new(vec!["tcpin:127.0.0.1:0".parse().unwrap()]))
        .await
        .unwrap();
    let port = link.local_addr(0).unwrap().port();
    let mut cfg = SimConfig::new(format!("tcpout:127.0.0.1:{port}").parse().unwrap());
    cfg.gps_fix_after_s = 0.0;
    let _sim = gcs_sim::start(cfg).await.unwrap();
    let id = link.wait_for_vehicle(1, WAIT).await.unwrap();
    wait_state(&link, id, "home over tcpin", |v| v.home.is_some()).await;
    link.command(id, VehicleCommand::Arm).await.unwrap();
    wait_state(&link, id, "armed over tcpin", |v| v.armed).await;

    // Drone listens (tcpin, like PX4 SITL's TCP port), ground station connects (tcpout).
    let mut cfg = SimConfig::new("tcpin:127.0.0.1:0".parse().unwrap());
    cfg.gps_fix_after_s = 0.0;
    cfg.vehicles[0].sysid = 7;
    let sim = gcs_sim::start(cfg).await.unwrap();
    let port = sim.local_addr(0).unwrap().port();
    let link = gcs_link::start(LinkConfig::new(vec![
        format!("tcpout:127.0.0.1:{port}").parse().unwrap(),
    ]))
    .await
    .unwrap();
    let id = link.wait_for_vehicle(7, WAIT).await.unwrap();
    wait_state(&link, id, "home over tcpout", |v| v.home.is_some()).await;
    link.command(id, VehicleCommand::Arm).await.unwrap();
    wait_state(&link, id, "armed over tcpout", |v| v.armed).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_send_and_subscribe_reach_the_sim() {
    use gcs_link::MessageFilter;
    use gcs_link::mavlink::dialects::common::{COMMAND_LONG_DATA, MavCmd, MavMessage, MavResult};

    let link = gcs().await;
    let _sim = sim_for(&link, 1.0, |_| {}).await;
    let id = link.wait_for_vehicle(1, WAIT).await.unwrap();
    let sender = link.sender();
    let mut rx = sender
        .subscribe(
            MessageFilter {
                message_ids: vec![77, 148], // COMMAND_ACK, AUTOPILOT_VERSION
                sysid: Some(1),
            },
            16,
        )
        .await
        .unwrap();
    sender
        .send(
            id,
            MavMessage::COMMAND_LONG(COMMAND_LONG_DATA {
                command: MavCmd::MAV_CMD_REQUEST_MESSAGE,
                param1: 148.0,
                target_system: 1,
                target_component: 1,
                ..Default::default()
            }),
        )
        .await
        .unwrap();
    let mut got_ack = false;
    let mut got_version = false;
    while !(got_ack && got_version) {
        let r = tokio::time::timeout(WAIT, rx.recv())
            .await
            .unwrap()
            .unwrap();
        match r.frame.msg {
            MavMessage::COMMAND_ACK(a) => {
                assert_eq!(a.command, MavCmd::MAV_CMD_REQUEST_MESSAGE);
                assert_eq!(a.result, MavResult::MAV_RESULT_ACCEPTED);
                got_ack = true;
            }
            MavMessage::AUTOPILOT_VERSION(v) => {
                assert_ne!(v.flight_sw_version, 0);
                got_version = true;
            }
            other => panic!("filter let through {other:?}"),
        }
    }
    // Unknown vehicles fail fast.
    let ghost = VehicleId {
        sysid: 99,
        compid: 1,
    };
    let err = sender
        .send(
            ghost,
            MavMessage::COMMAND_LONG(COMMAND_LONG_DATA::default()),
        )
        .await
        .unwrap_err();
    assert_eq!(err, CommandError::UnknownVehicle(ghost));
}
