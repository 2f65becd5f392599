//! The flight section of the selected drone's panel: command buttons, plan transfers
//! with progress, the results log, and the confirmation dialog.

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::egui;
use gcs_link::mission::{MissionType, Progress};
use gcs_link::{VehicleCommand, VehicleId, VehicleState};
use mission_planner::{GeoFence, Plan};

use crate::flight::commands::request;
use crate::flight::confirm::{LinkRequestKind, to_request};
use crate::flight::state::{FlightState, push_log};
use crate::link::{Fleet, LinkRequest, SendRequest};
use crate::ui_state::Tool;
use gcs_operator::fleet_rows::callsign;

/// What the flight panel reads and changes.
#[derive(SystemParam)]
pub struct FlightPanel<'w> {
    state: ResMut<'w, FlightState>,
    fleet: Res<'w, Fleet>,
    send: MessageWriter<'w, SendRequest>,
}

/// A transfer's progress as a fraction (0 until the item count is known).
fn fraction(p: &Progress) -> f32 {
    if p.total > 0 {
        p.done as f32 / p.total as f32
    } else {
        0.0
    }
}

impl FlightPanel<'_> {
    /// Menu-bar status: transfers in progress.
    pub fn toolbar(&mut self, ui: &mut egui::Ui) {
        for (id, (list, p)) in &self.state.transfers {
            ui.label(format!("{} {list:?}", callsign(*id)));
            ui.add(
                egui::ProgressBar::new(fraction(p))
                    .desired_width(120.0)
                    .text(format!("{}/{} items", p.done, p.total)),
            );
        }
    }

    /// The command section of the selected drone's panel.
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        selected: Option<VehicleId>,
        plan: &Plan,
        tool: &mut Tool,
    ) {
        let Some(v) = selected.and_then(|id| self.fleet.0.get(id)).cloned() else {
            return;
        };
        ui.heading("Commands");
        self.commands(ui, &v, &plan.fence, tool);
        ui.separator();
        self.transfers(ui, v.id, plan);
        ui.separator();
        for (error, text) in &self.state.log {
            let colour = if *error {
                egui::Color32::from_rgb(255, 90, 80)
            } else {
                egui::Color32::from_rgb(120, 220, 120)
            };
            ui.colored_label(colour, text);
        }
    }

    /// Arm, disarm, hold, return, land, take off, start mission, go-to.
    fn commands(&mut self, ui: &mut egui::Ui, v: &VehicleState, fence: &GeoFence, tool: &mut Tool) {
        let (state, send) = (&mut *self.state, &mut self.send);
        let mut cmd = |state: &mut FlightState, c| request(state, send, v, c, fence);
        ui.horizontal_wrapped(|ui| {
            for (label, c) in [
                ("Arm", VehicleCommand::Arm),
                ("Disarm", VehicleCommand::Disarm),
                ("Hold", VehicleCommand::Hold),
                ("Return (RTL)", VehicleCommand::ReturnToLaunch),
                ("Land", VehicleCommand::Land),
            ] {
                if ui.button(label).clicked() {
                    cmd(state, c);
                }
            }
        });
        ui.horizontal(|ui| {
            ui.add(
                egui::DragValue::new(&mut state.takeoff_alt_m)
                    .range(5.0..=500.0)
                    .suffix(" m above home"),
            );
            if ui.button("Take off").clicked() {
                let alt_rel_m = state.takeoff_alt_m;
                cmd(state, VehicleCommand::Takeoff { alt_rel_m });
            }
        });
        ui.horizontal_wrapped(|ui| {
            if ui.button("Start mission").clicked() {
                cmd(state, VehicleCommand::StartMission);
            }
            let go = *tool == Tool::GoTo;
            if ui.selectable_label(go, "Go to… (click map)").clicked() {
                *tool = if go { Tool::Navigate } else { Tool::GoTo };
            }
        });
    }

    /// Plan upload and download, with the transfer's progress.
    fn transfers(&mut self, ui: &mut egui::Ui, vehicle: VehicleId, plan: &Plan) {
        let (state, send) = (&mut *self.state, &mut self.send);
        ui.horizontal(|ui| {
            let busy = state.transfers.contains_key(&vehicle);
            let started = (MissionType::Mission, Progress { done: 0, total: 0 });
            if ui
                .add_enabled(!busy, egui::Button::new("Upload plan"))
                .on_hover_text("Replaces the drone's mission, geofence and rally points")
                .clicked()
            {
                send.write(SendRequest(LinkRequest::Upload {
                    vehicle,
                    plan: Box::new(plan.clone()),
                }));
                state.transfers.insert(vehicle, started);
            }
            if ui
                .add_enabled(!busy, egui::Button::new("Download plan"))
                .clicked()
            {
                send.write(SendRequest(LinkRequest::Download { vehicle }));
                state.transfers.insert(vehicle, started);
            }
        });
        if let Some((list, p)) = state.transfers.get(&vehicle) {
            ui.add(
                egui::ProgressBar::new(fraction(p))
                    .text(format!("{list:?}: {}/{} items", p.done, p.total)),
            );
        }
    }

    /// The confirmation dialog, when a dangerous request waits.
    pub fn dialogs(&mut self, ctx: &egui::Context) {
        let Some(p) = self.state.pending.clone() else {
            return;
        };
        let mut decided = None;
        egui::Modal::new(egui::Id::new("confirm")).show(ctx, |ui| {
            ui.heading("Confirm");
            ui.label(&p.reason);
            ui.horizontal(|ui| {
                if ui.button("Confirm").clicked() {
                    decided = Some(true);
                }
                if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(egui::Key::Escape)) {
                    decided = Some(false);
                }
            });
        });
        match decided {
            Some(true) => {
                let LinkRequestKind::Command(vehicle, command) = p.request;
                self.send.write(SendRequest(to_request(vehicle, command)));
                self.state.pending = None;
            }
            Some(false) => {
                push_log(&mut self.state, false, "cancelled".into());
                self.state.pending = None;
            }
            None => {}
        }
    }
}
