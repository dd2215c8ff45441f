//! Staff accounts, PINs and the lockout on real kiosk.db files; the staff commands through
//! Tauri's mock runtime (refused without a live session, working with one); and the
//! operators' command line for staff accounts and the CSV export.

mod common;

#[path = "common/ipc.rs"]
mod ipc;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use clinic_kiosk::callbacks::staff::{self, Refused};
use clinic_kiosk::callbacks::{audit, CallbackError};
use clinic_kiosk::commands::AppState;
use clinic_kiosk::store;
use common::TestResult;
use ipc::{app, invoke, window};
use rusqlite::Connection;
use serde_json::{json, Value};

/// 2025-11-25 10:00:00 UTC, in Unix ms.
const NOW: i64 = 1_764_064_800_000;
const SECOND: i64 = 1000;

fn kiosk_db(dir: &Path) -> Result<Connection, store::StoreError> {
    store::open(&dir.join("kiosk.db"))
}

fn pin_hash(conn: &Connection, name: &str) -> rusqlite::Result<String> {
    conn.query_row("SELECT pin_hash FROM staff WHERE name = ?1", [name], |r| {
        r.get(0)
    })
}

fn is_staff_error(result: Result<impl std::fmt::Debug, CallbackError>) -> bool {
    matches!(result, Err(CallbackError::Staff(_)))
}

#[test]
fn staff_accounts_are_added_listed_and_their_pin_changed() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut conn = kiosk_db(dir.path())?;
    assert_eq!(staff::count(&conn)?, 0);
    assert_eq!(
        staff::add(&conn, "  Marta   Ruiz ", "2580", "command line", NOW)?,
        "Marta Ruiz",
        "the name is trimmed and its spaces collapsed"
    );
    staff::add(&conn, "luis", "135790", "Marta Ruiz", NOW)?;
    staff::add(&conn, "Ana-María O'Neil", "864213", "Marta Ruiz", NOW)?;
    assert_eq!(
        staff::names(&conn)?,
        ["Ana-María O'Neil", "luis", "Marta Ruiz"],
        "sorted without regard to case"
    );
    assert!(
        is_staff_error(staff::add(&conn, "MARTA RUIZ", "9753", "x", NOW)),
        "names are unique without regard to case"
    );
    assert!(
        is_staff_error(staff::add(&conn, "Pat", "1111", "x", NOW)),
        "one digit repeated"
    );
    assert!(
        is_staff_error(staff::add(&conn, "Pat", "123", "x", NOW)),
        "too short"
    );
    assert!(
        is_staff_error(staff::add(&conn, "Pat", "12a4", "x", NOW)),
        "not digits"
    );
    assert!(
        is_staff_error(staff::add(&conn, "", "2580", "x", NOW)),
        "no name"
    );
    assert!(
        is_staff_error(staff::add(&conn, "<b>Pat</b>", "2580", "x", NOW)),
        "markup"
    );
    assert!(
        is_staff_error(staff::add(&conn, &"a".repeat(41), "2580", "x", NOW)),
        "41 letters"
    );
    assert_eq!(staff::count(&conn)?, 3, "refused accounts are not stored");

    staff::set_pin(&conn, "luis", "97531", "Marta Ruiz", NOW + SECOND)?;
    assert_eq!(
        staff::unlock(&mut conn, "luis", "135790", NOW + 2 * SECOND)?,
        Err(Refused::Wrong {
            retry_after_secs: None
        }),
        "the old PIN no longer works"
    );
    assert_eq!(
        staff::unlock(&mut conn, "luis", "97531", NOW + 3 * SECOND)?,
        Ok("luis".to_string())
    );
    assert!(is_staff_error(staff::set_pin(
        &conn, "nobody", "97531", "x", NOW
    )));
    assert!(is_staff_error(staff::set_pin(
        &conn, "luis", "0000", "x", NOW
    )));

    let actions: Vec<(String, String, Option<String>)> = audit::recent(&conn, 100)?
        .into_iter()
        .filter(|e| e.action == "staff-added" || e.action == "pin-changed")
        .map(|e| (e.staff, e.action, e.detail))
        .collect();
    assert_eq!(
        actions,
        [
            (
                "Marta Ruiz".into(),
                "pin-changed".into(),
                Some("luis".into())
            ),
            (
                "Marta Ruiz".into(),
                "staff-added".into(),
                Some("Ana-María O'Neil".into())
            ),
            (
                "Marta Ruiz".into(),
                "staff-added".into(),
                Some("luis".into())
            ),
            (
                "command line".into(),
                "staff-added".into(),
                Some("Marta Ruiz".into())
            ),
        ],
        "who added whom and who changed whose PIN, newest first"
    );
    Ok(())
}

