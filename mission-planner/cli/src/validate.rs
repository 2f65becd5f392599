//! `validate PLAN ...` and `stats PLAN ...`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use mission_planner::estimate::{Estimate, estimate_mission};
use mission_planner::validate::{Severity, ValidationSettings, validate};

use crate::common::{
    VehicleArgs, battery_text, estimate_json, height_m, load_dem, load_fence, load_plan, step_m,
};
use crate::table;

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Plan file to check.
    pub plan: PathBuf,
    /// Extra fence to enforce (.plan, fence .txt/.waypoints, or GeoJSON polygons as inclusion zones).
    #[arg(long)]
    pub fence: Option<PathBuf>,
    /// Terrain model: any raster GDAL reads (GeoTIFF, .hgt, ...), any CRS; without it terrain checks are skipped.
    #[arg(long)]
    pub dem: Option<PathBuf>,
    /// Highest height above terrain allowed, metres.
    #[arg(long, default_value_t = 120.0, value_parser = height_m)]
    pub ceiling_agl_m: f64,
    /// Lowest height above terrain allowed in flight, metres.
    #[arg(long, default_value_t = 30.0, value_parser = height_m)]
    pub min_clearance_m: f64,
    /// Most mission items the vehicle accepts.
    #[arg(long, default_value_t = 700, value_parser = clap::value_parser!(u32).range(1..=65_535))]
    pub max_items: u32,
    /// Leg sampling step for terrain and fence checks, metres.
    #[arg(long, default_value_t = 30.0, value_parser = step_m)]
    pub sample_m: f64,
    #[command(flatten)]
    pub vehicle: VehicleArgs,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run_validate(a: ValidateArgs) -> Result<ExitCode> {
    let plan = load_plan(&a.plan)?;
    let fence = a.fence.as_deref().map(load_fence).transpose()?;
    let (terrain, terrain_known) = load_dem(a.dem.as_deref())?;
    let settings = ValidationSettings {
        min_clearance_m: a.min_clearance_m,
        ceiling_agl_m: a.ceiling_agl_m,
        max_items: a.max_items as usize,
        sample_step_m: a.sample_m,
        vehicle: a.vehicle.model(Some(plan.mission.cruise_speed_mps))?,
        terrain_known,
    };
    let report = validate(&plan, fence.as_ref(), terrain.as_ref(), &settings);
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "file": a.plan, "ok": !report.has_errors(), "terrain_checked": terrain_known,
                "issues": report.issues, "estimate": estimate_json(&report.estimate, a.vehicle.endurance_min.is_some()),
            }))?
        );
    } else {
        if !terrain_known {
            println!("note: no --dem given: terrain clearance and ceiling are not checked");
        }
        if report.issues.is_empty() {
            println!("{}: no issues", a.plan.display());
        } else {
            let rows: Vec<Vec<String>> = report
                .issues
                .iter()
                .map(|i| {
                    vec![
                        match i.severity {
                            Severity::Error => "error".into(),
                            Severity::Warning => "warning".into(),
                        },
                        i.location.seq.map_or("-".into(), |s| s.to_string()),
                        i.message.clone(),
                    ]
                })
                .collect();
            print!("{}", table::render(&["severity", "item", "issue"], &rows));
        }
        print_estimate(&report.estimate, a.vehicle.endurance_min);
    }
    Ok(if report.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_estimate(e: &Estimate, endurance_min: Option<f64>) {
    println!(
        "distance {:.2} km, time {:.1} min (cruise {:.1}, climb {:.1}, descent {:.1}, loiter {:.1}), battery {}",
        e.distance_m / 1000.0,
        e.time_s / 60.0,
        e.cruise_s / 60.0,
        e.climb_s / 60.0,
        e.descent_s / 60.0,
        e.loiter_s / 60.0,
        battery_text(e, endurance_min)
    );
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Plan file.
    pub plan: PathBuf,
    /// Terrain model (any raster GDAL reads) for terrain-relative items.
    #[arg(long)]
    pub dem: Option<PathBuf>,
    #[command(flatten)]
    pub vehicle: VehicleArgs,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run_stats(a: StatsArgs) -> Result<ExitCode> {
    let plan = load_plan(&a.plan)?;
    let (terrain, _) = load_dem(a.dem.as_deref())?;
    let vehicle = a.vehicle.model(Some(plan.mission.cruise_speed_mps))?;
    let e = estimate_mission(&plan.mission, terrain.as_ref(), &vehicle);
    let m = &plan.mission;
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "file": a.plan,
                "mission_items": m.items.len(),
                "mavlink_items": m.mavlink_count(),
                "fence_polygons": plan.fence.polygons.len(),
                "fence_circles": plan.fence.circles.len(),
                "rally_points": plan.rally_points.len(),
                "home": m.home,
                "estimate": estimate_json(&e, a.vehicle.endurance_min.is_some()),
                "vehicle": vehicle,
            }))?
        );
    } else {
        let rows = vec![
            vec!["mission items".into(), m.items.len().to_string()],
            vec![
                "fence polygons / circles".into(),
                format!(
                    "{} / {}",
                    plan.fence.polygons.len(),
                    plan.fence.circles.len()
                ),
            ],
            vec!["rally points".into(), plan.rally_points.len().to_string()],
            vec![
                "distance".into(),
                format!("{:.2} km", e.distance_m / 1000.0),
            ],
            vec!["flight time".into(), format!("{:.1} min", e.time_s / 60.0)],
            vec![
                "  cruise / climb / descent / loiter".into(),
                format!(
                    "{:.1} / {:.1} / {:.1} / {:.1} min",
                    e.cruise_s / 60.0,
                    e.climb_s / 60.0,
                    e.descent_s / 60.0,
                    e.loiter_s / 60.0
                ),
            ],
            vec!["battery".into(), battery_text(&e, a.vehicle.endurance_min)],
        ];
        println!("{}", a.plan.display());
        print!("{}", table::render(&["quantity", "value"], &rows));
    }
    Ok(ExitCode::SUCCESS)
}
