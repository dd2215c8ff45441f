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
    /// The laptop did not send the pack offered: its status (503 while it sends to other
    /// kiosks; 404 when the offer or its file is gone).
    #[error("the front desk did not send the update (HTTP {0}); it is asked again in a minute")]
    PackUnavailable(u16),
}

/// What [`Reporter::once`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// The report was stored; nothing else to do.
    Reported,
    /// A pack was offered and tried: how it went (report again soon, so staff see it).
    Pack(PackResult),
}

impl Sent {
    /// Whether to report again at once rather than at the next minute: after a pack was
    /// installed or refused, so staff see it; never after a download that did not arrive
    /// whole, which would otherwise be fetched again and again without a pause.
    pub fn report_again_now(&self) -> bool {
        matches!(self, Sent::Pack(result) if result.outcome != "download")
    }
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
/// `uptime_seconds`, with its installed pack's version and the last pack result. An
/// installed pack that failed its check at start is not in use: the report says version 0
/// and why, so the front desk neither shows it as installed nor stops offering it.
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
        pack_version: if health.content_problem.is_some() {
            0
        } else {
            pack_version
        },
        article_count: health.article_count,
        queue_length: health.queue_length,
        failed_deliveries: health.failed_deliveries,
        oldest_waiting_seconds: age(health.oldest_waiting),
        last_delivery_seconds: age(health.last_delivery),
        free_disk_bytes: health.free_disk_bytes,
        disk,
        config_problems: fleet::fit_all(&health.config_problems),
        library_problem: health.library_problem.as_deref().map(fleet::fit),
        content_problem: health.content_problem.as_deref().map(fleet::fit),
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
                // Checking and installing reads, hashes and writes every file and rebuilds
                // the library: seconds of blocking work, kept off the async workers.
                let result = tokio::task::block_in_place(|| install(&file, &offered, site, swap));
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
                    offered_at: offered.offered_at,
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
    // The client's 20 s covers a report; a pack may take minutes on a slow network: 20 s
    // and then at least 256 KiB/s (64 MiB in about 4.5 minutes).
    let allowed = std::time::Duration::from_secs(20 + offered.bytes / (256 * 1024));
    let mut response = signed(client, pairing, "pack", body, now)
        .timeout(allowed)
        .send()
        .await
        .map_err(|_| FleetError::Unreachable(pairing.address.clone()))?;
    if response.status().as_u16() != 200 {
        return Err(FleetError::PackUnavailable(response.status().as_u16()));
    }
    let path = dir.join(format!(
        "{DOWNLOAD_PREFIX}{}.{}",
        uuid::Uuid::new_v4().simple(),
        crate::pack::EXTENSION
    ));
    let io = |e: std::io::Error| FleetError::Protocol(format!("the pack cannot be saved: {e}"));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&path).map_err(io)?;
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

/// Downloads in the data folder are named so; a download cut short by a crash is removed by
/// [`clean_downloads`] at the next start.
const DOWNLOAD_PREFIX: &str = "lan-pack-";

