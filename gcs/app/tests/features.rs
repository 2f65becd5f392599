//! `cargo build -p gcs` (the run command) and `cargo test --workspace` (the test
//! command) resolve the app's dependencies with the same features, so the second
//! reuses the first's Bevy instead of compiling it again.
//!
//! Cargo unifies features per build: the workspace's test build also turns on what other
//! members and their dev-dependencies ask for. The app's Cargo.toml asks for those
//! features itself; this test fails, naming the package, when a new dependency or
//! feature elsewhere makes the two builds differ again.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// Each package (name and version) with its enabled features, as `cargo tree` resolves
/// them for `args`.
fn features(args: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .arg("tree")
        .args(args)
        .args(["--prefix", "none", "-f", "{p}|{f}"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "cargo tree {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut map: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        // A package already shown is marked " (*)".
        let line = line.replace(" (*)", "");
        let Some((package, feats)) = line.split_once('|') else {
            continue;
        };
        // "name v1.2.3 (/path)" or "name v1.2.3": keep name and version.
        let key: String = package
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        map.entry(key).or_default().extend(
            feats
                .split(',')
                .filter(|f| !f.is_empty())
                .map(str::to_string),
        );
    }
    map
}

#[test]
fn the_app_builds_with_the_test_builds_features() {
    let app = features(&["-p", "gcs", "-e", "normal,build"]);
    let tests = features(&["--workspace", "-e", "normal,build,dev"]);
    assert!(app.keys().any(|k| k.starts_with("bevy_math ")), "{app:?}");
    let differ: Vec<String> = app
        .iter()
        .filter_map(|(package, f)| {
            let t = tests.get(package)?;
            (t != f).then(|| {
                let only_tests: Vec<_> = t.difference(f).collect();
                let only_app: Vec<_> = f.difference(t).collect();
                format!("{package}: tests add {only_tests:?}, the app adds {only_app:?}")
            })
        })
        .collect();
    assert!(
        differ.is_empty(),
        "enable these features in gcs/app/Cargo.toml so both builds share one Bevy: {differ:#?}"
    );
}
