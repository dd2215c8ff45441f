//! The callback form's rules. Rust is the authority; the UI mirrors them for quick feedback.
//! Every problem names its field and says, in the patient's language, how to fix it.

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use super::settings::CallbackSettings;
use crate::lang::Lang;

/// The most characters a name may have.
pub const NAME_MAX: usize = 80;
/// The most characters a note may have.
pub const NOTE_MAX: usize = 280;
const PHONE_INPUT_MAX: usize = 32;

/// The form as the UI sends it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CallbackForm {
    /// A UUID v7 the UI took from `new_request_id`; a resend keeps it, so it is stored once.
    pub request_id: String,
    /// The patient's name, as typed.
    pub name: String,
    /// The phone number, as typed.
    pub phone: String,
    /// A time slot's id (`CallbackSettings::slots`).
    pub best_time: String,
    /// The language the patient wants the call in: `en` or `es`.
    pub language: String,
    /// A note to the specialist (optional; empty for none).
    pub note: String,
    /// The consent box was ticked.
    pub consent: bool,
    /// The consent text's version the patient saw.
    pub consent_version: String,
    /// The specialty to call back (a slug of `content/topics.toml`).
    pub specialty: String,
    /// The topic the patient came from, if any.
    pub topic: Option<String>,
    /// The article the patient came from, if any.
    pub article: Option<String>,
    /// The language of the screen the patient filled the form on: field messages are in
    /// it (`language` is the language they want the call in, which may differ).
    pub screen_language: Option<String>,
}

/// A form that passed every rule, normalized for storage.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidRequest {
    /// The request id (UUID v7).
    pub id: uuid::Uuid,
    /// The name, NFC with runs of spaces made one.
    pub name: String,
    /// E.164, such as `+12015550123`.
    pub phone: String,
    /// As the clinic would dial it, such as `(201) 555-0123`.
    pub phone_display: String,
    /// The chosen slot's id.
    pub best_time: String,
    /// `en` or `es`.
    pub language: String,
    /// The note, if any.
    pub note: Option<String>,
    /// The consent text's version.
    pub consent_version: String,
    /// The specialty's slug.
    pub specialty: String,
    /// The topic's slug, if it was one.
    pub topic: Option<String>,
    /// The article's slug, if it was one.
    pub article: Option<String>,
}

/// One field's problem: `code` for the UI to branch on, `message` to show the patient.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    /// The form's field, camelCase (`name`, `phone`, `note` ...).
    pub field: &'static str,
    /// What is wrong, for the UI: `required`, `tooLong`, `invalid` ...
    pub code: &'static str,
    /// How to fix it, in the patient's language.
    pub message: String,
}

