//! Vigil's mission planner: the plan model, generators, validation and plan files.
//!
//! This crate knows nothing of sockets, Bevy or GDAL: terrain comes in through the
//! [`ElevationModel`] trait, which `geo-intel` implements over real DEMs.
//!
//! - Model: [`Plan`] = [`Mission`] of typed [`MissionItem`]s + [`GeoFence`] +
//!   [`RallyPoint`]s; [`mavlink`] converts all three to and from [`MissionItemInt`].
//! - Files: [`files`] reads and writes QGroundControl `.plan`/`.mission` and
//!   `QGC WPL 110`, reads MAVProxy fence/rally lists, exports KML and GeoJSON.
//! - Generators: [`generate`] (border patrol, lawnmower survey, corridor, orbit).
//! - Checks: [`validate`] (every issue, located) and [`estimate`] (distance, time,
//!   battery), both over the [`flight`] path.
//!
//! ```
//! use mission_planner::{Altitude, LatLon, Mission, MissionItem, mavlink};
//!
//! let mut mission = Mission::default();
//! mission.items.push(MissionItem::takeoff(LatLon::new(13.5, 2.1), Altitude::above_home(50.0)));
//! mission.items.push(MissionItem::waypoint(LatLon::new(13.6, 2.1), Altitude::above_home(120.0)));
//! let raw = mavlink::mission_to_raw(&mission);
//! assert_eq!(raw[1].x, 136_000_000);
//! let back = mavlink::mission_from_raw(&raw, false).unwrap();
//! assert_eq!(back.items.len(), 2);
//! ```

pub mod border;
pub mod command;
pub mod elevation;
pub mod estimate;
pub mod files;
pub mod flight;
pub mod generate;
pub mod geodesy;
pub mod item;
pub mod limits;
/// The shared position type (lives in `vigil-values`, re-exported here).
pub use vigil_values::lat_lon;
/// The one local east/north projection (lives in `vigil-values`, re-exported here).
pub use vigil_values::local_frame;
pub mod mavlink;
pub mod plan;
/// Raw `MISSION_ITEM_INT` fields (live in `vigil-values`, re-exported here).
pub use vigil_values::raw;
pub mod validate;
mod zones;

pub use command::{MissionCommand, MissionItem};
pub use elevation::{ElevationModel, FlatTerrain};
pub use item::{Altitude, AltitudeReference, Frame, ItemParams};
pub use lat_lon::LatLon;
pub use plan::{
    ComplexItem, FenceCircle, FencePolygon, GeoFence, Home, HomeError, Mission, Plan, QgcAltitude,
    RallyPoint,
};
pub use raw::{MissionItemInt, MissionType};
