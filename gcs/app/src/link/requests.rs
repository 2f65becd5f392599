//! What the app asks of the link thread, and what comes back.
//!
//! Exists so panels and tools speak to the link in typed requests without knowing the
//! thread or its channels.

use gcs_link::mission::{MissionType, Progress};
use gcs_link::{VehicleCommand, VehicleId};
use mission_planner::Plan;
use mission_planner::estimate::Px4Envelope;

/// What the operator asks of the link.
#[derive(Debug, Clone)]
pub enum LinkRequest {
    /// Carry out a command (gcs-operator's steps: a home position first where needed,
    /// arming before a take-off or mission start) and report the vehicle's answer.
    Command {
        /// To whom.
        vehicle: VehicleId,
        /// What.
        command: VehicleCommand,
    },
    /// Replace the vehicle's mission, fence and rally points with `plan`'s.
    Upload {
        /// To whom.
        vehicle: VehicleId,
        /// The plan.
        plan: Box<Plan>,
    },
    /// Read the vehicle's mission, fence and rally points.
    Download {
        /// From whom.
        vehicle: VehicleId,
    },
    /// Read the vehicle's flight envelope from its parameters (gcs-operator's
    /// `read_envelope`), so that patrols are sized by how it really flies.
    ReadEnvelope {
        /// From whom.
        vehicle: VehicleId,
    },
}

/// What came of a request.
#[derive(Debug, Clone)]
pub enum LinkReply {
    /// A command finished.
    Command {
        /// To whom.
        vehicle: VehicleId,
        /// What.
        command: VehicleCommand,
        /// Accepted, or why not.
        result: Result<(), String>,
    },
    /// A mission transfer advanced.
    Progress {
        /// Which vehicle.
        vehicle: VehicleId,
        /// Which list.
        list: MissionType,
        /// How far.
        progress: Progress,
    },
    /// An upload finished.
    Uploaded {
        /// To whom.
        vehicle: VehicleId,
        /// Done, or why not.
        result: Result<(), String>,
    },
    /// A download finished.
    Downloaded {
        /// From whom.
        vehicle: VehicleId,
        /// The plan, or why not.
        result: Result<Box<Plan>, String>,
    },
    /// The vehicle's flight envelope was read.
    Envelope {
        /// From whom.
        vehicle: VehicleId,
        /// The envelope, or why not.
        result: Result<Px4Envelope, String>,
    },
}
