//! The 3D map: the local frame with its floating origin, the camera, terrain, the
//! drones and the shared vertex-colour material.
//!
//! Each file adds its own plugin; this one adds them all. Files here import each other
//! only downwards: `sets`, `view` and `frame` at the bottom, then `mesh` and
//! `vertex_colour`, `terrain`, and `camera` and `drones` on top.

pub mod camera;
pub mod drones;
pub mod frame;
pub mod mesh;
pub mod sets;
pub mod terrain;
pub mod vertex_colour;
pub mod view;

use bevy::prelude::*;

/// Adds every map plugin.
pub(super) fn plugin(app: &mut App) {
    app.add_plugins((
        sets::plugin,
        frame::plugin,
        camera::plugin,
        vertex_colour::plugin,
        terrain::plugin,
        drones::plugin,
    ));
}
