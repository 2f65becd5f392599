//! Generator invariants (property tests over synthetic borders and terrain) and a
//! golden test of the border offset.

use geo::{Contains, Coord, LineString, Polygon};
use mission_planner::estimate::VehicleModel;
use mission_planner::generate::border_offset::BorderIndex;
use mission_planner::generate::survey::{Camera, SurveyRequest, survey};
use mission_planner::generate::{
    HomeSide, PatrolRequest, TerrainFollow, offset_border, plan_patrol,
};
use mission_planner::geodesy::{destination, distance_m};
use mission_planner::validate::{IssueKind, Severity, ValidationSettings, validate};
use mission_planner::{AltitudeReference, ElevationModel, LatLon, MissionCommand, Plan};
use proptest::prelude::*;

/// Rolling synthetic terrain: a base height plus two sine waves.
#[derive(Debug, Clone, Copy)]
pub struct Hills {
    pub base_m: f64,
    pub amp_m: f64,
    pub wavelength_deg: f64,
}

impl ElevationModel for Hills {
    fn elevation_m(&self, p: LatLon) -> Option<f64> {
        let k = std::f64::consts::TAU / self.wavelength_deg;
        Some(
            self.base_m
                + self.amp_m
                    * ((p.lat_deg * k).sin() * (p.lon_deg * k * 0.7).cos()
                        + 0.3 * (p.lon_deg * k * 2.3).sin()),
        )
    }
}

/// Hills plus a sharp north-south ridge and an east-west escarpment.
#[derive(Debug, Clone, Copy)]
pub struct Rough {
    pub hills: Hills,
    pub ridge_m: f64,
    pub cliff_m: f64,
}

impl ElevationModel for Rough {
    fn elevation_m(&self, p: LatLon) -> Option<f64> {
        let ridge = self.ridge_m * (-((p.lon_deg - 6.03) * 150.0).powi(2)).exp();
        let cliff = self.cliff_m * ((p.lat_deg - 13.96) * 2000.0).tanh();
        Some(self.hills.elevation_m(p)? + ridge + cliff)
    }
}

/// A closed wavy ring (star-shaped around `center`), counter-clockwise.
fn wavy_ring(center: LatLon, radius_m: f64, wave: f64, lobes: u32, n: usize) -> Vec<LatLon> {
    let mut ring: Vec<LatLon> = (0..n)
        .map(|i| {
            let t = i as f64 / n as f64 * 360.0;
            let r = radius_m * (1.0 + wave * (f64::from(lobes) * t.to_radians()).sin());
            destination(center, 360.0 - t, r)
        })
        .collect();
    ring.push(ring[0]);
    ring
}

