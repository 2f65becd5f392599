//! What the end-to-end tests share: a ground station on an ephemeral UDP port, a simulated
//! fleet sending to it, waiting on the fleet, and starting the Python peers.

use std::process::Stdio;
use std::time::Duration;

use gcs_link::{LinkConfig, LinkHandle, VehicleId, VehicleState};
use gcs_sim::{SimConfig, SimHandle};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdout, Command};

use crate::python::{peer_script, python};

/// How long a test waits for any one thing before it fails (a guard, not a timing test).
pub const WAIT: Duration = Duration::from_secs(60);

/// A ground station listening on `udpin:127.0.0.1:0` (never 14550).
pub async fn gcs() -> LinkHandle {
    let addr = "udpin:127.0.0.1:0".parse().expect("literal address");
    gcs_link::start(LinkConfig::new(vec![addr]))
        .await
        .expect("start the ground station")
}

/// A simulated drone (sysid 1 at Agadez) sending to `link`, `speed` times real time,
/// adjusted by `tweak`.
pub async fn sim_for(
    link: &LinkHandle,
    speed: f64,
    tweak: impl FnOnce(&mut SimConfig),
) -> SimHandle {
    let port = link.local_addr(0).expect("udp link").port();
    let mut cfg = SimConfig::new(
        format!("udpout:127.0.0.1:{port}")
            .parse()
            .expect("valid address"),
    );
    cfg.speed = speed;
    tweak(&mut cfg);
    gcs_sim::start(cfg).await.expect("start the simulator")
}

/// Waits until vehicle `id` satisfies `cond`; panics naming `what` and the last state.
pub async fn wait_state(
    link: &LinkHandle,
    id: VehicleId,
    what: &str,
    cond: impl Fn(&VehicleState) -> bool,
) -> VehicleState {
    let snap = link
        .wait_for(WAIT, |s| s.get(id).is_some_and(&cond))
        .await
        .unwrap_or_else(|e| {
            panic!(
                "waiting for {what}: {e}; last state {:?}",
                link.snapshot().get(id)
            )
        });
    snap.get(id).expect("condition held").clone()
}

/// Starts a Python peer from `tests/peers/` that prints `{"port": N}` first; returns the
/// process, its stdout (after that line) and the port it listens on.
pub async fn spawn_peer(script: &str) -> (Child, BufReader<ChildStdout>, u16) {
    let python = python().unwrap_or_else(|e| panic!("{e}"));
    let mut child = Command::new(&python)
        .arg(peer_script(script))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("start {script}: {e}"));
    let mut out = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut first = String::new();
    tokio::time::timeout(Duration::from_secs(30), out.read_line(&mut first))
        .await
        .unwrap_or_else(|_| panic!("{script} printed no port"))
        .expect("read the port line");
    let port: serde_json::Value = serde_json::from_str(&first)
        .unwrap_or_else(|e| panic!("{script}: port line {first:?}: {e}"));
    let port = port["port"].as_u64().expect("port number") as u16;
    (child, out, port)
}

/// Waits (up to `timeout`) for a peer started by [`spawn_peer`] to finish and returns its
/// JSON report, after asserting that it exited cleanly, found no failures, and passed
/// every one of at least `min_checks` checks.
pub async fn peer_report(
    mut child: Child,
    mut out: BufReader<ChildStdout>,
    timeout: Duration,
    min_checks: usize,
) -> serde_json::Value {
    use tokio::io::AsyncReadExt;
    let mut rest = String::new();
    tokio::time::timeout(timeout, out.read_to_string(&mut rest))
        .await
        .expect("the peer finished in time")
        .expect("read the peer's report");
    let status = child.wait().await.expect("wait for the peer");
    let report: serde_json::Value =
        serde_json::from_str(rest.trim()).unwrap_or_else(|e| panic!("report {rest:?}: {e}"));
    let failures = report["failures"].as_array().expect("failures list");
    assert!(failures.is_empty(), "the peer found: {failures:#?}");
    assert!(status.success(), "the peer exited with {status}");
    let checks = report["checks"].as_object().expect("checks map");
    assert!(checks.len() >= min_checks, "{checks:?}");
    assert!(checks.values().all(|v| v == true), "{checks:?}");
    report
}
