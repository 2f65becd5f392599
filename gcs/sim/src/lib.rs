//! A PX4-faithful simulated multicopter.
