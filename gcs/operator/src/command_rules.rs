//! Which commands need the operator's confirmation, and what must happen before one.
//!
//! One set of rules for every front end: the app shows the reason in a dialog, the
//! CLI asks for `yes` (or `--yes`). Before this lived here the app counted a vehicle
//! as flying only when PX4 said `InAir` and the CLI whenever it was not `OnGround`,
//! and only the app checked the geofence.

use gcs_link::VehicleCommand;
use gcs_link::vehicle::{LandedState, VehicleState};
use mission_planner::GeoFence;
use mission_planner::validate::fence_allows;

/// Whether `v` may be in the air: anything but PX4's landed detector saying it is on
/// the ground (taking off, landing and not yet reported all count as flying, since
/// the safe answer to "may I cut the motors?" is no).
pub fn in_flight(v: &VehicleState) -> bool {
    v.landed != LandedState::OnGround
}

/// Why a command must be confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum ConfirmReason {
    /// Arming spins the motors.
    Arm,
    /// Starting a mission on a disarmed vehicle arms it first.
    ArmForMission,
    /// A take-off (arming first when disarmed).
    Takeoff,
    /// A disarm while the vehicle may be flying.
    DisarmInFlight,
    /// A forced disarm: the vehicle falls if it is flying.
    ForceDisarm,
    /// A go-to point outside the plan's geofence.
    GoToOutsideFence,
}

/// A command waiting for the operator's confirmation, with the words to show.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Confirmation {
    /// Why it needs confirming.
    pub reason: ConfirmReason,
    /// The question to ask, naming the vehicle.
    pub question: String,
}

/// Whether `command` to `v` must be confirmed first (`None`: send at once). `fence`
/// is the geofence the operator planned with (empty: no fence check).
pub fn confirmation(
    v: &VehicleState,
    command: &VehicleCommand,
    fence: &GeoFence,
) -> Option<Confirmation> {
    let name = v.id.to_string();
    let (reason, question) = match command {
        VehicleCommand::Arm => (
            ConfirmReason::Arm,
            format!("Arm {name}? Its motors will spin."),
        ),
        VehicleCommand::Takeoff { alt_rel_m } => (
            ConfirmReason::Takeoff,
            format!(
                "{}{name} take off to {alt_rel_m:.0} m above home?",
                if v.armed { "Make " } else { "Arm and make " }
            ),
        ),
        VehicleCommand::StartMission if !v.armed => (
            ConfirmReason::ArmForMission,
            format!("Arm {name} and start its mission? It will take off."),
        ),
        VehicleCommand::Disarm if in_flight(v) => (
            ConfirmReason::DisarmInFlight,
            format!("{name} may be flying ({:?}). Disarm it anyway?", v.landed),
        ),
        VehicleCommand::ForceDisarm => (
            ConfirmReason::ForceDisarm,
            format!("Force-disarm {name}? If it is flying it will fall."),
        ),
        VehicleCommand::GoTo { target, .. }
            if !fence.is_empty() && !fence_allows(fence, *target) =>
        {
            (
                ConfirmReason::GoToOutsideFence,
                format!(
                    "The go-to point {:.5}°, {:.5}° is outside the plan's geofence. Send {name} there anyway?",
                    target.lat_deg, target.lon_deg
                ),
            )
        }
        _ => return None,
    };
    Some(Confirmation { reason, question })
}

/// What must happen, in order, to carry out a command.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step {
    /// Wait for the vehicle's home position (asking for it as QGroundControl does):
    /// altitudes above home cannot be converted without it, and PX4 takes off from it.
    WaitHome,
    /// Arm first: PX4 neither takes off nor starts a mission disarmed (it would switch
    /// to Mission mode and sit on the ground).
    Arm,
    /// Send the command itself.
    Send(VehicleCommand),
}

