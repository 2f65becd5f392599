//! A plan: mission, geofence and rally points, as QGroundControl groups them.

use serde::{Deserialize, Serialize};

use crate::LatLon;
use crate::MissionItem;
use crate::item::{Altitude, AltitudeReference};

/// A complete plan: what to fly, where not to fly, and where to go on failure.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Plan {
    /// The flight plan.
    pub mission: Mission,
    /// Inclusion and exclusion zones.
    pub fence: GeoFence,
    /// Safe places to return to.
    pub rally_points: Vec<RallyPoint>,
}

/// The launch/home position of a mission.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Home {
    /// Where home is.
    pub position: LatLon,
    /// Home altitude above mean sea level, metres.
    pub alt_amsl_m: f64,
}

/// The flight plan: items in flight order, plus the metadata QGroundControl keeps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mission {
    /// Planned home position (MAVLink seq 0 when present).
    pub home: Option<Home>,
    /// Items in flight order. With a home, item `i` is MAVLink seq `i + 1`,
    /// otherwise seq `i`; [`crate::MissionCommand::Jump`] targets use those seqs.
    pub items: Vec<MissionItem>,
    /// The MAVLink seq marked current, if any.
    pub current_seq: Option<u16>,
    /// Runs of items that came from a QGroundControl complex item (survey,
    /// corridor scan), with the parameters QGroundControl needs to edit them again.
    pub complex_items: Vec<ComplexItem>,
    /// QGroundControl's planning altitude of items (by index in `items`) where it
    /// says more than the item's frame and altitude, e.g. "calculated above
    /// terrain" items; written back to `.plan` files as read.
    pub qgc_altitudes: std::collections::BTreeMap<usize, QgcAltitude>,
    /// Planned cruise speed for fixed-wing flight, m/s.
    pub cruise_speed_mps: f64,
    /// Planned hover speed for multirotor flight, m/s.
    pub hover_speed_mps: f64,
    /// `MAV_AUTOPILOT` of the planning firmware (QGroundControl `firmwareType`).
    pub firmware_type: u32,
    /// `MAV_TYPE` of the planned vehicle (QGroundControl `vehicleType`).
    pub vehicle_type: u32,
}

impl Default for Mission {
    fn default() -> Self {
        Mission {
            home: None,
            items: Vec::new(),
            current_seq: None,
            complex_items: Vec::new(),
            qgc_altitudes: std::collections::BTreeMap::new(),
            cruise_speed_mps: 15.0,
            hover_speed_mps: 5.0,
            firmware_type: 12,
            vehicle_type: 2,
        }
    }
}

impl Mission {
    /// The MAVLink seq of item `index` (one more than the index when there is a home).
    pub fn seq_of(&self, index: usize) -> usize {
        index + usize::from(self.home.is_some())
    }

    /// Gives the mission a home or takes it away, keeping every seq-valued field
    /// (`DO_JUMP` targets, the current item) pointing at the same items: with a home,
    /// item `i` is seq `i + 1`, without one seq `i`.
    ///
    /// The one place that re-numbering lives: an upload to PX4 drops the planned home,
    /// a download from PX4 adds the vehicle's, a WPL file always has a home row.
    pub fn set_home(&mut self, home: Option<Home>) -> Result<(), HomeError> {
        let by: i32 = match (self.home.is_some(), home.is_some()) {
            (false, true) => 1,
            (true, false) => -1,
            _ => 0,
        };
        if by != 0 {
            let mut targets = Vec::new();
            for (index, item) in self.items.iter().enumerate() {
                if let crate::MissionCommand::Jump { target_seq, .. } = item.command {
                    let t = u16::try_from(i32::from(target_seq) + by)
                        .map_err(|_| HomeError::JumpToHome { index })?;
                    targets.push((index, t));
                }
            }
            for (index, t) in targets {
                if let crate::MissionCommand::Jump { target_seq, .. } =
                    &mut self.items[index].command
                {
                    *target_seq = t;
                }
            }
            self.current_seq = self
                .current_seq
                .and_then(|s| u16::try_from(i32::from(s) + by).ok());
        }
        self.home = home;
        Ok(())
    }

    /// How many MAVLink items the mission takes, home included.
    pub fn mavlink_count(&self) -> usize {
        self.seq_of(self.items.len())
    }

    /// Appends `items` as one QGroundControl complex item of `kind` ("survey",
    /// "CorridorScan") with its `.plan` parameters (see [`crate::files::qgc_plan::transect`]).
    pub fn push_complex(
        &mut self,
        kind: &str,
        params: serde_json::Map<String, serde_json::Value>,
        items: Vec<MissionItem>,
    ) {
        self.complex_items.push(ComplexItem {
            kind: kind.to_owned(),
            first_item: self.items.len(),
            item_count: items.len(),
            params,
        });
        self.items.extend(items);
    }
}

/// Why a mission's home cannot be taken away.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HomeError {
    /// A `DO_JUMP` targets the home item (seq 0), which would no longer exist.
    #[error("mission item {} jumps to the home item (seq 0)", index + 1)]
    JumpToHome {
        /// The jump's index among the mission's items.
        index: usize,
    },
}

