//! A generated patrol sortie flies in the time its estimate says: the plan commands its
//! speed (DO_CHANGE_SPEED after the take-off), the simulator flies mission legs as PX4
//! does (`MPC_XY_CRUISE`, 5 m/s, until told otherwise), and the estimate uses the
//! speed the mission commands. Uploaded and started through the operator rules, over
//! real loopback UDP; flown time read from the simulator's own clock.

use gcs_link::{FlightMode, VehicleCommand};
use gcs_operator::{ALL_LISTS, PlanTransfer, run_command};
use gcs_sim::SimConfig;
use mission_planner::estimate::VehicleModel;
use mission_planner::generate::{PatrolRequest, TerrainFollow, plan_patrol};
use mission_planner::{AltitudeReference, FlatTerrain, LatLon, MissionCommand, Plan};
use vigil_tests::harness::{WAIT, gcs, sim_for, wait_state};

const BASE: LatLon = LatLon::new(13.48, 2.13);
const BASE_ALT_AMSL_M: f64 = 210.0;
/// Simulated seconds per wall second: a ~12-minute sortie in ~12 s.
const SIM_SPEED: f64 = 60.0;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_patrol_sortie_planned_at_12_mps_flies_in_its_estimated_time() {
    // A 3.2 km straight border 2.2 km north of the base, patrolled 1 km inside it.
    let terrain = FlatTerrain {
        height_m: BASE_ALT_AMSL_M,
    };
    let vehicle = VehicleModel {
        cruise_speed_mps: 12.0,
        // PX4's MPC_Z_V_AUTO_UP / _DN, as the simulator flies them.
        climb_rate_mps: 3.0,
        descent_rate_mps: 1.5,
        endurance_s: 30.0 * 60.0,
        ..VehicleModel::default()
    };
    let req = PatrolRequest {
        border: vec![LatLon::new(13.50, 2.11), LatLon::new(13.50, 2.14)],
        home_side: None,
        standoff_m: 1000.0,
        simplify_tolerance_m: 50.0,
        terrain_follow: TerrainFollow::new(100.0, 120.0),
        bases: vec![BASE],
        vehicle,
        border_range_m: None,
        altitude_reference: AltitudeReference::Home,
    };
    let patrol = plan_patrol(&req, &terrain, &mut |_| {}).expect("patrol");
    assert_eq!(patrol.sorties.len(), 1, "{:?}", patrol.warnings);
    let sortie = &patrol.sorties[0];
    assert!(
        matches!(sortie.mission.items[1].command, MissionCommand::ChangeSpeed { speed_mps, .. } if speed_mps == 12.0),
        "{:?}",
        sortie.mission.items[1]
    );
    let estimate = mission_planner::estimate::estimate_mission(&sortie.mission, &terrain, &vehicle);
    assert!(
        (4_000.0..20_000.0).contains(&estimate.distance_m),
        "{estimate:?}"
    );

    let link = gcs().await;
    let sim = sim_for(&link, SIM_SPEED, |c| {
        c.vehicles = SimConfig::fleet(1, 1, BASE, BASE_ALT_AMSL_M);
        c.gps_fix_after_s = 0.0;
    })
    .await;
    let id = link.wait_for_vehicle(1, WAIT).await.expect("a vehicle");
    wait_state(&link, id, "a home position", |v| v.home.is_some()).await;
    let plan = Plan {
        mission: sortie.mission.clone(),
        ..Plan::default()
    };
    let service = PlanTransfer::new(link.sender(), link.fleet());
    service
        .upload(id, &plan, &ALL_LISTS, |_, _| {})
        .await
        .expect("upload");
    let last_seq = u16::try_from(sortie.mission.items.len() - 1).expect("a short mission");

    // PX4 refuses to arm until its preflight checks pass: retry on each new state.
    let fleet = link.fleet();
    let mut last_error = None;
    for _ in 0..100 {
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
                last_error = None;
                break;
            }
            Err(e) => {
                last_error = Some(e);
                let _ = link.fleet().changed().await;
            }
        }
    }
    assert!(last_error.is_none(), "{last_error:?}");
    wait_state(&link, id, "armed in Mission mode", |v| {
        v.armed && v.mode == FlightMode::Mission
    })
    .await;
    // The land item reached, then touchdown and the auto-disarm.
    wait_state(&link, id, "the last item reached and disarmed", |v| {
        v.mission.last_reached == Some(last_seq) && !v.armed
    })
    .await;

    let flown = sim.vehicle(0);
    let flown_s = flown.touchdown_time_s - flown.lift_off_time_s;
    eprintln!(
        "estimate {:.1} s ({:.0} m), flown {flown_s:.1} simulated s",
        estimate.time_s, estimate.distance_m
    );
    assert!(
        (flown_s - estimate.time_s).abs() <= 0.1 * estimate.time_s,
        "flown {flown_s:.1} s, estimated {:.1} s",
        estimate.time_s
    );
}
