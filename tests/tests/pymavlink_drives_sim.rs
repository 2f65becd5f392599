//! An independent peer flies our simulator: a pymavlink ground station (tests/peers/
//! pymavlink_gcs.py) arms, takes off, changes mode and checks PX4's answers.

use std::time::Duration;

use gcs_sim::SimConfig;
use tokio::io::AsyncReadExt;
use vigil_tests::harness::spawn_peer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pymavlink_ground_station_flies_the_sim() {
    let (mut child, mut out, port) = spawn_peer("pymavlink_gcs.py").await;

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
