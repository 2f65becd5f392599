//! MAVLink 2 signing on a simulated vehicle, as PX4's `MavlinkSignControl` does it.
//!
//! - Signing is on exactly when the vehicle holds a key (given at start, as PX4 loads
//!   it from its SD card, or received in SETUP_SIGNING).
//! - With a key, every outgoing frame is signed (link id 0, one clock), and incoming
//!   frames are dropped unless correctly signed with a fresh timestamp for their
//!   `(link id, sysid, compid)` stream, except HEARTBEAT, RADIO_STATUS, ADSB_VEHICLE
//!   and COLLISION, which PX4 accepts unsigned (or wrongly signed).
//! - Without a key everything is accepted and nothing is signed.
//! - SETUP_SIGNING addressed to the vehicle (and accepted by the rules above) stores its
//!   key and initial timestamp; an all-zero key and timestamp disables signing, but
//!   only when the message itself was signed.

use gcs_link::frame::encode_v2;
use gcs_link::mavlink::MessageData;
use gcs_link::mavlink::dialects::common::{
    ADSB_VEHICLE_DATA, COLLISION_DATA, HEARTBEAT_DATA, MavMessage, RADIO_STATUS_DATA,
    SETUP_SIGNING_DATA,
};
use gcs_link::signing::{
    Accepted, Signer, SigningKey, SigningStats, Verifier, encode_for_signing, is_signed,
    timestamp_now,
};
use gcs_link::transport::Received;
use tokio::sync::watch;

/// Messages PX4 accepts without a valid signature while signing (`unsigned_messages`).
pub const PX4_UNSIGNED_ALLOWED: &[u32] = &[
    HEARTBEAT_DATA::ID,
    RADIO_STATUS_DATA::ID,
    ADSB_VEHICLE_DATA::ID,
    COLLISION_DATA::ID,
];

/// A vehicle's signing state, as its [`crate::SimHandle`] shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SimSigningStatus {
    /// The key it signs and checks with; `None`: signing off.
    pub key: Option<SigningKey>,
    /// Frames checked and dropped, by reason.
    pub stats: SigningStats,
    /// SETUP_SIGNING messages acted on.
    pub setups: u32,
}

/// One vehicle's signing: its key, clock and per-stream timestamps.
pub(crate) struct VehicleSigning {
    signer: Option<Signer>,
    verifier: Option<Verifier>,
    status: watch::Sender<SimSigningStatus>,
}

impl VehicleSigning {
    /// Signing with `key` (None: off until a SETUP_SIGNING arrives).
    pub(crate) fn new(key: Option<SigningKey>) -> (Self, watch::Receiver<SimSigningStatus>) {
        let (status, rx) = watch::channel(SimSigningStatus::default());
        let mut s = Self {
            signer: None,
            verifier: None,
            status,
        };
        s.set_key(key, 0);
        (s, rx)
    }

    fn set_key(&mut self, key: Option<SigningKey>, initial_timestamp: u64) {
        self.signer = key.clone().map(|k| Signer::new(k, initial_timestamp));
        self.verifier = key.clone().map(|k| Verifier::new(k, PX4_UNSIGNED_ALLOWED));
        self.status.send_modify(|s| s.key = key);
    }

    /// Whether a received frame goes on to the vehicle: false for frames PX4 drops
    /// and for a SETUP_SIGNING, which is consumed here.
    pub(crate) fn admit(&mut self, r: &Received, sysid: u8) -> bool {
        if !self.accept(r) {
            return false;
        }
        if let MavMessage::SETUP_SIGNING(setup) = &r.frame.msg {
            // PX4 does not look at the target; a message for another vehicle on a
            // shared link is not ours, though.
            if setup.target_system == sysid || setup.target_system == 0 {
                self.on_setup(setup, r);
            }
            return false;
        }
        true
    }

    /// Whether PX4 would let a received frame through; counts those it drops.
    fn accept(&mut self, r: &Received) -> bool {
        let Some(verifier) = &mut self.verifier else {
            return true;
        };
        let verdict = match &r.raw {
            Some(bytes) => verifier.check(bytes, timestamp_now()),
            None => Err(gcs_link::signing::Rejection::Unsigned),
        };
        if verdict == Ok(Accepted::Signed)
            && let Some(signer) = &mut self.signer
        {
            signer.advance_to(verifier.newest_timestamp());
        }
        // PX4's accept-unsigned callback also lets these through when wrongly signed.
        let ok = verdict.is_ok()
            || PX4_UNSIGNED_ALLOWED.contains(&gcs_link::mavlink::Message::message_id(&r.frame.msg));
        if !ok {
            self.status.send_modify(|s| s.stats.record(verdict));
        } else if verdict == Ok(Accepted::Signed) {
            self.status.send_modify(|s| s.stats.signed_accepted += 1);
        }
        ok
    }

    /// Encodes an outgoing frame, signed when signing is on.
    /// Encodes `msg`, signed when a key is set, `patch` rewriting the frame before it is
    /// signed.
    pub(crate) fn encode_with(
        &mut self,
        sysid: u8,
        compid: u8,
        seq: u8,
        msg: &MavMessage,
        patch: impl FnOnce(&mut [u8]),
    ) -> Vec<u8> {
        match &mut self.signer {
            Some(signer) => {
                let mut frame = encode_for_signing(sysid, compid, seq, msg);
                patch(&mut frame);
                signer.sign(&frame, 0, timestamp_now())
            }
            None => {
                let mut frame = encode_v2(sysid, compid, seq, msg);
                patch(&mut frame);
                frame
            }
        }
    }

