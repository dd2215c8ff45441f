//! Every UI text exists in every language, and every key the UI asks for exists.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

const LANGUAGES: &[&str] = &["en", "es"];

fn ui() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("ui")
}

fn dictionary(lang: &str) -> Value {
    let path = ui().join("i18n").join(format!("{lang}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{}: not valid JSON: {e}", path.display()))
}

/// Dotted keys of every text; plural forms (`one`/`other`) count as one text.
fn keys(value: &Value, prefix: &str, out: &mut BTreeSet<String>, empty: &mut Vec<String>) {
    match value {
        Value::Object(map) if map.get("other").is_some_and(Value::is_string) => {
            out.insert(prefix.to_string());
            for (form, text) in map {
                if text.as_str().is_none_or(|t| t.trim().is_empty()) {
                    empty.push(format!("{prefix}.{form}"));
                }
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                keys(v, &key, out, empty);
            }
        }
        Value::String(s) => {
            if s.trim().is_empty() {
                empty.push(prefix.to_string());
            }
            out.insert(prefix.to_string());
        }
        _ => empty.push(format!("{prefix} (not text)")),
    }
}

fn key_set(lang: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut empty = Vec::new();
    keys(&dictionary(lang), "", &mut out, &mut empty);
    assert!(
        empty.is_empty(),
        "ui/i18n/{lang}.json has empty texts: {empty:?}"
    );
    out
}

#[test]
fn every_language_has_the_same_keys() {
    let en = key_set("en");
    assert!(
        en.len() > 30,
        "the English dictionary looks truncated: {} keys",
        en.len()
    );
    for lang in LANGUAGES.iter().skip(1) {
        let other = key_set(lang);
        let missing: Vec<_> = en.difference(&other).collect();
        let extra: Vec<_> = other.difference(&en).collect();
        assert!(
            missing.is_empty(),
            "ui/i18n/{lang}.json is missing {missing:?}"
        );
        assert!(
            extra.is_empty(),
            "ui/i18n/{lang}.json has keys English lacks: {extra:?}"
        );
    }
}

fn js_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("ui/js") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            js_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "js") {
            out.push(path);
        }
    }
}

/// Literal keys in `t('a.b')` and `tSplit('a.b', ...)` calls.
fn literal_keys(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    for call in ["t('", "tSplit('"] {
        let mut rest = source;
        while let Some(i) = rest.find(call) {
            let before = rest[..i].chars().last();
            rest = &rest[i + call.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                continue; // part of another name, such as `split('`
            }
            if let Some(end) = rest.find('\'') {
                let key = &rest[..end];
                if !key.is_empty()
                    && key
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '.' || c == '_')
                {
                    found.push(key.to_string());
                }
            }
        }
    }
    found
}

#[test]
fn every_key_the_ui_uses_exists() {
    let en = key_set("en");
    let mut files = Vec::new();
    js_files(&ui().join("js"), &mut files);
    let mut unknown = Vec::new();
    let mut used = 0;
    for file in files {
        let source = std::fs::read_to_string(&file).expect("js source");
        for key in literal_keys(&source) {
            used += 1;
            if !en.contains(&key) {
                unknown.push(format!("{}: {key}", file.display()));
            }
        }
    }
    assert!(
        used > 20,
        "found only {used} t('...') calls; did the i18n helper change its name?"
    );
    assert!(
        unknown.is_empty(),
        "keys used in ui/js but missing from ui/i18n/en.json: {unknown:#?}"
    );
}

#[test]
fn literal_keys_finds_calls_but_not_lookalikes() {
    let src = "t('home.title'); tSplit('search.didYouMean', 'term'); x.split('a'); const t2 = 1;";
    assert_eq!(literal_keys(src), ["home.title", "search.didYouMean"]);
}
