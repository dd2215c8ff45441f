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
    Ok(())
}

pub async fn start_front_desk(driver: &Driver, configs: &Configs) -> Result<(Session, String)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let address = format!("127.0.0.1:{port}");
    let path = configs.write(
        "front-desk-lan.toml",
        &format!("mode = \"front-desk\"\n[front_desk]\nlisten = \"{address}\"\n"),
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
