//! Carrying out a command's [`steps`](crate::steps) against a vehicle.
//!
//! Confirmation is the front end's job (a dialog, a prompt) and comes first; this
//! module then waits for a home position when the command needs one, arms when the
//! command needs the vehicle armed, and sends the command, each step waiting for the
//! vehicle's answer.

use std::time::Duration;

use gcs_link::mavlink::dialects::common::{COMMAND_LONG_DATA, MavCmd, MavMessage};
use gcs_link::{CommandError, FleetSnapshot, LinkSender, VehicleCommand, VehicleId};
use tokio::sync::watch;

use crate::command_rules::{Step, steps};

/// `HOME_POSITION`'s message id, asked for with `MAV_CMD_REQUEST_MESSAGE`.
const HOME_POSITION_ID: f32 = 242.0;

/// How often the home position is asked for again while waiting.
const HOME_REQUEST_EVERY: Duration = Duration::from_secs(1);

/// Why a command could not be carried out.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunError {
    /// The vehicle is not (or no longer) in the fleet.
    #[error("{0} is unknown: no HEARTBEAT heard from it")]
    UnknownVehicle(VehicleId),
    /// No home position within the time allowed.
    #[error("{vehicle} reported no home position within {waited:?}")]
    NoHome {
        /// The vehicle.
        vehicle: VehicleId,
        /// How long we waited.
        waited: Duration,
    },
    /// Arming before the command failed.
    #[error("arming {vehicle} before {command:?}: {source}")]
    Arm {
        /// The vehicle.
        vehicle: VehicleId,
        /// The command that needed it armed.
        command: VehicleCommand,
        /// The vehicle's answer.
        #[source]
        source: CommandError,
    },
    /// The command itself failed.
    #[error(transparent)]
    Command(#[from] CommandError),
    /// The link core stopped.
    #[error("the link core has stopped")]
    CoreStopped,
}

/// Carries out `command` on `vehicle`: waits for its home position when needed (up to
/// `home_wait`), arms it when needed, then sends the command. Confirmation must have
/// been given before calling this.
pub async fn run_command(
    link: &LinkSender,
    fleet: &watch::Receiver<FleetSnapshot>,
    vehicle: VehicleId,
    command: VehicleCommand,
    home_wait: Duration,
) -> Result<(), RunError> {
    let state = fleet
        .borrow()
        .get(vehicle)
        .cloned()
        .ok_or(RunError::UnknownVehicle(vehicle))?;
    for step in steps(&state, command) {
        match step {
            Step::WaitHome => wait_home(link, fleet, vehicle, home_wait).await?,
            Step::Arm => link
                .command(vehicle, VehicleCommand::Arm)
                .await
                .map_err(|source| RunError::Arm {
                    vehicle,
                    command,
                    source,
                })?,
            Step::Send(c) => link.command(vehicle, c).await?,
        }
    }
    Ok(())
}

/// Waits until `vehicle` has reported its home position, asking for it with
/// `MAV_CMD_REQUEST_MESSAGE` every second as QGroundControl does.
pub async fn wait_home(
    link: &LinkSender,
    fleet: &watch::Receiver<FleetSnapshot>,
    vehicle: VehicleId,
    timeout: Duration,
) -> Result<(), RunError> {
    let has_home = |s: &FleetSnapshot| s.get(vehicle).is_some_and(|v| v.home.is_some());
    if has_home(&fleet.borrow()) {
        return Ok(());
    }
    let mut rx = fleet.clone();
    let wait = async {
        loop {
            let ask = MavMessage::COMMAND_LONG(COMMAND_LONG_DATA {
                command: MavCmd::MAV_CMD_REQUEST_MESSAGE,
                param1: HOME_POSITION_ID,
                target_system: vehicle.sysid,
                target_component: vehicle.compid,
                ..Default::default()
            });
            // A link-lost vehicle cannot be asked; keep waiting for it to come back.
            let _ = link.send(vehicle, ask).await;
            let until = tokio::time::sleep(HOME_REQUEST_EVERY);
            tokio::pin!(until);
            loop {
                if has_home(&rx.borrow_and_update()) {
                    return Ok(());
                }
                tokio::select! {
                    changed = rx.changed() => changed.map_err(|_| RunError::CoreStopped)?,
                    _ = &mut until => break,
                }
            }
        }
    };
    tokio::time::timeout(timeout, wait)
        .await
        .map_err(|_| RunError::NoHome {
            vehicle,
            waited: timeout,
        })?
}
