//! The headless demo patrol: arm, take off, fly a square, return and land.

mod telemetry_line;

use std::time::Duration;

use anyhow::{Context, Result, bail};
use gcs_link::LinkAddress;
use gcs_sim::SimConfig;

use crate::cli::Args;
use gcs_link::vehicle::{GpsFix, LandedState};
use gcs_link::{FlightMode, LatLon, LinkHandle, VehicleCommand, VehicleId};
use geo::{Destination, Distance, Haversine, Point};

/// How long to wait for any one step of the patrol before giving up.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(600);
/// A corner counts as reached within this distance, metres.
const CORNER_REACHED_M: f64 = 5.0;

/// The corners of a square of side `side_m` centred on `centre`, north-east first, clockwise.
pub fn square_corners(centre: LatLon, side_m: f64) -> Vec<LatLon> {
    let half_diag = side_m / std::f64::consts::SQRT_2;
    [45.0, 135.0, 225.0, 315.0]
        .iter()
        .map(|bearing| {
            let p = Haversine.destination(
                Point::new(centre.lon_deg, centre.lat_deg),
                *bearing,
                half_diag,
            );
            LatLon::new(p.y(), p.x())
        })
        .collect()
}

fn distance_m(a: LatLon, b: LatLon) -> f64 {
    Haversine.distance(
        Point::new(a.lon_deg, a.lat_deg),
        Point::new(b.lon_deg, b.lat_deg),
    )
}

async fn wait(
    link: &LinkHandle,
    id: VehicleId,
    what: &str,
    cond: impl Fn(&gcs_link::VehicleState) -> bool,
) -> Result<gcs_link::VehicleState> {
    let snap = link
        .wait_for(STEP_TIMEOUT, |s| s.get(id).is_some_and(&cond))
        .await
        .with_context(|| format!("{id}: waiting for {what}"))?;
    Ok(snap.get(id).expect("condition held").clone())
}

/// Flies one vehicle through the demo patrol; returns when it has landed and disarmed.
pub async fn fly_square(
    link: &LinkHandle,
    id: VehicleId,
    side_m: f64,
    alt_rel_m: f64,
) -> Result<()> {
    let v = wait(link, id, "a 3D GPS fix and a home position", |v| {
        v.home.is_some()
            && v.gps.is_some_and(|g| {
                matches!(
                    g.fix,
                    GpsFix::Fix3d | GpsFix::Dgps | GpsFix::RtkFloat | GpsFix::RtkFixed
                )
            })
    })
    .await?;
    let home = v.home.expect("waited for home").lat_lon;
    println!("{id}: home at {home}, arming");
    link.command(id, VehicleCommand::Arm)
        .await
        .context("arming")?;
    link.command(id, VehicleCommand::Takeoff { alt_rel_m })
        .await
        .context("taking off")?;
    wait(link, id, "the end of the takeoff", |v| {
        v.armed
            && v.mode == FlightMode::Hold
            && v.position
                .is_some_and(|p| (p.alt_rel_m - alt_rel_m).abs() < 1.0)
    })
    .await?;
    for (i, corner) in square_corners(home, side_m).into_iter().enumerate() {
        println!("{id}: flying to corner {} of 4 at {corner}", i + 1);
        link.command(
            id,
            VehicleCommand::GoTo {
                target: corner,
                alt_rel_m,
            },
        )
        .await
        .with_context(|| format!("go-to corner {}", i + 1))?;
        wait(link, id, "the corner", |v| {
            v.position
                .is_some_and(|p| distance_m(p.lat_lon, corner) < CORNER_REACHED_M)
        })
        .await?;
    }
    println!("{id}: square done, returning to launch");
    link.command(id, VehicleCommand::ReturnToLaunch)
        .await
        .context("return to launch")?;
    let v = wait(link, id, "landing and disarming", |v| {
        !v.armed && v.landed == LandedState::OnGround
    })
    .await?;
    let Some(p) = v.position else {
        bail!("{id} landed but reports no position")
    };
    println!(
        "{id}: landed {:.1} m from home, battery {:.0} %",
        distance_m(p.lat_lon, home),
        v.battery.remaining_pct.unwrap_or(f64::NAN)
    );
    Ok(())
}

