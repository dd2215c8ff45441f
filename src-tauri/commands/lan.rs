//! The staff view's LAN link (issue #5): on the front-desk laptop, show a pairing code and
//! list or unpair kiosks; on a kiosk, pair with the laptop or unpair. Staff only.

use serde::Serialize;
use tauri::State;

use super::{AppState, CommandError};
use crate::callbacks::staff::Activity;
use crate::config::Mode;
use crate::lan::client::{self, PairOutcome};
use crate::lan::status::{self, LanStatus};
use crate::lan::{self, store};

impl AppState {
    /// Runs `f` on kiosk.db; its errors are `internal`.
    fn with_lan_db<T>(
        &self,
        f: impl FnOnce(&mut rusqlite::Connection) -> rusqlite::Result<T>,
    ) -> Result<T, CommandError> {
        let kiosk_db = self.kiosk.as_ref().ok_or_else(|| {
            CommandError::unavailable("kiosk.db could not be opened; see the log")
        })?;
        let mut conn = kiosk_db
            .lock()
            .map_err(|_| CommandError::internal("kiosk.db lock poisoned"))?;
        f(&mut conn).map_err(|e| CommandError::internal(e.to_string()))
    }
}

fn lan_status_of(state: &AppState) -> Result<LanStatus, CommandError> {
    state.with_lan_db(|conn| {
        if state.config.mode == Mode::FrontDesk {
            let front = state.front_desk.get().map(AsRef::as_ref);
            status::laptop(
                conn,
                front,
                state.config.front_desk_listen,
                state.config.fleet,
                state.now_ms(),
            )
        } else {
            status::kiosk(conn)
        }
    })
}

/// The link as this device sees it.
#[tauri::command(async)]
pub fn lan_status(
    state: State<'_, AppState>,
    token: Option<String>,
) -> Result<LanStatus, CommandError> {
    state.staff(token.as_deref(), "lan_status", Activity::Read)?;
    lan_status_of(&state)
}

/// Laptop: a new pairing code (valid 10 minutes, 3 tries).
#[tauri::command(async)]
pub fn lan_show_code(
    state: State<'_, AppState>,
    token: Option<String>,
) -> Result<lan::CodeView, CommandError> {
    let now = state.now_ms();
    let who = state
        .staff(token.as_deref(), "lan_show_code", Activity::Act)?
        .name;
    let front = state
        .front_desk
        .get()
        .ok_or_else(|| CommandError::unavailable("the front-desk port is not open; see the log"))?;
    state.audit(&who, "pair-code", None);
    Ok(front.open_code_for(now, &status::addresses(state.config.front_desk_listen)))
}

/// Laptop: stop accepting requests from a kiosk.
#[tauri::command(async)]
pub fn lan_unpair_kiosk(
    state: State<'_, AppState>,
    token: Option<String>,
    kiosk_id: String,
) -> Result<LanStatus, CommandError> {
    let who = state
        .staff(token.as_deref(), "lan_unpair_kiosk", Activity::Act)?
        .name;
    if state.kiosk.is_some() {
        state.with_lan_db(|conn| {
            let removed = store::remove_kiosk(conn, &kiosk_id)?;
            // A pack offered only to that kiosk is not needed any more.
            crate::fleet::prune_outgoing(conn, &state.data_dir);
            Ok(removed)
        })?;
    }
    tracing::info!("kiosk {kiosk_id} unpaired by staff");
    state.audit(&who, "unpair", Some(&kiosk_id));
    lan_status_of(&state)
}

/// How [`lan_pair`] went, and the link after it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PairView {
    /// `paired`, or why not.
    pub outcome: PairOutcome,
    /// The link after the attempt.
    pub status: LanStatus,
}

/// Kiosk: pair with the laptop at `address` using the code it shows, under `name` (staff's
/// words, `Kiosk` when empty). `invalidInput` on a front-desk laptop.
#[tauri::command(async)]
pub async fn lan_pair(
    state: State<'_, AppState>,
    token: Option<String>,
    address: String,
    code: String,
    name: String,
) -> Result<PairView, CommandError> {
    let now = state.now_ms();
    let who = state
        .staff(token.as_deref(), "lan_pair", Activity::Act)?
        .name;
    if state.config.mode == Mode::FrontDesk {
        return Err(CommandError::new(
            super::ErrorKind::InvalidInput,
            "a front-desk laptop does not pair with another",
        ));
    }
    let outcome = match client::pair(&address, &code, &client::kiosk_name(&name), now).await {
        Ok(pairing) => {
            if state.kiosk.is_none() {
                return Err(CommandError::unavailable("kiosk.db could not be opened"));
            }
            state.with_lan_db(|conn| store::save_pairing(conn, &pairing))?;
            tracing::info!("paired with the front desk at {}", pairing.address);
            state.audit(&who, "pair", Some(&pairing.address));
            state.delivery_wake.notify_one();
            state.fleet_wake.notify_one();
            PairOutcome::Paired
        }
        Err(err) => {
            tracing::warn!("pairing with the front desk failed: {err}");
            PairOutcome::from(&err)
        }
    };
    Ok(PairView {
        outcome,
        status: lan_status_of(&state)?,
    })
}

