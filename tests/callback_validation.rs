//! The callback form's rules (src-tauri/callbacks/validate.rs) as a table: each input and
//! the `(field, code)` it must give, checked with the form in English and in Spanish so the
//! message is in the patient's language. The table is tests/fixtures/form-rules.json, which
//! the page's own rules are checked against too (tests/js/callback-rules.test.js).

use clinic_kiosk::callbacks::validate::{validate, NAME_MAX, NOTE_MAX};
use clinic_kiosk::callbacks::{CallbackForm, CallbackSettings, FieldError, ValidRequest};
use serde::Deserialize;
use serde_json::Value;

/// The specialties of the shipped content/topics.toml.
fn specialties() -> Vec<String> {
    ["spine", "neurology", "vein", "hair", "front-desk"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// A form that passes every rule, in `language`.
fn valid_form(language: &str) -> CallbackForm {
    CallbackForm {
        request_id: uuid::Uuid::now_v7().to_string(),
        name: "Ana López".into(),
        phone: "201-555-0123".into(),
        best_time: "morning".into(),
        language: language.into(),
        note: "My back hurts when I sit.".into(),
        consent: true,
        consent_version: CallbackSettings::default().consent_version,
        specialty: "spine".into(),
        topic: Some("spine-care".into()),
        article: Some("herniated-disc".into()),
        screen_language: None,
    }
}

fn check(form: &CallbackForm) -> Result<ValidRequest, Vec<FieldError>> {
    validate(form, &CallbackSettings::default(), &specialties())
}

/// Every `(field, code)` the rules can give, with its English and Spanish message.
const MESSAGES: &[(&str, &str, &str, &str)] = &[
    (
        "requestId",
        "invalid",
        "Please close this form and open it again.",
        "Cierre este formulario y ábralo de nuevo.",
    ),
    (
        "name",
        "required",
        "Please enter your name.",
        "Escriba su nombre.",
    ),
    (
        "name",
        "tooLong",
        "Please shorten your name to 80 letters or fewer.",
        "Acorte su nombre a 80 letras o menos.",
    ),
    (
        "name",
        "invalidCharacters",
        "Your name has hidden characters. Please type it again.",
        "Su nombre tiene caracteres ocultos. Escríbalo de nuevo.",
    ),
    (
        "name",
        "lettersOnly",
        "Please use only letters, spaces, hyphens and apostrophes in your name.",
        "Use solo letras, espacios, guiones y apóstrofos en su nombre.",
    ),
    (
        "phone",
        "required",
        "Please enter a phone number.",
        "Escriba un número de teléfono.",
    ),
    (
        "phone",
        "letters",
        "A phone number has only digits. Please remove the letters.",
        "Un número de teléfono solo tiene dígitos. Quite las letras.",
    ),
    (
        "phone",
        "foreign",
        "Please give a phone number in the United States so we can call you.",
        "Dé un número de teléfono de Estados Unidos para que podamos llamarle.",
    ),
    (
        "phone",
        "invalid",
        "Please check the phone number. It should look like (201) 555-0123.",
        "Revise el número de teléfono. Debe ser como (201) 555-0123.",
    ),
    (
        "bestTime",
        "required",
        "Please choose the best time to call you.",
        "Elija la mejor hora para llamarle.",
    ),
    (
        "language",
        "required",
        "Please choose a language.",
        "Elija un idioma.",
    ),
    (
        "note",
        "tooLong",
        "Please shorten your note to 280 characters or fewer.",
        "Acorte su nota a 280 caracteres o menos.",
    ),
    (
        "note",
        "invalidCharacters",
        "Your note has hidden characters. Please type it again.",
        "Su nota tiene caracteres ocultos. Escríbala de nuevo.",
    ),
    (
        "note",
        "markup",
        "Please write your note as plain words, without < > tags.",
        "Escriba su nota con palabras, sin etiquetas < >.",
    ),
    (
        "consent",
        "required",
        "Please tick the box to agree that we may call you.",
        "Marque la casilla para aceptar que le llamemos.",
    ),
    (
        "consent",
        "changed",
        "The consent text has changed. Please read it and tick the box again.",
        "El texto de consentimiento cambió. Léalo y marque la casilla otra vez.",
    ),
    (
        "specialty",
        "unknown",
        "Please choose who should call you.",
        "Elija quién debe llamarle.",
    ),
];

/// The message the patient must see for `(field, code)` with the form in `lang`.
fn expected_message(field: &str, code: &str, lang: &str) -> &'static str {
    let (_, _, en, es) = MESSAGES
        .iter()
        .find(|(f, c, _, _)| *f == field && *c == code)
        .unwrap_or_else(|| panic!("({field}, {code}) is not a known rule; add it to MESSAGES"));
    if lang == "es" {
        es
    } else {
        en
    }
}

/// tests/fixtures/form-rules.json: the table of cases this test and the page's own rules
/// (tests/js/callback-rules.test.js) both check, so the two cannot drift.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Table {
    #[allow(dead_code)]
    about: Vec<String>,
    context: Context,
    /// A form that passes every rule, as the UI sends it.
    valid: serde_json::Map<String, Value>,
    cases: Vec<Case>,
}

