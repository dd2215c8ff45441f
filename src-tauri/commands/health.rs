//! The staff health screen: is this kiosk well? Versions, library, databases, queue, disk,
//! config problems, and anonymous usage.

use serde::Serialize;
use tauri::State;

use super::{AppState, CommandError};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    pub app_version: String,
    pub mode: &'static str,
    /// First 12 characters of the content hash the library was built from.
    pub content_version: Option<String>,
    pub article_count: Option<i64>,
    pub library_bytes: Option<u64>,
    pub kiosk_bytes: Option<u64>,
    /// Outbox rows waiting for their next try (the kiosk's own inbox left out).
    pub queue_length: Option<i64>,
    /// Rows a destination refused for good, waiting for staff to retry them.
    pub failed_deliveries: Option<i64>,
    /// Unix ms the oldest waiting row was made.
    pub oldest_waiting: Option<i64>,
    /// The destinations in the config, such as `["clinic-webhook (webhook)"]`.
    pub destinations: Vec<String>,
    /// Unix ms of the last delivery, if any.
    pub last_delivery: Option<i64>,
    pub free_disk_bytes: Option<u64>,
    pub config_problems: Vec<String>,
    pub library_problem: Option<String>,
    /// The installed article pack failed its check at start (the shipped articles are used).
    pub content_problem: Option<String>,
    pub usage: Option<crate::store::Usage>,
    /// Requests erased in the last 30 days because no destination took them within
    /// `undelivered_max_days` (a warning for staff: check the destinations).
    pub erased_undelivered: Option<i64>,
    /// Whether the data folder is on an encrypted block device (dm-crypt/LUKS):
    /// `encrypted`, `notEncrypted` or `unknown`.
    pub data_encryption: crate::paths::Encryption,
}

fn file_size(path: &std::path::Path) -> Option<u64> {
    let main = std::fs::metadata(path).ok()?.len();
    let wal = std::fs::metadata(path.with_extension("db-wal"))
        .map(|m| m.len())
        .unwrap_or(0);
    Some(main + wal)
}

#[tauri::command(async)]
pub fn staff_health(
    state: State<'_, AppState>,
    token: Option<String>,
) -> Result<Health, CommandError> {
    let now = state.now_ms();
    state.staff(
        token.as_deref(),
        "staff_health",
        crate::callbacks::staff::Activity::Read,
    )?;
    let (content_version, article_count, library_problem) = match &*state
        .library
        .lock()
        .map_err(|_| CommandError::internal("library lock poisoned"))?
    {
        Ok(lib) => (
            lib.content_hash()
                .ok()
                .map(|h| h.chars().take(12).collect()),
            lib.article_count().ok(),
            None,
        ),
        Err(why) => (None, None, Some(why.clone())),
    };
    let since = crate::store::civil_date(now.div_euclid(86_400_000) - 30);
    let (mut failed, mut oldest) = (None, None);
    let mut erased_undelivered = None;
    let (queue_length, last_delivery, usage) = match &state.kiosk {
        Some(kiosk) => {
            let conn = kiosk
                .lock()
                .map_err(|_| CommandError::internal("kiosk.db lock poisoned"))?;
            let summary = crate::delivery::outbox::summary(&conn)
                .map_err(|e| tracing::warn!("outbox summary unavailable: {e}"))
                .ok();
            let queue = summary.as_ref().map(|q| q.waiting);
            let last = summary.as_ref().and_then(|q| q.last_delivery);
            failed = summary.as_ref().map(|q| q.failed);
            oldest = summary.as_ref().and_then(|q| q.oldest_waiting);
            erased_undelivered = crate::callbacks::retention::expired_since(&conn, &since)
                .map_err(|e| tracing::warn!("erased counts unavailable: {e}"))
                .ok();
            let usage = crate::store::usage(&conn, &since, 20)
                .map_err(|e| tracing::warn!("usage counts unavailable: {e}"))
                .ok();
            (queue, last, usage)
        }
        None => (None, None, None),
    };
    Ok(Health {
        app_version: env!("CARGO_PKG_VERSION").into(),
        mode: state.config.mode.as_str(),
        content_version,
        article_count,
        library_bytes: file_size(&state.data_dir.join(crate::paths::LIBRARY_DB)),
        kiosk_bytes: file_size(&state.data_dir.join(crate::paths::KIOSK_DB)),
        queue_length,
        failed_deliveries: failed,
        oldest_waiting: oldest,
        destinations: state
            .config
            .destinations
            .iter()
            .map(|d| format!("{} ({})", d.id, d.kind.as_str()))
            .collect(),
        last_delivery,
        free_disk_bytes: fs4::available_space(&state.data_dir).ok(),
        config_problems: state.config_problems.clone(),
        library_problem,
        content_problem: state.content_problem.clone(),
        erased_undelivered,
        data_encryption: crate::paths::encryption(&state.data_dir),
        usage,
    })
}
