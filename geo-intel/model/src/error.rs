//! The one error type of the library: every variant names the file and the reason.

use std::path::{Path, PathBuf};

/// Why a geo-intel operation failed. Every variant carries the path of the file
/// involved and, where GDAL refused it, GDAL's own message.
#[derive(Debug, thiserror::Error)]
pub enum GeoError {
    /// GDAL could not open the file (missing, unreadable, truncated, corrupt, unknown format).
    #[error("cannot open {path}: {reason}")]
    Open {
        /// The file or connection string.
        path: PathBuf,
        /// GDAL's message.
        reason: String,
    },
    /// GDAL opened the file but failed while reading it.
    #[error("cannot read {path}: {reason}")]
    Read {
        /// The file.
        path: PathBuf,
        /// GDAL's message, with the stage that failed.
        reason: String,
    },
    /// The file's coordinate reference system is missing, unknown or cannot be
    /// transformed to WGS84.
    #[error("unusable coordinate reference system in {path}: {reason}")]
    Crs {
        /// The file.
        path: PathBuf,
        /// What is wrong, with GDAL/PROJ's message where there is one.
        reason: String,
    },
    /// The file has no features (or no layers) where some were needed.
    #[error("{path} is empty: {reason}")]
    Empty {
        /// The file.
        path: PathBuf,
        /// Which layer or kind of data is missing.
        reason: String,
    },
    /// A DEM or raster does not cover the requested area.
    #[error("{path} does not cover the requested area: {reason}")]
    NotCovered {
        /// The raster (or VRT mosaic: its first file).
        path: PathBuf,
        /// The requested area and the raster's extent.
        reason: String,
    },
    /// GDAL failed while writing an output file.
    #[error("cannot write {path}: {reason}")]
    Write {
        /// The output file.
        path: PathBuf,
        /// GDAL's or the OS's message.
        reason: String,
    },
    /// The file is readable but its content is not what was expected (a catalog
    /// with a bad colour, an incident without time, ...).
    #[error("invalid content in {path}: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong and where.
        reason: String,
    },
    /// An argument is out of range (a zero cell size, an empty path).
    #[error("invalid argument: {0}")]
    Argument(String),
}

impl GeoError {
    /// An [`GeoError::Open`] for `path` with GDAL's `err` as the reason.
    pub fn open(path: &Path, err: impl std::fmt::Display) -> Self {
        GeoError::Open {
            path: path.to_path_buf(),
            reason: gdal_reason(err),
        }
    }

    /// A [`GeoError::Read`] for `path`, naming the `stage` that failed.
    pub fn read(path: &Path, stage: &str, err: impl std::fmt::Display) -> Self {
        GeoError::Read {
            path: path.to_path_buf(),
            reason: format!("{stage}: {}", gdal_reason(err)),
        }
    }

    /// A [`GeoError::Crs`] for `path`.
    pub fn crs(path: &Path, reason: impl std::fmt::Display) -> Self {
        GeoError::Crs {
            path: path.to_path_buf(),
            reason: gdal_reason(reason),
        }
    }

    /// A [`GeoError::Write`] for `path`.
    pub fn write(path: &Path, err: impl std::fmt::Display) -> Self {
        GeoError::Write {
            path: path.to_path_buf(),
            reason: gdal_reason(err),
        }
    }

    /// A [`GeoError::Invalid`] for `path`.
    pub fn invalid(path: &Path, reason: impl std::fmt::Display) -> Self {
        GeoError::Invalid {
            path: path.to_path_buf(),
            reason: reason.to_string(),
        }
    }

    /// The file this error is about, if any.
    pub fn path(&self) -> Option<&Path> {
        match self {
            GeoError::Open { path, .. }
            | GeoError::Read { path, .. }
            | GeoError::Crs { path, .. }
            | GeoError::Empty { path, .. }
            | GeoError::NotCovered { path, .. }
            | GeoError::Write { path, .. }
            | GeoError::Invalid { path, .. } => Some(path),
            GeoError::Argument(_) => None,
        }
    }
}

/// GDAL's own words from an error: the message inside the gdal crate's
/// "CPL error class: .., error number: .., error msg: '...'" wrapper, or the
/// whole text for anything else.
pub fn gdal_reason(err: impl std::fmt::Display) -> String {
    let text = err.to_string();
    let start = ["CPL error class:", "GDAL method '"]
        .iter()
        .filter_map(|w| text.find(w))
        .min();
    let (Some(start), Some(m)) = (start, text.to_lowercase().find("error msg: '")) else {
        return text;
    };
    let msg = text[m + "error msg: '".len()..].trim_end_matches('\'');
    if msg.is_empty() || m < start {
        return text;
    }
    format!("{}{msg}", &text[..start])
}

/// Result with [`GeoError`].
pub type Result<T> = std::result::Result<T, GeoError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gdal_reason_keeps_context_and_gdal_words() {
        let wrapped =
            "no CRS: CPL error class: 'CE_Failure', error number: '1', error msg: 'bad WKT'";
        assert_eq!(gdal_reason(wrapped), "no CRS: bad WKT");
        assert_eq!(gdal_reason("plain reason"), "plain reason");
        let e = GeoError::open(
            Path::new("/x/y.tif"),
            "CPL error class: '3', error number: '4', error msg: 'not recognized'",
        );
        assert_eq!(e.to_string(), "cannot open /x/y.tif: not recognized");
        assert_eq!(e.path(), Some(Path::new("/x/y.tif")));
    }
}
