//! Area survey (lawnmower) from a camera model, corridor scan, and orbit.

use serde::{Deserialize, Serialize};

use super::border_offset::{HomeSide, offset_border};
use crate::geodesy::{LocalFrame, destination};
use crate::{Altitude, LatLon, MissionCommand, MissionItem};

/// A camera, as QGroundControl describes one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Camera {
    /// Sensor width, millimetres.
    pub sensor_width_mm: f64,
    /// Sensor height, millimetres.
    pub sensor_height_mm: f64,
    /// Focal length, millimetres.
    pub focal_length_mm: f64,
    /// Image width, pixels.
    pub image_width_px: u32,
    /// Image height, pixels.
    pub image_height_px: u32,
}

impl Camera {
    /// Ground sample distance at `alt_m` above ground, centimetres per pixel.
    pub fn gsd_cm_per_px(&self, alt_m: f64) -> f64 {
        100.0 * self.sensor_width_mm * alt_m
            / (self.focal_length_mm * f64::from(self.image_width_px))
    }

    /// Height above ground giving `gsd_cm_per_px`, metres.
    pub fn alt_for_gsd_m(&self, gsd_cm_per_px: f64) -> f64 {
        gsd_cm_per_px / 100.0 * self.focal_length_mm * f64::from(self.image_width_px)
            / self.sensor_width_mm
    }

    /// Ground footprint (across track, along track) at `alt_m`, metres; the image's
    /// long side lies across the track (QGroundControl's landscape orientation), and
    /// pixels are square on the ground, so both sides are image pixels times the GSD
    /// (as QGroundControl's camera calculator computes them).
    pub fn footprint_m(&self, alt_m: f64) -> (f64, f64) {
        let gsd_m = self.gsd_cm_per_px(alt_m) / 100.0;
        (
            f64::from(self.image_width_px) * gsd_m,
            f64::from(self.image_height_px) * gsd_m,
        )
    }
}

/// A lawnmower survey over a polygon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyRequest {
    /// Area to cover (not closed).
    pub polygon: Vec<LatLon>,
    /// The camera.
    pub camera: Camera,
    /// Overlap between consecutive images along a line, 0..1.
    pub front_overlap: f64,
    /// Overlap between neighbouring lines, 0..1.
    pub side_overlap: f64,
    /// Height above home, metres (ignored when `gsd_cm_per_px` is set).
    pub alt_m: f64,
    /// Wanted ground sample distance, cm/px (sets the height).
    pub gsd_cm_per_px: Option<f64>,
    /// Direction of the lines, degrees from north.
    pub angle_deg: f64,
    /// Distance flown past each line end to turn, metres.
    pub turnaround_m: f64,
}

/// Why a survey cannot be generated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SurveyError {
    /// A parameter is out of range.
    #[error("invalid survey parameter: {0}")]
    Parameter(&'static str),
}

/// The survey's numbers besides its items.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SurveyLayout {
    /// Height flown, metres above home.
    pub alt_m: f64,
    /// Distance between lines, metres.
    pub line_spacing_m: f64,
    /// Camera trigger distance, metres.
    pub trigger_distance_m: f64,
    /// Ground sample distance, cm/px.
    pub gsd_cm_per_px: f64,
    /// Number of lines.
    pub lines: usize,
    /// Photos taken along the lines (QGroundControl's `CameraShots`).
    pub camera_shots: usize,
}

/// Lines crossing the polygon at east/north offsets, in a frame rotated so lines run along +y.
fn scan_segments(poly: &[(f64, f64)], x: f64) -> Vec<(f64, f64)> {
    let mut ys = Vec::new();
    for i in 0..poly.len() {
        let (a, b) = (poly[i], poly[(i + 1) % poly.len()]);
        if (a.0 <= x) != (b.0 <= x) {
            ys.push(a.1 + (x - a.0) / (b.0 - a.0) * (b.1 - a.1));
        }
    }
    ys.sort_by(f64::total_cmp);
    ys.chunks_exact(2).map(|c| (c[0], c[1])).collect()
}

