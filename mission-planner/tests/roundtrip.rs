//! Property tests: plan -> MAVLink -> plan, MAVLink -> plan -> MAVLink, .plan and
//! WPL write -> read.

use mission_planner::files::{Format, parse_plan, render_plan};
use mission_planner::mavlink::{
    fence_from_raw, fence_to_raw, mission_from_raw, mission_to_raw, rally_from_raw, rally_to_raw,
};
use mission_planner::{
    Altitude, AltitudeReference, FenceCircle, FencePolygon, Frame, GeoFence, Home, LatLon, Mission,
    MissionCommand, MissionItem, MissionItemInt, MissionType, Plan, RallyPoint,
};
use proptest::prelude::*;

use crate::util::{same_mission, same_plan};

/// A latitude/longitude on the degE7 grid, computed as the decoder computes it.
fn grid_lat_lon() -> impl Strategy<Value = LatLon> {
    (
        -900_000_000i32..=900_000_000,
        -1_800_000_000i32..=1_800_000_000,
    )
        .prop_map(|(a, b)| LatLon::from_deg_e7(a, b))
}

/// An f64 that an f32 holds exactly (NaN included).
fn f32_value() -> BoxedStrategy<f64> {
    prop_oneof![
        8 => (-100_000.0f32..100_000.0).prop_map(f64::from),
        1 => Just(0.0),
        1 => Just(f64::NAN),
    ]
    .boxed()
}

/// Any f64 value, NaN included.
fn f64_value() -> BoxedStrategy<f64> {
    prop_oneof![8 => -1e6f64..1e6, 1 => Just(0.0), 1 => Just(f64::NAN)].boxed()
}

fn reference() -> impl Strategy<Value = AltitudeReference> {
    prop_oneof![
        Just(AltitudeReference::Amsl),
        Just(AltitudeReference::Home),
        Just(AltitudeReference::Terrain)
    ]
}

/// Typed items with f32-exact values on the degE7 grid (`v` makes the values).
fn typed_item<S: Strategy<Value = f64> + Clone + 'static>(
    v: S,
    pos: BoxedStrategy<LatLon>,
) -> impl Strategy<Value = MissionItem> {
    use MissionCommand::*;
    let cmd = prop_oneof![
        (
            pos.clone(),
            v.clone(),
            v.clone(),
            v.clone(),
            v.clone(),
            v.clone()
        )
            .prop_map(
                |(position, alt_m, hold_s, acceptance_radius_m, pass_radius_m, yaw_deg)| Waypoint {
                    position,
                    alt_m,
                    hold_s,
                    acceptance_radius_m,
                    pass_radius_m,
                    yaw_deg
                }
            ),
        (pos.clone(), v.clone(), v.clone(), v.clone()).prop_map(
            |(position, alt_m, pitch_deg, yaw_deg)| Takeoff {
                position,
                alt_m,
                pitch_deg,
                yaw_deg
            }
        ),
        (pos.clone(), v.clone(), v.clone(), v.clone(), v.clone()).prop_map(
            |(position, alt_m, abort_alt_m, land_mode, yaw_deg)| Land {
                position,
                alt_m,
                abort_alt_m,
                land_mode,
                yaw_deg
            }
        ),
        Just(ReturnToLaunch),
        (pos.clone(), v.clone(), v.clone(), v.clone()).prop_map(
            |(position, alt_m, radius_m, yaw_deg)| LoiterUnlimited {
                position,
                alt_m,
                radius_m,
                yaw_deg
            }
        ),
        (
            pos.clone(),
            v.clone(),
            v.clone(),
            v.clone(),
            v.clone(),
            v.clone()
        )
            .prop_map(
                |(position, alt_m, turns, heading_required, radius_m, xtrack)| LoiterTurns {
                    position,
                    alt_m,
                    turns,
                    heading_required,
                    radius_m,
                    xtrack
                }
            ),
        (
            pos.clone(),
            v.clone(),
            v.clone(),
            v.clone(),
            v.clone(),
            v.clone()
        )
            .prop_map(
                |(position, alt_m, time_s, heading_required, radius_m, xtrack)| LoiterTime {
                    position,
                    alt_m,
                    time_s,
                    heading_required,
                    radius_m,
                    xtrack
                }
            ),
        (pos.clone(), v.clone(), v.clone(), v.clone(), v.clone()).prop_map(
            |(position, alt_m, heading_required, radius_m, xtrack)| LoiterToAlt {
                position,
                alt_m,
                heading_required,
                radius_m,
                xtrack
            }
        ),
        (v.clone(), v.clone(), v.clone()).prop_map(|(speed_type, speed_mps, throttle_pct)| {
            ChangeSpeed {
                speed_type,
                speed_mps,
                throttle_pct,
            }
        }),
        (pos.clone(), v.clone(), any::<bool>()).prop_map(|(position, alt_m, legacy)| {
            RegionOfInterest {
                position,
                alt_m,
                legacy,
            }
        }),
        (v.clone(), v.clone(), v.clone()).prop_map(|(distance_m, shutter_ms, trigger_now)| {
            CameraTriggerDistance {
                distance_m,
                shutter_ms,
                trigger_now,
            }
        }),
        v.clone().prop_map(|delay_s| Delay { delay_s }),
        (0u16..400, -1i32..50).prop_map(|(target_seq, repeat)| Jump { target_seq, repeat }),
        // Commands without a typed form.
        (
            prop_oneof![
                Just(2000u16),
                Just(203),
                Just(84),
                Just(85),
                Just(189),
                Just(205),
                Just(530)
            ],
            pos.clone(),
            proptest::array::uniform4(v.clone()),
            v.clone()
        )
            .prop_map(|(command, p, a, z)| Other {
                command,
                params: [a[0], a[1], a[2], a[3], p.lat_deg, p.lon_deg, z]
            }),
    ];
    (cmd, reference(), any::<bool>(), any::<bool>()).prop_map(
        |(command, r, int_frame, autocontinue)| {
            let positional = matches!(
                command,
                Waypoint { .. }
                    | Takeoff { .. }
                    | Land { .. }
                    | LoiterUnlimited { .. }
                    | LoiterTurns { .. }
                    | LoiterTime { .. }
                    | LoiterToAlt { .. }
                    | RegionOfInterest { .. }
            );
            let frame = if positional || matches!(command, Other { .. }) {
                if int_frame {
                    Frame::GlobalInt(r)
                } else {
                    Frame::Global(r)
                }
            } else if int_frame {
                Frame::Global(AltitudeReference::Amsl)
            } else {
                Frame::Mission
            };
            MissionItem {
                command,
                frame,
                autocontinue,
            }
        },
    )
}

