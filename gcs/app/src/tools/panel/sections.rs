//! The plan panel's sections: editing tools, border patrol, the plan's report.

use bevy_egui::egui;
use mission_planner::generate::survey::{Camera as SurveyCamera, SurveyRequest, survey};
use mission_planner::validate::Severity as IssueSeverity;
use mission_planner::{FencePolygon, MissionCommand, MissionItem, Plan};

use crate::link::sim_fleet::BASES;
use crate::map::terrain::TerrainData;
use crate::tools::doc::{DEFAULT_ALT_REL_M, PlanDoc, add_waypoint};
use crate::tools::tasks::{patrol_progress, start_patrol};
use crate::ui_state::Tool;

fn tool_button(ui: &mut egui::Ui, tool: &mut Tool, t: Tool, label: &str) {
    if ui.selectable_label(*tool == t, label).clicked() {
        *tool = if *tool == t { Tool::Navigate } else { t };
    }
}

/// The drawing tools and plan edits.
pub fn edit(ui: &mut egui::Ui, doc: &mut PlanDoc, tool: &mut Tool) {
    ui.horizontal_wrapped(|ui| {
        tool_button(ui, tool, Tool::AddWaypoint, "Add waypoints");
        tool_button(ui, tool, Tool::DrawSurvey, "Survey area");
        tool_button(ui, tool, Tool::DrawFence, "Geofence");
        tool_button(ui, tool, Tool::AddRally, "Rally points");
    });
    ui.horizontal_wrapped(|ui| {
        if ui.button("Add return (RTL)").clicked() {
            doc.plan
                .mission
                .items
                .push(MissionItem::command(MissionCommand::ReturnToLaunch));
            doc.touch();
        }
        if !doc.fence_polygon.is_empty() && ui.button("Close geofence").clicked() {
            if doc.fence_polygon.len() >= 3 {
                let vertices = std::mem::take(&mut doc.fence_polygon);
                doc.plan.fence.polygons.push(FencePolygon {
                    vertices,
                    inclusion: true,
                });
                doc.touch();
            } else {
                doc.message = Some((true, "a geofence needs at least 3 vertices".into()));
            }
        }
        if doc.survey_polygon.len() >= 3 && ui.button("Generate survey").clicked() {
            generate_survey(doc);
        }
        if ui.button("Clear plan").clicked() {
            doc.plan = Plan::default();
            doc.survey_polygon.clear();
            doc.fence_polygon.clear();
            doc.touch();
        }
    });
}

/// A survey of the drawn polygon appended to the mission.
fn generate_survey(doc: &mut PlanDoc) {
    let req = SurveyRequest {
        polygon: doc.survey_polygon.clone(),
        camera: SurveyCamera {
            sensor_width_mm: 13.2,
            sensor_height_mm: 8.8,
            focal_length_mm: 10.2,
            image_width_px: 5472,
            image_height_px: 3648,
        },
        front_overlap: 0.7,
        side_overlap: 0.6,
        alt_m: DEFAULT_ALT_REL_M,
        gsd_cm_per_px: None,
        angle_deg: 0.0,
        turnaround_m: 10.0,
    };
    match survey(&req) {
        Ok((items, layout)) => {
            if doc.plan.mission.items.is_empty() {
                add_waypoint(&mut doc.plan, req.polygon[0]);
            }
            doc.plan.mission.items.extend(items);
            doc.survey_polygon.clear();
            doc.message = Some((
                false,
                format!("survey: {layout:?}").chars().take(160).collect(),
            ));
            doc.touch();
        }
        Err(e) => doc.message = Some((true, format!("survey: {e}"))),
    }
}

