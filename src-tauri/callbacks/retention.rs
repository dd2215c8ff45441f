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
//! A clock set forward cannot be told from a kiosk that was switched off; it erases by the
//! time it shows.

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
