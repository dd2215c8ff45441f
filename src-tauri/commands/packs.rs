//! The staff view's article updates (issue #6): signed content packs found in the data
//! folder's `packs/` or on a USB stick, checked, and installed while the kiosk runs.

use tauri::State;

use super::{AppState, CommandError};
use crate::pack::offer::{self, ImportView, PacksView};

/// The public keys of the config's `[content] trusted_keys` that parse.
pub(super) fn trusted(state: &AppState) -> Vec<ed25519_dalek::VerifyingKey> {
    state
        .config
        .trusted_keys
        .iter()
        .filter_map(|k| crate::pack::parse_public(k))
        .collect()
}

/// The installed pack's version and the packs on offer, each with where it stands.
#[tauri::command(async)]
pub fn content_packs(
    state: State<'_, AppState>,
    token: Option<String>,
) -> Result<PacksView, CommandError> {
    state.staff(
        token.as_deref(),
        "content_packs",
        crate::callbacks::staff::Activity::Read,
    )?;
    Ok(offer::listing(&state.data_dir, &trusted(&state)))
}

/// Installs the pack at `path` (one [`content_packs`] listed) and switches the kiosk to the
/// new library. A refused pack changes nothing. `notFound` for a path not on offer.
#[tauri::command(async)]
pub fn content_import(
    state: State<'_, AppState>,
    token: Option<String>,
    path: String,
) -> Result<ImportView, CommandError> {
    let who = state
        .staff(
            token.as_deref(),
            "content_import",
            crate::callbacks::staff::Activity::Act,
        )?
        .name;
    let path = std::path::PathBuf::from(path);
    if !offer::is_offered(&path, &state.data_dir) {
        return Err(CommandError::new(
            super::ErrorKind::NotFound,
            "no such pack in the folders the kiosk looks in",
        ));
    }
    offer::import(&path, &state.data_dir, &trusted(&state), |version, lib| {
        *state
            .library
            .lock()
            .map_err(|_| CommandError::internal("library lock poisoned"))? = Ok(lib);
        tracing::info!("content pack version {version} installed by staff");
        state.audit(&who, "content-import", Some(&version.to_string()));
        Ok(())
    })
}
