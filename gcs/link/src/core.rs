//! The core task: owns the fleet, the command tracker and every link.

use std::time::Instant;

use mavlink::dialects::common::{
    HEARTBEAT_DATA, MavAutopilot, MavMessage, MavModeFlag, MavState, MavType,
};
use tokio::sync::{mpsc, oneshot, watch};

use crate::address::LinkAddress;
use crate::command::{CommandError, encode};
use crate::command_tracker::{Action, CommandTracker};
use crate::constants::{
    CORE_TICK, EVENT_QUEUE, GCS_COMPONENT_ID, GCS_HEARTBEAT_INTERVAL, GCS_SYSTEM_ID, INBOUND_QUEUE,
    REQUEST_QUEUE,
};
use crate::event::Event;
use crate::fleet::{Fleet, FleetLimits, FleetSnapshot};
use crate::frame::{encode_v2, target_system};
use crate::handle::{LinkHandle, MessageFilter, Request};
use crate::signing::{self, Accepted, LinkSigning, SigningKey, timestamp_now};
use crate::tlog::{TlogError, TlogRecorder};
use crate::transport::{self, KeepRaw, OpenLink, Outgoing, PeerLearning, Received, TransportError};
use crate::vehicle::VehicleId;

/// What the link core needs to start.
#[derive(Debug, Clone)]
pub struct LinkConfig {
    /// Links to open (several may reach the same drones).
    pub links: Vec<LinkAddress>,
    /// Our MAVLink system id (255 by default, as ground stations use).
    pub gcs_sysid: u8,
    /// Our MAVLink component id (190, MAV_COMP_ID_MISSIONPLANNER).
    pub gcs_compid: u8,
    /// Where to record every frame in and out, one `.tlog` per session (None: no log).
    pub tlog_dir: Option<std::path::PathBuf>,
    /// MAVLink 2 signing: sign every frame we send and accept only correctly signed,
    /// fresh frames (and RADIO_STATUS) from live links. None: no signing.
    pub signing: Option<SigningKey>,
    /// How many vehicles the fleet holds per link and in all (refusals are counted in
    /// [`FleetSnapshot::refused_vehicles`]).
    pub fleet_limits: FleetLimits,
}

impl LinkConfig {
    /// A config for these links with the default GCS identity.
    pub fn new(links: Vec<LinkAddress>) -> Self {
        Self {
            links,
            gcs_sysid: GCS_SYSTEM_ID,
            gcs_compid: GCS_COMPONENT_ID,
            tlog_dir: None,
            signing: None,
            fleet_limits: FleetLimits::default(),
        }
    }

    /// A ground station's config from its operator options, the same in the app and
    /// gcs-cli: our system id, `--tlog DIR` (record every frame in and out to a new
    /// `.tlog` there, one per session) and `--signing-key FILE` (sign every frame and
    /// accept only frames correctly signed with that key).
    pub fn station(
        links: Vec<LinkAddress>,
        gcs_sysid: u8,
        tlog_dir: Option<std::path::PathBuf>,
        signing_key_file: Option<&std::path::Path>,
    ) -> Result<Self, crate::signing::KeyError> {
        Ok(Self {
            gcs_sysid,
            tlog_dir,
            signing: signing_key_file.map(SigningKey::from_file).transpose()?,
            ..Self::new(links)
        })
    }
}

/// Why the link core could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// No link address was given.
    #[error("no link to open: give at least one --connect address")]
    NoLinks,
    /// A link could not be opened.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The telemetry log could not be created.
    #[error(transparent)]
    Tlog(#[from] TlogError),
}

