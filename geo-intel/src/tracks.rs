//! Flown tracks from GPX or GeoJSON (or any OGR source), or from `.tlog` telemetry
//! (read by gcs-link), as timed point sequences.

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

/// Reads the tracks of `path`.
///
/// `.tlog` (MAVLink telemetry, as Vigil, QGroundControl and MAVProxy record it): one
/// track per vehicle, see [`read_tlog_tracks`].
/// GPX: the `track_points` layer, split by track and segment, with their times.
/// Other sources: line features become tracks (times from `start_time`/`end_time`,
/// interpolated along the line, or one `time` for all of it); point features
/// become tracks grouped by a `track`/`track_id`/`vehicle` field (one track if
/// none) in time order. Fails on an empty source.
pub fn read_tracks(path: &Path) -> Result<Vec<Track>> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(gcs_link::tlog::TLOG_EXTENSION))
    {
        return read_tlog_tracks(path);
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

/// Reads one track per vehicle from a `.tlog`: its GLOBAL_POSITION_INT fixes (or, for
/// a vehicle that sends none, its GPS_RAW_INT fixes with at least a 2D fix), timed by
/// the log, in log order. Ground stations in the log (a `MAV_TYPE_GCS` heartbeat) and
/// positions at exactly 0°, 0° (what autopilots report before a fix) are left out.
/// Damaged bytes in the log are skipped (gcs-link's reader); fails on an unreadable
/// file or a log without positions.
pub fn read_tlog_tracks(path: &Path) -> Result<Vec<Track>> {
    use gcs_link::mavlink::dialects::common::{GpsFixType, MavMessage, MavType};
    use std::collections::{BTreeMap, BTreeSet};

    let reader = gcs_link::tlog::TlogReader::open(path).map_err(|e| GeoError::Open {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let mut fused: BTreeMap<u8, Vec<TrackPoint>> = BTreeMap::new();
    let mut raw_gps: BTreeMap<u8, Vec<TrackPoint>> = BTreeMap::new();
    let mut ground_stations = BTreeSet::new();
    let point = |lat: i32, lon: i32, time_us: u64| {
        (lat != 0 || lon != 0).then(|| TrackPoint {
            position: LatLon::new(f64::from(lat) / 1e7, f64::from(lon) / 1e7),
            time: i64::try_from(time_us)
                .ok()
                .and_then(DateTime::from_timestamp_micros),
        })
    };
    for entry in reader {
        let entry = entry.map_err(|e| GeoError::Read {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        let (sysid, t) = (entry.frame.sysid, entry.time_us);
        match &entry.frame.msg {
            MavMessage::HEARTBEAT(hb) if hb.mavtype == MavType::MAV_TYPE_GCS => {
                ground_stations.insert(sysid);
            }
            MavMessage::GLOBAL_POSITION_INT(p) => {
                fused
                    .entry(sysid)
                    .or_default()
                    .extend(point(p.lat, p.lon, t));
            }
            MavMessage::GPS_RAW_INT(g)
                if !matches!(
                    g.fix_type,
                    GpsFixType::GPS_FIX_TYPE_NO_GPS | GpsFixType::GPS_FIX_TYPE_NO_FIX
                ) =>
            {
                raw_gps
                    .entry(sysid)
                    .or_default()
                    .extend(point(g.lat, g.lon, t));
            }
            _ => {}
        }
    }
    for (sysid, points) in raw_gps {
        fused.entry(sysid).or_insert(points);
    }
    let label = file_label(path);
    let tracks: Vec<Track> = fused
        .into_iter()
        .filter(|(sysid, points)| !ground_stations.contains(sysid) && !points.is_empty())
        .map(|(sysid, points)| Track {
            name: format!("{label} system {sysid}"),
            points,
        })
        .collect();
    if tracks.is_empty() {
        return Err(GeoError::Empty {
            path: path.to_path_buf(),
            reason: "no vehicle positions (GLOBAL_POSITION_INT or GPS_RAW_INT)".into(),
        });
    }
    Ok(tracks)
}

#[cfg(test)]
mod tlog_tests {
    use super::*;
    use gcs_link::frame::encode_v2;
    use gcs_link::mavlink::dialects::common::{
        GLOBAL_POSITION_INT_DATA, GPS_RAW_INT_DATA, GpsFixType, HEARTBEAT_DATA, MavMessage, MavType,
    };
    use gcs_link::tlog::TlogWriter;

    fn position(lat_deg: f64, lon_deg: f64) -> MavMessage {
        MavMessage::GLOBAL_POSITION_INT(GLOBAL_POSITION_INT_DATA {
            lat: (lat_deg * 1e7).round() as i32,
            lon: (lon_deg * 1e7).round() as i32,
            ..Default::default()
        })
    }

    #[test]
    fn one_track_per_vehicle_with_log_times() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("patrol.tlog");
        let mut w = TlogWriter::new(std::fs::File::create(&path).unwrap());
        let t0 = 1_795_743_536_000_000u64; // 2026-11-27T01:38:56Z
        let gcs = MavMessage::HEARTBEAT(HEARTBEAT_DATA {
            mavtype: MavType::MAV_TYPE_GCS,
            ..Default::default()
        });
        w.append(t0, &encode_v2(255, 190, 0, &gcs)).unwrap();
        // A ground station's own position is not a patrol track.
        w.append(t0, &encode_v2(255, 190, 1, &position(13.5, 2.1)))
            .unwrap();
        // Before a fix: 0, 0.
        w.append(t0, &encode_v2(1, 1, 0, &position(0.0, 0.0)))
            .unwrap();
        for i in 0..3u8 {
            let t = t0 + u64::from(i) * 1_000_000;
            let p = position(16.97 + f64::from(i) * 0.001, 7.98);
            w.append(t, &encode_v2(1, 1, i + 1, &p)).unwrap();
            w.append(
                t,
                &encode_v2(2, 1, i, &position(17.0, 8.0 + f64::from(i) * 0.001)),
            )
            .unwrap();
        }
        // A vehicle sending only GPS_RAW_INT; its no-fix report is left out.
        for (i, fix) in [
            GpsFixType::GPS_FIX_TYPE_NO_FIX,
            GpsFixType::GPS_FIX_TYPE_3D_FIX,
        ]
        .into_iter()
        .enumerate()
        {
            let g = MavMessage::GPS_RAW_INT(GPS_RAW_INT_DATA {
                lat: 180_000_000 + i as i32,
                lon: 90_000_000,
                fix_type: fix,
                ..Default::default()
            });
            w.append(t0 + 5_000_000, &encode_v2(3, 1, i as u8, &g))
                .unwrap();
        }
        w.into_inner().unwrap();

        let tracks = read_tracks(&path).unwrap();
        let names: Vec<&str> = tracks.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "patrol.tlog system 1",
                "patrol.tlog system 2",
                "patrol.tlog system 3"
            ]
        );
        let one = &tracks[0].points;
        assert_eq!(one.len(), 3);
        assert!((one[2].position.lat_deg - 16.972).abs() < 1e-7);
        assert_eq!(
            one[1].time.unwrap().to_rfc3339(),
            "2026-11-27T01:38:57+00:00"
        );
        assert_eq!(tracks[2].points.len(), 1);
        assert!((tracks[2].points[0].position.lat_deg - 18.000_000_1).abs() < 1e-9);
    }

    #[test]
    fn a_log_without_positions_is_empty_and_a_missing_one_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("quiet.tlog");
        std::fs::write(&path, b"").unwrap();
        let err = read_tracks(&path).unwrap_err();
        assert!(matches!(err, GeoError::Empty { .. }), "{err}");
        let missing = dir.path().join("nowhere.tlog");
        let err = read_tracks(&missing).unwrap_err();
        assert!(matches!(err, GeoError::Open { .. }), "{err}");
        assert!(err.to_string().contains("nowhere.tlog"), "{err}");
    }

    #[test]
    fn reads_the_ardupilot_sitl_log() {
        let path = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/data/05_telemetry/uavlogviewer_vtol_sitl.tlog"
        ));
        assert!(path.is_file(), "fixture {} is missing", path.display());
        let tracks = read_tracks(path).unwrap();
        assert_eq!(tracks.len(), 1, "one vehicle");
        let t = &tracks[0];
        // Every GLOBAL_POSITION_INT in the log (807, as pymavlink counts them; none at 0, 0).
        assert_eq!(t.points.len(), 807);
        // ArduPilot SITL's default home: Canberra Model Aircraft Club, Australia.
        for p in &t.points {
            assert!((p.position.lat_deg + 35.36).abs() < 0.05, "{p:?}");
            assert!((p.position.lon_deg - 149.16).abs() < 0.05, "{p:?}");
        }
        let (first, last) = (
            t.points[0].time.unwrap(),
            t.points.last().unwrap().time.unwrap(),
        );
        assert!(
            first.to_rfc3339().starts_with("2018-08-08T14:06"),
            "{first}"
        );
        assert!(last > first);
    }
}
