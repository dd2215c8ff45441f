//! Search on the shipped content/ built into a temporary folder (and on the valid fixture
//! where a small, known library makes the point clearer): the words patients type find the
//! right article, and nothing they type breaks search.

use crate::common;

use std::fs;

use clinic_kiosk::library::Library;
use clinic_kiosk::search::{SearchHit, SearchMessage, SearchResults};
use common::{build_library, fixture, kiosk, real_content, TestResult};

fn slugs(results: &SearchResults) -> Vec<&str> {
    results.results.iter().map(|h| h.slug.as_str()).collect()
}

/// The language of every hit, read from the article itself.
fn languages(
    lib: &Library,
    results: &SearchResults,
) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let mut out = Vec::new();
    for hit in &results.results {
        out.push(lib.article(&hit.slug, None)?.lang);
    }
    Ok(out)
}

/// A snippet is HTML-escaped text in which `<mark>` and `</mark>` are the only markup.
fn assert_safe_snippet(hit: &SearchHit, query: &str) {
    let bare = hit.snippet.replace("<mark>", "").replace("</mark>", "");
    assert!(
        !bare.contains(['<', '>', '"', '\'']),
        "the snippet of {} for {query:?} must be escaped apart from <mark>: {}",
        hit.slug,
        hit.snippet
    );
    for (i, _) in bare.match_indices('&') {
        let entity = &bare[i..];
        assert!(
            ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
                .iter()
                .any(|e| entity.starts_with(e)),
            "every & in the snippet of {} starts an entity: {}",
            hit.slug,
            hit.snippet
        );
    }
    assert_eq!(
        hit.snippet.matches("<mark>").count(),
        hit.snippet.matches("</mark>").count(),
        "every <mark> is closed in the snippet of {}: {}",
        hit.slug,
        hit.snippet
    );
}

/// Checks that one of `wanted` is among the first three results for `query`.
fn assert_in_top_three(lib: &Library, query: &str, lang: &str, wanted: &[&str]) -> TestResult {
    let results = lib.search(query, lang, 10)?;
    let top: Vec<&str> = slugs(&results).into_iter().take(3).collect();
    assert!(
        top.iter().any(|s| wanted.contains(s)),
        "{query:?} ({lang}) should find one of {wanted:?} in the top three, got {top:?}"
    );
    Ok(())
}

#[test]
fn everyday_english_words_find_the_right_article_in_the_top_three() -> TestResult {
    let built = build_library(&real_content())?;
    let table: &[(&str, &[&str])] = &[
        ("slipped disc", &["herniated-disc"]),
        ("pinched nerve", &["sciatica-and-pinched-nerves"]),
        (
            "numb fingers",
            &["sciatica-and-pinched-nerves", "nerve-conduction-study"],
        ),
        (
            "thinning hair",
            &["why-hair-thins", "prp-for-hair-restoration"],
        ),
        (
            "leg veins",
            &[
                "varicose-veins",
                "preparing-for-spider-vein-removal",
                "sclerotherapy",
            ],
        ),
        ("cat scan", &["preparing-for-mri-or-ct"]),
        (
            "hit my head",
            &["head-injury-warning-signs", "headaches-after-head-injury"],
        ),
        // The emergency warning signs must be near the top for the classic danger phrase.
        ("worst headache", &["head-injury-warning-signs"]),
        ("nerve test", &["nerve-conduction-study"]),
        ("back surgery", &["laminectomy-discectomy-foraminotomy"]),
        ("vein shots", &["sclerotherapy"]),
    ];
    for (query, wanted) in table {
        assert_in_top_three(&built.library, query, "en", wanted)?;
    }
    Ok(())
}

