//! kiosk.db: the device's own data (settings, anonymous counts, and later callbacks and
//! staff). Migrations are numbered SQL files, embedded, append-only, applied one step at a
//! time in an IMMEDIATE transaction and tracked in `PRAGMA user_version`.
//!
//! To change the schema, add the next `migrations/NNNN_name.sql` and list it in
//! [`MIGRATIONS`]; never edit one that has shipped. A database from a newer app is refused,
//! never modified.

pub mod lan;
pub mod repair;
pub mod reserve;

/// The kiosk's own staff inbox: an outbox destination every request has, delivered on
/// commit.
pub const STAFF_INBOX: &str = "staff-inbox";
/// The paired front-desk laptop: an outbox destination while the kiosk is paired.
pub const FRONT_DESK: &str = "front-desk";

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, TransactionBehavior};

/// Every migration in order; the schema version is the number applied.
pub const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("migrations/0001_init.sql")),
    (
        "0002_callbacks",
        include_str!("migrations/0002_callbacks.sql"),
    ),
    ("0003_usage", include_str!("migrations/0003_usage.sql")),
    (
        "0004_delivery",
        include_str!("migrations/0004_delivery.sql"),
    ),
    ("0005_lan", include_str!("migrations/0005_lan.sql")),
    (
        "0006_staff_roles",
        include_str!("migrations/0006_staff_roles.sql"),
    ),
    ("0007_fleet", include_str!("migrations/0007_fleet.sql")),
];

/// The schema version this app writes.
pub fn version() -> i64 {
    MIGRATIONS.len() as i64
}

/// Why kiosk.db cannot be opened or used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database was written by a newer app.
    #[error("the database `{path}` was made by a newer version of the app (schema {found}, this app knows up to {supported}); it was not changed. Install the newer app again")]
    Newer {
        /// The database file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest schema this app knows.
        supported: i64,
    },
    /// A migration failed; nothing of it was applied.
    #[error("could not upgrade `{path}` with migration {name}: {source}")]
    Migration {
        /// The database file.
        path: PathBuf,
        /// The migration's file name.
        name: &'static str,
        /// Why it failed.
        source: rusqlite::Error,
    },
    /// SQLite failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The data folder could not be made.
    #[error("cannot create the folder `{path}`: {source}")]
    Io {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// `err` is SQLite saying the disk is full (`SQLITE_FULL`: a write that needed more space
/// found none; SQLite rolled the transaction back, so nothing of it is kept).
pub fn is_storage_full(err: &rusqlite::Error) -> bool {
    err.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull)
}

/// Opens (creating if needed) kiosk.db at `path` and brings its schema up to date.
pub fn open(path: &Path) -> Result<Connection, StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // Refuse a newer database before the pragmas: switching to WAL rewrites its header.
    refuse_newer(&conn, path, version())?;
    // secure_delete: rows erased by retention are overwritten, not left readable in free
    // space of the file.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;
         PRAGMA secure_delete = ON;",
    )?;
    migrate(&mut conn, path, MIGRATIONS)?;
    Ok(conn)
}

/// Applies the migrations `conn` has not had yet, each in its own transaction.
pub fn migrate(
    conn: &mut Connection,
    path: &Path,
    migrations: &'static [(&'static str, &'static str)],
) -> Result<(), StoreError> {
    let found = refuse_newer(conn, path, migrations.len() as i64)?;
    for (i, (name, sql)) in migrations.iter().enumerate().skip(found as usize) {
        let wrap = |source| StoreError::Migration {
            path: path.to_path_buf(),
            name,
            source,
        };
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(wrap)?;
        tx.execute_batch(sql).map_err(wrap)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)
            .map_err(wrap)?;
        tx.commit().map_err(wrap)?;
    }
    Ok(())
}

/// The schema version of `conn`, or [`StoreError::Newer`] when it is above `supported`.
fn refuse_newer(conn: &Connection, path: &Path, supported: i64) -> Result<i64, StoreError> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > supported {
        return Err(StoreError::Newer {
            path: path.to_path_buf(),
            found,
            supported,
        });
    }
    Ok(found)
}

/// Counts one view of `slug` today (UTC). Anonymous: no patient data is involved.
pub fn record_view(conn: &Connection, slug: &str, day: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO article_view (day, slug, views) VALUES (?1, ?2, 1)
         ON CONFLICT (day, slug) DO UPDATE SET views = views + 1",
        params![day, slug],
    )?;
    Ok(())
}

/// Counts one search in `lang` that found nothing; `words` are the query's words, lower
/// case, at most 100 characters.
pub fn record_search_miss(
    conn: &Connection,
    lang: &str,
    words: &str,
    day: &str,
) -> Result<(), StoreError> {
    let words: String = words.chars().take(100).collect();
    if words.trim().is_empty() {
        return Ok(());
    }
    conn.execute(
        "INSERT INTO search_miss (day, lang, words, count) VALUES (?1, ?2, ?3, 1)
         ON CONFLICT (day, lang, words) DO UPDATE SET count = count + 1",
        params![day, lang, words],
    )?;
    Ok(())
}

/// Anonymous usage since `since_day` (YYYY-MM-DD): the most read articles and the most
/// common searches that found nothing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    /// Article slugs and their views, most read first.
    pub views: Vec<(String, i64)>,
    /// Searches that found nothing: language, words, how many times; most common first.
    pub misses: Vec<(String, String, i64)>,
}

/// Anonymous usage since `since_day` (`YYYY-MM-DD`): at most `limit` articles and `limit` searches.
pub fn usage(conn: &Connection, since_day: &str, limit: usize) -> Result<Usage, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT slug, sum(views) AS n FROM article_view WHERE day >= ?1
         GROUP BY slug ORDER BY n DESC, slug LIMIT ?2",
    )?;
    let views = stmt
        .query_map(params![since_day, limit as i64], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare(
        "SELECT lang, words, sum(count) AS n FROM search_miss WHERE day >= ?1
         GROUP BY lang, words ORDER BY n DESC, words LIMIT ?2",
    )?;
    let misses = stmt
        .query_map(params![since_day, limit as i64], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<Result<_, _>>()?;
    Ok(Usage { views, misses })
}

pub use crate::clock::{civil_date, today_utc};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_cleanly_to_an_empty_database() -> Result<(), StoreError> {
        let mut conn = Connection::open_in_memory()?;
        migrate(&mut conn, Path::new(":memory:"), MIGRATIONS)?;
        let v: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        assert_eq!(v, version());
        Ok(())
    }
}
