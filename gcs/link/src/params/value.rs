//! Parameter values and how they travel in the `float param_value` of PARAM_VALUE and
//! PARAM_SET.
//!
//! MAVLink carries every parameter in one `float` field; `param_type` says what it
//! really is. PX4 (and QGroundControl, MAVSDK) copy an integer's bytes into that field
//! unchanged, little-endian, upper bytes zero ("bytewise" encoding,
//! `MAV_PROTOCOL_CAPABILITY_PARAM_ENCODE_BYTEWISE`): an INT32 of 1 travels as the
//! float whose bits are `0x0000_0001`, and -1 as a NaN. ArduPilot instead converts the
//! integer to the nearest float ("C cast"). Both are decoded here; PX4's is the default.

use mavlink::dialects::common::MavParamType;
use serde::Serialize;

use crate::vehicle::Autopilot;

/// How integer parameters are packed into the float field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum ParamEncoding {
    /// The integer's bytes, little-endian, upper bytes zero (PX4).
    #[default]
    Bytewise,
    /// The integer converted to a float (ArduPilot).
    CCast,
}

impl ParamEncoding {
    /// The encoding an autopilot uses (PX4: bytewise; ArduPilot: C cast; others: bytewise).
    pub fn for_autopilot(autopilot: Autopilot) -> Self {
        match autopilot {
            Autopilot::ArduPilot => Self::CCast,
            _ => Self::Bytewise,
        }
    }
}

/// A typed parameter value.
///
/// 64-bit types do not fit the 32-bit field and are refused when decoding.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum ParamValue {
    /// MAV_PARAM_TYPE_UINT8.
    U8(u8),
    /// MAV_PARAM_TYPE_INT8.
    I8(i8),
    /// MAV_PARAM_TYPE_UINT16.
    U16(u16),
    /// MAV_PARAM_TYPE_INT16.
    I16(i16),
    /// MAV_PARAM_TYPE_UINT32.
    U32(u32),
    /// MAV_PARAM_TYPE_INT32 (PX4's integer parameters).
    I32(i32),
    /// MAV_PARAM_TYPE_REAL32 (PX4's float parameters).
    F32(f32),
}

/// Why a wire value could not be decoded or a number could not take a parameter's type.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValueError {
    /// 64-bit types cannot travel in PARAM_VALUE's 32-bit field.
    #[error("parameter type {0:?} does not fit in PARAM_VALUE's 32-bit field")]
    Unsupported(MavParamType),
    /// The number is not an integer, or out of the integer type's range.
    #[error("{value} is not a valid {kind}")]
    NotRepresentable {
        /// The number given.
        value: f64,
        /// The parameter's type, e.g. "INT32".
        kind: &'static str,
    },
    /// With C-cast encoding the float does not hold an integer of the type.
    #[error("{value} received as {kind} is not an integer of that type")]
    BadCast {
        /// The float received.
        value: f32,
        /// The declared type.
        kind: &'static str,
    },
}

impl ParamValue {
    /// The MAV_PARAM_TYPE of this value.
    pub fn mav_type(&self) -> MavParamType {
        use MavParamType::*;
        match self {
            Self::U8(_) => MAV_PARAM_TYPE_UINT8,
            Self::I8(_) => MAV_PARAM_TYPE_INT8,
            Self::U16(_) => MAV_PARAM_TYPE_UINT16,
            Self::I16(_) => MAV_PARAM_TYPE_INT16,
            Self::U32(_) => MAV_PARAM_TYPE_UINT32,
            Self::I32(_) => MAV_PARAM_TYPE_INT32,
            Self::F32(_) => MAV_PARAM_TYPE_REAL32,
        }
    }

