//! The risk heatmap: incidents of the catalog's temporal layer turned into a kernel
//! density (geo-intel) and drawn as a translucent sheet over the terrain (gcs-scene).
//!
//! Exists so the analyst sees where risk concentrates along the border while watching
//! the fleet; the analysis and the mesh are built on the async compute pool.

use std::path::PathBuf;
use std::sync::Arc;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy::tasks::{AsyncComputeTaskPool, Task, block_on, futures_lite::future};
use bevy_egui::egui;
use gcs_scene::heatmap::{HeatMesh, SheetParams, heat_mesh};
use geo_intel::incidents::read_incidents;
use geo_intel::risk::{RiskParams, compute_risk};

use crate::layers::catalog::MapCatalog;
use crate::map::frame::{Anchored, MapFrame};
use crate::map::mesh::sheet_to_mesh;
use crate::map::terrain::TerrainData;

/// Risk cell size, metres.
const CELL_M: f64 = 5_000.0;
/// Kernel bandwidth, metres.
const BANDWIDTH_M: f64 = 25_000.0;
/// Vertices along each side of the sheet.
const LATTICE: usize = 200;
/// The sheet floats this far above the ground, metres (before exaggeration).
const LIFT_M: f64 = 40.0;

/// Where the heatmap is in its life.
#[derive(Debug, Clone, PartialEq)]
pub enum HeatStatus {
    /// The catalog has no temporal (incident) layer.
    NoIncidentLayer,
    /// Being computed.
    Computing,
    /// On the map.
    Ready {
        /// Incidents that contributed.
        incidents: usize,
        /// Highest density, weighted incidents per km².
        max_per_km2: f64,
    },
    /// Failed: why.
    Failed(String),
}

/// The sheet (if any risk shows), incidents used and the peak density, or why not.
type HeatResult = Result<(Option<HeatMesh>, usize, f64), String>;

/// The heatmap layer.
#[derive(Resource)]
pub struct Heatmap {
    /// Whether it is drawn.
    pub visible: bool,
    /// 0..1.
    pub opacity: f32,
    /// Half-life of an incident's weight, days (0: no decay).
    pub half_life_days: f64,
    /// Status.
    pub status: HeatStatus,
    source: Option<(PathBuf, Option<String>)>,
    task: Option<Task<HeatResult>>,
    entity: Option<Entity>,
    material: Option<Handle<StandardMaterial>>,
    requested: bool,
}

/// Computes and draws the heatmap.
pub(super) fn plugin(app: &mut App) {
    let source = app
        .world()
        .get_resource::<MapCatalog>()
        .and_then(|MapCatalog(c)| {
            let l = c.layers.iter().find(|l| l.time_field.is_some())?;
            Some((c.source_path(l), l.time_field.clone()))
        });
    app.insert_resource(Heatmap {
        visible: true,
        opacity: 0.85,
        half_life_days: 180.0,
        status: if source.is_some() {
            HeatStatus::Computing
        } else {
            HeatStatus::NoIncidentLayer
        },
        source,
        task: None,
        entity: None,
        material: None,
        requested: true,
    })
    .add_systems(Update, (start, finish, style).chain());
}

fn start(mut heat: ResMut<Heatmap>, map: Res<MapFrame>, terrain: Res<TerrainData>) {
    if !heat.requested || heat.task.is_some() {
        return;
    }
    heat.requested = false;
    let Some((path, time_field)) = heat.source.clone() else {
        return;
    };
    heat.status = HeatStatus::Computing;
    let (frame, scale) = (map.frame, map.vertical_scale);
    let dem = terrain.source.as_deref().map(|s| Arc::clone(&s.dem));
    let half_life = (heat.half_life_days > 0.0).then_some(heat.half_life_days);
    heat.task = Some(AsyncComputeTaskPool::get().spawn(async move {
        let incidents = read_incidents(&path, time_field.as_deref()).map_err(|e| e.to_string())?;
        let params = RiskParams {
            cell_m: CELL_M,
            bandwidth_m: BANDWIDTH_M,
            half_life_days: half_life,
            now: None,
            area: None,
        };
        let risk = compute_risk(&incidents, &params, &path).map_err(|e| e.to_string())?;
        let max = f64::from(risk.max_value());
        let grid = risk.to_grid(&path).map_err(|e| e.to_string())?;
        let mesh = heat_mesh(
            &frame,
            &grid.bounds,
            |p| grid.sample(p),
            max,
            |p| dem.as_deref().and_then(|d| d.sample(p)),
            &SheetParams {
                lift_m: LIFT_M,
                vertical_scale: scale,
                lattice: LATTICE,
            },
        );
        Ok((mesh, risk.incidents_used, max))
    }));
}

