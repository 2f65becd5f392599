//! px4-probe: records how a vehicle behaves (PX4 SITL, gcs-sim, anything speaking MAVLink
//! over UDP), merges runs into a reference and compares a run with it.
//!
//! ```text
//! px4-probe run --connect udpout:127.0.0.1:18570 --out run1.json
//! px4-probe merge --vehicle "PX4 v1.15 SIH quad" --out tests/px4/reference.json \
//!     --params-out gcs/sim/px4/params.tsv run1.json run2.json run3.json
//! px4-probe compare --reference tests/px4/reference.json run.json
//! ```
//! `tests/px4/record.sh` does all of it against fresh PX4 SITL instances.

use std::path::PathBuf;
use std::process::ExitCode;

use vigil_tests::probe::observation::Reference;
use vigil_tests::probe::wire::ProbeLink;
use vigil_tests::probe::{Probe, ProbeRun};

const USAGE: &str = "usage:
  px4-probe run --connect ADDRESS --out RUN.json
      ADDRESS: udpout:HOST:PORT (PX4 SITL's GCS port, 127.0.0.1:18570) or udpin:HOST:PORT
  px4-probe merge --vehicle TEXT --out REFERENCE.json [--params-out PARAMS.tsv] RUN.json...
  px4-probe compare --reference REFERENCE.json RUN.json";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("px4-probe: {e}");
            ExitCode::from(2)
        }
    }
}

fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn positional(args: &[String]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut i = 1;
    while i < args.len() {
        if args[i].starts_with("--") {
            i += 2;
        } else {
            out.push(PathBuf::from(&args[i]));
            i += 1;
        }
    }
    out
}

fn need(args: &[String], name: &str) -> Result<String, String> {
    flag(args, name).ok_or_else(|| format!("{name} is required\n{USAGE}"))
}

fn read_run(path: &PathBuf) -> Result<ProbeRun, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: not a probe run: {e}", path.display()))
}

fn write(path: &str, text: &str) -> Result<(), String> {
    let tmp = format!("{path}.tmp");
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| format!("{path}: {e}"))
}

fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("run") => {
            let connect = need(args, "--connect")?;
            let out = need(args, "--out")?;
            let rt = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
            let result = rt.block_on(async {
                let link = ProbeLink::open(&connect).await.map_err(|e| e.to_string())?;
                Probe::new(link, |what| eprintln!("px4-probe: {what}"))
                    .run()
                    .await
                    .map_err(|e| e.to_string())
            })?;
            let json = serde_json::to_string_pretty(&result).map_err(|e| e.to_string())?;
            write(&out, &json)?;
            eprintln!(
                "px4-probe: {} observations, {} parameters -> {out}",
                result.observations.len(),
                result.params.len()
            );
            Ok(())
        }
        Some("merge") => {
            let vehicle = need(args, "--vehicle")?;
            let out = need(args, "--out")?;
            let runs = positional(args)
                .iter()
                .map(read_run)
                .collect::<Result<Vec<_>, _>>()?;
            if runs.is_empty() {
                return Err(format!("no runs to merge\n{USAGE}"));
            }
            let obs: Vec<_> = runs.iter().map(|r| r.observations.clone()).collect();
            let reference = Reference::merge(&vehicle, &obs);
            let stable = reference.observations.iter().filter(|o| o.stable).count();
            write(
                &out,
                &(serde_json::to_string_pretty(&reference).map_err(|e| e.to_string())? + "\n"),
            )?;
            eprintln!(
                "px4-probe: {} observations, {stable} stable across {} runs -> {out}",
                reference.observations.len(),
                runs.len()
            );
            if let Some(params_out) = flag(args, "--params-out") {
                let mut text = String::from(
                    "# name\ttype\tdefault (PX4 SITL SIH quadrotor, as listed over MAVLink)\n",
                );
                let mut params = runs[0].params.clone();
                params.sort_by(|a, b| a.name.cmp(&b.name));
                for p in params {
                    text.push_str(&format!("{}\t{}\t{}\n", p.name, p.kind, p.value));
                }
                write(&params_out, &text)?;
            }
            Ok(())
        }
        Some("compare") => {
            let reference = need(args, "--reference")?;
            let text =
                std::fs::read_to_string(&reference).map_err(|e| format!("{reference}: {e}"))?;
            let reference: Reference =
                serde_json::from_str(&text).map_err(|e| format!("{reference}: {e}"))?;
            for path in positional(args) {
                let run = read_run(&path)?;
                print!(
                    "{}: {}",
                    path.display(),
                    reference.compare(&run.observations)
                );
            }
            Ok(())
        }
        _ => Err(USAGE.to_string()),
    }
}
