//! Helpers: running the binary, the shared real data, independent tools (gdal-bin),
//! temp files.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// What a run of `geo-intel` gave: its exit status, stdout and stderr.
pub struct Run {
    /// The exit status (`None` if killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub out: String,
    /// Standard error.
    pub err: String,
}

impl Run {
    /// Whether it exited 0.
    pub fn ok(&self) -> bool {
        self.code == Some(0)
    }
}

/// Runs `geo-intel` with `args`.
pub fn run(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_geo-intel"))
        .args(args)
        .output()
        .unwrap();
    Run {
        code: out.status.code(),
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        err: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `geo-intel` with `args`, expects success and returns its stdout as JSON.
pub fn json(args: &[&str]) -> Value {
    let r = run(args);
    assert!(r.ok(), "geo-intel {args:?} failed: {}", r.err);
    serde_json::from_str(&r.out).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.out))
}

/// `../shared/data` beside the repository (CI clones it there).
pub fn data(rel: &str) -> PathBuf {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
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
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/niger")).join(rel)
}

/// Runs an external tool and returns its stdout; panics with install advice if absent.
pub fn tool(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd).args(args).output().unwrap_or_else(|e| {
        panic!("cannot run {cmd} ({e}): the tests need Debian's gdal-bin (gdallocationinfo, gdalinfo, ogr2ogr)")
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
