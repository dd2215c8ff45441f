//! Issue #13, "See it your way": every patient screen in each of the six combinations of text
//! size (100, 150 and 200 %) and contrast (normal, high), on a 1920x1080 and a 1280x800 screen.
//! On each: axe-core passes (with its 7:1 `color-contrast-enhanced` rule in high contrast), the
//! page never scrolls sideways, no text is cut off by a box or the window's edge, no two pieces
//! of text overlap, and the header's controls stay apart and at least 44 px square.
//!
//! The window sizes: 1920x1080 is the kiosk itself, fullscreen on the test display (scripts/test
//! starts Xvfb at 1920x1080). 1280x800 is the app in `windowed` mode (config) with its window set
//! to 1280x800 through WebDriver: the page sees the very viewport a 1280x800 kiosk gives it. (In
//! kiosk mode the app puts fullscreen back when anything resizes it, and a second Xvfb would need
//! a second tauri-driver on another display for the same page.)

use std::time::Duration;

use anyhow::{anyhow, bail, ensure, Context, Result};
use serde_json::Value;

use crate::driver::{Driver, Session, HOME_READY};
use crate::kiosk::Configs;
use crate::ENTER;

/// The header's text sizes, smallest first.
const SIZES: [&str; 3] = ["normal", "large", "xlarge"];
/// Normal contrast, then high.
const CONTRASTS: [bool; 2] = [false, true];

/// The on-screen keyboard is open with its letters, or with its digit pad.
const KEYBOARD_OPEN_TEXT: &str =
    "return document.getElementById('onscreen-keyboard')?.dataset.layout === 'text'";
const KEYBOARD_OPEN_PHONE: &str =
    "return document.getElementById('onscreen-keyboard')?.dataset.layout === 'phone'";

/// The config-problem screen is up (the kiosk's home when its config has a problem).
const CONFIG_PROBLEM_READY: &str =
    "return document.querySelector('[data-test=screen]')?.dataset.screen === 'config-problem'";

/// A fictional patient for the one request each journey sends (to see the thank-you screen).
const NAME: &str = "Test Display";
const PHONE: &str = "201-555-0177";

/// Starts the app for one of this file's journeys; `None` for any other journey.
pub async fn start(driver: &Driver, configs: &Configs, journey: &str) -> Result<Option<Session>> {
    // No idle reset in the middle of a tour (the idle journey has its own); enough requests
    // allowed for this journey's one, however many came before it.
    let quiet = "[idle]\ntimeout_seconds = 3600\n[callbacks]\nburst_limit = 1000\n";
    let (config, size) = match journey {
        "display_every_screen_at_1920x1080" => (quiet.to_string(), None),
        "display_every_screen_at_1280x800" => {
            (format!("mode = \"windowed\"\n{quiet}"), Some((1280, 800)))
        }
        "display_idle_warning_and_attract" => (
            "mode = \"windowed\"\n[idle]\ntimeout_seconds = 10\nwarning_seconds = 20\n".into(),
            Some((1280, 800)),
        ),
        // A key the app does not know: a config with a problem, so the kiosk opens on the
        // config-problem screen (its home), as it would at a clinic.
        "display_error_screens" => (
            format!("mode = \"windowed\"\n{quiet}[clinic]\ncolour = \"blue\"\n"),
            Some((1280, 800)),
        ),
        // The staff view stays unlocked through its tabs' many checks.
        "display_staff_screens" => (
            format!("mode = \"windowed\"\n{quiet}[staff]\nlock_seconds = 3600\n"),
            Some((1280, 800)),
        ),
        _ => return Ok(None),
    };
    let path = configs.write(&format!("{journey}.toml"), &config)?;
    let args = vec!["--config".into(), path.to_string_lossy().into_owned()];
    let (ready, what) = if journey == "display_error_screens" {
        (CONFIG_PROBLEM_READY, "the config-problem screen")
    } else {
        (HOME_READY, "the home screen")
    };
    let session = driver.session_with(&args, ready, what).await?;
    match size {
        Some((w, h)) => window_size(&session, w, h).await?,
        None => {
            let (w, h) = viewport(&session).await?;
            ensure!(
                (w, h) == (1920, 1080),
                "the kiosk should fill a 1920x1080 test screen, its page is {w}x{h}"
            );
        }
    }
    Ok(Some(session))
}

async fn viewport(s: &Session) -> Result<(u64, u64)> {
    let v = s
        .client
        .execute("return [window.innerWidth, window.innerHeight]", vec![])
        .await?;
    Ok((
        v[0].as_u64().unwrap_or_default(),
        v[1].as_u64().unwrap_or_default(),
    ))
}

/// Sets the (windowed) app's window to `w`x`h` and waits until the page has that viewport.
pub async fn window_size(s: &Session, w: u32, h: u32) -> Result<()> {
    s.client.set_window_rect(0, 0, w, h).await?;
    s.wait_js(
        &format!("return window.innerWidth === {w} && window.innerHeight === {h}"),
        &format!("a {w}x{h} page"),
    )
    .await
    .with_context(|| format!("the window did not become {w}x{h}"))?;
    settle(s).await
}

