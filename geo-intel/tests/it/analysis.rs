//! Risk grids, border ranking and patrol coverage.

use chrono::{Duration, TimeZone, Utc};
use geo_intel::border::rank_border;
use geo_intel::chainage::{border_lines, stations};
use geo_intel::coverage::{CoverageParams, coverage};
use geo_intel::grid::Grid;
use geo_intel::incidents::{Incident, read_incidents};
use geo_intel::prelude::*;
use geo_intel::risk::{RiskParams, compute_risk};
use geo_intel::tracks::read_tracks;
use geo_intel::vector::read_vector_layer;
use mission_planner::LatLon;

use crate::util::{asset, data, tmp, tool, write};

fn incident(lat: f64, lon: f64, days_ago: i64, severity: f64) -> Incident {
    let now = Utc.with_ymd_and_hms(2026, 6, 30, 0, 0, 0).unwrap();
    Incident {
        position: LatLon::new(lat, lon),
        time: Some(now - Duration::days(days_ago)),
        category: "test".into(),
        severity,
    }
}

fn params(cell_m: f64, bandwidth_m: f64, half_life_days: Option<f64>) -> RiskParams {
    RiskParams {
        cell_m,
        bandwidth_m,
        half_life_days,
        now: Some(Utc.with_ymd_and_hms(2026, 6, 30, 0, 0, 0).unwrap()),
        area: None,
    }
}

#[test]
fn geotiff_georeference_puts_the_peak_on_the_incident() {
    let dir = tmp();
    let out = dir.path().join("risk.tif");
    let inc = [incident(14.25, 6.5, 0, 2.0)];
    let grid = compute_risk(&inc, &params(500.0, 3000.0, None), "mem".as_ref()).unwrap();
    grid.write_geotiff(&out).unwrap();
    // gdallocationinfo (independent of our code) at the incident's lon/lat finds the peak.
    let at = tool(
        "gdallocationinfo",
        &["-valonly", "-wgs84", out.to_str().unwrap(), "6.5", "14.25"],
    );
    let at: f64 = at.trim().parse().unwrap();
    let max = f64::from(grid.max_value());
    assert!(
        (at - max).abs() < 1e-6 * max,
        "peak {max}, at incident {at}"
    );
    // Mass: the density integrates to the weight (2 incidents-worth) over km².
    let cell_km2 = 0.25;
    let mass: f64 = grid.values.iter().map(|&v| f64::from(v) * cell_km2).sum();
    assert!(
        (mass - 2.0 * 0.9946).abs() < 0.005,
        "mass {mass} (3-sigma cut keeps 99.46 %)"
    );
    // Peak of a Gaussian: w / (2 pi sigma²) per km², sigma = 3 km (cell-averaging lowers it a little).
    let peak = 2.0 / (2.0 * std::f64::consts::PI * 9.0);
    assert!((max / peak - 1.0).abs() < 0.02, "{max} vs {peak}");
    // The file reads back with the same georeference.
    let back = Grid::read(&out, 1).unwrap();
    assert_eq!(back.geo_transform, grid.geo_transform());
    assert!(back.bounds.west_deg < 6.5 && back.bounds.east_deg > 6.5);
}

#[test]
fn half_life_halves_the_weight() {
    let old_far = [incident(14.0, 3.0, 30, 1.0), incident(14.0, 5.0, 0, 1.0)];
    let grid = compute_risk(
        &old_far,
        &params(1000.0, 5000.0, Some(30.0)),
        "mem".as_ref(),
    )
    .unwrap();
    let g = grid.to_grid("mem".as_ref()).unwrap();
    let old = g.sample(LatLon::new(14.0, 3.0)).unwrap();
    let new = g.sample(LatLon::new(14.0, 5.0)).unwrap();
    assert!((old / new - 0.5).abs() < 0.01, "{old} / {new}");
    // Incidents after `now` are left out.
    let mut p = params(1000.0, 5000.0, Some(30.0));
    p.now = Some(Utc.with_ymd_and_hms(2026, 6, 15, 0, 0, 0).unwrap());
    assert_eq!(
        compute_risk(&old_far, &p, "mem".as_ref())
            .unwrap()
            .incidents_used,
        1
    );
}