    /// Acts on a SETUP_SIGNING addressed to this vehicle (PX4's `check_for_signing`).
    fn on_setup(&mut self, setup: &SETUP_SIGNING_DATA, r: &Received) {
        let key = SigningKey::from_bytes(setup.secret_key);
        if key.is_zero() && setup.initial_timestamp == 0 {
            // Disabling needs a signed message while signing is on.
            let signed = r.raw.as_deref().is_some_and(is_signed);
            if self.signer.is_some() && signed {
                self.set_key(None, 0);
                self.status.send_modify(|s| s.setups += 1);
            }
            return;
        }
        self.set_key(Some(key), setup.initial_timestamp);
        self.status.send_modify(|s| s.setups += 1);
    }
}

impl crate::SimConfig {
    /// Turns signing on with `key` (or off with `None`) on every vehicle.
    pub fn set_signing_key(&mut self, key: Option<SigningKey>) {
        for v in &mut self.vehicles {
            v.signing_key = key.clone();
        }
    }
}

impl crate::SimHandle {
    /// Vehicle `i`'s signing state: its key and the frames it dropped.
    pub fn signing(&self, i: usize) -> SimSigningStatus {
        self.signing[i].borrow().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gcs_link::frame::decode_all;
    use gcs_link::mavlink::dialects::common::{COMMAND_LONG_DATA, MavCmd};
    use gcs_link::signing::setup_signing_message;
    use std::sync::Arc;

    fn received(bytes: &[u8]) -> Received {
        let mut out = None;
        decode_all(bytes, |frame, _| {
            out = Some(Received {
                link: 0,
                at: std::time::Instant::now(),
                frame,
                raw: Some(Arc::from(bytes)),
                from: None,
                undecoded: Vec::new(),
            })
        });
        out.expect("one frame")
    }

    fn arm() -> MavMessage {
        MavMessage::COMMAND_LONG(COMMAND_LONG_DATA {
            target_system: 1,
            command: MavCmd::MAV_CMD_COMPONENT_ARM_DISARM,
            param1: 1.0,
            ..Default::default()
        })
    }

    fn signed(key: &SigningKey, seq: u8, msg: &MavMessage) -> Received {
        let mut s = Signer::new(key.clone(), 0);
        received(&s.sign(&encode_for_signing(255, 190, seq, msg), 0, timestamp_now()))
    }

    #[test]
    fn without_a_key_everything_passes_and_nothing_is_signed() {
        let (mut v, status) = VehicleSigning::new(None);
        assert!(v.admit(&received(&encode_v2(255, 190, 0, &arm())), 1));
        assert!(!is_signed(&v.encode_with(1, 1, 0, &arm(), |_| {})));
        assert_eq!(status.borrow().stats, SigningStats::default());
    }

    #[test]
    fn with_a_key_only_signed_commands_pass_but_heartbeats_do_unsigned() {
        let key = SigningKey::from_passphrase("k");
        let (mut v, status) = VehicleSigning::new(Some(key.clone()));
        assert!(is_signed(&v.encode_with(1, 1, 0, &arm(), |_| {})));
        assert!(!v.admit(&received(&encode_v2(255, 190, 0, &arm())), 1));
        let other = SigningKey::from_passphrase("other");
        assert!(!v.admit(&signed(&other, 1, &arm()), 1));
        let good = signed(&key, 2, &arm());
        assert!(v.admit(&good, 1));
        assert!(!v.admit(&good, 1), "replay");
        let hb = MavMessage::HEARTBEAT(HEARTBEAT_DATA::default());
        assert!(v.admit(&received(&encode_v2(255, 190, 3, &hb)), 1));
        let s = status.borrow().stats;
        assert_eq!(
            (
                s.rejected_unsigned,
                s.rejected_bad_signature,
                s.rejected_replayed
            ),
            (1, 1, 1)
        );
        assert_eq!(s.signed_accepted, 1);
    }

    #[test]
    fn setup_signing_stores_the_key_and_only_a_signed_blank_key_clears_it() {
        let key = SigningKey::from_passphrase("k");
        let (mut v, status) = VehicleSigning::new(None);
        let setup = setup_signing_message(1, 1, &key, timestamp_now());
        // Consumed, not passed on; addressed to another vehicle: ignored.
        let elsewhere = setup_signing_message(2, 1, &SigningKey::from_passphrase("x"), 5);
        assert!(!v.admit(&received(&encode_v2(255, 190, 0, &elsewhere)), 1));
        assert_eq!(status.borrow().key, None);
        assert!(!v.admit(&received(&encode_v2(255, 190, 1, &setup)), 1));
        assert_eq!(status.borrow().key, Some(key.clone()));
        assert!(!v.admit(&received(&encode_v2(255, 190, 2, &arm())), 1));
        let blank = setup_signing_message(1, 1, &SigningKey::from_bytes([0; 32]), 0);
        // Unsigned blank key: dropped (and would be refused anyway).
        assert!(!v.admit(&received(&encode_v2(255, 190, 3, &blank)), 1));
        assert_eq!(status.borrow().key, Some(key.clone()));
        assert!(!v.admit(&signed(&key, 4, &blank), 1));
        assert_eq!(status.borrow().key, None);
        assert_eq!(status.borrow().setups, 2);
        assert!(v.admit(&received(&encode_v2(255, 190, 5, &arm())), 1));
    }
}
