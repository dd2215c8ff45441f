//! The laptop's side of the link: the pairing code on show, the two pairing steps, and the
//! callback requests paired kiosks send. [`super::server`] puts it on the TLS port.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use serde::Serialize;

use super::checks::{self, Checked, Incoming};
use super::refusals::{escaped, RefusalLog};
use super::{pairing, store, tls, Answer, KIOSK_HEADER, MAX_SOURCES};
use super::{PairConfirm, PairConfirmReply, PairStart, PairStartReply};
use crate::callbacks::outbox;
use crate::callbacks::settings::CallbackSettings;
use crate::webhook;

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
    /// The laptop's TLS certificate and key, which paired kiosks pin.
    pub identity: tls::Identity,
    /// The laptop's kiosk.db: paired kiosks, and the inbox requests are stored in.
    pub db: Arc<Mutex<Connection>>,
    /// The laptop's own destinations (webhook, FHIR): requests from kiosks go on to them.
    pub forward_to: Vec<String>,
    /// The clinic's callback settings (its phone region): what a kiosk sends is checked with
    /// the callback form's rules.
    pub callbacks: CallbackSettings,
    /// Refusals, logged once per address per interval (the server logs through it too).
    pub refusals: RefusalLog,
    /// The folder of content packs staff sent to kiosks (`fleet::outgoing_dir`); `None`
    /// serves none (issue #15).
    pub outgoing: Option<std::path::PathBuf>,
    /// Woken when a request from a kiosk is stored, so the laptop's own delivery worker
    /// passes it on at once rather than at its next poll (issue #15's fleet benchmark).
    pub stored: Option<Arc<tokio::sync::Notify>>,
    /// Packs on their way to kiosks now (see `fleet::MAX_SENDING`).
    pub(super) sending: Arc<std::sync::atomic::AtomicUsize>,
    code: Mutex<Option<OpenCode>>,
    serial: std::sync::atomic::AtomicU64,
    pending: Mutex<HashMap<String, Pending>>,
    tries: Mutex<HashMap<IpAddr, Tries>>,
}

/// A pairing code on show, for the staff screen.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeView {
    /// The digits staff type on the kiosk.
    pub code: String,
    /// Unix ms the code stops working.
    pub expires_at: i64,
    /// First characters of the certificate fingerprint, for staff to compare by eye.
    pub fingerprint: String,
    /// The code, the full fingerprint and (when the UI adds one) the address as a QR code, for
    /// a staff phone or a kiosk with a scanner: `clinic-kiosk-pair:?code=..&fp=..`.
    pub qr_svg: String,
}

/// The answer when a lock was poisoned by a panic elsewhere.
fn busy() -> Answer {
    (500, "busy".to_string())
}

impl FrontDesk {
    /// A front desk with no code on show, no destinations of its own and the default
    /// callback settings.
    pub fn new(identity: tls::Identity, db: Arc<Mutex<Connection>>) -> Self {
        FrontDesk {
            identity,
            db,
            forward_to: Vec::new(),
            callbacks: CallbackSettings::default(),
            refusals: RefusalLog::default(),
            outgoing: None,
            stored: None,
            sending: Arc::default(),
            code: Mutex::new(None),
            serial: std::sync::atomic::AtomicU64::new(1),
            pending: Mutex::new(HashMap::new()),
            tries: Mutex::new(HashMap::new()),
        }
    }

    /// Shows a new pairing code, valid [`pairing::CODE_TTL_MS`] from `now` (Unix ms); the
    /// previous one stops working and every address may try again.
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

    /// [`open_code`](Self::open_code), with the QR code also carrying the first of
    /// `addresses` (see [`super::status::addresses`]), so a kiosk that scans it needs
    /// nothing typed.
    pub fn open_code_for(&self, now: i64, addresses: &[String]) -> CodeView {
        let mut view = self.open_code(now);
        if let Some(address) = addresses.first() {
            view.qr_svg = crate::qr::svg(&format!(
                "clinic-kiosk-pair:?address={address}&code={}&fp={}",
                view.code,
                self.identity.fingerprint()
            ));
        }
        view
    }

    /// Takes the code off show: no kiosk can pair until a new one is shown.
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

