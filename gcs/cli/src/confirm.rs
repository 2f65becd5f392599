//! Confirmation before dangerous commands (arming, takeoff, disarming in flight).

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Result, bail};

/// Asks the operator to type `yes`, unless `assume_yes`; refuses without a terminal.
pub fn confirm(what: &str, assume_yes: bool) -> Result<()> {
    if assume_yes {
        return Ok(());
    }
    let stop = if what.ends_with(['?', '.', '!']) {
        ""
    } else {
        "."
    };
    if !std::io::stdin().is_terminal() {
        bail!(
            "{what}{stop} This is a dangerous command: confirm it with --yes when running without a terminal"
        );
    }
    eprint!("{what}{stop} Type yes to confirm: ");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    if line.trim() != "yes" {
        bail!("{what}{stop} Not confirmed.");
    }
    Ok(())
}
