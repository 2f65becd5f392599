//! Border patrol: the border offset into home territory, split into sorties that
//! each leave a base, fly a stretch of the offset line with terrain-following
//! altitudes, and come back within endurance less reserve.

use serde::Serialize;

use super::border_offset::{HomeSide, OffsetLine, offset_border};
use super::terrain_follow::{TerrainFollow, TerrainFollowError, follow_terrain};
use super::transit::Transit;
use crate::estimate::{Estimate, VehicleModel, estimate_mission};
use crate::geodesy::Polyline;
use crate::{Altitude, AltitudeReference, ElevationModel, Home, LatLon, Mission, MissionItem};

/// What to patrol and with what.
#[derive(Debug, Clone, PartialEq)]
pub struct PatrolRequest {
    /// The border as a polyline (closed when first == last).
    pub border: Vec<LatLon>,
    /// Home side, or `None` to take the side the first base is on.
    pub home_side: Option<HomeSide>,
    /// Distance to keep from the border, metres.
    pub standoff_m: f64,
    /// Simplification tolerance of the offset line, metres.
    pub simplify_tolerance_m: f64,
    /// Terrain following (height, floor, ceiling, sampling).
    pub terrain_follow: TerrainFollow,
    /// Bases sorties leave from and return to.
    pub bases: Vec<LatLon>,
    /// Vehicle speed, climb/descent rates, endurance and reserve.
    pub vehicle: VehicleModel,
    /// Part of the border to cover, metres along it from its first point (`None`: all).
    pub border_range_m: Option<(f64, f64)>,
    /// Altitude reference of the waypoints: `Amsl` with a real terrain model, else
    /// `Home` (heights relative to the base).
    pub altitude_reference: AltitudeReference,
}

/// One flight.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sortie {
    /// Index of the base in [`PatrolRequest::bases`].
    pub base_index: usize,
    /// Border distance covered from, metres.
    pub border_from_m: f64,
    /// Border distance covered to, metres.
    pub border_to_m: f64,
    /// The mission to fly.
    pub mission: Mission,
    /// Its estimate.
    pub estimate: Estimate,
}

/// The generated patrol.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatrolPlan {
    /// Sorties in border order.
    pub sorties: Vec<Sortie>,
    /// The offset line flown.
    pub offset_line: Vec<LatLon>,
    /// Home side used.
    pub home_side: HomeSide,
    /// Stretches of border (from, to metres) no base can reach within endurance.
    pub uncovered_m: Vec<(f64, f64)>,
    /// Things the operator should know (e.g. a base on the far side of the border).
    pub warnings: Vec<String>,
}

