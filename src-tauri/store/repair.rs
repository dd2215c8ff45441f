//! A damaged database at start (issue #16). A power cut on a cheap SSD, a failing card, or a
//! bit flipped on the way can leave kiosk.db failing `PRAGMA integrity_check`. The kiosk
//! does not stop there:
//!
//! 1. a new database is built beside it as `kiosk.db.recovering`, with the current schema,
//!    and every row that can still be read from the damaged file is copied into it, table
//!    by table and, where a table cannot be read whole, rowid range by range and then row by
//!    row ([`copy_rows`]), so the acknowledged requests (with their outbox rows and notes),
//!    staff accounts, settings and pairing come back where their pages are readable;
//! 2. the copy gets a notice ([`Recovered`]) that the staff health screen shows for
//!    [`NOTICE_DAYS`] days, and is synced to disk;
//! 3. only then is the damaged file (with its write-ahead log) moved aside as
//!    `kiosk.db.damaged-YYYY-MM-DD-HHMMSS`, for IT, and the copy renamed to kiosk.db; the
//!    kept file is removed after [`KEEP_DAMAGED_DAYS`] days, or the clinic's retention when
//!    shorter (it holds patients' data), by a start or a retention pass. A kill at any step
//!    is finished or undone at the next start ([`open_at_start`]); the log says what happened.
//!
//! Why a salvage through SQL and not SQLite's `.recover`: `.recover` (the sqlite3_recover
//! extension) reads pages through the `sqlite_dbpage` virtual table. Debian 12's `sqlite3`
//! command line (3.40.1) is built without it, and its `.recover` fails on every file ("no
//! such table: sqlite_dbpage"; tried on this machine); rusqlite's bundled SQLite does not
//! include the recover extension's C sources and has no binding for it, and building it here
//! would mean C code and `unsafe` FFI in a crate that denies `unsafe`. A careful copy
//! through SQLite's own reader, in small rowid ranges so one bad page costs only its rows,
//! works on any machine with nothing to install, and kiosk.db's tables are all ordinary.
//!
//! Bounded time: `integrity_check` reads the whole file once, and kiosk.db stays small
//! (retention erases requests within days; 15,000 requests are 11 MiB and check in about
//! 0.1 s, BENCHMARKS.md); the salvage reads each row at most twice and gives up on a table
//! after [`GIVE_UP_AFTER`] unreadable ranges in a row.
//!
//! library.db holds nothing that is not in the content folder: one that fails `quick_check`
//! is removed ([`remove_if_damaged`]) and rebuilt by the library, with no word to patients.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::StoreError;

/// The `setting` key holding the last recovery's notice (JSON of [`Recovered`]).
const NOTICE_KEY: &str = "kiosk_recovered";
/// Days the staff health screen shows a recovery's notice.
pub const NOTICE_DAYS: i64 = 30;
/// Days a damaged kiosk.db is kept aside before a start removes it (it holds patient data).
pub const KEEP_DAMAGED_DAYS: i64 = 30;
/// Rows read per range when a table cannot be read whole.
const RANGE: i64 = 32;
/// Consecutive unreadable ranges after which the rest of a table is given up.
pub const GIVE_UP_AFTER: u32 = 2_000;
/// The most rowid ranges one table is read in (3.2 million rows at [`RANGE`] each), however
/// large a damaged file says its rowids are: start-up stays bounded.
const MAX_RANGES: u32 = 100_000;

/// What a start found and did about a damaged kiosk.db: the staff notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recovered {
    /// When, Unix ms.
    pub at: i64,
    /// The damaged file's new name, in the data folder.
    pub kept_as: String,
    /// Callback requests in the new kiosk.db after the recovery. How many were lost cannot
    /// be known (a torn page may read as fewer rows without an error); staff compare with
    /// the front desk's records.
    pub requests: i64,
}

/// The first problem `PRAGMA integrity_check` finds in `conn`, or `None` when it says `ok`.
pub fn integrity_problem(conn: &Connection) -> Result<Option<String>, rusqlite::Error> {
    first_problem(conn, Check::Integrity)
}

