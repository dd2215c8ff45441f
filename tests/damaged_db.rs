//! A damaged database at start (issue #16, item 4), on real files: a kiosk.db with torn and
//! flipped pages is kept aside with a time stamp, what SQLite can still read comes back
//! into a new kiosk.db (requests with their outbox rows, staff accounts), the app starts on
//! it and staff see a notice on the health screen; a damaged library.db is rebuilt from the
//! content with nothing said to patients.

use crate::common::ipc::{app, invoke, window};
use crate::common::TestResult;

use std::collections::HashSet;
use std::fs::OpenOptions;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

use clinic_kiosk::callbacks::outbox;
use clinic_kiosk::callbacks::queue::{self, Outcome};
use clinic_kiosk::callbacks::staff::{self, Role};
use clinic_kiosk::callbacks::{CallbackSettings, ValidRequest};
use clinic_kiosk::store::{self, repair};
use rusqlite::Connection;
use serde_json::json;

const PAGE: u64 = 4096;

fn content_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/content"))
}

fn settings() -> CallbackSettings {
    CallbackSettings {
        burst_limit: u32::MAX,
        destinations: vec!["staff-inbox".into(), "clinic-webhook".into()],
        ..CallbackSettings::default()
    }
}

/// A kiosk.db in `dir` with `n` requests and the admin Marta (PIN 258013); the ids.
fn kiosk_with_requests(dir: &Path, n: u32) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let mut conn = store::open(&dir.join("kiosk.db"))?;
    staff::add(
        &conn,
        "Marta",
        "258013",
        Role::Admin,
        &Default::default(),
        "test",
        clinic_kiosk::callbacks::now_ms(),
    )?;
    let mut ids = Vec::new();
    for i in 0..n {
        let request = ValidRequest {
            id: uuid::Uuid::now_v7(),
            name: "Recovered Patient".into(),
            phone: format!("+1201555{i:04}"),
            phone_display: format!("(201) 555-{i:04}"),
            best_time: "any".into(),
            language: "en".into(),
            // Long notes, so the requests fill many pages and one torn page loses few.
            note: Some(format!(
                "Request {i}: {}",
                "please call me back. ".repeat(20)
            )),
            consent_version: settings().consent_version,
            specialty: "spine".into(),
            topic: None,
            article: None,
        };
        let receipt = queue::submit(
            &mut conn,
            &request,
            &settings(),
            clinic_kiosk::callbacks::now_ms(),
        )?;
        assert_eq!(receipt.outcome, Outcome::Received);
        ids.push(receipt.request_id);
    }
    // Closing the last connection checkpoints the WAL into the file the test damages.
    drop(conn);
    assert!(!dir.join("kiosk.db-wal").exists(), "checkpointed on close");
    Ok(ids)
}

