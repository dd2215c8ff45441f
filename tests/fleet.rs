//! Fleet health and article updates over the LAN (issue #15), with a real TLS front desk on
//! loopback, a really paired kiosk, real kiosk.db and library.db files and real signed packs:
//! a kiosk's report lands on the front desk with no patient data in it, the kiosk list warns
//! when a kiosk is not seen or holds an old request, and a pack staff send is fetched,
//! checked as a USB pack and installed; a changed pack, an untrusted one and a download that
//! does not match are refused with the old library still in use, and staff see why.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use clinic_kiosk::callbacks::{self, CallbackForm, CallbackSettings};
use clinic_kiosk::config::Config;
use clinic_kiosk::fleet::{self, Reporter, Sent, Site};
use clinic_kiosk::lan::fleet::{KioskReport, Thresholds, Warning};
use clinic_kiosk::lan::{self, client, store, tls, FrontDesk};
use clinic_kiosk::library::{self, Library};
use clinic_kiosk::{health, pack, webhook};
use ed25519_dalek::VerifyingKey;
use rusqlite::Connection;
use serde_json::json;

fn now() -> i64 {
    callbacks::now_ms()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn content() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("content")
}

fn db(path: &Path) -> Arc<Mutex<Connection>> {
    Arc::new(Mutex::new(
        clinic_kiosk::store::open(path).expect("kiosk.db"),
    ))
}

/// The front desk: its data folder, its kiosk.db, serving on loopback.
struct Laptop {
    dir: tempfile::TempDir,
    db: Arc<Mutex<Connection>>,
    front: Arc<FrontDesk>,
    address: String,
    task: tokio::task::JoinHandle<()>,
}

impl Laptop {
    fn start(rt: &tokio::runtime::Runtime) -> Laptop {
        let dir = tempfile::tempdir().unwrap();
        let db = db(&dir.path().join("kiosk.db"));
        let mut front = FrontDesk::new(
            tls::Identity::load_or_create(dir.path()).unwrap(),
            db.clone(),
        );
        front.outgoing = Some(lan::fleet::outgoing_dir(dir.path()));
        let front = Arc::new(front);
        let listener = rt
            .block_on(tokio::net::TcpListener::bind(("127.0.0.1", 0)))
            .unwrap();
        let address = format!("127.0.0.1:{}", listener.local_addr().unwrap().port());
        let task = rt.spawn(lan::server::serve(front.clone(), listener));
        Laptop {
            dir,
            db,
            front,
            address,
            task,
        }
    }

    fn kiosks(&self, thresholds: Thresholds, at: i64) -> Vec<lan::fleet::KioskView> {
        lan::fleet::kiosks(&self.db.lock().unwrap(), thresholds, at).unwrap()
    }
}

/// A kiosk: its data folder with a library built from the shipped articles, its kiosk.db,
/// paired with `laptop`.
struct Kiosk {
    dir: tempfile::TempDir,
    db: Arc<Mutex<Connection>>,
    library: Mutex<Result<Library, String>>,
    pairing: store::Pairing,
    config: Config,
    reporter: Reporter,
    /// Why the installed pack failed its check at start, as the app keeps it.
    content_problem: Option<String>,
}

impl Kiosk {
    fn paired(rt: &tokio::runtime::Runtime, laptop: &Laptop, name: &str) -> Kiosk {
        let dir = tempfile::tempdir().unwrap();
        let db = db(&dir.path().join("kiosk.db"));
        let (lib, _) =
            library::open_or_build(&content(), &dir.path().join("library.db")).expect("library");
        let code = laptop.front.open_code(now()).code;
        let pairing = rt
            .block_on(client::pair(&laptop.address, &code, name, now()))
            .expect("paired");
        store::save_pairing(&db.lock().unwrap(), &pairing).unwrap();
        Kiosk {
            dir,
            db,
            library: Mutex::new(Ok(lib)),
            pairing,
            config: Config::default(),
            reporter: Reporter::new(),
            content_problem: None,
        }
    }

