//! Every mission file from real tools in ../shared/data/04_missions loads (or is
//! refused for the reason QGroundControl would refuse it), and survives our writers.

use mission_planner::files::{self, Format, load_plan, render_plan};
use mission_planner::{AltitudeReference, Frame, MissionCommand, Plan};

use crate::util::{mission_file, same_plan};

fn load(rel: &str) -> Plan {
    let path = mission_file(rel);
    load_plan(&path).unwrap_or_else(|e| panic!("{rel} should load: {e}"))
}

fn commands(plan: &Plan) -> Vec<u16> {
    plan.mission
        .items
        .iter()
        .map(|i| i.to_params().command)
        .collect()
}

#[test]
fn qgc_section_test_plan_with_legacy_fence() {
    let p = load("qgc/SectionTest.plan");
    assert_eq!(commands(&p), vec![22, 16, 16, 205, 16]);
    assert!(
        p.fence.is_empty(),
        "version 1 geofence is ignored, as QGroundControl does"
    );
    let home = p.mission.home.expect("plannedHomePosition");
    assert_eq!(home.position.lat_deg, 47.633389756176875);
    assert_eq!(p.mission.firmware_type, 12);
}

#[test]
fn qgc_arduplane_plan_covers_altitude_modes_and_typed_items() {
    let p = load("qgc/ArduPilotSITL-ArduPlane.plan");
    assert_eq!(commands(&p), vec![22, 16, 16, 18, 16, 31, 178, 16, 16, 21]);
    let items = &p.mission.items;
    assert!(
        matches!(items[3].command, MissionCommand::LoiterTurns { turns, radius_m, .. } if turns == 2.0 && radius_m == 250.0)
    );
    assert_eq!(items[4].frame, Frame::Global(AltitudeReference::Terrain));
    assert_eq!(items[2].frame, Frame::Global(AltitudeReference::Amsl));
    assert!(
        matches!(items[5].command, MissionCommand::LoiterToAlt { radius_m, .. } if radius_m == -200.0)
    );
    assert!(
        matches!(items[6].command, MissionCommand::ChangeSpeed { speed_mps, .. } if speed_mps == 18.0)
    );
    assert!(matches!(items[9].command, MissionCommand::Land { .. }));
}

#[test]
fn qgc_geofence_polygons() {
    let p = load("qgc/ce_geofence_outfield.plan");
    assert!(p.mission.items.is_empty());
    assert_eq!(p.fence.polygons.len(), 2);
    assert!(p.fence.polygons[0].inclusion && !p.fence.polygons[1].inclusion);
    assert_eq!(p.fence.polygons[1].vertices[0].lat_deg, 38.7506564);
}

#[test]
fn legacy_mission_file() {
    let p = load("qgc/OldFileFormat.mission");
    assert_eq!(commands(&p), vec![22, 18, 18, 16, 16, 21]);
    assert!(
        matches!(p.mission.items[1].command, MissionCommand::LoiterTurns { turns, .. } if turns == 1.0)
    );
    // The take-off is in MAV_FRAME_MISSION (2) there, so it stays a generic item.
    assert_eq!(
        p.mission.items[0].to_params().params[4],
        47.660_137_763_851_57
    );
    assert_eq!(p.mission.items[0].to_params().frame, 2);
}

#[test]
fn survey_complex_item_flies_embedded_items_and_keeps_parameters() {
    let p = load("mavsdk/qgroundcontrol_sample_with_survey.plan");
    assert_eq!(p.mission.items.len(), 1 + 12);
    let c = &p.mission.complex_items[0];
    assert_eq!(
        (c.kind.as_str(), c.first_item, c.item_count),
        ("survey", 1, 12)
    );
    assert_eq!(c.params["angle"], 90);
    assert!(
        c.params["TransectStyleComplexItem"]
            .get("CameraCalc")
            .is_some()
    );
    assert!(c.params["TransectStyleComplexItem"].get("Items").is_none());
    assert!(
        matches!(p.mission.items[2].command, MissionCommand::CameraTriggerDistance { distance_m, .. } if distance_m == 25.0)
    );
    // Written back, the survey is a ComplexItem again with its Items embedded.
    let text = files::qgc_plan::write_plan(&p);
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let item = &doc["mission"]["items"][1];
    assert_eq!(item["complexItemType"], "survey");
    assert_eq!(
        item["TransectStyleComplexItem"]["Items"]
            .as_array()
            .unwrap()
            .len(),
        12
    );
    assert_eq!(
        item["polygon"],
        serde_json::from_str::<serde_json::Value>(
            &std::fs::read_to_string(mission_file(
                "mavsdk/qgroundcontrol_sample_with_survey.plan"
            ))
            .unwrap()
        )
        .unwrap()["mission"]["items"][1]["polygon"]
    );
}

