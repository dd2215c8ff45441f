//! library.db built from tests/fixtures/content-valid into a temporary folder: what the
//! screens read from it, and how it is rebuilt, kept or refused.

use crate::common;

use std::fs;
use std::path::Path;

use clinic_kiosk::content;
use clinic_kiosk::library::{
    self, open_or_build, schema, ArticleLink, Freshness, Library, LibraryError, Named, Notices,
    Translation,
};
use common::{build_library, copy_dir, fixture, TestResult};

const EN_NOTICES: (&str, &str) = (
    "This is general information, not advice for you. Ask your care team about your own health.",
    "If you have chest pain or cannot breathe, call 911 now.",
);
const ES_NOTICES: (&str, &str) = (
    "Esto es información general, no un consejo para usted. Pregunte a su equipo de atención sobre su salud.",
    "Si tiene dolor de pecho o no puede respirar, llame al 911 ahora.",
);

fn link(slug: &str, title: &str) -> Option<ArticleLink> {
    Some(ArticleLink {
        slug: slug.into(),
        title: title.into(),
    })
}

/// A copy of the valid fixture that a test may change, and a separate data folder.
struct Workspace {
    _root: tempfile::TempDir,
    content: std::path::PathBuf,
    db: std::path::PathBuf,
}

fn workspace() -> Result<Workspace, Box<dyn std::error::Error>> {
    let root = tempfile::tempdir()?;
    let content = root.path().join("content");
    copy_dir(&fixture("content-valid"), &content)?;
    let db = root.path().join("data").join("library.db");
    Ok(Workspace {
        _root: root,
        content,
        db,
    })
}

fn replace_in(path: &Path, from: &str, to: &str) -> TestResult {
    let text = fs::read_to_string(path)?;
    assert!(
        text.contains(from),
        "{} must contain {from:?} for this test to change it",
        path.display()
    );
    fs::write(path, text.replacen(from, to, 1))?;
    Ok(())
}

/// Files in the data folder other than the library itself: leftovers of a build.
fn leftovers(db: &Path) -> Result<Vec<String>, std::io::Error> {
    let dir = db.parent().unwrap_or(Path::new("."));
    let mut names = Vec::new();
    for entry in fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name != "library.db" {
            names.push(name);
        }
    }
    Ok(names)
}

fn set_user_version(db: &Path, version: i64) -> TestResult {
    let conn = rusqlite::Connection::open(db)?;
    conn.pragma_update(None, "user_version", version)?;
    Ok(())
}

#[test]
fn topics_come_in_display_order_with_article_counts_per_language() -> TestResult {
    let built = build_library(&fixture("content-valid"))?;
    let counts = |lang| -> Result<Vec<(String, String, i64)>, LibraryError> {
        Ok(built
            .library
            .topics(lang)?
            .into_iter()
            .map(|t| (t.slug, t.name, t.article_count))
            .collect())
    };
    assert_eq!(
        counts("en")?,
        [
            ("knee-care".into(), "Knee care".into(), 3),
            ("sleep-health".into(), "Sleep health".into(), 1),
            ("your-visit".into(), "Your visit".into(), 1),
        ],
        "English counts only English articles; an article in two topics counts in both"
    );
    assert_eq!(
        counts("es")?,
        [
            ("knee-care".into(), "Cuidado de la rodilla".into(), 1),
            ("sleep-health".into(), "Salud del sueño".into(), 1),
            ("your-visit".into(), "Su visita".into(), 0),
        ],
        "Spanish names come from topics.toml and a topic with no Spanish article still shows"
    );
    let first = &built.library.topics("en")?[0];
    assert_eq!(
        (first.icon.as_str(), first.description.as_str()),
        ("knee", "Sore, stiff or worn knees and how to treat them"),
        "a tile has its icon and description"
    );
    Ok(())
}