/// Writes `bytes` at `offset` of `path`, as a torn write or a bad sector would leave it.
fn scribble(path: &Path, offset: u64, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = OpenOptions::new().write(true).open(path)?;
    f.seek(SeekFrom::Start(offset))?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Tears one page (its second half zeroed) and flips bytes in another's header.
fn damage(path: &Path) -> TestResult {
    let pages = std::fs::metadata(path)?.len() / PAGE;
    assert!(pages > 20, "the test needs a file of many pages: {pages}");
    scribble(
        path,
        (pages / 2) * PAGE + PAGE / 2,
        &[0u8; (PAGE / 2) as usize],
    )?;
    scribble(
        path,
        (pages * 3 / 4) * PAGE,
        &[0xFF, 0x13, 0x37, 0xFF, 0x00, 0x42, 0xFF, 0xFF],
    )?;
    let conn = Connection::open(path)?;
    let check = repair::integrity_problem(&conn);
    assert!(
        !matches!(check, Ok(None)),
        "the damage must fail integrity_check: {check:?}"
    );
    Ok(())
}

fn request_ids(conn: &Connection) -> rusqlite::Result<HashSet<String>> {
    let mut stmt = conn.prepare("SELECT id FROM callback_request")?;
    let ids = stmt.query_map([], |r| r.get(0))?;
    ids.collect()
}

#[test]
fn a_damaged_kiosk_db_is_kept_aside_recovered_and_staff_are_told() -> TestResult {
    let data = tempfile::tempdir()?;
    let ids = kiosk_with_requests(data.path(), 120)?;
    let db = data.path().join("kiosk.db");
    damage(&db)?;

    let state = clinic_kiosk::open_state(data.path(), content_dir());
    assert!(state.kiosk.is_some(), "the kiosk starts with a kiosk.db");
    let kept: Vec<String> = std::fs::read_dir(data.path())?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("kiosk.db.damaged-"))
        .collect();
    assert_eq!(
        kept.len(),
        1,
        "the damaged file is kept once, stamped: {kept:?}"
    );
    assert!(
        kept[0].len() == "kiosk.db.damaged-2026-11-30-101500".len(),
        "kiosk.db.damaged-YYYY-MM-DD-HHMMSS: {}",
        kept[0]
    );
    assert!(
        !data.path().join("kiosk.db.recovering").exists(),
        "the scratch database is removed"
    );

    let conn = Connection::open(&db)?;
    assert_eq!(
        repair::integrity_problem(&conn)?,
        None,
        "the new kiosk.db is sound"
    );
    assert_eq!(
        conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))?,
        store::version(),
        "at the current schema"
    );
    let back = request_ids(&conn)?;
    let wanted: HashSet<String> = ids.iter().cloned().collect();
    assert!(back.is_subset(&wanted), "nothing invented");
    assert!(
        back.len() * 10 >= ids.len() * 8,
        "most requests come back from two damaged pages: {} of {}",
        back.len(),
        ids.len()
    );
    let whole: i64 = conn.query_row(
        "SELECT count(*) FROM callback_request r
         WHERE (SELECT count(*) FROM outbox o WHERE o.request_id = r.id) = 2",
        [],
        |r| r.get(0),
    )?;
    assert!(
        whole * 10 >= back.len() as i64 * 8,
        "most recovered requests have both outbox rows: {whole} of {}",
        back.len()
    );
    assert_eq!(
        conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r
            .get::<_, i64>(
            0
        ))?,
        0
    );
    drop(conn);

    // Staff: the account came back, and the health screen says what happened.
    let app = app(state);
    let main = window(&app, "main");
    let session = invoke(
        &main,
        "staff_unlock",
        json!({ "name": "Marta", "pin": "258013" }),
    )
    .map_err(|e| format!("the recovered account unlocks: {e}"))?;
    let health = invoke(&main, "staff_health", json!({ "token": session["token"] }))
        .map_err(|e| format!("{e}"))?;
    let notice = &health["kioskRecovered"];
    assert_eq!(notice["keptAs"], kept[0], "{health}");
    assert_eq!(notice["requests"], back.len() as i64, "{health}");
    // The inbox lists what came back.
    let inbox = invoke(&main, "inbox_list", json!({ "token": session["token"] }))
        .map_err(|e| format!("{e}"))?;
    assert_eq!(inbox.as_array().map(Vec::len), Some(back.len()));
    Ok(())
}

#[test]
fn a_kiosk_db_whose_header_is_garbage_is_replaced_and_the_kiosk_starts() -> TestResult {
    let data = tempfile::tempdir()?;
    kiosk_with_requests(data.path(), 30)?;
    let db = data.path().join("kiosk.db");
    scribble(&db, 0, b"this is not an SQLite file at all")?;
    let state = clinic_kiosk::open_state(data.path(), content_dir());
    assert!(state.kiosk.is_some());
    let app = app(state);
    let main = window(&app, "main");
    let form = json!({
        "requestId": uuid::Uuid::now_v7().to_string(),
        "name": "New Patient",
        "phone": "(201) 555-0199",
        "bestTime": "morning",
        "language": "en",
        "note": "",
        "consent": true,
        "consentVersion": CallbackSettings::default().consent_version,
        "specialty": "spine",
        "topic": null,
        "article": null
    });
    let receipt = invoke(&main, "submit_callback", json!({ "form": form }))
        .map_err(|e| format!("the new kiosk.db takes requests: {e}"))?;
    assert_eq!(receipt["outcome"], "received");
    let conn = Connection::open(&db)?;
    assert_eq!(repair::integrity_problem(&conn)?, None);
    assert!(repair::notice(&conn, clinic_kiosk::callbacks::now_ms())?.is_some());
    Ok(())
}

