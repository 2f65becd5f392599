//! The MAVLink link on its own tokio thread, and the one system that drains it into the
//! ECS.
//!
//! Exists so no frame ever waits on I/O: gcs-link runs in a tokio runtime on a separate
//! thread; the ECS sees the latest fleet snapshot (a `watch`), events and replies
//! (bounded channels) and sends requests (a bounded channel). Tests build
//! [`LinkChannels`] by hand: a fake link with no sockets.

use std::thread;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use bevy::prelude::*;
use gcs_link::mission::{MissionClient, MissionType, Progress};
use gcs_link::{Event, FleetSnapshot, LinkAddress, LinkConfig, VehicleCommand, VehicleId};
use mission_planner::{Plan, mavlink as plan_mavlink};
use tokio::sync::{mpsc, watch};

use crate::cli::Args;

/// Requests and events queued between the link thread and the ECS (each way).
const QUEUE_LEN: usize = 1024;
/// How long the link thread may take to open its sockets and start the simulator.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// What the operator asks of the link.
#[derive(Debug, Clone)]
pub enum LinkRequest {
    /// Send a command and wait for its acknowledgement.
    Command {
        /// To whom.
        vehicle: VehicleId,
        /// What.
        command: VehicleCommand,
    },
    /// Several commands in order, stopping at the first that fails (e.g. arm, then
    /// take off: PX4 takes off only when armed).
    Sequence {
        /// To whom.
        vehicle: VehicleId,
        /// What, in order.
        commands: Vec<VehicleCommand>,
    },
    /// Replace the vehicle's mission, fence and rally points with `plan`'s.
    Upload {
        /// To whom.
        vehicle: VehicleId,
        /// The plan.
        plan: Box<Plan>,
    },
    /// Read the vehicle's mission, fence and rally points.
    Download {
        /// From whom.
        vehicle: VehicleId,
    },
}

/// What came of a request.
#[derive(Debug, Clone)]
pub enum LinkReply {
    /// A command finished.
    Command {
        /// To whom.
        vehicle: VehicleId,
        /// What.
        command: VehicleCommand,
        /// Accepted, or why not.
        result: Result<(), String>,
    },
    /// A mission transfer advanced.
    Progress {
        /// Which vehicle.
        vehicle: VehicleId,
        /// Which list.
        list: MissionType,
        /// How far.
        progress: Progress,
    },
    /// An upload finished.
    Uploaded {
        /// To whom.
        vehicle: VehicleId,
        /// Done, or why not.
        result: Result<(), String>,
    },
    /// A download finished.
    Downloaded {
        /// From whom.
        vehicle: VehicleId,
        /// The plan, or why not.
        result: Result<Box<Plan>, String>,
    },
}

/// The ECS end of the link: the latest fleet state, events, replies, and requests.
#[derive(Resource)]
pub struct LinkChannels {
    /// Latest fleet snapshot.
    pub fleet: watch::Receiver<FleetSnapshot>,
    /// Fleet events in order.
    pub events: mpsc::Receiver<Event>,
    /// Replies to requests.
    pub replies: mpsc::Receiver<LinkReply>,
    /// Requests to the link thread.
    pub requests: mpsc::Sender<LinkRequest>,
}

/// The running link thread and its channels.
pub struct LinkBridge {
    channels: LinkChannels,
    _thread: thread::JoinHandle<()>,
}

impl LinkBridge {
    /// Starts the link (and the simulated fleet unless `--no-sim`) on a tokio thread;
    /// returns once the sockets are open.
    pub fn start(args: &Args) -> Result<Self> {
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
                        Ok((channels, idle)) => {
                            let _ = ready_tx.send(Ok(channels));
                            idle.await;
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                        }
                    }
                });
            })
            .context("starting the link thread")?;
        let channels = ready_rx
            .recv_timeout(START_TIMEOUT)
            .context("the link thread did not start in time")??;
        Ok(Self {
            channels,
            _thread: thread,
        })
    }
}

