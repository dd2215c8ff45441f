//! End-to-end journeys in the real kiosk window (WebKitGTK through tauri-driver and
//! WebKitWebDriver, under Xvfb). Each journey starts the app afresh, acts as a patient
//! would, checks what is on screen, runs axe-core on every screen it visits and writes
//! screenshots under target/screenshots/.
//!
//! Run through `scripts/test` (it installs the drivers and starts Xvfb), or by hand:
//! `DISPLAY=:99 cargo test --test e2e [-- name-filter]`.

mod clock;
mod delivery;
mod display;
mod driver;
mod fhir;
mod kiosk;
mod lan;
mod speech;
mod staff;

use std::process::ExitCode;

use anyhow::{ensure, Context, Result};
use driver::{Driver, Session};

const ENTER: &str = "\u{E007}";

async fn home_shows_every_topic(s: &Session) -> Result<()> {
    let tiles = s.attrs("[data-test=topic-tile]", "data-slug").await?;
    ensure!(
        tiles.len() >= 6 && tiles.contains(&"spine-care".to_string()),
        "home should show the six topics as tiles, got {tiles:?}"
    );
    let lang = s
        .wait_js("return document.documentElement.lang", "html lang")
        .await?;
    ensure!(lang == "en", "the kiosk starts in English, got lang={lang}");
    // The page is the bundle src-tauri/build.rs made (tools/bundle, issue #16), not ui/'s
    // twenty modules: a build that fell back to them would start slower without a word.
    let preloads = s
        .wait_js(
            "return [...document.querySelectorAll('link[rel=modulepreload]')].map((l) => l.getAttribute('href')).join(' ')",
            "the modules the page preloads",
        )
        .await?;
    let preloads = preloads.as_str().unwrap_or_default();
    ensure!(
        preloads
            .split(' ')
            .all(|href| href.starts_with("js/chunk-")),
        "the page should preload the bundle's chunks, got {preloads:?}"
    );
    s.assert_accessible("home").await?;
    s.screenshot("home").await?;
    Ok(())
}

async fn open_a_topic_then_an_article(s: &Session) -> Result<()> {
    s.click("[data-test=topic-tile][data-slug=spine-care]")
        .await?;
    s.wait_screen("topic").await?;
    let articles = s.attrs("[data-test=article-link]", "data-slug").await?;
    ensure!(
        articles.contains(&"herniated-disc".to_string()),
        "the spine topic should list the herniated disc article, got {articles:?}"
    );
    s.assert_accessible("topic").await?;
    s.screenshot("topic").await?;

    s.click("[data-test=article-link][data-slug=herniated-disc]")
        .await?;
    s.wait_screen("article").await?;
    let title = s.text("#article-title").await?;
    ensure!(title == "Herniated disc", "article title was {title:?}");
    let body = s.text("[data-test=article-body]").await?;
    ensure!(
        body.split_whitespace().count() > 300,
        "the article body should be on screen"
    );
    ensure!(
        s.count("[data-test=qr] svg").await? == 1,
        "a QR code to read at home"
    );
    let emergency = s.text("[data-test=emergency-notice]").await?;
    ensure!(
        emergency.contains("911"),
        "emergency notice should say 911: {emergency:?}"
    );
    ensure!(
        !s.text("[data-test=disclaimer]").await?.is_empty(),
        "disclaimer shown"
    );
    ensure!(
        s.count("[data-test=related] a").await? >= 2,
        "related articles listed"
    );
    s.assert_accessible("article").await?;
    s.screenshot("article").await?;

    // Back returns to the topic, Home to the start.
    s.click("[data-test=back]").await?;
    s.wait_screen("topic").await?;
    s.click("[data-test=home]").await?;
    s.wait_screen("home").await?;
    Ok(())
}

async fn search_in_everyday_words(s: &Session) -> Result<()> {
    let input = s.css("#search-input").await?;
    input.send_keys("slipped disc").await?;
    input.send_keys(ENTER).await?;
    s.wait_screen("search").await?;
    s.wait_js(
        "return document.querySelectorAll('[data-test=search-result]').length",
        "search results",
    )
    .await?;
    let results = s.attrs("[data-test=search-result]", "data-slug").await?;
    ensure!(
        results.iter().take(3).any(|r| r == "herniated-disc"),
        "\"slipped disc\" should find the herniated disc article in the top three, got {results:?}"
    );
    ensure!(
        s.count("[data-test=search-result] mark").await? > 0,
        "snippets mark the matched words"
    );
    s.assert_accessible("search").await?;
    s.screenshot("search").await?;
    Ok(())
}

async fn type_ahead_suggests_titles(s: &Session) -> Result<()> {
    let input = s.css("#search-input").await?;
    input.send_keys("herni").await?;
    s.wait_js(
        "return [...document.querySelectorAll('[data-test=suggestion]')].some(e => e.textContent.includes('Herniated disc'))",
        "a type-ahead suggestion for Herniated disc",
    )
    .await?;
    s.screenshot("type-ahead").await?;
    s.click("[data-test=suggestion]").await?;
    s.wait_screen("article").await?;
    Ok(())
}

