//! QGroundControl StructureScan (version 3) complex items, which embed no flight
//! items: they are regenerated from the structure polygon, as QGroundControl does
//! (`StructureScanComplexItem::appendMissionItems`): an entrance waypoint, the
//! camera pointed at the structure, one loop around the polygon offset by the
//! camera distance per layer with distance triggering, then the exit waypoint.
//! The offset polygon is mitred with `geo` bearings and destinations, so vertices
//! can differ from QGroundControl's planar offset by centimetres.

use geo::{Coord, LineString, Winding};
use serde_json::{Map, Value};

use super::{ParseError, as_obj, child, coordinate, jerr, num, req};
use crate::geodesy::{bearing_deg, bearing_delta_deg, destination};
use crate::item::ItemParams;
use crate::raw::{cmd, frame};
use crate::{LatLon, MissionItem};

/// MAV_CMD_DO_SET_ROI_WPNEXT_OFFSET.
const DO_SET_ROI_WPNEXT_OFFSET: u16 = 196;
/// MAV_CMD_DO_SET_ROI_NONE.
const DO_SET_ROI_NONE: u16 = 197;

fn item(command: u16, frame: u8, params: [f64; 7]) -> MissionItem {
    MissionItem::from_params(&ItemParams {
        command,
        frame,
        autocontinue: true,
        params,
    })
}

fn waypoint(p: LatLon, alt_m: f64) -> MissionItem {
    item(
        cmd::NAV_WAYPOINT,
        frame::GLOBAL_RELATIVE_ALT,
        [0.0, 0.0, 0.0, f64::NAN, p.lat_deg, p.lon_deg, alt_m],
    )
}

/// The polygon moved `distance_m` outward, one mitred vertex per vertex.
fn offset_outward(vertices: &[LatLon], distance_m: f64) -> Vec<LatLon> {
    let ring = LineString::from(
        vertices
            .iter()
            .chain(vertices.first())
            .map(|p| Coord {
                x: p.lon_deg,
                y: p.lat_deg,
            })
            .collect::<Vec<_>>(),
    );
    // Outward is right of travel on a counter-clockwise ring, left on a clockwise one.
    let side = if ring.is_ccw() { 90.0 } else { -90.0 };
    let n = vertices.len();
    (0..n)
        .map(|i| {
            let (prev, v, next) = (
                vertices[(i + n - 1) % n],
                vertices[i],
                vertices[(i + 1) % n],
            );
            let n1 = bearing_deg(prev, v) + side;
            let n2 = bearing_deg(v, next) + side;
            let half = bearing_delta_deg(n1, n2) / 2.0;
            destination(v, n1 + half, distance_m / half.to_radians().cos().max(0.1))
        })
        .collect()
}

/// The flight items of a StructureScan object at `path`.
pub fn structure_scan_items(
    o: &Map<String, Value>,
    path: &str,
) -> Result<Vec<MissionItem>, ParseError> {
    let version = num(req(o, "version", path)?, &child(path, "version"))?;
    if version != 3.0 {
        return Err(jerr(
            &child(path, "version"),
            format!("StructureScan version {version} not supported (expected 3)"),
        ));
    }
    let number = |key: &str| req(o, key, path).and_then(|v| num(v, &child(path, key)));
    let bottom_m = number("ScanBottomAlt")?;
    let height_m = number("StructureHeight")?;
    let layers = number("Layers")?;
    let entrance_m = number("EntranceAltitude")?;
    let gimbal_pitch = number("GimbalPitch")?;
    let from_top = req(o, "StartFromTop", path)?
        .as_bool()
        .ok_or_else(|| jerr(&child(path, "StartFromTop"), "expected a boolean"))?;
    let cpath = child(path, "CameraCalc");
    let camera = as_obj(req(o, "CameraCalc", path)?, &cpath)?;
    let cam = |key: &str| req(camera, key, &cpath).and_then(|v| num(v, &child(&cpath, key)));
    let (frontal_m, side_m, distance_m) = (
        cam("AdjustedFootprintFrontal")?,
        cam("AdjustedFootprintSide")?,
        cam("DistanceToSurface")?,
    );
    let ppath = child(path, "polygon");
    let polygon = req(o, "polygon", path)?
        .as_array()
        .ok_or_else(|| jerr(&ppath, "expected an array of [lat, lon]"))?
        .iter()
        .enumerate()
        .map(|(i, c)| coordinate(c, &format!("{ppath}[{i}]"), false).map(|(p, _)| p))
        .collect::<Result<Vec<_>, _>>()?;
    if polygon.len() < 3 {
        return Err(jerr(
            &ppath,
            "a structure polygon needs at least 3 vertices",
        ));
    }
    if !(0.0..=1000.0).contains(&layers) || layers.fract() != 0.0 {
        return Err(jerr(
            &child(path, "Layers"),
            format!("expected a whole number of layers (0..=1000), found {layers}"),
        ));
    }
    let flight = offset_outward(&polygon, distance_m);
    let mut items = vec![
        waypoint(flight[0], entrance_m),
        item(
            DO_SET_ROI_WPNEXT_OFFSET,
            frame::MISSION,
            [0.0, 0.0, 0.0, 0.0, gimbal_pitch, 0.0, 90.0],
        ),
    ];
    let step = if from_top { -frontal_m } else { frontal_m };
    let mut layer_alt = if from_top { height_m } else { bottom_m } + step / 2.0;
    for _ in 0..layers as usize {
        for k in 0..=flight.len() {
            items.push(waypoint(flight[k % flight.len()], layer_alt));
            if k == 0 {
                items.push(item(
                    cmd::DO_SET_CAM_TRIGG_DIST,
                    frame::MISSION,
                    [side_m, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0],
                ));
            }
        }
        items.push(item(cmd::DO_SET_CAM_TRIGG_DIST, frame::MISSION, [0.0; 7]));
        layer_alt += step;
    }
    items.push(item(DO_SET_ROI_NONE, frame::MISSION, [0.0; 7]));
    items.push(waypoint(flight[0], entrance_m));
    Ok(items)
}
