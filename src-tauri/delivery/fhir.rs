//! A callback request as a FHIR R4 `CommunicationRequest`: status active; the request id as
//! identifier under the clinic's system (sent with `If-None-Exist`, so a retry never creates
//! a second one); the patient's name, phone and language in a contained Patient; the article
//! and topic as payload; the specialist as recipient; the preferred window as
//! `occurrencePeriod`; `authoredOn`.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::payload::{rfc3339, RequestRecord};

/// The preferred call-back window for a request made at `created_ms` in the slot's local
/// hours (minutes from midnight): today's window if it has not ended yet, else tomorrow's.
/// Written with the local offset, such as `2026-11-26T09:00:00-05:00`.
pub fn occurrence_period(
    created_ms: i64,
    hours: (u16, u16),
    zone: &jiff::tz::TimeZone,
) -> Option<(String, String)> {
    let made = jiff::Timestamp::from_millisecond(created_ms)
        .ok()?
        .to_zoned(zone.clone());
    let at = |day: jiff::civil::Date, minutes: u16| -> Option<jiff::Zoned> {
        day.at(0, 0, 0, 0)
            .checked_add(jiff::Span::new().minutes(i64::from(minutes)))
            .ok()?
            .to_zoned(zone.clone())
            .ok()
    };
    let today = made.date();
    let day = if at(today, hours.1)? > made {
        today
    } else {
        today.tomorrow().ok()?
    };
    let fmt = |z: jiff::Zoned| z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
    Some((fmt(at(day, hours.0)?), fmt(at(day, hours.1)?)))
}

/// Everything the resource needs besides the request.
pub struct Context<'a> {
    /// The `identifier.system` the request id is recorded under.
    pub identifier_system: &'a str,
    /// Specialty slug -> FHIR reference of who calls back (`PractitionerRole/12`).
    pub recipients: &'a BTreeMap<String, String>,
    /// The specialty's name for people, when no FHIR reference is configured for it.
    pub specialty_name: &'a str,
    /// The preferred call-back window (see [`occurrence_period`]), if the slot names hours.
    pub period: Option<(String, String)>,
    /// The best-time slot as the patient chose it, in words.
    pub best_time_label: &'a str,
}

/// The CommunicationRequest for `request`.
pub fn communication_request(request: &RequestRecord, ctx: &Context<'_>) -> Value {
    let mut payload = Vec::new();
    if let Some(article) = &request.article {
        payload.push(json!({ "contentString": format!("Article: {article}") }));
    }
    if let Some(topic) = &request.topic {
        payload.push(json!({ "contentString": format!("Topic: {topic}") }));
    }
    payload.push(json!({ "contentString": format!("Best time to call: {}", ctx.best_time_label) }));
    if let Some(note) = request.note.as_deref().filter(|n| !n.trim().is_empty()) {
        payload.push(json!({ "contentString": format!("Patient's note: {note}") }));
    }
    let recipient = match ctx.recipients.get(&request.specialty) {
        Some(reference) => json!({ "reference": reference, "display": ctx.specialty_name }),
        None => json!({ "display": ctx.specialty_name }),
    };
    let mut resource = json!({
        "resourceType": "CommunicationRequest",
        "contained": [{
            "resourceType": "Patient",
            "id": "patient",
            "name": [{ "text": request.name }],
            "telecom": [{ "system": "phone", "value": request.phone }],
            "communication": [{
                "language": {
                    "coding": [{ "system": "urn:ietf:bcp:47", "code": request.language }]
                },
                "preferred": true
            }]
        }],
        "identifier": [{ "system": ctx.identifier_system, "value": request.id }],
        "status": "active",
        "category": [{ "text": "Callback request from the lobby kiosk" }],
        "priority": "routine",
        "medium": [{
            "coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationMode",
                "code": "PHONE",
                "display": "telephone"
            }]
        }],
        "subject": { "reference": "#patient" },
        "payload": payload,
        "authoredOn": rfc3339(request.created_at),
        "recipient": [recipient],
    });
    if let Some((start, end)) = &ctx.period {
        resource["occurrencePeriod"] = json!({ "start": start, "end": end });
    }
    resource
}

/// The bearer token in `path`: its text, trimmed. `Err` is a reason for staff and the log
/// (naming the file, never showing the token): unreadable, empty, or more than one line.
pub fn read_token(path: &std::path::Path) -> Result<String, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("the FHIR token file {} cannot be read: {e}", path.display()))?;
    let token = text.trim();
    if token.is_empty() {
        Err(format!("the FHIR token file {} is empty", path.display()))
    } else if token.lines().count() > 1 || token.chars().any(char::is_control) {
        Err(format!(
            "the FHIR token file {} must hold the token alone on one line",
            path.display()
        ))
    } else {
        Ok(token.to_string())
    }
}

/// The `If-None-Exist` header: the search `identifier=system|id` that finds a resource
/// already made for this request. A header value is a query string, so the parameter is
/// form-urlencoded (`url`'s serializer: `https%3A%2F%2F...%7C...`), and FHIR's own search
/// escapes (`\`, `|`, `,`, `$` in a token's parts) come first, so a system with a comma or
/// a bar in it is still one system to the server.
pub fn if_none_exist(identifier_system: &str, id: &str) -> String {
    let token = format!("{}|{}", search_escape(identifier_system), search_escape(id));
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("identifier", &token)
        .finish()
}

/// `value` with FHIR search's special characters escaped by a backslash (FHIR R4 3.1.1.5.7,
/// "Escaping Search Parameters").
fn search_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '\\' | '|' | ',' | '$') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_conditional_header_is_form_urlencoded_with_fhir_escapes() {
        assert_eq!(
            if_none_exist(
                "https://clinic.example/callback-request",
                "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
            ),
            "identifier=https%3A%2F%2Fclinic.example%2Fcallback-request%7C0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
        );
        // A space, an ampersand and an equals sign stay inside the one parameter; a comma
        // and a bar in the system are escaped the FHIR way, not taken as an OR or a split.
        let header = if_none_exist("urn:x-clinic:a b&c=d,e|f", "1");
        assert_eq!(
            header,
            "identifier=urn%3Ax-clinic%3Aa+b%26c%3Dd%5C%2Ce%5C%7Cf%7C1"
        );
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(header.as_bytes())
            .into_owned()
            .collect();
        assert_eq!(
            pairs,
            [(
                "identifier".to_string(),
                "urn:x-clinic:a b&c=d\\,e\\|f|1".to_string()
            )]
        );
    }

    #[test]
    fn the_window_is_today_until_it_ends_then_tomorrow() {
        let zone = jiff::tz::TimeZone::get("America/New_York").expect("tzdb");
        // 2026-11-25 08:00 in New York (13:00 UTC): this morning's window.
        let early = jiff::Timestamp::from_second(1_795_611_600)
            .expect("ts")
            .as_millisecond();
        let (start, end) = occurrence_period(early, (9 * 60, 12 * 60), &zone).expect("period");
        assert_eq!(
            (start.as_str(), end.as_str()),
            ("2026-11-25T09:00:00-05:00", "2026-11-25T12:00:00-05:00")
        );
        // 13:00 New York: the morning has passed, so tomorrow morning.
        let late = early + 5 * 3_600_000;
        let (start, _) = occurrence_period(late, (9 * 60, 12 * 60), &zone).expect("period");
        assert_eq!(start, "2026-11-26T09:00:00-05:00");
    }
}
