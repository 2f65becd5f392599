//! Altitudes that follow terrain: waypoint heights above mean sea level chosen so
//! every leg, sampled along its length, stays between a clearance floor and a
//! ceiling above terrain, inserting waypoints where the terrain demands it.

use crate::geodesy::{distance_m, sample_leg};
use crate::{ElevationModel, LatLon};

/// How to follow terrain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TerrainFollow {
    /// Height above terrain to fly at, metres.
    pub alt_agl_m: f64,
    /// Lowest height above terrain allowed anywhere on a leg, metres.
    pub min_clearance_m: f64,
    /// Highest height above terrain wanted anywhere on a leg, metres.
    pub ceiling_agl_m: f64,
    /// Leg sampling step, metres.
    pub sample_step_m: f64,
    /// Legs shorter than this are not split further, metres.
    pub min_split_m: f64,
}

impl TerrainFollow {
    /// Following at `alt_agl_m`, floor at half of it, ceiling at `ceiling_agl_m`,
    /// sampled every 30 m.
    pub fn new(alt_agl_m: f64, ceiling_agl_m: f64) -> Self {
        TerrainFollow {
            alt_agl_m,
            min_clearance_m: alt_agl_m * 0.5,
            ceiling_agl_m,
            sample_step_m: 30.0,
            min_split_m: 120.0,
        }
    }
}

/// The route with a height above mean sea level for every point (points may be
/// added). Where terrain is unknown, `fallback_ground_m` stands in.
pub fn follow_terrain(
    route: &[LatLon],
    terrain: &dyn ElevationModel,
    cfg: &TerrainFollow,
    fallback_ground_m: f64,
) -> Vec<(LatLon, f64)> {
    let ground = |p: LatLon| terrain.elevation_m(p).unwrap_or(fallback_ground_m);
    let mut out: Vec<(LatLon, f64)> = Vec::with_capacity(route.len());
    let Some(first) = route.first() else {
        return out;
    };
    out.push((*first, ground(*first) + cfg.alt_agl_m));
    for b in &route[1..] {
        let end = (*b, ground(*b) + cfg.alt_agl_m);
        leg(&mut out, end, terrain, cfg, fallback_ground_m, 0);
    }
    out
}

fn leg(
    out: &mut Vec<(LatLon, f64)>,
    end: (LatLon, f64),
    terrain: &dyn ElevationModel,
    cfg: &TerrainFollow,
    fallback: f64,
    depth: u32,
) {
    let start = *out.last().unwrap_or(&end);
    let len = distance_m(start.0, end.0);
    if len <= 0.0 {
        return;
    }
    // Worst floor breach and worst ceiling breach along the leg.
    let mut worst: Option<(f64, LatLon)> = None;
    let mut deficit: f64 = 0.0;
    for (p, along) in sample_leg(start.0, end.0, cfg.sample_step_m) {
        let g = terrain.elevation_m(p).unwrap_or(fallback);
        let alt = start.1 + (end.1 - start.1) * (along / len);
        let agl = alt - g;
        let breach = (cfg.min_clearance_m - agl).max(agl - cfg.ceiling_agl_m);
        deficit = deficit.max(cfg.min_clearance_m - agl);
        if breach > 0.01 && worst.is_none_or(|w| breach > w.0) {
            worst = Some((breach, p));
        }
    }
    match worst {
        Some((_, p)) if len >= cfg.min_split_m && depth < 24 => {
            let at = if distance_m(start.0, p) < cfg.sample_step_m
                || distance_m(p, end.0) < cfg.sample_step_m
            {
                crate::geodesy::interpolate(start.0, end.0, 0.5)
            } else {
                p
            };
            let mid = (
                at,
                terrain.elevation_m(at).unwrap_or(fallback) + cfg.alt_agl_m,
            );
            leg(out, mid, terrain, cfg, fallback, depth + 1);
            leg(out, end, terrain, cfg, fallback, depth + 1);
        }
        _ => {
            // Unsplittable: clearance comes before the ceiling, so raise both ends.
            if deficit > 0.0 {
                if let Some(last) = out.last_mut() {
                    last.1 += deficit;
                }
                out.push((end.0, end.1 + deficit));
            } else {
                out.push(end);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geodesy::destination;

    struct Ridge;
    impl ElevationModel for Ridge {
        fn elevation_m(&self, p: LatLon) -> Option<f64> {
            // A 400 m ridge around lon 2.05.
            Some(200.0 + 400.0 * (-((p.lon_deg - 2.05) * 60.0).powi(2)).exp())
        }
    }

    #[test]
    fn ridge_gets_extra_waypoints_and_clearance_holds() {
        let a = LatLon::new(13.0, 2.0);
        let b = destination(a, 90.0, 11_000.0);
        let cfg = TerrainFollow::new(120.0, 200.0);
        let out = follow_terrain(&[a, b], &Ridge, &cfg, 0.0);
        assert!(out.len() > 2, "ridge should add waypoints");
        for w in out.windows(2) {
            let len = distance_m(w[0].0, w[1].0);
            for (p, along) in sample_leg(w[0].0, w[1].0, 30.0) {
                let alt = w[0].1 + (w[1].1 - w[0].1) * along / len;
                assert!(alt - Ridge.elevation_m(p).unwrap() >= cfg.min_clearance_m - 1e-6);
            }
        }
    }
}
