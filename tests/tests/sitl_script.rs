//! `bash scripts/vigil.sh sitl`: the PX4 SITL fleet in one command.
//!
//! Always: its bases are the app's demo bases, and a bad vehicle count, instance or speed
//! is refused (status 2, naming the value) before anything is fetched or built.
//! With `PX4_DIR` set (a PX4-Autopilot checkout; its SITL build is reused or made): two real
//! PX4 SIH quadrotors start, each heartbeats with its own system id and reports its home at
//! its base, and SIGTERM to the script leaves no PX4 process behind.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use gcs_link::LinkConfig;
use gcs_link::vehicle::Autopilot;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A base: name, latitude, longitude, ground height AMSL.
type Base = (String, f64, f64, f64);

/// `SITL_BASES` in scripts/vigil.sh: lines `"NAME LAT LON ALT"` up to `)`.
fn script_bases() -> Vec<Base> {
    let script = read("scripts/vigil.sh");
    let start = script.find("SITL_BASES=(").expect("SITL_BASES in vigil.sh");
    script[start..]
        .lines()
        .skip(1)
        .take_while(|l| l.trim() != ")")
        .map(|l| {
            let f: Vec<&str> = l.trim().trim_matches('"').split_whitespace().collect();
            assert_eq!(f.len(), 4, "SITL_BASES line {l:?}");
            let num = |s: &str| s.parse::<f64>().unwrap_or_else(|e| panic!("{l:?}: {e}"));
            (f[0].to_string(), num(f[1]), num(f[2]), num(f[3]))
        })
        .collect()
}

/// `BASES` in gcs/app/src/link/sim_fleet.rs: `name: "…"`, `LatLon::new(LAT, LON)`,
/// `ground_amsl_m: ALT` per base.
fn app_bases() -> Vec<Base> {
    let src = read("gcs/app/src/link/sim_fleet.rs");
    let start = src.find("pub const BASES").expect("BASES in sim_fleet.rs");
    let end = start + src[start..].find("];").expect("end of BASES");
    let between = |s: &str, a: &str, b: &str| -> String {
        let i = s.find(a).unwrap_or_else(|| panic!("{a} in {s}")) + a.len();
        s[i..i + s[i..].find(b).expect("closing")]
            .trim()
            .to_string()
    };
    src[start..end]
        .split("Base {")
        .skip(1)
        .map(|b| {
            let name = between(b, "name: \"", "\"");
            let ll = between(b, "LatLon::new(", ")");
            let (lat, lon) = ll.split_once(',').expect("lat, lon");
            let alt = between(b, "ground_amsl_m:", ",");
            let num = |s: &str| {
                s.trim()
                    .parse::<f64>()
                    .unwrap_or_else(|e| panic!("{s}: {e}"))
            };
            (name, num(lat), num(lon), num(&alt))
        })
        .collect()
}

#[test]
fn sitl_parks_px4_at_the_apps_demo_bases() {
    let app = app_bases();
    assert_eq!(app.len(), 3, "the app's bases: {app:?}");
    assert_eq!(
        script_bases(),
        app,
        "vigil.sh SITL_BASES against sim_fleet.rs BASES"
    );
}

fn sitl(args: &[&str]) -> std::process::Output {
    std::process::Command::new("bash")
        .arg(root().join("scripts/vigil.sh"))
        .arg("sitl")
        .args(args)
        // Refusals come before PX4 is located: no checkout, no network needed.
        .env("PX4_DIR", "/nonexistent/PX4-Autopilot")
        .output()
        .expect("run bash")
}

#[test]
fn sitl_refuses_bad_arguments_before_building_anything() {
    for (args, says) in [
        (&["0"][..], "N=0"),
        (&["17"], "N=17"),
        (&["three"], "N=three"),
        (&["2", "3"], "one vehicle count only"),
        (&["--first-instance", "250", "5"], "--first-instance 250"),
        (&["--first-instance", "-1"], "--first-instance -1"),
        (&["--speed", "0"], "PX4_SIM_SPEED_FACTOR=0"),
        (&["--speed", "fast"], "PX4_SIM_SPEED_FACTOR=fast"),
        (&["--no-such-flag"], "unknown option --no-such-flag"),
    ] {
        let out = sitl(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "sitl {args:?}: {err}");
        assert!(
            err.contains(says),
            "sitl {args:?} should say {says:?}: {err}"
        );
        assert!(
            !err.contains("building PX4") && !err.contains("fetching PX4"),
            "sitl {args:?} went on: {err}"
        );
    }
    let help = sitl(&["--help"]);
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for part in ["--no-app", "18570", "PX4_DIR", "1..=16"] {
        assert!(text.contains(part), "sitl --help names {part}: {text}");
    }
}

/// A row of the run dir's fleet.tsv.
struct Row {
    sysid: u8,
    base: String,
    lat: f64,
    lon: f64,
    alt_m: f64,
    gcs_port: u16,
    pid: u32,
}

