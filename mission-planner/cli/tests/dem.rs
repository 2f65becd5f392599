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

/// What every refused DEM's message must say: the file, what is expected, how to convert.
fn assert_refused(err: &str, file: &str) {
    assert!(err.contains(file), "names the file: {err}");
    assert!(err.contains("EPSG:4326"), "says what is expected: {err}");
    assert!(
        err.contains("gdalwarp -t_srs EPSG:4326"),
        "says how to convert: {err}"
    );
}

#[test]
fn unsupported_dems_are_refused_with_the_conversion() {
    use mission_planner::dem_grid::DemGrid;
    let dir = tempfile::tempdir().unwrap();
    // A real projected GeoTIFF (UTM zone 25S).
    let utm = crate::util::data_dir().join("03_dem/stars_olinda_dem_utm25s.tif");
    let err = DemGrid::load(&utm).unwrap_err().to_string();
    assert_refused(&err, "stars_olinda_dem_utm25s.tif");
    assert!(err.contains("projected"), "{err}");
    // A format this reader does not take.
    let hgt = dir.path().join("N07W006.hgt");
    std::fs::write(&hgt, [0u8; 8]).unwrap();
    let err = DemGrid::load(&hgt).unwrap_err().to_string();
    assert_refused(&err, "N07W006.hgt");
    assert!(err.contains("unsupported DEM format .hgt"), "{err}");
    // An ASCII grid in metres (UTM eastings/northings), and one whose .prj says projected.
    let asc = dir.path().join("utm.asc");
    std::fs::write(
        &asc,
        "ncols 2\nnrows 2\nxllcorner 500000\nyllcorner 9100000\ncellsize 90\n1 2\n3 4\n",
    )
    .unwrap();
    let err = DemGrid::load(&asc).unwrap_err().to_string();
    assert_refused(&err, "utm.asc");
    assert!(err.contains("not longitudes and latitudes"), "{err}");
    let asc = dir.path().join("small.asc");
    std::fs::write(
        &asc,
        "ncols 2\nnrows 2\nxllcorner 2\nyllcorner 13\ncellsize 0.5\n1 2\n3 4\n",
    )
    .unwrap();
    assert!(DemGrid::load(&asc).is_ok());
    std::fs::write(
        dir.path().join("small.prj"),
        r#"PROJCS["WGS 84 / UTM zone 31N",GEOGCS["WGS 84"]]"#,
    )
    .unwrap();
    let err = DemGrid::load(&asc).unwrap_err().to_string();
    assert_refused(&err, "small.asc");
    assert!(err.contains("small.prj"), "{err}");
    // A TIFF with no georeferencing at all.
    let plain = dir.path().join("plain.tif");
    let mut enc = tiff::encoder::TiffEncoder::new(std::fs::File::create(&plain).unwrap()).unwrap();
    enc.write_image::<tiff::encoder::colortype::Gray16>(2, 2, &[1, 2, 3, 4])
        .unwrap();
    let err = DemGrid::load(&plain).unwrap_err().to_string();
    assert_refused(&err, "plain.tif");
    assert!(err.contains("not a georeferenced GeoTIFF"), "{err}");
}
