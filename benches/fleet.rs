//! A fleet of kiosks through one front desk to a real FHIR server, with faults (issue #15,
//! item 5). Not a timed micro-benchmark: it runs for minutes and prints figures for
//! BENCHMARKS.md.
//!
//! Everything is the real thing, in one process: one Helios FHIR Server (`hfs`, the same
//! binary and settings as `tests/common/fhir_server.rs`: SQLite in a temporary folder,
//! validation enforced); one front desk (`lan::FrontDesk` on its TLS port through
//! `lan::server::serve_with`, its own kiosk.db, forwarding to a FHIR destination, its
//! delivery worker running as the app runs it, `worker::run_forever`); N kiosks, each with
//! its own kiosk.db, paired with the front desk through `lan::client::pair_from` (SPAKE2 over
//! TLS, each from its own loopback address), each with its delivery worker sending signed
//! requests over the pinned TLS link. Requests are made as the app's submit command makes
//! them: `callbacks::validate::validate` of a filled-in form, then `callbacks::queue::submit`
//! (one durable transaction), then the worker is woken. The data is synthetic: names such as
//! "Load Test Kiosk Ab Aaaec" (the form takes letters only, so numbers are spelled with
//! the letters a to j) and US numbers 201-2xx-xxxx (one exchange per kiosk).
//!
//! Each kiosk submits its requests at a steady pace (`FLEET_KIOSK_RATE` per second; 0: as fast
//! as its kiosk.db takes them). Runs:
//! 1. scaling runs without faults, one per kiosk count in `FLEET_KIOSKS` (default 1, 5, 20),
//!    `FLEET_PER_KIOSK` requests per kiosk (default 500, the total capped at
//!    `FLEET_REQUESTS`);
//! 2. the fault run: `FLEET_FAULT_KIOSKS` kiosks (20) send `FLEET_REQUESTS` (10,000) in all;
//!    at a quarter of the submitting time the front desk is stopped (its runtime, so its
//!    port, its open connections and its worker all end; `FLEET_RESTART_SECS` down, 5 s) and
//!    started again on the same port with the same certificate and kiosk.db; at half the
//!    submitting time the FHIR server is killed (SIGKILL) for `FLEET_OUTAGE_SECS` (60 s) and
//!    started again on the same port and SQLite file.
//!
//! After each run the bench waits until every kiosk's outbox and the front desk's are empty
//! (at most `FLEET_DRAIN_SECS`, 1800 s, else it fails), then checks on the FHIR server that
//! each request id is there exactly once (every CommunicationRequest read page by page, the
//! page walk checked against `_summary=count`, and a sample searched by identifier one by
//! one) and prints `lost` and `duplicates`. Latencies come from the databases: end to end is
//! the kiosk's `created_at` (which the front desk stores as sent) to the front desk's
//! `delivered_at` of its FHIR row; the two hops are shown too. The fault run also says how
//! long after the front desk and the FHIR server came back every request they held was
//! delivered, and fails when that is over `FLEET_RECOVERY_BOUND_SECS` (600 s).
//!
//! The workers keep the app's default backoff (5 s doubling to 15 min, full jitter), because
//! that is what a clinic runs; `FLEET_BACKOFF_CAP_MS` sets `Worker::backoff`'s cap to see
//! what a shorter one changes. The front desk's port has the default `Limits` but
//! `max_per_source`: every simulated kiosk sends from 127.0.0.1 (reqwest's pinned client has
//! no local address), where a clinic's kiosks each have their own.
//!
//! `cargo bench --bench fleet` runs all of it (needs `hfs`: `bash scripts/install-fhir-server`,
//! or `CLINIC_KIOSK_HFS`). Without `--bench` (as `cargo test --benches` runs it) it does a
//! smoke run of a few seconds' worth: 1 and 2 kiosks, 20 requests, a 5 s outage. Exits 1 when
//! a request is lost or duplicated, the outboxes do not drain in time, or recovery is
//! slower than the bound.

use std::collections::HashMap;
use std::error::Error;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::process::{Child, ExitCode};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clinic_kiosk::callbacks::{self, queue, CallbackForm, CallbackSettings, Outcome};
use clinic_kiosk::delivery::{outbox, worker, Backoff, Destination, FhirAuth, Kind};
use clinic_kiosk::lan::{self, client, tls, FrontDesk};
use clinic_kiosk::store;
use rusqlite::Connection;
use serde_json::Value;
use tokio::runtime::Runtime;
use tokio::sync::Notify;

