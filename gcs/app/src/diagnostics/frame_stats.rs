//! Frame-time recording for the benchmark: `--frame-stats PATH` writes the median and
//! 99th percentile frame time at exit; `--exit-after-secs N` ends the run.
//!
//! Exists so frame cost (3 drones against 100 and 250) is measured on the real app, in
//! a benchmark and never in a timed test. Beside frame times: the link threads' CPU
//! over the same frames and what the link received, lost and dropped, so the figures
//! say what load the frames were drawn under.

use std::path::PathBuf;

use bevy::prelude::*;
use serde::Serialize;

use crate::cli::Args;
use crate::link::{Fleet, LinkDrops};
use crate::map::terrain::TerrainStats;

/// Frame-time statistics, milliseconds.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FrameStats {
    /// Frames measured.
    pub frames: usize,
    /// Median frame time.
    pub median_ms: f64,
    /// 99th percentile frame time.
    pub p99_ms: f64,
    /// Mean frame time.
    pub mean_ms: f64,
    /// Longest frame.
    pub max_ms: f64,
    /// Drones in the fleet at the end.
    pub drones: usize,
    /// What the link dropped on the way to the screen during the run.
    pub link_drops: LinkDropCounts,
    /// CPU time of the link threads (`vigil-link*`: gcs-link and the in-process
    /// simulated drones) over the measured frames, percent of one core; `None` where
    /// `/proc/self/task` is not readable (not Linux).
    pub link_cpu_pct: Option<f64>,
    /// What the fleet's links received and lost, and what gcs-link refused or dropped,
    /// over the whole run.
    pub link_traffic: LinkTraffic,
}

/// Traffic of the fleet's links over the run, from the last fleet snapshot.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct LinkTraffic {
    /// Messages received from every vehicle on every link.
    pub received: u64,
    /// Messages inferred lost on the way (gaps in the vehicles' sequence numbers).
    pub lost: u64,
    /// Outgoing, subscriber and telemetry-log frames gcs-link dropped.
    pub dropped_frames: u64,
    /// HEARTBEATs from new vehicles refused (a link or the fleet was full).
    pub refused_vehicles: u64,
}

impl LinkTraffic {
    fn of(fleet: &gcs_link::FleetSnapshot) -> Self {
        let links = fleet.vehicles.values().flat_map(|v| &v.links);
        let (mut received, mut lost) = (0, 0);
        for l in links {
            received += l.quality.received;
            lost += l.quality.lost;
        }
        Self {
            received,
            lost,
            dropped_frames: fleet.dropped_frames
                + fleet.dropped_subscriber_frames
                + fleet.dropped_tlog_frames,
            refused_vehicles: fleet.refused_vehicles,
        }
    }
}

/// `/proc` CPU times are in USER_HZ ticks, 100 a second on Linux.
const USER_HZ: f64 = 100.0;

/// User + system CPU ticks of this process's threads whose name starts with `prefix`
/// (`/proc/self/task/*/stat`); `None` where that is not readable.
fn thread_ticks(prefix: &str) -> Option<u64> {
    let mut sum = 0;
    for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
            continue;
        };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        if !stat[open + 1..close].starts_with(prefix) {
            continue;
        }
        // After the name: state (field 3), ..., utime (14), stime (15).
        let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok());
        sum += ticks(11).unwrap_or(0) + ticks(12).unwrap_or(0);
    }
    Some(sum)
}

/// The link thread's name, and its runtime's workers' (`vigil-link-io`).
const LINK_THREADS: &str = "vigil-link";

/// [`LinkDrops`] as written in the statistics.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct LinkDropCounts {
    /// Fleet events gcs-link's queue dropped.
    pub events: u64,
    /// Transfer progress reports dropped.
    pub progress: u64,
    /// Requests the link thread had no room for.
    pub requests: u64,
}

/// Statistics of frame times `ms` (any order); `None` when empty.
pub fn frame_stats(ms: &[f64], drones: usize) -> Option<FrameStats> {
    if ms.is_empty() {
        return None;
    }
    let mut v = ms.to_vec();
    v.sort_by(f64::total_cmp);
    let pick = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    Some(FrameStats {
        frames: v.len(),
        median_ms: pick(0.5),
        p99_ms: pick(0.99),
        mean_ms: v.iter().sum::<f64>() / v.len() as f64,
        max_ms: v[v.len() - 1],
        drones,
        link_drops: LinkDropCounts::default(),
        link_cpu_pct: None,
        link_traffic: LinkTraffic::default(),
    })
}

