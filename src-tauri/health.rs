//! The staff health screen's report: is this kiosk well? Versions, library, databases,
//! queue, disk, config problems, and anonymous usage.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::Connection;
use serde::Serialize;

use crate::config::Config;
use crate::library::Library;

/// The report, for staff behind the PIN.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    /// This app's version (Cargo's).
    pub app_version: String,
    /// `kiosk`, `front-desk` or `windowed`.
    pub mode: crate::config::Mode,
    /// First 12 characters of the content hash the library was built from.
    pub content_version: Option<String>,
    /// Articles in the library, both languages.
    pub article_count: Option<i64>,
    /// library.db with its write-ahead log, in bytes.
    pub library_bytes: Option<u64>,
    /// kiosk.db with its write-ahead log, in bytes.
    pub kiosk_bytes: Option<u64>,
    /// Outbox rows waiting for their next try (the kiosk's own inbox left out).
    pub queue_length: Option<i64>,
    /// Rows a destination refused for good, waiting for staff to retry them.
    pub failed_deliveries: Option<i64>,
    /// Unix ms the oldest waiting row was made.
    pub oldest_waiting: Option<i64>,
    /// The destinations in the config, such as `["clinic-webhook (webhook)"]`.
    pub destinations: Vec<String>,
    /// Unix ms of the last delivery, if any.
    pub last_delivery: Option<i64>,
    /// Free space where the data folder is, in bytes.
    pub free_disk_bytes: Option<u64>,
    /// `ok`, `low` or `full` by [`disk_state`]: with `full`, callback requests cannot be
    /// saved (patients are sent to the front desk).
    pub disk: DiskState,
    /// The config file's problems, as `path:line: key: message`.
    pub config_problems: Vec<String>,
    /// Why the library cannot be used, if it cannot.
    pub library_problem: Option<String>,
    /// The installed article pack failed its check at start (the shipped articles are used).
    pub content_problem: Option<String>,
    /// Anonymous counts of the last 30 days.
    pub usage: Option<crate::store::Usage>,
    /// Requests erased in the last 30 days because no destination took them within
    /// `undelivered_max_days` (a warning for staff: check the destinations).
    pub erased_undelivered: Option<i64>,
    /// kiosk.db was found damaged at a start in the last 30 days and replaced: when, the
    /// damaged file's name, how many requests came back (issue #16).
    pub kiosk_recovered: Option<crate::store::repair::Recovered>,
    /// Whether the data folder is on an encrypted block device (dm-crypt/LUKS):
    /// `encrypted`, `notEncrypted` or `unknown`.
    pub data_encryption: crate::paths::Encryption,
}

/// How full the disk holding the data folder is (issue #16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum DiskState {
    /// Room enough.
    Ok,
    /// Under [`DISK_LOW_BYTES`] free: free space soon.
    Low,
    /// Under [`DISK_FULL_BYTES`] free, or the staff reserve (`store::reserve`) was used and
    /// there is no room to make it again: a callback request may not fit; patients are sent
    /// to the front desk until space is freed.
    Full,
    /// The free space could not be read.
    Unknown,
}

/// Below this many free bytes the disk counts as full: a submit writes a few pages to the
/// WAL, and a checkpoint may need as many again in kiosk.db.
pub const DISK_FULL_BYTES: u64 = 1024 * 1024;
/// Below this many free bytes the health screen warns that the disk is filling up.
pub const DISK_LOW_BYTES: u64 = 64 * 1024 * 1024;

/// The disk's state from its free bytes (`None`: unknown).
pub fn disk_state(free_bytes: Option<u64>) -> DiskState {
    match free_bytes {
        None => DiskState::Unknown,
        Some(n) if n < DISK_FULL_BYTES => DiskState::Full,
        Some(n) if n < DISK_LOW_BYTES => DiskState::Low,
        Some(_) => DiskState::Ok,
    }
}

/// What the report is made from: the app's running state.
pub struct Sources<'a> {
    /// The library, or why it could not be opened.
    pub library: &'a Mutex<Result<Library, String>>,
    /// kiosk.db, when it could be opened.
    pub kiosk: Option<&'a Mutex<Connection>>,
    /// The config in use.
    pub config: &'a Config,
    /// The config file's problems (and the library's disagreements with it).
    pub config_problems: &'a [String],
    /// Why the installed pack is not in use, if it failed its check at start.
    pub content_problem: Option<&'a str>,
    /// The data folder.
    pub data_dir: &'a Path,
}

