//! Link quality from MAVLink sequence numbers: packets received against packets lost.

use serde::Serialize;

use crate::constants::LINK_QUALITY_ALPHA;

/// Counts received and lost packets of one sender on one link from its sequence numbers.
///
/// Exists because a heartbeat alone says a link is alive, not that it is good: a
/// radio at the edge of range delivers heartbeats and drops half the telemetry.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LinkQuality {
    /// Packets received.
    pub received: u64,
    /// Packets inferred lost from gaps in the sequence.
    pub lost: u64,
    /// Recent delivery ratio in percent (exponentially smoothed over ~50 packets).
    pub quality_pct: f64,
    #[serde(skip)]
    last_seq: Option<u8>,
    #[serde(skip)]
    smoothed: f64,
}

impl Default for LinkQuality {
    fn default() -> Self {
        Self {
            received: 0,
            lost: 0,
            quality_pct: 100.0,
            last_seq: None,
            smoothed: 1.0,
        }
    }
}

impl LinkQuality {
    /// Records a packet with sequence number `seq`.
    ///
    /// Duplicates and late (reordered) packets, whose sequence is at or behind the last
    /// one by less than half the sequence space, count as received but not as a gap.
    pub fn record(&mut self, seq: u8) {
        if let Some(last) = self.last_seq {
            let gap = seq.wrapping_sub(last).wrapping_sub(1);
            if gap < 128 {
                self.lost += u64::from(gap);
                self.smoothed *= (1.0 - LINK_QUALITY_ALPHA).powi(i32::from(gap));
                self.last_seq = Some(seq);
            }
        } else {
            self.last_seq = Some(seq);
        }
        self.received += 1;
        self.smoothed += LINK_QUALITY_ALPHA * (1.0 - self.smoothed);
        self.quality_pct = self.smoothed * 100.0;
    }

    /// Whole-session delivery ratio in percent.
    pub fn total_pct(&self) -> f64 {
        let total = self.received + self.lost;
        if total == 0 {
            100.0
        } else {
            self.received as f64 * 100.0 / total as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_gaps_across_wraparound() {
        let mut q = LinkQuality::default();
        for s in [250u8, 251, 253, 254, 255, 0, 3] {
            q.record(s);
        }
        // missing: 252, 1, 2
        assert_eq!(q.received, 7);
        assert_eq!(q.lost, 3);
        assert!((q.total_pct() - 70.0).abs() < 1e-9);
    }

    #[test]
    fn duplicates_and_reordering_are_not_loss() {
        let mut q = LinkQuality::default();
        for s in [10u8, 11, 11, 13, 12, 14] {
            q.record(s);
        }
        // 12 arrived late: the gap 11->13 counted it lost once; then nothing else.
        assert_eq!(q.lost, 1);
        assert_eq!(q.received, 6);
    }

    #[test]
    fn smoothed_quality_tracks_recent_loss() {
        let mut q = LinkQuality::default();
        let mut seq = 0u8;
        for i in 0..2000 {
            // deliver 4 of every 5 packets: 20 % loss
            if i % 5 != 0 {
                q.record(seq);
            }
            seq = seq.wrapping_add(1);
        }
        assert!((q.quality_pct - 80.0).abs() < 5.0, "{}", q.quality_pct);
        assert!((q.total_pct() - 80.0).abs() < 0.5, "{}", q.total_pct());
    }
}
