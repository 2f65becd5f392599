//! Picking: where a ray from the camera meets the terrain or a horizontal plane.
//!
//! Points and directions are in the local frame, metres: x = east, y = north, z = up.

/// Smallest march step along the ray, metres.
const MIN_STEP_M: f64 = 1.0;
/// The march step is at least this fraction of the distance already travelled, so a
/// grazing ray far from the camera does not crawl metre by metre.
const MIN_STEP_FRACTION: f64 = 1e-3;
/// Fraction of the height above ground taken as the next step: below 1 so terrain
/// rising towards the ray (slopes up to about 45°) is not stepped over.
const STEP_PER_HEIGHT: f64 = 0.5;
/// Step over places where the terrain has no height (off the loaded tiles), metres.
const OFF_TERRAIN_STEP_M: f64 = 10.0;
/// The hit is refined until the bracket along the ray is shorter than this, metres:
/// well under 0.5 m, so the terrain point returned is within 0.5 m of the crossing
/// even on steep slopes.
const BRACKET_M: f64 = 0.1;

/// The first point where the ray from `origin` along `dir` meets the ground.
///
/// Exists so the map can tell which ground point is under the cursor (to place a
/// waypoint, measure, or anchor the camera) for any terrain the caller can sample.
/// `height_at(x, y)` is the ground height at a local position, `None` where there is
/// no terrain. The ray is marched in steps that shrink as it nears the ground, then
/// the crossing is bisected to well under 0.5 m; the point returned lies on
/// the terrain (`z == height_at(x, y)`). `None` when the ray meets no ground within
/// `max_dist_m` (pointing up, leaving the terrain), when `dir` is zero or anything is
/// not finite, or when `origin` is already below the ground.
///
/// Terrain features narrower than a march step (about half the ray's height above
/// ground, at least 1 m) may be stepped over.
pub fn pick_ground(
    origin: [f64; 3],
    dir: [f64; 3],
    height_at: impl Fn(f64, f64) -> Option<f64>,
    max_dist_m: f64,
) -> Option<[f64; 3]> {
    let dir = normalized(dir)?;
    let usable = origin.iter().all(|c| c.is_finite()) && max_dist_m >= 0.0;
    if !usable {
        return None;
    }
    let at = |t: f64| add_scaled(origin, dir, t);
    // Height of the ray above the ground at `t`; `None` off the terrain.
    let above = |t: f64| {
        let p = at(t);
        height_at(p[0], p[1])
            .filter(|h| h.is_finite())
            .map(|h| p[2] - h)
    };
    match above(0.0) {
        Some(a) if a < 0.0 => return None,
        Some(0.0) => return ground_point(at(0.0), &height_at),
        _ => {}
    }
    let mut t_prev = 0.0;
    let mut above_prev = above(0.0);
    while t_prev < max_dist_m {
        let min_step = MIN_STEP_M.max(t_prev * MIN_STEP_FRACTION);
        let step = match above_prev {
            Some(a) => (a * STEP_PER_HEIGHT).max(min_step),
            None => OFF_TERRAIN_STEP_M.max(min_step),
        };
        let t = (t_prev + step).min(max_dist_m);
        let a = above(t);
        if a.is_some_and(|a| a <= 0.0) {
            let hit_t = bisect(t_prev, t, |t| above(t).is_some_and(|a| a <= 0.0));
            return ground_point(at(hit_t), &height_at);
        }
        t_prev = t;
        above_prev = a;
    }
    None
}

/// Where the ray from `origin` along `dir` crosses the horizontal plane at height `z`.
///
/// Exists for picking where there is no terrain (the sea-level plane, or the altitude
/// a waypoint is being dragged at). `None` when the ray runs parallel to the plane or
/// points away from it, `dir` is zero, or anything is not finite.
pub fn pick_plane(origin: [f64; 3], dir: [f64; 3], z: f64) -> Option<[f64; 3]> {
    let dir = normalized(dir)?;
    if !origin.iter().all(|c| c.is_finite()) || !z.is_finite() || dir[2].abs() < 1e-12 {
        return None;
    }
    let t = (z - origin[2]) / dir[2];
    (t.is_finite() && t >= 0.0).then(|| {
        let p = add_scaled(origin, dir, t);
        [p[0], p[1], z]
    })
}

