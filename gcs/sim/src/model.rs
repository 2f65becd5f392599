//! The simulated multicopter's state and kinematics, without any I/O.
//!
//! Flight is kinematic: the vehicle moves toward its current target at PX4's auto-mode
//! speeds (`MPC_XY_CRUISE`, `MPC_Z_V_AUTO_UP/DN`, `MPC_LAND_SPEED` below
//! `MPC_LAND_ALT2`), on the WGS84 sphere through `geo`'s Haversine metric space.
//! The ground is flat at the home altitude.

use gcs_link::FlightMode;
use gcs_link::mavlink::dialects::common::MavSeverity;
use geo::{Bearing, Destination, Distance, Haversine, Point};
use vigil_values::LatLon;

use crate::params::Px4Params;

/// Speed of a vehicle falling after a forced disarm in flight, m/s.
const FREE_FALL_SPEED_MPS: f64 = 15.0;
/// Within this height of the target altitude a climb or descent counts as done, metres.
const ALT_TOLERANCE_M: f64 = 0.3;
use vigil_values::px4_envelope::Px4Envelope;
pub use vigil_values::px4_envelope::{LAND_SETTLE_S, TAKEOFF_DELAY_S, TAKEOFF_RAMP_S};
/// The slowest the simulator creeps towards a target, m/s (so braking always arrives).
const MIN_APPROACH_MPS: f64 = 0.5;
/// PX4's vertical acceptance of a multicopter's take-off (`NAV_MC_ALT_RAD`).
pub const NAV_MC_ALT_RAD_M: f64 = 0.8;
/// PX4's `RTL_MIN_DIST`: inside this distance the return altitude follows the cone, m.
pub const RTL_MIN_DIST_M: f64 = 10.0;
/// PX4's `RTL_CONE_ANG`: the return cone's half angle, degrees.
pub const RTL_CONE_ANG_DEG: f64 = 45.0;
/// PX4 SITL's SIH quadrotor (`SIH_MASS` 1 kg, `SIH_KDV` 1, `MPC_TILTMAX_AIR` 45°) cannot
/// fly faster than this, whatever is commanded: ~9.8 m/s, as measured on PX4 SITL.
pub fn airframe_top_speed_mps() -> f64 {
    vigil_values::px4_envelope::sih_top_speed_mps(1.0, 1.0, 45.0)
}
/// PX4's take-off climb rate (`MPC_TKO_SPEED`), m/s.
pub const MPC_TKO_SPEED_MPS: f64 = 1.5;

/// Battery model: how long a full pack lasts and what climbing costs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatteryModel {
    /// Hover time on a full pack, seconds of simulated time.
    pub endurance_s: f64,
    /// Extra charge used per metre climbed, fraction of a full pack.
    pub climb_cost_per_m: f64,
    /// Pack voltage when full, volts (4S LiPo: 16.8).
    pub full_v: f64,
    /// Pack voltage when empty, volts (4S LiPo: 14.0).
    pub empty_v: f64,
    /// Current drawn in hover, amperes.
    pub hover_current_a: f64,
}

impl Default for BatteryModel {
    fn default() -> Self {
        Self {
            endurance_s: 30.0 * 60.0,
            climb_cost_per_m: 1.0e-4,
            full_v: 16.8,
            empty_v: 14.0,
            hover_current_a: 18.0,
        }
    }
}

/// Steps of PX4's return mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnPhase {
    /// Climbing to `RTL_RETURN_ALT`.
    Climb,
    /// Flying home at return altitude.
    Cruise,
    /// Descending to `RTL_DESCEND_ALT` above home.
    Descend,
    /// Landing at home.
    Land,
}

