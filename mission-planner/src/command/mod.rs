//! Typed mission items.
//!
//! Every MAVLink item decodes to a [`MissionItem`]: commands this crate knows get a
//! typed [`MissionCommand`]; anything else (or a known command with parameters the
//! typed form cannot carry) stays [`MissionCommand::Other`] with every parameter
//! kept, so decoding and encoding again always gives back the same fields.

use serde::{Deserialize, Serialize};

use crate::LatLon;
use crate::item::{Altitude, Frame, ItemParams};
use crate::raw::cmd;

mod decode;
use decode::typed_command;

/// What a mission item does, with its parameters named and in units.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum MissionCommand {
    /// Fly to a point (MAV_CMD_NAV_WAYPOINT, 16).
    Waypoint {
        /// Latitude/longitude (params 5, 6).
        position: LatLon,
        /// Altitude in metres in the item frame's reference (param 7).
        alt_m: f64,
        /// Time to hold at the waypoint, seconds (param 1).
        hold_s: f64,
        /// Radius within which the waypoint counts as reached, metres (param 2).
        acceptance_radius_m: f64,
        /// Pass-by radius, metres; 0 flies through (param 3).
        pass_radius_m: f64,
        /// Yaw angle, degrees; NaN keeps the current heading (param 4).
        yaw_deg: f64,
    },
    /// Take off and climb to `alt_m` (MAV_CMD_NAV_TAKEOFF, 22).
    Takeoff {
        /// Latitude/longitude (params 5, 6).
        position: LatLon,
        /// Altitude in metres in the item frame's reference (param 7).
        alt_m: f64,
        /// Minimum pitch for fixed wings, degrees (param 1).
        pitch_deg: f64,
        /// Yaw angle, degrees; NaN keeps the current heading (param 4).
        yaw_deg: f64,
    },
    /// Land at a point (MAV_CMD_NAV_LAND, 21).
    Land {
        /// Latitude/longitude (params 5, 6).
        position: LatLon,
        /// Altitude in metres in the item frame's reference (param 7).
        alt_m: f64,
        /// Altitude to climb to if the landing is aborted, metres (param 1).
        abort_alt_m: f64,
        /// Precision landing mode (param 2).
        land_mode: f64,
        /// Yaw angle, degrees; NaN keeps the current heading (param 4).
        yaw_deg: f64,
    },
    /// Return to launch (MAV_CMD_NAV_RETURN_TO_LAUNCH, 20).
    ReturnToLaunch,
    /// Loiter until told otherwise (MAV_CMD_NAV_LOITER_UNLIM, 17).
    LoiterUnlimited {
        /// Latitude/longitude (params 5, 6).
        position: LatLon,
        /// Altitude in metres in the item frame's reference (param 7).
        alt_m: f64,
        /// Loiter radius, metres; negative loiters counter-clockwise.
        radius_m: f64,
        /// Yaw angle, degrees; NaN keeps the current heading (param 4).
        yaw_deg: f64,
    },
    /// Loiter a number of turns (MAV_CMD_NAV_LOITER_TURNS, 18).
    LoiterTurns {
        /// Latitude/longitude (params 5, 6).
        position: LatLon,
        /// Altitude in metres in the item frame's reference (param 7).
        alt_m: f64,
        /// Number of turns (param 1).
        turns: f64,
        /// 1 to leave only when headed for the next waypoint (param 2; param 1 for LOITER_TO_ALT).
        heading_required: f64,
        /// Loiter radius, metres; negative loiters counter-clockwise.
        radius_m: f64,
        /// Exit point on the loiter circle / cross-track flag (param 4).
        xtrack: f64,
    },
    /// Loiter for a time (MAV_CMD_NAV_LOITER_TIME, 19).
    LoiterTime {
        /// Latitude/longitude (params 5, 6).
        position: LatLon,
        /// Altitude in metres in the item frame's reference (param 7).
        alt_m: f64,
        /// Loiter time, seconds (param 1).
        time_s: f64,
        /// 1 to leave only when headed for the next waypoint (param 2; param 1 for LOITER_TO_ALT).
        heading_required: f64,
        /// Loiter radius, metres; negative loiters counter-clockwise.
        radius_m: f64,
        /// Exit point on the loiter circle / cross-track flag (param 4).
        xtrack: f64,
    },
    /// Loiter while climbing/descending to an altitude (MAV_CMD_NAV_LOITER_TO_ALT, 31).
    LoiterToAlt {
        /// Latitude/longitude (params 5, 6).
        position: LatLon,
        /// Altitude in metres in the item frame's reference (param 7).
        alt_m: f64,
        /// 1 to leave only when headed for the next waypoint (param 2; param 1 for LOITER_TO_ALT).
        heading_required: f64,
        /// Loiter radius, metres; negative loiters counter-clockwise.
        radius_m: f64,
        /// Exit point on the loiter circle / cross-track flag (param 4).
        xtrack: f64,
    },
    /// Change speed (MAV_CMD_DO_CHANGE_SPEED, 178): `speed_type` 0 airspeed, 1 ground speed.
    ChangeSpeed {
        /// 0 airspeed, 1 ground speed, 2 climb, 3 descent (param 1).
        speed_type: f64,
        /// Speed, m/s; -1 leaves it unchanged (param 2).
        speed_mps: f64,
        /// Throttle, percent; -1 leaves it unchanged (param 3).
        throttle_pct: f64,
    },
    /// Point camera/gimbal at a location (MAV_CMD_DO_SET_ROI_LOCATION 195, or the
    /// deprecated DO_SET_ROI 201 when `legacy`).
    RegionOfInterest {
        /// Latitude/longitude (params 5, 6).
        position: LatLon,
        /// Altitude in metres in the item frame's reference (param 7).
        alt_m: f64,
        /// Written as the deprecated DO_SET_ROI (201) rather than DO_SET_ROI_LOCATION (195).
        legacy: bool,
    },
    /// Trigger the camera every `distance_m` (MAV_CMD_DO_SET_CAM_TRIGG_DIST, 206); 0 stops.
    CameraTriggerDistance {
        /// Distance between triggers, metres; 0 stops (param 1).
        distance_m: f64,
        /// Shutter integration time, milliseconds (param 2).
        shutter_ms: f64,
        /// 1 to trigger once immediately (param 3).
        trigger_now: f64,
    },
    /// Wait before the next command (MAV_CMD_CONDITION_DELAY, 112).
    Delay {
        /// Delay, seconds (param 1).
        delay_s: f64,
    },
    /// Jump to item `target_seq`, `repeat` times (-1: forever) (MAV_CMD_DO_JUMP, 177).
    Jump {
        /// MAVLink seq of the item to jump to (param 1).
        target_seq: u16,
        /// How many times to repeat; -1 forever (param 2).
        repeat: i32,
    },
    /// Any other command, kept parameter for parameter.
    Other {
        /// The `MAV_CMD` value.
        command: u16,
        /// PARAM1..PARAM7 as given (5, 6 = lat/lon in degrees in global frames).
        params: [f64; 7],
    },
}

