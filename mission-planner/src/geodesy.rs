//! Thin adapters from [`LatLon`] to `geo`'s spherical (Haversine) metric space.
//!
//! Everything here delegates to `geo`; this module only converts coordinates
//! (geo's `Point` is x = longitude, y = latitude) and walks polylines. The local
//! east/north plane is not here: [`LocalFrame`] is the workspace's one (ellipsoidal)
//! projection, re-exported from `vigil_values::local_frame`.

use geo::{
    Bearing, Closest, Destination, Distance, Haversine, HaversineClosestPoint, InterpolatePoint,
    Line, Point,
};

use crate::LatLon;

/// `geo` point (x = lon, y = lat) for a position.
pub fn point(p: LatLon) -> Point<f64> {
    Point::new(p.lon_deg, p.lat_deg)
}

/// Position of a `geo` point (x = lon, y = lat).
pub fn lat_lon(p: Point<f64>) -> LatLon {
    LatLon::new(p.y(), p.x())
}

/// Great-circle distance in metres (Haversine, mean Earth radius).
pub fn distance_m(a: LatLon, b: LatLon) -> f64 {
    Haversine.distance(point(a), point(b))
}

/// Initial bearing from `a` to `b`, degrees clockwise from north in `0..360`.
pub fn bearing_deg(a: LatLon, b: LatLon) -> f64 {
    Haversine.bearing(point(a), point(b))
}

/// The point `distance_m` from `origin` along `bearing_deg`.
pub fn destination(origin: LatLon, bearing_deg: f64, distance_m: f64) -> LatLon {
    lat_lon(Haversine.destination(point(origin), bearing_deg, distance_m))
}

/// The point a fraction `ratio` (0..=1) of the way from `a` to `b`.
pub fn interpolate(a: LatLon, b: LatLon, ratio: f64) -> LatLon {
    lat_lon(Haversine.point_at_ratio_between(point(a), point(b), ratio))
}

/// Distance in metres from `p` to the segment `a`-`b`.
pub fn distance_to_segment_m(p: LatLon, a: LatLon, b: LatLon) -> f64 {
    let line = Line::new(point(a), point(b));
    match line.haversine_closest_point(&point(p)) {
        Closest::Intersection(_) => 0.0,
        Closest::SinglePoint(q) => Haversine.distance(point(p), q),
        Closest::Indeterminate => distance_m(p, a).min(distance_m(p, b)),
    }
}

/// Total length of a polyline in metres.
pub fn path_length_m(points: &[LatLon]) -> f64 {
    points.windows(2).map(|w| distance_m(w[0], w[1])).sum()
}

/// Signed difference `to - from` between two bearings, in `-180..180` degrees.
pub fn bearing_delta_deg(from: f64, to: f64) -> f64 {
    (to - from + 540.0).rem_euclid(360.0) - 180.0
}

/// The most samples one leg is cut into (a 10,000 km leg at 1 m steps).
const MAX_SAMPLES: f64 = 1e7;

/// Points every `step_m` along the leg `a`-`b`, both ends included, with their
/// distance from `a`.
pub fn sample_leg(a: LatLon, b: LatLon, step_m: f64) -> impl Iterator<Item = (LatLon, f64)> {
    let len = distance_m(a, b);
    let n = if step_m > 0.0 && len.is_finite() {
        (len / step_m).ceil().clamp(1.0, MAX_SAMPLES) as usize
    } else {
        1
    };
    (0..=n).map(move |i| {
        let r = i as f64 / n as f64;
        (
            if i == 0 {
                a
            } else if i == n {
                b
            } else {
                interpolate(a, b, r)
            },
            r * len,
        )
    })
}

/// A polyline with cumulative lengths, for positions by distance along it.
#[derive(Debug, Clone)]
pub struct Polyline {
    points: Vec<LatLon>,
    cum_m: Vec<f64>,
}

impl Polyline {
    /// A polyline through `points` (consecutive duplicates kept; zero-length legs are harmless).
    pub fn new(points: Vec<LatLon>) -> Self {
        let mut cum_m = Vec::with_capacity(points.len());
        let mut total = 0.0;
        for (i, p) in points.iter().enumerate() {
            if i > 0 {
                total += distance_m(points[i - 1], *p);
            }
            cum_m.push(total);
        }
        Polyline { points, cum_m }
    }

    /// The vertices.
    pub fn points(&self) -> &[LatLon] {
        &self.points
    }

    /// Distance along the line of each vertex, metres.
    pub fn cumulative_m(&self) -> &[f64] {
        &self.cum_m
    }

    /// Total length, metres.
    pub fn length_m(&self) -> f64 {
        self.cum_m.last().copied().unwrap_or(0.0)
    }

    /// Index of the segment holding distance `s_m` (clamped to the line).
    fn segment(&self, s_m: f64) -> usize {
        let i = self.cum_m.partition_point(|c| *c <= s_m);
        i.clamp(1, self.points.len().max(2) - 1) - 1
    }

    /// The point at distance `s_m` along the line (clamped to its ends).
    pub fn point_at(&self, s_m: f64) -> LatLon {
        match self.points.len() {
            0 => LatLon::new(0.0, 0.0),
            1 => self.points[0],
            _ => {
                let s = s_m.clamp(0.0, self.length_m());
                let i = self.segment(s);
                let seg = self.cum_m[i + 1] - self.cum_m[i];
                let r = if seg > 0.0 {
                    (s - self.cum_m[i]) / seg
                } else {
                    0.0
                };
                interpolate(self.points[i], self.points[i + 1], r.clamp(0.0, 1.0))
            }
        }
    }

    /// The part of the line between `from_m` and `to_m`, with their end points.
    pub fn slice(&self, from_m: f64, to_m: f64) -> Vec<LatLon> {
        let (a, b) = (from_m.min(to_m), from_m.max(to_m));
        let mut out = vec![self.point_at(a)];
        for (p, c) in self.points.iter().zip(&self.cum_m) {
            if *c > a && *c < b {
                out.push(*p);
            }
        }
        out.push(self.point_at(b));
        out
    }
}

/// The local east/north plane the survey lays its lines out in: the workspace's one
/// local projection (ellipsoidal azimuthal equidistant, `vigil_values::local_frame`),
/// the same the map draws in.
pub use vigil_values::local_frame::LocalFrame;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polyline_positions() {
        let line = Polyline::new(vec![
            LatLon::new(0.0, 0.0),
            LatLon::new(0.0, 1.0),
            LatLon::new(1.0, 1.0),
        ]);
        let deg_m = distance_m(LatLon::new(0.0, 0.0), LatLon::new(0.0, 1.0));
        assert!((line.length_m() - 2.0 * deg_m).abs() < 1.0);
        let mid = line.point_at(deg_m * 0.5);
        assert!((mid.lon_deg - 0.5).abs() < 1e-9 && mid.lat_deg.abs() < 1e-9);
        let s = line.slice(deg_m * 0.5, deg_m * 1.5);
        assert_eq!(s.len(), 3);
        assert_eq!(s[1], LatLon::new(0.0, 1.0));
        assert_eq!(
            sample_leg(LatLon::new(0.0, 0.0), LatLon::new(0.0, 0.001), 30.0).count(),
            5
        );
    }

    #[test]
    fn bearing_delta_wraps() {
        assert_eq!(bearing_delta_deg(350.0, 10.0), 20.0);
        assert_eq!(bearing_delta_deg(10.0, 350.0), -20.0);
    }
}
