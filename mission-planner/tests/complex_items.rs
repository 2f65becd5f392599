//! Generated surveys and corridor scans written to `.plan` as QGroundControl
//! ComplexItems: read back losslessly, and shaped like QGroundControl's own.

use std::collections::BTreeMap;

use mission_planner::files::qgc_plan::{parse_plan, transect, write_plan};
use mission_planner::generate::survey::{Camera, SurveyRequest, corridor_scan, survey};
use mission_planner::geodesy::destination;
use mission_planner::{Altitude, Home, LatLon, Mission, MissionItem, Plan};
use proptest::prelude::*;
use serde_json::Value;

use crate::util::{mission_file, same_items, same_plan};

fn camera() -> Camera {
    Camera {
        sensor_width_mm: 23.5,
        sensor_height_mm: 15.6,
        focal_length_mm: 16.0,
        image_width_px: 6000,
        image_height_px: 4000,
    }
}

fn square(c: LatLon, side_m: f64) -> Vec<LatLon> {
    let sw = destination(destination(c, 180.0, side_m / 2.0), 270.0, side_m / 2.0);
    let se = destination(sw, 90.0, side_m);
    vec![
        sw,
        se,
        destination(se, 0.0, side_m),
        destination(sw, 0.0, side_m),
    ]
}

fn survey_plan(req: &SurveyRequest) -> (Plan, Vec<MissionItem>) {
    let (items, layout) = survey(req).unwrap();
    let home = req.polygon[0];
    let mut mission = Mission {
        home: Some(Home {
            position: home,
            alt_amsl_m: 0.0,
        }),
        ..Mission::default()
    };
    mission.items.push(MissionItem::takeoff(
        home,
        Altitude::above_home(layout.alt_m),
    ));
    let params = transect::survey_params(req, &layout, &items);
    mission.push_complex("survey", params, items.clone());
    (
        Plan {
            mission,
            ..Plan::default()
        },
        items,
    )
}

/// Key -> JSON type name, recursively (arrays by their first element).
fn shape(v: &Value, path: &str, out: &mut BTreeMap<String, &'static str>) {
    let t = match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(a) => {
            if let Some(first) = a.first() {
                shape(first, &format!("{path}[]"), out);
            }
            "array"
        }
        Value::Object(o) => {
            for (k, x) in o {
                shape(x, &format!("{path}.{k}"), out);
            }
            "object"
        }
    };
    out.insert(path.to_owned(), t);
}

