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

    /// `front` with its certificate in `dir`, on loopback `port` (0: any), within `limits`.
    fn serve(
        rt: &tokio::runtime::Runtime,
        dir: &Path,
        db: Arc<Mutex<Connection>>,
        port: u16,
        limits: lan::server::Limits,
        set_up: impl FnOnce(&mut FrontDesk),
    ) -> Laptop {
        let identity = tls::Identity::load_or_create(dir).expect("identity");
        let mut front = FrontDesk::new(identity, db);
        set_up(&mut front);
        let front = Arc::new(front);
        let listener = rt
            .block_on(tokio::net::TcpListener::bind(("127.0.0.1", port)))
            .expect("bind");
        let address = format!("127.0.0.1:{}", listener.local_addr().expect("addr").port());
        let task = rt.spawn(lan::server::serve_with(front.clone(), listener, limits));
        Laptop {
            front,
            address,
            task,
        }
    }

    /// A laptop serving within `limits` (shorter than the defaults, to test them quickly).
    fn start_limited(
        rt: &tokio::runtime::Runtime,
        dir: &Path,
        db: Arc<Mutex<Connection>>,
        limits: lan::server::Limits,
    ) -> Laptop {
        Self::serve(rt, dir, db, 0, limits, |_| {})
    }

    /// A laptop whose own config sends requests on to `forward_to` as well.
    fn start_forwarding(
        rt: &tokio::runtime::Runtime,
        dir: &Path,
        db: Arc<Mutex<Connection>>,
        port: u16,
        forward_to: &[&str],
    ) -> Laptop {
        Self::serve(rt, dir, db, port, Default::default(), |front| {
            front.forward_to = forward_to.iter().map(|d| d.to_string()).collect();
        })
    }

    /// A laptop that wakes `stored` when a kiosk's request is stored, as the app wakes its
    /// delivery worker.
    fn start_waking(
        rt: &tokio::runtime::Runtime,
        dir: &Path,
        db: Arc<Mutex<Connection>>,
        stored: Arc<tokio::sync::Notify>,
    ) -> Laptop {
        Self::serve(rt, dir, db, 0, Default::default(), |front| {
            front.stored = Some(stored);
        })
    }

    fn stop(self, rt: &tokio::runtime::Runtime) {
        self.task.abort();
        let _ = rt.block_on(self.task);
    }
}

/// A kiosk's and a laptop's folders in `dir`, each with its kiosk.db: the laptop's folder
/// (its certificate goes there), the kiosk's kiosk.db and the laptop's.
fn two_sides(
    dir: &Path,
) -> (
    std::path::PathBuf,
    Arc<Mutex<Connection>>,
    Arc<Mutex<Connection>>,
) {
    let (kiosk_dir, laptop_dir) = (dir.join("kiosk"), dir.join("laptop"));
    std::fs::create_dir_all(&kiosk_dir).unwrap();
    std::fs::create_dir_all(&laptop_dir).unwrap();
    let kiosk_db = db(&kiosk_dir, "kiosk.db");
    let laptop_db = db(&laptop_dir, "kiosk.db");
    (laptop_dir, kiosk_db, laptop_db)
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

    // Without a code on show, the laptop does not say so: the code just does not match.
    let err = rt
        .block_on(client::pair(&laptop.address, "123456", "Lobby", t0))
        .unwrap_err();
    assert_eq!(err, client::PairError::WrongCode);

    // Wrong codes from one address: three tries, then that address is refused, even with the
    // right code; the code stays open for everyone else.
    let shown = laptop.front.open_code(t0);
    let wrong = if shown.code == "000000" {
        "111111"
    } else {
        "000000"
    };
    let guesser = Some("127.0.0.2".parse().unwrap());
    for _ in 0..3 {
        let err = rt
            .block_on(client::pair_from(
                &laptop.address,
                wrong,
                "Lobby",
                t0,
                guesser,
            ))
            .unwrap_err();
        assert_eq!(err, client::PairError::WrongCode);
    }
    let err = rt
        .block_on(client::pair_from(
            &laptop.address,
            &shown.code,
            "Lobby",
            t0,
            guesser,
        ))
        .unwrap_err();
    assert_eq!(
        err,
        client::PairError::WrongCode,
        "three wrong tries shut that address out"
    );
    assert!(store::kiosks(&laptop_db.lock().unwrap())
        .unwrap()
        .is_empty());
    // The right code, typed with a space, from the real kiosk: the same code still works.
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
        .block_on(client::pair_from(
            &laptop.address,
            &shown.code,
            "Another",
            t0,
            Some("127.0.0.3".parse().unwrap()),
        ))
        .unwrap_err();
    assert_eq!(err, client::PairError::WrongCode);
    // A new code lets the address that guessed try again.
    let again = laptop.front.open_code(t0);
    rt.block_on(client::pair_from(
        &laptop.address,
        &again.code,
        "Side door",
        t0,
        guesser,
    ))
    .expect("a new code, a new start");
    laptop.stop(&rt);
}

