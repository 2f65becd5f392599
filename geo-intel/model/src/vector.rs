//! Vector features copied out of their source: owned WGS84 geometries and attributes.

use std::path::PathBuf;

use geo::BoundingRect;
use serde_json::{Map, Value};

use crate::bounds::LonLatBounds;
use crate::error::{GeoError, Result};

/// One feature: a WGS84 geometry (x = lon, y = lat, degrees) and its attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    /// The geometry in WGS84 degrees, multi-parts and holes kept.
    pub geometry: geo::Geometry<f64>,
    /// Attribute values by field name; dates and times as RFC 3339 text.
    pub attributes: Map<String, Value>,
}

/// A vector layer in memory: owned, `Send + Sync`, in WGS84.
#[derive(Debug, Clone)]
pub struct VectorLayer {
    /// The layer name inside its source.
    pub name: String,
    /// The file (or connection string) it was read from.
    pub source: PathBuf,
    /// The name of the source CRS, as the reader reported it.
    pub source_crs: String,
    /// Field names in source order.
    pub fields: Vec<String>,
    /// The features that have a geometry.
    pub features: Vec<Feature>,
    /// How many features were skipped because they had no (or an empty) geometry.
    pub skipped_without_geometry: usize,
}

impl VectorLayer {
    /// The bounds of all features, or `None` for an empty layer.
    pub fn bounds(&self) -> Option<LonLatBounds> {
        let mut it = self
            .features
            .iter()
            .filter_map(|f| f.geometry.bounding_rect());
        let first = it.next()?;
        let r = it.fold(first, |a, b| {
            geo::Rect::new(
                geo::coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
                geo::coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
            )
        });
        Some(LonLatBounds {
            west_deg: r.min().x,
            south_deg: r.min().y,
            east_deg: r.max().x,
            north_deg: r.max().y,
        })
    }

    /// The features whose `time_field` falls in `from..=to` (either end open).
    /// Features without a readable time are left out.
    pub fn features_between(
        &self,
        time_field: &str,
        from: Option<chrono::DateTime<chrono::Utc>>,
        to: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Vec<&Feature> {
        self.features
            .iter()
            .filter(|f| {
                let Some(Value::String(t)) = f.attributes.get(time_field) else {
                    return false;
                };
                crate::time::parse_time(t)
                    .is_some_and(|t| from.is_none_or(|a| t >= a) && to.is_none_or(|b| t <= b))
            })
            .collect()
    }

    /// This layer, or [`GeoError::Empty`] naming the file if it has no features.
    pub fn require_features(self) -> Result<Self> {
        if self.features.is_empty() {
            return Err(GeoError::Empty {
                path: self.source.clone(),
                reason: format!("layer {:?} has no features with a geometry", self.name),
            });
        }
        Ok(self)
    }
}
