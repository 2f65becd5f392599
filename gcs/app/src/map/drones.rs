//! Drones on the map: an arrow oriented by heading that keeps a readable size at any
//! zoom, an altitude stalk to the ground, a trail of the last minutes, and selection by
//! clicking.
//!
//! Exists as the shell over the fleet snapshot: one entity per vehicle, updated from
//! [`Fleet`] each frame; trails come from gcs-scene's tested [`Trail`].

use std::collections::BTreeMap;

use bevy::asset::RenderAssetUsages;
use bevy::camera::visibility::NoFrustumCulling;
use bevy::math::Affine3A;
use bevy::mesh::{Indices, PrimitiveTopology, VertexAttributeValues};
use bevy::prelude::*;
use bevy::window::PrimaryWindow;
use bevy_egui::input::EguiWantsInput;
use gcs_link::{VehicleId, VehicleState};
use gcs_scene::trail::Trail;

use crate::link::Fleet;
use crate::map::frame::{Anchored, MapFrame};
use crate::map::sets::{PlaceAnchored, PlaceCamera};
use crate::map::terrain::TerrainData;
use crate::map::vertex_colour::VertexColourMaterial;
use crate::map::view::{FOV_DEG, MainCamera, cursor_in_viewport};
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

/// A drone's colour on the map (sRGB): normal, selected or link lost.
#[derive(Component, Debug, Clone, Copy, PartialEq)]
pub struct DroneColour(pub [u8; 3]);

/// Every arrow of the fleet in one mesh, rebuilt when a drone moves or changes colour.
///
/// One mesh because on software Vulkan (lavapipe) each drawn mesh has a fixed cost:
/// 100 separate arrows cost about a tenth of a frame, one merged mesh next to nothing.
#[derive(Resource)]
struct FleetMesh {
    /// The arrow in its own frame: a cone along +Y, then its triangles.
    arrow: (Vec<Vec3>, Vec<u32>),
    /// The merged mesh, once a drone has a position. Never an empty mesh: Bevy's mesh
    /// allocator skips a mesh without vertices but still copies its data, logging
    /// "Use-after-free ... unallocated key" for its vertex and index buffers.
    mesh: Option<Handle<Mesh>>,
    /// The entity drawing it.
    entity: Entity,
}

/// Draws the fleet.
pub(crate) fn plugin(app: &mut App) {
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
            (
                size_drones
                    .after(PlaceAnchored)
                    .after(PlaceCamera)
                    .before(TransformSystems::Propagate),
                build_fleet_mesh.after(TransformSystems::Propagate),
            ),
        );
}

fn make_assets(mut commands: Commands, mut materials: ResMut<Assets<VertexColourMaterial>>) {
    // An arrowhead: a cone along +Y, turned to point along -Z (north at heading 0).
    let cone = Mesh::from(Cone {
        radius: 0.35,
        height: 1.0,
    });
    let positions = match cone.attribute(Mesh::ATTRIBUTE_POSITION) {
        Some(VertexAttributeValues::Float32x3(p)) => p.iter().map(|v| Vec3::from(*v)).collect(),
        _ => Vec::new(),
    };
    let indices = cone
        .indices()
        .map(|i| i.iter().map(|i| i as u32).collect())
        .unwrap_or_default();
    let entity = commands
        .spawn((
            MeshMaterial3d(materials.add(VertexColourMaterial::PLAIN)),
            Transform::IDENTITY,
            // The merged mesh moves with the drones; its bounds are never stale.
            NoFrustumCulling,
            Visibility::Hidden,
        ))
        .id();
    commands.insert_resource(FleetMesh {
        arrow: (positions, indices),
        mesh: None,
        entity,
    });
}

