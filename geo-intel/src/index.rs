//! A spatial index (R-tree) over features for viewport and nearest queries.
//!
//! Entries are lon/lat bounding boxes. Viewport queries return every entry whose
//! box meets the viewport. Nearest queries walk candidates in order of box
//! distance in degrees and refine with the haversine distance to the real
//! geometry, stopping once no farther box can be closer: the answer is exact.

use geo::{Closest, Distance, Haversine, HaversineClosestPoint, Intersects, Point};
use mission_planner::LatLon;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use crate::vector::LonLatBounds;

/// Mean Earth radius used by geo's haversine, metres.
const EARTH_R_M: f64 = 6_371_008.8;

type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// An R-tree over geometries, each known by its index in the caller's list.
pub struct SpatialIndex {
    tree: RTree<Entry>,
    geometries: Vec<geo::Geometry<f64>>,
    max_abs_lat_deg: f64,
}

/// A nearest-feature answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nearest {
    /// The feature's index in the list the index was built from.
    pub index: usize,
    /// Haversine distance from the query point to the feature, metres (0 inside a polygon).
    pub distance_m: f64,
}

impl SpatialIndex {
    /// Builds the index (bulk-loaded) over `geometries` (lon/lat), which it keeps.
    /// Geometries without a bounding box (empty ones) are left out.
    pub fn new(geometries: Vec<geo::Geometry<f64>>) -> Self {
        use geo::BoundingRect;
        let mut max_abs_lat_deg: f64 = 0.0;
        let entries: Vec<Entry> = geometries
            .iter()
            .enumerate()
            .filter_map(|(i, g)| {
                let r = g.bounding_rect()?;
                max_abs_lat_deg = max_abs_lat_deg.max(r.min().y.abs()).max(r.max().y.abs());
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i,
                ))
            })
            .collect();
        SpatialIndex {
            tree: RTree::bulk_load(entries),
            geometries,
            max_abs_lat_deg,
        }
    }

    /// Builds the index over points.
    pub fn from_points(points: &[LatLon]) -> Self {
        SpatialIndex::new(
            points
                .iter()
                .map(|p| geo::Geometry::Point(Point::new(p.lon_deg, p.lat_deg)))
                .collect(),
        )
    }

    /// How many entries the index holds.
    pub fn len(&self) -> usize {
        self.tree.size()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    /// The geometry of entry `index`.
    pub fn geometry(&self, index: usize) -> &geo::Geometry<f64> {
        &self.geometries[index]
    }

    /// Indices of the entries whose bounding box meets `view` (unsorted).
    pub fn in_viewport(&self, view: &LonLatBounds) -> Vec<usize> {
        let env = AABB::from_corners(
            [view.west_deg, view.south_deg],
            [view.east_deg, view.north_deg],
        );
        self.tree
            .locate_in_envelope_intersecting(&env)
            .map(|e| e.data)
            .collect()
    }

    /// Haversine distance in metres from `p` to geometry `index`.
    pub fn distance_m(&self, p: LatLon, index: usize) -> f64 {
        let q = Point::new(p.lon_deg, p.lat_deg);
        let g = &self.geometries[index];
        if let geo::Geometry::Point(pt) = g {
            return Haversine.distance(q, *pt);
        }
        if matches!(
            g,
            geo::Geometry::Polygon(_) | geo::Geometry::MultiPolygon(_)
        ) && g.intersects(&q)
        {
            return 0.0;
        }
        match g.haversine_closest_point(&q) {
            Closest::Intersection(_) => 0.0,
            Closest::SinglePoint(c) => Haversine.distance(q, c),
            Closest::Indeterminate => f64::INFINITY,
        }
    }

    /// The entry nearest to `p` by haversine distance, exact.
    pub fn nearest(&self, p: LatLon) -> Option<Nearest> {
        // A degree of box distance is at least this many metres anywhere in the data.
        let lat_max = self.max_abs_lat_deg.max(p.lat_deg.abs()).min(89.9);
        let m_per_deg_min = EARTH_R_M * std::f64::consts::PI / 180.0 * lat_max.to_radians().cos();
        let mut best: Option<Nearest> = None;
        for (e, d2) in self
            .tree
            .nearest_neighbor_iter_with_distance_2(&[p.lon_deg, p.lat_deg])
        {
            if let Some(b) = best
                && d2.sqrt() * m_per_deg_min > b.distance_m
            {
                break;
            }
            let d = self.distance_m(p, e.data);
            if best.is_none_or(|b| d < b.distance_m) {
                best = Some(Nearest {
                    index: e.data,
                    distance_m: d,
                });
            }
        }
        best
    }
}