async fn no_results_is_never_an_empty_screen(s: &Session) -> Result<()> {
    // A clear misspelling: the library's own word's results, and the screen says so.
    let input = s.css("#search-input").await?;
    input.send_keys("sclerotherpy").await?;
    input.send_keys(ENTER).await?;
    s.wait_screen("search").await?;
    s.wait_js(
        "return [...document.querySelectorAll('[data-test=search-result]')].some(e => e.dataset.slug === 'sclerotherapy')",
        "results for the corrected spelling",
    )
    .await?;
    // The status line is filled a moment after the results (so its live region announces
    // it), so it is waited for, not read once.
    let said = s
        .wait_js(
            "const said = document.querySelector('#search-status')?.textContent ?? ''; return said.includes('Showing results for sclerotherapy') && said",
            "the screen saying which spelling it searched for (\"Showing results for sclerotherapy\")",
        )
        .await;
    ensure!(
        said.is_ok(),
        "the screen says which spelling it searched for, got {:?}",
        s.text("#search-status").await.unwrap_or_default()
    );
    s.assert_accessible("search-corrected").await?;
    s.screenshot("search-corrected").await?;

    // Nothing the library knows: the topics, never an empty screen.
    let input = s.css("#search-input").await?;
    input.clear().await?;
    input.send_keys("zzqqxx wobble").await?;
    input.send_keys(ENTER).await?;
    s.wait_js(
        "return document.querySelectorAll('[data-test=topic-tile]').length >= 6",
        "topics offered when nothing matched",
    )
    .await?;
    s.assert_accessible("search-no-results").await?;
    s.screenshot("search-no-results").await?;

    // Operators and symbols are just characters to the patient: a calm answer, no error.
    let input = s.css("#search-input").await?;
    input.clear().await?;
    input.send_keys("\"disc AND (neck* ^ NEAR").await?;
    input.send_keys(ENTER).await?;
    s.wait_screen("search").await?;
    ensure!(
        s.screen().await? == "search",
        "hostile input stays on the search screen"
    );
    Ok(())
}

async fn switch_to_spanish(s: &Session) -> Result<()> {
    s.click("[data-test=lang-es]").await?;
    s.wait_js("return document.documentElement.lang === 'es'", "lang=es")
        .await?;
    s.wait_js(
        "return [...document.querySelectorAll('[data-test=topic-tile]')].some(e => e.textContent.includes('Cuidado de la columna'))",
        "topic names in Spanish",
    )
    .await?;
    s.assert_accessible("home-es").await?;
    s.screenshot("home-es").await?;

    let input = s.css("#search-input").await?;
    input.send_keys("disco salido").await?;
    input.send_keys(ENTER).await?;
    s.wait_js(
        "return document.querySelectorAll('[data-test=search-result]').length",
        "Spanish search results",
    )
    .await?;
    let results = s.attrs("[data-test=search-result]", "data-slug").await?;
    ensure!(
        results.first().map(String::as_str) == Some("hernia-de-disco"),
        "\"disco salido\" should find the Spanish herniated disc article first, got {results:?}"
    );
    s.click("[data-test=search-result][data-slug=hernia-de-disco]")
        .await?;
    s.wait_screen("article").await?;
    let emergency = s.text("[data-test=emergency-notice]").await?;
    ensure!(
        emergency.contains("911") && emergency.contains("llame"),
        "Spanish emergency notice: {emergency:?}"
    );
    s.assert_accessible("article-es").await?;
    s.screenshot("article-es").await?;

    // Back to English on the same article opens its English original.
    s.click("[data-test=lang-en]").await?;
    s.wait_js(
        "return document.getElementById('article-title')?.textContent === 'Herniated disc'",
        "the English version of the article",
    )
    .await?;
    Ok(())
}

async fn change_text_size(s: &Session) -> Result<()> {
    let size = "return parseFloat(getComputedStyle(document.querySelector('[data-test=topic-tile]')).fontSize)";
    let normal = s.wait_js(size, "font size").await?.as_f64().unwrap_or(0.0);
    s.click("[data-test=text-size-xlarge]").await?;
    let larger = s
        .wait_js(
            &format!("const v = (() => {{ {size} }})(); return v > {normal} ? v : 0"),
            "larger text",
        )
        .await?
        .as_f64()
        .unwrap_or(0.0);
    ensure!(
        larger >= normal * 1.2,
        "largest text size should be at least 20% larger: {normal} -> {larger}"
    );
    let pressed = s
        .css("[data-test=text-size-xlarge]")
        .await?
        .attr("aria-pressed")
        .await?;
    ensure!(
        pressed.as_deref() == Some("true"),
        "the chosen size is announced as pressed"
    );
    s.assert_accessible("home-xlarge").await?;
    s.screenshot("home-xlarge").await?;
    s.click("[data-test=topic-tile][data-slug=vein-care]")
        .await?;
    s.wait_screen("topic").await?;
    s.screenshot("topic-xlarge").await?;
    Ok(())
}

async fn search_with_the_on_screen_keyboard(s: &Session) -> Result<()> {
    s.click("#search-input").await?;
    s.wait_js(
        "const k = document.querySelector('[data-test=keyboard]'); return !!k && k.getBoundingClientRect().height > 0 && getComputedStyle(k).visibility === 'visible'",
        "the on-screen keyboard after a tap in the search field",
    )
    .await?;
    // Measured once its slide-in has finished.
    s.wait_js(
        "return document.getAnimations().length === 0",
        "the keyboard to settle",
    )
    .await?;
    let edges = s
        .wait_js(
            "const i = document.getElementById('search-input').getBoundingClientRect(); const k = document.querySelector('[data-test=keyboard]').getBoundingClientRect(); return [i.bottom, k.top]",
            "the field and keyboard edges",
        )
        .await?;
    let (field_bottom, keyboard_top) = (
        edges[0].as_f64().unwrap_or(f64::MAX),
        edges[1].as_f64().unwrap_or(0.0),
    );
    ensure!(
        field_bottom <= keyboard_top,
        "the keyboard must not cover the field: field bottom {field_bottom}, keyboard top {keyboard_top}"
    );
    let expanded = s
        .css("[data-test=keyboard-toggle]")
        .await?
        .attr("aria-expanded")
        .await?;
    ensure!(
        expanded.as_deref() == Some("true"),
        "the keyboard toggle says it is expanded"
    );

    for key in [
        "s", "l", "i", "p", "p", "e", "d", "space", "d", "i", "s", "c",
    ] {
        s.click(&format!("[data-test=key][data-key='{key}']"))
            .await?;
    }
    let typed = s
        .wait_js(
            "return document.getElementById('search-input').value",
            "the typed words",
        )
        .await?;
    ensure!(
        typed == "slipped disc",
        "the keys should type \"slipped disc\", got {typed}"
    );
    let focused = s
        .wait_js(
            "return document.activeElement?.id ?? 'none'",
            "the focused element",
        )
        .await?;
    ensure!(
        focused == "search-input",
        "focus stays in the field while typing on the keys, was on {focused}"
    );
    s.assert_accessible("keyboard").await?;
    s.screenshot("keyboard").await?;

    s.click("[data-test=key][data-key=enter]").await?;
    s.wait_screen("search").await?;
    s.wait_js(
        "return document.querySelectorAll('[data-test=search-result]').length",
        "search results",
    )
    .await?;
    let results = s.attrs("[data-test=search-result]", "data-slug").await?;
    ensure!(
        results.iter().take(3).any(|r| r == "herniated-disc"),
        "\"slipped disc\" typed on the keys should find the herniated disc article in the top three, got {results:?}"
    );
    ensure!(
        s.count("[data-test=keyboard]").await? == 0,
        "the keyboard goes away once the search is made"
    );
    Ok(())
}

