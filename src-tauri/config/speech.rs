//! `[speech]` and `[keys]` (issue #13): how the kiosk reads aloud, and which keys of a USB
//! keypad (or keyboard) are the six keys a patient uses without the touch screen.

use serde::Serialize;

use super::reader::Reader;
use super::Config;

/// The keys of `[speech]`.
pub(super) const SPEECH_KEYS: &[&str] = &[
    "words_per_minute",
    "slower_words_per_minute",
    "volume",
    "headphones_only",
    "always_on",
];
/// The keys of `[keys]`: the six actions.
pub(super) const KEY_ACTIONS: &[&str] = &["up", "down", "enter", "back", "help", "volume"];

/// Which keys do each of the six things, as the names a browser gives them
/// (`KeyboardEvent.key`, such as `"ArrowUp"`, `"F1"`, `"+"`, or `KeyboardEvent.code`,
/// such as `"Numpad8"`). A key pressed matches when its `key` or its `code` is listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Keys {
    /// Focus the previous thing on screen.
    pub up: Vec<String>,
    /// Focus the next thing on screen.
    pub down: Vec<String>,
    /// Use the focused thing (press, open, choose, type the key).
    pub enter: Vec<String>,
    /// Go back (or close the on-screen keyboard).
    pub back: Vec<String>,
    /// Turn speech on and explain the keys (default F4: WebKitGTK never passes F1, GTK's help key, nor F3 to the page).
    pub help: Vec<String>,
    /// The next volume step (louder, then back to the quietest).
    pub volume: Vec<String>,
}

impl Default for Keys {
    fn default() -> Self {
        let one = |k: &str| vec![k.to_string()];
        Keys {
            up: one("ArrowUp"),
            down: one("ArrowDown"),
            enter: one("Enter"),
            back: one("Escape"),
            help: one("F4"),
            volume: one("F2"),
        }
    }
}

impl Keys {
    fn slot(&mut self, action: &str) -> Option<&mut Vec<String>> {
        Some(match action {
            "up" => &mut self.up,
            "down" => &mut self.down,
            "enter" => &mut self.enter,
            "back" => &mut self.back,
            "help" => &mut self.help,
            "volume" => &mut self.volume,
            _ => return None,
        })
    }

