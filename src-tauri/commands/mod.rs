//! The IPC edge: thin `#[tauri::command]` adapters over the library. Errors cross as
//! `{ kind, message }`; the UI branches on `kind` and never shows `message` to a patient.
//! Nothing a patient types is logged here.

pub mod callbacks;
mod error;
pub mod health;
pub mod kiosk;
pub mod lan;
pub mod packs;
pub mod speech;

use std::sync::Mutex;

use serde::Serialize;
use tauri::State;

pub use error::{CommandError, ErrorKind};

use crate::config::Config;
use crate::library::{ArticleView, Library, TopicArticles, TopicSummary};
use crate::search::{SearchResults, Suggestion};

include!("names.rs");

/// What the commands work on, managed by Tauri.
pub struct AppState {
    /// The clinic's config, as read at start.
    pub config: Config,
    /// Problems in the config file, for the "configuration problem" screen and staff.
    pub config_problems: Vec<String>,
    /// `Err` holds why the library could not be opened; commands then answer `unavailable`.
    pub library: Mutex<Result<Library, String>>,
    /// kiosk.db (staff, requests, outbox, counts), shared with the delivery worker; `None` when it could not be opened.
    pub kiosk: Option<std::sync::Arc<Mutex<rusqlite::Connection>>>,
    /// The staff session (one at a time).
    pub sessions: crate::callbacks::staff::Sessions,
    /// Where exports are written.
    pub data_dir: std::path::PathBuf,
    /// The clinic's logo as a `data:` URL (the page may load nothing from the disk itself).
    pub logo: Option<String>,
    /// When the app started, for the start-up time in the log.
    pub started: std::time::Instant,
    /// How many times the page has said it is ready (more than once: it was reloaded).
    pub page_loads: std::sync::atomic::AtomicU32,
    /// Wakes the delivery worker when a request is committed.
    pub delivery_wake: std::sync::Arc<tokio::sync::Notify>,
    /// Wakes the health reports to the front desk at once (after pairing: staff see the
    /// kiosk in their list without waiting a minute).
    pub fleet_wake: std::sync::Arc<tokio::sync::Notify>,
    /// On a front-desk laptop: its side of the LAN link (set once its port is open).
    pub front_desk: std::sync::OnceLock<std::sync::Arc<crate::lan::FrontDesk>>,
    /// The clock commands read (tests move it forward; the app never does).
    pub clock: crate::clock::Clock,
    /// Staff left kiosk mode: the shell puts it back once no staff session is live.
    pub kiosk_left: std::sync::atomic::AtomicBool,
    /// Why the installed article pack is not in use (it failed its check at start), for
    /// the staff health screen.
    pub content_problem: Option<String>,
}

impl AppState {
    fn with_kiosk<T>(
        &self,
        f: impl FnOnce(&mut rusqlite::Connection) -> Result<T, crate::callbacks::CallbackError>,
    ) -> Result<T, CommandError> {
        let kiosk = self.kiosk.as_ref().ok_or_else(|| {
            CommandError::unavailable("kiosk.db could not be opened; see the log")
        })?;
        let mut conn = kiosk
            .lock()
            .map_err(|_| CommandError::internal("kiosk.db lock poisoned"))?;
        f(&mut conn).map_err(|err| {
            if err.is_storage_full() {
                // The blocks kept for this let staff sign in and see why (issue #16).
                crate::store::reserve::release(&self.data_dir);
            }
            CommandError::from(err)
        })
    }

    /// Records a staff action that has already happened (leaving kiosk mode, pairing, an
    /// import). Best effort: a failure is logged, the action stands.
    pub(crate) fn audit(&self, who: &str, action: &str, detail: Option<&str>) {
        let Some(kiosk) = &self.kiosk else { return };
        let written = kiosk
            .lock()
            .map_err(|_| "kiosk.db lock poisoned".to_string())
            .and_then(|conn| {
                crate::callbacks::audit::record(
                    &conn,
                    crate::callbacks::now_ms(),
                    who,
                    action,
                    None,
                    detail,
                )
                .map_err(|e| e.to_string())
            });
        if let Err(err) = written {
            tracing::warn!("audit entry for {action} not written: {err}");
        }
    }