#[test]
fn generated_survey_is_a_qgroundcontrol_survey_complex_item() {
    let req = SurveyRequest {
        polygon: square(LatLon::new(13.5, 2.1), 800.0),
        camera: camera(),
        front_overlap: 0.7,
        side_overlap: 0.6,
        alt_m: 80.0,
        gsd_cm_per_px: None,
        angle_deg: 30.0,
        turnaround_m: 20.0,
    };
    let (plan, items) = survey_plan(&req);
    let doc: Value = serde_json::from_str(&write_plan(&plan)).unwrap();
    let ours = &doc["mission"]["items"][1];
    assert_eq!(ours["type"], "ComplexItem");
    assert_eq!(ours["complexItemType"], "survey");
    assert_eq!(ours["version"], 5);
    assert_eq!(ours["angle"], 30.0);
    assert_eq!(ours["polygon"].as_array().unwrap().len(), 4);
    let t = &ours["TransectStyleComplexItem"];
    assert_eq!(t["version"], 2);
    assert_eq!(t["TurnAroundDistance"], 20.0);
    assert_eq!(t["Items"].as_array().unwrap().len(), items.len());
    let calc = &t["CameraCalc"];
    assert_eq!(calc["version"], 2);
    assert_eq!(calc["DistanceMode"], 1);
    assert_eq!(calc["DistanceToSurface"], 80.0);
    assert_eq!(calc["FrontalOverlap"], 70.0);
    assert_eq!(calc["SideOverlap"], 60.0);
    assert_eq!(calc["CameraName"], "Custom Camera");
    // QGroundControl's camera calculator gives the same spacing and trigger distance.
    let gsd = calc["ImageDensity"].as_f64().unwrap();
    let side = 6000.0 * gsd / 100.0 * (1.0 - 0.6);
    let frontal = 4000.0 * gsd / 100.0 * (1.0 - 0.7);
    assert!((calc["AdjustedFootprintSide"].as_f64().unwrap() - side).abs() < 1e-9);
    assert!((calc["AdjustedFootprintFrontal"].as_f64().unwrap() - frontal).abs() < 1e-9);
    assert!(t["CameraShots"].as_u64().unwrap() > 0);

    // Every key QGroundControl wrote in a real survey we write too, with its type;
    // keys we add beyond it are the current versions' (CameraCalc v2 "DistanceMode"
    // replaced v1 "DistanceToSurfaceRelative"; TransectStyle v2 dropped "FollowTerrain")
    // and the custom camera's specification.
    let real: Value = serde_json::from_str(
        &std::fs::read_to_string(mission_file(
            "mavsdk/qgroundcontrol_sample_with_survey.plan",
        ))
        .unwrap(),
    )
    .unwrap();
    let theirs = &real["mission"]["items"][1];
    let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
    shape(ours, "", &mut a);
    shape(theirs, "", &mut b);
    let replaced = [
        ".TransectStyleComplexItem.CameraCalc.DistanceToSurfaceRelative",
        ".TransectStyleComplexItem.FollowTerrain",
    ];
    for (k, t) in &b {
        if replaced.contains(&k.as_str()) {
            assert!(!a.contains_key(k), "{k} is from an older version");
            continue;
        }
        // QGroundControl writes NaN params as null; ours are numbers where not NaN.
        if k.contains(".Items[].params[]") {
            continue;
        }
        assert_eq!(a.get(k), Some(t), "{k}");
    }
    let extra: Vec<&String> = a.keys().filter(|k| !b.contains_key(*k)).collect();
    let expected_extra = [
        ".TransectStyleComplexItem.CameraCalc.DistanceMode",
        ".TransectStyleComplexItem.CameraCalc.FixedOrientation",
        ".TransectStyleComplexItem.CameraCalc.FocalLength",
        ".TransectStyleComplexItem.CameraCalc.FrontalOverlap",
        ".TransectStyleComplexItem.CameraCalc.ImageDensity",
        ".TransectStyleComplexItem.CameraCalc.ImageHeight",
        ".TransectStyleComplexItem.CameraCalc.ImageWidth",
        ".TransectStyleComplexItem.CameraCalc.Landscape",
        ".TransectStyleComplexItem.CameraCalc.MinTriggerInterval",
        ".TransectStyleComplexItem.CameraCalc.SensorHeight",
        ".TransectStyleComplexItem.CameraCalc.SensorWidth",
        ".TransectStyleComplexItem.CameraCalc.SideOverlap",
        ".TransectStyleComplexItem.CameraCalc.ValueSetIsDistance",
    ];
    assert!(
        extra.iter().all(|k| expected_extra.contains(&k.as_str())),
        "{extra:?}"
    );
    // Embedded items carry exactly the keys QGroundControl's MissionItem::save writes.
    let keys = |v: &Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    assert_eq!(
        keys(&t["Items"][0]),
        keys(&theirs["TransectStyleComplexItem"]["Items"][0])
    );
}

