//! Staff accounts (name and an argon2id-hashed PIN), wrong-PIN lockout with a growing
//! delay that survives restarts, and the one staff session a device holds at a time.

use std::sync::Mutex;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::{audit, CallbackError};

pub const PIN_MIN: usize = 4;
pub const PIN_MAX: usize = 12;
/// Wrong PINs allowed before the delay starts.
const FREE_TRIES: i64 = 3;
/// The longest wait after many wrong PINs.
const MAX_DELAY_SECS: i64 = 300;

fn staff_err(msg: &str) -> CallbackError {
    CallbackError::Staff(msg.to_string())
}

/// A display name: 1 to 40 characters, letters, spaces, hyphens, apostrophes, periods.
pub fn check_name(name: &str) -> Result<String, CallbackError> {
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

/// A PIN: 4 to 12 digits, not all the same digit.
pub fn check_pin(pin: &str) -> Result<(), CallbackError> {
    let n = pin.chars().count();
    if !(PIN_MIN..=PIN_MAX).contains(&n) || !pin.chars().all(|c| c.is_ascii_digit()) {
        return Err(staff_err("the PIN must be 4 to 12 digits"));
    }
    if pin.chars().all(|c| pin.starts_with(c)) {
        return Err(staff_err(
            "the PIN must not be one digit repeated; choose another",
        ));
    }
    Ok(())
}

fn hash(pin: &str) -> Result<String, CallbackError> {
    // 16 random bytes from the OS (through uuid's getrandom).
    let salt = SaltString::encode_b64(uuid::Uuid::new_v4().as_bytes())
        .map_err(|e| staff_err(&format!("could not make a salt: {e}")))?;
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| staff_err(&format!("could not hash the PIN: {e}")))
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

pub fn count(conn: &Connection) -> Result<i64, CallbackError> {
    Ok(conn.query_row("SELECT count(*) FROM staff", [], |r| r.get(0))?)
}

pub fn names(conn: &Connection) -> Result<Vec<String>, CallbackError> {
    let mut stmt = conn.prepare("SELECT name FROM staff ORDER BY name COLLATE NOCASE")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Adds an account. `by` is who did it, for the audit log.
pub fn add(
    conn: &Connection,
    name: &str,
    pin: &str,
    by: &str,
    now: i64,
) -> Result<String, CallbackError> {
    let name = check_name(name)?;
    check_pin(pin)?;
    let phc = hash(pin)?;
    let inserted = conn.execute(
        "INSERT INTO staff (name, pin_hash, created_at) VALUES (?1, ?2, ?3) ON CONFLICT (name) DO NOTHING",
        params![name, phc, now],
    )?;
    if inserted == 0 {
        return Err(staff_err(
            "a staff account with that name already exists; use set-pin to change its PIN",
        ));
    }
    audit::record(conn, now, by, "staff-added", None, Some(&name))?;
    Ok(name)
}

/// Adds the first account, only while there is none (the first-run screen).
pub fn add_first(
    conn: &mut Connection,
    name: &str,
    pin: &str,
    now: i64,
) -> Result<String, CallbackError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if count(&tx)? > 0 {
        return Err(staff_err(
            "a staff account already exists; ask an existing staff member to add you",
        ));
    }
    let name = add(&tx, name, pin, "first-run", now)?;
    tx.commit()?;
    Ok(name)
}

/// Changes an account's PIN.
pub fn set_pin(
    conn: &Connection,
    name: &str,
    pin: &str,
    by: &str,
    now: i64,
) -> Result<(), CallbackError> {
    check_pin(pin)?;
    let phc = hash(pin)?;
    let changed = conn.execute(
        "UPDATE staff SET pin_hash = ?2 WHERE name = ?1",
        params![name.trim(), phc],
    )?;
    if changed == 0 {
        return Err(staff_err("there is no staff account with that name"));
    }
    audit::record(conn, now, by, "pin-changed", None, Some(name.trim()))?;
    Ok(())
}

/// Why an unlock failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// Wrong name or PIN; `retry_after_secs` is set once the delay has started.
    Wrong { retry_after_secs: Option<u64> },
    /// Too many wrong PINs: wait before trying again (the PIN was not checked).
    Wait { retry_after_secs: u64 },
}

