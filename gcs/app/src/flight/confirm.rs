//! Which operator commands wait for the operator's confirmation, in the app's terms.
//!
//! The rules themselves are gcs-operator's ([`gcs_operator::confirmation`]), shared
//! with gcs-cli; what a command takes (a home position, arming first) is carried out
//! on the link thread by [`gcs_operator::run_command`].

use gcs_link::{VehicleCommand, VehicleId, VehicleState};

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
    /// A command to one vehicle.
    Command(VehicleId, VehicleCommand),
}

/// The question to ask before `command` goes to `v`, if it must be confirmed.
pub fn confirmation_reason(
    v: &VehicleState,
    command: &VehicleCommand,
    fence: &mission_planner::GeoFence,
) -> Option<String> {
    gcs_operator::confirmation(v, command, fence).map(|c| c.question)
}

/// The link request for `command` to `vehicle`.
pub fn to_request(vehicle: VehicleId, command: VehicleCommand) -> LinkRequest {
    LinkRequest::Command { vehicle, command }
}
