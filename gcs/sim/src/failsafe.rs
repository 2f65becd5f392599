//! PX4's failsafes on the simulated vehicle: battery levels (`COM_LOW_BAT_ACT`), GCS data
//! link loss (`NAV_DLL_ACT`) and geofence breaches (`GF_ACTION`), and where Return goes.

use gcs_link::FlightMode;
use gcs_link::mavlink::dialects::common::MavSeverity;
use geo::{Distance, Haversine, Point};
use vigil_values::LatLon;

use crate::model::SimVehicle;
use crate::params::{DataLinkLossAction, LowBatteryAction};

impl SimVehicle {
    /// Home or the closest rally point (PX4 RTL_TYPE 0 with safe points).
    pub fn closest_safe_point(&self) -> LatLon {
        let here = Point::new(self.pos.lon_deg, self.pos.lat_deg);
        let d = |p: &LatLon| Haversine.distance(here, Point::new(p.lon_deg, p.lat_deg));
        std::iter::once(self.home)
            .chain(self.rally.iter().copied())
            .min_by(|a, b| d(a).total_cmp(&d(b)))
            .unwrap_or(self.home)
    }

    pub(crate) fn check_geofence(&mut self) {
        if !self.armed || self.landed || self.geofence.is_empty() {
            self.fence_breached = false;
            return;
        }
        let breached = self.geofence.breached(self.pos);
        if breached && !self.fence_breached {
            use crate::params::GeofenceAction as A;
            self.say(MavSeverity::MAV_SEVERITY_CRITICAL, "Geofence breached");
            match self.params.gf_action {
                A::None | A::Warning => {}
                A::Hold => self.failsafe_to(FlightMode::Hold),
                A::Return => self.failsafe_to(FlightMode::Return),
                A::Land => self.failsafe_to(FlightMode::Land),
                A::Terminate => {
                    self.failsafe = true;
                    self.say(MavSeverity::MAV_SEVERITY_EMERGENCY, "Flight termination");
                    self.armed = false;
                }
            }
        }
        self.fence_breached = breached;
    }

    pub(crate) fn check_battery_failsafe(&mut self) {
        let p = self.params.clone();
        let level = if self.battery <= p.bat_emergen_thr {
            3
        } else if self.battery <= p.bat_crit_thr {
            2
        } else if self.battery <= p.bat_low_thr {
            1
        } else {
            0
        };
        if level <= self.battery_level {
            return;
        }
        self.battery_level = level;
        let flying = self.armed && !self.landed;
        match level {
            1 => self.say(
                MavSeverity::MAV_SEVERITY_WARNING,
                "Low battery level! Return advised",
            ),
            2 => {
                self.say(
                    MavSeverity::MAV_SEVERITY_CRITICAL,
                    "Critical battery level!",
                );
                match p.com_low_bat_act {
                    LowBatteryAction::Warning => {}
                    LowBatteryAction::Land if flying => self.failsafe_to(FlightMode::Land),
                    LowBatteryAction::ReturnThenLand if flying => {
                        self.failsafe_to(FlightMode::Return)
                    }
                    _ => {}
                }
            }
            _ => {
                self.say(
                    MavSeverity::MAV_SEVERITY_EMERGENCY,
                    "Emergency battery level! Landing immediately",
                );
                if flying && p.com_low_bat_act != LowBatteryAction::Warning {
                    self.failsafe_to(FlightMode::Land);
                }
            }
        }
    }

    /// A failsafe takes over: switch mode and tell the operator.
    pub fn failsafe_to(&mut self, mode: FlightMode) {
        self.failsafe = true;
        self.say(
            MavSeverity::MAV_SEVERITY_CRITICAL,
            format!("Failsafe activated: switching to {mode}"),
        );
        self.enter(mode);
    }

    /// The GCS has been silent for `COM_DL_LOSS_T`: PX4's failsafe framework holds for
    /// `COM_FAIL_ACT_T` ([`FAILSAFE_HOLD_S`]), then applies `NAV_DLL_ACT`.
    pub fn on_data_link_lost(&mut self) {
        if !self.armed || self.landed {
            return;
        }
        let action = match self.params.nav_dll_act {
            DataLinkLossAction::Disabled => return,
            DataLinkLossAction::Hold => FailsafeAction::Mode(FlightMode::Hold),
            DataLinkLossAction::Return => FailsafeAction::Mode(FlightMode::Return),
            DataLinkLossAction::Land => FailsafeAction::Mode(FlightMode::Land),
            DataLinkLossAction::Disarm => FailsafeAction::Disarm,
        };
        self.failsafe = true;
        self.say(MavSeverity::MAV_SEVERITY_CRITICAL, "Failsafe activated");
        if self.mode != FlightMode::Hold {
            self.enter(FlightMode::Hold);
        }
        self.pending_failsafe = Some((action, self.wall_s + FAILSAFE_HOLD_S));
    }

    /// Applies a failsafe action once its hold delay has passed.
    pub(crate) fn check_pending_failsafe(&mut self) {
        let Some((action, due)) = self.pending_failsafe else {
            return;
        };
        if self.wall_s < due {
            return;
        }
        self.pending_failsafe = None;
        if !self.armed || self.landed {
            return;
        }
        match action {
            FailsafeAction::Mode(mode) => self.enter(mode),
            FailsafeAction::Disarm => self.armed = false,
        }
    }

    /// The GCS is heard again: a failsafe still in its hold delay is called off (read
    /// from PX4's failsafe framework; the probe does not regain the link inside the hold,
    /// so this is not checked against PX4 SITL).
    pub fn on_data_link_regained(&mut self) {
        self.say(MavSeverity::MAV_SEVERITY_INFO, "GCS connection regained");
        if self.pending_failsafe.take().is_some() {
            self.failsafe = false;
        }
    }
}

/// What a failsafe does once its hold delay is over.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FailsafeAction {
    /// Switch to this mode.
    Mode(FlightMode),
    /// Stop the motors.
    Disarm,
}

/// PX4's `COM_FAIL_ACT_T` default: a failsafe holds this long (wall seconds here, as the
/// link-loss timer) before its action, so an operator can take over.
pub const FAILSAFE_HOLD_S: f64 = 5.0;