/// Opens the links, starts the simulator and the request loop; the returned future runs
/// until the app exits.
async fn run_link(
    args: &Args,
) -> Result<(LinkChannels, impl std::future::Future<Output = ()> + use<>)> {
    let mut addresses = args.connect.clone();
    let sim_link = args.with_sim().then_some(addresses.len());
    if sim_link.is_some() {
        addresses.push("udpin:127.0.0.1:0".parse::<LinkAddress>().expect("literal"));
    }
    let mut cfg = LinkConfig::new(addresses);
    cfg.gcs_sysid = args.sysid;
    let mut link = gcs_link::start(cfg).await.context("opening the links")?;

    let sim = match sim_link {
        Some(i) => {
            let port = link
                .local_addr(i)
                .context("the simulator's loopback link has no port")?
                .port();
            let mut sim_cfg = gcs_sim::SimConfig::new(format!("udpout:127.0.0.1:{port}").parse()?);
            sim_cfg.vehicles = crate::sim_fleet::fleet(args.drones);
            sim_cfg.speed = args.speed;
            Some(
                gcs_sim::start(sim_cfg)
                    .await
                    .context("starting the simulated drones")?,
            )
        }
        None => None,
    };

    let (event_tx, events) = mpsc::channel(QUEUE_LEN);
    let (reply_tx, replies) = mpsc::channel(QUEUE_LEN);
    let (requests, mut request_rx) = mpsc::channel::<LinkRequest>(QUEUE_LEN);
    let fleet = link.fleet();
    let sender = link.sender();
    let missions = MissionClient::new(sender.clone());

    let idle = async move {
        let _sim = sim;
        loop {
            tokio::select! {
                e = link.next_event() => match e {
                    // A full queue drops the event (the ECS is stalled); the snapshot
                    // still carries the state.
                    Some(e) => { let _ = event_tx.try_send(e); }
                    None => break,
                },
                r = request_rx.recv() => match r {
                    Some(r) => {
                        let (sender, missions, reply_tx) =
                            (sender.clone(), missions.clone(), reply_tx.clone());
                        tokio::spawn(async move {
                            serve(r, &sender, &missions, &reply_tx).await;
                        });
                    }
                    None => break,
                },
            }
        }
    };
    Ok((
        LinkChannels {
            fleet,
            events,
            replies,
            requests,
        },
        idle,
    ))
}

/// Sends `commands` in order, replying for each, stopping at the first that fails.
async fn commands_in_order(
    vehicle: VehicleId,
    commands: Vec<VehicleCommand>,
    sender: &gcs_link::LinkSender,
    replies: &mpsc::Sender<LinkReply>,
) {
    for command in commands {
        let result = sender
            .command(vehicle, command)
            .await
            .map_err(|e| e.to_string());
        let failed = result.is_err();
        let _ = replies
            .send(LinkReply::Command {
                vehicle,
                command,
                result,
            })
            .await;
        if failed {
            break;
        }
    }
}

async fn serve(
    r: LinkRequest,
    sender: &gcs_link::LinkSender,
    missions: &MissionClient,
    replies: &mpsc::Sender<LinkReply>,
) {
    match r {
        LinkRequest::Command { vehicle, command } => {
            commands_in_order(vehicle, vec![command], sender, replies).await;
        }
        LinkRequest::Sequence { vehicle, commands } => {
            commands_in_order(vehicle, commands, sender, replies).await;
        }
        LinkRequest::Upload { vehicle, plan } => {
            let result = upload(vehicle, &plan, missions, replies).await;
            let _ = replies.send(LinkReply::Uploaded { vehicle, result }).await;
        }
        LinkRequest::Download { vehicle } => {
            let result = download(vehicle, missions, replies).await.map(Box::new);
            let _ = replies
                .send(LinkReply::Downloaded { vehicle, result })
                .await;
        }
    }
}

fn progress_reporter(
    vehicle: VehicleId,
    list: MissionType,
    replies: &mpsc::Sender<LinkReply>,
) -> impl FnMut(Progress) + use<> {
    let replies = replies.clone();
    move |progress| {
        let _ = replies.try_send(LinkReply::Progress {
            vehicle,
            list,
            progress,
        });
    }
}

async fn upload(
    vehicle: VehicleId,
    plan: &Plan,
    missions: &MissionClient,
    replies: &mpsc::Sender<LinkReply>,
) -> Result<(), String> {
    let lists = [
        (
            MissionType::Mission,
            plan_mavlink::mission_to_raw(&plan.mission),
        ),
        (MissionType::Fence, plan_mavlink::fence_to_raw(&plan.fence)),
        (
            MissionType::Rally,
            plan_mavlink::rally_to_raw(&plan.rally_points),
        ),
    ];
    for (list, items) in lists {
        if items.is_empty() && list != MissionType::Mission {
            missions
                .clear(vehicle, list)
                .await
                .map_err(|e| format!("clearing the {list:?} list: {e}"))?;
            continue;
        }
        missions
            .upload(
                vehicle,
                list,
                items,
                progress_reporter(vehicle, list, replies),
                None,
            )
            .await
            .map_err(|e| format!("uploading the {list:?} list: {e}"))?;
    }
    Ok(())
}

