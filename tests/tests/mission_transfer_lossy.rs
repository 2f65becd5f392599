//! Mission transfer exact under faults: our client (gcs-link's sans-IO `MissionTransfer`)
//! against the simulator's PX4-style mission server, through a simulated radio that
//! loses, duplicates, delays and reorders frames, on a virtual clock.
//!
//! Every frame is really encoded and decoded by rust-mavlink on the way. Each case either
//! ends with the vehicle's stored plan and the downloaded plan equal to the uploaded one,
//! field for field, or fails with a clear error, and the vehicle never holds a partial plan.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::{Duration, Instant};

use gcs_link::VehicleId;
use gcs_link::constants::{
    MISSION_MAX_RETRIES, MISSION_RTT_INITIAL, MISSION_RTT_MAX, MISSION_RTT_MIN,
};
use gcs_link::frame::{decode_all, encode_v2};
use gcs_link::mavlink::dialects::common::MavMessage;
use gcs_link::mission::{
    MissionError, MissionItemInt, MissionTransfer, MissionType, Operation, Outcome, RttEstimator,
};
use gcs_sim::mission_server::MissionServer;
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const GCS: VehicleId = VehicleId {
    sysid: 255,
    compid: 190,
};
const DRONE: VehicleId = VehicleId {
    sysid: 1,
    compid: 1,
};
/// How often the vehicle's mission server checks its timers (PX4's mavlink loop).
const SERVER_TICK: Duration = Duration::from_millis(20);

#[derive(Debug, Clone, Copy)]
struct Radio {
    loss_up: f64,
    loss_down: f64,
    dup: f64,
    latency: Duration,
    jitter: Duration,
}

/// A frame in flight: delivery time, tiebreak, to the vehicle?, encoded bytes.
type InFlight = Reverse<(Instant, u64, bool, Vec<u8>)>;

struct World {
    now: Instant,
    rng: StdRng,
    radio: Radio,
    air: BinaryHeap<InFlight>,
    order: u64,
    seq: [u8; 2],
    server: MissionServer,
    next_server_tick: Instant,
}

impl World {
    fn new(seed: u64, radio: Radio) -> Self {
        let now = Instant::now();
        Self {
            now,
            rng: StdRng::seed_from_u64(seed),
            radio,
            air: BinaryHeap::new(),
            order: 0,
            seq: [0; 2],
            server: MissionServer::default(),
            next_server_tick: now,
        }
    }

    fn transmit(&mut self, to_vehicle: bool, msg: &MavMessage) {
        let (from, side) = if to_vehicle { (GCS, 0) } else { (DRONE, 1) };
        let bytes = encode_v2(from.sysid, from.compid, self.seq[side], msg);
        self.seq[side] = self.seq[side].wrapping_add(1);
        let loss = if to_vehicle {
            self.radio.loss_up
        } else {
            self.radio.loss_down
        };
        if self.rng.random_bool(loss) {
            return;
        }
        let copies = if self.rng.random_bool(self.radio.dup) {
            2
        } else {
            1
        };
        for _ in 0..copies {
            let jitter = self.radio.jitter.mul_f64(self.rng.random::<f64>());
            let at = self.now + self.radio.latency + jitter;
            self.order += 1;
            self.air
                .push(Reverse((at, self.order, to_vehicle, bytes.clone())));
        }
    }

    /// Runs `op` to its end; the vehicle's server keeps running between transfers.
    fn transfer(
        &mut self,
        op: Operation,
        rtt: RttEstimator,
    ) -> (Result<Outcome, MissionError>, RttEstimator) {
        let (mut t, out) = MissionTransfer::start(
            DRONE,
            GCS.sysid,
            MissionType::Mission,
            op,
            rtt,
            MISSION_MAX_RETRIES,
            self.now,
        );
        for m in &out {
            self.transmit(true, m);
        }
        let give_up = self.now + Duration::from_secs(24 * 3600);
        while t.result().is_none() {
            assert!(self.now < give_up, "transfer neither finished nor failed");
            let next_air = self.air.peek().map(|Reverse((at, ..))| *at);
            let next = [next_air, t.next_deadline(), Some(self.next_server_tick)]
                .into_iter()
                .flatten()
                .min()
                .expect("the server always ticks");
            self.now = self.now.max(next);
            if next_air == Some(next) {
                let Reverse((_, _, to_vehicle, bytes)) = self.air.pop().expect("peeked");
                let mut frames = Vec::new();
                decode_all(&bytes, |f, _| frames.push(f));
                for f in frames {
                    if to_vehicle {
                        let replies = self.server.on_message(DRONE, GCS, &f.msg, self.now);
                        for r in &replies {
                            self.transmit(false, r);
                        }
                    } else {
                        for r in t.on_message(&f.msg, self.now) {
                            self.transmit(true, &r);
                        }
                    }
                }
            } else if t.next_deadline() == Some(next) {
                for r in t.on_tick(self.now) {
                    self.transmit(true, &r);
                }
            } else {
                self.next_server_tick = self.now + SERVER_TICK;
                for r in self.server.on_tick(self.now) {
                    self.transmit(false, &r);
                }
            }
        }
        let rtt = t.rtt();
        (t.take_result().expect("loop ended on a result"), rtt)
    }

