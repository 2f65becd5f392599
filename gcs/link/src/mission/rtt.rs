//! Round-trip time estimation for protocol timeouts (RFC 6298's smoothed RTT and variance).

use std::time::Duration;

/// Smoothed round-trip time of a link, so timeouts fit the link instead of one fixed value.
///
/// Exists because a fixed 1.5 s timeout is far too slow on a LAN and too quick on a
/// satellite or congested radio link; samples come only from exchanges that were not
/// retransmitted (Karn's rule).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RttEstimator {
    srtt: Option<Duration>,
    rttvar: Duration,
    initial: Duration,
    min: Duration,
    max: Duration,
}

impl RttEstimator {
    /// An estimator with no samples yet: timeouts are `initial` until the first sample,
    /// and always within `min..=max`.
    pub fn new(initial: Duration, min: Duration, max: Duration) -> Self {
        Self {
            srtt: None,
            rttvar: Duration::ZERO,
            initial,
            min,
            max,
        }
    }

    /// Adds a measured round trip.
    pub fn sample(&mut self, rtt: Duration) {
        match self.srtt {
            None => {
                self.srtt = Some(rtt);
                self.rttvar = rtt / 2;
            }
            Some(srtt) => {
                let diff = srtt.abs_diff(rtt);
                self.rttvar = self.rttvar.mul_f64(0.75) + diff.mul_f64(0.25);
                self.srtt = Some(srtt.mul_f64(0.875) + rtt.mul_f64(0.125));
            }
        }
    }

    /// The smoothed round trip, once measured.
    pub fn srtt(&self) -> Option<Duration> {
        self.srtt
    }

    /// How long to wait for an answer before retransmitting.
    pub fn timeout(&self) -> Duration {
        match self.srtt {
            None => self.initial,
            Some(srtt) => (srtt + self.rttvar * 4).clamp(self.min, self.max),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn est() -> RttEstimator {
        RttEstimator::new(
            Duration::from_millis(1500),
            Duration::from_millis(100),
            Duration::from_secs(5),
        )
    }

    #[test]
    fn converges_to_the_link_and_stays_in_bounds() {
        let mut e = est();
        assert_eq!(e.timeout(), Duration::from_millis(1500));
        for _ in 0..50 {
            e.sample(Duration::from_millis(40));
        }
        assert!(e.srtt().unwrap().abs_diff(Duration::from_millis(40)) < Duration::from_millis(1));
        assert_eq!(
            e.timeout(),
            Duration::from_millis(100),
            "clamped to the minimum"
        );
        for _ in 0..50 {
            e.sample(Duration::from_millis(800));
        }
        let t = e.timeout();
        assert!(
            t >= Duration::from_millis(800) && t < Duration::from_millis(1500),
            "{t:?}"
        );
        for _ in 0..5 {
            e.sample(Duration::from_secs(30));
        }
        assert_eq!(
            e.timeout(),
            Duration::from_secs(5),
            "clamped to the maximum"
        );
    }
}
