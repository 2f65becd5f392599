//! Telemetry logs (`.tlog`): every frame in and out of the ground station, with its time.
//!
//! The format is the one MAVProxy and QGroundControl write, so their tools (and
//! pymavlink's `mavutil.mavlink_connection(path)`) read our logs and we read theirs:
//! a sequence of records, each an 8-byte big-endian timestamp in microseconds since
//! the UNIX epoch followed by one complete MAVLink 1 or 2 frame as it was on the wire.
//! There is no file header and no direction flag; a ground station's own frames are
//! recognised by its system id and its `MAV_TYPE_GCS` heartbeat.
//!
//! - [`TlogRecorder`] records one session to a new file from its own thread, buffered
//!   and flushed every [`TLOG_FLUSH_INTERVAL`](crate::constants::TLOG_FLUSH_INTERVAL),
//!   so a killed process loses at most the last flush interval, and synced to disk
//!   every [`TLOG_SYNC_INTERVAL`](crate::constants::TLOG_SYNC_INTERVAL) and on close,
//!   so a power loss loses at most the last sync interval.
//! - [`TlogReader`] reads a log back as [`TlogEntry`] values, counting what it skips.
//! - [`vehicle_positions`] reads where each vehicle in a log was, as plain values.
//! - The `tlog:PATH[@SPEED]` link address replays a log as a link
//!   ([`LinkAddress::Tlog`](crate::LinkAddress::Tlog)).

mod positions;
mod reader;
mod writer;

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mavlink::MAVLinkMessageRaw;

pub use positions::{PositionFix, VehiclePositions, vehicle_positions};
pub use reader::{ReadStats, TlogEntry, TlogReader};
pub use writer::{SyncData, TlogRecorder, TlogWriter, session_file_name};

/// Extension of telemetry log files.
pub const TLOG_EXTENSION: &str = "tlog";

/// Size of a record's timestamp, in bytes.
pub const TIMESTAMP_LEN: usize = 8;

/// Why a telemetry log could not be written or read; every case names the file.
#[derive(Debug, thiserror::Error)]
pub enum TlogError {
    /// The log directory or the session file could not be created.
    #[error("cannot create telemetry log {path}: {source}")]
    Create {
        /// The directory or file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The log could not be opened for reading.
    #[error("cannot open telemetry log {path}: {source}")]
    Open {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The file holds no MAVLink frame Vigil reads: it is empty, or not a telemetry log.
    #[error(
        "telemetry log {path} holds no MAVLink frames: it is empty or not a .tlog (8-byte timestamp, then a MAVLink frame, per record)"
    )]
    NoFrames {
        /// The file.
        path: PathBuf,
    },
    /// Reading the log failed part way.
    #[error("cannot read telemetry log {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
}

/// The complete bytes of a frame as rust-mavlink's reader validated it.
pub fn frame_bytes(raw: &MAVLinkMessageRaw) -> &[u8] {
    match raw {
        MAVLinkMessageRaw::V1(m) => m.raw_bytes(),
        MAVLinkMessageRaw::V2(m) => m.raw_bytes(),
    }
}

/// Microseconds since the UNIX epoch of a wall-clock time (0 before the epoch).
pub fn unix_us(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}

/// The wall-clock time of a log timestamp.
pub fn system_time(time_us: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_micros(time_us)
}

/// Civil UTC date and time `(year, month, day, hour, minute, second)` of UNIX seconds.
///
/// Howard Hinnant's `civil_from_days`, so file names need no calendar dependency.
pub(crate) fn utc_civil(unix_s: u64) -> (i64, u32, u32, u32, u32, u32) {
    let days = i64::try_from(unix_s / 86_400).unwrap_or(i64::MAX / 2);
    let secs = (unix_s % 86_400) as u32;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, secs / 3600, (secs / 60) % 60, secs % 60)
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Scratch directories for the unit tests (no tempfile dependency in this crate).

    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicU32, Ordering};

    /// A fresh directory under the system temp dir, removed on drop.
    pub struct ScratchDir(PathBuf);

    impl ScratchDir {
        pub fn new(tag: &str) -> Self {
            static NEXT: AtomicU32 = AtomicU32::new(0);
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let dir = std::env::temp_dir().join(format!(
                "gcs-link-{tag}-{}-{n}-{}",
                std::process::id(),
                super::unix_us(std::time::SystemTime::now())
            ));
            std::fs::create_dir_all(&dir).expect("create scratch dir");
            Self(dir)
        }

        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for ScratchDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_match_known_instants() {
        assert_eq!(utc_civil(0), (1970, 1, 1, 0, 0, 0));
        // 2000-02-29T12:34:56Z, a leap day.
        assert_eq!(utc_civil(951_827_696), (2000, 2, 29, 12, 34, 56));
        // 2026-11-27T01:38:56Z.
        assert_eq!(utc_civil(1_795_743_536), (2026, 11, 27, 1, 38, 56));
        // The ArduPilot SITL log in shared/data starts 2018-08-08T14:06:01Z.
        assert_eq!(utc_civil(1_533_737_161), (2018, 8, 8, 14, 6, 1));
    }

    #[test]
    fn timestamps_convert_both_ways() {
        let t = system_time(1_533_737_161_905_000);
        assert_eq!(unix_us(t), 1_533_737_161_905_000);
        assert_eq!(unix_us(UNIX_EPOCH - Duration::from_secs(1)), 0);
    }
}
