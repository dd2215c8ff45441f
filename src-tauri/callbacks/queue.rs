//! The durable callback queue in kiosk.db: submit (one transaction for the request and its
//! outbox rows, acknowledged only after commit), the staff inbox, status changes, notes,
//! retention and CSV export.

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;

use super::settings::CallbackSettings;
use super::validate::ValidRequest;
use super::{audit, CallbackError};

/// What happened to a submitted form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    /// Stored now.
    Received,
    /// This request id was stored before (a double tap or a retry): same answer, no copy.
    AlreadyReceived,
    /// The same phone has an open request from within the duplicate window.
    Duplicate,
    /// Too many requests from this kiosk just now.
    RateLimited,
}

/// What the kiosk answers a submitted form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    /// What happened to it.
    pub outcome: Outcome,
    /// Its id (the form's).
    pub request_id: String,
    /// Seconds to wait, with `RateLimited`.
    pub retry_after_secs: Option<u64>,
}

impl Receipt {
    /// The receipt as the patient's screen is told it: a duplicate gets the very answer a
    /// new request gets, so the screen never tells whoever types a phone number whether
    /// that person asked for a call (issue #11).
    pub fn for_patient(self) -> Receipt {
        Receipt {
            outcome: match self.outcome {
                Outcome::Duplicate => Outcome::Received,
                other => other,
            },
            ..self
        }
    }
}

/// The staff note on a request when the same phone asks again within the duplicate window.
pub const DUPLICATE_NOTE: &str = "Asked again at the kiosk (same phone number)";

/// The burst limit as a generic cell rate algorithm (GCRA, the token bucket of ATM traffic
/// policing, ITU-T I.371): `burst_limit` requests at once, then one more every
/// `burst_window_secs / burst_limit`. One person's junk burst holds the next patient back
/// for one interval (2 minutes by default), not a whole window. The theoretical arrival
/// time lives in `setting` (`burst_tat`, Unix ms) so a restart does not reset it. Returns
/// the seconds to wait, or `None` and takes a token.
fn burst_wait(
    tx: &Connection,
    settings: &CallbackSettings,
    now: i64,
) -> Result<Option<u64>, CallbackError> {
    let limit = i64::from(settings.burst_limit.max(1));
    let interval = i64::from(settings.burst_window_secs) * 1000 / limit;
    let tolerance = interval * (limit - 1);
    let stored: i64 = tx
        .query_row(
            "SELECT value FROM setting WHERE key = 'burst_tat'",
            [],
            |r| r.get::<_, String>(0),
        )
        .optional()?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    // A clock set back must not stretch the wait: never more than one full window ahead.
    let tat = stored.min(now + interval * limit).max(now);
    if tat - now > tolerance {
        let wait = (tat - now - tolerance).max(1000) as u64;
        return Ok(Some(wait.div_ceil(1000)));
    }
    tx.execute(
        "INSERT INTO setting (key, value) VALUES ('burst_tat', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [(tat + interval).to_string()],
    )?;
    Ok(None)
}

