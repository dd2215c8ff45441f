//! Settings of one clinic's kiosk, from one TOML file for the clinic's IT person
//! (docs/config.example.toml). Sensible defaults let the app run with no file.

pub mod file;

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::callbacks::CallbackSettings;
use crate::content::Localized;

pub use file::{ConfigProblem, SpecialtyTopics};

/// The config file's path; `--config PATH` wins over it.
pub const CONFIG_ENV: &str = "CLINIC_KIOSK_CONFIG";

/// How the app opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The patient screens, with the staff view behind a PIN.
    Kiosk,
    /// A front-desk laptop: straight to the staff view.
    FrontDesk,
    /// The patient screens in an ordinary window (for trying things out).
    Windowed,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Kiosk => "kiosk",
            Mode::FrontDesk => "front-desk",
            Mode::Windowed => "windowed",
        }
    }
}

/// Overrides the file's `mode` (`kiosk`, `front-desk`, `windowed`), for tests and trials.
pub const MODE_ENV: &str = "CLINIC_KIOSK_MODE";

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub clinic_name: String,
    /// A PNG or SVG shown on the home screen.
    pub logo: Option<PathBuf>,
    /// `#rrggbb`, checked for 4.5:1 contrast with white text.
    pub accent_colour: String,
    pub languages: Vec<String>,
    pub default_language: String,
    pub mode: Mode,
    /// Seconds without a touch before the idle warning.
    pub idle_seconds: u32,
    /// How long the idle warning counts down before the reset (at least 20).
    pub idle_warning_seconds: u32,
    pub callbacks: CallbackSettings,
    /// Staff PIN rules, wrong-PIN locks and session limits (`[staff]`, and `[clinic] phone`).
    pub staff: crate::callbacks::staff::StaffPolicy,
    /// `disclaimer` and `emergency` overriding content/notices.toml.
    pub notices: BTreeMap<String, Localized>,
    pub specialty_topics: SpecialtyTopics,
    /// Where callback requests are delivered besides the kiosk's own staff inbox.
    pub destinations: Vec<crate::delivery::Destination>,
    /// In front-desk mode, where the laptop listens for its kiosks.
    pub front_desk_listen: std::net::SocketAddr,
    /// Public keys (base64) whose signed content packs this kiosk installs.
    pub trusted_keys: Vec<String>,
}

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

impl Default for Config {
    fn default() -> Self {
        Config {
            clinic_name: "Riverside Spine & Vein Clinic".into(),
            languages: vec!["en".into(), "es".into()],
            default_language: "en".into(),
            logo: None,
            accent_colour: "#0b5f6b".into(),
            mode: Mode::Kiosk,
            idle_seconds: 90,
            idle_warning_seconds: 30,
            callbacks: CallbackSettings::default(),
            staff: Default::default(),
            notices: BTreeMap::new(),
            specialty_topics: BTreeMap::new(),
            destinations: Vec::new(),
            front_desk_listen: std::net::SocketAddr::from(([0, 0, 0, 0], crate::lan::DEFAULT_PORT)),
            trusted_keys: Vec::new(),
        }
    }
}

impl Config {
    /// The specialty the config makes answer callbacks about `topic`, if any.
    pub fn specialty_for_topic(&self, topic: &str) -> Option<&str> {
        self.specialty_topics
            .iter()
            .find(|(_, topics)| topics.iter().any(|t| t == topic))
            .map(|(slug, _)| slug.as_str())
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
