//! Staff accounts, PINs and the lockout on real kiosk.db files; the staff commands through
//! Tauri's mock runtime (refused without a live session, working with one); and the
//! operators' command line for staff accounts and the CSV export.

use crate::common;

use crate::common::ipc;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use clinic_kiosk::callbacks::staff::{self, Refused, Role, StaffPolicy, Unlocked};
use clinic_kiosk::callbacks::{audit, queue, CallbackError};
use clinic_kiosk::commands::{Access, AppState, COMMANDS};
use clinic_kiosk::store;
use common::TestResult;
use ipc::{app, invoke, window};
use rusqlite::Connection;
use serde_json::{json, Value};
use tauri::Manager;

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

fn policy() -> StaffPolicy {
    StaffPolicy {
        clinic_phone_digits: "12015550100".into(),
        ..StaffPolicy::default()
    }
}

fn add(conn: &Connection, name: &str, pin: &str, role: Role) -> Result<String, CallbackError> {
    staff::add(conn, name, pin, role, &policy(), "test", NOW).map(|(name, _)| name)
}

fn unlocked(name: &str, role: Role) -> Result<Unlocked, Refused> {
    Ok(Unlocked {
        name: name.into(),
        role,
    })
}

#[test]
fn staff_accounts_are_added_listed_and_their_pin_changed() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut conn = kiosk_db(dir.path())?;
    assert_eq!(staff::count(&conn)?, 0);
    assert_eq!(
        add(&conn, "  Marta   Ruiz ", "258013", Role::Admin)?,
        "Marta Ruiz",
        "the name is trimmed and its spaces collapsed"
    );
    add(&conn, "luis", "135790", Role::FrontDesk)?;
    add(&conn, "Ana-María O'Neil", "864213", Role::FrontDesk)?;
    assert_eq!(
        staff::names(&conn)?,
        ["Ana-María O'Neil", "luis", "Marta Ruiz"],
        "sorted without regard to case"
    );
    for (name, pin, why) in [
        (
            "MARTA RUIZ",
            "975318",
            "names are unique without regard to case",
        ),
        ("Pat", "111111", "one digit repeated"),
        ("Pat", "123456", "a run"),
        ("Pat", "12345", "too short"),
        ("Pat", "12a456", "not digits"),
        ("Pat", "555010", "part of the clinic's phone"),
        ("", "258013", "no name"),
        ("<b>Pat</b>", "258013", "markup"),
    ] {
        assert!(
            is_staff_error(add(&conn, name, pin, Role::FrontDesk)),
            "{why}"
        );
    }
    assert!(
        is_staff_error(add(&conn, &"a".repeat(41), "258013", Role::FrontDesk)),
        "41 letters"
    );
    assert_eq!(staff::count(&conn)?, 3, "refused accounts are not stored");

    staff::set_pin(
        &conn,
        "luis",
        "975318",
        &policy(),
        "Marta Ruiz",
        NOW + SECOND,
    )?;
    assert_eq!(
        staff::unlock(&mut conn, "luis", "135790", &policy(), NOW + 2 * SECOND)?,
        Err(Refused::Wrong {
            retry_after_secs: None
        }),
        "the old PIN no longer works"
    );
    assert_eq!(
        staff::unlock(&mut conn, "luis", "975318", &policy(), NOW + 3 * SECOND)?,
        unlocked("luis", Role::FrontDesk)
    );
    assert!(is_staff_error(staff::set_pin(
        &conn,
        "nobody",
        "975318",
        &policy(),
        "x",
        NOW
    )));
    assert!(is_staff_error(staff::set_pin(
        &conn,
        "luis",
        "000000",
        &policy(),
        "x",
        NOW
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
                "test".into(),
                "staff-added".into(),
                Some("Ana-María O'Neil (frontDesk)".into())
            ),
            (
                "test".into(),
                "staff-added".into(),
                Some("luis (frontDesk)".into())
            ),
            (
                "test".into(),
                "staff-added".into(),
                Some("Marta Ruiz (admin)".into())
            ),
        ],
        "who added whom with which role and who changed whose PIN, newest first"
    );
    Ok(())
}

