//! Commands and transfers going out, replies coming back: a button or a map click
//! becomes a request (after confirmation when dangerous); replies fill the log and the
//! transfers' progress.

use bevy::prelude::*;
use bevy::window::PrimaryWindow;
use bevy_egui::input::EguiWantsInput;
use gcs_link::{VehicleCommand, VehicleState};

use crate::flight::confirm::{LinkRequestKind, Pending, confirmation_reason, to_request};
use crate::flight::state::{FlightState, command_label, push_log};
use crate::link::{Fleet, FleetEvent, FleetReply, LinkReply, LinkRequest, SendRequest};
use crate::map::view::{MainCamera, cursor_in_viewport};
use crate::tools::PlanDoc;
use crate::ui_state::{CursorGround, Selection, Tool};
use gcs_operator::fleet_rows::callsign;

/// Asks the first vehicle heard for its flight envelope (its PX4 parameters), so that
/// patrols are planned by how it flies.
pub(super) fn request_envelope(
    mut events: MessageReader<FleetEvent>,
    mut state: ResMut<FlightState>,
    mut out: MessageWriter<SendRequest>,
) {
    for FleetEvent(e) in events.read() {
        if let gcs_link::Event::VehicleDiscovered(vehicle) = e
            && !state.envelope_requested
        {
            state.envelope_requested = true;
            out.write(SendRequest(LinkRequest::ReadEnvelope { vehicle: *vehicle }));
        }
    }
}

pub(super) fn read_replies(
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
                    Ok(()) => format!(
                        "{}: {} accepted",
                        callsign(*vehicle),
                        command_label(command)
                    ),
                    Err(e) => format!(
                        "{}: {} failed: {e}",
                        callsign(*vehicle),
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
                    Ok(()) => format!("{}: plan uploaded", callsign(*vehicle)),
                    Err(e) => format!("{}: upload failed: {e}", callsign(*vehicle)),
                };
                push_log(&mut state, result.is_err(), text);
            }
            LinkReply::Envelope { vehicle, result } => match result {
                Ok(envelope) => {
                    doc.patrol.envelope = Some(*envelope);
                    let text = format!(
                        "{}: flight envelope read (cruise {:.1} m/s, top speed {:.1} m/s): patrols are sized by it",
                        callsign(*vehicle),
                        envelope.cruise_mps,
                        envelope.max_speed_mps()
                    );
                    push_log(&mut state, false, text);
                }
                Err(e) => {
                    let text = format!("{}: flight envelope not read: {e}", callsign(*vehicle));
                    push_log(&mut state, true, text);
                }
            },
            LinkReply::Downloaded { vehicle, result } => {
                state.transfers.remove(vehicle);
                match result {
                    Ok(plan) => {
                        doc.replace((**plan).clone());
                        push_log(
                            &mut state,
                            false,
                            format!(
                                "{}: plan downloaded ({} mission items)",
                                callsign(*vehicle),
                                plan.mission.items.len()
                            ),
                        );
                    }
                    Err(e) => push_log(
                        &mut state,
                        true,
                        format!("{}: download failed: {e}", callsign(*vehicle)),
                    ),
                }
            }
        }
    }
}

/// Sends `command` at once, or asks first when it is dangerous.
pub fn request(
    state: &mut FlightState,
    send: &mut MessageWriter<SendRequest>,
    v: &VehicleState,
    command: VehicleCommand,
    fence: &mission_planner::GeoFence,
) {
    match confirmation_reason(v, &command, fence) {
        Some(reason) => {
            state.pending = Some(Pending {
                request: LinkRequestKind::Command(v.id, command),
                reason,
            })
        }
        None => {
            send.write(SendRequest(to_request(v.id, command)));
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn click_go_to(
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
