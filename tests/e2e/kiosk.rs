//! Journeys of the kiosk shell (issue #4): idle warning and reset, the attract screen,
//! refused navigation, recovery from a JavaScript error, the configuration-problem screen,
//! the staff health screen and the staff's way out of kiosk mode, front-desk mode.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{ensure, Context, Result};

use crate::driver::{Driver, Session, HOME_READY};
use crate::{tap_pin, ENTER, STAFF_NAME, STAFF_PIN};

/// A name typed into the callback form and then abandoned: it must be gone after the reset.
const WALKED_AWAY: &str = "Test Walked Away";

/// Config files for the journeys that need one, in a folder of their own.
pub struct Configs {
    dir: tempfile::TempDir,
}

impl Configs {
    pub fn new() -> Result<Self> {
        Ok(Self {
            dir: tempfile::tempdir()?,
        })
    }

    /// The folder a journey's config names as `export_dir` (outside the data folder).
    pub fn exports(&self) -> Result<PathBuf> {
        let dir = self.dir.path().join("exports");
        std::fs::create_dir_all(&dir)?;
        Ok(dir)
    }

    pub fn write(&self, name: &str, text: &str) -> Result<PathBuf> {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text)?;
        Ok(path)
    }
}

fn config_args(path: &Path) -> Vec<String> {
    vec!["--config".into(), path.to_string_lossy().into_owned()]
}

/// Starts the app the way `journey` needs it: most journeys with no config file at all.
pub async fn start(driver: &Driver, configs: &Configs, journey: &str) -> Result<Session> {
    match journey {
        "idle_warns_then_forgets_everything" => {
            let path = configs.write(
                "idle.toml",
                "[idle]\ntimeout_seconds = 10\nwarning_seconds = 20\n",
            )?;
            driver
                .session_with(&config_args(&path), HOME_READY, "the home screen")
                .await
        }
        "a_broken_config_shows_a_calm_screen" => {
            let path = configs.write(
                "broken.toml",
                "mode = \"kiosk\"\n[clinic]\naccent_colour = \"#ffff00\"\ncolour = \"blue\"\n",
            )?;
            driver
                .session_with(
                    &config_args(&path),
                    "return document.querySelector('[data-test=screen]')?.dataset.screen === 'config-problem'",
                    "the configuration problem screen",
                )
                .await
        }
        "front_desk_opens_on_the_staff_view" => {
            let path = configs.write("front-desk.toml", "mode = \"front-desk\"\n")?;
            driver
                .session_with(
                    &config_args(&path),
                    "return document.querySelector('[data-test=screen]')?.dataset.screen === 'staff-pin'",
                    "the staff PIN screen",
                )
                .await
        }
        "staff_install_an_article_update" => {
            let path = prepare_update(configs, driver.data_dir())?;
            driver
                .session_with(&config_args(&path), HOME_READY, "the home screen")
                .await
        }
        "a_front_desk_account_sees_no_admin_controls" => {
            driver.staff_add(
                crate::staff::FRONT_DESK_NAME,
                crate::staff::FRONT_DESK_PIN,
                "front-desk",
            )?;
            driver.session().await
        }
        "staff_unlock_find_and_mark_contacted" => {
            let exports = configs.exports()?;
            let path = configs.write(
                "exports.toml",
                &format!(
                    "[callbacks]\nexport_dir = {:?}\n",
                    exports.display().to_string()
                ),
            )?;
            driver
                .session_with(&config_args(&path), HOME_READY, "the home screen")
                .await
        }
        "an_admin_manages_staff_accounts" => {
            // Three wrong PINs in a row lock an account (the fewest the config allows).
            let path = configs.write("hard-lock.toml", "[staff]\nhard_lock_after = 3\n")?;
            driver
                .session_with(&config_args(&path), HOME_READY, "the home screen")
                .await
        }
        _ => driver.session().await,
    }
}

async fn js(s: &Session, script: &str) -> Result<serde_json::Value> {
    Ok(s.client.execute(script, vec![]).await?)
}

