//! The `geo-intel` command line, run as a user would, against real files.

mod commands;
mod conventions;
mod util;
