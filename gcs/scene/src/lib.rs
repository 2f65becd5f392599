//! The headless model behind Vigil's 3D map.
//!
//! Everything the operator app shows is computed here, without Bevy, so it is tested
//! like any library: the local East-North-Up frame around a floating origin (f64
//! geodesy through `geo`; f32 only at the rendering boundary), terrain tiles with level
//! of detail coloured by elevation and hillshade or draped with imagery, vector layers
//! draped on the terrain, drone trails, alerts the operator acknowledges, the orbit
//! camera, picking the ground under the cursor and the scale bar. The Bevy app (`gcs`)
//! only turns these values into meshes, gizmos and panels.

pub mod alerts;
pub mod camera;
pub mod drape;
pub mod frame;
pub mod heatmap;
pub mod pick;
pub mod scale_bar;
pub mod terrain;
pub mod trail;

pub use frame::{Enu, LocalFrame};