/// One item of a mission: what it does, its frame, and whether to continue.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MissionItem {
    /// The command and its parameters.
    pub command: MissionCommand,
    /// The MAVLink frame (the altitude reference of positional commands).
    pub frame: Frame,
    /// Continue to the next item automatically.
    pub autocontinue: bool,
}

const NAV_COMMANDS_MAX: u16 = 95;

impl MissionItem {
    fn positional(command: MissionCommand, altitude: Altitude) -> Self {
        MissionItem {
            command,
            frame: Frame::Global(altitude.reference),
            autocontinue: true,
        }
    }

    /// A plain waypoint at `position` and `altitude`.
    pub fn waypoint(position: LatLon, altitude: Altitude) -> Self {
        Self::positional(
            MissionCommand::Waypoint {
                position,
                alt_m: altitude.alt_m,
                hold_s: 0.0,
                acceptance_radius_m: 0.0,
                pass_radius_m: 0.0,
                yaw_deg: f64::NAN,
            },
            altitude,
        )
    }

    /// A take-off at `position` climbing to `altitude`.
    pub fn takeoff(position: LatLon, altitude: Altitude) -> Self {
        Self::positional(
            MissionCommand::Takeoff {
                position,
                alt_m: altitude.alt_m,
                pitch_deg: 0.0,
                yaw_deg: f64::NAN,
            },
            altitude,
        )
    }

