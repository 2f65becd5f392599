//! What the map camera looks at: its orbit state, the camera marker, and the screen
//! geometry the tools and panels share.
//!
//! Exists apart from the camera's controls so terrain, drones and tools read the view
//! without depending on the systems that move it.

use bevy::prelude::*;
use gcs_scene::camera::OrbitCamera;

/// Vertical field of view, degrees.
pub const FOV_DEG: f32 = 45.0;

/// The camera's state.
#[derive(Resource, Debug, Clone, PartialEq)]
pub struct MapCamera {
    /// Orbit camera in frame metres (heights exaggerated).
    pub orbit: OrbitCamera,
    /// Whether the camera follows the selected drone.
    pub follow: bool,
}

/// Marks the map's 3D camera.
#[derive(Component)]
pub struct MainCamera;

/// The cursor, if it is over the camera's viewport. Bevy's "viewport" positions
/// (`viewport_to_world`, `world_to_viewport`) are window logical pixels.
pub fn cursor_in_viewport(window: &Window, camera: &Camera) -> Option<Vec2> {
    let c = window.cursor_position()?;
    let rect = camera.logical_viewport_rect()?;
    rect.contains(c).then_some(c)
}

/// Zooms so a frame-metre rectangle fills the view (layers panel "zoom to").
pub fn zoom_to(cam: &mut MapCamera, min: [f64; 2], max: [f64; 2], aspect: f64) {
    cam.follow = false;
    let z = cam.orbit.target[2];
    cam.orbit
        .frame_bounds(min, max, f64::from(FOV_DEG).to_radians(), aspect);
    cam.orbit.target[2] = z;
}
