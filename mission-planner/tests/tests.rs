//! Integration tests of the mission-planner crate, one module per topic.

mod util;

mod complex_items;
mod fixtures;
mod generators;
mod golden;
mod interchange;
mod patrol_bases;
mod roundtrip;
mod validation;
