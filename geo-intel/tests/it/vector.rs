//! Vector layers: formats, reprojection, attributes, multi-parts and holes.

use geo::{Distance, Haversine};
use geo_intel::vector::{read_vector, read_vector_layer};
use serde_json::Value;

use crate::util::{data, pyproj, tmp, tool, write};

#[test]
fn border_segments_keep_attributes_and_lengths() {
    let layer = read_vector_layer(
        &data("01_boundaries/ne10m/niger_border_segments.geojson"),
        None,
    )
    .unwrap();
    assert_eq!(layer.features.len(), 7);
    let mut total_km = 0.0;
    for f in &layer.features {
        let geo::Geometry::LineString(l) = &f.geometry else {
            panic!("a LineString")
        };
        let ours_km: f64 = l
            .lines()
            .map(|s| Haversine.distance(geo::Point::from(s.start), geo::Point::from(s.end)))
            .sum::<f64>()
            / 1000.0;
        // length_km was computed with pyproj's geodesic (see MANIFEST); haversine is within 0.5 %.
        let geodesic_km = f.attributes["length_km"].as_f64().unwrap();
        assert!(
            (ours_km / geodesic_km - 1.0).abs() < 0.005,
            "{ours_km} vs {geodesic_km}"
        );
        assert_eq!(f.attributes["left"], Value::from("NER"));
        total_km += geodesic_km;
    }
    assert!((total_km - 5586.128).abs() < 0.01);
}

/// Whether a feature is called `n` (KML keeps the name in its `Name` field).
fn named(f: &geo_intel::vector::Feature, n: &str) -> bool {
    [f.attributes.get("name"), f.attributes.get("Name")]
        .into_iter()
        .flatten()
        .any(|v| v == n)
}

#[test]
fn polygons_with_holes_and_multipolygons_survive_reprojection() {
    let dir = tmp();
    let src = write(
        dir.path(),
        "shapes.geojson",
        r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"name":"holed","n":3},"geometry":{"type":"Polygon","coordinates":[
   [[2.0,13.0],[3.0,13.0],[3.0,14.0],[2.0,14.0],[2.0,13.0]],
   [[2.2,13.2],[2.4,13.2],[2.4,13.4],[2.2,13.2]],
   [[2.6,13.6],[2.8,13.6],[2.8,13.8],[2.6,13.6]]]}},
 {"type":"Feature","properties":{"name":"multi","n":7},"geometry":{"type":"MultiPolygon","coordinates":[
   [[[5.0,12.0],[5.5,12.0],[5.5,12.5],[5.0,12.0]]],
   [[[6.0,12.0],[6.5,12.0],[6.5,12.5],[6.0,12.0]],[[6.1,12.05],[6.3,12.05],[6.3,12.2],[6.1,12.05]]]]}},
 {"type":"Feature","properties":{"name":"lines","n":1},"geometry":{"type":"MultiLineString","coordinates":[
   [[1.0,12.0],[1.5,12.5]],[[1.6,12.6],[1.9,12.9]]]}}]}"#,
    );
    // Reproject into UTM 31N and into several formats with ogr2ogr, read them back.
    for (name, driver) in [
        ("utm.shp", "ESRI Shapefile"),
        ("utm.gpkg", "GPKG"),
        ("wgs.kml", "KML"),
    ] {
        let out = dir.path().join(name);
        let srs = if name.ends_with(".kml") {
            "EPSG:4326"
        } else {
            "EPSG:32631"
        };
        let shp = name.ends_with(".shp");
        let mut args = vec![
            "-f",
            driver,
            "-t_srs",
            srs,
            out.to_str().unwrap(),
            src.to_str().unwrap(),
        ];
        if shp {
            // A shapefile holds one geometry type: the polygons only.
            args.extend(["-where", "name <> 'lines'", "-nlt", "MULTIPOLYGON"]);
        }
        tool("ogr2ogr", &args);
        let layers = read_vector(&out).unwrap();
        let feats: Vec<_> = layers.iter().flat_map(|l| &l.features).collect();
        assert_eq!(feats.len(), if shp { 2 } else { 3 }, "{name}");
        let holed = feats.iter().find(|f| named(f, "holed")).unwrap();
        let p = match &holed.geometry {
            geo::Geometry::Polygon(p) => p,
            // Shapefile polygons read back as multi-polygons when forced so.
            geo::Geometry::MultiPolygon(mp) if shp && mp.0.len() == 1 => &mp.0[0],
            g => panic!("{name}: {g:?}"),
        };
        assert_eq!(p.interiors().len(), 2, "{name}: holes kept");
        for c in &p.exterior().0 {
            let near = |v: f64, a: f64, b: f64| (v - a).abs() < 1e-6 || (v - b).abs() < 1e-6;
            assert!(
                near(c.x, 2.0, 3.0) && near(c.y, 13.0, 14.0),
                "{name}: corner {c:?} back in lon/lat"
            );
        }
        let multi = feats.iter().find(|f| named(f, "multi")).unwrap();
        let geo::Geometry::MultiPolygon(mp) = &multi.geometry else {
            panic!("{name}: multipolygon became {:?}", multi.geometry)
        };
        assert_eq!(mp.0.len(), 2);
        assert_eq!(mp.0[1].interiors().len(), 1);
        if !shp {
            let lines = feats.iter().find(|f| named(f, "lines")).unwrap();
            assert!(
                matches!(&lines.geometry, geo::Geometry::MultiLineString(m) if m.0.len() == 2),
                "{name}"
            );
        }
        if !name.ends_with(".kml") {
            assert_eq!(
                multi.attributes["n"].as_i64(),
                Some(7),
                "{name}: attributes kept"
            );
            assert!(
                layers[0].source_crs.contains("UTM"),
                "{name}: {}",
                layers[0].source_crs
            );
        }
    }
}