/// A database file and its write-ahead log, in bytes.
fn file_size(path: &Path) -> Option<u64> {
    let main = std::fs::metadata(path).ok()?.len();
    let wal = std::fs::metadata(path.with_extension("db-wal"))
        .map(|m| m.len())
        .unwrap_or(0);
    Some(main + wal)
}

/// The counts kiosk.db gives: the queue, erasures and usage.
#[derive(Default)]
struct Counts {
    queue: Option<crate::callbacks::outbox::QueueSummary>,
    erased_undelivered: Option<i64>,
    usage: Option<crate::store::Usage>,
    recovered: Option<crate::store::repair::Recovered>,
}

/// kiosk.db's counts since `since` (`YYYY-MM-DD`) and a recovery's notice as of `now`;
/// each one that fails is logged and left out, the others still shown.
fn counts(conn: &Connection, since: &str, now: i64) -> Counts {
    Counts {
        recovered: crate::store::repair::notice(conn, now)
            .map_err(|e| tracing::warn!("recovery notice unavailable: {e}"))
            .ok()
            .flatten(),
        queue: crate::callbacks::outbox::summary(conn)
            .map_err(|e| tracing::warn!("outbox summary unavailable: {e}"))
            .ok(),
        erased_undelivered: crate::callbacks::retention::expired_since(conn, since)
            .map_err(|e| tracing::warn!("erased counts unavailable: {e}"))
            .ok(),
        usage: crate::store::usage(conn, since, 20)
            .map_err(|e| tracing::warn!("usage counts unavailable: {e}"))
            .ok(),
    }
}

/// The report at `now` (Unix ms); usage and erasures cover the 30 days before it. `Err`
/// names the lock a panic elsewhere poisoned.
pub fn report(s: &Sources<'_>, now: i64) -> Result<Health, &'static str> {
    let (content_version, article_count, library_problem) =
        match &*s.library.lock().map_err(|_| "library lock poisoned")? {
            Ok(lib) => (
                lib.content_hash()
                    .ok()
                    .map(|h| h.chars().take(12).collect()),
                lib.article_count().ok(),
                None,
            ),
            Err(why) => (None, None, Some(why.clone())),
        };
    let since = crate::store::civil_date(now.div_euclid(86_400_000) - 30);
    let counts = match s.kiosk {
        Some(kiosk) => counts(
            &*kiosk.lock().map_err(|_| "kiosk.db lock poisoned")?,
            &since,
            now,
        ),
        None => Counts::default(),
    };
    let queue = counts.queue.as_ref();
    // Made again once there is room; missing with little room: the disk is (still) full.
    let reserve = crate::store::reserve::ensure(s.data_dir);
    let free_disk_bytes = fs4::available_space(s.data_dir).ok();
    let disk = match disk_state(free_disk_bytes) {
        DiskState::Ok => DiskState::Ok,
        _ if !reserve => DiskState::Full,
        state => state,
    };
    if disk == DiskState::Full {
        tracing::error!(
            "the disk is full: {} has {} bytes free; callback requests cannot be saved until space is freed",
            s.data_dir.display(),
            free_disk_bytes.unwrap_or(0)
        );
    }
    Ok(Health {
        app_version: env!("CARGO_PKG_VERSION").into(),
        mode: s.config.mode,
        content_version,
        article_count,
        library_bytes: file_size(&s.data_dir.join(crate::paths::LIBRARY_DB)),
        kiosk_bytes: file_size(&s.data_dir.join(crate::paths::KIOSK_DB)),
        queue_length: queue.map(|q| q.waiting),
        failed_deliveries: queue.map(|q| q.failed),
        oldest_waiting: queue.and_then(|q| q.oldest_waiting),
        destinations: s
            .config
            .destinations
            .iter()
            .map(|d| format!("{} ({})", d.id, d.kind.as_str()))
            .collect(),
        last_delivery: queue.and_then(|q| q.last_delivery),
        free_disk_bytes,
        disk,
        config_problems: s.config_problems.to_vec(),
        library_problem,
        content_problem: s.content_problem.map(str::to_string),
        erased_undelivered: counts.erased_undelivered,
        kiosk_recovered: counts.recovered,
        data_encryption: crate::paths::encryption(s.data_dir),
        usage: counts.usage,
    })
}
