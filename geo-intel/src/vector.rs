//! Vector layers read through GDAL/OGR and copied into owned WGS84 geometries.
//!
//! Any OGR source works (GeoJSON, Shapefile, KML, GeoPackage, GPX, PostGIS through
//! a `PG:` connection string); CSV files are opened with lon/lat or WKT columns.
//! Features are reprojected to WGS84 lon/lat (x = lon), keep their attributes, and
//! keep multi-part geometries and polygon holes as they are.

use std::path::Path;

use gdal::vector::{FieldValue, LayerAccess};
use gdal::{Dataset, DatasetOptions, GdalOpenFlags};
use serde_json::{Map, Value};

use crate::crs;
use crate::error::{GeoError, Result};

pub use geo_model::bounds::LonLatBounds;
pub use geo_model::vector::{Feature, VectorLayer};

fn is_csv(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

/// Opens `path` as a vector source; CSV gets lon/lat and WKT column detection.
pub fn open_vector(path: &Path) -> Result<Dataset> {
    if !path.to_string_lossy().starts_with("PG:") && !path.exists() {
        return Err(GeoError::open(path, "no such file"));
    }
    let csv_options = [
        "X_POSSIBLE_NAMES=lon,longitude,lng,x,lon_deg",
        "Y_POSSIBLE_NAMES=lat,latitude,y,lat_deg",
        "GEOM_POSSIBLE_NAMES=wkt,geometry,geom,the_geom",
        "KEEP_GEOM_COLUMNS=NO",
        "AUTODETECT_TYPE=YES",
    ];
    let options = DatasetOptions {
        open_flags: GdalOpenFlags::GDAL_OF_VECTOR | GdalOpenFlags::GDAL_OF_VERBOSE_ERROR,
        open_options: is_csv(path).then_some(&csv_options[..]),
        ..Default::default()
    };
    Dataset::open_ex(path, options).map_err(|e| GeoError::open(path, e))
}

/// Reads every layer of a vector source into owned WGS84 layers.
///
/// Fails with [`GeoError::Empty`] if the source has no layer, [`GeoError::Crs`] if
/// a layer has no CRS (CSV lon/lat is taken as WGS84) or one that cannot be
/// transformed, and [`GeoError::Read`] for unreadable features.
pub fn read_vector(path: &Path) -> Result<Vec<VectorLayer>> {
    let ds = open_vector(path)?;
    if ds.layer_count() == 0 {
        return Err(GeoError::Empty {
            path: path.to_path_buf(),
            reason: "no vector layers".into(),
        });
    }
    let mut out = Vec::with_capacity(ds.layer_count());
    for idx in 0..ds.layer_count() {
        let mut layer = ds
            .layer(idx)
            .map_err(|e| GeoError::read(path, "opening layer", e))?;
        out.push(copy_layer(&mut layer, path, is_csv(path))?);
    }
    Ok(out)
}

/// Reads one layer (by name, or the first) of a vector source.
pub fn read_vector_layer(path: &Path, layer_name: Option<&str>) -> Result<VectorLayer> {
    let ds = open_vector(path)?;
    let mut layer = match layer_name {
        Some(name) => ds
            .layer_by_name(name)
            .map_err(|e| GeoError::read(path, &format!("layer {name:?}"), e))?,
        None => ds.layer(0).map_err(|_| GeoError::Empty {
            path: path.to_path_buf(),
            reason: "no vector layers".into(),
        })?,
    };
    copy_layer(&mut layer, path, is_csv(path))
}

/// Reads all features of all layers of `path` as one layer (for track files with
/// several layers, such as GPX).
pub fn read_all_features(path: &Path) -> Result<Vec<Feature>> {
    Ok(read_vector(path)?
        .into_iter()
        .flat_map(|l| l.features)
        .collect())
}

fn copy_layer(layer: &mut gdal::vector::Layer<'_>, path: &Path, csv: bool) -> Result<VectorLayer> {
    let name = layer.name();
    let fields: Vec<String> = layer.defn().fields().map(|f| f.name()).collect();
    let srs = layer.spatial_ref();
    let (transform, source_crs) = match &srs {
        Some(s) if crs::is_wgs84_geographic(s) => (None, s.name().unwrap_or_default()),
        Some(s) => (Some(crs::to_wgs84(s, path)?), s.name().unwrap_or_default()),
        None if csv => (None, "WGS 84 (assumed for CSV lon/lat)".to_string()),
        None => {
            if layer.feature_count() == 0 {
                (None, "none".to_string())
            } else {
                return Err(GeoError::crs(
                    path,
                    format!(
                        "layer {name:?} has no coordinate reference system (missing or unreadable .prj?)"
                    ),
                ));
            }
        }
    };
    let mut features = Vec::new();
    let mut skipped = 0usize;
    for feature in layer.features() {
        let Some(geom) = feature.geometry().filter(|g| !g.is_empty()) else {
            skipped += 1;
            continue;
        };
        let geometry = to_geo(geom, transform.as_ref()).map_err(|e| {
            GeoError::read(
                path,
                &format!("feature {:?} of layer {name:?}", feature.fid()),
                e,
            )
        })?;
        let mut attributes = Map::new();
        for (field, value) in feature.fields() {
            attributes.insert(field, field_to_json(value));
        }
        features.push(Feature {
            geometry,
            attributes,
        });
    }
    Ok(VectorLayer {
        name,
        source: path.to_path_buf(),
        source_crs,
        fields,
        features,
        skipped_without_geometry: skipped,
    })
}

/// Converts an OGR geometry into a 2-D geo geometry, transforming it first.
pub fn to_geo(
    geom: &gdal::vector::Geometry,
    transform: Option<&gdal::spatial_ref::CoordTransform>,
) -> std::result::Result<geo::Geometry<f64>, String> {
    if transform.is_none() && geom.geometry_type() == gdal::vector::OGRwkbGeometryType::wkbPoint {
        // Fast path: no copy of the OGR geometry.
        let (x, y, _) = geom.get_point(0);
        return Ok(geo::Geometry::Point(geo::Point::new(x, y)));
    }
    let mut owned = match transform {
        Some(ct) => geom
            .transform(ct)
            .map_err(|e| format!("reprojection failed: {e}"))?,
        None => geom.clone(),
    };
    owned.flatten_to_2d();
    geo::Geometry::try_from(&owned).map_err(|e| format!("unsupported geometry: {e}"))
}

fn field_to_json(value: Option<FieldValue>) -> Value {
    match value {
        None => Value::Null,
        Some(FieldValue::IntegerValue(v)) => Value::from(v),
        Some(FieldValue::Integer64Value(v)) => Value::from(v),
        Some(FieldValue::RealValue(v)) => {
            // A number JSON cannot hold (NaN, infinity) stays visible as text, so a
            // reader that needs a number rejects it instead of seeing no value.
            serde_json::Number::from_f64(v)
                .map_or_else(|| Value::from(v.to_string()), Value::Number)
        }
        Some(FieldValue::StringValue(v)) => Value::from(v),
        Some(FieldValue::DateValue(d)) => Value::from(d.to_string()),
        Some(FieldValue::DateTimeValue(d)) => Value::from(d.to_rfc3339()),
        Some(FieldValue::IntegerListValue(v)) => Value::from(v),
        Some(FieldValue::Integer64ListValue(v)) => Value::from(v),
        Some(FieldValue::RealListValue(v)) => Value::from(v),
        Some(FieldValue::StringListValue(v)) => Value::from(v),
    }
}
