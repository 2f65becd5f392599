//! Protocol timings and queue sizes, in one place (as MAVSDK keeps them in `mavsdk_impl.hpp`).

use std::time::Duration;

/// Vehicles one link may bring into the fleet; a HEARTBEAT from a new (sysid, compid)
/// beyond that is refused and counted (spoofed heartbeats must not grow the table
/// without bound). Known vehicles are always kept.
pub const MAX_VEHICLES_PER_LINK: usize = 64;

/// Vehicles in the fleet over every link together.
pub const MAX_VEHICLES: usize = 256;

/// A vehicle link-lost for this long may be forgotten to make room for a new one when
/// the fleet is full (the one lost longest goes first); before that it stays listed.
pub const VEHICLE_FORGET_AFTER: Duration = Duration::from_secs(60);

/// Headers of frames received but not decoded (another dialect's) held for the next
/// decoded frame of a link; beyond that they are let go and link quality counts them
/// lost, so a flood of frames that never decode cannot grow memory without bound.
pub const MAX_UNDECODED_HELD: usize = 1024;

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

/// Mission transfers: round-trip timeout before any sample (MAVLink's suggested 1.5 s).
pub const MISSION_RTT_INITIAL: Duration = Duration::from_millis(1500);

/// Mission transfers: shortest timeout however fast the link (PX4 retries every 250 ms).
pub const MISSION_RTT_MIN: Duration = Duration::from_millis(100);

/// Mission transfers: longest timeout however slow the link.
pub const MISSION_RTT_MAX: Duration = Duration::from_secs(5);

/// Mission transfers: retransmissions of one step before the transfer fails.
pub const MISSION_MAX_RETRIES: u32 = 20;

/// The telemetry log writer hands its buffer to the operating system at least this
/// often, so a killed process loses at most this much of its `.tlog`.
pub const TLOG_FLUSH_INTERVAL: Duration = Duration::from_millis(500);

/// The telemetry log writer also asks the operating system to put the file on disk
/// (`sync_data`) this often, and when the log closes, so a power loss loses at most
/// this much; syncing is slow, so it is rarer than the flush.
pub const TLOG_SYNC_INTERVAL: Duration = Duration::from_secs(5);

/// Bytes the telemetry log writer buffers before writing them out between flushes.
pub const TLOG_BUFFER_BYTES: usize = 64 * 1024;

/// Frames waiting for the telemetry log writer; beyond that they are dropped and counted.
pub const TLOG_QUEUE: usize = 65_536;

/// Longest pause between two frames that a `tlog:` replay reproduces, in log time
/// (a gap in a log, e.g. a ground station left idle, is shortened to this).
pub const TLOG_REPLAY_MAX_GAP: Duration = Duration::from_secs(10);

/// Log entries read ahead of a `tlog:` replay's clock.
pub const TLOG_REPLAY_READ_AHEAD: usize = 1024;

/// Wait for the first PARAM_VALUE after PARAM_REQUEST_LIST before asking again.
pub const PARAM_LIST_START_TIMEOUT: Duration = Duration::from_millis(1000);

/// Silence in the parameter stream after which missing indices are re-requested
/// (PX4 streams the list in bursts of up to 20 PARAM_VALUE per cycle on UDP).
pub const PARAM_STREAM_GAP_TIMEOUT: Duration = Duration::from_millis(500);

/// Wait for PARAM_VALUE after PARAM_REQUEST_READ or PARAM_SET before retransmitting.
pub const PARAM_READ_TIMEOUT: Duration = Duration::from_millis(750);

/// Transmissions of one parameter request (list, read of one index or name, set)
/// before it fails: at 20 % loss each way one try fails 36 % of the time, ten in a row
/// 0.004 %.
pub const PARAM_MAX_ATTEMPTS: u8 = 10;

/// Reads of one parameter by name that must go unanswered, while the `_HASH_CHECK`
/// read sent with each is answered, before the vehicle is taken to have no such
/// parameter (PX4 answers an unknown name with nothing): about 2 s instead of every
/// retry's 7.5 s.
pub const PARAM_NO_SUCH_AFTER: u8 = 3;

/// Missing indices re-requested at once with PARAM_REQUEST_READ.
pub const PARAM_READS_IN_FLIGHT: usize = 10;

/// PARAM_VALUE frames waiting between the link core and a parameter transfer.
pub const PARAM_QUEUE: usize = 512;
