//! Validation finds every kind of issue, located, with the right severity.

use mission_planner::estimate::VehicleModel;
use mission_planner::geodesy::destination;
use mission_planner::validate::{IssueKind, Severity, ValidationSettings, fence_allows, validate};
use mission_planner::{
    Altitude, ElevationModel, FenceCircle, FencePolygon, FlatTerrain, GeoFence, Home, LatLon,
    Mission, MissionCommand, MissionItem, Plan,
};

/// Flat at 200 m with a 300 m high, 600 m wide ridge along longitude 2.05.
struct Ridge;
impl ElevationModel for Ridge {
    fn elevation_m(&self, p: LatLon) -> Option<f64> {
        Some(if (p.lon_deg - 2.05).abs() < 0.003 {
            500.0
        } else {
            200.0
        })
    }
}

fn base() -> LatLon {
    LatLon::new(13.0, 2.0)
}

fn plan_through(points: &[LatLon], alt_m: f64) -> Plan {
    let mut m = Mission {
        home: Some(Home {
            position: base(),
            alt_amsl_m: 200.0,
        }),
        ..Mission::default()
    };
    m.items
        .push(MissionItem::takeoff(base(), Altitude::above_home(alt_m)));
    m.items.extend(
        points
            .iter()
            .map(|p| MissionItem::waypoint(*p, Altitude::above_home(alt_m))),
    );
    m.items
        .push(MissionItem::land(base(), Altitude::above_home(0.0)));
    Plan {
        mission: m,
        ..Plan::default()
    }
}

fn kinds(r: &mission_planner::validate::Report) -> Vec<&IssueKind> {
    r.issues.iter().map(|i| &i.kind).collect()
}

#[test]
fn clean_plan_has_no_issues() {
    let east = destination(base(), 90.0, 2000.0);
    let r = validate(
        &plan_through(&[east], 100.0),
        None,
        &FlatTerrain { height_m: 200.0 },
        &ValidationSettings::default(),
    );
    assert!(r.issues.is_empty(), "{:?}", r.issues);
    assert!(!r.has_errors());
}

#[test]
fn ridge_between_waypoints_is_found_by_sampling_the_leg() {
    // Both waypoints are 100 m above flat ground; the ridge between them is not.
    let east = LatLon::new(13.0, 2.1);
    let r = validate(
        &plan_through(&[east], 100.0),
        None,
        &Ridge,
        &ValidationSettings::default(),
    );
    let clearance: Vec<_> = r
        .issues
        .iter()
        .filter(|i| matches!(i.kind, IssueKind::TerrainClearance { .. }))
        .collect();
    assert_eq!(
        clearance.len(),
        2,
        "outbound and return legs cross the ridge: {:?}",
        r.issues
    );
    let first = clearance[0];
    assert_eq!(first.severity, Severity::Error);
    assert_eq!(first.location.seq, Some(2));
    let at = first.location.position.unwrap();
    assert!(
        (at.lon_deg - 2.05).abs() < 0.004,
        "located on the ridge: {at}"
    );
    assert!(
        matches!(first.kind, IssueKind::TerrainClearance { clearance_m, .. } if clearance_m < 0.0)
    );
}

#[test]
fn ceiling_above_terrain() {
    let east = destination(base(), 90.0, 1000.0);
    let r = validate(
        &plan_through(&[east], 150.0),
        None,
        &FlatTerrain { height_m: 200.0 },
        &ValidationSettings::default(),
    );
    assert!(kinds(&r).iter().any(|k| matches!(k, IssueKind::AboveCeiling { agl_m, ceiling_agl_m } if *agl_m == 150.0 && *ceiling_agl_m == 120.0)));
    assert!(r.has_errors());
}

