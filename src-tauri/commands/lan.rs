//! The staff view's LAN link (issue #5): on the front-desk laptop, show a pairing code and
//! list or unpair kiosks; on a kiosk, pair with the laptop or unpair. Staff only.

use serde::Serialize;
use tauri::State;

use super::{AppState, CommandError};
use crate::config::Mode;
use crate::lan::{self, client::PairError, store, tls};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LaptopView {
    /// The port is open (it may fail to open, such as when another program holds it).
    pub listening: bool,
    /// Addresses kiosks can use, such as `192.168.1.20:8470`.
    pub addresses: Vec<String>,
    pub fingerprint: String,
    pub kiosks: Vec<store::PairedKiosk>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PairedView {
    pub address: String,
    pub fingerprint: String,
    pub paired_at: i64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LanStatus {
    /// `laptop` in front-desk mode, else `kiosk`.
    pub role: &'static str,
    pub laptop: Option<LaptopView>,
    pub paired: Option<PairedView>,
}

fn local_addresses(port: u16) -> Vec<String> {
    let mut out: Vec<String> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .filter(|i| !i.is_loopback())
        .filter_map(|i| match i.ip() {
            std::net::IpAddr::V4(ip) => Some(format!("{ip}:{port}")),
            std::net::IpAddr::V6(_) => None,
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

fn status(state: &AppState) -> Result<LanStatus, CommandError> {
    let kiosk_db = state
        .kiosk
        .as_ref()
        .ok_or_else(|| CommandError::unavailable("kiosk.db could not be opened; see the log"))?;
    let conn = kiosk_db
        .lock()
        .map_err(|_| CommandError::internal("kiosk.db lock poisoned"))?;
    if state.config.mode == Mode::FrontDesk {
        let front = state.front_desk.get();
        let listen = state.config.front_desk_listen;
        let addresses = if listen.ip().is_unspecified() {
            local_addresses(listen.port())
        } else {
            vec![listen.to_string()]
        };
        return Ok(LanStatus {
            role: "laptop",
            laptop: Some(LaptopView {
                listening: front.is_some(),
                addresses,
                fingerprint: front
                    .map(|f| tls::short_fingerprint(&f.identity.fingerprint()))
                    .unwrap_or_default(),
                kiosks: store::kiosks(&conn).map_err(|e| CommandError::internal(e.to_string()))?,
            }),
            paired: None,
        });
    }
    let paired = store::pairing(&conn)
        .map_err(|e| CommandError::internal(e.to_string()))?
        .map(|p| PairedView {
            address: p.address,
            fingerprint: tls::short_fingerprint(&p.fingerprint),
            paired_at: p.paired_at,
        });
    Ok(LanStatus {
        role: "kiosk",
        laptop: None,
        paired,
    })
}

#[tauri::command(async)]
pub fn lan_status(
    state: State<'_, AppState>,
    token: Option<String>,
) -> Result<LanStatus, CommandError> {
    state.staff(
        token.as_deref(),
        "lan_status",
        crate::callbacks::staff::Activity::Read,
    )?;
    status(&state)
}

/// Laptop: a new pairing code (valid 10 minutes, 3 tries).
#[tauri::command(async)]
pub fn lan_show_code(
    state: State<'_, AppState>,
    token: Option<String>,
) -> Result<lan::CodeView, CommandError> {
    let now = state.now_ms();
    let who = state
        .staff(
            token.as_deref(),
            "lan_show_code",
            crate::callbacks::staff::Activity::Act,
        )?
        .name;
    let front = state
        .front_desk
        .get()
        .ok_or_else(|| CommandError::unavailable("the front-desk port is not open; see the log"))?;
    state.audit(&who, "pair-code", None);
    let mut view = front.open_code(now);
    // The QR carries the first address kiosks can use, too.
    let listen = state.config.front_desk_listen;
    let address = if listen.ip().is_unspecified() {
        local_addresses(listen.port()).into_iter().next()
    } else {
        Some(listen.to_string())
    };
    if let Some(address) = address {
        view.qr_svg = crate::qr::svg(&format!(
            "clinic-kiosk-pair:?address={address}&code={}&fp={}",
            view.code,
            front.identity.fingerprint()
        ));
    }
    Ok(view)
}

/// Laptop: stop accepting requests from a kiosk.
#[tauri::command(async)]
pub fn lan_unpair_kiosk(
    state: State<'_, AppState>,
    token: Option<String>,
    kiosk_id: String,
) -> Result<LanStatus, CommandError> {
    let who = state
        .staff(
            token.as_deref(),
            "lan_unpair_kiosk",
            crate::callbacks::staff::Activity::Act,
        )?
        .name;
    if let Some(db) = &state.kiosk {
        let conn = db
            .lock()
            .map_err(|_| CommandError::internal("kiosk.db lock poisoned"))?;
        store::remove_kiosk(&conn, &kiosk_id).map_err(|e| CommandError::internal(e.to_string()))?;
    }
    tracing::info!("kiosk {kiosk_id} unpaired by staff");
    state.audit(&who, "unpair", Some(&kiosk_id));
    status(&state)
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PairOutcome {
    /// `paired`, or why not: `badAddress`, `unreachable`, `noCode`, `wrongCode`, `impostor`,
    /// `protocol`.
    pub outcome: &'static str,
    pub status: LanStatus,
}

/// Kiosk: pair with the laptop at `address` using the code it shows.
#[tauri::command(async)]
pub async fn lan_pair(
    state: State<'_, AppState>,
    token: Option<String>,
    address: String,
    code: String,
    name: String,
) -> Result<PairOutcome, CommandError> {
    let now = state.now_ms();
    let who = state
        .staff(
            token.as_deref(),
            "lan_pair",
            crate::callbacks::staff::Activity::Act,
        )?
        .name;
    if state.config.mode == Mode::FrontDesk {
        return Err(CommandError::new(
            super::ErrorKind::InvalidInput,
            "a front-desk laptop does not pair with another",
        ));
    }
    let name = if name.trim().is_empty() {
        "Kiosk".to_string()
    } else {
        name.trim().to_string()
    };
    let outcome = match lan::client::pair(&address, &code, &name, now).await {
        Ok(pairing) => {
            let db = state
                .kiosk
                .as_ref()
                .ok_or_else(|| CommandError::unavailable("kiosk.db could not be opened"))?;
            {
                let conn = db
                    .lock()
                    .map_err(|_| CommandError::internal("kiosk.db lock poisoned"))?;
                store::save_pairing(&conn, &pairing)
                    .map_err(|e| CommandError::internal(e.to_string()))?;
            }
            tracing::info!("paired with the front desk at {}", pairing.address);
            state.audit(&who, "pair", Some(&pairing.address));
            state.delivery_wake.notify_one();
            "paired"
        }
        Err(err) => {
            tracing::warn!("pairing with the front desk failed: {err}");
            match err {
                PairError::BadAddress(_) => "badAddress",
                PairError::Unreachable(_) => "unreachable",
                PairError::NoCode => "noCode",
                PairError::WrongCode => "wrongCode",
                PairError::Impostor => "impostor",
                PairError::Protocol(_) => "protocol",
            }
        }
    };
    Ok(PairOutcome {
        outcome,
        status: status(&state)?,
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
        .staff(
            token.as_deref(),
            "lan_unpair",
            crate::callbacks::staff::Activity::Act,
        )?
        .name;
    if let Some(db) = &state.kiosk {
        let mut conn = db
            .lock()
            .map_err(|_| CommandError::internal("kiosk.db lock poisoned"))?;
        store::forget_pairing(&mut conn, now).map_err(|e| CommandError::internal(e.to_string()))?;
    }
    tracing::info!("unpaired from the front desk by staff");
    state.audit(&who, "unpair", None);
    status(&state)
}