    /// The type's name as PX4 and QGroundControl print it.
    pub fn kind(&self) -> &'static str {
        kind_name(self.mav_type())
    }

    /// The value as a float64 (exact for every type here).
    pub fn as_f64(&self) -> f64 {
        match *self {
            Self::U8(v) => v.into(),
            Self::I8(v) => v.into(),
            Self::U16(v) => v.into(),
            Self::I16(v) => v.into(),
            Self::U32(v) => v.into(),
            Self::I32(v) => v.into(),
            Self::F32(v) => v.into(),
        }
    }

    /// The value as an integer, for integer types.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Self::F32(_) => None,
            other => Some(other.as_f64() as i64),
        }
    }

    /// The four bytes PX4 stores (and hashes): the value's own bytes, little-endian,
    /// upper bytes zero.
    pub fn bytes(&self) -> [u8; 4] {
        match *self {
            Self::U8(v) => u32::from(v).to_le_bytes(),
            Self::I8(v) => u32::from(v as u8).to_le_bytes(),
            Self::U16(v) => u32::from(v).to_le_bytes(),
            Self::I16(v) => u32::from(v as u16).to_le_bytes(),
            Self::U32(v) => v.to_le_bytes(),
            Self::I32(v) => v.to_le_bytes(),
            Self::F32(v) => v.to_le_bytes(),
        }
    }

    /// The float to put in PARAM_SET / PARAM_VALUE's `param_value`.
    pub fn to_wire(&self, encoding: ParamEncoding) -> f32 {
        match (self, encoding) {
            (Self::F32(v), _) => *v,
            (_, ParamEncoding::Bytewise) => f32::from_le_bytes(self.bytes()),
            (_, ParamEncoding::CCast) => self.as_f64() as f32,
        }
    }

    /// Decodes `param_value` declared as `mav_type`.
    pub fn from_wire(
        value: f32,
        mav_type: MavParamType,
        encoding: ParamEncoding,
    ) -> Result<Self, ValueError> {
        use MavParamType::*;
        if mav_type == MAV_PARAM_TYPE_REAL32 {
            return Ok(Self::F32(value));
        }
        if matches!(
            mav_type,
            MAV_PARAM_TYPE_UINT64 | MAV_PARAM_TYPE_INT64 | MAV_PARAM_TYPE_REAL64
        ) {
            return Err(ValueError::Unsupported(mav_type));
        }
        let b = value.to_le_bytes();
        match encoding {
            ParamEncoding::Bytewise => Ok(match mav_type {
                MAV_PARAM_TYPE_UINT8 => Self::U8(b[0]),
                MAV_PARAM_TYPE_INT8 => Self::I8(b[0] as i8),
                MAV_PARAM_TYPE_UINT16 => Self::U16(u16::from_le_bytes([b[0], b[1]])),
                MAV_PARAM_TYPE_INT16 => Self::I16(i16::from_le_bytes([b[0], b[1]])),
                MAV_PARAM_TYPE_UINT32 => Self::U32(u32::from_le_bytes(b)),
                _ => Self::I32(i32::from_le_bytes(b)),
            }),
            ParamEncoding::CCast => {
                let kind = kind_name(mav_type);
                if value.fract() != 0.0 || !value.is_finite() {
                    return Err(ValueError::BadCast { value, kind });
                }
                Self::from_number(f64::from(value), mav_type)
                    .map_err(|_| ValueError::BadCast { value, kind })
            }
        }
    }

    /// The number `value` as a parameter of type `mav_type`; integers must be whole
    /// and in range.
    pub fn from_number(value: f64, mav_type: MavParamType) -> Result<Self, ValueError> {
        use MavParamType::*;
        let kind = kind_name(mav_type);
        let bad = || ValueError::NotRepresentable { value, kind };
        let int = |lo: f64, hi: f64| {
            if value.fract() == 0.0 && value >= lo && value <= hi {
                Ok(value as i64)
            } else {
                Err(bad())
            }
        };
        Ok(match mav_type {
            MAV_PARAM_TYPE_REAL32 => Self::F32(value as f32),
            MAV_PARAM_TYPE_UINT8 => Self::U8(int(0.0, u8::MAX.into())? as u8),
            MAV_PARAM_TYPE_INT8 => Self::I8(int(i8::MIN.into(), i8::MAX.into())? as i8),
            MAV_PARAM_TYPE_UINT16 => Self::U16(int(0.0, u16::MAX.into())? as u16),
            MAV_PARAM_TYPE_INT16 => Self::I16(int(i16::MIN.into(), i16::MAX.into())? as i16),
            MAV_PARAM_TYPE_UINT32 => Self::U32(int(0.0, u32::MAX.into())? as u32),
            MAV_PARAM_TYPE_INT32 => Self::I32(int(i32::MIN.into(), i32::MAX.into())? as i32),
            other => return Err(ValueError::Unsupported(other)),
        })
    }

    /// Whether two values are the same parameter value: same type and same bits
    /// (so a NaN float equals itself, and 0.0 differs from -0.0).
    pub fn same_as(&self, other: &Self) -> bool {
        self.mav_type() == other.mav_type() && self.bytes() == other.bytes()
    }
}

