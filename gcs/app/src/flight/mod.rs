//! Flying: arm, take off, start mission, hold, go-to by clicking the map, return, land,
//! disarm; plan upload and download with progress. Dangerous actions (arm, take off,
//! disarm in flight, go-to outside the geofence) ask for confirmation first.
//!
//! Exists as the shell over gcs-link's typed commands and mission client: requests go
//! to the link thread as messages; replies come back as messages and are shown.

use std::collections::VecDeque;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy::window::PrimaryWindow;
use bevy_egui::egui;
use bevy_egui::input::EguiWantsInput;
use gcs_link::mission::{MissionType, Progress};
use gcs_link::vehicle::LandedState;
use gcs_link::{LatLon, VehicleCommand, VehicleId, VehicleState};
use mission_planner::validate::fence_allows;

use crate::camera::{MainCamera, cursor_in_viewport};
use crate::link::{Fleet, FleetReply, LinkReply, LinkRequest, SendRequest};
use crate::panels::Shared;
use crate::planning::PlanDoc;
use crate::ui_state::{CursorGround, Selection, Tool};

/// Results kept in the panel's log.
const LOG_LEN: usize = 12;

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

fn to_request(vehicle: VehicleId, mut commands: Vec<VehicleCommand>) -> LinkRequest {
    if commands.len() == 1 {
        LinkRequest::Command {
            vehicle,
            command: commands.remove(0),
        }
    } else {
        LinkRequest::Sequence { vehicle, commands }
    }
}

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

/// Sends commands and transfers, shows progress and results.
pub struct FlightPlugin;

impl Plugin for FlightPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(FlightState {
            takeoff_alt_m: 50.0,
            ..default()
        })
        .add_systems(
            Update,
            (click_go_to.after(crate::camera::ReadCursor), read_replies),
        );
    }
}

fn push_log(state: &mut FlightState, error: bool, text: String) {
    state.log.push_front((error, text));
    state.log.truncate(LOG_LEN);
}

fn read_replies(
    mut replies: MessageReader<FleetReply>,
    mut state: ResMut<FlightState>,
    mut doc: ResMut<PlanDoc>,
) {
    for FleetReply(r) in replies.read() {
        match r {
            LinkReply::Command {
                vehicle,
                command,
                result,
            } => {
                let text = match result {
                    Ok(()) => format!("PX4-{}: {} accepted", vehicle.sysid, command_label(command)),
                    Err(e) => format!(
                        "PX4-{}: {} failed: {e}",
                        vehicle.sysid,
                        command_label(command)
                    ),
                };
                push_log(&mut state, result.is_err(), text);
            }
            LinkReply::Progress {
                vehicle,
                list,
                progress,
            } => {
                state.transfers.insert(*vehicle, (*list, *progress));
            }
            LinkReply::Uploaded { vehicle, result } => {
                state.transfers.remove(vehicle);
                let text = match result {
                    Ok(()) => format!("PX4-{}: plan uploaded", vehicle.sysid),
                    Err(e) => format!("PX4-{}: upload failed: {e}", vehicle.sysid),
                };
                push_log(&mut state, result.is_err(), text);
            }
            LinkReply::Downloaded { vehicle, result } => {
                state.transfers.remove(vehicle);
                match result {
                    Ok(plan) => {
                        doc.replace((**plan).clone());
                        push_log(
                            &mut state,
                            false,
                            format!(
                                "PX4-{}: plan downloaded ({} mission items)",
                                vehicle.sysid,
                                plan.mission.items.len()
                            ),
                        );
                    }
                    Err(e) => push_log(
                        &mut state,
                        true,
                        format!("PX4-{}: download failed: {e}", vehicle.sysid),
                    ),
                }
            }
        }
    }
}

