//! Patrol coverage: which stretches of border were watched in the last N hours (by the
//! recorded patrol tracks and the live fleet's trails), drawn on the border, with the
//! gaps listed.
//!
//! Exists as the shell over geo-intel's tested `coverage`: the analysis runs on the
//! async compute pool; this file draws observed stretches green and gaps red.

use std::path::PathBuf;
use std::sync::Arc;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy::tasks::{AsyncComputeTaskPool, Task, block_on, futures_lite::future};
use bevy_egui::egui;
use geo_intel::coverage::{CoverageParams, CoverageReport, coverage};
use geo_intel::tracks::{Track, TrackPoint, read_tracks};
use geo_intel::vector::VectorLayer;

use crate::drones::Trails;
use crate::layers::MapLayers;
use crate::map_frame::{Anchored, MapFrame};

/// Observed border, drawn over the border line.
const OBSERVED: Color = Color::srgb(0.2, 1.0, 0.4);
/// Unobserved border.
const GAP: Color = Color::srgb(1.0, 0.15, 0.1);

/// The coverage analysis and its settings.
#[derive(Resource)]
pub struct Coverage {
    /// Window length, hours.
    pub hours: f64,
    /// Sensor swath width, metres.
    pub footprint_m: f64,
    /// End the window at the newest recorded fix instead of now (replayed data).
    pub end_at_last_fix: bool,
    /// Whether the result is drawn.
    pub visible: bool,
    /// The last result, or why it failed.
    pub report: Option<Result<Arc<CoverageReport>, String>>,
    task: Option<Task<Result<CoverageReport, String>>>,
    gizmo: Option<Entity>,
    drawn: bool,
}

impl Default for Coverage {
    fn default() -> Self {
        Self {
            hours: 24.0,
            footprint_m: 2_000.0,
            end_at_last_fix: true,
            visible: true,
            report: None,
            task: None,
            gizmo: None,
            drawn: false,
        }
    }
}

/// Runs and draws the coverage analysis.
pub struct CoveragePlugin;

impl Plugin for CoveragePlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<Coverage>()
            .add_systems(Update, (finish_analysis, draw_coverage).chain());
    }
}

/// The layer names the analysis uses: the border and the recorded patrol tracks.
fn inputs(layers: &MapLayers) -> (Option<Arc<VectorLayer>>, Vec<PathBuf>) {
    let border = layers
        .layers
        .iter()
        .find(|l| l.name.to_lowercase().contains("border segments"))
        .or_else(|| {
            layers
                .layers
                .iter()
                .find(|l| l.name.to_lowercase().contains("border"))
        })
        .and_then(|l| l.features.clone());
    let tracks = layers
        .layers
        .iter()
        .filter(|l| {
            let s = l.source.to_string_lossy().to_lowercase();
            l.visible
                && (s.ends_with(".gpx")
                    || s.ends_with(".tlog")
                    || l.name.to_lowercase().contains("track"))
        })
        .map(|l| l.source.clone())
        .collect();
    (border, tracks)
}

/// The live fleet's trails as timed tracks (wall clock).
fn live_tracks(trails: &Trails, elapsed_now_s: f64) -> Vec<Track> {
    let now = chrono::Utc::now();
    trails
        .0
        .iter()
        .map(|(id, t)| Track {
            name: format!("live PX4-{}", id.sysid),
            points: t
                .points()
                .map(|s| TrackPoint {
                    position: s.position,
                    time: Some(
                        now - chrono::Duration::milliseconds(
                            ((elapsed_now_s - s.time_s) * 1000.0) as i64,
                        ),
                    ),
                })
                .collect(),
        })
        .filter(|t| t.points.len() >= 2)
        .collect()
}

fn start_analysis(cov: &mut Coverage, layers: &MapLayers, trails: &Trails, elapsed_s: f64) {
    let (Some(border), files) = inputs(layers) else {
        cov.report = Some(Err("the border layer has not loaded yet".into()));
        return;
    };
    let live = live_tracks(trails, elapsed_s);
    let (hours, footprint, end_at_last) = (cov.hours, cov.footprint_m, cov.end_at_last_fix);
    cov.task = Some(AsyncComputeTaskPool::get().spawn(async move {
        let mut tracks = live;
        for f in &files {
            tracks.extend(read_tracks(f).map_err(|e| e.to_string())?);
        }
        let last_fix = tracks
            .iter()
            .flat_map(|t| t.points.iter().filter_map(|p| p.time))
            .max();
        let params = CoverageParams {
            footprint_m: footprint,
            since_hours: Some(hours),
            now: if end_at_last { last_fix } else { None },
        };
        coverage(&border, &tracks, &params).map_err(|e| e.to_string())
    }));
}

fn finish_analysis(mut cov: ResMut<Coverage>) {
    let Some(task) = cov.task.as_mut() else {
        return;
    };
    if let Some(r) = block_on(future::poll_once(task)) {
        cov.task = None;
        cov.report = Some(r.map(Arc::new));
        cov.drawn = false;
    }
}

