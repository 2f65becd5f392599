//! The resources several panels change, borrowed once by the layout and lent to each
//! panel in turn.

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;

use crate::layers::MapLayers;
use crate::map::terrain::TerrainData;
use crate::map::view::MapCamera;
use crate::tools::PlanDoc;
use crate::ui_state::{Selection, Tool};

/// The resources several panels change, borrowed once by the layout and lent to each
/// panel in turn (Bevy forbids two panels holding the same resource mutably).
#[derive(SystemParam)]
pub struct Shared<'w> {
    /// The selected drone.
    pub selection: ResMut<'w, Selection>,
    /// The active map tool.
    pub tool: ResMut<'w, Tool>,
    /// The map camera (absent until start-up ran).
    pub camera: Option<ResMut<'w, MapCamera>>,
    /// Terrain settings.
    pub terrain: ResMut<'w, TerrainData>,
    /// The layers.
    pub layers: ResMut<'w, MapLayers>,
    /// The plan being edited.
    pub doc: ResMut<'w, PlanDoc>,
}
