//! The durable callback queue on real kiosk.db files: submit and its outbox rows,
//! duplicates and rate limits, the staff inbox, status changes and notes with their audit
//! entries, retention, and the CSV export.

use crate::common;

use std::path::PathBuf;

use clinic_kiosk::callbacks::queue::{self, Filter, Outcome};
use clinic_kiosk::callbacks::retention;
use clinic_kiosk::callbacks::validate::validate;
use clinic_kiosk::callbacks::{audit, CallbackError, CallbackForm, CallbackSettings, ValidRequest};
use clinic_kiosk::store;
use common::TestResult;
use rusqlite::Connection;
use tempfile::TempDir;

/// 2025-11-25 10:00:00 UTC, in Unix ms: tests pass explicit times, never the clock.
const NOW: i64 = 1_764_064_800_000;
const SECOND: i64 = 1000;
const HOUR: i64 = 3_600_000;
const DAY: i64 = 86_400_000;

/// A kiosk.db in a temporary folder, removed when the test ends.
struct Kiosk {
    _dir: TempDir,
    path: PathBuf,
    conn: Connection,
}

fn kiosk() -> Result<Kiosk, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("kiosk.db");
    let conn = store::open(&path)?;
    Ok(Kiosk {
        _dir: dir,
        path,
        conn,
    })
}

/// Default settings with two destinations, so "one outbox row per destination" means two.
fn settings() -> CallbackSettings {
    CallbackSettings {
        destinations: vec!["staff-inbox".into(), "front-desk-printer".into()],
        ..CallbackSettings::default()
    }
}

/// Settings that never rate-limit, for tests that make requests out of time order.
fn unlimited() -> CallbackSettings {
    CallbackSettings {
        burst_limit: u32::MAX,
        ..settings()
    }
}

fn form(name: &str, phone: &str) -> CallbackForm {
    CallbackForm {
        request_id: uuid::Uuid::now_v7().to_string(),
        name: name.into(),
        phone: phone.into(),
        best_time: "afternoon".into(),
        language: "en".into(),
        note: String::new(),
        consent: true,
        consent_version: CallbackSettings::default().consent_version,
        specialty: "spine".into(),
        topic: Some("spine-care".into()),
        article: None,
        screen_language: None,
    }
}

/// A request that passed the real rules.
fn valid(form: &CallbackForm) -> ValidRequest {
    let specialties = ["spine".to_string(), "vein".to_string()];
    validate(form, &CallbackSettings::default(), &specialties)
        .unwrap_or_else(|e| panic!("the test form must be valid: {e:?}"))
}

/// A valid request from `name` at a distinct phone number `n`.
fn request(name: &str, n: u32) -> ValidRequest {
    valid(&form(name, &format!("(201) 555-{:04}", n % 10_000)))
}

fn count(conn: &Connection, sql: &str) -> rusqlite::Result<i64> {
    conn.query_row(sql, [], |r| r.get(0))
}

/// An outbox row: destination, created_at, attempts, delivered_at.
type OutboxRow = (String, i64, i64, Option<i64>);

fn outbox(conn: &Connection, id: &str) -> rusqlite::Result<Vec<OutboxRow>> {
    let mut stmt = conn.prepare(
        "SELECT destination, created_at, attempts, delivered_at FROM outbox
         WHERE request_id = ?1 ORDER BY destination",
    )?;
    let rows = stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    rows.collect()
}

#[test]
fn a_submitted_request_is_stored_with_one_outbox_row_per_destination() -> TestResult {
    let mut k = kiosk()?;
    let mut f = form("José Núñez", "+1 201 555 0123");
    f.note = "Afternoons, please".into();
    let req = valid(&f);
    let receipt = queue::submit(&mut k.conn, &req, &settings(), NOW)?;
    assert_eq!(receipt.outcome, Outcome::Received);
    assert_eq!(receipt.request_id, req.id.to_string());
    assert_eq!(receipt.retry_after_secs, None);

    // A second connection sees it: it was committed, not just written to this connection.
    let other = Connection::open(&k.path)?;
    let items = queue::list(&other, Filter::All)?;
    assert_eq!(items.len(), 1);
    let item = &items[0];
    assert_eq!(item.id, req.id.to_string());
    assert_eq!(item.name, "José Núñez");
    assert_eq!(item.phone, "+12015550123");
    assert_eq!(item.phone_display, "(201) 555-0123");
    assert_eq!(item.status, "new");
    assert_eq!(item.created_at, NOW);
    assert_eq!(item.status_at, NOW);
    assert_eq!(item.consent_at, NOW, "consent is recorded with the request");
    assert_eq!(item.consent_version, "2026-12");
    assert_eq!(item.note.as_deref(), Some("Afternoons, please"));
    assert_eq!(item.topic.as_deref(), Some("spine-care"));
    assert_eq!(
        outbox(&other, &item.id)?,
        [
            ("front-desk-printer".to_string(), NOW, 0, None),
            ("staff-inbox".to_string(), NOW, 0, Some(NOW))
        ],
        "one outbox row per destination; the kiosk's own inbox has it at once"
    );
    Ok(())
}

