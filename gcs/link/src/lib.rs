//! Vigil's MAVLink core: links to drones, vehicle discovery and state, and commands.
//!
//! Async I/O runs in tokio tasks; the application holds one [`LinkHandle`] (bounded
//! request queue, bounded event queue, a `watch` of the latest [`FleetSnapshot`]).
//! Framing and CRC come from rust-mavlink's `common` dialect; the protocol logic
//! (fleet state, command retransmission) is sans-IO and tested without sockets.
//! With [`LinkConfig::signing`] every frame out is MAVLink 2 signed and frames in are
//! checked ([`signing`]); the snapshot counts what the checks dropped.
//! This crate has no Bevy in its dependency tree.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use gcs_link::{LinkConfig, VehicleCommand};
//! let link = gcs_link::start(LinkConfig::new(vec!["udpin:0.0.0.0:14550".parse()?])).await?;
//! let drone = link.wait_for_vehicle(1, std::time::Duration::from_secs(10)).await?;
//! link.command(drone, VehicleCommand::Arm).await?;
//! # Ok(()) }
//! ```

pub mod address;
pub mod command;
pub mod command_tracker;
pub mod constants;
mod core;
pub mod crc;
pub mod event;
pub mod fleet;
pub mod frame;
pub mod frame_stream;
mod handle;
pub mod link_quality;
pub mod mission;
pub mod params;
pub mod px4_mode;
pub mod signing;
pub mod tlog;
pub mod transport;
pub mod vehicle;

pub use address::{AddressError, LinkAddress};
pub use command::{CommandError, Rejection, VehicleCommand};
pub use core::{LinkConfig, StartError, start};
pub use event::Event;
pub use fleet::FleetLimits;
pub use fleet::FleetSnapshot;
pub use handle::{LinkHandle, LinkSender, MessageFilter, WaitError};
pub use mavlink;
pub use px4_mode::FlightMode;
pub use signing::{SigningKey, SigningStats};
pub use vehicle::{Severity, VehicleId, VehicleState};
pub use vigil_values::LatLon;
