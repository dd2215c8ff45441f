//! Reading time and reading-grade estimates, so authors see when an article gets too hard.
//!
//! English uses the Flesch-Kincaid grade. Spanish uses Fernández-Huerta reading ease
//! (206.84 - 60 x syllables per word - 1.02 x words per sentence), mapped onto school grades
//! the way the Flesch scale is read: 90 is about grade 5, each 10 points less one grade more.

use crate::lang::Lang;

/// Words a patient reads per minute; slower than the adult average on purpose.
const WORDS_PER_MINUTE: usize = 180;

/// How hard a text is to read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Readability {
    /// Words counted.
    pub words: usize,
    /// Sentences counted.
    pub sentences: usize,
    /// Syllables counted (estimated per language by vowel groups).
    pub syllables: usize,
    /// Estimated school grade, rounded to one decimal.
    pub grade: f64,
    /// Minutes to read it at 180 words a minute, at least 1.
    pub reading_minutes: u32,
}

/// Measures `text`, in which sentences end with `.`, `!`, `?`, `:` or `;`.
pub fn measure(text: &str, language: Lang) -> Readability {
    let mut words = 0usize;
    let mut syllables = 0usize;
    let mut sentences = 0usize;
    let mut in_sentence = false;
    // One buffer for every word: this runs over every word of every article.
    let mut word = String::new();
    for token in text.split_whitespace() {
        word.clear();
        for c in token.chars().filter(|c| c.is_alphabetic()) {
            if c.is_ascii() {
                word.push(c.to_ascii_lowercase());
            } else {
                word.extend(c.to_lowercase());
            }
        }
        if !word.is_empty() {
            words += 1;
            syllables += if language == Lang::Es {
                syllables_es(&word)
            } else {
                syllables_en(&word)
            };
            in_sentence = true;
        }
        if token.ends_with(['.', '!', '?', ':', ';']) && in_sentence {
            sentences += 1;
            in_sentence = false;
        }
    }
    if in_sentence {
        sentences += 1;
    }
    let grade = if words == 0 {
        0.0
    } else {
        let wps = words as f64 / sentences.max(1) as f64;
        let spw = syllables as f64 / words as f64;
        if language == Lang::Es {
            let ease = 206.84 - 60.0 * spw - 1.02 * wps;
            ((100.0 - ease) / 10.0 + 4.0).max(1.0)
        } else {
            (0.39 * wps + 11.8 * spw - 15.59).max(0.0)
        }
    };
    Readability {
        words,
        sentences,
        syllables,
        grade: (grade * 10.0).round() / 10.0,
        reading_minutes: words.div_ceil(WORDS_PER_MINUTE).max(1) as u32,
    }
}

fn is_vowel_en(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

/// Counts vowel groups of a lower-case word, less a silent final `e`; good to a syllable or
/// so per word.
fn syllables_en(word: &str) -> usize {
    let mut count: usize = 0;
    let mut prev_vowel = false;
    let mut n = 0;
    // The last three letters, the last one first.
    let mut end = ['\0'; 3];
    for c in word.chars() {
        let v = is_vowel_en(c);
        if v && !prev_vowel {
            count += 1;
        }
        prev_vowel = v;
        end = [c, end[0], end[1]];
        n += 1;
    }
    let [last, second, third] = end;
    if n > 2
        && last == 'e'
        && !is_vowel_en(second)
        && !(second == 'l' && n > 3 && !is_vowel_en(third))
    {
        count = count.saturating_sub(1);
    }
    if n > 3 && second == 'e' && last == 'd' && !matches!(third, 't' | 'd') && !is_vowel_en(third) {
        count = count.saturating_sub(1);
    }
    count.max(1)
}

/// Spanish syllables of a lower-case word: vowel groups, where two strong vowels (a, e, o)
/// or an accented weak vowel (í, ú) start a new syllable (hiatus).
fn syllables_es(word: &str) -> usize {
    let strong = |c: char| matches!(c, 'a' | 'e' | 'o' | 'á' | 'é' | 'ó' | 'í' | 'ú');
    let vowel = |c: char| strong(c) || matches!(c, 'i' | 'u' | 'ü' | 'y');
    let mut count = 0;
    let mut prev: Option<char> = None;
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        // A final y is a vowel ("muy"), otherwise a consonant ("mayo").
        let is_v = vowel(c) && !(c == 'y' && chars.peek().is_some());
        match prev {
            // Two strong vowels side by side are two syllables (hiatus).
            Some(p) if is_v && strong(p) && strong(c) => count += 1,
            Some(_) => {}
            None if is_v => count += 1,
            None => {}
        }
        prev = if is_v { Some(c) } else { None };
    }
    count.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_syllables_are_close_to_a_dictionary() {
        for (word, n) in [
            ("disc", 1),
            ("spine", 1),
            ("nerve", 1),
            ("surgery", 3),
            ("patient", 2),
            ("table", 2),
            ("walked", 1),
            ("needed", 2),
            ("decompression", 4),
        ] {
            assert_eq!(syllables_en(word), n, "{word}");
        }
    }

    #[test]
    fn spanish_syllables_follow_diphthong_rules() {
        for (word, n) in [
            ("columna", 3),
            ("cirugía", 4),
            ("dolor", 2),
            ("nervio", 2),
            ("leer", 2),
            ("muy", 1),
            ("tratamiento", 4),
        ] {
            assert_eq!(syllables_es(word), n, "{word}");
        }
    }

    #[test]
    fn short_plain_sentences_score_a_low_grade() {
        let easy = measure(
            "The disc is soft. It sits between the bones. It can slip.",
            Lang::En,
        );
        assert_eq!(easy.sentences, 3);
        assert_eq!(easy.words, 12);
        assert!(easy.grade < 3.0, "{easy:?}");
    }

    #[test]
    fn long_technical_sentences_score_a_high_grade() {
        let hard = measure(
            "Intervertebral degeneration frequently necessitates comprehensive multidisciplinary evaluation incorporating neurological examination and radiological investigation.",
            Lang::En,
        );
        assert!(hard.grade > 12.0, "{hard:?}");
    }

    #[test]
    fn spanish_grade_rises_with_sentence_length() {
        let short = measure("El disco es blando. Está entre los huesos.", Lang::Es);
        let long = measure("La degeneración intervertebral frecuentemente necesita una evaluación multidisciplinaria completa con exámenes neurológicos y estudios radiológicos especializados.", Lang::Es);
        assert!(short.grade < 8.0, "{short:?}");
        assert!(long.grade > short.grade + 4.0, "{short:?} {long:?}");
    }

    #[test]
    fn reading_time_rounds_up_to_whole_minutes() {
        let text = "word ".repeat(181);
        assert_eq!(measure(&text, Lang::En).reading_minutes, 2);
        assert_eq!(measure("one.", Lang::En).reading_minutes, 1);
    }
}
