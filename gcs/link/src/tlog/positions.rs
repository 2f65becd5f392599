//! Where each vehicle in a telemetry log was, and when: the log's positions as plain
//! values, for analyses that know nothing of MAVLink (geo-intel's patrol coverage).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use mavlink::dialects::common::{GpsFixType, MavMessage, MavType};

use super::{TlogError, TlogReader};
use crate::LatLon;

/// One position of a vehicle, at the time the log recorded it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PositionFix {
    /// When the frame was logged, microseconds since the UNIX epoch.
    pub time_us: u64,
    /// Where the vehicle said it was.
    pub position: LatLon,
}

/// One vehicle's positions in log order.
#[derive(Debug, Clone, PartialEq)]
pub struct VehiclePositions {
    /// The vehicle's MAVLink system id.
    pub sysid: u8,
    /// Its fixes, never empty.
    pub fixes: Vec<PositionFix>,
}

/// Reads the positions of every vehicle in the log at `path`, by system id.
///
/// A vehicle's positions are its GLOBAL_POSITION_INT fixes or, for a vehicle that sends
/// none, its GPS_RAW_INT fixes with at least a 2D fix. Ground stations (a
/// `MAV_TYPE_GCS` heartbeat) and positions at exactly 0°, 0° (what autopilots report
/// before a fix) are left out. Damaged bytes are skipped as [`TlogReader`] does; a log
/// without positions gives an empty list. Fails on an unreadable file.
pub fn vehicle_positions(path: &Path) -> Result<Vec<VehiclePositions>, TlogError> {
    let mut fused: BTreeMap<u8, Vec<PositionFix>> = BTreeMap::new();
    let mut raw_gps: BTreeMap<u8, Vec<PositionFix>> = BTreeMap::new();
    let mut ground_stations = BTreeSet::new();
    let fix = |lat_e7: i32, lon_e7: i32, time_us: u64| {
        (lat_e7 != 0 || lon_e7 != 0).then(|| PositionFix {
            time_us,
            position: LatLon::from_deg_e7(lat_e7, lon_e7),
        })
    };
    for entry in TlogReader::open(path)? {
        let entry = entry?;
        let (sysid, t) = (entry.frame.sysid, entry.time_us);
        match &entry.frame.msg {
            MavMessage::HEARTBEAT(hb) if hb.mavtype == MavType::MAV_TYPE_GCS => {
                ground_stations.insert(sysid);
            }
            MavMessage::GLOBAL_POSITION_INT(p) => {
                fused.entry(sysid).or_default().extend(fix(p.lat, p.lon, t));
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
                    .extend(fix(g.lat, g.lon, t));
            }
            _ => {}
        }
    }
    for (sysid, fixes) in raw_gps {
        fused.entry(sysid).or_insert(fixes);
    }
    Ok(fused
        .into_iter()
        .filter(|(sysid, fixes)| !ground_stations.contains(sysid) && !fixes.is_empty())
        .map(|(sysid, fixes)| VehiclePositions { sysid, fixes })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::encode_v2;
    use crate::tlog::TlogWriter;
    use crate::tlog::test_support::ScratchDir;
    use mavlink::dialects::common::{GLOBAL_POSITION_INT_DATA, GPS_RAW_INT_DATA, HEARTBEAT_DATA};

    fn position(lat_deg: f64, lon_deg: f64) -> MavMessage {
        let (lat, lon) = LatLon::new(lat_deg, lon_deg).to_deg_e7();
        MavMessage::GLOBAL_POSITION_INT(GLOBAL_POSITION_INT_DATA {
            lat,
            lon,
            ..Default::default()
        })
    }

    #[test]
    fn one_list_per_vehicle_with_log_times() {
        let dir = ScratchDir::new("positions");
        let path = dir.path().join("patrol.tlog");
        let mut w = TlogWriter::new(std::fs::File::create(&path).unwrap());
        let t0 = 1_795_743_536_000_000u64; // 2026-11-27T01:38:56Z
        let gcs = MavMessage::HEARTBEAT(HEARTBEAT_DATA {
            mavtype: MavType::MAV_TYPE_GCS,
            ..Default::default()
        });
        w.append(t0, &encode_v2(255, 190, 0, &gcs)).unwrap();
        // A ground station's own position is not a vehicle's.
        w.append(t0, &encode_v2(255, 190, 1, &position(13.5, 2.1)))
            .unwrap();
        // Before a fix: 0, 0.
        w.append(t0, &encode_v2(1, 1, 0, &position(0.0, 0.0)))
            .unwrap();
        for i in 0..3u8 {
            let t = t0 + u64::from(i) * 1_000_000;
            let p = position(16.97 + f64::from(i) * 0.001, 7.98);
            w.append(t, &encode_v2(1, 1, i + 1, &p)).unwrap();
            // Negative coordinates survive (south and west).
            let q = position(-8.05, -34.9 + f64::from(i) * 0.001);
            w.append(t, &encode_v2(2, 1, i, &q)).unwrap();
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

        let vehicles = vehicle_positions(&path).unwrap();
        let ids: Vec<u8> = vehicles.iter().map(|v| v.sysid).collect();
        assert_eq!(ids, [1, 2, 3]);
        let one = &vehicles[0].fixes;
        assert_eq!(one.len(), 3);
        assert!((one[2].position.lat_deg - 16.972).abs() < 1e-7);
        assert_eq!(one[1].time_us, t0 + 1_000_000);
        assert!((vehicles[1].fixes[0].position.lon_deg + 34.9).abs() < 1e-7);
        assert_eq!(vehicles[2].fixes.len(), 1);
        assert!((vehicles[2].fixes[0].position.lat_deg - 18.000_000_1).abs() < 1e-9);
    }

    #[test]
    fn a_log_without_positions_is_empty_and_a_missing_one_names_the_file() {
        let dir = ScratchDir::new("positions-empty");
        let path = dir.path().join("quiet.tlog");
        std::fs::write(&path, b"").unwrap();
        assert_eq!(vehicle_positions(&path).unwrap(), []);
        let missing = dir.path().join("nowhere.tlog");
        let err = vehicle_positions(&missing).unwrap_err();
        assert!(matches!(err, TlogError::Open { .. }), "{err}");
        assert!(err.to_string().contains("nowhere.tlog"), "{err}");
    }

    #[test]
    fn reads_the_ardupilot_sitl_log() {
        let path = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/05_telemetry/uavlogviewer_vtol_sitl.tlog"
        ));
        assert!(path.is_file(), "fixture {} is missing", path.display());
        let vehicles = vehicle_positions(path).unwrap();
        assert_eq!(vehicles.len(), 1, "one vehicle");
        let fixes = &vehicles[0].fixes;
        // Every GLOBAL_POSITION_INT in the log (807, as pymavlink counts them; none at 0, 0).
        assert_eq!(fixes.len(), 807);
        // ArduPilot SITL's default home: Canberra Model Aircraft Club, Australia.
        for f in fixes {
            assert!((f.position.lat_deg + 35.36).abs() < 0.05, "{f:?}");
            assert!((f.position.lon_deg - 149.16).abs() < 0.05, "{f:?}");
        }
        // The log starts 2018-08-08T14:06:01Z and runs forward.
        assert!((1_533_737_161_000_000..1_533_737_221_000_000).contains(&fixes[0].time_us));
        assert!(fixes.last().unwrap().time_us > fixes[0].time_us);
    }
}