    /// Now, in Unix ms, by [`AppState::clock`].
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// What the health report reads, from this state: the staff health screen and the
    /// metrics file report the same things.
    pub fn health_sources(&self) -> crate::health::Sources<'_> {
        crate::health::Sources {
            library: &self.library,
            kiosk: self.kiosk.as_deref(),
            config: &self.config,
            config_problems: &self.config_problems,
            content_problem: self.content_problem.as_deref(),
            data_dir: &self.data_dir,
        }
    }

    /// The staff member signed in with `token`, if `command` is theirs to call: `unauthorized`
    /// without a live session (also when the UI sent no token at all, so it always gets a
    /// `kind` to branch on), `forbidden` when `command` is admin-only ([`COMMANDS`]) and
    /// they are a front desk. [`Activity::Read`] leaves the inactivity timer alone, so the
    /// UI's own polling never keeps a session alive.
    pub(crate) fn staff(
        &self,
        token: Option<&str>,
        command: &str,
        activity: crate::callbacks::staff::Activity,
    ) -> Result<crate::callbacks::staff::SignedIn, CommandError> {
        let access = COMMANDS
            .iter()
            .find(|(name, _)| *name == command)
            .map(|(_, access)| *access)
            .ok_or_else(|| CommandError::internal(format!("`{command}` is not in COMMANDS")))?;
        let who = self
            .sessions
            .check(
                token.unwrap_or_default(),
                self.now_ms(),
                &self.config.staff,
                activity,
            )
            .ok_or_else(CommandError::unauthorized)?;
        if access == Access::Admin && who.role != crate::callbacks::staff::Role::Admin {
            return Err(CommandError::forbidden());
        }
        Ok(who)
    }

    fn with_library<T>(
        &self,
        f: impl FnOnce(&Library) -> Result<T, crate::library::LibraryError>,
    ) -> Result<T, CommandError> {
        let guard = self
            .library
            .lock()
            .map_err(|_| CommandError::internal("library lock poisoned"))?;
        match &*guard {
            Ok(lib) => f(lib).map_err(CommandError::from),
            Err(why) => Err(CommandError::unavailable(why.clone())),
        }
    }
}

/// What the page needs to start: the clinic, its languages and the idle timing.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    /// From the config.
    pub clinic_name: String,
    /// Language codes offered, such as `["en", "es"]`.
    pub languages: Vec<String>,
    /// The language the home screen opens in.
    pub default_lang: String,
    /// This app's version.
    pub version: String,
    /// `kiosk`, `front-desk` or `windowed`.
    pub mode: crate::config::Mode,
    /// `#rrggbb`, at least 4.5:1 against white text.
    pub accent_colour: String,
    /// Seconds without a touch before the idle warning.
    pub idle_seconds: u32,
    /// Seconds the idle warning counts down before everything is forgotten.
    pub idle_warning_seconds: u32,
    /// The idle reset reloads a page that has run this many minutes (its memory goes back).
    pub reload_after_minutes: u32,
    /// How many problems the config file has: the page shows a calm "please ask staff"
    /// screen, never the problems (they name files and values; staff see them behind the
    /// PIN in `staff_health`, IT in `config check`).
    pub config_problem_count: usize,
    /// The clinic's logo as a `data:` URL, if the config names one.
    pub logo: Option<String>,
}

/// What the page needs to start (no session needed).
#[tauri::command(async)]
pub fn app_info(state: State<'_, AppState>) -> Result<AppInfo, CommandError> {
    Ok(AppInfo {
        clinic_name: state.config.clinic_name.clone(),
        languages: state.config.languages.clone(),
        default_lang: state.config.default_language.clone(),
        version: env!("CARGO_PKG_VERSION").into(),
        mode: state.config.mode,
        accent_colour: state.config.accent_colour.clone(),
        idle_seconds: state.config.idle_seconds,
        idle_warning_seconds: state.config.idle_warning_seconds,
        reload_after_minutes: state.config.idle_reload_after_minutes,
        config_problem_count: state.config_problems.len(),
        logo: state.logo.clone(),
    })
}

/// The topic tiles in `lang`, in display order.
#[tauri::command(async)]
pub fn list_topics(
    state: State<'_, AppState>,
    lang: String,
) -> Result<Vec<TopicSummary>, CommandError> {
    state.with_library(|l| l.topics(&lang))
}

/// Topic `topic`'s articles in `lang`, sorted by title. `notFound` for an unknown topic.
#[tauri::command(async)]
pub fn topic_articles(
    state: State<'_, AppState>,
    topic: String,
    lang: String,
) -> Result<TopicArticles, CommandError> {
    state.with_library(|l| l.topic_articles(&topic, &lang))
}

