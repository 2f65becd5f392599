//! UDP links: `udpin` answers every peer it has heard, `udpout` talks to one remote.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use super::{KeepRaw, LinkId, Outgoing, PeerLearning, Received};
use crate::frame::{decode_datagram, hold_undecoded};

/// Largest UDP payload we read; MAVLink datagrams are far smaller.
const MAX_DATAGRAM: usize = 65_536;

/// Where a UDP link sends: the peers heard, and the address each system last spoke from.
///
/// Shared between the socket task, which reads it for every send, and whoever learns
/// addresses: the task itself ([`PeerLearning::OnReceive`]) or the receiver of its
/// frames once it has checked them ([`PeerLearning::Vouched`]).
#[derive(Debug, Clone)]
pub(super) struct PeerBook(Arc<Mutex<Peers>>);

#[derive(Debug)]
struct Peers {
    /// `udpout`: the one remote, and no other peer is ever added.
    fixed: bool,
    /// Where frames for no system in particular go.
    heard: Vec<SocketAddr>,
    /// The address each system id last spoke from.
    of_system: HashMap<u8, SocketAddr>,
}

impl Peers {
    /// Adds `from` to the peers of a `udpin`.
    fn hear(&mut self, link: LinkId, from: SocketAddr) {
        if !self.fixed && !self.heard.contains(&from) {
            tracing::debug!(link, %from, "new UDP peer");
            self.heard.push(from);
        }
    }
}

impl PeerBook {
    fn new(remote: Option<SocketAddr>) -> Self {
        Self(Arc::new(Mutex::new(Peers {
            fixed: remote.is_some(),
            heard: remote.into_iter().collect(),
            of_system: HashMap::new(),
        })))
    }

    /// Sends for `sysid` to `from` from now on (and adds `from` to the peers of a `udpin`).
    pub(super) fn learn(&self, link: LinkId, sysid: u8, from: SocketAddr) {
        let mut p = self.lock();
        p.hear(link, from);
        p.of_system.insert(sysid, from);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Peers> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Where a frame for `target` goes: that system's address once heard, else every peer.
    fn destinations(&self, target: Option<u8>) -> Vec<SocketAddr> {
        let p = self.lock();
        match target.and_then(|t| p.of_system.get(&t)) {
            Some(peer) => vec![*peer],
            None => p.heard.clone(),
        }
    }
}

/// Starts the task of one UDP socket; it runs until the outgoing queue closes or the
/// core goes away. Returns the link's peer book.
pub(super) fn spawn(
    id: LinkId,
    socket: UdpSocket,
    remote: Option<SocketAddr>,
    inbound: mpsc::Sender<Received>,
    outgoing: mpsc::Receiver<Outgoing>,
    keep_raw: KeepRaw,
    learning: PeerLearning,
) -> PeerBook {
    let peers = PeerBook::new(remote);
    let learn_here = learning == PeerLearning::OnReceive;
    tokio::spawn(run(
        id,
        socket,
        peers.clone(),
        learn_here,
        inbound,
        outgoing,
        keep_raw,
    ));
    peers
}

/// The socket's loop; `learn_here`: it learns addresses from every frame itself.
async fn run(
    id: LinkId,
    socket: UdpSocket,
    peers: PeerBook,
    learn_here: bool,
    inbound: mpsc::Sender<Received>,
    mut outgoing: mpsc::Receiver<Outgoing>,
    keep_raw: KeepRaw,
) {
    let mut buf = vec![0u8; MAX_DATAGRAM];
    // Headers of frames received but not decoded, for the next frame decoded.
    let mut undecoded = Vec::new();
    loop {
        tokio::select! {
            got = socket.recv_from(&mut buf) => {
                // Then whatever else is already queued (up to MAX_BATCH datagrams): one
                // wake-up for a burst instead of one per datagram.
                let mut frames = Vec::new();
                let mut next = Some(got);
                let mut taken = 0;
                while let Some(got) = next.take() {
                    match got {
                        Ok((n, from)) => {
                            if learn_here {
                                peers.lock().hear(id, from);
                            }
                            undecoded = take_datagram(
                                id, &buf[..n], from, &peers, learn_here, keep_raw, undecoded, &mut frames,
                            );
                        }
                        // ICMP port-unreachable surfaces here on Linux; the link stays up.
                        Err(e) => tracing::trace!(link = id, "udp receive error: {e}"),
                    }
                    taken += 1;
                    if taken < MAX_BATCH {
                        next = match socket.try_recv_from(&mut buf) {
                            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => None,
                            other => Some(other),
                        };
                    }
                }
                for r in frames {
                    if inbound.send(r).await.is_err() {
                        return;
                    }
                }
            }
            out = outgoing.recv() => {
                let Some(out) = out else { return };
                for dest in peers.destinations(out.target) {
                    if let Err(e) = socket.send_to(&out.bytes, dest).await {
                        tracing::trace!(link = id, %dest, "udp send error: {e}");
                    }
                }
            }
        }
    }
}

/// Datagrams read in one go before the loop looks at its other work.
const MAX_BATCH: usize = 64;

/// Decodes one datagram from `from` into `frames`; returns the headers of frames not
/// decoded, held for the next frame decoded.
#[allow(clippy::too_many_arguments)]
fn take_datagram(
    id: LinkId,
    bytes: &[u8],
    from: std::net::SocketAddr,
    peers: &PeerBook,
    learn_here: bool,
    keep_raw: KeepRaw,
    undecoded: Vec<crate::frame::FrameHeader>,
    frames: &mut Vec<Received>,
) -> Vec<crate::frame::FrameHeader> {
    let at = Instant::now();
    let pending = std::cell::RefCell::new(undecoded);
    decode_datagram(
        bytes,
        |frame, raw| {
            if learn_here {
                peers.learn(id, frame.sysid, from);
            }
            let raw = keep_raw.bytes(raw);
            frames.push(Received {
                link: id,
                at,
                frame,
                raw,
                from: Some(from),
                undecoded: pending.take(),
            });
        },
        |header| hold_undecoded(&mut pending.borrow_mut(), header),
    );
    pending.into_inner()
}

#[cfg(test)]
mod tests {
    use super::super::{OpenLink, open_with};
    use super::*;
    use crate::address::LinkAddress;
    use crate::frame::encode_v2;
    use mavlink::dialects::common::{HEARTBEAT_DATA, MavMessage};

