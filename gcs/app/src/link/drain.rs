//! The one system that talks to the link: fleet snapshots, events and replies in,
//! requests out, and what was dropped on the way, counted where the operator sees it.

use std::sync::Mutex;

use bevy::prelude::*;
use gcs_link::{Event, FleetSnapshot};

use crate::link::channels::LinkChannels;
use crate::link::requests::{LinkReply, LinkRequest};

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

/// What was lost between the link and the screen because a bounded queue was full.
/// Shown in the status bar and written to the frame statistics.
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LinkDrops {
    /// Fleet events gcs-link's event queue dropped (the app fell behind).
    pub events: u64,
    /// Transfer progress reports the reply queue had no room for.
    pub progress: u64,
    /// Requests the link thread's queue had no room for (the command was not sent).
    pub requests: u64,
}

impl LinkDrops {
    /// Whether anything at all was dropped.
    pub fn any(&self) -> bool {
        self.events + self.progress + self.requests > 0
    }

    /// A short line for the status bar, e.g. "dropped: 3 events, 1 request".
    pub fn summary(&self) -> String {
        let parts: Vec<String> = [
            (self.events, "event"),
            (self.progress, "progress report"),
            (self.requests, "request"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}{}", if n == 1 { "" } else { "s" }))
        .collect();
        format!("link dropped {}", parts.join(", "))
    }
}

/// Adds the link's channels, the fleet resource, the link messages and the drain
/// system. A plugin with data (the channels of a started link) rather than a function.
pub struct LinkPlugin {
    channels: Mutex<Option<LinkChannels>>,
}

impl LinkPlugin {
    /// The plugin over a started link ([`crate::link::start`]) or a fake one (tests).
    pub fn new(channels: LinkChannels) -> Self {
        Self {
            channels: Mutex::new(Some(channels)),
        }
    }
}

impl Plugin for LinkPlugin {
    fn build(&self, app: &mut App) {
        let channels = self
            .channels
            .lock()
            .ok()
            .and_then(|mut c| c.take())
            .expect("LinkPlugin is built once");
        app.insert_resource(channels)
            .init_resource::<Fleet>()
            .init_resource::<LinkDrops>()
            .add_message::<FleetEvent>()
            .add_message::<FleetReply>()
            .add_message::<SendRequest>()
            .add_systems(PreUpdate, drain_link);
    }
}

/// Most events and replies taken per frame, so a burst never stalls a frame (the rest
/// wait in their queues for the next frame).
const DRAIN_PER_FRAME: usize = 4096;

/// The one system that talks to the link thread.
pub fn drain_link(
    mut channels: ResMut<LinkChannels>,
    mut fleet: ResMut<Fleet>,
    mut drops: ResMut<LinkDrops>,
    mut events: MessageWriter<FleetEvent>,
    mut replies: MessageWriter<FleetReply>,
    mut requests: MessageReader<SendRequest>,
) {
    if channels.fleet.has_changed().unwrap_or(false) {
        fleet.0 = channels.fleet.borrow_and_update().clone();
    }
    for _ in 0..DRAIN_PER_FRAME {
        let Some(e) = channels.events.try_next() else {
            break;
        };
        events.write(FleetEvent(e));
    }
    for _ in 0..DRAIN_PER_FRAME {
        let Ok(r) = channels.replies.try_recv() else {
            break;
        };
        replies.write(FleetReply(r));
    }
    let mut dropped_requests = drops.requests;
    for SendRequest(r) in requests.read() {
        if let Err(e) = channels.requests.try_send(r.clone()) {
            warn!("link request dropped: {e}");
            dropped_requests += 1;
        }
    }
    let now = LinkDrops {
        events: fleet.0.dropped_events,
        progress: channels.dropped_progress(),
        requests: dropped_requests,
    };
    if *drops != now {
        *drops = now;
    }
}
