//! Terrain tiles with level of detail, built from a DEM and coloured by elevation with
//! hillshade, or draped with an imagery layer.
//!
//! The DEM and the imagery are owned grids (`geo_model::Dem`, `geo_model::Grid`) that
//! the app reads with geo-intel and hands over: this crate never opens a file or links
//! GDAL.
//!
//! Exists so the map's terrain is computed and tested without a GPU: a quadtree of
//! square tiles over the DEM in the local frame, a distance-based choice of which tiles
//! to draw for a camera position, and each tile's vertex arrays (positions relative to
//! the tile centre, normals, colours, triangle indices, skirts that hide cracks between
//! levels). The app only uploads these arrays; building them runs off the frame.

use std::sync::Arc;

use geo_model::{Dem, Grid, LonLatBounds};
use mission_planner::{ElevationModel, LatLon};

use crate::frame::{Enu, LocalFrame};

/// Vertices along each side of a tile (a power of two plus one).
pub const TILE_VERTICES: usize = 65;

/// The square in the local frame the tile quadtree divides.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TerrainExtent {
    /// Western edge, metres east of the frame origin.
    pub min_east_m: f64,
    /// Southern edge, metres north of the frame origin.
    pub min_north_m: f64,
    /// Side of the square, metres.
    pub size_m: f64,
}

impl TerrainExtent {
    /// The smallest square (in the frame) holding `bounds`, sampled along its edges.
    pub fn covering(frame: &LocalFrame, bounds: &LonLatBounds) -> Self {
        let (mut min_e, mut min_n) = (f64::INFINITY, f64::INFINITY);
        let (mut max_e, mut max_n) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
        let steps = 16;
        for i in 0..=steps {
            let t = i as f64 / steps as f64;
            let lat = bounds.south_deg + t * (bounds.north_deg - bounds.south_deg);
            let lon = bounds.west_deg + t * (bounds.east_deg - bounds.west_deg);
            for p in [
                LatLon::new(lat, bounds.west_deg),
                LatLon::new(lat, bounds.east_deg),
                LatLon::new(bounds.south_deg, lon),
                LatLon::new(bounds.north_deg, lon),
            ] {
                let e = frame.to_enu(p, 0.0);
                min_e = min_e.min(e.east_m);
                min_n = min_n.min(e.north_m);
                max_e = max_e.max(e.east_m);
                max_n = max_n.max(e.north_m);
            }
        }
        let size_m = (max_e - min_e).max(max_n - min_n).max(1.0);
        Self {
            min_east_m: 0.5 * (min_e + max_e) - 0.5 * size_m,
            min_north_m: 0.5 * (min_n + max_n) - 0.5 * size_m,
            size_m,
        }
    }
}

/// One tile of the quadtree: level 0 is the whole extent; each level halves the side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    /// Depth in the quadtree.
    pub level: u8,
    /// Column, counted eastwards from the western edge.
    pub x: u32,
    /// Row, counted northwards from the southern edge.
    pub y: u32,
}

impl TileId {
    /// The whole extent.
    pub const ROOT: TileId = TileId {
        level: 0,
        x: 0,
        y: 0,
    };

    /// Side of the tile, metres.
    pub fn size_m(&self, ext: &TerrainExtent) -> f64 {
        ext.size_m / f64::from(1u32 << self.level)
    }

    /// South-west corner (east, north), metres.
    pub fn min_corner(&self, ext: &TerrainExtent) -> (f64, f64) {
        let s = self.size_m(ext);
        (
            ext.min_east_m + f64::from(self.x) * s,
            ext.min_north_m + f64::from(self.y) * s,
        )
    }

    /// Centre (east, north), metres.
    pub fn centre(&self, ext: &TerrainExtent) -> (f64, f64) {
        let (e, n) = self.min_corner(ext);
        let h = 0.5 * self.size_m(ext);
        (e + h, n + h)
    }

