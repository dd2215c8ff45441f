//! Where the app keeps its files: the data folder (library.db, kiosk.db) and the content
//! folder it builds the library from. Environment variables override both, for tests and
//! for clinics that keep data elsewhere.

use std::path::PathBuf;

/// Overrides the data folder.
pub const DATA_DIR_ENV: &str = "CLINIC_KIOSK_DATA_DIR";
/// Overrides the content folder.
pub const CONTENT_DIR_ENV: &str = "CLINIC_KIOSK_CONTENT_DIR";
/// Must match `identifier` in tauri.conf.json: Tauri's app data folder is named after it.
pub const IDENTIFIER: &str = "org.clinickiosk.app";

pub const LIBRARY_DB: &str = "library.db";
pub const KIOSK_DB: &str = "kiosk.db";

fn from_env(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The data folder: `CLINIC_KIOSK_DATA_DIR`, else `app_data` (Tauri's app data folder, when
/// the window is up), else the OS data folder named after the app.
pub fn data_dir(app_data: Option<PathBuf>) -> PathBuf {
    from_env(DATA_DIR_ENV)
        .or(app_data)
        .or_else(|| dirs::data_dir().map(|d| d.join(IDENTIFIER)))
        .unwrap_or_else(|| PathBuf::from(".clinic-kiosk-data"))
}

/// The content folder: `CLINIC_KIOSK_CONTENT_DIR`, else the bundled `content/` resource of
/// an installed app, else the repository's `content/` (development builds).
pub fn content_dir(resources: Option<PathBuf>) -> PathBuf {
    if let Some(dir) = from_env(CONTENT_DIR_ENV) {
        return dir;
    }
    if let Some(dir) = resources.map(|r| r.join("content")).filter(|d| d.is_dir()) {
        return dir;
    }
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content");
    if repo.is_dir() {
        return repo;
    }
    PathBuf::from("content")
}