async fn visible(s: &Session, selector: &str) -> Result<bool> {
    let script = format!(
        "const e = document.querySelector({}); return !!e && !e.hidden && e.getClientRects().length > 0;",
        serde_json::to_string(selector)?
    );
    Ok(js(s, &script).await? == serde_json::Value::Bool(true))
}

/// The idle reset reloads a page that has run for half an hour (the web process's memory
/// goes back; BENCHMARKS.md, soak) or is zoomed, and the new page opens on the attract
/// screen, as the reset would have shown it; the next start after that opens on home.
pub async fn a_page_reloaded_by_the_idle_reset_opens_on_the_attract_screen(
    s: &Session,
) -> Result<()> {
    // What idle.js does when it reloads at the reset (half an hour is too long to wait here).
    s.client
        .execute(
            "sessionStorage.setItem('kiosk:attract-after-reload', '1')",
            vec![],
        )
        .await?;
    // WebDriver's own reload: a script that reloads the page can be cut off by the unload.
    s.client.refresh().await?;
    s.wait_js_for(
        "const a = document.querySelector('[data-test=attract]'); return !!a && !a.hidden && document.activeElement === a",
        "the attract screen, focused, on the reloaded page",
        45,
    )
    .await?;
    s.assert_accessible("attract-after-reload").await?;
    s.click("[data-test=attract]").await?;
    s.wait_screen("home").await?;
    ensure!(
        !visible(s, "[data-test=attract]").await?,
        "a touch on the attract screen shows home"
    );
    // The mark is used once: a later reload (a crash, a staff restart) opens on home.
    s.client.refresh().await?;
    s.wait_js_for(HOME_READY, "home after a plain reload", 45)
        .await?;
    ensure!(
        !visible(s, "[data-test=attract]").await?,
        "a plain reload opens on home, not the attract screen"
    );
    Ok(())
}

