//! `gcs-cli arm|disarm|takeoff|mode|start|goto|rtl|land`: one vehicle command, with
//! confirmation of the dangerous ones and the vehicle's answer as the result.

use anyhow::{Context, Result, bail};
use clap::ValueEnum;
use gcs_link::{FlightMode, LatLon, LinkHandle, VehicleCommand, VehicleId};

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
    link.wait_for(cli.wait_s, |s| s.get(id).is_some_and(|v| v.home.is_some()))
        .await
        .with_context(|| {
            format!(
                "{id} reported no home position within {} s",
                cli.wait_s.as_secs_f64()
            )
        })?;
    Ok(())
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

/// Sends `cmd` to the vehicle (after confirmation where it is dangerous) and reports
/// its answer.
pub async fn run(cli: &Cli, cmd: VehicleCommand) -> Result<()> {
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
