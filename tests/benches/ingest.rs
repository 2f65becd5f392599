//! Benchmark (not a timed test): how many MAVLink messages per second gcs-link ingests
//! into vehicle state, against how many pymavlink parses from the same bytes.
//!
//! Run: `cargo bench -p vigil-tests --bench ingest` (about 20 s after the build).
//! Options after `--`: `--vehicles N` (default 10), `--seconds S` of stream per vehicle
//! (default 300). The Python side needs the peers' venv (`python3 -m venv .venv &&
//! .venv/bin/pip install -r tests/peers/requirements.txt`) or `$VIGIL_PYTHON`; without
//! it, only gcs-link's figures are printed.
//!
//! The buffer mixes PX4's default GCS-link stream for each vehicle (HEARTBEAT 1 Hz,
//! ATTITUDE 15 Hz, GLOBAL_POSITION_INT 5 Hz, VFR_HUD 4 Hz, SYS_STATUS, GPS_RAW_INT,
//! EXTENDED_SYS_STATE and ALTITUDE 1 Hz, BATTERY_STATUS and HOME_POSITION 0.5 Hz) as
//! MAVLink 2 frames in time order, and is written to a temporary file that both sides
//! read. gcs-link's figure is `frame::decode_all` (framing, CRC, decoding) plus
//! `Fleet::on_frame` (state update, events), with a clock read per frame; pymavlink's
//! is `MAVLink.parse_buffer` (framing, CRC, decoding into message objects, no state).

use std::io::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use gcs_link::fleet::Fleet;
use gcs_link::frame::{decode_all, encode_v2};
use gcs_link::px4_mode::FlightMode;
use gcs_link::transport::Received;
use mavlink::dialects::common::*;

/// One message type of the stream and its rate.
struct Stream {
    rate_hz: f64,
    make: fn(vehicle: u8, t_s: f64) -> MavMessage,
}

const STREAMS: [Stream; 10] = [
    Stream {
        rate_hz: 1.0,
        make: heartbeat,
    },
    Stream {
        rate_hz: 15.0,
        make: attitude,
    },
    Stream {
        rate_hz: 5.0,
        make: global_position,
    },
    Stream {
        rate_hz: 4.0,
        make: vfr_hud,
    },
    Stream {
        rate_hz: 1.0,
        make: sys_status,
    },
    Stream {
        rate_hz: 1.0,
        make: gps_raw,
    },
    Stream {
        rate_hz: 1.0,
        make: extended_sys_state,
    },
    Stream {
        rate_hz: 0.5,
        make: battery_status,
    },
    Stream {
        rate_hz: 1.0,
        make: altitude,
    },
    Stream {
        rate_hz: 0.5,
        make: home_position,
    },
];

fn heartbeat(_: u8, _: f64) -> MavMessage {
    let mode = FlightMode::Mission;
    MavMessage::HEARTBEAT(HEARTBEAT_DATA {
        custom_mode: mode.to_px4_custom_mode(),
        mavtype: MavType::MAV_TYPE_QUADROTOR,
        autopilot: MavAutopilot::MAV_AUTOPILOT_PX4,
        base_mode: MavModeFlag::from_bits_truncate(mode.to_px4_base_mode(true)),
        system_status: MavState::MAV_STATE_ACTIVE,
        mavlink_version: 3,
    })
}

/// A vehicle flying a slow circle near Agadez: (lat, lon) in degrees.
fn track(vehicle: u8, t_s: f64) -> (f64, f64) {
    let phase = t_s / 120.0 + f64::from(vehicle);
    (
        16.97 + 0.01 * f64::from(vehicle) + 0.005 * phase.sin(),
        7.99 + 0.005 * phase.cos(),
    )
}

fn boot_ms(t_s: f64) -> u32 {
    (t_s * 1000.0) as u32 + 12_345
}

fn attitude(_: u8, t_s: f64) -> MavMessage {
    MavMessage::ATTITUDE(ATTITUDE_DATA {
        time_boot_ms: boot_ms(t_s),
        roll: 0.05 * (t_s * 1.3).sin() as f32,
        pitch: -0.04 * (t_s * 0.7).cos() as f32,
        yaw: (t_s / 120.0).rem_euclid(std::f64::consts::TAU) as f32 - std::f32::consts::PI,
        rollspeed: 0.01 * (t_s * 2.1).sin() as f32,
        pitchspeed: 0.01 * (t_s * 1.7).cos() as f32,
        yawspeed: 0.008,
    })
}