fn mission<S: Strategy<Value = f64> + Clone + 'static>(
    v: S,
    pos: BoxedStrategy<LatLon>,
    with_home: bool,
) -> impl Strategy<Value = Mission> {
    let home = (
        pos.clone(),
        v.clone().prop_filter("finite", |x| x.is_finite()),
    )
        .prop_map(|(position, alt_amsl_m)| Home {
            position,
            alt_amsl_m,
        });
    (
        proptest::collection::vec(typed_item(v, pos), 0..25),
        home,
        any::<bool>(),
        0usize..30,
    )
        .prop_map(move |(items, home, has_home, cur)| {
            let home = (with_home || has_home).then_some(home);
            let count = items.len() + usize::from(home.is_some());
            Mission {
                home,
                current_seq: (cur < count).then_some(cur as u16),
                items,
                ..Mission::default()
            }
        })
}

/// `m` with every positional item's altitude a value files may hold (finite, within
/// ±100 km): readers refuse others (see `limits`), so file round trips use these.
fn sane_altitudes(m: &mut Mission) {
    if let Some(h) = &mut m.home
        && h.alt_amsl_m.abs() > 100_000.0
    {
        h.alt_amsl_m = 300.0;
    }
    for item in &mut m.items {
        if item
            .altitude()
            .is_some_and(|a| !(a.alt_m.is_finite() && a.alt_m.abs() <= 100_000.0))
        {
            let mut p = item.to_params();
            p.params[6] = 120.0;
            *item = MissionItem::from_params(&p);
        }
    }
}

/// `m` with PX4's `_INT` frames read as QGroundControl's (what `mission_from_raw` does).
fn qgc_frames(m: &Mission) -> Mission {
    let mut m = m.clone();
    for item in &mut m.items {
        if let Frame::GlobalInt(r) = item.frame {
            item.frame = Frame::Global(r);
        }
    }
    m
}

