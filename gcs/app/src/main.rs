//! `gcs`: Vigil's ground station. Until the 3D map lands, it runs a headless patrol
//! demo: simulated PX4 drones near Agadez take off, fly a square, return and land,
//! while live telemetry is printed.

mod demo;
mod telemetry_line;

use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Parser;
use gcs_link::{LatLon, LinkAddress, LinkConfig};
use gcs_sim::SimConfig;

/// Vigil ground station: headless patrol demo over the MAVLink core.
///
/// With no arguments: three simulated PX4 drones near Agadez (Niger) connect over loopback
/// UDP, take off, fly a square, return and land, with a telemetry line per drone every second.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Number of simulated drones.
    #[arg(long, default_value_t = 3)]
    drones: usize,
    /// Side of the square each drone flies, metres.
    #[arg(long, default_value_t = 300.0)]
    side_m: f64,
    /// Patrol altitude above home of the first drone, metres (the others fly 10 m higher each).
    #[arg(long, default_value_t = 40.0)]
    alt_m: f64,
    /// Simulation speed factor (flight and battery; protocol timeouts stay real).
    #[arg(long, default_value_t = 10.0)]
    speed: f64,
    /// Seconds between telemetry lines.
    #[arg(long, default_value_t = 1.0)]
    every_s: f64,
    /// MAVLink system id of this ground station.
    #[arg(long, default_value_t = 255)]
    sysid: u8,
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let args = Args::parse();
    if args.drones == 0 || args.drones > 50 {
        bail!("--drones {}: expected 1..=50", args.drones);
    }
    if !(10.0..=10_000.0).contains(&args.side_m) {
        bail!("--side-m {}: expected 10..=10000 m", args.side_m);
    }
    if !(5.0..=500.0).contains(&args.alt_m) {
        bail!("--alt-m {}: expected 5..=500 m above home", args.alt_m);
    }

    let gcs_addr: LinkAddress = "udpin:127.0.0.1:0".parse().expect("literal address");
    let mut cfg = LinkConfig::new(vec![gcs_addr]);
    cfg.gcs_sysid = args.sysid;
    let link = gcs_link::start(cfg)
        .await
        .context("opening the ground station link")?;
    let port = link.local_addr(0).context("no local UDP port")?.port();

    let (lat, lon, alt) = gcs_sim::AGADEZ;
    let mut sim_cfg = SimConfig::new(format!("udpout:127.0.0.1:{port}").parse()?);
    sim_cfg.vehicles = SimConfig::fleet(args.drones, 1, LatLon::new(lat, lon), alt);
    sim_cfg.speed = args.speed;
    let _sim = gcs_sim::start(sim_cfg.clone())
        .await
        .context("starting the simulated drones")?;
    println!(
        "Vigil headless demo: {} simulated PX4 drone(s) near Agadez, {}x speed, ground station on udp port {port}",
        args.drones, args.speed
    );

    let mut ids = Vec::new();
    for spec in &sim_cfg.vehicles {
        ids.push(
            link.wait_for_vehicle(spec.sysid, Duration::from_secs(30))
                .await
                .with_context(|| format!("no HEARTBEAT from simulated drone {}", spec.sysid))?,
        );
    }

    let printer = {
        let fleet = link.fleet();
        let every = Duration::from_secs_f64(args.every_s.max(0.1));
        tokio::spawn(async move {
            let start = tokio::time::Instant::now();
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                let snap = fleet.borrow().clone();
                for v in snap.vehicles.values() {
                    println!(
                        "[t+{:6.1} s] {}",
                        start.elapsed().as_secs_f64(),
                        telemetry_line::telemetry_line(v)
                    );
                }
            }
        })
    };

    let flights = ids
        .iter()
        .enumerate()
        .map(|(i, id)| demo::fly_square(&link, *id, args.side_m, args.alt_m + 10.0 * i as f64));
    let results = tokio::select! {
        r = futures::future::join_all(flights) => r,
        _ = tokio::signal::ctrl_c() => bail!("interrupted"),
    };
    printer.abort();
    let snap = link.snapshot();
    for v in snap.vehicles.values() {
        println!("final: {}", telemetry_line::telemetry_line(v));
    }
    let failed: Vec<String> = results
        .into_iter()
        .filter_map(|r| r.err().map(|e| format!("{e:#}")))
        .collect();
    if !failed.is_empty() {
        bail!("patrol failed: {}", failed.join("; "));
    }
    println!("patrol complete: every drone flew its square and landed at home");
    Ok(())
}
