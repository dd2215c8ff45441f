//! The article library: library.db, read-only while the kiosk runs, and the queries the
//! screens need (topics, a topic's articles, one article, search, type-ahead).

mod build;
pub mod schema;

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use serde::Serialize;

pub use build::{build, BuildStats};

use crate::content;
use crate::lang::Lang;
use crate::search::{self, SearchResults, Suggestion, SynonymTable};

/// Everything that can go wrong with the library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LibraryError {
    /// There is no library file yet.
    #[error("the library `{0}` does not exist; build it with `clinic-kiosk content build`")]
    Missing(PathBuf),
    /// The file was written by a newer app; it is left untouched.
    #[error("the library `{path}` was made by a newer version of the app (schema {found}, this app reads up to {supported}); install the newer app or rebuild the library with this one")]
    Newer {
        /// The library file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest schema this app reads.
        supported: i64,
    },
    /// The file was written by an older app and must be rebuilt.
    #[error("the library `{path}` has the older schema {found}; rebuild it with `clinic-kiosk content build`")]
    Older {
        /// The library file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
    },
    /// A topic or article that does not exist was asked for.
    #[error("there is no {what} `{slug}`")]
    NotFound {
        /// `topic` or `article`.
        what: &'static str,
        /// The slug asked for, cut to 80 characters.
        slug: String,
    },
    /// A language code the library does not have.
    #[error("`{0}` is not a supported language; use `en` or `es`")]
    Language(String),
    /// The content folder has errors, so no library was built from it.
    #[error("the content has {0} error(s); run `clinic-kiosk content check` to see them")]
    InvalidContent(usize),
    /// SQLite failed.
    #[error("library database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A file could not be read or written.
    #[error("cannot use `{path}`: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl LibraryError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        LibraryError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// A topic tile.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TopicSummary {
    /// Its slug, the key in URLs and content.
    pub slug: String,
    /// In the asked language.
    pub name: String,
    /// One line under the name, in the asked language.
    pub description: String,
    /// The icon's name (`content/topics.toml`).
    pub icon: String,
    /// Articles in the topic, in the asked language.
    pub article_count: i64,
}

/// An article in a list.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ArticleCard {
    /// The article's slug.
    pub slug: String,
    /// Its title.
    pub title: String,
    /// Its one-paragraph summary.
    pub summary: String,
    /// Estimated minutes to read it.
    pub reading_minutes: i64,
}

/// A topic and its articles in one language, sorted by title.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TopicArticles {
    /// The topic's tile.
    pub topic: TopicSummary,
    /// Its articles.
    pub articles: Vec<ArticleCard>,
}

/// Something with a slug and a name in the asked language (a specialty, a topic).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Named {
    /// Its slug.
    pub slug: String,
    /// Its name.
    pub name: String,
}

/// A link to another article.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ArticleLink {
    /// Its slug.
    pub slug: String,
    /// Its title.
    pub title: String,
}

/// The same article in another language.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Translation {
    /// That language's code (`en`, `es`).
    pub lang: String,
    /// Its slug.
    pub slug: String,
    /// Its title in that language.
    pub title: String,
}

/// The notices shown on every article, in its language (`content/notices.toml`, or the clinic's config).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Notices {
    /// That the article is general information, not medical advice.
    pub disclaimer: String,
    /// What to do in an emergency.
    pub emergency: String,
}

