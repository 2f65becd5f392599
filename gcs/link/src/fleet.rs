//! The fleet as a sans-IO state machine: frames in, vehicle state and events out.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use mavlink::dialects::common::{MavAutopilot, MavMessage, MavType};
use serde::Serialize;

use crate::constants::{
    LINK_LOST_TIMEOUT, MAX_VEHICLES, MAX_VEHICLES_PER_LINK, VEHICLE_FORGET_AFTER,
};
use crate::event::Event;
use crate::link_quality::LinkQuality;
use crate::transport::{LinkId, Received};
use crate::vehicle::{VehicleId, VehicleLink, VehicleState};

/// What every link knows of one vehicle.
#[derive(Debug, Clone)]
struct LinkTrack {
    last_heartbeat: Instant,
    quality: LinkQuality,
}

#[derive(Debug, Clone)]
struct Tracked {
    state: VehicleState,
    last_heartbeat: Instant,
    links: BTreeMap<LinkId, LinkTrack>,
}

/// How many vehicles the fleet holds, so spoofed heartbeats from many (sysid, compid)
/// pairs cannot grow it without bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FleetLimits {
    /// Vehicles one link may bring in.
    pub per_link: usize,
    /// Vehicles over every link.
    pub total: usize,
    /// How long a vehicle must have been link-lost before it may be forgotten to make
    /// room for a new one.
    pub forget_after: Duration,
}

impl Default for FleetLimits {
    fn default() -> Self {
        Self {
            per_link: MAX_VEHICLES_PER_LINK,
            total: MAX_VEHICLES,
            forget_after: VEHICLE_FORGET_AFTER,
        }
    }
}

/// Every vehicle heard, keyed by (sysid, compid), within [`FleetLimits`].
///
/// Exists so the protocol logic is tested without sockets: the core task feeds it
/// frames and clock ticks and publishes its snapshot.
#[derive(Debug, Default)]
pub struct Fleet {
    vehicles: BTreeMap<VehicleId, Tracked>,
    limits: FleetLimits,
    refused: u64,
    forgotten: u64,
    /// Links that already reported a refusal (one event per link).
    refusing_links: BTreeSet<LinkId>,
}

/// A copy of the whole fleet's state, published to the application.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FleetSnapshot {
    /// Every vehicle heard, by id (a list in JSON, ordered by id).
    #[serde(serialize_with = "vehicles_as_list")]
    pub vehicles: BTreeMap<VehicleId, VehicleState>,
    /// Events dropped because the application did not drain its event queue.
    pub dropped_events: u64,
    /// HEARTBEATs from new vehicles refused because their link, or the fleet, was full
    /// (see [`FleetLimits`]): non-zero means spoofing, or more vehicles than expected.
    pub refused_vehicles: u64,
    /// Vehicles forgotten after a long link loss to make room for new ones.
    pub forgotten_vehicles: u64,
    /// Outgoing frames dropped because a link's queue, or a TCP server link's client
    /// connection, was full.
    pub dropped_frames: u64,
    /// Received frames dropped because a subscriber (a mission or parameter transfer,
    /// see [`LinkSender::subscribe`](crate::LinkSender::subscribe)) did not take them.
    pub dropped_subscriber_frames: u64,
    /// Frames the telemetry log recorder could not keep up with (not in the `.tlog`).
    pub dropped_tlog_frames: u64,
    /// Frames accepted and rejected by MAVLink 2 signature checks (all zero unsigned).
    pub signing: crate::signing::SigningStats,
}

fn vehicles_as_list<S: serde::Serializer>(
    vehicles: &BTreeMap<VehicleId, VehicleState>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(vehicles.values())
}

impl FleetSnapshot {
    /// The vehicle with this id.
    pub fn get(&self, id: VehicleId) -> Option<&VehicleState> {
        self.vehicles.get(&id)
    }

    /// The first vehicle with this system id.
    pub fn by_sysid(&self, sysid: u8) -> Option<&VehicleState> {
        self.vehicles.values().find(|v| v.id.sysid == sysid)
    }
}

