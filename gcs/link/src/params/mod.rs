//! The MAVLink parameter microservice: fetch every parameter, read one, set one.
//!
//! Layered as MAVSDK's `mavlink_parameter_client`: [`value`] packs typed values into
//! the float field (PX4's bytewise encoding of integers), [`transfer`] holds the
//! protocol as sans-IO state machines fed PARAM_VALUE messages and clock ticks,
//! [`cache`] keeps complete parameter sets keyed by PX4's `_HASH_CHECK`, and the async
//! functions here drive the machines over a [`LinkSender`](crate::LinkSender).
//!
//! ```no_run
//! # async fn demo(link: gcs_link::LinkHandle, drone: gcs_link::VehicleId)
//! # -> Result<(), gcs_link::params::ParamError> {
//! use gcs_link::params::{self, ParamValue};
//! let sender = link.sender();
//! let all = params::fetch_all(&sender, drone, |p| println!("{}/{}", p.received, p.total)).await?;
//! println!("{} parameters, RTL_RETURN_ALT = {:?}", all.len(), all.get("RTL_RETURN_ALT"));
//! params::set(&sender, drone, "NAV_DLL_ACT", ParamValue::I32(2)).await?;
//! # Ok(()) }
//! ```

pub mod cache;
mod client;
pub mod transfer;
pub mod value;

pub use cache::{ParamCache, px4_hash};
pub use client::{fetch_all, fetch_all_cached, get, get_by_index, set, set_number};
pub use value::{ParamEncoding, ParamValue, ValueError};

use serde::Serialize;

use crate::command::CommandError;
use crate::vehicle::VehicleId;

/// The name PX4 gives the hash of all its parameters (a PARAM_VALUE with index -1).
pub const HASH_CHECK_NAME: &str = "_HASH_CHECK";

/// One parameter as the vehicle reported it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Param {
    /// PX4's name, at most 16 characters.
    pub name: String,
    /// The typed value.
    pub value: ParamValue,
    /// Its index on the vehicle (0..count).
    pub index: u16,
}

/// Every parameter of one vehicle component, in index order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamSet {
    /// The parameters, `params[i].index == i`.
    pub params: Vec<Param>,
    /// The `_HASH_CHECK` the vehicle reported with the list, if it sent one.
    pub hash: Option<u32>,
    /// Whether this set came from the cache instead of the vehicle's stream.
    pub from_cache: bool,
}

impl ParamSet {
    /// The parameter called `name`.
    pub fn get(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.name == name)
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.params.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.params.is_empty()
    }

    /// Records a value the vehicle confirmed (after a set); returns false for an
    /// unknown name.
    pub fn update(&mut self, confirmed: &Param) -> bool {
        match self.params.iter_mut().find(|p| p.name == confirmed.name) {
            Some(p) => {
                p.value = confirmed.value;
                true
            }
            None => false,
        }
    }

    /// PX4's `_HASH_CHECK` of this set (see [`px4_hash`]).
    pub fn px4_hash(&self) -> u32 {
        px4_hash(&self.params)
    }
}

/// Fetch progress: distinct parameters received out of the vehicle's count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Distinct indices received so far.
    pub received: usize,
    /// The vehicle's parameter count.
    pub total: usize,
}

/// Why a parameter operation failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParamError {
    /// The request could not be sent (unknown vehicle, link lost, core stopped).
    #[error("parameters on {vehicle}: {source}")]
    Link {
        /// The vehicle.
        vehicle: VehicleId,
        /// Why the link core refused.
        source: CommandError,
    },
    /// No answer after every retransmission.
    #[error("{what} on {vehicle}: no PARAM_VALUE after {attempts} requests")]
    Timeout {
        /// The vehicle.
        vehicle: VehicleId,
        /// What was asked, e.g. `PARAM_REQUEST_LIST` or `PARAM_SET NAV_DLL_ACT`.
        what: String,
        /// Requests sent.
        attempts: u8,
    },
    /// The vehicle answers (the `_HASH_CHECK` read with each request came back) but
    /// never for this name: it has no such parameter (PX4 ignores unknown names).
    #[error(
        "{vehicle} has no parameter {name}: no answer to {attempts} reads by name, while it answered the _HASH_CHECK read sent with them"
    )]
    NoSuchParam {
        /// The vehicle.
        vehicle: VehicleId,
        /// The name asked for.
        name: String,
        /// Reads sent.
        attempts: u8,
    },
    /// The list stayed incomplete after re-requesting the missing indices.
    #[error("parameter list of {vehicle}: {} of {total} still missing (first: {:?})", missing.len(), missing.first())]
    Incomplete {
        /// The vehicle.
        vehicle: VehicleId,
        /// Indices never received.
        missing: Vec<u16>,
        /// The vehicle's count.
        total: u16,
    },
    /// The vehicle answered a set with another value (it refused or clamped it).
    #[error("{name} on {vehicle}: set to {requested} but the vehicle keeps {actual}")]
    Rejected {
        /// The vehicle.
        vehicle: VehicleId,
        /// The parameter.
        name: String,
        /// The value sent.
        requested: ParamValue,
        /// The value the vehicle reports.
        actual: ParamValue,
    },
    /// The vehicle's parameter has another type than the value sent.
    #[error("{name} on {vehicle} is {vehicle_type}, not {sent_type}")]
    TypeMismatch {
        /// The vehicle.
        vehicle: VehicleId,
        /// The parameter.
        name: String,
        /// The type sent.
        sent_type: &'static str,
        /// The vehicle's type.
        vehicle_type: &'static str,
    },
    /// A value could not be encoded or decoded.
    #[error("{name} on {vehicle}: {source}")]
    Value {
        /// The vehicle.
        vehicle: VehicleId,
        /// The parameter.
        name: String,
        /// Why.
        source: ValueError,
    },
    /// Parameter names are at most 16 characters.
    #[error("parameter name {0:?} is longer than 16 characters")]
    NameTooLong(String),
}
