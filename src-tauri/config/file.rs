//! The clinic's config file: one TOML file, read key by key so that every problem is
//! reported at once with its line and key, and every bad value falls back to its default.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use super::{Config, Mode};
use crate::callbacks::settings::Slot;
use crate::content::Localized;

/// One problem in a config file, printed as `path:line: key: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub path: PathBuf,
    pub line: usize,
    /// Dotted key, such as `idle.warning_seconds`.
    pub key: String,
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
        ],
    ),
    ("front_desk", &["listen"]),
    ("content", &["trusted_keys"]),
    ("clinic", &["name", "logo", "accent_colour", "phone"]),
    ("languages", &["available", "default"]),
    ("idle", &["timeout_seconds", "warning_seconds"]),
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
const WEBHOOK_KEYS: &[&str] = &["id", "kind", "url", "secret"];
const FHIR_KEYS: &[&str] = &[
    "id",
    "kind",
    "url",
    "token",
    "identifier_system",
    "recipients",
];
const SLOT_KEYS: &[&str] = &["id", "label", "hours"];
const LANGUAGES: &[&str] = &["en", "es"];

/// Records the line of every key, as `a.b.c` (array entries as `a[0].b`).
fn key_lines(table: &DeTable<'_>, prefix: &str, text: &str, out: &mut HashMap<String, usize>) {
    for (key, value) in table.iter() {
        let name = if prefix.is_empty() {
            key.get_ref().to_string()
        } else {
            format!("{prefix}.{}", key.get_ref())
        };
        out.entry(name.clone())
            .or_insert_with(|| line_at(text, key.span().start));
        match value.get_ref() {
            DeValue::Table(t) => key_lines(t, &name, text, out),
            DeValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let entry = format!("{name}[{i}]");
                    out.entry(entry.clone())
                        .or_insert_with(|| line_at(text, item.span().start));
                    if let DeValue::Table(t) = item.get_ref() {
                        key_lines(t, &entry, text, out);
                    }
                }
            }
            _ => {}
        }
    }
}

fn line_at(text: &str, offset: usize) -> usize {
    crate::content::diagnostics::line_of(text, offset)
}

struct Reader<'a> {
    path: &'a Path,
    lines: HashMap<String, usize>,
    problems: Vec<ConfigProblem>,
}

impl Reader<'_> {
    /// The line of `key`, or of the nearest table around it, or 1.
    fn line(&self, key: &str) -> usize {
        let mut k = key;
        loop {
            if let Some(l) = self.lines.get(k) {
                return *l;
            }
            match k.rfind(['.', '[']) {
                Some(i) => k = &k[..i],
                None => return 1,
            }
        }
    }

    fn problem(&mut self, key: &str, message: impl Into<String>) {
        self.problems.push(ConfigProblem {
            path: self.path.to_path_buf(),
            line: self.line(key),
            key: key.to_string(),
            message: message.into(),
        });
    }

    fn unknown_keys(&mut self, table: &toml::Table, prefix: &str, allowed: &[&str]) {
        for key in table.keys() {
            if !allowed.contains(&key.as_str()) {
                let full = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                let hint = allowed
                    .iter()
                    .map(|a| (strsim::levenshtein(key, a), *a))
                    .filter(|(d, _)| *d <= 3)
                    .min()
                    .map(|(_, a)| format!("; did you mean `{a}`?"))
                    .unwrap_or_else(|| format!("; allowed here: {}", allowed.join(", ")));
                self.problem(&full, format!("unknown key{hint}"));
            }
        }
    }

    fn table<'t>(&mut self, root: &'t toml::Table, key: &str) -> Option<&'t toml::Table> {
        match root.get(key) {
            None => None,
            Some(toml::Value::Table(t)) => Some(t),
            Some(_) => {
                self.problem(
                    key,
                    format!("must be a table: write `[{key}]` on its own line"),
                );
                None
            }
        }
    }

    fn string(&mut self, t: &toml::Table, table: &str, key: &str) -> Option<String> {
        let full = dotted(table, key);
        match t.get(key)? {
            toml::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            toml::Value::String(_) => {
                self.problem(&full, "is empty; write a value or remove the line");
                None
            }
            _ => {
                self.problem(&full, "must be text in quotes");
                None
            }
        }
    }

    fn int(
        &mut self,
        t: &toml::Table,
        table: &str,
        key: &str,
        range: std::ops::RangeInclusive<i64>,
    ) -> Option<i64> {
        let full = dotted(table, key);
        match t.get(key)? {
            toml::Value::Integer(n) if range.contains(n) => Some(*n),
            toml::Value::Integer(n) => {
                self.problem(
                    &full,
                    format!(
                        "{n} is out of range; use a whole number from {} to {}",
                        range.start(),
                        range.end()
                    ),
                );
                None
            }
            _ => {
                self.problem(
                    &full,
                    format!(
                        "must be a whole number from {} to {}",
                        range.start(),
                        range.end()
                    ),
                );
                None
            }
        }
    }

    fn localized(
        &mut self,
        t: &toml::Table,
        table: &str,
        key: &str,
        languages: &[String],
    ) -> Option<Localized> {
        let full = dotted(table, key);
        match t.get(key)? {
            toml::Value::Table(map) => {
                let mut out = Localized::new();
                for (lang, text) in map {
                    match text {
                        toml::Value::String(s)
                            if LANGUAGES.contains(&lang.as_str()) && !s.trim().is_empty() =>
                        {
                            out.insert(lang.clone(), s.trim().to_string());
                        }
                        toml::Value::String(_) if LANGUAGES.contains(&lang.as_str()) => self
                            .problem(
                                &format!("{full}.{lang}"),
                                "is empty; write the text in quotes",
                            ),
                        _ => self.problem(
                            &format!("{full}.{lang}"),
                            format!("unknown language; use {}", LANGUAGES.join(", ")),
                        ),
                    }
                }
                for lang in languages {
                    if !out.contains_key(lang)
                        && map.keys().all(|k| LANGUAGES.contains(&k.as_str()))
                    {
                        self.problem(&full, format!("missing the `{lang}` text; write {key} = {{ en = \"...\", es = \"...\" }}"));
                    }
                }
                Some(out)
            }
            _ => {
                self.problem(
                    &full,
                    format!(
                        "must give the text per language: {key} = {{ en = \"...\", es = \"...\" }}"
                    ),
                );
                None
            }
        }
    }
}