fn polygon(ring: &[LatLon]) -> Polygon<f64> {
    Polygon::new(
        LineString::from(
            ring.iter()
                .map(|p| Coord {
                    x: p.lon_deg,
                    y: p.lat_deg,
                })
                .collect::<Vec<_>>(),
        ),
        vec![],
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn patrol_sorties_stay_inside_within_endurance_and_clear_terrain(
        radius_km in 8.0f64..20.0,
        wave in 0.0f64..0.15,
        lobes in 2u32..6,
        standoff_m in 500.0f64..3000.0,
        endurance_min in 60.0f64..120.0,
        amp_m in 0.0f64..150.0,
        bases in 1usize..4,
    ) {
        let center = LatLon::new(14.0, 6.0);
        let ring = wavy_ring(center, radius_km * 1000.0, wave, lobes, 90);
        let terrain = Hills { base_m: 400.0, amp_m, wavelength_deg: 0.15 };
        let base_list: Vec<LatLon> = (0..bases).map(|i| destination(center, 120.0 * i as f64, 2000.0 * i as f64)).collect();
        let follow = TerrainFollow::new(120.0, 200.0);
        let vehicle = VehicleModel { cruise_speed_mps: 20.0, endurance_s: endurance_min * 60.0, ..VehicleModel::default() };
        let tolerance_m = 50.0;
        let req = PatrolRequest {
            border: ring.clone(),
            home_side: None,
            standoff_m,
            simplify_tolerance_m: tolerance_m,
            terrain_follow: follow,
            bases: base_list.clone(),
            vehicle,
            border_range_m: None,
            altitude_reference: AltitudeReference::Amsl,
        };
        let plan = plan_patrol(&req, &terrain, &mut |_| {}).unwrap();
        prop_assert_eq!(plan.home_side, HomeSide::Left);
        prop_assert!(plan.uncovered_m.is_empty(), "ring of {} km with {} min endurance left gaps {:?}", radius_km, endurance_min, plan.uncovered_m);
        let territory = polygon(&ring);
        let index = BorderIndex::new(&ring);
        let total_m: f64 = ring.windows(2).map(|w| distance_m(w[0], w[1])).sum();
        // Sorties tile the whole border in order.
        prop_assert!(plan.sorties[0].border_from_m.abs() < 1.0);
        prop_assert!((plan.sorties.last().unwrap().border_to_m - total_m).abs() < total_m * 0.01);
        for w in plan.sorties.windows(2) {
            prop_assert!((w[0].border_to_m - w[1].border_from_m).abs() < 1e-6);
        }
        let territory_fence = mission_planner::GeoFence {
            polygons: vec![mission_planner::FencePolygon { vertices: ring[..ring.len() - 1].to_vec(), inclusion: true }],
            ..mission_planner::GeoFence::default()
        };
        let settings = ValidationSettings { min_clearance_m: follow.min_clearance_m, ceiling_agl_m: follow.ceiling_agl_m, vehicle, ..ValidationSettings::default() };
        for s in &plan.sorties {
            // Every waypoint inside home territory, outside the standoff buffer.
            for p in s.mission.items.iter().filter_map(|i| i.position()) {
                prop_assert!(territory.contains(&geo::Point::new(p.lon_deg, p.lat_deg)), "{} outside the territory", p);
                prop_assert!(index.distance_m(p) >= standoff_m * 0.97 - tolerance_m - 1.0, "{} only {} m from the border", p, index.distance_m(p));
            }
            // Leaves from and returns to a base.
            let base = base_list[s.base_index];
            let takeoff_at_base = matches!(s.mission.items[0].command, MissionCommand::Takeoff { position, .. } if position == base);
            prop_assert!(takeoff_at_base);
            // Then the planned speed, commanded: PX4 would otherwise fly MPC_XY_CRUISE.
            let speed_commanded = matches!(s.mission.items[1].command, MissionCommand::ChangeSpeed { speed_type, speed_mps, throttle_pct } if speed_type == 1.0 && speed_mps == vehicle.cruise_speed_mps && throttle_pct == -1.0);
            prop_assert!(speed_commanded, "{:?}", s.mission.items[1]);
            prop_assert_eq!(s.mission.items[1].frame, mission_planner::Frame::Mission);
            let lands_at_base = matches!(s.mission.items.last().unwrap().command, MissionCommand::Land { position, .. } if position == base);
            prop_assert!(lands_at_base);
            // Within endurance less reserve, between clearance floor and ceiling along every leg.
            prop_assert!(s.estimate.time_s <= vehicle.usable_s() + 1e-6);
            // The territory as an inclusion fence: every leg, sampled, stays inside it.
            let report = validate(&Plan { mission: s.mission.clone(), ..Plan::default() }, Some(&territory_fence), &terrain, &settings);
            let bad: Vec<_> = report.issues.iter().filter(|i| matches!(i.kind, IssueKind::TerrainClearance { .. } | IssueKind::AboveCeiling { .. } | IssueKind::Endurance { .. } | IssueKind::OutsideInclusionFence | IssueKind::InsideExclusionZone { .. })).collect();
            prop_assert!(bad.is_empty(), "{:?}", bad);
        }
    }

    /// The generator's own band is validation's default (120 m ceiling, 30 m floor):
    /// over rough terrain (hills, a sharp ridge, a 150 m escarpment) every sortie
    /// validates with no error at all, whatever height between 30 and 120 m is asked
    /// (the band's edges included).
    #[test]
    fn patrol_over_rough_terrain_validates_under_the_default_ceiling(
        alt_agl_m in prop_oneof![Just(120.0), Just(30.0), 30.0f64..=120.0],
        amp_m in 0.0f64..250.0,
        ridge_m in 0.0f64..400.0,
        cliff_m in 0.0f64..150.0,
        radius_km in 8.0f64..14.0,
        bases in 1usize..3,
    ) {
        let center = LatLon::new(14.0, 6.0);
        let ring = wavy_ring(center, radius_km * 1000.0, 0.08, 3, 60);
        let terrain = Rough { hills: Hills { base_m: 400.0, amp_m, wavelength_deg: 0.08 }, ridge_m, cliff_m };
        let base_list: Vec<LatLon> = (0..bases).map(|i| destination(center, 120.0 * i as f64, 2000.0 * i as f64)).collect();
        let defaults = ValidationSettings::default();
        let follow = TerrainFollow::new(alt_agl_m, defaults.ceiling_agl_m);
        let vehicle = VehicleModel { cruise_speed_mps: 20.0, endurance_s: 90.0 * 60.0, ..VehicleModel::default() };
        let req = PatrolRequest {
            border: ring.clone(),
            home_side: None,
            standoff_m: 1000.0,
            simplify_tolerance_m: 50.0,
            terrain_follow: follow,
            bases: base_list,
            vehicle,
            border_range_m: None,
            altitude_reference: AltitudeReference::Amsl,
        };
        let plan = plan_patrol(&req, &terrain, &mut |_| {}).unwrap();
        prop_assert!(!plan.sorties.is_empty());
        let fence = mission_planner::GeoFence {
            polygons: vec![mission_planner::FencePolygon { vertices: ring[..ring.len() - 1].to_vec(), inclusion: true }],
            ..mission_planner::GeoFence::default()
        };
        let settings = ValidationSettings { vehicle, ..defaults };
        for s in &plan.sorties {
            let report = validate(&Plan { mission: s.mission.clone(), ..Plan::default() }, Some(&fence), &terrain, &settings);
            let errors: Vec<_> = report.issues.iter().filter(|i| i.severity == Severity::Error).map(|i| &i.message).collect();
            prop_assert!(errors.is_empty(), "asked {} m AGL: {:?}", alt_agl_m, errors);
        }
    }

    #[test]
    fn survey_lines_stay_inside_the_area(angle in 0.0f64..180.0, w_m in 300.0f64..2000.0, h_m in 300.0f64..2000.0, side in 0.3f64..0.8) {
        let c = LatLon::new(13.5, 2.1);
        let a = destination(c, 225.0, w_m.hypot(h_m) / 2.0);
        let b = destination(a, 90.0, w_m);
        let d = destination(b, 0.0, h_m);
        let e = destination(a, 0.0, h_m);
        let area = vec![a, b, d, e];
        let camera = Camera { sensor_width_mm: 13.2, sensor_height_mm: 8.8, focal_length_mm: 8.8, image_width_px: 5472, image_height_px: 3648 };
        let req = SurveyRequest { polygon: area.clone(), camera, front_overlap: 0.75, side_overlap: side, alt_m: 80.0, gsd_cm_per_px: None, angle_deg: angle, turnaround_m: 0.0 };
        let (items, layout) = survey(&req).unwrap();
        prop_assert!(layout.lines >= 1);
        let mut ring = area.clone();
        ring.push(area[0]);
        let index = BorderIndex::new(&ring);
        let poly = polygon(&ring);
        for p in items.iter().filter_map(|i| i.position()) {
            let inside = poly.contains(&geo::Point::new(p.lon_deg, p.lat_deg)) || index.distance_m(p) < 2.0;
            prop_assert!(inside, "{} outside the survey area", p);
        }
    }
}

#[test]
fn offset_of_niger_border_golden_figures() {
    let text = std::fs::read_to_string(
        crate::util::data_dir().join("01_boundaries/ne10m/niger_border_line.geojson"),
    )
    .unwrap();
    let border = mission_planner::border::border_from_geojson(&text).unwrap();
    assert_eq!(
        border.first(),
        border.last(),
        "Niger's border line is a closed ring"
    );
    let total_km: f64 = border
        .windows(2)
        .map(|w| distance_m(w[0], w[1]))
        .sum::<f64>()
        / 1000.0;
    // Natural Earth ring: 5586.128 km geodesic (WGS84); Haversine is within 0.5%.
    assert!((total_km - 5586.128).abs() < 5586.128 * 0.005, "{total_km}");
    let niamey = LatLon::new(13.5116, 2.1254);
    // The Natural Earth ring runs clockwise, so Niger is on its right.
    assert_eq!(HomeSide::of_point(&border, niamey), Some(HomeSide::Right));
    let off = offset_border(&border, HomeSide::Right, 2000.0, 100.0);
    let niger = polygon(&border);
    let index = BorderIndex::new(&border);
    for p in &off.points {
        assert!(
            niger.contains(&geo::Point::new(p.lon_deg, p.lat_deg)),
            "{p} is outside Niger"
        );
        assert!(index.distance_m(*p) > 1900.0, "{p} too close");
    }
    let len_km: f64 = off
        .points
        .windows(2)
        .map(|w| distance_m(w[0], w[1]))
        .sum::<f64>()
        / 1000.0;
    assert!(
        len_km < total_km && len_km > total_km * 0.9,
        "offset line {len_km} km"
    );
    // Simplified, then cut into pieces short enough to follow the lon/lat edges.
    let longest_m = off
        .points
        .windows(2)
        .map(|w| distance_m(w[0], w[1]))
        .fold(0.0, f64::max);
    assert!(longest_m < 8_000.0, "longest leg {longest_m} m");
    assert!(
        off.points.len() < (total_km / 5.0) as usize + border.len(),
        "{} points",
        off.points.len()
    );
}

/// Golden output of a small patrol: sortie split, border ranges, every waypoint.
/// Regenerate with `UPDATE_GOLDEN=1 cargo test -p mission-planner golden`.
#[test]
fn golden_patrol_square() {
    let c = LatLon::new(14.0, 6.0);
    let ring = wavy_ring(c, 12_000.0, 0.1, 3, 24);
    let terrain = Hills {
        base_m: 400.0,
        amp_m: 80.0,
        wavelength_deg: 0.1,
    };
    let follow = TerrainFollow::new(120.0, 200.0);
    let req = PatrolRequest {
        border: ring,
        home_side: None,
        standoff_m: 1500.0,
        simplify_tolerance_m: 50.0,
        terrain_follow: follow,
        bases: vec![c, destination(c, 90.0, 3000.0)],
        vehicle: VehicleModel {
            cruise_speed_mps: 18.0,
            endurance_s: 45.0 * 60.0,
            ..VehicleModel::default()
        },
        border_range_m: None,
        altitude_reference: AltitudeReference::Amsl,
    };
    let plan = plan_patrol(&req, &terrain, &mut |_| {}).unwrap();
    let summary: Vec<serde_json::Value> = plan
        .sorties
        .iter()
        .map(|s| {
            let wps: Vec<[f64; 3]> = s
                .mission
                .items
                .iter()
                .filter_map(|i| Some((i.position()?, i.altitude()?)))
                .map(|(p, a)| [p.lat_deg, p.lon_deg, a.alt_m])
                .collect();
            let speeds: Vec<f64> = s
                .mission
                .items
                .iter()
                .filter_map(|i| match i.command {
                    MissionCommand::ChangeSpeed { speed_mps, .. } => Some(speed_mps),
                    _ => None,
                })
                .collect();
            serde_json::json!({"base": s.base_index, "from_m": s.border_from_m, "to_m": s.border_to_m, "speeds_mps": speeds, "waypoints": wps})
        })
        .collect();
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/patrol_square.json");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, serde_json::to_string_pretty(&summary).unwrap()).unwrap();
    }
    let golden: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("golden file")).unwrap();
    assert_eq!(golden.len(), summary.len(), "sortie count changed");
    for (g, s) in golden.iter().zip(&summary) {
        assert_eq!(g["base"], s["base"]);
        assert_eq!(g["speeds_mps"], s["speeds_mps"], "commanded speeds changed");
        for k in ["from_m", "to_m"] {
            assert!(
                (g[k].as_f64().unwrap() - s[k].as_f64().unwrap()).abs() < 1e-3,
                "{k}: {} vs {}",
                g[k],
                s[k]
            );
        }
        let (gw, sw) = (
            g["waypoints"].as_array().unwrap(),
            s["waypoints"].as_array().unwrap(),
        );
        assert_eq!(gw.len(), sw.len(), "waypoint count changed");
        for (a, b) in gw.iter().zip(sw) {
            for k in 0..3 {
                let (x, y) = (a[k].as_f64().unwrap(), b[k].as_f64().unwrap());
                assert!(
                    (x - y).abs() < 1e-6 * x.abs().max(1.0),
                    "waypoint {a} vs {b}"
                );
            }
        }
    }
}