    /// First step of a kiosk's pairing, from `source` at `now` (Unix ms). Answered the same
    /// whether or not a code is open: without one, against a random secret no one can match.
    /// `Err` is 400 for a bad id, name or message, 429 after too many wrong codes from
    /// `source`, 503 when too many pairings are in progress.
    pub fn pair_start(
        &self,
        start: &PairStart,
        source: IpAddr,
        now: i64,
    ) -> Result<PairStartReply, Answer> {
        let (name, theirs) = self.start_request(start, source, now)?;
        let open = {
            let slot = self.code.lock().map_err(|_| busy())?;
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
        let pending = Pending {
            kiosk_id: start.kiosk_id.clone(),
            name,
            key,
            expires_at: now + pairing::PENDING_TTL_MS,
            source,
            serial,
        };
        self.hold(pairing_id.clone(), pending, now)?;
        Ok(PairStartReply {
            pairing_id,
            msg: hex::encode(ours),
        })
    }

    /// The kiosk's trimmed name and SPAKE2 message from a first step, if the id, name and
    /// message are well formed and `source` has wrong codes to spare.
    fn start_request(
        &self,
        start: &PairStart,
        source: IpAddr,
        now: i64,
    ) -> Result<(String, Vec<u8>), Answer> {
        let kiosk_id_ok = !start.kiosk_id.is_empty()
            && start.kiosk_id.len() <= 64
            && start
                .kiosk_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-');
        let name = start.kiosk_name.trim();
        if !kiosk_id_ok || name.chars().count() > 80 || checks::has_hidden(name) {
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
        Ok((name.to_string(), theirs))
    }

    /// Keeps a started pairing until its second step, within the caps: an address's oldest
    /// makes way for its newest, and 503 when too many are in progress in all.
    fn hold(&self, pairing_id: String, pairing: Pending, now: i64) -> Result<(), Answer> {
        let source = pairing.source;
        let mut pending = self.pending.lock().map_err(|_| busy())?;
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
        pending.insert(pairing_id, pairing);
        Ok(())
    }

    /// Second step: the kiosk proves it used the same code and saw this certificate. The
    /// kiosk is then paired (stored in kiosk.db) and the code closed. `Err` is 404 with no
    /// such pairing from `source`, 403 for a wrong or closed code.
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
        let current = self.still_open(pending.serial, proved, now)?;
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
            let conn = self.db.lock().map_err(|_| busy())?;
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

    /// Whether the code a pairing started against (`serial`) is still the open one; a wrong
    /// proof against it counts, and closes it after [`pairing::MAX_WRONG_PER_CODE`].
    fn still_open(&self, serial: Option<u64>, proved: bool, now: i64) -> Result<bool, Answer> {
        let mut slot = self.code.lock().map_err(|_| busy())?;
        let live = slot
            .as_ref()
            .is_some_and(|open| open.expires_at > now && Some(open.serial) == serial);
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
        Ok(live)
    }

    /// A callback request from a kiosk at `source`: `header(name)` reads the request's
    /// headers, `body` is the webhook body's bytes, `now` Unix ms. Stored only when a paired
    /// kiosk signed it and every field passes the callback form's rules: 201 stored, 200
    /// already stored, 400 a body the rules refuse, 401 not paired or badly signed, 503
    /// busy or not stored.
    pub fn receive(
        &self,
        source: IpAddr,
        header: impl Fn(&str) -> Option<String>,
        body: &[u8],
        now: i64,
    ) -> Answer {
        let kiosk = match self.signed_by(source, &header, body, now) {
            Ok(kiosk) => kiosk,
            Err(answer) => return answer,
        };
        let name = escaped(&kiosk.name, 80);
        let checked = match self.read_request(source, &name, body, now) {
            Ok(checked) => checked,
            Err(answer) => return answer,
        };
        let Ok(conn) = self.db.lock() else {
            return (503, "busy".into());
        };
        let row = outbox::NewRequest {
            id: &checked.id,
            created_at: checked.created_at,
            consent_at: checked.consent_at,
            status_at: now,
            request: &checked.valid,
            source: Some(&kiosk.kiosk_id),
        };
        match outbox::store_received(&conn, &row, &self.forward_to, now) {
            Ok(true) => {
                tracing::info!("received request {} from kiosk {name}", checked.id);
                if let Some(wake) = &self.stored {
                    wake.notify_one();
                }
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

    /// The paired kiosk that signed `body`, by its id header and its signature headers.
    pub(super) fn signed_by(
        &self,
        source: IpAddr,
        header: impl Fn(&str) -> Option<String>,
        body: &[u8],
        now: i64,
    ) -> Result<store::PairedKiosk, Answer> {
        let refuse = |what: String| self.refusals.warn(source, now, &what);
        let Some(kiosk_id) = header(KIOSK_HEADER) else {
            refuse("a request without a kiosk id".into());
            return Err((401, "missing kiosk id".into()));
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
                return Err((401, "this kiosk is not paired with this front desk".into()));
            }
            _ => return Err((503, "busy".into())),
        };
        if let Err(why) = webhook::verify(
            &kiosk.secret,
            header(webhook::TIMESTAMP_HEADER).as_deref(),
            header(webhook::SIGNATURE_HEADER).as_deref(),
            body,
            now.div_euclid(1000),
        ) {
            refuse(format!(
                "a request from kiosk {}: {why}",
                escaped(&kiosk.name, 80)
            ));
            return Err((401, why.to_string()));
        }
        Ok(kiosk)
    }

    /// A signed body from kiosk `name` (escaped) read as a version 1 request and checked by
    /// the form's rules ([`checks::check`]); `Err` 400 says why, never with patient data.
    fn read_request(
        &self,
        source: IpAddr,
        name: &str,
        body: &[u8],
        now: i64,
    ) -> Result<Checked, Answer> {
        let refuse = |what: String| self.refusals.warn(source, now, &what);
        let incoming: Incoming = match serde_json::from_slice(body) {
            Ok(i) => i,
            Err(_) => {
                refuse(format!(
                    "a request from kiosk {name}: the body is not a version 1 request"
                ));
                return Err((400, "not a version 1 callback request".into()));
            }
        };
        if incoming.version != webhook::body::BODY_VERSION {
            refuse(format!(
                "a request from kiosk {name}: unknown version {}",
                incoming.version
            ));
            return Err((400, format!("unknown version {}", incoming.version)));
        }
        checks::check(&incoming, &self.callbacks).map_err(|fields| {
            // Field names and rule codes only: nothing the patient typed.
            refuse(format!(
                "request {} from kiosk {name}: it breaks the form's rules ({fields})",
                escaped(&incoming.id, 40)
            ));
            (
                400,
                format!("refused by the callback form's rules: {fields}"),
            )
        })
    }
}
