//! The orbit camera's math: where the eye is, and how mouse input moves it.
//!
//! Local frame, metres (f64): x = east, y = north, z = up.

/// Lowest camera pitch (angle below the horizon), degrees: never quite level.
pub const MIN_PITCH_DEG: f64 = 5.0;
/// Highest camera pitch, degrees: straight down.
pub const MAX_PITCH_DEG: f64 = 90.0;
/// Closest the eye comes to the target, metres.
pub const MIN_DISTANCE_M: f64 = 50.0;
/// Farthest the eye goes from the target, metres (a country-sized view).
pub const MAX_DISTANCE_M: f64 = 5_000_000.0;

/// A camera orbiting a target point on the map.
///
/// Exists so the 3D map's camera behaviour (orbit, zoom, pan that keeps the ground
/// under the cursor, 2D top-down view, follow, fit to an area) is plain, tested math;
/// the app only copies [`OrbitCamera::eye`] and the target into a Bevy transform.
#[derive(Debug, Clone, PartialEq)]
pub struct OrbitCamera {
    /// The point looked at, metres (x east, y north, z up).
    pub target: [f64; 3],
    /// Eye-to-target distance, metres.
    pub distance_m: f64,
    /// Heading the camera looks toward, degrees clockwise from north, 0..360.
    pub yaw_deg: f64,
    /// Angle of the view below the horizon, degrees, 5..=90 (90 = straight down).
    pub pitch_deg: f64,
    /// The 3D view's yaw and pitch while the top-down view is on.
    saved_view: Option<(f64, f64)>,
}

impl Default for OrbitCamera {
    fn default() -> Self {
        Self::new([0.0; 3], 2_000.0, 0.0, 45.0)
    }
}

impl OrbitCamera {
    /// A camera looking at `target` from `distance_m`, toward `yaw_deg`, `pitch_deg`
    /// below the horizon (each clamped to its range; non-finite values take defaults).
    pub fn new(target: [f64; 3], distance_m: f64, yaw_deg: f64, pitch_deg: f64) -> Self {
        Self {
            target: if target.iter().all(|c| c.is_finite()) {
                target
            } else {
                [0.0; 3]
            },
            distance_m: clamp_distance(finite_or(distance_m, 2_000.0)),
            yaw_deg: finite_or(yaw_deg, 0.0).rem_euclid(360.0),
            pitch_deg: clamp_pitch(finite_or(pitch_deg, 45.0)),
            saved_view: None,
        }
    }

    /// Unit vector the camera looks along (from the eye to the target).
    pub fn forward(&self) -> [f64; 3] {
        let (yaw, pitch) = (self.yaw_deg.to_radians(), self.pitch_deg.to_radians());
        [
            yaw.sin() * pitch.cos(),
            yaw.cos() * pitch.cos(),
            -pitch.sin(),
        ]
    }

    /// Unit vector to the right of the view, horizontal.
    pub fn right(&self) -> [f64; 3] {
        let yaw = self.yaw_deg.to_radians();
        [yaw.cos(), -yaw.sin(), 0.0]
    }

    /// Unit vector up on screen (perpendicular to [`Self::forward`] and [`Self::right`]).
    pub fn up(&self) -> [f64; 3] {
        cross(self.right(), self.forward())
    }

    /// Where the eye is: `distance_m` from the target, back along the view, above it.
    pub fn eye(&self) -> [f64; 3] {
        let f = self.forward();
        [
            self.target[0] - f[0] * self.distance_m,
            self.target[1] - f[1] * self.distance_m,
            self.target[2] - f[2] * self.distance_m,
        ]
    }

    /// Whether the 2D top-down view is on.
    pub fn is_top_down(&self) -> bool {
        self.saved_view.is_some()
    }

    /// Turns the view around the target: yaw by `d_yaw_deg` (wrapped to 0..360), pitch
    /// by `d_pitch_deg` (clamped to 5..=90). Ignored in the top-down view, which stays
    /// north-up, and for non-finite input.
    pub fn orbit(&mut self, d_yaw_deg: f64, d_pitch_deg: f64) {
        if self.is_top_down() || !d_yaw_deg.is_finite() || !d_pitch_deg.is_finite() {
            return;
        }
        self.yaw_deg = (self.yaw_deg + d_yaw_deg).rem_euclid(360.0);
        self.pitch_deg = clamp_pitch(self.pitch_deg + d_pitch_deg);
    }

