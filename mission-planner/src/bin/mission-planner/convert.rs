//! `convert IN OUT`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use mission_planner::files;

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// Input plan (.plan, .mission, .waypoints, .txt).
    pub input: PathBuf,
    /// Output file; format by extension (.plan, .mission, .waypoints/.txt, .kml, .geojson).
    pub output: PathBuf,
}

pub fn run(a: ConvertArgs) -> Result<ExitCode> {
    let plan = files::load_plan(&a.input)?;
    files::save_plan(&plan, &a.output)?;
    eprintln!("wrote {}", a.output.display());
    Ok(ExitCode::SUCCESS)
}
