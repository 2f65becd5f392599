//! Owned raster grids: one band copied out of GDAL, sampled at lon/lat.
//!
//! A [`Grid`] keeps the cells as `f32` (NaN where the source has nodata), the
//! GeoTransform and the CRS as WKT. It is `Send + Sync`: no GDAL handle lives in it.
//! Sampling at WGS84 lon/lat transforms the point into the grid's CRS with a
//! per-thread cached transformation (see [`crate::crs::project_lon_lat`]).

use std::path::{Path, PathBuf};

use gdal::{Dataset, DatasetOptions, GdalOpenFlags};
use mission_planner::LatLon;

use crate::crs;
use crate::error::{GeoError, Result};
use crate::vector::LonLatBounds;

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
    /// Row-major values, top row first; NaN where the source had nodata.
    pub values: Vec<f32>,
    /// The grid's extent in WGS84.
    pub bounds: LonLatBounds,
}

/// Opens `path` as a raster, with GDAL's reason in the error.
pub fn open_raster(path: &Path) -> Result<Dataset> {
    if !path.exists() && !path.to_string_lossy().starts_with("/vsi") {
        return Err(GeoError::open(path, "no such file"));
    }
    let options = DatasetOptions {
        open_flags: GdalOpenFlags::GDAL_OF_RASTER | GdalOpenFlags::GDAL_OF_VERBOSE_ERROR,
        ..Default::default()
    };
    Dataset::open_ex(path, options).map_err(|e| GeoError::open(path, e))
}

impl Grid {
    /// Reads band `band` (1-based) of the raster at `path`.
    pub fn read(path: &Path, band: usize) -> Result<Grid> {
        let ds = open_raster(path)?;
        Grid::from_dataset(&ds, path, band)
    }

    /// Copies band `band` (1-based) of an open dataset; `path` names it in errors.
    pub fn from_dataset(ds: &Dataset, path: &Path, band: usize) -> Result<Grid> {
        Grid::from_dataset_window(ds, path, band, None)
    }

    /// Reads only the cells of band `band` that cover `area` (plus one cell of
    /// margin, for bilinear sampling at its edges), so a large DEM or mosaic
    /// costs memory only for the area of interest.
    ///
    /// Fails with [`GeoError::NotCovered`] if the raster does not meet `area`.
    pub fn read_area(path: &Path, band: usize, area: &LonLatBounds) -> Result<Grid> {
        let ds = open_raster(path)?;
        Grid::from_dataset_window(&ds, path, band, Some(area))
    }

