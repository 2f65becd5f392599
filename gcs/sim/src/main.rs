//! `gcs-sim`: run simulated PX4 multicopters that talk MAVLink to a ground station.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Parser;
use gcs_link::LinkAddress;
use gcs_sim::{DataLinkLossAction, Faults, LowBatteryAction, SimConfig};
use mission_planner::LatLon;

/// Simulated PX4 multicopters for Vigil and any MAVLink ground station.
///
/// Each vehicle behaves like a PX4 SITL instance on its GCS link: PX4 heartbeats and
/// mode encoding, telemetry at PX4's default rates, PX4's command answers and failsafes.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Args {
    /// Where to send MAVLink: udpout:HOST:PORT (what PX4 SITL does), udpin:IP:PORT,
    /// tcpin:IP:PORT, tcpout:HOST:PORT or serial:PATH:BAUD.
    #[arg(long, default_value = "udpout:127.0.0.1:14550")]
    connect: String,
    /// Number of vehicles.
    #[arg(long, default_value_t = 1)]
    count: usize,
    /// System id of the first vehicle; the others follow.
    #[arg(long = "sysid", default_value_t = 1)]
    first_sysid: u8,
    /// Home of the first vehicle as LAT,LON,ALT_M (degrees, degrees, metres above sea level);
    /// the others are placed 20 m apart eastward. Default: Agadez, Niger.
    #[arg(long, default_value = "16.9742,7.9865,501")]
    home: String,
    /// Simulated seconds per wall second (flight and battery; protocol timeouts stay real).
    #[arg(long, default_value_t = 1.0)]
    speed: f64,
    /// Packets lost each way, percent.
    #[arg(long, default_value_t = 0.0)]
    loss_pct: f64,
    /// Added one-way latency, milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Packets duplicated, percent.
    #[arg(long, default_value_t = 0.0)]
    dup_pct: f64,
    /// NAV_DLL_ACT: action on GCS link loss (disabled, hold, return, land, disarm).
    #[arg(long, default_value = "disabled")]
    nav_dll_act: String,
    /// COM_DL_LOSS_T: seconds without GCS heartbeat before the link-loss failsafe.
    #[arg(long, default_value_t = 10.0)]
    com_dl_loss_t_s: f64,
    /// COM_LOW_BAT_ACT: battery failsafe (warning, land, return).
    #[arg(long, default_value = "warning")]
    low_bat_act: String,
    /// Hover endurance on a full battery, minutes of simulated time.
    #[arg(long, default_value_t = 30.0)]
    endurance_min: f64,
    /// Seed of the fault-injection random generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print a status line per vehicle every this many seconds (0: never).
    #[arg(long, default_value_t = 5.0)]
    status_every_s: f64,
    /// MAVLink 2 signing key file (32 raw bytes or 64 hex digits): every vehicle signs
    /// its frames and drops unsigned, wrongly signed and replayed ones, as PX4 does
    /// with a key. Without it, signing starts only when a SETUP_SIGNING arrives.
    #[arg(long, value_name = "FILE")]
    signing_key: Option<std::path::PathBuf>,
}

fn parse_home(s: &str) -> Result<(LatLon, f64)> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    let [lat, lon, alt] = parts.as_slice() else {
        bail!("--home {s:?}: expected LAT,LON,ALT_M, e.g. 16.9742,7.9865,501");
    };
    let p: LatLon = format!("{lat},{lon}")
        .parse()
        .with_context(|| format!("--home {s:?}"))?;
    let alt: f64 = alt
        .parse()
        .with_context(|| format!("--home {s:?}: altitude {alt:?} is not a number of metres"))?;
    if !(-500.0..=9000.0).contains(&alt) {
        bail!("--home {s:?}: altitude {alt} m is outside -500..=9000 m");
    }
    Ok((p, alt))
}

