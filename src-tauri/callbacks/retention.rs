//! How long a patient's name, phone and note stay on this device (issue #11), and the
//! searches that found nothing. Erased rows leave anonymous counts (`callback_count`) and,
//! with `secure_delete` on and the WAL checkpointed and truncated after each pass, no trace
//! in kiosk.db or its WAL.
//!
//! - Closed requests: `retention_days` after closing (kiosks and the front desk alike).
//! - On a kiosk (not the front desk) whose request went to other destinations: once every
//!   one of them acknowledged it, `erase_after_delivery_secs` after the last
//!   acknowledgement; still undelivered after `undelivered_max_days`, erased anyway and
//!   counted as `expired`, which the staff health screen warns about.
//!
//! A clock set back (issue #16): a time stamp later than now was written before the clock
//! went back, and its real age is unknown. Each pass first moves such stamps to now (a
//! closed request's `closed_at`, an outbox row's `created_at` and `delivered_at`), so
//! their age counts from the first pass that saw the clock behind them: erased no earlier
//! than the rules say (the real age is at least the counted one), and never kept for good
//! (the count starts now, not when the clock catches up). The request's own `created_at`,
//! which staff see, is left as it was; the undelivered age is read from its outbox rows.
//! A clock set forward while the app runs ([`PassClock`]): each pass of the running app
//! goes by the wall clock but never ahead of the previous pass's time plus the time elapsed
//! since, by the time since boot (`crate::clock::since_boot`, suspend included); a clock
//! stepped years ahead erases nothing early, and its jump counts only as that time passes.
//! At start there is no previous pass: a clock set forward while the kiosk was switched off
//! cannot be told from the time it was off, and the first pass erases by the time it shows.

use std::time::Duration;

use rusqlite::{params, Connection, TransactionBehavior};

use super::outbox::STAFF_INBOX;
use super::settings::CallbackSettings;
use super::{audit, CallbackError};

/// What one pass erased.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Erased {
    /// Closed longer ago than `retention_days`.
    pub closed: usize,
    /// Acknowledged by every destination, past the grace period.
    pub delivered: usize,
    /// Undelivered past `undelivered_max_days`.
    pub expired: usize,
    /// Days of searches that found nothing, past `search_miss_days`.
    pub search_misses: usize,
}

impl Erased {
    /// Requests erased, of any kind.
    pub fn requests(&self) -> usize {
        self.closed + self.delivered + self.expired
    }
}

const DAY_MS: i64 = 86_400_000;

/// How far the wall clock may move from the time elapsed between two passes before it
/// counts as a jump, ms: NTP slews a few ms a second, and passes are a minute apart.
pub const JUMP_TOLERANCE_MS: i64 = 60_000;

/// The time the running app's retention passes go by (see the module's notes): the wall
/// clock, capped at the previous pass's time plus the time elapsed since it.
#[derive(Debug, Default)]
pub struct PassClock {
    /// The previous pass: its time (Unix ms) and the time since boot then.
    last: Option<(i64, Duration)>,
    /// The wall clock was ahead at the previous pass (logged once).
    ahead: bool,
}

/// A pass's time, from [`PassClock::now`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassTime {
    /// The time to erase by, Unix ms.
    pub now: i64,
    /// The wall clock went back since the previous pass (by more than [`JUMP_TOLERANCE_MS`]).
    pub set_back: bool,
}

