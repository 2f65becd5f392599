//! Intelligence layers on the map: the catalog's vector layers draped on the terrain as
//! retained gizmo lines, points and labels; files loaded while the app runs (path input
//! or drag-and-drop); visibility and opacity.
//!
//! Exists as the shell over geo-intel (GDAL reading) and gcs-scene (draping): reading
//! and draping run on Bevy's async compute pool, so a large layer never stalls a frame.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use bevy::prelude::*;
use bevy::tasks::{AsyncComputeTaskPool, Task, block_on, futures_lite::future};
use bevy::window::FileDragAndDrop;
use gcs_link::LatLon;
use gcs_scene::Enu;
use gcs_scene::drape::{DrapeParams, DrapedLayer, drape_layer};
use gcs_scene::heatmap::{HeatMesh, SheetParams, raster_colour, sheet_mesh};
use gcs_scene::terrain::{Imagery, TerrainSource};
use geo_intel::catalog::{Catalog, LayerKind, parse_colour};
use geo_intel::elevation::Dem;
use geo_intel::grid::Grid;
use geo_intel::vector::{LonLatBounds, VectorLayer};
use mission_planner::{ElevationModel, FlatTerrain};

use crate::cli::Args;
use crate::map_frame::{Anchored, MapFrame};
use crate::terrain::TerrainData;

/// Colour of a layer whose style gives none.
const DEFAULT_COLOUR: [u8; 4] = [255, 255, 255, 255];
/// Line width of a layer whose style gives none, pixels.
const DEFAULT_WIDTH_PX: f32 = 1.5;
/// Lines float this far above the (exaggerated) ground, metres.
const LIFT_M: f64 = 60.0;

/// The catalog as read at start-up: its DEM and imagery are read at once (the map needs
/// them for its frame), vector layers later.
pub struct LoadedCatalog {
    /// The catalog.
    pub catalog: Catalog,
    /// The first DEM layer, if any.
    pub dem: Option<Arc<Dem>>,
    /// The first raster layer (imagery), if any.
    pub imagery: Option<Arc<Imagery>>,
}

/// Reads the catalog file and its DEM and imagery; vector layers are read later.
pub fn load_catalog(path: &Path) -> Result<LoadedCatalog> {
    let catalog =
        Catalog::load(path).with_context(|| format!("reading the catalog {}", path.display()))?;
    let dem = match catalog.layers.iter().find(|l| l.kind == LayerKind::Dem) {
        Some(l) => Some(Arc::new(Dem::open(&catalog.source_path(l)).with_context(
            || format!("catalog {}: layer {:?}", path.display(), l.name),
        )?)),
        None => None,
    };
    let imagery = match catalog.layers.iter().find(|l| l.kind == LayerKind::Raster) {
        Some(l) => {
            let src = catalog.source_path(l);
            let ds = geo_intel::grid::open_raster(&src)
                .with_context(|| format!("catalog {}: layer {:?}", path.display(), l.name))?;
            let bands = (1..=ds.raster_count().min(3))
                .map(|b| Grid::from_dataset(&ds, &src, b))
                .collect::<geo_intel::Result<Vec<_>>>()
                .with_context(|| format!("catalog {}: layer {:?}", path.display(), l.name))?;
            Imagery::new(bands).map(Arc::new)
        }
        None => None,
    };
    Ok(LoadedCatalog {
        catalog,
        dem,
        imagery,
    })
}

/// The catalog read at start-up, for the plugins that look up layers in it (the
/// heatmap's incidents, the planner's border line) without reading the file again.
#[derive(Resource, Debug, Clone)]
pub struct MapCatalog(pub Catalog);

/// Where a layer is in its life.
#[derive(Debug, Clone, PartialEq)]
pub enum LayerStatus {
    /// Being read and draped.
    Loading,
    /// On the map.
    Ready {
        /// Features read.
        features: usize,
    },
    /// A raster on the map, as a translucent sheet over the terrain.
    ReadyRaster {
        /// Bands used (3: RGB; 1: values through the heat ramp).
        bands: usize,
        /// Width and height in cells.
        size: (usize, usize),
    },
    /// Could not be read: why.
    Failed(String),
}