fn draw_coverage(
    mut cov: ResMut<Coverage>,
    map: Res<MapFrame>,
    terrain: Res<crate::terrain::TerrainData>,
    mut commands: Commands,
    mut gizmos: ResMut<Assets<GizmoAsset>>,
) {
    if cov.drawn {
        return;
    }
    cov.drawn = true;
    if let Some(e) = cov.gizmo.take() {
        commands.entity(e).despawn();
    }
    let Some(Ok(report)) = cov.report.clone() else {
        return;
    };
    if !cov.visible {
        return;
    }
    let origin = gcs_scene::Enu::default();
    let at_origin = MapFrame { origin, ..*map };
    let dem = terrain.source.as_deref().map(|s| &s.dem);
    let mut asset = GizmoAsset::new();
    for line in &report.lines {
        for (intervals, colour) in [(&line.observed, OBSERVED), (&line.gaps, GAP)] {
            for i in intervals {
                asset.linestrip(
                    i.path.iter().map(|p| {
                        let h = dem.and_then(|d| d.sample(*p)).unwrap_or(0.0);
                        at_origin.render_geo(*p, h + 120.0)
                    }),
                    colour,
                );
            }
        }
    }
    cov.gizmo = Some(
        commands
            .spawn((
                Gizmo {
                    handle: gizmos.add(asset),
                    line_config: GizmoLineConfig {
                        width: 5.0,
                        ..default()
                    },
                    depth_bias: -0.001,
                },
                Anchored(origin),
                Transform::default(),
            ))
            .id(),
    );
}

/// The coverage section of the layers panel.
#[derive(SystemParam)]
pub struct CoveragePanel<'w, 's> {
    cov: ResMut<'w, Coverage>,
    trails: Res<'w, Trails>,
    time: Res<'w, Time>,
    _marker: std::marker::PhantomData<&'s ()>,
}

impl CoveragePanel<'_, '_> {
    /// Draws the section.
    pub fn show(&mut self, ui: &mut egui::Ui, layers: &MapLayers) {
        ui.strong("Border coverage");
        let cov = &mut *self.cov;
        ui.add(
            egui::Slider::new(&mut cov.hours, 1.0..=720.0)
                .logarithmic(true)
                .text("last hours (h)"),
        );
        ui.add(
            egui::Slider::new(&mut cov.footprint_m, 100.0..=20_000.0)
                .logarithmic(true)
                .text("sensor swath (m)"),
        );
        ui.checkbox(
            &mut cov.end_at_last_fix,
            "window ends at the newest recorded fix",
        );
        ui.horizontal(|ui| {
            let busy = cov.task.is_some();
            if ui
                .add_enabled(!busy, egui::Button::new("Compute coverage"))
                .clicked()
            {
                start_analysis(cov, layers, &self.trails, self.time.elapsed_secs_f64());
            }
            if busy {
                ui.spinner();
            }
            if ui.checkbox(&mut cov.visible, "show on map").changed() {
                cov.drawn = false;
            }
        });
        match &cov.report {
            None => {
                ui.small("Uses the border segments, visible track layers (GPX, tlog) and the live fleet's trails.");
            }
            Some(Err(e)) => {
                ui.colored_label(egui::Color32::from_rgb(255, 80, 60), e);
            }
            Some(Ok(r)) => {
                ui.label(format!(
                    "{:.0} of {:.0} km watched ({:.1} %), {} track segments in the window",
                    r.observed_km,
                    r.total_km,
                    100.0 * r.observed_fraction,
                    r.segments_used
                ));
                egui::ScrollArea::vertical()
                    .id_salt("gaps")
                    .max_height(160.0)
                    .show(ui, |ui| {
                        for line in &r.lines {
                            ui.label(format!(
                                "{}: {:.0}/{:.0} km, {} gaps",
                                line.name,
                                line.observed_km,
                                line.length_km,
                                line.gaps.len()
                            ));
                            for g in line.gaps.iter().take(20) {
                                ui.small(format!(
                                    "   gap km {:.1}–{:.1} ({:.1} km)",
                                    g.from_km,
                                    g.to_km,
                                    g.to_km - g.from_km
                                ));
                            }
                        }
                    });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::LayerStatus;

    /// The demo's recorded patrol tracks against the border: a report with observed
    /// stretches and gaps, drawn as one gizmo.
    #[test]
    fn recorded_tracks_cover_part_of_the_border() {
        let mut app = crate::layers::demo_app();
        app.init_resource::<Trails>().add_plugins(CoveragePlugin);
        for _ in 0..1000 {
            app.update();
            let l = app.world().resource::<MapLayers>();
            if l.layers.iter().all(|l| l.status != LayerStatus::Loading) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        // A window long enough to take in every recorded track.
        app.world_mut()
            .resource_scope(|world, mut cov: Mut<Coverage>| {
                cov.hours = 24.0 * 365.0;
                let layers = world.resource::<MapLayers>();
                start_analysis(&mut cov, layers, &Trails::default(), 0.0);
            });
        for _ in 0..3000 {
            app.update();
            if app.world().resource::<Coverage>().report.is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let cov = app.world().resource::<Coverage>();
        let report = match &cov.report {
            Some(Ok(r)) => r.clone(),
            other => panic!("expected a report, got {other:?}"),
        };
        assert!(report.total_km > 5_000.0, "{}", report.total_km);
        assert!(report.observed_km > 0.0 && report.observed_km < report.total_km);
        assert!(report.lines.iter().any(|l| !l.gaps.is_empty()));
        assert!(cov.gizmo.is_some(), "drawn on the map");
    }
}
