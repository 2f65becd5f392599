//! `gcs-cli` against the simulated PX4 over real UDP: each test runs the real binary.

mod util;

use std::path::PathBuf;
use std::process::{Command, Stdio};

use util::{cli, eventually, free_port, shared_data, sim_to, text};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_and_download_a_qgroundcontrol_plan() {
    let port = free_port();
    let sim = sim_to(port, 1).await;
    let plan = shared_data().join("04_missions/qgc/simple_square.plan");
    let out = cli(
        port,
        &["--json", "mission", "upload", plan.to_str().unwrap()],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sent = report["uploaded"].as_u64().unwrap() as usize;
    eventually(&sim, "the uploaded mission", |v| v.mission.len() == sent).await;

    let dir = tempfile::tempdir().unwrap();
    let back = dir.path().join("back.plan");
    let out = cli(port, &["mission", "download", "-o", back.to_str().unwrap()]).await;
    assert!(out.status.success(), "{}", text(&out));
    let mut original = mission_planner::files::load_plan(&plan).unwrap();
    original.mission.home = None;
    let mut downloaded = mission_planner::files::load_plan(&back).unwrap();
    // A .plan always carries a planned home; PX4's list does not include it.
    downloaded.mission.home = None;
    let a = mission_planner::mavlink::mission_to_raw(&original.mission);
    let b = mission_planner::mavlink::mission_to_raw(&downloaded.mission);
    assert_eq!(a.len(), b.len());
    assert!(a.iter().zip(&b).all(|(x, y)| x.same_as(y)), "{a:?}\n{b:?}");

    let json = dir.path().join("items.json");
    let out = cli(port, &["mission", "download", "-o", json.to_str().unwrap()]).await;
    assert!(out.status.success(), "{}", text(&out));
    let out = cli(port, &["mission", "clear"]).await;
    assert!(out.status.success(), "{}", text(&out));
    eventually(&sim, "an empty mission", |v| v.mission.is_empty()).await;
    // The JSON form uploads back.
    let out = cli(port, &["mission", "upload", json.to_str().unwrap()]).await;
    assert!(out.status.success(), "{}", text(&out));
    eventually(&sim, "the mission back", |v| v.mission.len() == sent).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_need_confirmation_and_report_refusals() {
    let port = free_port();
    let sim = sim_to(port, 3).await;
    let out = cli(port, &["arm"]).await;
    assert!(!out.status.success());
    assert!(text(&out).contains("--yes"), "{}", text(&out));
    assert!(!sim.vehicle(0).armed);

    for args in [
        &["--yes", "arm"][..],
        &["--yes", "takeoff", "15"],
        &["mode", "hold"],
        &["goto", "16.976", "7.987", "20"],
    ] {
        let out = cli(port, args).await;
        assert!(out.status.success(), "{args:?}: {}", text(&out));
    }
    eventually(&sim, "armed", |v| v.armed).await;
    // PX4 needs RC for Position mode: a refusal is a failure with the reason.
    let out = cli(port, &["mode", "position"]).await;
    assert!(!out.status.success());
    assert!(
        text(&out).contains("temporarily rejected"),
        "{}",
        text(&out)
    );
    let out = cli(port, &["rtl"]).await;
    assert!(out.status.success(), "{}", text(&out));
    eventually(&sim, "Return mode", |v| {
        v.mode == gcs_link::FlightMode::Return
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_exit_non_zero_with_the_reason() {
    let port = free_port();
    let _sim = sim_to(port, 1).await;
    let out = cli(port, &["--target", "99", "--wait-s", "2", "arm", "--yes"]).await;
    assert!(!out.status.success());
    assert!(
        text(&out).contains("no HEARTBEAT from vehicle 99"),
        "{}",
        text(&out)
    );

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.json");
    std::fs::write(&bad, "[{\"seq\": 0, ").unwrap();
    let out = cli(
        port,
        &["--json", "mission", "upload", bad.to_str().unwrap()],
    )
    .await;
    assert!(!out.status.success());
    assert!(text(&out).contains("broken.json"), "{}", text(&out));
    let err: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(err["error"].as_str().unwrap().contains("broken.json"));

    // More items than PX4 SITL stores: the vehicle's refusal fails the upload.
    let too_many = gcs_sim::mission_server::MAX_ITEMS[0] + 1;
    let items: Vec<serde_json::Value> = (0..too_many)
        .map(|seq| serde_json::json!({"seq": seq, "frame": 3, "command": 16, "current": 0, "autocontinue": 1,
            "param1": 0.0, "param2": 0.0, "param3": 0.0, "param4": null, "x": 169742000, "y": 79865000, "z": 50.0,
            "mission_type": "Mission"}))
        .collect();
    let big = dir.path().join("big.json");
    std::fs::write(&big, serde_json::to_string(&items).unwrap()).unwrap();
    let out = cli(port, &["mission", "upload", big.to_str().unwrap()]).await;
    assert!(!out.status.success());
    assert!(
        text(&out).contains("more items than the vehicle can store"),
        "{}",
        text(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_prints_every_vehicle() {
    let port = free_port();
    let _sim = sim_to(port, 5).await;
    let out = cli(
        port,
        &["--json", "watch", "--every-s", "0.5", "--for-s", "1.5"],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.len() >= 2, "{lines:?}");
    let last = lines.last().unwrap();
    let v = &last["vehicles"].as_array().unwrap()[0];
    assert_eq!(v["id"]["sysid"], 5);
    let out = cli(port, &["watch", "--for-s", "0.5"]).await;
    assert!(out.status.success());
    assert!(text(&out).contains("batt %"), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn params_list_get_and_set() {
    let port = free_port();
    let sim = sim_to(port, 1).await;
    let out = cli(port, &["--json", "params", "list"]).await;
    assert!(out.status.success(), "{}", text(&out));
    let set: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = set["params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"RTL_RETURN_ALT") && names.contains(&"NAV_DLL_ACT"),
        "{names:?}"
    );

    let out = cli(port, &["params", "set", "RTL_RETURN_ALT", "85"]).await;
    assert!(out.status.success(), "{}", text(&out));
    let out = cli(port, &["--json", "params", "get", "RTL_RETURN_ALT"]).await;
    assert!(out.status.success(), "{}", text(&out));
    let p: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(p["name"], "RTL_RETURN_ALT");
    eventually(&sim, "RTL_RETURN_ALT applied to the model", |v| {
        (v.params.rtl_return_alt_m - 85.0).abs() < 1e-3
    })
    .await;

    let out = cli(port, &["params", "get", "NO_SUCH_PARAM"]).await;
    assert!(!out.status.success());
    assert!(text(&out).contains("NO_SUCH_PARAM"), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_a_session_then_replay_it() {
    let port = free_port();
    let _sim = sim_to(port, 9).await;
    let dir = tempfile::tempdir().unwrap();
    let out = cli(
        port,
        &[
            "--tlog",
            dir.path().to_str().unwrap(),
            "watch",
            "--every-s",
            "0.5",
            "--for-s",
            "3",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));
    let logs: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tlog"))
        .collect();
    assert_eq!(logs.len(), 1, "one log per session: {logs:?}");
    assert!(std::fs::metadata(&logs[0]).unwrap().len() > 1000);

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gcs-cli"));
    cmd.args([
        "--json",
        "replay",
        logs[0].to_str().unwrap(),
        "--speed",
        "4",
        "--every-s",
        "0.2",
    ])
    .stdin(Stdio::null());
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    let v = &last["vehicles"].as_array().unwrap()[0];
    assert_eq!(v["id"]["sysid"], 9);
    assert_eq!(v["link_lost"], true, "the replay ended");

    let out = Command::new(env!("CARGO_BIN_EXE_gcs-cli"))
        .args(["replay", "/no/such/file.tlog"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(text(&out).contains("/no/such/file.tlog"), "{}", text(&out));
}