#[test]
fn a_topics_articles_are_sorted_by_title_in_the_asked_language() -> TestResult {
    let built = build_library(&fixture("content-valid"))?;
    let knees = built.library.topic_articles("knee-care", "en")?;
    assert_eq!(
        knees.topic.slug, "knee-care",
        "the list says which topic it is"
    );
    let titles: Vec<&str> = knees.articles.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Knee arthritis",
            "Physical therapy for sore knees",
            "Recovery after knee replacement"
        ],
        "articles are listed alphabetically by title"
    );
    assert_eq!(
        knees.articles[0].summary,
        "Why a worn knee hurts, what helps, and when to ask about surgery.",
        "cards carry the summary"
    );
    assert_eq!(
        knees.articles[0].reading_minutes, 1,
        "short articles take a minute"
    );

    let rodilla = built.library.topic_articles("knee-care", "es")?;
    let slugs: Vec<&str> = rodilla.articles.iter().map(|a| a.slug.as_str()).collect();
    assert_eq!(
        slugs,
        ["artrosis-de-rodilla"],
        "Spanish lists only Spanish articles"
    );
    assert_eq!(
        rodilla.topic.name, "Cuidado de la rodilla",
        "the topic is named in the asked language"
    );

    let visit = built.library.topic_articles("your-visit", "es")?;
    assert!(
        visit.articles.is_empty(),
        "a topic with no Spanish article is an empty list, not an error"
    );
    Ok(())
}

#[test]
fn an_article_view_has_everything_the_article_screen_shows() -> TestResult {
    let built = build_library(&fixture("content-valid"))?;
    let view = built.library.article("physical-therapy-for-knees", None)?;
    assert_eq!(view.lang, "en", "the view says its language");
    assert_eq!(
        view.title, "Physical therapy for sore knees",
        "the title is from the front matter"
    );
    assert_eq!(
        (view.date.as_str(), view.reviewed.as_str()),
        ("2026-01-20", "2026-01-20"),
        "published and reviewed dates are shown"
    );
    assert_eq!(
        view.reviewer, "Licensed physical therapist",
        "the reviewer's role is shown"
    );
    assert_eq!(
        view.specialty,
        Named {
            slug: "orthopedics".into(),
            name: "Joint specialist".into()
        },
        "the specialty is named in the article's language"
    );
    let topics: Vec<&str> = view.topics.iter().map(|t| t.slug.as_str()).collect();
    assert_eq!(
        topics,
        ["knee-care", "your-visit"],
        "topics in display order"
    );
    let related: Vec<&str> = view.related.iter().map(|a| a.slug.as_str()).collect();
    assert_eq!(
        related,
        ["knee-arthritis"],
        "related articles in front-matter order"
    );
    assert_eq!(
        view.canonical_url, "https://clinic.example/articles/physical-therapy-for-knees",
        "the QR code and the address come from canonical_url"
    );
    assert!(
        view.qr_svg.starts_with("<?xml") && view.qr_svg.contains("<svg"),
        "the QR code is an SVG: {}",
        &view.qr_svg[..view.qr_svg.len().min(80)]
    );
    let other = built.library.article("knee-arthritis", None)?;
    assert_ne!(
        view.qr_svg, other.qr_svg,
        "each article's QR code encodes its own address"
    );
    Ok(())
}

#[test]
fn article_html_is_rendered_and_pinned() -> TestResult {
    let built = build_library(&fixture("content-valid"))?;
    let view = built.library.article("apnea-del-sueno", None)?;
    assert_eq!(
        view.html,
        "<h2 id=\"qué-es-la-apnea-del-sueño\">¿Qué es la apnea del sueño?</h2>\n\
         <p>Mientras duerme, la garganta se cierra un momento. Deja de respirar y luego vuelve a respirar con un ronquido.</p>\n\
         <h2 id=\"cómo-se-trata\">¿Cómo se trata?</h2>\n\
         <p>Muchas personas duermen con una máscara pequeña que sopla aire.</p>\n",
        "headings get ids, paragraphs stay paragraphs, nothing else is added"
    );
    Ok(())
}

