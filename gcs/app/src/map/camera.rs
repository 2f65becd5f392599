//! The map camera: orbit, pan, zoom, tilt, top-down toggle, follow a drone, and the
//! ground point under the cursor.
//!
//! Exists as the only place mouse and keyboard move the view; the math is
//! gcs-scene's tested [`OrbitCamera`], in frame metres with heights exaggerated like the
//! terrain (x east, y north, z up).

use bevy::camera::CameraOutputMode;
use bevy::camera::visibility::RenderLayers;
use bevy::camera::{PerspectiveProjection, Projection};
use bevy::core_pipeline::tonemapping::Tonemapping;
use bevy::input::mouse::{AccumulatedMouseMotion, AccumulatedMouseScroll, MouseScrollUnit};
use bevy::prelude::*;
use bevy::render::render_resource::BlendState;
use bevy::window::PrimaryWindow;
use bevy_egui::input::EguiWantsInput;
use bevy_egui::{EguiGlobalSettings, PrimaryEguiContext};
use gcs_scene::Enu;
use gcs_scene::camera::OrbitCamera;

use crate::link::Fleet;
use crate::map::frame::MapFrame;
use crate::map::sets::{PlaceCamera, ReadCursor};
use crate::map::terrain::TerrainData;
use crate::map::view::{FOV_DEG, MainCamera, MapCamera, cursor_in_viewport};
use crate::ui_state::{CursorGround, Selection, Tool};

/// Degrees of orbit per pixel of right-drag.
const ORBIT_DEG_PER_PX: f64 = 0.25;
/// Zoom per wheel line.
const ZOOM_PER_LINE: f64 = 0.85;
/// Keyboard pan, screen heights per second.
const KEY_PAN_PER_S: f64 = 0.6;

/// Adds the camera, its controls and the cursor readout.
pub(crate) fn plugin(app: &mut App) {
    app.add_systems(Startup, spawn_camera)
        .add_systems(
            Update,
            (
                mouse_controls,
                keyboard_controls,
                follow_selected,
                cursor_ground.in_set(ReadCursor),
            )
                .chain(),
        )
        .add_systems(
            PostUpdate,
            place_camera
                .in_set(PlaceCamera)
                .before(TransformSystems::Propagate),
        );
}

fn spawn_camera(
    mut commands: Commands,
    map: Res<MapFrame>,
    terrain: Option<Res<TerrainData>>,
    mut egui_settings: ResMut<EguiGlobalSettings>,
) {
    let mut orbit = OrbitCamera::default();
    if let Some(t) = terrain.as_deref().and_then(|t| t.source.as_deref()) {
        let ext = t.extent;
        let s = map.vertical_scale;
        orbit.frame_bounds(
            [ext.min_east_m, ext.min_north_m],
            [ext.min_east_m + ext.size_m, ext.min_north_m + ext.size_m],
            f64::from(FOV_DEG).to_radians(),
            16.0 / 9.0,
        );
        orbit.target[2] = 400.0 * s;
        orbit.pitch_deg = 60.0;
        orbit.distance_m *= 0.8;
    }
    commands.insert_resource(MapCamera {
        orbit,
        follow: false,
    });
    commands.spawn((
        MainCamera,
        Camera3d::default(),
        Projection::Perspective(PerspectiveProjection {
            fov: FOV_DEG.to_radians(),
            near: 10.0,
            ..default()
        }),
        Transform::default(),
        Tonemapping::None,
        // No multisampling: on software Vulkan (lavapipe) 4x MSAA costs most of a frame.
        Msaa::Off,
    ));
    // egui draws on its own camera over the whole window, after the map.
    egui_settings.auto_create_primary_context = false;
    commands.spawn((
        PrimaryEguiContext,
        Camera2d,
        RenderLayers::none(),
        Msaa::Off,
        Camera {
            order: 1,
            output_mode: CameraOutputMode::Write {
                blend_state: Some(BlendState::ALPHA_BLENDING),
                clear_color: ClearColorConfig::None,
            },
            clear_color: ClearColorConfig::Custom(Color::NONE),
            ..default()
        },
    ));
    commands.spawn((
        DirectionalLight {
            illuminance: 8_000.0,
            shadow_maps_enabled: false,
            ..default()
        },
        Transform::from_xyz(-1.0, 1.0, -1.0).looking_at(Vec3::ZERO, Vec3::Y),
    ));
}

fn pointer_free(egui: &Option<Res<EguiWantsInput>>) -> bool {
    egui.as_ref()
        .is_none_or(|e| !e.wants_pointer_input() && !e.is_pointer_over_area())
}

