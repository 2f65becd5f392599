//! The layer catalog, including the Niger demo catalog in assets/.

use geo_intel::catalog::{Catalog, LayerKind, parse_colour};

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