#[test]
fn article_html_is_sanitized_and_escaped() -> TestResult {
    let built = build_library(&fixture("content-valid"))?;
    let therapy = built.library.article("physical-therapy-for-knees", None)?;
    assert!(
        therapy.html.contains(
            "<h2 id=\"are-stairs-hills-bad-for-me\">Are stairs &amp; hills bad for me?</h2>"
        ),
        "an ampersand in a heading is escaped and left out of the id: {}",
        therapy.html
    );
    let arthritis = built.library.article("knee-arthritis", None)?;
    assert!(
        arthritis
            .html
            .contains("<ul>\n<li><strong>Keep moving.</strong> Walking, biking and swimming are kind to the knee.</li>"),
        "lists and bold survive sanitizing: {}",
        arthritis.html
    );
    for view in [&therapy, &arthritis] {
        for forbidden in [
            "<h1", "<script", "<a ", "<img", "<table", "style=", "class=", "onclick",
        ] {
            assert!(
                !view.html.contains(forbidden),
                "{} must not contain {forbidden}: {}",
                view.slug,
                view.html
            );
        }
    }
    Ok(())
}

#[test]
fn previous_and_next_follow_the_topic_the_patient_came_from() -> TestResult {
    let built = build_library(&fixture("content-valid"))?;
    let lib = &built.library;

    let middle = lib.article("physical-therapy-for-knees", None)?;
    assert_eq!(
        (middle.previous, middle.next),
        (
            link("knee-arthritis", "Knee arthritis"),
            link(
                "knee-replacement-recovery",
                "Recovery after knee replacement"
            )
        ),
        "with no topic given, the article's first topic (knee-care) is used"
    );

    let from_visit = lib.article("physical-therapy-for-knees", Some("your-visit"))?;
    assert_eq!(
        (from_visit.previous, from_visit.next),
        (None, None),
        "it is the only article in your-visit, so there is nothing before or after it"
    );

    let from_elsewhere = lib.article("physical-therapy-for-knees", Some("sleep-health"))?;
    assert_eq!(
        from_elsewhere.previous,
        link("knee-arthritis", "Knee arthritis"),
        "a topic the article is not in falls back to its first topic"
    );

    let first = lib.article("knee-arthritis", Some("knee-care"))?;
    assert_eq!(first.previous, None, "the first article has no previous");
    assert_eq!(
        first.next,
        link(
            "physical-therapy-for-knees",
            "Physical therapy for sore knees"
        ),
        "next is the following title"
    );
    let last = lib.article("knee-replacement-recovery", Some("knee-care"))?;
    assert_eq!(
        last.previous,
        link(
            "physical-therapy-for-knees",
            "Physical therapy for sore knees"
        ),
        "previous is the title before"
    );
    assert_eq!(last.next, None, "the last article has no next");

    let spanish = lib.article("artrosis-de-rodilla", Some("knee-care"))?;
    assert_eq!(
        (spanish.previous, spanish.next),
        (None, None),
        "previous and next stay in the article's own language"
    );
    Ok(())
}

#[test]
fn translations_are_linked_both_ways() -> TestResult {
    let built = build_library(&fixture("content-valid"))?;
    let lib = &built.library;
    assert_eq!(
        lib.article("knee-arthritis", None)?.translations,
        [Translation {
            lang: "es".into(),
            slug: "artrosis-de-rodilla".into(),
            title: "Artrosis de rodilla".into()
        }],
        "the English original lists its Spanish translation"
    );
    assert_eq!(
        lib.article("artrosis-de-rodilla", None)?.translations,
        [Translation {
            lang: "en".into(),
            slug: "knee-arthritis".into(),
            title: "Knee arthritis".into()
        }],
        "the translation lists its English original"
    );
    assert_eq!(
        lib.article("knee-replacement-recovery", None)?.translations,
        [],
        "an article with no translation lists none"
    );
    Ok(())
}

