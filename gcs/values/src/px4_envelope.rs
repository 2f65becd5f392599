//! How a PX4 multicopter flies a mission, as numbers: the `MPC_*` parameters that set its
//! speeds and accelerations, PX4's landing slow-down, and the take-off delay measured on
//! PX4 SITL, with what they make of a flight's phases in seconds.
//!
//! One place for the planner's estimates (which must match what PX4 flies) and the
//! simulator's flight (which must fly as PX4 does). [`Px4Envelope::from_params`] reads
//! them from a connected vehicle; [`Px4Envelope::DEFAULT`] is PX4's defaults.

/// Standard gravity, m/s².
const G: f64 = 9.806_65;

/// A PX4 multicopter's flight envelope.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Px4Envelope {
    /// `MPC_XY_CRUISE`: mission legs before a DO_CHANGE_SPEED, m/s.
    pub cruise_mps: f64,
    /// `MPC_XY_VEL_MAX`: PX4 clamps a commanded speed to it, m/s.
    pub vel_max_mps: f64,
    /// The airframe's own top speed, m/s: level flight at `MPC_TILTMAX_AIR` against its
    /// drag (known for PX4's SIH simulator from `SIH_MASS`/`SIH_KDV`; infinite otherwise).
    pub airframe_max_mps: f64,
    /// `MPC_Z_V_AUTO_UP`: climb rate in missions, m/s.
    pub climb_mps: f64,
    /// `MPC_Z_V_AUTO_DN`: descent rate in missions, m/s.
    pub descent_mps: f64,
    /// `MPC_ACC_HOR`: horizontal acceleration and braking, m/s².
    pub accel_mps2: f64,
    /// `MPC_TKO_SPEED`: Takeoff mode's climb rate, m/s.
    pub takeoff_mps: f64,
    /// `MPC_LAND_ALT1`: landing slows below this height, m.
    pub land_alt1_m: f64,
    /// `MPC_LAND_ALT2`: at and below this height a landing descends at `land_mps`, m.
    pub land_alt2_m: f64,
    /// `MPC_LAND_SPEED`, m/s.
    pub land_mps: f64,
    /// `MPC_LAND_ALT3`: below this height (with a range finder) a landing crawls, m.
    pub land_alt3_m: f64,
    /// `MPC_LAND_CRWL`, m/s.
    pub land_crawl_mps: f64,
}

/// From the take-off command to leaving the ground on PX4 SITL's SIH quad (motor
/// spool-up, the land detector's release, the take-off state machine), seconds: fitted
/// to the conformance probe's take-off timings (`tests/px4/reference.json`).
pub const TAKEOFF_DELAY_S: f64 = 3.0;
/// PX4's take-off ramp (`MPC_TKO_RAMP_T`): the climb rate rises to its limit over it, s.
pub const TAKEOFF_RAMP_S: f64 = 3.0;
/// From touchdown to PX4's land detector saying landed, seconds (measured on PX4 SITL).
pub const LAND_DETECT_S: f64 = 2.0;
/// What a PX4 SITL landing takes beyond its descent at PX4's rates and the detection:
/// settling and turning to the landing heading over the point before descending,
/// seconds. Measured: a Return from 30 m (`tests/px4/reference.json`) and a sortie's
/// landing from 100 m (`tests/tests/planned_speed.rs` on PX4 SITL) both took ~13 s more.
pub const LAND_SETTLE_S: f64 = 13.0;

impl Px4Envelope {
    /// The parameters [`from_params`](Self::from_params) reads.
    pub const PARAMS: [&'static str; 14] = [
        "MPC_XY_CRUISE",
        "MPC_XY_VEL_MAX",
        "MPC_Z_V_AUTO_UP",
        "MPC_Z_V_AUTO_DN",
        "MPC_ACC_HOR",
        "MPC_TKO_SPEED",
        "MPC_LAND_ALT1",
        "MPC_LAND_ALT2",
        "MPC_LAND_SPEED",
        "MPC_LAND_ALT3",
        "MPC_LAND_CRWL",
        "MPC_TILTMAX_AIR",
        "SIH_MASS",
        "SIH_KDV",
    ];

    /// PX4's defaults (v1.15, multicopter).
    pub const DEFAULT: Self = Self {
        cruise_mps: 5.0,
        vel_max_mps: 12.0,
        airframe_max_mps: f64::INFINITY,
        climb_mps: 3.0,
        descent_mps: 1.5,
        accel_mps2: 3.0,
        takeoff_mps: 1.5,
        land_alt1_m: 10.0,
        land_alt2_m: 5.0,
        land_mps: 0.7,
        land_alt3_m: 1.0,
        land_crawl_mps: 0.3,
    };

