//! The `mission-planner` binary: the command forms other tools depend on.

#[path = "../../tests/util.rs"]
mod util;

mod conventions;
mod dem;

use std::path::Path;
use std::process::{Command, Output};

use crate::util::{data_dir, mission_file, niger_asset};
use geo_intel::prelude::*;

/// Runs the binary with `args`.
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mission-planner"))
        .args(args)
        .output()
        .expect("run mission-planner")
}

/// A path as an argument.
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn patrol_writes_one_plan_per_sortie_and_geojson() {
    let out = tempfile::tempdir().unwrap();
    let border = data_dir().join("01_boundaries/ne10m/niger_border_line.geojson");
    // Bases 8 km inside the border near km 5010 and km 5080.
    let text = std::fs::read_to_string(&border).unwrap();
    let line = mission_planner::geodesy::Polyline::new(
        mission_planner::border::border_from_geojson(&text).unwrap(),
    );
    let inland = |km: f64| {
        let p = line.point_at(km * 1000.0);
        let center = mission_planner::LatLon::new(17.0, 9.0);
        let bearing = mission_planner::geodesy::bearing_deg(p, center);
        mission_planner::geodesy::destination(p, bearing, 8000.0).to_string()
    };
    let (b1, b2) = (inland(5010.0), inland(5080.0));
    let o = run(&[
        "patrol",
        "--border",
        s(&border),
        "--base",
        &b1,
        "--base",
        &b2,
        "--standoff-m",
        "2000",
        "--alt-agl-m",
        "120",
        "--speed-mps",
        "15",
        "--endurance-min",
        "60",
        "--reserve-pct",
        "20",
        "--from-km",
        "5000",
        "--to-km",
        "5100",
        "--out-dir",
        s(out.path()),
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("sortie") && stdout.contains("battery"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let plans: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "plan"))
        .collect();
    assert!(!plans.is_empty(), "{stdout}");
    for p in &plans {
        mission_planner::files::load_plan(&p.path()).unwrap();
    }
    let gj: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("patrol.geojson")).unwrap())
            .unwrap();
    assert_eq!(gj["type"], "FeatureCollection");
    // JSON mode over the real GLOBE DEM: altitudes above mean sea level.
    let dem = data_dir().join("03_dem/globe_g10g_niger_30arcsec.tif");
    let o = run(&[
        "patrol",
        "--dem",
        s(&dem),
        "--border",
        s(&border),
        "--base",
        &b1,
        "--standoff-m",
        "2000",
        "--alt-agl-m",
        "120",
        "--speed-mps",
        "15",
        "--endurance-min",
        "60",
        "--from-km",
        "5000",
        "--to-km",
        "5100",
        "--out-dir",
        s(out.path()),
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["sorties"].as_array().is_some_and(|a| !a.is_empty()));
    let first = mission_planner::files::load_plan(&out.path().join("sortie-01.plan")).unwrap();
    // A multicopter sortie: QGroundControl's vehicleType 2 (quadrotor), not 1 (fixed wing).
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("sortie-01.plan")).unwrap())
            .unwrap();
    assert_eq!(doc["mission"]["vehicleType"], 2);
    // The planned speed is commanded right after the take-off, as QGroundControl's
    // mission "flight speed" writes it: PX4 would otherwise fly MPC_XY_CRUISE (5 m/s).
    let speed = &doc["mission"]["items"][1];
    assert_eq!(speed["command"], 178);
    assert_eq!(speed["frame"], 2);
    assert_eq!(speed["params"][0], 1.0);
    assert_eq!(speed["params"][1], 15.0);
    assert_eq!(speed["params"][2], -1.0);
    let wp = first.mission.items[2].altitude().unwrap();
    assert_eq!(wp.reference, mission_planner::AltitudeReference::Amsl);
    // 120 m above the DEM's terrain at the waypoint.
    let globe = geo_intel::elevation::Dem::open(&dem).unwrap();
    let ground = mission_planner::ElevationModel::elevation_m(
        &globe,
        first.mission.items[2].position().unwrap(),
    )
    .unwrap();
    assert!(
        (60.0..=120.0).contains(&(wp.alt_m - ground)),
        "{wp:?} over {ground} m"
    );
    // Every sortie passes `validate` with its defaults: 120 m ceiling, 30 m floor,
    // every leg sampled every 30 m over the same DEM.
    for i in 1..=v["sorties"].as_array().unwrap().len() {
        let plan = out.path().join(format!("sortie-{i:02}.plan"));
        let o = run(&["validate", s(&plan), "--dem", s(&dem), "--json"]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "sortie {i}: {}",
            String::from_utf8_lossy(&o.stdout)
        );
    }
    assert_eq!(
        o.status.code(),
        Some(
            if v["uncovered"].as_array().unwrap().is_empty() && v["validation_errors"] == 0 {
                0
            } else {
                1
            }
        )
    );
}

