//! The `+++` TOML front matter of an article: split from the body, read field by field,
//! every problem recorded with its line instead of stopping at the first.

use std::collections::HashMap;
use std::path::Path;

use super::diagnostics::{line_of, Diagnostics};

/// The fields an article may have, in the order the docs list them.
pub const FIELDS: &[&str] = &[
    "title",
    "slug",
    "date",
    "reviewed",
    "reviewer",
    "topics",
    "specialty",
    "summary",
    "related",
    "canonical_url",
    "language",
    "translation_of",
];

/// Languages an article can be written in.
pub const LANGUAGES: &[&str] = &["en", "es"];

/// An article's front matter after checking. Fields that had errors hold empty values;
/// the diagnostics say why.
#[derive(Debug, Clone, Default)]
pub struct FrontMatter {
    /// The article's title.
    pub title: String,
    /// Its slug: lower-case letters, digits and hyphens; its URL and key.
    pub slug: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `YYYY-MM-DD`, the last clinical review.
    pub reviewed: String,
    /// The reviewer's role, such as "Board-certified spine surgeon".
    pub reviewer: String,
    /// The slugs of its topics.
    pub topics: Vec<String>,
    /// The slug of the specialty that answers callbacks about it.
    pub specialty: String,
    /// One paragraph, shown in lists and search.
    pub summary: String,
    /// The slugs of related articles.
    pub related: Vec<String>,
    /// The clinic's web page for it, shown as a QR code.
    pub canonical_url: String,
    /// `en` or `es`.
    pub language: String,
    /// For a translation: the English original's slug.
    pub translation_of: Option<String>,
    /// Line of each field that was present, for later cross-file checks.
    pub lines: HashMap<String, usize>,
}

impl FrontMatter {
    /// The line of `field`, or the opening fence when the field is missing.
    pub fn line(&self, field: &str) -> usize {
        self.lines.get(field).copied().unwrap_or(1)
    }
}

/// A file split at its front-matter fences.
pub struct Split<'a> {
    /// The front matter's text, without its fences.
    pub front: &'a str,
    /// Line number of the first front-matter line (after the opening fence).
    pub front_line: usize,
    /// The body's text.
    pub body: &'a str,
    /// Line number of the first body line.
    pub body_line: usize,
}

/// Splits `+++` front matter from the body; the error says what is wrong with the fences.
pub fn split(text: &str) -> Result<Split<'_>, (usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "+++" {
        return Err((
            1,
            "the file must start with a `+++` line, then the front matter, then another `+++` line"
                .into(),
        ));
    }
    let front_start = first.len();
    let mut offset = front_start;
    for line in lines {
        if line.trim_end() == "+++" {
            let front = &text[front_start..offset];
            let body_start = offset + line.len();
            return Ok(Split {
                front,
                front_line: 2,
                body: &text[body_start..],
                body_line: line_of(text, body_start),
            });
        }
        offset += line.len();
    }
    Err((
        1,
        "the front matter has no closing `+++` line; add one after the last field".into(),
    ))
}

/// Reads and checks front matter. Returns `None` only when the TOML itself cannot be read.
pub fn parse(split: &Split<'_>, path: &Path, diags: &mut Diagnostics) -> Option<FrontMatter> {
    let table: toml::Table = match split.front.parse() {
        Ok(table) => table,
        Err(err) => {
            let line = err
                .span()
                .map(|span| split.front_line + line_of(split.front, span.start) - 1)
                .unwrap_or(split.front_line);
            let message = err.message().trim().to_string();
            diags.error(
                path,
                line,
                "toml",
                format!("the front matter is not valid TOML: {message}"),
            );
            return None;
        }
    };

    let mut fm = FrontMatter {
        lines: field_lines(split.front, split.front_line),
        ..FrontMatter::default()
    };
    let mut reader = Reader {
        table: &table,
        fm_lines: &fm.lines,
        path,
        diags,
    };

    for key in table.keys() {
        if !FIELDS.contains(&key.as_str()) {
            let line = fm.lines.get(key).copied().unwrap_or(split.front_line);
            let hint = closest_field(key)
                .map(|f| format!("; did you mean `{f}`?"))
                .unwrap_or_else(|| format!("; allowed fields are {}", FIELDS.join(", ")));
            reader
                .diags
                .error(path, line, key, format!("unknown field{hint}"));
        }
    }

    fm.title = reader.string("title", true).unwrap_or_default();
    fm.slug = reader.string("slug", true).unwrap_or_default();
    fm.date = reader.date("date").unwrap_or_default();
    fm.reviewed = reader.date("reviewed").unwrap_or_default();
    fm.reviewer = reader.string("reviewer", true).unwrap_or_default();
    fm.topics = reader.list("topics", true).unwrap_or_default();
    fm.specialty = reader.string("specialty", true).unwrap_or_default();
    fm.summary = reader.string("summary", true).unwrap_or_default();
    fm.related = reader.list("related", false).unwrap_or_default();
    fm.canonical_url = reader.string("canonical_url", true).unwrap_or_default();
    fm.language = reader.string("language", true).unwrap_or_default();
    fm.translation_of = reader.string("translation_of", false);

    check_values(&fm, path, diags);
    Some(fm)
}

