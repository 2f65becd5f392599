//! Runs simulated vehicles on real links, each in its own tokio task, like separate
//! PX4 SITL instances.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gcs_link::LinkAddress;
use gcs_link::SigningKey;
use gcs_link::frame::Frame;
use gcs_link::mavlink::dialects::common::*;
use gcs_link::transport::{
    self, KeepRaw, OpenLink, Outgoing, PeerLearning, Received, TransportError,
};
use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use vigil_values::LatLon;

use crate::commands::CommandRequest;
use crate::faults::Faults;
use crate::geofence::{Geofence, rally_points};
use crate::mission_server::MissionServer;
use crate::model::{BatteryModel, SimVehicle};
use crate::params::Px4Params;
use crate::signing::{SimSigningStatus, VehicleSigning};
use crate::telemetry::{DEFAULT_STREAMS, Stream};
use gcs_link::VehicleId;
use gcs_link::mission::MissionType;

/// Wall-clock period of the physics and telemetry loop.
const SIM_TICK: Duration = Duration::from_millis(20);
/// How long after the last GCS heartbeat PX4's MAVLink receiver still reports it
/// (`telemetry_status.HEARTBEAT_TIMEOUT_US` 2.5 s, checked every half timeout: 3.1 s on
/// average); commander's `COM_DL_LOSS_T` runs from then.
pub const GCS_HEARTBEAT_CURRENT_S: f64 = 3.125;
/// At most this many frames of one stream go out on one tick to make up for late ticks.
const MAX_CATCH_UP: u32 = 3;
/// PX4's autopilot component id.
const AUTOPILOT_COMPID: u8 = 1;

/// One vehicle to simulate.
#[derive(Debug, Clone, PartialEq)]
pub struct VehicleSpec {
    /// MAVLink system id.
    pub sysid: u8,
    /// Home position (where it boots, on the ground).
    pub home: LatLon,
    /// Home altitude above mean sea level, metres.
    pub home_alt_amsl_m: f64,
    /// MAVLink 2 signing key, as if on its SD card: with one it signs and accepts only
    /// signed frames (see [`crate::signing`]); without, until a SETUP_SIGNING gives one.
    pub signing_key: Option<SigningKey>,
}

/// The simulated fleet and how it reaches the ground station.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Vehicles to run.
    pub vehicles: Vec<VehicleSpec>,
    /// Where each vehicle sends its MAVLink (`udpout:127.0.0.1:14550`, as PX4 SITL does).
    /// `udpin`/`tcpin` ports are offset by the vehicle's index.
    pub connect: LinkAddress,
    /// Simulated seconds per wall second (flight, battery); protocol timers stay in wall time.
    pub speed: f64,
    /// Faults on the link.
    pub faults: Faults,
    /// PX4 parameters.
    pub params: Px4Params,
    /// Battery model.
    pub battery: BatteryModel,
    /// Simulated seconds after boot until GPS has a 3D fix.
    pub gps_fix_after_s: f64,
    /// Seed of the fault-injection random generator.
    pub seed: u64,
}

/// Agadez, Niger: the default home (lat, lon, ground altitude AMSL in metres).
pub const AGADEZ: (f64, f64, f64) = (16.9742, 7.9865, 501.0);

impl SimConfig {
    /// `count` vehicles from `first_sysid`, homes 20 m apart eastward from `home`.
    pub fn fleet(
        count: usize,
        first_sysid: u8,
        home: LatLon,
        home_alt_amsl_m: f64,
    ) -> Vec<VehicleSpec> {
        use geo::{Destination, Haversine, Point};
        (0..count)
            .map(|i| {
                let p = Haversine.destination(
                    Point::new(home.lon_deg, home.lat_deg),
                    90.0,
                    20.0 * i as f64,
                );
                VehicleSpec {
                    sysid: first_sysid.wrapping_add(i as u8),
                    home: LatLon::new(p.y(), p.x()),
                    home_alt_amsl_m,
                    signing_key: None,
                }
            })
            .collect()
    }

    /// One vehicle (sysid 1) at Agadez sending to `connect`, PX4 defaults, real time.
    pub fn new(connect: LinkAddress) -> Self {
        Self {
            vehicles: Self::fleet(1, 1, LatLon::new(AGADEZ.0, AGADEZ.1), AGADEZ.2),
            connect,
            speed: 1.0,
            faults: Faults::default(),
            params: Px4Params::default(),
            battery: BatteryModel::default(),
            gps_fix_after_s: 2.0,
            seed: 1,
        }
    }
}

