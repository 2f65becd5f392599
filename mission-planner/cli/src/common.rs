//! Arguments and loaders shared by subcommands.

use std::path::Path;

use anyhow::{Context, Result, bail};
use clap::Args;
use mission_planner::dem_grid::DemGrid;
use mission_planner::estimate::VehicleModel;
use mission_planner::{ElevationModel, FencePolygon, GeoFence, LatLon, border, files};

/// Vehicle performance arguments.
#[derive(Debug, Clone, Args)]
pub struct VehicleArgs {
    /// Cruise speed, m/s (default: the plan's cruise speed, else 15).
    #[arg(long)]
    pub speed_mps: Option<f64>,
    /// Endurance on a full battery, minutes (without it, endurance is not checked).
    #[arg(long)]
    pub endurance_min: Option<f64>,
    /// Reserve kept, percent of endurance.
    #[arg(long, default_value_t = 20.0)]
    pub reserve_pct: f64,
    /// Climb rate, m/s.
    #[arg(long, default_value_t = 3.0)]
    pub climb_mps: f64,
    /// Descent rate, m/s.
    #[arg(long, default_value_t = 2.0)]
    pub descent_mps: f64,
}

impl VehicleArgs {
    pub fn model(&self, plan_speed_mps: Option<f64>) -> Result<VehicleModel> {
        let v = VehicleModel {
            cruise_speed_mps: self
                .speed_mps
                .or(plan_speed_mps.filter(|s| *s > 0.0))
                .unwrap_or(15.0),
            climb_rate_mps: self.climb_mps,
            descent_rate_mps: self.descent_mps,
            endurance_s: self.endurance_min.map_or(f64::INFINITY, |m| m * 60.0),
            reserve_frac: self.reserve_pct / 100.0,
        };
        let ok = |x: f64| x.is_finite() && x > 0.0;
        if !(ok(v.cruise_speed_mps)
            && ok(v.climb_rate_mps)
            && ok(v.descent_rate_mps)
            && self.endurance_min.is_none_or(ok))
        {
            bail!("speed, climb/descent rates and endurance must be positive numbers");
        }
        if !(0.0..100.0).contains(&self.reserve_pct) {
            bail!(
                "--reserve-pct must be within 0..100, got {}",
                self.reserve_pct
            );
        }
        Ok(v)
    }
}

/// An estimate as JSON, battery use `null` when endurance is unknown.
pub fn estimate_json(
    e: &mission_planner::estimate::Estimate,
    endurance_known: bool,
) -> serde_json::Value {
    let mut v = serde_json::to_value(e).unwrap_or_default();
    if !endurance_known {
        v["battery_frac"] = serde_json::Value::Null;
    }
    v
}

/// Battery use in words.
pub fn battery_text(e: &mission_planner::estimate::Estimate, endurance_min: Option<f64>) -> String {
    match endurance_min {
        Some(m) => format!("{:.0}% of {m:.0} min", e.battery_frac * 100.0),
        None => "n/a (give --endurance-min)".into(),
    }
}

/// No terrain data anywhere: terrain-relative heights fall back to home's altitude.
struct NoTerrain;

impl ElevationModel for NoTerrain {
    fn elevation_m(&self, _p: LatLon) -> Option<f64> {
        None
    }
}

/// The terrain model from `--dem`, or no terrain with `false` when absent.
pub fn load_dem(dem: Option<&Path>) -> Result<(Box<dyn ElevationModel>, bool)> {
    let Some(path) = dem else {
        return Ok((Box::new(NoTerrain), false));
    };
    Ok((Box::new(DemGrid::load(path)?), true))
}

/// A fence from a plan file, a MAVProxy fence list, or GeoJSON polygons (inclusion).
pub fn load_fence(path: &Path) -> Result<GeoFence> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ext == "geojson" || ext == "json" {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        let rings =
            border::polygons_from_geojson(&text).map_err(|error| files::FileError::Parse {
                path: path.to_owned(),
                error,
            })?;
        return Ok(GeoFence {
            polygons: rings
                .into_iter()
                .map(|vertices| FencePolygon {
                    vertices,
                    inclusion: true,
                })
                .collect(),
            ..GeoFence::default()
        });
    }
    Ok(files::load_plan(path)?.fence)
}

pub fn parse_lat_lon(s: &str) -> Result<LatLon, String> {
    s.parse::<LatLon>().map_err(|e| e.to_string())
}
