//! The PX4 parameters the simulated vehicle honours, with PX4's defaults: those PX4
//! SITL reports (`px4/params.tsv`; a unit test compares every field with it).

/// What to do when the GCS data link is lost (PX4 `NAV_DLL_ACT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataLinkLossAction {
    /// 0: no action (PX4's default).
    Disabled,
    /// 1: hold where it is.
    Hold,
    /// 2: return to launch.
    Return,
    /// 3: land where it is.
    Land,
    /// 6: disarm (the vehicle falls); 5, flight termination, is simulated the same way.
    Disarm,
}

/// What to do at critical and emergency battery levels (PX4 `COM_LOW_BAT_ACT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LowBatteryAction {
    /// 0: warn only.
    Warning,
    /// 2: land at critical level.
    Land,
    /// 3: return at critical level, land at emergency level (PX4 SITL's default).
    ReturnThenLand,
}

/// What to do on a geofence breach (PX4 `GF_ACTION`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeofenceAction {
    /// 0: nothing.
    None,
    /// 1: warn only.
    Warning,
    /// 2: hold where it is (PX4's default).
    Hold,
    /// 3: return to launch.
    Return,
    /// 4: flight termination.
    Terminate,
    /// 5: land where it is.
    Land,
}

/// PX4 parameters the simulated vehicle uses; names in the docs are PX4's.
#[derive(Debug, Clone, PartialEq)]
pub struct Px4Params {
    /// `COM_DL_LOSS_T`: seconds without GCS heartbeat before the data-link failsafe (10 s).
    pub com_dl_loss_t_s: f64,
    /// `NAV_DLL_ACT`: data-link loss action (disabled).
    pub nav_dll_act: DataLinkLossAction,
    /// `COM_LOW_BAT_ACT`: battery failsafe action (return, then land).
    pub com_low_bat_act: LowBatteryAction,
    /// `BAT_LOW_THR`: low battery warning threshold, fraction (0.15).
    pub bat_low_thr: f64,
    /// `BAT_CRIT_THR`: critical threshold, fraction (0.07).
    pub bat_crit_thr: f64,
    /// `BAT_EMERGEN_THR`: emergency threshold, fraction (0.05).
    pub bat_emergen_thr: f64,
    /// `RTL_RETURN_ALT`: return altitude above home, metres (30).
    pub rtl_return_alt_m: f64,
    /// `RTL_DESCEND_ALT`: altitude above home to descend to before landing, metres (10).
    pub rtl_descend_alt_m: f64,
    /// `MIS_TAKEOFF_ALT`: default takeoff altitude above home, metres (2.5).
    pub mis_takeoff_alt_m: f64,
    /// `MPC_XY_CRUISE`: horizontal cruise speed in auto modes, m/s (5).
    pub mpc_xy_cruise_mps: f64,
    /// `MPC_XY_VEL_MAX`: most horizontal speed; cruise and DO_CHANGE_SPEED are clamped to it, m/s (12).
    pub mpc_xy_vel_max_mps: f64,
    /// `MPC_Z_V_AUTO_UP`: climb speed in auto modes, m/s (3).
    pub mpc_z_v_auto_up_mps: f64,
    /// `MPC_Z_V_AUTO_DN`: descent speed in auto modes, m/s (1.5).
    pub mpc_z_v_auto_dn_mps: f64,
    /// `MPC_LAND_SPEED`: final landing descent speed, m/s (0.7).
    pub mpc_land_speed_mps: f64,
    /// `MPC_LAND_ALT2`: below this height the landing descends at `MPC_LAND_SPEED`, metres (5).
    pub mpc_land_alt2_m: f64,
    /// `NAV_ACC_RAD`: acceptance radius for waypoints and go-to, metres (2).
    pub nav_acc_rad_m: f64,
    /// `COM_DISARM_LAND`: auto-disarm this many seconds after landing (2).
    pub com_disarm_land_s: f64,
    /// `COM_DISARM_PRFLT`: auto-disarm if armed but not taken off after this long (10).
    pub com_disarm_prflt_s: f64,
    /// `GF_ACTION`: geofence breach action (hold).
    pub gf_action: GeofenceAction,
}

