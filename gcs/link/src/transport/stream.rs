//! Byte-stream links: TCP client (reconnecting), TCP server (many clients) and serial ports.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use super::{KeepRaw, LinkId, OUTGOING_QUEUE, Outgoing, PeerLearning, Received};
use crate::frame::hold_undecoded;
use crate::frame_stream::StreamDecoder;

/// Wait between reconnect attempts of a `tcpout` link.
const TCP_RECONNECT_INTERVAL: Duration = Duration::from_secs(1);

/// Why a stream pump stopped.
enum End {
    /// The peer closed the stream or it failed.
    StreamClosed,
    /// The core dropped the outgoing queue or the inbound channel: shut down.
    Shutdown,
}

/// Moves frames both ways over one stream until it closes or the core goes away;
/// received frames are tagged as coming `from` (a TCP server's client).
async fn pump<S: AsyncRead + AsyncWrite + Unpin>(
    id: LinkId,
    stream: S,
    from: Option<SocketAddr>,
    inbound: &mpsc::Sender<Received>,
    outgoing: &mut mpsc::Receiver<Outgoing>,
    keep_raw: KeepRaw,
    mut on_frame: impl FnMut(u8),
) -> End {
    let (mut read, mut write) = tokio::io::split(stream);
    // Our own framing (not rust-mavlink's reader): frames of other dialects are counted
    // as received instead of being skipped as noise.
    let mut decoder = StreamDecoder::default();
    let mut chunk = vec![0u8; 4096];
    let mut undecoded = Vec::new();
    loop {
        tokio::select! {
            got = read.read(&mut chunk) => {
                let n = match got {
                    Ok(0) => {
                        tracing::debug!(link = id, "stream closed");
                        return End::StreamClosed;
                    }
                    Ok(n) => n,
                    Err(e) => {
                        tracing::debug!(link = id, "stream closed: {e}");
                        return End::StreamClosed;
                    }
                };
                let at = Instant::now();
                let mut frames = Vec::new();
                let held = std::cell::RefCell::new(std::mem::take(&mut undecoded));
                decoder.push(
                    &chunk[..n],
                    |frame, raw| {
                        on_frame(frame.sysid);
                        let raw = keep_raw.bytes(raw);
                        let undecoded = held.take();
                        frames.push(Received { link: id, at, frame, raw, from, undecoded });
                    },
                    |header| hold_undecoded(&mut held.borrow_mut(), header),
                );
                undecoded = held.into_inner();
                for r in frames {
                    if inbound.send(r).await.is_err() {
                        return End::Shutdown;
                    }
                }
            }
            out = outgoing.recv() => {
                let Some(out) = out else { return End::Shutdown };
                if let Err(e) = write.write_all(&out.bytes).await {
                    tracing::debug!(link = id, "stream write failed: {e}");
                    return End::StreamClosed;
                }
            }
        }
    }
}

/// Runs a serial port until the core goes away. A port that fails stays closed.
pub(super) async fn run_serial(
    id: LinkId,
    port: tokio_serial::SerialStream,
    inbound: mpsc::Sender<Received>,
    mut outgoing: mpsc::Receiver<Outgoing>,
    keep_raw: KeepRaw,
) {
    if let End::StreamClosed = pump(id, port, None, &inbound, &mut outgoing, keep_raw, |_| {}).await
    {
        tracing::warn!(link = id, "serial port closed or failed");
    }
}