#[test]
fn a_sound_kiosk_db_is_opened_as_it_is() -> TestResult {
    let data = tempfile::tempdir()?;
    let ids = kiosk_with_requests(data.path(), 5)?;
    let conn = repair::open_at_start(&data.path().join("kiosk.db"), 0)?;
    assert_eq!(request_ids(&conn)?, ids.into_iter().collect());
    assert_eq!(repair::notice(&conn, 0)?, None, "no notice");
    assert!(std::fs::read_dir(data.path())?
        .filter_map(|e| e.ok())
        .all(|e| !e.file_name().to_string_lossy().contains("damaged")));
    Ok(())
}

#[test]
fn a_recovery_notice_is_shown_for_thirty_days() -> TestResult {
    let data = tempfile::tempdir()?;
    kiosk_with_requests(data.path(), 30)?;
    let db = data.path().join("kiosk.db");
    damage(&db)?;
    let at = 1_764_064_800_000;
    let conn = repair::open_at_start(&db, at)?;
    assert!(repair::notice(&conn, at + 29 * 86_400_000)?.is_some());
    assert_eq!(repair::notice(&conn, at + 30 * 86_400_000)?, None);
    Ok(())
}

#[test]
fn a_damaged_library_db_is_rebuilt_and_patients_see_articles() -> TestResult {
    let data = tempfile::tempdir()?;
    drop(clinic_kiosk::open_state(data.path(), content_dir()));
    let lib = data.path().join("library.db");
    let pages = std::fs::metadata(&lib)?.len() / PAGE;
    for p in [pages / 3, pages / 2, pages * 2 / 3] {
        scribble(&lib, p * PAGE + 100, &[0xA5; 512])?;
    }
    assert!(!matches!(
        repair::integrity_problem(&Connection::open(&lib)?),
        Ok(None)
    ));
    let state = clinic_kiosk::open_state(data.path(), content_dir());
    let app = app(state);
    let main = window(&app, "main");
    let results = invoke(
        &main,
        "search",
        json!({ "query": "herniated disc", "lang": "en" }),
    )
    .map_err(|e| format!("search works on the rebuilt library: {e}"))?;
    assert!(results.to_string().contains("herniated-disc"), "{results}");
    let topics =
        invoke(&main, "list_topics", json!({ "lang": "es" })).map_err(|e| format!("{e}"))?;
    assert_eq!(topics.as_array().map(Vec::len), Some(6));
    assert_eq!(
        repair::integrity_problem(&Connection::open(&lib)?)?,
        None,
        "rebuilt"
    );
    Ok(())
}

#[test]
fn a_request_page_that_cannot_be_read_costs_only_its_own_rows() -> TestResult {
    let data = tempfile::tempdir()?;
    let ids = kiosk_with_requests(data.path(), 120)?;
    let db = data.path().join("kiosk.db");
    // A leaf page of the requests in the middle, by SQLite's own page map.
    let (leaves, rows_on_it): (Vec<i64>, i64) = {
        let conn = Connection::open(&db)?;
        let leaves: Vec<i64> = conn
            .prepare("SELECT pageno FROM dbstat WHERE name = 'callback_request' AND pagetype = 'leaf' ORDER BY pageno")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let middle = leaves[leaves.len() / 2];
        let cells = conn.query_row(
            "SELECT ncell FROM dbstat WHERE pageno = ?1",
            [middle],
            |r| r.get(0),
        )?;
        (vec![middle], cells)
    };
    assert!(
        rows_on_it > 0 && rows_on_it < 20,
        "{rows_on_it} rows on the page"
    );
    // An invalid page type: reading the table through it fails with "malformed".
    scribble(&db, (leaves[0] as u64 - 1) * PAGE, &[0x55, 0xFF, 0xFF])?;
    {
        let conn = Connection::open(&db)?;
        // (A count alone would read an index, not the table.)
        let whole = conn.query_row("SELECT sum(length(note)) FROM callback_request", [], |r| {
            r.get::<_, i64>(0)
        });
        assert!(whole.is_err(), "the table cannot be read whole: {whole:?}");
    }
    let conn = repair::open_at_start(&db, clinic_kiosk::callbacks::now_ms())?;
    let back = request_ids(&conn)?;
    assert_eq!(
        back.len() as i64,
        ids.len() as i64 - rows_on_it,
        "every request but the {rows_on_it} on the bad page"
    );
    assert_eq!(repair::integrity_problem(&conn)?, None);
    Ok(())
}

