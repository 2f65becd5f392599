//! Raster bands copied out of GDAL into owned [`Grid`]s, sampled at lon/lat.
//!
//! A [`Grid`] (from `geo-model`, re-exported here) keeps the cells as `f32` (NaN where
//! the source has nodata), the GeoTransform and the CRS as WKT. It is `Send + Sync`: no
//! GDAL handle lives in it. A grid read here in a projected CRS carries a
//! [`Projection`] through PROJ with a per-thread cached transformation (see
//! [`crate::crs::project_lon_lat`]), so it samples at WGS84 lon/lat anywhere.
//!
//! Reading is the [`ReadGrid`] trait: `use geo_intel::prelude::*` and call
//! `Grid::read(path, band)` as before.

use std::path::Path;
use std::sync::Arc;

use gdal::{Dataset, DatasetOptions, GdalOpenFlags};

use crate::crs;
use crate::error::{GeoError, Result};
use crate::vector::LonLatBounds;

pub use geo_model::grid::{Grid, LonLatToGrid, Projection};

/// Lon/lat into a CRS given as WKT, through PROJ (GDAL), one cached
/// transformation per thread: what every projected grid read here carries.
#[derive(Debug, Clone)]
pub struct ProjProjection {
    wkt: String,
}

impl ProjProjection {
    /// The projection into `wkt`, checked once: fails if PROJ has no
    /// transformation from WGS84 to it. `path` names the file in the error.
    pub fn new(wkt: &str, path: &Path) -> Result<Self> {
        let srs = crs::from_definition(wkt, path)?;
        crs::from_wgs84(&srs, path)?;
        Ok(Self {
            wkt: wkt.to_string(),
        })
    }

    /// As a grid carries it.
    pub fn shared(self) -> Projection {
        Projection(Arc::new(self))
    }
}

impl LonLatToGrid for ProjProjection {
    fn lon_lat_to_grid(&self, xs: &mut [f64], ys: &mut [f64]) -> std::result::Result<(), String> {
        crs::project_lon_lat(&self.wkt, xs, ys).map_err(|e| e.to_string())
    }
}

/// Reading raster bands into [`Grid`]s through GDAL.
pub trait ReadGrid: Sized {
    /// Reads band `band` (1-based) of the raster at `path`.
    fn read(path: &Path, band: usize) -> Result<Self>;

    /// Copies band `band` (1-based) of an open dataset; `path` names it in errors.
    fn from_dataset(ds: &Dataset, path: &Path, band: usize) -> Result<Self>;

    /// Reads only the cells of band `band` that cover `area` (plus one cell of
    /// margin, for bilinear sampling at its edges), so a large DEM or mosaic
    /// costs memory only for the area of interest.
    ///
    /// Fails with [`GeoError::NotCovered`] if the raster does not meet `area`.
    fn read_area(path: &Path, band: usize, area: &LonLatBounds) -> Result<Self>;

    /// Copies band `band` of an open dataset, all of it or the window covering `area`.
    fn from_dataset_window(
        ds: &Dataset,
        path: &Path,
        band: usize,
        area: Option<&LonLatBounds>,
    ) -> Result<Self>;
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

impl ReadGrid for Grid {
    fn read(path: &Path, band: usize) -> Result<Grid> {
        let ds = open_raster(path)?;
        Grid::from_dataset(&ds, path, band)
    }

    fn from_dataset(ds: &Dataset, path: &Path, band: usize) -> Result<Grid> {
        Grid::from_dataset_window(ds, path, band, None)
    }

    fn read_area(path: &Path, band: usize, area: &LonLatBounds) -> Result<Grid> {
        let ds = open_raster(path)?;
        Grid::from_dataset_window(&ds, path, band, Some(area))
    }

    fn from_dataset_window(
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
        let (crs_wkt, projection) = if crs::is_wgs84_geographic(&srs) {
            (None, None)
        } else {
            // Check now that transformations exist both ways, so sampling cannot fail later.
            crs::to_wgs84(&srs, path)?;
            let wkt = srs.to_wkt().map_err(|e| GeoError::crs(path, e))?;
            let projection = ProjProjection::new(&wkt, path)?.shared();
            (Some(wkt), Some(projection))
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
            projection,
            values,
            bounds,
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
