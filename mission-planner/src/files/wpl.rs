//! `QGC WPL 110` text (Mission Planner, MAVProxy, pymavlink) and MAVProxy's older
//! fence (`lat lon` per line) and rally (`RALLY ...`) lists.
//!
//! One WPL file holds one list: a mission (line 0 is home when it is a plain
//! `GLOBAL` waypoint, as ArduPilot and Mission Planner write it; written as a
//! [`PLACEHOLDER_HOME`] when the plan has none), a fence (commands
//! 5000-5099) or rally points (5100). Fields are tab-separated (any whitespace is
//! accepted); lines end in LF or CRLF; frame values are kept as given.

use super::ParseError;
use crate::item::ItemParams;
use crate::plan::{FencePolygon, GeoFence, Home, Plan, RallyPoint};
use crate::raw::cmd;
use crate::{LatLon, mavlink};

const HEADER: &str = "QGC WPL 110";

fn line_err(line: usize, message: impl Into<String>) -> ParseError {
    ParseError::Line {
        line,
        message: message.into(),
    }
}

/// Non-empty lines with their 1-based numbers, CR stripped.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r').trim()))
        .filter(|(_, l)| !l.is_empty())
}

/// Reads any of the text formats: `QGC WPL`, a MAVProxy `RALLY` list, or a
/// MAVProxy fence list, told apart by the first line.
pub fn parse_any(text: &str) -> Result<Plan, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some((_, first)) = lines(text).next() else {
        return Err(ParseError::Format(
            "empty file: expected a \"QGC WPL 110\" header".into(),
        ));
    };
    if first.starts_with("QGC WPL") {
        parse_wpl(text)
    } else if first.starts_with("RALLY") {
        Ok(Plan {
            rally_points: parse_rally_list(text)?,
            ..Plan::default()
        })
    } else {
        Ok(Plan {
            fence: parse_fence_list(text)?,
            ..Plan::default()
        })
    }
}

/// One parsed WPL line.
struct WplLine {
    line: usize,
    current: bool,
    params: ItemParams,
}

fn parse_number<T: std::str::FromStr>(
    field: &str,
    line: usize,
    name: &str,
) -> Result<T, ParseError> {
    field.parse().map_err(|_| {
        line_err(
            line,
            format!("field {name}: expected a number, found {field:?}"),
        )
    })
}

fn parse_wpl_line(l: &str, line: usize) -> Result<WplLine, ParseError> {
    let mut fields: Vec<&str> = l.split('\t').map(str::trim).collect();
    if fields.len() != 12 {
        fields = l.split_whitespace().collect();
    }
    if fields.len() != 12 {
        return Err(line_err(
            line,
            format!(
                "expected 12 tab-separated fields (seq current frame command p1 p2 p3 p4 lat lon alt autocontinue), found {}",
                fields.len()
            ),
        ));
    }
    let _seq: u32 = parse_number(fields[0], line, "seq")?;
    let current: u8 = parse_number(fields[1], line, "current")?;
    let frame: u8 = parse_number(fields[2], line, "frame")?;
    let command: u16 = parse_number(fields[3], line, "command")?;
    let names = ["p1", "p2", "p3", "p4", "lat", "lon", "alt"];
    let mut params = [0.0; 7];
    for (i, p) in params.iter_mut().enumerate() {
        *p = parse_number(fields[4 + i], line, names[i])?;
    }
    let autocontinue: f64 = parse_number(fields[11], line, "autocontinue")?;
    Ok(WplLine {
        line,
        current: current != 0,
        params: ItemParams {
            command,
            frame,
            autocontinue: autocontinue != 0.0,
            params,
        },
    })
}

/// Reads a `QGC WPL 110` file.
pub fn parse_wpl(text: &str) -> Result<Plan, ParseError> {
    let mut it = lines(text);
    match it.next() {
        Some((_, h)) if h.split_whitespace().eq(HEADER.split_whitespace()) => {}
        Some((n, h)) => {
            return Err(line_err(
                n,
                format!("expected header \"{HEADER}\", found {h:?}"),
            ));
        }
        None => return Err(ParseError::Format("empty file".into())),
    }
    let items = it
        .map(|(n, l)| parse_wpl_line(l, n))
        .collect::<Result<Vec<_>, _>>()?;
    let is_fence = |c: u16| (5000..5100).contains(&c);
    let mut plan = Plan::default();
    if !items.is_empty() && items.iter().all(|w| is_fence(w.params.command)) {
        let params: Vec<_> = items.iter().map(|w| w.params).collect();
        plan.fence =
            mavlink::fence_from_params(&params).map_err(|e| ParseError::Format(e.to_string()))?;
    } else if !items.is_empty() && items.iter().all(|w| w.params.command == cmd::RALLY_POINT) {
        let params: Vec<_> = items.iter().map(|w| w.params).collect();
        plan.rally_points =
            mavlink::rally_from_params(&params).map_err(|e| ParseError::Format(e.to_string()))?;
    } else {
        if let Some(w) = items
            .iter()
            .find(|w| is_fence(w.params.command) || w.params.command == cmd::RALLY_POINT)
        {
            return Err(line_err(
                w.line,
                format!(
                    "fence/rally command {} in a mission list; a WPL file holds one list",
                    w.params.command
                ),
            ));
        }
        let params: Vec<_> = items.iter().map(|w| (w.params, w.current)).collect();
        plan.mission = mavlink::mission_from_params(&params, true);
    }
    Ok(plan)
}

