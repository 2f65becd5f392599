//! The vehicle model without sockets: PX4's answers, flight phases and failsafes.

use gcs_link::mavlink::dialects::common::{MavCmd, MavFrame, MavResult};
use gcs_sim::commands::CommandRequest;
use gcs_sim::{DataLinkLossAction, FlightMode, LowBatteryAction, Px4Params, SimVehicle};
use geo::{Distance, Haversine, Point};
use vigil_values::LatLon;

const HOME: LatLon = LatLon::new(16.9742, 7.9865);
const HOME_ALT: f64 = 501.0;

fn vehicle() -> SimVehicle {
    SimVehicle::new(HOME, HOME_ALT, Px4Params::default())
}

fn cmd(v: &mut SimVehicle, command: MavCmd, params: [f64; 7]) -> MavResult {
    v.handle_command(&CommandRequest {
        command,
        params,
        frame: None,
    })
    .result
}

fn run(v: &mut SimVehicle, seconds: f64) {
    for _ in 0..(seconds * 10.0) as usize {
        v.step(0.1);
    }
}

fn dist_m(a: LatLon, b: LatLon) -> f64 {
    Haversine.distance(
        Point::new(a.lon_deg, a.lat_deg),
        Point::new(b.lon_deg, b.lat_deg),
    )
}