#[test]
fn pins_are_stored_as_argon2id_hashes_never_as_the_pin() -> TestResult {
    let dir = tempfile::tempdir()?;
    let conn = kiosk_db(dir.path())?;
    let pin = "73914682";
    add(&conn, "Marta", pin, Role::Admin)?;
    add(&conn, "Luis", pin, Role::FrontDesk)?;
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
fn the_first_account_is_an_admin_and_later_ones_get_the_role_asked_for() -> TestResult {
    let dir = tempfile::tempdir()?;
    let conn = kiosk_db(dir.path())?;
    add(&conn, "Marta", "258013", Role::FrontDesk)?;
    add(&conn, "Luis", "975318", Role::FrontDesk)?;
    add(&conn, "Ana", "864213", Role::Admin)?;
    let roles: Vec<(String, Role)> = staff::accounts(&conn)?
        .into_iter()
        .map(|a| (a.name, a.role))
        .collect();
    assert_eq!(
        roles,
        [
            ("Ana".to_string(), Role::Admin),
            ("Luis".to_string(), Role::FrontDesk),
            ("Marta".to_string(), Role::Admin),
        ],
        "someone must be able to manage the others, so the first is an admin"
    );
    staff::remove(&conn, "marta", "Ana", NOW)?;
    assert!(
        is_staff_error(staff::remove(&conn, "Ana", "Ana", NOW)),
        "the last admin stays"
    );
    Ok(())
}

#[test]
fn names_match_without_regard_to_case_accents_or_repeated_spaces() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut conn = kiosk_db(dir.path())?;
    add(&conn, "Ana Núñez", "258013", Role::Admin)?;
    assert!(
        is_staff_error(add(&conn, "ANA  NUNEZ", "975318", Role::FrontDesk)),
        "one person, however it is typed"
    );
    assert_eq!(
        staff::set_pin(&conn, "ana   nunez", "975318", &policy(), "cli", NOW)?,
        "Ana Núñez",
        "set-pin finds what add stored"
    );
    // Decomposed accents (a Mac keyboard, a pasted name) are the same name too.
    assert_eq!(
        staff::unlock(&mut conn, "Ana Nun\u{303}ez", "975318", &policy(), NOW)?,
        unlocked("Ana Núñez", Role::Admin)
    );
    Ok(())
}

fn wrong(retry_after_secs: Option<u64>) -> Result<Unlocked, Refused> {
    Err(Refused::Wrong { retry_after_secs })
}

fn wait(retry_after_secs: u64) -> Result<Unlocked, Refused> {
    Err(Refused::Wait { retry_after_secs })
}

/// No hard lock, to watch the delays alone.
fn patient_policy() -> StaffPolicy {
    StaffPolicy {
        account_hard_lock_after: 1000,
        kiosk_hard_lock_after: 1000,
        ..policy()
    }
}

#[test]
fn three_wrong_pins_start_a_wait_that_doubles_up_to_five_minutes() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut conn = kiosk_db(dir.path())?;
    add(&conn, "Marta", "258013", Role::Admin)?;
    let p = patient_policy();
    let mut t = NOW;
    assert_eq!(
        staff::unlock(&mut conn, "Marta", "000000", &p, t)?,
        wrong(None)
    );
    assert_eq!(
        staff::unlock(&mut conn, "Marta", "123456", &p, t)?,
        wrong(None)
    );
    assert_eq!(
        staff::unlock(&mut conn, "Marta", "999999", &p, t)?,
        wrong(Some(2)),
        "the third wrong PIN starts the wait"
    );
    assert_eq!(
        staff::unlock(&mut conn, "Marta", "258013", &p, t + 500)?,
        wait(2),
        "while waiting even the right PIN is not checked"
    );
    assert_eq!(
        staff::unlock(&mut conn, "Marta", "000000", &p, t + 1500)?,
        wait(1)
    );
    let mut got = Vec::new();
    let mut delay = 2;
    for _ in 0..9 {
        t += delay * SECOND;
        // A moment before the wait is over: still waiting.
        assert_eq!(
            staff::unlock(&mut conn, "Marta", "000000", &p, t - 1)?,
            wait(1)
        );
        let Err(Refused::Wrong {
            retry_after_secs: Some(next),
        }) = staff::unlock(&mut conn, "Marta", "000000", &p, t)?
        else {
            panic!("a wrong PIN after the wait is Wrong with a delay");
        };
        got.push(next);
        delay = next as i64;
    }
    assert_eq!(
        got,
        [4, 8, 16, 32, 64, 128, 256, 300, 300],
        "doubling, capped at 300 s"
    );
    let entries = audit::recent(&conn, 100)?;
    let count = |action: &str| entries.iter().filter(|e| e.action == action).count();
    assert_eq!(count("unlock-failed"), 12, "every checked wrong PIN");
    assert_eq!(
        count("unlock-refused"),
        11,
        "and every attempt during a wait"
    );
    assert!(
        entries
            .iter()
            .filter_map(|e| e.detail.as_deref())
            .all(|d| !d.contains("000000") && !d.contains("999999")),
        "the audit log never holds a PIN tried"
    );
    Ok(())
}

#[test]
fn the_wait_survives_a_restart() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut conn = kiosk_db(dir.path())?;
    add(&conn, "Marta", "258013", Role::Admin)?;
    for tries in 1..=3 {
        assert!(
            matches!(
                staff::unlock(&mut conn, "Marta", "000000", &policy(), NOW)?,
                Err(Refused::Wrong { .. })
            ),
            "wrong PIN #{tries}"
        );
    }
    drop(conn);
    // The app restarts: a new connection to the same file.
    let mut reopened = kiosk_db(dir.path())?;
    assert_eq!(
        staff::unlock(&mut reopened, "Marta", "258013", &policy(), NOW + SECOND)?,
        wait(1),
        "restarting the app does not reset the wait"
    );
    drop(reopened);
    let mut reopened = kiosk_db(dir.path())?;
    assert_eq!(
        staff::unlock(
            &mut reopened,
            "Marta",
            "258013",
            &policy(),
            NOW + 2 * SECOND
        )?,
        unlocked("Marta", Role::Admin),
        "after the wait the right PIN unlocks"
    );
    Ok(())
}

