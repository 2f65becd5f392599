//! Drives the parameter state machines over a [`LinkSender`]: subscribe to the
//! vehicle's PARAM_VALUE, send what the machine asks, tick it at its deadline.

use mavlink::Message;
use mavlink::dialects::common::{MavMessage, PARAM_VALUE_DATA};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::transfer::{Action, FetchAll, ParamRef, ReadOne, SetOne};
use super::value::{ParamEncoding, ParamValue};
use super::{Param, ParamCache, ParamError, ParamSet, Progress};
use crate::command::CommandError;
use crate::constants::PARAM_QUEUE;
use crate::handle::{LinkSender, MessageFilter};
use crate::transport::Received;
use crate::vehicle::VehicleId;

fn encoding_of(sender: &LinkSender, vehicle: VehicleId) -> ParamEncoding {
    sender
        .snapshot()
        .get(vehicle)
        .map(|v| ParamEncoding::for_autopilot(v.autopilot))
        .unwrap_or_default()
}

async fn subscribe(
    sender: &LinkSender,
    vehicle: VehicleId,
) -> Result<mpsc::Receiver<Received>, ParamError> {
    let id = MavMessage::PARAM_VALUE(PARAM_VALUE_DATA::default()).message_id();
    sender
        .subscribe(
            MessageFilter {
                message_ids: vec![id],
                sysid: Some(vehicle.sysid),
            },
            PARAM_QUEUE,
        )
        .await
        .map_err(|source| ParamError::Link { vehicle, source })
}

/// Sends the machine's messages; reports progress and cache offers to `on_other`.
async fn flush(
    sender: &LinkSender,
    vehicle: VehicleId,
    out: &mut Vec<Action>,
    mut on_other: impl FnMut(Action),
) -> Result<(), ParamError> {
    for a in std::mem::take(out) {
        match a {
            Action::Send(msg) => sender
                .send(vehicle, msg)
                .await
                .map_err(|source| ParamError::Link { vehicle, source })?,
            other => on_other(other),
        }
    }
    Ok(())
}

/// What the driver loop waits for next (short-lived: moved out at once).
#[allow(clippy::large_enum_variant)]
enum Wake {
    Frame(Received),
    Tick,
}

fn core_stopped(vehicle: VehicleId) -> ParamError {
    ParamError::Link {
        vehicle,
        source: CommandError::CoreStopped,
    }
}

/// The next frame or the deadline; `None` once the link core has stopped.
async fn wake(rx: &mut mpsc::Receiver<Received>, deadline: std::time::Instant) -> Option<Wake> {
    tokio::select! {
        got = rx.recv() => got.map(Wake::Frame),
        _ = tokio::time::sleep_until(Instant::from_std(deadline)) => Some(Wake::Tick),
    }
}

/// Downloads every parameter of `vehicle`, re-requesting what the stream missed;
/// `progress` sees each new parameter counted.
pub async fn fetch_all(
    sender: &LinkSender,
    vehicle: VehicleId,
    progress: impl FnMut(Progress),
) -> Result<ParamSet, ParamError> {
    fetch(sender, vehicle, None, progress).await
}

/// As [`fetch_all`], but uses the set in `cache` matching the vehicle's `_HASH_CHECK`
/// instead of the stream, and keeps a freshly downloaded set there.
pub async fn fetch_all_cached(
    sender: &LinkSender,
    vehicle: VehicleId,
    cache: &mut ParamCache,
    progress: impl FnMut(Progress),
) -> Result<ParamSet, ParamError> {
    let set = fetch(sender, vehicle, Some(cache), progress).await?;
    if !set.from_cache {
        // A cache that cannot be written is not a failed download.
        if let Err(e) = cache.insert(&set) {
            tracing::warn!("{e}");
        }
    }
    Ok(set)
}

