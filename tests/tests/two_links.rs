//! One drone heard on two links (a radio and an LTE modem) is one vehicle, and commands go
//! out on the best live link. A UDP relay stands in for the two radios.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use gcs_link::{LinkConfig, VehicleCommand};
use gcs_sim::SimConfig;
use tokio::net::UdpSocket;

const WAIT: Duration = Duration::from_secs(60);

/// The drone's last address, where replies from either radio are sent.
static LAST_DRONE: tokio::sync::Mutex<Option<SocketAddr>> = tokio::sync::Mutex::const_new(None);

/// One radio: its own socket toward the ground station; replies from the ground station
/// are passed back to the drone unless the radio is `cut` (out of range).
async fn radio(drone_side: Arc<UdpSocket>, cut: Arc<AtomicBool>) -> Arc<UdpSocket> {
    let gcs_side = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
    let back = Arc::clone(&gcs_side);
    tokio::spawn(async move {
        let mut buf = vec![0u8; 65536];
        while let Ok((n, _)) = back.recv_from(&mut buf).await {
            if cut.load(Ordering::Relaxed) {
                continue;
            }
            if let Some(to) = *LAST_DRONE.lock().await {
                let _ = drone_side.send_to(&buf[..n], to).await;
            }
        }
    });
    gcs_side
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drone_on_radio_and_lte_is_one_vehicle_using_the_best_live_link() {
    let link = gcs_link::start(LinkConfig::new(vec![
        "udpin:127.0.0.1:0".parse().unwrap(),
        "udpin:127.0.0.1:0".parse().unwrap(),
    ]))
    .await
    .unwrap();
    let gcs = [link.local_addr(0).unwrap(), link.local_addr(1).unwrap()];
    let cut = [
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicBool::new(false)),
    ];

    let drone_side = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
    let mut radios = Vec::new();
    for c in &cut {
        radios.push(radio(Arc::clone(&drone_side), Arc::clone(c)).await);
    }
    {
        let drone_side = Arc::clone(&drone_side);
        let radios = radios.clone();
        let cut = cut.clone();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 65536];
            while let Ok((n, from)) = drone_side.recv_from(&mut buf).await {
                *LAST_DRONE.lock().await = Some(from);
                for i in 0..2 {
                    if !cut[i].load(Ordering::Relaxed) {
                        let _ = radios[i].send_to(&buf[..n], gcs[i]).await;
                    }
                }
            }
        });
    }
    let relay = drone_side.local_addr().unwrap();
    let mut cfg = SimConfig::new(format!("udpout:{relay}").parse().unwrap());
    cfg.gps_fix_after_s = 0.0;
    let _sim = gcs_sim::start(cfg).await.unwrap();

    let id = link.wait_for_vehicle(1, WAIT).await.unwrap();
    let snap = link
        .wait_for(WAIT, |s| {
            s.get(id)
                .is_some_and(|v| v.links.len() == 2 && v.home.is_some())
        })
        .await
        .unwrap();
    assert_eq!(snap.vehicles.len(), 1, "one vehicle, not one per link");

    // The radio (link 0) goes out of range: commands still get through on LTE (link 1).
    cut[0].store(true, Ordering::Relaxed);
    let snap = link
        .wait_for(WAIT, |s| {
            s.get(id).is_some_and(|v| {
                v.best_link == Some(1) && v.links.iter().any(|l| l.link == 0 && !l.alive)
            })
        })
        .await
        .unwrap();
    assert!(!snap.get(id).unwrap().link_lost);
    link.command(id, VehicleCommand::Arm).await.unwrap();
    link.wait_for(WAIT, |s| s.get(id).is_some_and(|v| v.armed))
        .await
        .unwrap();

    // Radio back, LTE lost: commands move back to the radio.
    cut[0].store(false, Ordering::Relaxed);
    cut[1].store(true, Ordering::Relaxed);
    link.wait_for(WAIT, |s| s.get(id).is_some_and(|v| v.best_link == Some(0)))
        .await
        .unwrap();
    link.command(id, VehicleCommand::Disarm).await.unwrap();
    link.wait_for(WAIT, |s| s.get(id).is_some_and(|v| !v.armed))
        .await
        .unwrap();
}
