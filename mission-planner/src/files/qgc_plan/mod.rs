//! QGroundControl `.plan` (file version 1, mission version 2) and legacy `.mission`.
//!
//! Read: SimpleItems (7-param form and the older `coordinate` + 4-param form),
//! ComplexItems that embed their flight items (survey, CorridorScan) or whose items
//! are regenerated from their parameters as QGroundControl does (StructureScan),
//! geoFence v2 and rallyPoints v2. Version 1 geofence and rally blocks are ignored,
//! exactly as QGroundControl ignores them.

use serde_json::{Map, Value};

use super::ParseError;
use crate::LatLon;
use crate::item::ItemParams;
use crate::plan::{
    ComplexItem, FenceCircle, FencePolygon, GeoFence, Home, Mission, Plan, RallyPoint,
};
use crate::raw::cmd;
use crate::{MissionItem, QgcAltitude};

fn jerr(path: &str, message: impl Into<String>) -> ParseError {
    ParseError::Json {
        json_path: if path.is_empty() {
            "(root)".into()
        } else {
            path.into()
        },
        message: message.into(),
    }
}

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn as_obj<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, ParseError> {
    v.as_object()
        .ok_or_else(|| jerr(path, format!("expected an object, found {}", kind(v))))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn req<'a>(m: &'a Map<String, Value>, key: &str, path: &str) -> Result<&'a Value, ParseError> {
    m.get(key)
        .ok_or_else(|| jerr(path, format!("missing required key \"{key}\"")))
}

fn num(v: &Value, path: &str) -> Result<f64, ParseError> {
    v.as_f64()
        .ok_or_else(|| jerr(path, format!("expected a number, found {}", kind(v))))
}

fn num_or_nan(v: &Value, path: &str) -> Result<f64, ParseError> {
    if v.is_null() {
        Ok(f64::NAN)
    } else {
        num(v, path)
    }
}

fn int<T: TryFrom<i64>>(v: &Value, path: &str) -> Result<T, ParseError> {
    v.as_i64()
        .and_then(|i| T::try_from(i).ok())
        .ok_or_else(|| jerr(path, format!("expected an integer in range, found {v}")))
}

fn arr<'a>(v: &'a Value, path: &str) -> Result<&'a Vec<Value>, ParseError> {
    v.as_array()
        .ok_or_else(|| jerr(path, format!("expected an array, found {}", kind(v))))
}

/// `[lat, lon]` or `[lat, lon, alt]`.
fn coordinate(v: &Value, path: &str, need_alt: bool) -> Result<(LatLon, f64), ParseError> {
    let a = arr(v, path)?;
    let want = if need_alt {
        "[lat, lon, alt]"
    } else {
        "[lat, lon]"
    };
    if a.len() < 2 || (need_alt && a.len() < 3) || a.len() > 3 {
        return Err(jerr(
            path,
            format!("expected a coordinate {want}, found {} values", a.len()),
        ));
    }
    let lat = num(&a[0], &format!("{path}[0]"))?;
    let lon = num(&a[1], &format!("{path}[1]"))?;
    let alt = match a.get(2) {
        Some(v) => num_or_nan(v, &format!("{path}[2]"))?,
        None => 0.0,
    };
    Ok((LatLon::new(lat, lon), alt))
}

fn parse_json(text: &str) -> Result<Value, ParseError> {
    serde_json::from_str(text).map_err(|e| ParseError::Line {
        line: e.line(),
        message: format!("column {}: invalid JSON: {e}", e.column()),
    })
}

