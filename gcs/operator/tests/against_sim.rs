//! The operator rules against the simulated PX4 over real loopback UDP: a real QGC
//! `.plan` with a home goes up as PX4 needs it and comes back with the vehicle's home,
//! and a mission start on a disarmed drone arms it first.

use std::path::PathBuf;
use std::time::Duration;

use gcs_link::mission::MissionType;
use gcs_link::{FlightMode, LinkConfig, LinkHandle, VehicleCommand, VehicleId, VehicleState};
use gcs_operator::{ALL_LISTS, PlanTransfer, run_command};
use gcs_sim::{SimConfig, SimHandle};
use mission_planner::LatLon;

/// A guard against a hung test, not a timing: every wait is on a state.
const WAIT: Duration = Duration::from_secs(60);

fn shared_plan(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/04_missions/qgc")
        .join(name)
}

async fn station_and_sim(home: LatLon, home_alt_amsl_m: f64) -> (LinkHandle, SimHandle, VehicleId) {
    let addr = "udpin:127.0.0.1:0".parse().expect("literal address");
    let link = gcs_link::start(LinkConfig::new(vec![addr]))
        .await
        .expect("station");
    let port = link.local_addr(0).expect("udp").port();
    let mut cfg = SimConfig::new(format!("udpout:127.0.0.1:{port}").parse().expect("address"));
    cfg.vehicles = SimConfig::fleet(1, 1, home, home_alt_amsl_m);
    cfg.speed = 5.0;
    let sim = gcs_sim::start(cfg).await.expect("simulator");
    let id = wait(&link, None, "a vehicle with a home", |v| v.home.is_some())
        .await
        .id;
    (link, sim, id)
}

async fn wait(
    link: &LinkHandle,
    id: Option<VehicleId>,
    what: &str,
    cond: impl Fn(&VehicleState) -> bool,
) -> VehicleState {
    let pick = |s: &gcs_link::FleetSnapshot| match id {
        Some(id) => s.get(id).filter(|v| cond(v)).cloned(),
        None => s.vehicles.values().find(|v| cond(v)).cloned(),
    };
    let snap = link
        .wait_for(WAIT, |s| pick(s).is_some())
        .await
        .unwrap_or_else(|e| panic!("waiting for {what}: {e}; last {:?}", link.snapshot()));
    pick(&snap).expect("condition held")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_qgc_plan_with_home_goes_up_without_its_home_and_comes_back_with_the_vehicles() {
    let plan =
        mission_planner::files::load_plan(&shared_plan("simple_square.plan")).expect("QGC plan");
    let planned_home = plan.mission.home.expect("QGC plans carry a planned home");
    assert_eq!(plan.mission.items.len(), 5);
    // The vehicle boots 30 m from the planned home and 12 m higher: its own home wins.
    let vehicle_home = LatLon::new(
        planned_home.position.lat_deg + 0.00027,
        planned_home.position.lon_deg,
    );
    let (link, _sim, id) = station_and_sim(vehicle_home, planned_home.alt_amsl_m + 12.0).await;
    let service = PlanTransfer::new(link.sender(), link.fleet());

    let mut progress = Vec::new();
    let report = service
        .upload(id, &plan, &ALL_LISTS, |list, p| {
            progress.push((list, p.done, p.total))
        })
        .await
        .expect("upload");
    assert_eq!(
        report.items[0],
        (MissionType::Mission, 5),
        "no home item for PX4"
    );
    assert!(
        progress
            .iter()
            .any(|&(l, done, total)| l == MissionType::Mission && done == 5 && total == 5)
    );
    // The vehicle itself says it holds 5 items (MISSION_CURRENT's total), not 6.
    wait(&link, Some(id), "a 5-item mission on the vehicle", |v| {
        v.mission.total == Some(5)
    })
    .await;

    let back = service
        .download(id, &ALL_LISTS, WAIT, |_, _| {})
        .await
        .expect("download");
    let home = back
        .mission
        .home
        .expect("a downloaded plan has the vehicle's home");
    let reported = link.snapshot().get(id).and_then(|v| v.home).expect("home");
    assert_eq!(home.position, reported.lat_lon);
    assert!(
        (home.alt_amsl_m - (planned_home.alt_amsl_m + 12.0)).abs() < 1.0,
        "{home:?}"
    );
    assert_eq!(back.mission.items.len(), 5);
    for (a, b) in back.mission.items.iter().zip(&plan.mission.items) {
        assert_eq!(a.position(), b.position());
    }

    // Re-uploading what was downloaded gives the vehicle the same mission id.
    let again = service
        .upload(id, &back, &ALL_LISTS, |_, _| {})
        .await
        .expect("re-upload");
    assert_eq!(
        again.opaque_ids[0], report.opaque_ids[0],
        "{again:?} vs {report:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starting_a_mission_on_a_disarmed_drone_arms_it_first() {
    let home = LatLon::new(16.9742, 7.9865);
    let (link, _sim, id) = station_and_sim(home, 501.0).await;
    let mut plan = mission_planner::Plan::default();
    plan.mission
        .items
        .push(mission_planner::MissionItem::takeoff(
            home,
            mission_planner::Altitude::above_home(20.0),
        ));
    plan.mission
        .items
        .push(mission_planner::MissionItem::waypoint(
            LatLon::new(16.976, 7.9865),
            mission_planner::Altitude::above_home(20.0),
        ));
    let service = PlanTransfer::new(link.sender(), link.fleet());
    service
        .upload(id, &plan, &ALL_LISTS, |_, _| {})
        .await
        .expect("upload");
    wait(&link, Some(id), "ready to arm", |v| {
        !v.armed && v.home.is_some()
    })
    .await;
    // PX4 refuses to arm for the first seconds after boot; the rule retries nothing,
    // so wait for the simulator's preflight checks to pass as an operator would.
    let fleet = link.fleet();
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut last = None;
    while tokio::time::Instant::now() < deadline {
        match run_command(
            &link.sender(),
            &fleet,
            id,
            VehicleCommand::StartMission,
            WAIT,
        )
        .await
        {
            Ok(()) => {
                last = None;
                break;
            }
            Err(e) => {
                last = Some(e);
                // Wait for the next heartbeat rather than a fixed time.
                let mut rx = link.fleet();
                let _ = rx.changed().await;
            }
        }
    }
    assert!(last.is_none(), "{last:?}");
    let v = wait(&link, Some(id), "armed in Mission mode", |v| {
        v.armed && v.mode == FlightMode::Mission
    })
    .await;
    assert!(v.armed);
}
