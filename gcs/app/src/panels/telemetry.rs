//! The telemetry panel of the selected drone.
//!
//! Exists so the operator reads every figure of one drone with its unit; the lines come
//! from gcs-operator's tested `telemetry_lines`.

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::egui;
use gcs_operator::fleet_rows::{callsign, telemetry_lines};

use crate::link::Fleet;
use crate::panels::shared::Shared;

/// What the telemetry panel reads.
#[derive(SystemParam)]
pub struct TelemetryPanel<'w> {
    fleet: Res<'w, Fleet>,
}

impl TelemetryPanel<'_> {
    /// Draws the panel.
    pub fn show(&mut self, ui: &mut egui::Ui, sh: &Shared) {
        let Some(v) = sh.selection.vehicle.and_then(|id| self.fleet.0.get(id)) else {
            ui.heading("Telemetry");
            ui.label("Select a drone in the fleet panel or on the map.");
            return;
        };
        ui.heading(format!("Telemetry · {}", callsign(v.id)));
        if let Some(s) = &v.last_status {
            ui.label(format!("last message: [{:?}] {}", s.severity, s.text));
        }
        egui::Grid::new("telemetry-grid")
            .striped(true)
            .num_columns(2)
            .show(ui, |ui| {
                for (label, value) in telemetry_lines(v) {
                    ui.label(label);
                    ui.monospace(value);
                    ui.end_row();
                }
            });
    }
}
