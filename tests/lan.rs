//! The front-desk laptop over the LAN (issue #5), with a real TLS server on loopback and two
//! kiosk.db files (the kiosk's and the laptop's): pairing by code, the pinned certificate,
//! requests that arrive once and in order after the laptop was off, and refusals of unpaired
//! kiosks, impostor laptops, tampered bodies and replays.

use std::path::Path;
use std::sync::{Arc, Mutex};

use clinic_kiosk::callbacks::{self, CallbackForm, CallbackSettings};
use clinic_kiosk::delivery::{outbox, webhook, worker::Worker};
use clinic_kiosk::lan::{self, client, store, tls, FrontDesk};
use clinic_kiosk::store as kiosk_store;
use rusqlite::Connection;
use serde_json::json;

/// The laptop checks signatures against its own clock, so these tests run on real time.
fn real_now() -> i64 {
    callbacks::now_ms()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn db(dir: &Path, name: &str) -> Arc<Mutex<Connection>> {
    Arc::new(Mutex::new(
        kiosk_store::open(&dir.join(name)).expect("kiosk.db"),
    ))
}

/// A laptop: its certificate in `dir`, its own kiosk.db, serving on `port` (0: any).
struct Laptop {
    front: Arc<FrontDesk>,
    address: String,
    task: tokio::task::JoinHandle<()>,
}

impl Laptop {
    fn start(
        rt: &tokio::runtime::Runtime,
        dir: &Path,
        db: Arc<Mutex<Connection>>,
        port: u16,
    ) -> Laptop {
        Self::start_forwarding(rt, dir, db, port, &[])
    }

    /// A laptop whose own config sends requests on to `forward_to` as well.
    fn start_forwarding(
        rt: &tokio::runtime::Runtime,
        dir: &Path,
        db: Arc<Mutex<Connection>>,
        port: u16,
        forward_to: &[&str],
    ) -> Laptop {
        let identity = tls::Identity::load_or_create(dir).expect("identity");
        let mut front = FrontDesk::new(identity, db);
        front.forward_to = forward_to.iter().map(|d| d.to_string()).collect();
        let front = Arc::new(front);
        let listener = rt
            .block_on(tokio::net::TcpListener::bind(("127.0.0.1", port)))
            .expect("bind");
        let address = format!("127.0.0.1:{}", listener.local_addr().expect("addr").port());
        let task = rt.spawn(lan::server::serve(front.clone(), listener));
        Laptop {
            front,
            address,
            task,
        }
    }

    fn stop(self, rt: &tokio::runtime::Runtime) {
        self.task.abort();
        let _ = rt.block_on(self.task);
    }
}

/// Starts a laptop, pairs the kiosk with it (saved in `kiosk_db`), and stops the laptop.
fn pair_then_stop(
    rt: &tokio::runtime::Runtime,
    laptop_dir: &Path,
    laptop_db: &Arc<Mutex<Connection>>,
    kiosk_db: &Mutex<Connection>,
    t0: i64,
) -> (u16, store::Pairing) {
    let laptop = Laptop::start(rt, laptop_dir, laptop_db.clone(), 0);
    let port: u16 = laptop.address.rsplit(':').next().unwrap().parse().unwrap();
    let code = laptop.front.open_code(t0).code;
    let pairing = rt
        .block_on(client::pair(&laptop.address, &code, "Lobby", t0))
        .expect("paired");
    store::save_pairing(&kiosk_db.lock().unwrap(), &pairing).unwrap();
    laptop.stop(rt);
    (port, pairing)
}

fn settings() -> CallbackSettings {
    CallbackSettings {
        burst_limit: 100,
        ..CallbackSettings::default()
    }
}

fn submit(db: &Mutex<Connection>, n: u32, at: i64) -> String {
    let settings = settings();
    let form: CallbackForm = serde_json::from_value(json!({
        "requestId": uuid::Uuid::now_v7().to_string(),
        "name": "Test Patient",
        "phone": format!("201-555-01{n:02}"),
        "bestTime": "morning",
        "language": "en",
        "note": "",
        "consent": true,
        "consentVersion": settings.consent_version,
        "specialty": "vein",
        "topic": null,
        "article": null
    }))
    .expect("form");
    let valid =
        callbacks::validate::validate(&form, &settings, &["vein".to_string()]).expect("valid");
    let mut conn = db.lock().unwrap();
    callbacks::queue::submit(&mut conn, &valid, &settings, at)
        .expect("submit")
        .request_id
}

fn worker() -> Worker {
    Worker::new(Vec::new(), "Riverside Clinic".into(), settings())
}

fn laptop_requests(db: &Mutex<Connection>) -> Vec<(String, Option<String>)> {
    let conn = db.lock().unwrap();
    let mut stmt = conn
        .prepare("SELECT id, source FROM callback_request ORDER BY rowid")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn front_desk_row(db: &Mutex<Connection>, id: &str) -> (Option<i64>, Option<i64>, Option<String>) {
    db.lock()
        .unwrap()
        .query_row(
            "SELECT delivered_at, failed_at, last_error FROM outbox WHERE request_id = ?1 AND destination = 'front-desk'",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("a front-desk outbox row")
}

#[test]
fn a_kiosk_pairs_by_code_and_pins_the_laptops_certificate() {
    let t0 = real_now();
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let laptop_db = db(dir.path(), "laptop.db");
    let laptop = Laptop::start(&rt, dir.path(), laptop_db.clone(), 0);

    // Without a code on show, nothing.
    let err = rt
        .block_on(client::pair(&laptop.address, "123456", "Lobby", t0))
        .unwrap_err();
    assert_eq!(err, client::PairError::NoCode);

    // Wrong codes: three tries, then the code closes.
    let shown = laptop.front.open_code(t0);
    let wrong = if shown.code == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..3 {
        let err = rt
            .block_on(client::pair(&laptop.address, wrong, "Lobby", t0))
            .unwrap_err();
        assert_eq!(err, client::PairError::WrongCode);
    }
    let err = rt
        .block_on(client::pair(&laptop.address, &shown.code, "Lobby", t0))
        .unwrap_err();
    assert_eq!(
        err,
        client::PairError::NoCode,
        "three wrong tries closed the code"
    );
    assert!(store::kiosks(&laptop_db.lock().unwrap())
        .unwrap()
        .is_empty());

    // The right code, typed with a space.
    let shown = laptop.front.open_code(t0);
    let typed = format!("{} {}", &shown.code[..3], &shown.code[3..]);
    let pairing = rt
        .block_on(client::pair(&laptop.address, &typed, "Lobby kiosk", t0))
        .expect("paired");
    assert_eq!(
        pairing.fingerprint,
        laptop.front.identity.fingerprint(),
        "the real certificate is pinned"
    );
    assert_eq!(pairing.address, laptop.address);
    let kiosks = store::kiosks(&laptop_db.lock().unwrap()).unwrap();
    assert_eq!(kiosks.len(), 1);
    assert_eq!(
        (kiosks[0].kiosk_id.as_str(), kiosks[0].name.as_str()),
        (pairing.kiosk_id.as_str(), "Lobby kiosk")
    );
    assert_eq!(
        kiosks[0].secret, pairing.secret,
        "both sides derived the same secret"
    );
    assert!(
        shown.fingerprint.len() == 19,
        "staff see a short fingerprint: {}",
        shown.fingerprint
    );

    // A code works once.
    let err = rt
        .block_on(client::pair(&laptop.address, &shown.code, "Another", t0))
        .unwrap_err();
    assert_eq!(err, client::PairError::NoCode);
    laptop.stop(&rt);
}

#[test]
fn requests_made_while_the_laptop_is_off_arrive_once_in_order() {
    let t0 = real_now();
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let (kiosk_dir, laptop_dir) = (dir.path().join("kiosk"), dir.path().join("laptop"));
    std::fs::create_dir_all(&kiosk_dir).unwrap();
    std::fs::create_dir_all(&laptop_dir).unwrap();
    let kiosk_db = db(&kiosk_dir, "kiosk.db");
    let laptop_db = db(&laptop_dir, "kiosk.db");

    // Pair, then the laptop goes off.
    let (port, pairing) = pair_then_stop(&rt, &laptop_dir, &laptop_db, &kiosk_db, t0);

    let ids: Vec<String> = (0..3)
        .map(|n| submit(&kiosk_db, 60 + n, t0 + i64::from(n)))
        .collect();
    let w = worker();
    let pass = rt.block_on(w.run_once(&kiosk_db, || t0 + 10));
    assert_eq!(pass.retrying, 1, "the laptop is off: {pass:?}");
    let summary = outbox::summary(&kiosk_db.lock().unwrap()).unwrap();
    assert_eq!(summary.waiting, 3);

    // The laptop comes back on the same port (its config also sends requests to an EHR).
    let laptop = Laptop::start_forwarding(
        &rt,
        &laptop_dir,
        laptop_db.clone(),
        port,
        &["staff-inbox", "ehr"],
    );
    let pass = rt.block_on(w.run_once(&kiosk_db, || t0 + 10_000));
    assert_eq!(pass.delivered, 3, "{pass:?}");
    let received = laptop_requests(&laptop_db);
    let expected: Vec<(String, Option<String>)> = ids
        .iter()
        .map(|id| (id.clone(), Some(pairing.kiosk_id.clone())))
        .collect();
    assert_eq!(
        received, expected,
        "once each, in order, marked with the kiosk they came from"
    );
    // The laptop's inbox lists them like its own.
    let inbox =
        callbacks::queue::list(&laptop_db.lock().unwrap(), callbacks::Filter::Open).unwrap();
    assert_eq!(inbox.len(), 3);
    assert_eq!(inbox[0].phone_display, "(201) 555-0160");
    assert_eq!(
        inbox[0].from_kiosk.as_deref(),
        Some("Lobby"),
        "staff see which kiosk sent it"
    );

    // A retry of a request the laptop already has (the kiosk crashed before recording the
    // answer) is dropped.
    kiosk_db
        .lock()
        .unwrap()
        .execute("UPDATE outbox SET delivered_at = NULL WHERE request_id = ?1 AND destination = 'front-desk'", [&ids[1]])
        .unwrap();
    let pass = rt.block_on(w.run_once(&kiosk_db, || t0 + 11_000));
    assert_eq!(pass.delivered, 1);
    assert_eq!(laptop_requests(&laptop_db).len(), 3, "no duplicate");
    // The laptop passes each on to its own destination once, and has them in its inbox.
    let rows: Vec<(String, Option<i64>)> = {
        let conn = laptop_db.lock().unwrap();
        let mut stmt = conn
            .prepare("SELECT destination, delivered_at FROM outbox ORDER BY destination, id")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(
        rows.iter()
            .filter(|(d, at)| d == "ehr" && at.is_none())
            .count(),
        3,
        "{rows:?}"
    );
    assert_eq!(
        rows.iter()
            .filter(|(d, at)| d == "staff-inbox" && at.is_some())
            .count(),
        3,
        "{rows:?}"
    );
    laptop.stop(&rt);
}

#[test]
fn an_impostor_laptop_an_unpaired_kiosk_a_tampered_body_and_a_replay_are_refused() {
    let t0 = real_now();
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let (kiosk_dir, laptop_dir, other_dir) = (
        dir.path().join("k"),
        dir.path().join("l"),
        dir.path().join("x"),
    );
    for d in [&kiosk_dir, &laptop_dir, &other_dir] {
        std::fs::create_dir_all(d).unwrap();
    }
    let kiosk_db = db(&kiosk_dir, "kiosk.db");
    let laptop_db = db(&laptop_dir, "kiosk.db");
    let (port, pairing) = pair_then_stop(&rt, &laptop_dir, &laptop_db, &kiosk_db, t0);

    // Another machine takes the laptop's address: the kiosk will not talk to it.
    let impostor_db = db(&other_dir, "kiosk.db");
    let impostor = Laptop::start(&rt, &other_dir, impostor_db.clone(), port);
    let id = submit(&kiosk_db, 70, t0);
    let w = worker();
    rt.block_on(w.run_once(&kiosk_db, || t0));
    let (delivered, failed, reason) = front_desk_row(&kiosk_db, &id);
    assert_eq!(
        (delivered, failed),
        (None, None),
        "still waiting for the real laptop"
    );
    assert!(
        reason
            .as_deref()
            .unwrap_or_default()
            .contains("certificate"),
        "staff are told why: {reason:?}"
    );
    assert!(
        laptop_requests(&impostor_db).is_empty(),
        "nothing reached the impostor"
    );
    impostor.stop(&rt);

    // The real laptop unpairs the kiosk: its requests are refused, for good, and staff see why.
    let laptop = Laptop::start(&rt, &laptop_dir, laptop_db.clone(), port);
    assert!(store::remove_kiosk(&laptop_db.lock().unwrap(), &pairing.kiosk_id).unwrap());
    rt.block_on(w.run_once(&kiosk_db, || t0 + 10_000));
    let (delivered, failed, reason) = front_desk_row(&kiosk_db, &id);
    assert_eq!(delivered, None);
    assert!(failed.is_some(), "refused for good");
    assert_eq!(reason.as_deref(), Some("HTTP 401"));
    assert!(laptop_requests(&laptop_db).is_empty());

    // Pair again, then send by hand: a tampered body and a replay are refused.
    let code = laptop.front.open_code(t0).code;
    let pairing = rt
        .block_on(client::pair(&laptop.address, &code, "Lobby", t0))
        .expect("paired again");
    let http = client::pinned_client(&pairing.fingerprint);
    let post = |body: &[u8], ts: i64, signed_body: &[u8]| {
        let request = http
            .post(format!("https://{}/requests", laptop.address))
            .header(lan::KIOSK_HEADER, &pairing.kiosk_id)
            .header(webhook::TIMESTAMP_HEADER, ts.to_string())
            .header(
                webhook::SIGNATURE_HEADER,
                webhook::sign(&pairing.secret, ts, signed_body),
            )
            .body(body.to_vec());
        rt.block_on(async { request.send().await.expect("sent").status().as_u16() })
    };
    let record = clinic_kiosk::delivery::payload::load(&kiosk_db.lock().unwrap(), &id)
        .unwrap()
        .unwrap();
    let body = clinic_kiosk::delivery::payload::webhook_body(&record, "Riverside Clinic");
    let now = callbacks::now_ms() / 1000;
    let tampered = String::from_utf8(body.clone())
        .unwrap()
        .replace("+12015550170", "+12015550199");
    assert_eq!(post(tampered.as_bytes(), now, &body), 401, "tampered body");
    assert_eq!(
        post(&body, now - 3600, &body),
        401,
        "replayed an hour later"
    );
    assert!(laptop_requests(&laptop_db).is_empty());
    assert_eq!(post(&body, now, &body), 201, "the genuine request");
    assert_eq!(post(&body, now, &body), 200, "the same again: dropped");
    assert_eq!(laptop_requests(&laptop_db).len(), 1);

    // An unknown kiosk id.
    let stranger = http
        .post(format!("https://{}/requests", laptop.address))
        .header(lan::KIOSK_HEADER, "not-a-paired-kiosk")
        .header(webhook::TIMESTAMP_HEADER, now.to_string())
        .header(
            webhook::SIGNATURE_HEADER,
            webhook::sign(&pairing.secret, now, &body),
        )
        .body(body.clone());
    assert_eq!(
        rt.block_on(async { stranger.send().await.unwrap().status().as_u16() }),
        401
    );
    laptop.stop(&rt);

    // The kiosk unpairs: waiting rows are marked, new requests no longer go to the laptop.
    store::save_pairing(&kiosk_db.lock().unwrap(), &pairing).unwrap();
    let waiting = submit(&kiosk_db, 71, t0 + 10);
    assert!(store::forget_pairing(&mut kiosk_db.lock().unwrap(), t0 + 20).unwrap());
    let (_, failed, reason) = front_desk_row(&kiosk_db, &waiting);
    assert_eq!(
        (failed, reason.as_deref()),
        (Some(t0 + 20), Some("unpaired from the front desk"))
    );
    let after = submit(&kiosk_db, 72, t0 + 30);
    let rows: i64 = kiosk_db
        .lock()
        .unwrap()
        .query_row(
            "SELECT count(*) FROM outbox WHERE request_id = ?1",
            [&after],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rows, 1, "only the kiosk's own inbox");
}

#[test]
fn the_laptop_keeps_its_certificate_and_its_key_is_private() {
    let dir = tempfile::tempdir().unwrap();
    let first = tls::Identity::load_or_create(dir.path()).unwrap();
    let again = tls::Identity::load_or_create(dir.path()).unwrap();
    assert_eq!(
        first.fingerprint(),
        again.fingerprint(),
        "the same certificate after a restart"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.path().join("lan-key.der"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the key is readable by its owner only: {mode:o}"
        );
    }
}
