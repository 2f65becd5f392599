//! Typed vehicle commands and their MAVLink encoding (COMMAND_LONG / COMMAND_INT).

use mavlink::dialects::common::{
    COMMAND_INT_DATA, COMMAND_LONG_DATA, MavCmd, MavFrame, MavMessage, MavResult,
};
use serde::Serialize;
use vigil_values::LatLon;

use crate::px4_mode::FlightMode;
use crate::vehicle::VehicleId;

/// `param2` of MAV_CMD_COMPONENT_ARM_DISARM that forces a disarm in flight (PX4 and ArduPilot).
pub const FORCE_DISARM_MAGIC: f32 = 21196.0;

/// MAV_DO_REPOSITION_FLAGS_CHANGE_MODE: PX4 switches to Hold to fly a DO_REPOSITION.
pub const REPOSITION_FLAG_CHANGE_MODE: f32 = 1.0;

/// A command an operator gives a vehicle.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum VehicleCommand {
    /// Arm the motors (PX4 runs its preflight checks first).
    Arm,
    /// Disarm; PX4 refuses in flight.
    Disarm,
    /// Disarm even in flight: the vehicle falls.
    ForceDisarm,
    /// Take off to an altitude above home, metres.
    Takeoff {
        /// Target altitude above home, metres.
        alt_rel_m: f64,
    },
    /// Land where it is.
    Land,
    /// Return to launch (or the nearest rally point).
    ReturnToLaunch,
    /// Stop and hold position.
    Hold,
    /// Switch to a flight mode.
    SetMode(FlightMode),
    /// Start the uploaded mission from its current item.
    StartMission,
    /// Fly to a point and hold there (MAV_CMD_DO_REPOSITION with the change-mode flag).
    GoTo {
        /// Destination.
        target: LatLon,
        /// Altitude above home, metres.
        alt_rel_m: f64,
    },
    /// Make `seq` the current mission item.
    SetCurrentMissionItem(u16),
}

impl VehicleCommand {
    /// Whether an operator should confirm it before it is sent.
    pub fn is_dangerous(&self) -> bool {
        matches!(self, Self::Arm | Self::ForceDisarm | Self::Takeoff { .. })
    }
}

/// MAV_RESULT values other than ACCEPTED, as typed reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Rejection {
    /// MAV_RESULT_TEMPORARILY_REJECTED: valid, but not now (e.g. preflight checks failing).
    TemporarilyRejected,
    /// MAV_RESULT_DENIED: not allowed.
    Denied,
    /// MAV_RESULT_UNSUPPORTED: the vehicle does not know the command.
    Unsupported,
    /// MAV_RESULT_FAILED: tried and failed.
    Failed,
    /// MAV_RESULT_CANCELLED: cancelled on the vehicle.
    Cancelled,
    /// MAV_RESULT_COMMAND_LONG_ONLY / _INT_ONLY / _UNSUPPORTED_MAV_FRAME.
    WrongEncoding,
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::TemporarilyRejected => {
                "temporarily rejected (the vehicle is not ready: check its messages)"
            }
            Self::Denied => "denied",
            Self::Unsupported => "unsupported by the vehicle",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
            Self::WrongEncoding => "rejected for its encoding (COMMAND_LONG/COMMAND_INT/frame)",
        })
    }
}

/// Why a command did not succeed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CommandError {
    /// No vehicle with this id has been heard.
    #[error("{0} is unknown: no HEARTBEAT heard from it")]
    UnknownVehicle(VehicleId),
    /// The vehicle is link-lost: the command was not sent.
    #[error("{0} is link-lost (no HEARTBEAT for 3.5 s): command not sent")]
    LinkLost(VehicleId),
    /// The vehicle answered with a failure.
    #[error("{command} on {vehicle}: {rejection}")]
    Rejected {
        /// The vehicle.
        vehicle: VehicleId,
        /// The MAVLink command name.
        command: String,
        /// Its answer.
        rejection: Rejection,
    },
    /// No COMMAND_ACK after every retransmission.
    #[error("{command} on {vehicle}: no COMMAND_ACK after {attempts} transmissions")]
    Timeout {
        /// The vehicle.
        vehicle: VehicleId,
        /// The MAVLink command name.
        command: String,
        /// Transmissions made.
        attempts: u8,
    },
    /// The command needs a home position the vehicle has not reported yet.
    #[error("{0} has not reported a home position yet: altitudes above home cannot be converted")]
    NoHome(VehicleId),
    /// An argument is out of range.
    #[error("invalid command argument: {0}")]
    InvalidArgument(String),
    /// The request queue to the link core is full.
    #[error("the link core's request queue is full: command not sent")]
    QueueFull,
    /// The link core has stopped.
    #[error("the link core has stopped")]
    CoreStopped,
}

/// A command ready for the wire, before addressing and confirmation counting.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WireCommand {
    /// Sent as COMMAND_LONG.
    Long {
        /// The command.
        command: MavCmd,
        /// param1..param7.
        params: [f32; 7],
    },
    /// Sent as COMMAND_INT.
    Int {
        /// The command.
        command: MavCmd,
        /// Coordinate frame of x, y, z.
        frame: MavFrame,
        /// param1..param4.
        params: [f32; 4],
        /// Latitude, degE7.
        x: i32,
        /// Longitude, degE7.
        y: i32,
        /// Altitude, metres in `frame`.
        z: f32,
    },
}

impl WireCommand {
    /// The MAV_CMD id.
    pub fn command(&self) -> MavCmd {
        match self {
            Self::Long { command, .. } | Self::Int { command, .. } => *command,
        }
    }

    /// The MAV_CMD name, for messages.
    pub fn name(&self) -> String {
        format!("{:?}", self.command())
    }

