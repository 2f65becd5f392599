//! Fault injection on the simulated radio link: loss, added latency, duplication, a cut cable.

use std::time::Duration;

use rand::Rng;

/// Faults applied to every frame, each way.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Faults {
    /// Frames dropped, percent (0..=100), each way.
    pub loss_pct: f64,
    /// Added one-way latency.
    pub latency: Duration,
    /// Frames sent twice, percent (0..=100).
    pub duplicate_pct: f64,
    /// The link is cut: nothing passes either way (a pulled cable, a radio out of range).
    pub cut: bool,
}

impl Faults {
    /// How many copies of a frame get through (0, 1 or 2).
    pub fn copies(&self, rng: &mut impl Rng) -> usize {
        if self.cut || rng.random_bool((self.loss_pct / 100.0).clamp(0.0, 1.0)) {
            return 0;
        }
        if rng.random_bool((self.duplicate_pct / 100.0).clamp(0.0, 1.0)) {
            2
        } else {
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn loss_and_duplication_rates_match_the_settings() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let f = Faults {
            loss_pct: 20.0,
            duplicate_pct: 10.0,
            ..Faults::default()
        };
        let n = 20_000;
        let copies: Vec<usize> = (0..n).map(|_| f.copies(&mut rng)).collect();
        let lost = copies.iter().filter(|c| **c == 0).count() as f64 / n as f64;
        let dup = copies.iter().filter(|c| **c == 2).count() as f64 / n as f64;
        assert!((lost - 0.20).abs() < 0.02, "{lost}");
        assert!((dup - 0.08).abs() < 0.02, "{dup}"); // 10 % of the 80 % delivered
        let cut = Faults { cut: true, ..f };
        assert!((0..100).all(|_| cut.copies(&mut rng) == 0));
    }
}