    /// The four tiles one level down.
    pub fn children(&self) -> [TileId; 4] {
        let (l, x, y) = (self.level + 1, self.x * 2, self.y * 2);
        [
            TileId { level: l, x, y },
            TileId {
                level: l,
                x: x + 1,
                y,
            },
            TileId {
                level: l,
                x,
                y: y + 1,
            },
            TileId {
                level: l,
                x: x + 1,
                y: y + 1,
            },
        ]
    }
}

/// How finely to draw terrain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LodParams {
    /// Deepest level used (its vertex spacing should match the DEM's cell size).
    pub max_level: u8,
    /// A tile is split while the camera is closer than this many tile sides to it.
    pub split_distance: f64,
}

impl Default for LodParams {
    fn default() -> Self {
        Self {
            max_level: 6,
            split_distance: 1.5,
        }
    }
}

impl LodParams {
    /// The deepest level whose vertex spacing is still coarser than `cell_m`.
    pub fn for_cell_size(ext: &TerrainExtent, cell_m: f64) -> Self {
        let mut level = 0u8;
        while level < 12
            && ext.size_m / f64::from(1u32 << (level + 1)) / (TILE_VERTICES - 1) as f64 >= cell_m
        {
            level += 1;
        }
        Self {
            max_level: level,
            ..Self::default()
        }
    }
}

/// The tiles to draw for a camera at `eye` (frame metres): near tiles fine, far coarse.
///
/// The result covers the extent exactly once (no overlaps, no holes), sorted.
pub fn select_tiles(ext: &TerrainExtent, eye: Enu, lod: &LodParams) -> Vec<TileId> {
    let mut out = Vec::new();
    let mut stack = vec![TileId::ROOT];
    while let Some(t) = stack.pop() {
        let size = t.size_m(ext);
        let (min_e, min_n) = t.min_corner(ext);
        // Distance from the eye to the tile's box (ground at height 0, eye height kept).
        let dx = (min_e - eye.east_m)
            .max(eye.east_m - (min_e + size))
            .max(0.0);
        let dy = (min_n - eye.north_m)
            .max(eye.north_m - (min_n + size))
            .max(0.0);
        let d = (dx * dx + dy * dy + eye.up_m.max(0.0).powi(2)).sqrt();
        if t.level < lod.max_level && d < lod.split_distance * size {
            stack.extend(t.children());
        } else {
            out.push(t);
        }
    }
    out.sort();
    out
}

/// How terrain is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Colouring {
    /// Hypsometric tints with hillshade.
    #[default]
    Elevation,
    /// The imagery layer's colours with hillshade (elevation tints where it has none).
    Imagery,
}

/// An RGB image layer (8-bit bands) to drape on the terrain.
#[derive(Debug, Clone)]
pub struct Imagery {
    bands: Vec<Grid>,
}

impl Imagery {
    /// Uses the first three bands as red, green, blue (one band: grey).
    /// `None` when there are no bands.
    pub fn new(bands: Vec<Grid>) -> Option<Self> {
        (!bands.is_empty()).then_some(Self { bands })
    }

    /// Colour at `p`, 0..1 per channel, or `None` off the image.
    pub fn colour_at(&self, p: LatLon) -> Option<[f32; 3]> {
        let mut c = [0.0f32; 3];
        for (i, ch) in c.iter_mut().enumerate() {
            let band = &self.bands[i.min(self.bands.len() - 1)];
            *ch = (band.sample(p)? / 255.0).clamp(0.0, 1.0) as f32;
        }
        Some(c)
    }
}

/// Everything tiles are built from; shared by the tile-building tasks.
#[derive(Debug, Clone)]
pub struct TerrainSource {
    /// The map frame.
    pub frame: LocalFrame,
    /// Heights.
    pub dem: Arc<Dem>,
    /// Optional imagery to drape.
    pub imagery: Option<Arc<Imagery>>,
    /// The square the tiles divide.
    pub extent: TerrainExtent,
}