/// One article as the article screen shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ArticleView {
    /// Its slug.
    pub slug: String,
    /// Its language (`en`, `es`).
    pub lang: String,
    /// Its title.
    pub title: String,
    /// Its summary.
    pub summary: String,
    /// The body as HTML, rendered from Markdown at build time.
    pub html: String,
    /// Written, `YYYY-MM-DD`.
    pub date: String,
    /// Last clinical review, `YYYY-MM-DD`.
    pub reviewed: String,
    /// The reviewer's role, such as "Board-certified spine surgeon".
    pub reviewer: String,
    /// Estimated minutes to read it.
    pub reading_minutes: i64,
    /// Estimated school grade (Flesch-Kincaid in English, Fernández-Huerta in Spanish; see `content::readability`).
    pub grade: f64,
    /// Who answers callbacks about it (the clinic's config may route by topic).
    pub specialty: Named,
    /// Its topics, in topic order.
    pub topics: Vec<Named>,
    /// Related articles, in the author's order.
    pub related: Vec<ArticleCard>,
    /// The one before it in the topic the patient came from.
    pub previous: Option<ArticleLink>,
    /// The one after it.
    pub next: Option<ArticleLink>,
    /// The same article in other languages.
    pub translations: Vec<Translation>,
    /// The clinic's page for it, shown as a QR code to read at home.
    pub canonical_url: String,
    /// `canonical_url` as an SVG QR code.
    pub qr_svg: String,
    /// The notices in its language.
    pub notices: Notices,
}

/// An open library.db.
pub struct Library {
    conn: Connection,
    synonyms: SynonymTable,
    path: PathBuf,
}

impl std::fmt::Debug for Library {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Library").field("path", &self.path).finish()
    }
}

/// The language of code `lang` if the library has it (its columns end in `_{code}`).
fn lang(lang: &str) -> Result<Lang, LibraryError> {
    Lang::from_code(lang).ok_or_else(|| LibraryError::Language(lang.chars().take(16).collect()))
}

impl Library {
    /// Opens an existing library read-only, refusing one whose schema is not this app's.
    pub fn open(path: &Path) -> Result<Self, LibraryError> {
        if !path.is_file() {
            return Err(LibraryError::Missing(path.to_path_buf()));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if found > schema::VERSION {
            return Err(LibraryError::Newer {
                path: path.to_path_buf(),
                found,
                supported: schema::VERSION,
            });
        }
        if found < schema::VERSION {
            return Err(LibraryError::Older {
                path: path.to_path_buf(),
                found,
            });
        }
        let synonyms = SynonymTable::load(&conn)?;
        Ok(Library {
            conn,
            synonyms,
            path: path.to_path_buf(),
        })
    }

    /// The file this library was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The hash of the content this library was built from.
    pub fn content_hash(&self) -> Result<String, LibraryError> {
        Ok(self.conn.query_row(
            "SELECT value FROM meta WHERE key = 'content_hash'",
            [],
            |r| r.get(0),
        )?)
    }

    /// How many articles the library has (every language).
    pub fn article_count(&self) -> Result<i64, LibraryError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM article", [], |r| r.get(0))?)
    }