#[test]
fn a_request_and_its_outbox_rows_are_stored_together_or_not_at_all() -> TestResult {
    let mut k = kiosk()?;
    // The second outbox row breaks UNIQUE (request_id, destination) after the request row
    // and the first outbox row were written in the same transaction.
    let broken = CallbackSettings {
        destinations: vec!["staff-inbox".into(), "staff-inbox".into()],
        ..settings()
    };
    let req = request("Ana", 1);
    let err = queue::submit(&mut k.conn, &req, &broken, NOW)
        .expect_err("a failing outbox insert fails the submit");
    assert!(matches!(err, CallbackError::Sqlite(_)), "{err:?}");
    assert_eq!(
        count(&k.conn, "SELECT count(*) FROM callback_request")?,
        0,
        "no request without its outbox rows"
    );
    assert_eq!(count(&k.conn, "SELECT count(*) FROM outbox")?, 0);
    // The connection is usable again and the same request goes through.
    let receipt = queue::submit(&mut k.conn, &req, &settings(), NOW)?;
    assert_eq!(receipt.outcome, Outcome::Received);
    assert_eq!(count(&k.conn, "SELECT count(*) FROM outbox")?, 2);
    Ok(())
}

#[test]
fn the_same_request_id_again_is_already_received_and_stored_once() -> TestResult {
    let mut k = kiosk()?;
    let req = request("Ana", 1);
    assert_eq!(
        queue::submit(&mut k.conn, &req, &settings(), NOW)?.outcome,
        Outcome::Received
    );
    let again = queue::submit(&mut k.conn, &req, &settings(), NOW + 2 * SECOND)?;
    assert_eq!(again.outcome, Outcome::AlreadyReceived, "a double tap");
    assert_eq!(again.request_id, req.id.to_string(), "the same answer");
    // A retry a day later with the same id is still the same request, not a new one.
    let later = queue::submit(&mut k.conn, &req, &settings(), NOW + 2 * DAY)?;
    assert_eq!(later.outcome, Outcome::AlreadyReceived);
    assert_eq!(count(&k.conn, "SELECT count(*) FROM callback_request")?, 1);
    assert_eq!(count(&k.conn, "SELECT count(*) FROM outbox")?, 2);
    let created: i64 = k
        .conn
        .query_row("SELECT created_at FROM callback_request", [], |r| r.get(0))?;
    assert_eq!(created, NOW, "the first copy is kept as it was");
    Ok(())
}

#[test]
fn the_same_phone_within_a_day_is_a_duplicate_until_closed_or_the_window_passes() -> TestResult {
    let mut k = kiosk()?;
    // Duplicates count against the burst limit too; this test is about duplicates alone.
    let s = unlimited();
    let first = valid(&form("Ana", "201-555-0123"));
    assert_eq!(
        queue::submit(&mut k.conn, &first, &s, NOW)?.outcome,
        Outcome::Received
    );
    // Typed differently, the same number: E.164 makes them equal.
    let second = valid(&form("Ana López", "(201) 555 0123"));
    let receipt = queue::submit(&mut k.conn, &second, &s, NOW + HOUR)?;
    assert_eq!(receipt.outcome, Outcome::Duplicate);
    assert_eq!(receipt.request_id, second.id.to_string());
    let edge = valid(&form("Ana", "+1 201 555 0123"));
    assert_eq!(
        queue::submit(&mut k.conn, &edge, &s, NOW + 24 * HOUR - 1)?.outcome,
        Outcome::Duplicate,
        "still within 24 hours"
    );
    assert_eq!(
        count(&k.conn, "SELECT count(*) FROM callback_request")?,
        1,
        "a duplicate is not stored"
    );
    // The clinic closes the first; the patient asks again the same day: accepted.
    queue::update(
        &mut k.conn,
        &first.id.to_string(),
        Some("closed"),
        None,
        "Ana Staff",
        NOW + 2 * HOUR,
    )?;
    let after_close = valid(&form("Ana", "201-555-0123"));
    assert_eq!(
        queue::submit(&mut k.conn, &after_close, &s, NOW + 3 * HOUR)?.outcome,
        Outcome::Received,
        "a closed request does not block a new one"
    );
    // That one stays open; a day and a millisecond later the same phone is accepted.
    let next_day = valid(&form("Ana", "201-555-0123"));
    assert_eq!(
        queue::submit(&mut k.conn, &next_day, &s, NOW + 3 * HOUR + 24 * HOUR - 1)?.outcome,
        Outcome::Duplicate
    );
    assert_eq!(
        queue::submit(&mut k.conn, &next_day, &s, NOW + 3 * HOUR + 24 * HOUR + 1)?.outcome,
        Outcome::Received,
        "after the window the same phone is accepted"
    );
    assert_eq!(count(&k.conn, "SELECT count(*) FROM callback_request")?, 3);
    Ok(())
}

