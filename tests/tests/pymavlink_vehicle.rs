//! An independent peer: a pymavlink fake PX4 vehicle (`tests/peers/fake_px4_vehicle.py`)
//! receives gcs-link's commands over real UDP on loopback, checks their fields and
//! answers them as its scenario says; this side checks the typed results, the vehicle
//! state decoded from the fake's telemetry, and the fake's JSON report.
//!
//! Needs the peers' venv: `python3 -m venv .venv && .venv/bin/pip install -r tests/peers/requirements.txt`
//! (or `$VIGIL_PYTHON`).

use std::process::Stdio;
use std::time::Duration;

use gcs_link::vehicle::{Airframe, Autopilot};
use gcs_link::{
    CommandError, Event, FleetSnapshot, FlightMode, LatLon, LinkConfig, LinkHandle, Rejection,
    VehicleCommand, VehicleId,
};
use serde_json::Value;
use tokio::process::{Child, Command};

/// The fake's system id: not 1, so a hard-wired target would show.
const SYSID: u8 = 42;
/// Home near Agadez; the altitude has a fraction so a mm/m slip would show.
const HOME: LatLon = LatLon::new(16.973_333_3, 7.986_111_1);
const HOME_ALT_M: f64 = 512.3;
const TAKEOFF_REL_M: f64 = 30.0;
const GOTO: LatLon = LatLon::new(17.012_345_6, 8.054_321_0);
const GOTO_REL_M: f64 = 45.5;
/// A failure guard only: nothing here is expected to take this long.
const GUARD: Duration = Duration::from_secs(30);

/// Starts the fake, telling it to expect a takeoff to `takeoff_rel_m` above home.
fn spawn_fake_vehicle(port: u16, takeoff_rel_m: f64) -> Child {
    let python = vigil_tests::python::python().unwrap_or_else(|e| panic!("{e}"));
    let script = vigil_tests::python::peer_script("fake_px4_vehicle.py");
    Command::new(&python)
        .arg(&script)
        .args(["--connect", &format!("udpout:127.0.0.1:{port}")])
        .args(["--sysid", &SYSID.to_string()])
        .args(["--home-lat", &HOME.lat_deg.to_string()])
        .args(["--home-lon", &HOME.lon_deg.to_string()])
        .args(["--home-alt-m", &HOME_ALT_M.to_string()])
        .args(["--takeoff-rel-m", &takeoff_rel_m.to_string()])
        .args(["--goto-lat", &GOTO.lat_deg.to_string()])
        .args(["--goto-lon", &GOTO.lon_deg.to_string()])
        .args(["--goto-rel-m", &GOTO_REL_M.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()))
}

/// Sends a command with a failure guard around the core's own timeout.
async fn command(
    link: &LinkHandle,
    v: VehicleId,
    c: VehicleCommand,
) -> anyhow::Result<Result<(), CommandError>> {
    Ok(tokio::time::timeout(GUARD, link.command(v, c)).await?)
}

async fn state_shows(
    link: &LinkHandle,
    what: &str,
    f: impl Fn(&FleetSnapshot) -> bool,
) -> anyhow::Result<FleetSnapshot> {
    link.wait_for(GUARD, f)
        .await
        .map_err(|e| anyhow::anyhow!("waiting for {what}: {e}"))
}

fn mode_is(v: VehicleId, mode: FlightMode) -> impl Fn(&FleetSnapshot) -> bool {
    move |s| s.get(v).is_some_and(|st| st.mode == mode)
}

