//! Export of route, fence and rally points to GeoJSON (QGIS) and KML (Google Earth).
//!
//! Fence circles become 64-sided polygons; altitudes are written as given with
//! their reference in the properties.

use geo::{Destination, Haversine, Point};
use serde_json::json;

use crate::{LatLon, MissionItem, Plan};

fn circle_ring(center: LatLon, radius_m: f64) -> Vec<LatLon> {
    let c = Point::new(center.lon_deg, center.lat_deg);
    (0..=64)
        .map(|i| {
            let p = Haversine.destination(c, f64::from(i % 64) * 360.0 / 64.0, radius_m);
            LatLon::new(p.y(), p.x())
        })
        .collect()
}

fn closed(vertices: &[LatLon]) -> Vec<LatLon> {
    let mut v = vertices.to_vec();
    if let Some(first) = v.first().copied() {
        v.push(first);
    }
    v
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
            "geometry": {"type": "Polygon", "coordinates": [closed(&poly.vertices).into_iter().map(pos).collect::<Vec<_>>()]}}));
    }
    for c in &plan.fence.circles {
        features.push(json!({"type": "Feature", "properties": {"kind": "fence_circle", "inclusion": c.inclusion, "radius_m": c.radius_m},
            "geometry": {"type": "Polygon", "coordinates": [circle_ring(c.center, c.radius_m).into_iter().map(pos).collect::<Vec<_>>()]}}));
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
        "<Polygon><outerBoundaryIs><LinearRing><coordinates>{}</coordinates></LinearRing></outerBoundaryIs></Polygon>",
        kml_coords(ring.iter().map(|p| (*p, 0.0)))
    )
}

/// The plan as a KML document (route with altitudes, waypoints, fence, rally).
pub fn to_kml(plan: &Plan) -> String {
    let mut body = String::new();
    let route = route(plan);
    if route.len() >= 2 {
        let geom = format!(
            "<LineString><altitudeMode>absolute</altitudeMode><coordinates>{}</coordinates></LineString>",
            kml_coords(route.iter().map(|r| (r.2, r.3)))
        );
        body.push_str(&placemark("Route", "route", &geom));
    }
    for (seq, item, p, alt_m) in &route {
        let geom = format!(
            "<Point><coordinates>{}</coordinates></Point>",
            kml_coords([(*p, *alt_m)])
        );
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
            &kml_polygon(&closed(&poly.vertices)),
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
        let geom = format!(
            "<Point><coordinates>{}</coordinates></Point>",
            kml_coords([(r.position, r.altitude.alt_m)])
        );
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