/// Opens every link and starts the core task; must run inside a tokio runtime.
pub async fn start(config: LinkConfig) -> Result<LinkHandle, StartError> {
    if config.links.is_empty() {
        return Err(StartError::NoLinks);
    }
    let (inbound_tx, inbound_rx) = mpsc::channel(INBOUND_QUEUE);
    let tlog = config.tlog_dir.as_deref().map(TlogRecorder::start);
    let tlog = tlog.transpose()?;
    // The recorder needs every frame's bytes; signature checks (which may be set up at
    // run time) need only those of signed frames: an unsigned frame is rejected as such.
    let keep_raw = if tlog.is_some() {
        KeepRaw::Yes
    } else {
        KeepRaw::Signed
    };
    let mut links = Vec::with_capacity(config.links.len());
    for (i, addr) in config.links.iter().enumerate() {
        // UDP peers' addresses are learned only from frames that pass the signature
        // check (every frame while signing is off): see `Core::on_received`.
        let link =
            transport::open_with(i, addr, inbound_tx.clone(), keep_raw, PeerLearning::Vouched);
        links.push(link.await?);
    }
    drop(inbound_tx);
    let (req_tx, req_rx) = mpsc::channel(REQUEST_QUEUE);
    let (ev_tx, ev_rx) = mpsc::channel(EVENT_QUEUE);
    let (snap_tx, snap_rx) = watch::channel(FleetSnapshot::default());
    let local_addrs = links.iter().map(|l| l.local_addr).collect();
    let verified_links: Vec<bool> = config.links.iter().map(signing::is_live).collect();
    let core = Core {
        sysid: config.gcs_sysid,
        compid: config.gcs_compid,
        links,
        seq: 0,
        fleet: Fleet::with_limits(config.fleet_limits),
        tracker: CommandTracker::default(),
        events: ev_tx,
        snapshot: snap_tx,
        dropped_events: 0,
        dropped_frames: 0,
        dropped_subscriber_frames: 0,
        dropped_by_links: 0,
        dirty: false,
        subscribers: Vec::new(),
        tlog,
        signing: config.signing.map(|k| LinkSigning::new(k, &verified_links)),
        verified_links,
    };
    tokio::spawn(core.run(inbound_rx, req_rx));
    Ok(LinkHandle {
        requests: req_tx,
        events: ev_rx,
        fleet: snap_rx,
        local_addrs,
        gcs_sysid: config.gcs_sysid,
    })
}

type Reply = oneshot::Sender<Result<(), CommandError>>;

struct Core {
    sysid: u8,
    compid: u8,
    links: Vec<OpenLink>,
    seq: u8,
    fleet: Fleet,
    tracker: CommandTracker<Reply>,
    events: mpsc::Sender<Event>,
    snapshot: watch::Sender<FleetSnapshot>,
    dropped_events: u64,
    dropped_frames: u64,
    dropped_subscriber_frames: u64,
    /// Frames the links' tasks dropped on their own (see [`OpenLink::dropped_frames`]).
    dropped_by_links: u64,
    /// Whether the snapshot is out of date (a frame came in, a vehicle was lost,
    /// something was dropped): published at the next tick.
    dirty: bool,
    subscribers: Vec<(MessageFilter, mpsc::Sender<Received>)>,
    tlog: Option<TlogRecorder>,
    signing: Option<LinkSigning>,
    /// Per link: whether its incoming frames are signature-checked (not a replayed log).
    verified_links: Vec<bool>,
}

