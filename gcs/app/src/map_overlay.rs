//! What is painted over the 3D map: drone labels (callsign, mode, battery), layer
//! points and labels, the scale bar, and the status bar (cursor lat/lon and elevation,
//! active tool, terrain work).
//!
//! Exists so text stays crisp and readable at any zoom: labels are projected from the
//! map each frame and painted by egui, decluttered so they never pile up.

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::egui;
use gcs_scene::scale_bar::scale_bar;

use crate::camera::{FOV_DEG, MainCamera};
use crate::drones::{DRONE_SIZE_PX, DroneMarker};
use crate::link::Fleet;
use crate::map_frame::MapFrame;
use crate::panels::Shared;
use crate::terrain::TerrainStats;
use crate::ui_state::CursorGround;

/// Most layer labels painted per frame.
const MAX_LABELS: usize = 250;
/// A layer with more labels than this is labelled only when zoomed in.
const DENSE_LAYER: usize = 150;
/// "Zoomed in": camera closer than this, metres.
const DENSE_LABELS_BELOW_M: f64 = 300_000.0;
/// Label declutter cell, pixels.
const DECLUTTER_CELL_PX: f32 = 18.0;

/// What the overlay reads.
#[derive(SystemParam)]
pub struct MapOverlay<'w, 's> {
    fleet: Res<'w, Fleet>,
    map: Res<'w, MapFrame>,
    cursor: Res<'w, CursorGround>,
    stats: Res<'w, TerrainStats>,
    camera: Single<'w, 's, (&'static Camera, &'static GlobalTransform), With<MainCamera>>,
    drones: Query<'w, 's, (&'static DroneMarker, &'static GlobalTransform)>,
}

impl MapOverlay<'_, '_> {
    fn to_screen(&self, world: Vec3) -> Option<egui::Pos2> {
        let (cam, at) = *self.camera;
        let v = cam.world_to_viewport(at, world).ok()?;
        let w = v;
        Some(egui::pos2(w.x, w.y))
    }

