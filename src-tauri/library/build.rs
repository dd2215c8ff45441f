//! Builds library.db from checked content and swaps it in atomically: the new library is
//! written to a temporary file beside the old one, synced, then renamed over it, so a
//! reader sees either the old library or the new one, never half of one.

use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection};

use super::{schema, LibraryError};
use crate::content::Content;
use crate::search::text::{words, Analyzer};

/// What a build produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildStats {
    pub articles: usize,
    pub topics: usize,
    pub content_hash: String,
}

/// Writes `content` as a new library at `target`, replacing any library already there.
pub fn build(content: &Content, target: &Path) -> Result<BuildStats, LibraryError> {
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| LibraryError::io(dir, e))?;
    let tmp = tempfile::Builder::new()
        .prefix(".library-")
        .suffix(".db.tmp")
        .tempfile_in(dir)
        .map_err(|e| LibraryError::io(dir, e))?;

    {
        let mut conn = Connection::open(tmp.path())?;
        // The file is synced once at the end; a crash mid-build leaves only a temp file.
        conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")?;
        let tx = conn.transaction()?;
        tx.execute_batch(schema::SQL)?;
        write_content(&tx, content)?;
        tx.pragma_update(None, "user_version", schema::VERSION)?;
        tx.commit()?;
        conn.execute_batch("PRAGMA optimize;")?;
    }

    tmp.as_file()
        .sync_all()
        .map_err(|e| LibraryError::io(tmp.path(), e))?;
    tmp.persist(target)
        .map_err(|e| LibraryError::io(target, e.error))?;
    if let Ok(d) = fs::File::open(dir) {
        // Make the rename itself durable.
        let _ = d.sync_all();
    }
    Ok(BuildStats {
        articles: content.articles.len(),
        topics: content.topics.len(),
        content_hash: content.hash.clone(),
    })
}

fn write_content(tx: &rusqlite::Transaction<'_>, content: &Content) -> Result<(), LibraryError> {
    let built_at = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut meta = tx.prepare("INSERT INTO meta (key, value) VALUES (?1, ?2)")?;
    meta.execute(params!["content_hash", content.hash])?;
    meta.execute(params!["built_at", built_at.to_string()])?;
    meta.execute(params!["app_version", env!("CARGO_PKG_VERSION")])?;

    let text =
        |map: &crate::content::Localized, lang: &str| map.get(lang).cloned().unwrap_or_default();
    let mut topic = tx.prepare(
        "INSERT INTO topic (slug, position, icon, name_en, name_es, description_en, description_es)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (i, t) in content.topics.iter().enumerate() {
        topic.execute(params![
            t.slug,
            i as i64,
            t.icon,
            text(&t.name, "en"),
            text(&t.name, "es"),
            text(&t.description, "en"),
            text(&t.description, "es"),
        ])?;
    }
    let mut specialty =
        tx.prepare("INSERT INTO specialty (slug, name_en, name_es) VALUES (?1, ?2, ?3)")?;
    for s in &content.specialties {
        specialty.execute(params![s.slug, text(&s.name, "en"), text(&s.name, "es")])?;
    }
    let mut notice =
        tx.prepare("INSERT INTO notice (lang, disclaimer, emergency) VALUES (?1, ?2, ?3)")?;
    for (lang, n) in &content.notices {
        notice.execute(params![lang, n.disclaimer.trim(), n.emergency.trim()])?;
    }
    let mut synonym =
        tx.prepare("INSERT INTO synonym (lang, phrase, expansions) VALUES (?1, ?2, ?3)")?;
    for (lang, table) in &content.synonyms {
        for (phrase, expansions) in table {
            let json = serde_json::to_string(expansions).unwrap_or_else(|_| "[]".into());
            synonym.execute(params![lang, phrase.to_lowercase(), json])?;
        }
    }

    let mut article = tx.prepare(
        "INSERT INTO article (id, slug, lang, title, summary, date, reviewed, reviewer, specialty,
            canonical_url, translation_of, html, body_text, reading_minutes, grade, word_count)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?;
    let mut article_topic =
        tx.prepare("INSERT INTO article_topic (article_id, topic) VALUES (?1, ?2)")?;
    let mut related = tx.prepare(
        "INSERT INTO article_related (article_id, position, related_slug) VALUES (?1, ?2, ?3)",
    )?;
    let mut fts = tx.prepare(
        "INSERT INTO article_fts (rowid, title, summary, headings, body) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let analyzers = [("en", Analyzer::new("en")), ("es", Analyzer::new("es"))];
    let mut vocabulary: HashMap<(&str, String), i64> = HashMap::new();

    for (i, a) in content.articles.iter().enumerate() {
        let id = i as i64 + 1;
        let m = &a.meta;
        article.execute(params![
            id,
            m.slug,
            m.language,
            m.title,
            m.summary,
            m.date,
            m.reviewed,
            m.reviewer,
            m.specialty,
            m.canonical_url,
            m.translation_of,
            a.body.html,
            a.body.text,
            a.readability.reading_minutes,
            a.readability.grade,
            a.readability.words as i64,
        ])?;
        for t in &m.topics {
            article_topic.execute(params![id, t])?;
        }
        for (pos, r) in m.related.iter().enumerate() {
            related.execute(params![id, pos as i64, r])?;
        }
        let (lang, analyzer) = analyzers
            .iter()
            .find(|(l, _)| *l == m.language)
            .unwrap_or(&analyzers[0]);
        fts.execute(params![
            id,
            analyzer.index_text(&m.title),
            analyzer.index_text(&m.summary),
            analyzer.index_text(&a.body.headings),
            analyzer.index_text(&a.body.text),
        ])?;
        for source in [&m.title, &m.summary, &a.body.headings, &a.body.text] {
            for w in words(source) {
                if w.chars().count() >= 3 && w.chars().all(char::is_alphabetic) {
                    *vocabulary.entry((lang, w)).or_insert(0) += 1;
                }
            }
        }
    }

    let mut word = tx.prepare("INSERT INTO word (lang, word, freq) VALUES (?1, ?2, ?3)")?;
    for ((lang, w), freq) in vocabulary {
        word.execute(params![lang, w, freq])?;
    }
    Ok(())
}
