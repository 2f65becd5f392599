// Vertex-coloured meshes (terrain tiles, the fleet's arrows): the vertex colours times a
// tint, and nothing else. Bevy's StandardMaterial fragment shader, even unlit, cost three
// quarters of every frame on software Vulkan (lavapipe).
#import bevy_pbr::forward_io::VertexOutput

@group(#{MATERIAL_BIND_GROUP}) @binding(0) var<uniform> tint: vec4<f32>;

@fragment
fn fragment(in: VertexOutput) -> @location(0) vec4<f32> {
#ifdef VERTEX_COLORS
    return in.color * tint;
#else
    return tint;
#endif
}
