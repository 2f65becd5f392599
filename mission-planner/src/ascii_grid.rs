//! A DEM read from an ESRI ASCII grid (`.asc`), so the CLI can follow real terrain
//! without GDAL (`gdal_translate -of AAIGrid dem.tif dem.asc` makes one).

use std::path::Path;

use crate::files::{FileError, ParseError};
use crate::{ElevationModel, LatLon};

/// A north-up grid of heights in a geographic (lon/lat degrees) frame.
#[derive(Debug, Clone, PartialEq)]
pub struct AsciiGrid {
    ncols: usize,
    nrows: usize,
    /// Longitude of the west edge of the grid, degrees.
    west_deg: f64,
    /// Latitude of the north edge of the grid, degrees.
    north_deg: f64,
    cell_deg: f64,
    nodata: Option<f64>,
    heights_m: Vec<f64>,
}

impl AsciiGrid {
    /// Reads a grid file.
    pub fn load(path: &Path) -> Result<Self, FileError> {
        let text = std::fs::read_to_string(path).map_err(|source| FileError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text).map_err(|error| FileError::Parse {
            path: path.to_owned(),
            error,
        })
    }

    /// Parses grid text (header keys `ncols nrows xllcorner|xllcenter yllcorner|yllcenter cellsize [nodata_value]`).
    pub fn parse(text: &str) -> Result<Self, ParseError> {
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
        Ok(AsciiGrid {
            ncols,
            nrows,
            west_deg,
            north_deg: south + nrows as f64 * cell_deg,
            cell_deg,
            nodata: header.get("nodata_value").copied(),
            heights_m,
        })
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

impl ElevationModel for AsciiGrid {
    /// Bilinear between cell centres; `None` outside the grid or next to nodata.
    fn elevation_m(&self, p: LatLon) -> Option<f64> {
        let x = (p.lon_deg - self.west_deg) / self.cell_deg - 0.5;
        let y = (self.north_deg - p.lat_deg) / self.cell_deg - 0.5;
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
        let g = AsciiGrid::parse("ncols 2\nnrows 2\nxllcorner 2.0\nyllcorner 13.0\ncellsize 1.0\nNODATA_value -9999\n100 200\n300 -9999\n").unwrap();
        assert_eq!(g.elevation_m(LatLon::new(14.5, 2.5)), Some(100.0));
        assert_eq!(g.elevation_m(LatLon::new(14.5, 3.0)), Some(150.0));
        assert_eq!(g.elevation_m(LatLon::new(13.5, 3.5)), None);
        assert_eq!(g.elevation_m(LatLon::new(20.0, 2.5)), None);
        assert!(
            AsciiGrid::parse("ncols 2\nnrows 2\nxllcorner 0\nyllcorner 0\ncellsize 1\n1 2 3\n")
                .is_err()
        );
    }
}
