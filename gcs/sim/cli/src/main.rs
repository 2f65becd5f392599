//! `gcs-sim`: run simulated PX4 multicopters that talk MAVLink to a ground station.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Parser;
use gcs_link::LinkAddress;
use gcs_sim::{DataLinkLossAction, Faults, LowBatteryAction, SimConfig};
use vigil_exit::BadInput;
use vigil_values::{LatLon, checked};

/// Simulated PX4 multicopters for Vigil and any MAVLink ground station.
///
/// Each vehicle behaves like a PX4 SITL instance on its GCS link: PX4 heartbeats and
/// mode encoding, telemetry at PX4's default rates, PX4's command answers and failsafes.
/// Exit status: 0 after Ctrl-C, 1 when the simulator fails, 2 on bad arguments or an
/// unreadable signing key file.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Args {
    /// Where to send MAVLink: udpout:HOST:PORT (what PX4 SITL does), udpin:IP:PORT (or
    /// udp:IP:PORT), tcpin:IP:PORT, tcpout:HOST:PORT or serial:PATH:BAUD.
    #[arg(long, default_value = "udpout:127.0.0.1:14550")]
    connect: LinkAddress,
    /// Number of vehicles (1..=250).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=250))]
    count: u16,
    /// System id of the first vehicle (1..=255); the others follow.
    #[arg(long = "sysid", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..))]
    first_sysid: u8,
    /// Home of the first vehicle as LAT,LON,ALT_M (degrees, degrees, metres above sea level;
    /// south and west negative: --home -8.05,-34.9,10); the others are placed 20 m apart
    /// eastward. Default: Agadez, Niger.
    #[arg(
        long,
        default_value = "16.9742,7.9865,501",
        allow_hyphen_values = true,
        value_parser = parse_home
    )]
    home: Home,
    /// Simulated seconds per wall second, 0.001..=1000 (flight and battery; protocol
    /// timeouts stay real).
    #[arg(long, default_value = "1", value_parser = speed_factor)]
    speed: f64,
    /// Packets lost each way, percent.
    #[arg(long, default_value = "0", value_parser = percent)]
    loss_pct: f64,
    /// Added one-way latency, milliseconds (0..=60000).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    latency_ms: u64,
    /// Packets duplicated, percent.
    #[arg(long, default_value = "0", value_parser = percent)]
    dup_pct: f64,
    /// NAV_DLL_ACT: action on GCS link loss (disabled, hold, return, land, disarm).
    #[arg(long, default_value = "disabled")]
    nav_dll_act: String,
    /// COM_DL_LOSS_T: seconds without GCS heartbeat before the link-loss failsafe.
    #[arg(long, default_value = "10", value_parser = checked::positive_duration_s)]
    com_dl_loss_t_s: Duration,
    /// COM_LOW_BAT_ACT: battery failsafe (warning, land, return; PX4 SITL's default:
    /// return at critical, land at emergency).
    #[arg(long, default_value = "return")]
    low_bat_act: String,
    /// Hover endurance on a full battery, minutes of simulated time.
    #[arg(long, default_value = "30", value_parser = endurance_min)]
    endurance_min: f64,
    /// Seed of the fault-injection random generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print a status line per vehicle every this many seconds (0: never).
    #[arg(long, default_value = "5", value_parser = checked::duration_s)]
    status_every_s: Duration,
    /// MAVLink 2 signing key file (32 raw bytes or 64 hex digits): every vehicle signs
    /// its frames and drops unsigned, wrongly signed and replayed ones, as PX4 does
    /// with a key. Without it, signing starts only when a SETUP_SIGNING arrives.
    #[arg(long, value_name = "FILE")]
    signing_key: Option<std::path::PathBuf>,
}

/// A home position: where and how high above sea level.
#[derive(Debug, Clone, Copy)]
struct Home {
    at: LatLon,
    alt_amsl_m: f64,
}

