//! Link addresses (`udpin:`, `udpout:`, `tcpin:`, `tcpout:`, `serial:`, `tlog:`) parsed into a typed config.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

/// Where and how a link reaches its drones.
///
/// Exists so a typo in `--connect` is reported once, with the expected form, before
/// any socket is opened (as rust-mavlink's `connectable` does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkAddress {
    /// Listen for UDP datagrams on a local address; reply to every peer heard.
    /// Written `udpin:IP:PORT`, or `udp:IP:PORT` as MAVProxy and pymavlink spell it.
    UdpIn(SocketAddr),
    /// Send UDP datagrams to a remote host; accept replies on the local socket.
    UdpOut {
        /// Remote host name or IP address.
        host: String,
        /// Remote UDP port.
        port: u16,
    },
    /// Accept TCP connections on a local address.
    TcpIn(SocketAddr),
    /// Connect to a remote TCP server, reconnecting when it drops.
    TcpOut {
        /// Remote host name or IP address.
        host: String,
        /// Remote TCP port.
        port: u16,
    },
    /// A serial port (radio modem, USB autopilot) at a baud rate.
    Serial {
        /// Device path, e.g. `/dev/ttyUSB0`.
        path: PathBuf,
        /// Baud rate in bits per second.
        baud: u32,
    },
    /// Replay of a telemetry log (`tlog:PATH` or `tlog:PATH@SPEED`): the frames the
    /// vehicles sent, with their recorded timing divided by `speed`. Frames sent to it
    /// are discarded. A path containing `@` needs an explicit speed (`tlog:a@b.tlog@1`).
    Tlog {
        /// The `.tlog` file.
        path: PathBuf,
        /// How many times faster than recorded to replay.
        speed: ReplaySpeed,
    },
}

/// A replay speed factor within [`ReplaySpeed::MIN`]..=[`ReplaySpeed::MAX`] (1 is as
/// recorded): bounded, so a recorded gap divided by it is always a duration.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct ReplaySpeed(f64);

// Never NaN, so equality is total.
impl Eq for ReplaySpeed {}

impl ReplaySpeed {
    /// As recorded.
    pub const REAL_TIME: Self = Self(1.0);

    /// The slowest replay: a thousand times slower than recorded.
    pub const MIN: Self = Self(1e-3);

    /// The fastest replay: a million times faster than recorded.
    pub const MAX: Self = Self(1e6);

    /// `factor` if it is within [`Self::MIN`]..=[`Self::MAX`] (so finite and positive).
    pub fn new(factor: f64) -> Option<Self> {
        (Self::MIN.0..=Self::MAX.0)
            .contains(&factor)
            .then_some(Self(factor))
    }

    /// The factor: 2 replays twice as fast as recorded.
    pub fn factor(self) -> f64 {
        self.0
    }
}

impl Default for ReplaySpeed {
    fn default() -> Self {
        Self::REAL_TIME
    }
}

impl fmt::Display for ReplaySpeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Why a link address could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// No `kind:` prefix, or an unknown one.
    #[error(
        "link address {input:?} has no known kind: expected udpin:IP:PORT (or udp:IP:PORT), udpout:HOST:PORT, tcpin:IP:PORT, tcpout:HOST:PORT, serial:PATH:BAUD or tlog:PATH[@SPEED]"
    )]
    UnknownKind {
        /// The address as given.
        input: String,
    },
    /// The part after the kind is not `HOST:PORT` / `IP:PORT`.
    #[error("link address {input:?}: expected {expected}")]
    BadEndpoint {
        /// The address as given.
        input: String,
        /// What form was expected there.
        expected: &'static str,
    },
    /// The port is not a number in 1..=65535 (0 is allowed for `*in` to pick any port).
    #[error("link address {input:?}: port {port:?} is not a number in 0..=65535")]
    BadPort {
        /// The address as given.
        input: String,
        /// The port text.
        port: String,
    },
    /// The serial baud rate is missing or not a positive number.
    #[error(
        "link address {input:?}: baud rate {baud:?} is not a positive number (e.g. serial:/dev/ttyUSB0:57600)"
    )]
    BadBaud {
        /// The address as given.
        input: String,
        /// The baud text.
        baud: String,
    },
    /// The replay speed after `@` is not a number greater than zero.
    #[error(
        "link address {input:?}: replay speed {speed:?} is not a factor in 0.001..=1000000 (e.g. tlog:flight.tlog@10; a path containing '@' needs one, e.g. @1)"
    )]
    BadSpeed {
        /// The address as given.
        input: String,
        /// The speed text.
        speed: String,
    },
}

