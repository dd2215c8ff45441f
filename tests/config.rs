//! The clinic's config file: every problem with line and key, defaults for bad values, and
//! the `config check` command.

use std::path::{Path, PathBuf};
use std::process::Command;

use clinic_kiosk::config::{file, Config, Mode};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/config.example.toml")
}

#[test]
fn the_documented_example_is_valid_and_matches_the_defaults_it_shows() {
    let (config, problems) = file::load(&example(), true);
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(config.mode, Mode::Kiosk);
    assert_eq!(config.idle_seconds, 90);
    assert_eq!(config.callbacks.slots.len(), 3);
    assert_eq!(config.specialty_topics["spine"], ["spine-care"]);
    assert_eq!(
        config.fleet,
        clinic_kiosk::lan::fleet::Thresholds::default()
    );
    assert_eq!(config.idle_reload_after_minutes, 30);
}

/// Issue #15: the kiosk list's thresholds are read, and a value out of range is named with
/// its line and keeps its default.
#[test]
fn the_front_desk_thresholds_are_read_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        "mode = \"front-desk\"\n[front_desk]\nnot_seen_minutes = 15\nrequest_age_minutes = 240\n",
    )
    .unwrap();
    let (config, problems) = file::load(&path, true);
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(
        (
            config.fleet.not_seen_minutes,
            config.fleet.request_age_minutes
        ),
        (15, 240)
    );
    std::fs::write(
        &path,
        "[front_desk]\nnot_seen_minutes = 1\nrequest_age_minutes = \"an hour\"\n",
    )
    .unwrap();
    let (config, problems) = file::load(&path, true);
    let named: Vec<String> = problems
        .iter()
        .map(|p| format!("{}: {}", p.line, p.key))
        .collect();
    assert_eq!(
        named,
        [
            "2: front_desk.not_seen_minutes",
            "3: front_desk.request_age_minutes"
        ]
    );
    assert_eq!(
        config.fleet,
        clinic_kiosk::lan::fleet::Thresholds::default()
    );
}

#[test]
fn every_problem_in_a_broken_file_is_listed_with_line_and_key() {
    let path = fixture("config-invalid.toml");
    let (config, problems) = file::load(&path, true);
    let lines: Vec<String> = problems
        .iter()
        .map(|p| format!("{}: {}", p.line, p.key))
        .collect();
    assert_eq!(
        lines,
        [
            "1: mode",
            "2: colour",
            "5: clinic.name",
            "6: clinic.accent_colour",
            "9: languages.available",
            "10: languages.default",
            "13: idle.timeout_seconds",
            "14: idle.warning_seconds",
            "15: idle.extra",
            "18: callbacks.phone_region",
            "19: callbacks.retention_days",
            "20: callbacks.consent_text",
            "23: callbacks.slot[0].id",
        ]
    );
    assert!(
        problems[3].message.contains("4.5:1"),
        "the contrast problem says what WCAG needs: {}",
        problems[3]
    );
    // Bad values keep their defaults, so the app still runs.
    let defaults = Config::default();
    assert_eq!(config.mode, defaults.mode);
    assert_eq!(config.accent_colour, defaults.accent_colour);
    assert_eq!(config.idle_seconds, defaults.idle_seconds);
    assert_eq!(
        config.callbacks.retention_days,
        defaults.callbacks.retention_days
    );
}

#[test]
fn invalid_toml_is_reported_with_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "[clinic]\nname = \"A\"\nlogo = \n").expect("write");
    let (_, problems) = file::load(&path, true);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!((problems[0].line, problems[0].key.as_str()), (3, "toml"));
}

#[test]
fn a_missing_default_file_means_defaults_but_a_named_one_is_a_problem() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nope.toml");
    let (config, problems) = file::load(&path, false);
    assert!(problems.is_empty());
    assert_eq!(config, Config::default());
    let (_, problems) = file::load(&path, true);
    assert_eq!(problems[0].key, "file");
}

#[test]
fn good_values_are_applied() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        "mode = \"front-desk\"\n[clinic]\nname = \"Lakeside Clinic\"\naccent_colour = \"#1F3A93\"\n\
         [idle]\ntimeout_seconds = 120\nwarning_seconds = 25\n[callbacks]\nretention_days = 14\nphone_region = \"ca\"\n",
    )
    .expect("write");
    let (config, problems) = file::load(&path, true);
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(config.mode, Mode::FrontDesk);
    assert_eq!(config.clinic_name, "Lakeside Clinic");
    assert_eq!(config.accent_colour, "#1f3a93");
    assert_eq!(
        (config.idle_seconds, config.idle_warning_seconds),
        (120, 25)
    );
    assert_eq!(config.callbacks.retention_days, 14);
    assert_eq!(config.callbacks.region, "CA");
}

