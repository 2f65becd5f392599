//! The layers panel: terrain colouring, each layer's visibility, opacity and extent,
//! files added while the app runs, and patrol coverage.
//!
//! Exists so the analyst controls what the map shows; reading files and analyses run
//! off the frame in the layers and coverage plugins.

use std::path::Path;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy::window::PrimaryWindow;
use bevy_egui::egui;
use gcs_link::LatLon;
use gcs_scene::terrain::Colouring;
use geo_intel::vector::LonLatBounds;

use crate::file_browser::{FileBrowser, Picked};
use crate::layers::coverage::CoveragePanel;
use crate::layers::heatmap::HeatmapPanel;
use crate::layers::{AddLayerFile, LayerStatus, MapLayer};
use crate::map::frame::MapFrame;
use crate::map::terrain::{TerrainData, TerrainStats};
use crate::map::view::zoom_to;
use crate::panels::shared::Shared;

/// What the layers panel reads and changes.
#[derive(SystemParam)]
pub struct LayersPanel<'w, 's> {
    stats: Res<'w, TerrainStats>,
    map: Res<'w, MapFrame>,
    add: MessageWriter<'w, AddLayerFile>,
    window: Option<Single<'w, 's, &'static Window, With<PrimaryWindow>>>,
    path: Local<'s, String>,
    browser: Local<'s, Option<FileBrowser>>,
    coverage: CoveragePanel<'w, 's>,
    heat: HeatmapPanel<'w>,
}

impl LayersPanel<'_, '_> {
    /// Draws the panel.
    pub fn show(&mut self, ui: &mut egui::Ui, sh: &mut Shared) {
        self.terrain(ui, &mut sh.terrain);
        ui.separator();
        let aspect = self
            .window
            .as_ref()
            .map_or(16.0 / 9.0, |w| f64::from(w.width() / w.height().max(1.0)));
        let mut zoom = None;
        egui::ScrollArea::vertical()
            .max_height(360.0)
            .show(ui, |ui| {
                for l in sh.layers.layers.iter_mut().rev() {
                    if let Some(b) = layer_row(ui, l) {
                        zoom = Some(b);
                    }
                }
            });
        if let (Some(b), Some(cam)) = (zoom, sh.camera.as_deref_mut()) {
            let f = &self.map.frame;
            let sw = f.to_enu(LatLon::new(b.south_deg, b.west_deg), 0.0);
            let ne = f.to_enu(LatLon::new(b.north_deg, b.east_deg), 0.0);
            zoom_to(
                cam,
                [sw.east_m, sw.north_m],
                [ne.east_m, ne.north_m],
                aspect,
            );
        }
        ui.separator();
        self.add_file(ui);
        ui.separator();
        self.heat.show(ui);
        ui.separator();
        self.coverage.show(ui, &sh.layers);
    }

    /// Terrain colouring and level of detail.
    fn terrain(&self, ui: &mut egui::Ui, t: &mut TerrainData) {
        ui.collapsing("Terrain", |ui| {
            ui.checkbox(&mut t.visible, "Show terrain");
            ui.horizontal(|ui| {
                ui.radio_value(
                    &mut t.colouring,
                    Colouring::Elevation,
                    "Elevation + hillshade",
                );
                let has_imagery = t.source.as_deref().is_some_and(|s| s.imagery.is_some());
                ui.add_enabled_ui(has_imagery, |ui| {
                    ui.radio_value(&mut t.colouring, Colouring::Imagery, "Imagery");
                });
            });
            ui.label(format!(
                "{} tiles shown of {} wanted, {} building, detail to level {}",
                self.stats.shown, self.stats.wanted, self.stats.building, t.lod.max_level
            ));
        });
    }

    /// A file to add as a layer: typed, browsed or dropped on the window.
    fn add_file(&mut self, ui: &mut egui::Ui) {
        ui.label("Add a layer (any file GDAL reads; or drop a file on the window):");
        ui.horizontal(|ui| {
            ui.text_edit_singleline(&mut *self.path);
            if ui.button("Add").clicked() && !self.path.trim().is_empty() {
                self.add.write(AddLayerFile(self.path.trim().into()));
                self.path.clear();
            }
            if ui
                .selectable_label(self.browser.is_some(), "Browse…")
                .clicked()
            {
                *self.browser = match self.browser.take() {
                    Some(_) => None,
                    None => Some(FileBrowser::new(Path::new("."), &[])),
                };
            }
        });
        // A file clicked in the browser is added at once.
        if let Some(b) = self.browser.as_mut()
            && let Some(Picked::File(p)) = b.show(ui)
        {
            self.add.write(AddLayerFile(p));
        }
    }
}

/// One layer's row: visibility, colour, name, opacity, status; the layer's extent when
/// its "zoom to" was clicked.
fn layer_row(ui: &mut egui::Ui, l: &mut MapLayer) -> Option<LonLatBounds> {
    let mut zoom = None;
    ui.horizontal(|ui| {
        ui.checkbox(&mut l.visible, "");
        let [r, g, b, _] = l.colour;
        ui.colored_label(egui::Color32::from_rgb(r, g, b), "■");
        ui.label(&l.name);
    });
    ui.horizontal(|ui| {
        ui.add_space(24.0);
        ui.add(egui::Slider::new(&mut l.opacity, 0.0..=1.0).text("opacity"));
        match &l.status {
            LayerStatus::Loading => {
                ui.spinner();
            }
            LayerStatus::Ready { features } => {
                ui.small(format!("{features} features"));
                if let Some(b) = l.bounds
                    && ui.small_button("zoom to").clicked()
                {
                    zoom = Some(b);
                }
            }
            LayerStatus::ReadyRaster { bands, size } => {
                ui.small(format!(
                    "raster, {bands} band(s), {} x {} cells",
                    size.0, size.1
                ));
                if let Some(b) = l.bounds
                    && ui.small_button("zoom to").clicked()
                {
                    zoom = Some(b);
                }
            }
            LayerStatus::Failed(why) => {
                ui.colored_label(egui::Color32::from_rgb(255, 80, 60), "failed")
                    .on_hover_text(why);
            }
        }
    });
    zoom
}
