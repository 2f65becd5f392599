//! The conventions every Vigil command line shares: exit 0 ok, 1 failure, 2 bad input;
//! `--json`; numbers checked at parse time; negative coordinates; files named once;
//! outputs written atomically.

use std::path::Path;

use gcs_link::frame::encode_v2;
use gcs_link::mavlink::dialects::common::{GLOBAL_POSITION_INT_DATA, MavMessage};
use gcs_link::tlog::TlogWriter;
use mission_planner::LatLon;
use serde_json::Value;

use crate::util::{asset, data, json, run, tmp, write};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A coarse risk raster over Niger, from the demo incidents.
fn small_risk(dir: &Path) -> std::path::PathBuf {
    let risk = dir.join("risk.tif");
    let incidents = asset("SYNTHETIC_incidents_niger.geojson");
    let r = run(&[
        "heatmap",
        "--incidents",
        s(&incidents),
        "--cell-m",
        "20000",
        "--bandwidth-m",
        "40000",
        "-o",
        s(&risk),
    ]);
    assert!(r.ok(), "{}", r.err);
    risk
}

#[test]
fn nan_infinite_negative_and_zero_numbers_are_refused_at_parse_time() {
    let dir = tmp();
    let dem = data("03_dem/globe_g10g_niger_30arcsec.tif");
    let incidents = asset("SYNTHETIC_incidents_niger.geojson");
    let border = asset("ne10m_niger_border_segments.geojson");
    let out = dir.path().join("never.tif");
    for bad in ["NaN", "inf", "-inf", "-1", "0", "1e999"] {
        let cases: Vec<Vec<&str>> = vec![
            vec!["profile", "--dem", s(&dem), "--step-m", bad, "13,2", "14,3"],
            vec![
                "rank-border",
                "--border",
                s(&border),
                "--risk",
                s(&dem),
                "--segment-km",
                bad,
            ],
            vec![
                "coverage",
                "--border",
                s(&border),
                "--tracks",
                s(&border),
                "--footprint-m",
                bad,
            ],
            vec![
                "coverage",
                "--border",
                s(&border),
                "--tracks",
                s(&border),
                "--footprint-m",
                "10",
                "--since-hours",
                bad,
            ],
            vec![
                "heatmap",
                "--incidents",
                s(&incidents),
                "--cell-m",
                bad,
                "--bandwidth-m",
                "5000",
                "-o",
                s(&out),
            ],
            vec![
                "heatmap",
                "--incidents",
                s(&incidents),
                "--cell-m",
                "1000",
                "--bandwidth-m",
                bad,
                "-o",
                s(&out),
            ],
            vec![
                "heatmap",
                "--incidents",
                s(&incidents),
                "--cell-m",
                "1000",
                "--bandwidth-m",
                "5000",
                "--half-life-days",
                bad,
                "-o",
                s(&out),
            ],
        ];
        for args in cases {
            // `--flag=VALUE`, so "-1" is a value, not an option.
            let flag = args.iter().position(|a| *a == bad).unwrap() - 1;
            let mut joined: Vec<String> = args.iter().map(ToString::to_string).collect();
            joined[flag] = format!("{}={bad}", args[flag]);
            joined.remove(flag + 1);
            let argv: Vec<&str> = joined.iter().map(String::as_str).collect();
            let r = run(&argv);
            assert_eq!(r.code, Some(2), "{argv:?} was accepted: {}{}", r.out, r.err);
            assert!(r.err.contains(args[flag]), "{argv:?}: {}", r.err);
        }
    }
    assert!(!out.exists());
}

#[test]
fn a_tiny_border_segment_is_refused_naming_the_limit() {
    let dir = tmp();
    let risk = small_risk(dir.path());
    let border = asset("ne10m_niger_border_segments.geojson");
    let r = run(&[
        "rank-border",
        "--border",
        s(&border),
        "--risk",
        s(&risk),
        "--segment-km",
        "1e-9",
        "--json",
    ]);
    assert_eq!(r.code, Some(2), "{}", r.err);
    assert!(r.err.contains("10000000 samples"), "{}", r.err);
    let v: Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!(v["exit_code"], 2);
    assert!(v["error"].as_str().unwrap().contains("segment"), "{v}");
}

#[test]
fn huge_or_non_finite_severities_are_refused_naming_the_file_and_feature() {
    let dir = tmp();
    let out = dir.path().join("risk.tif");
    for (name, severity) in [
        ("huge.geojson", "1e308"),
        ("infinite.geojson", "\"inf\""),
        ("nan.geojson", "\"NaN\""),
        ("overflow.geojson", "1e999"),
    ] {
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[
              {{"type":"Feature","properties":{{"severity":1}},"geometry":{{"type":"Point","coordinates":[2.1,13.5]}}}},
              {{"type":"Feature","properties":{{"severity":{severity}}},"geometry":{{"type":"Point","coordinates":[2.2,13.6]}}}}]}}"#
        );
        let f = write(dir.path(), name, &text);
        let r = run(&[
            "heatmap",
            "--incidents",
            s(&f),
            "--cell-m",
            "1000",
            "--bandwidth-m",
            "5000",
            "-o",
            s(&out),
        ]);
        assert_eq!(r.code, Some(2), "{name}: {}", r.err);
        assert!(
            r.err.contains(name) && r.err.contains("feature 1"),
            "{name}: {}",
            r.err
        );
        assert!(!out.exists(), "{name}: a raster was written");
    }
}

