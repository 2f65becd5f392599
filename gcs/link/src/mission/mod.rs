//! The MAVLink mission microservice, client side: upload, download, clear and set-current
//! for the three plan types (mission, geofence, rally points).
//!
//! [`transfer::MissionTransfer`] is the protocol as a sans-IO state machine (tested with a
//! fake clock and no sockets); [`client::MissionClient`] drives it over the link core.

pub mod client;
pub mod rtt;
pub mod transfer;
pub mod wire;

pub use client::MissionClient;
pub use rtt::RttEstimator;
pub use transfer::{MissionTransfer, Operation};
pub use vigil_values::raw::{MissionItemInt, MissionType};
pub use wire::MissionResult;

use serde::Serialize;

use crate::command::CommandError;
use crate::vehicle::VehicleId;

/// Items transferred so far, of the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Items done.
    pub done: usize,
    /// Items in the transfer (0 until a download learns the count).
    pub total: usize,
}

/// How a transfer ended well.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The vehicle acknowledged every item; its id for the new plan, if it reports one.
    Uploaded {
        /// The plan's opaque id (PX4: a CRC of the plan).
        opaque_id: Option<u32>,
    },
    /// The vehicle's list.
    Downloaded {
        /// The items, numbered 0..n.
        items: Vec<MissionItemInt>,
        /// The plan's opaque id, if the vehicle reports one.
        opaque_id: Option<u32>,
    },
    /// The list was emptied.
    Cleared,
    /// This item is now current.
    CurrentSet(u16),
}

/// Why a mission transfer failed. Every failure is loud: there is no partial success.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MissionError {
    /// The vehicle refused with a MAV_MISSION_RESULT.
    #[error("{vehicle}: {mission_type:?} transfer refused: {result} (during {stage})")]
    Rejected {
        /// The vehicle.
        vehicle: VehicleId,
        /// Which list.
        mission_type: MissionType,
        /// The vehicle's reason.
        result: MissionResult,
        /// Where in the protocol.
        stage: &'static str,
    },
    /// No answer after every retry.
    #[error("{vehicle}: {mission_type:?} transfer timed out after {retries} retries ({stage})")]
    Timeout {
        /// The vehicle.
        vehicle: VehicleId,
        /// Which list.
        mission_type: MissionType,
        /// Where in the protocol.
        stage: &'static str,
        /// Retries made at that step.
        retries: u32,
    },
    /// The vehicle broke the protocol.
    #[error("{vehicle}: mission protocol error: {detail}")]
    Protocol {
        /// The vehicle.
        vehicle: VehicleId,
        /// What went wrong.
        detail: String,
    },
    /// Items must be numbered 0, 1, 2, ... in order.
    #[error("mission item at index {index} has seq {seq}: items must be numbered 0..n in order")]
    Numbering {
        /// Position in the list.
        index: usize,
        /// The seq it carries.
        seq: u16,
    },
    /// An item of another list type.
    #[error("mission item {seq} is a {found:?} item in a {expected:?} upload")]
    WrongType {
        /// The item.
        seq: u16,
        /// The list uploaded.
        expected: MissionType,
        /// The item's type.
        found: MissionType,
    },
    /// More items than MAVLink can count.
    #[error("{0} items: MAVLink carries at most 65535")]
    TooMany(usize),
    /// An item cannot be encoded.
    #[error(transparent)]
    Wire(#[from] wire::WireError),
    /// The link could not carry the transfer (unknown vehicle, link lost, core stopped).
    #[error("mission transfer: {0}")]
    Link(#[from] CommandError),
    /// Cancelled by the operator.
    #[error("mission transfer cancelled")]
    Cancelled,
}

#[cfg(test)]
mod tests;
