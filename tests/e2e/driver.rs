//! The real kiosk under WebDriver: tauri-driver (which runs WebKitWebDriver) on free local
//! ports, one app session per journey, screenshots and axe-core checks.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, ensure, Context, Result};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// The tauri-driver process; stopped with SIGTERM on drop (SIGKILL would orphan
/// WebKitWebDriver, which then holds the port and the output pipe).
pub struct Driver {
    child: Child,
    port: u16,
    pub app: PathBuf,
    /// Kept alive (and removed on drop) for the app sessions that use it.
    _data_dir: tempfile::TempDir,
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Driver {
    pub fn start() -> Result<Self> {
        if std::env::var_os("DISPLAY").is_none() {
            bail!("no DISPLAY: run the end-to-end tests through scripts/test, which starts Xvfb");
        }
        let app = PathBuf::from(env!("CARGO_BIN_EXE_clinic-kiosk"));
        let data_dir = tempfile::tempdir()?;
        let port = free_port()?;
        let native = free_port()?;
        let tauri_driver = std::env::var_os("TAURI_DRIVER")
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin/tauri-driver"))
            })
            .filter(|p| p.is_file())
            .unwrap_or_else(|| PathBuf::from("tauri-driver"));
        let child = Command::new(&tauri_driver)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .env("CLINIC_KIOSK_DATA_DIR", data_dir.path())
            .env("CLINIC_KIOSK_LOG", "warn,clinic_kiosk::shell=info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| {
                format!(
                    "cannot start {}; install it with `cargo install tauri-driver --locked`",
                    tauri_driver.display()
                )
            })?;
        let driver = Driver {
            child,
            port,
            app,
            _data_dir: data_dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                bail!("tauri-driver did not listen on port {port} within 20 s");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(driver)
    }

    /// The local port tauri-driver listens on, for benchmarks that start other apps
    /// (benches/startup.rs); the journeys do not need it.
    #[allow(dead_code)]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The app's data folder (library.db, kiosk.db, logs/) shared by this run's sessions.
    pub fn data_dir(&self) -> &Path {
        self._data_dir.path()
    }

    /// Adds a staff account the way IT does, before the app starts: the app binary as a
    /// command line, `clinic-kiosk staff add NAME --role ROLE`, the PIN on stdin (the screen
    /// never makes accounts).
    pub fn staff_add(&self, name: &str, pin: &str, role: &str) -> Result<()> {
        use std::io::Write;
        let mut child = Command::new(&self.app)
            .args(["staff", "add", name, "--role", role])
            .env("CLINIC_KIOSK_DATA_DIR", self.data_dir())
            .env("CLINIC_KIOSK_LOG", "warn,clinic_kiosk::shell=info")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot run {} staff add", self.app.display()))?;
        child
            .stdin
            .take()
            .context("the command's stdin")?
            .write_all(format!("{pin}\n").as_bytes())?;
        let out = child.wait_with_output()?;
        ensure!(
            out.status.success(),
            "`clinic-kiosk staff add {name:?} --role {role}` failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(())
    }

    /// Forgets the kiosk-wide callback burst limit (5 requests in 10 minutes by default)
    /// between journeys: the journeys share one data folder, and how many requests earlier
    /// ones sent within the window depends on how fast the machine ran them, so a journey
    /// could be told "too many requests" on a fast machine and not on a slow one. No journey
    /// tests that limit (tests/callback_queue.rs does). The app is not running.
    pub fn forget_callback_burst(&self) -> Result<()> {
        let path = self.data_dir().join("kiosk.db");
        if !path.exists() {
            return Ok(());
        }
        let conn = rusqlite::Connection::open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        conn.execute("DELETE FROM setting WHERE key = 'burst_tat'", [])
            .with_context(|| format!("cannot clear the burst limit in {}", path.display()))?;
        Ok(())
    }

    /// Starts the app and connects to it, once its home screen shows the topic tiles.
    pub async fn session(&self) -> Result<Session> {
        self.session_with(&[], HOME_READY, "the home screen with topic tiles")
            .await
    }

    /// Starts the app with `args` (such as `--config FILE`) and connects to it once
    /// `ready` (a script that returns a value) is truthy.
    pub async fn session_with(&self, args: &[String], ready: &str, what: &str) -> Result<Session> {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            json!({ "application": self.app.to_string_lossy(), "args": args }),
        );
        let mut last = None;
        // The first launch builds the library; WebKitWebDriver may need a moment.
        for _ in 0..3 {
            match ClientBuilder::native()
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{}", self.port))
                .await
            {
                Ok(client) => {
                    let session = Session { client };
                    // A cold start on a busy 2-core machine (a library rebuilt, another
                    // build running) can take well over 10 s.
                    session.wait_js_for(ready, what, 45).await?;
                    return Ok(session);
                }
                Err(e) => {
                    last = Some(e);
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
        Err(anyhow!("could not start a session: {:?}", last))
    }
}

/// The home screen is up and has its topic tiles.
pub const HOME_READY: &str =
    "return !!document.querySelector('[data-test=screen][data-screen=home] [data-test=topic-tile]')";

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
    }
}