/// Flies the console demo: drones near Agadez take off, fly a square, return and land,
/// with a telemetry line per drone every second. For machines without a display.
pub fn run_headless(args: &Args) -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let rt = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    rt.block_on(headless(args))
}

async fn headless(args: &Args) -> Result<()> {
    let drones = args.drones.clamp(1, 50);
    let gcs_addr: LinkAddress = "udpin:127.0.0.1:0".parse().expect("literal address");
    let cfg = crate::link::link_config(args, vec![gcs_addr])?;
    let key = cfg.signing.clone();
    let link = gcs_link::start(cfg)
        .await
        .context("opening the ground station link")?;
    let port = link.local_addr(0).context("no local UDP port")?.port();

    let (lat, lon, alt) = gcs_sim::AGADEZ;
    let mut sim_cfg = SimConfig::new(format!("udpout:127.0.0.1:{port}").parse()?);
    sim_cfg.vehicles = SimConfig::fleet(drones, 1, LatLon::new(lat, lon), alt);
    for v in &mut sim_cfg.vehicles {
        v.signing_key.clone_from(&key);
    }
    sim_cfg.speed = args.speed.max(10.0);
    let _sim = gcs_sim::start(sim_cfg.clone())
        .await
        .context("starting the simulated drones")?;
    println!(
        "Vigil headless demo: {} simulated PX4 drone(s) near Agadez, {}x speed, ground station on udp port {port}",
        drones,
        args.speed.max(10.0)
    );

    let mut ids = Vec::new();
    for spec in &sim_cfg.vehicles {
        ids.push(
            link.wait_for_vehicle(spec.sysid, Duration::from_secs(30))
                .await
                .with_context(|| format!("no HEARTBEAT from simulated drone {}", spec.sysid))?,
        );
    }

    let printer = {
        let fleet = link.fleet();
        let every = Duration::from_secs_f64(1.0f64);
        tokio::spawn(async move {
            let start = tokio::time::Instant::now();
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                let snap = fleet.borrow().clone();
                for v in snap.vehicles.values() {
                    println!(
                        "[t+{:6.1} s] {}",
                        start.elapsed().as_secs_f64(),
                        telemetry_line::telemetry_line(v)
                    );
                }
            }
        })
    };

    let flights = ids
        .iter()
        .enumerate()
        .map(|(i, id)| fly_square(&link, *id, args.side_m, args.alt_m + 10.0 * i as f64));
    let results = tokio::select! {
        r = futures::future::join_all(flights) => r,
        _ = tokio::signal::ctrl_c() => bail!("interrupted"),
    };
    printer.abort();
    let snap = link.snapshot();
    for v in snap.vehicles.values() {
        println!("final: {}", telemetry_line::telemetry_line(v));
    }
    let failed: Vec<String> = results
        .into_iter()
        .filter_map(|r| r.err().map(|e| format!("{e:#}")))
        .collect();
    if !failed.is_empty() {
        bail!("patrol failed: {}", failed.join("; "));
    }
    println!("patrol complete: every drone flew its square and landed at home");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn square_has_the_requested_side() {
        let c = square_corners(LatLon::new(16.9742, 7.9865), 400.0);
        assert_eq!(c.len(), 4);
        for i in 0..4 {
            let side = distance_m(c[i], c[(i + 1) % 4]);
            assert!((side - 400.0).abs() < 1.0, "side {i}: {side}");
        }
        assert!(
            c[0].lat_deg > 16.9742 && c[0].lon_deg > 7.9865,
            "north-east first"
        );
    }
}
