//! GPU meshes from gcs-scene's frame-axis arrays, shared by terrain, heat and raster
//! sheets.

use bevy::asset::RenderAssetUsages;
use bevy::mesh::{Indices, PrimitiveTopology};
use bevy::prelude::*;
use gcs_scene::heatmap::HeatMesh;

/// Frame (east, north, up) to Bevy (x, y, z) = (east, up, -north).
pub fn axes(v: [f32; 3]) -> [f32; 3] {
    [v[0], v[2], -v[1]]
}

/// A sheet's GPU mesh (heatmaps, rasters); colours from sRGB to linear, alpha kept.
pub fn sheet_to_mesh(m: &HeatMesh) -> Mesh {
    gpu_mesh(&m.positions, None, &m.colours, &m.indices)
}

/// A GPU triangle mesh from gcs-scene's frame-axis arrays (east, north, up): axes turned
/// to Bevy's, sRGB colours made linear; without normals every normal points up.
pub fn gpu_mesh(
    positions: &[[f32; 3]],
    normals: Option<&[[f32; 3]]>,
    colours: &[[f32; 4]],
    indices: &[u32],
) -> Mesh {
    let normals: Vec<[f32; 3]> = match normals {
        Some(n) => n.iter().copied().map(axes).collect(),
        None => vec![[0.0, 1.0, 0.0]; positions.len()],
    };
    let colours: Vec<[f32; 4]> = colours
        .iter()
        .map(|c| LinearRgba::from(Color::srgba(c[0], c[1], c[2], c[3])).to_f32_array())
        .collect();
    Mesh::new(
        PrimitiveTopology::TriangleList,
        RenderAssetUsages::RENDER_WORLD,
    )
    .with_inserted_attribute(
        Mesh::ATTRIBUTE_POSITION,
        positions.iter().copied().map(axes).collect::<Vec<_>>(),
    )
    .with_inserted_attribute(Mesh::ATTRIBUTE_NORMAL, normals)
    .with_inserted_attribute(Mesh::ATTRIBUTE_COLOR, colours)
    .with_inserted_indices(Indices::U32(indices.to_vec()))
}