    /// The envelope of a vehicle whose parameter `name` reads as `get(name)`; PX4's
    /// default for any it does not have (or that is not a positive finite number).
    pub fn from_params(get: impl Fn(&str) -> Option<f64>) -> Self {
        let d = Self::DEFAULT;
        let p = |name: &str, default: f64| {
            get(name)
                .filter(|v| v.is_finite() && *v > 0.0)
                .unwrap_or(default)
        };
        let airframe_max_mps = match (get("SIH_MASS"), get("SIH_KDV")) {
            (Some(mass), Some(kdv)) if mass > 0.0 && kdv > 0.0 => {
                // PX4 bounds MPC_TILTMAX_AIR to 20..89°; past 90° tan() turns negative.
                sih_top_speed_mps(mass, kdv, p("MPC_TILTMAX_AIR", 45.0).clamp(20.0, 89.0))
            }
            _ => f64::INFINITY,
        };
        Self {
            cruise_mps: p("MPC_XY_CRUISE", d.cruise_mps),
            vel_max_mps: p("MPC_XY_VEL_MAX", d.vel_max_mps),
            airframe_max_mps,
            climb_mps: p("MPC_Z_V_AUTO_UP", d.climb_mps),
            descent_mps: p("MPC_Z_V_AUTO_DN", d.descent_mps),
            accel_mps2: p("MPC_ACC_HOR", d.accel_mps2),
            takeoff_mps: p("MPC_TKO_SPEED", d.takeoff_mps),
            land_alt1_m: p("MPC_LAND_ALT1", d.land_alt1_m),
            land_alt2_m: p("MPC_LAND_ALT2", d.land_alt2_m),
            land_mps: p("MPC_LAND_SPEED", d.land_mps),
            land_alt3_m: p("MPC_LAND_ALT3", d.land_alt3_m),
            land_crawl_mps: p("MPC_LAND_CRWL", d.land_crawl_mps),
        }
    }

    /// The fastest it really flies, m/s.
    pub fn max_speed_mps(&self) -> f64 {
        self.vel_max_mps.min(self.airframe_max_mps)
    }

    /// The speed a leg is flown at: the commanded one (`None`: `MPC_XY_CRUISE`), at most
    /// [`max_speed_mps`](Self::max_speed_mps).
    pub fn leg_speed_mps(&self, commanded: Option<f64>) -> f64 {
        commanded
            .filter(|v| v.is_finite() && *v > 0.0)
            .unwrap_or(self.cruise_mps)
            .min(self.max_speed_mps())
    }

    /// The landing's descent rate at `height_m` above the ground, m/s.
    pub fn land_rate_mps(&self, height_m: f64) -> f64 {
        let (fast, slow) = (self.descent_mps, self.land_mps);
        if height_m > self.land_alt1_m {
            fast
        } else if height_m > self.land_alt2_m {
            slow + (fast - slow) * (height_m - self.land_alt2_m)
                / (self.land_alt1_m - self.land_alt2_m).max(0.1)
        } else if height_m > self.land_alt3_m {
            slow
        } else {
            self.land_crawl_mps.min(slow)
        }
    }

    /// Seconds to land from `height_m` above the ground until PX4 says landed.
    pub fn landing_s(&self, height_m: f64) -> f64 {
        let h = height_m.max(0.0);
        let (fast, slow) = (self.descent_mps, self.land_mps);
        let (a1, a2, a3) = (
            self.land_alt1_m,
            self.land_alt2_m.min(self.land_alt1_m),
            self.land_alt3_m,
        );
        let span = |top: f64, bottom: f64| (h.min(top) - bottom).max(0.0);
        let mut t = span(f64::INFINITY, a1) / fast;
        // Between ALT1 and ALT2 the rate falls linearly: ∫ dh / (slow + k (h - a2)).
        let k = (fast - slow) / (a1 - a2).max(0.1);
        let top = h.min(a1);
        if top > a2 {
            t += if k.abs() < 1e-9 {
                (top - a2) / slow
            } else {
                ((slow + k * (top - a2)) / slow).ln() / k
            };
        }
        t += span(a2, a3) / slow + span(a3, 0.0) / self.land_crawl_mps.min(slow);
        LAND_SETTLE_S + t + LAND_DETECT_S
    }

