//! Vigil ground station.
fn main() {}