// ---------- callbacks (issue #3) ----------
//
// Only obviously fictional people are typed: "Test Patient" and numbers in the 555-01xx range
// that North America keeps for fiction. Screenshots are committed, so none is taken while
// anything that looks like a real person's details is on screen.

const PATIENT: &str = "Test Patient";
/// Every way the fictional number 201-555-0123 could show up.
const PHONE_TRACES: &[&str] = &[
    "2015550123",
    "201-555-0123",
    "(201) 555-0123",
    "201 555 0123",
    "555-0123",
    "555 0123",
    "5550123",
];

/// Fails if `name` or the phone number is anywhere in the page (markup, text, field values).
async fn assert_no_personal_data(
    s: &Session,
    name: &str,
    phones: &[&str],
    where_: &str,
) -> Result<()> {
    let mut needles = vec![name];
    needles.extend_from_slice(phones);
    let found = s.traces(&needles).await?;
    ensure!(
        found.is_empty(),
        "{where_}: personal data left in the page: {found:?}"
    );
    Ok(())
}

async fn open_herniated_disc(s: &Session) -> Result<()> {
    s.click("[data-test=topic-tile][data-slug=spine-care]")
        .await?;
    s.wait_screen("topic").await?;
    s.click("[data-test=article-link][data-slug=herniated-disc]")
        .await?;
    s.wait_screen("article").await?;
    Ok(())
}

async fn field_error(s: &Session, field: &str) -> Result<String> {
    let script = format!(
        "const e = document.querySelector('[data-test=field-error][data-field={field}]'); return e && !e.hidden ? e.textContent.trim() : ''"
    );
    let text = s
        .wait_js(&script, &format!("an error message for the {field} field"))
        .await?;
    Ok(text.as_str().unwrap_or_default().to_string())
}

async fn patient_requests_a_callback_offline(s: &Session) -> Result<()> {
    open_herniated_disc(s).await?;
    s.click("[data-test=callback-cta]").await?;
    s.wait_screen("callback").await?;
    let called_by = s.text("[data-test=called-by]").await?;
    ensure!(
        called_by.contains("Spine specialist"),
        "the form says who will call: {called_by:?}"
    );
    ensure!(
        s.count("input[name=specialty]").await? == 0,
        "from an article the specialty is already chosen"
    );
    let language = s
        .wait_js(
            "return document.querySelector('input[name=cbLanguage]:checked')?.value",
            "a chosen call language",
        )
        .await?;
    ensure!(
        language == "en",
        "the call language starts as the screen's: {language}"
    );
    s.assert_accessible("callback").await?;
    s.screenshot("callback-form").await?;

    // Name on the letter keys; Next brings the phone pad, which does not cover its field either.
    s.click("#cb-name").await?;
    s.assert_keyboard_clear_of("#cb-name").await?;
    ensure!(
        s.css("[data-test=keyboard]")
            .await?
            .attr("data-layout")
            .await?
            .as_deref()
            == Some("text"),
        "letters for the name"
    );
    s.tap_keys(PATIENT).await?;
    s.click("[data-test=key][data-key=enter]").await?;
    s.wait_js(
        "return document.querySelector('[data-test=keyboard]')?.dataset.layout === 'phone' && document.activeElement?.id === 'cb-phone'",
        "the phone pad on the phone field",
    )
    .await?;
    s.assert_keyboard_clear_of("#cb-phone").await?;
    s.assert_accessible("callback-keyboard").await?;
    s.tap_keys("201 555 0123").await?;
    s.click("[data-test=key][data-key=enter]").await?;
    s.wait_js(
        "return !document.querySelector('[data-test=keyboard]')",
        "the keys to go once the phone is typed",
    )
    .await?;

    s.click("input[name=bestTime][value=afternoon]").await?;

    s.click("#cb-note").await?;
    s.assert_keyboard_clear_of("#cb-note").await?;
    s.tap_keys("Mornings are best").await?;
    let counter = s.text("#cb-note-counter").await?;
    ensure!(
        counter.contains("263"),
        "the counter shows what is left of 280: {counter:?}"
    );
    s.click("[data-test=key][data-key=close]").await?;

    let typed = s
        .wait_js(
            "return [document.getElementById('cb-name').value, document.getElementById('cb-phone').value, document.getElementById('cb-note').value].join('|')",
            "the typed values",
        )
        .await?;
    ensure!(
        typed == "Test Patient|201 555 0123|Mornings are best",
        "the keys typed {typed}"
    );

    s.click("label[for=cb-consent]").await?;
    s.click("[data-test=cb-send]").await?;
    s.wait_screen("thanks").await?;
    let thanks = s.text("[data-test=cb-thanks]").await?;
    ensure!(
        thanks.contains("we will call you"),
        "a calm thank-you: {thanks:?}"
    );
    ensure!(
        !thanks.contains("Test") && !PHONE_TRACES.iter().any(|p| thanks.contains(p)),
        "the thank-you shows no personal data: {thanks:?}"
    );
    assert_no_personal_data(s, PATIENT, PHONE_TRACES, "the thank-you screen").await?;
    s.assert_accessible("thanks").await?;
    s.screenshot("callback-thanks").await?;

    // Home again by itself after the countdown; nothing of the form is left anywhere.
    s.wait_screen("home").await?;
    assert_no_personal_data(s, PATIENT, PHONE_TRACES, "home after the request").await?;
    ensure!(
        s.count("[data-test=keyboard]").await? == 0,
        "no keyboard left open"
    );
    Ok(())
}

