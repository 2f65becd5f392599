//! The probe's own ground-station end of one UDP link: it sends what it is told, byte
//! for byte (unknown command ids included), keeps the GCS heartbeat going unless a
//! failsafe check stops it, and logs what the vehicle says as it reads.
//!
//! It does not use gcs-link's vehicle state on purpose: the probe must see every frame
//! (message ids gcs-link does not decode, acknowledgements of unknown commands) and
//! must not answer anything by itself.

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use gcs_link::frame::{Parsed, decode_raw, encode_raw_v2, encode_v2, parse};
use gcs_link::mavlink::dialects::common::*;
use tokio::net::UdpSocket;

/// The probe's system and component id (a ground station's).
pub const PROBE_SYSID: u8 = 255;
/// The probe's component id (`MAV_COMP_ID_MISSIONPLANNER`).
pub const PROBE_COMPID: u8 = 190;
/// The longest STATUSTEXT kept, bytes (PX4's chunked texts run to a few hundred).
const MAX_TEXT_BYTES: usize = 4096;
/// The most STATUSTEXTs kept over a run (a flooding vehicle is cut there).
const MAX_TEXTS: usize = 10_000;
/// The message id of COMMAND_ACK, read by hand so that unknown commands' answers count.
const COMMAND_ACK_ID: u32 = 77;

/// One message from the vehicle.
#[derive(Debug, Clone)]
pub struct Rx {
    /// When it arrived.
    pub at: Instant,
    /// MAVLink message id.
    pub msgid: u32,
    /// The decoded message, when it is in the `common` dialect and decodes.
    pub msg: Option<MavMessage>,
    /// For COMMAND_ACK: the command id and result, whatever the command.
    pub ack: Option<(u16, u8)>,
}

/// What the probe has read so far, kept as it reads.
#[derive(Debug, Default)]
pub struct Log {
    /// Frames per message id since [`Log::counts`] was last cleared.
    pub counts: BTreeMap<u32, u64>,
    /// Every STATUSTEXT, in order.
    pub texts: Vec<(Instant, String)>,
    /// The latest HEARTBEAT.
    pub heartbeat: Option<HEARTBEAT_DATA>,
    /// The latest GLOBAL_POSITION_INT.
    pub position: Option<GLOBAL_POSITION_INT_DATA>,
    /// The latest EXTENDED_SYS_STATE's landed state.
    pub landed: Option<MavLandedState>,
    /// MISSION_ITEM_REACHED sequence numbers, in order.
    pub reached: Vec<u16>,
    /// MISSION_CURRENT sequence numbers, each change once.
    pub current: Vec<u16>,
    /// The latest MISSION_CURRENT.
    pub mission_current: Option<MISSION_CURRENT_DATA>,
    /// A STATUSTEXT whose chunks are still arriving (id, text so far).
    partial: Option<(u16, String)>,
}

/// Why the probe's link failed.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// The socket could not be bound or used.
    #[error("probe socket: {0}")]
    Io(#[from] std::io::Error),
    /// The address is not `udpout:HOST:PORT` or `udpin:HOST:PORT`.
    #[error(
        "probe address {0:?}: expected udpout:HOST:PORT (send to a vehicle) or udpin:HOST:PORT (wait for one)"
    )]
    Address(String),
}

/// The probe's link to one vehicle.
pub struct ProbeLink {
    sock: UdpSocket,
    peer: Option<SocketAddr>,
    seq: u8,
    heartbeat_on: bool,
    next_heartbeat: Instant,
    pending: VecDeque<Rx>,
    /// The vehicle's system id, from its first autopilot heartbeat.
    pub vehicle: Option<u8>,
    /// What has been read.
    pub log: Log,
}

impl ProbeLink {
    /// Opens `udpout:HOST:PORT` (send to a vehicle that answers whoever writes, as PX4
    /// SITL's GCS port does) or `udpin:HOST:PORT` (wait for a vehicle that sends here).
    pub async fn open(address: &str) -> Result<Self, WireError> {
        let bad = || WireError::Address(address.to_string());
        let (kind, rest) = address.split_once(':').ok_or_else(bad)?;
        let addr: SocketAddr = rest.parse().map_err(|_| bad())?;
        let (sock, peer) = match kind {
            "udpout" => (UdpSocket::bind("127.0.0.1:0").await?, Some(addr)),
            "udpin" => (UdpSocket::bind(addr).await?, None),
            _ => return Err(bad()),
        };
        Ok(Self {
            sock,
            peer,
            seq: 0,
            heartbeat_on: true,
            next_heartbeat: Instant::now(),
            pending: VecDeque::new(),
            vehicle: None,
            log: Log::default(),
        })
    }

    /// The local address (for a vehicle told to send here).
    pub fn local_addr(&self) -> Result<SocketAddr, WireError> {
        Ok(self.sock.local_addr()?)
    }