#[test]
fn every_position_argument_takes_negative_coordinates() {
    let dir = tmp();
    // Olinda, Brazil: south and west.
    let dem = data("03_dem/stars_olinda_dem_utm25s.tif");
    let v = json(&[
        "sample",
        "--dem",
        s(&dem),
        "-8.0,-34.88",
        "-7.99,-34.86",
        "--json",
    ]);
    assert!(
        v[0]["elev_m"].is_number() && v[1]["elev_m"].is_number(),
        "{v}"
    );
    assert_eq!(v[0]["lat_deg"], -8.0);
    let incidents = write(
        dir.path(),
        "olinda.geojson",
        r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"severity":2},"geometry":{"type":"Point","coordinates":[-34.87,-8.01]}}]}"#,
    );
    let out = dir.path().join("olinda.tif");
    for area in [
        vec!["--area", "-34.95,-8.05,-34.80,-7.95"],
        vec!["--area=-34.95,-8.05,-34.80,-7.95"],
    ] {
        let mut args = vec![
            "heatmap",
            "--incidents",
            s(&incidents),
            "--cell-m",
            "500",
            "--bandwidth-m",
            "1000",
            "-o",
            s(&out),
            "--json",
        ];
        args.extend(area);
        let v = json(&args);
        assert!(v["cols"].as_u64().unwrap() >= 30, "{v}");
        assert!(v["max_risk_per_km2"].as_f64().unwrap() > 0.0, "{v}");
    }
    // Out of range is bad input, not a silent clamp.
    let r = run(&[
        "heatmap",
        "--incidents",
        s(&incidents),
        "--cell-m",
        "500",
        "--bandwidth-m",
        "1000",
        "-o",
        s(&out),
        "--area",
        "-200,-8.05,-34.80,-7.95",
    ]);
    assert_eq!(r.code, Some(2), "{}", r.err);
    let r = run(&["sample", "--dem", s(&dem), "-95,-34.88"]);
    assert_eq!(r.code, Some(2), "{}", r.err);
}

#[test]
fn a_missing_file_is_named_once_with_exit_2_and_json() {
    let dir = tmp();
    let dem = data("03_dem/globe_g10g_niger_30arcsec.tif");
    let border = asset("ne10m_niger_border_segments.geojson");
    let gone = |n: &str| dir.path().join(n);
    let (tif, gj, gpx, tlog, toml) = (
        gone("no.tif"),
        gone("no.geojson"),
        gone("no.gpx"),
        gone("no.tlog"),
        gone("no.toml"),
    );
    let out = dir.path().join("out.tif");
    let cases: Vec<(Vec<&str>, &Path)> = vec![
        (vec!["info", s(&tif)], &tif),
        (vec!["sample", "--dem", s(&tif), "13,2"], &tif),
        (vec!["profile", "--dem", s(&tif), "13,2", "14,3"], &tif),
        (
            vec![
                "heatmap",
                "--incidents",
                s(&gj),
                "--cell-m",
                "1000",
                "--bandwidth-m",
                "5000",
                "-o",
                s(&out),
            ],
            &gj,
        ),
        (
            vec!["rank-border", "--border", s(&gj), "--risk", s(&dem)],
            &gj,
        ),
        (
            vec!["rank-border", "--border", s(&border), "--risk", s(&tif)],
            &tif,
        ),
        (
            vec![
                "coverage",
                "--border",
                s(&border),
                "--tracks",
                s(&gpx),
                "--footprint-m",
                "100",
            ],
            &gpx,
        ),
        (
            vec![
                "coverage",
                "--border",
                s(&border),
                "--tracks",
                s(&tlog),
                "--footprint-m",
                "100",
            ],
            &tlog,
        ),
        (vec!["catalog", s(&toml)], &toml),
    ];
    for (mut args, file) in cases {
        let r = run(&args);
        assert_eq!(r.code, Some(2), "{args:?}: {}", r.err);
        let name = file.file_name().unwrap().to_str().unwrap();
        assert_eq!(r.err.matches(name).count(), 1, "{args:?}: {}", r.err);
        assert_eq!(r.err.lines().count(), 1, "{args:?}: one message: {}", r.err);
        assert!(
            r.err.matches("os error").count() <= 1,
            "{args:?}: {}",
            r.err
        );
        assert!(!r.err.contains("panicked"), "{}", r.err);
        args.push("--json");
        let r = run(&args);
        let v: Value =
            serde_json::from_str(&r.out).unwrap_or_else(|e| panic!("{args:?}: {e}: {}", r.out));
        assert_eq!(v["exit_code"], 2);
        assert!(v["error"].as_str().unwrap().contains(name), "{v}");
    }
}

