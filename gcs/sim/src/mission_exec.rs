//! Flying the uploaded mission, as PX4's navigator does: NAV items one after another
//! (takeoff, waypoints with acceptance radius and hold time, loiters, delay, land,
//! return), DO items executed on the way (change speed, jump), MISSION_ITEM_REACHED
//! for each NAV item, and Hold when the list ends.

use gcs_link::FlightMode;
use gcs_link::mavlink::dialects::common::MavSeverity;
use gcs_link::mission::MissionItemInt;
use vigil_values::LatLon;

use crate::model::SimVehicle;

/// Loiter radius when an item gives none, metres.
const DEFAULT_LOITER_RADIUS_M: f64 = 80.0;

impl SimVehicle {
    /// Loads a new mission (as stored by the mission server) and rewinds it.
    pub fn load_mission(&mut self, items: Vec<MissionItemInt>) {
        self.mission = items;
        self.mission_seq = 0;
        self.item_reached_at_s = None;
        self.jumps_done.clear();
        // A new mission starts at the default cruise speed (PX4 resets the cruising
        // speed when the mission changes).
        self.speed_override_mps = None;
        if self.mode == FlightMode::Mission && self.mission.is_empty() {
            self.enter(FlightMode::Hold);
        }
    }

    /// Makes `seq` the current item, if it exists.
    pub fn set_mission_current(&mut self, seq: u16) -> bool {
        if usize::from(seq) < self.mission.len() {
            self.mission_seq = seq;
            self.item_reached_at_s = None;
            true
        } else {
            false
        }
    }

    /// MISSION_ITEM_REACHED sequence numbers since the last call.
    pub fn take_reached(&mut self) -> Vec<u16> {
        std::mem::take(&mut self.reached)
    }

    /// Target position and AMSL altitude of a positional item (current position if it has none).
    fn item_target(&self, item: &MissionItemInt) -> (LatLon, f64) {
        let pos = if item.x == 0 && item.y == 0 {
            self.pos
        } else {
            LatLon::from_deg_e7(item.x, item.y)
        };
        let alt = match item.frame {
            // MAV_FRAME_GLOBAL, _INT: AMSL
            0 | 5 => f64::from(item.z),
            // relative to home (GLOBAL_RELATIVE_ALT and _INT); MISSION frame has no altitude
            3 | 6 => self.home_alt_amsl_m + f64::from(item.z),
            _ => self.alt_amsl_m,
        };
        (
            pos,
            if alt.is_finite() {
                alt
            } else {
                self.alt_amsl_m
            },
        )
    }

    fn advance(&mut self) {
        self.mission_seq += 1;
        self.item_reached_at_s = None;
    }

    /// Reports the current item reached, once. PX4 reports it after moving past the DO
    /// items that follow it, with the last one's index (a waypoint followed by a
    /// DO_CHANGE_SPEED is reported as the DO item: recorded on PX4 SITL; a DO_JUMP, not
    /// recorded, stops the scan).
    fn mark_reached(&mut self) {
        if self.item_reached_at_s.is_none() {
            self.item_reached_at_s = Some(self.time_s);
            let mut seq = self.mission_seq;
            while self
                .mission
                .get(usize::from(seq) + 1)
                .is_some_and(|next| !is_nav(next.command) && next.command != 177)
            {
                seq += 1;
            }
            self.reached.push(seq);
        }
    }

    fn waited(&self, seconds: f64) -> bool {
        self.item_reached_at_s
            .is_some_and(|t| self.time_s - t >= seconds.max(0.0))
    }

