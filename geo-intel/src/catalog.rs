//! The layer catalog: a TOML file naming each layer, its source and its style.
//!
//! ```toml
//! [[layer]]
//! name = "Border with Nigeria"
//! source = "niger/border_segments.geojson"   # relative to the catalog file, or PG:...
//! kind = "vector"                            # vector (default), raster or dem
//! time_field = "time"                        # optional
//! [layer.style]
//! colour = "#e03c31"                         # #RRGGBB or #RRGGBBAA
//! width_px = 2.5
//! icon = "town"
//! label_field = "NAME"
//! ```

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{GeoError, Result};
use crate::prelude::*;

/// What kind of data a layer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LayerKind {
    /// Features (points, lines, polygons).
    #[default]
    Vector,
    /// An image or other raster overlay.
    Raster,
    /// A digital elevation model.
    Dem,
}

/// How a layer is drawn.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Style {
    /// Colour as `#RRGGBB` or `#RRGGBBAA`.
    pub colour: Option<String>,
    /// Line width in screen pixels.
    pub width_px: Option<f64>,
    /// Icon name for points.
    pub icon: Option<String>,
    /// Attribute shown as the label.
    pub label_field: Option<String>,
}

/// One catalog entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogLayer {
    /// Unique display name.
    pub name: String,
    /// File path (relative to the catalog) or a GDAL connection string (`PG:...`).
    pub source: String,
    /// What it holds.
    #[serde(default)]
    pub kind: LayerKind,
    /// Attribute holding each feature's time, if the layer is temporal.
    pub time_field: Option<String>,
    /// How it is drawn.
    #[serde(default)]
    pub style: Style,
}

/// A layer catalog.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// The layers, drawn in order (first at the bottom).
    #[serde(rename = "layer", default)]
    pub layers: Vec<CatalogLayer>,
    /// The directory relative sources are resolved against.
    #[serde(skip)]
    pub base_dir: PathBuf,
}

/// A catalog layer copied out of GDAL.
#[derive(Debug, Clone)]
pub enum LoadedLayer {
    /// Features in WGS84.
    Vector(crate::vector::VectorLayer),
    /// Every band of an image, in order (e.g. red, green, blue).
    Raster(Vec<crate::grid::Grid>),
    /// Heights.
    Dem(crate::elevation::Dem),
}

/// A problem found by [`Catalog::validate`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CatalogIssue {
    /// The layer's name (or index if unnamed).
    pub layer: String,
    /// What is wrong.
    pub message: String,
}