async fn download(
    vehicle: VehicleId,
    missions: &MissionClient,
    replies: &mpsc::Sender<LinkReply>,
) -> Result<Plan, String> {
    let fetch = async |list| {
        missions
            .download(
                vehicle,
                list,
                progress_reporter(vehicle, list, replies),
                None,
            )
            .await
            .map_err(|e| format!("downloading the {list:?} list: {e}"))
    };
    let mission = fetch(MissionType::Mission).await?;
    let fence = fetch(MissionType::Fence).await?;
    let rally = fetch(MissionType::Rally).await?;
    Ok(Plan {
        // PX4 keeps no home at seq 0 in its mission list.
        mission: plan_mavlink::mission_from_raw(&mission, false).map_err(|e| e.to_string())?,
        fence: plan_mavlink::fence_from_raw(&fence).map_err(|e| e.to_string())?,
        rally_points: plan_mavlink::rally_from_raw(&rally).map_err(|e| e.to_string())?,
    })
}

/// The latest fleet state, as the ECS sees it.
#[derive(Resource, Default, Debug, Clone)]
pub struct Fleet(pub FleetSnapshot);

/// A fleet event, as a Bevy message.
#[derive(Message, Debug, Clone)]
pub struct FleetEvent(pub Event);

/// A reply to a request, as a Bevy message.
#[derive(Message, Debug, Clone)]
pub struct FleetReply(pub LinkReply);

/// A request from any panel or tool, forwarded to the link thread by [`drain_link`].
#[derive(Message, Debug, Clone)]
pub struct SendRequest(pub LinkRequest);

/// Adds the link resources and the drain system.
pub struct LinkPlugin {
    channels: std::sync::Mutex<Option<(LinkChannels, Option<thread::JoinHandle<()>>)>>,
}

impl LinkPlugin {
    /// The plugin over a running link thread.
    pub fn new(bridge: LinkBridge) -> Self {
        Self {
            channels: std::sync::Mutex::new(Some((bridge.channels, Some(bridge._thread)))),
        }
    }

    /// The plugin over hand-made channels (tests: a fake link).
    #[cfg(test)]
    pub fn fake(channels: LinkChannels) -> Self {
        Self {
            channels: std::sync::Mutex::new(Some((channels, None))),
        }
    }
}

