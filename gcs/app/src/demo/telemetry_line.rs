//! One human-readable telemetry line per vehicle, every unit spelled out.

use gcs_link::VehicleState;

/// Formats a vehicle's state as one line: mode, arming, position, altitudes, speed,
/// battery and link quality, each with its unit.
pub fn telemetry_line(v: &VehicleState) -> String {
    let pos = v
        .position
        .map(|p| {
            format!(
                "{:>10.6}°{} {:>11.6}°{}  alt {:6.1} m rel / {:6.1} m AMSL",
                p.lat_lon.lat_deg.abs(),
                if p.lat_lon.lat_deg >= 0.0 { 'N' } else { 'S' },
                p.lat_lon.lon_deg.abs(),
                if p.lat_lon.lon_deg >= 0.0 { 'E' } else { 'W' },
                p.alt_rel_m,
                p.alt_amsl_m
            )
        })
        .unwrap_or_else(|| "position unknown".into());
    let speed = v
        .velocity
        .map(|s| format!("{:5.1} m/s", s.ground_speed_mps()))
        .unwrap_or_else(|| "  ? m/s".into());
    let battery = match (v.battery.remaining_pct, v.battery.voltage_v) {
        (Some(pct), Some(volt)) => format!("{pct:3.0} % {volt:5.2} V"),
        (Some(pct), None) => format!("{pct:3.0} %"),
        _ => "battery ?".into(),
    };
    let link = if v.link_lost {
        "LINK LOST".to_string()
    } else {
        v.links
            .iter()
            .map(|l| l.quality.quality_pct)
            .fold(None, |best: Option<f64>, q| {
                Some(best.map_or(q, |b| b.max(q)))
            })
            .map(|q| format!("link {q:3.0} %"))
            .unwrap_or_else(|| "link ?".into())
    };
    format!(
        "sysid {:>3}  {:<8} {}  {}  gs {}  batt {}  {}",
        v.id.sysid,
        v.mode.name(),
        if v.armed { "ARMED   " } else { "disarmed" },
        pos,
        speed,
        battery,
        link
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use gcs_link::vehicle::{Battery, Position};
    use gcs_link::{LatLon, VehicleId};

    #[test]
    fn every_figure_has_its_unit() {
        let mut v = VehicleState::new(VehicleId {
            sysid: 2,
            compid: 1,
        });
        v.position = Some(Position {
            lat_lon: LatLon::new(16.9742, 7.9865),
            alt_amsl_m: 531.25,
            alt_rel_m: 30.25,
        });
        v.battery = Battery {
            remaining_pct: Some(87.0),
            voltage_v: Some(16.4),
            current_a: Some(18.0),
        };
        let line = telemetry_line(&v);
        assert!(line.contains("16.974200°N"), "{line}");
        assert!(line.contains("7.986500°E"), "{line}");
        assert!(line.contains("30.2 m rel"), "{line}");
        assert!(line.contains("531.2 m AMSL"), "{line}");
        assert!(line.contains("87 %"), "{line}");
        assert!(line.contains("16.40 V"), "{line}");
        assert!(line.contains("disarmed"), "{line}");
    }
}
