//! MAVLink 2 signing on a TCP server link (`tcpin`), over real sockets on loopback
//! (ephemeral ports): as on UDP, a connection becomes where a vehicle's frames go only
//! once a correctly signed frame from that vehicle came on it, so a spoofer's
//! connection cannot redirect our commands.

use std::net::SocketAddr;
use std::time::Duration;

use gcs_link::frame::{decode_all, encode_v2};
use gcs_link::mavlink::dialects::common::{
    COMMAND_LONG_DATA, HEARTBEAT_DATA, MavAutopilot, MavCmd, MavMessage, MavType, RADIO_STATUS_DATA,
};
use gcs_link::signing::{Signer, encode_for_signing, is_signed, timestamp_now};
use gcs_link::{LinkConfig, SigningKey};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const WAIT: Duration = Duration::from_secs(60);

fn is_arm(m: &MavMessage) -> bool {
    matches!(m, MavMessage::COMMAND_LONG(c)
        if c.command == MavCmd::MAV_CMD_COMPONENT_ARM_DISARM && c.param1 == 1.0)
}

/// A spoofer that connects to our `tcpin` link and sends frames claiming to be the
/// vehicle must not become where the ground station sends that vehicle's commands.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_frames_on_another_connection_do_not_redirect_commands_to_the_spoofer() {
    let k = SigningKey::from_passphrase("border patrol 7");
    let mut cfg = LinkConfig::new(vec!["tcpin:127.0.0.1:0".parse().unwrap()]);
    cfg.signing = Some(k.clone());
    let link = gcs_link::start(cfg).await.unwrap();
    let gcs_addr = SocketAddr::from(([127, 0, 0, 1], link.local_addr(0).unwrap().port()));
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
    let mut vehicle = TcpStream::connect(gcs_addr).await.unwrap();
    vehicle.write_all(&signed(&k, 0)).await.unwrap();
    let id = link.wait_for_vehicle(1, WAIT).await.unwrap();

    // The spoofer, as system 1 on its own connection: unsigned, signed with a guessed
    // key, then a RADIO_STATUS (let through unsigned, as radios cannot sign, but it
    // proves nothing) followed by one more unsigned frame, so that once three are
    // rejected all four were handled.
    let mut spoofer = TcpStream::connect(gcs_addr).await.unwrap();
    let radio = MavMessage::RADIO_STATUS(RADIO_STATUS_DATA::default());
    for frame in [
        encode_v2(1, 1, 1, &heartbeat),
        signed(&SigningKey::from_passphrase("a guess"), 2),
        encode_v2(1, 1, 3, &radio),
        encode_v2(1, 1, 4, &heartbeat),
    ] {
        spoofer.write_all(&frame).await.unwrap();
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
        let mut bytes = Vec::new();
        let mut buf = vec![0u8; 65_536];
        loop {
            let n = vehicle.read(&mut buf).await.unwrap();
            assert!(n > 0, "the link closed the vehicle's connection");
            bytes.extend_from_slice(&buf[..n]);
            let mut hit = false;
            decode_all(&bytes, |f, raw| {
                if is_arm(&f.msg) {
                    assert!(is_signed(gcs_link::tlog::frame_bytes(raw)));
                    hit = true;
                }
            });
            if hit {
                break;
            }
        }
    };
    tokio::time::timeout(WAIT, got_arm)
        .await
        .expect("the genuine vehicle gets the command");

    // The spoofer got nothing at all: not the command, not even our heartbeats. Once
    // the ground station stops, its link closes every connection after sending what
    // it had queued, so the spoofer's whole stream can be read to its end.
    drop(link);
    let mut got = Vec::new();
    tokio::time::timeout(WAIT, spoofer.read_to_end(&mut got))
        .await
        .expect("the link closes the spoofer's connection")
        .unwrap();
    let mut frames = Vec::new();
    decode_all(&got, |f, _| frames.push(f.msg));
    assert!(got.is_empty(), "the spoofer got {frames:?}");
}