/// Keeps the link thread's handle alive as long as the app.
#[derive(Resource)]
struct LinkThread(#[allow(dead_code)] Option<thread::JoinHandle<()>>);

impl Plugin for LinkPlugin {
    fn build(&self, app: &mut App) {
        let (channels, thread) = self
            .channels
            .lock()
            .ok()
            .and_then(|mut c| c.take())
            .expect("LinkPlugin is built once");
        app.insert_resource(channels)
            .insert_resource(LinkThread(thread))
            .init_resource::<Fleet>()
            .add_message::<FleetEvent>()
            .add_message::<FleetReply>()
            .add_message::<SendRequest>()
            .add_systems(PreUpdate, drain_link);
    }
}

/// Most events and replies taken per frame, so a burst never stalls a frame.
const DRAIN_PER_FRAME: usize = 4096;

/// The one system that talks to the link thread.
pub fn drain_link(
    mut channels: ResMut<LinkChannels>,
    mut fleet: ResMut<Fleet>,
    mut events: MessageWriter<FleetEvent>,
    mut replies: MessageWriter<FleetReply>,
    mut requests: MessageReader<SendRequest>,
) {
    if channels.fleet.has_changed().unwrap_or(false) {
        fleet.0 = channels.fleet.borrow_and_update().clone();
    }
    for _ in 0..DRAIN_PER_FRAME {
        match channels.events.try_recv() {
            Ok(e) => {
                events.write(FleetEvent(e));
            }
            Err(_) => break,
        }
    }
    for _ in 0..DRAIN_PER_FRAME {
        match channels.replies.try_recv() {
            Ok(r) => {
                replies.write(FleetReply(r));
            }
            Err(_) => break,
        }
    }
    for SendRequest(r) in requests.read() {
        if let Err(e) = channels.requests.try_send(r.clone()) {
            warn!("link request dropped: {e}");
        }
    }
}

#[cfg(test)]
pub mod fake {
    //! A fake link for plugin tests: channels with no sockets behind them.
    use super::*;

    /// The far ends of a fake link's channels.
    pub struct FakeLink {
        /// Publishes fleet snapshots.
        pub fleet: watch::Sender<FleetSnapshot>,
        /// Sends events.
        pub events: mpsc::Sender<Event>,
        /// Sends replies.
        pub replies: mpsc::Sender<LinkReply>,
        /// Receives the app's requests.
        pub requests: mpsc::Receiver<LinkRequest>,
    }

    /// A fake link and the plugin over it.
    pub fn link() -> (FakeLink, LinkPlugin) {
        let (fleet_tx, fleet) = watch::channel(FleetSnapshot::default());
        let (events_tx, events) = mpsc::channel(QUEUE_LEN);
        let (replies_tx, replies) = mpsc::channel(QUEUE_LEN);
        let (requests, requests_rx) = mpsc::channel(QUEUE_LEN);
        (
            FakeLink {
                fleet: fleet_tx,
                events: events_tx,
                replies: replies_tx,
                requests: requests_rx,
            },
            LinkPlugin::fake(LinkChannels {
                fleet,
                events,
                replies,
                requests,
            }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use gcs_link::VehicleState;
    use gcs_link::vehicle::LandedState;

    /// The real link thread with one in-process simulated PX4 over loopback UDP: the
    /// app sees it, commands it through the request channel and watches it take off.
    #[test]
    fn the_link_thread_flies_a_simulated_drone() {
        let args = Args::parse_from(["gcs", "--drones", "1", "--speed", "5"]);
        let bridge = LinkBridge::start(&args).expect("link and simulator start");
        let mut app = App::new();
        app.add_plugins((MinimalPlugins, LinkPlugin::new(bridge)))
            .init_resource::<Replies>()
            .add_systems(Update, keep_replies);
        let wait = |app: &mut App, what: &str, f: &dyn Fn(&VehicleState) -> bool| {
            for _ in 0..6000 {
                app.update();
                if app.world().resource::<Fleet>().0.vehicles.values().any(f) {
                    return app
                        .world()
                        .resource::<Fleet>()
                        .0
                        .vehicles
                        .values()
                        .next()
                        .unwrap()
                        .id;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            panic!(
                "timed out waiting for {what}: {:?}",
                app.world().resource::<Fleet>().0
            );
        };
        let id = wait(&mut app, "a 3D fix and home", &|v| {
            v.home.is_some() && v.position.is_some()
        });
        // What the app's "Take off" sends to a disarmed drone.
        app.world_mut()
            .write_message(SendRequest(LinkRequest::Sequence {
                vehicle: id,
                commands: vec![
                    VehicleCommand::Arm,
                    VehicleCommand::Takeoff { alt_rel_m: 20.0 },
                ],
            }));
        wait(&mut app, "the take-off", &|v| {
            v.armed
                && v.landed == LandedState::InAir
                && v.position.is_some_and(|p| p.alt_rel_m > 5.0)
        });
        let replies = &app.world().resource::<Replies>().0;
        assert!(
            replies.iter().any(|r| matches!(
                r,
                LinkReply::Command {
                    command: VehicleCommand::Takeoff { .. },
                    result: Ok(()),
                    ..
                }
            )),
            "the take-off was acknowledged: {replies:?}"
        );
    }

    /// A plan goes up to the simulated PX4 (mission, fence, rally) through the link
    /// thread with progress, and comes back down the same.
    #[test]
    fn plans_upload_and_download_through_the_link_thread() {
        use mission_planner::{
            Altitude, AltitudeReference, FencePolygon, LatLon, MissionItem, RallyPoint,
        };
        let args = Args::parse_from(["gcs", "--drones", "1"]);
        let bridge = LinkBridge::start(&args).expect("link and simulator start");
        let mut app = App::new();
        app.add_plugins((MinimalPlugins, LinkPlugin::new(bridge)))
            .init_resource::<Replies>()
            .add_systems(Update, keep_replies);
        let id = loop {
            app.update();
            if let Some(v) = app.world().resource::<Fleet>().0.vehicles.values().next() {
                break v.id;
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let alt = Altitude {
            alt_m: 60.0,
            reference: AltitudeReference::Home,
        };
        let mut plan = Plan::default();
        plan.mission.items = (0..12)
            .map(|i| {
                let p = LatLon::new(16.97 + f64::from(i) * 0.002, 7.99);
                if i == 0 {
                    MissionItem::takeoff(p, alt)
                } else {
                    MissionItem::waypoint(p, alt)
                }
            })
            .collect();
        plan.fence.polygons.push(FencePolygon {
            vertices: vec![
                LatLon::new(16.9, 7.9),
                LatLon::new(16.9, 8.1),
                LatLon::new(17.1, 8.1),
                LatLon::new(17.1, 7.9),
            ],
            inclusion: true,
        });
        plan.rally_points
            .push(RallyPoint::new(LatLon::new(16.98, 7.98), 40.0));
        app.world_mut()
            .write_message(SendRequest(LinkRequest::Upload {
                vehicle: id,
                plan: Box::new(plan.clone()),
            }));
        let until = |app: &mut App, f: &dyn Fn(&LinkReply) -> bool| {
            for _ in 0..6000 {
                app.update();
                if app.world().resource::<Replies>().0.iter().any(f) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            panic!("timed out: {:?}", app.world().resource::<Replies>().0);
        };
        until(&mut app, &|r| matches!(r, LinkReply::Uploaded { .. }));
        let replies = &app.world().resource::<Replies>().0;
        assert!(
            replies
                .iter()
                .any(|r| matches!(r, LinkReply::Uploaded { result: Ok(()), .. })),
            "{replies:?}"
        );
        assert!(
            replies.iter().any(|r| matches!(
                r,
                LinkReply::Progress { list: MissionType::Mission, progress, .. } if progress.done == 12
            )),
            "progress reached every mission item: {replies:?}"
        );
        app.world_mut()
            .write_message(SendRequest(LinkRequest::Download { vehicle: id }));
        until(&mut app, &|r| matches!(r, LinkReply::Downloaded { .. }));
        let back = app
            .world()
            .resource::<Replies>()
            .0
            .iter()
            .find_map(|r| match r {
                LinkReply::Downloaded { result, .. } => Some(result.clone()),
                _ => None,
            })
            .unwrap()
            .expect("download succeeded");
        assert_eq!(back.mission.items.len(), 12);
        for (a, b) in back.mission.items.iter().zip(&plan.mission.items) {
            let (pa, pb) = (a.position().unwrap(), b.position().unwrap());
            assert!(
                (pa.lat_deg - pb.lat_deg).abs() < 1e-6 && (pa.lon_deg - pb.lon_deg).abs() < 1e-6
            );
        }
        assert_eq!(back.fence.polygons.len(), 1);
        assert_eq!(back.fence.polygons[0].vertices.len(), 4);
        assert_eq!(back.rally_points.len(), 1);
    }

    #[derive(Resource, Default)]
    struct Replies(Vec<LinkReply>);

    fn keep_replies(mut r: MessageReader<FleetReply>, mut out: ResMut<Replies>) {
        out.0.extend(r.read().map(|FleetReply(r)| r.clone()));
    }

    #[test]
    fn drain_moves_snapshots_events_replies_and_requests() {
        let (mut far, plugin) = fake::link();
        let mut app = App::new();
        app.add_plugins((MinimalPlugins, plugin));
        let id = VehicleId {
            sysid: 7,
            compid: 1,
        };
        let mut snap = FleetSnapshot::default();
        snap.vehicles.insert(id, VehicleState::new(id));
        far.fleet.send(snap.clone()).unwrap();
        far.events.try_send(Event::VehicleDiscovered(id)).unwrap();
        far.replies
            .try_send(LinkReply::Command {
                vehicle: id,
                command: VehicleCommand::Hold,
                result: Ok(()),
            })
            .unwrap();
        app.world_mut()
            .write_message(SendRequest(LinkRequest::Command {
                vehicle: id,
                command: VehicleCommand::ReturnToLaunch,
            }));
        app.update();
        assert_eq!(app.world().resource::<Fleet>().0, snap);
        let events: Vec<_> = app
            .world_mut()
            .resource_mut::<Messages<FleetEvent>>()
            .drain()
            .collect();
        assert!(matches!(events[..], [FleetEvent(Event::VehicleDiscovered(v))] if v == id));
        let replies = app.world().resource::<Messages<FleetReply>>().len();
        assert_eq!(replies, 1);
        match far.requests.try_recv() {
            Ok(LinkRequest::Command { vehicle, command }) => {
                assert_eq!(vehicle, id);
                assert_eq!(command, VehicleCommand::ReturnToLaunch);
            }
            other => panic!("expected the RTL request, got {other:?}"),
        }
    }
}
