//! Vigil's operator rules, written once: the app and `gcs-cli` both call them.
//!
//! Rules written twice drift apart (the app once uploaded a `.plan`'s home as a
//! waypoint while the CLI dropped it; the two disagreed on "in flight"), so each rule
//! an operator depends on lives here, above the MAVLink core ([`gcs_link`]) and the
//! plan model ([`mission_planner`]) and below every front end:
//!
//! - [`plan_wire`]: what a whole [`Plan`](mission_planner::Plan) looks like on the
//!   wire for a given autopilot (PX4 keeps its own home, ArduPilot wants it at seq 0),
//!   and what a downloaded plan's home is;
//! - [`plan_transfer`]: uploading and downloading a whole plan (mission, geofence,
//!   rally points) with progress, through gcs-link's mission client;
//! - [`command_rules`]: which commands need the operator's confirmation and why, when
//!   a vehicle counts as flying, and what must happen before a command (arming before
//!   take-off or a mission start, a home position before altitudes above home);
//! - [`command_run`]: carrying those steps out against a vehicle;
//! - [`fleet_rows`]: what the operator reads of each vehicle (the fleet row, the
//!   telemetry lines, the best link's quality), in the app's panels and `gcs-cli watch`;
//! - [`envelope`]: the connected vehicle's flight envelope from its parameters, for
//!   sizing and estimating plans by how it really flies.

pub mod command_rules;
pub mod command_run;
pub mod envelope;
pub mod fleet_rows;
pub mod plan_transfer;
pub mod plan_wire;

pub use command_rules::ConfirmReason;
pub use command_rules::{Confirmation, Step, confirmation, in_flight, steps};
pub use command_run::{RunError, run_command, wait_home};
pub use envelope::read_envelope;
pub use plan_transfer::{ALL_LISTS, PlanLists, PlanTransfer, TransferError, UploadReport};
pub use plan_wire::{HomeItem, WireError, from_wire, home_item, to_wire};