    /// Seconds from the take-off command until `height_m` above the ground, climbing at
    /// up to `rate_mps` after PX4's delay and ramp.
    pub fn takeoff_s(&self, height_m: f64, rate_mps: f64) -> f64 {
        let ramp_m = rate_mps * TAKEOFF_RAMP_S / 2.0;
        let climb = if height_m <= ramp_m {
            (2.0 * height_m * TAKEOFF_RAMP_S / rate_mps).sqrt()
        } else {
            TAKEOFF_RAMP_S + (height_m - ramp_m) / rate_mps
        };
        TAKEOFF_DELAY_S + climb
    }

    /// Seconds lost speeding up from `from_mps` to `speed_mps` (or braking from it),
    /// against flying the same distance at `speed_mps`.
    pub fn speed_change_loss_s(&self, speed_mps: f64, from_mps: f64) -> f64 {
        if speed_mps.is_nan()
            || speed_mps <= 0.0
            || self.accel_mps2.is_nan()
            || self.accel_mps2 <= 0.0
        {
            return 0.0;
        }
        let dv = (speed_mps - from_mps.clamp(0.0, speed_mps)).max(0.0);
        dv * dv / (2.0 * self.accel_mps2 * speed_mps)
    }
}

impl Default for Px4Envelope {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The top speed of PX4's SIH multicopter: level flight at tilt `tilt_deg` holds
/// `mass · g · tan(tilt)` of horizontal thrust against `kdv · v` of drag.
pub fn sih_top_speed_mps(mass_kg: f64, kdv: f64, tilt_deg: f64) -> f64 {
    mass_kg * G * tilt_deg.to_radians().tan() / kdv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sih_quad_tops_out_under_px4s_velocity_limit() {
        let sih = Px4Envelope::from_params(|n| match n {
            "SIH_MASS" | "SIH_KDV" => Some(1.0),
            "MPC_TILTMAX_AIR" => Some(45.0),
            _ => None,
        });
        assert!(
            (sih.max_speed_mps() - 9.807).abs() < 0.01,
            "{}",
            sih.max_speed_mps()
        );
        assert_eq!(sih.leg_speed_mps(Some(12.0)), sih.max_speed_mps());
        assert_eq!(sih.leg_speed_mps(None), 5.0);
        assert_eq!(Px4Envelope::DEFAULT.leg_speed_mps(Some(15.0)), 12.0);
        assert_eq!(Px4Envelope::DEFAULT.leg_speed_mps(Some(f64::NAN)), 5.0);
        // Out-of-range parameters give a usable envelope, never a negative speed.
        let odd = Px4Envelope::from_params(|n| match n {
            "SIH_MASS" | "SIH_KDV" => Some(1.0),
            "MPC_TILTMAX_AIR" => Some(135.0),
            "MPC_XY_CRUISE" => Some(f64::NAN),
            "MPC_ACC_HOR" => Some(-3.0),
            _ => None,
        });
        assert!(
            odd.max_speed_mps() > 0.0 && odd.max_speed_mps().is_finite(),
            "{odd:?}"
        );
        assert_eq!((odd.cruise_mps, odd.accel_mps2), (5.0, 3.0));
    }

    #[test]
    fn phases_take_px4s_time() {
        let e = Px4Envelope::DEFAULT;
        // 10 m: settling, 1.5 → 0.7 m/s over 10..5 m, 0.7 to 1 m, 0.3 for the last
        // metre, then detection.
        let ten = e.landing_s(10.0);
        let expected = LAND_SETTLE_S + 4.763 + 4.0 / 0.7 + 1.0 / 0.3 + LAND_DETECT_S;
        assert!((ten - expected).abs() < 0.01, "{ten}");
        let hundred = e.landing_s(100.0);
        assert!((hundred - ten - 90.0 / 1.5).abs() < 1e-9, "{hundred} {ten}");
        // A mission take-off to 18 m: 3 s on the ground, 3 s ramp (4.5 m), 13.5 m at 3 m/s.
        assert!((e.takeoff_s(18.0, 3.0) - 10.5).abs() < 1e-9);
        assert!((e.takeoff_s(1.0, 3.0) - (3.0 + (2.0f64).sqrt())).abs() < 1e-9);
        assert!((e.speed_change_loss_s(9.0, 0.0) - 1.5).abs() < 1e-9);
        assert_eq!(e.speed_change_loss_s(9.0, 9.0), 0.0);
    }
}
