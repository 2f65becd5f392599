//! Byte transports under the MAVLink core: UDP, TCP and serial, each in its own tokio task,
//! and replay of a telemetry log.
//!
//! A transport decodes frames with rust-mavlink and forwards them to one inbound channel
//! shared by every link; it sends the encoded frames it is given, to the peer that
//! last spoke with the target system id where it has several peers. A UDP link, or a
//! TCP server link with several clients, learns those peers from every frame, or only
//! from frames its receiver vouches for ([`PeerLearning`]).

mod datagram;
mod replay;
mod stream;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::mpsc;

use crate::address::LinkAddress;
use crate::frame::{Frame, FrameHeader};

/// Index of a link in the order the links were opened.
pub type LinkId = usize;

/// How many outgoing frames a link queues before senders wait.
pub const OUTGOING_QUEUE: usize = 256;

/// A frame received on a link.
#[derive(Debug, Clone)]
pub struct Received {
    /// The link it came in on.
    pub link: LinkId,
    /// When it was decoded.
    pub at: Instant,
    /// The decoded frame.
    pub frame: Frame,
    /// The frame's bytes as received, kept only for links opened with [`KeepRaw::Yes`]
    /// (for the telemetry log); `None` otherwise, and for replayed frames.
    pub raw: Option<Arc<[u8]>>,
    /// The address it came from: on UDP links the sender's, on TCP server links the
    /// client's (naming its connection); `None` on others.
    pub from: Option<SocketAddr>,
    /// Frames received on this link just before this one that were not decoded (another
    /// dialect's messages, in a replayed log), in order: link quality counts them as
    /// received. Empty (no allocation) almost always.
    pub undecoded: Vec<FrameHeader>,
}

/// Whether a link keeps each received frame's bytes in [`Received::raw`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeepRaw {
    /// Decode only (the default: costs nothing).
    #[default]
    No,
    /// Copy the bytes of signed frames only (and RADIO_STATUS, which radios never
    /// sign), for signature checks: unsigned frames cost nothing.
    Signed,
    /// Also copy each frame's bytes, for recording.
    Yes,
}

impl KeepRaw {
    /// The bytes of `raw` if they are kept.
    pub(crate) fn bytes(self, raw: &mavlink::MAVLinkMessageRaw) -> Option<Arc<[u8]>> {
        /// MAVLINK_IFLAG_SIGNED.
        const SIGNED: u8 = 0x01;
        /// RADIO_STATUS, passed unsigned by MAVProxy and PX4.
        const RADIO_STATUS: u32 = 109;
        let keep = match (self, raw) {
            (Self::No, _) => false,
            (Self::Yes, _) => true,
            (Self::Signed, mavlink::MAVLinkMessageRaw::V2(v2)) => {
                v2.incompatibility_flags() & SIGNED != 0 || v2.message_id() == RADIO_STATUS
            }
            (Self::Signed, mavlink::MAVLinkMessageRaw::V1(v1)) => {
                u32::from(v1.message_id()) == RADIO_STATUS
            }
        };
        keep.then(|| Arc::from(crate::tlog::frame_bytes(raw)))
    }
}

/// How a UDP link learns the address each system speaks from, or a TCP server link the
/// client connection, where frames for that system go (other links have one peer and
/// ignore this).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PeerLearning {
    /// From every frame decoded (the default); a TCP server's clients get frames for
    /// everyone from the moment they connect.
    #[default]
    OnReceive,
    /// Only from frames the receiver vouches for with [`OpenLink::vouch`], once it has
    /// checked them: with MAVLink 2 signing, a spoofer's unsigned or badly signed
    /// datagrams or connection must not redirect what we send. A peer gets nothing,
    /// not even frames for everyone, before a frame from it was vouched for.
    Vouched,
}

/// An encoded frame to send on a link.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The complete MAVLink frame.
    pub bytes: Vec<u8>,
    /// The system it is for: links with several peers send it only to that system's
    /// peer once heard; `None` goes to every peer.
    pub target: Option<u8>,
}

/// Why a link could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// Binding, connecting or resolving failed.
    #[error("cannot open link {address}: {source}")]
    Io {
        /// The link address.
        address: LinkAddress,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The serial port could not be opened.
    #[error("cannot open serial link {address}: {source}")]
    Serial {
        /// The link address.
        address: LinkAddress,
        /// The serial driver's reason.
        source: tokio_serial::Error,
    },
    /// The telemetry log to replay could not be opened.
    #[error("cannot open link {address}: {source}")]
    Tlog {
        /// The link address.
        address: LinkAddress,
        /// Why.
        source: crate::tlog::TlogError,
    },
}

/// An open link: where outgoing frames go, and the local address where one applies.
#[derive(Debug, Clone)]
pub struct OpenLink {
    /// Queue of frames to send on this link.
    pub outgoing: mpsc::Sender<Outgoing>,
    /// The local socket address (useful with port 0), for UDP and TCP-in links.
    pub local_addr: Option<SocketAddr>,
    /// The peers of a link that has several.
    peers: Option<Peers>,
}

