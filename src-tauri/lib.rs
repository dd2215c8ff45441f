//! Clinic kiosk: an offline patient-education kiosk. This file wires the Tauri app; the
//! logic lives in modules with no Tauri import (content, library, search, store).

// Every public item says what it takes and returns (issue #12); with clippy's `-D warnings`
// a missing doc fails the build.
#![warn(missing_docs)]

pub mod callbacks;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod content;
pub mod delivery;
pub mod fleet;
pub mod health;
pub mod lan;
pub mod lang;
pub mod layers;
pub mod library;
pub mod metrics;
pub mod pack;
pub mod paths;
pub mod qr;
pub mod search;
pub mod shell;
pub mod speech;
pub mod store;
pub mod webhook;

use std::sync::Mutex;

use tauri::{Manager, Runtime};

use commands::AppState;

/// The command handler, shared by the real app and the mock-runtime tests.
pub fn invoke_handler<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static
{
    tauri::generate_handler![
        commands::app_info,
        commands::list_topics,
        commands::topic_articles,
        commands::get_article,
        commands::search,
        commands::suggest,
        commands::callbacks::callback_config,
        commands::callbacks::new_request_id,
        commands::callbacks::submit_callback,
        commands::callbacks::staff_status,
        commands::callbacks::staff_unlock,
        commands::callbacks::staff_lock,
        commands::callbacks::staff_keepalive,
        commands::callbacks::staff_accounts,
        commands::callbacks::staff_account_add,
        commands::callbacks::staff_account_unlock,
        commands::callbacks::staff_account_remove,
        commands::callbacks::inbox_list,
        commands::callbacks::request_update,
        commands::callbacks::export_folders,
        commands::callbacks::export_callbacks,
        commands::callbacks::audit_list,
        commands::health::staff_health,
        commands::kiosk::ui_ready,
        commands::kiosk::staff_leave_kiosk,
        commands::kiosk::staff_quit,
        commands::kiosk::report_ui_error,
        commands::callbacks::delivery_retry,
        commands::lan::lan_status,
        commands::lan::lan_show_code,
        commands::lan::lan_unpair_kiosk,
        commands::lan::lan_send_pack,
        commands::lan::lan_pair,
        commands::lan::lan_unpair,
        commands::packs::content_packs,
        commands::packs::content_import,
        commands::speech::speech_config,
        commands::speech::speech_speak,
        commands::speech::speech_stop,
        commands::speech::speech_pause,
        commands::speech::speech_resume,
        commands::speech::speech_status,
    ]
}

/// Opens the library (rebuilding it when the content changed) and kiosk.db. Failures are
/// kept in the state so the window still opens and shows a calm message.
pub fn open_state(data_dir: &std::path::Path, content_dir: &std::path::Path) -> AppState {
    for (path, mode) in paths::tighten(data_dir) {
        tracing::warn!(
            "{} was readable by others (mode {mode:o}); now only by this user",
            path.display()
        );
    }
    // A damaged library.db is rebuilt from the content like a missing one (issue #16).
    store::repair::remove_if_damaged(&data_dir.join(paths::LIBRARY_DB));
    let library = match library::open_or_build(content_dir, &data_dir.join(paths::LIBRARY_DB)) {
        Ok((lib, freshness)) => {
            tracing::info!(?freshness, path = %lib.path().display(), "library ready");
            Ok(lib)
        }
        Err(err) => {
            tracing::error!("library unavailable: {err}");
            Err(err.to_string())
        }
    };
    let (config, problems) = config::Config::load(config_arg());
    let mut problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
    if let Ok(lib) = &library {
        problems.extend(specialty_problems(&config, lib));
        problems.extend(recipient_problems(&config, lib));
    }
    for p in &problems {
        tracing::warn!("config: {p}");
    }
    // A damaged kiosk.db is kept aside and what can be read recovered (issue #16).
    let start = callbacks::now_ms();
    let kiosk = match store::repair::open_at_start(&data_dir.join(paths::KIOSK_DB), start) {
        Ok(mut conn) => {
            requeue_salvaged(&mut conn, &config, start);
            retain(&mut conn, &config, data_dir, callbacks::now_ms(), false);
            Some(std::sync::Arc::new(Mutex::new(conn)))
        }
        Err(err) => {
            tracing::error!("kiosk.db unavailable: {err}");
            None
        }
    };
    let logo = config.logo.as_deref().and_then(config::logo_data_url);
    AppState {
        config,
        config_problems: problems,
        library: Mutex::new(library),
        kiosk,
        sessions: Default::default(),
        data_dir: data_dir.to_path_buf(),
        logo,
        started: std::time::Instant::now(),
        page_loads: Default::default(),
        delivery_wake: Default::default(),
        fleet_wake: Default::default(),
        front_desk: Default::default(),
        clock: Default::default(),
        kiosk_left: Default::default(),
        content_problem: None,
    }
}

