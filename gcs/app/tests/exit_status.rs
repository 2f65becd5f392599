//! The app ends as every Vigil binary does (vigil-exit): a start-up that fails is a
//! failure (1) with `gcs: error: …`, not the 0 it once returned; bad arguments are 2.

use std::process::{Command, Stdio};

#[test]
fn a_link_that_cannot_open_exits_1_naming_it() {
    // Hold the port, so the app's udpin link cannot bind it.
    let held = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = held.local_addr().unwrap().port();
    let out = Command::new(env!("CARGO_BIN_EXE_gcs"))
        .args(["--no-sim", "--connect", &format!("udpin:127.0.0.1:{port}")])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("gcs: error:"), "{err}");
    assert!(
        err.contains(&port.to_string()) || err.contains("opening the links"),
        "{err}"
    );
}

#[test]
fn bad_arguments_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_gcs"))
        .args(["--speed", "nan"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