/// Two animation frames: the layout after a change of class or size is done (the header's
/// ResizeObserver has run).
async fn settle(s: &Session) -> Result<()> {
    s.client
        .execute_async(
            "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            vec![],
        )
        .await?;
    Ok(())
}

fn combo_name(size: &str, high: bool) -> String {
    format!("{size}-{}", if high { "high" } else { "normal" })
}

/// Taps a control of the header as a patient would: the page scrolls only when the header
/// has scrolled away (a tall header at 200 %), and then just enough to reach it (`click`
/// centres every control, which would scroll the page under a sticky header and move the field
/// being typed into).
async fn tap_header(s: &Session, selector: &str) -> Result<()> {
    s.client
        .execute(
            &format!(
                "const e = document.querySelector({}); const r = e.getBoundingClientRect();
                 if (r.top < 0 || r.bottom > innerHeight) e.scrollIntoView({{ block: 'nearest' }}); return true;",
                serde_json::to_string(selector)?
            ),
            vec![],
        )
        .await?;
    s.css(selector).await?.click().await?;
    Ok(())
}

/// Chooses `size` and `high` contrast with the header's own controls, as a patient would.
async fn set_display(s: &Session, size: &str, high: bool) -> Result<()> {
    tap_header(s, &format!("[data-test=text-size-{size}]")).await?;
    let pressed = s
        .css("[data-test=contrast]")
        .await?
        .attr("aria-pressed")
        .await?;
    if (pressed.as_deref() == Some("true")) != high {
        tap_header(s, "[data-test=contrast]").await?;
    }
    s.wait_js(
        &format!(
            "const c = document.documentElement.classList; return c.contains('text-{size}') && c.contains('contrast-high') === {high}
               && document.querySelector('[data-test=contrast]').getAttribute('aria-pressed') === '{high}'
               && document.querySelector('[data-test=text-size-{size}]').getAttribute('aria-pressed') === 'true'"
        ),
        &format!("text size {size}, high contrast {high}"),
    )
    .await?;
    settle(s).await
}

/// Runs the checks of the module's doc on the screen as it is now; `label` names it in
/// failures and screenshots.
async fn check(s: &Session, screen: &str, size: &str, high: bool, window: &str) -> Result<()> {
    check_typing(s, screen, size, high, window, None)
        .await
        .map(|_| ())
}

/// [`check`], and with the on-screen keyboard open for the field `typing` (a CSS selector),
/// [`KEYBOARD_CHECK`]'s too; returns the font sizes of a letter key's label and of the
/// "Hide keyboard" key's words, in px (zeros with no keyboard).
async fn check_typing(
    s: &Session,
    screen: &str,
    size: &str,
    high: bool,
    window: &str,
    typing: Option<&str>,
) -> Result<(f64, f64)> {
    settle(s).await?;
    let label = format!("{screen} at {window}, {}", combo_name(size, high));
    let problems = s.client.execute(LAYOUT_CHECK, vec![]).await?;
    let mut problems: Vec<String> = serde_json::from_value(problems)?;
    let mut sizes = (0.0, 0.0);
    if let Some(field) = typing {
        let found = s
            .client
            .execute(KEYBOARD_CHECK, vec![Value::String(field.to_string())])
            .await?;
        let more: Vec<String> = serde_json::from_value(found["problems"].clone())?;
        problems.extend(more);
        sizes = (
            found["letter"].as_f64().unwrap_or_default(),
            found["named"].as_f64().unwrap_or_default(),
        );
    }
    if !problems.is_empty() {
        let _ = screenshot(
            s,
            &format!(
                "FAILED-display-{window}-{}-{screen}",
                combo_name(size, high)
            ),
        )
        .await;
        bail!("{label}:\n  {}", problems.join("\n  "));
    }
    axe(s, &label, high).await?;
    // For people to look at (and the README's): 200 % and high contrast, each alone and both.
    if size == "xlarge" || (size == "normal" && high) {
        // The form's errors are what that screen is about: the picture starts at them.
        if screen == "callback-errors" {
            s.client
                .execute(
                    "document.getElementById('cb-error-summary').scrollIntoView({ block: 'start' }); return true;",
                    vec![],
                )
                .await?;
        }
        screenshot(
            s,
            &format!("display-{window}-{}-{screen}", combo_name(size, high)),
        )
        .await?;
    }
    Ok(sizes)
}

/// Runs `check` on the screen in all six combinations.
async fn every_combo(s: &Session, screen: &str, window: &str) -> Result<()> {
    for high in CONTRASTS {
        for size in SIZES {
            set_display(s, size, high).await?;
            check(s, screen, size, high, window).await?;
        }
    }
    Ok(())
}

