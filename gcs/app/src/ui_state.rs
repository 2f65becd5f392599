//! What the operator has selected and which map tool is active.
//!
//! Exists so panels, the camera and the map tools agree on one selection and one tool
//! without knowing each other.

use bevy::prelude::*;
use gcs_link::VehicleId;

/// The drone the telemetry panel shows and commands go to.
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Selection {
    /// The selected drone.
    pub vehicle: Option<VehicleId>,
}

/// What a left click on the map does.
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// Clicks select; drags pan.
    #[default]
    Navigate,
    /// Clicks add a waypoint to the plan.
    AddWaypoint,
    /// Clicks add a vertex to the survey polygon.
    DrawSurvey,
    /// Clicks add a vertex to the inclusion geofence polygon.
    DrawFence,
    /// Clicks add a rally point.
    AddRally,
    /// A click sends the selected drone there.
    GoTo,
}

impl Tool {
    /// What the status bar says about the tool.
    pub fn hint(self) -> &'static str {
        match self {
            Tool::Navigate => {
                "left-drag pan · right-drag orbit · wheel zoom · click a drone to select"
            }
            Tool::AddWaypoint => {
                "click to add a waypoint · drag a waypoint to move it · Esc to finish"
            }
            Tool::DrawSurvey => "click to add survey polygon vertices · Esc to finish",
            Tool::DrawFence => "click to add geofence vertices · Esc to finish",
            Tool::AddRally => "click to add a rally point · Esc to finish",
            Tool::GoTo => "click on the map where the selected drone should fly · Esc to cancel",
        }
    }
}

/// Where the cursor points on the ground, for the readout and the tools.
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq)]
pub struct CursorGround {
    /// The ground point under the cursor: WGS84 and height above mean sea level, metres.
    pub at: Option<(gcs_link::LatLon, f64)>,
}

/// Registers the shared UI state.
pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Selection>()
        .init_resource::<Tool>()
        .init_resource::<CursorGround>()
        .add_systems(Update, escape_cancels_tool);
}

fn escape_cancels_tool(keys: Res<ButtonInput<KeyCode>>, mut tool: ResMut<Tool>) {
    if keys.just_pressed(KeyCode::Escape) && *tool != Tool::Navigate {
        *tool = Tool::Navigate;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_leaves_any_tool() {
        let mut app = App::new();
        app.add_plugins((MinimalPlugins, plugin))
            .init_resource::<ButtonInput<KeyCode>>();
        *app.world_mut().resource_mut::<Tool>() = Tool::DrawFence;
        app.update();
        assert_eq!(*app.world().resource::<Tool>(), Tool::DrawFence);
        app.world_mut()
            .resource_mut::<ButtonInput<KeyCode>>()
            .press(KeyCode::Escape);
        app.update();
        assert_eq!(*app.world().resource::<Tool>(), Tool::Navigate);
        assert!(Tool::GoTo.hint().contains("Esc"));
    }
}
