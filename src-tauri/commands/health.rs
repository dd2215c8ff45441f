//! The staff health screen: is this kiosk well? The report is made by [`crate::health`].

use tauri::State;

use super::{AppState, CommandError};
use crate::health::{self, Health};

/// The health report at the commands' clock.
#[tauri::command(async)]
pub fn staff_health(
    state: State<'_, AppState>,
    token: Option<String>,
) -> Result<Health, CommandError> {
    state.staff(
        token.as_deref(),
        "staff_health",
        crate::callbacks::staff::Activity::Read,
    )?;
    let sources = state.health_sources();
    health::report(&sources, state.now_ms()).map_err(CommandError::internal)
}
