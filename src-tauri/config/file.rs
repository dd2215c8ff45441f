//! The clinic's config file: one TOML file, read key by key so that every problem is
//! reported at once with its line and key, and every bad value falls back to its default.
//! [`parse`] reads each table with a function of its own; [`super::checks`] says what a
//! value must mean, `reader` finds its line.

use std::collections::HashMap;
use std::path::Path;

use toml::de::DeTable;

use super::destination::destinations;
use super::reader::{self, Reader, LANGUAGES};
use super::{checks, Config, ConfigProblem};
use crate::callbacks::settings::{CallbackSettings, Slot};
use crate::callbacks::staff::StaffPolicy;

/// Every key the file may have, by table. `[[specialty]]` and `[[callbacks.slot]]` entries
/// are checked by their own lists.
const KEYS: &[(&str, &[&str])] = &[
    (
        "",
        &[
            "mode",
            "clinic",
            "languages",
            "idle",
            "staff",
            "callbacks",
            "notices",
            "specialty",
            "destination",
            "front_desk",
            "content",
            "metrics",
            "speech",
            "keys",
        ],
    ),
    (
        "front_desk",
        &["listen", "not_seen_minutes", "request_age_minutes"],
    ),
    ("content", &["trusted_keys"]),
    ("clinic", &["name", "logo", "accent_colour", "phone"]),
    ("languages", &["available", "default"]),
    (
        "idle",
        &["timeout_seconds", "warning_seconds", "reload_after_minutes"],
    ),
    (
        "staff",
        &[
            "lock_seconds",
            "session_max_minutes",
            "pin_min_digits",
            "hard_lock_after",
            "kiosk_hard_lock_after",
        ],
    ),
    (
        "callbacks",
        &[
            "phone_region",
            "phone_example",
            "retention_days",
            "consent_version",
            "consent_text",
            "duplicate_window_hours",
            "burst_limit",
            "burst_window_seconds",
            "erase_after_delivery_minutes",
            "undelivered_max_days",
            "search_miss_days",
            "export_dir",
            "slot",
        ],
    ),
    ("notices", &["disclaimer", "emergency"]),
];
const SPECIALTY_KEYS: &[&str] = &["slug", "topics"];
const SLOT_KEYS: &[&str] = &["id", "label", "hours"];

/// Reads a config file's text; `path` names the file in problems, and relative paths in
/// it are taken from its folder. Problems are listed by line; every bad value keeps its
/// default.
pub fn parse(text: &str, path: &Path) -> (Config, Vec<ConfigProblem>) {
    let mut config = Config::default();
    let mut reader = Reader {
        path,
        lines: HashMap::new(),
        problems: Vec::new(),
    };
    let Some(root) = toml_table(text, &mut reader) else {
        return (config, reader.problems);
    };
    let r = &mut reader;
    for (table, allowed) in KEYS {
        if table.is_empty() {
            r.unknown_keys(&root, "", allowed);
        } else if let Some(t) = root.get(*table).and_then(toml::Value::as_table) {
            r.unknown_keys(t, table, allowed);
        }
    }
    if let Some(mode) = r.string(&root, "", "mode") {
        if let Some(mode) = r.check("mode", checks::mode(&mode)) {
            config.mode = mode;
        }
    }
    languages(r, &root, &mut config);
    let languages = config.languages.clone();
    let config_dir = path.parent().unwrap_or(Path::new("."));
    if let Some(t) = r.table(&root, "clinic") {
        clinic(r, t, config_dir, &mut config);
    }
    if let Some(t) = r.table(&root, "idle") {
        idle(r, t, &mut config);
    }
    if let Some(t) = r.table(&root, "staff") {
        staff(r, t, &mut config.staff);
    }
    if let Some(t) = r.table(&root, "callbacks") {
        callbacks(r, t, config_dir, &languages, &mut config.callbacks);
    }
    if let Some(t) = r.table(&root, "notices") {
        for key in ["disclaimer", "emergency"] {
            if let Some(text) = r.localized(t, "notices", key, &languages) {
                config.notices.insert(key.to_string(), text);
            }
        }
    }
    specialties(r, &root, &mut config);
    if let Some(t) = r.table(&root, "content") {
        trusted_keys(r, t, &mut config.trusted_keys);
    }
    if let Some(t) = r.table(&root, "front_desk") {
        if let Some(listen) = r.string(t, "front_desk", "listen") {
            if let Some(addr) = r.check("front_desk.listen", checks::listen(&listen)) {
                config.front_desk_listen = addr;
            }
        }
        // The kiosk list's warnings (issue #15): a kiosk reports every minute, so a few
        // minutes of silence means it is off or cut off; at most a day and a week.
        if let Some(v) = r.int(t, "front_desk", "not_seen_minutes", 2..=1440) {
            config.fleet.not_seen_minutes = v as u32;
        }
        if let Some(v) = r.int(t, "front_desk", "request_age_minutes", 1..=10080) {
            config.fleet.request_age_minutes = v as u32;
        }
    }
    destinations(r, &root, &mut config);
    super::metrics::read(r, &root, &mut config);
    super::speech::read(r, &root, &mut config);

    let mut problems = reader.problems;
    problems.sort_by(|a, b| (a.line, &a.key).cmp(&(b.line, &b.key)));
    (config, problems)
}