/// One simulated PX4 multicopter.
#[derive(Debug, Clone)]
pub struct SimVehicle {
    /// PX4 parameters in force.
    pub params: Px4Params,
    /// Battery model.
    pub battery_model: BatteryModel,
    /// Home (and ground) position.
    pub home: LatLon,
    /// Home altitude above mean sea level, metres; the ground is flat at this height.
    pub home_alt_amsl_m: f64,
    /// Current position.
    pub pos: LatLon,
    /// Current altitude above mean sea level, metres.
    pub alt_amsl_m: f64,
    /// Simulated time of the last lift-off, seconds (0 before any).
    pub lift_off_time_s: f64,
    /// Simulated time of the last touchdown, seconds (0 before any).
    pub touchdown_time_s: f64,
    /// Velocity north, east, down in m/s over the last step.
    pub vel_ned_mps: [f64; 3],
    /// Heading, degrees clockwise from north.
    pub heading_deg: f64,
    /// Motors armed.
    pub armed: bool,
    /// Current flight mode.
    pub mode: FlightMode,
    /// On the ground.
    pub landed: bool,
    /// Remaining charge, fraction 0..=1.
    pub battery: f64,
    /// Simulated seconds since boot.
    pub time_s: f64,
    /// Wall-clock seconds since boot: operator-facing timers (auto-disarm) run on it,
    /// so a sped-up simulation does not disarm before the operator can act.
    pub wall_s: f64,
    /// Simulated seconds after boot when GPS gets a 3D fix.
    pub gps_fix_after_s: f64,
    /// A failsafe has taken control.
    pub failsafe: bool,
    /// Altitude target of a takeoff, AMSL metres.
    pub takeoff_alt_amsl_m: f64,
    /// Where Hold flies to and stays (set by takeoff end or go-to).
    pub hold_target: Option<(LatLon, f64)>,
    /// Current step of return mode.
    pub return_phase: ReturnPhase,
    /// Charge drawn so far, mAh.
    pub consumed_mah: f64,
    /// The uploaded mission, as stored by the mission server.
    pub mission: Vec<gcs_link::mission::MissionItemInt>,
    /// The current mission item.
    pub mission_seq: u16,
    /// Mission items reached since the last call to [`Self::take_reached`].
    pub reached: Vec<u16>,
    /// Simulated time the current mission item was reached (for loiter and delay items).
    pub item_reached_at_s: Option<f64>,
    /// DO_JUMP repetitions done, by the jump item's seq.
    pub jumps_done: std::collections::HashMap<u16, u32>,
    /// Horizontal speed set by a mission's DO_CHANGE_SPEED, overriding `MPC_XY_CRUISE`
    /// until a new mission is loaded or Return starts (PX4's `reset_cruising_speed`).
    pub speed_override_mps: Option<f64>,
    /// The uploaded geofence.
    pub geofence: crate::geofence::Geofence,
    /// The uploaded rally points.
    pub rally: Vec<LatLon>,
    /// Inside a breach (latched so `GF_ACTION` fires once per breach).
    pub fence_breached: bool,
    /// Where Return goes: home or the closest rally point.
    pub return_target: LatLon,
    /// The altitude Return flies home at (AMSL, m), set when it starts.
    pub return_alt_amsl_m: f64,
    pub(crate) battery_level: u8,
    armed_at_s: f64,
    landed_at_s: f64,
    pub(crate) flew_since_arming: bool,
    /// When (simulated seconds) the current take-off was commanded, while still on the ground.
    pub(crate) takeoff_began_s: Option<f64>,
    /// When (simulated seconds) the current landing began, over the landing point.
    landing_began_s: Option<f64>,
    /// A failsafe action waiting out its hold delay, and when (wall seconds) it applies.
    pub(crate) pending_failsafe: Option<(crate::failsafe::FailsafeAction, f64)>,
    status: Vec<(MavSeverity, String)>,
}

impl SimVehicle {
    /// A disarmed vehicle on the ground at `home`, `home_alt_amsl_m` above sea level.
    pub fn new(home: LatLon, home_alt_amsl_m: f64, params: Px4Params) -> Self {
        Self {
            params,
            battery_model: BatteryModel::default(),
            home,
            home_alt_amsl_m,
            pos: home,
            alt_amsl_m: home_alt_amsl_m,
            lift_off_time_s: 0.0,
            touchdown_time_s: 0.0,
            vel_ned_mps: [0.0; 3],
            heading_deg: 0.0,
            armed: false,
            mode: FlightMode::Hold,
            landed: true,
            battery: 1.0,
            time_s: 0.0,
            wall_s: 0.0,
            gps_fix_after_s: 2.0,
            failsafe: false,
            takeoff_alt_amsl_m: home_alt_amsl_m + 2.5,
            hold_target: None,
            return_phase: ReturnPhase::Climb,
            consumed_mah: 0.0,
            mission: Vec::new(),
            mission_seq: 0,
            reached: Vec::new(),
            item_reached_at_s: None,
            jumps_done: std::collections::HashMap::new(),
            speed_override_mps: None,
            geofence: crate::geofence::Geofence::default(),
            rally: Vec::new(),
            fence_breached: false,
            return_target: home,
            return_alt_amsl_m: home_alt_amsl_m,
            battery_level: 0,
            armed_at_s: 0.0,
            landed_at_s: 0.0,
            flew_since_arming: false,
            takeoff_began_s: None,
            landing_began_s: None,
            pending_failsafe: None,
            status: vec![(MavSeverity::MAV_SEVERITY_INFO, "Ready for takeoff!".into())],
        }
    }

