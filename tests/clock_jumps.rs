//! A clock set back (issue #16, item 5): the 24-hour duplicate window and retention are not
//! fooled by rows stamped "in the future". The duplicate window reaches one window either
//! side of now (`callbacks::queue::submit`); retention moves future stamps to now, so their
//! age counts from the first pass that saw the clock behind them (`callbacks::retention`).
//! Submits go through the real command with the app's own test clock (`AppState::clock`)
//! on a real kiosk.db; retention passes get explicit times.

use crate::common::ipc::{app, invoke, window};

use std::path::Path;
use std::time::Duration;

use clinic_kiosk::callbacks::queue::{self, Outcome};
use clinic_kiosk::callbacks::{outbox, retention, CallbackForm, CallbackSettings};
use clinic_kiosk::commands::AppState;
use clinic_kiosk::store;
use rusqlite::Connection;
use serde_json::{json, Value};
use tauri::Manager;

use crate::common::TestResult;

const HOUR: i64 = 3_600_000;
const DAY: i64 = 86_400_000;
/// 2025-11-25 10:00:00 UTC, in Unix ms.
const NOW: i64 = 1_764_064_800_000;

fn content_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/content"))
}

fn form(name: &str) -> Value {
    json!({
        "requestId": uuid::Uuid::now_v7().to_string(),
        "name": name,
        "phone": "(201) 555-0177",
        "bestTime": "morning",
        "language": "en",
        "note": "",
        "consent": true,
        "consentVersion": CallbackSettings::default().consent_version,
        "specialty": "spine",
        "topic": "spine-care",
        "article": null
    })
}

fn requests(data: &Path) -> rusqlite::Result<Vec<String>> {
    let conn = Connection::open(data.join("kiosk.db"))?;
    let mut stmt = conn.prepare("SELECT name FROM callback_request ORDER BY rowid")?;
    let names = stmt.query_map([], |r| r.get(0))?;
    names.collect()
}

fn notes(data: &Path) -> rusqlite::Result<i64> {
    Connection::open(data.join("kiosk.db"))?.query_row(
        "SELECT count(*) FROM callback_note WHERE staff = 'kiosk'",
        [],
        |r| r.get(0),
    )
}

#[test]
fn a_clock_set_back_by_days_does_not_turn_new_requests_into_notes() -> TestResult {
    let data = tempfile::tempdir()?;
    let mut state: AppState = clinic_kiosk::open_state(data.path(), content_dir());
    state.config.callbacks.burst_limit = u32::MAX;
    let app = app(state);
    let main = window(&app, "main");
    let submit = |name: &str| {
        invoke(&main, "submit_callback", json!({ "form": form(name) }))
            .unwrap_or_else(|e| panic!("submit {name}: {e}"))
    };
    let clock = &app.state::<AppState>().clock;

    assert_eq!(submit("First Ask")["outcome"], "received");
    // An NTP correction of an hour back: the same number again is still a duplicate.
    clock.advance(-HOUR);
    assert_eq!(submit("Hour Back")["outcome"], "received");
    assert_eq!(requests(data.path())?, ["First Ask"], "a duplicate, noted");
    assert_eq!(notes(data.path())?, 1);
    // A clock set back three days: the first request is stamped "in the future". Its real
    // age is unknown; beyond one window ahead of now it no longer holds the number back.
    clock.advance(-3 * DAY);
    assert_eq!(submit("Days Back")["outcome"], "received");
    assert_eq!(
        requests(data.path())?,
        ["First Ask", "Days Back"],
        "a new request for staff, not a note on one made 'in three days'"
    );
    // And the window still works at the new time.
    clock.advance(2 * HOUR);
    submit("Again Soon");
    assert_eq!(requests(data.path())?, ["First Ask", "Days Back"]);
    assert_eq!(notes(data.path())?, 2);
    Ok(())
}

struct Kiosk {
    _dir: tempfile::TempDir,
    conn: Connection,
}

fn kiosk() -> Result<Kiosk, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let conn = store::open(&dir.path().join("kiosk.db"))?;
    Ok(Kiosk { _dir: dir, conn })
}

fn settings() -> CallbackSettings {
    CallbackSettings {
        burst_limit: u32::MAX,
        destinations: vec!["staff-inbox".into(), "clinic-webhook".into()],
        ..CallbackSettings::default()
    }
}