impl PassClock {
    /// The time of a pass when the wall clock shows `wall` (Unix ms) and the time since boot
    /// is `since_boot`: `wall`, unless it is ahead of the previous pass's time plus the time
    /// elapsed since by more than [`JUMP_TOLERANCE_MS`]; then that sum. Logs a jump (times
    /// only, no patient data).
    pub fn now(&mut self, wall: i64, since_boot: Duration) -> PassTime {
        let Some((last, last_boot)) = self.last else {
            self.last = Some((wall, since_boot));
            return PassTime {
                now: wall,
                set_back: false,
            };
        };
        let elapsed =
            i64::try_from(since_boot.saturating_sub(last_boot).as_millis()).unwrap_or(i64::MAX);
        let expected = last.saturating_add(elapsed);
        let mut time = PassTime {
            now: wall,
            set_back: false,
        };
        if wall - expected > JUMP_TOLERANCE_MS {
            if !self.ahead {
                tracing::warn!(
                    "retention: the wall clock jumped {} s ahead of the time elapsed; erasing goes by the elapsed time until the clock agrees",
                    (wall - expected) / 1000
                );
            }
            self.ahead = true;
            time.now = expected;
        } else {
            if self.ahead {
                tracing::info!("retention: the wall clock agrees with the elapsed time again");
            }
            self.ahead = false;
            if expected - wall > JUMP_TOLERANCE_MS {
                tracing::warn!(
                    "retention: the wall clock was set back {} s",
                    (expected - wall) / 1000
                );
                time.set_back = true;
            }
        }
        self.last = Some((time.now, since_boot));
        time
    }
}

/// Counts the requests `filter` selects (a condition on `callback_request` with `?1`) under
/// `outcome`, then deletes them with their notes and outbox rows.
fn erase(tx: &Connection, filter: &str, arg: i64, outcome: &str) -> Result<usize, CallbackError> {
    tx.execute(
        &format!(
            "INSERT INTO callback_count (day, specialty, outcome, count)
             SELECT date(created_at / 1000, 'unixepoch'), specialty, ?2, count(*)
             FROM callback_request WHERE {filter}
             GROUP BY 1, 2
             ON CONFLICT (day, specialty, outcome) DO UPDATE SET count = count + excluded.count"
        ),
        params![arg, outcome],
    )?;
    Ok(tx.execute(
        &format!("DELETE FROM callback_request WHERE {filter}"),
        [arg],
    )?)
}

/// One retention pass at `now` (Unix ms). `kiosk` is false on the front desk, where only
/// `retention_days` applies. Errors leave nothing half done (one transaction).
pub fn run(
    conn: &mut Connection,
    settings: &CallbackSettings,
    kiosk: bool,
    now: i64,
) -> Result<Erased, CallbackError> {
    let mut erased = Erased::default();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let restamped = restamp_future(&tx, now)?;
    if restamped > 0 {
        tracing::warn!(
            "retention: {restamped} time stamp(s) were later than now (the clock was set back); their age counts from now"
        );
    }
    erased.closed = erase(
        &tx,
        "status = 'closed' AND closed_at < ?1",
        now - i64::from(settings.retention_days) * DAY_MS,
        "closed",
    )?;
    if kiosk {
        // Every destination but the kiosk's own inbox has acknowledged it, the last one
        // before the grace period.
        erased.delivered = erase(
            &tx,
            &format!(
                "id IN (SELECT request_id FROM outbox WHERE destination <> '{STAFF_INBOX}'
                        GROUP BY request_id
                        HAVING count(*) = count(delivered_at) AND max(delivered_at) <= ?1)"
            ),
            now - settings.erase_after_delivery_secs as i64 * 1000,
            "delivered",
        )?;
        erased.expired = erase(
            &tx,
            &format!(
                "id IN (SELECT request_id FROM outbox
                   WHERE destination <> '{STAFF_INBOX}' AND delivered_at IS NULL
                     AND created_at < ?1)"
            ),
            now - i64::from(settings.undelivered_max_days) * DAY_MS,
            "expired",
        )?;
    }
    let first_kept_day =
        crate::store::civil_date((now / DAY_MS) - i64::from(settings.search_miss_days) + 1);
    erased.search_misses =
        tx.execute("DELETE FROM search_miss WHERE day < ?1", [first_kept_day])?;
    for (n, what) in [
        (
            erased.closed,
            "closed request(s) erased after the retention period",
        ),
        (
            erased.delivered,
            "delivered request(s) erased from this kiosk",
        ),
        (
            erased.expired,
            "UNDELIVERED request(s) erased after the maximum age; check the destinations",
        ),
    ] {
        if n > 0 {
            audit::record(
                &tx,
                now,
                "system",
                "purge",
                None,
                Some(&format!("{n} {what}")),
            )?;
        }
    }
    tx.commit()?;
    if erased.requests() > 0 || erased.search_misses > 0 {
        // The WAL still holds the pages as they were before the erasure: copy the erased
        // pages into the database and empty the WAL file. The erasure itself is committed,
        // so a failure here is only logged; the next checkpoint does the same.
        if let Err(err) = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())) {
            tracing::warn!("retention: could not empty the WAL after erasing: {err}");
        }
    }
    Ok(erased)
}

