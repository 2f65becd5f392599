//! Export of route, fence and rally points to GeoJSON (QGIS) and KML (Google Earth).
//!
//! Fence circles become 64-sided polygons. Rings follow RFC 7946's right-hand rule
//! (exterior counterclockwise, through `geo`'s orientation) in both formats. GeoJSON
//! altitudes are written as given with their reference in the properties; KML
//! altitudes carry the `altitudeMode` of their frame (see [`kml_altitude`]).

use geo::orient::{Direction, Orient};
use geo::{Destination, Haversine, LineString, Point, Polygon};
use serde_json::json;

use crate::{AltitudeReference, LatLon, MissionItem, Plan};

/// `ring` (closed or not) as a closed exterior ring, counterclockwise (RFC 7946 3.1.6).
fn exterior_ccw(ring: &[LatLon]) -> Vec<LatLon> {
    let line: LineString<f64> = ring.iter().map(|p| (p.lon_deg, p.lat_deg)).collect();
    let oriented = Polygon::new(line, vec![]).orient(Direction::Default);
    oriented
        .exterior()
        .coords()
        .map(|c| LatLon::new(c.y, c.x))
        .collect()
}

fn circle_ring(center: LatLon, radius_m: f64) -> Vec<LatLon> {
    let c = Point::new(center.lon_deg, center.lat_deg);
    (0..=64)
        .map(|i| {
            let p = Haversine.destination(c, f64::from(i % 64) * 360.0 / 64.0, radius_m);
            LatLon::new(p.y(), p.x())
        })
        .collect()
}

/// Route points: each positional item with its seq and altitude.
fn route(plan: &Plan) -> Vec<(usize, &MissionItem, LatLon, f64)> {
    plan.mission
        .items
        .iter()
        .enumerate()
        .filter_map(|(i, it)| {
            Some((
                plan.mission.seq_of(i),
                it,
                it.position()?,
                it.altitude()?.alt_m,
            ))
        })
        .collect()
}

