//! Plan validation: every problem, each with a severity and a location.
//!
//! Validation is not an error: [`validate`] returns a list of [`Issue`]s. Legs are
//! checked by sampling them every [`ValidationSettings::sample_step_m`], not only at
//! their ends.

use serde::Serialize;

use crate::estimate::{Estimate, VehicleModel, estimate_path};
use crate::flight::{FlightPath, FlightSettings, flight_path};
use crate::geodesy::{distance_m, sample_leg};
use crate::zones::Zones;
use crate::{ElevationModel, GeoFence, LatLon, MissionCommand, Plan};

/// How bad an issue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Severity {
    /// Worth a look; the plan can fly.
    Warning,
    /// The plan must not fly as is.
    Error,
}

/// What is wrong.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum IssueKind {
    /// Outside every inclusion zone.
    OutsideInclusionFence,
    /// Inside an exclusion (no-fly) zone.
    InsideExclusionZone {
        /// Index of the zone: polygons first, then circles.
        zone: usize,
    },
    /// Too close to the terrain.
    TerrainClearance {
        /// Lowest height above terrain on the leg, metres.
        clearance_m: f64,
        /// The floor, metres.
        min_clearance_m: f64,
    },
    /// Above the altitude ceiling over terrain.
    AboveCeiling {
        /// Highest height above terrain on the leg, metres.
        agl_m: f64,
        /// The ceiling, metres.
        ceiling_agl_m: f64,
    },
    /// No terrain height known where it is needed.
    NoTerrainData,
    /// Flight time beyond endurance less reserve.
    Endurance {
        /// Estimated flight time, seconds.
        time_s: f64,
        /// Endurance less reserve, seconds.
        usable_s: f64,
    },
    /// More items than the vehicle accepts.
    TooManyItems {
        /// MAVLink items, home included.
        count: usize,
        /// The vehicle's limit.
        max_items: usize,
    },
    /// A jump to an item that does not exist.
    JumpTarget {
        /// The seq jumped to.
        target_seq: u16,
        /// MAVLink items, home included.
        item_count: usize,
    },
    /// A jump repeats forever: time and distance cover one pass only.
    EndlessLoop,
    /// The mission has no flight items.
    EmptyMission,
    /// A positional item has no usable position or altitude (e.g. QGroundControl's
    /// "calculated above terrain" items saved before terrain was known).
    MissingAltitude,
}

/// Where an issue is.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Location {
    /// MAVLink seq of the item (of the leg's end for leg issues).
    pub seq: Option<usize>,
    /// Position of the problem.
    pub position: Option<LatLon>,
    /// Distance from the start of the leg, metres.
    pub along_leg_m: Option<f64>,
}

/// One validation finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Issue {
    /// How bad.
    pub severity: Severity,
    /// What.
    pub kind: IssueKind,
    /// Where.
    pub location: Location,
    /// The same, in words.
    pub message: String,
}

/// What to check against.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ValidationSettings {
    /// Lowest allowed height above terrain while flying, metres.
    pub min_clearance_m: f64,
    /// Highest allowed height above terrain, metres (120 by default).
    pub ceiling_agl_m: f64,
    /// Most mission items the vehicle accepts (home included).
    pub max_items: usize,
    /// Leg sampling step for terrain and fence checks, metres.
    pub sample_step_m: f64,
    /// Vehicle speeds and endurance.
    pub vehicle: VehicleModel,
    /// Whether a terrain model is present (else terrain checks are skipped with a warning).
    pub terrain_known: bool,
}

impl Default for ValidationSettings {
    fn default() -> Self {
        ValidationSettings {
            min_clearance_m: 30.0,
            ceiling_agl_m: 120.0,
            max_items: 700,
            sample_step_m: 30.0,
            vehicle: VehicleModel::default(),
            terrain_known: true,
        }
    }
}

/// The outcome: issues plus the estimate they were checked against.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Every issue found, errors first.
    pub issues: Vec<Issue>,
    /// Estimate of the mission.
    pub estimate: Estimate,
}

impl Report {
    /// Whether any issue is an error.
    pub fn has_errors(&self) -> bool {
        self.issues.iter().any(|i| i.severity == Severity::Error)
    }
}

fn issue(severity: Severity, kind: IssueKind, location: Location, message: String) -> Issue {
    Issue {
        severity,
        kind,
        location,
        message,
    }
}