    /// Height above home (and the flat ground), metres.
    pub fn alt_rel_m(&self) -> f64 {
        self.alt_amsl_m - self.home_alt_amsl_m
    }

    /// Whether GPS has a 3D fix (PX4's preflight checks need it to arm).
    pub fn has_gps_fix(&self) -> bool {
        self.time_s >= self.gps_fix_after_s
    }

    /// STATUSTEXTs queued since the last call.
    pub fn take_status(&mut self) -> Vec<(MavSeverity, String)> {
        std::mem::take(&mut self.status)
    }

    /// Queues a STATUSTEXT.
    pub fn say(&mut self, severity: MavSeverity, text: impl Into<String>) {
        self.status.push((severity, text.into()));
    }

    /// Arms the motors if PX4's preflight checks would pass; the text says why not.
    pub fn arm(&mut self) -> Result<(), String> {
        if self.armed {
            return Ok(());
        }
        // PX4's health and arming checks: a global position and a battery above BAT_LOW_THR.
        if !self.has_gps_fix() || self.battery < self.params.bat_low_thr {
            return Err("Arming denied: Resolve system health failures first".into());
        }
        if !self.mode_flyable(self.mode) {
            // The simulator's words: the probe never arms in a mode PX4 cannot fly.
            return Err(format!(
                "Arming denied: {} mode requirements not met",
                self.mode.name()
            ));
        }
        self.armed = true;
        self.armed_at_s = self.wall_s;
        self.flew_since_arming = false;
        self.say(MavSeverity::MAV_SEVERITY_INFO, "Armed by external command");
        if self.mode == FlightMode::Mission {
            self.say(MavSeverity::MAV_SEVERITY_INFO, "Executing Mission");
        }
        Ok(())
    }

    /// Disarms; unless forced, PX4 refuses in flight.
    pub fn disarm(&mut self, forced: bool) -> Result<(), String> {
        if !self.armed {
            return Ok(());
        }
        if !self.landed && !forced {
            return Err("Disarming denied: not landed".into());
        }
        self.armed = false;
        self.failsafe = false;
        self.say(
            MavSeverity::MAV_SEVERITY_INFO,
            "Disarmed by external command",
        );
        Ok(())
    }

    /// Whether the vehicle can fly `mode` now (PX4's mode requirements): the auto modes
    /// need a global position, Mission also a mission; the manual modes and Offboard need
    /// an RC or setpoint stream the simulator never has. Land is always available.
    pub fn mode_flyable(&self, mode: FlightMode) -> bool {
        match mode {
            FlightMode::Land => true,
            FlightMode::Hold | FlightMode::Return | FlightMode::Takeoff => self.has_gps_fix(),
            FlightMode::Mission => self.has_gps_fix() && !self.mission.is_empty(),
            _ => false,
        }
    }

    /// Switches flight mode as PX4's commander does (`UserModeIntention::change`): any
    /// mode while disarmed (arming checks it later), only a flyable one while armed; the
    /// text says why not.
    pub fn set_mode(&mut self, mode: FlightMode) -> Result<(), String> {
        if self.armed && !self.mode_flyable(mode) {
            return Err(format!(
                "Switching to {} is currently not available",
                mode.name()
            ));
        }
        if mode == self.mode {
            return Ok(());
        }
        self.enter(mode);
        if self.armed && mode == FlightMode::Mission {
            self.say(MavSeverity::MAV_SEVERITY_INFO, "Executing Mission");
        }
        Ok(())
    }

