//! Files other tools read: QGroundControl's vehicle type and frames, KML altitude
//! modes, GeoJSON's right-hand rule, rally params through WPL.

use geo::{LineString, Winding};
use mission_planner::files::wpl::PLACEHOLDER_HOME;
use mission_planner::files::{Format, parse_plan, render_plan};
use mission_planner::generate::{PatrolRequest, TerrainFollow, plan_patrol};
use mission_planner::mavlink::{mission_from_raw, mission_to_raw};
use mission_planner::{
    Altitude, FenceCircle, FencePolygon, FlatTerrain, GeoFence, Home, LatLon, Mission,
    MissionCommand, MissionItem, MissionItemInt, Plan, RallyPoint, estimate::VehicleModel,
};

fn square_plan() -> Plan {
    let mut m = Mission {
        home: Some(Home {
            position: LatLon::new(13.5, 2.1),
            alt_amsl_m: 210.0,
        }),
        ..Mission::default()
    };
    m.items.push(MissionItem::takeoff(
        LatLon::new(13.5, 2.1),
        Altitude::above_home(50.0),
    ));
    m.items.push(MissionItem::waypoint(
        LatLon::new(13.51, 2.1),
        Altitude::above_home(100.0),
    ));
    Plan {
        mission: m,
        // Clockwise as drawn (north-east, then south-east...).
        fence: GeoFence {
            polygons: vec![FencePolygon {
                vertices: vec![
                    LatLon::new(13.4, 2.0),
                    LatLon::new(13.6, 2.0),
                    LatLon::new(13.6, 2.2),
                    LatLon::new(13.4, 2.2),
                ],
                inclusion: true,
            }],
            circles: vec![FenceCircle {
                center: LatLon::new(13.5, 2.15),
                radius_m: 500.0,
                inclusion: false,
            }],
            ..GeoFence::default()
        },
        rally_points: vec![],
    }
}

