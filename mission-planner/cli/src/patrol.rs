//! `patrol --border FILE --base LAT,LON ... --out-dir DIR`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use mission_planner::generate::patrol::patrol_geojson;
use mission_planner::generate::{
    DEFAULT_MIN_CLEARANCE_M, HomeSide, PatrolRequest, TerrainFollow, plan_patrol,
};
use mission_planner::validate::{ValidationSettings, validate};
use mission_planner::{AltitudeReference, LatLon, Plan, border, files};

use crate::common::{
    VehicleArgs, distance_m, height_m, load_dem, parse_lat_lon, read_text, step_m,
};
use crate::table;
use vigil_values::checked;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Side {
    /// Left of the border's direction.
    Left,
    /// Right of the border's direction.
    Right,
}

#[derive(Debug, Args)]
pub struct PatrolArgs {
    /// Border line (GeoJSON LineString, MultiLineString or Polygon; lon/lat).
    #[arg(long)]
    pub border: PathBuf,
    /// A base as LAT,LON (repeat for several).
    #[arg(long = "base", required = true, value_parser = parse_lat_lon, allow_hyphen_values = true)]
    pub bases: Vec<LatLon>,
    /// Distance to keep inside the border, metres.
    #[arg(long, default_value_t = 2000.0, value_parser = checked::non_negative)]
    pub standoff_m: f64,
    /// Height above terrain to fly, metres.
    #[arg(long, default_value_t = 120.0, value_parser = height_m)]
    pub alt_agl_m: f64,
    /// Highest height above terrain allowed anywhere along a leg, metres (validate's
    /// default). A higher --alt-agl-m is refused, not clamped.
    #[arg(long, default_value_t = 120.0, value_parser = height_m)]
    pub ceiling_agl_m: f64,
    /// Lowest height above terrain allowed anywhere along a leg, metres (validate's
    /// default); the floor flown is the larger of this and half of --alt-agl-m.
    #[arg(long, default_value_t = DEFAULT_MIN_CLEARANCE_M, value_parser = height_m)]
    pub min_clearance_m: f64,
    #[command(flatten)]
    pub vehicle: VehicleArgs,
    /// Terrain model: any raster GDAL reads (GeoTIFF, .hgt, ...), any CRS; without it altitudes are relative to each base.
    #[arg(long)]
    pub dem: Option<PathBuf>,
    /// Start of the stretch to cover, km along the border.
    #[arg(long, value_parser = checked::non_negative)]
    pub from_km: Option<f64>,
    /// End of the stretch to cover, km along the border.
    #[arg(long, value_parser = checked::non_negative)]
    pub to_km: Option<f64>,
    /// Home side of the border (default: the side the first base is on).
    #[arg(long, value_enum)]
    pub home_side: Option<Side>,
    /// Simplification tolerance of the patrol line, metres.
    #[arg(long, default_value_t = 100.0, value_parser = distance_m)]
    pub simplify_m: f64,
    /// Terrain sampling step along legs, metres.
    #[arg(long, default_value_t = 30.0, value_parser = step_m)]
    pub sample_m: f64,
    /// Folder for sortie-NN.plan files and patrol.geojson.
    #[arg(long)]
    pub out_dir: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: PatrolArgs) -> Result<ExitCode> {
    let text = read_text(&a.border)?;
    let border_line =
        border::border_from_geojson(&text).map_err(|error| files::FileError::Parse {
            path: a.border.clone(),
            error,
        })?;
    let (terrain, terrain_known) = load_dem(a.dem.as_deref())?;
    if a.vehicle.endurance_min.is_none() {
        bail!("--endurance-min is required: sorties are split to fit it");
    }
    let vehicle = a.vehicle.model(None)?;
    let ceiling = a.ceiling_agl_m;
    if a.alt_agl_m > ceiling {
        bail!(
            "--alt-agl-m {} is above the {ceiling} m ceiling above terrain (--ceiling-agl-m; 120 by default, as `validate` checks); lower --alt-agl-m, or raise the ceiling with --ceiling-agl-m {} (and validate with the same --ceiling-agl-m)",
            a.alt_agl_m,
            a.alt_agl_m
        );
    }
    if a.alt_agl_m < a.min_clearance_m {
        bail!(
            "--alt-agl-m {} is below the {} m minimum clearance above terrain; raise --alt-agl-m or lower --min-clearance-m",
            a.alt_agl_m,
            a.min_clearance_m
        );
    }
    let follow = TerrainFollow {
        alt_agl_m: a.alt_agl_m,
        min_clearance_m: (a.alt_agl_m * 0.5).max(a.min_clearance_m).min(a.alt_agl_m),
        ceiling_agl_m: ceiling,
        sample_step_m: a.sample_m.max(1.0),
    };
    follow.check()?;
    let border_range_m = match (a.from_km, a.to_km) {
        (None, None) => None,
        (from, to) => Some((
            from.unwrap_or(0.0) * 1000.0,
            to.map_or(f64::INFINITY, |t| t * 1000.0),
        )),
    };
    if let Some((f, t)) = border_range_m
        && (f.is_nan() || f >= t)
    {
        bail!("--from-km must be less than --to-km");
    }
    let req = PatrolRequest {
        border: border_line,
        home_side: a.home_side.map(|s| match s {
            Side::Left => HomeSide::Left,
            Side::Right => HomeSide::Right,
        }),
        standoff_m: a.standoff_m,
        simplify_tolerance_m: a.simplify_m,
        terrain_follow: follow,
        bases: a.bases.clone(),
        vehicle,
        border_range_m,
        altitude_reference: if terrain_known {
            AltitudeReference::Amsl
        } else {
            AltitudeReference::Home
        },
    };
    let bar = if a.json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(1000)
    };
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {percent}%")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("planning sorties");
    let plan = plan_patrol(&req, terrain.as_ref(), &mut |f| {
        bar.set_position((f * 1000.0) as u64)
    })?;
    bar.finish_and_clear();
    std::fs::create_dir_all(&a.out_dir)
        .with_context(|| format!("{}: cannot create", a.out_dir.display()))?;
    // A closed border is the home territory's outline: every leg must stay on the home side.
    let territory = border::territory_fence(&req.border, req.bases[0]);
    let settings = ValidationSettings {
        min_clearance_m: follow.min_clearance_m,
        ceiling_agl_m: ceiling,
        sample_step_m: follow.sample_step_m,
        vehicle,
        terrain_known,
        ..ValidationSettings::default()
    };
    let mut rows = Vec::new();
    let mut sorties_json = Vec::new();
    let mut errors = 0;
    for (i, s) in plan.sorties.iter().enumerate() {
        let name = format!("sortie-{:02}.plan", i + 1);
        let p = Plan {
            mission: s.mission.clone(),
            ..Plan::default()
        };
        files::save_plan(&p, &a.out_dir.join(&name))?;
        let report = validate(&p, territory.as_ref(), terrain.as_ref(), &settings);
        let errs = report
            .issues
            .iter()
            .filter(|x| x.severity == mission_planner::validate::Severity::Error)
            .count();
        errors += errs;
        let b = a.bases[s.base_index];
        rows.push(vec![
            (i + 1).to_string(),
            format!("{} ({b})", s.base_index + 1),
            format!(
                "{:.1}-{:.1}",
                s.border_from_m / 1000.0,
                s.border_to_m / 1000.0
            ),
            format!("{:.1}", s.estimate.distance_m / 1000.0),
            format!("{:.1}", s.estimate.time_s / 60.0),
            format!("{:.0}", s.estimate.battery_frac * 100.0),
            s.mission.items.len().to_string(),
            errs.to_string(),
        ]);
        sorties_json.push(serde_json::json!({"sortie": i + 1, "file": a.out_dir.join(&name), "base": s.base_index + 1,
            "border_from_km": s.border_from_m / 1000.0, "border_to_km": s.border_to_m / 1000.0,
            "distance_km": s.estimate.distance_m / 1000.0, "time_min": s.estimate.time_s / 60.0,
            "battery_pct": s.estimate.battery_frac * 100.0, "items": s.mission.items.len(), "issues": report.issues}));
    }
    files::write_atomic(
        &a.out_dir.join("patrol.geojson"),
        patrol_geojson(&plan, &a.bases).as_bytes(),
    )?;
    let uncovered: Vec<_> = plan
        .uncovered_m
        .iter()
        .map(|(f, t)| serde_json::json!({"from_km": f / 1000.0, "to_km": t / 1000.0}))
        .collect();
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({"home_side": format!("{:?}", plan.home_side), "sorties": sorties_json, "uncovered": uncovered, "validation_errors": errors, "warnings": plan.warnings})
            )?
        );
    } else {
        for w in &plan.warnings {
            println!("warning: {w}");
        }
        print!(
            "{}",
            table::render(
                &[
                    "sortie",
                    "base",
                    "border km",
                    "distance km",
                    "time min",
                    "battery %",
                    "items",
                    "errors"
                ],
                &rows
            )
        );
        for (f, t) in &plan.uncovered_m {
            println!(
                "not covered: border km {:.1}-{:.1} is beyond reach of every base",
                f / 1000.0,
                t / 1000.0
            );
        }
        println!(
            "wrote {} sortie plans and patrol.geojson to {}",
            plan.sorties.len(),
            a.out_dir.display()
        );
        if !terrain_known {
            println!(
                "note: no --dem given: altitudes are relative to each base over assumed flat terrain"
            );
        }
    }
    Ok(if errors > 0 || !plan.uncovered_m.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
