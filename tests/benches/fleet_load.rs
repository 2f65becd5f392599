//! Benchmark (not a timed test): the headless station `gcs-cli watch` under a fleet of
//! simulated drones that stream what PX4 SITL streams on its GCS link (gcs-sim's
//! `DEFAULT_STREAMS`: about 370 messages/s a vehicle, 50 Hz attitude, position, targets
//! and servo outputs), 3, 100 and 250 drones in the same run.
//!
//! Run: `cargo bench -p vigil-tests --bench fleet_load` (about 2 minutes after the build;
//! it first runs `cargo build --release -p gcs-cli -p gcs-sim-cli`). Options after `--`:
//! `--counts 3,100,250`, `--seconds S` measured per fleet (default 20), `--warmup S`
//! after every vehicle is heard (default 5), `--no-build` (use the binaries already in
//! the bench's target directory).
//!
//! The fleet is laid out as a PX4 SITL fleet is: every vehicle has its own UDP port
//! (`gcs-sim --count N --connect udpin:127.0.0.1:0`, one ephemeral port a vehicle) and
//! the station opens one `udpout` link to each, as `scripts/vigil.sh sitl` does with PX4
//! (one link may bring in at most 64 vehicles, gcs-link's `MAX_VEHICLES_PER_LINK`). The
//! simulator is a separate process, so its CPU is not the station's. Both are release
//! builds; gcs-cli prints its fleet as JSON every second (`--json watch`), which the
//! bench reads.
//!
//! Printed for each fleet, over the measured window: the station's CPU time as a share of
//! one core (from `/proc/PID/stat`; per thread name from `/proc/PID/task/*/stat`: all of
//! gcs-cli's work, link and printing, runs on tokio's workers), messages received per
//! second against the nominal rate, frames lost on the way (sequence gaps in the
//! vehicles' links: a full socket buffer shows here) and frames or events the station
//! itself dropped (`FleetSnapshot`'s `dropped_*` counters, since the start), the
//! simulator's CPU, and the CPU of every process on the machine (others included), so a
//! reader can tell whether the load was actually delivered. When the simulator delivers
//! less than the nominal rate, the station's CPU is also given scaled to the nominal rate
//! (CPU per message x nominal messages/s: a projection, labelled as such). The issue's
//! targets are printed beside the figures, never asserted.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use gcs_sim::telemetry::DEFAULT_STREAMS;
use serde_json::Value;

/// The target for the station at 250 drones: share of one core.
const TARGET_CPU_250: f64 = 0.25;
/// How long to wait for every vehicle to be heard.
const HEAR_ALL_TIMEOUT: Duration = Duration::from_secs(60);

struct Options {
    counts: Vec<usize>,
    window: Duration,
    warmup: Duration,
    build: bool,
}

fn options() -> Options {
    let mut o = Options {
        counts: vec![3, 100, 250],
        window: Duration::from_secs(20),
        warmup: Duration::from_secs(5),
        build: true,
    };
    let mut args = std::env::args().skip(1);
    let secs = |v: Option<String>, what: &str| {
        let s: f64 = v
            .and_then(|v| v.parse().ok())
            .filter(|s: &f64| s.is_finite() && *s > 0.0)
            .unwrap_or_else(|| panic!("{what} needs a positive number of seconds"));
        Duration::from_secs_f64(s)
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--counts" => {
                o.counts = args
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .map(|n| match n.trim().parse::<usize>() {
                        Ok(n @ 1..=250) => n,
                        _ => panic!("--counts: {n:?} is not a vehicle count in 1..=250"),
                    })
                    .collect();
            }
            "--seconds" => o.window = secs(args.next(), "--seconds"),
            "--warmup" => o.warmup = secs(args.next(), "--warmup"),
            "--no-build" => o.build = false,
            // `cargo bench` passes `--bench`.
            _ => {}
        }
    }
    o
}

/// Messages a second one simulated vehicle sends (its stream rates).
fn nominal_per_vehicle() -> f64 {
    DEFAULT_STREAMS.iter().map(|(_, hz)| hz).sum()
}

