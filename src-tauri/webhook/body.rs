//! What is sent: a callback request as read back from kiosk.db, and the webhook's versioned
//! JSON body (documented in docs/webhook.md).

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

/// Version of the webhook body; a receiver checks it before reading anything else.
pub const BODY_VERSION: u32 = 1;

/// One request, with the patient's details, as the destinations need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// The request id (UUID v7).
    pub id: String,
    /// Made, Unix ms.
    pub created_at: i64,
    /// The patient's name.
    pub name: String,
    /// E.164, such as +12015550123.
    pub phone: String,
    /// As the clinic dials it, such as `(201) 555-0123`.
    pub phone_display: String,
    /// The chosen time slot's id.
    pub best_time: String,
    /// `en` or `es`: the language to call in.
    pub language: String,
    /// The patient's note, if any.
    pub note: Option<String>,
    /// The specialty to call back.
    pub specialty: String,
    /// The topic the patient came from, if any.
    pub topic: Option<String>,
    /// The article the patient came from, if any.
    pub article: Option<String>,
    /// The consent text's version the patient agreed to.
    pub consent_version: String,
    /// When the patient agreed, Unix ms.
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

/// Unix ms as RFC 3339 in UTC, such as `2026-11-25T14:03:07.250Z` (see [`crate::clock`]).
pub use crate::clock::rfc3339;

/// The webhook body, version [`BODY_VERSION`] (docs/webhook.md): what the kiosk sends to a
/// webhook and to its front-desk laptop, and what the laptop reads back. One type for both
/// ends, so they cannot drift. Fields of the nested objects are in alphabetical order, as
/// the body has always been written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookBody {
    /// [`BODY_VERSION`]; a receiver checks it before reading anything else.
    pub version: u32,
    /// Always `callback-request` (a reader does not insist on it).
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The request's UUID v7, also the `Idempotency-Key`.
    pub id: String,
    /// RFC 3339 UTC with milliseconds.
    pub created_at: String,
    /// The clinic's name from the config (a reader does not insist on it).
    #[serde(default)]
    pub clinic: String,
    /// Who to call.
    pub patient: Patient,
    /// A time-slot id from the config, such as `morning`.
    pub best_time: String,
    /// The patient's note, if any.
    pub note: Option<String>,
    /// A specialty slug, such as `spine`.
    pub specialty: String,
    /// The topic's slug the patient came from, if any.
    pub topic: Option<String>,
    /// The article's slug the patient came from, if any.
    pub article: Option<String>,
    /// The consent the patient gave.
    pub consent: Consent,
}

/// Who to call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Patient {
    /// `en` or `es`: the language to call in.
    pub language: String,
    /// The patient's name.
    pub name: String,
    /// E.164, such as `+12015550123`.
    pub phone: String,
    /// As the clinic dials it, such as `(201) 555-0123`.
    pub phone_display: String,
}

/// The consent the patient gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Consent {
    /// RFC 3339 UTC with milliseconds.
    pub at: String,
    /// The config's `consent_version` the patient agreed to.
    pub version: String,
}

impl WebhookBody {
    /// The body for `request` from `clinic`.
    pub fn new(request: &RequestRecord, clinic: &str) -> Self {
        WebhookBody {
            version: BODY_VERSION,
            kind: "callback-request".into(),
            id: request.id.clone(),
            created_at: rfc3339(request.created_at),
            clinic: clinic.into(),
            patient: Patient {
                language: request.language.clone(),
                name: request.name.clone(),
                phone: request.phone.clone(),
                phone_display: request.phone_display.clone(),
            },
            best_time: request.best_time.clone(),
            note: request.note.clone(),
            specialty: request.specialty.clone(),
            topic: request.topic.clone(),
            article: request.article.clone(),
            consent: Consent {
                at: rfc3339(request.consent_at),
                version: request.consent_version.clone(),
            },
        }
    }
}

/// The webhook body for `request` as bytes (what the signature covers).
pub fn webhook_body(request: &RequestRecord, clinic: &str) -> Vec<u8> {
    serde_json::to_vec(&WebhookBody::new(request, clinic)).expect("a JSON body always serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_reads_back_as_it_was_written() {
        let record = RequestRecord {
            id: "019ab0c4-0000-7000-8000-000000000000".into(),
            created_at: 1_764_079_387_250,
            name: "Ana Núñez".into(),
            phone: "+12015550123".into(),
            phone_display: "(201) 555-0123".into(),
            best_time: "morning".into(),
            language: "es".into(),
            note: None,
            specialty: "spine".into(),
            topic: Some("spine-care".into()),
            article: None,
            consent_version: "2026-12".into(),
            consent_at: 1_764_079_387_250,
        };
        let bytes = webhook_body(&record, "Riverside");
        let text = String::from_utf8(bytes.clone()).expect("utf-8");
        assert!(
            text.contains(r#""patient":{"language":"es","name":"Ana Núñez","phone":"+12015550123","phoneDisplay":"(201) 555-0123"}"#),
            "{text}"
        );
        assert!(
            text.contains(r#""consent":{"at":"2025-11-25T14:03:07.250Z","version":"2026-12"}"#),
            "{text}"
        );
        let back: WebhookBody = serde_json::from_slice(&bytes).expect("reads back");
        assert_eq!(back, WebhookBody::new(&record, "Riverside"));
    }
}
