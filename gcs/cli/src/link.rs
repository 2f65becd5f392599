//! Opening the links given with `--connect` and waiting for the vehicle.

use anyhow::{Context, Result};
use gcs_link::{LinkAddress, LinkConfig, LinkHandle, VehicleId};

use crate::Cli;
use crate::exit::bad_input;

/// The link core's configuration from the global options (links, identity, telemetry
/// log directory, signing key): the same [`LinkConfig`] the app builds.
pub fn config(cli: &Cli, links: Vec<LinkAddress>) -> Result<LinkConfig> {
    LinkConfig::station(
        links,
        cli.sysid,
        cli.tlog.clone(),
        cli.signing_key.as_deref(),
    )
    .map_err(bad_input)
    .context("--signing-key")
}

/// Opens the `--connect` links and waits for the vehicle (`--target`, or the first heard).
pub async fn connect(cli: &Cli) -> Result<(LinkHandle, VehicleId)> {
    if cli.connect.is_empty() {
        return Err(bad_input(anyhow::anyhow!(
            "no link: give --connect ADDR (e.g. --connect udpin:0.0.0.0:14550)"
        )));
    }
    connect_to(cli, cli.connect.clone()).await
}

/// Opens `links` and waits for the vehicle (`--target`, or the first heard).
pub async fn connect_to(cli: &Cli, links: Vec<LinkAddress>) -> Result<(LinkHandle, VehicleId)> {
    let link = gcs_link::start(config(cli, links)?)
        .await
        .context("opening the links")?;
    let wait = cli.wait_s;
    let snap = link
        .wait_for(wait, |s| match cli.target {
            Some(t) => s.by_sysid(t).is_some(),
            None => !s.vehicles.is_empty(),
        })
        .await
        .with_context(|| {
            let secs = wait.as_secs_f64();
            let heard = match cli.target {
                Some(t) => format!("no HEARTBEAT from vehicle {t} within {secs} s"),
                None => format!("no vehicle heard within {secs} s"),
            };
            let s = link.snapshot().signing;
            if s.rejected() == 0 {
                return heard;
            }
            format!(
                "{heard}; dropped {} unsigned, {} wrongly signed and {} replayed frames \
                 (check --signing-key)",
                s.rejected_unsigned, s.rejected_bad_signature, s.rejected_replayed
            )
        })?;
    let v = match cli.target {
        Some(t) => snap.by_sysid(t),
        None => snap.vehicles.values().next(),
    }
    .expect("waited for it");
    Ok((link, v.id))
}