/// What the rules are checked against: Rust's defaults, which the page gets from callback_config.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Context {
    name_max: usize,
    note_max: usize,
    phone_region: String,
    slots: Vec<String>,
    specialties: Vec<String>,
    consent_version: String,
}

/// One row: `field` of the valid form set to `input` (repeated `repeat` times), and the
/// fields in `also`; it must give `code` on `error_field` (default `field`), or pass.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Case {
    what: String,
    field: String,
    input: Value,
    repeat: Option<usize>,
    #[serde(default)]
    also: serde_json::Map<String, Value>,
    error_field: Option<String>,
    code: Option<String>,
    /// For the page's rules only: why the page leaves this case to Rust.
    #[allow(dead_code)]
    js_leaves_to_rust: Option<String>,
}

fn table() -> Table {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/form-rules.json"
    );
    let text = std::fs::read_to_string(path).expect("tests/fixtures/form-rules.json");
    serde_json::from_str(&text).expect("form-rules.json is a table of cases")
}

impl Case {
    /// The valid form with this case's change, in `lang`.
    fn form(&self, valid: &serde_json::Map<String, Value>, lang: &str) -> CallbackForm {
        let mut form = valid.clone();
        form.insert("language".into(), lang.into());
        let input = match (&self.input, self.repeat) {
            (Value::String(s), Some(n)) => Value::String(s.repeat(n)),
            (_, Some(_)) => panic!("{}: only text can be repeated", self.what),
            (input, None) => input.clone(),
        };
        form.insert(self.field.clone(), input);
        form.extend(self.also.clone());
        serde_json::from_value(Value::Object(form))
            .unwrap_or_else(|e| panic!("{}: not a form the UI could send: {e}", self.what))
    }

    fn expected(&self) -> Vec<(&str, &str)> {
        match &self.code {
            None => vec![],
            Some(code) => vec![(self.error_field.as_deref().unwrap_or(&self.field), code)],
        }
    }
}

#[test]
fn the_shared_table_uses_rusts_own_limits_and_settings() {
    let Table {
        context: c, valid, ..
    } = table();
    let settings = CallbackSettings::default();
    assert_eq!((c.name_max, c.note_max), (NAME_MAX, NOTE_MAX));
    assert_eq!(c.phone_region, settings.region);
    let slots: Vec<&str> = settings.slots.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(c.slots, slots);
    assert_eq!(c.specialties, specialties());
    assert_eq!(c.consent_version, settings.consent_version);
    assert_eq!(valid["consentVersion"], settings.consent_version.as_str());
}

/// The `(field, code)` pairs of a result, in the order the rules report them.
fn codes(errors: &[FieldError]) -> Vec<(&'static str, &'static str)> {
    errors.iter().map(|e| (e.field, e.code)).collect()
}

