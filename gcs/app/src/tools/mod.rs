//! Planning on the map: add, drag and delete waypoints; draw survey and geofence
//! polygons and rally points; generate a border patrol for a stretch of border from a
//! base; validation issues drawn where they are; stats; open and save plan files.
//!
//! Exists as the shell over mission-planner: generation and validation run on the
//! async compute pool, files are read and written (atomically) by the library; these
//! files turn clicks into plan edits and draw the plan.

mod clicks;
pub mod doc;
mod draw;
pub mod panel;
pub mod patrol;
pub mod tasks;

use bevy::prelude::*;

pub use doc::PlanDoc;
pub use panel::PlanPanel;

use crate::map::sets::ReadCursor;

/// Editing, validation and drawing of the plan.
pub(super) fn plugin(app: &mut App) {
    app.init_resource::<PlanDoc>()
        .add_systems(Startup, tasks::read_border)
        .add_systems(
            Update,
            (
                clicks::map_clicks.after(ReadCursor),
                tasks::start_validation,
                tasks::finish_tasks,
                draw::draw_plan,
            )
                .chain(),
        );
}

#[cfg(test)]
mod tests {
    use bevy::prelude::*;
    use gcs_link::LatLon;
    use mission_planner::generate::patrol::plan_patrol;
    use mission_planner::validate::Severity as IssueSeverity;
    use mission_planner::{FlatTerrain, MissionCommand, MissionItem, Plan};

    use crate::link::sim_fleet::BASES;
    use crate::map::terrain::TerrainData;
    use crate::tools::doc::{PatrolSettings, PlanDoc, add_waypoint};
    use crate::tools::patrol::{DEFAULT_STRETCH_KM, patrol_request, stretch_near};
    use crate::tools::tasks::{finish_tasks, read_border, start_validation};

    /// The border line comes from the catalog already read, and the default patrol
    /// stretch brackets the default base (Diffa, ~km 4303 of the line).
    #[test]
    fn the_border_comes_from_the_catalog_with_a_stretch_around_the_base() {
        let mut app = crate::test_support::demo_app();
        app.init_resource::<PlanDoc>()
            .add_systems(Startup, read_border);
        app.update();
        let doc = app.world().resource::<PlanDoc>();
        let border = doc.border.as_deref().expect("border read");
        let border = border.points();
        assert!(border.len() > 1000, "{}", border.len());
        let p = &doc.patrol;
        assert!(p.from_km < 4303.0 && 4303.0 < p.to_km, "{p:?}");
    }

    /// Editing the plan re-validates it off the frame; the flown path and the issues
    /// come back for drawing.
    #[test]
    fn edits_are_validated_off_the_frame() {
        let mut app = App::new();
        app.add_plugins(MinimalPlugins)
            .insert_resource(TerrainData::new(None))
            .init_resource::<PlanDoc>()
            .add_systems(Update, (start_validation, finish_tasks).chain());
        {
            let mut doc = app.world_mut().resource_mut::<PlanDoc>();
            add_waypoint(&mut doc.plan, LatLon::new(16.97, 7.99));
            add_waypoint(&mut doc.plan, LatLon::new(17.0, 8.0));
            // A jump to an item that does not exist: an error validation must find.
            doc.plan
                .mission
                .items
                .push(MissionItem::command(MissionCommand::Jump {
                    target_seq: 40,
                    repeat: 1,
                }));
            doc.touch();
        }
        for _ in 0..500 {
            app.update();
            if app.world().resource::<PlanDoc>().report.is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let doc = app.world().resource::<PlanDoc>();
        let report = doc.report.as_ref().expect("validated");
        assert!(doc.flown.len() >= 2, "{:?}", doc.flown);
        assert!(
            report
                .issues
                .iter()
                .any(|i| i.severity == IssueSeverity::Error && i.message.contains("40")),
            "{:?}",
            report.issues
        );
        assert!(report.estimate.distance_m > 3_000.0);
    }

    #[test]
    fn first_click_is_a_takeoff_then_waypoints() {
        let mut plan = Plan::default();
        add_waypoint(&mut plan, LatLon::new(16.97, 7.99));
        add_waypoint(&mut plan, LatLon::new(17.0, 8.0));
        assert!(matches!(
            plan.mission.items[0].command,
            MissionCommand::Takeoff { .. }
        ));
        assert!(matches!(
            plan.mission.items[1].command,
            MissionCommand::Waypoint { .. }
        ));
        let mut item = plan.mission.items[1];
        assert!(item.set_position(LatLon::new(17.1, 8.1)));
        assert_eq!(item.position(), Some(LatLon::new(17.1, 8.1)));
    }

    #[test]
    fn a_read_envelope_sizes_patrols_by_the_vehicles_top_speed() {
        let mut settings = PatrolSettings::default();
        assert!(patrol_request(&settings, &[]).vehicle.envelope.is_none());
        let sih = mission_planner::estimate::Px4Envelope {
            airframe_max_mps: 9.8,
            ..mission_planner::estimate::Px4Envelope::DEFAULT
        };
        settings.envelope = Some(sih);
        let vehicle = patrol_request(&settings, &[]).vehicle;
        assert_eq!(vehicle.envelope, Some(sih));
        assert_eq!(vehicle.cruise_speed_mps, settings.speed_mps);
        assert_eq!(vehicle.endurance_s, settings.endurance_min * 60.0);
    }

    #[test]
    fn a_patrol_from_diffa_covers_its_stretch() {
        let text = std::fs::read_to_string(
            crate::cli::default_catalog().with_file_name("ne10m_niger_border_line.geojson"),
        )
        .unwrap();
        let border = mission_planner::border::border_from_geojson(&text).unwrap();
        let mut settings = PatrolSettings::default();
        let diffa = BASES[settings.base].position;
        (settings.from_km, settings.to_km) = stretch_near(&border, diffa, DEFAULT_STRETCH_KM);
        assert!(settings.to_km - settings.from_km > 70.0, "{settings:?}");
        let req = patrol_request(&settings, &border);
        let plan = plan_patrol(&req, &FlatTerrain { height_m: 300.0 }, &mut |_| {}).unwrap();
        assert!(
            !plan.sorties.is_empty(),
            "{settings:?}: uncovered {:?}, warnings {:?}",
            plan.uncovered_m,
            plan.warnings
        );
        for s in &plan.sorties {
            assert!(s.estimate.time_s <= req.vehicle.usable_s() + 1.0);
            assert!(s.border_from_m >= settings.from_km * 1000.0 - 1.0);
            assert!(s.border_to_m <= settings.to_km * 1000.0 + 1.0);
        }
    }
}
