//! Fence zones prepared for fast containment tests along legs.
//!
//! Polygons are tested in the lon/lat plane (`geo`'s `Contains`), circles by
//! Haversine distance. A leg that no polygon edge comes near keeps the same
//! polygon containment all along, so its samples skip the polygon tests.

use geo::{Contains, Coord, LineString, Polygon};

use crate::geodesy::{distance_m, point};
use crate::validate::IssueKind;
use crate::{GeoFence, LatLon};

/// The zones of one fence.
pub(crate) struct Zones {
    /// Polygon and whether it is an inclusion zone.
    polygons: Vec<(Polygon<f64>, bool)>,
    /// Bounding box (min lon, min lat, max lon, max lat) of every polygon edge.
    edges: Vec<[f64; 4]>,
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
            z.edges
                .extend((0..n).map(|i| bbox(p.vertices[i], p.vertices[(i + 1) % n])));
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

    /// Polygon containment along the leg `a`-`b` when it cannot change (no edge
    /// near the leg, allowing for the great circle's bulge), else `None`.
    pub(crate) fn fixed_along(&self, a: LatLon, b: LatLon) -> Option<Vec<bool>> {
        let len_m = distance_m(a, b);
        let margin_deg = 0.001 + len_m * len_m / (8.0 * 6.371e6) / 100_000.0;
        let leg = bbox(a, b);
        let near = self.edges.iter().any(|e| {
            e[0] <= leg[2] + margin_deg
                && leg[0] - margin_deg <= e[2]
                && e[1] <= leg[3] + margin_deg
                && leg[1] - margin_deg <= e[3]
        });
        (!near).then(|| self.inside_polygons(a))
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
