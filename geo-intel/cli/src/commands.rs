//! One function per subcommand: call the library, print text or JSON.

use std::path::Path;

use anyhow::Result;
use geo_intel::GeoError;
use geo_intel::coverage::{CoverageParams, coverage};
use geo_intel::elevation::{Dem, bounds_of};
use geo_intel::grid::Grid;
use geo_intel::prelude::*;
use geo_intel::risk::{RiskParams, compute_risk};
use geo_intel::vector::read_vector_layer;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use crate::args::{Cli, Command, HeatmapArgs};

fn spinner(msg: &str) -> ProgressBar {
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {elapsed} {msg}").expect("valid template"),
    );
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    pb.set_message(msg.to_string());
    pb
}

fn print_json(v: &serde_json::Value) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

/// Runs the parsed command line.
pub fn run(cli: &Cli) -> Result<()> {
    match &cli.command {
        Command::Info { file } => info(file, cli.json),
        Command::Sample { dems, points } => {
            let dem = Dem::open_area(dems, &bounds_of(points))?;
            let elevs = dem.sample_many(points);
            if cli.json {
                let rows: Vec<_> = points
                    .iter()
                    .zip(&elevs)
                    .map(|(p, e)| json!({"lat_deg": p.lat_deg, "lon_deg": p.lon_deg, "elev_m": e}))
                    .collect();
                print_json(&json!(rows))
            } else {
                for (p, e) in points.iter().zip(&elevs) {
                    match e {
                        Some(h) => println!("{p}\t{h:.1} m"),
                        None => println!("{p}\tno data"),
                    }
                }
                Ok(())
            }
        }
        Command::Profile {
            dems,
            step_m,
            points,
        } => {
            let dem = Dem::open_area(dems, &bounds_of(points))?;
            let prof = dem.profile(points, *step_m)?;
            if cli.json {
                print_json(&serde_json::to_value(&prof)?)
            } else {
                for p in &prof {
                    let h = p
                        .elev_m
                        .map_or("no data".to_string(), |h| format!("{h:.1} m"));
                    println!("{:10.1} m\t{}\t{h}", p.distance_m, p.position);
                }
                Ok(())
            }
        }
        Command::Heatmap(a) => heatmap(a, cli.json),
        Command::RankBorder {
            border,
            risk,
            segment_km,
            top,
        } => {
            let pb = spinner("reading border and risk grid");
            let layer = read_vector_layer(border, None)?.require_features()?;
            let grid = Grid::read(risk, 1)?;
            pb.set_message("ranking segments");
            let mut ranked = geo_intel::border::rank_border(&layer, &grid, *segment_km)?;
            pb.finish_and_clear();
            if let Some(n) = top {
                ranked.truncate(*n);
            }
            if cli.json {
                let rows: Vec<_> = ranked
                    .iter()
                    .map(|s| {
                        json!({"rank": s.rank, "line": s.line, "from_km": s.from_km, "to_km": s.to_km,
                               "mean_risk": s.mean_risk, "max_risk": s.max_risk,
                               "start": s.path.first(), "end": s.path.last()})
                    })
                    .collect();
                print_json(&json!(rows))
            } else {
                println!("rank\tline\tfrom_km\tto_km\tmean_risk\tmax_risk");
                for s in &ranked {
                    println!(
                        "{}\t{}\t{:.1}\t{:.1}\t{:.4}\t{:.4}",
                        s.rank, s.line, s.from_km, s.to_km, s.mean_risk, s.max_risk
                    );
                }
                Ok(())
            }
        }
        Command::Coverage {
            border,
            tracks,
            footprint_m,
            since_hours,
            now,
            output,
        } => {
            let pb = spinner("reading border and tracks");
            let layer = read_vector_layer(border, None)?.require_features()?;
            let mut all = Vec::new();
            for t in tracks {
                all.extend(crate::tracks::read_tracks(t)?);
            }
            pb.set_message(format!("checking coverage of {} tracks", all.len()));
            let params = CoverageParams {
                footprint_m: *footprint_m,
                since_hours: *since_hours,
                now: *now,
            };
            let report = coverage(&layer, &all, &params)?;
            pb.finish_and_clear();
            if let Some(out) = output {
                let text = serde_json::to_string(&report.to_geojson())?;
                vigil_fs::write_atomic(out, text.as_bytes())
                    .map_err(|e| GeoError::write(out, e.source))?;
            }
            if cli.json {
                print_json(&serde_json::to_value(&report)?)
            } else {
                println!(
                    "observed {:.1} of {:.1} km ({:.1} %), {} track segments used, {} outside the window",
                    report.observed_km,
                    report.total_km,
                    100.0 * report.observed_fraction,
                    report.segments_used,
                    report.segments_excluded
                );
                for l in &report.lines {
                    println!(
                        "{}: {:.1} / {:.1} km observed, {} gaps",
                        l.name,
                        l.observed_km,
                        l.length_km,
                        l.gaps.len()
                    );
                }
                Ok(())
            }
        }
        Command::Catalog { file } => {
            let cat = geo_intel::catalog::Catalog::load(file)?;
            let issues = cat.validate();
            if cli.json {
                print_json(&json!({"layers": cat.layers, "issues": issues}))?;
            } else {
                for l in &cat.layers {
                    println!("{}\t{:?}\t{}", l.name, l.kind, cat.source_path(l).display());
                }
                for i in &issues {
                    println!("problem: {}: {}", i.layer, i.message);
                }
            }
            anyhow::ensure!(
                issues.is_empty(),
                "{} problem(s) in {}",
                issues.len(),
                file.display()
            );
            Ok(())
        }
    }
}

