//! End-to-end journeys in the real kiosk window (WebKitGTK through tauri-driver and
//! WebKitWebDriver, under Xvfb). Each journey starts the app afresh, acts as a patient
//! would, checks what is on screen, runs axe-core on every screen it visits and writes
//! screenshots under target/screenshots/.
//!
//! Run through `scripts/test` (it installs the drivers and starts Xvfb), or by hand:
//! `DISPLAY=:99 cargo test --test e2e [-- name-filter]`.

mod driver;

use std::process::ExitCode;

use anyhow::{ensure, Result};
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
    let input = s.css("#search-input").await?;
    input.send_keys("sclerotherpy").await?;
    input.send_keys(ENTER).await?;
    s.wait_screen("search").await?;
    let suggestion = s.text("[data-test=did-you-mean]").await?;
    ensure!(
        suggestion.to_lowercase().contains("sclerotherapy"),
        "a misspelling gets a did-you-mean, got {suggestion:?}"
    );
    ensure!(
        s.count("[data-test=topic-tile]").await? >= 6,
        "topics are offered when nothing matched"
    );
    s.assert_accessible("search-no-results").await?;
    s.screenshot("search-no-results").await?;
    s.click("[data-test=did-you-mean]").await?;
    s.wait_js(
        "return [...document.querySelectorAll('[data-test=search-result]')].some(e => e.dataset.slug === 'sclerotherapy')",
        "results for the corrected spelling",
    )
    .await?;

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

const JOURNEYS: &[&str] = &[
    "home_shows_every_topic",
    "open_a_topic_then_an_article",
    "search_in_everyday_words",
    "type_ahead_suggests_titles",
    "no_results_is_never_an_empty_screen",
    "switch_to_spanish",
    "change_text_size",
    "search_with_the_on_screen_keyboard",
];

async fn run(name: &str, s: &Session) -> Result<()> {
    match name {
        "home_shows_every_topic" => home_shows_every_topic(s).await,
        "open_a_topic_then_an_article" => open_a_topic_then_an_article(s).await,
        "search_in_everyday_words" => search_in_everyday_words(s).await,
        "type_ahead_suggests_titles" => type_ahead_suggests_titles(s).await,
        "no_results_is_never_an_empty_screen" => no_results_is_never_an_empty_screen(s).await,
        "switch_to_spanish" => switch_to_spanish(s).await,
        "change_text_size" => change_text_size(s).await,
        "search_with_the_on_screen_keyboard" => search_with_the_on_screen_keyboard(s).await,
        other => anyhow::bail!("unknown journey {other}"),
    }
}

fn main() -> ExitCode {
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let selected: Vec<&str> = JOURNEYS
        .iter()
        .copied()
        .filter(|j| filter.is_empty() || filter.iter().any(|f| j.contains(f.as_str())))
        .collect();
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
    println!("running {} end-to-end journeys", selected.len());
    let (mut passed, mut failed) = (0, 0);
    for name in &selected {
        let outcome = runtime.block_on(async {
            let session = driver.session().await?;
            let result = run(name, &session).await;
            if result.is_err() {
                let _ = session.screenshot(&format!("FAILED-{name}")).await;
            }
            session.close().await;
            result
        });
        match outcome {
            Ok(()) => {
                passed += 1;
                println!("test {name} ... ok");
            }
            Err(e) => {
                failed += 1;
                println!("test {name} ... FAILED\n  {e:#}");
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