#[test]
fn a_burst_is_slowed_to_one_request_per_interval_not_shut_for_a_window() -> TestResult {
    let mut k = kiosk()?;
    let s = settings();
    assert_eq!((s.burst_limit, s.burst_window_secs), (5, 600));
    for i in 0..5 {
        let receipt = queue::submit(
            &mut k.conn,
            &request("Ana", 100 + i),
            &s,
            NOW + i64::from(i) * 10 * SECOND,
        )?;
        assert_eq!(
            receipt.outcome,
            Outcome::Received,
            "request {i} of the burst"
        );
    }
    let sixth = request("Ana", 200);
    let limited = queue::submit(&mut k.conn, &sixth, &s, NOW + 60 * SECOND)?;
    assert_eq!(limited.outcome, Outcome::RateLimited);
    assert_eq!(
        limited.retry_after_secs,
        Some(60),
        "one interval (600 s / 5) after the burst began, not the whole window"
    );
    assert_eq!(
        count(&k.conn, "SELECT count(*) FROM callback_request")?,
        5,
        "a refused request is not stored"
    );
    let early = queue::submit(&mut k.conn, &sixth, &s, NOW + 119 * SECOND)?;
    assert_eq!(early.outcome, Outcome::RateLimited);
    assert_eq!(early.retry_after_secs, Some(1));
    // Retrying after exactly retryAfterSecs must work: that is what the number promises.
    let retried = queue::submit(&mut k.conn, &sixth, &s, NOW + 60 * SECOND + 60 * SECOND)?;
    assert_eq!(
        retried.outcome,
        Outcome::Received,
        "waiting retryAfterSecs is enough"
    );
    assert_eq!(retried.retry_after_secs, None);
    let seventh = queue::submit(&mut k.conn, &request("Ana", 300), &s, NOW + 121 * SECOND)?;
    assert_eq!(
        seventh.retry_after_secs,
        Some(119),
        "then one request every 2 minutes"
    );
    // A restart does not reset it: the state is in kiosk.db.
    drop(k.conn);
    let mut again = store::open(&k.path)?;
    let after_restart = queue::submit(&mut again, &request("Ana", 300), &s, NOW + 122 * SECOND)?;
    assert_eq!(after_restart.outcome, Outcome::RateLimited);
    assert_eq!(count(&again, "SELECT count(*) FROM callback_request")?, 6);
    Ok(())
}

#[test]
fn the_inbox_lists_new_then_no_answer_then_contacted_oldest_first() -> TestResult {
    let mut k = kiosk()?;
    let s = unlimited();
    // (name, created hours after NOW, status to set)
    let plan = [
        ("Carla", 1, "contacted"),
        ("Bea", 2, "new"),
        ("Dora", 3, "noAnswer"),
        ("Ana", 4, "new"),
        ("Eva", 5, "closed"),
        ("Fina", 0, "noAnswer"),
        ("Gala", 6, "contacted"),
    ];
    let mut ids = std::collections::HashMap::new();
    for (i, (name, hours, status)) in plan.iter().enumerate() {
        let req = request(name, i as u32);
        let receipt = queue::submit(&mut k.conn, &req, &s, NOW + hours * HOUR)?;
        assert_eq!(receipt.outcome, Outcome::Received, "{name}");
        if *status != "new" {
            queue::update(
                &mut k.conn,
                &req.id.to_string(),
                Some(status),
                None,
                "Staff",
                NOW + 10 * HOUR,
            )?;
        }
        ids.insert(req.id.to_string(), *name);
    }
    let names = |filter| -> Result<Vec<&str>, CallbackError> {
        Ok(queue::list(&k.conn, filter)?
            .iter()
            .map(|i| ids[&i.id])
            .collect())
    };
    assert_eq!(
        names(Filter::Open)?,
        ["Bea", "Ana", "Fina", "Dora", "Carla", "Gala"],
        "new before noAnswer before contacted, oldest first within each; closed hidden"
    );
    assert_eq!(
        names(Filter::All)?,
        ["Bea", "Ana", "Fina", "Dora", "Carla", "Gala", "Eva"],
        "closed last"
    );
    assert_eq!(names(Filter::Status("noAnswer"))?, ["Fina", "Dora"]);
    assert_eq!(names(Filter::Status("closed"))?, ["Eva"]);
    let err = queue::list(&k.conn, Filter::Status("deleted")).expect_err("not a status");
    assert!(matches!(err, CallbackError::UnknownStatus(_)), "{err:?}");
    Ok(())
}

/// Every text in the audit log, to look for personal data.
fn audit_text(conn: &Connection) -> rusqlite::Result<String> {
    let mut stmt = conn.prepare(
        "SELECT coalesce(staff, '') || '|' || coalesce(action, '') || '|' ||
                coalesce(request_id, '') || '|' || coalesce(detail, '') FROM audit_log",
    )?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?.join("\n"))
}

