//! A telemetry log replayed as a link: the vehicles' recorded frames, on the recorded clock.
//!
//! A reader thread decodes the log ahead of the clock; a tokio task releases each
//! frame when its time (relative to the first frame, divided by the speed factor) has
//! come, as if it had just arrived. Frames of ground stations in the log (the systems
//! that sent a `MAV_TYPE_GCS` heartbeat, e.g. our own commands) are left out. Frames
//! sent to the link are discarded: a log does not answer.

use std::time::Duration;

use mavlink::dialects::common::{MavMessage, MavType};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::{LinkId, Outgoing, Received};
use crate::address::ReplaySpeed;
use crate::constants::{TLOG_REPLAY_MAX_GAP, TLOG_REPLAY_READ_AHEAD};
use crate::tlog::{TlogEntry, TlogReader};

/// Starts replaying `reader` into `inbound` as link `id`.
pub(super) fn spawn(
    id: LinkId,
    reader: TlogReader,
    speed: ReplaySpeed,
    inbound: mpsc::Sender<Received>,
    outgoing: mpsc::Receiver<Outgoing>,
) {
    let (tx, rx) = mpsc::channel(TLOG_REPLAY_READ_AHEAD);
    let name = format!("tlog-replay-{id}");
    let read = move || read_ahead(id, reader, &tx);
    if let Err(e) = std::thread::Builder::new().name(name).spawn(read) {
        tracing::error!(link = id, "cannot start the tlog reader thread: {e}");
        return;
    }
    tokio::spawn(pace(id, speed, rx, inbound, outgoing));
}

/// Decodes the log into `tx` until it ends or the replay stops.
fn read_ahead(id: LinkId, mut reader: TlogReader, tx: &mpsc::Sender<TlogEntry>) {
    for entry in &mut reader {
        match entry {
            Ok(e) => {
                if tx.blocking_send(e).is_err() {
                    return;
                }
            }
            Err(e) => {
                tracing::warn!(link = id, "{e}");
                break;
            }
        }
    }
    let s = reader.stats();
    tracing::info!(
        link = id,
        frames = s.frames,
        other_dialect_frames = s.other_dialect_frames,
        corrupt_bytes = s.corrupt_bytes,
        truncated_bytes = s.truncated_bytes,
        "read all of {}",
        reader.path().display()
    );
}

/// Turns log time into replay time: gaps are capped, backward steps count as none.
#[derive(Debug)]
struct ReplayClock {
    speed: f64,
    start: Option<Instant>,
    last_us: u64,
    elapsed_us: u64,
}

impl ReplayClock {
    fn new(speed: ReplaySpeed) -> Self {
        Self {
            speed: speed.factor(),
            start: None,
            last_us: 0,
            elapsed_us: 0,
        }
    }

    /// When the frame logged at `time_us` is due; the first frame is due `now`.
    fn due(&mut self, time_us: u64, now: Instant) -> Instant {
        let start = *self.start.get_or_insert_with(|| {
            self.last_us = time_us;
            now
        });
        let max_gap = TLOG_REPLAY_MAX_GAP.as_micros() as u64;
        self.elapsed_us += time_us.saturating_sub(self.last_us).min(max_gap);
        self.last_us = time_us;
        // Never panics: the speed is bounded and a due time beyond the clock's range
        // is as good as never.
        Duration::try_from_secs_f64(self.elapsed_us as f64 / 1e6 / self.speed)
            .ok()
            .and_then(|d| start.checked_add(d))
            .unwrap_or(start + Duration::from_secs(86_400 * 365))
    }
}

/// Releases entries on the replay clock until the core goes away.
async fn pace(
    id: LinkId,
    speed: ReplaySpeed,
    mut entries: mpsc::Receiver<TlogEntry>,
    inbound: mpsc::Sender<Received>,
    mut outgoing: mpsc::Receiver<Outgoing>,
) {
    let mut clock = ReplayClock::new(speed);
    let mut gcs = [false; 256];
    let mut finished = false;
    loop {
        let next = tokio::select! {
            e = entries.recv(), if !finished => e,
            out = outgoing.recv() => {
                if out.is_none() {
                    return;
                }
                continue;
            }
        };
        let Some(entry) = next else {
            tracing::info!(link = id, "tlog replay finished");
            finished = true;
            continue;
        };
        let sysid = usize::from(entry.frame.sysid);
        if let MavMessage::HEARTBEAT(hb) = &entry.frame.msg
            && hb.mavtype == MavType::MAV_TYPE_GCS
        {
            gcs[sysid] = true;
        }
        if gcs[sysid] {
            continue;
        }
        let due = clock.due(entry.time_us, Instant::now());
        let sleep = tokio::time::sleep_until(due);
        tokio::pin!(sleep);
        while Instant::now() < due {
            tokio::select! {
                () = &mut sleep => break,
                out = outgoing.recv() => if out.is_none() { return },
            }
        }
        let r = Received {
            link: id,
            at: std::time::Instant::now(),
            frame: entry.frame,
            raw: None,
            from: None,
            undecoded: entry.undecoded,
        };
        if inbound.send(r).await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_divides_log_time_by_the_speed() {
        let now = Instant::now();
        let mut c = ReplayClock::new(ReplaySpeed::new(4.0).unwrap());
        assert_eq!(c.due(10_000_000, now), now);
        assert_eq!(c.due(11_000_000, now), now + Duration::from_millis(250));
        assert_eq!(c.due(13_000_000, now), now + Duration::from_millis(750));
    }

    #[test]
    fn the_clock_caps_gaps_and_ignores_backward_steps() {
        let now = Instant::now();
        let mut c = ReplayClock::new(ReplaySpeed::REAL_TIME);
        c.due(1_000_000, now);
        // An hour's gap in the log is replayed as the maximum gap.
        let after_gap = c.due(3_601_000_000, now);
        assert_eq!(after_gap, now + TLOG_REPLAY_MAX_GAP);
        // A stamp going back is due at once, and later ones follow from it.
        assert_eq!(c.due(3_600_000_000, now), after_gap);
        assert_eq!(
            c.due(3_600_500_000, now),
            after_gap + Duration::from_millis(500)
        );
    }
}
