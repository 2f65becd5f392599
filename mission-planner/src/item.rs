//! Altitude references, MAVLink frames, and the lossless generic item form
//! [`ItemParams`] that typed items ([`crate::MissionItem`]) encode to.

use serde::{Deserialize, Serialize};

use crate::LatLon;
use crate::raw::{MissionItemInt, MissionType, frame};

/// What an item's altitude is measured from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AltitudeReference {
    /// Above mean sea level (`MAV_FRAME_GLOBAL`).
    Amsl,
    /// Above the home position (`MAV_FRAME_GLOBAL_RELATIVE_ALT`).
    Home,
    /// Above the terrain below the vehicle (`MAV_FRAME_GLOBAL_TERRAIN_ALT`).
    Terrain,
}

/// An altitude in metres with what it is measured from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Altitude {
    /// Height in metres above `reference`.
    pub alt_m: f64,
    /// What the height is measured from.
    pub reference: AltitudeReference,
}

impl Altitude {
    /// Metres above mean sea level.
    pub const fn amsl(alt_m: f64) -> Self {
        Self {
            alt_m,
            reference: AltitudeReference::Amsl,
        }
    }
    /// Metres above home.
    pub const fn above_home(alt_m: f64) -> Self {
        Self {
            alt_m,
            reference: AltitudeReference::Home,
        }
    }
    /// Metres above terrain.
    pub const fn above_terrain(alt_m: f64) -> Self {
        Self {
            alt_m,
            reference: AltitudeReference::Terrain,
        }
    }
}

/// The `MAV_FRAME` of an item, typed where it carries an altitude reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Frame {
    /// A global frame (0, 3, 10).
    Global(AltitudeReference),
    /// A deprecated `_INT` global frame (5, 6, 11): same meaning, kept for round trips.
    GlobalInt(AltitudeReference),
    /// `MAV_FRAME_MISSION` (2): parameters only.
    Mission,
    /// Any other frame value, kept as given.
    Other(u8),
}

impl Frame {
    /// The `MAV_FRAME` value.
    pub fn to_mavlink(self) -> u8 {
        use AltitudeReference::*;
        match self {
            Frame::Global(Amsl) => frame::GLOBAL,
            Frame::Global(Home) => frame::GLOBAL_RELATIVE_ALT,
            Frame::Global(Terrain) => frame::GLOBAL_TERRAIN_ALT,
            Frame::GlobalInt(Amsl) => frame::GLOBAL_INT,
            Frame::GlobalInt(Home) => frame::GLOBAL_RELATIVE_ALT_INT,
            Frame::GlobalInt(Terrain) => frame::GLOBAL_TERRAIN_ALT_INT,
            Frame::Mission => frame::MISSION,
            Frame::Other(v) => v,
        }
    }

    /// The frame for a `MAV_FRAME` value.
    pub fn from_mavlink(value: u8) -> Self {
        use AltitudeReference::*;
        match value {
            frame::GLOBAL => Frame::Global(Amsl),
            frame::GLOBAL_RELATIVE_ALT => Frame::Global(Home),
            frame::GLOBAL_TERRAIN_ALT => Frame::Global(Terrain),
            frame::GLOBAL_INT => Frame::GlobalInt(Amsl),
            frame::GLOBAL_RELATIVE_ALT_INT => Frame::GlobalInt(Home),
            frame::GLOBAL_TERRAIN_ALT_INT => Frame::GlobalInt(Terrain),
            frame::MISSION => Frame::Mission,
            v => Frame::Other(v),
        }
    }

    /// The altitude reference of a global frame.
    pub fn altitude_reference(self) -> Option<AltitudeReference> {
        match self {
            Frame::Global(r) | Frame::GlobalInt(r) => Some(r),
            _ => None,
        }
    }
}

/// `MISSION_ITEM_INT` x/y in local frames: metres × 10⁴ (not degrees).
const LOCAL_SCALE: f64 = 1e4;