/// The steps that carry out `command` on `v`.
pub fn steps(v: &VehicleState, command: VehicleCommand) -> Vec<Step> {
    let needs_home = matches!(
        command,
        VehicleCommand::Takeoff { .. } | VehicleCommand::GoTo { .. } | VehicleCommand::StartMission
    );
    let needs_arm = !v.armed
        && matches!(
            command,
            VehicleCommand::Takeoff { .. } | VehicleCommand::StartMission
        );
    let mut out = Vec::with_capacity(3);
    if needs_home && v.home.is_none() {
        out.push(Step::WaitHome);
    }
    if needs_arm {
        out.push(Step::Arm);
    }
    out.push(Step::Send(command));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use gcs_link::VehicleId;
    use gcs_link::vehicle::Position;
    use mission_planner::{FencePolygon, LatLon};

    fn drone(landed: LandedState, armed: bool) -> VehicleState {
        let mut v = VehicleState::new(VehicleId {
            sysid: 1,
            compid: 1,
        });
        v.landed = landed;
        v.armed = armed;
        v
    }

    fn square_fence() -> GeoFence {
        GeoFence {
            polygons: vec![FencePolygon {
                vertices: vec![
                    LatLon::new(16.0, 8.0),
                    LatLon::new(16.0, 8.1),
                    LatLon::new(16.1, 8.1),
                    LatLon::new(16.1, 8.0),
                ],
                inclusion: true,
            }],
            ..GeoFence::default()
        }
    }

    #[test]
    fn flying_unless_known_on_the_ground() {
        assert!(!in_flight(&drone(LandedState::OnGround, true)));
        for s in [
            LandedState::InAir,
            LandedState::Takeoff,
            LandedState::Landing,
            LandedState::Unknown,
        ] {
            assert!(in_flight(&drone(s, true)), "{s:?}");
        }
    }

    #[test]
    fn dangerous_commands_need_confirmation() {
        let none = GeoFence::default();
        let ground = drone(LandedState::OnGround, false);
        let landing = drone(LandedState::Landing, true);
        let reason = |v: &VehicleState, c: VehicleCommand, f: &GeoFence| {
            confirmation(v, &c, f).map(|c| c.reason)
        };
        assert_eq!(
            reason(&ground, VehicleCommand::Arm, &none),
            Some(ConfirmReason::Arm)
        );
        assert_eq!(
            reason(&ground, VehicleCommand::Takeoff { alt_rel_m: 30.0 }, &none),
            Some(ConfirmReason::Takeoff)
        );
        assert_eq!(
            reason(&ground, VehicleCommand::StartMission, &none),
            Some(ConfirmReason::ArmForMission)
        );
        // "Landing" is still flying: the app once let this through without asking.
        assert_eq!(
            reason(&landing, VehicleCommand::Disarm, &none),
            Some(ConfirmReason::DisarmInFlight)
        );
        assert_eq!(reason(&ground, VehicleCommand::Disarm, &none), None);
        assert_eq!(
            reason(&ground, VehicleCommand::ForceDisarm, &none),
            Some(ConfirmReason::ForceDisarm)
        );
        assert_eq!(reason(&landing, VehicleCommand::Hold, &none), None);
        assert_eq!(reason(&landing, VehicleCommand::StartMission, &none), None);
    }

    #[test]
    fn a_go_to_outside_the_fence_needs_confirmation() {
        let fence = square_fence();
        let v = drone(LandedState::InAir, true);
        let go = |lat, lon| VehicleCommand::GoTo {
            target: LatLon::new(lat, lon),
            alt_rel_m: 50.0,
        };
        assert_eq!(confirmation(&v, &go(16.05, 8.05), &fence), None);
        let c = confirmation(&v, &go(-8.05, -34.9), &fence).unwrap();
        assert_eq!(c.reason, ConfirmReason::GoToOutsideFence);
        assert!(c.question.contains("-8.05000°"), "{}", c.question);
        assert_eq!(
            confirmation(&v, &go(-8.05, -34.9), &GeoFence::default()),
            None
        );
    }

    #[test]
    fn take_off_and_mission_start_arm_first_and_wait_for_home() {
        let mut v = drone(LandedState::OnGround, false);
        assert_eq!(
            steps(&v, VehicleCommand::StartMission),
            vec![
                Step::WaitHome,
                Step::Arm,
                Step::Send(VehicleCommand::StartMission)
            ]
        );
        v.home = Some(Position {
            lat_lon: LatLon::new(16.0, 8.0),
            alt_amsl_m: 500.0,
            alt_rel_m: 0.0,
        });
        let takeoff = VehicleCommand::Takeoff { alt_rel_m: 30.0 };
        assert_eq!(steps(&v, takeoff), vec![Step::Arm, Step::Send(takeoff)]);
        v.armed = true;
        assert_eq!(steps(&v, takeoff), vec![Step::Send(takeoff)]);
        assert_eq!(
            steps(&v, VehicleCommand::Land),
            vec![Step::Send(VehicleCommand::Land)]
        );
        v.home = None;
        assert_eq!(
            steps(&v, VehicleCommand::Hold),
            vec![Step::Send(VehicleCommand::Hold)]
        );
    }
}
