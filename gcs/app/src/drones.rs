//! Drones on the map: an arrow oriented by heading that keeps a readable size at any
//! zoom, an altitude stalk to the ground, a trail of the last minutes, and selection by
//! clicking.
//!
//! Exists as the shell over the fleet snapshot: one entity per vehicle, updated from
//! [`Fleet`] each frame; trails come from gcs-scene's tested [`Trail`].

use std::collections::BTreeMap;

use bevy::prelude::*;
use bevy::window::PrimaryWindow;
use bevy_egui::input::EguiWantsInput;
use gcs_link::{VehicleId, VehicleState};
use gcs_scene::trail::Trail;

use crate::camera::{FOV_DEG, MainCamera};
use crate::link::Fleet;
use crate::map_frame::{Anchored, MapFrame};
use crate::terrain::TerrainData;
use crate::ui_state::{Selection, Tool};

/// Height of a drone's arrow on screen, pixels.
pub const DRONE_SIZE_PX: f32 = 34.0;
/// A click selects the drone within this many pixels.
const PICK_RADIUS_PX: f32 = 24.0;

/// Drone colour (sRGB): a vivid lime no map layer uses, so drones stand out.
pub const DRONE_COLOUR: [u8; 3] = [57, 255, 20];
/// The selected drone's colour.
pub const SELECTED_COLOUR: [u8; 3] = [255, 153, 0];
/// A link-lost drone's colour.
pub const LOST_COLOUR: [u8; 3] = [140, 140, 140];
/// Trail colour.
const TRAIL_COLOUR: Color = Color::srgba(0.55, 1.0, 0.35, 0.8);
/// Stalk colour.
const STALK_COLOUR: Color = Color::srgba(1.0, 1.0, 1.0, 0.7);

/// A drone's entity.
#[derive(Component, Debug, Clone, Copy)]
pub struct DroneMarker(pub VehicleId);

/// Drone trails, by vehicle.
#[derive(Resource, Default)]
pub struct Trails(pub BTreeMap<VehicleId, Trail>);

#[derive(Resource)]
struct DroneAssets {
    mesh: Handle<Mesh>,
    normal: Handle<StandardMaterial>,
    selected: Handle<StandardMaterial>,
    lost: Handle<StandardMaterial>,
}

/// Draws the fleet.
pub struct DronesPlugin;

impl Plugin for DronesPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<Trails>()
            .add_systems(Startup, make_assets)
            .add_systems(
                Update,
                (
                    sync_drones,
                    record_trails,
                    click_to_select,
                    draw_stalks_and_trails,
                ),
            )
            .add_systems(
                PostUpdate,
                size_drones
                    .after(crate::map_frame::PlaceAnchored)
                    .after(crate::camera::PlaceCamera)
                    .before(TransformSystems::Propagate),
            );
    }
}

fn unlit(materials: &mut Assets<StandardMaterial>, rgb: [u8; 3]) -> Handle<StandardMaterial> {
    materials.add(StandardMaterial {
        base_color: Color::srgb_u8(rgb[0], rgb[1], rgb[2]),
        unlit: true,
        ..default()
    })
}

fn make_assets(
    mut commands: Commands,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    // An arrowhead: a cone along +Y, turned to point along -Z (north at heading 0).
    commands.insert_resource(DroneAssets {
        mesh: meshes.add(Cone {
            radius: 0.35,
            height: 1.0,
        }),
        normal: unlit(&mut materials, DRONE_COLOUR),
        selected: unlit(&mut materials, SELECTED_COLOUR),
        lost: unlit(&mut materials, LOST_COLOUR),
    });
}

/// The arrow's rotation for a heading (degrees clockwise from north).
pub fn heading_rotation(heading_deg: f64) -> Quat {
    // Cone +Y -> forward -Z (north), then yaw clockwise seen from above.
    Quat::from_rotation_y(-(heading_deg.to_radians() as f32))
        * Quat::from_rotation_x(-std::f32::consts::FRAC_PI_2)
}