    fn report(&self, at: i64) -> KioskReport {
        let sources = health::Sources {
            library: &self.library,
            kiosk: Some(&*self.db),
            config: &self.config,
            config_problems: &[],
            content_problem: self.content_problem.as_deref(),
            data_dir: self.dir.path(),
        };
        let health = health::report(&sources, at).expect("health");
        fleet::report(
            &health,
            pack::installed(self.dir.path()).map_or(0, |m| m.version),
            42,
            self.reporter.last_pack.clone(),
            at,
        )
    }

    /// One report to the laptop, installing any pack offered with `trusted` keys.
    fn send(&mut self, rt: &tokio::runtime::Runtime, trusted: &[VerifyingKey]) -> Sent {
        let at = now();
        let report = self.report(at);
        let site = Site {
            data_dir: self.dir.path(),
            trusted,
        };
        let library = &self.library;
        let swap = |_version: u64, lib: Library| -> Result<(), String> {
            *library.lock().unwrap() = Ok(lib);
            Ok(())
        };
        rt.block_on(self.reporter.once(&self.pairing, &report, &site, swap, at))
            .expect("the report went through")
    }

    fn articles(&self) -> i64 {
        self.library
            .lock()
            .unwrap()
            .as_ref()
            .expect("library")
            .article_count()
            .unwrap()
    }
}

fn submit(db: &Mutex<Connection>, at: i64) {
    let settings = CallbackSettings::default();
    let form: CallbackForm = serde_json::from_value(json!({
        "requestId": uuid::Uuid::now_v7().to_string(),
        "name": "Ana Ruiz Quintana",
        "phone": "201-555-0147",
        "bestTime": "morning",
        "language": "es",
        "note": "",
        "consent": true,
        "consentVersion": settings.consent_version,
        "specialty": "vein",
        "topic": null,
        "article": null
    }))
    .unwrap();
    let valid = callbacks::validate::validate(&form, &settings, &["vein".to_string()]).unwrap();
    callbacks::queue::submit(&mut db.lock().unwrap(), &valid, &settings, at).unwrap();
}

/// A signing key, its public half as the config holds it, and the trusted-key list.
fn keys() -> (ed25519_dalek::SigningKey, Vec<VerifyingKey>) {
    let dir = tempfile::tempdir().unwrap();
    let (secret, public) = pack::keygen();
    let path = dir.path().join("signing.key");
    std::fs::write(&path, secret).unwrap();
    let key = pack::read_secret(&path).unwrap();
    (key, vec![pack::parse_public(&public).unwrap()])
}

/// A pack of the shipped articles as `version`, in the laptop's `packs/` folder.
fn make_pack(laptop: &Laptop, key: &ed25519_dalek::SigningKey, version: u64) -> PathBuf {
    let folder = laptop.dir.path().join("packs");
    std::fs::create_dir_all(&folder).unwrap();
    let out = folder.join(format!("articles-{version}.ckpack"));
    pack::create(&content(), key, version, &out).expect("pack");
    out
}