fn check_values(fm: &FrontMatter, path: &Path, diags: &mut Diagnostics) {
    if !fm.slug.is_empty() && !is_slug(&fm.slug) {
        diags.error(
            path,
            fm.line("slug"),
            "slug",
            format!(
                "`{}` is not a valid slug; use lower-case letters, digits and single hyphens, such as `herniated-disc`",
                fm.slug
            ),
        );
    }
    if !fm.language.is_empty() && !LANGUAGES.contains(&fm.language.as_str()) {
        diags.error(
            path,
            fm.line("language"),
            "language",
            format!(
                "`{}` is not a supported language; use one of {}",
                fm.language,
                LANGUAGES.join(", ")
            ),
        );
    }
    if !fm.date.is_empty() && !fm.reviewed.is_empty() && fm.reviewed < fm.date {
        diags.error(
            path,
            fm.line("reviewed"),
            "reviewed",
            format!(
                "the review date {} is before the publication date {}; a review comes after publication",
                fm.reviewed, fm.date
            ),
        );
    }
    let has_host = fm
        .canonical_url
        .strip_prefix("https://")
        .is_some_and(|rest| !rest.is_empty());
    if !fm.canonical_url.is_empty() && !has_host {
        diags.error(
            path,
            fm.line("canonical_url"),
            "canonical_url",
            "must be the article's full web address starting with `https://`",
        );
    }
    if fm.title.chars().count() > 90 {
        diags.warning(
            path,
            fm.line("title"),
            "title",
            "is longer than 90 characters; a short title reads better on the kiosk",
        );
    }
    if fm.summary.chars().count() > 300 {
        diags.warning(
            path,
            fm.line("summary"),
            "summary",
            "is longer than 300 characters; keep it to one or two sentences",
        );
    }
    match (&fm.translation_of, fm.language.as_str()) {
        (Some(_), "en") => diags.error(
            path,
            fm.line("translation_of"),
            "translation_of",
            "English articles are the originals; remove `translation_of` or change `language`",
        ),
        (Some(target), _) if !is_slug(target) => diags.error(
            path,
            fm.line("translation_of"),
            "translation_of",
            format!("`{target}` is not a valid slug"),
        ),
        _ => {}
    }
}

struct Reader<'a> {
    table: &'a toml::Table,
    fm_lines: &'a HashMap<String, usize>,
    path: &'a Path,
    diags: &'a mut Diagnostics,
}

