//! `gcs`: Vigil's operator ground station, a 3D map to plan, fly and watch border patrols.
//!
//! With no arguments it opens the map over the Niger demo data with three simulated PX4
//! drones parked at Agadez, Arlit and Diffa. The app is a thin Bevy shell: protocol,
//! planning and GIS logic live in gcs-link, mission-planner, geo-intel and gcs-scene.

mod alerts_panel;
mod camera;
mod cli;
mod coverage;
mod demo;
mod drones;
mod file_browser;
mod fleet_panel;
mod flight;
mod frame_stats;
mod heatmap;
mod layers;
mod layers_panel;
mod link;
mod map_frame;
#[cfg(test)]
mod map_input_tests;
mod map_overlay;
mod panels;
mod planning;
mod screenshot;
mod sim_fleet;
mod telemetry_line;
mod telemetry_panel;
mod terrain;
mod ui_state;
mod vertex_colour;

use anyhow::Result;
use bevy::prelude::*;
use bevy::window::{PresentMode, WindowResolution};
use bevy_egui::EguiPlugin;
use clap::Parser;

use crate::cli::Args;

fn main() -> Result<()> {
    let args = Args::parse();
    args.check()?;
    if args.headless_demo {
        return demo::run_headless(&args);
    }
    let link = link::LinkBridge::start(&args)?;
    let catalog = layers::load_catalog(&args.catalog)?;

    let (w, h) = args.window_size;
    let mut app = App::new();
    app.add_plugins(
        DefaultPlugins
            .set(WindowPlugin {
                primary_window: Some(Window {
                    title: "Vigil ground station".into(),
                    resolution: WindowResolution::new(w, h),
                    // No vsync: frame times are the app's own (benchmarks, lavapipe).
                    present_mode: PresentMode::AutoNoVsync,
                    ..default()
                }),
                ..default()
            })
            .set(bevy::log::LogPlugin {
                filter: "wgpu=error,naga=warn,bevy_render=warn,bevy_winit=warn".into(),
                ..default()
            }),
    )
    .add_plugins(EguiPlugin::default())
    .insert_resource(ClearColor(Color::srgb(0.05, 0.07, 0.10)))
    .insert_resource(args.clone())
    .add_plugins((
        link::LinkPlugin::new(link),
        map_frame::MapFramePlugin,
        ui_state::UiStatePlugin,
        camera::CameraPlugin,
        vertex_colour::VertexColourPlugin,
        terrain::TerrainPlugin,
        layers::LayersPlugin::new(catalog),
        drones::DronesPlugin,
        panels::PanelsPlugin,
        alerts_panel::AlertsPanelPlugin,
        flight::FlightPlugin,
        planning::PlanningPlugin,
        coverage::CoveragePlugin,
        heatmap::HeatmapPlugin,
        frame_stats::FrameStatsPlugin,
    ));
    if let Some(path) = &args.screenshot {
        app.add_plugins(screenshot::ScreenshotPlugin::new(
            path.clone(),
            args.after_secs,
        ));
    }
    app.run();
    Ok(())
}
