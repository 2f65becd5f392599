//! What is painted over the 3D map: drone labels (callsign, mode, battery), layer
//! points and labels, the scale bar, and the status bar (cursor lat/lon and elevation,
//! active tool, terrain work, anything the link dropped).
//!
//! Exists so text stays crisp and readable at any zoom: labels are projected from the
//! map each frame and painted by egui, decluttered so they never pile up.

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::egui;
use gcs_scene::scale_bar::scale_bar;

use crate::link::{Fleet, LinkDrops};
use crate::map::drones::{DRONE_SIZE_PX, DroneMarker};
use crate::map::frame::MapFrame;
use crate::map::terrain::TerrainStats;
use crate::map::view::{FOV_DEG, MainCamera, MapCamera};
use crate::panels::shared::Shared;
use crate::ui_state::CursorGround;
use gcs_operator::fleet_rows::callsign;

/// Most layer labels painted per frame.
const MAX_LABELS: usize = 250;
/// A layer with more labels than this is labelled only when zoomed in.
const DENSE_LAYER: usize = 150;
/// "Zoomed in": camera closer than this, metres.
const DENSE_LABELS_BELOW_M: f64 = 300_000.0;
/// Label declutter cell, pixels.
const DECLUTTER_CELL_PX: f32 = 18.0;
/// Declutter cells a drone label claims (about 22 characters).
const DRONE_LABEL_CELLS: i32 = 8;

/// What the overlay reads.
#[derive(SystemParam)]
pub struct MapOverlay<'w, 's> {
    fleet: Res<'w, Fleet>,
    map: Res<'w, MapFrame>,
    cursor: Res<'w, CursorGround>,
    stats: Res<'w, TerrainStats>,
    drops: Res<'w, LinkDrops>,
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
        let mut cells = Declutter::default();
        // Drones first: their labels win the space (painted last, on top). Drones whose
        // label would overlap one already placed are counted on it ("+N") instead of
        // piling unreadable text on one spot (a base with 30 parked drones).
        let (candidates, drone_spots) = self.drone_candidates(sh);
        let drone_labels = place_drone_labels(candidates, |p| cells.claim(p, DRONE_LABEL_CELLS));
        let zoomed_in = sh
            .camera
            .as_deref()
            .is_some_and(|c| c.orbit.distance_m < DENSE_LABELS_BELOW_M);
        self.paint_layers(&painter, map_rect, sh, zoomed_in, &drone_spots, &mut cells);
        for l in drone_labels {
            let text = if l.more > 0 {
                format!("{}  +{} here", l.text, l.more)
            } else {
                l.text
            };
            shadowed(&painter, l.at, &text, font.clone(), l.colour);
        }
        if let Some(cam) = sh.camera.as_deref() {
            paint_scale_bar(&painter, map_rect, cam, font);
        }
    }

    /// Every positioned drone's label candidate, and where the drones are on screen.
    fn drone_candidates(&self, sh: &Shared) -> (Vec<DroneLabel>, Vec<egui::Pos2>) {
        let mut candidates = Vec::new();
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
            let selected = sh.selection.vehicle == Some(v.id);
            let (colour, rank) = if selected {
                (egui::Color32::from_rgb(255, 190, 80), 0)
            } else if v.link_lost {
                (egui::Color32::from_rgb(255, 90, 90), 1)
            } else {
                (egui::Color32::WHITE, 2)
            };
            candidates.push(DroneLabel {
                rank: (rank, v.id.sysid, v.id.compid),
                at: p + egui::vec2(DRONE_SIZE_PX * 0.6, -DRONE_SIZE_PX * 0.6),
                text: format!("{} · {} · {}", callsign(v.id), v.mode, battery),
                colour,
                more: 0,
            });
        }
        (candidates, drone_spots)
    }

    /// Layer points and labels, top layers first.
    fn paint_layers(
        &self,
        painter: &egui::Painter,
        map_rect: egui::Rect,
        sh: &Shared,
        zoomed_in: bool,
        drone_spots: &[egui::Pos2],
        cells: &mut Declutter,
    ) {
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
                let n = (text.chars().count() as f32 * 6.5 / DECLUTTER_CELL_PX).ceil() as i32;
                if cells.claim(pos, n.max(1)) {
                    labels += 1;
                    let font = egui::FontId::proportional(11.0);
                    shadowed(painter, pos, text, font, colour);
                }
            }
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
            if self.drops.any() {
                ui.separator();
                ui.colored_label(egui::Color32::from_rgb(255, 170, 60), self.drops.summary());
            }
        });
    }
}

