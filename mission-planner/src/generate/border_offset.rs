//! A border polyline offset by a standoff distance into home territory.
//!
//! Each border segment is moved `standoff_m` along its normal on the home side;
//! outer corners are joined with arcs, inner corners with their mitre point, and
//! any point that ends up closer than the standoff to another part of the border
//! (narrow bays, inner corners on short segments) is dropped. The result is then
//! simplified (Ramer-Douglas-Peucker, `geo`) to a tolerance.

use geo::{
    Contains, Coord, Densify, Euclidean, InterpolatePoint, LineString, Polygon, SimplifyIdx,
    Winding,
};
use serde::{Deserialize, Serialize};

use crate::LatLon;
use crate::geodesy::{
    Polyline, bearing_deg, bearing_delta_deg, destination, distance_m, distance_to_segment_m, point,
};

/// Which side of the border polyline, walking along it, is home territory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HomeSide {
    /// Left of the direction of travel.
    Left,
    /// Right of the direction of travel.
    Right,
}

impl HomeSide {
    fn sign(self) -> f64 {
        match self {
            HomeSide::Left => -1.0,
            HomeSide::Right => 1.0,
        }
    }

    /// The side of `border` that `p` lies on.
    ///
    /// A closed border (first point == last) is a ring: `p` is on its inner side when
    /// the ring, read as straight lon/lat edges as GeoJSON draws them, contains it.
    /// An open border is judged at the nearest segment, or at the nearest vertex when
    /// that is where `p` is closest: near a sharp bend (a river border's spike) one
    /// segment alone can point either way.
    pub fn of_point(border: &[LatLon], p: LatLon) -> Option<HomeSide> {
        let mut pts = border.to_vec();
        pts.dedup();
        let n = pts.len();
        if n < 2 {
            return None;
        }
        if n >= 4 && pts[0] == pts[n - 1] {
            return Some(Self::of_point_in_ring(&pts, p));
        }
        let i = (0..n - 1).min_by(|&x, &y| {
            distance_to_segment_m(p, pts[x], pts[x + 1]).total_cmp(&distance_to_segment_m(
                p,
                pts[y],
                pts[y + 1],
            ))
        })?;
        let (a, b) = (pts[i], pts[i + 1]);
        let d = distance_to_segment_m(p, a, b);
        let right_of =
            |u: LatLon, v: LatLon| bearing_delta_deg(bearing_deg(u, v), bearing_deg(u, p)) >= 0.0;
        // Closest at a vertex shared with the next or previous segment: judge the corner.
        let corner = if i + 2 < n && distance_m(p, b) <= d + VERTEX_TIE_M {
            Some((a, b, pts[i + 2]))
        } else if i >= 1 && distance_m(p, a) <= d + VERTEX_TIE_M {
            Some((pts[i - 1], a, b))
        } else {
            None
        };
        let right = match corner {
            Some((u, v, w)) => {
                let (r1, r2) = (right_of(u, v), right_of(v, w));
                // Turning right, the right side is the wedge inside the corner.
                if bearing_delta_deg(bearing_deg(u, v), bearing_deg(v, w)) > 0.0 {
                    r1 && r2
                } else {
                    r1 || r2
                }
            }
            None => right_of(a, b),
        };
        Some(if right {
            HomeSide::Right
        } else {
            HomeSide::Left
        })
    }

    /// The side of the closed ring `ring` that `p` lies on (inside a clockwise ring
    /// is its right).
    fn of_point_in_ring(ring: &[LatLon], p: LatLon) -> HomeSide {
        let outline = LineString::from(
            ring.iter()
                .map(|q| Coord {
                    x: q.lon_deg,
                    y: q.lat_deg,
                })
                .collect::<Vec<_>>(),
        );
        let clockwise = outline.is_cw();
        let inside = Polygon::new(outline, vec![]).contains(&point(p));
        if inside == clockwise {
            HomeSide::Right
        } else {
            HomeSide::Left
        }
    }
}

/// How much nearer than a vertex the closest point of a segment must be, metres,
/// for a point to count as closest to the segment rather than to the vertex.
const VERTEX_TIE_M: f64 = 1e-3;

/// Distance queries against a border, with a bounding-box prefilter per segment.
pub struct BorderIndex {
    segments: Vec<(LatLon, LatLon, [f64; 4])>,
}

impl BorderIndex {
    /// An index over the segments of `border`.
    pub fn new(border: &[LatLon]) -> Self {
        let segments = border
            .windows(2)
            .map(|w| {
                let bbox = [
                    w[0].lat_deg.min(w[1].lat_deg),
                    w[0].lat_deg.max(w[1].lat_deg),
                    w[0].lon_deg.min(w[1].lon_deg),
                    w[0].lon_deg.max(w[1].lon_deg),
                ];
                (w[0], w[1], bbox)
            })
            .collect();
        BorderIndex { segments }
    }

