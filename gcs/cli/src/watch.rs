//! `gcs-cli watch`: a live table of every vehicle.

use std::time::Duration;

use gcs_link::{FleetSnapshot, VehicleState};

use crate::Cli;
use crate::link::connect;
use crate::output::clear_screen;

/// One table row per vehicle, every value with its unit.
pub fn table(snap: &FleetSnapshot) -> String {
    let mut out = format!(
        "{:>5} {:<8} {:<8} {:>11} {:>12} {:>9} {:>9} {:>7} {:>8}\n",
        "sysid", "mode", "armed", "lat °", "lon °", "alt m rel", "gs m/s", "batt %", "link %"
    );
    for v in snap.vehicles.values() {
        out.push_str(&row(v));
        out.push('\n');
    }
    if snap.refused_vehicles > 0 {
        out.push_str(&format!(
            "refused {} heartbeats from new vehicles: a link or the fleet is full (spoofing?)\n",
            snap.refused_vehicles
        ));
    }
    let dropped = [
        ("events", snap.dropped_events),
        ("outgoing frames", snap.dropped_frames),
        ("received frames", snap.dropped_subscriber_frames),
        ("log frames", snap.dropped_tlog_frames),
    ];
    for (what, n) in dropped.iter().filter(|(_, n)| *n > 0) {
        out.push_str(&format!("dropped {n} {what}\n"));
    }
    out
}

fn row(v: &VehicleState) -> String {
    let (lat, lon, alt) = v
        .position
        .map(|p| {
            (
                format!("{:.6}", p.lat_lon.lat_deg),
                format!("{:.6}", p.lat_lon.lon_deg),
                format!("{:.1}", p.alt_rel_m),
            )
        })
        .unwrap_or_else(|| ("-".into(), "-".into(), "-".into()));
    let gs = v
        .velocity
        .map(|s| format!("{:.1}", s.ground_speed_mps()))
        .unwrap_or_else(|| "-".into());
    let batt = v
        .battery
        .remaining_pct
        .map(|b| format!("{b:.0}"))
        .unwrap_or_else(|| "-".into());
    let link = if v.link_lost {
        "LOST".to_string()
    } else {
        v.links
            .iter()
            .map(|l| l.quality.quality_pct)
            .reduce(f64::max)
            .map(|q| format!("{q:.0}"))
            .unwrap_or_else(|| "-".into())
    };
    format!(
        "{:>5} {:<8} {:<8} {:>11} {:>12} {:>9} {:>9} {:>7} {:>8}",
        v.id.sysid,
        v.mode.name(),
        if v.armed { "ARMED" } else { "disarmed" },
        lat,
        lon,
        alt,
        gs,
        batt,
        link
    )
}

/// `gcs-cli watch`: connects, then shows the fleet every `every` until `for_time` has
/// passed (forever if None).
pub async fn run(cli: &Cli, every: Duration, for_time: Option<Duration>) -> anyhow::Result<()> {
    let (link, _) = connect(cli).await?;
    show(link.fleet(), every, for_time, cli.json).await
}

/// Prints the table (or JSON lines) every `every` until `for_time` has passed (forever if
/// None); the screen is cleared between tables only on a terminal.
pub async fn show(
    mut fleet: tokio::sync::watch::Receiver<FleetSnapshot>,
    every: Duration,
    for_time: Option<Duration>,
    json: bool,
) -> anyhow::Result<()> {
    let end = for_time.map(|d| tokio::time::Instant::now() + d);
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        let snap = fleet.borrow_and_update().clone();
        if json {
            println!("{}", serde_json::to_string(&snap)?);
        } else {
            print!("{}{}", clear_screen(), table(&snap));
        }
        if end.is_some_and(|e| tokio::time::Instant::now() >= e) {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_and_drops_are_shown_under_the_table() {
        let snap = FleetSnapshot {
            refused_vehicles: 4937,
            dropped_events: 3,
            ..FleetSnapshot::default()
        };
        let t = table(&snap);
        assert!(t.contains("refused 4937 heartbeats"), "{t}");
        assert!(t.contains("dropped 3 events"), "{t}");
        assert!(!table(&FleetSnapshot::default()).contains("dropped"));
    }
}
