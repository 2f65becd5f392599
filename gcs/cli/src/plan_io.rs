//! Plan files for `mission upload` / `mission download`: QGroundControl `.plan`, `QGC WPL 110`
//! text (`.waypoints`, `.txt`), or MAVLink items as JSON (`.json`). Reading and writing
//! only: what goes on the wire is gcs-operator's rule.

use std::path::Path;

use anyhow::{Context, Result};
use gcs_link::mission::{MissionItemInt, MissionType};
use mission_planner::{Plan, files, limits};

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

/// Whether `path` holds raw MAVLink items as JSON (one list), not a plan file.
pub fn is_json(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// The raw items of list `t` in a JSON file, checked as one list with plan files'
/// value limits (`mission_planner::limits`): numbered 0..n, of type `t`, positions and
/// numbers in range.
pub fn load_raw(path: &Path, t: MissionType) -> Result<Vec<MissionItemInt>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let items: Vec<JsonItem> = serde_json::from_str(&text).with_context(|| {
        format!(
            "{}: expected a JSON array of MAVLink mission items",
            path.display()
        )
    })?;
    let items: Vec<MissionItemInt> = items.into_iter().map(Into::into).collect();
    limits::check_raw(&items, t).with_context(|| path.display().to_string())?;
    Ok(items)
}

/// A plan file (`.plan`, `.mission`, `.waypoints`/`.txt`), with every value checked.
pub fn load_plan(path: &Path) -> Result<Plan> {
    Ok(files::load_plan(path)?)
}

/// Writes downloaded raw items as JSON, atomically.
pub fn save_raw(path: &Path, items: &[MissionItemInt]) -> Result<()> {
    let json: Vec<JsonItem> = items.iter().map(Into::into).collect();
    let text = serde_json::to_string_pretty(&json)?;
    files::write_atomic(path, text.as_bytes())?;
    Ok(())
}

/// Writes a downloaded plan (format by extension), atomically.
pub fn save_plan(path: &Path, plan: &Plan) -> Result<()> {
    files::save_plan(plan, path)?;
    Ok(())
}
