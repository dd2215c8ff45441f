//! The clinic's callback settings. Defaults suit a US clinic; the config file (issue #4)
//! will set them per clinic.

use serde::Serialize;

use crate::content::Localized;
use crate::lang::Lang;

/// A window of the day the patient can choose for the callback.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Slot {
    /// What the form sends back as `bestTime`, such as `morning`.
    pub id: String,
    /// What the form shows, per language.
    pub label: Localized,
    /// Local clock window, minutes from midnight: (start, end). For the FHIR
    /// `occurrencePeriod`; `None` when the slot names no hours.
    pub hours: Option<(u16, u16)>,
}

/// "09:00-12:00" as minutes from midnight, start before end.
pub fn parse_hours(text: &str) -> Option<(u16, u16)> {
    let minutes = |hm: &str| -> Option<u16> {
        let (h, m) = hm.trim().split_once(':')?;
        let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
        (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
    };
    let (a, b) = text.split_once('-')?;
    let (start, end) = (minutes(a)?, minutes(b)?);
    (start < end).then_some((start, end))
}

/// The clinic's callback rules (`[callbacks]` in the config).
#[derive(Debug, Clone, PartialEq)]
pub struct CallbackSettings {
    /// The time slots a patient may choose.
    pub slots: Vec<Slot>,
    /// Shown next to the consent box; stored with the request by version.
    pub consent_text: Localized,
    /// Stored with each request, so the clinic knows which text was agreed to.
    pub consent_version: String,
    /// ISO 3166 region for phone numbers, such as `US`.
    pub region: String,
    /// A phone number as the region writes it, for the field's hint.
    pub phone_example: String,
    /// Whether a number from outside `region` is taken.
    pub accept_foreign_numbers: bool,
    /// Personal data of closed requests is erased this many days after closing.
    pub retention_days: u32,
    /// The same phone again within this window gets "we already have your request".
    pub duplicate_window_hours: u32,
    /// At most this many requests from this kiosk ...
    pub burst_limit: u32,
    /// ... within this many seconds.
    pub burst_window_secs: u32,
    /// On a kiosk, a request every destination has acknowledged is erased this long after
    /// the last acknowledgement (seconds; 0 erases at the next pass).
    pub erase_after_delivery_secs: u64,
    /// A request still undelivered after this many days is erased and staff are warned.
    pub undelivered_max_days: u32,
    /// Searches that found nothing are kept (words without digits) this many days.
    pub search_miss_days: u32,
    /// A folder staff may export the CSV to (besides removable media); never the data folder.
    pub export_dir: Option<std::path::PathBuf>,
    /// Where each request is delivered; one outbox row per destination.
    pub destinations: Vec<String>,
}

fn localized(en: &str, es: &str) -> Localized {
    [
        ("en".to_string(), en.to_string()),
        ("es".to_string(), es.to_string()),
    ]
    .into_iter()
    .collect()
}

impl Default for CallbackSettings {
    fn default() -> Self {
        CallbackSettings {
            slots: vec![
                Slot { id: "morning".into(), label: localized("Morning (9 am to 12 pm)", "Por la mañana (9 a 12)"), hours: Some((9 * 60, 12 * 60)) },
                Slot { id: "afternoon".into(), label: localized("Afternoon (12 pm to 5 pm)", "Por la tarde (12 a 5)"), hours: Some((12 * 60, 17 * 60)) },
                Slot { id: "any".into(), label: localized("Any time during office hours", "Cualquier hora de oficina"), hours: Some((9 * 60, 17 * 60)) },
            ],
            consent_text: localized(
                "I agree that the clinic may call me at this number about my question, and keep my name and phone number until my request is closed and 30 days after.",
                "Acepto que la clínica me llame a este número sobre mi pregunta y guarde mi nombre y teléfono hasta cerrar mi solicitud y 30 días más.",
            ),
            consent_version: "2026-12".into(),
            region: "US".into(),
            phone_example: "(201) 555-0123".into(),
            accept_foreign_numbers: false,
            retention_days: 30,
            duplicate_window_hours: 24,
            burst_limit: 5,
            burst_window_secs: 600,
            erase_after_delivery_secs: 30 * 60,
            undelivered_max_days: 7,
            search_miss_days: 30,
            export_dir: None,
            destinations: vec!["staff-inbox".into()],
        }
    }
}

impl CallbackSettings {
    /// `region` as the phone library's country, the United States when it is not one.
    pub fn phone_region(&self) -> phonenumber::country::Id {
        self.region.parse().unwrap_or(phonenumber::country::Id::US)
    }

    /// The region's name for messages ("the United States").
    pub fn region_name(&self, lang: Lang) -> String {
        match (self.region.as_str(), lang) {
            ("US", Lang::Es) => "Estados Unidos".into(),
            ("US", Lang::En) => "the United States".into(),
            ("CA", Lang::Es) => "Canadá".into(),
            ("CA", Lang::En) => "Canada".into(),
            ("MX", Lang::Es) => "México".into(),
            ("MX", Lang::En) => "Mexico".into(),
            (other, _) => other.to_string(),
        }
    }

    /// `map`'s text in `lang`, else in English, else empty.
    pub fn text(map: &Localized, lang: Lang) -> &str {
        map.get(lang.code())
            .or_else(|| map.get("en"))
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// A time slot as the form shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SlotView {
    /// What the form sends back as `bestTime`.
    pub id: String,
    /// In the form's language.
    pub label: String,
}

/// The consent the form asks for.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentView {
    /// Stored with the request.
    pub version: String,
    /// In the form's language.
    pub text: String,
}

/// What the callback form needs to show itself in one language.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FormView {
    /// The time slots to choose from.
    pub slots: Vec<SlotView>,
    /// The consent box's text and version.
    pub consent: ConsentView,
    /// The most characters a note may have.
    pub note_max_chars: usize,
    /// The most characters a name may have.
    pub name_max_chars: usize,
    /// ISO 3166 region of the phone numbers taken, such as `US`.
    pub phone_region: String,
    /// A phone number as the region writes it, for the field's hint.
    pub phone_example: String,
    /// The specialties a patient may ask about, in the form's language.
    pub specialties: Vec<crate::library::Named>,
}

impl CallbackSettings {
    /// The form in `lang` (English where a text has no `lang`), offering `specialties`.
    pub fn form_view(&self, lang: Lang, specialties: Vec<crate::library::Named>) -> FormView {
        FormView {
            slots: self
                .slots
                .iter()
                .map(|slot| SlotView {
                    id: slot.id.clone(),
                    label: CallbackSettings::text(&slot.label, lang).to_string(),
                })
                .collect(),
            consent: ConsentView {
                version: self.consent_version.clone(),
                text: CallbackSettings::text(&self.consent_text, lang).to_string(),
            },
            note_max_chars: super::validate::NOTE_MAX,
            name_max_chars: super::validate::NAME_MAX,
            phone_region: self.region.clone(),
            phone_example: self.phone_example.clone(),
            specialties,
        }
    }
}
