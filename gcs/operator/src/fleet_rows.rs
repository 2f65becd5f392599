//! Display text for the fleet panel (one row per drone) and the telemetry panel.

use gcs_link::vehicle::GpsFix;
use gcs_link::{VehicleId, VehicleState};

/// Recent packet loss above which a live link shows as degraded, percent.
pub const DEGRADED_LOSS_PCT: f64 = 10.0;

/// Shown where a value is not known yet.
pub const UNKNOWN: &str = "—";

/// How a vehicle's link looks to the operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkStatus {
    /// Heard, with little loss.
    Ok,
    /// Heard, but the best link loses more than [`DEGRADED_LOSS_PCT`].
    Degraded,
    /// No HEARTBEAT on any link.
    Lost,
}

/// One drone's row in the fleet panel, every value as text with its unit.
///
/// Exists so the panel only lays out strings: formatting, units and the "not known
/// yet" dash are decided (and tested) here.
#[derive(Debug, Clone, PartialEq)]
pub struct FleetRow {
    /// The vehicle.
    pub vehicle: VehicleId,
    /// Its name, "PX4-<sysid>" unless the operator named it.
    pub callsign: String,
    /// Link health.
    pub link: LinkStatus,
    /// Flight mode as QGroundControl names it.
    pub mode: String,
    /// Whether the motors are armed.
    pub armed: bool,
    /// Remaining charge, e.g. "76 %".
    pub battery: String,
    /// Mission progress as "item/total" (items numbered from 1), e.g. "3/12".
    pub mission: String,
    /// Altitude above home, e.g. "120 m rel".
    pub alt: String,
    /// Ground speed, e.g. "14.8 m/s".
    pub speed: String,
}

impl FleetRow {
    /// The row for `v`, called `name` if given (else "PX4-<sysid>").
    pub fn new(v: &VehicleState, name: Option<&str>) -> Self {
        Self {
            vehicle: v.id,
            callsign: name.map_or_else(|| callsign(v.id), str::to_owned),
            link: link_status(v),
            mode: v.mode.to_string(),
            armed: v.armed,
            battery: or_dash(v.battery.remaining_pct.map(|p| format!("{p:.0} %"))),
            mission: mission_progress(v),
            alt: or_dash(v.position.map(|p| format!("{:.0} m rel", p.alt_rel_m))),
            speed: or_dash(
                v.velocity
                    .map(|s| format!("{:.1} m/s", s.ground_speed_mps())),
            ),
        }
    }
}

/// The name a vehicle goes by when the operator has not named it ("PX4-<sysid>"): the
/// one rule for every panel, label, log line and alert.
pub fn callsign(id: VehicleId) -> String {
    format!("PX4-{}", id.sysid)
}

/// Link health of a vehicle: lost, or degraded when its best link loses too much.
pub fn link_status(v: &VehicleState) -> LinkStatus {
    if v.link_lost {
        return LinkStatus::Lost;
    }
    match link_loss_pct(v) {
        Some(loss) if loss > DEGRADED_LOSS_PCT => LinkStatus::Degraded,
        _ => LinkStatus::Ok,
    }
}

/// Recent quality (frames received of frames sent) of the vehicle's best link,
/// percent (`None` before any link).
///
/// The best link is the one commands use, else the live link with the best quality:
/// the one rule for "how good is this vehicle's link", in the app and `gcs-cli watch`.
pub fn best_link_quality_pct(v: &VehicleState) -> Option<f64> {
    let best = v
        .best_link
        .and_then(|id| v.links.iter().find(|l| l.link == id))
        .or_else(|| {
            v.links
                .iter()
                .filter(|l| l.alive)
                .max_by(|a, b| a.quality.quality_pct.total_cmp(&b.quality.quality_pct))
        })?;
    Some(best.quality.quality_pct.clamp(0.0, 100.0))
}

/// Recent packet loss on the vehicle's best link, percent (`None` before any link).
pub fn link_loss_pct(v: &VehicleState) -> Option<f64> {
    best_link_quality_pct(v).map(|q| 100.0 - q)
}

/// "4/12": the current item numbered from 1 (as QGroundControl shows it) of the total;
/// "4/?" without a total; a dash without a mission.
fn mission_progress(v: &VehicleState) -> String {
    match (v.mission.current_seq, v.mission.total) {
        (_, Some(0)) | (None, _) => UNKNOWN.to_owned(),
        (Some(seq), Some(total)) => format!("{}/{total}", u32::from(seq) + 1),
        (Some(seq), None) => format!("{}/?", u32::from(seq) + 1),
    }
}

