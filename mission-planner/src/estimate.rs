//! Distance, flight time and battery use of a mission.

use serde::Serialize;

use crate::flight::{FlightPath, FlightSettings, flight_path};
use crate::geodesy::distance_m;
use crate::{ElevationModel, Mission};

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
        }
    }
}

impl VehicleModel {
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
/// speed and its vertical time at the climb or descent rate.
pub fn estimate_path(path: &FlightPath, vehicle: &VehicleModel) -> Estimate {
    let mut e = Estimate {
        max_alt_amsl_m: f64::MIN,
        ..Estimate::default()
    };
    for (i, p) in path.points.iter().enumerate() {
        e.loiter_s += p.hold_s;
        e.max_alt_amsl_m = e.max_alt_amsl_m.max(p.alt_amsl_m);
        if i == 0 {
            continue;
        }
        let prev = &path.points[i - 1];
        let d = distance_m(prev.position, p.position);
        e.distance_m += d;
        let speed = if p.speed_mps > 0.0 {
            p.speed_mps
        } else {
            vehicle.default_speed_mps
        };
        let cruise = d / speed;
        e.cruise_s += cruise;
        // Climbing and descending overlap horizontal flight: only the time a leg
        // needs beyond its horizontal time is counted as climb or descent.
        let dz = p.alt_amsl_m - prev.alt_amsl_m;
        if dz > 0.0 {
            e.climb_s += (dz / vehicle.climb_rate_mps - cruise).max(0.0);
        } else {
            e.descent_s += (-dz / vehicle.descent_rate_mps - cruise).max(0.0);
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

    #[test]
    fn square_mission_time_adds_up() {
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
}