/// One running app window.
pub struct Session {
    pub client: Client,
}

impl Session {
    pub async fn close(self) {
        let _ = self.client.close().await;
    }

    /// Runs `script` (which must `return` a value) until it returns something truthy.
    pub async fn wait_js(&self, script: &str, what: &str) -> Result<Value> {
        self.wait_js_for(script, what, 10).await
    }

    /// As [`Session::wait_js`], waiting up to `secs` seconds.
    pub async fn wait_js_for(&self, script: &str, what: &str, secs: u64) -> Result<Value> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let v = self.client.execute(script, vec![]).await?;
            let truthy = match &v {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::String(s) => !s.is_empty(),
                Value::Number(n) => n.as_f64() != Some(0.0),
                _ => true,
            };
            if truthy {
                return Ok(v);
            }
            if Instant::now() > deadline {
                bail!("timed out after {secs} s waiting for {what}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn css(&self, selector: &str) -> Result<fantoccini::elements::Element> {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(selector))
            .await
            .with_context(|| format!("no element matches `{selector}`"))
    }

    pub async fn click(&self, selector: &str) -> Result<()> {
        let element = self.css(selector).await?;
        // WebKitWebDriver does not always scroll a control below the fold into view before
        // clicking it (it then answers "element not interactable"): bring it to the middle.
        self.client
            .execute(
                &format!(
                    "const e = document.querySelector({}); if (e && getComputedStyle(e).position !== 'fixed' && !e.closest('[data-test=keyboard]')) e.scrollIntoView({{ block: 'center' }}); return true;",
                    serde_json::to_string(selector)?
                ),
                vec![],
            )
            .await?;
        element.click().await?;
        Ok(())
    }

    pub async fn screen(&self) -> Result<String> {
        Ok(self
            .css("[data-test=screen]")
            .await?
            .attr("data-screen")
            .await?
            .unwrap_or_default())
    }

    pub async fn wait_screen(&self, name: &str) -> Result<()> {
        let waited = self
            .wait_js(
                &format!(
                    "return document.querySelector('[data-test=screen]')?.dataset.screen === '{name}'"
                ),
                &format!("the {name} screen"),
            )
            .await;
        match waited {
            Ok(_) => Ok(()),
            // Say what was on screen instead, and any alert it showed (a refusal, a field
            // message): a timeout alone does not say why a journey stopped.
            Err(e) => {
                let shown = self
                    .client
                    .execute(
                        "const alerts = [...document.querySelectorAll('[role=alert], .error-summary')]
                           .filter((e) => !e.hidden && e.getClientRects().length > 0)
                           .map((e) => e.textContent.trim()).filter(Boolean);
                         return `${document.querySelector('[data-test=screen]')?.dataset.screen} ${JSON.stringify(alerts)}`;",
                        vec![],
                    )
                    .await
                    .map(|v| v.as_str().unwrap_or_default().to_string())
                    .unwrap_or_default();
                Err(e.context(format!("on screen instead: {shown}")))
            }
        }
    }

    pub async fn text(&self, selector: &str) -> Result<String> {
        Ok(self.css(selector).await?.text().await?)
    }

    pub async fn count(&self, selector: &str) -> Result<usize> {
        Ok(self.client.find_all(Locator::Css(selector)).await?.len())
    }

    pub async fn attrs(&self, selector: &str, attr: &str) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for e in self.client.find_all(Locator::Css(selector)).await? {
            out.push(e.attr(attr).await?.unwrap_or_default());
        }
        Ok(out)
    }

    /// Types `text` on the on-screen keyboard's keys, as a finger would: shift before a
    /// capital letter, the space bar for spaces. The keyboard must be open.
    pub async fn tap_keys(&self, text: &str) -> Result<()> {
        for c in text.chars() {
            let key = match c {
                ' ' => "space".to_string(),
                c if c.is_uppercase() => {
                    self.click("[data-test=key][data-key=shift]").await?;
                    c.to_string()
                }
                c => c.to_string(),
            };
            let selector = format!("[data-test=key][data-key={}]", serde_json::to_string(&key)?);
            self.click(&selector).await?;
        }
        Ok(())
    }

    /// Fails unless the on-screen keyboard is open and `selector` is wholly above it and
    /// below the header.
    pub async fn assert_keyboard_clear_of(&self, selector: &str) -> Result<()> {
        self.wait_js(
            "const k = document.querySelector('[data-test=keyboard]'); return !!k && k.getBoundingClientRect().height > 0 && document.getAnimations().length === 0",
            "the on-screen keyboard, settled",
        )
        .await?;
        let sel = serde_json::to_string(selector)?;
        let edges = self
            .client
            .execute(
                &format!(
                    "const f = document.querySelector({sel}).getBoundingClientRect();
                     const k = document.querySelector('[data-test=keyboard]').getBoundingClientRect();
                     const h = document.getElementById('site-header').getBoundingClientRect();
                     return [f.top, f.bottom, k.top, h.bottom];"
                ),
                vec![],
            )
            .await?;
        let n = |i: usize| edges[i].as_f64().unwrap_or(f64::NAN);
        let (top, bottom, keyboard_top, header_bottom) = (n(0), n(1), n(2), n(3));
        ensure!(
            bottom <= keyboard_top && top >= header_bottom,
            "the keyboard or the header covers {selector}: field {top}..{bottom}, header ends at {header_bottom}, keyboard starts at {keyboard_top}"
        );
        Ok(())
    }

