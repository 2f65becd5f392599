//! The headless demo patrol: arm, take off, fly a square, return and land.

use std::time::Duration;

use anyhow::{Context, Result, bail};
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
