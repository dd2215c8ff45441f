//! The IPC wiring through Tauri's mock runtime, with the app's real context: commands
//! answer the camelCase DTOs the UI reads, errors cross as `{kind, message}`, and the
//! capability file really limits who may call them.

use crate::common::ipc;

use std::path::Path;
use std::sync::Mutex;

use clinic_kiosk::commands::AppState;
use ipc::{app, invoke, window};
use serde_json::json;

fn content_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/content"))
}

fn real_state(data: &tempfile::TempDir) -> AppState {
    clinic_kiosk::open_state(data.path(), content_dir())
}

#[test]
fn topics_come_back_in_camel_case_with_counts() {
    let data = tempfile::tempdir().expect("tempdir");
    let app = app(real_state(&data));
    let main = window(&app, "main");
    let topics = invoke(&main, "list_topics", json!({ "lang": "en" })).expect("topics");
    let topics = topics.as_array().expect("an array");
    assert_eq!(topics.len(), 6, "six topics in content/topics.toml");
    assert_eq!(topics[0]["slug"], "spine-care");
    assert!(
        topics[0]["articleCount"].as_i64().unwrap_or(0) > 0,
        "camelCase count: {}",
        topics[0]
    );
}

#[test]
fn an_article_carries_html_qr_and_notices() {
    let data = tempfile::tempdir().expect("tempdir");
    let app = app(real_state(&data));
    let main = window(&app, "main");
    let a = invoke(
        &main,
        "get_article",
        json!({ "slug": "herniated-disc", "topic": "spine-care" }),
    )
    .expect("article");
    assert_eq!(a["title"], "Herniated disc");
    assert!(
        a["html"].as_str().unwrap_or("").contains("<h2"),
        "rendered body"
    );
    assert!(
        a["qrSvg"].as_str().unwrap_or("").starts_with("<?xml")
            || a["qrSvg"].as_str().unwrap_or("").contains("<svg")
    );
    assert!(a["notices"]["emergency"]
        .as_str()
        .unwrap_or("")
        .contains("911"));
    assert_eq!(a["translations"][0]["slug"], "hernia-de-disco");
}

#[test]
fn errors_cross_as_kind_and_message() {
    let data = tempfile::tempdir().expect("tempdir");
    let app = app(real_state(&data));
    let main = window(&app, "main");
    let missing = invoke(&main, "get_article", json!({ "slug": "no-such-article" })).unwrap_err();
    assert_eq!(missing["kind"], "notFound", "{missing}");
    assert!(missing["message"]
        .as_str()
        .unwrap_or("")
        .contains("no-such-article"));
    let bad_lang = invoke(&main, "list_topics", json!({ "lang": "fr" })).unwrap_err();
    assert_eq!(bad_lang["kind"], "invalidInput", "{bad_lang}");
}

#[test]
fn search_answers_hostile_input_calmly() {
    let data = tempfile::tempdir().expect("tempdir");
    let app = app(real_state(&data));
    let main = window(&app, "main");
    let found = invoke(
        &main,
        "search",
        json!({ "query": "slipped disc", "lang": "en" }),
    )
    .expect("search");
    assert_eq!(found["results"][0]["slug"], "herniated-disc");
    let odd = invoke(
        &main,
        "search",
        json!({ "query": "\"( AND NEAR *", "lang": "en", "limit": 5 }),
    )
    .expect("odd input is not an error");
    assert!(
        odd["message"].is_string() || odd["results"].is_array(),
        "{odd}"
    );
    let typed =
        invoke(&main, "suggest", json!({ "prefix": "herni", "lang": "en" })).expect("suggest");
    assert_eq!(typed[0]["title"], "Herniated disc", "{typed}");
}