#[test]
fn a_right_pin_resets_the_count_of_wrong_ones() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut conn = kiosk_db(dir.path())?;
    add(&conn, "Marta", "258013", Role::Admin)?;
    for i in 0..4 {
        assert!(staff::unlock(
            &mut conn,
            "Marta",
            "000000",
            &policy(),
            NOW + i * 600 * SECOND
        )?
        .is_err());
    }
    let after = NOW + 60 * 60 * SECOND;
    assert_eq!(
        staff::unlock(&mut conn, "Marta", "258013", &policy(), after)?,
        unlocked("Marta", Role::Admin)
    );
    assert_eq!(
        staff::unlock(&mut conn, "Marta", "000000", &policy(), after + 1)?,
        wrong(None),
        "two free tries again"
    );
    assert_eq!(
        staff::unlock(&mut conn, "Marta", "000000", &policy(), after + 2)?,
        wrong(None)
    );
    assert_eq!(
        staff::unlock(&mut conn, "Marta", "000000", &policy(), after + 3)?,
        wrong(Some(2)),
        "and the delay starts from 2 s again"
    );
    Ok(())
}

#[test]
fn unknown_names_count_on_the_kiosk_and_are_not_written_down() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut conn = kiosk_db(dir.path())?;
    add(&conn, "Marta", "258013", Role::Admin)?;
    for (i, name) in ["Nobody", "Root", "Admin", "Guest"].into_iter().enumerate() {
        assert_eq!(
            staff::unlock(&mut conn, name, "258013", &policy(), NOW + i as i64)?,
            wrong(None),
            "{name}"
        );
    }
    assert_eq!(
        staff::unlock(&mut conn, "Test", "258013", &policy(), NOW + 10)?,
        wrong(Some(2)),
        "the fifth wrong try on this kiosk, any names, starts the kiosk's wait"
    );
    assert_eq!(
        staff::unlock(&mut conn, "Marta", "258013", &policy(), NOW + 11)?,
        wait(2),
        "which holds for every account"
    );
    let failed: Vec<String> = audit::recent(&conn, 20)?
        .into_iter()
        .filter(|e| e.action == "unlock-failed")
        .map(|e| e.staff)
        .collect();
    assert!(
        failed.iter().all(|s| s == "unknown"),
        "a name that is not an account is not written to the log: {failed:?}"
    );
    Ok(())
}

/// Wrong PINs for `name`, waiting out each delay, until a hard lock; returns how many.
fn guess_until_hard_locked(
    conn: &mut Connection,
    name: &str,
    p: &StaffPolicy,
    t: &mut i64,
) -> Result<u32, CallbackError> {
    for n in 1..=1000 {
        *t += 301 * SECOND;
        match staff::unlock(conn, name, "000000", p, *t)? {
            Err(Refused::HardLocked) => return Ok(n),
            Err(Refused::Wrong { .. }) => {}
            other => panic!("wrong PIN #{n}: {other:?}"),
        }
    }
    panic!("no hard lock after 1000 wrong PINs");
}

#[test]
fn wrong_pins_in_a_row_hard_lock_the_account_until_an_admin_lifts_it() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut conn = kiosk_db(dir.path())?;
    add(&conn, "Marta", "258013", Role::Admin)?;
    add(&conn, "Luis", "975318", Role::FrontDesk)?;
    let p = policy();
    let mut t = NOW;
    assert_eq!(
        guess_until_hard_locked(&mut conn, "Luis", &p, &mut t)?,
        p.account_hard_lock_after
    );
    t += 3600 * SECOND;
    assert_eq!(
        staff::unlock(&mut conn, "Luis", "975318", &p, t)?,
        Err(Refused::HardLocked),
        "an hour later the right PIN is still refused"
    );
    assert!(staff::accounts(&conn)?
        .iter()
        .any(|a| a.name == "Luis" && a.locked));
    assert_eq!(
        staff::unlock(&mut conn, "Marta", "258013", &p, t)?,
        unlocked("Marta", Role::Admin),
        "other accounts still work"
    );
    staff::lift_lock(&conn, "luis", "Marta", t)?;
    assert_eq!(
        staff::unlock(&mut conn, "Luis", "975318", &p, t + 1)?,
        unlocked("Luis", Role::FrontDesk)
    );
    let actions: Vec<String> = audit::recent(&conn, 5)?
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        actions.contains(&"account-unlocked".to_string()),
        "{actions:?}"
    );
    Ok(())
}

