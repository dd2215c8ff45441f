//! The callback form's rules (src-tauri/callbacks/validate.rs) as a table: each input and
//! the `(field, code)` it must give, checked with the form in English and in Spanish so the
//! message is in the patient's language.

use clinic_kiosk::callbacks::validate::{validate, NAME_MAX, NOTE_MAX};
use clinic_kiosk::callbacks::{CallbackForm, CallbackSettings, FieldError, ValidRequest};

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

/// One row of the table: what is changed in a valid form, and what must come back.
struct Case {
    what: &'static str,
    edit: Box<dyn Fn(&mut CallbackForm)>,
    /// Empty: the form must pass.
    expect: &'static [(&'static str, &'static str)],
}

fn case(
    what: &'static str,
    expect: &'static [(&'static str, &'static str)],
    edit: impl Fn(&mut CallbackForm) + 'static,
) -> Case {
    Case {
        what,
        edit: Box::new(edit),
        expect,
    }
}

fn name(value: impl Into<String>) -> impl Fn(&mut CallbackForm) {
    let value = value.into();
    move |f| f.name = value.clone()
}

fn note(value: impl Into<String>) -> impl Fn(&mut CallbackForm) {
    let value = value.into();
    move |f| f.note = value.clone()
}

fn phone(value: impl Into<String>) -> impl Fn(&mut CallbackForm) {
    let value = value.into();
    move |f| f.phone = value.clone()
}

const PASS: &[(&str, &str)] = &[];

