//! Which operator commands need the operator's confirmation, and the commands an action
//! takes (a take-off arms a disarmed drone first).
//!
//! Exists as the one place the app's command rules live; they belong below the app,
//! and gcs-operator's shared rules replace `confirmation_reason` and `steps` here.

use gcs_link::vehicle::LandedState;
use gcs_link::{LatLon, VehicleCommand, VehicleId, VehicleState};
use mission_planner::validate::fence_allows;

use crate::link::LinkRequest;

/// A request waiting for the operator's confirmation.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// The request.
    pub request: LinkRequestKind,
    /// Why it needs confirming, in words.
    pub reason: String,
}

/// What a pending request does (kept small and comparable for tests).
#[derive(Debug, Clone, PartialEq)]
pub enum LinkRequestKind {
    /// Commands to one vehicle, in order.
    Commands(VehicleId, Vec<VehicleCommand>),
}

/// The commands an operator action takes: PX4 takes off only when armed, so a take-off
/// of a disarmed drone arms it first.
pub fn steps(v: &VehicleState, command: VehicleCommand) -> Vec<VehicleCommand> {
    match command {
        VehicleCommand::Takeoff { .. } if !v.armed => vec![VehicleCommand::Arm, command],
        _ => vec![command],
    }
}

/// Why a command must be confirmed, if it must (`None`: send at once).
pub fn confirmation_reason(
    v: &VehicleState,
    command: &VehicleCommand,
    fence: &mission_planner::GeoFence,
) -> Option<String> {
    let name = format!("PX4-{}", v.id.sysid);
    match command {
        VehicleCommand::Arm => Some(format!("Arm {name}? The propellers will spin.")),
        VehicleCommand::Takeoff { alt_rel_m } => Some(format!(
            "{name} will arm if needed and take off to {alt_rel_m:.0} m above home."
        )),
        VehicleCommand::ForceDisarm => Some(format!(
            "FORCE DISARM {name}: the motors stop at once and it falls if flying."
        )),
        VehicleCommand::Disarm if v.landed == LandedState::InAir => Some(format!(
            "{name} is in the air: disarming stops the motors and it falls."
        )),
        VehicleCommand::GoTo { target, .. }
            if !fence.is_empty() && !fence_allows(fence, *target) =>
        {
            Some(format!(
                "The go-to point {:.5}°, {:.5}° is outside the plan's geofence. Send {name} there anyway?",
                target.lat_deg, target.lon_deg
            ))
        }
        _ => None,
    }
}

/// Whether `p` is allowed by `fence` (inside every inclusion zone, outside exclusions).
#[allow(dead_code)]
pub fn allowed(fence: &mission_planner::GeoFence, p: LatLon) -> bool {
    fence_allows(fence, p)
}

/// The link request for `commands` to `vehicle`: one command, or a sequence stopping at
/// the first that fails.
pub fn to_request(vehicle: VehicleId, mut commands: Vec<VehicleCommand>) -> LinkRequest {
    if commands.len() == 1 {
        LinkRequest::Command {
            vehicle,
            command: commands.remove(0),
        }
    } else {
        LinkRequest::Sequence { vehicle, commands }
    }
}