#[test]
fn requests_made_while_the_laptop_is_off_arrive_once_in_order() {
    let t0 = real_now();
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let (laptop_dir, kiosk_db, laptop_db) = two_sides(dir.path());

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

// ---------- hostile traffic (issue #11) ----------

use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

type Tls = tokio_rustls::client::TlsStream<tokio::net::TcpStream>;

/// A TCP connection to `address` from the loopback address `from` (127.0.0.x).
async fn tcp_from(address: &str, from: &str) -> tokio::net::TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
    socket.connect(address.parse().unwrap()).await.unwrap()
}

/// A TLS connection that trusts the laptop's certificate, as a kiosk's would.
async fn tls_from(address: &str, from: &str, fingerprint: &str) -> std::io::Result<Tls> {
    let tcp = tcp_from(address, from).await;
    let connector =
        tokio_rustls::TlsConnector::from(Arc::new(tls::Pinned::to(fingerprint).client_config()));
    let name = rustls::pki_types::ServerName::try_from("clinic-kiosk-front-desk").unwrap();
    connector.connect(name, tcp).await
}

/// Reads until the laptop closes the connection (or 10 s pass): what it sent, and when.
async fn until_closed(
    stream: &mut (impl tokio::io::AsyncRead + Unpin),
    start: Instant,
) -> (String, Duration) {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = start + Duration::from_secs(10);
    loop {
        match tokio::time::timeout_at(deadline.into(), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => panic!("still open after 10 s"),
        }
    }
    (String::from_utf8_lossy(&got).to_string(), start.elapsed())
}

fn short_limits() -> lan::server::Limits {
    lan::server::Limits {
        handshake: Duration::from_secs(1),
        header: Duration::from_secs(1),
        body: Duration::from_secs(1),
        idle: Duration::from_secs(1),
        max_body: 64 * 1024,
        max_connections: 32,
        max_per_source: 4,
    }
}

