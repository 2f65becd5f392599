//! MAVLink 2 message signing: keys, signing outgoing frames, verifying incoming ones.
//!
//! The frame layout and the SHA-256-48 signature come from rust-mavlink
//! (`MAVLinkV2MessageRaw::serialize_message_for_signing`, `calculate_signature`); this
//! module keeps the state the [signing spec] asks for, sans-IO so it is tested without
//! sockets and with an injected clock:
//!
//! - [`SigningKey`]: 32 bytes, from a passphrase (SHA-256 of it, as MAVProxy's
//!   `signing setup` does) or a key file (32 raw bytes or 64 hex digits).
//! - [`Signer`]: stamps each outgoing frame with the link id it leaves on and a
//!   timestamp (10 µs units since 2015-01-01) strictly greater than the last one.
//! - [`Verifier`]: per receiving link, accepts a signed frame only if its signature is
//!   right and its timestamp is newer than the last one of its `(link id, sysid,
//!   compid)` stream (a new stream at most one minute behind the newest time seen);
//!   unsigned frames only for the message ids it is told to let through (RADIO_STATUS
//!   from a telemetry radio, which cannot sign).
//! - [`LinkSigning`]: the link core's signing state, one verifier per link.
//!
//! [signing spec]: https://mavlink.io/en/guide/message_signing.html

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use mavlink::dialects::common::{MavMessage, SETUP_SIGNING_DATA};
use mavlink::{MAVLinkV2MessageRaw, MavHeader};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::address::LinkAddress;
use crate::frame::{Frame, encode_v2};

/// The signing epoch, 2015-01-01T00:00:00Z, in seconds since the UNIX epoch.
pub const SIGNING_EPOCH_UNIX_S: u64 = 1_420_070_400;

/// A new stream is accepted only if its timestamp is at most this far behind the newest
/// timestamp seen (one minute, in 10 µs units).
pub const NEW_STREAM_MAX_AGE: u64 = 6_000_000;

/// MAVLink 2 incompatibility flag of a signed frame.
const IFLAG_SIGNED: u8 = 0x01;
/// MAVLink 2 start byte.
const STX_V2: u8 = 0xFD;
/// Bytes of the signature block (link id, timestamp, signature).
const SIGNATURE_BLOCK: usize = 13;

/// RADIO_STATUS: sent unsigned by telemetry radios, accepted unsigned by MAVProxy and PX4.
pub const RADIO_STATUS_ID: u32 = 109;

/// Message ids a ground station accepts unsigned while signing (as MAVProxy does).
pub const GCS_UNSIGNED_ALLOWED: &[u32] = &[RADIO_STATUS_ID];

/// A 32-byte MAVLink 2 signing secret. Its `Debug` output does not show the key.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKey([u8; 32]);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

/// Why a key file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The file could not be read.
    #[error("cannot read signing key file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The file is neither 32 raw bytes nor 64 hexadecimal digits.
    #[error(
        "signing key file {path}: expected 32 raw bytes or 64 hexadecimal digits, got {len} bytes"
    )]
    Format {
        /// The file.
        path: PathBuf,
        /// Its length in bytes (after trimming whitespace around hex text).
        len: usize,
    },
}

impl SigningKey {
    /// A key from its 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The SHA-256 of a passphrase's UTF-8 bytes, as MAVProxy's `signing setup` and
    /// pymavlink derive a key.
    pub fn from_passphrase(passphrase: &str) -> Self {
        Self(Sha256::digest(passphrase.as_bytes()).into())
    }

    /// A key from a key file's contents: 32 raw bytes, or 64 hexadecimal digits
    /// (whitespace around them ignored). `None` if it is neither.
    pub fn parse(contents: &[u8]) -> Option<Self> {
        if let Ok(raw) = <[u8; 32]>::try_from(contents) {
            // 32 bytes that are all hex digits would also be half a hex key; raw wins.
            return Some(Self(raw));
        }
        let text = std::str::from_utf8(contents).ok()?.trim();
        if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let mut key = [0u8; 32];
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(Self(key))
    }

    /// Reads a key file (see [`SigningKey::parse`]).
    pub fn from_file(path: &Path) -> Result<Self, KeyError> {
        let contents = std::fs::read(path).map_err(|source| KeyError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&contents).ok_or_else(|| KeyError::Format {
            path: path.to_path_buf(),
            len: std::str::from_utf8(&contents).map_or(contents.len(), |t| t.trim().len()),
        })
    }