#[test]
fn status_changes_and_notes_are_stored_with_audit_entries_and_no_personal_data() -> TestResult {
    let mut k = kiosk()?;
    let mut f = form("Zoë Quintana", "201-555-0187");
    f.note = "Only after 3 pm".into();
    let req = valid(&f);
    let id = req.id.to_string();
    queue::submit(&mut k.conn, &req, &settings(), NOW)?;

    let item = queue::update(
        &mut k.conn,
        &id,
        Some("noAnswer"),
        Some("  Rang twice, voicemail full  "),
        "Marta",
        NOW + HOUR,
    )?;
    assert_eq!(item.status, "noAnswer");
    assert_eq!(item.status_at, NOW + HOUR);
    assert_eq!(item.notes.len(), 1);
    assert_eq!(item.notes[0].staff, "Marta");
    assert_eq!(item.notes[0].at, NOW + HOUR);
    assert_eq!(
        item.notes[0].text, "Rang twice, voicemail full",
        "the note is trimmed"
    );

    let item = queue::update(
        &mut k.conn,
        &id,
        Some("contacted"),
        None,
        "Luis",
        NOW + 2 * HOUR,
    )?;
    assert_eq!(item.status, "contacted");
    // The same status again changes nothing and is not audited.
    queue::update(
        &mut k.conn,
        &id,
        Some("contacted"),
        Some("   "),
        "Luis",
        NOW + 3 * HOUR,
    )?;
    let item = queue::update(
        &mut k.conn,
        &id,
        Some("closed"),
        Some("Booked for Tuesday"),
        "Luis",
        NOW + 4 * HOUR,
    )?;
    assert_eq!(item.status, "closed");
    assert_eq!(
        item.notes
            .iter()
            .map(|n| n.text.as_str())
            .collect::<Vec<_>>(),
        ["Rang twice, voicemail full", "Booked for Tuesday"],
        "notes oldest first"
    );
    let closed_at: Option<i64> = k.conn.query_row(
        "SELECT closed_at FROM callback_request WHERE id = ?1",
        [&id],
        |r| r.get(0),
    )?;
    assert_eq!(closed_at, Some(NOW + 4 * HOUR));

    let entries = audit::recent(&k.conn, 100)?;
    type Entry<'a> = (i64, &'a str, &'a str, Option<&'a str>, Option<&'a str>);
    let got: Vec<Entry> = entries
        .iter()
        .map(|e| {
            (
                e.at,
                e.staff.as_str(),
                e.action.as_str(),
                e.request_id.as_deref(),
                e.detail.as_deref(),
            )
        })
        .collect();
    let id = id.as_str();
    assert_eq!(
        got,
        [
            (NOW + 4 * HOUR, "Luis", "note", Some(id), None),
            (
                NOW + 4 * HOUR,
                "Luis",
                "status",
                Some(id),
                Some("contacted -> closed")
            ),
            (
                NOW + 2 * HOUR,
                "Luis",
                "status",
                Some(id),
                Some("noAnswer -> contacted")
            ),
            (NOW + HOUR, "Marta", "note", Some(id), None),
            (
                NOW + HOUR,
                "Marta",
                "status",
                Some(id),
                Some("new -> noAnswer")
            ),
        ],
        "who, what and when, newest first; nothing for a no-op"
    );
    let text = audit_text(&k.conn)?;
    for secret in [
        "Zoë",
        "Quintana",
        "+12015550187",
        "555-0187",
        "5550187",
        "after 3 pm",
        "voicemail",
        "Tuesday",
    ] {
        assert!(
            !text.contains(secret),
            "the audit log must not hold {secret:?}:\n{text}"
        );
    }
    Ok(())
}

#[test]
fn an_unknown_status_or_a_too_long_note_is_refused_and_changes_nothing() -> TestResult {
    let mut k = kiosk()?;
    let req = request("Ana", 1);
    let id = req.id.to_string();
    queue::submit(&mut k.conn, &req, &settings(), NOW)?;

    let err = queue::update(&mut k.conn, &id, Some("deleted"), None, "Marta", NOW)
        .expect_err("not a status");
    assert!(
        matches!(err, CallbackError::UnknownStatus(ref s) if s == "deleted"),
        "{err:?}"
    );
    let err = queue::update(&mut k.conn, &id, Some("Closed"), None, "Marta", NOW)
        .expect_err("statuses are case-sensitive");
    assert!(matches!(err, CallbackError::UnknownStatus(_)), "{err:?}");

    let long = "x".repeat(501);
    let err = queue::update(&mut k.conn, &id, Some("closed"), Some(&long), "Marta", NOW)
        .expect_err("501 characters");
    assert!(matches!(err, CallbackError::NoteTooLong), "{err:?}");

    let err = queue::update(
        &mut k.conn,
        "no-such-id",
        Some("closed"),
        None,
        "Marta",
        NOW,
    )
    .expect_err("no such request");
    assert!(matches!(err, CallbackError::NotFound), "{err:?}");

    let item = &queue::list(&k.conn, Filter::All)?[0];
    assert_eq!(item.status, "new", "a refused update changes nothing");
    assert!(item.notes.is_empty());
    assert_eq!(count(&k.conn, "SELECT count(*) FROM audit_log")?, 0);

    let max = "ñ".repeat(500);
    let item = queue::update(&mut k.conn, &id, None, Some(&max), "Marta", NOW)?;
    assert_eq!(
        item.notes[0].text.chars().count(),
        500,
        "500 characters is the limit, counted as characters"
    );
    Ok(())
}