#[test]
fn the_clearest_everyday_phrases_put_their_article_first() -> TestResult {
    let built = build_library(&real_content())?;
    for (query, lang, first) in [
        ("slipped disc", "en", "herniated-disc"),
        ("pinched nerve", "en", "sciatica-and-pinched-nerves"),
        ("cat scan", "en", "preparing-for-mri-or-ct"),
        ("disco salido", "es", "hernia-de-disco"),
        ("varices", "es", "varices"),
    ] {
        let results = built.library.search(query, lang, 5)?;
        assert_eq!(
            slugs(&results).first().copied(),
            Some(first),
            "{query:?} ({lang}) must put {first} first"
        );
    }
    Ok(())
}

#[test]
fn everyday_spanish_words_find_the_right_article_in_the_top_three() -> TestResult {
    let built = build_library(&real_content())?;
    let table: &[(&str, &[&str])] = &[
        ("disco salido", &["hernia-de-disco"]),
        ("varices", &["escleroterapia"]),
        ("venas de las piernas", &["escleroterapia"]),
        (
            "me pegué en la cabeza",
            &["senales-de-alarma-tras-un-golpe-en-la-cabeza"],
        ),
        ("tac", &["preparacion-para-resonancia-o-tomografia"]),
        ("pelo ralo", &["prp-para-el-cabello"]),
    ];
    for (query, wanted) in table {
        assert_in_top_three(&built.library, query, "es", wanted)?;
    }
    Ok(())
}

#[test]
fn a_query_typed_without_accents_finds_accented_text() -> TestResult {
    let built = build_library(&real_content())?;
    let lib = &built.library;
    for (plain, accented) in [
        ("cirugia", "cirugía"),
        ("tomografia", "tomografía"),
        ("varices", "várices"),
        ("conmocion", "conmoción"),
    ] {
        let without = lib.search(plain, "es", 10)?;
        let with = lib.search(accented, "es", 10)?;
        assert!(
            !without.results.is_empty(),
            "{plain:?} must find articles that write {accented:?}"
        );
        assert_eq!(
            slugs(&without),
            slugs(&with),
            "{plain:?} and {accented:?} must find the same articles"
        );
    }
    let cirugia = lib.search("cirugia", "es", 10)?;
    assert!(
        cirugia
            .results
            .iter()
            .any(|h| h.snippet.contains("<mark>cirugía</mark>")),
        "the accented word is what gets marked: {:?}",
        cirugia
            .results
            .iter()
            .map(|h| &h.snippet)
            .collect::<Vec<_>>()
    );
    Ok(())
}

#[test]
fn each_language_searches_only_its_own_articles() -> TestResult {
    let built = build_library(&real_content())?;
    let lib = &built.library;
    for query in [
        "disco",
        "hernia de disco",
        "cirugía",
        "venas",
        "cabeza",
        "disc",
        "surgery",
        "veins",
    ] {
        let results = lib.search(query, "es", 50)?;
        for lang in languages(lib, &results)? {
            assert_eq!(
                lang,
                "es",
                "a Spanish search for {query:?} returned {:?}",
                slugs(&results)
            );
        }
    }
    for query in [
        "slipped disc",
        "surgery",
        "veins",
        "hernia",
        "disco",
        "cabeza",
    ] {
        let results = lib.search(query, "en", 50)?;
        for lang in languages(lib, &results)? {
            assert_eq!(
                lang,
                "en",
                "an English search for {query:?} returned {:?}",
                slugs(&results)
            );
        }
    }
    let english_word = lib.search("varicose", "es", 10)?;
    for lang in languages(lib, &english_word)? {
        assert_eq!(
            lang,
            "es",
            "an English word on the Spanish screen never brings English articles: {:?}",
            slugs(&english_word)
        );
    }
    assert!(
        english_word.results.is_empty() || english_word.showing_results_for.is_some(),
        "Spanish results only for a Spanish correction, and the screen says which: {english_word:?}"
    );
    let nonsense = lib.search("zzqqxx", "es", 10)?;
    assert_eq!(
        nonsense.message,
        Some(SearchMessage::NoResults),
        "the patient is told nothing matched"
    );
    Ok(())
}