    /// One step of mission flight.
    pub(crate) fn fly_mission(&mut self, dt: f64) {
        // DO items take no time: run them until a NAV item is current (bounded against jump loops).
        for _ in 0..64 {
            let Some(item) = self.mission.get(usize::from(self.mission_seq)).copied() else {
                self.say(
                    MavSeverity::MAV_SEVERITY_INFO,
                    "Mission finished, loitering",
                );
                self.enter(FlightMode::Hold);
                return;
            };
            match item.command {
                178 => {
                    // DO_CHANGE_SPEED: param2 is the ground speed; -1 or 0 keeps the
                    // current one (PX4's mission_block only takes a positive speed).
                    if item.param2 > 0.0 && item.param2.is_finite() {
                        self.speed_override_mps = Some(f64::from(item.param2));
                    }
                    self.advance();
                }
                177 => {
                    // DO_JUMP: param1 target item, param2 repeat count (-1: forever).
                    let done = self.jumps_done.get(&item.seq).copied().unwrap_or(0);
                    let repeat = item.param2;
                    let target = item.param1.max(0.0) as u16;
                    if (repeat < 0.0 || (done as f32) < repeat)
                        && usize::from(target) < self.mission.len()
                    {
                        self.jumps_done.insert(item.seq, done + 1);
                        self.mission_seq = target;
                        self.item_reached_at_s = None;
                    } else {
                        self.advance();
                    }
                }
                16 | 17 | 18 | 19 | 20 | 21 | 22 | 31 | 93 => return self.fly_nav_item(&item, dt),
                _ => self.advance(), // other DO commands: nothing to simulate
            }
        }
    }

    fn fly_nav_item(&mut self, item: &MissionItemInt, dt: f64) {
        let (target, alt) = self.item_target(item);
        if self.landed || item.command == 22 {
            // NAV_TAKEOFF, or any first item flown from the ground: PX4 takes off to the
            // item's altitude first.
            if self.landed && self.armed && self.takeoff_began_s.is_none() {
                let above_home = alt - self.home_alt_amsl_m;
                self.say(
                    MavSeverity::MAV_SEVERITY_INFO,
                    format!("Climb to {above_home:.1} meters above home"),
                );
            }
            if !self.take_off(alt, self.params.mpc_z_v_auto_up_mps, dt) {
                return;
            }
            if item.command == 22 {
                self.mark_reached();
                self.advance();
                return;
            }
        }
        match item.command {
            20 => {
                // PX4 hands over to Return with MISSION_CURRENT left on this item and no
                // MISSION_ITEM_REACHED for it.
                self.enter(FlightMode::Return);
            }
            21 => {
                // NAV_LAND: fly there at the current altitude, then land.
                if self.item_reached_at_s.is_none() {
                    let here_alt = self.alt_amsl_m;
                    if self.move_towards(target, here_alt, dt) {
                        self.mark_reached();
                    }
                } else {
                    self.descend_to_land(dt);
                    if self.landed {
                        self.advance();
                        self.say(MavSeverity::MAV_SEVERITY_INFO, "Mission finished, landed");
                    }
                }
            }
            93 => {
                // NAV_DELAY: param1 seconds, where it is.
                self.mark_reached();
                if self.waited(f64::from(item.param1)) {
                    self.advance();
                }
            }
            _ => {
                let radius = if item.command == 16 && item.param2 > 0.0 {
                    f64::from(item.param2)
                } else {
                    self.params.nav_acc_rad_m
                };
                if self.item_reached_at_s.is_none() {
                    let saved = self.params.nav_acc_rad_m;
                    self.params.nav_acc_rad_m = radius;
                    let arrived = self.move_towards(target, alt, dt);
                    self.params.nav_acc_rad_m = saved;
                    if arrived {
                        self.mark_reached();
                    }
                    return;
                }
                self.move_towards(target, alt, dt);
                let hold_s = match item.command {
                    16 | 19 => f64::from(item.param1),
                    18 => {
                        let r = if item.param3.abs() > 1.0 {
                            f64::from(item.param3.abs())
                        } else {
                            DEFAULT_LOITER_RADIUS_M
                        };
                        let speed = self.horizontal_speed_mps();
                        f64::from(item.param1.max(0.0)) * std::f64::consts::TAU * r / speed
                    }
                    17 => f64::INFINITY,
                    _ => 0.0, // LOITER_TO_ALT once at altitude
                };
                if self.waited(hold_s) {
                    self.advance();
                }
            }
        }
    }
}

/// Whether a mission command is a NAV command (MAV_CMD 16..=99: it flies somewhere or
/// waits), not a DO or condition command run on the way.
fn is_nav(command: u16) -> bool {
    (16..100).contains(&command)
}
