//! Streams: every message the vehicle sends unasked on the ground, and its rate.

use std::time::Duration;

use super::observation::Tolerance;
use super::wire::message_name;
use super::{Probe, ProbeError};

/// How long the rates are counted over.
const WINDOW: Duration = Duration::from_secs(10);

pub(super) async fn run(p: &mut Probe) -> Result<(), ProbeError> {
    p.say("streams: counting messages for 10 s");
    p.link.drain(Duration::from_secs(1)).await;
    p.link.log.counts.clear();
    p.link.drain(WINDOW).await;
    let counts = std::mem::take(&mut p.link.log.counts);
    let secs = WINDOW.as_secs_f64();
    let total: u64 = counts.values().sum();
    p.num(
        "stream.total.hz",
        total as f64 / secs,
        Tolerance::rel(0.15, 0.0),
    );
    for (id, n) in counts {
        let hz = n as f64 / secs;
        // Rates are counted, not announced: a 0.5 Hz stream is 5 or 6 in 10 s.
        p.num(
            format!("stream.{}.hz", message_name(id)),
            hz,
            Tolerance::rel(0.25, 0.25),
        );
    }
    Ok(())
}