#[test]
fn a_title_match_ranks_above_body_mentions() -> TestResult {
    let fixture_lib = build_library(&fixture("content-valid"))?;
    assert_eq!(
        slugs(&fixture_lib.library.search("apnea", "en", 10)?),
        ["sleep-apnea", "knee-replacement-recovery"],
        "the article titled Sleep apnea comes before the one that mentions it once"
    );

    let built = build_library(&real_content())?;
    for word in ["sclerotherapy", "stenosis", "concussion", "sciatica"] {
        let results = built.library.search(word, "en", 20)?;
        let in_title: Vec<bool> = results
            .results
            .iter()
            .map(|h| h.title.to_lowercase().contains(word))
            .collect();
        assert_eq!(
            in_title.first(),
            Some(&true),
            "{word:?}: the first hit has it in its title"
        );
        let first_body_only = in_title.iter().position(|t| !t).unwrap_or(in_title.len());
        assert!(
            in_title[first_body_only..].iter().all(|t| !t),
            "{word:?}: every title match comes before every body-only match: {:?}",
            results.results.iter().map(|h| &h.title).collect::<Vec<_>>()
        );
    }
    Ok(())
}

#[test]
fn snippets_mark_the_matched_words_and_escape_everything_else() -> TestResult {
    let fixture_lib = build_library(&fixture("content-valid"))?;
    let prehab = fixture_lib.library.search("prehab", "en", 5)?;
    assert_eq!(
        prehab.results.first().map(|h| h.snippet.as_str()),
        Some(
            "…therapist may call it &quot;<mark>prehab</mark>&quot; if it comes before surgery. \
             No. They are good practice. Go slowly, hold the rail, and lead with your stronger leg…"
        ),
        "quotes are escaped, the word is marked, and cut ends get an ellipsis"
    );

    let built = build_library(&real_content())?;
    for (query, lang) in [
        ("slipped disc", "en"),
        ("hair loss", "en"),
        ("driver's license", "en"),
        ("compression stockings", "en"),
        ("cirugía", "es"),
        ("várices", "es"),
    ] {
        let results = built.library.search(query, lang, 10)?;
        assert!(!results.results.is_empty(), "{query:?} must find something");
        assert!(
            results.results.iter().any(|h| h.snippet.contains("<mark>")),
            "{query:?}: some snippet marks what matched"
        );
        for hit in &results.results {
            assert_safe_snippet(hit, query);
        }
    }
    let license = built.library.search("driver's license", "en", 3)?;
    assert!(
        license.results.iter().any(|h| h
            .snippet
            .contains("<mark>driver</mark>&#39;<mark>s</mark> <mark>license</mark>")),
        "an apostrophe between marked words is escaped: {:?}",
        license
            .results
            .iter()
            .map(|h| &h.snippet)
            .collect::<Vec<_>>()
    );
    Ok(())
}

#[test]
fn type_ahead_suggests_titles_from_two_characters() -> TestResult {
    let built = build_library(&real_content())?;
    let lib = &built.library;
    assert_eq!(
        lib.suggest("h", "en")?,
        [],
        "one character is too little to suggest anything"
    );
    assert_eq!(lib.suggest("   ", "en")?, [], "spaces suggest nothing");
    assert!(
        !lib.suggest("he", "en")?.is_empty(),
        "two characters are enough"
    );
    let herni = lib.suggest("herni", "en")?;
    assert_eq!(
        herni.first().map(|s| s.title.as_str()),
        Some("Herniated disc"),
        "a half-typed word suggests the article titled with it: {herni:?}"
    );
    assert_eq!(
        herni[0].slug, "herniated-disc",
        "a suggestion opens its article"
    );
    assert!(
        herni.len() <= 6,
        "at most six suggestions fit under the search box"
    );
    let hern = lib.suggest("hern", "es")?;
    assert_eq!(
        hern.first().map(|s| s.title.as_str()),
        Some("Hernia de disco"),
        "type-ahead works in Spanish: {hern:?}"
    );
    let search = lib.search("herni", "en", 3)?;
    assert_eq!(
        slugs(&search).first().copied(),
        Some("herniated-disc"),
        "pressing search on a half-typed word still finds it"
    );
    Ok(())
}

