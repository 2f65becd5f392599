//! Work on the plan off the frame: reading the border line at start, validating every
//! edit, generating patrols (Bevy's async compute pool).

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use bevy::prelude::*;
use bevy::tasks::{AsyncComputeTaskPool, block_on, futures_lite::future};
use geo_intel::elevation::Dem;
use mission_planner::flight::{FlightSettings, flight_path};
use mission_planner::generate::patrol::plan_patrol;
use mission_planner::geodesy::Polyline;
use mission_planner::validate::{ValidationSettings, validate};
use mission_planner::{ElevationModel, FlatTerrain};

use crate::layers::MapCatalog;
use crate::link::sim_fleet::BASES;
use crate::map::terrain::TerrainData;
use crate::tools::doc::PlanDoc;
use crate::tools::patrol::{DEFAULT_STRETCH_KM, patrol_request, stretch_near};

pub(super) fn read_border(mut doc: ResMut<PlanDoc>, catalog: Option<Res<MapCatalog>>) {
    // The border line of the catalog (for patrols): the layer whose file is the border line.
    let Some(cat) = catalog.as_deref().map(|c| &c.0) else {
        return;
    };
    let Some(layer) = cat
        .layers
        .iter()
        .find(|l| l.source.contains("border_line"))
        .or_else(|| {
            cat.layers
                .iter()
                .find(|l| l.name.to_lowercase().contains("border"))
        })
    else {
        return;
    };
    let path = cat.source_path(layer);
    match std::fs::read_to_string(&path)
        .map_err(|e| e.to_string())
        .and_then(|t| mission_planner::border::border_from_geojson(&t).map_err(|e| e.to_string()))
    {
        Ok(b) => {
            let base = BASES[doc.patrol.base.min(BASES.len() - 1)].position;
            (doc.patrol.from_km, doc.patrol.to_km) = stretch_near(&b, base, DEFAULT_STRETCH_KM);
            doc.border = Some(Arc::new(Polyline::new(b)));
        }
        Err(e) => doc.message = Some((true, format!("{}: {e}", path.display()))),
    }
}

fn dem(terrain: &TerrainData) -> Option<Arc<Dem>> {
    terrain.source.as_deref().map(|s| Arc::clone(&s.dem))
}

pub(super) fn start_validation(mut doc: ResMut<PlanDoc>, terrain: Res<TerrainData>) {
    if doc.validation.is_some() || doc.validated == doc.revision {
        return;
    }
    let (plan, revision, dem) = (doc.plan.clone(), doc.revision, dem(&terrain));
    doc.validation = Some(AsyncComputeTaskPool::get().spawn(async move {
        let flat = FlatTerrain { height_m: 0.0 };
        let terrain: &dyn ElevationModel = match dem.as_deref() {
            Some(d) => d,
            None => &flat,
        };
        let settings = ValidationSettings {
            terrain_known: dem.is_some(),
            ..ValidationSettings::default()
        };
        let flown = flight_path(
            &plan.mission,
            terrain,
            FlightSettings {
                cruise_speed_mps: settings.vehicle.cruise_speed_mps,
            },
        )
        .points;
        let report = validate(&plan, None, terrain, &settings);
        (revision, flown, report)
    }));
}

pub(super) fn finish_tasks(mut doc: ResMut<PlanDoc>) {
    if let Some(task) = doc.validation.as_mut()
        && let Some((revision, flown, report)) = block_on(future::poll_once(task))
    {
        doc.validation = None;
        doc.validated = revision;
        doc.flown = flown;
        doc.report = Some(report);
    }
    if let Some((task, _)) = doc.generation.as_mut()
        && let Some(r) = block_on(future::poll_once(task))
    {
        doc.generation = None;
        match r {
            Ok(p) => {
                doc.message = Some((
                    false,
                    format!(
                        "patrol: {} sorties, {:.0} km of border uncovered",
                        p.sorties.len(),
                        p.uncovered_m.iter().map(|(a, b)| b - a).sum::<f64>() / 1000.0
                    ),
                ));
                doc.patrol_plan = Some(Arc::new(p));
            }
            Err(e) => doc.message = Some((true, format!("patrol: {e}"))),
        }
    }
}

/// Starts generating a border patrol for the panel's settings, unless one is running.
pub fn start_patrol(doc: &mut PlanDoc, terrain: &TerrainData) {
    let Some(border) = doc.border.clone() else {
        return;
    };
    if doc.generation.is_some() {
        return;
    }
    let req = patrol_request(&doc.patrol, border.points());
    let progress = Arc::new(AtomicU32::new(0));
    let (dem, prog) = (dem(terrain), Arc::clone(&progress));
    let task = AsyncComputeTaskPool::get().spawn(async move {
        let flat = FlatTerrain { height_m: 0.0 };
        let terrain: &dyn ElevationModel = match dem.as_deref() {
            Some(d) => d,
            None => &flat,
        };
        let mut report = |f: f64| prog.store((f * 1000.0) as u32, Ordering::Relaxed);
        plan_patrol(&req, terrain, &mut report).map_err(|e| e.to_string())
    });
    doc.generation = Some((task, progress));
}

/// How far the running patrol generation is, 0..1 (`None` when none runs).
pub fn patrol_progress(doc: &PlanDoc) -> Option<f32> {
    doc.generation
        .as_ref()
        .map(|(_, p)| p.load(Ordering::Relaxed) as f32 / 1000.0)
}
