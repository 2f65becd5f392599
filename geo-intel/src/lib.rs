//! Vigil's geospatial intelligence: layers read through GDAL, elevation, risk and coverage.
//!
//! Everything that comes out of this crate is owned and in WGS84 longitude/latitude:
//! GDAL datasets are opened, copied into [`vector::VectorLayer`]s or [`grid::Grid`]s,
//! and dropped (GDAL handles are not `Sync`). Those owned values live in the GDAL-free
//! crate `geo-model` (re-exported here under the same paths), so a crate that only
//! uses geodata, like the map model, does not link GDAL. Reading them is this crate's
//! job, through the traits in [`prelude`].
//!
//! ```
//! use geo_intel::elevation::Dem;
//! use geo_intel::prelude::*;
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
//! The command-line tool `geo-intel` (crate `geo-intel-cli`) wraps the same functions:
//! `info`, `sample`, `profile`, `heatmap`, `rank-border`, `coverage` and `catalog`,
//! each with `--json`. Flown tracks come in as plain values ([`tracks::Track`]): this
//! crate reads GPX and other OGR sources; `.tlog` telemetry is read by gcs-link.

pub mod border;
pub mod catalog;
pub mod chainage;
pub mod coverage;
pub mod crs;
pub mod elevation;
pub use geo_model::error;
pub mod grid;
pub mod incidents;
pub mod index;
pub mod info;
pub mod risk;
pub mod tracks;
pub mod vector;

pub use error::{GeoError, Result};

/// The reading traits: `use geo_intel::prelude::*` for `Dem::open`, `Grid::read`.
pub mod prelude {
    pub use crate::elevation::OpenDem;
    pub use crate::grid::ReadGrid;
}
