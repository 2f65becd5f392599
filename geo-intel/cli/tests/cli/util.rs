//! Helpers: running the binary, plus the library tests' helpers (the shared real data,
//! independent tools, temp files), included from `geo-intel/tests/it/util.rs`.

use std::process::Command;

use serde_json::Value;

#[path = "../../../tests/it/util.rs"]
mod shared;
pub use shared::*;

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