impl FromStr for LinkAddress {
    type Err = AddressError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let unknown = || AddressError::UnknownKind {
            input: input.to_owned(),
        };
        let (kind, rest) = input.split_once(':').ok_or_else(unknown)?;
        match kind.to_ascii_lowercase().as_str() {
            // `udp:` listens, as in MAVProxy and pymavlink (`udp:0.0.0.0:14550`).
            "udpin" | "udp" => Ok(Self::UdpIn(parse_socket_addr(input, rest)?)),
            "tcpin" => Ok(Self::TcpIn(parse_socket_addr(input, rest)?)),
            "udpout" => {
                let (host, port) = parse_host_port(input, rest)?;
                Ok(Self::UdpOut { host, port })
            }
            "tcpout" | "tcp" => {
                let (host, port) = parse_host_port(input, rest)?;
                Ok(Self::TcpOut { host, port })
            }
            "serial" => {
                let (path, baud) = rest.rsplit_once(':').ok_or(AddressError::BadBaud {
                    input: input.to_owned(),
                    baud: String::new(),
                })?;
                if path.is_empty() {
                    return Err(AddressError::BadEndpoint {
                        input: input.to_owned(),
                        expected: "a device path before the baud rate",
                    });
                }
                let baud = baud.parse::<u32>().ok().filter(|b| *b > 0).ok_or_else(|| {
                    AddressError::BadBaud {
                        input: input.to_owned(),
                        baud: baud.to_owned(),
                    }
                })?;
                Ok(Self::Serial {
                    path: PathBuf::from(path),
                    baud,
                })
            }
            "tlog" => parse_tlog(input, rest),
            _ => Err(unknown()),
        }
    }
}

fn parse_tlog(input: &str, rest: &str) -> Result<LinkAddress, AddressError> {
    let (path, speed) = match rest.rsplit_once('@') {
        None => (rest, ReplaySpeed::REAL_TIME),
        Some((path, speed)) => {
            let factor = speed
                .parse::<f64>()
                .ok()
                .and_then(ReplaySpeed::new)
                .ok_or_else(|| AddressError::BadSpeed {
                    input: input.to_owned(),
                    speed: speed.to_owned(),
                })?;
            (path, factor)
        }
    };
    if path.is_empty() {
        return Err(AddressError::BadEndpoint {
            input: input.to_owned(),
            expected: "a .tlog file path, e.g. tlog:flight.tlog or tlog:flight.tlog@10",
        });
    }
    Ok(LinkAddress::Tlog {
        path: PathBuf::from(path),
        speed,
    })
}

fn parse_host_port(input: &str, rest: &str) -> Result<(String, u16), AddressError> {
    let (host, port) = rest.rsplit_once(':').ok_or(AddressError::BadEndpoint {
        input: input.to_owned(),
        expected: "HOST:PORT, e.g. udpout:127.0.0.1:14550",
    })?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return Err(AddressError::BadEndpoint {
            input: input.to_owned(),
            expected: "a host name or IP address before the port",
        });
    }
    let port = port.parse::<u16>().map_err(|_| AddressError::BadPort {
        input: input.to_owned(),
        port: port.to_owned(),
    })?;
    Ok((host.to_owned(), port))
}

fn parse_socket_addr(input: &str, rest: &str) -> Result<SocketAddr, AddressError> {
    let (host, port) = parse_host_port(input, rest)?;
    let ip = host.parse().map_err(|_| AddressError::BadEndpoint {
        input: input.to_owned(),
        expected: "a local IP address to listen on, e.g. udpin:0.0.0.0:14550",
    })?;
    Ok(SocketAddr::new(ip, port))
}

