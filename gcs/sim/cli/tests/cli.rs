//! The `gcs-sim` binary's arguments: numbers that would panic, system ids past 255 and
//! ports past 65535 are refused naming the flag (exit 2); a home in the southern and
//! western hemispheres is accepted and flown from.

use std::process::{Command, Output, Stdio};
use std::time::Duration;

use gcs_link::LinkConfig;

/// Runs the binary with `args`, expecting it to exit on its own (killed after a
/// minute's guard, so an argument wrongly accepted fails the test instead of hanging it).
fn sim(args: &[&str]) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_gcs-sim"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let id = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output().unwrap()));
    rx.recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| {
            let _ = Command::new("kill").arg(id.to_string()).status();
            panic!("gcs-sim {args:?} did not exit: the arguments were accepted")
        })
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn bad_numbers_and_ranges_exit_2_naming_the_flag() {
    let cases: &[(&[&str], &str)] = &[
        (&["--status-every-s", "inf"], "--status-every-s"),
        (&["--status-every-s", "nan"], "--status-every-s"),
        (&["--com-dl-loss-t-s", "1e300"], "--com-dl-loss-t-s"),
        (&["--speed", "nan"], "--speed"),
        (&["--speed", "1e-300"], "--speed"),
        (&["--speed", "inf"], "--speed"),
        (&["--loss-pct", "nan"], "--loss-pct"),
        (&["--dup-pct", "101"], "--dup-pct"),
        (&["--endurance-min", "inf"], "--endurance-min"),
        (&["--latency-ms", "18446744073709551615"], "--latency-ms"),
        (&["--home", "95,7,10"], "--home"),
        (&["--home", "-8.05,-34.9,nan"], "--home"),
        (&["--count", "0"], "--count"),
        (&["--sysid", "0"], "--sysid"),
        (
            &["--count", "250", "--sysid", "200"],
            "system ids end at 255",
        ),
        (
            &["--connect", "udpin:127.0.0.1:65530", "--count", "10"],
            "ports end at 65535",
        ),
        (&["--connect", "bogus"], "--connect"),
        (
            &["--signing-key", "/no/such/vigil.key"],
            "/no/such/vigil.key",
        ),
        (&["--nav-dll-act", "explode"], "--nav-dll-act"),
    ];
    for (args, names) in cases {
        let out = sim(args);
        let t = text(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {t}");
        assert!(!t.contains("panicked"), "{args:?}: {t}");
        assert!(t.contains(names), "{args:?}: expected {names:?} in {t}");
    }
}

/// Kills the child when the test ends, however it ends.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_southern_western_home_is_accepted() {
    let link = gcs_link::start(LinkConfig::new(vec!["udpin:127.0.0.1:0".parse().unwrap()]))
        .await
        .unwrap();
    let port = link.local_addr(0).unwrap().port();
    let _child = Child(
        Command::new(env!("CARGO_BIN_EXE_gcs-sim"))
            .args([
                "--home",
                "-8.05,-34.9,10",
                "--connect",
                &format!("udpout:127.0.0.1:{port}"),
                "--status-every-s",
                "0",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let snap = link
        .wait_for(Duration::from_secs(60), |s| {
            s.by_sysid(1).is_some_and(|v| v.position.is_some())
        })
        .await
        .expect("the simulated vehicle reports its position");
    let p = snap.by_sysid(1).unwrap().position.unwrap().lat_lon;
    assert!((p.lat_deg + 8.05).abs() < 1e-4, "{p:?}");
    assert!((p.lon_deg + 34.9).abs() < 1e-4, "{p:?}");
}

#[tokio::test]
async fn the_library_refuses_wrapped_system_ids_and_ports_too() {
    use gcs_sim::{SimConfig, SimError};
    let home = vigil_values::LatLon::new(-8.05, -34.9);
    let mut cfg = SimConfig::new("udpout:127.0.0.1:9".parse().unwrap());
    cfg.vehicles = SimConfig::fleet(250, 200, home, 10.0);
    let err = gcs_sim::start(cfg).await.err().expect("refused");
    assert!(matches!(err, SimError::BadSysid { sysid: 0, .. }), "{err}");

    let mut cfg = SimConfig::new("udpin:127.0.0.1:65530".parse().unwrap());
    cfg.vehicles = SimConfig::fleet(10, 1, home, 10.0);
    let err = gcs_sim::start(cfg).await.err().expect("refused");
    assert!(
        matches!(
            err,
            SimError::PortRange {
                port: 65530,
                count: 10
            }
        ),
        "{err}"
    );
}
