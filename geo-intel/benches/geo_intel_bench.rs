//! geo-intel benchmarks: run with `cargo bench -p geo-intel`; prints figures.
//!
//! 1. DEM bilinear samples per second against GDAL's own per-point RasterIO
//!    (a 2 x 2 window read per point, then the same bilinear) on the GLOBE Niger DEM.
//! 2. Kernel density of 100,000 incidents on a 1,000 x 1,000 grid (one core).
//! 3. Loading 1,000,000 points from a GeoPackage against `ogr2ogr` of the same
//!    file to /vsimem (needs gdal-bin's `ogr2ogr` on PATH; skipped with a note if not).

use std::path::Path;
use std::time::Instant;

use gdal::vector::LayerAccess;
use geo_intel::elevation::Dem;
use geo_intel::prelude::*;
use geo_intel::risk::{GridSpec, WeightedPoint, kernel_density};
use mission_planner::LatLon;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data");

fn main() {
    let mut rng = StdRng::seed_from_u64(7);
    dem_bench(&mut rng);
    kde_bench(&mut rng);
    gpkg_bench(&mut rng);
}

fn dem_bench(rng: &mut StdRng) {
    let path = Path::new(DATA).join("03_dem/globe_g10g_niger_30arcsec.tif");
    let dem = Dem::open(&path).unwrap_or_else(|e| panic!("bench needs {}: {e}", path.display()));
    let n = 1_000_000;
    let pts: Vec<LatLon> = (0..n)
        .map(|_| LatLon::new(rng.random_range(11.1..23.9), rng.random_range(0.1..16.4)))
        .collect();
    let t = Instant::now();
    let ours = dem.sample_many(&pts);
    let ours_s = t.elapsed().as_secs_f64();
    let ours_rate = n as f64 / ours_s;

    let ds = gdal::Dataset::open(&path).expect("open DEM");
    let band = ds.rasterband(1).expect("band 1");
    let gt = ds.geo_transform().expect("geotransform");
    let (cols, rows) = ds.raster_size();
    let m = 100_000;
    let t = Instant::now();
    let mut max_diff: f64 = 0.0;
    for (p, ours) in pts.iter().zip(&ours).take(m) {
        let fx = (p.lon_deg - gt[0]) / gt[1] - 0.5;
        let fy = (p.lat_deg - gt[3]) / gt[5] - 0.5;
        let x0 = (fx.floor().max(0.0) as usize).min(cols - 2);
        let y0 = (fy.floor().max(0.0) as usize).min(rows - 2);
        let buf = band
            .read_as::<f32>((x0 as isize, y0 as isize), (2, 2), (2, 2), None)
            .expect("RasterIO");
        let v = buf.data();
        let tx = (fx - x0 as f64).clamp(0.0, 1.0);
        let ty = (fy - y0 as f64).clamp(0.0, 1.0);
        let h = f64::from(v[0]) * (1.0 - tx) * (1.0 - ty)
            + f64::from(v[1]) * tx * (1.0 - ty)
            + f64::from(v[2]) * (1.0 - tx) * ty
            + f64::from(v[3]) * tx * ty;
        if let Some(o) = ours {
            max_diff = max_diff.max((o - h).abs());
        }
    }
    let gdal_rate = m as f64 / t.elapsed().as_secs_f64();
    println!(
        "DEM bilinear sampling: {ours_rate:.0} samples/s (geo-intel, owned grid, {n} points) vs {gdal_rate:.0} samples/s (GDAL RasterIO 2x2 per point, {m} points): {:.1}x; max difference {max_diff:.3} m",
        ours_rate / gdal_rate
    );
}

fn kde_bench(rng: &mut StdRng) {
    let spec = GridSpec {
        west_m: 0.0,
        north_m: 1_000_000.0,
        cell_m: 1000.0,
        cols: 1000,
        rows: 1000,
    };
    let pts: Vec<WeightedPoint> = (0..100_000)
        .map(|_| WeightedPoint {
            x_m: rng.random_range(0.0..1_000_000.0),
            y_m: rng.random_range(0.0..1_000_000.0),
            weight: rng.random_range(0.5..5.0),
        })
        .collect();
    let t = Instant::now();
    let grid = kernel_density(&pts, &spec, 5000.0);
    let s = t.elapsed().as_secs_f64();
    let mass: f64 = grid.iter().map(|&v| f64::from(v)).sum::<f64>();
    println!(
        "Kernel density: 100,000 incidents on 1,000 x 1,000 cells (1 km, bandwidth 5 km), one core: {s:.3} s (grid mass {mass:.0} per km2 summed)"
    );
}

fn gpkg_bench(rng: &mut StdRng) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("points_1m.gpkg");
    let n = 1_000_000;
    {
        let driver = gdal::DriverManager::get_driver_by_name("GPKG").expect("GPKG driver");
        let mut ds = driver.create_vector_only(&path).expect("create gpkg");
        let srs = geo_intel::crs::wgs84();
        let mut txn = ds.start_transaction().expect("transaction");
        {
            let mut layer = txn
                .create_layer(gdal::vector::LayerOptions {
                    name: "points",
                    srs: Some(&srs),
                    ty: gdal::vector::OGRwkbGeometryType::wkbPoint,
                    options: None,
                })
                .expect("layer");
            for _ in 0..n {
                let mut g =
                    gdal::vector::Geometry::empty(gdal::vector::OGRwkbGeometryType::wkbPoint)
                        .expect("point");
                g.add_point_2d((rng.random_range(0.0..16.0), rng.random_range(11.0..24.0)));
                layer.create_feature(g).expect("feature");
            }
        }
        txn.commit().expect("commit");
    }
    let t = Instant::now();
    let layer = geo_intel::vector::read_vector_layer(&path, None).expect("read gpkg");
    let ours = t.elapsed().as_secs_f64();
    assert_eq!(layer.features.len(), n);
    let ogr2ogr = |format: &str, dest: &str| {
        let t = Instant::now();
        let ok = std::process::Command::new("ogr2ogr")
            .args(["-f", format, dest])
            .arg(&path)
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| t.elapsed().as_secs_f64())
    };
    match (
        ogr2ogr("GPKG", "/vsimem/copy.gpkg"),
        ogr2ogr("Memory", "/vsimem/copy"),
    ) {
        (Some(gpkg), Some(mem)) => println!(
            "GeoPackage load of {n} points: geo-intel {ours:.2} s into owned WGS84 features; ogr2ogr of the same file to /vsimem GPKG {gpkg:.2} s (ratio {:.2}), to the Memory driver {mem:.2} s (ratio {:.2})",
            ours / gpkg,
            ours / mem
        ),
        _ => println!(
            "GeoPackage load of {n} points: geo-intel {ours:.2} s; ogr2ogr not available for the comparison (install gdal-bin)"
        ),
    }
}