fn mouse_controls(
    buttons: Res<ButtonInput<MouseButton>>,
    motion: Res<AccumulatedMouseMotion>,
    scroll: Res<AccumulatedMouseScroll>,
    window: Option<Single<&Window, With<PrimaryWindow>>>,
    egui: Option<Res<EguiWantsInput>>,
    tool: Res<Tool>,
    mut cam: ResMut<MapCamera>,
) {
    let Some(window) = window else { return };
    if !pointer_free(&egui) {
        return;
    }
    let d = motion.delta;
    let height = f64::from(window.height().max(1.0));
    let fov = f64::from(FOV_DEG).to_radians();
    if buttons.pressed(MouseButton::Right) && d != Vec2::ZERO {
        cam.orbit.orbit(
            f64::from(d.x) * ORBIT_DEG_PER_PX,
            f64::from(d.y) * ORBIT_DEG_PER_PX,
        );
    } else if (buttons.pressed(MouseButton::Middle)
        || (buttons.pressed(MouseButton::Left) && *tool == Tool::Navigate))
        && d != Vec2::ZERO
    {
        cam.follow = false;
        cam.orbit
            .pan_screen(f64::from(d.x), f64::from(d.y), height, fov);
    }
    if scroll.delta.y != 0.0 {
        let lines = match scroll.unit {
            MouseScrollUnit::Line => f64::from(scroll.delta.y),
            MouseScrollUnit::Pixel => f64::from(scroll.delta.y) / 40.0,
        };
        cam.orbit.zoom(ZOOM_PER_LINE.powf(lines));
    }
}

fn keyboard_controls(
    keys: Res<ButtonInput<KeyCode>>,
    time: Res<Time>,
    egui: Option<Res<EguiWantsInput>>,
    mut cam: ResMut<MapCamera>,
) {
    if egui.as_ref().is_some_and(|e| e.wants_keyboard_input()) {
        return;
    }
    let dt = time.delta_secs_f64();
    let fov = f64::from(FOV_DEG).to_radians();
    let px = KEY_PAN_PER_S * dt * 1000.0;
    let mut pan = (0.0, 0.0);
    if keys.any_pressed([KeyCode::ArrowLeft, KeyCode::KeyA]) {
        pan.0 += px;
    }
    if keys.any_pressed([KeyCode::ArrowRight, KeyCode::KeyD]) {
        pan.0 -= px;
    }
    if keys.any_pressed([KeyCode::ArrowUp, KeyCode::KeyW]) {
        pan.1 += px;
    }
    if keys.any_pressed([KeyCode::ArrowDown, KeyCode::KeyS]) {
        pan.1 -= px;
    }
    if pan != (0.0, 0.0) {
        cam.follow = false;
        cam.orbit.pan_screen(pan.0, pan.1, 1000.0, fov);
    }
    if keys.pressed(KeyCode::KeyQ) {
        cam.orbit.orbit(-60.0 * dt, 0.0);
    }
    if keys.pressed(KeyCode::KeyE) {
        cam.orbit.orbit(60.0 * dt, 0.0);
    }
    if keys.pressed(KeyCode::PageUp) {
        cam.orbit.orbit(0.0, -30.0 * dt);
    }
    if keys.pressed(KeyCode::PageDown) {
        cam.orbit.orbit(0.0, 30.0 * dt);
    }
    if keys.any_pressed([KeyCode::Equal, KeyCode::NumpadAdd]) {
        cam.orbit.zoom(0.5f64.powf(dt));
    }
    if keys.any_pressed([KeyCode::Minus, KeyCode::NumpadSubtract]) {
        cam.orbit.zoom(2.0f64.powf(dt));
    }
    if keys.just_pressed(KeyCode::KeyT) {
        let top = cam.orbit.pitch_deg < 89.9;
        cam.orbit.set_top_down(top);
    }
    if keys.just_pressed(KeyCode::KeyF) {
        cam.follow = !cam.follow;
    }
}

fn follow_selected(
    fleet: Res<Fleet>,
    selection: Res<Selection>,
    map: Res<MapFrame>,
    mut cam: ResMut<MapCamera>,
) {
    if !cam.follow {
        return;
    }
    let Some(p) = selection
        .vehicle
        .and_then(|id| fleet.0.get(id))
        .and_then(|v| v.position)
    else {
        return;
    };
    let e = map.frame.to_enu(p.lat_lon, p.alt_amsl_m);
    cam.orbit
        .follow([e.east_m, e.north_m, e.up_m * map.vertical_scale]);
}