fn fleet_rows(tsv: &str) -> Vec<Row> {
    let mut lines = tsv.lines();
    let head: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let col = |name: &str| head.iter().position(|h| *h == name).expect(name);
    lines
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let get = |name: &str| f[col(name)];
            Row {
                sysid: get("sysid").parse().expect("sysid"),
                base: get("base").to_string(),
                lat: get("lat").parse().expect("lat"),
                lon: get("lon").parse().expect("lon"),
                alt_m: get("alt_m").parse().expect("alt"),
                gcs_port: get("gcs_port").parse().expect("port"),
                pid: get("pid").parse().expect("pid"),
            }
        })
        .collect()
}

/// Instances 20 and 21 (system ids 21, 22): clear of a PX4 someone runs as instance 0.
const FIRST_INSTANCE: u8 = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sitl_fleet_of_real_px4_heartbeats_at_the_bases_and_stops_cleanly() {
    let Some(px4_dir) = std::env::var_os("PX4_DIR") else {
        eprintln!(
            "skipped: set PX4_DIR to a PX4-Autopilot checkout to start a real PX4 SITL fleet"
        );
        return;
    };
    let runs = tempfile::tempdir().expect("temp dir");
    let mut script = Command::new("bash")
        .arg(root().join("scripts/vigil.sh"))
        .args(["sitl", "2", "--no-app", "--first-instance"])
        .arg(FIRST_INSTANCE.to_string())
        .env("PX4_DIR", &px4_dir)
        .env("VIGIL_SITL_RUNS", runs.path())
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        // A failed assertion kills the script outright; its watchdog then stops the fleet.
        .kill_on_drop(true)
        .spawn()
        .expect("start vigil.sh sitl");
    let mut log = BufReader::new(script.stderr.take().expect("stderr")).lines();
    let mut seen = String::new();
    // The first build of PX4 takes minutes; starting a built one, seconds.
    tokio::time::timeout(Duration::from_secs(1200), async {
        while let Some(line) = log.next_line().await.expect("read stderr") {
            eprintln!("{line}");
            seen.push_str(&line);
            seen.push('\n');
            if line.contains("fleet up") {
                return;
            }
        }
        panic!("vigil.sh sitl ended before the fleet was up:\n{seen}");
    })
    .await
    .unwrap_or_else(|_| panic!("no PX4 fleet within 20 min:\n{seen}"));
    tokio::spawn(async move {
        while let Ok(Some(line)) = log.next_line().await {
            eprintln!("{line}");
        }
    });

    let run = std::fs::read_dir(runs.path())
        .expect("runs dir")
        .map(|e| e.expect("entry").path())
        .find(|p| p.is_dir())
        .expect("a run dir");
    let rows = fleet_rows(&std::fs::read_to_string(run.join("fleet.tsv")).expect("fleet.tsv"));
    let bases = script_bases();
    assert_eq!(rows.len(), 2);
    for (k, row) in rows.iter().enumerate() {
        let base = &bases[k];
        assert_eq!(row.sysid, FIRST_INSTANCE + k as u8 + 1);
        assert_eq!(row.gcs_port, 18570 + u16::from(FIRST_INSTANCE) + k as u16);
        assert_eq!(
            (&row.base, row.lat, row.lon, row.alt_m),
            (&base.0, base.1, base.2, base.3)
        );
    }

    // As the app connects: one udpout link to each vehicle's GCS port.
    let links = rows
        .iter()
        .map(|r| {
            format!("udpout:127.0.0.1:{}", r.gcs_port)
                .parse()
                .expect("address")
        })
        .collect();
    let gcs = gcs_link::start(LinkConfig::new(links))
        .await
        .expect("start gcs-link");
    let snap = gcs
        .wait_for(Duration::from_secs(90), |s| {
            rows.iter().all(|r| {
                s.by_sysid(r.sysid)
                    .is_some_and(|v| v.autopilot == Autopilot::Px4 && v.home.is_some())
            })
        })
        .await
        .unwrap_or_else(|e| panic!("both PX4 with a home: {e}; fleet {:?}", gcs.snapshot()));
    for r in &rows {
        let home = snap.by_sysid(r.sysid).and_then(|v| v.home).expect("home");
        assert!(
            (home.lat_lon.lat_deg - r.lat).abs() < 2e-4
                && (home.lat_lon.lon_deg - r.lon).abs() < 2e-4
                && (home.alt_amsl_m - r.alt_m).abs() < 5.0,
            "PX4 {} home {home:?}, not at {} ({}, {}, {} m)",
            r.sysid,
            r.base,
            r.lat,
            r.lon,
            r.alt_m
        );
    }
    drop(gcs);

    let pid = script.id().expect("running");
    let term = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(term.success());
    let status = tokio::time::timeout(Duration::from_secs(30), script.wait())
        .await
        .expect("the script stops within 30 s")
        .expect("wait");
    assert_eq!(status.code(), Some(143), "SIGTERM: status 128+15");
    for r in &rows {
        assert!(
            !Path::new(&format!("/proc/{}", r.pid)).exists(),
            "PX4 {} (pid {}) still runs",
            r.sysid,
            r.pid
        );
    }
}