/// One layer in the layers panel.
#[derive(Debug, Clone)]
pub struct MapLayer {
    /// Display name.
    pub name: String,
    /// The file.
    pub source: PathBuf,
    /// Line and point colour, sRGB bytes.
    pub colour: [u8; 4],
    /// Line width, pixels.
    pub width_px: f32,
    /// Whether it is drawn.
    pub visible: bool,
    /// 0..1.
    pub opacity: f32,
    /// Attribute shown as label.
    pub label_field: Option<String>,
    /// Life stage.
    pub status: LayerStatus,
    /// The draped geometry, once ready.
    pub draped: Option<Arc<DrapedLayer>>,
    /// Extent in WGS84, once read.
    pub bounds: Option<LonLatBounds>,
    /// The features as read (for analyses: coverage, heatmap).
    pub features: Option<Arc<VectorLayer>>,
    gizmo: Option<Entity>,
    drawn: Option<(bool, u32)>,
    /// Added while the app runs: the file may be a raster (catalog layers say what they are).
    may_be_raster: bool,
    /// A raster layer's sheet, once built.
    sheet: Option<Arc<HeatMesh>>,
    sheet_entity: Option<(Entity, Handle<StandardMaterial>)>,
}

impl MapLayer {
    fn new(name: String, source: PathBuf) -> Self {
        Self {
            name,
            source,
            colour: DEFAULT_COLOUR,
            width_px: DEFAULT_WIDTH_PX,
            visible: true,
            opacity: 1.0,
            label_field: None,
            status: LayerStatus::Loading,
            draped: None,
            bounds: None,
            features: None,
            gizmo: None,
            drawn: None,
            sheet: None,
            sheet_entity: None,
            may_be_raster: false,
        }
    }

    /// The colour with the layer's opacity applied.
    pub fn draw_colour(&self) -> Color {
        let [r, g, b, a] = self.colour;
        Color::srgba_u8(r, g, b, (f32::from(a) * self.opacity) as u8)
    }
}

/// What reading a layer's file gives.
enum Loaded {
    /// Features and their draped geometry.
    Vector(VectorLayer, DrapedLayer),
    /// A raster drawn as a sheet (`None`: nothing visible in it).
    Raster {
        sheet: Option<HeatMesh>,
        bounds: LonLatBounds,
        bands: usize,
        size: (usize, usize),
    },
}

/// A layer read and draped, or why it could not be.
type LayerLoad = Result<Loaded, String>;

/// Vertices along each side of a raster layer's sheet.
const RASTER_LATTICE: usize = 256;

/// Reads a raster file (any GDAL raster, any CRS) as a sheet over the terrain.
fn read_raster(
    source: &Path,
    frame: gcs_scene::LocalFrame,
    terrain: Option<Arc<TerrainSource>>,
    vertical_scale: f64,
) -> Result<Loaded, String> {
    let ds = geo_intel::grid::open_raster(source).map_err(|e| e.to_string())?;
    let count = ds.raster_count().min(3);
    if count == 0 {
        return Err(format!("{}: the raster has no band", source.display()));
    }
    let bands: Vec<Grid> = (1..=count)
        .map(|b| Grid::from_dataset(&ds, source, b))
        .collect::<geo_intel::Result<_>>()
        .map_err(|e| e.to_string())?;
    let range = bands[0]
        .min_max()
        .map_or((0.0, 1.0), |(lo, hi)| (f64::from(lo), f64::from(hi)));
    let bounds = bands[0].bounds;
    let dem = terrain.as_deref().map(|t| Arc::clone(&t.dem));
    let sheet = sheet_mesh(
        &frame,
        &bounds,
        |p| {
            let values: Vec<Option<f64>> = bands.iter().map(|g| g.sample(p)).collect();
            raster_colour(&values, range, 1.0)
        },
        |p| dem.as_deref().and_then(|d| d.sample(p)),
        &SheetParams {
            lift_m: LIFT_M * 0.5,
            vertical_scale,
            lattice: RASTER_LATTICE,
        },
    );
    Ok(Loaded::Raster {
        sheet,
        bounds,
        bands: count,
        size: (bands[0].cols, bands[0].rows),
    })
}

/// Whether GDAL opens `path` as a raster (else it is read as vector data).
fn is_raster(path: &Path) -> bool {
    geo_intel::grid::open_raster(path).is_ok()
}

