//! Kill -9 at random points of a submit (issue #16, item 6): "thank you" means stored, however
//! the app dies. Not a timed test: it runs for minutes and prints figures for BENCHMARKS.md.
//!
//! Each round starts this binary again as a child (`KILLS_BENCH_CHILD_DB` set), which opens
//! kiosk.db with `store::open` (WAL, synchronous=FULL, migrations) and submits valid requests
//! through `callbacks::queue::submit` with three destinations, printing `ACK <id>` after each
//! commit returns. The parent kills it with SIGKILL at a random point, chosen one of three
//! ways so the kill lands everywhere in the submit and around it:
//! - `start`: 0 to 40 ms after the spawn (the open, the migrations of a new file, the
//!   first submits);
//! - `spin`: after 1 to 40 acknowledgements plus a busy wait of 0 to 2 ms (a submit takes
//!   about 0.3 ms: anywhere in the next few, before, inside or after the commit);
//! - `ack`: right on the n-th acknowledgement (the old durability test's only point).
//!
//! After every kill the parent opens the file as the next start of the app would and checks:
//! `integrity_check` is `ok`, foreign keys hold, every acknowledged request is present with
//! all three outbox rows, no request has fewer, no outbox row lacks its request. Any failure
//! stops the run with the seed to replay it.
//!
//! `cargo bench --bench kills` runs 1,000 rounds (`KILLS_BENCH_ROUNDS` to change it; the seed
//! from `KILLS_BENCH_SEED`, else the time; the folder from `KILLS_BENCH_DIR`, else a temp
//! folder). Without `--bench` (as `cargo test --benches` runs it) it does 10 rounds.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use clinic_kiosk::callbacks::queue::{self, Outcome};
use clinic_kiosk::callbacks::{self, CallbackSettings, ValidRequest};
use clinic_kiosk::store;
use rusqlite::Connection;

const CHILD_DB_ENV: &str = "KILLS_BENCH_CHILD_DB";
const CHILD_ROUND_ENV: &str = "KILLS_BENCH_ROUND";
const ROUNDS_ENV: &str = "KILLS_BENCH_ROUNDS";
const SEED_ENV: &str = "KILLS_BENCH_SEED";
const DIR_ENV: &str = "KILLS_BENCH_DIR";
/// Phone numbers each round may use (far more than a round submits).
const PER_ROUND: u32 = 5_000;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Three destinations, so a half-written request shows as one with fewer outbox rows.
fn settings() -> CallbackSettings {
    CallbackSettings {
        burst_limit: u32::MAX,
        destinations: vec![
            "staff-inbox".into(),
            "front-desk-printer".into(),
            "email-relay".into(),
        ],
        ..CallbackSettings::default()
    }
}

/// The child: submits until killed, acknowledging each committed request on stdout.
fn child(db: &Path, round: u32) -> ! {
    let settings = settings();
    let mut conn = store::open(db).expect("the child opens kiosk.db");
    let mut out = std::io::stdout().lock();
    writeln!(out, "OPEN")
        .and_then(|()| out.flush())
        .expect("stdout");
    for n in round * PER_ROUND..(round + 1) * PER_ROUND {
        let (exchange, line) = (200 + n / 10_000, n % 10_000);
        let request = ValidRequest {
            id: uuid::Uuid::now_v7(),
            name: "Killed Patient".into(),
            phone: format!("+1201{exchange:03}{line:04}"),
            phone_display: format!("(201) {exchange:03}-{line:04}"),
            best_time: "any".into(),
            language: "en".into(),
            note: Some("Please call me back about my appointment.".into()),
            consent_version: settings.consent_version.clone(),
            specialty: "spine".into(),
            topic: Some("spine-care".into()),
            article: None,
        };
        let receipt = queue::submit(&mut conn, &request, &settings, callbacks::now_ms())
            .expect("submit succeeds");
        assert_eq!(receipt.outcome, Outcome::Received);
        writeln!(out, "ACK {}", receipt.request_id)
            .and_then(|()| out.flush())
            .expect("stdout");
    }
    // Out of numbers before the kill: wait for it rather than exit cleanly.
    std::thread::sleep(Duration::from_secs(600));
    std::process::exit(3)
}

/// SplitMix64, so a seed replays a run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

/// Where a round's kill lands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Point {
    /// A time after the spawn.
    Start(Duration),
    /// A busy wait after the n-th acknowledgement.
    Spin(usize, Duration),
    /// Right on the n-th acknowledgement.
    Ack(usize),
}

