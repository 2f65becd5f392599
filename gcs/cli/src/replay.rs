//! `gcs-cli replay`: a telemetry log shown as a live link until it ends.

use std::path::Path;
use std::time::Duration;

use anyhow::Result;
use gcs_link::LinkAddress;
use gcs_link::address::ReplaySpeed;
use gcs_link::tlog::TlogReader;

use crate::Cli;
use crate::exit::bad_input;
use crate::link::connect_to;
use crate::output::clear_screen;
use crate::watch;

/// Shows a replayed log until every vehicle in it has gone silent (the log ended).
///
/// A missing, unreadable or empty file, or one holding no MAVLink frames, is bad
/// input (exit status 2) named at once, before any link opens.
pub async fn run(cli: &Cli, file: &Path, speed: ReplaySpeed, every: Duration) -> Result<()> {
    TlogReader::open_replayable(file).map_err(bad_input)?;
    let address = LinkAddress::Tlog {
        path: file.to_path_buf(),
        speed,
    };
    let (link, _) = connect_to(cli, vec![address]).await?;
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        let snap = link.snapshot();
        if cli.json {
            println!("{}", serde_json::to_string(&snap)?);
        } else {
            print!("{}{}", clear_screen(), watch::table(&snap));
        }
        if snap.vehicles.values().all(|v| v.link_lost) {
            if !cli.json {
                println!("end of {}", file.display());
            }
            return Ok(());
        }
    }
}
