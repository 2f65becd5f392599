//! `gcs-cli arm|disarm|takeoff|mode|start|goto|rtl|land`: one vehicle command, with
//! confirmation of the dangerous ones and the vehicle's answer as the result; the rules
//! are gcs-operator's, shared with the app.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::ValueEnum;
use gcs_link::mission::MissionType;
use gcs_link::{FlightMode, LatLon, LinkHandle, VehicleCommand, VehicleId};
use gcs_operator::PlanTransfer;
use mission_planner::GeoFence;

use crate::Cli;
use crate::confirm;
use crate::link::connect;
use crate::output::report;

/// The flight modes an operator switches to.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Mode {
    Hold,
    Mission,
    Return,
    Land,
    Position,
}

impl From<Mode> for FlightMode {
    fn from(m: Mode) -> Self {
        match m {
            Mode::Hold => FlightMode::Hold,
            Mode::Mission => FlightMode::Mission,
            Mode::Return => FlightMode::Return,
            Mode::Land => FlightMode::Land,
            Mode::Position => FlightMode::Position,
        }
    }
}

/// `goto LAT LON ALT_M`.
pub async fn goto(cli: &Cli, lat: f64, lon: f64, alt_m: f64) -> Result<()> {
    let target = LatLon::new(lat, lon);
    if !target.is_valid() {
        bail!("goto {lat} {lon}: not a valid latitude/longitude in degrees");
    }
    run(
        cli,
        VehicleCommand::GoTo {
            target,
            alt_rel_m: alt_m,
        },
    )
    .await
}

/// The geofence the vehicle holds, for the go-to check (an empty fence when it has none
/// or it cannot be read: the operator is told).
async fn vehicle_fence(cli: &Cli, link: &LinkHandle, id: VehicleId) -> GeoFence {
    let service = PlanTransfer::new(link.sender(), link.fleet());
    match service
        .download(id, &[MissionType::Fence], Duration::ZERO, |_, _| {})
        .await
    {
        Ok(plan) => plan.fence,
        Err(e) => {
            if !cli.json {
                eprintln!(
                    "warning: could not read {id}'s geofence ({e}); the go-to point is not checked against it"
                );
            }
            GeoFence::default()
        }
    }
}

/// Carries out `cmd` on the vehicle with gcs-operator's rules (the same as the app's):
/// confirmation where it is dangerous (arming, take-off, a mission start that arms,
/// disarming while it may fly, a go-to outside its geofence), then a home position
/// where needed and arming before a take-off or mission start; reports its answer.
pub async fn run(cli: &Cli, cmd: VehicleCommand) -> Result<()> {
    let (link, id) = connect(cli).await?;
    let fence = match cmd {
        VehicleCommand::GoTo { .. } => vehicle_fence(cli, &link, id).await,
        _ => GeoFence::default(),
    };
    let state = link
        .snapshot()
        .get(id)
        .cloned()
        .with_context(|| format!("{id} is no longer heard"))?;
    if let Some(c) = gcs_operator::confirmation(&state, &cmd, &fence) {
        confirm::confirm(&c.question, cli.yes)?;
    }
    gcs_operator::run_command(&link.sender(), &link.fleet(), id, cmd, cli.wait_s)
        .await
        .with_context(|| format!("{cmd:?} on {id}"))?;
    report(
        cli.json,
        serde_json::json!({"command": format!("{cmd:?}"), "vehicle": id.sysid, "result": "accepted"}),
        format!("{cmd:?}: accepted by {id}"),
    );
    Ok(())
}
