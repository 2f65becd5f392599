//! A risk heatmap as a translucent sheet draped over the terrain.
//!
//! Exists so the analyst sees where incidents concentrate on the 3D map: any risk
//! surface (geo-intel's kernel density of incidents) is sampled on a lattice over its
//! extent, coloured from transparent through yellow to red, and lifted just above the
//! ground. Cells with no risk are left out entirely.

use geo_model::LonLatBounds;
use mission_planner::LatLon;

use crate::frame::{Enu, LocalFrame};

/// Risk below this fraction of the maximum is not drawn.
pub const MIN_VISIBLE_FRACTION: f64 = 0.08;
/// Opacity of the strongest risk.
pub const MAX_ALPHA: f32 = 0.75;

/// A heatmap's vertex arrays, ready for a GPU mesh.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatMesh {
    /// The sheet's centre in the frame (height 0): positions are relative to it.
    pub centre: Enu,
    /// Vertex positions (east, north, up × vertical scale), metres from `centre`.
    pub positions: Vec<[f32; 3]>,
    /// sRGB colours with alpha.
    pub colours: Vec<[f32; 4]>,
    /// Triangles, counter-clockwise seen from above.
    pub indices: Vec<u32>,
}

/// Colour of a risk `t` in 0..=1 (fraction of the maximum): transparent below
/// [`MIN_VISIBLE_FRACTION`], then yellow to orange to red, more opaque as it rises.
pub fn heat_colour(t: f64) -> [f32; 4] {
    // NaN (no data) is transparent too.
    if t.is_nan() || t < MIN_VISIBLE_FRACTION {
        return [1.0, 1.0, 0.0, 0.0];
    }
    let t = t.min(1.0);
    // Yellow (low) through orange to red (high); faint where low so the terrain shows.
    let g = (1.0 - 1.2 * t).clamp(0.0, 1.0) as f32;
    let alpha = (t.powf(0.8) as f32 * MAX_ALPHA).clamp(0.12, MAX_ALPHA);
    [1.0, g, 0.0, alpha]
}

/// How the sheet is laid over the terrain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SheetParams {
    /// Height above the terrain, metres.
    pub lift_m: f64,
    /// Relief exaggeration (as the terrain's).
    pub vertical_scale: f64,
    /// Vertices along each side of the lattice.
    pub lattice: usize,
}

/// Samples `risk_at` on a lattice over `bounds` and builds the draped sheet.
/// `height_at` is the terrain (0 m where unknown).
/// `None` when nothing in the extent reaches [`MIN_VISIBLE_FRACTION`] of `max_risk`.
pub fn heat_mesh(
    frame: &LocalFrame,
    bounds: &LonLatBounds,
    risk_at: impl Fn(LatLon) -> Option<f64>,
    max_risk: f64,
    height_at: impl Fn(LatLon) -> Option<f64>,
    sheet: &SheetParams,
) -> Option<HeatMesh> {
    if !(max_risk.is_finite() && max_risk > 0.0) {
        return None;
    }
    sheet_mesh(
        frame,
        bounds,
        |p| heat_colour(risk_at(p).unwrap_or(0.0) / max_risk),
        height_at,
        sheet,
    )
}

/// Colours of a raster's bands at a point: three or more 8-bit bands as RGB, one band
/// through the heat ramp between `range` (min, max); nodata is transparent.
pub fn raster_colour(values: &[Option<f64>], range: (f64, f64), opacity: f32) -> [f32; 4] {
    match values {
        [Some(r), Some(g), Some(b), ..] => [
            (*r / 255.0).clamp(0.0, 1.0) as f32,
            (*g / 255.0).clamp(0.0, 1.0) as f32,
            (*b / 255.0).clamp(0.0, 1.0) as f32,
            opacity,
        ],
        [Some(v)] | [Some(v), _] => {
            let span = range.1 - range.0;
            let t = if span > 0.0 {
                (v - range.0) / span
            } else {
                1.0
            };
            let mut c = heat_colour(t.max(MIN_VISIBLE_FRACTION));
            c[3] = c[3].max(0.3) * opacity / MAX_ALPHA;
            c
        }
        _ => [0.0, 0.0, 0.0, 0.0],
    }
}