impl std::fmt::Display for ParamValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::F32(v) => write!(f, "{v}"),
            other => write!(f, "{}", other.as_i64().unwrap_or_default()),
        }
    }
}

/// The name of a MAV_PARAM_TYPE as QGroundControl prints it.
pub fn kind_name(t: MavParamType) -> &'static str {
    use MavParamType::*;
    match t {
        MAV_PARAM_TYPE_UINT8 => "UINT8",
        MAV_PARAM_TYPE_INT8 => "INT8",
        MAV_PARAM_TYPE_UINT16 => "UINT16",
        MAV_PARAM_TYPE_INT16 => "INT16",
        MAV_PARAM_TYPE_UINT32 => "UINT32",
        MAV_PARAM_TYPE_INT32 => "INT32",
        MAV_PARAM_TYPE_UINT64 => "UINT64",
        MAV_PARAM_TYPE_INT64 => "INT64",
        MAV_PARAM_TYPE_REAL32 => "REAL32",
        MAV_PARAM_TYPE_REAL64 => "REAL64",
    }
}

/// A parameter name as the 16-byte, NUL-padded `param_id` field (names of exactly 16
/// characters have no NUL, as the MAVLink spec allows).
pub fn param_id(name: &str) -> mavlink::types::CharArray<16> {
    name.into()
}