#[test]
fn demo_incidents_rank_the_border() {
    let incidents = read_incidents(&asset("SYNTHETIC_incidents_niger.geojson"), None).unwrap();
    assert_eq!(incidents.len(), 400);
    assert!(incidents.iter().all(|i| i.time.is_some()));
    let border = read_vector_layer(
        &data("01_boundaries/ne10m/niger_border_segments.geojson"),
        None,
    )
    .unwrap();
    // A cluster at a known border point of the Benin stretch must top the ranking.
    let benin = border_lines(&border)
        .into_iter()
        .find(|l| l.name.contains("Benin"))
        .unwrap();
    let st = stations(&benin.line, 1000.0);
    let hot = st
        .iter()
        .find(|s| s.chainage_m >= 95_000.0)
        .unwrap()
        .position;
    let mut all = incidents.clone();
    for i in 0..60 {
        all.push(incident(
            hot.lat_deg + 0.001 * (i % 5) as f64,
            hot.lon_deg,
            1,
            5.0,
        ));
    }
    let risk = compute_risk(&all, &params(2000.0, 5000.0, Some(30.0)), "mem".as_ref()).unwrap();
    let grid = risk.to_grid("mem".as_ref()).unwrap();
    let ranked = rank_border(&border, &grid, 10.0).unwrap();
    let top = &ranked[0];
    assert_eq!(top.rank, 1);
    assert!(top.line.contains("Benin"), "{top:?}");
    assert!(
        top.from_km <= 95.0 && top.to_km >= 95.0,
        "{} - {}",
        top.from_km,
        top.to_km
    );
    assert!(ranked.windows(2).all(|w| w[0].mean_risk >= w[1].mean_risk));
    // Pieces cover each line exactly: sum of lengths = line length.
    let benin_km: f64 = ranked
        .iter()
        .filter(|s| s.line == benin.name)
        .map(|s| s.to_km - s.from_km)
        .sum();
    assert!((benin_km - geo_intel::chainage::length_m(&benin.line) / 1000.0).abs() < 1e-6);
    assert_eq!(
        ranked.iter().filter(|s| s.line == benin.name).count(),
        (benin_km / 10.0).ceil() as usize
    );
}

fn gpx(points: &[(LatLon, chrono::DateTime<Utc>)]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\"?>\n<gpx version=\"1.1\" creator=\"test\" xmlns=\"http://www.topografix.com/GPX/1/1\"><trk><trkseg>\n",
    );
    for (p, t) in points {
        s += &format!(
            "<trkpt lat=\"{}\" lon=\"{}\"><time>{}</time></trkpt>\n",
            p.lat_deg,
            p.lon_deg,
            t.format("%Y-%m-%dT%H:%M:%SZ")
        );
    }
    s + "</trkseg></trk></gpx>\n"
}

#[test]
fn coverage_of_a_flown_stretch() {
    let border = read_vector_layer(
        &data("01_boundaries/ne10m/niger_border_segments.geojson"),
        None,
    )
    .unwrap();
    let benin = border_lines(&border)
        .into_iter()
        .find(|l| l.name.contains("Benin"))
        .unwrap();
    let now = Utc.with_ymd_and_hms(2026, 6, 30, 12, 0, 0).unwrap();
    // Fly km 50..100 of the Benin stretch, 2 hours ago, fixes every 200 m.
    let st = stations(&benin.line, 200.0);
    let flown: Vec<(LatLon, chrono::DateTime<Utc>)> = st
        .iter()
        .filter(|s| s.regular && s.chainage_m >= 50_000.0 && s.chainage_m <= 100_000.0)
        .enumerate()
        .map(|(i, s)| {
            (
                s.position,
                now - Duration::hours(2) + Duration::seconds(8 * i as i64),
            )
        })
        .collect();
    let dir = tmp();
    let track_file = write(dir.path(), "patrol.gpx", &gpx(&flown));
    let tracks = read_tracks(&track_file).unwrap();
    assert_eq!(tracks.len(), 1);
    assert_eq!(tracks[0].points.len(), flown.len());
    let p = CoverageParams {
        footprint_m: 1000.0,
        since_hours: Some(24.0),
        now: Some(now),
    };
    let report = coverage(&border, &tracks, &p).unwrap();
    let line = report.lines.iter().find(|l| l.name == benin.name).unwrap();
    // 50 km flown plus half a footprint at each end, give or take a station.
    assert!(
        (line.observed_km - 51.0).abs() < 0.6,
        "{}",
        line.observed_km
    );
    assert_eq!(line.observed.len(), 1);
    assert!(
        (line.observed[0].from_km - 49.5).abs() < 0.3
            && (line.observed[0].to_km - 100.5).abs() < 0.3
    );
    assert_eq!(line.gaps.len(), 2);
    assert!(
        (report.observed_km - line.observed_km).abs() < 0.3,
        "only Benin is near the track"
    );
    // One hour window: the flight was 2 hours ago, nothing observed.
    let p1 = CoverageParams {
        since_hours: Some(1.0),
        ..p.clone()
    };
    let r1 = coverage(&border, &tracks, &p1).unwrap();
    assert_eq!(r1.observed_km, 0.0);
    assert_eq!(r1.segments_used, 0);
    // GeoJSON export reads back through OGR.
    let gj = dir.path().join("coverage.geojson");
    std::fs::write(&gj, report.to_geojson().to_string()).unwrap();
    let back = read_vector_layer(&gj, None).unwrap();
    let observed: Vec<_> = back
        .features
        .iter()
        .filter(|f| f.attributes["status"] == "observed")
        .collect();
    assert_eq!(observed.len(), 1);
    assert_eq!(
        back.features.len(),
        report
            .lines
            .iter()
            .map(|l| l.observed.len() + l.gaps.len())
            .sum::<usize>()
    );
}