#[test]
fn a_kiosk_reports_its_health_and_the_front_desk_warns_when_it_goes_quiet() {
    let rt = runtime();
    let laptop = Laptop::start(&rt);
    let mut kiosk = Kiosk::paired(&rt, &laptop, "Lobby east");
    let t = Thresholds {
        not_seen_minutes: 5,
        request_age_minutes: 30,
    };

    // Paired but silent: the list says it was never seen.
    let before = laptop.kiosks(t, now());
    assert_eq!(before.len(), 1);
    assert_eq!(before[0].warnings, [Warning::NeverSeen]);

    // A request waits on the kiosk (the front desk is its destination, not yet delivered).
    submit(&kiosk.db, now());
    assert_eq!(kiosk.send(&rt, &[]), Sent::Reported);
    let at = now();
    let view = &laptop.kiosks(t, at)[0];
    assert_eq!(view.name, "Lobby east");
    assert!(
        view.last_seen.is_some_and(|s| at - s < 60_000),
        "seen just now"
    );
    let report = view.report.as_ref().expect("the report is kept");
    assert_eq!(report.app_version, env!("CARGO_PKG_VERSION"));
    assert_eq!(report.pack_version, 0, "the shipped articles");
    assert_eq!(report.article_count, Some(kiosk.articles()));
    assert_eq!(
        report.queue_length,
        Some(1),
        "the request waiting for the front desk"
    );
    assert!(report.free_disk_bytes.is_some());
    assert_eq!(report.uptime_seconds, 42);
    assert!(view.warnings.is_empty(), "{:?}", view.warnings);

    // No patient data crossed: not in the stored report, not anywhere in the laptop's files.
    let stored = store::health(&laptop.db.lock().unwrap()).unwrap();
    assert_eq!(stored.len(), 1);
    {
        let conn = laptop.db.lock().unwrap();
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
    }
    for entry in std::fs::read_dir(laptop.dir.path()).unwrap().flatten() {
        if entry.path().is_file() {
            let bytes = std::fs::read(entry.path()).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            for secret in ["Ana Ruiz", "555-0147", "5550147"] {
                assert!(!text.contains(secret), "{secret} in {:?}", entry.path());
            }
        }
    }

    // Silence past the threshold, and a request older than allowed, as the clock moves on.
    let later = at + 6 * 60_000;
    assert_eq!(laptop.kiosks(t, later)[0].warnings, [Warning::NotSeen]);
    let much_later = at + 31 * 60_000;
    assert_eq!(
        laptop.kiosks(t, much_later)[0].warnings,
        [Warning::NotSeen, Warning::OldRequest],
        "the request has waited 31 minutes by now"
    );

    // Unpaired: its report goes with it, and a report after that is refused.
    assert!(store::remove_kiosk(&laptop.db.lock().unwrap(), &kiosk.pairing.kiosk_id).unwrap());
    assert!(store::health(&laptop.db.lock().unwrap())
        .unwrap()
        .is_empty());
    let report = kiosk.report(now());
    let site = Site {
        data_dir: kiosk.dir.path(),
        trusted: &[],
    };
    let refused = rt.block_on(kiosk.reporter.once(
        &kiosk.pairing,
        &report,
        &site,
        |_, _| Ok::<(), String>(()),
        now(),
    ));
    assert!(
        matches!(refused, Err(fleet::FleetError::Refused(401, _))),
        "{refused:?}"
    );
    laptop.task.abort();
}

/// Posts `body` to the laptop's `route`, signed with `secret` as kiosk `kiosk_id`.
fn post(
    rt: &tokio::runtime::Runtime,
    laptop: &Laptop,
    route: &str,
    kiosk_id: &str,
    secret: &str,
    body: &[u8],
) -> (u16, Vec<u8>) {
    let client = client::pinned_client(&laptop.front.identity.fingerprint());
    let ts = now() / 1000;
    rt.block_on(async {
        let response = client
            .post(format!("https://{}/{route}", laptop.address))
            .header(lan::KIOSK_HEADER, kiosk_id)
            .header(webhook::TIMESTAMP_HEADER, ts.to_string())
            .header(webhook::SIGNATURE_HEADER, webhook::sign(secret, ts, body))
            .body(body.to_vec())
            .send()
            .await
            .expect("sent");
        let status = response.status().as_u16();
        (status, response.bytes().await.unwrap_or_default().to_vec())
    })
}