/// The idle warning counts down at least 20 s and "I'm still here" keeps everything; left to
/// run out, it forgets the patient: form, search, path, scroll, language, text size.
pub async fn idle_warns_then_forgets_everything(s: &Session) -> Result<()> {
    // A patient searches, opens an article, switches to Spanish and larger text, scrolls.
    let input = s.css("#search-input").await?;
    input.send_keys("varicose veins").await?;
    input.send_keys(ENTER).await?;
    s.wait_screen("search").await?;
    s.click("[data-test=search-result]").await?;
    s.wait_screen("article").await?;
    s.click("[data-test=lang-es]").await?;
    s.click("[data-test=text-size-large]").await?;
    s.wait_js("return document.documentElement.lang === 'es'", "Spanish")
        .await?;
    let article_title = s.text("h1").await?;

    // After 10 s without a touch: the warning, with its countdown and the button in focus.
    s.wait_js_for(
        "return !document.querySelector('[data-test=idle-warning]').hidden",
        "the idle warning",
        20,
    )
    .await?;
    let count: u32 = s.text("[data-test=idle-count]").await?.trim().parse()?;
    ensure!(
        (17..=20).contains(&count),
        "the warning counts down from 20 seconds, showed {count}"
    );
    let focused = js(s, "return document.activeElement?.dataset.test ?? null").await?;
    ensure!(
        focused == "idle-stay",
        "\"I'm still here\" has the focus, not {focused}"
    );
    ensure!(
        js(s, "return document.getElementById('main').inert").await? == true,
        "the page behind the warning is inert"
    );
    s.assert_accessible("idle-warning").await?;
    s.screenshot("idle-warning").await?;

    // "I'm still here": nothing is lost.
    s.click("[data-test=idle-stay]").await?;
    ensure!(
        !visible(s, "[data-test=idle-warning]").await?,
        "the warning goes"
    );
    ensure!(s.screen().await? == "article", "still on the article");
    ensure!(
        s.text("h1").await? == article_title,
        "the same article is still on screen"
    );

    // The patient starts a callback request, types a name, scrolls, and walks away.
    s.click("[data-test=callback-cta]").await?;
    s.wait_screen("callback").await?;
    s.css("#cb-name").await?.send_keys(WALKED_AWAY).await?;
    js(s, "window.scrollTo(0, 300); return true").await?;
    s.wait_js_for(
        "return !document.querySelector('[data-test=idle-warning]').hidden",
        "the idle warning again",
        20,
    )
    .await?;
    s.wait_js_for(
        "return !document.querySelector('[data-test=attract]').hidden",
        "the attract screen after the countdown",
        30,
    )
    .await?;
    ensure!(
        s.traces(&[WALKED_AWAY]).await?.is_empty(),
        "the abandoned name is gone from the page"
    );
    let greeting = s.text("[data-test=attract]").await?;
    ensure!(
        greeting.contains("Touch the screen to start")
            && greeting.contains("Toque la pantalla para empezar"),
        "the attract screen invites the next patient in each language: {greeting:?}"
    );
    s.assert_accessible("attract").await?;
    s.screenshot("attract").await?;

    // The next patient touches it: a fresh home screen.
    s.click("[data-test=attract]").await?;
    s.wait_screen("home").await?;
    ensure!(
        !visible(s, "[data-test=attract]").await?,
        "the attract screen goes"
    );
    let fresh = js(
        s,
        "return { lang: document.documentElement.lang,
                  normal: document.documentElement.classList.contains('text-normal'),
                  scroll: window.scrollY,
                  search: document.getElementById('search-input').value,
                  back: document.querySelector('[data-test=back]').disabled,
                  inert: document.getElementById('main').inert }",
    )
    .await?;
    ensure!(
        fresh["lang"] == "en",
        "back to the default language: {fresh}"
    );
    ensure!(fresh["normal"] == true, "back to normal text: {fresh}");
    ensure!(fresh["scroll"] == 0, "back at the top: {fresh}");
    ensure!(fresh["search"] == "", "the search box is empty: {fresh}");
    ensure!(fresh["back"] == true, "Back has nowhere to go: {fresh}");
    ensure!(
        fresh["inert"] == false,
        "the page can be used again: {fresh}"
    );

    // The webview's own history cannot reach the last patient's screens either.
    js(s, "history.back(); return true").await?;
    tokio::time::sleep(Duration::from_millis(800)).await;
    ensure!(
        s.screen().await? == "home",
        "history.back() after a reset stays home, not on {}",
        s.screen().await?
    );
    ensure!(
        s.traces(&[WALKED_AWAY]).await?.is_empty(),
        "nothing of the last patient came back"
    );
    Ok(())
}

/// Links, scripts and new windows cannot take the kiosk to another page.
pub async fn refused_navigation_stays_in_the_app(s: &Session) -> Result<()> {
    let handles = s.client.windows().await?.len();
    js(
        s,
        "const a = document.createElement('a'); a.href = 'https://example.com/'; a.textContent = 'out';
         a.dataset.test = 'outside-link'; document.querySelector('main').prepend(a); return true",
    )
    .await?;
    s.click("[data-test=outside-link]").await?;
    tokio::time::sleep(Duration::from_millis(800)).await;
    js(s, "location.href = 'https://example.com/'; return true").await?;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let opened = js(s, "return window.open('https://example.com/') === null").await?;
    tokio::time::sleep(Duration::from_millis(500)).await;

    let url = s.client.current_url().await?;
    ensure!(
        url.scheme() == "tauri" && url.host_str() == Some("localhost"),
        "the window still shows the app, not {url}"
    );
    ensure!(s.screen().await? == "home", "still on the home screen");
    ensure!(opened == true, "window.open gets no window ({opened})");
    ensure!(
        s.client.windows().await?.len() == handles,
        "no new window was opened"
    );
    // The app keeps working after the refusals.
    s.click("[data-test=topic-tile]").await?;
    s.wait_screen("topic").await?;
    Ok(())
}

