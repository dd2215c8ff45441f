//! The kiosk shell's own commands: the UI saying its first screen is ready (start-up time,
//! and the cold-start benchmark), and the staff's ways out of kiosk mode, each behind a PIN.

use tauri::{AppHandle, Manager, Runtime, State};

use super::{AppState, CommandError};

/// Exit status of a staff "quit": the systemd unit does not restart the app for it
/// (`RestartPreventExitStatus`), while any crash still brings the kiosk back.
pub const STAFF_QUIT_STATUS: i32 = 75;

/// Set this to make the app exit as soon as its home screen is ready (cold-start benchmark).
pub const EXIT_WHEN_READY_ENV: &str = "CLINIC_KIOSK_EXIT_WHEN_READY";

/// The UI calls this once, when its first screen can be used. Logs the start-up time.
#[tauri::command(async)]
pub fn ui_ready<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) {
    let ms = state.started.elapsed().as_millis();
    let loads = state
        .page_loads
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if loads == 0 {
        tracing::info!("first screen ready {ms} ms after start");
    } else {
        // The page started again: a web process that died, or the UI's own last resort.
        tracing::warn!(
            "the page was loaded again and is ready (load {})",
            loads + 1
        );
    }
    if std::env::var_os(EXIT_WHEN_READY_ENV).is_some() {
        // The benchmark times this line, not the teardown after it.
        println!("ready");
        app.exit(0);
    }
}

/// Staff only: leaves kiosk mode for this run. The window gets its frame back and leaves
/// fullscreen, so staff can reach the desktop; the next start is a kiosk again.
#[tauri::command(async)]
pub fn staff_leave_kiosk<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    token: Option<String>,
) -> Result<(), CommandError> {
    let who = state
        .staff(
            token.as_deref(),
            "staff_leave_kiosk",
            crate::callbacks::staff::Activity::Act,
        )?
        .name;
    let window = app
        .get_webview_window("main")
        .ok_or_else(|| CommandError::internal("no main window"))?;
    crate::shell::leave_kiosk(&window).map_err(|e| CommandError::internal(e.to_string()))?;
    state.audit(&who, "leave-kiosk", None);
    tracing::info!("kiosk mode left by staff");
    Ok(())
}

/// Staff only: closes the app. Under the systemd unit it stays closed (see
/// [`STAFF_QUIT_STATUS`]); start it again from the desktop or with systemctl.
#[tauri::command(async)]
pub fn staff_quit<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    token: Option<String>,
) -> Result<(), CommandError> {
    let who = state
        .staff(
            token.as_deref(),
            "staff_quit",
            crate::callbacks::staff::Activity::Act,
        )?
        .name;
    state.audit(&who, "quit", None);
    tracing::info!("the app was closed by staff");
    app.exit(STAFF_QUIT_STATUS);
    Ok(())
}

/// The UI hit an error it did not expect (it then shows the recovery screen). Logged for
/// staff; the text is cut short and is never shown to a patient. The UI sends only the
/// error's own message and where it happened, never form contents.
#[tauri::command(async)]
pub fn report_ui_error(message: String, source: Option<String>, line: Option<u32>) {
    // Escaped and cut short: text from the page must not forge log lines (a newline) or
    // fill the disk.
    let message = crate::lan::escaped(&message, 300);
    let source = crate::lan::escaped(
        source
            .unwrap_or_default()
            .rsplit('/')
            .next()
            .unwrap_or_default(),
        80,
    );
    tracing::error!(
        "ui error: {message} ({source}:{})",
        line.unwrap_or_default()
    );
}