impl TerrainSource {
    /// A source over the whole DEM.
    pub fn new(frame: LocalFrame, dem: Arc<Dem>, imagery: Option<Arc<Imagery>>) -> Self {
        let extent = TerrainExtent::covering(&frame, &dem.grid.bounds);
        Self {
            frame,
            dem,
            imagery,
            extent,
        }
    }

    /// Terrain height under a frame point, metres above mean sea level.
    pub fn height_at(&self, east_m: f64, north_m: f64) -> Option<f64> {
        self.dem.elevation_m(self.frame.to_lat_lon(east_m, north_m))
    }

    /// The DEM's cell size in metres, measured at its centre.
    pub fn cell_size_m(&self) -> f64 {
        let gt = &self.dem.grid.geo_transform;
        if self.dem.grid.crs_wkt.is_some() {
            return gt[1].abs();
        }
        let b = &self.dem.grid.bounds;
        let mid_lat = 0.5 * (b.south_deg + b.north_deg);
        gt[1].abs() * 111_320.0 * mid_lat.to_radians().cos()
    }
}

/// A tile's vertex arrays, ready for a GPU mesh.
#[derive(Debug, Clone, PartialEq)]
pub struct TileMesh {
    /// Which tile.
    pub id: TileId,
    /// The tile centre in the frame (height 0): positions are relative to it.
    pub centre: Enu,
    /// Vertex positions (east, north, up × vertical scale), metres from `centre`.
    pub positions: Vec<[f32; 3]>,
    /// Unit normals (east, north, up), of the exaggerated surface.
    pub normals: Vec<[f32; 3]>,
    /// sRGB colours with alpha (the app converts them to linear for the GPU).
    pub colours: Vec<[f32; 4]>,
    /// Counter-clockwise (seen from above) triangles.
    pub indices: Vec<u32>,
    /// Lowest and highest terrain in the tile, metres (unscaled); `None` without data.
    pub height_range_m: Option<(f64, f64)>,
}

/// Sun for the hillshade: from the north-west, 45° up (the cartographic convention).
const SUN_AZIMUTH_DEG: f64 = 315.0;
const SUN_ELEVATION_DEG: f64 = 45.0;