fn sync_drones(
    fleet: Res<Fleet>,
    map: Res<MapFrame>,
    selection: Res<Selection>,
    assets: Option<Res<DroneAssets>>,
    mut commands: Commands,
    mut drones: Query<(
        Entity,
        &DroneMarker,
        &mut Anchored,
        &mut Transform,
        &mut MeshMaterial3d<StandardMaterial>,
    )>,
) {
    let Some(assets) = assets else { return };
    if !fleet.is_changed() && !selection.is_changed() {
        return;
    }
    let material = |v: &VehicleState| {
        if v.link_lost {
            assets.lost.clone()
        } else if selection.vehicle == Some(v.id) {
            assets.selected.clone()
        } else {
            assets.normal.clone()
        }
    };
    let mut seen = std::collections::BTreeSet::new();
    for (entity, marker, mut anchor, mut t, mut mat) in &mut drones {
        match fleet.0.get(marker.0) {
            Some(v) if v.position.is_some() => {
                seen.insert(marker.0);
                let p = v.position.expect("checked");
                anchor.0 = map.frame.to_enu(p.lat_lon, p.alt_amsl_m);
                t.rotation = heading_rotation(heading(v));
                let m = material(v);
                if mat.0 != m {
                    mat.0 = m;
                }
            }
            _ => commands.entity(entity).despawn(),
        }
    }
    for v in fleet.0.vehicles.values() {
        let Some(p) = v.position else { continue };
        if seen.contains(&v.id) {
            continue;
        }
        commands.spawn((
            DroneMarker(v.id),
            Mesh3d(assets.mesh.clone()),
            MeshMaterial3d(material(v)),
            Anchored(map.frame.to_enu(p.lat_lon, p.alt_amsl_m)),
            Transform::from_rotation(heading_rotation(heading(v))),
        ));
    }
}

fn heading(v: &VehicleState) -> f64 {
    v.heading_deg
        .or(v.attitude.map(|a| a.yaw_deg))
        .unwrap_or(0.0)
}

/// Keeps every arrow [`DRONE_SIZE_PX`] tall on screen, raised by half its size so it
/// sits on its position instead of in the ground (runs after the camera and the
/// anchors are placed, before transforms propagate).
fn size_drones(
    map: Res<MapFrame>,
    camera: Single<&Transform, (With<MainCamera>, Without<DroneMarker>)>,
    window: Option<Single<&Window, With<PrimaryWindow>>>,
    mut drones: Query<(&Anchored, &mut Transform), With<DroneMarker>>,
) {
    let h = window.map_or(900.0, |w| w.height().max(1.0));
    let per_px = 2.0 * (FOV_DEG.to_radians() * 0.5).tan() / h;
    for (anchor, mut t) in &mut drones {
        let at = map.render(anchor.0);
        let d = camera.translation.distance(at).max(1.0);
        let size = d * per_px * DRONE_SIZE_PX;
        t.scale = Vec3::splat(size);
        t.translation = at + Vec3::Y * size * 0.4;
    }
}

fn record_trails(fleet: Res<Fleet>, time: Res<Time>, mut trails: ResMut<Trails>) {
    if !fleet.is_changed() {
        return;
    }
    let now = time.elapsed_secs_f64();
    for v in fleet.0.vehicles.values() {
        if let Some(p) = v.position {
            trails
                .0
                .entry(v.id)
                .or_default()
                .push(now, p.lat_lon, p.alt_amsl_m);
        }
    }
    trails.0.retain(|id, _| fleet.0.vehicles.contains_key(id));
}

fn draw_stalks_and_trails(
    fleet: Res<Fleet>,
    trails: Res<Trails>,
    map: Res<MapFrame>,
    terrain: Res<TerrainData>,
    mut gizmos: Gizmos,
) {
    let src = terrain.source.as_deref();
    for v in fleet.0.vehicles.values() {
        let Some(p) = v.position else { continue };
        let ground = src
            .and_then(|s| s.dem.sample(p.lat_lon))
            .unwrap_or(p.alt_amsl_m - p.alt_rel_m);
        if p.alt_amsl_m > ground + 0.5 {
            gizmos.line(
                map.render_geo(p.lat_lon, p.alt_amsl_m),
                map.render_geo(p.lat_lon, ground),
                STALK_COLOUR,
            );
        }
        if let Some(trail) = trails.0.get(&v.id) {
            gizmos.linestrip(
                trail
                    .points()
                    .map(|s| map.render_geo(s.position, s.alt_amsl_m)),
                TRAIL_COLOUR,
            );
        }
    }
}

