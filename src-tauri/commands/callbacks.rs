//! Commands for the callback form and the staff view. Staff commands check the staff
//! session here, in Rust, whatever the UI shows. Nothing a patient typed is logged.

use serde::Serialize;
use tauri::State;

use super::{AppState, CommandError, ErrorKind};
use crate::callbacks::{
    self, audit, queue, staff, CallbackForm, CallbackSettings, Filter, InboxItem,
};
use crate::library::Named;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SlotView {
    pub id: String,
    pub label: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentView {
    pub version: String,
    pub text: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallbackConfigView {
    pub slots: Vec<SlotView>,
    pub consent: ConsentView,
    pub note_max_chars: usize,
    pub name_max_chars: usize,
    pub phone_region: String,
    pub phone_example: String,
    pub specialties: Vec<Named>,
}

#[tauri::command(async)]
pub fn callback_config(
    state: State<'_, AppState>,
    lang: String,
) -> Result<CallbackConfigView, CommandError> {
    let s = &state.config.callbacks;
    let specialties = state.with_library(|l| l.specialties(&lang))?;
    Ok(CallbackConfigView {
        slots: s
            .slots
            .iter()
            .map(|slot| SlotView {
                id: slot.id.clone(),
                label: CallbackSettings::text(&slot.label, &lang).to_string(),
            })
            .collect(),
        consent: ConsentView {
            version: s.consent_version.clone(),
            text: CallbackSettings::text(&s.consent_text, &lang).to_string(),
        },
        note_max_chars: callbacks::validate::NOTE_MAX,
        name_max_chars: callbacks::validate::NAME_MAX,
        phone_region: s.region.clone(),
        phone_example: s.phone_example.clone(),
        specialties,
    })
}

#[tauri::command(async)]
pub fn new_request_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmitView {
    pub outcome: callbacks::Outcome,
    pub request_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
}

#[tauri::command(async)]
pub fn submit_callback(
    state: State<'_, AppState>,
    form: CallbackForm,
) -> Result<SubmitView, CommandError> {
    let specialties: Vec<String> = state
        .with_library(|l| l.specialties("en"))?
        .into_iter()
        .map(|s| s.slug)
        .collect();
    let valid = callbacks::validate::validate(&form, &state.config.callbacks, &specialties)
        .map_err(CommandError::fields)?;
    let receipt = state.with_kiosk(|conn| {
        queue::submit(conn, &valid, &state.config.callbacks, callbacks::now_ms())
    })?;
    // Committed: the delivery worker can send it now.
    state.delivery_wake.notify_one();
    Ok(SubmitView {
        outcome: receipt.outcome,
        request_id: receipt.request_id,
        retry_after_secs: receipt.retry_after_secs,
    })
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StaffStatus {
    pub has_accounts: bool,
    pub names: Vec<String>,
    pub lock_seconds: u64,
    pub mode: &'static str,
}

#[tauri::command(async)]
pub fn staff_status(state: State<'_, AppState>) -> Result<StaffStatus, CommandError> {
    let names = state.with_kiosk(|conn| staff::names(conn))?;
    Ok(StaffStatus {
        has_accounts: !names.is_empty(),
        names,
        lock_seconds: state.config.callbacks.staff_lock_secs,
        mode: state.config.mode.as_str(),
    })
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StaffSession {
    pub token: String,
    pub name: String,
}

#[tauri::command(async)]
pub fn staff_create_first(
    state: State<'_, AppState>,
    name: String,
    pin: String,
) -> Result<StaffSession, CommandError> {
    let now = callbacks::now_ms();
    let name = state.with_kiosk(|conn| staff::add_first(conn, &name, &pin, now))?;
    Ok(StaffSession {
        token: state.sessions.start(&name, now),
        name,
    })
}

#[tauri::command(async)]
pub fn staff_unlock(
    state: State<'_, AppState>,
    name: String,
    pin: String,
) -> Result<StaffSession, CommandError> {
    let now = callbacks::now_ms();
    match state.with_kiosk(|conn| staff::unlock(conn, &name, &pin, now))? {
        Ok(name) => Ok(StaffSession {
            token: state.sessions.start(&name, now),
            name,
        }),
        Err(staff::Refused::Wrong { retry_after_secs }) => Err(CommandError {
            retry_after_secs,
            ..CommandError::new(ErrorKind::InvalidInput, "wrong name or PIN")
        }),
        Err(staff::Refused::Wait { retry_after_secs }) => Err(CommandError {
            retry_after_secs: Some(retry_after_secs),
            ..CommandError::new(
                ErrorKind::Locked,
                "too many wrong PINs; wait before trying again",
            )
        }),
    }
}

#[tauri::command(async)]
pub fn staff_lock(state: State<'_, AppState>, token: Option<String>) -> Result<(), CommandError> {
    let now = callbacks::now_ms();
    let name = state.staff(token.as_deref(), now)?;
    state.sessions.end();
    state.with_kiosk(|conn| audit::record(conn, now, &name, "lock", None, None))
}

#[tauri::command(async)]
pub fn inbox_list(
    state: State<'_, AppState>,
    token: Option<String>,
    status: Option<String>,
) -> Result<Vec<InboxItem>, CommandError> {
    state.staff(token.as_deref(), callbacks::now_ms())?;
    let filter = match status.as_deref() {
        None | Some("open") => Filter::Open,
        Some("all") => Filter::All,
        Some(s) => Filter::Status(s),
    };
    state.with_kiosk(|conn| queue::list(conn, filter))
}

#[tauri::command(async)]
pub fn request_update(
    state: State<'_, AppState>,
    token: Option<String>,
    id: String,
    status: Option<String>,
    note: Option<String>,
) -> Result<InboxItem, CommandError> {
    let now = callbacks::now_ms();
    let name = state.staff(token.as_deref(), now)?;
    state
        .with_kiosk(|conn| queue::update(conn, &id, status.as_deref(), note.as_deref(), &name, now))
}

/// Staff send a request to `destination` again now (after a refusal, or without waiting for
/// the next try). `notFound` when the request has no undelivered row there.
#[tauri::command(async)]
pub fn delivery_retry(
    state: State<'_, AppState>,
    token: Option<String>,
    id: String,
    destination: String,
) -> Result<InboxItem, CommandError> {
    let now = callbacks::now_ms();
    let name = state.staff(token.as_deref(), now)?;
    let item = state.with_kiosk(|conn| {
        if !crate::delivery::outbox::retry_now(conn, &id, &destination, now)? {
            return Ok(None);
        }
        audit::record(
            conn,
            now,
            &name,
            "delivery-retry",
            Some(&id),
            Some(&destination),
        )?;
        Ok(queue::list(conn, Filter::All)?
            .into_iter()
            .find(|i| i.id == id))
    })?;
    let item = item.ok_or_else(|| {
        CommandError::new(
            ErrorKind::NotFound,
            "no undelivered row for that request and destination",
        )
    })?;
    state.delivery_wake.notify_one();
    Ok(item)
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportView {
    pub path: String,
    pub rows: usize,
}

#[tauri::command(async)]
pub fn export_callbacks(
    state: State<'_, AppState>,
    token: Option<String>,
) -> Result<ExportView, CommandError> {
    let now = callbacks::now_ms();
    let name = state.staff(token.as_deref(), now)?;
    let dir = state.data_dir.join("exports");
    std::fs::create_dir_all(&dir)
        .map_err(|e| CommandError::internal(format!("cannot create {}: {e}", dir.display())))?;
    // To the second, and never over an earlier export.
    let secs = now.div_euclid(1000);
    let stamp = format!(
        "{}-{:02}{:02}{:02}",
        crate::store::civil_date(secs.div_euclid(86_400)),
        secs.rem_euclid(86_400) / 3600,
        secs.rem_euclid(3600) / 60,
        secs.rem_euclid(60)
    );
    let mut path = dir.join(format!("callbacks-{stamp}.csv"));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("callbacks-{stamp}-{n}.csv"));
        n += 1;
    }
    let rows = state.with_kiosk(|conn| {
        let file = std::fs::File::create(&path)?;
        let rows = queue::export_csv(conn, std::io::BufWriter::new(file))?;
        audit::record(
            conn,
            now,
            &name,
            "export",
            None,
            Some(&format!("{rows} row(s)")),
        )?;
        Ok(rows)
    })?;
    Ok(ExportView {
        path: path.display().to_string(),
        rows,
    })
}

#[tauri::command(async)]
pub fn audit_list(
    state: State<'_, AppState>,
    token: Option<String>,
    limit: Option<usize>,
) -> Result<Vec<audit::AuditEntry>, CommandError> {
    state.staff(token.as_deref(), callbacks::now_ms())?;
    state.with_kiosk(|conn| audit::recent(conn, limit.unwrap_or(200)))
}