async fn bad_input_gets_clear_messages(s: &Session) -> Result<()> {
    s.click("[data-test=lang-es]").await?;
    s.wait_js("return document.documentElement.lang === 'es'", "lang=es")
        .await?;
    s.click("[data-test=callback-home]").await?;
    s.wait_screen("callback").await?;
    ensure!(
        s.count("input[name=specialty]").await? >= 4,
        "from home the patient picks who should call"
    );
    s.assert_accessible("callback-es").await?;

    // Letters in the phone, no name: caught at once, in Spanish, next to each field.
    s.css("#cb-phone").await?.send_keys("201 555 ABCD").await?;
    s.click("[data-test=cb-send]").await?;
    let name_error = field_error(s, "name").await?;
    let phone_error = field_error(s, "phone").await?;
    ensure!(
        name_error.contains("Escriba su nombre"),
        "the name error is in Spanish: {name_error:?}"
    );
    ensure!(
        phone_error.contains("letras") && phone_error.contains("teléfono"),
        "the phone error names the letters, in Spanish: {phone_error:?}"
    );
    for (id, field) in [("cb-name", "name"), ("cb-phone", "phone")] {
        let invalid = s
            .wait_js(
                &format!(
                    "const i = document.getElementById('{id}'); return i.getAttribute('aria-invalid') === 'true' && (i.getAttribute('aria-describedby') || '').split(' ').includes('cb-{field}-error')"
                ),
                &format!("{id} marked invalid and described by its error"),
            )
            .await?;
        ensure!(invalid == true, "{id} is marked invalid");
    }
    let focused = s
        .wait_js("return document.activeElement?.id", "the focused element")
        .await?;
    ensure!(
        focused == "cb-error-summary",
        "focus moves to the error summary, was on {focused}"
    );
    let summary = s.text("[data-test=error-summary]").await?;
    ensure!(
        summary.contains("Revise") && summary.contains("Escriba su nombre"),
        "the summary lists the problems in Spanish: {summary:?}"
    );
    s.assert_accessible("callback-errors-es").await?;
    s.screenshot("callback-errors-es").await?;
    s.click("[data-test=summary-link][data-field=name]").await?;
    s.wait_js(
        "return document.activeElement?.id === 'cb-name'",
        "the summary link to focus the name field",
    )
    .await?;

    // What only Rust knows: 555 is no area code (the page checks only the number's shape).
    // Its message, in Spanish, next to the phone.
    let name = s.css("#cb-name").await?;
    name.send_keys(PATIENT).await?;
    let phone = s.css("#cb-phone").await?;
    phone.clear().await?;
    phone.send_keys("555 555 0123").await?;
    s.click("input[name=specialty][value=spine]").await?;
    s.click("input[name=bestTime][value=morning]").await?;
    s.click("label[for=cb-consent]").await?;
    s.click("[data-test=cb-send]").await?;
    s.wait_js(
        "const e = document.querySelector('[data-test=field-error][data-field=phone]'); return !!e && !e.hidden && e.textContent.includes('Revise el número')",
        "Rust's Spanish message for an impossible number",
    )
    .await?;
    ensure!(
        s.count("[data-test=field-error][data-field=name]:not([hidden])")
            .await?
            == 0,
        "the name error is gone once the name is typed"
    );
    ensure!(
        s.screen().await? == "callback",
        "the form stays, filled in, to fix the number"
    );
    let kept = s
        .wait_js(
            "return document.getElementById('cb-name').value",
            "the name kept",
        )
        .await?;
    ensure!(kept == PATIENT, "the form keeps what was typed");

    // Another language redraws the same form, with what was typed still in it.
    s.click("[data-test=lang-en]").await?;
    s.wait_js(
        "return document.documentElement.lang === 'en' && document.querySelector('#page-title')?.textContent === 'Ask for a call back'",
        "the form in English",
    )
    .await?;
    let carried = s
        .wait_js(
            "return [document.getElementById('cb-name').value, document.getElementById('cb-phone').value, document.querySelector('input[name=bestTime]:checked')?.value, document.getElementById('cb-consent').checked].join('|')",
            "the values after the change of language",
        )
        .await?;
    ensure!(
        carried == "Test Patient|555 555 0123|morning|true",
        "a change of language keeps the form: {carried}"
    );

    // Leaving the form drops what was typed.
    s.click("[data-test=home]").await?;
    s.wait_screen("home").await?;
    assert_no_personal_data(
        s,
        PATIENT,
        &["555 555 0123", "5555550123"],
        "home after leaving the form",
    )
    .await?;
    Ok(())
}

/// The admin account every staff journey signs in with, made on the command line before the
/// first of them (the screen never makes accounts).
const STAFF_NAME: &str = "Test Staff";
/// Six digits that pass the PIN rules: no digit repeated throughout, no run, no pattern.
const STAFF_PIN: &str = "258013";
/// A second fictional number, so this journey's request is its own and not a duplicate.
const PHONE_TWO: &[&str] = &["2015550142", "(201) 555-0142", "201-555-0142", "555-0142"];
const PATIENT_TWO: &str = "Test Patient Two";

