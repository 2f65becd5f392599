//! `geo-intel`: the command-line face of the geo-intel library.
//!
//! Exit status: 0 when the command succeeded, 1 when it failed (no DEM data under the
//! request, a write failed, a catalog has problems), 2 on bad input (bad arguments, as
//! clap reports them, or an input file that cannot be read or used). With `--json`, a
//! failure is also printed on stdout as `{"error": ..., "exit_code": ...}`.

mod args;
mod commands;
mod tracks;

use std::process::ExitCode;
use std::sync::Mutex;

use clap::Parser;
use gdal::errors::CplErrType;
use geo_intel::GeoError;

/// GDAL failure messages of this run, shown under an error (the library's error
/// carries GDAL's last message; earlier ones often say more, e.g. which tile broke).
static GDAL_FAILURES: Mutex<Vec<String>> = Mutex::new(Vec::new());

use vigil_exit::{BAD_INPUT, FAILURE};

fn main() -> ExitCode {
    gdal::config::set_error_handler(|class, _num, msg| match class {
        CplErrType::Warning => eprintln!("gdal warning: {msg}"),
        CplErrType::Failure | CplErrType::Fatal => {
            if let Ok(mut v) = GDAL_FAILURES.lock() {
                v.push(msg.to_string());
            }
        }
        _ => {}
    });
    // clap prints its own message and exits 2 on bad arguments (0 for --help).
    let cli = args::Cli::parse_from(args::protect_negative_positions(std::env::args()));
    let Err(e) = commands::run(&cli) else {
        return ExitCode::SUCCESS;
    };
    let code = exit_code(&e);
    let mut text = vigil_exit::error_text(e.as_ref());
    if let Ok(v) = GDAL_FAILURES.lock() {
        let more: Vec<&String> = v.iter().filter(|m| !text.contains(m.as_str())).collect();
        for m in more {
            text = format!("{text}\n  gdal: {m}");
        }
    }
    vigil_exit::fail("geo-intel", cli.json, &text, code)
}

/// 2 for errors about the input (files that cannot be opened, read or used, bad
/// argument values), 1 for everything else.
fn exit_code(e: &anyhow::Error) -> u8 {
    match e.downcast_ref::<GeoError>() {
        Some(
            GeoError::Open { .. }
            | GeoError::Read { .. }
            | GeoError::Crs { .. }
            | GeoError::Empty { .. }
            | GeoError::Invalid { .. }
            | GeoError::Argument(_),
        ) => BAD_INPUT,
        Some(GeoError::NotCovered { .. } | GeoError::Write { .. }) | None => FAILURE,
    }
}