/// Reads a `.plan` document.
pub fn parse_plan(text: &str) -> Result<Plan, ParseError> {
    let root = parse_json(text)?;
    let m = as_obj(&root, "")?;
    match m.get("fileType").and_then(Value::as_str) {
        Some("Plan") => {}
        other => {
            return Err(jerr(
                "fileType",
                format!("expected \"Plan\", found {other:?}"),
            ));
        }
    }
    let version: i64 = int(req(m, "version", "")?, "version")?;
    if version != 1 {
        return Err(jerr(
            "version",
            format!("plan file version {version} is not supported (expected 1)"),
        ));
    }
    let mission_v = req(m, "mission", "")?;
    let mission = parse_mission_object(as_obj(mission_v, "mission")?, "mission")?;
    let fence = match m.get("geoFence") {
        Some(v) => parse_fence(as_obj(v, "geoFence")?, "geoFence")?,
        None => GeoFence::default(),
    };
    let rally_points = match m.get("rallyPoints") {
        Some(v) => parse_rally(as_obj(v, "rallyPoints")?, "rallyPoints")?,
        None => Vec::new(),
    };
    Ok(Plan {
        mission,
        fence,
        rally_points,
    })
}

/// Reads a legacy QGroundControl `.mission` document (the mission object at the root).
pub fn parse_legacy_mission(text: &str) -> Result<Plan, ParseError> {
    let root = parse_json(text)?;
    let mission = parse_mission_object(as_obj(&root, "")?, "")?;
    Ok(Plan {
        mission,
        ..Plan::default()
    })
}

fn parse_mission_object(m: &Map<String, Value>, path: &str) -> Result<Mission, ParseError> {
    if let Some(v) = m.get("version") {
        let version: i64 = int(v, &child(path, "version"))?;
        if version != 2 {
            return Err(jerr(
                &child(path, "version"),
                format!("mission version {version} is not supported (expected 2)"),
            ));
        }
    }
    let mut mission = Mission::default();
    let home_path = child(path, "plannedHomePosition");
    let (home, alt) = coordinate(req(m, "plannedHomePosition", path)?, &home_path, true)?;
    mission.home = Some(Home {
        position: home,
        alt_amsl_m: alt,
    });
    if let Some(v) = m.get("cruiseSpeed") {
        mission.cruise_speed_mps = num(v, &child(path, "cruiseSpeed"))?;
    }
    if let Some(v) = m.get("hoverSpeed") {
        mission.hover_speed_mps = num(v, &child(path, "hoverSpeed"))?;
    }
    if let Some(v) = m.get("firmwareType") {
        mission.firmware_type = int(v, &child(path, "firmwareType"))?;
    }
    if let Some(v) = m.get("vehicleType") {
        mission.vehicle_type = int(v, &child(path, "vehicleType"))?;
    }
    let items_path = child(path, "items");
    let mut jump_ids = Vec::new();
    for (i, v) in arr(req(m, "items", path)?, &items_path)?.iter().enumerate() {
        let ipath = format!("{items_path}[{i}]");
        let o = as_obj(v, &ipath)?;
        match o.get("type").and_then(Value::as_str) {
            Some("SimpleItem") => push_simple(o, &ipath, &mut mission, &mut jump_ids)?,
            Some("ComplexItem") => parse_complex(o, &ipath, &mut mission, &mut jump_ids)?,
            other => {
                return Err(jerr(
                    &child(&ipath, "type"),
                    format!("expected \"SimpleItem\" or \"ComplexItem\", found {other:?}"),
                ));
            }
        }
    }
    remap_jumps(&mut mission, &jump_ids);
    Ok(mission)
}

/// DO_JUMP param1 holds a doJumpId in `.plan` files; the model holds MAVLink seqs.
fn remap_jumps(mission: &mut Mission, jump_ids: &[Option<i64>]) {
    let offset = usize::from(mission.home.is_some());
    let ids_are_seqs = jump_ids
        .iter()
        .enumerate()
        .all(|(i, id)| *id == Some((i + offset) as i64));
    if ids_are_seqs {
        return;
    }
    for item in &mut mission.items {
        let mut p = item.to_params();
        if p.command != cmd::DO_JUMP {
            continue;
        }
        if let Some(index) = jump_ids
            .iter()
            .position(|id| id.map(|x| x as f64) == Some(p.params[0]))
        {
            p.params[0] = (index + offset) as f64;
            *item = MissionItem::from_params(&p);
        }
    }
}

