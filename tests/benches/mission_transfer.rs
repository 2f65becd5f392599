//! Benchmark (not a timed test): how long Vigil takes to upload and download a 1,000-item
//! mission against the simulator over a slow, lossy radio, against the protocol floor and
//! against a pymavlink uploader doing what MAVProxy's `wp load` does.
//!
//! Run: `cargo bench -p vigil-tests --bench mission_transfer` (about 9 minutes after the
//! build: the lossy pymavlink runs are the slow ones). Quick check with 100 items (about
//! 3 minutes):
//! `cargo bench -p vigil-tests --bench mission_transfer -- --quick` (or
//! `VIGIL_BENCH_QUICK=1`). Other options after `--`: `--items N`, `--sequential` (one
//! case at a time instead of all at once), `--no-pymavlink`, `--no-py-download`.
//! The Python side needs the peers' venv (`python3 -m venv .venv && .venv/bin/pip install
//! -r tests/peers/requirements.txt`) or `$VIGIL_PYTHON`; without it only Vigil's figures
//! are printed.
//!
//! Each case gets its own simulator (gcs-sim, PX4-style mission server) with 20 ms of
//! one-way latency and 0 % or 20 % loss each way, over real UDP on 127.0.0.1 with
//! ephemeral ports. Vigil: `MissionClient::upload`, then a download through
//! `MissionClient::run(Operation::Download)` (`download` would answer from its plan cache,
//! since the vehicle reports the same opaque id). pymavlink: tests/peers/
//! pymavlink_wp_upload.py, MAVProxy's `wp load` / `wp list` logic with an operator who
//! re-types the command when MAVProxy gives up silently. Every upload is checked against
//! the vehicle's stored plan and every download against the plan, field for field.
//!
//! The protocol floor is items x round trip: each item costs one request and one answer,
//! so 1,000 x 40 ms = 40 s at 20 ms one way. The simulator's own round trip is measured
//! too (median of empty-list downloads; about 42 ms since the simulator releases delayed
//! frames when due rather than on its 20 ms tick): the `/sim-rtt` column is against that.
//! MAVProxy's `wp list` keeps 5 requests in flight, which the simulator answers in any
//! order; PX4 answers only the next request or a repeat of the last one, so against PX4
//! that download aborts at the first lost request. Figures are printed, never asserted.

use std::process::Stdio;
use std::time::{Duration, Instant};

use gcs_link::LinkConfig;
use gcs_link::VehicleId;
use gcs_link::mission::{MissionClient, MissionItemInt, MissionType, Operation, Outcome};
use gcs_sim::{Faults, SimConfig, SimHandle};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::Command;
use vigil_tests::python::{peer_script, python};

/// One-way latency the simulator adds, each way.
const LATENCY: Duration = Duration::from_millis(20);
/// Loss each way, percent.
const LOSSES: [f64; 2] = [0.0, 20.0];
/// Target: Vigil within this factor of the floor on a clean link.
const FLOOR_TARGET: f64 = 1.3;
const WAIT: Duration = Duration::from_secs(60);
/// Any one transfer is abandoned after this long.
const LIMIT: Duration = Duration::from_secs(900);
/// pymavlink's `wp list` under loss re-requests a lost item only after 2 s: far slower,
/// so its download is cut short here (reported as not finished, with the items it had).
const PY_DOWNLOAD_LIMIT: Duration = Duration::from_secs(300);
/// Empty-list downloads to measure the simulator's round trip.
const PROBES: usize = 9;

struct Options {
    items: u16,
    sequential: bool,
    pymavlink: bool,
    py_download: bool,
}

impl Options {
    fn parse() -> Self {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let has = |name: &str| args.iter().any(|a| a == name);
        let quick = has("--quick") || std::env::var_os("VIGIL_BENCH_QUICK").is_some();
        let items = args
            .iter()
            .position(|a| a == "--items")
            .and_then(|i| args.get(i + 1))
            .map(|v| v.parse().expect("--items wants a number up to 2000"))
            .unwrap_or(if quick { 100 } else { 1000 });
        Self {
            items,
            sequential: has("--sequential"),
            pymavlink: !has("--no-pymavlink"),
            py_download: !has("--no-py-download"),
        }
    }
}

/// The plan both sides upload (tests/peers/pymavlink_wp_upload.py builds the same items).
fn plan(n: u16) -> Vec<MissionItemInt> {
    (0..n)
        .map(|seq| {
            MissionItemInt::waypoint(
                seq,
                169_742_000 + i32::from(seq) * 100,
                79_865_000 + 37 * i32::from(seq % 50),
                120.0 + f32::from(seq % 10),
            )
        })
        .collect()
}

