//! A north-up DEM grid in longitude/latitude, read from a geographic GeoTIFF
//! (EPSG:4326, as the GLOBE and SRTM tiles are) or an ESRI ASCII grid (`.asc`), so
//! the CLI can follow real terrain without GDAL. Projected, rotated or other DEMs
//! are refused with the `gdalwarp` command that converts them; `geo-intel` reads
//! anything GDAL reads.

use std::path::Path;

use crate::files::{FileError, ParseError};
use crate::{ElevationModel, LatLon};

/// What this reader takes, and how to get there from anything else.
pub const EXPECTED_DEM: &str = "expected a north-up geographic WGS 84 (EPSG:4326) GeoTIFF (.tif) or ESRI ASCII grid (.asc) in degrees; convert it with `gdalwarp -t_srs EPSG:4326 -of GTiff IN OUT.tif` (GDAL), or read it through geo-intel";

fn unsupported(what: impl std::fmt::Display) -> ParseError {
    ParseError::Format(format!("{what}: {EXPECTED_DEM}"))
}

/// A north-up grid of heights in a geographic (lon/lat degrees) frame.
#[derive(Debug, Clone, PartialEq)]
pub struct DemGrid {
    ncols: usize,
    nrows: usize,
    /// Longitude of the west edge of the grid, degrees.
    west_deg: f64,
    /// Latitude of the north edge of the grid, degrees.
    north_deg: f64,
    /// Cell width, degrees of longitude.
    cell_lon_deg: f64,
    /// Cell height, degrees of latitude.
    cell_lat_deg: f64,
    nodata: Option<f64>,
    heights_m: Vec<f64>,
}