/// `[[specialty]]` entries of the config that name a specialty or topic the library does not
/// have: callbacks about those topics would go to no one.
pub fn specialty_problems(config: &config::Config, lib: &library::Library) -> Vec<String> {
    let specialties: Vec<String> = lib
        .specialties("en")
        .map(|v| v.into_iter().map(|s| s.slug).collect())
        .unwrap_or_default();
    let topics: Vec<String> = lib
        .topics("en")
        .map(|v| v.into_iter().map(|t| t.slug).collect())
        .unwrap_or_default();
    let mut out = Vec::new();
    for (slug, wanted) in &config.specialty_topics {
        if !specialties.contains(slug) {
            out.push(format!(
                "specialty `{slug}`: not a specialty of content/topics.toml; use one of: {}",
                specialties.join(", ")
            ));
        }
        for topic in wanted.iter().filter(|t| !topics.contains(t)) {
            out.push(format!(
                "specialty `{slug}`: topic `{topic}` is not in content/topics.toml; use one of: {}",
                topics.join(", ")
            ));
        }
    }
    out
}

/// FHIR `recipients` of the config that name a specialty the library does not have (issue
/// #15): as `config check` reports them, with the file's line.
fn recipient_problems(config: &config::Config, lib: &library::Library) -> Vec<String> {
    let specialties: Vec<String> = lib
        .specialties("en")
        .map(|v| v.into_iter().map(|s| s.slug).collect())
        .unwrap_or_default();
    if specialties.is_empty() {
        return Vec::new();
    }
    let (path, _) = config::config_path(config_arg());
    config::destination::content_problems(&path, config, &specialties)
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// `--config PATH` from the command line that started the window.
fn config_arg() -> Option<std::path::PathBuf> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--config")
        .and_then(|i| args.get(i + 1))
        .map(std::path::PathBuf::from)
        .or_else(|| {
            args.iter()
                .find_map(|a| a.strip_prefix("--config="))
                .map(std::path::PathBuf::from)
        })
}

/// After a salvage of a damaged kiosk.db (issue #16): queues again, for the configured
/// destinations, the recovered requests whose outbox rows were lost with a damaged page
/// (`callbacks::outbox::requeue_unqueued`). Run at every start while the salvage's notice
/// is shown, not only the start that salvaged: it is idempotent (a request with any row is
/// left alone), and a start killed between the salvage and this call is covered.
fn requeue_salvaged(conn: &mut rusqlite::Connection, config: &config::Config, start: i64) {
    match store::repair::notice(conn, start) {
        Ok(Some(_)) => {}
        Ok(None) => return,
        Err(err) => {
            tracing::error!("the recovery notice cannot be read: {err}");
            return;
        }
    }
    match callbacks::outbox::requeue_unqueued(conn, &config.callbacks.destinations, start) {
        Ok(0) => {}
        Ok(n) => tracing::warn!(
            "{n} recovered request(s) had lost their delivery rows with the damaged kiosk.db; queued again"
        ),
        Err(err) => tracing::error!("recovered requests could not be queued again: {err}"),
    }
}