/// gcs-cli and gcs-sim from the bench's own target directory (`target/release`), built
/// there first unless `--no-build`.
fn binaries(build: bool) -> (PathBuf, PathBuf) {
    let exe = std::env::current_exe().expect("current exe");
    // target/release/deps/fleet_load-HASH -> target/release
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the bench runs from target/PROFILE/deps")
        .to_path_buf();
    if build {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        println!("building: cargo build --release -p gcs-cli -p gcs-sim-cli");
        let status = Command::new(cargo)
            .args(["build", "--release", "-p", "gcs-cli", "-p", "gcs-sim-cli"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("run cargo build");
        assert!(status.success(), "cargo build --release: {status}");
    }
    let (cli, sim) = (dir.join("gcs-cli"), dir.join("gcs-sim"));
    for b in [&cli, &sim] {
        assert!(
            b.is_file(),
            "{} missing (run without --no-build)",
            b.display()
        );
    }
    (cli, sim)
}

/// Clock ticks a second of `/proc` CPU times.
fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// (name, user + system ticks) from a `/proc/.../stat` file.
fn stat_ticks(path: &Path) -> Option<(String, u64)> {
    let s = std::fs::read_to_string(path).ok()?;
    let open = s.find('(')?;
    let close = s.rfind(')')?;
    let name = s[open + 1..close].to_owned();
    // After the name: state (field 3), ... utime (14), stime (15).
    let rest: Vec<&str> = s[close + 2..].split_whitespace().collect();
    let utime: u64 = rest.get(11)?.parse().ok()?;
    let stime: u64 = rest.get(12)?.parse().ok()?;
    Some((name, utime + stime))
}

/// A process's CPU ticks, in all and per thread id (with the thread's name).
struct ProcCpu {
    total: u64,
    threads: BTreeMap<String, (String, u64)>,
}

fn proc_cpu(pid: u32) -> ProcCpu {
    let total = stat_ticks(Path::new(&format!("/proc/{pid}/stat"))).map_or(0, |(_, t)| t);
    let mut threads = BTreeMap::new();
    if let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/task")) {
        for e in dir.flatten() {
            if let Some(t) = stat_ticks(&e.path().join("stat")) {
                threads.insert(e.file_name().to_string_lossy().into_owned(), t);
            }
        }
    }
    ProcCpu { total, threads }
}

/// CPU ticks of every process, by pid (from the same per-process accounting as the
/// station's and the simulator's figures; `/proc/stat`'s machine-wide ticks disagree
/// with it in a VM).
fn all_processes() -> BTreeMap<u32, u64> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        if let Some(pid) = e.file_name().to_str().and_then(|n| n.parse().ok())
            && let Some((_, t)) = stat_ticks(&e.path().join("stat"))
        {
            out.insert(pid, t);
        }
    }
    out
}

/// Ticks every process used between two [`all_processes`] readings (processes that
/// ended in between are missed; those that started are counted whole).
fn all_used(before: &BTreeMap<u32, u64>, after: &BTreeMap<u32, u64>) -> u64 {
    after
        .iter()
        .map(|(pid, t)| t.saturating_sub(before.get(pid).copied().unwrap_or(0)))
        .sum()
}

/// What one `--json watch` line says, and when it arrived.
#[derive(Debug, Clone, Default)]
struct Sample {
    at: Option<Instant>,
    vehicles: usize,
    received: u64,
    lost: u64,
    dropped_frames: u64,
    dropped_events: u64,
    refused: u64,
}

fn sample(line: &str, at: Instant) -> Option<Sample> {
    let v: Value = serde_json::from_str(line).ok()?;
    let n = |v: &Value| v.as_u64().unwrap_or(0);
    let vehicles = v["vehicles"].as_array()?;
    let links = vehicles
        .iter()
        .flat_map(|v| v["links"].as_array().into_iter().flatten());
    let (mut received, mut lost) = (0, 0);
    for l in links {
        received += n(&l["quality"]["received"]);
        lost += n(&l["quality"]["lost"]);
    }
    Some(Sample {
        at: Some(at),
        vehicles: vehicles.len(),
        received,
        lost,
        dropped_frames: n(&v["dropped_frames"])
            + n(&v["dropped_subscriber_frames"])
            + n(&v["dropped_tlog_frames"]),
        dropped_events: n(&v["dropped_events"]),
        refused: n(&v["refused_vehicles"]),
    })
}