#[test]
fn damaged_copies_are_removed_by_a_start_thirty_days_on() -> TestResult {
    let data = tempfile::tempdir()?;
    let old = [
        "kiosk.db.damaged-2025-10-20-101500",
        "kiosk.db.damaged-2025-10-20-101500-wal",
    ];
    let kept = [
        "kiosk.db.damaged-2025-10-27-101500",
        "kiosk.db.damaged-2025-11-24-090000",
        "kiosk.db.damaged-not-a-stamp",
        "library.db.damaged-2020-01-01-000000",
    ];
    for name in old.iter().chain(&kept) {
        std::fs::write(data.path().join(name), "patient data")?;
    }
    // 2025-11-25 10:00 UTC: 36 and 29 days after the first two.
    let now = 1_764_064_800_000;
    drop(repair::open_at_start(&data.path().join("kiosk.db"), now)?);
    for name in old {
        assert!(!data.path().join(name).exists(), "{name} is removed");
    }
    for name in kept {
        assert!(data.path().join(name).exists(), "{name} is kept");
    }
    Ok(())
}

/// Names of the files in `dir` that start with `prefix`.
fn files_starting(dir: &Path, prefix: &str) -> std::io::Result<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(prefix))
        .collect();
    names.sort();
    Ok(names)
}

/// A kill while the copy was being built: the damaged kiosk.db is still in place beside a
/// partial kiosk.db.recovering (sound, with a few rows and no notice). The next start
/// throws the partial copy away, salvages again, and staff are told.
#[test]
fn a_salvage_killed_while_copying_is_done_again_and_staff_are_told() -> TestResult {
    let data = tempfile::tempdir()?;
    let ids = kiosk_with_requests(data.path(), 120)?;
    let db = data.path().join("kiosk.db");
    damage(&db)?;
    let partial = data.path().join("kiosk.db.recovering");
    drop(store::open(&partial)?);
    let now = clinic_kiosk::callbacks::now_ms();
    let conn = repair::open_at_start(&db, now)?;
    assert!(!partial.exists(), "the partial copy is gone");
    let back = request_ids(&conn)?;
    assert!(
        back.len() * 10 >= ids.len() * 8,
        "{} of {}",
        back.len(),
        ids.len()
    );
    let notice = repair::notice(&conn, now)?.ok_or("staff are told")?;
    assert_eq!(
        vec![notice.kept_as],
        files_starting(data.path(), "kiosk.db.damaged-")?
    );
    assert_eq!(repair::integrity_problem(&conn)?, None);
    Ok(())
}

/// The brief's crash state: the damaged file kept aside, no kiosk.db, and a partial copy
/// without its notice (what a kill mid-copy left when the damaged file was moved aside
/// first). The next start salvages from the kept file, and staff are told.
#[test]
fn a_kept_damaged_file_with_no_finished_copy_is_salvaged_at_the_next_start() -> TestResult {
    let data = tempfile::tempdir()?;
    let ids = kiosk_with_requests(data.path(), 120)?;
    let db = data.path().join("kiosk.db");
    damage(&db)?;
    let now = clinic_kiosk::callbacks::now_ms();
    let kept_name = format!(
        "kiosk.db.damaged-{}",
        clinic_kiosk::clock::utc_file_stamp(now - 60_000)
    );
    std::fs::rename(&db, data.path().join(&kept_name))?;
    let partial = data.path().join("kiosk.db.recovering");
    {
        // A few rows copied, then the kill.
        let conn = store::open(&partial)?;
        conn.execute("INSERT INTO setting (key, value) VALUES ('x', 'y')", [])?;
    }
    let state = clinic_kiosk::open_state(data.path(), content_dir());
    assert!(state.kiosk.is_some());
    drop(state);
    assert!(!partial.exists(), "the partial copy is gone");
    let conn = Connection::open(&db)?;
    let back = request_ids(&conn)?;
    assert!(
        back.len() * 10 >= ids.len() * 8,
        "the requests come back: {} of {}",
        back.len(),
        ids.len()
    );
    let notice = repair::notice(&conn, now)?.ok_or("staff are told")?;
    assert_eq!(notice.kept_as, kept_name);
    assert_eq!(notice.requests, back.len() as i64);
    assert_eq!(
        files_starting(data.path(), "kiosk.db.damaged-")?,
        [kept_name],
        "the damaged file stays where it is, once"
    );
    assert_eq!(repair::integrity_problem(&conn)?, None);
    Ok(())
}