#[test]
fn arming_waits_for_preflight_checks() {
    let mut v = vehicle();
    assert_eq!(
        cmd(
            &mut v,
            MavCmd::MAV_CMD_COMPONENT_ARM_DISARM,
            [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
        ),
        MavResult::MAV_RESULT_TEMPORARILY_REJECTED
    );
    assert!(!v.armed);
    assert!(
        v.take_status()
            .iter()
            .any(|(_, t)| t == "Arming denied: Resolve system health failures first")
    );
    run(&mut v, 3.0);
    assert_eq!(
        cmd(
            &mut v,
            MavCmd::MAV_CMD_COMPONENT_ARM_DISARM,
            [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
        ),
        MavResult::MAV_RESULT_ACCEPTED
    );
    assert!(v.armed);
}

#[test]
fn full_flight_takeoff_goto_return_land_disarm() {
    let mut v = vehicle();
    run(&mut v, 3.0);
    assert_eq!(
        cmd(
            &mut v,
            MavCmd::MAV_CMD_COMPONENT_ARM_DISARM,
            [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
        ),
        MavResult::MAV_RESULT_ACCEPTED
    );
    let nan = f64::NAN;
    assert_eq!(
        cmd(
            &mut v,
            MavCmd::MAV_CMD_NAV_TAKEOFF,
            [-1.0, 0.0, 0.0, nan, nan, nan, HOME_ALT + 30.0]
        ),
        MavResult::MAV_RESULT_ACCEPTED
    );
    assert_eq!(v.mode, FlightMode::Takeoff);
    // PX4 SITL: 3 s on the ground, then MPC_TKO_SPEED after a 3 s ramp (~25 s to 30 m).
    run(&mut v, 2.5);
    assert!(v.landed, "still spooling up");
    run(&mut v, 27.5);
    assert_eq!(v.mode, FlightMode::Hold, "takeoff ends in Hold");
    assert!((v.alt_rel_m() - 30.0).abs() < 0.5, "{}", v.alt_rel_m());
    assert!(!v.landed);

    // Disarm in flight is refused.
    assert_eq!(
        cmd(&mut v, MavCmd::MAV_CMD_COMPONENT_ARM_DISARM, [0.0; 7]),
        MavResult::MAV_RESULT_TEMPORARILY_REJECTED
    );

    // Go-to 300 m north as COMMAND_INT with the change-mode flag.
    let target = LatLon::new(HOME.lat_deg + 0.0027, HOME.lon_deg);
    let r = v.handle_command(&CommandRequest {
        command: MavCmd::MAV_CMD_DO_REPOSITION,
        params: [
            -1.0,
            1.0,
            0.0,
            nan,
            target.lat_deg,
            target.lon_deg,
            HOME_ALT + 20.0,
        ],
        frame: Some(MavFrame::MAV_FRAME_GLOBAL),
    });
    assert_eq!(r.result, MavResult::MAV_RESULT_ACCEPTED);
    run(&mut v, 80.0);
    assert!(dist_m(v.pos, target) < 2.5, "{} m", dist_m(v.pos, target));
    assert!((v.alt_rel_m() - 20.0).abs() < 0.5);

    assert_eq!(
        cmd(&mut v, MavCmd::MAV_CMD_NAV_RETURN_TO_LAUNCH, [0.0; 7]),
        MavResult::MAV_RESULT_ACCEPTED
    );
    run(&mut v, 10.0);
    assert!(
        v.alt_rel_m() > 20.5,
        "return climbs to RTL_RETURN_ALT (PX4: 30 m) first"
    );
    let mut highest: f64 = 0.0;
    for _ in 0..3000 {
        v.step(0.1);
        highest = highest.max(v.alt_rel_m());
    }
    assert!((highest - 30.0).abs() < 0.5, "returned at {highest} m");
    assert!(v.landed);
    assert!(
        dist_m(v.pos, HOME) < 0.5,
        "{} m from home",
        dist_m(v.pos, HOME)
    );
    assert!(!v.armed, "auto-disarm after landing");
    let texts: Vec<String> = v.take_status().into_iter().map(|(_, t)| t).collect();
    assert!(texts.iter().any(|t| t == "Landing detected"), "{texts:?}");
    assert!(
        texts.iter().any(|t| t == "Disarmed by landing"),
        "{texts:?}"
    );
}

#[test]
fn reposition_without_change_mode_flag_only_acts_in_hold() {
    let mut v = vehicle();
    run(&mut v, 3.0);
    v.arm().unwrap();
    cmd(
        &mut v,
        MavCmd::MAV_CMD_NAV_TAKEOFF,
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, HOME_ALT + 20.0],
    );
    run(&mut v, 10.0);
    cmd(&mut v, MavCmd::MAV_CMD_NAV_LAND, [0.0; 7]);
    assert_eq!(v.mode, FlightMode::Land);
    let nan = f64::NAN;
    let r = cmd(
        &mut v,
        MavCmd::MAV_CMD_DO_REPOSITION,
        [-1.0, 0.0, 0.0, nan, HOME.lat_deg + 0.01, HOME.lon_deg, nan],
    );
    assert_eq!(r, MavResult::MAV_RESULT_ACCEPTED);
    assert_eq!(v.mode, FlightMode::Land, "no mode change without the flag");
    run(&mut v, 5.0);
    assert!(dist_m(v.pos, HOME) < 1.0, "not flown outside Hold");
}

#[test]
fn unknown_commands_and_unavailable_modes() {
    let mut v = vehicle();
    run(&mut v, 3.0);
    assert_eq!(
        cmd(
            &mut v,
            MavCmd::MAV_CMD_DO_SET_SERVO,
            [1.0, 1500.0, 0.0, 0.0, 0.0, 0.0, 0.0]
        ),
        MavResult::MAV_RESULT_UNSUPPORTED
    );
    // Disarmed, PX4 takes any mode (arming checks it later); armed, not one it cannot fly.
    let (main, sub) = FlightMode::Position.px4_main_sub().unwrap();
    let position = [1.0, main.into(), sub.into(), 0.0, 0.0, 0.0, 0.0];
    assert_eq!(
        cmd(&mut v, MavCmd::MAV_CMD_DO_SET_MODE, position),
        MavResult::MAV_RESULT_ACCEPTED
    );
    assert_eq!(v.mode, FlightMode::Position);
    assert!(v.arm().is_err(), "Position cannot be flown without RC");
    v.enter(FlightMode::Hold);
    v.arm().unwrap();
    v.take_status();
    assert_eq!(
        cmd(&mut v, MavCmd::MAV_CMD_DO_SET_MODE, position),
        MavResult::MAV_RESULT_TEMPORARILY_REJECTED
    );
    assert!(
        v.take_status()
            .iter()
            .any(|(_, t)| t == "Switching to Position is currently not available")
    );
    assert_eq!(v.mode, FlightMode::Hold);
    v.disarm(false).unwrap();
    assert_eq!(
        cmd(&mut v, MavCmd::MAV_CMD_MISSION_START, [0.0; 7]),
        MavResult::MAV_RESULT_DENIED
    );
    let (main, sub) = FlightMode::Return.px4_main_sub().unwrap();
    assert_eq!(
        cmd(
            &mut v,
            MavCmd::MAV_CMD_DO_SET_MODE,
            [1.0, main.into(), sub.into(), 0.0, 0.0, 0.0, 0.0]
        ),
        MavResult::MAV_RESULT_ACCEPTED
    );
    assert_eq!(v.mode, FlightMode::Return);
}

#[test]
fn low_battery_return_then_emergency_land_by_default_as_px4_sitl() {
    let mut v = vehicle();
    assert_eq!(v.params.com_low_bat_act, LowBatteryAction::ReturnThenLand);
    v.battery_model.endurance_s = 200.0;
    run(&mut v, 3.0);
    v.arm().unwrap();
    cmd(
        &mut v,
        MavCmd::MAV_CMD_NAV_TAKEOFF,
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, HOME_ALT + 100.0],
    );
    let mut saw_return = false;
    let mut saw_land = false;
    for _ in 0..2000 {
        v.step(0.1);
        saw_return |= v.mode == FlightMode::Return;
        saw_land |= saw_return && v.mode == FlightMode::Land;
        if v.landed && !v.armed {
            break;
        }
    }
    assert!(saw_return, "critical battery returns");
    assert!(saw_land, "emergency battery lands");
    let texts: Vec<String> = v.take_status().into_iter().map(|(_, t)| t).collect();
    assert!(texts.iter().any(|t| t.contains("Low battery")), "{texts:?}");
    assert!(
        texts.iter().any(|t| t.contains("Critical battery")),
        "{texts:?}"
    );
    assert!(
        texts.iter().any(|t| t.contains("Emergency battery")),
        "{texts:?}"
    );
}

#[test]
fn battery_warning_only_when_com_low_bat_act_is_0() {
    let params = Px4Params {
        com_low_bat_act: LowBatteryAction::Warning,
        ..Px4Params::default()
    };
    let mut v = SimVehicle::new(HOME, HOME_ALT, params);
    v.battery_model.endurance_s = 100.0;
    run(&mut v, 3.0);
    v.arm().unwrap();
    cmd(
        &mut v,
        MavCmd::MAV_CMD_NAV_TAKEOFF,
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, HOME_ALT + 10.0],
    );
    run(&mut v, 97.0);
    assert!(v.battery < 0.05);
    assert_eq!(v.mode, FlightMode::Hold, "COM_LOW_BAT_ACT=0 only warns");
}