#[test]
fn a_missing_library_is_unavailable_not_a_crash() {
    let state = AppState {
        config: Default::default(),
        config_problems: Vec::new(),
        library: Mutex::new(Err("the library `x` does not exist".into())),
        kiosk: None,
        sessions: Default::default(),
        data_dir: std::env::temp_dir(),
        logo: None,
        started: std::time::Instant::now(),
        page_loads: Default::default(),
        delivery_wake: Default::default(),
        fleet_wake: Default::default(),
        front_desk: Default::default(),
        clock: Default::default(),
        kiosk_left: Default::default(),
        content_problem: None,
    };
    let app = app(state);
    let main = window(&app, "main");
    let err = invoke(&main, "list_topics", json!({ "lang": "en" })).unwrap_err();
    assert_eq!(err["kind"], "unavailable", "{err}");
    let info = invoke(&main, "app_info", json!({})).expect("app info works without a library");
    assert_eq!(info["defaultLang"], "en");
}

#[test]
fn the_capability_grants_commands_to_the_main_window_only() {
    let data = tempfile::tempdir().expect("tempdir");
    let app = app(real_state(&data));
    let intruder = window(&app, "intruder");
    let refused = invoke(&intruder, "list_topics", json!({ "lang": "en" }));
    let refused = refused.expect_err("a window outside the capability must be refused");
    assert!(
        refused.to_string().contains("not allowed"),
        "refused by the ACL, not by something else: {refused}"
    );
    let main = window(&app, "main");
    assert!(invoke(&main, "list_topics", json!({ "lang": "en" })).is_ok());
}

