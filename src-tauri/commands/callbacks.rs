//! Commands for the callback form and the staff view. Staff commands check the staff
//! session here, in Rust, whatever the UI shows. Nothing a patient typed is logged.

use serde::Serialize;
use tauri::State;

use super::{AppState, CommandError, ErrorKind};
use crate::callbacks::settings::FormView;
use crate::callbacks::staff::{Activity, Role};
use crate::callbacks::{self, audit, queue, staff, CallbackForm, Filter, InboxItem};

/// The callback form in `lang`: slots, consent, limits, phone region and specialties.
#[tauri::command(async)]
pub fn callback_config(state: State<'_, AppState>, lang: String) -> Result<FormView, CommandError> {
    let specialties = state.with_library(|l| l.specialties(&lang))?;
    // The library took `lang`: it is one it has.
    let lang = crate::lang::Lang::or_english(&lang);
    Ok(state.config.callbacks.form_view(lang, specialties))
}

/// A new request id (UUID v7) for a form about to be filled in: a resend keeps it.
#[tauri::command(async)]
pub fn new_request_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// What the patient's screen is told after sending the form.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmitView {
    /// `received`, `alreadyReceived` or `rateLimited` (a duplicate is told `received`).
    pub outcome: callbacks::Outcome,
    /// The request's id.
    pub request_id: String,
    /// With `rateLimited`: seconds to wait.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
}

/// Checks the form by the callback rules and stores it in kiosk.db, answering only once it is committed. `invalidInput` with `fields` when a rule is broken (messages in the screen's language).
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
    let now = state.now_ms();
    let receipt =
        state.with_kiosk(|conn| queue::submit(conn, &valid, &state.config.callbacks, now))?;
    // Committed: the delivery worker can send it now.
    state.delivery_wake.notify_one();
    let receipt = receipt.for_patient();
    Ok(SubmitView {
        outcome: receipt.outcome,
        request_id: receipt.request_id,
        retry_after_secs: receipt.retry_after_secs,
    })
}

/// What the PIN screen needs to show itself.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StaffStatus {
    /// Whether any staff account exists (none: the UI explains how IT makes the first one).
    pub has_accounts: bool,
    /// The names for the PIN screen.
    pub names: Vec<String>,
    /// Seconds without a staff action before the staff view locks.
    pub lock_seconds: u64,
    /// `kiosk`, `front-desk` or `windowed`.
    pub mode: crate::config::Mode,
    /// The fewest digits a PIN may have here.
    pub pin_min_digits: usize,
}

/// The staff accounts' names and the PIN rules, for the PIN screen (no session needed).
#[tauri::command(async)]
pub fn staff_status(state: State<'_, AppState>) -> Result<StaffStatus, CommandError> {
    let names = state.with_kiosk(|conn| staff::names(conn))?;
    Ok(StaffStatus {
        has_accounts: !names.is_empty(),
        names,
        lock_seconds: state.config.staff.idle_lock_secs,
        mode: state.config.mode,
        pin_min_digits: state.config.staff.pin_min_digits,
    })
}

/// A staff session just started.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StaffSession {
    /// Sent back with every staff command.
    pub token: String,
    /// The account's name as stored.
    pub name: String,
    /// `frontDesk` or `admin`.
    pub role: Role,
    /// The session ends this many seconds after the PIN, whatever happens.
    pub session_max_secs: u64,
}

/// Unlocks the staff view with a PIN. Errors: `invalidInput` (wrong name or PIN, with
/// `retryAfterSecs` once the delay started), `locked` (wait `retryAfterSecs`), `hardLocked`
/// (an admin or the command line must lift the lock). Every attempt is in the audit log.
#[tauri::command(async)]
pub fn staff_unlock(
    state: State<'_, AppState>,
    name: String,
    pin: String,
) -> Result<StaffSession, CommandError> {
    let now = state.now_ms();
    let policy = &state.config.staff;
    let who = state.with_kiosk(|conn| staff::unlock(conn, &name, &pin, policy, now))??;
    Ok(StaffSession {
        token: state.sessions.start(&who, now),
        name: who.name,
        role: who.role,
        session_max_secs: policy.session_max_secs,
    })
}

/// Ends the staff session, recorded in the audit log.
#[tauri::command(async)]
pub fn staff_lock(state: State<'_, AppState>, token: Option<String>) -> Result<(), CommandError> {
    let now = state.now_ms();
    let who = state.staff(token.as_deref(), "staff_lock", Activity::Read)?;
    state.sessions.end();
    state.with_kiosk(|conn| audit::record(conn, now, &who.name, "lock", None, None))
}

/// Time left in a staff session.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeepAlive {
    /// Seconds until inactivity locks the session.
    pub idle_secs_left: u64,
    /// Seconds until the session's lifetime ends (a keep-alive never extends it).
    pub session_secs_left: u64,
}

/// Staff touched the staff view: the inactivity timer starts again. The UI calls this on
/// real input only, never from a timer.
#[tauri::command(async)]
pub fn staff_keepalive(
    state: State<'_, AppState>,
    token: Option<String>,
) -> Result<KeepAlive, CommandError> {
    let who = state.staff(token.as_deref(), "staff_keepalive", Activity::Act)?;
    Ok(KeepAlive {
        idle_secs_left: who.idle_secs_left,
        session_secs_left: who.session_secs_left,
    })
}

/// Admin: every staff account with its role and whether it is hard-locked.
#[tauri::command(async)]
pub fn staff_accounts(
    state: State<'_, AppState>,
    token: Option<String>,
) -> Result<Vec<staff::Account>, CommandError> {
    state.staff(token.as_deref(), "staff_accounts", Activity::Read)?;
    state.with_kiosk(|conn| staff::accounts(conn))
}

