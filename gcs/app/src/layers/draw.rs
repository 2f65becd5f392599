//! Drawing ready layers: one retained gizmo per vector layer, one translucent sheet per
//! raster layer, kept in step with visibility and opacity.

use bevy::prelude::*;
use gcs_scene::Enu;

use crate::layers::layer::MapLayers;
use crate::map::frame::{Anchored, MapFrame};
use crate::map::mesh::sheet_to_mesh;

/// Keeps one retained gizmo per ready vector layer, and one translucent sheet per
/// raster layer, in step with its visibility and opacity.
#[allow(clippy::too_many_arguments)]
pub(super) fn draw_layers(
    mut layers: ResMut<MapLayers>,
    map: Res<MapFrame>,
    mut commands: Commands,
    mut gizmos: ResMut<Assets<GizmoAsset>>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    mut vis: Query<&mut Visibility>,
) {
    for l in &mut layers.layers {
        if let Some(sheet) = l.sheet.clone() {
            let key = (l.visible, l.opacity.to_bits());
            if l.drawn == Some(key) {
                continue;
            }
            l.drawn = Some(key);
            let (entity, material) = l.sheet_entity.get_or_insert_with(|| {
                let material = materials.add(StandardMaterial {
                    base_color: Color::WHITE,
                    unlit: true,
                    alpha_mode: AlphaMode::Blend,
                    cull_mode: None,
                    double_sided: true,
                    ..default()
                });
                let entity = commands
                    .spawn((
                        Mesh3d(meshes.add(sheet_to_mesh(&sheet))),
                        MeshMaterial3d(material.clone()),
                        Anchored(sheet.centre),
                        Transform::default(),
                    ))
                    .id();
                (entity, material)
            });
            if let Some(mut m) = materials.get_mut(&*material) {
                m.base_color = Color::srgba(1.0, 1.0, 1.0, l.opacity);
            }
            let visibility = if l.visible {
                Visibility::Inherited
            } else {
                Visibility::Hidden
            };
            match vis.get_mut(*entity) {
                Ok(mut v) => *v = visibility,
                Err(_) => {
                    commands.entity(*entity).insert(visibility);
                }
            }
            continue;
        }
        let Some(draped) = l.draped.clone() else {
            continue;
        };
        let key = (l.visible, l.opacity.to_bits());
        // The floating origin moves only the gizmo's anchor (see map_frame).
        if l.drawn == Some(key) {
            continue;
        }
        l.drawn = Some(key);
        if let Some(e) = l.gizmo.take() {
            commands.entity(e).despawn();
        }
        if !l.visible || draped.lines.is_empty() {
            continue;
        }
        let colour = l.draw_colour();
        let mut asset = GizmoAsset::new();
        // Points are baked relative to the frame origin; the anchor moves them.
        let origin = Enu::default();
        let frame_at_origin = MapFrame { origin, ..*map };
        for line in &draped.lines {
            asset.linestrip(line.iter().map(|p| frame_at_origin.render(*p)), colour);
        }
        l.gizmo = Some(
            commands
                .spawn((
                    Gizmo {
                        handle: gizmos.add(asset),
                        line_config: GizmoLineConfig {
                            width: l.width_px,
                            ..default()
                        },
                        depth_bias: -0.0005,
                    },
                    Anchored(origin),
                    Transform::default(),
                ))
                .id(),
        );
    }
}
