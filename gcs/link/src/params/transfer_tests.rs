//! Sans-IO tests of the parameter machines: a fake clock and a scripted vehicle.

use std::time::Duration;

use super::*;

const V: VehicleId = VehicleId {
    sysid: 1,
    compid: 1,
};
const ENC: ParamEncoding = ParamEncoding::Bytewise;

/// A scripted PX4: its table and the PARAM_VALUE it would send.
struct Vehicle {
    params: Vec<(String, ParamValue)>,
}

impl Vehicle {
    fn new(n: usize) -> Self {
        let params = (0..n)
            .map(|i| {
                let value = if i % 2 == 0 {
                    ParamValue::I32(-(i as i32)) // negative integers are NaN on the wire
                } else {
                    ParamValue::F32(i as f32 * 0.5)
                };
                (format!("P_{i:03}"), value)
            })
            .collect();
        Self { params }
    }

    fn value(&self, i: usize) -> MavMessage {
        let (name, value) = &self.params[i];
        MavMessage::PARAM_VALUE(PARAM_VALUE_DATA {
            param_value: value.to_wire(ENC),
            param_count: self.params.len() as u16,
            param_index: i as u16,
            param_id: param_id(name),
            param_type: value.mav_type(),
        })
    }

    fn hash(&self, h: u32) -> MavMessage {
        MavMessage::PARAM_VALUE(PARAM_VALUE_DATA {
            param_value: f32::from_bits(h),
            param_count: self.params.len() as u16,
            param_index: u16::MAX,
            param_id: param_id(HASH_CHECK_NAME),
            param_type: MavParamType::MAV_PARAM_TYPE_UINT32,
        })
    }

    fn expected(&self) -> Vec<Param> {
        self.params
            .iter()
            .enumerate()
            .map(|(i, (name, value))| Param {
                name: name.clone(),
                value: *value,
                index: i as u16,
            })
            .collect()
    }
}

fn sends(out: &mut Vec<Action>) -> Vec<MavMessage> {
    out.drain(..)
        .filter_map(|a| match a {
            Action::Send(m) => Some(m),
            _ => None,
        })
        .collect()
}

fn read_indices(msgs: &[MavMessage]) -> Vec<i16> {
    msgs.iter()
        .map(|m| match m {
            MavMessage::PARAM_REQUEST_READ(r) => {
                assert_eq!((r.target_system, r.target_component), (1, 1));
                r.param_index
            }
            other => panic!("expected PARAM_REQUEST_READ, got {other:?}"),
        })
        .collect()
}