#[test]
fn notices_are_in_the_articles_language() -> TestResult {
    let built = build_library(&fixture("content-valid"))?;
    let notices =
        |slug| -> Result<Notices, LibraryError> { Ok(built.library.article(slug, None)?.notices) };
    assert_eq!(
        notices("sleep-apnea")?,
        Notices {
            disclaimer: EN_NOTICES.0.into(),
            emergency: EN_NOTICES.1.into()
        },
        "an English article gets the English notices"
    );
    assert_eq!(
        notices("apnea-del-sueno")?,
        Notices {
            disclaimer: ES_NOTICES.0.into(),
            emergency: ES_NOTICES.1.into()
        },
        "a Spanish article gets the Spanish notices"
    );
    let specialty = built.library.article("apnea-del-sueno", None)?.specialty;
    assert_eq!(
        specialty.name, "Especialista del sueño",
        "the specialty name is in Spanish too"
    );
    Ok(())
}

#[test]
fn an_unknown_article_or_topic_is_not_found() -> TestResult {
    let built = build_library(&fixture("content-valid"))?;
    let err = built
        .library
        .article("no-such-article", None)
        .expect_err("an unknown slug must not give an article");
    assert!(
        matches!(&err, LibraryError::NotFound { what: "article", slug } if slug == "no-such-article"),
        "expected NotFound for the article, got {err:?}"
    );
    assert_eq!(
        err.to_string(),
        "there is no article `no-such-article`",
        "the message names the slug"
    );

    let err = built
        .library
        .topic_articles("no-such-topic", "en")
        .expect_err("an unknown topic must not give a list");
    assert!(
        matches!(&err, LibraryError::NotFound { what: "topic", slug } if slug == "no-such-topic"),
        "expected NotFound for the topic, got {err:?}"
    );
    assert_eq!(
        err.to_string(),
        "there is no topic `no-such-topic`",
        "the message names the topic"
    );

    let long = "x".repeat(500);
    let err = built
        .library
        .article(&long, None)
        .expect_err("a long unknown slug is still just unknown");
    assert!(
        matches!(&err, LibraryError::NotFound { slug, .. } if slug.len() == 80),
        "a pasted essay is cut to 80 characters in the error, got {err:?}"
    );
    Ok(())
}

#[test]
fn an_unsupported_language_is_a_language_error_everywhere() -> TestResult {
    let built = build_library(&fixture("content-valid"))?;
    let lib = &built.library;
    let errors = [
        lib.topics("fr").err(),
        lib.topic_articles("knee-care", "fr").err(),
        lib.search("knee", "fr", 5).err(),
        lib.suggest("kn", "fr").err(),
    ];
    for err in errors {
        let err = err.ok_or("a call with language `fr` succeeded")?;
        assert!(
            matches!(&err, LibraryError::Language(code) if code == "fr"),
            "expected a Language error, got {err:?}"
        );
        assert_eq!(
            err.to_string(),
            "`fr` is not a supported language; use `en` or `es`",
            "the message says which languages there are"
        );
    }
    let err = lib
        .topics(&"e".repeat(100))
        .expect_err("a very long language code is refused");
    assert!(
        matches!(&err, LibraryError::Language(code) if code.len() == 16),
        "the code is cut to 16 characters in the error, got {err:?}"
    );
    Ok(())
}

#[test]
fn open_or_build_builds_a_missing_library_and_then_finds_it_up_to_date() -> TestResult {
    let ws = workspace()?;
    let (lib, freshness) = open_or_build(&ws.content, &ws.db)?;
    assert_eq!(
        freshness,
        Freshness::Rebuilt,
        "there was no library, so one is built"
    );
    assert_eq!(
        lib.article_count()?,
        6,
        "all six fixture articles are in it"
    );
    let (content, _) = content::load(&ws.content);
    assert_eq!(
        lib.content_hash()?,
        content.hash,
        "the library records which content it came from"
    );
    drop(lib);

    let (lib, freshness) = open_or_build(&ws.content, &ws.db)?;
    assert_eq!(
        freshness,
        Freshness::UpToDate,
        "unchanged content is not rebuilt"
    );
    assert_eq!(lib.article_count()?, 6, "the library opened as it was");
    assert_eq!(
        leftovers(&ws.db)?,
        Vec::<String>::new(),
        "a build leaves no temporary file behind"
    );
    Ok(())
}

