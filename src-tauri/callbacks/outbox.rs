//! The outbox rows in kiosk.db: which are due, and what became of each try. Every change is
//! one statement, so a crash between a try and its record only means one more try, which the
//! receiver drops as a duplicate (the request id is the idempotency key).

pub use crate::store::{FRONT_DESK, STAFF_INBOX};

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

/// One row to try now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub id: i64,
    pub request_id: String,
    pub destination: String,
    pub attempts: u32,
    pub next_attempt_at: i64,
}

/// The oldest row of `destination` that is neither delivered nor failed. Rows go out one at
/// a time in the order they were made, so a receiver that was away gets them in order.
pub fn oldest_pending(conn: &Connection, destination: &str) -> rusqlite::Result<Option<Pending>> {
    conn.query_row(
        "SELECT id, request_id, destination, attempts, next_attempt_at FROM outbox
         WHERE destination = ?1 AND delivered_at IS NULL AND failed_at IS NULL
         ORDER BY created_at, id LIMIT 1",
        [destination],
        |r| {
            Ok(Pending {
                id: r.get(0)?,
                request_id: r.get(1)?,
                destination: r.get(2)?,
                attempts: r.get(3)?,
                next_attempt_at: r.get(4)?,
            })
        },
    )
    .optional()
}

pub fn mark_delivered(conn: &Connection, id: i64, now: i64, status: u16) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE outbox SET delivered_at = ?2, attempts = attempts + 1, last_status = ?3,
                last_error = NULL WHERE id = ?1",
        params![id, now, status],
    )?;
    Ok(())
}

pub fn mark_retry(
    conn: &Connection,
    id: i64,
    next_attempt_at: i64,
    status: Option<u16>,
    reason: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_status = ?3,
                last_error = ?4 WHERE id = ?1",
        params![id, next_attempt_at, status, reason],
    )?;
    Ok(())
}

pub fn mark_failed(
    conn: &Connection,
    id: i64,
    now: i64,
    status: Option<u16>,
    reason: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE outbox SET attempts = attempts + 1, failed_at = ?2, last_status = ?3,
                last_error = ?4 WHERE id = ?1",
        params![id, now, status, reason],
    )?;
    Ok(())
}

/// Staff retry a failed (or waiting) delivery by hand: it is due now, with a fresh count.
/// Answers whether there was such an undelivered row.
pub fn retry_now(
    conn: &Connection,
    request_id: &str,
    destination: &str,
    now: i64,
) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE outbox SET failed_at = NULL, next_attempt_at = ?3, attempts = 0
         WHERE request_id = ?1 AND destination = ?2 AND delivered_at IS NULL",
        params![request_id, destination, now],
    )?;
    Ok(changed > 0)
}

/// Where one request is, for one destination, as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryState {
    pub destination: String,
    /// `delivered`, `waiting` or `failed`.
    pub state: &'static str,
    pub attempts: u32,
    pub delivered_at: Option<i64>,
    /// When a waiting row is tried next.
    pub next_attempt_at: Option<i64>,
    /// Why the last try did not deliver it ("HTTP 503", "connection refused").
    pub reason: Option<String>,
}

/// Every destination of `request_id`, the kiosk's own inbox left out.
pub fn states(conn: &Connection, request_id: &str) -> rusqlite::Result<Vec<DeliveryState>> {
    let mut stmt = conn.prepare_cached(
        "SELECT destination, attempts, delivered_at, failed_at, next_attempt_at, last_error
         FROM outbox WHERE request_id = ?1 AND destination != ?2 ORDER BY destination",
    )?;
    let rows = stmt.query_map(params![request_id, STAFF_INBOX], |r| {
        let delivered_at: Option<i64> = r.get(2)?;
        let failed_at: Option<i64> = r.get(3)?;
        let state = match (delivered_at, failed_at) {
            (Some(_), _) => "delivered",
            (None, Some(_)) => "failed",
            (None, None) => "waiting",
        };
        Ok(DeliveryState {
            destination: r.get(0)?,
            state,
            attempts: r.get(1)?,
            delivered_at,
            next_attempt_at: (state == "waiting").then(|| r.get(4)).transpose()?,
            reason: if state == "delivered" {
                None
            } else {
                r.get(5)?
            },
        })
    })?;
    rows.collect()
}

/// The queue at a glance, for the health screen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueSummary {
    pub waiting: i64,
    pub failed: i64,
    /// Unix ms the oldest waiting row was made.
    pub oldest_waiting: Option<i64>,
    pub last_delivery: Option<i64>,
}

pub fn summary(conn: &Connection) -> rusqlite::Result<QueueSummary> {
    conn.query_row(
        "SELECT
           count(*) FILTER (WHERE delivered_at IS NULL AND failed_at IS NULL),
           count(*) FILTER (WHERE delivered_at IS NULL AND failed_at IS NOT NULL),
           min(created_at) FILTER (WHERE delivered_at IS NULL AND failed_at IS NULL),
           max(delivered_at)
         FROM outbox WHERE destination != ?1",
        [STAFF_INBOX],
        |r| {
            Ok(QueueSummary {
                waiting: r.get(0)?,
                failed: r.get(1)?,
                oldest_waiting: r.get(2)?,
                last_delivery: r.get(3)?,
            })
        },
    )
}
