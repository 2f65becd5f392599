//! What the app reports about itself: the screenshot `--screenshot` asks for (with where
//! things are on screen) and frame-time statistics for the benchmark.

pub mod frame_stats;
mod screenshot;

use bevy::prelude::*;

/// Adds the screenshot (when asked for) and the frame-time recorder.
pub(super) fn plugin(app: &mut App) {
    app.add_plugins((screenshot::plugin, frame_stats::plugin));
}