    /// Multiplies the distance by `factor` (above 1 moves away), clamped to
    /// [`MIN_DISTANCE_M`]..=[`MAX_DISTANCE_M`]; ignored unless finite and positive.
    pub fn zoom(&mut self, factor: f64) {
        if factor.is_finite() && factor > 0.0 {
            self.distance_m = clamp_distance(self.distance_m * factor);
        }
    }

    /// Ground distance one screen pixel covers at the target, metres, for a viewport
    /// `viewport_height_px` tall with vertical field of view `vfov_rad`.
    pub fn metres_per_px(&self, viewport_height_px: f64, vfov_rad: f64) -> Option<f64> {
        if !(viewport_height_px > 0.0 && vfov_rad > 0.0 && vfov_rad < std::f64::consts::PI) {
            return None;
        }
        let mpp = 2.0 * self.distance_m * (0.5 * vfov_rad).tan() / viewport_height_px;
        mpp.is_finite().then_some(mpp)
    }

    /// Moves the target in the ground plane so the ground under the cursor follows a
    /// drag of (`dx_px` right, `dy_px` down) pixels.
    ///
    /// The move is proportional to the distance (the ground a pixel covers at the
    /// target); along the view it is stretched by 1 / sin(pitch), the foreshortening
    /// of a tilted view. Ignored for non-finite or non-positive viewport figures.
    pub fn pan_screen(&mut self, dx_px: f64, dy_px: f64, viewport_height_px: f64, vfov_rad: f64) {
        let Some(mpp) = self.metres_per_px(viewport_height_px, vfov_rad) else {
            return;
        };
        if !dx_px.is_finite() || !dy_px.is_finite() {
            return;
        }
        let yaw = self.yaw_deg.to_radians();
        let (right, ahead) = ([yaw.cos(), -yaw.sin()], [yaw.sin(), yaw.cos()]);
        let across_m = -dx_px * mpp;
        let along_m = dy_px * mpp / self.pitch_deg.to_radians().sin();
        self.target[0] += right[0] * across_m + ahead[0] * along_m;
        self.target[1] += right[1] * across_m + ahead[1] * along_m;
    }

    /// Turns the 2D top-down view (pitch 90°, north up) on or off; turning it off
    /// restores the yaw and pitch the 3D view had.
    pub fn set_top_down(&mut self, on: bool) {
        match (on, self.saved_view) {
            (true, None) => {
                self.saved_view = Some((self.yaw_deg, self.pitch_deg));
                self.yaw_deg = 0.0;
                self.pitch_deg = MAX_PITCH_DEG;
            }
            (false, Some((yaw, pitch))) => {
                self.yaw_deg = yaw;
                self.pitch_deg = pitch;
                self.saved_view = None;
            }
            _ => {}
        }
    }

    /// Looks at `target` (e.g. the followed drone each frame), keeping the view angles
    /// and distance; ignored if not finite.
    pub fn follow(&mut self, target: [f64; 3]) {
        if target.iter().all(|c| c.is_finite()) {
            self.target = target;
        }
    }

    /// Centres on the rectangle `min_xy`..`max_xy` (at the target's height) and sets
    /// the distance so all of it is on screen, for vertical field of view `vfov_rad`
    /// and `aspect` = width / height, whatever the yaw and pitch.
    ///
    /// The rectangle's bounding sphere is fitted inside the narrower field of view, so
    /// it fits for any view angle (with margin in the top-down view). Ignored for
    /// non-finite input or a field of view outside 0..π.
    pub fn frame_bounds(&mut self, min_xy: [f64; 2], max_xy: [f64; 2], vfov_rad: f64, aspect: f64) {
        let usable = min_xy.iter().chain(&max_xy).all(|c| c.is_finite())
            && vfov_rad > 0.0
            && vfov_rad < std::f64::consts::PI
            && aspect > 0.0;
        if !usable {
            return;
        }
        let half_v = 0.5 * vfov_rad;
        let half_h = (aspect * half_v.tan()).atan();
        let half_fov = half_v.min(half_h);
        let (dx, dy) = ((max_xy[0] - min_xy[0]).abs(), (max_xy[1] - min_xy[1]).abs());
        let radius_m = 0.5 * dx.hypot(dy);
        self.target[0] = 0.5 * (min_xy[0] + max_xy[0]);
        self.target[1] = 0.5 * (min_xy[1] + max_xy[1]);
        self.distance_m = clamp_distance(radius_m / half_fov.sin());
    }
}