#[test]
fn pins_are_stored_as_argon2id_hashes_never_as_the_pin() -> TestResult {
    let dir = tempfile::tempdir()?;
    let conn = kiosk_db(dir.path())?;
    let pin = "73914682";
    staff::add(&conn, "Marta", pin, "test", NOW)?;
    staff::add(&conn, "Luis", pin, "test", NOW)?;
    let marta = pin_hash(&conn, "Marta")?;
    let luis = pin_hash(&conn, "Luis")?;
    for phc in [&marta, &luis] {
        assert!(
            phc.starts_with("$argon2id$v=19$"),
            "an argon2id PHC string: {phc}"
        );
        assert!(!phc.contains(pin), "the PIN is not in its hash");
    }
    assert_ne!(marta, luis, "each hash has its own salt");
    drop(conn);
    for file in ["kiosk.db", "kiosk.db-wal"] {
        let bytes = std::fs::read(dir.path().join(file)).unwrap_or_default();
        assert!(
            !bytes.windows(pin.len()).any(|w| w == pin.as_bytes()),
            "the PIN is nowhere in {file}"
        );
    }
    Ok(())
}

#[test]
fn the_first_account_can_be_added_only_while_there_is_none() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut conn = kiosk_db(dir.path())?;
    assert_eq!(staff::add_first(&mut conn, "Marta", "2580", NOW)?, "Marta");
    let err = staff::add_first(&mut conn, "Intruder", "1357", NOW + SECOND)
        .expect_err("a second first account");
    assert!(matches!(err, CallbackError::Staff(_)), "{err:?}");
    assert_eq!(staff::names(&conn)?, ["Marta"]);
    let first = &audit::recent(&conn, 10)?[0];
    assert_eq!(
        (first.staff.as_str(), first.action.as_str()),
        ("first-run", "staff-added")
    );
    Ok(())
}

fn wrong(retry_after_secs: Option<u64>) -> Result<String, Refused> {
    Err(Refused::Wrong { retry_after_secs })
}

fn wait(retry_after_secs: u64) -> Result<String, Refused> {
    Err(Refused::Wait { retry_after_secs })
}

#[test]
fn three_wrong_pins_start_a_wait_that_doubles_up_to_five_minutes() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut conn = kiosk_db(dir.path())?;
    staff::add(&conn, "Marta", "2580", "test", NOW)?;
    let mut t = NOW;
    assert_eq!(staff::unlock(&mut conn, "Marta", "0000", t)?, wrong(None));
    assert_eq!(staff::unlock(&mut conn, "Marta", "1234", t)?, wrong(None));
    assert_eq!(
        staff::unlock(&mut conn, "Marta", "9999", t)?,
        wrong(Some(2)),
        "the third wrong PIN starts the wait"
    );
    assert_eq!(
        staff::unlock(&mut conn, "Marta", "2580", t + 500)?,
        wait(2),
        "while waiting even the right PIN is not checked"
    );
    assert_eq!(
        staff::unlock(&mut conn, "Marta", "0000", t + 1500)?,
        wait(1)
    );
    let mut expected = Vec::new();
    let mut got = Vec::new();
    let mut delay = 2;
    for _ in 0..9 {
        t += delay * SECOND;
        // A moment before the wait is over: still waiting.
        assert_eq!(staff::unlock(&mut conn, "Marta", "0000", t - 1)?, wait(1));
        let Err(Refused::Wrong {
            retry_after_secs: Some(next),
        }) = staff::unlock(&mut conn, "Marta", "0000", t)?
        else {
            panic!("a wrong PIN after the wait is Wrong with a delay");
        };
        got.push(next);
        delay = (delay * 2).min(300);
        expected.push(delay as u64);
    }
    assert_eq!(
        got,
        [4, 8, 16, 32, 64, 128, 256, 300, 300],
        "doubling, capped at 300 s"
    );
    assert_eq!(got, expected);
    let failures: Vec<String> = audit::recent(&conn, 100)?
        .into_iter()
        .filter(|e| e.action == "unlock-failed")
        .filter_map(|e| e.detail)
        .collect();
    assert_eq!(
        failures.len(),
        12,
        "every checked wrong PIN is audited, waits are not"
    );
    assert!(
        failures
            .iter()
            .all(|d| !d.contains("0000") && !d.contains("9999")),
        "the audit log never holds a PIN tried: {failures:?}"
    );
    Ok(())
}