/// Kiosk: forget the laptop. Requests still waiting for it are marked, and stay here.
#[tauri::command(async)]
pub fn lan_unpair(
    state: State<'_, AppState>,
    token: Option<String>,
) -> Result<LanStatus, CommandError> {
    let now = state.now_ms();
    let who = state
        .staff(token.as_deref(), "lan_unpair", Activity::Act)?
        .name;
    if state.kiosk.is_some() {
        state.with_lan_db(|conn| store::forget_pairing(conn, now))?;
    }
    tracing::info!("unpaired from the front desk by staff");
    state.audit(&who, "unpair", None);
    lan_status_of(&state)
}

/// How [`lan_send_pack`] went, and the link after it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SendPackView {
    /// The pack's version and how many kiosks it went to; `None` when it was refused.
    pub sent: Option<crate::fleet::SentPack>,
    /// Why the pack was refused (`untrusted`, `changed`, `noKeys`, ...), as `content_packs`
    /// names its states.
    pub refused: Option<crate::pack::offer::PackState>,
    /// What was wrong, for staff.
    pub detail: Option<String>,
    /// The link after it: each kiosk's offer.
    pub status: LanStatus,
}

/// Laptop: sends the pack at `path` (one `content_packs` listed) to the paired kiosk
/// `kiosk_id`, or to every paired kiosk when it is `None` (issue #15). Each kiosk fetches
/// it with its next health report (within a minute) and checks it as a USB pack.
/// `notFound` for a path not on offer or a kiosk not paired; `invalidInput` on a kiosk.
#[tauri::command(async)]
pub fn lan_send_pack(
    state: State<'_, AppState>,
    token: Option<String>,
    path: String,
    kiosk_id: Option<String>,
) -> Result<SendPackView, CommandError> {
    let now = state.now_ms();
    let who = state
        .staff(token.as_deref(), "lan_send_pack", Activity::Act)?
        .name;
    if state.config.mode != Mode::FrontDesk {
        return Err(CommandError::new(
            super::ErrorKind::InvalidInput,
            "only a front-desk laptop sends packs to kiosks",
        ));
    }
    let path = std::path::PathBuf::from(path);
    if !crate::pack::offer::is_offered(&path, &state.data_dir) {
        return Err(CommandError::new(
            super::ErrorKind::NotFound,
            "no such pack in the folders the front desk looks in",
        ));
    }
    let paired: Vec<String> = state
        .with_lan_db(|conn| store::kiosks(conn))?
        .into_iter()
        .map(|k| k.kiosk_id)
        .collect();
    let targets = match kiosk_id {
        None => paired,
        Some(id) if paired.contains(&id) => vec![id],
        Some(_) => {
            return Err(CommandError::new(
                super::ErrorKind::NotFound,
                "that kiosk is not paired with this front desk",
            ))
        }
    };
    let trusted = super::packs::trusted(&state);
    // Checked and copied without holding kiosk.db: kiosks' requests keep arriving meanwhile.
    let sent = match crate::fleet::prepare_pack(&state.data_dir, &path, &trusted, now) {
        Ok(offer) => Ok(state.with_lan_db(|conn| {
            crate::fleet::offer_pack(conn, &state.data_dir, &targets, &offer)
        })?),
        Err(err) => Err(err),
    };
    let (sent, refused, detail) = match sent {
        Ok(sent) => {
            tracing::info!(
                "content pack version {} sent to {} kiosk(s) by staff",
                sent.version,
                sent.kiosks
            );
            state.audit(
                &who,
                "pack-send",
                Some(&format!(
                    "version {} to {} kiosk(s)",
                    sent.version, sent.kiosks
                )),
            );
            (Some(sent), None, None)
        }
        Err(err) => {
            tracing::warn!("content pack {} not sent: {err}", path.display());
            (
                None,
                Some(crate::pack::offer::PackState::from(&err)),
                Some(err.to_string()),
            )
        }
    };
    Ok(SendPackView {
        sent,
        refused,
        detail,
        status: lan_status_of(&state)?,
    })
}
