//! Plan files: QGroundControl `.plan`/`.mission`, `QGC WPL 110`, MAVProxy fence and
//! rally lists, and KML/GeoJSON export. Loading picks the format by extension (and,
//! for `.txt`, by the first line); saving is atomic.

pub mod export;
pub mod qgc_plan;
pub mod wpl;

use std::path::{Path, PathBuf};

use crate::Plan;

/// What went wrong inside a file, before the path is known.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    /// A text line is malformed.
    #[error("line {line}: {message}")]
    Line {
        /// 1-based line number.
        line: usize,
        /// What was expected.
        message: String,
    },
    /// A JSON value is missing or of the wrong type.
    #[error("at {json_path}: {message}")]
    Json {
        /// Where in the document, e.g. `mission.items[3].params`.
        json_path: String,
        /// What was expected.
        message: String,
    },
    /// The file as a whole is not what it should be.
    #[error("{0}")]
    Format(String),
    /// A value no plan may hold (a latitude of 95, an altitude of 1e308, too many items).
    #[error(transparent)]
    Value(#[from] crate::limits::ValueError),
}

/// Why a plan file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file could not be written.
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file's content is malformed.
    #[error("{}: {error}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// Where and what.
        error: ParseError,
    },
    /// The extension names no known format, or one this operation cannot do.
    #[error("{}: {message}", path.display())]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// What is supported.
        message: String,
    },
}

/// The plan file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// QGroundControl `.plan` (JSON).
    QgcPlan,
    /// QGroundControl legacy `.mission` (JSON).
    QgcMission,
    /// `QGC WPL 110` text (`.waypoints`, `.txt`); `.txt` may also be a MAVProxy
    /// fence or rally list.
    Wpl,
    /// KML for Google Earth (export only).
    Kml,
    /// GeoJSON for QGIS (export only).
    GeoJson,
}

impl Format {
    /// The format named by a file's extension.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "plan" => Format::QgcPlan,
            "mission" => Format::QgcMission,
            "waypoints" | "txt" | "wpl" => Format::Wpl,
            "kml" => Format::Kml,
            "geojson" | "json" => Format::GeoJson,
            _ => return None,
        })
    }
}

fn unsupported(path: &Path) -> FileError {
    FileError::Unsupported {
        path: path.to_owned(),
        message: "unknown extension: expected .plan, .mission, .waypoints, .txt, .kml or .geojson"
            .into(),
    }
}

/// Reads a plan from text whose format is `format`; values no plan may hold
/// (out-of-range positions, NaN or huge altitudes, more than 65,535 items) are refused
/// by [`crate::limits::check_plan`].
pub fn parse_plan(text: &str, format: Format) -> Result<Plan, ParseError> {
    let plan = match format {
        Format::QgcPlan => qgc_plan::parse_plan(text),
        Format::QgcMission => qgc_plan::parse_legacy_mission(text),
        Format::Wpl => wpl::parse_any(text),
        Format::Kml | Format::GeoJson => Err(ParseError::Format(
            "KML and GeoJSON are export formats; load a .plan or .waypoints file".into(),
        )),
    }?;
    crate::limits::check_plan(&plan)?;
    Ok(plan)
}

/// Reads a plan file, choosing the format by extension.
pub fn load_plan(path: &Path) -> Result<Plan, FileError> {
    let format = Format::from_path(path).ok_or_else(|| unsupported(path))?;
    let bytes = std::fs::read(path).map_err(|source| FileError::Read {
        path: path.to_owned(),
        source,
    })?;
    let text = String::from_utf8_lossy(&bytes);
    parse_plan(&text, format).map_err(|error| FileError::Parse {
        path: path.to_owned(),
        error,
    })
}

/// Renders a plan as text in `format`.
pub fn render_plan(plan: &Plan, format: Format) -> Result<String, ParseError> {
    Ok(match format {
        Format::QgcPlan => {
            if let Some(other) = plan.fence.other_items.first() {
                return Err(ParseError::Format(format!(
                    "fence command {} has no QGroundControl .plan form; write the fence to a .waypoints file",
                    other.command
                )));
            }
            qgc_plan::write_plan(plan)
        }
        Format::QgcMission => qgc_plan::write_legacy_mission(plan)?,
        Format::Wpl => wpl::write_plan(plan)?,
        Format::Kml => export::to_kml(plan),
        Format::GeoJson => export::to_geojson(plan),
    })
}

/// Writes a plan file atomically, choosing the format by extension.
pub fn save_plan(plan: &Plan, path: &Path) -> Result<(), FileError> {
    let format = Format::from_path(path).ok_or_else(|| unsupported(path))?;
    let text = render_plan(plan, format).map_err(|e| FileError::Unsupported {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    write_atomic(path, text.as_bytes())
}

/// Writes `bytes` to `path` atomically, with the process umask's mode (through
/// [`vigil_fs::write_atomic`], the workspace's one atomic write).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    vigil_fs::write_atomic(path, bytes).map_err(|e| FileError::Write {
        path: e.path,
        source: e.source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_names_the_plan_file() {
        // The atomic write itself is vigil-fs's (and tested there).
        let err = write_atomic(Path::new("/nonexistent-vigil/a.plan"), b"x").unwrap_err();
        assert!(
            err.to_string().contains("/nonexistent-vigil/a.plan"),
            "{err}"
        );
    }

    #[test]
    fn unknown_extension_is_named() {
        let err = load_plan(Path::new("/nonexistent/x.docx")).unwrap_err();
        assert!(
            err.to_string().contains("x.docx") && err.to_string().contains(".plan"),
            "{err}"
        );
    }
}