/// One mesh of `arrow` (positions, triangles) placed by each drone's transform and
/// coloured with its sRGB colour.
fn merged_arrows(
    arrow: &(Vec<Vec3>, Vec<u32>),
    drones: impl Iterator<Item = (Affine3A, [u8; 3])>,
) -> Mesh {
    let (shape, triangles) = arrow;
    let (mut positions, mut colours, mut indices) = (Vec::new(), Vec::new(), Vec::new());
    for (place, rgb) in drones {
        let base = positions.len() as u32;
        let colour = LinearRgba::from(Color::srgb_u8(rgb[0], rgb[1], rgb[2])).to_f32_array();
        positions.extend(shape.iter().map(|v| place.transform_point3(*v).to_array()));
        colours.extend(std::iter::repeat_n(colour, shape.len()));
        indices.extend(triangles.iter().map(|i| base + i));
    }
    Mesh::new(
        PrimitiveTopology::TriangleList,
        RenderAssetUsages::RENDER_WORLD,
    )
    .with_inserted_attribute(Mesh::ATTRIBUTE_POSITION, positions)
    .with_inserted_attribute(Mesh::ATTRIBUTE_COLOR, colours)
    .with_inserted_indices(Indices::U32(indices))
}

/// Drones whose arrow must be redrawn.
type MovedOrRecoloured = (
    With<DroneMarker>,
    Or<(Changed<GlobalTransform>, Changed<DroneColour>)>,
);