/// Which of SQLite's checks to run.
#[derive(Debug, Clone, Copy)]
enum Check {
    /// `integrity_check`: every page, b-tree and index entry (kiosk.db).
    Integrity,
    /// `quick_check`: every page and b-tree, without matching each index entry to its row;
    /// about 2.5 times faster (30 MB: 68 ms against 160 ms here). For library.db, which is
    /// checked at every start and may be tens of MB, and is never written after its build.
    Quick,
}

fn first_problem(conn: &Connection, check: Check) -> Result<Option<String>, rusqlite::Error> {
    let sql = match check {
        Check::Integrity => "PRAGMA integrity_check(1)",
        Check::Quick => "PRAGMA quick_check(1)",
    };
    let first: String = conn.query_row(sql, [], |r| r.get(0))?;
    Ok((first != "ok").then_some(first))
}

/// Why the database at `path` is damaged by `check`, or `None` when it is sound. A file
/// SQLite cannot even read as a database is damaged too.
fn damage(path: &Path, check: Check) -> Option<String> {
    let run = || -> Result<Option<String>, rusqlite::Error> {
        // Read-write, so a committed write-ahead log is applied as on any open.
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        first_problem(&conn, check)
    };
    match run() {
        Ok(problem) => problem,
        // Only SQLite saying the file is not a sound database counts: a lock held elsewhere
        // or a permission problem is no reason to move kiosk.db aside (the open reports it).
        Err(err)
            if matches!(
                err.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
            ) =>
        {
            Some(err.to_string())
        }
        Err(err) => {
            tracing::warn!("{} could not be checked: {err}", path.display());
            None
        }
    }
}

/// Removes the database at `path` (and its write-ahead log) when it fails `quick_check`:
/// for library.db, which is rebuilt from the content folder. Returns whether it was removed.
pub fn remove_if_damaged(path: &Path) -> bool {
    if !path.exists() {
        return false;
    }
    let Some(problem) = damage(path, Check::Quick) else {
        return false;
    };
    tracing::warn!(
        "{} is damaged ({problem}); it is rebuilt from the content folder",
        path.display()
    );
    for p in [
        path.to_path_buf(),
        sidecar(path, "-wal"),
        sidecar(path, "-shm"),
    ] {
        if let Err(err) = std::fs::remove_file(&p) {
            if err.kind() != std::io::ErrorKind::NotFound {
                tracing::error!("cannot remove {}: {err}", p.display());
            }
        }
    }
    true
}

/// `path` with `suffix` added to its file name (`kiosk.db` -> `kiosk.db-wal`).
fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Opens kiosk.db at start: as [`super::open`], but a file that fails `integrity_check`
/// is first kept aside and recovered as the module says; the disk reserve for staff
/// ([`super::reserve`]) is made when it is missing and there is room. `now` is Unix ms
/// (the notice's time and the kept file's name).
///
/// Crash-safe: the copy is built at `kiosk.db.recovering` from the damaged kiosk.db where it
/// lies, with the staff notice, and synced to disk; only then is the damaged file renamed
/// aside and the copy renamed into place (the folder synced after each step). A start after
/// a kill finds one of: the damaged kiosk.db and a partial copy (removed, and the salvage
/// done again), or no kiosk.db and a finished copy (renamed into place). A copy without its
/// notice and no kiosk.db (a kill nothing in this order leaves, but a disk may) is removed
/// and the salvage done again from the newest kept damaged file.
///
/// Errors are those of [`super::open`] on the new file, building the copy, or the renames.
pub fn open_at_start(path: &Path, now: i64) -> Result<Connection, StoreError> {
    remove_old_copies(path, now, KEEP_DAMAGED_DAYS * DAY_MS);
    finish_interrupted(path, now)?;
    let problem = if path.exists() {
        damage(path, Check::Integrity)
    } else {
        None
    };
    if let Some(dir) = path.parent() {
        super::reserve::ensure(dir);
    }
    let Some(problem) = problem else {
        return super::open(path);
    };
    tracing::error!(
        "kiosk.db is damaged ({problem}); keeping it aside and recovering what can be read"
    );
    let started = Instant::now();
    let kept = path.with_file_name(format!(
        "{}.damaged-{}",
        file_name(path),
        crate::clock::utc_file_stamp(now)
    ));
    let requests = build_copy(path, path, &kept, now)?;
    move_aside(path, &kept)?;
    sync_dir(path);
    install_copy(path)?;
    tracing::error!(
        "kiosk.db was damaged and has been replaced: {requests} request(s) recovered in {:.1} s; the damaged file is kept as {}",
        started.elapsed().as_secs_f64(),
        kept.display()
    );
    super::open(path)
}

