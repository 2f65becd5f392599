//! The map's system sets, in one place so features order themselves against them
//! without importing each other.

use bevy::prelude::*;

/// Places the camera and moves the floating origin (PostUpdate).
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct PlaceCamera;

/// Places anchored entities after the camera moved the origin (PostUpdate).
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct PlaceAnchored;

/// Finds the ground under the cursor (Update); map tools run after it so a click acts
/// on this frame's cursor, not the last one's.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReadCursor;

/// Orders the sets: the camera, then anchored entities, then transform propagation.
pub(super) fn plugin(app: &mut App) {
    app.configure_sets(
        PostUpdate,
        (PlaceCamera, PlaceAnchored)
            .chain()
            .before(TransformSystems::Propagate),
    );
}
