//! The application's one handle on the link core: commands in, events and fleet snapshots out.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, watch};

use mavlink::Message;
use mavlink::dialects::common::MavMessage;

use crate::command::{CommandError, VehicleCommand};
use crate::event::Event;
use crate::fleet::FleetSnapshot;
use crate::signing::SigningKey;
use crate::transport::Received;
use crate::vehicle::VehicleId;

/// A request to the core task.
#[derive(Debug)]
pub(crate) enum Request {
    /// Send a command and report its result.
    Command {
        vehicle: VehicleId,
        command: VehicleCommand,
        reply: oneshot::Sender<Result<(), CommandError>>,
    },
    /// Send one message to a vehicle on its best live link.
    Send {
        vehicle: VehicleId,
        msg: Box<MavMessage>,
        reply: oneshot::Sender<Result<(), CommandError>>,
    },
    /// Forward frames matching `filter` to `tx` from now on.
    Subscribe {
        filter: MessageFilter,
        tx: mpsc::Sender<Received>,
    },
    /// Send SETUP_SIGNING to a vehicle, then sign and verify with its key.
    SetupSigning {
        vehicle: VehicleId,
        key: SigningKey,
        reply: oneshot::Sender<Result<(), CommandError>>,
    },
}

/// Which received frames a subscription wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageFilter {
    /// MAVLink message ids to forward (empty: all).
    pub message_ids: Vec<u32>,
    /// Only frames from this system id, if set.
    pub sysid: Option<u8>,
}

impl MessageFilter {
    /// Whether `r` passes the filter.
    pub fn matches(&self, r: &Received) -> bool {
        self.sysid.is_none_or(|s| s == r.frame.sysid)
            && (self.message_ids.is_empty() || self.message_ids.contains(&r.frame.msg.message_id()))
    }
}

/// Why waiting on the fleet ended without the condition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WaitError {
    /// The condition did not hold within the time given.
    #[error("timed out after {0:?} waiting for the fleet")]
    Timeout(Duration),
    /// The core task stopped.
    #[error("the link core has stopped")]
    CoreStopped,
}

/// A cloneable sender of requests to the link core, for microservice clients (mission,
/// parameters) and other tasks that need to talk to vehicles alongside the app.
#[derive(Debug, Clone)]
pub struct LinkSender {
    pub(crate) requests: mpsc::Sender<Request>,
    pub(crate) fleet: watch::Receiver<FleetSnapshot>,
    /// Our MAVLink system id (vehicles address their answers to it).
    pub gcs_sysid: u8,
}

impl LinkSender {
    /// Sends `command` and waits for the vehicle's answer (see [`LinkHandle::command`]).
    pub async fn command(
        &self,
        vehicle: VehicleId,
        command: VehicleCommand,
    ) -> Result<(), CommandError> {
        let (reply, rx) = oneshot::channel();
        self.requests
            .send(Request::Command {
                vehicle,
                command,
                reply,
            })
            .await
            .map_err(|_| CommandError::CoreStopped)?;
        rx.await.map_err(|_| CommandError::CoreStopped)?
    }

    /// Sends one message to `vehicle` on its best live link; fails fast if it is unknown
    /// or link-lost. Fire and forget: protocols above handle their own acknowledgement.
    pub async fn send(&self, vehicle: VehicleId, msg: MavMessage) -> Result<(), CommandError> {
        let (reply, rx) = oneshot::channel();
        self.requests
            .send(Request::Send {
                vehicle,
                msg: Box::new(msg),
                reply,
            })
            .await
            .map_err(|_| CommandError::CoreStopped)?;
        rx.await.map_err(|_| CommandError::CoreStopped)?
    }

    /// Gives `key` to `vehicle` with SETUP_SIGNING (as MAVProxy's `signing setup`),
    /// then signs every frame with it and accepts only frames correctly signed with it,
    /// from every vehicle: the ground station has one key.
    ///
    /// The message goes signed with the key in use, if any (a vehicle that already
    /// signs accepts a new key only that way), else unsigned; send it over a link you
    /// trust. PX4 does not acknowledge SETUP_SIGNING: the vehicle's frames staying
    /// accepted (see [`FleetSnapshot::signing`]) is the confirmation.
    pub async fn setup_signing(
        &self,
        vehicle: VehicleId,
        key: SigningKey,
    ) -> Result<(), CommandError> {
        let (reply, rx) = oneshot::channel();
        self.requests
            .send(Request::SetupSigning {
                vehicle,
                key,
                reply,
            })
            .await
            .map_err(|_| CommandError::CoreStopped)?;
        rx.await.map_err(|_| CommandError::CoreStopped)?
    }

