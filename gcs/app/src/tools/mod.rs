//! Planning on the map: add, drag and delete waypoints; draw survey and geofence
//! polygons and rally points; generate a border patrol for a stretch of border from a
//! base; validation issues drawn where they are; stats; open and save plan files.
//!
//! Exists as the shell over mission-planner: generation and validation run on the
//! async compute pool, files are read and written (atomically) by the library; this
//! file turns clicks into plan edits and draws the plan.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy::tasks::{AsyncComputeTaskPool, Task, block_on, futures_lite::future};
use bevy::window::PrimaryWindow;
use bevy_egui::egui;
use bevy_egui::input::EguiWantsInput;
use gcs_link::LatLon;
use geo_intel::elevation::Dem;
use mission_planner::estimate::VehicleModel;
use mission_planner::flight::{FlightSettings, FlownPoint, flight_path};
use mission_planner::generate::patrol::{PatrolPlan, PatrolRequest, plan_patrol};
use mission_planner::generate::survey::{Camera as SurveyCamera, SurveyRequest, survey};
use mission_planner::generate::terrain_follow::TerrainFollow;
use mission_planner::validate::{Report, Severity as IssueSeverity, ValidationSettings, validate};
use mission_planner::{
    Altitude, AltitudeReference, ElevationModel, FencePolygon, FlatTerrain, MissionCommand,
    MissionItem, Plan, RallyPoint, files,
};

use crate::camera::{MainCamera, cursor_in_viewport};
use crate::file_browser::{FileBrowser, Picked};
use crate::link::Fleet;
use crate::map_frame::MapFrame;
use crate::panels::Shared;
use crate::sim_fleet::BASES;
use crate::terrain::TerrainData;
use crate::ui_state::{CursorGround, Selection, Tool};

/// Default height of new waypoints above home, metres.
pub const DEFAULT_ALT_REL_M: f64 = 100.0;
/// A waypoint is grabbed within this many pixels.
const GRAB_PX: f32 = 12.0;
/// Route colour.
const ROUTE: Color = Color::srgb(0.35, 0.85, 1.0);
/// Flown part of the route.
const FLOWN: Color = Color::srgba(0.6, 0.6, 0.6, 0.7);
/// A leg with an error.
const BAD_LEG: Color = Color::srgb(1.0, 0.1, 0.1);
/// Geofence colour.
const FENCE: Color = Color::srgb(1.0, 0.6, 0.0);
/// Rally point colour.
const RALLY: Color = Color::srgb(0.3, 0.5, 1.0);
/// Survey polygon colour.
const SURVEY: Color = Color::srgb(0.9, 0.4, 1.0);

/// Border patrol settings in the plan panel.
#[derive(Debug, Clone, PartialEq)]
pub struct PatrolSettings {
    /// Start of the stretch, km along the border.
    pub from_km: f64,
    /// End of the stretch, km.
    pub to_km: f64,
    /// Index into [`BASES`].
    pub base: usize,
    /// Standoff from the border, metres.
    pub standoff_m: f64,
    /// Height above terrain, metres.
    pub alt_agl_m: f64,
    /// Cruise speed, m/s.
    pub speed_mps: f64,
    /// Endurance, minutes.
    pub endurance_min: f64,
}

impl Default for PatrolSettings {
    fn default() -> Self {
        Self {
            from_km: 0.0,
            to_km: 400.0,
            base: 2,
            standoff_m: 2_000.0,
            alt_agl_m: 100.0,
            speed_mps: 15.0,
            endurance_min: 60.0,
        }
    }
}

/// A generated patrol, or why not.
type PatrolResult = Result<PatrolPlan, String>;

