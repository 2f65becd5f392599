//! Vigil's geospatial intelligence: layers read through GDAL, elevation, risk and coverage.
//!
//! Everything that comes out of this crate is owned and in WGS84 longitude/latitude:
//! GDAL datasets are opened, copied into [`vector::VectorLayer`]s or [`grid::Grid`]s,
//! and dropped (GDAL handles are not `Sync`).
//!
//! ```no_run
//! use geo_intel::elevation::Dem;
//! use mission_planner::{ElevationModel, LatLon};
//! let dem = Dem::open("assets/niger/globe_niger_30arcsec.tif".as_ref())?;
//! let niamey_m = dem.elevation_m(LatLon::new(13.5116, 2.1254));
//! assert!(niamey_m.is_some());
//! # Ok::<(), geo_intel::GeoError>(())
//! ```

pub mod border;
pub mod catalog;
pub mod chainage;
pub mod coverage;
pub mod crs;
pub mod elevation;
pub mod error;
pub mod grid;
pub mod incidents;
pub mod index;
pub mod info;
pub mod risk;
pub mod tracks;
pub mod vector;

pub use error::{GeoError, Result};
