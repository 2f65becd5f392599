//! The exact command forms of the issue, run as a user would.

use serde_json::Value;

use crate::util::{asset, data, gdal_pixel, json, run, tmp};

#[test]
fn info_json() {
    let v = json(&[
        "info",
        data("03_dem/stars_olinda_dem_utm25s.tif").to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(v["raster"]["cols"], 111);
    assert!(v["raster"]["extent_wgs84"]["west_deg"].as_f64().unwrap() < -34.8);
    let v = json(&[
        "info",
        asset("ne10m_niger_border_segments.geojson")
            .to_str()
            .unwrap(),
        "--json",
    ]);
    assert_eq!(v["layers"][0]["feature_count"], 7);
}

#[test]
fn sample_json_with_null_for_no_data() {
    let dem = data("03_dem/globe_g10g_niger_30arcsec.tif");
    // Pixel (250, 660)'s centre, and a point outside the DEM.
    let lon = 250.5 / 120.0;
    let lat = 24.0 - 660.5 / 120.0;
    let p = format!("{lat},{lon}");
    let v = json(&[
        "sample",
        "--dem",
        dem.to_str().unwrap(),
        &p,
        "30,30",
        "--json",
    ]);
    let got = v[0]["elev_m"].as_f64().unwrap();
    assert!((got - gdal_pixel(&dem, 1, 250, 660)).abs() < 1e-6);
    assert!(v[1]["elev_m"].is_null());
    // Nothing covered at all: an error naming the DEM.
    let r = run(&["sample", "--dem", dem.to_str().unwrap(), "-30,30"]);
    let (ok, err) = (r.ok(), r.err);
    assert!(!ok);
    assert!(
        err.contains("globe_g10g_niger_30arcsec.tif") && err.contains("does not cover"),
        "{err}"
    );
}

#[test]
fn heatmap_rank_border_and_coverage() {
    let dir = tmp();
    let risk = dir.path().join("risk.tif");
    let incidents = asset("SYNTHETIC_incidents_niger.geojson");
    let r = run(&[
        "heatmap",
        "--incidents",
        incidents.to_str().unwrap(),
        "--cell-m",
        "1000",
        "--bandwidth-m",
        "5000",
        "--half-life-days",
        "30",
        "-o",
        risk.to_str().unwrap(),
    ]);
    assert!(r.ok(), "{}", r.err);
    let gi = crate::util::gdalinfo(&risk);
    assert_eq!(gi["geoTransform"][1].as_f64(), Some(1000.0));
    assert!(
        gi["coordinateSystem"]["wkt"]
            .as_str()
            .unwrap()
            .contains("Lambert Azimuthal Equal Area")
    );
    let border = data("01_boundaries/ne10m/niger_border_segments.geojson");
    let v = json(&[
        "rank-border",
        "--border",
        border.to_str().unwrap(),
        "--risk",
        risk.to_str().unwrap(),
        "--segment-km",
        "10",
        "--json",
    ]);
    let rows = v.as_array().unwrap();
    assert!(rows.len() > 550, "5586 km in 10 km pieces: {}", rows.len());
    assert_eq!(rows[0]["rank"], 1);
    assert!(rows[0]["mean_risk"].as_f64().unwrap() > 0.0);
    let tracks = asset("SYNTHETIC_patrol_tracks_niger.gpx");
    let out = dir.path().join("coverage.geojson");
    let v = json(&[
        "coverage",
        "--border",
        border.to_str().unwrap(),
        "--tracks",
        tracks.to_str().unwrap(),
        "--tracks",
        tracks.to_str().unwrap(),
        "--footprint-m",
        "1000",
        "--since-hours",
        "24",
        "--now",
        "2026-06-30T00:00:00Z",
        "--json",
        "-o",
        out.to_str().unwrap(),
    ]);
    let observed = v["observed_km"].as_f64().unwrap();
    // The 6-hour-old synthetic patrol flew 120 km of the Nigeria border; the 30-hour-old one is outside 24 h.
    assert!((observed - 121.0).abs() < 2.0, "{observed}");
    let gj: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(gj["type"], "FeatureCollection");
}

#[test]
fn bad_input_exits_with_the_file_in_the_message() {
    let dir = tmp();
    let bad = crate::util::write(dir.path(), "bad.geojson", "{ not json");
    let r = run(&["info", bad.to_str().unwrap(), "--json"]);
    let (ok, err) = (r.ok(), r.err);
    assert!(!ok);
    assert!(err.contains("bad.geojson"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn profile_and_catalog() {
    let dem = data("03_dem/stars_olinda_dem_utm25s.tif");
    // Negative latitudes and longitudes are positions, not options.
    let v = json(&[
        "profile",
        "--dem",
        dem.to_str().unwrap(),
        "--step-m",
        "90",
        "-7.99,-34.90",
        "-8.00,-34.85",
        "--json",
    ]);
    let pts = v.as_array().unwrap();
    assert!(pts.len() > 55, "5.6 km at 90 m: {}", pts.len());
    assert!(pts.iter().all(|p| p["elev_m"].is_number()));
    assert_eq!(pts[0]["distance_m"], 0.0);
    let v = json(&["catalog", asset("catalog.toml").to_str().unwrap(), "--json"]);
    assert!(v["issues"].as_array().unwrap().is_empty(), "{v}");
    assert!(v["layers"].as_array().unwrap().len() >= 9);
}
