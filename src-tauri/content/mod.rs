//! The content folder: articles, topics, synonyms and notices, read and checked as a whole.
//!
//! The same code runs for `clinic-kiosk content check`, in the tests and when the app
//! rebuilds its library. Every problem is collected, so an author sees all of them at once.

pub mod diagnostics;
pub mod frontmatter;
pub mod markdown;
pub mod readability;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::lang::Lang;

pub use diagnostics::{Diagnostic, Diagnostics, Severity};
pub use frontmatter::FrontMatter;
pub use markdown::Rendered;
pub use readability::Readability;

/// Spanish articles below this Fernández-Huerta reading ease get a warning (70: "fairly
/// easy", about grade 7; issue #14).
const MIN_SPANISH_EASE: f64 = 70.0;

/// Zero-width and text-direction characters: invisible in a title, they can make two titles
/// look alike or reorder what a patient reads (Unicode TR 36, "bidi" spoofing).
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{061C}' | '\u{FEFF}' | '\u{00AD}')
}

/// Articles above this reading grade get a warning.
pub const MAX_GRADE: f64 = 8.0;
/// Article length guideline, in words.
pub const WORDS: std::ops::RangeInclusive<usize> = 400..=900;
/// Bumped when the compiler's output changes, so libraries built by older code are rebuilt.
const COMPILER_VERSION: &str = "2";

/// Text in each supported language, keyed by language code.
pub type Localized = BTreeMap<String, String>;

/// A topic of `content/topics.toml`: a tile on the home screen.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    /// Its slug, the key articles use.
    pub slug: String,
    /// The icon's name.
    pub icon: String,
    /// Its name per language.
    pub name: Localized,
    /// One line under the name, per language.
    pub description: Localized,
}

/// A specialty of `content/topics.toml`: who answers callbacks about an article.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Specialty {
    /// Its slug, the key articles and the config use.
    pub slug: String,
    /// Its name per language.
    pub name: Localized,
}

/// The notices of `content/notices.toml` in one language.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    /// Shown at the end of every article.
    pub disclaimer: String,
    /// Shown near the top of every article.
    pub emergency: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TopicsFile {
    #[serde(default)]
    topic: Vec<Topic>,
    #[serde(default)]
    specialty: Vec<Specialty>,
}

/// One article, parsed, rendered and measured.
#[derive(Debug, Clone)]
pub struct Article {
    /// The Markdown file.
    pub path: PathBuf,
    /// Its front matter.
    pub meta: FrontMatter,
    /// Its body as HTML, with its headings and plain text.
    pub body: Rendered,
    /// Its reading time and grade.
    pub readability: Readability,
}

/// Everyday phrases and the clinical words they stand for, per language.
pub type Synonyms = BTreeMap<String, BTreeMap<String, Vec<String>>>;

/// A whole content folder.
#[derive(Debug, Clone, Default)]
pub struct Content {
    /// The topics, in the file's order (the home screen's).
    pub topics: Vec<Topic>,
    /// The specialties.
    pub specialties: Vec<Specialty>,
    /// The notices, by language code.
    pub notices: BTreeMap<String, Notice>,
    /// Everyday phrases by language (`content/synonyms.toml`).
    pub synonyms: Synonyms,
    /// The articles that could be read (problems are in the diagnostics).
    pub articles: Vec<Article>,
    /// SHA-256 of every file read, so a library knows which content it was built from.
    pub hash: String,
}

