//! Things that happen to the fleet, for alerts and logs.

use serde::Serialize;

use crate::px4_mode::FlightMode;
use crate::vehicle::{StatusText, VehicleId};

/// Something the operator may need to know about, in the order it happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Event {
    /// A vehicle's first HEARTBEAT.
    VehicleDiscovered(VehicleId),
    /// A vehicle link-lost for long was removed from the fleet to make room for a new
    /// one (see [`MAX_VEHICLES`](crate::constants::MAX_VEHICLES)).
    VehicleForgotten(VehicleId),
    /// A HEARTBEAT from a new vehicle was refused: the link, or the fleet, already holds
    /// as many vehicles as it may. Sent once per link; every refusal is counted in
    /// [`FleetSnapshot::refused_vehicles`](crate::FleetSnapshot::refused_vehicles).
    VehicleRefused {
        /// The first vehicle refused on this link.
        vehicle: VehicleId,
        /// The link it was heard on.
        link: crate::transport::LinkId,
    },
    /// No HEARTBEAT from the vehicle on any link for the link-loss timeout.
    LinkLost(VehicleId),
    /// A link-lost vehicle was heard again.
    LinkRegained(VehicleId),
    /// The flight mode changed.
    ModeChanged {
        /// The vehicle.
        vehicle: VehicleId,
        /// Previous mode.
        from: FlightMode,
        /// New mode.
        to: FlightMode,
    },
    /// The vehicle armed.
    Armed(VehicleId),
    /// The vehicle disarmed.
    Disarmed(VehicleId),
    /// A STATUSTEXT from the vehicle.
    StatusText {
        /// The vehicle.
        vehicle: VehicleId,
        /// Severity and text.
        status: StatusText,
    },
    /// A mission item was reached.
    MissionItemReached {
        /// The vehicle.
        vehicle: VehicleId,
        /// The item's sequence number.
        seq: u16,
    },
}
