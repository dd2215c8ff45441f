//! The staff view's article updates (issue #6): signed content packs found in the data
//! folder's `packs/` or on a USB stick, checked, and installed while the kiosk runs.

use serde::Serialize;
use tauri::State;

use super::{AppState, CommandError};
use crate::pack::{self, PackError};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PackView {
    pub path: String,
    pub name: String,
    /// The pack's version when it checked out.
    pub version: Option<u64>,
    /// `ready`, `notNewer`, or why it is refused: `untrusted`, `changed`, `unsigned`,
    /// `truncated`, `notAPack`, `noKeys`, `badContent`, `unreadable`.
    pub state: &'static str,
    /// The refusal in words, for staff.
    pub detail: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PacksView {
    /// The installed pack's version, or `None` for the articles the app shipped with.
    pub installed: Option<u64>,
    pub packs: Vec<PackView>,
}

fn code(err: &PackError) -> &'static str {
    match err {
        PackError::UntrustedKey(_) => "untrusted",
        PackError::BadSignature
        | PackError::FileMismatch(_)
        | PackError::Missing(_)
        | PackError::Extra(_) => "changed",
        PackError::Unsigned => "unsigned",
        PackError::Truncated(_) => "truncated",
        PackError::NotAPack(_) | PackError::TooLarge(_) => "notAPack",
        PackError::NoTrustedKeys => "noKeys",
        PackError::NotNewer { .. } => "notNewer",
        PackError::BadContent(_) => "badContent",
        PackError::Io { .. } | PackError::BadKey(_) | PackError::Library(_) => "unreadable",
    }
}

fn trusted(state: &AppState) -> Vec<ed25519_dalek::VerifyingKey> {
    state
        .config
        .trusted_keys
        .iter()
        .filter_map(|k| pack::parse_public(k))
        .collect()
}

fn view(state: &AppState) -> PacksView {
    let installed = pack::installed(&state.data_dir).map(|m| m.version);
    let keys = trusted(state);
    let packs = pack::find(&pack::search_folders(&state.data_dir))
        .into_iter()
        .take(20)
        .map(|path| {
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            // Only the signed manifest is read to list a pack; its files are read on import.
            let (version, state, detail) = match pack::peek(&path, &keys) {
                Ok(m) if m.version > installed.unwrap_or(0) => (Some(m.version), "ready", None),
                Ok(m) => (
                    Some(m.version),
                    "notNewer",
                    Some(
                        PackError::NotNewer {
                            pack: m.version,
                            installed: installed.unwrap_or(0),
                        }
                        .to_string(),
                    ),
                ),
                Err(err) => (None, code(&err), Some(err.to_string())),
            };
            PackView {
                path: path.to_string_lossy().to_string(),
                name,
                version,
                state,
                detail,
            }
        })
        .collect();
    PacksView { installed, packs }
}

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
    Ok(view(&state))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportView {
    /// `installed`, or the refusal code (as in [`PackView::state`]).
    pub outcome: &'static str,
    pub detail: Option<String>,
    pub article_count: Option<i64>,
    pub packs: PacksView,
}

/// Installs the pack at `path` (one [`content_packs`] listed) and switches the kiosk to the
/// new library. A refused pack changes nothing.
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
    // Only files the kiosk itself offered: no path from elsewhere.
    if !pack::find(&pack::search_folders(&state.data_dir)).contains(&path) {
        return Err(CommandError::new(
            super::ErrorKind::NotFound,
            "no such pack in the folders the kiosk looks in",
        ));
    }
    let keys = trusted(&state);
    let result = pack::open(&path, &keys).and_then(|verified| {
        let version = verified.manifest.version;
        pack::install(
            &verified,
            &state.data_dir,
            &state.data_dir.join(crate::paths::LIBRARY_DB),
        )
        .map(|lib| (version, lib))
    });
    let (outcome, detail, article_count) = match result {
        Ok((version, lib)) => {
            let count = lib.article_count().ok();
            let mut slot = state
                .library
                .lock()
                .map_err(|_| CommandError::internal("library lock poisoned"))?;
            *slot = Ok(lib);
            drop(slot);
            tracing::info!("content pack version {version} installed by staff");
            state.audit(&who, "content-import", Some(&version.to_string()));
            ("installed", None, count)
        }
        Err(err) => {
            tracing::warn!("content pack {} refused: {err}", path.display());
            (code(&err), Some(err.to_string()), None)
        }
    };
    Ok(ImportView {
        outcome,
        detail,
        article_count,
        packs: view(&state),
    })
}
