//! Builds library.db from checked content and swaps it in atomically: the new library is
//! written to a temporary file beside the old one, synced, then renamed over it, so a
//! reader sees either the old library or the new one, never half of one.

use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection};

use super::{schema, LibraryError};
use crate::content::{Article, Content};
use crate::lang::Lang;
use crate::search::text::Analyzer;

/// Memory FTS5 may fill with pending index terms before writing a segment.
const FTS_HASH_BYTES: i64 = 32 * 1024 * 1024;

/// What a build produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildStats {
    /// Articles written, both languages.
    pub articles: usize,
    /// Topics written.
    pub topics: usize,
    /// The hash of the content built from.
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
        // FTS5 writes a new segment, to be merged later, each time its pending terms pass
        // `hashsize` (1 MB by default); with room for a whole library the build does a
        // fraction of the merging, and is about a third faster.
        tx.execute(
            "INSERT INTO article_fts (article_fts, rank) VALUES ('hashsize', ?1)",
            [FTS_HASH_BYTES],
        )?;
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

/// Writes every table of `content` in `tx`: what the library was built from, the topics,
/// specialties, notices and synonyms, the articles, and their search index.
fn write_content(tx: &rusqlite::Transaction<'_>, content: &Content) -> Result<(), LibraryError> {
    write_meta(tx, content)?;
    write_tables(tx, content)?;
    let order = by_language(&content.articles);
    // Articles are stemmed on other threads while their rows are written here.
    std::thread::scope(|scope| {
        let indexing = scope.spawn(|| index_articles(&content.articles));
        write_articles(tx, &content.articles, &order)?;
        let (indexed, vocabulary) = indexing.join().expect("indexing thread panicked");
        write_index(tx, indexed, &order, vocabulary, &content.synonyms)
    })
}

/// Indexes into `articles` in the order their ids are given: one language's articles, then
/// the next, each in `articles`' order. Each language is then one range of ids, which a
/// search hands to FTS5 so that it never scores the other language's articles (see
/// `search::run`).
fn by_language(articles: &[Article]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..articles.len()).collect();
    order.sort_by_key(|&i| articles[i].meta.language.as_str());
    order
}

/// `meta`: the content's hash, when the library was built (Unix seconds) and by which app.
fn write_meta(tx: &rusqlite::Transaction<'_>, content: &Content) -> Result<(), LibraryError> {
    let built_at = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut meta = tx.prepare("INSERT INTO meta (key, value) VALUES (?1, ?2)")?;
    meta.execute(params!["content_hash", content.hash])?;
    meta.execute(params!["built_at", built_at.to_string()])?;
    meta.execute(params!["app_version", env!("CARGO_PKG_VERSION")])?;
    Ok(())
}