/// Builds the vertex arrays of `id`. Vertices with no DEM data keep the lowest height
/// of the tile and the triangles touching them are left out, so holes stay holes.
/// `None` when the tile has no data at all.
pub fn build_tile(
    src: &TerrainSource,
    id: TileId,
    vertical_scale: f64,
    colouring: Colouring,
) -> Option<TileMesh> {
    let n = TILE_VERTICES;
    let ext = &src.extent;
    let size = id.size_m(ext);
    let (min_e, min_n) = id.min_corner(ext);
    let (ce, cn) = id.centre(ext);
    let step = size / (n - 1) as f64;

    let mut lat_lon = Vec::with_capacity(n * n);
    for row in 0..n {
        for col in 0..n {
            lat_lon.push(
                src.frame
                    .to_lat_lon(min_e + col as f64 * step, min_n + row as f64 * step),
            );
        }
    }
    let heights = src.dem.sample_many(&lat_lon);
    let (lo, hi) = heights
        .iter()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &h| {
            (lo.min(h), hi.max(h))
        });
    if !lo.is_finite() {
        return None;
    }
    let h = |col: usize, row: usize| heights[row * n + col].unwrap_or(lo);

    let mut positions = Vec::with_capacity(n * n + 4 * n);
    let mut normals = Vec::with_capacity(n * n + 4 * n);
    let mut colours = Vec::with_capacity(n * n + 4 * n);
    let sun = sun_vector();
    for row in 0..n {
        for col in 0..n {
            let e = min_e + col as f64 * step - ce;
            let nn = min_n + row as f64 * step - cn;
            positions.push([e as f32, nn as f32, (h(col, row) * vertical_scale) as f32]);
            // Central differences (one-sided at the edges) of the exaggerated surface.
            let (c0, c1) = (col.saturating_sub(1), (col + 1).min(n - 1));
            let (r0, r1) = (row.saturating_sub(1), (row + 1).min(n - 1));
            let dzdx = (h(c1, row) - h(c0, row)) * vertical_scale / ((c1 - c0) as f64 * step);
            let dzdy = (h(col, r1) - h(col, r0)) * vertical_scale / ((r1 - r0) as f64 * step);
            let normal = normalise([-dzdx, -dzdy, 1.0]);
            normals.push(normal.map(|v| v as f32));
            let shade = hillshade(normal, sun);
            let base = match (colouring, &src.imagery) {
                (Colouring::Imagery, Some(img)) => img
                    .colour_at(lat_lon[row * n + col])
                    .unwrap_or_else(|| elevation_colour(h(col, row))),
                _ => elevation_colour(h(col, row)),
            };
            colours.push([base[0] * shade, base[1] * shade, base[2] * shade, 1.0]);
        }
    }

    let mut indices = Vec::with_capacity((n - 1) * (n - 1) * 6 + 4 * (n - 1) * 6);
    let has = |col: usize, row: usize| heights[row * n + col].is_some();
    for row in 0..n - 1 {
        for col in 0..n - 1 {
            if !(has(col, row) && has(col + 1, row) && has(col, row + 1) && has(col + 1, row + 1)) {
                continue;
            }
            let i = (row * n + col) as u32;
            let (right, up, diag) = (i + 1, i + n as u32, i + n as u32 + 1);
            indices.extend_from_slice(&[i, right, diag, i, diag, up]);
        }
    }

    // Skirts: each edge vertex again, lowered, joined to the edge, so the slightly
    // different heights of a coarser neighbour never open a crack.
    let skirt = ((hi - lo) * 0.1 + step * 0.05 + 20.0) * vertical_scale;
    let edges: [Vec<usize>; 4] = [
        (0..n).collect(),                                // south, west -> east
        (0..n).map(|r| r * n + (n - 1)).collect(),       // east, south -> north
        (0..n).rev().map(|c| (n - 1) * n + c).collect(), // north, east -> west
        (0..n).rev().map(|r| r * n).collect(),           // west, north -> south
    ];
    for edge in edges {
        let first = positions.len() as u32;
        for &v in &edge {
            let mut p = positions[v];
            p[2] -= skirt as f32;
            positions.push(p);
            normals.push(normals[v]);
            colours.push(colours[v]);
        }
        for k in 0..edge.len() - 1 {
            let (a, b) = (edge[k], edge[k + 1]);
            if heights[a].is_none() || heights[b].is_none() {
                continue;
            }
            let (a, b) = (a as u32, b as u32);
            let (sa, sb) = (first + k as u32, first + k as u32 + 1);
            // Walking the boundary counter-clockwise, the outside is on the right.
            indices.extend_from_slice(&[a, sa, sb, a, sb, b]);
        }
    }

    Some(TileMesh {
        id,
        centre: Enu::new(ce, cn, 0.0),
        positions,
        normals,
        colours,
        indices,
        height_range_m: Some((lo, hi)),
    })
}

/// Hypsometric tint for a height in metres (sRGB, 0..1): low plains green-olive,
/// sand, rock browns, then pale summits, for the Sahel and Sahara.
pub fn elevation_colour(h_m: f64) -> [f32; 3] {
    const STOPS: [(f64, [f32; 3]); 7] = [
        (0.0, [0.16, 0.26, 0.10]),
        (250.0, [0.38, 0.40, 0.16]),
        (400.0, [0.62, 0.52, 0.28]),
        (600.0, [0.66, 0.46, 0.22]),
        (900.0, [0.50, 0.32, 0.18]),
        (1400.0, [0.42, 0.34, 0.30]),
        (2200.0, [0.85, 0.83, 0.80]),
    ];
    if h_m <= STOPS[0].0 {
        return STOPS[0].1;
    }
    for w in STOPS.windows(2) {
        let ((h0, c0), (h1, c1)) = (w[0], w[1]);
        if h_m <= h1 {
            let t = ((h_m - h0) / (h1 - h0)) as f32;
            return [0, 1, 2].map(|i| c0[i] + t * (c1[i] - c0[i]));
        }
    }
    STOPS[STOPS.len() - 1].1
}

