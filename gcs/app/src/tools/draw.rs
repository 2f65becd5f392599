//! The plan drawn on the map: the flown route (flown part grey, bad legs red), stalks to
//! the ground, geofences, the survey polygon, rally points and generated sorties.

use bevy::prelude::*;
use gcs_link::LatLon;
use mission_planner::AltitudeReference;
use mission_planner::validate::Severity as IssueSeverity;

use crate::link::Fleet;
use crate::map::frame::MapFrame;
use crate::map::terrain::TerrainData;
use crate::tools::doc::PlanDoc;
use crate::ui_state::Selection;

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

pub(super) fn draw_plan(
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
