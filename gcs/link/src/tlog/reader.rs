//! Reading telemetry logs: records validated and decoded by rust-mavlink, damage skipped.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use mavlink::consts::MAX_FRAME_SIZE;

use super::{TIMESTAMP_LEN, TlogError};
use crate::frame::{Frame, FrameHeader, Parsed, decode_raw, hold_undecoded, parse};

/// The longest record: a timestamp and the largest (signed MAVLink 2) frame.
const MAX_RECORD: usize = TIMESTAMP_LEN + MAX_FRAME_SIZE;

/// Bytes read from the file at a time.
const READ_CHUNK: usize = 64 * 1024;

/// One logged frame.
#[derive(Debug, Clone)]
pub struct TlogEntry {
    /// When it was logged, in microseconds since the UNIX epoch.
    pub time_us: u64,
    /// The decoded frame (`common` dialect).
    pub frame: Frame,
    /// Frames logged just before this one (after the previous entry) that were not
    /// decoded: messages of another dialect and `common` messages that do not decode,
    /// in order. Link quality counts them as received.
    pub undecoded: Vec<FrameHeader>,
}

/// What a reader has seen so far, besides the entries it returned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadStats {
    /// Entries returned.
    pub frames: u64,
    /// Well-formed frames of messages outside the `common` dialect (e.g. ArduPilot's
    /// `AHRS2`): skipped whole, since without the message's definition their checksum
    /// cannot be verified.
    pub other_dialect_frames: u64,
    /// Valid frames of `common` messages that do not decode in the `common` dialect: a
    /// field holds a value outside its enum (ArduPilot acknowledges SET_MODE with a
    /// COMMAND_ACK whose command is 11, not a MAV_CMD), or a 32-bit system id.
    pub undecodable_frames: u64,
    /// Bytes skipped to find the next valid record after damage (bad start marker,
    /// bad checksum of a known message).
    pub corrupt_bytes: u64,
    /// Bytes of an incomplete last record (a log cut short mid-write).
    pub truncated_bytes: u64,
}

/// What the bytes at a record boundary hold.
// Returned by value and matched at once: boxing the entry would cost an allocation per frame.
#[allow(clippy::large_enum_variant)]
enum Record {
    /// A valid `common` frame: the record's length and its entry.
    Frame(usize, TlogEntry),
    /// A well-formed frame of another dialect: the record's length and its header.
    Other(usize, Option<FrameHeader>),
    /// A valid frame that does not decode in `common`: the record's length and header.
    Undecodable(usize, Option<FrameHeader>),
    /// The record runs past the end of the data.
    Truncated,
    /// Not a record.
    Corrupt,
}

/// Reads a `.tlog` as an iterator of [`TlogEntry`].
///
/// Each record is checked by rust-mavlink (start marker, length, CRC with the
/// message's CRC-extra). Damaged bytes are skipped one at a time until a record with a
/// valid `common` frame starts, and counted in [`stats`](Self::stats); only I/O errors
/// end the iteration with an error, which names the file.
///
/// ```no_run
/// # fn demo() -> Result<(), gcs_link::tlog::TlogError> {
/// let mut reader = gcs_link::tlog::TlogReader::open("flight.tlog")?;
/// for entry in &mut reader {
///     let entry = entry?;
///     println!("{} {:?}", entry.time_us, entry.frame.msg);
/// }
/// println!("skipped {} damaged bytes", reader.stats().corrupt_bytes);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct TlogReader<R = File> {
    input: R,
    path: PathBuf,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
    failed: bool,
    /// Whether the previous record was valid (a well-formed record of another dialect
    /// is only trusted right after a valid one).
    in_sync: bool,
    stats: ReadStats,
    /// Headers of the frames skipped since the last entry returned.
    undecoded: Vec<FrameHeader>,
}