/// The topics (in the file's order), specialties, notices and synonyms.
fn write_tables(tx: &rusqlite::Transaction<'_>, content: &Content) -> Result<(), LibraryError> {
    let text = |map: &crate::content::Localized, lang: Lang| {
        map.get(lang.code()).cloned().unwrap_or_default()
    };
    let mut topic = tx.prepare(
        "INSERT INTO topic (slug, position, icon, name_en, name_es, description_en, description_es)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (i, t) in content.topics.iter().enumerate() {
        topic.execute(params![
            t.slug,
            i as i64,
            t.icon,
            text(&t.name, Lang::En),
            text(&t.name, Lang::Es),
            text(&t.description, Lang::En),
            text(&t.description, Lang::Es),
        ])?;
    }
    let mut specialty =
        tx.prepare("INSERT INTO specialty (slug, name_en, name_es) VALUES (?1, ?2, ?3)")?;
    for s in &content.specialties {
        specialty.execute(params![
            s.slug,
            text(&s.name, Lang::En),
            text(&s.name, Lang::Es)
        ])?;
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
    Ok(())
}

/// One `article` row per article (ids from 1, in the order of `order`, indexes into
/// `articles`), with its topics and related articles.
fn write_articles(
    tx: &rusqlite::Transaction<'_>,
    articles: &[Article],
    order: &[usize],
) -> Result<(), LibraryError> {
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
    for (position, &i) in order.iter().enumerate() {
        let a = &articles[i];
        let id = position as i64 + 1;
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
    }
    Ok(())
}

/// The full-text index of the articles (rowids as their ids, given in the order of `order`
/// as in [`write_articles`]) and the words "did you mean" may offer: the articles' own, and
/// the everyday words of `synonyms`.
fn write_index(
    tx: &rusqlite::Transaction<'_>,
    mut indexed: Vec<[String; 4]>,
    order: &[usize],
    vocabulary: Vocabulary,
    synonyms: &crate::content::Synonyms,
) -> Result<(), LibraryError> {
    let mut fts = tx.prepare(
        "INSERT INTO article_fts (rowid, title, summary, headings, body) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (position, &i) in order.iter().enumerate() {
        let [title, summary, headings, body] = std::mem::take(&mut indexed[i]);
        fts.execute(params![position as i64 + 1, title, summary, headings, body])?;
    }
    let mut word = tx.prepare(
        "INSERT INTO word (lang, word, freq, sound) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (lang, word) DO UPDATE SET freq = freq + excluded.freq",
    )?;
    for (lang, words) in vocabulary {
        for (w, freq) in words {
            word.execute(params![lang, w, freq, crate::search::sound::key(lang, &w)])?;
        }
    }
    // The everyday words of synonyms.toml are words the library understands too, so
    // "did you mean" may offer them ("disco salido" for "disco salido" misspelled).
    for (lang, table) in synonyms {
        for phrase in table.keys() {
            for w in crate::search::text::words(phrase) {
                if w.chars().count() >= 3 && w.chars().all(char::is_alphabetic) {
                    let sound = crate::search::sound::key(Lang::or_english(lang), &w);
                    word.execute(params![lang, w, 1, sound])?;
                }
            }
        }
    }
    Ok(())
}

/// Surface words of titles, summaries, headings and bodies with how often each occurs, per
/// language, for "did you mean".
type Vocabulary = [(Lang, HashMap<String, i64>); 2];

/// The stemmed title, summary, headings and body of each article, in order, and the
/// vocabulary. Stemming is most of a build's CPU time, so it runs on every core, as
/// `content::load` does.
fn index_articles(articles: &[Article]) -> (Vec<[String; 4]>, Vocabulary) {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8);
    let chunk = articles.len().div_ceil(threads).max(1);
    let parts: Vec<(Vec<[String; 4]>, Vocabulary)> = std::thread::scope(|scope| {
        let handles: Vec<_> = articles
            .chunks(chunk)
            .map(|part| scope.spawn(move || index_part(part)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("indexing thread panicked"))
            .collect()
    });
    let mut indexed = Vec::with_capacity(articles.len());
    let mut vocabulary: Vocabulary = Lang::ALL.map(|lang| (lang, HashMap::new()));
    for (fields, words) in parts {
        indexed.extend(fields);
        for ((_, all), (_, part)) in vocabulary.iter_mut().zip(words) {
            for (w, n) in part {
                *all.entry(w).or_insert(0) += n;
            }
        }
    }
    (indexed, vocabulary)
}

fn index_part(articles: &[Article]) -> (Vec<[String; 4]>, Vocabulary) {
    let analyzers = Lang::ALL.map(Analyzer::new);
    let mut seen = [HashMap::new(), HashMap::new()];
    let indexed = articles
        .iter()
        .map(|a| {
            let m = &a.meta;
            let i = usize::from(Lang::or_english(&m.language) == Lang::Es);
            [&m.title, &m.summary, &a.body.headings, &a.body.text]
                .map(|text| analyzers[i].index_text_counting(text, &mut seen[i]))
        })
        .collect();
    let vocabulary = [(Lang::En, 0), (Lang::Es, 1)].map(|(lang, i)| {
        let words = std::mem::take(&mut seen[i])
            .into_iter()
            .filter(|(w, _)| w.chars().count() >= 3 && w.chars().all(char::is_alphabetic))
            .map(|(w, s)| (w, s.count))
            .collect();
        (lang, words)
    });
    (indexed, vocabulary)
}