const DAY_MS: i64 = 86_400_000;

/// The file name of `path` (`kiosk.db`).
fn file_name(path: &Path) -> &str {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("kiosk.db")
}

/// Where a salvage builds its copy of `path`: `kiosk.db.recovering`.
fn scratch(path: &Path) -> PathBuf {
    sidecar(path, ".recovering")
}

/// Removes the database `path` with its log, shared memory and rollback journal, if there.
fn remove_db_files(path: &Path) {
    for p in [
        path.to_path_buf(),
        sidecar(path, "-wal"),
        sidecar(path, "-shm"),
        sidecar(path, "-journal"),
    ] {
        if let Err(err) = std::fs::remove_file(&p) {
            if err.kind() != std::io::ErrorKind::NotFound {
                tracing::error!("cannot remove {}: {err}", p.display());
            }
        }
    }
}

/// Syncs the folder holding `path`, so renames and new files in it survive a power cut.
/// A failure is logged: the data itself is synced already.
fn sync_dir(path: &Path) {
    let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return;
    };
    if let Err(err) = std::fs::File::open(dir).and_then(|d| d.sync_all()) {
        tracing::warn!("cannot sync the folder {}: {err}", dir.display());
    }
}

/// Builds the salvage's copy at [`scratch`] of `path`: a new database with the current
/// schema, the rows of the damaged database `source` that can be read, and the notice naming
/// `kept` (where the damaged file is or will be), synced to disk. Returns the requests in it.
fn build_copy(path: &Path, source: &Path, kept: &Path, now: i64) -> Result<i64, StoreError> {
    let scratch = scratch(path);
    remove_db_files(&scratch);
    let mut conn = super::open(&scratch)?;
    match copy_rows(&mut conn, source) {
        Ok(salvage) => {
            tracing::info!("recovered rows per table: {:?}", salvage.copied);
            if !salvage.unreadable.is_empty() {
                tracing::error!(
                    "parts of these tables could not be read and are lost: {:?}",
                    salvage.unreadable
                );
            }
        }
        Err(err) => tracing::error!("no rows could be copied from the damaged kiosk.db: {err}"),
    }
    let requests: i64 =
        conn.query_row("SELECT count(*) FROM callback_request", [], |r| r.get(0))?;
    let notice = Recovered {
        at: now,
        kept_as: kept
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        requests,
    };
    // The notice last: a copy holding it is finished.
    conn.execute(
        "INSERT INTO setting (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [
            NOTICE_KEY,
            &serde_json::to_string(&notice).unwrap_or_default(),
        ],
    )?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    drop(conn);
    let io = |source| StoreError::Io {
        path: scratch.clone(),
        source,
    };
    std::fs::File::open(&scratch)
        .and_then(|f| f.sync_all())
        .map_err(io)?;
    sync_dir(&scratch);
    Ok(requests)
}

/// Renames the finished copy at [`scratch`] to `path` and syncs the folder.
fn install_copy(path: &Path) -> Result<(), StoreError> {
    let scratch = scratch(path);
    std::fs::rename(&scratch, path).map_err(|source| StoreError::Io {
        path: scratch.clone(),
        source,
    })?;
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(sidecar(&scratch, suffix));
    }
    sync_dir(path);
    Ok(())
}

