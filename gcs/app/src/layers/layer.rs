//! The layers' model: each layer's source, style, life stage and what was read.

use std::path::PathBuf;
use std::sync::Arc;

use bevy::prelude::*;
use bevy::tasks::Task;
use gcs_scene::drape::DrapedLayer;
use gcs_scene::heatmap::HeatMesh;
use geo_intel::vector::{LonLatBounds, VectorLayer};

/// Colour of a layer whose style gives none.
const DEFAULT_COLOUR: [u8; 4] = [255, 255, 255, 255];
/// Line width of a layer whose style gives none, pixels.
const DEFAULT_WIDTH_PX: f32 = 1.5;

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
    pub(super) gizmo: Option<Entity>,
    pub(super) drawn: Option<(bool, u32)>,
    /// Added while the app runs: the file may be a raster (catalog layers say what they are).
    pub(super) may_be_raster: bool,
    /// A raster layer's sheet, once built.
    pub(super) sheet: Option<Arc<HeatMesh>>,
    pub(super) sheet_entity: Option<(Entity, Handle<StandardMaterial>)>,
}

impl MapLayer {
    pub(super) fn new(name: String, source: PathBuf) -> Self {
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
pub(super) enum Loaded {
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
pub(super) type LayerLoad = Result<Loaded, String>;

/// Every layer, bottom first.
#[derive(Resource, Default)]
pub struct MapLayers {
    /// The layers.
    pub layers: Vec<MapLayer>,
    pub(super) loading: Vec<(usize, Task<LayerLoad>)>,
}

/// Asks for a file to be added as a layer (layers panel, drag-and-drop).
#[derive(Message, Debug, Clone)]
pub struct AddLayerFile(pub PathBuf);
