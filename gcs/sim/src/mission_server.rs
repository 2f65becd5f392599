//! The mission microservice, vehicle side, as PX4's `mavlink_mission.cpp` runs it:
//! MISSION, FENCE and RALLY lists, PX4 SITL's list limits, item checks, retries and
//! error ACKs, and PX4's `_int_mode`: the old float MISSION_REQUEST / MISSION_ITEM until
//! the ground station shows it speaks the _INT messages.
//!
//! Sans-IO: fed messages and clock ticks, returns the messages to send (STATUSTEXTs
//! included, as PX4 says why it ignores a message).

use gcs_link::crc::crc32_part;
use std::time::{Duration, Instant};

use gcs_link::VehicleId;
#[allow(deprecated)] // MISSION_REQUEST and MISSION_ITEM: PX4 sends them outside `_int_mode`.
use gcs_link::mavlink::dialects::common::{
    MISSION_ACK_DATA, MISSION_COUNT_DATA, MISSION_CURRENT_DATA, MISSION_ITEM_DATA,
    MISSION_ITEM_INT_DATA, MISSION_REQUEST_DATA, MISSION_REQUEST_INT_DATA, MavFrame, MavMessage,
    MavMissionResult, MavMissionType, MavSeverity, STATUSTEXT_DATA,
};
use gcs_link::mission::wire::{from_wire, mav_mission_type, mission_type, to_wire};
use gcs_link::mission::{MissionItemInt, MissionType};

use crate::mission_items::refusal;

/// PX4 re-requests an item after this long without it (`MAVLINK_MISSION_RETRY_TIMEOUT_DEFAULT`).
pub const RETRY_TIMEOUT: Duration = Duration::from_millis(250);
/// PX4 abandons a transfer after this long without progress (`MAVLINK_MISSION_PROTOCOL_TIMEOUT_DEFAULT`).
pub const PROTOCOL_TIMEOUT: Duration = Duration::from_secs(5);
/// Items PX4 SITL stores per list (`MavlinkMissionManager::MAX_COUNT`, from dataman.h):
/// mission (`CONFIG_NUM_MISSION_ITMES_SUPPORTED` of boards/px4/sitl/default.px4board),
/// fence points (`DM_KEY_FENCE_POINTS_MAX`), safe (rally) points (`DM_KEY_SAFE_POINTS_MAX`).
/// A MISSION_COUNT above is answered MAV_MISSION_NO_SPACE.
pub const MAX_ITEMS: [usize; 3] = [10_000, 64, 32];

/// PX4's critical STATUSTEXT for a MISSION_ITEM_INT while no upload is in progress.
pub const ITEM_NO_TRANSFER: &str = "IGN MISSION_ITEM: No transfer";
/// PX4's critical STATUSTEXT for a MISSION_ITEM_INT during a download.
pub const ITEM_BUSY: &str = "IGN MISSION_ITEM: Busy";
/// PX4's critical STATUSTEXT for a MISSION_ITEM_INT from another than its transfer partner.
pub const ITEM_PARTNER_MISMATCH: &str = "REJ. MIS ITEM: partner id mismatch";

fn index(t: MissionType) -> usize {
    match t {
        MissionType::Mission => 0,
        MissionType::Fence => 1,
        MissionType::Rally => 2,
    }
}

#[derive(Debug, Clone)]
enum State {
    Idle,
    Receiving {
        mission_type: MissionType,
        partner: VehicleId,
        count: u16,
        items: Vec<MissionItemInt>,
        last_request: Instant,
        last_progress: Instant,
    },
    Sending {
        mission_type: MissionType,
        partner: VehicleId,
        /// The item the partner should request next (PX4's `_transfer_seq`).
        next: u16,
        last_progress: Instant,
    },
}

