//! Fence zones prepared for fast containment tests along legs.
//!
//! Polygons are tested in the lon/lat plane (`geo`'s `Contains`), circles by
//! Haversine distance. A leg that crosses no polygon edge keeps the same polygon
//! containment all along, so its samples skip the polygon tests. Crossings are
//! found on the great circle cut into pieces of at most 10 km (straight in lon/lat
//! to within a couple of metres).

use geo::{Contains, Coord, Intersects, Line, LineString, Polygon};

use crate::geodesy::{distance_m, point, sample_leg};
use crate::validate::IssueKind;
use crate::{GeoFence, LatLon};

/// The zones of one fence.
pub(crate) struct Zones {
    /// Polygon and whether it is an inclusion zone.
    polygons: Vec<(Polygon<f64>, bool)>,
    /// Every polygon edge with its bounding box (min lon, min lat, max lon, max lat).
    edges: Vec<(Line<f64>, [f64; 4])>,
    /// Centre, radius and whether it is an inclusion zone.
    circles: Vec<(LatLon, f64, bool)>,
}

fn bbox(a: LatLon, b: LatLon) -> [f64; 4] {
    [
        a.lon_deg.min(b.lon_deg),
        a.lat_deg.min(b.lat_deg),
        a.lon_deg.max(b.lon_deg),
        a.lat_deg.max(b.lat_deg),
    ]
}

impl Zones {
    /// Prepares the zones of `fence`.
    pub(crate) fn new(fence: &GeoFence) -> Self {
        let mut z = Zones {
            polygons: Vec::new(),
            edges: Vec::new(),
            circles: Vec::new(),
        };
        for p in &fence.polygons {
            let ring = LineString::from(
                p.vertices
                    .iter()
                    .map(|v| Coord {
                        x: v.lon_deg,
                        y: v.lat_deg,
                    })
                    .collect::<Vec<_>>(),
            );
            z.polygons.push((Polygon::new(ring, vec![]), p.inclusion));
            let n = p.vertices.len();
            z.edges.extend((0..n).map(|i| {
                let (a, b) = (p.vertices[i], p.vertices[(i + 1) % n]);
                (Line::new(point(a), point(b)), bbox(a, b))
            }));
        }
        z.circles.extend(
            fence
                .circles
                .iter()
                .map(|c| (c.center, c.radius_m, c.inclusion)),
        );
        z
    }

    /// Whether there is no zone.
    pub(crate) fn is_empty(&self) -> bool {
        self.polygons.is_empty() && self.circles.is_empty()
    }

    fn inside_polygons(&self, p: LatLon) -> Vec<bool> {
        let pt = point(p);
        self.polygons
            .iter()
            .map(|(poly, _)| poly.contains(&pt))
            .collect()
    }

    /// Polygon containment along the leg `a`-`b` when it cannot change (the leg
    /// crosses no polygon edge), else `None`.
    pub(crate) fn fixed_along(&self, a: LatLon, b: LatLon) -> Option<Vec<bool>> {
        if self.polygons.is_empty() {
            return Some(Vec::new());
        }
        let pts: Vec<LatLon> = sample_leg(a, b, 10_000.0).map(|(p, _)| p).collect();
        let crosses = pts.windows(2).any(|w| {
            let pb = bbox(w[0], w[1]);
            let piece = Line::new(point(w[0]), point(w[1]));
            self.edges.iter().any(|(edge, e)| {
                e[0] <= pb[2]
                    && pb[0] <= e[2]
                    && e[1] <= pb[3]
                    && pb[1] <= e[3]
                    && piece.intersects(edge)
            })
        });
        (!crosses).then(|| self.inside_polygons(a))
    }

    /// The issue at `p`, if it breaks the fence; `polygons` is the known polygon
    /// containment at `p`, if known.
    pub(crate) fn check(&self, p: LatLon, polygons: Option<&[bool]>) -> Option<IssueKind> {
        let computed;
        let inside = match polygons {
            Some(v) => v,
            None => {
                computed = self.inside_polygons(p);
                &computed
            }
        };
        let has_inclusion = self.polygons.iter().any(|z| z.1) || self.circles.iter().any(|c| c.2);
        if has_inclusion {
            let in_polygon = self
                .polygons
                .iter()
                .zip(inside)
                .any(|((_, incl), ins)| *incl && *ins);
            let in_circle = self
                .circles
                .iter()
                .any(|(c, r, incl)| *incl && distance_m(*c, p) <= *r);
            if !(in_polygon || in_circle) {
                return Some(IssueKind::OutsideInclusionFence);
            }
        }
        let excl_polygons = self
            .polygons
            .iter()
            .zip(inside)
            .filter(|((_, incl), _)| !*incl);
        let excl_circles = self.circles.iter().filter(|c| !c.2);
        let in_polygon = excl_polygons.clone().position(|(_, ins)| *ins);
        let zone = in_polygon.or_else(|| {
            excl_circles
                .clone()
                .position(|(c, r, _)| distance_m(*c, p) < *r)
                .map(|i| i + excl_polygons.count())
        });
        zone.map(|zone| IssueKind::InsideExclusionZone { zone })
    }
}