#[test]
fn the_kiosk_hard_lock_holds_every_account_until_the_command_line_lifts_it() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut conn = kiosk_db(dir.path())?;
    add(&conn, "Marta", "258013", Role::Admin)?;
    let p = StaffPolicy {
        kiosk_hard_lock_after: 7,
        ..policy()
    };
    let mut t = NOW;
    // Guesses spread over names, so no one account reaches its own limit.
    for name in ["a", "b", "c", "d", "e", "f"] {
        t += 301 * SECOND;
        assert!(matches!(
            staff::unlock(&mut conn, name, "000000", &p, t)?,
            Err(Refused::Wrong { .. })
        ));
    }
    t += 301 * SECOND;
    assert_eq!(
        staff::unlock(&mut conn, "g", "000000", &p, t)?,
        Err(Refused::KioskLocked)
    );
    assert_eq!(
        staff::unlock(&mut conn, "Marta", "258013", &p, t + 86_400 * SECOND)?,
        Err(Refused::KioskLocked),
        "a day later, the admin too"
    );
    staff::lift_kiosk_lock(&conn, "command line", t)?;
    assert_eq!(
        staff::unlock(&mut conn, "Marta", "258013", &p, t + 1)?,
        unlocked("Marta", Role::Admin)
    );
    Ok(())
}

#[test]
fn a_kiosk_db_from_before_roles_is_upgraded_its_accounts_admins() -> TestResult {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("kiosk.db");
    {
        // kiosk.db as the previous release left it: schema 5, accounts with 4-digit PINs.
        let mut conn = Connection::open(&path)?;
        store::migrate(&mut conn, &path, &store::MIGRATIONS[..5])?;
        let salt = SaltString::encode_b64(b"sixteen bytes ok").map_err(|e| e.to_string())?;
        let phc = argon2::Argon2::default()
            .hash_password(b"2580", &salt)
            .map_err(|e| e.to_string())?
            .to_string();
        for name in ["Ana Núñez", "Luis"] {
            conn.execute(
                "INSERT INTO staff (name, pin_hash, created_at) VALUES (?1, ?2, ?3)",
                rusqlite::params![name, phc, NOW],
            )?;
        }
        conn.execute(
            "INSERT INTO pin_lockout (id, failures, not_before) VALUES (1, 2, 0)",
            [],
        )?;
    }
    let mut conn = kiosk_db(dir.path())?;
    assert_eq!(
        conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))?,
        store::version()
    );
    assert!(staff::accounts(&conn)?
        .iter()
        .all(|a| a.role == Role::Admin));
    let noted: Vec<String> = audit::recent(&conn, 10)?
        .into_iter()
        .filter(|e| e.action == "role-admin-on-upgrade")
        .map(|e| e.staff)
        .collect();
    assert_eq!(noted.len(), 2, "one note per account: {noted:?}");
    assert_eq!(
        staff::unlock(&mut conn, "ANA NUNEZ", "2580", &policy(), NOW)?,
        unlocked("Ana Núñez", Role::Admin),
        "old PINs still unlock (the rules apply to new PINs), found by the folded name"
    );
    assert!(
        audit::recent(&conn, 10)?
            .iter()
            .any(|e| e.action == "pin-below-rules" && e.staff == "Ana Núñez"),
        "and the audit log says its PIN should be changed"
    );
    Ok(())
}

// ---- Through the mock runtime -------------------------------------------------------

fn content_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/content"))
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
        "consentVersion": "2026-12",
        "specialty": "spine",
        "topic": "spine-care",
        "article": null
    })
}

/// The app's real state on a temporary data folder holding two accounts: Marta (admin,
/// 258013) and Luis (front desk, 975318).
fn state_with_staff(data: &tempfile::TempDir) -> Result<AppState, Box<dyn std::error::Error>> {
    let conn = kiosk_db(data.path())?;
    let now = clinic_kiosk::callbacks::now_ms();
    staff::add(
        &conn,
        "Marta",
        "258013",
        Role::Admin,
        &policy(),
        "test",
        now,
    )?;
    staff::add(
        &conn,
        "Luis",
        "975318",
        Role::FrontDesk,
        &policy(),
        "test",
        now,
    )?;
    drop(conn);
    Ok(clinic_kiosk::open_state(data.path(), content_dir()))
}

const MARTA: (&str, &str) = ("Marta", "258013");
const LUIS: (&str, &str) = ("Luis", "975318");

fn unlock(w: &tauri::WebviewWindow<tauri::test::MockRuntime>, who: (&str, &str)) -> Value {
    invoke(w, "staff_unlock", json!({ "name": who.0, "pin": who.1 }))
        .unwrap_or_else(|e| panic!("unlock {}: {e}", who.0))["token"]
        .clone()
}

