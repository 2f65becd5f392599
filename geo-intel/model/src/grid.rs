//! Owned raster grids: one band in memory with its georeference, sampled at lon/lat.
//!
//! A [`Grid`] keeps the cells as `f32` (NaN where the source has nodata), the
//! GeoTransform and the CRS as WKT. It is `Send + Sync` and holds no reader's handle.
//! A grid in WGS84 lon/lat is sampled directly; a grid in any other CRS carries the
//! [`Projection`] that takes lon/lat into it, supplied by whoever read it (geo-intel
//! supplies PROJ's, through GDAL), so sampling code never needs to know a CRS library.

use std::path::PathBuf;
use std::sync::Arc;

use mission_planner::LatLon;

use crate::bounds::LonLatBounds;

/// Takes WGS84 lon/lat positions into a grid's own CRS.
pub trait LonLatToGrid: Send + Sync {
    /// Transforms points in place: x = longitude, y = latitude in; the grid CRS's
    /// x, y out. Points that cannot be transformed become NaN; an `Err` (the
    /// transformation itself is unusable) leaves every point unsampled.
    fn lon_lat_to_grid(&self, xs: &mut [f64], ys: &mut [f64]) -> Result<(), String>;
}

/// A shared [`LonLatToGrid`], as a grid carries it.
#[derive(Clone)]
pub struct Projection(pub Arc<dyn LonLatToGrid>);

impl std::fmt::Debug for Projection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Projection(..)")
    }
}

/// One raster band in memory, with its georeference.
#[derive(Debug, Clone)]
pub struct Grid {
    /// The file it was read from (the first file of a mosaic).
    pub source: PathBuf,
    /// Width in cells.
    pub cols: usize,
    /// Height in cells.
    pub rows: usize,
    /// GDAL GeoTransform: x0, cell width, 0, y0, 0, -cell height (north up).
    pub geo_transform: [f64; 6],
    /// The grid CRS as WKT, `None` when it is plain WGS84 lon/lat.
    pub crs_wkt: Option<String>,
    /// Lon/lat into the grid CRS; needed to sample at lon/lat when `crs_wkt` is
    /// set (without it such a grid samples as no data).
    pub projection: Option<Projection>,
    /// Row-major values, top row first; NaN where the source had nodata.
    pub values: Vec<f32>,
    /// The grid's extent in WGS84.
    pub bounds: LonLatBounds,
}

impl Grid {
    /// A north-up grid in WGS84 lon/lat (x = lon), its bounds from the GeoTransform.
    pub fn lon_lat(
        source: PathBuf,
        cols: usize,
        rows: usize,
        geo_transform: [f64; 6],
        values: Vec<f32>,
    ) -> Grid {
        let gt = geo_transform;
        let bounds = LonLatBounds {
            west_deg: gt[0],
            south_deg: gt[3] + gt[5] * rows as f64,
            east_deg: gt[0] + gt[1] * cols as f64,
            north_deg: gt[3],
        };
        Grid {
            source,
            cols,
            rows,
            geo_transform,
            crs_wkt: None,
            projection: None,
            values,
            bounds,
        }
    }

    /// The cell value at column `col`, row `row`, or `None` if nodata or outside.
    pub fn cell(&self, col: usize, row: usize) -> Option<f32> {
        if col >= self.cols || row >= self.rows {
            return None;
        }
        let v = self.values[row * self.cols + col];
        (!v.is_nan()).then_some(v)
    }

    /// Bilinear value at grid-CRS coordinates `x`, `y`.
    ///
    /// `None` outside the grid and where the cell containing the point is nodata.
    /// Neighbours that are nodata are left out and the weights renormalised, so a
    /// nodata cell never pulls the value towards 0. In the outer half cell the
    /// edge value is extended.
    pub fn sample_xy(&self, x: f64, y: f64) -> Option<f64> {
        let gt = &self.geo_transform;
        let px = (x - gt[0]) / gt[1];
        let py = (y - gt[3]) / gt[5];
        if !(px >= 0.0 && py >= 0.0 && px < self.cols as f64 && py < self.rows as f64) {
            return None;
        }
        // The containing cell must have data.
        self.cell(px as usize, py as usize)?;
        let fx = px - 0.5;
        let fy = py - 0.5;
        let x0 = fx.floor();
        let y0 = fy.floor();
        let tx = fx - x0;
        let ty = fy - y0;
        let (mut sum, mut wsum) = (0.0f64, 0.0f64);
        for (dx, wx) in [(0i64, 1.0 - tx), (1, tx)] {
            for (dy, wy) in [(0i64, 1.0 - ty), (1, ty)] {
                let w = wx * wy;
                if w <= 0.0 {
                    continue;
                }
                let c = (x0 as i64 + dx).clamp(0, self.cols as i64 - 1) as usize;
                let r = (y0 as i64 + dy).clamp(0, self.rows as i64 - 1) as usize;
                if let Some(v) = self.cell(c, r) {
                    sum += w * f64::from(v);
                    wsum += w;
                }
            }
        }
        (wsum > 0.0).then(|| sum / wsum)
    }

