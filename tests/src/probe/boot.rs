//! Boot: the first heartbeat's fields, and arming refused until the vehicle is healthy.

use std::time::{Duration, Instant};

use gcs_link::mavlink::dialects::common::*;

use super::observation::Tolerance;
use super::{Probe, ProbeError};

/// How long a vehicle may take to send its first heartbeat.
const FIRST_HEARTBEAT: Duration = Duration::from_secs(60);
/// How long a vehicle may take to accept arming after boot.
const READY_WITHIN: Duration = Duration::from_secs(60);

const ARM: u16 = MavCmd::MAV_CMD_COMPONENT_ARM_DISARM as u16;

pub(super) async fn run(p: &mut Probe) -> Result<(), ProbeError> {
    p.say("boot: waiting for the vehicle's first heartbeat");
    let start = Instant::now();
    let hb = p
        .link
        .wait_for(FIRST_HEARTBEAT, |rx| match &rx.msg {
            Some(MavMessage::HEARTBEAT(hb))
                if hb.autopilot != MavAutopilot::MAV_AUTOPILOT_INVALID =>
            {
                Some(hb.clone())
            }
            _ => None,
        })
        .await
        .ok_or(ProbeError::NoVehicle(FIRST_HEARTBEAT))?;
    p.text("boot.heartbeat.autopilot", format!("{:?}", hb.autopilot));
    p.text("boot.heartbeat.type", format!("{:?}", hb.mavtype));
    p.num(
        "boot.heartbeat.mavlink_version",
        f64::from(hb.mavlink_version),
        Tolerance::EXACT,
    );
    p.num(
        "boot.sysid",
        f64::from(p.link.vehicle.unwrap_or(0)),
        Tolerance::EXACT,
    );

    let early = p.command(ARM, [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]).await;
    p.text("boot.arm_at_first_heartbeat.result", early.clone());
    if early == "ACCEPTED" {
        p.command(ARM, [0.0; 7]).await;
    }

    p.say("boot: arming until the vehicle is ready");
    let ready = loop {
        if start.elapsed() > READY_WITHIN {
            return Err(super::phase_error(
                "boot",
                format!("arming still refused after {READY_WITHIN:?}"),
            ));
        }
        if p.command(ARM, [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]).await == "ACCEPTED" {
            break start.elapsed();
        }
        p.link.drain(Duration::from_secs(1)).await;
    };
    p.num(
        "boot.arm_accepted_after_s",
        ready.as_secs_f64(),
        Tolerance::abs(10.0),
    );
    let armed = p
        .wait_heartbeat(Duration::from_secs(3), |_, armed, _| armed)
        .await;
    p.text(
        "boot.armed_reported",
        if armed.is_some() { "yes" } else { "no" },
    );
    let disarm = p.command(ARM, [0.0; 7]).await;
    p.text("cmd.disarm_on_ground.result", disarm);
    p.wait_heartbeat(Duration::from_secs(3), |_, armed, _| !armed)
        .await;
    let status = p.link.log.heartbeat.as_ref().map(|hb| hb.system_status);
    p.text("boot.heartbeat.system_status_ready", format!("{status:?}"));
    let (mode, _) = p.state();
    p.text("boot.mode_ready", mode.name());
    p.texts_since("boot", start);
    Ok(())
}