/// A `param_id` field as a name, without its NUL padding; `None` if not UTF-8.
pub fn param_name(id: &mavlink::types::CharArray<16>) -> Option<String> {
    id.to_str().ok().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use MavParamType::*;

    #[test]
    fn px4_integers_travel_bit_for_bit() {
        // NAV_DLL_ACT = 2 as PX4 sends it: the float whose bits are 2 (a denormal).
        let wire = ParamValue::I32(2).to_wire(ParamEncoding::Bytewise);
        assert_eq!(wire.to_bits(), 2);
        assert_eq!(
            ParamValue::from_wire(wire, MAV_PARAM_TYPE_INT32, ParamEncoding::Bytewise),
            Ok(ParamValue::I32(2))
        );
        // -1 (COM_FLTMODE1's default) is a NaN on the wire and must survive.
        let wire = ParamValue::I32(-1).to_wire(ParamEncoding::Bytewise);
        assert!(wire.is_nan());
        assert_eq!(wire.to_bits(), 0xFFFF_FFFF);
        let back = ParamValue::from_wire(wire, MAV_PARAM_TYPE_INT32, ParamEncoding::Bytewise);
        assert_eq!(back, Ok(ParamValue::I32(-1)));
        // A large SYS_AUTOSTART survives without float rounding.
        let wire = ParamValue::I32(16_777_217).to_wire(ParamEncoding::Bytewise);
        assert_eq!(
            ParamValue::from_wire(wire, MAV_PARAM_TYPE_INT32, ParamEncoding::Bytewise),
            Ok(ParamValue::I32(16_777_217))
        );
    }

    #[test]
    fn narrow_integers_use_the_low_bytes() {
        let wire = ParamValue::I8(-2).to_wire(ParamEncoding::Bytewise);
        assert_eq!(wire.to_bits(), 0x0000_00FE);
        assert_eq!(
            ParamValue::from_wire(wire, MAV_PARAM_TYPE_INT8, ParamEncoding::Bytewise),
            Ok(ParamValue::I8(-2))
        );
        let wire = ParamValue::U16(0xBEEF).to_wire(ParamEncoding::Bytewise);
        assert_eq!(wire.to_bits(), 0x0000_BEEF);
        assert_eq!(
            ParamValue::from_wire(wire, MAV_PARAM_TYPE_UINT16, ParamEncoding::Bytewise),
            Ok(ParamValue::U16(0xBEEF))
        );
        // Garbage in the upper bytes is ignored for narrow types, as PX4 reads them.
        let wire = f32::from_bits(0xAB00_0007);
        assert_eq!(
            ParamValue::from_wire(wire, MAV_PARAM_TYPE_UINT8, ParamEncoding::Bytewise),
            Ok(ParamValue::U8(7))
        );
        assert_eq!(
            ParamValue::from_wire(wire, MAV_PARAM_TYPE_INT16, ParamEncoding::Bytewise),
            Ok(ParamValue::I16(7))
        );
    }

    #[test]
    fn floats_and_c_cast() {
        let v = ParamValue::F32(0.15);
        for enc in [ParamEncoding::Bytewise, ParamEncoding::CCast] {
            assert_eq!(v.to_wire(enc), 0.15);
            assert_eq!(
                ParamValue::from_wire(0.15, MAV_PARAM_TYPE_REAL32, enc),
                Ok(v)
            );
        }
        assert_eq!(ParamValue::I32(2).to_wire(ParamEncoding::CCast), 2.0);
        assert_eq!(
            ParamValue::from_wire(-1.0, MAV_PARAM_TYPE_INT32, ParamEncoding::CCast),
            Ok(ParamValue::I32(-1))
        );
        assert!(matches!(
            ParamValue::from_wire(1.5, MAV_PARAM_TYPE_INT32, ParamEncoding::CCast),
            Err(ValueError::BadCast { .. })
        ));
        assert!(matches!(
            ParamValue::from_wire(300.0, MAV_PARAM_TYPE_UINT8, ParamEncoding::CCast),
            Err(ValueError::BadCast { .. })
        ));
        assert_eq!(
            ParamEncoding::for_autopilot(Autopilot::Px4),
            ParamEncoding::Bytewise
        );
        assert_eq!(
            ParamEncoding::for_autopilot(Autopilot::ArduPilot),
            ParamEncoding::CCast
        );
    }

    #[test]
    fn numbers_take_a_type_only_when_they_fit() {
        assert_eq!(
            ParamValue::from_number(2.0, MAV_PARAM_TYPE_INT32),
            Ok(ParamValue::I32(2))
        );
        assert!(ParamValue::from_number(2.5, MAV_PARAM_TYPE_INT32).is_err());
        assert!(ParamValue::from_number(-1.0, MAV_PARAM_TYPE_UINT32).is_err());
        assert!(ParamValue::from_number(3e9, MAV_PARAM_TYPE_INT32).is_err());
        assert_eq!(
            ParamValue::from_number(3e9, MAV_PARAM_TYPE_UINT32),
            Ok(ParamValue::U32(3_000_000_000))
        );
        assert_eq!(
            ParamValue::from_number(0.5, MAV_PARAM_TYPE_REAL32),
            Ok(ParamValue::F32(0.5))
        );
        assert_eq!(
            ParamValue::from_number(1.0, MAV_PARAM_TYPE_INT64),
            Err(ValueError::Unsupported(MAV_PARAM_TYPE_INT64))
        );
        assert!(ParamValue::F32(f32::NAN).same_as(&ParamValue::F32(f32::NAN)));
        assert!(!ParamValue::F32(1.0).same_as(&ParamValue::I32(1)));
        assert_eq!(ParamValue::I32(-1).to_string(), "-1");
        assert_eq!(ParamValue::F32(0.15).to_string(), "0.15");
    }

    #[test]
    fn ids_are_nul_padded_and_sixteen_characters_fit() {
        let id = param_id("NAV_DLL_ACT");
        assert_eq!(&id[..12], b"NAV_DLL_ACT\0");
        assert_eq!(param_name(&id).as_deref(), Some("NAV_DLL_ACT"));
        let id = param_id("ABCDEFGHIJKLMNOP");
        assert_eq!(param_name(&id).as_deref(), Some("ABCDEFGHIJKLMNOP"));
    }
}
