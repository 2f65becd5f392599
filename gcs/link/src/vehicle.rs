//! What the ground station knows about one vehicle, updated from its telemetry.

use mavlink::dialects::common::{
    GpsFixType, MavAutopilot, MavLandedState, MavMessage, MavModeFlag, MavSeverity, MavState,
    MavType,
};
use serde::Serialize;
use vigil_values::LatLon;

use crate::link_quality::LinkQuality;
use crate::px4_mode::FlightMode;
use crate::transport::LinkId;

/// A vehicle's MAVLink identity: system id and autopilot component id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct VehicleId {
    /// MAVLink system id (1..=255).
    pub sysid: u8,
    /// Component id of the autopilot (1 for PX4).
    pub compid: u8,
}

impl std::fmt::Display for VehicleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "vehicle {}/{}", self.sysid, self.compid)
    }
}

/// Which flight stack a vehicle runs (decides how its mode is decoded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Autopilot {
    /// PX4: modes decoded as [`FlightMode`].
    Px4,
    /// ArduPilot: its modes are not decoded yet (shown as `Unknown(raw)`).
    ArduPilot,
    /// Any other MAV_AUTOPILOT value.
    Other(u8),
}

/// Airframe class, from HEARTBEAT's MAV_TYPE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Airframe {
    /// Quad-, hexa-, octo- or tricopter.
    Multicopter,
    /// Fixed wing.
    FixedWing,
    /// VTOL of any kind.
    Vtol,
    /// Ground rover or boat.
    Surface,
    /// Anything else.
    Other,
}

/// MAV_STATE as PX4 reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SystemStatus {
    /// Not initialised or unknown.
    Uninit,
    /// Booting.
    Boot,
    /// Calibrating.
    Calibrating,
    /// Ready, on the ground, disarmed.
    Standby,
    /// Armed and flying or ready to.
    Active,
    /// A failsafe is active.
    Critical,
    /// Emergency: the vehicle is going down.
    Emergency,
    /// Powering off.
    PowerOff,
    /// Flight termination.
    Terminating,
}

/// Landed state from EXTENDED_SYS_STATE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub enum LandedState {
    /// Not reported yet.
    #[default]
    Unknown,
    /// On the ground.
    OnGround,
    /// In the air.
    InAir,
    /// Taking off.
    Takeoff,
    /// Landing.
    Landing,
}

/// A position with both altitude references.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Position {
    /// Latitude and longitude, degrees.
    pub lat_lon: LatLon,
    /// Altitude above mean sea level, metres.
    pub alt_amsl_m: f64,
    /// Altitude above home, metres.
    pub alt_rel_m: f64,
}

/// Velocity in the local North-East-Down frame.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct VelocityNed {
    /// North, m/s.
    pub north_mps: f64,
    /// East, m/s.
    pub east_mps: f64,
    /// Down, m/s (negative when climbing).
    pub down_mps: f64,
}

impl VelocityNed {
    /// Horizontal speed over ground, m/s.
    pub fn ground_speed_mps(&self) -> f64 {
        self.north_mps.hypot(self.east_mps)
    }
}

/// Attitude in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Attitude {
    /// Roll, degrees, right wing down positive.
    pub roll_deg: f64,
    /// Pitch, degrees, nose up positive.
    pub pitch_deg: f64,
    /// Yaw, degrees clockwise from north, 0..360.
    pub yaw_deg: f64,
}

/// Battery figures; each is `None` until the vehicle reports it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct Battery {
    /// Remaining charge, percent.
    pub remaining_pct: Option<f64>,
    /// Pack voltage, volts.
    pub voltage_v: Option<f64>,
    /// Current drawn, amperes.
    pub current_a: Option<f64>,
}

/// GPS fix quality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum GpsFix {
    /// No GPS connected.
    NoGps,
    /// No fix.
    NoFix,
    /// 2D fix.
    Fix2d,
    /// 3D fix.
    Fix3d,
    /// DGPS.
    Dgps,
    /// RTK float.
    RtkFloat,
    /// RTK fixed.
    RtkFixed,
    /// Static or PPP.
    Other,
}

