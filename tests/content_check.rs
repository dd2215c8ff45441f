//! `clinic-kiosk content check` on whole fixture folders: a small valid library, and an
//! invalid one in which every kind of problem an author can make appears at least once.

use crate::common;

use std::path::Path;

use clinic_kiosk::content;
use common::{diagnostic_lines, fixture, kiosk, real_content, TestResult};

/// Every error in tests/fixtures/content-invalid, sorted by file and line as authors see them.
const INVALID_ERRORS: &[&str] = &[
    "content-invalid/articles/Bad_Slug.md:3: slug: `Bad_Slug` is not a valid slug; use lower-case letters, digits and single hyphens, such as `herniated-disc`",
    "content-invalid/articles/bad-date.md:4: date: `05/03/2026` is not a date; write it as YYYY-MM-DD, such as 2026-02-10",
    "content-invalid/articles/date-as-number.md:4: date: must be a date like 2026-02-10, not a number",
    "content-invalid/articles/empty-body.md:13: body: the article has no text; write it below the closing `+++` line",
    "content-invalid/articles/empty-field.md:6: reviewer: is empty; write a value between the quotes",
    "content-invalid/articles/empty-list.md:7: topics: is empty; list at least one, such as topics = [\"spine-care\"]",
    "content-invalid/articles/english-with-translation.md:12: translation_of: English articles are the originals; remove `translation_of` or change `language`",
    "content-invalid/articles/h1-heading.md:14: body: use `##` headings; the title comes from the front matter",
    "content-invalid/articles/hidden-characters.md:2: title: holds an invisible character (U+200B, a zero-width or text-direction mark); delete it and type the text again",
    "content-invalid/articles/image.md:18: body: images are not allowed in articles; describe it in words",
    "content-invalid/articles/invalid-toml.md:9: toml: the front matter is not valid TOML: invalid basic string, expected `\"`",
    "content-invalid/articles/link.md:16: body: links are not allowed on the kiosk; name the article in `related` instead",
    "content-invalid/articles/missing-field.md:1: summary: missing; add `summary = ...` to the front matter",
    "content-invalid/articles/no-closing-fence.md:1: file: the front matter has no closing `+++` line; add one after the last field",
    "content-invalid/articles/plain-http.md:10: canonical_url: must be the article's full web address starting with `https://`",
    "content-invalid/articles/raw-html.md:18: body: raw HTML is not allowed; use Markdown (## headings, - lists, **bold**)",
    "content-invalid/articles/raw-html.md:20: body: raw HTML is not allowed; use Markdown (## headings, - lists, **bold**)",
    "content-invalid/articles/related-nowhere.md:10: related: `no-such-article` points to no article; check the slug or remove it",
    "content-invalid/articles/related-other-language.md:10: related: `artrosis-de-rodilla` is in another language (es); relate articles in the same language",
    "content-invalid/articles/related-to-itself.md:12: related: an article cannot be related to itself; remove its own slug",
    "content-invalid/articles/reviewed-before-date.md:5: reviewed: the review date 2026-02-01 is before the publication date 2026-06-01; a review comes after publication",
    "content-invalid/articles/second-knee-arthritis.md:3: slug: `knee-arthritis` does not match the file name; rename the file to knee-arthritis.md or change the slug",
    "content-invalid/articles/second-knee-arthritis.md:3: slug: duplicate slug `knee-arthritis`, already used by content-invalid/articles/knee-arthritis.md; every article needs its own slug",
    "content-invalid/articles/segunda-traduccion.md:12: translation_of: `knee-arthritis` already has a translation in `es`: content-invalid/articles/artrosis-de-rodilla.md",
    "content-invalid/articles/topics-as-text.md:7: topics: must be a list in square brackets, such as [\"spine-care\"], not text",
    "content-invalid/articles/traduccion-de-traduccion.md:12: translation_of: `artrosis-de-rodilla` is not an English article; point to the English original",
    "content-invalid/articles/traduccion-sin-original.md:12: translation_of: `missing-original` points to no article; use the English article's slug",
    "content-invalid/articles/unknown-field.md:1: title: missing; add `title = ...` to the front matter",
    "content-invalid/articles/unknown-field.md:2: titel: unknown field; did you mean `title`?",
    "content-invalid/articles/unknown-field.md:12: photo_credit: unknown field; allowed fields are title, slug, date, reviewed, reviewer, topics, specialty, summary, related, canonical_url, language, translation_of",
    "content-invalid/articles/unknown-specialty.md:8: specialty: unknown specialty `podiatry`; use one of front-desk, orthopedics, sleep or add it to topics.toml",
    "content-invalid/articles/unknown-topic.md:7: topics: unknown topic `elbow-care`; use one of knee-care, sleep-health, your-visit or add it to topics.toml",
    "content-invalid/articles/unsupported-language.md:11: language: `fr` is not a supported language; use one of en, es",
    "content-invalid/articles/wrong-name.md:3: slug: `right-name` does not match the file name; rename the file to right-name.md or change the slug",
];

