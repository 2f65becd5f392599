//! Terrain on the map: tiles chosen by level of detail around the camera, built on
//! Bevy's async compute pool, shown as unlit vertex-coloured meshes.
//!
//! Exists as the thin shell over gcs-scene's tested tile builder: this file only decides
//! when to build, uploads the arrays, and swaps tiles without opening holes.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use bevy::prelude::*;
use bevy::tasks::{AsyncComputeTaskPool, Task, block_on, futures_lite::future};
use gcs_scene::Enu;
use gcs_scene::terrain::{
    Colouring, LodParams, TerrainSource, TileId, TileMesh, build_tile, select_tiles,
};

use crate::map::frame::{Anchored, MapFrame};
use crate::map::mesh::gpu_mesh;
use crate::map::vertex_colour::VertexColourMaterial;
use crate::map::view::MapCamera;

/// Tile builds running at once (the pool has other work too).
const MAX_IN_FLIGHT: usize = 6;

/// The terrain's data and how it is drawn.
#[derive(Resource, Clone)]
pub struct TerrainData {
    /// DEM (and imagery) in the map frame; `None` when the catalog has no DEM.
    pub source: Option<Arc<TerrainSource>>,
    /// Elevation tints or imagery.
    pub colouring: Colouring,
    /// Level-of-detail settings.
    pub lod: LodParams,
    /// Whether terrain is drawn.
    pub visible: bool,
}

impl TerrainData {
    /// Terrain over `source`, detail down to its DEM's cell size.
    pub fn new(source: Option<Arc<TerrainSource>>) -> Self {
        let lod = source
            .as_deref()
            .map(|s| LodParams::for_cell_size(&s.extent, s.cell_size_m()))
            .unwrap_or_default();
        Self {
            source,
            colouring: Colouring::Elevation,
            lod,
            visible: true,
        }
    }
}

/// Marks a drawn terrain tile.
#[derive(Component, Debug, Clone, Copy)]
pub struct TerrainTile;

#[derive(Resource, Default)]
struct Tiles {
    wanted: BTreeSet<TileId>,
    shown: BTreeMap<TileId, Option<Entity>>,
    building: BTreeMap<TileId, Task<Option<TileMesh>>>,
    material: Option<Handle<VertexColourMaterial>>,
    built_with: Option<(Colouring, u64)>,
}

/// Terrain statistics for the status bar and the screenshot report.
#[derive(Resource, Debug, Default, Clone, Copy)]
pub struct TerrainStats {
    /// Tiles on screen.
    pub shown: usize,
    /// Tiles being built.
    pub building: usize,
    /// Tiles wanted for the current view.
    pub wanted: usize,
}

/// Draws the terrain.
pub(crate) fn plugin(app: &mut App) {
    app.init_resource::<Tiles>()
        .init_resource::<TerrainStats>()
        .add_systems(Update, (choose_tiles, start_builds, finish_builds).chain());
}

fn choose_tiles(
    data: Option<Res<TerrainData>>,
    cam: Option<Res<MapCamera>>,
    map: Res<MapFrame>,
    mut tiles: ResMut<Tiles>,
    mut commands: Commands,
) {
    let (Some(data), Some(cam)) = (data, cam) else {
        return;
    };
    let Some(src) = data.source.as_deref() else {
        return;
    };
    // A change of colouring or exaggeration rebuilds every tile.
    let key = (data.colouring, map.vertical_scale.to_bits());
    if tiles.built_with != Some(key) {
        tiles.built_with = Some(key);
        despawn_shown(&mut tiles, &mut commands);
        tiles.building.clear();
    }
    if !data.visible {
        despawn_shown(&mut tiles, &mut commands);
        tiles.wanted.clear();
        return;
    }
    if !cam.is_changed() && !data.is_changed() && !tiles.wanted.is_empty() {
        return;
    }
    let eye = cam.orbit.eye();
    let eye = Enu::new(eye[0], eye[1], eye[2] / map.vertical_scale);
    // The LOD works on height above the ground under the camera.
    let ground = src.height_at(eye.east_m, eye.north_m).unwrap_or(0.0);
    let above = Enu::new(eye.east_m, eye.north_m, (eye.up_m - ground).max(0.0));
    tiles.wanted = select_tiles(&src.extent, above, &data.lod)
        .into_iter()
        .collect();
}

/// Removes every tile from the map (a rebuild, or terrain switched off).
fn despawn_shown(tiles: &mut Tiles, commands: &mut Commands) {
    for e in std::mem::take(&mut tiles.shown).into_values().flatten() {
        commands.entity(e).despawn();
    }
}

fn start_builds(data: Option<Res<TerrainData>>, map: Res<MapFrame>, mut tiles: ResMut<Tiles>) {
    let Some(data) = data else { return };
    let Some(src) = data.source.clone() else {
        return;
    };
    let pool = AsyncComputeTaskPool::get();
    let missing: Vec<TileId> = tiles
        .wanted
        .iter()
        .filter(|t| !tiles.shown.contains_key(t) && !tiles.building.contains_key(t))
        .copied()
        .collect();
    // Coarse tiles first: they fill the view fastest.
    let mut missing = missing;
    missing.sort_by_key(|t| t.level);
    for id in missing {
        if tiles.building.len() >= MAX_IN_FLIGHT {
            break;
        }
        let (src, scale, colouring) = (Arc::clone(&src), map.vertical_scale, data.colouring);
        let task = pool.spawn(async move { build_tile(&src, id, scale, colouring) });
        tiles.building.insert(id, task);
    }
}

