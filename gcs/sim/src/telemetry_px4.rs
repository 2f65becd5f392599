//! The rest of PX4 SITL's GCS stream: the messages a ground station mostly ignores but
//! that make up most of PX4's ~368 messages/s (attitude and position targets at 50 Hz,
//! servo outputs, pressure, estimator, Remote ID, events), so that a fleet of simulated
//! vehicles loads a link as a fleet of PX4s does. Each carries the model's state where
//! the model has it, and PX4's values for a healthy SIH quadrotor otherwise.

use gcs_link::mavlink::dialects::common::*;
use vigil_values::local_frame::LocalFrame;

use crate::model::SimVehicle;
use crate::telemetry::Stream;

/// PX4's hover thrust estimate for the SIH quad (`MPC_THR_HOVER`).
const HOVER_THRUST: f32 = 0.5;
/// Standard sea-level pressure, hPa.
const SEA_LEVEL_HPA: f64 = 1013.25;

impl SimVehicle {
    /// North, east, down of the vehicle from home (PX4's local origin), metres.
    fn local_ned_m(&self) -> [f64; 3] {
        let (east, north) = LocalFrame::new(self.home).to_east_north(self.pos);
        [north, east, -(self.alt_amsl_m - self.home_alt_amsl_m)]
    }

    /// Attitude as a quaternion (w, x, y, z) from roll, pitch and yaw.
    fn quaternion(&self) -> [f32; 4] {
        let [r, p, y] = self.attitude_rad();
        let (sr, cr) = (r / 2.0).sin_cos();
        let (sp, cp) = (p / 2.0).sin_cos();
        let (sy, cy) = (y / 2.0).sin_cos();
        [
            (cr * cp * cy + sr * sp * sy) as f32,
            (sr * cp * cy - cr * sp * sy) as f32,
            (cr * sp * cy + sr * cp * sy) as f32,
            (cr * cp * sy - sr * sp * cy) as f32,
        ]
    }

