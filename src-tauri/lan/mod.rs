//! The front-desk laptop over the clinic's LAN (issue #5). The laptop (front-desk mode)
//! serves HTTPS with its own certificate; a kiosk pairs with it once by a short code shown on
//! the laptop ([`pairing`]), then pins that certificate and signs every request with the
//! secret both derived. The laptop accepts requests only from paired kiosks, drops ones it
//! already has, and logs why it refuses anything. Nothing personal crosses the LAN in clear.
//!
//! No Tauri here: [`FrontDesk`] answers requests, [`server`] puts it on a TLS port, and
//! [`client`] is the kiosk's side.
//!
//! Anyone on the LAN can reach the port (issue #11). Pairing tries are counted per address: an
//! address that gave [`pairing::MAX_TRIES`] wrong codes is refused until a new code is shown,
//! so one device guessing cannot close the code for the real kiosk; only
//! [`pairing::MAX_WRONG_PER_CODE`] wrong tries from many addresses close it (what keeps the
//! odds of a guessed code tiny). Whether a code is open is never said: without one, the
//! laptop answers the first step as if one were open, and the second step fails as a wrong
//! code would. Refusals are logged at most once per address per [`LOG_INTERVAL_MS`], with
//! what the other side sent escaped and cut short. What a paired kiosk sends is checked by the
//! callback form's own rules before it is stored.

pub mod client;
pub mod pairing;
pub mod server;
/// The pairing tables live with the rest of kiosk.db (`crate::store::lan`).
pub use crate::store::lan as store;
pub mod tls;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

use crate::callbacks::settings::{CallbackSettings, Slot};
use crate::callbacks::validate::{self, CallbackForm};
use crate::webhook;

/// The front desk as a destination of the kiosk's outbox.
pub use crate::callbacks::outbox::FRONT_DESK;
/// The port the laptop listens on unless the config says otherwise.
pub const DEFAULT_PORT: u16 = 8470;
/// Header naming the sending kiosk.
pub const KIOSK_HEADER: &str = "X-Kiosk-Id";
/// Refusals from one address are logged at most once in this many milliseconds.
pub const LOG_INTERVAL_MS: i64 = 60_000;
/// Addresses whose refusals and pairing tries are remembered at once.
const MAX_SOURCES: usize = 4096;

