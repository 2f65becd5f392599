//! Telemetry streams at PX4's default rates on a GCS link ("normal" mode), and the
//! messages they carry.

use std::time::Duration;

use gcs_link::mavlink::dialects::common::*;

use crate::model::SimVehicle;

/// A message the vehicle streams or sends on request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stream {
    /// HEARTBEAT.
    Heartbeat,
    /// ATTITUDE.
    Attitude,
    /// ATTITUDE_QUATERNION.
    AttitudeQuaternion,
    /// ATTITUDE_TARGET.
    AttitudeTarget,
    /// LOCAL_POSITION_NED.
    LocalPositionNed,
    /// POSITION_TARGET_LOCAL_NED.
    PositionTargetLocalNed,
    /// GLOBAL_POSITION_INT.
    GlobalPositionInt,
    /// SERVO_OUTPUT_RAW.
    ServoOutputRaw,
    /// VFR_HUD.
    VfrHud,
    /// SYS_STATUS.
    SysStatus,
    /// GPS_RAW_INT.
    GpsRawInt,
    /// EXTENDED_SYS_STATE.
    ExtendedSysState,
    /// BATTERY_STATUS.
    BatteryStatus,
    /// ALTITUDE.
    Altitude,
    /// HOME_POSITION.
    HomePosition,
    /// SCALED_PRESSURE.
    ScaledPressure,
    /// LINK_NODE_STATUS.
    LinkNodeStatus,
    /// PING (PX4 pings its GCS link).
    Ping,
    /// DISTANCE_SENSOR (SIH's downward range finder).
    DistanceSensor,
    /// ESTIMATOR_STATUS.
    EstimatorStatus,
    /// VIBRATION.
    Vibration,
    /// TIME_ESTIMATE_TO_TARGET.
    TimeEstimateToTarget,
    /// CURRENT_MODE.
    CurrentMode,
    /// CURRENT_EVENT_SEQUENCE.
    CurrentEventSequence,
    /// OPEN_DRONE_ID_LOCATION (Remote ID).
    OpenDroneIdLocation,
    /// OPEN_DRONE_ID_SYSTEM (Remote ID).
    OpenDroneIdSystem,
    /// AUTOPILOT_VERSION (on request only).
    AutopilotVersion,
}

/// The messages PX4 SITL streams unasked on its GCS link and their rates in Hz, as
/// measured by the conformance probe (`tests/px4/reference.json`): ~368 messages/s.
/// MISSION_CURRENT (1 Hz) comes from the mission server.
pub const DEFAULT_STREAMS: [(Stream, f64); 26] = [
    (Stream::Heartbeat, 1.0),
    (Stream::SysStatus, 1.0),
    (Stream::Ping, 0.1),
    (Stream::LinkNodeStatus, 1.0),
    (Stream::GpsRawInt, 5.0),
    (Stream::ScaledPressure, 1.0),
    (Stream::Attitude, 50.0),
    (Stream::AttitudeQuaternion, 50.0),
    (Stream::LocalPositionNed, 50.0),
    (Stream::GlobalPositionInt, 50.0),
    (Stream::ServoOutputRaw, 50.0),
    (Stream::VfrHud, 4.0),
    (Stream::AttitudeTarget, 50.0),
    (Stream::PositionTargetLocalNed, 50.0),
    (Stream::DistanceSensor, 0.5),
    (Stream::Altitude, 1.0),
    (Stream::BatteryStatus, 0.5),
    (Stream::EstimatorStatus, 0.5),
    (Stream::Vibration, 0.1),
    (Stream::HomePosition, 0.5),
    (Stream::ExtendedSysState, 1.0),
    (Stream::TimeEstimateToTarget, 0.5),
    (Stream::CurrentEventSequence, 0.3),
    (Stream::CurrentMode, 0.5),
    (Stream::OpenDroneIdLocation, 1.0),
    (Stream::OpenDroneIdSystem, 1.0),
];

impl Stream {
    /// The stream carrying MAVLink message `id`, if the simulator has it.
    pub fn from_message_id(id: u32) -> Option<Self> {
        Some(match id {
            0 => Self::Heartbeat,
            1 => Self::SysStatus,
            4 => Self::Ping,
            8 => Self::LinkNodeStatus,
            24 => Self::GpsRawInt,
            29 => Self::ScaledPressure,
            30 => Self::Attitude,
            31 => Self::AttitudeQuaternion,
            32 => Self::LocalPositionNed,
            33 => Self::GlobalPositionInt,
            36 => Self::ServoOutputRaw,
            74 => Self::VfrHud,
            83 => Self::AttitudeTarget,
            85 => Self::PositionTargetLocalNed,
            132 => Self::DistanceSensor,
            141 => Self::Altitude,
            147 => Self::BatteryStatus,
            148 => Self::AutopilotVersion,
            230 => Self::EstimatorStatus,
            241 => Self::Vibration,
            242 => Self::HomePosition,
            245 => Self::ExtendedSysState,
            380 => Self::TimeEstimateToTarget,
            411 => Self::CurrentEventSequence,
            436 => Self::CurrentMode,
            12901 => Self::OpenDroneIdLocation,
            12904 => Self::OpenDroneIdSystem,
            _ => return None,
        })
    }

