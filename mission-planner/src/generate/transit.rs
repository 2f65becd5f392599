//! Transit legs between a base and the patrol line that never cross the border.
//!
//! A straight leg is used when it stays on the home side; otherwise the vehicle
//! flies straight to the nearest point of the patrol line it can reach without
//! crossing, then along the line (which is inside home territory by construction).
//! Crossing is tested along the great circle, cut into pieces of at most 10 km (so
//! each piece is straight in lon/lat to within a couple of metres), against the
//! border polyline with `geo`'s segment intersection.

use geo::{Intersects, Line};

use crate::LatLon;
use crate::geodesy::{Polyline, distance_m, point, sample_leg};

/// Length of the pieces a transit is cut into for crossing tests, metres.
const PIECE_M: f64 = 10_000.0;
/// Spacing of the line positions a blocked transit may join the line at, metres.
const ANCHOR_SPACING_M: f64 = 10_000.0;

/// Border segment with its bounding box (min lon, min lat, max lon, max lat).
type Segment = (Line<f64>, [f64; 4]);

fn bbox(a: LatLon, b: LatLon) -> [f64; 4] {
    [
        a.lon_deg.min(b.lon_deg),
        a.lat_deg.min(b.lat_deg),
        a.lon_deg.max(b.lon_deg),
        a.lat_deg.max(b.lat_deg),
    ]
}

fn overlap(x: &[f64; 4], y: &[f64; 4]) -> bool {
    x[0] <= y[2] && y[0] <= x[2] && x[1] <= y[3] && y[1] <= x[3]
}

/// Transits from one base to positions on the patrol line.
pub struct Transit {
    base: LatLon,
    border: Vec<Segment>,
    /// Offset-line vertices reachable straight from the base: (position on the line, distance).
    anchors: Vec<(f64, f64)>,
}

impl Transit {
    /// Prepares transits from `base` to `line`, not crossing `border`.
    pub fn new(base: LatLon, border: &[LatLon], line: &Polyline) -> Self {
        let border = border
            .windows(2)
            .map(|w| (Line::new(point(w[0]), point(w[1])), bbox(w[0], w[1])))
            .collect();
        let mut t = Transit {
            base,
            border,
            anchors: Vec::new(),
        };
        let mut last = f64::NEG_INFINITY;
        let candidates: Vec<(LatLon, f64)> = line
            .points()
            .iter()
            .zip(line.cumulative_m())
            .filter(|(_, c)| {
                let keep = **c - last >= ANCHOR_SPACING_M;
                if keep {
                    last = **c;
                }
                keep
            })
            .map(|(q, c)| (*q, *c))
            .collect();
        t.anchors = candidates
            .into_iter()
            .filter(|(q, _)| !t.crosses(*q))
            .map(|(q, c)| (c, distance_m(base, q)))
            .collect();
        t
    }

    fn crosses(&self, to: LatLon) -> bool {
        let pts: Vec<LatLon> = sample_leg(self.base, to, PIECE_M).map(|(p, _)| p).collect();
        let whole = pts.windows(2).fold(
            [
                f64::INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::NEG_INFINITY,
            ],
            |b, w| {
                let s = bbox(w[0], w[1]);
                [
                    b[0].min(s[0]),
                    b[1].min(s[1]),
                    b[2].max(s[2]),
                    b[3].max(s[3]),
                ]
            },
        );
        let near: Vec<&Segment> = self
            .border
            .iter()
            .filter(|(_, b)| overlap(b, &whole))
            .collect();
        pts.windows(2).any(|w| {
            let piece = Line::new(point(w[0]), point(w[1]));
            let pb = bbox(w[0], w[1]);
            near.iter()
                .any(|(line, b)| overlap(b, &pb) && piece.intersects(line))
        })
    }

    /// Shortest transit to line position `t_m`: its length, and the line position
    /// it joins the line at when it cannot fly straight.
    pub fn to_line(&self, line: &Polyline, t_m: f64) -> (f64, Option<f64>) {
        let p = line.point_at(t_m);
        if !self.crosses(p) {
            return (distance_m(self.base, p), None);
        }
        self.anchors
            .iter()
            .map(|(c, d)| (d + (t_m - c).abs(), Some(*c)))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .unwrap_or((f64::INFINITY, None))
    }

    /// The transit's points from the base up to (not including) line position `t_m`.
    pub fn path_to(&self, line: &Polyline, t_m: f64) -> Vec<LatLon> {
        let mut path = vec![self.base];
        if let (_, Some(c)) = self.to_line(line, t_m) {
            let mut along = line.slice(c.min(t_m), c.max(t_m));
            if c > t_m {
                along.reverse();
            }
            along.pop(); // line(t_m) itself
            path.extend(along);
        }
        path
    }
}