fn finish(
    mut heat: ResMut<Heatmap>,
    mut commands: Commands,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    let Some(task) = heat.task.as_mut() else {
        return;
    };
    let Some(result) = block_on(future::poll_once(task)) else {
        return;
    };
    heat.task = None;
    if let Some(e) = heat.entity.take() {
        commands.entity(e).despawn();
    }
    match result {
        Err(e) => heat.status = HeatStatus::Failed(e),
        Ok((mesh, incidents, max)) => {
            heat.status = HeatStatus::Ready {
                incidents,
                max_per_km2: max,
            };
            let Some(m) = mesh else { return };
            let material = materials.add(StandardMaterial {
                base_color: Color::srgba(1.0, 1.0, 1.0, heat.opacity),
                unlit: true,
                alpha_mode: AlphaMode::Blend,
                cull_mode: None,
                double_sided: true,
                ..default()
            });
            heat.material = Some(material.clone());
            heat.entity = Some(
                commands
                    .spawn((
                        Mesh3d(meshes.add(sheet_to_mesh(&m))),
                        MeshMaterial3d(material),
                        Anchored(m.centre),
                        Transform::default(),
                        if heat.visible {
                            Visibility::Inherited
                        } else {
                            Visibility::Hidden
                        },
                    ))
                    .id(),
            );
        }
    }
}

/// Applies visibility and opacity changes.
fn style(
    heat: Res<Heatmap>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    mut vis: Query<&mut Visibility>,
) {
    if !heat.is_changed() {
        return;
    }
    if let Some(mut m) = heat.material.as_ref().and_then(|h| materials.get_mut(h)) {
        m.base_color = Color::srgba(1.0, 1.0, 1.0, heat.opacity);
    }
    if let Some(mut v) = heat.entity.and_then(|e| vis.get_mut(e).ok()) {
        *v = if heat.visible {
            Visibility::Inherited
        } else {
            Visibility::Hidden
        };
    }
}

/// The heatmap section of the layers panel.
#[derive(SystemParam)]
pub struct HeatmapPanel<'w> {
    heat: ResMut<'w, Heatmap>,
}

impl HeatmapPanel<'_> {
    /// Draws the section.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        ui.strong("Risk heatmap (incidents)");
        let heat = &mut *self.heat;
        ui.horizontal(|ui| {
            ui.checkbox(&mut heat.visible, "show");
            ui.add(egui::Slider::new(&mut heat.opacity, 0.0..=1.0).text("opacity"));
        });
        ui.horizontal(|ui| {
            ui.add(
                egui::DragValue::new(&mut heat.half_life_days)
                    .range(0.0..=3650.0)
                    .suffix(" days half-life"),
            );
            if ui
                .add_enabled(heat.task.is_none(), egui::Button::new("Recompute"))
                .clicked()
            {
                heat.requested = true;
            }
        });
        match &heat.status {
            HeatStatus::NoIncidentLayer => {
                ui.small("the catalog has no layer with a time field");
            }
            HeatStatus::Computing => {
                ui.spinner();
            }
            HeatStatus::Ready {
                incidents,
                max_per_km2,
            } => {
                ui.small(format!(
                    "{incidents} incidents, {CELL_M:.0} m cells, {BANDWIDTH_M:.0} m kernel, peak {max_per_km2:.4} weighted incidents/km²"
                ));
            }
            HeatStatus::Failed(e) => {
                ui.colored_label(egui::Color32::from_rgb(255, 80, 60), e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_incidents_become_a_translucent_sheet() {
        let mut app = crate::test_support::demo_app();
        app.add_plugins(plugin);
        for _ in 0..1500 {
            app.update();
            if !matches!(
                app.world().resource::<Heatmap>().status,
                HeatStatus::Computing
            ) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let heat = app.world().resource::<Heatmap>();
        match &heat.status {
            HeatStatus::Ready {
                incidents,
                max_per_km2,
            } => {
                assert!(*incidents > 100 && *max_per_km2 > 0.0);
            }
            other => panic!("expected a heatmap, got {other:?}"),
        }
        let e = heat.entity.expect("a sheet entity");
        let mesh = app.world().get::<Mesh3d>(e).unwrap().0.clone();
        let meshes = app.world().resource::<Assets<Mesh>>();
        assert!(meshes.get(&mesh).unwrap().indices().unwrap().len() > 100);
        // Hiding it hides the entity.
        app.world_mut().resource_mut::<Heatmap>().visible = false;
        app.update();
        assert_eq!(app.world().get::<Visibility>(e), Some(&Visibility::Hidden));
    }
}