/// Reads and checks the content folder `dir`. Problems are in the diagnostics; the content
/// holds everything that could be read, so `check` can report on all of it.
pub fn load(dir: &Path) -> (Content, Diagnostics) {
    let mut diags = Diagnostics::default();
    let mut content = Content::default();
    let mut hasher = Sha256::new();
    hasher.update(COMPILER_VERSION.as_bytes());

    let shown = |name: &str| display_path(dir, &dir.join(name));
    if !dir.is_dir() {
        diags.error(
            &display_path(dir, dir),
            1,
            "file",
            "the content folder does not exist; pass the folder that holds topics.toml and articles/",
        );
        return (content, diags);
    }

    if let Some(text) = read(dir, "topics.toml", &mut hasher, &mut diags) {
        if let Some(file) = parse_toml::<TopicsFile>(&text, &shown("topics.toml"), &mut diags) {
            check_topics(&file, &text, &shown("topics.toml"), &mut diags);
            content.topics = file.topic;
            content.specialties = file.specialty;
        }
    }
    if let Some(text) = read(dir, "notices.toml", &mut hasher, &mut diags) {
        if let Some(notices) =
            parse_toml::<BTreeMap<String, Notice>>(&text, &shown("notices.toml"), &mut diags)
        {
            check_notices(&notices, &shown("notices.toml"), &mut diags);
            content.notices = notices;
        }
    }
    if let Some(text) = read(dir, "synonyms.toml", &mut hasher, &mut diags) {
        if let Some(synonyms) = parse_toml::<Synonyms>(&text, &shown("synonyms.toml"), &mut diags) {
            check_synonyms(&synonyms, &text, &shown("synonyms.toml"), &mut diags);
            content.synonyms = synonyms;
        }
    }

    let articles_dir = dir.join("articles");
    let mut files: Vec<PathBuf> = match fs::read_dir(&articles_dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .collect(),
        Err(_) => {
            diags.error(
                &shown("articles"),
                1,
                "file",
                "there is no articles/ folder; create it and put one .md file per article in it",
            );
            Vec::new()
        }
    };
    files.sort();

    let texts: Vec<(PathBuf, Option<String>)> = files
        .iter()
        .map(|path| {
            let text = fs::read(path).ok().and_then(|b| String::from_utf8(b).ok());
            if let Some(t) = &text {
                hasher.update(path.file_name().unwrap_or_default().as_encoded_bytes());
                hasher.update([0]);
                hasher.update(t.as_bytes());
                hasher.update([0]);
            }
            (display_path(dir, path), text)
        })
        .collect();
    content.articles = parse_articles(&texts, &mut diags);
    check_articles(&content, &mut diags);
    content.hash = format!("{:x}", hasher.finalize());
    (content, diags)
}

/// Parses and renders articles on every core: this is most of a library build's time.
fn parse_articles(texts: &[(PathBuf, Option<String>)], diags: &mut Diagnostics) -> Vec<Article> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8);
    let chunk = texts.len().div_ceil(threads).max(1);
    let results: Vec<(Vec<Article>, Diagnostics)> = std::thread::scope(|scope| {
        let handles: Vec<_> = texts
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    let mut local = Diagnostics::default();
                    let articles = part
                        .iter()
                        .filter_map(|(path, text)| parse_article(path, text.as_deref(), &mut local))
                        .collect::<Vec<_>>();
                    (articles, local)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("article parser thread panicked"))
            .collect()
    });
    let mut articles = Vec::with_capacity(texts.len());
    for (part, local) in results {
        articles.extend(part);
        diags.extend(local);
    }
    articles
}

fn parse_article(path: &Path, text: Option<&str>, diags: &mut Diagnostics) -> Option<Article> {
    let Some(text) = text else {
        diags.error(
            path,
            1,
            "file",
            "cannot be read as UTF-8 text; save it as UTF-8",
        );
        return None;
    };
    let normalized = nfc(path, text, diags);
    let text = normalized.as_deref().unwrap_or(text);
    let split = match frontmatter::split(text) {
        Ok(split) => split,
        Err((line, message)) => {
            diags.error(path, line, "file", message);
            return None;
        }
    };
    let meta = frontmatter::parse(&split, path, diags)?;
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if !meta.slug.is_empty() && meta.slug != stem {
        diags.error(
            path,
            meta.line("slug"),
            "slug",
            format!(
                "`{}` does not match the file name; rename the file to {}.md or change the slug",
                meta.slug, meta.slug
            ),
        );
    }
    let body = markdown::render(split.body, path, split.body_line, diags);
    let language = Lang::or_english(&meta.language);
    let readability = readability::measure(&body.sentence_text, language);
    for (field, value) in [("title", &meta.title), ("summary", &meta.summary)] {
        if let Some(c) = value.chars().find(|c| is_invisible(*c)) {
            diags.error(
                path,
                meta.line(field),
                field,
                format!(
                    "holds an invisible character (U+{:04X}, a zero-width or text-direction mark); delete it and type the text again",
                    c as u32
                ),
            );
        }
    }
    readability_warnings(path, split.body_line, language, &readability, diags);
    Some(Article {
        path: path.to_path_buf(),
        meta,
        body,
        readability,
    })
}

