//! Raw MAVLink `MISSION_ITEM_INT` fields, as plain data.
//!
//! This crate does not depend on the `mavlink` crate: `gcs-link` converts
//! [`MissionItemInt`] to and from the wire message.

use serde::{Deserialize, Serialize};

/// Which of the three MAVLink mission lists an item belongs to (`MAV_MISSION_TYPE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MissionType {
    /// The flight plan (`MAV_MISSION_TYPE_MISSION` = 0).
    Mission,
    /// Geofence items, commands 5000-5004 (`MAV_MISSION_TYPE_FENCE` = 1).
    Fence,
    /// Rally points, command 5100 (`MAV_MISSION_TYPE_RALLY` = 2).
    Rally,
}

impl MissionType {
    /// The `MAV_MISSION_TYPE` wire value.
    pub fn to_mavlink(self) -> u8 {
        match self {
            MissionType::Mission => 0,
            MissionType::Fence => 1,
            MissionType::Rally => 2,
        }
    }

    /// The mission type for a `MAV_MISSION_TYPE` wire value, if known.
    pub fn from_mavlink(value: u8) -> Option<Self> {
        match value {
            0 => Some(MissionType::Mission),
            1 => Some(MissionType::Fence),
            2 => Some(MissionType::Rally),
            _ => None,
        }
    }
}

/// The most items one MAVLink list can hold: `seq` and `count` are 16-bit, and PX4 and
/// the protocol reserve no value, so 65,535 items numbered 0..=65,534.
pub const MAX_LIST_LEN: usize = u16::MAX as usize;

/// Why a list of raw items is not one well-formed MAVLink list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListError {
    /// More items than a `u16` count can say.
    #[error("{len} items: a MAVLink list holds at most {MAX_LIST_LEN}")]
    TooLong {
        /// How many items there were.
        len: usize,
    },
    /// An item's `seq` is not its position in the list.
    #[error(
        "item at position {index} has seq {seq}: MAVLink lists are numbered 0, 1, 2, ... in order"
    )]
    Numbering {
        /// Position in the list.
        index: usize,
        /// The seq it carries.
        seq: u16,
    },
    /// An item of another list type.
    #[error("item {seq} is a {found:?} item in a {expected:?} list")]
    WrongType {
        /// The item's seq.
        seq: u16,
        /// Its mission type.
        found: MissionType,
        /// The list's type.
        expected: MissionType,
    },
}

/// Checks that `items` form one MAVLink list of type `list`: at most
/// [`MAX_LIST_LEN`] items, numbered 0..n in order, all of that type.
///
/// The one place this rule lives: files read as raw items, uploads and downloads all
/// call it.
pub fn check_list(items: &[MissionItemInt], list: MissionType) -> Result<(), ListError> {
    if items.len() > MAX_LIST_LEN {
        return Err(ListError::TooLong { len: items.len() });
    }
    for (index, it) in items.iter().enumerate() {
        if usize::from(it.seq) != index {
            return Err(ListError::Numbering { index, seq: it.seq });
        }
        if it.mission_type != list {
            return Err(ListError::WrongType {
                seq: it.seq,
                found: it.mission_type,
                expected: list,
            });
        }
    }
    Ok(())
}

/// The fields of one MAVLink `MISSION_ITEM_INT` message, without addressing.
///
/// `x`/`y` are latitude/longitude in degrees × 10⁷ for global frames (and, as
/// QGroundControl and ArduPilot do, param5/param6 × 10⁷ for every other non-local
/// frame); `z` is param7 (altitude in metres for positional items).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MissionItemInt {
    /// Position of the item in its list, from 0.
    pub seq: u16,
    /// `MAV_FRAME` value.
    pub frame: u8,
    /// `MAV_CMD` value.
    pub command: u16,
    /// 1 when this is the current item, else 0.
    pub current: u8,
    /// 1 to continue to the next item automatically, else 0.
    pub autocontinue: u8,
    /// PARAM1.
    pub param1: f32,
    /// PARAM2.
    pub param2: f32,
    /// PARAM3.
    pub param3: f32,
    /// PARAM4.
    pub param4: f32,
    /// PARAM5 / latitude in degE7.
    pub x: i32,
    /// PARAM6 / longitude in degE7.
    pub y: i32,
    /// PARAM7 / altitude in metres.
    pub z: f32,
    /// Which list the item belongs to.
    pub mission_type: MissionType,
}

