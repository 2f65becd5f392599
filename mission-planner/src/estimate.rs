//! Distance, flight time and battery use of a mission.

use serde::Serialize;

use crate::flight::{FlightPath, FlightSettings, flight_path};
use crate::geodesy::distance_m;
use crate::{ElevationModel, Mission};
pub use vigil_values::px4_envelope::Px4Envelope;

/// PX4's multicopter mission cruise speed, `MPC_XY_CRUISE` (m/s): what PX4 flies
/// mission legs at until a DO_CHANGE_SPEED.
pub const PX4_MPC_XY_CRUISE_MPS: f64 = 5.0;

/// What the estimate assumes of the vehicle.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct VehicleModel {
    /// Planned cruise speed, m/s: what generated plans command (DO_CHANGE_SPEED)
    /// and size their sorties by.
    pub cruise_speed_mps: f64,
    /// Speed the autopilot flies mission legs at before the mission's first
    /// DO_CHANGE_SPEED, m/s (PX4 multicopter: `MPC_XY_CRUISE`, 5). Estimates use it,
    /// never the planned speed, for legs no speed item covers.
    pub default_speed_mps: f64,
    /// Climb rate, m/s.
    pub climb_rate_mps: f64,
    /// Descent rate, m/s.
    pub descent_rate_mps: f64,
    /// Flight time on a full battery, seconds.
    pub endurance_s: f64,
    /// Fraction of endurance kept in reserve (0.2 = 20%).
    pub reserve_frac: f64,
    /// How the autopilot really flies (PX4's `MPC_*` envelope, read from the vehicle when
    /// connected): with it, legs fly at most its top speed, start and end with its
    /// acceleration (slowing at corners by the turn), take-offs wait out PX4's spool-up
    /// and landings slow down near the ground as PX4's do. `None`: constant speeds only.
    #[serde(skip)]
    pub envelope: Option<Px4Envelope>,
}

impl Default for VehicleModel {
    fn default() -> Self {
        VehicleModel {
            cruise_speed_mps: 15.0,
            default_speed_mps: PX4_MPC_XY_CRUISE_MPS,
            climb_rate_mps: 3.0,
            descent_rate_mps: 2.0,
            endurance_s: 3600.0,
            reserve_frac: 0.2,
            envelope: None,
        }
    }
}

impl VehicleModel {
    /// A PX4 multicopter flying `envelope` (e.g. [`Px4Envelope::from_params`] of the
    /// connected vehicle), plans commanding `cruise_speed_mps`, on `endurance_s` of battery.
    pub fn px4(envelope: Px4Envelope, cruise_speed_mps: f64, endurance_s: f64) -> Self {
        Self {
            cruise_speed_mps,
            default_speed_mps: envelope.cruise_mps,
            climb_rate_mps: envelope.climb_mps,
            descent_rate_mps: envelope.descent_mps,
            endurance_s,
            envelope: Some(envelope),
            ..Self::default()
        }
    }

    /// Flight time allowed once the reserve is kept, seconds.
    pub fn usable_s(&self) -> f64 {
        self.endurance_s * (1.0 - self.reserve_frac)
    }
}

/// Estimated distance, time and battery of one flight.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Estimate {
    /// Horizontal distance flown, metres.
    pub distance_m: f64,
    /// Total flight time, seconds (cruise + climb + descent + loiter).
    pub time_s: f64,
    /// Time in horizontal flight, seconds.
    pub cruise_s: f64,
    /// Time climbing beyond horizontal flight time, seconds.
    pub climb_s: f64,
    /// Time descending beyond horizontal flight time, seconds.
    pub descent_s: f64,
    /// Time loitering, holding or delayed, seconds.
    pub loiter_s: f64,
    /// Fraction of a full battery used (time / endurance).
    pub battery_frac: f64,
    /// Highest altitude above mean sea level, metres.
    pub max_alt_amsl_m: f64,
}

