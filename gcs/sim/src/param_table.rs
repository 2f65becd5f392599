//! The PX4 parameters the simulated vehicle carries: PX4 SITL's whole list with PX4's
//! names, types and defaults, and PX4's ranges (`@min`/`@max`/`@value` in PX4's
//! parameter definitions) on the ones the sim checks.
//!
//! The list is `px4/params.tsv`: every PARAM_VALUE PX4 SITL (v1.15 alpha, SIH quadrotor,
//! `SYS_AUTOSTART` 10040) sent for a PARAM_REQUEST_LIST, 903 parameters and the
//! `_HASH_CHECK` it began with, as name, MAVLink type and the wire value as a float64.
//! It is embedded and parsed once ([`px4_params`]); the unit tests parse it, so a broken
//! file fails `cargo test`, not a running sim. [`CURATED`] adds PX4's ranges and
//! enumerations to the parameters the model uses and a few a GCS commonly sets; the
//! rest accept any finite value of their type, as PX4's parameter store does.
//!
//! Only INT32 and FLOAT exist here, as in PX4's parameter store.

use std::sync::OnceLock;

/// PX4 SITL's parameter list (see the module docs).
pub const PX4_TSV: &str = include_str!("../px4/params.tsv");

/// PX4's name for the parameter hash (a row of the TSV, not a parameter).
const HASH_CHECK: &str = "_HASH_CHECK";

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

    fn same_type(&self, other: Px4Value) -> bool {
        matches!(
            (self, other),
            (Self::Int(_), Self::Int(_)) | (Self::Float(_), Self::Float(_))
        )
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

/// The parameters the sim checks beyond their type: PX4's ranges and enumerations.
/// Every one is in PX4's list with the same type and default (checked when the list
/// is built); in no particular order.
pub const CURATED: &[ParamDef] = &[
    // Battery (battery_status, commander)
    float("BAT1_CAPACITY", -1.0, -1.0, 100_000.0),
    int("BAT1_N_CELLS", 4, 0.0, 16.0),
    choice("BAT1_SOURCE", 0, &[-1, 0, 1, 2]),
    float("BAT1_V_CHARGED", 4.05, 0.0, ANY),
    float("BAT1_V_EMPTY", 3.6, 0.0, ANY),
    float("BAT_CRIT_THR", 0.07, 0.05, 0.25),
    float("BAT_EMERGEN_THR", 0.05, 0.03, 0.1),
    float("BAT_LOW_THR", 0.15, 0.12, 0.5),
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
    choice("COM_LOW_BAT_ACT", 3, &[0, 2, 3]),
    int("COM_OBL_RC_ACT", 0, 0.0, 7.0),
    choice("COM_RC_IN_MODE", 1, &[0, 1, 2, 3, 4]),
    float("COM_RC_LOSS_T", 0.5, 0.0, 35.0),
    choice("COM_TAKEOFF_ACT", 0, &[0, 1]),
    // Geofence
    choice("GF_ACTION", 2, &[0, 1, 2, 3, 4, 5]),
    float("GF_MAX_HOR_DIST", 0.0, 0.0, 10_000.0),
    float("GF_MAX_VER_DIST", 0.0, 0.0, 10_000.0),
    choice("GF_SOURCE", 0, &[0, 1]),
    // MAVLink
    int("MAV_COMP_ID", 1, 1.0, 250.0),
    choice("MAV_PROTO_VER", 2, &[0, 1, 2]),
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
    float("MIS_TAKEOFF_ALT", 2.5, 0.0, 80.0),
    float("NAV_ACC_RAD", 2.0, 0.05, 200.0),
    choice("NAV_DLL_ACT", 0, &[0, 1, 2, 3, 5, 6]),
    choice("NAV_RCL_ACT", 2, &[1, 2, 3, 5, 6]),
    float("RTL_DESCEND_ALT", 10.0, 2.0, 100.0),
    float("RTL_LAND_DELAY", 0.0, -1.0, 300.0),
    float("RTL_RETURN_ALT", 30.0, 0.0, 150.0),
    choice("RTL_TYPE", 0, &[0, 1, 2, 3]),
    // Logging and system
    choice("SDLOG_MODE", 1, &[-1, 0, 1, 2, 3, 4]),
    int("SDLOG_PROFILE", 131, 0.0, 4095.0),
    int("SENS_BOARD_ROT", 0, 0.0, 40.0),
    choice("SYS_AUTOCONFIG", 0, &[0, 1, 2]),
    int("SYS_AUTOSTART", 10040, 0.0, 9_999_999.0),
    choice("SYS_HAS_MAG", 1, &[0, 1]),
];

impl ParamDef {
    /// A parameter the sim does not check beyond its type: any finite value of it.
    fn unchecked(name: &'static str, default: Px4Value) -> Self {
        let (min, max) = match default {
            Px4Value::Int(_) => (f64::from(i32::MIN), f64::from(i32::MAX)),
            Px4Value::Float(_) => (-ANY, ANY),
        };
        Self {
            name,
            default,
            min,
            max,
            values: &[],
        }
    }

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

/// What is wrong with a parameter list, and on which line of it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("px4/params.tsv line {line}: {problem}")]
pub struct TsvError {
    /// 1-based line number (0: the list as a whole).
    pub line: usize,
    /// What is wrong.
    pub problem: String,
}

/// Parses a list in `px4/params.tsv`'s format: `#` comment lines, then one
/// `name<TAB>type<TAB>value` line per parameter in PX4's index order (names
/// ascending bytewise, each once), `type` INT32 (an integer) or REAL32 (a float64
/// that is exactly a float32). A `_HASH_CHECK` UINT32 line, PX4's hash when it was
/// recorded, is checked and skipped: the sim computes its own.
pub fn parse_tsv(text: &'static str) -> Result<Vec<(&'static str, Px4Value)>, TsvError> {
    let mut out: Vec<(&'static str, Px4Value)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let err = |problem: String| TsvError {
            line: i + 1,
            problem,
        };
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&'static str> = line.split('\t').collect();
        let [name, ty, value] = fields[..] else {
            return Err(err(format!(
                "{} tab-separated fields, expected name, type, value",
                fields.len()
            )));
        };
        let px4_name = (1..=16).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
        if !px4_name {
            return Err(err(format!("{name:?} is not a PX4 parameter name")));
        }
        if name == HASH_CHECK {
            if ty != "UINT32" || value.parse::<u32>().is_err() {
                return Err(err(format!("{HASH_CHECK} {ty} {value:?}: expected UINT32")));
            }
            continue;
        }
        let v = match ty {
            "INT32" => Px4Value::Int(
                value
                    .parse()
                    .map_err(|e| err(format!("{name}: INT32 {value:?}: {e}")))?,
            ),
            "REAL32" => {
                let f: f64 = value
                    .parse()
                    .map_err(|e| err(format!("{name}: REAL32 {value:?}: {e}")))?;
                let f32_value = f as f32;
                if !f.is_finite() || f64::from(f32_value) != f {
                    return Err(err(format!(
                        "{name}: REAL32 {value:?} is not a finite float32"
                    )));
                }
                Px4Value::Float(f32_value)
            }
            other => {
                return Err(err(format!(
                    "{name}: type {other:?}, expected INT32 or REAL32"
                )));
            }
        };
        if let Some((last, _)) = out.last()
            && last.as_bytes() >= name.as_bytes()
        {
            return Err(err(format!(
                "{name} after {last}: names must ascend, each once (PX4's index order)"
            )));
        }
        out.push((name, v));
    }
    if out.is_empty() {
        return Err(TsvError {
            line: 0,
            problem: "no parameters".into(),
        });
    }
    Ok(out)
}

/// The served list from a parsed TSV: PX4's parameters, types and defaults, with the
/// [`CURATED`] checks on theirs. Fails if a curated parameter is missing from the list,
/// has another type or default, or would refuse its own default.
pub fn build(text: &'static str) -> Result<Vec<ParamDef>, TsvError> {
    let list = parse_tsv(text)?;
    for c in CURATED {
        let problem = match list.iter().find(|(n, _)| *n == c.name) {
            None => Some("is not in PX4's list".to_string()),
            Some((_, v)) if !c.default.same_type(*v) || c.default != *v => Some(format!(
                "curated default {:?} differs from PX4's {v:?}",
                c.default
            )),
            Some(_) if !c.accepts(c.default) => Some("refuses its own default".into()),
            Some(_) => None,
        };
        if let Some(p) = problem {
            return Err(TsvError {
                line: 0,
                problem: format!("curated {}: {p}", c.name),
            });
        }
    }
    Ok(list
        .into_iter()
        .map(
            |(name, default)| match CURATED.iter().find(|c| c.name == name) {
                Some(c) => ParamDef { default, ..*c },
                None => ParamDef::unchecked(name, default),
            },
        )
        .collect())
}

/// PX4 SITL's parameters in index (name) order, built from [`PX4_TSV`] on first use.
/// The unit tests build it, so it cannot fail in a tested build.
pub fn px4_params() -> &'static [ParamDef] {
    static LIST: OnceLock<Vec<ParamDef>> = OnceLock::new();
    LIST.get_or_init(|| build(PX4_TSV).unwrap_or_else(|e| panic!("embedded {e}")))
}

