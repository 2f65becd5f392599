//! The window layout: menu bar, fleet panel (left), selected drone panel (right),
//! alerts and status bar (bottom), with the 3D map in the space between.
//!
//! Exists so the panels share the window without overlapping and the map camera's
//! viewport is exactly the free area (nothing on the map is hidden under a panel).
//! Each panel's content lives in its own feature file; this file only lays them out.

use bevy::camera::Viewport;
use bevy::prelude::*;
use bevy::window::PrimaryWindow;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

mod alerts;
mod fleet;
mod layers;
mod map_overlay;
mod shared;
mod telemetry;

use crate::flight::FlightPanel;
use crate::map::view::MainCamera;
use crate::tools::PlanPanel;
use alerts::AlertsPanel;
use fleet::FleetPanel;
use layers::LayersPanel;
use map_overlay::MapOverlay;
use shared::Shared;
use telemetry::TelemetryPanel;

/// Which side windows are open.
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OpenPanels {
    /// Layers and intelligence.
    pub layers: bool,
    /// Planning tools.
    pub plan: bool,
}

/// The part of the window left to the map, physical pixels (set by the layout,
/// applied to the camera by [`apply_viewport`]).
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq)]
pub struct MapViewport(pub Option<(UVec2, UVec2)>);

/// Lays out every panel.
pub(super) fn plugin(app: &mut App) {
    // VIGIL_OPEN_PANELS=layers,plan opens those windows at start (screenshots, demos).
    let wanted = std::env::var("VIGIL_OPEN_PANELS").unwrap_or_default();
    app.insert_resource(OpenPanels {
        layers: wanted.contains("layers"),
        plan: wanted.contains("plan"),
    })
    .init_resource::<MapViewport>()
    .add_plugins(alerts::plugin)
    .add_systems(EguiPrimaryContextPass, layout)
    .add_systems(Update, apply_viewport);
}

#[allow(clippy::too_many_arguments)]
fn layout(
    mut contexts: EguiContexts,
    mut open: ResMut<OpenPanels>,
    mut sh: Shared,
    mut viewport: ResMut<MapViewport>,
    mut fleet: FleetPanel,
    mut telemetry: TelemetryPanel,
    mut flight: FlightPanel,
    mut alerts: AlertsPanel,
    mut layers: LayersPanel,
    mut plan: PlanPanel,
    overlay: MapOverlay,
    window: Single<&Window, With<PrimaryWindow>>,
) -> Result {
    let ctx = contexts.ctx_mut()?.clone();
    let mut root = egui::Ui::new(
        ctx.clone(),
        "vigil-root".into(),
        egui::UiBuilder::new()
            .layer_id(egui::LayerId::background())
            .max_rect(ctx.viewport_rect()),
    );

    egui::Panel::top("menu").show(&mut root, |ui| {
        ui.horizontal(|ui| {
            ui.strong("VIGIL");
            ui.separator();
            ui.toggle_value(&mut open.layers, "🗺 Layers");
            ui.toggle_value(&mut open.plan, "✏ Plan");
            ui.separator();
            flight.toolbar(ui);
        });
    });
    egui::Panel::bottom("status")
        .exact_size(22.0)
        .show(&mut root, |ui| overlay.status_bar(ui, &sh));
    egui::Panel::bottom("alerts")
        .resizable(true)
        .default_size(120.0)
        .show(&mut root, |ui| alerts.show(ui));
    egui::Panel::left("fleet")
        .resizable(true)
        .default_size(330.0)
        .show(&mut root, |ui| fleet.show(ui, &mut sh));
    egui::Panel::right("vehicle")
        .resizable(true)
        .default_size(300.0)
        .show(&mut root, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                telemetry.show(ui, &sh);
                ui.separator();
                flight.show(ui, sh.selection.vehicle, &sh.doc.plan, &mut sh.tool);
            });
        });

    // What is left is the map.
    let map_rect = root.available_rect_before_wrap();
    if open.layers {
        let mut keep = true;
        egui::Window::new("Layers")
            .open(&mut keep)
            .default_pos(map_rect.left_top() + egui::vec2(10.0, 10.0))
            .default_width(340.0)
            .show(&ctx, |ui| layers.show(ui, &mut sh));
        open.layers = keep;
    }
    if open.plan {
        let mut keep = true;
        egui::Window::new("Plan")
            .open(&mut keep)
            .default_pos(map_rect.right_top() + egui::vec2(-370.0, 10.0))
            .default_width(360.0)
            .show(&ctx, |ui| {
                plan.show(ui, &mut sh.doc, &mut sh.tool, &sh.terrain)
            });
        open.plan = keep;
    }
    flight.dialogs(&ctx);
    overlay.paint(&ctx, map_rect, &sh);
    plan.paint_issues(&ctx, map_rect, &sh.doc, &sh.terrain);

    let scale = window.scale_factor();
    let pos = UVec2::new(
        (map_rect.left() * scale).max(0.0) as u32,
        (map_rect.top() * scale).max(0.0) as u32,
    );
    let size = UVec2::new(
        (map_rect.width() * scale).max(1.0) as u32,
        (map_rect.height() * scale).max(1.0) as u32,
    );
    let physical = UVec2::new(window.physical_width(), window.physical_height());
    let fits = pos.x + size.x <= physical.x && pos.y + size.y <= physical.y;
    let wanted = MapViewport(fits.then_some((pos, size)));
    if *viewport != wanted {
        *viewport = wanted;
    }
    Ok(())
}

/// Gives the map camera the area the panels left.
fn apply_viewport(viewport: Res<MapViewport>, mut camera: Single<&mut Camera, With<MainCamera>>) {
    if !viewport.is_changed() {
        return;
    }
    camera.viewport = viewport.0.map(|(pos, size)| Viewport {
        physical_position: pos,
        physical_size: size,
        ..default()
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_map_camera_gets_the_area_the_panels_leave() {
        let mut app = App::new();
        app.add_plugins(MinimalPlugins)
            .init_resource::<MapViewport>()
            .add_systems(Update, apply_viewport);
        let cam = app.world_mut().spawn((MainCamera, Camera::default())).id();
        app.world_mut().resource_mut::<MapViewport>().0 =
            Some((UVec2::new(330, 24), UVec2::new(900, 700)));
        app.update();
        let v = app
            .world()
            .get::<Camera>(cam)
            .unwrap()
            .viewport
            .clone()
            .unwrap();
        assert_eq!(
            (v.physical_position, v.physical_size),
            (UVec2::new(330, 24), UVec2::new(900, 700))
        );
    }
}
