//! The map's mouse interactions driven end to end, headless: a real window entity with
//! a cursor, the real camera plugin placing and computing the map camera over the demo
//! terrain, Bevy's input plugin turning button messages into presses, and the
//! planning, flight, drone and layer plugins reacting to them.
//!
//! Exists because the per-plugin tests call the library functions directly; these check
//! that a click, a drag, a right click and a dropped file do what the operator expects
//! at the pixel they happen at.

use std::time::Duration;

use bevy::gizmos::AppGizmoBuilder;
use bevy::gizmos::config::DefaultGizmoConfigGroup;
use bevy::input::ButtonState;
use bevy::input::InputPlugin;
use bevy::input::mouse::{MouseButtonInput, MouseMotion};
use bevy::prelude::*;
use bevy::render::camera::camera_system;
use bevy::render::texture::ManualTextureViews;
use bevy::window::{
    FileDragAndDrop, PrimaryWindow, WindowCreated, WindowResized, WindowResolution,
    WindowScaleFactorChanged,
};
use bevy_egui::EguiGlobalSettings;
use gcs_link::vehicle::{LandedState, Position};
use gcs_link::{FleetSnapshot, LatLon, VehicleCommand, VehicleId, VehicleState};
use mission_planner::{FencePolygon, MissionCommand, MissionItem};

use crate::layers::{LayerStatus, MapLayers};
use crate::link::{LinkRequest, fake};
use crate::map::frame::MapFrame;
use crate::map::view::{MainCamera, MapCamera};
use crate::tools::PlanDoc;
use crate::ui_state::{CursorGround, Selection, Tool};

const WIDTH: u32 = 1600;
const HEIGHT: u32 = 900;

/// The demo map with a 1600x900 window and every plugin that reacts to the mouse.
fn map_app() -> (fake::FakeLink, App, Entity) {
    let (far, link) = fake::link();
    let mut app = crate::test_support::demo_app();
    app.add_plugins((
        InputPlugin,
        link,
        crate::ui_state::plugin,
        crate::map::vertex_colour::plugin,
        crate::map::camera::plugin,
        crate::map::drones::plugin,
        crate::flight::plugin,
        crate::tools::plugin,
    ))
    .init_gizmo_group::<DefaultGizmoConfigGroup>()
    .init_asset::<Image>()
    .init_resource::<ManualTextureViews>()
    .init_resource::<EguiGlobalSettings>()
    .add_message::<WindowResized>()
    .add_message::<WindowCreated>()
    .add_message::<WindowScaleFactorChanged>()
    // What the render plugin does each frame: the camera's viewport and projection
    // from its window.
    .add_systems(PostUpdate, camera_system.after(TransformSystems::Propagate));
    let window = app
        .world_mut()
        .spawn((
            Window {
                resolution: WindowResolution::new(WIDTH, HEIGHT),
                ..default()
            },
            PrimaryWindow,
        ))
        .id();
    for _ in 0..3 {
        app.update();
    }
    let cam = app
        .world_mut()
        .query_filtered::<&Camera, With<MainCamera>>()
        .single(app.world())
        .expect("one map camera")
        .clone();
    assert_eq!(
        cam.logical_viewport_size(),
        Some(Vec2::new(WIDTH as f32, HEIGHT as f32)),
        "the camera's viewport is the whole window"
    );
    (far, app, window)
}

fn move_cursor(app: &mut App, window: Entity, to: Vec2) {
    let mut w = app.world_mut().get_mut::<Window>(window).unwrap();
    let from = w.cursor_position().unwrap_or(to);
    w.set_cursor_position(Some(to));
    app.world_mut()
        .write_message(MouseMotion { delta: to - from });
    app.update();
}

fn button(app: &mut App, window: Entity, button: MouseButton, state: ButtonState) {
    app.world_mut().write_message(MouseButtonInput {
        button,
        state,
        window,
    });
    app.update();
}