/// Why a patrol cannot be generated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PatrolError {
    /// Fewer than two border points.
    #[error("the border needs at least two points")]
    ShortBorder,
    /// No base given.
    #[error("at least one base is needed")]
    NoBase,
    /// Speeds, endurance or distances are not positive and finite.
    #[error("invalid parameter: {0}")]
    Parameter(&'static str),
    /// The offset line vanished (standoff wider than the territory).
    #[error("no offset line remains at a {0} m standoff: the home territory is narrower than that")]
    NoOffsetLine(f64),
    /// The height above terrain does not fit between floor and ceiling.
    #[error(transparent)]
    TerrainFollow(#[from] TerrainFollowError),
}

/// Generates the patrol; `progress` is told the fraction of the line planned.
pub fn plan_patrol(
    req: &PatrolRequest,
    terrain: &dyn ElevationModel,
    progress: &mut dyn FnMut(f64),
) -> Result<PatrolPlan, PatrolError> {
    check(req)?;
    let full = Polyline::new(req.border.clone());
    let border = match req.border_range_m {
        Some((a, b)) => full.slice(a.max(0.0), b.min(full.length_m())),
        None => req.border.clone(),
    };
    let base_m = req.border_range_m.map_or(0.0, |(a, b)| a.min(b).max(0.0));
    let home_side = match req.home_side {
        Some(s) => s,
        // Judged against the whole border (a short stretch says little about far bases).
        None => HomeSide::of_point(&req.border, req.bases[0]).ok_or(PatrolError::ShortBorder)?,
    };
    let warnings: Vec<String> = req
        .bases
        .iter()
        .enumerate()
        .filter(|(_, b)| HomeSide::of_point(&req.border, **b).is_some_and(|s| s != home_side))
        .map(|(i, b)| format!("base {} ({b}) looks to be on the far side of the border from home territory ({home_side:?})", i + 1))
        .collect();
    let OffsetLine { points, border_m } =
        offset_border(&border, home_side, req.standoff_m, req.simplify_tolerance_m);
    if points.len() < 2 {
        return Err(PatrolError::NoOffsetLine(req.standoff_m));
    }
    let line = Polyline::new(points.clone());
    let border_at = |t: f64| -> f64 {
        let cum = line.cumulative_m();
        let i = cum.partition_point(|c| *c <= t).clamp(1, cum.len() - 1) - 1;
        let seg = cum[i + 1] - cum[i];
        let r = if seg > 0.0 {
            ((t - cum[i]) / seg).clamp(0.0, 1.0)
        } else {
            0.0
        };
        base_m + border_m[i] + (border_m[i + 1] - border_m[i]) * r
    };
    let v = &req.vehicle;
    let agl = req.terrain_follow.alt_agl_m;
    let overhead_m = (agl / v.climb_rate_mps + agl / v.descent_rate_mps) * v.cruise_speed_mps;
    let budget_m = v.usable_s() * v.cruise_speed_mps * 0.98 - overhead_m;
    let transits: Vec<Transit> = req
        .bases
        .iter()
        .map(|b| Transit::new(*b, &req.border, &line))
        .collect();
    let total = line.length_m();
    let min_leg = (req.terrain_follow.sample_step_m * 10.0).min(total);
    let mut sorties = Vec::new();
    let mut uncovered: Vec<(f64, f64)> = Vec::new();
    let mut t0 = 0.0;
    while t0 < total - 1e-6 {
        progress(t0 / total);
        let best = req
            .bases
            .iter()
            .enumerate()
            .map(|(bi, _)| (bi, reach(&line, &transits[bi], t0, budget_m)))
            .max_by(|x, y| x.1.total_cmp(&y.1));
        let Some((bi, mut t1)) =
            best.filter(|(_, t1)| *t1 - t0 >= min_leg.min(total - t0) && *t1 > t0)
        else {
            let next = (t0 + 1000.0).min(total);
            match uncovered.last_mut() {
                Some(last) if (last.1 - border_at(t0)).abs() < 1e-6 => last.1 = border_at(next),
                _ => uncovered.push((border_at(t0), border_at(next))),
            }
            t0 = next;
            continue;
        };
        let base = req.bases[bi];
        // Shrink until the full estimate (terrain climbs included) fits.
        let mut sortie = build_sortie(req, terrain, &line, &transits[bi], base, t0, t1);
        let mut tries = 0;
        while sortie.1.time_s > v.usable_s() && tries < 20 {
            t1 = t0 + (t1 - t0) * 0.9;
            sortie = build_sortie(req, terrain, &line, &transits[bi], base, t0, t1);
            tries += 1;
        }
        sorties.push(Sortie {
            base_index: bi,
            border_from_m: border_at(t0),
            border_to_m: border_at(t1),
            mission: sortie.0,
            estimate: sortie.1,
        });
        t0 = t1;
    }
    progress(1.0);
    Ok(PatrolPlan {
        sorties,
        offset_line: points,
        home_side,
        uncovered_m: uncovered,
        warnings,
    })
}

fn check(req: &PatrolRequest) -> Result<(), PatrolError> {
    if req.border.len() < 2 {
        return Err(PatrolError::ShortBorder);
    }
    if req.bases.is_empty() {
        return Err(PatrolError::NoBase);
    }
    let v = &req.vehicle;
    let positive = |x: f64| x.is_finite() && x > 0.0;
    if !positive(v.cruise_speed_mps) || !positive(v.climb_rate_mps) || !positive(v.descent_rate_mps)
    {
        return Err(PatrolError::Parameter(
            "speeds and climb/descent rates must be positive",
        ));
    }
    if !positive(v.endurance_s) || !(0.0..1.0).contains(&v.reserve_frac) {
        return Err(PatrolError::Parameter(
            "endurance must be positive and the reserve within 0..100%",
        ));
    }
    if !positive(req.standoff_m) {
        return Err(PatrolError::Parameter("the standoff must be positive"));
    }
    req.terrain_follow.check()?;
    if req.border.iter().chain(&req.bases).any(|p| !p.is_valid()) {
        return Err(PatrolError::Parameter(
            "a border point or base is not a valid latitude/longitude",
        ));
    }
    Ok(())
}

/// The farthest `t1` such that base -> line(t0) -> along -> line(t1) -> base fits in
/// `budget_m`. The cost only grows with `t1` (triangle inequality), so bisect.
fn reach(line: &Polyline, transit: &Transit, t0: f64, budget_m: f64) -> f64 {
    let out = transit.to_line(line, t0).0;
    let cost = |t1: f64| out + (t1 - t0) + transit.to_line(line, t1).0;
    let total = line.length_m();
    let at_start = cost(t0);
    if at_start.is_nan() || at_start > budget_m {
        return t0;
    }
    if cost(total) <= budget_m {
        return total;
    }
    let (mut lo, mut hi) = (t0, total);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if cost(mid) <= budget_m {
            lo = mid
        } else {
            hi = mid
        }
        if hi - lo < 1.0 {
            break;
        }
    }
    lo
}

