//! The material of everything drawn with baked vertex colours: terrain tiles (tints or
//! imagery with hillshade, from gcs-scene) and the fleet's arrows.
//!
//! Exists because Bevy's `StandardMaterial` fragment shader, even unlit, cost three
//! quarters of every frame on software Vulkan (lavapipe, 1600x900: 410 ms with it on
//! the terrain, 102 ms with the terrain hidden); this one is a multiply.

use bevy::prelude::*;
use bevy::render::RenderApp;
use bevy::render::render_resource::AsBindGroup;
use bevy::shader::ShaderRef;

/// Vertex colours times a tint, unlit.
#[derive(Asset, TypePath, AsBindGroup, Debug, Clone)]
pub struct VertexColourMaterial {
    /// Multiplies the vertex colours (white: as built).
    #[uniform(0)]
    pub tint: LinearRgba,
}

impl VertexColourMaterial {
    /// The colours as built.
    pub const PLAIN: Self = Self {
        tint: LinearRgba::WHITE,
    };
}

impl Material for VertexColourMaterial {
    fn fragment_shader() -> ShaderRef {
        "embedded://gcs/map/vertex_colour.wgsl".into()
    }
}

/// Registers the material (and its shader where there is a renderer).
pub(crate) fn plugin(app: &mut App) {
    if app.get_sub_app(RenderApp).is_some() {
        bevy::asset::embedded_asset!(app, "vertex_colour.wgsl");
        app.add_plugins(MaterialPlugin::<VertexColourMaterial>::default());
    } else {
        // Headless tests: the material is only an asset.
        app.init_asset::<VertexColourMaterial>();
    }
}
