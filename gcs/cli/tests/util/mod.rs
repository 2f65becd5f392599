//! What the CLI's tests share: a simulated PX4 on an ephemeral UDP port and the real
//! binary run against it.
#![allow(dead_code)] // each test binary uses some of these

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use gcs_sim::SimConfig;

pub fn shared_data() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    assert!(
        p.is_dir(),
        "the shared test data is missing: expected {}",
        p.display()
    );
    p
}

/// A free UDP port for the CLI's udpin link (bound and released at once).
pub fn free_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub async fn sim_to(port: u16, sysid: u8) -> gcs_sim::SimHandle {
    let mut cfg = SimConfig::new(format!("udpout:127.0.0.1:{port}").parse().unwrap());
    cfg.gps_fix_after_s = 0.0;
    cfg.speed = 5.0;
    cfg.vehicles[0].sysid = sysid;
    gcs_sim::start(cfg).await.unwrap()
}

pub async fn cli(port: u16, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gcs-cli"));
    cmd.arg("--connect")
        .arg(format!("udpin:127.0.0.1:{port}"))
        .args(args)
        .stdin(Stdio::null());
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

/// Waits (up to 10 s) for the simulator's state to satisfy `cond`; its state is republished every 20 ms.
pub async fn eventually(
    sim: &gcs_sim::SimHandle,
    what: &str,
    cond: impl Fn(&gcs_sim::SimVehicle) -> bool,
) {
    for _ in 0..500 {
        if cond(&sim.vehicle(0)) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("simulator never showed {what}");
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs the binary with `args` only (no --connect), stdin closed.
pub async fn cli_bare(args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gcs-cli"));
    cmd.args(args).stdin(Stdio::null());
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}
