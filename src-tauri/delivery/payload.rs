//! What is sent: a callback request as read back from kiosk.db, and the webhook's versioned
//! JSON body (documented in docs/webhook.md).

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use serde_json::{json, Value};

/// Version of the webhook body; a receiver checks it before reading anything else.
pub const BODY_VERSION: u32 = 1;

/// One request, with the patient's details, as the destinations need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    pub id: String,
    pub created_at: i64,
    pub name: String,
    /// E.164, such as +12015550123.
    pub phone: String,
    pub phone_display: String,
    pub best_time: String,
    pub language: String,
    pub note: Option<String>,
    pub specialty: String,
    pub topic: Option<String>,
    pub article: Option<String>,
    pub consent_version: String,
    pub consent_at: i64,
}

/// The request `id`, or `None` when it is gone (erased by the retention job).
pub fn load(conn: &Connection, id: &str) -> rusqlite::Result<Option<RequestRecord>> {
    conn.query_row(
        "SELECT id, created_at, name, phone, phone_display, best_time, language, note,
                specialty, topic, article, consent_version, consent_at
         FROM callback_request WHERE id = ?1",
        [id],
        |r| {
            Ok(RequestRecord {
                id: r.get(0)?,
                created_at: r.get(1)?,
                name: r.get(2)?,
                phone: r.get(3)?,
                phone_display: r.get(4)?,
                best_time: r.get(5)?,
                language: r.get(6)?,
                note: r.get(7)?,
                specialty: r.get(8)?,
                topic: r.get(9)?,
                article: r.get(10)?,
                consent_version: r.get(11)?,
                consent_at: r.get(12)?,
            })
        },
    )
    .optional()
}

/// Unix ms as RFC 3339 in UTC, such as `2026-11-25T14:03:07.250Z`.
pub fn rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let day = crate::store::civil_date(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{day}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60,
        ms.rem_euclid(1000)
    )
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Body<'a> {
    version: u32,
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
    created_at: String,
    clinic: &'a str,
    patient: Value,
    best_time: &'a str,
    note: Option<&'a str>,
    specialty: &'a str,
    topic: Option<&'a str>,
    article: Option<&'a str>,
    consent: Value,
}

/// The webhook body, version [`BODY_VERSION`], as bytes (what the signature covers).
pub fn webhook_body(request: &RequestRecord, clinic: &str) -> Vec<u8> {
    let body = Body {
        version: BODY_VERSION,
        kind: "callback-request",
        id: &request.id,
        created_at: rfc3339(request.created_at),
        clinic,
        patient: json!({
            "name": request.name,
            "phone": request.phone,
            "phoneDisplay": request.phone_display,
            "language": request.language,
        }),
        best_time: &request.best_time,
        note: request.note.as_deref(),
        specialty: &request.specialty,
        topic: request.topic.as_deref(),
        article: request.article.as_deref(),
        consent: json!({ "version": request.consent_version, "at": rfc3339(request.consent_at) }),
    };
    serde_json::to_vec(&body).expect("a JSON body always serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc_with_milliseconds() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_764_079_387_250), "2025-11-25T14:03:07.250Z");
    }
}
