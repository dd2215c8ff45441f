//! A busy day in the lobby, compressed (issue #16, item 1): the optimised app (the bench
//! profile) under WebDriver for thousands of screen visits, sampling memory and tap latency.
//! Not a timed test: it runs for half an hour and writes figures for BENCHMARKS.md.
//!
//! One app session does, round after round: search from the home screen, search again from
//! the results, open a result, go back, go home, open a topic and an article, open the
//! callback form, fill in a name and phone and walk away from it (Home), switch to Spanish and
//! search, and back to English. Each screen shown counts as one visit. Every
//! `SOAK_RESET_EVERY` visits (default 500) nobody touches it until the idle reset (10 s, then
//! the 20 s warning) shows the attract screen, which it then taps, as the next patient would.
//!
//! Tap to results is timed in the page: from the Search button's click to the frame after
//! the new results are laid out (`performance.now()`), so WebDriver's own round trips are not
//! in it. Memory is the PSS (proportional set size, `/proc/PID/smaps_rollup`) of the app and
//! its WebKit processes, summed, every `SOAK_SAMPLE_EVERY` visits (default 100).
//!
//! `benches/soak.sh` runs it (Xvfb, a D-Bus session, then `cargo bench --bench soak`) and
//! plots the CSV. `SOAK_VISITS` sets the visits (default 5,000; without `--bench`, as
//! `cargo test --benches` runs it, 60); `SOAK_OUT` the folder for `soak.csv` (default
//! `target/soak`). `SOAK_RELOAD_AT_RESET=1` reloads the page after each idle reset instead of
//! tapping the attract screen: the experiment that tells whether a reload gives memory back.
//! `SOAK_RELOAD_AFTER_MINUTES` is the app's `[idle] reload_after_minutes` (default 1: the
//! kiosk's 30 minutes at the soak's pace); a large value shows the app without the reload.

#[path = "../tests/e2e/driver.rs"]
#[allow(dead_code)]
mod driver;
#[path = "support/taps.rs"]
mod taps;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use driver::{Driver, Session, HOME_READY};
use serde_json::json;
use taps::{percentile, timed, TIMED_SEARCH};

/// Searches typed by patients, in the screen's language.
const ENGLISH: &[&str] = &[
    "slipped disc",
    "knee pain",
    "varicose veins",
    "headache",
    "sciatica",
    "hair loss",
    "mri",
    "neck",
];
const SPANISH: &[&str] = &["hernia de disco", "dolor de rodilla", "várices", "ciática"];

struct Sample {
    visits: u64,
    seconds: f64,
    pss_total_kib: u64,
    pss_web_kib: u64,
    from_home_ms: Vec<f64>,
    from_results_ms: Vec<f64>,
}

fn env_u64(name: &str, default: u64) -> Result<u64> {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .with_context(|| format!("{name}={v:?} is not a whole number")),
        Err(_) => Ok(default),
    }
}

/// Every process below `root` (children, grandchildren…), from /proc's parent links.
fn descendants(root: u32) -> Vec<(u32, String)> {
    let mut all = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return all;
    };
    let mut parent = std::collections::HashMap::new();
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces or brackets.
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let comm = stat[open + 1..close].to_string();
        let ppid = stat[close + 1..]
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse::<u32>().ok());
        if let Some(ppid) = ppid {
            parent.insert(pid, (ppid, comm));
        }
    }
    for (&pid, (_, comm)) in &parent {
        let mut at = pid;
        while let Some((ppid, _)) = parent.get(&at) {
            if *ppid == root {
                all.push((pid, comm.clone()));
                break;
            }
            at = *ppid;
        }
    }
    all
}

fn pss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Pss:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// PSS of the app and its WebKit processes (KiB), and of the web process(es) alone.
fn memory() -> (u64, u64) {
    let mut total = 0;
    let mut web = 0;
    for (pid, comm) in descendants(std::process::id()) {
        // comm is cut to 15 bytes: "WebKitWebProces", "WebKitNetworkPr".
        let app = comm == "clinic-kiosk" || comm.starts_with("WebKit");
        if app && !comm.starts_with("WebKitWebDrive") {
            let pss = pss_kib(pid);
            total += pss;
            if comm.starts_with("WebKitWebProc") {
                web += pss;
            }
        }
    }
    (total, web)
}

struct Day<'a> {
    s: &'a Session,
    reload_at_reset: bool,
    visits: u64,
    from_home: Vec<f64>,
    from_results: Vec<f64>,
}