impl fmt::Display for LinkAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UdpIn(a) => write!(f, "udpin:{a}"),
            Self::UdpOut { host, port } => write!(f, "udpout:{}:{port}", bracket(host)),
            Self::TcpIn(a) => write!(f, "tcpin:{a}"),
            Self::TcpOut { host, port } => write!(f, "tcpout:{}:{port}", bracket(host)),
            Self::Serial { path, baud } => write!(f, "serial:{}:{baud}", path.display()),
            Self::Tlog { path, speed } => {
                let path = path.display().to_string();
                if *speed == ReplaySpeed::REAL_TIME && !path.contains('@') {
                    write!(f, "tlog:{path}")
                } else {
                    write!(f, "tlog:{path}@{speed}")
                }
            }
        }
    }
}

fn bracket(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_kind() {
        assert_eq!(
            "udpin:0.0.0.0:14550".parse(),
            Ok(LinkAddress::UdpIn("0.0.0.0:14550".parse().unwrap()))
        );
        assert_eq!(
            "udpout:localhost:14550".parse(),
            Ok(LinkAddress::UdpOut {
                host: "localhost".into(),
                port: 14550
            })
        );
        assert_eq!(
            "tcpin:127.0.0.1:5760".parse(),
            Ok(LinkAddress::TcpIn("127.0.0.1:5760".parse().unwrap()))
        );
        assert_eq!(
            "tcpout:[::1]:5760".parse(),
            Ok(LinkAddress::TcpOut {
                host: "::1".into(),
                port: 5760
            })
        );
        assert_eq!(
            "serial:/dev/ttyUSB0:57600".parse(),
            Ok(LinkAddress::Serial {
                path: "/dev/ttyUSB0".into(),
                baud: 57600
            })
        );
    }

    #[test]
    fn udp_listens_as_in_mavproxy_and_pymavlink() {
        assert_eq!(
            "udp:0.0.0.0:14550".parse(),
            Ok(LinkAddress::UdpIn("0.0.0.0:14550".parse().unwrap()))
        );
        assert_eq!(
            "UDP:127.0.0.1:0".parse(),
            Ok(LinkAddress::UdpIn("127.0.0.1:0".parse().unwrap()))
        );
        // A listening address needs a local IP, not a remote host name.
        let e = "udp:localhost:14550".parse::<LinkAddress>().unwrap_err();
        assert!(matches!(e, AddressError::BadEndpoint { .. }), "{e}");
        assert!(e.to_string().contains("udpin:0.0.0.0:14550"), "{e}");
    }

    #[test]
    fn display_round_trips() {
        for s in [
            "udpin:0.0.0.0:14550",
            "udpout:127.0.0.1:14550",
            "tcpin:127.0.0.1:5760",
            "tcpout:[::1]:5760",
            "serial:/dev/pts/3:115200",
            "tlog:/var/log/vigil/2026-11-27 01-38-56.tlog",
            "tlog:flight.tlog@10",
            "tlog:flight.tlog@0.25",
            "tlog:/mnt/usb@drone/a.tlog@1",
        ] {
            let a: LinkAddress = s.parse().unwrap();
            assert_eq!(a.to_string(), s);
            assert_eq!(a.to_string().parse::<LinkAddress>().unwrap(), a);
        }
    }

    #[test]
    fn errors_name_the_input_and_the_expected_form() {
        let e = "udp-in:1.2.3.4:5".parse::<LinkAddress>().unwrap_err();
        assert!(matches!(e, AddressError::UnknownKind { .. }));
        assert!(e.to_string().contains("udp-in:1.2.3.4:5"));
        assert!(e.to_string().contains("serial:PATH:BAUD"));

        let e = "udpin:localhost:14550".parse::<LinkAddress>().unwrap_err();
        assert!(matches!(e, AddressError::BadEndpoint { .. }), "{e}");

        let e = "udpout:host:99999".parse::<LinkAddress>().unwrap_err();
        assert!(matches!(e, AddressError::BadPort { .. }), "{e}");
        assert!(e.to_string().contains("99999"));

        let e = "serial:/dev/ttyUSB0:fast"
            .parse::<LinkAddress>()
            .unwrap_err();
        assert!(matches!(e, AddressError::BadBaud { .. }), "{e}");
        let e = "serial:/dev/ttyUSB0:0".parse::<LinkAddress>().unwrap_err();
        assert!(matches!(e, AddressError::BadBaud { .. }), "{e}");
        let e = "serial:/dev/ttyUSB0".parse::<LinkAddress>().unwrap_err();
        assert!(matches!(e, AddressError::BadBaud { .. }), "{e}");
        assert!(matches!(
            "nothing".parse::<LinkAddress>(),
            Err(AddressError::UnknownKind { .. })
        ));
        assert!(matches!(
            "tcpout::5760".parse::<LinkAddress>(),
            Err(AddressError::BadEndpoint { .. })
        ));
    }

    #[test]
    fn tlog_addresses_take_an_optional_speed_after_at() {
        let speed = |f| ReplaySpeed::new(f).unwrap();
        assert_eq!(
            "tlog:logs/flight.tlog".parse(),
            Ok(LinkAddress::Tlog {
                path: "logs/flight.tlog".into(),
                speed: ReplaySpeed::REAL_TIME
            })
        );
        assert_eq!(
            "tlog:C:\\logs\\flight.tlog@2.5".parse(),
            Ok(LinkAddress::Tlog {
                path: "C:\\logs\\flight.tlog".into(),
                speed: speed(2.5)
            })
        );
        // The last '@' separates the speed, so paths may contain '@' when it is given.
        assert_eq!(
            "tlog:/mnt/usb@drone/a.tlog@1".parse(),
            Ok(LinkAddress::Tlog {
                path: "/mnt/usb@drone/a.tlog".into(),
                speed: ReplaySpeed::REAL_TIME
            })
        );
        assert_eq!(ReplaySpeed::default(), ReplaySpeed::REAL_TIME);
        assert_eq!(speed(10.0).factor(), 10.0);
    }

    #[test]
    fn tlog_address_errors_name_the_bad_part() {
        for (bad, speed) in [
            ("tlog:flight.tlog@", ""),
            ("tlog:flight.tlog@fast", "fast"),
            ("tlog:flight.tlog@0", "0"),
            ("tlog:flight.tlog@-2", "-2"),
            ("tlog:flight.tlog@inf", "inf"),
            ("tlog:flight.tlog@NaN", "NaN"),
            ("tlog:/mnt/usb@drone/a.tlog", "drone/a.tlog"),
        ] {
            let e = bad.parse::<LinkAddress>().unwrap_err();
            assert_eq!(
                e,
                AddressError::BadSpeed {
                    input: bad.into(),
                    speed: speed.into()
                }
            );
            assert!(e.to_string().contains(bad), "{e}");
            assert!(e.to_string().contains("tlog:flight.tlog@10"), "{e}");
        }
        for bad in ["tlog:", "tlog:@10"] {
            let e = bad.parse::<LinkAddress>().unwrap_err();
            assert!(matches!(e, AddressError::BadEndpoint { .. }), "{bad}: {e}");
            assert!(e.to_string().contains(".tlog file path"), "{e}");
        }
        let e = "tlogs:flight.tlog".parse::<LinkAddress>().unwrap_err();
        assert!(e.to_string().contains("tlog:PATH[@SPEED]"), "{e}");
        assert_eq!(ReplaySpeed::new(0.0), None);
        assert_eq!(ReplaySpeed::new(f64::NAN), None);
        // A speed so small that a recorded gap divided by it overflows a Duration.
        assert_eq!(ReplaySpeed::new(1e-300), None);
        assert_eq!(ReplaySpeed::new(1e300), None);
        assert!(matches!(
            "tlog:a.tlog@1e-300".parse::<LinkAddress>(),
            Err(AddressError::BadSpeed { .. })
        ));
    }
}
