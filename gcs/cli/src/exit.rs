//! Exit codes and error reports shared by Vigil's binaries: 0 when the operation fully
//! succeeded, 1 when it failed (a refusal, a timeout, a lost link), 2 on bad input (bad
//! arguments, as clap reports them, or an unreadable or invalid input file).

use std::process::ExitCode;

pub use vigil_exit::BadInput;

/// Wraps `e` as bad input (vigil-exit's marker: exit status 2).
pub fn bad_input(e: impl Into<anyhow::Error>) -> anyhow::Error {
    anyhow::Error::new(BadInput(e.into().into()))
}

/// The exit status for `e`.
pub fn code(e: &anyhow::Error) -> u8 {
    vigil_exit::exit_code(e.as_ref())
}

/// `e` and its causes, each said once (the convention every binary shares).
pub fn chain(e: &anyhow::Error) -> String {
    vigil_exit::error_text(e.as_ref())
}

/// Reports `result` on stderr (and as `{"error": ..., "exit_code": ...}` on stdout with
/// `--json`) and turns it into the exit status.
pub fn finish(program: &str, json: bool, result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => vigil_exit::fail(program, json, &chain(&e), code(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_exit::{BAD_INPUT, FAILURE};

    #[test]
    fn bad_input_anywhere_in_the_chain_exits_2() {
        let e = bad_input(anyhow::anyhow!("no such file")).context("reading plan.plan");
        assert_eq!(code(&e), BAD_INPUT);
        assert_eq!(code(&anyhow::anyhow!("timed out")), FAILURE);
    }

    #[test]
    fn a_quoted_cause_is_not_repeated() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file");
        let e = anyhow::Error::new(io).context("x.tlog: No such file");
        assert_eq!(chain(&e), "x.tlog: No such file");
    }
}