    /// Receives, from now on, every frame that matches `filter` (up to `queue` waiting;
    /// frames beyond that are dropped and counted in the snapshot's
    /// [`dropped_subscriber_frames`](FleetSnapshot::dropped_subscriber_frames)).
    pub async fn subscribe(
        &self,
        filter: MessageFilter,
        queue: usize,
    ) -> Result<mpsc::Receiver<Received>, CommandError> {
        let (tx, rx) = mpsc::channel(queue.max(1));
        self.requests
            .send(Request::Subscribe { filter, tx })
            .await
            .map_err(|_| CommandError::CoreStopped)?;
        Ok(rx)
    }

    /// The latest fleet snapshot.
    pub fn snapshot(&self) -> FleetSnapshot {
        self.fleet.borrow().clone()
    }

    /// A receiver of fleet snapshots.
    pub fn fleet(&self) -> watch::Receiver<FleetSnapshot> {
        self.fleet.clone()
    }
}

/// The application's handle on the link core.
///
/// Exists so the app (Bevy, CLI, tests) never touches sockets: a bounded request
/// queue, a bounded event queue and a `watch` of the latest fleet snapshot. Dropping
/// it stops the core and closes every link.
#[derive(Debug)]
pub struct LinkHandle {
    pub(crate) requests: mpsc::Sender<Request>,
    pub(crate) events: mpsc::Receiver<Event>,
    pub(crate) fleet: watch::Receiver<FleetSnapshot>,
    pub(crate) local_addrs: Vec<Option<SocketAddr>>,
    pub(crate) gcs_sysid: u8,
}

impl LinkHandle {
    /// Sends `command` to `vehicle` and waits for the vehicle's answer (retransmitting
    /// as the MAVLink command protocol says).
    pub async fn command(
        &self,
        vehicle: VehicleId,
        command: VehicleCommand,
    ) -> Result<(), CommandError> {
        self.sender().command(vehicle, command).await
    }

    /// A cloneable sender for other tasks (microservice clients, CLIs).
    pub fn sender(&self) -> LinkSender {
        LinkSender {
            requests: self.requests.clone(),
            fleet: self.fleet.clone(),
            gcs_sysid: self.gcs_sysid,
        }
    }

    /// Queues `command` without waiting (for a frame loop); the receiver yields its result.
    pub fn try_command(
        &self,
        vehicle: VehicleId,
        command: VehicleCommand,
    ) -> Result<oneshot::Receiver<Result<(), CommandError>>, CommandError> {
        let (reply, rx) = oneshot::channel();
        self.requests
            .try_send(Request::Command {
                vehicle,
                command,
                reply,
            })
            .map_err(|e| match e {
                mpsc::error::TrySendError::Full(_) => CommandError::QueueFull,
                mpsc::error::TrySendError::Closed(_) => CommandError::CoreStopped,
            })?;
        Ok(rx)
    }

    /// The latest fleet snapshot.
    pub fn snapshot(&self) -> FleetSnapshot {
        self.fleet.borrow().clone()
    }

    /// A receiver of fleet snapshots (published at most every 50 ms when something changed).
    pub fn fleet(&self) -> watch::Receiver<FleetSnapshot> {
        self.fleet.clone()
    }

    /// The next event, waiting for one; `None` once the core has stopped.
    pub async fn next_event(&mut self) -> Option<Event> {
        self.events.recv().await
    }

    /// The next event if one is queued.
    pub fn try_next_event(&mut self) -> Option<Event> {
        self.events.try_recv().ok()
    }

    /// Events dropped so far because this handle's event queue was full (the
    /// application did not drain it in time); the same count as the latest snapshot's
    /// [`dropped_events`](FleetSnapshot::dropped_events), published within a core tick.
    pub fn dropped_events(&self) -> u64 {
        self.fleet.borrow().dropped_events
    }

    /// The local socket address of link `i` (in `--connect` order), for UDP and TCP-in links.
    pub fn local_addr(&self, i: usize) -> Option<SocketAddr> {
        self.local_addrs.get(i).copied().flatten()
    }

    /// Waits until `condition` holds for a snapshot, up to `timeout`; returns that snapshot.
    pub async fn wait_for(
        &self,
        timeout: Duration,
        mut condition: impl FnMut(&FleetSnapshot) -> bool,
    ) -> Result<FleetSnapshot, WaitError> {
        let mut rx = self.fleet.clone();
        let wait = async {
            loop {
                {
                    let snap = rx.borrow_and_update();
                    if condition(&snap) {
                        return Ok(snap.clone());
                    }
                }
                rx.changed().await.map_err(|_| WaitError::CoreStopped)?;
            }
        };
        tokio::time::timeout(timeout, wait)
            .await
            .map_err(|_| WaitError::Timeout(timeout))?
    }

    /// Waits for the first vehicle with system id `sysid` to be heard.
    pub async fn wait_for_vehicle(
        &self,
        sysid: u8,
        timeout: Duration,
    ) -> Result<VehicleId, WaitError> {
        let snap = self
            .wait_for(timeout, |s| s.by_sysid(sysid).is_some())
            .await?;
        Ok(snap.by_sysid(sysid).map(|v| v.id).expect("condition held"))
    }
}