    /// Bilinear value at a WGS84 position (see [`Grid::sample_xy`]).
    pub fn sample(&self, p: LatLon) -> Option<f64> {
        self.sample_many(&[p])[0]
    }

    /// Bilinear values at many WGS84 positions, transformed in one batch.
    pub fn sample_many(&self, points: &[LatLon]) -> Vec<Option<f64>> {
        if self.crs_wkt.is_none() {
            return points
                .iter()
                .map(|p| self.sample_xy(p.lon_deg, p.lat_deg))
                .collect();
        }
        let Some(projection) = &self.projection else {
            return vec![None; points.len()];
        };
        let mut xs: Vec<f64> = points.iter().map(|p| p.lon_deg).collect();
        let mut ys: Vec<f64> = points.iter().map(|p| p.lat_deg).collect();
        if projection.0.lon_lat_to_grid(&mut xs, &mut ys).is_err() {
            return vec![None; points.len()];
        }
        xs.iter()
            .zip(&ys)
            .map(|(&x, &y)| {
                if x.is_finite() && y.is_finite() {
                    self.sample_xy(x, y)
                } else {
                    None
                }
            })
            .collect()
    }

    /// Whether `b` overlaps the grid's WGS84 extent.
    pub fn overlaps(&self, b: &LonLatBounds) -> bool {
        self.bounds.overlaps(b)
    }

    /// The smallest and largest values, ignoring nodata; `None` if all are nodata.
    pub fn min_max(&self) -> Option<(f32, f32)> {
        self.values
            .iter()
            .filter(|v| !v.is_nan())
            .fold(None, |acc, &v| match acc {
                None => Some((v, v)),
                Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A 4 x 3 grid in lon/lat, 1 degree cells, values from `f(col, row)`.
    fn grid(f: impl Fn(usize, usize) -> f32) -> Grid {
        let (cols, rows) = (4, 3);
        let values = (0..rows)
            .flat_map(|r| (0..cols).map(move |c| (c, r)))
            .map(|(c, r)| f(c, r))
            .collect();
        Grid {
            source: "test".into(),
            cols,
            rows,
            geo_transform: [10.0, 1.0, 0.0, 20.0, 0.0, -1.0],
            crs_wkt: None,
            projection: None,
            values,
            bounds: LonLatBounds {
                west_deg: 10.0,
                south_deg: 17.0,
                east_deg: 14.0,
                north_deg: 20.0,
            },
        }
    }

    #[test]
    fn bilinear_reproduces_a_plane_and_stops_at_the_edge() {
        let g = grid(|c, r| 3.0 * c as f32 - 2.0 * r as f32 + 100.0);
        // Cell centres are at lon 10.5 + c, lat 19.5 - r.
        for (lon, lat) in [(11.0, 19.0), (12.25, 18.3), (10.5, 19.5)] {
            let c = lon - 10.5;
            let r = 19.5 - lat;
            let want = 3.0 * c - 2.0 * r + 100.0;
            assert!((g.sample_xy(lon, lat).unwrap() - want).abs() < 1e-9);
        }
        assert_eq!(g.sample_xy(9.99, 19.0), None);
        assert_eq!(g.sample_xy(14.0, 19.0), None);
        assert_eq!(g.sample_xy(11.0, 20.01), None);
        // The outer half cell extends the edge value.
        assert_eq!(g.sample_xy(10.1, 19.9), Some(100.0));
    }

    #[test]
    fn nodata_cell_is_none_and_neighbours_renormalise() {
        let g = grid(|c, r| if (c, r) == (1, 1) { f32::NAN } else { 500.0 });
        assert_eq!(g.sample_xy(11.5, 18.5), None, "inside the nodata cell");
        // Next to it, only valid cells count: still 500, never pulled to 0.
        assert_eq!(g.sample_xy(12.1, 18.5), Some(500.0));
        assert_eq!(g.cell(1, 1), None);
        assert_eq!(g.min_max(), Some((500.0, 500.0)));
    }

    proptest! {
        #[test]
        fn bilinear_stays_within_the_data(lon in 10.0f64..13.999, lat in 17.001f64..20.0, seed in 0u32..1000) {
            let g = grid(|c, r| ((c as u32 * 7919 + r as u32 * 104_729 + seed) % 997) as f32);
            let (lo, hi) = g.min_max().unwrap();
            let v = g.sample_xy(lon, lat).unwrap();
            prop_assert!(v >= f64::from(lo) - 1e-9 && v <= f64::from(hi) + 1e-9);
        }
    }
}
