//! `gcs-cli`: Vigil's headless ground station for relay huts, companion computers and scripts.
//!
//! One file per subcommand (`watch`, `replay`, `params`, `mission`, `command`), the
//! shared link setup in `link.rs`. Exit status: 0 when the requested operation fully
//! succeeded, 1 when it failed (a refusal, a timeout, a lost link), 2 on bad input
//! (arguments, unreadable or invalid input files); every failure prints a clear
//! message, so a script never mistakes a failed upload for success.

mod args;
mod command;
mod confirm;
mod exit;
mod link;
mod mission;
mod output;
mod params;
mod plan_io;
mod replay;
mod watch;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use clap::{Parser, Subcommand};
use gcs_link::address::ReplaySpeed;
use gcs_link::{LinkAddress, VehicleCommand};
use vigil_values::checked;

/// Vigil's headless ground station: watch vehicles, transfer plans, send commands.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    /// Link to open: udpin:IP:PORT (or udp:IP:PORT, listen), udpout:HOST:PORT,
    /// tcpin:IP:PORT, tcpout:HOST:PORT, serial:PATH:BAUD. Repeat for several links
    /// (radio + LTE).
    #[arg(long = "connect", value_name = "ADDRESS")]
    connect: Vec<LinkAddress>,
    /// Record every frame in and out to a .tlog file in this directory (one per session).
    #[arg(long)]
    tlog: Option<PathBuf>,
    /// Our MAVLink system id.
    #[arg(long, default_value_t = 255)]
    sysid: u8,
    /// The vehicle's system id (default: the first vehicle heard).
    #[arg(long)]
    target: Option<u8>,
    /// MAVLink 2 signing key file (32 raw bytes or 64 hex digits): sign every frame and
    /// accept only frames correctly signed with it.
    #[arg(long, global = true, value_name = "FILE")]
    signing_key: Option<PathBuf>,
    /// Seconds to wait for the vehicle's first HEARTBEAT.
    #[arg(long, default_value = "15", value_parser = checked::positive_duration_s)]
    wait_s: Duration,
    /// Machine-readable output (JSON) instead of tables and progress bars.
    #[arg(long, global = true)]
    json: bool,
    /// Confirm dangerous commands (arm, takeoff, disarm) without asking.
    #[arg(long, global = true)]
    yes: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Live table of every vehicle: mode, armed, position, altitude, battery, link quality.
    Watch {
        /// Refresh interval, seconds.
        #[arg(long, default_value = "1", value_parser = checked::positive_duration_s)]
        every_s: Duration,
        /// Stop after this many seconds (default: run until Ctrl-C).
        #[arg(long, value_parser = checked::duration_s)]
        for_s: Option<Duration>,
    },
    /// Mission, geofence and rally point transfers.
    Mission {
        #[command(subcommand)]
        op: mission::MissionOp,
    },
    /// Vehicle parameters: list, get, set.
    Params {
        #[command(subcommand)]
        op: params::ParamsOp,
    },
    /// Replay a .tlog as a link and show its vehicles until the log ends (no --connect needed).
    Replay {
        /// The telemetry log.
        file: PathBuf,
        /// Replay speed factor.
        #[arg(long, default_value = "1", value_parser = args::replay_speed)]
        speed: ReplaySpeed,
        /// Refresh interval, seconds.
        #[arg(long, default_value = "1", value_parser = checked::positive_duration_s)]
        every_s: Duration,
    },
    /// Arm the motors (asks for confirmation).
    Arm,
    /// Disarm (PX4 refuses in flight).
    Disarm {
        /// Force a disarm even in flight: the vehicle falls.
        #[arg(long)]
        force: bool,
    },
    /// Take off to an altitude above home, metres (asks for confirmation).
    #[command(allow_negative_numbers = true)]
    Takeoff {
        /// Altitude above home, metres.
        #[arg(value_parser = checked::finite)]
        alt_m: f64,
    },
    /// Switch flight mode.
    Mode {
        /// The mode.
        mode: command::Mode,
    },
    /// Start the uploaded mission.
    Start,
    /// Fly to a point and hold there (southern latitudes and western longitudes are
    /// negative: `goto -8.05 -34.9 50`).
    #[command(allow_negative_numbers = true)]
    Goto {
        /// Latitude, degrees (-90..=90).
        #[arg(value_parser = args::lat_deg)]
        lat: f64,
        /// Longitude, degrees (-180..=180).
        #[arg(value_parser = args::lon_deg)]
        lon: f64,
        /// Altitude above home, metres.
        #[arg(value_parser = checked::finite)]
        alt_m: f64,
    },
    /// Return to launch.
    Rtl,
    /// Land where it is.
    Land,
}

async fn run(cli: Cli) -> Result<()> {
    match &cli.command {
        Command::Watch { every_s, for_s } => watch::run(&cli, *every_s, *for_s).await,
        Command::Mission { op } => mission::run(&cli, op).await,
        Command::Replay {
            file,
            speed,
            every_s,
        } => replay::run(&cli, file, *speed, *every_s).await,
        Command::Params { op } => params::run(&cli, op).await,
        Command::Arm => command::run(&cli, VehicleCommand::Arm).await,
        Command::Disarm { force } => {
            let cmd = if *force {
                VehicleCommand::ForceDisarm
            } else {
                VehicleCommand::Disarm
            };
            command::run(&cli, cmd).await
        }
        Command::Takeoff { alt_m } => {
            command::run(&cli, VehicleCommand::Takeoff { alt_rel_m: *alt_m }).await
        }
        Command::Mode { mode } => command::run(&cli, VehicleCommand::SetMode((*mode).into())).await,
        Command::Start => command::run(&cli, VehicleCommand::StartMission).await,
        Command::Goto { lat, lon, alt_m } => command::goto(&cli, *lat, *lon, *alt_m).await,
        Command::Rtl => command::run(&cli, VehicleCommand::ReturnToLaunch).await,
        Command::Land => command::run(&cli, VehicleCommand::Land).await,
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let json = cli.json;
    exit::finish("gcs-cli", json, run(cli).await)
}
