//! A mission uploaded over a lossy radio, downloaded back, then flown by the simulator:
//! every waypoint is reached in order, over real UDP sockets on loopback.

use std::time::Duration;

use gcs_link::mission::{MissionClient, MissionItemInt, MissionType};
use gcs_link::vehicle::LandedState;
use gcs_link::{Event, FlightMode, LatLon, LinkConfig, VehicleCommand};
use gcs_sim::{Faults, SimConfig};
use geo::{Destination, Haversine, Point};

const WAIT: Duration = Duration::from_secs(120);

fn item(
    seq: u16,
    command: u16,
    frame: u8,
    params: [f32; 4],
    at: Option<LatLon>,
    z: f32,
) -> MissionItemInt {
    let (x, y) = at.map(|p| p.to_deg_e7()).unwrap_or((0, 0));
    MissionItemInt {
        seq,
        frame,
        command,
        current: u8::from(seq == 0),
        autocontinue: 1,
        param1: params[0],
        param2: params[1],
        param3: params[2],
        param4: params[3],
        x,
        y,
        z,
        mission_type: MissionType::Mission,
    }
}

fn offset(p: LatLon, bearing: f64, m: f64) -> LatLon {
    let q = Haversine.destination(Point::new(p.lon_deg, p.lat_deg), bearing, m);
    LatLon::new(q.y(), q.x())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mission_uploaded_under_20_percent_loss_is_flown_in_order() {
    let link = gcs_link::start(LinkConfig::new(vec!["udpin:127.0.0.1:0".parse().unwrap()]))
        .await
        .unwrap();
    let port = link.local_addr(0).unwrap().port();
    let mut cfg = SimConfig::new(format!("udpout:127.0.0.1:{port}").parse().unwrap());
    cfg.speed = 10.0;
    cfg.gps_fix_after_s = 0.0;
    let sim = gcs_sim::start(cfg).await.unwrap();
    let mut link = link;
    let id = link.wait_for_vehicle(1, WAIT).await.unwrap();
    let home = link
        .wait_for(WAIT, |s| s.get(id).is_some_and(|v| v.home.is_some()))
        .await
        .unwrap()
        .get(id)
        .unwrap()
        .home
        .unwrap()
        .lat_lon;

    let nan = f32::NAN;
    let wp = |seq, p| item(seq, 16, 3, [0.0, 0.0, 0.0, nan], Some(p), 30.0);
    let plan = vec![
        item(0, 22, 3, [0.0, 0.0, 0.0, nan], None, 20.0),
        wp(1, offset(home, 0.0, 150.0)),
        item(2, 178, 2, [1.0, 8.0, -1.0, 0.0], None, 0.0), // DO_CHANGE_SPEED 8 m/s
        wp(3, offset(home, 90.0, 150.0)),
        item(
            4,
            19,
            3,
            [3.0, 0.0, 0.0, nan],
            Some(offset(home, 180.0, 150.0)),
            35.0,
        ), // loiter 3 s
        wp(5, offset(home, 270.0, 150.0)),
        item(6, 20, 2, [0.0; 4], None, 0.0), // return to launch
    ];

    // Upload and download over a radio losing 20 % each way, with duplicates and delay.
    sim.set_faults(Faults {
        loss_pct: 20.0,
        duplicate_pct: 5.0,
        latency: Duration::from_millis(20),
        cut: false,
    });
    let client = MissionClient::new(link.sender());
    let mut progress = Vec::new();
    let id_up = client
        .upload(
            id,
            MissionType::Mission,
            plan.clone(),
            |p| progress.push(p),
            None,
        )
        .await
        .expect("upload under 20 % loss");
    assert!(id_up.is_some(), "PX4 reports the plan's opaque id");
    assert_eq!(
        progress.last().map(|p| (p.done, p.total)),
        Some((plan.len(), plan.len()))
    );
    let back = client
        .download(id, MissionType::Mission, |_| {}, None)
        .await
        .expect("download under 20 % loss");
    assert_eq!(back.len(), plan.len());
    assert!(
        back.iter().zip(&plan).all(|(a, b)| a.same_as(b)),
        "{back:?}"
    );
    assert_eq!(sim.vehicle(0).mission.len(), plan.len());

    // Fly it on a clean link so every MISSION_ITEM_REACHED is seen.
    sim.set_faults(Faults::default());
    while link.try_next_event().is_some() {}
    link.command(id, VehicleCommand::Arm).await.unwrap();
    link.command(id, VehicleCommand::StartMission)
        .await
        .unwrap();
    link.wait_for(WAIT, |s| {
        s.get(id).is_some_and(|v| v.mode == FlightMode::Mission)
    })
    .await
    .unwrap();
    let mut reached = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(240);
    loop {
        let snap = link.snapshot();
        let v = snap.get(id).unwrap();
        if !v.armed && v.landed == LandedState::OnGround && reached.contains(&5) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "mission not finished; reached {reached:?}, state {v:?}"
        );
        // Events come at once; the snapshot is republished every 50 ms: poll both.
        if let Ok(got) = tokio::time::timeout(Duration::from_millis(200), link.next_event()).await {
            match got {
                Some(Event::MissionItemReached { seq, .. }) => {
                    if seq == 3 {
                        // Past the DO_CHANGE_SPEED, before the return (PX4's RTL goes
                        // back to the default cruise speed).
                        assert_eq!(sim.vehicle(0).speed_override_mps, Some(8.0));
                    }
                    reached.push(seq)
                }
                Some(_) => {}
                None => panic!("core stopped"),
            }
        }
    }
    // NAV items in order, each once; as PX4 does, the waypoint before the DO_CHANGE_SPEED
    // is reported with the DO item's index (2), and the RETURN_TO_LAUNCH item (6) is
    // handed over to Return without being reported.
    assert_eq!(reached, vec![0, 2, 3, 4, 5]);
    let v = sim.vehicle(0);
    assert_eq!(
        v.speed_override_mps, None,
        "the return resets the mission's speed"
    );
    assert!(v.landed && !v.armed);

    // The vehicle's plan is unchanged: the download is served from the cache.
    let again = client
        .download(
            id,
            MissionType::Mission,
            |_| panic!("no transfer expected"),
            None,
        )
        .await
        .unwrap();
    assert_eq!(again.len(), plan.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fence_and_rally_lists_round_trip_and_clear() {
    let link = gcs_link::start(LinkConfig::new(vec!["udpin:127.0.0.1:0".parse().unwrap()]))
        .await
        .unwrap();
    let port = link.local_addr(0).unwrap().port();
    let mut cfg = SimConfig::new(format!("udpout:127.0.0.1:{port}").parse().unwrap());
    cfg.gps_fix_after_s = 0.0;
    let _sim = gcs_sim::start(cfg).await.unwrap();
    let id = link.wait_for_vehicle(1, WAIT).await.unwrap();
    let client = MissionClient::new(link.sender());
    let c = LatLon::new(16.97, 7.99);
    let fence: Vec<MissionItemInt> = (0..4u16)
        .map(|i| {
            let mut it = item(
                i,
                5001,
                0,
                [4.0, 0.0, 0.0, 0.0],
                Some(offset(c, f64::from(i) * 90.0, 2000.0)),
                0.0,
            );
            it.current = 0;
            it.mission_type = MissionType::Fence;
            it
        })
        .collect();
    let mut rally = item(0, 5100, 3, [0.0; 4], Some(offset(c, 45.0, 500.0)), 50.0);
    rally.current = 0;
    rally.mission_type = MissionType::Rally;
    client
        .upload(id, MissionType::Fence, fence.clone(), |_| {}, None)
        .await
        .unwrap();
    client
        .upload(id, MissionType::Rally, vec![rally], |_| {}, None)
        .await
        .unwrap();
    let got = client
        .run(
            id,
            MissionType::Fence,
            gcs_link::mission::Operation::Download,
            |_| {},
            None,
        )
        .await
        .unwrap();
    match got {
        gcs_link::mission::Outcome::Downloaded { items, .. } => {
            assert!(items.iter().zip(&fence).all(|(a, b)| a.same_as(b)) && items.len() == 4)
        }
        other => panic!("{other:?}"),
    }
    client.clear(id, MissionType::Fence).await.unwrap();
    let got = client
        .download(id, MissionType::Fence, |_| {}, None)
        .await
        .unwrap();
    assert!(got.is_empty());
    let got = client
        .download(id, MissionType::Rally, |_| {}, None)
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    // A mission command in a rally list is refused by the vehicle, loudly.
    let bad = vec![MissionItemInt {
        mission_type: MissionType::Rally,
        ..item(0, 16, 3, [0.0; 4], Some(c), 10.0)
    }];
    let err = client
        .upload(id, MissionType::Rally, bad, |_| {}, None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("unsupported command"), "{err}");
}
