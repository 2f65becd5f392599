//! Altitudes that follow terrain: waypoint heights above mean sea level chosen so
//! every leg, sampled along its length as validation samples it, stays between a
//! clearance floor and a ceiling above terrain, inserting waypoints where the
//! terrain demands it.
//!
//! Each leg's end height is picked inside the interval that keeps the straight
//! climb or descent from the leg's start within the band at every sample, as close
//! to the wanted height as that interval allows. Where no height works (the terrain
//! bends too much between the two ends), the leg is split and each half planned
//! the same way. A leg no longer than the sampling step has only its two ends as
//! samples, so splitting always ends with every sample inside the band.

use crate::geodesy::{distance_m, interpolate, sample_leg};
use crate::{ElevationModel, LatLon};

/// The minimum clearance `validate` checks by default, metres.
pub const DEFAULT_MIN_CLEARANCE_M: f64 = 30.0;

/// Kept inside the band on both sides, metres, so heights written to a file and
/// read back (or recomputed by validation) do not land a rounding error outside it.
const BAND_MARGIN_M: f64 = 0.05;

/// Splits before giving up on a leg (each halves it at least every other level).
const MAX_DEPTH: u32 = 64;

/// How to follow terrain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TerrainFollow {
    /// Height above terrain to fly at, metres.
    pub alt_agl_m: f64,
    /// Lowest height above terrain allowed anywhere on a leg, metres.
    pub min_clearance_m: f64,
    /// Highest height above terrain allowed anywhere on a leg, metres.
    pub ceiling_agl_m: f64,
    /// Leg sampling step, metres (validate with the same step).
    pub sample_step_m: f64,
}

/// Why heights above terrain cannot be followed.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum TerrainFollowError {
    /// The wanted height is outside `[min_clearance_m, ceiling_agl_m]`.
    #[error(
        "a height of {alt_agl_m} m above terrain is outside the allowed band {min_clearance_m}..{ceiling_agl_m} m above terrain: lower the height or raise the ceiling"
    )]
    OutsideBand {
        /// Wanted height above terrain, metres.
        alt_agl_m: f64,
        /// The floor, metres.
        min_clearance_m: f64,
        /// The ceiling, metres.
        ceiling_agl_m: f64,
    },
    /// Heights or step are not positive and finite.
    #[error("heights above terrain and the sampling step must be positive numbers")]
    Parameter,
}

impl TerrainFollow {
    /// Following at `alt_agl_m` under `ceiling_agl_m`, floor at half the height but
    /// never under [`DEFAULT_MIN_CLEARANCE_M`] (nor above the height), sampled every 30 m.
    pub fn new(alt_agl_m: f64, ceiling_agl_m: f64) -> Self {
        TerrainFollow {
            alt_agl_m,
            min_clearance_m: (alt_agl_m * 0.5)
                .max(DEFAULT_MIN_CLEARANCE_M)
                .min(alt_agl_m),
            ceiling_agl_m,
            sample_step_m: 30.0,
        }
    }

    /// Checks the band: floor below ceiling, wanted height between them.
    pub fn check(&self) -> Result<(), TerrainFollowError> {
        let ok = |x: f64| x.is_finite() && x > 0.0;
        if !(ok(self.alt_agl_m)
            && ok(self.ceiling_agl_m)
            && ok(self.sample_step_m)
            && self.min_clearance_m.is_finite()
            && self.min_clearance_m >= 0.0)
        {
            return Err(TerrainFollowError::Parameter);
        }
        if self.min_clearance_m >= self.ceiling_agl_m
            || self.alt_agl_m < self.min_clearance_m
            || self.alt_agl_m > self.ceiling_agl_m
        {
            return Err(TerrainFollowError::OutsideBand {
                alt_agl_m: self.alt_agl_m,
                min_clearance_m: self.min_clearance_m,
                ceiling_agl_m: self.ceiling_agl_m,
            });
        }
        Ok(())
    }

    /// The band actually planned in: a hair inside floor and ceiling.
    fn band(&self) -> (f64, f64) {
        let margin = BAND_MARGIN_M.min((self.ceiling_agl_m - self.min_clearance_m) / 4.0);
        (self.min_clearance_m + margin, self.ceiling_agl_m - margin)
    }
}

/// The route with a height above mean sea level for every point (points may be
/// added). Where terrain is unknown, `fallback_ground_m` stands in. With a band
/// that passes [`TerrainFollow::check`], every leg sampled every
/// `cfg.sample_step_m` stays within it.
pub fn follow_terrain(
    route: &[LatLon],
    terrain: &dyn ElevationModel,
    cfg: &TerrainFollow,
    fallback_ground_m: f64,
) -> Vec<(LatLon, f64)> {
    let planner = Planner {
        terrain,
        cfg,
        fallback: fallback_ground_m,
        band: cfg.band(),
    };
    let mut out: Vec<(LatLon, f64)> = Vec::with_capacity(route.len());
    let Some(first) = route.first() else {
        return out;
    };
    out.push((*first, planner.ground(*first) + planner.wanted_agl()));
    for b in &route[1..] {
        planner.leg(&mut out, *b, 0);
    }
    out
}

