//! `convert IN OUT`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use mission_planner::files::{self, Format};
use mission_planner::{GeoFence, Mission, Plan};

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// Input plan (.plan, .mission, .waypoints, .txt).
    pub input: PathBuf,
    /// Output file; format by extension (.plan, .mission, .waypoints/.txt, .kml, .geojson).
    /// A WPL file holds one list: a plan's fence and rally points then go to
    /// OUT-fence.EXT and OUT-rally.EXT beside it.
    pub output: PathBuf,
    /// Print the files written as JSON.
    #[arg(long)]
    pub json: bool,
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("plan");
    let ext = path
        .extension()
        .and_then(|s| s.to_str())
        .unwrap_or("waypoints");
    path.with_file_name(format!("{stem}-{suffix}.{ext}"))
}

pub fn run(a: ConvertArgs) -> Result<ExitCode> {
    let plan = crate::common::load_plan(&a.input)?;
    let has_mission = plan.mission.home.is_some() || !plan.mission.items.is_empty();
    let lists = [
        has_mission,
        !plan.fence.is_empty(),
        !plan.rally_points.is_empty(),
    ];
    if Format::from_path(&a.output) == Some(Format::Wpl) && lists.iter().filter(|x| **x).count() > 1
    {
        let mut written = Vec::new();
        if has_mission {
            let p = Plan {
                mission: plan.mission.clone(),
                ..Plan::default()
            };
            files::save_plan(&p, &a.output)?;
            written.push(a.output.clone());
        }
        if !plan.fence.is_empty() {
            let out = if has_mission {
                sibling(&a.output, "fence")
            } else {
                a.output.clone()
            };
            files::save_plan(
                &Plan {
                    mission: Mission::default(),
                    fence: plan.fence.clone(),
                    rally_points: vec![],
                },
                &out,
            )?;
            written.push(out);
        }
        if !plan.rally_points.is_empty() {
            let out = sibling(&a.output, "rally");
            let p = Plan {
                mission: Mission::default(),
                fence: GeoFence::default(),
                rally_points: plan.rally_points.clone(),
            };
            files::save_plan(&p, &out)?;
            written.push(out);
        }
        report(&written, a.json)?;
        return Ok(ExitCode::SUCCESS);
    }
    files::save_plan(&plan, &a.output)?;
    report(&[a.output], a.json)?;
    Ok(ExitCode::SUCCESS)
}

fn report(written: &[PathBuf], json: bool) -> Result<()> {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "written": written }))?
        );
    } else {
        for w in written {
            eprintln!("wrote {}", w.display());
        }
    }
    Ok(())
}
