//! Lon/lat bounding boxes.

use serde::Serialize;

/// Bounds in WGS84 degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LonLatBounds {
    /// Western edge, degrees east.
    pub west_deg: f64,
    /// Southern edge, degrees north.
    pub south_deg: f64,
    /// Eastern edge, degrees east.
    pub east_deg: f64,
    /// Northern edge, degrees north.
    pub north_deg: f64,
}

impl LonLatBounds {
    /// Whether `other` overlaps these bounds (touching edges do not count).
    pub fn overlaps(&self, other: &LonLatBounds) -> bool {
        other.west_deg < self.east_deg
            && other.east_deg > self.west_deg
            && other.south_deg < self.north_deg
            && other.north_deg > self.south_deg
    }
}