    /// The key's bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The key as 64 lowercase hexadecimal digits (a key file's text form).
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Whether this is the all-zero key, which with a zero timestamp in SETUP_SIGNING
    /// means "disable signing".
    pub fn is_zero(&self) -> bool {
        self.0 == [0; 32]
    }
}

/// The signing clock now: 10 µs units since 2015-01-01 (0 if the clock is before it).
pub fn timestamp_now() -> u64 {
    timestamp_at(SystemTime::now())
}

/// A point in time as a signing timestamp (10 µs units since 2015-01-01).
pub fn timestamp_at(t: SystemTime) -> u64 {
    let us = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros());
    let since_2015 = us.saturating_sub(u128::from(SIGNING_EPOCH_UNIX_S) * 1_000_000);
    u64::try_from(since_2015 / 10).unwrap_or(u64::MAX)
}

/// The SETUP_SIGNING message that gives `key` to (`target_system`, `target_component`).
pub fn setup_signing_message(
    target_system: u8,
    target_component: u8,
    key: &SigningKey,
    initial_timestamp: u64,
) -> MavMessage {
    MavMessage::SETUP_SIGNING(SETUP_SIGNING_DATA {
        initial_timestamp,
        target_system,
        target_component,
        secret_key: key.0,
    })
}

/// Encodes `msg` as a MAVLink 2 frame marked for signing, its signature block zeroed;
/// [`Signer::sign`] fills it in per link.
pub fn encode_for_signing(sysid: u8, compid: u8, seq: u8, msg: &MavMessage) -> Vec<u8> {
    let mut raw = MAVLinkV2MessageRaw::new();
    raw.serialize_message_for_signing(
        MavHeader {
            system_id: u32::from(sysid),
            component_id: compid,
            sequence: seq,
        },
        msg,
    );
    raw.raw_bytes().to_vec()
}

/// Copies a complete MAVLink 2 frame into rust-mavlink's raw form; `None` if `bytes`
/// is not exactly one MAVLink 2 frame.
fn raw_v2(bytes: &[u8]) -> Option<MAVLinkV2MessageRaw> {
    if bytes.first() != Some(&STX_V2) {
        return None;
    }
    let mut raw = MAVLinkV2MessageRaw::new();
    let slot = raw.as_mut_slice().get_mut(..bytes.len())?;
    slot.copy_from_slice(bytes);
    (raw.raw_bytes().len() == bytes.len()).then_some(raw)
}

/// Signs outgoing frames: one clock for every link, strictly increasing.
#[derive(Debug, Clone)]
pub struct Signer {
    key: SigningKey,
    last: u64,
}

impl Signer {
    /// A signer with `key` whose first timestamp is at least `not_before + 1`.
    pub fn new(key: SigningKey, not_before: u64) -> Self {
        Self {
            key,
            last: not_before,
        }
    }

    /// The key in use.
    pub fn key(&self) -> &SigningKey {
        &self.key
    }

    /// The last timestamp used.
    pub fn last_timestamp(&self) -> u64 {
        self.last
    }

    /// Never sign below `timestamp` from now on (a SETUP_SIGNING's initial timestamp,
    /// or the newest correctly signed timestamp received, as the spec says).
    pub fn advance_to(&mut self, timestamp: u64) {
        self.last = self.last.max(timestamp);
    }

    /// Signs `frame` (from [`encode_for_signing`]) for link `link_id` at clock `now`
    /// (10 µs units since 2015); the timestamp is `max(now, last + 1)`.
    ///
    /// A frame not marked for signing (MAVLink 1, or MAVLink 2 without the flag) is
    /// returned unchanged.
    pub fn sign(&mut self, frame: &[u8], link_id: u8, now: u64) -> Vec<u8> {
        let Some(mut raw) = raw_v2(frame) else {
            return frame.to_vec();
        };
        if raw.incompatibility_flags() & IFLAG_SIGNED == 0 {
            return frame.to_vec();
        }
        let timestamp = now.max(self.last + 1);
        self.last = timestamp;
        *raw.signature_link_id_mut() = link_id;
        raw.signature_timestamp_bytes_mut()
            .copy_from_slice(&timestamp.to_le_bytes()[..6]);
        let mut signature = [0u8; 6];
        raw.calculate_signature(&self.key.0, &mut signature);
        raw.signature_value_mut().copy_from_slice(&signature);
        raw.raw_bytes().to_vec()
    }
}

