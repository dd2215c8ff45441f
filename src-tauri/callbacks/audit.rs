//! The audit log: every staff action, who and when. Entries name requests by id only,
//! never by a patient's name or phone.

use rusqlite::{params, Connection};
use serde::Serialize;

use super::CallbackError;

/// One staff action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    /// When, Unix ms.
    pub at: i64,
    /// Who: the staff account, or `command line`.
    pub staff: String,
    /// What, such as `unlock`, `status`, `export`.
    pub action: String,
    /// The request it concerns, if one.
    pub request_id: Option<String>,
    /// More about it (never a patient's details).
    pub detail: Option<String>,
}

/// Records that `staff` did `action` at `at` (Unix ms), about `request_id` if any.
pub fn record(
    conn: &Connection,
    at: i64,
    staff: &str,
    action: &str,
    request_id: Option<&str>,
    detail: Option<&str>,
) -> Result<(), CallbackError> {
    conn.execute(
        "INSERT INTO audit_log (at, staff, action, request_id, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![at, staff, action, request_id, detail],
    )?;
    Ok(())
}

/// The newest `limit` entries, newest first.
pub fn recent(conn: &Connection, limit: usize) -> Result<Vec<AuditEntry>, CallbackError> {
    let mut stmt = conn.prepare(
        "SELECT at, staff, action, request_id, detail FROM audit_log ORDER BY at DESC, id DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit.clamp(1, 1000) as i64], |r| {
        Ok(AuditEntry {
            at: r.get(0)?,
            staff: r.get(1)?,
            action: r.get(2)?,
            request_id: r.get(3)?,
            detail: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
