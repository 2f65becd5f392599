//! `gcs-cli mission`: mission, geofence and rally point transfers.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Subcommand, ValueEnum};
use gcs_link::mission::{MissionClient, MissionType, Progress};

use crate::Cli;
use crate::exit::bad_input;
use crate::link::connect;
use crate::output::{progress_bar, report};
use crate::plan_io;

/// Which list a transfer moves.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ListType {
    Mission,
    Fence,
    Rally,
}

impl From<ListType> for MissionType {
    fn from(t: ListType) -> Self {
        match t {
            ListType::Mission => MissionType::Mission,
            ListType::Fence => MissionType::Fence,
            ListType::Rally => MissionType::Rally,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum MissionOp {
    /// Upload a plan file (.plan, .waypoints/.txt, or MAVLink items as .json).
    Upload {
        /// The file.
        file: PathBuf,
        /// Which list to upload from it.
        #[arg(long = "type", value_enum, default_value = "mission")]
        list: ListType,
    },
    /// Download the vehicle's list to a file (format by extension), written atomically.
    Download {
        /// Where to write it.
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
        /// Which list.
        #[arg(long = "type", value_enum, default_value = "mission")]
        list: ListType,
    },
    /// Empty the vehicle's list.
    Clear {
        /// Which list.
        #[arg(long = "type", value_enum, default_value = "mission")]
        list: ListType,
    },
}

pub async fn run(cli: &Cli, op: &MissionOp) -> Result<()> {
    let (link, id) = connect(cli).await?;
    let client = MissionClient::new(link.sender());
    match op {
        MissionOp::Upload { file, list } => {
            let t: MissionType = (*list).into();
            // An unreadable or invalid plan file is bad input (exit status 2).
            let items = plan_io::load_items(file, t).map_err(bad_input)?;
            let bar = progress_bar(cli.json, "uploading");
            let update = |p: Progress| {
                bar.set_length(p.total as u64);
                bar.set_position(p.done as u64);
            };
            let id_out = client
                .upload(id, t, items.clone(), update, None)
                .await
                .with_context(|| format!("uploading {} to {id}", file.display()))?;
            bar.finish();
            report(
                cli.json,
                serde_json::json!({"uploaded": items.len(), "type": format!("{t:?}"), "opaque_id": id_out}),
                format!("uploaded {} {t:?} items to {id}", items.len()),
            );
        }
        MissionOp::Download { output, list } => {
            let t: MissionType = (*list).into();
            let bar = progress_bar(cli.json, "downloading");
            let update = |p: Progress| {
                bar.set_length(p.total as u64);
                bar.set_position(p.done as u64);
            };
            let items = client
                .download(id, t, update, None)
                .await
                .with_context(|| format!("downloading from {id}"))?;
            bar.finish();
            plan_io::save_items(output, t, &items)
                .with_context(|| format!("writing {}", output.display()))?;
            report(
                cli.json,
                serde_json::json!({"downloaded": items.len(), "type": format!("{t:?}"), "file": output}),
                format!(
                    "downloaded {} {t:?} items to {}",
                    items.len(),
                    output.display()
                ),
            );
        }
        MissionOp::Clear { list } => {
            let t: MissionType = (*list).into();
            client
                .clear(id, t)
                .await
                .with_context(|| format!("clearing {t:?} on {id}"))?;
            report(
                cli.json,
                serde_json::json!({"cleared": format!("{t:?}")}),
                format!("cleared {t:?} on {id}"),
            );
        }
    }
    Ok(())
}
