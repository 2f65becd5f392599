//! Mission items between mission-planner's plain `MissionItemInt` and the MAVLink wire.

use mavlink::dialects::common::{
    MISSION_ITEM_INT_DATA, MavCmd, MavFrame, MavMissionResult, MavMissionType,
};
use num_traits::{FromPrimitive, ToPrimitive};
use serde::Serialize;
use vigil_values::raw::{MissionItemInt, MissionType};

use crate::vehicle::VehicleId;

/// The wire value of a mission type.
pub fn mav_mission_type(t: MissionType) -> MavMissionType {
    match t {
        MissionType::Mission => MavMissionType::MAV_MISSION_TYPE_MISSION,
        MissionType::Fence => MavMissionType::MAV_MISSION_TYPE_FENCE,
        MissionType::Rally => MavMissionType::MAV_MISSION_TYPE_RALLY,
    }
}

/// The mission type of a wire value (`MAV_MISSION_TYPE_ALL` has none).
pub fn mission_type(t: MavMissionType) -> Option<MissionType> {
    match t {
        MavMissionType::MAV_MISSION_TYPE_MISSION => Some(MissionType::Mission),
        MavMissionType::MAV_MISSION_TYPE_FENCE => Some(MissionType::Fence),
        MavMissionType::MAV_MISSION_TYPE_RALLY => Some(MissionType::Rally),
        _ => None,
    }
}

/// Why an item cannot be put on the wire.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// The command number is not in the MAVLink `common` dialect.
    #[error("mission item {seq}: command {command} is not a MAVLink common MAV_CMD")]
    UnknownCommand {
        /// Item sequence number.
        seq: u16,
        /// The command number.
        command: u16,
    },
    /// The frame number is not a MAV_FRAME.
    #[error("mission item {seq}: frame {frame} is not a MAV_FRAME")]
    UnknownFrame {
        /// Item sequence number.
        seq: u16,
        /// The frame number.
        frame: u8,
    },
}

/// The MISSION_ITEM_INT message carrying `item` to `target`.
pub fn to_wire(
    item: &MissionItemInt,
    target: VehicleId,
) -> Result<MISSION_ITEM_INT_DATA, WireError> {
    let command = MavCmd::from_u16(item.command).ok_or(WireError::UnknownCommand {
        seq: item.seq,
        command: item.command,
    })?;
    let frame = MavFrame::from_u8(item.frame).ok_or(WireError::UnknownFrame {
        seq: item.seq,
        frame: item.frame,
    })?;
    Ok(MISSION_ITEM_INT_DATA {
        param1: item.param1,
        param2: item.param2,
        param3: item.param3,
        param4: item.param4,
        x: item.x,
        y: item.y,
        z: item.z,
        seq: item.seq,
        command,
        target_system: target.sysid,
        target_component: target.compid,
        frame,
        current: item.current,
        autocontinue: item.autocontinue,
        mission_type: mav_mission_type(item.mission_type),
    })
}

/// The plain item a MISSION_ITEM_INT carries, or `None` for a `MAV_MISSION_TYPE_ALL` item.
pub fn from_wire(m: &MISSION_ITEM_INT_DATA) -> Option<MissionItemInt> {
    Some(MissionItemInt {
        seq: m.seq,
        frame: m.frame.to_u8()?,
        command: m.command.to_u16()?,
        current: m.current,
        autocontinue: m.autocontinue,
        param1: m.param1,
        param2: m.param2,
        param3: m.param3,
        param4: m.param4,
        x: m.x,
        y: m.y,
        z: m.z,
        mission_type: mission_type(m.mission_type)?,
    })
}

/// MAV_MISSION_RESULT failures as typed reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum MissionResult {
    /// MAV_MISSION_ERROR: generic error.
    Error,
    /// MAV_MISSION_UNSUPPORTED_FRAME.
    UnsupportedFrame,
    /// MAV_MISSION_UNSUPPORTED: a command the vehicle does not support.
    Unsupported,
    /// MAV_MISSION_NO_SPACE: more items than the vehicle stores.
    NoSpace,
    /// MAV_MISSION_INVALID: an invalid item.
    Invalid,
    /// MAV_MISSION_INVALID_PARAMn (1..=7).
    InvalidParam(u8),
    /// MAV_MISSION_INVALID_SEQUENCE: an item out of order.
    InvalidSequence,
    /// MAV_MISSION_DENIED: not accepted now (e.g. flying a mission that would change).
    Denied,
    /// MAV_MISSION_OPERATION_CANCELLED.
    Cancelled,
}