/// Why a received frame was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// Not signed (MAVLink 1, or MAVLink 2 without a signature) and not a message
    /// allowed unsigned.
    Unsigned,
    /// Signed, but not with our key (or damaged).
    BadSignature,
    /// Correctly signed, but its timestamp is not newer than the last one of its
    /// stream, or a new stream more than a minute old: a replay.
    Replayed,
}

/// Frames rejected by signature checks, by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SigningStats {
    /// Frames accepted with a valid signature.
    pub signed_accepted: u64,
    /// Unsigned frames rejected.
    pub rejected_unsigned: u64,
    /// Frames rejected for a wrong signature.
    pub rejected_bad_signature: u64,
    /// Correctly signed frames rejected for an old (replayed) timestamp.
    pub rejected_replayed: u64,
}

impl SigningStats {
    /// Counts one verdict.
    pub fn record(&mut self, verdict: Result<Accepted, Rejection>) {
        match verdict {
            Ok(Accepted::Signed) => self.signed_accepted += 1,
            Ok(Accepted::UnsignedAllowed) => {}
            Err(Rejection::Unsigned) => self.rejected_unsigned += 1,
            Err(Rejection::BadSignature) => self.rejected_bad_signature += 1,
            Err(Rejection::Replayed) => self.rejected_replayed += 1,
        }
    }

    /// Every frame rejected, whatever the reason.
    pub fn rejected(&self) -> u64 {
        self.rejected_unsigned + self.rejected_bad_signature + self.rejected_replayed
    }
}

/// Why a received frame was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
    /// Correctly signed with a fresh timestamp.
    Signed,
    /// Unsigned, but its message is allowed unsigned.
    UnsignedAllowed,
}

/// Checks the frames received on one link.
#[derive(Debug, Clone)]
pub struct Verifier {
    key: SigningKey,
    unsigned_allowed: &'static [u32],
    /// Last accepted timestamp per `(link id, sysid, compid)` stream.
    streams: HashMap<(u8, u32, u8), u64>,
    /// The newest timestamp known: the clock, or a newer correctly signed one.
    newest: u64,
}

impl Verifier {
    /// A verifier for `key` that lets message ids in `unsigned_allowed` through unsigned.
    pub fn new(key: SigningKey, unsigned_allowed: &'static [u32]) -> Self {
        Self {
            key,
            unsigned_allowed,
            streams: HashMap::new(),
            newest: 0,
        }
    }

    /// The newest correctly signed timestamp (or clock reading) seen.
    pub fn newest_timestamp(&self) -> u64 {
        self.newest
    }

    /// Checks one complete frame (MAVLink 1 or 2) received at clock `now`.
    pub fn check(&mut self, frame: &[u8], now: u64) -> Result<Accepted, Rejection> {
        self.newest = self.newest.max(now);
        let raw = raw_v2(frame).filter(|r| r.incompatibility_flags() & IFLAG_SIGNED != 0);
        let Some(raw) = raw else {
            return match message_id(frame) {
                Some(id) if self.unsigned_allowed.contains(&id) => Ok(Accepted::UnsignedAllowed),
                _ => Err(Rejection::Unsigned),
            };
        };
        let mut expected = [0u8; 6];
        raw.calculate_signature(&self.key.0, &mut expected);
        if expected != raw.signature_value() {
            return Err(Rejection::BadSignature);
        }
        let timestamp = raw.signature_timestamp();
        let stream = (raw.signature_link_id(), raw.system_id(), raw.component_id());
        let fresh = match self.streams.get(&stream) {
            Some(last) => timestamp > *last,
            None => timestamp.saturating_add(NEW_STREAM_MAX_AGE) >= self.newest,
        };
        if !fresh {
            return Err(Rejection::Replayed);
        }
        self.streams.insert(stream, timestamp);
        self.newest = self.newest.max(timestamp);
        Ok(Accepted::Signed)
    }
}

