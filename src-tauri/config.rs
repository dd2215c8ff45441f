//! Settings of one clinic's kiosk. Defaults let the app run with no file; the config file
//! (one TOML file for the clinic's IT person) is issue #4.

use crate::callbacks::CallbackSettings;

/// How the app opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The patient screens, with the staff view behind a PIN.
    Kiosk,
    /// A front-desk laptop: straight to the staff view.
    FrontDesk,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Kiosk => "kiosk",
            Mode::FrontDesk => "front-desk",
        }
    }
}

/// Until the config file lands, `CLINIC_KIOSK_MODE=front-desk` picks the front-desk mode.
pub const MODE_ENV: &str = "CLINIC_KIOSK_MODE";

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub clinic_name: String,
    pub languages: Vec<String>,
    pub default_language: String,
    pub mode: Mode,
    pub callbacks: CallbackSettings,
}

impl Config {
    /// Defaults, with the mode from the environment.
    pub fn from_env() -> Self {
        let mode = match std::env::var(MODE_ENV).as_deref() {
            Ok("front-desk") => Mode::FrontDesk,
            _ => Mode::Kiosk,
        };
        Config {
            mode,
            ..Config::default()
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            clinic_name: "Riverside Spine & Vein Clinic".into(),
            languages: vec!["en".into(), "es".into()],
            default_language: "en".into(),
            mode: Mode::Kiosk,
            callbacks: CallbackSettings::default(),
        }
    }
}
