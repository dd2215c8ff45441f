//! Reading aloud and keys-only use (issue #13), checked by ear: the app speaks through
//! espeak-ng into a PulseAudio null sink (`kiosk`), the test records its monitor with
//! `parec` and measures the samples. scripts/test starts that sink; run alone, these
//! journeys start it themselves, and fail loudly when PulseAudio is not installed (never a
//! silent pass).
//!
//! What was said is also heard through the app's speech record (`CLINIC_KIOSK_SPEECH_RECORD`,
//! set by [`set_record_env`] before tauri-driver starts): the keys-only journey navigates by
//! that alone, never by reading the screen.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};

#[path = "audio.rs"]
mod audio;

use audio::{ensure_sink, Recorder};

use crate::driver::{Driver, Session, HOME_READY};
use crate::kiosk::Configs;

/// Starts the app the way a speech journey needs it, or `None` for the usual start. The
/// idle journey: the warning after 10 s without a touch, 20 s to answer it. The keys-only
/// callback request and article search: `[speech] headphones_only` (the kiosk's audio is a
/// headphone jack only), since typing by ear needs the keys' names, which a speaker never says.
pub async fn start(driver: &Driver, configs: &Configs, journey: &str) -> Result<Option<Session>> {
    let (file, text) = match journey {
        "the_idle_warning_stops_speech" => (
            "speech-idle.toml",
            "[idle]\ntimeout_seconds = 10\nwarning_seconds = 20\n",
        ),
        "keys_only_callback_request_by_ear" | "keys_only_find_an_article_and_hear_it" => (
            "speech-headphones.toml",
            "[speech]\nheadphones_only = true\n",
        ),
        _ => return Ok(None),
    };
    let path = configs.write(file, text)?;
    let args = vec!["--config".to_string(), path.to_string_lossy().into_owned()];
    Ok(Some(
        driver
            .session_with(&args, HOME_READY, "the home screen")
            .await?,
    ))
}

/// The speech record's file for this run (the app appends a JSON line per sentence said).
pub fn record_path() -> PathBuf {
    std::env::temp_dir().join(format!(
        "clinic-kiosk-e2e-speech-{}.jsonl",
        std::process::id()
    ))
}

/// Makes every app this run starts write what it says to [`record_path`]. Called in main
/// before tauri-driver starts (it passes its environment on to the app).
pub fn set_record_env() {
    let _ = std::fs::remove_file(record_path());
    std::env::set_var("CLINIC_KIOSK_SPEECH_RECORD", record_path());
}

