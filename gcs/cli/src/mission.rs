//! `gcs-cli mission`: mission, geofence and rally point transfers.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use clap::{Subcommand, ValueEnum};
use gcs_link::VehicleId;
use gcs_link::mission::{MissionItemInt, MissionType, Progress};
use gcs_operator::{ALL_LISTS, PlanTransfer, TransferError};
use mission_planner::Plan;

use crate::Cli;
use crate::exit::bad_input;
use crate::link::connect;
use crate::output::{progress_bar, report};
use crate::plan_io;

/// Which list a transfer moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListType {
    Mission,
    Fence,
    Rally,
    /// Mission, geofence and rally points together (as the app uploads a plan).
    All,
}

impl ListType {
    /// The MAVLink lists it names, in the order QGroundControl sends them.
    fn lists(self) -> Vec<MissionType> {
        match self {
            ListType::Mission => vec![MissionType::Mission],
            ListType::Fence => vec![MissionType::Fence],
            ListType::Rally => vec![MissionType::Rally],
            ListType::All => ALL_LISTS.to_vec(),
        }
    }

    /// The one list a JSON file of raw items holds.
    fn single(self) -> Result<MissionType> {
        match self.lists().as_slice() {
            [t] => Ok(*t),
            _ => Err(bad_input(anyhow!(
                "a .json file holds one list of MAVLink items: give --type mission, fence or rally"
            ))),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum MissionOp {
    /// Upload a plan file (.plan, .waypoints/.txt, or MAVLink items as .json) as the
    /// vehicle's autopilot needs it (PX4 keeps its own home: a plan's home is not sent).
    Upload {
        /// The file.
        file: PathBuf,
        /// Which list to upload from it (`all`: mission, geofence and rally points).
        #[arg(long = "type", value_enum, default_value = "mission")]
        list: ListType,
    },
    /// Download the vehicle's list to a file (format by extension), written atomically;
    /// the plan's home is the vehicle's own home position.
    Download {
        /// Where to write it.
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
        /// Which list (`all`: mission, geofence and rally points, for a .plan file).
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

/// A transfer error as this binary reports it: a plan that cannot go on the wire is
/// bad input (exit 2); a transfer that fails is a failure (exit 1).
fn transfer_error(e: TransferError, what: String) -> anyhow::Error {
    match e {
        TransferError::Wire(_) | TransferError::List { .. } => {
            bad_input(anyhow::Error::new(e).context(what))
        }
        _ => anyhow::Error::new(e).context(what),
    }
}

/// What an upload sends: raw items of one list (a `.json` file) or a plan.
enum Upload {
    Raw(MissionType, Vec<MissionItemInt>),
    Plan(Box<Plan>),
}

/// Reads the file to upload, before any link is opened: a missing or invalid file is
/// bad input (exit status 2) whether or not a vehicle is there.
fn read_upload(file: &Path, list: ListType) -> Result<Upload> {
    if plan_io::is_json(file) {
        let t = list.single()?;
        Ok(Upload::Raw(
            t,
            plan_io::load_raw(file, t).map_err(bad_input)?,
        ))
    } else {
        Ok(Upload::Plan(Box::new(
            plan_io::load_plan(file).map_err(bad_input)?,
        )))
    }
}

pub async fn run(cli: &Cli, op: &MissionOp) -> Result<()> {
    let upload_source = match op {
        MissionOp::Upload { file, list } => Some(read_upload(file, *list)?),
        _ => None,
    };
    let (link, id) = connect(cli).await?;
    let service = PlanTransfer::new(link.sender(), link.fleet());
    match op {
        MissionOp::Upload { file, list } => {
            let source = upload_source.expect("read above");
            upload(cli, &service, id, file, *list, source).await
        }
        MissionOp::Download { output, list } => download(cli, &service, id, output, *list).await,
        MissionOp::Clear { list } => {
            for t in list.lists() {
                service
                    .client()
                    .clear(id, t)
                    .await
                    .with_context(|| format!("clearing {t:?} on {id}"))?;
            }
            report(
                cli.json,
                serde_json::json!({"cleared": format!("{list:?}")}),
                format!("cleared {list:?} on {id}"),
            );
            Ok(())
        }
    }
}

async fn upload(
    cli: &Cli,
    service: &PlanTransfer,
    id: VehicleId,
    file: &Path,
    list: ListType,
    source: Upload,
) -> Result<()> {
    let bar = progress_bar(cli.json, "uploading");
    let update = |_: MissionType, p: Progress| {
        bar.set_length(p.total as u64);
        bar.set_position(p.done as u64);
    };
    let what = || format!("uploading {} to {id}", file.display());
    let sent: Vec<(MissionType, usize, Option<u32>)> = match source {
        Upload::Raw(t, items) => {
            let n = items.len();
            let opaque = service
                .upload_items(id, t, items, |p| update(t, p))
                .await
                .map_err(|e| transfer_error(e, what()))?;
            vec![(t, n, opaque)]
        }
        Upload::Plan(plan) => {
            let r = service
                .upload(id, &plan, &list.lists(), update)
                .await
                .map_err(|e| transfer_error(e, what()))?;
            r.items
                .iter()
                .zip(&r.opaque_ids)
                .map(|(&(t, n), &(_, opaque))| (t, n, opaque))
                .collect()
        }
    };
    bar.finish();
    let total: usize = sent.iter().map(|(_, n, _)| n).sum();
    let lists: Vec<_> = sent
        .iter()
        .map(|(t, n, o)| serde_json::json!({"type": format!("{t:?}"), "items": n, "opaque_id": o}))
        .collect();
    let words: Vec<_> = sent.iter().map(|(t, n, _)| format!("{n} {t:?}")).collect();
    report(
        cli.json,
        serde_json::json!({
            "uploaded": total,
            "type": format!("{list:?}"),
            "opaque_id": sent.first().and_then(|(_, _, o)| *o),
            "lists": lists,
        }),
        format!("uploaded {} items to {id}", words.join(", ")),
    );
    Ok(())
}

async fn download(
    cli: &Cli,
    service: &PlanTransfer,
    id: VehicleId,
    output: &Path,
    list: ListType,
) -> Result<()> {
    let bar = progress_bar(cli.json, "downloading");
    let update = |_: MissionType, p: Progress| {
        bar.set_length(p.total as u64);
        bar.set_position(p.done as u64);
    };
    let what = || format!("downloading from {id}");
    let (count, home) = if plan_io::is_json(output) {
        let t = list.single()?;
        let lists = service
            .download_lists(id, &[t], update)
            .await
            .map_err(|e| transfer_error(e, what()))?;
        bar.finish();
        plan_io::save_raw(output, lists.list(t))?;
        (lists.list(t).len(), None)
    } else {
        let plan = service
            .download(id, &list.lists(), cli.wait_s, update)
            .await
            .map_err(|e| transfer_error(e, what()))?;
        bar.finish();
        plan_io::save_plan(output, &plan)
            .with_context(|| format!("writing {}", output.display()))?;
        let n = plan.mission.items.len()
            + plan.fence.polygons.len()
            + plan.fence.circles.len()
            + plan.rally_points.len();
        (n, plan.mission.home)
    };
    report(
        cli.json,
        serde_json::json!({
            "downloaded": count,
            "type": format!("{list:?}"),
            "file": output,
            "home": home.map(|h| [h.position.lat_deg, h.position.lon_deg, h.alt_amsl_m]),
        }),
        format!("downloaded {count} {list:?} items to {}", output.display()),
    );
    Ok(())
}
