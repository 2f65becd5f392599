//! Uploading and downloading a whole plan: the one path the app and `gcs-cli` use.
//!
//! A plan is three MAVLink lists (mission, geofence, rally points), each moved by
//! gcs-link's [`MissionClient`]. This service decides, from the vehicle's autopilot,
//! what goes on the wire ([`to_wire`]) and what a download means ([`from_wire`]),
//! clears a list the plan leaves empty, and reports progress per list.

use std::time::Duration;

use gcs_link::mission::{MissionClient, MissionError, Progress};
use gcs_link::vehicle::Autopilot;
use gcs_link::{FleetSnapshot, LinkSender, VehicleId};
use mission_planner::{Home, Plan};
use tokio::sync::watch;
use vigil_values::raw::{ListError, MissionItemInt, MissionType, check_list};

pub use crate::plan_wire::PlanLists;
use crate::plan_wire::{WireError, from_wire, to_wire};

/// Every list, in the order QGroundControl sends them.
pub const ALL_LISTS: [MissionType; 3] =
    [MissionType::Mission, MissionType::Fence, MissionType::Rally];

/// Why a plan transfer failed.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// The vehicle is not in the fleet.
    #[error("{0} is unknown: no HEARTBEAT heard from it")]
    UnknownVehicle(VehicleId),
    /// The plan cannot go on the wire, or the download cannot become a plan.
    #[error(transparent)]
    Wire(#[from] WireError),
    /// Raw items that are not one well-formed list.
    #[error("the {list:?} list: {source}")]
    List {
        /// Which list.
        list: MissionType,
        /// What is wrong.
        #[source]
        source: ListError,
    },
    /// A list's transfer failed.
    #[error("{action} the {list:?} list: {source}")]
    Mission {
        /// "uploading", "downloading" or "clearing".
        action: &'static str,
        /// Which list.
        list: MissionType,
        /// What the mission client reported.
        #[source]
        source: MissionError,
    },
}

/// What an upload left on the vehicle.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct UploadReport {
    /// Items sent per list (mission, fence, rally), in the order uploaded.
    pub items: Vec<(MissionType, usize)>,
    /// The opaque id PX4 reported for each list uploaded, when it did.
    pub opaque_ids: Vec<(MissionType, Option<u32>)>,
}

/// Whole-plan transfers to and from vehicles.
#[derive(Debug, Clone)]
pub struct PlanTransfer {
    link: LinkSender,
    client: MissionClient,
    fleet: watch::Receiver<FleetSnapshot>,
}

impl PlanTransfer {
    /// A service over one link core (`link` to send, `fleet` to know each vehicle's
    /// autopilot and home).
    pub fn new(link: LinkSender, fleet: watch::Receiver<FleetSnapshot>) -> Self {
        Self {
            client: MissionClient::new(link.clone()),
            link,
            fleet,
        }
    }

    /// The mission client underneath (clearing a list, setting the current item).
    pub fn client(&self) -> &MissionClient {
        &self.client
    }

    fn autopilot(&self, vehicle: VehicleId) -> Result<Autopilot, TransferError> {
        self.fleet
            .borrow()
            .get(vehicle)
            .map(|v| v.autopilot)
            .ok_or(TransferError::UnknownVehicle(vehicle))
    }

    fn home(&self, vehicle: VehicleId) -> Option<Home> {
        let snap = self.fleet.borrow();
        let h = snap.get(vehicle)?.home?;
        Some(Home {
            position: h.lat_lon,
            alt_amsl_m: h.alt_amsl_m,
        })
    }

    /// Uploads `lists` of `plan` to `vehicle`, as its autopilot needs them. An empty
    /// geofence or rally list clears that list on the vehicle, so it holds exactly the
    /// plan; an empty mission is uploaded as zero items (PX4's way of clearing).
    pub async fn upload(
        &self,
        vehicle: VehicleId,
        plan: &Plan,
        lists: &[MissionType],
        mut progress: impl FnMut(MissionType, Progress),
    ) -> Result<UploadReport, TransferError> {
        let wire = to_wire(plan, self.autopilot(vehicle)?)?;
        let mut report = UploadReport::default();
        for &list in lists {
            let items = wire.list(list).to_vec();
            report.items.push((list, items.len()));
            if items.is_empty() && list != MissionType::Mission {
                self.client.clear(vehicle, list).await.map_err(|source| {
                    TransferError::Mission {
                        action: "clearing",
                        list,
                        source,
                    }
                })?;
                report.opaque_ids.push((list, None));
                continue;
            }
            let id = self
                .upload_items(vehicle, list, items, |p| progress(list, p))
                .await?;
            report.opaque_ids.push((list, id));
        }
        Ok(report)
    }

    /// Uploads raw items as list `list` (e.g. a JSON list of MAVLink items), after
    /// checking they form one list; returns PX4's opaque id when it reports one.
    pub async fn upload_items(
        &self,
        vehicle: VehicleId,
        list: MissionType,
        items: Vec<MissionItemInt>,
        progress: impl FnMut(Progress),
    ) -> Result<Option<u32>, TransferError> {
        check_list(&items, list).map_err(|source| TransferError::List { list, source })?;
        self.client
            .upload(vehicle, list, items, progress, None)
            .await
            .map_err(|source| TransferError::Mission {
                action: "uploading",
                list,
                source,
            })
    }

    /// Downloads `lists` from `vehicle` as raw items (the others stay empty).
    pub async fn download_lists(
        &self,
        vehicle: VehicleId,
        lists: &[MissionType],
        mut progress: impl FnMut(MissionType, Progress),
    ) -> Result<PlanLists, TransferError> {
        let mut out = PlanLists::default();
        for &list in lists {
            let items = self
                .client
                .download(vehicle, list, |p| progress(list, p), None)
                .await
                .map_err(|source| TransferError::Mission {
                    action: "downloading",
                    list,
                    source,
                })?;
            *out.list_mut(list) = items;
        }
        Ok(out)
    }

    /// Downloads `lists` from `vehicle` as a plan whose home is the vehicle's own
    /// (waiting up to `home_wait` for its `HOME_POSITION` when none was heard yet; a
    /// vehicle without a GPS fix has none, and the plan then has no home).
    pub async fn download(
        &self,
        vehicle: VehicleId,
        lists: &[MissionType],
        home_wait: Duration,
        progress: impl FnMut(MissionType, Progress),
    ) -> Result<Plan, TransferError> {
        let autopilot = self.autopilot(vehicle)?;
        let raw = self.download_lists(vehicle, lists, progress).await?;
        if self.home(vehicle).is_none() && !home_wait.is_zero() {
            // No home is not an error here: the plan is still worth having.
            let _ =
                crate::command_run::wait_home(&self.link, &self.fleet, vehicle, home_wait).await;
        }
        Ok(from_wire(&raw, autopilot, self.home(vehicle))?)
    }
}
