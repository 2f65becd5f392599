//! gcs-sim against the recorded PX4 SITL reference: the conformance probe (the one
//! `tests/px4/record.sh` ran against PX4 SITL) flies a freshly started simulator, and
//! at least 95 % of PX4's stable observations must match. The match figure and every
//! difference are printed.

use gcs_sim::SimConfig;
use vigil_tests::probe::Probe;
use vigil_tests::probe::observation::{Reference, Value};
use vigil_tests::probe::wire::ProbeLink;

/// PX4 SITL's behaviour, recorded by `tests/px4/record.sh`.
const REFERENCE: &str = include_str!("../px4/reference.json");
/// The share of PX4's stable observations the simulator must reproduce, in percent.
const REQUIRED_PERCENT: f64 = 95.0;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gcs_sim_matches_the_recorded_px4_sitl_behaviour() {
    let reference: Reference =
        serde_json::from_str(REFERENCE).expect("tests/px4/reference.json parses");
    let link = ProbeLink::open("udpin:127.0.0.1:0")
        .await
        .expect("probe socket");
    let port = link.local_addr().expect("bound").port();
    // Real time, like the reference: the probe times everything on its own clock.
    let cfg = SimConfig::new(format!("udpout:127.0.0.1:{port}").parse().expect("address"));
    let sim = gcs_sim::start(cfg).await.expect("start gcs-sim");
    let run = Probe::new(link, |what| eprintln!("probe: {what}"))
        .run()
        .await
        .expect("the probe runs to the end against gcs-sim");
    drop(sim);
    let comparison = reference.compare(&run.observations);
    println!("gcs-sim against {}: {comparison}", reference.vehicle);
    // The measured figures side by side, matched or not, for whoever tunes the model.
    for r in reference
        .observations
        .iter()
        .filter(|r| r.stable && !r.name.starts_with("param."))
    {
        if let (Value::Num(px4), Some(Value::Num(sim))) = (
            &r.value,
            run.observations
                .iter()
                .find(|o| o.name == r.name)
                .map(|o| &o.value),
        ) {
            println!("  {}: PX4 {px4:.2}, gcs-sim {sim:.2}", r.name);
        }
    }
    assert!(
        comparison.total >= 100,
        "the reference has only {} stable observations",
        comparison.total
    );
    assert!(
        comparison.percent() >= REQUIRED_PERCENT,
        "gcs-sim matches {:.1} % of PX4's stable behaviour, under {REQUIRED_PERCENT} %:\n{comparison}",
        comparison.percent()
    );
}