struct Planner<'a> {
    terrain: &'a dyn ElevationModel,
    cfg: &'a TerrainFollow,
    fallback: f64,
    band: (f64, f64),
}

impl Planner<'_> {
    fn ground(&self, p: LatLon) -> f64 {
        self.terrain.elevation_m(p).unwrap_or(self.fallback)
    }

    /// The asked height, kept a hair inside the band when asked at its edge.
    fn wanted_agl(&self) -> f64 {
        self.cfg.alt_agl_m.max(self.band.0).min(self.band.1)
    }

    /// Appends the leg from the last point of `out` to `end`, split as needed.
    fn leg(&self, out: &mut Vec<(LatLon, f64)>, end: LatLon, depth: u32) {
        let Some(&(start, start_alt)) = out.last() else {
            return;
        };
        let len = distance_m(start, end);
        if len.is_nan() || len <= 0.0 {
            return;
        }
        let (floor, ceiling) = self.band;
        let end_ground = self.ground(end);
        let wanted = end_ground + self.wanted_agl();
        // End heights that keep every sample within the band: at fraction r the leg
        // is at start + (end - start) r, which must lie in [g + floor, g + ceiling].
        let (mut lo, mut hi) = (end_ground + floor, end_ground + ceiling);
        // The sample where the straight line to the wanted height is worst off.
        let mut worst: Option<(f64, LatLon)> = None;
        for (p, along) in sample_leg(start, end, self.cfg.sample_step_m) {
            let r = along / len;
            if !(r > 0.0 && r < 1.0) {
                continue;
            }
            let g = self.ground(p);
            lo = lo.max((g + floor - start_alt * (1.0 - r)) / r);
            hi = hi.min((g + ceiling - start_alt * (1.0 - r)) / r);
            let agl = start_alt + (wanted - start_alt) * r - g;
            let breach = (floor - agl).max(agl - ceiling);
            if breach > 0.0 && worst.is_none_or(|w| breach > w.0) {
                worst = Some((breach, p));
            }
        }
        if lo <= hi {
            out.push((end, wanted.clamp(lo, hi)));
            return;
        }
        if len > self.cfg.sample_step_m && depth < MAX_DEPTH {
            // Split at the worst sample while that shortens the leg well, else halve it.
            let at = match worst {
                Some((_, p))
                    if depth.is_multiple_of(2)
                        && distance_m(start, p) >= len * 0.1
                        && distance_m(p, end) >= len * 0.1 =>
                {
                    p
                }
                _ => interpolate(start, end, 0.5),
            };
            self.leg(out, at, depth + 1);
            self.leg(out, end, depth + 1);
            return;
        }
        // Cannot happen for a leg within one sampling step; clearance first.
        out.push((end, lo));
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

    fn agl_range(out: &[(LatLon, f64)], terrain: &dyn ElevationModel, step: f64) -> (f64, f64) {
        let mut range = (f64::INFINITY, f64::NEG_INFINITY);
        for w in out.windows(2) {
            let len = distance_m(w[0].0, w[1].0);
            for (p, along) in sample_leg(w[0].0, w[1].0, step) {
                let alt = w[0].1 + (w[1].1 - w[0].1) * along / len;
                let agl = alt - terrain.elevation_m(p).unwrap();
                range = (range.0.min(agl), range.1.max(agl));
            }
        }
        range
    }

    #[test]
    fn ridge_gets_extra_waypoints_and_the_band_holds() {
        let a = LatLon::new(13.0, 2.0);
        let b = destination(a, 90.0, 11_000.0);
        for (alt, ceiling) in [(120.0, 200.0), (120.0, 120.0), (60.0, 120.0)] {
            let cfg = TerrainFollow::new(alt, ceiling);
            cfg.check().unwrap();
            let out = follow_terrain(&[a, b], &Ridge, &cfg, 0.0);
            assert!(out.len() > 2, "ridge should add waypoints");
            let (low, high) = agl_range(&out, &Ridge, cfg.sample_step_m);
            assert!(low >= cfg.min_clearance_m, "{alt}/{ceiling}: {low} m");
            assert!(high <= cfg.ceiling_agl_m, "{alt}/{ceiling}: {high} m");
        }
    }

    #[test]
    fn a_height_above_the_ceiling_is_refused() {
        let err = TerrainFollow::new(150.0, 120.0).check().unwrap_err();
        assert!(err.to_string().contains("150 m"), "{err}");
        assert!(TerrainFollow::new(120.0, 120.0).check().is_ok());
        assert_eq!(TerrainFollow::new(120.0, 120.0).min_clearance_m, 60.0);
        assert_eq!(TerrainFollow::new(40.0, 120.0).min_clearance_m, 30.0);
    }
}
