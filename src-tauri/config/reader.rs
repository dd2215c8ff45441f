//! Reading the TOML file key by key: where each key is (its line), typed values with a
//! plain problem for each wrong one, and unknown keys with a "did you mean". What a value
//! means is checked in [`super::checks`].

use std::collections::HashMap;
use std::path::Path;

use toml::de::{DeTable, DeValue};

use super::ConfigProblem;
use crate::content::Localized;

/// The language codes a localized text may have.
pub(super) const LANGUAGES: &[&str] = &["en", "es"];

/// Records the line of every key, as `a.b.c` (array entries as `a[0].b`).
pub(super) fn key_lines(
    table: &DeTable<'_>,
    prefix: &str,
    text: &str,
    out: &mut HashMap<String, usize>,
) {
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

/// The 1-based line of byte `offset` in `text`.
pub(super) fn line_at(text: &str, offset: usize) -> usize {
    crate::content::diagnostics::line_of(text, offset)
}

/// Reads values out of one file's table, recording a problem for each bad one.
pub(super) struct Reader<'a> {
    pub(super) path: &'a Path,
    /// The line of each dotted key (see [`key_lines`]).
    pub(super) lines: HashMap<String, usize>,
    pub(super) problems: Vec<ConfigProblem>,
}

impl Reader<'_> {
    /// The line of `key`, or of the nearest table around it, or 1.
    pub(super) fn line(&self, key: &str) -> usize {
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

    /// The value a check accepted, or `None` with its message recorded for `key`.
    pub(super) fn check<T>(&mut self, key: &str, checked: Result<T, String>) -> Option<T> {
        match checked {
            Ok(value) => Some(value),
            Err(message) => {
                self.problem(key, message);
                None
            }
        }
    }

    /// Records `message` for `key`, at the key's line.
    pub(super) fn problem(&mut self, key: &str, message: impl Into<String>) {
        self.problems.push(ConfigProblem {
            path: self.path.to_path_buf(),
            line: self.line(key),
            key: key.to_string(),
            message: message.into(),
        });
    }

    /// A problem for every key of `table` (at `prefix`) not in `allowed`, with the nearest
    /// allowed key as a hint.
    pub(super) fn unknown_keys(&mut self, table: &toml::Table, prefix: &str, allowed: &[&str]) {
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

    /// The table at `root[key]`; a problem when `key` holds something else.
    pub(super) fn table<'t>(
        &mut self,
        root: &'t toml::Table,
        key: &str,
    ) -> Option<&'t toml::Table> {
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

    /// The trimmed text at `t[key]`; a problem when it is empty or not text.
    pub(super) fn string(&mut self, t: &toml::Table, table: &str, key: &str) -> Option<String> {
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

    /// The whole number at `t[key]` within `range`; a problem otherwise.
    pub(super) fn int(
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

    /// A text per language (`{ en = "...", es = "..." }`) at `t[key]`; a problem for an
    /// unknown or empty language, and for each of `languages` missing.
    pub(super) fn localized(
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

/// `table.key`, or `key` at the top.
pub(super) fn dotted(table: &str, key: &str) -> String {
    if table.is_empty() {
        key.to_string()
    } else {
        format!("{table}.{key}")
    }
}