#[test]
fn data_link_loss_applies_nav_dll_act() {
    for (act, mode) in [
        (DataLinkLossAction::Return, Some(FlightMode::Return)),
        (DataLinkLossAction::Land, Some(FlightMode::Land)),
        (DataLinkLossAction::Disabled, None),
    ] {
        let mut v = SimVehicle::new(
            HOME,
            HOME_ALT,
            Px4Params {
                nav_dll_act: act,
                ..Px4Params::default()
            },
        );
        run(&mut v, 3.0);
        v.arm().unwrap();
        cmd(
            &mut v,
            MavCmd::MAV_CMD_NAV_TAKEOFF,
            [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, HOME_ALT + 10.0],
        );
        run(&mut v, 15.0);
        assert!(!v.landed);
        v.take_status();
        v.on_data_link_lost();
        // PX4 holds for COM_FAIL_ACT_T (5 s) before the action.
        assert_eq!(v.mode, FlightMode::Hold, "{act:?}");
        assert_eq!(v.failsafe, mode.is_some());
        assert_eq!(
            v.take_status()
                .iter()
                .any(|(_, t)| t == "Failsafe activated"),
            mode.is_some()
        );
        run(&mut v, 4.5);
        assert_eq!(v.mode, FlightMode::Hold, "{act:?} still holding");
        run(&mut v, 1.0);
        assert_eq!(v.mode, mode.unwrap_or(FlightMode::Hold), "{act:?}");
    }
}

#[test]
fn forced_disarm_in_flight_falls() {
    let mut v = vehicle();
    run(&mut v, 3.0);
    v.arm().unwrap();
    cmd(
        &mut v,
        MavCmd::MAV_CMD_NAV_TAKEOFF,
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, HOME_ALT + 30.0],
    );
    run(&mut v, 12.0);
    assert_eq!(
        cmd(
            &mut v,
            MavCmd::MAV_CMD_COMPONENT_ARM_DISARM,
            [0.0, 21196.0, 0.0, 0.0, 0.0, 0.0, 0.0]
        ),
        MavResult::MAV_RESULT_ACCEPTED
    );
    assert!(!v.armed);
    run(&mut v, 3.0);
    assert!(v.landed);
}

fn fence_item(
    seq: u16,
    command: u16,
    p1: f32,
    at: LatLon,
    t: gcs_link::mission::MissionType,
) -> gcs_link::mission::MissionItemInt {
    let (x, y) = at.to_deg_e7();
    gcs_link::mission::MissionItemInt {
        seq,
        frame: 0,
        command,
        current: 0,
        autocontinue: 1,
        param1: p1,
        param2: 0.0,
        param3: 0.0,
        param4: 0.0,
        x,
        y,
        z: 30.0,
        mission_type: t,
    }
}