/// Runs a TCP client, reconnecting every second after the server drops it.
pub(super) async fn run_tcp_out(
    id: LinkId,
    first: tokio::net::TcpStream,
    host: String,
    port: u16,
    inbound: mpsc::Sender<Received>,
    mut outgoing: mpsc::Receiver<Outgoing>,
    keep_raw: KeepRaw,
) {
    let mut stream = Some(first);
    loop {
        if let Some(s) = stream.take()
            && let End::Shutdown =
                pump(id, s, None, &inbound, &mut outgoing, keep_raw, |_| {}).await
        {
            return;
        }
        if inbound.is_closed() || outgoing.is_closed() {
            return;
        }
        tokio::time::sleep(TCP_RECONNECT_INTERVAL).await;
        // Frames queued while disconnected are stale commands or heartbeats: drop them.
        while outgoing.try_recv().is_ok() {}
        match tokio::net::TcpStream::connect((host.as_str(), port)).await {
            Ok(s) => {
                let _ = s.set_nodelay(true);
                tracing::info!(link = id, "tcpout:{host}:{port} reconnected");
                stream = Some(s);
            }
            Err(e) => tracing::debug!(link = id, "tcpout:{host}:{port} reconnect failed: {e}"),
        }
    }
}

/// Where a TCP server link sends: its open client connections, by the client's
/// address, and the connection each system id last spoke on.
///
/// Shared between the accept loop, which reads it for every send, and whoever learns
/// routes: each connection's reader itself ([`PeerLearning::OnReceive`]) or the
/// receiver of its frames once it has checked them ([`PeerLearning::Vouched`]), as
/// for a UDP link's peers.
#[derive(Debug, Clone)]
pub(super) struct ConnBook(Arc<Mutex<Conns>>);

#[derive(Debug, Default)]
struct Conns {
    /// Each open connection, by its client's address.
    open: HashMap<SocketAddr, Conn>,
    /// The connection each system id last spoke on.
    of_system: HashMap<u8, SocketAddr>,
    /// Frames dropped because a connection's queue was full (a client not reading).
    dropped: u64,
}

#[derive(Debug)]
struct Conn {
    /// Its queue of frames to write.
    tx: mpsc::Sender<Outgoing>,
    /// Whether frames for no system in particular (or one not heard yet) go to it:
    /// from the start with [`PeerLearning::OnReceive`], else once a frame on it was
    /// vouched for, so that a spoofer's connection gets nothing, not even heartbeats.
    heard: bool,
}

impl ConnBook {
    fn lock(&self) -> std::sync::MutexGuard<'_, Conns> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Frames dropped so far because a client connection's queue was full.
    pub(super) fn dropped(&self) -> u64 {
        self.lock().dropped
    }

    /// Adds the connection of a client at `from`; `heard`: see [`Conn::heard`].
    fn accept(&self, from: SocketAddr, tx: mpsc::Sender<Outgoing>, heard: bool) {
        let mut c = self.lock();
        // Routes to an earlier connection from the same address are not this one's.
        c.of_system.retain(|_, at| *at != from);
        c.open.insert(from, Conn { tx, heard });
    }

    /// Sends for `sysid` on the connection of the client at `from` from now on, and
    /// frames for everyone on it too (if it is still open).
    pub(super) fn learn(&self, link: LinkId, sysid: u8, from: SocketAddr) {
        let c = &mut *self.lock();
        let Some(conn) = c.open.get_mut(&from) else {
            return;
        };
        if !conn.heard {
            tracing::debug!(link, %from, "TCP client heard");
            conn.heard = true;
        }
        c.of_system.insert(sysid, from);
    }

    /// Where a frame for `target` goes: that system's connection once heard, else
    /// every heard connection. Forgets closed connections.
    fn destinations(&self, target: Option<u8>) -> Vec<mpsc::Sender<Outgoing>> {
        let c = &mut *self.lock();
        c.open.retain(|_, conn| !conn.tx.is_closed());
        let open = &c.open;
        c.of_system.retain(|_, at| open.contains_key(at));
        match target.and_then(|t| c.of_system.get(&t)) {
            Some(at) => c
                .open
                .get(at)
                .map(|conn| conn.tx.clone())
                .into_iter()
                .collect(),
            None => c
                .open
                .values()
                .filter(|conn| conn.heard)
                .map(|conn| conn.tx.clone())
                .collect(),
        }
    }