/// The plan being edited and everything derived from it.
#[derive(Resource, Default)]
pub struct PlanDoc {
    /// The plan.
    pub plan: Plan,
    /// File path typed in the panel.
    pub path: String,
    /// Unsaved changes.
    pub dirty: bool,
    /// The flown path (AMSL heights) of the plan, for drawing.
    pub flown: Vec<FlownPoint>,
    /// Latest validation.
    pub report: Option<Report>,
    /// The survey polygon being drawn.
    pub survey_polygon: Vec<LatLon>,
    /// The fence polygon being drawn.
    pub fence_polygon: Vec<LatLon>,
    /// Last file or generation message: (is an error, text).
    pub message: Option<(bool, String)>,
    /// Border patrol settings.
    pub patrol: PatrolSettings,
    /// The generated patrol.
    pub patrol_plan: Option<Arc<PatrolPlan>>,
    /// The border polyline, once read.
    pub border: Option<Arc<Vec<LatLon>>>,
    revision: u64,
    validated: u64,
    validation: Option<Task<(u64, Vec<FlownPoint>, Report)>>,
    generation: Option<(Task<PatrolResult>, Arc<AtomicU32>)>,
    dragging: Option<usize>,
}

impl PlanDoc {
    /// Marks the plan changed: it is re-validated and redrawn.
    pub fn touch(&mut self) {
        self.dirty = true;
        self.revision += 1;
    }

    /// Whether the flown path and report describe the current plan (tests wait on it).
    #[cfg(test)]
    pub fn is_validated(&self) -> bool {
        self.validation.is_none() && self.validated == self.revision
    }

    /// Replaces the plan (file opened, plan downloaded, sortie chosen).
    pub fn replace(&mut self, plan: Plan) {
        self.plan = plan;
        self.touch();
        self.dirty = false;
    }
}

/// Editing, validation and drawing of the plan.
pub struct PlanningPlugin;

impl Plugin for PlanningPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<PlanDoc>()
            .add_systems(Startup, read_border)
            .add_systems(
                Update,
                (
                    map_clicks.after(crate::camera::ReadCursor),
                    start_validation,
                    finish_tasks,
                    draw_plan,
                )
                    .chain(),
            );
    }
}

fn read_border(mut doc: ResMut<PlanDoc>, catalog: Option<Res<crate::layers::MapCatalog>>) {
    // The border line of the catalog (for patrols): the layer whose file is the border line.
    let Some(cat) = catalog.as_deref().map(|c| &c.0) else {
        return;
    };
    let Some(layer) = cat
        .layers
        .iter()
        .find(|l| l.source.contains("border_line"))
        .or_else(|| {
            cat.layers
                .iter()
                .find(|l| l.name.to_lowercase().contains("border"))
        })
    else {
        return;
    };
    let path = cat.source_path(layer);
    match std::fs::read_to_string(&path)
        .map_err(|e| e.to_string())
        .and_then(|t| mission_planner::border::border_from_geojson(&t).map_err(|e| e.to_string()))
    {
        Ok(b) => {
            let base = BASES[doc.patrol.base.min(BASES.len() - 1)].position;
            (doc.patrol.from_km, doc.patrol.to_km) = stretch_near(&b, base, DEFAULT_STRETCH_KM);
            doc.border = Some(Arc::new(b));
        }
        Err(e) => doc.message = Some((true, format!("{}: {e}", path.display()))),
    }
}

fn dem(terrain: &TerrainData) -> Option<Arc<Dem>> {
    terrain.source.as_deref().map(|s| Arc::clone(&s.dem))
}

fn start_validation(mut doc: ResMut<PlanDoc>, terrain: Res<TerrainData>) {
    if doc.validation.is_some() || doc.validated == doc.revision {
        return;
    }
    let (plan, revision, dem) = (doc.plan.clone(), doc.revision, dem(&terrain));
    doc.validation = Some(AsyncComputeTaskPool::get().spawn(async move {
        let flat = FlatTerrain { height_m: 0.0 };
        let terrain: &dyn ElevationModel = match dem.as_deref() {
            Some(d) => d,
            None => &flat,
        };
        let settings = ValidationSettings {
            terrain_known: dem.is_some(),
            ..ValidationSettings::default()
        };
        let flown = flight_path(
            &plan.mission,
            terrain,
            FlightSettings {
                cruise_speed_mps: settings.vehicle.cruise_speed_mps,
            },
        )
        .points;
        let report = validate(&plan, None, terrain, &settings);
        (revision, flown, report)
    }));
}