#[test]
fn base_across_the_border_is_warned_about() {
    let c = LatLon::new(14.0, 6.0);
    let ring = wavy_ring(c, 10_000.0, 0.0, 2, 36);
    let req = PatrolRequest {
        border: ring,
        home_side: None,
        standoff_m: 1000.0,
        simplify_tolerance_m: 20.0,
        terrain_follow: TerrainFollow::new(100.0, 150.0),
        bases: vec![c, destination(c, 0.0, 15_000.0)],
        vehicle: VehicleModel {
            cruise_speed_mps: 20.0,
            endurance_s: 7200.0,
            ..VehicleModel::default()
        },
        border_range_m: None,
        altitude_reference: AltitudeReference::Home,
    };
    let plan = plan_patrol(
        &req,
        &mission_planner::FlatTerrain { height_m: 0.0 },
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(plan.warnings.len(), 1, "{:?}", plan.warnings);
    assert!(plan.warnings[0].contains("base 2"));
}

#[test]
fn corridor_passes_are_spread_over_the_width() {
    use mission_planner::generate::corridor_scan;
    let a = LatLon::new(13.0, 2.0);
    let b = destination(a, 90.0, 5000.0);
    let c = destination(b, 45.0, 3000.0);
    let path = vec![a, b, c];
    let items = corridor_scan(&path, 200.0, 3, mission_planner::Altitude::above_home(80.0));
    let index = BorderIndex::new(&path);
    let pts: Vec<LatLon> = items.iter().filter_map(|i| i.position()).collect();
    let near: Vec<f64> = pts.iter().map(|p| index.distance_m(*p)).collect();
    // Each pass centred in its third of the 200 m corridor, as QGroundControl lays
    // them out: the middle one on the line, the outer ones 66.7 m either side
    // (corner arcs included).
    assert!(near.iter().filter(|d| **d < 1.0).count() == 3, "{near:?}");
    assert!(
        near.iter()
            .all(|d| *d < 1.0 || (*d - 200.0 / 3.0).abs() < 3.0),
        "{near:?}"
    );
    // The first pass starts beside the start of the path.
    assert!(distance_m(pts[0], a) < 70.0);
}

#[test]
fn transits_go_around_a_bay_instead_of_across_it() {
    // A U-shaped territory (lat 13..13.3, lon 2..2.4) with a bay cut from the top
    // middle; the base sits in the left arm, much of the border is in the right arm.
    let ll = |lon: f64, lat: f64| LatLon::new(13.0 + lat, 2.0 + lon);
    let ring = vec![
        ll(0.0, 0.0),
        ll(0.4, 0.0),
        ll(0.4, 0.3),
        ll(0.25, 0.3),
        ll(0.25, 0.08),
        ll(0.15, 0.08),
        ll(0.15, 0.3),
        ll(0.0, 0.3),
        ll(0.0, 0.0),
    ];
    let base = ll(0.05, 0.25);
    let req = PatrolRequest {
        border: ring.clone(),
        home_side: None,
        standoff_m: 1000.0,
        simplify_tolerance_m: 20.0,
        terrain_follow: TerrainFollow::new(100.0, 150.0),
        bases: vec![base],
        vehicle: VehicleModel {
            cruise_speed_mps: 25.0,
            endurance_s: 3.0 * 3600.0,
            ..VehicleModel::default()
        },
        border_range_m: None,
        altitude_reference: AltitudeReference::Home,
    };
    let flat = mission_planner::FlatTerrain { height_m: 0.0 };
    let plan = plan_patrol(&req, &flat, &mut |_| {}).unwrap();
    assert!(plan.uncovered_m.is_empty(), "{:?}", plan.uncovered_m);
    let fence = mission_planner::GeoFence {
        polygons: vec![mission_planner::FencePolygon {
            vertices: ring[..ring.len() - 1].to_vec(),
            inclusion: true,
        }],
        ..mission_planner::GeoFence::default()
    };
    for s in &plan.sorties {
        let r = validate(
            &Plan {
                mission: s.mission.clone(),
                ..Plan::default()
            },
            Some(&fence),
            &flat,
            &ValidationSettings::default(),
        );
        let out: Vec<_> = r
            .issues
            .iter()
            .filter(|i| matches!(i.kind, IssueKind::OutsideInclusionFence))
            .collect();
        assert!(out.is_empty(), "{out:?}");
    }
}
