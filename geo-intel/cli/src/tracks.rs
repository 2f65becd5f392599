//! Track files for `coverage`: `.tlog` telemetry read through gcs-link, anything else
//! (GPX, GeoJSON, ...) through geo-intel, all as geo-intel's plain [`Track`] values.

use std::path::Path;

use chrono::DateTime;
use gcs_link::tlog::{TLOG_EXTENSION, TlogError, vehicle_positions};
use geo_intel::GeoError;
use geo_intel::tracks::{Track, TrackPoint};

/// The tracks of `path`: one per vehicle for a `.tlog`, as geo-intel reads them otherwise.
pub fn read_tracks(path: &Path) -> geo_intel::Result<Vec<Track>> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(TLOG_EXTENSION))
    {
        tlog_tracks(path)
    } else {
        geo_intel::tracks::read_tracks(path)
    }
}

/// One track per vehicle of a telemetry log (see `gcs_link::tlog::vehicle_positions`),
/// named `FILE system SYSID`, timed by the log. Fails on an unreadable log or one
/// without positions, naming the file once.
pub fn tlog_tracks(path: &Path) -> geo_intel::Result<Vec<Track>> {
    let vehicles = vehicle_positions(path).map_err(|e| match e {
        // The reader's message names the file; keep the OS's reason only.
        TlogError::Open { path, source } => GeoError::Open {
            path,
            reason: source.to_string(),
        },
        other => GeoError::Read {
            path: path.to_path_buf(),
            reason: std::error::Error::source(&other)
                .map_or_else(|| other.to_string(), ToString::to_string),
        },
    })?;
    if vehicles.is_empty() {
        return Err(GeoError::Empty {
            path: path.to_path_buf(),
            reason: "no vehicle positions (GLOBAL_POSITION_INT or GPS_RAW_INT)".into(),
        });
    }
    let label = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok(vehicles
        .into_iter()
        .map(|v| Track {
            name: format!("{label} system {}", v.sysid),
            points: v
                .fixes
                .iter()
                .map(|f| TrackPoint {
                    position: f.position,
                    time: i64::try_from(f.time_us)
                        .ok()
                        .and_then(DateTime::from_timestamp_micros),
                })
                .collect(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ardupilot_sitl_log_is_one_timed_track() {
        let path = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/05_telemetry/uavlogviewer_vtol_sitl.tlog"
        ));
        let tracks = read_tracks(path).unwrap();
        assert_eq!(tracks.len(), 1, "one vehicle");
        let t = &tracks[0];
        assert_eq!(t.name, "uavlogviewer_vtol_sitl.tlog system 1");
        assert_eq!(t.points.len(), 807);
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

    #[test]
    fn empty_and_missing_logs_name_the_file_once() {
        let dir = tempfile::tempdir().unwrap();
        let quiet = dir.path().join("quiet.tlog");
        std::fs::write(&quiet, b"").unwrap();
        let err = read_tracks(&quiet).unwrap_err();
        assert!(matches!(err, GeoError::Empty { .. }), "{err}");
        let missing = dir.path().join("nowhere.tlog");
        let err = read_tracks(&missing).unwrap_err().to_string();
        assert_eq!(err.matches("nowhere.tlog").count(), 1, "{err}");
        assert_eq!(err.matches("os error").count(), 1, "{err}");
    }
}
