//! Reading aloud (issue #13): tap *Listen* to first sound (p50, p95; goal p95 under 500 ms)
//! and CPU while speaking. Not a timed test: it prints figures for BENCHMARKS.md.
//!
//! The sound is heard, not assumed: espeak-ng plays into the PulseAudio null sink `kiosk`
//! (started here when none runs, as scripts/test does), and `parec` records its monitor in
//! 10 ms blocks (tests/e2e/audio.rs); "first sound" is the first block with a sample above
//! about -36 dBFS.
//!
//! - `tap`: the real window (tauri-driver, WebKitWebDriver, the debug app; needs `DISPLAY`):
//!   the herniated-disc article, then *Listen* tapped through WebDriver, first sound, *Stop*,
//!   silence, again. The clock starts as the tap is sent.
//! - `engine`: the speech module alone (`Speaker::speak` as the `speech_speak` command calls
//!   it), the same measure without the page, IPC and WebDriver.
//! - `cpu`: the article's first 40 sentences said through `Speaker` at the default 155 words
//!   a minute; CPU time of the espeak-ng processes (reaped children of this process), of
//!   this process (the speaker's thread) and of the PulseAudio server, over the wall time.
//!
//! `cargo bench --bench speech` runs 50 taps and 100 engine runs (`SPEECH_BENCH_RUNS` sets
//! both); without `--bench` (as `cargo test --benches` runs it) it does 3 of each and no CPU.

#[allow(dead_code)]
#[path = "../tests/e2e/audio.rs"]
mod audio;
#[allow(dead_code)]
#[path = "../tests/e2e/driver.rs"]
mod driver;

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use audio::{ensure_sink, Recorder};
use clinic_kiosk::lang::Lang;
use clinic_kiosk::speech::{Speaker, State, Utterance, ENGINE};

const SENTENCE: &str = "A herniated disc is a common cause of back and leg pain.";

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[i.clamp(1, sorted.len()) - 1]
}

fn report(what: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    println!(
        "{what}: n={} p50 {:.0} ms, p95 {:.0} ms, min {:.0} ms, max {:.0} ms",
        ms.len(),
        percentile(&ms, 50.0),
        percentile(&ms, 95.0),
        ms[0],
        ms[ms.len() - 1]
    );
}

/// Waits until the sink has been silent for 300 ms (the last run's sound is over).
async fn settle(rec: &Recorder) {
    loop {
        let now = Instant::now();
        tokio::time::sleep(Duration::from_millis(300)).await;
        if rec.loud_blocks(now, Instant::now()) == 0 {
            return;
        }
    }
}

async fn engine(runs: usize) -> Result<()> {
    let speaker = Speaker::new(ENGINE, None);
    let rec = Recorder::start()?;
    let mut ms = Vec::new();
    for _ in 0..runs {
        settle(&rec).await;
        let t0 = Instant::now();
        speaker.speak(Utterance::new(vec![SENTENCE.into()], Lang::En, 155, 70)?, 0)?;
        let first = rec
            .first_sound(t0, Duration::from_secs(3))
            .await
            .context("no sound from the speech module within 3 s")?;
        speaker.stop();
        ms.push(first.as_secs_f64() * 1000.0);
    }
    report("engine: speak to first sound", ms);
    Ok(())
}

async fn tap(runs: usize) -> Result<()> {
    if std::env::var_os("DISPLAY").is_none() {
        println!("tap: skipped, no DISPLAY (run under Xvfb, as scripts/test does)");
        return Ok(());
    }
    let driver = driver::Driver::start()?;
    let s = driver.session().await?;
    s.click("[data-test=topic-tile][data-slug=spine-care]")
        .await?;
    s.wait_screen("topic").await?;
    s.click("[data-test=article-link][data-slug=herniated-disc]")
        .await?;
    s.wait_screen("article").await?;
    // WebDriver's first click of a session can take 1.5 s before the page sees it (the
    // driver sets itself up): not the kiosk's time, so it is spent on the title first.
    s.click("#article-title").await?;
    let rec = Recorder::start()?;
    let mut ms = Vec::new();
    for _ in 0..runs {
        settle(&rec).await;
        let t0 = Instant::now();
        s.click("[data-test=listen-play]").await?;
        let first = rec
            .first_sound(t0, Duration::from_secs(5))
            .await
            .context("no sound within 5 s of the tap")?;
        ms.push(first.as_secs_f64() * 1000.0);
        s.click("[data-test=listen-stop]").await?;
    }
    s.close().await;
    report("tap Listen to first sound (the real window)", ms);
    Ok(())
}

