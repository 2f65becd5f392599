//! Time-decayed kernel-density risk grids from incidents, exported as GeoTIFF.
//!
//! The grid lives in a Lambert azimuthal equal-area projection centred on the area
//! of interest, so cells are true squares of `cell_m` metres and the density is
//! per real km². Each incident adds a Gaussian (standard deviation `bandwidth_m`,
//! cut at 3 sigma) weighted by `severity * 0.5^(age / half_life)`. Values are
//! weighted incidents per km².

use std::path::Path;

use chrono::{DateTime, Utc};
use gdal::Metadata;
use gdal::raster::Buffer;

use crate::crs;
use crate::error::{GeoError, Result};
use crate::grid::{Grid, ProjProjection, extent_wgs84};
use crate::incidents::Incident;
use crate::vector::LonLatBounds;

/// The most cells a risk grid may have (about 800 MB of f32).
pub const MAX_CELLS: usize = 200_000_000;

/// How to turn incidents into risk.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskParams {
    /// Cell size, metres.
    pub cell_m: f64,
    /// Kernel standard deviation, metres.
    pub bandwidth_m: f64,
    /// Half-life of an incident's weight, days; `None` for no decay.
    pub half_life_days: Option<f64>,
    /// The time of the analysis; `None` takes the latest incident time.
    pub now: Option<DateTime<Utc>>,
    /// The area to cover; `None` takes the incidents' extent plus 3 bandwidths.
    pub area: Option<LonLatBounds>,
}

/// A regular grid in projected metres: top-left corner, cell size, shape.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridSpec {
    /// x of the western edge, metres.
    pub west_m: f64,
    /// y of the northern edge, metres.
    pub north_m: f64,
    /// Cell size, metres.
    pub cell_m: f64,
    /// Cells west to east.
    pub cols: usize,
    /// Cells north to south.
    pub rows: usize,
}

/// A weighted point in projected metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeightedPoint {
    /// Easting, metres.
    pub x_m: f64,
    /// Northing, metres.
    pub y_m: f64,
    /// Weight (severity times decay).
    pub weight: f64,
}

/// Gaussian kernel density of `points` on `spec`, in weight per km².
///
/// Separable: each point costs (2r+1) exponentials per axis and (2r+1)² multiply-adds,
/// with r = ceil(3 * bandwidth / cell).
pub fn kernel_density(points: &[WeightedPoint], spec: &GridSpec, bandwidth_m: f64) -> Vec<f32> {
    let mut values = vec![0f32; spec.cols * spec.rows];
    let sigma = bandwidth_m;
    let radius = (3.0 * sigma / spec.cell_m).ceil() as i64;
    let norm = 1e6 / (2.0 * std::f64::consts::PI * sigma * sigma);
    let inv2s2 = 1.0 / (2.0 * sigma * sigma);
    let mut wx = Vec::with_capacity(2 * radius as usize + 1);
    // Visit points row band by row band: the rows a kernel touches then stay in
    // cache (random order makes this memory-bound, about 3x slower).
    let mut order: Vec<(i64, &WeightedPoint)> = points
        .iter()
        .map(|p| (((spec.north_m - p.y_m) / spec.cell_m).floor() as i64, p))
        .collect();
    order.sort_unstable_by_key(|&(row, _)| row);
    for p in order.into_iter().map(|(_, p)| p) {
        let fc = (p.x_m - spec.west_m) / spec.cell_m;
        let fr = (spec.north_m - p.y_m) / spec.cell_m;
        let c_mid = fc.floor() as i64;
        let r_mid = fr.floor() as i64;
        let c0 = (c_mid - radius).max(0);
        let c1 = (c_mid + radius).min(spec.cols as i64 - 1);
        let r0 = (r_mid - radius).max(0);
        let r1 = (r_mid + radius).min(spec.rows as i64 - 1);
        if c0 > c1 || r0 > r1 {
            continue;
        }
        // Gaussian weights by recurrence: g(d + h) = g(d) * r, r(d + h) = r(d) * q,
        // so each axis costs three exponentials instead of one per cell.
        let h = spec.cell_m;
        let q = (-2.0 * h * h * inv2s2).exp();
        let dx0 = spec.west_m + (c0 as f64 + 0.5) * h - p.x_m;
        let mut g = (-(dx0 * dx0) * inv2s2).exp();
        let mut r = (-(2.0 * dx0 * h + h * h) * inv2s2).exp();
        wx.clear();
        for _ in c0..=c1 {
            wx.push(g as f32);
            g *= r;
            r *= q;
        }
        // Rows go south: the offset decreases by h per row.
        let dy0 = spec.north_m - (r0 as f64 + 0.5) * h - p.y_m;
        let mut g = (-(dy0 * dy0) * inv2s2).exp() * p.weight * norm;
        let mut r = (-(-2.0 * dy0 * h + h * h) * inv2s2).exp();
        let n = wx.len();
        for row in r0..=r1 {
            let a = g as f32;
            g *= r;
            r *= q;
            let start = row as usize * spec.cols + c0 as usize;
            let dst = &mut values[start..start + n];
            for (v, w) in dst.iter_mut().zip(&wx) {
                *v += a * w;
            }
        }
    }
    values
}