/// Border patrol settings and generation.
pub fn patrol(ui: &mut egui::Ui, doc: &mut PlanDoc, terrain: &TerrainData) {
    ui.strong("Border patrol");
    let border_km = doc.border.as_deref().map(|b| b.length_m() / 1000.0);
    match border_km {
        None => {
            ui.label("no border line in the catalog");
        }
        Some(total) => {
            let p = &mut doc.patrol;
            ui.add(egui::Slider::new(&mut p.from_km, 0.0..=total).text("from km"));
            ui.add(egui::Slider::new(&mut p.to_km, 0.0..=total).text("to km"));
            egui::ComboBox::from_label("base")
                .selected_text(BASES[p.base.min(BASES.len() - 1)].name)
                .show_ui(ui, |ui| {
                    for (i, b) in BASES.iter().enumerate() {
                        ui.selectable_value(&mut p.base, i, b.name);
                    }
                });
            ui.add(egui::Slider::new(&mut p.standoff_m, 0.0..=20_000.0).text("standoff (m)"));
            ui.add(
                egui::Slider::new(&mut p.alt_agl_m, 30.0..=120.0).text("height above terrain (m)"),
            );
            ui.add(egui::Slider::new(&mut p.speed_mps, 5.0..=40.0).text("cruise speed (m/s)"));
            ui.add(egui::Slider::new(&mut p.endurance_min, 10.0..=600.0).text("endurance (min)"));
            ui.horizontal(|ui| {
                let busy = doc.generation.is_some();
                if ui
                    .add_enabled(!busy, egui::Button::new("Generate patrol"))
                    .clicked()
                {
                    start_patrol(doc, terrain);
                }
                if let Some(f) = patrol_progress(doc) {
                    ui.add(egui::ProgressBar::new(f).show_percentage());
                }
            });
        }
    }
}

/// The generated sorties; "edit" makes one the plan.
pub fn sorties(ui: &mut egui::Ui, doc: &mut PlanDoc) {
    if let Some(p) = doc.patrol_plan.clone() {
        let mut chosen = None;
        egui::Grid::new("sorties").striped(true).show(ui, |ui| {
            for h in ["#", "border km", "distance", "time", "battery", ""] {
                ui.strong(h);
            }
            ui.end_row();
            for (k, s) in p.sorties.iter().enumerate() {
                ui.label(format!("{}", k + 1));
                ui.label(format!(
                    "{:.0}–{:.0}",
                    s.border_from_m / 1000.0,
                    s.border_to_m / 1000.0
                ));
                ui.label(format!("{:.1} km", s.estimate.distance_m / 1000.0));
                ui.label(format!("{:.0} min", s.estimate.time_s / 60.0));
                ui.label(format!("{:.0} %", s.estimate.battery_frac * 100.0));
                if ui.small_button("edit").clicked() {
                    chosen = Some(k);
                }
                ui.end_row();
            }
        });
        for w in &p.warnings {
            ui.colored_label(egui::Color32::from_rgb(240, 200, 40), w);
        }
        if let Some(k) = chosen {
            doc.replace(Plan {
                mission: p.sorties[k].mission.clone(),
                ..Plan::default()
            });
        }
    }
}

/// The plan's estimate and validation issues.
pub fn report(ui: &mut egui::Ui, doc: &PlanDoc) {
    ui.strong("This plan");
    match &doc.report {
        Some(r) => {
            let e = &r.estimate;
            ui.label(format!(
                "{} items · {:.1} km · {:.0} min · {:.0} % battery · max {:.0} m AMSL",
                doc.plan.mission.items.len(),
                e.distance_m / 1000.0,
                e.time_s / 60.0,
                e.battery_frac * 100.0,
                e.max_alt_amsl_m
            ));
            let errors = r
                .issues
                .iter()
                .filter(|i| i.severity == IssueSeverity::Error)
                .count();
            ui.label(format!(
                "{errors} errors, {} other issues",
                r.issues.len() - errors
            ));
            egui::ScrollArea::vertical()
                .id_salt("issues")
                .max_height(120.0)
                .show(ui, |ui| {
                    for i in &r.issues {
                        let colour = if i.severity == IssueSeverity::Error {
                            egui::Color32::from_rgb(255, 90, 80)
                        } else {
                            egui::Color32::from_rgb(240, 200, 40)
                        };
                        ui.colored_label(colour, &i.message);
                    }
                });
        }
        None if doc.plan.mission.items.is_empty() => {
            ui.label("Empty: add waypoints on the map, open a file or generate a patrol.");
        }
        None => {
            ui.label("validating…");
        }
    }
}