/// QGroundControl's `Altitude`, `AltitudeMode` and `AMSLAltAboveTerrain` of an item.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct QgcAltitude {
    /// `Altitude`, metres in the mode's reference (`None`: null).
    pub altitude_m: Option<f64>,
    /// `AltitudeMode`: 0 mixed, 1 relative, 2 AMSL, 3 calculated above terrain, 4 terrain frame.
    pub mode: u8,
    /// `AMSLAltAboveTerrain`, metres (`None`: null).
    pub amsl_alt_above_terrain_m: Option<f64>,
}

/// A run of mission items generated by a QGroundControl complex item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplexItem {
    /// `complexItemType`: "survey", "CorridorScan", ...
    pub kind: String,
    /// Index in [`Mission::items`] of the first item it generated.
    pub first_item: usize,
    /// How many items it generated.
    pub item_count: usize,
    /// Every other field of the QGroundControl JSON object, kept verbatim (the
    /// embedded `Items` array is left out: those are the mission items).
    pub params: serde_json::Map<String, serde_json::Value>,
}

/// Inclusion/exclusion zones and the breach return point.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GeoFence {
    /// Polygon zones.
    pub polygons: Vec<FencePolygon>,
    /// Circle zones.
    pub circles: Vec<FenceCircle>,
    /// Where to go on breach, altitude above home.
    pub breach_return: Option<(LatLon, f64)>,
    /// Fence items of commands this crate does not know (e.g. ArduPilot
    /// extensions), kept verbatim and written after the known ones.
    pub other_items: Vec<crate::ItemParams>,
}

impl GeoFence {
    /// Whether there is no zone and no return point.
    pub fn is_empty(&self) -> bool {
        self.polygons.is_empty()
            && self.circles.is_empty()
            && self.breach_return.is_none()
            && self.other_items.is_empty()
    }
}

/// A polygon zone: stay inside (inclusion) or outside (exclusion).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FencePolygon {
    /// Vertices in order, not closed (the first vertex is not repeated).
    pub vertices: Vec<LatLon>,
    /// True to stay inside, false to stay out.
    pub inclusion: bool,
}

/// A circle zone: stay inside (inclusion) or outside (exclusion).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FenceCircle {
    /// Centre.
    pub center: LatLon,
    /// Radius, metres.
    pub radius_m: f64,
    /// True to stay inside, false to stay out.
    pub inclusion: bool,
}

/// A safe place to return to.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RallyPoint {
    /// Where.
    pub position: LatLon,
    /// At what altitude.
    pub altitude: Altitude,
    /// PARAM1..PARAM4 of its `NAV_RALLY_POINT` item, kept as found (0 when new):
    /// MAVLink lists and WPL files carry them, QGroundControl `.plan` files do not.
    #[serde(default)]
    pub params: [f64; 4],
}

impl RallyPoint {
    /// A rally point `alt_m` above home.
    pub fn new(position: LatLon, alt_m: f64) -> Self {
        RallyPoint {
            position,
            altitude: Altitude {
                alt_m,
                reference: AltitudeReference::Home,
            },
            params: [0.0; 4],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Altitude, LatLon, MissionCommand, MissionItem};

    fn jumping_mission() -> Mission {
        let mut m = Mission::default();
        let wp = |lat| MissionItem::waypoint(LatLon::new(lat, 8.0), Altitude::above_home(50.0));
        m.items = vec![wp(16.0), wp(16.1)];
        m.items.push(MissionItem {
            command: MissionCommand::Jump {
                target_seq: 1,
                repeat: 2,
            },
            ..wp(0.0)
        });
        m.current_seq = Some(0);
        m
    }

    #[test]
    fn a_home_shifts_jumps_and_the_current_item() {
        let mut m = jumping_mission();
        let home = Home {
            position: LatLon::new(16.0, 8.0),
            alt_amsl_m: 500.0,
        };
        m.set_home(Some(home)).unwrap();
        assert_eq!(m.current_seq, Some(1));
        assert!(matches!(
            m.items[2].command,
            MissionCommand::Jump { target_seq: 2, .. }
        ));
        m.set_home(None).unwrap();
        // Debug text compares NaN yaw fields as equal.
        assert_eq!(format!("{m:?}"), format!("{:?}", jumping_mission()));
    }

    #[test]
    fn a_jump_to_home_keeps_its_home() {
        let mut m = jumping_mission();
        m.set_home(Some(Home {
            position: LatLon::new(16.0, 8.0),
            alt_amsl_m: 500.0,
        }))
        .unwrap();
        m.items[2].command = MissionCommand::Jump {
            target_seq: 0,
            repeat: 1,
        };
        let before = m.clone();
        assert_eq!(m.set_home(None), Err(HomeError::JumpToHome { index: 2 }));
        assert_eq!(format!("{m:?}"), format!("{before:?}"), "nothing changed");
    }
}