#[test]
fn geojson_rings_follow_the_right_hand_rule() {
    let text = render_plan(&square_plan(), Format::GeoJson).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let rings: Vec<LineString<f64>> = doc["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["geometry"]["type"] == "Polygon")
        .map(|f| {
            f["geometry"]["coordinates"][0]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
                .collect()
        })
        .collect();
    assert_eq!(rings.len(), 2, "polygon and circle");
    for r in &rings {
        assert!(r.is_closed());
        assert_eq!(
            r.winding_order(),
            Some(geo::winding_order::WindingOrder::CounterClockwise)
        );
    }
}

#[test]
fn kml_altitudes_carry_their_frames_mode() {
    let mut plan = square_plan();
    let kml = render_plan(&plan, Format::Kml).unwrap();
    // Above home with home at 210 m AMSL: absolute, at 210 + 100 m.
    assert!(
        kml.contains("<altitudeMode>absolute</altitudeMode>"),
        "{kml}"
    );
    assert!(kml.contains("2.1,13.51,310"), "{kml}");
    assert!(!kml.contains("2.1,13.51,100"), "{kml}");
    // Every point has a mode.
    assert_eq!(
        kml.matches("<Point>").count(),
        kml.matches("<Point><altitudeMode>").count()
    );
    // Above terrain: relativeToGround as given.
    plan.mission.items[1] =
        MissionItem::waypoint(LatLon::new(13.51, 2.1), Altitude::above_terrain(80.0));
    let kml = render_plan(&plan, Format::Kml).unwrap();
    assert!(
        kml.contains(
            "<Point><altitudeMode>relativeToGround</altitudeMode><coordinates>2.1,13.51,80"
        ),
        "{kml}"
    );
    // Above home with no known home altitude: on the ground, not absolute.
    plan.mission.home.as_mut().unwrap().alt_amsl_m = f64::NAN;
    plan.mission.items[1] =
        MissionItem::waypoint(LatLon::new(13.51, 2.1), Altitude::above_home(100.0));
    let kml = render_plan(&plan, Format::Kml).unwrap();
    assert!(!kml.contains("absolute"), "{kml}");
    assert!(kml.contains("clampToGround"), "{kml}");
}

#[test]
fn rally_params_survive_wpl() {
    let plan = Plan {
        rally_points: vec![RallyPoint {
            params: [7.0, 0.0, 0.0, 0.0],
            ..RallyPoint::new(LatLon::new(13.5, 2.1), 80.0)
        }],
        ..Plan::default()
    };
    let text = render_plan(&plan, Format::Wpl).unwrap();
    let back = parse_plan(&text, Format::Wpl).unwrap();
    assert_eq!(back.rally_points, plan.rally_points);
}

#[test]
fn px4_int_frames_are_read_as_qgroundcontrols() {
    // PX4 sends GLOBAL_RELATIVE_ALT_INT (6), GLOBAL_INT (5), GLOBAL_TERRAIN_ALT_INT (11).
    let raw: Vec<MissionItemInt> = [6u8, 5, 11]
        .iter()
        .enumerate()
        .map(|(i, f)| MissionItemInt {
            frame: *f,
            ..MissionItemInt::waypoint(i as u16, 135_000_000 + i as i32, 21_000_000, 50.0)
        })
        .collect();
    let mission = mission_from_raw(&raw, false).unwrap();
    let frames: Vec<u8> = mission_to_raw(&mission).iter().map(|r| r.frame).collect();
    assert_eq!(frames, [3, 0, 10]);
    // Saved as .plan, the frames QGroundControl writes.
    let text = render_plan(
        &Plan {
            mission,
            ..Plan::default()
        },
        Format::QgcPlan,
    )
    .unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let saved: Vec<u64> = doc["mission"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["frame"].as_u64().unwrap())
        .collect();
    assert_eq!(saved, [3, 0, 10]);
}

#[test]
fn a_badly_numbered_list_names_the_shared_rule() {
    let raw = vec![MissionItemInt::waypoint(1, 0, 0, 10.0)];
    let e = mission_from_raw(&raw, false).unwrap_err();
    assert!(matches!(
        e,
        mission_planner::mavlink::ConvertError::List(vigil_values::raw::ListError::Numbering {
            index: 0,
            seq: 1
        })
    ));
}

#[test]
fn generated_sorties_are_quadrotors() {
    let border: Vec<LatLon> = (0..20)
        .map(|i| LatLon::new(13.0 + f64::from(i) * 0.01, 2.0))
        .collect();
    let req = PatrolRequest {
        border,
        home_side: None,
        standoff_m: 500.0,
        simplify_tolerance_m: 50.0,
        terrain_follow: TerrainFollow::new(100.0, 120.0),
        bases: vec![LatLon::new(13.05, 2.02)],
        vehicle: VehicleModel {
            endurance_s: 3600.0,
            ..VehicleModel::default()
        },
        border_range_m: None,
        altitude_reference: mission_planner::AltitudeReference::Home,
    };
    let plan = plan_patrol(&req, &FlatTerrain { height_m: 200.0 }, &mut |_| {}).unwrap();
    assert!(!plan.sorties.is_empty());
    for s in &plan.sorties {
        assert_eq!(s.mission.vehicle_type, 2, "QGroundControl: 2 = quadrotor");
    }
}

#[test]
fn a_wpl_mission_without_a_home_still_has_a_home_row() {
    // QGroundControl and Mission Planner take row 0 as home: without a home row the
    // first real item was dropped (gcs-cli downloads from a vehicle with no home yet).
    let mut plan = Plan::default();
    plan.mission.items = vec![
        MissionItem::takeoff(LatLon::new(13.5, 2.1), Altitude::above_home(40.0)),
        MissionItem::waypoint(LatLon::new(13.51, 2.1), Altitude::above_home(100.0)),
        MissionItem {
            command: MissionCommand::Jump {
                target_seq: 1,
                repeat: 2,
            },
            ..MissionItem::waypoint(LatLon::new(0.0, 0.0), Altitude::above_home(0.0))
        },
    ];
    let text = render_plan(&plan, Format::Wpl).unwrap();
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(rows.len(), 4, "{text}");
    let home: Vec<&str> = rows[0].split('\t').collect();
    assert_eq!(
        (home[0], home[2], home[3]),
        ("0", "0", "16"),
        "home row first: {text}"
    );
    // The jump counts the home row, as Mission Planner reads it.
    assert!(rows[3].starts_with("3\t0\t"), "{text}");
    assert!(
        rows[3].split('\t').nth(4) == Some("2"),
        "jump to seq 2: {text}"
    );
    let back = parse_plan(&text, Format::Wpl).unwrap();
    // It reads back as QGroundControl's "unknown home", the jump still on the waypoint.
    let mut expected = plan.mission.clone();
    expected.set_home(Some(PLACEHOLDER_HOME)).unwrap();
    assert_eq!(back.mission.home, Some(PLACEHOLDER_HOME));
    // Debug text compares NaN (unset) parameters as equal.
    assert_eq!(
        format!("{:?}", back.mission.items),
        format!("{:?}", expected.items)
    );
}

/// The flight-speed item generated plans carry (QGroundControl's SpeedSection: frame
/// MISSION, ground speed, no throttle change) survives .plan, WPL and MAVLink, typed.
#[test]
fn the_flight_speed_item_round_trips_through_plan_wpl_and_mavlink() {
    // The mission alone: a WPL file holds one list.
    let mut plan = Plan {
        mission: square_plan().mission,
        ..Plan::default()
    };
    plan.mission
        .items
        .insert(1, MissionItem::change_speed(12.0));
    let expected = MissionCommand::ChangeSpeed {
        speed_type: 1.0,
        speed_mps: 12.0,
        throttle_pct: -1.0,
    };
    let speed_item = |m: &Mission| {
        let item = m.items[1];
        assert_eq!(item.command, expected, "{item:?}");
        assert_eq!(item.frame, mission_planner::Frame::Mission);
        let p = item.to_params();
        assert_eq!((p.command, p.frame), (178, 2));
        assert_eq!(p.params[..4], [1.0, 12.0, -1.0, 0.0]);
    };
    speed_item(&plan.mission);
    for format in [Format::QgcPlan, Format::Wpl] {
        let text = render_plan(&plan, format).unwrap();
        let back = parse_plan(&text, format).unwrap();
        assert_eq!(
            back.mission.items.len(),
            plan.mission.items.len(),
            "{format:?}"
        );
        speed_item(&back.mission);
    }
    // The .plan writes it as QGroundControl does.
    let doc: serde_json::Value =
        serde_json::from_str(&render_plan(&plan, Format::QgcPlan).unwrap()).unwrap();
    let json = &doc["mission"]["items"][1];
    assert_eq!(json["command"], 178);
    assert_eq!(json["frame"], 2);
    assert_eq!(json["params"][1], 12.0);
    // MAVLink items (the home first when the mission has one) and back.
    let raw = mission_to_raw(&plan.mission);
    let r = raw.iter().find(|r| r.command == 178).unwrap();
    assert_eq!(
        (r.frame, r.param1, r.param2, r.param3),
        (2, 1.0, 12.0, -1.0)
    );
    let back = mission_from_raw(&raw, plan.mission.home.is_some()).unwrap();
    speed_item(&back);
}