/// The invalid folder's articles are short test pages, so each one that has a body is also
/// below the length guideline; English ones have no Spanish version; one was saved with a
/// decomposed accent.
const INVALID_WARNINGS: &[&str] = &[
    "content-invalid/articles/Bad_Slug.md:3: translation: warning: no Spanish version yet; write one with translation_of = \"Bad_Slug\"",
    "content-invalid/articles/Bad_Slug.md:13: body: warning: 15 words; articles read best at 400 to 900 words",
    "content-invalid/articles/artrosis-de-rodilla.md:14: body: warning: 14 words; articles read best at 400 to 900 words",
    "content-invalid/articles/bad-date.md:3: translation: warning: no Spanish version yet; write one with translation_of = \"bad-date\"",
    "content-invalid/articles/bad-date.md:13: body: warning: 15 words; articles read best at 400 to 900 words",
    "content-invalid/articles/date-as-number.md:3: translation: warning: no Spanish version yet; write one with translation_of = \"date-as-number\"",
    "content-invalid/articles/date-as-number.md:13: body: warning: 15 words; articles read best at 400 to 900 words",
    "content-invalid/articles/empty-body.md:3: translation: warning: no Spanish version yet; write one with translation_of = \"empty-body\"",
    "content-invalid/articles/empty-field.md:3: translation: warning: no Spanish version yet; write one with translation_of = \"empty-field\"",
    "content-invalid/articles/empty-field.md:13: body: warning: 15 words; articles read best at 400 to 900 words",
    "content-invalid/articles/empty-list.md:3: translation: warning: no Spanish version yet; write one with translation_of = \"empty-list\"",
    "content-invalid/articles/empty-list.md:13: body: warning: 15 words; articles read best at 400 to 900 words",
    "content-invalid/articles/english-with-translation.md:3: translation: warning: no Spanish version yet; write one with translation_of = \"english-with-translation\"",
    "content-invalid/articles/english-with-translation.md:14: body: warning: 15 words; articles read best at 400 to 900 words",
    "content-invalid/articles/h1-heading.md:3: translation: warning: no Spanish version yet; write one with translation_of = \"h1-heading\"",
    "content-invalid/articles/h1-heading.md:13: body: warning: 9 words; articles read best at 400 to 900 words",
    "content-invalid/articles/hidden-characters.md:3: translation: warning: no Spanish version yet; write one with translation_of = \"hidden-characters\"",
    "content-invalid/articles/hidden-characters.md:13: body: warning: 18 words; articles read best at 400 to 900 words",
    "content-invalid/articles/hidden-characters.md:16: file: warning: has accents saved as separate marks (not Unicode NFC); the library uses the composed form, save the file as NFC to match",
    "content-invalid/articles/image.md:3: translation: warning: no Spanish version yet; write one with translation_of = \"image\"",
    "content-invalid/articles/image.md:13: body: warning: 13 words; articles read best at 400 to 900 words",
    "content-invalid/articles/knee-arthritis.md:13: body: warning: 15 words; articles read best at 400 to 900 words",
    "content-invalid/articles/link.md:3: translation: warning: no Spanish version yet; write one with translation_of = \"link\"",
    "content-invalid/articles/link.md:13: body: warning: 10 words; articles read best at 400 to 900 words",
    "content-invalid/articles/missing-field.md:3: translation: warning: no Spanish version yet; write one with translation_of = \"missing-field\"",
    "content-invalid/articles/missing-field.md:12: body: warning: 15 words; articles read best at 400 to 900 words",
    "content-invalid/articles/plain-http.md:3: translation: warning: no Spanish version yet; write one with translation_of = \"plain-http\"",
    "content-invalid/articles/plain-http.md:13: body: warning: 15 words; articles read best at 400 to 900 words",
    "content-invalid/articles/raw-html.md:3: translation: warning: no Spanish version yet; write one with translation_of = \"raw-html\"",
    "content-invalid/articles/raw-html.md:13: body: warning: 11 words; articles read best at 400 to 900 words",
    "content-invalid/articles/related-nowhere.md:3: translation: warning: no Spanish version yet; write one with translation_of = \"related-nowhere\"",
    "content-invalid/articles/related-nowhere.md:14: body: warning: 15 words; articles read best at 400 to 900 words",
    "content-invalid/articles/related-other-language.md:3: translation: warning: no Spanish version yet; write one with translation_of = \"related-other-language\"",
    "content-invalid/articles/related-other-language.md:14: body: warning: 15 words; articles read best at 400 to 900 words",
    "content-invalid/articles/related-to-itself.md:3: translation: warning: no Spanish version yet; write one with translation_of = \"related-to-itself\"",
    "content-invalid/articles/related-to-itself.md:14: body: warning: 15 words; articles read best at 400 to 900 words",
    "content-invalid/articles/reviewed-before-date.md:3: translation: warning: no Spanish version yet; write one with translation_of = \"reviewed-before-date\"",
    "content-invalid/articles/reviewed-before-date.md:13: body: warning: 15 words; articles read best at 400 to 900 words",
    "content-invalid/articles/second-knee-arthritis.md:13: body: warning: 15 words; articles read best at 400 to 900 words",
    "content-invalid/articles/segunda-traduccion.md:14: body: warning: 15 words; articles read best at 400 to 900 words",
    "content-invalid/articles/topics-as-text.md:3: translation: warning: no Spanish version yet; write one with translation_of = \"topics-as-text\"",
    "content-invalid/articles/topics-as-text.md:13: body: warning: 15 words; articles read best at 400 to 900 words",
    "content-invalid/articles/traduccion-de-traduccion.md:14: body: warning: 14 words; articles read best at 400 to 900 words",
    "content-invalid/articles/traduccion-sin-original.md:14: body: warning: 14 words; articles read best at 400 to 900 words",
    "content-invalid/articles/unknown-field.md:3: translation: warning: no Spanish version yet; write one with translation_of = \"unknown-field\"",
    "content-invalid/articles/unknown-field.md:14: body: warning: 15 words; articles read best at 400 to 900 words",
    "content-invalid/articles/unknown-specialty.md:3: translation: warning: no Spanish version yet; write one with translation_of = \"unknown-specialty\"",
    "content-invalid/articles/unknown-specialty.md:13: body: warning: 15 words; articles read best at 400 to 900 words",
    "content-invalid/articles/unknown-topic.md:3: translation: warning: no Spanish version yet; write one with translation_of = \"unknown-topic\"",
    "content-invalid/articles/unknown-topic.md:13: body: warning: 15 words; articles read best at 400 to 900 words",
    "content-invalid/articles/unsupported-language.md:13: body: warning: 15 words; articles read best at 400 to 900 words",
    "content-invalid/articles/wrong-name.md:3: translation: warning: no Spanish version yet; write one with translation_of = \"right-name\"",
    "content-invalid/articles/wrong-name.md:13: body: warning: 15 words; articles read best at 400 to 900 words",
];

