//! Commands on the ground: known, unknown and malformed commands, and every mode change
//! from Hold while disarmed.

use std::time::Duration;

use gcs_link::FlightMode;
use gcs_link::mavlink::dialects::common::*;

use super::{Probe, ProbeError};

/// A command id no dialect defines.
const UNKNOWN_COMMAND: u16 = 31999;
/// AUTOPILOT_VERSION's message id.
const AUTOPILOT_VERSION: u32 = 148;

/// The modes a ground station offers, tried in turn.
pub(super) const MODES: [FlightMode; 11] = [
    FlightMode::Manual,
    FlightMode::Stabilized,
    FlightMode::Acro,
    FlightMode::Altitude,
    FlightMode::Position,
    FlightMode::Offboard,
    FlightMode::Takeoff,
    FlightMode::Land,
    FlightMode::Return,
    FlightMode::Mission,
    FlightMode::Hold,
];

pub(super) async fn run(p: &mut Probe) -> Result<(), ProbeError> {
    p.say("commands: known, unknown and malformed");
    let r = p.command(UNKNOWN_COMMAND, [0.0; 7]).await;
    p.text("cmd.unknown_id.result", r);

    let before = p
        .link
        .log
        .counts
        .get(&AUTOPILOT_VERSION)
        .copied()
        .unwrap_or(0);
    let r = p
        .command(
            MavCmd::MAV_CMD_REQUEST_MESSAGE as u16,
            [AUTOPILOT_VERSION as f32, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        )
        .await;
    p.text("cmd.request_autopilot_version.result", r);
    p.link.drain(Duration::from_secs(1)).await;
    let sent = p
        .link
        .log
        .counts
        .get(&AUTOPILOT_VERSION)
        .copied()
        .unwrap_or(0)
        > before;
    p.text(
        "cmd.request_autopilot_version.sent",
        if sent { "yes" } else { "no" },
    );
    let r = p
        .command(
            MavCmd::MAV_CMD_REQUEST_MESSAGE as u16,
            [60000.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        )
        .await;
    p.text("cmd.request_unknown_message.result", r);
    let r = p
        .command(
            MavCmd::MAV_CMD_SET_MESSAGE_INTERVAL as u16,
            [147.0, 1_000_000.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        )
        .await;
    p.text("cmd.set_message_interval.result", r);

    let arm = MavCmd::MAV_CMD_COMPONENT_ARM_DISARM as u16;
    let r = p
        .command(arm, [f32::NAN, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
        .await;
    p.text("cmd.arm_nan.result", r);
    if p.state().1 {
        p.command(arm, [0.0; 7]).await;
    }
    let r = p.command(arm, [0.0; 7]).await;
    p.text("cmd.disarm_when_disarmed.result", r);
    let set_mode = MavCmd::MAV_CMD_DO_SET_MODE as u16;
    let r = p
        .command(set_mode, [1.0, 99.0, 0.0, 0.0, 0.0, 0.0, 0.0])
        .await;
    p.text("cmd.set_mode_unknown_main.result", r);
    let r = p
        .command(set_mode, [1.0, 4.0, 99.0, 0.0, 0.0, 0.0, 0.0])
        .await;
    p.text("cmd.set_mode_unknown_auto_sub.result", r);
    let r = p
        .command(MavCmd::MAV_CMD_NAV_WAYPOINT as u16, [0.0; 7])
        .await;
    p.text("cmd.nav_waypoint_as_command.result", r);

    p.say("commands: mode changes on the ground");
    p.set_mode(FlightMode::Hold).await;
    for mode in MODES {
        try_mode(p, "landed", mode).await;
        if p.state().0 != FlightMode::Hold {
            p.set_mode(FlightMode::Hold).await;
            p.wait_heartbeat(Duration::from_secs(2), |m, _, _| m == FlightMode::Hold)
                .await;
        }
    }
    Ok(())
}

/// Asks for `mode`, records the result and, when accepted, the mode the heartbeat shows.
pub(super) async fn try_mode(p: &mut Probe, state: &str, mode: FlightMode) {
    let r = p.set_mode(mode).await;
    let accepted = r == "ACCEPTED";
    p.text(format!("mode.{state}.{}.result", mode.name()), r);
    if accepted {
        p.wait_heartbeat(Duration::from_millis(1500), |m, _, _| m == mode)
            .await;
        let shown = p.state().0;
        p.text(format!("mode.{state}.{}.shown", mode.name()), shown.name());
    }
}
