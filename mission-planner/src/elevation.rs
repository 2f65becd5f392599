//! Terrain height as a trait, so the planner never depends on GDAL.

use crate::LatLon;

/// Terrain height above mean sea level, sampled at a position.
///
/// Exists so generators and validation can follow and check terrain without knowing
/// where heights come from: `geo-intel` implements it over real DEMs, tests over
/// synthetic terrain.
pub trait ElevationModel {
    /// Terrain height above mean sea level in metres at `p`, or `None` where the
    /// model has no data (nodata cells, outside the DEM). Never 0 as a stand-in.
    fn elevation_m(&self, p: LatLon) -> Option<f64>;
}

/// A flat world at a fixed height: the model used when no DEM is given.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FlatTerrain {
    /// Height of the whole world above mean sea level, metres.
    pub height_m: f64,
}

impl ElevationModel for FlatTerrain {
    fn elevation_m(&self, _p: LatLon) -> Option<f64> {
        Some(self.height_m)
    }
}

impl<T: ElevationModel + ?Sized> ElevationModel for &T {
    fn elevation_m(&self, p: LatLon) -> Option<f64> {
        (**self).elevation_m(p)
    }
}
