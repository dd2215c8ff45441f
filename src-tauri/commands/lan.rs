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
            status::laptop(conn, front, state.config.front_desk_listen)
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
        state.with_lan_db(|conn| store::remove_kiosk(conn, &kiosk_id))?;
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
