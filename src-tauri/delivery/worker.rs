//! The outbox worker: sends each destination's rows one at a time, oldest first, and records
//! what became of each try in kiosk.db. A row that must wait holds back the rows behind it,
//! so a receiver that was away gets them in order. Logs name requests by id only.

use std::sync::Mutex;
use std::time::Duration;

use rusqlite::Connection;

use super::payload::{self, RequestRecord};
use super::{
    classify, fhir, outbox, smart, webhook, Attempt, Backoff, Destination, FhirAuth, Kind,
};
use crate::callbacks::CallbackSettings;

/// How long one HTTP request may take before it counts as a failed try.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// The worker looks at the outbox at least this often (and at once when woken).
pub const POLL: Duration = Duration::from_secs(5);

/// What one pass over the outbox did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pass {
    /// Rows delivered.
    pub delivered: usize,
    /// Rows that will be tried again.
    pub retrying: usize,
    /// Rows refused for good.
    pub failed: usize,
}

/// Sends the outbox's rows to the destinations, one row at a time per destination.
pub struct Worker {
    /// Where requests go, from the config.
    pub destinations: Vec<Destination>,
    /// How long a failed row waits.
    pub backoff: Backoff,
    /// The clinic's name, put in each webhook body.
    pub clinic: String,
    /// The clinic's callback settings (time slots, for FHIR's call-back window).
    pub settings: CallbackSettings,
    /// Specialty slug -> name, for a FHIR recipient with no configured reference.
    pub specialty_names: Vec<(String, String)>,
    /// The clinic's time zone, for the preferred call-back window.
    pub zone: jiff::tz::TimeZone,
    client: reqwest::Client,
    /// The client pinned to the paired laptop's certificate, by fingerprint.
    lan_client: Mutex<Option<(String, reqwest::Client)>>,
    /// SMART access tokens, by destination.
    tokens: smart::Tokens,
    rng: Mutex<fastrand::Rng>,
}