    /// Enters `mode` unconditionally, setting up its targets.
    pub fn enter(&mut self, mode: FlightMode) {
        // A landing interrupted by a mode change starts over, settling first.
        self.landing_began_s = None;
        match mode {
            FlightMode::Hold => self.hold_target = Some((self.pos, self.alt_amsl_m)),
            FlightMode::Return => {
                // PX4's RTL flies at the default cruise speed (RtlDirect::on_activation).
                self.speed_override_mps = None;
                self.return_phase = ReturnPhase::Climb;
                self.return_target = self.closest_safe_point();
                self.return_alt_amsl_m = self.rtl_return_alt_amsl();
                if self.armed && !self.landed {
                    let alt = self.return_alt_amsl_m;
                    self.say(MavSeverity::MAV_SEVERITY_INFO, "Returning to launch");
                    self.say(
                        MavSeverity::MAV_SEVERITY_INFO,
                        format!(
                            "RTL: start return at {:.0} m ({:.0} m above destination)",
                            alt.ceil(),
                            (alt - self.home_alt_amsl_m).ceil()
                        ),
                    );
                }
            }
            FlightMode::Takeoff if self.takeoff_alt_amsl_m <= self.home_alt_amsl_m => {
                self.takeoff_alt_amsl_m = self.home_alt_amsl_m + self.params.mis_takeoff_alt_m;
            }
            _ => {}
        }
        self.mode = mode;
    }

    /// Advances the simulation by `dt_s` seconds at real-time speed.
    pub fn step(&mut self, dt_s: f64) {
        self.step_scaled(dt_s, 1.0);
    }

    /// Advances by `wall_dt_s` wall seconds, flying `speed` times faster than real time.
    pub fn step_scaled(&mut self, wall_dt_s: f64, speed: f64) {
        let dt_s = wall_dt_s * speed;
        self.time_s += dt_s;
        self.wall_s += wall_dt_s;
        let start_alt = self.alt_amsl_m;
        let start_pos = self.pos;
        if self.armed {
            self.fly(dt_s);
        } else if !self.landed {
            let ground = self.home_alt_amsl_m;
            self.alt_amsl_m = (self.alt_amsl_m - FREE_FALL_SPEED_MPS * dt_s).max(ground);
            self.touch_down_if_on_ground();
        }
        self.update_velocity(start_pos, start_alt, dt_s);
        self.drain_battery(dt_s, self.alt_amsl_m - start_alt);
        self.check_auto_disarm();
        self.check_pending_failsafe();
        self.check_battery_failsafe();
        self.check_geofence();
    }

    fn fly(&mut self, dt: f64) {
        match self.mode {
            FlightMode::Takeoff => {
                let target = self.takeoff_alt_amsl_m;
                if self.take_off(target, MPC_TKO_SPEED_MPS, dt) {
                    self.enter(FlightMode::Hold);
                    // Hold at the take-off altitude, as PX4's loiter after take-off does.
                    self.hold_target = Some((self.pos, target));
                }
            }
            FlightMode::Hold if !self.landed => {
                if let Some((p, alt)) = self.hold_target {
                    self.move_towards(p, alt, dt);
                }
            }
            FlightMode::Return if !self.landed => self.fly_return(dt),
            FlightMode::Land if !self.landed => self.descend_to_land(dt),
            FlightMode::Mission => self.fly_mission(dt),
            _ => {}
        }
    }

    /// PX4's return altitude for a multicopter (`RTL::calculate_return_alt_from_cone_half_angle`):
    /// `RTL_RETURN_ALT` above the destination, lowered inside `RTL_MIN_DIST` to the
    /// `RTL_CONE_ANG` cone, never below twice `NAV_ACC_RAD` nor below where it is now.
    pub fn rtl_return_alt_amsl(&self) -> f64 {
        let here = Point::new(self.pos.lon_deg, self.pos.lat_deg);
        let dest = self.return_target;
        let dist = Haversine.distance(here, Point::new(dest.lon_deg, dest.lat_deg));
        let dest_alt = self.home_alt_amsl_m;
        let acc = self.params.nav_acc_rad_m;
        let max_alt = dest_alt + self.params.rtl_return_alt_m;
        let wanted = if dist <= acc {
            dest_alt + 2.0 * dist
        } else {
            let mut alt = max_alt;
            if dist <= RTL_MIN_DIST_M {
                alt = alt.min(dist / RTL_CONE_ANG_DEG.to_radians().tan() + dest_alt);
            }
            alt.max(dest_alt + 2.0 * acc)
        };
        if wanted < self.alt_amsl_m {
            self.alt_amsl_m
        } else {
            wanted.min(max_alt)
        }
    }

