//! QGroundControl's transect-style complex items (survey, CorridorScan): the
//! versions it loads, and the parameters of generated surveys and corridor scans,
//! so a `.plan` holds them as `ComplexItem`s QGroundControl can edit again: survey
//! version 5 and CorridorScan version 2, each with a `TransectStyleComplexItem`
//! (version 2) and its `CameraCalc` (version 2), with the keys and value types
//! QGroundControl's `save()` writes. The flight items themselves (`Items`) are the
//! mission items the complex item covers, added when the plan is written.

use serde_json::{Map, Value, json};

use super::{ParseError, child, int, jerr, req};

use crate::LatLon;
use crate::MissionItem;
use crate::generate::survey::{SurveyLayout, SurveyRequest, corridor_spacing_m};

/// QGroundControl's `AltitudeModeRelative`: heights above home.
const DISTANCE_MODE_RELATIVE: i64 = 1;

fn num(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

fn lat_lons(points: impl IntoIterator<Item = LatLon>) -> Value {
    Value::Array(
        points
            .into_iter()
            .map(|p| json!([num(p.lat_deg), num(p.lon_deg)]))
            .collect(),
    )
}

/// `TransectStyleComplexItem` without `Items`: the visual transect points are the
/// waypoints flown, turnarounds included, as QGroundControl draws them.
fn transect_style(
    camera_calc: Map<String, Value>,
    turnaround_m: f64,
    camera_shots: usize,
    items: &[MissionItem],
) -> Value {
    let mut t = Map::new();
    t.insert("CameraCalc".into(), Value::Object(camera_calc));
    t.insert("CameraShots".into(), json!(camera_shots));
    t.insert("CameraTriggerInTurnAround".into(), json!(false));
    t.insert("HoverAndCapture".into(), json!(false));
    t.insert("Refly90Degrees".into(), json!(false));
    t.insert("TurnAroundDistance".into(), num(turnaround_m));
    t.insert(
        "VisualTransectPoints".into(),
        lat_lons(items.iter().filter_map(MissionItem::position)),
    );
    t.insert("version".into(), json!(2));
    Value::Object(t)
}

/// `CameraCalc` version 2 keys common to every camera.
fn camera_calc_common(
    name: &str,
    footprint_side_m: f64,
    footprint_frontal_m: f64,
    alt_m: f64,
) -> Map<String, Value> {
    let mut c = Map::new();
    c.insert("AdjustedFootprintFrontal".into(), num(footprint_frontal_m));
    c.insert("AdjustedFootprintSide".into(), num(footprint_side_m));
    c.insert("CameraName".into(), json!(name));
    c.insert("DistanceMode".into(), json!(DISTANCE_MODE_RELATIVE));
    c.insert("DistanceToSurface".into(), num(alt_m));
    c.insert("version".into(), json!(2));
    c
}

/// The parameters of a QGroundControl survey (version 5) for a generated survey:
/// polygon, grid angle, turnaround, and a "Custom Camera" calculator holding the
/// camera, overlaps and GSD or height. `items` are the survey's flight items.
pub fn survey_params(
    req: &SurveyRequest,
    layout: &SurveyLayout,
    items: &[MissionItem],
) -> Map<String, Value> {
    let c = &req.camera;
    let mut calc = camera_calc_common(
        "Custom Camera",
        layout.line_spacing_m,
        layout.trigger_distance_m,
        layout.alt_m,
    );
    calc.insert("FixedOrientation".into(), json!(false));
    calc.insert("FocalLength".into(), num(c.focal_length_mm));
    calc.insert("FrontalOverlap".into(), num(req.front_overlap * 100.0));
    calc.insert("ImageDensity".into(), num(layout.gsd_cm_per_px));
    calc.insert("ImageHeight".into(), num(f64::from(c.image_height_px)));
    calc.insert("ImageWidth".into(), num(f64::from(c.image_width_px)));
    calc.insert("Landscape".into(), json!(true));
    calc.insert("MinTriggerInterval".into(), num(0.0));
    calc.insert("SensorHeight".into(), num(c.sensor_height_mm));
    calc.insert("SensorWidth".into(), num(c.sensor_width_mm));
    calc.insert("SideOverlap".into(), num(req.side_overlap * 100.0));
    calc.insert(
        "ValueSetIsDistance".into(),
        json!(req.gsd_cm_per_px.is_none()),
    );
    let mut o = Map::new();
    o.insert(
        "TransectStyleComplexItem".into(),
        transect_style(calc, req.turnaround_m, layout.camera_shots, items),
    );
    o.insert("angle".into(), num(req.angle_deg));
    o.insert("complexItemType".into(), json!("survey"));
    // The pattern starts at the first line's low end: the bottom-left corner of the
    // grid turned to `angle` (QGroundControl's EntryLocationBottomLeft).
    o.insert("entryLocation".into(), json!(2));
    o.insert("flyAlternateTransects".into(), json!(false));
    o.insert("polygon".into(), lat_lons(req.polygon.iter().copied()));
    o.insert("splitConcavePolygons".into(), json!(false));
    o.insert("type".into(), json!("ComplexItem"));
    o.insert("version".into(), json!(5));
    o
}

/// The parameters of a QGroundControl CorridorScan (version 2) for a corridor
/// generated with [`crate::generate::corridor_scan`]: the polyline, the width, and
/// a manual camera whose side footprint is the pass spacing (no photos).
pub fn corridor_params(
    path: &[LatLon],
    width_m: f64,
    passes: usize,
    alt_m: f64,
    items: &[MissionItem],
) -> Map<String, Value> {
    let calc = camera_calc_common(
        "Manual (no camera specs)",
        corridor_spacing_m(width_m, passes.clamp(1, 1000)),
        0.0,
        alt_m,
    );
    let mut o = Map::new();
    o.insert("CorridorWidth".into(), num(width_m));
    o.insert("EntryPoint".into(), json!(0));
    o.insert(
        "TransectStyleComplexItem".into(),
        transect_style(calc, 0.0, 0, items),
    );
    o.insert("complexItemType".into(), json!("CorridorScan"));
    o.insert("polyline".into(), lat_lons(path.iter().copied()));
    o.insert("type".into(), json!("ComplexItem"));
    o.insert("version".into(), json!(2));
    o
}

/// The versions QGroundControl loads: survey 4 and 5 (2 and 3 embed no flight
/// items, QGroundControl rebuilds them), CorridorScan 2, TransectStyleComplexItem
/// 1 (or unstamped) and 2.
pub(super) fn check_versions(
    o: &Map<String, Value>,
    path: &str,
    kind: &str,
) -> Result<(), ParseError> {
    let vpath = child(path, "version");
    let version: i64 = int(req(o, "version", path)?, &vpath)?;
    match (kind, version) {
        ("survey", 4 | 5) | ("CorridorScan", 2) => {}
        ("survey", 2 | 3) => {
            return Err(jerr(
                &vpath,
                format!(
                    "survey version {version} embeds no flight items (QGroundControl regenerates them); open and save it in QGroundControl 3.4 or later"
                ),
            ));
        }
        _ => {
            return Err(jerr(
                &vpath,
                format!(
                    "{kind} version {version} is not supported (QGroundControl loads {})",
                    if kind == "survey" { "2 to 5" } else { "2" }
                ),
            ));
        }
    }
    if let Some(t) = o.get("TransectStyleComplexItem").and_then(Value::as_object) {
        let tpath = child(&child(path, "TransectStyleComplexItem"), "version");
        let v: i64 = match t.get("version") {
            Some(v) => int(v, &tpath)?,
            None => 1,
        };
        if !(0..=2).contains(&v) {
            return Err(jerr(
                &tpath,
                format!(
                    "TransectStyleComplexItem version {v} is not supported (QGroundControl loads 1 and 2)"
                ),
            ));
        }
    }
    Ok(())
}
