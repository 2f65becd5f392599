//! A small file browser drawn in egui, for opening and saving plans and adding layers.
//!
//! Exists because the app runs where no native dialog service is (Xvfb, remote X,
//! locked-down field laptops), and a typed path alone makes operators guess directory
//! names. Listing is a plain function, tested; the window only draws it.

use std::path::{Path, PathBuf};

use bevy_egui::egui;

/// One line of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// File or directory name.
    pub name: String,
    /// A directory (entered on click) rather than a file (chosen on click).
    pub is_dir: bool,
    /// File size, bytes (0 for directories).
    pub size_bytes: u64,
}

/// The entries of `dir`: directories first, then files whose extension is one of
/// `extensions` (any file when empty), each group sorted by name, case-insensitively.
/// Hidden entries (starting with '.') are left out.
pub fn list_dir(dir: &Path, extensions: &[&str]) -> std::io::Result<Vec<Entry>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        // Follow links: a linked data directory is browsed like any other.
        let Ok(meta) = std::fs::metadata(e.path()) else {
            continue;
        };
        let is_dir = meta.is_dir();
        let wanted = is_dir
            || extensions.is_empty()
            || Path::new(&name)
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| extensions.iter().any(|w| w.eq_ignore_ascii_case(x)));
        if wanted {
            out.push(Entry {
                name,
                is_dir,
                size_bytes: if is_dir { 0 } else { meta.len() },
            });
        }
    }
    out.sort_by(|a, b| {
        b.is_dir
            .cmp(&a.is_dir)
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    Ok(out)
}

/// A size for people: "512 B", "3.4 kB", "12.0 MB".
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut v = bytes as f64 / 1000.0;
    let mut unit = 0;
    while v >= 1000.0 && unit < UNITS.len() - 1 {
        v /= 1000.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

/// What a click in the browser asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Picked {
    /// The directory shown changed (save dialogs put the file name there).
    Dir(PathBuf),
    /// A file was chosen.
    File(PathBuf),
}

/// The browser's state: the directory shown and its listing.
#[derive(Debug, Clone)]
pub struct FileBrowser {
    dir: PathBuf,
    extensions: &'static [&'static str],
    listing: Result<Vec<Entry>, String>,
}

impl FileBrowser {
    /// A browser at `dir` (made absolute) showing files with `extensions` (all if empty).
    pub fn new(dir: &Path, extensions: &'static [&'static str]) -> Self {
        let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        let mut b = FileBrowser {
            dir,
            extensions,
            listing: Ok(Vec::new()),
        };
        b.refresh();
        b
    }

    /// Re-reads the directory (after a save, or on request).
    pub fn refresh(&mut self) {
        self.listing = list_dir(&self.dir, self.extensions)
            .map_err(|e| format!("{}: {e}", self.dir.display()));
    }

    fn enter(&mut self, dir: PathBuf) -> Picked {
        self.dir = dir;
        self.refresh();
        Picked::Dir(self.dir.clone())
    }

    /// Draws the listing; returns what was clicked.
    pub fn show(&mut self, ui: &mut egui::Ui) -> Option<Picked> {
        let mut picked = None;
        ui.horizontal(|ui| {
            if ui
                .add_enabled(self.dir.parent().is_some(), egui::Button::new("⬆ Up"))
                .clicked()
                && let Some(up) = self.dir.parent()
            {
                picked = Some(self.enter(up.to_path_buf()));
            }
            if ui
                .button("⟳")
                .on_hover_text("Re-read the directory")
                .clicked()
            {
                self.refresh();
            }
            ui.monospace(self.dir.display().to_string());
        });
        let entries = match &self.listing {
            Ok(e) => e,
            Err(e) => {
                ui.colored_label(egui::Color32::from_rgb(255, 90, 80), e);
                return picked;
            }
        };
        if entries.is_empty() {
            ui.weak(if self.extensions.is_empty() {
                "(empty directory)".to_string()
            } else {
                format!("(no {} files here)", self.extensions.join(" / "))
            });
        }
        // Only the rows in view are drawn; the click is acted on after the listing.
        let mut clicked = None;
        egui::ScrollArea::vertical()
            .max_height(180.0)
            .id_salt(("file-browser", self.extensions))
            .show_rows(
                ui,
                ui.spacing().interact_size.y,
                entries.len(),
                |ui, rows| {
                    for e in &entries[rows] {
                        let label = if e.is_dir {
                            format!("📁 {}/", e.name)
                        } else {
                            format!("{}   {}", e.name, human_size(e.size_bytes))
                        };
                        if ui.selectable_label(false, label).clicked() {
                            clicked = Some((self.dir.join(&e.name), e.is_dir));
                        }
                    }
                },
            );
        if let Some((path, is_dir)) = clicked {
            picked = Some(if is_dir {
                self.enter(path)
            } else {
                Picked::File(path)
            });
        }
        picked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_first_then_wanted_files_by_name() {
        let d = tempfile::tempdir().unwrap();
        for f in [
            "b.plan",
            "A.PLAN",
            "c.waypoints",
            "notes.txt",
            ".hidden.plan",
        ] {
            std::fs::write(d.path().join(f), "x").unwrap();
        }
        std::fs::create_dir(d.path().join("zz sorties")).unwrap();
        std::fs::create_dir(d.path().join(".git")).unwrap();
        let names = |exts: &[&str]| -> Vec<String> {
            list_dir(d.path(), exts)
                .unwrap()
                .into_iter()
                .map(|e| e.name)
                .collect()
        };
        assert_eq!(
            names(&["plan", "waypoints"]),
            ["zz sorties", "A.PLAN", "b.plan", "c.waypoints"]
        );
        assert_eq!(
            names(&[]),
            ["zz sorties", "A.PLAN", "b.plan", "c.waypoints", "notes.txt"]
        );
        let e = list_dir(d.path(), &["plan"]).unwrap();
        assert!(e[0].is_dir && e[0].size_bytes == 0);
        assert_eq!(e[1].size_bytes, 1);
    }

    #[test]
    fn a_missing_directory_is_an_error_naming_it() {
        let b = FileBrowser::new(Path::new("/no/such/dir"), &["plan"]);
        let err = b.listing.unwrap_err();
        assert!(err.contains("/no/such/dir"), "{err}");
    }

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(3_400), "3.4 kB");
        assert_eq!(human_size(12_000_000), "12.0 MB");
    }
}