    /// Which of `needles` appear anywhere in the page: its markup, its text, or the value
    /// of any field.
    pub async fn traces(&self, needles: &[&str]) -> Result<Vec<String>> {
        // The needles go in as a JSON literal rather than as script arguments.
        let script = format!(
            "const needles = {};
             const values = [...document.querySelectorAll('input, textarea, select')].map(e => e.value).join(' | ');
             const html = document.documentElement.outerHTML;
             const text = document.body.innerText;
             return needles.filter(n => html.includes(n) || text.includes(n) || values.includes(n));",
            json!(needles)
        );
        let found = self.client.execute(&script, vec![]).await?;
        Ok(serde_json::from_value(found)?)
    }

    /// Writes a PNG of the window under target/screenshots/ for people to look at.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        // Let fonts, focus rings and transitions settle.
        tokio::time::sleep(Duration::from_millis(400)).await;
        // WebKitWebDriver's screenshot waits for the page's next frame, and WebKitGTK does
        // not always draw one for a page at rest (the call then never returns). Keep a few
        // frames coming while it waits, with a change of colour no one can see.
        self.client
            .execute(
                "const body = document.body; let n = 0;
                 clearInterval(window.__driverShot);
                 window.__driverShot = setInterval(() => {
                   n += 1;
                   body.style.setProperty('background-color', n % 2 ? '#f2f4f4' : '#f2f4f3');
                   if (n > 30) { clearInterval(window.__driverShot); body.style.removeProperty('background-color'); }
                 }, 100);
                 return true;",
                vec![],
            )
            .await?;
        let png = self.client.screenshot().await;
        // The flicker ends with the picture: a timer WebKit throttles would otherwise leave
        // the page's background changed for a check that comes next (a contrast check read
        // it in the front desk's journey).
        self.client
            .execute(
                "clearInterval(window.__driverShot); document.body.style.removeProperty('background-color'); return true;",
                vec![],
            )
            .await?;
        let png = png?;
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Injects axe-core and fails on any serious or critical WCAG 2.x A/AA violation. Also
    /// fails on words leaked from the code (`null`, `undefined`, `[object Object]`, `NaN`).
    ///
    /// One rule is off on purpose: `meta-viewport` (zooming must not be disabled). A lobby
    /// kiosk turns pinch and double-tap zoom off (issue #10: a zoomed page strands the next
    /// patient); text is made larger with the app's own text size buttons instead.
    pub async fn assert_accessible(&self, screen: &str) -> Result<()> {
        let leaked = self
            .client
            .execute(
                "return (document.body.innerText.match(/\\b(null|undefined|NaN)\\b|\\[object Object\\]/g) ?? []).join(', ')",
                vec![],
            )
            .await?;
        if leaked.as_str().is_some_and(|t| !t.is_empty()) {
            bail!("the {screen} screen shows words from the code: {leaked}");
        }
        let axe = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/e2e/node_modules/axe-core/axe.min.js");
        let source = std::fs::read_to_string(&axe).with_context(|| {
            format!(
                "{} is missing; run `npm ci` in tests/e2e (scripts/test does)",
                axe.display()
            )
        })?;
        let loaded = self
            .client
            .execute(
                &format!("{source}\n;return typeof axe !== 'undefined';"),
                vec![],
            )
            .await?;
        if loaded != Value::Bool(true) {
            bail!("axe-core did not load into the page");
        }
        let result = self
            .client
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                   axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] }, rules: { 'meta-viewport': { enabled: false } }, resultTypes: ['violations'] })
                     .then(r => done(JSON.stringify(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                         nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').replace(/\s+/g, ' ')) })))))
                     .catch(e => done('axe failed: ' + e));"#,
                vec![],
            )
            .await?;
        let text = result.as_str().unwrap_or_default();
        let violations: Vec<Value> = serde_json::from_str(text)
            .map_err(|_| anyhow!("axe-core did not run on the {screen} screen: {text}"))?;
        let serious: Vec<&Value> = violations
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .collect();
        for v in &violations {
            if !serious.contains(&v) {
                eprintln!(
                    "  axe ({screen}, {}): {} {}",
                    v["impact"], v["id"], v["help"]
                );
            }
        }
        if !serious.is_empty() {
            bail!(
                "axe-core found serious or critical violations on the {screen} screen:\n{}",
                serde_json::to_string_pretty(&serious)?
            );
        }
        Ok(())
    }
}