/// Stores `request` durably. Returns only after the transaction has committed, so the
/// caller may then say "thank you".
pub fn submit(
    conn: &mut Connection,
    request: &ValidRequest,
    settings: &CallbackSettings,
    now: i64,
) -> Result<Receipt, CallbackError> {
    let id = request.id.to_string();
    let receipt = |outcome, retry_after_secs| Receipt {
        outcome,
        request_id: id.clone(),
        retry_after_secs,
    };
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let exists: bool = tx
        .query_row(
            "SELECT 1 FROM callback_request WHERE id = ?1",
            [&id],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if exists {
        return Ok(receipt(Outcome::AlreadyReceived, None));
    }
    // The burst limit first, for duplicates too: a number that asked already must get the
    // very answer a new one gets, limited or not (issue #11), and a repeated number cannot
    // add notes without end.
    if let Some(wait) = burst_wait(&tx, settings, now)? {
        return Ok(receipt(Outcome::RateLimited, Some(wait)));
    }
    // The window reaches as far into the "future" as into the past: a request stamped
    // later than now was made before the clock was set back, and how long ago cannot be
    // known. Within one window of now either way it is still a duplicate (a clock corrected
    // by minutes or hours changes nothing); further ahead it no longer counts, so a clock
    // set back by days does not turn the number's next requests into notes until the
    // clock catches up.
    let window = i64::from(settings.duplicate_window_hours) * 3_600_000;
    let duplicate_of: Option<String> = tx
        .query_row(
            "SELECT id FROM callback_request
             WHERE phone = ?1 AND created_at BETWEEN ?2 AND ?3 AND status <> 'closed'
             ORDER BY created_at DESC LIMIT 1",
            params![request.phone, now - window, now + window],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(existing) = duplicate_of {
        // The patient hears the same thank-you as for a new request (so the screen never
        // tells anyone who asked for a call); staff see it on the request they already have.
        tx.execute(
            "INSERT INTO callback_note (request_id, at, staff, text) VALUES (?1, ?2, 'kiosk', ?3)",
            params![existing, now, DUPLICATE_NOTE],
        )?;
        tx.commit()?;
        return Ok(receipt(Outcome::Duplicate, None));
    }
    let row = super::outbox::NewRequest {
        id: &id,
        created_at: now,
        consent_at: now,
        status_at: now,
        request,
        source: None,
    };
    super::outbox::store_submitted(&tx, &row, &settings.destinations, now)?;
    tx.commit()?;
    Ok(receipt(Outcome::Received, None))
}

/// Workflow states of a request.
pub const STATUSES: &[&str] = &["new", "contacted", "noAnswer", "closed"];

/// A note staff added to a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StaffNote {
    /// When, Unix ms.
    pub at: i64,
    /// Who (the staff account's name; `kiosk` for the kiosk's own notes).
    pub staff: String,
    /// The note.
    pub text: String,
}

/// A request as the staff inbox shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InboxItem {
    /// The request id (UUID v7).
    pub id: String,
    /// Made, Unix ms.
    pub created_at: i64,
    /// One of [`STATUSES`].
    pub status: String,
    /// When it got that status, Unix ms.
    pub status_at: i64,
    /// The patient's name.
    pub name: String,
    /// E.164, such as `+12015550123`.
    pub phone: String,
    /// As the clinic would dial it, such as `(201) 555-0123`.
    pub phone_display: String,
    /// The chosen time slot's id.
    pub best_time: String,
    /// The language the patient wants the call in: `en` or `es`.
    pub language: String,
    /// The specialty to call back.
    pub specialty: String,
    /// The topic the patient came from, if any.
    pub topic: Option<String>,
    /// The article the patient came from, if any.
    pub article: Option<String>,
    /// The patient's note, if any.
    pub note: Option<String>,
    /// The consent text's version the patient agreed to.
    pub consent_version: String,
    /// When the patient agreed, Unix ms.
    pub consent_at: i64,
    /// Staff notes, oldest first.
    pub notes: Vec<StaffNote>,
    /// Where the request is at each of the clinic's destinations (not the kiosk's inbox).
    pub deliveries: Vec<super::outbox::DeliveryState>,
    /// On a front-desk laptop: which kiosk sent the request.
    pub from_kiosk: Option<String>,
}

/// Which requests to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter<'a> {
    /// Everything not closed.
    Open,
    /// Every request.
    All,
    /// Requests with this status (one of [`STATUSES`]).
    Status(&'a str),
}

const ITEM_COLUMNS: &str =
    "id, created_at, status, status_at, name, phone, phone_display, best_time,
    language, specialty, topic, article, note, consent_version, consent_at, source,
    (SELECT name FROM lan_kiosk WHERE lan_kiosk.kiosk_id = callback_request.source)";

fn item(r: &rusqlite::Row<'_>) -> rusqlite::Result<InboxItem> {
    Ok(InboxItem {
        id: r.get(0)?,
        created_at: r.get(1)?,
        status: r.get(2)?,
        status_at: r.get(3)?,
        name: r.get(4)?,
        phone: r.get(5)?,
        phone_display: r.get(6)?,
        best_time: r.get(7)?,
        language: r.get(8)?,
        specialty: r.get(9)?,
        topic: r.get(10)?,
        article: r.get(11)?,
        note: r.get(12)?,
        consent_version: r.get(13)?,
        consent_at: r.get(14)?,
        notes: Vec::new(),
        deliveries: Vec::new(),
        // A request a paired kiosk sent to this front desk: the kiosk's name (or its id,
        // once it is unpaired). `None` for requests made on this device.
        from_kiosk: r
            .get::<_, Option<String>>(16)?
            .or(r.get::<_, Option<String>>(15)?),
    })
}

