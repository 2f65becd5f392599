//! Flying: arm, take off, start mission, hold, go-to by clicking the map, return, land,
//! disarm; plan upload and download with progress. Dangerous actions (arm, take off,
//! disarm in flight, go-to outside the geofence) ask for confirmation first.
//!
//! Exists as the shell over gcs-link's typed commands and mission client: requests go
//! to the link thread as messages; replies come back as messages and are shown.

mod commands;
pub mod confirm;
pub mod panel;
pub mod state;

use bevy::prelude::*;

pub use panel::FlightPanel;
pub use state::FlightState;

use crate::map::sets::ReadCursor;

/// Sends commands and transfers, shows progress and results.
pub(super) fn plugin(app: &mut App) {
    app.insert_resource(FlightState {
        takeoff_alt_m: 50.0,
        ..default()
    })
    .add_systems(
        Update,
        (
            commands::click_go_to.after(ReadCursor),
            commands::read_replies,
            commands::request_envelope,
        ),
    );
}

#[cfg(test)]
mod tests {
    use bevy::prelude::*;
    use gcs_link::mission::{MissionType, Progress};
    use gcs_link::vehicle::{LandedState, Position};
    use gcs_link::{LatLon, VehicleCommand, VehicleId, VehicleState};
    use mission_planner::{FencePolygon, GeoFence};

    use super::plugin;
    use crate::flight::confirm::confirmation_reason;
    use crate::flight::state::FlightState;
    use crate::link::LinkReply;
    use crate::tools::PlanDoc;
    use crate::ui_state::{CursorGround, Selection, Tool};

    fn drone(landed: LandedState) -> VehicleState {
        let mut v = VehicleState::new(VehicleId {
            sysid: 1,
            compid: 1,
        });
        v.landed = landed;
        v.position = Some(Position {
            lat_lon: LatLon::new(17.0, 8.0),
            alt_amsl_m: 600.0,
            alt_rel_m: 80.0,
        });
        v
    }

    #[test]
    fn dangerous_commands_need_confirmation() {
        let none = GeoFence::default();
        let air = drone(LandedState::InAir);
        let ground = drone(LandedState::OnGround);
        assert!(confirmation_reason(&ground, &VehicleCommand::Arm, &none).is_some());
        assert!(
            confirmation_reason(&ground, &VehicleCommand::Takeoff { alt_rel_m: 30.0 }, &none)
                .is_some()
        );
        assert!(confirmation_reason(&air, &VehicleCommand::Disarm, &none).is_some());
        assert!(confirmation_reason(&ground, &VehicleCommand::Disarm, &none).is_none());
        assert!(confirmation_reason(&air, &VehicleCommand::Hold, &none).is_none());
        assert!(confirmation_reason(&air, &VehicleCommand::ReturnToLaunch, &none).is_none());
        let fence = GeoFence {
            polygons: vec![FencePolygon {
                vertices: vec![
                    LatLon::new(16.9, 7.9),
                    LatLon::new(16.9, 8.1),
                    LatLon::new(17.1, 8.1),
                    LatLon::new(17.1, 7.9),
                ],
                inclusion: true,
            }],
            ..GeoFence::default()
        };
        let inside = VehicleCommand::GoTo {
            target: LatLon::new(17.0, 8.0),
            alt_rel_m: 80.0,
        };
        let outside = VehicleCommand::GoTo {
            target: LatLon::new(18.0, 8.0),
            alt_rel_m: 80.0,
        };
        assert!(confirmation_reason(&air, &inside, &fence).is_none());
        assert!(
            confirmation_reason(&air, &outside, &fence)
                .unwrap()
                .contains("outside")
        );
    }

    #[test]
    fn start_mission_on_a_disarmed_drone_asks_first_and_landing_counts_as_flying() {
        // The app once sent "Start mission" to a disarmed drone without a word (PX4
        // then sat in Mission mode on the ground), and let a disarm through while
        // PX4 said Landing: both rules are now gcs-operator's, shared with gcs-cli.
        let none = GeoFence::default();
        let ground = drone(LandedState::OnGround);
        let question = confirmation_reason(&ground, &VehicleCommand::StartMission, &none)
            .expect("arming for a mission is confirmed");
        assert!(question.contains("Arm"), "{question}");
        let mut armed = drone(LandedState::InAir);
        armed.armed = true;
        assert!(confirmation_reason(&armed, &VehicleCommand::StartMission, &none).is_none());
        let landing = drone(LandedState::Landing);
        assert!(confirmation_reason(&landing, &VehicleCommand::Disarm, &none).is_some());
    }

    /// The flight plugin over `link`, with the resources it reads.
    fn flight_app(link: crate::link::LinkPlugin) -> App {
        let mut app = App::new();
        app.add_plugins((MinimalPlugins, link, plugin))
            .init_resource::<PlanDoc>()
            .init_resource::<Selection>()
            .init_resource::<Tool>()
            .init_resource::<CursorGround>()
            .init_resource::<ButtonInput<MouseButton>>();
        app
    }

    #[test]
    fn replies_fill_the_log_and_progress() {
        let (far, link) = crate::link::fake::link();
        let mut app = flight_app(link);
        let id = VehicleId {
            sysid: 4,
            compid: 1,
        };
        far.replies
            .try_send(LinkReply::Progress {
                vehicle: id,
                list: MissionType::Mission,
                progress: Progress { done: 3, total: 10 },
            })
            .unwrap();
        far.replies
            .try_send(LinkReply::Command {
                vehicle: id,
                command: VehicleCommand::Land,
                result: Err("denied".into()),
            })
            .unwrap();
        app.update();
        app.update();
        let s = app.world().resource::<FlightState>();
        assert_eq!(s.transfers[&id].1, Progress { done: 3, total: 10 });
        assert!(s.log[0].0 && s.log[0].1.contains("denied"), "{:?}", s.log);
    }

    #[test]
    fn the_first_vehicle_heard_is_asked_its_envelope_once_and_patrols_use_it() {
        let (mut far, link) = crate::link::fake::link();
        let mut app = flight_app(link);
        let id = |sysid| VehicleId { sysid, compid: 1 };
        far.events
            .try_send(gcs_link::Event::VehicleDiscovered(id(1)))
            .unwrap();
        far.events
            .try_send(gcs_link::Event::VehicleDiscovered(id(2)))
            .unwrap();
        app.update();
        app.update();
        let mut asked = Vec::new();
        while let Ok(r) = far.requests.try_recv() {
            asked.push(format!("{r:?}"));
        }
        assert_eq!(
            asked,
            vec![format!(
                "{:?}",
                crate::link::LinkRequest::ReadEnvelope { vehicle: id(1) }
            )]
        );
        let sih = mission_planner::estimate::Px4Envelope {
            airframe_max_mps: 9.8,
            ..mission_planner::estimate::Px4Envelope::DEFAULT
        };
        far.replies
            .try_send(LinkReply::Envelope {
                vehicle: id(1),
                result: Ok(sih),
            })
            .unwrap();
        app.update();
        app.update();
        assert_eq!(app.world().resource::<PlanDoc>().patrol.envelope, Some(sih));
        let log = &app.world().resource::<FlightState>().log;
        assert!(
            log.iter().any(|(_, t)| t.contains("top speed 9.8 m/s")),
            "{log:?}"
        );
    }
}