impl Fleet {
    /// An empty fleet within `limits`.
    pub fn with_limits(limits: FleetLimits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    /// Whether a new vehicle heard on `link` at `now` fits, forgetting the vehicle lost
    /// longest (if lost long enough) when a limit is reached.
    fn admit(
        &mut self,
        id: VehicleId,
        link: LinkId,
        now: Instant,
        events: &mut Vec<Event>,
    ) -> bool {
        let on_link = |t: &Tracked| t.links.contains_key(&link);
        let link_full =
            self.vehicles.values().filter(|t| on_link(t)).count() >= self.limits.per_link;
        let fleet_full = self.vehicles.len() >= self.limits.total;
        if !link_full && !fleet_full {
            return true;
        }
        let forget_after = self.limits.forget_after;
        let oldest = self
            .vehicles
            .iter()
            .filter(|(_, t)| !link_full || on_link(t))
            .filter(|(_, t)| {
                t.state.link_lost && now.saturating_duration_since(t.last_heartbeat) > forget_after
            })
            .min_by_key(|(_, t)| t.last_heartbeat)
            .map(|(id, _)| *id);
        if let Some(old) = oldest {
            self.vehicles.remove(&old);
            self.forgotten += 1;
            events.push(Event::VehicleForgotten(old));
            return true;
        }
        self.refused += 1;
        if self.refusing_links.insert(link) {
            tracing::warn!(
                link,
                %id,
                per_link = self.limits.per_link,
                total = self.limits.total,
                "refusing new vehicles: the link or the fleet is full (spoofed heartbeats?)"
            );
            events.push(Event::VehicleRefused { vehicle: id, link });
        }
        false
    }

    /// Applies one received frame (after counting the undecoded frames before it).
    pub fn on_frame(&mut self, r: &Received, events: &mut Vec<Event>) {
        // Every frame received counts for link quality, whatever its message.
        for h in &r.undecoded {
            let id = VehicleId {
                sysid: h.sysid,
                compid: h.compid,
            };
            if let Some(link) = self
                .vehicles
                .get_mut(&id)
                .and_then(|t| t.links.get_mut(&r.link))
            {
                link.quality.record(h.sequence);
            }
        }
        let f = &r.frame;
        let id = VehicleId {
            sysid: f.sysid,
            compid: f.compid,
        };
        if let MavMessage::HEARTBEAT(hb) = &f.msg {
            // Other ground stations and components without an autopilot are not vehicles.
            if hb.mavtype == MavType::MAV_TYPE_GCS
                || hb.autopilot == MavAutopilot::MAV_AUTOPILOT_INVALID
            {
                return;
            }
            if !self.vehicles.contains_key(&id) && !self.admit(id, r.link, r.at, events) {
                return;
            }
            let tracked = self.vehicles.entry(id).or_insert_with(|| {
                events.push(Event::VehicleDiscovered(id));
                Tracked {
                    state: VehicleState::new(id),
                    last_heartbeat: r.at,
                    links: BTreeMap::new(),
                }
            });
            tracked.last_heartbeat = r.at;
            let link = tracked.links.entry(r.link).or_insert(LinkTrack {
                last_heartbeat: r.at,
                quality: LinkQuality::default(),
            });
            link.last_heartbeat = r.at;
            link.quality.record(f.sequence);
            let before = (
                tracked.state.mode,
                tracked.state.armed,
                tracked.state.link_lost,
            );
            tracked.state.apply(&f.msg);
            if before.2 {
                tracked.state.link_lost = false;
                events.push(Event::LinkRegained(id));
            }
            let s = &tracked.state;
            if before.0 != s.mode && before.0 != crate::FlightMode::Unknown(0) {
                events.push(Event::ModeChanged {
                    vehicle: id,
                    from: before.0,
                    to: s.mode,
                });
            }
            if before.1 != s.armed {
                events.push(if s.armed {
                    Event::Armed(id)
                } else {
                    Event::Disarmed(id)
                });
            }
            return;
        }
        let Some(tracked) = self.vehicles.get_mut(&id) else {
            return;
        };
        if let Some(link) = tracked.links.get_mut(&r.link) {
            link.quality.record(f.sequence);
        }
        let reached_before = tracked.state.mission.last_reached;
        if let Some(status) = tracked.state.apply(&f.msg) {
            events.push(Event::StatusText {
                vehicle: id,
                status,
            });
        }
        // PX4 repeats the last item reached about once a second (up to ten times): one
        // event per item reached.
        if let MavMessage::MISSION_ITEM_REACHED(m) = &f.msg
            && reached_before != Some(m.seq)
        {
            events.push(Event::MissionItemReached {
                vehicle: id,
                seq: m.seq,
            });
        }
    }

    /// Marks vehicles link-lost whose last HEARTBEAT is older than the timeout;
    /// returns the ids that were just lost.
    pub fn check_links(&mut self, now: Instant, events: &mut Vec<Event>) -> Vec<VehicleId> {
        let mut lost = Vec::new();
        for (id, t) in &mut self.vehicles {
            if !t.state.link_lost && now.duration_since(t.last_heartbeat) > LINK_LOST_TIMEOUT {
                t.state.link_lost = true;
                events.push(Event::LinkLost(*id));
                lost.push(*id);
            }
        }
        lost
    }

    /// The live link with the best quality to `id` (ties go to the most recent heartbeat).
    pub fn best_link(&self, id: VehicleId, now: Instant) -> Option<LinkId> {
        let t = self.vehicles.get(&id)?;
        t.links
            .iter()
            .filter(|(_, l)| now.duration_since(l.last_heartbeat) <= LINK_LOST_TIMEOUT)
            .max_by(|(_, a), (_, b)| {
                a.quality
                    .quality_pct
                    .total_cmp(&b.quality.quality_pct)
                    .then(a.last_heartbeat.cmp(&b.last_heartbeat))
            })
            .map(|(id, _)| *id)
    }

    /// The current state of one vehicle.
    pub fn vehicle(&self, id: VehicleId) -> Option<&VehicleState> {
        self.vehicles.get(&id).map(|t| &t.state)
    }

    /// Resolves a vehicle by system id alone (first component heard).
    pub fn resolve(&self, sysid: u8) -> Option<VehicleId> {
        self.vehicles.keys().find(|k| k.sysid == sysid).copied()
    }

    /// A copy of every vehicle's state, with link figures as of `now`.
    pub fn snapshot(&self, now: Instant) -> FleetSnapshot {
        let vehicles = self
            .vehicles
            .iter()
            .map(|(id, t)| {
                let mut s = t.state.clone();
                s.best_link = self.best_link(*id, now);
                s.links = t
                    .links
                    .iter()
                    .map(|(link, l)| {
                        let age = now.saturating_duration_since(l.last_heartbeat);
                        VehicleLink {
                            link: *link,
                            alive: age <= LINK_LOST_TIMEOUT,
                            heartbeat_age_s: age.as_secs_f64(),
                            quality: l.quality,
                        }
                    })
                    .collect();
                (*id, s)
            })
            .collect();
        FleetSnapshot {
            vehicles,
            dropped_events: 0,
            refused_vehicles: self.refused,
            forgotten_vehicles: self.forgotten,
            dropped_frames: 0,
            dropped_subscriber_frames: 0,
            dropped_tlog_frames: 0,
            signing: Default::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::Frame;
    use crate::px4_mode::FlightMode;
    use mavlink::dialects::common::{HEARTBEAT_DATA, MavModeFlag, MavState};
    use std::time::Duration;

    fn hb(mode: FlightMode, armed: bool) -> MavMessage {
        MavMessage::HEARTBEAT(HEARTBEAT_DATA {
            custom_mode: mode.to_px4_custom_mode(),
            mavtype: MavType::MAV_TYPE_QUADROTOR,
            autopilot: MavAutopilot::MAV_AUTOPILOT_PX4,
            base_mode: MavModeFlag::from_bits_truncate(mode.to_px4_base_mode(armed)),
            system_status: MavState::MAV_STATE_STANDBY,
            mavlink_version: 3,
        })
    }

    fn rx(link: LinkId, at: Instant, seq: u8, msg: MavMessage) -> Received {
        Received {
            link,
            at,
            frame: Frame {
                sysid: 3,
                compid: 1,
                sequence: seq,
                msg,
            },
            raw: None,
            from: None,
            undecoded: Vec::new(),
        }
    }

    #[test]
    fn discovery_mode_arming_loss_and_recovery() {
        let t0 = Instant::now();
        let mut fleet = Fleet::default();
        let mut ev = Vec::new();
        fleet.on_frame(&rx(0, t0, 0, hb(FlightMode::Hold, false)), &mut ev);
        let id = VehicleId {
            sysid: 3,
            compid: 1,
        };
        assert_eq!(ev, vec![Event::VehicleDiscovered(id)]);
        ev.clear();
        fleet.on_frame(&rx(0, t0, 1, hb(FlightMode::Takeoff, true)), &mut ev);
        assert!(ev.contains(&Event::Armed(id)));
        assert!(ev.contains(&Event::ModeChanged {
            vehicle: id,
            from: FlightMode::Hold,
            to: FlightMode::Takeoff
        }));
        ev.clear();
        assert!(
            fleet
                .check_links(t0 + Duration::from_secs(3), &mut ev)
                .is_empty()
        );
        let lost = fleet.check_links(t0 + Duration::from_secs(4), &mut ev);
        assert_eq!(lost, vec![id]);
        assert_eq!(ev, vec![Event::LinkLost(id)]);
        assert!(fleet.vehicle(id).unwrap().link_lost);
        assert_eq!(fleet.best_link(id, t0 + Duration::from_secs(4)), None);
        ev.clear();
        let t5 = t0 + Duration::from_secs(5);
        fleet.on_frame(&rx(0, t5, 2, hb(FlightMode::Takeoff, true)), &mut ev);
        assert_eq!(ev, vec![Event::LinkRegained(id)]);
        assert!(!fleet.vehicle(id).unwrap().link_lost);
    }

    #[test]
    fn px4s_repeated_item_reached_is_one_event() {
        use mavlink::dialects::common::MISSION_ITEM_REACHED_DATA;
        let t0 = Instant::now();
        let mut fleet = Fleet::default();
        let mut ev = Vec::new();
        fleet.on_frame(&rx(0, t0, 0, hb(FlightMode::Mission, true)), &mut ev);
        ev.clear();
        let reached = |seq| MavMessage::MISSION_ITEM_REACHED(MISSION_ITEM_REACHED_DATA { seq });
        for (i, seq) in [0, 0, 0, 1, 1, 2].into_iter().enumerate() {
            fleet.on_frame(&rx(0, t0, i as u8 + 1, reached(seq)), &mut ev);
        }
        let seqs: Vec<u16> = ev
            .iter()
            .filter_map(|e| match e {
                Event::MissionItemReached { seq, .. } => Some(*seq),
                _ => None,
            })
            .collect();
        assert_eq!(seqs, vec![0, 1, 2]);
    }

    #[test]
    fn one_vehicle_on_two_links_uses_the_better_live_one() {
        let t0 = Instant::now();
        let mut fleet = Fleet::default();
        let mut ev = Vec::new();
        let id = VehicleId {
            sysid: 3,
            compid: 1,
        };
        // link 0 (radio) loses every other packet, link 1 (LTE) loses none
        for i in 0..100u8 {
            let t = t0 + Duration::from_millis(u64::from(i) * 10);
            fleet.on_frame(&rx(1, t, i, hb(FlightMode::Hold, false)), &mut ev);
            if i % 2 == 0 {
                fleet.on_frame(&rx(0, t, i, hb(FlightMode::Hold, false)), &mut ev);
            }
        }
        let discovered = ev
            .iter()
            .filter(|e| matches!(e, Event::VehicleDiscovered(_)))
            .count();
        assert_eq!(discovered, 1, "one vehicle, not one per link");
        let now = t0 + Duration::from_secs(1);
        assert_eq!(fleet.best_link(id, now), Some(1));
        let snap = fleet.snapshot(now);
        let v = snap.get(id).unwrap();
        assert_eq!(v.links.len(), 2);
        assert!(v.links[0].quality.lost > 40);
        // LTE goes silent: the radio becomes the best live link
        let later = t0 + Duration::from_secs(5);
        fleet.on_frame(&rx(0, later, 100, hb(FlightMode::Hold, false)), &mut ev);
        assert_eq!(fleet.best_link(id, later), Some(0));
    }

    #[test]
    fn ground_stations_are_not_vehicles() {
        let mut fleet = Fleet::default();
        let mut ev = Vec::new();
        let msg = MavMessage::HEARTBEAT(HEARTBEAT_DATA {
            mavtype: MavType::MAV_TYPE_GCS,
            autopilot: MavAutopilot::MAV_AUTOPILOT_INVALID,
            ..Default::default()
        });
        fleet.on_frame(&rx(0, Instant::now(), 0, msg), &mut ev);
        assert!(ev.is_empty());
        assert!(fleet.snapshot(Instant::now()).vehicles.is_empty());
    }

    fn hb_from(link: LinkId, at: Instant, sysid: u8, compid: u8) -> Received {
        let mut r = rx(link, at, 0, hb(FlightMode::Hold, false));
        r.frame.sysid = sysid;
        r.frame.compid = compid;
        r
    }

    #[test]
    fn a_full_link_refuses_new_vehicles_once_visibly_and_keeps_known_ones() {
        let t0 = Instant::now();
        let limits = FleetLimits {
            per_link: 4,
            total: 6,
            forget_after: Duration::from_secs(60),
        };
        let mut fleet = Fleet::with_limits(limits);
        let mut ev = Vec::new();
        for compid in 0..100u8 {
            fleet.on_frame(&hb_from(0, t0, 9, compid), &mut ev);
        }
        let snap = fleet.snapshot(t0);
        assert_eq!(snap.vehicles.len(), 4);
        assert_eq!(snap.refused_vehicles, 96);
        let refusals: Vec<_> = ev
            .iter()
            .filter(|e| matches!(e, Event::VehicleRefused { .. }))
            .collect();
        assert_eq!(
            refusals,
            vec![&Event::VehicleRefused {
                vehicle: VehicleId {
                    sysid: 9,
                    compid: 4
                },
                link: 0
            }]
        );
        // Known vehicles go on being tracked; another link has its own room, up to
        // the fleet's total.
        let t1 = t0 + Duration::from_secs(1);
        fleet.on_frame(&hb_from(0, t1, 9, 0), &mut ev);
        for sysid in 20..30u8 {
            fleet.on_frame(&hb_from(1, t1, sysid, 1), &mut ev);
        }
        let snap = fleet.snapshot(t1);
        assert_eq!(snap.vehicles.len(), 6);
        assert_eq!(snap.refused_vehicles, 96 + 8);
        let known = snap
            .get(VehicleId {
                sysid: 9,
                compid: 0,
            })
            .unwrap();
        assert!(known.links[0].heartbeat_age_s < 0.5);
    }

    #[test]
    fn vehicles_lost_long_ago_make_room() {
        let t0 = Instant::now();
        let limits = FleetLimits {
            per_link: 2,
            total: 10,
            forget_after: Duration::from_secs(60),
        };
        let mut fleet = Fleet::with_limits(limits);
        let mut ev = Vec::new();
        fleet.on_frame(&hb_from(0, t0, 1, 1), &mut ev);
        fleet.on_frame(&hb_from(0, t0 + Duration::from_secs(1), 2, 1), &mut ev);
        // Lost, but not for long: a new vehicle is refused.
        let t10 = t0 + Duration::from_secs(10);
        fleet.check_links(t10, &mut ev);
        fleet.on_frame(&hb_from(0, t10, 3, 1), &mut ev);
        assert_eq!(fleet.snapshot(t10).refused_vehicles, 1);
        // Lost for over a minute: the one lost longest is forgotten for the new one.
        let later = t0 + Duration::from_secs(90);
        ev.clear();
        fleet.on_frame(&hb_from(0, later, 3, 1), &mut ev);
        let old = VehicleId {
            sysid: 1,
            compid: 1,
        };
        let new = VehicleId {
            sysid: 3,
            compid: 1,
        };
        assert_eq!(
            ev,
            vec![Event::VehicleForgotten(old), Event::VehicleDiscovered(new)]
        );
        let snap = fleet.snapshot(later);
        assert!(snap.get(old).is_none());
        assert!(snap.get(new).is_some());
        assert_eq!(snap.forgotten_vehicles, 1);
    }
}