impl Reader<'_> {
    fn line(&self, field: &str) -> usize {
        self.fm_lines.get(field).copied().unwrap_or(1)
    }

    fn missing(&mut self, field: &str) {
        let line = self.line(field);
        self.diags.error(
            self.path,
            line,
            field,
            format!("missing; add `{field} = ...` to the front matter"),
        );
    }

    fn string(&mut self, field: &str, required: bool) -> Option<String> {
        let line = self.line(field);
        match self.table.get(field) {
            None => {
                if required {
                    self.missing(field);
                }
                None
            }
            Some(toml::Value::String(s)) if s.trim().is_empty() => {
                if required {
                    self.diags.error(
                        self.path,
                        line,
                        field,
                        "is empty; write a value between the quotes",
                    );
                } else {
                    self.diags.error(
                        self.path,
                        line,
                        field,
                        "is empty; write a value or remove the line",
                    );
                }
                None
            }
            Some(toml::Value::String(s)) => Some(s.trim().to_string()),
            Some(other) => {
                self.diags.error(
                    self.path,
                    line,
                    field,
                    format!("must be text in quotes, not {}", describe(other)),
                );
                None
            }
        }
    }

    fn date(&mut self, field: &str) -> Option<String> {
        let line = self.line(field);
        let text = match self.table.get(field) {
            None => {
                self.missing(field);
                return None;
            }
            Some(toml::Value::Datetime(dt)) if dt.date.is_some() && dt.time.is_none() => {
                dt.to_string()
            }
            Some(toml::Value::String(s)) => s.trim().to_string(),
            Some(other) => {
                self.diags.error(
                    self.path,
                    line,
                    field,
                    format!("must be a date like 2026-02-10, not {}", describe(other)),
                );
                return None;
            }
        };
        if is_date(&text) {
            Some(text)
        } else {
            self.diags.error(
                self.path,
                line,
                field,
                format!("`{text}` is not a date; write it as YYYY-MM-DD, such as 2026-02-10"),
            );
            None
        }
    }

    fn list(&mut self, field: &str, required: bool) -> Option<Vec<String>> {
        let line = self.line(field);
        match self.table.get(field) {
            None => {
                if required {
                    self.missing(field);
                }
                None
            }
            Some(toml::Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        toml::Value::String(s) if !s.trim().is_empty() => {
                            out.push(s.trim().to_string())
                        }
                        toml::Value::String(_) => self.diags.error(
                            self.path,
                            line,
                            field,
                            "has an empty entry; remove the empty quotes",
                        ),
                        other => self.diags.error(
                            self.path,
                            line,
                            field,
                            format!("entries must be slugs in quotes, not {}", describe(other)),
                        ),
                    }
                }
                if out.is_empty() && required {
                    self.diags.error(
                        self.path,
                        line,
                        field,
                        format!("is empty; list at least one, such as {field} = [\"spine-care\"]"),
                    );
                }
                Some(out)
            }
            Some(other) => {
                self.diags.error(
                    self.path,
                    line,
                    field,
                    format!(
                        "must be a list in square brackets, such as [\"spine-care\"], not {}",
                        describe(other)
                    ),
                );
                None
            }
        }
    }
}

fn describe(value: &toml::Value) -> &'static str {
    match value {
        toml::Value::String(_) => "text",
        toml::Value::Integer(_) => "a number",
        toml::Value::Float(_) => "a number",
        toml::Value::Boolean(_) => "true or false",
        toml::Value::Datetime(_) => "a date and time",
        toml::Value::Array(_) => "a list",
        toml::Value::Table(_) => "a table",
    }
}

/// The line on which each top-level key is written.
fn field_lines(front: &str, first_line: usize) -> HashMap<String, usize> {
    let mut lines = HashMap::new();
    for (i, line) in front.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some((key, _)) = trimmed.split_once('=') {
            let key = key.trim().trim_matches('"');
            if !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                lines.entry(key.to_string()).or_insert(first_line + i);
            }
        }
    }
    lines
}

fn closest_field(key: &str) -> Option<&'static str> {
    FIELDS
        .iter()
        .map(|f| (strsim::levenshtein(key, f), *f))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, f)| f)
}

/// Lower-case ASCII letters and digits in groups joined by single hyphens.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    if parts.len() != 3
        || parts[0].len() != 4
        || parts[1].len() != 2
        || parts[2].len() != 2
        || !parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()))
    {
        return false;
    }
    let month: u32 = parts[1].parse().unwrap_or(0);
    let day: u32 = parts[2].parse().unwrap_or(0);
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lower_case_words_joined_by_hyphens() {
        assert!(is_slug("herniated-disc"));
        assert!(is_slug("mri2"));
        assert!(!is_slug("Herniated-disc"));
        assert!(!is_slug("herniated--disc"));
        assert!(!is_slug("-disc"));
        assert!(!is_slug("disco-salido-á"));
    }

    #[test]
    fn dates_must_be_real_calendar_shapes() {
        assert!(is_date("2026-02-10"));
        assert!(!is_date("2026-13-10"));
        assert!(!is_date("10/02/2026"));
        assert!(!is_date("2026-2-10"));
    }

    #[test]
    fn split_reports_a_missing_closing_fence() {
        let err = split("+++\ntitle = \"x\"\nbody").err().expect("must fail");
        assert!(err.1.contains("no closing `+++`"), "{}", err.1);
    }

    #[test]
    fn split_finds_the_body_line() {
        let s = split("+++\ntitle = \"x\"\n+++\n\n## Hello\n").expect("valid");
        assert_eq!(s.front, "title = \"x\"\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn a_typo_in_a_field_name_suggests_the_right_one() {
        assert_eq!(closest_field("titel"), Some("title"));
        assert_eq!(closest_field("completely_else"), None);
    }
}