/// The scenario the fake expects, in order; returns the vehicle id.
async fn fly_scenario(link: &LinkHandle) -> anyhow::Result<VehicleId> {
    let v = link.wait_for_vehicle(SYSID, GUARD).await?;
    assert_eq!(
        v,
        VehicleId {
            sysid: SYSID,
            compid: 1
        }
    );
    // Telemetry decoded from the fake's PX4-style frames.
    let snap = state_shows(link, "home and position", |s| {
        s.get(v)
            .is_some_and(|st| st.home.is_some() && st.position.is_some())
    })
    .await?;
    let st = snap.get(v).expect("present");
    assert_eq!(st.autopilot, Autopilot::Px4);
    assert_eq!(st.airframe, Airframe::Multicopter);
    assert_eq!(st.mode, FlightMode::Hold, "PX4 AUTO/LOITER decodes as Hold");
    assert!(!st.armed);
    let home = st.home.expect("home");
    assert!((home.alt_amsl_m - HOME_ALT_M).abs() < 1e-6, "{home:?}");
    assert_eq!(home.lat_lon.to_deg_e7(), HOME.to_deg_e7());
    // GLOBAL_POSITION_INT comes as MAVLink 1 frames: decoded like the MAVLink 2 ones.
    let pos = st.position.expect("position");
    assert_eq!(pos.lat_lon.to_deg_e7(), HOME.to_deg_e7());
    assert!((pos.alt_amsl_m - HOME_ALT_M).abs() < 1e-6, "{pos:?}");
    assert_eq!(pos.alt_rel_m, 0.0);
    assert_eq!(st.heading_deg, Some(90.0));

    // Arm: the fake ignores the first transmission; the retransmission is accepted.
    command(link, v, VehicleCommand::Arm).await??;
    state_shows(link, "armed", |s| s.get(v).is_some_and(|st| st.armed)).await?;

    command(
        link,
        v,
        VehicleCommand::Takeoff {
            alt_rel_m: TAKEOFF_REL_M,
        },
    )
    .await??;
    state_shows(link, "Takeoff mode", mode_is(v, FlightMode::Takeoff)).await?;

    command(
        link,
        v,
        VehicleCommand::GoTo {
            target: GOTO,
            alt_rel_m: GOTO_REL_M,
        },
    )
    .await??;
    let snap = state_shows(link, "Hold at the go-to point", |s| {
        s.get(v).is_some_and(|st| {
            st.mode == FlightMode::Hold
                && st
                    .position
                    .is_some_and(|p| p.lat_lon.to_deg_e7() == GOTO.to_deg_e7())
        })
    })
    .await?;
    let pos = snap.get(v).and_then(|st| st.position).expect("position");
    assert!((pos.alt_rel_m - GOTO_REL_M).abs() < 1e-6, "{pos:?}");

    command(link, v, VehicleCommand::SetMode(FlightMode::Position)).await??;
    state_shows(link, "Position mode", mode_is(v, FlightMode::Position)).await?;
    command(link, v, VehicleCommand::Hold).await??;
    state_shows(link, "Hold mode", mode_is(v, FlightMode::Hold)).await?;

    // Land is DENIED by the fake: a typed rejection naming the command.
    match command(link, v, VehicleCommand::Land).await? {
        Err(CommandError::Rejected {
            vehicle,
            command,
            rejection,
        }) => {
            assert_eq!(vehicle, v);
            assert_eq!(command, "MAV_CMD_NAV_LAND");
            assert_eq!(rejection, Rejection::Denied);
        }
        other => panic!("LAND should be denied, got {other:?}"),
    }

    // RTL is never answered: four transmissions, then a typed timeout.
    match command(link, v, VehicleCommand::ReturnToLaunch).await? {
        Err(CommandError::Timeout {
            vehicle,
            command,
            attempts,
        }) => {
            assert_eq!(vehicle, v);
            assert_eq!(command, "MAV_CMD_NAV_RETURN_TO_LAUNCH");
            assert_eq!(attempts, 4);
        }
        other => panic!("RTL should time out, got {other:?}"),
    }
    let st = link.snapshot().get(v).cloned().expect("present");
    assert!(!st.link_lost, "the fake kept its heartbeat: {st:?}");
    assert_eq!(
        st.mode,
        FlightMode::Hold,
        "a denied/unanswered command changes nothing"
    );

    command(link, v, VehicleCommand::ForceDisarm).await??;
    let snap = state_shows(link, "disarmed", |s| s.get(v).is_some_and(|st| !st.armed)).await?;

    // One link, counted from the fake's sequence numbers (shared by its v1 and v2
    // frames): nothing is lost on loopback.
    let st = snap.get(v).expect("present");
    assert_eq!(st.best_link, Some(0));
    assert_eq!(st.links.len(), 1, "{:?}", st.links);
    let q = st.links[0].quality;
    assert!(q.received >= 20, "{q:?}");
    assert_eq!(q.lost, 0, "{q:?}");
    Ok(v)
}

fn params(c: &Value) -> Vec<Option<f64>> {
    c["params"]
        .as_array()
        .expect("params")
        .iter()
        .map(Value::as_f64)
        .collect()
}