/// An error nobody handled: a calm screen, then the start again; the log says what happened.
pub async fn a_javascript_error_shows_the_recovery_screen(
    s: &Session,
    data_dir: &Path,
) -> Result<()> {
    s.click("[data-test=topic-tile]").await?;
    s.wait_screen("topic").await?;
    js(
        s,
        "setTimeout(() => { throw new Error('e2e: a deliberate error'); }, 0); return true",
    )
    .await?;
    s.wait_screen("recovery").await?;
    let title = s.text("h1").await?;
    ensure!(
        title == "Something went wrong, going back to the start",
        "the recovery screen says what happens: {title:?}"
    );
    s.assert_accessible("recovery").await?;
    s.screenshot("recovery").await?;
    // No touch needed: it goes back to the start by itself.
    s.wait_screen("home").await?;
    ensure!(
        js(
            s,
            "return document.querySelector('[data-test=back]').disabled"
        )
        .await?
            == true,
        "a fresh start: Back has nowhere to go"
    );
    s.click("[data-test=topic-tile]").await?;
    s.wait_screen("topic").await?;

    let logs = std::fs::read_dir(data_dir.join("logs"))
        .context("the log folder")?
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect::<String>();
    ensure!(
        logs.contains("ui error: Error: e2e: a deliberate error")
            || logs.contains("ui error: e2e: a deliberate error"),
        "the error is in the log for staff"
    );
    Ok(())
}

/// A config file with problems: a calm screen for the patient, the details for staff.
pub async fn a_broken_config_shows_a_calm_screen(s: &Session) -> Result<()> {
    let title = s.text("h1").await?;
    ensure!(
        title == "This kiosk needs a quick check",
        "a calm title, got {title:?}"
    );
    // The problems name files and values: never on the patient's screen (issue #11), only
    // a hint for staff.
    let hint = s.text("[data-test=config-staff-hint]").await?;
    ensure!(
        hint.contains("clinic-kiosk config check"),
        "staff are told where to look: {hint:?}"
    );
    let page = s.text("#main").await?;
    ensure!(
        !page.contains("accent_colour") && !page.contains(".toml"),
        "no problem details on the patient's screen: {page:?}"
    );
    ensure!(
        visible(s, "[data-test=staff-open]").await?,
        "staff can still open the staff view"
    );
    s.assert_accessible("config-problem").await?;
    s.screenshot("config-problem").await?;

    // Behind the PIN, Kiosk health lists them with their keys and lines.
    sign_in_staff(s).await?;
    s.click("[data-test=health-tab]").await?;
    let text = s
        .wait_js(
            "return document.querySelector('[data-test=health-config-problems]')?.textContent",
            "the config problems in Kiosk health",
        )
        .await?
        .to_string();
    ensure!(
        text.contains("clinic.accent_colour") && text.contains("colour"),
        "both problems are listed with their keys: {text}"
    );
    ensure!(
        text.contains(":3:") && text.contains(":4:"),
        "each problem names its line: {text}"
    );
    ensure!(
        !text.contains("panicked") && !text.contains("RUST_BACKTRACE"),
        "no crash text"
    );
    Ok(())
}

fn walk_md(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| {
            let path = e.path();
            if path.is_dir() {
                walk_md(&path)
            } else {
                usize::from(path.extension().is_some_and(|x| x == "md"))
            }
        })
        .sum()
}

/// Unlocks the staff view as the admin made on the command line and waits for the inbox.
pub async fn sign_in_staff(s: &Session) -> Result<()> {
    sign_in_as(s, STAFF_NAME, STAFF_PIN).await
}

/// Unlocks the staff view as `name` and waits for the inbox.
pub async fn sign_in_as(s: &Session, name: &str, pin: &str) -> Result<()> {
    // A front-desk laptop is there already.
    if s.screen().await? != "staff-pin" {
        s.click("[data-test=staff-open]").await?;
    }
    s.wait_screen("staff-pin").await?;
    let names = s.count("[data-test=staff-name]").await?;
    if names > 1 {
        s.click(&format!("[data-test=staff-name][data-name='{name}']"))
            .await?;
    }
    tap_pin(s, pin).await?;
    s.wait_screen("inbox").await
}

