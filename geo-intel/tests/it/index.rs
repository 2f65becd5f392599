//! The R-tree index over a million features.

use geo::{Distance, Haversine, Point};
use geo_intel::index::SpatialIndex;
use geo_intel::vector::LonLatBounds;
use mission_planner::LatLon;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

#[test]
fn million_points_viewport_and_nearest_match_brute_force() {
    let mut rng = StdRng::seed_from_u64(11);
    let pts: Vec<LatLon> = (0..1_000_000)
        .map(|_| LatLon::new(rng.random_range(11.0..24.0), rng.random_range(0.0..16.0)))
        .collect();
    let index = SpatialIndex::from_points(&pts);
    assert_eq!(index.len(), 1_000_000);
    let view = LonLatBounds {
        west_deg: 2.0,
        south_deg: 13.0,
        east_deg: 2.5,
        north_deg: 13.4,
    };
    let mut got = index.in_viewport(&view);
    got.sort_unstable();
    let want: Vec<usize> = pts
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            p.lon_deg >= 2.0 && p.lon_deg <= 2.5 && p.lat_deg >= 13.0 && p.lat_deg <= 13.4
        })
        .map(|(i, _)| i)
        .collect();
    assert_eq!(got, want);
    for _ in 0..10 {
        let q = LatLon::new(rng.random_range(11.0..24.0), rng.random_range(0.0..16.0));
        let qp = Point::new(q.lon_deg, q.lat_deg);
        let brute = pts
            .iter()
            .map(|p| Haversine.distance(qp, Point::new(p.lon_deg, p.lat_deg)))
            .fold(f64::INFINITY, f64::min);
        let n = index.nearest(q).unwrap();
        assert!(
            (n.distance_m - brute).abs() < 1e-6,
            "{} vs {brute}",
            n.distance_m
        );
    }
}

#[test]
fn nearest_border_line_to_a_town() {
    let layer = geo_intel::vector::read_vector_layer(
        &crate::util::data("01_boundaries/ne10m/niger_border_segments.geojson"),
        None,
    )
    .unwrap();
    let index = SpatialIndex::new(layer.features.iter().map(|f| f.geometry.clone()).collect());
    // Gaya sits on the Niger river, on the Benin border.
    let gaya = LatLon::new(11.884, 3.449);
    let n = index.nearest(gaya).unwrap();
    assert_eq!(layer.features[n.index].attributes["right"], "BEN");
    assert!(n.distance_m < 5_000.0, "{}", n.distance_m);
    // Agadez is far from every border (over 250 km).
    let n = index.nearest(LatLon::new(16.97, 7.99)).unwrap();
    assert!(n.distance_m > 250_000.0, "{}", n.distance_m);
}