#[test]
fn a_clear_misspelling_shows_the_results_of_its_correction_and_says_so() -> TestResult {
    let built = build_library(&real_content())?;
    let results = built.library.search("sclerotherpy", "en", 10)?;
    assert_eq!(
        slugs(&results).first().copied(),
        Some("sclerotherapy"),
        "one correction is clearly best, so its results are shown: {results:?}"
    );
    let json = serde_json::to_value(&results)?;
    assert_eq!(
        json["showingResultsFor"], "sclerotherapy",
        "and the UI can say \"Showing results for sclerotherapy\": {json}"
    );
    assert!(json["message"].is_null(), "{json}");
    assert!(json["didYouMean"].is_null(), "{json}");
    // Spelled by ear: a silent h, s for c; the library's own word comes back.
    let by_ear = built.library.search("siatica", "en", 3)?;
    assert_eq!(
        by_ear.showing_results_for.as_deref(),
        Some("sciatica"),
        "{by_ear:?}"
    );
    Ok(())
}

#[test]
fn queries_with_nothing_to_search_say_so() -> TestResult {
    let built = build_library(&real_content())?;
    let long_word = "a".repeat(2000);
    for query in ["", "   ", "the of and to", "!!!", "😀🦴💉", &long_word] {
        let results = built.library.search(query, "en", 10)?;
        assert!(
            results.results.is_empty(),
            "{query:?} has no searchable word"
        );
        assert_eq!(
            results.message,
            Some(SearchMessage::EmptyQuery),
            "{query:?} gets the empty-query message"
        );
    }
    Ok(())
}

#[test]
fn the_limit_is_kept_between_one_and_fifty() -> TestResult {
    let built = build_library(&real_content())?;
    let lib = &built.library;
    assert_eq!(
        lib.search("pain", "en", 2)?.results.len(),
        2,
        "a limit of 2 gives 2"
    );
    assert_eq!(
        lib.search("pain", "en", 0)?.results.len(),
        1,
        "a limit of 0 still gives one"
    );
    let all = lib.search("the pain", "en", 10_000)?;
    assert!(
        all.results.len() <= 50,
        "no more than fifty results, got {}",
        all.results.len()
    );
    Ok(())
}