/// Text from the network, safe to log or show: control, bidirectional and other invisible
/// characters escaped (a newline cannot start a forged log line), at most `max` characters.
pub fn escaped(text: &str, max: usize) -> String {
    let mut out: String = text.escape_debug().take(max).collect();
    if text.escape_debug().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// Invisible characters the callback form refuses, for the fields it has no rule for.
fn has_hidden(text: &str) -> bool {
    text.chars().any(|c| {
        c.is_control()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
    })
}

/// Refusals logged once per address per interval; the rest counted and told with the next.
#[derive(Default)]
pub struct RefusalLog {
    seen: Mutex<HashMap<IpAddr, (i64, u32)>>,
}

impl RefusalLog {
    /// The line to log for this refusal, or `None` when one was logged for `source` within
    /// [`LOG_INTERVAL_MS`]. `what` must already be escaped (see [`escaped`]).
    pub fn line(&self, source: IpAddr, now: i64, what: &str) -> Option<String> {
        let mut seen = self.seen.lock().ok()?;
        if seen.len() >= MAX_SOURCES && !seen.contains_key(&source) {
            seen.retain(|_, (at, _)| now - *at < LOG_INTERVAL_MS);
            if seen.len() >= MAX_SOURCES {
                // Flooded from many addresses: log none of them until the interval passes.
                return None;
            }
        }
        let entry = seen.entry(source).or_insert((i64::MIN, 0));
        if entry.0 != i64::MIN && now - entry.0 < LOG_INTERVAL_MS {
            entry.1 = entry.1.saturating_add(1);
            return None;
        }
        let more = std::mem::take(&mut entry.1);
        entry.0 = now;
        Some(if more > 0 {
            format!("front-desk port: refused {source}: {what} (and {more} refusal(s) from there not logged)")
        } else {
            format!("front-desk port: refused {source}: {what}")
        })
    }

    /// Logs a refusal as a warning, at most once per address per interval.
    pub fn warn(&self, source: IpAddr, now: i64, what: &str) {
        if let Some(line) = self.line(source, now, what) {
            tracing::warn!("{line}");
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PairStart {
    pub kiosk_id: String,
    pub kiosk_name: String,
    /// SPAKE2 message, hex.
    pub msg: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PairStartReply {
    pub pairing_id: String,
    pub msg: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PairConfirm {
    pub pairing_id: String,
    pub proof: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PairConfirmReply {
    pub proof: String,
}

/// An answer: HTTP status and a short reason (never personal data).
pub type Answer = (u16, String);

struct OpenCode {
    code: String,
    expires_at: i64,
    /// Tells this code from the next one.
    serial: u64,
    /// Wrong tries, from every address.
    wrong: u32,
}

struct Pending {
    kiosk_id: String,
    name: String,
    key: Vec<u8>,
    expires_at: i64,
    source: IpAddr,
    /// The code it was started against; `None` when no code was open.
    serial: Option<u64>,
}

/// One address's wrong pairing tries: how many, since when.
#[derive(Clone, Copy)]
struct Tries {
    wrong: u32,
    since: i64,
}

/// The laptop's side: its identity, its kiosk.db, the pairing code on show.
pub struct FrontDesk {
    pub identity: tls::Identity,
    pub db: Arc<Mutex<Connection>>,
    /// The laptop's own destinations (webhook, FHIR): requests from kiosks go on to them.
    pub forward_to: Vec<String>,
    /// The clinic's callback settings (its phone region): what a kiosk sends is checked with
    /// the callback form's rules.
    pub callbacks: CallbackSettings,
    /// Refusals, logged once per address per interval (the server logs through it too).
    pub refusals: RefusalLog,
    code: Mutex<Option<OpenCode>>,
    serial: std::sync::atomic::AtomicU64,
    pending: Mutex<HashMap<String, Pending>>,
    tries: Mutex<HashMap<IpAddr, Tries>>,
}

/// A pairing code on show, for the staff screen.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeView {
    pub code: String,
    pub expires_at: i64,
    /// First characters of the certificate fingerprint, for staff to compare by eye.
    pub fingerprint: String,
    /// The code, the full fingerprint and (when the UI adds one) the address as a QR code, for
    /// a staff phone or a kiosk with a scanner: `clinic-kiosk-pair:?code=..&fp=..`.
    pub qr_svg: String,
}

impl FrontDesk {
    pub fn new(identity: tls::Identity, db: Arc<Mutex<Connection>>) -> Self {
        FrontDesk {
            identity,
            db,
            forward_to: Vec::new(),
            callbacks: CallbackSettings::default(),
            refusals: RefusalLog::default(),
            code: Mutex::new(None),
            serial: std::sync::atomic::AtomicU64::new(1),
            pending: Mutex::new(HashMap::new()),
            tries: Mutex::new(HashMap::new()),
        }
    }

    /// Shows a new pairing code (the previous one stops working); every address may try again.
    pub fn open_code(&self, now: i64) -> CodeView {
        let code = pairing::new_code();
        let expires_at = now + pairing::CODE_TTL_MS;
        let serial = self
            .serial
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Ok(mut slot) = self.code.lock() {
            *slot = Some(OpenCode {
                code: code.clone(),
                expires_at,
                serial,
                wrong: 0,
            });
        }
        if let Ok(mut tries) = self.tries.lock() {
            tries.clear();
        }
        let fp = self.identity.fingerprint();
        CodeView {
            qr_svg: crate::qr::svg(&format!("clinic-kiosk-pair:?code={code}&fp={fp}")),
            code,
            expires_at,
            fingerprint: tls::short_fingerprint(&fp),
        }
    }

    pub fn close_code(&self) {
        if let Ok(mut slot) = self.code.lock() {
            *slot = None;
        }
    }

    /// Wrong tries `source` made lately.
    fn wrong_tries(&self, source: IpAddr, now: i64) -> u32 {
        self.tries
            .lock()
            .ok()
            .and_then(|t| t.get(&source).copied())
            .filter(|t| now - t.since < pairing::CODE_TTL_MS)
            .map_or(0, |t| t.wrong)
    }

    fn count_wrong(&self, source: IpAddr, now: i64) {
        if let Ok(mut tries) = self.tries.lock() {
            if tries.len() >= MAX_SOURCES && !tries.contains_key(&source) {
                tries.retain(|_, t| now - t.since < pairing::CODE_TTL_MS);
                if tries.len() >= MAX_SOURCES {
                    // The code's own cap still bounds the guesses.
                    tries.clear();
                }
            }
            let t = tries.entry(source).or_insert(Tries {
                wrong: 0,
                since: now,
            });
            if now - t.since >= pairing::CODE_TTL_MS {
                *t = Tries {
                    wrong: 0,
                    since: now,
                };
            }
            t.wrong += 1;
        }
    }

    /// First step of a kiosk's pairing, from `source`. Answered the same whether or not a code
    /// is open: without one, against a random secret no one can match.
    pub fn pair_start(
        &self,
        start: &PairStart,
        source: IpAddr,
        now: i64,
    ) -> Result<PairStartReply, Answer> {
        let kiosk_id_ok = !start.kiosk_id.is_empty()
            && start.kiosk_id.len() <= 64
            && start
                .kiosk_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-');
        let name = start.kiosk_name.trim();
        if !kiosk_id_ok || name.chars().count() > 80 || has_hidden(name) {
            self.refusals.warn(
                source,
                now,
                &format!(
                    "a pairing with a bad kiosk id or name ({:?}, {:?})",
                    escaped(&start.kiosk_id, 64),
                    escaped(name, 80)
                ),
            );
            return Err((400, "bad kiosk id or name".into()));
        }
        let theirs = hex::decode(&start.msg)
            .ok()
            .filter(|m| m.len() <= 64)
            .ok_or((400, "bad message".to_string()))?;
        if self.wrong_tries(source, now) >= pairing::MAX_TRIES {
            self.refusals.warn(
                source,
                now,
                "a pairing after too many wrong codes from this address",
            );
            return Err((
                429,
                "too many wrong codes from this address; show a new code on the front desk, then try again"
                    .into(),
            ));
        }
        let open = {
            let slot = self.code.lock().map_err(|_| (500, "busy".to_string()))?;
            slot.as_ref()
                .filter(|open| open.expires_at > now)
                .map(|open| (open.code.clone(), open.serial))
        };
        let (code, serial) = match open {
            Some((code, serial)) => (code, Some(serial)),
            None => (pairing::unguessable(), None),
        };
        let (state, ours) = pairing::start(&code);
        let key = pairing::finish(state, &theirs).ok_or((400, "bad message".to_string()))?;
        let pairing_id = uuid::Uuid::new_v4().to_string();
        {
            let mut pending = self.pending.lock().map_err(|_| (500, "busy".to_string()))?;
            pending.retain(|_, p| p.expires_at > now);
            // One address holds a few pairings at most: its oldest makes way.
            let mine: Vec<(i64, String)> = pending
                .iter()
                .filter(|(_, p)| p.source == source)
                .map(|(id, p)| (p.expires_at, id.clone()))
                .collect();
            if mine.len() >= pairing::MAX_PENDING_PER_SOURCE {
                if let Some((_, oldest)) = mine.iter().min() {
                    pending.remove(oldest);
                }
            }
            if pending.len() >= pairing::MAX_PENDING {
                self.refusals
                    .warn(source, now, "a pairing: too many pairings in progress");
                return Err((
                    503,
                    "busy pairing other kiosks; try again in a minute".into(),
                ));
            }
            pending.insert(
                pairing_id.clone(),
                Pending {
                    kiosk_id: start.kiosk_id.clone(),
                    name: name.to_string(),
                    key,
                    expires_at: now + pairing::PENDING_TTL_MS,
                    source,
                    serial,
                },
            );
        }
        Ok(PairStartReply {
            pairing_id,
            msg: hex::encode(ours),
        })
    }

    /// Second step: the kiosk proves it used the same code and saw this certificate.
    pub fn pair_confirm(
        &self,
        confirm: &PairConfirm,
        source: IpAddr,
        now: i64,
    ) -> Result<PairConfirmReply, Answer> {
        let pending = self
            .pending
            .lock()
            .ok()
            .and_then(|mut p| p.remove(&confirm.pairing_id))
            .filter(|p| p.expires_at > now && p.source == source)
            .ok_or((404, "no such pairing in progress; start again".to_string()))?;
        let fp = self.identity.fingerprint();
        let proved = pairing::check(
            &pending.key,
            "kiosk",
            &fp,
            &pending.kiosk_id,
            &confirm.proof,
        );
        // Still the code it started against, and still open.
        let current = {
            let mut slot = self.code.lock().map_err(|_| (500, "busy".to_string()))?;
            let live = slot
                .as_ref()
                .is_some_and(|open| open.expires_at > now && Some(open.serial) == pending.serial);
            if live && !proved {
                let open = slot.as_mut().expect("checked above");
                open.wrong += 1;
                if open.wrong >= pairing::MAX_WRONG_PER_CODE {
                    *slot = None;
                    tracing::warn!(
                        "the pairing code was closed after {} wrong tries from the network; show a new one to pair a kiosk",
                        pairing::MAX_WRONG_PER_CODE
                    );
                }
            }
            live
        };
        if !proved || !current {
            if !proved {
                self.count_wrong(source, now);
            }
            self.refusals.warn(
                source,
                now,
                &format!(
                    "a pairing with a wrong code (kiosk {})",
                    escaped(&pending.kiosk_id, 64)
                ),
            );
            return Err((403, "the code did not match".into()));
        }
        let kiosk = store::PairedKiosk {
            kiosk_id: pending.kiosk_id.clone(),
            name: if pending.name.is_empty() {
                "Kiosk".into()
            } else {
                pending.name.clone()
            },
            secret: pairing::delivery_secret(&pending.key),
            paired_at: now,
        };
        {
            let conn = self.db.lock().map_err(|_| (500, "busy".to_string()))?;
            store::add_kiosk(&conn, &kiosk).map_err(|e| (500, format!("not saved: {e}")))?;
        }
        self.close_code();
        tracing::info!(
            "paired with kiosk {} ({}) at {source}",
            escaped(&kiosk.name, 80),
            kiosk.kiosk_id
        );
        Ok(PairConfirmReply {
            proof: pairing::proof(&pending.key, "laptop", &fp, &pending.kiosk_id),
        })
    }

    /// A callback request from a kiosk at `source`: `header(name)` reads the request's
    /// headers. Stored only when a paired kiosk signed it and every field passes the callback
    /// form's rules.
    pub fn receive(
        &self,
        source: IpAddr,
        header: impl Fn(&str) -> Option<String>,
        body: &[u8],
        now: i64,
    ) -> Answer {
        let refuse = |what: String| self.refusals.warn(source, now, &what);
        let Some(kiosk_id) = header(KIOSK_HEADER) else {
            refuse("a request without a kiosk id".into());
            return (401, "missing kiosk id".into());
        };
        let known = kiosk_id.len() <= 64
            && kiosk_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-');
        let kiosk = match self.db.lock().map(|c| store::kiosk(&c, &kiosk_id)) {
            Ok(Ok(Some(k))) if known => k,
            Ok(Ok(_)) => {
                refuse(format!(
                    "a request from kiosk {:?}: not paired with this front desk",
                    escaped(&kiosk_id, 64)
                ));
                return (401, "this kiosk is not paired with this front desk".into());
            }
            _ => return (503, "busy".into()),
        };
        let name = escaped(&kiosk.name, 80);
        if let Err(why) = webhook::verify(
            &kiosk.secret,
            header(webhook::TIMESTAMP_HEADER).as_deref(),
            header(webhook::SIGNATURE_HEADER).as_deref(),
            body,
            now.div_euclid(1000),
        ) {
            refuse(format!("a request from kiosk {name}: {why}"));
            return (401, why.to_string());
        }
        let incoming: Incoming = match serde_json::from_slice(body) {
            Ok(i) => i,
            Err(_) => {
                refuse(format!(
                    "a request from kiosk {name}: the body is not a version 1 request"
                ));
                return (400, "not a version 1 callback request".into());
            }
        };
        if incoming.version != crate::webhook::body::BODY_VERSION {
            refuse(format!(
                "a request from kiosk {name}: unknown version {}",
                incoming.version
            ));
            return (400, format!("unknown version {}", incoming.version));
        }
        let checked = match check(&incoming, &self.callbacks) {
            Ok(c) => c,
            Err(fields) => {
                // Field names and rule codes only: nothing the patient typed.
                refuse(format!(
                    "request {} from kiosk {name}: it breaks the form's rules ({fields})",
                    escaped(&incoming.id, 40)
                ));
                return (
                    400,
                    format!("refused by the callback form's rules: {fields}"),
                );
            }
        };
        let Ok(conn) = self.db.lock() else {
            return (503, "busy".into());
        };
        match store_incoming(&conn, &checked, &kiosk.kiosk_id, &self.forward_to, now) {
            Ok(true) => {
                tracing::info!("received request {} from kiosk {name}", checked.id);
                (201, "stored".into())
            }
            Ok(false) => {
                tracing::info!(
                    "request {} from kiosk {name} was already here; dropped",
                    checked.id
                );
                (200, "already stored".into())
            }
            Err(err) => {
                tracing::error!("request {} from kiosk {name} not stored: {err}", checked.id);
                (503, "not stored; try again".into())
            }
        }
    }
}

/// The webhook body as the laptop reads it: the very type the kiosk writes.
type Incoming = crate::webhook::body::WebhookBody;

/// A request from a kiosk that passed the form's rules, normalised as the kiosk stores it.
struct Checked {
    id: String,
    created_at: i64,
    valid: validate::ValidRequest,
    consent_at: i64,
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
fn check(r: &Incoming, settings: &CallbackSettings) -> Result<Checked, String> {
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
    if !bad.is_empty() {
        return Err(bad.join(", "));
    }
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
            created_at: created_at.unwrap_or_default(),
            consent_at: consent_at.unwrap_or_default(),
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

/// "2026-11-25T14:03:07.250Z" back to Unix ms.
fn parse_time(text: &str) -> Option<i64> {
    text.parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_millisecond())
}

/// Stores a checked request from a kiosk in this laptop's inbox, and queues it for the laptop's own
/// destinations; `false` when it was already here.
fn store_incoming(
    conn: &Connection,
    r: &Checked,
    source: &str,
    forward_to: &[String],
    now: i64,
) -> rusqlite::Result<bool> {
    let v = &r.valid;
    let inserted = conn.execute(
        "INSERT OR IGNORE INTO callback_request (id, created_at, name, phone, phone_display, best_time,
             language, note, specialty, topic, article, consent_version, consent_at, status, status_at, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'new', ?14, ?15)",
        params![
            r.id,
            r.created_at,
            v.name,
            v.phone,
            v.phone_display,
            v.best_time,
            v.language,
            v.note,
            v.specialty,
            v.topic,
            v.article,
            v.consent_version,
            r.consent_at,
            now,
            source
        ],
    )? > 0;
    if inserted {
        conn.execute(
            "INSERT OR IGNORE INTO outbox (request_id, destination, created_at, next_attempt_at, delivered_at)
             VALUES (?1, ?2, ?3, ?3, ?3)",
            params![r.id, crate::callbacks::outbox::STAFF_INBOX, now],
        )?;
        for destination in forward_to
            .iter()
            .filter(|d| *d != crate::callbacks::outbox::STAFF_INBOX)
        {
            conn.execute(
                "INSERT OR IGNORE INTO outbox (request_id, destination, created_at, next_attempt_at)
                 VALUES (?1, ?2, ?3, ?3)",
                params![r.id, destination, now],
            )?;
        }
    }
    Ok(inserted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_text_is_escaped_and_cut_short() {
        assert_eq!(escaped("lobby", 10), "lobby");
        let forged = "x\nWARN forged line\u{202E}txt.exe\u{200B}\u{1b}[31m";
        let shown = escaped(forged, 200);
        assert!(
            !shown.contains('\n') && !shown.contains('\u{202E}'),
            "{shown}"
        );
        assert!(
            !shown.contains('\u{200B}') && !shown.contains('\u{1b}'),
            "{shown}"
        );
        assert!(
            shown.contains("\\n") && shown.contains("\\u{202e}"),
            "{shown}"
        );
        let long = "a".repeat(10_000);
        assert_eq!(escaped(&long, 64).chars().count(), 65, "64 and an ellipsis");
    }

    #[test]
    fn refusals_are_logged_once_per_address_per_interval() {
        let log = RefusalLog::default();
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.5".parse().unwrap(), "10.0.0.6".parse().unwrap());
        let t0 = 1_000_000;
        assert!(log.line(a, t0, "first").is_some());
        for i in 1..=50 {
            assert!(log.line(a, t0 + i, "again").is_none(), "{i}");
        }
        assert!(log.line(b, t0 + 60, "another address").is_some());
        let next = log
            .line(a, t0 + LOG_INTERVAL_MS, "later")
            .expect("a new interval");
        assert!(next.contains("50 refusal(s)"), "{next}");
        assert!(log.line(a, t0 + LOG_INTERVAL_MS + 1, "x").is_none());
        // A flood from many addresses keeps the memory bounded.
        for i in 0..(MAX_SOURCES as u32 + 100) {
            let ip = IpAddr::V4(std::net::Ipv4Addr::from(0x0a01_0000 + i));
            let _ = log.line(ip, t0 + 2 * LOG_INTERVAL_MS, "flood");
        }
        assert!(log.seen.lock().unwrap().len() <= MAX_SOURCES);
    }
}