/// The telemetry panel for one vehicle: (label, value) pairs with units, always the
/// same labels in the same order (a dash where a value is not known yet).
///
/// Exists so the panel's layout is stable while telemetry arrives, and every figure
/// the operator reads carries its unit.
pub fn telemetry_lines(v: &VehicleState) -> Vec<(&'static str, String)> {
    let pos = v.position;
    let vel = v.velocity;
    let att = v.attitude;
    let gps = v.gps;
    vec![
        (
            "Latitude",
            or_dash(pos.map(|p| format!("{:.6}°", p.lat_lon.lat_deg))),
        ),
        (
            "Longitude",
            or_dash(pos.map(|p| format!("{:.6}°", p.lat_lon.lon_deg))),
        ),
        (
            "Altitude AMSL",
            or_dash(pos.map(|p| format!("{:.1} m", p.alt_amsl_m))),
        ),
        (
            "Altitude rel. home",
            or_dash(pos.map(|p| format!("{:.1} m", p.alt_rel_m))),
        ),
        (
            "Ground speed",
            or_dash(vel.map(|s| format!("{:.1} m/s", s.ground_speed_mps()))),
        ),
        (
            "Climb rate",
            or_dash(vel.map(|s| format!("{:+.1} m/s", -s.down_mps))),
        ),
        (
            "Heading",
            or_dash(v.heading_deg.map(|h| format!("{h:.0}°"))),
        ),
        ("Roll", or_dash(att.map(|a| format!("{:.1}°", a.roll_deg)))),
        (
            "Pitch",
            or_dash(att.map(|a| format!("{:.1}°", a.pitch_deg))),
        ),
        (
            "Battery",
            or_dash(v.battery.remaining_pct.map(|p| format!("{p:.0} %"))),
        ),
        (
            "Battery voltage",
            or_dash(v.battery.voltage_v.map(|u| format!("{u:.2} V"))),
        ),
        (
            "Battery current",
            or_dash(v.battery.current_a.map(|i| format!("{i:.1} A"))),
        ),
        (
            "GPS fix",
            or_dash(gps.map(|g| gps_fix_name(g.fix).to_owned())),
        ),
        (
            "GPS satellites",
            or_dash(gps.and_then(|g| g.satellites).map(|n| format!("{n} sats"))),
        ),
        (
            "GPS HDOP",
            or_dash(gps.and_then(|g| g.hdop).map(|h| format!("{h:.1}"))),
        ),
        (
            "Link loss",
            or_dash(link_loss_pct(v).map(|l| format!("{l:.1} %"))),
        ),
        (
            "Heartbeat age",
            or_dash(heartbeat_age_s(v).map(|a| format!("{a:.1} s"))),
        ),
        ("Mission item", mission_progress(v)),
    ]
}

/// Seconds since the vehicle was last heard on any link.
fn heartbeat_age_s(v: &VehicleState) -> Option<f64> {
    v.links
        .iter()
        .map(|l| l.heartbeat_age_s)
        .min_by(f64::total_cmp)
}

fn gps_fix_name(fix: GpsFix) -> &'static str {
    match fix {
        GpsFix::NoGps => "no GPS",
        GpsFix::NoFix => "no fix",
        GpsFix::Fix2d => "2D",
        GpsFix::Fix3d => "3D",
        GpsFix::Dgps => "DGPS",
        GpsFix::RtkFloat => "RTK float",
        GpsFix::RtkFixed => "RTK fixed",
        GpsFix::Other => "other",
    }
}