    /// The message for `target` (COMMAND_LONG's confirmation counts retransmissions).
    pub fn to_message(&self, target: VehicleId, confirmation: u8) -> MavMessage {
        match *self {
            Self::Long { command, params } => MavMessage::COMMAND_LONG(COMMAND_LONG_DATA {
                param1: params[0],
                param2: params[1],
                param3: params[2],
                param4: params[3],
                param5: params[4],
                param6: params[5],
                param7: params[6],
                command,
                target_system: target.sysid,
                target_component: target.compid,
                confirmation,
            }),
            Self::Int {
                command,
                frame,
                params,
                x,
                y,
                z,
            } => MavMessage::COMMAND_INT(COMMAND_INT_DATA {
                param1: params[0],
                param2: params[1],
                param3: params[2],
                param4: params[3],
                x,
                y,
                z,
                command,
                target_system: target.sysid,
                target_component: target.compid,
                frame,
                current: 0,
                autocontinue: 0,
            }),
        }
    }
}

/// Encodes `cmd` for a PX4 vehicle whose home is at `home_amsl_m` metres above sea level.
pub fn encode(
    vehicle: VehicleId,
    cmd: &VehicleCommand,
    home_amsl_m: Option<f64>,
) -> Result<WireCommand, CommandError> {
    let long = |command, params| Ok(WireCommand::Long { command, params });
    let nan = f32::NAN;
    let set_mode = |mode: FlightMode| {
        let (main, sub) = mode
            .px4_main_sub()
            .ok_or_else(|| CommandError::InvalidArgument(format!("{mode} cannot be commanded")))?;
        long(
            MavCmd::MAV_CMD_DO_SET_MODE,
            [1.0, f32::from(main), f32::from(sub), 0.0, 0.0, 0.0, 0.0],
        )
    };
    let amsl = |alt_rel_m: f64| -> Result<f32, CommandError> {
        if !alt_rel_m.is_finite() || !(-500.0..=10_000.0).contains(&alt_rel_m) {
            return Err(CommandError::InvalidArgument(format!(
                "altitude {alt_rel_m} m above home is out of range (-500..=10000 m)"
            )));
        }
        let home = home_amsl_m.ok_or(CommandError::NoHome(vehicle))?;
        Ok((home + alt_rel_m) as f32)
    };
    match *cmd {
        VehicleCommand::Arm => long(
            MavCmd::MAV_CMD_COMPONENT_ARM_DISARM,
            [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        ),
        VehicleCommand::Disarm => long(
            MavCmd::MAV_CMD_COMPONENT_ARM_DISARM,
            [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        ),
        VehicleCommand::ForceDisarm => long(
            MavCmd::MAV_CMD_COMPONENT_ARM_DISARM,
            [0.0, FORCE_DISARM_MAGIC, 0.0, 0.0, 0.0, 0.0, 0.0],
        ),
        VehicleCommand::Takeoff { alt_rel_m } => {
            if alt_rel_m <= 0.0 {
                return Err(CommandError::InvalidArgument(format!(
                    "takeoff altitude must be above home, got {alt_rel_m} m"
                )));
            }
            // PX4 takes the takeoff altitude in param7 as AMSL.
            let alt = amsl(alt_rel_m)?;
            long(
                MavCmd::MAV_CMD_NAV_TAKEOFF,
                [-1.0, 0.0, 0.0, nan, nan, nan, alt],
            )
        }
        VehicleCommand::Land => long(
            MavCmd::MAV_CMD_NAV_LAND,
            [0.0, 0.0, 0.0, nan, nan, nan, nan],
        ),
        VehicleCommand::ReturnToLaunch => long(MavCmd::MAV_CMD_NAV_RETURN_TO_LAUNCH, [0.0; 7]),
        VehicleCommand::Hold => set_mode(FlightMode::Hold),
        VehicleCommand::SetMode(mode) => set_mode(mode),
        VehicleCommand::StartMission => long(MavCmd::MAV_CMD_MISSION_START, [0.0; 7]),
        VehicleCommand::GoTo { target, alt_rel_m } => {
            if !target.is_valid() {
                return Err(CommandError::InvalidArgument(format!(
                    "go-to position {target} is not a valid latitude/longitude"
                )));
            }
            let (x, y) = target.to_deg_e7();
            Ok(WireCommand::Int {
                command: MavCmd::MAV_CMD_DO_REPOSITION,
                frame: MavFrame::MAV_FRAME_GLOBAL,
                params: [-1.0, REPOSITION_FLAG_CHANGE_MODE, 0.0, nan],
                x,
                y,
                z: amsl(alt_rel_m)?,
            })
        }
        VehicleCommand::SetCurrentMissionItem(seq) => long(
            MavCmd::MAV_CMD_DO_SET_MISSION_CURRENT,
            [f32::from(seq), 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        ),
    }
}

/// A COMMAND_ACK result as success, still running, or a typed rejection.
pub fn classify(result: MavResult) -> Result<bool, Rejection> {
    use MavResult::*;
    match result {
        MAV_RESULT_ACCEPTED => Ok(true),
        MAV_RESULT_IN_PROGRESS => Ok(false),
        MAV_RESULT_TEMPORARILY_REJECTED => Err(Rejection::TemporarilyRejected),
        MAV_RESULT_DENIED => Err(Rejection::Denied),
        MAV_RESULT_UNSUPPORTED => Err(Rejection::Unsupported),
        MAV_RESULT_FAILED => Err(Rejection::Failed),
        MAV_RESULT_CANCELLED => Err(Rejection::Cancelled),
        _ => Err(Rejection::WrongEncoding),
    }
}
