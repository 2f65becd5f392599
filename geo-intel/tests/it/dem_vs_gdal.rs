//! `Dem::sample` against GDAL's own `gdallocationinfo -wgs84` on every DEM we have:
//! the pixel containing a point is GDAL's nearest pixel, and the bilinear height lies
//! within the values of the pixels around it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use geo_intel::elevation::Dem;
use geo_intel::prelude::*;
use mission_planner::LatLon;

use crate::util::{data, gdalinfo};

/// GDAL's value of the pixel containing each (lon, lat), one `gdallocationinfo` run.
fn gdal_values(path: &Path, points: &[LatLon]) -> Vec<f64> {
    let mut child = Command::new("gdallocationinfo")
        .args(["-valonly", "-wgs84", path.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the tests need Debian's gdal-bin (gdallocationinfo)");
    let input: String = points
        .iter()
        .map(|p| format!("{} {}\n", p.lon_deg, p.lat_deg))
        .collect();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            l.trim()
                .parse()
                .unwrap_or_else(|_| panic!("gdallocationinfo gave {l:?}"))
        })
        .collect()
}

/// The grid's pixel (column, row) containing `p`.
fn pixel(dem: &Dem, p: LatLon) -> (usize, usize) {
    let (mut xs, mut ys) = (vec![p.lon_deg], vec![p.lat_deg]);
    if let Some(proj) = &dem.grid.projection {
        proj.0.lon_lat_to_grid(&mut xs, &mut ys).unwrap();
    }
    let gt = dem.grid.geo_transform;
    (
        ((xs[0] - gt[0]) / gt[1]).floor() as usize,
        ((ys[0] - gt[3]) / gt[5]).floor() as usize,
    )
}

fn check(path: &Path, extra: &[LatLon]) -> usize {
    let dem = Dem::open(path).unwrap();
    let nodata = gdalinfo(path)["bands"][0]["noDataValue"].as_f64();
    // A 9 x 9 lattice inside the middle 80 % of the extent, off the cell grid.
    let b = dem.grid.bounds;
    let (w, h) = (b.east_deg - b.west_deg, b.north_deg - b.south_deg);
    let mut points: Vec<LatLon> = (0..81)
        .map(|i| {
            let (c, r) = ((i % 9) as f64, (i / 9) as f64);
            LatLon::new(
                b.south_deg + h * (0.1 + 0.8 * (r + 0.37) / 9.0),
                b.west_deg + w * (0.1 + 0.8 * (c + 0.61) / 9.0),
            )
        })
        .collect();
    points.extend_from_slice(extra);
    let gdal = gdal_values(path, &points);
    assert_eq!(gdal.len(), points.len(), "{}", path.display());
    let mut compared = 0;
    for (p, g) in points.iter().zip(&gdal) {
        let (col, row) = pixel(&dem, *p);
        match dem.grid.cell(col, row) {
            None => assert_eq!(
                Some(*g),
                nodata,
                "{} at {p}: GDAL {g}, ours nodata",
                path.display()
            ),
            Some(v) => {
                assert_eq!(f64::from(v), *g, "{} at {p}: nearest pixel", path.display());
                let around: Vec<f64> = (row.saturating_sub(1)..=row + 1)
                    .flat_map(|r| (col.saturating_sub(1)..=col + 1).map(move |c| (c, r)))
                    .filter_map(|(c, r)| dem.grid.cell(c, r).map(f64::from))
                    .collect();
                let lo = around.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = around.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let s = dem.sample(*p).expect("data under the point");
                assert!(
                    (lo - 1e-6..=hi + 1e-6).contains(&s),
                    "{} at {p}: bilinear {s} outside the neighbours {lo}..{hi}",
                    path.display()
                );
                compared += 1;
            }
        }
    }
    compared
}

#[test]
fn dem_sampling_agrees_with_gdallocationinfo_on_every_dem() {
    let dir = data("03_dem");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tif"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 5, "{files:?}");
    files.push(crate::util::asset("globe_niger_30arcsec.tif"));
    for f in &files {
        let compared = check(f, &[]);
        assert!(
            compared >= 60,
            "{}: only {compared} points with data",
            f.display()
        );
    }
}

#[test]
fn the_pixel_is_point_srtm_tile_reads_what_gdal_reads() {
    // SRTM N07W006 is AREA_OR_POINT=Point: GDAL shifts its origin half a pixel.
    let path = data("03_dem/srtm3_n07_w006_3arc_v2_cote_divoire.tif");
    let p = LatLon::new(7.009167, -5.5925);
    assert_eq!(gdal_values(&path, &[p]), [441.0]);
    check(&path, &[p]);
    let dem = Dem::open(&path).unwrap();
    let (col, row) = pixel(&dem, p);
    assert_eq!(dem.grid.cell(col, row), Some(441.0));
    let s = dem.sample(p).unwrap();
    assert!((s - 441.0).abs() < 1.0, "{s}");
    // The tile's corner is at -6.0004, 8.0004 (half a 3" pixel out), not -6, 8.
    assert!((dem.grid.bounds.west_deg + 6.000_416_7).abs() < 1e-6);
}