/// Estimate of a flown path. Each leg takes the longer of its horizontal time at
/// speed and its vertical time at the climb or descent rate; with the vehicle's
/// [`envelope`](VehicleModel::envelope), also its top speed, accelerations, take-off
/// and landing.
pub fn estimate_path(path: &FlightPath, vehicle: &VehicleModel) -> Estimate {
    let mut e = Estimate {
        max_alt_amsl_m: f64::MIN,
        ..Estimate::default()
    };
    let env = vehicle.envelope;
    let ground_alt = path.points.first().map_or(0.0, |p| p.alt_amsl_m);
    let last = path.points.len().saturating_sub(1);
    let legs = horizontal_legs(path, vehicle);
    for (i, p) in path.points.iter().enumerate() {
        e.loiter_s += p.hold_s;
        e.max_alt_amsl_m = e.max_alt_amsl_m.max(p.alt_amsl_m);
        if i == 0 {
            continue;
        }
        let prev = &path.points[i - 1];
        let d = distance_m(prev.position, p.position);
        e.distance_m += d;
        let speed = legs[i].map_or(vehicle.default_speed_mps, |l| l.speed_mps);
        let cruise = d / speed;
        e.cruise_s += cruise;
        if let (Some(env), Some(l)) = (env, legs[i]) {
            e.cruise_s += env.speed_change_loss_s(speed, l.start_mps)
                + env.speed_change_loss_s(speed, l.end_mps);
        }
        // Climbing and descending overlap horizontal flight: only the time a leg
        // needs beyond its horizontal time is counted as climb or descent.
        let dz = p.alt_amsl_m - prev.alt_amsl_m;
        let vertical_only = d < 1.0;
        match env {
            // PX4's take-off: spool-up, ramp, then the climb rate.
            Some(env)
                if dz > 0.0 && vertical_only && (prev.alt_amsl_m - ground_alt).abs() < 0.5 =>
            {
                e.climb_s += env.takeoff_s(dz, vehicle.climb_rate_mps);
            }
            // PX4's landing: slower near the ground, then the land detector.
            Some(env)
                if dz < 0.0
                    && vertical_only
                    && i == last
                    && (p.alt_amsl_m - ground_alt).abs() < 0.5 =>
            {
                e.descent_s += env.landing_s(-dz);
            }
            _ if dz > 0.0 => e.climb_s += (dz / vehicle.climb_rate_mps - cruise).max(0.0),
            _ => e.descent_s += (-dz / vehicle.descent_rate_mps - cruise).max(0.0),
        }
    }
    if path.points.is_empty() {
        e.max_alt_amsl_m = 0.0;
    }
    e.time_s = e.cruise_s + e.climb_s + e.descent_s + e.loiter_s;
    e.battery_frac = if vehicle.endurance_s > 0.0 {
        e.time_s / vehicle.endurance_s
    } else {
        f64::INFINITY
    };
    e
}

/// A horizontal leg's speed and the speeds it starts and ends at.
#[derive(Debug, Clone, Copy)]
struct Leg {
    speed_mps: f64,
    start_mps: f64,
    end_mps: f64,
}

/// For each point, the leg that ends there (if horizontal, over 1 m): its speed, capped
/// by the envelope, and its corner speeds: at rest where a leg meets a vertical one or
/// the end, else the slower leg's speed scaled by the cosine of the turn (a right angle
/// or more stops), as PX4's smoothed trajectories slow into corners.
fn horizontal_legs(path: &FlightPath, vehicle: &VehicleModel) -> Vec<Option<Leg>> {
    use crate::geodesy::bearing_deg;
    let pts = &path.points;
    let mut legs: Vec<Option<(f64, f64)>> = vec![None; pts.len()];
    for i in 1..pts.len() {
        let (a, b) = (&pts[i - 1], &pts[i]);
        if distance_m(a.position, b.position) < 1.0 {
            continue;
        }
        let commanded = (b.speed_mps > 0.0).then_some(b.speed_mps);
        let speed = match vehicle.envelope {
            Some(env) => env.leg_speed_mps(commanded.or(Some(vehicle.default_speed_mps))),
            None => commanded.unwrap_or(vehicle.default_speed_mps),
        };
        legs[i] = Some((speed, bearing_deg(a.position, b.position)));
    }
    let corner = |x: Option<(f64, f64)>, y: Option<(f64, f64)>| match (x, y) {
        (Some((va, ha)), Some((vb, hb))) => {
            let turn = ((hb - ha + 540.0) % 360.0 - 180.0).abs().to_radians();
            va.min(vb) * turn.cos().max(0.0)
        }
        _ => 0.0,
    };
    (0..pts.len())
        .map(|i| {
            let (speed_mps, _) = legs[i]?;
            let before = if i >= 1 { legs[i - 1] } else { None };
            let after = legs.get(i + 1).copied().flatten();
            Some(Leg {
                speed_mps,
                start_mps: corner(before, legs[i]),
                end_mps: corner(legs[i], after),
            })
        })
        .collect()
}

