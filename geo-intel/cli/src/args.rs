//! Command-line arguments, parsed by clap and validated into typed values.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand};
use geo_intel::vector::LonLatBounds;
use mission_planner::LatLon;
use vigil_values::checked::positive;

/// Vigil geo-intel: GIS layers, elevation, risk heatmaps and patrol coverage.
#[derive(Debug, Parser)]
#[command(name = "geo-intel", version, about)]
pub struct Cli {
    /// Print machine-readable JSON on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Layers, CRS, extent and feature counts of a vector or raster file.
    Info {
        /// The file (or a PG: connection string).
        file: PathBuf,
    },
    /// Elevation at points (metres; null where the DEM has no data).
    Sample {
        /// DEM file(s); several are mosaicked.
        #[arg(long = "dem", required = true)]
        dems: Vec<PathBuf>,
        /// Positions as LAT,LON in degrees.
        #[arg(required = true, value_parser = parse_lat_lon, allow_negative_numbers = true)]
        points: Vec<LatLon>,
    },
    /// Elevation profile along a path.
    Profile {
        /// DEM file(s); several are mosaicked.
        #[arg(long = "dem", required = true)]
        dems: Vec<PathBuf>,
        /// Sample spacing along the path, metres.
        #[arg(long, default_value_t = 100.0, value_parser = positive)]
        step_m: f64,
        /// The path's vertices as LAT,LON (at least two).
        #[arg(required = true, num_args = 2.., value_parser = parse_lat_lon, allow_negative_numbers = true)]
        points: Vec<LatLon>,
    },
    /// Time-decayed kernel-density risk grid from incidents, written as GeoTIFF.
    Heatmap(HeatmapArgs),
    /// Border segments ranked by risk.
    RankBorder {
        /// Border lines (or polygons).
        #[arg(long)]
        border: PathBuf,
        /// Risk raster (from `heatmap`).
        #[arg(long)]
        risk: PathBuf,
        /// Segment length, km.
        #[arg(long, default_value_t = 10.0, value_parser = positive)]
        segment_km: f64,
        /// Show only the N riskiest segments.
        #[arg(long)]
        top: Option<usize>,
    },
    /// Which kilometres of border the tracks observed, and the gaps.
    Coverage {
        /// Border lines (or polygons).
        #[arg(long)]
        border: PathBuf,
        /// Track files (GPX, GeoJSON, .tlog telemetry, ...).
        #[arg(long = "tracks", required = true)]
        tracks: Vec<PathBuf>,
        /// Sensor footprint width across the track, metres.
        #[arg(long, value_parser = positive)]
        footprint_m: f64,
        /// Only tracks flown in the last N hours.
        #[arg(long, value_parser = positive)]
        since_hours: Option<f64>,
        /// Analysis time (RFC 3339); default: now.
        #[arg(long, value_parser = parse_now)]
        now: Option<DateTime<Utc>>,
        /// Write observed stretches and gaps as GeoJSON here.
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
    },
    /// Check a layer catalog (TOML) and list its layers and problems.
    Catalog {
        /// The catalog file.
        file: PathBuf,
    },
}

/// Arguments of `heatmap`.
#[derive(Debug, Args)]
pub struct HeatmapArgs {
    /// Incident file (points with time, category, severity).
    #[arg(long)]
    pub incidents: PathBuf,
    /// Cell size, metres.
    #[arg(long, value_parser = positive)]
    pub cell_m: f64,
    /// Kernel bandwidth (Gaussian standard deviation), metres.
    #[arg(long, value_parser = positive)]
    pub bandwidth_m: f64,
    /// Half-life of an incident's weight, days (default: no decay).
    #[arg(long, value_parser = positive)]
    pub half_life_days: Option<f64>,
    /// Analysis time (RFC 3339); default: the latest incident.
    #[arg(long, value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,
    /// Name of the time field (default: time, datetime, timestamp, date).
    #[arg(long)]
    pub time_field: Option<String>,
    /// Area as WEST,SOUTH,EAST,NORTH degrees (default: incidents + 3 bandwidths).
    #[arg(long, value_parser = parse_bounds, allow_negative_numbers = true)]
    pub area: Option<LonLatBounds>,
    /// Output GeoTIFF.
    #[arg(short = 'o', long)]
    pub output: PathBuf,
}

fn parse_lat_lon(s: &str) -> Result<LatLon, String> {
    s.trim().parse::<LatLon>().map_err(|e| e.to_string())
}

/// Command-line arguments with positions such as `-8.05,-34.9` protected from
/// being read as options (clap only accepts plain negative numbers): they get a
/// leading space, which the position parser trims.
pub fn protect_negative_positions(args: impl Iterator<Item = String>) -> Vec<String> {
    args.map(|a| {
        let b = a.as_bytes();
        let looks_like_position = b.len() > 1
            && b[0] == b'-'
            && (b[1].is_ascii_digit() || b[1] == b'.')
            && a.contains(',');
        if looks_like_position {
            format!(" {a}")
        } else {
            a
        }
    })
    .collect()
}

fn parse_now(s: &str) -> Result<DateTime<Utc>, String> {
    geo_intel::incidents::parse_time(s)
        .ok_or_else(|| format!("cannot read time {s:?} (use RFC 3339)"))
}

fn parse_bounds(s: &str) -> Result<LonLatBounds, String> {
    let v: Vec<f64> = s
        .split(',')
        .map(vigil_values::checked::finite)
        .collect::<Result<_, _>>()?;
    let lon_ok = |x: f64| (-180.0..=180.0).contains(&x);
    let lat_ok = |y: f64| (-90.0..=90.0).contains(&y);
    match v[..] {
        [w, s_, e, n] if lon_ok(w) && lon_ok(e) && lat_ok(s_) && lat_ok(n) && w < e && s_ < n => {
            Ok(LonLatBounds {
                west_deg: w,
                south_deg: s_,
                east_deg: e,
                north_deg: n,
            })
        }
        _ => Err(format!(
            "{:?}: expected WEST,SOUTH,EAST,NORTH degrees with -180 <= WEST < EAST <= 180 and -90 <= SOUTH < NORTH <= 90",
            s.trim()
        )),
    }
}