    /// Whether `p` is closer than `d_m` to any segment.
    pub fn is_within(&self, p: LatLon, d_m: f64) -> bool {
        // Degrees of latitude are >= 110.5 km; longitude degrees shrink with cos(lat).
        let dlat = d_m / 110_000.0;
        let dlon = dlat / p.lat_deg.to_radians().cos().max(0.01);
        self.segments.iter().any(|(a, b, bb)| {
            p.lat_deg >= bb[0] - dlat
                && p.lat_deg <= bb[1] + dlat
                && p.lon_deg >= bb[2] - dlon
                && p.lon_deg <= bb[3] + dlon
                && distance_to_segment_m(p, *a, *b) < d_m
        })
    }

    /// Distance from `p` to the nearest segment, metres.
    pub fn distance_m(&self, p: LatLon) -> f64 {
        self.segments
            .iter()
            .map(|(a, b, _)| distance_to_segment_m(p, *a, *b))
            .fold(f64::INFINITY, f64::min)
    }
}

/// An offset line: vertices with the border distance (from the border's start,
/// metres) each one stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct OffsetLine {
    /// Vertices of the offset line.
    pub points: Vec<LatLon>,
    /// For each vertex, distance along the border of the border point it offsets.
    pub border_m: Vec<f64>,
}

/// Offsets `border` by `standoff_m` toward `side`, then simplifies to `tolerance_m`.
pub fn offset_border(
    border: &[LatLon],
    side: HomeSide,
    standoff_m: f64,
    tolerance_m: f64,
) -> OffsetLine {
    let mut border: Vec<LatLon> = border.to_vec();
    border.dedup();
    let border = densify_planar(&border);
    let cum = Polyline::new(border.clone()).cumulative_m().to_vec();
    let n = border.len();
    let mut out: Vec<(LatLon, f64)> = Vec::new();
    if n < 2 {
        return OffsetLine {
            points: vec![],
            border_m: vec![],
        };
    }
    let closed = n > 3 && border[0] == border[n - 1];
    let s = side.sign();
    let d = standoff_m;
    // Normal bearings at the start and end of each segment (end uses the final bearing).
    let normals: Vec<(f64, f64)> = border
        .windows(2)
        .map(|w| {
            (
                bearing_deg(w[0], w[1]) + s * 90.0,
                bearing_deg(w[1], w[0]) + 180.0 + s * 90.0,
            )
        })
        .collect();
    let join = |out: &mut Vec<(LatLon, f64)>, v: LatLon, n1: f64, n2: f64, at_m: f64| {
        let delta = bearing_delta_deg(n1, n2);
        if s * delta > 0.0 {
            // Inner corner: the mitre point where both offset segments meet.
            let half = delta / 2.0;
            let dist = d / half.to_radians().cos().max(0.25);
            out.push((destination(v, n1 + half, dist), at_m));
        } else {
            // Outer corner: an arc around the vertex, at most 15 degrees a step.
            let steps = (delta.abs() / 15.0).ceil().max(1.0) as usize;
            for k in 0..=steps {
                out.push((
                    destination(v, n1 + delta * k as f64 / steps as f64, d),
                    at_m,
                ));
            }
        }
    };
    if closed {
        join(&mut out, border[0], normals[n - 2].1, normals[0].0, 0.0);
    } else {
        out.push((destination(border[0], normals[0].0, d), 0.0));
    }
    for i in 1..n - 1 {
        join(&mut out, border[i], normals[i - 1].1, normals[i].0, cum[i]);
    }
    if closed {
        let first = out[0];
        out.push((first.0, cum[n - 1]));
    } else {
        out.push((destination(border[n - 1], normals[n - 2].1, d), cum[n - 1]));
    }
    let index = BorderIndex::new(&border);
    out.retain(|(p, _)| !index.is_within(*p, d * 0.97));
    out.dedup_by(|a, b| distance_m(a.0, b.0) < 0.5);
    // A ring's offset stays a ring even when the points at its seam were dropped.
    if closed && out.len() > 2 && distance_m(out[0].0, out[out.len() - 1].0) >= 0.5 {
        out.push((out[0].0, cum[n - 1]));
    }
    let line = LineString::from(
        out.iter()
            .map(|(p, _)| Coord {
                x: p.lon_deg,
                y: p.lat_deg,
            })
            .collect::<Vec<_>>(),
    );
    let keep = line.simplify_idx(tolerance_m / 111_320.0);
    // Simplification merges long straight runs again: cut them back into short pieces.
    let mut offset = OffsetLine {
        points: Vec::new(),
        border_m: Vec::new(),
    };
    for (k, i) in keep.iter().enumerate() {
        if let Some(j) = keep.get(k + 1) {
            let ((a, sa), (b, sb)) = (out[*i], out[*j]);
            let span = (b.lon_deg - a.lon_deg)
                .abs()
                .max((b.lat_deg - a.lat_deg).abs());
            let pieces = (span / MAX_PIECE_DEG).ceil().clamp(1.0, 1e6) as usize;
            for m in 0..pieces {
                let r = m as f64 / pieces as f64;
                let p = Euclidean.point_at_ratio_between(point(a), point(b), r);
                offset.points.push(LatLon::new(p.y(), p.x()));
                offset.border_m.push(sa + (sb - sa) * r);
            }
        } else {
            offset.points.push(out[*i].0);
            offset.border_m.push(out[*i].1);
        }
    }
    offset
}

