//! `--screenshot PATH --after-secs N`: render, write a PNG of the window, then exit.
//!
//! Exists so the map can be seen working on a machine without a GPU (Xvfb + lavapipe)
//! and checked by a test. Beside the PNG, `PATH.json` says where the drones, the border
//! and terrain sample points were projected on screen at capture time, so the test can
//! check the colours there (the pixels, not the file's existence, prove the scene).

use std::path::{Path, PathBuf};

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use gcs_link::LatLon;
use serde::Serialize;

use crate::cli::Args;
use crate::layers::{LayerStatus, MapLayers};
use crate::map::drones::DroneMarker;
use crate::map::frame::MapFrame;
use crate::map::terrain::{TerrainData, TerrainStats};
use crate::map::view::MainCamera;

/// Seconds past `--after-secs` to wait for terrain and layers before capturing anyway.
const SETTLE_GRACE_S: f64 = 60.0;

#[derive(Resource)]
struct ShotRequest {
    path: PathBuf,
    after_secs: f64,
    taken: bool,
}

/// A point of interest on screen, window pixels (physical).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ScreenPoint {
    /// What it is.
    pub what: String,
    /// Pixel column.
    pub x: f32,
    /// Pixel row.
    pub y: f32,
}

/// What was on screen when the screenshot was taken.
#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct ScreenReport {
    /// Window size, physical pixels.
    pub width: u32,
    /// Window height, physical pixels.
    pub height: u32,
    /// The map viewport: x, y, width, height (physical pixels).
    pub viewport: [u32; 4],
    /// Drones (centre of each arrow).
    pub drones: Vec<ScreenPoint>,
    /// Points on the border line.
    pub border: Vec<ScreenPoint>,
    /// Points on the terrain.
    pub terrain: Vec<ScreenPoint>,
    /// Terrain tiles on screen.
    pub terrain_tiles: usize,
    /// Seconds since start.
    pub at_s: f64,
}

/// Takes the screenshot `--screenshot PATH` asks for, after `--after-secs`.
pub(super) fn plugin(app: &mut App) {
    let Some(args) = app.world().get_resource::<Args>().cloned() else {
        return;
    };
    let Some(path) = args.screenshot else {
        return;
    };
    app.insert_resource(ShotRequest {
        path,
        after_secs: args.after_secs,
        taken: false,
    })
    .add_systems(Last, take_screenshot);
}

#[allow(clippy::too_many_arguments)]
fn take_screenshot(
    mut req: ResMut<ShotRequest>,
    time: Res<Time<Real>>,
    stats: Res<TerrainStats>,
    layers: Res<MapLayers>,
    map: Res<MapFrame>,
    terrain: Res<TerrainData>,
    window: Single<&Window>,
    camera: Single<(&Camera, &GlobalTransform), With<MainCamera>>,
    drones: Query<&GlobalTransform, With<DroneMarker>>,
    mut commands: Commands,
) {
    if req.taken {
        return;
    }
    let t = time.elapsed_secs_f64();
    let settled = stats.building == 0
        && stats.shown > 0
        && layers
            .layers
            .iter()
            .all(|l| l.status != LayerStatus::Loading);
    if t < req.after_secs || (!settled && t < req.after_secs + SETTLE_GRACE_S) {
        return;
    }
    req.taken = true;
    let (cam, at) = *camera;
    let scale = window.scale_factor();
    let project = |world: Vec3| -> Option<(f32, f32)> {
        let v = cam.world_to_viewport(at, world).ok()?;
        let w = v * scale;
        let r = cam.physical_viewport_rect()?;
        (w.x >= r.min.x as f32
            && w.y >= r.min.y as f32
            && w.x < r.max.x as f32
            && w.y < r.max.y as f32)
            .then_some((w.x, w.y))
    };
    let mut report = ScreenReport {
        width: window.physical_width(),
        height: window.physical_height(),
        viewport: cam.physical_viewport_rect().map_or(
            [0, 0, window.physical_width(), window.physical_height()],
            |r| [r.min.x, r.min.y, r.width(), r.height()],
        ),
        terrain_tiles: stats.shown,
        at_s: t,
        ..default()
    };
    for (i, g) in drones.iter().enumerate() {
        if let Some((x, y)) = project(g.translation()) {
            report.drones.push(ScreenPoint {
                what: format!("drone {i}"),
                x,
                y,
            });
        }
    }
    border_points(&layers, &map, &project, &mut report.border);
    terrain_points(&terrain, &map, &project, &mut report.terrain);
    let path = req.path.clone();
    commands.spawn(Screenshot::primary_window()).observe(
        move |shot: On<ScreenshotCaptured>, mut exit: MessageWriter<AppExit>| match save(
            &path,
            &shot.image,
            &report,
        ) {
            Ok(()) => {
                info!("screenshot written to {}", path.display());
                exit.write(AppExit::Success);
            }
            Err(e) => {
                error!("screenshot {}: {e}", path.display());
                exit.write(AppExit::error());
            }
        },
    );
}