#[test]
fn shapefile_in_utm_matches_pyproj() {
    let dir = tmp();
    let src = data("02_places_rivers_roads/ne10m_populated_places_niger.geojson");
    let shp = dir.path().join("towns_utm32.shp");
    tool(
        "ogr2ogr",
        &[
            "-t_srs",
            "EPSG:32632",
            shp.to_str().unwrap(),
            src.to_str().unwrap(),
        ],
    );
    // Independent: read the UTM coordinates with ogrinfo's GeoJSON export and convert with pyproj.
    let gj = dir.path().join("towns_utm32.geojson");
    tool(
        "ogr2ogr",
        &[
            "-f",
            "GeoJSON",
            "-lco",
            "RFC7946=NO",
            gj.to_str().unwrap(),
            shp.to_str().unwrap(),
        ],
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&gj).unwrap()).unwrap();
    let utm: Vec<(f64, f64)> = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["geometry"]["coordinates"][0].as_f64().unwrap(),
                f["geometry"]["coordinates"][1].as_f64().unwrap(),
            )
        })
        .collect();
    let expected = pyproj("EPSG:32632", "EPSG:4326", &utm);
    let layer = read_vector_layer(&shp, None).unwrap();
    assert_eq!(layer.features.len(), 16);
    for (f, (lon, lat)) in layer.features.iter().zip(&expected) {
        let geo::Geometry::Point(p) = f.geometry else {
            panic!()
        };
        assert!(
            (p.x() - lon).abs() < 1e-7 && (p.y() - lat).abs() < 1e-7,
            "{:?} vs {lon},{lat}",
            p
        );
        assert!(f.attributes.contains_key("NAME"));
    }
}

#[test]
fn csv_with_lon_lat_or_wkt_columns() {
    let dir = tmp();
    let a = write(
        dir.path(),
        "incidents.csv",
        "id,lon,lat,category,time\n1,2.1254,13.5116,fuel,2026-06-01T10:00:00Z\n2,7.99,16.97,arms,2026-06-02T11:00:00Z\n",
    );
    let layer = read_vector_layer(&a, None).unwrap();
    assert_eq!(layer.features.len(), 2);
    assert!(
        matches!(layer.features[1].geometry, geo::Geometry::Point(p) if p.x() == 7.99 && p.y() == 16.97)
    );
    assert_eq!(
        layer.features[0].attributes["category"],
        Value::from("fuel")
    );
    let b = write(
        dir.path(),
        "zones.csv",
        "name,wkt\nzone,\"POLYGON ((1 12,2 12,2 13,1 12))\"\n",
    );
    let layer = read_vector_layer(&b, None).unwrap();
    assert!(
        matches!(&layer.features[0].geometry, geo::Geometry::Polygon(p) if p.exterior().0.len() == 4)
    );
    assert_eq!(layer.features[0].attributes["name"], Value::from("zone"));
}

#[test]
fn info_reports_layers_counts_and_extent() {
    let fi = geo_intel::info::inspect(&data(
        "01_boundaries/ne10m/ne10m_admin0_countries_v5.1.1_niger_and_neighbours.geojson",
    ))
    .unwrap();
    assert_eq!(fi.driver, "GeoJSON");
    assert_eq!(fi.layers.len(), 1);
    assert_eq!(fi.layers[0].feature_count, 8);
    assert!(fi.layers[0].fields.iter().any(|f| f == "ADM0_A3"));
    // Independent: ogrinfo's extent.
    let out = tool(
        "ogrinfo",
        &[
            "-so",
            "-al",
            data("01_boundaries/ne10m/ne10m_admin0_countries_v5.1.1_niger_and_neighbours.geojson")
                .to_str()
                .unwrap(),
        ],
    );
    let line = out.lines().find(|l| l.starts_with("Extent:")).unwrap();
    let nums: Vec<f64> = line
        .replace(['(', ')', ',', '-'], " ")
        .split_whitespace()
        .filter_map(|t| t.parse().ok())
        .collect();
    let e = fi.layers[0].extent_wgs84.unwrap();
    // ogrinfo: Extent: (W, S) - (E, N); signs were stripped, so compare magnitudes.
    for (a, b) in [
        (e.west_deg.abs(), nums[0]),
        (e.south_deg.abs(), nums[1]),
        (e.east_deg, nums[2]),
        (e.north_deg, nums[3]),
    ] {
        assert!((a - b).abs() < 2e-6, "{e:?} vs {line}");
    }
}