/// Finishes or undoes a salvage a kill interrupted (see [`open_at_start`]).
fn finish_interrupted(path: &Path, now: i64) -> Result<(), StoreError> {
    let scratch = scratch(path);
    if !scratch.exists() {
        return Ok(());
    }
    if path.exists() {
        tracing::warn!(
            "a recovery of kiosk.db was interrupted while copying; it is done again from the start"
        );
        remove_db_files(&scratch);
        return Ok(());
    }
    if finished(&scratch) {
        tracing::warn!("a recovery of kiosk.db was interrupted after its copy was finished; the copy is put in place");
        return install_copy(path);
    }
    remove_db_files(&scratch);
    let Some(kept) = newest_damaged(path) else {
        tracing::error!(
            "an unfinished recovery of kiosk.db was found without the damaged file; starting with a new kiosk.db"
        );
        return Ok(());
    };
    tracing::error!(
        "a recovery of kiosk.db was interrupted; recovering again from {}",
        kept.display()
    );
    let requests = build_copy(path, &kept, &kept, now)?;
    install_copy(path)?;
    tracing::error!(
        "kiosk.db was recovered: {requests} request(s); the damaged file is kept as {}",
        kept.display()
    );
    Ok(())
}

/// Whether the copy at `scratch` is sound and holds its notice (written last).
fn finished(scratch: &Path) -> bool {
    let check = || -> Result<bool, rusqlite::Error> {
        let conn = Connection::open_with_flags(scratch, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        if first_problem(&conn, Check::Integrity)?.is_some() {
            return Ok(false);
        }
        Ok(stored_notice(&conn)?.is_some())
    };
    check().unwrap_or(false)
}

/// The kept damaged copy of `path` with the latest time in its name.
fn newest_damaged(path: &Path) -> Option<PathBuf> {
    damaged_copies(path)
        .into_iter()
        .filter(|(file, _)| !file.to_string_lossy().ends_with("-wal"))
        .max_by_key(|(_, at)| *at)
        .map(|(file, _)| file)
}

/// The kept damaged copies of `path` (and their logs), with the time in their names.
fn damaged_copies(path: &Path) -> Vec<(PathBuf, i64)> {
    let Some(dir) = path.parent() else {
        return Vec::new();
    };
    let prefix = format!("{}.damaged-", file_name(path));
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let file = entry.file_name();
            let rest = file.to_str()?.strip_prefix(&prefix)?;
            let stamp = rest.strip_suffix("-wal").unwrap_or(rest);
            Some((entry.path(), crate::clock::parse_file_stamp(stamp)?))
        })
        .collect()
}

/// Removes the copies of a damaged `path` kept more than `keep_ms` before `now` (both
/// Unix ms), by the time in their names: they hold patients' data, and the notice that
/// pointed IT to them is gone by then (issue #11's rule: nothing kept longer than needed).
/// At start with [`KEEP_DAMAGED_DAYS`]; every retention pass with the shorter of that and
/// the clinic's retention ([`keep_damaged_ms`]). A copy stamped later than now (a clock set
/// back) is left for a later pass.
pub fn remove_old_copies(path: &Path, now: i64, keep_ms: i64) {
    for (file, at) in damaged_copies(path) {
        if now - at > keep_ms {
            match std::fs::remove_file(&file) {
                Ok(()) => tracing::info!(
                    "removed {} (kept {} days)",
                    file.display(),
                    keep_ms / DAY_MS
                ),
                Err(err) => tracing::warn!("cannot remove {}: {err}", file.display()),
            }
        }
    }
}

/// How long a damaged kiosk.db is kept aside, in ms, when the clinic keeps closed requests
/// `retention_days` days: the shorter of that and [`KEEP_DAMAGED_DAYS`].
pub fn keep_damaged_ms(retention_days: u32) -> i64 {
    i64::from(retention_days).min(KEEP_DAMAGED_DAYS) * DAY_MS
}

/// The notice of a recovery within the [`NOTICE_DAYS`] days before `now` (Unix ms), for
/// the staff health screen.
pub fn notice(conn: &Connection, now: i64) -> Result<Option<Recovered>, rusqlite::Error> {
    Ok(stored_notice(conn)?.filter(|n| now - n.at < NOTICE_DAYS * DAY_MS))
}

/// The last recovery's notice, however old.
fn stored_notice(conn: &Connection) -> Result<Option<Recovered>, rusqlite::Error> {
    let value: Option<String> = conn
        .query_row(
            "SELECT value FROM setting WHERE key = ?1",
            [NOTICE_KEY],
            |r| r.get(0),
        )
        .optional()?;
    Ok(value.and_then(|v| serde_json::from_str::<Recovered>(&v).ok()))
}

