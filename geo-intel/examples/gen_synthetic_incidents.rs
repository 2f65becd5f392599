//! Generates Vigil's SYNTHETIC Niger demo data: an incident log and patrol tracks.
//!
//! Nothing this program writes happened. It exists so the heatmap, border ranking
//! and coverage tools have something plausible to chew on in a demo.
//!
//! Placement (seeded, reproducible with the same seed and `rand` 0.9):
//! - 35 % near border crossings: the point of the Natural Earth border nearest to
//!   a crossing town (Gaya/Malanville, Birni Nkonni/Illela, Maradi/Katsina road,
//!   Magaria/Kano road, Diffa, Nguigmi, Assamaka, Toummo, Ayorou, Torodi),
//!   Gaussian scatter of 8 km;
//! - 40 % along road corridors, drawn as straight lines between towns that the
//!   national roads link (RN1 Niamey-Dosso-Birni Nkonni-Maradi-Zinder-Diffa-Nguigmi,
//!   Agadez-Arlit-Assamaka, Zinder-Agadez, Tahoua-Agadez, Agadez-Dirkou-Madama-Toummo,
//!   Dosso-Gaya, Niamey-Tillabéri-Ayorou, Niamey-Torodi), 3 km across the line;
//! - 25 % near towns (Natural Earth populated places in Niger), 5 km scatter.
//!
//! Times are spread over the 180 days before 2026-06-30T00:00Z, denser recently.
//! Town coordinates come from `ne10m_towns_niger_region.geojson`; the few places
//! Natural Earth lacks (Assamaka, Dirkou, Madama, Toummo, Torodi, Magaria) are
//! approximate positions typed in below.
//!
//! Run from the workspace root:
//! `cargo run -p geo-intel --example gen_synthetic_incidents -- 20260630 assets/niger`

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, TimeZone, Utc};
use geo::{ClosestPoint, Distance, Haversine, InterpolatePoint, Point};
use geo_intel::chainage::{border_lines, stations};
use geo_intel::vector::read_vector_layer;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

const N_INCIDENTS: usize = 400;