    /// Lets frames still in the air land (and the server time out stale transfers).
    fn settle(&mut self) {
        let end = self.now + Duration::from_secs(6);
        while self.now < end {
            self.now += SERVER_TICK;
            while self
                .air
                .peek()
                .is_some_and(|Reverse((at, ..))| *at <= self.now)
            {
                let Reverse((_, _, to_vehicle, bytes)) = self.air.pop().expect("peeked");
                if to_vehicle {
                    let mut frames = Vec::new();
                    decode_all(&bytes, |f, _| frames.push(f));
                    for f in frames {
                        let _ = self.server.on_message(DRONE, GCS, &f.msg, self.now);
                    }
                }
            }
            let _ = self.server.on_tick(self.now);
        }
        self.air.clear();
    }
}

fn same(a: &[MissionItemInt], b: &[MissionItemInt]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_as(y))
}

/// PX4-acceptable mission items: (command, frame) pairs PX4's parser takes.
fn item(seq: u16) -> impl Strategy<Value = MissionItemInt> {
    (
        prop::sample::select(vec![
            (16u16, 3u8),
            (16, 6),
            (19, 3),
            (22, 3),
            (21, 3),
            (20, 2),
            (178, 2),
            (177, 2),
            (201, 3),
            (206, 2),
        ]),
        any::<(f32, f32, f32)>(),
        prop::option::of(-360.0f32..360.0),
        (
            -900_000_000i32..900_000_000,
            -1_800_000_000i32..1_800_000_000,
            -100.0f32..5000.0,
        ),
        0u8..2,
    )
        .prop_map(
            move |((command, frame), (p1, p2, p3), p4, (x, y, z), autocontinue)| MissionItemInt {
                seq,
                frame,
                command,
                current: u8::from(seq == 0),
                autocontinue,
                param1: p1,
                param2: p2,
                param3: p3,
                param4: p4.unwrap_or(f32::NAN),
                x,
                y,
                z,
                mission_type: MissionType::Mission,
            },
        )
}

fn plan() -> impl Strategy<Value = Vec<MissionItemInt>> {
    (1usize..=1000).prop_flat_map(|n| (0..n as u16).map(item).collect::<Vec<_>>())
}

fn radio() -> impl Strategy<Value = Radio> {
    (
        0.0f64..0.30,
        0.0f64..0.30,
        0.0f64..0.10,
        1u64..100,
        0u64..60,
    )
        .prop_map(|(up, down, dup, lat, jit)| Radio {
            loss_up: up,
            loss_down: down,
            dup,
            latency: Duration::from_millis(lat),
            jitter: Duration::from_millis(jit),
        })
}

fn fresh_rtt() -> RttEstimator {
    RttEstimator::new(MISSION_RTT_INITIAL, MISSION_RTT_MIN, MISSION_RTT_MAX)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn upload_then_download_is_exact_or_fails_loudly(items in plan(), radio in radio(), seed in any::<u64>()) {
        let mut w = World::new(seed, radio);
        let before = w.server.list(MissionType::Mission).to_vec();
        let (up, rtt) = w.transfer(Operation::Upload(items.clone()), fresh_rtt());
        w.settle();
        let stored = w.server.list(MissionType::Mission).to_vec();
        match up {
            Ok(Outcome::Uploaded { opaque_id }) => {
                prop_assert!(same(&stored, &items), "upload reported success but the vehicle holds {} of {} items", stored.len(), items.len());
                prop_assert_eq!(opaque_id, Some(w.server.id(MissionType::Mission)));
                let (down, _) = w.transfer(Operation::Download, rtt);
                match down {
                    Ok(Outcome::Downloaded { items: got, opaque_id: id }) => {
                        prop_assert!(same(&got, &items), "downloaded plan differs");
                        prop_assert_eq!(id, opaque_id);
                    }
                    Ok(other) => prop_assert!(false, "unexpected {:?}", other),
                    Err(e) => prop_assert!(!e.to_string().is_empty()),
                }
            }
            Ok(other) => prop_assert!(false, "unexpected {:?}", other),
            Err(e) => {
                // Loud failure, and never a partial plan on the vehicle.
                prop_assert!(!e.to_string().is_empty());
                prop_assert!(same(&stored, &before) || same(&stored, &items), "failed upload left {} items", stored.len());
            }
        }
    }
}

