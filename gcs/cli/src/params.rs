//! `gcs-cli params`: list, read and set vehicle parameters.

use anyhow::{Context, Result};
use clap::Subcommand;
use gcs_link::params;
use vigil_values::checked;

use crate::Cli;
use crate::link::connect;
use crate::output::{progress_bar, report};

#[derive(Debug, Subcommand)]
pub enum ParamsOp {
    /// Download every parameter (progress bar; re-requests what the stream missed).
    List,
    /// Read one parameter.
    Get {
        /// PX4 name, e.g. RTL_RETURN_ALT.
        name: String,
    },
    /// Set one parameter; the vehicle's echo confirms it.
    #[command(allow_negative_numbers = true)]
    Set {
        /// PX4 name.
        name: String,
        /// The new value (converted to the parameter's type).
        #[arg(value_parser = checked::finite)]
        value: f64,
    },
}

/// `NAME = VALUE (TYPE)`: a REAL32 as the shortest decimal that reads back as the same
/// f32 (`0.1`, not `0.10000000149011612`).
fn line(p: &params::Param) -> String {
    format!("{} = {} ({})", p.name, p.value, p.value.kind())
}

pub async fn run(cli: &Cli, op: &ParamsOp) -> Result<()> {
    let (link, id) = connect(cli).await?;
    let sender = link.sender();
    match op {
        ParamsOp::List => {
            let bar = progress_bar(cli.json, "parameters");
            let set = params::fetch_all(&sender, id, |p| {
                bar.set_length(p.total as u64);
                bar.set_position(p.received as u64);
            })
            .await
            .with_context(|| format!("downloading the parameters of {id}"))?;
            bar.finish_and_clear();
            if cli.json {
                println!("{}", serde_json::to_string(&set)?);
            } else {
                for p in &set.params {
                    println!(
                        "{:<16} {:>14} ({})",
                        p.name,
                        p.value.to_string(),
                        p.value.kind()
                    );
                }
                println!("{} parameters", set.len());
            }
        }
        ParamsOp::Get { name } => {
            let p = params::get(&sender, id, name)
                .await
                .with_context(|| format!("reading {name} on {id}"))?;
            report(cli.json, serde_json::to_value(&p)?, line(&p));
        }
        ParamsOp::Set { name, value } => {
            let p = params::set_number(&sender, id, name, *value)
                .await
                .with_context(|| format!("setting {name} to {value} on {id}"))?;
            report(
                cli.json,
                serde_json::to_value(&p)?,
                format!("{}, confirmed by {id}", line(&p)),
            );
        }
    }
    Ok(())
}