/// Longest straight piece kept, in degrees (about 5.5 km): over it a great-circle
/// leg and the straight lon/lat edge of a GeoJSON border stay within about a metre.
const MAX_PIECE_DEG: f64 = 0.05;

/// The polyline with points added along its straight lon/lat edges (`geo`'s
/// Euclidean densify: GeoJSON edges are straight in lon/lat).
fn densify_planar(points: &[LatLon]) -> Vec<LatLon> {
    let line = LineString::from(
        points
            .iter()
            .map(|p| Coord {
                x: p.lon_deg,
                y: p.lat_deg,
            })
            .collect::<Vec<_>>(),
    );
    Euclidean
        .densify(&line, MAX_PIECE_DEG)
        .points()
        .map(|p| LatLon::new(p.y(), p.x()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn side_near_a_spike_is_judged_at_its_vertex() {
        // Niger's border at Diffa (Komadugu Yobe): west-north-west to a spike's tip,
        // then south. Diffa lies 2.1 km west of the tip, Niger's (right) side, yet
        // left of the first segment's line.
        let spike = vec![
            LatLon::new(13.302393, 12.640654),
            LatLon::new(13.310377, 12.630009),
            LatLon::new(13.294177, 12.628769),
        ];
        let diffa = LatLon::new(13.3154, 12.6113);
        assert_eq!(HomeSide::of_point(&spike, diffa), Some(HomeSide::Right));
        let reversed: Vec<LatLon> = spike.iter().rev().copied().collect();
        assert_eq!(HomeSide::of_point(&reversed, diffa), Some(HomeSide::Left));
        // Inside the spike's narrow wedge is the other side.
        let in_wedge = LatLon::new(13.3040, 12.6320);
        assert_eq!(HomeSide::of_point(&spike, in_wedge), Some(HomeSide::Left));
        assert_eq!(
            HomeSide::of_point(&reversed, in_wedge),
            Some(HomeSide::Right)
        );
    }

    #[test]
    fn side_of_a_ring_is_inside_or_outside() {
        // Clockwise ring: the inside is on the right, however near a vertex.
        let ring = vec![
            LatLon::new(0.0, 0.0),
            LatLon::new(1.0, 0.0),
            LatLon::new(1.0, 1.0),
            LatLon::new(0.0, 1.0),
            LatLon::new(0.0, 0.0),
        ];
        for (p, side) in [
            (LatLon::new(0.999, 0.999), HomeSide::Right),
            (LatLon::new(0.5, 0.5), HomeSide::Right),
            (LatLon::new(1.001, 1.001), HomeSide::Left),
            (LatLon::new(1.001, 0.5), HomeSide::Left),
        ] {
            assert_eq!(HomeSide::of_point(&ring, p), Some(side), "{p}");
            let ccw: Vec<LatLon> = ring.iter().rev().copied().collect();
            let other = match side {
                HomeSide::Left => HomeSide::Right,
                HomeSide::Right => HomeSide::Left,
            };
            assert_eq!(HomeSide::of_point(&ccw, p), Some(other), "{p}");
        }
    }

    #[test]
    fn square_offset_inside_keeps_standoff() {
        // Counter-clockwise square: the inside is on the left.
        let sq = vec![
            LatLon::new(0.0, 0.0),
            LatLon::new(0.0, 1.0),
            LatLon::new(1.0, 1.0),
            LatLon::new(1.0, 0.0),
            LatLon::new(0.0, 0.0),
        ];
        assert_eq!(
            HomeSide::of_point(&sq, LatLon::new(0.5, 0.5)),
            Some(HomeSide::Left)
        );
        let off = offset_border(&sq, HomeSide::Left, 2000.0, 10.0);
        assert!(off.points.len() >= 5, "{off:?}");
        let idx = BorderIndex::new(&sq);
        for p in &off.points {
            let dist = idx.distance_m(*p);
            assert!((dist - 2000.0).abs() < 60.0, "{p} at {dist}");
            assert!(p.lat_deg > 0.0 && p.lat_deg < 1.0 && p.lon_deg > 0.0 && p.lon_deg < 1.0);
        }
        // Outside: arcs at corners, all points 2 km out.
        let out = offset_border(&sq, HomeSide::Right, 2000.0, 1.0);
        assert!(
            out.points
                .iter()
                .all(|p| (idx.distance_m(*p) - 2000.0).abs() < 60.0)
        );
        assert!(out.points.len() > off.points.len());
    }
}