/// The drone nearest `cursor` (viewport pixels) within [`PICK_RADIUS_PX`].
pub fn drone_at(
    cursor: Vec2,
    camera: (&Camera, &GlobalTransform),
    drones: impl Iterator<Item = (VehicleId, Vec3)>,
) -> Option<VehicleId> {
    drones
        .filter_map(|(id, world)| {
            let s = camera.0.world_to_viewport(camera.1, world).ok()?;
            let d = s.distance(cursor);
            (d <= PICK_RADIUS_PX).then_some((id, d))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(id, _)| id)
}

#[allow(clippy::too_many_arguments)]
fn click_to_select(
    buttons: Res<ButtonInput<MouseButton>>,
    window: Option<Single<&Window, With<PrimaryWindow>>>,
    camera: Single<(&Camera, &GlobalTransform), With<MainCamera>>,
    egui: Option<Res<EguiWantsInput>>,
    tool: Res<Tool>,
    drones: Query<(&DroneMarker, &GlobalTransform)>,
    mut selection: ResMut<Selection>,
    mut press: Local<Option<Vec2>>,
) {
    let Some(window) = window else { return };
    let (cam, at) = *camera;
    let cursor = crate::camera::cursor_in_viewport(&window, cam);
    if buttons.just_pressed(MouseButton::Left) {
        *press = cursor;
    }
    if !buttons.just_released(MouseButton::Left) || *tool != Tool::Navigate {
        return;
    }
    if egui.is_some_and(|e| e.is_pointer_over_area()) {
        return;
    }
    // A drag (pan) is not a click.
    let (Some(c), Some(p)) = (cursor, press.take()) else {
        return;
    };
    if c.distance(p) > 4.0 {
        return;
    }
    if let Some(id) = drone_at(
        c,
        (cam, at),
        drones.iter().map(|(d, g)| (d.0, g.translation())),
    ) {
        selection.vehicle = Some(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::fake;
    use gcs_link::vehicle::Position;
    use gcs_link::{FleetSnapshot, LatLon};

    #[test]
    fn heading_points_the_arrow() {
        let north = heading_rotation(0.0) * Vec3::Y;
        assert!(north.abs_diff_eq(Vec3::NEG_Z, 1e-6), "{north}");
        let east = heading_rotation(90.0) * Vec3::Y;
        assert!(east.abs_diff_eq(Vec3::X, 1e-6), "{east}");
    }

    #[test]
    fn one_entity_per_positioned_vehicle_following_the_fleet() {
        let (far, link) = fake::link();
        let mut app = App::new();
        app.add_plugins((
            MinimalPlugins,
            AssetPlugin::default(),
            TransformPlugin,
            link,
        ))
        .init_asset::<Mesh>()
        .init_asset::<StandardMaterial>()
        .insert_resource(MapFrame::new(LatLon::new(17.0, 8.0), 1.0))
        .init_resource::<Selection>()
        .init_resource::<Trails>()
        .add_systems(Startup, make_assets)
        .add_systems(Update, (sync_drones, record_trails));
        let mut snap = FleetSnapshot::default();
        for sysid in 1..=3 {
            let id = VehicleId { sysid, compid: 1 };
            let mut v = VehicleState::new(id);
            if sysid != 3 {
                v.position = Some(Position {
                    lat_lon: LatLon::new(17.0 + f64::from(sysid) * 0.01, 8.0),
                    alt_amsl_m: 600.0,
                    alt_rel_m: 100.0,
                });
                v.heading_deg = Some(90.0);
            }
            snap.vehicles.insert(id, v);
        }
        far.fleet.send(snap.clone()).unwrap();
        app.update();
        app.update();
        let mut q = app.world_mut().query::<(&DroneMarker, &Anchored)>();
        let drones: Vec<_> = q.iter(app.world()).map(|(d, a)| (d.0.sysid, a.0)).collect();
        assert_eq!(
            drones.len(),
            2,
            "the vehicle without a position is not drawn"
        );
        assert!(drones.iter().all(|(_, e)| (e.up_m - 600.0).abs() < 1e-9));
        // A vehicle that leaves the snapshot leaves the map.
        snap.vehicles.retain(|id, _| id.sysid == 1);
        far.fleet.send(snap).unwrap();
        app.update();
        app.update();
        let n = app
            .world_mut()
            .query::<&DroneMarker>()
            .iter(app.world())
            .count();
        assert_eq!(n, 1);
        assert_eq!(app.world().resource::<Trails>().0.len(), 1);
    }
}