#[test]
fn forged_and_malformed_reports_are_refused_and_nothing_is_stored() {
    let rt = runtime();
    let laptop = Laptop::start(&rt);
    let kiosk = Kiosk::paired(&rt, &laptop, "Lobby");
    let good = serde_json::to_vec(&kiosk.report(now())).unwrap();
    let id = kiosk.pairing.kiosk_id.as_str();

    let wrong_secret = "x".repeat(64);
    assert_eq!(
        post(&rt, &laptop, "health", id, &wrong_secret, &good).0,
        401
    );
    assert_eq!(
        post(
            &rt,
            &laptop,
            "health",
            "not-paired",
            &kiosk.pairing.secret,
            &good
        )
        .0,
        401
    );
    let (status, why) = post(
        &rt,
        &laptop,
        "health",
        id,
        &kiosk.pairing.secret,
        b"{\"version\":1}",
    );
    assert_eq!(status, 400, "{}", String::from_utf8_lossy(&why));
    let mut bad = kiosk.report(now());
    bad.disk = "melted".into();
    bad.config_problems = vec!["\u{202e}hidden".into()];
    let (status, why) = post(
        &rt,
        &laptop,
        "health",
        id,
        &kiosk.pairing.secret,
        &serde_json::to_vec(&bad).unwrap(),
    );
    assert_eq!(status, 400);
    assert_eq!(
        String::from_utf8_lossy(&why),
        "bad fields: disk, configProblems",
        "the field is named"
    );
    // A pack request for a version never offered.
    let (status, _) = post(
        &rt,
        &laptop,
        "pack",
        id,
        &kiosk.pairing.secret,
        b"{\"version\":9}",
    );
    assert_eq!(status, 404);
    assert!(store::health(&laptop.db.lock().unwrap())
        .unwrap()
        .is_empty());

    // The same report, signed right, is stored.
    assert_eq!(
        post(&rt, &laptop, "health", id, &kiosk.pairing.secret, &good).0,
        200
    );
    assert_eq!(store::health(&laptop.db.lock().unwrap()).unwrap().len(), 1);
    laptop.task.abort();
}