/// A kill between moving the damaged file aside and renaming the finished copy into place:
/// the next start puts that copy in place, notice and all, and salvages nothing twice.
#[test]
fn a_finished_copy_left_at_its_scratch_name_is_put_in_place() -> TestResult {
    let data = tempfile::tempdir()?;
    kiosk_with_requests(data.path(), 60)?;
    let db = data.path().join("kiosk.db");
    damage(&db)?;
    let now = clinic_kiosk::callbacks::now_ms();
    let salvaged = request_ids(&repair::open_at_start(&db, now)?)?;
    // As the kill left it: the finished copy still at its scratch name.
    std::fs::rename(&db, data.path().join("kiosk.db.recovering"))?;
    let conn = repair::open_at_start(&db, now + 60_000)?;
    assert_eq!(request_ids(&conn)?, salvaged);
    let notice = repair::notice(&conn, now + 60_000)?.ok_or("staff are told")?;
    assert_eq!(notice.at, now, "the salvage's own notice");
    assert_eq!(files_starting(data.path(), "kiosk.db.damaged-")?.len(), 1);
    assert!(!data.path().join("kiosk.db.recovering").exists());
    Ok(())
}

/// The outbox rows of each request, `(destination, delivered)`, by request id.
fn outbox_rows(
    conn: &Connection,
) -> rusqlite::Result<std::collections::HashMap<String, Vec<(String, bool)>>> {
    let mut rows = std::collections::HashMap::<String, Vec<(String, bool)>>::new();
    let mut stmt = conn.prepare(
        "SELECT request_id, destination, delivered_at IS NOT NULL FROM outbox
         ORDER BY request_id, destination",
    )?;
    let found = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    for row in found {
        let (id, destination, delivered): (String, String, bool) = row?;
        rows.entry(id).or_default().push((destination, delivered));
    }
    Ok(rows)
}