/// GPS receiver state.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Gps {
    /// Fix type.
    pub fix: GpsFix,
    /// Satellites used, when known.
    pub satellites: Option<u8>,
    /// Horizontal dilution of precision, when known.
    pub hdop: Option<f64>,
}

/// STATUSTEXT severity (RFC 5424 levels, as MAVLink uses them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Severity {
    /// System is unusable.
    Emergency,
    /// Action must be taken immediately.
    Alert,
    /// Critical conditions.
    Critical,
    /// Error conditions.
    Error,
    /// Warning conditions.
    Warning,
    /// Normal but significant.
    Notice,
    /// Informational.
    Info,
    /// Debug.
    Debug,
}

impl Severity {
    /// Whether an operator must see it (warning or worse).
    pub fn needs_attention(self) -> bool {
        self <= Self::Warning
    }
}

/// A STATUSTEXT message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusText {
    /// Severity.
    pub severity: Severity,
    /// The text, trailing NULs removed.
    pub text: String,
}

/// Mission progress as the vehicle reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct MissionProgress {
    /// Current mission item (MISSION_CURRENT.seq).
    pub current_seq: Option<u16>,
    /// Items in the mission, when the vehicle reports it (MAVLink 2 extension).
    pub total: Option<u16>,
    /// Last item reached (MISSION_ITEM_REACHED).
    pub last_reached: Option<u16>,
    /// Opaque id of the vehicle's mission plan (MISSION_CURRENT.mission_id; PX4: a CRC).
    pub mission_id: Option<u32>,
    /// Opaque id of the vehicle's geofence (MISSION_CURRENT.fence_id).
    pub fence_id: Option<u32>,
    /// Opaque id of the vehicle's rally points (MISSION_CURRENT.rally_points_id).
    pub rally_id: Option<u32>,
}

/// The state of one link to a vehicle.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct VehicleLink {
    /// Which link.
    pub link: LinkId,
    /// Whether a HEARTBEAT came on this link within the link-loss timeout.
    pub alive: bool,
    /// Seconds since the last HEARTBEAT on this link.
    pub heartbeat_age_s: f64,
    /// Packet accounting on this link.
    pub quality: LinkQuality,
}

/// Everything known about one vehicle: the fleet snapshot holds one per vehicle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VehicleState {
    /// Identity.
    pub id: VehicleId,
    /// Flight stack.
    pub autopilot: Autopilot,
    /// Airframe class.
    pub airframe: Airframe,
    /// Whether the motors are armed.
    pub armed: bool,
    /// Flight mode (PX4 decoded).
    pub mode: FlightMode,
    /// MAV_STATE.
    pub system_status: SystemStatus,
    /// Landed state.
    pub landed: LandedState,
    /// Position, once GLOBAL_POSITION_INT arrived.
    pub position: Option<Position>,
    /// Velocity NED, once GLOBAL_POSITION_INT arrived.
    pub velocity: Option<VelocityNed>,
    /// Heading over ground, degrees 0..360.
    pub heading_deg: Option<f64>,
    /// Attitude.
    pub attitude: Option<Attitude>,
    /// Battery.
    pub battery: Battery,
    /// GPS.
    pub gps: Option<Gps>,
    /// Home position (HOME_POSITION).
    pub home: Option<Position>,
    /// Mission progress.
    pub mission: MissionProgress,
    /// Last STATUSTEXT.
    pub last_status: Option<StatusText>,
    /// Whether the vehicle is link-lost (no HEARTBEAT on any link for 3.5 s).
    pub link_lost: bool,
    /// Whether the last GLOBAL_POSITION_INT carried a heading (else VFR_HUD's is used).
    #[serde(skip)]
    pub heading_from_position: bool,
    /// The link commands go out on: the live one with the best quality.
    pub best_link: Option<LinkId>,
    /// Every link the vehicle was heard on.
    pub links: Vec<VehicleLink>,
}