/// [`every_combo`] with the on-screen keyboard open for `field`: also the keyboard's own
/// checks, and its labels grow with each step of the text size (issue #13: they stayed at
/// 24 px at 200 %).
async fn every_combo_typing(s: &Session, screen: &str, window: &str, field: &str) -> Result<()> {
    for high in CONTRASTS {
        let mut last: Option<(&str, (f64, f64))> = None;
        for size in SIZES {
            set_display(s, size, high).await?;
            let sizes = check_typing(s, screen, size, high, window, Some(field)).await?;
            if let Some((smaller, before)) = last {
                ensure!(
                    sizes.0 > before.0 && sizes.1 > before.1,
                    "{screen} at {window}: the keyboard's labels grow from {smaller} to {size} text: a letter {} px then {} px, \"Hide keyboard\" {} px then {} px",
                    before.0,
                    sizes.0,
                    before.1,
                    sizes.1
                );
            }
            last = Some((size, sizes));
        }
        let (_, largest) = last.context("three text sizes")?;
        let root = s
            .client
            .execute(
                "return parseFloat(getComputedStyle(document.documentElement).fontSize)",
                vec![],
            )
            .await?
            .as_f64()
            .unwrap_or_default();
        ensure!(
            largest.0 >= root && largest.1 >= 0.75 * root,
            "{screen} at {window}: at 200 % a letter key's label ({} px) is at least the page's {root} px text, and the named keys' words ({} px) three quarters of it",
            largest.0,
            largest.1
        );
    }
    Ok(())
}

/// The on-screen keyboard, open for the field `arguments[0]`: it fits the window (no key
/// past its edges, the keyboard no taller than the window), every key at least 44 px square,
/// no label cut off or spilling out of its key, and the field stays in view between the
/// header (while it covers the page) and the keyboard. Returns `{ problems, letter, named }`,
/// the last two the font sizes of a letter key's label and of the "Hide keyboard" key's words.
const KEYBOARD_CHECK: &str = r#"
const problems = [];
const kb = document.getElementById('onscreen-keyboard');
if (!kb) return { problems: ['the on-screen keyboard is not open'], letter: 0, named: 0 };
const vw = document.documentElement.clientWidth;
const k = kb.getBoundingClientRect();
if (k.top < 0 || k.bottom > innerHeight + 1) problems.push(`the keyboard does not fit the window: ${Math.round(k.top)}..${Math.round(k.bottom)} of ${innerHeight}`);
for (const key of kb.querySelectorAll('.kb-key')) {
  const r = key.getBoundingClientRect();
  const id = key.dataset.key;
  if (r.width < 44 || r.height < 44) problems.push(`the key ${id} is ${Math.round(r.width)}x${Math.round(r.height)} px, under 44 px`);
  if (r.left < -1 || r.right > vw + 1 || r.top < -1 || r.bottom > innerHeight + 1) problems.push(`the key ${id} is partly outside the window: ${Math.round(r.left)}..${Math.round(r.right)} of ${vw}`);
  const label = key.querySelector('.kb-key__label');
  if (!label) continue;
  if (label.scrollWidth > label.clientWidth + 1 || label.scrollHeight > label.clientHeight + 1) problems.push(`the key ${id}'s label "${label.textContent}" is cut off: ${label.scrollWidth}x${label.scrollHeight} in ${label.clientWidth}x${label.clientHeight}`);
  const range = document.createRange();
  range.selectNodeContents(label);
  for (const t of range.getClientRects()) {
    if (t.left < r.left - 1 || t.right > r.right + 1 || t.top < r.top - 1 || t.bottom > r.bottom + 1) { problems.push(`the key ${id}'s label "${label.textContent}" spills out of the key`); break; }
  }
}
const field = document.querySelector(arguments[0]);
if (!field) problems.push(`no field ${arguments[0]}`);
else {
  let top = 0;
  for (const e of document.elementsFromPoint(innerWidth / 2, 1)) {
    const p = getComputedStyle(e).position;
    if (e !== kb && (p === 'sticky' || p === 'fixed')) top = Math.max(top, e.getBoundingClientRect().bottom);
  }
  const f = field.getBoundingClientRect();
  if (f.top < top - 1 || f.bottom > k.top + 1) problems.push(`the field ${arguments[0]} (${Math.round(f.top)}..${Math.round(f.bottom)}) is hidden: the header covers the window down to ${Math.round(top)}, the keyboard starts at ${Math.round(k.top)}`);
}
const size = (selector) => { const e = kb.querySelector(selector); return e ? parseFloat(getComputedStyle(e).fontSize) : 0; };
return { problems, letter: size('.kb-key--char .kb-key__label'), named: size('.kb-key--close .kb-key__label') };
"#;

/// What is wrong with the layout, as sentences (none: all is well). Text is each non-blank text
/// node of the page (of the dialog or attract screen when one is up), measured line by line
/// with Range.getClientRects(); text that is visually hidden on purpose (inside a 1px
/// screen-reader-only box, `visibility: hidden`, or `opacity: 0`) is left out.
const LAYOUT_CHECK: &str = r#"
const problems = [];
const html = document.documentElement;
const vw = html.clientWidth;
if (html.scrollWidth > vw) problems.push(`the page scrolls sideways: ${html.scrollWidth}px wide in a ${vw}px window`);
if (document.body.scrollWidth > vw) problems.push(`the body is ${document.body.scrollWidth}px wide in a ${vw}px window`);
const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.dataset && e.dataset.test ? `[data-test=${e.dataset.test}]` : '')
  + (typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\s+/).join('.') : '');
