//! The plan being edited and everything derived from it (validation, flown path,
//! patrol), shared by the map tools, the plan panel and the flight panel.

use std::sync::Arc;
use std::sync::atomic::AtomicU32;

use bevy::prelude::*;
use bevy::tasks::Task;
use gcs_link::LatLon;
use mission_planner::flight::FlownPoint;
use mission_planner::generate::patrol::PatrolPlan;
use mission_planner::geodesy::Polyline;
use mission_planner::validate::Report;
use mission_planner::{Altitude, AltitudeReference, MissionItem, Plan};

/// Default height of new waypoints above home, metres.
pub const DEFAULT_ALT_REL_M: f64 = 100.0;

/// Border patrol settings in the plan panel.
#[derive(Debug, Clone, PartialEq)]
pub struct PatrolSettings {
    /// Start of the stretch, km along the border.
    pub from_km: f64,
    /// End of the stretch, km.
    pub to_km: f64,
    /// Index into the simulated fleet's bases (`crate::link::sim_fleet::BASES`).
    pub base: usize,
    /// Standoff from the border, metres.
    pub standoff_m: f64,
    /// Height above terrain, metres.
    pub alt_agl_m: f64,
    /// Cruise speed, m/s.
    pub speed_mps: f64,
    /// Endurance, minutes.
    pub endurance_min: f64,
    /// The connected vehicle's flight envelope (its PX4 parameters), once read: patrols
    /// are then sized and estimated by how it really flies (its top speed, acceleration,
    /// take-off and landing). `None`: constant speeds.
    pub envelope: Option<mission_planner::estimate::Px4Envelope>,
}

impl Default for PatrolSettings {
    fn default() -> Self {
        Self {
            from_km: 0.0,
            to_km: 400.0,
            base: 2,
            standoff_m: 2_000.0,
            alt_agl_m: 100.0,
            speed_mps: 15.0,
            endurance_min: 60.0,
            envelope: None,
        }
    }
}

/// A generated patrol, or why not.
pub(super) type PatrolResult = Result<PatrolPlan, String>;

/// The plan being edited and everything derived from it.
#[derive(Resource, Default)]
pub struct PlanDoc {
    /// The plan.
    pub plan: Plan,
    /// File path typed in the panel.
    pub path: String,
    /// Unsaved changes.
    pub dirty: bool,
    /// The flown path (AMSL heights) of the plan, for drawing.
    pub flown: Vec<FlownPoint>,
    /// Latest validation.
    pub report: Option<Report>,
    /// The survey polygon being drawn.
    pub survey_polygon: Vec<LatLon>,
    /// The fence polygon being drawn.
    pub fence_polygon: Vec<LatLon>,
    /// Last file or generation message: (is an error, text).
    pub message: Option<(bool, String)>,
    /// Border patrol settings.
    pub patrol: PatrolSettings,
    /// The generated patrol.
    pub patrol_plan: Option<Arc<PatrolPlan>>,
    /// The border polyline, once read (with its length along, for the panel).
    pub border: Option<Arc<Polyline>>,
    pub(super) revision: u64,
    pub(super) validated: u64,
    pub(super) validation: Option<Task<(u64, Vec<FlownPoint>, Report)>>,
    pub(super) generation: Option<(Task<PatrolResult>, Arc<AtomicU32>)>,
    pub(super) dragging: Option<usize>,
}

impl PlanDoc {
    /// Marks the plan changed: it is re-validated and redrawn.
    pub fn touch(&mut self) {
        self.dirty = true;
        self.revision += 1;
    }

    /// Whether the flown path and report describe the current plan (tests wait on it).
    #[cfg(test)]
    pub fn is_validated(&self) -> bool {
        self.validation.is_none() && self.validated == self.revision
    }

    /// Replaces the plan (file opened, plan downloaded, sortie chosen).
    pub fn replace(&mut self, plan: Plan) {
        self.plan = plan;
        self.touch();
        self.dirty = false;
    }
}

/// Adds a waypoint at `p` (a takeoff there first when the mission is empty).
pub fn add_waypoint(plan: &mut Plan, p: LatLon) {
    let alt = Altitude {
        alt_m: DEFAULT_ALT_REL_M,
        reference: AltitudeReference::Home,
    };
    if plan.mission.items.is_empty() {
        plan.mission.items.push(MissionItem::takeoff(p, alt));
    } else {
        plan.mission.items.push(MissionItem::waypoint(p, alt));
    }
}