/// Row 0 of a mission written without a known home. QGroundControl and Mission
/// Planner always take row 0 as home and would drop the first real item otherwise;
/// both replace a 0, 0, 0 home with the vehicle's (QGroundControl writes the same
/// `[0, 0, 0]` as a `.plan`'s unknown planned home, and it reads back as such).
pub const PLACEHOLDER_HOME: Home = Home {
    position: LatLon::new(0.0, 0.0),
    alt_amsl_m: 0.0,
};

fn fmt(x: f64) -> String {
    format!("{x}")
}

fn write_lines(items: &[(ItemParams, bool)]) -> String {
    let mut s = String::from(HEADER);
    s.push('\n');
    for (seq, (p, current)) in items.iter().enumerate() {
        let fields: Vec<String> = [
            seq.to_string(),
            u8::from(*current).to_string(),
            p.frame.to_string(),
            p.command.to_string(),
        ]
        .into_iter()
        .chain(p.params.iter().map(|x| fmt(*x)))
        .chain(std::iter::once(u8::from(p.autocontinue).to_string()))
        .collect();
        s.push_str(&fields.join("\t"));
        s.push('\n');
    }
    s
}

/// Writes the one non-empty list of `plan` as `QGC WPL 110` (LF line ends).
pub fn write_plan(plan: &Plan) -> Result<String, ParseError> {
    let has_mission = plan.mission.home.is_some() || !plan.mission.items.is_empty();
    let has_fence = !plan.fence.is_empty();
    let has_rally = !plan.rally_points.is_empty();
    if [has_mission, has_fence, has_rally]
        .iter()
        .filter(|b| **b)
        .count()
        > 1
    {
        return Err(ParseError::Format(
            "a QGC WPL file holds one list, but this plan has more than one of mission, fence and rally points; write a .plan, or split them".into(),
        ));
    }
    if has_fence {
        let items: Vec<_> = mavlink::fence_to_params(&plan.fence)
            .into_iter()
            .map(|p| (p, false))
            .collect();
        return Ok(write_lines(&items));
    }
    if has_rally {
        let items: Vec<_> = mavlink::rally_to_params(&plan.rally_points)
            .into_iter()
            .map(|p| (p, false))
            .collect();
        return Ok(write_lines(&items));
    }
    let m = &plan.mission;
    if let Some((i, _)) =
        m.items.iter().enumerate().find(|(_, it)| {
            it.position().is_some() && it.altitude().is_some_and(|a| a.alt_m.is_nan())
        })
    {
        return Err(ParseError::Format(format!(
            "mission item seq {} has no altitude (QGroundControl's \"calculated above terrain\" not yet computed); a WPL file needs one: open and save the plan in QGroundControl first",
            m.seq_of(i)
        )));
    }
    if m.home.is_none() && !m.items.is_empty() {
        let mut with_home = m.clone();
        // Adding a home only shifts seqs up: it cannot fail.
        let _ = with_home.set_home(Some(PLACEHOLDER_HOME));
        return Ok(write_lines(&mavlink::mission_to_params(&with_home)));
    }
    Ok(write_lines(&mavlink::mission_to_params(m)))
}

fn lat_lon_fields(fields: &[&str], line: usize) -> Result<LatLon, ParseError> {
    let lat: f64 = parse_number(fields[0], line, "lat")?;
    let lon: f64 = parse_number(fields[1], line, "lon")?;
    Ok(LatLon::new(lat, lon))
}

/// Reads a MAVProxy fence list: the breach return point, then the polygon's
/// vertices with the first repeated at the end.
pub fn parse_fence_list(text: &str) -> Result<GeoFence, ParseError> {
    let mut points = Vec::new();
    for (n, l) in lines(text) {
        if l.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = l.split_whitespace().collect();
        if fields.len() != 2 {
            return Err(line_err(
                n,
                format!(
                    "expected \"LAT LON\" (a MAVProxy fence list), found {} fields",
                    fields.len()
                ),
            ));
        }
        points.push(lat_lon_fields(&fields, n)?);
    }
    if points.len() < 4 {
        return Err(ParseError::Format(format!(
            "a MAVProxy fence list needs a return point and at least 3 vertices, found {} points",
            points.len()
        )));
    }
    let mut vertices = points.split_off(1);
    if vertices.len() > 3 && vertices.first() == vertices.last() {
        vertices.pop();
    }
    Ok(GeoFence {
        breach_return: Some((points[0], 0.0)),
        polygons: vec![FencePolygon {
            vertices,
            inclusion: true,
        }],
        ..GeoFence::default()
    })
}

/// Reads a MAVProxy rally list (`RALLY lat lon alt break_alt land_dir flags`).
pub fn parse_rally_list(text: &str) -> Result<Vec<RallyPoint>, ParseError> {
    lines(text)
        .filter(|(_, l)| !l.starts_with('#'))
        .map(|(n, l)| {
            let fields: Vec<&str> = l.split_whitespace().collect();
            if fields.first() != Some(&"RALLY") || fields.len() < 4 {
                return Err(line_err(
                    n,
                    "expected \"RALLY LAT LON ALT [BREAK_ALT LAND_DIR FLAGS]\"",
                ));
            }
            let p = lat_lon_fields(&fields[1..3], n)?;
            let alt: f64 = parse_number(fields[3], n, "alt")?;
            Ok(RallyPoint::new(p, alt))
        })
        .collect()
}
