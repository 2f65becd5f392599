//! Plans to and from MAVLink `MISSION_ITEM_INT` lists, for all three mission types.
//!
//! Mission items go through [`ItemParams`], so raw -> plan -> raw is exact. Fence
//! and rally lists are written in one canonical form (frame `GLOBAL`, or the rally
//! altitude frame; autocontinue 0, unused params 0, as ArduPilot and pymavlink
//! write them); reading accepts any frame.

use crate::LatLon;
use crate::MissionItem;
use crate::item::{Altitude, Frame, ItemParams};
use crate::plan::{FenceCircle, FencePolygon, GeoFence, Home, Mission, RallyPoint};
use crate::raw::{ListError, MissionItemInt, MissionType, check_list, cmd, frame};

/// Why a MAVLink list cannot be read as a plan.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConvertError {
    /// Not one well-formed MAVLink list (numbering, list type or length), by the
    /// workspace's one rule, [`crate::raw::check_list`].
    #[error(transparent)]
    List(#[from] ListError),
    /// A fence polygon's vertex count is missing or does not match its vertices.
    #[error(
        "fence item seq {seq}: polygon vertex count {count} does not match the {found} consecutive vertices"
    )]
    PolygonCount {
        /// Seq of the first vertex.
        seq: usize,
        /// Count in param1.
        count: f64,
        /// Vertices found.
        found: usize,
    },
    /// A rally list holds something other than rally points.
    #[error("rally item seq {seq} has command {command}, expected 5100 (NAV_RALLY_POINT)")]
    NotRally {
        /// Seq of the item.
        seq: usize,
        /// Its command.
        command: u16,
    },
}

/// The frame QGroundControl's plans use for a frame PX4 sends: the deprecated `_INT`
/// frames (5, 6, 11) become `GLOBAL` (0), `GLOBAL_RELATIVE_ALT` (3) and
/// `GLOBAL_TERRAIN_ALT` (10). In `MISSION_ITEM_INT` both mean the same (x/y are degE7
/// either way); normalising on read makes a downloaded plan save, and re-upload, as
/// the plan QGroundControl would have written.
pub fn qgc_frame(frame: u8) -> u8 {
    match frame {
        frame::GLOBAL_INT => frame::GLOBAL,
        frame::GLOBAL_RELATIVE_ALT_INT => frame::GLOBAL_RELATIVE_ALT,
        frame::GLOBAL_TERRAIN_ALT_INT => frame::GLOBAL_TERRAIN_ALT,
        f => f,
    }
}

/// The generic form of downloaded items, frames normalised by [`qgc_frame`].
fn params_of(r: &MissionItemInt) -> ItemParams {
    ItemParams {
        frame: qgc_frame(r.frame),
        ..ItemParams::from_raw(r)
    }
}

fn home_params(home: &Home) -> ItemParams {
    ItemParams {
        command: cmd::NAV_WAYPOINT,
        frame: frame::GLOBAL,
        autocontinue: true,
        params: [
            0.0,
            0.0,
            0.0,
            0.0,
            home.position.lat_deg,
            home.position.lon_deg,
            home.alt_amsl_m,
        ],
    }
}

/// The generic items of a mission in MAVLink order (home first when present),
/// each with its `current` flag.
pub fn mission_to_params(mission: &Mission) -> Vec<(ItemParams, bool)> {
    let mut out = Vec::with_capacity(mission.mavlink_count());
    if let Some(home) = &mission.home {
        out.push(home_params(home));
    }
    out.extend(mission.items.iter().map(MissionItem::to_params));
    out.into_iter()
        .enumerate()
        .map(|(seq, p)| (p, mission.current_seq.map(usize::from) == Some(seq)))
        .collect()
}