/// Every layer, bottom first.
#[derive(Resource, Default)]
pub struct MapLayers {
    /// The layers.
    pub layers: Vec<MapLayer>,
    loading: Vec<(usize, Task<LayerLoad>)>,
}

/// Asks for a file to be added as a layer (layers panel, drag-and-drop).
#[derive(Message, Debug, Clone)]
pub struct AddLayerFile(pub PathBuf);

/// Adds the catalog's layers and everything that draws them.
pub struct LayersPlugin {
    catalog: std::sync::Mutex<Option<LoadedCatalog>>,
}

impl LayersPlugin {
    /// The plugin over a catalog read at start-up.
    pub fn new(catalog: LoadedCatalog) -> Self {
        Self {
            catalog: std::sync::Mutex::new(Some(catalog)),
        }
    }
}

impl Plugin for LayersPlugin {
    fn build(&self, app: &mut App) {
        let loaded = self
            .catalog
            .lock()
            .ok()
            .and_then(|mut c| c.take())
            .expect("LayersPlugin is built once");
        let vertical_scale = app
            .world()
            .get_resource::<Args>()
            .map_or(3.0, |a| a.vertical_scale);
        // The map frame is centred on the DEM (else on the first base).
        let centre = loaded
            .dem
            .as_ref()
            .map_or(crate::sim_fleet::BASES[0].position, |d| {
                let b = d.grid.bounds;
                LatLon::new(
                    0.5 * (b.south_deg + b.north_deg),
                    0.5 * (b.west_deg + b.east_deg),
                )
            });
        let map = MapFrame::new(centre, vertical_scale);
        let source = loaded
            .dem
            .clone()
            .map(|dem| Arc::new(TerrainSource::new(map.frame, dem, loaded.imagery.clone())));
        let mut layers = MapLayers::default();
        for l in &loaded.catalog.layers {
            if l.kind != LayerKind::Vector {
                continue;
            }
            let mut m = MapLayer::new(l.name.clone(), loaded.catalog.source_path(l));
            if let Some(c) = l.style.colour.as_deref().and_then(parse_colour) {
                m.colour = c;
            }
            if let Some(w) = l.style.width_px {
                m.width_px = w as f32;
            }
            m.label_field = l.style.label_field.clone();
            layers.layers.push(m);
        }
        app.insert_resource(MapCatalog(loaded.catalog.clone()))
            .insert_resource(map)
            .insert_resource(TerrainData::new(source))
            .insert_resource(layers)
            .add_message::<AddLayerFile>()
            .add_systems(Startup, start_loading)
            .add_systems(
                Update,
                (
                    dropped_files,
                    add_files,
                    start_loading,
                    finish_loading,
                    draw_layers,
                )
                    .chain(),
            );
    }
}

fn dropped_files(mut drops: MessageReader<FileDragAndDrop>, mut add: MessageWriter<AddLayerFile>) {
    for d in drops.read() {
        if let FileDragAndDrop::DroppedFile { path_buf, .. } = d {
            add.write(AddLayerFile(path_buf.clone()));
        }
    }
}

fn add_files(mut add: MessageReader<AddLayerFile>, mut layers: ResMut<MapLayers>) {
    for AddLayerFile(path) in add.read() {
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let mut l = MapLayer::new(name, path.clone());
        l.colour = [0, 229, 255, 255];
        l.may_be_raster = true;
        l.width_px = 2.0;
        layers.layers.push(l);
    }
}

/// Reads and drapes one vector file (GPX: every layer together).
fn read_and_drape(
    source: &Path,
    label_field: Option<&str>,
    frame: gcs_scene::LocalFrame,
    terrain: Option<Arc<TerrainSource>>,
    vertical_scale: f64,
    may_be_raster: bool,
) -> Result<Loaded, String> {
    if may_be_raster && is_raster(source) {
        return read_raster(source, frame, terrain, vertical_scale);
    }
    let mut parts = geo_intel::vector::read_vector(source).map_err(|e| e.to_string())?;
    if parts.is_empty() {
        return Err(format!("{}: no vector layer", source.display()));
    }
    let mut layer = parts.remove(0);
    for more in parts {
        layer.features.extend(more.features);
    }
    let flat = FlatTerrain { height_m: 0.0 };
    let heights: &dyn ElevationModel = match terrain.as_deref() {
        Some(t) => t.dem.as_ref(),
        None => &flat,
    };
    let params = DrapeParams {
        lift_m: LIFT_M / vertical_scale.max(1.0) * 3.0,
        ..DrapeParams::default()
    };
    let draped = drape_layer(&frame, &layer, heights, label_field, &params);
    Ok(Loaded::Vector(layer, draped))
}