impl VehicleState {
    /// A vehicle just discovered from its first HEARTBEAT.
    pub fn new(id: VehicleId) -> Self {
        Self {
            id,
            autopilot: Autopilot::Other(0),
            airframe: Airframe::Other,
            armed: false,
            mode: FlightMode::Unknown(0),
            system_status: SystemStatus::Uninit,
            landed: LandedState::Unknown,
            position: None,
            velocity: None,
            heading_deg: None,
            attitude: None,
            battery: Battery::default(),
            gps: None,
            home: None,
            mission: MissionProgress::default(),
            last_status: None,
            link_lost: false,
            heading_from_position: false,
            best_link: None,
            links: Vec::new(),
        }
    }

    /// Applies one telemetry message from this vehicle; returns a STATUSTEXT if it was one.
    pub fn apply(&mut self, msg: &MavMessage) -> Option<StatusText> {
        match msg {
            MavMessage::HEARTBEAT(hb) => {
                self.autopilot = match hb.autopilot {
                    MavAutopilot::MAV_AUTOPILOT_PX4 => Autopilot::Px4,
                    MavAutopilot::MAV_AUTOPILOT_ARDUPILOTMEGA => Autopilot::ArduPilot,
                    other => Autopilot::Other(other as u8),
                };
                self.airframe = airframe(hb.mavtype);
                self.armed = hb
                    .base_mode
                    .contains(MavModeFlag::MAV_MODE_FLAG_SAFETY_ARMED);
                self.mode = match self.autopilot {
                    Autopilot::Px4 => FlightMode::from_px4_custom_mode(hb.custom_mode),
                    _ => FlightMode::Unknown(hb.custom_mode),
                };
                self.system_status = system_status(hb.system_status);
            }
            // Hostile or corrupt values never reach the state: an out-of-range position
            // or a non-finite attitude is dropped, the last good one kept.
            MavMessage::GLOBAL_POSITION_INT(p) if LatLon::from_deg_e7(p.lat, p.lon).is_valid() => {
                self.position = Some(Position {
                    lat_lon: LatLon::from_deg_e7(p.lat, p.lon),
                    alt_amsl_m: f64::from(p.alt) / 1000.0,
                    alt_rel_m: f64::from(p.relative_alt) / 1000.0,
                });
                self.velocity = Some(VelocityNed {
                    north_mps: f64::from(p.vx) / 100.0,
                    east_mps: f64::from(p.vy) / 100.0,
                    down_mps: f64::from(p.vz) / 100.0,
                });
                self.heading_from_position = p.hdg != u16::MAX;
                if self.heading_from_position {
                    self.heading_deg = Some(f64::from(p.hdg) / 100.0);
                }
            }
            MavMessage::ATTITUDE(a)
                if a.roll.is_finite() && a.pitch.is_finite() && a.yaw.is_finite() =>
            {
                self.attitude = Some(Attitude {
                    roll_deg: f64::from(a.roll).to_degrees(),
                    pitch_deg: f64::from(a.pitch).to_degrees(),
                    yaw_deg: f64::from(a.yaw).to_degrees().rem_euclid(360.0),
                });
            }
            MavMessage::SYS_STATUS(s) => {
                if s.voltage_battery != u16::MAX {
                    self.battery.voltage_v = Some(f64::from(s.voltage_battery) / 1000.0);
                }
                if s.current_battery >= 0 {
                    self.battery.current_a = Some(f64::from(s.current_battery) / 100.0);
                }
                if s.battery_remaining >= 0 {
                    self.battery.remaining_pct = Some(f64::from(s.battery_remaining));
                }
            }
            MavMessage::BATTERY_STATUS(b) => {
                if b.battery_remaining >= 0 {
                    self.battery.remaining_pct = Some(f64::from(b.battery_remaining));
                }
                if b.current_battery >= 0 {
                    self.battery.current_a = Some(f64::from(b.current_battery) / 100.0);
                }
            }
            MavMessage::GPS_RAW_INT(g) => {
                self.gps = Some(Gps {
                    fix: gps_fix(g.fix_type),
                    satellites: (g.satellites_visible != u8::MAX).then_some(g.satellites_visible),
                    hdop: (g.eph != u16::MAX).then(|| f64::from(g.eph) / 100.0),
                });
            }
            MavMessage::EXTENDED_SYS_STATE(e) => {
                self.landed = match e.landed_state {
                    MavLandedState::MAV_LANDED_STATE_ON_GROUND => LandedState::OnGround,
                    MavLandedState::MAV_LANDED_STATE_IN_AIR => LandedState::InAir,
                    MavLandedState::MAV_LANDED_STATE_TAKEOFF => LandedState::Takeoff,
                    MavLandedState::MAV_LANDED_STATE_LANDING => LandedState::Landing,
                    _ => LandedState::Unknown,
                };
            }
            MavMessage::HOME_POSITION(h)
                if LatLon::from_deg_e7(h.latitude, h.longitude).is_valid() =>
            {
                self.home = Some(Position {
                    lat_lon: LatLon::from_deg_e7(h.latitude, h.longitude),
                    alt_amsl_m: f64::from(h.altitude) / 1000.0,
                    alt_rel_m: 0.0,
                });
            }
            // GLOBAL_POSITION_INT's heading wins when it has one; otherwise VFR_HUD's.
            MavMessage::VFR_HUD(v) if !self.heading_from_position => {
                self.heading_deg = Some(f64::from(v.heading).rem_euclid(360.0));
            }
            MavMessage::MISSION_CURRENT(m) => {
                self.mission.current_seq = Some(m.seq);
                self.mission.total = (m.total != u16::MAX).then_some(m.total);
                self.mission.mission_id = (m.mission_id != 0).then_some(m.mission_id);
                self.mission.fence_id = (m.fence_id != 0).then_some(m.fence_id);
                self.mission.rally_id = (m.rally_points_id != 0).then_some(m.rally_points_id);
            }
            MavMessage::MISSION_ITEM_REACHED(m) => {
                self.mission.last_reached = Some(m.seq);
            }
            MavMessage::STATUSTEXT(s) => {
                let bytes: &[u8] = s.text.as_ref();
                let end = bytes.iter().position(|b| *b == 0).unwrap_or(bytes.len());
                let st = StatusText {
                    severity: severity(s.severity),
                    text: String::from_utf8_lossy(&bytes[..end]).into_owned(),
                };
                self.last_status = Some(st.clone());
                return Some(st);
            }
            _ => {}
        }
        None
    }
}

