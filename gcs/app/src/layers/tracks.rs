//! The fleet's flown tracks, recorded for analysis (border coverage) apart from the
//! trails drawn on the map.
//!
//! Exists because the drawn trails keep only the last few minutes (gcs-scene's `Trail`)
//! while the coverage window runs to days: analysis needs the whole flight, the map
//! only its tail.
//!
//! The record is bounded:
//! - a fix is kept only when the drone moved [`MIN_STEP_M`] from the last kept fix, or
//!   [`MAX_INTERVAL_S`] passed (a hovering drone still leaves one fix a minute); at a
//!   cruise of 15 m/s that is one fix every ~7 s, against the drawn trail's ~2 per s.
//!   The coverage swath is kilometres wide, so 100 m steps lose nothing it can see;
//! - fixes older than [`MAX_AGE_H`] (the longest coverage window) are dropped;
//! - at most [`MAX_FIXES_PER_VEHICLE`] fixes per drone (the oldest go first): about
//!   37 h of continuous flight at 15 m/s, ~0.6 MB per drone.
//!
//! Only airborne fixes are kept (a drone parked at a base on the border watches
//! nothing), and a track breaks where the drone landed or was silent for
//! [`SEGMENT_BREAK_S`], so no line is drawn across a gap in the record.

use std::collections::{BTreeMap, VecDeque};

use bevy::prelude::*;
use chrono::{DateTime, Utc};
use gcs_link::vehicle::LandedState;
use gcs_link::{LatLon, VehicleId};
use geo::{Distance, Haversine, Point};
use geo_intel::tracks::{Track, TrackPoint};

use crate::link::Fleet;
use gcs_operator::fleet_rows::callsign;

/// A fix is kept once the drone moved this far from the last kept fix, metres.
pub const MIN_STEP_M: f64 = 100.0;
/// ... or once this long passed since it, seconds.
pub const MAX_INTERVAL_S: f64 = 60.0;
/// Fixes older than this are dropped, hours (the coverage panel's longest window).
pub const MAX_AGE_H: f64 = 720.0;
/// Most fixes kept per drone; the oldest are dropped first.
pub const MAX_FIXES_PER_VEHICLE: usize = 20_000;
/// A silence this long starts a new track segment, seconds.
pub const SEGMENT_BREAK_S: f64 = 300.0;

/// One kept fix.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Fix {
    position: LatLon,
    time: DateTime<Utc>,
    /// The first fix after a landing or a silence: no line joins it to the one before.
    starts_segment: bool,
}

/// One drone's record.
#[derive(Debug, Default, Clone)]
struct VehicleRecord {
    fixes: VecDeque<Fix>,
    /// The drone landed (or lost its position) since the last kept fix.
    broken: bool,
}

/// Every drone's flown track, decimated and bounded (see the module docs).
#[derive(Resource, Debug, Default, Clone)]
pub struct FleetTracks {
    by_vehicle: BTreeMap<VehicleId, VehicleRecord>,
}

impl FleetTracks {
    /// Offers a drone's position at `now`; kept if airborne and it moved or time passed
    /// enough since the last kept fix.
    pub fn record(
        &mut self,
        id: VehicleId,
        at: Option<LatLon>,
        airborne: bool,
        now: DateTime<Utc>,
    ) {
        let rec = self.by_vehicle.entry(id).or_default();
        let Some(position) = at.filter(|_| airborne) else {
            rec.broken = true;
            return;
        };
        let starts_segment = match rec.fixes.back() {
            None => true,
            Some(last) => {
                let dt_s = (now - last.time).as_seconds_f64();
                let moved_m = Haversine.distance(point(last.position), point(position));
                if !rec.broken && moved_m < MIN_STEP_M && dt_s < MAX_INTERVAL_S {
                    return;
                }
                rec.broken || dt_s >= SEGMENT_BREAK_S
            }
        };
        rec.broken = false;
        rec.fixes.push_back(Fix {
            position,
            time: now,
            starts_segment,
        });
        let oldest = now - chrono::Duration::seconds((MAX_AGE_H * 3600.0) as i64);
        while rec.fixes.len() > MAX_FIXES_PER_VEHICLE
            || rec.fixes.front().is_some_and(|f| f.time < oldest)
        {
            rec.fixes.pop_front();
        }
    }

    /// Fixes kept, all drones together.
    pub fn len(&self) -> usize {
        self.by_vehicle.values().map(|r| r.fixes.len()).sum()
    }

    /// Whether no fix is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The record as timed tracks, one per continuous segment with two fixes or more.
    pub fn tracks(&self) -> Vec<Track> {
        let mut out = Vec::new();
        for (id, rec) in &self.by_vehicle {
            let mut points: Vec<TrackPoint> = Vec::new();
            for f in &rec.fixes {
                if f.starts_segment && !points.is_empty() {
                    push_track(&mut out, *id, std::mem::take(&mut points));
                }
                points.push(TrackPoint {
                    position: f.position,
                    time: Some(f.time),
                });
            }
            push_track(&mut out, *id, points);
        }
        out
    }
}