    /// Starts or stops the GCS heartbeat (stopping it is how a data-link loss is made).
    pub fn set_heartbeat(&mut self, on: bool) {
        self.heartbeat_on = on;
        self.next_heartbeat = Instant::now();
    }

    /// Sends one message as the probe.
    pub async fn send(&mut self, msg: &MavMessage) {
        let bytes = encode_v2(PROBE_SYSID, PROBE_COMPID, self.next_seq(), msg);
        self.send_bytes(&bytes).await;
    }

    /// Sends a COMMAND_LONG with any command id, known to the dialect or not.
    pub async fn send_command_long(&mut self, command: u16, params: [f32; 7], confirmation: u8) {
        let mut payload = Vec::with_capacity(33);
        for p in params {
            payload.extend_from_slice(&p.to_le_bytes());
        }
        payload.extend_from_slice(&command.to_le_bytes());
        payload.push(self.vehicle.unwrap_or(1));
        payload.push(1);
        payload.push(confirmation);
        let seq = self.next_seq();
        let bytes = encode_raw_v2(PROBE_SYSID, PROBE_COMPID, seq, 76, 152, &payload);
        self.send_bytes(&bytes).await;
    }

    fn next_seq(&mut self) -> u8 {
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }

    async fn send_bytes(&mut self, bytes: &[u8]) {
        if let Some(peer) = self.peer {
            // A lost datagram is what the probe's retries are for.
            let _ = self.sock.send_to(bytes, peer).await;
        }
    }

    async fn heartbeat_if_due(&mut self) {
        if self.heartbeat_on && Instant::now() >= self.next_heartbeat {
            self.next_heartbeat = Instant::now() + Duration::from_secs(1);
            let hb = MavMessage::HEARTBEAT(HEARTBEAT_DATA {
                custom_mode: 0,
                mavtype: MavType::MAV_TYPE_GCS,
                autopilot: MavAutopilot::MAV_AUTOPILOT_INVALID,
                base_mode: MavModeFlag::empty(),
                system_status: MavState::MAV_STATE_ACTIVE,
                mavlink_version: 3,
            });
            self.send(&hb).await;
        }
    }

    /// The next message from the vehicle before `until`, logging it; heartbeats go out
    /// meanwhile.
    pub async fn next(&mut self, until: Instant) -> Option<Rx> {
        let mut buf = vec![0u8; 2048];
        loop {
            self.heartbeat_if_due().await;
            if let Some(rx) = self.pending.pop_front() {
                return Some(rx);
            }
            let now = Instant::now();
            if now >= until {
                return None;
            }
            let wake = if self.heartbeat_on {
                until.min(self.next_heartbeat)
            } else {
                until
            };
            let wait = wake.saturating_duration_since(now);
            // A timeout or a receive error (ICMP unreachable) just goes round again.
            if let Ok(Ok((n, from))) =
                tokio::time::timeout(wait, self.sock.recv_from(&mut buf)).await
            {
                if self.peer.is_none() {
                    self.peer = Some(from);
                }
                self.take_datagram(&buf[..n]);
            }
        }
    }

    /// Reads until `f` returns something or `timeout` passes.
    pub async fn wait_for<T>(
        &mut self,
        timeout: Duration,
        mut f: impl FnMut(&Rx) -> Option<T>,
    ) -> Option<T> {
        let until = Instant::now() + timeout;
        while let Some(rx) = self.next(until).await {
            if let Some(t) = f(&rx) {
                return Some(t);
            }
        }
        None
    }

    /// Reads (and logs) everything for `d`.
    pub async fn drain(&mut self, d: Duration) {
        let until = Instant::now() + d;
        while self.next(until).await.is_some() {}
    }

    fn take_datagram(&mut self, bytes: &[u8]) {
        let at = Instant::now();
        let mut pos = 0;
        while pos < bytes.len() {
            let here = &bytes[pos..];
            let (len, msgid, sysid, decoded, payload) = match parse(here) {
                Parsed::Valid(raw, len) => {
                    let frame = decode_raw(&raw);
                    let payload = raw.payload().to_vec();
                    (
                        len,
                        raw.message_id(),
                        raw.system_id(),
                        frame.map(|f| f.msg),
                        payload,
                    )
                }
                Parsed::Other(len, header) => {
                    let Some(h) = header else {
                        pos += len;
                        continue;
                    };
                    (len, raw_msgid(here), u32::from(h.sysid), None, Vec::new())
                }
                Parsed::Truncated | Parsed::Corrupt => break,
            };
            pos += len;
            if let Some(MavMessage::HEARTBEAT(hb)) = &decoded
                && self.vehicle.is_none()
                && hb.autopilot != MavAutopilot::MAV_AUTOPILOT_INVALID
            {
                self.vehicle = u8::try_from(sysid).ok();
            }
            if self.vehicle.map(u32::from) != Some(sysid) {
                continue;
            }
            let ack = (msgid == COMMAND_ACK_ID).then(|| {
                let mut p = payload.clone();
                p.resize(3, 0);
                (u16::from_le_bytes([p[0], p[1]]), p[2])
            });
            self.log_message(msgid, decoded.as_ref(), at);
            self.pending.push_back(Rx {
                at,
                msgid,
                msg: decoded,
                ack,
            });
        }
    }

