//! Frame-time recording for the benchmark: `--frame-stats PATH` writes the median and
//! 99th percentile frame time at exit; `--exit-after-secs N` ends the run.
//!
//! Exists so frame cost (3 drones against 100) is measured on the real app, in a
//! benchmark and never in a timed test.

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
}

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
    })
}

#[derive(Resource, Default)]
struct Recorder {
    path: Option<PathBuf>,
    exit_after_s: Option<f64>,
    started_at: Option<f64>,
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
}
