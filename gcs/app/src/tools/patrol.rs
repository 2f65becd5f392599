//! Border patrols from the plan panel's settings: the default stretch around a base,
//! and the request mission-planner's generator takes.

use gcs_link::LatLon;
use mission_planner::AltitudeReference;
use mission_planner::estimate::VehicleModel;
use mission_planner::generate::patrol::PatrolRequest;
use mission_planner::generate::terrain_follow::TerrainFollow;

use crate::link::sim_fleet::BASES;
use crate::tools::doc::PatrolSettings;

/// Half the length of the default patrol stretch, km either side of the base.
pub const DEFAULT_STRETCH_KM: f64 = 40.0;

/// The stretch of `border` (km from its start) within `half_km` either side of the
/// border point nearest `base`: a sensible first patrol for that base.
pub fn stretch_near(border: &[LatLon], base: LatLon, half_km: f64) -> (f64, f64) {
    let line = mission_planner::geodesy::Polyline::new(border.to_vec());
    let nearest = line
        .points()
        .iter()
        .zip(line.cumulative_m())
        .min_by(|a, b| {
            let da = mission_planner::geodesy::distance_m(*a.0, base);
            let db = mission_planner::geodesy::distance_m(*b.0, base);
            da.total_cmp(&db)
        })
        .map_or(0.0, |(_, s)| *s / 1000.0);
    let total = line.length_m() / 1000.0;
    ((nearest - half_km).max(0.0), (nearest + half_km).min(total))
}

/// The patrol request for the panel's settings (by the connected vehicle's envelope
/// once it has been read).
pub fn patrol_request(p: &PatrolSettings, border: &[LatLon]) -> PatrolRequest {
    let (a, b) = (p.from_km.min(p.to_km), p.from_km.max(p.to_km));
    PatrolRequest {
        border: border.to_vec(),
        home_side: None,
        standoff_m: p.standoff_m,
        simplify_tolerance_m: 200.0,
        terrain_follow: TerrainFollow::new(p.alt_agl_m, 120.0),
        bases: vec![BASES[p.base.min(BASES.len() - 1)].position],
        vehicle: match p.envelope {
            Some(envelope) => VehicleModel::px4(envelope, p.speed_mps, p.endurance_min * 60.0),
            None => VehicleModel {
                cruise_speed_mps: p.speed_mps,
                endurance_s: p.endurance_min * 60.0,
                ..VehicleModel::default()
            },
        },
        border_range_m: Some((a * 1000.0, b * 1000.0)),
        altitude_reference: AltitudeReference::Amsl,
    }
}