/// The vehicle's three plan lists and the transfer in progress.
#[derive(Debug, Clone)]
pub struct MissionServer {
    lists: [Vec<MissionItemInt>; 3],
    ids: [u32; 3],
    /// The current mission item.
    pub current_seq: u16,
    state: State,
    /// The ground station of the last transfer begun, kept once it ends (PX4's
    /// `_transfer_partner_*`): only its items are answered, even when idle.
    partner: Option<VehicleId>,
    /// The list type of the last transfer or clear (PX4's `_mission_type`): an item of
    /// another type is answered MAV_MISSION_ERROR.
    mission_type: MavMissionType,
    /// The last completed upload (partner, type, count), to re-ACK its last item.
    last_upload: Option<(VehicleId, MissionType, u16)>,
    /// PX4's `_int_mode`: false at boot, so an upload's requests are the old
    /// MISSION_REQUEST and a download's items the old float MISSION_ITEM; any
    /// MISSION_ITEM_INT or MISSION_REQUEST_INT sets it, a MISSION_REQUEST clears it, a
    /// MAV_MISSION_UNSUPPORTED ACK during an upload flips it. MISSION_REQUEST_LIST,
    /// MISSION_COUNT and the end of a transfer leave it as it is.
    int_mode: bool,
}

impl Default for MissionServer {
    fn default() -> Self {
        Self {
            lists: [Vec::new(), Vec::new(), Vec::new()],
            ids: [0; 3],
            current_seq: 0,
            state: State::Idle,
            partner: None,
            mission_type: MavMissionType::MAV_MISSION_TYPE_MISSION,
            last_upload: None,
            int_mode: false,
        }
    }
}

/// PX4-style opaque id of a list (never 0): PX4's `crc32part` (the one CRC-32 of
/// [`gcs_link::crc`], as PX4 chains it over its stored mission items) over every field
/// of every item. The bytes fed are the sim's own (PX4 hashes its internal item
/// struct): a ground station treats the id as opaque and only compares it.
pub fn plan_id(items: &[MissionItemInt]) -> u32 {
    if items.is_empty() {
        return 0;
    }
    let crc = items.iter().fold(0, |crc, i| {
        let mut crc = crc32_part(&i.seq.to_le_bytes(), crc);
        crc = crc32_part(
            &[
                i.frame,
                i.current,
                i.autocontinue,
                i.mission_type.to_mavlink(),
            ],
            crc,
        );
        crc = crc32_part(&i.command.to_le_bytes(), crc);
        for p in [i.param1, i.param2, i.param3, i.param4, i.z] {
            crc = crc32_part(&p.to_bits().to_le_bytes(), crc);
        }
        crc = crc32_part(&i.x.to_le_bytes(), crc);
        crc32_part(&i.y.to_le_bytes(), crc)
    });
    crc.max(1)
}

impl MissionServer {
    /// The stored list of `t`.
    pub fn list(&self, t: MissionType) -> &[MissionItemInt] {
        &self.lists[index(t)]
    }

    /// The opaque id of list `t` (0 when empty).
    pub fn id(&self, t: MissionType) -> u32 {
        self.ids[index(t)]
    }

    /// Whether a valid mission is stored.
    pub fn has_mission(&self) -> bool {
        !self.lists[0].is_empty()
    }

    fn store(&mut self, t: MissionType, items: Vec<MissionItemInt>) {
        let i = index(t);
        self.ids[i] = plan_id(&items);
        self.lists[i] = items;
        if t == MissionType::Mission {
            self.current_seq = 0;
        }
    }

    fn ack(to: VehicleId, t: MavMissionType, r: MavMissionResult, opaque_id: u32) -> MavMessage {
        MavMessage::MISSION_ACK(MISSION_ACK_DATA {
            target_system: to.sysid,
            target_component: to.compid,
            mavtype: r,
            mission_type: t,
            opaque_id,
        })
    }

    /// A STATUSTEXT of PX4's `send_statustext_critical`.
    fn critical(text: &str) -> MavMessage {
        MavMessage::STATUSTEXT(STATUSTEXT_DATA {
            severity: MavSeverity::MAV_SEVERITY_CRITICAL,
            text: text.into(),
            ..Default::default()
        })
    }

    /// Whether the next request and download item are the _INT messages (PX4's `_int_mode`).
    pub fn int_mode(&self) -> bool {
        self.int_mode
    }