#[test]
fn structure_scan_items_are_regenerated_as_qgroundcontrol_does() {
    let p = load("mavsdk/qgroundcontrol_sample_with_structured_scan.plan");
    // 1 simple item; then entrance, ROI, 2 layers x (5 loop waypoints + 2 trigger
    // commands), ROI none, exit.
    assert_eq!(p.mission.items.len(), 1 + 2 + 2 * 7 + 2);
    let c = &p.mission.complex_items[0];
    assert_eq!(
        (c.kind.as_str(), c.first_item, c.item_count),
        ("StructureScan", 1, 18)
    );
    let cmds: Vec<u16> = p
        .mission
        .items
        .iter()
        .map(|i| i.to_params().command)
        .collect();
    assert_eq!(&cmds[1..5], &[16, 196, 16, 206]);
    assert_eq!(&cmds[cmds.len() - 2..], &[197, 16]);
    // StartFromTop: layers start half a footprint (25 m) below the 100 m structure
    // height, 25 m apart.
    let alts: Vec<f64> = p.mission.items[3..]
        .iter()
        .filter(|i| i.to_params().command == 16)
        .filter_map(|i| i.altitude())
        .map(|a| a.alt_m)
        .collect();
    assert_eq!(&alts[..6], &[87.5, 87.5, 87.5, 87.5, 87.5, 62.5]);
    // The loop is the structure polygon moved 50 m (DistanceToSurface) outward.
    let structure: Vec<mission_planner::LatLon> = vec![
        mission_planner::LatLon::new(47.39817545923646, 8.546361558007561),
        mission_planner::LatLon::new(47.398093903224094, 8.546896356125728),
        mission_planner::LatLon::new(47.39753072646259, 8.546657108174259),
        mission_planner::LatLon::new(47.39763558527823, 8.546187715955966),
    ];
    let mut ring = structure.clone();
    ring.push(structure[0]);
    let index = mission_planner::generate::border_offset::BorderIndex::new(&ring);
    for it in &p.mission.items[3..8] {
        if let Some(pos) = it.position() {
            let d = index.distance_m(pos);
            assert!(d >= 49.0, "{pos} only {d} m from the structure");
        }
    }
    // Written back as the ComplexItem (QGroundControl regenerates it), read back the same.
    let text = files::qgc_plan::write_plan(&p);
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        doc["mission"]["items"][1]["complexItemType"],
        "StructureScan"
    );
    assert_eq!(doc["mission"]["items"].as_array().unwrap().len(), 2);
    assert!(same_plan(
        &p,
        &files::parse_plan(&text, Format::QgcPlan).unwrap()
    ));
}

#[test]
fn mavsdk_plans() {
    let p = load("mavsdk/qgroundcontrol_sample.plan");
    assert_eq!(commands(&p), vec![22, 16, 2000, 16, 16, 20]);
    assert!(matches!(
        p.mission.items[5].command,
        MissionCommand::ReturnToLaunch
    ));
    let d = load("mavsdk/qgroundcontrol_sample_with_digicam_control.plan");
    assert_eq!(commands(&d), vec![203]);
    let w = load("mavsdk/mission_planner_sample.txt");
    assert!(w.mission.home.is_none(), "line 0 is a take-off, not home");
    assert_eq!(commands(&w), vec![22, 16, 16, 20]);
    assert_eq!(
        w.mission.items[0].frame,
        Frame::GlobalInt(AltitudeReference::Amsl)
    );
    assert_eq!(w.mission.current_seq, Some(0));
}

#[test]
fn wpl_crlf_files() {
    let p = load("qgc/MissionPlanner.waypoints");
    assert_eq!(p.mission.home.unwrap().alt_amsl_m, 5.21);
    assert_eq!(p.mission.items.len(), 5);
    let t = load("ardupilot/TopOfTheWorldShort.waypoints");
    assert_eq!(t.mission.items.len(), 23);
    assert!(
        matches!(t.mission.items[2].command, MissionCommand::CameraTriggerDistance { distance_m, .. } if distance_m == 12.68999958)
    );
    assert_eq!(
        t.mission.items[1].frame,
        Frame::Global(AltitudeReference::Terrain)
    );
    assert_eq!(t.mission.items[20].to_params().command, 189);
}

