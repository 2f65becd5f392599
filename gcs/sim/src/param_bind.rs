//! Which PX4 parameters drive the simulated vehicle: reading them from and writing them
//! into [`Px4Params`], so a PARAM_SET changes how the sim flies and fails safe.

use super::table::Px4Value;
use crate::params::{DataLinkLossAction, GeofenceAction, LowBatteryAction, Px4Params};

/// The model's float fields, by PX4 name.
fn float_field<'a>(p: &'a mut Px4Params, name: &str) -> Option<&'a mut f64> {
    Some(match name {
        "BAT_LOW_THR" => &mut p.bat_low_thr,
        "BAT_CRIT_THR" => &mut p.bat_crit_thr,
        "BAT_EMERGEN_THR" => &mut p.bat_emergen_thr,
        "RTL_RETURN_ALT" => &mut p.rtl_return_alt_m,
        "RTL_DESCEND_ALT" => &mut p.rtl_descend_alt_m,
        "MIS_TAKEOFF_ALT" => &mut p.mis_takeoff_alt_m,
        "MPC_XY_CRUISE" => &mut p.mpc_xy_cruise_mps,
        "MPC_XY_VEL_MAX" => &mut p.mpc_xy_vel_max_mps,
        "MPC_Z_V_AUTO_UP" => &mut p.mpc_z_v_auto_up_mps,
        "MPC_Z_V_AUTO_DN" => &mut p.mpc_z_v_auto_dn_mps,
        "MPC_LAND_SPEED" => &mut p.mpc_land_speed_mps,
        "MPC_LAND_ALT2" => &mut p.mpc_land_alt2_m,
        "NAV_ACC_RAD" => &mut p.nav_acc_rad_m,
        "COM_DISARM_LAND" => &mut p.com_disarm_land_s,
        "COM_DISARM_PRFLT" => &mut p.com_disarm_prflt_s,
        _ => return None,
    })
}

/// PX4's `NAV_DLL_ACT` value of an action.
pub fn dll_act_to_px4(a: DataLinkLossAction) -> i32 {
    match a {
        DataLinkLossAction::Disabled => 0,
        DataLinkLossAction::Hold => 1,
        DataLinkLossAction::Return => 2,
        DataLinkLossAction::Land => 3,
        DataLinkLossAction::Disarm => 6,
    }
}

/// The action of a `NAV_DLL_ACT` value; 5 (terminate) falls like 6 (disarm) here.
pub fn dll_act_from_px4(v: i32) -> Option<DataLinkLossAction> {
    Some(match v {
        0 => DataLinkLossAction::Disabled,
        1 => DataLinkLossAction::Hold,
        2 => DataLinkLossAction::Return,
        3 => DataLinkLossAction::Land,
        5 | 6 => DataLinkLossAction::Disarm,
        _ => return None,
    })
}

/// PX4's `COM_LOW_BAT_ACT` value of an action.
pub fn low_bat_act_to_px4(a: LowBatteryAction) -> i32 {
    match a {
        LowBatteryAction::Warning => 0,
        LowBatteryAction::Land => 2,
        LowBatteryAction::ReturnThenLand => 3,
    }
}

/// The action of a `COM_LOW_BAT_ACT` value.
pub fn low_bat_act_from_px4(v: i32) -> Option<LowBatteryAction> {
    Some(match v {
        0 => LowBatteryAction::Warning,
        2 => LowBatteryAction::Land,
        3 => LowBatteryAction::ReturnThenLand,
        _ => return None,
    })
}

/// PX4's `GF_ACTION` value of an action.
pub fn gf_action_to_px4(a: GeofenceAction) -> i32 {
    match a {
        GeofenceAction::None => 0,
        GeofenceAction::Warning => 1,
        GeofenceAction::Hold => 2,
        GeofenceAction::Return => 3,
        GeofenceAction::Terminate => 4,
        GeofenceAction::Land => 5,
    }
}

/// The action of a `GF_ACTION` value.
pub fn gf_action_from_px4(v: i32) -> Option<GeofenceAction> {
    Some(match v {
        0 => GeofenceAction::None,
        1 => GeofenceAction::Warning,
        2 => GeofenceAction::Hold,
        3 => GeofenceAction::Return,
        4 => GeofenceAction::Terminate,
        5 => GeofenceAction::Land,
        _ => return None,
    })
}

