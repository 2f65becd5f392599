//! End-to-end tests across Vigil's crates live in `tests/`; this library holds their shared helpers.

pub mod harness;
pub mod probe;
pub mod px4_sitl;
pub mod python;
