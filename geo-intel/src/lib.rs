//! Vigil's geospatial intelligence: layers read through GDAL, elevation, risk and coverage.
//!
//! Everything that comes out of this crate is owned and in WGS84 longitude/latitude:
//! GDAL datasets are opened, copied into [`vector::VectorLayer`]s or [`grid::Grid`]s,
//! and dropped (GDAL handles are not `Sync`).
//!
//! ```
//! use geo_intel::elevation::Dem;
//! use mission_planner::{ElevationModel, LatLon};
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/niger/globe_niger_30arcsec.tif");
//! let dem = Dem::open(path.as_ref())?;
//! let niamey_m = dem.elevation_m(LatLon::new(13.5116, 2.1254)).expect("Niamey is on the DEM");
//! assert!((150.0..300.0).contains(&niamey_m));
//! assert_eq!(dem.elevation_m(LatLon::new(48.85, 2.35)), None); // Paris: off the DEM
//! # Ok::<(), geo_intel::GeoError>(())
//! ```
//!
//! The command-line tool `geo-intel` wraps the same functions: `info`, `sample`,
//! `profile`, `heatmap`, `rank-border`, `coverage` and `catalog`, each with `--json`.

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
