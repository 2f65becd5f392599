//! The uploaded geofence and rally points as the vehicle uses them: breach checks for
//! `GF_ACTION`, and the closest safe point for Return.

use gcs_link::mission::MissionItemInt;
use geo::{Contains, Coord, Distance, Haversine, LineString, Point, Polygon};
use vigil_values::LatLon;

/// Fence zones from a FENCE list (commands 5001-5004).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Geofence {
    inclusion: Vec<Polygon<f64>>,
    exclusion: Vec<Polygon<f64>>,
    /// (centre, radius m)
    inclusion_circles: Vec<(LatLon, f64)>,
    exclusion_circles: Vec<(LatLon, f64)>,
}

impl Geofence {
    /// Builds zones from FENCE items: polygon vertices come in runs of `param1` items.
    pub fn from_items(items: &[MissionItemInt]) -> Self {
        let mut fence = Self::default();
        let mut i = 0;
        while i < items.len() {
            let it = &items[i];
            match it.command {
                5001 | 5002 => {
                    let n = (it.param1.max(0.0) as usize).max(1);
                    let ring: Vec<Coord<f64>> = items[i..(i + n).min(items.len())]
                        .iter()
                        .map(|v| {
                            let p = LatLon::from_deg_e7(v.x, v.y);
                            Coord {
                                x: p.lon_deg,
                                y: p.lat_deg,
                            }
                        })
                        .collect();
                    if ring.len() >= 3 {
                        let poly = Polygon::new(LineString::from(ring), vec![]);
                        if it.command == 5001 {
                            fence.inclusion.push(poly);
                        } else {
                            fence.exclusion.push(poly);
                        }
                    }
                    i += n;
                }
                5003 | 5004 => {
                    let c = (LatLon::from_deg_e7(it.x, it.y), f64::from(it.param1));
                    if it.command == 5003 {
                        fence.inclusion_circles.push(c);
                    } else {
                        fence.exclusion_circles.push(c);
                    }
                    i += 1;
                }
                _ => i += 1,
            }
        }
        fence
    }

    /// Whether there is any zone.
    pub fn is_empty(&self) -> bool {
        self.inclusion.is_empty()
            && self.exclusion.is_empty()
            && self.inclusion_circles.is_empty()
            && self.exclusion_circles.is_empty()
    }

    /// Whether `p` is outside every inclusion zone (when there are some) or inside an exclusion zone.
    pub fn breached(&self, p: LatLon) -> bool {
        let pt = Point::new(p.lon_deg, p.lat_deg);
        let in_circle =
            |(c, r): &(LatLon, f64)| Haversine.distance(Point::new(c.lon_deg, c.lat_deg), pt) <= *r;
        let has_inclusion = !self.inclusion.is_empty() || !self.inclusion_circles.is_empty();
        let inside_inclusion = self.inclusion.iter().any(|poly| poly.contains(&pt))
            || self.inclusion_circles.iter().any(in_circle);
        let inside_exclusion = self.exclusion.iter().any(|poly| poly.contains(&pt))
            || self.exclusion_circles.iter().any(in_circle);
        (has_inclusion && !inside_inclusion) || inside_exclusion
    }
}

/// Rally points (command 5100) as positions.
pub fn rally_points(items: &[MissionItemInt]) -> Vec<LatLon> {
    items
        .iter()
        .filter(|i| i.command == 5100)
        .map(|i| LatLon::from_deg_e7(i.x, i.y))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use gcs_link::mission::MissionType;

    fn vertex(seq: u16, command: u16, n: f32, lat: f64, lon: f64) -> MissionItemInt {
        let (x, y) = LatLon::new(lat, lon).to_deg_e7();
        MissionItemInt {
            seq,
            frame: 0,
            command,
            current: 0,
            autocontinue: 1,
            param1: n,
            param2: 0.0,
            param3: 0.0,
            param4: 0.0,
            x,
            y,
            z: 0.0,
            mission_type: MissionType::Fence,
        }
    }

    #[test]
    fn inclusion_polygon_and_exclusion_circle() {
        let items = vec![
            vertex(0, 5001, 4.0, 17.0, 7.9),
            vertex(1, 5001, 4.0, 17.0, 8.1),
            vertex(2, 5001, 4.0, 16.9, 8.1),
            vertex(3, 5001, 4.0, 16.9, 7.9),
            vertex(4, 5004, 500.0, 16.95, 8.0),
        ];
        let f = Geofence::from_items(&items);
        assert!(!f.breached(LatLon::new(16.98, 7.95)), "inside the polygon");
        assert!(f.breached(LatLon::new(17.05, 7.95)), "outside the polygon");
        assert!(
            f.breached(LatLon::new(16.95, 8.0)),
            "inside the exclusion circle"
        );
        assert!(Geofence::default().is_empty());
    }
}
