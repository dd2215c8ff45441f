//! The durable callback submit against the cheapest durable write the disk allows, in one
//! run on the same folder: (a) `callbacks::queue::submit` of a valid request on a kiosk.db
//! opened by `store::open` (WAL, synchronous=FULL), and (b) appending a record of the same
//! size to a plain file and calling `File::sync_data` (fdatasync).
//!
//! The goal of issue #3: the durable submit's median within 1.2 x the raw median + 1 ms.
//!
//! `cargo bench --bench submit` runs Criterion on both, then times every operation alone
//! in alternating blocks (raw, durable, raw fsync, raw, ...; one kind at a time, because
//! one kind's syncs slow the next kind's when they are interleaved op by op) and prints
//! the medians, the ratio and the verdict as Markdown for BENCHMARKS.md. Criterion owns the
//! command line, so options are environment variables: `SUBMIT_BENCH_SAMPLES` (operations
//! of each kind, default 3000) and `SUBMIT_BENCH_DIR` (a folder on the disk to test;
//! default: a new temp folder). Without `--bench` (as `cargo test --benches` runs it) it
//! does a quick smoke run.

use std::fs::{File, OpenOptions};
use std::hint::black_box;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clinic_kiosk::callbacks::queue::{self, Outcome};
use clinic_kiosk::callbacks::{CallbackSettings, ValidRequest};
use clinic_kiosk::store;
use criterion::{BatchSize, Criterion};
use rusqlite::Connection;

struct Options {
    full: bool,
    samples: usize,
    dir: Option<PathBuf>,
}

const SAMPLES_ENV: &str = "SUBMIT_BENCH_SAMPLES";
const DIR_ENV: &str = "SUBMIT_BENCH_DIR";

fn options() -> Options {
    let full = std::env::args().any(|a| a == "--bench");
    let samples = std::env::var(SAMPLES_ENV)
        .ok()
        .map(|v| {
            v.parse::<usize>()
                .unwrap_or_else(|_| panic!("{SAMPLES_ENV} needs a number"))
        })
        .unwrap_or(if full { 3_000 } else { 20 })
        .max(1);
    Options {
        full,
        samples,
        dir: std::env::var_os(DIR_ENV).map(PathBuf::from),
    }
}

/// Never refuses (no burst limit, every phone distinct), so every submit writes.
fn settings() -> CallbackSettings {
    CallbackSettings {
        burst_limit: u32::MAX,
        ..CallbackSettings::default()
    }
}

/// The `n`th request: a realistic size, a fresh UUID v7 and a phone number of its own.
fn request(n: u64) -> ValidRequest {
    let exchange = 200 + (n / 10_000) % 800;
    let line = n % 10_000;
    ValidRequest {
        id: uuid::Uuid::now_v7(),
        name: "María José Núñez".into(),
        phone: format!("+1201{exchange:03}{line:04}"),
        phone_display: format!("(201) {exchange:03}-{line:04}"),
        best_time: "afternoon".into(),
        language: "es".into(),
        note: Some("Me duele la espalda desde hace dos semanas; llámenme por la tarde.".into()),
        consent_version: "2026-11".into(),
        specialty: "spine".into(),
        topic: Some("spine-care".into()),
        article: Some("herniated-disc".into()),
    }
}

/// The raw record: the same fields as one line of text, about the size of the stored row.
fn record(r: &ValidRequest) -> Vec<u8> {
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
        r.id,
        r.name,
        r.phone,
        r.phone_display,
        r.best_time,
        r.language,
        r.note.as_deref().unwrap_or(""),
        r.consent_version,
        r.specialty,
        r.topic.as_deref().unwrap_or(""),
        r.article.as_deref().unwrap_or(""),
    )
    .into_bytes()
}

/// Both sides of the comparison, in one folder.
struct Bench {
    conn: Connection,
    raw: File,
    settings: CallbackSettings,
    /// How many requests were made, so each gets a phone number of its own.
    made: u64,
}

impl Bench {
    fn open(dir: &Path) -> Self {
        let conn = store::open(&dir.join("kiosk.db")).expect("open kiosk.db");
        let raw = OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("raw.log"))
            .expect("open raw.log");
        Bench {
            conn,
            raw,
            settings: settings(),
            made: 0,
        }
    }

    fn next_request(&mut self) -> ValidRequest {
        next_request(&mut self.made)
    }

    fn submit(&mut self, r: &ValidRequest) {
        submit(&mut self.conn, &self.settings, r);
    }

    fn raw_write(&mut self, record: &[u8]) {
        self.raw.write_all(record).expect("write");
        self.raw.sync_data().expect("fdatasync");
    }
}

fn next_request(made: &mut u64) -> ValidRequest {
    *made += 1;
    request(*made)
}

fn submit(conn: &mut Connection, settings: &CallbackSettings, r: &ValidRequest) {
    let receipt =
        queue::submit(conn, r, settings, clinic_kiosk::callbacks::now_ms()).expect("submit");
    assert_eq!(receipt.outcome, Outcome::Received, "every submit writes");
}

