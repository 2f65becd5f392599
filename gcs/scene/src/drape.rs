//! Vector features draped on the terrain: lines, polygon rings and points in the map
//! frame, with label anchors.
//!
//! Exists so layers read by geo-intel become drawable polylines that follow the
//! terrain (long edges are split so a border crossing a ridge goes over it, not
//! through it), computed once off the frame and tested without a GPU.

use geo::{Centroid, Geometry, LineString, Polygon};
use geo_model::VectorLayer;
use mission_planner::{ElevationModel, LatLon};
use serde_json::Value;

use crate::frame::{Enu, LocalFrame};

/// A layer ready to draw.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DrapedLayer {
    /// Polylines (lines and polygon rings), each at least two points.
    pub lines: Vec<Vec<Enu>>,
    /// Point features.
    pub points: Vec<Enu>,
    /// Labels and where to draw them.
    pub labels: Vec<(String, Enu)>,
}

impl DrapedLayer {
    /// Number of vertices in all lines, for budgets and tests.
    pub fn vertex_count(&self) -> usize {
        self.lines.iter().map(Vec::len).sum::<usize>() + self.points.len()
    }
}

/// How to drape.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DrapeParams {
    /// Height above the terrain, metres (keeps lines out of the ground).
    pub lift_m: f64,
    /// Longest straight piece before a line is split to follow the terrain, metres.
    pub max_segment_m: f64,
    /// Height used where the DEM has no data, metres above mean sea level.
    pub fallback_height_m: f64,
}

impl Default for DrapeParams {
    fn default() -> Self {
        Self {
            lift_m: 30.0,
            max_segment_m: 2_000.0,
            fallback_height_m: 0.0,
        }
    }
}

/// Drapes every feature of `layer`; `label_field` names the attribute shown as label.
pub fn drape_layer(
    frame: &LocalFrame,
    layer: &VectorLayer,
    terrain: &dyn ElevationModel,
    label_field: Option<&str>,
    params: &DrapeParams,
) -> DrapedLayer {
    let mut out = DrapedLayer::default();
    for f in &layer.features {
        let before = (out.lines.len(), out.points.len());
        drape_geometry(frame, &f.geometry, terrain, params, &mut out);
        let drew_something = (out.lines.len(), out.points.len()) != before;
        if let (true, Some(field)) = (drew_something, label_field) {
            let text = match f.attributes.get(field) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => continue,
                Some(v) => v.to_string(),
            };
            if text.is_empty() {
                continue;
            }
            if let Some(c) = label_anchor(&f.geometry) {
                out.labels.push((text, lift(frame, terrain, c, params)));
            }
        }
    }
    out
}

/// Drapes one geometry into `out` (multi-parts and polygon holes included).
pub fn drape_geometry(
    frame: &LocalFrame,
    g: &Geometry<f64>,
    terrain: &dyn ElevationModel,
    params: &DrapeParams,
    out: &mut DrapedLayer,
) {
    match g {
        Geometry::Point(p) => {
            out.points
                .push(lift(frame, terrain, LatLon::new(p.y(), p.x()), params))
        }
        Geometry::MultiPoint(mp) => {
            for p in mp {
                out.points
                    .push(lift(frame, terrain, LatLon::new(p.y(), p.x()), params));
            }
        }
        Geometry::Line(l) => push_line(frame, &LineString::from(*l), terrain, params, out),
        Geometry::LineString(ls) => push_line(frame, ls, terrain, params, out),
        Geometry::MultiLineString(mls) => {
            for ls in mls {
                push_line(frame, ls, terrain, params, out);
            }
        }
        Geometry::Polygon(p) => push_polygon(frame, p, terrain, params, out),
        Geometry::MultiPolygon(mp) => {
            for p in mp {
                push_polygon(frame, p, terrain, params, out);
            }
        }
        Geometry::Rect(r) => push_polygon(frame, &r.to_polygon(), terrain, params, out),
        Geometry::Triangle(t) => push_polygon(frame, &t.to_polygon(), terrain, params, out),
        Geometry::GeometryCollection(gc) => {
            for g in gc {
                drape_geometry(frame, g, terrain, params, out);
            }
        }
    }
}

/// Where a feature's label goes: the point, the middle vertex of a line, a polygon's
/// centroid.
pub fn label_anchor(g: &Geometry<f64>) -> Option<LatLon> {
    let c = match g {
        Geometry::LineString(ls) if !ls.0.is_empty() => ls.0[ls.0.len() / 2],
        Geometry::MultiLineString(mls) => {
            let longest = mls.0.iter().max_by_key(|ls| ls.0.len())?;
            *longest.0.get(longest.0.len() / 2)?
        }
        other => other.centroid()?.0,
    };
    Some(LatLon::new(c.y, c.x))
}

