//! Walking along lines by distance (chainage), on the sphere.

use geo::{Distance, Haversine, InterpolatePoint, LineString, Point};
use mission_planner::LatLon;
use serde_json::{Map, Value};

use crate::vector::VectorLayer;

/// A point at a distance along a line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Station {
    /// Distance from the line's start, metres (haversine).
    pub chainage_m: f64,
    /// Where it is.
    pub position: LatLon,
    /// Whether it sits on the regular grid of `k * step_m` (false for vertices in between).
    pub regular: bool,
}

/// Length of a lon/lat line in metres (haversine, mean Earth radius).
pub fn length_m(line: &LineString<f64>) -> f64 {
    line.lines()
        .map(|l| Haversine.distance(Point::from(l.start), Point::from(l.end)))
        .sum()
}

/// Stations every `step_m` metres along `line` (at 0, step, 2 step, ... and the
/// end), plus every vertex in between, in order.
/// A `step_m` that is not a positive number gives the vertices only.
pub fn stations(line: &LineString<f64>, step_m: f64) -> Vec<Station> {
    let step_m = if step_m.is_finite() && step_m > 0.0 {
        step_m
    } else {
        f64::INFINITY
    };
    let mut out = Vec::new();
    let mut start_m = 0.0;
    let mut k: u64 = 0;
    for leg in line.lines() {
        let a = Point::from(leg.start);
        let b = Point::from(leg.end);
        let len = Haversine.distance(a, b);
        if out.is_empty() {
            out.push(Station {
                chainage_m: 0.0,
                position: LatLon::new(a.y(), a.x()),
                regular: true,
            });
            k = 1;
        }
        while (k as f64) * step_m < start_m + len {
            let d = k as f64 * step_m - start_m;
            let p = Haversine.point_at_distance_between(a, b, d);
            out.push(Station {
                chainage_m: k as f64 * step_m,
                position: LatLon::new(p.y(), p.x()),
                regular: true,
            });
            k += 1;
        }
        start_m += len;
        out.push(Station {
            chainage_m: start_m,
            position: LatLon::new(b.y(), b.x()),
            regular: false,
        });
    }
    if let Some(last) = out.last_mut() {
        last.regular = true;
    }
    out
}

/// A named line of a border layer.
#[derive(Debug, Clone)]
pub struct NamedLine {
    /// A label from the feature's attributes (`name`, `NAME`, `right`, ...), or `feature N`.
    pub name: String,
    /// The line, lon/lat.
    pub line: LineString<f64>,
}

fn label(attrs: &Map<String, Value>, idx: usize) -> String {
    for key in ["name", "NAME", "Name", "right", "neighbour", "label"] {
        if let Some(Value::String(s)) = attrs.get(key)
            && !s.is_empty()
        {
            return s.clone();
        }
    }
    format!("feature {idx}")
}

/// The lines of a border layer: line strings as they are, each part of a
/// multi-line, and the rings (exterior and holes) of polygons.
pub fn border_lines(layer: &VectorLayer) -> Vec<NamedLine> {
    let mut out = Vec::new();
    for (i, f) in layer.features.iter().enumerate() {
        let name = label(&f.attributes, i);
        let mut push = |line: &LineString<f64>, part: Option<usize>| {
            if line.0.len() >= 2 {
                out.push(NamedLine {
                    name: part.map_or(name.clone(), |p| format!("{name} part {p}")),
                    line: line.clone(),
                });
            }
        };
        match &f.geometry {
            geo::Geometry::LineString(l) => push(l, None),
            geo::Geometry::MultiLineString(ml) if ml.0.len() == 1 => push(&ml.0[0], None),
            geo::Geometry::MultiLineString(ml) => {
                ml.0.iter()
                    .enumerate()
                    .for_each(|(p, l)| push(l, Some(p + 1)))
            }
            geo::Geometry::Polygon(p) => {
                push(p.exterior(), None);
                p.interiors()
                    .iter()
                    .enumerate()
                    .for_each(|(h, l)| push(l, Some(h + 1)));
            }
            geo::Geometry::MultiPolygon(mp) => {
                let mut part = 0;
                for p in &mp.0 {
                    for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                        part += 1;
                        push(ring, Some(part));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stations_are_evenly_spaced_and_keep_vertices() {
        // Along the equator a degree of longitude is 111.195 km (mean radius).
        let line = LineString::from(vec![(0.0, 0.0), (0.5, 0.0), (1.0, 0.0)]);
        let len = length_m(&line);
        assert!((len - 111_195.08).abs() < 1.0, "{len}");
        let st = stations(&line, 10_000.0);
        let regular: Vec<_> = st.iter().filter(|s| s.regular).collect();
        assert_eq!(regular.len(), 13, "0, 10, ..., 110 km and the end");
        for (k, s) in regular.iter().take(12).enumerate() {
            assert!((s.chainage_m - k as f64 * 10_000.0).abs() < 1e-6);
            assert!((s.position.lon_deg - s.chainage_m / len).abs() < 1e-9);
        }
        assert!(
            st.iter().any(|s| !s.regular && s.position.lon_deg == 0.5),
            "the middle vertex"
        );
        assert!(st.windows(2).all(|w| w[1].chainage_m >= w[0].chainage_m));
    }
}