/// The valid folder's articles are short too, and two English ones have no Spanish version;
/// that is all it is warned about.
const VALID_WARNINGS: &[&str] = &[
    "content-valid/articles/apnea-del-sueno.md:14: body: warning: 38 words; articles read best at 400 to 900 words",
    "content-valid/articles/artrosis-de-rodilla.md:14: body: warning: 95 words; articles read best at 400 to 900 words",
    "content-valid/articles/knee-arthritis.md:14: body: warning: 131 words; articles read best at 400 to 900 words",
    "content-valid/articles/knee-replacement-recovery.md:3: translation: warning: no Spanish version yet; write one with translation_of = \"knee-replacement-recovery\"",
    "content-valid/articles/knee-replacement-recovery.md:14: body: warning: 85 words; articles read best at 400 to 900 words",
    "content-valid/articles/physical-therapy-for-knees.md:3: translation: warning: no Spanish version yet; write one with translation_of = \"physical-therapy-for-knees\"",
    "content-valid/articles/physical-therapy-for-knees.md:14: body: warning: 92 words; articles read best at 400 to 900 words",
    "content-valid/articles/sleep-apnea.md:13: body: warning: 93 words; articles read best at 400 to 900 words",
];

/// Articles in the invalid folder that are correct on purpose: other files point at them.
const INVALID_FOLDER_ANCHORS: &[&str] = &["knee-arthritis.md", "artrosis-de-rodilla.md"];

