//! A patient's callback request lands in a real FHIR R4 server (issue #15), in the real
//! window: the kiosk's config sends to Helios FHIR Server on loopback (the same server the
//! delivery tests use), the patient asks for a call, staff see it delivered, and a search
//! on the server by the kiosk's identifier system finds exactly that one request.

use std::os::unix::fs::PermissionsExt as _;

use anyhow::{ensure, Context as _, Result};
use serde_json::Value;

use crate::driver::{Driver, Session, HOME_READY};
use crate::kiosk::{sign_in_staff, Configs};

#[path = "../common/fhir_server.rs"]
mod fhir_server;

/// The server and the identifier system this run's requests are recorded under (its own,
/// so a search by system finds this run's request only).
pub struct Target {
    /// The server's base URL.
    pub base: String,
    /// `identifier.system` of this run.
    pub system: String,
}

/// Starts the FHIR server (on a thread of its own: it waits for the server with a runtime
/// of its own) and the app with a config that sends there.
pub async fn start(driver: &Driver, configs: &Configs) -> Result<(Session, Target)> {
    let base = std::thread::spawn(|| fhir_server::server().base.clone())
        .join()
        .map_err(|_| anyhow::anyhow!("the FHIR server did not start (see the panic above)"))?;
    let system = format!("https://clinic.example/e2e-{}", uuid::Uuid::new_v4());
    let token = configs.write("fhir-token", "e2e-token\n")?;
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600))?;
    let path = configs.write(
        "fhir.toml",
        &format!(
            "[[destination]]\nid = \"ehr\"\nkind = \"fhir\"\nurl = \"{base}\"\ntoken_file = \"fhir-token\"\nidentifier_system = \"{system}\"\n"
        ),
    )?;
    let session = driver
        .session_with(
            &["--config".into(), path.to_string_lossy().into_owned()],
            HOME_READY,
            "the home screen",
        )
        .await?;
    Ok((session, Target { base, system }))
}

const PATIENT: &str = "Test Patient Fhir";

pub async fn a_callback_request_lands_in_the_fhir_server(s: &Session, to: &Target) -> Result<()> {
    crate::ask_for_a_call(s, PATIENT, "201-555-0178", "spine").await?;
    s.click("[data-test=thanks-done]").await?;
    s.wait_screen("home").await?;

    sign_in_staff(s).await?;
    s.wait_js_for(
        "return !!document.querySelector('[data-test=delivery][data-destination=ehr][data-state=delivered]')",
        "the request delivered to the FHIR server",
        30,
    )
    .await?;
    s.screenshot("inbox-delivered-to-fhir").await?;

    let bundle: Value = reqwest::Client::new()
        .get(format!("{}/CommunicationRequest", to.base))
        .query(&[("identifier", format!("{}|", to.system))])
        .header("Accept", "application/fhir+json")
        .send()
        .await?
        .json()
        .await
        .context("the server's search answer")?;
    let entries = bundle["entry"].as_array().cloned().unwrap_or_default();
    ensure!(
        entries.len() == 1,
        "exactly one request on the server: {bundle}"
    );
    let stored = &entries[0]["resource"];
    ensure!(
        stored["contained"][0]["name"][0]["text"] == PATIENT,
        "the patient's name as typed: {stored}"
    );
    ensure!(stored["status"] == "active", "{stored}");
    Ok(())
}
