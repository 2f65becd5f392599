//! Which plan items PX4 stores: the commands and frames its mission parser takes for
//! each list (`parse_mavlink_mission_item`), apart from the transfer protocol.

use gcs_link::mavlink::dialects::common::MavMissionResult;
use gcs_link::mission::{MissionItemInt, MissionType};

/// Commands PX4's mission parser accepts in a MISSION list.
const MISSION_COMMANDS: [u16; 27] = [
    16, 17, 18, 19, 20, 21, 22, 31, 84, 85, 93, 112, 177, 178, 179, 189, 194, 195, 197, 201, 203,
    205, 206, 2000, 2001, 2500, 2501,
];
/// Fence commands: return point, polygon vertices, circles.
const FENCE_COMMANDS: [u16; 5] = [5000, 5001, 5002, 5003, 5004];
/// Rally point command.
const RALLY_COMMANDS: [u16; 1] = [5100];
/// Frames PX4 accepts: GLOBAL, MISSION, GLOBAL_RELATIVE_ALT and their _INT forms.
const FRAMES: [u8; 5] = [0, 2, 3, 5, 6];

/// Why PX4 would refuse `item` in list `t` (the result its MISSION_ACK carries), or
/// `None` if it stores it.
pub(crate) fn refusal(t: MissionType, item: &MissionItemInt) -> Option<MavMissionResult> {
    let allowed: &[u16] = match t {
        MissionType::Mission => &MISSION_COMMANDS,
        MissionType::Fence => &FENCE_COMMANDS,
        MissionType::Rally => &RALLY_COMMANDS,
    };
    if !FRAMES.contains(&item.frame) {
        Some(MavMissionResult::MAV_MISSION_UNSUPPORTED_FRAME)
    } else if !allowed.contains(&item.command) {
        Some(MavMissionResult::MAV_MISSION_UNSUPPORTED)
    } else {
        None
    }
}