/// `text` composed (NFC) with a warning at its first decomposed line, or `None` when it is
/// NFC already.
fn nfc(path: &Path, text: &str, diags: &mut Diagnostics) -> Option<String> {
    // Text saved as a base letter plus a combining accent (Mac editors, pasted text) is
    // read as the composed form, so search and snippets see one word either way.
    if unicode_normalization::is_nfc(text) {
        return None;
    }
    let line = text
        .lines()
        .position(|l| !unicode_normalization::is_nfc(l))
        .map_or(1, |i| i + 1);
    diags.warning(
        path,
        line,
        "file",
        "has accents saved as separate marks (not Unicode NFC); the library uses the composed form, save the file as NFC to match",
    );
    Some(unicode_normalization::UnicodeNormalization::nfc(text).collect())
}

/// Warnings for a body that is hard to read in `language` (Fernández-Huerta in Spanish,
/// the Flesch-Kincaid grade in English) or of an unusual length, at `body_line`.
fn readability_warnings(
    path: &Path,
    body_line: usize,
    language: Lang,
    readability: &Readability,
    diags: &mut Diagnostics,
) {
    // Fernández-Huerta reading ease, from the grade `measure` maps it to.
    let spanish_ease = 100.0 - (readability.grade - 4.0) * 10.0;
    if language == Lang::Es && readability.words > 0 && spanish_ease < MIN_SPANISH_EASE {
        diags.warning(
            path,
            body_line,
            "body",
            format!(
                "Fernández-Huerta reading ease {spanish_ease:.0} is below {MIN_SPANISH_EASE}; use shorter sentences and everyday words"
            ),
        );
    } else if readability.words > 0 && readability.grade > MAX_GRADE {
        diags.warning(
            path,
            body_line,
            "body",
            format!(
                "reading grade {:.1} is above {MAX_GRADE}; use shorter sentences and everyday words",
                readability.grade
            ),
        );
    }
    if readability.words > 0 && !WORDS.contains(&readability.words) {
        diags.warning(
            path,
            body_line,
            "body",
            format!(
                "{} words; articles read best at {} to {} words",
                readability.words,
                WORDS.start(),
                WORDS.end()
            ),
        );
    }
}

/// Checks that need every article at once: duplicates and references between files.
fn check_articles(content: &Content, diags: &mut Diagnostics) {
    let topics: HashSet<&str> = content.topics.iter().map(|t| t.slug.as_str()).collect();
    let specialties: HashSet<&str> = content
        .specialties
        .iter()
        .map(|s| s.slug.as_str())
        .collect();
    let mut by_slug: HashMap<&str, &Article> = HashMap::new();
    for article in &content.articles {
        let slug = article.meta.slug.as_str();
        if slug.is_empty() {
            continue;
        }
        if let Some(first) = by_slug.get(slug) {
            diags.error(
                &article.path,
                article.meta.line("slug"),
                "slug",
                format!(
                    "duplicate slug `{slug}`, already used by {}; every article needs its own slug",
                    first.path.display()
                ),
            );
        } else {
            by_slug.insert(slug, article);
        }
    }

    let mut translations: HashMap<(&str, &str), &Article> = HashMap::new();
    for article in &content.articles {
        check_references(article, &by_slug, &topics, &specialties, diags);
        check_translation(article, &by_slug, &mut translations, diags);
    }
    // Every English article should reach Spanish-speaking patients too (issue #14).
    for article in &content.articles {
        let m = &article.meta;
        if m.language == "en"
            && !m.slug.is_empty()
            && !translations.contains_key(&(m.slug.as_str(), "es"))
        {
            diags.warning(
                &article.path,
                m.line("slug"),
                "translation",
                format!(
                    "no Spanish version yet; write one with translation_of = \"{}\"",
                    m.slug
                ),
            );
        }
    }
}