fn global_position(vehicle: u8, t_s: f64) -> MavMessage {
    let (lat, lon) = track(vehicle, t_s);
    MavMessage::GLOBAL_POSITION_INT(GLOBAL_POSITION_INT_DATA {
        time_boot_ms: boot_ms(t_s),
        lat: (lat * 1e7) as i32,
        lon: (lon * 1e7) as i32,
        alt: 632_150 + (t_s * 10.0) as i32 % 500,
        relative_alt: 120_150 + (t_s * 10.0) as i32 % 500,
        vx: 812,
        vy: -577,
        vz: -3,
        hdg: ((t_s * 3.0) as u32 % 36_000) as u16,
    })
}

fn vfr_hud(_: u8, t_s: f64) -> MavMessage {
    MavMessage::VFR_HUD(VFR_HUD_DATA {
        airspeed: 10.1,
        groundspeed: 9.96,
        heading: ((t_s * 0.03) as i16).rem_euclid(360),
        throttle: 47,
        alt: 632.15,
        climb: -0.03,
    })
}

fn sys_status(_: u8, t_s: f64) -> MavMessage {
    MavMessage::SYS_STATUS(SYS_STATUS_DATA {
        load: 412,
        voltage_battery: 15_820 - (t_s as u16 % 1000),
        current_battery: 1_240,
        battery_remaining: 81,
        drop_rate_comm: 0,
        ..Default::default()
    })
}

fn gps_raw(vehicle: u8, t_s: f64) -> MavMessage {
    let (lat, lon) = track(vehicle, t_s);
    MavMessage::GPS_RAW_INT(GPS_RAW_INT_DATA {
        time_usec: u64::from(boot_ms(t_s)) * 1000,
        fix_type: GpsFixType::GPS_FIX_TYPE_3D_FIX,
        lat: (lat * 1e7) as i32,
        lon: (lon * 1e7) as i32,
        alt: 632_400,
        eph: 78,
        epv: 121,
        vel: 996,
        cog: 32_100,
        satellites_visible: 14,
        alt_ellipsoid: 655_900,
        h_acc: 720,
        v_acc: 1_150,
        vel_acc: 180,
        hdg_acc: 0,
        yaw: 0,
    })
}

fn extended_sys_state(_: u8, _: f64) -> MavMessage {
    MavMessage::EXTENDED_SYS_STATE(EXTENDED_SYS_STATE_DATA {
        vtol_state: MavVtolState::MAV_VTOL_STATE_UNDEFINED,
        landed_state: MavLandedState::MAV_LANDED_STATE_IN_AIR,
    })
}

fn battery_status(_: u8, t_s: f64) -> MavMessage {
    let cell = 3_955 - (t_s as u16 % 300);
    let mut voltages = [u16::MAX; 10];
    voltages[..4].fill(cell);
    MavMessage::BATTERY_STATUS(BATTERY_STATUS_DATA {
        current_consumed: 1_020 + t_s as i32,
        energy_consumed: -1,
        temperature: i16::MAX,
        voltages,
        current_battery: 1_240,
        id: 0,
        battery_remaining: 81,
        time_remaining: 1_650,
        ..Default::default()
    })
}

fn altitude(_: u8, t_s: f64) -> MavMessage {
    MavMessage::ALTITUDE(ALTITUDE_DATA {
        time_usec: u64::from(boot_ms(t_s)) * 1000,
        altitude_monotonic: 631.9,
        altitude_amsl: 632.15,
        altitude_local: 120.15,
        altitude_relative: 120.15,
        altitude_terrain: f32::NAN,
        bottom_clearance: f32::NAN,
    })
}

fn home_position(vehicle: u8, t_s: f64) -> MavMessage {
    let (lat, lon) = track(vehicle, 0.0);
    MavMessage::HOME_POSITION(HOME_POSITION_DATA {
        latitude: (lat * 1e7) as i32,
        longitude: (lon * 1e7) as i32,
        altitude: 512_000,
        q: [1.0, 0.0, 0.0, 0.0],
        time_usec: u64::from(boot_ms(t_s)) * 1000,
        ..Default::default()
    })
}

