//! The layer catalog as read at start-up: its DEM and imagery at once (the map needs
//! them for its frame), its vector layers later.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use bevy::prelude::*;
use gcs_scene::terrain::Imagery;
use geo_intel::catalog::{Catalog, LayerKind};
use geo_intel::elevation::{Dem, OpenDem};
use geo_intel::grid::{Grid, ReadGrid};

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