    /// Drops every connection's queue, so that each ends once it has written it.
    fn close_all(&self) {
        let mut c = self.lock();
        c.open.clear();
        c.of_system.clear();
    }
}

/// Starts the task accepting TCP clients on `listener`; each client gets the frames
/// for the systems heard on it (and those for everyone once heard itself). Runs until
/// the outgoing queue closes; returns the link's connection book.
pub(super) fn spawn_server(
    id: LinkId,
    listener: tokio::net::TcpListener,
    inbound: mpsc::Sender<Received>,
    outgoing: mpsc::Receiver<Outgoing>,
    keep_raw: KeepRaw,
    learning: PeerLearning,
) -> ConnBook {
    let book = ConnBook(Arc::default());
    tokio::spawn(serve_tcp(
        id,
        listener,
        book.clone(),
        learning == PeerLearning::OnReceive,
        inbound,
        outgoing,
        keep_raw,
    ));
    book
}

/// The accept loop; `learn_here`: each connection learns routes from every frame itself.
async fn serve_tcp(
    id: LinkId,
    listener: tokio::net::TcpListener,
    book: ConnBook,
    learn_here: bool,
    inbound: mpsc::Sender<Received>,
    mut outgoing: mpsc::Receiver<Outgoing>,
    keep_raw: KeepRaw,
) {
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((tcp, from)) = accepted else { continue };
                let _ = tcp.set_nodelay(true);
                tracing::debug!(link = id, %from, "TCP client connected");
                let (tx, mut rx) = mpsc::channel(OUTGOING_QUEUE);
                book.accept(from, tx, learn_here);
                let inbound = inbound.clone();
                let book = book.clone();
                tokio::spawn(async move {
                    let learn = |sysid| {
                        if learn_here {
                            book.learn(id, sysid, from);
                        }
                    };
                    pump(id, tcp, Some(from), &inbound, &mut rx, keep_raw, learn).await;
                });
            }
            out = outgoing.recv() => {
                let Some(out) = out else {
                    book.close_all();
                    return;
                };
                let mut dests = book.destinations(out.target);
                let mut dropped = 0;
                if let Some(last) = dests.pop() {
                    for tx in dests {
                        dropped += u64::from(tx.try_send(out.clone()).is_err());
                    }
                    dropped += u64::from(last.try_send(out).is_err());
                }
                if dropped > 0 {
                    book.lock().dropped += dropped;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{OpenLink, open_with};
    use super::*;
    use crate::address::LinkAddress;
    use crate::frame::encode_v2;
    use mavlink::dialects::common::{HEARTBEAT_DATA, MavMessage};
    use tokio::io::AsyncReadExt;
    use tokio::net::TcpStream;

    /// A `tcpin` link on an ephemeral port, and where to reach it.
    async fn tcpin(learning: PeerLearning) -> (OpenLink, mpsc::Receiver<Received>, SocketAddr) {
        let (tx, rx) = mpsc::channel(16);
        let address: LinkAddress = "tcpin:127.0.0.1:0".parse().unwrap();
        let link = open_with(0, &address, tx, KeepRaw::No, learning)
            .await
            .unwrap();
        let port = link.local_addr.unwrap().port();
        (link, rx, SocketAddr::from(([127, 0, 0, 1], port)))
    }

    /// A client that connects to `to` and sends one frame from system 1; returns it and
    /// what the link made of the frame.
    async fn client(to: SocketAddr, rx: &mut mpsc::Receiver<Received>) -> (TcpStream, Received) {
        let mut tcp = TcpStream::connect(to).await.unwrap();
        let hb = MavMessage::HEARTBEAT(HEARTBEAT_DATA::default());
        tcp.write_all(&encode_v2(1, 1, 0, &hb)).await.unwrap();
        let r = rx.recv().await.unwrap();
        assert_eq!(r.from, Some(tcp.local_addr().unwrap()));
        (tcp, r)
    }

    async fn send(link: &OpenLink, bytes: &[u8], target: Option<u8>) {
        let out = Outgoing {
            bytes: bytes.to_vec(),
            target,
        };
        link.outgoing.send(out).await.unwrap();
    }

    /// Waits until the link's task has taken (and, on this single-threaded test
    /// runtime, routed) every frame queued.
    async fn taken(link: &OpenLink) {
        while link.outgoing.capacity() < link.outgoing.max_capacity() {
            tokio::task::yield_now().await;
        }
    }

    /// Reads exactly `bytes` from `tcp`: the next thing it got is that.
    async fn expect(tcp: &mut TcpStream, bytes: &[u8]) {
        let mut buf = vec![0u8; bytes.len()];
        let read = tokio::time::timeout(Duration::from_secs(10), tcp.read_exact(&mut buf));
        read.await.expect("frame in time").unwrap();
        assert_eq!(buf, bytes);
    }

    /// Closes `link`, then reads what was left for `tcp` until the link closed it.
    async fn rest(link: OpenLink, tcps: &mut [&mut TcpStream]) -> Vec<Vec<u8>> {
        drop(link);
        let mut left = Vec::new();
        for tcp in tcps {
            let mut got = Vec::new();
            let read = tokio::time::timeout(Duration::from_secs(10), tcp.read_to_end(&mut got));
            read.await
                .expect("the link closes its connections")
                .unwrap();
            left.push(got);
        }
        left
    }

    #[tokio::test]
    async fn frames_a_client_does_not_read_are_counted_as_dropped() {
        let (link, mut rx, addr) = tcpin(PeerLearning::OnReceive).await;
        // A client that speaks once and never reads: its socket buffers, then its
        // connection's queue, fill up.
        let (_deaf, _) = client(addr, &mut rx).await;
        let frame = [0x55u8; 1024];
        let mut sent = 0u64;
        while link.dropped_frames() == 0 {
            send(&link, &frame, None).await;
            sent += 1;
            assert!(sent < 200_000, "nothing dropped after {sent} frames");
        }
        // Dropped before: every try_send to the full queue was once ignored silently.
        assert!(link.dropped_frames() > 0);
    }

    #[tokio::test]
    async fn vouched_server_links_send_only_on_a_vouched_connection() {
        let (link, mut rx, addr) = tcpin(PeerLearning::Vouched).await;
        let (mut genuine, first) = client(addr, &mut rx).await;
        // Before anyone vouches for it, the client gets nothing, not even frames for all.
        send(&link, b"too early", None).await;
        taken(&link).await;
        link.vouch(&first);
        // Another connection speaks for system 1, and nobody vouches for it.
        let (mut spoofer, _) = client(addr, &mut rx).await;
        send(&link, b"for system 1", Some(1)).await;
        expect(&mut genuine, b"for system 1").await;
        // Frames for every client go only to vouched ones too.
        send(&link, b"everyone", None).await;
        expect(&mut genuine, b"everyone").await;
        let left = rest(link, &mut [&mut genuine, &mut spoofer]).await;
        assert_eq!(left, [Vec::<u8>::new(), Vec::new()]);
    }

    #[tokio::test]
    async fn by_default_server_links_follow_the_last_speaker() {
        let (link, mut rx, addr) = tcpin(PeerLearning::OnReceive).await;
        let (mut first, _) = client(addr, &mut rx).await;
        let (mut second, _) = client(addr, &mut rx).await;
        send(&link, b"for system 1", Some(1)).await;
        expect(&mut second, b"for system 1").await;
        // Every client gets frames for all, without being vouched for.
        send(&link, b"everyone", None).await;
        expect(&mut first, b"everyone").await;
        expect(&mut second, b"everyone").await;
        let left = rest(link, &mut [&mut first, &mut second]).await;
        assert_eq!(left, [Vec::<u8>::new(), Vec::new()]);
    }
}