/// Requests, oldest waiting first: new ones, then "no answer" to try again, then
/// contacted, then closed.
pub fn list(conn: &Connection, filter: Filter<'_>) -> Result<Vec<InboxItem>, CallbackError> {
    let (clause, arg) = match filter {
        Filter::Open => ("status <> 'closed'", None),
        Filter::All => ("1", None),
        Filter::Status(s) if STATUSES.contains(&s) => ("status = ?1", Some(s)),
        Filter::Status(s) => {
            return Err(CallbackError::UnknownStatus(s.chars().take(20).collect()))
        }
    };
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM callback_request WHERE {clause}
         ORDER BY CASE status WHEN 'new' THEN 0 WHEN 'noAnswer' THEN 1 WHEN 'contacted' THEN 2 ELSE 3 END,
                  created_at, id"
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut items: Vec<InboxItem> = match arg {
        Some(a) => stmt.query_map([a], item)?.collect::<Result<_, _>>()?,
        None => stmt.query_map([], item)?.collect::<Result<_, _>>()?,
    };
    let mut notes = conn.prepare_cached(
        "SELECT at, staff, text FROM callback_note WHERE request_id = ?1 ORDER BY at, id",
    )?;
    for it in &mut items {
        it.notes = notes
            .query_map([&it.id], |r| {
                Ok(StaffNote {
                    at: r.get(0)?,
                    staff: r.get(1)?,
                    text: r.get(2)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        it.deliveries = super::outbox::states(conn, &it.id)?;
    }
    Ok(items)
}

/// Moves a request to `status` and/or adds a note, as `staff`, in one transaction with its
/// audit entry.
pub fn update(
    conn: &mut Connection,
    id: &str,
    status: Option<&str>,
    note: Option<&str>,
    staff: &str,
    now: i64,
) -> Result<InboxItem, CallbackError> {
    if let Some(s) = status {
        if !STATUSES.contains(&s) {
            return Err(CallbackError::UnknownStatus(s.chars().take(20).collect()));
        }
    }
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if let Some(n) = note {
        if n.chars().count() > 500 {
            return Err(CallbackError::NoteTooLong);
        }
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current: Option<String> = tx
        .query_row(
            "SELECT status FROM callback_request WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(current) = current else {
        return Err(CallbackError::NotFound);
    };
    if let Some(s) = status.filter(|s| *s != current) {
        tx.execute(
            "UPDATE callback_request SET status = ?2, status_at = ?3,
                closed_at = CASE WHEN ?2 = 'closed' THEN ?3 ELSE NULL END
             WHERE id = ?1",
            params![id, s, now],
        )?;
        audit::record(
            &tx,
            now,
            staff,
            "status",
            Some(id),
            Some(&format!("{current} -> {s}")),
        )?;
    }
    if let Some(n) = note {
        tx.execute(
            "INSERT INTO callback_note (request_id, at, staff, text) VALUES (?1, ?2, ?3, ?4)",
            params![id, now, staff, n],
        )?;
        audit::record(&tx, now, staff, "note", Some(id), None)?;
    }
    tx.commit()?;
    list(conn, Filter::All)?
        .into_iter()
        .find(|i| i.id == id)
        .ok_or(CallbackError::NotFound)
}

/// Staff send request `id` to `destination` again now (see
/// [`super::outbox::retry_now`]), recorded in the audit log as `staff`: the request as the
/// inbox shows it, or `None` when it has no undelivered row there.
pub fn retry_delivery(
    conn: &Connection,
    id: &str,
    destination: &str,
    staff: &str,
    now: i64,
) -> Result<Option<InboxItem>, CallbackError> {
    if !super::outbox::retry_now(conn, id, destination, now)? {
        return Ok(None);
    }
    audit::record(
        conn,
        now,
        staff,
        "delivery-retry",
        Some(id),
        Some(destination),
    )?;
    Ok(list(conn, Filter::All)?.into_iter().find(|i| i.id == id))
}

/// Erases closed requests older than the retention period, keeping anonymous counts (the
/// front desk's rule; see [`super::retention::run`] for a kiosk's). Returns how many.
pub fn purge(conn: &mut Connection, retention_days: u32, now: i64) -> Result<usize, CallbackError> {
    let settings = CallbackSettings {
        retention_days,
        ..CallbackSettings::default()
    };
    Ok(super::retention::run(conn, &settings, false, now)?.closed)
}

/// Neutralizes a cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab,
/// carriage return at the start), as OWASP recommends: a leading apostrophe.
pub fn csv_cell(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r', '|', '%']) {
        format!("'{value}")
    } else {
        value.to_string()
    }
}

/// Writes every request as CSV that opens cleanly in Excel (UTF-8 with BOM, CRLF), cells
/// guarded against formula injection. Returns the number of rows.
pub fn export_csv<W: std::io::Write>(
    conn: &Connection,
    mut out: W,
) -> Result<usize, CallbackError> {
    out.write_all("\u{feff}".as_bytes())?;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    w.write_record([
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
    ])?;
    let items = list(conn, Filter::All)?;
    for it in &items {
        let notes = it
            .notes
            .iter()
            .map(|n| format!("{} ({}): {}", n.staff, utc(n.at), n.text))
            .collect::<Vec<_>>()
            .join(" | ");
        let row = [
            it.id.clone(),
            utc(it.created_at),
            it.status.clone(),
            it.name.clone(),
            it.phone_display.clone(),
            it.best_time.clone(),
            it.language.clone(),
            it.specialty.clone(),
            it.topic.clone().unwrap_or_default(),
            it.article.clone().unwrap_or_default(),
            it.note.clone().unwrap_or_default(),
            notes,
            it.consent_version.clone(),
        ];
        w.write_record(row.iter().map(|c| csv_cell(c)))?;
    }
    w.flush()?;
    Ok(items.len())
}

/// `YYYY-MM-DD HH:MM` in UTC.
pub use crate::clock::utc_minutes as utc;
