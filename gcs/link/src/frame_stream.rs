//! Frames out of a byte stream (TCP, serial), whatever their dialect.
//!
//! rust-mavlink's stream reader drops a frame it cannot check (a message outside the
//! `common` dialect has no known CRC seed) and hunts for the next start marker, so on
//! a serial radio to an ArduPilot vehicle every `AHRS2` or `EKF_STATUS_REPORT` frame
//! looked lost and link quality read about 69 %. This decoder frames the stream with
//! the same rules as a datagram ([`crate::frame::decode_datagram`]): a frame of another
//! dialect is taken whole when it starts where the previous frame ended, and counted
//! as received; after a corrupt byte only a frame whose CRC holds resynchronises.

use mavlink::MAVLinkMessageRaw;

use crate::frame::{Frame, FrameHeader, scan};

/// Splits a byte stream into frames; holds at most one partial frame between pushes.
#[derive(Debug)]
pub struct StreamDecoder {
    buf: Vec<u8>,
    /// Whether the next byte is known to start a frame (just after a whole frame).
    in_sync: bool,
}

impl Default for StreamDecoder {
    fn default() -> Self {
        Self {
            buf: Vec::with_capacity(mavlink::consts::MAX_FRAME_SIZE * 2),
            in_sync: false,
        }
    }
}

impl StreamDecoder {
    /// Appends `bytes` and gives every whole frame they complete, in order: each decoded
    /// frame to `out`, the header of each frame not decoded (another dialect, or fields
    /// that do not decode) to `undecoded`.
    pub fn push(
        &mut self,
        bytes: &[u8],
        out: impl FnMut(Frame, &MAVLinkMessageRaw),
        undecoded: impl FnMut(FrameHeader),
    ) {
        self.buf.extend_from_slice(bytes);
        let used = scan(&self.buf, &mut self.in_sync, out, undecoded);
        self.buf.drain(..used);
    }

    /// Bytes held waiting for the rest of a frame.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }
}

#[cfg(test)]
mod tests {
    use mavlink::dialects::common::{HEARTBEAT_DATA, MavMessage};

    use super::*;
    use crate::frame::encode_v2;

    /// What [`StreamDecoder::push`] gave, in order.
    #[allow(clippy::large_enum_variant)]
    enum Item {
        Frame(Frame),
        Undecoded(FrameHeader),
    }

    fn push(d: &mut StreamDecoder, bytes: &[u8]) -> Vec<Item> {
        let items = std::cell::RefCell::new(Vec::new());
        d.push(
            bytes,
            |f, _| items.borrow_mut().push(Item::Frame(f)),
            |h| items.borrow_mut().push(Item::Undecoded(h)),
        );
        items.into_inner()
    }

    fn heartbeat(seq: u8) -> Vec<u8> {
        encode_v2(1, 1, seq, &MavMessage::HEARTBEAT(HEARTBEAT_DATA::default()))
    }

    /// A MAVLink 2 frame of a message `common` does not define (ArduPilot's AHRS2,
    /// id 178), with a CRC nobody here can check.
    fn ahrs2(seq: u8) -> Vec<u8> {
        let payload = [7u8; 24];
        let mut f = vec![0xFD, payload.len() as u8, 0, 0, seq, 1, 1, 178, 0, 0];
        f.extend_from_slice(&payload);
        f.extend_from_slice(&[0x12, 0x34]);
        f
    }

    fn kinds(items: &[Item]) -> Vec<(bool, u8)> {
        items
            .iter()
            .map(|i| match i {
                Item::Frame(f) => (true, f.sequence),
                Item::Undecoded(h) => (false, h.sequence),
            })
            .collect()
    }

    #[test]
    fn other_dialect_frames_between_common_ones_are_counted_in_any_chunking() {
        let stream: Vec<u8> = [heartbeat(0), ahrs2(1), ahrs2(2), heartbeat(3)].concat();
        let expected = vec![(true, 0), (false, 1), (false, 2), (true, 3)];
        for chunk in [1, 2, 3, 7, 13, 64, stream.len()] {
            let mut d = StreamDecoder::default();
            let mut items = Vec::new();
            for c in stream.chunks(chunk) {
                items.extend(push(&mut d, c));
            }
            assert_eq!(kinds(&items), expected, "chunks of {chunk}");
            assert_eq!(d.pending(), 0);
        }
    }

    #[test]
    fn after_noise_only_a_checked_frame_resynchronises() {
        // Line noise, then a stray other-dialect frame (not trusted out of sync), then
        // a heartbeat: the noise and the stray frame are skipped, the heartbeat kept.
        let stream: Vec<u8> = [vec![0x55, 0xFD, 0x03, 0x99], ahrs2(5), heartbeat(6)].concat();
        let mut d = StreamDecoder::default();
        let items = push(&mut d, &stream);
        assert_eq!(kinds(&items), vec![(true, 6)]);
    }

    #[test]
    fn a_partial_frame_waits_and_garbage_does_not_grow_the_buffer() {
        let mut d = StreamDecoder::default();
        let hb = heartbeat(9);
        assert!(push(&mut d, &hb[..5]).is_empty());
        assert_eq!(d.pending(), 5);
        assert_eq!(kinds(&push(&mut d, &hb[5..])), vec![(true, 9)]);
        for _ in 0..1000 {
            push(&mut d, &[0x42; 97]);
        }
        assert!(
            d.pending() <= mavlink::consts::MAX_FRAME_SIZE,
            "{}",
            d.pending()
        );
    }
}