/// Every vehicle's stream for `seconds`, as MAVLink 2 frames in time order.
fn build_stream(vehicles: u8, seconds: u32) -> (Vec<u8>, usize) {
    let mut timeline = Vec::new();
    for v in 1..=vehicles {
        // Vehicles are not in lockstep: each starts a little later.
        let offset = f64::from(v) * 0.013;
        for (kind, s) in STREAMS.iter().enumerate() {
            let n = (f64::from(seconds) * s.rate_hz) as u32;
            for k in 0..n {
                timeline.push((offset + f64::from(k) / s.rate_hz, v, kind));
            }
        }
    }
    timeline.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut seq = vec![0u8; usize::from(vehicles) + 1];
    let mut bytes = Vec::new();
    for &(t, v, kind) in &timeline {
        let msg = (STREAMS[kind].make)(v, t);
        let s = &mut seq[usize::from(v)];
        bytes.extend(encode_v2(v, 1, *s, &msg));
        *s = s.wrapping_add(1);
    }
    (bytes, timeline.len())
}

/// Runs `f` (which returns how many messages it handled) until `budget` has passed
/// (at least three times); returns messages per second of the median run.
fn rate(budget: Duration, expected: usize, mut f: impl FnMut() -> usize) -> f64 {
    let mut secs = Vec::new();
    let start = Instant::now();
    while secs.len() < 3 || start.elapsed() < budget {
        let t = Instant::now();
        let n = std::hint::black_box(f());
        secs.push(t.elapsed().as_secs_f64());
        assert_eq!(n, expected, "every frame decodes");
    }
    secs.sort_by(f64::total_cmp);
    expected as f64 / secs[secs.len() / 2]
}

fn figure(label: &str, value: f64, unit: &str) {
    println!("{label:<50}{value:>12.0} {unit}");
}

fn arg(args: &[String], name: &str, default: u32) -> u32 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name} wants a number"))
        })
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let vehicles = u8::try_from(arg(&args, "--vehicles", 10)).expect("--vehicles <= 255");
    let seconds = arg(&args, "--seconds", 300);
    let (bytes, messages) = build_stream(vehicles, seconds);
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(&bytes).expect("write stream");
    file.flush().expect("flush stream");
    let bytes = std::fs::read(file.path()).expect("read stream back");
    println!(
        "stream: {vehicles} vehicles x {seconds} s of PX4's GCS stream = {messages} MAVLink 2 \
         frames, {} bytes ({})",
        bytes.len(),
        file.path().display()
    );

    let budget = Duration::from_secs(3);
    let decode_rate = rate(budget, messages, || {
        let mut n = 0;
        decode_all(&bytes, |frame, _| {
            std::hint::black_box(&frame);
            n += 1;
        });
        n
    });
    let mut final_fleet = None;
    let ingest_rate = rate(budget, messages, || {
        let mut fleet = Fleet::default();
        let mut events = Vec::new();
        let mut n = 0;
        decode_all(&bytes, |frame, _| {
            let r = Received {
                link: 0,
                at: Instant::now(),
                frame,
                raw: None,
                from: None,
                undecoded: Vec::new(),
            };
            fleet.on_frame(&r, &mut events);
            events.clear();
            n += 1;
        });
        final_fleet = Some(fleet);
        n
    });
    // The state was really ingested: every vehicle is there with its telemetry.
    let snap = final_fleet.expect("ran").snapshot(Instant::now());
    assert_eq!(snap.vehicles.len(), usize::from(vehicles));
    for v in snap.vehicles.values() {
        assert_eq!(v.mode, FlightMode::Mission);
        assert!(v.armed && v.position.is_some() && v.home.is_some() && v.attitude.is_some());
        assert_eq!(v.battery.remaining_pct, Some(81.0));
    }
    figure("gcs-link decode only (decode_all)", decode_rate, "msg/s");
    figure(
        "gcs-link ingest (decode_all + Fleet::on_frame)",
        ingest_rate,
        "msg/s",
    );

    let python = match vigil_tests::python::python() {
        Ok(p) => p,
        Err(e) => {
            println!("pymavlink: skipped: {e}");
            return;
        }
    };
    let script = vigil_tests::python::peer_script("pymavlink_parse_bench.py");
    let out = Command::new(&python)
        .arg(&script)
        .arg(file.path())
        .args(["--expect", &messages.to_string()])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    assert!(
        out.status.success(),
        "pymavlink bench failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("pymavlink bench prints JSON");
    let py_rate = report["rate_msg_s"].as_f64().expect("rate_msg_s");
    let version = report["pymavlink"].as_str().unwrap_or("?");
    figure(
        &format!("pymavlink {version} parse (MAVLink.parse_buffer)"),
        py_rate,
        "msg/s",
    );
    println!(
        "{:<50}{:>12.1} x",
        "ratio: gcs-link ingest / pymavlink parse",
        ingest_rate / py_rate
    );
}