/// Moves the database `from` and its write-ahead log to `to` (the log to `to` + `-wal`,
/// where SQLite looks for it); the shared-memory index is only a cache and is removed.
fn move_aside(from: &Path, to: &Path) -> Result<(), StoreError> {
    let io = |source| StoreError::Io {
        path: from.to_path_buf(),
        source,
    };
    std::fs::rename(from, to).map_err(io)?;
    match std::fs::rename(sidecar(from, "-wal"), sidecar(to, "-wal")) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(io(err)),
        _ => {}
    }
    let _ = std::fs::remove_file(sidecar(from, "-shm"));
    Ok(())
}

/// What [`copy_rows`] brought back.
#[derive(Debug, Default)]
struct Salvage {
    /// Rows copied, per table.
    copied: Vec<(String, usize)>,
    /// Tables with rows that could not be read.
    unreadable: Vec<String>,
}

/// Copies every row that can be read from the database `source` into each table of `conn`
/// (its current schema), by the columns both have. A table is read whole when it can be;
/// when that fails, in rowid ranges of [`RANGE`], and a range that fails row by row, so a
/// damaged page costs only the rows on it. Each copy is its own statement (SQLite may roll
/// back a whole transaction when it meets a corrupt page), with syncing off until the end.
/// Rows that break a rule of the new schema (a duplicate key, a NOT NULL or CHECK
/// constraint) are left out, and rows whose parent did not come back (an outbox row
/// without its request) are removed.
fn copy_rows(conn: &mut Connection, source: &Path) -> Result<Salvage, rusqlite::Error> {
    conn.execute_batch("PRAGMA foreign_keys = OFF; PRAGMA synchronous = OFF")?;
    conn.execute(
        "ATTACH DATABASE ?1 AS old",
        [source.to_string_lossy().into_owned()],
    )?;
    let salvage = copy_tables(conn);
    let _ = conn.execute_batch("DETACH DATABASE old");
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL")?;
    // Everything copied, on disk before the kiosk takes a request.
    conn.query_row("PRAGMA wal_checkpoint(FULL)", [], |_| Ok(()))?;
    salvage
}