fn config(args: &Args) -> Result<SimConfig> {
    let connect: LinkAddress = args.connect.parse().context("--connect")?;
    let (home, alt) = parse_home(&args.home)?;
    if args.count == 0 || args.count > 250 {
        bail!("--count {}: expected 1..=250 vehicles", args.count);
    }
    if !(args.speed > 0.0 && args.speed <= 1000.0) {
        bail!("--speed {}: expected a factor in (0, 1000]", args.speed);
    }
    for (name, v) in [("--loss-pct", args.loss_pct), ("--dup-pct", args.dup_pct)] {
        if !(0.0..=100.0).contains(&v) {
            bail!("{name} {v}: expected a percentage in 0..=100");
        }
    }
    let mut cfg = SimConfig::new(connect);
    cfg.vehicles = SimConfig::fleet(args.count, args.first_sysid, home, alt);
    cfg.speed = args.speed;
    cfg.seed = args.seed;
    cfg.faults = Faults {
        loss_pct: args.loss_pct,
        latency: Duration::from_millis(args.latency_ms),
        duplicate_pct: args.dup_pct,
        cut: false,
    };
    cfg.params.nav_dll_act = match args.nav_dll_act.as_str() {
        "disabled" | "0" => DataLinkLossAction::Disabled,
        "hold" | "1" => DataLinkLossAction::Hold,
        "return" | "2" => DataLinkLossAction::Return,
        "land" | "3" => DataLinkLossAction::Land,
        "disarm" | "5" => DataLinkLossAction::Disarm,
        other => bail!("--nav-dll-act {other:?}: expected disabled, hold, return, land or disarm"),
    };
    cfg.params.com_dl_loss_t_s = args.com_dl_loss_t_s;
    cfg.params.com_low_bat_act = match args.low_bat_act.as_str() {
        "warning" | "0" => LowBatteryAction::Warning,
        "land" | "2" => LowBatteryAction::Land,
        "return" | "3" => LowBatteryAction::ReturnThenLand,
        other => bail!("--low-bat-act {other:?}: expected warning, land or return"),
    };
    if args.endurance_min.is_nan() || args.endurance_min <= 0.0 {
        bail!(
            "--endurance-min {}: expected a positive number of minutes",
            args.endurance_min
        );
    }
    cfg.battery.endurance_s = args.endurance_min * 60.0;
    if let Some(path) = &args.signing_key {
        let key = gcs_link::SigningKey::from_file(path).context("--signing-key")?;
        cfg.set_signing_key(Some(key));
    }
    Ok(cfg)
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let args = Args::parse();
    let cfg = config(&args)?;
    let sim = gcs_sim::start(cfg.clone())
        .await
        .with_context(|| format!("starting the simulator on {}", args.connect))?;
    for (i, v) in cfg.vehicles.iter().enumerate() {
        println!(
            "vehicle sysid {} at {} ({:.0} m AMSL) -> {}{}",
            v.sysid,
            v.home,
            v.home_alt_amsl_m,
            args.connect,
            sim.local_addr(i)
                .map(|a| format!(" (local {a})"))
                .unwrap_or_default()
        );
    }
    if args.signing_key.is_some() {
        println!("MAVLink 2 signing on: unsigned and wrongly signed commands are dropped");
    }
    println!("running at {}x; Ctrl-C to stop", cfg.speed);
    let every = (args.status_every_s > 0.0).then(|| Duration::from_secs_f64(args.status_every_s));
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            _ = tokio::time::sleep(every.unwrap_or(Duration::from_secs(3600))) => {
                if every.is_none() { continue }
                for (i, spec) in cfg.vehicles.iter().enumerate() {
                    let v = sim.vehicle(i);
                    println!(
                        "sysid {:>3} {:<8} {} {} alt {:6.1} m rel  battery {:3.0} %",
                        spec.sysid,
                        v.mode.name(),
                        if v.armed { "ARMED   " } else { "disarmed" },
                        v.pos,
                        v.alt_rel_m(),
                        v.battery * 100.0
                    );
                }
            }
        }
    }
    println!("stopped");
    Ok(())
}
