//! `gcs-cli`: Vigil's headless ground station for relay huts, companion computers and scripts.
//!
//! Exit status is 0 only when the requested operation fully succeeded; any failure or
//! timeout prints a clear message and exits non-zero, so a script never mistakes a
//! failed upload for success.

mod confirm;
mod plan_io;
mod watch;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use gcs_link::mission::{MissionClient, MissionType, Progress};
use gcs_link::{
    FlightMode, LatLon, LinkAddress, LinkConfig, LinkHandle, VehicleCommand, VehicleId,
};
use indicatif::{ProgressBar, ProgressStyle};

/// Vigil's headless ground station: watch vehicles, transfer plans, send commands.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    /// Link to open: udpin:IP:PORT, udpout:HOST:PORT, tcpin:IP:PORT, tcpout:HOST:PORT,
    /// serial:PATH:BAUD. Repeat for several links (radio + LTE).
    #[arg(long = "connect")]
    connect: Vec<String>,
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
    #[arg(long, default_value_t = 15.0)]
    wait_s: f64,
    /// Machine-readable output (JSON) instead of tables and progress bars.
    #[arg(long, global = true)]
    json: bool,
    /// Confirm dangerous commands (arm, takeoff, disarm) without asking.
    #[arg(long, global = true)]
    yes: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ListType {
    Mission,
    Fence,
    Rally,
}