#[derive(Resource, Default)]
struct Recorder {
    path: Option<PathBuf>,
    exit_after_s: Option<f64>,
    started_at: Option<f64>,
    /// Link threads' CPU ticks when measuring started.
    link_ticks_at_start: Option<u64>,
    ms: Vec<f64>,
    written: bool,
}

/// Records frame times when asked.
pub(super) fn plugin(app: &mut App) {
    let args = app.world().get_resource::<Args>().cloned();
    app.insert_resource(Recorder {
        path: args.as_ref().and_then(|a| a.frame_stats.clone()),
        exit_after_s: args.as_ref().and_then(|a| a.exit_after_secs),
        ..default()
    })
    .add_systems(Last, record);
}

fn record(
    time: Res<Time<Real>>,
    stats: Res<TerrainStats>,
    fleet: Res<Fleet>,
    drops: Option<Res<LinkDrops>>,
    mut rec: ResMut<Recorder>,
    mut exit: MessageWriter<AppExit>,
) {
    let now = time.elapsed_secs_f64();
    // Measure once the terrain has settled (start-up work is not steady state).
    if rec.started_at.is_none() && stats.building == 0 && stats.shown > 0 {
        rec.started_at = Some(now);
        rec.link_ticks_at_start = thread_ticks(LINK_THREADS);
    }
    if rec.started_at.is_some() && rec.path.is_some() {
        let ms = time.delta_secs_f64() * 1000.0;
        rec.ms.push(ms);
    }
    let Some(limit) = rec.exit_after_s else {
        return;
    };
    if now < limit || rec.written {
        return;
    }
    rec.written = true;
    if let Some(path) = rec.path.clone() {
        let mut stats = frame_stats(&rec.ms, fleet.0.vehicles.len());
        if let (Some(s), Some(d)) = (stats.as_mut(), drops.as_deref()) {
            s.link_drops = LinkDropCounts {
                events: d.events,
                progress: d.progress,
                requests: d.requests,
            };
        }
        if let Some(s) = stats.as_mut() {
            s.link_traffic = LinkTraffic::of(&fleet.0);
            let measured_s = now - rec.started_at.unwrap_or(now);
            if let (Some(t0), Some(t1)) = (rec.link_ticks_at_start, thread_ticks(LINK_THREADS))
                && measured_s > 0.0
            {
                s.link_cpu_pct = Some(t1.saturating_sub(t0) as f64 / USER_HZ / measured_s * 100.0);
            }
        }
        let json = serde_json::to_string_pretty(&stats).unwrap_or_default();
        if let Err(e) = vigil_fs::write_atomic(&path, json.as_bytes()) {
            error!("frame stats: {e}");
        }
    }
    exit.write(AppExit::Success);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_p99() {
        let ms: Vec<f64> = (1..=100).map(f64::from).collect();
        let s = frame_stats(&ms, 3).unwrap();
        assert_eq!(s.frames, 100);
        assert_eq!(s.median_ms, 51.0);
        assert_eq!(s.p99_ms, 99.0);
        assert_eq!(s.max_ms, 100.0);
        assert!(frame_stats(&[], 3).is_none());
    }

    #[test]
    fn thread_cpu_is_read_from_proc() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, Ordering};
        if !std::path::Path::new("/proc/self/task").is_dir() {
            return;
        }
        assert_eq!(thread_ticks("no-such-thread"), Some(0));
        let done = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&done);
        let spin = std::thread::Builder::new()
            .name("fstats-spin".into())
            .spawn(move || {
                let mut x = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    x = std::hint::black_box(x.wrapping_add(1));
                }
            })
            .unwrap();
        // A thread that only spins is seen using CPU (a few ticks, however slow the
        // machine: the bound is a safety net, not a timing).
        let seen = (0..3000).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(10));
            thread_ticks("fstats-spin").unwrap() >= 3
        });
        done.store(true, Ordering::Relaxed);
        spin.join().unwrap();
        assert!(seen);
    }
}