/// Where the demo's border line is on screen (about 40 points per line).
fn border_points(
    layers: &MapLayers,
    map: &MapFrame,
    project: &dyn Fn(Vec3) -> Option<(f32, f32)>,
    out: &mut Vec<ScreenPoint>,
) {
    let Some(d) = layers
        .layers
        .iter()
        .find(|l| l.name == "Niger border")
        .and_then(|l| l.draped.as_deref())
    else {
        return;
    };
    for line in &d.lines {
        let step = (line.len() / 40).max(1);
        for p in line.iter().step_by(step) {
            if let Some((x, y)) = project(map.render(*p)) {
                out.push(ScreenPoint {
                    what: "border".into(),
                    x,
                    y,
                });
            }
        }
    }
}

/// Where a 9x9 lattice over the terrain's extent is on screen.
fn terrain_points(
    terrain: &TerrainData,
    map: &MapFrame,
    project: &dyn Fn(Vec3) -> Option<(f32, f32)>,
    out: &mut Vec<ScreenPoint>,
) {
    if let Some(src) = terrain.source.as_deref() {
        let b = src.dem.grid.bounds;
        for i in 1..10 {
            for j in 1..10 {
                let p = LatLon::new(
                    b.south_deg + (b.north_deg - b.south_deg) * f64::from(i) / 10.0,
                    b.west_deg + (b.east_deg - b.west_deg) * f64::from(j) / 10.0,
                );
                if let Some(h) = src.dem.sample(p)
                    && let Some((x, y)) = project(map.render_geo(p, h))
                {
                    out.push(ScreenPoint {
                        what: format!("terrain {:.2},{:.2}", p.lat_deg, p.lon_deg),
                        x,
                        y,
                    });
                }
            }
        }
    }
}

/// Writes the PNG and its report, each atomically (vigil-fs: temp file, fsync,
/// rename, fsync the folder), so a crash never leaves half an image.
fn save(path: &Path, image: &Image, report: &ScreenReport) -> Result<(), String> {
    let rgb = image
        .clone()
        .try_into_dynamic()
        .map_err(|e| format!("converting the frame: {e}"))?
        .to_rgb8();
    let png = bevy::image::ImageFormat::Png
        .as_image_crate_format()
        .ok_or("no PNG encoder")?;
    vigil_fs::write_atomic_at(path, |tmp| {
        rgb.save_with_format(tmp, png)
            .map_err(std::io::Error::other)
    })
    .map_err(|e| e.to_string())?;
    let json_path = PathBuf::from(format!("{}.json", path.display()));
    let json = serde_json::to_string_pretty(report).map_err(|e| e.to_string())?;
    vigil_fs::write_atomic(&json_path, json.as_bytes()).map_err(|e| e.to_string())
}