/// Submits a request from phone line `n` at `at`.
fn submit(conn: &mut Connection, n: u32, at: i64) -> Result<String, Box<dyn std::error::Error>> {
    let specialties = ["spine".to_string()];
    let form = CallbackForm {
        request_id: uuid::Uuid::now_v7().to_string(),
        name: ["Ana Ruiz", "Bea Soto", "Carl Dunn", "Dora Lee", "Eli Park"][n as usize % 5].into(),
        phone: format!("(201) 555-{n:04}"),
        best_time: "morning".into(),
        language: "en".into(),
        note: String::new(),
        consent: true,
        consent_version: CallbackSettings::default().consent_version,
        specialty: "spine".into(),
        topic: None,
        article: None,
        screen_language: None,
    };
    let valid = clinic_kiosk::callbacks::validate::validate(&form, &settings(), &specialties)
        .map_err(|e| format!("{e:?}"))?;
    let receipt = queue::submit(conn, &valid, &settings(), at)?;
    assert_eq!(receipt.outcome, Outcome::Received);
    Ok(receipt.request_id)
}

fn present(conn: &Connection, id: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT count(*) FROM callback_request WHERE id = ?1",
        [id],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n == 1)
}

#[test]
fn retention_counts_a_future_stamp_from_the_pass_that_saw_the_clock_go_back() -> TestResult {
    let mut k = kiosk()?;
    let s = settings();
    let retention = i64::from(s.retention_days) * DAY;
    // The closed rule alone (as on the front desk; a kiosk's undelivered rule would erase
    // this request first). Closed at NOW, then the clock is set back a year.
    let closed = submit(&mut k.conn, 1, NOW)?;
    queue::update(&mut k.conn, &closed, Some("closed"), None, "Marta", NOW)?;
    let back = NOW - 365 * DAY;
    assert_eq!(retention::run(&mut k.conn, &s, false, back)?.closed, 0);
    // Not too early: a full retention period from the pass that saw the clock behind it...
    assert_eq!(
        retention::run(&mut k.conn, &s, false, back + retention - 1)?.closed,
        0
    );
    assert!(present(&k.conn, &closed)?);
    // ...and not kept for the year until the clock catches up.
    assert_eq!(
        retention::run(&mut k.conn, &s, false, back + retention + 1)?.closed,
        1
    );
    assert!(!present(&k.conn, &closed)?);
    Ok(())
}

#[test]
fn delivered_and_undelivered_requests_are_not_erased_early_or_kept_for_good_after_a_step_back(
) -> TestResult {
    let mut k = kiosk()?;
    let s = settings();
    let grace = s.erase_after_delivery_secs as i64 * 1000;
    let max_age = i64::from(s.undelivered_max_days) * DAY;
    let delivered = submit(&mut k.conn, 2, NOW)?;
    let row: i64 = k.conn.query_row(
        "SELECT id FROM outbox WHERE request_id = ?1 AND destination = 'clinic-webhook'",
        [&delivered],
        |r| r.get(0),
    )?;
    outbox::mark_delivered(&k.conn, row, NOW + 1000, 200)?;
    let waiting = submit(&mut k.conn, 3, NOW)?;
    // The clock goes back 30 days.
    let back = NOW - 30 * DAY;
    let first = retention::run(&mut k.conn, &s, true, back)?;
    assert_eq!(first.requests(), 0, "nothing erased at the step: {first:?}");
    assert_eq!(
        retention::run(&mut k.conn, &s, true, back + grace - 1)?.delivered,
        0,
        "the grace period counts from the step, not from a stamp the clock has not reached"
    );
    assert_eq!(
        retention::run(&mut k.conn, &s, true, back + grace + 1)?.delivered,
        1
    );
    assert!(!present(&k.conn, &delivered)?);
    assert_eq!(
        retention::run(&mut k.conn, &s, true, back + max_age - 1)?.expired,
        0,
        "undelivered: the maximum age counts from the step"
    );
    assert!(present(&k.conn, &waiting)?);
    let staff_created: i64 = k.conn.query_row(
        "SELECT created_at FROM callback_request WHERE id = ?1",
        [&waiting],
        |r| r.get(0),
    )?;
    assert_eq!(staff_created, NOW, "the time staff see is left as it was");
    assert_eq!(
        retention::run(&mut k.conn, &s, true, back + max_age + 1)?.expired,
        1,
        "and it does not wait 30 more days for the clock to catch up"
    );
    Ok(())
}