/// The document as a table, with the line of every key recorded; `None` when it is not
/// valid TOML (each syntax error recorded at its line).
fn toml_table(text: &str, r: &mut Reader<'_>) -> Option<toml::Table> {
    let (doc, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        for err in errors {
            let line = err
                .span()
                .map(|s| reader::line_at(text, s.start))
                .unwrap_or(1);
            r.problems.push(ConfigProblem {
                path: r.path.to_path_buf(),
                line,
                key: "toml".into(),
                message: format!("not valid TOML: {}", err.message().trim()),
            });
        }
        return None;
    }
    reader::key_lines(doc.get_ref(), "", text, &mut r.lines);
    match toml::from_str(text) {
        Ok(t) => Some(t),
        Err(err) => {
            r.problem("toml", format!("not valid TOML: {}", err.message().trim()));
            None
        }
    }
}

/// `[languages]`: `available` and `default`. The default is always one of the available.
fn languages(r: &mut Reader<'_>, root: &toml::Table, config: &mut Config) {
    if let Some(t) = r.table(root, "languages") {
        if let Some(v) = t.get("available") {
            match v.as_array().map(|a| {
                a.iter()
                    .map(|x| x.as_str().map(str::to_string))
                    .collect::<Option<Vec<_>>>()
            }) {
                Some(Some(list))
                    if !list.is_empty() && list.iter().all(|l| LANGUAGES.contains(&l.as_str())) =>
                {
                    config.languages = list
                }
                _ => r.problem(
                    "languages.available",
                    format!(
                        "must list one or more of {} in square brackets, such as [\"en\", \"es\"]",
                        LANGUAGES.join(", ")
                    ),
                ),
            }
        }
        if let Some(d) = r.string(t, "languages", "default") {
            if config.languages.contains(&d) {
                config.default_language = d;
            } else {
                r.problem(
                    "languages.default",
                    format!(
                        "`{d}` is not in languages.available ({})",
                        config.languages.join(", ")
                    ),
                );
            }
        }
    }
    if !config.languages.contains(&config.default_language) {
        config.default_language = config.languages[0].clone();
    }
}

/// `[clinic]`: name, logo (relative to `config_dir`), phone and accent colour.
fn clinic(r: &mut Reader<'_>, t: &toml::Table, config_dir: &Path, config: &mut Config) {
    if let Some(name) = r.string(t, "clinic", "name") {
        if let Some(name) = r.check("clinic.name", checks::clinic_name(name)) {
            config.clinic_name = name;
        }
    }
    if let Some(logo) = r.string(t, "clinic", "logo") {
        if let Some(full) = r.check("clinic.logo", checks::logo(config_dir, &logo)) {
            config.logo = Some(full);
        }
    }
    if let Some(phone) = r.string(t, "clinic", "phone") {
        if let Some(digits) = r.check("clinic.phone", checks::clinic_phone_digits(&phone)) {
            config.staff.clinic_phone_digits = digits;
        }
    }
    if let Some(colour) = r.string(t, "clinic", "accent_colour") {
        if let Some(colour) = r.check("clinic.accent_colour", checks::accent_colour(&colour)) {
            config.accent_colour = colour;
        }
    }
}