/// Why the simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// A vehicle's link could not be opened.
    #[error("simulated vehicle {sysid}: {source}")]
    Link {
        /// The vehicle.
        sysid: u8,
        /// Why.
        source: TransportError,
    },
    /// A serial port can carry one vehicle only.
    #[error("a serial link carries one simulated vehicle; got {0}")]
    SerialFleet(usize),
    /// A vehicle's system id is 0 (broadcast) or used twice (e.g. 250 vehicles from
    /// system id 200 would wrap to 0).
    #[error("simulated vehicles need distinct system ids in 1..=255; {sysid} is {why}")]
    BadSysid {
        /// The offending id.
        sysid: u8,
        /// "0 (broadcast)" or "used twice".
        why: &'static str,
    },
    /// One port per vehicle from the listening port would pass 65535.
    #[error(
        "{count} simulated vehicles listen on one port each from {port}: the last would be past 65535"
    )]
    PortRange {
        /// The first port.
        port: u16,
        /// The number of vehicles.
        count: usize,
    },
}

/// A running simulated fleet. Dropping it stops every vehicle.
pub struct SimHandle {
    tasks: Vec<JoinHandle<()>>,
    states: Vec<watch::Receiver<SimVehicle>>,
    faults: Arc<Mutex<Faults>>,
    local_addrs: Vec<Option<std::net::SocketAddr>>,
    pub(crate) signing: Vec<watch::Receiver<SimSigningStatus>>,
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl SimHandle {
    /// The state of vehicle `i` (in the order of [`SimConfig::vehicles`]).
    pub fn vehicle(&self, i: usize) -> SimVehicle {
        self.states[i].borrow().clone()
    }

    /// Number of vehicles.
    pub fn len(&self) -> usize {
        self.states.len()
    }

    /// Whether the fleet is empty.
    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }

    /// Changes the faults on every vehicle's link.
    pub fn set_faults(&self, faults: Faults) {
        if let Ok(mut f) = self.faults.lock() {
            *f = faults;
        }
    }

    /// Cuts or restores every vehicle's link (nothing passes either way while cut).
    pub fn set_link_cut(&self, cut: bool) {
        if let Ok(mut f) = self.faults.lock() {
            f.cut = cut;
        }
    }

    /// The local socket address of vehicle `i`'s link, for UDP and TCP-in links.
    pub fn local_addr(&self, i: usize) -> Option<std::net::SocketAddr> {
        self.local_addrs.get(i).copied().flatten()
    }
}

/// Starts every vehicle of `config`; must run inside a tokio runtime.
pub async fn start(config: SimConfig) -> Result<SimHandle, SimError> {
    if matches!(config.connect, LinkAddress::Serial { .. }) && config.vehicles.len() > 1 {
        return Err(SimError::SerialFleet(config.vehicles.len()));
    }
    let mut seen = [false; 256];
    for v in &config.vehicles {
        let why = if v.sysid == 0 {
            "0 (broadcast)"
        } else if seen[usize::from(v.sysid)] {
            "used twice"
        } else {
            seen[usize::from(v.sysid)] = true;
            continue;
        };
        return Err(SimError::BadSysid {
            sysid: v.sysid,
            why,
        });
    }
    let faults = Arc::new(Mutex::new(config.faults));
    let mut handle = SimHandle {
        tasks: Vec::new(),
        states: Vec::new(),
        faults: Arc::clone(&faults),
        local_addrs: Vec::new(),
        signing: Vec::new(),
    };
    for (i, spec) in config.vehicles.iter().enumerate() {
        let address = offset_port(&config.connect, i).ok_or_else(|| SimError::PortRange {
            port: port_of(&config.connect).unwrap_or_default(),
            count: config.vehicles.len(),
        })?;
        let (in_tx, in_rx) = mpsc::channel(1024);
        // Frames' bytes are kept for signature checks.
        // Ground stations' addresses are learned from every frame, signed or not.
        let link = transport::open_with(0, &address, in_tx, KeepRaw::Yes, PeerLearning::OnReceive)
            .await
            .map_err(|source| SimError::Link {
                sysid: spec.sysid,
                source,
            })?;
        let mut model = SimVehicle::new(spec.home, spec.home_alt_amsl_m, config.params.clone());
        model.battery_model = config.battery;
        model.gps_fix_after_s = config.gps_fix_after_s;
        let (state_tx, state_rx) = watch::channel(model.clone());
        handle.local_addrs.push(link.local_addr);
        handle.states.push(state_rx);
        let (signing, signing_rx) = VehicleSigning::new(spec.signing_key.clone());
        handle.signing.push(signing_rx);
        let vehicle = Runner {
            sysid: spec.sysid,
            model,
            link,
            speed: config.speed,
            faults: Arc::clone(&faults),
            rng: StdRng::seed_from_u64(config.seed.wrapping_add(u64::from(spec.sysid))),
            seq: 0,
            boot: Instant::now(),
            out_delay: VecDeque::new(),
            in_delay: VecDeque::new(),
            last_gcs: None,
            param_server: crate::param_server::ParamServer::new(spec.sysid, &config.params),
            gcs_lost: false,
            status_id: 0,
            state: state_tx,
            missions: MissionServer::default(),
            next_mission_current: Instant::now(),
            signing,
        };
        handle.tasks.push(tokio::spawn(vehicle.run(in_rx)));
    }
    Ok(handle)
}