#[test]
fn lossless_transfer_of_1000_items_succeeds_and_learns_the_round_trip() {
    let radio = Radio {
        loss_up: 0.0,
        loss_down: 0.0,
        dup: 0.0,
        latency: Duration::from_millis(20),
        jitter: Duration::ZERO,
    };
    let items: Vec<MissionItemInt> = (0..1000u16)
        .map(|seq| MissionItemInt {
            param2: 2.0,
            param4: f32::NAN,
            ..MissionItemInt::waypoint(seq, 169_742_000 + i32::from(seq) * 100, 79_865_000, 120.0)
        })
        .collect();
    let mut w = World::new(1, radio);
    let start = w.now;
    let (up, rtt) = w.transfer(Operation::Upload(items.clone()), fresh_rtt());
    assert!(matches!(up, Ok(Outcome::Uploaded { .. })), "{up:?}");
    // 1000 items x 40 ms round trip + count/ack: nothing retransmitted on a clean link.
    let took = w.now - start;
    assert!(
        took < Duration::from_millis(41_000),
        "virtual time {took:?}"
    );
    let srtt = rtt.srtt().expect("sampled");
    assert!(
        srtt.abs_diff(Duration::from_millis(40)) < Duration::from_millis(2),
        "{srtt:?}"
    );
    assert!(same(w.server.list(MissionType::Mission), &items));
}

#[test]
fn vehicle_refusals_are_typed_errors() {
    let radio = Radio {
        loss_up: 0.0,
        loss_down: 0.0,
        dup: 0.0,
        latency: Duration::from_millis(5),
        jitter: Duration::ZERO,
    };
    let mut w = World::new(2, radio);
    let mk = |seq: u16, command: u16, frame: u8| MissionItemInt {
        seq,
        frame,
        command,
        current: 0,
        autocontinue: 1,
        param1: 0.0,
        param2: 0.0,
        param3: 0.0,
        param4: 0.0,
        x: 0,
        y: 0,
        z: 10.0,
        mission_type: MissionType::Mission,
    };
    // DO_SET_SERVO (183) is not a mission command PX4 accepts.
    let (r, _) = w.transfer(
        Operation::Upload(vec![mk(0, 16, 3), mk(1, 183, 2)]),
        fresh_rtt(),
    );
    match r {
        Err(MissionError::Rejected { result, .. }) => {
            assert_eq!(result, gcs_link::mission::MissionResult::Unsupported)
        }
        other => panic!("{other:?}"),
    }
    assert!(
        w.server.list(MissionType::Mission).is_empty(),
        "nothing stored"
    );
    // Terrain frame (10) is not supported by PX4's mission.
    let (r, _) = w.transfer(Operation::Upload(vec![mk(0, 16, 10)]), fresh_rtt());
    assert!(
        matches!(
            r,
            Err(MissionError::Rejected {
                result: gcs_link::mission::MissionResult::UnsupportedFrame,
                ..
            })
        ),
        "{r:?}"
    );
    // More items than PX4 SITL stores.
    let too_many = gcs_sim::mission_server::MAX_ITEMS[0] as u16 + 1;
    let many: Vec<_> = (0..too_many).map(|s| mk(s, 16, 3)).collect();
    let (r, _) = w.transfer(Operation::Upload(many), fresh_rtt());
    assert!(
        matches!(
            r,
            Err(MissionError::Rejected {
                result: gcs_link::mission::MissionResult::NoSpace,
                ..
            })
        ),
        "{r:?}"
    );
}

#[test]
fn a_dead_link_times_out_with_a_clear_error() {
    let radio = Radio {
        loss_up: 1.0,
        loss_down: 0.0,
        dup: 0.0,
        latency: Duration::from_millis(5),
        jitter: Duration::ZERO,
    };
    let mut w = World::new(3, radio);
    let (r, _) = w.transfer(Operation::Download, fresh_rtt());
    let e = r.unwrap_err();
    assert!(
        matches!(
            e,
            MissionError::Timeout {
                retries: MISSION_MAX_RETRIES,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("waiting for the item count"), "{e}");
}

#[test]
fn thirty_percent_loss_each_way_still_transfers_1000_items_exactly() {
    for seed in [11, 12, 13] {
        let radio = Radio {
            loss_up: 0.30,
            loss_down: 0.30,
            dup: 0.05,
            latency: Duration::from_millis(20),
            jitter: Duration::from_millis(30),
        };
        let items: Vec<MissionItemInt> = (0..1000u16)
            .map(|seq| MissionItemInt {
                seq,
                frame: 6,
                command: 16,
                current: 0,
                autocontinue: 1,
                param1: f32::from(seq % 7),
                param2: 2.5,
                param3: 0.0,
                param4: f32::NAN,
                x: 169_742_000 - i32::from(seq) * 977,
                y: 79_865_000 + i32::from(seq) * 313,
                z: 120.0 + f32::from(seq % 13),
                mission_type: MissionType::Mission,
            })
            .collect();
        let mut w = World::new(seed, radio);
        let (up, rtt) = w.transfer(Operation::Upload(items.clone()), fresh_rtt());
        assert!(
            matches!(up, Ok(Outcome::Uploaded { .. })),
            "seed {seed}: {up:?}"
        );
        let (down, _) = w.transfer(Operation::Download, rtt);
        match down {
            Ok(Outcome::Downloaded { items: got, .. }) => {
                assert!(same(&got, &items), "seed {seed}")
            }
            other => panic!("seed {seed}: {other:?}"),
        }
    }
}