impl TlogReader<File> {
    /// Opens the log at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, TlogError> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|source| TlogError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Self::new(file, path))
    }

    /// Opens the log at `path` once it is known to hold at least one frame, so that a
    /// replay of an empty or foreign file fails at once with
    /// [`TlogError::NoFrames`] naming it.
    pub fn open_replayable(path: impl AsRef<Path>) -> Result<Self, TlogError> {
        let path = path.as_ref();
        match Self::open(path)?.next() {
            Some(Ok(_)) => Self::open(path),
            Some(Err(e)) => Err(e),
            None => Err(TlogError::NoFrames {
                path: path.to_path_buf(),
            }),
        }
    }
}

impl<R: Read> TlogReader<R> {
    /// Reads a log from `input`; `path` names it in errors.
    pub fn new(input: R, path: impl Into<PathBuf>) -> Self {
        Self {
            input,
            path: path.into(),
            buf: Vec::with_capacity(READ_CHUNK + MAX_RECORD),
            pos: 0,
            eof: false,
            failed: false,
            in_sync: true,
            stats: ReadStats::default(),
            undecoded: Vec::new(),
        }
    }

    /// The file being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What was read and skipped so far (complete once the iterator returned `None`).
    pub fn stats(&self) -> ReadStats {
        self.stats
    }

    /// Makes at least one longest record available unless the input ends first.
    fn fill(&mut self) -> io::Result<()> {
        if self.buf.len() - self.pos >= MAX_RECORD || self.eof {
            return Ok(());
        }
        self.buf.drain(..self.pos);
        self.pos = 0;
        while self.buf.len() < MAX_RECORD && !self.eof {
            let start = self.buf.len();
            self.buf.resize(start + READ_CHUNK, 0);
            match self.input.read(&mut self.buf[start..]) {
                Ok(0) => {
                    self.buf.truncate(start);
                    self.eof = true;
                }
                Ok(n) => self.buf.truncate(start + n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => self.buf.truncate(start),
                Err(e) => {
                    self.buf.truncate(start);
                    return Err(e);
                }
            }
        }
        Ok(())
    }
}

impl<R: Read> Iterator for TlogReader<R> {
    type Item = Result<TlogEntry, TlogError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        loop {
            if let Err(source) = self.fill() {
                self.failed = true;
                return Some(Err(TlogError::Read {
                    path: self.path.clone(),
                    source,
                }));
            }
            let rest = &self.buf[self.pos..];
            if rest.is_empty() {
                return None;
            }
            match parse_record(rest) {
                Record::Frame(len, mut entry) => {
                    self.pos += len;
                    self.in_sync = true;
                    self.stats.frames += 1;
                    entry.undecoded = std::mem::take(&mut self.undecoded);
                    return Some(Ok(entry));
                }
                Record::Other(len, header) if self.in_sync => {
                    self.pos += len;
                    self.stats.other_dialect_frames += 1;
                    if let Some(h) = header {
                        hold_undecoded(&mut self.undecoded, h);
                    }
                }
                Record::Undecodable(len, header) => {
                    self.pos += len;
                    self.in_sync = true;
                    self.stats.undecodable_frames += 1;
                    if let Some(h) = header {
                        hold_undecoded(&mut self.undecoded, h);
                    }
                }
                Record::Truncated if self.in_sync => {
                    // Only at the end of the data: `fill` made a longest record available.
                    self.stats.truncated_bytes += rest.len() as u64;
                    self.pos = self.buf.len();
                    return None;
                }
                Record::Other(..) | Record::Truncated | Record::Corrupt => {
                    self.pos += 1;
                    self.in_sync = false;
                    self.stats.corrupt_bytes += 1;
                }
            }
        }
    }
}