fn table() -> Vec<Case> {
    vec![
        // The name.
        case("an empty name", &[("name", "required")], name("")),
        case(
            "a whitespace-only name",
            &[("name", "required")],
            name("  \t \n "),
        ),
        case(
            "a name of exactly NAME_MAX letters",
            PASS,
            name("a".repeat(NAME_MAX)),
        ),
        case(
            "a name one letter over NAME_MAX",
            &[("name", "tooLong")],
            name("a".repeat(NAME_MAX + 1)),
        ),
        case(
            "NAME_MAX accented letters (counted as letters, not bytes)",
            PASS,
            name("é".repeat(NAME_MAX)),
        ),
        case(
            "NAME_MAX decomposed accented letters (counted after NFC)",
            PASS,
            name("e\u{301}".repeat(NAME_MAX)),
        ),
        case(
            "NAME_MAX + 1 accented letters",
            &[("name", "tooLong")],
            name("é".repeat(NAME_MAX + 1)),
        ),
        case(
            "an emoji in the name",
            &[("name", "lettersOnly")],
            name("Ana 😀"),
        ),
        case("an Arabic name", PASS, name("محمد عبد الله")),
        case("an Arabic name with vowel marks", PASS, name("مُحَمَّد")),
        case("a Hebrew name", PASS, name("דוד כהן")),
        case(
            "a right-to-left override (U+202E) in the name",
            &[("name", "invalidCharacters")],
            name("\u{202E}ecilA"),
        ),
        case(
            "a left-to-right isolate (U+2066) in the name",
            &[("name", "invalidCharacters")],
            name("Ana\u{2066} López"),
        ),
        case(
            "an HTML tag in the name",
            &[("name", "lettersOnly")],
            name("<b>Ana</b>"),
        ),
        case(
            "a script tag in the name",
            &[("name", "lettersOnly")],
            name("<script>alert(1)</script>"),
        ),
        case(
            "NUL in the name",
            &[("name", "invalidCharacters")],
            name("Ana\0 López"),
        ),
        case(
            "a bell (U+0007) in the name",
            &[("name", "invalidCharacters")],
            name("Ana\u{7}"),
        ),
        case(
            "a zero-width space in the name",
            &[("name", "invalidCharacters")],
            name("Ana\u{200B}López"),
        ),
        case(
            "a zero-width joiner in the name",
            &[("name", "invalidCharacters")],
            name("Ana\u{200D}López"),
        ),
        case(
            "a byte-order mark in the name",
            &[("name", "invalidCharacters")],
            name("\u{FEFF}Ana"),
        ),
        case(
            "an SQL fragment in the name",
            &[("name", "lettersOnly")],
            name("Robert'); DROP TABLE callback_request;--"),
        ),
        case("an apostrophe in the name", PASS, name("Siobhán O'Brien")),
        case(
            "a typographic apostrophe in the name",
            PASS,
            name("Siobhán O’Brien"),
        ),
        case("accents in the name", PASS, name("José Núñez")),
        case("a hyphen and a period", PASS, name("Mary-Jane W. Smith")),
        case(
            "digits in the name",
            &[("name", "lettersOnly")],
            name("Ana 2"),
        ),
        case(
            "punctuation only",
            &[("name", "lettersOnly")],
            name("-- . '"),
        ),
        // The note.
        case("an empty note", PASS, note("")),
        case("a whitespace-only note", PASS, note(" \n\t ")),
        case(
            "a note of exactly NOTE_MAX characters",
            PASS,
            note("x".repeat(NOTE_MAX)),
        ),
        case(
            "a note one character over NOTE_MAX",
            &[("note", "tooLong")],
            note("x".repeat(NOTE_MAX + 1)),
        ),
        case(
            "NOTE_MAX accented characters",
            PASS,
            note("ñ".repeat(NOTE_MAX)),
        ),
        case(
            "NOTE_MAX + 1 accented characters",
            &[("note", "tooLong")],
            note("ñ".repeat(NOTE_MAX + 1)),
        ),
        case(
            "line breaks in the note (they become spaces)",
            PASS,
            note("First line\r\nsecond line\tand a tab"),
        ),
        case(
            "an HTML tag in the note",
            &[("note", "markup")],
            note("It hurts <b>a lot</b>"),
        ),
        case(
            "a script tag in the note",
            &[("note", "markup")],
            note("<script>alert('x')</script>"),
        ),
        case(
            "an img tag with an event handler in the note",
            &[("note", "markup")],
            note("<img src=x onerror=alert(1)>"),
        ),
        case(
            "an HTML comment in the note",
            &[("note", "markup")],
            note("hello <!-- hidden -->"),
        ),
        case(
            "a closing tag in the note",
            &[("note", "markup")],
            note("hello </textarea>"),
        ),
        case(
            "comparison signs that are not tags",
            PASS,
            note("Pain < 3 days, fever > 38 C, <3"),
        ),
        case(
            "NUL in the note",
            &[("note", "invalidCharacters")],
            note("hello\0world"),
        ),
        case(
            "a bell (U+0007) in the note",
            &[("note", "invalidCharacters")],
            note("hello\u{7}"),
        ),
        case(
            "a zero-width space in the note",
            &[("note", "invalidCharacters")],
            note("hel\u{200B}lo"),
        ),
        case(
            "a right-to-left override in the note",
            &[("note", "invalidCharacters")],
            note("call me \u{202E}321"),
        ),
        case(
            "an SQL fragment in the note (stored as text, harmless)",
            PASS,
            note("Robert'); DROP TABLE callback_request;--"),
        ),
        case(
            "emoji and accents in the note",
            PASS,
            note("Me duele la espalda 😣 — ¿mañana?"),
        ),
        // The phone number.
        case("an empty phone", &[("phone", "required")], phone("")),
        case(
            "a whitespace-only phone",
            &[("phone", "required")],
            phone("   "),
        ),
        case(
            "letters in the phone",
            &[("phone", "letters")],
            phone("201-555-CALL"),
        ),
        case(
            "a letter O for a zero",
            &[("phone", "letters")],
            phone("2O1 555 0123"),
        ),
        case(
            "a United Kingdom number",
            &[("phone", "foreign")],
            phone("+44 20 7946 0958"),
        ),
        case(
            "a United Kingdom number dialled with 00, as most of the world writes it",
            &[("phone", "foreign")],
            phone("0044 20 7946 0958"),
        ),
        case(
            "a Mexican number",
            &[("phone", "foreign")],
            phone("+52 55 1234 5678"),
        ),
        case(
            "a Canadian number (+1, but not the clinic's region)",
            &[("phone", "foreign")],
            phone("+1 416 555 0123"),
        ),
        case(
            "seven digits with no area code",
            &[("phone", "invalid")],
            phone("555-0000"),
        ),
        case(
            "nine digits",
            &[("phone", "invalid")],
            phone("(201) 555-012"),
        ),
        case(
            "area code 555 does not exist",
            &[("phone", "invalid")],
            phone("(555) 555-0000"),
        ),
        case(
            "an area code starting with 1",
            &[("phone", "invalid")],
            phone("(101) 555-0123"),
        ),
        case(
            "symbols a phone number never has",
            &[("phone", "invalid")],
            phone("201#555#0123"),
        ),
        case(
            "a phone number longer than anyone types",
            &[("phone", "invalid")],
            phone("2".repeat(40)),
        ),
        case(
            "a control character in the phone",
            &[("phone", "invalid")],
            phone("201\u{7}5550123"),
        ),
        case("dashes", PASS, phone("201-555-0123")),
        case("parentheses and spaces", PASS, phone("(201) 555 0123")),
        case("country code", PASS, phone("+1 201 555 0123")),
        case("dots", PASS, phone("201.555.0123")),
        // The other fields.
        case(
            "no best time",
            &[("bestTime", "required")],
            |f: &mut CallbackForm| f.best_time.clear(),
        ),
        case(
            "an unknown best time",
            &[("bestTime", "required")],
            |f: &mut CallbackForm| f.best_time = "midnight".into(),
        ),
        case(
            "no consent",
            &[("consent", "required")],
            |f: &mut CallbackForm| f.consent = false,
        ),
        case(
            "no consent and no version",
            &[("consent", "required")],
            |f: &mut CallbackForm| {
                f.consent = false;
                f.consent_version.clear();
            },
        ),
        case(
            "consent to an older text",
            &[("consent", "changed")],
            |f: &mut CallbackForm| f.consent_version = "2025-01".into(),
        ),
        case(
            "consent with no version",
            &[("consent", "changed")],
            |f: &mut CallbackForm| f.consent_version.clear(),
        ),
        case(
            "an unknown specialty",
            &[("specialty", "unknown")],
            |f: &mut CallbackForm| f.specialty = "dentistry".into(),
        ),
        case(
            "no specialty",
            &[("specialty", "unknown")],
            |f: &mut CallbackForm| f.specialty.clear(),
        ),
        case(
            "a UUID v4 request id",
            &[("requestId", "invalid")],
            |f: &mut CallbackForm| f.request_id = uuid::Uuid::new_v4().to_string(),
        ),
        case(
            "the nil UUID",
            &[("requestId", "invalid")],
            |f: &mut CallbackForm| f.request_id = uuid::Uuid::nil().to_string(),
        ),
        case(
            "no request id",
            &[("requestId", "invalid")],
            |f: &mut CallbackForm| f.request_id.clear(),
        ),
        case(
            "a request id that is not a UUID",
            &[("requestId", "invalid")],
            |f: &mut CallbackForm| f.request_id = "1; DROP TABLE outbox".into(),
        ),
    ]
}

/// The `(field, code)` pairs of a result, in the order the rules report them.
fn codes(errors: &[FieldError]) -> Vec<(&'static str, &'static str)> {
    errors.iter().map(|e| (e.field, e.code)).collect()
}

#[test]
fn every_rule_gives_its_field_and_code_in_the_forms_language() {
    let mut failures = Vec::new();
    for case in table() {
        for lang in ["en", "es"] {
            let mut form = valid_form(lang);
            (case.edit)(&mut form);
            match (check(&form), case.expect) {
                (Ok(_), []) => {}
                (Ok(_), expect) => failures.push(format!(
                    "[{lang}] {}: passed, expected {expect:?}",
                    case.what
                )),
                (Err(errors), expect) => {
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