    /// PX4's `send_mission_request`: MISSION_REQUEST_INT in `_int_mode`, else the old
    /// MISSION_REQUEST.
    #[allow(deprecated)] // MISSION_REQUEST: what PX4 sends until the GCS shows it speaks _INT.
    fn request(&self, to: VehicleId, t: MissionType, seq: u16) -> MavMessage {
        let (target_system, target_component) = (to.sysid, to.compid);
        let mission_type = mav_mission_type(t);
        if self.int_mode {
            MavMessage::MISSION_REQUEST_INT(MISSION_REQUEST_INT_DATA {
                seq,
                target_system,
                target_component,
                mission_type,
            })
        } else {
            MavMessage::MISSION_REQUEST(MISSION_REQUEST_DATA {
                seq,
                target_system,
                target_component,
                mission_type,
            })
        }
    }

    /// MISSION_CURRENT as PX4 v1.15 sends it (`send_mission_current`, 1 Hz): the current
    /// item, the mission's length (`UINT16_MAX` when there is none) and the three lists'
    /// opaque ids. PX4 never fills in `mission_state` or `mission_mode`: they stay 0,
    /// MISSION_STATE_UNKNOWN, in every flight mode, with or without a mission.
    pub fn mission_current(&self) -> MavMessage {
        let total = match self.lists[0].len() {
            0 => u16::MAX,
            n => n as u16,
        };
        MavMessage::MISSION_CURRENT(MISSION_CURRENT_DATA {
            seq: self.current_seq,
            total,
            mission_id: self.ids[0],
            fence_id: self.ids[1],
            rally_points_id: self.ids[2],
            ..Default::default()
        })
    }

    /// Handles a mission-protocol message from `from` (a ground station).
    #[allow(deprecated)] // MISSION_REQUEST and MISSION_SET_CURRENT: still sent by older GCSes.
    pub fn on_message(
        &mut self,
        me: VehicleId,
        from: VehicleId,
        msg: &MavMessage,
        now: Instant,
    ) -> Vec<MavMessage> {
        let for_me = |sys: u8| sys == me.sysid || sys == 0;
        // PX4's handle_mission_item_int / handle_mission_request(_int) switch `_int_mode`
        // first, before they look at the target.
        match msg {
            MavMessage::MISSION_ITEM_INT(_) | MavMessage::MISSION_REQUEST_INT(_) => {
                self.int_mode = true;
            }
            MavMessage::MISSION_REQUEST(_) => self.int_mode = false,
            _ => {}
        }
        match msg {
            MavMessage::MISSION_COUNT(c) if for_me(c.target_system) => {
                self.on_count(from, c.count, c.mission_type, now)
            }
            MavMessage::MISSION_ITEM_INT(i) if for_me(i.target_system) => {
                self.on_item(from, i, now)
            }
            MavMessage::MISSION_REQUEST_LIST(r) if for_me(r.target_system) => {
                let Some(t) = mission_type(r.mission_type) else {
                    return vec![Self::ack(
                        from,
                        r.mission_type,
                        MavMissionResult::MAV_MISSION_UNSUPPORTED,
                        0,
                    )];
                };
                if matches!(self.state, State::Receiving { .. }) {
                    return vec![Self::ack(
                        from,
                        r.mission_type,
                        MavMissionResult::MAV_MISSION_DENIED,
                        0,
                    )];
                }
                self.state = State::Sending {
                    mission_type: t,
                    partner: from,
                    next: 0,
                    last_progress: now,
                };
                self.partner = Some(from);
                self.mission_type = r.mission_type;
                vec![MavMessage::MISSION_COUNT(MISSION_COUNT_DATA {
                    count: self.lists[index(t)].len() as u16,
                    target_system: from.sysid,
                    target_component: from.compid,
                    mission_type: r.mission_type,
                    opaque_id: self.ids[index(t)],
                })]
            }
            MavMessage::MISSION_REQUEST_INT(r) if for_me(r.target_system) => {
                self.on_request(from, r.seq, r.mission_type, now)
            }
            MavMessage::MISSION_REQUEST(r) if for_me(r.target_system) => {
                self.on_request(from, r.seq, r.mission_type, now)
            }
            MavMessage::MISSION_ACK(a) if for_me(a.target_system) => {
                match &self.state {
                    State::Sending { .. } => self.state = State::Idle,
                    State::Receiving {
                        mission_type,
                        partner,
                        items,
                        ..
                    } if *partner == from => match a.mavtype {
                        // The partner cannot take the request sent: PX4 flips
                        // `_int_mode` and asks again in the other message.
                        MavMissionResult::MAV_MISSION_UNSUPPORTED => {
                            let (mt, seq) = (*mission_type, items.len() as u16);
                            self.int_mode = !self.int_mode;
                            return vec![self.request(from, mt, seq)];
                        }
                        MavMissionResult::MAV_MISSION_OPERATION_CANCELLED => {
                            self.state = State::Idle;
                        }
                        _ => {}
                    },
                    _ => {}
                }
                Vec::new()
            }
            MavMessage::MISSION_CLEAR_ALL(c) if for_me(c.target_system) => {
                let types: Vec<MissionType> = match mission_type(c.mission_type) {
                    Some(t) => vec![t],
                    None => vec![MissionType::Mission, MissionType::Fence, MissionType::Rally],
                };
                for t in types {
                    self.store(t, Vec::new());
                }
                self.state = State::Idle;
                self.mission_type = c.mission_type;
                vec![Self::ack(
                    from,
                    c.mission_type,
                    MavMissionResult::MAV_MISSION_ACCEPTED,
                    0,
                )]
            }
            MavMessage::MISSION_SET_CURRENT(s) if for_me(s.target_system) => {
                if usize::from(s.seq) < self.lists[0].len() {
                    self.current_seq = s.seq;
                }
                vec![self.mission_current()]
            }
            _ => Vec::new(),
        }
    }

