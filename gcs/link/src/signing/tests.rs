use super::*;
use crate::frame::{decode_all, encode_v2};
use mavlink::dialects::common::{
    COMMAND_LONG_DATA, HEARTBEAT_DATA, MavCmd, MavModeFlag, MavState, MavType, RADIO_STATUS_DATA,
};

const T0: u64 = 343_000_000_000; // about 2026 in 10 µs units since 2015

fn arm() -> MavMessage {
    MavMessage::COMMAND_LONG(COMMAND_LONG_DATA {
        target_system: 1,
        target_component: 1,
        command: MavCmd::MAV_CMD_COMPONENT_ARM_DISARM,
        param1: 1.0,
        ..Default::default()
    })
}

fn heartbeat() -> MavMessage {
    MavMessage::HEARTBEAT(HEARTBEAT_DATA {
        mavtype: MavType::MAV_TYPE_GCS,
        base_mode: MavModeFlag::empty(),
        system_status: MavState::MAV_STATE_ACTIVE,
        mavlink_version: 3,
        ..Default::default()
    })
}

fn key(p: &str) -> SigningKey {
    SigningKey::from_passphrase(p)
}

fn signed(signer: &mut Signer, link: u8, seq: u8, now: u64) -> Vec<u8> {
    signer.sign(&encode_for_signing(255, 190, seq, &arm()), link, now)
}