#[test]
fn the_wait_survives_a_restart() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut conn = kiosk_db(dir.path())?;
    staff::add(&conn, "Marta", "2580", "test", NOW)?;
    for tries in 1..=3 {
        assert!(
            matches!(
                staff::unlock(&mut conn, "Marta", "0000", NOW)?,
                Err(Refused::Wrong { .. })
            ),
            "wrong PIN #{tries}"
        );
    }
    drop(conn);
    // The app restarts: a new connection to the same file.
    let mut reopened = kiosk_db(dir.path())?;
    assert_eq!(
        staff::unlock(&mut reopened, "Marta", "2580", NOW + SECOND)?,
        wait(1),
        "restarting the app does not reset the wait"
    );
    drop(reopened);
    let mut reopened = kiosk_db(dir.path())?;
    assert_eq!(
        staff::unlock(&mut reopened, "Marta", "2580", NOW + 2 * SECOND)?,
        Ok("Marta".to_string()),
        "after the wait the right PIN unlocks"
    );
    Ok(())
}

#[test]
fn a_right_pin_resets_the_count_of_wrong_ones() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut conn = kiosk_db(dir.path())?;
    staff::add(&conn, "Marta", "2580", "test", NOW)?;
    for i in 0..4 {
        assert!(staff::unlock(&mut conn, "Marta", "0000", NOW + i * 60 * SECOND)?.is_err());
    }
    let after = NOW + 10 * 60 * SECOND;
    assert_eq!(
        staff::unlock(&mut conn, "Marta", "2580", after)?,
        Ok("Marta".into())
    );
    assert_eq!(
        staff::unlock(&mut conn, "Marta", "0000", after + 1)?,
        wrong(None),
        "two free tries again"
    );
    assert_eq!(
        staff::unlock(&mut conn, "Marta", "0000", after + 2)?,
        wrong(None)
    );
    assert_eq!(
        staff::unlock(&mut conn, "Marta", "0000", after + 3)?,
        wrong(Some(2)),
        "and the delay starts from 2 s again"
    );
    Ok(())
}

#[test]
fn an_unknown_name_counts_as_a_wrong_pin() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut conn = kiosk_db(dir.path())?;
    staff::add(&conn, "Marta", "2580", "test", NOW)?;
    assert_eq!(
        staff::unlock(&mut conn, "Nobody", "2580", NOW)?,
        wrong(None)
    );
    assert_eq!(
        staff::unlock(&mut conn, "Marta", "0000", NOW)?,
        wrong(None),
        "the same counter for unknown names and wrong PINs"
    );
    assert_eq!(
        staff::unlock(&mut conn, "Root", "2580", NOW)?,
        wrong(Some(2))
    );
    assert_eq!(staff::unlock(&mut conn, "Marta", "2580", NOW + 1)?, wait(2));
    let last = &audit::recent(&conn, 1)?[0];
    assert_eq!(
        (last.staff.as_str(), last.action.as_str()),
        ("unknown", "unlock-failed"),
        "a name that is not an account is not written to the log"
    );
    Ok(())
}

// ---- Through the mock runtime -------------------------------------------------------

fn content_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/content"))
}

/// The app's real state on a temporary data folder holding one staff account, Marta/2580.
fn state_with_staff(data: &tempfile::TempDir) -> Result<AppState, Box<dyn std::error::Error>> {
    let conn = kiosk_db(data.path())?;
    staff::add(
        &conn,
        "Marta",
        "2580",
        "test",
        clinic_kiosk::callbacks::now_ms(),
    )?;
    drop(conn);
    Ok(clinic_kiosk::open_state(data.path(), content_dir()))
}

fn form(lang: &str, phone: &str) -> Value {
    json!({
        "requestId": uuid::Uuid::now_v7().to_string(),
        "name": "José Núñez",
        "phone": phone,
        "bestTime": "morning",
        "language": lang,
        "note": "Llámenme, por favor",
        "consent": true,
        "consentVersion": "2026-11",
        "specialty": "spine",
        "topic": "spine-care",
        "article": null
    })
}

