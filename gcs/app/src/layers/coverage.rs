//! Patrol coverage: which stretches of border were watched in the last N hours (by the
//! recorded patrol track files and the live fleet's recorded tracks, [`FleetTracks`]),
//! drawn on the border, with the gaps listed.
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
use geo_intel::tracks::read_tracks;
use geo_intel::vector::VectorLayer;

use crate::layers::layer::MapLayers;
use crate::layers::tracks::FleetTracks;
use crate::map::frame::{Anchored, MapFrame};
use crate::map::terrain::TerrainData;

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
pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Coverage>()
        .add_systems(Update, (finish_analysis, draw_coverage).chain());
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

fn start_analysis(cov: &mut Coverage, layers: &MapLayers, fleet: &FleetTracks) {
    let (Some(border), files) = inputs(layers) else {
        cov.report = Some(Err("the border layer has not loaded yet".into()));
        return;
    };
    let live = fleet.tracks();
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
    terrain: Res<TerrainData>,
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
    fleet: Res<'w, FleetTracks>,
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
                start_analysis(cov, layers, &self.fleet);
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
                let flown = if self.fleet.is_empty() {
                    "no flight recorded yet".to_string()
                } else {
                    format!("{} fixes", self.fleet.len())
                };
                ui.small(format!(
                    "Uses the border segments, visible track layers (GPX, tlog) and the \
                     fleet's recorded tracks ({flown})."
                ));
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
    use crate::layers::layer::LayerStatus;
    use chrono::{DateTime, Utc};
    use gcs_link::{LatLon, VehicleId};

    /// Runs `app` until no layer is loading any more (at most about ten seconds).
    fn wait_for_layers(app: &mut App) {
        for _ in 0..1000 {
            app.update();
            let l = app.world().resource::<MapLayers>();
            if l.layers.iter().all(|l| l.status != LayerStatus::Loading) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }

    /// The demo's recorded patrol tracks against the border: a report with observed
    /// stretches and gaps, drawn as one gizmo.
    #[test]
    fn recorded_tracks_cover_part_of_the_border() {
        let mut app = crate::test_support::demo_app();
        app.init_resource::<FleetTracks>().add_plugins(plugin);
        wait_for_layers(&mut app);
        // A window long enough to take in every recorded track.
        app.world_mut()
            .resource_scope(|world, mut cov: Mut<Coverage>| {
                cov.hours = 24.0 * 365.0;
                let layers = world.resource::<MapLayers>();
                start_analysis(&mut cov, layers, &FleetTracks::default());
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

    /// The fleet's recorded tracks alone (track files hidden), flown two hours ago:
    /// far beyond the drawn trail's 300 s, inside the default 24 h window.
    #[test]
    fn the_fleet_record_feeds_coverage_beyond_the_drawn_trail() {
        let mut app = crate::test_support::demo_app();
        app.init_resource::<FleetTracks>().add_plugins(plugin);
        wait_for_layers(&mut app);
        let gpx = crate::cli::default_catalog().with_file_name("SYNTHETIC_patrol_tracks_niger.gpx");
        let flown = read_tracks(&gpx).unwrap().remove(0);
        let start: DateTime<Utc> = Utc::now() - chrono::Duration::hours(2);
        let mut record = FleetTracks::default();
        let id = VehicleId {
            sysid: 1,
            compid: 1,
        };
        for (k, p) in flown.points.iter().enumerate() {
            let at: LatLon = p.position;
            record.record(
                id,
                Some(at),
                true,
                start + chrono::Duration::seconds(k as i64),
            );
        }
        assert!(!record.is_empty());
        app.world_mut()
            .resource_scope(|world, mut cov: Mut<Coverage>| {
                assert_eq!(cov.hours, 24.0, "the default window");
                cov.end_at_last_fix = false;
                let mut layers = world.resource_mut::<MapLayers>();
                for l in &mut layers.layers {
                    if l.source.extension().is_some_and(|e| e == "gpx") {
                        l.visible = false;
                    }
                }
                start_analysis(&mut cov, &layers, &record);
            });
        for _ in 0..3000 {
            app.update();
            if app.world().resource::<Coverage>().report.is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let cov = app.world().resource::<Coverage>();
        match &cov.report {
            Some(Ok(r)) => assert!(r.observed_km > 1.0, "{} km observed", r.observed_km),
            other => panic!("expected a report, got {other:?}"),
        }
    }
}