/// Sends `command` at once, or asks first when it is dangerous.
fn request(
    state: &mut FlightState,
    send: &mut MessageWriter<SendRequest>,
    v: &VehicleState,
    command: VehicleCommand,
    fence: &mission_planner::GeoFence,
) {
    let commands = steps(v, command);
    match confirmation_reason(v, &command, fence) {
        Some(reason) => {
            state.pending = Some(Pending {
                request: LinkRequestKind::Commands(v.id, commands),
                reason,
            })
        }
        None => {
            send.write(SendRequest(to_request(v.id, commands)));
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn click_go_to(
    buttons: Res<ButtonInput<MouseButton>>,
    window: Query<&Window, With<PrimaryWindow>>,
    camera: Query<&Camera, With<MainCamera>>,
    egui: Option<Res<EguiWantsInput>>,
    cursor: Res<CursorGround>,
    fleet: Res<Fleet>,
    selection: Res<Selection>,
    doc: Res<PlanDoc>,
    mut tool: ResMut<Tool>,
    mut state: ResMut<FlightState>,
    mut send: MessageWriter<SendRequest>,
) {
    if *tool != Tool::GoTo || !buttons.just_released(MouseButton::Left) {
        return;
    }
    let (Ok(window), Ok(camera)) = (window.single(), camera.single()) else {
        return;
    };
    if egui.is_some_and(|e| e.is_pointer_over_area())
        || cursor_in_viewport(window, camera).is_none()
    {
        return;
    }
    let (Some((target, _)), Some(v)) =
        (cursor.at, selection.vehicle.and_then(|id| fleet.0.get(id)))
    else {
        return;
    };
    let alt_rel_m = v.position.map_or(50.0, |p| p.alt_rel_m.max(20.0));
    request(
        &mut state,
        &mut send,
        v,
        VehicleCommand::GoTo { target, alt_rel_m },
        &doc.plan.fence,
    );
    *tool = Tool::Navigate;
}

/// What the flight panel reads and changes.
#[derive(SystemParam)]
pub struct FlightPanel<'w> {
    state: ResMut<'w, FlightState>,
    fleet: Res<'w, Fleet>,
    send: MessageWriter<'w, SendRequest>,
}

impl FlightPanel<'_> {
    /// Menu-bar status: transfers in progress.
    pub fn toolbar(&mut self, ui: &mut egui::Ui) {
        for (id, (list, p)) in &self.state.transfers {
            let f = if p.total > 0 {
                p.done as f32 / p.total as f32
            } else {
                0.0
            };
            ui.label(format!("PX4-{} {list:?}", id.sysid));
            ui.add(
                egui::ProgressBar::new(f)
                    .desired_width(120.0)
                    .text(format!("{}/{} items", p.done, p.total)),
            );
        }
    }

    /// The command section of the selected drone's panel.
    pub fn show(&mut self, ui: &mut egui::Ui, sh: &mut Shared) {
        let Some(v) = sh
            .selection
            .vehicle
            .and_then(|id| self.fleet.0.get(id))
            .cloned()
        else {
            return;
        };
        ui.heading("Commands");
        let fence = sh.doc.plan.fence.clone();
        let cmd = |state: &mut FlightState, send: &mut MessageWriter<SendRequest>, c| {
            request(state, send, &v, c, &fence)
        };
        let (state, send) = (&mut *self.state, &mut self.send);
        ui.horizontal_wrapped(|ui| {
            if ui.button("Arm").clicked() {
                cmd(state, send, VehicleCommand::Arm);
            }
            if ui.button("Disarm").clicked() {
                cmd(state, send, VehicleCommand::Disarm);
            }
            if ui.button("Hold").clicked() {
                cmd(state, send, VehicleCommand::Hold);
            }
            if ui.button("Return (RTL)").clicked() {
                cmd(state, send, VehicleCommand::ReturnToLaunch);
            }
            if ui.button("Land").clicked() {
                cmd(state, send, VehicleCommand::Land);
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
                cmd(state, send, VehicleCommand::Takeoff { alt_rel_m });
            }
        });
        ui.horizontal_wrapped(|ui| {
            if ui.button("Start mission").clicked() {
                cmd(state, send, VehicleCommand::StartMission);
            }
            let go = *sh.tool == Tool::GoTo;
            if ui.selectable_label(go, "Go to… (click map)").clicked() {
                *sh.tool = if go { Tool::Navigate } else { Tool::GoTo };
            }
        });
        ui.separator();
        ui.horizontal(|ui| {
            let busy = state.transfers.contains_key(&v.id);
            if ui
                .add_enabled(!busy, egui::Button::new("Upload plan"))
                .on_hover_text("Replaces the drone's mission, geofence and rally points")
                .clicked()
            {
                send.write(SendRequest(LinkRequest::Upload {
                    vehicle: v.id,
                    plan: Box::new(sh.doc.plan.clone()),
                }));
                state
                    .transfers
                    .insert(v.id, (MissionType::Mission, Progress { done: 0, total: 0 }));
            }
            if ui
                .add_enabled(!busy, egui::Button::new("Download plan"))
                .clicked()
            {
                send.write(SendRequest(LinkRequest::Download { vehicle: v.id }));
                state
                    .transfers
                    .insert(v.id, (MissionType::Mission, Progress { done: 0, total: 0 }));
            }
        });
        if let Some((list, p)) = state.transfers.get(&v.id) {
            let f = if p.total > 0 {
                p.done as f32 / p.total as f32
            } else {
                0.0
            };
            ui.add(
                egui::ProgressBar::new(f).text(format!("{list:?}: {}/{} items", p.done, p.total)),
            );
        }
        ui.separator();
        for (error, text) in &state.log {
            let colour = if *error {
                egui::Color32::from_rgb(255, 90, 80)
            } else {
                egui::Color32::from_rgb(120, 220, 120)
            };
            ui.colored_label(colour, text);
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
                let LinkRequestKind::Commands(vehicle, commands) = p.request;
                self.send.write(SendRequest(to_request(vehicle, commands)));
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

/// Whether `p` is allowed by `fence` (inside every inclusion zone, outside exclusions).
#[allow(dead_code)]
pub fn allowed(fence: &mission_planner::GeoFence, p: LatLon) -> bool {
    fence_allows(fence, p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use gcs_link::vehicle::Position;
    use mission_planner::{FencePolygon, GeoFence};

    fn drone(landed: LandedState) -> VehicleState {
        let mut v = VehicleState::new(VehicleId {
            sysid: 1,
            compid: 1,
        });
        v.landed = landed;
        v.position = Some(Position {
            lat_lon: LatLon::new(17.0, 8.0),
            alt_amsl_m: 600.0,
            alt_rel_m: 80.0,
        });
        v
    }

    #[test]
    fn dangerous_commands_need_confirmation() {
        let none = GeoFence::default();
        let air = drone(LandedState::InAir);
        let ground = drone(LandedState::OnGround);
        assert!(confirmation_reason(&ground, &VehicleCommand::Arm, &none).is_some());
        assert!(
            confirmation_reason(&ground, &VehicleCommand::Takeoff { alt_rel_m: 30.0 }, &none)
                .is_some()
        );
        assert!(confirmation_reason(&air, &VehicleCommand::Disarm, &none).is_some());
        assert!(confirmation_reason(&ground, &VehicleCommand::Disarm, &none).is_none());
        assert!(confirmation_reason(&air, &VehicleCommand::Hold, &none).is_none());
        assert!(confirmation_reason(&air, &VehicleCommand::ReturnToLaunch, &none).is_none());
        let fence = GeoFence {
            polygons: vec![FencePolygon {
                vertices: vec![
                    LatLon::new(16.9, 7.9),
                    LatLon::new(16.9, 8.1),
                    LatLon::new(17.1, 8.1),
                    LatLon::new(17.1, 7.9),
                ],
                inclusion: true,
            }],
            ..GeoFence::default()
        };
        let inside = VehicleCommand::GoTo {
            target: LatLon::new(17.0, 8.0),
            alt_rel_m: 80.0,
        };
        let outside = VehicleCommand::GoTo {
            target: LatLon::new(18.0, 8.0),
            alt_rel_m: 80.0,
        };
        assert!(confirmation_reason(&air, &inside, &fence).is_none());
        assert!(
            confirmation_reason(&air, &outside, &fence)
                .unwrap()
                .contains("outside")
        );
    }

    #[test]
    fn take_off_arms_a_disarmed_drone_first() {
        let mut v = drone(LandedState::OnGround);
        let t = VehicleCommand::Takeoff { alt_rel_m: 30.0 };
        assert_eq!(steps(&v, t), vec![VehicleCommand::Arm, t]);
        v.armed = true;
        assert_eq!(steps(&v, t), vec![t]);
        assert_eq!(steps(&v, VehicleCommand::Land), vec![VehicleCommand::Land]);
    }

    #[test]
    fn replies_fill_the_log_and_progress() {
        let (far, link) = crate::link::fake::link();
        let mut app = App::new();
        app.add_plugins((MinimalPlugins, link, FlightPlugin))
            .init_resource::<PlanDoc>()
            .init_resource::<Selection>()
            .init_resource::<Tool>()
            .init_resource::<CursorGround>()
            .init_resource::<ButtonInput<MouseButton>>();
        let id = VehicleId {
            sysid: 4,
            compid: 1,
        };
        far.replies
            .try_send(LinkReply::Progress {
                vehicle: id,
                list: MissionType::Mission,
                progress: Progress { done: 3, total: 10 },
            })
            .unwrap();
        far.replies
            .try_send(LinkReply::Command {
                vehicle: id,
                command: VehicleCommand::Land,
                result: Err("denied".into()),
            })
            .unwrap();
        app.update();
        app.update();
        let s = app.world().resource::<FlightState>();
        assert_eq!(s.transfers[&id].1, Progress { done: 3, total: 10 });
        assert!(s.log[0].0 && s.log[0].1.contains("denied"), "{:?}", s.log);
    }
}