/// Generates a lawnmower survey: per line, a turnaround point, the line start with
/// camera triggering on, the line end with triggering off, and a turnaround point.
pub fn survey(req: &SurveyRequest) -> Result<(Vec<MissionItem>, SurveyLayout), SurveyError> {
    let c = &req.camera;
    let positive = |x: f64| x.is_finite() && x > 0.0;
    if req.polygon.len() < 3 || req.polygon.iter().any(|p| !p.is_valid()) {
        return Err(SurveyError::Parameter(
            "the polygon needs at least 3 valid vertices",
        ));
    }
    if !(positive(c.sensor_width_mm)
        && positive(c.sensor_height_mm)
        && positive(c.focal_length_mm)
        && c.image_width_px > 0)
    {
        return Err(SurveyError::Parameter(
            "camera sensor, focal length and image size must be positive",
        ));
    }
    if !(0.0..0.99).contains(&req.front_overlap) || !(0.0..0.99).contains(&req.side_overlap) {
        return Err(SurveyError::Parameter("overlaps must be within 0..99%"));
    }
    let alt_m = match req.gsd_cm_per_px {
        Some(g) if positive(g) => c.alt_for_gsd_m(g),
        Some(_) => return Err(SurveyError::Parameter("GSD must be positive")),
        None => req.alt_m,
    };
    if !positive(alt_m) || !req.turnaround_m.is_finite() || req.turnaround_m < 0.0 {
        return Err(SurveyError::Parameter(
            "altitude must be positive and turnaround not negative",
        ));
    }
    let (across, along) = c.footprint_m(alt_m);
    let spacing = across * (1.0 - req.side_overlap);
    let trigger = along * (1.0 - req.front_overlap);
    let n = req.polygon.len() as f64;
    let origin = LatLon::new(
        req.polygon.iter().map(|p| p.lat_deg).sum::<f64>() / n,
        req.polygon.iter().map(|p| p.lon_deg).sum::<f64>() / n,
    );
    let frame = LocalFrame::new(origin);
    // Rotate so the lines run along +y: (x', y') = R(-angle) (x, y).
    let (s, co) = req.angle_deg.to_radians().sin_cos();
    let rot = |(x, y): (f64, f64)| (x * co - y * s, x * s + y * co);
    let unrot = |(x, y): (f64, f64)| (x * co + y * s, -x * s + y * co);
    let poly: Vec<(f64, f64)> = req
        .polygon
        .iter()
        .map(|p| rot(frame.to_east_north(*p)))
        .collect();
    let (min_x, max_x) = poly
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| {
            (a.0.min(p.0), a.1.max(p.0))
        });
    let width = max_x - min_x;
    let lines = ((width / spacing).ceil() as usize).clamp(1, 10_000);
    let first_x = min_x + (width - (lines - 1) as f64 * spacing) / 2.0;
    let alt = Altitude::above_home(alt_m);
    let at = |x: f64, y: f64| frame.to_lat_lon(unrot((x, y)).0, unrot((x, y)).1);
    let mut items = Vec::new();
    let mut count = 0;
    let mut shots = 0;
    for k in 0..lines {
        let x = first_x + k as f64 * spacing;
        for (mut y0, mut y1) in scan_segments(&poly, x) {
            if k % 2 == 1 {
                std::mem::swap(&mut y0, &mut y1);
            }
            let dir = (y1 - y0).signum();
            count += 1;
            shots += ((y1 - y0).abs() / trigger).ceil() as usize;
            if req.turnaround_m > 0.0 {
                items.push(MissionItem::waypoint(
                    at(x, y0 - dir * req.turnaround_m),
                    alt,
                ));
            }
            items.push(MissionItem::waypoint(at(x, y0), alt));
            items.push(MissionItem::command(
                MissionCommand::CameraTriggerDistance {
                    distance_m: trigger,
                    shutter_ms: 0.0,
                    trigger_now: 1.0,
                },
            ));
            items.push(MissionItem::waypoint(at(x, y1), alt));
            items.push(MissionItem::command(
                MissionCommand::CameraTriggerDistance {
                    distance_m: 0.0,
                    shutter_ms: 0.0,
                    trigger_now: 0.0,
                },
            ));
            if req.turnaround_m > 0.0 {
                items.push(MissionItem::waypoint(
                    at(x, y1 + dir * req.turnaround_m),
                    alt,
                ));
            }
        }
    }
    Ok((
        items,
        SurveyLayout {
            alt_m,
            line_spacing_m: spacing,
            trigger_distance_m: trigger,
            gsd_cm_per_px: c.gsd_cm_per_px(alt_m),
            lines: count,
            camera_shots: shots,
        },
    ))
}