fn criterion_groups(c: &mut Criterion, bench: &mut Bench) {
    let mut group = c.benchmark_group("durable_submit");
    group
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(10));
    let sample = record(&request(0));
    group.bench_function("raw_write_fdatasync", |b| {
        b.iter(|| bench.raw_write(black_box(&sample)))
    });
    let Bench {
        conn,
        settings,
        made,
        ..
    } = bench;
    group.bench_function("queue_submit", |b| {
        b.iter_batched(
            || next_request(made),
            |r| submit(conn, settings, black_box(&r)),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

/// The `p`-th percentile (0 to 100) of sorted samples, nearest rank.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1e3)
}

/// Operations timed one at a time in a block, before the other kinds get a turn.
const BLOCK: usize = 100;

/// Per-operation times of each kind, sorted.
struct Samples {
    raw: Vec<Duration>,
    raw_fsync: Vec<Duration>,
    durable: Vec<Duration>,
}

/// Times `samples` operations of each kind in alternating blocks of [`BLOCK`].
fn blocks(bench: &mut Bench, samples: usize) -> Samples {
    let mut s = Samples {
        raw: Vec::with_capacity(samples),
        raw_fsync: Vec::with_capacity(samples),
        durable: Vec::with_capacity(samples),
    };
    let rec = record(&request(0));
    while s.durable.len() < samples {
        let n = BLOCK.min(samples - s.durable.len());
        for _ in 0..n {
            let t = Instant::now();
            bench.raw_write(&rec);
            s.raw.push(t.elapsed());
        }
        for _ in 0..n {
            let r = bench.next_request();
            let t = Instant::now();
            bench.submit(&r);
            s.durable.push(t.elapsed());
        }
        for _ in 0..n {
            let t = Instant::now();
            bench.raw.write_all(&rec).expect("write");
            bench.raw.sync_all().expect("fsync");
            s.raw_fsync.push(t.elapsed());
        }
    }
    s.raw.sort_unstable();
    s.raw_fsync.sort_unstable();
    s.durable.sort_unstable();
    s
}

/// CPU, cores, kernel and the filesystem holding `dir`, from /proc where there is one.
fn machine(dir: &Path) -> Vec<(String, String)> {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(str::trim)
        .unwrap_or("unknown")
        .to_string();
    let cores = std::thread::available_parallelism()
        .map(|n| n.get().to_string())
        .unwrap_or_else(|_| "?".into());
    let kernel = read("/proc/sys/kernel/osrelease").trim().to_string();
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mounts = read("/proc/mounts");
    let filesystem = mounts
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() > 3 && dir.starts_with(f[1]))
                .then(|| (f[1].len(), format!("{} on {} ({})", f[2], f[0], f[1])))
        })
        .max()
        .map(|(_, s)| s)
        .unwrap_or_else(|| "unknown".into());
    vec![
        ("CPU".into(), format!("{cpu}, {cores} cores available")),
        ("OS".into(), format!("{} {kernel}", std::env::consts::OS)),
        (
            "Disk".into(),
            format!("{filesystem}; folder {}", dir.display()),
        ),
        ("SQLite".into(), rusqlite::version().to_string()),
    ]
}

fn report(bench: &mut Bench, dir: &Path, samples: usize) {
    let s = blocks(bench, samples);
    let raw_median = percentile(&s.raw, 50.0);
    let durable_median = percentile(&s.durable, 50.0);
    let limit = raw_median.mul_f64(1.2) + Duration::from_millis(1);
    let ratio = durable_median.as_secs_f64() / raw_median.as_secs_f64();
    let met = durable_median <= limit;
    let record_len = record(&request(0)).len();
    println!("\n### Durable callback submit\n");
    println!(
        "{samples} operations of each kind on the same folder, timed one by one in \
         alternating blocks of {BLOCK}. Raw: append a {record_len}-byte record to a file, \
         then `File::sync_data` (fdatasync). Durable: `callbacks::queue::submit` on kiosk.db \
         from `store::open` (WAL, synchronous=FULL): one IMMEDIATE transaction with the \
         request row and its outbox row, committed. Raw + fsync: the same append with \
         `File::sync_all`, for reference.\n"
    );
    println!("| | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | mean (ms) |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, v) in [
        ("raw write + fdatasync", &s.raw),
        ("durable submit", &s.durable),
        ("raw write + fsync", &s.raw_fsync),
    ] {
        let mean = v.iter().sum::<Duration>() / v.len() as u32;
        println!(
            "| {name} | {} | {} | {} | {} | {} |",
            ms(percentile(v, 50.0)),
            ms(percentile(v, 90.0)),
            ms(percentile(v, 99.0)),
            ms(percentile(v, 100.0)),
            ms(mean)
        );
    }
    println!(
        "\nMedian ratio durable / raw: **{ratio:.2}**. Goal: durable p50 <= 1.2 x raw p50 + \
         1 ms = {} ms: **{}** (durable p50 {} ms).\n",
        ms(limit),
        if met { "met" } else { "not met" },
        ms(durable_median)
    );
    println!("| Machine | |\n|---|---|");
    for (k, v) in machine(dir) {
        println!("| {k} | {v} |");
    }
}

fn main() {
    let o = options();
    let temp = match &o.dir {
        Some(parent) => tempfile::tempdir_in(parent),
        None => tempfile::tempdir(),
    }
    .expect("a temporary folder");
    let mut bench = Bench::open(temp.path());
    let mut c = Criterion::default().configure_from_args();
    criterion_groups(&mut c, &mut bench);
    c.final_summary();
    if !o.full {
        // Smoke run: both sides work; figures from so few samples mean nothing.
        let s = blocks(&mut bench, o.samples);
        assert_eq!((s.raw.len(), s.durable.len()), (o.samples, o.samples));
        return;
    }
    report(&mut bench, temp.path(), o.samples);
}
