//! The ECS end of the link: gcs-link's handle itself (events and fleet snapshots), the
//! replies to requests, and the request queue.
//!
//! Exists so the one drain system reads the link's own bounded event queue, with no
//! second queue in between (gcs-link counts what its queue dropped, in the snapshot).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

use bevy::prelude::*;
use gcs_link::{Event, FleetSnapshot, LinkHandle};
use tokio::sync::{mpsc, watch};

use crate::link::requests::{LinkReply, LinkRequest};

/// Where fleet events come from: the link core's own queue, or a test's channel.
pub enum EventSource {
    /// gcs-link's handle (dropping it stops the core).
    Link(LinkHandle),
    /// A fake link's channel (plugin tests).
    #[cfg(test)]
    Fake(mpsc::Receiver<Event>),
}

impl EventSource {
    /// The next queued event, without waiting.
    pub fn try_next(&mut self) -> Option<Event> {
        match self {
            EventSource::Link(link) => link.try_next_event(),
            #[cfg(test)]
            EventSource::Fake(rx) => rx.try_recv().ok(),
        }
    }
}

/// The ECS end of the link: the latest fleet state, events, replies, and requests.
#[derive(Resource)]
pub struct LinkChannels {
    /// Latest fleet snapshot.
    pub fleet: watch::Receiver<FleetSnapshot>,
    /// Fleet events in order, read straight from the link core.
    pub events: EventSource,
    /// Replies to requests.
    pub replies: mpsc::Receiver<LinkReply>,
    /// Requests to the link thread.
    pub requests: mpsc::Sender<LinkRequest>,
    /// Progress reports the link thread dropped because the reply queue was full.
    pub dropped_progress: Arc<AtomicU64>,
    /// The link thread, kept as long as the app.
    pub thread: Option<thread::JoinHandle<()>>,
}

impl LinkChannels {
    /// How many progress reports the link thread dropped.
    pub fn dropped_progress(&self) -> u64 {
        self.dropped_progress.load(Ordering::Relaxed)
    }
}