    /// Interval for a rate in Hz.
    pub fn interval(rate_hz: f64) -> Duration {
        Duration::from_secs_f64(1.0 / rate_hz)
    }
}

/// MAV_SYS_STATUS_SENSOR bits PX4 reports healthy in SITL: gyro, accel, mag, baro, GPS, battery.
const SENSORS_OK: u32 = 0x01 | 0x02 | 0x04 | 0x08 | 0x20 | 0x0200_0000;

impl SimVehicle {
    /// Builds the message of `stream` as of now; `boot_ms` is wall time since boot.
    pub fn message(&self, stream: Stream, boot_ms: u32) -> MavMessage {
        let (lat, lon) = self.pos.to_deg_e7();
        let alt_mm = (self.alt_amsl_m * 1000.0).round() as i32;
        let rel_mm = (self.alt_rel_m() * 1000.0).round() as i32;
        let [vn, ve, vd] = self.vel_ned_mps;
        let ground_speed = vn.hypot(ve);
        match stream {
            Stream::Heartbeat => MavMessage::HEARTBEAT(HEARTBEAT_DATA {
                custom_mode: self.mode.to_px4_custom_mode(),
                mavtype: MavType::MAV_TYPE_QUADROTOR,
                autopilot: MavAutopilot::MAV_AUTOPILOT_PX4,
                base_mode: MavModeFlag::from_bits_truncate(self.mode.to_px4_base_mode(self.armed)),
                system_status: if self.failsafe {
                    MavState::MAV_STATE_CRITICAL
                } else if self.armed {
                    MavState::MAV_STATE_ACTIVE
                } else {
                    MavState::MAV_STATE_STANDBY
                },
                mavlink_version: 3,
            }),
            Stream::Attitude => {
                let [roll, pitch, yaw] = self.attitude_rad();
                MavMessage::ATTITUDE(ATTITUDE_DATA {
                    time_boot_ms: boot_ms,
                    roll: roll as f32,
                    pitch: pitch as f32,
                    yaw: yaw as f32,
                    ..Default::default()
                })
            }
            Stream::GlobalPositionInt => {
                MavMessage::GLOBAL_POSITION_INT(GLOBAL_POSITION_INT_DATA {
                    time_boot_ms: boot_ms,
                    lat,
                    lon,
                    alt: alt_mm,
                    relative_alt: rel_mm,
                    vx: (vn * 100.0).round() as i16,
                    vy: (ve * 100.0).round() as i16,
                    vz: (vd * 100.0).round() as i16,
                    hdg: self.heading_cdeg(),
                })
            }
            Stream::VfrHud => MavMessage::VFR_HUD(VFR_HUD_DATA {
                airspeed: ground_speed as f32,
                groundspeed: ground_speed as f32,
                alt: self.alt_amsl_m as f32,
                climb: (-vd) as f32,
                heading: self.heading_deg.rem_euclid(360.0).round() as i16 % 360,
                throttle: if self.armed { 50 } else { 0 },
            }),
            Stream::SysStatus => {
                let sensors = MavSysStatusSensor::from_bits_truncate(SENSORS_OK);
                MavMessage::SYS_STATUS(SYS_STATUS_DATA {
                    onboard_control_sensors_present: sensors,
                    onboard_control_sensors_enabled: sensors,
                    onboard_control_sensors_health: sensors,
                    load: 250,
                    voltage_battery: (self.voltage_v() * 1000.0).round() as u16,
                    current_battery: (self.current_a() * 100.0).round() as i16,
                    battery_remaining: self.battery_pct(),
                    ..Default::default()
                })
            }
            Stream::GpsRawInt => {
                let fix = self.has_gps_fix();
                MavMessage::GPS_RAW_INT(GPS_RAW_INT_DATA {
                    time_usec: u64::from(boot_ms) * 1000,
                    lat: if fix { lat } else { 0 },
                    lon: if fix { lon } else { 0 },
                    alt: if fix { alt_mm } else { 0 },
                    eph: if fix { 80 } else { u16::MAX },
                    epv: if fix { 120 } else { u16::MAX },
                    vel: (ground_speed * 100.0).round() as u16,
                    cog: self.heading_cdeg(),
                    fix_type: if fix {
                        GpsFixType::GPS_FIX_TYPE_3D_FIX
                    } else {
                        GpsFixType::GPS_FIX_TYPE_NO_FIX
                    },
                    satellites_visible: if fix { 14 } else { 3 },
                    ..Default::default()
                })
            }
            Stream::ExtendedSysState => MavMessage::EXTENDED_SYS_STATE(EXTENDED_SYS_STATE_DATA {
                vtol_state: MavVtolState::MAV_VTOL_STATE_UNDEFINED,
                landed_state: if self.landed {
                    MavLandedState::MAV_LANDED_STATE_ON_GROUND
                } else if self.mode == crate::FlightMode::Takeoff {
                    MavLandedState::MAV_LANDED_STATE_TAKEOFF
                } else if self.mode == crate::FlightMode::Land
                    || (self.mode == crate::FlightMode::Return
                        && self.return_phase == crate::model::ReturnPhase::Land)
                {
                    MavLandedState::MAV_LANDED_STATE_LANDING
                } else {
                    MavLandedState::MAV_LANDED_STATE_IN_AIR
                },
            }),
            Stream::BatteryStatus => {
                let mut voltages = [u16::MAX; 10];
                let cell_mv = (self.voltage_v() / 4.0 * 1000.0).round() as u16;
                voltages[..4].fill(cell_mv);
                MavMessage::BATTERY_STATUS(BATTERY_STATUS_DATA {
                    current_consumed: self.consumed_mah.round() as i32,
                    energy_consumed: -1,
                    temperature: i16::MAX,
                    voltages,
                    current_battery: (self.current_a() * 100.0).round() as i16,
                    id: 0,
                    battery_function: MavBatteryFunction::MAV_BATTERY_FUNCTION_ALL,
                    mavtype: MavBatteryType::MAV_BATTERY_TYPE_LIPO,
                    battery_remaining: self.battery_pct(),
                    ..Default::default()
                })
            }
            Stream::Altitude => MavMessage::ALTITUDE(ALTITUDE_DATA {
                time_usec: u64::from(boot_ms) * 1000,
                altitude_monotonic: self.alt_amsl_m as f32,
                altitude_amsl: self.alt_amsl_m as f32,
                altitude_local: self.alt_rel_m() as f32,
                altitude_relative: self.alt_rel_m() as f32,
                altitude_terrain: f32::NAN,
                bottom_clearance: self.alt_rel_m() as f32,
            }),
            Stream::HomePosition => {
                let (hlat, hlon) = self.home.to_deg_e7();
                MavMessage::HOME_POSITION(HOME_POSITION_DATA {
                    latitude: hlat,
                    longitude: hlon,
                    altitude: (self.home_alt_amsl_m * 1000.0).round() as i32,
                    q: [1.0, 0.0, 0.0, 0.0],
                    time_usec: u64::from(boot_ms) * 1000,
                    ..Default::default()
                })
            }
            Stream::AutopilotVersion => MavMessage::AUTOPILOT_VERSION(AUTOPILOT_VERSION_DATA {
                capabilities: MavProtocolCapability::from_bits_truncate(
                    MavProtocolCapability::MAV_PROTOCOL_CAPABILITY_MISSION_INT.bits()
                        | MavProtocolCapability::MAV_PROTOCOL_CAPABILITY_COMMAND_INT.bits()
                        | MavProtocolCapability::MAV_PROTOCOL_CAPABILITY_MAVLINK2.bits(),
                ),
                // PX4 encodes versions as 0xMMmmpp<type>: 1.15.0 release.
                flight_sw_version: 0x010F_00FF,
                ..Default::default()
            }),
            other => self.px4_extra_message(other, boot_ms),
        }
    }

    /// Heading in centidegrees, 0..36000 (MAVLink's `hdg`, `cog` and `direction`).
    pub fn heading_cdeg(&self) -> u16 {
        ((self.heading_deg.rem_euclid(360.0) * 100.0).round() as u16) % 36000
    }

    /// Roll, pitch and yaw (radians, yaw in -π..π): level on the ground, leaning into
    /// the direction of travel in flight, as a multicopter does.
    pub fn attitude_rad(&self) -> [f64; 3] {
        let [vn, ve, _] = self.vel_ned_mps;
        let ground_speed = vn.hypot(ve);
        let tilt = (ground_speed / 12.0 * 20f64.to_radians()).min(35f64.to_radians());
        let yaw = self.heading_deg.to_radians();
        let course = ve.atan2(vn);
        let yaw = if yaw > std::f64::consts::PI {
            yaw - std::f64::consts::TAU
        } else {
            yaw
        };
        [
            tilt * (course - yaw).sin(),
            -tilt * (course - yaw).cos(),
            yaw,
        ]
    }

    /// Remaining battery as MAVLink's whole percent.
    pub fn battery_pct(&self) -> i8 {
        (self.battery * 100.0).round().clamp(0.0, 100.0) as i8
    }
}
