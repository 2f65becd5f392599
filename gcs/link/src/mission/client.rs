//! Drives mission transfers over the link core, with progress, cancel and a plan cache.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use mavlink::dialects::common::MavMessage;
use tokio::sync::watch;
use tokio::time::Instant;
use vigil_values::raw::{MissionItemInt, MissionType};

use super::rtt::RttEstimator;
use super::transfer::{MissionTransfer, Operation};
use super::{MissionError, Outcome, Progress};
use crate::command::CommandError;
use crate::constants::{
    MISSION_MAX_RETRIES, MISSION_RTT_INITIAL, MISSION_RTT_MAX, MISSION_RTT_MIN,
};
use crate::handle::{LinkSender, MessageFilter};
use crate::vehicle::VehicleId;

/// MAVLink ids of the messages a transfer listens to.
const MISSION_MESSAGE_IDS: [u32; 6] = [
    40, // MISSION_REQUEST
    42, // MISSION_CURRENT
    44, // MISSION_COUNT
    47, // MISSION_ACK
    51, // MISSION_REQUEST_INT
    73, // MISSION_ITEM_INT
];

/// A cancel switch for a running transfer: set it to `true` to cancel.
pub type Cancel = watch::Receiver<bool>;

type PlanCache = HashMap<(VehicleId, MissionType), (u32, Vec<MissionItemInt>)>;

/// Uploads, downloads and clears plans on vehicles through a [`LinkSender`].
///
/// Keeps each vehicle's measured round trip between transfers, and the last plan seen
/// with its opaque id so an unchanged plan is not downloaded twice.
#[derive(Debug, Clone)]
pub struct MissionClient {
    sender: LinkSender,
    rtt: Arc<Mutex<HashMap<VehicleId, RttEstimator>>>,
    cache: Arc<Mutex<PlanCache>>,
}

impl MissionClient {
    /// A client over `sender`.
    pub fn new(sender: LinkSender) -> Self {
        Self {
            sender,
            rtt: Arc::default(),
            cache: Arc::default(),
        }
    }

    /// Replaces `vehicle`'s `mission_type` list with `items`; returns the plan's opaque id.
    pub async fn upload(
        &self,
        vehicle: VehicleId,
        mission_type: MissionType,
        items: Vec<MissionItemInt>,
        progress: impl FnMut(Progress),
        cancel: Option<Cancel>,
    ) -> Result<Option<u32>, MissionError> {
        let keep = items.clone();
        match self
            .run(
                vehicle,
                mission_type,
                Operation::Upload(items),
                progress,
                cancel,
            )
            .await?
        {
            Outcome::Uploaded { opaque_id } => {
                if let (Some(id), Ok(mut cache)) = (opaque_id, self.cache.lock()) {
                    cache.insert((vehicle, mission_type), (id, keep));
                }
                Ok(opaque_id)
            }
            other => Err(unexpected(vehicle, other)),
        }
    }

    /// Reads `vehicle`'s `mission_type` list. When the vehicle reports the same opaque id
    /// as the plan last seen (MISSION_CURRENT's ids, as PX4 sends them), that plan is
    /// returned without a transfer.
    pub async fn download(
        &self,
        vehicle: VehicleId,
        mission_type: MissionType,
        progress: impl FnMut(Progress),
        cancel: Option<Cancel>,
    ) -> Result<Vec<MissionItemInt>, MissionError> {
        if let Some(items) = self.cached(vehicle, mission_type) {
            return Ok(items);
        }
        match self
            .run(vehicle, mission_type, Operation::Download, progress, cancel)
            .await?
        {
            Outcome::Downloaded { items, opaque_id } => {
                if let (Some(id), Ok(mut cache)) = (opaque_id, self.cache.lock()) {
                    cache.insert((vehicle, mission_type), (id, items.clone()));
                }
                Ok(items)
            }
            other => Err(unexpected(vehicle, other)),
        }
    }

    /// Empties `vehicle`'s `mission_type` list.
    pub async fn clear(
        &self,
        vehicle: VehicleId,
        mission_type: MissionType,
    ) -> Result<(), MissionError> {
        self.run(vehicle, mission_type, Operation::Clear, |_| {}, None)
            .await?;
        if let Ok(mut cache) = self.cache.lock() {
            cache.remove(&(vehicle, mission_type));
        }
        Ok(())
    }

    /// Makes mission item `seq` current.
    pub async fn set_current(&self, vehicle: VehicleId, seq: u16) -> Result<(), MissionError> {
        self.run(
            vehicle,
            MissionType::Mission,
            Operation::SetCurrent(seq),
            |_| {},
            None,
        )
        .await
        .map(|_| ())
    }

