//! PX4 flight modes and their encoding in HEARTBEAT's `custom_mode` and `base_mode`.
//!
//! PX4 packs its mode into `custom_mode` as `main_mode << 16 | sub_mode << 24`
//! (`px4_custom_mode.h`), and always sets `MAV_MODE_FLAG_CUSTOM_MODE_ENABLED` in
//! `base_mode`, adding the manual/stabilize/guided/auto flags the mode implies
//! (`get_mavlink_navigation_mode` in PX4's mavlink module).

use serde::{Deserialize, Serialize};

/// PX4 main modes (`PX4_CUSTOM_MAIN_MODE_*`).
pub mod main_mode {
    /// `MANUAL` (1).
    pub const MANUAL: u8 = 1;
    /// `ALTCTL` (2).
    pub const ALTCTL: u8 = 2;
    /// `POSCTL` (3).
    pub const POSCTL: u8 = 3;
    /// `AUTO` (4).
    pub const AUTO: u8 = 4;
    /// `ACRO` (5).
    pub const ACRO: u8 = 5;
    /// `OFFBOARD` (6).
    pub const OFFBOARD: u8 = 6;
    /// `STABILIZED` (7).
    pub const STABILIZED: u8 = 7;
    /// `TERMINATION` (10).
    pub const TERMINATION: u8 = 10;
}

/// PX4 AUTO sub modes (`PX4_CUSTOM_SUB_MODE_AUTO_*`).
pub mod auto_sub_mode {
    /// `READY` (1).
    pub const READY: u8 = 1;
    /// `TAKEOFF` (2).
    pub const TAKEOFF: u8 = 2;
    /// `LOITER` (3).
    pub const LOITER: u8 = 3;
    /// `MISSION` (4).
    pub const MISSION: u8 = 4;
    /// `RTL` (5).
    pub const RTL: u8 = 5;
    /// `LAND` (6).
    pub const LAND: u8 = 6;
    /// `FOLLOW_TARGET` (8).
    pub const FOLLOW_TARGET: u8 = 8;
    /// `PRECLAND` (9).
    pub const PRECLAND: u8 = 9;
}

/// PX4 POSCTL sub modes (`PX4_CUSTOM_SUB_MODE_POSCTL_*`).
const POSCTL_SUB_ORBIT: u8 = 1;

/// `MAV_MODE_FLAG` bits PX4 sets in `base_mode`.
pub mod mode_flag {
    /// `MAV_MODE_FLAG_CUSTOM_MODE_ENABLED`.
    pub const CUSTOM_MODE_ENABLED: u8 = 1;
    /// `MAV_MODE_FLAG_AUTO_ENABLED`.
    pub const AUTO_ENABLED: u8 = 4;
    /// `MAV_MODE_FLAG_GUIDED_ENABLED`.
    pub const GUIDED_ENABLED: u8 = 8;
    /// `MAV_MODE_FLAG_STABILIZE_ENABLED`.
    pub const STABILIZE_ENABLED: u8 = 16;
    /// `MAV_MODE_FLAG_MANUAL_INPUT_ENABLED`.
    pub const MANUAL_INPUT_ENABLED: u8 = 64;
    /// `MAV_MODE_FLAG_SAFETY_ARMED`.
    pub const SAFETY_ARMED: u8 = 128;
}

/// A PX4 flight mode, as operators name them in QGroundControl.
///
/// Exists so nothing above the wire compares mode strings or magic numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FlightMode {
    /// Manual (PX4 MANUAL).
    Manual,
    /// Stabilized (PX4 STABILIZED).
    Stabilized,
    /// Acro (PX4 ACRO).
    Acro,
    /// Altitude hold (PX4 ALTCTL).
    Altitude,
    /// Position hold with sticks (PX4 POSCTL).
    Position,
    /// Orbit around a point (PX4 POSCTL / ORBIT).
    Orbit,
    /// Auto ready, waiting on the ground (PX4 AUTO / READY).
    Ready,
    /// Auto takeoff (PX4 AUTO / TAKEOFF).
    Takeoff,
    /// Hold / loiter at a point (PX4 AUTO / LOITER).
    Hold,
    /// Fly the uploaded mission (PX4 AUTO / MISSION).
    Mission,
    /// Return to launch or a rally point (PX4 AUTO / RTL).
    Return,
    /// Land where it is (PX4 AUTO / LAND).
    Land,
    /// Follow a target (PX4 AUTO / FOLLOW_TARGET).
    FollowMe,
    /// Precision land (PX4 AUTO / PRECLAND).
    PrecisionLand,
    /// Offboard control from a companion (PX4 OFFBOARD).
    Offboard,
    /// Flight termination (PX4 TERMINATION).
    Termination,
    /// A custom_mode this table does not know; the raw value is kept.
    Unknown(u32),
}

