//! The simulated vehicle's answers to COMMAND_LONG / COMMAND_INT, as PX4's commander
//! and navigator give them.

use gcs_link::FlightMode;
use gcs_link::command::{FORCE_DISARM_MAGIC, REPOSITION_FLAG_CHANGE_MODE};
use gcs_link::mavlink::dialects::common::{MavCmd, MavFrame, MavResult, MavSeverity};
use vigil_values::LatLon;

use crate::model::SimVehicle;
use crate::telemetry::Stream;

/// A command as received, with COMMAND_INT's coordinates already in params 5..7.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CommandRequest {
    /// The command.
    pub command: MavCmd,
    /// param1..param7 (for COMMAND_INT, param5/6 are latitude/longitude in degrees).
    pub params: [f64; 7],
    /// Frame of the altitude in param7, when the command came as COMMAND_INT.
    pub frame: Option<MavFrame>,
}

/// What the vehicle does with a command.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandOutcome {
    /// The COMMAND_ACK result.
    pub result: MavResult,
    /// Messages the command asked for (MAV_CMD_REQUEST_MESSAGE).
    pub send: Vec<Stream>,
    /// A stream rate change (MAV_CMD_SET_MESSAGE_INTERVAL): stream and interval in µs.
    pub interval: Option<(Stream, i64)>,
}

impl CommandOutcome {
    fn result(result: MavResult) -> Self {
        Self {
            result,
            send: Vec::new(),
            interval: None,
        }
    }
}

impl SimVehicle {
    /// Handles one command and returns the ACK result PX4 would send.
    pub fn handle_command(&mut self, req: &CommandRequest) -> CommandOutcome {
        use MavResult::*;
        let p = req.params;
        let reject = |v: &mut Self, text: String, result: MavResult| {
            v.say(MavSeverity::MAV_SEVERITY_CRITICAL, text);
            CommandOutcome::result(result)
        };
        match req.command {
            MavCmd::MAV_CMD_COMPONENT_ARM_DISARM => {
                let r = if p[0] >= 0.5 {
                    self.arm()
                } else {
                    self.disarm(p[1] as f32 == FORCE_DISARM_MAGIC)
                };
                match r {
                    Ok(()) => CommandOutcome::result(MAV_RESULT_ACCEPTED),
                    Err(text) => reject(self, text, MAV_RESULT_TEMPORARILY_REJECTED),
                }
            }
            MavCmd::MAV_CMD_NAV_TAKEOFF => {
                self.takeoff_alt_amsl_m = if p[6].is_finite() {
                    p[6]
                } else {
                    let default = self.params.mis_takeoff_alt_m;
                    self.say(
                        MavSeverity::MAV_SEVERITY_INFO,
                        format!("Using default takeoff altitude: {default:.1} m"),
                    );
                    self.home_alt_amsl_m + default
                };
                self.mode_result(FlightMode::Takeoff)
            }
            MavCmd::MAV_CMD_NAV_LAND => self.mode_result(FlightMode::Land),
            MavCmd::MAV_CMD_NAV_RETURN_TO_LAUNCH => self.mode_result(FlightMode::Return),
            MavCmd::MAV_CMD_DO_SET_MODE => match px4_set_mode(p[0], p[1], p[2]) {
                SetMode::To(mode) => self.mode_result(mode),
                // PX4 acknowledges a mode it does not know as "not changed": ACCEPTED.
                SetMode::Unchanged => CommandOutcome::result(MAV_RESULT_ACCEPTED),
                SetMode::UnsupportedAuto => reject(
                    self,
                    "Unsupported auto mode".into(),
                    MAV_RESULT_TEMPORARILY_REJECTED,
                ),
            },
            MavCmd::MAV_CMD_DO_REPOSITION => self.reposition(req),
            MavCmd::MAV_CMD_MISSION_START => {
                if self.mission.is_empty() {
                    return reject(
                        self,
                        "Mission start denied: no valid mission".into(),
                        MAV_RESULT_DENIED,
                    );
                }
                // param1: first item to fly (-1 or out of range: keep the current one).
                if p[0] >= 0.0 {
                    self.set_mission_current(p[0] as u16);
                }
                self.mode_result(FlightMode::Mission)
            }
            MavCmd::MAV_CMD_DO_SET_MISSION_CURRENT => {
                if self.set_mission_current(p[0].max(0.0) as u16) {
                    CommandOutcome::result(MAV_RESULT_ACCEPTED)
                } else {
                    reject(
                        self,
                        "Mission item change denied: no such item".into(),
                        MAV_RESULT_DENIED,
                    )
                }
            }
            MavCmd::MAV_CMD_REQUEST_MESSAGE => match Stream::from_message_id(p[0] as u32) {
                Some(stream) => CommandOutcome {
                    result: MAV_RESULT_ACCEPTED,
                    send: vec![stream],
                    interval: None,
                },
                None => CommandOutcome::result(MAV_RESULT_DENIED),
            },
            // Deprecated, but older ground stations (and QGC's fallback) still send it.
            #[allow(deprecated)]
            MavCmd::MAV_CMD_REQUEST_AUTOPILOT_CAPABILITIES => CommandOutcome {
                result: MAV_RESULT_ACCEPTED,
                send: vec![Stream::AutopilotVersion],
                interval: None,
            },
            MavCmd::MAV_CMD_SET_MESSAGE_INTERVAL => match Stream::from_message_id(p[0] as u32) {
                Some(stream) => CommandOutcome {
                    result: MAV_RESULT_ACCEPTED,
                    send: Vec::new(),
                    interval: Some((stream, p[1] as i64)),
                },
                None => CommandOutcome::result(MAV_RESULT_DENIED),
            },
            _ => CommandOutcome::result(MAV_RESULT_UNSUPPORTED),
        }
    }