    /// A landing at `position`.
    pub fn land(position: LatLon, altitude: Altitude) -> Self {
        Self::positional(
            MissionCommand::Land {
                position,
                alt_m: altitude.alt_m,
                abort_alt_m: 0.0,
                land_mode: 0.0,
                yaw_deg: f64::NAN,
            },
            altitude,
        )
    }

    /// A loiter of `turns` circles of `radius_m` around `position`.
    pub fn loiter_turns(position: LatLon, altitude: Altitude, turns: f64, radius_m: f64) -> Self {
        Self::positional(
            MissionCommand::LoiterTurns {
                position,
                alt_m: altitude.alt_m,
                turns,
                heading_required: 0.0,
                radius_m,
                xtrack: 0.0,
            },
            altitude,
        )
    }

    /// A ground-speed change to `speed_mps` as QGroundControl's mission "flight speed"
    /// writes it (DO_CHANGE_SPEED: speed type 1, ground speed; throttle -1, unchanged).
    /// A vehicle flies mission legs at its own cruise speed (PX4: `MPC_XY_CRUISE`)
    /// until one of these.
    pub fn change_speed(speed_mps: f64) -> Self {
        Self::command(MissionCommand::ChangeSpeed {
            speed_type: 1.0,
            speed_mps,
            throttle_pct: -1.0,
        })
    }

    /// A command item without a position (MAV_FRAME_MISSION).
    pub fn command(command: MissionCommand) -> Self {
        MissionItem {
            command,
            frame: Frame::Mission,
            autocontinue: true,
        }
    }

    /// Moves the item to `p` (a waypoint dragged on a map); false, and unchanged, for
    /// an item without a position. Kept beside [`MissionItem::position`] so the two
    /// always agree on which items have one.
    pub fn set_position(&mut self, p: LatLon) -> bool {
        use MissionCommand::*;
        if self.position().is_none() {
            return false;
        }
        match &mut self.command {
            Waypoint { position, .. }
            | Takeoff { position, .. }
            | Land { position, .. }
            | LoiterUnlimited { position, .. }
            | LoiterTurns { position, .. }
            | LoiterTime { position, .. }
            | LoiterToAlt { position, .. } => *position = p,
            Other { params, .. } => {
                params[4] = p.lat_deg;
                params[5] = p.lon_deg;
            }
            _ => return false,
        }
        true
    }

    /// The horizontal position the vehicle flies to or acts on, if any.
    pub fn position(&self) -> Option<LatLon> {
        use MissionCommand::*;
        match self.command {
            Waypoint { position, .. }
            | Takeoff { position, .. }
            | Land { position, .. }
            | LoiterUnlimited { position, .. }
            | LoiterTurns { position, .. }
            | LoiterTime { position, .. }
            | LoiterToAlt { position, .. } => Some(position),
            Other { command, params } if command <= NAV_COMMANDS_MAX => self
                .frame
                .altitude_reference()
                .map(|_| LatLon::new(params[4], params[5])),
            _ => None,
        }
    }

    /// The altitude the vehicle flies at for navigation commands.
    pub fn altitude(&self) -> Option<Altitude> {
        use MissionCommand::*;
        let reference = self.frame.altitude_reference()?;
        let alt_m = match self.command {
            Waypoint { alt_m, .. }
            | Takeoff { alt_m, .. }
            | Land { alt_m, .. }
            | LoiterUnlimited { alt_m, .. }
            | LoiterTurns { alt_m, .. }
            | LoiterTime { alt_m, .. }
            | LoiterToAlt { alt_m, .. } => alt_m,
            Other { command, params } if command <= NAV_COMMANDS_MAX => params[6],
            _ => return None,
        };
        Some(Altitude { alt_m, reference })
    }

