//! Intelligence layers on the map: the catalog's vector layers draped on the terrain as
//! retained gizmo lines, points and labels; files loaded while the app runs (path input
//! or drag-and-drop); visibility and opacity; and the analyses over them (risk heatmap,
//! border coverage from recorded fleet tracks).
//!
//! Exists as the shell over geo-intel (GDAL reading) and gcs-scene (draping): reading
//! and draping run on Bevy's async compute pool, so a large layer never stalls a frame.

mod catalog;
pub mod coverage;
mod draw;
pub mod heatmap;
mod layer;
mod loading;
pub mod tracks;

use std::sync::{Arc, Mutex};

use bevy::prelude::*;
use gcs_link::LatLon;
use gcs_scene::terrain::TerrainSource;
use geo_intel::catalog::{LayerKind, parse_colour};

pub use catalog::{LoadedCatalog, MapCatalog, load_catalog};
pub use layer::{AddLayerFile, LayerStatus, MapLayer, MapLayers};

use crate::cli::Args;
use crate::map::frame::MapFrame;
use crate::map::terrain::TerrainData;

/// Adds the analyses over the layers: the risk heatmap, the fleet's track record and
/// border coverage (the layers themselves come with [`LayersPlugin`]).
pub(super) fn plugin(app: &mut App) {
    app.add_plugins((heatmap::plugin, tracks::plugin, coverage::plugin));
}

/// Adds the catalog's layers and everything that draws them.
pub struct LayersPlugin {
    catalog: Mutex<Option<LoadedCatalog>>,
}

impl LayersPlugin {
    /// The plugin over a catalog read at start-up.
    pub fn new(catalog: LoadedCatalog) -> Self {
        Self {
            catalog: Mutex::new(Some(catalog)),
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
            .map_or(crate::link::sim_fleet::BASES[0].position, |d| {
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
            .add_systems(Startup, loading::start_loading)
            .add_systems(
                Update,
                (
                    loading::dropped_files,
                    loading::add_files,
                    loading::start_loading,
                    loading::finish_loading,
                    draw::draw_layers,
                )
                    .chain(),
            );
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::test_support::demo_app;

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
