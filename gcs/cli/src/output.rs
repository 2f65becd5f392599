//! Output shared by the subcommands: progress bars, one-line reports, the screen.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// A progress bar for a transfer, hidden with `--json`.
pub fn progress_bar(json: bool, what: &str) -> ProgressBar {
    if json {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} items")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message(what.to_owned());
    bar
}

/// Prints `value` as JSON with `--json`, else `text`.
pub fn report(json: bool, value: serde_json::Value, text: String) {
    if json {
        println!("{value}");
    } else {
        println!("{text}");
    }
}

/// The escape sequence that clears the screen before a table is redrawn: only when
/// stdout is a terminal (a pipe or a file gets the tables one after the other).
pub fn clear_screen() -> &'static str {
    if std::io::stdout().is_terminal() {
        "\x1b[2J\x1b[H"
    } else {
        ""
    }
}
