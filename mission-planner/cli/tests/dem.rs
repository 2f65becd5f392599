//! `--dem` reads through GDAL (geo-intel's `Dem`): the same heights as GDAL's own
//! tools, PixelIsPoint tiles included, and legs checked against them.

use std::process::Command;

use geo_intel::elevation::Dem;
use geo_intel::prelude::*;
use mission_planner::{ElevationModel, LatLon};

use crate::util::data_dir;
use crate::{run, s};

/// The shared SRTM tile: PixelIsPoint (GeoKey 1025 = 2), 3" cells.
fn srtm() -> std::path::PathBuf {
    data_dir().join("03_dem/srtm3_n07_w006_3arc_v2_cote_divoire.tif")
}

/// GDAL's own reading of one cell: `gdallocationinfo -valonly -wgs84`.
fn gdal_value(dem: &std::path::Path, p: LatLon) -> f64 {
    let o = Command::new("gdallocationinfo")
        .args(["-valonly", "-wgs84", s(dem)])
        .arg(p.lon_deg.to_string())
        .arg(p.lat_deg.to_string())
        .output()
        .expect("gdallocationinfo (GDAL's tools) must be installed");
    String::from_utf8_lossy(&o.stdout).trim().parse().unwrap()
}

/// A cell centre of the tile where a half-pixel shift reads 405 m instead of 441 m.
const SPOT: LatLon = LatLon::new(7.009167, -5.5925);

#[test]
fn pixel_is_point_tile_reads_as_gdal_reads_it() {
    let dem = Dem::open(&srtm()).unwrap();
    let ours = dem.elevation_m(SPOT).unwrap();
    let gdal = gdal_value(&srtm(), SPOT);
    assert!((ours - gdal).abs() < 1.0, "ours {ours} m, GDAL {gdal} m");
}

/// A WPL mission: home on the ground at `home`, then `items` (frame, lat, lon, alt).
fn wpl(home: (LatLon, f64), items: &[(u8, u16, LatLon, f64)]) -> String {
    let mut t = format!(
        "QGC WPL 110\n0\t1\t0\t16\t0\t0\t0\t0\t{}\t{}\t{}\t1\n",
        home.0.lat_deg, home.0.lon_deg, home.1
    );
    for (i, (frame, cmd, p, alt)) in items.iter().enumerate() {
        t.push_str(&format!(
            "{}\t0\t{frame}\t{cmd}\t0\t0\t0\t0\t{}\t{}\t{alt}\t1\n",
            i + 1,
            p.lat_deg,
            p.lon_deg
        ));
    }
    t
}

#[test]
fn a_leg_20_m_above_the_real_ground_breaks_a_30_m_clearance() {
    let dir = tempfile::tempdir().unwrap();
    let east = LatLon::new(SPOT.lat_deg, SPOT.lon_deg + 1.0 / 1200.0);
    let g0 = gdal_value(&srtm(), SPOT);
    let g1 = gdal_value(&srtm(), east);
    // 20 m above the higher of the two cells the leg joins (AMSL frame).
    let alt = g0.max(g1) + 20.0;
    let plan = dir.path().join("low.waypoints");
    std::fs::write(
        &plan,
        wpl(
            (SPOT, g0),
            &[(0, 22, SPOT, alt), (0, 16, east, alt), (0, 21, east, 0.0)],
        ),
    )
    .unwrap();
    let o = run(&[
        "validate",
        s(&plan),
        "--dem",
        s(&srtm()),
        "--min-clearance-m",
        "30",
        "--json",
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let clearance: Vec<f64> = v["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["kind"]["TerrainClearance"]["clearance_m"].as_f64())
        .collect();
    assert!(
        clearance.iter().any(|c| (15.0..25.0).contains(c)),
        "a ~20 m clearance error: {out}"
    );
}

#[test]
fn a_mission_flown_underground_is_refused_whatever_its_frame() {
    // 1 m above mean sea level over terrain of 145-546 m: every leg is underground.
    let dir = tempfile::tempdir().unwrap();
    let a = LatLon::new(7.50, -5.50);
    let b = LatLon::new(7.51, -5.50);
    let c = LatLon::new(7.51, -5.49);
    for frame in [0u8, 3] {
        let plan = dir.path().join(format!("amsl-1m-{frame}.waypoints"));
        std::fs::write(
            &plan,
            wpl((a, 1.0), &[(frame, 16, b, 1.0), (frame, 16, c, 1.0)]),
        )
        .unwrap();
        let o = run(&["validate", s(&plan), "--dem", s(&srtm()), "--json"]);
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(o.status.code(), Some(1), "frame {frame}: {out}");
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let underground = v["issues"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| {
                i["kind"]["TerrainClearance"]["clearance_m"]
                    .as_f64()
                    .is_some_and(|c| c < 0.0)
            })
            .count();
        assert!(underground >= 2, "frame {frame}: {out}");
    }
}

#[test]
fn a_dem_gdal_cannot_read_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("not-a-dem.tif");
    std::fs::write(&bad, b"not a raster").unwrap();
    let plan = crate::util::mission_file("qgc/simple_square.plan");
    let o = run(&["validate", s(&plan), "--dem", s(&bad)]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("not-a-dem.tif"), "{err}");
}