#[test]
fn fetch_collects_the_stream_with_progress_and_hash() {
    let t0 = Instant::now();
    let veh = Vehicle::new(5);
    let mut out = Vec::new();
    let mut f = FetchAll::start(V, ENC, t0, &mut out);
    assert!(matches!(
        sends(&mut out)[..],
        [MavMessage::PARAM_REQUEST_LIST(PARAM_REQUEST_LIST_DATA {
            target_system: 1,
            target_component: 1
        })]
    ));
    f.on_message(1, &veh.hash(0x1234_5678), t0, &mut out);
    assert_eq!(out.pop(), Some(Action::HashCheck(0x1234_5678)));
    let mut progress = vec![];
    for i in 0..5 {
        f.on_message(1, &veh.value(i), t0, &mut out);
        for a in out.drain(..) {
            match a {
                Action::Progress(p) => progress.push((p.received, p.total)),
                other => panic!("{other:?}"),
            }
        }
    }
    assert_eq!(progress, vec![(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]);
    let set = f.take_result().unwrap().unwrap();
    assert_eq!(set.params, veh.expected());
    assert_eq!(set.hash, Some(0x1234_5678));
    assert!(!set.from_cache);
    assert!(f.take_result().is_none());
}

#[test]
fn loss_reordering_and_duplicates_end_with_the_exact_list() {
    let t0 = Instant::now();
    let veh = Vehicle::new(30);
    let mut out = Vec::new();
    let mut f = FetchAll::start(V, ENC, t0, &mut out);
    out.clear();
    f.on_message(1, &veh.hash(5), t0, &mut out);
    out.clear();
    // Reversed, every third lost, every fifth twice; a camera's PARAM_VALUE too.
    let mut t = t0;
    for i in (0..30).rev() {
        t += Duration::from_millis(2);
        if i % 3 == 1 {
            continue;
        }
        f.on_message(100, &veh.value((i + 1) % 30), t, &mut out);
        f.on_message(1, &veh.value(i), t, &mut out);
        if i % 5 == 0 {
            f.on_message(1, &veh.value(i), t, &mut out);
        }
        f.on_tick(t, &mut out);
    }
    let progress: Vec<usize> = out
        .drain(..)
        .map(|a| match a {
            Action::Progress(p) => p.received,
            other => panic!("nothing is sent while the stream flows: {other:?}"),
        })
        .collect();
    assert_eq!(
        progress,
        (1..=20).collect::<Vec<_>>(),
        "duplicates count once"
    );
    // The stream goes quiet: the first ten missing indices are re-requested.
    t += PARAM_STREAM_GAP_TIMEOUT;
    f.on_tick(t, &mut out);
    let missing: Vec<i16> = (0..30).filter(|i| i % 3 == 1).collect();
    assert_eq!(read_indices(&sends(&mut out)), missing);
    // Answers arrive out of order; each one frees a slot, but nothing else is missing.
    for &i in missing.iter().rev() {
        f.on_message(1, &veh.value(i as usize), t, &mut out);
    }
    let set = f.take_result().expect("done").expect("complete");
    assert_eq!(set.params, veh.expected());
}

#[test]
fn missing_indices_are_rerequested_in_a_window_until_answered() {
    let t0 = Instant::now();
    let veh = Vehicle::new(40);
    let mut out = Vec::new();
    let mut f = FetchAll::start(V, ENC, t0, &mut out);
    out.clear();
    f.on_message(1, &veh.hash(5), t0, &mut out);
    out.clear();
    // Only index 0 arrives; 39 are missing.
    f.on_message(1, &veh.value(0), t0, &mut out);
    out.clear();
    let mut t = t0 + PARAM_STREAM_GAP_TIMEOUT;
    f.on_tick(t, &mut out);
    assert_eq!(read_indices(&sends(&mut out)), (1..=10).collect::<Vec<_>>());
    // Answering index 1 opens the window to index 11.
    f.on_message(1, &veh.value(1), t, &mut out);
    let s = sends(&mut out);
    assert_eq!(read_indices(&s), vec![11]);
    // Nothing more until the read timeout; then the late ones are asked again.
    f.on_tick(t + PARAM_READ_TIMEOUT / 2, &mut out);
    assert!(out.is_empty());
    t += PARAM_READ_TIMEOUT;
    f.on_tick(t, &mut out);
    assert_eq!(read_indices(&sends(&mut out)), (2..=11).collect::<Vec<_>>());
    for i in 2..40 {
        f.on_message(1, &veh.value(i), t, &mut out);
    }
    assert_eq!(f.take_result().unwrap().unwrap().params, veh.expected());
}

#[test]
fn an_index_that_never_comes_fails_loudly_after_bounded_retries() {
    let t0 = Instant::now();
    let veh = Vehicle::new(3);
    let mut out = Vec::new();
    let mut f = FetchAll::start(V, ENC, t0, &mut out);
    f.on_message(1, &veh.value(0), t0, &mut out);
    f.on_message(1, &veh.value(2), t0, &mut out);
    out.clear();
    let mut t = t0 + PARAM_STREAM_GAP_TIMEOUT;
    let mut reads = 0;
    for _ in 0..50 {
        f.on_tick(t, &mut out);
        reads += read_indices(&sends(&mut out)).len();
        if let Some(r) = f.take_result() {
            assert_eq!(reads, usize::from(PARAM_MAX_ATTEMPTS));
            assert_eq!(
                r,
                Err(ParamError::Incomplete {
                    vehicle: V,
                    missing: vec![1],
                    total: 3
                })
            );
            return;
        }
        t += PARAM_READ_TIMEOUT;
    }
    panic!("never gave up");
}

#[test]
fn silent_vehicle_gets_the_list_request_again_then_a_timeout() {
    let t0 = Instant::now();
    let mut out = Vec::new();
    let mut f = FetchAll::start(V, ENC, t0, &mut out);
    let mut lists = sends(&mut out).len();
    let mut t = t0;
    while f.take_result().is_none() {
        t += PARAM_LIST_START_TIMEOUT;
        f.on_tick(t, &mut out);
        lists += sends(&mut out).len();
        assert!(lists <= usize::from(PARAM_MAX_ATTEMPTS));
        if f.is_done() {
            break;
        }
    }
    assert_eq!(lists, usize::from(PARAM_MAX_ATTEMPTS));
}

#[test]
fn cached_set_with_the_reported_hash_stops_the_stream() {
    let t0 = Instant::now();
    let veh = Vehicle::new(4);
    let cached = ParamSet {
        params: veh.expected(),
        hash: Some(77),
        from_cache: false,
    };
    let mut out = Vec::new();
    let mut f = FetchAll::start(V, ENC, t0, &mut out);
    out.clear();
    // A set with another hash is refused.
    f.on_message(1, &veh.hash(78), t0, &mut out);
    assert!(!f.use_cached(&cached, &mut out));
    let mut f = FetchAll::start(V, ENC, t0, &mut out);
    out.clear();
    f.on_message(1, &veh.hash(77), t0, &mut out);
    assert_eq!(out.pop(), Some(Action::HashCheck(77)));
    assert!(f.use_cached(&cached, &mut out));
    match &sends(&mut out)[..] {
        [MavMessage::PARAM_SET(s)] => {
            assert_eq!(param_name(&s.param_id).as_deref(), Some(HASH_CHECK_NAME));
            assert_eq!(s.target_system, 1);
        }
        other => panic!("{other:?}"),
    }
    let set = f.take_result().unwrap().unwrap();
    assert!(set.from_cache);
    assert_eq!(set.params, veh.expected());
    // The rest of the stream, if any still comes, is ignored.
    f.on_message(1, &veh.value(0), t0, &mut out);
    assert!(out.is_empty() && f.take_result().is_none());
}

#[test]
fn a_lost_hash_is_asked_for_by_name_and_its_absence_is_not_an_error() {
    let t0 = Instant::now();
    let veh = Vehicle::new(2);
    let mut out = Vec::new();
    let mut f = FetchAll::start(V, ENC, t0, &mut out);
    out.clear();
    f.on_message(1, &veh.value(0), t0, &mut out);
    f.on_message(1, &veh.value(1), t0, &mut out);
    let asked = sends(&mut out);
    match &asked[..] {
        [MavMessage::PARAM_REQUEST_READ(r)] => {
            assert_eq!(r.param_index, -1);
            assert_eq!(param_name(&r.param_id).as_deref(), Some(HASH_CHECK_NAME));
        }
        other => panic!("{other:?}"),
    }
    assert!(f.take_result().is_none());
    f.on_message(1, &veh.hash(99), t0, &mut out);
    let set = f.take_result().unwrap().unwrap();
    assert_eq!((set.hash, set.params), (Some(99), veh.expected()));

    // A vehicle that never answers: the set is still complete, without a hash.
    let mut f = FetchAll::start(V, ENC, t0, &mut out);
    f.on_message(1, &veh.value(0), t0, &mut out);
    f.on_message(1, &veh.value(1), t0, &mut out);
    let mut t = t0;
    let set = loop {
        t += PARAM_READ_TIMEOUT;
        f.on_tick(t, &mut out);
        if let Some(r) = f.take_result() {
            break r.unwrap();
        }
    };
    assert_eq!(set.hash, None);
    assert_eq!(set.params, veh.expected());
    // C-cast (ArduPilot) vehicles have no hash: no request.
    let mut f = FetchAll::start(V, ParamEncoding::CCast, t0, &mut out);
    out.clear();
    f.on_message(1, &veh.value(1), t0, &mut out);
    assert!(sends(&mut out).is_empty());
}

/// A deterministic xorshift generator (no `rand` in this crate's dev-dependencies).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }
}

