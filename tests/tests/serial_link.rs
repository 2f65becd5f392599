//! gcs-link and gcs-sim across a serial line: a `socat` pseudo-terminal pair.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use gcs_link::{FlightMode, LinkConfig, VehicleCommand};
use gcs_sim::SimConfig;

const WAIT: Duration = Duration::from_secs(60);

/// A `socat` pty pair, killed on drop.
struct PtyPair {
    child: Child,
    a: PathBuf,
    b: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for PtyPair {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn pty_pair() -> PtyPair {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("gcs");
    let b = dir.path().join("drone");
    let child = Command::new("socat")
        .arg(format!("pty,raw,echo=0,link={}", a.display()))
        .arg(format!("pty,raw,echo=0,link={}", b.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("socat is needed for the serial test: apt-get install socat");
    let started = Instant::now();
    while !(a.exists() && b.exists()) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "socat made no pty pair"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    PtyPair {
        child,
        a,
        b,
        _dir: dir,
    }
}

fn serial(path: &Path) -> gcs_link::LinkAddress {
    format!("serial:{}:57600", path.display()).parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arm_and_take_off_over_a_serial_line() {
    let pty = pty_pair();
    let link = gcs_link::start(LinkConfig::new(vec![serial(&pty.a)]))
        .await
        .unwrap();
    let mut cfg = SimConfig::new(serial(&pty.b));
    cfg.speed = 5.0;
    cfg.gps_fix_after_s = 0.0;
    let sim = gcs_sim::start(cfg).await.unwrap();

    let id = link.wait_for_vehicle(1, WAIT).await.unwrap();
    link.wait_for(WAIT, |s| s.get(id).is_some_and(|v| v.home.is_some()))
        .await
        .unwrap();
    link.command(id, VehicleCommand::Arm).await.unwrap();
    link.command(id, VehicleCommand::Takeoff { alt_rel_m: 10.0 })
        .await
        .unwrap();
    let snap = link
        .wait_for(WAIT, |s| {
            s.get(id).is_some_and(|v| {
                v.armed
                    && v.mode == FlightMode::Hold
                    && v.position.is_some_and(|p| p.alt_rel_m > 9.0)
            })
        })
        .await
        .unwrap();
    let v = snap.get(id).unwrap();
    assert_eq!(v.links.len(), 1);
    assert_eq!(
        v.links[0].quality.lost, 0,
        "a serial line loses nothing here"
    );
    assert!(sim.vehicle(0).alt_rel_m() > 9.0);
    link.command(id, VehicleCommand::Land).await.unwrap();
    link.wait_for(WAIT, |s| s.get(id).is_some_and(|v| !v.armed))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_missing_serial_port_is_a_clear_error() {
    let err = gcs_link::start(LinkConfig::new(vec![
        "serial:/dev/does-not-exist-vigil:57600".parse().unwrap(),
    ]))
    .await
    .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("/dev/does-not-exist-vigil"), "{text}");
}