/// Parses `#RRGGBB` or `#RRGGBBAA` into RGBA bytes.
pub fn parse_colour(text: &str) -> Option<[u8; 4]> {
    let hex = text.strip_prefix('#')?;
    if !(hex.len() == 6 || hex.len() == 8) || !hex.is_ascii() {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([
        byte(0)?,
        byte(2)?,
        byte(4)?,
        if hex.len() == 8 { byte(6)? } else { 255 },
    ])
}

impl Catalog {
    /// Reads and parses a catalog file; relative sources resolve against its directory.
    pub fn load(path: &Path) -> Result<Catalog> {
        let text = std::fs::read_to_string(path).map_err(|e| GeoError::open(path, e))?;
        let mut cat: Catalog = toml::from_str(&text).map_err(|e| GeoError::invalid(path, e))?;
        cat.base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(cat)
    }

    /// The path (or connection string) of a layer's source.
    pub fn source_path(&self, layer: &CatalogLayer) -> PathBuf {
        if layer.source.starts_with("PG:") || Path::new(&layer.source).is_absolute() {
            PathBuf::from(&layer.source)
        } else {
            self.base_dir.join(&layer.source)
        }
    }

    /// Opens a layer's source and copies it out of GDAL: a vector layer (for a
    /// GPX file, every layer's features together), every band of a raster, or a DEM.
    pub fn open_layer(&self, layer: &CatalogLayer) -> Result<LoadedLayer> {
        let src = self.source_path(layer);
        Ok(match layer.kind {
            LayerKind::Vector => {
                let mut layers = crate::vector::read_vector(&src)?;
                let mut first = layers.remove(0);
                for more in layers {
                    first.features.extend(more.features);
                }
                LoadedLayer::Vector(first)
            }
            LayerKind::Raster => {
                let ds = crate::grid::open_raster(&src)?;
                let bands = (1..=ds.raster_count())
                    .map(|b| crate::grid::Grid::from_dataset(&ds, &src, b))
                    .collect::<Result<Vec<_>>>()?;
                LoadedLayer::Raster(bands)
            }
            LayerKind::Dem => LoadedLayer::Dem(crate::elevation::Dem::open(&src)?),
        })
    }

    /// The layer called `name`.
    pub fn layer(&self, name: &str) -> Option<&CatalogLayer> {
        self.layers.iter().find(|l| l.name == name)
    }

    /// Every problem in the catalog: duplicate or empty names, bad colours or
    /// widths, missing files, and (for vector layers) label and time fields
    /// that the source does not have. Opens each file; never fails.
    pub fn validate(&self) -> Vec<CatalogIssue> {
        let mut issues = Vec::new();
        let mut names = HashSet::new();
        for (i, l) in self.layers.iter().enumerate() {
            let id = if l.name.is_empty() {
                format!("layer #{}", i + 1)
            } else {
                l.name.clone()
            };
            let mut issue = |m: String| {
                issues.push(CatalogIssue {
                    layer: id.clone(),
                    message: m,
                })
            };
            if l.name.is_empty() {
                issue("empty name".into());
            } else if !names.insert(l.name.clone()) {
                issue("duplicate name".into());
            }
            if let Some(c) = &l.style.colour
                && parse_colour(c).is_none()
            {
                issue(format!("colour {c:?} is not #RRGGBB or #RRGGBBAA"));
            }
            if let Some(w) = l.style.width_px
                && !(w.is_finite() && w > 0.0)
            {
                issue(format!("width_px {w} must be > 0"));
            }
            let src = self.source_path(l);
            if !l.source.starts_with("PG:") && !src.exists() {
                issue(format!("source {} does not exist", src.display()));
                continue;
            }
            match l.kind {
                LayerKind::Vector => match crate::vector::read_vector_layer(&src, None) {
                    Err(e) => issue(e.to_string()),
                    Ok(layer) => {
                        for f in [&l.style.label_field, &l.time_field].into_iter().flatten() {
                            if !layer.fields.contains(f) {
                                issue(format!(
                                    "field {f:?} is not in {} (fields: {})",
                                    src.display(),
                                    layer.fields.join(", ")
                                ));
                            }
                        }
                    }
                },
                LayerKind::Raster | LayerKind::Dem => {
                    if let Err(e) = crate::grid::open_raster(&src) {
                        issue(e.to_string());
                    }
                }
            }
        }
        issues
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn colour_round_trip(r: u8, g: u8, b: u8, a: u8) {
            prop_assert_eq!(parse_colour(&format!("#{r:02x}{g:02x}{b:02x}{a:02x}")), Some([r, g, b, a]));
            prop_assert_eq!(parse_colour(&format!("#{r:02X}{g:02X}{b:02X}")), Some([r, g, b, 255]));
        }
    }

    #[test]
    fn bad_colours() {
        for bad in ["ff0000", "#ff00", "#gg0000", "#ff0000f", "#ééé"] {
            assert_eq!(parse_colour(bad), None, "{bad}");
        }
    }

    #[test]
    fn parses_with_defaults() {
        let cat: Catalog =
            toml::from_str("[[layer]]\nname = \"a\"\nsource = \"a.geojson\"\n").unwrap();
        assert_eq!(cat.layers[0].kind, LayerKind::Vector);
        assert_eq!(cat.layers[0].style, Style::default());
    }
}