/// Moves to `at`, presses and releases `b` there.
fn click(app: &mut App, window: Entity, at: Vec2, b: MouseButton) {
    move_cursor(app, window, at);
    button(app, window, b, ButtonState::Pressed);
    button(app, window, b, ButtonState::Released);
}

/// The ground under the cursor as the camera plugin picked it.
fn ground(app: &App) -> (LatLon, f64) {
    app.world()
        .resource::<CursorGround>()
        .at
        .expect("the cursor is over the terrain")
}

/// Where a geographic point appears on screen, through the map camera.
fn screen_of(app: &mut App, p: LatLon, alt_amsl_m: f64) -> Vec2 {
    let world = app.world().resource::<MapFrame>().render_geo(p, alt_amsl_m);
    let (cam, at) = app
        .world_mut()
        .query_filtered::<(&Camera, &GlobalTransform), With<MainCamera>>()
        .single(app.world())
        .unwrap();
    cam.world_to_viewport(at, world).expect("on screen")
}

fn metres(a: LatLon, b: LatLon) -> f64 {
    use geo::{Distance, Haversine, Point};
    Haversine.distance(
        Point::new(a.lon_deg, a.lat_deg),
        Point::new(b.lon_deg, b.lat_deg),
    )
}

/// Updates until validation has come back for the current plan (the waypoints the
/// map grabs are the validated flown path).
fn settle_plan(app: &mut App) {
    for _ in 0..2000 {
        app.update();
        if app.world().resource::<PlanDoc>().is_validated() {
            return;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    panic!("validation never came back");
}

fn set_tool(app: &mut App, t: Tool) {
    *app.world_mut().resource_mut::<Tool>() = t;
}

fn mission(app: &App) -> Vec<MissionItem> {
    app.world().resource::<PlanDoc>().plan.mission.items.clone()
}

/// Clicks add a takeoff then waypoints where the cursor is; dragging a waypoint moves
/// it to the ground under the cursor without adding one; a right click deletes it.
#[test]
fn click_adds_drag_moves_right_click_deletes_waypoints() {
    let (_far, mut app, window) = map_app();
    set_tool(&mut app, Tool::AddWaypoint);

    let a = Vec2::new(700.0, 450.0);
    click(&mut app, window, a, MouseButton::Left);
    let (pa, ha) = ground(&app);
    // The picked ground point projects back to the pixel that was clicked.
    assert!(screen_of(&mut app, pa, ha).distance(a) < 1.5);
    let b = Vec2::new(950.0, 420.0);
    click(&mut app, window, b, MouseButton::Left);
    let (pb, _) = ground(&app);
    assert!(metres(pa, pb) > 1000.0, "two clicks, two places");

    let items = mission(&app);
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(matches!(items[0].command, MissionCommand::Takeoff { .. }));
    assert!(matches!(items[1].command, MissionCommand::Waypoint { .. }));
    assert!(metres(items[0].position().unwrap(), pa) < 1.0);
    assert!(metres(items[1].position().unwrap(), pb) < 1.0);

    // Drag the second waypoint by its marker (drawn at its flown altitude).
    settle_plan(&mut app);
    let flown = app.world().resource::<PlanDoc>().flown.clone();
    let wp = flown.last().unwrap();
    let grab = screen_of(&mut app, wp.position, wp.alt_amsl_m);
    move_cursor(&mut app, window, grab);
    button(&mut app, window, MouseButton::Left, ButtonState::Pressed);
    let to = Vec2::new(900.0, 600.0);
    for step in 1..=5 {
        move_cursor(&mut app, window, grab.lerp(to, step as f32 / 5.0));
    }
    let (dropped_at, _) = ground(&app);
    button(&mut app, window, MouseButton::Left, ButtonState::Released);
    let items = mission(&app);
    assert_eq!(items.len(), 2, "a drag adds nothing: {items:?}");
    assert!(metres(items[1].position().unwrap(), dropped_at) < 1.0);
    assert!(metres(items[1].position().unwrap(), pb) > 1000.0);
    assert!(
        metres(items[0].position().unwrap(), pa) < 1.0,
        "the other stays"
    );

    // Right click on it deletes it.
    settle_plan(&mut app);
    let flown = app.world().resource::<PlanDoc>().flown.clone();
    let wp = flown.last().unwrap();
    let at = screen_of(&mut app, wp.position, wp.alt_amsl_m);
    click(&mut app, window, at, MouseButton::Right);
    let items = mission(&app);
    assert_eq!(items.len(), 1, "{items:?}");
    assert!(metres(items[0].position().unwrap(), pa) < 1.0);

    // A right click on empty map deletes nothing.
    settle_plan(&mut app);
    click(
        &mut app,
        window,
        Vec2::new(300.0, 300.0),
        MouseButton::Right,
    );
    assert_eq!(mission(&app).len(), 1);
}

/// The survey, fence and rally tools put their vertices and points where clicked.
#[test]
fn polygon_and_rally_tools_click_where_the_cursor_is() {
    let (_far, mut app, window) = map_app();
    let corners = [
        Vec2::new(600.0, 400.0),
        Vec2::new(900.0, 400.0),
        Vec2::new(900.0, 600.0),
    ];
    for (tool, at) in [
        (Tool::DrawSurvey, &corners[..]),
        (Tool::DrawFence, &corners[..2]),
    ] {
        set_tool(&mut app, tool);
        for c in at {
            click(&mut app, window, *c, MouseButton::Left);
        }
    }
    set_tool(&mut app, Tool::AddRally);
    click(&mut app, window, corners[2], MouseButton::Left);
    let rally_ground = ground(&app).0;

    let doc = app.world().resource::<PlanDoc>();
    assert_eq!(doc.survey_polygon.len(), 3);
    assert_eq!(doc.fence_polygon.len(), 2);
    assert_eq!(doc.plan.rally_points.len(), 1);
    assert!(metres(doc.plan.rally_points[0].position, rally_ground) < 1.0);
    assert!(metres(doc.survey_polygon[2], rally_ground) < 1.0);
    assert!(
        doc.plan.mission.items.is_empty(),
        "no waypoint from other tools"
    );
}

fn flying_drone(id: VehicleId, at: LatLon) -> VehicleState {
    let mut v = VehicleState::new(id);
    v.armed = true;
    v.landed = LandedState::InAir;
    v.position = Some(Position {
        lat_lon: at,
        alt_amsl_m: 700.0,
        alt_rel_m: 200.0,
    });
    v.heading_deg = Some(45.0);
    v
}

/// Clicking a drone selects it; with the go-to tool a click sends the selected drone to
/// the ground point clicked, unless it lies outside the plan's fence, which asks first.
#[test]
fn click_selects_a_drone_and_go_to_sends_it_where_clicked() {
    let (mut far, mut app, window) = map_app();
    // A drone where the middle of the screen looks at.
    move_cursor(&mut app, window, Vec2::new(800.0, 450.0));
    let (centre, _) = ground(&app);
    let id = VehicleId {
        sysid: 7,
        compid: 1,
    };
    let mut snap = FleetSnapshot::default();
    snap.vehicles.insert(id, flying_drone(id, centre));
    far.fleet.send(snap).unwrap();
    for _ in 0..3 {
        app.update();
    }
    let drone_px = screen_of(&mut app, centre, 700.0);
    assert_eq!(app.world().resource::<Selection>().vehicle, None);
    click(&mut app, window, drone_px, MouseButton::Left);
    assert_eq!(app.world().resource::<Selection>().vehicle, Some(id));

    // Go to: the request carries the ground point under the click.
    set_tool(&mut app, Tool::GoTo);
    let target_px = Vec2::new(1100.0, 500.0);
    click(&mut app, window, target_px, MouseButton::Left);
    let (target, _) = ground(&app);
    app.update();
    let req = far.requests.try_recv().expect("a go-to request was sent");
    let LinkRequest::Command {
        vehicle,
        command: VehicleCommand::GoTo { target: sent, .. },
    } = &req
    else {
        panic!("{req:?}");
    };
    assert_eq!(*vehicle, id);
    assert!(metres(*sent, target) < 1.0);
    assert_eq!(*app.world().resource::<Tool>(), Tool::Navigate, "one shot");

    // With a fence around the drone only, a go-to outside it waits for confirmation.
    {
        let d = 0.02;
        let mut doc = app.world_mut().resource_mut::<PlanDoc>();
        doc.plan.fence.polygons.push(FencePolygon {
            vertices: vec![
                LatLon::new(centre.lat_deg - d, centre.lon_deg - d),
                LatLon::new(centre.lat_deg - d, centre.lon_deg + d),
                LatLon::new(centre.lat_deg + d, centre.lon_deg + d),
                LatLon::new(centre.lat_deg + d, centre.lon_deg - d),
            ],
            inclusion: true,
        });
    }
    set_tool(&mut app, Tool::GoTo);
    click(&mut app, window, Vec2::new(800.0, 700.0), MouseButton::Left);
    assert!(metres(ground(&app).0, centre) > 5000.0);
    app.update();
    assert!(far.requests.try_recv().is_err(), "nothing sent unconfirmed");
    let pending = app.world().resource::<crate::flight::FlightState>();
    assert!(
        pending
            .pending
            .as_ref()
            .is_some_and(|p| p.reason.contains("outside the plan's geofence")),
        "{:?}",
        pending.pending.as_ref().map(|p| &p.reason)
    );
}

/// A left drag with the navigate tool pans the map and adds nothing.
#[test]
fn navigate_drag_pans_without_editing() {
    let (_far, mut app, window) = map_app();
    let before = app.world().resource::<MapCamera>().orbit.target;
    move_cursor(&mut app, window, Vec2::new(800.0, 450.0));
    button(&mut app, window, MouseButton::Left, ButtonState::Pressed);
    move_cursor(&mut app, window, Vec2::new(700.0, 400.0));
    button(&mut app, window, MouseButton::Left, ButtonState::Released);
    let after = app.world().resource::<MapCamera>().orbit.target;
    let moved = ((after[0] - before[0]).powi(2) + (after[1] - before[1]).powi(2)).sqrt();
    assert!(moved > 100.0, "panned {moved} m");
    assert!(mission(&app).is_empty());
    assert_eq!(app.world().resource::<Selection>().vehicle, None);
}

/// A file dropped on the window becomes a layer, read through GDAL off the frame: a
/// road network (the Trans-African Highway lines of the shared test data, not shipped
/// in the demo set for licence reasons).
#[test]
fn a_dropped_file_becomes_a_layer() {
    let (_far, mut app, window) = map_app();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../../../shared/data/02_places_rivers_roads/trans_african_highway_niger_region.geojson",
    );
    assert!(
        path.exists(),
        "shared test data missing: {}",
        path.display()
    );
    let before = app.world().resource::<MapLayers>().layers.len();
    app.world_mut().write_message(FileDragAndDrop::DroppedFile {
        window,
        path_buf: path.clone(),
    });
    for _ in 0..3000 {
        app.update();
        let layers = app.world().resource::<MapLayers>();
        if let Some(l) = layers.layers.get(before)
            && !matches!(l.status, LayerStatus::Loading)
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let layers = app.world().resource::<MapLayers>();
    assert_eq!(layers.layers.len(), before + 1);
    let l = &layers.layers[before];
    assert_eq!(l.source, path);
    assert!(
        matches!(l.status, LayerStatus::Ready { features } if features == 19),
        "{:?}",
        l.status
    );
    let draped = l.draped.as_deref().expect("draped on the terrain");
    assert!(draped.lines.len() >= 19 && draped.points.is_empty());
}