/// utime, stime, cutime, cstime of `/proc/{pid}/stat`, in seconds.
fn cpu_times(pid: &str) -> Option<[f64; 4]> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces: fields count from after its closing parenthesis.
    let fields: Vec<&str> = stat[stat.rfind(')')? + 2..].split_whitespace().collect();
    let tick = 100.0; // USER_HZ on Linux
    let f = |i: usize| fields.get(i)?.parse::<f64>().ok().map(|v| v / tick);
    Some([f(11)?, f(12)?, f(13)?, f(14)?])
}

fn pulseaudio_pid() -> Option<String> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid = e.file_name().to_string_lossy().into_owned();
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
        (comm.trim() == "pulseaudio").then_some(pid)
    })
}

/// The article's sentences, roughly: front matter and Markdown marks left out.
fn article_sentences(count: usize) -> Result<Vec<String>> {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content/articles/herniated-disc.md");
    let text = std::fs::read_to_string(&path)?;
    let body = text.splitn(3, "+++").nth(2).unwrap_or(&text);
    let plain: String = body
        .lines()
        .map(|l| {
            l.trim_start_matches(['#', '-', '*', ' '])
                .replace(['*', '_'], "")
        })
        .collect::<Vec<_>>()
        .join(" ");
    Ok(plain
        .split_inclusive(['.', '?', '!'])
        .map(|s| s.trim().to_string())
        .filter(|s| s.chars().any(char::is_alphanumeric))
        .take(count)
        .collect())
}

fn cpu() -> Result<()> {
    let sentences = article_sentences(40)?;
    let words: usize = sentences.iter().map(|s| s.split_whitespace().count()).sum();
    let speaker = Speaker::new(ENGINE, None);
    let me = std::process::id().to_string();
    let pulse = pulseaudio_pid();
    let before = cpu_times(&me).context("/proc/self/stat")?;
    let pulse_before = pulse.as_deref().and_then(cpu_times);
    let t0 = Instant::now();
    speaker.speak(Utterance::new(sentences.clone(), Lang::En, 155, 70)?, 0)?;
    while speaker.status().state == State::Speaking {
        std::thread::sleep(Duration::from_millis(50));
    }
    let wall = t0.elapsed().as_secs_f64();
    let after = cpu_times(&me).context("/proc/self/stat")?;
    let espeak = (after[2] - before[2]) + (after[3] - before[3]);
    let own = (after[0] - before[0]) + (after[1] - before[1]);
    println!(
        "cpu: {} sentences, {words} words said in {wall:.1} s; espeak-ng {:.1} % of one core ({espeak:.2} s), the speaker's thread {:.2} % ({own:.2} s)",
        sentences.len(),
        espeak / wall * 100.0,
        own / wall * 100.0
    );
    if let (Some(pid), Some(b)) = (pulse, pulse_before) {
        if let Some(a) = cpu_times(&pid) {
            let server = (a[0] - b[0]) + (a[1] - b[1]);
            println!(
                "cpu: the PulseAudio server (null sink) {:.1} % of one core ({server:.2} s)",
                server / wall * 100.0
            );
        }
    }
    Ok(())
}

fn main() -> Result<()> {
    let full = std::env::args().any(|a| a == "--bench");
    let runs = std::env::var("SPEECH_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full { 50 } else { 3 });
    ensure_sink()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(tap(runs))?;
    runtime.block_on(engine(runs * 2))?;
    if full {
        cpu()?;
    }
    Ok(())
}
