//! MAVLink 2 message signing end to end, over real UDP on loopback (ephemeral ports):
//! gcs-link and gcs-sim with the same key fly; the sim drops unsigned, wrongly signed
//! and replayed commands and flies on; the ground station drops a vehicle's unsigned,
//! wrongly signed and replayed frames, and a spoofer's frames do not redirect its
//! commands; SETUP_SIGNING provisions a vehicle.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gcs_link::frame::{decode_all, encode_v2};
use gcs_link::mavlink::dialects::common::{
    COMMAND_LONG_DATA, HEARTBEAT_DATA, MavAutopilot, MavCmd, MavMessage, MavType, RADIO_STATUS_DATA,
};
use gcs_link::signing::{Signer, encode_for_signing, is_signed, timestamp_now};
use gcs_link::{
    CommandError, LinkConfig, LinkHandle, MessageFilter, SigningKey, VehicleCommand, VehicleId,
};
use gcs_sim::{SimConfig, SimHandle};
use tokio::net::UdpSocket;

const WAIT: Duration = Duration::from_secs(60);

fn key(passphrase: &str) -> SigningKey {
    SigningKey::from_passphrase(passphrase)
}

/// A ground station talking to `to` (udpout), signing with `key` if given.
async fn gcs(to: SocketAddr, key: Option<SigningKey>) -> LinkHandle {
    let addr = format!("udpout:127.0.0.1:{}", to.port()).parse().unwrap();
    let mut cfg = LinkConfig::new(vec![addr]);
    cfg.signing = key;
    gcs_link::start(cfg).await.unwrap()
}

/// One simulated vehicle listening on an ephemeral UDP port (answers every peer heard).
async fn sim(key: Option<SigningKey>) -> (SimHandle, SocketAddr) {
    let mut cfg = SimConfig::new("udpin:127.0.0.1:0".parse().unwrap());
    cfg.speed = 10.0;
    cfg.gps_fix_after_s = 0.0;
    cfg.set_signing_key(key);
    let sim = gcs_sim::start(cfg).await.unwrap();
    let port = sim.local_addr(0).unwrap().port();
    (sim, SocketAddr::from(([127, 0, 0, 1], port)))
}