/// Where the tests find `hfs` (`hfs_path`), reused so the bench runs the very same server.
#[allow(dead_code)]
#[path = "../tests/common/fhir_server.rs"]
mod fhir_server;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// The identifier system request ids are recorded under on the FHIR server.
const SYSTEM: &str = "https://clinic.example/callback-request";
/// The FHIR destination's id at the front desk.
const EHR: &str = "ehr";
/// The specialty every request asks for, and who answers it on the FHIR server.
const SPECIALTY: &str = "spine";
/// Request ids searched one by one on the FHIR server after each run.
const SAMPLE: usize = 50;

/// What the environment asks for (see the module's doc).
#[derive(Debug, Clone)]
struct Options {
    kiosk_counts: Vec<usize>,
    per_kiosk: usize,
    requests: usize,
    fault_kiosks: usize,
    rate: f64,
    outage: Duration,
    restart: Duration,
    drain: Duration,
    recovery_bound: Duration,
    backoff_cap_ms: Option<i64>,
    skip_scaling: bool,
    skip_faults: bool,
}

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
        _ => default,
    }
}

fn options() -> Options {
    let full = std::env::args().any(|a| a == "--bench");
    let kiosk_counts = std::env::var("FLEET_KIOSKS")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(|v| {
            v.split(',')
                .map(|n| n.trim().parse().expect("FLEET_KIOSKS: numbers with commas"))
                .collect()
        })
        .unwrap_or_else(|| if full { vec![1, 5, 20] } else { vec![1, 2] });
    let backoff_cap_ms = std::env::var("FLEET_BACKOFF_CAP_MS")
        .ok()
        .map(|v| v.parse().expect("FLEET_BACKOFF_CAP_MS: a number of ms"));
    Options {
        kiosk_counts,
        per_kiosk: env("FLEET_PER_KIOSK", if full { 500 } else { 10 }),
        requests: env("FLEET_REQUESTS", if full { 10_000 } else { 20 }),
        fault_kiosks: env("FLEET_FAULT_KIOSKS", if full { 20 } else { 2 }),
        rate: env("FLEET_KIOSK_RATE", if full { 2.5 } else { 4.0 }),
        outage: Duration::from_secs(env("FLEET_OUTAGE_SECS", if full { 60 } else { 5 })),
        restart: Duration::from_secs(env("FLEET_RESTART_SECS", if full { 5 } else { 2 })),
        drain: Duration::from_secs(env("FLEET_DRAIN_SECS", if full { 1800 } else { 300 })),
        recovery_bound: Duration::from_secs(env("FLEET_RECOVERY_BOUND_SECS", 600)),
        backoff_cap_ms,
        skip_scaling: env("FLEET_SKIP_SCALING", 0) != 0,
        skip_faults: env("FLEET_SKIP_FAULTS", 0) != 0,
    }
}

/// Unix ms, the clock the app stamps requests and deliveries with.
fn now_ms() -> i64 {
    callbacks::now_ms()
}

/// The callback rules every kiosk and the front desk run with: the defaults (US numbers,
/// the shipped slots and consent), without the burst limit, which would slow a kiosk to one
/// request every two minutes (it is for one person's junk, not for a load test).
fn settings() -> CallbackSettings {
    CallbackSettings {
        burst_limit: u32::MAX,
        ..CallbackSettings::default()
    }
}

