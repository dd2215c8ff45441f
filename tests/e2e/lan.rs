//! The front-desk link in the real window (issue #5): a kiosk pairs with a front desk by its
//! code and sends to it; a front-desk laptop shows a code, pairs a kiosk and unpairs it. The
//! other side of each is the app's own LAN code running in the test.

use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::{ensure, Context, Result};

use crate::driver::{Driver, Session, HOME_READY};
use crate::kiosk::{sign_in_staff, Configs};
use clinic_kiosk::lan;

/// A front-desk laptop run by the test: its own kiosk.db and certificate, on loopback.
pub struct Laptop {
    pub front: Arc<lan::FrontDesk>,
    pub db: Arc<Mutex<rusqlite::Connection>>,
    pub address: String,
    _dir: tempfile::TempDir,
}

impl Laptop {
    pub async fn start() -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let db = Arc::new(Mutex::new(clinic_kiosk::store::open(
            &dir.path().join("kiosk.db"),
        )?));
        let identity = lan::tls::Identity::load_or_create(dir.path())?;
        let front = Arc::new(lan::FrontDesk::new(identity, db.clone()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = format!("127.0.0.1:{}", listener.local_addr()?.port());
        tokio::spawn(lan::server::serve(front.clone(), listener));
        Ok(Laptop {
            front,
            db,
            address,
            _dir: dir,
        })
    }

    fn requests(&self) -> usize {
        self.db
            .lock()
            .map(|c| {
                c.query_row("SELECT count(*) FROM callback_request", [], |r| {
                    r.get::<_, i64>(0)
                })
                .unwrap_or(0)
            })
            .unwrap_or(0) as usize
    }
}

async fn type_into(s: &Session, selector: &str, text: &str) -> Result<()> {
    let field = s.css(selector).await?;
    field.clear().await?;
    field.send_keys(text).await?;
    Ok(())
}

pub async fn a_kiosk_pairs_with_the_front_desk_and_sends_to_it(s: &Session) -> Result<()> {
    let laptop = Laptop::start().await?;
    sign_in_staff(s).await?;
    s.click("[data-test=lan-tab]").await?;
    s.css("#lan-address").await?;

    // A wrong code first: a clear message, nothing paired.
    let code = laptop
        .front
        .open_code(clinic_kiosk::callbacks::now_ms())
        .code;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    type_into(s, "#lan-address", &laptop.address).await?;
    type_into(s, "#lan-code", wrong).await?;
    s.click("[data-test=lan-pair]").await?;
    s.wait_js_for(
        "return document.querySelector('[data-test=lan-status]')?.textContent.includes('did not match')",
        "the wrong-code message",
        20,
    )
    .await?;
    ensure!(
        lan::store::kiosks(&laptop.db.lock().unwrap())?.is_empty(),
        "nothing paired"
    );

    type_into(s, "#lan-code", &code).await?;
    type_into(s, "#lan-name", "Lobby kiosk").await?;
    s.click("[data-test=lan-pair]").await?;
    s.wait_js_for(
        "return !!document.querySelector('[data-test=lan-paired]')",
        "the paired state",
        20,
    )
    .await?;
    let shown = s.text("[data-test=lan]").await?;
    let fp = lan::tls::short_fingerprint(&laptop.front.identity.fingerprint());
    ensure!(
        shown.contains(&fp),
        "the kiosk shows the laptop's certificate {fp}: {shown:?}"
    );
    let kiosks = lan::store::kiosks(&laptop.db.lock().unwrap())?;
    ensure!(
        kiosks.len() == 1 && kiosks[0].name == "Lobby kiosk",
        "the laptop knows the kiosk by its name"
    );
    s.assert_accessible("lan-kiosk").await?;
    s.screenshot("lan-kiosk-paired").await?;

    // A patient's request reaches the laptop.
    s.click("[data-test=home]").await?;
    s.wait_screen("home").await?;
    crate::ask_for_a_call(s, "Test Patient Lan", "201-555-0188", "spine").await?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while laptop.requests() == 0 {
        ensure!(
            std::time::Instant::now() < deadline,
            "the request reached the laptop within 20 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    ensure!(laptop.requests() == 1, "once");

    // Issue #15: the kiosk reported its health to the front desk when it paired, through
    // the app's own reporting task: the laptop's list shows it, with no patient data.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let report = loop {
        let stored = lan::store::health(&laptop.db.lock().unwrap())?;
        if let Some(h) = stored.into_iter().next() {
            break h.report;
        }
        ensure!(
            std::time::Instant::now() < deadline,
            "a health report reached the laptop within 20 s of pairing"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    let report: lan::fleet::KioskReport = serde_json::from_str(&report)?;
    ensure!(
        report.app_version == env!("CARGO_PKG_VERSION"),
        "{report:?}"
    );
    ensure!(
        report.article_count.is_some_and(|n| n > 0),
        "the kiosk's library: {report:?}"
    );
    let json = serde_json::to_string(&report)?;
    ensure!(
        !json.contains("Test Patient") && !json.contains("555-0188"),
        "no patient data in the report"
    );
    Ok(())
}

pub async fn start_front_desk(driver: &Driver, configs: &Configs) -> Result<(Session, String)> {
    start_front_desk_with(driver, configs, "").await
}

/// A front-desk laptop on a free loopback port, its config ending with `extra` (TOML).
pub async fn start_front_desk_with(
    driver: &Driver,
    configs: &Configs,
    extra: &str,
) -> Result<(Session, String)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let address = format!("127.0.0.1:{port}");
    let path = configs.write(
        "front-desk-lan.toml",
        &format!("mode = \"front-desk\"\n[front_desk]\nlisten = \"{address}\"\n{extra}"),
    )?;
    let session = driver
        .session_with(
            &["--config".into(), path.to_string_lossy().into_owned()],
            "return document.querySelector('[data-test=screen]')?.dataset.screen === 'staff-pin'",
            "the staff PIN screen",
        )
        .await?;
    let _ = HOME_READY;
    Ok((session, address))
}

pub async fn the_front_desk_pairs_and_unpairs_a_kiosk(
    s: &Session,
    address: &str,
    data: &Path,
) -> Result<()> {
    sign_in_staff(s).await?;
    s.click("[data-test=lan-tab]").await?;
    s.click("[data-test=lan-show-code]").await?;
    let code: String = s
        .text("[data-test=lan-code]")
        .await?
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    ensure!(code.len() == 6, "a six-digit code is shown: {code:?}");
    ensure!(
        s.count("[data-test=lan-code-box] .lan__qr svg").await? == 1,
        "and a QR code of it"
    );
    s.assert_accessible("lan-laptop").await?;
    s.screenshot("lan-laptop-code").await?;

    // The test plays the kiosk.
    let pairing = lan::client::pair(
        address,
        &code,
        "Test kiosk",
        clinic_kiosk::callbacks::now_ms(),
    )
    .await
    .context("pairing with the app's front-desk port")?;
    s.click("[data-test=audit-tab]").await?;
    s.click("[data-test=lan-tab]").await?;
    s.wait_js(
        "return !!document.querySelector('[data-test=lan-kiosk]')",
        "the paired kiosk in the list",
    )
    .await?;
    ensure!(s
        .text("[data-test=lan-kiosk]")
        .await?
        .contains("Test kiosk"));
    let cert = std::fs::read(data.join("lan-cert.der"))
        .context("the laptop's certificate in its data folder")?;
    ensure!(
        pairing.fingerprint == lan::tls::fingerprint(&cert),
        "the kiosk pinned the laptop's own certificate"
    );

    // Unpair: the kiosk's requests are refused from then on.
    s.click("[data-test=lan-unpair-kiosk]").await?;
    s.wait_js(
        "return !document.querySelector('[data-test=lan-kiosk]')",
        "the kiosk gone from the list",
    )
    .await?;
    let http = lan::client::pinned_client(&pairing.fingerprint);
    let now = clinic_kiosk::callbacks::now_ms() / 1000;
    let body = b"{}".to_vec();
    let status = http
        .post(format!("https://{address}/requests"))
        .header(lan::KIOSK_HEADER, &pairing.kiosk_id)
        .header(
            clinic_kiosk::delivery::webhook::TIMESTAMP_HEADER,
            now.to_string(),
        )
        .header(
            clinic_kiosk::delivery::webhook::SIGNATURE_HEADER,
            clinic_kiosk::delivery::webhook::sign(&pairing.secret, now, &body),
        )
        .body(body)
        .send()
        .await?
        .status()
        .as_u16();
    ensure!(status == 401, "an unpaired kiosk is refused, got {status}");
    Ok(())
}

/// A kiosk played by the test (issue #15): its own data folder, library and kiosk.db, paired
/// with the app's front-desk port, reporting with the app's own fleet code.
struct TestKiosk {
    dir: tempfile::TempDir,
    db: Arc<Mutex<rusqlite::Connection>>,
    library: Mutex<Result<clinic_kiosk::library::Library, String>>,
    pairing: lan::store::Pairing,
    reporter: clinic_kiosk::fleet::Reporter,
}

impl TestKiosk {
    async fn pair(address: &str, code: &str, name: &str) -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let db = Arc::new(Mutex::new(clinic_kiosk::store::open(
            &dir.path().join("kiosk.db"),
        )?));
        let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        let (lib, _) =
            clinic_kiosk::library::open_or_build(&content, &dir.path().join("library.db"))?;
        let pairing =
            lan::client::pair(address, code, name, clinic_kiosk::callbacks::now_ms()).await?;
        Ok(TestKiosk {
            dir,
            db,
            library: Mutex::new(Ok(lib)),
            pairing,
            reporter: clinic_kiosk::fleet::Reporter::new(),
        })
    }

    /// One report, installing a pack offered if it is signed by one of `trusted`.
    async fn report(
        &mut self,
        trusted: &[ed25519_dalek::VerifyingKey],
    ) -> Result<clinic_kiosk::fleet::Sent> {
        let now = clinic_kiosk::callbacks::now_ms();
        let config = clinic_kiosk::config::Config::default();
        let sources = clinic_kiosk::health::Sources {
            library: &self.library,
            kiosk: Some(&*self.db),
            config: &config,
            config_problems: &[],
            content_problem: None,
            data_dir: self.dir.path(),
        };
        let health = clinic_kiosk::health::report(&sources, now)
            .map_err(|e| anyhow::anyhow!("health: {e}"))?;
        let report = clinic_kiosk::fleet::report(
            &health,
            clinic_kiosk::pack::installed(self.dir.path()).map_or(0, |m| m.version),
            3 * 3600,
            self.reporter.last_pack.clone(),
            now,
        );
        let site = clinic_kiosk::fleet::Site {
            data_dir: self.dir.path(),
            trusted,
        };
        let library = &self.library;
        let swap = |_: u64, lib: clinic_kiosk::library::Library| -> Result<(), String> {
            *library.lock().map_err(|_| "poisoned")? = Ok(lib);
            Ok(())
        };
        Ok(self
            .reporter
            .once(&self.pairing, &report, &site, swap, now)
            .await?)
    }
}

/// A new pairing code from the laptop's staff view, as its digits.
async fn show_code(s: &Session) -> Result<String> {
    let before = s
        .client
        .execute(
            "return document.querySelector('[data-test=lan-code]')?.textContent ?? ''",
            vec![],
        )
        .await?;
    s.click("[data-test=lan-show-code]").await?;
    s.wait_js(
        &format!(
            "const c = document.querySelector('[data-test=lan-code]'); return !!c && c.textContent !== {before}"
        ),
        "a new pairing code",
    )
    .await?;
    Ok(s.text("[data-test=lan-code]")
        .await?
        .chars()
        .filter(char::is_ascii_digit)
        .collect())
}

/// The Front desk link tab, read again.
async fn reopen_lan_tab(s: &Session) -> Result<()> {
    s.click("[data-test=audit-tab]").await?;
    s.click("[data-test=lan-tab]").await?;
    s.wait_js(
        "return !!document.querySelector('[data-test=fleet-list]')",
        "the kiosk list",
    )
    .await?;
    Ok(())
}

/// The text of the list entry of the kiosk named `name`.
async fn entry(s: &Session, name: &str) -> Result<String> {
    let js = format!(
        "return [...document.querySelectorAll('[data-test=lan-kiosk]')].find(k => k.querySelector('[data-test=fleet-name]')?.textContent === {name:?})?.innerText ?? ''"
    );
    Ok(s.client
        .execute(&js, vec![])
        .await?
        .as_str()
        .unwrap_or_default()
        .to_string())
}

/// Issue #15: the front desk lists each kiosk with "last seen", versions, queue and disk, warns
/// about one that never reported, and sends an article update that the kiosk installs after
/// checking it as a USB pack; the list then shows the new content version.
pub async fn the_front_desk_watches_its_kiosks_and_sends_an_update(
    driver: &Driver,
    configs: &Configs,
) -> Result<()> {
    let keys = tempfile::tempdir()?;
    let (secret, public) = clinic_kiosk::pack::keygen();
    std::fs::write(keys.path().join("signing.key"), secret)?;
    let key = clinic_kiosk::pack::read_secret(&keys.path().join("signing.key"))?;
    let trusted = vec![clinic_kiosk::pack::parse_public(&public).context("public key")?];
    let packs = driver.data_dir().join("packs");
    std::fs::create_dir_all(&packs)?;
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    clinic_kiosk::pack::create(&content, &key, 7, &packs.join("articles-7.ckpack"))?;
    let (s, address) = start_front_desk_with(
        driver,
        configs,
        &format!("not_seen_minutes = 5\n[content]\ntrusted_keys = [\"{public}\"]\n"),
    )
    .await?;
    let result = async {
        sign_in_staff(&s).await?;
        s.click("[data-test=lan-tab]").await?;
        let mut east = TestKiosk::pair(&address, &show_code(&s).await?, "East lobby").await?;
        let _west = TestKiosk::pair(&address, &show_code(&s).await?, "West lobby").await?;
        ensure!(
            matches!(east.report(&trusted).await?, clinic_kiosk::fleet::Sent::Reported),
            "nothing offered yet"
        );
        reopen_lan_tab(&s).await?;
        let shown = entry(&s, "East lobby").await?;
        ensure!(
            shown.contains("last seen") && shown.contains(env!("CARGO_PKG_VERSION")),
            "East shows when it was seen and its app version: {shown:?}"
        );
        ensure!(shown.contains("3 hours"), "and how long it has run: {shown:?}");
        let west = entry(&s, "West lobby").await?;
        ensure!(
            west.contains("never reported"),
            "West, paired but silent, is warned about: {west:?}"
        );
        s.assert_accessible("fleet-list").await?;
        let scroll = "document.querySelector('[data-test=fleet-list]').scrollIntoView()";
        s.client.execute(scroll, vec![]).await?;
        s.screenshot("fleet-front-desk").await?;

        // Send the update to East only.
        s.wait_js(
            "return !!document.querySelector('[data-test=fleet-send-pack]')",
            "the pack on offer",
        )
        .await?;
        s.client
            .execute(
                &format!(
                    "const t = document.querySelector('[data-test=fleet-target]'); t.value = {:?}; t.dispatchEvent(new Event('change'));",
                    east.pairing.kiosk_id
                ),
                vec![],
            )
            .await?;
        let label = s.text("[data-test=fleet-send-pack]").await?;
        ensure!(
            label.contains("Send to East lobby"),
            "the button says where it sends: {label:?}"
        );
        s.click("[data-test=fleet-send-pack]").await?;
        s.wait_js_for(
            "return document.querySelector('[data-test=lan-status]')?.textContent.includes('sent to 1 kiosk')",
            "the sent message",
            20,
        )
        .await?;
        match east.report(&trusted).await? {
            clinic_kiosk::fleet::Sent::Pack(result) => ensure!(
                result.outcome == "installed" && result.version == 7,
                "East installed the update: {result:?}"
            ),
            other => anyhow::bail!("East was not offered the update: {other:?}"),
        }
        ensure!(
            clinic_kiosk::pack::installed(east.dir.path()).map(|m| m.version) == Some(7),
            "version 7 is installed on East"
        );
        east.report(&trusted).await?;
        reopen_lan_tab(&s).await?;
        let shown = entry(&s, "East lobby").await?;
        ensure!(
            shown.contains("content version 7") && shown.contains("is installed"),
            "the list shows East runs the update: {shown:?}"
        );
        // Issue #13: every screen at 200 % and in high contrast, the laptop's list too. (Before
        // the screenshot below: the driver's screenshot flips the page's background for a
        // moment to make WebKit paint, which a contrast check would read.)
        crate::display::window_size(&s, 1280, 800).await?;
        crate::display::both_windows(&s, "fleet-list").await?;
        s.client.execute(scroll, vec![]).await?;
        s.screenshot("fleet-update-installed").await?;
        Ok(())
    }
    .await;
    if result.is_err() {
        let _ = s.screenshot("FAILED-fleet").await;
    }
    s.close().await;
    // The data folder is shared with the journeys after this one: leave it as it was.
    let _ = std::fs::remove_file(packs.join("articles-7.ckpack"));
    let _ = std::fs::remove_dir_all(driver.data_dir().join("outgoing"));
    if let Ok(conn) = rusqlite::Connection::open(driver.data_dir().join("kiosk.db")) {
        let _ = conn.execute_batch(
            "DELETE FROM lan_kiosk; DELETE FROM kiosk_health; DELETE FROM pack_offer;",
        );
    }
    result
}
