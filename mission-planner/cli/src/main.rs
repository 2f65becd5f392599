//! `mission-planner`: border patrols, surveys, validation and file conversion.

mod common;
mod convert;
mod patrol;
mod survey;
mod table;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Vigil mission planner: border patrols, surveys, validation and plan files.
#[derive(Debug, Parser)]
#[command(name = "mission-planner", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Plan a border patrol: one QGroundControl .plan per sortie plus patrol.geojson.
    Patrol(patrol::PatrolArgs),
    /// Generate a lawnmower survey, corridor scan or orbit as a plan file.
    Survey(survey::SurveyArgs),
    /// Validate a plan: fences, terrain clearance, ceiling, endurance, items, jumps.
    Validate(validate::ValidateArgs),
    /// Convert between .plan, .mission, .waypoints/.txt, .kml and .geojson.
    Convert(convert::ConvertArgs),
    /// Distance, time and battery estimate of a plan.
    Stats(validate::StatsArgs),
}

impl Command {
    /// Whether `--json` was asked for (failures are then reported as JSON too).
    fn json(&self) -> bool {
        match self {
            Command::Patrol(a) => a.json,
            Command::Survey(a) => a.json,
            Command::Validate(a) => a.json,
            Command::Convert(a) => a.json,
            Command::Stats(a) => a.json,
        }
    }
}

/// 1 when a file could not be written (the operation failed), 2 for everything else
/// that ends in an error here: the plans, fences, DEMs and arguments given.
fn exit_code(e: &anyhow::Error) -> u8 {
    let write_failed = e.chain().any(|c| {
        matches!(
            c.downcast_ref::<mission_planner::files::FileError>(),
            Some(mission_planner::files::FileError::Write { .. })
        )
    });
    if write_failed {
        vigil_exit::FAILURE
    } else {
        vigil_exit::BAD_INPUT
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.command.json();
    let result = match cli.command {
        Command::Patrol(a) => patrol::run(a),
        Command::Survey(a) => survey::run(a),
        Command::Validate(a) => validate::run_validate(a),
        Command::Convert(a) => convert::run(a),
        Command::Stats(a) => validate::run_stats(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => vigil_exit::fail(
            "mission-planner",
            json,
            &vigil_exit::error_text(e.as_ref()),
            exit_code(&e),
        ),
    }
}
