//! A fake link for plugin tests: channels with no sockets behind them.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use gcs_link::{Event, FleetSnapshot};
use tokio::sync::{mpsc, watch};

use crate::link::channels::{EventSource, LinkChannels};
use crate::link::drain::LinkPlugin;
use crate::link::requests::{LinkReply, LinkRequest};
use crate::link::thread::QUEUE_LEN;

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
    link_with_queues(QUEUE_LEN)
}

/// A fake link whose queues hold `len` items (tests of what a full queue does).
pub fn link_with_queues(len: usize) -> (FakeLink, LinkPlugin) {
    let (fleet_tx, fleet) = watch::channel(FleetSnapshot::default());
    let (events_tx, events) = mpsc::channel(len);
    let (replies_tx, replies) = mpsc::channel(len);
    let (requests, requests_rx) = mpsc::channel(len);
    (
        FakeLink {
            fleet: fleet_tx,
            events: events_tx,
            replies: replies_tx,
            requests: requests_rx,
        },
        LinkPlugin::new(LinkChannels {
            fleet,
            events: EventSource::Fake(events),
            replies,
            requests,
            dropped_progress: Arc::new(AtomicU64::new(0)),
            thread: None,
        }),
    )
}
