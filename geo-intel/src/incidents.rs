//! Incidents: points with a time, a category and a severity, read from any
//! vector source (GeoJSON, GeoPackage, CSV lon/lat, ...).

use std::path::Path;

use chrono::{DateTime, Utc};
use mission_planner::LatLon;
use serde::Serialize;
use serde_json::Value;

use crate::error::{GeoError, Result};
use crate::vector::read_vector_layer;

pub use geo_model::time::parse_time;

/// Field names tried, in order, for each incident property.
pub const TIME_FIELDS: [&str; 5] = ["time", "datetime", "timestamp", "date", "time_utc"];
/// Field names tried for the category.
pub const CATEGORY_FIELDS: [&str; 3] = ["category", "type", "kind"];
/// Field names tried for the severity.
pub const SEVERITY_FIELDS: [&str; 3] = ["severity", "weight", "score"];

/// The largest severity an incident may have: far above any scoring scale, and low
/// enough that a risk grid of millions of them stays finite in f32.
pub const MAX_SEVERITY: f64 = 1e9;

/// One incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incident {
    /// Where it happened.
    pub position: LatLon,
    /// When it happened, if the source says.
    pub time: Option<DateTime<Utc>>,
    /// What kind of incident (free text, e.g. "smuggling").
    pub category: String,
    /// Relative weight, 1.0 when the source has none.
    pub severity: f64,
}

fn find_field<'a>(
    fields: &'a [String],
    candidates: &[&str],
    explicit: Option<&'a str>,
) -> Option<&'a str> {
    if let Some(name) = explicit {
        return fields
            .iter()
            .find(|f| f.as_str() == name)
            .map(String::as_str);
    }
    candidates.iter().find_map(|c| {
        fields
            .iter()
            .find(|f| f.eq_ignore_ascii_case(c))
            .map(String::as_str)
    })
}

/// Reads the incidents of the first layer of `path`. Point geometries are used as
/// they are; other geometries by their centroid. `time_field` overrides the
/// detected time field. Fails on an empty layer, a time that does not parse, or
/// a non-numeric severity, naming the file and the feature.
pub fn read_incidents(path: &Path, time_field: Option<&str>) -> Result<Vec<Incident>> {
    use geo::Centroid;
    let layer = read_vector_layer(path, None)?.require_features()?;
    let tf = find_field(&layer.fields, &TIME_FIELDS, time_field);
    if let (Some(name), None) = (time_field, tf) {
        return Err(GeoError::invalid(path, format!("no time field {name:?}")));
    }
    let cf = find_field(&layer.fields, &CATEGORY_FIELDS, None);
    let sf = find_field(&layer.fields, &SEVERITY_FIELDS, None);
    let mut out = Vec::with_capacity(layer.features.len());
    for (i, f) in layer.features.iter().enumerate() {
        let Some(c) = f.geometry.centroid() else {
            return Err(GeoError::invalid(
                path,
                format!("feature {i} has an empty geometry"),
            ));
        };
        let time = match tf.and_then(|n| f.attributes.get(n)) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(parse_time(s).ok_or_else(|| {
                GeoError::invalid(path, format!("feature {i}: cannot read time {s:?}"))
            })?),
            Some(v) => {
                return Err(GeoError::invalid(
                    path,
                    format!("feature {i}: time {v} is not text"),
                ));
            }
        };
        let category = match cf.and_then(|n| f.attributes.get(n)) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => "unspecified".to_string(),
            Some(v) => v.to_string(),
        };
        let severity = match sf.and_then(|n| f.attributes.get(n)) {
            None | Some(Value::Null) => 1.0,
            Some(Value::Number(n)) => n.as_f64().unwrap_or(1.0),
            Some(Value::String(s)) => s.trim().parse::<f64>().map_err(|_| {
                GeoError::invalid(path, format!("feature {i}: severity {s:?} is not a number"))
            })?,
            Some(v) => {
                return Err(GeoError::invalid(
                    path,
                    format!("feature {i}: severity {v} is not a number"),
                ));
            }
        };
        if !(severity.is_finite() && (0.0..=MAX_SEVERITY).contains(&severity)) {
            return Err(GeoError::invalid(
                path,
                format!("feature {i}: severity {severity} must be within 0..={MAX_SEVERITY}"),
            ));
        }
        out.push(Incident {
            position: LatLon::new(c.y(), c.x()),
            time,
            category,
            severity,
        });
    }
    Ok(out)
}
