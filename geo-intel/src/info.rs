//! What is in a file: layers, CRS, extent, feature counts, raster bands.

use std::path::Path;

use gdal::vector::LayerAccess;
use gdal::{Dataset, DatasetOptions, GdalOpenFlags};
use serde::Serialize;

use crate::crs;
use crate::error::{GeoError, Result};
use crate::grid::extent_wgs84;
use crate::vector::{LonLatBounds, read_vector};

/// A summary of a vector layer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerInfo {
    /// Layer name.
    pub name: String,
    /// The source CRS name.
    pub crs: String,
    /// Geometry type as OGR names it.
    pub geometry_type: String,
    /// Features with a geometry.
    pub feature_count: usize,
    /// Extent in WGS84, `None` when empty.
    pub extent_wgs84: Option<LonLatBounds>,
    /// Field names.
    pub fields: Vec<String>,
}

/// A summary of a raster band.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BandInfo {
    /// 1-based band number.
    pub band: usize,
    /// GDAL data type name.
    pub data_type: String,
    /// Nodata value, if set.
    pub nodata: Option<f64>,
}

/// A summary of a raster.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RasterInfo {
    /// Width, cells.
    pub cols: usize,
    /// Height, cells.
    pub rows: usize,
    /// CRS name.
    pub crs: String,
    /// EPSG code, when GDAL identifies one.
    pub epsg: Option<i32>,
    /// GDAL GeoTransform.
    pub geo_transform: [f64; 6],
    /// Extent in WGS84.
    pub extent_wgs84: LonLatBounds,
    /// Bands.
    pub bands: Vec<BandInfo>,
}

/// What a file holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileInfo {
    /// The file.
    pub path: String,
    /// GDAL driver short name.
    pub driver: String,
    /// Vector layers (empty for a raster).
    pub layers: Vec<LayerInfo>,
    /// Raster summary (`None` for a vector source).
    pub raster: Option<RasterInfo>,
}

/// Describes `path`: each vector layer (CRS, geometry type, count, WGS84 extent,
/// fields) or the raster (size, CRS, GeoTransform, WGS84 extent, bands).
pub fn inspect(path: &Path) -> Result<FileInfo> {
    if !path.exists() && !path.to_string_lossy().starts_with("PG:") {
        return Err(GeoError::open(path, "no such file"));
    }
    // A PG: connection string is a PostGIS vector source (the PostGIS Raster
    // driver would claim it too and fail on vector tables).
    let raster_flag = if path.to_string_lossy().starts_with("PG:") {
        GdalOpenFlags::empty()
    } else {
        GdalOpenFlags::GDAL_OF_RASTER
    };
    let options = DatasetOptions {
        open_flags: GdalOpenFlags::GDAL_OF_VECTOR
            | raster_flag
            | GdalOpenFlags::GDAL_OF_VERBOSE_ERROR,
        ..Default::default()
    };
    let ds = Dataset::open_ex(path, options).map_err(|e| GeoError::open(path, e))?;
    let driver = ds.driver().short_name();
    if ds.raster_count() > 0 {
        return Ok(FileInfo {
            path: path.display().to_string(),
            driver,
            layers: vec![],
            raster: Some(raster_info(&ds, path)?),
        });
    }
    if ds.layer_count() == 0 {
        return Err(GeoError::Empty {
            path: path.to_path_buf(),
            reason: "no vector layers and no raster bands".into(),
        });
    }
    let geometry_types: Vec<String> = ds
        .layers()
        .map(|l| gdal::vector::geometry_type_to_name(l.defn().geometry_type()))
        .collect();
    drop(ds);
    let layers = read_vector(path)?
        .into_iter()
        .zip(geometry_types)
        .map(|(l, geometry_type)| LayerInfo {
            extent_wgs84: l.bounds(),
            name: l.name,
            crs: l.source_crs,
            geometry_type,
            feature_count: l.features.len(),
            fields: l.fields,
        })
        .collect();
    Ok(FileInfo {
        path: path.display().to_string(),
        driver,
        layers,
        raster: None,
    })
}

fn raster_info(ds: &Dataset, path: &Path) -> Result<RasterInfo> {
    let (cols, rows) = ds.raster_size();
    let gt = ds
        .geo_transform()
        .map_err(|e| GeoError::crs(path, format!("no GeoTransform: {e}")))?;
    let srs = ds
        .spatial_ref()
        .map_err(|e| GeoError::crs(path, format!("no CRS: {e}")))?;
    let mut ident = srs.clone();
    let _ = ident.auto_identify_epsg();
    let epsg = (ident.auth_name().as_deref() == Some("EPSG"))
        .then(|| ident.auth_code().ok())
        .flatten();
    let bands = (1..=ds.raster_count())
        .map(|b| {
            let rb = ds
                .rasterband(b)
                .map_err(|e| GeoError::read(path, "band", e))?;
            Ok(BandInfo {
                band: b,
                data_type: rb.band_type().name(),
                nodata: rb.no_data_value(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let _ = crs::to_wgs84(&srs, path)?;
    Ok(RasterInfo {
        cols,
        rows,
        crs: srs.name().unwrap_or_default(),
        epsg,
        geo_transform: gt,
        extent_wgs84: extent_wgs84(&gt, cols, rows, &srs, path)?,
        bands,
    })
}