#[test]
fn fences_inclusion_and_exclusion() {
    let east = destination(base(), 90.0, 3000.0);
    let mut plan = plan_through(&[east], 100.0);
    let mid = destination(base(), 90.0, 1500.0);
    plan.fence.circles.push(FenceCircle {
        center: mid,
        radius_m: 300.0,
        inclusion: false,
    });
    let r = validate(
        &plan,
        None,
        &FlatTerrain { height_m: 200.0 },
        &ValidationSettings::default(),
    );
    let hit = r
        .issues
        .iter()
        .find(|i| matches!(i.kind, IssueKind::InsideExclusionZone { zone: 0 }))
        .expect("no-fly zone found");
    assert!(
        hit.location.along_leg_m.unwrap() > 1100.0 && hit.location.along_leg_m.unwrap() < 1300.0,
        "{hit:?}"
    );
    // An extra inclusion fence the route leaves.
    let square = |d: f64| FencePolygon {
        vertices: vec![
            destination(base(), 225.0, d),
            destination(base(), 135.0, d),
            destination(base(), 45.0, d),
            destination(base(), 315.0, d),
        ],
        inclusion: true,
    };
    let fence = GeoFence {
        polygons: vec![square(1000.0)],
        ..GeoFence::default()
    };
    let r = validate(
        &plan,
        Some(&fence),
        &FlatTerrain { height_m: 200.0 },
        &ValidationSettings::default(),
    );
    assert!(
        kinds(&r)
            .iter()
            .any(|k| matches!(k, IssueKind::OutsideInclusionFence))
    );
    let big = GeoFence {
        polygons: vec![square(10_000.0)],
        ..GeoFence::default()
    };
    plan.fence = GeoFence::default();
    assert!(
        validate(
            &plan,
            Some(&big),
            &FlatTerrain { height_m: 200.0 },
            &ValidationSettings::default()
        )
        .issues
        .is_empty()
    );
}

#[test]
fn endurance_item_count_and_jumps() {
    let far = destination(base(), 90.0, 30_000.0);
    let mut plan = plan_through(&[far], 100.0);
    plan.mission.items.insert(
        2,
        MissionItem::command(MissionCommand::Jump {
            target_seq: 40,
            repeat: 1,
        }),
    );
    plan.mission.items.insert(
        2,
        MissionItem::command(MissionCommand::Jump {
            target_seq: 2,
            repeat: -1,
        }),
    );
    let settings = ValidationSettings {
        max_items: 4,
        vehicle: VehicleModel {
            cruise_speed_mps: 15.0,
            endurance_s: 3600.0,
            ..VehicleModel::default()
        },
        ..ValidationSettings::default()
    };
    let r = validate(&plan, None, &FlatTerrain { height_m: 200.0 }, &settings);
    let k = kinds(&r);
    assert!(
        k.iter().any(|k| matches!(
            k,
            IssueKind::TooManyItems {
                count: 6,
                max_items: 4
            }
        )),
        "{k:?}"
    );
    assert!(
        k.iter()
            .any(|k| matches!(k, IssueKind::JumpTarget { target_seq: 40, .. }))
    );
    assert!(k.iter().any(|k| matches!(k, IssueKind::EndlessLoop)));
    // 60 km at 15 m/s = 66.7 min > 48 min usable.
    assert!(k.iter().any(|k| matches!(k, IssueKind::Endurance { time_s, usable_s } if *time_s > 3999.0 && *usable_s == 2880.0)), "{k:?}");
    // Errors come before warnings.
    let first_warning = r
        .issues
        .iter()
        .position(|i| i.severity == Severity::Warning)
        .unwrap();
    assert!(
        r.issues[first_warning..]
            .iter()
            .all(|i| i.severity == Severity::Warning)
    );
}

#[test]
fn item_without_altitude_is_an_error() {
    // QGroundControl's AltitudeMode 3 item saved with a null altitude param.
    let p = mission_planner::files::load_plan(&crate::util::mission_file(
        "qgc/ArduPilotSITL-ArduPlane.plan",
    ))
    .unwrap();
    let r = validate(
        &p,
        None,
        &FlatTerrain { height_m: 584.0 },
        &ValidationSettings {
            ceiling_agl_m: 1000.0,
            ..ValidationSettings::default()
        },
    );
    let missing: Vec<_> = r
        .issues
        .iter()
        .filter(|i| matches!(i.kind, IssueKind::MissingAltitude))
        .collect();
    assert_eq!(missing.len(), 1, "{:?}", r.issues);
    assert_eq!(missing[0].location.seq, Some(4));
}