/// Every staff command with `token` (when given) and the other arguments it needs.
fn staff_calls(token: Option<Value>) -> Vec<(&'static str, Value)> {
    let with = |mut args: Value| {
        if let Some(t) = &token {
            args["token"] = t.clone();
        }
        args
    };
    vec![
        ("inbox_list", with(json!({}))),
        (
            "request_update",
            with(json!({ "id": uuid::Uuid::now_v7().to_string(), "status": "closed" })),
        ),
        ("export_callbacks", with(json!({}))),
        ("audit_list", with(json!({}))),
        ("staff_lock", with(json!({}))),
        ("staff_health", with(json!({}))),
        // Leaving kiosk mode or closing the app would free the lobby kiosk: PIN only.
        ("staff_leave_kiosk", with(json!({}))),
        ("staff_quit", with(json!({}))),
    ]
}

#[test]
fn staff_commands_without_a_live_session_are_unauthorized() -> TestResult {
    let data = tempfile::tempdir()?;
    let app = app(state_with_staff(&data)?);
    let main = window(&app, "main");
    // A real session exists, so a wrong token is refused for being wrong, not for want of
    // any session.
    let session = invoke(
        &main,
        "staff_unlock",
        json!({ "name": "Marta", "pin": "2580" }),
    )
    .map_err(|e| format!("unlock: {e}"))?;
    assert!(session["token"].as_str().is_some_and(|t| !t.is_empty()));
    let tokens = [
        ("no token argument", None),
        ("a null token", Some(Value::Null)),
        ("an empty token", Some(json!(""))),
        (
            "a wrong token",
            Some(json!(uuid::Uuid::new_v4().to_string())),
        ),
    ];
    let mut failures = Vec::new();
    for (what, token) in tokens {
        for (cmd, args) in staff_calls(token) {
            match invoke(&main, cmd, args) {
                Err(e) if e["kind"] == "unauthorized" => {}
                other => failures.push(format!("{cmd} with {what}: {other:?}")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "every staff command must answer {{kind: \"unauthorized\"}}:\n{}",
        failures.join("\n")
    );
    assert!(
        !data.path().join("exports").exists(),
        "no export was written without a session"
    );
    // The wrong tokens did not end Marta's session.
    let token = session["token"].clone();
    invoke(&main, "inbox_list", json!({ "token": token }))
        .map_err(|e| format!("the real session still works: {e}"))?;
    Ok(())
}

#[test]
fn staff_commands_work_with_a_token_from_staff_unlock() -> TestResult {
    let data = tempfile::tempdir()?;
    let app = app(state_with_staff(&data)?);
    let main = window(&app, "main");
    let sent = form("es", "201-555-0123");
    let receipt = invoke(&main, "submit_callback", json!({ "form": sent }))
        .map_err(|e| format!("submit: {e}"))?;
    assert_eq!(receipt["outcome"], "received");
    assert_eq!(receipt["requestId"], sent["requestId"]);
    let again = invoke(&main, "submit_callback", json!({ "form": sent }))
        .map_err(|e| format!("submit again: {e}"))?;
    assert_eq!(again["outcome"], "alreadyReceived", "a double tap");

    let status = invoke(&main, "staff_status", json!({})).map_err(|e| format!("{e}"))?;
    assert_eq!(status["names"], json!(["Marta"]));
    let session = invoke(
        &main,
        "staff_unlock",
        json!({ "name": "Marta", "pin": "2580" }),
    )
    .map_err(|e| format!("unlock: {e}"))?;
    assert_eq!(session["name"], "Marta");
    let token = session["token"].clone();

    let inbox = invoke(&main, "inbox_list", json!({ "token": token }))
        .map_err(|e| format!("inbox: {e}"))?;
    assert_eq!(inbox.as_array().map(Vec::len), Some(1), "{inbox}");
    assert_eq!(inbox[0]["id"], sent["requestId"]);
    assert_eq!(inbox[0]["name"], "José Núñez");
    assert_eq!(inbox[0]["phoneDisplay"], "(201) 555-0123");
    assert_eq!(inbox[0]["status"], "new");

    let id = sent["requestId"].clone();
    let updated = invoke(
        &main,
        "request_update",
        json!({ "token": token, "id": id, "status": "contacted", "note": "Left a message" }),
    )
    .map_err(|e| format!("update: {e}"))?;
    assert_eq!(updated["status"], "contacted");
    assert_eq!(updated["notes"][0]["staff"], "Marta");
    assert_eq!(updated["notes"][0]["text"], "Left a message");
    let bad = invoke(
        &main,
        "request_update",
        json!({ "token": token, "id": id, "status": "gone" }),
    )
    .expect_err("an unknown status");
    assert_eq!(bad["kind"], "invalidInput", "{bad}");

    let export = invoke(&main, "export_callbacks", json!({ "token": token }))
        .map_err(|e| format!("export: {e}"))?;
    assert_eq!(export["rows"], 1);
    let path = PathBuf::from(export["path"].as_str().unwrap_or_default());
    assert!(
        path.starts_with(data.path().join("exports")),
        "written under the data folder: {}",
        path.display()
    );
    let csv = std::fs::read_to_string(&path)?;
    assert!(csv.starts_with('\u{feff}'), "the BOM");
    assert!(csv.contains("José Núñez"));

    let log = invoke(&main, "audit_list", json!({ "token": token, "limit": 10 }))
        .map_err(|e| format!("audit: {e}"))?;
    let actions: Vec<&str> = log
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["action"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        actions,
        ["export", "note", "status", "unlock", "staff-added"],
        "{log}"
    );
    assert!(
        !log.to_string().contains("Núñez") && !log.to_string().contains("555"),
        "no patient data in the audit log: {log}"
    );

    assert_eq!(
        invoke(&main, "staff_lock", json!({ "token": token })).map_err(|e| format!("{e}"))?,
        Value::Null
    );
    let after = invoke(&main, "inbox_list", json!({ "token": token })).expect_err("locked");
    assert_eq!(after["kind"], "unauthorized", "the lock ended the session");
    let last = &audit::recent(&kiosk_db(data.path())?, 1)?[0];
    assert_eq!(
        (last.staff.as_str(), last.action.as_str()),
        ("Marta", "lock")
    );
    Ok(())
}

#[test]
fn a_session_idle_past_the_lock_time_is_unauthorized() -> TestResult {
    let data = tempfile::tempdir()?;
    let mut state = state_with_staff(&data)?;
    state.config.callbacks.staff_lock_secs = 0;
    let app = app(state);
    let main = window(&app, "main");
    let session = invoke(
        &main,
        "staff_unlock",
        json!({ "name": "Marta", "pin": "2580" }),
    )
    .map_err(|e| format!("unlock: {e}"))?;
    std::thread::sleep(std::time::Duration::from_millis(20));
    let err = invoke(&main, "inbox_list", json!({ "token": session["token"] }))
        .expect_err("idle longer than the lock time");
    assert_eq!(err["kind"], "unauthorized", "{err}");
    Ok(())
}

#[test]
fn wrong_pins_through_ipc_are_invalid_input_then_locked() -> TestResult {
    let data = tempfile::tempdir()?;
    let app = app(state_with_staff(&data)?);
    let main = window(&app, "main");
    let try_pin = |pin: &str| {
        invoke(
            &main,
            "staff_unlock",
            json!({ "name": "Marta", "pin": pin }),
        )
        .expect_err("a wrong PIN")
    };
    let first = try_pin("0000");
    assert_eq!(first["kind"], "invalidInput", "{first}");
    assert!(
        first.get("retryAfterSecs").is_none(),
        "no wait yet: {first}"
    );
    try_pin("1234");
    let third = try_pin("4321");
    assert_eq!(third["kind"], "invalidInput");
    assert_eq!(third["retryAfterSecs"], 2, "{third}");
    let waiting = invoke(
        &main,
        "staff_unlock",
        json!({ "name": "Marta", "pin": "2580" }),
    )
    .expect_err("the right PIN during the wait");
    assert_eq!(waiting["kind"], "locked", "{waiting}");
    assert!(
        waiting["retryAfterSecs"]
            .as_u64()
            .is_some_and(|s| (1..=2).contains(&s)),
        "{waiting}"
    );
    let first_run = invoke(
        &main,
        "staff_create_first",
        json!({ "name": "Intruder", "pin": "1357" }),
    )
    .expect_err("an account exists already");
    assert_eq!(first_run["kind"], "invalidInput", "{first_run}");
    Ok(())
}

#[test]
fn submit_callback_with_invalid_input_lists_fields_in_the_forms_language() -> TestResult {
    let data = tempfile::tempdir()?;
    let app = app(state_with_staff(&data)?);
    let main = window(&app, "main");
    for (lang, name_message, phone_message) in [
        (
            "es",
            "Escriba su nombre.",
            "Un número de teléfono solo tiene dígitos. Quite las letras.",
        ),
        (
            "en",
            "Please enter your name.",
            "A phone number has only digits. Please remove the letters.",
        ),
    ] {
        let mut sent = form(lang, "201-555-CALL");
        sent["name"] = json!("   ");
        sent["consent"] = json!(false);
        let err =
            invoke(&main, "submit_callback", json!({ "form": sent })).expect_err("an invalid form");
        assert_eq!(err["kind"], "invalidInput", "{err}");
        let fields = err["fields"].as_array().cloned().unwrap_or_default();
        let got: Vec<(&str, &str)> = fields
            .iter()
            .map(|f| {
                (
                    f["field"].as_str().unwrap_or(""),
                    f["code"].as_str().unwrap_or(""),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("name", "required"),
                ("phone", "letters"),
                ("consent", "required")
            ],
            "[{lang}] {err}"
        );
        assert_eq!(fields[0]["message"], name_message, "[{lang}]");
        assert_eq!(fields[1]["message"], phone_message, "[{lang}]");
    }
    let stored: i64 =
        kiosk_db(data.path())?
            .query_row("SELECT count(*) FROM callback_request", [], |r| r.get(0))?;
    assert_eq!(stored, 0, "nothing invalid is stored");
    Ok(())
}

// ---- The command line ---------------------------------------------------------------

/// Runs `clinic-kiosk ARGS` on the data folder `data`, with `stdin` piped in.
fn cli(data: &Path, args: &[&str], stdin: &str) -> std::io::Result<std::process::Output> {
    let mut child = common::kiosk()
        .args(args)
        .env("CLINIC_KIOSK_DATA_DIR", data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(stdin.as_bytes())?;
    child.wait_with_output()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_cli_adds_staff_with_the_pin_from_stdin() -> TestResult {
    let data = tempfile::tempdir()?;
    let out = cli(data.path(), &["staff", "add", "Marta Ruiz"], "2580\n")?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "added staff account `Marta Ruiz`");

    let refused = cli(data.path(), &["staff", "add", "Luis"], "1111\n")?;
    assert_eq!(
        refused.status.code(),
        Some(1),
        "a repeated-digit PIN is refused"
    );
    assert!(
        text(&refused.stderr).contains("repeated"),
        "{}",
        text(&refused.stderr)
    );

    let listed = cli(data.path(), &["staff", "list"], "")?;
    assert_eq!(text(&listed.stdout).trim(), "Marta Ruiz");

    let changed = cli(data.path(), &["staff", "set-pin", "Marta Ruiz"], "97531\n")?;
    assert!(changed.status.success(), "{}", text(&changed.stderr));

    let mut conn = kiosk_db(data.path())?;
    assert!(pin_hash(&conn, "Marta Ruiz")?.starts_with("$argon2id$"));
    assert_eq!(
        staff::unlock(&mut conn, "Marta Ruiz", "97531", NOW)?,
        Ok("Marta Ruiz".to_string()),
        "the PIN from stdin, trimmed of its line break, unlocks"
    );
    Ok(())
}

#[test]
fn the_cli_exports_callbacks_to_a_file() -> TestResult {
    let data = tempfile::tempdir()?;
    {
        let app = app(clinic_kiosk::open_state(data.path(), content_dir()));
        let main = window(&app, "main");
        for phone in ["201-555-0123", "201-555-0124"] {
            let mut sent = form("es", phone);
            sent["note"] = json!("=1+1, \"urgente\"");
            invoke(&main, "submit_callback", json!({ "form": sent }))
                .map_err(|e| format!("submit: {e}"))?;
        }
    }
    let out_file = data.path().join("out").join("callbacks.csv");
    std::fs::create_dir_all(out_file.parent().expect("a parent"))?;
    let out = cli(
        data.path(),
        &[
            "callbacks",
            "export",
            "--out",
            out_file.to_str().expect("utf-8 path"),
        ],
        "",
    )?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("exported 2 request(s)"),
        "{}",
        text(&out.stderr)
    );
    let csv = std::fs::read_to_string(&out_file)?;
    let body = csv.strip_prefix('\u{feff}').expect("a BOM");
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>()?;
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert_eq!(&row[3], "José Núñez");
        assert_eq!(&row[10], "'=1+1, \"urgente\"", "guarded and quoted");
    }
    let last = &audit::recent(&kiosk_db(data.path())?, 1)?[0];
    assert_eq!(
        (
            last.staff.as_str(),
            last.action.as_str(),
            last.detail.as_deref()
        ),
        ("command line", "export", Some("2 row(s)"))
    );
    Ok(())
}
