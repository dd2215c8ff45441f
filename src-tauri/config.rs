//! Settings of one clinic's kiosk. Defaults let the app run with no file; the config file
//! (one TOML file for the clinic's IT person) is issue #4.

use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Config {
    pub clinic_name: String,
    pub languages: Vec<String>,
    pub default_language: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            clinic_name: "Riverside Spine & Vein Clinic".into(),
            languages: vec!["en".into(), "es".into()],
            default_language: "en".into(),
        }
    }
}
