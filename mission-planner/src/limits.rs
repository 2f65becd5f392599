//! The values a plan may hold: positions inside -90..=90 / -180..=180, finite
//! altitudes of sane size, lists that MAVLink can number.
//!
//! Exists so every reader (`.plan`, `.mission`, `QGC WPL 110`, raw items as JSON)
//! refuses the same impossible values with the same words, naming the item, before
//! anything converts, validates or uploads them: a latitude of 95 or an altitude of
//! 1e308 is a broken file, not a plan.

use crate::raw::{MAX_LIST_LEN, MissionItemInt, MissionType};
use crate::{LatLon, Plan};

/// The largest altitude magnitude accepted, metres (100 km: far above any flight,
/// far below where f32 loses metres).
pub const MAX_ABS_ALT_M: f64 = 100_000.0;

/// QGroundControl's `AltitudeMode` 3, "calculated above terrain": the altitude param is
/// null until QGroundControl has queried terrain, so a null (NaN) altitude is allowed
/// there (validation reports it as a missing altitude).
const QGC_CALC_ABOVE_TERRAIN: u8 = 3;

/// Which list an item is in, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    /// The mission (items numbered by MAVLink seq, home 0 when present).
    Mission,
    /// The geofence (fence items numbered by MAVLink seq).
    Fence,
    /// Rally points (numbered by MAVLink seq).
    Rally,
}

impl std::fmt::Display for List {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            List::Mission => "mission",
            List::Fence => "fence",
            List::Rally => "rally",
        })
    }
}

/// A value a plan must not hold.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValueError {
    /// More items than a MAVLink list can number.
    #[error("{list} list has {count} items: more than 65,535 items, the most a MAVLink list holds")]
    TooManyItems {
        /// The list.
        list: List,
        /// Its MAVLink item count (home included).
        count: usize,
    },
    /// A position outside -90..=90 / -180..=180, or not finite.
    #[error(
        "{list} item seq {seq}: position {lat_deg},{lon_deg} is out of range (latitude -90..=90, longitude -180..=180)"
    )]
    Position {
        /// The list.
        list: List,
        /// MAVLink seq of the item.
        seq: usize,
        /// Latitude found.
        lat_deg: f64,
        /// Longitude found.
        lon_deg: f64,
    },
    /// An altitude that is NaN, infinite or beyond [`MAX_ABS_ALT_M`].
    #[error(
        "{list} item seq {seq}: altitude {alt_m} m is not a usable altitude (finite, within ±100,000 m)"
    )]
    Altitude {
        /// The list.
        list: List,
        /// MAVLink seq of the item.
        seq: usize,
        /// Altitude found.
        alt_m: f64,
    },
    /// A fence circle radius that is not a positive finite number.
    #[error("fence item seq {seq}: circle radius {radius_m} m must be a positive finite number")]
    Radius {
        /// MAVLink seq of the item.
        seq: usize,
        /// Radius found.
        radius_m: f64,
    },
}

fn alt_ok(alt_m: f64) -> bool {
    alt_m.is_finite() && alt_m.abs() <= MAX_ABS_ALT_M
}

fn check_point(list: List, seq: usize, p: LatLon, alt_m: Option<f64>) -> Result<(), ValueError> {
    if !p.is_valid() {
        return Err(ValueError::Position {
            list,
            seq,
            lat_deg: p.lat_deg,
            lon_deg: p.lon_deg,
        });
    }
    match alt_m {
        Some(alt_m) if !alt_ok(alt_m) => Err(ValueError::Altitude { list, seq, alt_m }),
        _ => Ok(()),
    }
}

