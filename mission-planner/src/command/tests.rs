//! Typed decoding and encoding of mission items.
use super::*;

#[test]
fn waypoint_decodes_typed_and_encodes_back() {
    let p = ItemParams {
        command: 16,
        frame: 3,
        autocontinue: true,
        params: [0.0, 0.0, 0.0, f64::NAN, 47.39, 8.54, 50.0],
    };
    let item = MissionItem::from_params(&p);
    assert!(matches!(item.command, MissionCommand::Waypoint { alt_m, .. } if alt_m == 50.0));
    assert_eq!(item.altitude(), Some(Altitude::above_home(50.0)));
    assert!(item.to_params().same_as(&p));
}

#[test]
fn unknown_params_fall_back_to_other() {
    // Takeoff with a non-zero param2 is not representable as a typed Takeoff.
    let p = ItemParams {
        command: 22,
        frame: 3,
        autocontinue: true,
        params: [0.0, 5.0, 0.0, 0.0, 1.0, 2.0, 3.0],
    };
    let item = MissionItem::from_params(&p);
    assert!(matches!(
        item.command,
        MissionCommand::Other { command: 22, .. }
    ));
    assert!(item.to_params().same_as(&p));
    // A jump whose target is not an integer stays generic too.
    let j = ItemParams {
        command: 177,
        frame: 2,
        autocontinue: true,
        params: [1.5, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    };
    assert!(matches!(
        MissionItem::from_params(&j).command,
        MissionCommand::Other { .. }
    ));
}

#[test]
fn set_position_moves_exactly_the_items_that_have_one() {
    let alt = Altitude {
        alt_m: 50.0,
        reference: crate::AltitudeReference::Home,
    };
    let to = LatLon::new(17.1, 8.1);
    let mut wp = MissionItem::waypoint(LatLon::new(17.0, 8.0), alt);
    assert!(wp.set_position(to));
    assert_eq!(wp.position(), Some(to));
    // A navigation command we keep generic (82, spline waypoint, global frame) moves too.
    let mut other = MissionItem::from_params(&ItemParams {
        command: 82,
        frame: 3,
        autocontinue: true,
        params: [0.0, 5.0, 0.0, 0.0, 17.0, 8.0, 40.0],
    });
    assert!(matches!(
        other.command,
        MissionCommand::Other { command: 82, .. }
    ));
    assert_eq!(other.position(), Some(LatLon::new(17.0, 8.0)));
    assert!(other.set_position(to));
    assert_eq!(other.position(), Some(to));
    // A jump has no position: nothing changes.
    let mut jump = MissionItem::command(MissionCommand::Jump {
        target_seq: 1,
        repeat: 2,
    });
    let before = jump;
    assert!(!jump.set_position(to));
    assert_eq!(jump, before);
}
