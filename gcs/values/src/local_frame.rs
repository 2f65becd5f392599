//! The one local projection: metres east and north of an origin, azimuthal
//! equidistant on the WGS 84 ellipsoid through `geo`'s geodesics (Karney).
//!
//! Exists so the map (gcs-scene's frame, with its floating render origin) and the
//! planner (survey lines laid out in metres) project through the same function:
//! distance and bearing from the origin are exact geodesics, so a country-sized
//! frame (Niger: ~1,800 km) keeps scale errors under about 1 %, and a survey's few
//! kilometres are exact to the millimetre.

use geo::{Bearing, Destination, Distance, Geodesic, Point};

use crate::LatLon;

/// Below this distance from the origin, metres, a point is the origin (the bearing
/// of a zero-length geodesic is undefined).
const AT_ORIGIN_M: f64 = 1e-6;

/// An east/north plane in metres around `origin` (azimuthal equidistant, ellipsoidal).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalFrame {
    origin: LatLon,
}

impl LocalFrame {
    /// A frame centred on `origin` (choose the centre of the area of interest).
    pub const fn new(origin: LatLon) -> Self {
        Self { origin }
    }

    /// The frame's origin, `(0, 0)`.
    pub const fn origin(&self) -> LatLon {
        self.origin
    }

    /// `(east_m, north_m)` of `p`: the geodesic from the origin, laid out along its
    /// initial bearing.
    pub fn to_east_north(&self, p: LatLon) -> (f64, f64) {
        let (o, q) = (point(self.origin), point(p));
        let d = Geodesic.distance(o, q);
        if d < AT_ORIGIN_M {
            return (0.0, 0.0);
        }
        let az = Geodesic.bearing(o, q).to_radians();
        (d * az.sin(), d * az.cos())
    }

    /// The position `east_m` east and `north_m` north of the origin (the inverse of
    /// [`LocalFrame::to_east_north`]).
    pub fn to_lat_lon(&self, east_m: f64, north_m: f64) -> LatLon {
        let d = east_m.hypot(north_m);
        if d < AT_ORIGIN_M {
            return self.origin;
        }
        let az = east_m.atan2(north_m).to_degrees();
        let q = Geodesic.destination(point(self.origin), az, d);
        LatLon::new(q.y(), q.x())
    }
}

/// `geo`'s point for a position (x = longitude).
fn point(p: LatLon) -> Point<f64> {
    Point::new(p.lon_deg, p.lat_deg)
}

#[cfg(test)]
mod tests {
    use super::*;

    const AGADEZ: LatLon = LatLon::new(16.9742, 7.9865);

    #[test]
    fn origin_axes_and_round_trip() {
        let f = LocalFrame::new(AGADEZ);
        assert_eq!(f.to_east_north(AGADEZ), (0.0, 0.0));
        assert_eq!(f.to_lat_lon(0.0, 0.0), AGADEZ);
        let (e, n) = f.to_east_north(LatLon::new(AGADEZ.lat_deg + 0.01, AGADEZ.lon_deg));
        assert!(n > 1100.0 && e.abs() < 1e-6, "{e} {n}");
        for (de, dn) in [(1234.5, -987.0), (-300_000.0, 450_000.0), (5.0, 0.0)] {
            let p = f.to_lat_lon(de, dn);
            let (e, n) = f.to_east_north(p);
            assert!(
                (e - de).abs() < 1e-6 && (n - dn).abs() < 1e-6,
                "{de},{dn} -> {e},{n}"
            );
        }
    }

    #[test]
    fn distance_from_the_origin_is_the_ellipsoidal_geodesic() {
        let niamey = LatLon::new(13.5116, 2.1254);
        let (e, n) = LocalFrame::new(AGADEZ).to_east_north(niamey);
        let geodesic = Geodesic.distance(point(AGADEZ), point(niamey));
        assert!((e.hypot(n) - geodesic).abs() < 1e-6);
        assert!(e < 0.0 && n < 0.0);
    }
}
