//! The operator's alert list: what needs attention, per vehicle, until acknowledged.

use gcs_link::{Event, FleetSnapshot, Severity, VehicleId};

/// Alerts kept at most; beyond it the oldest acknowledged ones are dropped first.
pub const MAX_ALERTS: usize = 500;

/// Battery levels that raise alerts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlertThresholds {
    /// At or below this remaining charge a low-battery alert is raised, percent.
    pub low_battery_pct: f64,
    /// At or below this remaining charge a critical-battery alert is raised, percent.
    pub critical_battery_pct: f64,
    /// A battery alert clears only once the charge is this far above its threshold,
    /// percent, so a reading hovering at the threshold does not raise it repeatedly.
    pub hysteresis_pct: f64,
}

impl Default for AlertThresholds {
    fn default() -> Self {
        Self {
            low_battery_pct: 30.0,
            critical_battery_pct: 15.0,
            hysteresis_pct: 5.0,
        }
    }
}

/// What an alert is about.
#[derive(Debug, Clone, PartialEq)]
pub enum AlertKind {
    /// No HEARTBEAT from the vehicle on any link.
    LinkLost,
    /// Battery at or below the low threshold.
    LowBattery {
        /// Remaining charge when the alert was raised, percent.
        remaining_pct: f64,
    },
    /// Battery at or below the critical threshold.
    CriticalBattery,
    /// The vehicle reported a geofence violation (STATUSTEXT).
    GeofenceBreach,
    /// A STATUSTEXT of warning severity or worse.
    StatusText {
        /// Its severity.
        severity: Severity,
        /// Its text.
        text: String,
    },
}

impl AlertKind {
    /// The alert as the operator reads it, with units, e.g. "battery low: 24 %".
    pub fn text(&self) -> String {
        match self {
            Self::LinkLost => "link lost: no heartbeat".to_owned(),
            Self::LowBattery { remaining_pct } => format!("battery low: {remaining_pct:.0} %"),
            Self::CriticalBattery => "battery critical: land now".to_owned(),
            Self::GeofenceBreach => "geofence breach".to_owned(),
            Self::StatusText { severity, text } => format!("{}: {text}", severity_name(*severity)),
        }
    }

    /// How serious it is (for colour and sound): STATUSTEXT keeps its own severity.
    pub fn severity(&self) -> Severity {
        match self {
            Self::LowBattery { .. } => Severity::Warning,
            Self::LinkLost | Self::CriticalBattery | Self::GeofenceBreach => Severity::Critical,
            Self::StatusText { severity, .. } => *severity,
        }
    }

    /// Whether the condition is one the book sees end (link regained, battery back up);
    /// other alerts stay active until acknowledged.
    fn has_end(&self) -> bool {
        matches!(
            self,
            Self::LinkLost | Self::LowBattery { .. } | Self::CriticalBattery
        )
    }

    /// Whether two alerts are about the same thing (one stays active at a time).
    fn same_class(&self, other: &Self) -> bool {
        match (self, other) {
            (
                Self::StatusText { severity, text },
                Self::StatusText {
                    severity: s2,
                    text: t2,
                },
            ) => severity == s2 && text == t2,
            _ => std::mem::discriminant(self) == std::mem::discriminant(other),
        }
    }
}

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Emergency => "emergency",
        Severity::Alert => "alert",
        Severity::Critical => "critical",
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Notice => "notice",
        Severity::Info => "info",
        Severity::Debug => "debug",
    }
}

/// One alert in the operator's list.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// Unique within the book, increasing with time.
    pub id: u64,
    /// The vehicle it is about.
    pub vehicle: VehicleId,
    /// What it is about.
    pub kind: AlertKind,
    /// When it was raised, app clock seconds.
    pub raised_at_s: f64,
    /// Whether the operator has acknowledged it.
    pub acknowledged: bool,
    /// Whether the condition still holds (for one-off reports: until acknowledged).
    pub active: bool,
}

/// The operator's alert list, newest first.
///
/// Exists so link loss, low battery, geofence breaches and autopilot warnings reach
/// the operator once each, stay visible until acknowledged, and do not flood the list
/// while a condition persists or a reading hovers at a threshold.
#[derive(Debug, Clone, Default)]
pub struct AlertBook {
    thresholds: AlertThresholds,
    /// Newest first.
    alerts: Vec<Alert>,
    next_id: u64,
}

impl AlertBook {
    /// An empty book raising battery alerts at `thresholds`.
    pub fn new(thresholds: AlertThresholds) -> Self {
        Self {
            thresholds,
            alerts: Vec::new(),
            next_id: 0,
        }
    }

    /// The battery thresholds in use.
    pub fn thresholds(&self) -> &AlertThresholds {
        &self.thresholds
    }

