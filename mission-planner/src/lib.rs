//! Vigil's mission planner: the plan model, generators, validation and plan files.
//!
//! This crate knows nothing of sockets, Bevy or GDAL: terrain comes in through the
//! [`ElevationModel`] trait, which `geo-intel` implements over real DEMs.

pub mod elevation;
pub mod lat_lon;

pub use elevation::{ElevationModel, FlatTerrain};
pub use lat_lon::LatLon;