const overlay = [...document.querySelectorAll('[data-test=idle-warning], [data-test=attract]')].find((e) => !e.hidden);
const root = overlay ?? document.body;
// A scrolled page goes under the bars that stay on screen (a sticky header, the on-screen
// keyboard): a line of the page behind one is hidden by it, not overlapping it.
const covers = [document.getElementById('onscreen-keyboard'), document.getElementById('site-header')].filter((e) => e && ['fixed', 'sticky'].includes(getComputedStyle(e).position));
const covered = (el, t) => covers.some((c) => { if (c.contains(el)) return false; const b = c.getBoundingClientRect(); return t.bottom > b.top && t.top < b.bottom && t.right > b.left && t.left < b.right; });
const texts = [];
const shownTexts = new Set();
const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, { acceptNode: (n) => (n.nodeValue.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT) });
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const el = node.parentElement;
  if (!el || el.closest('script, style, template')) continue;
  if (!overlay && el.closest('[data-test=idle-warning], [data-test=attract]')) continue;
  const style = getComputedStyle(el);
  if (style.visibility !== 'visible') continue;
  const range = document.createRange();
  range.selectNodeContents(node);
  const rects = [...range.getClientRects()].filter((r) => r.width > 0.5 && r.height > 0.5 && !covered(el, r));
  if (!rects.length) continue;
  let hidden = false;
  let clippedBy = null;
  let scrolled = false;
  for (let a = el; a && a !== html; a = a.parentElement) {
    const s = getComputedStyle(a);
    if (s.opacity === '0' || s.visibility !== 'visible') { hidden = true; break; }
    // Fixed to the window (the idle warning, the attract screen): what is past its bottom is
    // cut off, unless a box on the way scrolls.
    if (s.position === 'fixed' && !scrolled) {
      for (const t of rects) if (t.top < -2 || t.bottom > window.innerHeight + 2) clippedBy = a;
    }
    const r = a.getBoundingClientRect();
    if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
    const box = { left: r.left + a.clientLeft, top: r.top + a.clientTop };
    box.right = box.left + a.clientWidth;
    box.bottom = box.top + a.clientHeight;
    // A screen-reader-only box: hidden on purpose.
    if (box.right - box.left <= 1.5 || box.bottom - box.top <= 1.5) { hidden = true; break; }
    // A box that scrolls lets the patient reach what is past its edge.
    const scrolls = (s.overflowX === 'auto' || s.overflowX === 'scroll' || s.overflowY === 'auto' || s.overflowY === 'scroll');
    if (scrolls) { scrolled = true; continue; }
    for (const t of rects) {
      const slack = Math.max(2, t.height * 0.15);
      if (t.left < box.left - 2 || t.right > box.right + 2 || t.top < box.top - slack || t.bottom > box.bottom + slack) clippedBy = a;
    }
  }
  if (hidden) continue;
  const words = node.nodeValue.trim().slice(0, 40);
  if (clippedBy) problems.push(`"${words}" (${name(el)}) is cut off by ${name(clippedBy)}`);
  for (const t of rects) {
    if (t.left < -1 || t.right > vw + 1) { problems.push(`"${words}" (${name(el)}) runs past the window's edge: ${Math.round(t.left)}..${Math.round(t.right)} of ${vw}`); break; }
  }
  for (const r of rects) texts.push({ r, el, words });
  shownTexts.add(node.nodeValue.trim());
}
// Two pieces of text over each other (sorted by top, each compared with those that start above its bottom).
texts.sort((a, b) => a.r.top - b.r.top);
const overlaps = new Set();
for (let i = 0; i < texts.length; i++) {
  const a = texts[i];
  for (let j = i + 1; j < texts.length && texts[j].r.top < a.r.bottom; j++) {
    const b = texts[j];
    if (a.el === b.el && a.words === b.words) continue;
    const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
    const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
    if (w > 3 && h > 0.3 * Math.min(a.r.height, b.r.height)) {
      const key = `"${a.words}" (${name(a.el)}) and "${b.words}" (${name(b.el)}) overlap`;
      if (!overlaps.has(key)) { overlaps.add(key); problems.push(key); }
    }
  }
}
// A placeholder must fit its field (an input's text cannot wrap), unless its words are on the
// screen as text of their own (WebKit gives no computed style for ::placeholder to say whether
// it shows).
const measure = document.createElement('canvas').getContext('2d');
for (const input of document.querySelectorAll('input[placeholder]')) {
  if (input.value || !input.getClientRects().length || (!overlay && input.closest('[data-test=idle-warning], [data-test=attract]'))) continue;
  if (shownTexts.has(input.placeholder.trim())) continue;
  const c = getComputedStyle(input);
  measure.font = `${c.fontWeight} ${c.fontSize} ${c.fontFamily}`;
  const room = input.clientWidth - parseFloat(c.paddingLeft) - parseFloat(c.paddingRight);
  const needs = measure.measureText(input.placeholder).width;
  if (needs > room + 1) problems.push(`the placeholder "${input.placeholder}" (${name(input)}) is cut off: ${Math.round(needs)}px in ${Math.round(room)}px`);
}
// The header's controls: inside the window, apart, and at least 44 px square (WCAG 2.5.5).
const controls = [...document.querySelectorAll('#site-header button')].filter((b) => b.getClientRects().length && getComputedStyle(b).visibility === 'visible');
for (const [i, a] of controls.entries()) {
  const r = a.getBoundingClientRect();
  if (r.width < 44 || r.height < 44) problems.push(`${name(a)} is ${Math.round(r.width)}x${Math.round(r.height)} px, under 44 px`);
  if (r.left < 0 || r.right > vw) problems.push(`${name(a)} is partly outside the window: ${Math.round(r.left)}..${Math.round(r.right)} of ${vw}`);
  for (const b of controls.slice(i + 1)) {
    const q = b.getBoundingClientRect();
    if (Math.min(r.right, q.right) - Math.max(r.left, q.left) > 1 && Math.min(r.bottom, q.bottom) - Math.max(r.top, q.top) > 1) problems.push(`${name(a)} and ${name(b)} overlap in the header`);
  }
}
return problems.slice(0, 15);
"#;