    /// Paints labels, points and the scale bar inside `map_rect`.
    pub fn paint(&self, ctx: &egui::Context, map_rect: egui::Rect, sh: &Shared) {
        let painter = ctx
            .layer_painter(egui::LayerId::background())
            .with_clip_rect(map_rect);
        let font = egui::FontId::proportional(12.0);
        let mut taken = std::collections::HashSet::new();
        let mut claim = |p: egui::Pos2, cells: i32| {
            let (cx, cy) = (
                (p.x / DECLUTTER_CELL_PX) as i32,
                (p.y / DECLUTTER_CELL_PX) as i32,
            );
            if (0..cells).any(|k| taken.contains(&(cx + k, cy))) {
                return false;
            }
            for k in 0..cells {
                taken.insert((cx + k, cy));
            }
            true
        };

        // Drones first: their labels always win the space (painted last, on top).
        let mut drone_labels = Vec::new();
        // Layer points never cover a drone.
        let mut drone_spots = Vec::new();
        for (marker, at) in &self.drones {
            let Some(v) = self.fleet.0.get(marker.0) else {
                continue;
            };
            let Some(p) = self.to_screen(at.translation()) else {
                continue;
            };
            drone_spots.push(p);
            let battery = v
                .battery
                .remaining_pct
                .map_or("battery ?".to_string(), |b| format!("{b:.0} %"));
            let text = format!("PX4-{} · {} · {}", v.id.sysid, v.mode, battery);
            let colour = if v.link_lost {
                egui::Color32::from_rgb(255, 90, 90)
            } else if sh.selection.vehicle == Some(v.id) {
                egui::Color32::from_rgb(255, 190, 80)
            } else {
                egui::Color32::WHITE
            };
            let pos = p + egui::vec2(DRONE_SIZE_PX * 0.6, -DRONE_SIZE_PX * 0.6);
            claim(pos, 8);
            drone_labels.push((pos, text, colour));
        }

        // Layer points and labels, top layers first.
        let mut labels = 0;
        for l in sh.layers.layers.iter().rev() {
            let Some(d) = l.draped.as_deref() else {
                continue;
            };
            if !l.visible || l.opacity <= 0.01 {
                continue;
            }
            let [r, g, b, a] = l.colour;
            let colour =
                egui::Color32::from_rgba_unmultiplied(r, g, b, (f32::from(a) * l.opacity) as u8);
            for p in &d.points {
                if let Some(s) = self.to_screen(self.map.render(*p))
                    && map_rect.contains(s)
                    && !drone_spots
                        .iter()
                        .any(|d: &egui::Pos2| d.distance(s) < DRONE_SIZE_PX * 0.6)
                {
                    painter.circle_filled(s, 3.0, colour);
                }
            }
            // Dense layers (hundreds of incidents) show their labels only up close.
            let zoomed_in = sh
                .camera
                .as_deref()
                .is_some_and(|c| c.orbit.distance_m < DENSE_LABELS_BELOW_M);
            if d.labels.len() > DENSE_LAYER && !zoomed_in {
                continue;
            }
            for (text, at) in &d.labels {
                if labels >= MAX_LABELS {
                    break;
                }
                let Some(s) = self.to_screen(self.map.render(*at)) else {
                    continue;
                };
                if !map_rect.contains(s) {
                    continue;
                }
                let pos = s + egui::vec2(5.0, -7.0);
                let cells = (text.chars().count() as f32 * 6.5 / DECLUTTER_CELL_PX).ceil() as i32;
                if claim(pos, cells.max(1)) {
                    labels += 1;
                    shadowed(
                        &painter,
                        pos,
                        text,
                        egui::FontId::proportional(11.0),
                        colour,
                    );
                }
            }
        }

        for (pos, text, colour) in drone_labels {
            shadowed(&painter, pos, &text, font.clone(), colour);
        }

        // Scale bar, bottom left of the map.
        if let Some(cam) = sh.camera.as_deref() {
            let per_px = cam.orbit.distance_m * 2.0 * (f64::from(FOV_DEG).to_radians() * 0.5).tan()
                / f64::from(map_rect.height().max(1.0));
            let bar = scale_bar(per_px, 160.0);
            let x0 = map_rect.left() + 16.0;
            let y = map_rect.bottom() - 18.0;
            let x1 = x0 + bar.length_px as f32;
            let stroke = egui::Stroke::new(2.0, egui::Color32::WHITE);
            painter.line_segment([egui::pos2(x0, y), egui::pos2(x1, y)], stroke);
            for x in [x0, x1] {
                painter.line_segment([egui::pos2(x, y - 5.0), egui::pos2(x, y + 1.0)], stroke);
            }
            shadowed(
                &painter,
                egui::pos2(x0, y - 18.0),
                &bar.label,
                font,
                egui::Color32::WHITE,
            );
        }
    }

    /// The status bar: cursor readout, tool hint, terrain work.
    pub fn status_bar(&self, ui: &mut egui::Ui, sh: &Shared) {
        ui.horizontal(|ui| {
            match self.cursor.at {
                Some((p, h)) => ui.monospace(format!(
                    "{:.5}°{} {:.5}°{}  ground {:.0} m AMSL",
                    p.lat_deg.abs(),
                    if p.lat_deg >= 0.0 { 'N' } else { 'S' },
                    p.lon_deg.abs(),
                    if p.lon_deg >= 0.0 { 'E' } else { 'W' },
                    h
                )),
                None => ui.monospace("cursor off the terrain"),
            };
            ui.separator();
            ui.label(sh.tool.hint());
            ui.separator();
            if self.stats.building > 0 {
                ui.label(format!("terrain: building {} tiles", self.stats.building));
            }
        });
    }
}

fn shadowed(
    painter: &egui::Painter,
    pos: egui::Pos2,
    text: &str,
    font: egui::FontId,
    colour: egui::Color32,
) {
    painter.text(
        pos + egui::vec2(1.0, 1.0),
        egui::Align2::LEFT_CENTER,
        text,
        font.clone(),
        egui::Color32::from_black_alpha(200),
    );
    painter.text(pos, egui::Align2::LEFT_CENTER, text, font, colour);
}
