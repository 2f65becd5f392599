//! MAVLink frames in and out: the rust-mavlink `common` dialect does all framing and CRC.

use mavlink::dialects::common::MavMessage;
use mavlink::{MAV_STX, MAV_STX_V2, MAVLinkV1MessageRaw, consts};
use mavlink::{MAVLinkMessageRaw, MAVLinkV2MessageRaw, MavHeader, MavlinkReader, Message};

/// A frame as received: who sent it, its sequence number and the decoded message.
#[derive(Debug, Clone)]
pub struct Frame {
    /// Sender system id (1..=255 for MAVLink 1 and 2 without 32-bit ids).
    pub sysid: u8,
    /// Sender component id.
    pub compid: u8,
    /// The sender's packet sequence number, for loss accounting.
    pub sequence: u8,
    /// The decoded `common` dialect message.
    pub msg: MavMessage,
}

/// Who sent a frame that was received whole but not decoded (a message of another
/// dialect, e.g. ArduPilot's `AHRS2`, or a `common` message whose fields do not
/// decode), and its sequence number: link quality counts it as received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
    /// Sender system id.
    pub sysid: u8,
    /// Sender component id.
    pub compid: u8,
    /// The sender's packet sequence number.
    pub sequence: u8,
    /// For a COMMAND_LONG or COMMAND_INT whose command id the dialect does not know: the
    /// command and its target, so that a vehicle can still answer it (MAV_RESULT_UNSUPPORTED,
    /// as the command protocol asks and PX4 does).
    pub unknown_command: Option<UnknownCommand>,
}

/// A command the `common` dialect has no id for, as a vehicle must still answer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownCommand {
    /// The MAV_CMD id.
    pub command: u16,
    /// The system it is addressed to (0: all).
    pub target_system: u8,
    /// The component it is addressed to (0: all).
    pub target_component: u8,
}

/// COMMAND_INT and COMMAND_LONG: both carry `command`, `target_system` and
/// `target_component` at payload bytes 28..32.
const COMMAND_INT_ID: u32 = 75;
const COMMAND_LONG_ID: u32 = 76;
/// COMMAND_ACK's message id and CRC extra byte.
const COMMAND_ACK_ID: u32 = 77;
const COMMAND_ACK_CRC_EXTRA: u8 = 143;

impl FrameHeader {
    /// The header of `raw`, if its system id fits in a byte.
    pub fn of(raw: &MAVLinkMessageRaw) -> Option<Self> {
        let unknown_command = match raw.message_id() {
            COMMAND_INT_ID | COMMAND_LONG_ID => {
                // MAVLink 2 trims trailing zeros: pad back to the fields read.
                let mut p = raw.payload().to_vec();
                p.resize(32, 0);
                Some(UnknownCommand {
                    command: u16::from_le_bytes([p[28], p[29]]),
                    target_system: p[30],
                    target_component: p[31],
                })
            }
            _ => None,
        };
        Some(Self {
            sysid: u8::try_from(raw.system_id()).ok()?,
            compid: raw.component_id(),
            sequence: raw.sequence(),
            unknown_command,
        })
    }
}

/// A MAVLink 2 frame of message `msgid` from (`sysid`, `compid`) with `payload` as given
/// (not trimmed) and its checksum: for bytes the dialect cannot express, such as a
/// COMMAND_LONG with a command id it has no name for.
pub fn encode_raw_v2(
    sysid: u8,
    compid: u8,
    seq: u8,
    msgid: u32,
    crc_extra: u8,
    payload: &[u8],
) -> Vec<u8> {
    let id = msgid.to_le_bytes();
    let len = u8::try_from(payload.len()).unwrap_or(u8::MAX);
    let mut f = vec![
        MAV_STX_V2, len, 0, 0, seq, sysid, compid, id[0], id[1], id[2],
    ];
    f.extend_from_slice(&payload[..usize::from(len)]);
    let crc = mavlink::calculate_crc(&f[1..], crc_extra);
    f.extend_from_slice(&crc.to_le_bytes());
    f
}