#[test]
fn staff_send_a_pack_every_kiosk_installs_it_and_refusals_come_back_to_the_list() {
    let rt = runtime();
    let laptop = Laptop::start(&rt);
    let (key, trusted) = keys();
    let (_, other_keys) = keys();
    let mut east = Kiosk::paired(&rt, &laptop, "East");
    let mut west = Kiosk::paired(&rt, &laptop, "West");
    assert_eq!(
        east.send(&rt, &trusted),
        Sent::Reported,
        "nothing offered yet"
    );
    let articles = east.articles();

    // The front desk checks the pack with its own keys before offering it.
    let v2 = make_pack(&laptop, &key, 2);
    let refused = fleet::send_pack(
        &mut laptop.db.lock().unwrap(),
        laptop.dir.path(),
        &v2,
        &other_keys,
        &[east.pairing.kiosk_id.clone()],
        now(),
    );
    assert!(
        matches!(refused, Err(pack::PackError::UntrustedKey(_))),
        "{refused:?}"
    );
    assert!(
        store::pack_offer(&laptop.db.lock().unwrap(), &east.pairing.kiosk_id)
            .unwrap()
            .is_none()
    );

    // Sent to both: East trusts the key and installs it; West trusts another key and refuses.
    let ids = [east.pairing.kiosk_id.clone(), west.pairing.kiosk_id.clone()];
    let sent = fleet::send_pack(
        &mut laptop.db.lock().unwrap(),
        laptop.dir.path(),
        &v2,
        &trusted,
        &ids,
        now(),
    )
    .expect("sent");
    assert_eq!((sent.version, sent.kiosks), (2, 2));
    match east.send(&rt, &trusted) {
        Sent::Pack(result) => {
            assert_eq!((result.version, result.outcome.as_str()), (2, "installed"))
        }
        other => panic!("East was offered the pack: {other:?}"),
    }
    assert_eq!(pack::installed(east.dir.path()).map(|m| m.version), Some(2));
    assert_eq!(east.articles(), articles, "the new library is in use");
    match west.send(&rt, &other_keys) {
        Sent::Pack(result) => assert_eq!(result.outcome, "untrusted"),
        other => panic!("West was offered the pack: {other:?}"),
    }
    assert_eq!(
        pack::installed(west.dir.path()),
        None,
        "West keeps its articles"
    );
    assert!(west.articles() > 0);
    // The next reports tell the front desk; neither is offered the pack again.
    assert_eq!(east.send(&rt, &trusted), Sent::Reported);
    assert_eq!(west.send(&rt, &other_keys), Sent::Reported);
    let list = laptop.kiosks(Thresholds::default(), now());
    let by_name = |name: &str| list.iter().find(|k| k.name == name).expect(name).clone();
    let (e, w) = (by_name("East"), by_name("West"));
    assert_eq!(
        e.report.as_ref().map(|r| r.pack_version),
        Some(2),
        "East runs version 2"
    );
    assert!(e.warnings.is_empty(), "{:?}", e.warnings);
    assert_eq!(w.report.as_ref().map(|r| r.pack_version), Some(0));
    assert_eq!(w.warnings, [Warning::PackRefused]);
    let detail = w
        .report
        .and_then(|r| r.pack)
        .and_then(|p| p.detail)
        .unwrap_or_default();
    assert!(
        detail.contains("trusted_keys"),
        "staff are told what to do: {detail}"
    );

    // Sent again after West's refusal (say its config now trusts the key): a new offer,
    // fetched again, where the same offer is not.
    assert_eq!(west.send(&rt, &other_keys), Sent::Reported, "tried once");
    std::thread::sleep(std::time::Duration::from_millis(5));
    fleet::send_pack(
        &mut laptop.db.lock().unwrap(),
        laptop.dir.path(),
        &v2,
        &trusted,
        &ids[1..],
        now(),
    )
    .expect("sent again");
    match west.send(&rt, &trusted) {
        Sent::Pack(result) => assert_eq!(result.outcome, "installed"),
        other => panic!("West was offered the pack again: {other:?}"),
    }
    west.send(&rt, &trusted);
    assert!(laptop
        .kiosks(Thresholds::default(), now())
        .iter()
        .all(|k| k.warnings.is_empty() && k.report.as_ref().is_some_and(|r| r.pack_version == 2)));

    // A pack changed after the front desk checked it (its copy in the outgoing folder):
    // refused by the kiosk's own check, the library untouched.
    let v3 = make_pack(&laptop, &key, 3);
    fleet::send_pack(
        &mut laptop.db.lock().unwrap(),
        laptop.dir.path(),
        &v3,
        &trusted,
        &ids[..1],
        now(),
    )
    .expect("sent");
    let offer = store::pack_offer(&laptop.db.lock().unwrap(), &ids[0])
        .unwrap()
        .expect("offered");
    let copy = lan::fleet::outgoing_dir(laptop.dir.path()).join(&offer.file);
    let mut bytes = std::fs::read(&copy).unwrap();
    let at = bytes
        .windows(5)
        .rposition(|w| w == b"spine")
        .expect("article text in the pack");
    bytes[at] = b'S';
    std::fs::write(&copy, &bytes).unwrap();
    let changed = store::PackOffer {
        sha256: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes)),
        ..offer.clone()
    };
    store::offer_pack(&mut laptop.db.lock().unwrap(), &ids[..1], &changed).unwrap();
    match east.send(&rt, &trusted) {
        Sent::Pack(result) => assert_eq!((result.version, result.outcome.as_str()), (3, "changed")),
        other => panic!("offered: {other:?}"),
    }
    assert_eq!(pack::installed(east.dir.path()).map(|m| m.version), Some(2));
    assert_eq!(east.articles(), articles);

    // A download that does not match what was announced is not installed, and tried again.
    store::offer_pack(
        &mut laptop.db.lock().unwrap(),
        &ids[..1],
        &store::PackOffer {
            version: 4,
            sha256: "0".repeat(64),
            ..offer
        },
    )
    .unwrap();
    for _ in 0..2 {
        match east.send(&rt, &trusted) {
            Sent::Pack(result) => {
                assert_eq!((result.version, result.outcome.as_str()), (4, "download"))
            }
            other => panic!("offered again: {other:?}"),
        }
    }
    assert_eq!(pack::installed(east.dir.path()).map(|m| m.version), Some(2));
    let leftovers: Vec<_> = std::fs::read_dir(east.dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("lan-pack-"))
        .collect();
    assert!(leftovers.is_empty(), "no half download is left behind");
    let list = laptop.kiosks(Thresholds::default(), now());
    let e = list.iter().find(|k| k.name == "East").expect("East");
    assert!(
        !e.warnings.contains(&Warning::PackRefused),
        "a download that did not arrive whole is tried again, not shown as refused: {:?}",
        e.warnings
    );

    // Unpairing East: its offer goes, and the copy no kiosk is offered any more with it.
    let outgoing = lan::fleet::outgoing_dir(laptop.dir.path());
    let files = || std::fs::read_dir(&outgoing).unwrap().count();
    assert_eq!(files(), 2, "the copies offered to East and to West");
    {
        let conn = laptop.db.lock().unwrap();
        store::remove_kiosk(&conn, &ids[0]).unwrap();
        fleet::prune_outgoing(&conn, laptop.dir.path());
    }
    let west_copy = store::pack_offer(&laptop.db.lock().unwrap(), &ids[1])
        .unwrap()
        .expect("West's offer stays")
        .file;
    let left: Vec<String> = std::fs::read_dir(&outgoing)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(left, [west_copy], "only the copy still offered is kept");
    laptop.task.abort();
}