impl From<ListType> for MissionType {
    fn from(t: ListType) -> Self {
        match t {
            ListType::Mission => MissionType::Mission,
            ListType::Fence => MissionType::Fence,
            ListType::Rally => MissionType::Rally,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Mode {
    Hold,
    Mission,
    Return,
    Land,
    Position,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Live table of every vehicle: mode, armed, position, altitude, battery, link quality.
    Watch {
        /// Refresh interval, seconds.
        #[arg(long, default_value_t = 1.0)]
        every_s: f64,
        /// Stop after this many seconds (default: run until Ctrl-C).
        #[arg(long)]
        for_s: Option<f64>,
    },
    /// Mission, geofence and rally point transfers.
    Mission {
        #[command(subcommand)]
        op: MissionOp,
    },
    /// Vehicle parameters: list, get, set.
    Params {
        #[command(subcommand)]
        op: ParamsOp,
    },
    /// Replay a .tlog as a link and show its vehicles until the log ends (no --connect needed).
    Replay {
        /// The telemetry log.
        file: PathBuf,
        /// Replay speed factor.
        #[arg(long, default_value_t = 1.0)]
        speed: f64,
        /// Refresh interval, seconds.
        #[arg(long, default_value_t = 1.0)]
        every_s: f64,
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
    Takeoff {
        /// Altitude above home, metres.
        alt_m: f64,
    },
    /// Switch flight mode.
    Mode {
        /// The mode.
        mode: Mode,
    },
    /// Start the uploaded mission.
    Start,
    /// Fly to a point and hold there.
    Goto {
        /// Latitude, degrees.
        lat: f64,
        /// Longitude, degrees.
        lon: f64,
        /// Altitude above home, metres.
        alt_m: f64,
    },
    /// Return to launch.
    Rtl,
    /// Land where it is.
    Land,
}

#[derive(Debug, Subcommand)]
enum ParamsOp {
    /// Download every parameter (progress bar; re-requests what the stream missed).
    List,
    /// Read one parameter.
    Get {
        /// PX4 name, e.g. RTL_RETURN_ALT.
        name: String,
    },
    /// Set one parameter; the vehicle's echo confirms it.
    Set {
        /// PX4 name.
        name: String,
        /// The new value (converted to the parameter's type).
        value: f64,
    },
}

#[derive(Debug, Subcommand)]
enum MissionOp {
    /// Upload a plan file (.plan, .waypoints/.txt, or MAVLink items as .json).
    Upload {
        /// The file.
        file: PathBuf,
        /// Which list to upload from it.
        #[arg(long = "type", value_enum, default_value = "mission")]
        list: ListType,
    },
    /// Download the vehicle's list to a file (format by extension), written atomically.
    Download {
        /// Where to write it.
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
        /// Which list.
        #[arg(long = "type", value_enum, default_value = "mission")]
        list: ListType,
    },
    /// Empty the vehicle's list.
    Clear {
        /// Which list.
        #[arg(long = "type", value_enum, default_value = "mission")]
        list: ListType,
    },
}

async fn connect(cli: &Cli) -> Result<(LinkHandle, VehicleId)> {
    let links = cli
        .connect
        .iter()
        .map(|a| {
            a.parse::<LinkAddress>()
                .with_context(|| format!("--connect {a}"))
        })
        .collect::<Result<Vec<_>>>()?;
    connect_to(cli, links).await
}

async fn connect_to(cli: &Cli, links: Vec<LinkAddress>) -> Result<(LinkHandle, VehicleId)> {
    if links.is_empty() {
        bail!("no link: give --connect ADDR (e.g. --connect udpin:0.0.0.0:14550)");
    }
    let mut cfg = LinkConfig::new(links);
    cfg.gcs_sysid = cli.sysid;
    cfg.tlog_dir = cli.tlog.clone();
    if let Some(path) = &cli.signing_key {
        cfg.signing = Some(gcs_link::SigningKey::from_file(path).context("--signing-key")?);
    }
    let link = gcs_link::start(cfg).await.context("opening the links")?;
    let wait = Duration::from_secs_f64(cli.wait_s.max(0.1));
    let snap = link
        .wait_for(wait, |s| match cli.target {
            Some(t) => s.by_sysid(t).is_some(),
            None => !s.vehicles.is_empty(),
        })
        .await
        .with_context(|| {
            let heard = match cli.target {
                Some(t) => format!("no HEARTBEAT from vehicle {t} within {:.0} s", cli.wait_s),
                None => format!("no vehicle heard within {:.0} s", cli.wait_s),
            };
            let s = link.snapshot().signing;
            if s.rejected() == 0 {
                return heard;
            }
            format!(
                "{heard}; dropped {} unsigned, {} wrongly signed and {} replayed frames \
                 (check --signing-key)",
                s.rejected_unsigned, s.rejected_bad_signature, s.rejected_replayed
            )
        })?;
    let v = match cli.target {
        Some(t) => snap.by_sysid(t),
        None => snap.vehicles.values().next(),
    }
    .expect("waited for it");
    Ok((link, v.id))
}

fn progress_bar(json: bool, what: &str) -> ProgressBar {
    if json {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} items")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message(what.to_owned());
    bar
}

fn report(json: bool, value: serde_json::Value, text: String) {
    if json {
        println!("{value}");
    } else {
        println!("{text}");
    }
}

async fn mission(cli: &Cli, op: &MissionOp) -> Result<()> {
    let (link, id) = connect(cli).await?;
    let client = MissionClient::new(link.sender());
    match op {
        MissionOp::Upload { file, list } => {
            let t: MissionType = (*list).into();
            let items = plan_io::load_items(file, t)?;
            let bar = progress_bar(cli.json, "uploading");
            let update = |p: Progress| {
                bar.set_length(p.total as u64);
                bar.set_position(p.done as u64);
            };
            let id_out = client
                .upload(id, t, items.clone(), update, None)
                .await
                .with_context(|| format!("uploading {} to {id}", file.display()))?;
            bar.finish();
            report(
                cli.json,
                serde_json::json!({"uploaded": items.len(), "type": format!("{t:?}"), "opaque_id": id_out}),
                format!("uploaded {} {t:?} items to {id}", items.len()),
            );
        }
        MissionOp::Download { output, list } => {
            let t: MissionType = (*list).into();
            let bar = progress_bar(cli.json, "downloading");
            let update = |p: Progress| {
                bar.set_length(p.total as u64);
                bar.set_position(p.done as u64);
            };
            let items = client
                .download(id, t, update, None)
                .await
                .with_context(|| format!("downloading from {id}"))?;
            bar.finish();
            plan_io::save_items(output, t, &items)
                .with_context(|| format!("writing {}", output.display()))?;
            report(
                cli.json,
                serde_json::json!({"downloaded": items.len(), "type": format!("{t:?}"), "file": output}),
                format!(
                    "downloaded {} {t:?} items to {}",
                    items.len(),
                    output.display()
                ),
            );
        }
        MissionOp::Clear { list } => {
            let t: MissionType = (*list).into();
            client
                .clear(id, t)
                .await
                .with_context(|| format!("clearing {t:?} on {id}"))?;
            report(
                cli.json,
                serde_json::json!({"cleared": format!("{t:?}")}),
                format!("cleared {t:?} on {id}"),
            );
        }
    }
    Ok(())
}

/// Waits for the vehicle's home position, asking for it as QGroundControl does.
async fn wait_home(cli: &Cli, link: &LinkHandle, id: VehicleId) -> Result<()> {
    use gcs_link::mavlink::dialects::common::{COMMAND_LONG_DATA, MavCmd, MavMessage};
    if link.snapshot().get(id).is_some_and(|v| v.home.is_some()) {
        return Ok(());
    }
    let ask = MavMessage::COMMAND_LONG(COMMAND_LONG_DATA {
        command: MavCmd::MAV_CMD_REQUEST_MESSAGE,
        param1: 242.0, // HOME_POSITION
        target_system: id.sysid,
        target_component: id.compid,
        ..Default::default()
    });
    link.sender().send(id, ask).await?;
    link.wait_for(Duration::from_secs_f64(cli.wait_s.max(0.1)), |s| {
        s.get(id).is_some_and(|v| v.home.is_some())
    })
    .await
    .with_context(|| format!("{id} reported no home position within {:.0} s", cli.wait_s))?;
    Ok(())
}

/// Shows a replayed log until every vehicle in it has gone silent (the log ended).
async fn replay(cli: &Cli, file: &std::path::Path, speed: f64, every_s: f64) -> Result<()> {
    if !(speed.is_finite() && speed > 0.0) {
        bail!("--speed {speed}: expected a positive factor");
    }
    if !file.is_file() {
        bail!("{}: no such telemetry log", file.display());
    }
    let address: LinkAddress = format!("tlog:{}@{speed}", file.display())
        .parse()
        .with_context(|| format!("replaying {}", file.display()))?;
    let (link, _) = connect_to(cli, vec![address]).await?;
    let mut tick = tokio::time::interval(Duration::from_secs_f64(every_s.max(0.1)));
    loop {
        tick.tick().await;
        let snap = link.snapshot();
        if cli.json {
            println!("{}", serde_json::to_string(&snap)?);
        } else {
            print!("\x1b[2J\x1b[H{}", watch::table(&snap));
        }
        if snap.vehicles.values().all(|v| v.link_lost) {
            if !cli.json {
                println!("end of {}", file.display());
            }
            return Ok(());
        }
    }
}

async fn params(cli: &Cli, op: &ParamsOp) -> Result<()> {
    use gcs_link::params;
    let (link, id) = connect(cli).await?;
    let sender = link.sender();
    match op {
        ParamsOp::List => {
            let bar = progress_bar(cli.json, "parameters");
            let set = params::fetch_all(&sender, id, |p| {
                bar.set_length(p.total as u64);
                bar.set_position(p.received as u64);
            })
            .await
            .with_context(|| format!("downloading the parameters of {id}"))?;
            bar.finish_and_clear();
            if cli.json {
                println!("{}", serde_json::to_string(&set)?);
            } else {
                for p in &set.params {
                    println!(
                        "{:<16} {:>14} ({})",
                        p.name,
                        p.value.as_f64(),
                        p.value.kind()
                    );
                }
                println!("{} parameters", set.len());
            }
        }
        ParamsOp::Get { name } => {
            let p = params::get(&sender, id, name)
                .await
                .with_context(|| format!("reading {name} on {id}"))?;
            report(
                cli.json,
                serde_json::to_value(&p)?,
                format!("{} = {} ({})", p.name, p.value.as_f64(), p.value.kind()),
            );
        }
        ParamsOp::Set { name, value } => {
            let p = params::set_number(&sender, id, name, *value)
                .await
                .with_context(|| format!("setting {name} to {value} on {id}"))?;
            report(
                cli.json,
                serde_json::to_value(&p)?,
                format!(
                    "{} = {} ({}), confirmed by {id}",
                    p.name,
                    p.value.as_f64(),
                    p.value.kind()
                ),
            );
        }
    }
    Ok(())
}

async fn command(cli: &Cli, cmd: VehicleCommand) -> Result<()> {
    let (link, id) = connect(cli).await?;
    if matches!(
        cmd,
        VehicleCommand::Takeoff { .. } | VehicleCommand::GoTo { .. }
    ) {
        wait_home(cli, &link, id).await?;
    }
    if let VehicleCommand::Disarm = cmd
        && link
            .snapshot()
            .get(id)
            .is_some_and(|v| v.landed != gcs_link::vehicle::LandedState::OnGround)
    {
        confirm::confirm(&format!("disarm {id} while it may be flying"), cli.yes)?;
    }
    if cmd.is_dangerous() {
        confirm::confirm(&format!("{cmd:?} on {id}"), cli.yes)?;
    }
    link.command(id, cmd)
        .await
        .with_context(|| format!("{cmd:?} on {id}"))?;
    report(
        cli.json,
        serde_json::json!({"command": format!("{cmd:?}"), "vehicle": id.sysid, "result": "accepted"}),
        format!("{cmd:?}: accepted by {id}"),
    );
    Ok(())
}

async fn run(cli: Cli) -> Result<()> {
    match &cli.command {
        Command::Watch { every_s, for_s } => {
            let (link, _) = connect(&cli).await?;
            watch::run(
                link.fleet(),
                Duration::from_secs_f64(every_s.max(0.1)),
                for_s.map(Duration::from_secs_f64),
                cli.json,
            )
            .await
        }
        Command::Mission { op } => mission(&cli, op).await,
        Command::Replay {
            file,
            speed,
            every_s,
        } => replay(&cli, file, *speed, *every_s).await,
        Command::Params { op } => params(&cli, op).await,
        Command::Arm => command(&cli, VehicleCommand::Arm).await,
        Command::Disarm { force } => {
            command(
                &cli,
                if *force {
                    VehicleCommand::ForceDisarm
                } else {
                    VehicleCommand::Disarm
                },
            )
            .await
        }
        Command::Takeoff { alt_m } => {
            command(&cli, VehicleCommand::Takeoff { alt_rel_m: *alt_m }).await
        }
        Command::Mode { mode } => {
            let mode = match mode {
                Mode::Hold => FlightMode::Hold,
                Mode::Mission => FlightMode::Mission,
                Mode::Return => FlightMode::Return,
                Mode::Land => FlightMode::Land,
                Mode::Position => FlightMode::Position,
            };
            command(&cli, VehicleCommand::SetMode(mode)).await
        }
        Command::Start => command(&cli, VehicleCommand::StartMission).await,
        Command::Goto { lat, lon, alt_m } => {
            let target = LatLon::new(*lat, *lon);
            if !target.is_valid() {
                bail!("goto {lat} {lon}: not a valid latitude/longitude in degrees");
            }
            command(
                &cli,
                VehicleCommand::GoTo {
                    target,
                    alt_rel_m: *alt_m,
                },
            )
            .await
        }
        Command::Rtl => command(&cli, VehicleCommand::ReturnToLaunch).await,
        Command::Land => command(&cli, VehicleCommand::Land).await,
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
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            if json {
                println!("{}", serde_json::json!({"error": format!("{e:#}")}));
            }
            eprintln!("gcs-cli: error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
