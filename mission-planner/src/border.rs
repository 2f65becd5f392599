//! Reading border lines and fence polygons from GeoJSON (lon/lat, RFC 7946).

use serde_json::Value;

use crate::LatLon;
use crate::files::ParseError;

fn jerr(path: &str, message: impl Into<String>) -> ParseError {
    ParseError::Json {
        json_path: path.to_owned(),
        message: message.into(),
    }
}

fn position(v: &Value, path: &str) -> Result<LatLon, ParseError> {
    let a = v
        .as_array()
        .filter(|a| a.len() >= 2)
        .ok_or_else(|| jerr(path, "expected a position [lon, lat]"))?;
    let lon = a[0]
        .as_f64()
        .ok_or_else(|| jerr(path, "longitude is not a number"))?;
    let lat = a[1]
        .as_f64()
        .ok_or_else(|| jerr(path, "latitude is not a number"))?;
    let p = LatLon::new(lat, lon);
    if p.is_valid() {
        Ok(p)
    } else {
        Err(jerr(path, format!("position {lon},{lat} is out of range")))
    }
}

fn line(v: &Value, path: &str) -> Result<Vec<LatLon>, ParseError> {
    let a = v
        .as_array()
        .ok_or_else(|| jerr(path, "expected an array of positions"))?;
    a.iter()
        .enumerate()
        .map(|(i, p)| position(p, &format!("{path}[{i}]")))
        .collect()
}

/// Every line in a GeoJSON document: LineStrings, MultiLineStrings and polygon rings.
fn collect(v: &Value, path: &str, out: &mut Vec<(Vec<LatLon>, bool)>) -> Result<(), ParseError> {
    let t = v
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| jerr(path, "missing \"type\""))?;
    let coords = || {
        v.get("coordinates")
            .ok_or_else(|| jerr(path, "missing \"coordinates\""))
    };
    let cpath = format!("{path}.coordinates");
    match t {
        "FeatureCollection" => {
            let f = v
                .get("features")
                .and_then(Value::as_array)
                .ok_or_else(|| jerr(path, "missing \"features\" array"))?;
            for (i, x) in f.iter().enumerate() {
                collect(x, &format!("{path}.features[{i}]"), out)?;
            }
        }
        "Feature" => match v.get("geometry") {
            Some(Value::Null) | None => {}
            Some(g) => collect(g, &format!("{path}.geometry"), out)?,
        },
        "GeometryCollection" => {
            let g = v
                .get("geometries")
                .and_then(Value::as_array)
                .ok_or_else(|| jerr(path, "missing \"geometries\""))?;
            for (i, x) in g.iter().enumerate() {
                collect(x, &format!("{path}.geometries[{i}]"), out)?;
            }
        }
        "LineString" => out.push((line(coords()?, &cpath)?, false)),
        "MultiLineString" | "Polygon" => {
            let a = coords()?
                .as_array()
                .ok_or_else(|| jerr(&cpath, "expected an array of lines"))?;
            for (i, l) in a.iter().enumerate() {
                if t == "Polygon" && i > 0 {
                    continue; // holes are not borders
                }
                out.push((line(l, &format!("{cpath}[{i}]"))?, t == "Polygon"));
            }
        }
        "MultiPolygon" => {
            let a = coords()?
                .as_array()
                .ok_or_else(|| jerr(&cpath, "expected an array of polygons"))?;
            for (i, poly) in a.iter().enumerate() {
                if let Some(ring) = poly.as_array().and_then(|r| r.first()) {
                    out.push((line(ring, &format!("{cpath}[{i}][0]"))?, true));
                }
            }
        }
        "Point" | "MultiPoint" => {}
        other => return Err(jerr(path, format!("unknown GeoJSON type {other:?}"))),
    }
    Ok(())
}

fn parse(text: &str) -> Result<Value, ParseError> {
    serde_json::from_str(text).map_err(|e| ParseError::Line {
        line: e.line(),
        message: format!("column {}: invalid JSON: {e}", e.column()),
    })
}

/// The longest line (or polygon ring, closed) in a GeoJSON document.
pub fn border_from_geojson(text: &str) -> Result<Vec<LatLon>, ParseError> {
    let mut lines = Vec::new();
    collect(&parse(text)?, "(root)", &mut lines)?;
    let mut best = lines
        .into_iter()
        .map(|l| l.0)
        .max_by_key(Vec::len)
        .ok_or_else(|| ParseError::Format("no LineString or Polygon in the GeoJSON".into()))?;
    best.dedup();
    if best.len() < 2 {
        return Err(ParseError::Format(
            "the border line has fewer than two distinct points".into(),
        ));
    }
    Ok(best)
}

/// Every polygon's outer ring, and every closed LineString, in a GeoJSON document
/// (returned not closed), as fence polygons.
pub fn polygons_from_geojson(text: &str) -> Result<Vec<Vec<LatLon>>, ParseError> {
    let mut lines = Vec::new();
    collect(&parse(text)?, "(root)", &mut lines)?;
    let rings: Vec<Vec<LatLon>> = lines
        .into_iter()
        // Polygon rings, and LineStrings that close on themselves (a border ring).
        .filter(|l| l.1 || (l.0.len() >= 4 && l.0.first() == l.0.last()))
        .map(|(mut r, _)| {
            if r.len() > 1 && r.first() == r.last() {
                r.pop();
            }
            r
        })
        .filter(|r| r.len() >= 3)
        .collect();
    if rings.is_empty() {
        return Err(ParseError::Format(
            "no Polygon or closed LineString in the GeoJSON".into(),
        ));
    }
    Ok(rings)
}

/// The territory inside a closed border as a fence: inclusion when the base is
/// inside the ring, exclusion when home territory is outside it.
pub fn territory_fence(border: &[LatLon], base: LatLon) -> Option<crate::GeoFence> {
    if border.len() < 4 || border.first() != border.last() {
        return None;
    }
    let vertices = border[..border.len() - 1].to_vec();
    let ring = geo::LineString::from(
        vertices
            .iter()
            .map(|p| geo::Coord {
                x: p.lon_deg,
                y: p.lat_deg,
            })
            .collect::<Vec<_>>(),
    );
    let inclusion = geo::Contains::contains(
        &geo::Polygon::new(ring, vec![]),
        &geo::Point::new(base.lon_deg, base.lat_deg),
    );
    Some(crate::GeoFence {
        polygons: vec![crate::FencePolygon {
            vertices,
            inclusion,
        }],
        ..crate::GeoFence::default()
    })
}