fn push_polygon(
    frame: &LocalFrame,
    p: &Polygon<f64>,
    terrain: &dyn ElevationModel,
    params: &DrapeParams,
    out: &mut DrapedLayer,
) {
    push_line(frame, p.exterior(), terrain, params, out);
    for ring in p.interiors() {
        push_line(frame, ring, terrain, params, out);
    }
}

fn push_line(
    frame: &LocalFrame,
    ls: &LineString<f64>,
    terrain: &dyn ElevationModel,
    params: &DrapeParams,
    out: &mut DrapedLayer,
) {
    let projected: Vec<Enu> =
        ls.0.iter()
            .map(|c| frame.to_enu(LatLon::new(c.y, c.x), 0.0))
            .collect();
    if projected.len() < 2 {
        return;
    }
    let mut line = Vec::with_capacity(projected.len());
    for w in projected.windows(2) {
        let (a, b) = (w[0], w[1]);
        let pieces = (a.horizontal_distance_m(&b) / params.max_segment_m)
            .ceil()
            .clamp(1.0, 10_000.0) as usize;
        for k in 0..pieces {
            let t = k as f64 / pieces as f64;
            line.push(Enu::new(
                a.east_m + t * (b.east_m - a.east_m),
                a.north_m + t * (b.north_m - a.north_m),
                0.0,
            ));
        }
    }
    line.push(projected[projected.len() - 1]);
    for p in &mut line {
        let ll = frame.to_lat_lon(p.east_m, p.north_m);
        p.up_m = terrain.elevation_m(ll).unwrap_or(params.fallback_height_m) + params.lift_m;
    }
    out.lines.push(line);
}

fn lift(frame: &LocalFrame, terrain: &dyn ElevationModel, p: LatLon, params: &DrapeParams) -> Enu {
    let h = terrain.elevation_m(p).unwrap_or(params.fallback_height_m);
    frame.to_enu(p, h + params.lift_m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Coord, LineString, Point};
    use geo_intel::vector::read_vector_layer;
    use std::path::Path;

    /// A ridge: 1000 m high along the meridian 8°E, 300 m elsewhere.
    struct Ridge;
    impl ElevationModel for Ridge {
        fn elevation_m(&self, p: LatLon) -> Option<f64> {
            Some(if (p.lon_deg - 8.0).abs() < 0.01 {
                1000.0
            } else {
                300.0
            })
        }
    }

    fn frame() -> LocalFrame {
        LocalFrame::new(LatLon::new(17.0, 8.0))
    }

    #[test]
    fn long_edges_are_split_and_follow_the_terrain() {
        // 0.2° (~21 km) east-west line crossing the ridge.
        let ls = LineString::from(vec![Coord { x: 7.9, y: 17.0 }, Coord { x: 8.1, y: 17.0 }]);
        let mut out = DrapedLayer::default();
        let params = DrapeParams {
            max_segment_m: 500.0,
            ..Default::default()
        };
        drape_geometry(
            &frame(),
            &Geometry::LineString(ls),
            &Ridge,
            &params,
            &mut out,
        );
        let line = &out.lines[0];
        assert!(line.len() >= 43, "{} points", line.len());
        for w in line.windows(2) {
            assert!(w[0].horizontal_distance_m(&w[1]) <= 500.0 + 1e-6);
        }
        assert!(
            line.iter().any(|p| (p.up_m - 1030.0).abs() < 1e-9),
            "goes over the ridge"
        );
        assert!((line[0].up_m - 330.0).abs() < 1e-9);
    }

    #[test]
    fn points_are_lifted_above_terrain_and_labelled() {
        let mut out = DrapedLayer::default();
        let g = Geometry::Point(Point::new(8.2, 17.1));
        drape_geometry(&frame(), &g, &Ridge, &DrapeParams::default(), &mut out);
        assert_eq!(out.points.len(), 1);
        assert!((out.points[0].up_m - 330.0).abs() < 1e-9);
        assert_eq!(label_anchor(&g), Some(LatLon::new(17.1, 8.2)));
    }

    #[test]
    fn the_demo_border_and_towns_drape_with_labels() {
        let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/niger");
        let border = read_vector_layer(&base.join("ne10m_niger_border_segments.geojson"), None)
            .expect("border segments read");
        let d = drape_layer(
            &frame(),
            &border,
            &Ridge,
            Some("name"),
            &DrapeParams::default(),
        );
        assert!(!d.lines.is_empty());
        assert!(
            d.labels.iter().any(|(t, _)| t.contains("Nigeria")),
            "{:?}",
            d.labels
        );
        let towns = read_vector_layer(&base.join("ne10m_towns_niger_region.geojson"), None)
            .expect("towns read");
        let t = drape_layer(
            &frame(),
            &towns,
            &Ridge,
            Some("NAME"),
            &DrapeParams::default(),
        );
        assert_eq!(t.points.len(), towns.features.len());
        assert!(
            t.labels.iter().any(|(n, _)| n == "Agadez"),
            "{:?}",
            t.labels
        );
    }
}
