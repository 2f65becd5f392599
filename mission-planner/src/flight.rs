//! The path a mission flies: items executed in order (jumps followed, loiters
//! timed), each position resolved to metres above mean sea level.
//!
//! Estimates and validation both work on this path, so they agree.

use serde::Serialize;

use crate::geodesy::distance_m;
use crate::{AltitudeReference, ElevationModel, LatLon, Mission, MissionCommand};

/// Most item executions followed before giving up on a looping mission.
const MAX_STEPS: usize = 100_000;

/// One point the vehicle flies through.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FlownPoint {
    /// MAVLink seq of the item that put it there (0 for home with a home).
    pub seq: usize,
    /// Where.
    pub position: LatLon,
    /// Altitude above mean sea level, metres.
    pub alt_amsl_m: f64,
    /// Height above terrain when the item is in the terrain frame (the vehicle
    /// then follows terrain on the leg to this point).
    pub alt_agl_m: Option<f64>,
    /// Horizontal speed on the leg arriving here, m/s.
    pub speed_mps: f64,
    /// Time spent here (loiter, hold, delay), seconds.
    pub hold_s: f64,
}

/// The flown path of a mission.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlightPath {
    /// Points in flight order, starting at home on the ground when known.
    pub points: Vec<FlownPoint>,
    /// A jump repeats forever (the path holds one pass).
    pub repeats_forever: bool,
}

/// Settings for resolving the flown path.
#[derive(Debug, Clone, Copy)]
pub struct FlightSettings {
    /// Speed until a DO_CHANGE_SPEED, m/s.
    pub cruise_speed_mps: f64,
}

/// The path `mission` flies, altitudes resolved with `terrain` (home altitude
/// from the mission, else terrain at home, else 0).
pub fn flight_path(
    mission: &Mission,
    terrain: &dyn ElevationModel,
    settings: FlightSettings,
) -> FlightPath {
    let offset = usize::from(mission.home.is_some());
    let first_pos = mission.items.iter().find_map(|i| i.position());
    let home_pos = mission.home.map(|h| h.position).or(first_pos);
    let home_alt = mission
        .home
        .map(|h| h.alt_amsl_m)
        .filter(|a| a.is_finite())
        .or_else(|| home_pos.and_then(|p| terrain.elevation_m(p)))
        .unwrap_or(0.0);
    let ground = |p: LatLon| terrain.elevation_m(p).unwrap_or(home_alt);
    let mut speed = settings.cruise_speed_mps;
    let mut points = Vec::new();
    if let Some(h) = home_pos {
        points.push(FlownPoint {
            seq: 0,
            position: h,
            alt_amsl_m: home_alt,
            alt_agl_m: None,
            speed_mps: speed,
            hold_s: 0.0,
        });
    }
    let mut repeats_forever = false;
    let mut remaining: std::collections::HashMap<usize, i64> = std::collections::HashMap::new();
    let mut idx = 0;
    let mut steps = 0;
    while idx < mission.items.len() && steps < MAX_STEPS {
        steps += 1;
        let item = &mission.items[idx];
        let seq = idx + offset;
        let last_alt = points.last().map(|l: &FlownPoint| l.alt_amsl_m);
        let last_pos = points.last().map(|l: &FlownPoint| l.position);
        let mut push =
            |position: LatLon, alt_amsl_m: f64, alt_agl_m: Option<f64>, hold_s: f64, speed: f64| {
                points.push(FlownPoint {
                    seq,
                    position,
                    alt_amsl_m,
                    alt_agl_m,
                    speed_mps: speed,
                    hold_s,
                });
            };
        match item.command {
            MissionCommand::ChangeSpeed { speed_mps, .. }
                if speed_mps > 0.0 && speed_mps.is_finite() =>
            {
                speed = speed_mps
            }
            MissionCommand::Delay { delay_s } => {
                if let Some(last) = points.last_mut() {
                    last.hold_s += delay_s.max(0.0);
                }
            }
            MissionCommand::ReturnToLaunch => {
                if let (Some(h), Some(last_alt)) = (home_pos, last_alt) {
                    push(h, last_alt, None, 0.0, speed);
                    push(h, home_alt, None, 0.0, speed);
                }
            }
            MissionCommand::Jump { target_seq, repeat } => {
                let left = remaining.entry(idx).or_insert(i64::from(repeat));
                if *left < 0 {
                    repeats_forever = true;
                } else if *left > 0 {
                    *left -= 1;
                    if let Some(target) = usize::from(target_seq)
                        .checked_sub(offset)
                        .filter(|t| *t < mission.items.len())
                    {
                        idx = target;
                        continue;
                    }
                }
            }
            _ => {
                if let (Some(mut p), Some(alt)) = (item.position(), item.altitude()) {
                    // ArduPilot reads 0,0 as "where the vehicle is" (take-off, land).
                    if p == LatLon::new(0.0, 0.0) {
                        match last_pos {
                            Some(last) => p = last,
                            None => {
                                idx += 1;
                                continue;
                            }
                        }
                    }
                    let (amsl, agl) = match alt.reference {
                        AltitudeReference::Amsl => (alt.alt_m, None),
                        AltitudeReference::Home => (home_alt + alt.alt_m, None),
                        AltitudeReference::Terrain => (ground(p) + alt.alt_m, Some(alt.alt_m)),
                    };
                    let hold_s = match item.command {
                        MissionCommand::Waypoint { hold_s, .. } => hold_s.max(0.0),
                        MissionCommand::LoiterTime { time_s, .. } => time_s.max(0.0),
                        MissionCommand::LoiterTurns {
                            turns, radius_m, ..
                        } => {
                            let r = if radius_m.abs() > 0.0 {
                                radius_m.abs()
                            } else {
                                30.0
                            };
                            turns.max(0.0) * std::f64::consts::TAU * r / speed
                        }
                        _ => 0.0,
                    };
                    let is_land = matches!(item.command, MissionCommand::Land { .. })
                        || item.to_params().command == crate::raw::cmd::NAV_VTOL_LAND;
                    if is_land {
                        push(p, last_alt.unwrap_or(amsl), None, 0.0, speed);
                        push(p, ground(p), None, 0.0, speed);
                    } else {
                        push(p, amsl, agl, hold_s, speed);
                    }
                }
            }
        }
        idx += 1;
    }
    FlightPath {
        points,
        repeats_forever,
    }
}

impl FlightPath {
    /// Total horizontal distance, metres.
    pub fn distance_m(&self) -> f64 {
        self.points
            .windows(2)
            .map(|w| distance_m(w[0].position, w[1].position))
            .sum()
    }
}