/// Checks every position and altitude of a plan, and that each list fits MAVLink.
/// The first bad value is returned, naming its list and MAVLink seq.
pub fn check_plan(plan: &Plan) -> Result<(), ValueError> {
    let m = &plan.mission;
    let count = m.mavlink_count();
    if count > MAX_LIST_LEN {
        return Err(ValueError::TooManyItems {
            list: List::Mission,
            count,
        });
    }
    if let Some(h) = &m.home {
        // A home altitude may be unknown (NaN: taken from terrain); never absurd.
        let alt = (!h.alt_amsl_m.is_nan()).then_some(h.alt_amsl_m);
        check_point(List::Mission, 0, h.position, alt)?;
    }
    for (i, item) in m.items.iter().enumerate() {
        let seq = m.seq_of(i);
        let Some(p) = item.position() else { continue };
        let pending = m
            .qgc_altitudes
            .get(&i)
            .is_some_and(|q| q.mode == QGC_CALC_ABOVE_TERRAIN);
        let alt = item
            .altitude()
            .map(|a| a.alt_m)
            .filter(|a| !(pending && a.is_nan()));
        check_point(List::Mission, seq, p, alt)?;
    }
    let fence = crate::mavlink::fence_to_params(&plan.fence);
    if fence.len() > MAX_LIST_LEN {
        return Err(ValueError::TooManyItems {
            list: List::Fence,
            count: fence.len(),
        });
    }
    for (seq, it) in fence.iter().enumerate() {
        if let Some(p) = it.position() {
            check_point(
                List::Fence,
                seq,
                p,
                Some(it.params[6]).filter(|a| !a.is_nan()),
            )?;
        }
    }
    let circles_from = fence.len() - plan.fence.other_items.len() - plan.fence.circles.len();
    for (k, c) in plan.fence.circles.iter().enumerate() {
        if !(c.radius_m.is_finite() && c.radius_m > 0.0) {
            return Err(ValueError::Radius {
                seq: circles_from + k,
                radius_m: c.radius_m,
            });
        }
    }
    if plan.rally_points.len() > MAX_LIST_LEN {
        return Err(ValueError::TooManyItems {
            list: List::Rally,
            count: plan.rally_points.len(),
        });
    }
    for (seq, r) in plan.rally_points.iter().enumerate() {
        check_point(List::Rally, seq, r.position, Some(r.altitude.alt_m))?;
    }
    Ok(())
}

/// Checks raw items of one list (e.g. read from JSON): at most 65,535, and every
/// global-frame position and altitude in range. Numbering and list type are
/// [`crate::raw::check_list`]'s job.
pub fn check_raw(items: &[MissionItemInt], list: MissionType) -> Result<(), ValueError> {
    let list = match list {
        MissionType::Mission => List::Mission,
        MissionType::Fence => List::Fence,
        MissionType::Rally => List::Rally,
    };
    if items.len() > MAX_LIST_LEN {
        return Err(ValueError::TooManyItems {
            list,
            count: items.len(),
        });
    }
    for (seq, it) in items.iter().enumerate() {
        let params = crate::ItemParams::from_raw(it);
        let (p, alt) = if list == List::Mission {
            // The mission's own rule of which commands carry a position.
            let item = crate::MissionItem::from_params(&params);
            match item.position() {
                Some(p) => (p, item.altitude().map(|a| a.alt_m)),
                None => continue,
            }
        } else {
            match params.position() {
                Some(p) => (p, Some(params.params[6]).filter(|a| !a.is_nan())),
                None => continue,
            }
        };
        check_point(list, seq, p, alt)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Altitude, MissionItem};

    #[test]
    fn impossible_values_are_named_by_seq() {
        let mut plan = Plan::default();
        plan.mission.items.push(MissionItem::waypoint(
            LatLon::new(13.5, 2.1),
            Altitude::above_home(50.0),
        ));
        assert_eq!(check_plan(&plan), Ok(()));
        for (lat, alt) in [(95.0, 50.0), (1e308, 50.0), (f64::NAN, 50.0)] {
            plan.mission.items[0] =
                MissionItem::waypoint(LatLon::new(lat, 2.1), Altitude::above_home(alt));
            let e = check_plan(&plan).unwrap_err();
            assert!(matches!(e, ValueError::Position { seq: 0, .. }), "{e}");
        }
        for alt in [1e308, f64::NAN, f64::INFINITY] {
            plan.mission.items[0] =
                MissionItem::waypoint(LatLon::new(13.5, 2.1), Altitude::above_home(alt));
            let e = check_plan(&plan).unwrap_err();
            assert!(matches!(e, ValueError::Altitude { seq: 0, .. }), "{e}");
        }
        let big = MissionItem::waypoint(LatLon::new(13.5, 2.1), Altitude::above_home(50.0));
        plan.mission.items = vec![big; MAX_LIST_LEN + 1];
        let e = check_plan(&plan).unwrap_err().to_string();
        assert!(e.contains("more than 65,535 items"), "{e}");
    }

    #[test]
    fn raw_items_out_of_range_are_refused() {
        let ok = MissionItemInt::waypoint(0, 135_000_000, 21_000_000, 50.0);
        assert_eq!(check_raw(&[ok], MissionType::Mission), Ok(()));
        let lat95 = MissionItemInt {
            x: 950_000_000,
            ..ok
        };
        assert!(check_raw(&[lat95], MissionType::Mission).is_err());
        let inf = MissionItemInt {
            z: f32::INFINITY,
            ..ok
        };
        assert!(
            check_raw(&[ok, inf], MissionType::Mission)
                .unwrap_err()
                .to_string()
                .contains("seq 1")
        );
    }
}