fn parse_home(s: &str) -> Result<Home, String> {
    let expected = "expected LAT,LON,ALT_M, e.g. 16.9742,7.9865,501 or -8.05,-34.9,10";
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    let [lat, lon, alt] = parts.as_slice() else {
        return Err(expected.to_owned());
    };
    let lat = checked::in_range(lat, -90.0, 90.0).map_err(|e| format!("latitude {e}"))?;
    let lon = checked::in_range(lon, -180.0, 180.0).map_err(|e| format!("longitude {e}"))?;
    let alt_amsl_m =
        checked::in_range(alt, -500.0, 9000.0).map_err(|e| format!("altitude (metres) {e}"))?;
    Ok(Home {
        at: LatLon::new(lat, lon),
        alt_amsl_m,
    })
}

fn speed_factor(s: &str) -> Result<f64, String> {
    checked::in_range(s, 1e-3, 1000.0)
}

fn percent(s: &str) -> Result<f64, String> {
    checked::in_range(s, 0.0, 100.0)
}

fn endurance_min(s: &str) -> Result<f64, String> {
    // At most the longest duration any argument may ask for.
    let v = checked::positive(s)?;
    if v * 60.0 > checked::MAX_DURATION_S {
        return Err(format!("{v} min is out of range"));
    }
    Ok(v)
}

/// Arguments that are each valid but not together: the vehicles' system ids and ports.
fn check_fleet(args: &Args) -> Result<()> {
    let count = usize::from(args.count);
    let last_sysid = usize::from(args.first_sysid) + count - 1;
    if last_sysid > 255 {
        bail!(
            "--count {count} --sysid {}: the last vehicle would be system id {last_sysid}; \
             system ids end at 255 (use --sysid {} or fewer vehicles)",
            args.first_sysid,
            256 - count
        );
    }
    if let LinkAddress::UdpIn(a) | LinkAddress::TcpIn(a) = &args.connect {
        let last_port = usize::from(a.port()) + count - 1;
        if a.port() != 0 && last_port > 65535 {
            bail!(
                "--connect {} --count {count}: each vehicle listens on its own port from {}, \
                 the last on {last_port}; ports end at 65535 (use a lower port, or port 0 for any)",
                args.connect,
                a.port()
            );
        }
    }
    Ok(())
}

/// Marks an error as bad input (vigil-exit's marker: exit status 2).
fn bad(e: anyhow::Error) -> anyhow::Error {
    anyhow::Error::new(BadInput(e.into()))
}

fn config(args: &Args) -> Result<SimConfig> {
    check_fleet(args).map_err(bad)?;
    let mut cfg = SimConfig::new(args.connect.clone());
    cfg.vehicles = SimConfig::fleet(
        usize::from(args.count),
        args.first_sysid,
        args.home.at,
        args.home.alt_amsl_m,
    );
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
        other => {
            return Err(bad(anyhow::anyhow!(
                "--nav-dll-act {other:?}: expected disabled, hold, return, land or disarm"
            )));
        }
    };
    cfg.params.com_dl_loss_t_s = args.com_dl_loss_t_s.as_secs_f64();
    cfg.params.com_low_bat_act = match args.low_bat_act.as_str() {
        "warning" | "0" => LowBatteryAction::Warning,
        "land" | "2" => LowBatteryAction::Land,
        "return" | "3" => LowBatteryAction::ReturnThenLand,
        other => {
            return Err(bad(anyhow::anyhow!(
                "--low-bat-act {other:?}: expected warning, land or return"
            )));
        }
    };
    cfg.battery.endurance_s = args.endurance_min * 60.0;
    if let Some(path) = &args.signing_key {
        let key = gcs_link::SigningKey::from_file(path)
            .context("--signing-key")
            .map_err(bad)?;
        cfg.set_signing_key(Some(key));
    }
    Ok(cfg)
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    match run(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => vigil_exit::fail(
            "gcs-sim",
            false,
            &vigil_exit::error_text(e.as_ref()),
            vigil_exit::exit_code(e.as_ref()),
        ),
    }
}

async fn run(args: &Args) -> Result<()> {
    let cfg = config(args)?;
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
    let every = (!args.status_every_s.is_zero()).then_some(args.status_every_s);
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
