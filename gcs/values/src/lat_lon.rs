//! The one geographic coordinate type shared by every Vigil crate.

use serde::{Deserialize, Serialize};

/// A WGS84 position in degrees (f64), latitude first as people say it.
///
/// Exists so every crate speaks the same coordinate type: MAVLink's degE7 integers
/// appear only at the wire, and `geo::Coord` (x = lon) only at algorithm call sites.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatLon {
    /// Latitude in degrees, positive north, -90..=90.
    pub lat_deg: f64,
    /// Longitude in degrees, positive east, -180..=180.
    pub lon_deg: f64,
}

impl LatLon {
    /// A position from latitude and longitude in degrees.
    pub const fn new(lat_deg: f64, lon_deg: f64) -> Self {
        Self { lat_deg, lon_deg }
    }

    /// A position from MAVLink's degE7 integers (as in GLOBAL_POSITION_INT).
    pub fn from_deg_e7(lat_e7: i32, lon_e7: i32) -> Self {
        Self::new(f64::from(lat_e7) / 1e7, f64::from(lon_e7) / 1e7)
    }

    /// Latitude and longitude as MAVLink degE7 integers, rounded to the nearest unit.
    pub fn to_deg_e7(self) -> (i32, i32) {
        (
            (self.lat_deg * 1e7).round() as i32,
            (self.lon_deg * 1e7).round() as i32,
        )
    }

    /// Whether both coordinates are finite and inside their valid ranges.
    pub fn is_valid(self) -> bool {
        self.lat_deg.is_finite()
            && self.lon_deg.is_finite()
            && (-90.0..=90.0).contains(&self.lat_deg)
            && (-180.0..=180.0).contains(&self.lon_deg)
    }
}

impl std::fmt::Display for LatLon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.6},{:.6}", self.lat_deg, self.lon_deg)
    }
}

/// Why a `LAT,LON` text could not be read as a position.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LatLonParseError {
    /// The text is not two comma-separated numbers.
    #[error("expected LAT,LON in degrees (e.g. 16.97,7.99), got {0:?}")]
    Format(String),
    /// The numbers are outside -90..=90 / -180..=180.
    #[error(
        "position {0:?} is out of range: latitude must be within -90..=90 and longitude within -180..=180 degrees"
    )]
    OutOfRange(String),
}

impl std::str::FromStr for LatLon {
    type Err = LatLonParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (lat, lon) = s
            .split_once(',')
            .ok_or_else(|| LatLonParseError::Format(s.to_owned()))?;
        let lat: f64 = lat
            .trim()
            .parse()
            .map_err(|_| LatLonParseError::Format(s.to_owned()))?;
        let lon: f64 = lon
            .trim()
            .parse()
            .map_err(|_| LatLonParseError::Format(s.to_owned()))?;
        let p = LatLon::new(lat, lon);
        if p.is_valid() {
            Ok(p)
        } else {
            Err(LatLonParseError::OutOfRange(s.to_owned()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lat_comma_lon() {
        let p: LatLon = "16.9742, 7.9865".parse().unwrap();
        assert_eq!(p, LatLon::new(16.9742, 7.9865));
    }

    #[test]
    fn rejects_out_of_range_and_garbage() {
        assert!(matches!(
            "95,7".parse::<LatLon>(),
            Err(LatLonParseError::OutOfRange(_))
        ));
        assert!(matches!(
            "agadez".parse::<LatLon>(),
            Err(LatLonParseError::Format(_))
        ));
        assert!(matches!(
            "NaN,7".parse::<LatLon>(),
            Err(LatLonParseError::OutOfRange(_))
        ));
    }

    #[test]
    fn deg_e7_round_trip() {
        let p = LatLon::new(16.9742123, 7.9865456);
        let (lat, lon) = p.to_deg_e7();
        assert_eq!((lat, lon), (169_742_123, 79_865_456));
        let q = LatLon::from_deg_e7(lat, lon);
        assert!((q.lat_deg - p.lat_deg).abs() < 1e-9);
    }
}
