//! The conformance probe: acts as a ground station towards one freshly booted vehicle
//! and records named, tolerance-carrying observations of how it behaves.
//!
//! Run against PX4 SITL (`tests/px4/record.sh`) it gives the committed reference
//! (`tests/px4/reference.json`); run against gcs-sim in CI (`tests/tests/px4_conformance.rs`)
//! it gives the share of PX4's stable behaviour the simulator reproduces. Phases, in order:
//!
//! 1. [`boot`]: the first heartbeat's fields; arming refused until the vehicle is healthy.
//! 2. [`streams`]: every message the vehicle streams and its rate, over 10 s on the ground.
//! 3. [`params`]: parameter count, type and default of the ones Vigil uses; answers to
//!    unknown names, out-of-range indices, `_HASH_CHECK` and a set.
//! 4. [`commands`]: COMMAND_ACK for known, unknown and malformed commands and for every
//!    mode change on the ground.
//! 5. [`mission`]: the mission protocol (request type, out-of-order and out-of-range
//!    requests, too many items, MISSION_CURRENT), fence, rally and clearing.
//! 6. [`flight`]: the uploaded mission flown (take-off climb, cruise, items reached,
//!    Return and its altitude, landing, auto-disarm), then a take-off in Hold, mode
//!    changes in the air, and a data-link loss failsafe.
//!
//! Everything is measured on the probe's clock: run the vehicle in real time.

mod boot;
mod commands;
mod flight;
mod mission;
pub mod observation;
mod params;
mod streams;
pub mod wire;

use std::time::Duration;

use gcs_link::FlightMode;
use gcs_link::mavlink::dialects::common::*;
use serde::{Deserialize, Serialize};

use observation::{Observation, Tolerance, Value};
pub use params::ParamRecord;
use wire::{ProbeLink, result_name};

/// What one probe run produced.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProbeRun {
    /// The observations, in the order they were made.
    pub observations: Vec<Observation>,
    /// Every parameter the vehicle listed (name, type, value), for the simulator's table.
    pub params: Vec<ParamRecord>,
}

/// Why a probe run stopped early.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// No vehicle heartbeat arrived.
    #[error("no vehicle heartbeat within {0:?} (is the vehicle running and sending to the probe?)")]
    NoVehicle(Duration),
    /// A phase could not go on (its name and why).
    #[error("{phase}: {why}")]
    Phase {
        /// The phase.
        phase: &'static str,
        /// What went wrong.
        why: String,
    },
}

fn phase_error(phase: &'static str, why: impl Into<String>) -> ProbeError {
    ProbeError::Phase {
        phase,
        why: why.into(),
    }
}

/// The probe: the link and the observations so far.
pub struct Probe {
    link: ProbeLink,
    observations: Vec<Observation>,
    params: Vec<ParamRecord>,
    progress: Box<dyn FnMut(&str) + Send>,
}

impl Probe {
    /// A probe over `link`, telling `progress` what it is doing.
    pub fn new(link: ProbeLink, progress: impl FnMut(&str) + Send + 'static) -> Self {
        Self {
            link,
            observations: Vec::new(),
            params: Vec::new(),
            progress: Box::new(progress),
        }
    }

    /// Runs every phase against a vehicle that has just started.
    pub async fn run(mut self) -> Result<ProbeRun, ProbeError> {
        boot::run(&mut self).await?;
        streams::run(&mut self).await?;
        params::run(&mut self).await?;
        commands::run(&mut self).await?;
        mission::run(&mut self).await?;
        flight::run(&mut self).await?;
        Ok(ProbeRun {
            observations: self.observations,
            params: self.params,
        })
    }

    fn say(&mut self, what: &str) {
        (self.progress)(what);
    }

    fn num(&mut self, name: impl Into<String>, value: f64, tol: Tolerance) {
        self.observations.push(Observation {
            name: name.into(),
            value: Value::Num(value),
            tol,
        });
    }

    fn text(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.observations.push(Observation {
            name: name.into(),
            value: Value::Text(value.into()),
            tol: Tolerance::EXACT,
        });
    }

    /// Sends COMMAND_LONG `command` (retried up to three times, 1 s apart) and returns
    /// the final result's name, or "none" when nothing answered.
    async fn command(&mut self, command: u16, params: [f32; 7]) -> String {
        for confirmation in 0..3u8 {
            self.link
                .send_command_long(command, params, confirmation)
                .await;
            let until = std::time::Instant::now() + Duration::from_secs(1);
            while let Some(rx) = self.link.next(until).await {
                match rx.ack {
                    // IN_PROGRESS is not the answer yet.
                    Some((c, 5)) if c == command => {}
                    Some((c, result)) if c == command => return result_name(result),
                    _ => {}
                }
            }
        }
        "none".into()
    }

    /// Asks for PX4 mode `mode` with MAV_CMD_DO_SET_MODE; the result's name.
    async fn set_mode(&mut self, mode: FlightMode) -> String {
        let (main, sub) = mode.px4_main_sub().unwrap_or((0, 0));
        self.command(
            MavCmd::MAV_CMD_DO_SET_MODE as u16,
            [1.0, f32::from(main), f32::from(sub), 0.0, 0.0, 0.0, 0.0],
        )
        .await
    }

    /// The mode and armed state of the latest heartbeat.
    fn state(&self) -> (FlightMode, bool) {
        self.link
            .log
            .heartbeat
            .as_ref()
            .map_or((FlightMode::Unknown(0), false), |hb| {
                (
                    FlightMode::from_px4_custom_mode(hb.custom_mode),
                    hb.base_mode
                        .contains(MavModeFlag::MAV_MODE_FLAG_SAFETY_ARMED),
                )
            })
    }

    /// Waits until a heartbeat satisfies `f`; the time it took, or `None` after `timeout`.
    async fn wait_heartbeat(
        &mut self,
        timeout: Duration,
        f: impl Fn(FlightMode, bool, &HEARTBEAT_DATA) -> bool,
    ) -> Option<Duration> {
        let start = std::time::Instant::now();
        self.link
            .wait_for(timeout, |rx| match &rx.msg {
                Some(MavMessage::HEARTBEAT(hb))
                    if f(
                        FlightMode::from_px4_custom_mode(hb.custom_mode),
                        hb.base_mode
                            .contains(MavModeFlag::MAV_MODE_FLAG_SAFETY_ARMED),
                        hb,
                    ) =>
                {
                    Some(rx.at - start)
                }
                _ => None,
            })
            .await
    }

    /// Relative altitude (m) of the latest GLOBAL_POSITION_INT.
    fn rel_alt_m(&self) -> f64 {
        self.link
            .log
            .position
            .as_ref()
            .map_or(0.0, |p| f64::from(p.relative_alt) / 1000.0)
    }

    /// STATUSTEXTs logged after `since`, as observations `text.<phase>.<text>` = "seen".
    fn texts_since(&mut self, phase: &str, since: std::time::Instant) {
        let texts: Vec<String> = self
            .link
            .log
            .texts
            .iter()
            // The logger's file name changes every run.
            .filter(|(at, t)| *at >= since && !t.starts_with("[logger]"))
            .map(|(_, t)| t.clone())
            .collect();
        let mut seen = std::collections::BTreeSet::new();
        for t in texts {
            if seen.insert(t.clone()) {
                self.text(format!("text.{phase}.{t}"), "seen");
            }
        }
    }
}
