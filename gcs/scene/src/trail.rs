//! A drone's recent track for drawing: a time window of thinned position samples.

use std::collections::VecDeque;

use gcs_link::LatLon;
use mission_planner::geodesy::distance_m;

/// One position of a trail.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrailSample {
    /// When the position was observed, app clock seconds.
    pub time_s: f64,
    /// Where the vehicle was.
    pub position: LatLon,
    /// Altitude above mean sea level, metres.
    pub alt_amsl_m: f64,
}

/// How much of the track a [`Trail`] keeps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrailConfig {
    /// Samples older than this before the newest one are dropped, seconds.
    pub window_s: f64,
    /// At most this many samples are kept (the oldest go first).
    pub max_points: usize,
    /// A sample closer than this (3D) to the previous kept one is skipped, metres...
    pub min_spacing_m: f64,
    /// ...unless this long has passed since it, seconds (so a hovering drone still ticks).
    pub max_gap_s: f64,
}

impl Default for TrailConfig {
    fn default() -> Self {
        Self {
            window_s: 300.0,
            max_points: 600,
            min_spacing_m: 2.0,
            max_gap_s: 5.0,
        }
    }
}

/// A drone's recent track, oldest sample first.
///
/// Exists so the map draws where each drone has just been with a bounded number of
/// vertices, whatever its telemetry rate: samples are thinned by distance and the
/// track is cut to a time window and a point budget.
#[derive(Debug, Clone, Default)]
pub struct Trail {
    config: TrailConfig,
    samples: VecDeque<TrailSample>,
}

impl Trail {
    /// An empty trail keeping what `config` says.
    pub fn new(config: TrailConfig) -> Self {
        Self {
            config,
            samples: VecDeque::new(),
        }
    }

    /// What this trail keeps.
    pub fn config(&self) -> &TrailConfig {
        &self.config
    }

    /// Adds a sample; returns whether it was kept.
    ///
    /// Skipped: a sample with a non-finite time or altitude, an invalid position, a
    /// time not after the newest sample's, or one within `min_spacing_m` of the newest
    /// sample unless `max_gap_s` has passed since it. Distance is great-circle
    /// (Haversine, through `geo`) combined with the altitude change.
    pub fn push(&mut self, time_s: f64, position: LatLon, alt_amsl_m: f64) -> bool {
        if !time_s.is_finite() || !alt_amsl_m.is_finite() || !position.is_valid() {
            return false;
        }
        if let Some(last) = self.samples.back() {
            if time_s <= last.time_s {
                return false;
            }
            let ground_m = distance_m(last.position, position);
            let spacing_m = ground_m.hypot(alt_amsl_m - last.alt_amsl_m);
            if spacing_m < self.config.min_spacing_m && time_s - last.time_s < self.config.max_gap_s
            {
                return false;
            }
        }
        self.samples.push_back(TrailSample {
            time_s,
            position,
            alt_amsl_m,
        });
        self.trim(time_s);
        true
    }

    /// Drops samples older than the window before `newest_s` and beyond the point budget.
    fn trim(&mut self, newest_s: f64) {
        let oldest_kept_s = newest_s - self.config.window_s;
        while self
            .samples
            .front()
            .is_some_and(|s| s.time_s < oldest_kept_s)
        {
            self.samples.pop_front();
        }
        while self.samples.len() > self.config.max_points {
            self.samples.pop_front();
        }
    }

    /// The kept samples, oldest first.
    pub fn points(&self) -> impl ExactSizeIterator<Item = &TrailSample> + DoubleEndedIterator {
        self.samples.iter()
    }

    /// The newest sample.
    pub fn latest(&self) -> Option<&TrailSample> {
        self.samples.back()
    }