fn dotted(table: &str, key: &str) -> String {
    if table.is_empty() {
        key.to_string()
    } else {
        format!("{table}.{key}")
    }
}

/// WCAG contrast ratio between two `#rrggbb` colours.
pub fn contrast(a: &str, b: &str) -> Option<f64> {
    fn luminance(hex: &str) -> Option<f64> {
        let hex = hex.strip_prefix('#')?;
        if hex.len() != 6 {
            return None;
        }
        let channel = |i: usize| -> Option<f64> {
            let v = u8::from_str_radix(&hex[i..i + 2], 16).ok()? as f64 / 255.0;
            Some(if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            })
        };
        Some(0.2126 * channel(0)? + 0.7152 * channel(2)? + 0.0722 * channel(4)?)
    }
    let (la, lb) = (luminance(a)?, luminance(b)?);
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    Some((hi + 0.05) / (lo + 0.05))
}

/// Reads a config file's text. Problems are listed; every bad value keeps its default.
pub fn parse(text: &str, path: &Path) -> (Config, Vec<ConfigProblem>) {
    let mut config = Config::default();
    let (doc, errors) = DeTable::parse_recoverable(text);
    let mut reader = Reader {
        path,
        lines: HashMap::new(),
        problems: Vec::new(),
    };
    if !errors.is_empty() {
        for err in errors {
            let line = err.span().map(|s| line_at(text, s.start)).unwrap_or(1);
            reader.problems.push(ConfigProblem {
                path: path.to_path_buf(),
                line,
                key: "toml".into(),
                message: format!("not valid TOML: {}", err.message().trim()),
            });
        }
        return (config, reader.problems);
    }
    key_lines(doc.get_ref(), "", text, &mut reader.lines);
    let root: toml::Table = match toml::from_str(text) {
        Ok(t) => t,
        Err(err) => {
            reader.problem("toml", format!("not valid TOML: {}", err.message().trim()));
            return (config, reader.problems);
        }
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
        match mode.as_str() {
            "kiosk" => config.mode = Mode::Kiosk,
            "front-desk" => config.mode = Mode::FrontDesk,
            "windowed" => config.mode = Mode::Windowed,
            other => r.problem(
                "mode",
                format!("`{other}` is not a mode; use kiosk, front-desk or windowed"),
            ),
        }
    }

    if let Some(t) = r.table(&root, "languages") {
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
    let languages = config.languages.clone();

    if let Some(t) = r.table(&root, "clinic") {
        if let Some(name) = r.string(t, "clinic", "name") {
            if name.chars().count() > 80 {
                r.problem(
                    "clinic.name",
                    "is longer than 80 characters; shorten it for the home screen",
                );
            } else {
                config.clinic_name = name;
            }
        }
        if let Some(logo) = r.string(t, "clinic", "logo") {
            let full = path.parent().unwrap_or(Path::new(".")).join(&logo);
            let ext = full
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            if !matches!(ext.as_str(), "png" | "svg") {
                r.problem("clinic.logo", "must be a .png or .svg file");
            } else if !full.is_file() {
                r.problem(
                    "clinic.logo",
                    format!(
                        "`{}` does not exist; give a path relative to the config file",
                        full.display()
                    ),
                );
            } else if std::fs::metadata(&full).map(|m| m.len()).unwrap_or(0) > super::LOGO_MAX_BYTES
            {
                r.problem(
                    "clinic.logo",
                    format!(
                        "`{}` is larger than {} KB; use a smaller image",
                        full.display(),
                        super::LOGO_MAX_BYTES / 1024
                    ),
                );
            } else {
                config.logo = Some(full);
            }
        }
        if let Some(phone) = r.string(t, "clinic", "phone") {
            let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
            if digits.len() < 6 {
                r.problem(
                    "clinic.phone",
                    "must be the clinic's phone number with at least 6 digits, such as \"+1 201 555 0100\"",
                );
            } else {
                config.staff.clinic_phone_digits = digits;
            }
        }
        if let Some(colour) = r.string(t, "clinic", "accent_colour") {
            match contrast(&colour, "#ffffff") {
                None => r.problem("clinic.accent_colour", "must be a colour like \"#0b5f6b\""),
                Some(ratio) if ratio < 4.5 => r.problem(
                    "clinic.accent_colour",
                    format!("{colour} has a contrast of {ratio:.1}:1 with white text; WCAG AA needs 4.5:1, so choose a darker colour"),
                ),
                Some(_) => config.accent_colour = colour.to_ascii_lowercase(),
            }
        }
    }

    if let Some(t) = r.table(&root, "idle") {
        // The warning comes after the timeout, so any pair of values makes sense.
        if let Some(v) = r.int(t, "idle", "timeout_seconds", 10..=3600) {
            config.idle_seconds = v as u32;
        }
        // WCAG 2.2.1: at least 20 seconds to say "I'm still here".
        if let Some(v) = r.int(t, "idle", "warning_seconds", 20..=600) {
            config.idle_warning_seconds = v as u32;
        }
    }
    if let Some(t) = r.table(&root, "staff") {
        let staff = &mut config.staff;
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

    if let Some(t) = r.table(&root, "callbacks") {
        let c = &mut config.callbacks;
        if let Some(region) = r.string(t, "callbacks", "phone_region") {
            match region
                .to_ascii_uppercase()
                .parse::<phonenumber::country::Id>()
            {
                Ok(_) => c.region = region.to_ascii_uppercase(),
                Err(_) => r.problem(
                    "callbacks.phone_region",
                    format!("`{region}` is not a country code; use two letters such as US"),
                ),
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
        if let Some(text) = r.localized(t, "callbacks", "consent_text", &languages) {
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
            let full = path.parent().unwrap_or(Path::new(".")).join(&dir);
            if !full.is_dir() {
                r.problem(
                    "callbacks.export_dir",
                    format!(
                        "`{}` is not a folder; give an existing folder (absolute, or relative to the config file)",
                        full.display()
                    ),
                );
            } else {
                c.export_dir = Some(full);
            }
        }
        match t.get("slot") {
            None => {}
            Some(toml::Value::Array(items)) if !items.is_empty() => {
                let mut slots = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let key = format!("callbacks.slot[{i}]");
                    let Some(st) = item.as_table() else {
                        r.problem(&key, "must be a [[callbacks.slot]] table");
                        continue;
                    };
                    r.unknown_keys(st, &key, SLOT_KEYS);
                    let id = r.string(st, &key, "id");
                    let label = r.localized(st, &key, "label", &languages);
                    let hours = match r.string(st, &key, "hours") {
                        None => None,
                        Some(text) => {
                            let parsed = crate::callbacks::settings::parse_hours(&text);
                            if parsed.is_none() {
                                r.problem(
                                    &format!("{key}.hours"),
                                    format!("`{text}` is not a window such as \"09:00-12:00\" (start before end)"),
                                );
                            }
                            parsed
                        }
                    };
                    match (id, label) {
                        (Some(id), Some(label)) if crate::content::frontmatter::is_slug(&id) => {
                            slots.push(Slot { id, label, hours })
                        }
                        (Some(id), Some(_)) => r.problem(
                            &format!("{key}.id"),
                            format!("`{id}` must be lower-case letters and hyphens"),
                        ),
                        (None, _) if !st.contains_key("id") => r.problem(&key, "missing `id`"),
                        (_, None) if !st.contains_key("label") => {
                            r.problem(&key, "missing `label`")
                        }
                        _ => {}
                    }
                }
                if !slots.is_empty() {
                    c.slots = slots;
                }
            }
            Some(_) => r.problem(
                "callbacks.slot",
                "write each time slot as a [[callbacks.slot]] table with id and label",
            ),
        }
    }

    if let Some(t) = r.table(&root, "notices") {
        for key in ["disclaimer", "emergency"] {
            if let Some(text) = r.localized(t, "notices", key, &languages) {
                config.notices.insert(key.to_string(), text);
            }
        }
    }

    match root.get("specialty") {
        None => {}
        Some(toml::Value::Array(items)) => {
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
        Some(_) => r.problem(
            "specialty",
            "write each specialty as a [[specialty]] table with slug and topics",
        ),
    }

    if let Some(t) = r.table(&root, "content") {
        match t.get("trusted_keys") {
            None => {}
            Some(toml::Value::Array(keys)) => {
                for (i, key) in keys.iter().enumerate() {
                    match key
                        .as_str()
                        .filter(|k| crate::pack::parse_public(k).is_some())
                    {
                        Some(k) => config.trusted_keys.push(k.trim().to_string()),
                        None => r.problem(
                            &format!("content.trusted_keys[{i}]"),
                            "is not a public key printed by `clinic-kiosk content keygen`",
                        ),
                    }
                }
            }
            Some(_) => r.problem(
                "content.trusted_keys",
                "must be a list of public keys in quotes, such as [\"3q2+7w...=\"]",
            ),
        }
    }

    if let Some(t) = r.table(&root, "front_desk") {
        if let Some(listen) = r.string(t, "front_desk", "listen") {
            match listen.parse::<std::net::SocketAddr>() {
                Ok(addr) => config.front_desk_listen = addr,
                Err(_) => r.problem(
                    "front_desk.listen",
                    format!("`{listen}` is not an address and port such as \"0.0.0.0:8470\""),
                ),
            }
        }
    }

    match root.get("destination") {
        None => {}
        Some(toml::Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let key = format!("destination[{i}]");
                let Some(dt) = item.as_table() else {
                    r.problem(&key, "must be a [[destination]] table");
                    continue;
                };
                if let Some(destination) = destination(r, dt, &key) {
                    if destination.id == crate::delivery::STAFF_INBOX
                        || config.destinations.iter().any(|d| d.id == destination.id)
                    {
                        r.problem(
                            &format!("{key}.id"),
                            format!(
                                "`{}` is already taken; give each destination its own id",
                                destination.id
                            ),
                        );
                    } else {
                        config.callbacks.destinations.push(destination.id.clone());
                        config.destinations.push(destination);
                    }
                }
            }
        }
        Some(_) => r.problem(
            "destination",
            "write each destination as a [[destination]] table with id, kind and url",
        ),
    }

    let mut problems = reader.problems;
    problems.sort_by(|a, b| (a.line, &a.key).cmp(&(b.line, &b.key)));
    (config, problems)
}

/// Reads the config file at `path`. A missing file at the default location is not a problem
/// (`required` is false): the defaults apply.
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

/// An `https://` URL, or `http://` to this machine only (tests, a local relay). Nothing
/// personal may cross a network in clear.
fn delivery_url(r: &mut Reader<'_>, value: &str, key: &str) -> Option<String> {
    let url = match url::Url::parse(value) {
        Ok(url) => url,
        Err(err) => {
            r.problem(
                key,
                format!("`{value}` is not a URL ({err}); write it as https://host/path"),
            );
            return None;
        }
    };
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" if url.host().is_some() => Some(value.to_string()),
        "http" if loopback => Some(value.to_string()),
        "http" => {
            r.problem(
                key,
                format!("`{value}` is plain http: patients' details would cross the network unencrypted; use https://"),
            );
            None
        }
        _ => {
            r.problem(key, format!("`{value}` must start with https://"));
            None
        }
    }
}

/// One `[[destination]]` table, or `None` (with its problems recorded).
fn destination(
    r: &mut Reader<'_>,
    dt: &toml::Table,
    key: &str,
) -> Option<crate::delivery::Destination> {
    use crate::delivery::{webhook, Destination, Kind};
    let kind = r.string(dt, key, "kind");
    let allowed = match kind.as_deref() {
        Some("webhook") => WEBHOOK_KEYS,
        Some("fhir") => FHIR_KEYS,
        Some(other) => {
            r.problem(
                &format!("{key}.kind"),
                format!("`{other}` is not a kind of destination; use \"webhook\" or \"fhir\""),
            );
            return None;
        }
        None => {
            r.problem(key, "missing `kind` (\"webhook\" or \"fhir\")");
            return None;
        }
    };
    r.unknown_keys(dt, key, allowed);
    let id = match r.string(dt, key, "id") {
        Some(id) if crate::content::frontmatter::is_slug(&id) => Some(id),
        Some(id) => {
            r.problem(
                &format!("{key}.id"),
                format!("`{id}` must be lower-case letters, digits and hyphens"),
            );
            None
        }
        None => {
            if !dt.contains_key("id") {
                r.problem(
                    key,
                    "missing `id`, a short name staff will see, such as \"clinic-webhook\"",
                );
            }
            None
        }
    };
    let url = match r.string(dt, key, "url") {
        Some(u) => delivery_url(r, &u, &format!("{key}.url")),
        None => {
            if !dt.contains_key("url") {
                r.problem(key, "missing `url`");
            }
            None
        }
    };
    let required = |r: &mut Reader<'_>, name: &str, what: &str| {
        let value = r.string(dt, key, name);
        if value.is_none() && !dt.contains_key(name) {
            r.problem(key, format!("missing `{name}`: {what}"));
        }
        value
    };
    let kind = if allowed == WEBHOOK_KEYS {
        let secret = required(
            r,
            "secret",
            "the shared secret the receiver checks signatures with",
        );
        let secret = match secret {
            Some(s) if s.len() >= webhook::MIN_SECRET_LEN => Some(s),
            Some(_) => {
                r.problem(
                    &format!("{key}.secret"),
                    format!(
                        "is too short; use at least {} random characters",
                        webhook::MIN_SECRET_LEN
                    ),
                );
                None
            }
            None => None,
        };
        Kind::Webhook {
            url: url.clone()?,
            secret: secret?,
        }
    } else {
        let token = required(r, "token", "the bearer token the FHIR server expects");
        let system = required(r, "identifier_system", "a URI under which request ids are recorded, such as \"https://clinic.example/callback-request\"");
        let mut recipients = std::collections::BTreeMap::new();
        match dt.get("recipients") {
            None => {}
            Some(toml::Value::Table(t)) => {
                for (slug, reference) in t {
                    match reference.as_str() {
                        Some(reference) if reference.contains('/') => {
                            recipients.insert(slug.clone(), reference.to_string());
                        }
                        _ => r.problem(
                            &format!("{key}.recipients.{slug}"),
                            "must be a FHIR reference in quotes, such as \"PractitionerRole/42\"",
                        ),
                    }
                }
            }
            Some(_) => r.problem(
                &format!("{key}.recipients"),
                "must be a table of specialty = \"Reference/id\"",
            ),
        }
        Kind::Fhir {
            base: url.clone()?,
            token: token?,
            identifier_system: system?,
            recipients,
        }
    };
    Some(Destination { id: id?, kind })
}

/// Specialties mapped to the topics they answer for.
pub type SpecialtyTopics = BTreeMap<String, Vec<String>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_matches_the_wcag_examples() {
        let black_white = contrast("#000000", "#ffffff").unwrap_or(0.0);
        assert!((black_white - 21.0).abs() < 0.01, "{black_white}");
        let teal = contrast("#0b5f6b", "#ffffff").unwrap_or(0.0);
        assert!(teal > 4.5, "{teal}");
        assert!(contrast("#ffcc00", "#ffffff").unwrap_or(9.0) < 4.5);
        assert_eq!(contrast("teal", "#ffffff"), None);
    }
}
