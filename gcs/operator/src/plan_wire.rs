//! What a whole plan looks like on the wire, per autopilot: the one home rule.
//!
//! A [`Plan`]'s mission may carry a planned home ([`Mission::home`]); in the model,
//! item `i` is then MAVLink seq `i + 1` and `DO_JUMP` targets count the home. What
//! an autopilot does with seq 0 differs:
//!
//! - **PX4** keeps its own home and treats seq 0 as the first real item, so
//!   QGroundControl never sends it a home item. Uploading the home would add a
//!   waypoint at home (it did, from the app: a 9-item sortie arrived as 10 items).
//! - **ArduPilot** holds home at seq 0 and overwrites whatever is sent there, so a
//!   home item (a placeholder when the plan has none) always goes first.
//!
//! Removing or adding that item shifts every later seq, so jump targets and the
//! current item are re-based here too. A download is the inverse: PX4's home comes
//! from its `HOME_POSITION` (altitude above mean sea level), ArduPilot's from seq 0.

use gcs_link::vehicle::Autopilot;
use mission_planner::files::wpl::PLACEHOLDER_HOME;
use mission_planner::mavlink::{self as plan_mavlink, ConvertError};
use mission_planner::{Home, HomeError, Plan};
use vigil_values::raw::{ListError, MissionItemInt, MissionType, check_list};

/// Whether an autopilot's mission list starts with a home item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HomeItem {
    /// Seq 0 is the first real item; the vehicle keeps its own home (PX4, others).
    Omitted,
    /// Seq 0 is home (ArduPilot).
    AtSeq0,
}

/// How `autopilot` numbers its mission list.
pub fn home_item(autopilot: Autopilot) -> HomeItem {
    match autopilot {
        Autopilot::ArduPilot => HomeItem::AtSeq0,
        // PX4 and the MAVLink mission protocol itself: seq 0 is an ordinary item.
        Autopilot::Px4 | Autopilot::Other(_) => HomeItem::Omitted,
    }
}

/// The three MAVLink lists of one plan, each numbered 0..n.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanLists {
    /// `MAV_MISSION_TYPE_MISSION` items.
    pub mission: Vec<MissionItemInt>,
    /// `MAV_MISSION_TYPE_FENCE` items.
    pub fence: Vec<MissionItemInt>,
    /// `MAV_MISSION_TYPE_RALLY` items.
    pub rally: Vec<MissionItemInt>,
}

impl PlanLists {
    /// The list of type `t`.
    pub fn list(&self, t: MissionType) -> &[MissionItemInt] {
        match t {
            MissionType::Mission => &self.mission,
            MissionType::Fence => &self.fence,
            MissionType::Rally => &self.rally,
        }
    }

    /// The list of type `t`, to fill.
    pub fn list_mut(&mut self, t: MissionType) -> &mut Vec<MissionItemInt> {
        match t {
            MissionType::Mission => &mut self.mission,
            MissionType::Fence => &mut self.fence,
            MissionType::Rally => &mut self.rally,
        }
    }
}

/// Why a plan cannot go on the wire, or a downloaded list cannot become a plan.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WireError {
    /// A `DO_JUMP` targets the home item, which PX4 does not hold.
    #[error("mission item {index} jumps to the home item (seq 0), which PX4 does not hold")]
    JumpToHome {
        /// The jump's index among the mission's items.
        index: usize,
    },
    /// A position outside -90..=90 / -180..=180 degrees, or not finite.
    #[error("{what}: position {lat_deg}, {lon_deg} is not a valid latitude/longitude in degrees")]
    Position {
        /// Which item.
        what: String,
        /// Its latitude.
        lat_deg: f64,
        /// Its longitude.
        lon_deg: f64,
    },
    /// A number that is infinite, or too large for MAVLink's 32-bit floats.
    #[error("{what}: {field} = {value} does not fit MAVLink's 32-bit float")]
    Number {
        /// Which item.
        what: String,
        /// Which field (`param1`..`param7`, `altitude`, `radius`).
        field: String,
        /// The value.
        value: f64,
    },
    /// A list that is not numbered 0..n, of one type, within the protocol's 65,535 items.
    #[error("the {list:?} list: {source}")]
    List {
        /// Which list.
        list: MissionType,
        /// What is wrong.
        #[source]
        source: ListError,
    },
    /// A downloaded list that the plan model cannot read.
    #[error("the downloaded {list:?} list: {source}")]
    Convert {
        /// Which list.
        list: MissionType,
        /// What is wrong.
        #[source]
        source: ConvertError,
    },
}