/// Where a link with several peers sends each system's frames.
#[derive(Debug, Clone)]
enum Peers {
    /// A UDP link's peer addresses.
    Datagram(datagram::PeerBook),
    /// A TCP server link's client connections.
    Stream(stream::ConnBook),
}

impl OpenLink {
    /// Frames this link's task dropped on its own because a destination did not keep up
    /// (a TCP server's client connection not reading); frames dropped at the link's
    /// own queue are counted by whoever sends on it.
    pub fn dropped_frames(&self) -> u64 {
        match &self.peers {
            Some(Peers::Stream(conns)) => conns.dropped(),
            _ => 0,
        }
    }

    /// Sends frames for `r`'s system to where `r` came from (a UDP address, a TCP
    /// server's client connection), from now on: for links opened with
    /// [`PeerLearning::Vouched`], once `r` passed the receiver's checks. Does nothing
    /// on links with one peer.
    pub fn vouch(&self, r: &Received) {
        let Some(from) = r.from else { return };
        match &self.peers {
            Some(Peers::Datagram(peers)) => peers.learn(r.link, r.frame.sysid, from),
            Some(Peers::Stream(conns)) => conns.learn(r.link, r.frame.sysid, from),
            None => {}
        }
    }
}

/// Opens `address` and spawns its task; frames received go to `inbound` tagged `id`.
///
/// The task ends when every clone of the returned [`OpenLink::outgoing`] is dropped
/// or `inbound` is closed.
pub async fn open(
    id: LinkId,
    address: &LinkAddress,
    inbound: mpsc::Sender<Received>,
) -> Result<OpenLink, TransportError> {
    open_with(id, address, inbound, KeepRaw::No, PeerLearning::OnReceive).await
}

/// As [`open`], keeping each received frame's bytes when `keep_raw` says so, and
/// learning UDP peers' addresses as `learning` says.
pub async fn open_with(
    id: LinkId,
    address: &LinkAddress,
    inbound: mpsc::Sender<Received>,
    keep_raw: KeepRaw,
    learning: PeerLearning,
) -> Result<OpenLink, TransportError> {
    let io_err = |source| TransportError::Io {
        address: address.clone(),
        source,
    };
    let (tx, rx) = mpsc::channel(OUTGOING_QUEUE);
    let mut peers = None;
    let local_addr = match address {
        LinkAddress::UdpIn(bind) => {
            let socket = tokio::net::UdpSocket::bind(bind).await.map_err(io_err)?;
            let local = socket.local_addr().map_err(io_err)?;
            peers = Some(Peers::Datagram(datagram::spawn(
                id, socket, None, inbound, rx, keep_raw, learning,
            )));
            Some(local)
        }
        LinkAddress::UdpOut { host, port } => {
            let remote = tokio::net::lookup_host((host.as_str(), *port))
                .await
                .map_err(io_err)?
                .next()
                .ok_or_else(|| {
                    io_err(std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        format!("host {host} has no address"),
                    ))
                })?;
            let bind: std::net::SocketAddr = if remote.is_ipv4() {
                "0.0.0.0:0".parse().expect("literal address")
            } else {
                "[::]:0".parse().expect("literal address")
            };
            let socket = tokio::net::UdpSocket::bind(bind).await.map_err(io_err)?;
            let local = socket.local_addr().map_err(io_err)?;
            peers = Some(Peers::Datagram(datagram::spawn(
                id,
                socket,
                Some(remote),
                inbound,
                rx,
                keep_raw,
                learning,
            )));
            Some(local)
        }
        LinkAddress::TcpIn(bind) => {
            let listener = tokio::net::TcpListener::bind(bind).await.map_err(io_err)?;
            let local = listener.local_addr().map_err(io_err)?;
            peers = Some(Peers::Stream(stream::spawn_server(
                id, listener, inbound, rx, keep_raw, learning,
            )));
            Some(local)
        }
        LinkAddress::TcpOut { host, port } => {
            let tcp = tokio::net::TcpStream::connect((host.as_str(), *port))
                .await
                .map_err(io_err)?;
            tcp.set_nodelay(true).map_err(io_err)?;
            tokio::spawn(stream::run_tcp_out(
                id,
                tcp,
                host.clone(),
                *port,
                inbound,
                rx,
                keep_raw,
            ));
            None
        }
        LinkAddress::Serial { path, baud } => {
            use tokio_serial::SerialPortBuilderExt;
            let port = tokio_serial::new(path.to_string_lossy(), *baud)
                .open_native_async()
                .map_err(|source| TransportError::Serial {
                    address: address.clone(),
                    source,
                })?;
            tokio::spawn(stream::run_serial(id, port, inbound, rx, keep_raw));
            None
        }
        LinkAddress::Tlog { path, speed } => {
            let reader = crate::tlog::TlogReader::open_replayable(path).map_err(|source| {
                TransportError::Tlog {
                    address: address.clone(),
                    source,
                }
            })?;
            replay::spawn(id, reader, *speed, inbound, rx);
            None
        }
    };
    Ok(OpenLink {
        outgoing: tx,
        local_addr,
        peers,
    })
}