impl Day<'_> {
    async fn shown(&mut self, screen: &str) -> Result<()> {
        self.s.wait_screen(screen).await?;
        self.visits += 1;
        Ok(())
    }

    /// A timed search: ms to the frame after the results are laid out (as the soak has
    /// always plotted it).
    async fn timed_search(&mut self, query: &str) -> Result<f64> {
        let answer = self
            .s
            .client
            .execute_async(TIMED_SEARCH, vec![json!(query)])
            .await?;
        let Some((_, frame)) = timed(&answer) else {
            bail!("no results for {query:?} within 10 s");
        };
        self.shown("search").await?;
        Ok(frame)
    }

    async fn home(&mut self) -> Result<()> {
        self.s.click("[data-test=home]").await?;
        self.shown("home").await
    }

    async fn round(&mut self, n: usize) -> Result<()> {
        let q = |k: usize| ENGLISH[(n + k) % ENGLISH.len()];
        let ms = self.timed_search(q(0)).await?;
        self.from_home.push(ms);
        let ms = self.timed_search(q(3)).await?;
        self.from_results.push(ms);
        self.s.click("[data-test=search-result]").await?;
        self.shown("article").await?;
        self.s.click("[data-test=back]").await?;
        self.shown("search").await?;
        self.home().await?;
        let tiles = self.s.attrs("[data-test=topic-tile]", "data-slug").await?;
        let tile = &tiles[n % tiles.len()];
        self.s
            .click(&format!("[data-test=topic-tile][data-slug={tile}]"))
            .await?;
        self.shown("topic").await?;
        let links = self
            .s
            .attrs("[data-test=article-link]", "data-slug")
            .await?;
        let link = &links[n % links.len()];
        self.s
            .click(&format!("[data-test=article-link][data-slug={link}]"))
            .await?;
        self.shown("article").await?;
        self.s.click("[data-test=callback-cta]").await?;
        self.shown("callback").await?;
        // A patient starts the form and walks away from it.
        self.s
            .css("#cb-name")
            .await?
            .send_keys("Pat Example")
            .await?;
        self.s
            .css("#cb-phone")
            .await?
            .send_keys("5551234567")
            .await?;
        self.home().await?;
        self.s.click("[data-test=lang-es]").await?;
        self.s
            .wait_js("return document.documentElement.lang === 'es'", "Spanish")
            .await?;
        let ms = self.timed_search(SPANISH[n % SPANISH.len()]).await?;
        self.from_home.push(ms);
        self.home().await?;
        self.s.click("[data-test=lang-en]").await?;
        self.s
            .wait_js("return document.documentElement.lang === 'en'", "English")
            .await?;
        Ok(())
    }

    /// Nobody touches the kiosk until the idle reset shows the attract screen; then the
    /// next patient taps it.
    async fn walk_away(&mut self) -> Result<()> {
        self.s
            .wait_js_for(
                "const a = document.querySelector('[data-test=attract]'); return !!a && !a.hidden",
                "the attract screen after the idle reset",
                60,
            )
            .await?;
        if self.reload_at_reset {
            // The experiment behind a reload at the idle reset: does a new page give the
            // web process's memory back? (`SOAK_RELOAD_AT_RESET=1`)
            self.s.client.execute("location.reload()", vec![]).await?;
            self.s
                .wait_js_for(HOME_READY, "the home screen after a reload", 60)
                .await?;
            self.visits += 1;
            return Ok(());
        }
        self.s.click("[data-test=attract]").await?;
        self.shown("home").await
    }
}

fn write_csv(path: &Path, samples: &[Sample]) -> Result<()> {
    let mut out = String::from(
        "visits,seconds,pss_total_mib,pss_web_mib,home_p50_ms,home_p95_ms,results_p50_ms,results_p95_ms\n",
    );
    for s in samples {
        writeln!(
            out,
            "{},{:.1},{:.1},{:.1},{:.1},{:.1},{:.1},{:.1}",
            s.visits,
            s.seconds,
            s.pss_total_kib as f64 / 1024.0,
            s.pss_web_kib as f64 / 1024.0,
            percentile(&s.from_home_ms, 0.5),
            percentile(&s.from_home_ms, 0.95),
            percentile(&s.from_results_ms, 0.5),
            percentile(&s.from_results_ms, 0.95),
        )?;
    }
    std::fs::write(path, out).with_context(|| format!("writing {}", path.display()))
}

