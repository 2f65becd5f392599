//! Vigil's shared value types, at the bottom of the workspace.
//!
//! Every other crate speaks these: [`LatLon`] for positions (MAVLink's degE7 integers
//! only at the wire), [`MissionItemInt`] for the raw mission item that both the link
//! and the planner move, the checked numbers of [`checked`] that every binary's
//! arguments and every file reader go through, and [`local_frame`], the one projection
//! to metres east and north (the map's and the planner's). This crate does no I/O and
//! carries no command-line dependencies (only `geo`'s geodesics), so any crate may
//! depend on it.
//!
//! ```
//! use vigil_values::LatLon;
//!
//! let p: LatLon = "-8.05,-34.9".parse().unwrap();
//! assert_eq!(p.to_deg_e7(), (-80_500_000, -349_000_000));
//! ```

pub mod checked;
pub mod lat_lon;
pub mod local_frame;
pub mod px4_envelope;
pub mod raw;

pub use lat_lon::{LatLon, LatLonParseError};
pub use raw::{MissionItemInt, MissionType};
