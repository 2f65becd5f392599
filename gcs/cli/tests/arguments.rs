//! `gcs-cli`'s arguments and exit codes, through the real binary: numbers that would
//! panic are refused at parse time naming the flag (exit 2), coordinates of the
//! southern and western hemispheres are accepted, `udp:` listens, bad input files are
//! named once (exit 2), tables are not interleaved with screen-clearing escapes when
//! stdout is not a terminal, floats print as the vehicle holds them, and an unknown
//! parameter is reported promptly.

mod util;

use util::{cli, cli_bare, eventually, free_port, shared_data, sim_to, text};

fn assert_bad_input(out: &std::process::Output, names: &str) {
    let t = text(out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    assert!(!t.contains("panicked"), "{t}");
    assert!(t.contains(names), "expected {names:?} in: {t}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numbers_that_would_panic_are_refused_naming_the_flag() {
    let log = shared_data().join("05_telemetry/uavlogviewer_vtol_sitl.tlog");
    let log = log.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["--connect", "udpin:127.0.0.1:0", "watch", "--for-s", "nan"],
            "--for-s",
        ),
        (
            &[
                "--connect",
                "udpin:127.0.0.1:0",
                "watch",
                "--every-s",
                "inf",
            ],
            "--every-s",
        ),
        (
            &["--connect", "udpin:127.0.0.1:0", "watch", "--every-s", "0"],
            "--every-s",
        ),
        (
            &[
                "--connect",
                "udpin:127.0.0.1:0",
                "--wait-s",
                "1e300",
                "watch",
            ],
            "--wait-s",
        ),
        (
            &["--connect", "udpin:127.0.0.1:0", "--wait-s=-1", "arm"],
            "--wait-s",
        ),
        (&["replay", log, "--speed", "1e-300"], "--speed"),
        (&["replay", log, "--speed", "nan"], "--speed"),
        (&["replay", log, "--every-s", "1e300"], "--every-s"),
        (
            &["--connect", "udpin:127.0.0.1:0", "goto", "95", "7", "20"],
            "<LAT>",
        ),
        (
            &["--connect", "udpin:127.0.0.1:0", "goto", "16", "-181", "20"],
            "<LON>",
        ),
        (
            &["--connect", "udpin:127.0.0.1:0", "goto", "16", "7", "nan"],
            "<ALT_M>",
        ),
        (
            &["--connect", "udpin:127.0.0.1:0", "takeoff", "inf"],
            "<ALT_M>",
        ),
        (
            &[
                "--connect",
                "udpin:127.0.0.1:0",
                "params",
                "set",
                "X",
                "nan",
            ],
            "<VALUE>",
        ),
        (&["--connect", "udpin:nowhere:14550", "watch"], "--connect"),
    ];
    for (args, flag) in cases {
        let out = cli_bare(args).await;
        assert_bad_input(&out, flag);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn negative_coordinates_reach_the_vehicle() {
    let port = free_port();
    let sim = sim_to(port, 4).await;
    for args in [&["--yes", "arm"][..], &["--yes", "takeoff", "20"]] {
        let out = cli(port, args).await;
        assert!(out.status.success(), "{args:?}: {}", text(&out));
    }
    eventually(&sim, "airborne", |v| v.alt_rel_m() > 5.0).await;
    // South of the equator, west of Greenwich: parsed as numbers, not as flags.
    let out = cli(port, &["goto", "-8.05", "-34.9", "50"]).await;
    assert!(out.status.success(), "{}", text(&out));
    let out = cli(port, &["params", "set", "COM_DL_LOSS_T", "-1"]).await;
    assert!(
        !text(&out).contains("unexpected argument"),
        "{}",
        text(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn udp_listens_as_in_mavproxy() {
    let port = free_port();
    let _sim = sim_to(port, 6).await;
    let out = cli_bare(&[
        "--connect",
        &format!("udp:127.0.0.1:{port}"),
        "--json",
        "watch",
        "--every-s",
        "0.5",
        "--for-s",
        "1",
    ])
    .await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"sysid\":6"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_files_are_named_once_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.tlog");
    let out = cli_bare(&["replay", missing.to_str().unwrap()]).await;
    assert_bad_input(&out, "missing.tlog");
    let t = text(&out);
    assert_eq!(
        t.matches("No such file").count(),
        1,
        "the OS error once: {t}"
    );

    for (name, bytes) in [
        ("empty.tlog", &b""[..]),
        ("notes.tlog", b"not a telemetry log\n"),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let out = cli_bare(&["--json", "replay", path.to_str().unwrap()]).await;
        assert_bad_input(&out, name);
        assert!(
            text(&out).contains("holds no MAVLink frames"),
            "{}",
            text(&out)
        );
        let err: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(err["exit_code"], 2);
    }

    let key = dir.path().join("no.key");
    let out = cli_bare(&[
        "--connect",
        "udpin:127.0.0.1:0",
        "--signing-key",
        key.to_str().unwrap(),
        "watch",
    ])
    .await;
    assert_bad_input(&out, "no.key");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_to_a_pipe_has_no_screen_escapes() {
    let log = shared_data().join("05_telemetry/uavlogviewer_vtol_sitl.tlog");
    let out = cli_bare(&[
        "replay",
        log.to_str().unwrap(),
        "--speed",
        "500",
        "--every-s",
        "0.5",
    ])
    .await;
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains('\x1b'), "{stdout:?}");
    assert!(
        stdout.contains("-35.36"),
        "the vehicle near Canberra: {stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn floats_print_as_held_and_unknown_parameters_fail_promptly() {
    let port = free_port();
    let _sim = sim_to(port, 8).await;
    let out = cli(port, &["params", "list"]).await;
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    // PX4's BAT_LOW_THR default 0.15 is an f32: printed as 0.15, not 0.15000000596046448.
    let line = stdout
        .lines()
        .find(|l| l.starts_with("BAT_LOW_THR"))
        .unwrap_or_else(|| panic!("no BAT_LOW_THR in {stdout}"));
    assert!(line.contains(" 0.15 "), "{line}");
    // f32 values widened to f64 show runs of zeros (0.15000000596046448); PX4's own
    // values have at most six (SENS_BOARD_X_OFF 0.000001, EKF2_NOAID_TOUT 5000000).
    let noisy: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("(REAL32)") && l.contains("0000000"))
        .collect();
    assert!(noisy.is_empty(), "float noise: {noisy:?}");

    // Said as such (the vehicle answered the _HASH_CHECK read sent alongside), after
    // three reads instead of ten.
    let out = cli(port, &["params", "get", "NO_SUCH"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("has no parameter NO_SUCH"),
        "{}",
        text(&out)
    );
}