/// Runs one fetch against a scripted PX4 over a link that loses, duplicates and
/// reorders frames both ways; returns the result.
fn lossy_fetch(seed: u64, n: usize, loss_pct: u64) -> Result<ParamSet, ParamError> {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let veh = Vehicle::new(n);
    let t0 = Instant::now();
    let mut t = t0;
    let mut out = Vec::new();
    let mut f = FetchAll::start(V, ENC, t0, &mut out);
    let mut to_vehicle: Vec<(Instant, MavMessage)> = Vec::new();
    let mut to_gcs: Vec<(Instant, MavMessage)> = Vec::new();
    let mut stream: Option<i64> = None;
    for _ in 0..200_000 {
        // GCS -> vehicle.
        for a in out.drain(..) {
            if let Action::Send(m) = a {
                for _ in 0..(if rng.chance(5) { 2 } else { 1 }) {
                    if !rng.chance(loss_pct) {
                        let delay = Duration::from_millis(rng.next() % 50);
                        to_vehicle.push((t + delay, m.clone()));
                    }
                }
            }
        }
        let mut replies = Vec::new();
        to_vehicle.retain(|(at, m)| {
            if *at > t {
                return true;
            }
            match m {
                MavMessage::PARAM_REQUEST_LIST(_) => {
                    stream = Some(if stream.is_none() { -1 } else { 0 })
                }
                MavMessage::PARAM_REQUEST_READ(r) if r.param_index >= 0 => {
                    replies.push(veh.value(r.param_index as usize))
                }
                MavMessage::PARAM_REQUEST_READ(_) => replies.push(veh.hash(0xABCD)),
                other => panic!("unexpected {other:?}"),
            }
            false
        });
        for _ in 0..20 {
            match stream {
                Some(-1) => replies.push(veh.hash(0xABCD)),
                Some(i) => replies.push(veh.value(i as usize)),
                None => break,
            }
            stream = stream.map(|i| i + 1).filter(|i| *i < n as i64);
        }
        // Vehicle -> GCS.
        for m in replies {
            if !rng.chance(loss_pct) {
                let delay = Duration::from_millis(rng.next() % 50);
                to_gcs.push((t + delay, m));
            }
        }
        let (due, later): (Vec<_>, Vec<_>) = to_gcs.drain(..).partition(|(at, _)| *at <= t);
        to_gcs = later;
        for (_, m) in due {
            f.on_message(1, &m, t, &mut out);
        }
        f.on_tick(t, &mut out);
        if let Some(r) = f.take_result() {
            if let Ok(set) = &r {
                assert_eq!(set.params, veh.expected(), "seed {seed}: not exact");
            }
            return r;
        }
        t += Duration::from_millis(10);
    }
    panic!("seed {seed}: neither finished nor failed");
}

#[test]
fn randomized_lossy_fetches_are_exact_or_fail_loudly() {
    let mut failed = Vec::new();
    for seed in 0..200u64 {
        let n = 1 + (seed as usize * 37) % 300;
        let loss = seed % 31;
        match lossy_fetch(seed, n, loss) {
            Ok(set) => assert_eq!(set.len(), n),
            Err(e @ (ParamError::Incomplete { .. } | ParamError::Timeout { .. })) => {
                failed.push((seed, loss, e))
            }
            Err(e) => panic!("seed {seed}: {e}"),
        }
    }
    // Ten re-requests per index: a clean failure is rare even at 30 % loss each way.
    assert!(failed.len() <= 10, "{failed:?}");
}