#[test]
fn ardupilot_and_mavproxy_missions_with_jumps() {
    let p = load("ardupilot/Dalby-OBC2016.txt");
    assert_eq!(p.mission.items.len(), 34);
    assert!(matches!(
        p.mission.items[13].command,
        MissionCommand::Jump {
            target_seq: 9,
            repeat: 4
        }
    ));
    let c = load("mavproxy/cmac-foamy-mission-cw.txt");
    assert_eq!(c.mission.items.len(), 11);
    assert!(matches!(
        c.mission.items[5].command,
        MissionCommand::Jump {
            target_seq: 2,
            repeat: -1
        }
    ));
}

#[test]
fn fence_and_rally_lists() {
    let f = load("pymavlink/fence-110.txt");
    assert_eq!(f.fence.polygons.len(), 1);
    assert_eq!(f.fence.polygons[0].vertices.len(), 8);
    assert_eq!(f.fence.circles.len(), 2);
    assert!(
        f.fence
            .circles
            .iter()
            .all(|c| !c.inclusion && c.radius_m == 20.0)
    );
    let s = load("mavproxy/springvalleybottom-foamy-fence.txt");
    assert!(s.fence.breach_return.is_some());
    assert_eq!(s.fence.polygons[0].vertices.len(), 4);
    let h = load("ardupilot/single_home_circle.txt");
    assert_eq!(h.fence.other_items.len(), 1);
    assert_eq!(h.fence.other_items[0].command, 5005);
    for rel in ["pymavlink/fence.txt", "mavproxy/cmac-foamy-fence.txt"] {
        let l = load(rel);
        assert_eq!(
            l.fence.polygons[0].vertices.len(),
            4,
            "{rel}: return point + 4 vertices + closing vertex"
        );
        assert_eq!(l.fence.breach_return.unwrap().0.lat_deg, -35.363720);
    }
    let d = load("ardupilot/Dalby-OBC2016-fence.txt");
    assert_eq!(d.fence.polygons[0].vertices.len(), 16);
    let r = load("pymavlink/rally-110.txt");
    assert_eq!(r.rally_points.len(), 2);
    for rel in ["pymavlink/rally.txt", "mavproxy/cmac-foamy-rally.txt"] {
        assert!(!load(rel).rally_points.is_empty(), "{rel}");
    }
}

const ALL: &[&str] = &[
    "qgc/SectionTest.plan",
    "qgc/ArduPilotSITL-ArduPlane.plan",
    "qgc/simple_square.plan",
    "qgc/ce_geofence_outfield.plan",
    "qgc/OldFileFormat.mission",
    "qgc/MissionPlanner.waypoints",
    "mavsdk/qgroundcontrol_sample.plan",
    "mavsdk/qgroundcontrol_sample_with_digicam_control.plan",
    "mavsdk/qgroundcontrol_sample_with_survey.plan",
    "mavsdk/qgroundcontrol_sample_with_structured_scan.plan",
    "mavsdk/mission_planner_sample.txt",
    "ardupilot/Dalby-OBC2016.txt",
    "ardupilot/Dalby-OBC2016-fence.txt",
    "ardupilot/TopOfTheWorldShort.waypoints",
    "ardupilot/single_home_circle.txt",
    "pymavlink/fence-110.txt",
    "pymavlink/fence.txt",
    "pymavlink/rally-110.txt",
    "pymavlink/rally.txt",
    "mavproxy/cmac-foamy-mission-cw.txt",
    "mavproxy/cmac-foamy-fence.txt",
    "mavproxy/cmac-foamy-rally.txt",
    "mavproxy/springvalleybottom-foamy-fence.txt",
];

