//! Plan files for `mission upload` / `mission download`: QGroundControl `.plan`, `QGC WPL 110`
//! text (`.waypoints`, `.txt`), or MAVLink items as JSON (`.json`).

use std::path::Path;

use anyhow::{Context, Result, bail};
use gcs_link::mission::{MissionItemInt, MissionType};
use mission_planner::{Plan, files, mavlink};

/// A mission item in JSON; NaN parameters ("unset" in MAVLink) are written as null.
#[derive(serde::Serialize, serde::Deserialize)]
struct JsonItem {
    seq: u16,
    frame: u8,
    command: u16,
    current: u8,
    autocontinue: u8,
    param1: Option<f32>,
    param2: Option<f32>,
    param3: Option<f32>,
    param4: Option<f32>,
    x: i32,
    y: i32,
    z: Option<f32>,
    mission_type: MissionType,
}

fn nan_to_none(v: f32) -> Option<f32> {
    (!v.is_nan()).then_some(v)
}

impl From<&MissionItemInt> for JsonItem {
    fn from(i: &MissionItemInt) -> Self {
        Self {
            seq: i.seq,
            frame: i.frame,
            command: i.command,
            current: i.current,
            autocontinue: i.autocontinue,
            param1: nan_to_none(i.param1),
            param2: nan_to_none(i.param2),
            param3: nan_to_none(i.param3),
            param4: nan_to_none(i.param4),
            x: i.x,
            y: i.y,
            z: nan_to_none(i.z),
            mission_type: i.mission_type,
        }
    }
}

impl From<JsonItem> for MissionItemInt {
    fn from(j: JsonItem) -> Self {
        Self {
            seq: j.seq,
            frame: j.frame,
            command: j.command,
            current: j.current,
            autocontinue: j.autocontinue,
            param1: j.param1.unwrap_or(f32::NAN),
            param2: j.param2.unwrap_or(f32::NAN),
            param3: j.param3.unwrap_or(f32::NAN),
            param4: j.param4.unwrap_or(f32::NAN),
            x: j.x,
            y: j.y,
            z: j.z.unwrap_or(f32::NAN),
            mission_type: j.mission_type,
        }
    }
}

fn is_json(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// The items of list `t` in `path`, numbered 0..n, ready for a PX4 vehicle.
pub fn load_items(path: &Path, t: MissionType) -> Result<Vec<MissionItemInt>> {
    if is_json(path) {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let items: Vec<JsonItem> = serde_json::from_str(&text).with_context(|| {
            format!(
                "{}: expected a JSON array of MAVLink mission items",
                path.display()
            )
        })?;
        let items: Vec<MissionItemInt> = items.into_iter().map(Into::into).collect();
        for (i, it) in items.iter().enumerate() {
            if usize::from(it.seq) != i || it.mission_type != t {
                bail!(
                    "{}: item {i} has seq {} and type {:?}; expected seq {i} and type {t:?}",
                    path.display(),
                    it.seq,
                    it.mission_type
                );
            }
        }
        return Ok(items);
    }
    let mut plan = files::load_plan(path)?;
    Ok(match t {
        MissionType::Mission => {
            // PX4 keeps its own home: QGroundControl does not upload item 0 as home to PX4.
            plan.mission.home = None;
            mavlink::mission_to_raw(&plan.mission)
        }
        MissionType::Fence => mavlink::fence_to_raw(&plan.fence),
        MissionType::Rally => mavlink::rally_to_raw(&plan.rally_points),
    })
}

/// Writes downloaded items of list `t` to `path` (format by extension), atomically.
pub fn save_items(path: &Path, t: MissionType, items: &[MissionItemInt]) -> Result<()> {
    if is_json(path) {
        let json: Vec<JsonItem> = items.iter().map(Into::into).collect();
        let text = serde_json::to_string_pretty(&json)?;
        files::write_atomic(path, text.as_bytes())?;
        return Ok(());
    }
    let mut plan = Plan::default();
    match t {
        MissionType::Mission => plan.mission = mavlink::mission_from_raw(items, false)?,
        MissionType::Fence => plan.fence = mavlink::fence_from_raw(items)?,
        MissionType::Rally => plan.rally_points = mavlink::rally_from_raw(items)?,
    }
    files::save_plan(&plan, path)?;
    Ok(())
}
