//! Elevation models in memory: bilinear sampling, profiles, terrain grids.
//!
//! A [`Dem`] is an owned [`Grid`] of heights in metres above the DEM's vertical datum
//! (GLOBE and SRTM: mean sea level). Nodata is `None`, never 0. `geo-intel` reads
//! DEM files (one, or several mosaicked) into it.

use std::path::PathBuf;

use geo::{Distance, Haversine, InterpolatePoint};
use mission_planner::{ElevationModel, LatLon};
use serde::Serialize;

use crate::bounds::LonLatBounds;
use crate::error::{GeoError, Result};
use crate::grid::Grid;

/// A digital elevation model in memory, sampled bilinearly at WGS84 positions.
/// It holds no file handle: whoever reads the DEM (geo-intel) fills it.
#[derive(Debug, Clone)]
pub struct Dem {
    /// The files the DEM was built from.
    pub sources: Vec<PathBuf>,
    /// The heights in metres, NaN where there is no data.
    pub grid: Grid,
}

impl Dem {
    /// A DEM of one grid of heights, named after the grid's source.
    pub fn from_grid(grid: Grid) -> Dem {
        Dem {
            sources: vec![grid.source.clone()],
            grid,
        }
    }

    /// Height in metres at `p`, or `None` outside the DEM or on nodata.
    pub fn sample(&self, p: LatLon) -> Option<f64> {
        self.grid.sample(p)
    }

    /// Heights at many positions (one batch transformation).
    pub fn sample_many(&self, points: &[LatLon]) -> Vec<Option<f64>> {
        self.grid.sample_many(points)
    }

    /// [`GeoError::NotCovered`] unless the DEM overlaps `area`.
    pub fn require_overlap(&self, area: &LonLatBounds) -> Result<()> {
        if self.grid.overlaps(area) {
            Ok(())
        } else {
            Err(GeoError::NotCovered {
                path: self.grid.source.clone(),
                reason: format!(
                    "requested lon {:.4}..{:.4}, lat {:.4}..{:.4}; DEM covers lon {:.4}..{:.4}, lat {:.4}..{:.4}",
                    area.west_deg,
                    area.east_deg,
                    area.south_deg,
                    area.north_deg,
                    self.grid.bounds.west_deg,
                    self.grid.bounds.east_deg,
                    self.grid.bounds.south_deg,
                    self.grid.bounds.north_deg
                ),
            })
        }
    }

    /// The elevation profile along `path`, sampled every `step_m` metres along
    /// each great-circle leg (and at every vertex).
    ///
    /// Fails with [`GeoError::NotCovered`] if no sample falls on DEM data.
    pub fn profile(&self, path: &[LatLon], step_m: f64) -> Result<Vec<ProfilePoint>> {
        if path.len() < 2 {
            return Err(GeoError::Argument(
                "a profile needs at least two points".into(),
            ));
        }
        if !(step_m.is_finite() && step_m > 0.0) {
            return Err(GeoError::Argument(format!(
                "profile step must be > 0 m, got {step_m}"
            )));
        }
        let total_m: f64 = path
            .windows(2)
            .map(|w| {
                Haversine.distance(
                    geo::Point::new(w[0].lon_deg, w[0].lat_deg),
                    geo::Point::new(w[1].lon_deg, w[1].lat_deg),
                )
            })
            .sum();
        if total_m / step_m > 10_000_000.0 {
            return Err(GeoError::Argument(format!(
                "{:.0} km at {step_m} m steps is more than 10 million samples",
                total_m / 1000.0
            )));
        }
        let mut positions = Vec::new();
        let mut dists = Vec::new();
        let mut start_m = 0.0;
        for leg in path.windows(2) {
            let a = geo::Point::new(leg[0].lon_deg, leg[0].lat_deg);
            let b = geo::Point::new(leg[1].lon_deg, leg[1].lat_deg);
            let len_m = Haversine.distance(a, b);
            let n = (len_m / step_m).ceil().max(1.0) as usize;
            for i in 0..n {
                let f = i as f64 / n as f64;
                let p = Haversine.point_at_ratio_between(a, b, f);
                positions.push(LatLon::new(p.y(), p.x()));
                dists.push(start_m + f * len_m);
            }
            start_m += len_m;
        }
        let last = path[path.len() - 1];
        positions.push(last);
        dists.push(start_m);
        let elevs = self.sample_many(&positions);
        if elevs.iter().all(Option::is_none) {
            let b = bounds_of(path);
            self.require_overlap(&b)?;
            return Err(GeoError::NotCovered {
                path: self.grid.source.clone(),
                reason: "every sample along the path is nodata".into(),
            });
        }
        Ok(positions
            .into_iter()
            .zip(dists)
            .zip(elevs)
            .map(|((position, distance_m), elev_m)| ProfilePoint {
                distance_m,
                position,
                elev_m,
            })
            .collect())
    }

