//! kiosk.db, the device's own database, on real files in a temporary folder.

use crate::common;

use std::fs;
use std::path::Path;

use clinic_kiosk::store::{self, StoreError};
use common::TestResult;
use rusqlite::Connection;

fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
}

fn tables(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt =
        conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")?;
    let names = stmt.query_map([], |r| r.get(0))?;
    names.collect()
}

fn views(conn: &Connection) -> rusqlite::Result<Vec<(String, String, i64)>> {
    let mut stmt = conn.prepare("SELECT day, slug, views FROM article_view ORDER BY day, slug")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    rows.collect()
}

/// A kiosk.db as a newer app would leave it: a schema version this app does not know.
fn make_newer_database(path: &Path) -> TestResult {
    let conn = Connection::open(path)?;
    conn.execute_batch("CREATE TABLE from_the_future (id INTEGER PRIMARY KEY);")?;
    conn.pragma_update(None, "user_version", store::version() + 1)?;
    Ok(())
}

#[test]
fn a_new_kiosk_db_is_created_in_wal_mode_at_the_current_version() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("nested").join("kiosk.db");
    let conn = store::open(&path)?;
    assert!(
        path.is_file(),
        "the file and its missing folders are created"
    );
    let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
    assert_eq!(mode, "wal", "kiosk.db uses write-ahead logging");
    assert_eq!(
        user_version(&conn)?,
        store::version(),
        "every migration is applied and recorded in user_version"
    );
    assert_eq!(
        store::version(),
        store::MIGRATIONS.len() as i64,
        "the version is the number of migrations"
    );
    assert_eq!(
        tables(&conn)?,
        [
            "article_view",
            "audit_log",
            "callback_count",
            "callback_note",
            "callback_request",
            "kiosk_health",
            "lan_kiosk",
            "lan_pairing",
            "outbox",
            "pack_offer",
            "pin_lockout",
            "search_miss",
            "setting",
            "staff"
        ],
        "the first migration creates these tables"
    );
    let foreign_keys: i64 = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0))?;
    assert_eq!(foreign_keys, 1, "foreign keys are enforced");
    Ok(())
}

#[test]
fn reopening_kiosk_db_changes_nothing_and_keeps_its_data() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("kiosk.db");
    {
        let conn = store::open(&path)?;
        store::record_view(&conn, "herniated-disc", "2026-03-01")?;
    }
    for _ in 0..3 {
        let conn = store::open(&path)?;
        assert_eq!(
            user_version(&conn)?,
            store::version(),
            "the version stays the same"
        );
        assert_eq!(
            tables(&conn)?,
            [
                "article_view",
                "audit_log",
                "callback_count",
                "callback_note",
                "callback_request",
                "kiosk_health",
                "lan_kiosk",
                "lan_pairing",
                "outbox",
                "pack_offer",
                "pin_lockout",
                "search_miss",
                "setting",
                "staff"
            ],
            "no table is added twice"
        );
        assert_eq!(
            views(&conn)?,
            [("2026-03-01".into(), "herniated-disc".into(), 1)],
            "data written before is still there"
        );
    }
    Ok(())
}

#[test]
fn a_kiosk_db_from_a_newer_app_is_refused_and_left_unchanged() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("kiosk.db");
    make_newer_database(&path)?;
    let before = fs::read(&path)?;

    let err = store::open(&path).expect_err("a newer schema must not be opened");
    assert!(
        matches!(&err, StoreError::Newer { path: p, found, supported }
            if *p == path && *found == store::version() + 1 && *supported == store::version()),
        "expected Newer, got {err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "the database `{}` was made by a newer version of the app (schema {}, this app knows up to {}); it was not changed. Install the newer app again",
            path.display(),
            store::version() + 1,
            store::version()
        ),
        "the message names the file so staff can find it"
    );
    assert!(
        fs::read(&path)? == before,
        "the newer database must be left byte for byte as it was"
    );
    let conn = Connection::open(&path)?;
    let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
    assert_eq!(mode, "delete", "not even the journal mode is switched");
    assert_eq!(
        tables(&conn)?,
        ["from_the_future"],
        "no table of this app is added"
    );
    Ok(())
}

/// tests/fixtures/kiosk-schema-1.db: a kiosk.db as the first release left it, with only
/// migration 0001 (settings and article views) and a few rows in its tables.
const SCHEMA_1: &str = "tests/fixtures/kiosk-schema-1.db";