#[test]
fn fence_allows_single_points_by_the_same_zone_rules() {
    let square = |c: LatLon, d: f64, inclusion: bool| FencePolygon {
        vertices: vec![
            LatLon::new(c.lat_deg - d, c.lon_deg - d),
            LatLon::new(c.lat_deg - d, c.lon_deg + d),
            LatLon::new(c.lat_deg + d, c.lon_deg + d),
            LatLon::new(c.lat_deg + d, c.lon_deg - d),
        ],
        inclusion,
    };
    let mut fence = GeoFence::default();
    assert!(fence_allows(&fence, base()), "no zone: anywhere");
    fence.polygons.push(square(base(), 0.1, true));
    fence.circles.push(FenceCircle {
        center: LatLon::new(13.05, 2.05),
        radius_m: 1000.0,
        inclusion: false,
    });
    assert!(fence_allows(&fence, base()));
    assert!(
        !fence_allows(&fence, LatLon::new(13.5, 2.0)),
        "outside the inclusion"
    );
    assert!(
        !fence_allows(&fence, LatLon::new(13.05, 2.05)),
        "inside the exclusion"
    );
}

fn clearance_errors(r: &mission_planner::validate::Report) -> Vec<f64> {
    r.issues
        .iter()
        .filter_map(|i| match i.kind {
            IssueKind::TerrainClearance { clearance_m, .. } => Some(clearance_m),
            _ => None,
        })
        .collect()
}

#[test]
fn legs_below_the_ground_are_errors_in_every_frame() {
    // 1 m above mean sea level over 200 m terrain: before, legs whose ends were not
    // "airborne" skipped the clearance check and this gave no issue at all.
    let terrain = FlatTerrain { height_m: 200.0 };
    let a = LatLon::new(13.01, 2.0);
    let b = LatLon::new(13.02, 2.0);
    let mut m = Mission {
        home: Some(Home {
            position: base(),
            alt_amsl_m: 200.0,
        }),
        ..Mission::default()
    };
    m.items.push(MissionItem::waypoint(a, Altitude::amsl(1.0)));
    m.items.push(MissionItem::waypoint(b, Altitude::amsl(1.0)));
    let plan = Plan {
        mission: m,
        ..Plan::default()
    };
    let r = validate(&plan, None, &terrain, &ValidationSettings::default());
    let low = clearance_errors(&r);
    assert!(
        low.len() >= 2 && low.iter().all(|c| *c < 0.0),
        "{:?}",
        r.issues
    );
    assert!(r.issues.iter().any(|i| i.message.contains("underground")));
    // A mission whose home altitude is 0 m over 200 m terrain climbs out of the ground.
    let mut plan = plan_through(&[LatLon::new(13.01, 2.0)], 100.0);
    plan.mission.home.as_mut().unwrap().alt_amsl_m = 0.0;
    let r = validate(&plan, None, &terrain, &ValidationSettings::default());
    assert!(!clearance_errors(&r).is_empty(), "{:?}", r.issues);
}

#[test]
fn only_the_climb_and_descent_at_the_take_off_and_landing_points_are_exempt() {
    let terrain = FlatTerrain { height_m: 200.0 };
    // Vertical take-off at home, cruise at 100 m, vertical landing at home: no issue.
    let plan = plan_through(&[LatLon::new(13.01, 2.0)], 100.0);
    let r = validate(&plan, None, &terrain, &ValidationSettings::default());
    assert!(clearance_errors(&r).is_empty(), "{:?}", r.issues);
    // A take-off 1 km from home is a slanted climb from the ground: below the floor.
    let mut plan = plan_through(&[LatLon::new(13.02, 2.0)], 100.0);
    plan.mission.items[0] =
        MissionItem::takeoff(LatLon::new(13.01, 2.0), Altitude::above_home(100.0));
    let r = validate(&plan, None, &terrain, &ValidationSettings::default());
    let low = clearance_errors(&r);
    assert!(
        !low.is_empty() && low.iter().all(|c| *c >= 0.0),
        "{:?}",
        r.issues
    );
}