fn raw_item() -> impl Strategy<Value = MissionItemInt> {
    let f = prop_oneof![8 => any::<f32>(), 1 => Just(0.0f32), 1 => Just(f32::NAN)];
    let frame = prop_oneof![
        Just(0u8),
        Just(2),
        Just(3),
        Just(5),
        Just(6),
        Just(10),
        Just(11),
        Just(1),
        Just(4),
        any::<u8>()
    ];
    let command = prop_oneof![4 => prop_oneof![Just(16u16), Just(17), Just(18), Just(19), Just(20), Just(21), Just(22), Just(31), Just(112), Just(177), Just(178), Just(195), Just(201), Just(206)], 1 => any::<u16>()];
    (
        frame,
        command,
        0u8..3,
        proptest::array::uniform4(f.clone()),
        any::<i32>(),
        any::<i32>(),
        f,
    )
        .prop_map(
            |(frame, command, autocontinue, p, x, y, z)| MissionItemInt {
                seq: 0,
                frame,
                command,
                current: 0,
                autocontinue: u8::from(autocontinue > 0),
                param1: p[0],
                param2: p[1],
                param3: p[2],
                param4: p[3],
                x,
                y,
                z,
                mission_type: MissionType::Mission,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn raw_mission_to_plan_to_raw_is_exact(mut raw in proptest::collection::vec(raw_item(), 0..40), cur in 0usize..50, first_is_home in any::<bool>()) {
        for (i, r) in raw.iter_mut().enumerate() {
            r.seq = i as u16;
            r.current = u8::from(i == cur);
        }
        let mission = mission_from_raw(&raw, first_is_home).unwrap();
        let back = mission_to_raw(&mission);
        prop_assert_eq!(back.len(), raw.len());
        for (a, b) in raw.iter().zip(&back) {
            // Exact but for PX4's _INT frames, which come back as QGroundControl's.
            let a = MissionItemInt { frame: mission_planner::mavlink::qgc_frame(a.frame), ..*a };
            prop_assert!(a.same_as(b), "{:?} became {:?}", a, b);
        }
    }

    #[test]
    fn plan_to_raw_to_plan_is_exact(m in mission(f32_value(), grid_lat_lon().boxed(), false)) {
        let raw = mission_to_raw(&m);
        let back = mission_from_raw(&raw, m.home.is_some()).unwrap();
        let m = qgc_frames(&m);
        prop_assert!(same_mission(&m, &back), "{:?}\nbecame\n{:?}", m, back);
        prop_assert_eq!(back.current_seq, m.current_seq);
    }

    #[test]
    fn fence_and_rally_to_raw_and_back(
        polys in proptest::collection::vec((proptest::collection::vec(grid_lat_lon(), 3..8), any::<bool>()), 0..4),
        circles in proptest::collection::vec((grid_lat_lon(), 1.0f32..50_000.0, any::<bool>()), 0..4),
        ret in proptest::option::of((grid_lat_lon(), -100.0f32..3000.0)),
        rally in proptest::collection::vec((grid_lat_lon(), -100.0f32..3000.0, reference()), 0..5),
    ) {
        let fence = GeoFence {
            polygons: polys.into_iter().map(|(vertices, inclusion)| FencePolygon { vertices, inclusion }).collect(),
            circles: circles.into_iter().map(|(center, r, inclusion)| FenceCircle { center, radius_m: f64::from(r), inclusion }).collect(),
            breach_return: ret.map(|(p, a)| (p, f64::from(a))),
            other_items: vec![],
        };
        let raw = fence_to_raw(&fence);
        prop_assert!(raw.iter().all(|r| r.mission_type == MissionType::Fence));
        prop_assert_eq!(&fence_from_raw(&raw).unwrap(), &fence);
        let points: Vec<RallyPoint> = rally.into_iter().map(|(position, a, reference)| RallyPoint { position, altitude: Altitude { alt_m: f64::from(a), reference }, params: [0.0; 4] }).collect();
        let raw = rally_to_raw(&points);
        prop_assert!(raw.iter().all(|r| r.command == 5100 && r.mission_type == MissionType::Rally));
        prop_assert_eq!(rally_from_raw(&raw).unwrap(), points);
    }

    #[test]
    fn qgc_plan_write_read_is_lossless(
        m in mission(f64_value(), (-90.0f64..90.0, -180.0f64..180.0).prop_map(|(a, b)| LatLon::new(a, b)).boxed(), true),
        polys in proptest::collection::vec((proptest::collection::vec((-90.0f64..90.0, -180.0f64..180.0).prop_map(|(a, b)| LatLon::new(a, b)), 3..6), any::<bool>()), 0..3),
        circles in proptest::collection::vec(((-90.0f64..90.0, -180.0f64..180.0), 1.0f64..1e5, any::<bool>()), 0..3),
        rally in proptest::collection::vec(((-90.0f64..90.0, -180.0f64..180.0), -100.0f64..3000.0), 0..4),
        speeds in (0.5f64..40.0, 0.5f64..20.0),
    ) {
        let mut m = m;
        sane_altitudes(&mut m);
        m.current_seq = None; // .plan files do not store the current item
        m.cruise_speed_mps = speeds.0;
        m.hover_speed_mps = speeds.1;
        let plan = Plan {
            mission: m,
            fence: GeoFence {
                polygons: polys.into_iter().map(|(vertices, inclusion)| FencePolygon { vertices, inclusion }).collect(),
                circles: circles.into_iter().map(|((a, b), radius_m, inclusion)| FenceCircle { center: LatLon::new(a, b), radius_m, inclusion }).collect(),
                ..GeoFence::default()
            },
            rally_points: rally.into_iter().map(|((a, b), alt)| RallyPoint::new(LatLon::new(a, b), alt)).collect(),
        };
        let text = render_plan(&plan, Format::QgcPlan).unwrap();
        let back = parse_plan(&text, Format::QgcPlan).unwrap();
        prop_assert!(same_plan(&plan, &back), "{}", text);
        prop_assert_eq!(back.mission.cruise_speed_mps, plan.mission.cruise_speed_mps);
    }

    #[test]
    fn wpl_write_read_is_lossless(m in mission(f64_value(), (-90.0f64..90.0, -180.0f64..180.0).prop_map(|(a, b)| LatLon::new(a, b)).boxed(), true), crlf in any::<bool>()) {
        let mut m = m;
        sane_altitudes(&mut m);
        let plan = Plan { mission: m, ..Plan::default() };
        let mut text = render_plan(&plan, Format::Wpl).unwrap();
        if crlf {
            text = text.replace('\n', "\r\n");
        }
        let back = parse_plan(&text, Format::Wpl).unwrap();
        prop_assert!(same_plan(&plan, &back), "{}", text);
        prop_assert_eq!(back.mission.current_seq, plan.mission.current_seq);
    }

    #[test]
    fn garbage_never_panics(text in ".{0,400}", format in prop_oneof![Just(Format::QgcPlan), Just(Format::QgcMission), Just(Format::Wpl)]) {
        let _ = parse_plan(&text, format);
    }

    #[test]
    fn wpl_like_garbage_never_panics(lines in proptest::collection::vec(proptest::collection::vec(prop_oneof![Just("0".to_string()), Just("5001".to_string()), Just("-1".to_string()), Just("nan".to_string()), Just("99999999999".to_string()), "[0-9.e-]{1,8}"], 0..14), 0..12)) {
        let text = std::iter::once("QGC WPL 110".to_string()).chain(lines.iter().map(|l| l.join("\t"))).collect::<Vec<_>>().join("\n");
        let _ = parse_plan(&text, Format::Wpl);
    }
}

/// Every value of real .plan files replaced, one at a time, by each of a few wrong
/// values: loading reports an error or a plan, and never panics.
#[test]
fn mutated_plans_never_panic() {
    fn walk(v: &serde_json::Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        out.push(path.clone());
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    path.push(k.clone());
                    walk(x, path, out);
                    path.pop();
                }
            }
            serde_json::Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    path.push(i.to_string());
                    walk(x, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    fn at<'a>(v: &'a mut serde_json::Value, path: &[String]) -> &'a mut serde_json::Value {
        path.iter().fold(v, |v, k| match v {
            serde_json::Value::Object(m) => m.get_mut(k).unwrap(),
            serde_json::Value::Array(a) => &mut a[k.parse::<usize>().unwrap()],
            _ => unreachable!(),
        })
    }
    let wrong = [
        serde_json::json!(null),
        serde_json::json!("x"),
        serde_json::json!(-1),
        serde_json::json!(1e300),
        serde_json::json!([]),
        serde_json::json!({}),
        serde_json::json!(4_294_967_296u64),
    ];
    let mut tried = 0;
    for rel in [
        "qgc/ArduPilotSITL-ArduPlane.plan",
        "mavsdk/qgroundcontrol_sample_with_survey.plan",
        "qgc/ce_geofence_outfield.plan",
    ] {
        let text = std::fs::read_to_string(crate::util::mission_file(rel)).unwrap();
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut paths = Vec::new();
        walk(&doc, &mut Vec::new(), &mut paths);
        for p in &paths {
            for w in &wrong {
                let mut d = doc.clone();
                *at(&mut d, p) = w.clone();
                let _ = parse_plan(&d.to_string(), Format::QgcPlan);
                tried += 1;
            }
        }
    }
    assert!(tried > 1000, "{tried}");
}

/// Degrees and degE7 integers meet only in `LatLon::{from_deg_e7, to_deg_e7}`: no other
/// scaling by 10⁷ in this crate or its command line.
#[test]
fn deg_e7_conversions_only_through_lat_lon() {
    fn scan(dir: &std::path::Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                scan(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (n, line) in text.lines().enumerate() {
                    let code = line.split("//").next().unwrap_or("");
                    if ["1e7", "1.0e7", "10_000_000", "1e-7"]
                        .iter()
                        .any(|k| code.contains(k))
                        && !code.contains("MAX_SAMPLES")
                    {
                        found.push(format!("{}:{}: {line}", path.display(), n + 1));
                    }
                }
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    scan(&root.join("src"), &mut found);
    scan(&root.join("cli/src"), &mut found);
    assert!(
        found.is_empty(),
        "degE7 scaling outside LatLon:\n{}",
        found.join("\n")
    );
}