#[test]
fn an_ordinary_pass_moves_no_stamp() -> TestResult {
    let mut k = kiosk()?;
    let s = settings();
    let id = submit(&mut k.conn, 4, NOW)?;
    retention::run(&mut k.conn, &s, true, NOW + HOUR)?;
    let created: i64 = k.conn.query_row(
        "SELECT created_at FROM outbox WHERE request_id = ?1 AND destination = 'clinic-webhook'",
        [&id],
        |r| r.get(0),
    )?;
    assert_eq!(created, NOW);
    Ok(())
}

const MINUTE: Duration = Duration::from_secs(60);

/// The app's state on a new data folder, with the test's destinations.
fn app_state(data: &Path) -> AppState {
    let mut state = clinic_kiosk::open_state(data, content_dir());
    state.config.callbacks = settings();
    state
}

fn kiosk_db(state: &AppState) -> std::sync::MutexGuard<'_, Connection> {
    state
        .kiosk
        .as_ref()
        .expect("kiosk.db opens")
        .lock()
        .expect("not poisoned")
}

/// A wall clock stepped three years ahead while the app runs: the every-minute pass does
/// not erase the undelivered request as expired; the jump counts only as time elapses by
/// the clock since boot, and then the maximum age applies as it should.
#[test]
fn a_clock_stepped_years_ahead_erases_no_undelivered_request_while_the_app_runs() -> TestResult {
    let data = tempfile::tempdir()?;
    let state = app_state(data.path());
    let id = submit(&mut kiosk_db(&state), 5, state.now_ms())?;
    let mut clock = retention::PassClock::default();
    let boot = Duration::from_secs(3600);
    clinic_kiosk::retention_pass(&state, &mut clock, boot);
    state.clock.advance(3 * 365 * DAY);
    clinic_kiosk::retention_pass(&state, &mut clock, boot + MINUTE);
    clinic_kiosk::retention_pass(&state, &mut clock, boot + 2 * MINUTE);
    assert!(
        present(&kiosk_db(&state), &id)?,
        "not erased by a clock three years ahead"
    );
    // Eight days on by the time since boot, past the seven-day maximum age: erased.
    let max_age = u64::from(settings().undelivered_max_days) * 86_400;
    clinic_kiosk::retention_pass(
        &state,
        &mut clock,
        boot + Duration::from_secs(max_age + 86_400),
    );
    assert!(
        !present(&kiosk_db(&state), &id)?,
        "erased once the time has passed"
    );
    Ok(())
}

/// The next try of each undelivered row of `id`.
fn next_tries(conn: &Connection, id: &str) -> rusqlite::Result<Vec<i64>> {
    let mut stmt = conn.prepare(
        "SELECT next_attempt_at FROM outbox WHERE request_id = ?1 AND delivered_at IS NULL",
    )?;
    let found = stmt.query_map([id], |r| r.get(0))?;
    found.collect()
}

/// Retries scheduled before the clock was set back two days would wait two days more: the
/// pass that sees the step makes them due at once. Without a step, a receiver's long
/// Retry-After (two hours) is kept.
#[test]
fn retries_scheduled_before_a_clock_set_back_are_due_at_once() -> TestResult {
    let data = tempfile::tempdir()?;
    let state = app_state(data.path());
    let t0 = state.now_ms();
    let (soon, later) = {
        let mut conn = kiosk_db(&state);
        let soon = submit(&mut conn, 6, t0)?;
        let later = submit(&mut conn, 7, t0)?;
        for (id, wait) in [(&soon, 10 * 60_000), (&later, 2 * HOUR)] {
            let row: i64 = conn.query_row(
                "SELECT id FROM outbox WHERE request_id = ?1 AND destination = 'clinic-webhook'",
                [id],
                |r| r.get(0),
            )?;
            outbox::mark_retry(&conn, row, t0 + wait, Some(503), "HTTP 503")?;
        }
        (soon, later)
    };
    let mut clock = retention::PassClock::default();
    let boot = Duration::from_secs(3600);
    clinic_kiosk::retention_pass(&state, &mut clock, boot);
    state.clock.advance(60_000);
    clinic_kiosk::retention_pass(&state, &mut clock, boot + MINUTE);
    assert_eq!(
        next_tries(&kiosk_db(&state), &later)?,
        [t0 + 2 * HOUR],
        "kept"
    );
    state.clock.advance(-2 * DAY);
    clinic_kiosk::retention_pass(&state, &mut clock, boot + 2 * MINUTE);
    let now = state.now_ms();
    for id in [&soon, &later] {
        let next = next_tries(&kiosk_db(&state), id)?;
        assert!(
            next.len() == 1 && next[0] <= now,
            "due at once after the step back: {next:?} at {now}"
        );
    }
    Ok(())
}
