//! Clicks on the map while a planning tool is active: add, drag and delete waypoints,
//! draw survey and geofence polygons, add rally points.

use bevy::prelude::*;
use bevy::window::PrimaryWindow;
use bevy_egui::input::EguiWantsInput;
use mission_planner::RallyPoint;

use crate::map::frame::MapFrame;
use crate::map::view::{MainCamera, cursor_in_viewport};
use crate::tools::doc::{PlanDoc, add_waypoint};
use crate::ui_state::{CursorGround, Tool};

/// A waypoint is grabbed within this many pixels.
const GRAB_PX: f32 = 12.0;

#[allow(clippy::too_many_arguments)]
pub(super) fn map_clicks(
    buttons: Res<ButtonInput<MouseButton>>,
    keys: Res<ButtonInput<KeyCode>>,
    window: Option<Single<&Window, With<PrimaryWindow>>>,
    camera: Single<(&Camera, &GlobalTransform), With<MainCamera>>,
    egui: Option<Res<EguiWantsInput>>,
    cursor: Res<CursorGround>,
    tool: Res<Tool>,
    map: Res<MapFrame>,
    mut doc: ResMut<PlanDoc>,
    mut press: Local<Option<Vec2>>,
) {
    let Some(window) = window else { return };
    let (cam, at) = *camera;
    let Some(c) = cursor_in_viewport(&window, cam) else {
        return;
    };
    if egui.is_some_and(|e| e.is_pointer_over_area() || e.wants_pointer_input()) {
        return;
    }
    // The waypoint under the cursor, by screen distance.
    let under = |doc: &PlanDoc| {
        doc.flown
            .iter()
            .filter(|f| f.seq > 0 || doc.plan.mission.home.is_none())
            .filter_map(|f| {
                let s = cam
                    .world_to_viewport(at, map.render_geo(f.position, f.alt_amsl_m))
                    .ok()?;
                let index = f
                    .seq
                    .checked_sub(usize::from(doc.plan.mission.home.is_some()))?;
                (s.distance(c) <= GRAB_PX).then_some((index, s.distance(c)))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i)
    };
    let editing = matches!(*tool, Tool::Navigate | Tool::AddWaypoint);
    if buttons.just_pressed(MouseButton::Left) {
        *press = Some(c);
        if editing {
            doc.dragging = under(&doc);
        }
    }
    if let (Some(i), Some((p, _))) = (doc.dragging, cursor.at)
        && buttons.pressed(MouseButton::Left)
    {
        if let Some(item) = doc.plan.mission.items.get_mut(i)
            && item.position() != Some(p)
            && item.set_position(p)
        {
            doc.touch();
        }
        return;
    }
    if buttons.just_released(MouseButton::Left) {
        let was_drag = doc.dragging.take().is_some();
        let click = press.take().is_some_and(|p| p.distance(c) <= 4.0);
        if was_drag || !click {
            return;
        }
        let Some((p, _)) = cursor.at else { return };
        match *tool {
            Tool::AddWaypoint => {
                add_waypoint(&mut doc.plan, p);
                doc.touch();
            }
            Tool::DrawSurvey => doc.survey_polygon.push(p),
            Tool::DrawFence => doc.fence_polygon.push(p),
            Tool::AddRally => {
                doc.plan.rally_points.push(RallyPoint::new(p, 50.0));
                doc.touch();
            }
            Tool::Navigate | Tool::GoTo => {}
        }
    }
    // Right click or Delete on a waypoint removes it.
    if (buttons.just_released(MouseButton::Right) || keys.just_pressed(KeyCode::Delete))
        && editing
        && let Some(i) = under(&doc)
    {
        doc.plan.mission.items.remove(i);
        doc.touch();
    }
}