/// Inserts a request as it would stand after its life: created, then in `status` since
/// `status_at`.
fn aged(
    conn: &mut Connection,
    name: &str,
    n: u32,
    specialty: &str,
    created: i64,
    status: &str,
    status_at: i64,
) -> Result<String, Box<dyn std::error::Error>> {
    let mut f = form(name, &format!("(201) 555-{:04}", n));
    f.specialty = specialty.into();
    f.note = format!("note of {name}");
    let req = valid(&f);
    let id = req.id.to_string();
    assert_eq!(
        queue::submit(conn, &req, &unlimited(), created)?.outcome,
        Outcome::Received
    );
    queue::update(
        conn,
        &id,
        Some(status).filter(|s| *s != "new"),
        Some(&format!("staff note about {name}")),
        "Marta",
        status_at,
    )?;
    Ok(id)
}

fn counts(conn: &Connection) -> rusqlite::Result<Vec<(String, String, String, i64)>> {
    let mut stmt = conn.prepare(
        "SELECT day, specialty, outcome, count FROM callback_count ORDER BY day, specialty",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    rows.collect()
}

/// Every value of every row of `table`, as text, to look for personal data.
fn table_text(conn: &Connection, table: &str) -> rusqlite::Result<String> {
    let mut stmt = conn.prepare(&format!("SELECT * FROM {table}"))?;
    let n = stmt.column_count();
    let rows = stmt.query_map([], |r| {
        let mut s = String::new();
        for i in 0..n {
            s.push_str(&format!("{:?} ", r.get::<_, rusqlite::types::Value>(i)?));
        }
        Ok(s)
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?.join("\n"))
}

#[test]
fn retention_erases_old_closed_requests_and_keeps_anonymous_counts() -> TestResult {
    let mut k = kiosk()?;
    let c = &mut k.conn;
    let retention = settings().retention_days;
    assert_eq!(retention, 30);
    let created = NOW - 40 * DAY;
    let old_a = aged(
        c,
        "Erased Uno",
        1,
        "spine",
        created,
        "closed",
        NOW - 35 * DAY,
    )?;
    let old_b = aged(
        c,
        "Erased Dos",
        2,
        "spine",
        created + HOUR,
        "closed",
        NOW - 31 * DAY,
    )?;
    let old_c = aged(
        c,
        "Erased Tres",
        3,
        "vein",
        created + 2 * HOUR,
        "closed",
        NOW - 31 * DAY,
    )?;
    let recent = aged(
        c,
        "Kept Closed",
        4,
        "spine",
        created,
        "closed",
        NOW - 29 * DAY,
    )?;
    let open_new = aged(c, "Kept New", 5, "spine", created, "new", created)?;
    let open_contacted = aged(
        c,
        "Kept Contacted",
        6,
        "vein",
        created,
        "contacted",
        NOW - 45 * DAY,
    )?;
    let open_no_answer = aged(
        c,
        "Kept Waiting",
        7,
        "vein",
        created,
        "noAnswer",
        NOW - 39 * DAY,
    )?;

    let erased = queue::purge(c, retention, NOW)?;
    assert_eq!(erased, 3, "the three closed more than 30 days ago");

    let left: Vec<String> = queue::list(c, Filter::All)?
        .into_iter()
        .map(|i| i.id)
        .collect();
    for id in [&recent, &open_new, &open_contacted, &open_no_answer] {
        assert!(left.contains(id), "{id} must be kept");
    }
    assert_eq!(left.len(), 4);
    for id in [&old_a, &old_b, &old_c] {
        for table in [
            "callback_request WHERE id",
            "callback_note WHERE request_id",
            "outbox WHERE request_id",
        ] {
            let n: i64 = c.query_row(&format!("SELECT count(*) FROM {table} = ?1"), [id], |r| {
                r.get(0)
            })?;
            assert_eq!(n, 0, "{table} = {id} is erased");
        }
    }
    assert_eq!(count(c, "SELECT count(*) FROM callback_note")?, 4);
    assert_eq!(count(c, "SELECT count(*) FROM outbox")?, 8);
    let day = store::civil_date((created / 1000).div_euclid(86_400));
    assert_eq!(
        counts(c)?,
        [
            (day.clone(), "spine".into(), "closed".into(), 2),
            (day.clone(), "vein".into(), "closed".into(), 1)
        ],
        "anonymous counts by the day asked, specialty and outcome"
    );
    // Nothing personal of the erased requests is left in any table.
    for table in [
        "callback_request",
        "callback_note",
        "outbox",
        "callback_count",
        "audit_log",
    ] {
        let dump = table_text(c, table)?;
        for secret in ["Erased", "555-0001", "5550001", "5550002", "5550003"] {
            assert!(!dump.contains(secret), "{table} still holds {secret:?}");
        }
    }
    let purge_entry = &audit::recent(c, 1)?[0];
    assert_eq!(
        (
            purge_entry.staff.as_str(),
            purge_entry.action.as_str(),
            purge_entry.detail.as_deref()
        ),
        (
            "system",
            "purge",
            Some("3 closed request(s) erased after the retention period")
        )
    );

    // Running again erases nothing and does not count twice.
    assert_eq!(queue::purge(c, retention, NOW)?, 0);
    assert_eq!(counts(c)?.iter().map(|r| r.3).sum::<i64>(), 3);
    // Half a day later the one closed 29 days before NOW is still kept ...
    assert_eq!(queue::purge(c, retention, NOW + 12 * HOUR)?, 0);
    // ... and two days later it goes, adding to the same day's count.
    assert_eq!(queue::purge(c, retention, NOW + 2 * DAY)?, 1);
    assert_eq!(
        counts(c)?,
        [
            (day.clone(), "spine".into(), "closed".into(), 3),
            (day, "vein".into(), "closed".into(), 1)
        ],
        "counts of a later purge add up"
    );
    Ok(())
}

/// How many times `needle` appears in the bytes of kiosk.db and its WAL.
fn on_disk(k: &Kiosk, needle: &str) -> std::io::Result<usize> {
    let mut found = 0;
    for suffix in ["", "-wal"] {
        let mut file = k.path.clone().into_os_string();
        file.push(suffix);
        let bytes = match std::fs::read(&file) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        found += bytes
            .windows(needle.len())
            .filter(|w| *w == needle.as_bytes())
            .count();
    }
    Ok(found)
}

#[test]
fn erased_personal_data_is_not_left_readable_in_the_database_files() -> TestResult {
    let mut k = kiosk()?;
    let created = NOW - 40 * DAY;
    aged(
        &mut k.conn,
        "Zebulon Erased",
        41,
        "spine",
        created,
        "closed",
        NOW - 35 * DAY,
    )?;
    aged(
        &mut k.conn,
        "Yolanda Kept",
        42,
        "spine",
        created,
        "new",
        created,
    )?;
    assert!(
        on_disk(&k, "Zebulon Erased")? > 0,
        "the probe finds stored names"
    );
    assert_eq!(queue::purge(&mut k.conn, 30, NOW)?, 1);
    // Gone from the file, not only from the tables: free space and old WAL frames could
    // otherwise be read back with any hex editor.
    for secret in [
        "Zebulon Erased",
        "+12015550041",
        "(201) 555-0041",
        "note of Zebulon",
        "staff note about Zebulon",
    ] {
        assert_eq!(
            on_disk(&k, secret)?,
            0,
            "{secret:?} is still in kiosk.db or its WAL"
        );
    }
    assert!(on_disk(&k, "Yolanda Kept")? > 0, "the open request is kept");
    Ok(())
}

/// The export as text, after checking and removing its byte-order mark.
fn export(conn: &Connection) -> Result<(usize, String), Box<dyn std::error::Error>> {
    let mut bytes = Vec::new();
    let rows = queue::export_csv(conn, &mut bytes)?;
    assert!(
        bytes.starts_with(&[0xEF, 0xBB, 0xBF]),
        "UTF-8 byte-order mark, so Excel reads accents right"
    );
    Ok((rows, String::from_utf8(bytes[3..].to_vec())?))
}

fn parse(text: &str) -> Result<(Vec<String>, Vec<Vec<String>>), csv::Error> {
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header = reader.headers()?.iter().map(str::to_string).collect();
    let records = reader
        .records()
        .map(|r| r.map(|r| r.iter().map(str::to_string).collect()))
        .collect::<Result<_, _>>()?;
    Ok((header, records))
}

const HEADER: [&str; 13] = [
    "id",
    "created (UTC)",
    "status",
    "name",
    "phone",
    "best time",
    "language",
    "specialty",
    "topic",
    "article",
    "patient note",
    "staff notes",
    "consent version",
];

#[test]
fn the_export_has_a_bom_crlf_lines_and_a_header() -> TestResult {
    let mut k = kiosk()?;
    let mut f = form("José Núñez", "201-555-0123");
    f.language = "es".into();
    f.note = "Llámenme por la mañana, por favor".into();
    let req = valid(&f);
    queue::submit(&mut k.conn, &req, &settings(), NOW)?;
    queue::submit(&mut k.conn, &request("Ana", 2), &settings(), NOW + HOUR)?;

    let (rows, text) = export(&k.conn)?;
    assert_eq!(rows, 2);
    assert!(
        text.starts_with("id,created (UTC),status,name,phone,"),
        "{text}"
    );
    assert_eq!(
        text.matches("\r\n").count(),
        3,
        "header and two rows end in CRLF"
    );
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "no bare line feeds when no cell has one"
    );
    assert!(text.ends_with("\r\n"));
    assert!(text.contains("José Núñez"), "accents intact");
    assert!(text.contains("Llámenme por la mañana"), "accents intact");
    let (header, records) = parse(&text)?;
    assert_eq!(header, HEADER);
    assert_eq!(
        records[0],
        [
            req.id.to_string().as_str(),
            "2025-11-25 10:00",
            "new",
            "José Núñez",
            "(201) 555-0123",
            "afternoon",
            "es",
            "spine",
            "spine-care",
            "",
            "Llámenme por la mañana, por favor",
            "",
            "2026-12"
        ]
    );
    Ok(())
}

#[test]
fn export_cells_are_guarded_against_formulas_and_quoted_correctly() -> TestResult {
    let mut k = kiosk()?;
    let s = settings();
    // Notes a patient may type that a spreadsheet would run as formulas.
    let notes = [
        "=HYPERLINK(\"http://evil.example\",\"Click\")",
        "+1 call me back",
        "-2+3",
        "@SUM(A1:A9)",
        "Pain, \"sharp\", since Monday",
        "ok; ñandú, “quotes” and 'single'",
    ];
    let mut ids = Vec::new();
    for (i, note) in notes.iter().enumerate() {
        let mut f = form("Ana", &format!("201-555-{:04}", 10 + i));
        f.note = (*note).into();
        let req = valid(&f);
        ids.push(req.id.to_string());
        queue::submit(&mut k.conn, &req, &s, NOW + i as i64 * HOUR)?;
    }
    // A name that starts with a hyphen passes the rules; the export still guards it.
    let hyphen = valid(&form("-Ana", "201-555-0099"));
    queue::submit(&mut k.conn, &hyphen, &s, NOW + 10 * HOUR)?;
    // Tab and carriage return cannot get past the form's rules (they become spaces), so
    // write them straight into the table: the export must not trust what it reads.
    let raw_id = uuid::Uuid::now_v7().to_string();
    k.conn.execute(
        "INSERT INTO callback_request (id, created_at, name, phone, phone_display, best_time,
            language, note, specialty, consent_version, consent_at, status, status_at)
         VALUES (?1, ?2, ?3, '+12015550098', '(201) 555-0098', 'any', 'en', ?4, 'vein',
            '2026-11', ?2, 'new', ?2)",
        rusqlite::params![raw_id, NOW + 11 * HOUR, "\tTab Name", "\rcmd|' /C calc'!A0"],
    )?;
    // A staff note with a line break, quotes and commas.
    queue::update(
        &mut k.conn,
        &ids[0],
        None,
        Some("Line one, \"quoted\"\nline two"),
        "Marta",
        NOW + 12 * HOUR,
    )?;

    let (rows, text) = export(&k.conn)?;
    assert_eq!(rows, 8);
    let (_, records) = parse(&text)?;
    let row = |id: &str| {
        records
            .iter()
            .find(|r| r[0] == id)
            .unwrap_or_else(|| panic!("{id} is exported"))
    };
    let expected_notes = [
        "'=HYPERLINK(\"http://evil.example\",\"Click\")",
        "'+1 call me back",
        "'-2+3",
        "'@SUM(A1:A9)",
        "Pain, \"sharp\", since Monday",
        "ok; ñandú, “quotes” and 'single'",
    ];
    for (id, want) in ids.iter().zip(expected_notes) {
        assert_eq!(row(id)[10], want, "the patient note of {id}, read back");
    }
    assert_eq!(row(&hyphen.id.to_string())[3], "'-Ana");
    assert_eq!(row(&raw_id)[3], "'\tTab Name", "a leading tab is guarded");
    assert_eq!(
        row(&raw_id)[10],
        "'\rcmd|' /C calc'!A0",
        "a leading CR is guarded"
    );
    assert_eq!(
        row(&ids[0])[11],
        "Marta (2025-11-25 22:00): Line one, \"quoted\"\nline two",
        "quotes, commas and a line break survive the round trip"
    );
    // Cells that are not dangerous are written as they are.
    assert_eq!(row(&ids[4])[3], "Ana");
    assert!(
        text.contains("\"Pain, \"\"sharp\"\", since Monday\""),
        "quotes are doubled inside a quoted cell"
    );
    Ok(())
}

