//! The laptop's checks of a request a paired kiosk sent (issue #11): the callback form's own
//! rules, with the laptop's phone region, before anything is stored.

use crate::callbacks::settings::{CallbackSettings, Slot};
use crate::callbacks::validate::{self, CallbackForm};

/// Invisible characters the callback form refuses, for the fields it has no rule for.
pub(super) fn has_hidden(text: &str) -> bool {
    text.chars().any(validate::is_control)
}

/// The webhook body as the laptop reads it: the very type the kiosk writes.
pub(super) type Incoming = crate::webhook::body::WebhookBody;

/// A request from a kiosk that passed the form's rules, normalised as the kiosk stores it.
pub(super) struct Checked {
    pub(super) id: String,
    /// Unix ms the kiosk made it.
    pub(super) created_at: i64,
    pub(super) valid: validate::ValidRequest,
    /// Unix ms the patient consented.
    pub(super) consent_at: i64,
}

/// A short word such as a time slot or a specialty: letters, digits and `-._`, no more than
/// `max` bytes.
fn is_word(text: &str, max: usize) -> bool {
    !text.is_empty()
        && text.len() <= max
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Checks a request from a kiosk by the rules the kiosk applied to its form (names, phone,
/// note: lengths, hidden and bidirectional characters, markup), with the laptop's phone
/// region. The kiosk's own choices (time slots, consent version, specialties) are checked for
/// shape only: the laptop's config may differ from the kiosk's without losing a request.
/// `Err` lists the fields and rules broken, never their values.
pub(super) fn check(r: &Incoming, settings: &CallbackSettings) -> Result<Checked, String> {
    let (created_at, consent_at) = shape(r)?;
    let form = CallbackForm {
        request_id: r.id.clone(),
        name: r.patient.name.clone(),
        phone: r.patient.phone.clone(),
        best_time: r.best_time.clone(),
        language: r.patient.language.clone(),
        note: r.note.clone().unwrap_or_default(),
        consent: true,
        consent_version: r.consent.version.clone(),
        specialty: r.specialty.clone(),
        topic: r.topic.clone(),
        article: r.article.clone(),
        ..CallbackForm::default()
    };
    let rules = CallbackSettings {
        slots: vec![Slot {
            id: r.best_time.clone(),
            label: Default::default(),
            hours: None,
        }],
        consent_version: r.consent.version.clone(),
        // The kiosk's config decided whether it takes numbers from abroad.
        accept_foreign_numbers: true,
        ..settings.clone()
    };
    // The form's rules take the note's line breaks as spaces; a kiosk never sends one.
    let hidden_in_note = r.note.as_deref().is_some_and(has_hidden);
    match validate::validate(&form, &rules, std::slice::from_ref(&r.specialty)) {
        Ok(valid) if !hidden_in_note => Ok(Checked {
            id: valid.id.to_string(),
            created_at,
            consent_at,
            valid,
        }),
        Ok(_) => Err("note (invalidCharacters)".into()),
        Err(errors) => Err(errors
            .iter()
            .map(|e| format!("{} ({})", e.field, e.code))
            .collect::<Vec<_>>()
            .join(", ")),
    }
}

/// The fields the kiosk's own config chose, checked for shape only, and the request's
/// times in Unix ms (made, consented); `Err` lists the fields that are wrong.
fn shape(r: &Incoming) -> Result<(i64, i64), String> {
    let mut bad: Vec<String> = Vec::new();
    if !is_word(&r.best_time, 40) {
        bad.push("bestTime (invalid)".into());
    }
    let consent = &r.consent.version;
    if consent.trim().is_empty() || consent.chars().count() > 80 || has_hidden(consent) {
        bad.push("consent (invalid)".into());
    }
    if !is_word(&r.specialty, 64) {
        bad.push("specialty (invalid)".into());
    }
    for (field, value) in [("topic", &r.topic), ("article", &r.article)] {
        if value
            .as_deref()
            .is_some_and(|v| v.len() > 100 || !crate::content::frontmatter::is_slug(v))
        {
            bad.push(format!("{field} (invalid)"));
        }
    }
    let created_at = parse_time(&r.created_at);
    let consent_at = parse_time(&r.consent.at);
    if created_at.is_none() || r.created_at.len() > 40 {
        bad.push("createdAt (invalid)".into());
    }
    if consent_at.is_none() || r.consent.at.len() > 40 {
        bad.push("consent.at (invalid)".into());
    }
    match (created_at, consent_at) {
        (Some(created_at), Some(consent_at)) if bad.is_empty() => Ok((created_at, consent_at)),
        _ => Err(bad.join(", ")),
    }
}

/// "2026-11-25T14:03:07.250Z" back to Unix ms.
fn parse_time(text: &str) -> Option<i64> {
    text.parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_millisecond())
}
