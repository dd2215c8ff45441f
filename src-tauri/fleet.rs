//! A paired kiosk's side of fleet health and article updates over the LAN (issue #15): every
//! [`crate::lan::fleet::REPORT_EVERY_SECONDS`] it sends the laptop a
//! [`KioskReport`] made from its own health report, and when the laptop answers with a pack
//! staff sent, it fetches the file, checks and installs it exactly as a pack from a USB stick
//! ([`crate::pack::open_and_install`]: signature against its own trusted keys, version newer
//! than the installed one, atomic swap), and reports how it went at once.
//!
//! The wire types and the laptop's side are in [`crate::lan::fleet`]; this module sits above
//! `health` and `pack`, which it joins. The app runs [`Reporter`] from a task (`lib.rs`);
//! the tests drive it directly.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha256};

use crate::health::Health;
use crate::lan::fleet::{self, HealthReply, KioskReport, Offered, PackRequest, PackResult};
use crate::lan::store::Pairing;
use crate::library::Library;
use crate::webhook;

/// Why a report or a pack download did not go through (the next minute tries again).
#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    /// No answer from the laptop: off, or the network is down; the address.
    #[error("cannot reach the front desk at {0}")]
    Unreachable(String),
    /// The laptop refused: its status and reason (such as 401 after it unpaired this kiosk).
    #[error("the front desk refused the report: HTTP {0} {1}")]
    Refused(u16, String),
    /// The answer or the download was not what it should be; why.
    #[error("the front desk answered something unexpected: {0}")]
    Protocol(String),
}

/// What [`Reporter::once`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// The report was stored; nothing else to do.
    Reported,
    /// A pack was offered and tried: how it went (report again soon, so staff see it).
    Pack(PackResult),
}

/// Where a pack goes and which keys it must be signed with: the kiosk's data folder and its
/// config's `[content] trusted_keys`.
pub struct Site<'a> {
    /// The data folder (content, library.db).
    pub data_dir: &'a Path,
    /// The keys a pack must be signed with.
    pub trusted: &'a [VerifyingKey],
}

/// The report a kiosk sends at `now` (Unix ms) from its `health`, having run for
/// `uptime_seconds`, with its installed pack's version and the last pack result.
pub fn report(
    health: &Health,
    pack_version: u64,
    uptime_seconds: u64,
    last_pack: Option<PackResult>,
    now: i64,
) -> KioskReport {
    let age = |at: Option<i64>| at.map(|at| ((now - at).max(0) / 1000) as u64);
    let disk = serde_json::to_value(health.disk)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "unknown".into());
    KioskReport {
        version: fleet::REPORT_VERSION,
        app_version: health.app_version.clone(),
        content_version: health.content_version.clone(),
        pack_version,
        article_count: health.article_count,
        queue_length: health.queue_length,
        failed_deliveries: health.failed_deliveries,
        oldest_waiting_seconds: age(health.oldest_waiting),
        last_delivery_seconds: age(health.last_delivery),
        free_disk_bytes: health.free_disk_bytes,
        disk,
        config_problems: fleet::fit_all(&health.config_problems),
        library_problem: health.library_problem.as_deref().map(fleet::fit),
        uptime_seconds,
        pack: last_pack,
    }
}

/// Sends the report to the laptop and remembers how the last pack went.
#[derive(Default)]
pub struct Reporter {
    /// The client pinned to the laptop's certificate, by fingerprint.
    client: Option<(String, reqwest::Client)>,
    /// How the last pack the laptop sent went, since the app started.
    pub last_pack: Option<PackResult>,
}

