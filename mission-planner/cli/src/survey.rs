//! `survey`: lawnmower over a polygon, corridor scan along a line, or orbit.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Args;
use mission_planner::estimate::PX4_MPC_XY_CRUISE_MPS;
use mission_planner::files::qgc_plan::transect;
use mission_planner::generate::survey::{Camera, SurveyRequest, corridor_scan, orbit, survey};
use mission_planner::{
    Altitude, Home, LatLon, Mission, MissionCommand, MissionItem, Plan, border, files,
};

use crate::common::{distance_m, load_dem, parse_lat_lon, read_text};
use vigil_values::checked;

fn pct(text: &str) -> Result<f64, String> {
    checked::in_range(text, 0.0, 99.0)
}

fn alt_m(text: &str) -> Result<f64, String> {
    checked::in_range(text, -1000.0, 10_000.0)
}

#[derive(Debug, Args)]
pub struct SurveyArgs {
    /// Lawnmower over the first polygon of this GeoJSON file.
    #[arg(long, group = "kind")]
    pub polygon: Option<PathBuf>,
    /// Corridor scan along the line in this GeoJSON file (see --width-m).
    #[arg(long, group = "kind")]
    pub corridor: Option<PathBuf>,
    /// Orbit around LAT,LON (see --radius-m).
    #[arg(long, group = "kind", value_parser = parse_lat_lon, allow_hyphen_values = true)]
    pub orbit: Option<LatLon>,
    /// Launch point LAT,LON (default: the first survey point).
    #[arg(long, value_parser = parse_lat_lon, allow_hyphen_values = true)]
    pub home: Option<LatLon>,
    /// Ground altitude of the launch point above mean sea level, metres (the plan's
    /// home altitude; default: the --dem's ground there).
    #[arg(long, value_parser = alt_m, allow_hyphen_values = true)]
    pub home_alt_m: Option<f64>,
    /// Terrain model (any raster GDAL reads) giving the launch point's ground altitude.
    #[arg(long)]
    pub dem: Option<PathBuf>,
    /// Flight height above home, metres (ignored with --gsd-cm).
    #[arg(long, default_value_t = 100.0, value_parser = checked::positive)]
    pub alt_m: f64,
    /// Wanted ground sample distance, cm/px (sets the height).
    #[arg(long, value_parser = checked::positive)]
    pub gsd_cm: Option<f64>,
    /// Sensor width, mm.
    #[arg(long, default_value_t = 23.5, value_parser = checked::positive)]
    pub sensor_width_mm: f64,
    /// Sensor height, mm.
    #[arg(long, default_value_t = 15.6, value_parser = checked::positive)]
    pub sensor_height_mm: f64,
    /// Focal length, mm.
    #[arg(long, default_value_t = 16.0, value_parser = checked::positive)]
    pub focal_mm: f64,
    /// Image width, px.
    #[arg(long, default_value_t = 6000, value_parser = clap::value_parser!(u32).range(1..))]
    pub image_width_px: u32,
    /// Image height, px.
    #[arg(long, default_value_t = 4000, value_parser = clap::value_parser!(u32).range(1..))]
    pub image_height_px: u32,
    /// Front overlap, percent (0..=99).
    #[arg(long, default_value_t = 70.0, value_parser = pct)]
    pub front_overlap_pct: f64,
    /// Side overlap, percent (0..=99).
    #[arg(long, default_value_t = 60.0, value_parser = pct)]
    pub side_overlap_pct: f64,
    /// Line direction, degrees from north.
    #[arg(long, default_value_t = 0.0, value_parser = checked::finite, allow_hyphen_values = true)]
    pub angle_deg: f64,
    /// Turnaround distance past each line end, metres.
    #[arg(long, default_value_t = 20.0, value_parser = checked::non_negative)]
    pub turnaround_m: f64,
    /// Corridor width, metres.
    #[arg(long, default_value_t = 200.0, value_parser = distance_m)]
    pub width_m: f64,
    /// Number of corridor passes.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub passes: u32,
    /// Orbit radius, metres.
    #[arg(long, default_value_t = 300.0, value_parser = distance_m)]
    pub radius_m: f64,
    /// Orbit turns.
    #[arg(long, default_value_t = 1.0, value_parser = checked::positive)]
    pub turns: f64,
    /// Flight speed the plan commands (DO_CHANGE_SPEED after the take-off), m/s.
    #[arg(long, default_value_t = PX4_MPC_XY_CRUISE_MPS, value_parser = checked::positive)]
    pub speed_mps: f64,
    /// Output plan (.plan, .waypoints, .kml, .geojson).
    #[arg(long)]
    pub out: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: SurveyArgs) -> Result<ExitCode> {
    let alt = Altitude::above_home(a.alt_m);
    let read = |p: &PathBuf| read_text(p);
    let parse_err = |p: &PathBuf| {
        let path = p.clone();
        move |error| files::FileError::Parse { path, error }
    };
    // The generated items, and the QGroundControl complex item they form, if any.
    type Complex = Option<(&'static str, serde_json::Map<String, serde_json::Value>)>;
    let (items, layout, complex): (Vec<MissionItem>, _, Complex) = if let Some(p) = &a.polygon {
        let polygon = border::polygons_from_geojson(&read(p)?)
            .map_err(parse_err(p))?
            .swap_remove(0);
        let req = SurveyRequest {
            polygon,
            camera: Camera {
                sensor_width_mm: a.sensor_width_mm,
                sensor_height_mm: a.sensor_height_mm,
                focal_length_mm: a.focal_mm,
                image_width_px: a.image_width_px,
                image_height_px: a.image_height_px,
            },
            front_overlap: a.front_overlap_pct / 100.0,
            side_overlap: a.side_overlap_pct / 100.0,
            alt_m: a.alt_m,
            gsd_cm_per_px: a.gsd_cm,
            angle_deg: a.angle_deg,
            turnaround_m: a.turnaround_m,
        };
        let (items, layout) = survey(&req)?;
        let params = transect::survey_params(&req, &layout, &items);
        (items, Some(layout), Some(("survey", params)))
    } else if let Some(p) = &a.corridor {
        let line = border::border_from_geojson(&read(p)?).map_err(parse_err(p))?;
        let passes = a.passes as usize;
        let items = corridor_scan(&line, a.width_m, passes, alt);
        let params = transect::corridor_params(&line, a.width_m, passes, a.alt_m, &items);
        (items, None, Some(("CorridorScan", params)))
    } else if let Some(c) = a.orbit {
        (orbit(c, a.radius_m, alt, a.turns, 12), None, None)
    } else {
        bail!("give one of --polygon FILE, --corridor FILE or --orbit LAT,LON");
    };
    let Some(first) = items.iter().find_map(MissionItem::position) else {
        bail!("the survey produced no waypoints")
    };
    let home = a.home.unwrap_or(first);
    let home_alt_amsl_m = home_altitude(&a, home)?;
    let takeoff_alt = layout.map_or(alt, |l| Altitude::above_home(l.alt_m));
    let mut mission = Mission {
        home: Some(Home {
            position: home,
            alt_amsl_m: home_alt_amsl_m,
        }),
        cruise_speed_mps: a.speed_mps,
        hover_speed_mps: a.speed_mps,
        ..Mission::default()
    };
    mission.items.push(MissionItem::takeoff(home, takeoff_alt));
    mission.items.push(MissionItem::change_speed(a.speed_mps));
    match complex {
        // Written to .plan as a ComplexItem QGroundControl can edit again.
        Some((kind, params)) => mission.push_complex(kind, params, items),
        None => mission.items.extend(items),
    }
    mission
        .items
        .push(MissionItem::command(MissionCommand::ReturnToLaunch));
    files::save_plan(
        &Plan {
            mission,
            ..Plan::default()
        },
        &a.out,
    )?;
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({"file": a.out, "layout": layout}))?
        );
    } else {
        if let Some(l) = layout {
            println!(
                "{} lines, {:.1} m apart, camera every {:.1} m, {:.1} m high, GSD {:.2} cm/px",
                l.lines, l.line_spacing_m, l.trigger_distance_m, l.alt_m, l.gsd_cm_per_px
            );
        }
        println!("wrote {}", a.out.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// The launch point's ground altitude above mean sea level: `--home-alt-m`, else the
/// `--dem`'s ground there; never a made-up 0 m (other tools read the plan's home).
fn home_altitude(a: &SurveyArgs, home: LatLon) -> Result<f64> {
    if let Some(h) = a.home_alt_m {
        return Ok(h);
    }
    let Some(dem) = &a.dem else {
        bail!(
            "give --home-alt-m (the launch point's ground altitude above mean sea level) or --dem: the plan's home altitude is not guessed"
        );
    };
    let (terrain, _) = load_dem(Some(dem))?;
    terrain.elevation_m(home).ok_or_else(|| {
        anyhow::anyhow!(
            "{}: no ground height at the launch point {home}; give --home-alt-m",
            dem.display()
        )
    })
}
