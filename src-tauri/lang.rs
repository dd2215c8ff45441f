//! The languages the kiosk speaks: articles, screens and callbacks are in English or
//! Spanish. Files, kiosk.db and the IPC edge hold the ISO 639-1 code (`en`, `es`); the
//! logic takes a [`Lang`].

use std::fmt;

/// English or Spanish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Lang {
    /// English, `en`; the default where a language is unknown.
    #[default]
    En,
    /// Spanish, `es`.
    Es,
}

impl Lang {
    /// Every language, English first.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Es];

    /// The ISO 639-1 code: `en` or `es`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    /// The language of `code` (`en` or `es`, exactly), or `None`.
    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The language of `code`; English for any code but `es`.
    pub fn or_english(code: &str) -> Lang {
        Lang::from_code(code).unwrap_or_default()
    }

    /// `en` or `es`, whichever is in this language.
    pub fn pick<'a>(self, en: &'a str, es: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Es => es,
        }
    }
}

/// The code, so `format!("name_{lang}")` names a column.
impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Bound as its code, as kiosk.db and library.db store it.
impl rusqlite::ToSql for Lang {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::from(self.code()))
    }
}

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn codes_round_trip_and_anything_else_is_english() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
            assert_eq!(lang.to_string(), lang.code());
        }
        assert_eq!(Lang::from_code("ES"), None, "codes are lower-case");
        assert_eq!(Lang::or_english("fr"), Lang::En);
        assert_eq!(Lang::Es.pick("yes", "sí"), "sí");
    }
}