/// Everything said so far in this run, one sentence a line.
fn said() -> Vec<String> {
    std::fs::read_to_string(record_path())
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|v| v["text"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// How long a test waits for Listen's first sound before calling it silent (then the
/// journey fails saying so). The tap before each measured one is WebDriver's own first click
/// of the session, which can take 1.5 s before the page sees it (WebKitWebDriver sets itself
/// up).
const PROMPT: Duration = Duration::from_secs(10);

/// Issue #13: "the recorded audio is non-silent within a second" of the tap. The journeys
/// hear it 35 to 90 ms after (the speech benchmark: p95 133 ms); the 1.7 s once seen was the
/// recorder's, not the kiosk's: parec delivers nothing for about 2 s after it starts, and the
/// recorder started 300 ms before the tap (audio.rs now waits for its stream to flow).
const FIRST_SOUND: Duration = Duration::from_secs(1);

/// Listen's button, pressed as a finger would.
const PLAY: &str = "[data-test=listen-play]";

async fn open_article(s: &Session, slug: &str) -> Result<()> {
    s.click("[data-test=topic-tile][data-slug=spine-care]")
        .await?;
    s.wait_screen("topic").await?;
    s.click(&format!("[data-test=article-link][data-slug={slug}]"))
        .await?;
    s.wait_screen("article").await
}

/// Waits until `secs` seconds after `from` and fails if any sound was heard in between.
async fn assert_silent(rec: &Recorder, from: Instant, secs: f64, what: &str) -> Result<()> {
    let until = from + Duration::from_secs_f64(secs);
    tokio::time::sleep(until.saturating_duration_since(Instant::now())).await;
    let loud = rec.loud_blocks(from, Instant::now());
    ensure!(
        loud == 0,
        "{what}: {loud} blocks of 10 ms with sound in the {secs} s after it"
    );
    Ok(())
}

/// Listen on an English article: it sounds, the sentence highlighted, Stop
/// silences it at once.
pub async fn listen_reads_an_article_and_stop_silences_it(s: &Session) -> Result<()> {
    ensure_sink()?;
    open_article(s, "herniated-disc").await?;
    s.click("#article-title").await?; // WebDriver's first click of the session (see PROMPT)
    let rec = Recorder::start()?;
    ensure!(
        rec.loud_blocks(Instant::now() - Duration::from_secs(1), Instant::now()) == 0,
        "the sink is silent before Listen"
    );
    let t0 = Instant::now();
    s.click(PLAY).await?;
    let first = rec
        .first_sound(t0, PROMPT)
        .await
        .context("Listen made no sound within 10 s")?;
    println!("  first sound {} ms after the tap began", first.as_millis());
    ensure!(
        first <= FIRST_SOUND,
        "Listen was heard {} ms after the tap, not within a second",
        first.as_millis()
    );
    s.wait_js(
        "return (globalThis.CSS?.highlights?.get('speech-sentence')?.size ?? 0) === 1 && !!document.querySelector('.speech-reading')",
        "the sentence being read highlighted",
    )
    .await?;
    s.assert_accessible("article-listening").await?;
    s.screenshot("article-listening").await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let speaking = rec.loud_blocks(t0 + first, Instant::now());
    ensure!(
        speaking > 100,
        "the article is heard for the 3 s after the first sound: only {speaking} blocks of 10 ms with sound"
    );
    let heard = said();
    ensure!(
        heard.iter().any(|l| l == "Herniated disc"),
        "the title was said first: {heard:?}"
    );
    s.click("[data-test=listen-stop]").await?;
    let stopped = Instant::now();
    // A second for the click to reach the page on a busy machine; then silence.
    assert_silent(&rec, stopped + Duration::from_millis(1000), 1.5, "Stop").await?;
    Ok(())
}

/// Listen to the callback form's instructions in Spanish: it sounds, and the
/// sound lasts about as long as the words need at the clinic's rate (155 a minute).
pub async fn listen_in_spanish_lasts_as_long_as_the_text(s: &Session) -> Result<()> {
    ensure_sink()?;
    s.click("[data-test=lang-es]").await?;
    s.wait_js("return document.documentElement.lang === 'es'", "lang=es")
        .await?;
    s.click("[data-test=callback-home]").await?;
    s.wait_screen("callback").await?;
    s.click("#page-title").await?; // WebDriver's first click of the session (see PROMPT)
    let before = said().len();
    let rec = Recorder::start()?;
    let t0 = Instant::now();
    s.click(PLAY).await?;
    let first = rec
        .first_sound(t0, PROMPT)
        .await
        .context("Escuchar made no sound within 10 s")?;
    println!("  first sound {} ms after the tap began", first.as_millis());
    ensure!(
        first <= FIRST_SOUND,
        "Escuchar was heard {} ms after the tap, not within a second",
        first.as_millis()
    );
    s.wait_js_for(
        "return document.querySelector('[data-test=listen]')?.dataset.state === 'idle'",
        "the instructions read to the end",
        120,
    )
    .await?;
    let last = rec.last_sound(t0).context("no sound at all")?;
    let heard: Vec<String> = said().split_off(before);
    ensure!(
        heard.first().map(String::as_str) == Some("Pedir que me llamen"),
        "the Spanish instructions were said: {heard:?}"
    );
    let words: usize = heard.iter().map(|l| l.split_whitespace().count()).sum();
    let expected = words as f64 / 155.0 * 60.0;
    let lasted = last.duration_since(t0 + first).as_secs_f64();
    println!("  {words} words in {lasted:.1} s (about {expected:.1} s at 155 a minute)");
    ensure!(
        lasted > expected * 0.6 && lasted < expected * 1.7,
        "{words} words lasted {lasted:.1} s; at 155 words a minute they need about {expected:.1} s"
    );
    Ok(())
}

/// Speech stops when the idle warning appears, stays silent through the reset, and the reset
/// puts the volume back to the clinic's default.
pub async fn the_idle_warning_stops_speech(s: &Session) -> Result<()> {
    ensure_sink()?;
    // The volume key, from the clinic's 70 % up to 100 %: the reset must put it back.
    let mut ear = Ear { s, presses: 0 };
    let louder = ear.press(F2).await?;
    ensure!(
        louder.as_deref() == Some("Volume 4 of 4"),
        "the volume key from the clinic's default: {louder:?}"
    );
    open_article(s, "herniated-disc").await?;
    let rec = Recorder::start()?;
    let t0 = Instant::now();
    s.click(PLAY).await?;
    rec.first_sound(t0, PROMPT)
        .await
        .context("Listen made no sound within 10 s")?;
    // Nobody touches the kiosk: the warning comes after 10 s (this journey's config).
    s.wait_js_for(
        "const d = document.querySelector('[data-test=idle-warning]'); return !!d && !d.hidden",
        "the idle warning",
        20,
    )
    .await?;
    let warned = Instant::now();
    assert_silent(
        &rec,
        warned + Duration::from_millis(1000),
        1.5,
        "the idle warning",
    )
    .await?;
    // The reset: the attract screen, and still silence.
    s.wait_js_for(
        "const a = document.querySelector('[data-test=attract]'); return !!a && !a.hidden",
        "the attract screen after the reset",
        30,
    )
    .await?;
    assert_silent(&rec, Instant::now(), 1.0, "the reset").await?;
    // The next patient starts at the clinic's volume: one step up is 100 % again, not 30 %.
    s.click("[data-test=attract]").await?;
    let again = ear.press(F2).await?;
    ensure!(
        again.as_deref() == Some("Volume 4 of 4"),
        "after the reset the volume is the clinic's default again: {again:?}"
    );
    Ok(())
}

/// The header's Help, tapped: it turns speech mode on and says how the kiosk is used, as
/// the keypad's Help key does, heard in the screen's language (English, then Spanish); it is
/// a 44 px target, and reachable with the keys (down to it, Enter says the help again).
pub async fn the_help_button_says_how_the_kiosk_works(s: &Session) -> Result<()> {
    ensure_sink()?;
    let size = s
        .client
        .execute(
            "const r = document.querySelector('[data-test=help]').getBoundingClientRect(); return [r.width, r.height]",
            vec![],
        )
        .await?;
    let (w, h) = (
        size[0].as_f64().unwrap_or_default(),
        size[1].as_f64().unwrap_or_default(),
    );
    ensure!(
        w >= 44.0 && h >= 44.0,
        "Help is a {w}x{h} px target, under 44 px"
    );
    let label = s.text("[data-test=help]").await?;
    ensure!(label == "Help", "the Help button says Help: {label:?}");
    s.click("h1").await?; // WebDriver's first click of the session (see PROMPT)
    let rec = Recorder::start()?;
    let mut ear = Ear { s, presses: 0 };

    for (lang, starts) in [("en", "Speech is on."), ("es", "La voz está activada.")] {
        if lang == "es" {
            // The English help is long: the volume key's short line replaces it.
            ear.press(F2).await?;
            s.click("[data-test=lang-es]").await?;
            s.wait_js("return document.documentElement.lang === 'es'", "lang=es")
                .await?;
            let label = s.text("[data-test=help]").await?;
            ensure!(label == "Ayuda", "Help in Spanish: {label:?}");
        }
        // Whatever was said before (an earlier journey's last words too) has ended.
        wait_quiet(&rec).await?;
        let before = said().len();
        let t0 = Instant::now();
        s.click("[data-test=help]").await?;
        let first = rec
            .first_sound(t0, PROMPT)
            .await
            .with_context(|| format!("Help ({lang}) made no sound within 10 s"))?;
        println!(
            "  Help ({lang}): first sound {} ms after the tap began",
            first.as_millis()
        );
        let heard = said().split_off(before);
        ensure!(
            heard.len() == 1 && heard[0].starts_with(starts),
            "a tap on Help says how the kiosk works in {lang}, starting {starts:?}, and nothing else: {heard:?}"
        );
        let voice = said_lang();
        ensure!(
            voice.as_deref() == Some(lang),
            "Help is said with the {lang} voice: {voice:?}"
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
        let speaking = rec.loud_blocks(t0 + first, Instant::now());
        ensure!(
            speaking > 100,
            "Help ({lang}) is heard for the 2 s after its first sound: only {speaking} blocks of 10 ms with sound"
        );
    }

    // With the keys: speech mode is on, so each control reached is said; Help is one of them,
    // and Enter on it says the help again.
    s.client
        .execute("document.activeElement?.blur(); return true", vec![])
        .await?;
    ear.seek(DOWN, 20, "the Help button", |l| {
        l.starts_with("Ayuda: escuchar cómo usar el quiosco")
    })
    .await?;
    let again = ear.press(ENTER).await?;
    ensure!(
        again
            .as_deref()
            .is_some_and(|l| l.starts_with("La voz está activada.")),
        "Enter on Help says the help again: {again:?}"
    );
    // A short line in its place, so the next journey starts in silence.
    ear.press(F2).await?;
    Ok(())
}

/// Waits until the sink has been silent for half a second (at most 45 s: the help is long).
async fn wait_quiet(rec: &Recorder) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(45);
    loop {
        let now = Instant::now();
        if rec.loud_blocks(now - Duration::from_millis(500), now) == 0 {
            return Ok(());
        }
        ensure!(now < deadline, "the kiosk never fell silent");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The language of the last sentence said (its voice), from the speech record.
fn said_lang() -> Option<String> {
    std::fs::read_to_string(record_path())
        .ok()?
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .next_back()
        .and_then(|v| v["lang"].as_str().map(str::to_string))
}

// ---------- keys only ----------

const UP: &str = "\u{E013}";
const DOWN: &str = "\u{E015}";
const ENTER: &str = "\u{E007}";
const ESCAPE: &str = "\u{E00C}";
const HELP: &str = "\u{E034}"; // F4 (WebKitGTK never passes F1 or F3 to the page)
const F2: &str = "\u{E032}";

/// A patient with six keys and speech: presses keys, hears lines.
struct Ear<'a> {
    s: &'a Session,
    presses: usize,
}

impl Ear<'_> {
    /// Presses `key` and returns what was said after it (the last line, once saying stops
    /// growing), or `None` when nothing was said within 3 s.
    async fn press(&mut self, key: &str) -> Result<Option<String>> {
        ensure!(
            [UP, DOWN, ENTER, ESCAPE, HELP, F2].contains(&key),
            "only the six keys"
        );
        let before = said().len();
        self.send(key).await?;
        let deadline = Instant::now() + Duration::from_secs(3);
        loop {
            let now = said();
            if now.len() > before {
                // An announcement may come in two steps (a field asks about headphones first).
                tokio::time::sleep(Duration::from_millis(150)).await;
                return Ok(said().last().cloned());
            }
            if Instant::now() > deadline {
                return Ok(None);
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Presses `key` without waiting to hear anything (Enter on Listen or Stop).
    async fn send(&mut self, key: &str) -> Result<()> {
        ensure!(
            [UP, DOWN, ENTER, ESCAPE, HELP, F2].contains(&key),
            "only the six keys"
        );
        self.presses += 1;
        // Key events to whatever has focus, as a keypad sends them (no element is looked up).
        let c = key.chars().next().context("a key")?;
        let actions = KeyActions::new("keypad".into())
            .then(KeyAction::Down { value: c })
            .then(KeyAction::Up { value: c });
        self.s.client.perform_actions(actions).await?;
        Ok(())
    }

    /// Presses `key` until what is said satisfies `wanted` (at most `max` presses).
    async fn seek(
        &mut self,
        key: &str,
        max: usize,
        what: &str,
        wanted: impl Fn(&str) -> bool,
    ) -> Result<String> {
        let mut heard = Vec::new();
        for _ in 0..max {
            if let Some(line) = self.press(key).await? {
                if wanted(&line) {
                    return Ok(line);
                }
                heard.push(line);
            }
        }
        bail!("never heard {what} in {max} presses; heard {heard:?}")
    }

    /// Types `text` on the on-screen keyboard by ear: up/down to each key, Enter on it.
    async fn type_text(&mut self, text: &str) -> Result<()> {
        for c in text.chars() {
            if c.is_uppercase() {
                self.seek(DOWN, 60, "Shift", |l| l.starts_with("Shift"))
                    .await?;
                let on = self.press(ENTER).await?;
                ensure!(on.as_deref() == Some("Shift, on"), "Shift said {on:?}");
            }
            let name = if c.is_alphabetic() {
                if c.is_uppercase() {
                    format!("letter capital {c}")
                } else {
                    format!("letter {c}")
                }
            } else {
                c.to_string()
            };
            self.type_key(&name).await?;
        }
        Ok(())
    }

    /// Moves the on-screen keyboard's cursor to the key said as `name` and types it.
    async fn type_key(&mut self, name: &str) -> Result<()> {
        self.seek(DOWN, 60, name, |l| l == name).await?;
        let typed = self.press(ENTER).await?;
        ensure!(
            typed.as_deref() == Some(name),
            "a key typed into headphones is said by its name, got {typed:?}"
        );
        Ok(())
    }
}

/// A callback request with only the six keys, the screen's content hidden from the test:
/// it presses keys and hears what the kiosk says, into headphones (this journey's config
/// says the kiosk has only a jack), so the keys' names and the fields' values are said.
pub async fn keys_only_callback_request_by_ear(s: &Session) -> Result<()> {
    ensure_sink()?;
    let name = "Ana";
    let phone = "2125550147";
    let mut ear = Ear { s, presses: 0 };
    let help = ear.press(HELP).await?;
    let help = help.context("Help said nothing")?;
    ensure!(
        help.starts_with("Speech is on."),
        "Help explains the keys: {help:?}"
    );
    let volume = ear.press(F2).await?.context("Volume said nothing")?;
    ensure!(
        volume.starts_with("Volume "),
        "the volume key says the volume: {volume:?}"
    );

    ear.seek(DOWN, 80, "the call-back button", |l| {
        l.starts_with("Ask for a call back") && l.ends_with("link")
    })
    .await?;
    let form = ear.press(ENTER).await?.context("the form said nothing")?;
    ensure!(
        form.contains("heading level 1") && form.contains("Ask for a call back"),
        "the form's heading is said when it opens: {form:?}"
    );
    ear.seek(DOWN, 40, "a specialist to choose", |l| {
        l.contains("radio button")
    })
    .await?;
    let chosen = ear.press(ENTER).await?;
    ensure!(
        chosen.as_deref() == Some("checked"),
        "Enter checks a radio button: {chosen:?}"
    );

    let field = ear
        .seek(DOWN, 40, "the name field", |l| {
            l.starts_with("Your name, text field")
        })
        .await?;
    ensure!(
        field.contains("empty"),
        "an empty field is said as empty: {field:?}"
    );
    let open = ear
        .press(ENTER)
        .await?
        .context("Enter on a field said nothing")?;
    ensure!(
        open.starts_with("Keyboard open"),
        "Enter opens the keyboard: {open:?}"
    );
    ear.type_text(name).await?;
    let closed = ear.press(ESCAPE).await?;
    ensure!(
        closed.as_deref() == Some("Keyboard closed"),
        "Escape closes the keyboard: {closed:?}"
    );

    ear.seek(DOWN, 10, "the phone field", |l| {
        l.starts_with("Your phone number, text field")
    })
    .await?;
    ear.press(ENTER).await?;
    ear.type_text(phone).await?;
    ear.press(ESCAPE).await?;
    // Back on each field: its value is read back, into headphones.
    let back_on_name = ear
        .seek(UP, 10, "the name field again", |l| {
            l.starts_with("Your name, text field")
        })
        .await?;
    ensure!(
        back_on_name.contains(name),
        "a filled-in field is read back into headphones: {back_on_name:?}"
    );
    ear.seek(DOWN, 10, "the phone field again", |l| {
        l.starts_with("Your phone number")
    })
    .await?;

    ear.seek(DOWN, 20, "a time to call", |l| l.contains("radio button"))
        .await?;
    ear.press(ENTER).await?;
    let consent = ear
        .seek(DOWN, 30, "the consent box", |l| l.contains("check box"))
        .await?;
    ensure!(
        consent.contains("not checked"),
        "consent starts unchecked: {consent:?}"
    );
    let ticked = ear.press(ENTER).await?;
    ensure!(
        ticked.as_deref() == Some("checked"),
        "Enter ticks the box: {ticked:?}"
    );
    ear.seek(DOWN, 10, "Send", |l| l.starts_with("Send my request"))
        .await?;
    ear.press(ENTER).await?;
    let deadline = Instant::now() + Duration::from_secs(15);
    while !said()
        .iter()
        .any(|l| l.contains("Thank you, we will call you"))
    {
        ensure!(
            Instant::now() < deadline,
            "the thank-you screen was never said; last: {:?}",
            said().last()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let heard = said();
    println!(
        "  a callback request in {} presses of six keys, {} lines said",
        ear.presses,
        heard.len()
    );
    Ok(())
}

/// Enter on a link said as `link` (seeking down to it) opens a screen whose heading,
/// said as focus lands on it, starts with `heading`.
async fn open_by_ear(ear: &mut Ear<'_>, link: &str, heading: &str, level: &str) -> Result<()> {
    ear.seek(DOWN, 60, link, |l| {
        l.starts_with(link) && !l.contains(level)
    })
    .await?;
    let opened = ear
        .press(ENTER)
        .await?
        .with_context(|| format!("Enter on {link:?} said nothing"))?;
    ensure!(
        opened.starts_with(heading) && opened.ends_with(level),
        "Enter on {link:?} opens {heading:?}, its heading said: {opened:?}"
    );
    Ok(())
}

/// On an article: seeks its Listen button (`listen`, in the screen's language), presses
/// Enter and hears the article: the first sound within a second of the key, sound for the
/// two seconds after, the title said first, with the `lang` voice.
async fn hear_the_article(
    ear: &mut Ear<'_>,
    rec: &Recorder,
    listen: &str,
    title: &str,
    lang: &str,
) -> Result<()> {
    ear.seek(DOWN, 30, listen, |l| l.starts_with(&format!("{listen}, ")))
        .await?;
    // The button's own name is said first: the article's sound must not be mistaken for it.
    wait_quiet(rec).await?;
    let before = said().len();
    let t0 = Instant::now();
    ear.send(ENTER).await?;
    let first = rec
        .first_sound(t0, PROMPT)
        .await
        .with_context(|| format!("Enter on {listen} made no sound within 10 s"))?;
    println!(
        "  {listen} ({lang}): first sound {} ms after the key",
        first.as_millis()
    );
    ensure!(
        first <= FIRST_SOUND,
        "{listen} was heard {} ms after the key, not within a second",
        first.as_millis()
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let speaking = rec.loud_blocks(t0 + first, Instant::now());
    ensure!(
        speaking > 100,
        "the article is heard for the 2 s after its first sound: only {speaking} blocks of 10 ms with sound"
    );
    let heard = said().split_off(before);
    ensure!(
        heard.first().map(String::as_str) == Some(title) && heard.len() >= 2,
        "Listen reads the article from its title {title:?}: {heard:?}"
    );
    let voice = said_lang();
    ensure!(
        voice.as_deref() == Some(lang),
        "the article is read with the {lang} voice: {voice:?}"
    );
    Ok(())
}

/// After a key that leaves the article (or stops it): the kiosk falls silent within
/// `within` seconds and stays silent, so the article is not read on behind the patient.
async fn falls_silent(rec: &Recorder, from: Instant, within: u64, what: &str) -> Result<()> {
    let deadline = from + Duration::from_secs(within);
    loop {
        let now = Instant::now();
        if rec.loud_blocks(now - Duration::from_millis(500), now) == 0 && now > from {
            break;
        }
        ensure!(
            now < deadline,
            "{what}: still sound {within} s after the key"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_silent(rec, Instant::now(), 1.5, what).await
}

/// Issue #13's "done when": with six keys and headphones, and only by ear, a patient finds
/// an article and hears it in English, switches to Spanish and hears one there, and finds
/// one by searching, typed on the on-screen keyboard. The test reads only the speech record
/// and the sound, never the screen.
pub async fn keys_only_find_an_article_and_hear_it(s: &Session) -> Result<()> {
    ensure_sink()?;
    let mut ear = Ear { s, presses: 0 };
    let help = ear.press(HELP).await?.context("Help said nothing")?;
    ensure!(
        help.starts_with("Speech is on."),
        "Help turns speech on: {help:?}"
    );
    let rec = Recorder::start()?;

    // English: a topic, an article, Listen, then Stop.
    open_by_ear(&mut ear, "Spine care", "Spine care", "heading level 1").await?;
    open_by_ear(
        &mut ear,
        "Herniated disc",
        "Herniated disc",
        "heading level 1",
    )
    .await?;
    hear_the_article(&mut ear, &rec, "Listen", "Herniated disc", "en").await?;
    let stop = ear.press(DOWN).await?;
    ensure!(
        stop.as_deref() == Some("Stop, button"),
        "down from Listen is Stop: {stop:?}"
    );
    let stopped = Instant::now();
    ear.send(ENTER).await?;
    falls_silent(&rec, stopped, 2, "Stop").await?;

    // Español, from the header: the same screen in Spanish, then the Spanish article.
    let back = ear.press(ESCAPE).await?;
    ensure!(
        back.as_deref() == Some("Spine care, heading level 1"),
        "Escape goes back to the topic: {back:?}"
    );
    ear.seek(UP, 40, "the Español button", |l| l.starts_with("Español"))
        .await?;
    // Focus stays on the button: the screen's name is said, in Spanish and its voice.
    let switched = ear.press(ENTER).await?;
    let voice = said_lang();
    ensure!(
        switched.as_deref() == Some("Cuidado de la columna") && voice.as_deref() == Some("es"),
        "Enter on Español says the screen's name in Spanish: {switched:?} ({voice:?})"
    );
    open_by_ear(
        &mut ear,
        "Hernia de disco",
        "Hernia de disco",
        "encabezado de nivel 1",
    )
    .await?;
    hear_the_article(&mut ear, &rec, "Escuchar", "Hernia de disco", "es").await?;
    // Escape leaves the article: the topic's heading is said, and then nothing.
    let left = Instant::now();
    let back = ear.press(ESCAPE).await?;
    ensure!(
        back.as_deref() == Some("Cuidado de la columna, encabezado de nivel 1"),
        "Escape goes back to the topic, in Spanish: {back:?}"
    );
    falls_silent(&rec, left, 5, "Escape from the article").await?;

    // A search, typed by ear on the on-screen keyboard.
    let home = ear.press(ESCAPE).await?.context("Escape said nothing")?;
    ensure!(
        home.ends_with("encabezado de nivel 1"),
        "Escape goes home: {home:?}"
    );
    search_by_ear(&mut ear, "disco").await?;
    println!("  found and heard in {} presses of six keys", ear.presses);
    Ok(())
}

/// On the home screen in Spanish: the search field, the keyboard opened by Enter, `word`
/// typed key by key, the keyboard and the suggestions closed, the Buscar button; the first
/// result is said, Enter opens it.
async fn search_by_ear(ear: &mut Ear<'_>, word: &str) -> Result<()> {
    let field = ear
        .seek(DOWN, 30, "the search field", |l| {
            l.contains("campo de búsqueda")
        })
        .await?;
    ensure!(
        field.contains("vacío"),
        "the search field starts empty: {field:?}"
    );
    let open = ear
        .press(ENTER)
        .await?
        .context("Enter on the field said nothing")?;
    ensure!(
        open.starts_with("Teclado abierto"),
        "Enter opens the keyboard: {open:?}"
    );
    for c in word.chars() {
        ear.type_key(&format!("letra {c}")).await?;
    }
    let closed = ear.press(ESCAPE).await?;
    ensure!(
        closed.as_deref() == Some("Teclado cerrado"),
        "Escape closes the keyboard: {closed:?}"
    );
    // The suggestions are open (up and down go through them): Escape closes them, and the
    // field is said again, with what was typed (into headphones).
    let again = ear.press(ESCAPE).await?;
    ensure!(
        again
            .as_deref()
            .is_some_and(|l| l.contains("campo de búsqueda") && l.contains(word)),
        "Escape closes the suggestions and says the field again: {again:?}"
    );
    ear.seek(DOWN, 5, "the Buscar button", |l| l == "Buscar, botón")
        .await?;
    let before = said().len();
    ear.press(ENTER).await?.context("Buscar said nothing")?;
    // The results' heading, then how many were found, with the query (into headphones).
    let count = format!("artículos sobre «{word}»");
    let heard = hear_until(before, |l| l.contains(&count)).await;
    ensure!(
        heard
            .iter()
            .any(|l| l.starts_with("Buscar, encabezado de nivel 1"))
            && heard
                .last()
                .is_some_and(|l| l.starts_with("Encontramos ") && l.contains(&count)),
        "Buscar opens the results: their heading, then the count and the query said: {heard:?}"
    );
    let first = ear
        .seek(DOWN, 20, "the first result", |l| {
            l.ends_with(", enlace") && l.to_lowercase().contains(word)
        })
        .await?;
    let title: String = first.chars().take(15).collect();
    let opened = ear
        .press(ENTER)
        .await?
        .context("Enter on a result said nothing")?;
    ensure!(
        opened.ends_with("encabezado de nivel 1")
            && first.starts_with(opened.trim_end_matches(", encabezado de nivel 1")),
        "Enter on the result {title:?}… opens its article, its heading said: {opened:?}"
    );
    Ok(())
}

/// What was said after line `before`, once a line matches `done` or 3 s have passed.
async fn hear_until(before: usize, done: impl Fn(&str) -> bool) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let heard: Vec<String> = said().into_iter().skip(before).collect();
        if heard.iter().any(|l| done(l)) || Instant::now() > deadline {
            return heard;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// What a patient without headphones hears once instead of the keyboard's keys.
const TYPE_PRIVATELY: &str = "Plug in headphones to type privately; or ask at the front desk.";

/// A line that names a key of the on-screen keyboard: "letter a", "letter capital A", "7", "@".
fn names_a_key(line: &str) -> bool {
    line.starts_with("letter ") || line.chars().count() == 1
}

/// Without headphones (the null sink is no headphone port), the on-screen keyboard's keys
/// are never named through the speaker: opening it says once how to type privately, the
/// cursor's moves are silent, a key typed is said as "typed", the field as "filled in", and
/// no line of the whole visit names a key or says what was typed.
pub async fn keys_only_without_headphones_names_no_key(s: &Session) -> Result<()> {
    ensure_sink()?;
    let before = said().len();
    let mut ear = Ear { s, presses: 0 };
    ear.press(HELP).await?.context("Help said nothing")?;
    ear.seek(DOWN, 80, "the call-back button", |l| {
        l.starts_with("Ask for a call back") && l.ends_with("link")
    })
    .await?;
    ear.press(ENTER).await?;
    ear.seek(DOWN, 40, "the name field", |l| {
        l.starts_with("Your name, text field")
    })
    .await?;
    let open = ear
        .press(ENTER)
        .await?
        .context("Enter on a field said nothing")?;
    ensure!(
        open.starts_with("Keyboard open") && open.ends_with(TYPE_PRIVATELY),
        "opening the keyboard without headphones says how to type privately: {open:?}"
    );
    for _ in 0..4 {
        let line = ear.press(DOWN).await?;
        ensure!(
            line.is_none(),
            "the cursor's move was said through the speaker: {line:?}"
        );
    }
    let typed = ear.press(ENTER).await?;
    ensure!(
        typed.as_deref() == Some("typed"),
        "a key typed through the speaker is said as \"typed\", got {typed:?}"
    );
    let closed = ear.press(ESCAPE).await?;
    ensure!(
        closed.as_deref() == Some("Keyboard closed"),
        "Escape closes the keyboard: {closed:?}"
    );
    ear.press(DOWN).await?;
    let back_on_name = ear
        .seek(UP, 10, "the name field again", |l| {
            l.starts_with("Your name, text field")
        })
        .await?;
    ensure!(
        back_on_name.contains("filled in"),
        "a filled-in field through a speaker: {back_on_name:?}"
    );
    let heard = &said()[before..];
    let leaked: Vec<&String> = heard.iter().filter(|l| names_a_key(l)).collect();
    ensure!(
        leaked.is_empty(),
        "a key's name was said through the speaker: {leaked:?}"
    );
    ensure!(
        heard.iter().filter(|l| l.contains(TYPE_PRIVATELY)).count() == 1,
        "the way to type privately is said once: {heard:?}"
    );

    // A search's results through the speaker: how many, never what was searched for.
    let before = said().len();
    s.wait_js(
        "location.hash = '#/search?q=herniated'; return true",
        "a search for a word",
    )
    .await?;
    let heard = hear_until(before, |l| {
        l.ends_with("articles found.") || l.ends_with("article found.")
    })
    .await;
    ensure!(
        heard.last().is_some_and(|l| l.ends_with("found.")),
        "the results' count is said through the speaker: {heard:?}"
    );
    ensure!(
        !heard.iter().any(|l| l.to_lowercase().contains("herniated")),
        "what was searched for was said through the speaker: {heard:?}"
    );
    Ok(())
}
