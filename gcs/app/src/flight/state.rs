//! What the flight panel shows: the pending confirmation, the results log, transfers in
//! progress, the take-off height.

use std::collections::VecDeque;

use bevy::prelude::*;
use gcs_link::VehicleCommand;
use gcs_link::VehicleId;
use gcs_link::mission::{MissionType, Progress};

use crate::flight::confirm::Pending;

/// Results kept in the panel's log.
const LOG_LEN: usize = 12;

/// Flight state the panel shows.
#[derive(Resource, Default)]
pub struct FlightState {
    /// A dangerous request awaiting confirmation.
    pub pending: Option<Pending>,
    /// Recent results, newest first: (is an error, text).
    pub log: VecDeque<(bool, String)>,
    /// Transfer in progress per vehicle: list and progress.
    pub transfers: std::collections::BTreeMap<VehicleId, (MissionType, Progress)>,
    /// Take-off height above home, metres.
    pub takeoff_alt_m: f64,
    /// Whether a vehicle's flight envelope has been asked for (once, from the first
    /// vehicle heard).
    pub envelope_requested: bool,
}

/// Adds a result to the log, newest first.
pub fn push_log(state: &mut FlightState, error: bool, text: String) {
    state.log.push_front((error, text));
    state.log.truncate(LOG_LEN);
}

/// A command in the operator's words.
pub fn command_label(c: &VehicleCommand) -> String {
    match c {
        VehicleCommand::Arm => "arm".into(),
        VehicleCommand::Disarm => "disarm".into(),
        VehicleCommand::ForceDisarm => "force disarm".into(),
        VehicleCommand::Takeoff { alt_rel_m } => format!("take off to {alt_rel_m:.0} m"),
        VehicleCommand::Land => "land".into(),
        VehicleCommand::ReturnToLaunch => "return".into(),
        VehicleCommand::Hold => "hold".into(),
        VehicleCommand::SetMode(m) => format!("mode {m}"),
        VehicleCommand::StartMission => "start mission".into(),
        VehicleCommand::GoTo { target, alt_rel_m } => format!(
            "go to {:.5}°, {:.5}° at {alt_rel_m:.0} m",
            target.lat_deg, target.lon_deg
        ),
        VehicleCommand::SetCurrentMissionItem(seq) => format!("set current item {seq}"),
    }
}
