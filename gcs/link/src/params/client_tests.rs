//! The async driver against a fake link core, with tokio's paused clock: retries happen
//! on the protocol timeouts without waiting for them in wall time.

use std::sync::{Arc, Mutex};

use mavlink::dialects::common::{MavParamType, PARAM_VALUE_DATA};
use tokio::sync::{mpsc, watch};

use super::*;
use crate::frame::Frame;
use crate::handle::Request;
use crate::params::HASH_CHECK_NAME;
use crate::params::value::{param_id, param_name};

const V: VehicleId = VehicleId {
    sysid: 1,
    compid: 1,
};

/// What the fake vehicle does with each message the client sends.
type Script = Box<dyn FnMut(&MavMessage) -> Vec<MavMessage> + Send>;

/// Starts a fake core: `Send` requests go to `script` (or fail with `send_error`), its
/// answers go to the subscriber. Returns the sender and the log of messages sent.
fn fake_core(
    mut script: Script,
    send_error: Option<CommandError>,
) -> (LinkSender, Arc<Mutex<Vec<MavMessage>>>) {
    let (requests, mut rx) = mpsc::channel::<Request>(16);
    let (_fleet_tx, fleet) = watch::channel(Default::default());
    let log = Arc::new(Mutex::new(Vec::new()));
    let sent = Arc::clone(&log);
    tokio::spawn(async move {
        let _keep = _fleet_tx;
        let mut sub: Option<mpsc::Sender<Received>> = None;
        while let Some(r) = rx.recv().await {
            match r {
                Request::Subscribe { tx, .. } => sub = Some(tx),
                Request::Send { msg, reply, .. } => {
                    if let Some(e) = &send_error {
                        let _ = reply.send(Err(e.clone()));
                        continue;
                    }
                    let _ = reply.send(Ok(()));
                    sent.lock().unwrap().push((*msg).clone());
                    for answer in script(&msg) {
                        if let Some(tx) = &sub {
                            let _ = tx
                                .send(Received {
                                    link: 0,
                                    at: std::time::Instant::now(),
                                    frame: Frame {
                                        sysid: 1,
                                        compid: 1,
                                        sequence: 0,
                                        msg: answer,
                                    },
                                    raw: None,
                                    from: None,
                                    undecoded: Vec::new(),
                                })
                                .await;
                        }
                    }
                }
                _ => {}
            }
        }
    });
    let sender = LinkSender {
        requests,
        fleet,
        gcs_sysid: 255,
    };
    (sender, log)
}

fn value(name: &str, v: ParamValue, index: u16, count: u16) -> MavMessage {
    MavMessage::PARAM_VALUE(PARAM_VALUE_DATA {
        param_value: v.to_wire(ParamEncoding::Bytewise),
        param_count: count,
        param_index: index,
        param_id: param_id(name),
        param_type: v.mav_type(),
    })
}

fn count_of(log: &Mutex<Vec<MavMessage>>, f: impl Fn(&MavMessage) -> bool) -> usize {
    log.lock().unwrap().iter().filter(|m| f(m)).count()
}

#[tokio::test(start_paused = true)]
async fn set_is_retransmitted_on_the_protocol_timeout_until_echoed() {
    let mut seen = 0;
    let script: Script = Box::new(move |m| match m {
        MavMessage::PARAM_SET(s) => {
            seen += 1;
            if seen < 3 {
                return vec![]; // lost
            }
            let v = ParamValue::from_wire(s.param_value, s.param_type, ParamEncoding::Bytewise)
                .unwrap();
            vec![value(&param_name(&s.param_id).unwrap(), v, 4, 10)]
        }
        _ => vec![],
    });
    let (sender, log) = fake_core(script, None);
    let p = set(&sender, V, "NAV_DLL_ACT", ParamValue::I32(2))
        .await
        .unwrap();
    assert_eq!((p.value, p.index), (ParamValue::I32(2), 4));
    assert_eq!(count_of(&log, |m| matches!(m, MavMessage::PARAM_SET(_))), 3);
}

#[tokio::test(start_paused = true)]
async fn fetch_uses_the_cache_on_a_known_hash_and_stops_the_stream() {
    let params = [
        ("A_INT", ParamValue::I32(-1)),
        ("B_FLOAT", ParamValue::F32(2.5)),
    ];
    let script: Script = Box::new(move |m| match m {
        MavMessage::PARAM_REQUEST_LIST(_) => {
            let mut out = vec![MavMessage::PARAM_VALUE(PARAM_VALUE_DATA {
                param_value: f32::from_bits(0xC0FFEE),
                param_count: 2,
                param_index: u16::MAX,
                param_id: param_id(HASH_CHECK_NAME),
                param_type: MavParamType::MAV_PARAM_TYPE_UINT32,
            })];
            for (i, (n, v)) in params.iter().enumerate() {
                out.push(value(n, *v, i as u16, 2));
            }
            out
        }
        _ => vec![],
    });
    let (sender, log) = fake_core(script, None);
    let mut cache = ParamCache::new();
    let mut seen = Vec::new();
    let first = fetch_all_cached(&sender, V, &mut cache, |p| seen.push(p.received))
        .await
        .unwrap();
    assert_eq!(seen, vec![1, 2]);
    assert!(!first.from_cache);
    assert_eq!(first.hash, Some(0xC0FFEE));
    assert_eq!(first.get("A_INT").unwrap().value, ParamValue::I32(-1));
    let second = fetch_all_cached(&sender, V, &mut cache, |_| {})
        .await
        .unwrap();
    assert!(second.from_cache);
    assert_eq!(second.params, first.params);
    let stops = count_of(&log, |m| {
        matches!(m, MavMessage::PARAM_SET(s)
            if param_name(&s.param_id).as_deref() == Some(HASH_CHECK_NAME))
    });
    assert_eq!(stops, 1, "the stream is stopped once, on the cache hit");
}

#[tokio::test(start_paused = true)]
async fn link_loss_and_a_stopped_core_fail_fast() {
    let (sender, _) = fake_core(Box::new(|_| vec![]), Some(CommandError::LinkLost(V)));
    let err = fetch_all(&sender, V, |_| {}).await.unwrap_err();
    assert_eq!(
        err,
        ParamError::Link {
            vehicle: V,
            source: CommandError::LinkLost(V)
        }
    );
    let (requests, mut rx) = mpsc::channel::<Request>(4);
    let (_fleet_tx, fleet) = watch::channel(Default::default());
    let sender = LinkSender {
        requests,
        fleet,
        gcs_sysid: 255,
    };
    // A core that accepts the subscription and the first send, then stops.
    tokio::spawn(async move {
        let mut held = Vec::new();
        for _ in 0..2 {
            match rx.recv().await {
                Some(Request::Send { reply, .. }) => {
                    let _ = reply.send(Ok(()));
                }
                Some(Request::Subscribe { tx, .. }) => held.push(tx),
                _ => {}
            }
        }
    });
    let err = get(&sender, V, "NAV_DLL_ACT").await.unwrap_err();
    assert_eq!(
        err,
        ParamError::Link {
            vehicle: V,
            source: CommandError::CoreStopped
        }
    );
}