fn parse_simple(
    o: &Map<String, Value>,
    path: &str,
) -> Result<(MissionItem, Option<i64>), ParseError> {
    let command: u16 = int(req(o, "command", path)?, &child(path, "command"))?;
    let frame: u8 = int(req(o, "frame", path)?, &child(path, "frame"))?;
    let autocontinue = match o.get("autoContinue") {
        Some(Value::Bool(b)) => *b,
        Some(v) => {
            return Err(jerr(
                &child(path, "autoContinue"),
                format!("expected a boolean, found {}", kind(v)),
            ));
        }
        None => true,
    };
    let ppath = child(path, "params");
    let params_v = arr(req(o, "params", path)?, &ppath)?;
    let mut params = [0.0; 7];
    if let Some(c) = o.get("coordinate") {
        // Older form: 4 params plus [lat, lon, alt].
        if params_v.len() != 4 {
            return Err(jerr(
                &ppath,
                format!(
                    "expected 4 params with \"coordinate\", found {}",
                    params_v.len()
                ),
            ));
        }
        let (p, alt) = coordinate(c, &child(path, "coordinate"), true)?;
        params[4] = p.lat_deg;
        params[5] = p.lon_deg;
        params[6] = alt;
    } else if params_v.len() != 7 {
        return Err(jerr(
            &ppath,
            format!("expected 7 params, found {}", params_v.len()),
        ));
    }
    for (i, v) in params_v.iter().enumerate() {
        params[i] = num_or_nan(v, &format!("{ppath}[{i}]"))?;
    }
    let id = o.get("doJumpId").and_then(Value::as_i64);
    Ok((
        MissionItem::from_params(&ItemParams {
            command,
            frame,
            autocontinue,
            params,
        }),
        id,
    ))
}

/// Parses a SimpleItem onto the mission, keeping QGroundControl's altitude keys
/// where they say more than the item itself.
fn push_simple(
    o: &Map<String, Value>,
    path: &str,
    mission: &mut Mission,
    jump_ids: &mut Vec<Option<i64>>,
) -> Result<(), ParseError> {
    let (item, id) = parse_simple(o, path)?;
    if let Some(mode) = o
        .get("AltitudeMode")
        .and_then(Value::as_u64)
        .and_then(|m| u8::try_from(m).ok())
    {
        let opt = |key: &str| o.get(key).and_then(Value::as_f64);
        let q = QgcAltitude {
            altitude_m: opt("Altitude"),
            mode,
            amsl_alt_above_terrain_m: opt("AMSLAltAboveTerrain"),
        };
        if write::derived_altitude(&item) != Some(q) {
            mission.qgc_altitudes.insert(mission.items.len(), q);
        }
    }
    mission.items.push(item);
    jump_ids.push(id);
    Ok(())
}

fn parse_complex(
    o: &Map<String, Value>,
    path: &str,
    mission: &mut Mission,
    jump_ids: &mut Vec<Option<i64>>,
) -> Result<(), ParseError> {
    let kind_path = child(path, "complexItemType");
    let kind = req(o, "complexItemType", path)?
        .as_str()
        .ok_or_else(|| jerr(&kind_path, "expected a string"))?
        .to_owned();
    let mut params = o.clone();
    let items = match kind.as_str() {
        "survey" | "CorridorScan" => {
            transect::check_versions(o, path, &kind)?;
            let tpath = child(path, "TransectStyleComplexItem");
            let t = params
                .get_mut("TransectStyleComplexItem")
                .and_then(Value::as_object_mut)
                .ok_or_else(|| {
                    jerr(
                        path,
                        format!("{kind} item has no \"TransectStyleComplexItem\" object"),
                    )
                })?;
            let items = t
                .remove("Items")
                .ok_or_else(|| jerr(&tpath, "missing required key \"Items\""))?;
            (items, child(&tpath, "Items"))
        }
        "StructureScan" => {
            // No embedded items: regenerate them as QGroundControl does.
            let first_item = mission.items.len();
            for item in structure_scan::structure_scan_items(o, path)? {
                mission.items.push(item);
                jump_ids.push(None);
            }
            let item_count = mission.items.len() - first_item;
            mission.complex_items.push(ComplexItem {
                kind,
                first_item,
                item_count,
                params,
            });
            return Ok(());
        }
        other => {
            return Err(jerr(
                &kind_path,
                format!(
                    "unsupported complex item type {other:?} (supported: survey, CorridorScan, StructureScan)"
                ),
            ));
        }
    };
    let (items_v, items_path) = items;
    let first_item = mission.items.len();
    for (i, v) in arr(&items_v, &items_path)?.iter().enumerate() {
        let ipath = format!("{items_path}[{i}]");
        push_simple(as_obj(v, &ipath)?, &ipath, mission, jump_ids)?;
    }
    mission.complex_items.push(ComplexItem {
        kind,
        first_item,
        item_count: mission.items.len() - first_item,
        params,
    });
    Ok(())
}

