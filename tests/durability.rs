//! "Thank you" means stored: the app is killed with SIGKILL right after acknowledging
//! requests, many times over on the same kiosk.db, and every acknowledged request must be
//! there afterwards with all its outbox rows, with nothing half-written.
//!
//! The test runs its own test binary again as the child (`child_submitter`, which does
//! nothing unless `CHILD_DB_ENV` is set). The child submits valid requests through
//! `callbacks::queue::submit` and prints `ACK <id>` as soon as each submit returns; the
//! parent kills it after a random number of acknowledgements and checks the database.
//! Set `CLINIC_KIOSK_DURABILITY_SEED` to replay a failing run. The long version, 1,000 kills
//! at random points of a submit (the open, inside a commit, before the acknowledgement), is
//! a benchmark: `cargo bench --bench kills` (benches/kills.rs, figures in BENCHMARKS.md).

#![cfg(unix)]

use crate::common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clinic_kiosk::callbacks::queue::{self, Outcome};
use clinic_kiosk::callbacks::{self, CallbackSettings, ValidRequest};
use clinic_kiosk::store;
use common::TestResult;
use rusqlite::Connection;

/// Tells the child which kiosk.db to write to; the child does nothing without it.
const CHILD_DB_ENV: &str = "CLINIC_KIOSK_DURABILITY_CHILD_DB";
/// Which round this child is, so its phone numbers differ from every other round's.
const CHILD_ROUND_ENV: &str = "CLINIC_KIOSK_DURABILITY_ROUND";
const SEED_ENV: &str = "CLINIC_KIOSK_DURABILITY_SEED";
const ROUNDS: u32 = 60;
/// Phone numbers each round may use.
const PER_ROUND: u32 = 20_000;

/// Three destinations, so a half-written request would show as one with fewer rows.
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

/// The child: submits until killed, acknowledging each stored request on stdout.
#[test]
fn child_submitter() {
    let Some(db) = std::env::var_os(CHILD_DB_ENV) else {
        return;
    };
    let round: u32 = std::env::var(CHILD_ROUND_ENV)
        .ok()
        .and_then(|r| r.parse().ok())
        .expect("the parent sets the round");
    let settings = settings();
    let mut conn = store::open(Path::new(&db)).expect("the child opens kiosk.db");
    let mut out = std::io::stdout().lock();
    for n in round * PER_ROUND..(round + 1) * PER_ROUND {
        let (exchange, line) = (200 + n / 10_000, n % 10_000);
        // Built as `validate` would build it (tests/callback_validation.rs covers that);
        // parsing phone numbers would only slow each child's start.
        let request = ValidRequest {
            id: uuid::Uuid::now_v7(),
            name: "Durable Patient".into(),
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
        assert_eq!(
            receipt.outcome,
            Outcome::Received,
            "nothing is refused here"
        );
        writeln!(out, "ACK {}", receipt.request_id).expect("stdout");
        out.flush().expect("flush stdout");
    }
    // Out of numbers before being killed: wait for the kill rather than exit cleanly.
    std::thread::sleep(Duration::from_secs(60));
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

fn seed() -> u64 {
    std::env::var(SEED_ENV)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        })
}

fn count(conn: &Connection, sql: &str) -> rusqlite::Result<i64> {
    conn.query_row(sql, [], |r| r.get(0))
}