/// Shrinks `[lo, hi]` (not hit at `lo`, hit at `hi`) below the tolerance; returns `hi`.
fn bisect(mut lo: f64, mut hi: f64, hit: impl Fn(f64) -> bool) -> f64 {
    while hi - lo > BRACKET_M {
        let mid = 0.5 * (lo + hi);
        if hit(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// The terrain point under `p` (same x, y; z from the terrain).
fn ground_point(p: [f64; 3], height_at: &impl Fn(f64, f64) -> Option<f64>) -> Option<[f64; 3]> {
    height_at(p[0], p[1])
        .filter(|h| h.is_finite())
        .map(|h| [p[0], p[1], h])
}

fn normalized(v: [f64; 3]) -> Option<[f64; 3]> {
    let len = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
    (len.is_finite() && len > 0.0).then(|| [v[0] / len, v[1] / len, v[2] / len])
}

fn add_scaled(p: [f64; 3], d: [f64; 3], t: f64) -> [f64; 3] {
    [p[0] + d[0] * t, p[1] + d[1] * t, p[2] + d[2] * t]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// How close a pick must be to the true crossing, metres.
    const TOLERANCE_M: f64 = 0.5;

    fn dist(a: [f64; 3], b: [f64; 3]) -> f64 {
        ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
    }

    /// A ray from `origin` looking along `heading_deg` (clockwise from north),
    /// `depression_deg` below the horizon.
    fn ray(heading_deg: f64, depression_deg: f64) -> [f64; 3] {
        let (h, d) = (heading_deg.to_radians(), depression_deg.to_radians());
        [h.sin() * d.cos(), h.cos() * d.cos(), -d.sin()]
    }

    #[test]
    fn flat_ground_from_above_at_various_angles() {
        let flat = |_: f64, _: f64| Some(100.0);
        let origin = [10.0, -20.0, 1100.0];
        for depression in [90.0, 60.0, 30.0, 10.0, 3.0] {
            let dir = ray(45.0, depression);
            let hit = pick_ground(origin, dir, flat, 100_000.0).unwrap();
            let expected = pick_plane(origin, dir, 100.0).unwrap();
            assert!(
                dist(hit, expected) < TOLERANCE_M,
                "{depression}: {hit:?} vs {expected:?}"
            );
            assert_eq!(hit[2], 100.0);
        }
    }

    #[test]
    fn sloped_ground() {
        // rises 1 m per 2 m going east
        let slope = |x: f64, _: f64| Some(0.5 * x);
        let origin = [0.0, 0.0, 500.0];
        // looking east, 20° down: meets the slope where 500 - x tan20 = 0.5 x
        let dir = ray(90.0, 20.0);
        let hit = pick_ground(origin, dir, slope, 10_000.0).unwrap();
        let x = 500.0 / (0.5 + 20f64.to_radians().tan());
        assert!(dist(hit, [x, 0.0, 0.5 * x]) < TOLERANCE_M, "{hit:?} vs {x}");
        // looking west (downhill), steeper than the slope
        let dir = ray(270.0, 45.0);
        let hit = pick_ground(origin, dir, slope, 10_000.0).unwrap();
        // 500 - d = 0.5 (-d) -> d = 1000
        assert!(dist(hit, [-1000.0, 0.0, -500.0]) < TOLERANCE_M, "{hit:?}");
    }

    #[test]
    fn sinusoidal_ground_gives_the_first_crossing() {
        let hills = |x: f64, y: f64| Some(50.0 * (x / 200.0).sin() * (y / 300.0).cos());
        let origin = [-3000.0, 0.0, 400.0];
        let dir = ray(90.0, 8.0);
        let hit = pick_ground(origin, dir, hills, 20_000.0).unwrap();
        assert!((hit[2] - hills(hit[0], hit[1]).unwrap()).abs() < 1e-9);
        // nothing before the hit is underground
        let t_hit = dist(origin, hit);
        let mut t = 0.0;
        while t < t_hit - TOLERANCE_M {
            let p = add_scaled(origin, dir, t);
            assert!(p[2] > hills(p[0], p[1]).unwrap(), "underground at {t}");
            t += 0.25;
        }
        // and the hit is on the ray, within tolerance
        let on_ray = add_scaled(origin, dir, t_hit);
        assert!(dist(on_ray, hit) < TOLERANCE_M);
    }

    #[test]
    fn rays_that_miss() {
        let flat = |_: f64, _: f64| Some(0.0);
        let origin = [0.0, 0.0, 100.0];
        // going up
        assert_eq!(pick_ground(origin, [0.3, 0.0, 1.0], flat, 1e6), None);
        // horizontal
        assert_eq!(pick_ground(origin, [1.0, 0.0, 0.0], flat, 1e5), None);
        // down, but the ground is farther than max_dist
        assert_eq!(pick_ground(origin, [0.0, 0.0, -1.0], flat, 50.0), None);
        // terrain only west of x = -10: a ray going east never meets it
        let west_only = |x: f64, _: f64| (x < -10.0).then_some(0.0);
        assert_eq!(pick_ground(origin, ray(90.0, 30.0), west_only, 1e5), None);
        // zero or non-finite direction, underground origin
        assert_eq!(pick_ground(origin, [0.0; 3], flat, 1e5), None);
        assert_eq!(pick_ground(origin, [f64::NAN, 0.0, -1.0], flat, 1e5), None);
        assert_eq!(
            pick_ground([0.0, 0.0, -5.0], [0.0, 0.0, -1.0], flat, 1e5),
            None
        );
    }

    #[test]
    fn enters_the_terrain_from_outside_it() {
        // terrain (a 30 m plateau) starts at x = 500; the ray starts outside it
        let plateau = |x: f64, _: f64| (x >= 500.0).then_some(30.0);
        let origin = [0.0, 0.0, 100.0];
        let dir = ray(90.0, 5.0);
        let hit = pick_ground(origin, dir, plateau, 1e5).unwrap();
        let expected = pick_plane(origin, dir, 30.0).unwrap();
        assert!(dist(hit, expected) < TOLERANCE_M, "{hit:?} vs {expected:?}");
        // a ray that is already below the plateau's top when it reaches its edge hits the cliff
        let dir = ray(90.0, 10.0);
        let hit = pick_ground(origin, dir, plateau, 1e5).unwrap();
        assert!((hit[0] - 500.0).abs() < TOLERANCE_M, "{hit:?}");
    }

    #[test]
    fn plane_crossings() {
        assert_eq!(
            pick_plane([0.0, 0.0, 100.0], [1.0, 0.0, -1.0], 0.0),
            Some([100.0, 0.0, 0.0])
        );
        assert_eq!(pick_plane([0.0, 0.0, 100.0], [1.0, 0.0, 1.0], 0.0), None);
        assert_eq!(pick_plane([0.0, 0.0, 100.0], [1.0, 0.0, 0.0], 0.0), None);
        assert_eq!(
            pick_plane([0.0, 0.0, -10.0], [0.0, 0.0, 2.0], 0.0),
            Some([0.0, 0.0, 0.0])
        );
        assert_eq!(pick_plane([0.0, 0.0, 0.0], [0.0, 0.0, 0.0], 0.0), None);
    }

    proptest! {
        #[test]
        fn flat_ground_hit_matches_the_plane(
            x in -1e4f64..1e4, y in -1e4f64..1e4, height in 10.0f64..5000.0,
            heading in 0.0f64..360.0, depression in 2.0f64..90.0, ground in -100.0f64..1000.0,
        ) {
            let origin = [x, y, ground + height];
            let dir = ray(heading, depression);
            let hit = pick_ground(origin, dir, |_, _| Some(ground), 1e6).unwrap();
            let expected = pick_plane(origin, dir, ground).unwrap();
            prop_assert!(dist(hit, expected) < TOLERANCE_M);
        }
    }
}