impl FlightMode {
    /// The (main, sub) mode pair PX4 uses for this mode, `None` for [`FlightMode::Unknown`].
    pub fn px4_main_sub(self) -> Option<(u8, u8)> {
        use auto_sub_mode as a;
        use main_mode as m;
        Some(match self {
            Self::Manual => (m::MANUAL, 0),
            Self::Stabilized => (m::STABILIZED, 0),
            Self::Acro => (m::ACRO, 0),
            Self::Altitude => (m::ALTCTL, 0),
            Self::Position => (m::POSCTL, 0),
            Self::Orbit => (m::POSCTL, POSCTL_SUB_ORBIT),
            Self::Ready => (m::AUTO, a::READY),
            Self::Takeoff => (m::AUTO, a::TAKEOFF),
            Self::Hold => (m::AUTO, a::LOITER),
            Self::Mission => (m::AUTO, a::MISSION),
            Self::Return => (m::AUTO, a::RTL),
            Self::Land => (m::AUTO, a::LAND),
            Self::FollowMe => (m::AUTO, a::FOLLOW_TARGET),
            Self::PrecisionLand => (m::AUTO, a::PRECLAND),
            Self::Offboard => (m::OFFBOARD, 0),
            Self::Termination => (m::TERMINATION, 0),
            Self::Unknown(_) => return None,
        })
    }

    /// Decodes PX4's (main, sub) mode pair.
    pub fn from_px4_main_sub(main: u8, sub: u8) -> Option<Self> {
        use auto_sub_mode as a;
        use main_mode as m;
        Some(match (main, sub) {
            (m::MANUAL, _) => Self::Manual,
            (m::STABILIZED, _) => Self::Stabilized,
            (m::ACRO, _) => Self::Acro,
            (m::ALTCTL, _) => Self::Altitude,
            (m::POSCTL, POSCTL_SUB_ORBIT) => Self::Orbit,
            (m::POSCTL, _) => Self::Position,
            (m::AUTO, a::READY) => Self::Ready,
            (m::AUTO, a::TAKEOFF) => Self::Takeoff,
            (m::AUTO, a::LOITER) => Self::Hold,
            (m::AUTO, a::MISSION) => Self::Mission,
            (m::AUTO, a::RTL) => Self::Return,
            (m::AUTO, a::LAND) => Self::Land,
            (m::AUTO, a::FOLLOW_TARGET) => Self::FollowMe,
            (m::AUTO, a::PRECLAND) => Self::PrecisionLand,
            (m::OFFBOARD, _) => Self::Offboard,
            (m::TERMINATION, _) => Self::Termination,
            _ => return None,
        })
    }

    /// Decodes HEARTBEAT's `custom_mode` from a PX4 autopilot.
    pub fn from_px4_custom_mode(custom_mode: u32) -> Self {
        let main = ((custom_mode >> 16) & 0xff) as u8;
        let sub = ((custom_mode >> 24) & 0xff) as u8;
        Self::from_px4_main_sub(main, sub).unwrap_or(Self::Unknown(custom_mode))
    }

    /// HEARTBEAT's `custom_mode` for this mode on PX4.
    pub fn to_px4_custom_mode(self) -> u32 {
        match self.px4_main_sub() {
            Some((main, sub)) => (u32::from(main) << 16) | (u32::from(sub) << 24),
            None => match self {
                Self::Unknown(raw) => raw,
                _ => 0,
            },
        }
    }

    /// HEARTBEAT's `base_mode` for this mode on a PX4 multicopter (armed flag included).
    pub fn to_px4_base_mode(self, armed: bool) -> u8 {
        use mode_flag as f;
        let mut base = f::CUSTOM_MODE_ENABLED;
        if armed {
            base |= f::SAFETY_ARMED;
        }
        base |= match self {
            Self::Manual | Self::Stabilized | Self::Altitude => {
                f::MANUAL_INPUT_ENABLED | f::STABILIZE_ENABLED
            }
            Self::Acro => f::MANUAL_INPUT_ENABLED,
            Self::Position | Self::Orbit => {
                f::MANUAL_INPUT_ENABLED | f::STABILIZE_ENABLED | f::GUIDED_ENABLED
            }
            Self::Ready
            | Self::Takeoff
            | Self::Hold
            | Self::Mission
            | Self::Return
            | Self::Land
            | Self::FollowMe
            | Self::PrecisionLand
            | Self::Offboard => f::AUTO_ENABLED | f::STABILIZE_ENABLED | f::GUIDED_ENABLED,
            Self::Termination | Self::Unknown(_) => 0,
        };
        base
    }