    fn on_count(
        &mut self,
        from: VehicleId,
        count: u16,
        t: MavMissionType,
        now: Instant,
    ) -> Vec<MavMessage> {
        let Some(mt) = mission_type(t) else {
            return vec![Self::ack(
                from,
                t,
                MavMissionResult::MAV_MISSION_UNSUPPORTED,
                0,
            )];
        };
        if let State::Receiving {
            mission_type,
            items,
            partner,
            ..
        } = &self.state
        {
            if *mission_type == mt && *partner == from && items.is_empty() {
                // Our first request was lost: ask again.
                return vec![self.request(from, mt, 0)];
            }
            return vec![Self::ack(from, t, MavMissionResult::MAV_MISSION_ERROR, 0)];
        }
        self.partner = Some(from);
        self.mission_type = t;
        if usize::from(count) > MAX_ITEMS[index(mt)] {
            return vec![Self::ack(
                from,
                t,
                MavMissionResult::MAV_MISSION_NO_SPACE,
                0,
            )];
        }
        if count == 0 {
            self.store(mt, Vec::new());
            self.state = State::Idle;
            return vec![Self::ack(
                from,
                t,
                MavMissionResult::MAV_MISSION_ACCEPTED,
                0,
            )];
        }
        self.last_upload = None;
        self.state = State::Receiving {
            mission_type: mt,
            partner: from,
            count,
            items: Vec::with_capacity(usize::from(count)),
            last_request: now,
            last_progress: now,
        };
        vec![self.request(from, mt, 0)]
    }