#[test]
fn passphrase_is_sha256_of_its_utf8_bytes() {
    // FIPS 180-2 test vector: SHA-256("abc").
    assert_eq!(
        key("abc").to_hex(),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_ne!(key("abc"), key("abd"));
}

#[test]
fn key_files_are_raw_bytes_or_hex() {
    let k = key("border patrol");
    assert_eq!(SigningKey::parse(k.as_bytes()), Some(k.clone()));
    assert_eq!(
        SigningKey::parse(format!("{}\n", k.to_hex()).as_bytes()),
        Some(k.clone())
    );
    assert_eq!(
        SigningKey::parse(k.to_hex().to_uppercase().as_bytes()),
        Some(k)
    );
    assert_eq!(SigningKey::parse(&[7; 31]), None);
    assert_eq!(SigningKey::parse(&[b'g'; 64]), None);
    assert_eq!(SigningKey::parse(b""), None);
}

#[test]
fn key_file_errors_name_the_file() {
    let dir = std::env::temp_dir().join(format!("vigil-key-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.key");
    std::fs::write(&bad, b"not a key").unwrap();
    let e = SigningKey::from_file(&bad).unwrap_err().to_string();
    assert!(e.contains("bad.key") && e.contains("got 9 bytes"), "{e}");
    let good = dir.join("good.key");
    std::fs::write(&good, key("x").as_bytes()).unwrap();
    assert_eq!(SigningKey::from_file(&good).unwrap(), key("x"));
    assert!(SigningKey::from_file(&dir.join("missing")).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn debug_does_not_leak_the_key() {
    assert_eq!(format!("{:?}", key("secret")), "SigningKey(..)");
}

#[test]
fn timestamps_are_10us_units_since_2015() {
    use std::time::Duration;
    let epoch = UNIX_EPOCH + Duration::from_secs(SIGNING_EPOCH_UNIX_S);
    assert_eq!(timestamp_at(epoch), 0);
    assert_eq!(timestamp_at(epoch + Duration::from_secs(1)), 100_000);
    assert_eq!(timestamp_at(epoch + Duration::from_micros(25)), 2);
    assert_eq!(timestamp_at(UNIX_EPOCH), 0);
    assert!(timestamp_now() > 300_000_000_000); // after 2024
}

#[test]
fn signed_frames_carry_link_id_and_strictly_increasing_timestamps() {
    let mut s = Signer::new(key("k"), 0);
    let a = signed(&mut s, 3, 0, T0);
    let b = signed(&mut s, 4, 1, T0); // clock did not move
    let c = signed(&mut s, 3, 2, T0 - 500); // clock went back
    let ts = |f: &[u8]| raw_v2(f).unwrap().signature_timestamp();
    assert_eq!(ts(&a), T0);
    assert_eq!(ts(&b), T0 + 1);
    assert_eq!(ts(&c), T0 + 2);
    assert_eq!(raw_v2(&a).unwrap().signature_link_id(), 3);
    assert_eq!(raw_v2(&b).unwrap().signature_link_id(), 4);
    assert!(is_signed(&a));
    assert!(!is_signed(&encode_v2(1, 1, 0, &arm())));
    // Signed frames still decode (the reader skips verification without signing data).
    let mut got = Vec::new();
    decode_all(&a, |f, _| got.push(f.msg));
    assert_eq!(got, vec![arm()]);
}

#[test]
fn verifier_accepts_good_and_rejects_unsigned_wrong_key_and_replays() {
    let mut tx = Signer::new(key("k"), 0);
    let mut rx = Verifier::new(key("k"), GCS_UNSIGNED_ALLOWED);
    let first = signed(&mut tx, 0, 0, T0);
    assert_eq!(rx.check(&first, T0), Ok(Accepted::Signed));
    // The same bytes again: a replay.
    assert_eq!(rx.check(&first, T0 + 10), Err(Rejection::Replayed));
    let second = signed(&mut tx, 0, 1, T0 + 5);
    assert_eq!(rx.check(&second, T0 + 10), Ok(Accepted::Signed));
    // Older than the last of its stream, even if never seen.
    let mut old_tx = Signer::new(key("k"), 0);
    let older = signed(&mut old_tx, 0, 2, T0 + 1);
    assert_eq!(rx.check(&older, T0 + 10), Err(Rejection::Replayed));
    // Other key.
    let mut other = Signer::new(key("other"), 0);
    assert_eq!(
        rx.check(&signed(&mut other, 0, 3, T0 + 20), T0 + 20),
        Err(Rejection::BadSignature)
    );
    // Unsigned MAVLink 2 and MAVLink 1.
    assert_eq!(
        rx.check(&encode_v2(255, 190, 4, &arm()), T0),
        Err(Rejection::Unsigned)
    );
    let mut v1 = mavlink::MAVLinkV1MessageRaw::new();
    v1.serialize_message(MavHeader::default(), &heartbeat());
    assert_eq!(rx.check(v1.raw_bytes(), T0), Err(Rejection::Unsigned));
    // A telemetry radio's RADIO_STATUS passes unsigned.
    let radio = MavMessage::RADIO_STATUS(RADIO_STATUS_DATA::default());
    assert_eq!(
        rx.check(&encode_v2(51, 68, 0, &radio), T0),
        Ok(Accepted::UnsignedAllowed)
    );
    assert_eq!(rx.check(&[0xFD, 1, 2], T0), Err(Rejection::Unsigned));
}

#[test]
fn tampered_frames_fail_the_signature() {
    let mut tx = Signer::new(key("k"), 0);
    let mut rx = Verifier::new(key("k"), &[]);
    let good = signed(&mut tx, 0, 0, T0);
    for i in [5, 12, good.len() - 13, good.len() - 7, good.len() - 1] {
        let mut bad = good.clone();
        bad[i] ^= 0x01;
        assert_eq!(rx.check(&bad, T0), Err(Rejection::BadSignature), "byte {i}");
    }
    assert_eq!(rx.check(&good, T0), Ok(Accepted::Signed));
}

#[test]
fn streams_are_per_link_id_sysid_and_compid() {
    let mut rx = Verifier::new(key("k"), &[]);
    let mut tx = Signer::new(key("k"), 0);
    let late = tx.sign(&encode_for_signing(1, 1, 0, &heartbeat()), 0, T0 + 100);
    assert_eq!(rx.check(&late, T0), Ok(Accepted::Signed));
    // Earlier timestamps on other streams are still fresh (within the minute).
    for (sysid, compid, link) in [(2, 1, 0), (1, 2, 0), (1, 1, 1)] {
        let mut s = Signer::new(key("k"), 0);
        let f = s.sign(
            &encode_for_signing(sysid, compid, 0, &heartbeat()),
            link,
            T0,
        );
        assert_eq!(
            rx.check(&f, T0),
            Ok(Accepted::Signed),
            "{sysid} {compid} {link}"
        );
    }
}

#[test]
fn a_new_stream_more_than_a_minute_old_is_a_replay() {
    let mut rx = Verifier::new(key("k"), &[]);
    let mut tx = Signer::new(key("k"), 0);
    let stale = tx.sign(&encode_for_signing(7, 1, 0, &heartbeat()), 0, T0);
    assert_eq!(
        rx.check(&stale, T0 + NEW_STREAM_MAX_AGE + 1),
        Err(Rejection::Replayed)
    );
    // Exactly a minute behind is still accepted.
    let mut rx = Verifier::new(key("k"), &[]);
    assert_eq!(
        rx.check(&stale, T0 + NEW_STREAM_MAX_AGE),
        Ok(Accepted::Signed)
    );
}

#[test]
fn link_signing_counts_and_skips_unchecked_links() {
    let mut gcs = LinkSigning::new(key("k"), &[true, false]);
    let mut vehicle = Signer::new(key("k"), 0);
    let hb = vehicle.sign(&encode_for_signing(1, 1, 0, &heartbeat()), 0, T0);
    assert!(gcs.accept(0, Some(&hb), T0));
    assert!(!gcs.accept(0, Some(&hb), T0));
    assert!(!gcs.accept(0, Some(&encode_v2(1, 1, 1, &heartbeat())), T0));
    assert!(!gcs.accept(0, None, T0));
    let mut stranger = Signer::new(key("x"), 0);
    let bad = stranger.sign(&encode_for_signing(1, 1, 0, &heartbeat()), 0, T0);
    assert!(!gcs.accept(0, Some(&bad), T0));
    // Link 1 is a replayed log: not checked.
    assert!(gcs.accept(1, None, T0));
    assert_eq!(
        gcs.stats(),
        SigningStats {
            signed_accepted: 1,
            rejected_unsigned: 2,
            rejected_bad_signature: 1,
            rejected_replayed: 1,
        }
    );
    assert_eq!(gcs.stats().rejected(), 4);
    // Our own clock follows the newest correctly signed timestamp.
    let out = gcs.sign(1, &encode_for_signing(255, 190, 0, &arm()), T0 - 1000);
    assert_eq!(raw_v2(&out).unwrap().signature_timestamp(), T0 + 1);
    assert_eq!(raw_v2(&out).unwrap().signature_link_id(), 1);
    let rekeyed = gcs.rekey(key("new"));
    assert_eq!(rekeyed.stats(), gcs.stats());
    assert_eq!(rekeyed.key(), &key("new"));
}

#[test]
fn setup_signing_carries_key_and_timestamp() {
    let MavMessage::SETUP_SIGNING(s) = setup_signing_message(3, 1, &key("k"), T0) else {
        panic!("not SETUP_SIGNING");
    };
    assert_eq!((s.target_system, s.target_component), (3, 1));
    assert_eq!(&s.secret_key, key("k").as_bytes());
    assert_eq!(s.initial_timestamp, T0);
    assert!(SigningKey::from_bytes([0; 32]).is_zero());
}

#[test]
fn logs_get_no_signatures_and_no_keys() {
    let mut s = Signer::new(key("k"), 0);
    let signed_bytes: std::sync::Arc<[u8]> = s
        .sign(&encode_for_signing(1, 1, 9, &heartbeat()), 0, T0)
        .into();
    let mut frames = Vec::new();
    decode_all(&signed_bytes, |f, _| frames.push(f));
    let logged = loggable(&frames[0], &signed_bytes).unwrap();
    assert!(!is_signed(&logged));
    assert_eq!(&logged[..], &encode_v2(1, 1, 9, &heartbeat())[..]);
    let plain: std::sync::Arc<[u8]> = encode_v2(1, 1, 3, &arm()).into();
    let mut frames = Vec::new();
    decode_all(&plain, |f, _| frames.push(f));
    assert_eq!(loggable(&frames[0], &plain).unwrap(), plain);
    let setup: std::sync::Arc<[u8]> =
        encode_v2(255, 190, 0, &setup_signing_message(1, 1, &key("k"), T0)).into();
    let mut frames = Vec::new();
    decode_all(&setup, |f, _| frames.push(f));
    assert_eq!(loggable(&frames[0], &setup), None);
}
