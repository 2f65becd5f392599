//! The one exit-status and error-report convention of Vigil's binaries.
//!
//! `gcs`, `gcs-cli`, `gcs-sim`, `mission-planner` and `geo-intel` end the same way, so
//! a script can drive any of them:
//!
//! - exit status [`SUCCESS`] (0) when the operation fully succeeded, [`FAILURE`] (1)
//!   when it failed or found errors (a refusal, a timeout, a lost link, validation
//!   errors), [`BAD_INPUT`] (2) when the input was wrong (arguments, as clap reports
//!   them, or a file that cannot be read or used);
//! - the error on standard error as `PROGRAM: error: TEXT`, where `TEXT` is the error
//!   and its causes, each cause said once ([`error_text`]);
//! - with `--json`, the same also on standard output as
//!   `{"error": TEXT, "exit_code": N}`, so machine readers need not parse stderr.
//!
//! Kept apart from the libraries (which return typed errors) and free of command-line
//! crates, so every binary links the same few lines.
//!
//! ```
//! let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file");
//! assert_eq!(vigil_exit::error_text(&io), "No such file");
//! ```

use std::error::Error;
use std::process::ExitCode;

/// The operation fully succeeded.
pub const SUCCESS: u8 = 0;

/// The operation failed, or found errors (validation).
pub const FAILURE: u8 = 1;

/// The input was wrong: arguments, or input files that cannot be read or used.
pub const BAD_INPUT: u8 = 2;

/// `e` and its causes joined by `: `, skipping a cause whose text an outer message
/// already quotes (an OS error named once, not twice).
pub fn error_text(e: &(dyn Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let t = c.to_string();
        if !text.contains(&t) {
            text = format!("{text}: {t}");
        }
        cause = c.source();
    }
    text
}

/// Marks an error as the user's input being wrong (exit status [`BAD_INPUT`]), not the
/// operation failing; wrap any error in it where the input is at fault (the message
/// names the argument or file).
#[derive(Debug)]
pub struct BadInput(pub Box<dyn Error + Send + Sync + 'static>);

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The whole chain, each cause once: this marker adds no words of its own.
        f.write_str(&error_text(&*self.0))
    }
}

impl Error for BadInput {}

/// The exit status for `e`: [`BAD_INPUT`] when a [`BadInput`] stands anywhere in its
/// chain of causes, else [`FAILURE`].
pub fn exit_code(e: &(dyn Error + 'static)) -> u8 {
    let mut cause = Some(e);
    while let Some(c) = cause {
        if c.is::<BadInput>() {
            return BAD_INPUT;
        }
        cause = c.source();
    }
    FAILURE
}

/// The JSON object a failure prints on standard output with `--json`.
pub fn error_json(text: &str, code: u8) -> serde_json::Value {
    serde_json::json!({"error": text, "exit_code": code})
}

/// Reports a failure as every binary does (see the crate docs) and returns its status.
pub fn fail(program: &str, json: bool, text: &str, code: u8) -> ExitCode {
    if json {
        println!("{}", error_json(text, code));
    }
    eprintln!("{program}: error: {text}");
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Wrapped(String, std::io::Error);

    impl std::fmt::Display for Wrapped {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.0)
        }
    }

    impl Error for Wrapped {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            Some(&self.1)
        }
    }

    #[test]
    fn a_quoted_cause_is_said_once_and_others_are_appended() {
        let io = || std::io::Error::new(std::io::ErrorKind::NotFound, "No such file");
        let quoted = Wrapped("x.tlog: No such file".into(), io());
        assert_eq!(error_text(&quoted), "x.tlog: No such file");
        let plain = Wrapped("reading x.tlog".into(), io());
        assert_eq!(error_text(&plain), "reading x.tlog: No such file");
    }

    #[test]
    fn bad_input_anywhere_in_the_chain_exits_2() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file");
        let bad = BadInput(Box::new(io));
        assert_eq!(exit_code(&bad), BAD_INPUT);
        assert_eq!(bad.to_string(), "No such file");
        struct Outer(BadInput);
        impl std::fmt::Debug for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("Outer")
            }
        }
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("reading plan.plan")
            }
        }
        impl Error for Outer {
            fn source(&self) -> Option<&(dyn Error + 'static)> {
                Some(&self.0)
            }
        }
        assert_eq!(exit_code(&Outer(bad)), BAD_INPUT);
        let timeout = std::io::Error::new(std::io::ErrorKind::TimedOut, "timed out");
        assert_eq!(exit_code(&timeout), FAILURE);
    }

    #[test]
    fn the_json_error_names_text_and_code() {
        let v = error_json("bad --speed", BAD_INPUT);
        assert_eq!(v["error"], "bad --speed");
        assert_eq!(v["exit_code"], 2);
    }
}