/// Whether `p` is allowed by `fence`: inside one of its inclusion zones (when it has
/// any) and outside every exclusion zone. Exists for one-off checks such as an
/// operator's go-to point, with the same zone rules validation applies along legs.
pub fn fence_allows(fence: &GeoFence, p: LatLon) -> bool {
    Zones::new(fence).check(p, None).is_none()
}

/// Checks a plan: fences (and the extra `no_fly` fence, e.g. a border buffer),
/// terrain clearance and ceiling along every leg, endurance, item count and jumps.
pub fn validate(
    plan: &Plan,
    extra_fence: Option<&GeoFence>,
    terrain: &dyn ElevationModel,
    settings: &ValidationSettings,
) -> Report {
    let path = flight_path(
        &plan.mission,
        terrain,
        FlightSettings {
            cruise_speed_mps: settings.vehicle.default_speed_mps,
        },
    );
    let estimate = estimate_path(&path, &settings.vehicle);
    let mut issues = Vec::new();
    let mission = &plan.mission;
    let count = mission.mavlink_count();
    for (i, item) in mission.items.iter().enumerate() {
        let bad_alt = item.altitude().is_some_and(|a| !a.alt_m.is_finite());
        let bad_pos = item.position().is_some_and(|p| !p.is_valid());
        if bad_alt || bad_pos {
            let seq = mission.seq_of(i);
            issues.push(issue(
                Severity::Error,
                IssueKind::MissingAltitude,
                Location {
                    seq: Some(seq),
                    position: item.position(),
                    ..Location::default()
                },
                format!(
                    "item {seq} has no usable {}",
                    if bad_pos { "position" } else { "altitude" }
                ),
            ));
        }
    }
    if mission.items.is_empty() {
        issues.push(issue(
            Severity::Warning,
            IssueKind::EmptyMission,
            Location::default(),
            "the mission has no items".into(),
        ));
    }
    if count > settings.max_items {
        issues.push(issue(
            Severity::Error,
            IssueKind::TooManyItems {
                count,
                max_items: settings.max_items,
            },
            Location::default(),
            format!(
                "{count} mission items, but the vehicle accepts at most {}",
                settings.max_items
            ),
        ));
    }
    for (i, item) in mission.items.iter().enumerate() {
        if let MissionCommand::Jump { target_seq, .. } = item.command {
            let first = usize::from(mission.home.is_some());
            if usize::from(target_seq) < first || usize::from(target_seq) >= count {
                issues.push(issue(
                    Severity::Error,
                    IssueKind::JumpTarget { target_seq, item_count: count },
                    Location { seq: Some(mission.seq_of(i)), ..Location::default() },
                    format!("item {} jumps to item {target_seq}, which does not exist (items are {first}..{})", mission.seq_of(i), count.saturating_sub(1)),
                ));
            }
        }
    }
    if path.repeats_forever {
        issues.push(issue(
            Severity::Warning,
            IssueKind::EndlessLoop,
            Location::default(),
            "a jump repeats forever: time and distance cover one pass".into(),
        ));
    }
    if estimate.time_s > settings.vehicle.usable_s() {
        issues.push(issue(
            Severity::Error,
            IssueKind::Endurance { time_s: estimate.time_s, usable_s: settings.vehicle.usable_s() },
            Location::default(),
            format!(
                "flight takes {:.1} min, more than the {:.1} min endurance less {:.0}% reserve ({:.1} min)",
                estimate.time_s / 60.0,
                settings.vehicle.endurance_s / 60.0,
                settings.vehicle.reserve_frac * 100.0,
                settings.vehicle.usable_s() / 60.0
            ),
        ));
    }
    let zones: Vec<Zones> = std::iter::once(&plan.fence)
        .chain(extra_fence)
        .map(Zones::new)
        .filter(|z| !z.is_empty())
        .collect();
    check_legs(&path, &zones, terrain, settings, &mut issues);
    issues.sort_by_key(|i| std::cmp::Reverse(i.severity));
    Report { issues, estimate }
}

/// How far below or above the terrain model a point still counts as on the ground, metres.
const GROUND_TOLERANCE_M: f64 = 1.0;

/// The most horizontal extent of a climb or descent "at" a take-off or landing point,
/// metres (GPS-scale: a take-off item placed at home, a landing straight down).
const AT_POINT_M: f64 = 10.0;