impl Reporter {
    /// A reporter with no pack tried yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn client(&mut self, fingerprint: &str) -> reqwest::Client {
        match &self.client {
            Some((fp, client)) if fp == fingerprint => client.clone(),
            _ => {
                let client = crate::lan::client::pinned_client(fingerprint);
                self.client = Some((fingerprint.to_string(), client.clone()));
                client
            }
        }
    }

    /// Sends `report` to the laptop of `pairing`; when the laptop offers a pack, fetches,
    /// checks and installs it into `site` (handing the new library to `swap`) and returns
    /// how it went, which the next report carries. `Err` when the report did not go through.
    pub async fn once<E: std::fmt::Display>(
        &mut self,
        pairing: &Pairing,
        report: &KioskReport,
        site: &Site<'_>,
        swap: impl FnOnce(u64, Library) -> Result<(), E>,
        now: i64,
    ) -> Result<Sent, FleetError> {
        let client = self.client(&pairing.fingerprint);
        let body = serde_json::to_vec(report).expect("JSON");
        let response = signed(&client, pairing, "health", body, now)
            .send()
            .await
            .map_err(|_| FleetError::Unreachable(pairing.address.clone()))?;
        let status = response.status().as_u16();
        if status != 200 {
            let why = response.text().await.unwrap_or_default();
            return Err(FleetError::Refused(status, why.chars().take(200).collect()));
        }
        let reply: HealthReply = response
            .json()
            .await
            .map_err(|e| FleetError::Protocol(e.to_string()))?;
        let Some(offered) = reply.offer else {
            return Ok(Sent::Reported);
        };
        let result = match fetch(&client, pairing, &offered, site.data_dir, now).await {
            Ok(file) => {
                let result = install(&file, offered.version, site, swap);
                let _ = std::fs::remove_file(&file);
                result
            }
            Err(err) => {
                tracing::warn!(
                    "content pack version {} from the front desk not fetched: {err}",
                    offered.version
                );
                PackResult {
                    version: offered.version,
                    outcome: "download".into(),
                    detail: Some(fleet::fit(&err.to_string())),
                }
            }
        };
        self.last_pack = Some(result.clone());
        Ok(Sent::Pack(result))
    }
}

/// A signed POST of `body` to the laptop's `/route`, as callback requests are signed.
fn signed(
    client: &reqwest::Client,
    pairing: &Pairing,
    route: &str,
    body: Vec<u8>,
    now: i64,
) -> reqwest::RequestBuilder {
    let ts = now.div_euclid(1000);
    client
        .post(format!("https://{}/{route}", pairing.address))
        .header(crate::lan::KIOSK_HEADER, &pairing.kiosk_id)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(webhook::TIMESTAMP_HEADER, ts.to_string())
        .header(
            webhook::SIGNATURE_HEADER,
            webhook::sign(&pairing.secret, ts, &body),
        )
        .body(body)
}

/// Downloads the `offered` pack into a private temporary file in `dir`, refusing it past
/// its announced size (and [`fleet::MAX_PACK_BYTES`]) or with another SHA-256: the file's
/// path. Bounded in memory: the body is streamed to the file.
async fn fetch(
    client: &reqwest::Client,
    pairing: &Pairing,
    offered: &Offered,
    dir: &Path,
    now: i64,
) -> Result<PathBuf, FleetError> {
    if offered.bytes > fleet::MAX_PACK_BYTES {
        return Err(FleetError::Protocol(format!(
            "a pack of {} bytes is larger than {} bytes",
            offered.bytes,
            fleet::MAX_PACK_BYTES
        )));
    }
    let body = serde_json::to_vec(&PackRequest {
        version: offered.version,
    })
    .expect("JSON");
    let mut response = signed(client, pairing, "pack", body, now)
        .send()
        .await
        .map_err(|_| FleetError::Unreachable(pairing.address.clone()))?;
    if response.status().as_u16() != 200 {
        return Err(FleetError::Refused(
            response.status().as_u16(),
            "the pack".into(),
        ));
    }
    let path = dir.join(format!(
        "lan-pack-{}.{}",
        uuid::Uuid::new_v4().simple(),
        crate::pack::EXTENSION
    ));
    let io = |e: std::io::Error| FleetError::Protocol(format!("the pack cannot be saved: {e}"));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(io)?;
    let mut hash = Sha256::new();
    let mut got: u64 = 0;
    let outcome = async {
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| FleetError::Protocol(format!("the download stopped: {e}")))?
        {
            got += chunk.len() as u64;
            if got > offered.bytes {
                return Err(FleetError::Protocol(
                    "the pack is larger than announced".into(),
                ));
            }
            hash.update(&chunk);
            file.write_all(&chunk).map_err(io)?;
        }
        file.sync_all().map_err(io)?;
        if got != offered.bytes || hex::encode(hash.finalize()) != offered.sha256 {
            return Err(FleetError::Protocol(
                "the pack arrived incomplete or changed".into(),
            ));
        }
        Ok(())
    }
    .await;
    match outcome {
        Ok(()) => Ok(path),
        Err(err) => {
            let _ = std::fs::remove_file(&path);
            Err(err)
        }
    }
}

