//! The plan window: editing tools, border patrol, the plan's report, and its file.

mod sections;

use std::path::{Path, PathBuf};

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::egui;
use mission_planner::files;
use mission_planner::validate::Severity as IssueSeverity;

use crate::file_browser::{FileBrowser, Picked};
use crate::map::frame::MapFrame;
use crate::map::terrain::TerrainData;
use crate::map::view::MainCamera;
use crate::tools::doc::PlanDoc;
use crate::ui_state::Tool;

/// What the plan panel reads and changes.
#[derive(SystemParam)]
pub struct PlanPanel<'w, 's> {
    map: Res<'w, MapFrame>,
    browser: Local<'s, Option<FileBrowser>>,
    camera: Option<Single<'w, 's, (&'static Camera, &'static GlobalTransform), With<MainCamera>>>,
}

impl PlanPanel<'_, '_> {
    /// Paints validation issues where they are.
    pub fn paint_issues(
        &self,
        ctx: &egui::Context,
        map_rect: egui::Rect,
        doc: &PlanDoc,
        terrain: &TerrainData,
    ) {
        let (Some(report), Some(camera)) = (&doc.report, &self.camera) else {
            return;
        };
        let (cam, at) = **camera;
        let painter = ctx
            .layer_painter(egui::LayerId::background())
            .with_clip_rect(map_rect);
        for issue in report
            .issues
            .iter()
            .filter(|i| i.severity == IssueSeverity::Error)
            .take(30)
        {
            let Some(p) = issue.location.position else {
                continue;
            };
            let h = terrain
                .source
                .as_deref()
                .and_then(|s| s.dem.sample(p))
                .unwrap_or(0.0);
            let Ok(v) = cam.world_to_viewport(at, self.map.render_geo(p, h)) else {
                continue;
            };
            let w = v;
            let pos = egui::pos2(w.x, w.y);
            painter.circle_filled(pos, 5.0, egui::Color32::from_rgb(255, 30, 30));
            painter.text(
                pos + egui::vec2(8.0, 0.0),
                egui::Align2::LEFT_CENTER,
                &issue.message,
                egui::FontId::proportional(11.0),
                egui::Color32::from_rgb(255, 120, 110),
            );
        }
    }

    /// Draws the panel.
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        doc: &mut PlanDoc,
        tool: &mut Tool,
        terrain: &TerrainData,
    ) {
        sections::edit(ui, doc, tool);
        ui.separator();
        sections::patrol(ui, doc, terrain);
        sections::sorties(ui, doc);
        ui.separator();
        sections::report(ui, doc);
        ui.separator();
        self.file(ui, doc);
    }

    /// The plan's file: path, browser, open and save.
    fn file(&mut self, ui: &mut egui::Ui, doc: &mut PlanDoc) {
        ui.horizontal(|ui| {
            ui.label("File:");
            ui.text_edit_singleline(&mut doc.path);
            if ui
                .selectable_label(self.browser.is_some(), "Browse…")
                .clicked()
            {
                *self.browser = match self.browser.take() {
                    Some(_) => None,
                    None => Some(FileBrowser::new(
                        Path::new(doc.path.trim())
                            .parent()
                            .filter(|d| d.is_dir())
                            .unwrap_or(Path::new(".")),
                        PLAN_EXTENSIONS,
                    )),
                };
            }
        });
        if let Some(b) = self.browser.as_mut() {
            match b.show(ui) {
                Some(Picked::File(p)) => doc.path = p.display().to_string(),
                // Entering a directory keeps the file name typed, for saving there.
                Some(Picked::Dir(d)) => {
                    let name = Path::new(doc.path.trim())
                        .file_name()
                        .map_or_else(|| "patrol.plan".into(), |n| n.to_owned());
                    doc.path = d.join(name).display().to_string();
                }
                None => {}
            }
        }
        ui.horizontal(|ui| {
            if ui.button("Open").clicked() {
                let path = PathBuf::from(doc.path.trim());
                match files::load_plan(&path) {
                    Ok(plan) => {
                        doc.replace(plan);
                        doc.message = Some((false, format!("opened {}", path.display())));
                    }
                    Err(e) => doc.message = Some((true, e.to_string())),
                }
            }
            if ui.button("Save").clicked() {
                let path = PathBuf::from(doc.path.trim());
                match files::save_plan(&doc.plan, &path) {
                    Ok(()) => {
                        if let Some(b) = self.browser.as_mut() {
                            b.refresh();
                        }
                        doc.dirty = false;
                        doc.message = Some((false, format!("saved {}", path.display())));
                    }
                    Err(e) => doc.message = Some((true, e.to_string())),
                }
            }
            ui.small(".plan · .waypoints · .kml · .geojson");
            if doc.dirty {
                ui.small("(unsaved)");
            }
        });
        if let Some((error, text)) = &doc.message {
            let colour = if *error {
                egui::Color32::from_rgb(255, 90, 80)
            } else {
                egui::Color32::from_rgb(120, 220, 120)
            };
            ui.colored_label(colour, text);
        }
    }
}

/// The plan files the browser lists (what `mission_planner::files` reads and writes).
const PLAN_EXTENSIONS: &[&str] = &[
    "plan",
    "mission",
    "waypoints",
    "txt",
    "wpl",
    "kml",
    "geojson",
    "json",
];