async fn fetch(
    sender: &LinkSender,
    vehicle: VehicleId,
    cache: Option<&ParamCache>,
    mut progress: impl FnMut(Progress),
) -> Result<ParamSet, ParamError> {
    let mut rx = subscribe(sender, vehicle).await?;
    let mut out = Vec::new();
    let now = Instant::now().into_std();
    let mut fetch = FetchAll::start(vehicle, encoding_of(sender, vehicle), now, &mut out);
    loop {
        let mut offered = None;
        flush(sender, vehicle, &mut out, |a| match a {
            Action::Progress(p) => progress(p),
            Action::HashCheck(h) => offered = cache.and_then(|c| c.get(h)),
            Action::Send(_) => {}
        })
        .await?;
        if let Some(set) = offered {
            fetch.use_cached(set, &mut out);
            flush(sender, vehicle, &mut out, |_| {}).await?;
        }
        if let Some(r) = fetch.take_result() {
            return r;
        }
        match wake(&mut rx, fetch.deadline())
            .await
            .ok_or_else(|| core_stopped(vehicle))?
        {
            Wake::Frame(r) => {
                let now = Instant::now().into_std();
                fetch.on_message(r.frame.compid, &r.frame.msg, now, &mut out);
            }
            Wake::Tick => fetch.on_tick(Instant::now().into_std(), &mut out),
        }
    }
}

/// Reads the parameter called `name`.
pub async fn get(sender: &LinkSender, vehicle: VehicleId, name: &str) -> Result<Param, ParamError> {
    read(sender, vehicle, ParamRef::Name(name.to_owned())).await
}

/// Reads the parameter at `index`.
pub async fn get_by_index(
    sender: &LinkSender,
    vehicle: VehicleId,
    index: u16,
) -> Result<Param, ParamError> {
    read(sender, vehicle, ParamRef::Index(index)).await
}

async fn read(
    sender: &LinkSender,
    vehicle: VehicleId,
    which: ParamRef,
) -> Result<Param, ParamError> {
    let mut rx = subscribe(sender, vehicle).await?;
    let mut out = Vec::new();
    let now = Instant::now().into_std();
    let mut read = ReadOne::start(vehicle, which, encoding_of(sender, vehicle), now, &mut out)?;
    loop {
        flush(sender, vehicle, &mut out, |_| {}).await?;
        if let Some(r) = read.take_result() {
            return r;
        }
        match wake(&mut rx, read.deadline())
            .await
            .ok_or_else(|| core_stopped(vehicle))?
        {
            Wake::Frame(r) => read.on_message(r.frame.compid, &r.frame.msg),
            Wake::Tick => read.on_tick(Instant::now().into_std(), &mut out),
        }
    }
}

/// Sets `name` to `value` (its type must be the vehicle's: PX4 ignores a PARAM_SET of
/// another type) and returns the parameter as the vehicle confirmed it.
pub async fn set(
    sender: &LinkSender,
    vehicle: VehicleId,
    name: &str,
    value: ParamValue,
) -> Result<Param, ParamError> {
    let mut rx = subscribe(sender, vehicle).await?;
    let mut out = Vec::new();
    let now = Instant::now().into_std();
    let enc = encoding_of(sender, vehicle);
    let mut set = SetOne::start(vehicle, name, value, enc, now, &mut out)?;
    loop {
        flush(sender, vehicle, &mut out, |_| {}).await?;
        if let Some(r) = set.take_result() {
            return r;
        }
        match wake(&mut rx, set.deadline())
            .await
            .ok_or_else(|| core_stopped(vehicle))?
        {
            Wake::Frame(r) => {
                let now = Instant::now().into_std();
                set.on_message(r.frame.compid, &r.frame.msg, now, &mut out);
            }
            Wake::Tick => set.on_tick(Instant::now().into_std(), &mut out),
        }
    }
}

/// Sets `name` to the number `value`, in the type the vehicle reports for it (read
/// first): what a command line or a form gives.
pub async fn set_number(
    sender: &LinkSender,
    vehicle: VehicleId,
    name: &str,
    value: f64,
) -> Result<Param, ParamError> {
    let current = get(sender, vehicle, name).await?;
    let typed = ParamValue::from_number(value, current.value.mav_type()).map_err(|source| {
        ParamError::Value {
            vehicle,
            name: name.to_owned(),
            source,
        }
    })?;
    set(sender, vehicle, name, typed).await
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
