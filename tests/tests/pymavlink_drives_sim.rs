//! An independent peer flies our simulator: a pymavlink ground station (tests/peers/
//! pymavlink_gcs.py) arms, takes off, changes mode and checks PX4's answers.

use std::time::Duration;

use gcs_sim::SimConfig;
use vigil_tests::harness::{peer_report, spawn_peer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pymavlink_ground_station_flies_the_sim() {
    let (child, out, port) = spawn_peer("pymavlink_gcs.py").await;

    let mut cfg = SimConfig::new(format!("udpout:127.0.0.1:{port}").parse().unwrap());
    cfg.speed = 5.0;
    cfg.gps_fix_after_s = 15.0; // 3 s of wall time: the first arm comes before the fix
    let _sim = gcs_sim::start(cfg).await.unwrap();

    let report = peer_report(child, out, Duration::from_secs(300), 20).await;
    let checks = report["checks"].as_object().unwrap();
    for name in [
        "boots disarmed in LOITER (Hold)",
        "climbed to 10 m",
        "RTL in HEARTBEAT",
        "disarmed after landing",
    ] {
        assert_eq!(checks[name], true, "{name}");
    }
}