    /// The generic form of this item.
    pub fn to_params(&self) -> ItemParams {
        use MissionCommand::*;
        let (command, params) = match self.command {
            Waypoint {
                position: p,
                alt_m,
                hold_s,
                acceptance_radius_m,
                pass_radius_m,
                yaw_deg,
            } => (
                cmd::NAV_WAYPOINT,
                [
                    hold_s,
                    acceptance_radius_m,
                    pass_radius_m,
                    yaw_deg,
                    p.lat_deg,
                    p.lon_deg,
                    alt_m,
                ],
            ),
            Takeoff {
                position: p,
                alt_m,
                pitch_deg,
                yaw_deg,
            } => (
                cmd::NAV_TAKEOFF,
                [pitch_deg, 0.0, 0.0, yaw_deg, p.lat_deg, p.lon_deg, alt_m],
            ),
            Land {
                position: p,
                alt_m,
                abort_alt_m,
                land_mode,
                yaw_deg,
            } => (
                cmd::NAV_LAND,
                [
                    abort_alt_m,
                    land_mode,
                    0.0,
                    yaw_deg,
                    p.lat_deg,
                    p.lon_deg,
                    alt_m,
                ],
            ),
            ReturnToLaunch => (cmd::NAV_RETURN_TO_LAUNCH, [0.0; 7]),
            LoiterUnlimited {
                position: p,
                alt_m,
                radius_m,
                yaw_deg,
            } => (
                cmd::NAV_LOITER_UNLIM,
                [0.0, 0.0, radius_m, yaw_deg, p.lat_deg, p.lon_deg, alt_m],
            ),
            LoiterTurns {
                position: p,
                alt_m,
                turns,
                heading_required,
                radius_m,
                xtrack,
            } => (
                cmd::NAV_LOITER_TURNS,
                [
                    turns,
                    heading_required,
                    radius_m,
                    xtrack,
                    p.lat_deg,
                    p.lon_deg,
                    alt_m,
                ],
            ),
            LoiterTime {
                position: p,
                alt_m,
                time_s,
                heading_required,
                radius_m,
                xtrack,
            } => (
                cmd::NAV_LOITER_TIME,
                [
                    time_s,
                    heading_required,
                    radius_m,
                    xtrack,
                    p.lat_deg,
                    p.lon_deg,
                    alt_m,
                ],
            ),
            LoiterToAlt {
                position: p,
                alt_m,
                heading_required,
                radius_m,
                xtrack,
            } => (
                cmd::NAV_LOITER_TO_ALT,
                [
                    heading_required,
                    radius_m,
                    0.0,
                    xtrack,
                    p.lat_deg,
                    p.lon_deg,
                    alt_m,
                ],
            ),
            ChangeSpeed {
                speed_type,
                speed_mps,
                throttle_pct,
            } => (
                cmd::DO_CHANGE_SPEED,
                [speed_type, speed_mps, throttle_pct, 0.0, 0.0, 0.0, 0.0],
            ),
            RegionOfInterest {
                position: p,
                alt_m,
                legacy,
            } => (
                if legacy {
                    cmd::DO_SET_ROI
                } else {
                    cmd::DO_SET_ROI_LOCATION
                },
                [0.0, 0.0, 0.0, 0.0, p.lat_deg, p.lon_deg, alt_m],
            ),
            CameraTriggerDistance {
                distance_m,
                shutter_ms,
                trigger_now,
            } => (
                cmd::DO_SET_CAM_TRIGG_DIST,
                [distance_m, shutter_ms, trigger_now, 0.0, 0.0, 0.0, 0.0],
            ),
            Delay { delay_s } => (
                cmd::CONDITION_DELAY,
                [delay_s, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            ),
            Jump { target_seq, repeat } => (
                cmd::DO_JUMP,
                [
                    f64::from(target_seq),
                    f64::from(repeat),
                    0.0,
                    0.0,
                    0.0,
                    0.0,
                    0.0,
                ],
            ),
            Other { command, params } => (command, params),
        };
        ItemParams {
            command,
            frame: self.frame.to_mavlink(),
            autocontinue: self.autocontinue,
            params,
        }
    }

    /// The typed item for a generic one; falls back to [`MissionCommand::Other`]
    /// whenever the typed form would not encode back to exactly the same fields.
    pub fn from_params(p: &ItemParams) -> Self {
        let frame = Frame::from_mavlink(p.frame);
        let other = MissionItem {
            command: MissionCommand::Other {
                command: p.command,
                params: p.params,
            },
            frame,
            autocontinue: p.autocontinue,
        };
        let Some(command) = typed_command(p, frame) else {
            return other;
        };
        let typed = MissionItem {
            command,
            frame,
            autocontinue: p.autocontinue,
        };
        if typed.to_params().same_as(p) {
            typed
        } else {
            other
        }
    }
}

#[cfg(test)]
mod tests;