/// Arguments for any command: every name a command takes, with a harmless value (an id
/// that matches nothing, a role that is valid). A new command with a new argument name
/// fails the tests below until its argument is added here.
fn any_args(token: Option<&Value>) -> Value {
    let mut args = json!({
        "id": uuid::Uuid::now_v7().to_string(),
        "status": "closed",
        "note": "x",
        "destination": "nowhere",
        "limit": 5,
        "kioskId": "no-such-kiosk",
        "address": "127.0.0.1:9",
        "code": "000000",
        "name": "Nobody Here",
        "pin": "258013",
        "role": "frontDesk",
        "path": "/nonexistent/pack.ckpack",
    });
    if let Some(t) = token {
        args["token"] = t.clone();
    }
    args
}

fn commands_for(access: Access) -> Vec<&'static str> {
    COMMANDS
        .iter()
        .filter(|(_, a)| *a == access)
        .map(|(name, _)| *name)
        .collect()
}

#[test]
fn every_staff_and_admin_command_without_a_live_session_is_unauthorized() -> TestResult {
    let data = tempfile::tempdir()?;
    let app = app(state_with_staff(&data)?);
    let main = window(&app, "main");
    // A real session exists, so a wrong token is refused for being wrong, not for want of
    // any session.
    let token = unlock(&main, MARTA);
    let tokens = [
        ("no token argument", None),
        ("a null token", Some(Value::Null)),
        ("an empty token", Some(json!(""))),
        (
            "a wrong token",
            Some(json!(uuid::Uuid::new_v4().to_string())),
        ),
    ];
    let gated: Vec<&str> = [commands_for(Access::Staff), commands_for(Access::Admin)].concat();
    assert!(gated.len() >= 20, "the list is the app's: {gated:?}");
    let mut failures = Vec::new();
    for (what, token) in &tokens {
        for cmd in &gated {
            match invoke(&main, cmd, any_args(token.as_ref())) {
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
    invoke(&main, "inbox_list", json!({ "token": token }))
        .map_err(|e| format!("the real session still works: {e}"))?;
    // And the first-run account screen's command is gone for good.
    let gone = invoke(
        &main,
        "staff_create_first",
        json!({ "name": "Intruder", "pin": "258013" }),
    );
    assert!(gone.is_err(), "{gone:?}");
    assert_eq!(staff::count(&kiosk_db(data.path())?)?, 2);
    Ok(())
}

#[test]
fn every_admin_command_is_forbidden_to_the_front_desk() -> TestResult {
    let data = tempfile::tempdir()?;
    let app = app(state_with_staff(&data)?);
    let main = window(&app, "main");
    let token = unlock(&main, LUIS);
    let admin = commands_for(Access::Admin);
    for needed in [
        "staff_leave_kiosk",
        "staff_quit",
        "lan_pair",
        "content_import",
        "staff_account_add",
    ] {
        assert!(admin.contains(&needed), "{needed} is admin-only");
    }
    let mut failures = Vec::new();
    for cmd in &admin {
        match invoke(&main, cmd, any_args(Some(&token))) {
            Err(e) if e["kind"] == "forbidden" => {}
            other => failures.push(format!("{cmd}: {other:?}")),
        }
    }
    // The front desk's own commands are theirs (staff_lock last: it ends the session).
    let mut own = commands_for(Access::Staff);
    own.sort_by_key(|c| *c == "staff_lock");
    for cmd in &own {
        if let Err(e) = invoke(&main, cmd, any_args(Some(&token))) {
            if e["kind"] == "unauthorized" || e["kind"] == "forbidden" {
                failures.push(format!("{cmd} refused to the front desk: {e}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        staff::count(&kiosk_db(data.path())?)?,
        2,
        "no account was added"
    );
    Ok(())
}

#[test]
fn an_admin_manages_staff_accounts() -> TestResult {
    let data = tempfile::tempdir()?;
    let app = app(state_with_staff(&data)?);
    let main = window(&app, "main");
    let token = unlock(&main, MARTA);
    let easy = invoke(
        &main,
        "staff_account_add",
        json!({ "token": token, "name": "Pat", "pin": "123456", "role": "frontDesk" }),
    )
    .expect_err("an easy PIN");
    assert_eq!(easy["kind"], "invalidInput", "{easy}");
    let list = invoke(
        &main,
        "staff_account_add",
        json!({ "token": token, "name": "Pat Lee", "pin": "802461", "role": "frontDesk" }),
    )
    .map_err(|e| format!("add: {e}"))?;
    assert!(list.to_string().contains("Pat Lee"), "{list}");
    let own = invoke(
        &main,
        "staff_account_remove",
        json!({ "token": token, "name": "MARTA" }),
    )
    .expect_err("not one's own account");
    assert_eq!(own["kind"], "invalidInput");
    let list = invoke(
        &main,
        "staff_account_remove",
        json!({ "token": token, "name": "pat  lee" }),
    )
    .map_err(|e| format!("remove: {e}"))?;
    assert!(!list.to_string().contains("Pat Lee"), "{list}");
    Ok(())
}

#[test]
fn ten_thousand_scripted_wrong_pins_never_unlock_and_end_in_the_hard_lock() -> TestResult {
    let data = tempfile::tempdir()?;
    let app = app(state_with_staff(&data)?);
    let main = window(&app, "main");
    let state = app.state::<AppState>();
    let (mut wrong, mut waits, mut hard) = (0, 0, 0);
    for i in 0..10_000u32 {
        // Six digits that are not Marta's PIN, a different guess each time.
        let guess = format!("{:06}", (i as u64 * 7919 + 13) % 1_000_000);
        if guess == MARTA.1 {
            continue;
        }
        let err = invoke(
            &main,
            "staff_unlock",
            json!({ "name": "Marta", "pin": guess }),
        )
        .expect_err("a wrong PIN never unlocks");
        match err["kind"].as_str() {
            Some("invalidInput") => wrong += 1,
            Some("locked") => {
                waits += 1;
                // The attacker waits out every delay (the clock moves, not the test).
                let secs = err["retryAfterSecs"].as_i64().unwrap_or(1);
                state.clock.advance(secs * 1000);
            }
            Some("hardLocked") => hard += 1,
            other => panic!("attempt {i}: {other:?} {err}"),
        }
    }
    assert_eq!(
        wrong,
        state.config.staff.account_hard_lock_after - 1,
        "only that many PINs were ever checked"
    );
    assert!(
        waits > 0 && hard > 9_000,
        "waits {waits}, hard locks {hard}"
    );
    let right = invoke(
        &main,
        "staff_unlock",
        json!({ "name": "Marta", "pin": MARTA.1 }),
    )
    .expect_err("even the right PIN, once hard-locked");
    assert_eq!(right["kind"], "hardLocked", "{right}");
    let audited: i64 = kiosk_db(data.path())?.query_row(
        "SELECT count(*) FROM audit_log WHERE action IN ('unlock-failed', 'unlock-refused')",
        [],
        |r| r.get(0),
    )?;
    assert!(
        audited >= 10_000,
        "every attempt is in the audit log: {audited}"
    );
    Ok(())
}

#[test]
fn polling_does_not_keep_a_session_alive_and_no_session_outlives_its_lifetime() -> TestResult {
    let data = tempfile::tempdir()?;
    let mut state = state_with_staff(&data)?;
    state.config.staff.idle_lock_secs = 120;
    state.config.staff.session_max_secs = 600;
    let app = app(state);
    let main = window(&app, "main");
    let clock = &app.state::<AppState>().clock;
    let token = unlock(&main, LUIS);
    for _ in 0..4 {
        clock.advance(25_000);
        invoke(&main, "inbox_list", json!({ "token": token })).map_err(|e| format!("{e}"))?;
    }
    clock.advance(21_000);
    let idle = invoke(&main, "inbox_list", json!({ "token": token })).expect_err("idle");
    assert_eq!(
        idle["kind"], "unauthorized",
        "121 s of polling only: locked"
    );

    let token = unlock(&main, LUIS);
    for minute in 1..10 {
        clock.advance(60_000);
        let alive = invoke(&main, "staff_keepalive", json!({ "token": token }))
            .map_err(|e| format!("minute {minute}: {e}"))?;
        let left = alive["sessionSecsLeft"].as_i64().unwrap_or(-1);
        assert!(
            (599 - 60 * minute..=600 - 60 * minute).contains(&left),
            "minute {minute}: {alive}"
        );
    }
    clock.advance(61_000);
    let over = invoke(&main, "staff_keepalive", json!({ "token": token })).expect_err("over");
    assert_eq!(
        over["kind"], "unauthorized",
        "the lifetime holds however busy"
    );
    Ok(())
}

#[test]
fn after_leaving_kiosk_mode_the_kiosk_returns_when_the_session_ends() -> TestResult {
    use clinic_kiosk::shell::{kiosk_watch_step, WatchStep};
    use std::sync::atomic::Ordering;
    let data = tempfile::tempdir()?;
    let app = app(state_with_staff(&data)?);
    let main = window(&app, "main");
    let state = app.state::<AppState>();
    assert_eq!(state.config.mode, clinic_kiosk::config::Mode::Kiosk);

    // Locked by staff.
    let token = unlock(&main, MARTA);
    invoke(&main, "staff_leave_kiosk", json!({ "token": token })).map_err(|e| format!("{e}"))?;
    assert!(state.kiosk_left.load(Ordering::SeqCst));
    assert_eq!(kiosk_watch_step(&main), WatchStep::StaffOutside);
    invoke(&main, "staff_lock", json!({ "token": token })).map_err(|e| format!("{e}"))?;
    assert_eq!(kiosk_watch_step(&main), WatchStep::BackToKiosk);
    assert!(!state.kiosk_left.load(Ordering::SeqCst));

    // Walked away: the session times out.
    let token = unlock(&main, MARTA);
    invoke(&main, "staff_leave_kiosk", json!({ "token": token })).map_err(|e| format!("{e}"))?;
    state
        .clock
        .advance(state.config.staff.idle_lock_secs as i64 * 1000 + 1);
    assert_eq!(kiosk_watch_step(&main), WatchStep::BackToKiosk);
    let backs = audit::recent(&kiosk_db(data.path())?, 50)?
        .into_iter()
        .filter(|e| e.action == "back-to-kiosk-mode")
        .count();
    assert_eq!(backs, 2);
    Ok(())
}

#[test]
fn staff_commands_work_with_a_token_from_staff_unlock() -> TestResult {
    let data = tempfile::tempdir()?;
    let exports = tempfile::tempdir()?;
    let mut state = state_with_staff(&data)?;
    state.config.callbacks.export_dir = Some(exports.path().to_path_buf());
    let app = app(state);
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
    assert_eq!(status["names"], json!(["Luis", "Marta"]));
    assert_eq!(status["pinMinDigits"], 6);
    assert!(status.get("hasAccounts").is_some_and(|v| v == true));
    let session = invoke(
        &main,
        "staff_unlock",
        json!({ "name": "marta", "pin": "258013" }),
    )
    .map_err(|e| format!("unlock: {e}"))?;
    assert_eq!(session["name"], "Marta");
    assert_eq!(session["role"], "admin");
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

    let export = invoke(
        &main,
        "export_callbacks",
        json!({ "token": token, "folder": exports.path() }),
    )
    .map_err(|e| format!("export: {e}"))?;
    assert_eq!(export["rows"], 1);
    let path = PathBuf::from(export["path"].as_str().unwrap_or_default());
    assert!(
        path.starts_with(exports.path()),
        "written to the chosen folder: {}",
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
        [
            "export",
            "note",
            "status",
            "unlock",
            "staff-added",
            "staff-added"
        ],
        "{log}"
    );
    assert!(
        // The number as typed and as stored; not a bare "555", which a ms timestamp can hold.
        !log.to_string().contains("Núñez")
            && !log.to_string().contains("555-0123")
            && !log.to_string().contains("5550123"),
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
fn a_duplicate_gets_the_very_answer_a_new_request_gets() -> TestResult {
    let data = tempfile::tempdir()?;
    let app = app(state_with_staff(&data)?);
    let main = window(&app, "main");
    let first = form("en", "201-555-0123");
    let mut again = form("en", "(201) 555-0123");
    again["name"] = json!("Someone Else");
    let a =
        invoke(&main, "submit_callback", json!({ "form": first })).map_err(|e| format!("{e}"))?;
    let b =
        invoke(&main, "submit_callback", json!({ "form": again })).map_err(|e| format!("{e}"))?;
    let without_id = |mut v: Value| {
        v["requestId"] = Value::Null;
        v
    };
    assert_eq!(
        without_id(a.clone()),
        without_id(b.clone()),
        "nothing tells whoever typed the number that this person asked already"
    );
    assert_eq!(a["requestId"], first["requestId"]);
    assert_eq!(b["requestId"], again["requestId"]);
    let token = unlock(&main, LUIS);
    let inbox =
        invoke(&main, "inbox_list", json!({ "token": token })).map_err(|e| format!("{e}"))?;
    assert_eq!(
        inbox.as_array().map(Vec::len),
        Some(1),
        "one request: {inbox}"
    );
    assert_eq!(
        inbox[0]["notes"][0]["text"],
        queue::DUPLICATE_NOTE,
        "staff see it"
    );
    Ok(())
}

#[test]
fn exports_go_only_to_an_offered_folder_never_the_data_folder_and_are_private() -> TestResult {
    use std::os::unix::fs::PermissionsExt;
    let data = tempfile::tempdir()?;
    let out = tempfile::tempdir()?;
    let mut state = state_with_staff(&data)?;
    state.config.callbacks.export_dir = Some(out.path().to_path_buf());
    let app = app(state);
    let main = window(&app, "main");
    invoke(
        &main,
        "submit_callback",
        json!({ "form": form("en", "201-555-0123") }),
    )
    .map_err(|e| format!("{e}"))?;
    let token = unlock(&main, LUIS);
    let folders =
        invoke(&main, "export_folders", json!({ "token": token })).map_err(|e| format!("{e}"))?;
    let offered = out.path().display().to_string();
    assert_eq!(folders[0]["path"], json!(offered), "{folders}");
    assert!(!folders
        .to_string()
        .contains(&data.path().display().to_string()));
    for refused in [
        data.path().display().to_string(),
        data.path().join("exports").display().to_string(),
        "/tmp".into(),
        String::new(),
    ] {
        let err = invoke(
            &main,
            "export_callbacks",
            json!({ "token": token, "folder": refused }),
        )
        .expect_err("not an offered folder");
        assert_eq!(err["kind"], "invalidInput", "{refused}: {err}");
    }
    let done = invoke(
        &main,
        "export_callbacks",
        json!({ "token": token, "folder": offered }),
    )
    .map_err(|e| format!("{e}"))?;
    assert_eq!(done["rows"], 1);
    let path = PathBuf::from(done["path"].as_str().unwrap_or_default());
    assert!(path.starts_with(out.path()), "{}", path.display());
    assert_eq!(
        std::fs::metadata(&path)?.permissions().mode() & 0o777,
        0o600
    );
    assert!(
        !data.path().join("exports").exists(),
        "nothing in the data folder"
    );
    Ok(())
}

#[test]
fn files_the_app_writes_are_private_whatever_the_umask() -> TestResult {
    use std::os::unix::fs::PermissionsExt;
    let data = tempfile::tempdir()?;
    // A loose umask, as a desktop session has: the app's own umask must win.
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg("umask 022; printf '258013\\n' | \"$0\" staff add Marta && \"$0\" content build --data-dir \"$1\"")
        .arg(common::kiosk().get_program())
        .arg(data.path())
        .env("CLINIC_KIOSK_DATA_DIR", data.path())
        .status()?;
    assert!(status.success());
    let mut checked = 0;
    let mut stack = vec![data.path().to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            let mode = std::fs::symlink_metadata(&path)?.permissions().mode() & 0o777;
            if path.is_dir() {
                assert_eq!(mode, 0o700, "{}", path.display());
                stack.push(path);
            } else {
                assert_eq!(mode & 0o077, 0, "{} is {mode:o}", path.display());
                checked += 1;
            }
        }
    }
    assert!(checked >= 2, "kiosk.db and library.db at least");
    // A data folder left loose by an older version is tightened at start.
    std::fs::set_permissions(
        data.path().join("kiosk.db"),
        std::fs::Permissions::from_mode(0o644),
    )?;
    let _ = clinic_kiosk::open_state(data.path(), content_dir());
    assert_eq!(
        std::fs::metadata(data.path().join("kiosk.db"))?
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
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
fn the_cli_adds_lists_unlocks_and_removes_staff() -> TestResult {
    let data = tempfile::tempdir()?;
    let out = cli(data.path(), &["staff", "add", "Marta Ruiz"], "258013\n")?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim(),
        "added staff account `Marta Ruiz` (admin)",
        "the first account is an admin"
    );
    let out = cli(
        data.path(),
        &["staff", "add", "Luis", "--role", "front-desk"],
        "802461\n",
    )?;
    assert!(out.status.success(), "{}", text(&out.stderr));

    for (pin, says) in [
        ("111111", "repeated"),
        ("123456", "run"),
        ("2580", "6 to 12"),
    ] {
        let refused = cli(data.path(), &["staff", "add", "Pat"], &format!("{pin}\n"))?;
        assert_eq!(refused.status.code(), Some(1), "{pin} is refused");
        assert!(
            text(&refused.stderr).contains(says),
            "{pin}: {}",
            text(&refused.stderr)
        );
    }

    let listed = cli(data.path(), &["staff", "list"], "")?;
    assert_eq!(
        text(&listed.stdout).trim(),
        "Luis\tfront desk\nMarta Ruiz\tadmin"
    );

    let changed = cli(
        data.path(),
        &["staff", "set-pin", "marta  ruiz"],
        "975318\n",
    )?;
    assert!(changed.status.success(), "{}", text(&changed.stderr));
    assert_eq!(
        text(&changed.stdout).trim(),
        "changed the PIN of `Marta Ruiz`"
    );

    let mut conn = kiosk_db(data.path())?;
    assert!(pin_hash(&conn, "Marta Ruiz")?.starts_with("$argon2id$"));
    assert_eq!(
        staff::unlock(&mut conn, "Marta Ruiz", "975318", &policy(), NOW)?,
        unlocked("Marta Ruiz", Role::Admin),
        "the PIN from stdin, trimmed of its line break, unlocks"
    );
    conn.execute(
        "UPDATE staff SET locked_at = 1, failures = 10 WHERE name = 'Luis'",
        [],
    )?;
    conn.execute(
        "INSERT INTO pin_lockout (id, failures, not_before, locked_at) VALUES (1, 30, 0, 1)",
        [],
    )?;
    drop(conn);
    let out = cli(data.path(), &["staff", "unlock", "luis"], "")?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = cli(data.path(), &["staff", "unlock", "--kiosk"], "")?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut conn = kiosk_db(data.path())?;
    assert_eq!(
        staff::unlock(&mut conn, "Luis", "802461", &policy(), NOW)?,
        unlocked("Luis", Role::FrontDesk),
        "both locks lifted"
    );
    drop(conn);
    let out = cli(data.path(), &["staff", "remove", "Marta Ruiz"], "")?;
    assert_eq!(out.status.code(), Some(1), "the last admin stays");
    let out = cli(data.path(), &["staff", "remove", "Luis"], "")?;
    assert!(out.status.success(), "{}", text(&out.stderr));
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
