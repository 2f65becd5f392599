//! Border segments ranked by risk, cut by chainage (e.g. every 10 km).

use serde::Serialize;

use crate::chainage::{NamedLine, length_m, stations};
use crate::error::{GeoError, Result};
use crate::grid::Grid;
use crate::vector::VectorLayer;
use mission_planner::LatLon;

/// The most risk samples one ranking may take (as many as a profile may).
pub const MAX_SAMPLES: f64 = 10_000_000.0;

/// One stretch of border and the risk along it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BorderSegmentRisk {
    /// 1-based rank, 1 = highest mean risk.
    pub rank: usize,
    /// The border line it belongs to (e.g. the neighbour's name).
    pub line: String,
    /// Chainage of its start along the line, km.
    pub from_km: f64,
    /// Chainage of its end, km.
    pub to_km: f64,
    /// Mean risk of the samples along it (risk grid units), nodata left out.
    pub mean_risk: f64,
    /// Largest sampled risk.
    pub max_risk: f64,
    /// The segment's vertices.
    pub path: Vec<LatLon>,
}

/// Cuts every line of `border` into `segment_km` pieces by chainage, samples
/// `risk` along each (at least 20 samples per piece, at most 500 m apart) and
/// returns the pieces sorted by mean risk, highest first.
///
/// Pieces where the risk grid has no data at all get a mean of 0 (no incidents
/// were near enough to be in the grid). Fails on an empty border layer, and with
/// [`GeoError::Argument`] when the pieces are so short that the border would take
/// more than [`MAX_SAMPLES`] samples.
pub fn rank_border(
    border: &VectorLayer,
    risk: &Grid,
    segment_km: f64,
) -> Result<Vec<BorderSegmentRisk>> {
    if !(segment_km.is_finite() && segment_km > 0.0) {
        return Err(GeoError::Argument(format!(
            "segment length must be > 0 km, got {segment_km}"
        )));
    }
    let lines = crate::chainage::border_lines(border);
    if lines.is_empty() {
        return Err(GeoError::Empty {
            path: border.source.clone(),
            reason: format!("layer {:?} has no lines or polygons", border.name),
        });
    }
    let seg_m = segment_km * 1000.0;
    let per_seg = (seg_m / 500.0).ceil().max(20.0);
    let step_m = seg_m / per_seg;
    let border_m: f64 = lines.iter().map(|l| length_m(&l.line)).sum();
    if border_m / step_m > MAX_SAMPLES {
        return Err(GeoError::Argument(format!(
            "{:.0} km of border in {segment_km} km segments is more than {MAX_SAMPLES} samples; use longer segments",
            border_m / 1000.0
        )));
    }
    let per_seg = per_seg as u64;
    let mut out = Vec::new();
    for NamedLine { name, line } in &lines {
        let total_m = length_m(line);
        let st = stations(line, step_m);
        let values = risk.sample_many(&st.iter().map(|s| s.position).collect::<Vec<_>>());
        let n_segs = ((total_m / seg_m).ceil() as usize).max(1);
        let mut acc: Vec<(f64, usize, f64, Vec<LatLon>)> = vec![(0.0, 0, 0.0, Vec::new()); n_segs];
        for (s, v) in st.iter().zip(&values) {
            // Regular stations sit at k * step exactly; place them by k, so a
            // station on a boundary starts the next piece and also ends the previous.
            let k = (s.chainage_m / step_m).round() as u64;
            let on_grid = s.regular && (s.chainage_m - k as f64 * step_m).abs() < 1e-6;
            let seg = if on_grid {
                ((k / per_seg) as usize).min(n_segs - 1)
            } else {
                ((s.chainage_m / seg_m) as usize).min(n_segs - 1)
            };
            acc[seg].3.push(s.position);
            if on_grid && k.is_multiple_of(per_seg) && seg > 0 && (k / per_seg) as usize == seg {
                acc[seg - 1].3.push(s.position);
            }
            if s.regular {
                let val = v.unwrap_or(0.0);
                acc[seg].0 += val;
                acc[seg].1 += 1;
                acc[seg].2 = acc[seg].2.max(val);
            }
        }
        for (i, (sum, n, max, path)) in acc.into_iter().enumerate() {
            out.push(BorderSegmentRisk {
                rank: 0,
                line: name.clone(),
                from_km: i as f64 * segment_km,
                to_km: ((i + 1) as f64 * seg_m).min(total_m) / 1000.0,
                mean_risk: if n > 0 { sum / n as f64 } else { 0.0 },
                max_risk: max,
                path,
            });
        }
    }
    out.sort_by(|a, b| b.mean_risk.total_cmp(&a.mean_risk));
    for (i, s) in out.iter_mut().enumerate() {
        s.rank = i + 1;
    }
    Ok(out)
}
