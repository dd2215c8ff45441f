//! Staff accounts (name, role and an argon2id-hashed PIN), wrong-PIN delays per account and
//! per kiosk that end in a hard lock, and the one staff session a device holds at a time,
//! with an inactivity limit and an absolute lifetime.
//!
//! The PIN rules follow NIST SP 800-63B §5.1.1.2 in spirit (refuse values that are easy to
//! guess: repeated or sequential characters, values tied to the service) and its throttling
//! advice (§5.2.2: a limited number of failed attempts per account).

use std::sync::Mutex;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use super::{audit, CallbackError};

/// The fewest PIN digits allowed; the config may ask for more, never fewer.
pub const PIN_MIN_DIGITS: usize = 6;
/// The most PIN digits.
pub const PIN_MAX_DIGITS: usize = 12;

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    /// The inbox: requests, notes, export, delivery retries, kiosk health (read only).
    FrontDesk,
    /// Everything a front desk does, and leaving kiosk mode, closing the app, front-desk
    /// pairing, content packs and staff accounts.
    Admin,
}

impl Role {
    /// The value stored in `staff.role` and sent to the UI.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::FrontDesk => "frontDesk",
            Role::Admin => "admin",
        }
    }

    /// Parses `frontDesk`/`front-desk` or `admin`.
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "frontDesk" | "front-desk" => Some(Role::FrontDesk),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// The clinic's staff-access settings (config `[staff]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffPolicy {
    /// PIN length, [`PIN_MIN_DIGITS`] to [`PIN_MAX_DIGITS`].
    pub pin_min_digits: usize,
    /// The digits of the clinic's own phone number: no PIN may be a part of it.
    pub clinic_phone_digits: String,
    /// The staff view locks after this many seconds without a staff action.
    pub idle_lock_secs: u64,
    /// A session ends this many seconds after the PIN, whatever happens in it.
    pub session_max_secs: u64,
    /// Wrong PINs in a row that hard-lock an account until an admin or the command line
    /// lifts it.
    pub account_hard_lock_after: u32,
    /// Wrong PINs in a row on this kiosk (any names) that hard-lock every account here
    /// until the command line lifts it.
    pub kiosk_hard_lock_after: u32,
}

impl Default for StaffPolicy {
    fn default() -> Self {
        StaffPolicy {
            pin_min_digits: PIN_MIN_DIGITS,
            clinic_phone_digits: String::new(),
            idle_lock_secs: 120,
            session_max_secs: 30 * 60,
            account_hard_lock_after: 10,
            kiosk_hard_lock_after: 30,
        }
    }
}

/// Wrong PINs allowed on an account before its delay starts.
const ACCOUNT_FREE_TRIES: i64 = 3;
/// Wrong PINs allowed on the kiosk (any names) before its delay starts.
const KIOSK_FREE_TRIES: i64 = 5;
/// The longest wait after many wrong PINs, in seconds.
const MAX_DELAY_SECS: i64 = 300;

fn staff_err(msg: impl Into<String>) -> CallbackError {
    CallbackError::Staff(msg.into())
}

/// A display name: 1 to 40 characters, letters, spaces, hyphens, apostrophes, periods.
/// Returns it NFC-normalised with its spaces collapsed.
pub fn check_name(name: &str) -> Result<String, CallbackError> {
    let name: String = name.nfc().collect();
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > 40 {
        return Err(staff_err("the staff name must be 1 to 40 characters"));
    }
    if !name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '\'' | '.'))
    {
        return Err(staff_err(
            "the staff name may hold letters, digits, spaces, hyphens, apostrophes and periods only",
        ));
    }
    Ok(name)
}

