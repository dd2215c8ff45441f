//! The one writer of callback requests and their outbox rows in kiosk.db (made at this
//! kiosk's form, or received from a paired kiosk), which rows are due, and what became of
//! each try. Every change is one statement, so a crash between a try and its record only
//! means one more try, which the receiver drops as a duplicate (the request id is the
//! idempotency key).

pub use crate::store::{FRONT_DESK, STAFF_INBOX};

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use super::validate::ValidRequest;

/// A callback request to store, with status `new`.
#[derive(Debug, Clone, Copy)]
pub struct NewRequest<'a> {
    /// The request id (a UUID), the idempotency key everywhere.
    pub id: &'a str,
    /// Unix ms the request was made.
    pub created_at: i64,
    /// Unix ms the patient consented.
    pub consent_at: i64,
    /// Unix ms this device stored it (the time of its status).
    pub status_at: i64,
    /// The form's fields, checked.
    pub request: &'a ValidRequest,
    /// The paired kiosk it came from; `None` when it was made here.
    pub source: Option<&'a str>,
}

/// What an insert does when its row is there already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Existing {
    /// Fails (the caller looked first, in the same transaction).
    Fail,
    /// Skips it, and the insert reports that nothing was written.
    Skip,
}

/// Inserts one `callback_request` row; whether it was written.
fn insert_request(
    conn: &Connection,
    row: &NewRequest<'_>,
    existing: Existing,
) -> rusqlite::Result<bool> {
    let sql = match existing {
        Existing::Fail => "INSERT INTO",
        Existing::Skip => "INSERT OR IGNORE INTO",
    };
    let r = row.request;
    let written = conn.prepare_cached(&format!(
        "{sql} callback_request (id, created_at, name, phone, phone_display, best_time,
             language, note, specialty, topic, article, consent_version, consent_at, status, status_at, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'new', ?14, ?15)"
    ))?
    .execute(params![
        row.id,
        row.created_at,
        r.name,
        r.phone,
        r.phone_display,
        r.best_time,
        r.language,
        r.note,
        r.specialty,
        r.topic,
        r.article,
        r.consent_version,
        row.consent_at,
        row.status_at,
        row.source,
    ])?;
    Ok(written > 0)
}

/// Inserts one outbox row for `request_id` to `destination`, due at `now` (Unix ms), or
/// already delivered at `delivered_at`.
fn insert_row(
    conn: &Connection,
    request_id: &str,
    destination: &str,
    now: i64,
    delivered_at: Option<i64>,
    existing: Existing,
) -> rusqlite::Result<()> {
    let sql = match existing {
        Existing::Fail => "INSERT INTO",
        Existing::Skip => "INSERT OR IGNORE INTO",
    };
    conn.prepare_cached(&format!(
        "{sql} outbox (request_id, destination, created_at, next_attempt_at, delivered_at)
         VALUES (?1, ?2, ?3, ?3, ?4)"
    ))?
    .execute(params![request_id, destination, now, delivered_at])?;
    Ok(())
}

/// Stores a request made at this kiosk's form, with one outbox row per destination in
/// `destinations` (the staff inbox's delivered at once) and one to the front desk when
/// this kiosk is paired. Call it inside the transaction that found the id new: an id
/// stored before is an error here.
pub fn store_submitted(
    conn: &Connection,
    row: &NewRequest<'_>,
    destinations: &[String],
    now: i64,
) -> rusqlite::Result<()> {
    insert_request(conn, row, Existing::Fail)?;
    for destination in destinations {
        // The kiosk's own inbox has the request the moment it is committed.
        let delivered = (destination == STAFF_INBOX).then_some(now);
        insert_row(conn, row.id, destination, now, delivered, Existing::Fail)?;
    }
    // A kiosk paired with the front-desk laptop sends it there too.
    if crate::store::lan::pairing(conn)?.is_some() {
        insert_row(conn, row.id, FRONT_DESK, now, None, Existing::Fail)?;
    }
    Ok(())
}

