//! Mission speed as PX4 flies it: `MPC_XY_CRUISE` until a DO_CHANGE_SPEED, that speed
//! clamped to `MPC_XY_VEL_MAX`, -1 or 0 keeping the current one, and a new mission
//! starting again at the cruise default.

use gcs_link::mavlink::dialects::common::{MavCmd, MavResult};
use gcs_link::mission::{MissionItemInt, MissionType};
use gcs_sim::commands::CommandRequest;
use gcs_sim::{Px4Params, SimVehicle};
use geo::{Distance, Haversine, Point};
use vigil_values::LatLon;

const HOME: LatLon = LatLon::new(16.9742, 7.9865);
const HOME_ALT: f64 = 501.0;

fn dist_m(a: LatLon, b: LatLon) -> f64 {
    Haversine.distance(
        Point::new(a.lon_deg, a.lat_deg),
        Point::new(b.lon_deg, b.lat_deg),
    )
}

fn item(seq: u16, command: u16, params: [f32; 4], at: Option<LatLon>, z: f32) -> MissionItemInt {
    let (x, y) = at.map_or((0, 0), LatLon::to_deg_e7);
    MissionItemInt {
        seq,
        // Positional items relative to home; DO items in MAV_FRAME_MISSION as QGC writes them.
        frame: if at.is_some() || command == 22 { 3 } else { 2 },
        command,
        current: 0,
        autocontinue: 1,
        param1: params[0],
        param2: params[1],
        param3: params[2],
        param4: params[3],
        x,
        y,
        z,
        mission_type: MissionType::Mission,
    }
}

/// Take-off to 20 m, then `speed_items` (DO_CHANGE_SPEED param2 values, ground speed),
/// then a waypoint 3 km north.
fn mission(speed_items: &[f32]) -> Vec<MissionItemInt> {
    let far = LatLon::new(HOME.lat_deg + 0.027, HOME.lon_deg);
    let mut items = vec![item(0, 22, [0.0; 4], None, 20.0)];
    for s in speed_items {
        let seq = items.len() as u16;
        items.push(item(seq, 178, [1.0, *s, -1.0, 0.0], None, 0.0));
    }
    let seq = items.len() as u16;
    items.push(item(seq, 16, [0.0; 4], Some(far), 20.0));
    items
}

/// Starts the loaded mission on a vehicle on the ground.
fn start(v: &mut SimVehicle) {
    while v.arm().is_err() {
        assert!(v.time_s < 10.0, "never ready to arm");
        v.step(0.1);
    }
    let accepted = v.handle_command(&CommandRequest {
        command: MavCmd::MAV_CMD_MISSION_START,
        params: [0.0; 7],
        frame: None,
    });
    assert_eq!(accepted.result, MavResult::MAV_RESULT_ACCEPTED);
}

/// Ground speed mid-leg (from 500 m out, over 20 simulated seconds), m/s: measured from
/// the distance flown and checked against the model's own velocity.
fn mid_leg_speed_mps(v: &mut SimVehicle) -> f64 {
    while dist_m(HOME, v.pos) < 500.0 {
        assert!(v.time_s < 3600.0, "never got 500 m out");
        v.step(0.05);
    }
    let (from, t0) = (v.pos, v.time_s);
    while v.time_s - t0 < 20.0 {
        v.step(0.05);
    }
    let measured = dist_m(from, v.pos) / (v.time_s - t0);
    let [n, e, _] = v.vel_ned_mps;
    let model = n.hypot(e);
    assert!(
        (model - measured).abs() < 0.05,
        "model says {model} m/s, flown {measured} m/s"
    );
    measured
}

fn flown_speed_mps(speed_items: &[f32]) -> f64 {
    flown_speed_with(speed_items, Px4Params::default())
}

fn flown_speed_with(speed_items: &[f32], params: Px4Params) -> f64 {
    let mut v = SimVehicle::new(HOME, HOME_ALT, params);
    v.load_mission(mission(speed_items));
    start(&mut v);
    mid_leg_speed_mps(&mut v)
}

#[test]
fn without_a_speed_item_the_mission_flies_at_mpc_xy_cruise() {
    let s = flown_speed_mps(&[]);
    assert!((s - 5.0).abs() < 0.05, "{s} m/s");
}

#[test]
fn a_change_speed_item_sets_the_ground_speed() {
    let s = flown_speed_mps(&[9.0]);
    assert!((s - 9.0).abs() < 0.05, "{s} m/s");
}

#[test]
fn a_speed_above_mpc_xy_vel_max_is_clamped_to_it() {
    let params = Px4Params {
        mpc_xy_vel_max_mps: 7.0,
        ..Px4Params::default()
    };
    let s = flown_speed_with(&[8.0], params);
    assert!((s - 7.0).abs() < 0.05, "{s} m/s");
}

#[test]
fn the_sih_airframe_cannot_fly_faster_than_about_9_8_mps() {
    // PX4 SITL flew a 12 m/s patrol at ~9.6 m/s: SIH's drag at MPC_TILTMAX_AIR.
    let s = flown_speed_mps(&[12.0]);
    assert!(
        (s - gcs_sim::model::airframe_top_speed_mps()).abs() < 0.05,
        "{s} m/s"
    );
    assert!((9.7..9.9).contains(&s), "{s} m/s");
}

#[test]
fn minus_one_or_zero_keep_the_current_speed() {
    let s = flown_speed_mps(&[8.0, -1.0, 0.0]);
    assert!((s - 8.0).abs() < 0.05, "{s} m/s");
}

#[test]
fn a_new_mission_starts_again_at_the_cruise_default() {
    let mut v = SimVehicle::new(HOME, HOME_ALT, Px4Params::default());
    v.load_mission(mission(&[12.0]));
    start(&mut v);
    let first = mid_leg_speed_mps(&mut v);
    assert!(
        (first - gcs_sim::model::airframe_top_speed_mps()).abs() < 0.05,
        "{first} m/s"
    );
    // A new upload mid-flight, then the mission restarted: no speed item in it.
    v.load_mission(mission(&[]));
    start(&mut v);
    // Past the speed change (MPC_ACC_HOR), then measured.
    let settle = v.time_s;
    while v.time_s - settle < 5.0 {
        v.step(0.05);
    }
    let (from, t0) = (v.pos, v.time_s);
    while v.time_s - t0 < 20.0 {
        v.step(0.05);
    }
    let second = dist_m(from, v.pos) / (v.time_s - t0);
    assert!((second - 5.0).abs() < 0.05, "{second} m/s");
}
