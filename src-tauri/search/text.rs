//! Words as search sees them: lower case, split on anything that is not a letter or digit,
//! stop words dropped, then stemmed, the same way for the indexed text and for queries.

use std::collections::HashMap;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;

use crate::lang::Lang;

/// Longest word kept; longer "words" are noise (or an attack) and are dropped.
pub const MAX_WORD_CHARS: usize = 40;

const STOP_EN: &[&str] = &[
    "a", "about", "after", "again", "all", "am", "an", "and", "any", "are", "as", "at", "be",
    "been", "before", "being", "but", "by", "can", "could", "did", "do", "does", "doing", "for",
    "from", "had", "has", "have", "having", "he", "her", "here", "him", "his", "how", "i", "if",
    "in", "into", "is", "it", "its", "just", "me", "my", "of", "off", "on", "or", "our", "she",
    "so", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this",
    "those", "to", "too", "very", "was", "we", "were", "what", "when", "where", "which", "while",
    "who", "why", "will", "with", "would", "you", "your",
];

const STOP_ES: &[&str] = &[
    "a", "al", "algo", "como", "con", "de", "del", "el", "ella", "ellas", "ellos", "en", "entre",
    "era", "es", "esta", "está", "este", "esto", "ha", "hay", "la", "las", "le", "les", "lo",
    "los", "me", "mi", "mis", "muy", "más", "no", "nos", "o", "para", "pero", "por", "que", "qué",
    "se", "si", "sin", "sobre", "su", "sus", "también", "te", "tiene", "un", "una", "uno", "unos",
    "usted", "y", "ya", "yo",
];

/// Tokenizes, filters and stems text in one language.
pub struct Analyzer {
    stemmer: Stemmer,
    stop: &'static [&'static str],
    spanish: bool,
}

impl Analyzer {
    /// An analyzer for `lang`.
    pub fn new(lang: Lang) -> Self {
        match lang {
            Lang::Es => Analyzer {
                stemmer: Stemmer::create(Algorithm::Spanish),
                stop: STOP_ES,
                spanish: true,
            },
            Lang::En => Analyzer {
                stemmer: Stemmer::create(Algorithm::English),
                stop: STOP_EN,
                spanish: false,
            },
        }
    }

    /// Whether `word` is too common to search for (a stop word of the language).
    pub fn is_stop_word(&self, word: &str) -> bool {
        self.stop.contains(&word)
    }

    /// The stem of one lower-case word, with accents removed so `cirugia` finds `cirugía`
    /// (but `ñ` kept in Spanish: see [`Self::fold`]). Accents go before stemming: the
    /// stemmers treat `-ía` and `-ia` differently, so stemming first gave `cirug` for the
    /// accented word and `cirugi` for the one typed without accents.
    pub fn stem(&self, word: &str) -> String {
        self.stemmer.stem(&self.fold(word)).into_owned()
    }

    /// Accents removed the way this language reads them: in Spanish `ñ` is a letter of its
    /// own ("año" is not "ano", "daño" is not "dan"), so it stays; other marks go.
    pub fn fold(&self, word: &str) -> String {
        if self.spanish {
            fold_keeping_enye(word)
        } else {
            fold(word)
        }
    }

    /// Stems of every searchable word in `text`, joined by spaces: what goes into the index.
    pub fn index_text(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for word in words(text) {
            if self.is_stop_word(&word) {
                continue;
            }
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&self.stem(&word));
        }
        out
    }

    /// [`Self::index_text`] for a whole library. `seen` keeps each distinct word's stem, so
    /// each is stemmed once (a library has millions of words but only thousands of distinct
    /// ones, and stemming is most of a build's time), and counts how often each occurs.
    pub fn index_text_counting(&self, text: &str, seen: &mut HashMap<String, Seen>) -> String {
        let mut out = String::with_capacity(text.len());
        for word in words(text) {
            let entry = seen.entry(word).or_insert_with_key(|w| Seen {
                stem: (!self.is_stop_word(w)).then(|| self.stem(w)),
                count: 0,
            });
            entry.count += 1;
            if let Some(stem) = &entry.stem {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(stem);
            }
        }
        out
    }
}

/// A distinct word met by [`Analyzer::index_text_counting`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// Its stem, or `None` for a stop word.
    pub stem: Option<String>,
    /// How many times it occurred.
    pub count: i64,
}

/// Lower-case words of `text`: runs of letters, digits and combining marks, NFC-normalized
/// first (so a word typed or saved as a base letter plus a combining accent is one word,
/// the same as its composed form), at most [`MAX_WORD_CHARS`] long. Everything else
/// (quotes, operators, emoji) separates words.
pub fn words(text: &str) -> std::vec::IntoIter<String> {
    let text: std::borrow::Cow<str> = if text.is_ascii() {
        // NFC leaves ASCII as it is; skip it on the common path.
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(text.nfc().collect())
    };
    text.split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty() && w.chars().count() <= MAX_WORD_CHARS)
        .map(|w| {
            if w.is_ascii() {
                w.to_ascii_lowercase()
            } else {
                w.chars().flat_map(char::to_lowercase).collect()
            }
        })
        .collect::<Vec<_>>()
        .into_iter()
}