    /// A `udpin` link on an ephemeral port, and where to reach it.
    async fn udpin(learning: PeerLearning) -> (OpenLink, mpsc::Receiver<Received>, SocketAddr) {
        let (tx, rx) = mpsc::channel(16);
        let address: LinkAddress = "udpin:127.0.0.1:0".parse().unwrap();
        let link = open_with(0, &address, tx, KeepRaw::No, learning)
            .await
            .unwrap();
        let port = link.local_addr.unwrap().port();
        (link, rx, SocketAddr::from(([127, 0, 0, 1], port)))
    }

    /// A socket that sends one frame from system 1 to `to`; returns it and what the
    /// link made of the frame.
    async fn peer(to: SocketAddr, rx: &mut mpsc::Receiver<Received>) -> (UdpSocket, Received) {
        let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let hb = MavMessage::HEARTBEAT(HEARTBEAT_DATA::default());
        sock.send_to(&encode_v2(1, 1, 0, &hb), to).await.unwrap();
        let r = rx.recv().await.unwrap();
        assert_eq!(r.from, Some(sock.local_addr().unwrap()));
        (sock, r)
    }

    /// Sends a frame for system 1 and waits until `to` has it.
    async fn send_for_system_1(link: &OpenLink, to: &UdpSocket) {
        let bytes = b"for system 1".to_vec();
        let out = Outgoing {
            bytes: bytes.clone(),
            target: Some(1),
        };
        link.outgoing.send(out).await.unwrap();
        let mut buf = [0u8; 64];
        let n = to.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], &bytes[..]);
    }

    fn nothing_waiting(sock: &UdpSocket) -> bool {
        sock.try_recv(&mut [0u8; 64]).is_err()
    }

    #[tokio::test]
    async fn vouched_links_send_only_where_a_vouched_frame_came_from() {
        let (link, mut rx, addr) = udpin(PeerLearning::Vouched).await;
        let (genuine, first) = peer(addr, &mut rx).await;
        link.vouch(&first);
        // Another socket speaks for system 1, and nobody vouches for it.
        let (spoofer, _) = peer(addr, &mut rx).await;
        send_for_system_1(&link, &genuine).await;
        assert!(nothing_waiting(&spoofer));
        // Frames for every peer go only to vouched ones too.
        link.outgoing
            .send(Outgoing {
                bytes: b"everyone".to_vec(),
                target: None,
            })
            .await
            .unwrap();
        let mut buf = [0u8; 64];
        let n = genuine.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"everyone");
        // The link sends in order: once this one is in, "everyone" went wherever it went.
        send_for_system_1(&link, &genuine).await;
        assert!(nothing_waiting(&spoofer));
    }

    #[tokio::test]
    async fn by_default_links_follow_the_last_sender() {
        let (link, mut rx, addr) = udpin(PeerLearning::OnReceive).await;
        let (first, _) = peer(addr, &mut rx).await;
        let (second, _) = peer(addr, &mut rx).await;
        send_for_system_1(&link, &second).await;
        assert!(nothing_waiting(&first));
    }
}
