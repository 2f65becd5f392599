//! Patrols from bases right beside the border, on Niger's real border line.

use geo::{Contains, Coord, LineString, Polygon};
use mission_planner::estimate::VehicleModel;
use mission_planner::generate::{HomeSide, PatrolPlan, PatrolRequest, TerrainFollow, plan_patrol};
use mission_planner::geodesy::Polyline;
use mission_planner::validate::{Severity, ValidationSettings, validate};
use mission_planner::{
    AltitudeReference, FencePolygon, FlatTerrain, GeoFence, LatLon, Plan, border,
};

use crate::util::niger_asset;

/// Diffa, 2.1 km north of the Niger-Nigeria border (km ~4302.6 of the ring), just
/// west of a spike of the Komadugu Yobe river.
const DIFFA: LatLon = LatLon {
    lat_deg: 13.3154,
    lon_deg: 12.6113,
};

fn niger_border() -> Vec<LatLon> {
    let text = std::fs::read_to_string(niger_asset("ne10m_niger_border_line.geojson")).unwrap();
    border::border_from_geojson(&text).unwrap()
}

fn diffa_patrol(standoff_m: f64, range_km: Option<(f64, f64)>) -> (PatrolRequest, PatrolPlan) {
    let req = PatrolRequest {
        border: niger_border(),
        home_side: None,
        standoff_m,
        simplify_tolerance_m: 100.0,
        terrain_follow: TerrainFollow::new(100.0, 120.0),
        bases: vec![DIFFA],
        vehicle: VehicleModel {
            cruise_speed_mps: 15.0,
            endurance_s: 60.0 * 60.0,
            reserve_frac: 0.2,
            ..VehicleModel::default()
        },
        border_range_m: range_km.map(|(a, b)| (a * 1000.0, b * 1000.0)),
        altitude_reference: AltitudeReference::Home,
    };
    let plan = plan_patrol(&req, &FlatTerrain { height_m: 0.0 }, &mut |_| {}).unwrap();
    (req, plan)
}

/// Every sortie fits the endurance less reserve and stays inside Niger.
fn assert_sorties_fly_inside_niger(req: &PatrolRequest, plan: &PatrolPlan) {
    let ring = &req.border;
    let niger = Polygon::new(
        LineString::from(
            ring.iter()
                .map(|p| Coord {
                    x: p.lon_deg,
                    y: p.lat_deg,
                })
                .collect::<Vec<_>>(),
        ),
        vec![],
    );
    let territory = GeoFence {
        polygons: vec![FencePolygon {
            vertices: ring[..ring.len() - 1].to_vec(),
            inclusion: true,
        }],
        ..GeoFence::default()
    };
    let follow = req.terrain_follow;
    let settings = ValidationSettings {
        min_clearance_m: follow.min_clearance_m,
        ceiling_agl_m: follow.ceiling_agl_m,
        sample_step_m: follow.sample_step_m,
        vehicle: req.vehicle,
        terrain_known: false,
        ..ValidationSettings::default()
    };
    for (i, s) in plan.sorties.iter().enumerate() {
        assert!(
            s.estimate.time_s <= req.vehicle.usable_s(),
            "sortie {i}: {} s over {} s",
            s.estimate.time_s,
            req.vehicle.usable_s()
        );
        for p in s.mission.items.iter().filter_map(|it| it.position()) {
            assert!(
                niger.contains(&geo::Point::new(p.lon_deg, p.lat_deg)),
                "sortie {i}: {p} is outside Niger"
            );
        }
        let plan = Plan {
            mission: s.mission.clone(),
            ..Plan::default()
        };
        let report = validate(
            &plan,
            Some(&territory),
            &FlatTerrain { height_m: 0.0 },
            &settings,
        );
        let errors: Vec<_> = report
            .issues
            .iter()
            .filter(|x| x.severity == Severity::Error)
            .map(|x| &x.message)
            .collect();
        assert!(errors.is_empty(), "sortie {i}: {errors:?}");
    }
}

#[test]
fn diffa_is_on_nigers_side_of_the_border_spike() {
    let ring = niger_border();
    // Niger's ring runs clockwise: home is on its right, Diffa included, both on
    // the whole ring and on the open stretch around it.
    assert_eq!(HomeSide::of_point(&ring, DIFFA), Some(HomeSide::Right));
    let stretch = Polyline::new(ring).slice(4_262_000.0, 4_342_000.0);
    assert_eq!(HomeSide::of_point(&stretch, DIFFA), Some(HomeSide::Right));
}

#[test]
fn diffa_beside_the_border_gets_sorties_within_endurance() {
    let (req, plan) = diffa_patrol(2000.0, Some((4262.0, 4342.0)));
    assert_eq!(plan.home_side, HomeSide::Right);
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
    assert!(!plan.sorties.is_empty(), "uncovered {:?}", plan.uncovered_m);
    assert!(
        plan.sorties.iter().any(|s| s.border_to_m > s.border_from_m
            && s.border_from_m < 4_342_000.0
            && s.border_to_m > 4_262_000.0),
        "{:?}",
        plan.sorties
            .iter()
            .map(|s| (s.border_from_m, s.border_to_m))
            .collect::<Vec<_>>()
    );
    // The stretch nearest Diffa (km ~4302.6) is flown.
    assert!(
        plan.sorties
            .iter()
            .any(|s| s.border_from_m <= 4_302_600.0 && s.border_to_m >= 4_302_600.0)
    );
    assert_sorties_fly_inside_niger(&req, &plan);
}

#[test]
fn diffa_patrols_the_whole_border_within_its_reach() {
    let (req, plan) = diffa_patrol(2000.0, None);
    assert_eq!(plan.home_side, HomeSide::Right);
    assert!(!plan.sorties.is_empty(), "uncovered {:?}", plan.uncovered_m);
    assert_sorties_fly_inside_niger(&req, &plan);
}

#[test]
fn base_nearer_the_border_than_the_standoff_flies_inland_to_the_line() {
    // Diffa is 2.1 km from the border, the line 5 km: transits head inland to it.
    let (req, plan) = diffa_patrol(5000.0, Some((4262.0, 4342.0)));
    assert!(!plan.sorties.is_empty(), "uncovered {:?}", plan.uncovered_m);
    assert_sorties_fly_inside_niger(&req, &plan);
}