fn finish_tasks(mut doc: ResMut<PlanDoc>) {
    if let Some(task) = doc.validation.as_mut()
        && let Some((revision, flown, report)) = block_on(future::poll_once(task))
    {
        doc.validation = None;
        doc.validated = revision;
        doc.flown = flown;
        doc.report = Some(report);
    }
    if let Some((task, _)) = doc.generation.as_mut()
        && let Some(r) = block_on(future::poll_once(task))
    {
        doc.generation = None;
        match r {
            Ok(p) => {
                doc.message = Some((
                    false,
                    format!(
                        "patrol: {} sorties, {:.0} km of border uncovered",
                        p.sorties.len(),
                        p.uncovered_m.iter().map(|(a, b)| b - a).sum::<f64>() / 1000.0
                    ),
                ));
                doc.patrol_plan = Some(Arc::new(p));
            }
            Err(e) => doc.message = Some((true, format!("patrol: {e}"))),
        }
    }
}

/// Adds a waypoint at `p` (a takeoff there first when the mission is empty).
pub fn add_waypoint(plan: &mut Plan, p: LatLon) {
    let alt = Altitude {
        alt_m: DEFAULT_ALT_REL_M,
        reference: AltitudeReference::Home,
    };
    if plan.mission.items.is_empty() {
        plan.mission.items.push(MissionItem::takeoff(p, alt));
    } else {
        plan.mission.items.push(MissionItem::waypoint(p, alt));
    }
}