/// Least-squares slope of `ys` over `xs`.
fn slope(xs: &[f64], ys: &[f64]) -> f64 {
    let n = xs.len() as f64;
    let (mx, my) = (xs.iter().sum::<f64>() / n, ys.iter().sum::<f64>() / n);
    let num: f64 = xs.iter().zip(ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let den: f64 = xs.iter().map(|x| (x - mx) * (x - mx)).sum();
    num / den
}

fn report(samples: &[Sample], all_home: &[f64], all_results: &[f64]) {
    let Some(last) = samples.last() else { return };
    let first = samples
        .iter()
        .find(|s| s.visits >= 100)
        .unwrap_or(&samples[0]);
    let mib = |k: u64| k as f64 / 1024.0;
    println!(
        "\nvisits {} in {:.0} s; PSS after {} visits {:.1} MiB (web {:.1}), at the end {:.1} MiB (web {:.1}): {:+.1} % (goal within 10 %)",
        last.visits,
        last.seconds,
        first.visits,
        mib(first.pss_total_kib),
        mib(first.pss_web_kib),
        mib(last.pss_total_kib),
        mib(last.pss_web_kib),
        100.0 * (last.pss_total_kib as f64 / first.pss_total_kib as f64 - 1.0)
    );
    let xs: Vec<f64> = samples.iter().map(|s| s.visits as f64).collect();
    let p50: Vec<f64> = samples
        .iter()
        .map(|s| percentile(&s.from_home_ms, 0.5))
        .collect();
    if p50.iter().all(|v| v.is_finite()) && xs.len() > 2 {
        println!(
            "tap to results from home: p50 trend {:+.3} ms per 1,000 visits",
            slope(&xs, &p50) * 1000.0
        );
    }
    for (name, v) in [("from home", all_home), ("from results", all_results)] {
        println!(
            "tap to results {name}: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms ({} taps)",
            percentile(v, 0.5),
            percentile(v, 0.95),
            percentile(v, 1.0),
            v.len()
        );
    }
}

async fn run(visits: u64, reset_every: u64, sample_every: u64, out: &Path) -> Result<()> {
    let driver = Driver::start()?;
    let config = out.join("soak.toml");
    // The app reloads its page at an idle reset once it has run `reload_after_minutes` (30
    // on a kiosk: some 200 to 400 visits of a busy day). This day runs about 15 times faster
    // than a real one, so the soak scales it down (SOAK_RELOAD_AFTER_MINUTES, default 1).
    let reload_after: u32 = std::env::var("SOAK_RELOAD_AFTER_MINUTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    std::fs::write(
        &config,
        format!(
            "[idle]\ntimeout_seconds = 10\nwarning_seconds = 20\nreload_after_minutes = {reload_after}\n"
        ),
    )?;
    let args = vec![
        "--config".to_string(),
        config.to_string_lossy().into_owned(),
    ];
    let s = driver
        .session_with(&args, HOME_READY, "the home screen")
        .await?;
    let started = Instant::now();
    let mut day = Day {
        s: &s,
        reload_at_reset: std::env::var_os("SOAK_RELOAD_AT_RESET").is_some_and(|v| v == "1"),
        visits: 0,
        from_home: Vec::new(),
        from_results: Vec::new(),
    };
    let (mut all_home, mut all_results) = (Vec::new(), Vec::new());
    let mut samples = Vec::new();
    let (mut next_sample, mut next_reset) = (sample_every, reset_every);
    let mut n = 0;
    while day.visits < visits {
        day.round(n).await.with_context(|| format!("round {n}"))?;
        n += 1;
        if day.visits >= next_reset {
            day.walk_away().await?;
            next_reset += reset_every;
        }
        if day.visits >= next_sample {
            let (total, web) = memory();
            all_home.extend_from_slice(&day.from_home);
            all_results.extend_from_slice(&day.from_results);
            samples.push(Sample {
                visits: day.visits,
                seconds: started.elapsed().as_secs_f64(),
                pss_total_kib: total,
                pss_web_kib: web,
                from_home_ms: std::mem::take(&mut day.from_home),
                from_results_ms: std::mem::take(&mut day.from_results),
            });
            eprintln!(
                "{:>6} visits {:>6.0} s  PSS {:>6.1} MiB (web {:>6.1})",
                day.visits,
                started.elapsed().as_secs_f64(),
                total as f64 / 1024.0,
                web as f64 / 1024.0
            );
            next_sample += sample_every;
        }
    }
    let csv = out.join("soak.csv");
    write_csv(&csv, &samples)?;
    report(&samples, &all_home, &all_results);
    println!("CSV: {}", csv.display());
    s.close().await;
    Ok(())
}

fn main() -> Result<()> {
    let full = std::env::args().any(|a| a == "--bench");
    let visits = env_u64("SOAK_VISITS", if full { 5000 } else { 60 })?;
    let reset_every = env_u64("SOAK_RESET_EVERY", if full { 500 } else { 30 })?;
    let sample_every = env_u64("SOAK_SAMPLE_EVERY", if full { 100 } else { 20 })?.max(1);
    let out = std::env::var_os("SOAK_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/soak"));
    std::fs::create_dir_all(&out).with_context(|| format!("making {}", out.display()))?;
    if std::env::var_os("DISPLAY").is_none() {
        bail!("no DISPLAY: run benches/soak.sh, which starts Xvfb and a D-Bus session");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(visits, reset_every, sample_every, &out))?;
    Ok(())
}
