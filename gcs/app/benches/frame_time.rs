//! Frame time of the operator app on the default scene, 3 drones against 100, under
//! Xvfb and Mesa's lavapipe in the same run. Prints median and 99th percentile frame
//! times and their ratios (target: 100 drones cost at most 20 % more than 3).
//!
//! `cargo bench -p gcs --bench frame_time [-- SECONDS]` (default 30 s per run; the
//! first seconds while terrain builds are not counted).

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

fn main() {
    let secs: f64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(30.0);
    let few = run(3, secs);
    let many = run(100, secs);
    let f = |v: &Value, k: &str| v[k].as_f64().unwrap_or(f64::NAN);
    println!("frame time, default scene, lavapipe, {secs} s per run:");
    for (name, v) in [("3 drones", &few), ("100 drones", &many)] {
        println!(
            "  {name:>10}: {} frames, median {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} drones seen)",
            v["frames"],
            f(v, "median_ms"),
            f(v, "p99_ms"),
            f(v, "max_ms"),
            v["drones"]
        );
    }
    println!(
        "  ratio 100/3: median {:.3}x, p99 {:.3}x (target <= 1.2x)",
        f(&many, "median_ms") / f(&few, "median_ms"),
        f(&many, "p99_ms") / f(&few, "p99_ms")
    );
}