    /// The cached plan if the vehicle still reports its opaque id.
    fn cached(&self, vehicle: VehicleId, mission_type: MissionType) -> Option<Vec<MissionItemInt>> {
        let snap = self.sender.snapshot();
        let m = snap.get(vehicle)?.mission;
        let reported = match mission_type {
            MissionType::Mission => m.mission_id,
            MissionType::Fence => m.fence_id,
            MissionType::Rally => m.rally_id,
        }?;
        let cache = self.cache.lock().ok()?;
        let (id, items) = cache.get(&(vehicle, mission_type))?;
        (*id == reported).then(|| items.clone())
    }

    /// Runs one transfer to its end.
    pub async fn run(
        &self,
        vehicle: VehicleId,
        mission_type: MissionType,
        op: Operation,
        mut progress: impl FnMut(Progress),
        mut cancel: Option<Cancel>,
    ) -> Result<Outcome, MissionError> {
        let mut frames = self
            .sender
            .subscribe(
                MessageFilter {
                    message_ids: MISSION_MESSAGE_IDS.to_vec(),
                    sysid: Some(vehicle.sysid),
                },
                1024,
            )
            .await?;
        let rtt = self
            .rtt
            .lock()
            .ok()
            .and_then(|m| m.get(&vehicle).copied())
            .unwrap_or_else(|| {
                RttEstimator::new(MISSION_RTT_INITIAL, MISSION_RTT_MIN, MISSION_RTT_MAX)
            });
        let (mut t, out) = MissionTransfer::start(
            vehicle,
            self.sender.gcs_sysid,
            mission_type,
            op,
            rtt,
            MISSION_MAX_RETRIES,
            Instant::now().into_std(),
        );
        self.send_all(vehicle, out).await?;
        let mut last_progress = None;
        loop {
            if t.progress()
                != last_progress.unwrap_or(Progress {
                    done: usize::MAX,
                    total: 0,
                })
            {
                last_progress = Some(t.progress());
                progress(t.progress());
            }
            if t.result().is_some() {
                break;
            }
            let deadline = t
                .next_deadline()
                .map(Instant::from_std)
                .unwrap_or_else(|| Instant::now() + MISSION_RTT_MAX);
            let cancelled = async {
                match cancel.as_mut() {
                    Some(c) => {
                        while !*c.borrow_and_update() {
                            if c.changed().await.is_err() {
                                std::future::pending::<()>().await;
                            }
                        }
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            let out = tokio::select! {
                got = frames.recv() => match got {
                    Some(r) if r.frame.compid == vehicle.compid || r.frame.compid == 0 => {
                        t.on_message(&r.frame.msg, r.at)
                    }
                    Some(_) => Vec::new(),
                    None => return Err(CommandError::CoreStopped.into()),
                },
                _ = tokio::time::sleep_until(deadline) => t.on_tick(Instant::now().into_std()),
                _ = cancelled => t.cancel(),
            };
            // A cancel must reach the vehicle even if the link is failing.
            if let Err(e) = self.send_all(vehicle, out).await
                && t.result().is_none()
            {
                return Err(e);
            }
        }
        if let Ok(mut m) = self.rtt.lock() {
            m.insert(vehicle, t.rtt());
        }
        t.take_result().expect("loop ends with a result")
    }

    async fn send_all(
        &self,
        vehicle: VehicleId,
        msgs: Vec<MavMessage>,
    ) -> Result<(), MissionError> {
        for m in msgs {
            self.send_patiently(vehicle, m).await?;
        }
        Ok(())
    }

    /// Sends `msg`; if the core refuses because the vehicle is link-lost, waits up to
    /// [`MISSION_RTT_MAX`] for it to be heard again, then sends.
    ///
    /// Exists because on a lossy radio three HEARTBEATs in a row are lost now and then
    /// (at 20 % loss, about once in two minutes) while mission frames still flow: failing
    /// the transfer then would throw away a long upload. A link dead for longer still
    /// fails with [`CommandError::LinkLost`].
    async fn send_patiently(
        &self,
        vehicle: VehicleId,
        msg: MavMessage,
    ) -> Result<(), MissionError> {
        let deadline = Instant::now() + MISSION_RTT_MAX;
        loop {
            match self.sender.send(vehicle, msg.clone()).await {
                Err(CommandError::LinkLost(_)) if Instant::now() < deadline => {
                    let mut fleet = self.sender.fleet();
                    let heard = fleet.wait_for(|s| s.get(vehicle).is_none_or(|v| !v.link_lost));
                    if !matches!(tokio::time::timeout_at(deadline, heard).await, Ok(Ok(_))) {
                        return Err(CommandError::LinkLost(vehicle).into());
                    }
                }
                r => return r.map_err(MissionError::from),
            }
        }
    }
}

fn unexpected(vehicle: VehicleId, outcome: Outcome) -> MissionError {
    MissionError::Protocol {
        vehicle,
        detail: format!("unexpected transfer outcome {outcome:?}"),
    }
}