fn same(a: &[MissionItemInt], b: &[MissionItemInt]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_as(y))
}

fn sim_config(port: u16, loss_pct: f64) -> SimConfig {
    let mut cfg = SimConfig::new(
        format!("udpout:127.0.0.1:{port}")
            .parse()
            .expect("udpout address"),
    );
    cfg.gps_fix_after_s = 0.0;
    cfg.faults = Faults {
        loss_pct,
        latency: LATENCY,
        duplicate_pct: 0.0,
        cut: false,
    };
    cfg
}

/// A transfer's wall time, or why it did not finish.
type Timed = Result<Duration, String>;

struct VigilRun {
    loss_pct: f64,
    sim_rtt: Option<Duration>,
    upload: Timed,
    download: Timed,
}

async fn vigil(loss_pct: f64, items: Vec<MissionItemInt>) -> VigilRun {
    let link = gcs_link::start(LinkConfig::new(vec![
        "udpin:127.0.0.1:0".parse().expect("udpin address"),
    ]))
    .await
    .expect("start the link");
    let port = link.local_addr(0).expect("bound").port();
    let sim = gcs_sim::start(sim_config(port, loss_pct))
        .await
        .expect("start the sim");
    let id = link
        .wait_for_vehicle(1, WAIT)
        .await
        .expect("the sim is heard");
    // A separate client, so the measured transfers start with a fresh round-trip estimate.
    let sim_rtt = probe_rtt(&MissionClient::new(link.sender()), id).await;
    let client = MissionClient::new(link.sender());

    let t = Instant::now();
    let up = tokio::time::timeout(
        LIMIT,
        client.upload(id, MissionType::Mission, items.clone(), |_| {}, None),
    )
    .await;
    let upload = match up {
        Ok(Ok(_)) => check_stored(&sim, &items).map(|()| t.elapsed()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("not done in {LIMIT:?}")),
    };

    let t = Instant::now();
    let down = tokio::time::timeout(
        LIMIT,
        client.run(id, MissionType::Mission, Operation::Download, |_| {}, None),
    )
    .await;
    let download = match down {
        Ok(Ok(Outcome::Downloaded { items: got, .. })) if same(&got, &items) => Ok(t.elapsed()),
        Ok(Ok(Outcome::Downloaded { items: got, .. })) => {
            Err(format!("downloaded {} items that differ", got.len()))
        }
        Ok(Ok(other)) => Err(format!("unexpected {other:?}")),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("not done in {LIMIT:?}")),
    };
    VigilRun {
        loss_pct,
        sim_rtt,
        upload,
        download,
    }
}

/// The median time of an empty-list download (MISSION_REQUEST_LIST -> MISSION_COUNT 0):
/// one round trip through the simulator.
async fn probe_rtt(client: &MissionClient, id: VehicleId) -> Option<Duration> {
    let mut rtts = Vec::new();
    for _ in 0..PROBES {
        let t = Instant::now();
        if let Ok(Outcome::Downloaded { .. }) = client
            .run(id, MissionType::Mission, Operation::Download, |_| {}, None)
            .await
        {
            rtts.push(t.elapsed());
        }
    }
    rtts.sort();
    rtts.get(rtts.len() / 2).copied()
}

fn check_stored(sim: &SimHandle, items: &[MissionItemInt]) -> Result<(), String> {
    let stored = sim.vehicle(0).mission;
    if same(&stored, items) {
        Ok(())
    } else {
        Err(format!(
            "acknowledged, but the vehicle holds {} items that differ",
            stored.len()
        ))
    }
}

struct PyRun {
    loss_pct: f64,
    upload: Timed,
    upload_attempts: u64,
    download: Option<Timed>,
}