/// The port a listening (`udpin`/`tcpin`) address binds.
fn port_of(address: &LinkAddress) -> Option<u16> {
    match address {
        LinkAddress::UdpIn(a) | LinkAddress::TcpIn(a) => Some(a.port()),
        _ => None,
    }
}

/// `udpin`/`tcpin` addresses get one port per vehicle (port 0: any port for each);
/// `None` when vehicle `i`'s port would pass 65535.
fn offset_port(address: &LinkAddress, i: usize) -> Option<LinkAddress> {
    let bump = |mut a: std::net::SocketAddr| {
        if a.port() != 0 {
            let port = u16::try_from(i)
                .ok()
                .and_then(|i| a.port().checked_add(i))?;
            a.set_port(port);
        }
        Some(a)
    };
    Some(match address {
        LinkAddress::UdpIn(a) => LinkAddress::UdpIn(bump(*a)?),
        LinkAddress::TcpIn(a) => LinkAddress::TcpIn(bump(*a)?),
        other => other.clone(),
    })
}

struct Runner {
    sysid: u8,
    model: SimVehicle,
    link: OpenLink,
    speed: f64,
    faults: Arc<Mutex<Faults>>,
    rng: StdRng,
    seq: u8,
    boot: Instant,
    out_delay: VecDeque<(Instant, Vec<u8>)>,
    in_delay: VecDeque<(Instant, Frame)>,
    last_gcs: Option<Instant>,
    gcs_lost: bool,
    /// The id of the last STATUSTEXT sent in chunks.
    status_id: u16,
    param_server: crate::param_server::ParamServer,
    state: watch::Sender<SimVehicle>,
    missions: MissionServer,
    next_mission_current: Instant,
    signing: VehicleSigning,
}

