//! The workspace's command-line conventions: `--json`, exit codes 0/1/2, negative
//! coordinates, numeric flags checked when parsed, one message for a missing file,
//! impossible plan values refused naming the file and the item.

use std::path::Path;

use crate::util::mission_file;
use crate::{run, s};

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn southern_and_western_positions_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("orbit.plan");
    let o = run(&[
        "survey",
        "--orbit",
        "-8.05,-34.9",
        "--home",
        "-8.06,-34.91",
        "--home-alt-m",
        "10",
        "--out",
        s(&out),
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["file"], s(&out));
    let plan = mission_planner::files::load_plan(&out).unwrap();
    let home = plan.mission.home.unwrap();
    assert_eq!(
        (
            home.position.lat_deg,
            home.position.lon_deg,
            home.alt_amsl_m
        ),
        (-8.06, -34.91, 10.0)
    );
    // A base south and west of the equator and Greenwich.
    let border = dir.path().join("coast.geojson");
    std::fs::write(
        &border,
        r#"{"type":"LineString","coordinates":[[-34.95,-7.95],[-34.95,-8.15]]}"#,
    )
    .unwrap();
    let out_dir = dir.path().join("patrol");
    let o = run(&[
        "patrol",
        "--border",
        s(&border),
        "--base",
        "-8.05,-34.9",
        "--standoff-m",
        "1000",
        "--endurance-min",
        "30",
        "--out-dir",
        s(&out_dir),
        "--json",
    ]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(!v["sorties"].as_array().unwrap().is_empty(), "{v}");
    let sortie = mission_planner::files::load_plan(&out_dir.join("sortie-01.plan")).unwrap();
    assert_eq!(sortie.mission.home.unwrap().position.lat_deg, -8.05);
}

#[test]
fn numeric_flags_are_checked_when_parsed() {
    let plan = mission_file("qgc/simple_square.plan");
    let plan = s(&plan);
    for args in [
        vec!["validate", plan, "--ceiling-agl-m", "NaN"],
        vec!["validate", plan, "--ceiling-agl-m", "inf"],
        vec!["validate", plan, "--ceiling-agl-m", "-5"],
        vec!["validate", plan, "--min-clearance-m", "nan"],
        vec!["validate", plan, "--min-clearance-m", "-1"],
        vec!["validate", plan, "--sample-m", "0"],
        vec!["validate", plan, "--speed-mps", "0"],
        vec!["validate", plan, "--speed-mps", "-3"],
        vec!["validate", plan, "--speed-mps", "NaN"],
        vec!["stats", plan, "--endurance-min", "inf"],
        vec!["stats", plan, "--reserve-pct", "100"],
        vec!["stats", plan, "--climb-mps", "0"],
        vec![
            "survey",
            "--orbit",
            "1,2",
            "--radius-m",
            "nan",
            "--out",
            "x.plan",
        ],
        vec!["survey", "--orbit", "95,2", "--out", "x.plan"],
        // A survey's home altitude is given or read from a DEM, never 0 m.
        vec!["survey", "--orbit", "1,2", "--out", "x.plan"],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("error"), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn a_missing_file_is_named_once() {
    let plan = mission_file("qgc/simple_square.plan");
    let missing = "/nonexistent/dir/nothing.plan";
    let cases = [
        (vec!["validate", missing], "nothing.plan"),
        (vec!["stats", missing, "--json"], "nothing.plan"),
        (vec!["convert", missing, "/tmp/x.plan"], "nothing.plan"),
        (
            vec!["validate", s(&plan), "--fence", "/nonexistent/f.geojson"],
            "f.geojson",
        ),
        (
            vec![
                "validate",
                s(&plan),
                "--dem",
                "/nonexistent/dir/nothing.tif",
            ],
            "nothing.tif",
        ),
    ];
    for (args, named) in cases {
        let o = run(&args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.matches(named).count(), 1, "{err}");
        assert!(!err.contains("os error"), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("mission-planner: error: "), "{err}");
    }
}

#[test]
fn with_json_a_failure_is_a_json_object_too() {
    // The same as gcs-cli and geo-intel (vigil-exit): {"error", "exit_code"} on stdout.
    let o = run(&["stats", "/nonexistent/dir/nothing.plan", "--json"]);
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    assert_eq!(v["exit_code"], 2);
    assert!(v["error"].as_str().unwrap().contains("nothing.plan"), "{v}");
    // A file that cannot be written is a failure (1), not bad input.
    let plan = mission_file("qgc/simple_square.plan");
    let o = run(&["convert", s(&plan), "/nonexistent/dir/out.plan"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}

fn assert_refused(path: &Path, item: &str) {
    for args in [
        vec!["validate", s(path)],
        vec!["stats", s(path), "--json"],
        vec!["convert", s(path), "/tmp/never-written.plan"],
    ] {
        let o = run(&args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(err.contains(name) && err.contains(item), "{args:?}: {err}");
    }
}

#[test]
fn impossible_values_are_refused_naming_file_and_item() {
    let dir = tempfile::tempdir().unwrap();
    let head = "QGC WPL 110\n0\t1\t0\t16\t0\t0\t0\t0\t13.5\t2.1\t200\t1\n";
    for (name, lat, alt) in [
        ("lat95", "95", "50"),
        ("lat1e308", "1e308", "50"),
        ("latnan", "nan", "50"),
        ("alt1e308", "13.6", "1e308"),
        ("altnan", "13.6", "nan"),
        ("altinf", "13.6", "inf"),
    ] {
        let p = dir.path().join(format!("{name}.waypoints"));
        std::fs::write(
            &p,
            format!("{head}1\t0\t3\t16\t0\t0\t0\t0\t{lat}\t2.1\t{alt}\t1\n"),
        )
        .unwrap();
        assert_refused(&p, "seq 1");
    }
    // The same in a QGroundControl .plan (JSON has no NaN: 1e308 and 95).
    let text = std::fs::read_to_string(mission_file("qgc/simple_square.plan")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    doc["mission"]["items"][1]["params"][4] = serde_json::json!(95.0);
    let p = dir.path().join("lat95.plan");
    std::fs::write(&p, doc.to_string()).unwrap();
    assert_refused(&p, "seq 2");
    doc["mission"]["items"][1]["params"][4] = serde_json::json!(47.39);
    doc["mission"]["items"][1]["params"][6] = serde_json::json!(1e308);
    let p = dir.path().join("alt1e308.plan");
    std::fs::write(&p, doc.to_string()).unwrap();
    assert_refused(&p, "seq 2");
}

#[test]
fn a_plan_of_100000_items_is_more_than_a_mavlink_list_holds() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = String::from("QGC WPL 110\n");
    for i in 0..100_000 {
        t.push_str(&format!("{i}\t0\t3\t16\t0\t0\t0\t0\t13.5\t2.1\t50\t1\n"));
    }
    let p = dir.path().join("huge.waypoints");
    std::fs::write(&p, t).unwrap();
    let o = run(&["stats", s(&p)]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("huge.waypoints") && err.contains("more than 65,535 items"),
        "{err}"
    );
}

#[test]
fn saved_files_follow_the_umask_and_json_lists_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("square.plan");
    let o = std::process::Command::new("sh")
        .arg("-c")
        .arg("umask 022; exec \"$0\" convert \"$1\" \"$2\" --json")
        .arg(env!("CARGO_BIN_EXE_mission-planner"))
        .arg(mission_file("qgc/simple_square.plan"))
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["written"][0], s(&out));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644, "{mode:o}");
}