    /// The name QGroundControl shows for this mode.
    pub fn name(self) -> &'static str {
        match self {
            Self::Manual => "Manual",
            Self::Stabilized => "Stabilized",
            Self::Acro => "Acro",
            Self::Altitude => "Altitude",
            Self::Position => "Position",
            Self::Orbit => "Orbit",
            Self::Ready => "Ready",
            Self::Takeoff => "Takeoff",
            Self::Hold => "Hold",
            Self::Mission => "Mission",
            Self::Return => "Return",
            Self::Land => "Land",
            Self::FollowMe => "Follow Me",
            Self::PrecisionLand => "Precision Land",
            Self::Offboard => "Offboard",
            Self::Termination => "Termination",
            Self::Unknown(_) => "Unknown",
        }
    }
}

impl std::fmt::Display for FlightMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unknown(raw) => write!(f, "Unknown(0x{raw:08x})"),
            m => f.write_str(m.name()),
        }
    }
}

/// Why a mode name could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown flight mode {0:?}: expected one of manual, stabilized, acro, altitude, position, orbit, takeoff, hold, mission, return, land, offboard"
)]
pub struct FlightModeParseError(pub String);

impl std::str::FromStr for FlightMode {
    type Err = FlightModeParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(
            match s.to_ascii_lowercase().replace(['-', '_', ' '], "").as_str() {
                "manual" => Self::Manual,
                "stabilized" | "stabilize" => Self::Stabilized,
                "acro" => Self::Acro,
                "altitude" | "altctl" => Self::Altitude,
                "position" | "posctl" => Self::Position,
                "orbit" => Self::Orbit,
                "ready" => Self::Ready,
                "takeoff" => Self::Takeoff,
                "hold" | "loiter" => Self::Hold,
                "mission" => Self::Mission,
                "return" | "rtl" => Self::Return,
                "land" => Self::Land,
                "followme" => Self::FollowMe,
                "precisionland" | "precland" => Self::PrecisionLand,
                "offboard" => Self::Offboard,
                _ => return Err(FlightModeParseError(s.to_owned())),
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [FlightMode; 16] = [
        FlightMode::Manual,
        FlightMode::Stabilized,
        FlightMode::Acro,
        FlightMode::Altitude,
        FlightMode::Position,
        FlightMode::Orbit,
        FlightMode::Ready,
        FlightMode::Takeoff,
        FlightMode::Hold,
        FlightMode::Mission,
        FlightMode::Return,
        FlightMode::Land,
        FlightMode::FollowMe,
        FlightMode::PrecisionLand,
        FlightMode::Offboard,
        FlightMode::Termination,
    ];

    #[test]
    fn custom_mode_round_trips() {
        for m in ALL {
            assert_eq!(FlightMode::from_px4_custom_mode(m.to_px4_custom_mode()), m);
        }
    }

    #[test]
    fn matches_px4_values_seen_on_the_wire() {
        // Values QGroundControl's PX4FirmwarePlugin decodes: AUTO.MISSION and AUTO.LOITER.
        assert_eq!(
            FlightMode::from_px4_custom_mode(0x0404_0000),
            FlightMode::Mission
        );
        assert_eq!(
            FlightMode::from_px4_custom_mode(0x0304_0000),
            FlightMode::Hold
        );
        assert_eq!(
            FlightMode::from_px4_custom_mode(0x0003_0000),
            FlightMode::Position
        );
        assert_eq!(FlightMode::Return.to_px4_custom_mode(), 0x0504_0000);
        assert_eq!(
            FlightMode::from_px4_custom_mode(0x0063_0000),
            FlightMode::Unknown(0x0063_0000)
        );
    }

    #[test]
    fn base_mode_has_custom_flag_and_arming() {
        let b = FlightMode::Hold.to_px4_base_mode(true);
        assert_eq!(b & mode_flag::CUSTOM_MODE_ENABLED, 1);
        assert_ne!(b & mode_flag::SAFETY_ARMED, 0);
        assert_ne!(b & mode_flag::AUTO_ENABLED, 0);
        assert_eq!(
            FlightMode::Position.to_px4_base_mode(false) & mode_flag::SAFETY_ARMED,
            0
        );
    }

    #[test]
    fn parses_operator_names() {
        assert_eq!("RTL".parse(), Ok(FlightMode::Return));
        assert_eq!("hold".parse(), Ok(FlightMode::Hold));
        assert!("warp".parse::<FlightMode>().is_err());
    }
}
