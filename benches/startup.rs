//! Start and taps through WebDriver (issue #16, item 2): the optimised kiosk against the
//! smallest Tauri window (benches/coldstart/minimal), both started the same way, by a
//! WebDriver new-session request to tauri-driver, alternating, in one run. Not a timed test.
//!
//! - Start: from the new-session request to the first poll that finds the kiosk's home screen
//!   with its topic tiles, or the minimal window's heading. The page is polled every 5 ms, so
//!   a figure is at most about 5 ms late; every app pays that alike. The minimal window runs
//!   three times: as a 1280x800 window (earlier runs' baseline), fullscreen (`--fullscreen`,
//!   the kiosk's pixels), and fullscreen with WebKit's renderer chosen as the kiosk chooses
//!   it (`--kiosk-renderer`: `WEBKIT_DISABLE_DMABUF_RENDERER=1` unless set); the goal's ratio
//!   is against that last one, the same pixels drawn the same way. Each start is split:
//!   before the page, the page's HTML, its styles and module scripts, and the rest to the
//!   first screen, with the kiosk's own User Timing marks (ui/js/main.js).
//! - Taps: in one kiosk session, a search tapped on the home screen, then one from the
//!   results screen, `STARTUP_TAPS` times each (default 200), timed in the page from the
//!   Search button's click to the new results laid out (a MutationObserver sees them, the
//!   layout forced there), and to the animation frame after that.
//!
//! `benches/startup.sh` builds both apps as releases (`--features custom-protocol`, as
//! benches/coldstart.sh does) and runs this under Xvfb and D-Bus; `KIOSK_APP` is the kiosk's
//! binary (else this bench build's).
//! `STARTUP_RUNS` sets the starts of each app (default 20; without `--bench`, as
//! `cargo test --benches` runs it, 2 starts and 5 taps). `MINIMAL_WINDOW` is the minimal
//! window's binary.

#[path = "../tests/e2e/driver.rs"]
#[allow(dead_code)]
mod driver;
#[path = "support/taps.rs"]
mod taps;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use driver::{Driver, Session, HOME_READY};
use fantoccini::ClientBuilder;
use serde_json::json;
use taps::{percentile, timed, TIMED_SEARCH};

/// Between taps: a quick patient's pace.
const PAUSE: Duration = Duration::from_millis(300);

const MINIMAL_READY: &str = "return !!document.querySelector('h1')";

/// The same tap from the home screen, split where the time goes: until the `search` command
/// is sent (the router, the screen's first work), the command (IPC and Rust), from its answer
/// to the new results in the page, laid out. Wraps `window.__TAURI_INTERNALS__.invoke`, which
/// `__TAURI__.core.invoke` calls at each call (the page keeps `core.invoke` itself from its
/// start), for one tap, and puts it back.
const SPLIT_SEARCH: &str = r#"
const [query, done] = arguments;
const internals = window.__TAURI_INTERNALS__;
const original = internals.invoke;
const at = {};
internals.invoke = (cmd, args, options) => {
  const sent = performance.now();
  const answer = original.call(internals, cmd, args, options);
  if (cmd === 'search' && at.sent === undefined) {
    at.sent = sent;
    Promise.resolve(answer).then(() => { at.answered = performance.now(); }, () => {});
  }
  return answer;
};
for (const old of document.querySelectorAll('[data-test=search-result]')) old.dataset.soakOld = '1';
const input = document.getElementById('search-input');
const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
setter.call(input, query);
input.dispatchEvent(new Event('input', { bubbles: true }));
const button = input.form.querySelector('button[type=submit]');
let finished = false;
const finish = (value) => {
  if (finished) return;
  finished = true;
  internals.invoke = original;
  observer.disconnect();
  done(value);
};
const observer = new MutationObserver(() => {
  const result = document.querySelector('[data-test=screen][data-screen=search] [data-test=search-result]:not([data-soak-old])');
  if (result && result.getBoundingClientRect().height > 0) {
    const end = performance.now();
    finish([at.sent - start, at.answered - at.sent, end - at.answered, end - start]);
  }
});
observer.observe(document.body, { childList: true, subtree: true, attributes: true });
const start = performance.now();
button.click();
setTimeout(() => finish(null), 10000);
"#;

