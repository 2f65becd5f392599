//! Byte-stream links: TCP client (reconnecting), TCP server (many clients) and serial ports.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mavlink::AsyncMavlinkReader;
use mavlink::dialects::common::MavMessage;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use super::{KeepRaw, LinkId, OUTGOING_QUEUE, Outgoing, Received};
use crate::frame::decode_raw;

/// Wait between reconnect attempts of a `tcpout` link.
const TCP_RECONNECT_INTERVAL: Duration = Duration::from_secs(1);

/// Why a stream pump stopped.
enum End {
    /// The peer closed the stream or it failed.
    StreamClosed,
    /// The core dropped the outgoing queue or the inbound channel: shut down.
    Shutdown,
}

/// Moves frames both ways over one stream until it closes or the core goes away.
async fn pump<S: AsyncRead + AsyncWrite + Unpin>(
    id: LinkId,
    stream: S,
    inbound: &mpsc::Sender<Received>,
    outgoing: &mut mpsc::Receiver<Outgoing>,
    keep_raw: KeepRaw,
    mut on_frame: impl FnMut(u8),
) -> End {
    let (read, mut write) = tokio::io::split(stream);
    let mut reader = AsyncMavlinkReader::new(read);
    loop {
        tokio::select! {
            got = reader.read_any_raw_message::<MavMessage>() => {
                let raw = match got {
                    Ok(raw) => raw,
                    Err(e) => {
                        tracing::debug!(link = id, "stream closed: {e}");
                        return End::StreamClosed;
                    }
                };
                let Some(frame) = decode_raw(&raw) else { continue };
                on_frame(frame.sysid);
                let raw = keep_raw.bytes(&raw);
                let r = Received { link: id, at: Instant::now(), frame, raw, from: None };
                if inbound.send(r).await.is_err() {
                    return End::Shutdown;
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
    if let End::StreamClosed = pump(id, port, &inbound, &mut outgoing, keep_raw, |_| {}).await {
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
            && let End::Shutdown = pump(id, s, &inbound, &mut outgoing, keep_raw, |_| {}).await
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

/// Accepts TCP clients; each gets the frames for the systems heard on it.
pub(super) async fn serve_tcp(
    id: LinkId,
    listener: tokio::net::TcpListener,
    inbound: mpsc::Sender<Received>,
    mut outgoing: mpsc::Receiver<Outgoing>,
    keep_raw: KeepRaw,
) {
    let mut next_conn = 0u64;
    let mut conns: HashMap<u64, mpsc::Sender<Outgoing>> = HashMap::new();
    let conn_of: Arc<Mutex<HashMap<u8, u64>>> = Arc::default();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((tcp, from)) = accepted else { continue };
                let _ = tcp.set_nodelay(true);
                tracing::debug!(link = id, %from, "TCP client connected");
                let conn = next_conn;
                next_conn += 1;
                let (tx, mut rx) = mpsc::channel(OUTGOING_QUEUE);
                conns.insert(conn, tx);
                let inbound = inbound.clone();
                let conn_of = Arc::clone(&conn_of);
                tokio::spawn(async move {
                    pump(id, tcp, &inbound, &mut rx, keep_raw, |sysid| {
                        if let Ok(mut map) = conn_of.lock() {
                            map.insert(sysid, conn);
                        }
                    })
                    .await;
                });
            }
            out = outgoing.recv() => {
                let Some(out) = out else { return };
                let target_conn = out
                    .target
                    .and_then(|t| conn_of.lock().ok().and_then(|m| m.get(&t).copied()));
                conns.retain(|_, tx| !tx.is_closed());
                match target_conn.and_then(|c| conns.get(&c)) {
                    Some(tx) => {
                        let _ = tx.try_send(out);
                    }
                    None => {
                        for tx in conns.values() {
                            let _ = tx.try_send(out.clone());
                        }
                    }
                }
            }
        }
    }
}
