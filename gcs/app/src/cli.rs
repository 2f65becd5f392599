//! The `gcs` command line.

use std::path::PathBuf;

use anyhow::{Result, bail};
use bevy::prelude::Resource;
use clap::Parser;
use gcs_link::LinkAddress;

/// Vigil ground station: a 3D map to plan, fly and watch border patrols.
///
/// With no arguments: the Niger demo data set with three simulated PX4 drones parked at
/// Agadez, Arlit and Diffa (in-process, over loopback UDP). Mouse: left-drag pans,
/// right-drag orbits, wheel zooms; keys: arrows/WASD pan, Q/E rotate, PageUp/PageDown
/// tilt, +/- zoom, T top-down, F follow the selected drone, Esc cancels a tool.
#[derive(Debug, Clone, Parser, Resource)]
#[command(version, about, long_about = None)]
pub struct Args {
    /// Link to drones (repeatable): udpin:0.0.0.0:14550 (PX4 SITL's GCS stream),
    /// udpout:HOST:PORT, tcpout:HOST:PORT, tcpin:ADDR:PORT, serial:/dev/ttyUSB0:57600.
    #[arg(long = "connect", value_name = "ADDRESS")]
    pub connect: Vec<LinkAddress>,
    /// Do not start the simulated drones.
    #[arg(long)]
    pub no_sim: bool,
    /// Simulated drones (parked at Agadez, Arlit, Diffa, then more around those bases).
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub drones: usize,
    /// Simulation speed factor (flight and battery; protocol timeouts stay real).
    #[arg(long, default_value_t = 1.0, value_name = "FACTOR")]
    pub speed: f64,
    /// Layer catalog (TOML) to load: the agency's own layers.
    #[arg(long, value_name = "FILE", default_value_os_t = default_catalog())]
    pub catalog: PathBuf,
    /// Relief exaggeration of the terrain (1 = true scale).
    #[arg(long, default_value_t = 3.0, value_name = "FACTOR")]
    pub vertical_scale: f64,
    /// Window size in pixels, WIDTHxHEIGHT.
    #[arg(long, value_parser = parse_size, default_value = "1600x900", value_name = "WxH")]
    pub window_size: (u32, u32),
    /// Render for --after-secs seconds, write a PNG screenshot here, then exit. A JSON file
    /// beside it (PATH.json) gives where the drones, border and terrain are on screen.
    #[arg(long, value_name = "PATH")]
    pub screenshot: Option<PathBuf>,
    /// Seconds to run before the screenshot.
    #[arg(long, default_value_t = 8.0, value_name = "SECONDS")]
    pub after_secs: f64,
    /// Record frame times and write their statistics (JSON) here at exit.
    #[arg(long, value_name = "PATH")]
    pub frame_stats: Option<PathBuf>,
    /// Exit after this many seconds (benchmarks).
    #[arg(long, value_name = "SECONDS")]
    pub exit_after_secs: Option<f64>,
    /// MAVLink system id of this ground station.
    #[arg(long, default_value_t = 255)]
    pub sysid: u8,
    /// No window: fly the old console demo patrol (a square near Agadez) and exit.
    #[arg(long)]
    pub headless_demo: bool,
    /// Headless demo: side of the square, metres.
    #[arg(long, default_value_t = 300.0, requires = "headless_demo")]
    pub side_m: f64,
    /// Headless demo: altitude above home, metres.
    #[arg(long, default_value_t = 40.0, requires = "headless_demo")]
    pub alt_m: f64,
}

impl Args {
    /// Rejects out-of-range values with the flag's name.
    pub fn check(&self) -> Result<()> {
        if self.drones > 250 {
            bail!("--drones {}: expected 0..=250", self.drones);
        }
        if !(0.1..=100.0).contains(&self.speed) {
            bail!("--speed {}: expected 0.1..=100", self.speed);
        }
        if !(0.1..=50.0).contains(&self.vertical_scale) {
            bail!(
                "--vertical-scale {}: expected 0.1..=50",
                self.vertical_scale
            );
        }
        if !(0.0..=3600.0).contains(&self.after_secs) {
            bail!("--after-secs {}: expected 0..=3600 s", self.after_secs);
        }
        if self.no_sim && self.connect.is_empty() && !self.headless_demo {
            bail!(
                "--no-sim without --connect: there would be no drone to show; add --connect ADDRESS"
            );
        }
        if !self.catalog.exists() {
            bail!(
                "--catalog {}: no such file (the demo catalog is assets/niger/catalog.toml)",
                self.catalog.display()
            );
        }
        Ok(())
    }

    /// Whether in-process simulated drones run.
    pub fn with_sim(&self) -> bool {
        !self.no_sim && self.drones > 0
    }
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
        assert!(a.check().unwrap_err().to_string().contains("--connect"));
        assert!(Args::try_parse_from(["gcs", "--window-size", "10"]).is_err());
        let a = Args::parse_from(["gcs", "--catalog", "/nope.toml"]);
        assert!(a.check().unwrap_err().to_string().contains("/nope.toml"));
        let a = Args::parse_from(["gcs", "--connect", "udpin:0.0.0.0:14550", "--no-sim"]);
        a.check().unwrap();
        assert!(!a.with_sim());
    }
}