/// Checks and installs the fetched pack at `file` as a USB pack is, handing the new library
/// to `swap`: how it went, for the report.
fn install<E: std::fmt::Display>(
    file: &Path,
    version: u64,
    site: &Site<'_>,
    swap: impl FnOnce(u64, Library) -> Result<(), E>,
) -> PackResult {
    let state = |e: &crate::pack::PackError| {
        serde_json::to_value(crate::pack::offer::PackState::from(e))
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "unreadable".into())
    };
    match crate::pack::open_and_install(file, site.data_dir, site.trusted) {
        Ok((installed, library)) => match swap(installed, library) {
            Ok(()) => {
                tracing::info!("content pack version {installed} from the front desk installed");
                PackResult {
                    version,
                    outcome: "installed".into(),
                    detail: None,
                }
            }
            Err(err) => PackResult {
                version,
                outcome: "unreadable".into(),
                detail: Some(fleet::fit(&format!(
                    "installed but not put in use: {err}; restart the kiosk"
                ))),
            },
        },
        Err(err) => {
            tracing::warn!("content pack version {version} from the front desk refused: {err}");
            PackResult {
                version,
                outcome: state(&err),
                // Pack errors name files inside the pack, never a path on this kiosk.
                detail: Some(fleet::fit(&err.to_string())),
            }
        }
    }
}

/// A pack staff sent from the front desk: its version and the kiosks it went to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SentPack {
    /// The pack's version.
    pub version: u64,
    /// How many kiosks it was offered to.
    pub kiosks: usize,
}

/// On the front desk: checks the pack at `path` against the laptop's own `trusted` keys (so
/// staff learn at once of a pack no kiosk would take), keeps a copy in the outgoing folder
/// of `data_dir`, and offers it to `kiosk_ids` at `now` (Unix ms); each fetches it with its
/// next report. Copies no kiosk is offered any more are removed. `Err` says why the pack
/// was refused; nothing is offered then.
pub fn send_pack(
    conn: &mut rusqlite::Connection,
    data_dir: &Path,
    path: &Path,
    trusted: &[VerifyingKey],
    kiosk_ids: &[String],
    now: i64,
) -> Result<SentPack, crate::pack::PackError> {
    let verified = crate::pack::open(path, trusted)?;
    let version = verified.manifest.version;
    let io = |e: std::io::Error| crate::pack::PackError::Io {
        path: fleet::OUTGOING.into(),
        source: e,
    };
    let bytes = std::fs::read(path).map_err(io)?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let dir = fleet::outgoing_dir(data_dir);
    std::fs::create_dir_all(&dir).map_err(io)?;
    let file = format!("v{version}-{}.{}", &sha256[..16], crate::pack::EXTENSION);
    let tmp = dir.join(format!("{file}.tmp"));
    std::fs::write(&tmp, &bytes)
        .and_then(|()| std::fs::rename(&tmp, dir.join(&file)))
        .map_err(io)?;
    let offer = crate::lan::store::PackOffer {
        version,
        file,
        sha256,
        bytes: bytes.len() as u64,
        offered_at: now,
    };
    crate::lan::store::offer_pack(conn, kiosk_ids, &offer)
        .map_err(|e| io(std::io::Error::other(e)))?;
    // Older copies no kiosk is offered any more.
    let kept = crate::lan::store::offered_files(conn).unwrap_or_default();
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if !kept.contains(&name) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok(SentPack {
        version,
        kiosks: kiosk_ids.len(),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_lan_and_usb_pack_bounds_agree() {
        assert_eq!(crate::lan::fleet::MAX_PACK_BYTES, crate::pack::MAX_BYTES);
    }
}