    /// Applies one fleet event at app time `now_s`.
    ///
    /// Link lost raises an alert and link regained ends it; a STATUSTEXT of warning or
    /// worse raises a geofence breach if its text mentions "geofence" (any case), else
    /// an alert carrying the text. Other events raise nothing.
    pub fn on_event(&mut self, e: &Event, now_s: f64) {
        match e {
            Event::LinkLost(v) => self.raise(*v, AlertKind::LinkLost, now_s),
            Event::LinkRegained(v) => self.end(*v, &AlertKind::LinkLost),
            Event::StatusText { vehicle, status } if status.severity.needs_attention() => {
                let kind = if status.text.to_lowercase().contains("geofence") {
                    AlertKind::GeofenceBreach
                } else {
                    AlertKind::StatusText {
                        severity: status.severity,
                        text: status.text.clone(),
                    }
                };
                self.raise(*vehicle, kind, now_s);
            }
            _ => {}
        }
    }

    /// Checks every vehicle's battery in a fleet snapshot at app time `now_s`.
    ///
    /// An alert is raised when the charge is at or below its threshold and ends once
    /// it is `hysteresis_pct` above it; while active it is not raised again.
    pub fn on_snapshot(&mut self, s: &FleetSnapshot, now_s: f64) {
        let t = self.thresholds;
        for v in s.vehicles.values() {
            let Some(pct) = v.battery.remaining_pct.filter(|p| p.is_finite()) else {
                continue;
            };
            let low = AlertKind::LowBattery { remaining_pct: pct };
            self.check_level(v.id, low, pct, t.low_battery_pct, now_s);
            let critical = AlertKind::CriticalBattery;
            self.check_level(v.id, critical, pct, t.critical_battery_pct, now_s);
        }
    }

    /// Raises `kind` at or below `threshold_pct`, ends it at hysteresis above it.
    fn check_level(
        &mut self,
        vehicle: VehicleId,
        kind: AlertKind,
        pct: f64,
        threshold_pct: f64,
        now_s: f64,
    ) {
        if pct <= threshold_pct {
            self.raise(vehicle, kind, now_s);
        } else if pct >= threshold_pct + self.thresholds.hysteresis_pct {
            self.end(vehicle, &kind);
        }
    }

    /// Adds an alert unless one of the same class is active for the vehicle.
    fn raise(&mut self, vehicle: VehicleId, kind: AlertKind, now_s: f64) {
        let duplicate = self
            .alerts
            .iter()
            .any(|a| a.active && a.vehicle == vehicle && a.kind.same_class(&kind));
        if duplicate {
            return;
        }
        self.next_id += 1;
        self.alerts.insert(
            0,
            Alert {
                id: self.next_id,
                vehicle,
                kind,
                raised_at_s: now_s,
                acknowledged: false,
                active: true,
            },
        );
        self.enforce_bound();
    }

    /// Marks the vehicle's active alerts of this class as no longer holding.
    fn end(&mut self, vehicle: VehicleId, kind: &AlertKind) {
        for a in &mut self.alerts {
            if a.active && a.vehicle == vehicle && a.kind.same_class(kind) {
                a.active = false;
            }
        }
    }

    /// Drops the oldest acknowledged alerts, then the oldest of all, beyond [`MAX_ALERTS`].
    fn enforce_bound(&mut self) {
        while self.alerts.len() > MAX_ALERTS {
            let oldest_acked = self.alerts.iter().rposition(|a| a.acknowledged);
            let index = oldest_acked.unwrap_or(self.alerts.len() - 1);
            self.alerts.remove(index);
        }
    }

    /// Acknowledges one alert; returns whether it exists. A one-off report (geofence,
    /// STATUSTEXT) stops being active when acknowledged.
    pub fn acknowledge(&mut self, id: u64) -> bool {
        match self.alerts.iter_mut().find(|a| a.id == id) {
            Some(a) => {
                acknowledge(a);
                true
            }
            None => false,
        }
    }

    /// Acknowledges every alert.
    pub fn acknowledge_all(&mut self) {
        self.alerts.iter_mut().for_each(acknowledge);
    }

    /// The alerts the operator has not acknowledged, newest first.
    pub fn unacknowledged(&self) -> impl Iterator<Item = &Alert> {
        self.alerts.iter().filter(|a| !a.acknowledged)
    }

    /// The alerts whose condition still holds, newest first.
    pub fn active(&self) -> impl Iterator<Item = &Alert> {
        self.alerts.iter().filter(|a| a.active)
    }

    /// The alert with this id.
    pub fn get(&self, id: u64) -> Option<&Alert> {
        self.alerts.iter().find(|a| a.id == id)
    }

    /// Every alert kept, newest first.
    pub fn all(&self) -> &[Alert] {
        &self.alerts
    }
}