    /// PX4's `handle_mission_item_both`: only the transfer partner's items of the
    /// transfer's type are taken, and only the one expected next: any other is dropped
    /// without an answer (the 250 ms re-request asks for the expected one again). Outside
    /// an upload an item is an error the ground station must hear of (else it waits out
    /// its timeouts), except the last item of the upload just completed again (its ACK
    /// was lost).
    fn on_item(
        &mut self,
        from: VehicleId,
        wire: &MISSION_ITEM_INT_DATA,
        now: Instant,
    ) -> Vec<MavMessage> {
        if self.partner != Some(from) {
            return vec![Self::critical(ITEM_PARTNER_MISMATCH)];
        }
        if wire.mission_type != self.mission_type {
            let error = MavMissionResult::MAV_MISSION_ERROR;
            return vec![Self::ack(from, self.mission_type, error, 0)];
        }
        let State::Receiving {
            mission_type,
            count,
            items,
            last_request,
            last_progress,
            ..
        } = &mut self.state
        else {
            let t = self.mission_type;
            let error = MavMissionResult::MAV_MISSION_ERROR;
            return match self.state {
                State::Idle => match self.reack_last_item(from, wire) {
                    Some(ack) => vec![ack],
                    None => vec![
                        Self::critical(ITEM_NO_TRANSFER),
                        Self::ack(from, t, error, 0),
                    ],
                },
                _ => vec![Self::critical(ITEM_BUSY), Self::ack(from, t, error, 0)],
            };
        };
        let t = mav_mission_type(*mission_type);
        if usize::from(wire.seq) != items.len() {
            // A duplicate of an item we have, or one ahead of the expected: PX4 ignores
            // it ("Item sequence not expected, ignore item"), the transfer goes on.
            return Vec::new();
        }
        let Some(item) = from_wire(wire) else {
            self.state = State::Idle;
            return vec![Self::ack(from, t, MavMissionResult::MAV_MISSION_ERROR, 0)];
        };
        if let Some(r) = refusal(*mission_type, &item) {
            self.state = State::Idle;
            return vec![Self::ack(from, t, r, 0)];
        }
        items.push(item);
        *last_progress = now;
        *last_request = now;
        if items.len() < usize::from(*count) {
            let (mt, next) = (*mission_type, items.len() as u16);
            return vec![self.request(from, mt, next)];
        }
        let (mt, n) = (*mission_type, *count);
        let State::Receiving { items, .. } = std::mem::replace(&mut self.state, State::Idle) else {
            unreachable!("matched above")
        };
        self.store(mt, items);
        self.last_upload = Some((from, mt, n));
        vec![Self::ack(
            from,
            t,
            MavMissionResult::MAV_MISSION_ACCEPTED,
            self.ids[index(mt)],
        )]
    }

    /// PX4 when idle: the last item of the upload it just completed, again, means its
    /// ACK was lost; it acknowledges again so the ground station does not time out.
    fn reack_last_item(&self, from: VehicleId, wire: &MISSION_ITEM_INT_DATA) -> Option<MavMessage> {
        match self.last_upload {
            Some((partner, mt, count))
                if partner == from
                    && wire.mission_type == mav_mission_type(mt)
                    && u32::from(wire.seq) + 1 == u32::from(count) =>
            {
                Some(Self::ack(
                    from,
                    wire.mission_type,
                    MavMissionResult::MAV_MISSION_ACCEPTED,
                    self.ids[index(mt)],
                ))
            }
            _ => None,
        }
    }

    /// PX4's `handle_mission_request_both`: it serves the item it expects next, or the
    /// one before again (its answer was lost, the partner asks again); any other
    /// sequence, or one past the list, ends the transfer with MAV_MISSION_ERROR, and
    /// later requests go unanswered until a new MISSION_REQUEST_LIST. The item goes as
    /// MISSION_ITEM_INT in `_int_mode`, else as the old float MISSION_ITEM.
    fn on_request(
        &mut self,
        from: VehicleId,
        seq: u16,
        t: MavMissionType,
        now: Instant,
    ) -> Vec<MavMessage> {
        let State::Sending {
            mission_type,
            partner,
            next,
            last_progress,
        } = &mut self.state
        else {
            return Vec::new();
        };
        if *partner != from || mav_mission_type(*mission_type) != t {
            return Vec::new();
        }
        *last_progress = now;
        let list = &self.lists[index(*mission_type)];
        let count = list.len() as u16;
        let again = seq.checked_add(1) == Some(*next);
        if seq == *next && *next < count {
            *next += 1;
        } else if !again {
            self.state = State::Idle;
            return vec![Self::ack(from, t, MavMissionResult::MAV_MISSION_ERROR, 0)];
        }
        let Some(item) = list.get(usize::from(seq)) else {
            self.state = State::Idle;
            return vec![Self::ack(from, t, MavMissionResult::MAV_MISSION_ERROR, 0)];
        };
        match to_wire(item, from) {
            Ok(mut w) if self.int_mode => {
                if *mission_type == MissionType::Mission {
                    w.frame = int_frame(w.frame);
                }
                vec![MavMessage::MISSION_ITEM_INT(w)]
            }
            Ok(w) => vec![float_item(&w)],
            Err(_) => vec![Self::ack(from, t, MavMissionResult::MAV_MISSION_ERROR, 0)],
        }
    }

