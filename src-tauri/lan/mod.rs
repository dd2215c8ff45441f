//! The front-desk laptop over the clinic's LAN (issue #5). The laptop (front-desk mode)
//! serves HTTPS with its own certificate; a kiosk pairs with it once by a short code shown on
//! the laptop ([`pairing`]), then pins that certificate and signs every request with the
//! secret both derived. The laptop accepts requests only from paired kiosks, drops ones it
//! already has, and logs why it refuses anything. Nothing personal crosses the LAN in clear.
//!
//! No Tauri here: [`FrontDesk`] answers requests, [`server`] puts it on a TLS port, and
//! [`client`] is the kiosk's side.

pub mod client;
pub mod pairing;
pub mod server;
pub mod store;
pub mod tls;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

use crate::delivery::webhook;

/// The outbox destination of a kiosk's paired laptop.
pub const FRONT_DESK: &str = "front-desk";
/// The port the laptop listens on unless the config says otherwise.
pub const DEFAULT_PORT: u16 = 8470;
/// Header naming the sending kiosk.
pub const KIOSK_HEADER: &str = "X-Kiosk-Id";

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
    tries_left: u32,
}

struct Pending {
    kiosk_id: String,
    name: String,
    key: Vec<u8>,
    expires_at: i64,
}

/// The laptop's side: its identity, its kiosk.db, the pairing code on show.
pub struct FrontDesk {
    pub identity: tls::Identity,
    pub db: Arc<Mutex<Connection>>,
    /// The laptop's own destinations (webhook, FHIR): requests from kiosks go on to them.
    pub forward_to: Vec<String>,
    code: Mutex<Option<OpenCode>>,
    pending: Mutex<HashMap<String, Pending>>,
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
            code: Mutex::new(None),
            pending: Mutex::new(HashMap::new()),
        }
    }

    /// Shows a new pairing code (the previous one stops working).
    pub fn open_code(&self, now: i64) -> CodeView {
        let code = pairing::new_code();
        let expires_at = now + pairing::CODE_TTL_MS;
        if let Ok(mut slot) = self.code.lock() {
            *slot = Some(OpenCode {
                code: code.clone(),
                expires_at,
                tries_left: pairing::MAX_TRIES,
            });
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

    /// First step of a kiosk's pairing.
    pub fn pair_start(&self, start: &PairStart, now: i64) -> Result<PairStartReply, Answer> {
        let code = {
            let slot = self.code.lock().map_err(|_| (500, "busy".to_string()))?;
            match slot.as_ref() {
                Some(open) if open.expires_at > now => open.code.clone(),
                _ => {
                    return Err((
                        403,
                        "no pairing code is open; show one in the staff view".into(),
                    ))
                }
            }
        };
        let theirs = hex::decode(&start.msg).map_err(|_| (400, "bad message".to_string()))?;
        if start.kiosk_id.is_empty() || start.kiosk_id.len() > 64 || start.kiosk_name.len() > 80 {
            return Err((400, "bad kiosk id or name".into()));
        }
        let (state, ours) = pairing::start(&code);
        let key = pairing::finish(state, &theirs).ok_or((400, "bad message".to_string()))?;
        let pairing_id = uuid::Uuid::new_v4().to_string();
        if let Ok(mut pending) = self.pending.lock() {
            pending.retain(|_, p| p.expires_at > now);
            pending.insert(
                pairing_id.clone(),
                Pending {
                    kiosk_id: start.kiosk_id.clone(),
                    name: start.kiosk_name.trim().to_string(),
                    key,
                    expires_at: now + 60_000,
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
        now: i64,
    ) -> Result<PairConfirmReply, Answer> {
        let pending = self
            .pending
            .lock()
            .ok()
            .and_then(|mut p| p.remove(&confirm.pairing_id))
            .filter(|p| p.expires_at > now)
            .ok_or((404, "no such pairing in progress; start again".to_string()))?;
        let fp = self.identity.fingerprint();
        if !pairing::check(
            &pending.key,
            "kiosk",
            &fp,
            &pending.kiosk_id,
            &confirm.proof,
        ) {
            let burnt = match self.code.lock() {
                Ok(mut slot) => match slot.as_mut() {
                    Some(open) => {
                        open.tries_left = open.tries_left.saturating_sub(1);
                        if open.tries_left == 0 {
                            *slot = None;
                            true
                        } else {
                            false
                        }
                    }
                    None => false,
                },
                Err(_) => false,
            };
            tracing::warn!(
                "pairing refused for kiosk {}: wrong code{}",
                pending.kiosk_id,
                if burnt {
                    "; the code is now closed"
                } else {
                    ""
                }
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
        tracing::info!("paired with kiosk {} ({})", kiosk.name, kiosk.kiosk_id);
        Ok(PairConfirmReply {
            proof: pairing::proof(&pending.key, "laptop", &fp, &pending.kiosk_id),
        })
    }

    /// A callback request from a kiosk: `header(name)` reads the request's headers.
    pub fn receive(
        &self,
        header: impl Fn(&str) -> Option<String>,
        body: &[u8],
        now: i64,
    ) -> Answer {
        let Some(kiosk_id) = header(KIOSK_HEADER) else {
            tracing::warn!("refused a request without a kiosk id");
            return (401, "missing kiosk id".into());
        };
        let kiosk = match self.db.lock().map(|c| store::kiosk(&c, &kiosk_id)) {
            Ok(Ok(Some(k))) => k,
            Ok(Ok(None)) => {
                tracing::warn!(
                    "refused a request from kiosk {kiosk_id}: not paired with this front desk"
                );
                return (401, "this kiosk is not paired with this front desk".into());
            }
            _ => return (503, "busy".into()),
        };
        if let Err(why) = webhook::verify(
            &kiosk.secret,
            header(webhook::TIMESTAMP_HEADER).as_deref(),
            header(webhook::SIGNATURE_HEADER).as_deref(),
            body,
            now.div_euclid(1000),
        ) {
            tracing::warn!("refused a request from kiosk {}: {why}", kiosk.name);
            return (401, why.to_string());
        }
        let incoming: Incoming = match serde_json::from_slice(body) {
            Ok(i) => i,
            Err(_) => {
                tracing::warn!(
                    "refused a request from kiosk {}: the body is not a version 1 request",
                    kiosk.name
                );
                return (400, "not a version 1 callback request".into());
            }
        };
        if incoming.version != crate::delivery::payload::BODY_VERSION {
            return (400, format!("unknown version {}", incoming.version));
        }
        let Ok(conn) = self.db.lock() else {
            return (503, "busy".into());
        };
        match store_incoming(&conn, &incoming, &kiosk.kiosk_id, &self.forward_to, now) {
            Ok(true) => {
                tracing::info!("received request {} from kiosk {}", incoming.id, kiosk.name);
                (201, "stored".into())
            }
            Ok(false) => {
                tracing::info!(
                    "request {} from kiosk {} was already here; dropped",
                    incoming.id,
                    kiosk.name
                );
                (200, "already stored".into())
            }
            Err(err) => {
                tracing::error!(
                    "request {} from kiosk {} not stored: {err}",
                    incoming.id,
                    kiosk.name
                );
                (503, "not stored; try again".into())
            }
        }
    }
}

/// The webhook body (version 1) as the laptop reads it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Incoming {
    version: u32,
    id: String,
    created_at: String,
    patient: IncomingPatient,
    best_time: String,
    note: Option<String>,
    specialty: String,
    topic: Option<String>,
    article: Option<String>,
    consent: IncomingConsent,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct IncomingPatient {
    name: String,
    phone: String,
    phone_display: String,
    language: String,
}

#[derive(Debug, Deserialize)]
struct IncomingConsent {
    version: String,
    at: String,
}

/// "2026-11-25T14:03:07.250Z" back to Unix ms.
fn parse_time(text: &str) -> Option<i64> {
    text.parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_millisecond())
}

/// Stores a request from a kiosk in this laptop's inbox, and queues it for the laptop's own
/// destinations; `false` when it was already here.
fn store_incoming(
    conn: &Connection,
    r: &Incoming,
    source: &str,
    forward_to: &[String],
    now: i64,
) -> rusqlite::Result<bool> {
    let created = parse_time(&r.created_at).unwrap_or(now);
    let consent_at = parse_time(&r.consent.at).unwrap_or(created);
    let inserted = conn.execute(
        "INSERT OR IGNORE INTO callback_request (id, created_at, name, phone, phone_display, best_time,
             language, note, specialty, topic, article, consent_version, consent_at, status, status_at, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'new', ?14, ?15)",
        params![
            r.id,
            created,
            r.patient.name,
            r.patient.phone,
            r.patient.phone_display,
            r.best_time,
            r.patient.language,
            r.note,
            r.specialty,
            r.topic,
            r.article,
            r.consent.version,
            consent_at,
            now,
            source
        ],
    )? > 0;
    if inserted {
        conn.execute(
            "INSERT OR IGNORE INTO outbox (request_id, destination, created_at, next_attempt_at, delivered_at)
             VALUES (?1, ?2, ?3, ?3, ?3)",
            params![r.id, crate::delivery::STAFF_INBOX, now],
        )?;
        for destination in forward_to
            .iter()
            .filter(|d| *d != crate::delivery::STAFF_INBOX)
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
