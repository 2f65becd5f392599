//! Helpers for the plugin tests that need the demo data set.

use bevy::prelude::*;
use bevy::window::FileDragAndDrop;
use clap::Parser;

use crate::cli::{Args, default_catalog};
use crate::layers::{LayersPlugin, load_catalog};

/// A headless app with the demo catalog's layers (and so its map frame and terrain
/// data), for the plugin tests that build on them.
pub fn demo_app() -> App {
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, AssetPlugin::default(), TransformPlugin))
        .init_asset::<GizmoAsset>()
        .init_asset::<Mesh>()
        .init_asset::<StandardMaterial>()
        .add_message::<FileDragAndDrop>()
        .insert_resource(Args::parse_from(["gcs"]))
        .add_plugins(LayersPlugin::new(
            load_catalog(&default_catalog()).expect("the demo catalog loads"),
        ));
    app
}