/// Requests that came back without their outbox rows (an outbox page that could not be
/// read) are queued again at the start that salvaged them, for the configured
/// destinations (the test's default config: the staff inbox alone), so none is left with
/// no row: neither delivered nor erased by the delivery rules.
#[test]
fn recovered_requests_whose_outbox_rows_were_lost_are_queued_again() -> TestResult {
    let data = tempfile::tempdir()?;
    let ids = kiosk_with_requests(data.path(), 200)?;
    let db = data.path().join("kiosk.db");
    // The outbox's leaf pages get an invalid page type: their rows cannot be read.
    let leaves: Vec<i64> = Connection::open(&db)?
        .prepare(
            "SELECT pageno FROM dbstat WHERE name = 'outbox' AND pagetype = 'leaf'
             ORDER BY pageno",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    assert!(leaves.len() >= 2, "{} outbox pages", leaves.len());
    scribble(&db, (leaves[0] as u64 - 1) * PAGE, &[0x55, 0xFF, 0xFF])?;
    drop(clinic_kiosk::open_state(data.path(), content_dir()));

    let conn = Connection::open(&db)?;
    let back = request_ids(&conn)?;
    assert!(
        back.len() * 10 >= ids.len() * 9,
        "{} of {}",
        back.len(),
        ids.len()
    );
    let rows = outbox_rows(&conn)?;
    let unqueued: Vec<&String> = back.iter().filter(|id| !rows.contains_key(*id)).collect();
    assert!(
        unqueued.is_empty(),
        "requests with no outbox row: {unqueued:?}"
    );
    let requeued = rows
        .values()
        .filter(|r| r.as_slice() == [("staff-inbox".to_string(), true)])
        .count();
    assert!(
        requeued > 0,
        "the requests on the lost page got the configured destination's row"
    );
    assert!(
        rows.values().filter(|r| r.len() == 2).count() > 0,
        "rows that came back are kept as they were"
    );
    Ok(())
}

/// `requeue_unqueued` itself: a request with no row gets one per destination (the staff
/// inbox's delivered) and the front desk's when paired, due now; a closed request and a
/// request with rows are left alone; a second call queues nothing.
#[test]
fn requeue_unqueued_queues_only_open_requests_with_no_row() -> TestResult {
    let data = tempfile::tempdir()?;
    let ids = kiosk_with_requests(data.path(), 3)?;
    let mut conn = store::open(&data.path().join("kiosk.db"))?;
    store::lan::save_pairing(
        &conn,
        &store::lan::Pairing {
            address: "192.0.2.7:4443".into(),
            fingerprint: "ab".repeat(32),
            kiosk_id: "lobby".into(),
            secret: "cd".repeat(32),
            paired_at: 1,
        },
    )?;
    conn.execute(
        "DELETE FROM outbox WHERE request_id IN (?1, ?2)",
        [&ids[0], &ids[1]],
    )?;
    queue::update(&mut conn, &ids[1], Some("closed"), None, "Marta", 5)?;
    let destinations = ["staff-inbox".to_string(), "clinic-webhook".to_string()];
    let now = 1_764_064_800_000;
    assert_eq!(outbox::requeue_unqueued(&mut conn, &destinations, now)?, 1);
    let rows = outbox_rows(&conn)?;
    assert_eq!(
        rows.get(&ids[0]).cloned().unwrap_or_default(),
        [
            ("clinic-webhook".to_string(), false),
            ("front-desk".to_string(), false),
            ("staff-inbox".to_string(), true),
        ]
    );
    let due: i64 = conn.query_row(
        "SELECT min(next_attempt_at) FROM outbox WHERE request_id = ?1",
        [&ids[0]],
        |r| r.get(0),
    )?;
    assert_eq!(due, now, "due at once");
    assert!(!rows.contains_key(&ids[1]), "a closed request is not sent");
    assert_eq!(rows.get(&ids[2]).map(Vec::len), Some(2), "untouched");
    assert_eq!(outbox::requeue_unqueued(&mut conn, &destinations, now)?, 0);
    Ok(())
}

/// A damaged kiosk.db kept aside holds every patient's name and phone: the running app's
/// retention pass removes it once it is older than the clinic's retention, or 30 days
/// when that is longer, not only a start (a kiosk may never be restarted).
#[test]
fn a_kept_damaged_file_is_removed_by_the_running_app_after_the_retention() -> TestResult {
    let data = tempfile::tempdir()?;
    let mut state = clinic_kiosk::open_state(data.path(), content_dir());
    state.config.callbacks.retention_days = 7;
    let now = state.now_ms();
    let day = 86_400_000;
    let name = |days_ago: i64| {
        format!(
            "kiosk.db.damaged-{}",
            clinic_kiosk::clock::utc_file_stamp(now - days_ago * day)
        )
    };
    for file in [name(8), format!("{}-wal", name(8)), name(6), name(31)] {
        std::fs::write(data.path().join(file), "patient data")?;
    }
    let mut clock = clinic_kiosk::callbacks::retention::PassClock::default();
    let boot = std::time::Duration::from_secs(100);
    clinic_kiosk::retention_pass(&state, &mut clock, boot);
    assert_eq!(
        files_starting(data.path(), "kiosk.db.damaged-")?,
        [name(6)],
        "older than the 7 days' retention: removed"
    );
    // A clinic that keeps requests 90 days: the copy still goes after 30.
    state.config.callbacks.retention_days = 90;
    std::fs::write(data.path().join(name(31)), "patient data")?;
    std::fs::write(data.path().join(name(29)), "patient data")?;
    clinic_kiosk::retention_pass(
        &state,
        &mut clock,
        boot + std::time::Duration::from_secs(60),
    );
    let mut kept = vec![name(6), name(29)];
    kept.sort();
    assert_eq!(files_starting(data.path(), "kiosk.db.damaged-")?, kept);
    Ok(())
}

/// Set for the child of [`every_kill_during_a_salvage_ends_in_a_recovered_kiosk_db`]: the
/// kiosk.db it salvages.
const SALVAGE_CHILD_DB_ENV: &str = "CLINIC_KIOSK_SALVAGE_CHILD_DB";

/// The child: salvages the damaged kiosk.db the parent names, saying `GO` first. Does
/// nothing in an ordinary test run.
#[test]
fn child_salvage() -> TestResult {
    let Some(db) = std::env::var_os(SALVAGE_CHILD_DB_ENV) else {
        return Ok(());
    };
    println!("GO");
    drop(repair::open_at_start(
        Path::new(&db),
        clinic_kiosk::callbacks::now_ms(),
    )?);
    println!("DONE");
    Ok(())
}

/// Copies the files of `from` into `to`.
fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        std::fs::copy(entry.path(), to.join(entry.file_name()))?;
    }
    Ok(())
}

