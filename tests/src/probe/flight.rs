//! Flight: the uploaded mission flown and timed, then a take-off to Hold, mode changes
//! in the air, a disarm refused in flight and the data-link loss failsafe.

use std::time::{Duration, Instant};

use gcs_link::FlightMode;
use gcs_link::mavlink::dialects::common::*;

use super::commands::try_mode;
use super::mission::{LEG1_NORTH_M, LEG2_EAST_M, MISSION_ALT_M, home, offset};
use super::observation::Tolerance;
use super::{Probe, ProbeError, phase_error};

const ARM: u16 = MavCmd::MAV_CMD_COMPONENT_ARM_DISARM as u16;
/// The longest the probe waits for a flight to end.
const FLIGHT_LIMIT: Duration = Duration::from_secs(240);

pub(super) async fn run(p: &mut Probe) -> Result<(), ProbeError> {
    mission_flight(p).await?;
    hold_flight(p).await
}

/// Distance in metres between two degE7 positions (flat earth, fine over a few km).
fn distance_m(a: (i32, i32), b: (i32, i32)) -> f64 {
    let lat = f64::from(a.0) / 1e7;
    let dn = f64::from(b.0 - a.0) / 1e7 * 111_320.0;
    let de = f64::from(b.1 - a.1) / 1e7 * 111_320.0 * lat.to_radians().cos();
    dn.hypot(de)
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

async fn mission_flight(p: &mut Probe) -> Result<(), ProbeError> {
    p.say("flight: arming and starting the mission");
    let home = home(p);
    let wp1 = offset(home, LEG1_NORTH_M, 0.0);
    let wp2 = offset(home, LEG1_NORTH_M, LEG2_EAST_M);
    p.link.log.reached.clear();
    p.link.log.current.clear();
    let start = Instant::now();
    let arm = p.command(ARM, [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]).await;
    if arm != "ACCEPTED" {
        return Err(phase_error(
            "flight",
            format!("arming for the mission: {arm}"),
        ));
    }
    let r = p
        .command(MavCmd::MAV_CMD_MISSION_START as u16, [0.0; 7])
        .await;
    p.text("flight.mission_start.result", r);

    let mut modes: Vec<FlightMode> = Vec::new();
    let (mut climbed, mut return_at, mut landed_at, mut disarmed_at) = (None, None, None, None);
    let (mut cruise, mut fast, mut rtl_cruise) = (Vec::new(), Vec::new(), Vec::new());
    let mut descent = Vec::new();
    let mut return_max_alt: f64 = 0.0;
    let until = start + FLIGHT_LIMIT;
    while disarmed_at.is_none() {
        let Some(rx) = p.link.next(until).await else {
            return Err(phase_error(
                "flight",
                "the mission flight did not end within 240 s",
            ));
        };
        match &rx.msg {
            Some(MavMessage::HEARTBEAT(hb)) => {
                let mode = FlightMode::from_px4_custom_mode(hb.custom_mode);
                let armed = hb
                    .base_mode
                    .contains(MavModeFlag::MAV_MODE_FLAG_SAFETY_ARMED);
                if armed && modes.last() != Some(&mode) {
                    modes.push(mode);
                }
                if mode == FlightMode::Return && return_at.is_none() {
                    return_at = Some(rx.at);
                }
                if !armed && rx.at - start > Duration::from_secs(5) {
                    disarmed_at = Some(rx.at);
                }
            }
            Some(MavMessage::GLOBAL_POSITION_INT(pos)) => {
                let alt = f64::from(pos.relative_alt) / 1000.0;
                if climbed.is_none() && alt >= 0.9 * f64::from(MISSION_ALT_M) {
                    climbed = Some(rx.at - start);
                }
                let here = (pos.lat, pos.lon);
                let speed = f64::from(pos.vx).hypot(f64::from(pos.vy)) / 100.0;
                // Mid-leg samples, clear of the accelerations at either end.
                let mid = |a, b| distance_m(here, a) > 40.0 && distance_m(here, b) > 40.0;
                match p.link.log.current.last() {
                    Some(1) if return_at.is_none() && mid(home, wp1) => cruise.push(speed),
                    Some(3) if return_at.is_none() && mid(wp1, wp2) => fast.push(speed),
                    _ => {}
                }
                if return_at.is_some() && alt > 0.9 * f64::from(MISSION_ALT_M) && mid(wp2, home) {
                    rtl_cruise.push(speed);
                }
                if return_at.is_some() {
                    return_max_alt = return_max_alt.max(alt);
                    if (0.5..4.0).contains(&alt) && pos.vz > 0 {
                        descent.push(f64::from(pos.vz) / 100.0);
                    }
                }
            }
            Some(MavMessage::EXTENDED_SYS_STATE(s))
                if return_at.is_some()
                    && landed_at.is_none()
                    && s.landed_state == MavLandedState::MAV_LANDED_STATE_ON_GROUND =>
            {
                landed_at = Some(rx.at);
            }
            _ => {}
        }
    }
    let names: Vec<&str> = modes.iter().map(|m| m.name()).collect();
    p.text("flight.modes", names.join(","));
    let secs = |d: Option<Duration>| d.map_or(f64::NAN, |d| d.as_secs_f64());
    p.num(
        "flight.takeoff.climb_s",
        secs(climbed),
        Tolerance::rel(0.3, 2.0),
    );
    p.num(
        "flight.cruise.speed_mps",
        median(cruise),
        Tolerance::abs(0.5),
    );
    // The DO_CHANGE_SPEED leg (12 m/s asked), and Return (back at MPC_XY_CRUISE).
    p.num(
        "flight.commanded_12.speed_mps",
        median(fast),
        Tolerance::abs(0.5),
    );
    p.num(
        "flight.rtl.cruise_mps",
        median(rtl_cruise),
        Tolerance::abs(0.5),
    );
    let reached: Vec<String> = p.link.log.reached.iter().map(u16::to_string).collect();
    p.text("flight.mission.reached", reached.join(","));
    let current: Vec<String> = p.link.log.current.iter().map(u16::to_string).collect();
    p.text("flight.mission.current", current.join(","));
    p.num("flight.rtl.max_alt_m", return_max_alt, Tolerance::abs(2.0));
    let to_landed = return_at.zip(landed_at).map(|(a, b)| b - a);
    p.num(
        "flight.rtl.to_landed_s",
        secs(to_landed),
        Tolerance::rel(0.25, 3.0),
    );
    p.num(
        "flight.land.descent_mps",
        median(descent),
        Tolerance::abs(0.25),
    );
    let disarm_after = landed_at
        .zip(disarmed_at)
        .map(|(a, b)| b.saturating_duration_since(a));
    p.num(
        "flight.disarm_after_landed_s",
        secs(disarm_after),
        Tolerance::abs(1.5),
    );
    p.num(
        "flight.total_s",
        secs(disarmed_at.map(|d| d - start)),
        Tolerance::rel(0.2, 0.0),
    );
    p.texts_since("flight", start);
    Ok(())
}

async fn hold_flight(p: &mut Probe) -> Result<(), ProbeError> {
    p.say("flight: take-off to Hold, modes in the air, data-link loss");
    p.link.drain(Duration::from_secs(2)).await;
    let start = Instant::now();
    let nan = f32::NAN;
    let r = p
        .command(
            MavCmd::MAV_CMD_NAV_TAKEOFF as u16,
            [nan, 0.0, 0.0, nan, nan, nan, nan],
        )
        .await;
    p.text("flight2.takeoff_disarmed.result", r);
    let r = p.command(ARM, [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]).await;
    p.text("flight2.arm.result", r.clone());
    if r != "ACCEPTED" {
        return Err(phase_error(
            "flight",
            format!("arming for the take-off: {r}"),
        ));
    }
    let took_off = p
        .wait_heartbeat(Duration::from_secs(60), |m, armed, _| {
            armed && m == FlightMode::Hold
        })
        .await;
    p.num(
        "flight2.to_hold_s",
        took_off.map_or(f64::NAN, |d| d.as_secs_f64()),
        Tolerance::rel(0.3, 2.0),
    );
    p.link.drain(Duration::from_secs(2)).await;
    let alt = p.rel_alt_m();
    p.num("flight2.takeoff_alt_m", alt, Tolerance::abs(0.6));

    for mode in [
        FlightMode::Manual,
        FlightMode::Stabilized,
        FlightMode::Altitude,
        FlightMode::Position,
        FlightMode::Offboard,
    ] {
        try_mode(p, "air", mode).await;
        if p.state().0 != FlightMode::Hold {
            p.set_mode(FlightMode::Hold).await;
            p.wait_heartbeat(Duration::from_secs(2), |m, _, _| m == FlightMode::Hold)
                .await;
        }
    }
    let r = p.command(ARM, [0.0; 7]).await;
    p.text("cmd.disarm_in_air.result", r);

    // Data-link loss: no GCS heartbeat until the failsafe acts (NAV_DLL_ACT = Return).
    p.link.set_heartbeat(false);
    let acted = p
        .wait_heartbeat(Duration::from_secs(40), |m, _, _| m != FlightMode::Hold)
        .await;
    p.link.set_heartbeat(true);
    p.num(
        "failsafe.datalink.after_s",
        acted.map_or(f64::NAN, |d| d.as_secs_f64()),
        Tolerance::abs(2.5),
    );
    p.text("failsafe.datalink.mode", p.state().0.name());
    let end = p
        .wait_heartbeat(Duration::from_secs(120), |_, armed, _| !armed)
        .await;
    p.text(
        "failsafe.datalink.ends_disarmed",
        if end.is_some() { "yes" } else { "no" },
    );
    p.texts_since("flight2", start);
    Ok(())
}