/// A character that belongs inside a word: a letter, a digit, or a combining mark (an
/// accent NFC could not compose, which must not split its word).
pub fn is_word_char(c: char) -> bool {
    // Most characters of an article are ASCII, and no combining mark is: skip the table
    // look-ups for them (snippets call this for every character of ten bodies).
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c)
}

/// Removes every accent: `várices` becomes `varices` (and `ñ` becomes `n`; Spanish text
/// goes through [`fold_keeping_enye`] instead).
pub fn fold(word: &str) -> String {
    if word.is_ascii() {
        return word.to_string();
    }
    word.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect()
}

/// Accents removed as `lang` reads them ([`Analyzer::fold`] without a stemmer).
pub fn fold_for(lang: Lang, word: &str) -> String {
    if lang == Lang::Es {
        fold_keeping_enye(word)
    } else {
        fold(word)
    }
}

/// Removes accents but keeps `ñ` (n + combining tilde): `cirugía` becomes `cirugia`,
/// `daño` stays `daño`. The result is NFC.
pub fn fold_keeping_enye(word: &str) -> String {
    if word.is_ascii() {
        return word.to_string();
    }
    let mut out = String::with_capacity(word.len());
    let mut prev = ' ';
    for c in word.nfd() {
        let keep = !unicode_normalization::char::is_combining_mark(c)
            || (c == '\u{303}' && matches!(prev, 'n' | 'N'));
        if keep {
            out.push(c);
        }
        prev = c;
    }
    out.nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_on_punctuation_operators_and_emoji() {
        let w: Vec<String> = words("Slipped \"disc\" AND (neck* ^pain) 😀 NEAR/3").collect();
        assert_eq!(w, ["slipped", "disc", "and", "neck", "pain", "near", "3"]);
    }

    #[test]
    fn absurdly_long_words_are_dropped() {
        let long = "a".repeat(MAX_WORD_CHARS + 1);
        assert_eq!(words(&format!("disc {long}")).count(), 1);
    }

    #[test]
    fn english_stems_join_word_forms() {
        let a = Analyzer::new(Lang::En);
        assert_eq!(a.stem("herniated"), a.stem("herniation"));
        assert_eq!(a.stem("discs"), a.stem("disc"));
    }

    #[test]
    fn spanish_stems_ignore_accents_but_not_the_enye() {
        let a = Analyzer::new(Lang::Es);
        assert_eq!(a.stem("cirugía"), a.stem("cirugia"));
        assert_eq!(a.stem("várices"), a.stem("varices"));
        assert_ne!(a.stem("año"), a.stem("ano"), "ñ is a letter in Spanish");
        assert_ne!(a.stem("daño"), a.stem("dan"));
        assert_eq!(fold("año"), "ano", "English folding drops every mark");
    }

    #[test]
    fn decomposed_text_is_one_word_like_composed_text() {
        let decomposed = "cia\u{301}tica y nin\u{303}os";
        let w: Vec<String> = words(decomposed).collect();
        assert_eq!(w, ["ciática", "y", "niños"]);
        let a = Analyzer::new(Lang::Es);
        assert_eq!(a.index_text(decomposed), a.index_text("ciática y niños"));
        // A combining mark NFC cannot compose stays inside its word.
        assert_eq!(words("x\u{301}yz ab").count(), 2);
    }

    #[test]
    fn index_text_drops_stop_words() {
        let a = Analyzer::new(Lang::En);
        assert_eq!(a.index_text("The pain in my back"), "pain back");
    }

    #[test]
    fn index_text_counting_gives_the_same_text_and_counts_every_word() {
        for (lang, text) in [
            (
                Lang::En,
                "The PAIN in my back; pains, Herniated discs and the pain again.",
            ),
            (
                Lang::Es,
                "La cirugía y la CIRUGIA de várices: dolor, dolores.",
            ),
        ] {
            let a = Analyzer::new(lang);
            let mut seen = HashMap::new();
            for round in 1..=2 {
                assert_eq!(
                    a.index_text_counting(text, &mut seen),
                    a.index_text(text),
                    "{lang}"
                );
                let mut expected: HashMap<String, i64> = HashMap::new();
                for w in words(text) {
                    *expected.entry(w).or_default() += round;
                }
                let counts: HashMap<String, i64> =
                    seen.iter().map(|(w, s)| (w.clone(), s.count)).collect();
                assert_eq!(counts, expected, "{lang}");
            }
        }
    }
}
