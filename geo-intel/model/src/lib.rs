//! Vigil's owned geodata values, with no GDAL: raster grids, elevation models,
//! vector layers and lon/lat bounds.
//!
//! `geo-intel` reads files through GDAL and copies them into these values (and
//! re-exports them under its own paths); crates that only use geodata, such as the
//! map model `gcs-scene`, depend on this crate alone and never link GDAL.
//!
//! Everything is WGS84 longitude/latitude unless a grid says otherwise: a [`Grid`]
//! in a projected CRS carries the projection that takes lon/lat into it
//! ([`grid::LonLatToGrid`]), supplied by whoever read it.
//!
//! ```
//! use geo_model::{Dem, Grid, LonLatBounds};
//! use mission_planner::{ElevationModel, LatLon};
//!
//! // A 2 x 2 lon/lat grid of 1-degree cells over 10..12 E, 18..20 N.
//! let grid = Grid::lon_lat(
//!     "hand-made".into(),
//!     2,
//!     2,
//!     [10.0, 1.0, 0.0, 20.0, 0.0, -1.0],
//!     vec![100.0, 200.0, 300.0, f32::NAN],
//! );
//! assert_eq!(grid.bounds, LonLatBounds { west_deg: 10.0, south_deg: 18.0, east_deg: 12.0, north_deg: 20.0 });
//! let dem = Dem::from_grid(grid);
//! assert_eq!(dem.elevation_m(LatLon::new(19.5, 10.5)), Some(100.0)); // a cell centre
//! assert_eq!(dem.elevation_m(LatLon::new(18.5, 11.5)), None); // the nodata cell
//! ```

pub mod bounds;
pub mod elevation;
pub mod error;
pub mod grid;
pub mod time;
pub mod vector;

pub use bounds::LonLatBounds;
pub use elevation::Dem;
pub use error::{GeoError, Result};
pub use grid::Grid;
pub use vector::{Feature, VectorLayer};