    /// The clinic's specialties (who takes callbacks), names in `language`.
    pub fn specialties(&self, language: &str) -> Result<Vec<Named>, LibraryError> {
        let l = lang(language)?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT slug, name_{l} FROM specialty ORDER BY rowid"
        ))?;
        let rows = stmt.query_map([], |r| {
            Ok(Named {
                slug: r.get(0)?,
                name: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Topics in display order, with how many articles each has in `language`.
    pub fn topics(&self, language: &str) -> Result<Vec<TopicSummary>, LibraryError> {
        let l = lang(language)?;
        let sql = format!(
            "SELECT t.slug, t.name_{l}, t.description_{l}, t.icon,
                    (SELECT count(*) FROM article_topic at JOIN article a ON a.id = at.article_id
                      WHERE at.topic = t.slug AND a.lang = ?1)
             FROM topic t ORDER BY t.position"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([l], |r| {
            Ok(TopicSummary {
                slug: r.get(0)?,
                name: r.get(1)?,
                description: r.get(2)?,
                icon: r.get(3)?,
                article_count: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A topic and its articles in `language`, sorted by title.
    pub fn topic_articles(
        &self,
        topic: &str,
        language: &str,
    ) -> Result<TopicArticles, LibraryError> {
        let topic = self
            .topics(language)?
            .into_iter()
            .find(|t| t.slug == topic)
            .ok_or_else(|| LibraryError::NotFound {
                what: "topic",
                slug: topic.chars().take(80).collect(),
            })?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.slug, a.title, a.summary, a.reading_minutes
             FROM article a JOIN article_topic at ON at.article_id = a.id
             WHERE at.topic = ?1 AND a.lang = ?2
             ORDER BY a.title COLLATE NOCASE",
        )?;
        let articles = stmt
            .query_map(params![topic.slug, language], card)?
            .collect::<Result<_, _>>()?;
        Ok(TopicArticles { topic, articles })
    }

    /// One article, with previous and next taken from `from_topic` (or its first topic).
    /// `NotFound` for an unknown slug.
    pub fn article(
        &self,
        slug: &str,
        from_topic: Option<&str>,
    ) -> Result<ArticleView, LibraryError> {
        let not_found = || LibraryError::NotFound {
            what: "article",
            slug: slug.chars().take(80).collect(),
        };
        let row = self.article_row(slug)?;
        let (id, mut view, translation_of) = row.ok_or_else(not_found)?;
        let l = lang(&view.lang)?;
        view.specialty.name = self
            .conn
            .query_row(
                &format!("SELECT name_{l} FROM specialty WHERE slug = ?1"),
                [&view.specialty.slug],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or_default();
        view.topics = self.article_topics(id, l)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.slug, a.title, a.summary, a.reading_minutes
             FROM article_related r JOIN article a ON a.slug = r.related_slug
             WHERE r.article_id = ?1 ORDER BY r.position",
        )?;
        view.related = stmt.query_map([id], card)?.collect::<Result<_, _>>()?;
        (view.previous, view.next) = self.neighbours(&view, from_topic, l)?;
        // Translations: the English original and every translation of it, except this one.
        let original = translation_of.unwrap_or_else(|| view.slug.clone());
        view.translations = self.translations(&original, &view.slug)?;
        view.notices = self.notices(l)?;
        view.qr_svg = crate::qr::svg(&view.canonical_url);
        Ok(view)
    }

    /// Article `slug`'s own row: its id, the view without what other tables add, and the
    /// slug of the original it translates.
    fn article_row(
        &self,
        slug: &str,
    ) -> Result<Option<(i64, ArticleView, Option<String>)>, LibraryError> {
        let row = self
            .conn
            .query_row(
                "SELECT id, slug, lang, title, summary, html, date, reviewed, reviewer,
                        reading_minutes, grade, specialty, canonical_url, translation_of
                 FROM article WHERE slug = ?1",
                [slug],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        ArticleView {
                            slug: r.get(1)?,
                            lang: r.get(2)?,
                            title: r.get(3)?,
                            summary: r.get(4)?,
                            html: r.get(5)?,
                            date: r.get(6)?,
                            reviewed: r.get(7)?,
                            reviewer: r.get(8)?,
                            reading_minutes: r.get(9)?,
                            grade: r.get(10)?,
                            specialty: Named {
                                slug: r.get(11)?,
                                name: String::new(),
                            },
                            topics: Vec::new(),
                            related: Vec::new(),
                            previous: None,
                            next: None,
                            translations: Vec::new(),
                            canonical_url: r.get(12)?,
                            qr_svg: String::new(),
                            notices: Notices {
                                disclaimer: String::new(),
                                emergency: String::new(),
                            },
                        },
                        r.get::<_, Option<String>>(13)?,
                    ))
                },
            )
            .optional()?;
        Ok(row)
    }

    /// The notices in `l`, empty when the content has none.
    fn notices(&self, l: Lang) -> Result<Notices, LibraryError> {
        let notices = self
            .conn
            .query_row(
                "SELECT disclaimer, emergency FROM notice WHERE lang = ?1",
                [l],
                |r| {
                    Ok(Notices {
                        disclaimer: r.get(0)?,
                        emergency: r.get(1)?,
                    })
                },
            )
            .optional()?
            .unwrap_or(Notices {
                disclaimer: String::new(),
                emergency: String::new(),
            });
        Ok(notices)
    }

    /// Article `id`'s topics in `l`, in display order.
    fn article_topics(&self, id: i64, l: Lang) -> Result<Vec<Named>, LibraryError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT t.slug, t.name_{l} FROM article_topic at JOIN topic t ON t.slug = at.topic
             WHERE at.article_id = ?1 ORDER BY t.position"
        ))?;
        let topics = stmt
            .query_map([id], |r| {
                Ok(Named {
                    slug: r.get(0)?,
                    name: r.get(1)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(topics)
    }

    /// The articles before and after `view` in `from_topic`'s list (or its first topic's).
    fn neighbours(
        &self,
        view: &ArticleView,
        from_topic: Option<&str>,
        l: Lang,
    ) -> Result<(Option<ArticleLink>, Option<ArticleLink>), LibraryError> {
        let topic = from_topic
            .filter(|t| view.topics.iter().any(|x| x.slug == *t))
            .map(str::to_string)
            .or_else(|| view.topics.first().map(|t| t.slug.clone()));
        if let Some(topic) = topic {
            let list = self.topic_articles(&topic, l.code())?.articles;
            if let Some(i) = list.iter().position(|a| a.slug == view.slug) {
                let link = |a: &ArticleCard| ArticleLink {
                    slug: a.slug.clone(),
                    title: a.title.clone(),
                };
                let previous = i.checked_sub(1).and_then(|p| list.get(p)).map(link);
                return Ok((previous, list.get(i + 1).map(link)));
            }
        }
        Ok((None, None))
    }

    /// Every article that is `original` or a translation of it, but `slug`, by language.
    fn translations(&self, original: &str, slug: &str) -> Result<Vec<Translation>, LibraryError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT lang, slug, title FROM article
             WHERE (slug = ?1 OR translation_of = ?1) AND slug <> ?2 ORDER BY lang",
        )?;
        let translations = stmt
            .query_map(params![original, slug], |r| {
                Ok(Translation {
                    lang: r.get(0)?,
                    slug: r.get(1)?,
                    title: r.get(2)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(translations)
    }

    /// Full search; never fails on odd input, see [`search::search`].
    pub fn search(
        &self,
        query: &str,
        language: &str,
        limit: usize,
    ) -> Result<SearchResults, LibraryError> {
        let l = lang(language)?;
        Ok(search::search(&self.conn, &self.synonyms, query, l, limit)?)
    }

    /// Type-ahead titles for what has been typed so far.
    pub fn suggest(&self, prefix: &str, language: &str) -> Result<Vec<Suggestion>, LibraryError> {
        let l = lang(language)?;
        Ok(search::suggest(&self.conn, prefix, l, 6)?)
    }
}

fn card(r: &rusqlite::Row<'_>) -> rusqlite::Result<ArticleCard> {
    Ok(ArticleCard {
        slug: r.get(0)?,
        title: r.get(1)?,
        summary: r.get(2)?,
        reading_minutes: r.get(3)?,
    })
}

/// What [`open_or_build`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// The library already matched the content.
    UpToDate,
    /// The library was (re)built from the content.
    Rebuilt,
    /// The content has errors; the previous library is still in use.
    KeptOld,
}

/// Opens the library at `db`, first rebuilding it when `content_dir` has changed since it
/// was built. Content with errors never replaces a working library.
pub fn open_or_build(content_dir: &Path, db: &Path) -> Result<(Library, Freshness), LibraryError> {
    // The usual start: nothing changed. Hashing the bytes is enough to know.
    if let Ok(lib) = Library::open(db) {
        if lib.content_hash().ok().as_deref() == Some(content::hash(content_dir).as_str()) {
            return Ok((lib, Freshness::UpToDate));
        }
    }
    let (content, diags) = content::load(content_dir);
    let current = Library::open(db);
    match &current {
        Ok(lib) if lib.content_hash().ok().as_deref() == Some(content.hash.as_str()) => {
            return Ok((current?, Freshness::UpToDate));
        }
        Err(LibraryError::Newer { .. }) => return Err(current.unwrap_err()),
        _ => {}
    }
    if diags.has_errors() {
        for d in diags.sorted() {
            tracing::warn!("{d}");
        }
        return match current {
            Ok(lib) => Ok((lib, Freshness::KeptOld)),
            Err(_) => Err(LibraryError::InvalidContent(diags.error_count())),
        };
    }
    drop(current);
    build(&content, db)?;
    Ok((Library::open(db)?, Freshness::Rebuilt))
}