#[test]
fn open_or_build_rebuilds_when_the_content_changes() -> TestResult {
    let ws = workspace()?;
    let (lib, _) = open_or_build(&ws.content, &ws.db)?;
    drop(lib);
    replace_in(
        &ws.content.join("articles/sleep-apnea.md"),
        "title = \"Sleep apnea\"",
        "title = \"Sleep apnea and snoring\"",
    )?;
    let (lib, freshness) = open_or_build(&ws.content, &ws.db)?;
    assert_eq!(
        freshness,
        Freshness::Rebuilt,
        "a changed article makes a new library"
    );
    assert_eq!(
        lib.article("sleep-apnea", None)?.title,
        "Sleep apnea and snoring",
        "the new title is served"
    );
    drop(lib);

    // Nothing points at this translation, so the content stays valid without it.
    fs::remove_file(ws.content.join("articles/apnea-del-sueno.md"))?;
    let (lib, freshness) = open_or_build(&ws.content, &ws.db)?;
    assert_eq!(
        freshness,
        Freshness::Rebuilt,
        "a removed article makes a new library"
    );
    assert_eq!(
        lib.article_count()?,
        5,
        "the new library has one article fewer"
    );
    assert!(
        matches!(
            lib.article("apnea-del-sueno", None),
            Err(LibraryError::NotFound { .. })
        ),
        "the removed article is gone from the new library"
    );
    Ok(())
}

#[test]
fn a_reader_keeps_the_old_library_while_a_new_one_replaces_it() -> TestResult {
    let ws = workspace()?;
    let (old, _) = open_or_build(&ws.content, &ws.db)?;
    replace_in(
        &ws.content.join("articles/sleep-apnea.md"),
        "title = \"Sleep apnea\"",
        "title = \"Sleep apnea, new edition\"",
    )?;
    let (content, diags) = content::load(&ws.content);
    assert!(!diags.has_errors(), "the changed content is still valid");
    library::build(&content, &ws.db)?;
    assert_eq!(
        old.article("sleep-apnea", None)?.title,
        "Sleep apnea",
        "the new file is renamed into place, so an open library never sees half of it"
    );
    assert_eq!(
        Library::open(&ws.db)?.article("sleep-apnea", None)?.title,
        "Sleep apnea, new edition",
        "a library opened after the build reads the new content"
    );
    Ok(())
}

#[test]
fn content_with_errors_never_replaces_a_working_library() -> TestResult {
    let ws = workspace()?;
    let (lib, _) = open_or_build(&ws.content, &ws.db)?;
    drop(lib);
    let before = fs::read(&ws.db)?;

    replace_in(
        &ws.content.join("articles/sleep-apnea.md"),
        "title = \"Sleep apnea\"",
        "titel = \"Sleep apnea, broken\"",
    )?;
    let (_, diags) = content::load(&ws.content);
    assert_eq!(
        diags.error_count(),
        2,
        "the typo is an unknown field and a missing title"
    );

    let (lib, freshness) = open_or_build(&ws.content, &ws.db)?;
    assert_eq!(
        freshness,
        Freshness::KeptOld,
        "broken content keeps the library in use"
    );
    assert_eq!(
        lib.article("sleep-apnea", None)?.title,
        "Sleep apnea",
        "patients still read the last good library"
    );
    drop(lib);
    assert!(
        fs::read(&ws.db)? == before,
        "the working library file is not touched"
    );
    assert_eq!(
        leftovers(&ws.db)?,
        Vec::<String>::new(),
        "no half-built file is left behind"
    );
    Ok(())
}

