//! Settings of one clinic's kiosk, from one TOML file for the clinic's IT person
//! (docs/config.example.toml). Sensible defaults let the app run with no file.
//!
//! [`types`] holds the settings and their defaults, [`mod@file`] reads the file table by table
//! with `reader`, and [`checks`] says what each value must mean.

mod article;
pub mod checks;
pub mod destination;
pub mod file;
mod metrics;
mod reader;
pub mod speech;
pub mod types;

use std::path::PathBuf;

pub use types::{Config, ConfigProblem, Mode, SpecialtyTopics};

/// The config file's path; `--config PATH` wins over it.
pub const CONFIG_ENV: &str = "CLINIC_KIOSK_CONFIG";

/// Overrides the file's `mode` (`kiosk`, `front-desk`, `windowed`), for tests and trials.
pub const MODE_ENV: &str = "CLINIC_KIOSK_MODE";

/// Where the config file is and whether it must exist.
pub fn config_path(cli: Option<PathBuf>) -> (PathBuf, bool) {
    if let Some(p) = cli {
        return (p, true);
    }
    if let Some(p) = std::env::var_os(CONFIG_ENV).filter(|v| !v.is_empty()) {
        return (PathBuf::from(p), true);
    }
    let default = dirs::config_dir()
        .map(|d| d.join(crate::paths::IDENTIFIER).join("config.toml"))
        .unwrap_or_else(|| PathBuf::from("config.toml"));
    (default, false)
}

impl Config {
    /// The config from the file (see [`config_path`]) with the mode override applied, and
    /// the file's problems; bad values keep their defaults.
    pub fn load(cli: Option<PathBuf>) -> (Self, Vec<ConfigProblem>) {
        let (path, required) = config_path(cli);
        let (mut config, problems) = file::load(&path, required);
        match std::env::var(MODE_ENV).as_deref() {
            Ok("front-desk") => config.mode = Mode::FrontDesk,
            Ok("kiosk") => config.mode = Mode::Kiosk,
            Ok("windowed") => config.mode = Mode::Windowed,
            _ => {}
        }
        (config, problems)
    }
}

/// The largest logo the kiosk will show; `config check` reports a larger one.
pub const LOGO_MAX_BYTES: u64 = 512 * 1024;

/// The logo file as a `data:` URL for the page, or `None` (with a warning in the log) when
/// it cannot be read. SVG in an `<img>` runs no scripts, so either kind is safe to show.
pub fn logo_data_url(path: &std::path::Path) -> Option<String> {
    use base64::Engine as _;
    let mime = match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
    {
        Some(ext) if ext == "png" => "image/png",
        Some(ext) if ext == "svg" => "image/svg+xml",
        _ => return None,
    };
    let bytes = match std::fs::read(path) {
        Ok(bytes) if bytes.len() as u64 <= LOGO_MAX_BYTES => bytes,
        Ok(_) => {
            tracing::warn!(
                "logo {} is larger than {LOGO_MAX_BYTES} bytes; not shown",
                path.display()
            );
            return None;
        }
        Err(err) => {
            tracing::warn!("logo {} cannot be read: {err}", path.display());
            return None;
        }
    };
    let data = base64::engine::general_purpose::STANDARD.encode(bytes);
    Some(format!("data:{mime};base64,{data}"))
}