/// Rewrites the command id of an encoded MAVLink 2 COMMAND_ACK `frame` (signed or about
/// to be signed: the signature, if any, must be made afterwards) and its checksum: how a
/// vehicle answers a command id the dialect has no name for. False if `frame` is not a
/// whole MAVLink 2 COMMAND_ACK.
pub fn set_ack_command(frame: &mut [u8], command: u16) -> bool {
    if frame.len() < 12 || frame[0] != MAV_STX_V2 {
        return false;
    }
    let len = usize::from(frame[1]);
    let msgid = u32::from_le_bytes([frame[7], frame[8], frame[9], 0]);
    if msgid != COMMAND_ACK_ID || len < 2 || frame.len() < 10 + len + 2 {
        return false;
    }
    frame[10..12].copy_from_slice(&command.to_le_bytes());
    let crc = mavlink::calculate_crc(&frame[1..10 + len], COMMAND_ACK_CRC_EXTRA);
    frame[10 + len..12 + len].copy_from_slice(&crc.to_le_bytes());
    true
}

/// Holds `header` in `held` for the next decoded frame, unless `held` already holds
/// [`MAX_UNDECODED_HELD`](crate::constants::MAX_UNDECODED_HELD) headers.
pub fn hold_undecoded(held: &mut Vec<FrameHeader>, header: FrameHeader) {
    if held.len() < crate::constants::MAX_UNDECODED_HELD {
        held.push(header);
    }
}

/// Decodes every CRC-valid frame (MAVLink 1 or 2) in `bytes`, e.g. one UDP datagram.
///
/// Frames of messages outside the `common` dialect, bad CRCs and garbage are skipped;
/// frames whose system id does not fit in a byte are dropped.
pub fn decode_all(bytes: &[u8], mut out: impl FnMut(Frame, &MAVLinkMessageRaw)) {
    let mut reader = MavlinkReader::new(bytes);
    while let Ok(raw) = reader.read_any_raw_message::<MavMessage>() {
        if let Some(frame) = decode_raw(&raw) {
            out(frame, &raw);
        }
    }
}

/// What the bytes at one position hold.
// Returned by value and matched at once: boxing the frame would cost an allocation per frame.
#[allow(clippy::large_enum_variant)]
pub enum Parsed {
    /// A frame whose checksum holds in the `common` dialect, and its length.
    Valid(MAVLinkMessageRaw, usize),
    /// A well-formed frame of a message outside `common` (its checksum cannot be
    /// verified without the message's definition), its length and header.
    Other(usize, Option<FrameHeader>),
    /// A frame that runs past the end of the bytes.
    Truncated,
    /// Not a frame (no start marker, or a `common` message with a bad checksum).
    Corrupt,
}

/// Parses the frame at the start of `bytes` (MAVLink 1 or 2, signed or not).
///
/// A frame of another dialect is only well-formed, not verified: trust it where a
/// frame boundary is known (the start of a datagram or record, right after a valid
/// frame), as the telemetry log reader and UDP links do.
pub fn parse(bytes: &[u8]) -> Parsed {
    let Some(&magic) = bytes.first() else {
        return Parsed::Truncated;
    };
    let n = bytes.len().min(consts::MAX_FRAME_SIZE);
    let (raw, len, valid, msgid) = match magic {
        MAV_STX_V2 => {
            // Lengths come from rust-mavlink's view of the header (signature, 32-bit ids).
            if n < consts::STX_SIZE + consts::v2::MIN_HEADER_SIZE {
                return Parsed::Truncated;
            }
            let mut raw = MAVLinkV2MessageRaw::new();
            raw.as_mut_slice()[..n].copy_from_slice(&bytes[..n]);
            let len = raw.raw_bytes().len();
            if len > n {
                return Parsed::Truncated;
            }
            let valid = raw.has_valid_crc::<MavMessage>();
            let msgid = raw.message_id();
            (MAVLinkMessageRaw::V2(raw), len, valid, msgid)
        }
        MAV_STX => {
            if n < consts::STX_SIZE + consts::v1::HEADER_SIZE {
                return Parsed::Truncated;
            }
            let mut raw = MAVLinkV1MessageRaw::new();
            let m = n.min(raw.as_slice().len());
            raw.as_mut_slice()[..m].copy_from_slice(&bytes[..m]);
            let len = raw.raw_bytes().len();
            if len > m {
                return Parsed::Truncated;
            }
            let valid = raw.has_valid_crc::<MavMessage>();
            let msgid = u32::from(raw.message_id());
            (MAVLinkMessageRaw::V1(raw), len, valid, msgid)
        }
        _ => return Parsed::Corrupt,
    };
    if valid {
        Parsed::Valid(raw, len)
    } else if MavMessage::default_message_from_id(msgid).is_some() {
        // A checksum can only be verified for messages we know.
        Parsed::Corrupt
    } else {
        Parsed::Other(len, FrameHeader::of(&raw))
    }
}