impl Default for Px4Params {
    fn default() -> Self {
        Self {
            com_dl_loss_t_s: 10.0,
            nav_dll_act: DataLinkLossAction::Disabled,
            com_low_bat_act: LowBatteryAction::ReturnThenLand,
            bat_low_thr: 0.15,
            bat_crit_thr: 0.07,
            bat_emergen_thr: 0.05,
            rtl_return_alt_m: 30.0,
            rtl_descend_alt_m: 10.0,
            mis_takeoff_alt_m: 2.5,
            mpc_xy_cruise_mps: 5.0,
            mpc_xy_vel_max_mps: 12.0,
            mpc_z_v_auto_up_mps: 3.0,
            mpc_z_v_auto_dn_mps: 1.5,
            mpc_land_speed_mps: 0.7,
            mpc_land_alt2_m: 5.0,
            nav_acc_rad_m: 2.0,
            com_disarm_land_s: 2.0,
            com_disarm_prflt_s: 10.0,
            gf_action: GeofenceAction::Hold,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::param_server::bind::{dll_act_to_px4, gf_action_to_px4, low_bat_act_to_px4};
    use crate::param_server::table::{Px4Value, px4_default};

    #[test]
    fn every_default_is_px4_sitls() {
        // Destructured without `..`: a new field does not compile until it is listed.
        let Px4Params {
            com_dl_loss_t_s,
            nav_dll_act,
            com_low_bat_act,
            bat_low_thr,
            bat_crit_thr,
            bat_emergen_thr,
            rtl_return_alt_m,
            rtl_descend_alt_m,
            mis_takeoff_alt_m,
            mpc_xy_cruise_mps,
            mpc_xy_vel_max_mps,
            mpc_z_v_auto_up_mps,
            mpc_z_v_auto_dn_mps,
            mpc_land_speed_mps,
            mpc_land_alt2_m,
            nav_acc_rad_m,
            com_disarm_land_s,
            com_disarm_prflt_s,
            gf_action,
        } = Px4Params::default();
        let int = Px4Value::Int;
        let float = |v: f64| Px4Value::Float(v as f32);
        let fields = [
            ("COM_DL_LOSS_T", int(com_dl_loss_t_s as i32)),
            ("NAV_DLL_ACT", int(dll_act_to_px4(nav_dll_act))),
            ("COM_LOW_BAT_ACT", int(low_bat_act_to_px4(com_low_bat_act))),
            ("BAT_LOW_THR", float(bat_low_thr)),
            ("BAT_CRIT_THR", float(bat_crit_thr)),
            ("BAT_EMERGEN_THR", float(bat_emergen_thr)),
            ("RTL_RETURN_ALT", float(rtl_return_alt_m)),
            ("RTL_DESCEND_ALT", float(rtl_descend_alt_m)),
            ("MIS_TAKEOFF_ALT", float(mis_takeoff_alt_m)),
            ("MPC_XY_CRUISE", float(mpc_xy_cruise_mps)),
            ("MPC_XY_VEL_MAX", float(mpc_xy_vel_max_mps)),
            ("MPC_Z_V_AUTO_UP", float(mpc_z_v_auto_up_mps)),
            ("MPC_Z_V_AUTO_DN", float(mpc_z_v_auto_dn_mps)),
            ("MPC_LAND_SPEED", float(mpc_land_speed_mps)),
            ("MPC_LAND_ALT2", float(mpc_land_alt2_m)),
            ("NAV_ACC_RAD", float(nav_acc_rad_m)),
            ("COM_DISARM_LAND", float(com_disarm_land_s)),
            ("COM_DISARM_PRFLT", float(com_disarm_prflt_s)),
            ("GF_ACTION", int(gf_action_to_px4(gf_action))),
        ];
        assert_eq!(com_dl_loss_t_s.fract(), 0.0, "COM_DL_LOSS_T is an INT32");
        for (name, model) in fields {
            assert_eq!(Some(model), px4_default(name), "{name}");
        }
        assert_eq!((rtl_return_alt_m, rtl_descend_alt_m), (30.0, 10.0));
    }
}