/// One retention pass (see `callbacks::retention`): erases what the clinic's rules say
/// this device no longer keeps, at `now` (Unix ms), and the copies of a damaged kiosk.db
/// in `data_dir` kept longer than the clinic's retention or 30 days, whichever is shorter
/// (issue #16). Retries scheduled further ahead than any wait the worker sets are due now:
/// after `set_back` (the clock went back while the app ran), further than the backoff's
/// cap; otherwise further than a receiver's longest Retry-After. Failures are logged; the
/// next pass tries again.
fn retain(
    conn: &mut rusqlite::Connection,
    config: &config::Config,
    data_dir: &std::path::Path,
    now: i64,
    set_back: bool,
) {
    let kiosk = config.mode != config::Mode::FrontDesk;
    match callbacks::retention::run(conn, &config.callbacks, kiosk, now) {
        Ok(erased) if erased.expired > 0 => tracing::warn!(
            "retention: {} request(s) were never delivered and were erased after {} days; check the destinations",
            erased.expired,
            config.callbacks.undelivered_max_days
        ),
        Ok(erased) if erased.requests() > 0 => tracing::info!(
            "retention: erased {} closed and {} delivered request(s)",
            erased.closed,
            erased.delivered
        ),
        Ok(_) => {}
        Err(err) => tracing::error!("retention pass failed: {err}"),
    }
    let longest_wait = if set_back {
        delivery::Backoff::default().cap_ms
    } else {
        LONGEST_RETRY_AFTER_MS
    };
    match callbacks::outbox::restamp_far_retries(conn, now, longest_wait) {
        Ok(0) => {}
        Ok(n) => tracing::warn!(
            "{n} delivery retr(ies) were scheduled beyond any wait (the clock was set back); due now"
        ),
        Err(err) => tracing::error!("delivery retries could not be rescheduled: {err}"),
    }
    store::repair::remove_old_copies(
        &data_dir.join(paths::KIOSK_DB),
        now,
        store::repair::keep_damaged_ms(config.callbacks.retention_days),
    );
}

/// The longest wait a receiver's Retry-After gets (`delivery::retry_after_ms` caps it at a
/// day), ms.
const LONGEST_RETRY_AFTER_MS: i64 = 86_400_000;

/// How often the retention pass runs while the app runs (it also runs at start): often
/// enough that a delivered request leaves within a minute of its grace period.
const RETENTION_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// One retention pass of the running app (every [`RETENTION_EVERY`]): at the app's clock,
/// capped by `clock` (see `callbacks::retention::PassClock`) with `since_boot` the time
/// since boot (`clock::since_boot`, given so tests can move it), on kiosk.db if there is one.
pub fn retention_pass(
    state: &AppState,
    clock: &mut callbacks::retention::PassClock,
    since_boot: std::time::Duration,
) {
    let Some(kiosk) = &state.kiosk else {
        return;
    };
    let time = clock.now(state.now_ms(), since_boot);
    if let Ok(mut conn) = kiosk.lock() {
        retain(
            &mut conn,
            &state.config,
            &state.data_dir,
            time.now,
            time.set_back,
        );
    }
}

fn spawn_retention<R: Runtime>(app: &tauri::AppHandle<R>) {
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut every = tokio::time::interval(RETENTION_EVERY);
        let mut clock = callbacks::retention::PassClock::default();
        // Start ran a pass: its time is this clock's first.
        clock.now(handle.state::<AppState>().now_ms(), clock::since_boot());
        every.tick().await; // the first tick is immediate
        loop {
            every.tick().await;
            retention_pass(&handle.state::<AppState>(), &mut clock, clock::since_boot());
        }
    });
}

/// Starts the delivery worker when the config names destinations (issue #5). It shares
/// kiosk.db's connection with the commands, holding it only between network calls.
fn spawn_delivery<R: Runtime>(app: &tauri::AppHandle<R>) {
    let state = app.state::<AppState>();
    // Always running where there is a kiosk.db: a kiosk may be paired with the front desk
    // at any time, and then it has somewhere to send.
    if state.kiosk.is_none() {
        return;
    }
    let mut worker = delivery::worker::Worker::new(
        state.config.destinations.clone(),
        state.config.clinic_name.clone(),
        state.config.callbacks.clone(),
    );
    if let Ok(Ok(lib)) = state.library.lock().as_deref() {
        worker.specialty_names = lib
            .specialties("en")
            .map(|v| v.into_iter().map(|s| (s.slug, s.name)).collect())
            .unwrap_or_default();
    }
    let ids: Vec<&str> = state
        .config
        .destinations
        .iter()
        .map(|d| d.id.as_str())
        .collect();
    tracing::info!("delivering callback requests to {}", ids.join(", "));
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = handle.state::<AppState>();
        if let Some(db) = &state.kiosk {
            delivery::worker::run_forever(worker, db, &state.delivery_wake).await;
        }
    });
}

