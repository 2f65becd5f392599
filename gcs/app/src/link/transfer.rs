//! Plan transfers on the link thread: a plan's mission, fence and rally lists up to a
//! vehicle, and back down, with progress.
//!
//! The rules (which home the mission carries, how lists map to plan parts) live in
//! gcs-operator's [`PlanTransfer`], shared with gcs-cli; this file only turns its
//! progress into replies for the ECS.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use gcs_link::VehicleId;
use gcs_link::mission::{MissionType, Progress};
use gcs_operator::{ALL_LISTS, PlanTransfer};
use mission_planner::Plan;
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

    /// A progress callback for the lists of one vehicle.
    fn reporter(&self, vehicle: VehicleId) -> impl FnMut(MissionType, Progress) + use<> {
        let sink = self.clone();
        move |list, progress| {
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

/// How long a download waits for the vehicle's home position when none was heard yet.
const HOME_WAIT: Duration = Duration::from_secs(5);

/// Replaces the vehicle's mission, fence and rally lists with `plan`'s, as its
/// autopilot needs them (gcs-operator's one rule: PX4 gets no home item).
pub async fn upload(
    vehicle: VehicleId,
    plan: &Plan,
    service: &PlanTransfer,
    sink: &ProgressSink,
) -> Result<(), String> {
    service
        .upload(vehicle, plan, &ALL_LISTS, sink.reporter(vehicle))
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Reads the vehicle's mission, fence and rally lists into a plan whose home is the
/// vehicle's own.
pub async fn download(
    vehicle: VehicleId,
    service: &PlanTransfer,
    sink: &ProgressSink,
) -> Result<Plan, String> {
    service
        .download(vehicle, &ALL_LISTS, HOME_WAIT, sink.reporter(vehicle))
        .await
        .map_err(|e| e.to_string())
}