impl MissionItemInt {
    /// A plain `MAV_CMD_NAV_WAYPOINT` (16) in `MAV_FRAME_GLOBAL_RELATIVE_ALT_INT` (3) of the
    /// mission list, all params 0, autocontinue on: the commonest item, so transfer tests
    /// and benches build their lists from it (adjust fields with struct update syntax).
    pub fn waypoint(seq: u16, x: i32, y: i32, z: f32) -> Self {
        Self {
            seq,
            frame: 3,
            command: 16,
            current: 0,
            autocontinue: 1,
            param1: 0.0,
            param2: 0.0,
            param3: 0.0,
            param4: 0.0,
            x,
            y,
            z,
            mission_type: MissionType::Mission,
        }
    }

    /// Whether two items are equal field by field, counting any two NaNs as equal and a
    /// frame the same as its integer twin (PX4 sends an item uploaded in
    /// `MAV_FRAME_GLOBAL_RELATIVE_ALT` back in `MAV_FRAME_GLOBAL_RELATIVE_ALT_INT`).
    pub fn same_as(&self, other: &Self) -> bool {
        fn same(a: f32, b: f32) -> bool {
            a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
        }
        self.seq == other.seq
            && frame::same_reference(self.frame, other.frame)
            && self.command == other.command
            && self.current == other.current
            && self.autocontinue == other.autocontinue
            && same(self.param1, other.param1)
            && same(self.param2, other.param2)
            && same(self.param3, other.param3)
            && same(self.param4, other.param4)
            && self.x == other.x
            && self.y == other.y
            && same(self.z, other.z)
            && self.mission_type == other.mission_type
    }
}

/// `MAV_FRAME` values used by mission items.
pub mod frame {
    /// Altitude above mean sea level (`MAV_FRAME_GLOBAL`).
    pub const GLOBAL: u8 = 0;
    /// Local NED (`MAV_FRAME_LOCAL_NED`).
    pub const LOCAL_NED: u8 = 1;
    /// Not a position: params only (`MAV_FRAME_MISSION`).
    pub const MISSION: u8 = 2;
    /// Altitude relative to home (`MAV_FRAME_GLOBAL_RELATIVE_ALT`).
    pub const GLOBAL_RELATIVE_ALT: u8 = 3;
    /// Local ENU (`MAV_FRAME_LOCAL_ENU`).
    pub const LOCAL_ENU: u8 = 4;
    /// Deprecated integer variant of [`GLOBAL`].
    pub const GLOBAL_INT: u8 = 5;
    /// Deprecated integer variant of [`GLOBAL_RELATIVE_ALT`].
    pub const GLOBAL_RELATIVE_ALT_INT: u8 = 6;
    /// Local offset NED (`MAV_FRAME_LOCAL_OFFSET_NED`).
    pub const LOCAL_OFFSET_NED: u8 = 7;
    /// Body NED (`MAV_FRAME_BODY_NED`).
    pub const BODY_NED: u8 = 8;
    /// Body offset NED (`MAV_FRAME_BODY_OFFSET_NED`).
    pub const BODY_OFFSET_NED: u8 = 9;
    /// Altitude above terrain (`MAV_FRAME_GLOBAL_TERRAIN_ALT`).
    pub const GLOBAL_TERRAIN_ALT: u8 = 10;
    /// Deprecated integer variant of [`GLOBAL_TERRAIN_ALT`].
    pub const GLOBAL_TERRAIN_ALT_INT: u8 = 11;

    /// Whether `a` and `b` give positions the same reference: equal, or one the
    /// deprecated integer variant of the other (the same in `MISSION_ITEM_INT`).
    pub fn same_reference(a: u8, b: u8) -> bool {
        let base = |f| match f {
            GLOBAL_INT => GLOBAL,
            GLOBAL_RELATIVE_ALT_INT => GLOBAL_RELATIVE_ALT,
            GLOBAL_TERRAIN_ALT_INT => GLOBAL_TERRAIN_ALT,
            other => other,
        };
        base(a) == base(b)
    }

    /// Whether x/y are local metres (scaled by 10⁴ in `MISSION_ITEM_INT`).
    pub fn is_local(frame: u8) -> bool {
        matches!(
            frame,
            LOCAL_NED | LOCAL_ENU | LOCAL_OFFSET_NED | BODY_NED | BODY_OFFSET_NED
        )
    }
}