/// A character a patient's text must not hold: a control character, or a zero-width or
/// bidirectional mark that can disguise text (Unicode TR 36). Shared with the front desk's
/// checks of what a kiosk sends.
pub fn is_control(c: char) -> bool {
    c.is_control()
        // Bidirectional overrides and isolates can disguise text; zero-width joiners too.
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

fn looks_like_markup(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(2).any(|w| {
        w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!' || w[1] == b'?')
    })
}

/// Text in both languages; `es` when the form is in Spanish.
fn say(lang: Lang, en: &str, es: &str) -> String {
    lang.pick(en, es).to_string()
}

/// The problems found in a form so far, worded in the language the patient reads.
struct Problems {
    lang: Lang,
    errors: Vec<FieldError>,
}

impl Problems {
    /// `field` broke rule `code`: `en` or `es`, as the patient reads.
    fn add(&mut self, field: &'static str, code: &'static str, en: &str, es: &str) {
        let message = say(self.lang, en, es);
        self.errors.push(FieldError {
            field,
            code,
            message,
        });
    }
}

/// Checks `form` against the rules and the clinic's settings; `specialties` are the slugs
/// the library knows. `Err` lists every field's problem, in the order of the form.
pub fn validate(
    form: &CallbackForm,
    settings: &CallbackSettings,
    specialties: &[String],
) -> Result<ValidRequest, Vec<FieldError>> {
    // Messages in the language the patient is reading, else the call's.
    let lang = form
        .screen_language
        .as_deref()
        .and_then(Lang::from_code)
        .unwrap_or_else(|| Lang::or_english(&form.language));
    let mut p = Problems {
        lang,
        errors: Vec::new(),
    };
    let id = request_id(form, &mut p);
    let name = name(form, &mut p);
    let (phone, phone_display) = phone(form, settings, &mut p);
    if !settings.slots.iter().any(|s| s.id == form.best_time) {
        p.add(
            "bestTime",
            "required",
            "Please choose the best time to call you.",
            "Elija la mejor hora para llamarle.",
        );
    }
    if Lang::from_code(&form.language).is_none() {
        p.add(
            "language",
            "required",
            "Please choose a language.",
            "Elija un idioma.",
        );
    }
    let note = note(form, &mut p);
    consent(form, settings, &mut p);
    if !specialties.contains(&form.specialty) {
        p.add(
            "specialty",
            "unknown",
            "Please choose who should call you.",
            "Elija quién debe llamarle.",
        );
    }
    match id {
        Some(id) if p.errors.is_empty() => Ok(ValidRequest {
            id,
            name,
            phone,
            phone_display,
            best_time: form.best_time.clone(),
            language: form.language.clone(),
            note: (!note.is_empty()).then_some(note),
            consent_version: form.consent_version.clone(),
            specialty: form.specialty.clone(),
            topic: slug(&form.topic),
            article: slug(&form.article),
        }),
        _ => Err(p.errors),
    }
}

/// The request id: a UUID v7, as `new_request_id` makes them.
fn request_id(form: &CallbackForm, p: &mut Problems) -> Option<uuid::Uuid> {
    match uuid::Uuid::parse_str(form.request_id.trim()) {
        Ok(id) if id.get_version_num() == 7 => Some(id),
        _ => {
            p.add(
                "requestId",
                "invalid",
                "Please close this form and open it again.",
                "Cierre este formulario y ábralo de nuevo.",
            );
            None
        }
    }
}

/// The name, NFC with runs of spaces (and line breaks) made one: letters, spaces, hyphens,
/// apostrophes and dots, at most [`NAME_MAX`] characters.
fn name(form: &CallbackForm, p: &mut Problems) -> String {
    let name: String = form
        .name
        .nfc()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if name.is_empty() {
        p.add(
            "name",
            "required",
            "Please enter your name.",
            "Escriba su nombre.",
        );
    } else if name.chars().count() > NAME_MAX {
        p.add(
            "name",
            "tooLong",
            &format!("Please shorten your name to {NAME_MAX} letters or fewer."),
            &format!("Acorte su nombre a {NAME_MAX} letras o menos."),
        );
    } else if form
        .name
        .chars()
        .any(|c| is_control(c) && !matches!(c, '\n' | '\r'))
    {
        // A line break (pasted, or typed by a keyboard that sends Enter) is a space
        // between two words of the name; other control characters are hidden junk.
        p.add(
            "name",
            "invalidCharacters",
            "Your name has hidden characters. Please type it again.",
            "Su nombre tiene caracteres ocultos. Escríbalo de nuevo.",
        );
    } else if !name.chars().any(char::is_alphabetic)
        || !name.chars().all(|c| {
            c.is_alphabetic()
                || unicode_normalization::char::is_combining_mark(c)
                || matches!(c, ' ' | '-' | '\'' | '’' | '.')
        })
    {
        p.add(
            "name",
            "lettersOnly",
            "Please use only letters, spaces, hyphens and apostrophes in your name.",
            "Use solo letras, espacios, guiones y apóstrofos en su nombre.",
        );
    }
    name
}

/// The phone number as E.164 and as the clinic dials it (see [`parse_phone`]); empty with
/// its problem when it is not a number the clinic can call.
fn phone(form: &CallbackForm, settings: &CallbackSettings, p: &mut Problems) -> (String, String) {
    let code = match parse_phone(&form.phone, settings) {
        Ok(numbers) => return numbers,
        Err(code) => code,
    };
    let lang = p.lang;
    let message = match code {
        "required" => say(
            lang,
            "Please enter a phone number.",
            "Escriba un número de teléfono.",
        ),
        "letters" => say(
            lang,
            "A phone number has only digits. Please remove the letters.",
            "Un número de teléfono solo tiene dígitos. Quite las letras.",
        ),
        "foreign" => say(
            lang,
            &format!(
                "Please give a phone number in {} so we can call you.",
                settings.region_name(Lang::En)
            ),
            &format!(
                "Dé un número de teléfono de {} para que podamos llamarle.",
                settings.region_name(Lang::Es)
            ),
        ),
        _ => say(
            lang,
            &format!(
                "Please check the phone number. It should look like {}.",
                settings.phone_example
            ),
            &format!(
                "Revise el número de teléfono. Debe ser como {}.",
                settings.phone_example
            ),
        ),
    };
    p.errors.push(FieldError {
        field: "phone",
        code,
        message,
    });
    (String::new(), String::new())
}

/// The note with its line breaks and tabs made spaces, trimmed: at most [`NOTE_MAX`]
/// characters, no hidden characters, no markup.
fn note(form: &CallbackForm, p: &mut Problems) -> String {
    let note: String = form
        .note
        .nfc()
        .map(|c| {
            if c == '\n' || c == '\t' || c == '\r' {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .trim()
        .to_string();
    if note.chars().count() > NOTE_MAX {
        p.add(
            "note",
            "tooLong",
            &format!("Please shorten your note to {NOTE_MAX} characters or fewer."),
            &format!("Acorte su nota a {NOTE_MAX} caracteres o menos."),
        );
    } else if note.chars().any(is_control) {
        p.add(
            "note",
            "invalidCharacters",
            "Your note has hidden characters. Please type it again.",
            "Su nota tiene caracteres ocultos. Escríbala de nuevo.",
        );
    } else if looks_like_markup(&note) {
        p.add(
            "note",
            "markup",
            "Please write your note as plain words, without < > tags.",
            "Escriba su nota con palabras, sin etiquetas < >.",
        );
    }
    note
}

/// The consent box was ticked, for the consent text the clinic shows now.
fn consent(form: &CallbackForm, settings: &CallbackSettings, p: &mut Problems) {
    if !form.consent {
        p.add(
            "consent",
            "required",
            "Please tick the box to agree that we may call you.",
            "Marque la casilla para aceptar que le llamemos.",
        );
    } else if form.consent_version != settings.consent_version {
        p.add(
            "consent",
            "changed",
            "The consent text has changed. Please read it and tick the box again.",
            "El texto de consentimiento cambió. Léalo y marque la casilla otra vez.",
        );
    }
}

/// A topic's or article's slug the form came with, or `None` when it is not one.
fn slug(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty() && s.len() <= 100 && crate::content::frontmatter::is_slug(s))
        .map(str::to_string)
}

/// Parses a phone number in the clinic's region: (E.164, national display) or an error code.
fn parse_phone(input: &str, settings: &CallbackSettings) -> Result<(String, String), &'static str> {
    let raw = input.trim();
    if raw.is_empty() {
        return Err("required");
    }
    if raw.chars().count() > PHONE_INPUT_MAX || raw.chars().any(is_control) {
        return Err("invalid");
    }
    if raw.chars().any(|c| c.is_alphabetic()) {
        return Err("letters");
    }
    if !raw
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '.' | '+'))
    {
        return Err("invalid");
    }
    let region = settings.phone_region();
    // "00" is how most of the world dials out (ITU-T E.164's international prefix outside
    // North America): the same number as "+", and the same answer.
    let international;
    let raw = match raw.strip_prefix("00") {
        Some(rest) if !rest.starts_with('0') => {
            international = format!("+{rest}");
            international.as_str()
        }
        _ => raw,
    };
    let number = phonenumber::parse(Some(region), raw).map_err(|_| "invalid")?;
    if !phonenumber::is_valid(&number) {
        return Err("invalid");
    }
    if number.country().id() != Some(region) && !settings.accept_foreign_numbers {
        return Err("foreign");
    }
    let e164 = number.format().mode(phonenumber::Mode::E164).to_string();
    let display = if number.country().id() == Some(region) {
        number
            .format()
            .mode(phonenumber::Mode::National)
            .to_string()
    } else {
        number
            .format()
            .mode(phonenumber::Mode::International)
            .to_string()
    };
    Ok((e164, display))
}