/// `[idle]`: seconds before the idle warning, and how long it counts down.
fn idle(r: &mut Reader<'_>, t: &toml::Table, config: &mut Config) {
    // The warning comes after the timeout, so any pair of values makes sense.
    if let Some(v) = r.int(t, "idle", "timeout_seconds", 10..=3600) {
        config.idle_seconds = v as u32;
    }
    // WCAG 2.2.1: at least 20 seconds to say "I'm still here".
    if let Some(v) = r.int(t, "idle", "warning_seconds", 20..=600) {
        config.idle_warning_seconds = v as u32;
    }
    // The page is reloaded only at an idle reset, when nobody is there; a minute at least,
    // a day at most (WebKit's memory grows about 40 MiB per 1,000 visits without it).
    if let Some(v) = r.int(t, "idle", "reload_after_minutes", 1..=1440) {
        config.idle_reload_after_minutes = v as u32;
    }
}

/// `[staff]`: the staff view's lock, session length, PIN length and wrong-PIN locks.
fn staff(r: &mut Reader<'_>, t: &toml::Table, staff: &mut StaffPolicy) {
    if let Some(v) = r.int(t, "staff", "lock_seconds", 30..=3600) {
        staff.idle_lock_secs = v as u64;
    }
    if let Some(v) = r.int(t, "staff", "session_max_minutes", 5..=720) {
        staff.session_max_secs = v as u64 * 60;
    }
    // Never fewer than 6 digits (issue #10); the range says so in the problem.
    if let Some(v) = r.int(t, "staff", "pin_min_digits", 6..=12) {
        staff.pin_min_digits = v as usize;
    }
    if let Some(v) = r.int(t, "staff", "hard_lock_after", 3..=100) {
        staff.account_hard_lock_after = v as u32;
    }
    if let Some(v) = r.int(t, "staff", "kiosk_hard_lock_after", 5..=1000) {
        staff.kiosk_hard_lock_after = v as u32;
    }
}

/// `[callbacks]`: the form's phone region and consent, how long data is kept, the
/// duplicate and burst limits, the export folder (relative to `config_dir`) and the slots.
fn callbacks(
    r: &mut Reader<'_>,
    t: &toml::Table,
    config_dir: &Path,
    languages: &[String],
    c: &mut CallbackSettings,
) {
    if let Some(region) = r.string(t, "callbacks", "phone_region") {
        if let Some(region) = r.check("callbacks.phone_region", checks::phone_region(&region)) {
            c.region = region;
        }
    }
    if let Some(example) = r.string(t, "callbacks", "phone_example") {
        c.phone_example = example;
    }
    if let Some(v) = r.int(t, "callbacks", "retention_days", 1..=3650) {
        c.retention_days = v as u32;
    }
    if let Some(v) = r.string(t, "callbacks", "consent_version") {
        c.consent_version = v;
    }
    if let Some(text) = r.localized(t, "callbacks", "consent_text", languages) {
        c.consent_text.extend(text);
    }
    if let Some(v) = r.int(t, "callbacks", "duplicate_window_hours", 0..=720) {
        c.duplicate_window_hours = v as u32;
    }
    if let Some(v) = r.int(t, "callbacks", "burst_limit", 1..=1000) {
        c.burst_limit = v as u32;
    }
    if let Some(v) = r.int(t, "callbacks", "burst_window_seconds", 1..=86_400) {
        c.burst_window_secs = v as u32;
    }
    if let Some(v) = r.int(t, "callbacks", "erase_after_delivery_minutes", 0..=10_080) {
        c.erase_after_delivery_secs = v as u64 * 60;
    }
    if let Some(v) = r.int(t, "callbacks", "undelivered_max_days", 1..=90) {
        c.undelivered_max_days = v as u32;
    }
    if let Some(v) = r.int(t, "callbacks", "search_miss_days", 1..=365) {
        c.search_miss_days = v as u32;
    }
    if let Some(dir) = r.string(t, "callbacks", "export_dir") {
        if let Some(full) = r.check("callbacks.export_dir", checks::export_dir(config_dir, &dir)) {
            c.export_dir = Some(full);
        }
    }
    if let Some(slots) = slots(r, t, languages) {
        c.slots = slots;
    }
}

