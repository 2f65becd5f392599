//! Generators: pure functions from requests to mission items.

pub mod border_offset;
pub mod patrol;
pub mod survey;
pub mod terrain_follow;
pub mod transit;

pub use border_offset::{HomeSide, offset_border};
pub use patrol::{PatrolError, PatrolPlan, PatrolRequest, Sortie, plan_patrol};
pub use survey::{Camera, SurveyRequest, corridor_scan, orbit, survey};
pub use terrain_follow::{
    DEFAULT_MIN_CLEARANCE_M, TerrainFollow, TerrainFollowError, follow_terrain,
};
