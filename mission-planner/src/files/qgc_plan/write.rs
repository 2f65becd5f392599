//! Writing `.plan` and `.mission` documents as QGroundControl writes them.

use serde_json::{Map, Value, json};

use super::super::ParseError;
use crate::item::{AltitudeReference, Frame};
use crate::plan::{Mission, Plan, QgcAltitude};
use crate::raw::cmd;
use crate::{LatLon, MissionCommand, MissionItem};

fn num_json(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

/// The altitude keys QGroundControl would write for `item`, from its frame and altitude.
pub(super) fn derived_altitude(item: &MissionItem) -> Option<QgcAltitude> {
    let alt = item.altitude()?;
    let flies = matches!(
        item.command,
        MissionCommand::Waypoint { .. }
            | MissionCommand::Takeoff { .. }
            | MissionCommand::Land { .. }
            | MissionCommand::LoiterUnlimited { .. }
            | MissionCommand::LoiterTurns { .. }
            | MissionCommand::LoiterTime { .. }
            | MissionCommand::LoiterToAlt { .. }
    );
    let mode = match (item.frame, alt.reference) {
        (Frame::Global(_), AltitudeReference::Home) => 1,
        (Frame::Global(_), AltitudeReference::Amsl) => 2,
        (Frame::Global(_), AltitudeReference::Terrain) => 4,
        _ => 0,
    };
    (flies && mode != 0).then(|| QgcAltitude {
        altitude_m: alt.alt_m.is_finite().then_some(alt.alt_m),
        mode,
        amsl_alt_above_terrain_m: None,
    })
}

/// A SimpleItem; `qgc_altitude` (else, for top-level items, the derived one) adds
/// QGroundControl's altitude keys, which the items embedded in complex items lack.
fn simple_json(
    item: &MissionItem,
    qgc_altitude: Option<&QgcAltitude>,
    top_level: bool,
    do_jump_id: usize,
    jump_target_id: impl Fn(f64) -> f64,
) -> Value {
    let mut p = item.to_params();
    if p.command == cmd::DO_JUMP {
        p.params[0] = jump_target_id(p.params[0]);
    }
    let mut o = Map::new();
    let derived = || derived_altitude(item).filter(|_| top_level);
    if let Some(q) = qgc_altitude.copied().or_else(derived) {
        let opt = |x: Option<f64>| x.map_or(Value::Null, num_json);
        o.insert(
            "AMSLAltAboveTerrain".into(),
            opt(q.amsl_alt_above_terrain_m),
        );
        o.insert("Altitude".into(), opt(q.altitude_m));
        o.insert("AltitudeMode".into(), json!(q.mode));
    }
    o.insert("autoContinue".into(), json!(p.autocontinue));
    o.insert("command".into(), json!(p.command));
    o.insert("doJumpId".into(), json!(do_jump_id));
    o.insert("frame".into(), json!(p.frame));
    o.insert(
        "params".into(),
        Value::Array(p.params.iter().map(|x| num_json(*x)).collect()),
    );
    o.insert("type".into(), json!("SimpleItem"));
    Value::Object(o)
}

fn mission_json(mission: &Mission) -> Map<String, Value> {
    let offset = usize::from(mission.home.is_some()) as f64;
    // doJumpId of item i is i + 1; a jump's MAVLink seq s is item s - offset.
    let to_id = |seq: f64| seq - offset + 1.0;
    let mut items = Vec::new();
    let mut i = 0;
    while i < mission.items.len() {
        if let Some(c) = mission
            .complex_items
            .iter()
            .find(|c| c.first_item == i && c.item_count > 0)
        {
            let end = (i + c.item_count).min(mission.items.len());
            let embedded: Vec<Value> = (i..end)
                .map(|k| {
                    simple_json(
                        &mission.items[k],
                        mission.qgc_altitudes.get(&k),
                        false,
                        k + 1,
                        to_id,
                    )
                })
                .collect();
            let mut o = c.params.clone();
            if let Some(t) = o
                .get_mut("TransectStyleComplexItem")
                .and_then(Value::as_object_mut)
            {
                t.insert("Items".into(), Value::Array(embedded));
                items.push(Value::Object(o));
                i = end;
                continue;
            }
            if c.kind == "StructureScan" {
                // QGroundControl regenerates a structure scan's items from its parameters.
                items.push(Value::Object(o));
                i = end;
                continue;
            }
        }
        items.push(simple_json(
            &mission.items[i],
            mission.qgc_altitudes.get(&i),
            true,
            i + 1,
            to_id,
        ));
        i += 1;
    }
    let home = mission.home.map_or_else(
        || {
            let p = mission
                .items
                .iter()
                .find_map(MissionItem::position)
                .unwrap_or(LatLon::new(0.0, 0.0));
            json!([p.lat_deg, p.lon_deg, 0.0])
        },
        |h| {
            json!([
                h.position.lat_deg,
                h.position.lon_deg,
                num_json(h.alt_amsl_m)
            ])
        },
    );
    let mut m = Map::new();
    m.insert("cruiseSpeed".into(), num_json(mission.cruise_speed_mps));
    m.insert("firmwareType".into(), json!(mission.firmware_type));
    // One mode for the whole plan when every item shares it, else Mixed (0).
    let modes: Vec<Value> = items
        .iter()
        .filter_map(|i| i.get("AltitudeMode").cloned())
        .collect();
    let global = match modes.first() {
        Some(first) if modes.iter().all(|m| m == first) => first.clone(),
        Some(_) => json!(0),
        None => json!(1),
    };
    m.insert("globalPlanAltitudeMode".into(), global);
    m.insert("hoverSpeed".into(), num_json(mission.hover_speed_mps));
    m.insert("items".into(), Value::Array(items));
    m.insert("plannedHomePosition".into(), home);
    m.insert("vehicleType".into(), json!(mission.vehicle_type));
    m.insert("version".into(), json!(2));
    m
}

/// Writes a `.plan` document with the keys, versions and value types QGroundControl writes.
pub fn write_plan(plan: &Plan) -> String {
    let ll = |p: LatLon| json!([p.lat_deg, p.lon_deg]);
    let polygons: Vec<Value> = plan
        .fence
        .polygons
        .iter()
        .map(|p| json!({"inclusion": p.inclusion, "polygon": p.vertices.iter().map(|v| ll(*v)).collect::<Vec<_>>(), "version": 1}))
        .collect();
    let circles: Vec<Value> = plan
        .fence
        .circles
        .iter()
        .map(|c| json!({"circle": {"center": ll(c.center), "radius": num_json(c.radius_m)}, "inclusion": c.inclusion, "version": 1}))
        .collect();
    let mut fence = Map::new();
    if let Some((p, alt)) = plan.fence.breach_return {
        fence.insert(
            "breachReturn".into(),
            json!([p.lat_deg, p.lon_deg, num_json(alt)]),
        );
    }
    fence.insert("circles".into(), Value::Array(circles));
    fence.insert("polygons".into(), Value::Array(polygons));
    fence.insert("version".into(), json!(2));
    let points: Vec<Value> = plan
        .rally_points
        .iter()
        .map(|r| {
            json!([
                r.position.lat_deg,
                r.position.lon_deg,
                num_json(r.altitude.alt_m)
            ])
        })
        .collect();
    let doc = json!({
        "fileType": "Plan",
        "geoFence": Value::Object(fence),
        "groundStation": "QGroundControl",
        "mission": Value::Object(mission_json(&plan.mission)),
        "rallyPoints": {"points": points, "version": 2},
        "version": 1,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// Writes a legacy `.mission` document (mission only).
pub fn write_legacy_mission(plan: &Plan) -> Result<String, ParseError> {
    if !plan.fence.is_empty() || !plan.rally_points.is_empty() {
        return Err(ParseError::Format(
            "a .mission file holds no geofence or rally points; write a .plan instead".into(),
        ));
    }
    let mut m = mission_json(&plan.mission);
    m.insert("groundStation".into(), json!("QGroundControl"));
    let mut s = serde_json::to_string_pretty(&Value::Object(m)).unwrap_or_default();
    s.push('\n');
    Ok(s)
}