/// Moves every retention time stamp later than `now` to `now` (see the module's notes on a
/// clock set back); returns how many were moved.
fn restamp_future(tx: &Connection, now: i64) -> Result<usize, CallbackError> {
    let mut moved = tx.execute(
        "UPDATE callback_request SET closed_at = ?1 WHERE closed_at > ?1",
        [now],
    )?;
    moved += tx.execute(
        "UPDATE outbox SET created_at = ?1 WHERE created_at > ?1",
        [now],
    )?;
    moved += tx.execute(
        "UPDATE outbox SET delivered_at = ?1 WHERE delivered_at > ?1",
        [now],
    )?;
    Ok(moved)
}

/// Requests erased undelivered (`expired`) since `since_day` (YYYY-MM-DD), for the staff
/// health screen's warning.
pub fn expired_since(conn: &Connection, since_day: &str) -> Result<i64, CallbackError> {
    Ok(conn.query_row(
        "SELECT coalesce(sum(count), 0) FROM callback_count WHERE outcome = 'expired' AND day >= ?1",
        [since_day],
        |r| r.get(0),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);
    const T: i64 = 1_764_064_800_000;
    const YEAR: i64 = 365 * DAY_MS;

    #[test]
    fn a_steady_clock_is_taken_as_it_is() {
        let mut c = PassClock::default();
        assert_eq!(c.now(T, MIN).now, T);
        assert_eq!(c.now(T + 60_000, 2 * MIN).now, T + 60_000);
        // NTP slewing and a late pass stay within the tolerance.
        assert_eq!(c.now(T + 150_000, 3 * MIN).now, T + 150_000);
    }

    #[test]
    fn a_jump_ahead_counts_only_as_time_elapses() {
        let mut c = PassClock::default();
        c.now(T, MIN);
        let t = c.now(T + 3 * YEAR, 2 * MIN);
        assert_eq!(t.now, T + 60_000, "capped at the elapsed time");
        assert!(!t.set_back);
        assert_eq!(c.now(T + 3 * YEAR + 60_000, 3 * MIN).now, T + 120_000);
        // A day later by the elapsed time, the pass is a day on, not three years.
        let day = Duration::from_millis(DAY_MS as u64);
        assert_eq!(c.now(T + 3 * YEAR, 3 * MIN + day).now, T + 120_000 + DAY_MS);
        // The clock set right again: taken as it is, with no jump back reported.
        let t = c.now(T + DAY_MS + 180_000, 4 * MIN + day);
        assert_eq!(t.now, T + DAY_MS + 180_000);
        assert!(!t.set_back);
    }

    #[test]
    fn a_step_back_is_taken_and_reported() {
        let mut c = PassClock::default();
        c.now(T, MIN);
        let t = c.now(T - 2 * DAY_MS, 2 * MIN);
        assert_eq!(t.now, T - 2 * DAY_MS);
        assert!(t.set_back);
        assert!(!c.now(T - 2 * DAY_MS + 60_000, 3 * MIN).set_back);
    }

    #[test]
    fn a_resume_from_suspend_is_no_jump() {
        // The time since boot counts the suspended night.
        let mut c = PassClock::default();
        c.now(T, MIN);
        let night = Duration::from_secs(12 * 3600);
        assert_eq!(
            c.now(T + 12 * 3_600_000, MIN + night).now,
            T + 12 * 3_600_000
        );
    }
}
