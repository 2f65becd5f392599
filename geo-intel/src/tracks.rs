//! Flown tracks as timed point sequences: plain values, read here from GPX or
//! GeoJSON (or any OGR source).
//!
//! `.tlog` telemetry is MAVLink, which this crate knows nothing of: gcs-link reads a
//! log's positions (`gcs_link::tlog::vehicle_positions`) and the caller turns each
//! vehicle's fixes into a [`Track`].

use std::path::Path;

use chrono::{DateTime, Utc};
use mission_planner::LatLon;
use serde_json::Value;

use crate::error::{GeoError, Result};
use crate::incidents::parse_time;
use crate::vector::{Feature, open_vector, read_vector, read_vector_layer};

/// One fix of a track.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackPoint {
    /// Where the vehicle was.
    pub position: LatLon,
    /// When, if the source says.
    pub time: Option<DateTime<Utc>>,
}

/// A continuous track (one GPX track segment, one line, or one vehicle's points).
#[derive(Debug, Clone, PartialEq)]
pub struct Track {
    /// A label: file name plus track/segment/feature id.
    pub name: String,
    /// The fixes in flight order.
    pub points: Vec<TrackPoint>,
}

fn time_of(v: Option<&Value>) -> Option<DateTime<Utc>> {
    match v {
        Some(Value::String(s)) => parse_time(s),
        _ => None,
    }
}

fn file_label(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The extension of MAVLink telemetry logs, which [`read_tracks`] refuses.
pub const TLOG_EXTENSION: &str = "tlog";

/// Reads the tracks of `path`.
///
/// GPX: the `track_points` layer, split by track and segment, with their times.
/// Other sources: line features become tracks (times from `start_time`/`end_time`,
/// interpolated along the line, or one `time` for all of it); point features
/// become tracks grouped by a `track`/`track_id`/`vehicle` field (one track if
/// none) in time order. Fails on an empty source, and on a `.tlog` telemetry log
/// (read those with gcs-link; see the module docs).
pub fn read_tracks(path: &Path) -> Result<Vec<Track>> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(TLOG_EXTENSION))
    {
        return Err(GeoError::Open {
            path: path.to_path_buf(),
            reason: "MAVLink telemetry is not a GIS track file: read its positions with gcs-link (gcs_link::tlog::vehicle_positions)".into(),
        });
    }
    let label = file_label(path);
    let ds = open_vector(path)?;
    let is_gpx = ds.driver().short_name() == "GPX";
    drop(ds);
    let tracks = if is_gpx {
        let layer = read_vector_layer(path, Some("track_points"))?;
        let mut tracks: Vec<Track> = Vec::new();
        let mut key = (None, None);
        for f in &layer.features {
            let k = (
                f.attributes.get("track_fid").cloned(),
                f.attributes.get("track_seg_id").cloned(),
            );
            if tracks.is_empty() || k != key {
                key = k;
                tracks.push(Track {
                    name: format!(
                        "{label} track {} segment {}",
                        key.0.clone().unwrap_or_default(),
                        key.1.clone().unwrap_or_default()
                    ),
                    points: Vec::new(),
                });
            }
            if let geo::Geometry::Point(p) = f.geometry {
                let t = tracks.last_mut().expect("pushed above");
                t.points.push(TrackPoint {
                    position: LatLon::new(p.y(), p.x()),
                    time: time_of(f.attributes.get("time")),
                });
            }
        }
        tracks
    } else {
        let features: Vec<Feature> = read_vector(path)?
            .into_iter()
            .flat_map(|l| l.features)
            .collect();
        tracks_from_features(&features, &label)
    };
    let tracks: Vec<Track> = tracks
        .into_iter()
        .filter(|t| !t.points.is_empty())
        .collect();
    if tracks.is_empty() {
        return Err(GeoError::Empty {
            path: path.to_path_buf(),
            reason: "no track points or lines".into(),
        });
    }
    Ok(tracks)
}

fn tracks_from_features(features: &[Feature], label: &str) -> Vec<Track> {
    use std::collections::BTreeMap;
    let mut tracks = Vec::new();
    let mut by_vehicle: BTreeMap<String, Vec<TrackPoint>> = BTreeMap::new();
    let line_track = |i: usize, line: &geo::LineString<f64>, f: &Feature| {
        let start =
            time_of(f.attributes.get("start_time")).or_else(|| time_of(f.attributes.get("time")));
        let end = time_of(f.attributes.get("end_time")).or(start);
        let n = line.0.len().max(2) - 1;
        Track {
            name: format!("{label} feature {i}"),
            points: line
                .0
                .iter()
                .enumerate()
                .map(|(j, c)| TrackPoint {
                    position: LatLon::new(c.y, c.x),
                    time: match (start, end) {
                        (Some(s), Some(e)) => Some(s + (e - s) * (j as i32) / (n as i32)),
                        _ => None,
                    },
                })
                .collect(),
        }
    };
    for (i, f) in features.iter().enumerate() {
        match &f.geometry {
            geo::Geometry::LineString(l) => tracks.push(line_track(i, l, f)),
            geo::Geometry::MultiLineString(ml) => {
                ml.0.iter().for_each(|l| tracks.push(line_track(i, l, f)))
            }
            geo::Geometry::Point(p) => {
                let vehicle = ["track", "track_id", "vehicle", "track_fid"]
                    .iter()
                    .find_map(|k| {
                        f.attributes
                            .get(*k)
                            .filter(|v| !v.is_null())
                            .map(|v| v.to_string())
                    })
                    .unwrap_or_default();
                by_vehicle.entry(vehicle).or_default().push(TrackPoint {
                    position: LatLon::new(p.y(), p.x()),
                    time: time_of(f.attributes.get("time")),
                });
            }
            _ => {}
        }
    }
    for (vehicle, mut points) in by_vehicle {
        if points.iter().all(|p| p.time.is_some()) {
            points.sort_by_key(|p| p.time);
        }
        tracks.push(Track {
            name: format!("{label} points {vehicle}"),
            points,
        });
    }
    tracks
}
