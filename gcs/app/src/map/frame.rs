//! The map frame and the floating origin, as Bevy sees them.
//!
//! Exists so every entity on the map is placed the same way: its position is kept in
//! f64 frame metres ([`Anchored`]) and its `Transform` is recomputed relative to a
//! render origin that follows the camera, so f32 never has to hold a country-sized
//! coordinate. Bevy axes: x = east, y = up (exaggerated), z = south.

use bevy::prelude::*;
use gcs_link::LatLon;
use gcs_scene::{Enu, LocalFrame};

use crate::map::sets::PlaceAnchored;

/// The camera target may drift this far from the render origin before it is moved.
pub const REBASE_DISTANCE_M: f64 = 20_000.0;

/// The projection, the render origin and the relief exaggeration.
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub struct MapFrame {
    /// WGS84 to frame metres.
    pub frame: LocalFrame,
    /// The frame point at the render (Bevy) origin; its height is always 0.
    pub origin: Enu,
    /// Relief exaggeration applied to every height.
    pub vertical_scale: f64,
}

impl MapFrame {
    /// A frame around `centre` with the render origin there.
    pub fn new(centre: LatLon, vertical_scale: f64) -> Self {
        Self {
            frame: LocalFrame::new(centre),
            origin: Enu::default(),
            vertical_scale,
        }
    }

    /// Where a frame point is drawn.
    pub fn render(&self, e: Enu) -> Vec3 {
        let [x, y, z] = e.relative_to(&self.origin, self.vertical_scale);
        Vec3::new(x, z, -y)
    }

    /// Where a WGS84 position at a height above mean sea level is drawn.
    pub fn render_geo(&self, p: LatLon, alt_amsl_m: f64) -> Vec3 {
        self.render(self.frame.to_enu(p, alt_amsl_m))
    }

    /// The frame point drawn at `v` (inverse of [`MapFrame::render`]).
    pub fn enu_of(&self, v: Vec3) -> Enu {
        Enu::new(
            self.origin.east_m + f64::from(v.x),
            self.origin.north_m - f64::from(v.z),
            f64::from(v.y) / self.vertical_scale,
        )
    }

    /// Moves the render origin under `focus` if it drifted more than
    /// [`REBASE_DISTANCE_M`]; returns whether it moved.
    pub fn rebase_near(&mut self, focus: Enu) -> bool {
        if self.origin.horizontal_distance_m(&focus) <= REBASE_DISTANCE_M {
            return false;
        }
        self.origin = Enu::new(focus.east_m, focus.north_m, 0.0);
        true
    }
}

/// An entity placed at a frame point: its translation follows the render origin.
#[derive(Component, Debug, Clone, Copy, PartialEq)]
pub struct Anchored(pub Enu);

/// Keeps anchored transforms in step with the floating origin.
pub(crate) fn plugin(app: &mut App) {
    app.add_systems(
        PostUpdate,
        place_anchored
            .in_set(PlaceAnchored)
            .before(TransformSystems::Propagate),
    );
}

fn place_anchored(map: Res<MapFrame>, mut moved: Query<(Ref<Anchored>, &mut Transform)>) {
    let all = map.is_changed();
    for (anchor, mut t) in &mut moved {
        if all || anchor.is_changed() {
            t.translation = map.render(anchor.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_and_back_far_from_the_centre() {
        let mut m = MapFrame::new(LatLon::new(17.5, 8.25), 3.0);
        let diffa = LatLon::new(13.3154, 12.6113);
        let e = m.frame.to_enu(diffa, 300.0);
        assert!(m.rebase_near(e));
        let v = m.render(e);
        assert!(
            v.x.abs() < 1e-3 && v.z.abs() < 1e-3 && (v.y - 900.0).abs() < 1e-3,
            "{v}"
        );
        let north = Enu::new(e.east_m, e.north_m + 100.0, 400.0);
        let v = m.render(north);
        assert_eq!(v, Vec3::new(0.0, 1200.0, -100.0));
        let back = m.enu_of(v);
        assert!((back.north_m - north.north_m).abs() < 1e-6 && (back.up_m - 400.0).abs() < 1e-6);
        let e = m.enu_of(m.render_geo(diffa, 300.0));
        let (ll, h) = (m.frame.to_lat_lon(e.east_m, e.north_m), e.up_m);
        assert!((ll.lat_deg - diffa.lat_deg).abs() < 1e-7 && (h - 300.0).abs() < 1e-3);
        assert!(!m.rebase_near(north));
    }

    #[test]
    fn anchored_entities_follow_a_rebase() {
        let mut app = App::new();
        app.add_plugins((MinimalPlugins, TransformPlugin, plugin));
        let map = MapFrame::new(LatLon::new(17.5, 8.25), 1.0);
        app.insert_resource(map);
        let e = app
            .world_mut()
            .spawn((
                Anchored(Enu::new(50_000.0, 0.0, 10.0)),
                Transform::default(),
            ))
            .id();
        app.update();
        let t = app.world().get::<Transform>(e).unwrap().translation;
        assert_eq!(t, Vec3::new(50_000.0, 10.0, 0.0));
        app.world_mut()
            .resource_mut::<MapFrame>()
            .rebase_near(Enu::new(50_000.0, 0.0, 0.0));
        app.update();
        let t = app.world().get::<Transform>(e).unwrap().translation;
        assert_eq!(t, Vec3::new(0.0, 10.0, 0.0));
    }
}