/// The health tab tells staff how the kiosk is; only a signed-in staff member can leave
/// kiosk mode, and then the window becomes an ordinary one.
pub async fn staff_health_and_leaving_kiosk_mode(s: &Session) -> Result<()> {
    let (_, _, full_width, full_height) = s.client.get_window_rect().await?;
    ensure!(
        full_width >= 1900 && full_height >= 1000,
        "the kiosk covers the screen ({full_width}x{full_height})"
    );
    // Without a staff session the command is refused by Rust.
    let refused = s
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.__TAURI__.core.invoke('staff_leave_kiosk', { token: 'not-a-session' })
               .then(() => done('accepted'), (e) => done(e.kind));",
            vec![],
        )
        .await?;
    ensure!(
        refused == "unauthorized",
        "leaving kiosk mode without a PIN is refused, got {refused}"
    );
    let (_, _, width, _) = s.client.get_window_rect().await?;
    ensure!(width == full_width, "still fullscreen after the refusal");

    // Something takes fullscreen away (here WebDriver resizes the window): the kiosk puts
    // it back within a second or two.
    s.client.set_window_rect(0, 0, 800, 600).await?;
    wait_for_rect(
        s,
        |w, h| w == full_width && h == full_height,
        "fullscreen put back",
    )
    .await?;

    sign_in_staff(s).await?;
    s.click("[data-test=health-tab]").await?;
    s.wait_js(
        "return document.querySelector('[data-test=health-articles] dd')?.textContent",
        "the health facts",
    )
    .await?;
    let articles: u32 = s
        .text("[data-test=health-articles] dd")
        .await?
        .trim()
        .parse()
        .context("the article count is a number")?;
    // Every article file of content/ (in any language) is in the library.
    let files = walk_md(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content"));
    ensure!(
        articles as usize == files,
        "the health screen counts every article ({articles} shown, {files} files in content/)"
    );
    let version = s.text("[data-test=health-app] dd").await?;
    ensure!(
        version == env!("CARGO_PKG_VERSION"),
        "the app version is shown: {version}"
    );
    ensure!(
        s.text("[data-test=health-mode] dd").await? == "kiosk",
        "the mode is shown"
    );
    s.assert_accessible("staff-health").await?;
    s.screenshot("staff-health").await?;

    s.click("[data-test=leave-kiosk]").await?;
    s.wait_js(
        "return document.querySelector('[data-test=health] [role=status]')?.textContent",
        "the confirmation",
    )
    .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (_, _, width, height) = s.client.get_window_rect().await?;
    ensure!(
        width < full_width && height < full_height,
        "after leaving kiosk mode the window is an ordinary one ({width}x{height})"
    );
    // The audit log records who did it.
    s.click("[data-test=audit-tab]").await?;
    s.wait_js(
        "return document.querySelector('[data-test=audit-row][data-action=leave-kiosk]')",
        "the audit entry",
    )
    .await?;
    // Staff lock the view (or walk away): the window is a kiosk again.
    s.click("[data-test=staff-lock]").await?;
    wait_for_rect(
        s,
        |w, h| w == full_width && h == full_height,
        "kiosk mode back once the staff session ended",
    )
    .await?;
    Ok(())
}