#[test]
fn article_views_are_counted_anonymously() {
    let data = tempfile::tempdir().expect("tempdir");
    let app = app(real_state(&data));
    let main = window(&app, "main");
    invoke(&main, "get_article", json!({ "slug": "sclerotherapy" })).expect("article");
    invoke(&main, "get_article", json!({ "slug": "sclerotherapy" })).expect("article");
    let conn = rusqlite::Connection::open(data.path().join("kiosk.db")).expect("kiosk.db");
    let views: i64 = conn
        .query_row(
            "SELECT sum(views) FROM article_view WHERE slug = 'sclerotherapy'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(views, 2);
}

#[test]
fn searches_that_found_nothing_reach_the_staff_health_screen() {
    let data = tempfile::tempdir().expect("tempdir");
    let app = app(real_state(&data));
    let main = window(&app, "main");
    invoke(
        &main,
        "search",
        json!({ "query": "zzqqxx wobble", "lang": "en" }),
    )
    .expect("search");
    invoke(
        &main,
        "search",
        json!({ "query": "ZZQQXX  wobble!", "lang": "en" }),
    )
    .expect("search");
    invoke(
        &main,
        "search",
        json!({ "query": "slipped disc", "lang": "en" }),
    )
    .expect("search");
    // A phone number and a birth date typed into search: none of their words is kept.
    invoke(
        &main,
        "search",
        json!({ "query": "zzqqxx 2015550142 1961-04-03", "lang": "en" }),
    )
    .expect("search");

    let refused = invoke(&main, "staff_health", json!({})).unwrap_err();
    assert_eq!(
        refused["kind"], "unauthorized",
        "health is for staff only: {refused}"
    );

    {
        let conn = clinic_kiosk::store::open(&data.path().join("kiosk.db")).expect("kiosk.db");
        clinic_kiosk::callbacks::staff::add(
            &conn,
            "Ana",
            "258013",
            clinic_kiosk::callbacks::staff::Role::FrontDesk,
            &Default::default(),
            "test",
            0,
        )
        .expect("a staff account");
    }
    let session = invoke(
        &main,
        "staff_unlock",
        json!({ "name": "Ana", "pin": "258013" }),
    )
    .expect("unlock");
    let health =
        invoke(&main, "staff_health", json!({ "token": session["token"] })).expect("health");
    assert_eq!(
        health["articleCount"], 48,
        "24 articles in English and 24 in Spanish: {health}"
    );
    assert_eq!(health["erasedUndelivered"], 0, "{health}");
    assert!(
        ["encrypted", "notEncrypted", "unknown"]
            .contains(&health["dataEncryption"].as_str().unwrap_or("")),
        "{health}"
    );
    assert!(health["contentProblem"].is_null(), "{health}");
    assert_eq!(health["queueLength"], 0);
    assert!(
        health["freeDiskBytes"].as_u64().unwrap_or(0) > 0,
        "{health}"
    );
    assert!(health["kioskBytes"].as_u64().unwrap_or(0) > 0, "{health}");
    let misses = &health["usage"]["misses"];
    assert_eq!(misses[0], json!(["en", "zzqqxx wobble", 2]), "{misses}");
    assert_eq!(
        misses[1],
        json!(["en", "zzqqxx", 1]),
        "words with digits are never kept: {misses}"
    );
    assert_eq!(
        misses.as_array().map(Vec::len),
        Some(2),
        "a search with results is not a miss: {misses}"
    );
    assert!(!misses.to_string().contains("555"), "{misses}");
}

#[test]
fn the_clinics_config_can_reword_the_notices() {
    let data = tempfile::tempdir().expect("tempdir");
    let mut state = real_state(&data);
    state.config.notices.insert(
        "emergency".into(),
        [("es".to_string(), "Llame al 911 de inmediato.".to_string())]
            .into_iter()
            .collect(),
    );
    let app = app(state);
    let main = window(&app, "main");
    let es = invoke(&main, "get_article", json!({ "slug": "hernia-de-disco" })).expect("article");
    assert_eq!(es["notices"]["emergency"], "Llame al 911 de inmediato.");
    let en = invoke(&main, "get_article", json!({ "slug": "herniated-disc" })).expect("article");
    assert!(
        en["notices"]["emergency"]
            .as_str()
            .unwrap_or("")
            .contains("call 911"),
        "a language the config does not reword keeps the content's notice: {}",
        en["notices"]["emergency"]
    );
}

#[test]
fn the_config_decides_which_specialist_answers_for_a_topic() {
    let data = tempfile::tempdir().expect("tempdir");
    let mut state = real_state(&data);
    // As written, the herniated disc article is answered by the spine specialist.
    let before = {
        let app = app(clinic_kiosk::open_state(data.path(), content_dir()));
        let main = window(&app, "main");
        invoke(&main, "get_article", json!({ "slug": "herniated-disc" })).expect("article")
    };
    assert_eq!(
        before["specialty"]["slug"], "spine",
        "{}",
        before["specialty"]
    );
    // This clinic has the front desk answer spine questions.
    state
        .config
        .specialty_topics
        .insert("front-desk".into(), vec!["spine-care".into()]);
    let app = app(state);
    let main = window(&app, "main");
    let routed = invoke(
        &main,
        "get_article",
        json!({ "slug": "herniated-disc", "topic": "spine-care" }),
    )
    .expect("article");
    assert_eq!(routed["specialty"]["slug"], "front-desk");
    assert_eq!(routed["specialty"]["name"], "Front desk");
    // Articles of other topics keep their own specialist.
    let other = invoke(&main, "get_article", json!({ "slug": "varicose-veins" })).expect("article");
    assert_eq!(other["specialty"]["slug"], "vein");
}

#[test]
fn config_specialties_the_library_does_not_have_are_problems() {
    let data = tempfile::tempdir().expect("tempdir");
    let state = real_state(&data);
    let mut config = clinic_kiosk::config::Config::default();
    config
        .specialty_topics
        .insert("spine".into(), vec!["spine-care".into(), "backs".into()]);
    config
        .specialty_topics
        .insert("podiatry".into(), vec!["vein-care".into()]);
    let guard = state.library.lock().expect("lock");
    let lib = guard.as_ref().expect("library");
    let problems = clinic_kiosk::specialty_problems(&config, lib);
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(
        problems[0].starts_with("specialty `podiatry`: not a specialty"),
        "{}",
        problems[0]
    );
    assert!(
        problems[1].contains("topic `backs` is not in content/topics.toml"),
        "{}",
        problems[1]
    );
}
