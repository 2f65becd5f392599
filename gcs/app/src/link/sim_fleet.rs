//! The simulated fleet the app starts with: PX4-faithful drones parked at border bases.
//!
//! Exists so a new user sees real drones on the map in seconds, over the same MAVLink
//! path (loopback UDP) a real fleet uses.

use gcs_link::LatLon;
use gcs_sim::VehicleSpec;

/// A base drones are parked at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Base {
    /// Town name.
    pub name: &'static str,
    /// Where.
    pub position: LatLon,
    /// Ground height above mean sea level, metres (GLOBE 30" at that point).
    pub ground_amsl_m: f64,
}

/// The demo's bases: Agadez (Aïr), Arlit (north, uranium mines), Diffa (Lake Chad).
pub const BASES: [Base; 3] = [
    Base {
        name: "Agadez",
        position: LatLon::new(16.9742, 7.9865),
        ground_amsl_m: 529.0,
    },
    Base {
        name: "Arlit",
        position: LatLon::new(18.7369, 7.3853),
        ground_amsl_m: 439.0,
    },
    Base {
        name: "Diffa",
        position: LatLon::new(13.3154, 12.6113),
        ground_amsl_m: 286.0,
    },
];

/// `count` drones (system ids 1..), dealt round the bases in turn; drones sharing a
/// base park 20 m apart.
pub fn fleet(count: usize) -> Vec<VehicleSpec> {
    let per_base: Vec<Vec<VehicleSpec>> = BASES
        .iter()
        .enumerate()
        .map(|(b, base)| {
            let here = (count + BASES.len() - 1 - b) / BASES.len();
            gcs_sim::SimConfig::fleet(here, 1, base.position, base.ground_amsl_m)
        })
        .collect();
    let deepest = per_base.iter().map(Vec::len).max().unwrap_or(0);
    let mut out: Vec<VehicleSpec> = (0..deepest)
        .flat_map(|k| per_base.iter().filter_map(move |list| list.get(k).cloned()))
        .collect();
    for (n, s) in out.iter_mut().enumerate() {
        s.sysid = (n + 1) as u8;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_drones_one_per_base() {
        let f = fleet(3);
        assert_eq!(f.iter().map(|s| s.sysid).collect::<Vec<_>>(), [1, 2, 3]);
        for (s, b) in f.iter().zip(BASES) {
            assert!((s.home.lat_deg - b.position.lat_deg).abs() < 1e-9);
            assert!((s.home.lon_deg - b.position.lon_deg).abs() < 1e-9);
            assert_eq!(s.home_alt_amsl_m, b.ground_amsl_m);
        }
    }

    #[test]
    fn a_hundred_drones_have_unique_ids_and_share_the_bases() {
        let f = fleet(100);
        assert_eq!(f.len(), 100);
        let mut ids: Vec<u8> = f.iter().map(|s| s.sysid).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 100);
        let at_diffa = f.iter().filter(|s| s.home_alt_amsl_m == 286.0).count();
        assert_eq!(at_diffa, 33);
    }
}
