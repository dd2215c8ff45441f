//! How a word sounds, as a short key, so "did you mean" finds the library's word for a
//! spelling a patient wrote by ear: in Spanish a silent h ("ernia"), b for v ("barices"),
//! s for c or z, y for ll, j for g, a dropped accent; in English common medical
//! misspellings (ph/f, c/k/s, doubled letters: "sciatika", "hernea").
//!
//! Written here because the phonetic libraries on crates.io (Soundex, Metaphone and kin)
//! are for English names; none follows Spanish spelling rules, and Soundex's four-character
//! codes are too coarse for a medical vocabulary.

use super::text::{fold, fold_keeping_enye};
use crate::lang::Lang;

/// The sound key of one lower-case word in `lang`.
pub fn key(lang: Lang, word: &str) -> String {
    if lang == Lang::Es {
        spanish(word)
    } else {
        english(word)
    }
}

fn is_front_vowel(c: Option<&char>) -> bool {
    matches!(c, Some('e' | 'i' | 'y'))
}

fn collapse(chars: Vec<char>) -> String {
    let mut out = String::with_capacity(chars.len());
    let mut prev = None;
    for c in chars {
        if Some(c) != prev {
            out.push(c);
        }
        prev = Some(c);
    }
    out
}

fn spanish(word: &str) -> String {
    let w: Vec<char> = fold_keeping_enye(&word.to_lowercase()).chars().collect();
    let mut out = Vec::with_capacity(w.len());
    let mut i = 0;
    while i < w.len() {
        let c = w[i];
        let next = w.get(i + 1);
        match c {
            'c' if next == Some(&'h') => {
                out.push('x'); // "ch" is its own sound
                i += 1;
            }
            'l' if next == Some(&'l') => {
                out.push('y'); // ll and y sound alike
                i += 1;
            }
            'q' if next == Some(&'u') => {
                out.push('k');
                i += 1;
            }
            'g' if next == Some(&'u') && is_front_vowel(w.get(i + 2)) => {
                out.push('g'); // "gue", "gui": the u is silent
                i += 1;
            }
            'c' | 'z' if is_front_vowel(next) || c == 'z' => out.push('s'),
            'c' | 'k' => out.push('k'),
            'g' if is_front_vowel(next) => out.push('j'),
            'v' | 'w' => out.push('b'),
            'h' => {}
            'x' => out.extend(['k', 's']),
            'y' if next.is_none_or(|n| !"aeiou".contains(*n)) => out.push('i'),
            c => out.push(c),
        }
        i += 1;
    }
    collapse(out)
}

fn english(word: &str) -> String {
    let w: Vec<char> = fold(&word.to_lowercase()).chars().collect();
    let mut out = Vec::with_capacity(w.len());
    let mut i = 0;
    while i < w.len() {
        let c = w[i];
        let next = w.get(i + 1);
        match c {
            'p' if next == Some(&'h') => {
                out.push('f');
                i += 1;
            }
            's' if next == Some(&'c') && is_front_vowel(w.get(i + 2)) => {
                out.push('s'); // "sci", "sce": the c is silent
                i += 1;
            }
            'c' if next == Some(&'k') => {
                out.push('k');
                i += 1;
            }
            'c' if next == Some(&'h') => {
                out.push('x');
                i += 1;
            }
            'c' if is_front_vowel(next) => out.push('s'),
            'c' | 'q' => out.push('k'),
            'k' if i == 0 && next == Some(&'n') => {} // "knee"
            'w' if i == 0 && next == Some(&'r') => {} // "wrist"
            'x' => out.extend(['k', 's']),
            'z' => out.push('s'),
            // English vowels after the first letter are where spelling by ear goes wrong
            // most ("hernea", "stenosis"): one vowel sound for all of them.
            'a' | 'e' | 'i' | 'o' | 'u' | 'y' if i > 0 => out.push('a'),
            c => out.push(c),
        }
        i += 1;
    }
    collapse(out)
}

#[cfg(test)]
mod tests {
    use super::key;
    use crate::lang::Lang;

    #[test]
    fn spanish_spellings_by_ear_share_the_key_of_the_right_word() {
        for (typed, right) in [
            ("ernia", "hernia"),
            ("barices", "várices"),
            ("varises", "várices"),
            ("siatica", "ciática"),
            ("ciatica", "ciática"),
            ("cirujia", "cirugía"),
            ("yaga", "llaga"),
            ("kirurgico", "quirúrgico"),
            ("jeringa", "geringa"),
        ] {
            assert_eq!(
                key(Lang::Es, typed),
                key(Lang::Es, right),
                "{typed} / {right}"
            );
        }
        assert_ne!(
            key(Lang::Es, "año"),
            key(Lang::Es, "ano"),
            "ñ is its own sound"
        );
        assert_ne!(key(Lang::Es, "nervio"), key(Lang::Es, "cita"));
    }

    #[test]
    fn english_medical_misspellings_share_the_key_of_the_right_word() {
        for (typed, right) in [
            ("sciatika", "sciatica"),
            ("siatica", "sciatica"),
            ("fisical", "physical"),
            ("hernea", "hernia"),
            ("lamenectomy", "laminectomy"),
            ("stenossis", "stenosis"),
        ] {
            assert_eq!(
                key(Lang::En, typed),
                key(Lang::En, right),
                "{typed} / {right}"
            );
        }
        assert_ne!(key(Lang::En, "nerve"), key(Lang::En, "never"));
    }
}
