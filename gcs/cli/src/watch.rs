//! `gcs-cli watch`: a live table of every vehicle.

use std::time::Duration;

use gcs_link::{FleetSnapshot, VehicleState};
use gcs_operator::fleet_rows::{FleetRow, LinkStatus, UNKNOWN, best_link_quality_pct};

use crate::Cli;
use crate::link::connect;
use crate::output::clear_screen;

/// One table row per vehicle, every value with its unit: the same texts as the app's
/// fleet panel (gcs-operator's [`FleetRow`]), plus the position and the best link's
/// quality.
pub fn table(snap: &FleetSnapshot) -> String {
    let mut out = format!(
        "{:<8} {:<10} {:<8} {:>11} {:>12} {:>11} {:>9} {:>8} {:>7} {:>8}\n",
        "vehicle", "mode", "armed", "lat °", "lon °", "alt", "speed", "batt %", "mission", "link %"
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
    let r = FleetRow::new(v, None);
    let (lat, lon) = v
        .position
        .map(|p| {
            (
                format!("{:.6}", p.lat_lon.lat_deg),
                format!("{:.6}", p.lat_lon.lon_deg),
            )
        })
        .unwrap_or_else(|| (UNKNOWN.into(), UNKNOWN.into()));
    let link = match r.link {
        LinkStatus::Lost => "LOST".to_owned(),
        _ => best_link_quality_pct(v).map_or_else(|| UNKNOWN.to_owned(), |q| format!("{q:.0}")),
    };
    let battery = r.battery.trim_end_matches(" %");
    format!(
        "{:<8} {:<10} {:<8} {:>11} {:>12} {:>11} {:>9} {:>8} {:>7} {:>8}",
        r.callsign,
        r.mode,
        if r.armed { "ARMED" } else { "disarmed" },
        lat,
        lon,
        r.alt,
        r.speed,
        battery,
        r.mission,
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

    #[test]
    fn the_link_column_is_the_best_links_quality_as_in_the_app() {
        use gcs_link::VehicleId;
        use gcs_link::link_quality::LinkQuality;
        use gcs_link::vehicle::VehicleLink;
        let link = |link, quality_pct, alive| {
            let mut quality = LinkQuality::default();
            quality.quality_pct = quality_pct;
            VehicleLink {
                link,
                alive,
                heartbeat_age_s: if alive { 0.5 } else { 9.0 },
                quality,
            }
        };
        let mut v = VehicleState::new(VehicleId {
            sysid: 3,
            compid: 1,
        });
        // The radio died at 100 %; commands go over LTE at 70 %: the old table said 100.
        v.links = vec![link(0, 100.0, false), link(1, 70.0, true)];
        v.best_link = Some(1);
        v.battery.remaining_pct = Some(76.0);
        let r = row(&v);
        assert!(r.ends_with(" 70"), "{r}");
        assert!(r.starts_with("PX4-3 "), "{r}");
        assert!(r.contains(" 76 "), "{r}");
    }
}
