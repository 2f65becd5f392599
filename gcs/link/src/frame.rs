//! MAVLink frames in and out: the rust-mavlink `common` dialect does all framing and CRC.

use mavlink::dialects::common::MavMessage;
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
}

impl FrameHeader {
    /// The header of `raw`, if its system id fits in a byte.
    pub fn of(raw: &MAVLinkMessageRaw) -> Option<Self> {
        Some(Self {
            sysid: u8::try_from(raw.system_id()).ok()?,
            compid: raw.component_id(),
            sequence: raw.sequence(),
        })
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
    fn corrupt_crc_is_dropped() {
        let mut bytes = encode_v2(7, 1, 1, &heartbeat());
        let n = bytes.len();
        bytes[n - 1] ^= 0xff;
        let mut count = 0;
        decode_all(&bytes, |_, _| count += 1);
        assert_eq!(count, 0);
    }
}