    /// How many samples are kept.
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// Whether no sample is kept.
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// Forgets every sample (e.g. when the operator clears trails).
    pub fn clear(&mut self) {
        self.samples.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mission_planner::geodesy::destination;
    use proptest::prelude::*;

    const START: LatLon = LatLon::new(13.5, 2.1);

    #[test]
    fn keeps_samples_oldest_first() {
        let mut trail = Trail::default();
        for i in 0..10 {
            let p = destination(START, 90.0, f64::from(i) * 10.0);
            assert!(trail.push(f64::from(i), p, 300.0));
        }
        let times: Vec<f64> = trail.points().map(|s| s.time_s).collect();
        assert_eq!(times, (0..10).map(f64::from).collect::<Vec<_>>());
        assert_eq!(trail.latest().unwrap().time_s, 9.0);
    }

    #[test]
    fn skips_close_samples_until_the_gap_passes() {
        let mut trail = Trail::default();
        assert!(trail.push(0.0, START, 300.0));
        // 1 m east after 1 s: too close
        assert!(!trail.push(1.0, destination(START, 90.0, 1.0), 300.0));
        // 3 m east: far enough
        assert!(trail.push(2.0, destination(START, 90.0, 3.0), 300.0));
        // hovering: skipped until 5 s after the last kept sample
        assert!(!trail.push(6.9, destination(START, 90.0, 3.0), 300.0));
        assert!(trail.push(7.0, destination(START, 90.0, 3.0), 300.0));
        // climbing straight up 3 m counts as movement
        assert!(trail.push(7.5, destination(START, 90.0, 3.0), 303.0));
        assert_eq!(trail.len(), 4);
    }

    #[test]
    fn drops_samples_outside_the_window() {
        let mut trail = Trail::default();
        for i in 0..40 {
            let p = destination(START, 0.0, f64::from(i) * 50.0);
            trail.push(f64::from(i) * 10.0, p, 300.0);
        }
        let first = trail.points().next().unwrap().time_s;
        assert_eq!(first, 390.0 - 300.0);
    }

    #[test]
    fn drops_oldest_beyond_max_points() {
        let mut trail = Trail::new(TrailConfig {
            max_points: 5,
            ..TrailConfig::default()
        });
        for i in 0..8 {
            trail.push(
                f64::from(i),
                destination(START, 0.0, f64::from(i) * 10.0),
                0.0,
            );
        }
        assert_eq!(trail.len(), 5);
        assert_eq!(trail.points().next().unwrap().time_s, 3.0);
    }

    #[test]
    fn rejects_bad_and_out_of_order_samples() {
        let mut trail = Trail::default();
        assert!(!trail.push(f64::NAN, START, 0.0));
        assert!(!trail.push(0.0, START, f64::INFINITY));
        assert!(!trail.push(0.0, LatLon::new(95.0, 0.0), 0.0));
        assert!(trail.push(10.0, START, 0.0));
        assert!(!trail.push(9.0, destination(START, 0.0, 100.0), 0.0));
        assert!(!trail.push(10.0, destination(START, 0.0, 100.0), 0.0));
        assert_eq!(trail.len(), 1);
        trail.clear();
        assert!(trail.is_empty());
    }

    proptest! {
        #[test]
        fn bounded_monotonic_and_within_window(
            steps in prop::collection::vec((-1.0f64..20.0, 0.0f64..360.0, 0.0f64..60.0, -5.0f64..5.0), 1..400),
            max_points in 1usize..50,
            window_s in 1.0f64..200.0,
        ) {
            let mut trail = Trail::new(TrailConfig { max_points, window_s, ..TrailConfig::default() });
            let (mut t, mut p, mut alt) = (0.0, START, 100.0);
            for (dt, bearing, dist, dalt) in steps {
                t += dt;
                p = destination(p, bearing, dist);
                alt += dalt;
                trail.push(t, p, alt);
                prop_assert!(trail.len() <= max_points);
                let newest = trail.latest().unwrap().time_s;
                let times: Vec<f64> = trail.points().map(|s| s.time_s).collect();
                prop_assert!(times.windows(2).all(|w| w[0] < w[1]));
                prop_assert!(times.iter().all(|s| newest - s <= window_s));
            }
        }
    }
}