/// Waits up to 5 s for the window's size to satisfy `ok`.
async fn wait_for_rect(s: &Session, ok: impl Fn(u64, u64) -> bool, what: &str) -> Result<()> {
    let mut last = (0, 0);
    for _ in 0..50 {
        let (_, _, w, h) = s.client.get_window_rect().await?;
        if ok(w, h) {
            return Ok(());
        }
        last = (w, h);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("{what}: the window stayed {}x{}", last.0, last.1)
}

/// A front-desk laptop opens on the staff view, and has no idle attract screen.
pub async fn front_desk_opens_on_the_staff_view(s: &Session) -> Result<()> {
    ensure!(
        s.count("[data-test=attract]").await? == 0,
        "no attract screen on a front-desk laptop"
    );
    ensure!(
        !visible(s, "[data-test=staff-open]").await?,
        "the Staff button is not needed in the staff view"
    );
    Ok(())
}

/// Pids of running copies of `app` that use `data_dir`, newest last.
fn app_pids(app: &Path, data_dir: &Path) -> Vec<u32> {
    let want_env = format!("CLINIC_KIOSK_DATA_DIR={}", data_dir.display());
    let mut pids: Vec<u32> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .filter(|pid: &u32| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let argv0 = cmdline.split(|b| *b == 0).next().unwrap_or_default();
            let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
            Path::new(&*String::from_utf8_lossy(argv0)) == app
                && environ
                    .split(|b| *b == 0)
                    .any(|kv| kv == want_env.as_bytes())
        })
        .collect();
    pids.sort_unstable();
    pids
}

/// Children of `parent` whose command name starts with `prefix`.
fn children_named(parent: u32, prefix: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // pid (comm) state ppid ...: comm may hold spaces, so split after the last ')'.
            let Some((head, tail)) = stat.rsplit_once(')') else {
                return false;
            };
            let comm = head.split_once('(').map(|(_, c)| c).unwrap_or_default();
            let ppid = tail
                .split_whitespace()
                .nth(1)
                .and_then(|p| p.parse::<u32>().ok());
            ppid == Some(parent) && comm.starts_with(prefix)
        })
        .collect()
}