fn finish_builds(
    mut tiles: ResMut<Tiles>,
    mut commands: Commands,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<VertexColourMaterial>>,
    mut stats: ResMut<TerrainStats>,
) {
    let material = tiles
        .material
        .get_or_insert_with(|| materials.add(VertexColourMaterial::PLAIN))
        .clone();
    let mut done = Vec::new();
    for (id, task) in tiles.building.iter_mut() {
        if let Some(result) = block_on(future::poll_once(task)) {
            done.push((*id, result));
        }
    }
    for (id, result) in done {
        tiles.building.remove(&id);
        let entity = result.map(|m| {
            commands
                .spawn((
                    TerrainTile,
                    Mesh3d(meshes.add(to_mesh(&m))),
                    MeshMaterial3d(material.clone()),
                    Anchored(m.centre),
                    Transform::default(),
                ))
                .id()
        });
        tiles.shown.insert(id, entity);
    }
    // Retire tiles that are not wanted once whatever replaces them is shown.
    let retire: Vec<TileId> = tiles
        .shown
        .keys()
        .filter(|t| !tiles.wanted.contains(t))
        .filter(|t| {
            tiles
                .wanted
                .iter()
                .filter(|w| overlaps(**w, **t))
                .all(|w| tiles.shown.contains_key(w))
        })
        .copied()
        .collect();
    for id in retire {
        if let Some(Some(e)) = tiles.shown.remove(&id) {
            commands.entity(e).despawn();
        }
    }
    // Builds for tiles no longer wanted are cancelled (dropping a task cancels it).
    let wanted = tiles.wanted.clone();
    tiles.building.retain(|id, _| wanted.contains(id));
    *stats = TerrainStats {
        shown: tiles.shown.values().flatten().count(),
        building: tiles.building.len(),
        wanted: tiles.wanted.len(),
    };
}

/// Whether one tile contains the other (quadtree tiles either nest or are disjoint).
fn overlaps(a: TileId, b: TileId) -> bool {
    let (hi, lo) = if a.level >= b.level { (a, b) } else { (b, a) };
    let shift = hi.level - lo.level;
    (hi.x >> shift) == lo.x && (hi.y >> shift) == lo.y
}

/// The GPU mesh of a tile; colours from sRGB to linear.
pub fn to_mesh(m: &TileMesh) -> Mesh {
    gpu_mesh(&m.positions, Some(&m.normals), &m.colours, &m.indices)
}

#[cfg(test)]
mod tests {
    use super::*;
    use gcs_scene::camera::OrbitCamera;

    /// The demo catalog's terrain under a camera low over Agadez: tiles are built off
    /// the frame, fine near the camera, and hiding the terrain removes them.
    #[test]
    fn tiles_build_around_the_camera_and_hide() {
        let mut app = crate::test_support::demo_app();
        app.add_plugins((crate::map::vertex_colour::plugin, plugin));
        let map = *app.world().resource::<MapFrame>();
        let agadez = map.frame.to_enu(gcs_link::LatLon::new(16.97, 7.99), 0.0);
        let s = map.vertical_scale;
        app.insert_resource(MapCamera {
            orbit: OrbitCamera::new(
                [agadez.east_m, agadez.north_m, 500.0 * s],
                20_000.0,
                0.0,
                60.0,
            ),
            follow: false,
        });
        let settled = |app: &App| {
            let st = app.world().resource::<TerrainStats>();
            st.shown > 0 && st.building == 0 && st.shown == st.wanted
        };
        for _ in 0..3000 {
            app.update();
            if settled(&app) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert!(
            settled(&app),
            "{:?}",
            app.world().resource::<TerrainStats>()
        );
        let lod = app.world().resource::<TerrainData>().lod;
        let tiles = app.world().resource::<Tiles>();
        assert!(
            tiles.shown.keys().any(|t| t.level == lod.max_level),
            "fine tiles near the camera"
        );
        assert!(
            tiles.shown.keys().any(|t| t.level < lod.max_level),
            "coarse tiles far away"
        );
        let meshes = app
            .world_mut()
            .query_filtered::<&Mesh3d, With<TerrainTile>>()
            .iter(app.world())
            .count();
        assert_eq!(meshes, app.world().resource::<TerrainStats>().shown);

        app.world_mut().resource_mut::<TerrainData>().visible = false;
        app.update();
        app.update();
        let left = app
            .world_mut()
            .query_filtered::<Entity, With<TerrainTile>>()
            .iter(app.world())
            .count();
        assert_eq!(left, 0);
    }

    #[test]
    fn nesting_tiles_overlap_and_siblings_do_not() {
        let root = TileId::ROOT;
        let [a, b, _, _] = root.children();
        let [aa, ..] = a.children();
        assert!(overlaps(root, aa) && overlaps(aa, a) && overlaps(a, a));
        assert!(!overlaps(a, b) && !overlaps(aa, b));
    }

    #[test]
    fn mesh_keeps_counts_and_turns_up_into_y() {
        let m = TileMesh {
            id: TileId::ROOT,
            centre: Enu::default(),
            positions: vec![[0.0, 0.0, 5.0], [1.0, 0.0, 5.0], [0.0, 1.0, 5.0]],
            normals: vec![[0.0, 0.0, 1.0]; 3],
            colours: vec![[1.0, 0.5, 0.0, 1.0]; 3],
            indices: vec![0, 1, 2],
            height_range_m: Some((5.0, 5.0)),
        };
        let mesh = to_mesh(&m);
        assert_eq!(mesh.count_vertices(), 3);
        let n = mesh
            .attribute(Mesh::ATTRIBUTE_NORMAL)
            .unwrap()
            .as_float3()
            .unwrap();
        assert_eq!(n[0], [0.0, 1.0, 0.0]);
        let p = mesh
            .attribute(Mesh::ATTRIBUTE_POSITION)
            .unwrap()
            .as_float3()
            .unwrap();
        assert_eq!(p[2], [0.0, 5.0, -1.0]);
    }
}
