//! A border polyline offset by a standoff distance into home territory.
//!
//! Each border segment is moved `standoff_m` along its normal on the home side;
//! outer corners are joined with arcs, inner corners with their mitre point, and
//! any point that ends up closer than the standoff to another part of the border
//! (narrow bays, inner corners on short segments) is dropped. The result is then
//! simplified (Ramer-Douglas-Peucker, `geo`) to a tolerance.

use geo::{Coord, Densify, Euclidean, InterpolatePoint, LineString, SimplifyIdx};
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

    /// The side of `border` that `p` lies on, judged at the nearest segment.
    pub fn of_point(border: &[LatLon], p: LatLon) -> Option<HomeSide> {
        let (a, b) = border
            .windows(2)
            .filter(|w| w[0] != w[1])
            .map(|w| (w[0], w[1]))
            .min_by(|x, y| {
                distance_to_segment_m(p, x.0, x.1).total_cmp(&distance_to_segment_m(p, y.0, y.1))
            })?;
        let delta = bearing_delta_deg(bearing_deg(a, b), bearing_deg(a, p));
        Some(if delta >= 0.0 {
            HomeSide::Right
        } else {
            HomeSide::Left
        })
    }
}

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
