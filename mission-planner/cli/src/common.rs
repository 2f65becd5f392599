//! Arguments and loaders shared by subcommands.

use std::path::Path;

use anyhow::{Context, Result, bail};
use clap::Args;
use geo_intel::elevation::Dem;
use geo_intel::prelude::*;
use mission_planner::estimate::{PX4_MPC_XY_CRUISE_MPS, Px4Envelope, VehicleModel};
use mission_planner::{ElevationModel, FencePolygon, GeoFence, LatLon, border, files};
use vigil_values::checked;

/// Vehicle performance arguments.
#[derive(Debug, Clone, Args)]
pub struct VehicleArgs {
    /// Cruise speed, m/s (default: the plan's cruise speed, else 15). A generated
    /// plan commands it (DO_CHANGE_SPEED after the take-off).
    #[arg(long, value_parser = checked::positive)]
    pub speed_mps: Option<f64>,
    /// The vehicle's own mission speed before a plan's first DO_CHANGE_SPEED, m/s
    /// (PX4 multicopter: MPC_XY_CRUISE); estimates fly legs no speed item covers at it.
    #[arg(long, default_value_t = PX4_MPC_XY_CRUISE_MPS, value_parser = checked::positive)]
    pub default_speed_mps: f64,
    /// Endurance on a full battery, minutes (without it, endurance is not checked).
    #[arg(long, value_parser = checked::positive)]
    pub endurance_min: Option<f64>,
    /// Reserve kept, percent of endurance (0 to under 100).
    #[arg(long, default_value_t = 20.0, value_parser = reserve_pct)]
    pub reserve_pct: f64,
    /// Climb rate, m/s.
    #[arg(long, default_value_t = 3.0, value_parser = checked::positive)]
    pub climb_mps: f64,
    /// Descent rate, m/s.
    #[arg(long, default_value_t = 2.0, value_parser = checked::positive)]
    pub descent_mps: f64,
    /// The vehicle's PX4 parameters, as `gcs-cli params list [--json] > FILE` saves them
    /// (or a QGroundControl .params file): estimates and sortie sizes then fly its
    /// envelope (MPC_* speeds and acceleration, PX4's take-off and landing, the SIH
    /// airframe's top speed) instead of --default-speed-mps, --climb-mps and --descent-mps.
    #[arg(long, value_name = "FILE")]
    pub vehicle_params: Option<std::path::PathBuf>,
}

/// A vehicle's parameters by name, from `gcs-cli params list --json` (`{"params":
/// [{"name": .., "value": {"F32": ..}}]}`), its table (`NAME  VALUE (TYPE)`) or a
/// QGroundControl .params file (`SYS COMP NAME VALUE TYPE`, tab-separated).
fn read_vehicle_params(path: &Path) -> Result<std::collections::HashMap<String, f64>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading vehicle parameters {}", path.display()))?;
    let mut params = std::collections::HashMap::new();
    if let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) {
        for p in json["params"].as_array().into_iter().flatten() {
            let value = p["value"]
                .as_object()
                .and_then(|o| o.values().next())
                .and_then(|v| v.as_f64());
            if let (Some(name), Some(value)) = (p["name"].as_str(), value) {
                params.insert(name.to_string(), value);
            }
        }
    } else {
        for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
            let f: Vec<&str> = line.split_whitespace().collect();
            let (name, value) = match f.as_slice() {
                [_, _, name, value, _] if line.contains('\t') => (*name, *value),
                [name, value, ..] => (*name, *value),
                _ => continue,
            };
            if let Ok(v) = value.parse::<f64>()
                && v.is_finite()
            {
                params.insert(name.to_string(), v);
            }
        }
    }
    if params.is_empty() {
        bail!(
            "{}: no parameters found (save them with `gcs-cli params list --json > FILE`)",
            path.display()
        );
    }
    Ok(params)
}

/// A reserve in percent: finite, 0 or more and under 100.
fn reserve_pct(text: &str) -> Result<f64, String> {
    let v = checked::non_negative(text)?;
    if v < 100.0 {
        Ok(v)
    } else {
        Err(format!("{v} must be under 100"))
    }
}

/// A sampling step in metres: finite, at least 1 m, at most 10 km.
pub fn step_m(text: &str) -> Result<f64, String> {
    checked::in_range(text, 1.0, 10_000.0)
}

/// A height above terrain or a clearance in metres: finite, 0..=10,000.
pub fn height_m(text: &str) -> Result<f64, String> {
    checked::in_range(text, 0.0, 10_000.0)
}

/// A distance in metres: finite and greater than 0.
pub fn distance_m(text: &str) -> Result<f64, String> {
    checked::positive(text)
}

impl VehicleArgs {
    pub fn model(&self, plan_speed_mps: Option<f64>) -> Result<VehicleModel> {
        let mut v = VehicleModel {
            cruise_speed_mps: self
                .speed_mps
                .or(plan_speed_mps.filter(|s| *s > 0.0))
                .unwrap_or(15.0),
            default_speed_mps: self.default_speed_mps,
            climb_rate_mps: self.climb_mps,
            descent_rate_mps: self.descent_mps,
            endurance_s: self.endurance_min.map_or(f64::INFINITY, |m| m * 60.0),
            reserve_frac: self.reserve_pct / 100.0,
            envelope: None,
        };
        if let Some(path) = &self.vehicle_params {
            let params = read_vehicle_params(path)?;
            let envelope = Px4Envelope::from_params(|n| params.get(n).copied());
            v = VehicleModel {
                reserve_frac: v.reserve_frac,
                ..VehicleModel::px4(envelope, v.cruise_speed_mps, v.endurance_s)
            };
        }
        // The flags were checked when parsed; a plan's own speed may still be absurd.
        if !(v.cruise_speed_mps.is_finite() && v.cruise_speed_mps > 0.0) {
            bail!(
                "cruise speed {} m/s is not a positive number; give --speed-mps",
                v.cruise_speed_mps
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

/// The terrain model from `--dem` (any raster GDAL reads, in any CRS: geo-intel's
/// [`Dem`], the workspace's one DEM reader), or no terrain with `false` when absent.
pub fn load_dem(dem: Option<&Path>) -> Result<(Box<dyn ElevationModel>, bool)> {
    let Some(path) = dem else {
        return Ok((Box::new(NoTerrain), false));
    };
    require_file(path)?;
    let dem = Dem::open(path).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((Box::new(dem), true))
}

/// Fails with one message naming `path` when it is not a readable file.
pub fn require_file(path: &Path) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Ok(()),
        Ok(_) => bail!("{}: not a file", path.display()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            bail!("{}: no such file", path.display())
        }
        Err(e) => bail!("{}: cannot read: {e}", path.display()),
    }
}

/// The text of `path`, or one message naming it.
pub fn read_text(path: &Path) -> Result<String> {
    require_file(path)?;
    std::fs::read_to_string(path).with_context(|| format!("{}: cannot read", path.display()))
}

/// A fence from a plan file, a MAVProxy fence list, or GeoJSON polygons (inclusion).
pub fn load_fence(path: &Path) -> Result<GeoFence> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ext == "geojson" || ext == "json" {
        let text = read_text(path)?;
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
    Ok(load_plan(path)?.fence)
}

/// A plan file, or one message naming it (missing, unreadable or invalid).
pub fn load_plan(path: &Path) -> Result<mission_planner::Plan> {
    require_file(path)?;
    Ok(files::load_plan(path)?)
}

pub fn parse_lat_lon(s: &str) -> Result<LatLon, String> {
    s.parse::<LatLon>().map_err(|e| e.to_string())
}