/// PX4's default of `name`, if PX4 has that parameter.
pub fn px4_default(name: &str) -> Option<Px4Value> {
    let list = px4_params();
    list.binary_search_by(|d| d.name.as_bytes().cmp(name.as_bytes()))
        .ok()
        .map(|i| list[i].default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_list_is_px4_sitls_903_parameters() {
        // The embedded file parses and its curated checks agree with it; this is the
        // failure a broken TSV gives, rather than a panic in a running sim.
        let list = build(PX4_TSV).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(list.len(), 903);
        assert_eq!(px4_params(), &list[..]);
        let ints = list
            .iter()
            .filter(|d| matches!(d.default, Px4Value::Int(_)))
            .count();
        assert_eq!((ints, list.len() - ints), (281, 622));
        for d in &list {
            assert!(d.accepts(d.default), "{} default refused", d.name);
        }
        assert!(PX4_TSV.starts_with("# name\ttype\tdefault"), "header kept");
        assert!(PX4_TSV.contains("\n_HASH_CHECK\tUINT32\t"));
        // PX4's SIH quadrotor, not the curated table's older x500 figures.
        assert_eq!(px4_default("SYS_AUTOSTART"), Some(Px4Value::Int(10040)));
        assert_eq!(px4_default("RTL_RETURN_ALT"), Some(Px4Value::Float(30.0)));
        assert_eq!(px4_default("RTL_DESCEND_ALT"), Some(Px4Value::Float(10.0)));
        assert_eq!(px4_default("BAT_LOW_THR"), Some(Px4Value::Float(0.15)));
        assert_eq!(px4_default(HASH_CHECK), None);
        assert_eq!(px4_default("NO_SUCH"), None);
    }

    #[test]
    fn every_curated_parameter_is_px4s_with_px4s_type_and_default() {
        let mut names: Vec<&str> = CURATED.iter().map(|p| p.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CURATED.len(), "curated twice");
        for c in CURATED {
            let served = px4_params().iter().find(|d| d.name == c.name);
            assert_eq!(served, Some(c), "{}", c.name);
        }
    }

    #[test]
    fn uncurated_parameters_take_any_finite_value_of_their_type() {
        let def = |n: &str| *px4_params().iter().find(|p| p.name == n).unwrap();
        assert!(!CURATED.iter().any(|c| c.name == "MIS_YAW_ERR"));
        let yaw = def("MIS_YAW_ERR");
        assert_eq!(yaw.default, Px4Value::Float(12.0));
        assert!(yaw.accepts(Px4Value::Float(-1e30)));
        assert!(yaw.accepts(Px4Value::Float(f32::MAX)));
        assert!(!yaw.accepts(Px4Value::Float(f32::INFINITY)));
        assert!(!yaw.accepts(Px4Value::Float(f32::NAN)));
        assert!(!yaw.accepts(Px4Value::Int(12)));
        let abort = def("MIS_LND_ABRT_ALT");
        assert!(abort.accepts(Px4Value::Int(i32::MIN)));
        assert!(abort.accepts(Px4Value::Int(i32::MAX)));
        assert!(!abort.accepts(Px4Value::Float(30.0)));
    }

    #[test]
    fn type_range_and_enumeration_checks() {
        let def = |n: &str| *px4_params().iter().find(|p| p.name == n).unwrap();
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

    #[test]
    fn broken_lists_are_errors_with_their_line() {
        let line_of = |text: &'static str| parse_tsv(text).unwrap_err().line;
        let ok = "# header\nA_INT\tINT32\t-3\nB_REAL\tREAL32\t0.15000000596046448\n\
                  _HASH_CHECK\tUINT32\t92808681\n";
        assert_eq!(
            parse_tsv(ok).unwrap(),
            vec![
                ("A_INT", Px4Value::Int(-3)),
                ("B_REAL", Px4Value::Float(0.15))
            ]
        );
        assert_eq!(line_of("A\tINT32\n"), 1, "two fields");
        assert_eq!(line_of("A\tINT32\t1\textra\n"), 1, "four fields");
        assert_eq!(line_of("#\nA\tINT32\t1.5\n"), 2, "fraction in an INT32");
        assert_eq!(line_of("A\tINT32\t3000000000\n"), 1, "beyond INT32");
        assert_eq!(line_of("A\tREAL32\t0.15\n"), 1, "not a float32 value");
        assert_eq!(line_of("A\tREAL32\tinf\n"), 1, "not finite");
        assert_eq!(line_of("A\tREAL32\tx\n"), 1, "not a number");
        assert_eq!(line_of("A\tUINT32\t1\n"), 1, "UINT32 only for the hash");
        assert_eq!(line_of("_HASH_CHECK\tINT32\t1\n"), 1);
        assert_eq!(line_of("a_lower\tINT32\t1\n"), 1, "not a PX4 name");
        assert_eq!(line_of("SEVENTEEN_LETTERS\tINT32\t1\n"), 1, "too long");
        assert_eq!(line_of("B\tINT32\t1\nA\tINT32\t1\n"), 2, "out of order");
        assert_eq!(line_of("A\tINT32\t1\nA\tINT32\t1\n"), 2, "twice");
        assert_eq!(line_of("# only a header\n"), 0, "empty");
        // A curated parameter that disagrees with the list fails the build.
        let err = build("RTL_RETURN_ALT\tREAL32\t60\n").unwrap_err();
        assert!(err.problem.starts_with("curated "), "{err}");
    }
}