    /// Re-requests a late item every 250 ms; abandons a transfer silent for 5 s.
    pub fn on_tick(&mut self, now: Instant) -> Vec<MavMessage> {
        match &mut self.state {
            State::Receiving {
                mission_type,
                partner,
                items,
                last_request,
                last_progress,
                ..
            } => {
                if now.duration_since(*last_progress) > PROTOCOL_TIMEOUT {
                    self.state = State::Idle;
                    return Vec::new();
                }
                if now.duration_since(*last_request) >= RETRY_TIMEOUT {
                    *last_request = now;
                    let (to, mt, seq) = (*partner, *mission_type, items.len() as u16);
                    return vec![self.request(to, mt, seq)];
                }
                Vec::new()
            }
            State::Sending { last_progress, .. } => {
                if now.duration_since(*last_progress) > PROTOCOL_TIMEOUT {
                    self.state = State::Idle;
                }
                Vec::new()
            }
            State::Idle => Vec::new(),
        }
    }
}

/// The old float MISSION_ITEM PX4 sends outside `_int_mode` (`format_mavlink_mission_item`):
/// a global position in degrees and the frame without `_INT`; a MISSION-frame item's x
/// and y as they are.
#[allow(deprecated)] // MISSION_ITEM: what PX4 answers the old MISSION_REQUEST with.
fn float_item(w: &MISSION_ITEM_INT_DATA) -> MavMessage {
    let (frame, scale) = match w.frame {
        MavFrame::MAV_FRAME_GLOBAL | MavFrame::MAV_FRAME_GLOBAL_INT => {
            (MavFrame::MAV_FRAME_GLOBAL, 1e-7)
        }
        MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT | MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT_INT => {
            (MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT, 1e-7)
        }
        other => (other, 1.0),
    };
    MavMessage::MISSION_ITEM(MISSION_ITEM_DATA {
        param1: w.param1,
        param2: w.param2,
        param3: w.param3,
        param4: w.param4,
        x: (f64::from(w.x) * scale) as f32,
        y: (f64::from(w.y) * scale) as f32,
        z: w.z,
        seq: w.seq,
        command: w.command,
        target_system: w.target_system,
        target_component: w.target_component,
        frame,
        current: w.current,
        autocontinue: w.autocontinue,
        mission_type: w.mission_type,
    })
}

#[cfg(test)]
#[path = "mission_server_tests.rs"]
mod tests;

/// The frame PX4 sends a stored mission item back in, in `_int_mode`
/// (`format_mavlink_mission_item`): positions relative to home as
/// `MAV_FRAME_GLOBAL_RELATIVE_ALT_INT`, AMSL as `MAV_FRAME_GLOBAL_INT`, whichever of the
/// two equivalent frames the item came in (3 → 6 recorded on PX4 SITL; 0 → 5 read from
/// the same function).
#[allow(deprecated)] // the _INT frames are what PX4 sends
fn int_frame(
    frame: gcs_link::mavlink::dialects::common::MavFrame,
) -> gcs_link::mavlink::dialects::common::MavFrame {
    use gcs_link::mavlink::dialects::common::MavFrame::*;
    match frame {
        MAV_FRAME_GLOBAL_RELATIVE_ALT => MAV_FRAME_GLOBAL_RELATIVE_ALT_INT,
        MAV_FRAME_GLOBAL => MAV_FRAME_GLOBAL_INT,
        other => other,
    }
}