fn log_text(data_dir: &Path) -> String {
    std::fs::read_dir(data_dir.join("logs"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect()
}

/// The page's web process is killed: the app loads its start page again by itself. WebDriver
/// cannot follow the page into the new process, so the app's own log is the witness: the
/// shell saw the process end, and the new page said it was ready.
pub async fn a_killed_web_process_is_reloaded(s: Session, driver: &Driver) -> Result<()> {
    let data_dir = driver.data_dir();
    let pids = app_pids(&driver.app, data_dir);
    let app = *pids.last().context("the running app's pid")?;
    let web = children_named(app, "WebKitWebProces");
    ensure!(!web.is_empty(), "the app {app} has a web process");
    let before = log_text(data_dir).matches("was loaded again").count();
    for pid in &web {
        std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status()?;
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let outcome = loop {
        let log = log_text(data_dir);
        if log.contains("the web process ended") && log.matches("was loaded again").count() > before
        {
            break Ok(());
        }
        if std::time::Instant::now() > deadline {
            break Err(anyhow::anyhow!(
                "within 30 s of killing the web process the log should say it ended and the page was loaded again"
            ));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let fresh = children_named(app, "WebKitWebProces");
    // The session cannot be used any more; end it, and the app with it, without waiting on it.
    let _ = tokio::time::timeout(Duration::from_secs(5), s.close()).await;
    for pid in app_pids(&driver.app, data_dir) {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
    outcome?;
    ensure!(
        fresh.iter().all(|pid| !web.contains(pid)) && !fresh.is_empty(),
        "a new web process serves the page ({web:?} before, {fresh:?} after)"
    );
    Ok(())
}

/// Starting the app again while it runs (a double click, an autostart racing the service)
/// only raises the running kiosk: the second copy exits at once.
pub async fn a_second_start_only_raises_the_running_kiosk(
    s: &Session,
    driver: &Driver,
) -> Result<()> {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        anyhow::bail!(
            "no D-Bus session: run the end-to-end tests through scripts/test (dbus-run-session)"
        );
    }
    let data_dir = driver.data_dir();
    let running = app_pids(&driver.app, data_dir);
    ensure!(running.len() == 1, "one kiosk runs: {running:?}");
    let mut second = std::process::Command::new(&driver.app)
        .env("CLINIC_KIOSK_DATA_DIR", data_dir)
        .env("CLINIC_KIOSK_LOG", "warn")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = second.try_wait()? {
            break Some(status);
        }
        if std::time::Instant::now() > deadline {
            break None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let Some(status) = status else {
        let _ = second.kill();
        let _ = second.wait();
        anyhow::bail!("the second start was still running after 15 s");
    };
    ensure!(status.success(), "the second start exits cleanly: {status}");
    ensure!(
        app_pids(&driver.app, data_dir) == running,
        "the first kiosk keeps running, alone"
    );
    // And it still works.
    s.click("[data-test=topic-tile]").await?;
    s.wait_screen("topic").await?;
    Ok(())
}

/// Copies `from` into `to`, recursively.
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// The title of the article only the update has.
const UPDATE_TITLE: &str = "Parking and getting here";

/// Writes a signed pack (the shipped articles plus one new one) where staff would put it,
/// and a config that trusts its key. Returns the config's path.
pub fn prepare_update(configs: &Configs, data_dir: &Path) -> Result<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir()?;
    let content = work.path().join("content");
    copy_tree(&root.join("content"), &content)?;
    let original = std::fs::read_to_string(content.join("articles/first-visit-what-to-bring.md"))?;
    let article = original
        .replace(
            "title = \"What to bring to your first visit\"",
            &format!("title = \"{UPDATE_TITLE}\""),
        )
        .replace(
            "slug = \"first-visit-what-to-bring\"",
            "slug = \"parking-and-getting-here\"",
        )
        .replace(
            "canonical_url = \"https://clinic.example/articles/first-visit-what-to-bring\"",
            "canonical_url = \"https://clinic.example/articles/parking-and-getting-here\"",
        );
    std::fs::write(
        content.join("articles/parking-and-getting-here.md"),
        article,
    )?;
    let (secret, public) = clinic_kiosk::pack::keygen();
    let key_file = work.path().join("publisher.key");
    std::fs::write(&key_file, secret)?;
    let key = clinic_kiosk::pack::read_secret(&key_file)?;
    let packs = data_dir.join("packs");
    std::fs::create_dir_all(&packs)?;
    clinic_kiosk::pack::create(
        &content,
        &key,
        202611250001,
        &packs.join("articles-update.ckpack"),
    )?;
    configs.write(
        "packs.toml",
        &format!("[content]\ntrusted_keys = [\"{public}\"]\n"),
    )
}

/// Staff install a signed article update from the kiosk's pack folder (as from a USB stick);
/// the new article is there at once, without a restart.
pub async fn staff_install_an_article_update(s: &Session) -> Result<()> {
    sign_in_staff(s).await?;
    s.click("[data-test=health-tab]").await?;
    s.wait_js(
        "return !!document.querySelector('[data-test=pack][data-state=ready]')",
        "the signed update, ready to install",
    )
    .await?;
    ensure!(
        s.text("[data-test=packs-installed]")
            .await?
            .contains("shipped with the app"),
        "before: the shipped articles"
    );
    s.assert_accessible("staff-packs").await?;
    s.screenshot("staff-packs").await?;
    s.click("[data-test=pack-import]").await?;
    s.wait_js_for(
        "return document.querySelector('[data-test=health] [role=status]')?.textContent.includes('Installed')",
        "the update installed",
        30,
    )
    .await?;
    ensure!(
        s.text("[data-test=packs-installed]")
            .await?
            .contains("202611250001"),
        "the new content version is shown"
    );
    // A patient finds the new article.
    s.click("[data-test=home]").await?;
    s.wait_screen("home").await?;
    let input = s.css("#search-input").await?;
    input.send_keys("parking").await?;
    input.send_keys(crate::ENTER).await?;
    s.wait_screen("search").await?;
    s.wait_js(
        "return [...document.querySelectorAll('[data-test=search-result]')].some(r => r.dataset.slug === 'parking-and-getting-here')",
        "the new article in the results",
    )
    .await?;
    Ok(())
}