/// A mission from generic items in MAVLink order. With `first_is_home`, item 0
/// becomes [`Mission::home`] when it is a plain waypoint in the `GLOBAL` frame
/// (the form ArduPilot and Mission Planner use); otherwise it stays an item.
pub fn mission_from_params(items: &[(ItemParams, bool)], first_is_home: bool) -> Mission {
    let mut mission = Mission::default();
    let mut rest = items;
    if let Some(((first, _), tail)) = items.split_first()
        && first_is_home
    {
        let home = Home {
            position: LatLon::new(first.params[4], first.params[5]),
            alt_amsl_m: first.params[6],
        };
        if home_params(&home).same_as(first) {
            mission.home = Some(home);
            rest = tail;
        }
    }
    mission.items = rest
        .iter()
        .map(|(p, _)| MissionItem::from_params(p))
        .collect();
    mission.current_seq = items
        .iter()
        .position(|(_, current)| *current)
        .map(|s| s as u16);
    mission
}

/// The mission as `MISSION_ITEM_INT` fields, home at seq 0 when present.
pub fn mission_to_raw(mission: &Mission) -> Vec<MissionItemInt> {
    mission_to_params(mission)
        .iter()
        .enumerate()
        .map(|(seq, (p, current))| p.to_raw(seq as u16, *current, MissionType::Mission))
        .collect()
}

/// A mission from `MISSION_ITEM_INT` fields; see [`mission_from_params`] for `first_is_home`.
/// The list must pass [`check_list`]; PX4's `_INT` frames are read as QGroundControl's
/// (see [`qgc_frame`]), so [`mission_to_raw`] then emits frames 0/3/10.
pub fn mission_from_raw(
    items: &[MissionItemInt],
    first_is_home: bool,
) -> Result<Mission, ConvertError> {
    check_list(items, MissionType::Mission)?;
    let params: Vec<_> = items
        .iter()
        .map(|r| (params_of(r), r.current != 0))
        .collect();
    Ok(mission_from_params(&params, first_is_home))
}

fn fence_item(command: u16, p1: f64, at: LatLon, alt_m: f64) -> ItemParams {
    ItemParams {
        command,
        frame: frame::GLOBAL,
        autocontinue: false,
        params: [p1, 0.0, 0.0, 0.0, at.lat_deg, at.lon_deg, alt_m],
    }
}

/// The fence as generic items: return point, polygons, circles, then unknown items.
pub fn fence_to_params(fence: &GeoFence) -> Vec<ItemParams> {
    let mut out = Vec::new();
    if let Some((at, alt_m)) = fence.breach_return {
        out.push(fence_item(cmd::FENCE_RETURN_POINT, 0.0, at, alt_m));
    }
    for poly in &fence.polygons {
        let command = if poly.inclusion {
            cmd::FENCE_POLYGON_VERTEX_INCLUSION
        } else {
            cmd::FENCE_POLYGON_VERTEX_EXCLUSION
        };
        for v in &poly.vertices {
            out.push(fence_item(command, poly.vertices.len() as f64, *v, 0.0));
        }
    }
    for c in &fence.circles {
        let command = if c.inclusion {
            cmd::FENCE_CIRCLE_INCLUSION
        } else {
            cmd::FENCE_CIRCLE_EXCLUSION
        };
        out.push(fence_item(command, c.radius_m, c.center, 0.0));
    }
    out.extend(fence.other_items.iter().copied());
    out
}