/// A risk grid: density of weighted incidents per km² in an equal-area projection.
#[derive(Debug, Clone)]
pub struct RiskGrid {
    /// Where the cells are.
    pub spec: GridSpec,
    /// The projection of `spec`, as WKT.
    pub crs_wkt: String,
    /// Row-major values, northern row first, weighted incidents per km².
    pub values: Vec<f32>,
    /// The analysis time used for the decay.
    pub now: Option<DateTime<Utc>>,
    /// How many incidents contributed (those after `now` are left out).
    pub incidents_used: usize,
    /// The parameters used.
    pub params: RiskParams,
}

fn decay_weight(
    inc: &Incident,
    now: Option<DateTime<Utc>>,
    half_life_days: Option<f64>,
) -> Option<f64> {
    match (half_life_days, now, inc.time) {
        (None, _, _) => Some(inc.severity),
        (Some(h), Some(now), Some(t)) => {
            let age_days = (now - t).num_milliseconds() as f64 / 86_400_000.0;
            (age_days >= 0.0).then(|| inc.severity * 0.5f64.powf(age_days / h))
        }
        _ => None,
    }
}

/// Computes the risk grid of `incidents`. `source` names the incident file in errors.
pub fn compute_risk(
    incidents: &[Incident],
    params: &RiskParams,
    source: &Path,
) -> Result<RiskGrid> {
    if !(params.cell_m.is_finite() && params.cell_m > 0.0) {
        return Err(GeoError::Argument(format!(
            "cell size must be > 0 m, got {}",
            params.cell_m
        )));
    }
    if !(params.bandwidth_m.is_finite() && params.bandwidth_m > 0.0) {
        return Err(GeoError::Argument(format!(
            "bandwidth must be > 0 m, got {}",
            params.bandwidth_m
        )));
    }
    if let Some(h) = params.half_life_days
        && !(h.is_finite() && h > 0.0)
    {
        return Err(GeoError::Argument(format!(
            "half-life must be > 0 days, got {h}"
        )));
    }
    if incidents.is_empty() {
        return Err(GeoError::Empty {
            path: source.to_path_buf(),
            reason: "no incidents".into(),
        });
    }
    if params.half_life_days.is_some()
        && let Some(i) = incidents.iter().position(|i| i.time.is_none())
    {
        return Err(GeoError::invalid(
            source,
            format!("incident {i} has no time, but a half-life needs one for every incident"),
        ));
    }
    let now = params
        .now
        .or_else(|| incidents.iter().filter_map(|i| i.time).max());
    let lons = incidents.iter().map(|i| i.position.lon_deg);
    let lats = incidents.iter().map(|i| i.position.lat_deg);
    let area = params.area.unwrap_or(LonLatBounds {
        west_deg: lons.clone().fold(f64::INFINITY, f64::min),
        east_deg: lons.fold(f64::NEG_INFINITY, f64::max),
        south_deg: lats.clone().fold(f64::INFINITY, f64::min),
        north_deg: lats.fold(f64::NEG_INFINITY, f64::max),
    });
    let srs = crs::local_equal_area(
        0.5 * (area.west_deg + area.east_deg),
        0.5 * (area.south_deg + area.north_deg),
    )?;
    let to_plane = crs::from_wgs84(&srs, source)?;
    let [xmin, ymin, xmax, ymax] = if params.area.is_some() {
        to_plane
            .transform_bounds(
                &[area.west_deg, area.south_deg, area.east_deg, area.north_deg],
                21,
            )
            .map_err(|e| GeoError::crs(source, e))?
    } else {
        [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ]
    };
    let mut xs: Vec<f64> = incidents.iter().map(|i| i.position.lon_deg).collect();
    let mut ys: Vec<f64> = incidents.iter().map(|i| i.position.lat_deg).collect();
    to_plane
        .transform_coords(&mut xs, &mut ys, &mut [])
        .map_err(|e| GeoError::crs(source, format!("cannot project incidents: {e}")))?;
    let (xmin, ymin, xmax, ymax) = if params.area.is_some() {
        (xmin, ymin, xmax, ymax)
    } else {
        let pad = 3.0 * params.bandwidth_m;
        (
            xs.iter().copied().fold(f64::INFINITY, f64::min) - pad,
            ys.iter().copied().fold(f64::INFINITY, f64::min) - pad,
            xs.iter().copied().fold(f64::NEG_INFINITY, f64::max) + pad,
            ys.iter().copied().fold(f64::NEG_INFINITY, f64::max) + pad,
        )
    };
    let west_m = (xmin / params.cell_m).floor() * params.cell_m;
    let north_m = (ymax / params.cell_m).ceil() * params.cell_m;
    let cols = (((xmax - west_m) / params.cell_m).ceil() as usize).max(1);
    let rows = (((north_m - ymin) / params.cell_m).ceil() as usize).max(1);
    if cols.saturating_mul(rows) > MAX_CELLS {
        return Err(GeoError::Argument(format!(
            "{cols} x {rows} cells is more than {MAX_CELLS}; use a larger cell size"
        )));
    }
    let spec = GridSpec {
        west_m,
        north_m,
        cell_m: params.cell_m,
        cols,
        rows,
    };
    let points: Vec<WeightedPoint> = incidents
        .iter()
        .zip(xs.iter().zip(&ys))
        .filter_map(|(inc, (&x_m, &y_m))| {
            decay_weight(inc, now, params.half_life_days).map(|weight| WeightedPoint {
                x_m,
                y_m,
                weight,
            })
        })
        .collect();
    let values = kernel_density(&points, &spec, params.bandwidth_m);
    if let Some(v) = values.iter().find(|v| !v.is_finite()) {
        return Err(GeoError::invalid(
            source,
            format!(
                "the risk density reaches {v} (severities too large for a {} m bandwidth); lower the severities",
                params.bandwidth_m
            ),
        ));
    }
    Ok(RiskGrid {
        spec,
        crs_wkt: srs.to_wkt().map_err(|e| GeoError::crs(source, e))?,
        values,
        now,
        incidents_used: points.len(),
        params: params.clone(),
    })
}