fn parse_fence(m: &Map<String, Value>, path: &str) -> Result<GeoFence, ParseError> {
    let mut fence = GeoFence::default();
    let version = m.get("version").and_then(Value::as_i64);
    if version.is_none() || version == Some(1) {
        return Ok(fence); // QGroundControl ignores version 1 fences too.
    }
    if version != Some(2) {
        return Err(jerr(
            &child(path, "version"),
            format!("GeoFence version {version:?} is not supported (expected 2)"),
        ));
    }
    let ppath = child(path, "polygons");
    for (i, v) in arr(req(m, "polygons", path)?, &ppath)?.iter().enumerate() {
        let ip = format!("{ppath}[{i}]");
        let o = as_obj(v, &ip)?;
        let inclusion = req(o, "inclusion", &ip)?
            .as_bool()
            .ok_or_else(|| jerr(&child(&ip, "inclusion"), "expected a boolean"))?;
        let vpath = child(&ip, "polygon");
        let vertices = arr(req(o, "polygon", &ip)?, &vpath)?
            .iter()
            .enumerate()
            .map(|(j, c)| coordinate(c, &format!("{vpath}[{j}]"), false).map(|(p, _)| p))
            .collect::<Result<Vec<_>, _>>()?;
        if vertices.len() < 3 {
            return Err(jerr(
                &vpath,
                format!(
                    "a fence polygon needs at least 3 vertices, found {}",
                    vertices.len()
                ),
            ));
        }
        fence.polygons.push(FencePolygon {
            vertices,
            inclusion,
        });
    }
    let cpath = child(path, "circles");
    for (i, v) in arr(req(m, "circles", path)?, &cpath)?.iter().enumerate() {
        let ip = format!("{cpath}[{i}]");
        let o = as_obj(v, &ip)?;
        let inclusion = req(o, "inclusion", &ip)?
            .as_bool()
            .ok_or_else(|| jerr(&child(&ip, "inclusion"), "expected a boolean"))?;
        let circ_path = child(&ip, "circle");
        let c = as_obj(req(o, "circle", &ip)?, &circ_path)?;
        let (center, _) = coordinate(
            req(c, "center", &circ_path)?,
            &child(&circ_path, "center"),
            false,
        )?;
        let radius_m = num(req(c, "radius", &circ_path)?, &child(&circ_path, "radius"))?;
        fence.circles.push(FenceCircle {
            center,
            radius_m,
            inclusion,
        });
    }
    if let Some(v) = m.get("breachReturn") {
        fence.breach_return = Some(coordinate(v, &child(path, "breachReturn"), true)?);
    }
    Ok(fence)
}

fn parse_rally(m: &Map<String, Value>, path: &str) -> Result<Vec<RallyPoint>, ParseError> {
    match m.get("version").and_then(Value::as_i64) {
        Some(1) => return Ok(Vec::new()), // QGroundControl ignores version 1 rally points.
        Some(2) => {}
        v => {
            return Err(jerr(
                &child(path, "version"),
                format!("Rally Points version {v:?} is not supported (expected 2)"),
            ));
        }
    }
    let ppath = child(path, "points");
    arr(req(m, "points", path)?, &ppath)?
        .iter()
        .enumerate()
        .map(|(i, c)| {
            coordinate(c, &format!("{ppath}[{i}]"), true).map(|(p, alt)| RallyPoint::new(p, alt))
        })
        .collect()
}

mod structure_scan;
pub mod transect;
mod write;
pub use write::{write_legacy_mission, write_plan};