/// Real kills (SIGKILL) of a process salvaging a damaged kiosk.db, at spread-out moments
/// of the salvage: after each, a start on a copy of what the kill left recovers the
/// requests and tells staff, and the damaged file is kept once.
#[test]
fn every_kill_during_a_salvage_ends_in_a_recovered_kiosk_db() -> TestResult {
    use std::io::{BufRead, BufReader};
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Stdio};

    let data = tempfile::tempdir()?;
    let ids = kiosk_with_requests(data.path(), 300)?;
    let db = data.path().join("kiosk.db");
    damage(&db)?;
    // How long a salvage takes here, on a copy.
    let took = {
        let copy = tempfile::tempdir()?;
        copy_dir(data.path(), copy.path())?;
        let started = std::time::Instant::now();
        drop(repair::open_at_start(
            &copy.path().join("kiosk.db"),
            clinic_kiosk::callbacks::now_ms(),
        )?);
        started.elapsed()
    };
    let exe = std::env::current_exe()?;
    let rounds = 12u32;
    // Rounds killed with a copy under way.
    let mut mid_salvage = 0;
    for round in 0..rounds {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                &crate::common::test_name(module_path!(), "child_salvage"),
                "--nocapture",
                "--test-threads=1",
            ])
            .env(SALVAGE_CHILD_DB_ENV, &db)
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let mut stdout = BufReader::new(child.stdout.take().ok_or("piped")?);
        let mut line = String::new();
        while !line.contains("GO") {
            line.clear();
            if stdout.read_line(&mut line)? == 0 {
                return Err(format!("round {round}: the child ended before GO").into());
            }
        }
        // Spread over the salvage: round r kills at r/(rounds-2) of its time (the last
        // rounds after it is done).
        std::thread::sleep(took.mul_f64(f64::from(round) / f64::from(rounds - 2)));
        child.kill()?;
        let status = child.wait()?;
        drop(stdout);
        let done = status.success();
        assert!(
            done || status.signal() == Some(9),
            "round {round}: {status}"
        );
        let left = files_starting(data.path(), "kiosk.db")?;
        eprintln!(
            "round {round}: {} after {:?} of {took:?}; left: {left:?}",
            if done { "done" } else { "killed" },
            took.mul_f64(f64::from(round) / f64::from(rounds - 2)),
        );
        if !done && left.iter().any(|n| n == "kiosk.db.recovering") {
            mid_salvage += 1;
        }

        let after = tempfile::tempdir()?;
        copy_dir(data.path(), after.path())?;
        let now = clinic_kiosk::callbacks::now_ms();
        let conn = repair::open_at_start(&after.path().join("kiosk.db"), now)?;
        let back = request_ids(&conn)?;
        assert!(
            back.len() * 10 >= ids.len() * 8,
            "round {round}: {} of {} requests",
            back.len(),
            ids.len()
        );
        assert!(
            repair::notice(&conn, now)?.is_some(),
            "round {round}: staff are told"
        );
        assert_eq!(repair::integrity_problem(&conn)?, None);
        let kept = files_starting(after.path(), "kiosk.db.damaged-")?;
        assert_eq!(
            kept.iter().filter(|n| !n.ends_with("-wal")).count(),
            1,
            "round {round}: {kept:?}"
        );
    }
    assert!(
        mid_salvage > 0,
        "no kill landed while the copy was built; the test proved nothing"
    );
    Ok(())
}