/// The `[[callbacks.slot]]` tables; `None` when there are none or none is valid (the
/// default slots stay).
fn slots(r: &mut Reader<'_>, t: &toml::Table, languages: &[String]) -> Option<Vec<Slot>> {
    let items = match t.get("slot") {
        None => return None,
        Some(toml::Value::Array(items)) if !items.is_empty() => items,
        Some(_) => {
            r.problem(
                "callbacks.slot",
                "write each time slot as a [[callbacks.slot]] table with id and label",
            );
            return None;
        }
    };
    let mut slots = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let key = format!("callbacks.slot[{i}]");
        let Some(st) = item.as_table() else {
            r.problem(&key, "must be a [[callbacks.slot]] table");
            continue;
        };
        r.unknown_keys(st, &key, SLOT_KEYS);
        let id = r.string(st, &key, "id");
        let label = r.localized(st, &key, "label", languages);
        let hours = r
            .string(st, &key, "hours")
            .and_then(|text| r.check(&format!("{key}.hours"), checks::slot_hours(&text)));
        match (id, label) {
            (Some(id), Some(label)) if crate::content::frontmatter::is_slug(&id) => {
                slots.push(Slot { id, label, hours })
            }
            (Some(id), Some(_)) => r.problem(
                &format!("{key}.id"),
                format!("`{id}` must be lower-case letters and hyphens"),
            ),
            (None, _) if !st.contains_key("id") => r.problem(&key, "missing `id`"),
            (_, None) if !st.contains_key("label") => r.problem(&key, "missing `label`"),
            _ => {}
        }
    }
    (!slots.is_empty()).then_some(slots)
}

/// The `[[specialty]]` tables: which topics' callbacks each specialty answers.
fn specialties(r: &mut Reader<'_>, root: &toml::Table, config: &mut Config) {
    let items = match root.get("specialty") {
        None => return,
        Some(toml::Value::Array(items)) => items,
        Some(_) => {
            r.problem(
                "specialty",
                "write each specialty as a [[specialty]] table with slug and topics",
            );
            return;
        }
    };
    for (i, item) in items.iter().enumerate() {
        let key = format!("specialty[{i}]");
        let Some(st) = item.as_table() else {
            r.problem(&key, "must be a [[specialty]] table");
            continue;
        };
        r.unknown_keys(st, &key, SPECIALTY_KEYS);
        let slug = r.string(st, &key, "slug");
        let topics = match st.get("topics") {
            Some(toml::Value::Array(a)) => a
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect::<Vec<_>>(),
            Some(_) => {
                r.problem(
                    &format!("{key}.topics"),
                    "must be a list of topic slugs, such as [\"spine-care\"]",
                );
                Vec::new()
            }
            None => Vec::new(),
        };
        match slug {
            Some(slug) => {
                config.specialty_topics.insert(slug, topics);
            }
            None if !st.contains_key("slug") => r.problem(&key, "missing `slug`"),
            None => {}
        }
    }
}

/// `[content] trusted_keys`: the public keys whose signed packs this kiosk installs.
fn trusted_keys(r: &mut Reader<'_>, t: &toml::Table, out: &mut Vec<String>) {
    match t.get("trusted_keys") {
        None => {}
        Some(toml::Value::Array(keys)) => {
            for (i, key) in keys.iter().enumerate() {
                let key = checks::trusted_key(key.as_str());
                if let Some(k) = r.check(&format!("content.trusted_keys[{i}]"), key) {
                    out.push(k);
                }
            }
        }
        Some(_) => r.problem(
            "content.trusted_keys",
            "must be a list of public keys in quotes, such as [\"3q2+7w...=\"]",
        ),
    }
}

/// Reads the config file at `path`. A missing file at the default location is not a problem
/// (`required` is false): the defaults apply. A file that cannot be read is one problem,
/// with the defaults.
pub fn load(path: &Path, required: bool) -> (Config, Vec<ConfigProblem>) {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, path),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound && !required => (Config::default(), Vec::new()),
        Err(err) => (
            Config::default(),
            vec![ConfigProblem {
                path: path.to_path_buf(),
                line: 1,
                key: "file".into(),
                message: format!("cannot be read ({err}); check the path given with --config or CLINIC_KIOSK_CONFIG"),
            }],
        ),
    }
}