    fn all(&self) -> [(&'static str, &Vec<String>); 6] {
        [
            ("up", &self.up),
            ("down", &self.down),
            ("enter", &self.enter),
            ("back", &self.back),
            ("help", &self.help),
            ("volume", &self.volume),
        ]
    }
}

/// A key name as a browser reports it: one visible character, or a name of letters and
/// digits such as `ArrowUp`, `F1`, `Numpad8`, `AudioVolumeUp` (at most 32).
pub fn key_name(name: &str) -> Result<String, String> {
    let chars = name.chars().count();
    let one_char = chars == 1 && !name.chars().any(char::is_whitespace);
    let named = (2..=32).contains(&chars) && name.chars().all(|c| c.is_ascii_alphanumeric());
    if one_char || named {
        Ok(name.to_string())
    } else {
        Err(format!(
            "`{name}` is not a key name; use the name a browser gives the key, such as \"ArrowUp\", \"F1\", \"Numpad8\" or \"+\""
        ))
    }
}

/// `[speech]` and `[keys]` into `config.speech` and `config.keys`.
pub(super) fn read(r: &mut Reader<'_>, root: &toml::Table, config: &mut Config) {
    if let Some(t) = r.table(root, "speech") {
        r.unknown_keys(t, "speech", SPEECH_KEYS);
        speech(r, t, &mut config.speech);
    }
    if let Some(t) = r.table(root, "keys") {
        r.unknown_keys(t, "keys", KEY_ACTIONS);
        keys(r, t, &mut config.keys);
    }
}

fn speech(r: &mut Reader<'_>, t: &toml::Table, s: &mut crate::speech::Settings) {
    if let Some(v) = r.int(t, "speech", "words_per_minute", 80..=450) {
        s.words_per_minute = v as u32;
    }
    let slower = r.int(t, "speech", "slower_words_per_minute", 80..=450);
    if let Some(v) = slower {
        s.slower_words_per_minute = v as u32;
    }
    if s.slower_words_per_minute >= s.words_per_minute && slower.is_some() {
        r.problem(
            "speech.slower_words_per_minute",
            format!(
                "{} is not slower than words_per_minute ({}); write a smaller number",
                s.slower_words_per_minute, s.words_per_minute
            ),
        );
    }
    if s.slower_words_per_minute >= s.words_per_minute {
        s.slower_words_per_minute = (s.words_per_minute * 3 / 4).max(80);
    }
    // Never silent at the start: a patient who cannot see the screen could not find the volume.
    if let Some(v) = r.int(t, "speech", "volume", 10..=100) {
        s.volume = v as u8;
    }
    for (key, slot) in [
        ("headphones_only", &mut s.headphones_only),
        ("always_on", &mut s.always_on),
    ] {
        match t.get(key) {
            None => {}
            Some(toml::Value::Boolean(b)) => *slot = *b,
            Some(_) => r.problem(&format!("speech.{key}"), "must be true or false"),
        }
    }
}

fn keys(r: &mut Reader<'_>, t: &toml::Table, keys: &mut Keys) {
    for action in KEY_ACTIONS {
        let full = format!("keys.{action}");
        let names: Vec<String> = match t.get(*action) {
            None => continue,
            Some(toml::Value::String(s)) => vec![s.clone()],
            Some(toml::Value::Array(items)) if !items.is_empty() => {
                match items
                    .iter()
                    .map(|v| v.as_str().map(str::to_string))
                    .collect()
                {
                    Some(list) => list,
                    None => {
                        r.problem(
                            &full,
                            "must list key names in quotes, such as [\"ArrowUp\", \"Numpad8\"]",
                        );
                        continue;
                    }
                }
            }
            Some(_) => {
                r.problem(
                    &full,
                    "must be a key name in quotes or a list of them, such as \"F1\" or [\"ArrowUp\", \"Numpad8\"]",
                );
                continue;
            }
        };
        let mut good = Vec::new();
        for name in names {
            if let Some(name) = r.check(&full, key_name(&name)) {
                good.push(name);
            }
        }
        if !good.is_empty() {
            if let Some(slot) = keys.slot(action) {
                *slot = good;
            }
        }
    }
    // One key, one action: a key listed twice would do whichever came first.
    let mut seen: Vec<(&str, &str)> = Vec::new();
    let mut clashes = Vec::new();
    for (action, names) in keys.all() {
        for name in names {
            if let Some((other, _)) = seen.iter().find(|(_, n)| *n == name.as_str()) {
                clashes.push((action, name.clone(), *other));
            } else {
                seen.push((action, name));
            }
        }
    }
    for (action, name, other) in clashes {
        r.problem(
            &format!("keys.{action}"),
            format!("`{name}` is already the `{other}` key; give each action its own keys"),
        );
        if let Some(slot) = keys.slot(action) {
            slot.retain(|n| *n != name);
        }
    }
    // An action left with no key at all gets its default back, so the six keys always work.
    let defaults = Keys::default();
    for (action, names) in defaults.all() {
        if keys.slot(action).is_some_and(|s| s.is_empty()) {
            if let Some(slot) = keys.slot(action) {
                *slot = names.clone();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::file::parse;

    #[test]
    fn keys_and_speech_are_read_with_plain_problems() {
        let text = "[speech]\nwords_per_minute = 160\nvolume = 5\nalways_on = true\n\n[keys]\nup = [\"ArrowUp\", \"Numpad8\"]\nhelp = \"Numpad8\"\nvolume = \"two words\"\nenter = 3\n";
        let (config, problems) = parse(text, Path::new("k.toml"));
        let said: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(config.speech.words_per_minute, 160);
        assert!(config.speech.always_on);
        assert_eq!(
            config.speech.volume, 70,
            "an out-of-range volume keeps the default"
        );
        assert_eq!(config.keys.up, ["ArrowUp", "Numpad8"]);
        assert_eq!(
            config.keys.help,
            ["F4"],
            "a clashing key is dropped, the default comes back"
        );
        assert_eq!(config.keys.volume, ["F2"]);
        assert_eq!(config.keys.enter, ["Enter"]);
        for wanted in [
            "k.toml:3: speech.volume: 5 is out of range; use a whole number from 10 to 100",
            "k.toml:8: keys.help: `Numpad8` is already the `up` key; give each action its own keys",
            "k.toml:9: keys.volume: `two words` is not a key name",
            "k.toml:10: keys.enter: must be a key name in quotes",
        ] {
            assert!(
                said.iter().any(|p| p.starts_with(wanted)),
                "no {wanted:?} in {said:#?}"
            );
        }
    }

    #[test]
    fn a_slower_rate_that_is_not_slower_is_a_problem() {
        let text = "[speech]\nwords_per_minute = 120\nslower_words_per_minute = 140\nheadphones_only = \"yes\"\n[keys]\nhelpp = \"F1\"\n";
        let (config, problems) = parse(text, Path::new("k.toml"));
        let said: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(config.speech.slower_words_per_minute, 90);
        assert!(
            said.iter()
                .any(|p| p.contains("speech.slower_words_per_minute: 140 is not slower")),
            "{said:#?}"
        );
        assert!(
            said.iter()
                .any(|p| p.contains("speech.headphones_only: must be true or false")),
            "{said:#?}"
        );
        assert!(
            said.iter()
                .any(|p| p.contains("keys.helpp: unknown key; did you mean `help`?")),
            "{said:#?}"
        );
    }
}
