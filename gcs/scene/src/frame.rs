//! The map's local frame: metres East-North-Up around an origin, and a floating origin
//! for rendering.
//!
//! Exists so every position on the map (terrain, layers, drones, plans) goes through
//! one projection, computed in f64 with `geo`'s geodesics (Karney), and becomes f32
//! only relative to a render origin near the camera, where f32 keeps centimetres.
//!
//! The projection is the workspace's one local projection,
//! `vigil_values::local_frame` (re-exported by mission-planner, whose survey lines are
//! laid out in it too): azimuthal equidistant around the origin, distance and bearing
//! from the origin exact geodesics, so a country-sized map (Niger: ~1,800 km) keeps
//! scale errors under about 1 %. "Up" is height above mean sea level: the map is a
//! projected 3D map (as QGIS 3D and QGroundControl draw it), not a tangent plane.

use mission_planner::LatLon;
use mission_planner::local_frame::LocalFrame as Projection;

/// A position in the map frame, metres.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Enu {
    /// East of the origin, metres.
    pub east_m: f64,
    /// North of the origin, metres.
    pub north_m: f64,
    /// Above mean sea level, metres.
    pub up_m: f64,
}

impl Enu {
    /// A position from its three components, metres.
    pub const fn new(east_m: f64, north_m: f64, up_m: f64) -> Self {
        Self {
            east_m,
            north_m,
            up_m,
        }
    }

    /// Horizontal distance to `other`, metres.
    pub fn horizontal_distance_m(&self, other: &Enu) -> f64 {
        (self.east_m - other.east_m).hypot(self.north_m - other.north_m)
    }

    /// This position relative to a render origin, in f32 (east, north, up), with the
    /// height multiplied by `vertical_scale` (terrain relief exaggeration).
    ///
    /// Exists so f32 is only ever used for small offsets near the camera.
    pub fn relative_to(&self, origin: &Enu, vertical_scale: f64) -> [f32; 3] {
        [
            (self.east_m - origin.east_m) as f32,
            (self.north_m - origin.north_m) as f32,
            ((self.up_m - origin.up_m) * vertical_scale) as f32,
        ]
    }
}

/// The projection between WGS84 and the map frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalFrame {
    projection: Projection,
}

impl LocalFrame {
    /// A frame centred on `origin` (choose the centre of the area of interest).
    pub fn new(origin: LatLon) -> Self {
        Self {
            projection: Projection::new(origin),
        }
    }

    /// The frame's origin.
    pub fn origin(&self) -> LatLon {
        self.projection.origin()
    }

    /// Projects a WGS84 position and its height above mean sea level.
    pub fn to_enu(&self, p: LatLon, alt_amsl_m: f64) -> Enu {
        let (east_m, north_m) = self.projection.to_east_north(p);
        Enu::new(east_m, north_m, alt_amsl_m)
    }

    /// The WGS84 position under a map-frame point (the height is ignored).
    pub fn to_lat_lon(&self, east_m: f64, north_m: f64) -> LatLon {
        self.projection.to_lat_lon(east_m, north_m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Distance, Geodesic, Point};
    use proptest::prelude::*;

    fn point(p: LatLon) -> Point<f64> {
        Point::new(p.lon_deg, p.lat_deg)
    }

    const AGADEZ: LatLon = LatLon::new(16.9742, 7.9865);

    #[test]
    fn origin_maps_to_zero_and_back() {
        let f = LocalFrame::new(AGADEZ);
        let e = f.to_enu(AGADEZ, 520.0);
        assert_eq!(e, Enu::new(0.0, 0.0, 520.0));
        assert_eq!(f.to_lat_lon(0.0, 0.0), AGADEZ);
    }

    #[test]
    fn axes_point_east_and_north() {
        let f = LocalFrame::new(AGADEZ);
        let north = f.to_enu(LatLon::new(AGADEZ.lat_deg + 0.01, AGADEZ.lon_deg), 0.0);
        assert!(
            north.north_m > 1100.0 && north.east_m.abs() < 1e-6,
            "{north:?}"
        );
        let east = f.to_enu(LatLon::new(AGADEZ.lat_deg, AGADEZ.lon_deg + 0.01), 0.0);
        assert!(east.east_m > 1000.0 && east.north_m.abs() < 1.0, "{east:?}");
    }

    #[test]
    fn distance_from_origin_is_the_geodesic() {
        // Niamey is ~750 km south-west of Agadez.
        let niamey = LatLon::new(13.5116, 2.1254);
        let f = LocalFrame::new(AGADEZ);
        let e = f.to_enu(niamey, 0.0);
        let geodesic = Geodesic.distance(point(AGADEZ), point(niamey));
        assert!((e.east_m.hypot(e.north_m) - geodesic).abs() < 1e-6);
        assert!(e.east_m < 0.0 && e.north_m < 0.0);
    }

    #[test]
    fn the_map_and_the_planner_share_one_projection() {
        // The planner's survey frame (mission_planner::geodesy::LocalFrame) and the
        // map's agree to the bit: one implementation.
        let planner = mission_planner::geodesy::LocalFrame::new(AGADEZ);
        let map = LocalFrame::new(AGADEZ);
        for p in [
            LatLon::new(13.5116, 2.1254),
            LatLon::new(17.1, 8.2),
            LatLon::new(-8.05, -34.9),
        ] {
            let (e, n) = planner.to_east_north(p);
            assert_eq!(map.to_enu(p, 0.0), Enu::new(e, n, 0.0));
            assert_eq!(map.to_lat_lon(e, n), planner.to_lat_lon(e, n));
        }
    }

    #[test]
    fn relative_to_keeps_small_offsets_exact_far_from_the_origin() {
        let a = Enu::new(900_000.123, -700_000.456, 500.0);
        let b = Enu::new(900_010.123, -700_005.456, 520.0);
        let r = b.relative_to(&a, 3.0);
        assert_eq!(r, [10.0, -5.0, 60.0]);
    }

    proptest! {
        #[test]
        fn round_trip_within_a_millimetre(
            dlat in -9.0f64..9.0, dlon in -9.0f64..9.0, alt in -400.0f64..9000.0,
        ) {
            let f = LocalFrame::new(AGADEZ);
            let p = LatLon::new(AGADEZ.lat_deg + dlat, AGADEZ.lon_deg + dlon);
            let e = f.to_enu(p, alt);
            prop_assert_eq!(e.up_m, alt);
            let back = f.to_lat_lon(e.east_m, e.north_m);
            let err = Geodesic.distance(point(p), point(back));
            prop_assert!(err < 1e-3, "{p:?} -> {e:?} -> {back:?}: {err} m");
        }
    }
}
