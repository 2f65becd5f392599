//! Bad input gives an error naming the file and GDAL's reason, never a panic.

use geo_intel::GeoError;
use geo_intel::elevation::Dem;
use geo_intel::incidents::read_incidents;
use geo_intel::prelude::*;
use geo_intel::vector::{read_vector, read_vector_layer};

use crate::util::{data, tmp, write};

fn assert_names(err: &GeoError, file: &std::path::Path) {
    let msg = err.to_string();
    assert!(
        msg.contains(file.to_str().unwrap()),
        "error does not name {}: {msg}",
        file.display()
    );
}

#[test]
fn truncated_geotiff() {
    let dir = tmp();
    let bytes = std::fs::read(data("03_dem/globe_g10g_niger_30arcsec.tif")).unwrap();
    let cut = dir.path().join("truncated.tif");
    std::fs::write(&cut, &bytes[..bytes.len() / 3]).unwrap();
    let err = Dem::open(&cut).unwrap_err();
    assert_names(&err, &cut);
    // GDAL's own words are in the message (a read error from the DEFLATE/TIFF reader).
    assert!(
        matches!(err, GeoError::Read { .. } | GeoError::Open { .. }),
        "{err:?}"
    );
    let header = dir.path().join("header_only.tif");
    std::fs::write(&header, &bytes[..200]).unwrap();
    let err = Dem::open(&header).unwrap_err();
    assert_names(&err, &header);
}

#[test]
fn corrupt_and_missing_files() {
    let dir = tmp();
    let garbage = write(dir.path(), "garbage.tif", "this is not a tiff at all");
    let err = Dem::open(&garbage).unwrap_err();
    assert!(matches!(err, GeoError::Open { .. }), "{err:?}");
    assert_names(&err, &garbage);
    assert!(
        err.to_string().contains("not recognized") || err.to_string().contains("format"),
        "GDAL's reason: {err}"
    );

    let json = write(
        dir.path(),
        "broken.geojson",
        r#"{"type":"FeatureCollection","features":[{"type":"Feat"#,
    );
    let err = read_vector(&json).unwrap_err();
    assert_names(&err, &json);

    let missing = dir.path().join("missing.gpkg");
    let err = read_vector(&missing).unwrap_err();
    assert_names(&err, &missing);
    let err = geo_intel::info::inspect(&missing).unwrap_err();
    assert_names(&err, &missing);

    // A truncated GeoPackage (SQLite) file.
    let gpkg = dir.path().join("t.gpkg");
    crate::util::tool(
        "ogr2ogr",
        &[
            "-f",
            "GPKG",
            gpkg.to_str().unwrap(),
            data("02_places_rivers_roads/ne10m_airports_niger_region.geojson")
                .to_str()
                .unwrap(),
        ],
    );
    let bytes = std::fs::read(&gpkg).unwrap();
    std::fs::write(&gpkg, &bytes[..1000]).unwrap();
    let err = read_vector(&gpkg).unwrap_err();
    assert_names(&err, &gpkg);
}

#[test]
fn unknown_crs() {
    let dir = tmp();
    // A shapefile whose .prj is nonsense.
    let shp = dir.path().join("towns.shp");
    crate::util::tool(
        "ogr2ogr",
        &[
            shp.to_str().unwrap(),
            data("02_places_rivers_roads/ne10m_airports_niger_region.geojson")
                .to_str()
                .unwrap(),
        ],
    );
    std::fs::write(
        dir.path().join("towns.prj"),
        "PROJCS[\"nonsense\", UNIT[\"furlong\"]]",
    )
    .unwrap();
    let err = read_vector_layer(&shp, None).unwrap_err();
    assert!(matches!(err, GeoError::Crs { .. }), "{err:?}");
    assert_names(&err, &shp);
    // A GeoTIFF with no CRS at all.
    let tif = dir.path().join("nocrs.tif");
    {
        let driver = gdal::DriverManager::get_driver_by_name("GTiff").unwrap();
        let mut ds = driver
            .create_with_band_type::<f32, _>(&tif, 4, 4, 1)
            .unwrap();
        ds.set_geo_transform(&[0.0, 1.0, 0.0, 4.0, 0.0, -1.0])
            .unwrap();
    }
    let err = Dem::open(&tif).unwrap_err();
    assert!(matches!(err, GeoError::Crs { .. }), "{err:?}");
    assert_names(&err, &tif);
}

#[test]
fn empty_layers() {
    let dir = tmp();
    let empty = write(
        dir.path(),
        "empty.geojson",
        r#"{"type":"FeatureCollection","features":[]}"#,
    );
    let err = read_incidents(&empty, None).unwrap_err();
    assert!(matches!(err, GeoError::Empty { .. }), "{err:?}");
    assert_names(&err, &empty);
    let err = geo_intel::tracks::read_tracks(&empty).unwrap_err();
    assert_names(&err, &empty);
    let err = read_vector_layer(&empty, None)
        .unwrap()
        .require_features()
        .unwrap_err();
    assert_names(&err, &empty);
    // A time that does not parse names the file and the feature.
    let bad = write(
        dir.path(),
        "badtime.geojson",
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"time":"yesterday-ish"},"geometry":{"type":"Point","coordinates":[2,13]}}]}"#,
    );
    let err = read_incidents(&bad, None).unwrap_err();
    assert_names(&err, &bad);
    assert!(err.to_string().contains("yesterday-ish"), "{err}");
}