#[test]
fn config_check_exits_1_and_prints_path_line_key_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_clinic-kiosk"))
        .args(["config", "check"])
        .arg(fixture("config-invalid.toml"))
        .env_remove("CLINIC_KIOSK_CONFIG")
        .output()
        .expect("run clinic-kiosk");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout
            .contains("config-invalid.toml:18: callbacks.phone_region: `ZZ` is not a country code"),
        "{stdout}"
    );
    assert!(stdout.contains("13 problem(s)"), "{stdout}");

    let ok = Command::new(env!("CARGO_BIN_EXE_clinic-kiosk"))
        .args(["config", "check"])
        .arg(example())
        .output()
        .expect("run clinic-kiosk");
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
}

#[test]
fn the_logo_is_read_relative_to_the_file_and_a_huge_one_is_refused() {
    use base64::Engine as _;
    let dir = tempfile::tempdir().expect("tempdir");
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>";
    std::fs::create_dir(dir.path().join("brand")).expect("mkdir");
    std::fs::write(dir.path().join("brand/logo.svg"), svg).expect("write logo");
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "[clinic]\nlogo = \"brand/logo.svg\"\n").expect("write");
    let (config, problems) = file::load(&path, true);
    assert!(problems.is_empty(), "{problems:#?}");
    let logo = config.logo.as_deref().expect("the logo path");
    let url = clinic_kiosk::config::logo_data_url(logo).expect("a data URL");
    let data = url
        .strip_prefix("data:image/svg+xml;base64,")
        .expect("an SVG data URL");
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(data)
        .expect("base64");
    assert_eq!(decoded, svg.as_bytes());

    let big = vec![0u8; clinic_kiosk::config::LOGO_MAX_BYTES as usize + 1];
    std::fs::write(dir.path().join("big.png"), big).expect("write big logo");
    std::fs::write(&path, "[clinic]\n\nlogo = \"big.png\"\n").expect("write");
    let (config, problems) = file::load(&path, true);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(
        (problems[0].line, problems[0].key.as_str()),
        (3, "clinic.logo")
    );
    assert!(
        problems[0].message.contains("smaller image"),
        "{}",
        problems[0]
    );
    assert!(config.logo.is_none(), "a refused logo is not shown");
}

#[test]
fn destinations_are_read_and_bad_ones_named_by_line_and_key() {
    use clinic_kiosk::delivery::Kind;
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    // The FHIR token is in a private file beside the config (issue #15).
    let token = dir.path().join("fhir-token");
    std::fs::write(&token, "t0ken\n").expect("token");
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    std::fs::write(
        &path,
        r#"[[destination]]
id = "clinic-webhook"
kind = "webhook"
url = "https://clinic.example/hooks/callbacks"
secret = "0123456789abcdef0123456789abcdef"

[[destination]]
id = "ehr"
kind = "fhir"
url = "https://fhir.example/r4"
token_file = "fhir-token"
identifier_system = "https://clinic.example/callback-request"
recipients = { spine = "PractitionerRole/42" }

[[destination]]
id = "local-relay"
kind = "webhook"
url = "http://127.0.0.1:8099/in"
secret = "0123456789abcdef0123456789abcdef"
"#,
    )
    .expect("write");
    let (config, problems) = file::load(&path, true);
    assert!(problems.is_empty(), "{problems:#?}");
    let ids: Vec<&str> = config.destinations.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["clinic-webhook", "ehr", "local-relay"]);
    assert_eq!(
        config.callbacks.destinations,
        ["staff-inbox", "clinic-webhook", "ehr", "local-relay"],
        "each request gets an outbox row per destination"
    );
    match &config.destinations[1].kind {
        Kind::Fhir { recipients, .. } => assert_eq!(recipients["spine"], "PractitionerRole/42"),
        other => panic!("expected FHIR, got {other:?}"),
    }
    assert!(
        !format!("{:?}", config.destinations).contains("0123456789abcdef"),
        "secrets stay out of debug output"
    );

    std::fs::write(
        &path,
        r#"[[destination]]
id = "plain"
kind = "webhook"
url = "http://clinic.example/hooks"
secret = "0123456789abcdef0123456789abcdef"

[[destination]]
id = "short"
kind = "webhook"
url = "https://clinic.example/hooks"
secret = "letmein"

[[destination]]
id = "ehr"
kind = "fhir"
url = "not a url"

[[destination]]
id = "pager"
kind = "sms"
"#,
    )
    .expect("write");
    let (config, problems) = file::load(&path, true);
    let lines: Vec<String> = problems
        .iter()
        .map(|p| format!("{}: {}", p.line, p.key))
        .collect();
    assert_eq!(
        lines,
        [
            "4: destination[0].url",
            "11: destination[1].secret",
            "13: destination[2]",
            "13: destination[2]",
            "16: destination[2].url",
            "20: destination[3].kind",
        ],
        "{problems:#?}"
    );
    assert!(
        problems[0].message.contains("unencrypted"),
        "{}",
        problems[0]
    );
    assert!(
        problems[1].message.contains("at least 32"),
        "{}",
        problems[1]
    );
    assert!(
        config.destinations.is_empty(),
        "no half-configured destination is used"
    );
    assert_eq!(config.callbacks.destinations, ["staff-inbox"]);
}
