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

use std::process::ExitCode;

use anyhow::Result;
use bevy::prelude::*;
use bevy::window::{PresentMode, WindowResolution};
use bevy_egui::EguiPlugin;

use crate::cli::Args;

/// Exits as every Vigil binary does (vigil-exit): 0, 1 on a failure (the links could
/// not open, a screenshot could not be written), 2 on bad arguments.
fn main() -> ExitCode {
    let args = Args::parse_checked();
    let result = if args.headless_demo {
        demo::run_headless(&args).map(|()| AppExit::Success)
    } else {
        run(args)
    };
    match result {
        Ok(AppExit::Success) => ExitCode::SUCCESS,
        Ok(AppExit::Error(code)) => vigil_exit::fail(
            "gcs",
            false,
            &format!("the app stopped with status {code} (see the log above)"),
            vigil_exit::FAILURE,
        ),
        Err(e) => vigil_exit::fail(
            "gcs",
            false,
            &vigil_exit::error_text(e.as_ref()),
            vigil_exit::FAILURE,
        ),
    }
}

/// Opens the links and runs the map until the window closes (or a screenshot is taken).
fn run(args: Args) -> Result<AppExit> {
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
    Ok(app.run())
}