#[test]
fn every_fixture_survives_plan_and_wpl_round_trips() {
    for rel in ALL {
        let p = load(rel);
        // .plan holds everything but unknown fence commands and the current flag.
        if p.fence.other_items.is_empty() && p.mission.home.is_some() {
            let text = render_plan(&p, Format::QgcPlan).unwrap();
            let back = files::parse_plan(&text, Format::QgcPlan).unwrap();
            assert!(
                same_plan(&p, &back),
                "{rel}: .plan round trip changed the plan"
            );
        }
        // A WPL file holds one list.
        if let Ok(text) = render_plan(&p, Format::Wpl) {
            let back = files::parse_plan(&text, Format::Wpl).unwrap();
            // WPL has no complex items: the survey's items stay, its parameters do not.
            let mut flat = p.clone();
            flat.mission.complex_items.clear();
            flat.mission.qgc_altitudes.clear();
            // A mission without a home gets a placeholder home row (row 0 is home to
            // QGroundControl and Mission Planner).
            if flat.mission.home.is_none() && !flat.mission.items.is_empty() {
                flat.mission
                    .set_home(Some(files::wpl::PLACEHOLDER_HOME))
                    .unwrap();
            }
            assert!(
                same_plan(&flat, &back),
                "{rel}: WPL round trip changed the plan"
            );
            assert_eq!(back.mission.current_seq, flat.mission.current_seq, "{rel}");
        }
        // Exports are well-formed.
        let gj: serde_json::Value =
            serde_json::from_str(&render_plan(&p, Format::GeoJson).unwrap()).unwrap();
        assert_eq!(gj["type"], "FeatureCollection", "{rel}");
        let kml = render_plan(&p, Format::Kml).unwrap();
        assert!(
            kml.starts_with("<?xml") && kml.trim_end().ends_with("</kml>"),
            "{rel}"
        );
    }
}

#[test]
fn written_plan_has_qgc_keys_versions_and_types() {
    let p = load("qgc/ArduPilotSITL-ArduPlane.plan");
    let doc: serde_json::Value = serde_json::from_str(&files::qgc_plan::write_plan(&p)).unwrap();
    assert_eq!(doc["fileType"], "Plan");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["groundStation"], "QGroundControl");
    assert_eq!(doc["geoFence"]["version"], 2);
    assert!(doc["geoFence"]["polygons"].is_array() && doc["geoFence"]["circles"].is_array());
    assert_eq!(doc["rallyPoints"]["version"], 2);
    let m = &doc["mission"];
    assert_eq!(m["version"], 2);
    assert_eq!(m["firmwareType"], 3);
    assert_eq!(
        m["globalPlanAltitudeMode"], 0,
        "items use several altitude modes: Mixed"
    );
    assert_eq!(m["plannedHomePosition"].as_array().unwrap().len(), 3);
    let first = &m["items"][0];
    assert_eq!(first["type"], "SimpleItem");
    assert_eq!(first["command"], 22);
    assert_eq!(first["doJumpId"], 1);
    assert_eq!(first["AltitudeMode"], 1);
    assert_eq!(first["Altitude"], 50.0);
    assert!(first["autoContinue"].is_boolean());
    let params = first["params"].as_array().unwrap();
    assert_eq!(params.len(), 7);
    assert!(
        params[3].is_null(),
        "NaN params are written as null, as QGroundControl does"
    );
    // The "calculated above terrain" loiter keeps its planning altitude.
    let loiter = &m["items"][3];
    assert_eq!(
        (loiter["AltitudeMode"].as_u64(), loiter["Altitude"].as_f64()),
        (Some(3), Some(150.0))
    );
    assert!(loiter["params"][6].is_null());
}