/// `n` in `width` digits, each spelled as a letter (0 = a ... 9 = j), the first a capital:
/// 42 in 5 is `Aaaec`. Names take letters only.
fn letters(n: usize, width: usize) -> String {
    let digits = format!("{n:0width$}");
    digits
        .chars()
        .enumerate()
        .map(|(i, d)| {
            let c = (b'a' + d.to_digit(10).expect("a digit") as u8) as char;
            if i == 0 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// The FHIR server

/// Helios FHIR Server as the tests run it, which the bench can kill and start again on the
/// same port and SQLite file. A small shell holds our end of a pipe and kills the server when
/// the pipe closes: when [`Helios::kill`] closes it, or when this process ends however it
/// ends, so no server is left behind.
struct Helios {
    dir: PathBuf,
    port: u16,
    base: String,
    watchdog: Option<Child>,
}

impl Helios {
    /// A server with its SQLite file and search parameter in `dir`, started.
    fn start(rt: &Runtime, dir: &Path) -> Result<Helios> {
        let hfs = fhir_server::hfs_path();
        if !hfs.is_file() {
            return Err(format!(
                "Helios FHIR Server {} is not at {}: run `bash scripts/install-fhir-server` or set {}",
                fhir_server::HFS_VERSION,
                hfs.display(),
                fhir_server::HFS_ENV
            )
            .into());
        }
        fhir_server::prepare_folder(dir)?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let mut helios = Helios {
            dir: dir.to_path_buf(),
            port,
            base: format!("http://127.0.0.1:{port}"),
            watchdog: None,
        };
        helios.launch(rt)?;
        Ok(helios)
    }

    /// Starts the server (again) on its port and file, and waits until it answers.
    fn launch(&mut self, rt: &Runtime) -> Result<()> {
        // Killed (-9, a crash) when the pipe closes, the folder kept for the next launch; the
        // log appended to across launches.
        let script = r#"exec 3<&0
"$0" >>"$1/hfs.log" 2>&1 </dev/null & pid=$!
(read -r _ <&3; kill -9 "$pid" 2>/dev/null) &
wait "$pid""#;
        let child =
            fhir_server::watched_command(script, &fhir_server::hfs_path(), &self.dir, self.port)
                .spawn()?;
        self.watchdog = Some(child);
        let deadline = Instant::now() + Duration::from_secs(120);
        let client = rt.block_on(async { reqwest::Client::new() });
        loop {
            let answer = rt.block_on(async {
                client
                    .get(format!("{}/metadata", self.base))
                    .header("Accept", "application/fhir+json")
                    .timeout(Duration::from_secs(5))
                    .send()
                    .await
            });
            if answer.is_ok_and(|r| r.status().as_u16() == 200) {
                return Ok(());
            }
            let exited = self
                .watchdog
                .as_mut()
                .is_none_or(|c| c.try_wait().ok().flatten().is_some());
            if exited || Instant::now() > deadline {
                return Err(format!(
                    "the FHIR server at {} did not start; its log:\n{}",
                    self.base,
                    fhir_server::log_tail(&self.dir.join("hfs.log"), 30)
                )
                .into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Kills the server (SIGKILL, from the watchdog) and waits until it is gone.
    fn kill(&mut self) {
        if let Some(mut child) = self.watchdog.take() {
            drop(child.stdin.take());
            let _ = child.wait();
        }
    }
}

impl Drop for Helios {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Every CommunicationRequest on the server, page by page: request id -> how many
/// resources carry it under [`SYSTEM`]. Checked against the server's own count.
async fn server_counts(base: &str) -> Result<HashMap<String, u32>> {
    let client = reqwest::Client::new();
    let get = |url: String| {
        let client = client.clone();
        async move {
            let response = client
                .get(url)
                .header("Accept", "application/fhir+json")
                .timeout(Duration::from_secs(120))
                .send()
                .await?
                .error_for_status()?;
            Ok::<Value, Box<dyn Error>>(response.json().await?)
        }
    };
    let total = get(format!("{base}/CommunicationRequest?_summary=count")).await?["total"]
        .as_u64()
        .ok_or("no total in the count")?;
    let mut counts: HashMap<String, u32> = HashMap::new();
    let mut seen = 0u64;
    let mut url = Some(format!(
        "{base}/CommunicationRequest?_count=1000&_elements=identifier"
    ));
    while let Some(page) = url.take() {
        let bundle = get(page).await?;
        for entry in bundle["entry"].as_array().into_iter().flatten() {
            seen += 1;
            for id in entry["resource"]["identifier"]
                .as_array()
                .into_iter()
                .flatten()
            {
                if id["system"] == SYSTEM {
                    if let Some(value) = id["value"].as_str() {
                        *counts.entry(value.to_string()).or_default() += 1;
                    }
                }
            }
        }
        url = bundle["link"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|l| l["relation"] == "next")
            .and_then(|l| l["url"].as_str())
            .map(str::to_string);
    }
    if seen != total {
        return Err(
            format!("the page walk read {seen} resources, the server counts {total}").into(),
        );
    }
    Ok(counts)
}

/// How many resources the server finds for one request id, searched as a FHIR client would.
async fn search_count(base: &str, id: &str) -> Result<u64> {
    let bundle: Value = reqwest::Client::new()
        .get(format!("{base}/CommunicationRequest"))
        .query(&[
            ("identifier", format!("{SYSTEM}|{id}")),
            ("_summary", "count".to_string()),
        ])
        .header("Accept", "application/fhir+json")
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    bundle["total"]
        .as_u64()
        .ok_or_else(|| format!("no total for {id}: {bundle}").into())
}

// ---------------------------------------------------------------------------------------
// The front desk and the kiosks

/// The front desk's port: the default limits, but every simulated kiosk connects from
/// 127.0.0.1, so one address may hold as many connections as all of them.
fn limits() -> lan::server::Limits {
    let defaults = lan::server::Limits::default();
    lan::server::Limits {
        max_per_source: defaults.max_connections,
        ..defaults
    }
}

/// A delivery worker with the app's backoff unless `FLEET_BACKOFF_CAP_MS` says otherwise.
fn new_worker(destinations: Vec<Destination>, options: &Options) -> worker::Worker {
    let mut w = worker::Worker::new(destinations, "Fleet Bench Clinic".into(), settings());
    w.specialty_names = vec![(SPECIALTY.into(), "Spine specialist".into())];
    if let Some(cap_ms) = options.backoff_cap_ms {
        w.backoff = Backoff {
            cap_ms,
            ..Backoff::default()
        };
    }
    w
}

/// The front-desk laptop: its folder (certificate, kiosk.db, token file), its port, and,
/// while it runs, its own runtime with the TLS server and the delivery worker on it, as the
/// app runs them. Stopping drops that runtime: the port, every open connection and the
/// worker end at once, whatever they were doing.
struct FrontDeskNode {
    dir: PathBuf,
    port: u16,
    fhir_base: String,
    options: Options,
    runtime: Option<Runtime>,
    front: Option<Arc<FrontDesk>>,
    db: Arc<Mutex<Connection>>,
}

impl FrontDeskNode {
    /// Starts a front desk in `dir` on `port` (0: any), forwarding to the FHIR server.
    fn start(dir: &Path, port: u16, fhir_base: &str, options: &Options) -> Result<Self> {
        let token = dir.join("fhir-token");
        if !token.exists() {
            std::fs::write(&token, "fleet-bench-token\n")?;
            std::fs::set_permissions(&token, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("front-desk")
            .enable_all()
            .build()?;
        let db = Arc::new(Mutex::new(store::open(&dir.join("kiosk.db"))?));
        let identity = tls::Identity::load_or_create(dir)?;
        let mut front = FrontDesk::new(identity, db.clone());
        front.forward_to = vec![outbox::STAFF_INBOX.into(), EHR.into()];
        front.callbacks = settings();
        // As in the app (lib.rs `spawn_front_desk`): a request stored from a kiosk wakes the
        // front desk's worker, which otherwise looks every `worker::POLL`.
        let wake = Arc::new(Notify::new());
        front.stored = Some(wake.clone());
        let front = Arc::new(front);
        // The port was just let go by the previous run of this front desk: try for a while.
        let deadline = Instant::now() + Duration::from_secs(10);
        let listener = loop {
            match runtime.block_on(tokio::net::TcpListener::bind(("127.0.0.1", port))) {
                Ok(l) => break l,
                Err(err) if Instant::now() < deadline => {
                    eprintln!("front desk: port {port}: {err}; trying again");
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(err) => return Err(err.into()),
            }
        };
        let port = listener.local_addr()?.port();
        runtime.spawn(lan::server::serve_with(front.clone(), listener, limits()));
        let worker = new_worker(
            vec![Destination {
                id: EHR.into(),
                kind: Kind::Fhir {
                    base: fhir_base.into(),
                    auth: FhirAuth::TokenFile(token),
                    identifier_system: SYSTEM.into(),
                    recipients: [(SPECIALTY.to_string(), "PractitionerRole/spine-desk".into())]
                        .into(),
                },
            }],
            options,
        );
        let worker_db = db.clone();
        runtime.spawn(async move { worker::run_forever(worker, &worker_db, &wake).await });
        Ok(FrontDeskNode {
            dir: dir.to_path_buf(),
            port,
            fhir_base: fhir_base.into(),
            options: options.clone(),
            runtime: Some(runtime),
            front: Some(front),
            db,
        })
    }

    fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Stops the server and the worker (their runtime), as when the laptop's app closes.
    fn stop(&mut self) {
        self.front = None;
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(Duration::from_secs(5));
        }
    }

    /// Starts it again: same folder (certificate, kiosk.db), same port.
    fn restart(&mut self) -> Result<()> {
        self.stop();
        let next = FrontDeskNode::start(&self.dir, self.port, &self.fhir_base, &self.options)?;
        *self = next;
        Ok(())
    }
}

impl Drop for FrontDeskNode {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One kiosk: its kiosk.db, the wake-up its worker waits on, its pairing's kiosk id.
struct KioskNode {
    index: usize,
    db: Arc<Mutex<Connection>>,
    wake: Arc<Notify>,
}

/// Makes kiosk `index` in `dir` and pairs it with `front` by a code shown there, from the
/// loopback address 127.0.0.(10 + index), as staff would type it.
fn pair_kiosk(rt: &Runtime, dir: &Path, index: usize, front: &FrontDeskNode) -> Result<KioskNode> {
    let db = store::open(&dir.join(format!("kiosk-{index:02}/kiosk.db")))?;
    let code = front
        .front
        .as_ref()
        .ok_or("the front desk is not running")?
        .open_code(now_ms())
        .code;
    let from = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 10 + index as u8));
    let name = format!("Lobby {}", letters(index, 2));
    let pairing = rt
        .block_on(client::pair_from(
            &front.address(),
            &code,
            &name,
            now_ms(),
            Some(from),
        ))
        .map_err(|e| format!("kiosk {index} did not pair: {e}"))?;
    lan::store::save_pairing(&db, &pairing)?;
    Ok(KioskNode {
        index,
        db: Arc::new(Mutex::new(db)),
        wake: Arc::new(Notify::new()),
    })
}

/// The `n`th form kiosk `kiosk` submits: synthetic name and number, a fresh request id.
fn form(kiosk: usize, n: usize) -> CallbackForm {
    let settings = settings();
    CallbackForm {
        request_id: uuid::Uuid::now_v7().to_string(),
        name: format!("Load Test Kiosk {} {}", letters(kiosk, 2), letters(n, 5)),
        phone: format!("201-{}-{:04}", 200 + kiosk, n % 10_000),
        best_time: "any".into(),
        language: if n.is_multiple_of(2) { "en" } else { "es" }.into(),
        note: "Synthetic load test request, no real person".into(),
        consent: true,
        consent_version: settings.consent_version,
        specialty: SPECIALTY.into(),
        ..CallbackForm::default()
    }
}

/// Submits `count` requests at kiosk `k` at `rate` a second (0: back to back), as the
/// submit command does: validate, store durably, wake the worker. Returns the request ids.
fn submit_all(k: &KioskNode, count: usize, rate: f64, start: Instant) -> Result<Vec<String>> {
    let settings = settings();
    let specialties = [SPECIALTY.to_string()];
    let mut ids = Vec::with_capacity(count);
    // Kiosks start a little apart, as they would not all be tapped at the same instant.
    let offset = if rate > 0.0 {
        Duration::from_secs_f64(k.index as f64 * 0.037 % (1.0 / rate))
    } else {
        Duration::ZERO
    };
    for n in 0..count {
        if rate > 0.0 {
            let due = start + offset + Duration::from_secs_f64(n as f64 / rate);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
        let valid = callbacks::validate::validate(&form(k.index, n), &settings, &specialties)
            .map_err(|e| format!("kiosk {} request {n} refused by the form: {e:?}", k.index))?;
        let receipt = {
            let mut conn = k.db.lock().map_err(|_| "kiosk.db lock")?;
            queue::submit(&mut conn, &valid, &settings, now_ms())?
        };
        if receipt.outcome != Outcome::Received {
            return Err(format!(
                "kiosk {} request {n}: {:?}, not received",
                k.index, receipt.outcome
            )
            .into());
        }
        k.wake.notify_one();
        ids.push(receipt.request_id);
    }
    Ok(ids)
}

// ---------------------------------------------------------------------------------------
// One run

/// A run's shape.
#[derive(Debug, Clone, Copy)]
struct Plan {
    kiosks: usize,
    per_kiosk: usize,
    faults: bool,
}

/// When a fault started and when the service was back (Unix ms).
#[derive(Debug, Clone, Copy)]
struct Window {
    down_at: i64,
    back_at: i64,
}

/// What the requests held by one fault came to.
#[derive(Debug, Clone, Copy, Default)]
struct Recovery {
    /// Requests made (or, at the front desk, received) before the service was back and
    /// not delivered before it was back.
    held: usize,
    /// Requests of any kind delivered from the first held one to the last: the backlog
    /// worked off while catching up.
    caught_up: usize,
    /// From the service's return to the first held request delivered, s.
    first_after: f64,
    /// From the service's return to the last held request delivered, s.
    all_after: f64,
}

/// A run's figures.
#[derive(Debug, Clone)]
struct Figures {
    plan: Plan,
    requests: usize,
    submit_secs: f64,
    span_secs: f64,
    end_to_end: Vec<f64>,
    to_desk: Vec<f64>,
    to_fhir: Vec<f64>,
    lost: usize,
    duplicates: usize,
    refused: i64,
    sample_bad: usize,
    max_fhir_attempts: i64,
    desk: Option<(Window, Recovery)>,
    fhir: Option<(Window, Recovery)>,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// Waiting and refused rows in one kiosk.db's outbox.
fn queue_state(db: &Mutex<Connection>) -> Result<(i64, i64)> {
    let conn = db.lock().map_err(|_| "kiosk.db lock")?;
    let s = outbox::summary(&conn)?;
    Ok((s.waiting, s.failed))
}

/// Runs `plan` against the FHIR server `helios` and returns its figures.
fn run(rt: &Runtime, helios: &mut Helios, plan: Plan, options: &Options) -> Result<Figures> {
    let dir = tempfile::Builder::new()
        .prefix("clinic-kiosk-fleet-")
        .tempdir()?;
    let desk_dir = dir.path().join("front-desk");
    std::fs::create_dir_all(&desk_dir)?;
    let mut desk = FrontDeskNode::start(&desk_dir, 0, &helios.base, options)?;
    let kiosks: Vec<Arc<KioskNode>> = (0..plan.kiosks)
        .map(|i| pair_kiosk(rt, dir.path(), i, &desk).map(Arc::new))
        .collect::<Result<_>>()?;
    let workers: Vec<_> = kiosks
        .iter()
        .map(|k| {
            let (k, w) = (k.clone(), new_worker(Vec::new(), options));
            rt.spawn(async move { worker::run_forever(w, &k.db, &k.wake).await })
        })
        .collect();
    eprintln!(
        "run: {} kiosks x {} requests, {} a second each{}",
        plan.kiosks,
        plan.per_kiosk,
        options.rate,
        if plan.faults { ", with faults" } else { "" }
    );

    let start = Instant::now();
    let first_ms = now_ms();
    let submitters: Vec<_> = kiosks
        .iter()
        .map(|k| {
            let (k, count, rate) = (k.clone(), plan.per_kiosk, options.rate);
            std::thread::spawn(move || {
                let ids = submit_all(&k, count, rate, start).map_err(|e| e.to_string())?;
                Ok::<_, String>((ids, start.elapsed()))
            })
        })
        .collect();

    let (mut desk_window, mut fhir_window) = (None, None);
    if plan.faults {
        // Submitting lasts about this long; the faults fall at a quarter and at half of it.
        let span = if options.rate > 0.0 {
            Duration::from_secs_f64(plan.per_kiosk as f64 / options.rate)
        } else {
            Duration::from_secs(20)
        };
        sleep_until(start + span / 4);
        let down_at = now_ms();
        eprintln!("fault: the front desk stops for {:?}", options.restart);
        desk.stop();
        std::thread::sleep(options.restart);
        desk.restart()?;
        desk_window = Some(Window {
            down_at,
            back_at: now_ms(),
        });
        eprintln!("fault: the front desk is back on port {}", desk.port);
        sleep_until(start + span / 2);
        eprintln!("fault: the FHIR server is killed for {:?}", options.outage);
        helios.kill();
        let down_at = now_ms();
        std::thread::sleep(options.outage);
        helios.launch(rt)?;
        fhir_window = Some(Window {
            down_at,
            back_at: now_ms(),
        });
        eprintln!("fault: the FHIR server is back");
    }

    // How long submitting took: to the last kiosk's last request.
    let mut ids: Vec<(usize, String)> = Vec::new();
    let mut submit_secs: f64 = 0.0;
    for (i, s) in submitters.into_iter().enumerate() {
        let (mine, took) = s.join().map_err(|_| "a submitter panicked")??;
        ids.extend(mine.into_iter().map(|id| (i, id)));
        submit_secs = submit_secs.max(took.as_secs_f64());
    }
    eprintln!(
        "submitted {} in {submit_secs:.1} s; waiting for the outboxes to drain",
        ids.len()
    );

    // Every kiosk's outbox, then the front desk's: a kiosk row is delivered only once the
    // front desk committed the request and its FHIR row, so none is missed between them.
    let deadline = Instant::now() + options.drain;
    let mut last_report = Instant::now();
    let refused = loop {
        let mut waiting = 0;
        let mut refused = 0;
        for k in &kiosks {
            let (w, f) = queue_state(&k.db)?;
            waiting += w;
            refused += f;
        }
        let (desk_waiting, desk_refused) = queue_state(&desk.db)?;
        if waiting == 0 && desk_waiting == 0 {
            break refused + desk_refused;
        }
        if Instant::now() > deadline {
            return Err(format!(
                "not drained within {:?}: {waiting} rows waiting at the kiosks, {desk_waiting} at the front desk",
                options.drain
            )
            .into());
        }
        if last_report.elapsed() > Duration::from_secs(15) {
            eprintln!("  waiting: {waiting} at the kiosks, {desk_waiting} at the front desk");
            last_report = Instant::now();
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    for w in workers {
        w.abort();
    }

    // Latencies, from the databases.
    let mut to_desk = Vec::new();
    let mut desk_held: Vec<i64> = Vec::new();
    let (mut desk_delivered, mut fhir_delivered) = (Vec::new(), Vec::new());
    for k in &kiosks {
        let conn = k.db.lock().map_err(|_| "kiosk.db lock")?;
        let mut stmt = conn.prepare(
            "SELECT r.created_at, o.delivered_at FROM callback_request r
             JOIN outbox o ON o.request_id = r.id AND o.destination = ?1
             WHERE o.delivered_at IS NOT NULL",
        )?;
        let rows = stmt.query_map([lan::FRONT_DESK], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
        })?;
        for row in rows {
            let (made, delivered) = row?;
            to_desk.push((delivered - made) as f64 / 1000.0);
            desk_delivered.push(delivered);
            if let Some(w) = desk_window {
                if made < w.back_at && delivered >= w.back_at {
                    desk_held.push(delivered);
                }
            }
        }
    }
    let (mut end_to_end, mut to_fhir, mut fhir_held) = (Vec::new(), Vec::new(), Vec::new());
    let mut last_delivery = first_ms;
    let max_fhir_attempts: i64 = {
        let conn = desk.db.lock().map_err(|_| "kiosk.db lock")?;
        let mut stmt = conn.prepare(
            "SELECT r.created_at, o.created_at, o.delivered_at FROM callback_request r
             JOIN outbox o ON o.request_id = r.id AND o.destination = ?1
             WHERE o.delivered_at IS NOT NULL",
        )?;
        let rows = stmt.query_map([EHR], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        for row in rows {
            let (made, received, delivered) = row?;
            end_to_end.push((delivered - made) as f64 / 1000.0);
            to_fhir.push((delivered - received) as f64 / 1000.0);
            fhir_delivered.push(delivered);
            last_delivery = last_delivery.max(delivered);
            if let Some(w) = fhir_window {
                if received < w.back_at && delivered >= w.back_at {
                    fhir_held.push(delivered);
                }
            }
        }
        conn.query_row(
            "SELECT coalesce(max(attempts), 0) FROM outbox WHERE destination = ?1",
            [EHR],
            |r| r.get(0),
        )?
    };
    let recovery = |w: Window, held: &[i64], delivered: &[i64]| Recovery {
        held: held.len(),
        caught_up: match (held.iter().min(), held.iter().max()) {
            (Some(first), Some(last)) => delivered
                .iter()
                .filter(|t| (*first..=*last).contains(*t))
                .count(),
            _ => 0,
        },
        first_after: held
            .iter()
            .min()
            .map_or(0.0, |t| (t - w.back_at) as f64 / 1000.0),
        all_after: held
            .iter()
            .max()
            .map_or(0.0, |t| (t - w.back_at) as f64 / 1000.0),
    };
    let desk_recovery = desk_window.map(|w| (w, recovery(w, &desk_held, &desk_delivered)));
    let fhir_recovery = fhir_window.map(|w| (w, recovery(w, &fhir_held, &fhir_delivered)));
    drop(desk);

    // Exactly once on the FHIR server.
    let counts = rt.block_on(server_counts(&helios.base))?;
    let mut lost = 0;
    let mut duplicates = 0;
    for (_, id) in &ids {
        match counts.get(id).copied().unwrap_or(0) {
            0 => lost += 1,
            n => duplicates += (n - 1) as usize,
        }
    }
    let mut sample_bad = 0;
    let step = (ids.len() / SAMPLE).max(1);
    for (_, id) in ids.iter().step_by(step) {
        let found = rt.block_on(search_count(&helios.base, id))?;
        if found != 1 {
            eprintln!("request {id}: {found} resources found by identifier");
            sample_bad += 1;
        }
    }
    for v in [&mut end_to_end, &mut to_desk, &mut to_fhir] {
        v.sort_by(f64::total_cmp);
    }
    Ok(Figures {
        plan,
        requests: ids.len(),
        submit_secs,
        span_secs: (last_delivery - first_ms) as f64 / 1000.0,
        end_to_end,
        to_desk,
        to_fhir,
        lost,
        duplicates,
        refused,
        sample_bad,
        max_fhir_attempts,
        desk: desk_recovery,
        fhir: fhir_recovery,
    })
}

fn sleep_until(at: Instant) {
    if let Some(wait) = at.checked_duration_since(Instant::now()) {
        std::thread::sleep(wait);
    }
}

// ---------------------------------------------------------------------------------------
// Report

fn row(f: &Figures) -> String {
    let s = |v: &[f64], p| format!("{:.2}", percentile(v, p));
    format!(
        "| {} | {} | {:.1} | {:.1} | {} | {} | {} | {} / {} | {} / {} | {} | {} |",
        f.plan.kiosks,
        f.requests,
        f.requests as f64 / f.submit_secs,
        f.requests as f64 / f.span_secs,
        s(&f.end_to_end, 0.5),
        s(&f.end_to_end, 0.99),
        s(&f.end_to_end, 1.0),
        s(&f.to_desk, 0.5),
        s(&f.to_desk, 0.99),
        s(&f.to_fhir, 0.5),
        s(&f.to_fhir, 0.99),
        f.lost,
        f.duplicates,
    )
}

fn report(all: &[Figures], options: &Options) {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!();
    println!(
        "Each kiosk submits {} requests/s{}; backoff: {:?}; load average now: {}",
        options.rate,
        if options.rate > 0.0 {
            ""
        } else {
            " (back to back)"
        },
        options
            .backoff_cap_ms
            .map_or(Backoff::default(), |cap_ms| Backoff {
                cap_ms,
                ..Backoff::default()
            }),
        load.trim()
    );
    println!();
    println!("| kiosks | requests | submitted/s | delivered/s | end to end p50 s | p99 s | max s | kiosk to desk p50 / p99 s | desk to FHIR p50 / p99 s | lost | duplicates |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for f in all {
        let mut line = row(f);
        if f.plan.faults {
            line = line.replacen("| ", "| faults, ", 1);
        }
        println!("{line}");
    }
    for f in all.iter().filter(|f| f.plan.faults) {
        println!();
        if let Some((w, r)) = f.desk {
            println!(
                "Front desk down {:.1} s: {} requests held at the kiosks; the first delivered {:.1} s after it was back, all {:.1} s after.",
                (w.back_at - w.down_at) as f64 / 1000.0,
                r.held,
                r.first_after,
                r.all_after
            );
        }
        if let Some((w, r)) = f.fhir {
            println!(
                "FHIR server down {:.1} s: {} requests held at the front desk; the first delivered {:.1} s after it was back, all {:.1} s after ({} delivered meanwhile, {:.1} requests/s while catching up).",
                (w.back_at - w.down_at) as f64 / 1000.0,
                r.held,
                r.first_after,
                r.all_after,
                r.caught_up,
                if r.all_after > r.first_after {
                    r.caught_up as f64 / (r.all_after - r.first_after)
                } else {
                    f64::NAN
                }
            );
        }
        println!(
            "Most tries of one FHIR row: {}; rows refused for good: {}; sample searched by identifier not found exactly once: {}.",
            f.max_fhir_attempts, f.refused, f.sample_bad
        );
    }
}

fn main() -> ExitCode {
    match bench() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("fleet bench failed: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Every run; `Ok(false)` when a check failed (the figures are still printed).
fn bench() -> Result<bool> {
    let options = options();
    eprintln!("{options:?}");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("kiosks")
        .enable_all()
        .build()?;
    let fhir_dir = tempfile::Builder::new()
        .prefix("clinic-kiosk-fleet-fhir-")
        .tempdir()?;
    let mut helios = Helios::start(&rt, fhir_dir.path())?;
    eprintln!("FHIR server at {}", helios.base);

    let mut plans: Vec<Plan> = Vec::new();
    if !options.skip_scaling {
        for &kiosks in &options.kiosk_counts {
            let per_kiosk = options
                .per_kiosk
                .min(options.requests / kiosks.max(1))
                .max(1);
            plans.push(Plan {
                kiosks,
                per_kiosk,
                faults: false,
            });
        }
    }
    if !options.skip_faults {
        let kiosks = options.fault_kiosks.max(1);
        plans.push(Plan {
            kiosks,
            per_kiosk: (options.requests / kiosks).max(1),
            faults: true,
        });
    }
    assert!(
        plans
            .iter()
            .all(|p| p.kiosks <= 200 && p.per_kiosk <= 10_000),
        "at most 200 kiosks (loopback addresses, phone exchanges) and 10,000 requests each"
    );

    let mut all = Vec::new();
    let mut ok = true;
    for plan in plans {
        let f = run(&rt, &mut helios, plan, &options)?;
        println!("{}", row(&f));
        if f.lost != 0 || f.duplicates != 0 || f.refused != 0 || f.sample_bad != 0 {
            eprintln!(
                "FAILED: lost {}, duplicates {}, refused {}, sample not found once {}",
                f.lost, f.duplicates, f.refused, f.sample_bad
            );
            ok = false;
        }
        for (what, r) in [("front desk", f.desk), ("FHIR server", f.fhir)] {
            if let Some((_, r)) = r {
                if r.all_after > options.recovery_bound.as_secs_f64() {
                    eprintln!(
                        "FAILED: requests held while the {what} was down took {:.1} s after it came back (bound {:?})",
                        r.all_after, options.recovery_bound
                    );
                    ok = false;
                }
            }
        }
        println!("lost {} duplicates {}", f.lost, f.duplicates);
        all.push(f);
    }
    report(&all, &options);
    Ok(ok)
}