impl Core {
    async fn run(
        mut self,
        mut inbound: mpsc::Receiver<Received>,
        mut requests: mpsc::Receiver<Request>,
    ) {
        let mut tick = tokio::time::interval(CORE_TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut heartbeat = tokio::time::interval(GCS_HEARTBEAT_INTERVAL);
        let mut events = Vec::new();
        let mut actions = Vec::new();
        loop {
            tokio::select! {
                got = inbound.recv() => {
                    let Some(r) = got else { break };
                    self.on_received(&r, &mut events, &mut actions);
                    // Drain what is already queued before yielding, to keep up with bursts.
                    for _ in 0..256 {
                        match inbound.try_recv() {
                            Ok(r) => self.on_received(&r, &mut events, &mut actions),
                            Err(_) => break,
                        }
                    }
                    self.dirty = true;
                }
                req = requests.recv() => {
                    let Some(req) = req else { break };
                    self.on_request(req, &mut actions);
                }
                _ = tick.tick() => {
                    let now = Instant::now();
                    self.tracker.on_tick(now, &mut actions);
                    for id in self.fleet.check_links(now, &mut events) {
                        self.tracker.fail_vehicle(id, &CommandError::LinkLost(id), &mut actions);
                        self.dirty = true;
                    }
                    let dropped_by_links: u64 =
                        self.links.iter().map(OpenLink::dropped_frames).sum();
                    if dropped_by_links != self.dropped_by_links {
                        self.dropped_by_links = dropped_by_links;
                        self.dirty = true;
                    }
                    if self.dirty {
                        let mut snap = self.fleet.snapshot(now);
                        snap.dropped_events = self.dropped_events;
                        snap.dropped_frames = self.dropped_frames + self.dropped_by_links;
                        snap.dropped_subscriber_frames = self.dropped_subscriber_frames;
                        snap.dropped_tlog_frames =
                            self.tlog.as_ref().map_or(0, TlogRecorder::dropped);
                        snap.signing = self
                            .signing
                            .as_ref()
                            .map(LinkSigning::stats)
                            .unwrap_or_default();
                        self.snapshot.send_replace(snap);
                        self.dirty = false;
                    }
                }
                _ = heartbeat.tick() => self.send_heartbeat(),
            }
            self.flush(&mut events, &mut actions);
        }
        tracing::debug!("link core stopped");
    }

    fn on_received(
        &mut self,
        r: &Received,
        events: &mut Vec<Event>,
        actions: &mut Vec<Action<Reply>>,
    ) {
        // Where replies to this system go follows only frames that prove who sent them:
        // with signing on, a correctly signed one (RADIO_STATUS passes unsigned, so
        // anyone could forge it); a replayed log has no address to learn.
        let authentic = match &mut self.signing {
            None => true,
            Some(s) => match s.check(r.link, r.raw.as_deref(), timestamp_now()) {
                None | Some(Ok(Accepted::Signed)) => true,
                Some(Ok(Accepted::UnsignedAllowed)) => false,
                Some(Err(_)) => return,
            },
        };
        if authentic && let Some(link) = self.links.get(r.link) {
            link.vouch(r);
        }
        if let (Some(tlog), Some(raw)) = (&mut self.tlog, &r.raw)
            && let Some(bytes) = signing::loggable(&r.frame, raw)
        {
            tlog.record(r.at, bytes);
        }
        if let MavMessage::COMMAND_ACK(ack) = &r.frame.msg {
            let for_us = ack.target_system == 0 || ack.target_system == self.sysid;
            if for_us {
                let from = VehicleId {
                    sysid: r.frame.sysid,
                    compid: r.frame.compid,
                };
                self.tracker.on_ack(from, ack, r.at, actions);
            }
        }
        self.fleet.on_frame(r, events);
        if !self.subscribers.is_empty() {
            self.subscribers.retain(|(_, tx)| !tx.is_closed());
            for (filter, tx) in &self.subscribers {
                if filter.matches(r) && tx.try_send(r.clone()).is_err() {
                    self.dropped_subscriber_frames += 1;
                }
            }
        }
    }

    fn on_request(&mut self, req: Request, actions: &mut Vec<Action<Reply>>) {
        match req {
            Request::Command {
                vehicle,
                command,
                reply,
            } => {
                let Some(state) = self.fleet.vehicle(vehicle) else {
                    let _ = reply.send(Err(CommandError::UnknownVehicle(vehicle)));
                    return;
                };
                if state.link_lost {
                    let _ = reply.send(Err(CommandError::LinkLost(vehicle)));
                    return;
                }
                let home = state.home.map(|h| h.alt_amsl_m);
                match encode(vehicle, &command, home) {
                    Ok(wire) => self
                        .tracker
                        .submit(vehicle, wire, reply, Instant::now(), actions),
                    Err(e) => {
                        let _ = reply.send(Err(e));
                    }
                }
            }
            Request::Send {
                vehicle,
                msg,
                reply,
            } => {
                let result = match self.fleet.vehicle(vehicle) {
                    None => Err(CommandError::UnknownVehicle(vehicle)),
                    Some(s) if s.link_lost => Err(CommandError::LinkLost(vehicle)),
                    Some(_) => {
                        self.send_to(vehicle, &msg);
                        Ok(())
                    }
                };
                let _ = reply.send(result);
            }
            Request::Subscribe { filter, tx } => self.subscribers.push((filter, tx)),
            Request::SetupSigning {
                vehicle,
                key,
                reply,
            } => {
                let _ = reply.send(self.setup_signing(vehicle, key));
            }
        }
    }

    fn flush(&mut self, events: &mut Vec<Event>, actions: &mut Vec<Action<Reply>>) {
        for e in events.drain(..) {
            if self.events.try_send(e).is_err() {
                // Counted and published at the next tick, even if nothing else changes.
                self.dropped_events += 1;
                self.dirty = true;
            }
        }
        for a in std::mem::take(actions) {
            match a {
                Action::Send(vehicle, msg) => self.send_to(vehicle, &msg),
                Action::Done(reply, result) => {
                    let _ = reply.send(result);
                }
            }
        }
    }

    /// Encodes our next frame (marked for signing when signing: [`Self::push`] signs it).
    fn next_frame(&mut self, msg: &MavMessage) -> Vec<u8> {
        let bytes = encode_v2(self.sysid, self.compid, self.seq, msg);
        let to_sign = self
            .signing
            .as_ref()
            .map(|_| signing::encode_for_signing(self.sysid, self.compid, self.seq, msg));
        self.seq = self.seq.wrapping_add(1);
        if let Some(tlog) = &mut self.tlog
            && !matches!(msg, MavMessage::SETUP_SIGNING(_))
        {
            tlog.record(Instant::now(), bytes.as_slice().into());
        }
        to_sign.unwrap_or(bytes)
    }

    /// Sends SETUP_SIGNING with `key` to `vehicle` (signed with the key in use, if
    /// any), then signs and verifies with `key` from the next frame on.
    fn setup_signing(&mut self, vehicle: VehicleId, key: SigningKey) -> Result<(), CommandError> {
        match self.fleet.vehicle(vehicle) {
            None => return Err(CommandError::UnknownVehicle(vehicle)),
            Some(s) if s.link_lost => return Err(CommandError::LinkLost(vehicle)),
            Some(_) => {}
        }
        let msg =
            signing::setup_signing_message(vehicle.sysid, vehicle.compid, &key, timestamp_now());
        self.send_to(vehicle, &msg);
        self.signing = Some(match &self.signing {
            Some(s) => s.rekey(key),
            None => LinkSigning::new(key, &self.verified_links),
        });
        Ok(())
    }

    /// Sends to a vehicle on its best live link (or every link if none is live).
    fn send_to(&mut self, vehicle: VehicleId, msg: &MavMessage) {
        let bytes = self.next_frame(msg);
        let target = target_system(msg);
        match self.fleet.best_link(vehicle, Instant::now()) {
            Some(link) => self.push(link, bytes, target),
            None => {
                for link in 0..self.links.len() {
                    self.push(link, bytes.clone(), target);
                }
            }
        }
    }

    fn push(&mut self, link: usize, bytes: Vec<u8>, target: Option<u8>) {
        let bytes = match &mut self.signing {
            Some(s) => s.sign(link, &bytes, timestamp_now()),
            None => bytes,
        };
        if self.links[link]
            .outgoing
            .try_send(Outgoing { bytes, target })
            .is_err()
        {
            self.dropped_frames += 1;
            self.dirty = true;
        }
    }

    fn send_heartbeat(&mut self) {
        let msg = MavMessage::HEARTBEAT(HEARTBEAT_DATA {
            custom_mode: 0,
            mavtype: MavType::MAV_TYPE_GCS,
            autopilot: MavAutopilot::MAV_AUTOPILOT_INVALID,
            base_mode: MavModeFlag::empty(),
            system_status: MavState::MAV_STATE_ACTIVE,
            mavlink_version: 3,
        });
        let bytes = self.next_frame(&msg);
        for link in 0..self.links.len() {
            self.push(link, bytes.clone(), None);
        }
    }
}
