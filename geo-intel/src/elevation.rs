//! Elevation from one or many DEM files, read through GDAL into an owned [`Dem`].
//!
//! Several DEM files are mosaicked through an in-memory VRT (`gdalbuildvrt`), then
//! copied into one owned grid. Sampling, profiles and terrain grids are the
//! [`Dem`]'s own (from `geo-model`, re-exported here); reading is the [`OpenDem`]
//! trait: `use geo_intel::prelude::*` and call `Dem::open(path)` as before.

use std::path::{Path, PathBuf};

use crate::error::{GeoError, Result};
use crate::grid::{Grid, ReadGrid, open_raster};
use crate::vector::LonLatBounds;

pub use geo_model::elevation::{Dem, ElevationGrid, ProfilePoint, bounds_of};

/// Reading DEM files into a [`Dem`] through GDAL.
pub trait OpenDem: Sized {
    /// Opens one DEM file (any raster GDAL reads, any CRS), band 1.
    fn open(path: &Path) -> Result<Self>;

    /// Mosaics several DEM files (same CRS) through an in-memory VRT.
    fn open_many(paths: &[PathBuf]) -> Result<Self>;

    /// Mosaics `paths` (one or many, same CRS) and keeps only the cells covering
    /// `area`: the way to use a DEM much larger than the area of interest.
    /// Fails with [`GeoError::NotCovered`] if the DEM does not meet `area`.
    fn open_area(paths: &[PathBuf], area: &LonLatBounds) -> Result<Self>;
}

impl OpenDem for Dem {
    fn open(path: &Path) -> Result<Dem> {
        Ok(Dem {
            sources: vec![path.to_path_buf()],
            grid: Grid::read(path, 1)?,
        })
    }

    fn open_many(paths: &[PathBuf]) -> Result<Dem> {
        match paths {
            [] => Err(GeoError::Argument("no DEM file given".into())),
            [one] => Dem::open(one),
            _ => {
                let datasets = paths
                    .iter()
                    .map(|p| open_raster(p))
                    .collect::<Result<Vec<_>>>()?;
                let vrt = gdal::programs::raster::build_vrt(None, &datasets, None)
                    .map_err(|e| GeoError::read(&paths[0], "building the VRT mosaic", e))?;
                let grid = Grid::from_dataset(&vrt, &paths[0], 1)?;
                Ok(Dem {
                    sources: paths.to_vec(),
                    grid,
                })
            }
        }
    }

    fn open_area(paths: &[PathBuf], area: &LonLatBounds) -> Result<Dem> {
        let grid = match paths {
            [] => return Err(GeoError::Argument("no DEM file given".into())),
            [one] => Grid::read_area(one, 1, area)?,
            _ => {
                let datasets = paths
                    .iter()
                    .map(|p| open_raster(p))
                    .collect::<Result<Vec<_>>>()?;
                let vrt = gdal::programs::raster::build_vrt(None, &datasets, None)
                    .map_err(|e| GeoError::read(&paths[0], "building the VRT mosaic", e))?;
                Grid::from_dataset_window(&vrt, &paths[0], 1, Some(area))?
            }
        };
        Ok(Dem {
            sources: paths.to_vec(),
            grid,
        })
    }
}