fn push_track(out: &mut Vec<Track>, id: VehicleId, points: Vec<TrackPoint>) {
    if points.len() >= 2 {
        out.push(Track {
            name: format!("live {}", callsign(id)),
            points,
        });
    }
}

fn point(p: LatLon) -> Point {
    Point::new(p.lon_deg, p.lat_deg)
}

/// Adds the record and the system that feeds it from the fleet.
pub(super) fn plugin(app: &mut App) {
    app.init_resource::<FleetTracks>()
        .add_systems(Update, record_tracks);
}

fn record_tracks(fleet: Res<Fleet>, mut tracks: ResMut<FleetTracks>) {
    if !fleet.is_changed() {
        return;
    }
    let now = Utc::now();
    for v in fleet.0.vehicles.values() {
        let at = v.position.map(|p| p.lat_lon);
        let airborne = v.landed != LandedState::OnGround && v.armed && !v.link_lost;
        tracks.record(v.id, at, airborne, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: VehicleId = VehicleId {
        sysid: 1,
        compid: 1,
    };

    fn at_s(s: f64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
            + chrono::Duration::milliseconds((s * 1000.0) as i64)
    }

    /// 15 m/s northwards, a fix every 0.5 s as the snapshot arrives.
    fn fly(tracks: &mut FleetTracks, from_s: f64, to_s: f64) {
        let mut t = from_s;
        while t < to_s {
            let p = LatLon::new(13.0 + 15.0 * t / 111_320.0, 2.0);
            tracks.record(ID, Some(p), true, at_s(t));
            t += 0.5;
        }
    }

    #[test]
    fn fixes_are_decimated_by_distance_and_time() {
        let mut tracks = FleetTracks::default();
        fly(&mut tracks, 0.0, 600.0);
        // 9 km in 10 min: one fix per 100 m, not 1,200 snapshots.
        let n = tracks.len();
        assert!((85..=95).contains(&n), "{n} fixes");
        // Hovering: one fix a minute.
        let p = LatLon::new(14.0, 2.0);
        for k in 0..1200 {
            tracks.record(ID, Some(p), true, at_s(600.0 + f64::from(k) * 0.5));
        }
        let hover = tracks.len() - n;
        assert!(
            (9..=11).contains(&hover),
            "{hover} fixes in 10 min of hover"
        );
    }

    #[test]
    fn the_record_outlives_the_drawn_trail_and_stays_bounded() {
        let mut tracks = FleetTracks::default();
        // Two hours of flight: far beyond the drawn trail's 300 s.
        fly(&mut tracks, 0.0, 7200.0);
        let span = tracks.tracks();
        assert_eq!(span.len(), 1);
        let pts = &span[0].points;
        let secs = (pts.last().unwrap().time.unwrap() - pts[0].time.unwrap()).as_seconds_f64();
        assert!(secs > 7000.0, "{secs} s kept");
        assert!(pts.len() <= MAX_FIXES_PER_VEHICLE);
        // Fixes older than the longest window go.
        tracks.record(
            ID,
            Some(LatLon::new(15.0, 2.0)),
            true,
            at_s(MAX_AGE_H * 3600.0 + 7201.0),
        );
        assert_eq!(tracks.len(), 1);
    }

    #[test]
    fn the_cap_drops_the_oldest_fixes() {
        let mut tracks = FleetTracks::default();
        for k in 0..(MAX_FIXES_PER_VEHICLE + 50) {
            // 200 m apart: every fix is kept.
            let p = LatLon::new(10.0 + k as f64 * 0.002, 2.0);
            tracks.record(ID, Some(p), true, at_s(k as f64));
        }
        assert_eq!(tracks.len(), MAX_FIXES_PER_VEHICLE);
        let first = tracks.tracks()[0].points[0].position;
        assert!((first.lat_deg - (10.0 + 50.0 * 0.002)).abs() < 1e-9);
    }

    #[test]
    fn landing_and_silence_break_the_track_and_parked_drones_are_not_recorded() {
        let mut tracks = FleetTracks::default();
        fly(&mut tracks, 0.0, 60.0);
        tracks.record(ID, Some(LatLon::new(13.1, 2.0)), false, at_s(61.0));
        fly(&mut tracks, 62.0, 120.0);
        fly(&mut tracks, 1000.0, 1060.0);
        assert_eq!(tracks.tracks().len(), 3);
        let mut parked = FleetTracks::default();
        for k in 0..100 {
            parked.record(ID, Some(LatLon::new(13.0, 2.0)), false, at_s(f64::from(k)));
        }
        assert!(parked.is_empty());
    }
}