fn clamp_pitch(pitch_deg: f64) -> f64 {
    pitch_deg.clamp(MIN_PITCH_DEG, MAX_PITCH_DEG)
}

fn clamp_distance(distance_m: f64) -> f64 {
    distance_m.clamp(MIN_DISTANCE_M, MAX_DISTANCE_M)
}

fn finite_or(v: f64, default: f64) -> f64 {
    if v.is_finite() { v } else { default }
}

fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
        a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
    }

    fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
        [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
    }

    fn norm(a: [f64; 3]) -> f64 {
        dot(a, a).sqrt()
    }

    /// Screen position of `p` in normalised device coordinates (-1..1 on screen).
    fn project(cam: &OrbitCamera, p: [f64; 3], vfov_rad: f64, aspect: f64) -> (f64, f64) {
        let rel = sub(p, cam.eye());
        let depth = dot(rel, cam.forward());
        let t = (0.5 * vfov_rad).tan();
        (
            dot(rel, cam.right()) / depth / (t * aspect),
            dot(rel, cam.up()) / depth / t,
        )
    }

    fn assert_close(a: [f64; 3], b: [f64; 3], tol: f64) {
        assert!(norm(sub(a, b)) < tol, "{a:?} vs {b:?}");
    }

    #[test]
    fn eye_looking_north_is_south_of_and_above_the_target() {
        let cam = OrbitCamera::new([100.0, 200.0, 10.0], 1000.0, 0.0, 30.0);
        let eye = cam.eye();
        assert_close(
            eye,
            [
                100.0,
                200.0 - 1000.0 * 0.866_025_403_784_438_6,
                10.0 + 500.0,
            ],
            1e-6,
        );
        let top = OrbitCamera::new([0.0; 3], 500.0, 123.0, 90.0);
        assert_close(top.eye(), [0.0, 0.0, 500.0], 1e-6);
    }

    #[test]
    fn looking_east_puts_the_eye_west() {
        let cam = OrbitCamera::new([0.0; 3], 100.0, 90.0, 45.0);
        let eye = cam.eye();
        assert!(
            eye[0] < -70.0 && eye[1].abs() < 1e-9 && eye[2] > 70.0,
            "{eye:?}"
        );
        assert_close(cam.right(), [0.0, -1.0, 0.0], 1e-12);
    }

    #[test]
    fn orbit_wraps_yaw_and_clamps_pitch() {
        let mut cam = OrbitCamera::new([0.0; 3], 1000.0, 350.0, 45.0);
        cam.orbit(20.0, 100.0);
        assert!((cam.yaw_deg - 10.0).abs() < 1e-9);
        assert_eq!(cam.pitch_deg, MAX_PITCH_DEG);
        cam.orbit(-30.0, -200.0);
        assert!((cam.yaw_deg - 340.0).abs() < 1e-9);
        assert_eq!(cam.pitch_deg, MIN_PITCH_DEG);
        cam.orbit(f64::NAN, 1.0);
        assert_eq!(cam.pitch_deg, MIN_PITCH_DEG);
    }

    #[test]
    fn zoom_clamps_distance() {
        let mut cam = OrbitCamera::new([0.0; 3], 1000.0, 0.0, 45.0);
        cam.zoom(2.0);
        assert_eq!(cam.distance_m, 2000.0);
        cam.zoom(1e-9);
        assert_eq!(cam.distance_m, MIN_DISTANCE_M);
        cam.zoom(1e12);
        assert_eq!(cam.distance_m, MAX_DISTANCE_M);
        for bad in [0.0, -2.0, f64::NAN, f64::INFINITY] {
            cam.zoom(bad);
            assert_eq!(cam.distance_m, MAX_DISTANCE_M);
        }
    }

    #[test]
    fn pan_top_down_moves_the_ground_with_the_mouse() {
        let vfov = 90f64.to_radians();
        let mut cam = OrbitCamera::new([0.0; 3], 500.0, 0.0, 90.0);
        // 1000 px tall, 90° fov at 500 m: 1 m per pixel
        assert!((cam.metres_per_px(1000.0, vfov).unwrap() - 1.0).abs() < 1e-9);
        // drag right 100 px: the ground moves right, so the view centre moves west
        cam.pan_screen(100.0, 0.0, 1000.0, vfov);
        assert_close(cam.target, [-100.0, 0.0, 0.0], 1e-6);
        // drag down 50 px: the view centre moves north
        cam.pan_screen(0.0, 50.0, 1000.0, vfov);
        assert_close(cam.target, [-100.0, 50.0, 0.0], 1e-6);
        // twice as far, twice the move
        cam.zoom(2.0);
        cam.pan_screen(0.0, -10.0, 1000.0, vfov);
        assert_close(cam.target, [-100.0, 30.0, 0.0], 1e-6);
    }

    #[test]
    fn pan_keeps_the_ground_under_the_cursor() {
        let (vfov, aspect, h_px) = (60f64.to_radians(), 1.5, 900.0);
        for (yaw, pitch) in [(0.0, 90.0), (30.0, 60.0), (250.0, 40.0)] {
            let mut cam = OrbitCamera::new([500.0, -300.0, 0.0], 2000.0, yaw, pitch);
            // a ground point 3 px right and 2 px below the centre
            let (sx, sy) = (3.0, 2.0);
            let mpp = cam.metres_per_px(h_px, vfov).unwrap();
            let r = cam.right();
            let a = [
                cam.yaw_deg.to_radians().sin(),
                cam.yaw_deg.to_radians().cos(),
            ];
            let s = cam.pitch_deg.to_radians().sin();
            let g = [
                cam.target[0] + r[0] * sx * mpp - a[0] * sy * mpp / s,
                cam.target[1] + r[1] * sx * mpp - a[1] * sy * mpp / s,
                0.0,
            ];
            let before = project(&cam, g, vfov, aspect);
            cam.pan_screen(10.0, -7.0, h_px, vfov);
            let after = project(&cam, g, vfov, aspect);
            // NDC to pixels: h_px / 2 per unit vertically, h_px * aspect / 2 horizontally
            let dx_px = (after.0 - before.0) * h_px * aspect / 2.0;
            let dy_px = -(after.1 - before.1) * h_px / 2.0;
            assert!((dx_px - 10.0).abs() < 0.2, "{yaw} {pitch}: dx {dx_px}");
            assert!((dy_px + 7.0).abs() < 0.2, "{yaw} {pitch}: dy {dy_px}");
        }
    }

    #[test]
    fn top_down_toggles_and_restores() {
        let mut cam = OrbitCamera::new([0.0; 3], 1000.0, 135.0, 30.0);
        cam.set_top_down(true);
        assert!(cam.is_top_down());
        assert_eq!((cam.yaw_deg, cam.pitch_deg), (0.0, 90.0));
        // orbiting does not tilt the 2D view; turning it on twice keeps the saved view
        cam.orbit(10.0, -20.0);
        cam.set_top_down(true);
        assert_eq!((cam.yaw_deg, cam.pitch_deg), (0.0, 90.0));
        cam.set_top_down(false);
        assert!(!cam.is_top_down());
        assert_eq!((cam.yaw_deg, cam.pitch_deg), (135.0, 30.0));
        cam.set_top_down(false);
        assert_eq!((cam.yaw_deg, cam.pitch_deg), (135.0, 30.0));
    }

    #[test]
    fn follow_moves_the_target_only() {
        let mut cam = OrbitCamera::new([0.0; 3], 1000.0, 45.0, 30.0);
        cam.follow([10.0, 20.0, 30.0]);
        assert_eq!(cam.target, [10.0, 20.0, 30.0]);
        assert_eq!(
            (cam.distance_m, cam.yaw_deg, cam.pitch_deg),
            (1000.0, 45.0, 30.0)
        );
        cam.follow([f64::NAN, 0.0, 0.0]);
        assert_eq!(cam.target, [10.0, 20.0, 30.0]);
    }

    #[test]
    fn frame_bounds_puts_every_corner_on_screen() {
        let (vfov, aspect) = (50f64.to_radians(), 16.0 / 9.0);
        let (min, max) = ([-2000.0, 1000.0], [6000.0, 4000.0]);
        for (yaw, pitch) in [(0.0, 90.0), (45.0, 30.0), (200.0, 5.0)] {
            let mut cam = OrbitCamera::new([0.0; 3], 100.0, yaw, pitch);
            cam.frame_bounds(min, max, vfov, aspect);
            assert_eq!(cam.target, [2000.0, 2500.0, 0.0]);
            for corner in [min, max, [min[0], max[1]], [max[0], min[1]]] {
                let (x, y) = project(&cam, [corner[0], corner[1], 0.0], vfov, aspect);
                assert!(
                    x.abs() <= 1.0 && y.abs() <= 1.0,
                    "{yaw} {pitch}: {corner:?} at {x} {y}"
                );
            }
        }
        // top-down, the rectangle fills a good part of the screen (not a speck)
        let mut cam = OrbitCamera::new([0.0; 3], 100.0, 0.0, 90.0);
        cam.frame_bounds(min, max, vfov, aspect);
        let (x, _) = project(&cam, [max[0], max[1], 0.0], vfov, aspect);
        assert!(x > 0.4, "{x}");
    }

    #[test]
    fn frame_bounds_ignores_bad_input() {
        let mut cam = OrbitCamera::default();
        let before = cam.clone();
        cam.frame_bounds([f64::NAN, 0.0], [1.0, 1.0], 1.0, 1.0);
        cam.frame_bounds([0.0, 0.0], [1.0, 1.0], 0.0, 1.0);
        cam.frame_bounds([0.0, 0.0], [1.0, 1.0], 1.0, -1.0);
        assert_eq!(cam, before);
        // a single point still gets a valid distance
        cam.frame_bounds([5.0, 5.0], [5.0, 5.0], 1.0, 1.0);
        assert_eq!(cam.distance_m, MIN_DISTANCE_M);
    }

    proptest! {
        #[test]
        fn eye_is_at_distance_and_above(
            x in -1e6f64..1e6, y in -1e6f64..1e6, z in -500.0f64..9000.0,
            distance in 0.0f64..1e7, yaw in -720.0f64..720.0, pitch in -90.0f64..180.0,
            d_yaw in -400.0f64..400.0, d_pitch in -200.0f64..200.0, zoom in 0.01f64..100.0,
        ) {
            let mut cam = OrbitCamera::new([x, y, z], distance, yaw, pitch);
            cam.orbit(d_yaw, d_pitch);
            cam.zoom(zoom);
            let eye = cam.eye();
            let d = norm(sub(eye, cam.target));
            prop_assert!((d - cam.distance_m).abs() < 1e-6 * cam.distance_m.max(1.0));
            prop_assert!((MIN_DISTANCE_M..=MAX_DISTANCE_M).contains(&cam.distance_m));
            prop_assert!((MIN_PITCH_DEG..=MAX_PITCH_DEG).contains(&cam.pitch_deg));
            prop_assert!((0.0..360.0).contains(&cam.yaw_deg));
            prop_assert!(eye[2] > cam.target[2]);
            // the basis is orthonormal
            let (f, r, u) = (cam.forward(), cam.right(), cam.up());
            prop_assert!(dot(f, r).abs() < 1e-9 && dot(f, u).abs() < 1e-9 && dot(r, u).abs() < 1e-9);
            prop_assert!(u[2] >= 0.0);
        }
    }
}