/// Checks a PIN, applying and updating the lockout. Returns the account's name.
pub fn unlock(
    conn: &mut Connection,
    name: &str,
    pin: &str,
    now: i64,
) -> Result<Result<String, Refused>, CallbackError> {
    let (failures, not_before): (i64, i64) = conn
        .query_row(
            "SELECT failures, not_before FROM pin_lockout WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or((0, 0));
    if now < not_before {
        return Ok(Err(Refused::Wait {
            retry_after_secs: ((not_before - now) as u64).div_ceil(1000),
        }));
    }
    let account: Option<(String, String)> = conn
        .query_row(
            "SELECT name, pin_hash FROM staff WHERE name = ?1",
            [name.trim()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    // Verify against a real hash even for an unknown name, so timing does not tell names.
    let ok = match &account {
        Some((_, phc)) => verify(pin, phc),
        None => {
            static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
            let dummy = DUMMY.get_or_init(|| hash("0000000000").unwrap_or_default());
            let _ = verify(pin, dummy);
            false
        }
    };
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let result = if let (true, Some((account_name, _))) = (ok, &account) {
        tx.execute("DELETE FROM pin_lockout", [])?;
        audit::record(&tx, now, account_name, "unlock", None, None)?;
        Ok(account_name.clone())
    } else {
        let failures = failures + 1;
        let delay_secs = if failures >= FREE_TRIES {
            (1i64 << (failures - FREE_TRIES + 1).min(16)).min(MAX_DELAY_SECS)
        } else {
            0
        };
        tx.execute(
            "INSERT INTO pin_lockout (id, failures, not_before) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET failures = excluded.failures, not_before = excluded.not_before",
            params![failures, now + delay_secs * 1000],
        )?;
        let who = account
            .as_ref()
            .map(|(n, _)| n.as_str())
            .unwrap_or("unknown");
        audit::record(
            &tx,
            now,
            who,
            "unlock-failed",
            None,
            Some(&format!("wrong PIN #{failures}")),
        )?;
        Err(Refused::Wrong {
            retry_after_secs: (delay_secs > 0).then_some(delay_secs as u64),
        })
    };
    tx.commit()?;
    Ok(result)
}

#[derive(Debug, Clone)]
struct Session {
    token: String,
    name: String,
    last_seen: i64,
}

/// The staff session of this device: at most one, ended by inactivity.
#[derive(Debug, Default)]
pub struct Sessions {
    current: Mutex<Option<Session>>,
}

impl Sessions {
    /// Starts a session for `name`, replacing any other; returns its token.
    pub fn start(&self, name: &str, now: i64) -> String {
        let token = uuid::Uuid::new_v4().to_string();
        if let Ok(mut s) = self.current.lock() {
            *s = Some(Session {
                token: token.clone(),
                name: name.to_string(),
                last_seen: now,
            });
        }
        token
    }

    /// The staff name for `token` if the session is live, refreshing its inactivity timer.
    pub fn check(&self, token: &str, now: i64, lock_secs: u64) -> Option<String> {
        let mut guard = self.current.lock().ok()?;
        let live = guard.as_ref().is_some_and(|s| {
            !token.is_empty() && s.token == token && now - s.last_seen <= lock_secs as i64 * 1000
        });
        if !live {
            if guard
                .as_ref()
                .is_some_and(|s| now - s.last_seen > lock_secs as i64 * 1000)
            {
                *guard = None;
            }
            return None;
        }
        let s = guard.as_mut()?;
        s.last_seen = now;
        Some(s.name.clone())
    }

    /// Ends the session (lock button, idle reset). Returns who was signed in.
    pub fn end(&self) -> Option<String> {
        self.current.lock().ok()?.take().map(|s| s.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_are_four_to_twelve_digits_and_not_one_digit_repeated() {
        assert!(check_pin("2580").is_ok());
        assert!(check_pin("123").is_err());
        assert!(check_pin("12345678901234").is_err());
        assert!(check_pin("12a4").is_err());
        assert!(check_pin("1111").is_err());
    }

    #[test]
    fn a_session_locks_after_inactivity_and_refreshes_on_use() {
        let s = Sessions::default();
        let token = s.start("Ana", 0);
        assert_eq!(s.check(&token, 100_000, 120).as_deref(), Some("Ana"));
        // 100 s after the last use: still live, because the check refreshed it.
        assert_eq!(s.check(&token, 200_000, 120).as_deref(), Some("Ana"));
        assert_eq!(s.check(&token, 321_000, 120), None, "121 s idle locks it");
        assert_eq!(s.check(&token, 321_001, 120), None, "and it stays locked");
        assert_eq!(s.check("", 0, 120), None);
    }

    #[test]
    fn a_wrong_token_is_refused() {
        let s = Sessions::default();
        let _ = s.start("Ana", 0);
        assert_eq!(s.check("not-the-token", 1, 120), None);
    }
}