/// Parses the record at the start of `bytes` (which holds a longest record, or the
/// rest of the data).
fn parse_record(bytes: &[u8]) -> Record {
    let Some((stamp, frame)) = bytes.split_first_chunk::<TIMESTAMP_LEN>() else {
        return Record::Truncated;
    };
    let time_us = u64::from_be_bytes(*stamp);
    match parse(frame) {
        Parsed::Valid(raw, len) => match decode_raw(&raw) {
            Some(frame) => Record::Frame(
                TIMESTAMP_LEN + len,
                TlogEntry {
                    time_us,
                    frame,
                    undecoded: Vec::new(),
                },
            ),
            None => Record::Undecodable(TIMESTAMP_LEN + len, FrameHeader::of(&raw)),
        },
        Parsed::Other(len, header) => Record::Other(TIMESTAMP_LEN + len, header),
        Parsed::Truncated => Record::Truncated,
        Parsed::Corrupt => Record::Corrupt,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::encode_v2;
    use crate::tlog::TlogWriter;
    use crate::tlog::test_support::ScratchDir;
    use mavlink::MAVLinkV1MessageRaw;
    use mavlink::Message;
    use mavlink::dialects::common::MavMessage;
    use mavlink::dialects::common::{ATTITUDE_DATA, HEARTBEAT_DATA, SYSTEM_TIME_DATA};

    fn attitude(t: u32) -> MavMessage {
        MavMessage::ATTITUDE(ATTITUDE_DATA {
            time_boot_ms: t,
            roll: 0.1,
            ..Default::default()
        })
    }

    fn log(records: &[(u64, Vec<u8>)]) -> Vec<u8> {
        let mut w = TlogWriter::new(Vec::new());
        for (t, f) in records {
            w.append(*t, f).unwrap();
        }
        w.into_inner().unwrap()
    }

    fn read_all(bytes: &[u8]) -> (Vec<TlogEntry>, ReadStats) {
        let mut r = TlogReader::new(bytes, "test.tlog");
        let entries = (&mut r).collect::<Result<Vec<_>, _>>().unwrap();
        (entries, r.stats())
    }

    #[test]
    fn reads_back_what_was_written_in_order() {
        let records: Vec<_> = (0..2000u32)
            .map(|i| {
                (
                    1_000_000 + u64::from(i) * 20_000,
                    encode_v2(3, 1, i as u8, &attitude(i)),
                )
            })
            .collect();
        let (entries, stats) = read_all(&log(&records));
        assert_eq!(entries.len(), 2000);
        for (i, e) in entries.iter().enumerate() {
            assert_eq!(e.time_us, records[i].0);
            assert_eq!(e.frame.sysid, 3);
            let MavMessage::ATTITUDE(a) = &e.frame.msg else {
                panic!("{:?}", e.frame.msg)
            };
            assert_eq!(a.time_boot_ms, i as u32);
        }
        assert_eq!(
            stats,
            ReadStats {
                frames: 2000,
                ..Default::default()
            }
        );
    }

    #[test]
    fn mavlink_1_records_are_read() {
        let mut raw = MAVLinkV1MessageRaw::new();
        let header = mavlink::MavHeader {
            system_id: 9,
            component_id: 1,
            sequence: 4,
        };
        raw.serialize_message(header, &MavMessage::HEARTBEAT(HEARTBEAT_DATA::default()));
        let (entries, _) = read_all(&log(&[(5, raw.raw_bytes().to_vec())]));
        assert_eq!(entries.len(), 1);
        assert_eq!((entries[0].time_us, entries[0].frame.sysid), (5, 9));
    }

    #[test]
    fn damage_is_skipped_and_counted() {
        let good = |i: u32| (u64::from(i), encode_v2(1, 1, i as u8, &attitude(i)));
        let mut bytes = log(&[good(0), good(1)]);
        bytes.extend_from_slice(&[0xde, 0xad, 0xbe, 0xef, 0xfd, 0xfe, 0x00]); // 7 bytes of noise
        let mut bad_crc = log(&[good(2)]);
        let n = bad_crc.len();
        bad_crc[n - 1] ^= 0xff; // a whole record with a broken checksum
        bytes.extend_from_slice(&bad_crc);
        bytes.extend_from_slice(&log(&[good(3), good(4)]));
        let (entries, stats) = read_all(&bytes);
        let times: Vec<u64> = entries.iter().map(|e| e.time_us).collect();
        assert_eq!(times, vec![0, 1, 3, 4]);
        assert_eq!(stats.frames, 4);
        assert_eq!(stats.corrupt_bytes, 7 + n as u64);
        assert_eq!(stats.truncated_bytes, 0);
    }

    #[test]
    fn a_cut_off_last_record_is_counted_not_an_error() {
        let f = encode_v2(1, 1, 0, &attitude(0));
        let mut bytes = log(&[(1, f.clone()), (2, f.clone())]);
        let cut = 8 + f.len() / 2;
        bytes.truncate(bytes.len() - cut);
        let (entries, stats) = read_all(&bytes);
        assert_eq!(entries.len(), 1);
        assert_eq!(stats.truncated_bytes, (8 + f.len() - cut) as u64);
        // A lone partial timestamp too.
        let (entries, stats) = read_all(&log(&[(1, f)])[..5]);
        assert!(entries.is_empty());
        assert_eq!(stats.truncated_bytes, 5);
    }

    #[test]
    fn frames_of_other_dialects_are_skipped_whole() {
        // A well-formed MAVLink 2 frame of a message id `common` does not define
        // (ArduPilot's AHRS2, 178): its CRC-extra is unknown here, so it is skipped.
        let mut other = encode_v2(
            1,
            1,
            0,
            &MavMessage::SYSTEM_TIME(SYSTEM_TIME_DATA::default()),
        );
        other[7..10].copy_from_slice(&178u32.to_le_bytes()[..3]);
        assert!(MavMessage::default_message_from_id(178).is_none());
        let bytes = log(&[
            (1, encode_v2(1, 1, 1, &attitude(1))),
            (2, other),
            (3, encode_v2(1, 1, 2, &attitude(2))),
        ]);
        let (entries, stats) = read_all(&bytes);
        assert_eq!(entries.len(), 2);
        assert_eq!(stats.other_dialect_frames, 1);
        assert_eq!(stats.corrupt_bytes, 0);
    }

    #[test]
    fn a_flood_of_other_dialect_frames_holds_a_bounded_number_of_headers() {
        use crate::constants::MAX_UNDECODED_HELD;
        let mut other = encode_v2(
            1,
            1,
            0,
            &MavMessage::SYSTEM_TIME(SYSTEM_TIME_DATA::default()),
        );
        other[7..10].copy_from_slice(&178u32.to_le_bytes()[..3]);
        let flood = MAX_UNDECODED_HELD + 500;
        let mut records: Vec<_> = (0..flood).map(|i| (i as u64, other.clone())).collect();
        records.push((flood as u64, encode_v2(1, 1, 1, &attitude(1))));
        let (entries, stats) = read_all(&log(&records));
        assert_eq!(stats.other_dialect_frames, flood as u64);
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].undecoded.len(), MAX_UNDECODED_HELD);
    }

    #[test]
    fn records_spanning_read_chunks_are_whole() {
        // More than several read chunks, so records straddle chunk boundaries.
        let records: Vec<_> = (0..(4 * READ_CHUNK / 40) as u32)
            .map(|i| (u64::from(i), encode_v2(1, 1, i as u8, &attitude(i))))
            .collect();
        let bytes = log(&records);
        let (entries, stats) = read_all(&bytes);
        assert_eq!(entries.len(), records.len());
        assert_eq!(stats.corrupt_bytes + stats.truncated_bytes, 0);
    }

    #[test]
    fn errors_name_the_file() {
        let err = TlogReader::open("/nonexistent/dir/flight.tlog").unwrap_err();
        assert!(matches!(err, TlogError::Open { .. }));
        assert!(
            err.to_string().contains("/nonexistent/dir/flight.tlog"),
            "{err}"
        );

        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("disk on fire"))
            }
        }
        let mut r = TlogReader::new(Failing, "/logs/a.tlog");
        let err = r.next().unwrap().unwrap_err();
        assert!(err.to_string().contains("/logs/a.tlog"), "{err}");
        assert!(err.to_string().contains("disk on fire"), "{err}");
        assert!(r.next().is_none(), "iteration ends after an I/O error");
    }

    #[test]
    fn reads_a_file_written_to_disk() {
        let dir = ScratchDir::new("reader");
        let path = dir.path().join("a.tlog");
        std::fs::write(&path, log(&[(42, encode_v2(1, 1, 0, &attitude(0)))])).unwrap();
        let entries: Vec<_> = TlogReader::open(&path)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(entries[0].time_us, 42);
    }
}