/// The plan as `autopilot` must receive it: mission (with or without a home item, jump
/// targets re-based), geofence and rally points, every value checked first.
pub fn to_wire(plan: &Plan, autopilot: Autopilot) -> Result<PlanLists, WireError> {
    check_values(plan)?;
    let mission = match (home_item(autopilot), plan.mission.home) {
        (HomeItem::Omitted, None) | (HomeItem::AtSeq0, Some(_)) => plan.mission.clone(),
        (HomeItem::Omitted, Some(_)) => {
            let mut m = plan.mission.clone();
            m.set_home(None).map_err(home_error)?;
            m
        }
        (HomeItem::AtSeq0, None) => {
            let mut m = plan.mission.clone();
            // ArduPilot overwrites seq 0 with its own home; send the placeholder
            // QGroundControl sends when it knows no home.
            m.set_home(Some(PLACEHOLDER_HOME)).map_err(home_error)?;
            m
        }
    };
    let lists = PlanLists {
        mission: plan_mavlink::mission_to_raw(&mission),
        fence: plan_mavlink::fence_to_raw(&plan.fence),
        rally: plan_mavlink::rally_to_raw(&plan.rally_points),
    };
    for t in [MissionType::Mission, MissionType::Fence, MissionType::Rally] {
        check_list(lists.list(t), t).map_err(|source| WireError::List { list: t, source })?;
    }
    Ok(lists)
}

/// The plan a vehicle holds, from its three downloaded lists. `vehicle_home` is the
/// vehicle's reported home (`HOME_POSITION`); for PX4 it becomes the plan's home, so
/// files written from the download say where the vehicle really starts.
pub fn from_wire(
    lists: &PlanLists,
    autopilot: Autopilot,
    vehicle_home: Option<Home>,
) -> Result<Plan, WireError> {
    let convert = |list| move |source| WireError::Convert { list, source };
    let mut mission = match home_item(autopilot) {
        HomeItem::AtSeq0 => plan_mavlink::mission_from_raw(&lists.mission, true)
            .map_err(convert(MissionType::Mission))?,
        HomeItem::Omitted => {
            let mut m = plan_mavlink::mission_from_raw(&lists.mission, false)
                .map_err(convert(MissionType::Mission))?;
            if vehicle_home.is_some() {
                m.set_home(vehicle_home).map_err(home_error)?;
            }
            m
        }
    };
    if mission.home.is_none() {
        mission.home = vehicle_home;
    }
    Ok(Plan {
        mission,
        fence: plan_mavlink::fence_from_raw(&lists.fence).map_err(convert(MissionType::Fence))?,
        rally_points: plan_mavlink::rally_from_raw(&lists.rally)
            .map_err(convert(MissionType::Rally))?,
    })
}

fn home_error(e: HomeError) -> WireError {
    match e {
        HomeError::JumpToHome { index } => WireError::JumpToHome { index },
    }
}

/// Every position valid and every number representable, before anything is converted
/// (MAVLink's integers and 32-bit floats would silently saturate or become infinite).
fn check_values(plan: &Plan) -> Result<(), WireError> {
    let position = |what: &dyn Fn() -> String, p: vigil_values::LatLon| {
        if p.is_valid() {
            Ok(())
        } else {
            Err(WireError::Position {
                what: what(),
                lat_deg: p.lat_deg,
                lon_deg: p.lon_deg,
            })
        }
    };
    let number = |what: &dyn Fn() -> String, field: &str, value: f64| {
        // NaN is MAVLink's "unset"; anything else must fit an f32.
        if value.is_nan() || value.abs() <= f64::from(f32::MAX) {
            Ok(())
        } else {
            Err(WireError::Number {
                what: what(),
                field: field.to_owned(),
                value,
            })
        }
    };
    if let Some(home) = plan.mission.home {
        position(&|| "the planned home".to_owned(), home.position)?;
        number(
            &|| "the planned home".to_owned(),
            "altitude",
            home.alt_amsl_m,
        )?;
    }
    for (i, item) in plan.mission.items.iter().enumerate() {
        let what = || format!("mission item {}", i + 1);
        if let Some(p) = item.position() {
            position(&what, p)?;
        }
        for (k, v) in item.to_params().params.iter().enumerate() {
            number(&what, &format!("param{}", k + 1), *v)?;
        }
        if let Some(alt) = item.altitude()
            && !alt.alt_m.is_finite()
        {
            return Err(WireError::Number {
                what: what(),
                field: "altitude".to_owned(),
                value: alt.alt_m,
            });
        }
    }
    for (i, poly) in plan.fence.polygons.iter().enumerate() {
        for (k, v) in poly.vertices.iter().enumerate() {
            position(&|| format!("fence polygon {} vertex {}", i + 1, k + 1), *v)?;
        }
    }
    for (i, c) in plan.fence.circles.iter().enumerate() {
        let what = || format!("fence circle {}", i + 1);
        position(&what, c.center)?;
        if !(c.radius_m.is_finite() && c.radius_m > 0.0) {
            return Err(WireError::Number {
                what: what(),
                field: "radius".to_owned(),
                value: c.radius_m,
            });
        }
    }
    for (i, r) in plan.rally_points.iter().enumerate() {
        let what = || format!("rally point {}", i + 1);
        position(&what, r.position)?;
        if !r.altitude.alt_m.is_finite() {
            return Err(WireError::Number {
                what: what(),
                field: "altitude".to_owned(),
                value: r.altitude.alt_m,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
