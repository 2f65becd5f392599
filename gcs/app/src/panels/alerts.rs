//! Alerts: link lost, low battery, geofence breach and STATUSTEXT of warning severity
//! or worse, listed until the operator acknowledges them.
//!
//! Exists as the shell over gcs-scene's tested [`AlertBook`]: one system feeds it fleet
//! events and snapshots; the panel lists and acknowledges.

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::egui;
use gcs_scene::alerts::AlertBook;

use crate::link::{Fleet, FleetEvent};
use gcs_operator::fleet_rows::callsign;

/// The operator's alerts.
#[derive(Resource, Default)]
pub struct Alerts(pub AlertBook);

/// Feeds the alert book.
pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Alerts>()
        .add_systems(Update, raise_alerts);
}

fn raise_alerts(
    fleet: Res<Fleet>,
    time: Res<Time>,
    mut events: MessageReader<FleetEvent>,
    mut alerts: ResMut<Alerts>,
) {
    let now = time.elapsed_secs_f64();
    for FleetEvent(e) in events.read() {
        alerts.0.on_event(e, now);
    }
    if fleet.is_changed() {
        alerts.0.on_snapshot(&fleet.0, now);
    }
}

/// What the alerts panel reads and changes.
#[derive(SystemParam)]
pub struct AlertsPanel<'w> {
    alerts: ResMut<'w, Alerts>,
    time: Res<'w, Time>,
}

impl AlertsPanel<'_> {
    /// Draws the panel.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let now = self.time.elapsed_secs_f64();
        let open = self.alerts.0.unacknowledged().count();
        ui.horizontal(|ui| {
            ui.heading(format!("Alerts ({open} to acknowledge)"));
            if open > 0 && ui.button("Acknowledge all").clicked() {
                self.alerts.0.acknowledge_all();
            }
        });
        let mut ack = None;
        egui::ScrollArea::vertical().show(ui, |ui| {
            for a in self.alerts.0.all().iter().take(200) {
                ui.horizontal(|ui| {
                    let colour = if a.acknowledged {
                        egui::Color32::GRAY
                    } else if a.active {
                        egui::Color32::from_rgb(255, 80, 60)
                    } else {
                        egui::Color32::from_rgb(240, 200, 40)
                    };
                    ui.colored_label(
                        colour,
                        format!(
                            "{:>6.0} s ago · {} · {}{}",
                            (now - a.raised_at_s).max(0.0),
                            callsign(a.vehicle),
                            a.kind.text(),
                            if a.active { "" } else { " (cleared)" }
                        ),
                    );
                    if !a.acknowledged && ui.small_button("Acknowledge").clicked() {
                        ack = Some(a.id);
                    }
                });
            }
        });
        if let Some(id) = ack {
            self.alerts.0.acknowledge(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::fake;
    use gcs_link::{Event, VehicleId};

    #[test]
    fn link_lost_events_raise_an_alert() {
        let (far, link) = fake::link();
        let mut app = App::new();
        app.add_plugins((MinimalPlugins, link, plugin));
        let id = VehicleId {
            sysid: 2,
            compid: 1,
        };
        far.events.try_send(Event::LinkLost(id)).unwrap();
        app.update();
        app.update();
        let alerts = app.world().resource::<Alerts>();
        let open: Vec<_> = alerts.0.unacknowledged().collect();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].vehicle, id);
    }
}