    fn fly_return(&mut self, dt: f64) {
        let return_alt = self.return_alt_amsl_m;
        match self.return_phase {
            ReturnPhase::Climb => {
                if self.climb_to(return_alt, dt) {
                    self.return_phase = ReturnPhase::Cruise;
                }
            }
            ReturnPhase::Cruise => {
                let home = self.return_target;
                if self.move_towards(home, self.alt_amsl_m, dt) {
                    self.return_phase = ReturnPhase::Descend;
                }
            }
            ReturnPhase::Descend => {
                let descend_alt = self.home_alt_amsl_m + self.params.rtl_descend_alt_m;
                let home = self.return_target;
                if self.alt_amsl_m <= descend_alt || self.move_towards(home, descend_alt, dt) {
                    self.return_phase = ReturnPhase::Land;
                    self.say(MavSeverity::MAV_SEVERITY_INFO, "RTL: land at destination");
                }
            }
            ReturnPhase::Land => {
                // Keep centring over home while descending, as PX4's land setpoint does.
                let (home, alt) = (self.return_target, self.alt_amsl_m);
                self.move_towards(home, alt, dt);
                self.descend_to_land(dt);
            }
        }
    }

    /// Takes off towards `target_alt` (AMSL) as PX4 SITL does: on the ground for
    /// [`TAKEOFF_DELAY_S`], then climbing at up to `rate_mps` reached over a
    /// [`TAKEOFF_RAMP_S`] ramp; true once within [`NAV_MC_ALT_RAD_M`] of the target (the
    /// climb's last metres are left to the next setpoint, as in PX4). Takeoff mode climbs
    /// at `MPC_TKO_SPEED`, a mission's take-off at `MPC_Z_V_AUTO_UP`.
    pub(crate) fn take_off(&mut self, target_alt: f64, rate_mps: f64, dt: f64) -> bool {
        if self.landed {
            if !self.armed {
                return false;
            }
            let began = *self.takeoff_began_s.get_or_insert(self.time_s);
            if self.time_s - began < TAKEOFF_DELAY_S {
                return false;
            }
            self.landed = false;
            self.lift_off_time_s = self.time_s;
            self.flew_since_arming = true;
            self.say(MavSeverity::MAV_SEVERITY_INFO, "Takeoff detected");
        }
        let climbing_s = self.time_s - self.lift_off_time_s;
        let rate = rate_mps * (climbing_s / TAKEOFF_RAMP_S).clamp(0.05, 1.0);
        let dz = target_alt - self.alt_amsl_m;
        self.alt_amsl_m += dz.clamp(-rate * dt, rate * dt);
        target_alt - self.alt_amsl_m <= NAV_MC_ALT_RAD_M
    }

    /// Moves vertically toward `alt` at auto climb/descent speed; true once there.
    pub(crate) fn climb_to(&mut self, alt: f64, dt: f64) -> bool {
        let dz = alt - self.alt_amsl_m;
        let max = if dz > 0.0 {
            self.params.mpc_z_v_auto_up_mps
        } else {
            self.params.mpc_z_v_auto_dn_mps
        } * dt;
        self.alt_amsl_m += dz.clamp(-max, max);
        (alt - self.alt_amsl_m).abs() <= ALT_TOLERANCE_M
    }

    /// Horizontal speed in auto modes, m/s: a mission's DO_CHANGE_SPEED, else
    /// `MPC_XY_CRUISE`, at most `MPC_XY_VEL_MAX` (as PX4's FlightTaskAuto clamps it) and at
    /// most what the SIH airframe can fly ([`airframe_top_speed_mps`]).
    pub fn horizontal_speed_mps(&self) -> f64 {
        let wanted = self
            .speed_override_mps
            .unwrap_or(self.params.mpc_xy_cruise_mps)
            .min(airframe_top_speed_mps());
        if self.params.mpc_xy_vel_max_mps > 0.0 {
            wanted.min(self.params.mpc_xy_vel_max_mps)
        } else {
            wanted
        }
    }

    /// Flies toward a point and altitude; true once within the acceptance radius and altitude.
    pub(crate) fn move_towards(&mut self, target: LatLon, alt: f64, dt: f64) -> bool {
        let here = Point::new(self.pos.lon_deg, self.pos.lat_deg);
        let there = Point::new(target.lon_deg, target.lat_deg);
        let dist = Haversine.distance(here, there);
        if dist > 0.01 {
            let bearing = Haversine.bearing(here, there);
            // PX4's smoothed trajectory: speed up at MPC_ACC_HOR and brake in time to stop
            // at the target (the acceptance radius then hands over to the next leg).
            let accel = Px4Envelope::DEFAULT.accel_mps2;
            let now_speed = self.vel_ned_mps[0].hypot(self.vel_ned_mps[1]);
            let speed = self
                .horizontal_speed_mps()
                .min(now_speed + accel * dt)
                .min((2.0 * accel * dist).sqrt())
                .max(MIN_APPROACH_MPS);
            let step = dist.min(speed * dt);
            let next = Haversine.destination(here, bearing, step);
            self.pos = LatLon::new(next.y(), next.x());
            if step > 0.05 {
                self.heading_deg = bearing.rem_euclid(360.0);
            }
        }
        let at_alt = self.climb_to(alt, dt);
        let remaining = Haversine.distance(Point::new(self.pos.lon_deg, self.pos.lat_deg), there);
        at_alt && remaining <= self.params.nav_acc_rad_m
    }

