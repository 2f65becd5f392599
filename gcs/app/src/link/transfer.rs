//! Plan transfers on the link thread: a plan's mission, fence and rally lists up to a
//! vehicle, and back down, with progress.
//!
//! Exists as the one place the app turns a plan into MAVLink lists and back. The rules
//! here (which home the mission carries, how lists map to plan parts) belong below the
//! app; `upload` and `download` are the seams where gcs-operator's shared transfer
//! takes over.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use gcs_link::VehicleId;
use gcs_link::mission::{MissionClient, MissionType, Progress};
use mission_planner::{Plan, mavlink as plan_mavlink};
use tokio::sync::mpsc;

use crate::link::requests::LinkReply;

/// Where transfer progress goes: the reply queue, without waiting; a report that does
/// not fit is dropped and counted (the next one carries the same information).
#[derive(Clone)]
pub struct ProgressSink {
    replies: mpsc::Sender<LinkReply>,
    dropped: Arc<AtomicU64>,
}

impl ProgressSink {
    /// A sink over the reply queue, counting drops in `dropped`.
    pub fn new(replies: mpsc::Sender<LinkReply>, dropped: Arc<AtomicU64>) -> Self {
        Self { replies, dropped }
    }

    /// The reply queue itself (final replies wait for room rather than drop).
    pub fn replies(&self) -> &mpsc::Sender<LinkReply> {
        &self.replies
    }

    /// A progress callback for one list of one vehicle.
    fn reporter(&self, vehicle: VehicleId, list: MissionType) -> impl FnMut(Progress) + use<> {
        let sink = self.clone();
        move |progress| {
            let sent = sink.replies.try_send(LinkReply::Progress {
                vehicle,
                list,
                progress,
            });
            if sent.is_err() {
                sink.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// Replaces the vehicle's mission, fence and rally lists with `plan`'s.
pub async fn upload(
    vehicle: VehicleId,
    plan: &Plan,
    missions: &MissionClient,
    sink: &ProgressSink,
) -> Result<(), String> {
    let lists = [
        (
            MissionType::Mission,
            plan_mavlink::mission_to_raw(&plan.mission),
        ),
        (MissionType::Fence, plan_mavlink::fence_to_raw(&plan.fence)),
        (
            MissionType::Rally,
            plan_mavlink::rally_to_raw(&plan.rally_points),
        ),
    ];
    for (list, items) in lists {
        if items.is_empty() && list != MissionType::Mission {
            missions
                .clear(vehicle, list)
                .await
                .map_err(|e| format!("clearing the {list:?} list: {e}"))?;
            continue;
        }
        missions
            .upload(vehicle, list, items, sink.reporter(vehicle, list), None)
            .await
            .map_err(|e| format!("uploading the {list:?} list: {e}"))?;
    }
    Ok(())
}

/// Reads the vehicle's mission, fence and rally lists into a plan.
pub async fn download(
    vehicle: VehicleId,
    missions: &MissionClient,
    sink: &ProgressSink,
) -> Result<Plan, String> {
    let fetch = async |list| {
        missions
            .download(vehicle, list, sink.reporter(vehicle, list), None)
            .await
            .map_err(|e| format!("downloading the {list:?} list: {e}"))
    };
    let mission = fetch(MissionType::Mission).await?;
    let fence = fetch(MissionType::Fence).await?;
    let rally = fetch(MissionType::Rally).await?;
    Ok(Plan {
        // PX4 keeps no home at seq 0 in its mission list.
        mission: plan_mavlink::mission_from_raw(&mission, false).map_err(|e| e.to_string())?,
        fence: plan_mavlink::fence_from_raw(&fence).map_err(|e| e.to_string())?,
        rally_points: plan_mavlink::rally_from_raw(&rally).map_err(|e| e.to_string())?,
    })
}