impl Runner {
    async fn run(mut self, mut inbound: mpsc::Receiver<Received>) {
        let mut tick = tokio::time::interval(SIM_TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let start = Instant::now();
        let mut due: HashMap<Stream, (Duration, Instant)> = DEFAULT_STREAMS
            .iter()
            .map(|(s, hz)| (*s, (Stream::interval(*hz), start)))
            .collect();
        let mut last = start;
        loop {
            // Delayed frames are released when due, not on the next physics tick, so the
            // added latency is what --latency-ms says.
            let next_due = [
                self.in_delay.front().map(|(t, _)| *t),
                self.out_delay.front().map(|(t, _)| *t),
            ]
            .into_iter()
            .flatten()
            .min();
            tokio::select! {
                _ = tokio::time::sleep_until(next_due.unwrap_or_else(Instant::now).into()), if next_due.is_some() => {
                    self.release_delayed(Instant::now(), &mut due);
                }
                got = inbound.recv() => {
                    let Some(r) = got else { return };
                    let faults = self.faults();
                    for _ in 0..faults.copies(&mut self.rng) {
                        if !self.signing.admit(&r, self.sysid) {
                            continue;
                        }
                        self.answer_unknown_commands(&r);
                        if faults.latency.is_zero() {
                            self.on_frame(&r.frame, &mut due);
                        } else {
                            self.in_delay.push_back((r.at + faults.latency, r.frame.clone()));
                        }
                    }
                }
                _ = tick.tick() => {
                    let now = Instant::now();
                    self.release_delayed(now, &mut due);
                    self.model.step_scaled(now.duration_since(last).as_secs_f64(), self.speed);
                    last = now;
                    self.check_gcs_link(now);
                    for (stream, (interval, next)) in due.iter_mut() {
                        // On schedule, not from now, catching up a late tick or two: a
                        // 50 Hz stream on a 20 ms tick would otherwise lose every frame a
                        // busy machine delays.
                        let mut owed = 0;
                        while now >= *next && owed < MAX_CATCH_UP {
                            *next += *interval;
                            owed += 1;
                        }
                        if now >= *next {
                            *next = now + *interval;
                        }
                        if owed == 0
                            || (*stream == Stream::HomePosition && !self.model.has_gps_fix())
                        {
                            continue;
                        }
                        let msg = self.model.message(*stream, self.boot_ms());
                        for _ in 0..owed {
                            self.send(&msg);
                        }
                    }
                    self.send_status();
                    self.run_missions(now);
                    for msg in self.param_server.poll_stream() {
                        self.send(&msg);
                    }
                    self.release_delayed(now, &mut due);
                    self.state.send_replace(self.model.clone());
                }
            }
        }
    }

    /// Delivers the delayed frames that are due, both ways.
    fn release_delayed(&mut self, now: Instant, due: &mut HashMap<Stream, (Duration, Instant)>) {
        while self.in_delay.front().is_some_and(|(t, _)| *t <= now) {
            let (_, f) = self.in_delay.pop_front().expect("checked");
            self.on_frame(&f, due);
        }
        while self.out_delay.front().is_some_and(|(t, _)| *t <= now) {
            let (_, bytes) = self.out_delay.pop_front().expect("checked");
            let _ = self.link.outgoing.try_send(Outgoing {
                bytes,
                target: None,
            });
        }
    }

    fn faults(&self) -> Faults {
        self.faults.lock().map(|f| *f).unwrap_or_default()
    }

    fn boot_ms(&self) -> u32 {
        self.boot.elapsed().as_millis() as u32
    }

    /// COM_DL_LOSS_T is measured in wall time: it is a protocol timeout. PX4 starts it
    /// once its MAVLink receiver stops counting the GCS heartbeat as current
    /// ([`GCS_HEARTBEAT_CURRENT_S`]).
    fn check_gcs_link(&mut self, now: Instant) {
        let Some(last) = self.last_gcs else { return };
        let silent = now.duration_since(last).as_secs_f64();
        if !self.gcs_lost && silent > GCS_HEARTBEAT_CURRENT_S + self.model.params.com_dl_loss_t_s {
            self.gcs_lost = true;
            self.model.on_data_link_lost();
        }
    }

    fn send(&mut self, msg: &MavMessage) {
        self.send_with(msg, |_| {});
    }

    /// Sends `msg` through the link's faults, `patch` rewriting its frame before it is
    /// signed (for an answer the dialect cannot express).
    fn send_with(&mut self, msg: &MavMessage, patch: impl FnOnce(&mut [u8])) {
        let faults = self.faults();
        let copies = faults.copies(&mut self.rng);
        if copies == 0 {
            self.seq = self.seq.wrapping_add(1);
            return;
        }
        let bytes = self
            .signing
            .encode_with(self.sysid, AUTOPILOT_COMPID, self.seq, msg, patch);
        self.seq = self.seq.wrapping_add(1);
        for _ in 0..copies {
            if faults.latency.is_zero() {
                let _ = self.link.outgoing.try_send(Outgoing {
                    bytes: bytes.clone(),
                    target: None,
                });
            } else {
                self.out_delay
                    .push_back((Instant::now() + faults.latency, bytes.clone()));
            }
        }
    }

    /// Commands the dialect has no id for (they reach the sim as undecoded headers): PX4
    /// answers each MAV_RESULT_UNSUPPORTED.
    fn answer_unknown_commands(&mut self, r: &Received) {
        for h in &r.undecoded {
            let Some(c) = h.unknown_command else { continue };
            if !self.for_us(c.target_system) {
                continue;
            }
            let ack = MavMessage::COMMAND_ACK(COMMAND_ACK_DATA {
                // A placeholder, rewritten below to the id asked for.
                command: MavCmd::MAV_CMD_NAV_WAYPOINT,
                result: MavResult::MAV_RESULT_UNSUPPORTED,
                target_system: h.sysid,
                target_component: h.compid,
                ..Default::default()
            });
            self.send_with(&ack, |frame| {
                gcs_link::frame::set_ack_command(frame, c.command);
            });
        }
    }

    fn send_status(&mut self) {
        for (severity, text) in self.model.take_status() {
            self.status_id = self.status_id.wrapping_add(1).max(1);
            for msg in statustext_chunks(severity, &text, self.status_id) {
                self.send(&msg);
            }
        }
    }

    /// Mission server timers, MISSION_CURRENT at 1 Hz and MISSION_ITEM_REACHED.
    fn run_missions(&mut self, now: Instant) {
        for m in self.missions.on_tick(now) {
            self.send(&m);
        }
        self.missions.current_seq = self.model.mission_seq;
        for seq in self.model.take_reached() {
            self.send(&MavMessage::MISSION_ITEM_REACHED(
                MISSION_ITEM_REACHED_DATA { seq },
            ));
        }
        if now >= self.next_mission_current {
            self.next_mission_current = now + Duration::from_secs(1);
            let msg = self.missions.mission_current();
            self.send(&msg);
        }
    }

    fn for_us(&self, target: u8) -> bool {
        target == 0 || target == self.sysid
    }

    #[allow(deprecated)] // SET_MODE is superseded, but pymavlink and MAVProxy still send it.
    fn on_frame(&mut self, f: &Frame, due: &mut HashMap<Stream, (Duration, Instant)>) {
        if is_mission_message(&f.msg) {
            let me = VehicleId {
                sysid: self.sysid,
                compid: AUTOPILOT_COMPID,
            };
            let from = VehicleId {
                sysid: f.sysid,
                compid: f.compid,
            };
            let before = (
                self.missions.id(MissionType::Mission),
                self.missions.current_seq,
            );
            let zones = (
                self.missions.id(MissionType::Fence),
                self.missions.id(MissionType::Rally),
            );
            for reply in self.missions.on_message(me, from, &f.msg, Instant::now()) {
                self.send(&reply);
            }
            if self.missions.id(MissionType::Mission) != before.0 {
                let items = self.missions.list(MissionType::Mission).to_vec();
                self.model.load_mission(items);
            } else if self.missions.current_seq != before.1 {
                self.model.set_mission_current(self.missions.current_seq);
            }
            if zones
                != (
                    self.missions.id(MissionType::Fence),
                    self.missions.id(MissionType::Rally),
                )
            {
                self.model.geofence = Geofence::from_items(self.missions.list(MissionType::Fence));
                self.model.rally = rally_points(self.missions.list(MissionType::Rally));
            }
            return;
        }
        match &f.msg {
            MavMessage::HEARTBEAT(hb) if hb.mavtype == MavType::MAV_TYPE_GCS => {
                self.last_gcs = Some(Instant::now());
                if self.gcs_lost {
                    self.gcs_lost = false;
                    self.model.on_data_link_regained();
                }
            }
            MavMessage::COMMAND_LONG(c) if self.for_us(c.target_system) => {
                let req = CommandRequest {
                    command: c.command,
                    params: [
                        c.param1, c.param2, c.param3, c.param4, c.param5, c.param6, c.param7,
                    ]
                    .map(f64::from),
                    frame: None,
                };
                self.answer(f, &req, due);
            }
            MavMessage::COMMAND_INT(c) if self.for_us(c.target_system) => {
                let req = CommandRequest {
                    command: c.command,
                    params: [
                        f64::from(c.param1),
                        f64::from(c.param2),
                        f64::from(c.param3),
                        f64::from(c.param4),
                        f64::from(c.x) * 1e-7,
                        f64::from(c.y) * 1e-7,
                        f64::from(c.z),
                    ],
                    frame: Some(c.frame),
                };
                self.answer(f, &req, due);
            }
            // base_mode must carry MAV_MODE_FLAG_CUSTOM_MODE_ENABLED.
            MavMessage::SET_MODE(m)
                if self.for_us(m.target_system) && m.base_mode.bits() & 1 != 0 =>
            {
                let mode = gcs_link::FlightMode::from_px4_custom_mode(m.custom_mode);
                if let Err(text) = self.model.set_mode(mode) {
                    self.model.say(MavSeverity::MAV_SEVERITY_CRITICAL, text);
                }
            }
            m if crate::param_server::ParamServer::handles(m) => {
                let sysid = self.sysid;
                for msg in self
                    .param_server
                    .on_message(sysid, m, &mut self.model.params)
                {
                    self.send(&msg);
                }
            }
            _ => {}
        }
    }

    fn answer(
        &mut self,
        from: &Frame,
        req: &CommandRequest,
        due: &mut HashMap<Stream, (Duration, Instant)>,
    ) {
        let outcome = self.model.handle_command(req);
        // PX4 logs the reason for a refusal before the COMMAND_ACK goes out.
        self.send_status();
        self.send(&MavMessage::COMMAND_ACK(COMMAND_ACK_DATA {
            command: req.command,
            result: outcome.result,
            target_system: from.sysid,
            target_component: from.compid,
            ..Default::default()
        }));
        for stream in outcome.send {
            let msg = self.model.message(stream, self.boot_ms());
            self.send(&msg);
        }
        if let Some((stream, interval_us)) = outcome.interval {
            match interval_us {
                i if i > 0 => {
                    due.insert(stream, (Duration::from_micros(i as u64), Instant::now()));
                }
                -1 => {
                    due.remove(&stream);
                }
                _ => {
                    if let Some((s, hz)) = DEFAULT_STREAMS.iter().find(|(s, _)| *s == stream) {
                        due.insert(*s, (Stream::interval(*hz), Instant::now()));
                    }
                }
            }
        }
    }
}

/// Messages of the mission protocol, handled by the mission server.
#[allow(deprecated)] // MISSION_REQUEST and MISSION_SET_CURRENT are still sent by older GCSes.
fn is_mission_message(msg: &MavMessage) -> bool {
    matches!(
        msg,
        MavMessage::MISSION_COUNT(_)
            | MavMessage::MISSION_ITEM_INT(_)
            | MavMessage::MISSION_REQUEST_LIST(_)
            | MavMessage::MISSION_REQUEST_INT(_)
            | MavMessage::MISSION_REQUEST(_)
            | MavMessage::MISSION_ACK(_)
            | MavMessage::MISSION_CLEAR_ALL(_)
            | MavMessage::MISSION_SET_CURRENT(_)
    )
}

/// STATUSTEXT frames for `text` as PX4 sends them: one frame with id 0 when it fits in
/// 50 bytes, otherwise 50-byte chunks sharing `id` with `chunk_seq` 0, 1, … (the last
/// one shorter, so it ends with a NUL).
fn statustext_chunks(severity: MavSeverity, text: &str, id: u16) -> Vec<MavMessage> {
    const CHUNK: usize = 50;
    let bytes = text.as_bytes();
    let frame = |part: &[u8], id: u16, chunk_seq: u8| {
        let mut buf = [0u8; CHUNK];
        buf[..part.len()].copy_from_slice(part);
        MavMessage::STATUSTEXT(STATUSTEXT_DATA {
            severity,
            text: buf.into(),
            id,
            chunk_seq,
        })
    };
    if bytes.len() <= CHUNK {
        return vec![frame(bytes, 0, 0)];
    }
    let mut parts: Vec<&[u8]> = bytes.chunks(CHUNK).collect();
    if bytes.len().is_multiple_of(CHUNK) {
        parts.push(&[]);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| frame(part, id, i as u8))
        .collect()
}

#[cfg(test)]
mod statustext_tests {
    use super::*;

    #[test]
    fn long_texts_go_in_chunks_that_end_with_a_nul() {
        let text = "Arming denied: Resolve system health failures first";
        let frames = statustext_chunks(MavSeverity::MAV_SEVERITY_CRITICAL, text, 7);
        assert_eq!(frames.len(), 2);
        let mut joined = Vec::new();
        for (i, f) in frames.iter().enumerate() {
            let MavMessage::STATUSTEXT(t) = f else {
                panic!("not a STATUSTEXT")
            };
            assert_eq!((t.id, t.chunk_seq), (7, i as u8));
            joined.extend(t.text.as_slice().iter().take_while(|b| **b != 0));
        }
        assert_eq!(String::from_utf8(joined).unwrap(), text);
        let short = statustext_chunks(MavSeverity::MAV_SEVERITY_INFO, "Landing detected", 8);
        assert!(matches!(&short[..], [MavMessage::STATUSTEXT(t)] if t.id == 0));
    }
}
