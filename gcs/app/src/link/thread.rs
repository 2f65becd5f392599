//! The MAVLink link on its own tokio thread: opens the links (and the simulated fleet),
//! then serves the app's requests until the app exits.
//!
//! Exists so no frame ever waits on I/O: gcs-link and the simulator run in a tokio
//! runtime on a separate thread; the ECS gets gcs-link's handle itself (events and
//! snapshots), a bounded reply queue and a bounded request queue ([`LinkChannels`]).

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use gcs_link::constants::MAX_VEHICLES_PER_LINK;
use gcs_link::{FleetSnapshot, LinkAddress, LinkConfig};
use gcs_operator::PlanTransfer;
use tokio::sync::mpsc;

use crate::cli::Args;
use crate::link::channels::{EventSource, LinkChannels};
use crate::link::requests::{LinkReply, LinkRequest};
use crate::link::transfer::{ProgressSink, download, upload};

/// Requests and replies queued between the link thread and the ECS (each way).
pub const QUEUE_LEN: usize = 1024;
/// How long the link thread may take to open its sockets and start the simulator.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// Starts the link (and the simulated fleet unless `--no-sim`) on a tokio thread;
/// returns the ECS end once the sockets are open.
pub fn start(args: &Args) -> Result<LinkChannels> {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<LinkChannels>>();
    let args = args.clone();
    let thread = thread::Builder::new()
        .name("vigil-link".into())
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("vigil-link-io")
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = ready_tx.send(Err(anyhow!("starting the async runtime: {e}")));
                    return;
                }
            };
            rt.block_on(async move {
                match run_link(&args).await {
                    Ok((channels, serving)) => {
                        let _ = ready_tx.send(Ok(channels));
                        serving.await;
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            });
        })
        .context("starting the link thread")?;
    let mut channels = ready_rx
        .recv_timeout(START_TIMEOUT)
        .context("the link thread did not start in time")??;
    channels.thread = Some(thread);
    Ok(channels)
}

/// The link configuration the arguments ask for: the same `--tlog` and `--signing-key`
/// as gcs-cli.
pub fn link_config(args: &Args, addresses: Vec<LinkAddress>) -> Result<LinkConfig> {
    LinkConfig::station(
        addresses,
        args.sysid,
        args.tlog.clone(),
        args.signing_key.as_deref(),
    )
    .context("--signing-key")
}

/// Opens the links, starts the simulator and the request loop; the returned future runs
/// until the app exits (the request queue closes).
async fn run_link(
    args: &Args,
) -> Result<(LinkChannels, impl std::future::Future<Output = ()> + use<>)> {
    let mut addresses = args.connect.clone();
    // One loopback link per MAX_VEHICLES_PER_LINK simulated drones: a link brings in at
    // most that many vehicles (gcs-link refuses the rest as it would spoofed ones).
    let sim_fleet = if args.with_sim() {
        crate::link::sim_fleet::fleet(args.drones)
    } else {
        Vec::new()
    };
    let sim_links =
        addresses.len()..addresses.len() + sim_fleet.len().div_ceil(MAX_VEHICLES_PER_LINK);
    for _ in sim_links.clone() {
        addresses.push("udpin:127.0.0.1:0".parse::<LinkAddress>().expect("literal"));
    }
    let cfg = link_config(args, addresses)?;
    let key = cfg.signing.clone();
    let link = gcs_link::start(cfg).await.context("opening the links")?;

    let mut sims = Vec::new();
    for (i, chunk) in sim_links.zip(sim_fleet.chunks(MAX_VEHICLES_PER_LINK)) {
        let port = link
            .local_addr(i)
            .context("the simulator's loopback link has no port")?
            .port();
        let mut sim_cfg = gcs_sim::SimConfig::new(format!("udpout:127.0.0.1:{port}").parse()?);
        sim_cfg.vehicles = chunk.to_vec();
        // The simulated drones carry the station's key, as if on their SD cards.
        for v in &mut sim_cfg.vehicles {
            v.signing_key.clone_from(&key);
        }
        sim_cfg.speed = args.speed;
        sims.push(
            gcs_sim::start(sim_cfg)
                .await
                .context("starting the simulated drones")?,
        );
    }

    let (reply_tx, replies) = mpsc::channel(QUEUE_LEN);
    let (requests, mut request_rx) = mpsc::channel::<LinkRequest>(QUEUE_LEN);
    let dropped_progress = Arc::new(AtomicU64::new(0));
    let fleet = link.fleet();
    let fleet_rx = fleet.clone();
    let sender = link.sender();
    let transfers = PlanTransfer::new(sender.clone(), fleet.clone());
    let sink = ProgressSink::new(reply_tx, Arc::clone(&dropped_progress));

    let serving = async move {
        let _sims = sims;
        while let Some(r) = request_rx.recv().await {
            let (sender, fleet, transfers, sink) = (
                sender.clone(),
                fleet_rx.clone(),
                transfers.clone(),
                sink.clone(),
            );
            tokio::spawn(async move {
                serve(r, &sender, &fleet, &transfers, &sink).await;
            });
        }
    };
    Ok((
        LinkChannels {
            fleet,
            events: EventSource::Link(link),
            replies,
            requests,
            dropped_progress,
            thread: None,
        },
        serving,
    ))
}

/// How long a command that needs a home position (take-off, go-to, mission start)
/// waits for the vehicle to report one.
const HOME_WAIT: Duration = Duration::from_secs(15);

async fn serve(
    r: LinkRequest,
    sender: &gcs_link::LinkSender,
    fleet: &tokio::sync::watch::Receiver<FleetSnapshot>,
    transfers: &PlanTransfer,
    sink: &ProgressSink,
) {
    let replies = sink.replies();
    match r {
        LinkRequest::Command { vehicle, command } => {
            // gcs-operator's steps: wait for home, arm when needed, then the command.
            let result = gcs_operator::run_command(sender, fleet, vehicle, command, HOME_WAIT)
                .await
                .map_err(|e| e.to_string());
            let _ = replies
                .send(LinkReply::Command {
                    vehicle,
                    command,
                    result,
                })
                .await;
        }
        LinkRequest::Upload { vehicle, plan } => {
            let result = upload(vehicle, &plan, transfers, sink).await;
            let _ = replies.send(LinkReply::Uploaded { vehicle, result }).await;
        }
        LinkRequest::Download { vehicle } => {
            let result = download(vehicle, transfers, sink).await.map(Box::new);
            let _ = replies
                .send(LinkReply::Downloaded { vehicle, result })
                .await;
        }
        LinkRequest::ReadEnvelope { vehicle } => {
            let result = gcs_operator::read_envelope(sender, vehicle)
                .await
                .map_err(|e| e.to_string());
            let _ = replies.send(LinkReply::Envelope { vehicle, result }).await;
        }
    }
}