/// Article `slug` as the clinic shows it ([`Config::article`]), reached from `topic` if given; the view is counted, anonymously. `notFound` for an unknown slug.
#[tauri::command(async)]
pub fn get_article(
    state: State<'_, AppState>,
    slug: String,
    topic: Option<String>,
) -> Result<ArticleView, CommandError> {
    let view = state.with_library(|l| state.config.article(l, &slug, topic.as_deref()))?;
    record_view(&state, &view.slug);
    Ok(view)
}

/// Searches the articles in `lang` for what a patient typed: at most `limit` results (20 when not given; 1 to 50). A search with no results is counted by its words without digits.
#[tauri::command(async)]
pub fn search(
    state: State<'_, AppState>,
    query: String,
    lang: String,
    limit: Option<usize>,
) -> Result<SearchResults, CommandError> {
    let results = state.with_library(|l| l.search(&query, &lang, limit.unwrap_or(20)))?;
    if results.results.is_empty()
        && results.message == Some(crate::search::SearchMessage::NoResults)
    {
        record_miss(&state, &lang, &query);
    }
    Ok(results)
}

/// Type-ahead: titles in `lang` for what has been typed so far.
#[tauri::command(async)]
pub fn suggest(
    state: State<'_, AppState>,
    prefix: String,
    lang: String,
) -> Result<Vec<Suggestion>, CommandError> {
    state.with_library(|l| l.suggest(&prefix, &lang))
}

/// Searches that found nothing are counted by their words, for staff to see what patients
/// miss. Like view counts, a failure is only logged.
fn record_miss(state: &AppState, lang: &str, query: &str) {
    // Only words with no digit in them: patients type phone numbers, dates of birth and
    // record numbers into search boxes (issue #11). Kept `search_miss_days` (retention).
    let words: Vec<String> = crate::search::text::words(query)
        .filter(|w| !w.chars().any(char::is_numeric))
        .take(12)
        .collect();
    if let Some(kiosk) = &state.kiosk {
        if let Ok(conn) = kiosk.lock() {
            let day = crate::store::today_utc();
            if let Err(err) = crate::store::record_search_miss(&conn, lang, &words.join(" "), &day)
            {
                tracing::warn!("could not count a search without results: {err}");
            }
        }
    }
}

/// Anonymous view counts are nice to have: a failure is logged, never shown.
fn record_view(state: &AppState, slug: &str) {
    if let Some(kiosk) = &state.kiosk {
        let day = crate::store::today_utc();
        if let Ok(conn) = kiosk.lock() {
            if let Err(err) = crate::store::record_view(&conn, slug, &day) {
                tracing::warn!("could not count an article view: {err}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Access, COMMANDS};

    fn read(path: &str) -> String {
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
            .expect(path)
    }

    #[test]
    fn the_capability_grants_exactly_the_command_list() {
        let json: serde_json::Value =
            serde_json::from_str(&read("src-tauri/capabilities/main.json")).expect("json");
        let granted: Vec<&str> = json["permissions"]
            .as_array()
            .expect("permissions")
            .iter()
            .filter_map(|p| p.as_str())
            .collect();
        let wanted: Vec<String> = COMMANDS
            .iter()
            .map(|(name, _)| format!("allow-{}", name.replace('_', "-")))
            .collect();
        assert_eq!(
            granted, wanted,
            "capabilities/main.json must list COMMANDS, in order"
        );
    }

    #[test]
    fn the_ipc_doc_describes_every_command_and_no_other() {
        let doc = read("docs/ipc.md");
        for (name, _) in COMMANDS {
            assert!(
                doc.contains(&format!("`{name}(")),
                "docs/ipc.md does not describe `{name}`"
            );
        }
        assert!(
            !doc.contains("staff_create_first"),
            "a removed command is still documented"
        );
    }

    #[test]
    fn every_staff_command_is_handled_with_a_session_check() {
        // The wiring checks the session by the command's own name; a name missing from
        // the list would make `AppState::staff` answer `internal`.
        let sources: String = [
            "callbacks.rs",
            "health.rs",
            "kiosk.rs",
            "lan.rs",
            "packs.rs",
        ]
        .iter()
        .map(|f| read(&format!("src-tauri/commands/{f}")))
        .collect();
        for (name, access) in COMMANDS {
            if *access != Access::Anyone {
                assert!(
                    sources.contains(&format!("\"{name}\", Activity::"))
                        || sources.contains(&format!("\"{name}\",\n")),
                    "`{name}` must call state.staff(token, \"{name}\", ...)"
                );
            }
        }
    }
}