/// One mission item in generic form: command, frame and seven f64 parameters.
///
/// This is what QGroundControl `.plan` SimpleItems and `QGC WPL 110` lines hold:
/// params 5 and 6 are latitude/longitude in degrees for global frames.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ItemParams {
    /// `MAV_CMD` value.
    pub command: u16,
    /// `MAV_FRAME` value.
    pub frame: u8,
    /// Continue to the next item automatically.
    pub autocontinue: bool,
    /// PARAM1..PARAM7 (5, 6 = lat, lon in degrees; 7 = altitude in metres).
    pub params: [f64; 7],
}

impl ItemParams {
    /// Whether two items are equal field by field, counting any two NaNs as equal.
    pub fn same_as(&self, other: &Self) -> bool {
        self.command == other.command
            && self.frame == other.frame
            && self.autocontinue == other.autocontinue
            && self
                .params
                .iter()
                .zip(other.params.iter())
                .all(|(a, b)| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()))
    }

    /// The `MISSION_ITEM_INT` fields for this item at `seq` in list `mission_type`.
    ///
    /// Params 5/6 become degE7 integers (× 10⁴ for local frames); params 1-4 and 7
    /// become f32. Lossless for values on the degE7 grid that f32 represents exactly.
    pub fn to_raw(&self, seq: u16, current: bool, mission_type: MissionType) -> MissionItemInt {
        let (x, y) = if frame::is_local(self.frame) {
            (
                (self.params[4] * LOCAL_SCALE).round() as i32,
                (self.params[5] * LOCAL_SCALE).round() as i32,
            )
        } else {
            // Degrees to degE7 only through LatLon, the workspace's one conversion.
            LatLon::new(self.params[4], self.params[5]).to_deg_e7()
        };
        MissionItemInt {
            seq,
            frame: self.frame,
            command: self.command,
            current: u8::from(current),
            autocontinue: u8::from(self.autocontinue),
            param1: self.params[0] as f32,
            param2: self.params[1] as f32,
            param3: self.params[2] as f32,
            param4: self.params[3] as f32,
            x,
            y,
            z: self.params[6] as f32,
            mission_type,
        }
    }

    /// The generic form of raw `MISSION_ITEM_INT` fields (exact: raw -> params -> raw
    /// gives the same fields).
    pub fn from_raw(raw: &MissionItemInt) -> Self {
        let (p5, p6) = if frame::is_local(raw.frame) {
            (
                f64::from(raw.x) / LOCAL_SCALE,
                f64::from(raw.y) / LOCAL_SCALE,
            )
        } else {
            let p = LatLon::from_deg_e7(raw.x, raw.y);
            (p.lat_deg, p.lon_deg)
        };
        ItemParams {
            command: raw.command,
            frame: raw.frame,
            autocontinue: raw.autocontinue != 0,
            params: [
                f64::from(raw.param1),
                f64::from(raw.param2),
                f64::from(raw.param3),
                f64::from(raw.param4),
                p5,
                p6,
                f64::from(raw.z),
            ],
        }
    }

    /// Latitude/longitude of params 5/6 when the frame is global.
    pub fn position(&self) -> Option<LatLon> {
        Frame::from_mavlink(self.frame)
            .altitude_reference()
            .map(|_| LatLon::new(self.params[4], self.params[5]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw::MissionType;

    #[test]
    fn raw_round_trip_is_exact() {
        let raw = MissionItemInt {
            seq: 3,
            frame: 10,
            command: 16,
            current: 0,
            autocontinue: 1,
            param1: 1.5,
            param2: 0.0,
            param3: 0.0,
            param4: f32::NAN,
            x: -353_632_610,
            y: 1_491_652_300,
            z: 120.25,
            mission_type: MissionType::Mission,
        };
        let back = ItemParams::from_raw(&raw).to_raw(3, false, MissionType::Mission);
        assert!(back.same_as(&raw), "{back:?}");
    }
}