/// The plan as a GeoJSON FeatureCollection (route line, waypoints, fence, rally).
pub fn to_geojson(plan: &Plan) -> String {
    let pos = |p: LatLon| json!([p.lon_deg, p.lat_deg]);
    let mut features = Vec::new();
    let route = route(plan);
    if route.len() >= 2 {
        features.push(json!({"type": "Feature", "properties": {"kind": "route"},
            "geometry": {"type": "LineString", "coordinates": route.iter().map(|r| pos(r.2)).collect::<Vec<_>>()}}));
    }
    for (seq, item, p, alt_m) in &route {
        let reference = item.altitude().map(|a| format!("{:?}", a.reference));
        features.push(json!({"type": "Feature",
            "properties": {"kind": "waypoint", "seq": seq, "command": item.to_params().command, "alt_m": alt_m, "alt_reference": reference},
            "geometry": {"type": "Point", "coordinates": pos(*p)}}));
    }
    if let Some(h) = plan.mission.home {
        features.push(
            json!({"type": "Feature", "properties": {"kind": "home", "alt_amsl_m": h.alt_amsl_m},
            "geometry": {"type": "Point", "coordinates": pos(h.position)}}),
        );
    }
    for poly in &plan.fence.polygons {
        features.push(json!({"type": "Feature", "properties": {"kind": "fence_polygon", "inclusion": poly.inclusion},
            "geometry": {"type": "Polygon", "coordinates": [exterior_ccw(&poly.vertices).into_iter().map(pos).collect::<Vec<_>>()]}}));
    }
    for c in &plan.fence.circles {
        features.push(json!({"type": "Feature", "properties": {"kind": "fence_circle", "inclusion": c.inclusion, "radius_m": c.radius_m},
            "geometry": {"type": "Polygon", "coordinates": [exterior_ccw(&circle_ring(c.center, c.radius_m)).into_iter().map(pos).collect::<Vec<_>>()]}}));
    }
    for r in &plan.rally_points {
        features.push(
            json!({"type": "Feature", "properties": {"kind": "rally", "alt_m": r.altitude.alt_m},
            "geometry": {"type": "Point", "coordinates": pos(r.position)}}),
        );
    }
    let doc = json!({"type": "FeatureCollection", "features": features});
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn kml_coords(points: impl IntoIterator<Item = (LatLon, f64)>) -> String {
    points
        .into_iter()
        .map(|(p, alt)| format!("{},{},{}", p.lon_deg, p.lat_deg, alt))
        .collect::<Vec<_>>()
        .join(" ")
}

fn placemark(name: &str, style: &str, geometry: &str) -> String {
    format!(
        "<Placemark><name>{}</name><styleUrl>#{style}</styleUrl>{geometry}</Placemark>\n",
        xml_escape(name)
    )
}

fn kml_polygon(ring: &[LatLon]) -> String {
    format!(
        "<Polygon><altitudeMode>clampToGround</altitudeMode><outerBoundaryIs><LinearRing><coordinates>{}</coordinates></LinearRing></outerBoundaryIs></Polygon>",
        kml_coords(exterior_ccw(ring).into_iter().map(|p| (p, 0.0)))
    )
}

/// A KML `altitudeMode` and the altitude to write for an altitude in `reference`:
/// AMSL is `absolute`; above terrain is `relativeToGround`; above home is `absolute`
/// at home's altitude plus the height when home's altitude is known, else
/// `clampToGround` (KML has no "above home" mode, and terrain is not home's height).
pub fn kml_altitude(
    reference: AltitudeReference,
    alt_m: f64,
    home_alt_amsl_m: Option<f64>,
) -> (&'static str, f64) {
    match reference {
        AltitudeReference::Amsl => ("absolute", alt_m),
        AltitudeReference::Terrain => ("relativeToGround", alt_m),
        AltitudeReference::Home => match home_alt_amsl_m.filter(|h| h.is_finite()) {
            Some(h) => ("absolute", h + alt_m),
            None => ("clampToGround", 0.0),
        },
    }
}

fn kml_point(mode: &str, p: LatLon, alt_m: f64) -> String {
    format!(
        "<Point><altitudeMode>{mode}</altitudeMode><coordinates>{}</coordinates></Point>",
        kml_coords([(p, alt_m)])
    )
}

/// The plan as a KML document (route with altitudes, waypoints, fence, rally).
pub fn to_kml(plan: &Plan) -> String {
    let mut body = String::new();
    let route = route(plan);
    let home_alt = plan.mission.home.map(|h| h.alt_amsl_m);
    let resolved: Vec<(&str, LatLon, f64)> = route
        .iter()
        .map(|(_, item, p, alt_m)| {
            let reference = item
                .altitude()
                .map_or(AltitudeReference::Home, |a| a.reference);
            let (mode, alt) = kml_altitude(reference, *alt_m, home_alt);
            (mode, *p, alt)
        })
        .collect();
    if resolved.len() >= 2 {
        // One line has one mode: the points' when they share it, else on the ground.
        let mode = resolved[0].0;
        let geom = if resolved.iter().all(|r| r.0 == mode) {
            format!(
                "<LineString><altitudeMode>{mode}</altitudeMode><coordinates>{}</coordinates></LineString>",
                kml_coords(resolved.iter().map(|r| (r.1, r.2)))
            )
        } else {
            format!(
                "<LineString><altitudeMode>clampToGround</altitudeMode><coordinates>{}</coordinates></LineString>",
                kml_coords(resolved.iter().map(|r| (r.1, 0.0)))
            )
        };
        body.push_str(&placemark("Route", "route", &geom));
    }
    for ((seq, item, _, _), (mode, p, alt)) in route.iter().zip(&resolved) {
        let geom = kml_point(mode, *p, *alt);
        body.push_str(&placemark(
            &format!("{seq}: cmd {}", item.to_params().command),
            "waypoint",
            &geom,
        ));
    }
    for (i, poly) in plan.fence.polygons.iter().enumerate() {
        let (name, style) = if poly.inclusion {
            ("Inclusion", "inclusion")
        } else {
            ("Exclusion", "exclusion")
        };
        body.push_str(&placemark(
            &format!("{name} polygon {i}"),
            style,
            &kml_polygon(&poly.vertices),
        ));
    }
    for (i, c) in plan.fence.circles.iter().enumerate() {
        let (name, style) = if c.inclusion {
            ("Inclusion", "inclusion")
        } else {
            ("Exclusion", "exclusion")
        };
        body.push_str(&placemark(
            &format!("{name} circle {i}"),
            style,
            &kml_polygon(&circle_ring(c.center, c.radius_m)),
        ));
    }
    for (i, r) in plan.rally_points.iter().enumerate() {
        let (mode, alt) = kml_altitude(r.altitude.reference, r.altitude.alt_m, home_alt);
        let geom = kml_point(mode, r.position, alt);
        body.push_str(&placemark(&format!("Rally {i}"), "rally", &geom));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n<Document>\n<name>Vigil plan</name>\n\
<Style id=\"route\"><LineStyle><color>ff00ffff</color><width>3</width></LineStyle></Style>\n\
<Style id=\"waypoint\"><IconStyle><scale>0.6</scale></IconStyle></Style>\n\
<Style id=\"inclusion\"><LineStyle><color>ff00ff00</color><width>2</width></LineStyle><PolyStyle><fill>0</fill></PolyStyle></Style>\n\
<Style id=\"exclusion\"><LineStyle><color>ff0000ff</color><width>2</width></LineStyle><PolyStyle><color>400000ff</color></PolyStyle></Style>\n\
<Style id=\"rally\"><IconStyle><color>ffff8000</color></IconStyle></Style>\n{body}</Document>\n</kml>\n"
    )
}