/// Where a start went, read from the page once its first screen is found: the navigation's
/// timing (ms from navigation start), the kiosk's User Timing marks (ui/js/main.js) and the
/// navigation start as ms since the Unix epoch.
const START_SPLIT: &str = r#"
const nav = performance.getEntriesByType('navigation')[0] || {};
const marks = Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime]));
const resources = performance.getEntriesByType('resource');
return {
  origin: performance.timeOrigin,
  responseEnd: nav.responseEnd ?? null,
  domContentLoaded: nav.domContentLoadedEventEnd ?? null,
  load: nav.loadEventEnd || null,
  firstPoll: window.__startupFirstPoll ?? null,
  resources: resources.length,
  resourcesEnd: Math.max(0, ...resources.map((r) => r.responseEnd)),
  marks,
  paint: Object.fromEntries(performance.getEntriesByType('paint').map((p) => [p.name, p.startTime])),
};
"#;

/// The kiosk's marks, in the order they come at start (ui/js/main.js).
const MARKS: &[(&str, &str)] = &[
    (
        "kiosk:boot",
        "main.js runs (every module of the first screen in)",
    ),
    ("kiosk:app-info", "`app_info` answered"),
    ("kiosk:texts", "the texts (en, es) loaded"),
    ("kiosk:header", "header built, idle and keys set up"),
    (
        "kiosk:first-screen",
        "home rendered and mounted (`topics` answered)",
    ),
    ("kiosk:first-frame", "the first frame begins"),
    (
        "kiosk:first-frame-drawn",
        "the first frame drawn (styles, layout, paint)",
    ),
];

const QUERIES: &[&str] = &[
    "slipped disc",
    "knee pain",
    "varicose veins",
    "headache",
    "sciatica",
    "hair loss",
];

/// Where one start went, in ms: named phases from the new-session request.
type Split = Vec<(String, f64)>;

/// Reads [`START_SPLIT`] from a page found ready `ms` after `requested` (Unix ms) and puts it
/// in phases: before the page (tauri-driver, the process, Rust's set-up, the window), the
/// page's HTML, its styles and modules until DOMContentLoaded, then until the first screen
/// was found; with the kiosk's marks, the page's own steps from navigation start.
async fn split(client: &fantoccini::Client, requested: f64, ms: f64) -> Result<Split> {
    let v = client.execute(START_SPLIT, vec![]).await?;
    let num = |key: &str| v.get(key).and_then(serde_json::Value::as_f64);
    let origin = num("origin").context("no performance.timeOrigin")?;
    let mut out = vec![(
        "request to navigation start".to_string(),
        origin - requested,
    )];
    if let (Some(html), Some(dcl)) = (num("responseEnd"), num("domContentLoaded")) {
        out.push(("navigation start to the HTML in".into(), html));
        out.push((
            "HTML to DOMContentLoaded (styles, module scripts)".into(),
            dcl - html,
        ));
        out.push((
            "DOMContentLoaded to the first screen found".into(),
            requested + ms - origin - dcl,
        ));
    }
    if let Some(load) = num("load") {
        out.push(("page: load event over, from navigation start".into(), load));
    }
    if let Some(poll) = num("firstPoll") {
        out.push((
            "page: the first WebDriver poll ran, from navigation start".into(),
            poll,
        ));
    }
    if let Some(marks) = v.get("marks").and_then(|m| m.as_object()) {
        for (name, what) in MARKS {
            if let Some(at) = marks.get(*name).and_then(serde_json::Value::as_f64) {
                out.push((format!("page: {what}, from navigation start"), at));
            }
        }
    }
    if let Some(paint) = v.get("paint").and_then(|m| m.as_object()) {
        for (name, at) in paint {
            if let Some(at) = at.as_f64() {
                out.push((format!("page: {name}, from navigation start"), at));
            }
        }
    }
    if let Some(n) = num("resources") {
        out.push(("page: files fetched (count)".into(), n));
        out.push((
            "page: last file in, from navigation start".into(),
            num("resourcesEnd").unwrap_or(0.0),
        ));
    }
    Ok(out)
}