fn airframe(t: MavType) -> Airframe {
    use MavType::*;
    match t {
        MAV_TYPE_QUADROTOR | MAV_TYPE_HEXAROTOR | MAV_TYPE_OCTOROTOR | MAV_TYPE_TRICOPTER
        | MAV_TYPE_COAXIAL | MAV_TYPE_HELICOPTER | MAV_TYPE_DODECAROTOR => Airframe::Multicopter,
        MAV_TYPE_FIXED_WING => Airframe::FixedWing,
        MAV_TYPE_VTOL_TAILSITTER_DUOROTOR
        | MAV_TYPE_VTOL_TAILSITTER_QUADROTOR
        | MAV_TYPE_VTOL_TILTROTOR
        | MAV_TYPE_VTOL_FIXEDROTOR
        | MAV_TYPE_VTOL_TAILSITTER
        | MAV_TYPE_VTOL_TILTWING => Airframe::Vtol,
        MAV_TYPE_GROUND_ROVER | MAV_TYPE_SURFACE_BOAT => Airframe::Surface,
        _ => Airframe::Other,
    }
}

fn system_status(s: MavState) -> SystemStatus {
    use MavState::*;
    match s {
        MAV_STATE_UNINIT => SystemStatus::Uninit,
        MAV_STATE_BOOT => SystemStatus::Boot,
        MAV_STATE_CALIBRATING => SystemStatus::Calibrating,
        MAV_STATE_STANDBY => SystemStatus::Standby,
        MAV_STATE_ACTIVE => SystemStatus::Active,
        MAV_STATE_CRITICAL => SystemStatus::Critical,
        MAV_STATE_EMERGENCY => SystemStatus::Emergency,
        MAV_STATE_POWEROFF => SystemStatus::PowerOff,
        MAV_STATE_FLIGHT_TERMINATION => SystemStatus::Terminating,
    }
}

