//! Vigil's one atomic file write.
//!
//! Plans, the parameter cache, screenshots, rasters and vector outputs all go through
//! [`write_atomic`] (or [`write_atomic_with`] for writers that stream, [`write_atomic_at`]
//! for writers such as GDAL that only take a file name), so a crash or a
//! full disk leaves either the old file or the new one, never half of either:
//!
//! 1. the bytes go to a new temporary file in the target's own folder (a rename across
//!    file systems would not be atomic);
//! 2. the file is flushed to disk (`fsync`), then renamed over the target;
//! 3. the folder is flushed too, so the rename itself survives a power cut.
//!
//! A new file gets the mode any other tool would give it (`0666` less the process
//! umask); a file that is replaced keeps its own mode.
//!
//! ```
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("patrol.plan");
//! vigil_fs::write_atomic(&path, b"{}").unwrap();
//! assert_eq!(std::fs::read(&path).unwrap(), b"{}");
//! ```

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Why an atomic write failed, naming the file it was for.
#[derive(Debug, thiserror::Error)]
#[error("writing {}: {source}", path.display())]
pub struct WriteError {
    /// The file that was being written.
    pub path: PathBuf,
    /// What the operating system (or the writer) said.
    #[source]
    pub source: std::io::Error,
}

/// Writes `bytes` to `path` atomically (see the crate docs).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// Writes `path` atomically from a writer callback: `write` fills a buffered file that
/// replaces `path` only once `write` returned `Ok` and the data reached the disk.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), WriteError> {
    let err = |source| WriteError {
        path: path.to_owned(),
        source,
    };
    let dir = parent_dir(path);
    let (tmp_path, file) = create_temp(dir, path).map_err(err)?;
    let result = (|| {
        if let Ok(meta) = std::fs::metadata(path) {
            file.set_permissions(meta.permissions())?;
        }
        let mut w = BufWriter::new(file);
        write(&mut w)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp_path, path)?;
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp_path);
    }
    result.map_err(err)
}

/// Writes `path` atomically through a writer that only takes a file name (GDAL's raster
/// drivers, a child process): `write` gets a new, empty temporary path in the target's
/// folder and writes the whole file there; once it returned `Ok`, the file is flushed
/// to disk, renamed over `path` and the folder flushed, as [`write_atomic`] does. On
/// any failure the temporary file is removed and `path` keeps its old content.
///
/// The temporary name ends in `.tmp`, so `write` must not choose a format by extension.
pub fn write_atomic_at(
    path: &Path,
    write: impl FnOnce(&Path) -> std::io::Result<()>,
) -> Result<(), WriteError> {
    let err = |source| WriteError {
        path: path.to_owned(),
        source,
    };
    let dir = parent_dir(path);
    let (tmp_path, file) = create_temp(dir, path).map_err(err)?;
    drop(file);
    let result = (|| {
        write(&tmp_path)?;
        let file = OpenOptions::new().write(true).open(&tmp_path)?;
        if let Ok(meta) = std::fs::metadata(path) {
            file.set_permissions(meta.permissions())?;
        }
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp_path, path)?;
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp_path);
    }
    result.map_err(err)
}

/// The folder `path` lives in (`.` for a bare file name).
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// A new, hidden temporary file beside the target, created with the default mode
/// (`0666` less the umask).
fn create_temp(dir: &Path, target: &Path) -> std::io::Result<(PathBuf, File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".to_owned());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.{}.{n}.{nanos:x}.tmp", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Flushes a folder's entries to disk (a no-op where folders cannot be opened).
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.plan");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_failed_writer_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.plan");
        write_atomic(&path, b"old").unwrap();
        let e = write_atomic_with(&path, |w| {
            w.write_all(b"half")?;
            Err(std::io::Error::other("disk full"))
        })
        .unwrap_err();
        assert!(e.to_string().contains("a.plan") && e.to_string().contains("disk full"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_path_writer_commits_only_on_success() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("risk.tif");
        write_atomic(&path, b"old").unwrap();
        // A failing writer (as GDAL failing half way): the old file stays, no temp left.
        let e = write_atomic_at(&path, |tmp| {
            assert_eq!(tmp.parent(), Some(dir.path()), "temp beside the target");
            assert_ne!(tmp, path);
            std::fs::write(tmp, b"half")?;
            Err(std::io::Error::other("driver failed"))
        })
        .unwrap_err();
        assert!(e.to_string().contains("risk.tif") && e.to_string().contains("driver failed"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        // A writer that replaces the file at the path it was given (as GDAL's Create).
        write_atomic_at(&path, |tmp| {
            std::fs::remove_file(tmp)?;
            std::fs::write(tmp, b"new")
        })
        .unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_missing_folder_is_named() {
        let e = write_atomic(Path::new("/nonexistent-vigil/x.plan"), b"x").unwrap_err();
        assert!(e.to_string().contains("/nonexistent-vigil/x.plan"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn new_files_follow_the_umask_and_replaced_files_keep_their_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.plan");
        write_atomic(&path, b"x").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        // What std (and every other tool) gives a new file under this process's umask.
        let probe = dir.path().join("probe");
        File::create(&probe).unwrap();
        let expected = std::fs::metadata(&probe).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, expected);
        if expected != 0o600 {
            assert_ne!(mode, 0o600, "tempfile's private mode leaked through");
        }

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&path, b"y").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }
}
