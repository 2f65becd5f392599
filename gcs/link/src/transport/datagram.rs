//! UDP links: `udpin` answers every peer it has heard, `udpout` talks to one remote.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Instant;

use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use super::{KeepRaw, LinkId, Outgoing, Received};
use crate::frame::decode_all;

/// Largest UDP payload we read; MAVLink datagrams are far smaller.
const MAX_DATAGRAM: usize = 65_536;

/// Runs one UDP socket until the outgoing queue closes or the core goes away.
pub(super) async fn run(
    id: LinkId,
    socket: UdpSocket,
    remote: Option<SocketAddr>,
    inbound: mpsc::Sender<Received>,
    mut outgoing: mpsc::Receiver<Outgoing>,
    keep_raw: KeepRaw,
) {
    let mut buf = vec![0u8; MAX_DATAGRAM];
    // Peers heard, and the peer each system id last spoke from.
    let mut peers: Vec<SocketAddr> = remote.into_iter().collect();
    let mut peer_of: HashMap<u8, SocketAddr> = HashMap::new();
    loop {
        tokio::select! {
            got = socket.recv_from(&mut buf) => {
                let (n, from) = match got {
                    Ok(x) => x,
                    Err(e) => {
                        // ICMP port-unreachable surfaces here on Linux; the link stays up.
                        tracing::trace!(link = id, "udp receive error: {e}");
                        continue;
                    }
                };
                if remote.is_none() && !peers.contains(&from) {
                    tracing::debug!(link = id, %from, "new UDP peer");
                    peers.push(from);
                }
                let at = Instant::now();
                let mut frames = Vec::new();
                decode_all(&buf[..n], |frame, raw| {
                    peer_of.insert(frame.sysid, from);
                    let raw = keep_raw.bytes(raw);
                    frames.push(Received { link: id, at, frame, raw });
                });
                for r in frames {
                    if inbound.send(r).await.is_err() {
                        return;
                    }
                }
            }
            out = outgoing.recv() => {
                let Some(out) = out else { return };
                let dests: Vec<SocketAddr> = match out.target.and_then(|t| peer_of.get(&t)) {
                    Some(peer) => vec![*peer],
                    None => peers.clone(),
                };
                for dest in dests {
                    if let Err(e) = socket.send_to(&out.bytes, dest).await {
                        tracing::trace!(link = id, %dest, "udp send error: {e}");
                    }
                }
            }
        }
    }
}
