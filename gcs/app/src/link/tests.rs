//! The link thread against an in-process simulated PX4, and the drain against a fake
//! link.

use std::time::Duration;

use bevy::prelude::*;
use clap::Parser;
use gcs_link::mission::MissionType;
use gcs_link::vehicle::LandedState;
use gcs_link::{Event, FleetSnapshot, VehicleCommand, VehicleId, VehicleState};
use mission_planner::Plan;

use crate::cli::Args;
use crate::link::drain::{Fleet, FleetEvent, FleetReply, LinkDrops, LinkPlugin, SendRequest};
use crate::link::fake;
use crate::link::requests::{LinkReply, LinkRequest};
use crate::link::thread::start;
/// The real link thread with one in-process simulated PX4 over loopback UDP: the
/// app sees it, commands it through the request channel and watches it take off.
#[test]
fn the_link_thread_flies_a_simulated_drone() {
    let args = Args::parse_from(["gcs", "--drones", "1", "--speed", "5"]);
    let bridge = start(&args).expect("link and simulator start");
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, LinkPlugin::new(bridge)))
        .init_resource::<Replies>()
        .add_systems(Update, keep_replies);
    let wait = |app: &mut App, what: &str, f: &dyn Fn(&VehicleState) -> bool| {
        for _ in 0..6000 {
            app.update();
            if app.world().resource::<Fleet>().0.vehicles.values().any(f) {
                return app
                    .world()
                    .resource::<Fleet>()
                    .0
                    .vehicles
                    .values()
                    .next()
                    .unwrap()
                    .id;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!(
            "timed out waiting for {what}: {:?}",
            app.world().resource::<Fleet>().0
        );
    };
    let id = wait(&mut app, "a 3D fix and home", &|v| {
        v.home.is_some() && v.position.is_some()
    });
    // What the app's "Take off" sends to a disarmed drone: the link thread arms it
    // first (gcs-operator's steps).
    app.world_mut()
        .write_message(SendRequest(LinkRequest::Command {
            vehicle: id,
            command: VehicleCommand::Takeoff { alt_rel_m: 20.0 },
        }));
    wait(&mut app, "the take-off", &|v| {
        v.armed && v.landed == LandedState::InAir && v.position.is_some_and(|p| p.alt_rel_m > 5.0)
    });
    let replies = &app.world().resource::<Replies>().0;
    assert!(
        replies.iter().any(|r| matches!(
            r,
            LinkReply::Command {
                command: VehicleCommand::Takeoff { .. },
                result: Ok(()),
                ..
            }
        )),
        "the take-off was acknowledged: {replies:?}"
    );
}

/// A plan goes up to the simulated PX4 (mission, fence, rally) through the link
/// thread with progress, and comes back down the same.
#[test]
fn plans_upload_and_download_through_the_link_thread() {
    let (mut app, id) = app_with_one_sim();
    let plan = plan_with_home();
    app.world_mut()
        .write_message(SendRequest(LinkRequest::Upload {
            vehicle: id,
            plan: Box::new(plan.clone()),
        }));
    let until = |app: &mut App, f: &dyn Fn(&LinkReply) -> bool| {
        for _ in 0..6000 {
            app.update();
            if app.world().resource::<Replies>().0.iter().any(f) {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("timed out: {:?}", app.world().resource::<Replies>().0);
    };
    until(&mut app, &|r| matches!(r, LinkReply::Uploaded { .. }));
    let replies = &app.world().resource::<Replies>().0;
    assert!(
        replies
            .iter()
            .any(|r| matches!(r, LinkReply::Uploaded { result: Ok(()), .. })),
        "{replies:?}"
    );
    assert!(
        replies.iter().any(|r| matches!(
            r,
            LinkReply::Progress { list: MissionType::Mission, progress, .. } if progress.done == 12
        )),
        "progress reached every mission item: {replies:?}"
    );
    assert!(
        replies.iter().all(|r| !matches!(
            r,
            LinkReply::Progress { list: MissionType::Mission, progress, .. } if progress.total != 12
        )),
        "12 mission items went up, no home item: {replies:?}"
    );
    assert_eq!(
        vehicle_mission_total(&mut app, id, 12),
        Some(12),
        "the vehicle holds the 12 items, no home item"
    );
    app.world_mut()
        .write_message(SendRequest(LinkRequest::Download { vehicle: id }));
    until(&mut app, &|r| matches!(r, LinkReply::Downloaded { .. }));
    let back = app
        .world()
        .resource::<Replies>()
        .0
        .iter()
        .find_map(|r| match r {
            LinkReply::Downloaded { result, .. } => Some(result.clone()),
            _ => None,
        })
        .unwrap()
        .expect("download succeeded");
    assert_eq!(back.mission.items.len(), 12);
    let vehicle_home = app
        .world()
        .resource::<Fleet>()
        .0
        .get(id)
        .and_then(|v| v.home);
    assert_eq!(
        back.mission.home.map(|h| h.position),
        vehicle_home.map(|h| h.lat_lon),
        "a download's home is the vehicle's HOME_POSITION"
    );
    for (a, b) in back.mission.items.iter().zip(&plan.mission.items) {
        let (pa, pb) = (a.position().unwrap(), b.position().unwrap());
        assert!((pa.lat_deg - pb.lat_deg).abs() < 1e-6 && (pa.lon_deg - pb.lon_deg).abs() < 1e-6);
    }
    assert_eq!(back.fence.polygons.len(), 1);
    assert_eq!(back.fence.polygons[0].vertices.len(), 4);
    assert_eq!(back.rally_points.len(), 1);
}

/// Twelve items, a fence and a rally point, with the planned home a plan opened from
/// a .plan file carries: PX4 must not get that home as a waypoint (the app once sent
/// 13 items here, "Mission 1/13").
fn plan_with_home() -> Plan {
    use mission_planner::{
        Altitude, AltitudeReference, FencePolygon, LatLon, MissionItem, RallyPoint,
    };
    let alt = Altitude {
        alt_m: 60.0,
        reference: AltitudeReference::Home,
    };
    let mut plan = Plan::default();
    plan.mission.items = (0..12)
        .map(|i| {
            let p = LatLon::new(16.97 + f64::from(i) * 0.002, 7.99);
            if i == 0 {
                MissionItem::takeoff(p, alt)
            } else {
                MissionItem::waypoint(p, alt)
            }
        })
        .collect();
    plan.fence.polygons.push(FencePolygon {
        vertices: vec![
            LatLon::new(16.9, 7.9),
            LatLon::new(16.9, 8.1),
            LatLon::new(17.1, 8.1),
            LatLon::new(17.1, 7.9),
        ],
        inclusion: true,
    });
    plan.rally_points
        .push(RallyPoint::new(LatLon::new(16.98, 7.98), 40.0));
    plan.mission.home = Some(mission_planner::Home {
        position: LatLon::new(16.97, 7.99),
        alt_amsl_m: 500.0,
    });
    plan
}

/// Updates the app until the vehicle reports holding at least `n` mission items;
/// returns the number it holds.
fn vehicle_mission_total(app: &mut App, id: VehicleId, n: u16) -> Option<u16> {
    for _ in 0..6000 {
        app.update();
        let total = app
            .world()
            .resource::<Fleet>()
            .0
            .get(id)
            .and_then(|v| v.mission.total);
        if total.is_some_and(|t| t >= n) {
            return total;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    None
}

/// The link thread reads the vehicle's flight envelope from its parameters: the
/// simulated SIH quadrotor's top speed (~9.8 m/s) and PX4's default cruise.
#[test]
fn the_link_thread_reads_a_vehicles_envelope() {
    let (mut app, id) = app_with_one_sim();
    app.world_mut()
        .write_message(SendRequest(LinkRequest::ReadEnvelope { vehicle: id }));
    for _ in 0..6000 {
        app.update();
        let replies = &app.world().resource::<Replies>().0;
        if let Some(LinkReply::Envelope { result, .. }) = replies
            .iter()
            .find(|r| matches!(r, LinkReply::Envelope { .. }))
        {
            let envelope = result.as_ref().expect("the envelope is read");
            assert_eq!(envelope.cruise_mps, 5.0);
            assert!(
                (envelope.max_speed_mps() - 9.81).abs() < 0.01,
                "{envelope:?}"
            );
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("no envelope: {:?}", app.world().resource::<Replies>().0);
}

/// The real link thread and one in-process simulated PX4, once the app has heard it
/// (at most 60 s).
fn app_with_one_sim() -> (App, VehicleId) {
    let args = Args::parse_from(["gcs", "--drones", "1"]);
    let bridge = start(&args).expect("link and simulator start");
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, LinkPlugin::new(bridge)))
        .init_resource::<Replies>()
        .add_systems(Update, keep_replies);
    for _ in 0..6000 {
        app.update();
        if let Some(v) = app.world().resource::<Fleet>().0.vehicles.values().next() {
            let id = v.id;
            return (app, id);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("the simulated drone was never heard");
}

#[derive(Resource, Default)]
struct Replies(Vec<LinkReply>);

fn keep_replies(mut r: MessageReader<FleetReply>, mut out: ResMut<Replies>) {
    out.0.extend(r.read().map(|FleetReply(r)| r.clone()));
}

#[test]
fn drain_moves_snapshots_events_replies_and_requests() {
    let (mut far, plugin) = fake::link();
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, plugin));
    let id = VehicleId {
        sysid: 7,
        compid: 1,
    };
    let mut snap = FleetSnapshot::default();
    snap.vehicles.insert(id, VehicleState::new(id));
    far.fleet.send(snap.clone()).unwrap();
    far.events.try_send(Event::VehicleDiscovered(id)).unwrap();
    far.replies
        .try_send(LinkReply::Command {
            vehicle: id,
            command: VehicleCommand::Hold,
            result: Ok(()),
        })
        .unwrap();
    app.world_mut()
        .write_message(SendRequest(LinkRequest::Command {
            vehicle: id,
            command: VehicleCommand::ReturnToLaunch,
        }));
    app.update();
    assert_eq!(app.world().resource::<Fleet>().0, snap);
    let events: Vec<_> = app
        .world_mut()
        .resource_mut::<Messages<FleetEvent>>()
        .drain()
        .collect();
    assert!(matches!(events[..], [FleetEvent(Event::VehicleDiscovered(v))] if v == id));
    let replies = app.world().resource::<Messages<FleetReply>>().len();
    assert_eq!(replies, 1);
    match far.requests.try_recv() {
        Ok(LinkRequest::Command { vehicle, command }) => {
            assert_eq!(vehicle, id);
            assert_eq!(command, VehicleCommand::ReturnToLaunch);
        }
        other => panic!("expected the RTL request, got {other:?}"),
    }
}

/// A full event queue in gcs-link is counted by the core (in the snapshot) and shown;
/// a request the link thread has no room for is counted here, not lost silently.
#[test]
fn drops_are_counted_where_the_operator_sees_them() {
    let (far, plugin) = fake::link_with_queues(1);
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, plugin));
    let id = VehicleId {
        sysid: 3,
        compid: 1,
    };
    let snap = FleetSnapshot {
        dropped_events: 5,
        ..FleetSnapshot::default()
    };
    far.fleet.send(snap).unwrap();
    for command in [VehicleCommand::Hold, VehicleCommand::ReturnToLaunch] {
        app.world_mut()
            .write_message(SendRequest(LinkRequest::Command {
                vehicle: id,
                command,
            }));
    }
    app.update();
    let drops = *app.world().resource::<LinkDrops>();
    assert_eq!(drops.events, 5);
    assert_eq!(drops.requests, 1, "the second request did not fit");
    assert!(drops.any());
    assert_eq!(drops.summary(), "link dropped 5 events, 1 request");
}

/// `--signing-key` and `--tlog` reach gcs-link as in gcs-cli: the simulated drone gets
/// the key, every frame from it arrives signed, and the session is recorded.
#[test]
fn a_signed_recorded_link_sees_its_simulated_drone() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key.hex");
    std::fs::write(&key, "42".repeat(32)).unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let args = Args::parse_from([
        "gcs".as_ref(),
        "--drones".as_ref(),
        "1".as_ref(),
        "--signing-key".as_ref(),
        key.as_os_str(),
        "--tlog".as_ref(),
        logs.as_os_str(),
    ]);
    args.check().unwrap();
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, LinkPlugin::new(start(&args).unwrap())));
    let seen = (0..3000).any(|_| {
        app.update();
        std::thread::sleep(Duration::from_millis(10));
        let fleet = &app.world().resource::<Fleet>().0;
        !fleet.vehicles.is_empty() && fleet.signing.signed_accepted > 10
    });
    let fleet = &app.world().resource::<Fleet>().0;
    assert!(seen, "a signed drone: {:?}", fleet.signing);
    assert_eq!(fleet.signing.rejected_unsigned, 0, "{:?}", fleet.signing);
    // The recorder flushes at least twice a second.
    let recorded = (0..500).any(|_| {
        app.update();
        std::thread::sleep(Duration::from_millis(10));
        std::fs::read_dir(&logs)
            .unwrap()
            .filter_map(|e| e.ok()?.metadata().ok())
            .any(|m| m.len() > 0)
    });
    assert!(recorded, "a tlog in {}", logs.display());
}

/// More simulated drones than one link may bring in (gcs-link's
/// `MAX_VEHICLES_PER_LINK`, 64) are all seen: the link thread gives them a loopback
/// link per 64, none is refused as a spoofed vehicle would be.
#[test]
fn more_drones_than_one_link_holds_are_all_seen() {
    let args = Args::parse_from(["gcs", "--drones", "70"]);
    let mut bridge = start(&args).expect("link and simulator start");
    let all_seen = (0..1500).any(|_| {
        std::thread::sleep(Duration::from_millis(10));
        bridge.fleet.borrow_and_update().vehicles.len() == 70
    });
    let fleet = bridge.fleet.borrow();
    assert!(all_seen, "{} of 70 drones seen", fleet.vehicles.len());
    assert_eq!(fleet.refused_vehicles, 0);
}