async fn tap_pin(s: &Session, pin: &str) -> Result<()> {
    for digit in pin.chars() {
        s.click(&format!("[data-test=pin-key][data-key='{digit}']"))
            .await?;
    }
    s.click("[data-test=pin-key][data-key=ok]").await
}

/// From home: a patient asks `specialty` for a call, typing on a physical keyboard, up to the
/// thank-you screen.
async fn ask_for_a_call(s: &Session, name: &str, phone: &str, specialty: &str) -> Result<()> {
    s.click("[data-test=callback-home]").await?;
    s.wait_screen("callback").await?;
    s.css("#cb-name").await?.send_keys(name).await?;
    s.css("#cb-phone").await?.send_keys(phone).await?;
    s.click(&format!("input[name=specialty][value={specialty}]"))
        .await?;
    s.click("input[name=bestTime][value=any]").await?;
    s.click("label[for=cb-consent]").await?;
    s.click("[data-test=cb-send]").await?;
    s.wait_screen("thanks").await
}

async fn staff_unlock_find_and_mark_contacted(s: &Session) -> Result<()> {
    // The staff account was made on the command line before the app started.
    // A patient asks for a call.
    ask_for_a_call(s, PATIENT_TWO, "201-555-0142", "vein").await?;
    s.click("[data-test=thanks-done]").await?;
    s.wait_screen("home").await?;

    // The same number again while the first request waits: one request, and the very
    // thank-you a new request gets, so the screen does not tell whether that number asked
    // before (issue #11).
    s.click("[data-test=callback-home]").await?;
    s.wait_screen("callback").await?;
    s.css("#cb-name").await?.send_keys(PATIENT_TWO).await?;
    s.css("#cb-phone")
        .await?
        .send_keys("(201) 555-0142")
        .await?;
    s.click("input[name=specialty][value=vein]").await?;
    s.click("input[name=bestTime][value=any]").await?;
    s.click("label[for=cb-consent]").await?;
    s.click("[data-test=cb-send]").await?;
    s.wait_screen("thanks").await?;
    let again = s.text("[data-test=cb-thanks]").await?;
    ensure!(
        again.contains("Thank you") && !again.contains("already"),
        "a second request for the same number gets the same thank-you: {again:?}"
    );
    assert_no_personal_data(s, PATIENT_TWO, PHONE_TWO, "the duplicate screen").await?;
    s.click("[data-test=thanks-done]").await?;
    s.wait_screen("home").await?;

    // Staff unlock: a wrong PIN first, then the right one on the pad.
    s.click("[data-test=staff-open]").await?;
    s.wait_screen("staff-pin").await?;
    s.click(&format!("[data-test=staff-name][data-name='{STAFF_NAME}']"))
        .await?;
    s.assert_accessible("staff-pin").await?;
    s.screenshot("staff-pin").await?;
    tap_pin(s, "139742").await?;
    s.wait_js(
        "return document.querySelector('[data-test=pin-message]')?.textContent.includes('Wrong PIN')",
        "Wrong PIN",
    )
    .await?;
    tap_pin(s, STAFF_PIN).await?;
    s.wait_screen("inbox").await?;

    // Find the request, oldest waiting first, and mark it contacted.
    let id = s
        .wait_js(
            &format!(
                "const item = [...document.querySelectorAll('[data-test=inbox-item]')].find(e => e.textContent.includes('{PATIENT_TWO}')); return item ? item.dataset.id : ''"
            ),
            "the new request in the inbox",
        )
        .await?;
    let id = id.as_str().unwrap_or_default().to_string();
    let copies = s
        .wait_js(
            &format!("return [...document.querySelectorAll('[data-test=inbox-item]')].filter(e => e.textContent.includes('{PATIENT_TWO}')).length"),
            "the request's cards",
        )
        .await?;
    ensure!(copies == 1, "one card for one person, got {copies}");
    let item = format!("[data-test=inbox-item][data-id='{id}']");
    let card = s.text(&item).await?;
    ensure!(
        card.contains("(201) 555-0142")
            && card.contains("Vein specialist")
            && card.contains("Any time"),
        "the card shows the phone, specialist and time: {card:?}"
    );
    ensure!(
        s.css(&item).await?.attr("data-status").await?.as_deref() == Some("new"),
        "a new request"
    );
    s.assert_accessible("inbox").await?;
    s.screenshot("inbox").await?;

    s.click(&format!("{item} [data-test=mark-contacted]"))
        .await?;
    s.wait_js(
        &format!("return document.querySelector(\"{item}\")?.dataset.status === 'contacted'"),
        "the request marked contacted",
    )
    .await?;
    // Contacted requests go after everyone still waiting for a first call.
    let order_ok = s
        .wait_js(
            "const s = [...document.querySelectorAll('[data-test=inbox-item]')].map(e => e.dataset.status); const i = s.indexOf('contacted'); return i >= 0 && !s.slice(i).some(x => x === 'new' || x === 'noAnswer')",
            "contacted requests after waiting ones",
        )
        .await?;
    ensure!(order_ok == true, "order after marking contacted");
    s.click("[data-test=inbox-filter][data-filter=new]").await?;
    s.wait_js(
        &format!("return document.querySelector('[data-test=inbox-filter][data-filter=new]').getAttribute('aria-pressed') === 'true' && !document.querySelector(\"{item}\")"),
        "the request gone from New",
    )
    .await?;
    s.click("[data-test=inbox-filter][data-filter=contacted]")
        .await?;
    s.css(&item).await?;

    // A staff note, on the keys.
    s.click(&format!("{item} [data-test=add-note]")).await?;
    s.tap_keys("Left a message").await?;
    s.click("[data-test=key][data-key=enter]").await?;
    s.wait_js(
        &format!(
            "return document.querySelector(\"{item}\")?.textContent.includes('Left a message')"
        ),
        "the staff note on the card",
    )
    .await?;

    // Export, to the folder IT set up (never the data folder), and the audit log.
    s.click("[data-test=export-csv]").await?;
    s.wait_js(
        "return !!document.querySelector('[data-test=export-folder][data-kind=configured]')",
        "the export folder choice",
    )
    .await?;
    s.assert_accessible("inbox-export-choose").await?;
    s.click("[data-test=export-folder][data-kind=configured]")
        .await?;
    let exported = s
        .wait_js(
            "const e = document.querySelector('[data-test=export-result]'); return e && !e.hidden && e.textContent.includes('.csv') ? e.textContent : ''",
            "the export's result",
        )
        .await?;
    ensure!(
        exported
            .as_str()
            .is_some_and(|t| t.contains(".csv") && t.contains("Exported")),
        "the export says where and how many: {exported}"
    );
    {
        use std::os::unix::fs::PermissionsExt;
        let text = exported.as_str().unwrap_or_default();
        let path = text
            .split_whitespace()
            .find(|w| w.ends_with(".csv"))
            .map(std::path::PathBuf::from)
            .context("a path in the export's result")?;
        let mode = std::fs::metadata(&path)?.permissions().mode() & 0o777;
        ensure!(
            mode == 0o600,
            "the export is private to the kiosk user: {mode:o}"
        );
        ensure!(path.file_name().is_some(), "a file name");
    }
    s.click("[data-test=audit-tab]").await?;
    s.wait_js(
        "return [...document.querySelectorAll('[data-test=audit-row]')].some(r => r.dataset.action === 'status')",
        "the status change in the audit log",
    )
    .await?;
    s.assert_accessible("inbox-audit").await?;

    // Lock: the PIN screen again, and no patient detail left anywhere.
    s.click("[data-test=staff-lock]").await?;
    s.wait_screen("staff-pin").await?;
    assert_no_personal_data(s, PATIENT_TWO, PHONE_TWO, "the PIN screen after Lock").await?;
    s.click("[data-test=home]").await?;
    s.wait_screen("home").await?;
    assert_no_personal_data(s, PATIENT_TWO, PHONE_TWO, "home after the staff view").await?;
    Ok(())
}

