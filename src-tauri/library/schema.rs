//! The schema of library.db, the read-only article library derived from a content folder.
//!
//! library.db is never migrated: it is rebuilt from content. When this schema changes,
//! bump [`VERSION`]; a library of an older version is then rebuilt at start, and one of a
//! newer version (made by a newer app) is refused, never modified.

/// Stored in `PRAGMA user_version`. 2: `word.sound`, no diacritic folding in FTS5 (Spanish
/// keeps ñ). 3: article ids grouped by language, and `article_lang`, so a search hands
/// FTS5 its language's range of rowids and never ranks the other language's articles.
pub const VERSION: i64 = 3;

/// The tables of a new library.db, run once when it is built.
pub const SQL: &str = r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE topic (
    slug           TEXT PRIMARY KEY,
    position       INTEGER NOT NULL,
    icon           TEXT NOT NULL,
    name_en        TEXT NOT NULL,
    name_es        TEXT NOT NULL,
    description_en TEXT NOT NULL,
    description_es TEXT NOT NULL
);

CREATE TABLE specialty (
    slug    TEXT PRIMARY KEY,
    name_en TEXT NOT NULL,
    name_es TEXT NOT NULL
);

CREATE TABLE notice (
    lang       TEXT PRIMARY KEY,
    disclaimer TEXT NOT NULL,
    emergency  TEXT NOT NULL
);

CREATE TABLE article (
    id              INTEGER PRIMARY KEY,
    slug            TEXT NOT NULL UNIQUE,
    lang            TEXT NOT NULL,
    title           TEXT NOT NULL,
    summary         TEXT NOT NULL,
    date            TEXT NOT NULL,
    reviewed        TEXT NOT NULL,
    reviewer        TEXT NOT NULL,
    specialty       TEXT NOT NULL REFERENCES specialty(slug),
    canonical_url   TEXT NOT NULL,
    translation_of  TEXT,
    html            TEXT NOT NULL,
    -- Plain body text, one block per line: snippets are cut from it.
    body_text       TEXT NOT NULL,
    reading_minutes INTEGER NOT NULL,
    grade           REAL NOT NULL,
    word_count      INTEGER NOT NULL
);
CREATE INDEX article_lang_title ON article(lang, title);
CREATE INDEX article_translation ON article(translation_of);
-- The first and last id of a language in one step each. The build numbers one language's
-- articles, then the next, so that range holds that language's articles only.
CREATE INDEX article_lang ON article(lang);

CREATE TABLE article_topic (
    article_id INTEGER NOT NULL REFERENCES article(id),
    topic      TEXT NOT NULL REFERENCES topic(slug),
    PRIMARY KEY (topic, article_id)
) WITHOUT ROWID;

CREATE TABLE article_related (
    article_id   INTEGER NOT NULL REFERENCES article(id),
    position     INTEGER NOT NULL,
    related_slug TEXT NOT NULL,
    PRIMARY KEY (article_id, position)
) WITHOUT ROWID;

-- Everyday phrase -> clinical phrases, per language (content/synonyms.toml).
CREATE TABLE synonym (
    lang       TEXT NOT NULL,
    phrase     TEXT NOT NULL,
    expansions TEXT NOT NULL, -- JSON array of phrases
    PRIMARY KEY (lang, phrase)
) WITHOUT ROWID;

-- Surface words of titles, summaries, headings and bodies with their frequency, for
-- "did you mean" (stems in the index are not words to show a patient).
CREATE TABLE word (
    lang  TEXT NOT NULL,
    word  TEXT NOT NULL,
    freq  INTEGER NOT NULL,
    -- search::sound::key: how the word sounds, so "ernia" finds "hernia".
    sound TEXT NOT NULL,
    PRIMARY KEY (lang, word)
) WITHOUT ROWID;
CREATE INDEX word_sound ON word(lang, sound);

-- Stemmed text of each article (rowid = article.id), filled in the same transaction as
-- article. Contentless: snippets come from article.body_text, cut in Rust.
CREATE VIRTUAL TABLE article_fts USING fts5(
    title, summary, headings, body,
    content = '',
    -- The text is stemmed and folded in Rust per language (Spanish keeps ñ), so the
    -- tokenizer must not fold again.
    tokenize = 'unicode61 remove_diacritics 0'
);
"#;