impl Worker {
    /// A worker with the default backoff and the system's time zone; `clinic` is the clinic's name.
    pub fn new(destinations: Vec<Destination>, clinic: String, settings: CallbackSettings) -> Self {
        let client = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("clinic-kiosk/", env!("CARGO_PKG_VERSION")))
            // A redirect could carry the patient's details somewhere else: refuse them.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("the HTTP client builds with fixed settings");
        Worker {
            destinations,
            backoff: Backoff::default(),
            clinic,
            settings,
            specialty_names: Vec::new(),
            zone: jiff::tz::TimeZone::system(),
            client,
            lan_client: Mutex::new(None),
            tokens: smart::Tokens::default(),
            rng: Mutex::new(fastrand::Rng::new()),
        }
    }

    /// One pass: every due row of every destination, each destination in order.
    pub async fn run_once(&self, db: &Mutex<Connection>, now: impl Fn() -> i64) -> Pass {
        let mut pass = Pass::default();
        let destinations = self.destinations_now(db);
        for destination in &destinations {
            loop {
                let pending = match db.lock() {
                    Ok(conn) => outbox::oldest_pending(&conn, &destination.id),
                    Err(_) => return pass,
                };
                let pending = match pending {
                    Ok(Some(p)) if p.next_attempt_at <= now() => p,
                    Ok(_) => break,
                    Err(err) => {
                        tracing::error!("outbox unreadable: {err}");
                        return pass;
                    }
                };
                let record = match db.lock() {
                    Ok(conn) => payload::load(&conn, &pending.request_id),
                    Err(_) => return pass,
                };
                let attempt = match record {
                    Ok(Some(record)) => self.send(destination, &record, now()).await,
                    Ok(None) => Attempt::Failed {
                        status: 0,
                        reason: "the request was erased before it could be delivered".into(),
                    },
                    Err(err) => {
                        tracing::error!("request {} unreadable: {err}", pending.request_id);
                        return pass;
                    }
                };
                let Ok(conn) = db.lock() else { return pass };
                let (result, go_on) =
                    self.record(&conn, destination, &pending, &attempt, now(), &mut pass);
                if let Err(err) = result {
                    tracing::error!("outbox not updated: {err}");
                    return pass;
                }
                if !go_on {
                    break;
                }
            }
        }
        pass
    }

    /// The config's destinations, and the front desk when this kiosk is paired.
    fn destinations_now(&self, db: &Mutex<Connection>) -> Vec<Destination> {
        let mut destinations = self.destinations.clone();
        // A kiosk paired with a front-desk laptop sends there too.
        if let Ok(Ok(Some(p))) = db.lock().map(|c| crate::lan::store::pairing(&c)) {
            destinations.push(Destination {
                id: crate::lan::FRONT_DESK.into(),
                kind: Kind::FrontDesk {
                    address: p.address,
                    fingerprint: p.fingerprint,
                    kiosk_id: p.kiosk_id,
                    secret: p.secret,
                },
            });
        }
        destinations
    }

    /// Records what `attempt` at `pending` came to at `at` (Unix ms), counted in `pass`;
    /// and whether the destination's next row may go now (not after a retry: rows go in
    /// order).
    fn record(
        &self,
        conn: &Connection,
        destination: &Destination,
        pending: &outbox::Pending,
        attempt: &Attempt,
        at: i64,
        pass: &mut Pass,
    ) -> (rusqlite::Result<()>, bool) {
        match attempt {
            Attempt::Delivered { status } => {
                tracing::info!(
                    "delivered request {} to {} (HTTP {status})",
                    pending.request_id,
                    destination.id
                );
                pass.delivered += 1;
                (outbox::mark_delivered(conn, pending.id, at, *status), true)
            }
            Attempt::Retry {
                status,
                reason,
                retry_after_ms,
            } => {
                let attempts = pending.attempts + 1;
                let jitter = match self.rng.lock() {
                    Ok(mut rng) => self.backoff.delay(attempts, &mut rng),
                    Err(_) => self.backoff.ceiling(attempts),
                };
                let wait = retry_after_ms.map_or(jitter, |asked| asked.max(jitter));
                tracing::warn!(
                    "request {} not delivered to {}: {reason}; try {} in {} s",
                    pending.request_id,
                    destination.id,
                    attempts + 1,
                    wait / 1000
                );
                pass.retrying += 1;
                (
                    outbox::mark_retry(conn, pending.id, at + wait, *status, reason),
                    false,
                )
            }
            Attempt::Failed { status, reason } => {
                tracing::warn!(
                    "request {} refused by {}: {reason}; staff can retry it",
                    pending.request_id,
                    destination.id
                );
                pass.failed += 1;
                let status = (*status != 0).then_some(*status);
                (
                    outbox::mark_failed(conn, pending.id, at, status, reason),
                    true,
                )
            }
        }
    }

    /// The webhook body (also what the front desk reads) with its signature headers: the
    /// same for a clinic's webhook and for the paired laptop, each with its own secret.
    fn signed(
        &self,
        post: reqwest::RequestBuilder,
        secret: &str,
        record: &RequestRecord,
        now: i64,
    ) -> reqwest::RequestBuilder {
        let body = payload::webhook_body(record, &self.clinic);
        let ts = now.div_euclid(1000);
        post.header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(webhook::TIMESTAMP_HEADER, ts.to_string())
            .header(webhook::SIGNATURE_HEADER, webhook::sign(secret, ts, &body))
            .header(webhook::IDEMPOTENCY_HEADER, &record.id)
            .body(body)
    }

    /// A FHIR `CommunicationRequest` for `record` to the server at `base` (see [`fhir`]),
    /// with the bearer `token`.
    fn fhir_request(
        &self,
        base: &str,
        token: &str,
        identifier_system: &str,
        recipients: &std::collections::BTreeMap<String, String>,
        record: &RequestRecord,
    ) -> reqwest::RequestBuilder {
        let slot = self
            .settings
            .slots
            .iter()
            .find(|s| s.id == record.best_time);
        let label = slot
            .and_then(|s| s.label.get("en").or_else(|| s.label.values().next()))
            .cloned()
            .unwrap_or_else(|| record.best_time.clone());
        let name = self
            .specialty_names
            .iter()
            .find(|(slug, _)| *slug == record.specialty)
            .map_or(record.specialty.as_str(), |(_, name)| name.as_str());
        let ctx = fhir::Context {
            identifier_system,
            recipients,
            specialty_name: name,
            period: slot
                .and_then(|s| s.hours)
                .and_then(|h| fhir::occurrence_period(record.created_at, h, &self.zone)),
            best_time_label: &label,
        };
        let resource = fhir::communication_request(record, &ctx);
        self.client
            .post(format!(
                "{}/CommunicationRequest",
                base.trim_end_matches('/')
            ))
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, "application/fhir+json")
            .header(reqwest::header::ACCEPT, "application/fhir+json")
            .header(
                "If-None-Exist",
                fhir::if_none_exist(identifier_system, &record.id),
            )
            .header(webhook::IDEMPOTENCY_HEADER, &record.id)
            .body(serde_json::to_vec(&resource).expect("JSON"))
    }

    /// The client pinned to the laptop's certificate `fingerprint`, made once per
    /// fingerprint.
    fn lan_client(&self, fingerprint: &str) -> reqwest::Client {
        let mut slot = self.lan_client.lock().expect("lan client lock");
        match slot.as_ref() {
            Some((fp, client)) if fp == fingerprint => client.clone(),
            _ => {
                let client = crate::lan::client::pinned_client(fingerprint);
                *slot = Some((fingerprint.to_string(), client.clone()));
                client
            }
        }
    }

    /// One try at delivering `record` to `destination` at `now` (Unix ms).
    async fn send(&self, destination: &Destination, record: &RequestRecord, now: i64) -> Attempt {
        let request = match &destination.kind {
            Kind::Webhook { url, secret } => {
                self.signed(self.client.post(url), secret, record, now)
            }
            Kind::Fhir {
                base,
                auth,
                identifier_system,
                recipients,
            } => {
                let token = match auth {
                    FhirAuth::TokenFile(path) => fhir::read_token(path),
                    FhirAuth::Smart(client) => {
                        self.tokens
                            .get(&self.client, &destination.id, client, now)
                            .await
                    }
                };
                match token {
                    Ok(token) => {
                        self.fhir_request(base, &token, identifier_system, recipients, record)
                    }
                    // The file may be being renewed, or the EHR's token endpoint away or
                    // being set up by IT: the request waits, with the reason for staff.
                    Err(why) => {
                        return Attempt::Retry {
                            status: None,
                            reason: why,
                            retry_after_ms: None,
                        }
                    }
                }
            }
            Kind::FrontDesk {
                address,
                fingerprint,
                kiosk_id,
                secret,
            } => {
                let client = self.lan_client(fingerprint);
                let post = client
                    .post(format!("https://{address}/requests"))
                    .header(crate::lan::KIOSK_HEADER, kiosk_id);
                self.signed(post, secret, record, now)
            }
        };
        match request.send().await {
            Ok(response) => {
                let retry_after = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                let status = response.status().as_u16();
                if let Kind::Fhir {
                    auth: FhirAuth::Smart(_),
                    ..
                } = &destination.kind
                {
                    if status == 401 {
                        // A SMART token can be revoked or expire early: get a new one and
                        // try again, rather than leave the request for staff.
                        self.tokens.forget(&destination.id);
                        return Attempt::Retry {
                            status: Some(401),
                            reason: "HTTP 401: the FHIR server refused the SMART token; a new one will be asked for".into(),
                            retry_after_ms: None,
                        };
                    }
                }
                classify(status, retry_after.as_deref(), now)
            }
            Err(err) => Attempt::Retry {
                status: None,
                reason: transport_reason(err),
                retry_after_ms: None,
            },
        }
    }
}

/// A short reason for staff: no URL query, no body.
fn transport_reason(err: reqwest::Error) -> String {
    // A pinned certificate that does not match says so somewhere down the chain.
    let mut source: Option<&dyn std::error::Error> = Some(&err);
    while let Some(e) = source {
        let text = e.to_string();
        if text.contains("certificate changed") {
            let mut text = text;
            text.truncate(200);
            return text;
        }
        source = e.source();
    }
    if err.is_timeout() {
        "no answer in time".into()
    } else if err.is_connect() {
        "cannot connect (receiver off or unreachable)".into()
    } else {
        let mut text = err.without_url().to_string();
        text.truncate(120);
        format!("network error: {text}")
    }
}

/// Runs passes until the runtime stops: every [`POLL`], and at once when `wake` is notified
/// (a new request was committed).
pub async fn run_forever(worker: Worker, db: &Mutex<Connection>, wake: &tokio::sync::Notify) {
    loop {
        worker.run_once(db, crate::callbacks::now_ms).await;
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(POLL) => {}
        }
    }
}