#[test]
fn hostile_queries_give_results_or_a_message_and_never_an_error() -> TestResult {
    let built = build_library(&real_content())?;
    let lib = &built.library;
    let db_before = fs::read(built.db())?;
    let articles_before = lib.article_count()?;

    let long_text = "back pain after lifting ".repeat(84);
    let long_word = "x".repeat(2000);
    let long_number = "9".repeat(400);
    let hostile: Vec<(&str, &str)> = vec![
        ("double quotes", "\"slipped disc\""),
        ("unbalanced quote", "\"slipped disc"),
        ("only quotes", "\"\"\""),
        ("single quotes", "'disc'"),
        ("AND", "disc AND pain"),
        ("OR", "disc OR hair"),
        ("NOT", "disc NOT pain"),
        ("NEAR", "NEAR(disc pain, 2)"),
        ("bare operator", "AND"),
        ("bare NOT", "NOT"),
        ("star", "*"),
        ("prefix star", "disc*"),
        ("caret", "^disc"),
        ("minus", "-disc"),
        ("minus in the middle", "disc -pain"),
        ("colon", ":"),
        ("column filter", "title:disc"),
        ("column list filter", "{title body}: disc"),
        ("open parenthesis", "((disc"),
        ("close parenthesis", "disc))"),
        ("plus", "+disc +pain"),
        ("2,000 characters", &long_text),
        ("2,000-character word", &long_word),
        ("emoji only", "😀🦴💉"),
        ("emoji with words", "🦴 slipped 💉 disc"),
        ("accents", "ÁÉÍÓÚ ñ ü cirugía"),
        ("combining accent", "cirugi\u{301}a"),
        ("Arabic", "ألم الظهر"),
        ("Hebrew", "כאב גב"),
        ("right-to-left override", "\u{202E}csid deppils"),
        ("zero-width space", "slip\u{200B}ped disc"),
        ("NUL", "\0"),
        ("NUL inside", "disc\0pain"),
        ("control characters", "\u{1}\u{7}\u{1b}[31mdisc\u{7f}\t\r\n"),
        ("SQL drop", "'; DROP TABLE article; --"),
        ("SQL or", "1' OR '1'='1"),
        ("SQL delete", "disc\"); DELETE FROM article_fts; --"),
        ("LIKE wildcards", "%_%"),
        ("backslashes", "\\\\disc\\"),
        ("stop words only", "the and of to"),
        ("empty", ""),
        ("whitespace", " \t \n "),
        ("digits", "911"),
        ("very long number", &long_number),
    ];

    for (name, query) in &hostile {
        for lang in ["en", "es"] {
            let results = lib
                .search(query, lang, 10)
                .map_err(|e| format!("{name}: search({query:?}, {lang}) failed: {e}"))?;
            assert!(
                !results.results.is_empty() || results.message.is_some(),
                "{name} ({lang}): an empty result must come with a message"
            );
            assert!(
                results.query.chars().count() <= 200,
                "{name} ({lang}): the echoed query is clipped"
            );
            for hit in &results.results {
                assert_safe_snippet(hit, query);
            }
            lib.suggest(query, lang)
                .map_err(|e| format!("{name}: suggest({query:?}, {lang}) failed: {e}"))?;
        }
    }

    assert_eq!(
        lib.article_count()?,
        articles_before,
        "no article was removed"
    );
    assert!(
        fs::read(built.db())? == db_before,
        "the library file was not changed"
    );
    let after = lib.search("slipped disc", "en", 3)?;
    assert_eq!(
        slugs(&after).first().copied(),
        Some("herniated-disc"),
        "after all that, a normal query still works"
    );
    let reopened = Library::open(&built.db())?;
    assert_eq!(
        slugs(&reopened.search("disco salido", "es", 3)?)
            .first()
            .copied(),
        Some("hernia-de-disco"),
        "and so does a fresh connection"
    );
    Ok(())
}

#[test]
fn synonyms_in_a_content_folder_lead_to_the_clinical_article() -> TestResult {
    let built = build_library(&fixture("content-valid"))?;
    assert_eq!(
        slugs(&built.library.search("stop breathing at night", "en", 3)?)
            .first()
            .copied(),
        Some("sleep-apnea"),
        "an everyday phrase in synonyms.toml finds the clinical article"
    );
    assert_eq!(
        slugs(&built.library.search("ronquidos fuertes", "es", 3)?)
            .first()
            .copied(),
        Some("apnea-del-sueno"),
        "Spanish synonyms work the same way"
    );
    Ok(())
}

#[test]
fn the_search_command_prints_hits_as_json() -> TestResult {
    let data = tempfile::tempdir()?;
    let output = kiosk()
        .args(["search", "slipped disc", "--lang", "en", "--limit", "3"])
        .env("CLINIC_KIOSK_DATA_DIR", data.path())
        .output()?;
    let stdout = String::from_utf8(output.stdout)?;
    let stderr = String::from_utf8(output.stderr)?;
    assert!(
        output.status.success(),
        "search must succeed; stderr: {stderr}"
    );
    let hits: serde_json::Value = serde_json::from_str(&stdout)?;
    let hits = hits.as_array().ok_or("the output must be a JSON array")?;
    assert!(
        !hits.is_empty() && hits.len() <= 3,
        "between one and three hits, got {}",
        hits.len()
    );
    for hit in hits {
        assert!(hit["slug"].is_string(), "a hit has a slug: {hit}");
        assert!(hit["title"].is_string(), "a hit has a title: {hit}");
        assert!(hit["score"].is_number(), "a hit has a numeric score: {hit}");
        assert!(hit["snippet"].is_string(), "a hit has a snippet: {hit}");
    }
    assert_eq!(
        hits[0]["slug"], "herniated-disc",
        "the command ranks like the library"
    );
    assert!(
        data.path().join("library.db").is_file(),
        "the library is built in CLINIC_KIOSK_DATA_DIR"
    );
    Ok(())
}

