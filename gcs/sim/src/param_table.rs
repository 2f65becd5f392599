//! The PX4 parameters the simulated vehicle carries: PX4's names, types, defaults and
//! ranges (`@min`/`@max`/`@value` in PX4's parameter definitions), as a stock PX4 SITL
//! multicopter (`SYS_AUTOSTART` 4001, x500) reports them: airframe defaults applied
//! (`NAV_ACC_RAD` 2 m as `rc.mc_defaults` sets it) and the sim's 4S pack.
//!
//! Only INT32 and FLOAT exist here, as in PX4's parameter store.

/// A parameter's value as PX4 stores it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Px4Value {
    /// `PARAM_DEFINE_INT32`, sent as MAV_PARAM_TYPE_INT32 with its bytes in the float.
    Int(i32),
    /// `PARAM_DEFINE_FLOAT`, sent as MAV_PARAM_TYPE_REAL32.
    Float(f32),
}

impl Px4Value {
    /// The four bytes PX4 stores, sends and hashes.
    pub fn bytes(&self) -> [u8; 4] {
        match self {
            Self::Int(i) => i.to_le_bytes(),
            Self::Float(f) => f.to_le_bytes(),
        }
    }

    /// The value as a float64.
    pub fn as_f64(&self) -> f64 {
        match self {
            Self::Int(i) => f64::from(*i),
            Self::Float(f) => f64::from(*f),
        }
    }
}

/// One parameter definition.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamDef {
    /// PX4's name.
    pub name: &'static str,
    /// Default (the value at boot).
    pub default: Px4Value,
    /// Smallest accepted value.
    pub min: f64,
    /// Largest accepted value.
    pub max: f64,
    /// For enumerations, the values PX4 defines (others are refused); empty otherwise.
    pub values: &'static [i32],
}

const fn int(name: &'static str, default: i32, min: f64, max: f64) -> ParamDef {
    ParamDef {
        name,
        default: Px4Value::Int(default),
        min,
        max,
        values: &[],
    }
}

const fn choice(name: &'static str, default: i32, values: &'static [i32]) -> ParamDef {
    ParamDef {
        name,
        default: Px4Value::Int(default),
        min: i32::MIN as f64,
        max: i32::MAX as f64,
        values,
    }
}

const fn float(name: &'static str, default: f32, min: f64, max: f64) -> ParamDef {
    ParamDef {
        name,
        default: Px4Value::Float(default),
        min,
        max,
        values: &[],
    }
}

const ANY: f64 = f32::MAX as f64;
const FLIGHT_MODES: &[i32] = &[
    -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 100, 101, 102, 103, 104, 105, 106, 107,
];