/// Files of the data folder, other than kiosk.db and its WAL, that hold any of `needles`.
fn files_with(dir: &std::path::Path, needles: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            if path.is_dir() {
                stack.push(path);
            } else if !name.starts_with("kiosk.db") && !name.starts_with("callbacks-") {
                let bytes = std::fs::read(&path).unwrap_or_default();
                let text = String::from_utf8_lossy(&bytes);
                for n in needles {
                    if text.contains(n) {
                        found.push(format!("{} holds {n:?}", path.display()));
                    }
                }
            }
        }
    }
    found
}

/// After the journeys: what the patient typed into the form has left no trace in the logs
/// or library.db (kiosk.db holds the request on purpose; CSV exports are staff files).
fn no_patient_data_outside_kiosk_db(data_dir: &std::path::Path) -> Result<()> {
    let logs = data_dir.join("logs");
    ensure!(
        std::fs::read_dir(&logs).map(|d| d.count()).unwrap_or(0) > 0,
        "the app should have written a log file in {}",
        logs.display()
    );
    let mut needles = vec![PATIENT];
    needles.extend_from_slice(PHONE_TRACES);
    let found = files_with(data_dir, &needles);
    ensure!(
        found.is_empty(),
        "personal data outside kiosk.db: {found:#?}"
    );
    Ok(())
}

const JOURNEYS: &[&str] = &[
    // First: the data folder has no staff account yet. The run adds one after it.
    "a_fresh_kiosk_offers_no_staff_setup",
    "home_shows_every_topic",
    "open_a_topic_then_an_article",
    "search_in_everyday_words",
    "type_ahead_suggests_titles",
    "no_results_is_never_an_empty_screen",
    "switch_to_spanish",
    "change_text_size",
    "search_with_the_on_screen_keyboard",
    "patient_requests_a_callback_offline",
    "bad_input_gets_clear_messages",
    "staff_unlock_find_and_mark_contacted",
    "refused_navigation_stays_in_the_app",
    "a_javascript_error_shows_the_recovery_screen",
    "a_broken_config_shows_a_calm_screen",
    "staff_health_and_leaving_kiosk_mode",
    "front_desk_opens_on_the_staff_view",
    "idle_warns_then_forgets_everything",
    "a_page_reloaded_by_the_idle_reset_opens_on_the_attract_screen",
    "a_resume_or_a_clock_step_clears_the_screen",
    "staff_see_where_each_request_is_delivered",
    // Issue #15: to a real FHIR server.
    "a_callback_request_lands_in_the_fhir_server",
    "a_kiosk_pairs_with_the_front_desk_and_sends_to_it",
    "the_front_desk_pairs_and_unpairs_a_kiosk",
    "the_front_desk_watches_its_kiosks_and_sends_an_update",
    "a_front_desk_account_sees_no_admin_controls",
    "an_admin_manages_staff_accounts",
    // Issue #13: text size and contrast; after the journeys that count callback requests.
    "display_every_screen_at_1920x1080",
    "display_every_screen_at_1280x800",
    "display_idle_warning_and_attract",
    "display_error_screens",
    "display_staff_screens",
    // Issue #13: reading aloud and keys only, heard through a PulseAudio null sink.
    "listen_reads_an_article_and_stop_silences_it",
    "listen_in_spanish_lasts_as_long_as_the_text",
    "the_idle_warning_stops_speech",
    "keys_only_callback_request_by_ear",
    "keys_only_find_an_article_and_hear_it",
    "keys_only_without_headphones_names_no_key",
    "the_help_button_says_how_the_kiosk_works",
    // Late: it changes the shared data folder's articles for the journeys after it.
    "staff_install_an_article_update",
    "a_second_start_only_raises_the_running_kiosk",
    // Last: it ends its session by killing the app.
    "a_killed_web_process_is_reloaded",
];