/// A corridor scan: `lines` parallel passes along `path`, each centred in its
/// `width_m / lines` wide strip of the corridor (as QGroundControl lays them out),
/// flown alternately forth and back, the first pass on the right of the path.
pub fn corridor_scan(
    path: &[LatLon],
    width_m: f64,
    lines: usize,
    alt: Altitude,
) -> Vec<MissionItem> {
    let lines = lines.clamp(1, 1000);
    let spacing = corridor_spacing_m(width_m, lines);
    let mut items = Vec::new();
    for k in 0..lines {
        let offset = if lines == 1 {
            0.0
        } else {
            width_m / 2.0 - spacing / 2.0 - k as f64 * spacing
        };
        let mut pass = if offset.abs() < 1e-6 {
            path.to_vec()
        } else {
            let side = if offset > 0.0 {
                HomeSide::Right
            } else {
                HomeSide::Left
            };
            offset_border(path, side, offset.abs(), 0.5).points
        };
        if k % 2 == 1 {
            pass.reverse();
        }
        items.extend(pass.into_iter().map(|p| MissionItem::waypoint(p, alt)));
    }
    items
}

/// Distance between corridor passes: the width shared out, nudged up where
/// rounding would make `ceil(width / spacing)` (QGroundControl's pass count) one more.
pub fn corridor_spacing_m(width_m: f64, lines: usize) -> f64 {
    let n = lines.max(1) as f64;
    let mut spacing = width_m / n;
    for _ in 0..8 {
        if spacing.is_nan() || spacing <= 0.0 || (width_m / spacing).ceil() <= n {
            break;
        }
        spacing *= 1.0 + 4.0 * f64::EPSILON;
    }
    spacing
}

/// An orbit of `turns` circles of `radius_m` around `center`, as waypoints every
/// `360 / points_per_turn` degrees, clockwise from north.
pub fn orbit(
    center: LatLon,
    radius_m: f64,
    alt: Altitude,
    turns: f64,
    points_per_turn: usize,
) -> Vec<MissionItem> {
    let ppt = points_per_turn.clamp(3, 360);
    // At most 1000 turns: an orbit is a handful of circles, not a loiter.
    let n = (turns.clamp(0.0, 1000.0) * ppt as f64).ceil() as usize;
    (0..=n)
        .map(|i| {
            MissionItem::waypoint(
                destination(center, i as f64 * 360.0 / ppt as f64, radius_m),
                alt,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geodesy::distance_m;

    fn camera() -> Camera {
        // Sony a6000-like: 23.5 x 15.6 mm, 16 mm lens, 6000 x 4000 px.
        Camera {
            sensor_width_mm: 23.5,
            sensor_height_mm: 15.6,
            focal_length_mm: 16.0,
            image_width_px: 6000,
            image_height_px: 4000,
        }
    }

    #[test]
    fn gsd_and_altitude_agree() {
        let c = camera();
        let alt = c.alt_for_gsd_m(2.0);
        assert!((c.gsd_cm_per_px(alt) - 2.0).abs() < 1e-9);
        assert!((alt - 81.7).abs() < 0.1, "{alt}");
    }

    #[test]
    fn survey_covers_square_with_spaced_lines() {
        let sq = vec![
            LatLon::new(13.0, 2.0),
            LatLon::new(13.0, 2.01),
            LatLon::new(13.01, 2.01),
            LatLon::new(13.01, 2.0),
        ];
        let req = SurveyRequest {
            polygon: sq,
            camera: camera(),
            front_overlap: 0.7,
            side_overlap: 0.6,
            alt_m: 100.0,
            gsd_cm_per_px: None,
            angle_deg: 0.0,
            turnaround_m: 20.0,
        };
        let (items, layout) = survey(&req).unwrap();
        let (across, _) = camera().footprint_m(100.0);
        assert!((layout.line_spacing_m - across * 0.4).abs() < 1e-9);
        // ~1085 m wide / 58.75 m spacing -> 19 lines, each: 4 waypoints + 2 camera commands.
        assert_eq!(
            layout.lines,
            (1085.0f64 / layout.line_spacing_m).ceil() as usize
        );
        assert_eq!(items.len(), layout.lines * 6);
        let wps: Vec<LatLon> = items.iter().filter_map(MissionItem::position).collect();
        // Line 2 is flown the other way: its end (index 6) is beside line 1's start.
        let d = distance_m(wps[1], wps[6]);
        assert!(
            (d - layout.line_spacing_m).abs() < 1.0,
            "neighbour lines {d} m apart"
        );
    }

    #[test]
    fn orbit_points_on_circle() {
        let c = LatLon::new(13.5, 2.1);
        let items = orbit(c, 500.0, Altitude::above_home(80.0), 1.0, 12);
        assert_eq!(items.len(), 13);
        assert!(
            items
                .iter()
                .all(|i| (distance_m(c, i.position().unwrap()) - 500.0).abs() < 1e-6)
        );
    }
}