/// What the database must be after any kill: intact, and every request whole.
fn check_database(conn: &Connection, acked: &[String], round: u32, seed: u64) -> TestResult {
    let ctx = format!("round {round}, {SEED_ENV}={seed}");
    let integrity: Vec<String> = conn
        .prepare("PRAGMA integrity_check")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    assert_eq!(integrity, ["ok"], "integrity_check ({ctx})");
    assert_eq!(
        count(conn, "SELECT count(*) FROM pragma_foreign_key_check")?,
        0,
        "foreign keys hold ({ctx})"
    );
    let destinations = settings().destinations.len() as i64;
    assert_eq!(
        count(
            conn,
            &format!(
                "SELECT count(*) FROM callback_request r
                 WHERE (SELECT count(*) FROM outbox o WHERE o.request_id = r.id) <> {destinations}"
            )
        )?,
        0,
        "no request without all its outbox rows ({ctx})"
    );
    assert_eq!(
        count(
            conn,
            "SELECT count(*) FROM outbox o
             WHERE NOT EXISTS (SELECT 1 FROM callback_request r WHERE r.id = o.request_id)"
        )?,
        0,
        "no outbox row without its request ({ctx})"
    );
    // Every stored request in one pass, then each acknowledged id against it.
    let mut stmt = conn.prepare(
        "SELECT r.id, r.name, r.phone, r.status, group_concat(o.destination, ',')
         FROM callback_request r JOIN outbox o ON o.request_id = r.id GROUP BY r.id",
    )?;
    let stored: HashMap<String, (String, String, String, String)> = stmt
        .query_map([], |r| {
            Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        })?
        .collect::<Result<_, _>>()?;
    for id in acked {
        let Some((name, phone, status, dests)) = stored.get(id) else {
            panic!("acknowledged request {id} is missing ({ctx})");
        };
        assert_eq!(name, "Durable Patient", "{id} ({ctx})");
        assert!(phone.starts_with("+1201"), "{id}: {phone} ({ctx})");
        assert_eq!(status, "new", "{id} ({ctx})");
        let mut dests: Vec<&str> = dests.split(',').collect();
        dests.sort_unstable();
        assert_eq!(
            dests,
            ["email-relay", "front-desk-printer", "staff-inbox"],
            "{id}: every outbox row ({ctx})"
        );
    }
    Ok(())
}

#[test]
fn every_acknowledged_request_survives_sigkill() -> TestResult {
    let started = Instant::now();
    let seed = seed();
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("kiosk.db");
    let wal = dir.path().join("kiosk.db-wal");
    let exe = std::env::current_exe()?;
    let mut acked: Vec<String> = Vec::new();
    let mut wal_left_behind = 0;
    // Requests committed but killed before their ACK was read: allowed, and counted.
    let mut committed_unacknowledged = 0;
    for round in 0..ROUNDS {
        let target = rng.between(1, 60) as usize;
        // Mostly kill at once; sometimes a moment later, to land in other parts of a commit.
        let linger = match rng.between(0, 3) {
            0 => Some(Duration::from_micros(rng.between(0, 3_000))),
            _ => None,
        };
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                &common::test_name(module_path!(), "child_submitter"),
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_DB_ENV, &db)
            .env(CHILD_ROUND_ENV, round.to_string())
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        // Kept open until the child is dead: closing it first would make the child's next
        // write fail, and the child would die of that rather than of the kill.
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut this_round = Vec::new();
        for line in stdout.by_ref().lines() {
            if let Some(id) = line?.strip_prefix("ACK ") {
                this_round.push(id.to_string());
                if this_round.len() == target {
                    break;
                }
            }
        }
        if let Some(pause) = linger {
            let until = Instant::now() + pause;
            while Instant::now() < until {
                std::hint::spin_loop();
            }
        }
        child.kill()?; // SIGKILL on Unix: no destructors, no clean close of kiosk.db.
        let status = child.wait()?;
        drop(stdout);
        let mut stderr = String::new();
        if let Some(mut e) = child.stderr.take() {
            e.read_to_string(&mut stderr)?;
        }
        assert_eq!(
            this_round.len(),
            target,
            "round {round}: the child stopped acknowledging ({status}):\n{stderr}"
        );
        assert_eq!(
            status.signal(),
            Some(9),
            "round {round}: the child was killed, it did not exit ({status}):\n{stderr}"
        );
        if std::fs::metadata(&wal)
            .map(|m| m.len() > 0)
            .unwrap_or(false)
        {
            wal_left_behind += 1;
        }
        acked.extend(this_round);

        // The next start of the app: open (recovering the WAL) and check.
        let conn = store::open(&db)?;
        check_database(&conn, &acked, round, seed)?;
        let stored = count(&conn, "SELECT count(*) FROM callback_request")? as usize;
        assert!(stored >= acked.len());
        committed_unacknowledged = stored - acked.len();
        drop(conn);
    }
    eprintln!(
        "{ROUNDS} kills, {} acknowledged requests all present, {committed_unacknowledged} more \
         committed but not yet acknowledged when killed; the WAL needed recovery after \
         {wal_left_behind} kill(s); {:.1} s ({SEED_ENV}={seed})",
        acked.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        wal_left_behind > 0,
        "the kills left a WAL to recover, so recovery was exercised"
    );
    Ok(())
}
