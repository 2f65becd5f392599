//! gcs-cli follows gcs-operator's rules, the same as the app: no home item to PX4, the
//! vehicle's home in downloads, confirmation of a mission start that arms and of a
//! go-to outside the vehicle's geofence, arming before a mission start.

mod util;

use std::path::Path;

use gcs_link::FlightMode;
use util::{cli, eventually, free_port, sim_to, text};

/// A plan as QGroundControl saves it near the simulator's base (Agadez): a planned home,
/// take-off, two waypoints, an inclusion fence around them and a rally point.
fn plan_file(dir: &Path) -> std::path::PathBuf {
    let plan = serde_json::json!({
        "fileType": "Plan", "groundStation": "QGroundControl", "version": 1,
        "mission": {
            "version": 2, "firmwareType": 12, "vehicleType": 2,
            "cruiseSpeed": 15, "hoverSpeed": 5,
            "plannedHomePosition": [16.9742, 7.9865, 501],
            "items": [
                {"type": "SimpleItem", "autoContinue": true, "command": 22, "doJumpId": 1, "frame": 3,
                 "params": [0, 0, 0, null, 16.9742, 7.9865, 30], "Altitude": 30, "AltitudeMode": 1, "AMSLAltAboveTerrain": null},
                {"type": "SimpleItem", "autoContinue": true, "command": 16, "doJumpId": 2, "frame": 3,
                 "params": [0, 0, 0, null, 16.9772, 7.9865, 30], "Altitude": 30, "AltitudeMode": 1, "AMSLAltAboveTerrain": null},
                {"type": "SimpleItem", "autoContinue": true, "command": 16, "doJumpId": 3, "frame": 3,
                 "params": [0, 0, 0, null, 16.9772, 7.9895, 30], "Altitude": 30, "AltitudeMode": 1, "AMSLAltAboveTerrain": null}
            ]
        },
        "geoFence": {"version": 2, "circles": [], "polygons": [
            {"inclusion": true, "version": 1, "polygon": [
                [16.96, 7.97], [16.96, 8.00], [16.99, 8.00], [16.99, 7.97]]}
        ]},
        "rallyPoints": {"version": 2, "points": [[16.975, 7.987, 40]]}
    });
    let path = dir.join("agadez.plan");
    std::fs::write(&path, serde_json::to_string_pretty(&plan).unwrap()).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plans_and_commands_follow_the_operator_rules() {
    let port = free_port();
    let sim = sim_to(port, 1).await;
    let dir = tempfile::tempdir().unwrap();
    let plan = plan_file(dir.path());

    let out = cli(
        port,
        &[
            "--json",
            "mission",
            "upload",
            "--type",
            "all",
            plan.to_str().unwrap(),
        ],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["lists"][0]["items"], 3, "no home item: {report}");
    eventually(&sim, "the plan on the vehicle", |v| v.mission.len() == 3).await;

    // Downloaded to .waypoints: row 0 is the vehicle's home (Mission Planner and QGC
    // take it as home), then the three items.
    let wpl = dir.path().join("back.waypoints");
    let out = cli(port, &["mission", "download", "-o", wpl.to_str().unwrap()]).await;
    assert!(out.status.success(), "{}", text(&out));
    let rows: Vec<Vec<String>> = std::fs::read_to_string(&wpl)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect();
    assert_eq!(rows.len(), 4, "{rows:?}");
    let home_lat: f64 = rows[0][8].parse().unwrap();
    let home_alt: f64 = rows[0][10].parse().unwrap();
    assert!((home_lat - 16.9742).abs() < 1e-4, "{rows:?}");
    assert!(
        (home_alt - 501.0).abs() < 1.0,
        "the vehicle's home AMSL: {rows:?}"
    );
    assert_eq!(rows[1][3], "22", "then the take-off: {rows:?}");
    assert_eq!(rows[1][2], "3", "in QGC's frame, not PX4's 6: {rows:?}");

    // A go-to outside the geofence the vehicle holds asks first.
    let out = cli(port, &["goto", "-8.05", "-34.9", "50"]).await;
    assert!(!out.status.success());
    assert!(text(&out).contains("outside"), "{}", text(&out));

    // Starting the mission on the disarmed drone asks (it arms), then arms it first.
    let out = cli(port, &["start"]).await;
    assert!(!out.status.success());
    assert!(text(&out).contains("--yes"), "{}", text(&out));
    assert!(!sim.vehicle(0).armed);
    let out = cli(port, &["--yes", "start"]).await;
    assert!(out.status.success(), "{}", text(&out));
    eventually(&sim, "armed in Mission mode", |v| {
        v.armed && v.mode == FlightMode::Mission
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_range_raw_items_are_bad_input() {
    let port = free_port();
    let _sim = sim_to(port, 1).await;
    let dir = tempfile::tempdir().unwrap();
    for (name, x, z) in [
        ("lat95.json", 950_000_000_i64, "50.0"),
        ("alt.json", 169_742_000, "1e308"),
    ] {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            format!(
                r#"[{{"seq": 0, "frame": 3, "command": 16, "current": 0, "autocontinue": 1,
                "param1": 0, "param2": 0, "param3": 0, "param4": null, "x": {x}, "y": 79865000,
                "z": {z}, "mission_type": "Mission"}}]"#
            ),
        )
        .unwrap();
        let out = cli(port, &["mission", "upload", path.to_str().unwrap()]).await;
        assert_eq!(out.status.code(), Some(2), "{name}: {}", text(&out));
        assert!(text(&out).contains(name), "{}", text(&out));
    }
    // A missing plan is bad input even with no vehicle to upload to: the file is read
    // before the link is opened.
    let out = util::cli_bare(&[
        "--connect",
        "udpin:127.0.0.1:0",
        "--wait-s",
        "30",
        "mission",
        "upload",
        "/nonexistent-vigil/patrol.plan",
    ])
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("patrol.plan"), "{}", text(&out));
}
