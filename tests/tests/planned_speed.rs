//! A generated patrol sortie from a Niger base flies in the time its estimate says: the
//! plan commands its speed (DO_CHANGE_SPEED after the take-off), the vehicle flies mission
//! legs as PX4 does (`MPC_XY_CRUISE`, 5 m/s, until told otherwise), and the estimate uses
//! the speed the mission commands. Uploaded and started through the operator rules, over
//! real loopback UDP; flown time (lift-off to touchdown) on the vehicle's own clock.
//!
//! In CI it flies gcs-sim. With `VIGIL_PX4_SITL` naming a PX4 SITL build
//! (`build/px4_sitl_*`), the same test flies real PX4 (SIH quadrotor, home at the base,
//! `VIGIL_PX4_SPEED` times real time, 4 by default) and reads the flown time from PX4's
//! `time_boot_ms`.

use gcs_link::mavlink::dialects::common::{MavLandedState, MavMessage};
use gcs_link::{FlightMode, LinkConfig, LinkHandle, MessageFilter, VehicleCommand};
use gcs_operator::{ALL_LISTS, PlanTransfer, read_envelope, run_command};
use gcs_sim::SimConfig;
use mission_planner::estimate::VehicleModel;
use mission_planner::generate::{PatrolRequest, TerrainFollow, plan_patrol};
use mission_planner::{AltitudeReference, FlatTerrain, LatLon, MissionCommand, Plan};
use vigil_tests::harness::{WAIT, gcs, sim_for, wait_state};
use vigil_tests::px4_sitl::{self, Px4Sitl};

const BASE: LatLon = LatLon::new(13.48, 2.13);
const BASE_ALT_AMSL_M: f64 = 210.0;
/// Simulated seconds per wall second: a ~12-minute sortie in ~12 s.
const SIM_SPEED: f64 = 60.0;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_patrol_sortie_planned_at_12_mps_flies_in_its_estimated_time() {
    // The vehicle: real PX4 when a SITL build is given, gcs-sim otherwise.
    let px4 = match px4_sitl::from_env() {
        Some(build) => {
            let factor = std::env::var("VIGIL_PX4_SPEED")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(4.0);
            // Instance 40: its own ports (GCS link on 18610), clear of a `vigil.sh sitl` fleet.
            let p = Px4Sitl::start(build, 40, BASE, BASE_ALT_AMSL_M, factor)
                .await
                .expect("start PX4 SITL");
            eprintln!(
                "flying PX4 SITL (system id {}, {factor}x real time, log {})",
                p.sysid,
                p.dir.path().display()
            );
            Some(p)
        }
        None => None,
    };
    let (link, sim) = match &px4 {
        Some(p) => {
            let addr = format!("udpout:127.0.0.1:{}", p.gcs_port)
                .parse()
                .expect("address");
            let link = gcs_link::start(LinkConfig::new(vec![addr]))
                .await
                .expect("ground station");
            (link, None)
        }
        None => {
            let link = gcs().await;
            let sim = sim_for(&link, SIM_SPEED, |c| {
                c.vehicles = SimConfig::fleet(1, 1, BASE, BASE_ALT_AMSL_M);
                c.gps_fix_after_s = 0.0;
            })
            .await;
            (link, Some(sim))
        }
    };
    let sysid = px4.as_ref().map_or(1, |p| p.sysid);
    let id = link.wait_for_vehicle(sysid, WAIT).await.expect("a vehicle");
    wait_state(&link, id, "a home position", |v| v.home.is_some()).await;
    let clock = VehicleClock::subscribe(&link, sysid).await;
    // A 3.2 km straight border 2.2 km north of the base, patrolled 1 km inside it.
    let terrain = FlatTerrain {
        height_m: BASE_ALT_AMSL_M,
    };
    // Planned at 12 m/s for the vehicle as its parameters say it flies (PX4's SIH quad
    // tops out near 9.8 m/s: SIH_MASS, SIH_KDV, MPC_TILTMAX_AIR).
    let envelope = read_envelope(&link.sender(), id)
        .await
        .expect("the vehicle's envelope");
    eprintln!("envelope from the vehicle's parameters: {envelope:?}");
    let vehicle = VehicleModel::px4(envelope, 12.0, 30.0 * 60.0);
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
    let path = mission_planner::flight::flight_path(
        &sortie.mission,
        &terrain,
        mission_planner::flight::FlightSettings {
            cruise_speed_mps: vehicle.default_speed_mps,
        },
    );
    for p in &path.points {
        eprintln!(
            "  planned item {} {:.5},{:.5} {:.0} m AMSL at {:.1} m/s",
            p.seq, p.position.lat_deg, p.position.lon_deg, p.alt_amsl_m, p.speed_mps
        );
    }
    eprintln!("{estimate:?}");
    assert!(
        (4_000.0..20_000.0).contains(&estimate.distance_m),
        "{estimate:?}"
    );

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
    // The whole sortie: seconds at 60x for gcs-sim, minutes for PX4 SITL.
    link.wait_for(std::time::Duration::from_secs(1800), |f| {
        f.get(id)
            .is_some_and(|v| v.mission.last_reached == Some(last_seq) && !v.armed)
    })
    .await
    .unwrap_or_else(|e| {
        panic!(
            "the last item reached and disarmed: {e}; last state {:?}",
            link.snapshot().get(id)
        )
    });

    let flown_s = match &sim {
        Some(sim) => {
            let flown = sim.vehicle(0);
            flown.touchdown_time_s - flown.lift_off_time_s
        }
        None => clock.flown_s().await,
    };
    let who = if sim.is_some() { "gcs-sim" } else { "PX4 SITL" };
    eprintln!(
        "{who}: estimate {:.1} s ({:.0} m), flown {flown_s:.1} s ({:+.1} %)",
        estimate.time_s,
        estimate.distance_m,
        100.0 * (flown_s - estimate.time_s) / estimate.time_s
    );
    assert!(
        (flown_s - estimate.time_s).abs() <= 0.1 * estimate.time_s,
        "{who} flew {flown_s:.1} s, estimated {:.1} s{}",
        estimate.time_s,
        px4.as_ref()
            .map(|p| format!("\nPX4 log:\n{}", p.log_tail()))
            .unwrap_or_default()
    );
}

