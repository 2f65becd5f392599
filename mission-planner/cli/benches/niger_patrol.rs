//! Benchmark: generate and validate a patrol of Niger's whole border (Natural Earth
//! 1:10m ring, ~5,586 km) from four bases, terrain sampled every 30 m along every
//! leg, every leg also checked against Niger's outline as an inclusion fence.
//! Prints the figures; run with `cargo bench -p mission-planner-cli --bench niger_patrol`.
//!
//! Terrain: the real GLOBE 30" DEM of Niger (../shared/data/03_dem), read through
//! GDAL (geo-intel's `Dem`, as the CLI's `--dem`), then a synthetic Sahel-like terrain (a 300 m
//! plain, rolling 150 m hills, a 1,400 m massif where the Aïr is) for comparison,
//! both at 300 m above terrain (150..600 m band); then GLOBE again at the CLI's
//! defaults, 120 m above terrain under a 120 m ceiling (60..120 m band).

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use geo_intel::elevation::Dem;
use geo_intel::prelude::*;
use mission_planner::estimate::VehicleModel;
use mission_planner::generate::{PatrolRequest, TerrainFollow, plan_patrol};
use mission_planner::validate::{Severity, ValidationSettings, validate};
use mission_planner::{
    AltitudeReference, ElevationModel, FencePolygon, GeoFence, LatLon, Plan, border,
};

/// Sahel-like synthetic terrain.
struct SyntheticNiger;

impl ElevationModel for SyntheticNiger {
    fn elevation_m(&self, p: LatLon) -> Option<f64> {
        let hills = 150.0 * ((p.lat_deg * 9.0).sin() * (p.lon_deg * 7.0).cos());
        let (dy, dx) = (p.lat_deg - 18.5, p.lon_deg - 8.7);
        let air = 1400.0 * (-(dy * dy + dx * dx) / 1.5).exp();
        Some(300.0 + hills + air)
    }
}

fn main() {
    let path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/01_boundaries/ne10m/niger_border_line.geojson"
    ));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (the shared data set must sit beside the repository)",
            path.display()
        )
    });
    let line = border::border_from_geojson(&text).expect("border");
    let bases = vec![
        LatLon::new(13.5116, 2.1254), // Niamey
        LatLon::new(16.9742, 7.9865), // Agadez
        LatLon::new(13.8069, 8.9881), // Zinder
        LatLon::new(19.5, 12.0),      // north-east (Bilma area)
    ];
    let follow = TerrainFollow {
        sample_step_m: 30.0,
        ..TerrainFollow::new(300.0, 600.0)
    };
    // A MALE-class fixed wing: 30 m/s, 24 h endurance, 20% reserve.
    let vehicle = VehicleModel {
        cruise_speed_mps: 30.0,
        default_speed_mps: 30.0,
        climb_rate_mps: 5.0,
        descent_rate_mps: 5.0,
        endurance_s: 24.0 * 3600.0,
        reserve_frac: 0.2,
        envelope: None,
    };
    let req = PatrolRequest {
        border: line,
        home_side: None,
        standoff_m: 2000.0,
        simplify_tolerance_m: 100.0,
        terrain_follow: follow,
        bases,
        vehicle,
        border_range_m: None,
        altitude_reference: AltitudeReference::Amsl,
    };
    let settings = ValidationSettings {
        min_clearance_m: follow.min_clearance_m,
        ceiling_agl_m: follow.ceiling_agl_m,
        max_items: 10_000,
        sample_step_m: 30.0,
        vehicle,
        terrain_known: true,
    };
    let data = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/03_dem/globe_g10g_niger_30arcsec.tif"
    ));
    let t = Instant::now();
    let globe = Dem::open(&data).unwrap_or_else(|e| panic!("{e}"));
    println!(
        "niger_patrol: GLOBE DEM loaded in {:.3} s (not counted below)",
        t.elapsed().as_secs_f64()
    );
    run("GLOBE 30\" DEM", &req, &settings, &globe);
    run("synthetic terrain", &req, &settings, &SyntheticNiger);
    // The CLI's defaults: 120 m above terrain under validate's 120 m ceiling (a
    // 60..120 m band, so more waypoints where the terrain bends).
    let follow = TerrainFollow::new(120.0, 120.0);
    let req = PatrolRequest {
        terrain_follow: follow,
        ..req
    };
    let settings = ValidationSettings {
        min_clearance_m: follow.min_clearance_m,
        ceiling_agl_m: follow.ceiling_agl_m,
        ..settings
    };
    run(
        "GLOBE 30\" DEM, 120 m AGL, 120 m ceiling",
        &req,
        &settings,
        &globe,
    );
}

fn run(
    name: &str,
    req: &PatrolRequest,
    settings: &ValidationSettings,
    terrain: &dyn ElevationModel,
) {
    // Validation also holds every leg inside Niger (the border ring as inclusion fence).
    let ring = &req.border;
    let territory = GeoFence {
        polygons: vec![FencePolygon {
            vertices: ring[..ring.len() - 1].to_vec(),
            inclusion: true,
        }],
        ..GeoFence::default()
    };
    let mut best = f64::INFINITY;
    let runs = 5;
    for run in 0..runs {
        let t0 = Instant::now();
        let plan = plan_patrol(req, terrain, &mut |_| {}).expect("patrol");
        let t_gen = t0.elapsed().as_secs_f64();
        let t1 = Instant::now();
        let reports: Vec<_> = plan
            .sorties
            .iter()
            .map(|s| {
                validate(
                    &Plan {
                        mission: s.mission.clone(),
                        ..Plan::default()
                    },
                    Some(&territory),
                    terrain,
                    settings,
                )
            })
            .collect();
        let t_val = t1.elapsed().as_secs_f64();
        let total = t_gen + t_val;
        best = best.min(total);
        let km: f64 = plan
            .sorties
            .iter()
            .map(|s| s.estimate.distance_m)
            .sum::<f64>()
            / 1000.0;
        let items: usize = plan.sorties.iter().map(|s| s.mission.items.len()).sum();
        let errors: usize = reports
            .iter()
            .flat_map(|r| &r.issues)
            .filter(|i| i.severity == Severity::Error)
            .count();
        let covered_km: f64 = plan
            .sorties
            .iter()
            .map(|s| s.border_to_m - s.border_from_m)
            .sum::<f64>()
            / 1000.0;
        if run == 0 {
            println!(
                "niger_patrol [{name}]: {} sorties, border covered {covered_km:.0} km, flown {km:.0} km (~{:.0}k terrain samples at 30 m each for generation and validation), {items} waypoints, {errors} validation errors, uncovered stretches {}",
                plan.sorties.len(),
                km / 0.03 / 1000.0,
                plan.uncovered_m.len()
            );
            for i in reports
                .iter()
                .flat_map(|r| &r.issues)
                .filter(|i| i.severity == Severity::Error)
                .take(3)
            {
                println!("  e.g. {}", i.message);
            }
        }
        println!(
            "niger_patrol [{name}] run {}: generate {:.3} s + validate {:.3} s = {:.3} s",
            run + 1,
            t_gen,
            t_val,
            total
        );
        black_box(&reports);
    }
    println!("niger_patrol [{name}] best of {runs}: {best:.3} s (target < 1 s)");
}
