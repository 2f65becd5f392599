//! Writing telemetry logs: the record format, and a session recorder on its own thread.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender, TrySendError};
use std::time::{Instant, SystemTime};

use super::{TLOG_EXTENSION, TlogError, unix_us, utc_civil};
use crate::constants::{TLOG_BUFFER_BYTES, TLOG_FLUSH_INTERVAL, TLOG_QUEUE, TLOG_SYNC_INTERVAL};

/// A byte sink whose written data can be forced to stable storage.
pub trait SyncData: Write {
    /// Puts what was written on stable storage (a file's `sync_data`).
    fn sync_data(&mut self) -> io::Result<()>;
}

impl SyncData for File {
    fn sync_data(&mut self) -> io::Result<()> {
        File::sync_data(self)
    }
}

/// Memory has no storage to sync to.
impl SyncData for Vec<u8> {
    fn sync_data(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Appends `.tlog` records to a byte sink, buffering whole records.
///
/// Records are only ever written out whole (a buffer is written when it passes
/// [`TLOG_BUFFER_BYTES`] and on [`flush`](Self::flush)), so a process killed between
/// writes leaves a file that ends on a record boundary.
#[derive(Debug)]
pub struct TlogWriter<W: Write> {
    out: W,
    buf: Vec<u8>,
    records: u64,
    synced: u64,
}

impl<W: Write> TlogWriter<W> {
    /// A writer appending to `out`.
    pub fn new(out: W) -> Self {
        Self {
            out,
            buf: Vec::with_capacity(TLOG_BUFFER_BYTES + 512),
            records: 0,
            synced: 0,
        }
    }

    /// Appends one record: `time_us` (microseconds since the UNIX epoch), then `frame`,
    /// the complete MAVLink frame as on the wire.
    pub fn append(&mut self, time_us: u64, frame: &[u8]) -> io::Result<()> {
        self.buf.extend_from_slice(&time_us.to_be_bytes());
        self.buf.extend_from_slice(frame);
        self.records += 1;
        if self.buf.len() >= TLOG_BUFFER_BYTES {
            self.write_out()?;
        }
        Ok(())
    }

    /// Hands every buffered record to the sink and flushes it.
    pub fn flush(&mut self) -> io::Result<()> {
        self.write_out()?;
        self.out.flush()
    }

    /// Records appended so far.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// The sink, after flushing.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.flush()?;
        Ok(self.out)
    }

    /// Records synced to storage so far (by [`sync`](Self::sync) or [`close`](Self::close)).
    pub fn synced_records(&self) -> u64 {
        self.synced
    }

    fn write_out(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }
}

impl<W: SyncData> TlogWriter<W> {
    /// Flushes, then puts every record appended so far on stable storage.
    pub fn sync(&mut self) -> io::Result<()> {
        self.flush()?;
        self.out.sync_data()?;
        self.synced = self.records;
        Ok(())
    }

    /// Syncs (see [`sync`](Self::sync)) and returns the sink: closing a log this way
    /// leaves every record on disk.
    pub fn close(mut self) -> io::Result<W> {
        self.sync()?;
        Ok(self.out)
    }
}

/// The file name of a session started at `start`: its UTC time as QGroundControl
/// names tlogs, e.g. `2026-11-27 01-38-56.tlog`, with ` (2)`, ` (3)`... when taken.
pub fn session_file_name(start: SystemTime, attempt: u32) -> String {
    let (y, mo, d, h, mi, s) = utc_civil(unix_us(start) / 1_000_000);
    let stem = format!("{y:04}-{mo:02}-{d:02} {h:02}-{mi:02}-{s:02}");
    if attempt <= 1 {
        format!("{stem}.{TLOG_EXTENSION}")
    } else {
        format!("{stem} ({attempt}).{TLOG_EXTENSION}")
    }
}

/// One frame for the writer thread: when it passed, and its bytes.
type Record = (Instant, Arc<[u8]>);

/// Records one session's frames to a new `.tlog` file from a writer thread.
///
/// Exists so the link core never touches the disk: [`record`](Self::record) is a
/// non-blocking queue push; the thread buffers, writes whole records, flushes every
/// [`TLOG_FLUSH_INTERVAL`] and syncs the file to disk every [`TLOG_SYNC_INTERVAL`] and
/// when it closes. Frames are stamped from their monotonic receive (or send)
/// time against the session's wall-clock start, and never earlier than the record
/// before them, so stamps never go backwards in the file.
/// Dropping the recorder lets the thread write what is queued and close the file.
#[derive(Debug)]
pub struct TlogRecorder {
    tx: SyncSender<Record>,
    path: PathBuf,
    dropped: u64,
}

impl TlogRecorder {
    /// Creates `dir` if needed and a new session file in it named by the current time,
    /// and starts the writer thread.
    pub fn start(dir: &Path) -> Result<Self, TlogError> {
        let create = |path: &Path| {
            let path = path.to_path_buf();
            move |source| TlogError::Create { path, source }
        };
        std::fs::create_dir_all(dir).map_err(create(dir))?;
        let start_wall = SystemTime::now();
        let start_mono = Instant::now();
        let (path, file) = create_session_file(dir, start_wall)?;
        let (tx, rx) = mpsc::sync_channel::<Record>(TLOG_QUEUE);
        let thread_path = path.clone();
        std::thread::Builder::new()
            .name("tlog-writer".into())
            .spawn(move || {
                let base_us = unix_us(start_wall);
                if let Err(e) = write_session(&rx, file, base_us, start_mono) {
                    tracing::error!(
                        "telemetry log {} stopped: {e}; frames after this are not recorded",
                        thread_path.display()
                    );
                }
            })
            .map_err(create(&path))?;
        tracing::info!("recording telemetry to {}", path.display());
        Ok(Self {
            tx,
            path,
            dropped: 0,
        })
    }