#[test]
fn every_rule_gives_its_field_and_code_in_the_forms_language() {
    let table = table();
    let mut failures = Vec::new();
    for case in &table.cases {
        for lang in ["en", "es"] {
            let form = case.form(&table.valid, lang);
            let expect = case.expected();
            // A case that changes the language changes the messages' language with it.
            let lang = if form.language == "es" { "es" } else { "en" };
            match check(&form) {
                Ok(_) if expect.is_empty() => {}
                Ok(_) => failures.push(format!(
                    "[{lang}] {}: passed, expected {expect:?}",
                    case.what
                )),
                Err(errors) => {
                    if codes(&errors) != expect {
                        failures.push(format!(
                            "[{lang}] {}: got {:?}, expected {expect:?}",
                            case.what,
                            codes(&errors)
                        ));
                    }
                    for e in &errors {
                        let want = expected_message(e.field, e.code, lang);
                        if e.message != want {
                            failures.push(format!(
                                "[{lang}] {}: ({}, {}) says {:?}, expected {want:?}",
                                case.what, e.field, e.code, e.message
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn messages_follow_the_screen_the_patient_reads_not_the_call_language() {
    // A patient reading the Spanish screen asks for a call in English.
    let mut form = valid_form("en");
    form.screen_language = Some("es".into());
    form.name.clear();
    let errors = check(&form).expect_err("no name");
    assert_eq!(
        errors[0].message,
        expected_message("name", "required", "es")
    );
    form.screen_language = Some("en".into());
    form.language = "es".into();
    let errors = check(&form).expect_err("no name");
    assert_eq!(
        errors[0].message,
        expected_message("name", "required", "en")
    );
}

#[test]
fn a_line_break_inside_a_name_is_a_space() {
    let mut form = valid_form("en");
    form.name = "Ana\nRuiz".into();
    assert_eq!(
        check(&form).map(|v| v.name).ok().as_deref(),
        Some("Ana Ruiz")
    );
    form.name = "Ana\r\nRuiz".into();
    assert_eq!(
        check(&form).map(|v| v.name).ok().as_deref(),
        Some("Ana Ruiz")
    );
}

#[test]
fn an_unknown_language_is_refused_in_english() {
    let mut form = valid_form("fr");
    form.name.clear();
    let errors = check(&form).expect_err("French is not offered");
    assert_eq!(
        codes(&errors),
        [("name", "required"), ("language", "required")],
        "the language is reported along with the other fields"
    );
    for e in &errors {
        assert_eq!(
            e.message,
            expected_message(e.field, e.code, "en"),
            "a form in an unknown language gets English messages"
        );
    }
}

#[test]
fn every_failing_field_is_listed_at_once() {
    for lang in ["en", "es"] {
        let form = CallbackForm {
            request_id: "not-a-uuid".into(),
            name: "<script>".into(),
            phone: "call me".into(),
            best_time: "never".into(),
            language: lang.into(),
            note: "<b>".into(),
            consent: false,
            consent_version: String::new(),
            specialty: "astrology".into(),
            topic: None,
            article: None,
            screen_language: None,
        };
        let errors = check(&form).expect_err("nothing in this form is right");
        assert_eq!(
            codes(&errors),
            [
                ("requestId", "invalid"),
                ("name", "lettersOnly"),
                ("phone", "letters"),
                ("bestTime", "required"),
                ("note", "markup"),
                ("consent", "required"),
                ("specialty", "unknown"),
            ],
            "[{lang}] one answer names every field to fix, not just the first"
        );
        for e in &errors {
            assert_eq!(
                e.message,
                expected_message(e.field, e.code, lang),
                "[{lang}]"
            );
        }
    }
    let empty = check(&CallbackForm::default()).expect_err("an empty form");
    let fields: Vec<&str> = empty.iter().map(|e| e.field).collect();
    assert_eq!(
        fields,
        [
            "requestId",
            "name",
            "phone",
            "bestTime",
            "language",
            "consent",
            "specialty"
        ],
        "an empty form is missing every required field; the note is optional"
    );
}

#[test]
fn us_numbers_in_any_common_format_are_stored_in_e164_and_shown_nationally() {
    for input in [
        "201-555-0123",
        "(201) 555 0123",
        "(201) 555-0123",
        "+1 201 555 0123",
        "1 201 555 0123",
        "2015550123",
        "  201.555.0123  ",
    ] {
        let mut form = valid_form("en");
        form.phone = input.into();
        let valid = check(&form).unwrap_or_else(|e| panic!("{input:?} is valid: {e:?}"));
        assert_eq!(valid.phone, "+12015550123", "{input:?} in E.164");
        assert_eq!(
            valid.phone_display, "(201) 555-0123",
            "{input:?} for display"
        );
    }
}

#[test]
fn foreign_numbers_pass_when_the_clinic_accepts_them() {
    let settings = CallbackSettings {
        accept_foreign_numbers: true,
        ..CallbackSettings::default()
    };
    let mut form = valid_form("en");
    form.phone = "+44 20 7946 0958".into();
    let valid = validate(&form, &settings, &specialties()).expect("a valid UK number");
    assert_eq!(valid.phone, "+442079460958");
    assert_eq!(
        valid.phone_display, "+44 20 7946 0958",
        "a foreign number is shown in international form"
    );
}

#[test]
fn a_valid_form_is_normalized_for_storage() {
    let mut form = valid_form("es");
    // "José Núñez" typed with combining accents and stray spaces.
    form.name = "  Jose\u{301}   Nu\u{301}n\u{303}ez ".into();
    form.note = "  Llámenme\npor la tarde  ".into();
    form.topic = Some("  spine-care ".into());
    form.article = Some("<script>".into());
    let valid = check(&form).expect("valid");
    assert_eq!(
        valid.name, "José Núñez",
        "NFC, single spaces, trimmed: the staff see what the patient meant"
    );
    assert_eq!(valid.note.as_deref(), Some("Llámenme por la tarde"));
    assert_eq!(valid.topic.as_deref(), Some("spine-care"));
    assert_eq!(
        valid.article, None,
        "a topic or article that is not a slug is dropped, not stored"
    );
    assert_eq!(valid.language, "es");
    assert_eq!(valid.id.get_version_num(), 7);
    let mut empty_note = valid_form("en");
    empty_note.note = "   ".into();
    assert_eq!(
        check(&empty_note).expect("valid").note,
        None,
        "a blank note is no note"
    );
}

#[test]
fn right_to_left_names_are_kept_as_typed() {
    for input in ["محمد عبد الله", "דוד כהן", "مُحَمَّد"] {
        let mut form = valid_form("en");
        form.name = input.into();
        let valid = check(&form).unwrap_or_else(|e| panic!("{input:?}: {e:?}"));
        assert_eq!(valid.name, input, "the name is stored letter for letter");
    }
}