fn place_camera(
    mut map: ResMut<MapFrame>,
    cam: Res<MapCamera>,
    mut camera: Single<(&mut Transform, &mut Projection), With<MainCamera>>,
) {
    let s = map.vertical_scale;
    let target = cam.orbit.target;
    let focus = Enu::new(target[0], target[1], 0.0);
    if map.rebase_near(focus) {
        debug!("render origin moved to {focus:?}");
    } else if !map.is_changed() && !cam.is_changed() {
        return;
    }
    let eye = cam.orbit.eye();
    let to_render = |p: [f64; 3]| map.render(Enu::new(p[0], p[1], p[2] / s));
    let (eye_r, target_r) = (to_render(eye), to_render(target));
    let yaw = cam.orbit.yaw_deg.to_radians();
    // Straight down, "up" on screen is the view's heading; otherwise the sky.
    let up = if cam.orbit.pitch_deg > 89.0 {
        Vec3::new(yaw.sin() as f32, 0.0, -(yaw.cos() as f32))
    } else {
        Vec3::Y
    };
    let (transform, projection) = &mut *camera;
    **transform = Transform::from_translation(eye_r).looking_at(target_r, up);
    if let Projection::Perspective(p) = &mut **projection {
        p.near = (cam.orbit.distance_m * 0.0005).clamp(0.5, 500.0) as f32;
        p.far = (cam.orbit.distance_m * 20.0).max(1e6) as f32;
    }
}

fn cursor_ground(
    window: Option<Single<&Window, With<PrimaryWindow>>>,
    camera: Single<(&Camera, &GlobalTransform), With<MainCamera>>,
    map: Res<MapFrame>,
    terrain: Option<Res<TerrainData>>,
    mut out: ResMut<CursorGround>,
) {
    let Some(window) = window else { return };
    let (camera, at) = *camera;
    let ray =
        cursor_in_viewport(&window, camera).and_then(|c| camera.viewport_to_world(at, c).ok());
    out.at = ray.and_then(|ray| {
        let src = terrain.as_deref()?.source.as_deref()?;
        let s = map.vertical_scale;
        let o = map.enu_of(ray.origin);
        let d = ray.direction;
        let origin = [o.east_m, o.north_m, o.up_m * s];
        let dir = [f64::from(d.x), -f64::from(d.z), f64::from(d.y)];
        let hit = gcs_scene::pick::pick_ground(
            origin,
            dir,
            |e, n| src.height_at(e, n).map(|h| h * s),
            5.0e6,
        )?;
        Some((src.frame.to_lat_lon(hit[0], hit[1]), hit[2] / s))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use gcs_link::LatLon;

    #[test]
    fn camera_looks_at_its_target_and_top_down_toggles() {
        let mut app = App::new();
        app.add_plugins((MinimalPlugins, TransformPlugin))
            .init_resource::<ButtonInput<KeyCode>>()
            .insert_resource(MapFrame::new(LatLon::new(17.5, 8.25), 1.0))
            .init_resource::<Fleet>()
            .init_resource::<Selection>()
            .init_resource::<CursorGround>()
            .init_resource::<Tool>()
            .init_resource::<EguiGlobalSettings>()
            .add_systems(Startup, spawn_camera)
            .add_systems(Update, (keyboard_controls, follow_selected))
            .add_systems(PostUpdate, place_camera);
        app.update();
        {
            let mut cam = app.world_mut().resource_mut::<MapCamera>();
            cam.orbit.target = [1000.0, 2000.0, 0.0];
            cam.orbit.distance_m = 5000.0;
        }
        app.update();
        let (t, target) = {
            let mut q = app
                .world_mut()
                .query_filtered::<&Transform, With<MainCamera>>();
            let t = *q.single(app.world()).unwrap();
            let map = *app.world().resource::<MapFrame>();
            (t, map.render(Enu::new(1000.0, 2000.0, 0.0)))
        };
        assert!((t.translation.distance(target) - 5000.0).abs() < 1.0);
        let looking = (target - t.translation).normalize();
        assert!(looking.dot(*t.forward()) > 0.999);

        app.world_mut()
            .resource_mut::<ButtonInput<KeyCode>>()
            .press(KeyCode::KeyT);
        app.update();
        let cam = app.world().resource::<MapCamera>();
        assert!(cam.orbit.pitch_deg > 89.9, "T switches to top-down");
    }
}