impl DemGrid {
    /// Reads a `.tif`/`.tiff` GeoTIFF or an `.asc` ESRI ASCII grid; any other file,
    /// or one in a projected CRS, gets an error naming it and saying how to convert it.
    pub fn load(path: &Path) -> Result<Self, FileError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let parse_err = |error| FileError::Parse {
            path: path.to_owned(),
            error,
        };
        let read_err = |source| FileError::Read {
            path: path.to_owned(),
            source,
        };
        match ext.as_str() {
            "asc" => {
                let text = std::fs::read_to_string(path).map_err(read_err)?;
                let prj = path.with_extension("prj");
                if let Ok(wkt) = std::fs::read_to_string(&prj)
                    && (wkt.contains("PROJCS") || wkt.contains("PROJCRS"))
                {
                    return Err(parse_err(unsupported(format!(
                        "its {} says the grid is projected",
                        prj.display()
                    ))));
                }
                Self::parse_ascii(&text).map_err(parse_err)
            }
            "tif" | "tiff" => {
                let file = std::fs::File::open(path).map_err(read_err)?;
                Self::read_geotiff(std::io::BufReader::new(file)).map_err(parse_err)
            }
            _ => Err(FileError::Unsupported {
                path: path.to_owned(),
                message: format!(
                    "unsupported DEM format {}: {EXPECTED_DEM}",
                    if ext.is_empty() {
                        "(no extension)".to_owned()
                    } else {
                        format!(".{ext}")
                    }
                ),
            }),
        }
    }

    /// Checks the grid lies within longitudes and latitudes (else it is projected).
    fn check_extent(self) -> Result<Self, ParseError> {
        let east = self.west_deg + self.ncols as f64 * self.cell_lon_deg;
        let south = self.north_deg - self.nrows as f64 * self.cell_lat_deg;
        let eps = 1e-6;
        if !(self.west_deg >= -180.0 - eps
            && east <= 360.0 + eps
            && south >= -90.0 - eps
            && self.north_deg <= 90.0 + eps)
        {
            return Err(unsupported(format!(
                "the grid spans x {:.6}..{:.6}, y {:.6}..{:.6}, which are not longitudes and latitudes (a projected DEM?)",
                self.west_deg, east, south, self.north_deg
            )));
        }
        Ok(self)
    }

    /// Reads a single-band geographic GeoTIFF (north-up, tie point + pixel scale).
    pub fn read_geotiff<R: std::io::Read + std::io::Seek>(reader: R) -> Result<Self, ParseError> {
        use tiff::decoder::{Decoder, DecodingResult};
        use tiff::tags::Tag;
        let fmt = |e: tiff::TiffError| unsupported(format!("not a readable TIFF ({e})"));
        let mut d = Decoder::new(reader).map_err(fmt)?;
        let (w, h) = d.dimensions().map_err(fmt)?;
        let scale = d.get_tag_f64_vec(Tag::ModelPixelScaleTag).map_err(|_| {
            if d.get_tag_f64_vec(Tag::ModelTransformationTag).is_ok() {
                unsupported("the GeoTIFF is rotated or sheared (ModelTransformation)")
            } else {
                unsupported("no ModelPixelScale tag: not a georeferenced GeoTIFF")
            }
        })?;
        let tie = d
            .get_tag_f64_vec(Tag::ModelTiepointTag)
            .map_err(|_| unsupported("no ModelTiepoint tag: not a georeferenced GeoTIFF"))?;
        if scale.len() < 2 || tie.len() < 6 || !(scale[0] > 0.0 && scale[1] > 0.0) {
            return Err(unsupported(
                "expected one tie point and positive pixel sizes",
            ));
        }
        if let Ok(keys) = d.get_tag_u32_vec(Tag::GeoKeyDirectoryTag) {
            // GTModelTypeGeoKey (1024) 1 projected / 3 geocentric; ProjectedCSTypeGeoKey
            // (3072) a projected CRS; GeographicTypeGeoKey (2048) must be WGS 84 (4326)
            // or user-defined (32767).
            for k in keys.chunks_exact(4).skip(1) {
                let what = match (k[0], k[3]) {
                    (1024, 1) => {
                        Some("the GeoTIFF is in a projected CRS (GTModelType 1)".to_owned())
                    }
                    (1024, 3) => Some("the GeoTIFF is geocentric (GTModelType 3)".to_owned()),
                    (3072, code) => {
                        Some(format!("the GeoTIFF is in a projected CRS (EPSG:{code})"))
                    }
                    (2048, code) if code != 4326 && code != 32767 => Some(format!(
                        "the GeoTIFF's geographic CRS is EPSG:{code}, not WGS 84"
                    )),
                    _ => None,
                };
                if let Some(what) = what {
                    return Err(unsupported(what));
                }
            }
        }
        let nodata = d
            .get_tag_ascii_string(Tag::GdalNodata)
            .ok()
            .and_then(|s| s.trim_matches(char::from(0)).trim().parse().ok());
        let heights_m: Vec<f64> =
            match d.read_image().map_err(fmt)? {
                DecodingResult::I16(v) => v.into_iter().map(f64::from).collect(),
                DecodingResult::U16(v) => v.into_iter().map(f64::from).collect(),
                DecodingResult::I32(v) => v.into_iter().map(f64::from).collect(),
                DecodingResult::U8(v) => v.into_iter().map(f64::from).collect(),
                DecodingResult::F32(v) => v.into_iter().map(f64::from).collect(),
                DecodingResult::F64(v) => v,
                _ => return Err(ParseError::Format(
                    "unsupported sample type (expected Int16, UInt16, Int32, Float32 or Float64)"
                        .into(),
                )),
            };
        let (ncols, nrows) = (w as usize, h as usize);
        if heights_m.len() != ncols * nrows {
            return Err(ParseError::Format("expected a single band".into()));
        }
        // Tie point raster (i, j) -> model (x, y); pixel-is-area: the grid's west/north edges.
        let west_deg = tie[3] - tie[0] * scale[0];
        let north_deg = tie[4] + tie[1] * scale[1];
        DemGrid {
            ncols,
            nrows,
            west_deg,
            north_deg,
            cell_lon_deg: scale[0],
            cell_lat_deg: scale[1],
            nodata,
            heights_m,
        }
        .check_extent()
    }

    /// Parses ESRI ASCII grid text (header keys `ncols nrows xllcorner|xllcenter yllcorner|yllcenter cellsize [nodata_value]`).
    pub fn parse_ascii(text: &str) -> Result<Self, ParseError> {
        let mut header = std::collections::HashMap::new();
        let mut lines = text.lines().enumerate().peekable();
        while let Some((_, l)) = lines.peek() {
            let mut f = l.split_whitespace();
            let Some(key) = f.next() else {
                lines.next();
                continue;
            };
            if key.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
                let n = lines.next().map_or(0, |x| x.0 + 1);
                let v: f64 = f
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or(ParseError::Line {
                        line: n,
                        message: format!("header {key}: expected a number"),
                    })?;
                header.insert(key.to_ascii_lowercase(), v);
            } else {
                break;
            }
        }
        let get = |k: &str| {
            header
                .get(k)
                .copied()
                .ok_or_else(|| ParseError::Format(format!("missing header {k}")))
        };
        let ncols = get("ncols")? as usize;
        let nrows = get("nrows")? as usize;
        let cell_deg = get("cellsize")?;
        if ncols == 0
            || nrows == 0
            || cell_deg.is_nan()
            || cell_deg <= 0.0
            || ncols.saturating_mul(nrows) > 200_000_000
        {
            return Err(ParseError::Format(
                "ncols, nrows and cellsize must be positive".into(),
            ));
        }
        let half = |k: &str| {
            if header.contains_key(k) {
                cell_deg / 2.0
            } else {
                0.0
            }
        };
        let west_deg = header
            .get("xllcorner")
            .or(header.get("xllcenter"))
            .copied()
            .ok_or(ParseError::Format("missing header xllcorner".into()))?
            - half("xllcenter");
        let south = header
            .get("yllcorner")
            .or(header.get("yllcenter"))
            .copied()
            .ok_or(ParseError::Format("missing header yllcorner".into()))?
            - half("yllcenter");
        let mut heights_m = Vec::with_capacity(ncols * nrows);
        for (n, l) in lines {
            for v in l.split_whitespace() {
                heights_m.push(v.parse().map_err(|_| ParseError::Line {
                    line: n + 1,
                    message: format!("expected a height, found {v:?}"),
                })?);
            }
        }
        if heights_m.len() != ncols * nrows {
            return Err(ParseError::Format(format!(
                "expected {} heights ({ncols} x {nrows}), found {}",
                ncols * nrows,
                heights_m.len()
            )));
        }
        DemGrid {
            ncols,
            nrows,
            west_deg,
            north_deg: south + nrows as f64 * cell_deg,
            cell_lon_deg: cell_deg,
            cell_lat_deg: cell_deg,
            nodata: header.get("nodata_value").copied(),
            heights_m,
        }
        .check_extent()
    }

    fn cell(&self, col: usize, row: usize) -> Option<f64> {
        let v = *self.heights_m.get(row * self.ncols + col)?;
        if self.nodata == Some(v) || !v.is_finite() {
            None
        } else {
            Some(v)
        }
    }
}