    fn mode_result(&mut self, mode: FlightMode) -> CommandOutcome {
        match self.set_mode(mode) {
            Ok(()) => CommandOutcome::result(MavResult::MAV_RESULT_ACCEPTED),
            Err(text) => {
                self.say(MavSeverity::MAV_SEVERITY_CRITICAL, text);
                CommandOutcome::result(MavResult::MAV_RESULT_TEMPORARILY_REJECTED)
            }
        }
    }

    /// MAV_CMD_DO_REPOSITION: PX4's commander switches to Hold only when the
    /// change-mode flag is set; the navigator repositions only while in Hold.
    #[allow(deprecated)] // MAV_FRAME_GLOBAL_RELATIVE_ALT_INT is still sent by older GCSes.
    fn reposition(&mut self, req: &CommandRequest) -> CommandOutcome {
        let p = req.params;
        let change_mode = (p[1] as u32) & (REPOSITION_FLAG_CHANGE_MODE as u32) != 0;
        if !self.armed || self.landed {
            self.say(
                MavSeverity::MAV_SEVERITY_CRITICAL,
                "Reposition denied: vehicle is not flying",
            );
            return CommandOutcome::result(MavResult::MAV_RESULT_TEMPORARILY_REJECTED);
        }
        if change_mode
            && self.mode != FlightMode::Hold
            && let Err(text) = self.set_mode(FlightMode::Hold)
        {
            self.say(MavSeverity::MAV_SEVERITY_CRITICAL, text);
            return CommandOutcome::result(MavResult::MAV_RESULT_TEMPORARILY_REJECTED);
        }
        if self.mode != FlightMode::Hold {
            // Accepted by PX4's commander, but the navigator ignores it outside Hold.
            return CommandOutcome::result(MavResult::MAV_RESULT_ACCEPTED);
        }
        let lat = if p[4].is_finite() {
            p[4]
        } else {
            self.pos.lat_deg
        };
        let lon = if p[5].is_finite() {
            p[5]
        } else {
            self.pos.lon_deg
        };
        let target = LatLon::new(lat, lon);
        if !target.is_valid() {
            return CommandOutcome::result(MavResult::MAV_RESULT_DENIED);
        }
        let alt = match (p[6].is_finite(), req.frame) {
            (false, _) => self.alt_amsl_m,
            (
                true,
                Some(
                    MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT
                    | MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT_INT,
                ),
            ) => self.home_alt_amsl_m + p[6],
            (true, _) => p[6],
        };
        self.hold_target = Some((target, alt));
        CommandOutcome::result(MavResult::MAV_RESULT_ACCEPTED)
    }
}

/// What MAV_CMD_DO_SET_MODE asks of PX4's commander (`Commander::handle_command`).
#[derive(Debug, Clone, Copy, PartialEq)]
enum SetMode {
    /// Switch to this mode.
    To(FlightMode),
    /// A main mode PX4 does not know, or no mode flag: nothing changes.
    Unchanged,
    /// An auto sub-mode PX4 does not know: refused.
    UnsupportedAuto,
}

/// PX4's reading of DO_SET_MODE's base mode, custom main mode and custom sub mode.
fn px4_set_mode(base: f64, main: f64, sub: f64) -> SetMode {
    use gcs_link::px4_mode::{main_mode, mode_flag};
    let (base, main, sub) = (base as u8, main as u8, sub as u8);
    if base & mode_flag::CUSTOM_MODE_ENABLED != 0 {
        if main == main_mode::AUTO && sub == 0 {
            return SetMode::To(FlightMode::Mission);
        }
        match FlightMode::from_px4_main_sub(main, sub) {
            // AUTO_READY is a state PX4 reports, not one it switches to.
            Some(FlightMode::Ready) => SetMode::UnsupportedAuto,
            Some(mode) => SetMode::To(mode),
            None if main == main_mode::AUTO => SetMode::UnsupportedAuto,
            None => SetMode::Unchanged,
        }
    } else if base & mode_flag::AUTO_ENABLED != 0 {
        SetMode::To(FlightMode::Mission)
    } else if base & mode_flag::MANUAL_INPUT_ENABLED != 0 {
        SetMode::To(if base & mode_flag::GUIDED_ENABLED != 0 {
            FlightMode::Position
        } else if base & mode_flag::STABILIZE_ENABLED != 0 {
            FlightMode::Stabilized
        } else {
            FlightMode::Manual
        })
    } else {
        SetMode::Unchanged
    }
}

#[cfg(test)]
mod set_mode_tests {
    use super::*;

    #[test]
    fn do_set_mode_is_read_as_px4_reads_it() {
        assert_eq!(px4_set_mode(1.0, 4.0, 3.0), SetMode::To(FlightMode::Hold));
        assert_eq!(
            px4_set_mode(1.0, 4.0, 0.0),
            SetMode::To(FlightMode::Mission)
        );
        assert_eq!(px4_set_mode(1.0, 99.0, 0.0), SetMode::Unchanged);
        assert_eq!(px4_set_mode(1.0, 4.0, 99.0), SetMode::UnsupportedAuto);
        assert_eq!(px4_set_mode(0.0, 4.0, 3.0), SetMode::Unchanged);
        assert_eq!(
            px4_set_mode(4.0, 0.0, 0.0),
            SetMode::To(FlightMode::Mission)
        );
        assert_eq!(
            px4_set_mode(64.0 + 8.0, 0.0, 0.0),
            SetMode::To(FlightMode::Position)
        );
    }
}