fn sun_vector() -> [f64; 3] {
    let az = SUN_AZIMUTH_DEG.to_radians();
    let el = SUN_ELEVATION_DEG.to_radians();
    [az.sin() * el.cos(), az.cos() * el.cos(), el.sin()]
}

/// Brightness 0.35..1 of a surface with unit `normal` (east, north, up) lit by `sun`.
pub fn hillshade(normal: [f64; 3], sun: [f64; 3]) -> f32 {
    let lambert = (normal[0] * sun[0] + normal[1] * sun[1] + normal[2] * sun[2]).max(0.0);
    // Normalised so flat ground keeps its tint (flat: lambert = sin(elevation)).
    let flat = sun[2];
    (0.35 + 0.55 * lambert / flat).clamp(0.35, 1.0) as f32
}

fn normalise(v: [f64; 3]) -> [f64; 3] {
    let l = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
    [v[0] / l, v[1] / l, v[2] / l]
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_intel::prelude::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    fn niger() -> TerrainSource {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../assets/niger/globe_niger_30arcsec.tif");
        let dem = Dem::open(&path).expect("the demo DEM opens");
        TerrainSource::new(
            LocalFrame::new(LatLon::new(17.5, 8.25)),
            Arc::new(dem),
            None,
        )
    }

    fn area(ext: &TerrainExtent, tiles: &[TileId]) -> f64 {
        tiles.iter().map(|t| t.size_m(ext).powi(2)).sum::<f64>() / ext.size_m.powi(2)
    }

    #[test]
    fn extent_covers_the_dem() {
        let src = niger();
        let ext = src.extent;
        let b = src.dem.grid.bounds;
        for p in [
            LatLon::new(b.south_deg, b.west_deg),
            LatLon::new(b.north_deg, b.east_deg),
            LatLon::new(b.north_deg, b.west_deg),
            LatLon::new(b.south_deg, b.east_deg),
        ] {
            let e = src.frame.to_enu(p, 0.0);
            assert!(
                e.east_m >= ext.min_east_m - 1.0 && e.east_m <= ext.min_east_m + ext.size_m + 1.0
            );
            assert!(
                e.north_m >= ext.min_north_m - 1.0
                    && e.north_m <= ext.min_north_m + ext.size_m + 1.0
            );
        }
        // Niger's DEM is ~1,750 km wide.
        assert!((1_500_000.0..2_200_000.0).contains(&ext.size_m), "{ext:?}");
    }

    #[test]
    fn selection_tiles_the_extent_once_and_refines_near_the_camera() {
        let src = niger();
        let ext = src.extent;
        let lod = LodParams::for_cell_size(&ext, src.cell_size_m());
        assert!(lod.max_level >= 4, "{lod:?}");
        // Far above: one tile.
        let far = select_tiles(&ext, Enu::new(0.0, 0.0, 1e8), &lod);
        assert_eq!(far, vec![TileId::ROOT]);
        // Low over Agadez: fine tiles there, coarse far away, full cover, no overlap.
        let agadez = src.frame.to_enu(LatLon::new(16.97, 7.99), 0.0);
        let eye = Enu::new(agadez.east_m, agadez.north_m, 5_000.0);
        let tiles = select_tiles(&ext, eye, &lod);
        assert!((area(&ext, &tiles) - 1.0).abs() < 1e-9);
        let unique: BTreeSet<_> = tiles.iter().collect();
        assert_eq!(unique.len(), tiles.len());
        let deepest = tiles.iter().map(|t| t.level).max().unwrap();
        assert_eq!(deepest, lod.max_level);
        let under = tiles
            .iter()
            .find(|t| {
                let (e, n) = t.min_corner(&ext);
                let s = t.size_m(&ext);
                (e..e + s).contains(&eye.east_m) && (n..n + s).contains(&eye.north_m)
            })
            .expect("a tile under the camera");
        assert_eq!(under.level, lod.max_level);
        assert!(tiles.iter().any(|t| t.level <= 2), "far tiles stay coarse");
    }

    #[test]
    fn tile_heights_match_the_dem_and_triangles_face_up() {
        let src = niger();
        let ext = src.extent;
        // The level-3 tile holding the Aïr mountains (north of Agadez).
        let air = src.frame.to_enu(LatLon::new(18.5, 8.5), 0.0);
        let s = TileId {
            level: 3,
            x: 0,
            y: 0,
        }
        .size_m(&ext);
        let id = TileId {
            level: 3,
            x: ((air.east_m - ext.min_east_m) / s) as u32,
            y: ((air.north_m - ext.min_north_m) / s) as u32,
        };
        let mesh = build_tile(&src, id, 1.0, Colouring::Elevation).expect("data there");
        let (lo, hi) = mesh.height_range_m.unwrap();
        assert!(hi > 1200.0 && lo > 200.0, "Aïr relief: {lo}..{hi}");
        // A vertex's height is the DEM's at its position.
        let v = TILE_VERTICES * 20 + 33;
        let p = mesh.positions[v];
        let ll = src.frame.to_lat_lon(
            mesh.centre.east_m + f64::from(p[0]),
            mesh.centre.north_m + f64::from(p[1]),
        );
        let dem_h = src.dem.elevation_m(ll).unwrap();
        assert!(
            (f64::from(p[2]) - dem_h).abs() < 0.01,
            "{} vs {dem_h}",
            p[2]
        );
        // Grid triangles wind counter-clockwise seen from above.
        let grid_tris = (TILE_VERTICES - 1).pow(2) * 2;
        for t in mesh.indices.chunks(3).take(grid_tris) {
            let [a, b, c] = [0, 1, 2].map(|k| mesh.positions[t[k] as usize]);
            let cross = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
            assert!(cross > 0.0);
        }
        assert!(mesh.normals.iter().all(|n| n[2] > 0.0));
        assert_eq!(mesh.positions.len(), mesh.colours.len());
        assert!(
            mesh.indices
                .iter()
                .all(|&i| (i as usize) < mesh.positions.len())
        );
    }

    #[test]
    fn tiles_off_the_dem_are_none() {
        let mut src = niger();
        // Move the frame far away (the Atlantic): no DEM under any tile.
        src.frame = LocalFrame::new(LatLon::new(-30.0, -30.0));
        src.extent = TerrainExtent {
            min_east_m: -1000.0,
            min_north_m: -1000.0,
            size_m: 2000.0,
        };
        assert!(build_tile(&src, TileId::ROOT, 1.0, Colouring::Elevation).is_none());
    }

    #[test]
    fn imagery_drapes_its_colours() {
        let mut src = niger();
        let img = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../assets/niger/bluemarble_niger_region.tif");
        let bands = (1..=3).map(|b| Grid::read(&img, b).unwrap()).collect();
        src.imagery = Imagery::new(bands).map(Arc::new);
        let a = build_tile(&src, TileId::ROOT, 1.0, Colouring::Imagery).unwrap();
        let b = build_tile(&src, TileId::ROOT, 1.0, Colouring::Elevation).unwrap();
        assert_ne!(a.colours, b.colours);
        assert_eq!(a.positions, b.positions);
    }

    #[test]
    fn tints_rise_through_the_ramp_and_shade_darkens_slopes_away_from_the_sun() {
        assert_ne!(elevation_colour(200.0), elevation_colour(1800.0));
        assert_eq!(elevation_colour(-50.0), elevation_colour(0.0));
        let sun = sun_vector();
        let flat = hillshade([0.0, 0.0, 1.0], sun);
        let facing = hillshade(normalise([-0.5, 0.5, 1.0]), sun);
        let away = hillshade(normalise([0.5, -0.5, 1.0]), sun);
        assert!(away < flat && flat <= facing, "{away} {flat} {facing}");
    }
}