fn acknowledge(a: &mut Alert) {
    a.acknowledged = true;
    if !a.kind.has_end() {
        a.active = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gcs_link::VehicleState;
    use gcs_link::vehicle::StatusText;

    const V1: VehicleId = VehicleId {
        sysid: 1,
        compid: 1,
    };
    const V2: VehicleId = VehicleId {
        sysid: 2,
        compid: 1,
    };

    fn battery(levels: &[(VehicleId, Option<f64>)]) -> FleetSnapshot {
        let mut s = FleetSnapshot::default();
        for (id, pct) in levels {
            let mut v = VehicleState::new(*id);
            v.battery.remaining_pct = *pct;
            s.vehicles.insert(*id, v);
        }
        s
    }

    fn text(vehicle: VehicleId, severity: Severity, text: &str) -> Event {
        Event::StatusText {
            vehicle,
            status: StatusText {
                severity,
                text: text.to_owned(),
            },
        }
    }

    fn kinds(book: &AlertBook) -> Vec<(VehicleId, AlertKind, bool)> {
        book.all()
            .iter()
            .map(|a| (a.vehicle, a.kind.clone(), a.active))
            .collect()
    }

    #[test]
    fn link_lost_raises_and_regained_ends_it() {
        let mut book = AlertBook::default();
        book.on_event(&Event::LinkLost(V1), 10.0);
        book.on_event(&Event::LinkLost(V1), 11.0);
        assert_eq!(book.all().len(), 1, "no duplicate while active");
        let a = &book.all()[0];
        assert_eq!(
            (a.kind.clone(), a.raised_at_s, a.active),
            (AlertKind::LinkLost, 10.0, true)
        );
        book.on_event(&Event::LinkRegained(V1), 12.0);
        assert!(!book.all()[0].active);
        assert!(
            !book.all()[0].acknowledged,
            "still to be seen by the operator"
        );
        // lost again: a new alert
        book.on_event(&Event::LinkLost(V1), 20.0);
        assert_eq!(book.all().len(), 2);
        assert_eq!(book.all()[0].raised_at_s, 20.0);
        // regaining another vehicle changes nothing
        book.on_event(&Event::LinkRegained(V2), 21.0);
        assert!(book.all()[0].active);
    }

    #[test]
    fn low_and_critical_battery_with_hysteresis() {
        let mut book = AlertBook::default();
        book.on_snapshot(&battery(&[(V1, Some(50.0)), (V2, None)]), 0.0);
        assert!(book.all().is_empty());
        book.on_snapshot(&battery(&[(V1, Some(30.0))]), 1.0);
        assert_eq!(
            kinds(&book),
            vec![(
                V1,
                AlertKind::LowBattery {
                    remaining_pct: 30.0
                },
                true
            )]
        );
        // hovering around the threshold: no new alert, and it stays active
        for (t, pct) in [(2.0, 31.0), (3.0, 29.0), (4.0, 34.0), (5.0, 30.0)] {
            book.on_snapshot(&battery(&[(V1, Some(pct))]), t);
        }
        assert_eq!(book.all().len(), 1);
        assert!(book.all()[0].active);
        // back above threshold + hysteresis: ends; dropping again raises anew
        book.on_snapshot(&battery(&[(V1, Some(35.0))]), 6.0);
        assert!(!book.all()[0].active);
        book.on_snapshot(&battery(&[(V1, Some(24.0))]), 7.0);
        assert_eq!(book.all().len(), 2);
        assert_eq!(book.all()[0].kind.text(), "battery low: 24 %");
        // critical
        book.on_snapshot(&battery(&[(V1, Some(15.0))]), 8.0);
        book.on_snapshot(&battery(&[(V1, Some(16.0))]), 9.0);
        book.on_snapshot(&battery(&[(V1, Some(14.0))]), 10.0);
        let critical: Vec<_> = book
            .all()
            .iter()
            .filter(|a| a.kind == AlertKind::CriticalBattery)
            .collect();
        assert_eq!(critical.len(), 1);
        assert!(critical[0].active);
        assert_eq!(critical[0].raised_at_s, 8.0);
        book.on_snapshot(&battery(&[(V1, Some(20.0))]), 11.0);
        assert!(book.active().all(|a| a.kind != AlertKind::CriticalBattery));
        assert!(
            book.active()
                .any(|a| matches!(a.kind, AlertKind::LowBattery { .. }))
        );
    }

    #[test]
    fn status_text_of_warning_or_worse_raises_once_while_unacknowledged() {
        let mut book = AlertBook::default();
        book.on_event(&text(V1, Severity::Info, "Takeoff detected"), 0.0);
        book.on_event(&text(V1, Severity::Notice, "Mission finished"), 0.0);
        assert!(book.all().is_empty());
        book.on_event(&text(V1, Severity::Critical, "Preflight Fail: baro"), 1.0);
        book.on_event(&text(V1, Severity::Critical, "Preflight Fail: baro"), 2.0);
        book.on_event(
            &text(V1, Severity::Warning, "Wind speed is above limit"),
            3.0,
        );
        book.on_event(&text(V2, Severity::Critical, "Preflight Fail: baro"), 4.0);
        assert_eq!(book.all().len(), 3);
        let a = book.all().last().unwrap();
        assert_eq!(a.kind.text(), "critical: Preflight Fail: baro");
        assert_eq!(a.kind.severity(), Severity::Critical);
        // once acknowledged, the same text raises a new alert
        let id = a.id;
        assert!(book.acknowledge(id));
        assert!(!book.get(id).unwrap().active);
        book.on_event(&text(V1, Severity::Critical, "Preflight Fail: baro"), 5.0);
        assert_eq!(book.all().len(), 4);
    }

    #[test]
    fn geofence_text_raises_a_breach() {
        let mut book = AlertBook::default();
        book.on_event(&text(V1, Severity::Critical, "Geofence violation"), 1.0);
        book.on_event(&text(V1, Severity::Warning, "geofence breach"), 2.0);
        book.on_event(
            &text(V2, Severity::Alert, "GEOFENCE: max distance exceeded"),
            3.0,
        );
        book.on_event(&text(V2, Severity::Info, "Geofence uploaded"), 4.0);
        assert_eq!(
            kinds(&book),
            vec![
                (V2, AlertKind::GeofenceBreach, true),
                (V1, AlertKind::GeofenceBreach, true),
            ]
        );
        assert_eq!(book.all()[0].kind.text(), "geofence breach");
    }

    #[test]
    fn acknowledge_one_and_all() {
        let mut book = AlertBook::default();
        book.on_event(&Event::LinkLost(V1), 1.0);
        book.on_event(&Event::LinkLost(V2), 2.0);
        book.on_snapshot(&battery(&[(V1, Some(10.0))]), 3.0);
        assert_eq!(book.unacknowledged().count(), 4);
        let newest = book.all()[0].id;
        assert!(book.acknowledge(newest));
        assert!(!book.acknowledge(9999));
        assert_eq!(book.unacknowledged().count(), 3);
        assert!(book.unacknowledged().all(|a| a.id != newest));
        // a condition alert stays active after acknowledgement
        assert!(book.get(newest).unwrap().active);
        book.acknowledge_all();
        assert_eq!(book.unacknowledged().count(), 0);
        assert_eq!(book.active().count(), 4);
        // and still is not duplicated
        book.on_event(&Event::LinkLost(V1), 4.0);
        assert_eq!(book.all().len(), 4);
    }

    #[test]
    fn newest_first_with_increasing_ids() {
        let mut book = AlertBook::default();
        for (i, v) in [V1, V2].into_iter().enumerate() {
            book.on_event(&Event::LinkLost(v), i as f64);
        }
        let ids: Vec<u64> = book.all().iter().map(|a| a.id).collect();
        assert!(ids[0] > ids[1]);
        assert_eq!(book.all()[0].vehicle, V2);
    }

    #[test]
    fn history_is_bounded_dropping_acknowledged_first() {
        let mut book = AlertBook::default();
        let raise = |book: &mut AlertBook, i: usize| {
            book.on_event(&text(V1, Severity::Warning, &format!("w{i}")), i as f64);
        };
        for i in 0..10 {
            raise(&mut book, i);
        }
        // acknowledge w5 only; fill beyond the bound
        let w5 = book.all().iter().find(|a| a.raised_at_s == 5.0).unwrap().id;
        book.acknowledge(w5);
        for i in 10..MAX_ALERTS + 1 {
            raise(&mut book, i);
        }
        assert_eq!(book.all().len(), MAX_ALERTS);
        assert!(book.get(w5).is_none(), "the acknowledged one went first");
        assert_eq!(book.all().last().unwrap().raised_at_s, 0.0);
        // with none acknowledged, the oldest goes
        raise(&mut book, MAX_ALERTS + 1);
        assert_eq!(book.all().len(), MAX_ALERTS);
        assert_eq!(book.all().last().unwrap().raised_at_s, 1.0);
    }

    #[test]
    fn texts_carry_units() {
        assert_eq!(
            AlertKind::LowBattery {
                remaining_pct: 24.4
            }
            .text(),
            "battery low: 24 %"
        );
        assert_eq!(AlertKind::LinkLost.text(), "link lost: no heartbeat");
        assert_eq!(
            AlertKind::CriticalBattery.text(),
            "battery critical: land now"
        );
        assert_eq!(
            AlertKind::StatusText {
                severity: Severity::Warning,
                text: "High wind".into()
            }
            .text(),
            "warning: High wind"
        );
    }
}