/// Decodes every CRC-valid frame in one datagram, as [`decode_all`], and also reports
/// the header of every frame received whole but not decoded (another dialect's
/// message at a known frame boundary, a `common` message whose fields do not decode),
/// in order, so that link quality counts every frame received.
pub fn decode_datagram(
    bytes: &[u8],
    out: impl FnMut(Frame, &MAVLinkMessageRaw),
    undecoded: impl FnMut(FrameHeader),
) {
    // The start of a datagram is a frame boundary; a partial frame at its end is lost.
    scan(bytes, &mut true, out, undecoded);
}

/// The framing rules of datagrams and byte streams: walks `bytes` frame by frame,
/// giving each decoded frame to `out` and the header of each whole frame not decoded
/// to `undecoded`, in order. `in_sync` says whether `bytes` starts at a frame boundary
/// and is left saying whether the end is one: a frame of another dialect (whose CRC
/// cannot be checked) is only taken at a boundary; after a corrupt byte only a frame
/// whose CRC holds resynchronises. Returns the bytes consumed: all but a trailing
/// partial frame.
pub fn scan(
    bytes: &[u8],
    in_sync: &mut bool,
    mut out: impl FnMut(Frame, &MAVLinkMessageRaw),
    mut undecoded: impl FnMut(FrameHeader),
) -> usize {
    let mut pos = 0;
    while pos < bytes.len() {
        match parse(&bytes[pos..]) {
            Parsed::Valid(raw, len) => {
                match (decode_raw(&raw), FrameHeader::of(&raw)) {
                    (Some(frame), _) => out(frame, &raw),
                    (None, Some(header)) => undecoded(header),
                    (None, None) => {}
                }
                pos += len;
                *in_sync = true;
            }
            Parsed::Other(len, header) if *in_sync => {
                if let Some(h) = header {
                    undecoded(h);
                }
                pos += len;
            }
            // The rest of this frame has not arrived (or never will, in a datagram).
            Parsed::Truncated => break,
            Parsed::Other(..) | Parsed::Corrupt => {
                pos += 1;
                *in_sync = false;
            }
        }
    }
    pos
}

/// Decodes one raw frame already validated by the reader.
pub fn decode_raw(raw: &MAVLinkMessageRaw) -> Option<Frame> {
    let sysid = u8::try_from(raw.system_id()).ok()?;
    let msg = MavMessage::parse(raw.version(), raw.message_id(), raw.payload()).ok()?;
    Some(Frame {
        sysid,
        compid: raw.component_id(),
        sequence: raw.sequence(),
        msg,
    })
}

/// Encodes `msg` as a MAVLink 2 frame from (`sysid`, `compid`) with sequence `seq`.
pub fn encode_v2(sysid: u8, compid: u8, seq: u8, msg: &MavMessage) -> Vec<u8> {
    let mut raw = MAVLinkV2MessageRaw::new();
    raw.serialize_message(
        MavHeader {
            system_id: u32::from(sysid),
            component_id: compid,
            sequence: seq,
        },
        msg,
    );
    raw.raw_bytes().to_vec()
}