fn or_dash(s: Option<String>) -> String {
    s.unwrap_or_else(|| UNKNOWN.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use gcs_link::link_quality::LinkQuality;
    use gcs_link::vehicle::{Attitude, Gps, Position, VehicleLink, VelocityNed};
    use gcs_link::{FlightMode, LatLon};

    const ID: VehicleId = VehicleId {
        sysid: 7,
        compid: 1,
    };

    fn link(link: usize, quality_pct: f64, age_s: f64) -> VehicleLink {
        let mut quality = LinkQuality::default();
        quality.quality_pct = quality_pct;
        VehicleLink {
            link,
            alive: age_s < 3.5,
            heartbeat_age_s: age_s,
            quality,
        }
    }

    fn flying() -> VehicleState {
        let mut v = VehicleState::new(ID);
        v.armed = true;
        v.mode = FlightMode::Mission;
        v.position = Some(Position {
            lat_lon: LatLon::new(13.512_345_67, 2.112_233_44),
            alt_amsl_m: 342.26,
            alt_rel_m: 120.4,
        });
        v.velocity = Some(VelocityNed {
            north_mps: 12.0,
            east_mps: 8.7,
            down_mps: -1.24,
        });
        v.heading_deg = Some(36.2);
        v.attitude = Some(Attitude {
            roll_deg: -3.21,
            pitch_deg: 5.56,
            yaw_deg: 36.0,
        });
        v.battery.remaining_pct = Some(76.0);
        v.battery.voltage_v = Some(15.234);
        v.battery.current_a = Some(12.34);
        v.gps = Some(Gps {
            fix: GpsFix::Fix3d,
            satellites: Some(14),
            hdop: Some(0.83),
        });
        v.mission.current_seq = Some(2);
        v.mission.total = Some(12);
        v.links = vec![link(0, 97.5, 0.42), link(1, 80.0, 0.2)];
        v.best_link = Some(0);
        v
    }

    #[test]
    fn row_of_a_flying_drone() {
        let row = FleetRow::new(&flying(), None);
        assert_eq!(
            row,
            FleetRow {
                vehicle: ID,
                callsign: "PX4-7".into(),
                link: LinkStatus::Ok,
                mode: "Mission".into(),
                armed: true,
                battery: "76 %".into(),
                mission: "3/12".into(),
                alt: "120 m rel".into(),
                speed: "14.8 m/s".into(),
            }
        );
        assert_eq!(FleetRow::new(&flying(), Some("Falcon")).callsign, "Falcon");
    }

    #[test]
    fn row_of_a_drone_just_discovered_shows_dashes() {
        let row = FleetRow::new(&VehicleState::new(ID), None);
        assert_eq!(row.battery, UNKNOWN);
        assert_eq!(row.mission, UNKNOWN);
        assert_eq!(row.alt, UNKNOWN);
        assert_eq!(row.speed, UNKNOWN);
        assert_eq!(row.link, LinkStatus::Ok);
        assert!(!row.armed);
    }

    #[test]
    fn link_status_from_loss_and_link_lost() {
        let mut v = flying();
        assert_eq!(link_status(&v), LinkStatus::Ok);
        assert!((link_loss_pct(&v).unwrap() - 2.5).abs() < 1e-9);
        v.best_link = Some(1);
        assert_eq!(link_status(&v), LinkStatus::Degraded);
        // no best link: the best live one counts
        v.best_link = None;
        assert_eq!(link_status(&v), LinkStatus::Ok);
        v.link_lost = true;
        assert_eq!(link_status(&v), LinkStatus::Lost);
        v.links.clear();
        assert_eq!(link_loss_pct(&v), None);
    }

    #[test]
    fn mission_progress_forms() {
        let mut v = flying();
        v.mission.total = None;
        assert_eq!(FleetRow::new(&v, None).mission, "3/?");
        v.mission.total = Some(0);
        assert_eq!(FleetRow::new(&v, None).mission, UNKNOWN);
        v.mission.total = Some(12);
        v.mission.current_seq = None;
        assert_eq!(FleetRow::new(&v, None).mission, UNKNOWN);
    }

    #[test]
    fn unknown_mode_shows_its_raw_value() {
        let mut v = flying();
        v.mode = FlightMode::Unknown(0x0102_0000);
        assert_eq!(FleetRow::new(&v, None).mode, "Unknown(0x01020000)");
    }

    #[test]
    fn telemetry_lines_carry_units() {
        let lines = telemetry_lines(&flying());
        let get = |label: &str| {
            lines
                .iter()
                .find(|(l, _)| *l == label)
                .map(|(_, v)| v.as_str())
                .unwrap()
        };
        assert_eq!(get("Latitude"), "13.512346°");
        assert_eq!(get("Longitude"), "2.112233°");
        assert_eq!(get("Altitude AMSL"), "342.3 m");
        assert_eq!(get("Altitude rel. home"), "120.4 m");
        assert_eq!(get("Ground speed"), "14.8 m/s");
        assert_eq!(get("Climb rate"), "+1.2 m/s");
        assert_eq!(get("Heading"), "36°");
        assert_eq!(get("Roll"), "-3.2°");
        assert_eq!(get("Pitch"), "5.6°");
        assert_eq!(get("Battery"), "76 %");
        assert_eq!(get("Battery voltage"), "15.23 V");
        assert_eq!(get("Battery current"), "12.3 A");
        assert_eq!(get("GPS fix"), "3D");
        assert_eq!(get("GPS satellites"), "14 sats");
        assert_eq!(get("GPS HDOP"), "0.8");
        assert_eq!(get("Link loss"), "2.5 %");
        assert_eq!(get("Heartbeat age"), "0.2 s");
        assert_eq!(get("Mission item"), "3/12");
    }

    #[test]
    fn telemetry_labels_are_stable_while_data_arrives() {
        let empty = telemetry_lines(&VehicleState::new(ID));
        let full = telemetry_lines(&flying());
        let labels =
            |l: &[(&str, String)]| l.iter().map(|(l, _)| l.to_string()).collect::<Vec<_>>();
        assert_eq!(labels(&empty), labels(&full));
        assert!(empty.iter().all(|(_, v)| v == UNKNOWN));
    }
}