/// Queues every request that is not closed and has no outbox row at all, as
/// [`store_submitted`] would have: one row per destination in `destinations` (the staff
/// inbox's delivered at once) and one to the front desk when this kiosk is paired, due at
/// `now` (Unix ms). For a kiosk.db salvaged after damage (issue #16), where a request came
/// back but its outbox rows were on a page that could not be read: without rows it would be
/// neither delivered nor erased by the delivery rules. A request with any row is left as it
/// is (its destinations may have changed since). Returns the requests queued; one
/// transaction, so an error leaves nothing half done.
pub fn requeue_unqueued(
    conn: &mut Connection,
    destinations: &[String],
    now: i64,
) -> rusqlite::Result<usize> {
    let tx = conn.transaction()?;
    let ids: Vec<String> = tx
        .prepare(
            "SELECT id FROM callback_request r
             WHERE status <> 'closed'
               AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.request_id = r.id)
             ORDER BY created_at, rowid",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let paired = crate::store::lan::pairing(&tx)?.is_some();
    for id in &ids {
        for destination in destinations {
            let delivered = (destination == STAFF_INBOX).then_some(now);
            insert_row(&tx, id, destination, now, delivered, Existing::Skip)?;
        }
        if paired {
            insert_row(&tx, id, FRONT_DESK, now, None, Existing::Skip)?;
        }
    }
    tx.commit()?;
    Ok(ids.len())
}

/// Stores a checked request from a paired kiosk in this laptop's inbox, and queues it for
/// the laptop's own destinations `forward_to`; `false` when it was already here.
pub fn store_received(
    conn: &Connection,
    row: &NewRequest<'_>,
    forward_to: &[String],
    now: i64,
) -> rusqlite::Result<bool> {
    let inserted = insert_request(conn, row, Existing::Skip)?;
    if inserted {
        insert_row(conn, row.id, STAFF_INBOX, now, Some(now), Existing::Skip)?;
        for destination in forward_to.iter().filter(|d| *d != STAFF_INBOX) {
            insert_row(conn, row.id, destination, now, None, Existing::Skip)?;
        }
    }
    Ok(inserted)
}

/// One row to try now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// The row's id.
    pub id: i64,
    /// The request it carries.
    pub request_id: String,
    /// Where it goes (a destination's id).
    pub destination: String,
    /// Tries so far.
    pub attempts: u32,
    /// When it is due, Unix ms.
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

/// Row `id` was acknowledged at `now` (Unix ms) with HTTP `status`.
pub fn mark_delivered(conn: &Connection, id: i64, now: i64, status: u16) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE outbox SET delivered_at = ?2, attempts = attempts + 1, last_status = ?3,
                last_error = NULL WHERE id = ?1",
        params![id, now, status],
    )?;
    Ok(())
}

/// Row `id` failed this try and is due again at `next_attempt_at` (Unix ms); `status` and `reason` say why, for staff.
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

/// Row `id` was refused for good at `now` (Unix ms): no more tries until staff retry it.
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

/// Moves to `now` (Unix ms) the next try of every undelivered row due more than
/// `longest_wait_ms` after `now`: no wait the worker sets is that long, so the row was
/// scheduled before the clock was set back (issue #16), and would otherwise stall until the
/// clock catches up. Returns how many rows moved.
pub fn restamp_far_retries(
    conn: &Connection,
    now: i64,
    longest_wait_ms: i64,
) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE outbox SET next_attempt_at = ?1
         WHERE delivered_at IS NULL AND next_attempt_at > ?1 + ?2",
        params![now, longest_wait_ms],
    )
}

/// Where a request stands with one destination, on the wire in camelCase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Phase {
    /// The destination acknowledged it.
    Delivered,
    /// Not yet: it is tried again at `next_attempt_at`.
    Waiting,
    /// The destination refused it for good; staff may retry it.
    Failed,
}

/// Where one request is, for one destination, as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryState {
    /// The destination's id.
    pub destination: String,
    /// `delivered`, `waiting` or `failed`.
    pub state: Phase,
    /// Tries so far.
    pub attempts: u32,
    /// When it was acknowledged, Unix ms.
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
            (Some(_), _) => Phase::Delivered,
            (None, Some(_)) => Phase::Failed,
            (None, None) => Phase::Waiting,
        };
        Ok(DeliveryState {
            destination: r.get(0)?,
            state,
            attempts: r.get(1)?,
            delivered_at,
            next_attempt_at: (state == Phase::Waiting).then(|| r.get(4)).transpose()?,
            reason: if state == Phase::Delivered {
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
    /// Rows waiting for a try.
    pub waiting: i64,
    /// Rows refused for good.
    pub failed: i64,
    /// Unix ms the oldest waiting row was made.
    pub oldest_waiting: Option<i64>,
    /// Unix ms of the last delivery.
    pub last_delivery: Option<i64>,
}

/// The outbox at a glance, the kiosk's own inbox left out.
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

#[cfg(test)]
mod tests {
    use super::Phase;

    #[test]
    fn phases_keep_their_wire_names() {
        let names = [Phase::Delivered, Phase::Waiting, Phase::Failed].map(|p| serde_json::json!(p));
        assert_eq!(
            names,
            ["delivered", "waiting", "failed"],
            "the staff screen shows these"
        );
    }
}