#[test]
fn generated_corridor_is_a_qgroundcontrol_corridor_scan() {
    let a = LatLon::new(13.0, 2.0);
    let path = vec![
        a,
        destination(a, 90.0, 3000.0),
        destination(a, 60.0, 5000.0),
    ];
    let items = corridor_scan(&path, 150.0, 7, Altitude::above_home(60.0));
    let mut mission = Mission {
        home: Some(Home {
            position: a,
            alt_amsl_m: 200.0,
        }),
        ..Mission::default()
    };
    let params = transect::corridor_params(&path, 150.0, 7, 60.0, &items);
    mission.push_complex("CorridorScan", params, items.clone());
    let plan = Plan {
        mission,
        ..Plan::default()
    };
    let text = write_plan(&plan);
    let doc: Value = serde_json::from_str(&text).unwrap();
    let c = &doc["mission"]["items"][0];
    assert_eq!(c["type"], "ComplexItem");
    assert_eq!(c["complexItemType"], "CorridorScan");
    assert_eq!(c["version"], 2);
    assert_eq!(c["CorridorWidth"], 150.0);
    assert_eq!(c["EntryPoint"], 0);
    assert_eq!(c["polyline"].as_array().unwrap().len(), 3);
    let t = &c["TransectStyleComplexItem"];
    assert_eq!(t["version"], 2);
    assert_eq!(t["CameraCalc"]["CameraName"], "Manual (no camera specs)");
    // QGroundControl's pass count, ceil(width / spacing), is the one generated.
    let spacing = t["CameraCalc"]["AdjustedFootprintSide"].as_f64().unwrap();
    assert_eq!((150.0 / spacing).ceil(), 7.0);
    let back = parse_plan(&text).unwrap();
    assert!(same_plan(&plan, &back));
    assert!(same_items(&back.mission.items, &items));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Write -> read gives the same flight items and keeps every survey parameter.
    #[test]
    fn generated_survey_round_trips_through_plan(
        angle in 0.0f64..360.0,
        side_m in 200.0f64..1500.0,
        gsd in prop::option::of(1.0f64..5.0),
        turnaround_m in 0.0f64..40.0,
        front in 0.5f64..0.85,
        side in 0.3f64..0.8,
    ) {
        let req = SurveyRequest {
            polygon: square(LatLon::new(-35.36, 149.16), side_m),
            camera: camera(),
            front_overlap: front,
            side_overlap: side,
            alt_m: 90.0,
            gsd_cm_per_px: gsd,
            angle_deg: angle,
            turnaround_m,
        };
        let (plan, items) = survey_plan(&req);
        let text = write_plan(&plan);
        let back = parse_plan(&text).unwrap();
        prop_assert!(same_plan(&plan, &back));
        let c = &back.mission.complex_items[0];
        prop_assert!(same_items(&back.mission.items[c.first_item..c.first_item + c.item_count], &items));
        prop_assert_eq!(&c.params, &plan.mission.complex_items[0].params);
        // And written again, byte for byte the same document.
        prop_assert_eq!(write_plan(&back), text);
    }
}

#[test]
fn complex_item_versions_qgroundcontrol_refuses_are_refused() {
    let plan = |item: &str| {
        format!(
            r#"{{"fileType": "Plan", "version": 1, "mission": {{"version": 2, "plannedHomePosition": [13.5, 2.1, 210], "items": [{item}]}}}}"#
        )
    };
    let items = r#""TransectStyleComplexItem": {"version": 2, "Items": []}"#;
    for (item, expected) in [
        (
            format!(r#"{{"type": "ComplexItem", "complexItemType": "CorridorScan", "version": 3, {items}}}"#),
            "CorridorScan version 3 is not supported",
        ),
        (
            format!(r#"{{"type": "ComplexItem", "complexItemType": "survey", "version": 3, {items}}}"#),
            "survey version 3 embeds no flight items",
        ),
        (
            format!(r#"{{"type": "ComplexItem", "complexItemType": "survey", "version": 6, {items}}}"#),
            "survey version 6 is not supported",
        ),
        (
            r#"{"type": "ComplexItem", "complexItemType": "survey", "version": 5, "TransectStyleComplexItem": {"version": 3, "Items": []}}"#.to_owned(),
            "TransectStyleComplexItem version 3",
        ),
    ] {
        let err = parse_plan(&plan(&item))
            .unwrap_err()
            .to_string();
        assert!(err.contains(expected) && err.contains("mission.items[0]"), "{err}");
    }
}