/// Writes the health report for Prometheus's node exporter at start and every minute
/// (issue #15), when the config names a `[metrics] textfile_dir`.
fn spawn_metrics<R: Runtime>(app: &tauri::AppHandle<R>) {
    let state = app.state::<AppState>();
    let Some(dir) = state.config.metrics_textfile_dir.clone() else {
        return;
    };
    let started_ms = state.now_ms() - state.started.elapsed().as_millis() as i64;
    let mut writer = metrics::Writer::new(dir, started_ms);
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut every = tokio::time::interval(metrics::EVERY);
        loop {
            every.tick().await; // the first tick is immediate: written at start
            let state = handle.state::<AppState>();
            let sources = state.health_sources();
            let now = state.now_ms();
            // Errors are logged by the writer, once until it works again.
            let fleet = front_desk_fleet(&state, now);
            let _ = writer.write(health::report(&sources, now), &fleet, now);
        }
    });
}

/// On a front-desk laptop, its paired kiosks with their last reports (empty elsewhere, or
/// when kiosk.db cannot be read: the metrics then say nothing of the fleet).
fn front_desk_fleet(state: &AppState, now: i64) -> Vec<lan::fleet::KioskView> {
    if state.config.mode != config::Mode::FrontDesk {
        return Vec::new();
    }
    state
        .kiosk
        .as_ref()
        .and_then(|db| db.lock().ok())
        .and_then(|conn| lan::fleet::kiosks(&conn, state.config.fleet, now).ok())
        .unwrap_or_default()
}

/// On a kiosk: reports its health to the front desk it is paired with every minute, and
/// installs the content packs staff send from there (issue #15).
fn spawn_fleet<R: Runtime>(app: &tauri::AppHandle<R>) {
    let state = app.state::<AppState>();
    if state.config.mode == config::Mode::FrontDesk || state.kiosk.is_none() {
        return;
    }
    fleet::clean_downloads(&state.data_dir);
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut reporter = fleet::Reporter::new();
        let mut every = tokio::time::interval(std::time::Duration::from_secs(
            lan::fleet::REPORT_EVERY_SECONDS,
        ));
        let mut failing = false;
        let wake = handle.state::<AppState>().fleet_wake.clone();
        loop {
            tokio::select! {
                _ = every.tick() => {}
                () = wake.notified() => {}
            }
            // A pack installed or refused is reported at once, so staff see how it went.
            while let Some(sent) = report_to_front_desk(&handle, &mut reporter).await {
                match sent {
                    Ok(sent) if sent.report_again_now() => continue,
                    Ok(_) => failing = false,
                    Err(err) => {
                        // Once until it works again: the front desk may be off for the night.
                        if !failing {
                            tracing::warn!("health report not sent: {err}");
                        }
                        failing = true;
                    }
                }
                break;
            }
        }
    });
}

/// One health report to the front desk, `None` when this kiosk is not paired.
async fn report_to_front_desk<R: Runtime>(
    handle: &tauri::AppHandle<R>,
    reporter: &mut fleet::Reporter,
) -> Option<Result<fleet::Sent, fleet::FleetError>> {
    let state = handle.state::<AppState>();
    let kiosk = state.kiosk.as_ref()?;
    let pairing = lan::store::pairing(&*kiosk.lock().ok()?).ok()??;
    let now = state.now_ms();
    let health = health::report(&state.health_sources(), now).ok()?;
    let report = fleet::report(
        &health,
        pack::installed(&state.data_dir).map_or(0, |m| m.version),
        state.started.elapsed().as_secs(),
        reporter.last_pack.clone(),
        now,
    );
    let trusted: Vec<_> = state
        .config
        .trusted_keys
        .iter()
        .filter_map(|k| pack::parse_public(k))
        .collect();
    let site = fleet::Site {
        data_dir: &state.data_dir,
        trusted: &trusted,
    };
    let swap = |version: u64, lib: library::Library| -> Result<(), &'static str> {
        *state.library.lock().map_err(|_| "library lock poisoned")? = Ok(lib);
        state.audit("front desk", "content-import", Some(&version.to_string()));
        Ok(())
    };
    Some(reporter.once(&pairing, &report, &site, swap, now).await)
}