#[allow(clippy::too_many_arguments)]
fn map_clicks(
    buttons: Res<ButtonInput<MouseButton>>,
    keys: Res<ButtonInput<KeyCode>>,
    window: Option<Single<&Window, With<PrimaryWindow>>>,
    camera: Single<(&Camera, &GlobalTransform), With<MainCamera>>,
    egui: Option<Res<EguiWantsInput>>,
    cursor: Res<CursorGround>,
    tool: Res<Tool>,
    map: Res<MapFrame>,
    mut doc: ResMut<PlanDoc>,
    mut press: Local<Option<Vec2>>,
) {
    let Some(window) = window else { return };
    let (cam, at) = *camera;
    let Some(c) = cursor_in_viewport(&window, cam) else {
        return;
    };
    if egui.is_some_and(|e| e.is_pointer_over_area() || e.wants_pointer_input()) {
        return;
    }
    // The waypoint under the cursor, by screen distance.
    let under = |doc: &PlanDoc| {
        doc.flown
            .iter()
            .filter(|f| f.seq > 0 || doc.plan.mission.home.is_none())
            .filter_map(|f| {
                let s = cam
                    .world_to_viewport(at, map.render_geo(f.position, f.alt_amsl_m))
                    .ok()?;
                let index = f
                    .seq
                    .checked_sub(usize::from(doc.plan.mission.home.is_some()))?;
                (s.distance(c) <= GRAB_PX).then_some((index, s.distance(c)))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i)
    };
    let editing = matches!(*tool, Tool::Navigate | Tool::AddWaypoint);
    if buttons.just_pressed(MouseButton::Left) {
        *press = Some(c);
        if editing {
            doc.dragging = under(&doc);
        }
    }
    if let (Some(i), Some((p, _))) = (doc.dragging, cursor.at)
        && buttons.pressed(MouseButton::Left)
    {
        if let Some(item) = doc.plan.mission.items.get_mut(i)
            && item.position() != Some(p)
            && item.set_position(p)
        {
            doc.touch();
        }
        return;
    }
    if buttons.just_released(MouseButton::Left) {
        let was_drag = doc.dragging.take().is_some();
        let click = press.take().is_some_and(|p| p.distance(c) <= 4.0);
        if was_drag || !click {
            return;
        }
        let Some((p, _)) = cursor.at else { return };
        match *tool {
            Tool::AddWaypoint => {
                add_waypoint(&mut doc.plan, p);
                doc.touch();
            }
            Tool::DrawSurvey => doc.survey_polygon.push(p),
            Tool::DrawFence => doc.fence_polygon.push(p),
            Tool::AddRally => {
                doc.plan.rally_points.push(RallyPoint::new(p, 50.0));
                doc.touch();
            }
            Tool::Navigate | Tool::GoTo => {}
        }
    }
    // Right click or Delete on a waypoint removes it.
    if (buttons.just_released(MouseButton::Right) || keys.just_pressed(KeyCode::Delete))
        && editing
        && let Some(i) = under(&doc)
    {
        doc.plan.mission.items.remove(i);
        doc.touch();
    }
}

fn draw_plan(
    doc: Res<PlanDoc>,
    map: Res<MapFrame>,
    fleet: Res<Fleet>,
    selection: Res<Selection>,
    terrain: Res<TerrainData>,
    mut gizmos: Gizmos,
) {
    let bad_legs: std::collections::BTreeSet<usize> = doc
        .report
        .iter()
        .flat_map(|r| r.issues.iter())
        .filter(|i| i.severity == IssueSeverity::Error)
        .filter_map(|i| i.location.seq)
        .collect();
    // Mission progress of the selected drone on this route.
    let current = selection
        .vehicle
        .and_then(|id| fleet.0.get(id))
        .and_then(|v| v.mission.current_seq)
        .map(usize::from);
    for w in doc.flown.windows(2) {
        let (a, b) = (w[0], w[1]);
        let colour = if bad_legs.contains(&b.seq) {
            BAD_LEG
        } else if current.is_some_and(|c| b.seq < c) {
            FLOWN
        } else {
            ROUTE
        };
        gizmos.line(
            map.render_geo(a.position, a.alt_amsl_m),
            map.render_geo(b.position, b.alt_amsl_m),
            colour,
        );
    }
    let ground = |p: LatLon| {
        terrain
            .source
            .as_deref()
            .and_then(|s| s.dem.sample(p))
            .unwrap_or(0.0)
    };
    for f in &doc.flown {
        let top = map.render_geo(f.position, f.alt_amsl_m);
        let foot = map.render_geo(f.position, ground(f.position));
        gizmos.line(top, foot, Color::srgba(0.35, 0.85, 1.0, 0.35));
    }
    let ring = |gizmos: &mut Gizmos, pts: &[LatLon], colour: Color, closed: bool| {
        let mut v: Vec<Vec3> = pts
            .iter()
            .map(|p| map.render_geo(*p, ground(*p) + 80.0))
            .collect();
        if closed && v.len() > 2 {
            v.push(v[0]);
        }
        gizmos.linestrip(v, colour);
    };
    for poly in &doc.plan.fence.polygons {
        let colour = if poly.inclusion { FENCE } else { BAD_LEG };
        ring(&mut gizmos, &poly.vertices, colour, true);
    }
    ring(&mut gizmos, &doc.fence_polygon, FENCE, false);
    ring(&mut gizmos, &doc.survey_polygon, SURVEY, true);
    for r in &doc.plan.rally_points {
        let h = ground(r.position);
        gizmos.line(
            map.render_geo(r.position, h),
            map.render_geo(r.position, h + 400.0),
            RALLY,
        );
    }
    if let Some(p) = doc.patrol_plan.as_deref() {
        let dem = terrain.source.as_deref().map(|s| s.dem.as_ref());
        for (k, s) in p.sorties.iter().enumerate() {
            let hue = (k as f32 * 47.0) % 360.0;
            let colour = Color::hsl(hue, 0.9, 0.6);
            let pts: Vec<Vec3> = s
                .mission
                .items
                .iter()
                .filter_map(|i| {
                    let pos = i.position()?;
                    let alt = i.altitude()?;
                    let h = match alt.reference {
                        AltitudeReference::Amsl => alt.alt_m,
                        _ => dem.and_then(|d| d.sample(pos)).unwrap_or(0.0) + alt.alt_m,
                    };
                    Some(map.render_geo(pos, h))
                })
                .collect();
            gizmos.linestrip(pts, colour);
        }
    }
}

/// What the plan panel reads and changes.
#[derive(SystemParam)]
pub struct PlanPanel<'w, 's> {
    map: Res<'w, MapFrame>,
    browser: Local<'s, Option<FileBrowser>>,
    camera: Option<Single<'w, 's, (&'static Camera, &'static GlobalTransform), With<MainCamera>>>,
}

fn tool_button(ui: &mut egui::Ui, tool: &mut Tool, t: Tool, label: &str) {
    if ui.selectable_label(*tool == t, label).clicked() {
        *tool = if *tool == t { Tool::Navigate } else { t };
    }
}

impl PlanPanel<'_, '_> {
    /// Paints validation issues where they are.
    pub fn paint_issues(&self, ctx: &egui::Context, map_rect: egui::Rect, sh: &Shared) {
        let (Some(report), Some(camera)) = (&sh.doc.report, &self.camera) else {
            return;
        };
        let (cam, at) = **camera;
        let painter = ctx
            .layer_painter(egui::LayerId::background())
            .with_clip_rect(map_rect);
        for issue in report
            .issues
            .iter()
            .filter(|i| i.severity == IssueSeverity::Error)
            .take(30)
        {
            let Some(p) = issue.location.position else {
                continue;
            };
            let h = sh
                .terrain
                .source
                .as_deref()
                .and_then(|s| s.dem.sample(p))
                .unwrap_or(0.0);
            let Ok(v) = cam.world_to_viewport(at, self.map.render_geo(p, h)) else {
                continue;
            };
            let w = v;
            let pos = egui::pos2(w.x, w.y);
            painter.circle_filled(pos, 5.0, egui::Color32::from_rgb(255, 30, 30));
            painter.text(
                pos + egui::vec2(8.0, 0.0),
                egui::Align2::LEFT_CENTER,
                &issue.message,
                egui::FontId::proportional(11.0),
                egui::Color32::from_rgb(255, 120, 110),
            );
        }
    }

    /// Draws the panel.
    pub fn show(&mut self, ui: &mut egui::Ui, sh: &mut Shared) {
        let doc = &mut *sh.doc;
        ui.horizontal_wrapped(|ui| {
            let tool = &mut *sh.tool;
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
            if ui.button("Clear plan").clicked() {
                doc.plan = Plan::default();
                doc.survey_polygon.clear();
                doc.fence_polygon.clear();
                doc.touch();
            }
        });
        ui.separator();
        ui.strong("Border patrol");
        let border_km = doc
            .border
            .as_deref()
            .map(|b| mission_planner::geodesy::Polyline::new(b.clone()).length_m() / 1000.0);
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
                    egui::Slider::new(&mut p.alt_agl_m, 30.0..=120.0)
                        .text("height above terrain (m)"),
                );
                ui.add(egui::Slider::new(&mut p.speed_mps, 5.0..=40.0).text("cruise speed (m/s)"));
                ui.add(
                    egui::Slider::new(&mut p.endurance_min, 10.0..=600.0).text("endurance (min)"),
                );
                ui.horizontal(|ui| {
                    let busy = doc.generation.is_some();
                    if ui
                        .add_enabled(!busy, egui::Button::new("Generate patrol"))
                        .clicked()
                        && let Some(border) = doc.border.clone()
                    {
                        let req = patrol_request(&doc.patrol, &border);
                        let progress = Arc::new(AtomicU32::new(0));
                        let (dem, prog) = (dem(&sh.terrain), Arc::clone(&progress));
                        let task = AsyncComputeTaskPool::get().spawn(async move {
                            let flat = FlatTerrain { height_m: 0.0 };
                            let terrain: &dyn ElevationModel = match dem.as_deref() {
                                Some(d) => d,
                                None => &flat,
                            };
                            let mut report =
                                |f: f64| prog.store((f * 1000.0) as u32, Ordering::Relaxed);
                            plan_patrol(&req, terrain, &mut report).map_err(|e| e.to_string())
                        });
                        doc.generation = Some((task, progress));
                    }
                    if let Some((_, progress)) = &doc.generation {
                        let f = progress.load(Ordering::Relaxed) as f32 / 1000.0;
                        ui.add(egui::ProgressBar::new(f).show_percentage());
                    }
                });
            }
        }
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
        ui.separator();
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
        ui.separator();
        ui.horizontal(|ui| {
            ui.label("File:");
            ui.text_edit_singleline(&mut doc.path);
            if ui
                .selectable_label(self.browser.is_some(), "Browse…")
                .clicked()
            {
                *self.browser = match self.browser.take() {
                    Some(_) => None,
                    None => Some(FileBrowser::new(
                        Path::new(doc.path.trim())
                            .parent()
                            .filter(|d| d.is_dir())
                            .unwrap_or(Path::new(".")),
                        PLAN_EXTENSIONS,
                    )),
                };
            }
        });
        if let Some(b) = self.browser.as_mut() {
            match b.show(ui) {
                Some(Picked::File(p)) => doc.path = p.display().to_string(),
                // Entering a directory keeps the file name typed, for saving there.
                Some(Picked::Dir(d)) => {
                    let name = Path::new(doc.path.trim())
                        .file_name()
                        .map_or_else(|| "patrol.plan".into(), |n| n.to_owned());
                    doc.path = d.join(name).display().to_string();
                }
                None => {}
            }
        }
        ui.horizontal(|ui| {
            if ui.button("Open").clicked() {
                let path = PathBuf::from(doc.path.trim());
                match files::load_plan(&path) {
                    Ok(plan) => {
                        doc.replace(plan);
                        doc.message = Some((false, format!("opened {}", path.display())));
                    }
                    Err(e) => doc.message = Some((true, e.to_string())),
                }
            }
            if ui.button("Save").clicked() {
                let path = PathBuf::from(doc.path.trim());
                match files::save_plan(&doc.plan, &path) {
                    Ok(()) => {
                        if let Some(b) = self.browser.as_mut() {
                            b.refresh();
                        }
                        doc.dirty = false;
                        doc.message = Some((false, format!("saved {}", path.display())));
                    }
                    Err(e) => doc.message = Some((true, e.to_string())),
                }
            }
            ui.small(".plan · .waypoints · .kml · .geojson");
            if doc.dirty {
                ui.small("(unsaved)");
            }
        });
        if let Some((error, text)) = &doc.message {
            let colour = if *error {
                egui::Color32::from_rgb(255, 90, 80)
            } else {
                egui::Color32::from_rgb(120, 220, 120)
            };
            ui.colored_label(colour, text);
        }
    }
}

