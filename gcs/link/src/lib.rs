//! Vigil's MAVLink core.
