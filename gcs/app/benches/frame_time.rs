//! Frame time of the operator app on the default scene, 3 drones against 100, under
//! Xvfb and Mesa's lavapipe in the same run. Prints median and 99th percentile frame
//! times and their ratios (target: 100 drones cost at most 20 % more than 3).
//!
//! `cargo bench -p gcs --bench frame_time [-- SECONDS [ROUNDS]]` (default 30 s per
//! run, 2 rounds of 3 then 100 drones; the first seconds while terrain builds are not
//! counted).

use std::process::Command;

use serde_json::Value;

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
    println!("frame time, default scene, lavapipe, 1600x900, {secs} s per run, {rounds} rounds:");
    // Rounds alternate 3 and 100 drones so drift of the machine (other load, thermal)
    // falls on both alike; the ratio is taken per round and its median reported.
    let (mut median_ratios, mut p99_ratios) = (Vec::new(), Vec::new());
    for round in 1..=rounds {
        let few = run(3, secs);
        let many = run(100, secs);
        for (name, v) in [("3 drones", &few), ("100 drones", &many)] {
            println!(
                "  round {round} {name:>10}: {} frames, median {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} drones seen)",
                v["frames"],
                f(v, "median_ms"),
                f(v, "p99_ms"),
                f(v, "max_ms"),
                v["drones"]
            );
        }
        median_ratios.push(f(&many, "median_ms") / f(&few, "median_ms"));
        p99_ratios.push(f(&many, "p99_ms") / f(&few, "p99_ms"));
    }
    println!(
        "  ratio 100/3: median {:.3}x, p99 {:.3}x (median over rounds; target <= 1.2x); per round {:?}",
        median(median_ratios.clone()),
        median(p99_ratios),
        median_ratios
            .iter()
            .map(|r| format!("{r:.3}"))
            .collect::<Vec<_>>()
    );
}