    fn log_message(&mut self, msgid: u32, msg: Option<&MavMessage>, at: Instant) {
        *self.log.counts.entry(msgid).or_default() += 1;
        let log = &mut self.log;
        match msg {
            Some(MavMessage::HEARTBEAT(hb)) => log.heartbeat = Some(hb.clone()),
            Some(MavMessage::GLOBAL_POSITION_INT(p)) => log.position = Some(p.clone()),
            Some(MavMessage::EXTENDED_SYS_STATE(s)) => log.landed = Some(s.landed_state),
            Some(MavMessage::STATUSTEXT(t)) => {
                let bytes = t.text.as_slice();
                let end = bytes.iter().position(|&b| b == 0);
                let chunk =
                    String::from_utf8_lossy(&bytes[..end.unwrap_or(bytes.len())]).to_string();
                // Long texts come in chunks with one id; the last holds a NUL (or is short).
                let text = if t.id == 0 {
                    Some(chunk)
                } else {
                    let mut whole = match log.partial.take() {
                        Some((id, s)) if id == t.id => s,
                        _ => String::new(),
                    };
                    whole.push_str(&chunk);
                    // A text that never ends (no NUL) is cut, not grown without bound.
                    if end.is_some() || whole.len() >= MAX_TEXT_BYTES {
                        Some(whole)
                    } else {
                        log.partial = Some((t.id, whole));
                        None
                    }
                };
                if let Some(text) = text
                    && log.texts.len() < MAX_TEXTS
                {
                    log.texts.push((at, text.trim().to_string()));
                }
            }
            // PX4 repeats the last item reached; each counts once.
            Some(MavMessage::MISSION_ITEM_REACHED(r)) if log.reached.last() != Some(&r.seq) => {
                log.reached.push(r.seq);
            }
            Some(MavMessage::MISSION_CURRENT(c)) => {
                if log.current.last() != Some(&c.seq) {
                    log.current.push(c.seq);
                }
                log.mission_current = Some(c.clone());
            }
            _ => {}
        }
    }
}

/// The message id in the header of a MAVLink 1 or 2 frame.
fn raw_msgid(frame: &[u8]) -> u32 {
    match frame {
        [0xFD, _, _, _, _, _, _, a, b, c, ..] => u32::from_le_bytes([*a, *b, *c, 0]),
        [0xFE, _, _, _, _, a, ..] => u32::from(*a),
        _ => u32::MAX,
    }
}

/// Name of a message id: the `common` dialect's name, or `MSG<id>`.
pub fn message_name(msgid: u32) -> String {
    use gcs_link::mavlink::Message;
    MavMessage::default_message_from_id(msgid)
        .map(|m| m.message_name().to_string())
        .unwrap_or_else(|| format!("MSG{msgid}"))
}

/// Name of a MAV_RESULT value.
pub fn result_name(result: u8) -> String {
    const NAMES: [&str; 10] = [
        "ACCEPTED",
        "TEMPORARILY_REJECTED",
        "DENIED",
        "UNSUPPORTED",
        "FAILED",
        "IN_PROGRESS",
        "CANCELLED",
        "COMMAND_LONG_ONLY",
        "COMMAND_INT_ONLY",
        "UNSUPPORTED_MAV_FRAME",
    ];
    NAMES
        .get(usize::from(result))
        .map_or_else(|| format!("RESULT_{result}"), |s| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use gcs_link::frame::decode_all;

    #[test]
    fn a_hand_built_command_long_decodes_as_the_dialect_builds_it() {
        let bytes = encode_raw_v2(PROBE_SYSID, PROBE_COMPID, 7, 76, 152, &{
            let mut p = Vec::new();
            for v in [1.0f32, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0] {
                p.extend_from_slice(&v.to_le_bytes());
            }
            p.extend_from_slice(&400u16.to_le_bytes());
            p.extend_from_slice(&[1, 1, 0]);
            p
        });
        let mut seen = Vec::new();
        decode_all(&bytes, |f, _| seen.push(f.msg));
        match seen.as_slice() {
            [MavMessage::COMMAND_LONG(c)] => {
                assert_eq!(c.command, MavCmd::MAV_CMD_COMPONENT_ARM_DISARM);
                assert_eq!(c.param1, 1.0);
            }
            other => panic!("decoded {other:?}"),
        }
        assert_eq!(raw_msgid(&bytes), 76);
    }

    #[test]
    fn names_of_results_and_messages() {
        assert_eq!(result_name(3), "UNSUPPORTED");
        assert_eq!(result_name(42), "RESULT_42");
        assert_eq!(message_name(30), "ATTITUDE");
        assert_eq!(message_name(9999), "MSG9999");
    }
}