#[test]
fn slow_and_oversized_clients_are_cut_off_in_time_while_a_paired_kiosk_delivers() {
    let t0 = real_now();
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let (laptop_dir, kiosk_db, laptop_db) = two_sides(dir.path());
    let laptop = Laptop::start_limited(&rt, &laptop_dir, laptop_db.clone(), short_limits());
    let code = laptop.front.open_code(t0).code;
    let pairing = rt
        .block_on(client::pair(&laptop.address, &code, "Lobby", t0))
        .expect("paired");
    store::save_pairing(&kiosk_db.lock().unwrap(), &pairing).unwrap();
    let fp = pairing.fingerprint.clone();
    let addr = laptop.address.clone();
    let limit = Duration::from_secs(1);

    let results = rt.block_on(async {
        let mut attacks = tokio::task::JoinSet::new();
        // 1. TCP only, no TLS handshake.
        let a = addr.clone();
        attacks.spawn(async move {
            let start = Instant::now();
            let mut tcp = tcp_from(&a, "127.0.0.2").await;
            let (_, took) = until_closed(&mut tcp, start).await;
            ("no handshake", took, String::new())
        });
        // 2. TLS, then silence.
        let (a, f) = (addr.clone(), fp.clone());
        attacks.spawn(async move {
            let mut tls = tls_from(&a, "127.0.0.3", &f).await.unwrap();
            let start = Instant::now();
            let (got, took) = until_closed(&mut tls, start).await;
            ("silent after the handshake", took, got)
        });
        // 3. A request head, one byte every 100 ms (slowloris).
        let (a, f) = (addr.clone(), fp.clone());
        attacks.spawn(async move {
            let tls = tls_from(&a, "127.0.0.4", &f).await.unwrap();
            let (mut read, mut write) = tokio::io::split(tls);
            let start = Instant::now();
            let drip = tokio::spawn(async move {
                let head = b"POST /requests HTTP/1.1\r\nHost: x\r\nX-Kiosk-Id: a\r\n";
                for byte in head.iter().cycle().take(1000) {
                    if write.write_all(&[*byte]).await.is_err() {
                        break;
                    }
                    let _ = write.flush().await;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            });
            let (got, took) = until_closed(&mut read, start).await;
            drip.abort();
            ("a head sent byte by byte", took, got)
        });
        // 4. A whole head, then a body one byte every 100 ms.
        let (a, f) = (addr.clone(), fp.clone());
        attacks.spawn(async move {
            let tls = tls_from(&a, "127.0.0.5", &f).await.unwrap();
            let (mut read, mut write) = tokio::io::split(tls);
            write
                .write_all(b"POST /requests HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n")
                .await
                .unwrap();
            let start = Instant::now();
            let drip = tokio::spawn(async move {
                for _ in 0..5000 {
                    if write.write_all(b"{").await.is_err() {
                        break;
                    }
                    let _ = write.flush().await;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            });
            let (got, took) = until_closed(&mut read, start).await;
            drip.abort();
            ("a body sent byte by byte", took, got)
        });
        // 5. A kept-alive connection after one answered request, then nothing.
        let (a, f) = (addr.clone(), fp.clone());
        attacks.spawn(async move {
            let mut tls = tls_from(&a, "127.0.0.6", &f).await.unwrap();
            let (_, msg) = lan::pairing::start("123456");
            let body = serde_json::to_vec(&json!({
                "kioskId": "k1", "kioskName": "Lobby", "msg": hex::encode(msg)
            }))
            .unwrap();
            let head = format!(
                "POST /pair/start HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            tls.write_all(head.as_bytes()).await.unwrap();
            tls.write_all(&body).await.unwrap();
            let start = Instant::now();
            let (got, took) = until_closed(&mut tls, start).await;
            ("kept alive and idle", took, got)
        });
        let mut results = Vec::new();
        // Meanwhile the paired kiosk delivers, at once.
        let id = submit(&kiosk_db, 80, real_now());
        let delivered_at = Instant::now();
        let pass = worker().run_once(&kiosk_db, real_now).await;
        let delivery = delivered_at.elapsed();
        while let Some(done) = attacks.join_next().await {
            results.push(done.unwrap());
        }
        (results, pass, delivery, id)
    });
    let (results, pass, delivery, id) = results;
    assert_eq!(pass.delivered, 1, "{pass:?}");
    assert!(
        delivery < limit,
        "the kiosk delivered in {delivery:?}, without waiting for the slow clients"
    );
    assert_eq!(
        laptop_requests(&laptop_db),
        vec![(id, Some(pairing.kiosk_id.clone()))]
    );
    for (what, took, got) in &results {
        eprintln!(
            "{what}: cut off after {took:?} ({:?})",
            got.lines().next().unwrap_or("")
        );
        assert!(
            *took >= limit - Duration::from_millis(200) && *took < limit * 3,
            "{what}: cut off after {took:?}, the limit is {limit:?}"
        );
    }
    let body = results
        .iter()
        .find(|r| r.0 == "a body sent byte by byte")
        .unwrap();
    assert!(body.2.starts_with("HTTP/1.1 408"), "{}", body.2);
    let kept = results
        .iter()
        .find(|r| r.0 == "kept alive and idle")
        .unwrap();
    assert!(kept.2.starts_with("HTTP/1.1 200"), "{}", kept.2);

    // Oversized: a declared length over the cap is refused before a byte of the body; a
    // chunked body over the cap is refused as it grows; a huge head is refused.
    let (declared, chunked, head) = rt.block_on(async {
        let mut tls = tls_from(&addr, "127.0.0.7", &fp).await.unwrap();
        let start = Instant::now();
        tls.write_all(b"POST /requests HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n")
            .await
            .unwrap();
        let declared = until_closed(&mut tls, start).await;

        let tls = tls_from(&addr, "127.0.0.7", &fp).await.unwrap();
        let (mut read, mut write) = tokio::io::split(tls);
        let start = Instant::now();
        let sender = tokio::spawn(async move {
            let _ = write
                .write_all(
                    b"POST /requests HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
                )
                .await;
            let chunk = format!("{:x}\r\n{}\r\n", 8192, "x".repeat(8192));
            for _ in 0..1000 {
                if write.write_all(chunk.as_bytes()).await.is_err() {
                    break;
                }
            }
        });
        let chunked = until_closed(&mut read, start).await;
        sender.abort();

        let mut tls = tls_from(&addr, "127.0.0.7", &fp).await.unwrap();
        let start = Instant::now();
        let big = format!(
            "POST /requests HTTP/1.1\r\nHost: x\r\nX-Kiosk-Id: {}\r\n\r\n",
            "k".repeat(100_000)
        );
        let _ = tls.write_all(big.as_bytes()).await;
        let head = until_closed(&mut tls, start).await;
        (declared, chunked, head)
    });
    // The declared length is refused before the client sends more; the other two were still
    // sending when refused, so the answer can be lost to the reset of the unread bytes.
    assert!(declared.0.starts_with("HTTP/1.1 413"), "{:?}", declared.0);
    for (what, (got, took), status) in [
        ("a declared 10 MB body", &declared, "413"),
        ("a chunked body over 64 KB", &chunked, "413"),
        ("a 100 KB header", &head, "431"),
    ] {
        assert!(
            got.is_empty() || got.starts_with(&format!("HTTP/1.1 {status}")),
            "{what}: {got:?}"
        );
        assert!(
            *took < Duration::from_millis(900),
            "{what}: answered after {took:?}"
        );
    }

    // Connections: at most 4 from one address; the fifth is closed at once, others still served.
    rt.block_on(async {
        let mut held = Vec::new();
        for _ in 0..4 {
            held.push(tls_from(&addr, "127.0.0.8", &fp).await.unwrap());
        }
        let start = Instant::now();
        assert!(
            tls_from(&addr, "127.0.0.8", &fp).await.is_err(),
            "a fifth connection from one address is refused"
        );
        assert!(start.elapsed() < Duration::from_millis(500));
        let other = tls_from(&addr, "127.0.0.9", &fp).await;
        assert!(other.is_ok(), "another address still gets in");
        drop(held);
    });
    let id = submit(&kiosk_db, 81, real_now());
    let pass = rt.block_on(worker().run_once(&kiosk_db, real_now));
    assert_eq!(pass.delivered, 1, "{pass:?}");
    assert_eq!(laptop_requests(&laptop_db).len(), 2);
    let _ = id;
    laptop.stop(&rt);
}

#[test]
fn the_laptop_refuses_what_the_kiosk_form_would_refuse() {
    let t0 = real_now();
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let (kiosk_dir, laptop_dir) = (dir.path().join("k"), dir.path().join("l"));
    std::fs::create_dir_all(&kiosk_dir).unwrap();
    std::fs::create_dir_all(&laptop_dir).unwrap();
    let kiosk_db = db(&kiosk_dir, "kiosk.db");
    let laptop_db = db(&laptop_dir, "kiosk.db");
    let laptop = Laptop::start(&rt, &laptop_dir, laptop_db.clone(), 0);
    let code = laptop.front.open_code(t0).code;
    let pairing = rt
        .block_on(client::pair(&laptop.address, &code, "Lobby", t0))
        .expect("paired");
    let id = submit(&kiosk_db, 90, t0);
    let record = clinic_kiosk::delivery::payload::load(&kiosk_db.lock().unwrap(), &id)
        .unwrap()
        .unwrap();
    let genuine: serde_json::Value = serde_json::from_slice(
        &clinic_kiosk::delivery::payload::webhook_body(&record, "Riverside Clinic"),
    )
    .unwrap();
    let http = client::pinned_client(&pairing.fingerprint);
    let post = |body: &serde_json::Value| {
        let bytes = serde_json::to_vec(body).unwrap();
        let ts = callbacks::now_ms() / 1000;
        let request = http
            .post(format!("https://{}/requests", laptop.address))
            .header(lan::KIOSK_HEADER, &pairing.kiosk_id)
            .header(webhook::TIMESTAMP_HEADER, ts.to_string())
            .header(
                webhook::SIGNATURE_HEADER,
                webhook::sign(&pairing.secret, ts, &bytes),
            )
            .body(bytes);
        rt.block_on(async {
            let response = request.send().await.expect("sent");
            (response.status().as_u16(), response.text().await.unwrap())
        })
    };
    let cases: Vec<(&str, &str, serde_json::Value)> = vec![
        ("name", "invalidCharacters", json!("Ana\u{202E}zepoL")),
        (
            "name",
            "invalidCharacters",
            json!("Ana\u{7}\u{1b}[2J Lopez"),
        ),
        ("name", "tooLong", json!("A".repeat(200))),
        ("name", "lettersOnly", json!("<img src=x>")),
        ("phone", "invalid", json!("+1 555 0000 0000 0000")),
        ("phone", "letters", json!("call me")),
        ("note", "tooLong", json!("x".repeat(2000))),
        ("note", "markup", json!("<script>alert(1)</script>")),
        ("note", "invalidCharacters", json!("fine\u{2066}hidden")),
        ("language", "required", json!("xx")),
        ("specialty", "invalid", json!("vein\u{0}")),
        ("topic", "invalid", json!("../../etc")),
        ("requestId", "invalid", json!("not-a-uuid")),
        ("bestTime", "invalid", json!("morning; DROP TABLE")),
        ("consent", "invalid", json!("v1\u{202E}")),
    ];
    for (field, rule, value) in cases {
        let mut body = genuine.clone();
        let slot = match field {
            "name" => &mut body["patient"]["name"],
            "phone" => &mut body["patient"]["phone"],
            "language" => &mut body["patient"]["language"],
            "requestId" => &mut body["id"],
            "consent" => &mut body["consent"]["version"],
            other => &mut body[other],
        };
        *slot = value;
        let (status, text) = post(&body);
        assert_eq!(status, 400, "{field} {rule}: {text}");
        assert!(
            text.contains(&format!("{field} ({rule})")),
            "{field}: {text}"
        );
    }
    assert!(laptop_requests(&laptop_db).is_empty(), "nothing stored");
    let (status, text) = post(&genuine);
    assert_eq!(status, 201, "{text}");
    assert_eq!(laptop_requests(&laptop_db).len(), 1);
    laptop.stop(&rt);
}

/// Log lines written while the tests run (this binary's global subscriber).
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn pairing_tries_are_counted_per_address_and_refusals_are_logged_once_escaped() {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber here");

    let t0 = real_now();
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let laptop_db = db(dir.path(), "laptop.db");
    let laptop = Laptop::start(&rt, dir.path(), laptop_db.clone(), 0);

    // The first step looks the same with and without a code open.
    let start = |from: &str| {
        let (_, msg) = lan::pairing::start("123456");
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(
                tls::Pinned::to(&laptop.front.identity.fingerprint()).client_config(),
            )
            .local_address(Some(from.parse().unwrap()))
            .build()
            .unwrap();
        let body = json!({"kioskId": "k-1", "kioskName": "Lobby", "msg": hex::encode(msg)});
        rt.block_on(async {
            let r = client
                .post(format!("https://{}/pair/start", laptop.address))
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let reply: serde_json::Value = r.json().await.unwrap_or_default();
            (
                status,
                reply
                    .as_object()
                    .map(|o| o.keys().cloned().collect::<Vec<_>>()),
                reply["msg"].as_str().map(str::len),
            )
        })
    };
    let closed = start("127.0.0.20");
    laptop.front.open_code(t0);
    let open = start("127.0.0.20");
    assert_eq!(closed, open, "no code and a code answer alike");

    // Ten addresses guessing three times each close the code; fewer do not.
    let shown = laptop.front.open_code(t0);
    let wrong = if shown.code == "000000" {
        "111111"
    } else {
        "000000"
    };
    for n in 0..9 {
        let from = Some(format!("127.0.1.{n}").parse().unwrap());
        for _ in 0..3 {
            let err = rt
                .block_on(client::pair_from(&laptop.address, wrong, "X", t0, from))
                .unwrap_err();
            assert_eq!(err, client::PairError::WrongCode);
        }
    }
    rt.block_on(client::pair(&laptop.address, &shown.code, "Lobby", t0))
        .expect("27 wrong tries from nine addresses did not close the code");
    let shown = laptop.front.open_code(t0);
    for n in 0..10 {
        let from = Some(format!("127.0.2.{n}").parse().unwrap());
        for _ in 0..3 {
            let _ = rt.block_on(client::pair_from(&laptop.address, wrong, "X", t0, from));
        }
    }
    let err = rt
        .block_on(client::pair(&laptop.address, &shown.code, "Lobby", t0))
        .unwrap_err();
    assert_eq!(
        err,
        client::PairError::WrongCode,
        "30 wrong tries closed it"
    );

    // Refusals from one address: an unknown kiosk id 5 KB long, 20 times; a kiosk name with a
    // line break that would forge a log line.
    let client_from = |from: &str| {
        reqwest::Client::builder()
            .use_preconfigured_tls(
                tls::Pinned::to(&laptop.front.identity.fingerprint()).client_config(),
            )
            .local_address(Some(from.parse().unwrap()))
            .build()
            .unwrap()
    };
    let http = client_from("127.0.0.21");
    for _ in 0..20 {
        let request = http
            .post(format!("https://{}/requests", laptop.address))
            .header(lan::KIOSK_HEADER, "z".repeat(5000))
            .body("{}");
        assert_eq!(
            rt.block_on(async { request.send().await.unwrap().status().as_u16() }),
            401
        );
    }
    let (_, msg) = lan::pairing::start("123456");
    let forged = json!({
        "kioskId": "k-2",
        "kioskName": "Front\nWARN clinic_kiosk: forged line\u{202E}",
        "msg": hex::encode(msg)
    });
    let request = client_from("127.0.0.22")
        .post(format!("https://{}/pair/start", laptop.address))
        .json(&forged);
    assert_eq!(
        rt.block_on(async { request.send().await.unwrap().status().as_u16() }),
        400
    );
    laptop.stop(&rt);
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let from_21: Vec<&str> = log.lines().filter(|l| l.contains("127.0.0.21")).collect();
    assert_eq!(
        from_21.len(),
        1,
        "once per address per interval: {from_21:#?}"
    );
    assert!(
        from_21[0].len() < 400,
        "cut short: {} characters",
        from_21[0].len()
    );
    let from_22: Vec<&str> = log.lines().filter(|l| l.contains("127.0.0.22")).collect();
    assert_eq!(from_22.len(), 1, "{from_22:#?}");
    assert!(
        from_22[0].contains("\\n") && from_22[0].contains("\\u{202e}"),
        "{}",
        from_22[0]
    );
    assert!(
        !log.lines()
            .any(|l| l.contains("forged") && !l.contains("127.0.0.22")),
        "no forged line:\n{log}"
    );
    let from_guessers = log.lines().filter(|l| l.contains("127.0.1.0")).count();
    assert_eq!(from_guessers, 1, "three wrong tries, one line");
}

/// Issue #15's fleet benchmark found requests from kiosks waiting for the laptop's worker to
/// poll (2.5 s at the median): a stored request now wakes it, a duplicate does not.
#[test]
fn a_request_stored_from_a_kiosk_wakes_the_laptops_delivery() {
    let t0 = real_now();
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let (laptop_dir, kiosk_db, laptop_db) = two_sides(dir.path());
    let stored = Arc::new(tokio::sync::Notify::new());
    let laptop = Laptop::start_waking(&rt, &laptop_dir, laptop_db.clone(), stored.clone());
    let code = laptop.front.open_code(t0).code;
    let pairing = rt
        .block_on(client::pair(&laptop.address, &code, "Lobby", t0))
        .expect("paired");
    store::save_pairing(&kiosk_db.lock().unwrap(), &pairing).unwrap();
    let woken = |stored: &tokio::sync::Notify| {
        rt.block_on(async {
            tokio::time::timeout(std::time::Duration::from_millis(300), stored.notified())
                .await
                .is_ok()
        })
    };
    assert!(!woken(&stored), "nothing stored yet");
    let id = submit(&kiosk_db, 70, t0);
    let pass = rt.block_on(worker().run_once(&kiosk_db, || t0 + 10));
    assert_eq!(pass.delivered, 1, "{pass:?}");
    assert!(
        woken(&stored),
        "the stored request woke the laptop's worker"
    );
    // The same request again (a lost answer): already stored, nothing to pass on.
    kiosk_db
        .lock()
        .unwrap()
        .execute(
            "UPDATE outbox SET delivered_at = NULL WHERE request_id = ?1 AND destination = 'front-desk'",
            [&id],
        )
        .unwrap();
    let pass = rt.block_on(worker().run_once(&kiosk_db, || t0 + 20));
    assert_eq!(pass.delivered, 1, "{pass:?}");
    assert!(!woken(&stored), "a duplicate wakes nothing");
    laptop.stop(&rt);
}
