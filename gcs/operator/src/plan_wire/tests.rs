use mission_planner::{Altitude, FenceCircle, LatLon, MissionCommand, MissionItem, RallyPoint};
use vigil_values::raw::cmd;

use super::*;

fn home() -> Home {
    Home {
        position: LatLon::new(16.97, 7.99),
        alt_amsl_m: 512.0,
    }
}

/// A plan as QGroundControl saves it: home, take-off, two waypoints and a jump back to
/// the first waypoint (seq 2, counting the home at seq 0), current item the take-off.
fn qgc_plan() -> Plan {
    let mut plan = Plan::default();
    let m = &mut plan.mission;
    m.home = Some(home());
    m.items.push(MissionItem::takeoff(
        LatLon::new(16.97, 7.99),
        Altitude::above_home(40.0),
    ));
    m.items.push(MissionItem::waypoint(
        LatLon::new(17.0, 8.0),
        Altitude::above_home(100.0),
    ));
    m.items.push(MissionItem::waypoint(
        LatLon::new(17.05, 8.02),
        Altitude::above_home(100.0),
    ));
    m.items.push(MissionItem {
        command: MissionCommand::Jump {
            target_seq: 2,
            repeat: 3,
        },
        ..MissionItem::waypoint(LatLon::new(0.0, 0.0), Altitude::above_home(0.0))
    });
    m.current_seq = Some(1);
    plan.rally_points
        .push(RallyPoint::new(LatLon::new(16.9, 7.9), 30.0));
    plan
}

#[test]
fn px4_gets_no_home_item_and_jumps_are_rebased() {
    let wire = to_wire(&qgc_plan(), Autopilot::Px4).unwrap();
    // Four items, not five: the app once sent the home as a waypoint.
    assert_eq!(wire.mission.len(), 4);
    assert_eq!(wire.mission[0].command, cmd::NAV_TAKEOFF);
    assert_eq!(wire.mission[0].current, 1);
    let jump = wire.mission[3];
    assert_eq!(jump.command, cmd::DO_JUMP);
    assert_eq!(
        jump.param1, 1.0,
        "the jump still lands on the first waypoint"
    );
    assert_eq!(wire.rally.len(), 1);
    assert!(wire.fence.is_empty());
}

#[test]
fn ardupilot_always_gets_a_home_item_at_seq_0() {
    let plan = qgc_plan();
    let wire = to_wire(&plan, Autopilot::ArduPilot).unwrap();
    assert_eq!(wire.mission.len(), 5);
    assert_eq!(wire.mission[3 + 1].param1, 2.0);

    let mut no_home = plan;
    no_home.mission.home = None;
    // Without a home the model's seqs start at the take-off: jump to the waypoint = 1.
    if let MissionCommand::Jump { target_seq, .. } = &mut no_home.mission.items[3].command {
        *target_seq = 1;
    }
    no_home.mission.current_seq = Some(0);
    let wire = to_wire(&no_home, Autopilot::ArduPilot).unwrap();
    assert_eq!(wire.mission.len(), 5);
    assert_eq!(wire.mission[0].command, cmd::NAV_WAYPOINT);
    assert_eq!((wire.mission[0].x, wire.mission[0].y), (0, 0));
    assert_eq!(wire.mission[4].param1, 2.0);
    assert_eq!(wire.mission[1].current, 1);
}

#[test]
fn a_px4_download_takes_the_vehicles_home_and_round_trips() {
    let plan = qgc_plan();
    let wire = to_wire(&plan, Autopilot::Px4).unwrap();
    let back = from_wire(&wire, Autopilot::Px4, Some(home())).unwrap();
    assert_eq!(back.mission.home, Some(home()));
    assert_eq!(back.mission.items.len(), 4);
    assert_eq!(back.mission.items[3].command, plan.mission.items[3].command);
    assert_eq!(back.mission.current_seq, Some(1));
    // And it goes back on the wire unchanged (NaN params compared as "unset").
    let again = to_wire(&back, Autopilot::Px4).unwrap();
    for t in [MissionType::Mission, MissionType::Fence, MissionType::Rally] {
        let (a, b) = (again.list(t), wire.list(t));
        assert_eq!(a.len(), b.len(), "{t:?}");
        assert!(
            a.iter().zip(b).all(|(x, y)| x.same_as(y)),
            "{t:?}: {a:?} vs {b:?}"
        );
    }

    let no_home = from_wire(&wire, Autopilot::Px4, None).unwrap();
    assert_eq!(no_home.mission.home, None);
    assert_eq!(
        no_home.mission.items[3].command,
        MissionCommand::Jump {
            target_seq: 1,
            repeat: 3
        }
    );
}

#[test]
fn a_jump_to_the_home_item_cannot_go_to_px4() {
    let mut plan = qgc_plan();
    plan.mission.items[3].command = MissionCommand::Jump {
        target_seq: 0,
        repeat: 1,
    };
    assert_eq!(
        to_wire(&plan, Autopilot::Px4),
        Err(WireError::JumpToHome { index: 3 })
    );
}

#[test]
fn out_of_range_values_are_refused_naming_the_item() {
    let mut plan = qgc_plan();
    plan.mission.items[1].set_position(LatLon::new(95.0, 8.0));
    let e = to_wire(&plan, Autopilot::Px4).unwrap_err();
    assert!(matches!(e, WireError::Position { .. }), "{e}");
    assert!(e.to_string().contains("mission item 2"), "{e}");

    let mut plan = qgc_plan();
    plan.mission.items[1].set_position(LatLon::new(1e308, 8.0));
    assert!(matches!(
        to_wire(&plan, Autopilot::Px4),
        Err(WireError::Position { .. })
    ));

    for alt in [1e308, f64::NAN, f64::INFINITY] {
        let mut plan = qgc_plan();
        plan.mission.items[2] =
            MissionItem::waypoint(LatLon::new(17.0, 8.0), Altitude::above_home(alt));
        let e = to_wire(&plan, Autopilot::Px4).unwrap_err();
        assert!(
            matches!(e, WireError::Number { .. }) && e.to_string().contains("mission item 3"),
            "{alt}: {e}"
        );
    }

    let mut plan = qgc_plan();
    plan.fence.circles.push(FenceCircle {
        center: LatLon::new(16.9, 7.9),
        radius_m: f64::NAN,
        inclusion: true,
    });
    let e = to_wire(&plan, Autopilot::Px4).unwrap_err();
    assert!(e.to_string().contains("fence circle 1"), "{e}");
}

#[test]
fn more_items_than_a_list_holds_are_refused_before_numbering_wraps() {
    let mut plan = Plan::default();
    plan.mission.items = (0..100_000)
        .map(|i| {
            MissionItem::waypoint(
                LatLon::new(16.0 + f64::from(i) * 1e-6, 8.0),
                Altitude::above_home(50.0),
            )
        })
        .collect();
    let e = to_wire(&plan, Autopilot::Px4).unwrap_err();
    assert_eq!(
        e,
        WireError::List {
            list: MissionType::Mission,
            source: ListError::TooLong { len: 100_000 }
        }
    );
    assert!(e.to_string().contains("65535"), "{e}");
}