/// Estimate of a mission flown with `vehicle` over `terrain`: legs at the speed the
/// mission commands, the vehicle's default speed before its first DO_CHANGE_SPEED.
pub fn estimate_mission(
    mission: &Mission,
    terrain: &dyn ElevationModel,
    vehicle: &VehicleModel,
) -> Estimate {
    let path = flight_path(
        mission,
        terrain,
        FlightSettings {
            cruise_speed_mps: vehicle.default_speed_mps,
        },
    );
    estimate_path(&path, vehicle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Altitude, FlatTerrain, Home, LatLon, MissionItem};

    /// A mission from a home 200 m AMSL that starts with a take-off to 60 m.
    fn taken_off_at_60_m() -> (LatLon, Mission) {
        let home = LatLon::new(13.5, 2.1);
        let mut m = Mission {
            home: Some(Home {
                position: home,
                alt_amsl_m: 200.0,
            }),
            ..Mission::default()
        };
        m.items
            .push(MissionItem::takeoff(home, Altitude::above_home(60.0)));
        (home, m)
    }

    #[test]
    fn square_mission_time_adds_up() {
        let (home, mut m) = taken_off_at_60_m();
        let far = crate::geodesy::destination(home, 90.0, 1500.0);
        m.items
            .push(MissionItem::waypoint(far, Altitude::above_home(60.0)));
        m.items
            .push(MissionItem::command(crate::MissionCommand::ReturnToLaunch));
        let v = VehicleModel {
            cruise_speed_mps: 15.0,
            default_speed_mps: 15.0,
            climb_rate_mps: 3.0,
            descent_rate_mps: 2.0,
            ..VehicleModel::default()
        };
        let e = estimate_mission(&m, &FlatTerrain { height_m: 200.0 }, &v);
        assert!((e.distance_m - 3000.0).abs() < 1.0, "{e:?}");
        assert!((e.cruise_s - 200.0).abs() < 0.1);
        assert!((e.climb_s - 20.0).abs() < 1e-9);
        assert!((e.descent_s - 30.0).abs() < 1e-9);
        assert!((e.time_s - 250.0).abs() < 0.1);
        assert!((e.battery_frac - 250.0 / 3600.0).abs() < 1e-4);
    }

    #[test]
    fn a_px4_envelope_caps_speed_and_adds_px4s_phases() {
        let (home, mut m) = taken_off_at_60_m();
        m.items.push(MissionItem::change_speed(12.0));
        let east = crate::geodesy::destination(home, 90.0, 1500.0);
        let north_east = crate::geodesy::destination(east, 0.0, 1500.0);
        m.items
            .push(MissionItem::waypoint(east, Altitude::above_home(60.0)));
        m.items.push(MissionItem::waypoint(
            north_east,
            Altitude::above_home(60.0),
        ));
        m.items
            .push(MissionItem::land(north_east, Altitude::above_home(0.0)));
        let terrain = FlatTerrain { height_m: 200.0 };
        let sih = Px4Envelope {
            airframe_max_mps: 10.0,
            ..Px4Envelope::DEFAULT
        };
        // The same vehicle flown at constant speeds, without PX4's envelope.
        let plain = estimate_mission(
            &m,
            &terrain,
            &VehicleModel {
                envelope: None,
                ..VehicleModel::px4(Px4Envelope::DEFAULT, 12.0, 3600.0)
            },
        );
        let with = |env| estimate_mission(&m, &terrain, &VehicleModel::px4(env, 12.0, 3600.0));
        let px4 = with(Px4Envelope::DEFAULT);
        let slow = with(sih);
        // 3 km at 12 m/s, or at the airframe's 10 m/s.
        assert!(slow.cruise_s > px4.cruise_s + 40.0, "{slow:?} {px4:?}");
        // Two stops (start, right-angle corner, end): v/a each, 4 s at 12 m/s, 3.3 s at 10.
        let stops = px4.cruise_s - 3000.0 / 12.0;
        assert!((stops - 2.0 * 12.0 / 3.0).abs() < 0.2, "{stops}");
        // Take-off: PX4's delay and ramp; landing: slower near the ground, then detection.
        let e = Px4Envelope::DEFAULT;
        assert!(
            (px4.climb_s - e.takeoff_s(60.0, 3.0)).abs() < 1e-6,
            "{px4:?}"
        );
        assert!((px4.descent_s - e.landing_s(60.0)).abs() < 1e-6, "{px4:?}");
        assert!(px4.time_s > plain.time_s, "{px4:?} {plain:?}");
    }
}