/// A fence from generic items (any frame; vertex counts must match).
pub fn fence_from_params(items: &[ItemParams]) -> Result<GeoFence, ConvertError> {
    let mut fence = GeoFence::default();
    let mut i = 0;
    while i < items.len() {
        let it = &items[i];
        let at = LatLon::new(it.params[4], it.params[5]);
        match it.command {
            cmd::FENCE_RETURN_POINT => fence.breach_return = Some((at, it.params[6])),
            cmd::FENCE_POLYGON_VERTEX_INCLUSION | cmd::FENCE_POLYGON_VERTEX_EXCLUSION => {
                let count = it.params[0];
                let n = count as usize;
                let ok = count.fract() == 0.0
                    && n >= 3
                    && n <= items.len() - i
                    && items[i..i + n]
                        .iter()
                        .all(|v| v.command == it.command && v.params[0] == count);
                if !ok {
                    let found = items[i..]
                        .iter()
                        .take_while(|v| v.command == it.command)
                        .count();
                    return Err(ConvertError::PolygonCount {
                        seq: i,
                        count,
                        found,
                    });
                }
                let vertices = items[i..i + n]
                    .iter()
                    .map(|v| LatLon::new(v.params[4], v.params[5]))
                    .collect();
                let inclusion = it.command == cmd::FENCE_POLYGON_VERTEX_INCLUSION;
                fence.polygons.push(FencePolygon {
                    vertices,
                    inclusion,
                });
                i += n;
                continue;
            }
            cmd::FENCE_CIRCLE_INCLUSION | cmd::FENCE_CIRCLE_EXCLUSION => {
                fence.circles.push(FenceCircle {
                    center: at,
                    radius_m: it.params[0],
                    inclusion: it.command == cmd::FENCE_CIRCLE_INCLUSION,
                })
            }
            _ => fence.other_items.push(*it),
        }
        i += 1;
    }
    Ok(fence)
}

/// The fence as `MISSION_ITEM_INT` fields.
pub fn fence_to_raw(fence: &GeoFence) -> Vec<MissionItemInt> {
    fence_to_params(fence)
        .iter()
        .enumerate()
        .map(|(seq, p)| p.to_raw(seq as u16, false, MissionType::Fence))
        .collect()
}

/// A fence from `MISSION_ITEM_INT` fields.
pub fn fence_from_raw(items: &[MissionItemInt]) -> Result<GeoFence, ConvertError> {
    check_list(items, MissionType::Fence)?;
    fence_from_params(&items.iter().map(params_of).collect::<Vec<_>>())
}

/// Rally points as generic items.
pub fn rally_to_params(points: &[RallyPoint]) -> Vec<ItemParams> {
    points
        .iter()
        .map(|r| ItemParams {
            command: cmd::RALLY_POINT,
            frame: Frame::Global(r.altitude.reference).to_mavlink(),
            autocontinue: false,
            params: [
                r.params[0],
                r.params[1],
                r.params[2],
                r.params[3],
                r.position.lat_deg,
                r.position.lon_deg,
                r.altitude.alt_m,
            ],
        })
        .collect()
}

/// Rally points from generic items (global frames; other frames read as above home).
pub fn rally_from_params(items: &[ItemParams]) -> Result<Vec<RallyPoint>, ConvertError> {
    items
        .iter()
        .enumerate()
        .map(|(seq, it)| {
            if it.command != cmd::RALLY_POINT {
                return Err(ConvertError::NotRally {
                    seq,
                    command: it.command,
                });
            }
            let reference = Frame::from_mavlink(it.frame)
                .altitude_reference()
                .unwrap_or(crate::AltitudeReference::Home);
            Ok(RallyPoint {
                position: LatLon::new(it.params[4], it.params[5]),
                altitude: Altitude {
                    alt_m: it.params[6],
                    reference,
                },
                params: [it.params[0], it.params[1], it.params[2], it.params[3]],
            })
        })
        .collect()
}

/// Rally points as `MISSION_ITEM_INT` fields.
pub fn rally_to_raw(points: &[RallyPoint]) -> Vec<MissionItemInt> {
    rally_to_params(points)
        .iter()
        .enumerate()
        .map(|(seq, p)| p.to_raw(seq as u16, false, MissionType::Rally))
        .collect()
}

/// Rally points from `MISSION_ITEM_INT` fields.
pub fn rally_from_raw(items: &[MissionItemInt]) -> Result<Vec<RallyPoint>, ConvertError> {
    check_list(items, MissionType::Rally)?;
    rally_from_params(&items.iter().map(params_of).collect::<Vec<_>>())
}