fn check_legs(
    path: &FlightPath,
    zones: &[Zones],
    terrain: &dyn ElevationModel,
    s: &ValidationSettings,
    issues: &mut Vec<Issue>,
) {
    for w in path.points.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        // Only the vertical climb or descent at a take-off or landing point (a leg with
        // no horizontal extent and one end on the ground) is exempt from the clearance
        // floor; any other leg is held to it whatever its frame, and nothing may be
        // underground.
        let on_ground = |p: &crate::flight::FlownPoint| {
            terrain
                .elevation_m(p.position)
                .is_some_and(|g| p.alt_amsl_m - g <= GROUND_TOLERANCE_M)
        };
        let at_ground_point =
            distance_m(a.position, b.position) <= AT_POINT_M && (on_ground(a) || on_ground(b));
        let leg_len = distance_m(a.position, b.position).max(1e-9);
        let mut fence_hit = false;
        // Polygon containment cannot change along a leg that no polygon edge comes near.
        let fixed: Vec<Option<Vec<bool>>> = zones
            .iter()
            .map(|z| z.fixed_along(a.position, b.position))
            .collect();
        let mut low: Option<(f64, LatLon, f64)> = None;
        let mut high: Option<(f64, LatLon, f64)> = None;
        let mut no_data: Option<(LatLon, f64)> = None;
        for (p, along) in sample_leg(a.position, b.position, s.sample_step_m) {
            if !fence_hit
                && let Some(kind) = zones
                    .iter()
                    .zip(&fixed)
                    .find_map(|(z, f)| z.check(p, f.as_deref()))
            {
                fence_hit = true;
                let what = match kind {
                    IssueKind::OutsideInclusionFence => "outside the inclusion fence".to_owned(),
                    IssueKind::InsideExclusionZone { zone } => {
                        format!("inside exclusion zone {zone}")
                    }
                    _ => String::new(),
                };
                issues.push(issue(
                    Severity::Error,
                    kind,
                    Location {
                        seq: Some(b.seq),
                        position: Some(p),
                        along_leg_m: Some(along),
                    },
                    format!(
                        "leg to item {} is {what} at {p}, {along:.0} m along the leg",
                        b.seq
                    ),
                ));
            }
            if !s.terrain_known {
                continue;
            }
            let r = along / leg_len;
            let Some(ground) = terrain.elevation_m(p) else {
                no_data.get_or_insert((p, along));
                continue;
            };
            let agl = match (a.alt_agl_m, b.alt_agl_m) {
                (Some(x), Some(y)) => x + (y - x) * r,
                _ => a.alt_amsl_m + (b.alt_amsl_m - a.alt_amsl_m) * r - ground,
            };
            let floor = if at_ground_point {
                -GROUND_TOLERANCE_M
            } else {
                s.min_clearance_m
            };
            if agl < floor && low.is_none_or(|l| agl < l.0) {
                low = Some((agl, p, along));
            }
            if agl > s.ceiling_agl_m && high.is_none_or(|h| agl > h.0) {
                high = Some((agl, p, along));
            }
        }
        if let Some((clearance_m, p, along)) = low {
            issues.push(issue(
                Severity::Error,
                IssueKind::TerrainClearance { clearance_m, min_clearance_m: s.min_clearance_m },
                Location { seq: Some(b.seq), position: Some(p), along_leg_m: Some(along) },
                if clearance_m < 0.0 {
                    format!("leg to item {}: {:.0} m below the terrain at {p} ({along:.0} m along): underground, and below the {:.0} m minimum", b.seq, -clearance_m, s.min_clearance_m)
                } else {
                    format!("leg to item {}: {clearance_m:.0} m above terrain at {p} ({along:.0} m along), below the {:.0} m minimum", b.seq, s.min_clearance_m)
                },
            ));
        }
        if let Some((agl_m, p, along)) = high {
            issues.push(issue(
                Severity::Error,
                IssueKind::AboveCeiling { agl_m, ceiling_agl_m: s.ceiling_agl_m },
                Location { seq: Some(b.seq), position: Some(p), along_leg_m: Some(along) },
                format!("leg to item {}: {agl_m:.0} m above terrain at {p} ({along:.0} m along), above the {:.0} m ceiling", b.seq, s.ceiling_agl_m),
            ));
        }
        if let Some((p, along)) = no_data {
            issues.push(issue(
                Severity::Warning,
                IssueKind::NoTerrainData,
                Location {
                    seq: Some(b.seq),
                    position: Some(p),
                    along_leg_m: Some(along),
                },
                format!(
                    "leg to item {}: no terrain height at {p}; clearance unchecked there",
                    b.seq
                ),
            ));
        }
    }
}