impl ElevationModel for DemGrid {
    /// Bilinear between cell centres; `None` outside the grid or next to nodata.
    fn elevation_m(&self, p: LatLon) -> Option<f64> {
        let x = (p.lon_deg - self.west_deg) / self.cell_lon_deg - 0.5;
        let y = (self.north_deg - p.lat_deg) / self.cell_lat_deg - 0.5;
        if !(x.is_finite() && y.is_finite())
            || x < -0.5
            || y < -0.5
            || x > self.ncols as f64 - 0.5
            || y > self.nrows as f64 - 0.5
        {
            return None;
        }
        let x = x.clamp(0.0, (self.ncols - 1) as f64);
        let y = y.clamp(0.0, (self.nrows - 1) as f64);
        let (c0, r0) = (x.floor() as usize, y.floor() as usize);
        let (c1, r1) = ((c0 + 1).min(self.ncols - 1), (r0 + 1).min(self.nrows - 1));
        let (fx, fy) = (x - c0 as f64, y - r0 as f64);
        let mut sum = 0.0;
        for (c, r, w) in [
            (c0, r0, (1.0 - fx) * (1.0 - fy)),
            (c1, r0, fx * (1.0 - fy)),
            (c0, r1, (1.0 - fx) * fy),
            (c1, r1, fx * fy),
        ] {
            if w > 0.0 {
                sum += self.cell(c, r)? * w;
            }
        }
        Some(sum)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bilinear_heights_and_nodata() {
        let g = DemGrid::parse_ascii("ncols 2\nnrows 2\nxllcorner 2.0\nyllcorner 13.0\ncellsize 1.0\nNODATA_value -9999\n100 200\n300 -9999\n").unwrap();
        assert_eq!(g.elevation_m(LatLon::new(14.5, 2.5)), Some(100.0));
        assert_eq!(g.elevation_m(LatLon::new(14.5, 3.0)), Some(150.0));
        assert_eq!(g.elevation_m(LatLon::new(13.5, 3.5)), None);
        assert_eq!(g.elevation_m(LatLon::new(20.0, 2.5)), None);
        assert!(
            DemGrid::parse_ascii("ncols 2\nnrows 2\nxllcorner 0\nyllcorner 0\ncellsize 1\n1 2 3\n")
                .is_err()
        );
    }
}
