//! Rasters and elevation against gdal-bin and pyproj.

use geo_intel::elevation::Dem;
use geo_intel::grid::Grid;
use geo_intel::prelude::*;
use geo_intel::vector::LonLatBounds;
use geo_intel::{GeoError, info};
use mission_planner::{ElevationModel, LatLon};

use crate::util::{data, gdal_pixel, gdalinfo, pyproj, tmp};

fn geo_transform(info: &serde_json::Value) -> Vec<f64> {
    info["geoTransform"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

/// Pixel centres of a projected raster, turned into lon/lat by pyproj from the
/// file's own WKT, must sample to exactly gdallocationinfo's pixel value.
fn check_projected_pixel_centres(rel: &str, band: usize, pyproj_crs: Option<&str>) {
    let path = data(rel);
    let gi = gdalinfo(&path);
    let gt = geo_transform(&gi);
    let wkt = gi["coordinateSystem"]["wkt"].as_str().unwrap().to_string();
    let src = pyproj_crs.map_or(wkt, str::to_string);
    let grid = Grid::read(&path, band).unwrap();
    assert!(grid.crs_wkt.is_some(), "{rel} is projected");
    let pixels = [(3, 3), (40, 70), (70, 40), (100, 100), (55, 12)];
    let centres: Vec<(f64, f64)> = pixels
        .iter()
        .map(|&(c, r)| {
            (
                gt[0] + (c as f64 + 0.5) * gt[1],
                gt[3] + (r as f64 + 0.5) * gt[5],
            )
        })
        .collect();
    let lonlat = pyproj(&src, "EPSG:4326", &centres);
    for (&(c, r), &(lon, lat)) in pixels.iter().zip(&lonlat) {
        assert!(
            (-35.0..-34.8).contains(&lon) && (-8.1..-7.9).contains(&lat),
            "Olinda is at {lon},{lat}?"
        );
        let expected = gdal_pixel(&path, band, c, r);
        let got = grid
            .sample(LatLon::new(lat, lon))
            .expect("inside the raster");
        assert!(
            (got - expected).abs() < 0.02,
            "{rel} pixel ({c},{r}) at lon {lon} lat {lat}: geo-intel {got}, gdallocationinfo {expected}"
        );
    }
}

#[test]
fn olinda_utm_dem_is_reprojected_to_lon_lat() {
    check_projected_pixel_centres("03_dem/stars_olinda_dem_utm25s.tif", 1, None);
}

#[test]
fn landsat_utm_image_is_reprojected_to_lon_lat() {
    check_projected_pixel_centres(
        "06_imagery/stars_L7_ETMs_landsat7_olinda_utm25s.tif",
        4,
        Some("EPSG:31985"),
    );
}

#[test]
fn projected_extent_matches_pyproj() {
    let path = data("06_imagery/stars_L7_ETMs_landsat7_olinda_utm25s.tif");
    let fi = info::inspect(&path).unwrap();
    let r = fi.raster.expect("a raster");
    assert_eq!(r.epsg, Some(31985));
    assert_eq!((r.cols, r.rows, r.bands.len()), (349, 352, 6));
    let gt = r.geo_transform;
    let corners = [
        (gt[0], gt[3]),
        (gt[0] + 349.0 * gt[1], gt[3]),
        (gt[0], gt[3] + 352.0 * gt[5]),
        (gt[0] + 349.0 * gt[1], gt[3] + 352.0 * gt[5]),
    ];
    let ll = pyproj("EPSG:31985", "EPSG:4326", &corners);
    let west = ll.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let east = ll.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    let south = ll.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let north = ll.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let e = r.extent_wgs84;
    for (a, b) in [
        (e.west_deg, west),
        (e.east_deg, east),
        (e.south_deg, south),
        (e.north_deg, north),
    ] {
        assert!(
            (a - b).abs() < 1e-4,
            "extent {e:?} vs pyproj {west} {south} {east} {north}"
        );
    }
}

#[test]
fn globe_bilinear_matches_gdal_pixels() {
    let path = data("03_dem/globe_g10g_niger_30arcsec.tif");
    let dem = Dem::open(&path).unwrap();
    assert!(
        dem.grid.crs_wkt.is_none(),
        "EPSG:4326 needs no transformation"
    );
    let gt = dem.grid.geo_transform;
    for &(c, r) in &[
        (250usize, 660usize),
        (1000, 500),
        (1200, 300),
        (1979, 1559),
        (0, 0),
    ] {
        let lon = gt[0] + (c as f64 + 0.5) * gt[1];
        let lat = gt[3] + (r as f64 + 0.5) * gt[5];
        let expected = gdal_pixel(&path, 1, c, r);
        let got = dem.sample(LatLon::new(lat, lon)).unwrap();
        assert!(
            (got - expected).abs() < 1e-6,
            "pixel centre ({c},{r}): {got} vs {expected}"
        );
    }
    // At the corner shared by four cells, bilinear is their mean.
    let (c, r) = (1000usize, 500usize);
    let lon = gt[0] + (c as f64 + 1.0) * gt[1];
    let lat = gt[3] + (r as f64 + 1.0) * gt[5];
    let mean = (gdal_pixel(&path, 1, c, r)
        + gdal_pixel(&path, 1, c + 1, r)
        + gdal_pixel(&path, 1, c, r + 1)
        + gdal_pixel(&path, 1, c + 1, r + 1))
        / 4.0;
    let got = dem.sample(LatLon::new(lat - 1e-9, lon + 1e-9)).unwrap();
    assert!((got - mean).abs() < 1e-3, "corner: {got} vs mean {mean}");
    // Through the planner's trait, and nothing outside the DEM.
    let model: &dyn ElevationModel = &dem;
    let agadez = model.elevation_m(LatLon::new(16.97, 7.99)).unwrap();
    assert!((450.0..600.0).contains(&agadez), "Agadez {agadez}");
    assert_eq!(model.elevation_m(LatLon::new(30.0, 30.0)), None);
}

#[test]
fn nodata_is_none_and_never_pulls_towards_zero() {
    let path = data("03_dem/terra_elev_luxembourg_srtm.tif");
    assert_eq!(
        gdal_pixel(&path, 1, 0, 0),
        -32768.0,
        "corner is nodata per gdallocationinfo"
    );
    let dem = Dem::open(&path).unwrap();
    let gt = dem.grid.geo_transform;
    let centre = |c: usize, r: usize| {
        LatLon::new(
            gt[3] + (r as f64 + 0.5) * gt[5],
            gt[0] + (c as f64 + 0.5) * gt[1],
        )
    };
    assert_eq!(dem.sample(centre(0, 0)), None);
    // Every valid cell next to a nodata cell: sampling towards the hole stays in range.
    let (lo, hi) = dem.grid.min_max().unwrap();
    assert!(lo > 100.0, "nodata must not be read as a height (min {lo})");
    let mut checked = 0;
    for r in 1..dem.grid.rows - 1 {
        for c in 1..dem.grid.cols - 1 {
            if dem.grid.cell(c, r).is_some() && dem.grid.cell(c + 1, r).is_none() {
                let p = centre(c, r);
                let q = LatLon::new(p.lat_deg, p.lon_deg + 0.45 * gt[1]);
                let v = dem.sample(q).expect("containing cell has data");
                assert!(
                    v >= f64::from(lo) && v <= f64::from(hi),
                    "{v} outside {lo}..{hi}"
                );
                checked += 1;
            }
        }
    }
    assert!(
        checked > 10,
        "expected cells on the edge of the nodata area, found {checked}"
    );
}

#[test]
fn mosaic_of_two_halves_equals_the_whole() {
    let path = data("03_dem/globe_g10g_niger_30arcsec.tif");
    let whole = Dem::open(&path).unwrap();
    let dir = tmp();
    let g = &whole.grid;
    let split = g.cols / 2;
    let mut parts = Vec::new();
    for (name, c0, c1) in [("west.tif", 0, split), ("east.tif", split, g.cols)] {
        let p = dir.path().join(name);
        let driver = gdal::DriverManager::get_driver_by_name("GTiff").unwrap();
        let mut ds = driver
            .create_with_band_type::<f32, _>(&p, c1 - c0, g.rows, 1)
            .unwrap();
        let mut gt = g.geo_transform;
        gt[0] += c0 as f64 * gt[1];
        ds.set_geo_transform(&gt).unwrap();
        ds.set_spatial_ref(&geo_intel::crs::wgs84()).unwrap();
        let mut vals = Vec::with_capacity((c1 - c0) * g.rows);
        for r in 0..g.rows {
            vals.extend_from_slice(&g.values[r * g.cols + c0..r * g.cols + c1]);
        }
        let mut band = ds.rasterband(1).unwrap();
        band.write(
            (0, 0),
            (c1 - c0, g.rows),
            &mut gdal::raster::Buffer::new((c1 - c0, g.rows), vals),
        )
        .unwrap();
        parts.push(p);
    }
    let mosaic = Dem::open_many(&parts).unwrap();
    assert_eq!((mosaic.grid.cols, mosaic.grid.rows), (g.cols, g.rows));
    let seam_lon = g.geo_transform[0] + split as f64 * g.geo_transform[1];
    for i in 0..200 {
        let lat = 11.2 + 12.6 * (i as f64 / 200.0);
        for lon in [
            seam_lon - 0.004,
            seam_lon,
            seam_lon + 0.006,
            3.3 + i as f64 * 0.05,
        ] {
            let p = LatLon::new(lat, lon);
            assert_eq!(mosaic.sample(p), whole.sample(p), "at {p}");
        }
    }
}

#[test]
fn profile_and_terrain_grid() {
    let dem = Dem::open(&data("03_dem/globe_g10g_niger_30arcsec.tif")).unwrap();
    let niamey = LatLon::new(13.5116, 2.1254);
    let agadez = LatLon::new(16.97, 7.99);
    let prof = dem.profile(&[niamey, agadez], 1000.0).unwrap();
    assert!(prof.windows(2).all(|w| w[1].distance_m > w[0].distance_m));
    let total = prof.last().unwrap().distance_m;
    // Haversine Niamey-Agadez, independently: about 735 km.
    let expected = {
        let (p1, p2) = (niamey.lat_deg.to_radians(), agadez.lat_deg.to_radians());
        let dp = p2 - p1;
        let dl = (agadez.lon_deg - niamey.lon_deg).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * 6_371_008.8 * a.sqrt().asin()
    };
    assert!((total - expected).abs() < 1.0, "{total} vs {expected}");
    assert!(prof.len() as f64 >= total / 1000.0);
    assert_eq!(prof[0].elev_m, dem.sample(niamey));
    assert_eq!(prof.last().unwrap().elev_m, dem.sample(agadez));
    assert!(prof.iter().all(|p| p.elev_m.is_some()));

    let area = LonLatBounds {
        west_deg: 7.0,
        south_deg: 17.0,
        east_deg: 8.0,
        north_deg: 18.0,
    };
    let grid = dem.elevation_grid(&area, 2000.0).unwrap();
    let cols = (111_320.0 * 17.5f64.to_radians().cos() / 2000.0).ceil() as usize;
    assert_eq!((grid.cols, grid.rows), (cols, 56));
    for &(c, r) in &[(0, 0), (10, 20), (cols - 1, 55)] {
        let p = LatLon::new(
            18.0 - (r as f64 + 0.5) * grid.cell_lat_deg,
            7.0 + (c as f64 + 0.5) * grid.cell_lon_deg,
        );
        assert_eq!(grid.at(c, r), dem.sample(p).map(|h| h as f32));
    }
}

#[test]
fn dem_that_does_not_cover_the_area_is_an_error_naming_it() {
    let path = data("03_dem/terra_elev_luxembourg_srtm.tif");
    let dem = Dem::open(&path).unwrap();
    let niger = [LatLon::new(13.5, 2.1), LatLon::new(16.9, 8.0)];
    let err = dem.profile(&niger, 1000.0).unwrap_err();
    assert!(matches!(err, GeoError::NotCovered { .. }), "{err}");
    assert!(
        err.to_string().contains("terra_elev_luxembourg_srtm.tif"),
        "{err}"
    );
    let area = LonLatBounds {
        west_deg: 2.0,
        south_deg: 13.0,
        east_deg: 3.0,
        north_deg: 14.0,
    };
    let err = dem.elevation_grid(&area, 1000.0).unwrap_err();
    assert!(matches!(err, GeoError::NotCovered { .. }), "{err}");
}

#[test]
fn area_reads_match_the_whole_raster() {
    let niger = data("03_dem/globe_g10g_niger_30arcsec.tif");
    let olinda = data("03_dem/stars_olinda_dem_utm25s.tif");
    for (path, area) in [
        (
            &niger,
            LonLatBounds {
                west_deg: 7.3,
                south_deg: 17.2,
                east_deg: 8.9,
                north_deg: 18.4,
            },
        ),
        (
            &olinda,
            LonLatBounds {
                west_deg: -34.9,
                south_deg: -8.02,
                east_deg: -34.86,
                north_deg: -7.98,
            },
        ),
    ] {
        let whole = Dem::open(path).unwrap();
        let part = Dem::open_area(std::slice::from_ref(path), &area).unwrap();
        assert!(
            part.grid.values.len() < whole.grid.values.len() / 2,
            "{}",
            path.display()
        );
        for i in 0..=20 {
            for j in 0..=20 {
                let p = LatLon::new(
                    area.south_deg + (area.north_deg - area.south_deg) * i as f64 / 20.0,
                    area.west_deg + (area.east_deg - area.west_deg) * j as f64 / 20.0,
                );
                let (a, b) = (part.sample(p), whole.sample(p));
                assert!(
                    a.is_some() && (a.unwrap() - b.unwrap()).abs() < 1e-9,
                    "{p}: {a:?} vs {b:?}"
                );
            }
        }
    }
    let paris = LonLatBounds {
        west_deg: 2.0,
        south_deg: 48.0,
        east_deg: 3.0,
        north_deg: 49.0,
    };
    let err = Dem::open_area(std::slice::from_ref(&niger), &paris).unwrap_err();
    assert!(matches!(err, GeoError::NotCovered { .. }), "{err}");
    assert!(
        err.to_string().contains("globe_g10g_niger_30arcsec.tif"),
        "{err}"
    );
}