#[test]
fn geofence_breach_applies_gf_action_and_return_uses_the_closest_rally_point() {
    use gcs_link::mission::MissionType::{Fence, Rally};
    use gcs_sim::GeofenceAction;
    let mut v = SimVehicle::new(
        HOME,
        HOME_ALT,
        Px4Params {
            gf_action: GeofenceAction::Return,
            ..Px4Params::default()
        },
    );
    // A 500 m circle around home is the only place allowed.
    v.geofence =
        gcs_sim::geofence::Geofence::from_items(&[fence_item(0, 5003, 500.0, HOME, Fence)]);
    let rally = LatLon::new(HOME.lat_deg + 0.0036, HOME.lon_deg); // 400 m north, inside
    v.rally = gcs_sim::geofence::rally_points(&[fence_item(0, 5100, 0.0, rally, Rally)]);
    run(&mut v, 3.0);
    v.arm().unwrap();
    cmd(
        &mut v,
        MavCmd::MAV_CMD_NAV_TAKEOFF,
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, HOME_ALT + 30.0],
    );
    run(&mut v, 12.0);
    v.take_status();
    // Fly north, out of the fence.
    let nan = f64::NAN;
    let out = LatLon::new(HOME.lat_deg + 0.009, HOME.lon_deg);
    cmd(
        &mut v,
        MavCmd::MAV_CMD_DO_REPOSITION,
        [-1.0, 1.0, 0.0, nan, out.lat_deg, out.lon_deg, nan],
    );
    let mut breached_at = None;
    for _ in 0..3000 {
        v.step(0.1);
        if v.mode == FlightMode::Return {
            breached_at = Some(v.pos);
            break;
        }
    }
    let at = breached_at.expect("GF_ACTION=Return fired");
    assert!(
        dist_m(at, HOME) > 490.0 && dist_m(at, HOME) < 520.0,
        "breach at {} m",
        dist_m(at, HOME)
    );
    assert!(
        v.take_status()
            .iter()
            .any(|(_, t)| t == "Geofence breached")
    );
    assert_eq!(
        v.return_target, rally,
        "the rally point is closer than home"
    );
    run(&mut v, 400.0);
    assert!(v.landed);
    assert!(
        dist_m(v.pos, rally) < 1.0,
        "landed {} m from the rally point",
        dist_m(v.pos, rally)
    );
}

#[test]
fn mission_with_jump_loiter_turns_and_land_flies_in_order() {
    use gcs_link::mission::MissionType::Mission;
    let mut v = vehicle();
    let a = LatLon::new(HOME.lat_deg + 0.001, HOME.lon_deg);
    let b = LatLon::new(HOME.lat_deg, HOME.lon_deg + 0.001);
    let item = |seq: u16, command: u16, p: [f32; 3], at: Option<LatLon>, z: f32| {
        let mut it = fence_item(
            seq,
            command,
            p[0],
            at.unwrap_or(LatLon::new(0.0, 0.0)),
            Mission,
        );
        if at.is_none() {
            it.x = 0;
            it.y = 0;
        }
        it.frame = 3;
        it.param2 = p[1];
        it.param3 = p[2];
        it.z = z;
        it
    };
    v.load_mission(vec![
        item(0, 22, [0.0; 3], None, 20.0),
        item(1, 16, [0.0; 3], Some(a), 20.0),
        item(2, 177, [1.0, 2.0, 0.0], None, 0.0), // jump to 1, twice
        item(3, 18, [1.0, 0.0, 20.0], Some(b), 25.0), // one turn of 20 m radius
        item(4, 21, [0.0; 3], Some(a), 0.0),
    ]);
    run(&mut v, 3.0);
    v.arm().unwrap();
    assert_eq!(
        cmd(&mut v, MavCmd::MAV_CMD_MISSION_START, [0.0; 7]),
        MavResult::MAV_RESULT_ACCEPTED
    );
    let mut reached = Vec::new();
    let mut loiter_started = None;
    for _ in 0..20_000 {
        v.step(0.05);
        for r in v.take_reached() {
            if r == 3 {
                loiter_started = Some(v.time_s);
            }
            if r == 4 {
                // One turn of 20 m at 5 m/s takes 2π·20/5 ≈ 25 s.
                let waited = v.time_s - loiter_started.expect("loiter first");
                assert!(waited > 24.0, "left the loiter after {waited:.1} s");
            }
            reached.push(r);
        }
        if v.landed && !v.armed {
            break;
        }
    }
    assert_eq!(reached, vec![0, 1, 1, 1, 3, 4]);
    assert!(v.landed);
    assert!(dist_m(v.pos, a) < 2.5);
}