/// Polls `cond` every 20 ms until it holds (panics after [`WAIT`]).
async fn until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !cond() {
        assert!(tokio::time::Instant::now() < deadline, "waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn ready(link: &LinkHandle) -> VehicleId {
    let id = link.wait_for_vehicle(1, WAIT).await.unwrap();
    link.wait_for(WAIT, |s| {
        s.get(id)
            .is_some_and(|v| v.position.is_some() && v.home.is_some())
    })
    .await
    .unwrap();
    id
}

/// Datagrams a [`Tap`] passed: (from a ground station?, bytes).
type Seen = Arc<Mutex<Vec<(bool, Vec<u8>)>>>;

/// A UDP relay between ground stations and the sim that keeps every datagram it passes.
struct Tap {
    addr: SocketAddr,
    seen: Seen,
}

impl Tap {
    async fn start(sim: SocketAddr) -> Self {
        let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = sock.local_addr().unwrap();
        let seen: Seen = Arc::default();
        let log = Arc::clone(&seen);
        tokio::spawn(async move {
            let mut buf = vec![0u8; 65_536];
            let mut gcs = None;
            while let Ok((n, from)) = sock.recv_from(&mut buf).await {
                let from_gcs = from != sim;
                log.lock().unwrap().push((from_gcs, buf[..n].to_vec()));
                let to = if from_gcs {
                    gcs = Some(from);
                    Some(sim)
                } else {
                    gcs
                };
                if let Some(to) = to {
                    let _ = sock.send_to(&buf[..n], to).await;
                }
            }
        });
        Self { addr, seen }
    }

    /// The first datagram passed whose frame matches `pred`.
    fn find(&self, from_gcs: bool, pred: impl Fn(&MavMessage) -> bool) -> Option<Vec<u8>> {
        let seen = self.seen.lock().unwrap();
        seen.iter()
            .filter(|(g, _)| *g == from_gcs)
            .find(|(_, d)| {
                let mut hit = false;
                decode_all(d, |f, _| hit |= pred(&f.msg));
                hit
            })
            .map(|(_, d)| d.clone())
    }
}

fn is_arm(m: &MavMessage) -> bool {
    matches!(m, MavMessage::COMMAND_LONG(c)
        if c.command == MavCmd::MAV_CMD_COMPONENT_ARM_DISARM && c.param1 == 1.0)
}

async fn inject(to: SocketAddr, datagram: &[u8]) {
    let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    sock.send_to(datagram, to).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_session_arms_takes_off_and_lands() {
    let k = key("border patrol 7");
    let (sim, sim_addr) = sim(Some(k.clone())).await;
    let link = gcs(sim_addr, Some(k.clone())).await;
    let id = ready(&link).await;

    // What the vehicle sends really is signed.
    let mut frames = link
        .sender()
        .subscribe(
            MessageFilter {
                message_ids: vec![0],
                sysid: Some(1),
            },
            8,
        )
        .await
        .unwrap();
    let hb = tokio::time::timeout(WAIT, frames.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(is_signed(hb.raw.as_deref().expect("bytes kept")));

    link.command(id, VehicleCommand::Arm).await.unwrap();
    link.command(id, VehicleCommand::Takeoff { alt_rel_m: 10.0 })
        .await
        .unwrap();
    link.wait_for(WAIT, |s| {
        s.get(id)
            .is_some_and(|v| v.armed && v.position.is_some_and(|p| p.alt_rel_m > 9.0))
    })
    .await
    .unwrap();
    link.command(id, VehicleCommand::Land).await.unwrap();
    link.wait_for(WAIT, |s| s.get(id).is_some_and(|v| !v.armed))
        .await
        .unwrap();

    let gcs_stats = link.snapshot().signing;
    assert!(gcs_stats.signed_accepted > 50, "{gcs_stats:?}");
    assert_eq!(gcs_stats.rejected(), 0, "{gcs_stats:?}");
    let sim_stats = sim.signing(0).stats;
    assert!(sim_stats.signed_accepted >= 4, "{sim_stats:?}");
    assert_eq!(sim_stats.rejected(), 0, "{sim_stats:?}");
    assert_eq!(sim.signing(0).key, Some(k));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sim_drops_unsigned_and_wrongly_signed_commands_and_flies_on() {
    let k = key("border patrol 7");
    let (sim, sim_addr) = sim(Some(k.clone())).await;
    let trusted = gcs(sim_addr, Some(k.clone())).await;
    let id = ready(&trusted).await;

    // A ground station without the key hears the vehicle (it checks nothing) but its
    // unsigned arm is dropped: no answer, the drone stays disarmed.
    let intruder = gcs(sim_addr, None).await;
    let seen = ready(&intruder).await;
    assert_eq!(seen, id);
    let err = intruder.command(id, VehicleCommand::Arm).await.unwrap_err();
    assert!(matches!(err, CommandError::Timeout { .. }), "{err}");
    assert!(!sim.vehicle(0).armed);
    let after_unsigned = sim.signing(0).stats;
    // Four transmissions of the command, all dropped (its heartbeats pass, as in PX4).
    assert!(after_unsigned.rejected_unsigned >= 4, "{after_unsigned:?}");

    // It tries to give the drone its own key: the unsigned SETUP_SIGNING is dropped too.
    let rogue = key("rogue");
    intruder.sender().setup_signing(id, rogue).await.unwrap();
    until("the SETUP_SIGNING dropped", || {
        sim.signing(0).stats.rejected_unsigned > after_unsigned.rejected_unsigned
    })
    .await;
    assert_eq!(sim.signing(0).key, Some(k.clone()));
    assert_eq!(sim.signing(0).setups, 0);

    // Now it signs with the wrong key: its arm is dropped as wrongly signed, and it
    // drops every frame of the vehicle in turn.
    assert!(intruder.command(id, VehicleCommand::Arm).await.is_err());
    assert!(sim.signing(0).stats.rejected_bad_signature >= 1);
    assert!(!sim.vehicle(0).armed);
    let theirs = intruder.snapshot().signing;
    assert!(theirs.rejected_bad_signature > 0, "{theirs:?}");

    // A hand-made frame signed with another key: dropped.
    let mut forger = gcs_link::signing::Signer::new(key("forger"), 0);
    let setup = gcs_link::signing::setup_signing_message(1, 1, &key("forger"), 1);
    let frame = gcs_link::signing::encode_for_signing(255, 190, 0, &setup);
    let before = sim.signing(0).stats.rejected_bad_signature;
    inject(
        sim_addr,
        &forger.sign(&frame, 0, gcs_link::signing::timestamp_now()),
    )
    .await;
    until("the forged SETUP_SIGNING dropped", || {
        sim.signing(0).stats.rejected_bad_signature > before
    })
    .await;
    assert_eq!(sim.signing(0).key, Some(k.clone()));

    // Through all of it the trusted ground station flies the drone.
    trusted.command(id, VehicleCommand::Arm).await.unwrap();
    trusted
        .command(id, VehicleCommand::Takeoff { alt_rel_m: 5.0 })
        .await
        .unwrap();
    trusted
        .wait_for(WAIT, |s| {
            s.get(id)
                .is_some_and(|v| v.armed && v.position.is_some_and(|p| p.alt_rel_m > 4.0))
        })
        .await
        .unwrap();

    // In the air, an unsigned forced disarm (it would drop the drone) is dropped too.
    let kill = MavMessage::COMMAND_LONG(gcs_link::mavlink::dialects::common::COMMAND_LONG_DATA {
        target_system: 1,
        target_component: 1,
        command: MavCmd::MAV_CMD_COMPONENT_ARM_DISARM,
        param1: 0.0,
        param2: 21196.0,
        ..Default::default()
    });
    let before = sim.signing(0).stats.rejected_unsigned;
    inject(sim_addr, &gcs_link::frame::encode_v2(255, 190, 0, &kill)).await;
    until("the forced disarm dropped", || {
        sim.signing(0).stats.rejected_unsigned > before
    })
    .await;
    let v = sim.vehicle(0);
    assert!(
        v.armed && v.alt_rel_m() > 4.0,
        "armed {} at {} m",
        v.armed,
        v.alt_rel_m()
    );
    assert_eq!(trusted.snapshot().signing.rejected(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replayed_frames_are_dropped_by_the_vehicle_and_the_ground_station() {
    let k = key("border patrol 7");
    let (sim, sim_addr) = sim(Some(k.clone())).await;
    let tap = Tap::start(sim_addr).await;
    let link = gcs(tap.addr, Some(k.clone())).await;
    let id = ready(&link).await;

    link.command(id, VehicleCommand::Arm).await.unwrap();
    let captured_arm = tap
        .find(true, is_arm)
        .expect("the arm command went through");
    assert!(is_signed(&captured_arm));
    link.command(id, VehicleCommand::Disarm).await.unwrap();
    until("disarmed", || !sim.vehicle(0).armed).await;

    // The captured, correctly signed arm command sent again: a replay, dropped.
    let before = sim.signing(0).stats;
    inject(sim_addr, &captured_arm).await;
    until("the replay dropped", || {
        sim.signing(0).stats.rejected_replayed > before.rejected_replayed
    })
    .await;
    assert!(!sim.vehicle(0).armed);
    assert_eq!(sim.signing(0).stats.signed_accepted, before.signed_accepted);

    // A vehicle heartbeat captured earlier, replayed to the ground station: dropped.
    let old_heartbeat = tap
        .find(false, |m| matches!(m, MavMessage::HEARTBEAT(_)))
        .unwrap();
    let gcs_addr = SocketAddr::from(([127, 0, 0, 1], link.local_addr(0).unwrap().port()));
    let replays_before = link.snapshot().signing.rejected_replayed;
    inject(gcs_addr, &old_heartbeat).await;
    link.wait_for(WAIT, |s| s.signing.rejected_replayed > replays_before)
        .await
        .unwrap();

    // And the drone still answers signed commands.
    link.command(id, VehicleCommand::Arm).await.unwrap();
    until("armed again", || sim.vehicle(0).armed).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ground_station_drops_unsigned_and_wrongly_signed_vehicles() {
    // A vehicle that does not sign at all.
    let (_unsigned, unsigned_addr) = sim(None).await;
    let link = gcs(unsigned_addr, Some(key("ours"))).await;
    let snap = link
        .wait_for(WAIT, |s| s.signing.rejected_unsigned >= 20)
        .await
        .unwrap();
    assert!(snap.vehicles.is_empty(), "{:?}", snap.vehicles.keys());

    // A vehicle that signs with another key.
    let (other, other_addr) = sim(Some(key("theirs"))).await;
    let link = gcs(other_addr, Some(key("ours"))).await;
    let snap = link
        .wait_for(WAIT, |s| s.signing.rejected_bad_signature >= 20)
        .await
        .unwrap();
    assert!(snap.vehicles.is_empty(), "{:?}", snap.vehicles.keys());
    assert_eq!(snap.signing.signed_accepted, 0);
    // Our frames are wrongly signed for it in turn: it drops everything but heartbeats.
    assert!(!other.vehicle(0).armed);
}

/// A spoofer that sends frames claiming to be the vehicle, from another socket, must
/// not become where the ground station sends that vehicle's commands.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_datagrams_do_not_redirect_commands_to_the_spoofer() {
    let k = key("border patrol 7");
    let mut cfg = LinkConfig::new(vec!["udpin:127.0.0.1:0".parse().unwrap()]);
    cfg.signing = Some(k.clone());
    let link = gcs_link::start(cfg).await.unwrap();
    let gcs_addr = SocketAddr::from(([127, 0, 0, 1], link.local_addr(0).unwrap().port()));
    let vehicle = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let spoofer = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let heartbeat = MavMessage::HEARTBEAT(HEARTBEAT_DATA {
        mavtype: MavType::MAV_TYPE_QUADROTOR,
        autopilot: MavAutopilot::MAV_AUTOPILOT_PX4,
        mavlink_version: 3,
        ..Default::default()
    });
    let signed = |key: &SigningKey, seq| {
        Signer::new(key.clone(), 0).sign(
            &encode_for_signing(1, 1, seq, &heartbeat),
            0,
            timestamp_now(),
        )
    };

    // The genuine vehicle, correctly signed.
    vehicle.send_to(&signed(&k, 0), gcs_addr).await.unwrap();
    let id = link.wait_for_vehicle(1, WAIT).await.unwrap();

    // The spoofer, as system 1: unsigned, signed with a guessed key, then a RADIO_STATUS
    // (let through unsigned, as radios cannot sign, but it proves nothing) followed by
    // one more unsigned frame, so that once three are rejected all four were handled.
    let radio = MavMessage::RADIO_STATUS(RADIO_STATUS_DATA::default());
    for datagram in [
        encode_v2(1, 1, 1, &heartbeat),
        signed(&key("a guess"), 2),
        encode_v2(1, 1, 3, &radio),
        encode_v2(1, 1, 4, &heartbeat),
    ] {
        spoofer.send_to(&datagram, gcs_addr).await.unwrap();
    }
    let snap = link
        .wait_for(WAIT, |s| s.signing.rejected() >= 3)
        .await
        .unwrap();
    assert_eq!(snap.signing.rejected_unsigned, 2, "{:?}", snap.signing);
    assert_eq!(snap.signing.rejected_bad_signature, 1, "{:?}", snap.signing);

    // A command for the vehicle goes to the vehicle.
    let arm = MavMessage::COMMAND_LONG(COMMAND_LONG_DATA {
        target_system: 1,
        target_component: 1,
        command: MavCmd::MAV_CMD_COMPONENT_ARM_DISARM,
        param1: 1.0,
        ..Default::default()
    });
    link.sender().send(id, arm).await.unwrap();
    let got_arm = async {
        let mut buf = vec![0u8; 65_536];
        loop {
            let n = vehicle.recv(&mut buf).await.unwrap();
            assert!(is_signed(&buf[..n]));
            let mut hit = false;
            decode_all(&buf[..n], |f, _| hit |= is_arm(&f.msg));
            if hit {
                break;
            }
        }
    };
    tokio::time::timeout(WAIT, got_arm)
        .await
        .expect("the genuine vehicle gets the command");
    // The spoofer got nothing at all: not the command, not even our heartbeats (loopback
    // delivers a datagram before `send_to` returns, and the command was sent last).
    let mut buf = vec![0u8; 65_536];
    assert!(
        spoofer.try_recv(&mut buf).is_err(),
        "the spoofer got a datagram"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_signing_provisions_a_vehicle_then_only_signed_commands_fly_it() {
    let (sim, sim_addr) = sim(None).await;
    let link = gcs(sim_addr, None).await;
    let id = ready(&link).await;
    let k = key("provisioned over the bench cable");
    link.sender().setup_signing(id, k.clone()).await.unwrap();
    until("the key stored", || sim.signing(0).key.is_some()).await;
    assert_eq!(sim.signing(0).key, Some(k.clone()));
    assert_eq!(sim.signing(0).setups, 1);

    // Both ends sign now: the session goes on, signed.
    link.command(id, VehicleCommand::Arm).await.unwrap();
    let snap = link
        .wait_for(WAIT, |s| s.signing.signed_accepted > 0)
        .await
        .unwrap();
    // (Unsigned frames the vehicle sent before it got the key may have been dropped.)
    assert_eq!(snap.signing.rejected_bad_signature, 0, "{:?}", snap.signing);
    assert!(sim.signing(0).stats.signed_accepted > 0);
    assert!(sim.vehicle(0).armed);

    // A ground station that still sends unsigned is shut out.
    let old = gcs(sim_addr, None).await;
    ready(&old).await;
    assert!(old.command(id, VehicleCommand::Disarm).await.is_err());
    assert!(sim.vehicle(0).armed);
}

/// An independent implementation: pymavlink's signing (tests/peers/pymavlink_signing.py)
/// with the key derived from the passphrase as MAVProxy does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pymavlink_signing_peer_flies_the_signed_sim() {
    let python = vigil_tests::python::python().unwrap_or_else(|e| panic!("{e}"));
    let passphrase = "Agadez north sector";
    let (sim, sim_addr) = sim(Some(key(passphrase))).await;
    let out = tokio::time::timeout(
        Duration::from_secs(120),
        tokio::process::Command::new(&python)
            .arg(vigil_tests::python::peer_script("pymavlink_signing.py"))
            .arg(sim_addr.port().to_string())
            .arg(passphrase)
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("the pymavlink peer finished")
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "report {stdout:?}: {e}; stderr {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let failures = report["failures"].as_array().unwrap();
    assert!(failures.is_empty(), "pymavlink found: {failures:#?}");
    assert!(out.status.success());
    let checks = report["checks"].as_object().unwrap();
    assert!(checks.len() >= 14, "{checks:?}");
    assert!(checks.values().all(|v| v == true));
    // Our side saw the same: each kind of bad frame dropped at least once.
    let stats = sim.signing(0).stats;
    assert!(stats.rejected_unsigned >= 1, "{stats:?}");
    assert!(stats.rejected_bad_signature >= 1, "{stats:?}");
    assert!(stats.rejected_replayed >= 1, "{stats:?}");
    assert!(stats.signed_accepted >= 4, "{stats:?}");
    assert!(!sim.vehicle(0).armed);
}
