//! Protocol timings and queue sizes, in one place (as MAVSDK keeps them in `mavsdk_impl.hpp`).

use std::time::Duration;

/// Interval of the GCS HEARTBEAT sent on every link (MAVLink heartbeat protocol: 1 Hz).
pub const GCS_HEARTBEAT_INTERVAL: Duration = Duration::from_secs(1);

/// A vehicle not heard (HEARTBEAT) for this long is link-lost (QGroundControl uses 3.5 s).
pub const LINK_LOST_TIMEOUT: Duration = Duration::from_millis(3500);

/// Wait for COMMAND_ACK before retransmitting a command.
pub const COMMAND_ACK_TIMEOUT: Duration = Duration::from_millis(1000);

/// Transmissions of one command before it times out (the first and three retries).
pub const COMMAND_MAX_ATTEMPTS: u8 = 4;

/// Wait for the final ACK after the vehicle answered MAV_RESULT_IN_PROGRESS.
pub const COMMAND_IN_PROGRESS_TIMEOUT: Duration = Duration::from_secs(30);

/// How often the core checks timers (retransmissions, link loss) and publishes the snapshot.
pub const CORE_TICK: Duration = Duration::from_millis(50);

/// Frames waiting between the transports and the core.
pub const INBOUND_QUEUE: usize = 8192;

/// Requests (commands) waiting for the core; a full queue is reported, not hidden.
pub const REQUEST_QUEUE: usize = 64;

/// Events waiting for the application; when full, new events are counted as dropped.
pub const EVENT_QUEUE: usize = 1024;

/// Smoothing of the per-link quality figure: weight of each new packet (about a 50-packet window).
pub const LINK_QUALITY_ALPHA: f64 = 0.02;

/// MAV_COMP_ID_MISSIONPLANNER: the component id ground stations use.
pub const GCS_COMPONENT_ID: u8 = 190;

/// The system id ground stations use by default.
pub const GCS_SYSTEM_ID: u8 = 255;
