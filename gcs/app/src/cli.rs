//! The `gcs` command line.

use std::path::PathBuf;

use bevy::prelude::Resource;
use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};
use gcs_link::LinkAddress;
use vigil_values::checked;

/// Vigil ground station: a 3D map to plan, fly and watch border patrols.
///
/// With no arguments: the Niger demo data set with three simulated PX4 drones parked at
/// Agadez, Arlit and Diffa (in-process, over loopback UDP). Mouse: left-drag pans,
/// right-drag orbits, wheel zooms; keys: arrows/WASD pan, Q/E rotate, PageUp/PageDown
/// tilt, +/- zoom, T top-down, F follow the selected drone, Esc cancels a tool.
#[derive(Debug, Clone, Parser, Resource)]
#[command(version, about, long_about = None, allow_negative_numbers = true)]
pub struct Args {
    /// Link to drones (repeatable): udpin:0.0.0.0:14550 (PX4 SITL's GCS stream),
    /// udpout:HOST:PORT, tcpout:HOST:PORT, tcpin:ADDR:PORT, serial:/dev/ttyUSB0:57600.
    #[arg(long = "connect", value_name = "ADDRESS", value_parser = parse_address)]
    pub connect: Vec<LinkAddress>,
    /// Record every frame in and out to a .tlog file in this directory (one per session).
    #[arg(long, value_name = "DIR")]
    pub tlog: Option<PathBuf>,
    /// MAVLink 2 signing key file (32 raw bytes or 64 hex digits): sign every frame and
    /// accept only frames correctly signed with it (the simulated drones get it too).
    #[arg(long, value_name = "FILE")]
    pub signing_key: Option<PathBuf>,
    /// Do not start the simulated drones.
    #[arg(long)]
    pub no_sim: bool,
    /// Simulated drones (parked at Agadez, Arlit, Diffa, then more around those bases).
    #[arg(long, default_value = "3", value_name = "N", value_parser = drone_count)]
    pub drones: usize,
    /// Simulation speed factor (flight and battery; protocol timeouts stay real), 0.1..=100.
    #[arg(long, default_value = "1", value_name = "FACTOR", value_parser = sim_speed)]
    pub speed: f64,
    /// Layer catalog (TOML) to load: the agency's own layers.
    #[arg(long, value_name = "FILE", default_value_os_t = default_catalog())]
    pub catalog: PathBuf,
    /// Relief exaggeration of the terrain (1 = true scale), 0.1..=50.
    #[arg(long, default_value = "3", value_name = "FACTOR", value_parser = vertical_scale)]
    pub vertical_scale: f64,
    /// Window size in pixels, WIDTHxHEIGHT.
    #[arg(long, value_parser = parse_size, default_value = "1600x900", value_name = "WxH")]
    pub window_size: (u32, u32),
    /// Render for --after-secs seconds, write a PNG screenshot here, then exit. A JSON file
    /// beside it (PATH.json) gives where the drones, border and terrain are on screen.
    #[arg(long, value_name = "PATH")]
    pub screenshot: Option<PathBuf>,
    /// Seconds to run before the screenshot, 0..=3600.
    #[arg(long, default_value = "8", value_name = "SECONDS", value_parser = after_secs)]
    pub after_secs: f64,
    /// Record frame times and write their statistics (JSON) here at exit.
    #[arg(long, value_name = "PATH")]
    pub frame_stats: Option<PathBuf>,
    /// Exit after this many seconds (benchmarks).
    #[arg(long, value_name = "SECONDS", value_parser = exit_after_secs)]
    pub exit_after_secs: Option<f64>,
    /// MAVLink system id of this ground station, 1..=255.
    #[arg(long, default_value_t = 255, value_parser = clap::value_parser!(u8).range(1..))]
    pub sysid: u8,
    /// No window: fly the old console demo patrol (a square near Agadez) and exit.
    #[arg(long)]
    pub headless_demo: bool,
    /// Headless demo: side of the square, metres (1..=10000).
    #[arg(long, default_value = "300", requires = "headless_demo", value_parser = side_m)]
    pub side_m: f64,
    /// Headless demo: altitude above home, metres (1..=1000).
    #[arg(long, default_value = "40", requires = "headless_demo", value_parser = alt_m)]
    pub alt_m: f64,
}

impl Args {
    /// Parses the command line; any bad argument prints why (naming the flag) and exits
    /// with status 2, as clap does for the arguments it checks itself.
    pub fn parse_checked() -> Self {
        let args = Self::parse();
        if let Err(e) = args.check() {
            Self::command().error(ErrorKind::ValueValidation, e).exit();
        }
        args
    }

    /// What no single argument's parser can see: combinations and files.
    pub fn check(&self) -> Result<(), String> {
        if self.no_sim && self.connect.is_empty() && !self.headless_demo {
            return Err(
                "--no-sim without --connect: there would be no drone to show; add --connect ADDRESS"
                    .into(),
            );
        }
        if !self.catalog.exists() {
            return Err(format!(
                "--catalog {}: no such file (the demo catalog is assets/niger/catalog.toml)",
                self.catalog.display()
            ));
        }
        if let Some(key) = &self.signing_key
            && !key.is_file()
        {
            return Err(format!("--signing-key {}: no such file", key.display()));
        }
        Ok(())
    }