    /// The session's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Queues one frame that passed at `at`; returns false (and counts it) if the
    /// writer is behind by [`TLOG_QUEUE`] frames or has stopped.
    pub fn record(&mut self, at: Instant, frame: Arc<[u8]>) -> bool {
        let Err(e) = self.tx.try_send((at, frame)) else {
            return true;
        };
        if self.dropped == 0 {
            let why = match e {
                TrySendError::Full(_) => "is not keeping up",
                TrySendError::Disconnected(_) => "has stopped",
            };
            tracing::warn!(
                "telemetry log {} {why}; frames are not recorded",
                self.path.display()
            );
        }
        self.dropped += 1;
        false
    }

    /// Frames not recorded because the writer was behind or stopped.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

fn create_session_file(dir: &Path, start: SystemTime) -> Result<(PathBuf, File), TlogError> {
    let mut attempt = 1;
    loop {
        let path = dir.join(session_file_name(start, attempt));
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 1000 => attempt += 1,
            Err(source) => return Err(TlogError::Create { path, source }),
        }
    }
}

/// The writer thread's loop: until every sender is gone, append, flush and sync on
/// time; then close the log, synced. Returns the sink.
fn write_session<W: SyncData>(
    rx: &mpsc::Receiver<Record>,
    out: W,
    base_us: u64,
    base: Instant,
) -> io::Result<W> {
    let stamp = |at: Instant| match at.checked_duration_since(base) {
        Some(d) => base_us.saturating_add(d.as_micros() as u64),
        None => base_us.saturating_sub(base.duration_since(at).as_micros() as u64),
    };
    let mut w = TlogWriter::new(out);
    let mut last_us = 0;
    let mut next_flush = Instant::now() + TLOG_FLUSH_INTERVAL;
    let mut next_sync = Instant::now() + TLOG_SYNC_INTERVAL;
    loop {
        let wait = next_flush.saturating_duration_since(Instant::now());
        match rx.recv_timeout(wait) {
            Ok((at, frame)) => {
                last_us = stamp(at).max(last_us);
                w.append(last_us, &frame)?;
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        let now = Instant::now();
        if now >= next_sync {
            w.sync()?;
            next_sync = now + TLOG_SYNC_INTERVAL;
            next_flush = now + TLOG_FLUSH_INTERVAL;
        } else if now >= next_flush {
            w.flush()?;
            next_flush = now + TLOG_FLUSH_INTERVAL;
        }
    }
    let records = w.records();
    let out = w.close()?;
    tracing::debug!("telemetry log closed after {records} records");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tlog::TlogReader;
    use crate::tlog::test_support::ScratchDir;
    use std::time::{Duration, UNIX_EPOCH};

    fn frame(seq: u8) -> Vec<u8> {
        use mavlink::dialects::common::{
            HEARTBEAT_DATA, MavAutopilot, MavMessage, MavModeFlag, MavState, MavType,
        };
        let msg = MavMessage::HEARTBEAT(HEARTBEAT_DATA {
            custom_mode: 0,
            mavtype: MavType::MAV_TYPE_QUADROTOR,
            autopilot: MavAutopilot::MAV_AUTOPILOT_PX4,
            base_mode: MavModeFlag::empty(),
            system_status: MavState::MAV_STATE_STANDBY,
            mavlink_version: 3,
        });
        crate::frame::encode_v2(1, 1, seq, &msg)
    }

    #[test]
    fn records_are_big_endian_microseconds_then_the_frame() {
        let mut w = TlogWriter::new(Vec::new());
        let f = frame(7);
        w.append(0x0102_0304_0506_0708, &f).unwrap();
        let bytes = w.into_inner().unwrap();
        assert_eq!(&bytes[..8], &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(&bytes[8..], &f[..]);
    }

    #[test]
    fn buffers_whole_records_until_flushed_or_full() {
        let mut w = TlogWriter::new(Vec::new());
        let f = frame(0);
        w.append(1, &f).unwrap();
        assert!(w.out.is_empty(), "one small record stays buffered");
        w.flush().unwrap();
        assert_eq!(w.out.len(), 8 + f.len());
        // Past the buffer size, whole records go out without a flush.
        let per = 8 + f.len();
        for i in 0..(TLOG_BUFFER_BYTES / per + 1) {
            w.append(i as u64, &f).unwrap();
        }
        assert!(!w.out.is_empty());
        assert_eq!(w.out.len() % per, 0, "only whole records are written");
        assert_eq!(w.records(), (TLOG_BUFFER_BYTES / per + 2) as u64);
    }

    /// A sink that remembers how much of what was written has been synced.
    #[derive(Default)]
    struct Disk {
        written: Vec<u8>,
        synced_len: usize,
        syncs: u32,
    }

    impl Write for Disk {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.written.extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl SyncData for Disk {
        fn sync_data(&mut self) -> io::Result<()> {
            self.synced_len = self.written.len();
            self.syncs += 1;
            Ok(())
        }
    }

    #[test]
    fn close_syncs_every_record_to_storage() {
        let mut w = TlogWriter::new(Disk::default());
        let f = frame(1);
        for t in 0..3 {
            w.append(t, &f).unwrap();
        }
        w.flush().unwrap();
        assert_eq!(w.out.syncs, 0, "a flush does not sync");
        assert_eq!(w.synced_records(), 0);
        w.sync().unwrap();
        assert_eq!(w.synced_records(), 3);
        w.append(3, &f).unwrap();
        let disk = w.close().unwrap();
        assert_eq!(disk.syncs, 2);
        assert_eq!(disk.written.len(), 4 * (8 + f.len()));
        assert_eq!(
            disk.synced_len,
            disk.written.len(),
            "close syncs the last record"
        );
    }

    #[test]
    fn a_session_ends_synced() {
        let (tx, rx) = mpsc::sync_channel::<Record>(16);
        let f: Arc<[u8]> = Arc::from(frame(2).as_slice());
        let t0 = Instant::now();
        for _ in 0..5 {
            tx.send((t0, Arc::clone(&f))).unwrap();
        }
        drop(tx);
        let disk = write_session(&rx, Disk::default(), 1_000_000, t0).unwrap();
        assert_eq!(disk.written.len(), 5 * (8 + f.len()));
        assert!(disk.syncs >= 1);
        assert_eq!(disk.synced_len, disk.written.len());
    }

    #[test]
    fn file_names_follow_qgroundcontrol_and_avoid_collisions() {
        let t = UNIX_EPOCH + Duration::from_secs(1_533_737_161);
        assert_eq!(session_file_name(t, 1), "2018-08-08 14-06-01.tlog");
        assert_eq!(session_file_name(t, 2), "2018-08-08 14-06-01 (2).tlog");
        let dir = ScratchDir::new("names");
        let (a, _) = create_session_file(dir.path(), t).unwrap();
        let (b, _) = create_session_file(dir.path(), t).unwrap();
        assert_ne!(a, b);
        assert!(
            b.ends_with("2018-08-08 14-06-01 (2).tlog"),
            "{}",
            b.display()
        );
    }

    #[test]
    fn recorder_writes_a_readable_session_file_in_a_new_directory() {
        let scratch = ScratchDir::new("recorder");
        let dir = scratch.path().join("logs").join("today");
        let before = unix_us(SystemTime::now());
        let mut rec = TlogRecorder::start(&dir).unwrap();
        let path = rec.path().to_path_buf();
        assert_eq!(path.parent(), Some(dir.as_path()));
        let t0 = Instant::now();
        for seq in 0..100u8 {
            let at = t0 + Duration::from_millis(u64::from(seq));
            assert!(rec.record(at, Arc::from(frame(seq).as_slice())));
        }
        assert_eq!(rec.dropped(), 0);
        drop(rec);
        // The thread closes the file once it has written what was queued.
        let deadline = Instant::now() + Duration::from_secs(20);
        let entries = loop {
            let entries: Vec<_> = TlogReader::open(&path)
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            if entries.len() == 100 || Instant::now() > deadline {
                break entries;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        assert_eq!(entries.len(), 100);
        for (i, e) in entries.iter().enumerate() {
            assert_eq!(usize::from(e.frame.sequence), i);
            assert!(e.time_us >= before && e.time_us > 1_577_836_800_000_000);
        }
        // Stamps follow the monotonic times given, 1 ms apart.
        let steps: Vec<u64> = entries
            .windows(2)
            .map(|w| w[1].time_us - w[0].time_us)
            .collect();
        assert!(steps.iter().all(|d| (999..=1001).contains(d)), "{steps:?}");
    }

    #[test]
    fn an_unwritable_directory_is_an_error_naming_it() {
        let scratch = ScratchDir::new("blocked");
        let file = scratch.path().join("not-a-dir");
        std::fs::write(&file, b"x").unwrap();
        let err = TlogRecorder::start(&file.join("sub")).unwrap_err();
        assert!(matches!(err, TlogError::Create { .. }));
        assert!(err.to_string().contains("not-a-dir"), "{err}");
    }
}