/// Starts `app` through tauri-driver and returns the ms until `ready` is truthy, with the
/// session (closed by the caller) and where the start went.
async fn start(
    port: u16,
    app: &Path,
    args: &[&str],
    ready: &str,
) -> Result<(f64, fantoccini::Client, Split)> {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "tauri:options".into(),
        json!({ "application": app.to_string_lossy(), "args": args }),
    );
    let requested = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs_f64()
        * 1000.0;
    let t0 = Instant::now();
    let client = ClientBuilder::native()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .context("a WebDriver session")?;
    // The page notes when the first poll reached it (WebDriver may hold scripts back).
    let ready = format!("window.__startupFirstPoll ??= performance.now(); {ready}");
    loop {
        if client
            .execute(&ready, vec![])
            .await
            .ok()
            .and_then(|v| v.as_bool())
            == Some(true)
        {
            let ms = t0.elapsed().as_secs_f64() * 1000.0;
            let phases = split(&client, requested, ms).await?;
            return Ok((ms, client, phases));
        }
        if t0.elapsed() > Duration::from_secs(60) {
            bail!("{} was not ready within 60 s", app.display());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Each phase's median for each app (`None` where an app has no such phase), in the order
/// the kiosk's phases come (the last app's; the minimal window's are the same, less the marks).
fn phase_rows(splits: &[Vec<Split>]) -> Vec<(String, Vec<Option<f64>>)> {
    let median = |runs: &[Split], name: &str| {
        let v: Vec<f64> = runs
            .iter()
            .filter_map(|s| s.iter().find(|(n, _)| n == name).map(|(_, v)| *v))
            .collect();
        (!v.is_empty()).then(|| percentile(&v, 0.5))
    };
    let names: Vec<String> = splits
        .last()
        .and_then(|runs| runs.first())
        .map(|s| s.iter().map(|(n, _)| n.clone()).collect())
        .unwrap_or_default();
    names
        .into_iter()
        .map(|n| {
            let medians = splits.iter().map(|runs| median(runs, &n)).collect();
            (n, medians)
        })
        .collect()
}

fn row(name: &str, v: &[f64]) {
    println!(
        "| {name} | {:.0} | {:.0} | {:.0} | {:.0} | {} |",
        percentile(v, 0.5),
        percentile(v, 0.95),
        v.iter().copied().fold(f64::INFINITY, f64::min),
        percentile(v, 1.0),
        v.len()
    );
}

/// Taps on Search, `n` from the home screen and `n` from the results screen: for each, the
/// ms to the results laid out and to the next frame.
struct Taps {
    home: Vec<f64>,
    home_frame: Vec<f64>,
    results: Vec<f64>,
    results_frame: Vec<f64>,
}

async fn taps(s: &Session, n: usize) -> Result<Taps> {
    let mut t = Taps {
        home: Vec::new(),
        home_frame: Vec::new(),
        results: Vec::new(),
        results_frame: Vec::new(),
    };
    for i in 0..n {
        s.wait_screen("home").await?;
        for k in [0, 3] {
            let answer = s
                .client
                .execute_async(TIMED_SEARCH, vec![json!(QUERIES[(i + k) % QUERIES.len()])])
                .await?;
            let Some((laid_out, frame)) = timed(&answer) else {
                bail!("no results within 10 s");
            };
            let (a, b) = if k == 0 {
                (&mut t.home, &mut t.home_frame)
            } else {
                (&mut t.results, &mut t.results_frame)
            };
            a.push(laid_out);
            b.push(frame);
        }
        s.click("[data-test=home]").await?;
        // No patient taps ten times a second; WebKit also refuses more than about 100
        // history writes in 10 s, which a tight loop reaches.
        tokio::time::sleep(PAUSE).await;
    }
    Ok(t)
}

/// `n` taps from the home screen, each split in the parts of [`SPLIT_SEARCH`].
async fn split_taps(s: &Session, n: usize) -> Result<Vec<Vec<f64>>> {
    let mut parts = vec![Vec::new(); 4];
    for i in 0..n {
        s.click("[data-test=home]").await?;
        s.wait_screen("home").await?;
        tokio::time::sleep(PAUSE).await;
        let answer = s
            .client
            .execute_async(SPLIT_SEARCH, vec![json!(QUERIES[i % QUERIES.len()])])
            .await?;
        let Some(values) = answer.as_array() else {
            bail!("no results within 10 s");
        };
        // A part the page could not time (the invoke wrapper not reached) leaves the tap out.
        let numbers: Option<Vec<f64>> = values.iter().map(serde_json::Value::as_f64).collect();
        if let Some(numbers) = numbers {
            for (part, v) in parts.iter_mut().zip(numbers) {
                part.push(v);
            }
        }
    }
    Ok(parts)
}

async fn run(runs: usize, tap_count: usize, minimal: PathBuf) -> Result<()> {
    let driver = Driver::start()?;
    let port = driver.port();
    // The release kiosk (benches/startup.sh builds it as the minimal window is built), else
    // this bench build's.
    let kiosk = std::env::var_os("KIOSK_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| driver.app.clone());
    // Four apps, alternating: the minimal window as earlier runs measured it (1280x800,
    // windowed), the same window fullscreen (the kiosk's pixels: it opens fullscreen in kiosk
    // mode), fullscreen with WebKit's renderer chosen as the kiosk chooses it
    // (`--kiosk-renderer`), and the kiosk. The goal's ratio is against the third.
    let apps: [(&str, &Path, &[&str], &str); 4] = [
        (
            "minimal Tauri window, 1280x800",
            &minimal,
            &[],
            MINIMAL_READY,
        ),
        (
            "minimal Tauri window, fullscreen",
            &minimal,
            &["--fullscreen"],
            MINIMAL_READY,
        ),
        (
            "minimal Tauri window, fullscreen, the kiosk's WebKit renderer",
            &minimal,
            &["--fullscreen", "--kiosk-renderer"],
            MINIMAL_READY,
        ),
        ("clinic kiosk (fullscreen)", &kiosk, &[], HOME_READY),
    ];
    // Warm-up: the kiosk's first start builds its library; all get the page cache warm.
    for (_, app, args, ready) in apps.iter().chain(apps.iter()) {
        let (_, client, _) = start(port, app, args, ready).await?;
        client.close().await?;
    }
    let mut times = vec![Vec::new(); apps.len()];
    let mut splits = vec![Vec::new(); apps.len()];
    for _ in 0..runs {
        for (i, (_, app, args, ready)) in apps.iter().enumerate() {
            let (ms, client, phases) = start(port, app, args, ready).await?;
            times[i].push(ms);
            splits[i].push(phases);
            client.close().await?;
        }
    }
    println!("\nStart through WebDriver (new session to first screen), ms\n");
    println!("| app | p50 | p95 | min | max | runs |\n|---|---:|---:|---:|---:|---:|");
    for ((name, ..), t) in apps.iter().zip(&times) {
        row(name, t);
    }
    let kiosk_p50 = percentile(&times[3], 0.5);
    println!(
        "\nratio of medians: {:.2} against the fullscreen minimal window with the kiosk's WebKit renderer (goal <= 1.2), {:.2} against it with WebKit's default renderer, {:.2} against the 1280x800 one",
        kiosk_p50 / percentile(&times[2], 0.5),
        kiosk_p50 / percentile(&times[1], 0.5),
        kiosk_p50 / percentile(&times[0], 0.5),
    );
    println!("\nWhere a start goes, p50 of each part, ms\n");
    println!(
        "| part | minimal, 1280x800 | minimal, fullscreen | minimal, fullscreen, kiosk's renderer | clinic kiosk |\n|---|---:|---:|---:|---:|"
    );
    for (name, medians) in phase_rows(&splits) {
        let cells: Vec<String> = medians
            .iter()
            .map(|v| v.map_or("-".to_string(), |v| format!("{v:.0}")))
            .collect();
        println!("| {name} | {} |", cells.join(" | "));
    }
    let mut driver = driver;
    driver.app = kiosk;
    let s = driver.session().await?;
    let t = taps(&s, tap_count).await?;
    println!("\nTap Search to results laid out, in the page, ms\n");
    println!("| from | p50 | p95 | min | max | taps |\n|---|---:|---:|---:|---:|---:|");
    row("home screen (goal p95 < 100)", &t.home);
    row("results screen (goal p95 < 20)", &t.results);
    println!(
        "\n... and to the next animation frame after it (60 Hz here: up to 16.7 ms more), ms\n"
    );
    println!("| from | p50 | p95 | min | max | taps |\n|---|---:|---:|---:|---:|---:|");
    row("home screen", &t.home_frame);
    row("results screen", &t.results_frame);
    let split = split_taps(&s, tap_count.div_ceil(4)).await?;
    s.close().await;
    if split[0].is_empty() {
        println!("\n(no tap could be split: the page's invoke was not wrapped)");
        return Ok(());
    }
    println!("\nWhere a tap from the home screen goes, ms\n");
    println!("| part | p50 | p95 | min | max | taps |\n|---|---:|---:|---:|---:|---:|");
    for (name, v) in [
        "until the search command is sent",
        "the search command (IPC, Rust)",
        "its answer to the results laid out",
        "the whole tap",
    ]
    .iter()
    .zip(&split)
    {
        row(name, v);
    }
    Ok(())
}

fn main() -> Result<()> {
    let full = std::env::args().any(|a| a == "--bench");
    let num = |name: &str, default: usize| -> Result<usize> {
        std::env::var(name).map_or(Ok(default), |v| {
            v.parse()
                .with_context(|| format!("{name}={v:?} is not a whole number"))
        })
    };
    let runs = num("STARTUP_RUNS", if full { 20 } else { 2 })?;
    let tap_count = num("STARTUP_TAPS", if full { 200 } else { 5 })?;
    let Some(minimal) = std::env::var_os("MINIMAL_WINDOW").map(PathBuf::from) else {
        bail!("set MINIMAL_WINDOW to the minimal window's binary (benches/startup.sh builds it)");
    };
    if std::env::var_os("DISPLAY").is_none() {
        bail!("no DISPLAY: run benches/startup.sh, which starts Xvfb and a D-Bus session");
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(runs, tap_count, minimal))
}
