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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Patrol(a) => patrol::run(a),
        Command::Survey(a) => survey::run(a),
        Command::Validate(a) => validate::run_validate(a),
        Command::Convert(a) => convert::run(a),
        Command::Stats(a) => validate::run_stats(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // Print the chain of causes, skipping those a message already quotes.
            let mut text = e.to_string();
            for cause in e.chain().skip(1) {
                let c = cause.to_string();
                if !text.contains(&c) {
                    text = format!("{text}: {c}");
                }
            }
            eprintln!("error: {text}");
            ExitCode::from(2)
        }
    }
}
