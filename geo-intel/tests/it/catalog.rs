//! The layer catalog, including the Niger demo catalog in assets/.

use chrono::{TimeZone, Utc};
use geo_intel::catalog::{Catalog, LayerKind, LoadedLayer, parse_colour};

use crate::util::{asset, tmp, write};

#[test]
fn niger_demo_catalog_is_valid() {
    let cat = Catalog::load(&asset("catalog.toml")).unwrap();
    assert!(cat.layers.len() >= 9);
    let issues = cat.validate();
    assert!(issues.is_empty(), "{issues:#?}");
    assert_eq!(
        cat.layer("Elevation (GLOBE 30\")").map(|l| l.kind),
        Some(LayerKind::Dem)
    );
    let inc = cat
        .layers
        .iter()
        .find(|l| l.time_field.is_some())
        .expect("a temporal layer");
    assert!(inc.name.contains("SYNTHETIC"));
}

#[test]
fn catalog_problems_are_listed() {
    let dir = tmp();
    std::fs::copy(
        asset("ne10m_towns_niger_region.geojson"),
        dir.path().join("towns.geojson"),
    )
    .unwrap();
    let path = write(
        dir.path(),
        "cat.toml",
        r##"
[[layer]]
name = "Towns"
source = "towns.geojson"
[layer.style]
colour = "#12345"
label_field = "NOPE"

[[layer]]
name = "Towns"
source = "missing.geojson"
"##,
    );
    let cat = Catalog::load(&path).unwrap();
    let issues = cat.validate();
    let text = format!("{issues:?}");
    assert_eq!(issues.len(), 4, "{text}");
    assert!(
        text.contains("colour")
            && text.contains("NOPE")
            && text.contains("duplicate")
            && text.contains("missing.geojson")
    );
    assert_eq!(parse_colour("#ff8000"), Some([255, 128, 0, 255]));
    assert_eq!(parse_colour("#ff800080"), Some([255, 128, 0, 128]));
    // Unknown keys are refused, naming the file.
    let typo = write(
        dir.path(),
        "typo.toml",
        "[[layer]]\nname = \"x\"\nsorce = \"y\"\n",
    );
    let err = Catalog::load(&typo).unwrap_err();
    assert!(err.to_string().contains("typo.toml"), "{err}");
}

#[test]
fn every_demo_layer_loads_and_the_time_field_filters() {
    let cat = Catalog::load(&asset("catalog.toml")).unwrap();
    for l in &cat.layers {
        match (l.kind, cat.open_layer(l).unwrap()) {
            (LayerKind::Vector, LoadedLayer::Vector(v)) => {
                assert!(!v.features.is_empty(), "{}", l.name);
                if let Some(tf) = &l.time_field {
                    let all = v.features_between(tf, None, None).len();
                    assert_eq!(all, v.features.len(), "every incident has a time");
                    let june = v.features_between(
                        tf,
                        Some(Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap()),
                        Some(Utc.with_ymd_and_hms(2026, 6, 30, 0, 0, 0).unwrap()),
                    );
                    assert!(
                        !june.is_empty() && june.len() < all,
                        "{} of {all}",
                        june.len()
                    );
                    assert!(june.iter().all(|f| {
                        f.attributes[tf.as_str()]
                            .as_str()
                            .unwrap()
                            .starts_with("2026-06")
                    }));
                }
            }
            (LayerKind::Raster, LoadedLayer::Raster(bands)) => {
                assert_eq!(bands.len(), 3, "{}: RGB", l.name);
                assert_eq!((bands[0].cols, bands[0].rows), (270, 225));
            }
            (LayerKind::Dem, LoadedLayer::Dem(d)) => {
                let (lo, hi) = d.grid.min_max().unwrap();
                assert!(lo >= 100.0 && hi > 3000.0, "{lo}..{hi}");
            }
            (k, _) => panic!("{}: {k:?} loaded as something else", l.name),
        }
    }
}