    pub(crate) fn descend_to_land(&mut self, dt: f64) {
        // PX4's landing descent: auto speed above MPC_LAND_ALT1, slowing to MPC_LAND_SPEED
        // at MPC_LAND_ALT2, crawling the last metre (SIH has a range finder).
        let envelope = Px4Envelope {
            descent_mps: self.params.mpc_z_v_auto_dn_mps,
            land_mps: self.params.mpc_land_speed_mps,
            land_alt2_m: self.params.mpc_land_alt2_m,
            ..Px4Envelope::DEFAULT
        };
        // First PX4 settles over the point (LAND_SETTLE_S, measured on PX4 SITL).
        let began = *self.landing_began_s.get_or_insert(self.time_s);
        if self.time_s - began < LAND_SETTLE_S {
            return;
        }
        let speed = envelope.land_rate_mps(self.alt_rel_m());
        self.alt_amsl_m = (self.alt_amsl_m - speed * dt).max(self.home_alt_amsl_m);
        self.touch_down_if_on_ground();
    }

    fn touch_down_if_on_ground(&mut self) {
        if !self.landed && self.alt_amsl_m <= self.home_alt_amsl_m + 1e-6 {
            self.alt_amsl_m = self.home_alt_amsl_m;
            self.landed = true;
            self.takeoff_began_s = None;
            self.landing_began_s = None;
            self.landed_at_s = self.wall_s;
            self.touchdown_time_s = self.time_s;
            self.say(MavSeverity::MAV_SEVERITY_INFO, "Landing detected");
        }
    }

    fn update_velocity(&mut self, start: LatLon, start_alt: f64, dt: f64) {
        if dt <= 0.0 {
            return;
        }
        let a = Point::new(start.lon_deg, start.lat_deg);
        let b = Point::new(self.pos.lon_deg, self.pos.lat_deg);
        let d = Haversine.distance(a, b);
        let (n, e) = if d > 0.0 {
            let bearing = Haversine.bearing(a, b).to_radians();
            (d * bearing.cos(), d * bearing.sin())
        } else {
            (0.0, 0.0)
        };
        self.vel_ned_mps = [n / dt, e / dt, -(self.alt_amsl_m - start_alt) / dt];
    }

    fn drain_battery(&mut self, dt: f64, climbed_m: f64) {
        if !self.armed {
            return;
        }
        let m = self.battery_model;
        let used = dt / m.endurance_s + climbed_m.max(0.0) * m.climb_cost_per_m;
        self.battery = (self.battery - used).max(0.0);
        self.consumed_mah += self.current_a() * dt / 3.6;
    }

    /// Current drawn now, amperes.
    pub fn current_a(&self) -> f64 {
        if !self.armed {
            return 0.4;
        }
        let climb = (-self.vel_ned_mps[2]).max(0.0);
        self.battery_model.hover_current_a * (1.0 + climb / 6.0)
    }

    /// Pack voltage now, volts.
    pub fn voltage_v(&self) -> f64 {
        let m = self.battery_model;
        m.empty_v + (m.full_v - m.empty_v) * self.battery
    }

    fn check_auto_disarm(&mut self) {
        if !self.armed || !self.landed {
            return;
        }
        let p = &self.params;
        if self.flew_since_arming && self.wall_s - self.landed_at_s >= p.com_disarm_land_s {
            self.armed = false;
            self.failsafe = false;
            self.say(MavSeverity::MAV_SEVERITY_INFO, "Disarmed by landing");
        } else if !self.flew_since_arming
            && self.mode != FlightMode::Takeoff
            && self.wall_s - self.armed_at_s >= p.com_disarm_prflt_s
        {
            self.armed = false;
            self.say(
                MavSeverity::MAV_SEVERITY_INFO,
                "Disarmed: no takeoff after arming",
            );
        }
    }
}