impl MissionResult {
    /// `None` for MAV_MISSION_ACCEPTED, else the typed failure.
    pub fn from_mav(r: MavMissionResult) -> Option<Self> {
        use MavMissionResult::*;
        Some(match r {
            MAV_MISSION_ACCEPTED => return None,
            MAV_MISSION_UNSUPPORTED_FRAME => Self::UnsupportedFrame,
            MAV_MISSION_UNSUPPORTED => Self::Unsupported,
            MAV_MISSION_NO_SPACE => Self::NoSpace,
            MAV_MISSION_INVALID => Self::Invalid,
            MAV_MISSION_INVALID_PARAM1 => Self::InvalidParam(1),
            MAV_MISSION_INVALID_PARAM2 => Self::InvalidParam(2),
            MAV_MISSION_INVALID_PARAM3 => Self::InvalidParam(3),
            MAV_MISSION_INVALID_PARAM4 => Self::InvalidParam(4),
            MAV_MISSION_INVALID_PARAM5_X => Self::InvalidParam(5),
            MAV_MISSION_INVALID_PARAM6_Y => Self::InvalidParam(6),
            MAV_MISSION_INVALID_PARAM7 => Self::InvalidParam(7),
            MAV_MISSION_INVALID_SEQUENCE => Self::InvalidSequence,
            MAV_MISSION_DENIED => Self::Denied,
            MAV_MISSION_OPERATION_CANCELLED => Self::Cancelled,
            _ => Self::Error,
        })
    }

    /// The wire value.
    pub fn to_mav(self) -> MavMissionResult {
        use MavMissionResult::*;
        match self {
            Self::Error => MAV_MISSION_ERROR,
            Self::UnsupportedFrame => MAV_MISSION_UNSUPPORTED_FRAME,
            Self::Unsupported => MAV_MISSION_UNSUPPORTED,
            Self::NoSpace => MAV_MISSION_NO_SPACE,
            Self::Invalid => MAV_MISSION_INVALID,
            Self::InvalidParam(1) => MAV_MISSION_INVALID_PARAM1,
            Self::InvalidParam(2) => MAV_MISSION_INVALID_PARAM2,
            Self::InvalidParam(3) => MAV_MISSION_INVALID_PARAM3,
            Self::InvalidParam(4) => MAV_MISSION_INVALID_PARAM4,
            Self::InvalidParam(5) => MAV_MISSION_INVALID_PARAM5_X,
            Self::InvalidParam(6) => MAV_MISSION_INVALID_PARAM6_Y,
            Self::InvalidParam(_) => MAV_MISSION_INVALID_PARAM7,
            Self::InvalidSequence => MAV_MISSION_INVALID_SEQUENCE,
            Self::Denied => MAV_MISSION_DENIED,
            Self::Cancelled => MAV_MISSION_OPERATION_CANCELLED,
        }
    }
}

impl std::fmt::Display for MissionResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Error => f.write_str("error (MAV_MISSION_ERROR)"),
            Self::UnsupportedFrame => f.write_str("unsupported coordinate frame"),
            Self::Unsupported => f.write_str("unsupported command"),
            Self::NoSpace => f.write_str("more items than the vehicle can store"),
            Self::Invalid => f.write_str("invalid item"),
            Self::InvalidParam(n) => write!(f, "invalid param{n}"),
            Self::InvalidSequence => f.write_str("item out of sequence"),
            Self::Denied => f.write_str("denied"),
            Self::Cancelled => f.write_str("cancelled"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_round_trips_through_the_wire_message() {
        let item = MissionItemInt {
            seq: 3,
            frame: 3,
            command: 16,
            current: 0,
            autocontinue: 1,
            param1: 5.0,
            param2: 2.0,
            param3: 0.0,
            param4: f32::NAN,
            x: 169_742_000,
            y: 79_865_000,
            z: 120.0,
            mission_type: MissionType::Mission,
        };
        let wire = to_wire(
            &item,
            VehicleId {
                sysid: 1,
                compid: 1,
            },
        )
        .unwrap();
        assert_eq!(wire.command, MavCmd::MAV_CMD_NAV_WAYPOINT);
        assert!(from_wire(&wire).unwrap().same_as(&item));
    }

    #[test]
    fn unknown_numbers_are_named() {
        let mut item = MissionItemInt {
            seq: 9,
            frame: 3,
            command: 60_000,
            current: 0,
            autocontinue: 1,
            param1: 0.0,
            param2: 0.0,
            param3: 0.0,
            param4: 0.0,
            x: 0,
            y: 0,
            z: 0.0,
            mission_type: MissionType::Mission,
        };
        let id = VehicleId {
            sysid: 1,
            compid: 1,
        };
        assert_eq!(
            to_wire(&item, id).unwrap_err(),
            WireError::UnknownCommand {
                seq: 9,
                command: 60_000
            }
        );
        item.command = 16;
        item.frame = 200;
        assert!(matches!(
            to_wire(&item, id),
            Err(WireError::UnknownFrame { frame: 200, .. })
        ));
    }
}