/// Article `article`'s topics, specialty and related articles name ones that exist
/// (related ones in its language, not itself).
fn check_references(
    article: &Article,
    by_slug: &HashMap<&str, &Article>,
    topics: &HashSet<&str>,
    specialties: &HashSet<&str>,
    diags: &mut Diagnostics,
) {
    let m = &article.meta;
    for topic in &m.topics {
        if !topics.contains(topic.as_str()) {
            diags.error(
                &article.path,
                m.line("topics"),
                "topics",
                format!(
                    "unknown topic `{topic}`; use one of {} or add it to topics.toml",
                    sorted_list(topics)
                ),
            );
        }
    }
    if !m.specialty.is_empty() && !specialties.contains(m.specialty.as_str()) {
        diags.error(
            &article.path,
            m.line("specialty"),
            "specialty",
            format!(
                "unknown specialty `{}`; use one of {} or add it to topics.toml",
                m.specialty,
                sorted_list(specialties)
            ),
        );
    }
    for related in &m.related {
        match by_slug.get(related.as_str()) {
            None => diags.error(
                &article.path,
                m.line("related"),
                "related",
                format!("`{related}` points to no article; check the slug or remove it"),
            ),
            Some(_) if related == &m.slug => diags.error(
                &article.path,
                m.line("related"),
                "related",
                "an article cannot be related to itself; remove its own slug",
            ),
            Some(other) if other.meta.language != m.language => diags.error(
                &article.path,
                m.line("related"),
                "related",
                format!(
                    "`{related}` is in another language ({}); relate articles in the same language",
                    other.meta.language
                ),
            ),
            Some(_) => {}
        }
    }
}

/// Article `article`'s `translation_of` names an English article with no other
/// translation in its language; recorded in `translations`.
fn check_translation<'a>(
    article: &'a Article,
    by_slug: &HashMap<&str, &Article>,
    translations: &mut HashMap<(&'a str, &'a str), &'a Article>,
    diags: &mut Diagnostics,
) {
    let m = &article.meta;
    if let Some(target) = &m.translation_of {
        match by_slug.get(target.as_str()) {
            None => diags.error(
                &article.path,
                m.line("translation_of"),
                "translation_of",
                format!("`{target}` points to no article; use the English article's slug"),
            ),
            Some(original) if original.meta.language != "en" => diags.error(
                &article.path,
                m.line("translation_of"),
                "translation_of",
                format!("`{target}` is not an English article; point to the English original"),
            ),
            Some(_) => {
                if let Some(first) =
                    translations.insert((target.as_str(), m.language.as_str()), article)
                {
                    diags.error(
                        &article.path,
                        m.line("translation_of"),
                        "translation_of",
                        format!(
                            "`{target}` already has a translation in `{}`: {}",
                            m.language,
                            first.path.display()
                        ),
                    );
                }
            }
        }
    }
}

fn check_topics(file: &TopicsFile, text: &str, path: &Path, diags: &mut Diagnostics) {
    let line_of_slug = |slug: &str| line_containing(text, &format!("\"{slug}\"")).unwrap_or(1);
    if file.topic.is_empty() {
        diags.error(
            path,
            1,
            "topic",
            "no topics; add at least one [[topic]] table",
        );
    }
    let mut seen = HashSet::new();
    for topic in &file.topic {
        let line = line_of_slug(&topic.slug);
        if !frontmatter::is_slug(&topic.slug) {
            diags.error(
                path,
                line,
                "slug",
                format!("`{}` is not a valid slug", topic.slug),
            );
        }
        if !seen.insert(topic.slug.as_str()) {
            diags.error(
                path,
                line,
                "slug",
                format!("duplicate topic `{}`", topic.slug),
            );
        }
        check_localized(&topic.name, "name", line, path, diags);
        check_localized(&topic.description, "description", line, path, diags);
    }
    let mut seen = HashSet::new();
    for specialty in &file.specialty {
        let line = line_of_slug(&specialty.slug);
        if !seen.insert(specialty.slug.as_str()) {
            diags.error(
                path,
                line,
                "slug",
                format!("duplicate specialty `{}`", specialty.slug),
            );
        }
        check_localized(&specialty.name, "name", line, path, diags);
    }
}

fn check_localized(
    text: &Localized,
    field: &str,
    line: usize,
    path: &Path,
    diags: &mut Diagnostics,
) {
    for lang in frontmatter::LANGUAGES {
        if text.get(*lang).is_none_or(|t| t.trim().is_empty()) {
            diags.error(
                path,
                line,
                field,
                format!(
                    "missing the `{lang}` text; write {field} = {{ en = \"...\", es = \"...\" }}"
                ),
            );
        }
    }
}