    /// Copies band `band` of an open dataset, all of it or the window covering `area`.
    pub fn from_dataset_window(
        ds: &Dataset,
        path: &Path,
        band: usize,
        area: Option<&LonLatBounds>,
    ) -> Result<Grid> {
        if ds.raster_count() < band || band == 0 {
            return Err(GeoError::Empty {
                path: path.to_path_buf(),
                reason: format!("no raster band {band} (it has {})", ds.raster_count()),
            });
        }
        let gt = ds
            .geo_transform()
            .map_err(|e| GeoError::crs(path, format!("no georeference (GeoTransform): {e}")))?;
        if gt[2] != 0.0 || gt[4] != 0.0 || gt[1] <= 0.0 || gt[5] >= 0.0 {
            return Err(GeoError::crs(
                path,
                format!(
                    "rotated or south-up GeoTransform {gt:?} is not supported; warp it north-up first"
                ),
            ));
        }
        let srs = ds
            .spatial_ref()
            .map_err(|e| GeoError::crs(path, format!("no coordinate reference system: {e}")))?;
        let crs_wkt = if crs::is_wgs84_geographic(&srs) {
            None
        } else {
            // Check now that a transformation exists, so sampling cannot fail later.
            crs::to_wgs84(&srs, path)?;
            Some(srs.to_wkt().map_err(|e| GeoError::crs(path, e))?)
        };
        let (full_cols, full_rows) = ds.raster_size();
        let (c0, r0, cols, rows) = match area {
            None => (0, 0, full_cols, full_rows),
            Some(a) => window(&gt, full_cols, full_rows, a, &srs, path)?,
        };
        let mut gt = gt;
        gt[0] += c0 as f64 * gt[1];
        gt[3] += r0 as f64 * gt[5];
        let rb = ds
            .rasterband(band)
            .map_err(|e| GeoError::read(path, "opening band", e))?;
        let nodata = rb.no_data_value();
        let buf = rb
            .read_as::<f32>((c0 as isize, r0 as isize), (cols, rows), (cols, rows), None)
            .map_err(|e| GeoError::read(path, "reading cells", e))?;
        let (_, mut values) = buf.into_shape_and_vec();
        if let Some(nd) = nodata {
            let nd32 = nd as f32;
            for v in &mut values {
                if *v == nd32 || (nd.is_nan() && v.is_nan()) {
                    *v = f32::NAN;
                }
            }
        }
        let bounds = extent_wgs84(&gt, cols, rows, &srs, path)?;
        Ok(Grid {
            source: path.to_path_buf(),
            cols,
            rows,
            geo_transform: gt,
            crs_wkt,
            values,
            bounds,
        })
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
        let mut xs: Vec<f64> = points.iter().map(|p| p.lon_deg).collect();
        let mut ys: Vec<f64> = points.iter().map(|p| p.lat_deg).collect();
        if let Some(wkt) = &self.crs_wkt
            && crs::project_lon_lat(wkt, &mut xs, &mut ys).is_err()
        {
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
        b.west_deg < self.bounds.east_deg
            && b.east_deg > self.bounds.west_deg
            && b.south_deg < self.bounds.north_deg
            && b.north_deg > self.bounds.south_deg
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

/// The pixel window (first column, first row, columns, rows) of a raster that
/// covers `area`, with one cell of margin; [`GeoError::NotCovered`] if none.
fn window(
    gt: &[f64; 6],
    cols: usize,
    rows: usize,
    area: &LonLatBounds,
    srs: &gdal::spatial_ref::SpatialRef,
    path: &Path,
) -> Result<(usize, usize, usize, usize)> {
    let [xmin, ymin, xmax, ymax] = if crs::is_wgs84_geographic(srs) {
        [area.west_deg, area.south_deg, area.east_deg, area.north_deg]
    } else {
        crs::from_wgs84(srs, path)?
            .transform_bounds(
                &[area.west_deg, area.south_deg, area.east_deg, area.north_deg],
                21,
            )
            .map_err(|e| GeoError::crs(path, format!("cannot transform the area: {e}")))?
    };
    let c0 = ((xmin - gt[0]) / gt[1]).floor() - 1.0;
    let c1 = ((xmax - gt[0]) / gt[1]).ceil() + 1.0;
    let r0 = ((ymax - gt[3]) / gt[5]).floor() - 1.0;
    let r1 = ((ymin - gt[3]) / gt[5]).ceil() + 1.0;
    let c0 = c0.clamp(0.0, cols as f64) as usize;
    let c1 = c1.clamp(0.0, cols as f64) as usize;
    let r0 = r0.clamp(0.0, rows as f64) as usize;
    let r1 = r1.clamp(0.0, rows as f64) as usize;
    if c1 <= c0 || r1 <= r0 {
        return Err(GeoError::NotCovered {
            path: path.to_path_buf(),
            reason: format!(
                "requested lon {:.4}..{:.4}, lat {:.4}..{:.4} is outside the raster",
                area.west_deg, area.east_deg, area.south_deg, area.north_deg
            ),
        });
    }
    Ok((c0, r0, c1 - c0, r1 - r0))
}

/// The WGS84 bounds of a grid extent given in `srs`.
pub fn extent_wgs84(
    gt: &[f64; 6],
    cols: usize,
    rows: usize,
    srs: &gdal::spatial_ref::SpatialRef,
    path: &Path,
) -> Result<LonLatBounds> {
    let xmin = gt[0];
    let xmax = gt[0] + gt[1] * cols as f64;
    let ymax = gt[3];
    let ymin = gt[3] + gt[5] * rows as f64;
    if crs::is_wgs84_geographic(srs) {
        return Ok(LonLatBounds {
            west_deg: xmin,
            south_deg: ymin,
            east_deg: xmax,
            north_deg: ymax,
        });
    }
    let ct = crs::to_wgs84(srs, path)?;
    let b = ct
        .transform_bounds(&[xmin, ymin, xmax, ymax], 21)
        .map_err(|e| GeoError::crs(path, format!("cannot transform the extent to WGS84: {e}")))?;
    Ok(LonLatBounds {
        west_deg: b[0],
        south_deg: b[1],
        east_deg: b[2],
        north_deg: b[3],
    })
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