#[test]
fn a_pack_failing_its_check_at_start_is_not_reported_as_in_use() {
    let rt = runtime();
    let laptop = Laptop::start(&rt);
    let (key, trusted) = keys();
    let mut kiosk = Kiosk::paired(&rt, &laptop, "Lobby");
    let v2 = make_pack(&laptop, &key, 2);
    let ids = [kiosk.pairing.kiosk_id.clone()];
    fleet::send_pack(
        &mut laptop.db.lock().unwrap(),
        laptop.dir.path(),
        &v2,
        &trusted,
        &ids,
        now(),
    )
    .expect("sent");
    assert!(matches!(kiosk.send(&rt, &trusted), Sent::Pack(_)));
    // The kiosk's config stops trusting the key: at its next start the installed pack fails
    // its check and the shipped articles are shown (as lib.rs does).
    let problem = pack::verify_installed(kiosk.dir.path(), &[]).expect_err("no key trusts it");
    kiosk.content_problem = Some(problem.to_string());
    kiosk.reporter = Reporter::new();
    let _ = kiosk.send(&rt, &[]);
    kiosk.send(&rt, &[]);
    let view = &laptop.kiosks(Thresholds::default(), now())[0];
    let report = view.report.as_ref().expect("report");
    assert_eq!(
        report.pack_version, 0,
        "the articles in use are the shipped ones"
    );
    assert!(report.content_problem.is_some());
    assert!(
        view.warnings.contains(&Warning::ContentProblem),
        "{:?}",
        view.warnings
    );
    laptop.task.abort();
}

#[test]
fn the_front_desk_sends_two_packs_at_once_at_most() {
    let rt = runtime();
    let laptop = Laptop::start(&rt);
    let (key, trusted) = keys();
    let kiosk = Kiosk::paired(&rt, &laptop, "Lobby");
    let v2 = make_pack(&laptop, &key, 2);
    fleet::send_pack(
        &mut laptop.db.lock().unwrap(),
        laptop.dir.path(),
        &v2,
        &trusted,
        std::slice::from_ref(&kiosk.pairing.kiosk_id),
        now(),
    )
    .expect("sent");
    let ask = || {
        let body = br#"{"version":2}"#;
        let ts = now() / 1000;
        let headers = [
            (lan::KIOSK_HEADER, kiosk.pairing.kiosk_id.clone()),
            (webhook::TIMESTAMP_HEADER, ts.to_string()),
            (
                webhook::SIGNATURE_HEADER,
                webhook::sign(&kiosk.pairing.secret, ts, body),
            ),
        ];
        let header = move |name: &str| {
            headers
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
        };
        laptop
            .front
            .send_pack("127.0.0.1".parse().unwrap(), header, body, now())
    };
    let status = |reply: &lan::fleet::Reply| match reply {
        lan::fleet::Reply::Pack(_) => 200,
        lan::fleet::Reply::Json(status, _) => *status,
        lan::fleet::Reply::Text((status, _)) => *status,
    };
    let first = ask();
    let second = ask();
    assert_eq!((status(&first), status(&second)), (200, 200));
    assert_eq!(
        status(&ask()),
        503,
        "a third waits while two are on their way"
    );
    drop(first);
    assert_eq!(
        status(&ask()),
        200,
        "a place is given back when a pack has gone"
    );
    drop(second);
    laptop.task.abort();
}