#[test]
fn geojson_tracks_with_point_times() {
    let dir = tmp();
    let f = write(
        dir.path(),
        "t.geojson",
        r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"time":"2026-06-30T10:00:10Z","vehicle":"A"},"geometry":{"type":"Point","coordinates":[2.01,13.0]}},
{"type":"Feature","properties":{"time":"2026-06-30T10:00:00Z","vehicle":"A"},"geometry":{"type":"Point","coordinates":[2.0,13.0]}},
{"type":"Feature","properties":{"start_time":"2026-06-30T09:00:00Z","end_time":"2026-06-30T09:10:00Z"},"geometry":{"type":"LineString","coordinates":[[3,13],[3.1,13],[3.2,13]]}}]}"#,
    );
    let tracks = read_tracks(&f).unwrap();
    assert_eq!(tracks.len(), 2);
    let line = tracks.iter().find(|t| t.points.len() == 3).unwrap();
    assert_eq!(
        line.points[1].time,
        Some(Utc.with_ymd_and_hms(2026, 6, 30, 9, 5, 0).unwrap())
    );
    let pts = tracks.iter().find(|t| t.points.len() == 2).unwrap();
    assert!(pts.points[0].time < pts.points[1].time, "sorted by time");
}

#[test]
fn synthetic_incidents_are_labelled_and_placed_in_niger() {
    use geo::Contains;
    let layer = read_vector_layer(&asset("SYNTHETIC_incidents_niger.geojson"), None).unwrap();
    // OGR reads JSON booleans as integers with a boolean subtype.
    assert!(
        layer
            .features
            .iter()
            .all(|f| f.attributes["synthetic"] == 1 || f.attributes["synthetic"] == true)
    );
    let niger =
        read_vector_layer(&data("01_boundaries/ne10m/niger_polygon.geojson"), None).unwrap();
    let geo::Geometry::Polygon(poly) = &niger.features[0].geometry else {
        panic!()
    };
    let border = geo_intel::index::SpatialIndex::new(vec![geo::Geometry::LineString(
        poly.exterior().clone(),
    )]);
    let end = Utc.with_ymd_and_hms(2026, 6, 30, 0, 0, 0).unwrap();
    let incidents = read_incidents(&asset("SYNTHETIC_incidents_niger.geojson"), None).unwrap();
    let mut inside = 0;
    for i in &incidents {
        let t = i.time.unwrap();
        assert!(t <= end && t >= end - Duration::days(180), "{t}");
        let p = geo::Point::new(i.position.lon_deg, i.position.lat_deg);
        if poly.contains(&p) {
            inside += 1;
        } else {
            // Outside Niger only near a border crossing.
            let d = border.nearest(i.position).unwrap().distance_m;
            assert!(d < 40_000.0, "{:?} is {d} m from Niger", i.position);
        }
    }
    assert!(inside > 300, "{inside} of 400 inside Niger");
}