    /// Whether in-process simulated drones run.
    pub fn with_sim(&self) -> bool {
        !self.no_sim && self.drones > 0
    }
}

fn parse_address(s: &str) -> Result<LinkAddress, String> {
    s.parse::<LinkAddress>().map_err(|e| e.to_string())
}

fn drone_count(s: &str) -> Result<usize, String> {
    let n = checked::in_range(s, 0.0, 250.0)?;
    if n.fract() != 0.0 {
        return Err(format!("{s}: expected a whole number of drones, 0..=250"));
    }
    Ok(n as usize)
}

fn sim_speed(s: &str) -> Result<f64, String> {
    checked::in_range(s, 0.1, 100.0)
}

fn vertical_scale(s: &str) -> Result<f64, String> {
    checked::in_range(s, 0.1, 50.0)
}

fn after_secs(s: &str) -> Result<f64, String> {
    checked::in_range(s, 0.0, 3600.0)
}

fn exit_after_secs(s: &str) -> Result<f64, String> {
    checked::in_range(s, 0.0, checked::MAX_DURATION_S)
}

fn side_m(s: &str) -> Result<f64, String> {
    checked::in_range(s, 1.0, 10_000.0)
}

fn alt_m(s: &str) -> Result<f64, String> {
    checked::in_range(s, 1.0, 1_000.0)
}

/// The Niger demo catalog: `$VIGIL_ASSETS/niger/catalog.toml`, else the repository's.
pub fn default_catalog() -> PathBuf {
    let assets = std::env::var_os("VIGIL_ASSETS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets")));
    assets.join("niger").join("catalog.toml")
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("{s}: expected WIDTHxHEIGHT, e.g. 1600x900"))?;
    let w: u32 = w.trim().parse().map_err(|_| format!("{s}: bad width"))?;
    let h: u32 = h.trim().parse().map_err(|_| format!("{s}: bad height"))?;
    if !(320..=8192).contains(&w) || !(240..=8192).contains(&h) {
        return Err(format!("{s}: expected 320..8192 x 240..8192 pixels"));
    }
    Ok((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_demo() {
        let a = Args::parse_from(["gcs"]);
        a.check().unwrap();
        assert!(a.with_sim());
        assert_eq!(a.drones, 3);
        assert!(a.catalog.ends_with("niger/catalog.toml"));
        assert_eq!(a.window_size, (1600, 900));
    }

    #[test]
    fn bad_values_name_the_flag() {
        let a = Args::parse_from(["gcs", "--no-sim"]);
        assert!(a.check().unwrap_err().contains("--connect"));
        assert!(Args::try_parse_from(["gcs", "--window-size", "10"]).is_err());
        let a = Args::parse_from(["gcs", "--catalog", "/nope.toml"]);
        assert!(a.check().unwrap_err().contains("/nope.toml"));
        let a = Args::parse_from(["gcs", "--connect", "udpin:0.0.0.0:14550", "--no-sim"]);
        a.check().unwrap();
        assert!(!a.with_sim());
    }

    /// Every number is checked when parsed: not finite, out of range, negative where
    /// it makes no sense; a negative number is read as a number, not as a flag.
    #[test]
    fn numbers_are_checked_at_parse_time() {
        for bad in [
            ["--speed", "nan"],
            ["--speed", "0"],
            ["--speed", "-2"],
            ["--vertical-scale", "inf"],
            ["--after-secs", "-1"],
            ["--exit-after-secs", "1e300"],
            ["--drones", "2.5"],
            ["--drones", "251"],
            ["--drones", "-1"],
            ["--sysid", "0"],
            ["--sysid", "256"],
        ] {
            let e = Args::try_parse_from(["gcs", bad[0], bad[1]]).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad:?}");
            assert!(
                e.kind() != clap::error::ErrorKind::UnknownArgument,
                "{bad:?}: {e}"
            );
        }
        let a = Args::try_parse_from(["gcs", "--speed", "2.5", "--drones", "7"]).unwrap();
        assert_eq!((a.speed, a.drones), (2.5, 7));
    }

    /// The same link options as gcs-cli: a typed address, a tlog directory, a key file.
    #[test]
    fn link_options_match_gcs_cli() {
        let a = Args::try_parse_from([
            "gcs",
            "--connect",
            "udpin:0.0.0.0:14550",
            "--tlog",
            "logs",
            "--signing-key",
            "key.bin",
        ])
        .unwrap();
        assert_eq!(a.connect[0].to_string(), "udpin:0.0.0.0:14550");
        assert_eq!(a.tlog.as_deref(), Some(std::path::Path::new("logs")));
        assert!(a.check().unwrap_err().contains("--signing-key key.bin"));
        let e = Args::try_parse_from(["gcs", "--connect", "udpin:nowhere"]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("udpin:nowhere"), "{e}");
    }
}