/// Lift-off and touchdown on the vehicle's clock: the `time_boot_ms` of its latest
/// GLOBAL_POSITION_INT when EXTENDED_SYS_STATE says it left and when it is back on the ground.
struct VehicleClock(tokio::task::JoinHandle<(u32, u32)>);

impl VehicleClock {
    async fn subscribe(link: &LinkHandle, sysid: u8) -> Self {
        let filter = MessageFilter {
            message_ids: vec![33, 42, 245],
            sysid: Some(sysid),
        };
        let mut rx = link
            .sender()
            .subscribe(filter, 4096)
            .await
            .expect("subscribe");
        Self(tokio::spawn(async move {
            let (mut now_ms, mut lift_off) = (0, None);
            let mut seq = None;
            while let Some(r) = rx.recv().await {
                match r.frame.msg {
                    MavMessage::GLOBAL_POSITION_INT(p) => now_ms = p.time_boot_ms,
                    // Where the time goes, item by item, for whoever compares it with the estimate.
                    MavMessage::MISSION_CURRENT(c) if seq != Some(c.seq) => {
                        seq = Some(c.seq);
                        let t = lift_off
                            .map_or(0.0, |l: u32| f64::from(now_ms.saturating_sub(l)) / 1000.0);
                        eprintln!("  item {} current at {t:.1} s", c.seq);
                    }
                    MavMessage::EXTENDED_SYS_STATE(s) => {
                        let on_ground =
                            s.landed_state == MavLandedState::MAV_LANDED_STATE_ON_GROUND;
                        match (lift_off, on_ground) {
                            (None, false) => lift_off = Some(now_ms),
                            (Some(l), true) => return (l, now_ms),
                            _ => {}
                        }
                    }
                    _ => {}
                }
            }
            (lift_off.unwrap_or(0), 0)
        }))
    }

    async fn flown_s(self) -> f64 {
        let (lift_off, touchdown) = tokio::time::timeout(WAIT, self.0)
            .await
            .expect("touchdown seen")
            .expect("clock task");
        f64::from(touchdown.saturating_sub(lift_off)) / 1000.0
    }
}