#[test]
fn validate_and_stats_json() {
    let o = run(&[
        "validate",
        s(&mission_file("qgc/simple_square.plan")),
        "--json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["ok"], true);
    // 60 m above home breaks a 40 m ceiling... once a DEM says where the ground is.
    let dir = tempfile::tempdir().unwrap();
    let dem = dir.path().join("flat.asc");
    std::fs::write(
        &dem,
        "ncols 2\nnrows 2\nxllcorner 8\nyllcorner 47\ncellsize 1\n488 488\n488 488\n",
    )
    .unwrap();
    // GDAL reads an ASCII grid's CRS from its .prj: WGS 84 here.
    std::fs::write(
        dir.path().join("flat.prj"),
        r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]"#,
    )
    .unwrap();
    let o = run(&[
        "validate",
        s(&mission_file("qgc/simple_square.plan")),
        "--dem",
        s(&dem),
        "--ceiling-agl-m",
        "10",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert!(
        v["issues"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["kind"].get("AboveCeiling").is_some())
    );
    let o = run(&[
        "validate",
        s(&mission_file("ardupilot/Dalby-OBC2016.txt")),
        "--endurance-min",
        "30",
        "--fence",
        s(&mission_file("ardupilot/Dalby-OBC2016-fence.txt")),
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "endurance exceeded: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("endurance"));
    let o = run(&[
        "stats",
        s(&mission_file("qgc/ArduPilotSITL-ArduPlane.plan")),
        "--json",
    ]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["mission_items"], 10);
    assert!(v["estimate"]["distance_m"].as_f64().unwrap() > 10_000.0);
}

#[test]
fn convert_between_formats() {
    let dir = tempfile::tempdir().unwrap();
    let wp = dir.path().join("m.waypoints");
    let plan = dir.path().join("m.plan");
    let kml = dir.path().join("m.kml");
    let gj = dir.path().join("m.geojson");
    assert!(
        run(&[
            "convert",
            s(&mission_file("ardupilot/Dalby-OBC2016.txt")),
            s(&plan)
        ])
        .status
        .success()
    );
    assert!(run(&["convert", s(&plan), s(&wp)]).status.success());
    assert!(run(&["convert", s(&wp), s(&kml)]).status.success());
    assert!(run(&["convert", s(&wp), s(&gj)]).status.success());
    let original =
        mission_planner::files::load_plan(&mission_file("ardupilot/Dalby-OBC2016.txt")).unwrap();
    let back = mission_planner::files::load_plan(&wp).unwrap();
    assert!(crate::util::same_mission(&original.mission, &back.mission));
    assert!(
        std::fs::read_to_string(&kml)
            .unwrap()
            .contains("<LineString>")
    );
    // A plan with a mission and a fence becomes two WPL files.
    let both = dir.path().join("both.plan");
    let mut p = mission_planner::files::load_plan(&mission_file("qgc/simple_square.plan")).unwrap();
    p.fence = mission_planner::files::load_plan(&mission_file("pymavlink/fence-110.txt"))
        .unwrap()
        .fence;
    mission_planner::files::save_plan(&p, &both).unwrap();
    let split = dir.path().join("split.waypoints");
    assert!(run(&["convert", s(&both), s(&split)]).status.success());
    assert_eq!(
        mission_planner::files::load_plan(&split)
            .unwrap()
            .mission
            .items
            .len(),
        5
    );
    let fence =
        mission_planner::files::load_plan(&dir.path().join("split-fence.waypoints")).unwrap();
    assert_eq!(fence.fence, p.fence);
    let bad_input = dir.path().join("bad.plan");
    std::fs::write(&bad_input, "{\"fileType\": \"Plan\", \"version\": 7}").unwrap();
    let bad = run(&["convert", s(&bad_input), s(&plan)]);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("bad.plan") && err.contains("version"), "{err}");
}

#[test]
fn survey_orbit_and_corridor() {
    let dir = tempfile::tempdir().unwrap();
    let area = dir.path().join("area.geojson");
    std::fs::write(&area, r#"{"type":"Polygon","coordinates":[[[2.10,13.50],[2.11,13.50],[2.11,13.51],[2.10,13.51],[2.10,13.50]]]}"#).unwrap();
    let out = dir.path().join("s.plan");
    let o = run(&[
        "survey",
        "--polygon",
        s(&area),
        "--gsd-cm",
        "3",
        "--home-alt-m",
        "210",
        "--out",
        s(&out),
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!((v["layout"]["gsd_cm_per_px"].as_f64().unwrap() - 3.0).abs() < 1e-9);
    let survey = mission_planner::files::load_plan(&out).unwrap();
    assert!(survey.mission.items.len() > 10);
    // Written as a QGroundControl survey it can edit again.
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    // Take-off, the flight speed (the default, PX4's MPC_XY_CRUISE), then the survey.
    assert_eq!(doc["mission"]["items"][1]["command"], 178);
    assert_eq!(doc["mission"]["items"][1]["params"][1], 5.0);
    assert_eq!(doc["mission"]["items"][2]["complexItemType"], "survey");
    assert_eq!(survey.mission.complex_items[0].kind, "survey");
    let o = run(&[
        "survey",
        "--orbit",
        "-35.36,149.16",
        "--radius-m",
        "200",
        "--home-alt-m",
        "584",
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(&[
        "survey",
        "--corridor",
        s(&area),
        "--width-m",
        "100",
        "--dem",
        s(&data_dir().join("03_dem/globe_g10g_niger_30arcsec.tif")),
        "--speed-mps",
        "9",
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Home sits on the DEM's ground (Niamey area, ~200 m), not at 0 m AMSL.
    let corridor = mission_planner::files::load_plan(&out).unwrap();
    let home = corridor.mission.home.unwrap();
    let globe =
        geo_intel::elevation::Dem::open(&data_dir().join("03_dem/globe_g10g_niger_30arcsec.tif"))
            .unwrap();
    let ground = mission_planner::ElevationModel::elevation_m(&globe, home.position).unwrap();
    assert!(
        (home.alt_amsl_m - ground).abs() < 1e-6 && ground > 150.0,
        "{home:?} over {ground}"
    );
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(doc["mission"]["items"][1]["command"], 178);
    assert_eq!(doc["mission"]["items"][1]["params"][1], 9.0);
    assert_eq!(
        doc["mission"]["items"][2]["complexItemType"],
        "CorridorScan"
    );
}

#[test]
fn patrol_from_a_base_beside_the_border_writes_plans() {
    // Diffa, 2.1 km from the Niger-Nigeria border at a spike of the border river.
    let out = tempfile::tempdir().unwrap();
    let border = niger_asset("ne10m_niger_border_line.geojson");
    let o = run(&[
        "patrol",
        "--border",
        s(&border),
        "--base",
        "13.3154,12.6113",
        "--standoff-m",
        "2000",
        "--alt-agl-m",
        "100",
        "--speed-mps",
        "15",
        "--endurance-min",
        "600",
        "--from-km",
        "4262",
        "--to-km",
        "4342",
        "--out-dir",
        s(out.path()),
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(!stdout.contains("not covered"), "{stdout}");
    let plans: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "plan"))
        .collect();
    assert!(!plans.is_empty(), "{stdout}\n{stderr}");
    for p in &plans {
        mission_planner::files::load_plan(&p.path()).unwrap();
    }
}

#[test]
fn patrol_above_the_ceiling_is_refused() {
    let out = tempfile::tempdir().unwrap();
    let border = data_dir().join("01_boundaries/ne10m/niger_border_line.geojson");
    let o = run(&[
        "patrol",
        "--border",
        s(&border),
        "--base",
        "13.5116,2.1254",
        "--alt-agl-m",
        "150",
        "--endurance-min",
        "60",
        "--out-dir",
        s(out.path()),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--alt-agl-m 150") && err.contains("120 m ceiling"),
        "{err}"
    );
}

#[test]
fn stats_fly_the_vehicles_envelope_from_its_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let plan = mission_file("qgc/ArduPilotSITL-ArduPlane.plan");
    // gcs-cli's table and its JSON, from PX4's SIH quadrotor: a top speed near 9.8 m/s.
    let table = dir.path().join("sih.txt");
    std::fs::write(
        &table,
        "SIH_MASS                      1 (REAL32)\nSIH_KDV                       1 (REAL32)\nMPC_TILTMAX_AIR              45 (REAL32)\n",
    )
    .unwrap();
    let json = dir.path().join("sih.json");
    std::fs::write(
        &json,
        r#"{"params":[{"name":"SIH_MASS","value":{"F32":1.0},"index":0},{"name":"SIH_KDV","value":{"F32":1.0},"index":1},{"name":"MPC_TILTMAX_AIR","value":{"F32":45.0},"index":2}],"hash":null,"from_cache":false}"#,
    )
    .unwrap();
    let time = |extra: &[&str]| {
        let mut args = vec!["stats", s(&plan), "--json", "--speed-mps", "15"];
        args.extend_from_slice(extra);
        let o = run(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["estimate"]["time_s"].as_f64().unwrap()
    };
    let plain = time(&[]);
    let from_table = time(&["--vehicle-params", s(&table)]);
    let from_json = time(&["--vehicle-params", s(&json)]);
    assert!(from_table > plain, "{from_table} vs {plain}");
    assert_eq!(from_table, from_json);

    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "# nothing\n").unwrap();
    for bad in [empty.as_path(), Path::new("/nonexistent/params")] {
        let o = run(&["stats", s(&plan), "--vehicle-params", s(bad)]);
        assert_ne!(o.status.code(), Some(0));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains(s(bad)),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}