fn commands_named<'a>(report: &'a Value, name: &str) -> Vec<&'a Value> {
    report["commands"]
        .as_array()
        .expect("commands")
        .iter()
        .filter(|c| c["command"] == name)
        .collect()
}

/// What the fake saw, checked again from its report (the fake checks it first).
fn check_report(report: &Value) {
    assert_eq!(report["ok"], true, "the fake found mismatches: {report:#}");
    assert_eq!(report["sysid"], SYSID);
    assert!(report["gcs_heartbeats"]["count"].as_u64().unwrap() >= 3);

    let all = report["commands"].as_array().expect("commands");
    for c in all {
        assert_eq!(c["src"], serde_json::json!([255, 190]), "{c}");
        assert_eq!(c["target"], serde_json::json!([SYSID, 1]), "{c}");
    }
    let sequence: Vec<(&str, &str)> = all
        .iter()
        .map(|c| {
            (
                c["command"].as_str().unwrap(),
                c["answer"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        sequence,
        vec![
            ("MAV_CMD_COMPONENT_ARM_DISARM", "ignored"),
            ("MAV_CMD_COMPONENT_ARM_DISARM", "ACCEPTED"),
            ("MAV_CMD_NAV_TAKEOFF", "ACCEPTED"),
            ("MAV_CMD_DO_REPOSITION", "ACCEPTED"),
            ("MAV_CMD_DO_SET_MODE", "ACCEPTED"),
            ("MAV_CMD_DO_SET_MODE", "ACCEPTED"),
            ("MAV_CMD_NAV_LAND", "DENIED"),
            ("MAV_CMD_NAV_RETURN_TO_LAUNCH", "unanswered"),
            ("MAV_CMD_NAV_RETURN_TO_LAUNCH", "unanswered"),
            ("MAV_CMD_NAV_RETURN_TO_LAUNCH", "unanswered"),
            ("MAV_CMD_NAV_RETURN_TO_LAUNCH", "unanswered"),
            ("MAV_CMD_COMPONENT_ARM_DISARM", "ACCEPTED"),
        ],
        "{report:#}"
    );

    let arm_disarm = commands_named(report, "MAV_CMD_COMPONENT_ARM_DISARM");
    assert_eq!(arm_disarm[0]["confirmation"], 0);
    assert_eq!(arm_disarm[1]["confirmation"], 1, "retransmission counts up");
    assert_eq!(params(arm_disarm[1])[0], Some(1.0));
    let force = params(arm_disarm[2]);
    assert_eq!((force[0], force[1]), (Some(0.0), Some(21196.0)));

    let takeoff = params(commands_named(report, "MAV_CMD_NAV_TAKEOFF")[0]);
    let want = HOME_ALT_M + TAKEOFF_REL_M;
    assert!((takeoff[6].unwrap() - want).abs() < 1e-3, "{takeoff:?}");
    assert_eq!((takeoff[4], takeoff[5]), (None, None), "lat/lon NaN");

    let go = commands_named(report, "MAV_CMD_DO_REPOSITION")[0];
    assert_eq!(go["message"], "COMMAND_INT");
    assert_eq!(go["frame"], 0, "MAV_FRAME_GLOBAL");
    assert_eq!(
        params(go)[1].map(|p| p as u32 & 1),
        Some(1),
        "change-mode flag"
    );
    let (x, y) = GOTO.to_deg_e7();
    assert_eq!(
        (go["x"].as_i64(), go["y"].as_i64()),
        (Some(x.into()), Some(y.into()))
    );
    let z = go["z"].as_f64().unwrap();
    assert!((z - (HOME_ALT_M + GOTO_REL_M)).abs() < 1e-3, "{go}");

    let modes: Vec<_> = commands_named(report, "MAV_CMD_DO_SET_MODE")
        .into_iter()
        .map(|c| params(c)[..3].to_vec())
        .collect();
    assert_eq!(
        modes,
        vec![
            vec![Some(1.0), Some(3.0), Some(0.0)], // POSCTL
            vec![Some(1.0), Some(4.0), Some(3.0)], // AUTO / LOITER
        ]
    );

    let rtl: Vec<_> = commands_named(report, "MAV_CMD_NAV_RETURN_TO_LAUNCH")
        .iter()
        .map(|c| c["confirmation"].as_u64().unwrap())
        .collect();
    assert_eq!(rtl, vec![0, 1, 2, 3]);
    assert_eq!(report["final_state"]["armed"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pymavlink_fake_vehicle_checks_every_command_field() {
    let mut link = gcs_link::start(LinkConfig::new(vec![
        "udpin:127.0.0.1:0".parse().expect("address"),
    ]))
    .await
    .expect("link core starts");
    let port = link
        .local_addr(0)
        .expect("udpin has a local address")
        .port();
    let fake = spawn_fake_vehicle(port, TAKEOFF_REL_M);

    let flown = fly_scenario(&link).await;
    let mut events = Vec::new();
    while let Some(e) = link.try_next_event() {
        events.push(e);
    }
    // Dropping the handle stops the core; the fake ends when our heartbeat stops.
    drop(link);
    let out = match tokio::time::timeout(GUARD, fake.wait_with_output()).await {
        Ok(out) => out.expect("fake vehicle ran"),
        Err(_) => panic!("the fake vehicle did not end after the GCS went silent"),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if let Err(e) = &flown {
        panic!("scenario failed: {e:#}\n--- fake vehicle stdout:\n{stdout}\n--- stderr:\n{stderr}");
    }
    // The report is the last line (anything pymavlink prints comes before it).
    let report: Value = serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| {
            panic!("fake vehicle report is not JSON ({e}):\n{stdout}\n--- stderr:\n{stderr}")
        });
    assert!(
        out.status.success(),
        "fake vehicle exited {}: {report:#}\n--- stderr:\n{stderr}",
        out.status
    );
    check_report(&report);
    check_events(flown.expect("checked above"), &events);
}

/// The core's events follow the fake's state changes, in order, with no link loss.
fn check_events(v: VehicleId, events: &[Event]) {
    let mode = |from, to| Event::ModeChanged {
        vehicle: v,
        from,
        to,
    };
    let want = vec![
        Event::VehicleDiscovered(v),
        Event::Armed(v),
        mode(FlightMode::Hold, FlightMode::Takeoff),
        mode(FlightMode::Takeoff, FlightMode::Hold),
        mode(FlightMode::Hold, FlightMode::Position),
        mode(FlightMode::Position, FlightMode::Hold),
        Event::Disarmed(v),
    ];
    assert_eq!(events, want.as_slice());
}

/// The peer is not vacuous: a field that differs from what it expects fails its run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fake_vehicle_reports_a_wrong_field() {
    let link = gcs_link::start(LinkConfig::new(vec![
        "udpin:127.0.0.1:0".parse().expect("address"),
    ]))
    .await
    .expect("link core starts");
    let port = link
        .local_addr(0)
        .expect("udpin has a local address")
        .port();
    // The fake expects 1 m more than we command.
    let fake = spawn_fake_vehicle(port, TAKEOFF_REL_M + 1.0);
    let v = link
        .wait_for_vehicle(SYSID, GUARD)
        .await
        .expect("fake heard");
    link.wait_for(GUARD, |s| s.get(v).is_some_and(|st| st.home.is_some()))
        .await
        .expect("home heard");
    command(&link, v, VehicleCommand::Arm)
        .await
        .expect("guard")
        .expect("armed");
    // The fake checks, then accepts: its verdict comes in its report.
    command(
        &link,
        v,
        VehicleCommand::Takeoff {
            alt_rel_m: TAKEOFF_REL_M,
        },
    )
    .await
    .expect("guard")
    .expect("accepted");
    drop(link);
    let out = tokio::time::timeout(GUARD, fake.wait_with_output())
        .await
        .expect("the fake ends when the GCS goes silent")
        .expect("fake vehicle ran");
    assert_eq!(out.status.code(), Some(1), "the fake must fail its run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: Value =
        serde_json::from_str(stdout.lines().last().unwrap_or_default()).expect("JSON report");
    assert_eq!(report["ok"], false);
    let errors: Vec<&str> = report["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("TAKEOFF param7 (AMSL)")),
        "{errors:?}"
    );
    // What we did send right passed (the rest of its objections are about the
    // scenario this test does not fly).
    assert!(!errors.iter().any(|e| e.contains("ARM")), "{errors:?}");
}