fn start_loading(mut layers: ResMut<MapLayers>, map: Res<MapFrame>, terrain: Res<TerrainData>) {
    let pool = AsyncComputeTaskPool::get();
    let pending: Vec<usize> = layers
        .layers
        .iter()
        .enumerate()
        .filter(|(i, l)| {
            l.status == LayerStatus::Loading && !layers.loading.iter().any(|(j, _)| j == i)
        })
        .map(|(i, _)| i)
        .collect();
    for i in pending {
        let l = &layers.layers[i];
        let (source, label, may_be_raster) =
            (l.source.clone(), l.label_field.clone(), l.may_be_raster);
        let (frame, src, scale) = (map.frame, terrain.source.clone(), map.vertical_scale);
        let task = pool.spawn(async move {
            read_and_drape(&source, label.as_deref(), frame, src, scale, may_be_raster)
        });
        layers.loading.push((i, task));
    }
}

fn finish_loading(mut layers: ResMut<MapLayers>) {
    let mut done = Vec::new();
    layers
        .loading
        .retain_mut(|(i, task)| match block_on(future::poll_once(task)) {
            Some(r) => {
                done.push((*i, r));
                false
            }
            None => true,
        });
    for (i, r) in done {
        let l = &mut layers.layers[i];
        match r {
            Ok(Loaded::Vector(features, draped)) => {
                l.status = LayerStatus::Ready {
                    features: features.features.len(),
                };
                l.bounds = features.bounds();
                l.features = Some(Arc::new(features));
                l.draped = Some(Arc::new(draped));
            }
            Ok(Loaded::Raster {
                sheet,
                bounds,
                bands,
                size,
            }) => {
                l.status = LayerStatus::ReadyRaster { bands, size };
                l.bounds = Some(bounds);
                l.sheet = sheet.map(Arc::new);
            }
            Err(e) => {
                warn!("layer {:?}: {e}", l.name);
                l.status = LayerStatus::Failed(e);
            }
        }
    }
}

/// Keeps one retained gizmo per ready vector layer, and one translucent sheet per
/// raster layer, in step with its visibility and opacity.
#[allow(clippy::too_many_arguments)]
fn draw_layers(
    mut layers: ResMut<MapLayers>,
    map: Res<MapFrame>,
    mut commands: Commands,
    mut gizmos: ResMut<Assets<GizmoAsset>>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    mut vis: Query<&mut Visibility>,
) {
    for l in &mut layers.layers {
        if let Some(sheet) = l.sheet.clone() {
            let key = (l.visible, l.opacity.to_bits());
            if l.drawn == Some(key) {
                continue;
            }
            l.drawn = Some(key);
            let (entity, material) = l.sheet_entity.get_or_insert_with(|| {
                let material = materials.add(StandardMaterial {
                    base_color: Color::WHITE,
                    unlit: true,
                    alpha_mode: AlphaMode::Blend,
                    cull_mode: None,
                    double_sided: true,
                    ..default()
                });
                let entity = commands
                    .spawn((
                        Mesh3d(meshes.add(crate::heatmap::to_mesh(&sheet))),
                        MeshMaterial3d(material.clone()),
                        Anchored(sheet.centre),
                        Transform::default(),
                    ))
                    .id();
                (entity, material)
            });
            if let Some(mut m) = materials.get_mut(&*material) {
                m.base_color = Color::srgba(1.0, 1.0, 1.0, l.opacity);
            }
            let visibility = if l.visible {
                Visibility::Inherited
            } else {
                Visibility::Hidden
            };
            match vis.get_mut(*entity) {
                Ok(mut v) => *v = visibility,
                Err(_) => {
                    commands.entity(*entity).insert(visibility);
                }
            }
            continue;
        }
        let Some(draped) = l.draped.clone() else {
            continue;
        };
        let key = (l.visible, l.opacity.to_bits());
        // The floating origin moves only the gizmo's anchor (see map_frame).
        if l.drawn == Some(key) {
            continue;
        }
        l.drawn = Some(key);
        if let Some(e) = l.gizmo.take() {
            commands.entity(e).despawn();
        }
        if !l.visible || draped.lines.is_empty() {
            continue;
        }
        let colour = l.draw_colour();
        let mut asset = GizmoAsset::new();
        // Points are baked relative to the frame origin; the anchor moves them.
        let origin = Enu::default();
        let frame_at_origin = MapFrame { origin, ..*map };
        for line in &draped.lines {
            asset.linestrip(line.iter().map(|p| frame_at_origin.render(*p)), colour);
        }
        l.gizmo = Some(
            commands
                .spawn((
                    Gizmo {
                        handle: gizmos.add(asset),
                        line_config: GizmoLineConfig {
                            width: l.width_px,
                            ..default()
                        },
                        depth_bias: -0.0005,
                    },
                    Anchored(origin),
                    Transform::default(),
                ))
                .id(),
        );
    }
}