#[test]
fn data_outside_the_dem_is_a_failure_not_bad_input() {
    let dem = data("03_dem/globe_g10g_niger_30arcsec.tif");
    let r = run(&["sample", "--dem", s(&dem), "-30,30", "--json"]);
    assert_eq!(r.code, Some(1), "{}", r.err);
    let v: Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!(v["exit_code"], 1);
}

/// A telemetry log of one vehicle flying east along latitude `lat` from `lon0` to
/// `lon1`, a fix every 0.001°, a second apart, from `t0_us`.
fn write_tlog(path: &Path, lat: f64, lon0: f64, lon1: f64, t0_us: u64) {
    let mut w = TlogWriter::new(std::fs::File::create(path).unwrap());
    let n = ((lon1 - lon0) / 0.001).round() as u64;
    for i in 0..=n {
        let (lat_e7, lon_e7) = LatLon::new(lat, lon0 + i as f64 * 0.001).to_deg_e7();
        let msg = MavMessage::GLOBAL_POSITION_INT(GLOBAL_POSITION_INT_DATA {
            lat: lat_e7,
            lon: lon_e7,
            ..Default::default()
        });
        w.append(t0_us + i * 1_000_000, &encode_v2(1, 1, i as u8, &msg))
            .unwrap();
    }
    w.into_inner().unwrap();
}

#[test]
fn coverage_reads_tlog_telemetry_through_gcs_link() {
    let dir = tmp();
    // An 11 km border along 8° S, of which the drone flew the western half.
    let border = write(
        dir.path(),
        "border.geojson",
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"coast"},
           "geometry":{"type":"LineString","coordinates":[[-34.90,-8.0],[-34.80,-8.0]]}}]}"#,
    );
    let log = dir.path().join("flight.tlog");
    let t0_us = 1_795_743_536_000_000; // 2026-11-27T01:38:56Z
    write_tlog(&log, -8.0, -34.90, -34.85, t0_us);
    let v = json(&[
        "coverage",
        "--border",
        s(&border),
        "--tracks",
        s(&log),
        "--footprint-m",
        "500",
        "--since-hours",
        "2",
        "--now",
        "2026-11-27T02:00:00Z",
        "--json",
    ]);
    let (observed, total) = (
        v["observed_km"].as_f64().unwrap(),
        v["total_km"].as_f64().unwrap(),
    );
    assert!((total - 11.03).abs() < 0.1, "{total}");
    assert!((observed - 5.5).abs() < 0.4, "{observed}");
    assert_eq!(v["segments_used"], 50);
    // A day later, the window holds nothing.
    let v = json(&[
        "coverage",
        "--border",
        s(&border),
        "--tracks",
        s(&log),
        "--footprint-m",
        "500",
        "--since-hours",
        "2",
        "--now",
        "2026-11-28T02:00:00Z",
        "--json",
    ]);
    assert_eq!(v["observed_km"], 0.0);
    assert_eq!(v["segments_excluded"], 50);
}

/// The second name of a hard-linked file shows whether a writer replaced the file
/// (atomic: the other name keeps the old bytes) or wrote into it in place.
#[test]
fn outputs_replace_the_file_atomically() {
    let dir = tmp();
    let risk = dir.path().join("risk.tif");
    std::fs::write(&risk, b"old raster").unwrap();
    let other = dir.path().join("risk-link.tif");
    std::fs::hard_link(&risk, &other).unwrap();
    small_risk(dir.path());
    assert_eq!(
        std::fs::read(&other).unwrap(),
        b"old raster",
        "written in place"
    );
    assert!(crate::util::gdalinfo(&risk)["size"][0].as_u64().unwrap() > 10);

    let cov = dir.path().join("coverage.geojson");
    std::fs::write(&cov, b"old coverage").unwrap();
    let other = dir.path().join("coverage-link.geojson");
    std::fs::hard_link(&cov, &other).unwrap();
    let border = data("01_boundaries/ne10m/niger_border_segments.geojson");
    let tracks = asset("SYNTHETIC_patrol_tracks_niger.gpx");
    json(&[
        "coverage",
        "--border",
        s(&border),
        "--tracks",
        s(&tracks),
        "--footprint-m",
        "1000",
        "-o",
        s(&cov),
        "--json",
    ]);
    assert_eq!(
        std::fs::read(&other).unwrap(),
        b"old coverage",
        "written in place"
    );
    let gj: Value = serde_json::from_str(&std::fs::read_to_string(&cov).unwrap()).unwrap();
    assert_eq!(gj["type"], "FeatureCollection");
    // Nothing but the outputs, their links and the border: no temporary files left.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 4, "{names:?}");
}
