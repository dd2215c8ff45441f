//! The settings the config file gives, with their defaults, and the problems found in it.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use crate::callbacks::CallbackSettings;
use crate::content::Localized;

/// How the app opens; on the wire and in the config as `kiosk`, `front-desk` or
/// `windowed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// The patient screens, with the staff view behind a PIN.
    Kiosk,
    /// A front-desk laptop: straight to the staff view.
    FrontDesk,
    /// The patient screens in an ordinary window (for trying things out).
    Windowed,
}

impl Mode {
    /// The mode as the config file writes it (and the wire).
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Kiosk => "kiosk",
            Mode::FrontDesk => "front-desk",
            Mode::Windowed => "windowed",
        }
    }
}

/// The clinic's settings: the file's values, the defaults for the rest.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Shown on the home screen (at most 80 characters).
    pub clinic_name: String,
    /// A PNG or SVG shown on the home screen.
    pub logo: Option<PathBuf>,
    /// `#rrggbb`, checked for 4.5:1 contrast with white text.
    pub accent_colour: String,
    /// Language codes offered, such as `["en", "es"]`.
    pub languages: Vec<String>,
    /// The language the home screen opens in; one of `languages`.
    pub default_language: String,
    /// How the app opens.
    pub mode: Mode,
    /// Seconds without a touch before the idle warning.
    pub idle_seconds: u32,
    /// How long the idle warning counts down before the reset (at least 20).
    pub idle_warning_seconds: u32,
    /// `[idle] reload_after_minutes`: the idle reset reloads a page that has run this long,
    /// which gives back the memory WebKit keeps growing (issue #16; BENCHMARKS.md).
    pub idle_reload_after_minutes: u32,
    /// The callback form's rules, retention and limits (`[callbacks]`).
    pub callbacks: CallbackSettings,
    /// Staff PIN rules, wrong-PIN locks and session limits (`[staff]`, and `[clinic] phone`).
    pub staff: crate::callbacks::staff::StaffPolicy,
    /// `disclaimer` and `emergency` overriding content/notices.toml.
    pub notices: BTreeMap<String, Localized>,
    /// Which topics' callbacks each specialty answers (`[[specialty]]`), overriding articles' own specialty.
    pub specialty_topics: SpecialtyTopics,
    /// Where callback requests are delivered besides the kiosk's own staff inbox.
    pub destinations: Vec<crate::delivery::Destination>,
    /// In front-desk mode, where the laptop listens for its kiosks.
    pub front_desk_listen: std::net::SocketAddr,
    /// In front-desk mode, when the kiosk list warns (`[front_desk] not_seen_minutes`,
    /// `request_age_minutes`).
    pub fleet: crate::lan::fleet::Thresholds,
    /// Public keys (base64) whose signed content packs this kiosk installs.
    pub trusted_keys: Vec<String>,
    /// `[metrics] textfile_dir`: the node exporter's textfile folder the health metrics are
    /// written to every minute (see the metrics module); `None`, the default, writes none.
    pub metrics_textfile_dir: Option<PathBuf>,
    /// Reading aloud (`[speech]`, issue #13).
    pub speech: crate::speech::Settings,
    /// The six keys of keys-only use (`[keys]`, issue #13).
    pub keys: super::speech::Keys,
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
            idle_reload_after_minutes: 30,
            callbacks: CallbackSettings::default(),
            staff: Default::default(),
            notices: BTreeMap::new(),
            specialty_topics: BTreeMap::new(),
            destinations: Vec::new(),
            front_desk_listen: std::net::SocketAddr::from(([0, 0, 0, 0], crate::lan::DEFAULT_PORT)),
            fleet: Default::default(),
            trusted_keys: Vec::new(),
            metrics_textfile_dir: None,
            speech: Default::default(),
            keys: Default::default(),
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

/// Specialties mapped to the topics they answer for.
pub type SpecialtyTopics = BTreeMap<String, Vec<String>>;

/// One problem in a config file, printed as `path:line: key: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// The config file.
    pub path: PathBuf,
    /// The key's line (1-based), or the table's around it.
    pub line: usize,
    /// Dotted key, such as `idle.warning_seconds`.
    pub key: String,
    /// What is wrong and what to write instead.
    pub message: String,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.path.display(),
            self.line,
            self.key,
            self.message
        )
    }
}

#[cfg(test)]
mod tests {
    use super::Mode;

    #[test]
    fn modes_keep_their_wire_names() {
        for mode in [Mode::Kiosk, Mode::FrontDesk, Mode::Windowed] {
            assert_eq!(
                serde_json::json!(mode),
                mode.as_str(),
                "the UI branches on these"
            );
        }
    }
}