#[test]
fn the_formula_guard_covers_every_dangerous_first_character() {
    for dangerous in ["=1+1", "+1", "-1", "@A1", "\tx", "\rx", "|x", "%x"] {
        assert_eq!(
            queue::csv_cell(dangerous),
            format!("'{dangerous}"),
            "{dangerous:?}"
        );
    }
    for harmless in ["", "Ana", "1+1", "a=b", " =1", "'quoted", "(201) 555-0123"] {
        assert_eq!(queue::csv_cell(harmless), harmless, "{harmless:?}");
    }
}

/// Every file in `dir` (kiosk.db, its WAL and SHM) that holds any of `needles` as bytes.
fn files_holding(dir: &std::path::Path, needles: &[&str]) -> std::io::Result<Vec<String>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let bytes = std::fs::read(&path)?;
        for needle in needles {
            if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                found.push(format!("{} holds {needle:?}", path.display()));
            }
        }
    }
    Ok(found)
}

#[test]
fn a_delivered_request_leaves_no_byte_of_the_patient_on_the_kiosk_after_the_grace_period(
) -> TestResult {
    let mut k = kiosk()?;
    let s = unlimited();
    let mut f = form("Zelda Quixote", "(201) 555-0199");
    f.note = "Mornings only please".into();
    let id = queue::submit(&mut k.conn, &valid(&f), &s, NOW)?.request_id;
    let kept = queue::submit(&mut k.conn, &request("Still Waiting", 42), &s, NOW)?.request_id;
    let secrets = ["Zelda Quixote", "2015550199", "555-0199", "Mornings only"];
    assert!(
        !files_holding(k._dir.path(), &secrets)?.is_empty(),
        "the test can see them"
    );

    // The clinic's system acknowledges the first request only.
    k.conn.execute(
        "UPDATE outbox SET delivered_at = ?2 WHERE request_id = ?1",
        rusqlite::params![id, NOW + 5 * SECOND],
    )?;
    let grace = s.erase_after_delivery_secs as i64 * 1000;
    let early = retention::run(&mut k.conn, &s, true, NOW + 5 * SECOND + grace - 1)?;
    assert_eq!(early.delivered, 0, "kept during the grace period");
    let on_front_desk = retention::run(&mut k.conn, &s, false, NOW + DAY)?;
    assert_eq!(
        on_front_desk.delivered, 0,
        "the front desk keeps it (retention_days)"
    );
    let erased = retention::run(&mut k.conn, &s, true, NOW + 5 * SECOND + grace)?;
    assert_eq!(erased.delivered, 1);
    let left: Vec<String> = queue::list(&k.conn, Filter::All)?
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(left, [kept], "the undelivered one stays");
    assert_eq!(
        counts(&k.conn)?
            .iter()
            .map(|c| (c.2.as_str(), c.3))
            .collect::<Vec<_>>(),
        [("delivered", 1)],
        "an anonymous count is kept"
    );
    // Not a byte of the patient in the database file or its WAL, with the connection open
    // (as the running app has it) and after it closes.
    assert_eq!(
        files_holding(k._dir.path(), &secrets)?,
        Vec::<String>::new()
    );
    drop(k.conn);
    assert_eq!(
        files_holding(k._dir.path(), &secrets)?,
        Vec::<String>::new()
    );
    Ok(())
}

