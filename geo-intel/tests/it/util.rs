//! Helpers: the shared real data, independent tools (gdal-bin, pyproj), temp files.
//!
//! `geo-intel-cli`'s tests include this file with `#[path]`, so paths are found from
//! the workspace root, not from the including crate.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root: the nearest folder above the including crate with a `Cargo.lock`.
fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|d| d.join("Cargo.lock").is_file())
        .expect("no Cargo.lock above the crate: not inside the workspace")
}

/// `../shared/data` beside the repository (CI clones it there).
pub fn data(rel: &str) -> PathBuf {
    let root = repo_root().join("../shared/data");
    assert!(
        root.join("MANIFEST.md").exists(),
        "test data missing: expected the shared data set at {} (clone it beside the repository as shared/data)",
        root.display()
    );
    let p = root.join(rel);
    assert!(p.exists(), "test data file missing: {}", p.display());
    p
}

/// A file of the demo data set in `assets/niger`.
pub fn asset(rel: &str) -> PathBuf {
    repo_root().join("assets/niger").join(rel)
}

/// Runs an external tool and returns its stdout; panics with install advice if absent.
pub fn tool(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd).args(args).output().unwrap_or_else(|e| {
        panic!("cannot run {cmd} ({e}): the tests need Debian's gdal-bin (gdallocationinfo, gdalinfo, ogr2ogr) and python3 with pyproj")
    });
    assert!(
        out.status.success(),
        "{cmd} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// The value of pixel (`col`, `row`) of band `band` from `gdallocationinfo`.
pub fn gdal_pixel(path: &Path, band: usize, col: usize, row: usize) -> f64 {
    let out = tool(
        "gdallocationinfo",
        &[
            "-valonly",
            "-b",
            &band.to_string(),
            path.to_str().unwrap(),
            &col.to_string(),
            &row.to_string(),
        ],
    );
    out.trim()
        .parse()
        .unwrap_or_else(|_| panic!("gdallocationinfo gave {out:?}"))
}

/// `gdalinfo -json` of a file.
pub fn gdalinfo(path: &Path) -> serde_json::Value {
    serde_json::from_str(&tool("gdalinfo", &["-json", path.to_str().unwrap()]))
        .expect("gdalinfo json")
}

/// Transforms (x, y) points from `src` to `dst` with pyproj (always_xy), where
/// each CRS is anything pyproj accepts (EPSG code, WKT).
pub fn pyproj(src: &str, dst: &str, pts: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let script = r#"
import json, sys
from pyproj import Transformer
a = json.load(sys.stdin)
t = Transformer.from_crs(a["src"], a["dst"], always_xy=True)
print(json.dumps([t.transform(x, y) for x, y in a["pts"]]))
"#;
    let input = serde_json::json!({"src": src, "dst": dst, "pts": pts}).to_string();
    // The workspace's test venv (scripts/vigil.sh sets VIGIL_PYTHON), else python3 on PATH.
    let python = std::env::var_os("VIGIL_PYTHON").unwrap_or_else(|| "python3".into());
    let mut child = Command::new(python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the tests need python3 with pyproj (pip install pyproj)");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "pyproj failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("pyproj json")
}

/// A temporary directory for fixtures made by the test.
pub fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}