fn copy_tables(conn: &mut Connection) -> Result<Salvage, rusqlite::Error> {
    let tables: Vec<(String, bool)> = conn
        .prepare(
            "SELECT name, sql LIKE '%WITHOUT ROWID%' FROM main.sqlite_schema
             WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut salvage = Salvage::default();
    for (table, without_rowid) in &tables {
        // The damaged file's schema may itself be unreadable: then nothing of it comes.
        let old = columns(conn, "old", table).unwrap_or_default();
        let shared: Vec<String> = columns(conn, "main", table)?
            .into_iter()
            .filter(|c| old.contains(c))
            .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
            .collect();
        if shared.is_empty() {
            // Not in the damaged file's schema (an older one), or its schema is unreadable.
            let listed = conn
                .query_row(
                    "SELECT count(*) FROM old.sqlite_schema WHERE name = ?1",
                    [table],
                    |r| r.get::<_, i64>(0),
                )
                .map(|n| n > 0);
            if !matches!(listed, Ok(false)) {
                salvage.unreadable.push(table.clone());
            }
            continue;
        }
        let list = shared.join(", ");
        let copy = |filter: &str, args: &[i64]| -> Result<usize, rusqlite::Error> {
            conn.execute(
                &format!(
                    "INSERT OR IGNORE INTO main.\"{table}\" ({list}) SELECT {list} FROM old.\"{table}\" {filter}"
                ),
                rusqlite::params_from_iter(args),
            )
        };
        if let Ok(n) = copy("", &[]) {
            salvage.copied.push((table.clone(), n));
            continue;
        }
        salvage.unreadable.push(table.clone());
        if *without_rowid {
            continue;
        }
        let n = copy_by_ranges(conn, table, &copy);
        salvage.copied.push((table.clone(), n));
    }
    // Children whose parent row did not come back would break the foreign keys.
    let orphans: Vec<(String, i64)> = conn
        .prepare("SELECT \"table\", rowid FROM pragma_foreign_key_check WHERE rowid IS NOT NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let tx = conn.transaction()?;
    for (table, rowid) in orphans {
        tx.execute(
            &format!("DELETE FROM main.\"{table}\" WHERE rowid = ?1"),
            [rowid],
        )?;
    }
    tx.commit()?;
    Ok(salvage)
}

/// One copy of rows (`WHERE` clause, its arguments) from the damaged table: rows copied.
type CopyFn<'a> = dyn Fn(&str, &[i64]) -> Result<usize, rusqlite::Error> + 'a;

/// The column names of `schema`.`table`.
fn columns(conn: &Connection, schema: &str, table: &str) -> Result<Vec<String>, rusqlite::Error> {
    conn.prepare("SELECT name FROM pragma_table_info(?1, ?2)")?
        .query_map([table, schema], |r| r.get(0))?
        .collect()
}

/// Copies `table` of the damaged file in rowid ranges, a failing range row by row, up to
/// its largest rowid (or, when even that cannot be read, until [`GIVE_UP_AFTER`] ranges in a
/// row fail or hold nothing). Returns the rows copied.
fn copy_by_ranges(conn: &Connection, table: &str, copy: &CopyFn<'_>) -> usize {
    let max: Option<i64> = conn
        .query_row(
            &format!("SELECT max(rowid) FROM old.\"{table}\""),
            [],
            |r| r.get(0),
        )
        .ok()
        .flatten();
    // kiosk.db's rowids start at 1 (SQLite's own, never set by hand).
    let (mut copied, mut failing, mut from, mut ranges) = (0, 0u32, 0i64, 0u32);
    while failing < GIVE_UP_AFTER && ranges < MAX_RANGES && max.is_none_or(|m| from <= m) {
        ranges += 1;
        let to = from.saturating_add(RANGE - 1);
        match copy("WHERE rowid BETWEEN ?1 AND ?2", &[from, to]) {
            Ok(n) => {
                copied += n;
                failing = if n == 0 && max.is_none() {
                    failing + 1
                } else {
                    0
                };
            }
            Err(_) => {
                failing += 1;
                for rowid in from..=to {
                    copied += copy("WHERE rowid = ?1", &[rowid]).unwrap_or(0);
                }
            }
        }
        from = to.saturating_add(1);
        // A flipped key can make max(rowid) enormous: skip empty stretches to the next
        // rowid the table can still name, and stop when it names none.
        let next: Result<Option<i64>, _> = conn.query_row(
            &format!("SELECT min(rowid) FROM old.\"{table}\" WHERE rowid >= ?1"),
            [from],
            |r| r.get(0),
        );
        match next {
            Ok(Some(next)) if next > from => from = next,
            Ok(None) => break,
            _ => {}
        }
    }
    copied
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table whose damaged key says its rowids reach 2^60: the range copy jumps over the
    /// empty stretch instead of reading 36 quadrillion ranges, and still copies what a failing
    /// range holds row by row.
    #[test]
    fn a_huge_rowid_does_not_make_the_range_copy_endless() -> Result<(), rusqlite::Error> {
        let conn = Connection::open_in_memory()?;
        conn.execute_batch(
            "ATTACH ':memory:' AS old;
             CREATE TABLE old.t (v TEXT);
             CREATE TABLE main.t (v TEXT);
             INSERT INTO old.t (rowid, v) VALUES (1, 'a'), (2, 'b'), (40, 'c'), (1152921504606846976, 'd');",
        )?;
        // The range holding rowid 2 reads as damaged; single rows still read.
        let copy = |filter: &str, args: &[i64]| -> Result<usize, rusqlite::Error> {
            if filter.contains("BETWEEN") && args[0] <= 2 && 2 <= args[1] {
                return Err(rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
                    None,
                ));
            }
            conn.execute(
                &format!("INSERT INTO main.t (rowid, v) SELECT rowid, v FROM old.t {filter}"),
                rusqlite::params_from_iter(args),
            )
        };
        assert_eq!(copy_by_ranges(&conn, "t", &copy), 4);
        let count: i64 = conn.query_row("SELECT count(*) FROM main.t", [], |r| r.get(0))?;
        assert_eq!(count, 4);
        Ok(())
    }
}