/// The key names are matched by: no accents, lower case, single spaces, so "Ana Núñez"
/// and "ANA  NUNEZ" are one person.
pub fn name_key(name: &str) -> String {
    let folded: String = name
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A PIN: `policy.pin_min_digits` to 12 digits, and not easy to guess: not one digit
/// repeated, not a run up or down (123456, 654321, 890123), not a short pattern repeated
/// (121212, 123123), not a part of the clinic's phone number.
pub fn check_pin(pin: &str, policy: &StaffPolicy) -> Result<(), CallbackError> {
    let min = policy.pin_min_digits.clamp(PIN_MIN_DIGITS, PIN_MAX_DIGITS);
    let digits: Vec<u8> = pin.bytes().map(|b| b.wrapping_sub(b'0')).collect();
    if !(min..=PIN_MAX_DIGITS).contains(&pin.len()) || digits.iter().any(|&d| d > 9) {
        return Err(staff_err(format!(
            "the PIN must be {min} to {PIN_MAX_DIGITS} digits"
        )));
    }
    if digits.iter().all(|&d| d == digits[0]) {
        return Err(staff_err(
            "the PIN must not be one digit repeated; choose another",
        ));
    }
    let steps = |step: u8| digits.windows(2).all(|w| (w[0] + step) % 10 == w[1]);
    if steps(1) || steps(9) {
        return Err(staff_err(
            "the PIN must not be a run of digits like 123456 or 654321; choose another",
        ));
    }
    if (2..=3).any(|p| digits.iter().enumerate().all(|(i, &d)| d == digits[i % p])) {
        return Err(staff_err(
            "the PIN must not be a short pattern repeated like 121212; choose another",
        ));
    }
    if !policy.clinic_phone_digits.is_empty() && policy.clinic_phone_digits.contains(pin) {
        return Err(staff_err(
            "the PIN must not be part of the clinic's phone number; choose another",
        ));
    }
    Ok(())
}

fn hash(pin: &str) -> Result<String, CallbackError> {
    // 16 random bytes from the OS (through uuid's getrandom).
    let salt = SaltString::encode_b64(uuid::Uuid::new_v4().as_bytes())
        .map_err(|e| staff_err(format!("could not make a salt: {e}")))?;
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| staff_err(format!("could not hash the PIN: {e}")))
}

