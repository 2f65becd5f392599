//! Value parsers for arguments that `vigil_values::checked` does not cover alone: each
//! rejects what would panic or mislead later, with a message clap prefixes with the flag.

use gcs_link::address::ReplaySpeed;
use vigil_values::checked;

/// A latitude in degrees, -90..=90 (southern hemisphere negative).
pub fn lat_deg(text: &str) -> Result<f64, String> {
    checked::in_range(text, -90.0, 90.0)
}

/// A longitude in degrees, -180..=180 (western hemisphere negative).
pub fn lon_deg(text: &str) -> Result<f64, String> {
    checked::in_range(text, -180.0, 180.0)
}

/// A replay speed factor within [`ReplaySpeed::MIN`]..=[`ReplaySpeed::MAX`].
pub fn replay_speed(text: &str) -> Result<ReplaySpeed, String> {
    let v = checked::finite(text)?;
    ReplaySpeed::new(v).ok_or_else(|| {
        format!(
            "{text} is out of range: expected a factor in {}..={}",
            ReplaySpeed::MIN.factor(),
            ReplaySpeed::MAX.factor()
        )
    })
}
