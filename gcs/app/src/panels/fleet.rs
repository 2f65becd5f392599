//! The fleet panel: every drone with link state, mode, battery and mission progress.
//!
//! Exists so the operator sees the whole fleet at once and picks the drone to command;
//! the rows' text (with units) comes from gcs-operator's tested `fleet_rows`.

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::egui;
use gcs_operator::fleet_rows::{FleetRow, LinkStatus};

use crate::link::Fleet;
use crate::panels::shared::Shared;

/// What the fleet panel reads and changes.
#[derive(SystemParam)]
pub struct FleetPanel<'w> {
    fleet: Res<'w, Fleet>,
}

fn link_badge(s: LinkStatus) -> egui::RichText {
    match s {
        LinkStatus::Ok => egui::RichText::new("ok").color(egui::Color32::from_rgb(60, 220, 90)),
        LinkStatus::Degraded => {
            egui::RichText::new("weak").color(egui::Color32::from_rgb(240, 200, 40))
        }
        LinkStatus::Lost => egui::RichText::new("LOST")
            .strong()
            .color(egui::Color32::from_rgb(240, 60, 60)),
    }
}

impl FleetPanel<'_> {
    /// Draws the panel.
    pub fn show(&mut self, ui: &mut egui::Ui, sh: &mut Shared) {
        ui.heading(format!("Fleet ({} drones)", self.fleet.0.vehicles.len()));
        if self.fleet.0.vehicles.is_empty() {
            ui.label("Waiting for drones… (no HEARTBEAT yet)");
            return;
        }
        // Only the rows in view are laid out: the panel costs the same per frame for
        // 3 drones or 100.
        let vehicles: Vec<_> = self.fleet.0.vehicles.values().collect();
        let row_h = ui.spacing().interact_size.y;
        egui::ScrollArea::vertical().show_rows(ui, row_h, vehicles.len() + 1, |ui, range| {
            egui::Grid::new("fleet-grid")
                .striped(true)
                .num_columns(6)
                .show(ui, |ui| {
                    for i in range {
                        // Row 0 is the header, scrolling with the rows.
                        let Some(v) = i.checked_sub(1).and_then(|k| vehicles.get(k)) else {
                            for h in ["Drone", "Link", "Mode", "Battery", "Mission", "Alt / speed"]
                            {
                                ui.strong(h);
                            }
                            ui.end_row();
                            continue;
                        };
                        let r = FleetRow::new(v, None);
                        let selected = sh.selection.vehicle == Some(r.vehicle);
                        let name = if r.armed {
                            format!("{} (armed)", r.callsign)
                        } else {
                            r.callsign.clone()
                        };
                        let resp = ui.selectable_label(selected, name);
                        if resp.clicked() {
                            sh.selection.vehicle = Some(r.vehicle);
                        }
                        if resp.double_clicked()
                            && let Some(cam) = sh.camera.as_deref_mut()
                        {
                            cam.follow = true;
                        }
                        ui.label(link_badge(r.link));
                        ui.label(&r.mode);
                        ui.label(&r.battery);
                        ui.label(&r.mission);
                        ui.label(format!("{} · {}", r.alt, r.speed));
                        ui.end_row();
                    }
                });
        });
        ui.small("click: select · double-click: follow · F: follow on/off");
    }
}
