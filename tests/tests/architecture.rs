//! The workspace's arrows point down: each library's normal dependency tree, as
//! `cargo tree` prints it, holds none of the crates it must never pull in.
//!
//! README's ARCHITECTURE section lists the same rules; this test is what keeps them.

use std::collections::BTreeSet;
use std::process::Command;

/// Crates no library may depend on: command-line and progress-bar crates belong to
/// binaries.
const CLI_ONLY: &[&str] = &["clap", "indicatif", "anyhow"];

/// (package, crates forbidden in its normal dependency tree besides [`CLI_ONLY`]).
const RULES: &[(&str, &[&str])] = &[
    // The bottom: plain values and one atomic write, no I/O stacks, none of ours.
    (
        "vigil-values",
        &[
            "tokio",
            "mavlink",
            "gdal",
            "geo-intel",
            "gcs-link",
            "mission-planner",
            "bevy",
        ],
    ),
    (
        "vigil-fs",
        &[
            "tokio",
            "mavlink",
            "gdal",
            "geo-intel",
            "gcs-link",
            "mission-planner",
            "bevy",
        ],
    ),
    // The binaries' one exit convention: no command-line crates, none of ours.
    (
        "vigil-exit",
        &[
            "tokio",
            "mavlink",
            "gdal",
            "geo-intel",
            "gcs-link",
            "mission-planner",
            "bevy",
        ],
    ),
    // The MAVLink core knows nothing of plans' file formats, GIS or the screen.
    (
        "gcs-link",
        &["mission-planner", "geo-intel", "gdal", "bevy"],
    ),
    // The planner knows nothing of sockets, GDAL or MAVLink's wire.
    (
        "mission-planner",
        &["gcs-link", "mavlink", "tokio", "gdal", "geo-intel", "bevy"],
    ),
    // Owned grids, DEMs and vector layers: what the map draws, without GDAL handles.
    (
        "geo-model",
        &["gdal", "gcs-link", "mavlink", "tokio", "bevy"],
    ),
    // geo-intel reads GIS files; tracks come to it as values, not through MAVLink.
    ("geo-intel", &["gcs-link", "mavlink", "tokio", "bevy"]),
    // The simulator is a library over the link; its command line is gcs-sim-cli.
    ("gcs-sim", &["mission-planner", "geo-intel", "gdal", "bevy"]),
    // Operator rules sit on the link and the planner, below every front end.
    ("gcs-operator", &["geo-intel", "gdal", "bevy"]),
    // The map's model is headless and holds owned grids, not GDAL handles.
    ("gcs-scene", &["gdal", "bevy"]),
];

/// The names of every package in `package`'s normal (non-dev, non-build) dependency
/// tree.
fn normal_tree(package: &str) -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args([
            "tree",
            "--offline",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .args(["-p", package])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo tree");
    assert!(
        out.status.success(),
        "cargo tree -p {package}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn libraries_depend_only_downwards() {
    let mut broken = Vec::new();
    for (package, forbidden) in RULES {
        let tree = normal_tree(package);
        assert!(tree.contains(*package), "{package}: {tree:?}");
        for f in forbidden.iter().chain(CLI_ONLY) {
            if tree.contains(*f) {
                broken.push(format!("{package} depends on {f}"));
            }
        }
    }
    assert!(broken.is_empty(), "forbidden arrows: {broken:#?}");
}

#[test]
fn the_rules_cover_every_library_of_the_workspace() {
    // A new library crate must say what it may not depend on.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--offline",
            "--no-deps",
            "--format-version",
            "1",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    let libraries_only: Vec<String> = meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|p| {
            let kinds = |k: &str| {
                p["targets"].as_array().is_some_and(|t| {
                    t.iter().any(|t| {
                        t["kind"]
                            .as_array()
                            .is_some_and(|a| a.iter().any(|x| x == k))
                    })
                })
            };
            kinds("lib") && !kinds("bin")
        })
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .filter(|n| n != "vigil-tests")
        .collect();
    let covered: BTreeSet<&str> = RULES.iter().map(|(p, _)| *p).collect();
    let missing: Vec<_> = libraries_only
        .iter()
        .filter(|n| !covered.contains(n.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "libraries without arrow rules: {missing:?}"
    );
}