/// Every parameter the sim serves (in no particular order; the server sorts by name
/// as PX4's generated parameter table is).
pub const PX4_PARAMS: &[ParamDef] = &[
    // Battery (battery_status, commander)
    float("BAT1_CAPACITY", -1.0, -1.0, 100_000.0),
    int("BAT1_N_CELLS", 4, 0.0, 16.0),
    choice("BAT1_SOURCE", 0, &[-1, 0, 1, 2]),
    float("BAT1_V_CHARGED", 4.05, 0.0, ANY),
    float("BAT1_V_EMPTY", 3.6, 0.0, ANY),
    float("BAT_CRIT_THR", 0.07, 0.05, 0.25),
    float("BAT_EMERGEN_THR", 0.05, 0.03, 0.1),
    float("BAT_LOW_THR", 0.15, 0.12, 0.5),
    // Sensor calibration ids of SITL's simulated sensors
    int("CAL_ACC0_ID", 1_310_988, i32::MIN as f64, i32::MAX as f64),
    int("CAL_GYRO0_ID", 1_310_988, i32::MIN as f64, i32::MAX as f64),
    int("CAL_MAG0_ID", 197_388, i32::MIN as f64, i32::MAX as f64),
    // Commander
    choice("COM_ARM_WO_GPS", 1, &[0, 1, 2]),
    float("COM_DISARM_LAND", 2.0, -1.0, 20.0),
    float("COM_DISARM_PRFLT", 10.0, -1.0, 20.0),
    int("COM_DL_LOSS_T", 10, 5.0, 300.0),
    choice("COM_FLTMODE1", -1, FLIGHT_MODES),
    choice("COM_FLTMODE2", -1, FLIGHT_MODES),
    choice("COM_FLTMODE3", -1, FLIGHT_MODES),
    choice("COM_FLTMODE4", -1, FLIGHT_MODES),
    choice("COM_FLTMODE5", -1, FLIGHT_MODES),
    choice("COM_FLTMODE6", -1, FLIGHT_MODES),
    choice("COM_HOME_IN_AIR", 0, &[0, 1]),
    choice("COM_LOW_BAT_ACT", 0, &[0, 2, 3]),
    int("COM_OBL_RC_ACT", 0, 0.0, 7.0),
    choice("COM_RC_IN_MODE", 3, &[0, 1, 2, 3, 4]),
    float("COM_RC_LOSS_T", 0.5, 0.0, 35.0),
    choice("COM_TAKEOFF_ACT", 0, &[0, 1]),
    // Geofence
    choice("GF_ACTION", 2, &[0, 1, 2, 3, 4, 5]),
    choice("GF_ALTMODE", 0, &[0, 1]),
    float("GF_MAX_HOR_DIST", 0.0, 0.0, 10_000.0),
    float("GF_MAX_VER_DIST", 0.0, 0.0, 10_000.0),
    choice("GF_SOURCE", 0, &[0, 1]),
    // MAVLink
    int("MAV_COMP_ID", 1, 1.0, 250.0),
    choice("MAV_PROTO_VER", 0, &[0, 1, 2]),
    int("MAV_SYS_ID", 1, 1.0, 250.0),
    int("MAV_TYPE", 2, 0.0, 22.0),
    // Multicopter attitude and position control
    float("MC_PITCH_P", 6.5, 0.0, 12.0),
    float("MC_ROLL_P", 6.5, 0.0, 12.0),
    float("MC_YAW_P", 2.8, 0.0, 5.0),
    float("MPC_LAND_ALT1", 10.0, 0.0, 122.0),
    float("MPC_LAND_ALT2", 5.0, 0.0, 122.0),
    float("MPC_LAND_SPEED", 0.7, 0.6, ANY),
    float("MPC_THR_HOVER", 0.5, 0.1, 0.8),
    float("MPC_TILTMAX_AIR", 45.0, 20.0, 89.0),
    float("MPC_TKO_SPEED", 1.5, 1.0, 5.0),
    float("MPC_XY_CRUISE", 5.0, 3.0, 20.0),
    float("MPC_XY_VEL_MAX", 12.0, 0.0, 20.0),
    float("MPC_Z_V_AUTO_DN", 1.5, 0.5, 4.0),
    float("MPC_Z_V_AUTO_UP", 3.0, 0.5, 8.0),
    // Mission and navigator
    float("MIS_DIST_1WP", 900.0, 0.0, 10_000.0),
    float("MIS_TAKEOFF_ALT", 2.5, 0.0, 80.0),
    float("NAV_ACC_RAD", 2.0, 0.05, 200.0),
    choice("NAV_DLL_ACT", 0, &[0, 1, 2, 3, 5, 6]),
    choice("NAV_RCL_ACT", 2, &[1, 2, 3, 5, 6]),
    float("RTL_DESCEND_ALT", 30.0, 2.0, 100.0),
    float("RTL_LAND_DELAY", 0.0, -1.0, 300.0),
    float("RTL_RETURN_ALT", 60.0, 0.0, 150.0),
    choice("RTL_TYPE", 0, &[0, 1, 2, 3]),
    // Logging and system
    choice("SDLOG_MODE", 0, &[-1, 0, 1, 2, 3, 4]),
    int("SDLOG_PROFILE", 1, 0.0, 4095.0),
    int("SENS_BOARD_ROT", 0, 0.0, 40.0),
    choice("SYS_AUTOCONFIG", 0, &[0, 1, 2]),
    int("SYS_AUTOSTART", 4001, 0.0, 9_999_999.0),
    choice("SYS_HAS_MAG", 1, &[0, 1]),
];

impl ParamDef {
    /// Whether PX4 would accept `v` for this parameter (type, range, enumeration).
    pub fn accepts(&self, v: Px4Value) -> bool {
        match (self.default, v) {
            (Px4Value::Int(_), Px4Value::Int(i)) => {
                if self.values.is_empty() {
                    (self.min..=self.max).contains(&f64::from(i))
                } else {
                    self.values.contains(&i)
                }
            }
            (Px4Value::Float(_), Px4Value::Float(f)) => {
                f.is_finite() && (self.min..=self.max).contains(&f64::from(f))
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_px4_names_and_defaults_are_accepted() {
        let mut names: Vec<&str> = PX4_PARAMS.iter().map(|p| p.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), PX4_PARAMS.len());
        assert!(PX4_PARAMS.len() >= 60);
        for p in PX4_PARAMS {
            assert!(p.name.len() <= 16, "{}", p.name);
            assert!(
                p.name
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'),
                "{}",
                p.name
            );
            assert!(p.accepts(p.default), "{} default refused", p.name);
        }
    }

    #[test]
    fn type_range_and_enumeration_checks() {
        let def = |n: &str| *PX4_PARAMS.iter().find(|p| p.name == n).unwrap();
        let dll = def("NAV_DLL_ACT");
        assert!(dll.accepts(Px4Value::Int(2)));
        assert!(!dll.accepts(Px4Value::Int(4)), "4 is not a PX4 action");
        assert!(!dll.accepts(Px4Value::Float(2.0)), "wrong type");
        let loss = def("COM_DL_LOSS_T");
        assert!(loss.accepts(Px4Value::Int(5)));
        assert!(!loss.accepts(Px4Value::Int(4)));
        let rtl = def("RTL_RETURN_ALT");
        assert!(rtl.accepts(Px4Value::Float(120.0)));
        assert!(!rtl.accepts(Px4Value::Float(151.0)));
        assert!(!rtl.accepts(Px4Value::Float(f32::NAN)));
    }
}