/// Removes downloads a stopped app left in `data_dir` (call at start, before reporting).
pub fn clean_downloads(data_dir: &Path) {
    for entry in std::fs::read_dir(data_dir).into_iter().flatten().flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with(DOWNLOAD_PREFIX)
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Checks and installs the fetched pack at `file` as a USB pack is, handing the new library
/// to `swap`: how it went, for the report.
fn install<E: std::fmt::Display>(
    file: &Path,
    offered: &Offered,
    site: &Site<'_>,
    swap: impl FnOnce(u64, Library) -> Result<(), E>,
) -> PackResult {
    let version = offered.version;
    let result = |outcome: &str, detail: Option<String>| PackResult {
        version,
        offered_at: offered.offered_at,
        outcome: outcome.into(),
        detail,
    };
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
                result("installed", None)
            }
            Err(err) => result(
                "unreadable",
                Some(fleet::fit(&format!(
                    "installed but not put in use: {err}; restart the kiosk"
                ))),
            ),
        },
        Err(err) => {
            tracing::warn!("content pack version {version} from the front desk refused: {err}");
            result(&state(&err), Some(fleet::fit(&err.to_string())))
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

/// On the front desk, before any kiosk is offered it: copies the pack at `path` (read once,
/// at most [`crate::pack::MAX_BYTES`]) into the outgoing folder of `data_dir` and checks
/// that copy with the laptop's own `trusted` keys, exactly as a kiosk will (so staff learn
/// at once of a pack no kiosk would take, and what is checked is what is served). The offer
/// to record, made at `now` (Unix ms). `Err` says why the pack was refused; its copy is
/// removed then. Takes no lock on kiosk.db.
pub fn prepare_pack(
    data_dir: &Path,
    path: &Path,
    trusted: &[VerifyingKey],
    now: i64,
) -> Result<crate::lan::store::PackOffer, crate::pack::PackError> {
    use std::io::Read as _;
    let io = |e: std::io::Error| crate::pack::PackError::Io {
        path: fleet::OUTGOING.into(),
        source: e,
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(io)?
        .take(crate::pack::MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > crate::pack::MAX_BYTES {
        return Err(crate::pack::PackError::TooLarge(
            path.file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default(),
        ));
    }
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let dir = fleet::outgoing_dir(data_dir);
    std::fs::create_dir_all(&dir).map_err(io)?;
    let tmp = dir.join(format!("sending-{}.tmp", uuid::Uuid::new_v4().simple()));
    std::fs::write(&tmp, &bytes).map_err(io)?;
    let version = match crate::pack::open(&tmp, trusted) {
        Ok(verified) => verified.manifest.version,
        Err(err) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(err);
        }
    };
    let file = format!("v{version}-{}.{}", &sha256[..16], crate::pack::EXTENSION);
    std::fs::rename(&tmp, dir.join(&file)).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })?;
    Ok(crate::lan::store::PackOffer {
        version,
        file,
        sha256,
        bytes: bytes.len() as u64,
        offered_at: now,
    })
}

/// Offers a [`prepare_pack`]ed pack to `kiosk_ids` (each fetches it with its next report)
/// and removes copies no kiosk is offered any more.
pub fn offer_pack(
    conn: &mut rusqlite::Connection,
    data_dir: &Path,
    kiosk_ids: &[String],
    offer: &crate::lan::store::PackOffer,
) -> rusqlite::Result<SentPack> {
    crate::lan::store::offer_pack(conn, kiosk_ids, offer)?;
    prune_outgoing(conn, data_dir);
    Ok(SentPack {
        version: offer.version,
        kiosks: kiosk_ids.len(),
    })
}

/// On the front desk, [`prepare_pack`] then [`offer_pack`] (for tests and tools that hold
/// the connection anyway).
pub fn send_pack(
    conn: &mut rusqlite::Connection,
    data_dir: &Path,
    path: &Path,
    trusted: &[VerifyingKey],
    kiosk_ids: &[String],
    now: i64,
) -> Result<SentPack, crate::pack::PackError> {
    let offer = prepare_pack(data_dir, path, trusted, now)?;
    offer_pack(conn, data_dir, kiosk_ids, &offer).map_err(|e| crate::pack::PackError::Io {
        path: fleet::OUTGOING.into(),
        source: std::io::Error::other(e),
    })
}

/// Removes the outgoing folder's packs no kiosk is offered any more (after a send, and after
/// a kiosk is unpaired). Removes nothing when the offers cannot be read, nor a copy a send
/// is preparing.
pub fn prune_outgoing(conn: &rusqlite::Connection, data_dir: &Path) {
    let Ok(kept) = crate::lan::store::offered_files(conn) else {
        return;
    };
    let dir = fleet::outgoing_dir(data_dir);
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if !kept.contains(&name) && !name.ends_with(".tmp") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lan_and_usb_pack_bounds_agree() {
        assert_eq!(crate::lan::fleet::MAX_PACK_BYTES, crate::pack::MAX_BYTES);
    }

    fn tried(outcome: &str) -> Sent {
        Sent::Pack(PackResult {
            version: 2,
            offered_at: 1,
            outcome: outcome.into(),
            detail: None,
        })
    }

    #[test]
    fn only_a_pack_installed_or_refused_is_reported_at_once() {
        assert!(tried("installed").report_again_now());
        assert!(tried("untrusted").report_again_now());
        assert!(
            !tried("download").report_again_now(),
            "a download that failed waits for the next minute, or it is fetched in a loop"
        );
        assert!(!Sent::Reported.report_again_now());
    }

    #[test]
    fn downloads_left_by_a_stopped_app_are_removed() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("lan-pack-abc.ckpack"), b"half").expect("write");
        std::fs::write(dir.path().join("kiosk.db"), b"keep").expect("write");
        clean_downloads(dir.path());
        assert!(!dir.path().join("lan-pack-abc.ckpack").exists());
        assert!(dir.path().join("kiosk.db").exists());
    }
}