/// Samples `colour_at` (sRGB with alpha; alpha 0 is not drawn) on a lattice over
/// `bounds` and builds a sheet draped `sheet.lift_m` above `height_at`.
/// `None` when no sample is visible.
pub fn sheet_mesh(
    frame: &LocalFrame,
    bounds: &LonLatBounds,
    colour_at: impl Fn(LatLon) -> [f32; 4],
    height_at: impl Fn(LatLon) -> Option<f64>,
    sheet: &SheetParams,
) -> Option<HeatMesh> {
    let n = sheet.lattice.clamp(2, 2048);
    let (lift_m, vertical_scale) = (sheet.lift_m, sheet.vertical_scale);
    let centre_ll = LatLon::new(
        0.5 * (bounds.south_deg + bounds.north_deg),
        0.5 * (bounds.west_deg + bounds.east_deg),
    );
    let c = frame.to_enu(centre_ll, 0.0);
    let centre = Enu::new(c.east_m, c.north_m, 0.0);
    let mut positions = Vec::with_capacity(n * n);
    let mut colours = Vec::with_capacity(n * n);
    for row in 0..n {
        let lat =
            bounds.south_deg + (bounds.north_deg - bounds.south_deg) * row as f64 / (n - 1) as f64;
        for col in 0..n {
            let lon =
                bounds.west_deg + (bounds.east_deg - bounds.west_deg) * col as f64 / (n - 1) as f64;
            let p = LatLon::new(lat, lon);
            let h = height_at(p).unwrap_or(0.0) + lift_m;
            let e = frame.to_enu(p, h);
            positions.push(e.relative_to(&centre, vertical_scale));
            colours.push(colour_at(p));
        }
    }
    let mut indices = Vec::new();
    let visible = |i: usize| colours[i][3] > 0.0;
    for row in 0..n - 1 {
        for col in 0..n - 1 {
            let i = row * n + col;
            let quad = [i, i + 1, i + n, i + n + 1];
            if !quad.iter().any(|&k| visible(k)) {
                continue;
            }
            let [a, b, up, diag] = quad.map(|k| k as u32);
            indices.extend_from_slice(&[a, b, diag, a, diag, up]);
        }
    }
    (!indices.is_empty()).then_some(HeatMesh {
        centre,
        positions,
        colours,
        indices,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds() -> LonLatBounds {
        LonLatBounds {
            west_deg: 7.0,
            south_deg: 16.0,
            east_deg: 9.0,
            north_deg: 18.0,
        }
    }

    #[test]
    fn colours_rise_from_transparent_to_opaque_red() {
        assert_eq!(heat_colour(0.0)[3], 0.0);
        assert_eq!(heat_colour(0.01)[3], 0.0);
        let (low, high) = (heat_colour(0.1), heat_colour(1.0));
        assert!(low[3] > 0.0 && low[3] < high[3] && high[3] <= MAX_ALPHA);
        assert!(high[1] < low[1], "more risk is redder");
        assert_eq!(heat_colour(f64::NAN)[3], heat_colour(0.0)[3]);
    }

    #[test]
    fn a_hot_spot_is_drawn_and_empty_cells_are_left_out() {
        let frame = LocalFrame::new(LatLon::new(17.0, 8.0));
        // One hot spot around 17N 8E, nothing elsewhere.
        let risk = |p: LatLon| {
            let d2 = (p.lat_deg - 17.0).powi(2) + (p.lon_deg - 8.0).powi(2);
            Some(if d2 < 0.04 { 1.0 - d2 / 0.04 } else { 0.0 })
        };
        let sheet = SheetParams {
            lift_m: 50.0,
            vertical_scale: 2.0,
            lattice: 41,
        };
        let m = heat_mesh(&frame, &bounds(), risk, 1.0, |_| Some(500.0), &sheet).unwrap();
        assert_eq!(m.positions.len(), 41 * 41);
        let full = 40 * 40 * 6;
        assert!(
            !m.indices.is_empty() && m.indices.len() < full / 10,
            "{}",
            m.indices.len()
        );
        // Lifted above the terrain, exaggerated.
        assert!(m.positions.iter().all(|p| (p[2] - 1100.0).abs() < 1e-3));
        // The centre vertex is the hottest and reddest.
        let mid = 20 * 41 + 20;
        assert!(m.colours[mid][3] >= m.colours.iter().map(|c| c[3]).fold(0.0, f32::max) - 1e-6);
    }

    #[test]
    fn rasters_colour_by_their_bands() {
        let rgb = raster_colour(&[Some(255.0), Some(0.0), Some(128.0)], (0.0, 1.0), 0.5);
        assert_eq!(rgb, [1.0, 0.0, 128.0 / 255.0, 0.5]);
        let (low, high) = (
            raster_colour(&[Some(0.0)], (0.0, 10.0), 1.0),
            raster_colour(&[Some(10.0)], (0.0, 10.0), 1.0),
        );
        assert!(low[3] > 0.0 && high[1] < low[1], "{low:?} {high:?}");
        assert_eq!(raster_colour(&[None], (0.0, 1.0), 1.0)[3], 0.0);
        assert_eq!(
            raster_colour(&[Some(1.0), None, Some(1.0)], (0.0, 1.0), 1.0)[3],
            0.0
        );
    }

    #[test]
    fn no_risk_no_mesh() {
        let frame = LocalFrame::new(LatLon::new(17.0, 8.0));
        let sheet = SheetParams {
            lift_m: 0.0,
            vertical_scale: 1.0,
            lattice: 10,
        };
        assert!(heat_mesh(&frame, &bounds(), |_| Some(0.0), 1.0, |_| None, &sheet).is_none());
        assert!(heat_mesh(&frame, &bounds(), |_| Some(1.0), 0.0, |_| None, &sheet).is_none());
    }
}