impl Point {
    fn name(self) -> &'static str {
        match self {
            Point::Start(_) => "start",
            Point::Spin(..) => "spin",
            Point::Ack(_) => "ack",
        }
    }
}

fn spin(d: Duration) {
    let until = Instant::now() + d;
    while Instant::now() < until {
        std::hint::spin_loop();
    }
}

fn count(conn: &Connection, sql: &str) -> rusqlite::Result<i64> {
    conn.query_row(sql, [], |r| r.get(0))
}

/// What kiosk.db must be after any kill: intact, every acknowledged request whole.
fn check(conn: &Connection, acked: &[String]) -> std::result::Result<(), String> {
    let e = |e: rusqlite::Error| e.to_string();
    let integrity: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .map_err(e)?
        .query_map([], |r| r.get(0))
        .map_err(e)?
        .collect::<rusqlite::Result<_>>()
        .map_err(e)?;
    if integrity != ["ok"] {
        return Err(format!("integrity_check: {integrity:?}"));
    }
    if count(conn, "SELECT count(*) FROM pragma_foreign_key_check").map_err(e)? != 0 {
        return Err("foreign keys broken".into());
    }
    let short = count(
        conn,
        "SELECT count(*) FROM callback_request r
         WHERE (SELECT count(*) FROM outbox o WHERE o.request_id = r.id) <> 3",
    )
    .map_err(e)?;
    if short != 0 {
        return Err(format!("{short} request(s) without all three outbox rows"));
    }
    let orphans = count(
        conn,
        "SELECT count(*) FROM outbox o
         WHERE NOT EXISTS (SELECT 1 FROM callback_request r WHERE r.id = o.request_id)",
    )
    .map_err(e)?;
    if orphans != 0 {
        return Err(format!("{orphans} outbox row(s) without their request"));
    }
    let mut stmt = conn
        .prepare(
            "SELECT r.id, r.name, group_concat(o.destination, ',')
             FROM callback_request r JOIN outbox o ON o.request_id = r.id GROUP BY r.id",
        )
        .map_err(e)?;
    let stored: HashMap<String, (String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))
        .map_err(e)?
        .collect::<rusqlite::Result<_>>()
        .map_err(e)?;
    for id in acked {
        let Some((name, dests)) = stored.get(id) else {
            return Err(format!("acknowledged request {id} is missing"));
        };
        let mut dests: Vec<&str> = dests.split(',').collect();
        dests.sort_unstable();
        if name != "Killed Patient" || dests != ["email-relay", "front-desk-printer", "staff-inbox"]
        {
            return Err(format!(
                "acknowledged request {id} is damaged: {name}, {dests:?}"
            ));
        }
    }
    Ok(())
}