/// Screen cells already holding text: a label goes only where its cells are free.
#[derive(Default)]
struct Declutter(std::collections::HashSet<(i32, i32)>);

impl Declutter {
    /// Takes `cells` cells to the right of `p` if all are free.
    fn claim(&mut self, p: egui::Pos2, cells: i32) -> bool {
        let (cx, cy) = (
            (p.x / DECLUTTER_CELL_PX) as i32,
            (p.y / DECLUTTER_CELL_PX) as i32,
        );
        if (0..cells).any(|k| self.0.contains(&(cx + k, cy))) {
            return false;
        }
        for k in 0..cells {
            self.0.insert((cx + k, cy));
        }
        true
    }
}

/// The scale bar, bottom left of the map.
fn paint_scale_bar(
    painter: &egui::Painter,
    map_rect: egui::Rect,
    cam: &MapCamera,
    font: egui::FontId,
) {
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
        painter,
        egui::pos2(x0, y - 18.0),
        &bar.label,
        font,
        egui::Color32::WHITE,
    );
}

/// A drone's label on the map.
#[derive(Debug, Clone, PartialEq)]
struct DroneLabel {
    /// Placement order: selected first, then link lost, then by system id.
    rank: (u8, u8, u8),
    /// Where the label starts, screen points.
    at: egui::Pos2,
    text: String,
    colour: egui::Color32,
    /// Drones whose labels were folded into this one.
    more: usize,
}

/// Places labels in rank order where `claim` gives them room; a label that finds no
/// room is counted on the nearest placed label instead, so every drone is accounted
/// for on screen and the selected and lost ones are always named.
fn place_drone_labels(
    mut candidates: Vec<DroneLabel>,
    mut claim: impl FnMut(egui::Pos2) -> bool,
) -> Vec<DroneLabel> {
    candidates.sort_by_key(|l| l.rank);
    let mut placed: Vec<DroneLabel> = Vec::with_capacity(candidates.len());
    for l in candidates {
        // The selected and lost drones are named even where the space is taken.
        if claim(l.at) || l.rank.0 < 2 {
            placed.push(l);
        } else if let Some(near) = placed
            .iter_mut()
            .min_by(|a, b| a.at.distance(l.at).total_cmp(&b.at.distance(l.at)))
        {
            near.more += 1;
        }
    }
    placed
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

#[cfg(test)]
mod tests {
    use super::*;

    fn label(sysid: u8, rank: u8, x: f32) -> DroneLabel {
        DroneLabel {
            rank: (rank, sysid, 1),
            at: egui::pos2(x, 100.0),
            text: format!("PX4-{sysid}"),
            colour: egui::Color32::WHITE,
            more: 0,
        }
    }

    /// Thirty drones parked together show one label counting the rest; a lone drone
    /// keeps its own; the selected and the lost one are always named.
    #[test]
    fn crowded_drone_labels_fold_into_a_count() {
        let mut taken = std::collections::HashSet::new();
        let claim = |p: egui::Pos2| taken.insert((p.x / 150.0) as i32);
        let mut c: Vec<DroneLabel> = (1..=30).map(|i| label(i, 2, 10.0 + f32::from(i))).collect();
        c.push(label(31, 2, 900.0));
        c.push(label(40, 0, 12.0));
        c.push(label(41, 1, 14.0));
        let placed = place_drone_labels(c, claim);
        let names: Vec<&str> = placed.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(names, ["PX4-40", "PX4-41", "PX4-31"]);
        assert_eq!(placed.iter().map(|l| l.more).sum::<usize>(), 30);
        assert_eq!(placed[2].more, 0, "the lone drone has its own label");
    }
}
