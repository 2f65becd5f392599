//! Frame time of the operator app on the default scene, 3 drones against 100 and 250,
//! under Xvfb and Mesa's lavapipe in the same run. The simulated drones stream what PX4
//! SITL streams on its GCS link (gcs-sim's `DEFAULT_STREAMS`, about 370 messages/s a
//! drone). Prints median and 99th percentile frame times and their ratios to 3 drones
//! (target: 250 drones cost at most 20 % more than 3), and for each run the link
//! threads' CPU (gcs-link and the in-process simulated drones together: `vigil-link*`
//! threads, percent of one core), messages received a second, messages lost (sequence
//! gaps) and what the link dropped. The station's link alone, without the simulator, is
//! measured by `cargo bench -p vigil-tests --bench fleet_load` (gcs-cli, same gcs-link).
//!
//! `cargo bench -p gcs --bench frame_time [-- SECONDS [ROUNDS]]` (default 30 s per
//! run, 2 rounds of 3, 100 then 250 drones; the first seconds while terrain builds are
//! not counted).

use std::process::Command;

use serde_json::Value;

/// Fleet sizes of a round; the first is the baseline of the ratios.
const DRONES: [usize; 3] = [3, 100, 250];

fn run(drones: usize, secs: f64) -> Value {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join(format!("frames-{drones}.json"));
    let status = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1600x900x24"])
        .arg(env!("CARGO_BIN_EXE_gcs"))
        .args(["--drones", &drones.to_string()])
        .args(["--exit-after-secs", &secs.to_string()])
        .arg("--frame-stats")
        .arg(&out)
        .env("WGPU_BACKEND", "vulkan")
        .status()
        .expect("xvfb-run (apt install xvfb mesa-vulkan-drivers libvulkan1)");
    assert!(status.success(), "gcs with {drones} drones: {status}");
    serde_json::from_str(&std::fs::read_to_string(&out).expect("frame stats written"))
        .expect("frame stats JSON")
}

/// The median of `v` (not empty; the mean of the middle two for an even count).
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn main() {
    let mut numbers = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse::<f64>().ok());
    let secs = numbers.next().unwrap_or(30.0);
    let rounds = numbers.next().map_or(2, |r| r.max(1.0) as usize);
    let f = |v: &Value, k: &str| v[k].as_f64().unwrap_or(f64::NAN);
    let u = |v: &Value| v.as_u64().unwrap_or(0);
    println!(
        "frame time, default scene, lavapipe, 1600x900, PX4-load drones, {secs} s per run, {rounds} rounds:"
    );
    // Rounds run 3, 100 then 250 drones so drift of the machine (other load, thermal)
    // falls on all alike; each ratio is taken per round and its median reported.
    let base = DRONES[0];
    let mut ratios: Vec<(Vec<f64>, Vec<f64>)> = vec![(Vec::new(), Vec::new()); DRONES.len()];
    for round in 1..=rounds {
        let runs: Vec<Value> = DRONES.iter().map(|&n| run(n, secs)).collect();
        for (n, v) in DRONES.iter().zip(&runs) {
            let traffic = &v["link_traffic"];
            let drops = &v["link_drops"];
            println!(
                "  round {round} {:>10}: {} frames, median {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} drones seen)",
                format!("{n} drones"),
                v["frames"],
                f(v, "median_ms"),
                f(v, "p99_ms"),
                f(v, "max_ms"),
                v["drones"]
            );
            println!(
                "  {:>19}link threads (with the simulator) {:.1} % of a core; {:.0} msg/s received over the run, {} lost; dropped {} frames, {} events, {} requests; {} vehicles refused",
                "",
                f(v, "link_cpu_pct"),
                u(&traffic["received"]) as f64 / secs,
                u(&traffic["lost"]),
                u(&traffic["dropped_frames"]),
                u(&drops["events"]),
                u(&drops["requests"]),
                u(&traffic["refused_vehicles"])
            );
        }
        for (i, v) in runs.iter().enumerate() {
            ratios[i]
                .0
                .push(f(v, "median_ms") / f(&runs[0], "median_ms"));
            ratios[i].1.push(f(v, "p99_ms") / f(&runs[0], "p99_ms"));
        }
    }
    for (n, (medians, p99s)) in DRONES.iter().zip(ratios).skip(1) {
        let target = if *n == 250 { "; target <= 1.2x" } else { "" };
        println!(
            "  ratio {n}/{base}: median {:.3}x, p99 {:.3}x (median over rounds{target}); per round {:?}",
            median(medians.clone()),
            median(p99s),
            medians
                .iter()
                .map(|r| format!("{r:.3}"))
                .collect::<Vec<_>>()
        );
    }
}
