//! The connected vehicle's flight envelope, read from its parameters, so that plans are
//! sized and estimated by how this vehicle flies (its `MPC_*` speeds; for PX4's SIH
//! simulator, its airframe's top speed) rather than by defaults.

use std::collections::HashMap;

use gcs_link::params::get;
use gcs_link::{LinkSender, VehicleId};
use vigil_values::px4_envelope::Px4Envelope;

/// Reads [`Px4Envelope::PARAMS`] from `vehicle` (one PARAM_REQUEST_READ each); a
/// parameter it does not have keeps PX4's default. Fails only when the link does.
pub async fn read_envelope(
    sender: &LinkSender,
    vehicle: VehicleId,
) -> Result<Px4Envelope, gcs_link::params::ParamError> {
    let mut values = HashMap::new();
    for name in Px4Envelope::PARAMS {
        match get(sender, vehicle, name).await {
            Ok(p) => {
                values.insert(name, p.value.as_f64());
            }
            Err(gcs_link::params::ParamError::NoSuchParam { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Px4Envelope::from_params(|n| values.get(n).copied()))
}