impl RiskGrid {
    /// The GDAL GeoTransform of the grid.
    pub fn geo_transform(&self) -> [f64; 6] {
        [
            self.spec.west_m,
            self.spec.cell_m,
            0.0,
            self.spec.north_m,
            0.0,
            -self.spec.cell_m,
        ]
    }

    /// The largest value.
    pub fn max_value(&self) -> f32 {
        self.values.iter().copied().fold(0.0, f32::max)
    }

    /// Writes the grid as a Float32 GeoTIFF (DEFLATE) with its projection and
    /// GeoTransform, and the parameters as metadata. The write is atomic
    /// (`vigil_fs::write_atomic_at`): GDAL writes a temporary file beside `path`,
    /// which replaces `path` only once complete and on disk.
    pub fn write_geotiff(&self, path: &Path) -> Result<()> {
        // GDAL's reason, carried through the io::Error the atomic write expects.
        let mut gdal_error: Option<GeoError> = None;
        let result = vigil_fs::write_atomic_at(path, |tmp| {
            self.write_geotiff_to(tmp, path).map_err(|e| {
                let text = match &e {
                    GeoError::Write { reason, .. } => reason.clone(),
                    other => other.to_string(),
                };
                gdal_error = Some(e);
                std::io::Error::other(text)
            })
        });
        match (result, gdal_error) {
            (Ok(()), _) => Ok(()),
            (Err(_), Some(e)) => Err(e),
            (Err(e), None) => Err(GeoError::write(path, e.source)),
        }
    }

    /// Writes the GeoTIFF at `tmp`; errors name `path`, the file the user asked for.
    fn write_geotiff_to(&self, tmp: &Path, path: &Path) -> Result<()> {
        let driver = gdal::DriverManager::get_driver_by_name("GTiff")
            .map_err(|e| GeoError::write(path, e))?;
        let options: gdal::raster::RasterCreationOptions =
            ["COMPRESS=DEFLATE", "PREDICTOR=3", "TILED=YES"]
                .into_iter()
                .collect();
        let mut ds = driver
            .create_with_band_type_with_options::<f32, _>(
                tmp,
                self.spec.cols,
                self.spec.rows,
                1,
                &options,
            )
            .map_err(|e| GeoError::write(path, e))?;
        ds.set_geo_transform(&self.geo_transform())
            .map_err(|e| GeoError::write(path, e))?;
        let srs = crs::from_definition(&self.crs_wkt, path)?;
        ds.set_spatial_ref(&srs)
            .map_err(|e| GeoError::write(path, e))?;
        let meta = [
            ("VIGIL_UNITS", "weighted incidents per km2".to_string()),
            ("VIGIL_CELL_M", self.spec.cell_m.to_string()),
            ("VIGIL_BANDWIDTH_M", self.params.bandwidth_m.to_string()),
            (
                "VIGIL_HALF_LIFE_DAYS",
                self.params
                    .half_life_days
                    .map_or("none".into(), |h| h.to_string()),
            ),
            (
                "VIGIL_NOW",
                self.now.map_or("none".into(), |t| t.to_rfc3339()),
            ),
            ("VIGIL_INCIDENTS_USED", self.incidents_used.to_string()),
        ];
        for (k, v) in meta {
            ds.set_metadata_item(k, &v, "")
                .map_err(|e| GeoError::write(path, e))?;
        }
        {
            let mut band = ds.rasterband(1).map_err(|e| GeoError::write(path, e))?;
            let mut buf = Buffer::new((self.spec.cols, self.spec.rows), self.values.clone());
            band.write((0, 0), (self.spec.cols, self.spec.rows), &mut buf)
                .map_err(|e| GeoError::write(path, e))?;
        }
        ds.close().map_err(|e| GeoError::write(path, e))
    }