/// A headless app with the demo catalog's layers (and so its map frame and terrain
/// data), for the plugin tests that build on them.
#[cfg(test)]
pub fn demo_app() -> App {
    use clap::Parser;
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, AssetPlugin::default(), TransformPlugin))
        .init_asset::<GizmoAsset>()
        .init_asset::<Mesh>()
        .init_asset::<StandardMaterial>()
        .add_message::<FileDragAndDrop>()
        .insert_resource(Args::parse_from(["gcs"]))
        .add_plugins(LayersPlugin::new(
            load_catalog(&crate::cli::default_catalog()).expect("the demo catalog loads"),
        ));
    app
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo_catalog() -> PathBuf {
        crate::cli::default_catalog()
    }

    #[test]
    fn the_demo_catalog_reads_with_dem_and_imagery() {
        let c = load_catalog(&demo_catalog()).unwrap();
        assert!(c.dem.is_some());
        assert!(c.imagery.is_some());
        assert!(c.catalog.layers.iter().any(|l| l.name == "Niger border"));
    }

    #[test]
    fn a_missing_catalog_names_the_file() {
        let err = load_catalog(Path::new("/nonexistent/catalog.toml"))
            .err()
            .unwrap();
        assert!(format!("{err:#}").contains("/nonexistent/catalog.toml"));
    }

    #[test]
    fn layers_load_off_frame_and_draw_as_gizmos() {
        let mut app = demo_app();
        let corrupt =
            std::env::temp_dir().join(format!("vigil-corrupt-{}.geojson", std::process::id()));
        std::fs::write(&corrupt, "{ not json").unwrap();
        app.world_mut().write_message(AddLayerFile(corrupt.clone()));
        // A raster added while the app runs: the GLOBE DEM's single band as a sheet.
        let dem = demo_catalog().with_file_name("globe_niger_30arcsec.tif");
        app.world_mut().write_message(AddLayerFile(dem.clone()));
        for _ in 0..600 {
            app.update();
            let l = app.world().resource::<MapLayers>();
            if l.layers.iter().all(|l| l.status != LayerStatus::Loading) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let layers = app.world().resource::<MapLayers>();
        let border = layers
            .layers
            .iter()
            .find(|l| l.name == "Niger border")
            .unwrap();
        assert!(matches!(border.status, LayerStatus::Ready { features } if features > 0));
        assert!(border.gizmo.is_some());
        let bad = layers.layers.iter().find(|l| l.source == corrupt).unwrap();
        match &bad.status {
            LayerStatus::Failed(why) => {
                assert!(why.contains(&corrupt.display().to_string()), "{why}")
            }
            other => panic!("a corrupt file must fail, got {other:?}"),
        }
        let _ = std::fs::remove_file(corrupt);
        let raster = layers.layers.iter().find(|l| l.source == dem).unwrap();
        assert_eq!(
            raster.status,
            LayerStatus::ReadyRaster {
                bands: 1,
                size: (1980, 1560)
            }
        );
        assert!(raster.sheet.is_some() && raster.sheet_entity.is_some());
        // Hiding a layer removes its gizmo.
        let i = layers
            .layers
            .iter()
            .position(|l| l.name == "Niger border")
            .unwrap();
        app.world_mut().resource_mut::<MapLayers>().layers[i].visible = false;
        app.update();
        assert!(
            app.world().resource::<MapLayers>().layers[i]
                .gizmo
                .is_none()
        );
    }
}
