//! Golden outputs of the survey, corridor and orbit generators (the patrol's is in
//! `generators`). Regenerate with `UPDATE_GOLDEN=1 cargo test -p mission-planner golden`.

use mission_planner::generate::survey::{Camera, SurveyRequest, corridor_scan, orbit, survey};
use mission_planner::geodesy::destination;
use mission_planner::{Altitude, LatLon, MissionItem};
use serde_json::{Value, json};

/// Each item as [command, param1, lat, lon, alt] (0 where it has no position).
fn summary(items: &[MissionItem]) -> Value {
    Value::Array(
        items
            .iter()
            .map(|i| {
                let p = i.to_params();
                json!([
                    p.command,
                    p.params[0],
                    p.params[4],
                    p.params[5],
                    p.params[6]
                ])
            })
            .collect(),
    )
}

fn check(name: &str, got: Value) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, serde_json::to_string_pretty(&got).unwrap()).unwrap();
    }
    let golden: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("golden file")).unwrap();
    let (g, s) = (golden.as_array().unwrap(), got.as_array().unwrap());
    assert_eq!(g.len(), s.len(), "{name}: item count changed");
    for (a, b) in g.iter().zip(s) {
        for k in 0..5 {
            let (x, y) = (a[k].as_f64().unwrap(), b[k].as_f64().unwrap());
            assert!(
                (x - y).abs() <= 1e-9 * x.abs().max(1.0),
                "{name}: item {a} vs {b}"
            );
        }
    }
}

#[test]
fn golden_survey_corridor_and_orbit() {
    let c = LatLon::new(13.5, 2.1);
    // A skewed quadrilateral with a concave notch, lines at 35 degrees.
    let polygon = vec![
        destination(c, 225.0, 700.0),
        destination(c, 135.0, 650.0),
        destination(c, 60.0, 600.0),
        destination(c, 10.0, 250.0),
        destination(c, 320.0, 620.0),
    ];
    let req = SurveyRequest {
        polygon,
        camera: Camera {
            sensor_width_mm: 23.5,
            sensor_height_mm: 15.6,
            focal_length_mm: 16.0,
            image_width_px: 6000,
            image_height_px: 4000,
        },
        front_overlap: 0.75,
        side_overlap: 0.65,
        alt_m: 0.0,
        gsd_cm_per_px: Some(2.5),
        angle_deg: 35.0,
        turnaround_m: 25.0,
    };
    let (items, layout) = survey(&req).unwrap();
    check("survey.json", summary(&items));
    assert_eq!(
        layout.lines,
        items
            .iter()
            .filter(|i| i.to_params().command == 206)
            .count()
            / 2
    );
    let path = vec![
        c,
        destination(c, 80.0, 2500.0),
        destination(c, 50.0, 4500.0),
    ];
    check(
        "corridor.json",
        summary(&corridor_scan(&path, 240.0, 4, Altitude::above_home(70.0))),
    );
    check(
        "orbit.json",
        summary(&orbit(c, 350.0, Altitude::above_home(90.0), 1.5, 8)),
    );
}