/// Admin: adds an account. `role` is `frontDesk` or `admin`; the PIN rules answer
/// `invalidInput` with a message saying which rule.
#[tauri::command(async)]
pub fn staff_account_add(
    state: State<'_, AppState>,
    token: Option<String>,
    name: String,
    pin: String,
    role: String,
) -> Result<Vec<staff::Account>, CommandError> {
    let who = state.staff(token.as_deref(), "staff_account_add", Activity::Act)?;
    let role = Role::parse(&role).ok_or_else(|| {
        CommandError::new(
            ErrorKind::InvalidInput,
            "the role must be frontDesk or admin",
        )
    })?;
    let now = state.now_ms();
    state.with_kiosk(|conn| {
        staff::add(conn, &name, &pin, role, &state.config.staff, &who.name, now)?;
        staff::accounts(conn)
    })
}

/// Admin: lifts an account's hard lock.
#[tauri::command(async)]
pub fn staff_account_unlock(
    state: State<'_, AppState>,
    token: Option<String>,
    name: String,
) -> Result<Vec<staff::Account>, CommandError> {
    let who = state.staff(token.as_deref(), "staff_account_unlock", Activity::Act)?;
    let now = state.now_ms();
    state.with_kiosk(|conn| {
        staff::lift_lock(conn, &name, &who.name, now)?;
        staff::accounts(conn)
    })
}

/// Admin: removes an account (not one's own, not the last admin).
#[tauri::command(async)]
pub fn staff_account_remove(
    state: State<'_, AppState>,
    token: Option<String>,
    name: String,
) -> Result<Vec<staff::Account>, CommandError> {
    let who = state.staff(token.as_deref(), "staff_account_remove", Activity::Act)?;
    if staff::name_key(&name) == staff::name_key(&who.name) {
        return Err(CommandError::new(
            ErrorKind::InvalidInput,
            "you cannot remove your own account",
        ));
    }
    let now = state.now_ms();
    state.with_kiosk(|conn| {
        staff::remove(conn, &name, &who.name, now)?;
        staff::accounts(conn)
    })
}

/// The inbox: requests by `status` (`open`, the default: every one not closed; `all`; or one of `new`, `contacted`, `noAnswer`, `closed`). `invalidInput` for another status.
#[tauri::command(async)]
pub fn inbox_list(
    state: State<'_, AppState>,
    token: Option<String>,
    status: Option<String>,
) -> Result<Vec<InboxItem>, CommandError> {
    state.staff(token.as_deref(), "inbox_list", Activity::Read)?;
    let filter = match status.as_deref() {
        None | Some("open") => Filter::Open,
        Some("all") => Filter::All,
        Some(s) => Filter::Status(s),
    };
    state.with_kiosk(|conn| queue::list(conn, filter))
}

/// Moves request `id` to `status` and/or adds a staff `note` (at most 500 characters), audited; the request as the inbox shows it. `notFound`, `invalidInput`.
#[tauri::command(async)]
pub fn request_update(
    state: State<'_, AppState>,
    token: Option<String>,
    id: String,
    status: Option<String>,
    note: Option<String>,
) -> Result<InboxItem, CommandError> {
    let now = state.now_ms();
    let name = state
        .staff(token.as_deref(), "request_update", Activity::Act)?
        .name;
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
    let now = state.now_ms();
    let name = state
        .staff(token.as_deref(), "delivery_retry", Activity::Act)?
        .name;
    let item =
        state.with_kiosk(|conn| queue::retry_delivery(conn, &id, &destination, &name, now))?;
    let item = item.ok_or_else(|| {
        CommandError::new(
            ErrorKind::NotFound,
            "no undelivered row for that request and destination",
        )
    })?;
    state.delivery_wake.notify_one();
    Ok(item)
}

/// Where an export went.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportView {
    /// The CSV file written.
    pub path: String,
    /// How many requests it holds.
    pub rows: usize,
}

/// The folders staff may export to now: the config's `export_dir` and writable USB drives,
/// never the data folder. Empty: the UI says to plug in a USB drive.
#[tauri::command(async)]
pub fn export_folders(
    state: State<'_, AppState>,
    token: Option<String>,
) -> Result<Vec<callbacks::export::ExportFolder>, CommandError> {
    state.staff(token.as_deref(), "export_folders", Activity::Read)?;
    Ok(callbacks::export::folders(
        state.config.callbacks.export_dir.as_deref(),
        &state.data_dir,
    ))
}

/// Writes every request as CSV (mode 0600) into `folder`, one of [`export_folders`].
#[tauri::command(async)]
pub fn export_callbacks(
    state: State<'_, AppState>,
    token: Option<String>,
    folder: Option<String>,
) -> Result<ExportView, CommandError> {
    let now = state.now_ms();
    let name = state
        .staff(token.as_deref(), "export_callbacks", Activity::Act)?
        .name;
    let offered = callbacks::export::folders(
        state.config.callbacks.export_dir.as_deref(),
        &state.data_dir,
    );
    let folder = folder.unwrap_or_default();
    let (path, rows) =
        state.with_kiosk(|conn| callbacks::export::export(conn, &folder, &offered, &name, now))?;
    Ok(ExportView {
        path: path.display().to_string(),
        rows,
    })
}

/// The audit log, newest first: `limit` entries (200 when not given; 1 to 1,000).
#[tauri::command(async)]
pub fn audit_list(
    state: State<'_, AppState>,
    token: Option<String>,
    limit: Option<usize>,
) -> Result<Vec<audit::AuditEntry>, CommandError> {
    state.staff(token.as_deref(), "audit_list", Activity::Read)?;
    state.with_kiosk(|conn| audit::recent(conn, limit.unwrap_or(200)))
}