fn errors(lines: &[String]) -> Vec<&str> {
    lines
        .iter()
        .map(String::as_str)
        .filter(|l| !l.contains(": warning: "))
        .collect()
}

fn warnings(lines: &[String]) -> Vec<&str> {
    lines
        .iter()
        .map(String::as_str)
        .filter(|l| l.contains(": warning: "))
        .collect()
}

fn run_check(dir: &Path) -> Result<(i32, String, String), Box<dyn std::error::Error>> {
    let output = kiosk().args(["content", "check"]).arg(dir).output()?;
    let code = output
        .status
        .code()
        .ok_or("clinic-kiosk was killed by a signal")?;
    Ok((
        code,
        String::from_utf8(output.stdout)?,
        String::from_utf8(output.stderr)?,
    ))
}

#[test]
fn the_valid_folder_has_no_errors() {
    let lines = diagnostic_lines(&fixture("content-valid"));
    assert_eq!(
        errors(&lines),
        Vec::<&str>::new(),
        "the valid fixture must load without a single error"
    );
}

#[test]
fn the_valid_folder_is_only_warned_that_its_articles_are_short() {
    let lines = diagnostic_lines(&fixture("content-valid"));
    assert_eq!(
        warnings(&lines),
        VALID_WARNINGS,
        "short test articles get a length warning and nothing else (no reading-grade warning)"
    );
}

#[test]
fn the_valid_folder_loads_every_article_topic_and_notice() {
    let (content, _) = content::load(&fixture("content-valid"));
    let mut slugs: Vec<&str> = content
        .articles
        .iter()
        .map(|a| a.meta.slug.as_str())
        .collect();
    slugs.sort_unstable();
    assert_eq!(
        slugs,
        [
            "apnea-del-sueno",
            "artrosis-de-rodilla",
            "knee-arthritis",
            "knee-replacement-recovery",
            "physical-therapy-for-knees",
            "sleep-apnea",
        ],
        "every article file becomes one article"
    );
    let topics: Vec<&str> = content.topics.iter().map(|t| t.slug.as_str()).collect();
    assert_eq!(
        topics,
        ["knee-care", "sleep-health", "your-visit"],
        "topics keep the order of topics.toml"
    );
    let languages: Vec<&str> = content.notices.keys().map(String::as_str).collect();
    assert_eq!(
        languages,
        ["en", "es"],
        "there are notices in both languages"
    );
}

#[test]
fn every_problem_in_the_invalid_folder_is_reported_with_its_file_line_and_field() {
    let lines = diagnostic_lines(&fixture("content-invalid"));
    assert_eq!(
        errors(&lines),
        INVALID_ERRORS,
        "the invalid fixture must report exactly these errors, all at once, sorted by file and line"
    );
}

#[test]
fn the_invalid_folder_is_also_warned_about_short_articles() {
    let lines = diagnostic_lines(&fixture("content-invalid"));
    assert_eq!(
        warnings(&lines),
        INVALID_WARNINGS,
        "every article whose body could be read is measured, even when it has errors"
    );
}

#[test]
fn the_invalid_folder_counts_match_what_is_printed() {
    let (content, diags) = content::load(&fixture("content-invalid"));
    assert_eq!(
        diags.error_count(),
        INVALID_ERRORS.len(),
        "error_count counts every error line"
    );
    assert_eq!(
        diags.warning_count(),
        INVALID_WARNINGS.len(),
        "warning_count counts every warning line"
    );
    assert_eq!(
        content.articles.len(),
        30,
        "all 32 files but the two whose front matter cannot be read (invalid TOML, no closing `+++`) are loaded"
    );
}

