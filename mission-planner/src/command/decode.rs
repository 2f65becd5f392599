//! Decoding generic items into typed commands.

use crate::LatLon;
use crate::item::{Frame, ItemParams};
use crate::raw::cmd;

use super::MissionCommand;

/// The typed command for generic params, if the command has a typed form and its
/// frame suits it (the caller checks that encoding gives the same params back).
pub(super) fn typed_command(p: &ItemParams, frame: Frame) -> Option<MissionCommand> {
    use MissionCommand::*;
    let [p1, p2, p3, p4, p5, p6, p7] = p.params;
    let global = frame.altitude_reference().is_some();
    let position = LatLon::new(p5, p6);
    let command = match p.command {
        cmd::NAV_WAYPOINT if global => Waypoint {
            position,
            alt_m: p7,
            hold_s: p1,
            acceptance_radius_m: p2,
            pass_radius_m: p3,
            yaw_deg: p4,
        },
        cmd::NAV_TAKEOFF if global => Takeoff {
            position,
            alt_m: p7,
            pitch_deg: p1,
            yaw_deg: p4,
        },
        cmd::NAV_LAND if global => Land {
            position,
            alt_m: p7,
            abort_alt_m: p1,
            land_mode: p2,
            yaw_deg: p4,
        },
        cmd::NAV_RETURN_TO_LAUNCH => ReturnToLaunch,
        cmd::NAV_LOITER_UNLIM if global => LoiterUnlimited {
            position,
            alt_m: p7,
            radius_m: p3,
            yaw_deg: p4,
        },
        cmd::NAV_LOITER_TURNS if global => LoiterTurns {
            position,
            alt_m: p7,
            turns: p1,
            heading_required: p2,
            radius_m: p3,
            xtrack: p4,
        },
        cmd::NAV_LOITER_TIME if global => LoiterTime {
            position,
            alt_m: p7,
            time_s: p1,
            heading_required: p2,
            radius_m: p3,
            xtrack: p4,
        },
        cmd::NAV_LOITER_TO_ALT if global => LoiterToAlt {
            position,
            alt_m: p7,
            heading_required: p1,
            radius_m: p2,
            xtrack: p4,
        },
        cmd::DO_CHANGE_SPEED => ChangeSpeed {
            speed_type: p1,
            speed_mps: p2,
            throttle_pct: p3,
        },
        cmd::DO_SET_ROI_LOCATION if global => RegionOfInterest {
            position,
            alt_m: p7,
            legacy: false,
        },
        cmd::DO_SET_ROI if global => RegionOfInterest {
            position,
            alt_m: p7,
            legacy: true,
        },
        cmd::DO_SET_CAM_TRIGG_DIST => CameraTriggerDistance {
            distance_m: p1,
            shutter_ms: p2,
            trigger_now: p3,
        },
        cmd::CONDITION_DELAY => Delay { delay_s: p1 },
        cmd::DO_JUMP => {
            let in_u16 = p1.fract() == 0.0 && (0.0..=f64::from(u16::MAX)).contains(&p1);
            let in_i32 =
                p2.fract() == 0.0 && (f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(&p2);
            if !(in_u16 && in_i32) {
                return None;
            }
            Jump {
                target_seq: p1 as u16,
                repeat: p2 as i32,
            }
        }
        _ => return None,
    };
    Some(command)
}