#[test]
fn the_search_command_refuses_an_unknown_language() -> TestResult {
    let data = tempfile::tempdir()?;
    let output = kiosk()
        .args(["search", "disc", "--lang", "fr"])
        .env("CLINIC_KIOSK_DATA_DIR", data.path())
        .output()?;
    assert_eq!(output.status.code(), Some(2), "a usage error exits with 2");
    let stderr = String::from_utf8(output.stderr)?;
    assert!(
        stderr.contains("invalid value 'fr' for '--lang <LANG>'"),
        "the error names the bad value: {stderr}"
    );
    assert!(output.stdout.is_empty(), "nothing is printed as results");
    Ok(())
}

/// One query of tests/fixtures/search-eval.toml.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct EvalQuery {
    query: String,
    lang: String,
    kind: String,
    expect: Vec<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct EvalSet {
    query: Vec<EvalQuery>,
}

/// Hits out of queries, per group, in the order groups were first met.
#[derive(Default)]
struct Tally(Vec<(String, usize, usize)>);

impl Tally {
    fn add(&mut self, group: &str, hit: bool) {
        let i = match self.0.iter().position(|(g, _, _)| g == group) {
            Some(i) => i,
            None => {
                self.0.push((group.to_string(), 0, 0));
                self.0.len() - 1
            }
        };
        self.0[i].1 += usize::from(hit);
        self.0[i].2 += 1;
    }
}

fn percent(hits: usize, total: usize) -> f64 {
    100.0 * hits as f64 / total.max(1) as f64
}

/// Issue #14, part 5: the evaluation set in tests/fixtures/search-eval.toml, every query
/// counted a hit when one of its expected articles is in the top three results (the
/// corrected results when search shows results for a correction). Prints the score overall,
/// per language and per kind, and every miss; run with `--nocapture` to see them.
#[test]
fn the_evaluation_set_scores_at_least_95_percent() -> TestResult {
    let text = fs::read_to_string(common::repo("tests/fixtures/search-eval.toml"))?;
    let set: EvalSet = toml::from_str(&text)?;
    let built = build_library(&real_content())?;
    let lib = &built.library;

    // The set is what the issue asks for: at least 120 queries, half in Spanish, at least a
    // third misspelled or in everyday words, some in decomposed Unicode; every expected
    // article exists in the query's language.
    let n = set.query.len();
    let count = |f: &dyn Fn(&EvalQuery) -> bool| set.query.iter().filter(|q| f(q)).count();
    assert!(n >= 120, "at least 120 queries, got {n}");
    assert!(
        2 * count(&|q| q.lang == "es") >= n,
        "at least half of the queries are in Spanish"
    );
    assert!(
        3 * count(&|q| q.kind == "misspelled" || q.kind == "lay") >= n,
        "at least a third are misspelled or in everyday words"
    );
    assert!(
        count(&|q| q.kind == "decomposed") >= 3,
        "a few are in decomposed Unicode"
    );
    for q in &set.query {
        assert!(
            ["exact", "lay", "misspelled", "decomposed"].contains(&q.kind.as_str()),
            "{:?}: unknown kind {:?}",
            q.query,
            q.kind
        );
        assert!(!q.expect.is_empty(), "{:?} expects no article", q.query);
        if q.kind == "decomposed" {
            assert!(
                q.query
                    .chars()
                    .any(|c| ('\u{300}'..='\u{36f}').contains(&c)),
                "{:?} is marked decomposed but has no combining accent",
                q.query
            );
        }
        for slug in &q.expect {
            assert_eq!(
                lib.article(slug, None)?.lang,
                q.lang,
                "{:?} expects {slug}, which must be a {} article",
                q.query,
                q.lang
            );
        }
    }

    let mut overall = Tally::default();
    let mut by_lang = Tally::default();
    let mut by_kind = Tally::default();
    let mut by_both = Tally::default();
    let mut misses = Vec::new();
    for q in &set.query {
        let results = lib.search(&q.query, &q.lang, 3)?;
        let top = slugs(&results);
        let hit = top.iter().any(|s| q.expect.iter().any(|e| e == s));
        overall.add("overall", hit);
        by_lang.add(&q.lang, hit);
        by_kind.add(&q.kind, hit);
        by_both.add(&format!("{} {}", q.lang, q.kind), hit);
        if !hit {
            let shown = match &results.showing_results_for {
                Some(c) => format!(" (showing results for {c:?})"),
                None => String::new(),
            };
            misses.push(format!(
                "  {:?} ({}, {}): expected one of {:?}, got {:?}{shown}",
                q.query, q.lang, q.kind, q.expect, top
            ));
        }
    }

    println!("search evaluation, top 3 ({n} queries):");
    for (group, hits, total) in overall
        .0
        .iter()
        .chain(&by_lang.0)
        .chain(&by_kind.0)
        .chain(&by_both.0)
    {
        println!(
            "  {group:<16} {hits:>3}/{total:<3} {:>5.1} %",
            percent(*hits, *total)
        );
    }
    println!("misses ({}):", misses.len());
    for m in &misses {
        println!("{m}");
    }
    let (_, hits, total) = &overall.0[0];
    let score = percent(*hits, *total);
    assert!(
        score >= 95.0,
        "the top-3 score is {score:.1} %, below 95 %; misses:\n{}",
        misses.join("\n")
    );
    Ok(())
}