/// axe-core on the page as it is: WCAG 2.x A and AA and best practice, and in high contrast
/// also `color-contrast-enhanced` (7:1, WCAG 1.4.6). Fails on any violation, whatever its
/// impact. `meta-viewport` is off for the reason
/// driver.rs gives (a kiosk turns pinch zoom off; its own text size control replaces it).
async fn axe(s: &Session, label: &str, high: bool) -> Result<()> {
    let loaded = s
        .client
        .execute("return typeof axe !== 'undefined'", vec![])
        .await?;
    if loaded != Value::Bool(true) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/e2e/node_modules/axe-core/axe.min.js");
        let source = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "{} is missing; run `npm ci` in tests/e2e (scripts/test does)",
                path.display()
            )
        })?;
        s.client
            .execute(&format!("{source}\n;return true;"), vec![])
            .await?;
    }
    let script = format!(
        r#"const done = arguments[arguments.length - 1];
           axe.run(document, {{ runOnly: {{ type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] }},
                               rules: {{ 'meta-viewport': {{ enabled: false }}, 'color-contrast-enhanced': {{ enabled: {high} }} }},
                               resultTypes: ['violations'] }})
             .then(r => done(JSON.stringify(r.violations.map(v => ({{ id: v.id, impact: v.impact, help: v.help,
                 nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').replace(/\s+/g, ' ')) }})))))
             .catch(e => done('axe failed: ' + e));"#
    );
    let result = s.client.execute_async(&script, vec![]).await?;
    let text = result.as_str().unwrap_or_default();
    let violations: Vec<Value> = serde_json::from_str(text)
        .map_err(|_| anyhow!("axe-core did not run on {label}: {text}"))?;
    // Issue #13: axe passes on every screen in all six combinations, so any violation fails,
    // minor and moderate ones too.
    ensure!(
        violations.is_empty(),
        "axe-core found violations on {label}:\n{}",
        serde_json::to_string_pretty(&violations)?
    );
    Ok(())
}

/// Every patient screen in the six combinations, on the window the session has: home, a topic,
/// an article, search results, no results, the callback form with its errors shown, the
/// thank-you and the staff PIN screen.
async fn every_screen(s: &Session, window: &str) -> Result<()> {
    every_combo(s, "home", window).await?;
    focus_ring_is_clear(s).await?;

    // Spanish words are longer: home again at 200 %, in both contrasts.
    s.click("[data-test=lang-es]").await?;
    s.wait_js("return document.documentElement.lang === 'es'", "Spanish")
        .await?;
    for high in CONTRASTS {
        set_display(s, "xlarge", high).await?;
        check(s, "home-es", "xlarge", high, window).await?;
    }
    s.click("[data-test=lang-en]").await?;
    s.wait_js("return document.documentElement.lang === 'en'", "English")
        .await?;

    s.click("[data-test=topic-tile][data-slug=spine-care]")
        .await?;
    s.wait_screen("topic").await?;
    every_combo(s, "topic", window).await?;

    s.click("[data-test=article-link][data-slug=herniated-disc]")
        .await?;
    s.wait_screen("article").await?;
    every_combo(s, "article", window).await?;

    s.click("[data-test=home]").await?;
    s.wait_screen("home").await?;
    let input = s.css("#search-input").await?;
    input.send_keys("slipped disc").await?;
    input.send_keys(ENTER).await?;
    s.wait_screen("search").await?;
    s.wait_js(
        "return document.querySelectorAll('[data-test=search-result]').length",
        "search results",
    )
    .await?;
    every_combo(s, "search", window).await?;

    let input = s.css("#search-input").await?;
    input.clear().await?;
    input.send_keys("zzqqxx wobble").await?;
    input.send_keys(ENTER).await?;
    s.wait_js(
        "return document.querySelectorAll('[data-test=topic-tile]').length >= 6 && !document.querySelector('[data-test=search-result]')",
        "no results, and the topics offered",
    )
    .await?;
    every_combo(s, "search-no-results", window).await?;

    // The form sent empty: every field's error and the summary on screen.
    s.click("[data-test=home]").await?;
    s.wait_screen("home").await?;
    s.click("[data-test=callback-home]").await?;
    s.wait_screen("callback").await?;
    s.click("[data-test=cb-send]").await?;
    s.wait_js(
        "return document.querySelectorAll('[data-test=field-error]:not([hidden])').length >= 2 && document.activeElement?.id === 'cb-error-summary'",
        "the form's errors",
    )
    .await?;
    every_combo(s, "callback-errors", window).await?;

    // The on-screen keyboard, opened by a tap on the name field (its letters), then its Next
    // key to the phone field (the digit pad): each in the six combinations, the field kept in
    // view above it.
    set_display(s, "normal", false).await?;
    s.click("#cb-name").await?;
    s.wait_js(KEYBOARD_OPEN_TEXT, "the keyboard's letters")
        .await?;
    every_combo_typing(s, "callback-keyboard", window, "#cb-name").await?;
    s.click("[data-test=key][data-key=enter]").await?;
    s.wait_js(KEYBOARD_OPEN_PHONE, "the keyboard's digit pad")
        .await?;
    every_combo_typing(s, "callback-keyboard-phone", window, "#cb-phone").await?;
    s.click("[data-test=key][data-key=close]").await?;
    s.wait_js(
        "return !document.getElementById('onscreen-keyboard')",
        "the keyboard closed",
    )
    .await?;

    // Filled in and sent: the thank-you, held with "More time" while the combinations go by.
    send_the_form(s).await?;
    s.click("[data-test=thanks-more-time]").await?;
    let shown = s.traces(&[NAME, PHONE, "2015550177", "555-0177"]).await?;
    ensure!(
        shown.is_empty(),
        "the thank-you shows no personal data: {shown:?}"
    );
    every_combo(s, "thanks", window).await?;

    s.click("[data-test=thanks-done]").await?;
    s.wait_screen("home").await?;
    s.click("[data-test=staff-open]").await?;
    s.wait_screen("staff-pin").await?;
    every_combo(s, "staff-pin", window).await?;

    s.click("[data-test=home]").await?;
    s.wait_screen("home").await?;
    Ok(())
}

/// Every patient screen, six ways, on the kiosk's own 1920x1080 screen.
pub async fn display_every_screen_at_1920x1080(s: &Session) -> Result<()> {
    every_screen(s, "1920x1080").await
}

/// Every patient screen, six ways, in a 1280x800 window.
pub async fn display_every_screen_at_1280x800(s: &Session) -> Result<()> {
    every_screen(s, "1280x800").await
}

/// `every_combo` at 1280x800, then at 1920x1080, and the window back to 1280x800.
pub async fn both_windows(s: &Session, screen: &str) -> Result<()> {
    every_combo(s, screen, "1280x800").await?;
    window_size(s, 1920, 1080).await?;
    every_combo(s, screen, "1920x1080").await?;
    window_size(s, 1280, 800).await
}

/// The screens a patient meets when something is wrong, in the six combinations at 1280x800
/// and 1920x1080: the config-problem screen (this journey's config has a key the app does not
/// know, so it is the kiosk's home), the error screen for an article that does not exist and
/// for a command that failed, and the recovery screen after a JavaScript error nobody handled.
pub async fn display_error_screens(s: &Session) -> Result<()> {
    both_windows(s, "config-problem").await?;

    s.client
        .execute(
            "location.hash = '#/article/no-such-article'; return true",
            vec![],
        )
        .await?;
    s.wait_screen("error").await?;
    both_windows(s, "error-not-found").await?;

    // A command that fails (the article's, answered here with the app's `internal` error, as
    // when library.db cannot be read):
    // the page with Try again beside Go to the start.
    s.client
        .execute(
            "const failing = (real) => (command, args, options) => command === 'get_article'
               ? Promise.reject({ kind: 'internal', message: 'e2e' }) : real(command, args, options);
             const tauri = window.__TAURI__;
             // Its `core` is frozen: the page's __TAURI__ is swapped for a copy instead.
             window.__TAURI__ = { ...tauri, core: { ...tauri.core, invoke: failing(tauri.core.invoke) } };
             window.__displayRestore = () => { window.__TAURI__ = tauri; };
             location.hash = '#/article/herniated-disc'; return true",
            vec![],
        )
        .await?;
    s.wait_screen("error").await?;
    s.wait_js(
        "return !!document.querySelector('[data-test=error-retry]')",
        "Try again",
    )
    .await?;
    s.client
        .execute("window.__displayRestore(); return true", vec![])
        .await?;
    both_windows(s, "error-other").await?;

    // The recovery screen counts down 5 s to the start: its count is held (setInterval does
    // nothing while it renders) so the twelve checks see it.
    s.client
        .execute(
            "window.__displaySetInterval = window.setInterval; window.setInterval = () => 0;
             setTimeout(() => { throw new Error('e2e: the recovery screen at every text size'); }, 0); return true",
            vec![],
        )
        .await?;
    s.wait_screen("recovery").await?;
    s.client
        .execute(
            "window.setInterval = window.__displaySetInterval; return true",
            vec![],
        )
        .await?;
    both_windows(s, "recovery").await?;
    s.click("[data-test=recovery-now]").await?;
    s.wait_js(CONFIG_PROBLEM_READY, "the start again").await?;
    Ok(())
}

/// Fills the open callback form as the fictional patient (spine, any time, consent), sends
/// it, and waits for the thank-you.
async fn send_the_form(s: &Session) -> Result<()> {
    s.css("#cb-name").await?.send_keys(NAME).await?;
    s.css("#cb-phone").await?.send_keys(PHONE).await?;
    s.click("input[name=specialty][value=spine]").await?;
    s.click("input[name=bestTime][value=any]").await?;
    s.click("label[for=cb-consent]").await?;
    s.click("[data-test=cb-send]").await?;
    s.wait_screen("thanks").await
}

/// The staff view behind the PIN, signed in as the run's admin, in the six combinations at
/// 1280x800 and 1920x1080: Requests (with the one request this journey sends, from a fictional
/// patient), Audit log, Front desk link, Kiosk health and Staff accounts.
pub async fn display_staff_screens(s: &Session) -> Result<()> {
    s.click("[data-test=callback-home]").await?;
    s.wait_screen("callback").await?;
    send_the_form(s).await?;
    s.click("[data-test=thanks-done]").await?;
    s.wait_screen("home").await?;

    crate::kiosk::sign_in_staff(s).await?;
    let tabs = [
        (
            "requests",
            "return document.querySelectorAll('[data-test=inbox-item]').length > 0",
        ),
        (
            "audit",
            "return document.querySelectorAll('[data-test=audit-row]').length > 0",
        ),
        (
            "lan",
            "return !!document.querySelector('#panel-lan :is([data-test=lan-pair], [data-test=lan-paired], [data-test=lan-not-paired])')",
        ),
        (
            "health",
            "return !!document.querySelector('[data-test=health-articles] dd')?.textContent",
        ),
        (
            "accounts",
            "return document.querySelectorAll('[data-test=account]').length > 0",
        ),
    ];
    for (tab, loaded) in tabs {
        set_display(s, "normal", false).await?;
        s.click(&format!("[data-test={tab}-tab]")).await?;
        s.wait_js(loaded, &format!("the {tab} tab")).await?;
        both_windows(s, &format!("staff-{tab}")).await?;
    }
    set_display(s, "normal", false).await?;
    s.click("[data-test=staff-lock]").await?;
    s.wait_screen("staff-pin").await?;
    Ok(())
}

/// The idle warning in the six combinations, at 1280x800 and 1920x1080 (the window is resized
/// while the warning counts down: a resize is not a touch); left to run out, it puts text size
/// and contrast back to normal and shows the attract screen, checked at both sizes.
pub async fn display_idle_warning_and_attract(s: &Session) -> Result<()> {
    s.click("[data-test=topic-tile][data-slug=spine-care]")
        .await?;
    s.wait_screen("topic").await?;
    s.click("[data-test=article-link][data-slug=herniated-disc]")
        .await?;
    s.wait_screen("article").await?;
    for high in CONTRASTS {
        for size in SIZES {
            set_display(s, size, high).await?;
            wait_for_warning(s).await?;
            check(s, "idle-warning", size, high, "1280x800").await?;
            window_size(s, 1920, 1080).await?;
            check(s, "idle-warning", size, high, "1920x1080").await?;
            window_size(s, 1280, 800).await?;
            ensure!(
                visible(s, "[data-test=idle-warning]").await?,
                "the warning was still up after its checks ({size}, high contrast {high})"
            );
            s.click("[data-test=idle-stay]").await?;
            s.wait_js(
                "return document.querySelector('[data-test=idle-warning]').hidden",
                "the warning gone after I'm still here",
            )
            .await?;
        }
    }
    // The last combination (200 %, high contrast) is on; nobody touches the screen.
    wait_for_warning(s).await?;
    s.wait_js_for(
        "return !document.querySelector('[data-test=attract]').hidden",
        "the attract screen after the countdown",
        30,
    )
    .await?;
    let after = s
        .client
        .execute(
            "const c = document.documentElement.classList; return [c.contains('text-normal'), c.contains('contrast-high'),
               document.querySelector('[data-test=contrast]').getAttribute('aria-pressed'),
               document.querySelector('[data-test=text-size-normal]').getAttribute('aria-pressed')]",
            vec![],
        )
        .await?;
    ensure!(
        after == serde_json::json!([true, false, "false", "true"]),
        "the reset puts normal text and normal contrast back for the next patient: {after}"
    );
    check(s, "attract", "normal", false, "1280x800").await?;
    window_size(s, 1920, 1080).await?;
    check(s, "attract", "normal", false, "1920x1080").await?;
    s.click("[data-test=attract]").await?;
    s.wait_screen("home").await?;
    Ok(())
}

/// A PNG of the window under target/screenshots/, as [`Session::screenshot`] makes, but with
/// frames kept coming in the page's own background colour (one unit off), which is black in high
/// contrast, and stopped as soon as the picture is taken, so no later check sees it.
async fn screenshot(s: &Session, name: &str) -> Result<()> {
    // The pointer on the screen's heading (plain text), away from the controls the header
    // moved under it, so none shows its hover colour in the picture.
    use fantoccini::actions::{InputSource, MouseActions, PointerAction};
    let spot = s
        .client
        .execute(
            "const overlay = [...document.querySelectorAll('[data-test=idle-warning], [data-test=attract]')].find((e) => !e.hidden);
             const h = (overlay ?? document.getElementById('main')).querySelector('h1, h2');
             const r = h ? h.getBoundingClientRect() : null;
             const inside = r && r.bottom > 0 && r.top < innerHeight;
             return inside ? [r.left + Math.min(r.width, 40) / 2, Math.max(1, r.top + Math.min(r.height, 40) / 2)] : [innerWidth / 2, innerHeight - 2];",
            vec![],
        )
        .await?;
    let away = MouseActions::new("mouse".into()).then(PointerAction::MoveTo {
        duration: None,
        x: spot[0].as_f64().unwrap_or(1.0).floor(),
        y: spot[1].as_f64().unwrap_or(1.0).floor(),
    });
    s.client.perform_actions(away).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    s.client
        .execute(
            r#"const body = document.body;
               const [r, g, b] = getComputedStyle(body).backgroundColor.match(/\d+/g).map(Number);
               const near = `rgb(${r < 128 ? r + 1 : r - 1}, ${g}, ${b})`;
               let n = 0;
               window.__displayShot = setInterval(() => {
                 n += 1;
                 if (n % 2) body.style.setProperty('background-color', near);
                 else body.style.removeProperty('background-color');
                 if (n > 60) clearInterval(window.__displayShot);
               }, 100);
               return true;"#,
            vec![],
        )
        .await?;
    let png = s.client.screenshot().await;
    s.client
        .execute(
            "clearInterval(window.__displayShot); document.body.style.removeProperty('background-color'); return true;",
            vec![],
        )
        .await?;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(format!("{name}.png")), png?)?;
    // To look at a whole screen (WebKitWebDriver's pictures stop at the window's edge): the
    // rest of the page, a window at a time, then back to the top.
    if std::env::var_os("CLINIC_KIOSK_E2E_WHOLE_PAGES").is_some() {
        for part in 1..12 {
            let more = s
                .client
                .execute(
                    "const before = window.scrollY; window.scrollBy(0, window.innerHeight * 0.9); return window.scrollY > before;",
                    vec![],
                )
                .await?;
            if more != Value::Bool(true) {
                break;
            }
            settle(s).await?;
            let png = s.client.screenshot().await?;
            std::fs::write(dir.join(format!("{name}-{part}.png")), png)?;
        }
        s.client
            .execute("window.scrollTo(0, 0); return true;", vec![])
            .await?;
    }
    Ok(())
}

/// In high contrast a control reached with the Tab key shows the cyan ring, at least 4 px wide
/// (WCAG 2.4.7, and 2.4.13's 2 px perimeter); the palette's unit test measures its contrast.
async fn focus_ring_is_clear(s: &Session) -> Result<()> {
    set_display(s, "normal", true).await?;
    s.client
        .active_element()
        .await?
        .send_keys("\u{E004}")
        .await?;
    let ring = s
        .wait_js(
            "const e = document.activeElement; const c = getComputedStyle(e);
             return e && e !== document.body && e.matches(':focus-visible') ? [c.outlineStyle, parseFloat(c.outlineWidth), c.outlineColor, e.dataset.test ?? e.tagName] : null",
            "a control focused with Tab",
        )
        .await?;
    ensure!(
        ring[0] == "solid"
            && ring[1].as_f64().unwrap_or_default() >= 4.0
            && ring[2] == "rgb(58, 215, 255)",
        "the focused control ({}) shows the high-contrast focus ring: {ring}",
        ring[3]
    );
    Ok(())
}

async fn visible(s: &Session, selector: &str) -> Result<bool> {
    let script = format!(
        "const e = document.querySelector({}); return !!e && !e.hidden && e.getClientRects().length > 0;",
        serde_json::to_string(selector)?
    );
    Ok(s.client.execute(&script, vec![]).await? == Value::Bool(true))
}

async fn wait_for_warning(s: &Session) -> Result<()> {
    s.wait_js_for(
        "return !document.querySelector('[data-test=idle-warning]').hidden",
        "the idle warning",
        20,
    )
    .await?;
    // Its count has started; the checks get the rest of its 20 s.
    tokio::time::sleep(Duration::from_millis(200)).await;
    Ok(())
}