/// The system id a message is addressed to, if it names one (0 means broadcast).
pub fn target_system(msg: &MavMessage) -> Option<u8> {
    msg.target_system_id().filter(|t| *t != 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mavlink::dialects::common::{HEARTBEAT_DATA, MavAutopilot, MavModeFlag, MavState, MavType};

    #[test]
    fn a_command_the_dialect_lacks_is_seen_and_can_be_answered() {
        use mavlink::dialects::common::{COMMAND_ACK_DATA, MavCmd, MavResult};
        // COMMAND_LONG 31999 to system 1: seven params, command, target system and component.
        let mut payload = vec![0u8; 28];
        payload.extend_from_slice(&31999u16.to_le_bytes());
        payload.extend_from_slice(&[1, 1, 0]);
        let mut cmd = encode_raw_v2(255, 190, 0, COMMAND_LONG_ID, 152, &payload);
        let mut headers = Vec::new();
        decode_datagram(
            &cmd,
            |_, _| panic!("31999 is not in the dialect"),
            |h| headers.push(h),
        );
        let unknown = headers.first().and_then(|h| h.unknown_command);
        assert_eq!(
            unknown,
            Some(UnknownCommand {
                command: 31999,
                target_system: 1,
                target_component: 1
            })
        );

        // The answer: a COMMAND_ACK built for any command, rewritten to 31999.
        let mut ack = encode_v2(
            1,
            1,
            0,
            &MavMessage::COMMAND_ACK(COMMAND_ACK_DATA {
                command: MavCmd::MAV_CMD_NAV_WAYPOINT,
                result: MavResult::MAV_RESULT_UNSUPPORTED,
                target_system: 255,
                target_component: 190,
                ..Default::default()
            }),
        );
        assert!(set_ack_command(&mut ack, 31999));
        match parse(&ack) {
            Parsed::Valid(raw, _) => assert_eq!(&raw.payload()[..3], &[0xFF, 0x7C, 3]),
            _ => panic!("the rewritten ACK's checksum holds"),
        }
        assert!(
            !set_ack_command(&mut cmd, 1),
            "only a COMMAND_ACK is rewritten"
        );
    }

    fn heartbeat() -> MavMessage {
        MavMessage::HEARTBEAT(HEARTBEAT_DATA {
            custom_mode: 0x0304_0000,
            mavtype: MavType::MAV_TYPE_QUADROTOR,
            autopilot: MavAutopilot::MAV_AUTOPILOT_PX4,
            base_mode: MavModeFlag::MAV_MODE_FLAG_CUSTOM_MODE_ENABLED,
            system_status: MavState::MAV_STATE_STANDBY,
            mavlink_version: 3,
        })
    }

    #[test]
    fn decodes_what_it_encodes_and_skips_garbage() {
        let mut bytes = vec![0xde, 0xad, 0xfd, 0x01];
        bytes.extend(encode_v2(7, 1, 42, &heartbeat()));
        bytes.extend([0x55; 5]);
        bytes.extend(encode_v2(7, 1, 43, &heartbeat()));
        let mut seen = Vec::new();
        decode_all(&bytes, |f, _| seen.push((f.sysid, f.compid, f.sequence)));
        assert_eq!(seen, vec![(7, 1, 42), (7, 1, 43)]);
    }

    #[test]
    fn mavlink_1_frames_are_accepted() {
        let mut raw = mavlink::MAVLinkV1MessageRaw::new();
        raw.serialize_message(
            MavHeader {
                system_id: 9,
                component_id: 1,
                sequence: 5,
            },
            &heartbeat(),
        );
        assert_eq!(raw.raw_bytes()[0], mavlink::MAV_STX);
        let mut seen = Vec::new();
        decode_all(raw.raw_bytes(), |f, raw| {
            seen.push((f.sysid, f.sequence, raw.version()));
        });
        assert_eq!(seen, vec![(9, 5, mavlink::MavlinkVersion::V1)]);
    }

    #[test]
    fn we_send_mavlink_2() {
        assert_eq!(encode_v2(1, 1, 0, &heartbeat())[0], mavlink::MAV_STX_V2);
    }

    #[test]
    fn a_datagram_reports_frames_of_other_dialects_in_order() {
        let mut bytes = encode_v2(7, 1, 10, &heartbeat());
        // ArduPilot's AHRS2 (id 178) is not in `common`: well-formed, unverifiable.
        let mut ahrs2 = encode_v2(7, 1, 11, &heartbeat());
        ahrs2[7..10].copy_from_slice(&[178, 0, 0]);
        bytes.extend(&ahrs2);
        bytes.extend(encode_v2(7, 1, 12, &heartbeat()));
        let seen = std::cell::RefCell::new(Vec::new());
        decode_datagram(
            &bytes,
            |f, _| seen.borrow_mut().push(("frame", f.sequence)),
            |h| seen.borrow_mut().push(("other", h.sequence)),
        );
        assert_eq!(
            seen.into_inner(),
            vec![("frame", 10), ("other", 11), ("frame", 12)]
        );
        // After garbage, an unverifiable frame is not trusted.
        let mut bytes = vec![0x01, 0x02];
        bytes.extend(&ahrs2);
        let mut others = 0;
        decode_datagram(&bytes, |_, _| {}, |_| others += 1);
        assert_eq!(others, 0);
    }

    #[test]
    fn corrupt_crc_is_dropped() {
        let mut bytes = encode_v2(7, 1, 1, &heartbeat());
        let n = bytes.len();
        bytes[n - 1] ^= 0xff;
        let mut count = 0;
        decode_all(&bytes, |_, _| count += 1);
        assert_eq!(count, 0);
    }
}
