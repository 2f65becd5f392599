//! `gcs`: Vigil's operator ground station, a 3D map to plan, fly and watch border patrols.
//!
//! With no arguments it opens the map over the Niger demo data with three simulated PX4
//! drones parked at Agadez, Arlit and Diffa. The app is a thin Bevy shell: protocol,
//! planning and GIS logic live in gcs-link, mission-planner, geo-intel and gcs-scene.
//!
//! Folders by feature, each adding its own plugins (`link`, `map`, `layers`, `tools`,
//! `flight`, `panels`, `diagnostics`); modules import each other only downwards (a test
//! in `tests/structure.rs` fails on an import cycle, a file over 600 lines or a function
//! over 100).

mod cli;
mod demo;
mod diagnostics;
mod file_browser;
mod flight;
mod layers;
mod link;
mod map;
#[cfg(test)]
mod map_input_tests;
mod panels;
#[cfg(test)]
mod test_support;
mod tools;
mod ui_state;

use anyhow::Result;
use bevy::prelude::*;
use bevy::window::{PresentMode, WindowResolution};
use bevy_egui::EguiPlugin;

use crate::cli::Args;

fn main() -> Result<()> {
    let args = Args::parse_checked();
    if args.headless_demo {
        return demo::run_headless(&args);
    }
    let link = link::start(&args)?;
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
    .insert_resource(args)
    .add_plugins((
        link::LinkPlugin::new(link),
        ui_state::plugin,
        layers::LayersPlugin::new(catalog),
        map::plugin,
        layers::plugin,
        tools::plugin,
        flight::plugin,
        panels::plugin,
        diagnostics::plugin,
    ));
    app.run();
    Ok(())
}