fn gps_fix(f: GpsFixType) -> GpsFix {
    use GpsFixType::*;
    match f {
        GPS_FIX_TYPE_NO_GPS => GpsFix::NoGps,
        GPS_FIX_TYPE_NO_FIX => GpsFix::NoFix,
        GPS_FIX_TYPE_2D_FIX => GpsFix::Fix2d,
        GPS_FIX_TYPE_3D_FIX => GpsFix::Fix3d,
        GPS_FIX_TYPE_DGPS => GpsFix::Dgps,
        GPS_FIX_TYPE_RTK_FLOAT => GpsFix::RtkFloat,
        GPS_FIX_TYPE_RTK_FIXED => GpsFix::RtkFixed,
        _ => GpsFix::Other,
    }
}

/// Converts MAVLink's severity enum.
pub fn severity(s: MavSeverity) -> Severity {
    use MavSeverity::*;
    match s {
        MAV_SEVERITY_EMERGENCY => Severity::Emergency,
        MAV_SEVERITY_ALERT => Severity::Alert,
        MAV_SEVERITY_CRITICAL => Severity::Critical,
        MAV_SEVERITY_ERROR => Severity::Error,
        MAV_SEVERITY_WARNING => Severity::Warning,
        MAV_SEVERITY_NOTICE => Severity::Notice,
        MAV_SEVERITY_INFO => Severity::Info,
        MAV_SEVERITY_DEBUG => Severity::Debug,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mavlink::dialects::common::{GLOBAL_POSITION_INT_DATA, VFR_HUD_DATA};

    #[test]
    fn heading_follows_vfr_hud_when_position_has_none() {
        let mut v = VehicleState::new(VehicleId {
            sysid: 1,
            compid: 1,
        });
        let pos = |hdg| {
            MavMessage::GLOBAL_POSITION_INT(GLOBAL_POSITION_INT_DATA {
                hdg,
                ..Default::default()
            })
        };
        let hud = |heading| {
            MavMessage::VFR_HUD(VFR_HUD_DATA {
                heading,
                ..Default::default()
            })
        };
        v.apply(&pos(u16::MAX));
        v.apply(&hud(10));
        v.apply(&hud(20));
        assert_eq!(v.heading_deg, Some(20.0));
        v.apply(&pos(9000));
        v.apply(&hud(30));
        assert_eq!(v.heading_deg, Some(90.0), "position's heading wins");
        v.apply(&pos(u16::MAX));
        v.apply(&hud(40));
        assert_eq!(v.heading_deg, Some(40.0));
    }

    #[test]
    fn out_of_range_positions_and_non_finite_attitudes_are_dropped() {
        use mavlink::dialects::common::{ATTITUDE_DATA, HOME_POSITION_DATA};
        let mut v = VehicleState::new(VehicleId {
            sysid: 1,
            compid: 1,
        });
        let at = |lat, lon| {
            MavMessage::GLOBAL_POSITION_INT(GLOBAL_POSITION_INT_DATA {
                lat,
                lon,
                hdg: u16::MAX,
                ..Default::default()
            })
        };
        v.apply(&at(169_742_000, 79_865_000));
        // 214.7° north (i32::MAX degE7): a corrupt or spoofed frame.
        v.apply(&at(i32::MAX, 79_865_000));
        assert_eq!(
            v.position.map(|p| p.lat_lon),
            Some(LatLon::from_deg_e7(169_742_000, 79_865_000))
        );
        v.apply(&MavMessage::HOME_POSITION(HOME_POSITION_DATA {
            latitude: 169_742_000,
            longitude: -1_900_000_000,
            ..Default::default()
        }));
        assert_eq!(v.home, None);
        let attitude = |yaw| {
            MavMessage::ATTITUDE(ATTITUDE_DATA {
                yaw,
                ..Default::default()
            })
        };
        v.apply(&attitude(1.0));
        for bad in [f32::NAN, f32::INFINITY] {
            v.apply(&attitude(bad));
            let yaw = v.attitude.unwrap().yaw_deg;
            assert!((yaw - 57.29578).abs() < 1e-3, "{bad}: {yaw}");
        }
    }
}