#[test]
fn content_with_errors_and_no_library_is_refused_with_the_error_count() -> TestResult {
    let ws = workspace()?;
    replace_in(
        &ws.content.join("articles/sleep-apnea.md"),
        "specialty = \"sleep\"",
        "specialty = \"dreams\"",
    )?;
    let err =
        open_or_build(&ws.content, &ws.db).expect_err("nothing can be built from broken content");
    assert!(
        matches!(err, LibraryError::InvalidContent(1)),
        "expected InvalidContent(1), got {err:?}"
    );
    assert_eq!(
        err.to_string(),
        "the content has 1 error(s); run `clinic-kiosk content check` to see them",
        "the message counts the errors and says how to see them"
    );
    assert!(
        !ws.db.exists(),
        "no library file is created from broken content"
    );
    Ok(())
}

#[test]
fn a_library_from_a_newer_app_is_refused_and_left_byte_for_byte_unchanged() -> TestResult {
    let ws = workspace()?;
    let (lib, _) = open_or_build(&ws.content, &ws.db)?;
    drop(lib);
    set_user_version(&ws.db, schema::VERSION + 1)?;
    let before = fs::read(&ws.db)?;

    let err = Library::open(&ws.db).expect_err("a newer schema must not be read");
    assert!(
        matches!(&err, LibraryError::Newer { found, supported, .. }
            if *found == schema::VERSION + 1 && *supported == schema::VERSION),
        "expected Newer, got {err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "the library `{}` was made by a newer version of the app (schema {}, this app reads up to {}); install the newer app or rebuild the library with this one",
            ws.db.display(),
            schema::VERSION + 1,
            schema::VERSION
        ),
        "the message names the file and both versions"
    );

    // Even with content that changed, the newer library is not rebuilt over.
    replace_in(
        &ws.content.join("articles/sleep-apnea.md"),
        "title = \"Sleep apnea\"",
        "title = \"Sleep apnea, changed\"",
    )?;
    let err = open_or_build(&ws.content, &ws.db).expect_err("open_or_build must refuse it too");
    assert!(
        matches!(err, LibraryError::Newer { .. }),
        "expected Newer, got {err:?}"
    );
    assert!(
        fs::read(&ws.db)? == before,
        "the newer library is left byte for byte unchanged"
    );
    assert_eq!(
        leftovers(&ws.db)?,
        Vec::<String>::new(),
        "nothing is written beside it"
    );
    Ok(())
}

#[test]
fn a_library_from_an_older_app_is_reported_older_and_rebuilt() -> TestResult {
    let ws = workspace()?;
    let (lib, _) = open_or_build(&ws.content, &ws.db)?;
    drop(lib);
    set_user_version(&ws.db, schema::VERSION - 1)?;

    let err = Library::open(&ws.db).expect_err("an older schema must not be read");
    assert!(
        matches!(&err, LibraryError::Older { found, .. } if *found == schema::VERSION - 1),
        "expected Older, got {err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "the library `{}` has the older schema {}; rebuild it with `clinic-kiosk content build`",
            ws.db.display(),
            schema::VERSION - 1
        ),
        "the message names the file and says to rebuild"
    );
    let (lib, freshness) = open_or_build(&ws.content, &ws.db)?;
    assert_eq!(
        freshness,
        Freshness::Rebuilt,
        "an older library is simply rebuilt"
    );
    assert_eq!(
        lib.article_count()?,
        6,
        "the rebuilt library has every article"
    );
    Ok(())
}

#[test]
fn a_missing_library_file_says_how_to_build_one() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("library.db");
    let err = Library::open(&db).expect_err("there is no file to open");
    assert!(
        matches!(&err, LibraryError::Missing(p) if *p == db),
        "expected Missing, got {err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "the library `{}` does not exist; build it with `clinic-kiosk content build`",
            db.display()
        ),
        "the message names the file and the command that makes it"
    );
    assert!(!db.exists(), "opening does not create the file");
    Ok(())
}