/// Kills and reaps a child of ours when dropped.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The figures of one fleet.
struct Figures {
    drones: usize,
    station_cpu: f64,
    station_threads: Vec<(String, usize, f64)>,
    sim_cpu: f64,
    all_busy: f64,
    others: f64,
    msg_s: f64,
    lost: u64,
    dropped_frames: u64,
    dropped_events: u64,
    refused: u64,
}

/// Starts `drones` simulated vehicles and gcs-cli, waits until every vehicle is heard
/// and `warmup` has passed, then measures over `window`.
fn run(cli: &Path, sim: &Path, drones: usize, o: &Options, ticks: f64) -> Figures {
    let mut sim = Reaped(
        Command::new(sim)
            .args(["--count", &drones.to_string()])
            .args(["--connect", "udpin:127.0.0.1:0", "--status-every-s", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", sim.display())),
    );
    // "vehicle sysid 1 at ... -> udpin:127.0.0.1:0 (local 127.0.0.1:PORT)"
    let mut lines = BufReader::new(sim.0.stdout.take().expect("piped")).lines();
    let mut ports = Vec::new();
    while ports.len() < drones {
        let line = lines
            .next()
            .expect("gcs-sim ended before listing its vehicles")
            .expect("gcs-sim output");
        if let Some(port) = line
            .rsplit_once("(local ")
            .and_then(|(_, a)| a.trim_end_matches(')').parse::<std::net::SocketAddr>().ok())
        {
            ports.push(port.port());
        }
    }
    // Keep reading so the simulator never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));

    let mut cmd = Command::new(cli);
    cmd.args(["--json", "--wait-s", "30"]);
    for p in &ports {
        cmd.args(["--connect", &format!("udpout:127.0.0.1:{p}")]);
    }
    let mut station = Reaped(
        cmd.args(["watch", "--every-s", "1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", cli.display())),
    );
    let out = BufReader::new(station.0.stdout.take().expect("piped"));
    let (tx, rx) = mpsc::channel::<Sample>();
    std::thread::spawn(move || {
        for line in out.lines().map_while(Result::ok) {
            if let Some(s) = sample(&line, Instant::now())
                && tx.send(s).is_err()
            {
                return;
            }
        }
    });

    let deadline = Instant::now() + HEAR_ALL_TIMEOUT;
    let mut last = Sample::default();
    while last.vehicles < drones {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(s) => last = s,
            Err(_) => panic!(
                "{drones} drones: gcs-cli heard {} within {HEAR_ALL_TIMEOUT:?} (refused {})",
                last.vehicles, last.refused
            ),
        }
    }
    std::thread::sleep(o.warmup);
    while rx.try_recv().is_ok() {}

    let (station_pid, sim_pid) = (station.0.id(), sim.0.id());
    let t0 = Instant::now();
    let me = std::process::id();
    let (st0, sim0, me0, all0) = (
        proc_cpu(station_pid),
        proc_cpu(sim_pid),
        proc_cpu(me),
        all_processes(),
    );
    std::thread::sleep(o.window);
    let (st1, sim1, me1, all1) = (
        proc_cpu(station_pid),
        proc_cpu(sim_pid),
        proc_cpu(me),
        all_processes(),
    );
    let wall = t0.elapsed().as_secs_f64();
    let samples: Vec<Sample> = rx.try_iter().collect();
    drop(station);
    drop(sim);

    let share = |ticks_used: u64| ticks_used as f64 / ticks / wall;
    let station_ticks = st1.total.saturating_sub(st0.total);
    let sim_ticks = sim1.total.saturating_sub(sim0.total);
    // Per thread name, threads alive at the end (threads that ended in the window are
    // in the total only).
    let mut by_name: BTreeMap<String, (usize, u64)> = BTreeMap::new();
    for (tid, (name, t)) in &st1.threads {
        let before = st0.threads.get(tid).map_or(0, |(_, t)| *t);
        let e = by_name.entry(name.clone()).or_default();
        e.0 += 1;
        e.1 += t.saturating_sub(before);
    }
    let (first, last) = match (samples.first(), samples.last()) {
        (Some(a), Some(b)) if samples.len() >= 2 => (a.clone(), b.clone()),
        _ => panic!(
            "{drones} drones: gcs-cli printed {} fleet lines in {wall:.1} s",
            samples.len()
        ),
    };
    let span = match (first.at, last.at) {
        (Some(a), Some(b)) => b.duration_since(a).as_secs_f64(),
        _ => f64::NAN,
    };
    let busy = share(all_used(&all0, &all1));
    Figures {
        drones,
        station_cpu: share(station_ticks),
        station_threads: by_name
            .into_iter()
            .map(|(name, (n, t))| (name, n, share(t)))
            .collect(),
        sim_cpu: share(sim_ticks),
        all_busy: busy,
        // Neither the station, the simulator nor this bench (which reads the JSON).
        others: busy
            - share(station_ticks)
            - share(sim_ticks)
            - share(me1.total.saturating_sub(me0.total)),
        msg_s: last.received.saturating_sub(first.received) as f64 / span,
        lost: last.lost.saturating_sub(first.lost),
        dropped_frames: last.dropped_frames,
        dropped_events: last.dropped_events,
        refused: last.refused,
    }
}

fn main() {
    let o = options();
    let (cli, sim) = binaries(o.build);
    let ticks = clock_ticks();
    let per_vehicle = nominal_per_vehicle();
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    println!(
        "fleet load: gcs-cli watch (release) <- gcs-sim (release, separate process), one UDP \
         link a vehicle; {per_vehicle:.1} msg/s a vehicle nominal (PX4 SITL's GCS stream); \
         {} s measured after {} s warm-up; {cores} CPUs",
        o.window.as_secs_f64(),
        o.warmup.as_secs_f64()
    );
    let mut all: Vec<Figures> = Vec::new();
    for &n in &o.counts {
        let f = run(&cli, &sim, n, &o, ticks);
        let nominal = per_vehicle * n as f64;
        let delivered = f.msg_s / nominal;
        let threads = f
            .station_threads
            .iter()
            .map(|(name, k, s)| format!("{name} x{k} {:.1} %", s * 100.0))
            .collect::<Vec<_>>()
            .join(", ");
        println!("{:>4} drones:", f.drones);
        println!(
            "       station (gcs-cli): {:.1} % of a core [{threads}]",
            f.station_cpu * 100.0
        );
        println!(
            "       received {:.0} msg/s of {nominal:.0} nominal ({:.1} %); {:.2} us of station CPU a message",
            f.msg_s,
            delivered * 100.0,
            f.station_cpu / f.msg_s * 1e6
        );
        if delivered < 0.98 {
            println!(
                "       projected at the nominal rate: {:.1} % of a core (CPU a message x {nominal:.0} msg/s)",
                f.station_cpu / delivered * 100.0
            );
        }
        println!(
            "       lost in transit {} frames (sequence gaps, measured window); dropped by the station {} frames, {} events (since start); refused vehicles {}",
            f.lost, f.dropped_frames, f.dropped_events, f.refused
        );
        println!(
            "       simulator (gcs-sim): {:.1} % of a core; all processes {:.2} of {cores} cores, {:.2} of them others",
            f.sim_cpu * 100.0,
            f.all_busy,
            f.others
        );
        all.push(f);
    }
    if let Some(base) = all.iter().find(|f| f.drones == 3).or(all.first()) {
        println!(
            "relative to {} drones (same run): station CPU, CPU a message",
            base.drones
        );
        let per_msg = |f: &Figures| f.station_cpu / f.msg_s;
        for f in &all {
            println!(
                "  {:>4} drones: CPU {:.2}x, CPU a message {:.2}x",
                f.drones,
                f.station_cpu / base.station_cpu,
                per_msg(f) / per_msg(base)
            );
        }
    }
    if let Some(f) = all.iter().find(|f| f.drones == 250) {
        let delivered = f.msg_s / (per_vehicle * 250.0);
        println!(
            "target (issue #8): 250 drones <= {:.0} % of a core, 0 dropped: measured {:.1} % ({:.1} % projected at the nominal rate), {} lost, {} dropped",
            TARGET_CPU_250 * 100.0,
            f.station_cpu * 100.0,
            f.station_cpu / delivered.min(1.0) * 100.0,
            f.lost,
            f.dropped_frames
        );
    }
}
