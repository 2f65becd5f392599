//! The parameter microservice end to end: gcs-link's client against gcs-sim's PX4
//! parameter server over real UDP on loopback (ephemeral ports), and pymavlink as an
//! independent peer checking the sim's PX4 encoding and hash.

use std::time::Duration;

use gcs_link::params::{self, ParamCache, ParamError, ParamValue, Progress};
use gcs_link::{FlightMode, LinkHandle, VehicleCommand};
use gcs_sim::param_server::ParamServer;
use gcs_sim::param_server::table::Px4Value;
use gcs_sim::{DataLinkLossAction, Faults, Px4Params, SimConfig, SimHandle};
use vigil_tests::harness::{self, WAIT, gcs, peer_report, spawn_peer, wait_state};

async fn sim_for(link: &LinkHandle, speed: f64, tweak: impl FnOnce(&mut SimConfig)) -> SimHandle {
    harness::sim_for(link, speed, |cfg| {
        cfg.gps_fix_after_s = 0.0;
        tweak(cfg);
    })
    .await
}

/// Waits until the sim's published state (sent once per 20 ms physics tick) shows `what`.
async fn wait_sim(sim: &SimHandle, what: &str, cond: impl Fn(&Px4Params) -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !cond(&sim.vehicle(0).params) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "sim never showed {what}: {:?}",
            sim.vehicle(0).params
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The value the sim's server holds, as the client types it.
fn as_client(v: Px4Value) -> ParamValue {
    match v {
        Px4Value::Int(i) => ParamValue::I32(i),
        Px4Value::Float(f) => ParamValue::F32(f),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_all_under_20_percent_loss_is_exact_then_cached() {
    let link = gcs().await;
    let sim = sim_for(&link, 1.0, |c| {
        c.faults.loss_pct = 20.0;
        c.faults.duplicate_pct = 5.0;
    })
    .await;
    let id = link.wait_for_vehicle(1, WAIT).await.unwrap();
    let sender = link.sender();
    let reference = ParamServer::new(1, &Px4Params::default());

    let mut progress: Vec<Progress> = Vec::new();
    let mut cache = ParamCache::new();
    // At 20 % loss four heartbeats in a row go missing now and then (0.16 % each second),
    // which is a lost link: the transfer stops there. This test is about the transfer,
    // so it starts again once the link is back (at most twice).
    let mut attempts = 0;
    let set = loop {
        progress.clear();
        match params::fetch_all_cached(&sender, id, &mut cache, |p| progress.push(p)).await {
            Ok(set) => break set,
            Err(ParamError::Link { .. }) if attempts < 2 => {
                attempts += 1;
                wait_state(&link, id, "the link back", |v| !v.link_lost).await;
            }
            Err(e) => panic!("fetching under 20 % loss: {e}"),
        }
    };
    assert!(!set.from_cache);
    assert_eq!(set.len(), reference.count());
    assert_eq!(set.len(), 903, "PX4 SITL's whole list");
    for (i, p) in set.params.iter().enumerate() {
        assert_eq!(usize::from(p.index), i);
        let expected = reference
            .get(&p.name)
            .unwrap_or_else(|| panic!("{}", p.name));
        assert!(
            p.value.same_as(&as_client(expected)),
            "{}: {:?} != {expected:?}",
            p.name,
            p.value
        );
    }
    let names: Vec<&str> = set.params.iter().map(|p| p.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
    assert_eq!(set.get("COM_FLTMODE1").unwrap().value, ParamValue::I32(-1));
    assert_eq!(set.get("MAV_SYS_ID").unwrap().value, ParamValue::I32(1));
    assert_eq!(
        set.get("MPC_XY_CRUISE").unwrap().value,
        ParamValue::F32(5.0)
    );
    assert_eq!(
        set.get("RTL_RETURN_ALT").unwrap().value,
        ParamValue::F32(30.0),
        "PX4's default"
    );
    assert_eq!(
        set.get("SYS_AUTOSTART").unwrap().value,
        ParamValue::I32(10040)
    );
    // Progress counts each parameter once and ends at the total.
    assert!(
        progress
            .windows(2)
            .all(|w| w[1].received == w[0].received + 1)
    );
    assert_eq!(
        progress.last().copied(),
        Some(Progress {
            received: set.len(),
            total: set.len()
        })
    );
    // The hash is PX4's, over exactly what arrived.
    assert_eq!(set.hash, Some(reference.hash()));
    assert_eq!(set.px4_hash(), reference.hash());
    assert_eq!(cache.len(), 1);

    // Unchanged vehicle, clean link: the second fetch is served from the cache.
    sim.set_faults(Faults::default());
    let again = params::fetch_all_cached(&sender, id, &mut cache, |_| {})
        .await
        .unwrap();
    assert!(again.from_cache);
    assert_eq!(again.params, set.params);

    // After a change the hash differs: the list is downloaded afresh.
    params::set(&sender, id, "RTL_RETURN_ALT", ParamValue::F32(80.0))
        .await
        .unwrap();
    let fresh = params::fetch_all_cached(&sender, id, &mut cache, |_| {})
        .await
        .unwrap();
    assert!(!fresh.from_cache);
    assert_eq!(
        fresh.get("RTL_RETURN_ALT").unwrap().value,
        ParamValue::F32(80.0)
    );
    assert_ne!(fresh.hash, set.hash);
    assert_eq!(cache.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failsafe_parameters_set_over_the_link_make_the_sim_return_on_link_loss() {
    let link = gcs().await;
    let sim = sim_for(&link, 5.0, |c| c.faults.loss_pct = 20.0).await;
    let id = link.wait_for_vehicle(1, WAIT).await.unwrap();
    let sender = link.sender();
    // PX4's defaults: no data-link failsafe.
    let before = params::get(&sender, id, "NAV_DLL_ACT").await.unwrap();
    assert_eq!(before.value, ParamValue::I32(0));
    assert_eq!(
        sim.vehicle(0).params.nav_dll_act,
        DataLinkLossAction::Disabled
    );

    // Set under 20 % loss each way: retries carry them through.
    let p = params::set(&sender, id, "NAV_DLL_ACT", ParamValue::I32(2))
        .await
        .unwrap();
    assert_eq!(p.value, ParamValue::I32(2));
    let p = params::set_number(&sender, id, "COM_DL_LOSS_T", 5.0)
        .await
        .unwrap();
    assert_eq!(p.value, ParamValue::I32(5), "COM_DL_LOSS_T is PX4's INT32");
    wait_sim(&sim, "NAV_DLL_ACT Return, COM_DL_LOSS_T 5 s", |m| {
        m.nav_dll_act == DataLinkLossAction::Return && m.com_dl_loss_t_s == 5.0
    })
    .await;

    sim.set_faults(Faults::default());
    wait_state(&link, id, "home", |v| v.home.is_some()).await;
    link.command(id, VehicleCommand::Arm).await.unwrap();
    link.command(id, VehicleCommand::Takeoff { alt_rel_m: 20.0 })
        .await
        .unwrap();
    wait_state(&link, id, "hovering", |v| {
        v.mode == FlightMode::Hold && v.armed && v.position.is_some_and(|p| p.alt_rel_m > 15.0)
    })
    .await;
    sim.set_link_cut(true);
    wait_state(&link, id, "link lost", |v| v.link_lost).await;
    // COM_DL_LOSS_T is 5 s (PX4's minimum), then PX4 holds COM_FAIL_ACT_T before
    // Return: keep the link down until the sim has switched.
    let deadline = tokio::time::Instant::now() + WAIT;
    while sim.vehicle(0).mode != FlightMode::Return {
        assert!(tokio::time::Instant::now() < deadline, "no failsafe Return");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    sim.set_link_cut(false);
    let v = wait_state(&link, id, "Return after data-link loss", |v| {
        !v.link_lost && v.mode == FlightMode::Return
    })
    .await;
    assert_eq!(v.system_status, gcs_link::vehicle::SystemStatus::Critical);
    assert!(sim.vehicle(0).failsafe);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn integers_round_trip_and_refusals_are_typed() {
    let link = gcs().await;
    let sim = sim_for(&link, 1.0, |_| {}).await;
    let id = link.wait_for_vehicle(1, WAIT).await.unwrap();
    let s = link.sender();

    // -1 travels as a NaN bit pattern; 9 999 999 as its exact bytes.
    for v in [3, -1] {
        let p = params::set(&s, id, "COM_FLTMODE1", ParamValue::I32(v))
            .await
            .unwrap();
        assert_eq!(p.value, ParamValue::I32(v));
        let back = params::get(&s, id, "COM_FLTMODE1").await.unwrap();
        assert_eq!(back.value, ParamValue::I32(v));
    }
    let p = params::set(&s, id, "SYS_AUTOSTART", ParamValue::I32(9_999_999))
        .await
        .unwrap();
    assert_eq!(p.value, ParamValue::I32(9_999_999));
    let by_index = params::get_by_index(&s, id, p.index).await.unwrap();
    assert_eq!(by_index.name, "SYS_AUTOSTART");
    assert_eq!(by_index.value, ParamValue::I32(9_999_999));

    // Numbers take the vehicle's type; a fraction cannot be an INT32.
    let p = params::set_number(&s, id, "RTL_RETURN_ALT", 75.0)
        .await
        .unwrap();
    assert_eq!(p.value, ParamValue::F32(75.0));
    wait_sim(&sim, "RTL_RETURN_ALT 75", |m| m.rtl_return_alt_m == 75.0).await;
    let err = params::set_number(&s, id, "NAV_DLL_ACT", 2.5)
        .await
        .unwrap_err();
    assert!(matches!(err, ParamError::Value { .. }), "{err}");

    // A value PX4 does not define for NAV_DLL_ACT: refused, the vehicle keeps 0.
    let err = params::set(&s, id, "NAV_DLL_ACT", ParamValue::I32(4))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ParamError::Rejected {
            vehicle: id,
            name: "NAV_DLL_ACT".into(),
            requested: ParamValue::I32(4),
            actual: ParamValue::I32(0),
        }
    );
    assert_eq!(
        sim.vehicle(0).params.nav_dll_act,
        DataLinkLossAction::Disabled
    );

    // PX4 does not answer for names it does not have, but answers the _HASH_CHECK
    // read sent alongside: the vehicle has no such parameter, said after three reads.
    let err = params::get(&s, id, "NO_SUCH_PARAM").await.unwrap_err();
    assert_eq!(
        err,
        ParamError::NoSuchParam {
            vehicle: id,
            name: "NO_SUCH_PARAM".into(),
            attempts: gcs_link::constants::PARAM_NO_SUCH_AFTER,
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pymavlink_fetches_the_list_and_sets_a_parameter_as_on_px4() {
    let (child, out, port) = spawn_peer("pymavlink_params.py").await;

    let mut cfg = SimConfig::new(format!("udpout:127.0.0.1:{port}").parse().unwrap());
    cfg.vehicles[0].sysid = 42;
    cfg.faults.loss_pct = 10.0;
    let sim = gcs_sim::start(cfg).await.unwrap();

    let report = peer_report(child, out, Duration::from_secs(180), 15).await;
    let reference = ParamServer::new(42, &Px4Params::default());
    assert_eq!(report["count"].as_u64(), Some(reference.count() as u64));
    assert_eq!(report["values"]["MAV_SYS_ID"].as_i64(), Some(42));
    // pymavlink's INT32 set of NAV_DLL_ACT = 3 reached the model: Land on link loss.
    wait_sim(&sim, "NAV_DLL_ACT Land", |m| {
        m.nav_dll_act == DataLinkLossAction::Land
    })
    .await;
}