fn verify(pin: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(pin.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Fills `name_key` of accounts made before it existed (migration 0006).
fn fill_name_keys(conn: &Connection) -> Result<(), CallbackError> {
    let mut stmt = conn.prepare("SELECT id, name FROM staff WHERE name_key IS NULL")?;
    let rows: Vec<(i64, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (id, name) in rows {
        conn.execute(
            "UPDATE staff SET name_key = ?2 WHERE id = ?1",
            params![id, name_key(&name)],
        )?;
    }
    Ok(())
}

/// One account, as staff lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// The account's name as stored.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// Hard-locked after too many wrong PINs: an admin or the command line must lift it.
    pub locked: bool,
    /// Unix ms.
    pub created_at: i64,
}

struct Row {
    id: i64,
    name: String,
    role: Role,
    pin_hash: String,
    failures: i64,
    not_before: i64,
    locked: bool,
}

fn find(conn: &Connection, name: &str) -> Result<Option<Row>, CallbackError> {
    fill_name_keys(conn)?;
    Ok(conn
        .query_row(
            "SELECT id, name, role, pin_hash, failures, not_before, locked_at IS NOT NULL
             FROM staff WHERE name_key = ?1 ORDER BY id LIMIT 1",
            [name_key(name)],
            |r| {
                Ok(Row {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    role: Role::parse(&r.get::<_, String>(2)?).unwrap_or(Role::FrontDesk),
                    pin_hash: r.get(3)?,
                    failures: r.get(4)?,
                    not_before: r.get(5)?,
                    locked: r.get(6)?,
                })
            },
        )
        .optional()?)
}

/// How many accounts there are.
pub fn count(conn: &Connection) -> Result<i64, CallbackError> {
    Ok(conn.query_row("SELECT count(*) FROM staff", [], |r| r.get(0))?)
}

/// The names for the PIN screen, sorted without regard to case.
pub fn names(conn: &Connection) -> Result<Vec<String>, CallbackError> {
    let mut stmt = conn.prepare("SELECT name FROM staff ORDER BY name COLLATE NOCASE")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every account, sorted by name.
pub fn accounts(conn: &Connection) -> Result<Vec<Account>, CallbackError> {
    let mut stmt = conn.prepare(
        "SELECT name, role, locked_at IS NOT NULL, created_at FROM staff ORDER BY name COLLATE NOCASE",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Account {
            name: r.get(0)?,
            role: Role::parse(&r.get::<_, String>(1)?).unwrap_or(Role::FrontDesk),
            locked: r.get(2)?,
            created_at: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Adds an account and returns its name as stored. The first account on a device is always
/// an admin (someone must be able to manage the others). `by` is who did it, for the audit
/// log. Errors: name or PIN rules, a name that matches an existing one.
pub fn add(
    conn: &Connection,
    name: &str,
    pin: &str,
    role: Role,
    policy: &StaffPolicy,
    by: &str,
    now: i64,
) -> Result<(String, Role), CallbackError> {
    let name = check_name(name)?;
    check_pin(pin, policy)?;
    if find(conn, &name)?.is_some() {
        return Err(staff_err(
            "a staff account with that name already exists; choose another name, or change that account's PIN",
        ));
    }
    let role = if count(conn)? == 0 { Role::Admin } else { role };
    let phc = hash(pin)?;
    let inserted = conn.execute(
        "INSERT INTO staff (name, pin_hash, created_at, role, name_key) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (name) DO NOTHING",
        params![name, phc, now, role.as_str(), name_key(&name)],
    )?;
    if inserted == 0 {
        return Err(staff_err(
            "a staff account with that name already exists; choose another name, or change that account's PIN",
        ));
    }
    audit::record(
        conn,
        now,
        by,
        "staff-added",
        None,
        Some(&format!("{name} ({})", role.as_str())),
    )?;
    Ok((name, role))
}

/// Changes an account's PIN (found without regard to case, accents or spaces); also lifts
/// its hard lock and wrong-PIN count.
pub fn set_pin(
    conn: &Connection,
    name: &str,
    pin: &str,
    policy: &StaffPolicy,
    by: &str,
    now: i64,
) -> Result<String, CallbackError> {
    check_pin(pin, policy)?;
    let row =
        find(conn, name)?.ok_or_else(|| staff_err("there is no staff account with that name"))?;
    let phc = hash(pin)?;
    conn.execute(
        "UPDATE staff SET pin_hash = ?2, failures = 0, not_before = 0, locked_at = NULL WHERE id = ?1",
        params![row.id, phc],
    )?;
    audit::record(conn, now, by, "pin-changed", None, Some(&row.name))?;
    Ok(row.name)
}

/// Lifts an account's hard lock and wrong-PIN count. Returns its name.
pub fn lift_lock(
    conn: &Connection,
    name: &str,
    by: &str,
    now: i64,
) -> Result<String, CallbackError> {
    let row =
        find(conn, name)?.ok_or_else(|| staff_err("there is no staff account with that name"))?;
    conn.execute(
        "UPDATE staff SET failures = 0, not_before = 0, locked_at = NULL WHERE id = ?1",
        [row.id],
    )?;
    audit::record(conn, now, by, "account-unlocked", None, Some(&row.name))?;
    Ok(row.name)
}

/// Lifts the kiosk-wide hard lock and wrong-PIN count (the command line only).
pub fn lift_kiosk_lock(conn: &Connection, by: &str, now: i64) -> Result<(), CallbackError> {
    conn.execute("DELETE FROM pin_lockout", [])?;
    audit::record(conn, now, by, "kiosk-unlocked", None, None)?;
    Ok(())
}

/// Removes an account. The last admin cannot be removed.
pub fn remove(conn: &Connection, name: &str, by: &str, now: i64) -> Result<String, CallbackError> {
    let row =
        find(conn, name)?.ok_or_else(|| staff_err("there is no staff account with that name"))?;
    if row.role == Role::Admin {
        let admins: i64 =
            conn.query_row("SELECT count(*) FROM staff WHERE role = 'admin'", [], |r| {
                r.get(0)
            })?;
        if admins <= 1 {
            return Err(staff_err(
                "this is the last admin account; make another admin before removing it",
            ));
        }
    }
    conn.execute("DELETE FROM staff WHERE id = ?1", [row.id])?;
    audit::record(conn, now, by, "staff-removed", None, Some(&row.name))?;
    Ok(row.name)
}

/// Why an unlock failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// Wrong name or PIN; `retry_after_secs` is set once the delay has started.
    Wrong {
        /// Seconds to wait before the next try.
        retry_after_secs: Option<u64>,
    },
    /// Too many wrong PINs: wait before trying again (the PIN was not checked).
    Wait {
        /// Seconds to wait.
        retry_after_secs: u64,
    },
    /// Too many wrong PINs in a row on this account: locked until an admin or the command
    /// line lifts it (the PIN was not checked).
    HardLocked,
    /// Too many wrong PINs in a row on this kiosk, any names: every account is locked until
    /// the command line lifts it (the PIN was not checked).
    KioskLocked,
}

/// Who a PIN unlocked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unlocked {
    /// The account's name as stored.
    pub name: String,
    /// What it may do.
    pub role: Role,
}

/// The wait after `failures` wrong PINs in a row when `free` are allowed: 2, 4, 8 ... s,
/// at most [`MAX_DELAY_SECS`].
fn delay_secs(failures: i64, free: i64) -> i64 {
    if failures < free {
        0
    } else {
        (1i64 << (failures - free + 1).min(16)).min(MAX_DELAY_SECS)
    }
}

/// Checks a PIN, applying and updating the wrong-PIN delays and hard locks of the account
/// and of the kiosk. Every attempt goes to the audit log. Never says whether a name exists.
pub fn unlock(
    conn: &mut Connection,
    name: &str,
    pin: &str,
    policy: &StaffPolicy,
    now: i64,
) -> Result<Result<Unlocked, Refused>, CallbackError> {
    let (kiosk_failures, kiosk_not_before, kiosk_locked): (i64, i64, bool) = conn
        .query_row(
            "SELECT failures, not_before, locked_at IS NOT NULL FROM pin_lockout WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?
        .unwrap_or((0, 0, false));
    let account = find(conn, name)?;
    let who = account
        .as_ref()
        .map(|a| a.name.clone())
        .unwrap_or_else(|| "unknown".into());

    // Refusals that check no PIN.
    let early = refusal_before_pin(kiosk_not_before, kiosk_locked, account.as_ref(), now);
    if let Some((refused, why)) = early {
        audit::record(conn, now, &who, "unlock-refused", None, Some(why))?;
        return Ok(Err(refused));
    }

    // Verify against a real hash even for an unknown name, so timing does not tell names.
    let ok = match &account {
        Some(a) => verify(pin, &a.pin_hash),
        None => {
            static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
            let dummy = DUMMY.get_or_init(|| hash("0000000000").unwrap_or_default());
            let _ = verify(pin, dummy);
            false
        }
    };
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let result = match (ok, &account) {
        (true, Some(a)) => Ok(record_unlock(&tx, a, pin, policy, now)?),
        _ => Err(record_wrong_pin(
            &tx,
            account.as_ref(),
            &who,
            kiosk_failures,
            policy,
            now,
        )?),
    };
    tx.commit()?;
    Ok(result)
}

/// A refusal that checks no PIN, with its reason for the audit log: the kiosk or the
/// account is hard-locked, or the wrong-PIN delay (`kiosk_not_before` or the account's,
/// Unix ms) has not passed.
fn refusal_before_pin(
    kiosk_not_before: i64,
    kiosk_locked: bool,
    account: Option<&Row>,
    now: i64,
) -> Option<(Refused, &'static str)> {
    let not_before = kiosk_not_before.max(account.map_or(0, |a| a.not_before));
    if kiosk_locked {
        Some((Refused::KioskLocked, "kiosk hard-locked"))
    } else if account.is_some_and(|a| a.locked) {
        Some((Refused::HardLocked, "account hard-locked"))
    } else if now < not_before {
        let secs = ((not_before - now) as u64).div_ceil(1000);
        Some((
            Refused::Wait {
                retry_after_secs: secs,
            },
            "waiting after wrong PINs",
        ))
    } else {
        None
    }
}

/// The right PIN for `a`: the kiosk's and the account's wrong-PIN counts start again, and
/// the audit log has the unlock (and a note when the PIN is below today's rules).
fn record_unlock(
    tx: &Connection,
    a: &Row,
    pin: &str,
    policy: &StaffPolicy,
    now: i64,
) -> Result<Unlocked, CallbackError> {
    tx.execute("DELETE FROM pin_lockout", [])?;
    tx.execute(
        "UPDATE staff SET failures = 0, not_before = 0 WHERE id = ?1",
        [a.id],
    )?;
    audit::record(tx, now, &a.name, "unlock", None, None)?;
    // An account from before today's PIN rules (4 or 5 digits, or an easy one) still
    // signs in; the audit log tells admins to have its PIN changed.
    if check_pin(pin, policy).is_err() {
        audit::record(
            tx,
            now,
            &a.name,
            "pin-below-rules",
            None,
            Some("this PIN no longer meets the PIN rules; set a new one"),
        )?;
    }
    Ok(Unlocked {
        name: a.name.clone(),
        role: a.role,
    })
}

/// A wrong PIN (or an unknown name: `account` is `None`) as `who`: one more wrong try for
/// the kiosk (`kiosk_failures` so far) and the account, their delays and hard locks, and
/// the audit log. Returns the refusal to answer.
fn record_wrong_pin(
    tx: &Connection,
    account: Option<&Row>,
    who: &str,
    kiosk_failures: i64,
    policy: &StaffPolicy,
    now: i64,
) -> Result<Refused, CallbackError> {
    let kiosk_failures = kiosk_failures + 1;
    let kiosk_delay = delay_secs(kiosk_failures, KIOSK_FREE_TRIES);
    let kiosk_hard = kiosk_failures >= i64::from(policy.kiosk_hard_lock_after.max(1));
    tx.execute(
        "INSERT INTO pin_lockout (id, failures, not_before, locked_at) VALUES (1, ?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET failures = excluded.failures,
           not_before = excluded.not_before, locked_at = excluded.locked_at",
        params![
            kiosk_failures,
            now + kiosk_delay * 1000,
            kiosk_hard.then_some(now)
        ],
    )?;
    let mut delay = kiosk_delay;
    let mut account_hard = false;
    if let Some(a) = account {
        let failures = a.failures + 1;
        delay = delay.max(delay_secs(failures, ACCOUNT_FREE_TRIES));
        account_hard = failures >= i64::from(policy.account_hard_lock_after.max(1));
        tx.execute(
            "UPDATE staff SET failures = ?2, not_before = ?3,
               locked_at = CASE WHEN ?4 THEN ?5 ELSE locked_at END WHERE id = ?1",
            params![a.id, failures, now + delay * 1000, account_hard, now],
        )?;
    }
    audit::record(
        tx,
        now,
        who,
        "unlock-failed",
        None,
        Some(&format!("wrong PIN #{kiosk_failures} on this kiosk")),
    )?;
    if account_hard {
        audit::record(tx, now, who, "account-hard-locked", None, None)?;
    }
    if kiosk_hard {
        audit::record(tx, now, who, "kiosk-hard-locked", None, None)?;
    }
    Ok(if kiosk_hard {
        Refused::KioskLocked
    } else if account_hard {
        Refused::HardLocked
    } else {
        Refused::Wrong {
            retry_after_secs: (delay > 0).then_some(delay as u64),
        }
    })
}

/// How a staff command uses the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    /// Staff did something (a tap, a change, the keep-alive): the inactivity timer restarts.
    Act,
    /// A read the UI may make on its own (a refresh): the session is checked, not extended.
    Read,
}

#[derive(Debug, Clone)]
struct Session {
    token: String,
    name: String,
    role: Role,
    started: i64,
    last_active: i64,
}

impl Session {
    fn live(&self, now: i64, policy: &StaffPolicy) -> bool {
        now - self.last_active <= policy.idle_lock_secs as i64 * 1000
            && now - self.started <= policy.session_max_secs as i64 * 1000
    }
}

/// A live session's holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    /// The account's name as stored.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// Seconds until inactivity locks the session.
    pub idle_secs_left: u64,
    /// Seconds until the session's lifetime ends.
    pub session_secs_left: u64,
}

/// The staff session of this device: at most one, ended by inactivity or its lifetime.
#[derive(Debug, Default)]
pub struct Sessions {
    current: Mutex<Option<Session>>,
}

impl Sessions {
    /// Starts a session for `who`, replacing any other; returns its token.
    pub fn start(&self, who: &Unlocked, now: i64) -> String {
        let token = uuid::Uuid::new_v4().to_string();
        if let Ok(mut s) = self.current.lock() {
            *s = Some(Session {
                token: token.clone(),
                name: who.name.clone(),
                role: who.role,
                started: now,
                last_active: now,
            });
        }
        token
    }

    /// Who holds `token` if the session is live; [`Activity::Act`] restarts its inactivity
    /// timer (never its lifetime). An ended session is dropped.
    pub fn check(
        &self,
        token: &str,
        now: i64,
        policy: &StaffPolicy,
        activity: Activity,
    ) -> Option<SignedIn> {
        let mut guard = self.current.lock().ok()?;
        if guard.as_ref().is_some_and(|s| !s.live(now, policy)) {
            *guard = None;
        }
        let s = guard
            .as_mut()
            .filter(|s| !token.is_empty() && s.token == token)?;
        if activity == Activity::Act {
            s.last_active = now;
        }
        let left = |since: i64, secs: u64| (since + secs as i64 * 1000 - now).max(0) as u64 / 1000;
        Some(SignedIn {
            name: s.name.clone(),
            role: s.role,
            idle_secs_left: left(s.last_active, policy.idle_lock_secs),
            session_secs_left: left(s.started, policy.session_max_secs),
        })
    }

    /// Whether any session is live now (the kiosk goes back to kiosk mode when none is).
    pub fn any_live(&self, now: i64, policy: &StaffPolicy) -> bool {
        self.current
            .lock()
            .map(|s| s.as_ref().is_some_and(|s| s.live(now, policy)))
            .unwrap_or(false)
    }

    /// Ends the session (lock button, idle reset). Returns who was signed in.
    pub fn end(&self) -> Option<String> {
        self.current.lock().ok()?.take().map(|s| s.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> StaffPolicy {
        StaffPolicy {
            clinic_phone_digits: "12015550100".into(),
            ..StaffPolicy::default()
        }
    }

    #[test]
    fn pins_are_six_to_twelve_digits_and_hard_to_guess() {
        let p = policy();
        for good in ["258013", "73914682", "135792", "802461", "987654321093"] {
            assert!(check_pin(good, &p).is_ok(), "{good} is a fine PIN");
        }
        for bad in [
            "25801",         // five digits
            "1234567890123", // thirteen
            "25a013",        // not digits
            "111111",        // one digit repeated
            "123456",        // a run up
            "654321",        // a run down
            "890123",        // a run that wraps
            "121212",        // a pair repeated
            "123123",        // a triple repeated
            "555010",        // in the clinic's phone number
            "²58013",        // not an ASCII digit
        ] {
            assert!(check_pin(bad, &p).is_err(), "{bad} must be refused");
        }
    }

    #[test]
    fn the_config_may_ask_for_longer_pins_never_shorter() {
        let longer = StaffPolicy {
            pin_min_digits: 8,
            ..policy()
        };
        assert!(check_pin("258013", &longer).is_err());
        assert!(check_pin("25801379", &longer).is_ok());
        let shorter = StaffPolicy {
            pin_min_digits: 4,
            ..policy()
        };
        assert!(check_pin("2580", &shorter).is_err(), "6 stays the floor");
    }

    #[test]
    fn names_match_without_case_accents_or_repeated_spaces() {
        assert_eq!(name_key("Ana Núñez"), name_key("ANA  NUNEZ"));
        assert_eq!(name_key(" José\tPérez "), "jose perez");
        assert_ne!(name_key("Ana Nunez"), name_key("Ana Nuñezz"));
    }

    fn who(role: Role) -> Unlocked {
        Unlocked {
            name: "Ana".into(),
            role,
        }
    }

    #[test]
    fn a_session_locks_after_inactivity_and_only_activity_refreshes_it() {
        let p = StaffPolicy {
            idle_lock_secs: 120,
            session_max_secs: 3600,
            ..StaffPolicy::default()
        };
        let s = Sessions::default();
        let token = s.start(&who(Role::Admin), 0);
        let act = |at| s.check(&token, at, &p, Activity::Act).map(|w| w.name);
        let read = |at| s.check(&token, at, &p, Activity::Read).map(|w| w.name);
        assert_eq!(act(100_000).as_deref(), Some("Ana"));
        assert_eq!(
            read(200_000).as_deref(),
            Some("Ana"),
            "a read inside the time"
        );
        assert_eq!(
            read(221_000),
            None,
            "reads did not refresh it: 121 s after the last act it is locked"
        );
        assert_eq!(act(221_001), None, "and it stays locked");
        assert_eq!(s.check("", 0, &p, Activity::Act), None);
    }

    #[test]
    fn a_session_ends_at_its_lifetime_however_busy() {
        let p = StaffPolicy {
            idle_lock_secs: 120,
            session_max_secs: 600,
            ..StaffPolicy::default()
        };
        let s = Sessions::default();
        let token = s.start(&who(Role::FrontDesk), 0);
        for at in (60_000..=600_000).step_by(60_000) {
            assert!(s.check(&token, at, &p, Activity::Act).is_some(), "at {at}");
        }
        assert!(s.check(&token, 600_001, &p, Activity::Act).is_none());
        assert!(!s.any_live(600_001, &p));
    }

    #[test]
    fn a_wrong_token_is_refused() {
        let s = Sessions::default();
        let _ = s.start(&who(Role::Admin), 0);
        assert_eq!(
            s.check("not-the-token", 1, &StaffPolicy::default(), Activity::Act),
            None
        );
    }
}