fn check_notices(notices: &BTreeMap<String, Notice>, path: &Path, diags: &mut Diagnostics) {
    for lang in frontmatter::LANGUAGES {
        match notices.get(*lang) {
            None => diags.error(
                path,
                1,
                lang,
                format!("missing the [{lang}] table with `disclaimer` and `emergency`"),
            ),
            Some(n) if n.disclaimer.trim().is_empty() || n.emergency.trim().is_empty() => diags
                .error(
                    path,
                    1,
                    lang,
                    "`disclaimer` and `emergency` must not be empty",
                ),
            Some(_) => {}
        }
    }
}

fn check_synonyms(synonyms: &Synonyms, text: &str, path: &Path, diags: &mut Diagnostics) {
    for (lang, table) in synonyms {
        if !frontmatter::LANGUAGES.contains(&lang.as_str()) {
            diags.error(
                path,
                line_containing(text, &format!("[{lang}]")).unwrap_or(1),
                lang,
                format!(
                    "unknown language table; use {}",
                    frontmatter::LANGUAGES.join(", ")
                ),
            );
        }
        for (phrase, expansions) in table {
            let line = line_containing(text, &format!("\"{phrase}\"")).unwrap_or(1);
            if phrase.trim().is_empty() || expansions.iter().all(|e| e.trim().is_empty()) {
                diags.error(
                    path,
                    line,
                    phrase,
                    "needs an everyday phrase and at least one clinical phrase",
                );
            }
        }
    }
}

/// The hash [`load`] would give `dir`, from the bytes alone: no parsing, no checks. The
/// kiosk compares it with its library's at every start, so an unchanged library costs only
/// reading the files.
pub fn hash(dir: &Path) -> String {
    let mut hasher = Sha256::new();
    hasher.update(COMPILER_VERSION.as_bytes());
    for name in ["topics.toml", "notices.toml", "synonyms.toml"] {
        if let Ok(text) = fs::read_to_string(dir.join(name)) {
            hasher.update(name.as_bytes());
            hasher.update([0]);
            hasher.update(text.as_bytes());
            hasher.update([0]);
        }
    }
    let mut files: Vec<PathBuf> = fs::read_dir(dir.join("articles"))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "md"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    for path in files {
        if let Some(text) = fs::read(&path).ok().and_then(|b| String::from_utf8(b).ok()) {
            hasher.update(path.file_name().unwrap_or_default().as_encoded_bytes());
            hasher.update([0]);
            hasher.update(text.as_bytes());
            hasher.update([0]);
        }
    }
    format!("{:x}", hasher.finalize())
}

fn read(dir: &Path, name: &str, hasher: &mut Sha256, diags: &mut Diagnostics) -> Option<String> {
    let path = dir.join(name);
    match fs::read_to_string(&path) {
        Ok(text) => {
            hasher.update(name.as_bytes());
            hasher.update([0]);
            hasher.update(text.as_bytes());
            hasher.update([0]);
            Some(text)
        }
        Err(err) => {
            diags.error(
                &display_path(dir, &path),
                1,
                "file",
                format!("cannot be read ({err}); the content folder needs this file"),
            );
            None
        }
    }
}

fn parse_toml<T: serde::de::DeserializeOwned>(
    text: &str,
    path: &Path,
    diags: &mut Diagnostics,
) -> Option<T> {
    match toml::from_str::<T>(text) {
        Ok(value) => Some(value),
        Err(err) => {
            let line = err
                .span()
                .map(|s| diagnostics::line_of(text, s.start))
                .unwrap_or(1);
            diags.error(path, line, "toml", err.message().trim().to_string());
            None
        }
    }
}

fn line_containing(text: &str, needle: &str) -> Option<usize> {
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1)
}

fn sorted_list(items: &HashSet<&str>) -> String {
    let mut v: Vec<&str> = items.iter().copied().collect();
    v.sort_unstable();
    v.join(", ")
}

/// Paths in messages start at the content folder's name (`content/articles/x.md`), so they
/// are short and still clickable from the repository root.
fn display_path(dir: &Path, path: &Path) -> PathBuf {
    let base = dir.parent().unwrap_or(dir);
    path.strip_prefix(base).unwrap_or(path).to_path_buf()
}