/// The lines the child printed, read on a thread so the parent can kill at a chosen time.
fn lines(stdout: std::process::ChildStdout) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() -> Result<()> {
    if let Some(db) = std::env::var_os(CHILD_DB_ENV) {
        let round = std::env::var(CHILD_ROUND_ENV)?.parse()?;
        child(Path::new(&db), round);
    }
    let full = std::env::args().any(|a| a == "--bench");
    let rounds: u32 = match std::env::var(ROUNDS_ENV) {
        Ok(v) => v.parse()?,
        Err(_) if full => 1_000,
        Err(_) => 10,
    };
    let seed: u64 = match std::env::var(SEED_ENV) {
        Ok(v) => v.parse()?,
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_nanos() as u64,
    };
    let temp = tempfile::tempdir()?;
    let dir: PathBuf = std::env::var_os(DIR_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| temp.path().to_path_buf());
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("kiosk.db");
    let _ = std::fs::remove_file(&db);
    let _ = std::fs::remove_file(dir.join("kiosk.db-wal"));
    let _ = std::fs::remove_file(dir.join("kiosk.db-shm"));
    let wal = dir.join("kiosk.db-wal");
    let exe = std::env::current_exe()?;
    let mut rng = Rng(seed);
    let mut acked: Vec<String> = Vec::new();
    let mut by_point: HashMap<&'static str, u32> = HashMap::new();
    let (mut wal_recovered, mut before_open, mut unacknowledged) = (0u32, 0u32, 0usize);
    let mut checks_ms: Vec<f64> = Vec::new();
    let started = Instant::now();
    eprintln!(
        "kills: {rounds} rounds on {} ({SEED_ENV}={seed})",
        db.display()
    );
    for round in 0..rounds {
        let point = match rng.between(0, 2) {
            0 => Point::Start(Duration::from_micros(rng.between(0, 40_000))),
            1 => Point::Spin(
                rng.between(1, 40) as usize,
                Duration::from_micros(rng.between(0, 2_000)),
            ),
            _ => Point::Ack(rng.between(1, 40) as usize),
        };
        *by_point.entry(point.name()).or_default() += 1;
        let spawned = Instant::now();
        let mut child = Command::new(&exe)
            .env(CHILD_DB_ENV, &db)
            .env(CHILD_ROUND_ENV, round.to_string())
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let rx = lines(child.stdout.take().expect("piped stdout"));
        let mut this_round = Vec::new();
        let mut opened = false;
        let mut take = |line: String, this_round: &mut Vec<String>| {
            if line == "OPEN" {
                opened = true;
            } else if let Some(id) = line.strip_prefix("ACK ") {
                this_round.push(id.to_string());
            }
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        match point {
            Point::Start(after) => spin(after.saturating_sub(spawned.elapsed())),
            Point::Spin(n, _) | Point::Ack(n) => {
                while this_round.len() < n {
                    let left = deadline.saturating_duration_since(Instant::now());
                    let line = rx.recv_timeout(left).map_err(|_| {
                        format!(
                            "round {round}: the child stopped acknowledging ({SEED_ENV}={seed})"
                        )
                    })?;
                    take(line, &mut this_round);
                }
                if let Point::Spin(_, d) = point {
                    spin(d);
                }
            }
        }
        child.kill()?; // SIGKILL: no destructors, no clean close of kiosk.db.
        let status = child.wait()?;
        // Whatever the child printed before it died was acknowledged to a patient.
        while let Ok(line) = rx.recv_timeout(Duration::from_secs(5)) {
            take(line, &mut this_round);
        }
        let mut stderr = String::new();
        if let Some(mut e) = child.stderr.take() {
            e.read_to_string(&mut stderr)?;
        }
        if status.signal() != Some(9) {
            return Err(format!(
                "round {round}: the child was not killed but ended ({status}) ({SEED_ENV}={seed}):\n{stderr}"
            )
            .into());
        }
        if !opened {
            before_open += 1;
        }
        if std::fs::metadata(&wal)
            .map(|m| m.len() > 0)
            .unwrap_or(false)
        {
            wal_recovered += 1;
        }
        acked.extend(this_round);
        // The next start of the app: open (recovering the WAL) and check.
        let t = Instant::now();
        let conn = store::open(&db)?;
        check(&conn, &acked)
            .map_err(|e| format!("round {round} ({point:?}): {e} ({SEED_ENV}={seed})"))?;
        checks_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        let stored = count(&conn, "SELECT count(*) FROM callback_request")? as usize;
        unacknowledged = stored - acked.len();
        drop(conn);
        if (round + 1) % 100 == 0 {
            eprintln!(
                "  {} rounds, {} acknowledged, all present",
                round + 1,
                acked.len()
            );
        }
    }
    let secs = started.elapsed().as_secs_f64();
    checks_ms.sort_by(f64::total_cmp);
    let size = std::fs::metadata(&db)?.len();
    println!("| figure | value |\n|---|---:|");
    println!("| rounds (SIGKILL each) | {rounds} |");
    for name in ["start", "spin", "ack"] {
        println!(
            "| kills at `{name}` | {} |",
            by_point.get(name).copied().unwrap_or(0)
        );
    }
    println!("| kills before kiosk.db was open | {before_open} |");
    println!("| kills that left a WAL to recover | {wal_recovered} |");
    println!(
        "| acknowledged requests, all present with 3 outbox rows | {} |",
        acked.len()
    );
    println!("| committed but killed before the acknowledgement | {unacknowledged} |");
    println!("| integrity_check ok | {rounds} of {rounds} |");
    println!(
        "| reopen + checks, p50 / p99 / max (ms) | {:.1} / {:.1} / {:.1} |",
        percentile(&checks_ms, 0.5),
        percentile(&checks_ms, 0.99),
        checks_ms.last().copied().unwrap_or(0.0)
    );
    println!(
        "| kiosk.db at the end | {:.1} MiB |",
        size as f64 / 1_048_576.0
    );
    println!("| wall time | {secs:.0} s |");
    println!("\n{SEED_ENV}={seed}");
    Ok(())
}