fn gauss(rng: &mut StdRng) -> f64 {
    // Box-Muller.
    let u1: f64 = rng.random_range(1e-12..1.0);
    let u2: f64 = rng.random_range(0.0..1.0);
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

fn jitter(rng: &mut StdRng, p: Point, sigma_m: f64) -> Point {
    let dy = gauss(rng) * sigma_m;
    let dx = gauss(rng) * sigma_m;
    Point::new(
        p.x() + dx / (111_320.0 * p.y().to_radians().cos()),
        p.y() + dy / 111_320.0,
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let seed: u64 = args.get(1).map_or(Ok(20260630), |s| s.parse())?;
    let dir = PathBuf::from(args.get(2).map_or("assets/niger", String::as_str));
    let mut rng = StdRng::seed_from_u64(seed);

    let towns_layer = read_vector_layer(&dir.join("ne10m_towns_niger_region.geojson"), None)?;
    let mut towns: HashMap<String, (Point, bool)> = HashMap::new();
    for f in &towns_layer.features {
        if let (geo::Geometry::Point(p), Some(Value::String(name))) =
            (&f.geometry, f.attributes.get("NAME"))
        {
            let in_niger = f.attributes.get("ADM0_A3") == Some(&json!("NER"));
            towns.insert(name.clone(), (*p, in_niger));
        }
    }
    for (name, lat, lon) in [
        ("Assamaka", 19.35, 5.80),
        ("Dirkou", 18.99, 12.88),
        ("Madama", 21.96, 13.64),
        ("Toummo", 22.60, 14.13),
        ("Torodi", 13.12, 1.80),
        ("Magaria", 12.99, 8.91),
    ] {
        towns.insert(name.to_string(), (Point::new(lon, lat), true));
    }
    let town = |n: &str| {
        towns
            .get(n)
            .map(|t| t.0)
            .ok_or(format!("town {n} not found"))
    };

    let border_layer = read_vector_layer(&dir.join("ne10m_niger_border_line.geojson"), None)?;
    let border = border_lines(&border_layer).remove(0).line;
    let crossing_towns = [
        "Gaya",
        "Birni Nkonni",
        "Maradi",
        "Magaria",
        "Diffa",
        "Nguigmi",
        "Assamaka",
        "Toummo",
        "Ayorou",
        "Torodi",
    ];
    let mut crossings = Vec::new();
    for n in crossing_towns {
        let t = town(n)?;
        if let geo::Closest::SinglePoint(p) | geo::Closest::Intersection(p) =
            border.closest_point(&t)
        {
            crossings.push((n, p));
        }
    }
    let routes: [&[&str]; 8] = [
        &[
            "Niamey",
            "Dosso",
            "Birni Nkonni",
            "Madaoua",
            "Maradi",
            "Zinder",
            "Gouré",
            "Diffa",
            "Nguigmi",
        ],
        &["Agadez", "Arlit", "Assamaka"],
        &["Zinder", "Agadez"],
        &["Birni Nkonni", "Tahoua", "Agadez"],
        &["Agadez", "Dirkou", "Madama", "Toummo"],
        &["Dosso", "Gaya"],
        &["Niamey", "Tillabéri", "Ayorou"],
        &["Niamey", "Torodi"],
    ];
    let mut legs = Vec::new();
    for r in routes {
        for w in r.windows(2) {
            let (a, b) = (town(w[0])?, town(w[1])?);
            legs.push((format!("{}-{}", w[0], w[1]), a, b, Haversine.distance(a, b)));
        }
    }
    let total_leg_m: f64 = legs.iter().map(|l| l.3).sum();
    let niger_towns: Vec<(&String, Point)> = {
        let mut v: Vec<_> = towns
            .iter()
            .filter(|(_, t)| t.1)
            .map(|(n, t)| (n, t.0))
            .collect();
        v.sort_by(|a, b| a.0.cmp(b.0));
        v
    };

    let end: DateTime<Utc> = Utc
        .with_ymd_and_hms(2026, 6, 30, 0, 0, 0)
        .single()
        .ok_or("bad end time")?;
    let mut features = Vec::with_capacity(N_INCIDENTS);
    for id in 0..N_INCIDENTS {
        let kind: f64 = rng.random_range(0.0..1.0);
        let (p, placement, cats): (Point, String, &[&str]) = if kind < 0.35 {
            let (n, c) = crossings[rng.random_range(0..crossings.len())];
            (
                jitter(&mut rng, c, 8_000.0),
                format!("border crossing near {n}"),
                &[
                    "fuel smuggling",
                    "migrant smuggling",
                    "arms trafficking",
                    "drug trafficking",
                    "customs fraud",
                ],
            )
        } else if kind < 0.75 {
            let mut d = rng.random_range(0.0..total_leg_m);
            let leg = legs
                .iter()
                .find(|l| {
                    let hit = d < l.3;
                    if !hit {
                        d -= l.3
                    }
                    hit
                })
                .unwrap_or(&legs[0]);
            let on = Haversine.point_at_distance_between(leg.1, leg.2, d);
            (
                jitter(&mut rng, on, 3_000.0),
                format!("road corridor {}", leg.0),
                &[
                    "fuel smuggling",
                    "migrant smuggling",
                    "drug trafficking",
                    "vehicle interception",
                ],
            )
        } else {
            let (n, t) = niger_towns[rng.random_range(0..niger_towns.len())];
            (
                jitter(&mut rng, t, 5_000.0),
                format!("town {n}"),
                &["customs fraud", "fuel smuggling", "livestock theft"],
            )
        };
        let category = cats[rng.random_range(0..cats.len())];
        let severity = match category {
            "arms trafficking" | "drug trafficking" => rng.random_range(3..=5),
            "migrant smuggling" | "vehicle interception" => rng.random_range(2..=4),
            _ => rng.random_range(1..=3),
        };
        // Denser recently: age = 180 d * u^1.5.
        let u: f64 = rng.random_range(0.0..1.0);
        let age_s = (180.0 * 86_400.0 * u.powf(1.5)) as i64;
        let time = end - Duration::seconds(age_s);
        features.push(json!({
            "type": "Feature",
            "properties": {
                "id": id + 1,
                "time": time.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                "category": category,
                "severity": severity,
                "placement": placement,
                "synthetic": true,
            },
            "geometry": { "type": "Point", "coordinates": [ (p.x() * 1e5).round() / 1e5, (p.y() * 1e5).round() / 1e5 ] },
        }));
    }
    let fc = json!({
        "type": "FeatureCollection",
        "name": "SYNTHETIC_incidents_niger_demo",
        "description": format!("SYNTHETIC demo data, not real incidents. Generated by geo-intel/examples/gen_synthetic_incidents.rs with seed {seed}."),
        "features": features,
    });
    let out = dir.join("SYNTHETIC_incidents_niger.geojson");
    std::fs::write(&out, serde_json::to_string_pretty(&fc)? + "\n")?;
    println!(
        "wrote {} ({N_INCIDENTS} synthetic incidents, seed {seed})",
        out.display()
    );

    write_patrols(&dir, &mut rng, end)?;
    Ok(())
}

/// Two synthetic patrol flights along the Niger-Nigeria border near Maradi and
/// Birni Nkonni, 6 h and 30 h before the end time, written as GPX.
fn write_patrols(
    dir: &Path,
    rng: &mut StdRng,
    end: DateTime<Utc>,
) -> Result<(), Box<dyn std::error::Error>> {
    let seg_layer = read_vector_layer(&dir.join("ne10m_niger_border_segments.geojson"), None)?;
    let nga = border_lines(&seg_layer)
        .into_iter()
        .find(|l| l.name.contains("Nigeria"))
        .ok_or("no Niger-Nigeria segment")?;
    let st = stations(&nga.line, 500.0);
    let mut gpx = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gpx version=\"1.1\" creator=\"vigil gen_synthetic_incidents (SYNTHETIC)\" xmlns=\"http://www.topografix.com/GPX/1/1\">\n<metadata><name>SYNTHETIC patrol tracks, Niger demo</name><desc>Synthetic, generated; not real flights.</desc></metadata>\n",
    );
    // (from km, to km, hours before end): chainage along the Niger-Nigeria line.
    for (i, (from_km, to_km, hours_before)) in [(300.0, 420.0, 6.0), (520.0, 600.0, 30.0)]
        .into_iter()
        .enumerate()
    {
        let start = end - Duration::minutes((hours_before * 60.0) as i64);
        let _ = writeln!(gpx, "<trk><name>SYNTHETIC patrol {}</name><trkseg>", i + 1);
        let mut t = start;
        let mut last: Option<Point> = None;
        for s in st
            .iter()
            .filter(|s| s.chainage_m >= from_km * 1000.0 && s.chainage_m <= to_km * 1000.0)
        {
            // Fly along the border line with about 300 m of wander either side.
            let p = jitter(
                rng,
                Point::new(s.position.lon_deg, s.position.lat_deg),
                300.0,
            );
            if let Some(l) = last {
                t += Duration::milliseconds((Haversine.distance(l, p) / 25.0 * 1000.0) as i64);
            }
            last = Some(p);
            let _ = writeln!(
                gpx,
                "<trkpt lat=\"{:.6}\" lon=\"{:.6}\"><ele>600</ele><time>{}</time></trkpt>",
                p.y(),
                p.x(),
                t.format("%Y-%m-%dT%H:%M:%SZ")
            );
        }
        gpx.push_str("</trkseg></trk>\n");
    }
    gpx.push_str("</gpx>\n");
    let out = dir.join("SYNTHETIC_patrol_tracks_niger.gpx");
    std::fs::write(&out, gpx)?;
    println!("wrote {}", out.display());
    Ok(())
}
