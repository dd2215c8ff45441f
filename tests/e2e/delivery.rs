//! Staff see where each request is delivered (issue #5), in the real window: a kiosk whose
//! config sends requests to a webhook on loopback, which refuses the first one; staff see
//! the refusal and its reason, send it again, and see it delivered.

use std::sync::{Arc, Mutex};

use anyhow::{ensure, Result};

use crate::driver::{Driver, Session, HOME_READY};
use crate::kiosk::{sign_in_staff, Configs};

pub const SECRET: &str = "e2e-secret-e2e-secret-e2e-secret-0001";

/// A webhook receiver on loopback: refuses the first request (HTTP 400), accepts the rest
/// after 1.5 s.
pub struct Receiver {
    pub url: String,
    pub keys: Arc<Mutex<Vec<String>>>,
    server: Arc<tiny_http::Server>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Receiver {
    pub fn start() -> Result<Self> {
        let server =
            Arc::new(tiny_http::Server::http("127.0.0.1:0").map_err(|e| anyhow::anyhow!("{e}"))?);
        let port = server
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .unwrap_or_default();
        let keys = Arc::new(Mutex::new(Vec::new()));
        let (s, k) = (server.clone(), keys.clone());
        let thread = std::thread::spawn(move || {
            for (n, mut request) in s.incoming_requests().enumerate() {
                let mut body = Vec::new();
                let _ = std::io::Read::read_to_end(request.as_reader(), &mut body);
                let header = |name: &str| {
                    request
                        .headers()
                        .iter()
                        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
                        .map(|h| h.value.to_string())
                };
                let verified = clinic_kiosk::delivery::webhook::verify(
                    SECRET,
                    header("X-Kiosk-Timestamp").as_deref(),
                    header("X-Kiosk-Signature").as_deref(),
                    &body,
                    clinic_kiosk::callbacks::now_ms() / 1000,
                );
                let status = if verified.is_err() {
                    401
                } else if n == 0 {
                    400
                } else {
                    // Answer after the inbox has redrawn from the retry, as a slow receiver
                    // does: the delivered state must then reach the screen by its quiet
                    // refresh, with focus still on the request.
                    std::thread::sleep(std::time::Duration::from_millis(1500));
                    if let Some(key) = header("Idempotency-Key") {
                        k.lock().unwrap().push(key);
                    }
                    201
                };
                let _ = request.respond(tiny_http::Response::empty(status));
            }
        });
        Ok(Receiver {
            url: format!("http://127.0.0.1:{port}/hooks/callbacks"),
            keys,
            server,
            thread: Some(thread),
        })
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub async fn start(driver: &Driver, configs: &Configs, receiver: &Receiver) -> Result<Session> {
    let path = configs.write(
        "delivery.toml",
        &format!(
            "[[destination]]\nid = \"clinic-webhook\"\nkind = \"webhook\"\nurl = \"{}\"\nsecret = \"{SECRET}\"\n",
            receiver.url
        ),
    )?;
    driver
        .session_with(
            &["--config".into(), path.to_string_lossy().into_owned()],
            HOME_READY,
            "the home screen",
        )
        .await
}

const PATIENT: &str = "Test Patient Delivery";

pub async fn staff_see_where_each_request_is_delivered(
    s: &Session,
    receiver: &Receiver,
) -> Result<()> {
    // A patient asks for a call.
    crate::ask_for_a_call(s, PATIENT, "201-555-0177", "vein").await?;
    s.click("[data-test=thanks-done]").await?;
    s.wait_screen("home").await?;

    // Staff: the webhook refused it, and why.
    sign_in_staff(s).await?;
    let item = "[data-test=inbox-item]:has([data-test=delivery])";
    s.wait_js_for(
        "return [...document.querySelectorAll('[data-test=delivery][data-state=failed]')].some(d => d.textContent.includes('HTTP 400'))",
        "the refused delivery, with its reason",
        20,
    )
    .await?;
    ensure!(s.count(item).await? >= 1, "the request shows its delivery");
    s.assert_accessible("inbox-delivery").await?;
    s.screenshot("inbox-delivery").await?;

    // Send it again: the receiver takes it, and the inbox says so.
    s.click("[data-test=delivery][data-state=failed] [data-test=delivery-retry]")
        .await?;
    s.wait_js_for(
        "return !!document.querySelector('[data-test=delivery][data-destination=clinic-webhook][data-state=delivered]')",
        "the delivery marked delivered",
        25,
    )
    .await?;
    s.wait_js_for(
        "return document.activeElement?.closest('[data-test=inbox-item]')?.querySelector('.request__name') === document.activeElement",
        "focus still on the request's name after the refresh",
        5,
    )
    .await?;
    let keys = receiver.keys.lock().unwrap().clone();
    ensure!(
        keys.len() == 1,
        "the receiver stored the request once: {keys:?}"
    );
    Ok(())
}
