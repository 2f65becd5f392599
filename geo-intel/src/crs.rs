//! Coordinate reference systems: everything ends up in WGS84 longitude/latitude.
//!
//! GDAL 3 follows the EPSG axis order, so EPSG:4326 is latitude first unless the
//! traditional GIS order is requested. Every `SpatialRef` made here sets
//! `OAMS_TRADITIONAL_GIS_ORDER`, so x is always longitude and y latitude.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;

use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform, SpatialRef};

use crate::error::{GeoError, Result};

/// WGS84 geographic coordinates with x = longitude, y = latitude.
pub fn wgs84() -> SpatialRef {
    let mut srs = SpatialRef::from_epsg(4326).expect("EPSG:4326 is in every PROJ database");
    srs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    srs
}

/// A spatial reference from its WKT (or any definition GDAL accepts), in
/// traditional GIS axis order. `path` is only used for the error.
pub fn from_definition(definition: &str, path: &Path) -> Result<SpatialRef> {
    let mut srs = SpatialRef::from_definition(definition)
        .map_err(|e| GeoError::crs(path, format!("cannot parse {definition:?}: {e}")))?;
    srs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    Ok(srs)
}

/// Whether `srs` is plain WGS84 geographic (so lon/lat need no transformation).
pub fn is_wgs84_geographic(srs: &SpatialRef) -> bool {
    srs.is_geographic() && {
        let mut s = srs.clone();
        let _ = s.auto_identify_epsg();
        s.auth_name().as_deref() == Some("EPSG") && s.auth_code().ok() == Some(4326)
    }
}

/// A transformation from `srs` (axis order forced to traditional) to WGS84 lon/lat.
pub fn to_wgs84(srs: &SpatialRef, path: &Path) -> Result<CoordTransform> {
    let mut src = srs.clone();
    src.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    CoordTransform::new(&src, &wgs84())
        .map_err(|e| GeoError::crs(path, format!("no transformation to WGS84: {e}")))
}

/// A transformation from WGS84 lon/lat to `srs` (axis order forced to traditional).
pub fn from_wgs84(srs: &SpatialRef, path: &Path) -> Result<CoordTransform> {
    let mut dst = srs.clone();
    dst.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    CoordTransform::new(&wgs84(), &dst)
        .map_err(|e| GeoError::crs(path, format!("no transformation from WGS84: {e}")))
}

thread_local! {
    /// Per-thread cache of WGS84 -> CRS transformations, keyed by the CRS WKT.
    /// `CoordTransform` is neither `Send` nor `Sync`, so owned grids keep only
    /// the WKT and each thread builds its own transformation once.
    static FROM_WGS84: RefCell<HashMap<String, CoordTransform>> = RefCell::new(HashMap::new());
}

/// Transforms lon/lat points (x = lon, y = lat, in place) into the CRS given by
/// `wkt`, using a per-thread cached transformation. Points that cannot be
/// transformed become NaN.
pub fn project_lon_lat(wkt: &str, xs: &mut [f64], ys: &mut [f64]) -> Result<()> {
    FROM_WGS84.with(|cache| {
        let mut cache = cache.borrow_mut();
        if !cache.contains_key(wkt) {
            let srs = from_definition(wkt, Path::new("<grid CRS>"))?;
            let ct = from_wgs84(&srs, Path::new("<grid CRS>"))?;
            cache.insert(wkt.to_string(), ct);
        }
        let ct = &cache[wkt];
        if ct.transform_coords(xs, ys, &mut []).is_err() {
            // Transform point by point so one bad point does not poison the batch.
            for (x, y) in xs.iter_mut().zip(ys.iter_mut()) {
                let (mut px, mut py) = ([*x], [*y]);
                if ct.transform_coords(&mut px, &mut py, &mut []).is_ok() {
                    (*x, *y) = (px[0], py[0]);
                } else {
                    (*x, *y) = (f64::NAN, f64::NAN);
                }
            }
        }
        Ok(())
    })
}

/// A Lambert azimuthal equal-area projection centred on `lon_deg`, `lat_deg`, in
/// metres: the working plane for kernel density (true areas, distances within a
/// few tenths of a percent over a country).
pub fn local_equal_area(lon_deg: f64, lat_deg: f64) -> Result<SpatialRef> {
    let proj = format!(
        "+proj=laea +lat_0={lat_deg:.6} +lon_0={lon_deg:.6} +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
    );
    let mut srs = SpatialRef::from_proj4(&proj)
        .map_err(|e| GeoError::crs(Path::new("<local projection>"), e))?;
    srs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    Ok(srs)
}
