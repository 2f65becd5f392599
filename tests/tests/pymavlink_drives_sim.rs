//! An independent peer flies our simulator: a pymavlink ground station (tests/peers/
//! pymavlink_gcs.py) arms, takes off, changes mode and checks PX4's answers.

use std::process::Stdio;
use std::time::Duration;

use gcs_sim::SimConfig;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::Command;
use vigil_tests::python::{peer_script, python};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pymavlink_ground_station_flies_the_sim() {
    let python = python().unwrap_or_else(|e| panic!("{e}"));
    let mut child = Command::new(&python)
        .arg(peer_script("pymavlink_gcs.py"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("start the pymavlink ground station");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    tokio::time::timeout(Duration::from_secs(30), out.read_line(&mut first))
        .await
        .expect("pymavlink printed its port")
        .unwrap();
    let port: serde_json::Value = serde_json::from_str(&first).expect("port line is JSON");
    let port = port["port"].as_u64().expect("port number");

    let mut cfg = SimConfig::new(format!("udpout:127.0.0.1:{port}").parse().unwrap());
    cfg.speed = 5.0;
    cfg.gps_fix_after_s = 15.0; // 3 s of wall time: the first arm comes before the fix
    let _sim = gcs_sim::start(cfg).await.unwrap();

    let mut rest = String::new();
    tokio::time::timeout(Duration::from_secs(300), out.read_to_string(&mut rest))
        .await
        .expect("the pymavlink scenario finished")
        .unwrap();
    let status = child.wait().await.unwrap();
    let report: serde_json::Value =
        serde_json::from_str(rest.trim()).unwrap_or_else(|e| panic!("report {rest:?}: {e}"));
    let failures = report["failures"].as_array().unwrap();
    assert!(failures.is_empty(), "pymavlink found: {failures:#?}");
    assert!(status.success());
    let checks = report["checks"].as_object().unwrap();
    assert!(checks.len() >= 20, "{checks:?}");
    assert!(checks.values().all(|v| v == true));
    for name in [
        "boots disarmed in LOITER (Hold)",
        "climbed to 10 m",
        "RTL in HEARTBEAT",
        "disarmed after landing",
    ] {
        assert_eq!(checks[name], true, "{name}");
    }
}
