//! A PX4-faithful simulated multicopter speaking MAVLink over real links.
//!
//! Vigil's default fleet and the vehicle every test flies. Each vehicle runs in its own
//! tokio task on its own link, like a PX4 SITL instance, and answers as PX4 does:
//!
//! - **HEARTBEAT**: `MAV_AUTOPILOT_PX4`, `MAV_TYPE_QUADROTOR`, PX4's `custom_mode`
//!   (`main_mode << 16 | sub_mode << 24`) and `base_mode` flags
//!   (`get_mavlink_navigation_mode`), `MAV_STATE` standby / active / critical in failsafe.
//! - **Streams**: PX4 SITL's GCS stream, its set and rates as measured on PX4 SITL
//!   (`tests/px4/reference.json`, ~368 messages/s): ATTITUDE, ATTITUDE_QUATERNION,
//!   ATTITUDE_TARGET, LOCAL_POSITION_NED, POSITION_TARGET_LOCAL_NED, GLOBAL_POSITION_INT
//!   and SERVO_OUTPUT_RAW at 50 Hz, GPS_RAW_INT 5 Hz, VFR_HUD 4 Hz, the rest at 0.1–1 Hz
//!   ([`telemetry::DEFAULT_STREAMS`]); `MAV_CMD_SET_MESSAGE_INTERVAL` and
//!   `MAV_CMD_REQUEST_MESSAGE` honoured. Long STATUSTEXTs go in chunks, as PX4 sends them.
//! - **Parameters**: PX4 SITL's whole list (903, `px4/params.tsv`) with its types and defaults.
//! - **Commands** (commander / navigator): arming is `TEMPORARILY_REJECTED` ("Arming
//!   denied: Resolve system health failures first") until the preflight checks pass
//!   (3D GPS fix, battery above `BAT_LOW_THR`) and in a mode it cannot fly; disarm in
//!   flight is refused unless forced (param2 = 21196); takeoff's param7 is AMSL (NaN:
//!   home + `MIS_TAKEOFF_ALT`, "Using default takeoff altitude"), accepted while disarmed
//!   (takes off on arming); DO_SET_MODE is read as commander reads it (an unknown main
//!   mode is ACCEPTED and changes nothing, an unknown auto sub-mode is refused); any mode
//!   is taken while disarmed, and while armed only one it can fly (manual modes and
//!   Offboard need RC or setpoints it never has: "Switching to X is currently not
//!   available"); `DO_REPOSITION` switches to Hold only with the change-mode flag, and is
//!   otherwise accepted but flown only in Hold; unknown commands are `UNSUPPORTED`.
//!   Every answer is a COMMAND_ACK to the sender.
//! - **Flight**: take-off after PX4 SITL's spool-up delay, climbing at `MPC_TKO_SPEED`
//!   (a mission's take-off at `MPC_Z_V_AUTO_UP`) after its ramp, then Hold; Return climbs
//!   to PX4's return altitude (`RTL_RETURN_ALT`, lowered inside `RTL_MIN_DIST` by the
//!   `RTL_CONE_ANG` cone), flies home, descends to `RTL_DESCEND_ALT` and lands; landing
//!   slows from `MPC_LAND_ALT1` to `MPC_LAND_SPEED` at `MPC_LAND_ALT2` and crawls the last
//!   metre; auto-disarm `COM_DISARM_LAND` after landing and `COM_DISARM_PRFLT` after
//!   arming without takeoff. PX4's texts: "Takeoff detected", "Returning to launch",
//!   "RTL: start return at …", "Landing detected", "Disarmed by landing".
//! - **Failsafes**: GCS heartbeat silent for `COM_DL_LOSS_T` (wall seconds, from when
//!   PX4's receiver stops counting it) holds for `COM_FAIL_ACT_T`, then applies
//!   `NAV_DLL_ACT` ("Failsafe activated", "GCS connection regained"); battery at
//!   `BAT_LOW_THR` warns, at `BAT_CRIT_THR` and `BAT_EMERGEN_THR` applies
//!   `COM_LOW_BAT_ACT` (warn / land / return then land).
//!
//! - **Missions** (`mavlink_mission.cpp`, navigator): MISSION, FENCE and RALLY lists with
//!   PX4 SITL's limits (10000 / 64 / 32 items, more is MAV_MISSION_NO_SPACE), accepted
//!   commands and frames, error ACKs, item re-requests every 250 ms (an item out of order
//!   is dropped, not an error), a 5 s protocol timeout, the last ACK repeated when the
//!   last item comes again, any other item outside an upload answered MAV_MISSION_ERROR
//!   with PX4's STATUSTEXT ("IGN MISSION_ITEM: No transfer" / "Busy"), PX4's `_int_mode`
//!   (the old MISSION_REQUEST / MISSION_ITEM until the ground station sends an _INT
//!   message), opaque ids (CRC-32) in MISSION_COUNT / MISSION_ACK / MISSION_CURRENT;
//!   MISSION_CURRENT at 1 Hz (mission_state left UNKNOWN, as PX4 does) and
//!   MISSION_ITEM_REACHED once per NAV item; `MISSION_START` and the
//!   Mission mode fly takeoff, waypoints (acceptance radius, hold time), loiters, delay,
//!   land and return, with DO_CHANGE_SPEED and DO_JUMP; Hold when the list ends.
//!   Mission legs fly at `MPC_XY_CRUISE` (5 m/s) until a DO_CHANGE_SPEED (param2 > 0;
//!   -1 or 0 keeps the speed), clamped to `MPC_XY_VEL_MAX` (12 m/s); a new mission and
//!   Return start again at the cruise default (navigator's `reset_cruising_speed`).
//! - **Geofence** per `GF_ACTION` (inclusion/exclusion polygons and circles); Return goes to
//!   the closest of home and the rally points.
//!
//! - **Signing** (`MavlinkSignControl`): with a key (given at start or by SETUP_SIGNING)
//!   every frame out is signed and frames in must be correctly signed with a fresh
//!   timestamp, except HEARTBEAT, RADIO_STATUS, ADSB_VEHICLE and COLLISION; the rest
//!   are dropped silently and counted ([`SimHandle::signing`]).
//!
//! Not simulated: terrain (the ground is flat at home altitude), wind, sensors' noise.

pub mod commands;
pub mod failsafe;
pub mod faults;
pub mod geofence;
pub mod mission_exec;
mod mission_items;
pub mod mission_server;
pub mod model;
pub mod param_server;
pub mod params;
pub mod runner;
pub mod signing;
pub mod telemetry;
mod telemetry_px4;

pub use faults::Faults;
pub use gcs_link::FlightMode;
pub use model::{BatteryModel, SimVehicle};
pub use params::{DataLinkLossAction, GeofenceAction, LowBatteryAction, Px4Params};
pub use runner::{AGADEZ, SimConfig, SimError, SimHandle, VehicleSpec, start};
pub use signing::SimSigningStatus;
