//! The MAVLink link: a tokio thread that owns the sockets and the simulated fleet, and
//! the one system that drains it into the ECS.
//!
//! Exists so no frame ever waits on I/O. The ECS holds gcs-link's own handle (its
//! bounded event queue and a `watch` of the latest fleet snapshot), a bounded reply
//! queue and a bounded request queue; every drop on the way is counted ([`LinkDrops`]).
//! Tests build the channels by hand ([`fake`]): a fake link with no sockets.

mod channels;
mod drain;
#[cfg(test)]
pub mod fake;
mod requests;
pub mod sim_fleet;
#[cfg(test)]
mod tests;
mod thread;
mod transfer;

pub use drain::{Fleet, FleetEvent, FleetReply, LinkDrops, LinkPlugin, SendRequest};
pub use requests::{LinkReply, LinkRequest};
pub use thread::{link_config, start};