fn info(file: &Path, as_json: bool) -> Result<()> {
    let info = geo_intel::info::inspect(file)?;
    if as_json {
        return print_json(&serde_json::to_value(&info)?);
    }
    println!("{} ({})", info.path, info.driver);
    if let Some(r) = &info.raster {
        println!(
            "raster {} x {}, {} band(s), CRS {} (EPSG {:?})",
            r.cols,
            r.rows,
            r.bands.len(),
            r.crs,
            r.epsg
        );
        let e = r.extent_wgs84;
        println!(
            "extent lon {:.5}..{:.5}, lat {:.5}..{:.5}",
            e.west_deg, e.east_deg, e.south_deg, e.north_deg
        );
    }
    for l in &info.layers {
        println!(
            "layer {:?}: {} {} feature(s), CRS {}",
            l.name, l.feature_count, l.geometry_type, l.crs
        );
        if let Some(e) = l.extent_wgs84 {
            println!(
                "  extent lon {:.5}..{:.5}, lat {:.5}..{:.5}",
                e.west_deg, e.east_deg, e.south_deg, e.north_deg
            );
        }
        println!("  fields: {}", l.fields.join(", "));
    }
    Ok(())
}

fn heatmap(a: &HeatmapArgs, as_json: bool) -> Result<()> {
    let pb = spinner("reading incidents");
    let incidents = geo_intel::incidents::read_incidents(&a.incidents, a.time_field.as_deref())?;
    pb.set_message(format!("kernel density of {} incidents", incidents.len()));
    let params = RiskParams {
        cell_m: a.cell_m,
        bandwidth_m: a.bandwidth_m,
        half_life_days: a.half_life_days,
        now: a.now,
        area: a.area,
    };
    let grid = compute_risk(&incidents, &params, &a.incidents)?;
    pb.set_message(format!("writing {}", a.output.display()));
    grid.write_geotiff(&a.output)?;
    pb.finish_and_clear();
    let summary = json!({
        "output": a.output.display().to_string(),
        "cols": grid.spec.cols,
        "rows": grid.spec.rows,
        "cell_m": grid.spec.cell_m,
        "incidents_read": incidents.len(),
        "incidents_used": grid.incidents_used,
        "now": grid.now.map(|t| t.to_rfc3339()),
        "max_risk_per_km2": grid.max_value(),
    });
    if as_json {
        print_json(&summary)
    } else {
        println!(
            "wrote {} ({} x {} cells of {} m) from {} of {} incidents; max {:.4} per km2",
            a.output.display(),
            grid.spec.cols,
            grid.spec.rows,
            grid.spec.cell_m,
            grid.incidents_used,
            incidents.len(),
            grid.max_value()
        );
        Ok(())
    }
}