#[test]
fn an_undelivered_request_is_erased_at_the_maximum_age_and_staff_are_warned() -> TestResult {
    let mut k = kiosk()?;
    let s = unlimited();
    queue::submit(&mut k.conn, &request("Never Sent", 7), &s, NOW)?;
    let max = i64::from(s.undelivered_max_days) * DAY;
    assert_eq!(retention::run(&mut k.conn, &s, true, NOW + max)?.expired, 0);
    assert_eq!(
        retention::run(&mut k.conn, &s, true, NOW + max + 1)?.expired,
        1
    );
    assert_eq!(count(&k.conn, "SELECT count(*) FROM callback_request")?, 0);
    assert_eq!(retention::expired_since(&k.conn, "2025-11-01")?, 1);
    let warning = &audit::recent(&k.conn, 1)?[0];
    assert!(
        warning
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("UNDELIVERED")),
        "{warning:?}"
    );
    Ok(())
}

#[test]
fn a_duplicate_is_noted_on_the_request_staff_already_have() -> TestResult {
    let mut k = kiosk()?;
    let s = unlimited();
    let first = queue::submit(&mut k.conn, &valid(&form("Ana", "201-555-0123")), &s, NOW)?;
    let again = queue::submit(
        &mut k.conn,
        &valid(&form("Ana R", "(201) 555-0123")),
        &s,
        NOW + HOUR,
    )?;
    assert_eq!(again.outcome, Outcome::Duplicate);
    let item = queue::list(&k.conn, Filter::All)?;
    assert_eq!(item.len(), 1);
    assert_eq!(item[0].id, first.request_id);
    assert_eq!(item[0].notes[0].text, queue::DUPLICATE_NOTE);
    Ok(())
}