#[test]
fn every_broken_fixture_file_has_an_error_and_the_anchors_have_none() -> TestResult {
    let dir = fixture("content-invalid").join("articles");
    let mut names: Vec<String> = std::fs::read_dir(&dir)?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?;
    names.sort();
    for name in &names {
        let prefix = format!("content-invalid/articles/{name}:");
        let has_error = INVALID_ERRORS.iter().any(|l| l.starts_with(&prefix));
        if INVALID_FOLDER_ANCHORS.contains(&name.as_str()) {
            assert!(
                !has_error,
                "{name} is a correct article other fixtures point at, so it must have no error"
            );
        } else {
            assert!(
                has_error,
                "{name} exists to show one kind of problem, so it must have an error"
            );
        }
    }
    Ok(())
}

#[test]
fn content_check_exits_1_on_the_invalid_folder_and_prints_every_problem() -> TestResult {
    let (code, stdout, stderr) = run_check(&fixture("content-invalid"))?;
    assert_eq!(code, 1, "errors must fail the check; stderr: {stderr}");
    let lines = diagnostic_lines(&fixture("content-invalid"));
    let expected = format!(
        "{}\n30 article(s), {} error(s), {} warning(s)\n",
        lines.join("\n"),
        INVALID_ERRORS.len(),
        INVALID_WARNINGS.len()
    );
    assert_eq!(
        stdout, expected,
        "the binary prints every diagnostic, sorted, then a one-line summary"
    );
    let printed: Vec<String> = stdout.lines().map(str::to_string).collect();
    assert_eq!(
        errors(&printed[..printed.len() - 1]),
        INVALID_ERRORS,
        "the printed errors are exactly the expected ones"
    );
    Ok(())
}

#[test]
fn content_check_exits_0_on_the_valid_folder() -> TestResult {
    let (code, stdout, stderr) = run_check(&fixture("content-valid"))?;
    assert_eq!(
        code, 0,
        "warnings alone must not fail the check; stderr: {stderr}"
    );
    let expected = format!(
        "{}\n6 article(s), 0 error(s), 8 warning(s)\n",
        VALID_WARNINGS.join("\n")
    );
    assert_eq!(
        stdout, expected,
        "only the length and translation warnings and the summary are printed"
    );
    Ok(())
}

#[test]
fn content_check_passes_on_the_shipped_content_with_no_warnings() -> TestResult {
    let (code, stdout, stderr) = run_check(&real_content())?;
    assert_eq!(
        code, 0,
        "the shipped content must have no errors; output:\n{stdout}{stderr}"
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "the shipped content must print no diagnostic at all, only the summary:\n{stdout}"
    );
    assert!(
        lines[0].ends_with(" article(s), 0 error(s), 0 warning(s)"),
        "the summary must count no errors and no warnings: {}",
        lines[0]
    );
    Ok(())
}

#[test]
fn the_shipped_content_loads_without_any_diagnostic() {
    let lines = diagnostic_lines(&real_content());
    assert_eq!(
        lines,
        Vec::<String>::new(),
        "content/ must be clean: no errors and no warnings"
    );
}

#[test]
fn content_check_on_a_missing_folder_says_which_folder_is_missing() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (code, stdout, _) = run_check(&dir.path().join("no-such-content"))?;
    assert_eq!(code, 1, "a folder that is not there is an error");
    assert_eq!(
        stdout,
        "no-such-content:1: file: the content folder does not exist; pass the folder that holds topics.toml and articles/\n\
         0 article(s), 1 error(s), 0 warning(s)\n",
        "the message names the folder and what it should hold"
    );
    Ok(())
}

#[test]
fn the_quick_hash_is_the_hash_a_full_load_gives() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in [
        root.join("content"),
        root.join("tests/fixtures/content-valid"),
        root.join("tests/fixtures/content-invalid"),
    ] {
        let (content, _) = clinic_kiosk::content::load(&dir);
        assert_eq!(
            clinic_kiosk::content::hash(&dir),
            content.hash,
            "{}",
            dir.display()
        );
    }
    // And it changes with any byte of an article.
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = root.join("tests/fixtures/content-valid");
    copy_dir(&src, tmp.path());
    let before = clinic_kiosk::content::hash(tmp.path());
    let article = std::fs::read_dir(tmp.path().join("articles"))
        .expect("articles")
        .flatten()
        .next()
        .expect("an article")
        .path();
    let mut text = std::fs::read_to_string(&article).expect("read");
    text.push(' ');
    std::fs::write(&article, text).expect("write");
    assert_ne!(clinic_kiosk::content::hash(tmp.path()), before);
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).expect("read_dir").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}
