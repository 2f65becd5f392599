//! One PX4 SITL SIH quadrotor for the opt-in tests that fly real PX4 (`VIGIL_PX4_SITL`):
//! started in a fresh working directory (default parameters, empty mission storage) as
//! its own instance, with its home and speed factor, and killed when dropped.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokio::process::{Child, Command};
use vigil_values::LatLon;

/// The environment variable naming a PX4 SITL build (its `build/px4_sitl_*` folder or
/// its `bin/px4`).
pub const ENV: &str = "VIGIL_PX4_SITL";

/// A running PX4 SITL instance.
pub struct Px4Sitl {
    child: Child,
    /// Its working directory (logs, parameters, `px4.log`).
    pub dir: tempfile::TempDir,
    /// Its MAVLink system id (instance + 1).
    pub sysid: u8,
    /// The UDP port its GCS link listens on (18570 + instance): talk to it with `udpout:`.
    pub gcs_port: u16,
}

/// The PX4 SITL build named by [`ENV`], if set: (`bin/px4`, `etc`).
pub fn from_env() -> Option<(PathBuf, PathBuf)> {
    let given = PathBuf::from(std::env::var_os(ENV)?);
    let build = if given.is_file() {
        given
            .parent()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or(given.clone())
    } else {
        given
    };
    Some((build.join("bin/px4"), build.join("etc")))
}

impl Px4Sitl {
    /// Starts instance `instance` of the SIH quadrotor at `home` (ground `home_alt_m`
    /// AMSL), `speed_factor` times real time (lockstep).
    pub async fn start(
        (px4, etc): (PathBuf, PathBuf),
        instance: u8,
        home: LatLon,
        home_alt_m: f64,
        speed_factor: f64,
    ) -> std::io::Result<Self> {
        let dir = tempfile::tempdir()?;
        let log = std::fs::File::create(dir.path().join("px4.log"))?;
        let child = Command::new(&px4)
            .arg("-i")
            .arg(instance.to_string())
            .arg("-d")
            .arg(&etc)
            .arg("-w")
            .arg(dir.path())
            .current_dir(dir.path())
            .env("PX4_SYS_AUTOSTART", "10040")
            .env("PX4_SIMULATOR", "sihsim")
            .env("PX4_SIM_MODEL", "sihsim_quadx")
            .env("PX4_HOME_LAT", home.lat_deg.to_string())
            .env("PX4_HOME_LON", home.lon_deg.to_string())
            .env("PX4_HOME_ALT", home_alt_m.to_string())
            .env("PX4_SIM_SPEED_FACTOR", speed_factor.to_string())
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", px4.display())))?;
        Ok(Self {
            child,
            dir,
            sysid: instance + 1,
            gcs_port: 18570 + u16::from(instance),
        })
    }

    /// The end of PX4's console log, for a failure message.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.dir.path().join("px4.log")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

impl Drop for Px4Sitl {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}