/// `MAV_CMD` values this crate gives types to.
pub mod cmd {
    /// MAV_CMD_NAV_WAYPOINT.
    pub const NAV_WAYPOINT: u16 = 16;
    /// MAV_CMD_NAV_LOITER_UNLIM.
    pub const NAV_LOITER_UNLIM: u16 = 17;
    /// MAV_CMD_NAV_LOITER_TURNS.
    pub const NAV_LOITER_TURNS: u16 = 18;
    /// MAV_CMD_NAV_LOITER_TIME.
    pub const NAV_LOITER_TIME: u16 = 19;
    /// MAV_CMD_NAV_RETURN_TO_LAUNCH.
    pub const NAV_RETURN_TO_LAUNCH: u16 = 20;
    /// MAV_CMD_NAV_LAND.
    pub const NAV_LAND: u16 = 21;
    /// MAV_CMD_NAV_TAKEOFF.
    pub const NAV_TAKEOFF: u16 = 22;
    /// MAV_CMD_NAV_LOITER_TO_ALT.
    pub const NAV_LOITER_TO_ALT: u16 = 31;
    /// MAV_CMD_NAV_VTOL_TAKEOFF.
    pub const NAV_VTOL_TAKEOFF: u16 = 84;
    /// MAV_CMD_NAV_VTOL_LAND.
    pub const NAV_VTOL_LAND: u16 = 85;
    /// MAV_CMD_NAV_DELAY.
    pub const NAV_DELAY: u16 = 93;
    /// MAV_CMD_CONDITION_DELAY.
    pub const CONDITION_DELAY: u16 = 112;
    /// MAV_CMD_DO_JUMP.
    pub const DO_JUMP: u16 = 177;
    /// MAV_CMD_DO_CHANGE_SPEED.
    pub const DO_CHANGE_SPEED: u16 = 178;
    /// MAV_CMD_DO_SET_ROI_LOCATION.
    pub const DO_SET_ROI_LOCATION: u16 = 195;
    /// MAV_CMD_DO_SET_ROI (deprecated, still written by Mission Planner).
    pub const DO_SET_ROI: u16 = 201;
    /// MAV_CMD_DO_SET_CAM_TRIGG_DIST.
    pub const DO_SET_CAM_TRIGG_DIST: u16 = 206;
    /// MAV_CMD_NAV_FENCE_RETURN_POINT.
    pub const FENCE_RETURN_POINT: u16 = 5000;
    /// MAV_CMD_NAV_FENCE_POLYGON_VERTEX_INCLUSION.
    pub const FENCE_POLYGON_VERTEX_INCLUSION: u16 = 5001;
    /// MAV_CMD_NAV_FENCE_POLYGON_VERTEX_EXCLUSION.
    pub const FENCE_POLYGON_VERTEX_EXCLUSION: u16 = 5002;
    /// MAV_CMD_NAV_FENCE_CIRCLE_INCLUSION.
    pub const FENCE_CIRCLE_INCLUSION: u16 = 5003;
    /// MAV_CMD_NAV_FENCE_CIRCLE_EXCLUSION.
    pub const FENCE_CIRCLE_EXCLUSION: u16 = 5004;
    /// MAV_CMD_NAV_RALLY_POINT.
    pub const RALLY_POINT: u16 = 5100;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_is_numbered_in_order_and_of_one_type() {
        let mut items: Vec<_> = (0..3)
            .map(|i| MissionItemInt::waypoint(i, 0, 0, 10.0))
            .collect();
        assert_eq!(check_list(&items, MissionType::Mission), Ok(()));
        assert!(matches!(
            check_list(&items, MissionType::Fence),
            Err(ListError::WrongType { seq: 0, .. })
        ));
        items[2].seq = 7;
        assert_eq!(
            check_list(&items, MissionType::Mission),
            Err(ListError::Numbering { index: 2, seq: 7 })
        );
        let long = vec![MissionItemInt::waypoint(0, 0, 0, 1.0); MAX_LIST_LEN + 1];
        assert!(matches!(
            check_list(&long, MissionType::Mission),
            Err(ListError::TooLong { len: 65_536 })
        ));
    }
}