#[test]
fn malformed_files_name_file_line_and_expectation() {
    let dir = tempfile::tempdir().unwrap();
    let wpl = dir.path().join("bad.waypoints");
    std::fs::write(
        &wpl,
        "QGC WPL 110\r\n0\t1\t0\t16\t0\t0\t0\t0\t1\t2\t3\t1\r\n1\t0\t3\t16\t0\t0\n",
    )
    .unwrap();
    let e = load_plan(&wpl).unwrap_err().to_string();
    assert!(
        e.contains("bad.waypoints") && e.contains("line 3") && e.contains("expected 12"),
        "{e}"
    );
    let bad_num = dir.path().join("n.txt");
    std::fs::write(
        &bad_num,
        "QGC WPL 110\n0\t1\t0\t16\t0\t0\t0\t0\tx\t2\t3\t1\n",
    )
    .unwrap();
    let e = load_plan(&bad_num).unwrap_err().to_string();
    assert!(
        e.contains("line 2") && e.contains("lat") && e.contains("\"x\""),
        "{e}"
    );
    let plan = dir.path().join("bad.plan");
    std::fs::write(&plan, r#"{"fileType":"Plan","version":1,"mission":{"version":2,"plannedHomePosition":[1,2,3],"items":[{"type":"SimpleItem","command":16,"frame":3,"params":[0,0,0]}]}}"#).unwrap();
    let e = load_plan(&plan).unwrap_err().to_string();
    assert!(
        e.contains("bad.plan") && e.contains("mission.items[0].params") && e.contains("expected 7"),
        "{e}"
    );
    let json = dir.path().join("broken.plan");
    std::fs::write(&json, "{\n  \"fileType\": \"Plan\",\n  oops\n}").unwrap();
    let e = load_plan(&json).unwrap_err().to_string();
    assert!(e.contains("broken.plan") && e.contains("line 3"), "{e}");
    let header = dir.path().join("h.waypoints");
    std::fs::write(&header, "QGC WPL 999\n").unwrap();
    assert!(
        load_plan(&header)
            .unwrap_err()
            .to_string()
            .contains("QGC WPL 110")
    );
}

#[test]
fn corridor_scan_circles_breach_return_and_v1_rally() {
    let text = r#"{
  "fileType": "Plan", "version": 1, "groundStation": "QGroundControl",
  "geoFence": {"version": 2, "breachReturn": [13.5, 2.1, 60],
    "circles": [{"circle": {"center": [13.52, 2.12], "radius": 350.5}, "inclusion": false, "version": 1}],
    "polygons": []},
  "rallyPoints": {"version": 1, "points": [[1, 2, 3]]},
  "mission": {"version": 2, "firmwareType": 12, "vehicleType": 2, "cruiseSpeed": 15, "hoverSpeed": 5,
    "plannedHomePosition": [13.5, 2.1, 210],
    "items": [
      {"type": "SimpleItem", "command": 22, "frame": 3, "autoContinue": true, "doJumpId": 1, "params": [0, 0, 0, null, 13.5, 2.1, 50]},
      {"type": "ComplexItem", "complexItemType": "CorridorScan", "version": 2, "CorridorWidth": 50,
       "polyline": [[13.5, 2.1], [13.51, 2.11]],
       "TransectStyleComplexItem": {"version": 1, "TurnAroundDistance": 10,
         "Items": [
           {"type": "SimpleItem", "command": 16, "frame": 3, "autoContinue": true, "doJumpId": 2, "params": [0, 0, 0, null, 13.501, 2.101, 50]},
           {"type": "SimpleItem", "command": 16, "frame": 3, "autoContinue": true, "doJumpId": 3, "params": [0, 0, 0, null, 13.509, 2.109, 50]}
         ]}},
      {"type": "SimpleItem", "command": 177, "frame": 2, "autoContinue": true, "doJumpId": 4, "params": [2, 3, 0, 0, 0, 0, 0]}
    ]}
}"#;
    let p = files::parse_plan(text, Format::QgcPlan).unwrap();
    assert_eq!(p.mission.items.len(), 4);
    assert_eq!(p.mission.complex_items[0].kind, "CorridorScan");
    assert_eq!(p.mission.complex_items[0].params["CorridorWidth"], 50);
    assert!(matches!(
        p.mission.items[3].command,
        MissionCommand::Jump {
            target_seq: 2,
            repeat: 3
        }
    ));
    assert_eq!(p.fence.circles[0].radius_m, 350.5);
    assert!(!p.fence.circles[0].inclusion);
    assert_eq!(p.fence.breach_return.unwrap().1, 60.0);
    assert!(
        p.rally_points.is_empty(),
        "version 1 rally points are ignored, as QGroundControl does"
    );
    let back = files::parse_plan(&files::qgc_plan::write_plan(&p), Format::QgcPlan).unwrap();
    assert!(same_plan(&p, &back));
    // Jump ids that are not seqs are mapped to seqs.
    let renumbered = text
        .replace("\"doJumpId\": 2", "\"doJumpId\": 20")
        .replace("[2, 3, 0, 0, 0, 0, 0]", "[20, 3, 0, 0, 0, 0, 0]");
    let r = files::parse_plan(&renumbered, Format::QgcPlan).unwrap();
    assert!(matches!(
        r.mission.items[3].command,
        MissionCommand::Jump { target_seq: 2, .. }
    ));
}

#[test]
fn unknown_fence_commands_are_not_dropped_silently() {
    let p = load("ardupilot/single_home_circle.txt");
    let err = render_plan(&p, Format::QgcPlan).unwrap_err().to_string();
    assert!(err.contains("5005") && err.contains(".waypoints"), "{err}");
    // WPL keeps them.
    let back = files::parse_plan(&render_plan(&p, Format::Wpl).unwrap(), Format::Wpl).unwrap();
    assert_eq!(back.fence.other_items, p.fence.other_items);
}