async fn run(name: &str, s: &Session, driver: &Driver) -> Result<()> {
    let data_dir = driver.data_dir();
    match name {
        "refused_navigation_stays_in_the_app" => {
            kiosk::refused_navigation_stays_in_the_app(s).await
        }
        "a_javascript_error_shows_the_recovery_screen" => {
            kiosk::a_javascript_error_shows_the_recovery_screen(s, data_dir).await
        }
        "a_broken_config_shows_a_calm_screen" => {
            kiosk::a_broken_config_shows_a_calm_screen(s).await
        }
        "staff_health_and_leaving_kiosk_mode" => {
            kiosk::staff_health_and_leaving_kiosk_mode(s).await
        }
        "front_desk_opens_on_the_staff_view" => kiosk::front_desk_opens_on_the_staff_view(s).await,
        "staff_install_an_article_update" => kiosk::staff_install_an_article_update(s).await,
        "a_kiosk_pairs_with_the_front_desk_and_sends_to_it" => {
            lan::a_kiosk_pairs_with_the_front_desk_and_sends_to_it(s).await
        }
        "idle_warns_then_forgets_everything" => kiosk::idle_warns_then_forgets_everything(s).await,
        "a_page_reloaded_by_the_idle_reset_opens_on_the_attract_screen" => {
            kiosk::a_page_reloaded_by_the_idle_reset_opens_on_the_attract_screen(s).await
        }
        "a_resume_or_a_clock_step_clears_the_screen" => {
            clock::a_resume_or_a_clock_step_clears_the_screen(s).await
        }
        "a_second_start_only_raises_the_running_kiosk" => {
            kiosk::a_second_start_only_raises_the_running_kiosk(s, driver).await
        }
        "home_shows_every_topic" => home_shows_every_topic(s).await,
        "open_a_topic_then_an_article" => open_a_topic_then_an_article(s).await,
        "search_in_everyday_words" => search_in_everyday_words(s).await,
        "type_ahead_suggests_titles" => type_ahead_suggests_titles(s).await,
        "no_results_is_never_an_empty_screen" => no_results_is_never_an_empty_screen(s).await,
        "switch_to_spanish" => switch_to_spanish(s).await,
        "change_text_size" => change_text_size(s).await,
        "search_with_the_on_screen_keyboard" => search_with_the_on_screen_keyboard(s).await,
        "patient_requests_a_callback_offline" => patient_requests_a_callback_offline(s).await,
        "bad_input_gets_clear_messages" => bad_input_gets_clear_messages(s).await,
        "staff_unlock_find_and_mark_contacted" => staff_unlock_find_and_mark_contacted(s).await,
        "a_fresh_kiosk_offers_no_staff_setup" => {
            staff::a_fresh_kiosk_offers_no_staff_setup(s).await
        }
        "a_front_desk_account_sees_no_admin_controls" => {
            staff::a_front_desk_account_sees_no_admin_controls(s).await
        }
        "an_admin_manages_staff_accounts" => staff::an_admin_manages_staff_accounts(s).await,
        "display_every_screen_at_1920x1080" => display::display_every_screen_at_1920x1080(s).await,
        "display_every_screen_at_1280x800" => display::display_every_screen_at_1280x800(s).await,
        "display_idle_warning_and_attract" => display::display_idle_warning_and_attract(s).await,
        "display_error_screens" => display::display_error_screens(s).await,
        "display_staff_screens" => display::display_staff_screens(s).await,
        "listen_reads_an_article_and_stop_silences_it" => {
            speech::listen_reads_an_article_and_stop_silences_it(s).await
        }
        "listen_in_spanish_lasts_as_long_as_the_text" => {
            speech::listen_in_spanish_lasts_as_long_as_the_text(s).await
        }
        "the_idle_warning_stops_speech" => speech::the_idle_warning_stops_speech(s).await,
        "keys_only_callback_request_by_ear" => speech::keys_only_callback_request_by_ear(s).await,
        "keys_only_find_an_article_and_hear_it" => {
            speech::keys_only_find_an_article_and_hear_it(s).await
        }
        "keys_only_without_headphones_names_no_key" => {
            speech::keys_only_without_headphones_names_no_key(s).await
        }
        "the_help_button_says_how_the_kiosk_works" => {
            speech::the_help_button_says_how_the_kiosk_works(s).await
        }
        other => anyhow::bail!("unknown journey {other}"),
    }
}

/// After every journey: everything the app wrote in its data folder (kiosk.db and its WAL
/// and SHM, library.db, logs, installed packs, exports) is its user's alone (issue #11):
/// folders 0700, files with no group or other bits. Returns how many files were checked.
fn files_the_app_wrote_are_private(data_dir: &std::path::Path) -> Result<usize> {
    use std::os::unix::fs::PermissionsExt;
    let mut files = 0;
    let mut loose = Vec::new();
    let mut stack = vec![data_dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            let meta = std::fs::symlink_metadata(&path)?;
            let mode = meta.permissions().mode() & 0o777;
            if meta.is_dir() {
                if mode != 0o700 {
                    loose.push(format!("{} is {mode:o}", path.display()));
                }
                stack.push(path);
            } else {
                files += 1;
                if mode & 0o077 != 0 {
                    loose.push(format!("{} is {mode:o}", path.display()));
                }
            }
        }
    }
    ensure!(
        files >= 3,
        "the run left kiosk.db, library.db and logs: {files} files"
    );
    ensure!(
        loose.is_empty(),
        "readable by others:\n{}",
        loose.join("\n")
    );
    Ok(files)
}