async fn pymavlink(
    python: std::path::PathBuf,
    loss_pct: f64,
    items: Vec<MissionItemInt>,
    download: bool,
) -> PyRun {
    let fail = |e: String| PyRun {
        loss_pct,
        upload: Err(e),
        upload_attempts: 0,
        download: None,
    };
    let mut cmd = Command::new(&python);
    cmd.arg(peer_script("pymavlink_wp_upload.py"))
        .args(["--items", &items.len().to_string()])
        .args(["--limit-s", &LIMIT.as_secs().to_string()])
        .args([
            "--download-limit-s",
            &PY_DOWNLOAD_LIMIT.as_secs().to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    if download {
        cmd.arg("--download");
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return fail(format!("cannot run {}: {e}", python.display())),
    };
    let mut out = BufReader::new(child.stdout.take().expect("piped"));
    let mut first = String::new();
    if tokio::time::timeout(WAIT, out.read_line(&mut first))
        .await
        .is_err()
    {
        return fail("the peer printed no port".into());
    }
    let port: serde_json::Value = match serde_json::from_str(&first) {
        Ok(v) => v,
        Err(e) => return fail(format!("port line {first:?}: {e}")),
    };
    let Some(port) = port["port"].as_u64().and_then(|p| u16::try_from(p).ok()) else {
        return fail(format!("port line {first:?}"));
    };
    let sim = gcs_sim::start(sim_config(port, loss_pct))
        .await
        .expect("start the sim");
    let mut rest = String::new();
    if tokio::time::timeout(LIMIT * 3, out.read_to_string(&mut rest))
        .await
        .is_err()
    {
        return fail("the peer did not finish".into());
    }
    let _ = child.wait().await;
    let report: serde_json::Value = match serde_json::from_str(rest.trim()) {
        Ok(v) => v,
        Err(e) => return fail(format!("report {rest:?}: {e}")),
    };
    let timed = |r: &serde_json::Value, what: &str| -> Timed {
        let secs = r["seconds"].as_f64().unwrap_or(f64::NAN);
        if r["ok"].as_bool() == Some(true) {
            Ok(Duration::from_secs_f64(secs))
        } else {
            Err(format!(
                "{what} did not finish in {secs:.0} s ({} of {} items): {r}",
                r["items"]
                    .as_u64()
                    .or(r["items_sent"].as_u64())
                    .unwrap_or(0),
                items.len()
            ))
        }
    };
    let up = &report["upload"];
    let upload = timed(up, "upload").and_then(|d| check_stored(&sim, &items).map(|()| d));
    PyRun {
        loss_pct,
        upload,
        upload_attempts: up["attempts"].as_u64().unwrap_or(0),
        download: download.then(|| timed(&report["download"], "download")),
    }
}

fn secs(t: &Timed) -> String {
    match t {
        Ok(d) => format!("{:>9.2}", d.as_secs_f64()),
        Err(_) => format!("{:>9}", "failed"),
    }
}

fn ratio(a: &Timed, b: Option<Duration>) -> String {
    match (a, b) {
        (Ok(a), Some(b)) if !b.is_zero() => format!("{:>8.2}x", a.as_secs_f64() / b.as_secs_f64()),
        _ => format!("{:>9}", "-"),
    }
}

fn ok(t: &Timed) -> Option<Duration> {
    t.as_ref().ok().copied()
}

fn main() {
    let opts = Options::parse();
    let items = plan(opts.items);
    let floor = (LATENCY * 2) * u32::from(opts.items);
    let python = if opts.pymavlink {
        match python() {
            Ok(p) => Some(p),
            Err(e) => {
                println!("pymavlink: skipped: {e}");
                None
            }
        }
    } else {
        None
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    println!(
        "mission transfer: {} items (NAV_WAYPOINT, frame 3), simulator with {} ms one-way \
         latency, loss {:?} % each way, UDP on 127.0.0.1; cases run {}",
        opts.items,
        LATENCY.as_millis(),
        LOSSES,
        if opts.sequential {
            "one at a time"
        } else {
            "at the same time, each against its own simulator"
        }
    );
    let started = Instant::now();
    let (vigil_runs, py_runs) = rt.block_on(async {
        let mut vigil_runs = Vec::new();
        let mut py_runs = Vec::new();
        if opts.sequential {
            for loss in LOSSES {
                vigil_runs.push(vigil(loss, items.clone()).await);
                if let Some(p) = &python {
                    py_runs.push(pymavlink(p.clone(), loss, items.clone(), opts.py_download).await);
                }
            }
        } else {
            let v: Vec<_> = LOSSES
                .iter()
                .map(|&loss| tokio::spawn(vigil(loss, items.clone())))
                .collect();
            let p: Vec<_> = python
                .iter()
                .flat_map(|p| {
                    LOSSES.iter().map(|&loss| {
                        tokio::spawn(pymavlink(p.clone(), loss, items.clone(), opts.py_download))
                    })
                })
                .collect();
            for h in v {
                vigil_runs.push(h.await.expect("vigil case"));
            }
            for h in p {
                py_runs.push(h.await.expect("pymavlink case"));
            }
        }
        (vigil_runs, py_runs)
    });
    report(&opts, floor, &vigil_runs, &py_runs);
    println!("(whole run: {:.0} s)", started.elapsed().as_secs_f64());
}

fn report(opts: &Options, floor: Duration, vigil_runs: &[VigilRun], py_runs: &[PyRun]) {
    let sim_rtt = vigil_runs
        .iter()
        .find(|r| r.loss_pct == 0.0)
        .and_then(|r| r.sim_rtt);
    println!();
    println!(
        "protocol floor = items x round trip = {} x {} ms = {:.1} s",
        opts.items,
        (LATENCY * 2).as_millis(),
        floor.as_secs_f64()
    );
    let sim_floor = sim_rtt.map(|rtt| rtt * u32::from(opts.items));
    if let (Some(rtt), Some(sf)) = (sim_rtt, sim_floor) {
        println!(
            "simulator's measured round trip (median of {PROBES} empty-list downloads, 0 % \
             loss) = {:.1} ms, so items x measured round trip = {:.1} s",
            rtt.as_secs_f64() * 1e3,
            sf.as_secs_f64()
        );
    }
    println!();
    println!(
        "{:>5}  {:<42}{:>9}  {:>9}  {:>9}  {:>9}",
        "loss", "transfer", "seconds", "/floor", "/sim-rtt", "/pymav."
    );
    for v in vigil_runs {
        let py = py_runs.iter().find(|p| p.loss_pct == v.loss_pct);
        let py_up = py.and_then(|p| ok(&p.upload));
        let py_down = py.and_then(|p| p.download.as_ref()).and_then(ok);
        let rows: [(&str, &Timed, Option<Duration>); 2] = [
            ("Vigil upload", &v.upload, py_up),
            ("Vigil download", &v.download, py_down),
        ];
        for (name, t, py_t) in rows {
            println!(
                "{:>4}%  {name:<42}{}  {}  {}  {}",
                v.loss_pct,
                secs(t),
                ratio(t, Some(floor)),
                ratio(t, sim_floor),
                ratio(t, py_t)
            );
        }
        if let Some(p) = py {
            println!(
                "{:>4}%  {:<42}{}  {}  {}",
                p.loss_pct,
                format!("pymavlink `wp load` ({} attempt(s))", p.upload_attempts),
                secs(&p.upload),
                ratio(&p.upload, Some(floor)),
                ratio(&p.upload, sim_floor),
            );
            if let Some(d) = &p.download {
                println!(
                    "{:>4}%  {:<42}{}  {}  {}",
                    p.loss_pct,
                    "pymavlink `wp list` (5 requests in flight)",
                    secs(d),
                    ratio(d, Some(floor)),
                    ratio(d, sim_floor),
                );
            }
        }
    }
    for v in vigil_runs {
        for (what, t) in [("upload", &v.upload), ("download", &v.download)] {
            if let Err(e) = t {
                println!("Vigil {what} at {} % loss failed: {e}", v.loss_pct);
            }
        }
    }
    for p in py_runs {
        if let Err(e) = &p.upload {
            println!("pymavlink upload at {} % loss failed: {e}", p.loss_pct);
        }
        if let Some(Err(e)) = &p.download {
            println!("pymavlink download at {} % loss failed: {e}", p.loss_pct);
        }
    }

    println!();
    println!("targets:");
    let clean = vigil_runs.iter().find(|r| r.loss_pct == 0.0);
    for (what, t) in clean
        .map(|v| [("upload", &v.upload), ("download", &v.download)])
        .into_iter()
        .flatten()
    {
        match ok(t) {
            Some(d) => {
                let r = d.as_secs_f64() / floor.as_secs_f64();
                println!(
                    "  Vigil {what} at 0 % loss within {FLOOR_TARGET}x of the floor: {r:.2}x -> {}",
                    if r <= FLOOR_TARGET { "met" } else { "NOT met" }
                );
            }
            None => {
                println!("  Vigil {what} at 0 % loss within {FLOOR_TARGET}x of the floor: failed")
            }
        }
    }
    for v in vigil_runs.iter().filter(|r| r.loss_pct > 0.0) {
        let py = py_runs
            .iter()
            .find(|p| p.loss_pct == v.loss_pct)
            .and_then(|p| ok(&p.upload));
        match (ok(&v.upload), py) {
            (Some(a), Some(b)) => println!(
                "  Vigil upload faster than the pymavlink uploader at {} % loss: {:.1} s vs {:.1} s \
                 ({:.2}x) -> {}",
                v.loss_pct,
                a.as_secs_f64(),
                b.as_secs_f64(),
                a.as_secs_f64() / b.as_secs_f64(),
                if a < b { "met" } else { "NOT met" }
            ),
            _ => println!(
                "  Vigil upload faster than the pymavlink uploader at {} % loss: not measured",
                v.loss_pct
            ),
        }
    }
}