    /// A regular lon/lat grid of heights over `area`, with cells of about
    /// `cell_m` metres (measured at the centre latitude), for terrain meshes.
    pub fn elevation_grid(&self, area: &LonLatBounds, cell_m: f64) -> Result<ElevationGrid> {
        if !(cell_m.is_finite() && cell_m > 0.0) {
            return Err(GeoError::Argument(format!(
                "cell size must be > 0 m, got {cell_m}"
            )));
        }
        if !(area.east_deg > area.west_deg && area.north_deg > area.south_deg) {
            return Err(GeoError::Argument("empty area".into()));
        }
        self.require_overlap(area)?;
        let mid_lat = 0.5 * (area.south_deg + area.north_deg);
        let m_per_deg_lat = 111_320.0;
        let m_per_deg_lon = m_per_deg_lat * mid_lat.to_radians().cos();
        let cols = (((area.east_deg - area.west_deg) * m_per_deg_lon) / cell_m)
            .ceil()
            .max(1.0) as usize;
        let rows = (((area.north_deg - area.south_deg) * m_per_deg_lat) / cell_m)
            .ceil()
            .max(1.0) as usize;
        if cols.saturating_mul(rows) > 100_000_000 {
            return Err(GeoError::Argument(format!(
                "{cols} x {rows} cells is too many; use a larger cell size"
            )));
        }
        let dlon = (area.east_deg - area.west_deg) / cols as f64;
        let dlat = (area.north_deg - area.south_deg) / rows as f64;
        let mut points = Vec::with_capacity(cols * rows);
        for r in 0..rows {
            let lat = area.north_deg - (r as f64 + 0.5) * dlat;
            for c in 0..cols {
                points.push(LatLon::new(lat, area.west_deg + (c as f64 + 0.5) * dlon));
            }
        }
        let elev_m = self
            .sample_many(&points)
            .into_iter()
            .map(|v| v.map(|h| h as f32))
            .collect();
        Ok(ElevationGrid {
            bounds: *area,
            cols,
            rows,
            cell_lon_deg: dlon,
            cell_lat_deg: dlat,
            elev_m,
        })
    }
}

impl ElevationModel for Dem {
    fn elevation_m(&self, p: LatLon) -> Option<f64> {
        self.sample(p)
    }
}

/// One sample of an elevation profile.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ProfilePoint {
    /// Distance along the path from its first point, metres (haversine).
    pub distance_m: f64,
    /// Where the sample is.
    pub position: LatLon,
    /// Height in metres, `None` where the DEM has no data.
    pub elev_m: Option<f64>,
}

/// Heights on a regular lon/lat grid, row-major, northern row first, sampled at
/// cell centres.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ElevationGrid {
    /// The area covered.
    pub bounds: LonLatBounds,
    /// Cells west to east.
    pub cols: usize,
    /// Cells north to south.
    pub rows: usize,
    /// Cell width, degrees of longitude.
    pub cell_lon_deg: f64,
    /// Cell height, degrees of latitude.
    pub cell_lat_deg: f64,
    /// Heights in metres, `None` where the DEM has no data.
    pub elev_m: Vec<Option<f32>>,
}

impl ElevationGrid {
    /// The height at column `col`, row `row` (row 0 is the northern edge).
    pub fn at(&self, col: usize, row: usize) -> Option<f32> {
        if col < self.cols && row < self.rows {
            self.elev_m[row * self.cols + col]
        } else {
            None
        }
    }
}

/// The lon/lat bounds of a path.
pub fn bounds_of(path: &[LatLon]) -> LonLatBounds {
    let mut b = LonLatBounds {
        west_deg: f64::INFINITY,
        south_deg: f64::INFINITY,
        east_deg: f64::NEG_INFINITY,
        north_deg: f64::NEG_INFINITY,
    };
    for p in path {
        b.west_deg = b.west_deg.min(p.lon_deg);
        b.east_deg = b.east_deg.max(p.lon_deg);
        b.south_deg = b.south_deg.min(p.lat_deg);
        b.north_deg = b.north_deg.max(p.lat_deg);
    }
    // A degenerate box still overlaps: widen by a hair.
    b.east_deg += 1e-9;
    b.north_deg += 1e-9;
    b
}