/// On a front-desk laptop: opens the port its paired kiosks send to (issue #5).
fn spawn_front_desk<R: Runtime>(app: &tauri::AppHandle<R>, data_dir: &std::path::Path) {
    let state = app.state::<AppState>();
    if state.config.mode != config::Mode::FrontDesk {
        return;
    }
    let Some(db) = state.kiosk.clone() else {
        return;
    };
    let identity = match lan::tls::Identity::load_or_create(data_dir) {
        Ok(identity) => identity,
        Err(err) => {
            tracing::error!("the front-desk certificate cannot be made or read: {err}");
            return;
        }
    };
    let listen = state.config.front_desk_listen;
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let listener = match tokio::net::TcpListener::bind(listen).await {
            Ok(l) => l,
            Err(err) => {
                tracing::error!(
                    "the front-desk port {listen} cannot be opened: {err}; kiosks cannot send here"
                );
                return;
            }
        };
        let mut front = lan::FrontDesk::new(identity, db);
        front.outgoing = Some(lan::fleet::outgoing_dir(
            &handle.state::<AppState>().data_dir,
        ));
        // Requests from kiosks go on to the laptop's own destinations at once.
        front.stored = Some(handle.state::<AppState>().delivery_wake.clone());
        let callbacks = &handle.state::<AppState>().config.callbacks;
        front.forward_to = callbacks.destinations.clone();
        // The laptop checks what kiosks send by the clinic's own rules (phone region ...).
        front.callbacks = callbacks.clone();
        let front = std::sync::Arc::new(front);
        let _ = handle.state::<AppState>().front_desk.set(front.clone());
        tracing::info!("front desk listening for kiosks on {listen}");
        lan::server::serve(front, listener).await;
    });
}

/// Starts the kiosk window.
pub fn run() -> Result<(), String> {
    #[cfg(target_os = "linux")]
    {
        if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
            return Err("no display: the kiosk needs a graphical session (set DISPLAY, or run it under Xvfb for tests)".into());
        }
        if std::env::var_os("WEBKIT_DISABLE_DMABUF_RENDERER").is_none() {
            // Blank windows on some GPUs otherwise. Set before any thread starts.
            std::env::set_var("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
        }
    }
    tauri::Builder::default()
        // A second start (a double-click, an autostart racing the service) only brings the
        // running kiosk to the front. Needs the session's D-Bus; without one it starts normally.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            tracing::info!("a second start was refused; showing the running kiosk");
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.set_focus();
            }
        }))
        .setup(|app| {
            // Where start-up time goes before the window opens (issue #16), in the log.
            let setup_began = std::time::Instant::now();
            let data_dir = paths::data_dir(app.path().app_data_dir().ok());
            // An installed content pack wins over the shipped articles (the env var over both),
            // once it is verified again: signature, every file's hash, nothing added.
            let shipped = || paths::content_dir(app.path().resource_dir().ok());
            let mut content_problem = None;
            let content_dir = match std::env::var_os(paths::CONTENT_DIR_ENV) {
                Some(_) => paths::content_dir(None),
                None => {
                    let keys = config::Config::load(config_arg()).0.trusted_keys;
                    let keys: Vec<_> = keys.iter().filter_map(|k| pack::parse_public(k)).collect();
                    match pack::verify_installed(&data_dir, &keys) {
                        Ok(Some(_)) => pack::installed_dir(&data_dir).unwrap_or_else(shipped),
                        Ok(None) => shipped(),
                        Err(err) => {
                            tracing::error!(
                                "the installed article pack failed its check ({err}); using the shipped articles"
                            );
                            content_problem = Some(format!(
                                "the installed article update failed its check ({err}); the kiosk shows the articles it shipped with; import the pack again"
                            ));
                            shipped()
                        }
                    }
                }
            };
            let pack_checked = setup_began.elapsed();
            let mut state = open_state(&data_dir, &content_dir);
            let state_opened = setup_began.elapsed();
            state.content_problem = content_problem;
            let mode = state.config.mode;
            app.manage(state);
            app.manage(commands::speech::SpeechState::from_env());
            spawn_retention(app.handle());
            spawn_delivery(app.handle());
            spawn_metrics(app.handle());
            spawn_fleet(app.handle());
            spawn_front_desk(app.handle(), &data_dir);
            let tasks_started = setup_began.elapsed();
            shell::open_window(app, mode)?;
            tracing::info!(
                "start-up before the page: pack check {} ms, library, config and kiosk.db {} ms, speech and tasks {} ms, window {} ms",
                pack_checked.as_millis(),
                (state_opened - pack_checked).as_millis(),
                (tasks_started - state_opened).as_millis(),
                (setup_began.elapsed() - tasks_started).as_millis()
            );
            if mode == config::Mode::Kiosk {
                shell::spawn_kiosk_watch(app.handle());
            }
            Ok(())
        })
        .invoke_handler(invoke_handler())
        .run(tauri::generate_context!("tauri.conf.json"))
        .map_err(|e| format!("the kiosk window could not start: {e}"))
}