/// The model's current value of `name`, if the model uses that parameter.
pub fn model_value(p: &Px4Params, name: &str) -> Option<Px4Value> {
    let mut copy = p.clone();
    if let Some(f) = float_field(&mut copy, name) {
        return Some(Px4Value::Float(*f as f32));
    }
    Some(Px4Value::Int(match name {
        "COM_DL_LOSS_T" => p.com_dl_loss_t_s.round() as i32,
        "NAV_DLL_ACT" => dll_act_to_px4(p.nav_dll_act),
        "COM_LOW_BAT_ACT" => low_bat_act_to_px4(p.com_low_bat_act),
        "GF_ACTION" => gf_action_to_px4(p.gf_action),
        _ => return None,
    }))
}

/// Writes `name = v` into the model if it uses that parameter; returns whether it does.
/// `v` has already passed the parameter's type and range checks.
pub fn apply(p: &mut Px4Params, name: &str, v: Px4Value) -> bool {
    match (name, v) {
        (_, Px4Value::Float(f)) => match float_field(p, name) {
            Some(field) => {
                *field = f64::from(f);
                true
            }
            None => false,
        },
        ("COM_DL_LOSS_T", Px4Value::Int(i)) => {
            p.com_dl_loss_t_s = f64::from(i);
            true
        }
        ("NAV_DLL_ACT", Px4Value::Int(i)) => {
            dll_act_from_px4(i).map(|a| p.nav_dll_act = a).is_some()
        }
        ("COM_LOW_BAT_ACT", Px4Value::Int(i)) => low_bat_act_from_px4(i)
            .map(|a| p.com_low_bat_act = a)
            .is_some(),
        ("GF_ACTION", Px4Value::Int(i)) => gf_action_from_px4(i).map(|a| p.gf_action = a).is_some(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::param_server::table::{CURATED, px4_params};

    #[test]
    fn every_model_parameter_is_px4s_curated_and_served_with_px4s_default() {
        let p = Px4Params::default();
        let bound: Vec<&str> = px4_params()
            .iter()
            .filter(|d| model_value(&p, d.name).is_some())
            .map(|d| d.name)
            .collect();
        assert_eq!(bound.len(), 19, "{bound:?}");
        for d in px4_params() {
            if let Some(v) = model_value(&p, d.name) {
                assert_eq!(v, d.default, "{}", d.name);
                assert!(
                    CURATED.iter().any(|c| c.name == d.name),
                    "{}: the model's parameters are range-checked",
                    d.name
                );
            }
        }
    }

    #[test]
    fn writes_reach_the_model() {
        let mut p = Px4Params::default();
        assert!(apply(&mut p, "NAV_DLL_ACT", Px4Value::Int(2)));
        assert_eq!(p.nav_dll_act, DataLinkLossAction::Return);
        assert!(apply(&mut p, "NAV_DLL_ACT", Px4Value::Int(5)));
        assert_eq!(p.nav_dll_act, DataLinkLossAction::Disarm);
        assert!(apply(&mut p, "COM_DL_LOSS_T", Px4Value::Int(5)));
        assert_eq!(p.com_dl_loss_t_s, 5.0);
        assert!(apply(&mut p, "COM_LOW_BAT_ACT", Px4Value::Int(3)));
        assert_eq!(p.com_low_bat_act, LowBatteryAction::ReturnThenLand);
        assert!(apply(&mut p, "RTL_RETURN_ALT", Px4Value::Float(80.0)));
        assert_eq!(p.rtl_return_alt_m, 80.0);
        assert!(apply(&mut p, "GF_ACTION", Px4Value::Int(3)));
        assert_eq!(p.gf_action, GeofenceAction::Return);
        assert!(!apply(&mut p, "SYS_AUTOSTART", Px4Value::Int(4002)));
        assert_eq!(
            model_value(&p, "RTL_RETURN_ALT"),
            Some(Px4Value::Float(80.0))
        );
    }
}
