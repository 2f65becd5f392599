//! Real DEMs from ../shared/data/03_dem read by the pure-Rust GeoTIFF reader.

#[test]
fn real_geotiff_dems_load() {
    use mission_planner::dem_grid::DemGrid;
    use mission_planner::{ElevationModel, LatLon};
    let dem = crate::util::data_dir().join("03_dem");
    let globe = DemGrid::load(&dem.join("globe_g10g_niger_30arcsec.tif")).unwrap();
    // MANIFEST spot checks: Niamey 191 m, Agadez 529 m (30" cells, bilinear here).
    let niamey = globe.elevation_m(LatLon::new(13.5116, 2.1254)).unwrap();
    let agadez = globe.elevation_m(LatLon::new(16.9742, 7.9865)).unwrap();
    assert!((niamey - 191.0).abs() < 40.0, "Niamey {niamey}");
    assert!((agadez - 529.0).abs() < 40.0, "Agadez {agadez}");
    assert_eq!(
        globe.elevation_m(LatLon::new(30.0, 5.0)),
        None,
        "outside the grid"
    );
    let srtm = DemGrid::load(&dem.join("srtm3_n07_w006_3arc_v2_cote_divoire.tif")).unwrap();
    let h = srtm.elevation_m(LatLon::new(7.5, -5.5)).unwrap();
    assert!((145.0..=546.0).contains(&h), "{h}");
    let err = DemGrid::load(&dem.join("stars_olinda_dem_utm25s.tif"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("stars_olinda_dem_utm25s.tif") && err.contains("EPSG:4326"),
        "{err}"
    );
}