/// Rebuilds the fleet's mesh when a drone moved, changed colour, came or went.
fn build_fleet_mesh(
    fleet_mesh: Option<ResMut<FleetMesh>>,
    mut commands: Commands,
    drones: Query<(&GlobalTransform, &DroneColour), With<DroneMarker>>,
    changed: Query<(), MovedOrRecoloured>,
    mut gone: RemovedComponents<DroneMarker>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut visibility: Query<&mut Visibility>,
) {
    let Some(mut f) = fleet_mesh else { return };
    let left = gone.read().count() > 0;
    if changed.is_empty() && !left {
        return;
    }
    if let Ok(mut v) = visibility.get_mut(f.entity) {
        // An empty mesh is never drawn (no zero-sized vertex buffers).
        v.set_if_neq(if drones.is_empty() {
            Visibility::Hidden
        } else {
            Visibility::Inherited
        });
    }
    if drones.is_empty() {
        return;
    }
    let merged = merged_arrows(&f.arrow, drones.iter().map(|(g, c)| (g.affine(), c.0)));
    if let Some(mesh) = f.mesh.clone() {
        if let Err(e) = meshes.insert(&mesh, merged) {
            warn!("fleet mesh not updated: {e}");
        }
    } else {
        let mesh = meshes.add(merged);
        commands.entity(f.entity).insert(Mesh3d(mesh.clone()));
        f.mesh = Some(mesh);
    }
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
    mut commands: Commands,
    mut drones: Query<(
        Entity,
        &DroneMarker,
        &mut Anchored,
        &mut Transform,
        &mut DroneColour,
    )>,
) {
    if !fleet.is_changed() && !selection.is_changed() {
        return;
    }
    let colour = |v: &VehicleState| {
        DroneColour(if v.link_lost {
            LOST_COLOUR
        } else if selection.vehicle == Some(v.id) {
            SELECTED_COLOUR
        } else {
            DRONE_COLOUR
        })
    };
    let mut seen = std::collections::BTreeSet::new();
    for (entity, marker, mut anchor, mut t, mut c) in &mut drones {
        match fleet.0.get(marker.0) {
            Some(v) if v.position.is_some() => {
                seen.insert(marker.0);
                let p = v.position.expect("checked");
                // Only real changes are written (a parked drone's transform stays put
                // and is not re-sent to the GPU).
                anchor.set_if_neq(Anchored(map.frame.to_enu(p.lat_lon, p.alt_amsl_m)));
                let rotation = heading_rotation(heading(v));
                if t.rotation != rotation {
                    t.rotation = rotation;
                }
                c.set_if_neq(colour(v));
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
            colour(v),
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
        // Written only when changed: an unchanged transform is not re-sent to the GPU.
        let placed = Transform {
            scale: Vec3::splat(size),
            translation: at + Vec3::Y * size * 0.4,
            rotation: t.rotation,
        };
        t.set_if_neq(placed);
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
    let cursor = cursor_in_viewport(&window, cam);
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
        let (far, mut app) = fleet_app();
        app.add_systems(Update, (sync_drones, record_trails));
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
        // Both arrows are drawn in the one fleet mesh, each at its drone, in its colour.
        let merged = |app: &App| {
            let f = app.world().resource::<FleetMesh>();
            let mesh = fleet_mesh(app).unwrap();
            let Some(VertexAttributeValues::Float32x3(p)) =
                mesh.attribute(Mesh::ATTRIBUTE_POSITION)
            else {
                panic!("no positions");
            };
            (p.clone(), f.arrow.0.len())
        };
        let (positions, per_arrow) = merged(&app);
        assert!(per_arrow > 10);
        assert_eq!(positions.len(), 2 * per_arrow);
        let mut q = app
            .world_mut()
            .query::<(&DroneMarker, &GlobalTransform, &DroneColour)>();
        for (k, (_, g, c)) in q.iter(app.world()).enumerate() {
            assert_eq!(c.0, DRONE_COLOUR);
            let centre = positions[k * per_arrow..(k + 1) * per_arrow]
                .iter()
                .map(|p| Vec3::from(*p))
                .sum::<Vec3>()
                / per_arrow as f32;
            assert!(
                centre.distance(g.translation()) < 1.0,
                "arrow {k} drawn at its drone"
            );
        }
        // Selecting a drone turns its arrow to the selection colour, the other stays.
        app.world_mut().resource_mut::<Selection>().vehicle = Some(VehicleId {
            sysid: 2,
            compid: 1,
        });
        app.update();
        let mut q = app.world_mut().query::<(&DroneMarker, &DroneColour)>();
        let mut colours: Vec<_> = q.iter(app.world()).map(|(d, c)| (d.0.sysid, c.0)).collect();
        colours.sort();
        assert_eq!(colours, [(1, DRONE_COLOUR), (2, SELECTED_COLOUR)]);
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
        assert_eq!(merged(&app).0.len(), merged(&app).1, "the one left");
    }

    /// A headless app with a fake link, the map frame and the fleet mesh (built after
    /// transforms propagate); each test adds the drone systems it exercises.
    fn fleet_app() -> (fake::FakeLink, App) {
        let (far, link) = fake::link();
        let mut app = App::new();
        app.add_plugins((
            MinimalPlugins,
            AssetPlugin::default(),
            TransformPlugin,
            link,
        ))
        .add_plugins(crate::map::vertex_colour::plugin)
        .init_asset::<Mesh>()
        .insert_resource(MapFrame::new(LatLon::new(17.0, 8.0), 1.0))
        .init_resource::<Selection>()
        .init_resource::<Trails>()
        .add_systems(Startup, make_assets)
        .add_systems(
            PostUpdate,
            build_fleet_mesh.after(TransformSystems::Propagate),
        );
        (far, app)
    }

    /// The fleet's merged mesh, once made.
    fn fleet_mesh(app: &App) -> Option<&Mesh> {
        let f = app.world().resource::<FleetMesh>();
        app.world().resource::<Assets<Mesh>>().get(f.mesh.as_ref()?)
    }

    /// Bevy's mesh allocator skips a mesh without vertices yet copies its data, logging
    /// "Use-after-free ... unallocated key" twice: the fleet mesh exists only once a
    /// drone is drawn, and is never empty.
    #[test]
    fn no_empty_mesh_reaches_the_renderer() {
        let (far, mut app) = fleet_app();
        app.add_systems(Update, sync_drones);
        let no_empty = |app: &App| {
            app.world()
                .resource::<Assets<Mesh>>()
                .iter()
                .all(|(_, m)| m.count_vertices() > 0)
        };
        app.update();
        app.update();
        assert!(app.world().resource::<FleetMesh>().mesh.is_none());
        assert!(no_empty(&app));
        let id = VehicleId {
            sysid: 1,
            compid: 1,
        };
        let mut v = VehicleState::new(id);
        v.position = Some(Position {
            lat_lon: LatLon::new(17.0, 8.0),
            alt_amsl_m: 600.0,
            alt_rel_m: 100.0,
        });
        let mut snap = FleetSnapshot::default();
        snap.vehicles.insert(id, v);
        far.fleet.send(snap).unwrap();
        app.update();
        app.update();
        assert!(app.world().resource::<FleetMesh>().mesh.is_some());
        assert!(no_empty(&app));
    }
}