/// The app's log says WebKit's developer extras (the inspector) were off in this debug
/// build, where Tauri turns them on by default (issue #10).
fn developer_extras_were_off(data_dir: &std::path::Path) -> Result<()> {
    let mut logs = String::new();
    for entry in std::fs::read_dir(data_dir.join("logs"))? {
        logs.push_str(&std::fs::read_to_string(entry?.path()).unwrap_or_default());
    }
    ensure!(
        logs.contains("developer extras off") && !logs.contains("developer extras ON"),
        "every start logs developer extras off"
    );
    Ok(())
}

fn main() -> ExitCode {
    // As libtest: each plain argument selects the journeys whose names contain it, and
    // `--skip TEXT` leaves out those that contain TEXT (scripts/test runs two shards at once).
    let (mut filter, mut skip) = (Vec::<String>::new(), Vec::<String>::new());
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--skip" {
            skip.extend(args.next());
        } else if !arg.starts_with('-') {
            filter.push(arg);
        }
    }
    let selected: Vec<&str> = JOURNEYS
        .iter()
        .copied()
        .filter(|j| filter.is_empty() || filter.iter().any(|f| j.contains(f.as_str())))
        .filter(|j| !skip.iter().any(|f| j.contains(f.as_str())))
        .collect();
    // Before tauri-driver starts: the apps it starts write what they say for the speech journeys.
    speech::set_record_env();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let driver = match Driver::start() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("e2e: cannot start: {e:#}");
            println!("e2e: 0 passed, {} failed", selected.len());
            return ExitCode::FAILURE;
        }
    };
    let configs = match kiosk::Configs::new() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("e2e: cannot make a folder for config files: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    println!("running {} end-to-end journeys", selected.len());
    let (mut passed, mut failed) = (0, 0);
    let mut staff_added = false;
    for name in &selected {
        // Each journey's time is printed beside its result: where the run's minutes go (issue #12).
        let started = std::time::Instant::now();
        let outcome = runtime.block_on(async {
            // IT's first account, on the command line, once the fresh-kiosk journey is done.
            if *name != "a_fresh_kiosk_offers_no_staff_setup" && !staff_added {
                staff_added = true;
                driver.staff_add(STAFF_NAME, STAFF_PIN, "admin")?;
            }
            driver.forget_callback_burst()?;
            if *name == "staff_see_where_each_request_is_delivered" {
                let receiver = delivery::Receiver::start()?;
                let session = delivery::start(&driver, &configs, &receiver).await?;
                let result =
                    delivery::staff_see_where_each_request_is_delivered(&session, &receiver).await;
                if result.is_err() {
                    let _ = session.screenshot(&format!("FAILED-{name}")).await;
                }
                session.close().await;
                return result;
            }
            if *name == "a_callback_request_lands_in_the_fhir_server" {
                let (session, target) = fhir::start(&driver, &configs).await?;
                let result =
                    fhir::a_callback_request_lands_in_the_fhir_server(&session, &target).await;
                if result.is_err() {
                    let _ = session.screenshot(&format!("FAILED-{name}")).await;
                }
                session.close().await;
                return result;
            }
            if *name == "the_front_desk_watches_its_kiosks_and_sends_an_update" {
                return lan::the_front_desk_watches_its_kiosks_and_sends_an_update(
                    &driver, &configs,
                )
                .await;
            }
            if *name == "the_front_desk_pairs_and_unpairs_a_kiosk" {
                let (session, address) = lan::start_front_desk(&driver, &configs).await?;
                let result = lan::the_front_desk_pairs_and_unpairs_a_kiosk(
                    &session,
                    &address,
                    driver.data_dir(),
                )
                .await;
                if result.is_err() {
                    let _ = session.screenshot(&format!("FAILED-{name}")).await;
                }
                session.close().await;
                return result;
            }
            let session = match display::start(&driver, &configs, name).await? {
                Some(session) => session,
                None => match speech::start(&driver, &configs, name).await? {
                    Some(session) => session,
                    None => kiosk::start(&driver, &configs, name).await?,
                },
            };
            if *name == "a_killed_web_process_is_reloaded" {
                // It closes the session itself, whatever happens.
                return kiosk::a_killed_web_process_is_reloaded(session, &driver).await;
            }
            let result = run(name, &session, &driver).await;
            if result.is_err() {
                let _ = session.screenshot(&format!("FAILED-{name}")).await;
            }
            session.close().await;
            result
        });
        let took = started.elapsed().as_secs_f64();
        match outcome {
            Ok(()) => {
                passed += 1;
                println!("test {name} ... ok ({took:.1} s)");
            }
            Err(e) => {
                failed += 1;
                println!("test {name} ... FAILED ({took:.1} s)\n  {e:#}");
            }
        }
    }
    // A check of the whole run, outside any one window session.
    if filter.is_empty() {
        match no_patient_data_outside_kiosk_db(driver.data_dir()) {
            Ok(()) => {
                passed += 1;
                println!("test no_patient_data_outside_kiosk_db ... ok");
            }
            Err(e) => {
                failed += 1;
                println!("test no_patient_data_outside_kiosk_db ... FAILED\n  {e:#}");
            }
        }
        match files_the_app_wrote_are_private(driver.data_dir()) {
            Ok(n) => {
                passed += 1;
                println!("test files_the_app_wrote_are_private ... ok ({n} files)");
            }
            Err(e) => {
                failed += 1;
                println!("test files_the_app_wrote_are_private ... FAILED\n  {e:#}");
            }
        }
        match developer_extras_were_off(driver.data_dir()) {
            Ok(()) => {
                passed += 1;
                println!("test developer_extras_were_off ... ok");
            }
            Err(e) => {
                failed += 1;
                println!("test developer_extras_were_off ... FAILED\n  {e:#}");
            }
        }
    }
    drop(driver);
    println!("e2e: {passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