/// The build numbers each language's articles as one range of ids, which search hands to
/// FTS5 so that it never scores the other language's articles (issue #14: in a bilingual
/// library, shared stems such as "disc" doubled the work).
#[test]
fn each_language_is_one_range_of_article_ids() -> TestResult {
    let built = build_library(&real_content())?;
    let conn = rusqlite::Connection::open(built.db())?;
    let mut stmt =
        conn.prepare("SELECT lang, min(id), max(id), count(*) FROM article GROUP BY lang")?;
    let ranges: Vec<(String, i64, i64, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_, _>>()?;
    assert_eq!(ranges.len(), 2, "{ranges:?}");
    for (lang, first, last, count) in &ranges {
        assert_eq!(
            last - first + 1,
            *count,
            "{lang}: ids {first}..={last} hold only {lang} articles"
        );
    }
    Ok(())
}

#[test]
fn one_misspelled_word_of_two_shows_the_corrected_query_before_any_word_results() -> TestResult {
    let built = build_library(&real_content())?;
    let typed = built.library.search("fisical therapy", "en", 10)?;
    let as_spelled = built.library.search("physical therapy", "en", 10)?;
    assert_eq!(
        typed.showing_results_for.as_deref(),
        Some("physical therapy"),
        "every word of the correction matches, so its results come before articles with only \"therapy\": {typed:?}"
    );
    assert_eq!(slugs(&typed), slugs(&as_spelled), "{typed:?}");
    assert!(
        typed.message.is_none() && typed.did_you_mean.is_none(),
        "{typed:?}"
    );
    // Spanish, by ear: a dropped h and b for v in one word of two.
    let es = built.library.search("ernia de disco", "es", 10)?;
    let es_spelled = built.library.search("hernia de disco", "es", 10)?;
    assert_eq!(
        es.showing_results_for.as_deref(),
        Some("hernia de disco"),
        "{es:?}"
    );
    assert_eq!(slugs(&es), slugs(&es_spelled));
    // Both words known: no correction is offered for an every-word miss.
    let known = built.library.search("knee vomiting", "en", 10)?;
    assert!(known.showing_results_for.is_none(), "{known:?}");
    Ok(())
}