fn build_sortie(
    req: &PatrolRequest,
    terrain: &dyn ElevationModel,
    line: &Polyline,
    transit: &Transit,
    base: LatLon,
    t0: f64,
    t1: f64,
) -> (Mission, Estimate) {
    let ground_base = terrain.elevation_m(base).unwrap_or(0.0);
    let mut route = transit.path_to(line, t0);
    route.extend(line.slice(t0, t1));
    route.extend(transit.path_to(line, t1).into_iter().rev());
    let profile = follow_terrain(&route, terrain, &req.terrain_follow, ground_base);
    let alt = |amsl: f64| match req.altitude_reference {
        AltitudeReference::Home => Altitude::above_home(amsl - ground_base),
        AltitudeReference::Amsl => Altitude::amsl(amsl),
        AltitudeReference::Terrain => Altitude::above_terrain(req.terrain_follow.alt_agl_m),
    };
    let mut mission = Mission {
        home: Some(Home {
            position: base,
            alt_amsl_m: ground_base,
        }),
        cruise_speed_mps: req.vehicle.cruise_speed_mps,
        hover_speed_mps: req.vehicle.cruise_speed_mps,
        ..Mission::default()
    };
    if let Some((first, rest)) = profile.split_first() {
        mission
            .items
            .push(MissionItem::takeoff(first.0, alt(first.1)));
        // The vehicle flies at its own cruise speed (PX4: MPC_XY_CRUISE) unless told.
        mission
            .items
            .push(MissionItem::change_speed(req.vehicle.cruise_speed_mps));
        for (p, amsl) in rest {
            mission.items.push(MissionItem::waypoint(*p, alt(*amsl)));
        }
        mission
            .items
            .push(MissionItem::land(base, Altitude::above_home(0.0)));
    }
    let estimate = estimate_mission(&mission, terrain, &req.vehicle);
    (mission, estimate)
}

/// The patrol as GeoJSON: offset line, one route per sortie, bases, uncovered stretches.
pub fn patrol_geojson(plan: &PatrolPlan, bases: &[LatLon]) -> String {
    use serde_json::json;
    let pos = |p: &LatLon| json!([p.lon_deg, p.lat_deg]);
    let mut features = vec![
        json!({"type": "Feature", "properties": {"kind": "offset_line", "home_side": format!("{:?}", plan.home_side)},
        "geometry": {"type": "LineString", "coordinates": plan.offset_line.iter().map(pos).collect::<Vec<_>>()}}),
    ];
    for (i, s) in plan.sorties.iter().enumerate() {
        let coords: Vec<_> = s
            .mission
            .items
            .iter()
            .filter_map(MissionItem::position)
            .map(|p| pos(&p))
            .collect();
        features.push(json!({"type": "Feature", "properties": {"kind": "sortie", "sortie": i + 1, "base": s.base_index + 1,
            "border_from_km": s.border_from_m / 1000.0, "border_to_km": s.border_to_m / 1000.0,
            "distance_km": s.estimate.distance_m / 1000.0, "time_min": s.estimate.time_s / 60.0, "battery_pct": s.estimate.battery_frac * 100.0},
            "geometry": {"type": "LineString", "coordinates": coords}}));
    }
    for (i, b) in bases.iter().enumerate() {
        features.push(json!({"type": "Feature", "properties": {"kind": "base", "base": i + 1}, "geometry": {"type": "Point", "coordinates": pos(b)}}));
    }
    for (a, b) in &plan.uncovered_m {
        features.push(json!({"type": "Feature", "properties": {"kind": "uncovered", "from_km": a / 1000.0, "to_km": b / 1000.0}, "geometry": null}));
    }
    let mut s =
        serde_json::to_string_pretty(&json!({"type": "FeatureCollection", "features": features}))
            .unwrap_or_default();
    s.push('\n');
    s
}
