//! Helpers shared by the integration tests, of this crate and of `mission-planner-cli`
//! (which includes this file with `#[path]`, so paths are found from the workspace
//! root, not from the including crate).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use mission_planner::{Mission, MissionItem, Plan};

/// The workspace root: the nearest folder above the including crate with a `Cargo.lock`.
fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|d| d.join("Cargo.lock").is_file())
        .expect("no Cargo.lock above the crate: not inside the workspace")
}

/// The shared real-data folder (`../shared/data` beside the repository).
pub fn data_dir() -> PathBuf {
    let dir = repo_root().join("../shared/data");
    assert!(
        dir.join("04_missions").is_dir(),
        "test data missing: expected the shared data set at {} (clone it beside the repository as shared/data)",
        dir.display()
    );
    dir
}

/// A mission fixture file.
pub fn mission_file(rel: &str) -> PathBuf {
    let p = data_dir().join("04_missions").join(rel);
    assert!(p.is_file(), "test fixture missing: {}", p.display());
    p
}

/// Item-by-item equality, any two NaNs equal.
pub fn same_items(a: &[MissionItem], b: &[MissionItem]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.frame == y.frame && x.to_params().same_as(&y.to_params()))
}

/// Mission equality, any two NaNs equal.
pub fn same_mission(a: &Mission, b: &Mission) -> bool {
    let home = match (a.home, b.home) {
        (Some(x), Some(y)) => {
            x.position == y.position
                && (x.alt_amsl_m == y.alt_amsl_m
                    || (x.alt_amsl_m.is_nan() && y.alt_amsl_m.is_nan()))
        }
        (None, None) => true,
        _ => false,
    };
    home && same_items(&a.items, &b.items)
        && a.complex_items == b.complex_items
        && a.qgc_altitudes == b.qgc_altitudes
}

/// Plan equality (missions NaN-aware; metadata that the format keeps compared too).
pub fn same_plan(a: &Plan, b: &Plan) -> bool {
    same_mission(&a.mission, &b.mission) && a.fence == b.fence && a.rally_points == b.rally_points
}

/// A file of the repository's own Niger demo data set (`assets/niger`).
pub fn niger_asset(name: &str) -> PathBuf {
    let p = repo_root().join("assets/niger").join(name);
    assert!(p.is_file(), "asset missing: {}", p.display());
    p
}