    /// The grid as a sampleable [`Grid`] (for ranking border segments in memory).
    pub fn to_grid(&self, source: &Path) -> Result<Grid> {
        let srs = crs::from_definition(&self.crs_wkt, source)?;
        let gt = self.geo_transform();
        Ok(Grid {
            source: source.to_path_buf(),
            cols: self.spec.cols,
            rows: self.spec.rows,
            geo_transform: gt,
            crs_wkt: Some(self.crs_wkt.clone()),
            projection: Some(ProjProjection::new(&self.crs_wkt, source)?.shared()),
            values: self.values.clone(),
            bounds: extent_wgs84(&gt, self.spec.cols, self.spec.rows, &srs, source)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SPEC: GridSpec = GridSpec {
        west_m: 0.0,
        north_m: 100_000.0,
        cell_m: 500.0,
        cols: 200,
        rows: 200,
    };

    proptest! {
        /// Away from the edges the density integrates to the total weight
        /// (times the 3-sigma cut's 99.46 %).
        #[test]
        fn density_conserves_weight(pts in proptest::collection::vec((20_000.0f64..80_000.0, 20_000.0f64..80_000.0, 0.1f64..5.0), 1..20)) {
            let points: Vec<WeightedPoint> = pts.iter().map(|&(x_m, y_m, weight)| WeightedPoint { x_m, y_m, weight }).collect();
            let v = kernel_density(&points, &SPEC, 3000.0);
            let mass: f64 = v.iter().map(|&d| f64::from(d) * 0.25).sum();
            let want: f64 = pts.iter().map(|p| p.2).sum::<f64>() * 0.9946;
            prop_assert!((mass / want - 1.0).abs() < 0.003, "{} vs {}", mass, want);
        }

        /// The separable sum equals the Gaussian evaluated directly at a cell.
        #[test]
        fn separable_equals_direct(x_m in 30_000.0f64..70_000.0, y_m in 30_000.0f64..70_000.0, c in 50usize..150, r in 50usize..150) {
            let v = kernel_density(&[WeightedPoint { x_m, y_m, weight: 2.0 }], &SPEC, 4000.0);
            let cx = (c as f64 + 0.5) * 500.0;
            let cy = 100_000.0 - (r as f64 + 0.5) * 500.0;
            let d2 = (cx - x_m).powi(2) + (cy - y_m).powi(2);
            let inside = (cx - x_m).abs() <= 12_500.0 && (cy - y_m).abs() <= 12_500.0;
            let want = 2.0 * 1e6 / (2.0 * std::f64::consts::PI * 16e6) * (-d2 / 32e6).exp();
            let got = f64::from(v[r * 200 + c]);
            if inside && (cx - x_m).abs() < 11_500.0 && (cy - y_m).abs() < 11_500.0 {
                prop_assert!((got - want).abs() < 1e-6 * want.max(1e-3), "{} vs {}", got, want);
            } else if !inside {
                prop_assert_eq!(got, 0.0);
            }
        }
    }

    #[test]
    fn decay_is_half_at_one_half_life() {
        let t0 = chrono::Utc::now();
        let inc = Incident {
            position: mission_planner::LatLon::new(13.0, 2.0),
            time: Some(t0 - chrono::Duration::days(10)),
            category: "x".into(),
            severity: 4.0,
        };
        assert_eq!(decay_weight(&inc, Some(t0), Some(10.0)), Some(2.0));
        assert_eq!(
            decay_weight(&inc, Some(t0 - chrono::Duration::days(11)), Some(10.0)),
            None,
            "future incident"
        );
        assert_eq!(decay_weight(&inc, Some(t0), None), Some(4.0));
    }
}