/// The message id of a MAVLink 1 or 2 frame, if it is long enough to have one.
fn message_id(frame: &[u8]) -> Option<u32> {
    match frame.first()? {
        0xFE => frame.get(5).map(|b| u32::from(*b)),
        &STX_V2 => {
            let id = frame.get(7..10)?;
            Some(u32::from_le_bytes([id[0], id[1], id[2], 0]))
        }
        _ => None,
    }
}

/// Whether `frame` is a MAVLink 2 frame with a signature.
pub fn is_signed(frame: &[u8]) -> bool {
    frame.len() > SIGNATURE_BLOCK
        && frame.first() == Some(&STX_V2)
        && frame.get(2).is_some_and(|f| f & IFLAG_SIGNED != 0)
}

/// Whether frames from a link at `address` are signature-checked: every live link; a
/// replayed telemetry log is not (its timestamps are old and its signatures stripped).
pub fn is_live(address: &LinkAddress) -> bool {
    !matches!(address, LinkAddress::Tlog { .. })
}

/// What to write to a telemetry log for a received frame, as the spec asks: nothing for
/// SETUP_SIGNING (it carries the key), a signed frame without its signature (flag
/// cleared, re-encoded so the checksum matches), any other frame as received.
pub fn loggable(frame: &Frame, raw: &Arc<[u8]>) -> Option<Arc<[u8]>> {
    match &frame.msg {
        MavMessage::SETUP_SIGNING(_) => None,
        msg if is_signed(raw) => {
            Some(encode_v2(frame.sysid, frame.compid, frame.sequence, msg).into())
        }
        _ => Some(Arc::clone(raw)),
    }
}

/// The link core's signing state: one signer for every link, one verifier per link.
#[derive(Debug, Clone)]
pub struct LinkSigning {
    signer: Signer,
    /// Per link: `None` for links that are not checked (a replayed telemetry log).
    verifiers: Vec<Option<Verifier>>,
    stats: SigningStats,
}

impl LinkSigning {
    /// Signing with `key` on links whose `checked` flag says whether their incoming
    /// frames are verified.
    pub fn new(key: SigningKey, checked: &[bool]) -> Self {
        let verifiers = checked
            .iter()
            .map(|c| c.then(|| Verifier::new(key.clone(), GCS_UNSIGNED_ALLOWED)))
            .collect();
        Self {
            signer: Signer::new(key, 0),
            verifiers,
            stats: SigningStats::default(),
        }
    }

    /// The same links with a new key; the counters and the clock carry over.
    pub fn rekey(&self, key: SigningKey) -> Self {
        let checked: Vec<bool> = self.verifiers.iter().map(Option::is_some).collect();
        let mut next = Self::new(key, &checked);
        next.signer.advance_to(self.signer.last_timestamp());
        next.stats = self.stats;
        next
    }

    /// The key in use.
    pub fn key(&self) -> &SigningKey {
        self.signer.key()
    }

    /// Counters of accepted and rejected frames.
    pub fn stats(&self) -> SigningStats {
        self.stats
    }

    /// Whether a frame received on `link` passes; `frame` is its bytes (`None`: not
    /// kept, rejected on a checked link).
    pub fn accept(&mut self, link: usize, frame: Option<&[u8]>, now: u64) -> bool {
        !matches!(self.check(link, frame, now), Some(Err(_)))
    }

    /// The verdict on a frame received on `link`, as [`accept`](Self::accept) but
    /// telling a correctly signed frame from one let through unsigned; `None` on a link
    /// that is not checked.
    pub fn check(
        &mut self,
        link: usize,
        frame: Option<&[u8]>,
        now: u64,
    ) -> Option<Result<Accepted, Rejection>> {
        let verifier = self.verifiers.get_mut(link)?.as_mut()?;
        let verdict = match frame {
            Some(bytes) => verifier.check(bytes, now),
            None => Err(Rejection::Unsigned),
        };
        if verdict == Ok(Accepted::Signed) {
            self.signer.advance_to(verifier.newest_timestamp());
        }
        self.stats.record(verdict);
        Some(verdict)
    }

    /// Signs `frame` (from [`encode_for_signing`]) for `link`; the link's index is its
    /// signature link id.
    pub fn sign(&mut self, link: usize, frame: &[u8], now: u64) -> Vec<u8> {
        self.signer.sign(frame, link as u8, now)
    }
}

#[cfg(test)]
mod tests;