    /// The messages of [`Stream`]s beyond the ones a ground station reads.
    pub(crate) fn px4_extra_message(&self, stream: Stream, boot_ms: u32) -> MavMessage {
        // Each arm computes only what its message carries: these go out at 50 Hz a vehicle.
        let [vn, ve, vd] = self.vel_ned_mps;
        let time_usec = u64::from(boot_ms) * 1000;
        match stream {
            Stream::AttitudeQuaternion => {
                let [q1, q2, q3, q4] = self.quaternion();
                MavMessage::ATTITUDE_QUATERNION(ATTITUDE_QUATERNION_DATA {
                    time_boot_ms: boot_ms,
                    q1,
                    q2,
                    q3,
                    q4,
                    ..Default::default()
                })
            }
            Stream::AttitudeTarget => MavMessage::ATTITUDE_TARGET(ATTITUDE_TARGET_DATA {
                time_boot_ms: boot_ms,
                q: self.quaternion(),
                thrust: if self.armed { HOVER_THRUST } else { 0.0 },
                ..Default::default()
            }),
            Stream::LocalPositionNed => {
                let [n, e, d] = self.local_ned_m();
                MavMessage::LOCAL_POSITION_NED(LOCAL_POSITION_NED_DATA {
                    time_boot_ms: boot_ms,
                    x: n as f32,
                    y: e as f32,
                    z: d as f32,
                    vx: vn as f32,
                    vy: ve as f32,
                    vz: vd as f32,
                })
            }
            Stream::PositionTargetLocalNed => {
                let [n, e, d] = self.local_ned_m();
                MavMessage::POSITION_TARGET_LOCAL_NED(POSITION_TARGET_LOCAL_NED_DATA {
                    time_boot_ms: boot_ms,
                    x: n as f32,
                    y: e as f32,
                    z: d as f32,
                    vx: vn as f32,
                    vy: ve as f32,
                    vz: vd as f32,
                    yaw: self.attitude_rad()[2] as f32,
                    coordinate_frame: MavFrame::MAV_FRAME_LOCAL_NED,
                    ..Default::default()
                })
            }
            Stream::ServoOutputRaw => {
                // Motors spinning or stopped; the values are the simulator's own (the
                // probe records SERVO_OUTPUT_RAW's rate, not its contents).
                let pwm = if self.armed { 1500 } else { 900 };
                MavMessage::SERVO_OUTPUT_RAW(SERVO_OUTPUT_RAW_DATA {
                    time_usec: time_usec as u32,
                    servo1_raw: pwm,
                    servo2_raw: pwm,
                    servo3_raw: pwm,
                    servo4_raw: pwm,
                    ..Default::default()
                })
            }
            Stream::ScaledPressure => {
                // ISA troposphere: p = p0 (1 - 2.25577e-5 h)^5.25588.
                let press = SEA_LEVEL_HPA * (1.0 - 2.255_77e-5 * self.alt_amsl_m).powf(5.255_88);
                MavMessage::SCALED_PRESSURE(SCALED_PRESSURE_DATA {
                    time_boot_ms: boot_ms,
                    press_abs: press as f32,
                    temperature: 2500,
                    ..Default::default()
                })
            }
            Stream::LinkNodeStatus => MavMessage::LINK_NODE_STATUS(LINK_NODE_STATUS_DATA {
                timestamp: time_usec,
                ..Default::default()
            }),
            // PX4 still pings its links with the deprecated PING.
            #[allow(deprecated)]
            Stream::Ping => MavMessage::PING(PING_DATA {
                time_usec,
                seq: boot_ms / 10_000,
                target_system: 0,
                target_component: 0,
            }),
            Stream::DistanceSensor => MavMessage::DISTANCE_SENSOR(DISTANCE_SENSOR_DATA {
                time_boot_ms: boot_ms,
                min_distance: 1,
                max_distance: 10_000,
                current_distance: (self.alt_rel_m().max(0.0) * 100.0).round().min(10_000.0) as u16,
                orientation: MavSensorOrientation::MAV_SENSOR_ROTATION_PITCH_270,
                ..Default::default()
            }),
            Stream::EstimatorStatus => MavMessage::ESTIMATOR_STATUS(ESTIMATOR_STATUS_DATA {
                time_usec,
                flags: EstimatorStatusFlags::from_bits_truncate(if self.has_gps_fix() {
                    0x3FF
                } else {
                    0x07
                }),
                pos_horiz_accuracy: 0.5,
                pos_vert_accuracy: 0.7,
                ..Default::default()
            }),
            Stream::Vibration => MavMessage::VIBRATION(VIBRATION_DATA {
                time_usec,
                vibration_x: 0.02,
                vibration_y: 0.02,
                vibration_z: 0.03,
                ..Default::default()
            }),
            Stream::TimeEstimateToTarget => {
                MavMessage::TIME_ESTIMATE_TO_TARGET(TIME_ESTIMATE_TO_TARGET_DATA {
                    safe_return: -1,
                    land: -1,
                    mission_next_item: -1,
                    mission_end: -1,
                    commanded_action: -1,
                })
            }
            Stream::CurrentMode => MavMessage::CURRENT_MODE(CURRENT_MODE_DATA {
                custom_mode: self.mode.to_px4_custom_mode(),
                intended_custom_mode: self.mode.to_px4_custom_mode(),
                ..Default::default()
            }),
            Stream::CurrentEventSequence => {
                MavMessage::CURRENT_EVENT_SEQUENCE(CURRENT_EVENT_SEQUENCE_DATA {
                    sequence: 0,
                    ..Default::default()
                })
            }
            Stream::OpenDroneIdLocation => {
                let (lat, lon) = self.pos.to_deg_e7();
                MavMessage::OPEN_DRONE_ID_LOCATION(OPEN_DRONE_ID_LOCATION_DATA {
                    latitude: lat,
                    longitude: lon,
                    altitude_geodetic: self.alt_amsl_m as f32,
                    height: self.alt_rel_m() as f32,
                    speed_horizontal: (vn.hypot(ve) * 100.0).round() as u16,
                    speed_vertical: (-vd * 100.0).round() as i16,
                    direction: self.heading_cdeg(),
                    status: if self.landed {
                        MavOdidStatus::MAV_ODID_STATUS_GROUND
                    } else {
                        MavOdidStatus::MAV_ODID_STATUS_AIRBORNE
                    },
                    ..Default::default()
                })
            }
            Stream::OpenDroneIdSystem => {
                let (lat, lon) = self.home.to_deg_e7();
                MavMessage::OPEN_DRONE_ID_SYSTEM(OPEN_DRONE_ID_SYSTEM_DATA {
                    operator_latitude: lat,
                    operator_longitude: lon,
                    operator_altitude_geo: self.home_alt_amsl_m as f32,
                    ..Default::default()
                })
            }
            // The ones a ground station reads are built in `telemetry.rs`.
            other => self.message(other, boot_ms),
        }
    }
}
