//! `geo-intel`: the command-line face of the geo-intel library.

mod args;
mod commands;

use std::sync::Mutex;

use clap::Parser;
use gdal::errors::CplErrType;

/// GDAL failure messages of this run, shown under an error (the library's error
/// carries GDAL's last message; earlier ones often say more, e.g. which tile broke).
static GDAL_FAILURES: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn main() -> std::process::ExitCode {
    gdal::config::set_error_handler(|class, _num, msg| match class {
        CplErrType::Warning => eprintln!("gdal warning: {msg}"),
        CplErrType::Failure | CplErrType::Fatal => {
            if let Ok(mut v) = GDAL_FAILURES.lock() {
                v.push(msg.to_string());
            }
        }
        _ => {}
    });
    let cli = args::Cli::parse_from(args::protect_negative_positions(std::env::args()));
    match commands::run(&cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            let text = format!("{e:#}");
            eprintln!("error: {text}");
            if let Ok(v) = GDAL_FAILURES.lock() {
                for m in v.iter().filter(|m| !text.contains(m.as_str())) {
                    eprintln!("  gdal: {m}");
                }
            }
            std::process::ExitCode::FAILURE
        }
    }
}