/// The plan files the browser lists (what `mission_planner::files` reads and writes).
const PLAN_EXTENSIONS: &[&str] = &[
    "plan",
    "mission",
    "waypoints",
    "txt",
    "wpl",
    "kml",
    "geojson",
    "json",
];

/// Half the length of the default patrol stretch, km either side of the base.
const DEFAULT_STRETCH_KM: f64 = 40.0;

/// The stretch of `border` (km from its start) within `half_km` either side of the
/// border point nearest `base`: a sensible first patrol for that base.
pub fn stretch_near(border: &[LatLon], base: LatLon, half_km: f64) -> (f64, f64) {
    let line = mission_planner::geodesy::Polyline::new(border.to_vec());
    let nearest = line
        .points()
        .iter()
        .zip(line.cumulative_m())
        .min_by(|a, b| {
            let da = mission_planner::geodesy::distance_m(*a.0, base);
            let db = mission_planner::geodesy::distance_m(*b.0, base);
            da.total_cmp(&db)
        })
        .map_or(0.0, |(_, s)| *s / 1000.0);
    let total = line.length_m() / 1000.0;
    ((nearest - half_km).max(0.0), (nearest + half_km).min(total))
}

/// The patrol request for the panel's settings.
pub fn patrol_request(p: &PatrolSettings, border: &[LatLon]) -> PatrolRequest {
    let (a, b) = (p.from_km.min(p.to_km), p.from_km.max(p.to_km));
    PatrolRequest {
        border: border.to_vec(),
        home_side: None,
        standoff_m: p.standoff_m,
        simplify_tolerance_m: 200.0,
        terrain_follow: TerrainFollow::new(p.alt_agl_m, 120.0),
        bases: vec![BASES[p.base.min(BASES.len() - 1)].position],
        vehicle: VehicleModel {
            cruise_speed_mps: p.speed_mps,
            endurance_s: p.endurance_min * 60.0,
            ..VehicleModel::default()
        },
        border_range_m: Some((a * 1000.0, b * 1000.0)),
        altitude_reference: AltitudeReference::Amsl,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The border line comes from the catalog already read, and the default patrol
    /// stretch brackets the default base (Diffa, ~km 4303 of the line).
    #[test]
    fn the_border_comes_from_the_catalog_with_a_stretch_around_the_base() {
        let mut app = crate::layers::demo_app();
        app.init_resource::<PlanDoc>()
            .add_systems(Startup, read_border);
        app.update();
        let doc = app.world().resource::<PlanDoc>();
        let border = doc.border.as_deref().expect("border read");
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