#[test]
fn after_a_burst_a_number_that_asked_already_gets_the_answer_a_new_one_gets() -> TestResult {
    let mut k = kiosk()?;
    let s = settings();
    queue::submit(&mut k.conn, &valid(&form("Ana", "201-555-0123")), &s, NOW)?;
    for i in 1..5 {
        queue::submit(
            &mut k.conn,
            &request("Junk", 100 + i),
            &s,
            NOW + i64::from(i),
        )?;
    }
    let asked_before = queue::submit(
        &mut k.conn,
        &valid(&form("Ana", "201-555-0123")),
        &s,
        NOW + 10,
    )?;
    let never_asked = queue::submit(&mut k.conn, &request("New", 999), &s, NOW + 10)?;
    assert_eq!(asked_before.outcome, Outcome::RateLimited);
    assert_eq!(
        (asked_before.outcome, asked_before.retry_after_secs),
        (never_asked.outcome, never_asked.retry_after_secs),
        "the limit answers every number alike, so it tells nothing about who asked"
    );
    let notes = count(&k.conn, "SELECT count(*) FROM callback_note")?;
    assert_eq!(notes, 0, "a limited duplicate adds no note");
    Ok(())
}

#[test]
fn searches_that_found_nothing_are_kept_for_a_bounded_number_of_days() -> TestResult {
    let mut k = kiosk()?;
    let s = unlimited();
    for day in ["2025-10-01", "2025-10-27", "2025-11-25"] {
        store::record_search_miss(&k.conn, "en", "wobble", day)?;
    }
    // NOW is 2025-11-25; 30 days kept: 2025-10-27 to 2025-11-25.
    assert_eq!(retention::run(&mut k.conn, &s, true, NOW)?.search_misses, 1);
    assert_eq!(count(&k.conn, "SELECT count(*) FROM search_miss")?, 2);
    Ok(())
}
