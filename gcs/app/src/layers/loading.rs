//! Reading and draping layers off the frame: catalog layers at start, files added while
//! the app runs (path, browser or drag-and-drop), vector or raster.

use std::path::Path;
use std::sync::Arc;

use bevy::prelude::*;
use bevy::tasks::{AsyncComputeTaskPool, block_on, futures_lite::future};
use bevy::window::FileDragAndDrop;
use gcs_scene::drape::{DrapeParams, drape_layer};
use gcs_scene::heatmap::{SheetParams, raster_colour, sheet_mesh};
use gcs_scene::terrain::TerrainSource;
use geo_intel::grid::{Grid, ReadGrid};
use mission_planner::{ElevationModel, FlatTerrain};

use crate::layers::layer::{AddLayerFile, LayerStatus, Loaded, MapLayer, MapLayers};
use crate::map::frame::MapFrame;
use crate::map::terrain::TerrainData;

/// Lines float this far above the (exaggerated) ground, metres.
const LIFT_M: f64 = 60.0;

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

pub(super) fn dropped_files(
    mut drops: MessageReader<FileDragAndDrop>,
    mut add: MessageWriter<AddLayerFile>,
) {
    for d in drops.read() {
        if let FileDragAndDrop::DroppedFile { path_buf, .. } = d {
            add.write(AddLayerFile(path_buf.clone()));
        }
    }
}

pub(super) fn add_files(mut add: MessageReader<AddLayerFile>, mut layers: ResMut<MapLayers>) {
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

pub(super) fn start_loading(
    mut layers: ResMut<MapLayers>,
    map: Res<MapFrame>,
    terrain: Res<TerrainData>,
) {
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

pub(super) fn finish_loading(mut layers: ResMut<MapLayers>) {
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