/// Makes the fixture again. It is committed and never needs remaking (migrations that have
/// shipped never change); kept so anyone can see how it was made:
/// `cargo test --test integration store::make_the_schema_1_fixture -- --ignored`.
#[test]
#[ignore = "writes tests/fixtures/kiosk-schema-1.db"]
fn make_the_schema_1_fixture() -> TestResult {
    // Made beside it and renamed over it, so the upgrade test never copies half a file.
    let path = common::repo(SCHEMA_1).with_extension("db.new");
    let _ = fs::remove_file(&path);
    let mut conn = Connection::open(&path)?;
    // The pragmas the first release set before migrating (src-tauri/store/mod.rs then).
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
    )?;
    store::migrate(&mut conn, &path, &store::MIGRATIONS[..1])?;
    conn.execute_batch(
        "INSERT INTO setting (key, value) VALUES ('kiosk_name', 'Lobby, first floor');
         INSERT INTO article_view (day, slug, views) VALUES
             ('2026-03-01', 'herniated-disc', 3),
             ('2026-03-01', 'sclerotherapy', 1),
             ('2026-03-02', 'herniated-disc', 1);",
    )?;
    // Closing the last connection checkpoints the WAL and removes it: one file to commit.
    conn.close().map_err(|(_, e)| e)?;
    fs::rename(&path, common::repo(SCHEMA_1))?;
    Ok(())
}

#[test]
fn a_kiosk_db_from_the_first_schema_is_upgraded_and_keeps_its_data() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("kiosk.db");
    fs::copy(common::repo(SCHEMA_1), &path)?;
    {
        let old = Connection::open(&path)?;
        assert_eq!(
            user_version(&old)?,
            1,
            "the fixture has only migration 0001"
        );
        assert_eq!(tables(&old)?, ["article_view", "setting"]);
    }

    let conn = store::open(&path)?;
    assert_eq!(
        user_version(&conn)?,
        store::version(),
        "every later migration is applied"
    );
    let integrity: String = conn.pragma_query_value(None, "integrity_check", |r| r.get(0))?;
    assert_eq!(integrity, "ok");
    let mut check = conn.prepare("PRAGMA foreign_key_check")?;
    assert!(!check.exists([])?, "no row breaks a foreign key");
    assert_eq!(
        tables(&conn)?,
        tables(&store::open(&dir.path().join("new.db"))?)?,
        "the same tables as a kiosk.db made new"
    );
    assert_eq!(
        views(&conn)?,
        [
            ("2026-03-01".into(), "herniated-disc".into(), 3),
            ("2026-03-01".into(), "sclerotherapy".into(), 1),
            ("2026-03-02".into(), "herniated-disc".into(), 1),
        ],
        "the article views are kept"
    );
    let name: String = conn.query_row(
        "SELECT value FROM setting WHERE key = 'kiosk_name'",
        [],
        |r| r.get(0),
    )?;
    assert_eq!(name, "Lobby, first floor", "the settings are kept");
    // And the upgraded file works as any other: a view is counted onto the old ones.
    store::record_view(&conn, "herniated-disc", "2026-03-02")?;
    assert_eq!(
        views(&conn)?[2],
        ("2026-03-02".into(), "herniated-disc".into(), 2)
    );
    Ok(())
}

#[test]
fn record_view_counts_views_per_day_and_article() -> TestResult {
    let dir = tempfile::tempdir()?;
    let conn = store::open(&dir.path().join("kiosk.db"))?;
    for _ in 0..3 {
        store::record_view(&conn, "herniated-disc", "2026-03-01")?;
    }
    store::record_view(&conn, "sclerotherapy", "2026-03-01")?;
    store::record_view(&conn, "herniated-disc", "2026-03-02")?;
    assert_eq!(
        views(&conn)?,
        [
            ("2026-03-01".into(), "herniated-disc".into(), 3),
            ("2026-03-01".into(), "sclerotherapy".into(), 1),
            ("2026-03-02".into(), "herniated-disc".into(), 1),
        ],
        "each view adds one to its day and article"
    );
    Ok(())
}

#[test]
fn today_is_a_calendar_date() {
    let today = store::today_utc();
    let parts: Vec<&str> = today.split('-').collect();
    assert!(
        parts.len() == 3
            && parts[0].len() == 4
            && parts[1].len() == 2
            && parts[2].len() == 2
            && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit())),
        "today_utc must be YYYY-MM-DD, got {today}"
    );
    assert!(
        today.as_str() >= "2025-01-01",
        "the clock is not before this code was written: {today}"
    );
}
