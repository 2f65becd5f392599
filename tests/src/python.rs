//! Finding the Python interpreter (with pymavlink) that runs the independent test peers.
//!
//! Tests and benches use `$VIGIL_PYTHON` if set, else the workspace's `.venv/bin/python`.
//! Create that venv with `python3 -m venv .venv && .venv/bin/pip install -r tests/peers/requirements.txt`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The environment variable naming the Python interpreter for the test peers.
pub const PYTHON_ENV: &str = "VIGIL_PYTHON";

/// How to create the default interpreter, for error messages.
pub const VENV_HOWTO: &str = "cd <workspace root> && python3 -m venv .venv && \
     .venv/bin/pip install -r tests/peers/requirements.txt \
     (or: .venv/bin/pip install pymavlink)";

/// Why no Python interpreter for the peers was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PythonMissing {
    /// `$VIGIL_PYTHON` names a file that does not exist.
    EnvPathMissing(PathBuf),
    /// `$VIGIL_PYTHON` is unset and the workspace venv has no interpreter.
    NoVenv(PathBuf),
}

impl std::fmt::Display for PythonMissing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::EnvPathMissing(p) => write!(
                f,
                "${PYTHON_ENV} is {} but no such file exists; point it at a Python with \
                 pymavlink, or unset it and create the workspace venv: {VENV_HOWTO}",
                p.display()
            ),
            Self::NoVenv(p) => write!(
                f,
                "no Python for the pymavlink test peers: {} does not exist and ${PYTHON_ENV} \
                 is unset. Create the venv: {VENV_HOWTO}",
                p.display()
            ),
        }
    }
}

impl std::error::Error for PythonMissing {}

/// The workspace root (this crate's parent directory).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the vigil-tests crate sits inside the workspace")
        .to_path_buf()
}

/// The path of a peer script in `tests/peers/`.
pub fn peer_script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("peers")
        .join(name)
}

/// Chooses the interpreter from the value of `$VIGIL_PYTHON` and the workspace root.
///
/// Kept apart from the environment so the choice is tested without mutating it.
pub fn resolve_python(env: Option<OsString>, root: &Path) -> Result<PathBuf, PythonMissing> {
    match env.filter(|v| !v.is_empty()) {
        Some(v) => {
            let p = PathBuf::from(v);
            // A bare name such as `python3` is looked up on PATH by the OS.
            if p.components().count() == 1 || p.exists() {
                Ok(p)
            } else {
                Err(PythonMissing::EnvPathMissing(p))
            }
        }
        None => {
            let venv = root.join(".venv").join("bin").join("python");
            if venv.exists() {
                Ok(venv)
            } else {
                Err(PythonMissing::NoVenv(venv))
            }
        }
    }
}

/// The interpreter for the test peers: `$VIGIL_PYTHON`, else `<workspace>/.venv/bin/python`.
pub fn python() -> Result<PathBuf, PythonMissing> {
    resolve_python(std::env::var_os(PYTHON_ENV), &workspace_root())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_var_wins_and_bare_names_are_left_to_path() {
        let root = Path::new("/nonexistent-root");
        assert_eq!(
            resolve_python(Some("python3".into()), root),
            Ok(PathBuf::from("python3"))
        );
        let here = std::env::current_exe().unwrap();
        assert_eq!(
            resolve_python(Some(here.clone().into_os_string()), root),
            Ok(here)
        );
    }

    #[test]
    fn missing_interpreters_say_how_to_create_the_venv() {
        let root = Path::new("/nonexistent-root");
        let err = resolve_python(None, root).unwrap_err();
        assert_eq!(
            err,
            PythonMissing::NoVenv(PathBuf::from("/nonexistent-root/.venv/bin/python"))
        );
        let text = err.to_string();
        assert!(text.contains("python3 -m venv .venv"), "{text}");
        assert!(text.contains("pip install"), "{text}");
        let err = resolve_python(Some("/nonexistent-root/py".into()), root).unwrap_err();
        assert!(err.to_string().contains(PYTHON_ENV), "{err}");
        // An empty value counts as unset.
        assert!(matches!(
            resolve_python(Some("".into()), root),
            Err(PythonMissing::NoVenv(_))
        ));
    }

    #[test]
    fn peers_live_in_tests_peers() {
        assert!(peer_script("fake_px4_vehicle.py").is_file());
        assert!(workspace_root().join("Cargo.toml").is_file());
    }
}
