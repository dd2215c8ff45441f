//! Search over the library: everyday words in, ranked articles with marked snippets out.
//!
//! User input never reaches FTS5 `MATCH` as typed. It is split into words (quotes,
//! operators, brackets and emoji only separate words), stop words are dropped, each word is
//! stemmed and quoted, and the query is rebuilt from those quoted stems. Everyday phrases
//! from synonyms.toml add their clinical phrases. All words must match first; when nothing
//! does, any word may match; when still nothing does, "did you mean" offers a spelling.

pub mod sound;
pub mod text;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use rusqlite::{params, Connection};
use serde::Serialize;

use crate::content::markdown::escape_html;
use crate::lang::Lang;
use text::{fold_for, is_word_char, words, Analyzer};

/// Characters of a query that are looked at; the rest of a pasted essay is ignored.
const MAX_QUERY_CHARS: usize = 200;
/// Distinct words of a query that are searched for.
const MAX_TERMS: usize = 12;
/// Clinical phrases a query may gain from synonyms.
const MAX_EXPANSIONS: usize = 8;
/// Words in a snippet.
const SNIPPET_WORDS: usize = 26;

/// One search hit.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    /// The article's slug.
    pub slug: String,
    /// Its title.
    pub title: String,
    /// Its summary.
    pub summary: String,
    /// HTML-escaped text in which only `<mark>` tags are markup.
    pub snippet: String,
    /// Relevance; higher is better.
    pub score: f64,
}

/// Why a search has no results, for the UI to phrase kindly.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum SearchMessage {
    /// The query had no searchable words (only symbols, emoji, or very common words).
    EmptyQuery,
    /// Nothing matched.
    NoResults,
}

/// What a search found.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SearchResults {
    /// The query as searched: its first 200 characters, trimmed.
    pub query: String,
    /// The hits, best first.
    pub results: Vec<SearchHit>,
    /// A correction, not clear enough to search by itself, whose every word matches articles:
    /// the UI offers it. Set when nothing matched, or when only some words of the query did
    /// (the results are then the articles with any of its words).
    pub did_you_mean: Option<String>,
    /// Nothing matched the query as typed, one correction was clearly best, and these are
    /// its results: the UI says "Showing results for {showingResultsFor}".
    pub showing_results_for: Option<String>,
    /// Why there are no results, when there are none.
    pub message: Option<SearchMessage>,
}

/// A type-ahead suggestion.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Suggestion {
    /// The article's slug.
    pub slug: String,
    /// Its title.
    pub title: String,
}

struct SynonymRule {
    /// The everyday phrase as folded words.
    words: Vec<String>,
    /// Each clinical phrase as stems.
    expansions: Vec<Vec<String>>,
}

/// The synonyms of a library, prepared for matching queries.
#[derive(Default)]
pub struct SynonymTable {
    by_lang: HashMap<Lang, Vec<SynonymRule>>,
}

impl SynonymTable {
    /// The synonyms of an open library.db.
    pub fn load(conn: &Connection) -> rusqlite::Result<Self> {
        let mut table = SynonymTable::default();
        let mut stmt = conn.prepare("SELECT lang, phrase, expansions FROM synonym")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (code, phrase, json) = row?;
            // Content checks allow no other language; a row of one could never be used.
            let Some(lang) = Lang::from_code(&code) else {
                continue;
            };
            let analyzer = Analyzer::new(lang);
            let expansions: Vec<String> = serde_json::from_str(&json).unwrap_or_default();
            let rule = SynonymRule {
                words: words(&phrase).map(|w| analyzer.fold(&w)).collect(),
                expansions: expansions
                    .iter()
                    .map(|e| {
                        analyzer
                            .index_text(e)
                            .split(' ')
                            .filter(|s| !s.is_empty())
                            .map(str::to_string)
                            .collect::<Vec<_>>()
                    })
                    .filter(|e| !e.is_empty())
                    .collect(),
            };
            if !rule.words.is_empty() && !rule.expansions.is_empty() {
                table.by_lang.entry(lang).or_default().push(rule);
            }
        }
        Ok(table)
    }

    /// Clinical phrases (as stems) for every everyday phrase found in `query_words`.
    fn expand(&self, lang: Lang, query_words: &[String]) -> Vec<Vec<String>> {
        let folded: Vec<String> = query_words.iter().map(|w| fold_for(lang, w)).collect();
        let mut out: Vec<Vec<String>> = Vec::new();
        for rule in self.by_lang.get(&lang).map(Vec::as_slice).unwrap_or(&[]) {
            let n = rule.words.len();
            if n <= folded.len() && folded.windows(n).any(|w| w == rule.words.as_slice()) {
                for e in &rule.expansions {
                    if !out.contains(e) && out.len() < MAX_EXPANSIONS {
                        out.push(e.clone());
                    }
                }
            }
        }
        out
    }
}

/// A query turned into quoted stems.
#[derive(Debug, Default)]
struct Plan {
    /// Stems every result should contain (before falling back to any).
    terms: Vec<String>,
    /// A word still being typed: (as typed, stemmed), matched as a prefix.
    prefix: Option<(String, String)>,
    /// Clinical phrases from synonyms, each matched as a phrase.
    expansions: Vec<Vec<String>>,
}

impl Plan {
    fn is_empty(&self) -> bool {
        self.terms.is_empty() && self.prefix.is_none() && self.expansions.is_empty()
    }

    /// The FTS5 expression; `all` joins terms with AND, otherwise OR.
    fn fts(&self, all: bool) -> String {
        let mut parts: Vec<String> = self.terms.iter().map(|t| quote(t)).collect();
        if let Some((raw, stem)) = &self.prefix {
            parts.push(format!("({}* OR {}*)", quote(raw), quote(stem)));
        }
        let joined = parts.join(if all { " AND " } else { " OR " });
        let mut alternatives = Vec::new();
        if !joined.is_empty() {
            alternatives.push(format!("({joined})"));
        }
        for e in &self.expansions {
            alternatives.push(quote(&e.join(" ")));
        }
        alternatives.join(" OR ")
    }

    /// Every stem a snippet should mark.
    fn stems(&self) -> HashSet<&str> {
        self.terms
            .iter()
            .chain(self.expansions.iter().flatten())
            .map(String::as_str)
            .collect()
    }
}

/// Wraps a word in FTS5 double quotes, doubling any quote inside, so it is always a plain
/// string and never an operator.
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn clip(query: &str) -> &str {
    match query.char_indices().nth(MAX_QUERY_CHARS) {
        Some((i, _)) => &query[..i],
        None => query,
    }
}

fn plan(query: &str, lang: Lang, synonyms: &SynonymTable, typing: bool) -> Plan {
    let analyzer = Analyzer::new(lang);
    let clipped = clip(query);
    let all: Vec<String> = words(clipped).collect();
    let mut plan = Plan {
        expansions: if typing {
            Vec::new()
        } else {
            synonyms.expand(lang, &all)
        },
        ..Plan::default()
    };
    let still_typing = typing && clipped.chars().last().is_some_and(char::is_alphanumeric);
    let (complete, partial) = match (still_typing, all.split_last()) {
        (true, Some((last, rest))) => (rest, Some(last)),
        _ => (all.as_slice(), None),
    };
    for w in complete {
        if analyzer.is_stop_word(w) {
            continue;
        }
        let stem = analyzer.stem(w);
        if !plan.terms.contains(&stem) && plan.terms.len() < MAX_TERMS {
            plan.terms.push(stem);
        }
    }
    if let Some(p) = partial {
        plan.prefix = Some((analyzer.fold(p), analyzer.stem(p)));
    }
    plan
}

/// Searches `lang` articles for `query`. Odd input (operators, quotes, emoji, very long
/// text) gives results or a message, never an error; errors are only SQLite failures.
pub fn search(
    conn: &Connection,
    synonyms: &SynonymTable,
    query: &str,
    lang: Lang,
    limit: usize,
) -> rusqlite::Result<SearchResults> {
    let limit = limit.clamp(1, 50);
    let mut out = SearchResults {
        query: clip(query).trim().to_string(),
        results: Vec::new(),
        did_you_mean: None,
        showing_results_for: None,
        message: None,
    };
    let plan = plan(query, lang, synonyms, false);
    if plan.is_empty() {
        out.message = Some(SearchMessage::EmptyQuery);
        return Ok(out);
    }
    out.results = run(conn, &plan, lang, limit, true)?;
    if out.results.is_empty() && plan.terms.len() > 1 {
        // One word spelled by ear ("fisical therapy") makes every-word search find nothing; a
        // correction that sounds the same and whose every word matches beats articles that
        // have only some of the words. A correction by edit distance alone ("worst" to
        // "worse") may change the meaning, so it waits until nothing else matches.
        if let Some(correction) = did_you_mean(conn, query, lang)?.filter(|c| c.by_sound) {
            let retry = self::plan(&correction.text, lang, synonyms, false);
            let found = if retry.is_empty() {
                Vec::new()
            } else {
                run(conn, &retry, lang, limit, true)?
            };
            if !found.is_empty() {
                if correction.clear {
                    out.results = found;
                    out.showing_results_for = Some(correction.text);
                    return Ok(out);
                }
                out.did_you_mean = Some(correction.text);
            }
        }
        out.results = run(conn, &plan, lang, limit, false)?;
    }
    if out.results.is_empty() {
        // The last word may be unfinished ("herni"): try it as a prefix.
        let typing = self::plan(query, lang, synonyms, true);
        if typing.prefix.is_some() {
            out.results = run(conn, &typing, lang, limit, true)?;
        }
    }
    if out.results.is_empty() {
        out.message = Some(SearchMessage::NoResults);
    }
    if out.results.is_empty() && out.did_you_mean.is_none() {
        if let Some(correction) = did_you_mean(conn, query, lang)? {
            let retry = self::plan(&correction.text, lang, synonyms, false);
            if !retry.is_empty() {
                let mut found = run(conn, &retry, lang, limit, true)?;
                if found.is_empty() {
                    found = run(conn, &retry, lang, limit, false)?;
                }
                if !found.is_empty() {
                    if correction.clear {
                        out.results = found;
                        out.message = None;
                        out.showing_results_for = Some(correction.text);
                    } else {
                        out.did_you_mean = Some(correction.text);
                    }
                }
            }
        }
    }
    Ok(out)
}

fn run(
    conn: &Connection,
    plan: &Plan,
    lang: Lang,
    limit: usize,
    all: bool,
) -> rusqlite::Result<Vec<SearchHit>> {
    let expr = plan.fts(all);
    // bm25 scores every match before LIMIT, and stems and prefixes are often shared between
    // the languages ("disc", "hi" for "hip" and "hielo"). The build numbers each language's
    // articles as one range of ids, and FTS5 only visits the rowids in the range it is
    // given, so the other language's articles are never scored. `a.lang` stays the rule.
    let mut stmt = conn.prepare_cached(
        "SELECT a.slug, a.title, a.summary, a.body_text, f.rank
         FROM (SELECT rowid, rank FROM article_fts
               WHERE article_fts MATCH ?1 AND rank MATCH 'bm25(10.0, 4.0, 3.0, 1.0)'
                 AND rowid BETWEEN (SELECT min(id) FROM article WHERE lang = ?2)
                               AND (SELECT max(id) FROM article WHERE lang = ?2)) f
         JOIN article a ON a.id = f.rowid
         WHERE a.lang = ?2
         ORDER BY f.rank
         LIMIT ?3",
    )?;
    let analyzer = Analyzer::new(lang);
    let stems = plan.stems();
    let prefix = plan.prefix.as_ref();
    let rows = stmt.query_map(params![expr, lang, limit as i64], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, f64>(4)?,
        ))
    })?;
    let mut hits = Vec::new();
    for row in rows {
        let (slug, title, summary, body, rank) = row?;
        let snippet = snippet(&body, &summary, &analyzer, &stems, prefix);
        hits.push(SearchHit {
            slug,
            title,
            summary,
            snippet,
            score: (-rank * 100.0).round() / 100.0,
        });
    }
    Ok(hits)
}

/// Byte spans of the words of `text`.
fn spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

/// The first three characters of `word` (all of it when shorter).
fn head(word: &str) -> &str {
    match word.char_indices().nth(3) {
        Some((i, _)) => &word[..i],
        None => word,
    }
}

/// The stretch of `body` with the most matched words, escaped, matches in `<mark>`.
/// Falls back to the start of the summary when the body has no match (a title hit).
fn snippet(
    body: &str,
    summary: &str,
    analyzer: &Analyzer,
    stems: &HashSet<&str>,
    prefix: Option<&(String, String)>,
) -> String {
    // Cheap filters before folding and stemming. Snowball stemmers only change the end of a
    // word, so a word can only match if its first letter is a stem's (or the prefix's)
    // first letter, which rejects most words of a body with one byte compare; then if it
    // starts with a stem's first three letters. Stems and prefixes are already folded and
    // lower case, and a query has a dozen at most, so a short list beats hashing.
    let wanted: Vec<&str> = stems
        .iter()
        .copied()
        .chain(prefix.map(|p| p.1.as_str()))
        .collect();
    let firsts: Vec<u8> = wanted
        .iter()
        .copied()
        .chain(prefix.map(|p| p.0.as_str()))
        .filter_map(|s| s.bytes().next())
        .collect();
    let heads: Vec<&str> = wanted.iter().map(|s| head(s)).collect();
    let matches = |word: &str| -> bool {
        // A word starting with an ASCII letter keeps its first letter through folding; one
        // that starts with anything else (an accent, ñ) goes the long way.
        if let Some(b) = word.bytes().next().filter(u8::is_ascii) {
            if !firsts.contains(&b.to_ascii_lowercase()) {
                return false;
            }
        }
        // Most words are lower-case ASCII, already folded: look at those without allocating.
        let folded: Cow<str> = if word
            .bytes()
            .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
        {
            Cow::Borrowed(word)
        } else {
            Cow::Owned(analyzer.fold(&word.to_lowercase()))
        };
        if let Some((raw, stem)) = prefix {
            if folded.starts_with(raw.as_str()) || folded.starts_with(stem.as_str()) {
                return true;
            }
        }
        heads.contains(&head(&folded))
            && stems.contains(analyzer.stem(&word.to_lowercase()).as_str())
    };
    let spans = spans(body);
    if spans.is_empty() {
        return escape_html(summary);
    }
    let hit: Vec<bool> = spans.iter().map(|&(s, e)| matches(&body[s..e])).collect();
    let window = SNIPPET_WORDS.min(spans.len());
    let best = best_window(&hit, window);
    if best.1 == 0 {
        let mut s = escape_html(&summary.chars().take(220).collect::<String>());
        if summary.chars().count() > 220 {
            s.push('…');
        }
        return s;
    }
    // Start the window a few words before the first match, for context.
    let first = (best.0..best.0 + window)
        .find(|&i| hit[i])
        .unwrap_or(best.0);
    let start = first.saturating_sub(4);
    let end = (start + window).min(spans.len());
    marked(body, &spans, &hit, start, end)
}

/// The start of the `window` words with the most hits, and how many (the first such
/// window on a tie).
fn best_window(hit: &[bool], window: usize) -> (usize, usize) {
    let mut best = (0usize, 0usize);
    let mut count = hit[..window].iter().filter(|&&h| h).count();
    best.1 = count;
    for start in 1..=hit.len() - window {
        count += usize::from(hit[start + window - 1]);
        count -= usize::from(hit[start - 1]);
        if count > best.1 {
            best = (start, count);
        }
    }
    best
}

/// Words `start..end` of `body` (at `spans`) as escaped HTML, the hits in `<mark>`, with `…`
/// where text is left out.
fn marked(body: &str, spans: &[(usize, usize)], hit: &[bool], start: usize, end: usize) -> String {
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut cursor = spans[start].0;
    for i in start..end {
        let (s, e) = spans[i];
        out.push_str(&escape_html(&body[cursor..s]).replace('\n', " "));
        if hit[i] {
            out.push_str("<mark>");
            out.push_str(&escape_html(&body[s..e]));
            out.push_str("</mark>");
        } else {
            out.push_str(&escape_html(&body[s..e]));
        }
        cursor = e;
    }
    if end < spans.len() {
        out.push('…');
    } else {
        out.push_str(&escape_html(&body[cursor..]).replace('\n', " "));
    }
    out.trim().to_string()
}

/// A spelling of a query whose words are all the library's own.
struct Correction {
    text: String,
    /// Every changed word had one best candidate by a clear margin.
    clear: bool,
    /// Every changed word sounds like its replacement in the language ([`sound::key`]), as
    /// "fisical" and "physical" do; "worst" and "worse" only differ by a letter.
    by_sound: bool,
}

/// How far a candidate is from a word typed: 0 when they sound alike in the language
/// ([`sound::key`]), else the edit distance (transpositions count once) of their folded
/// forms, plus one, so sounding alike always wins.
fn distance(lang: Lang, typed: &str, typed_sound: &str, candidate: &str, sound: &str) -> usize {
    if sound == typed_sound {
        return 0;
    }
    1 + strsim::damerau_levenshtein(&fold_for(lang, typed), &fold_for(lang, candidate))
}

/// A spelling of `query` whose words are in the library, if some word is not: each unknown
/// word is replaced by the library word (or synonyms.toml word) that sounds like it, else
/// the nearest by edit distance, the more frequent on a tie. Never a word the library does
/// not have.
fn did_you_mean(
    conn: &Connection,
    query: &str,
    lang: Lang,
) -> rusqlite::Result<Option<Correction>> {
    let analyzer = Analyzer::new(lang);
    let mut changed = false;
    let mut clear = true;
    let mut by_sound = true;
    let mut out = Vec::new();
    let mut exists = conn.prepare_cached("SELECT 1 FROM word WHERE lang = ?1 AND word = ?2")?;
    // Candidates: the same sound, or the same first letter and a similar length, or the
    // same first sound (a silent h, b for v) and a similar length.
    let mut candidates = conn.prepare_cached(
        "SELECT word, freq, sound FROM word
         WHERE lang = ?1 AND (sound = ?2
            OR (length(word) BETWEEN ?5 AND ?6
                AND ((word >= ?3 AND word < ?4) OR substr(sound, 1, 1) = substr(?2, 1, 1))))",
    )?;
    for w in words(clip(query)).take(MAX_TERMS) {
        if analyzer.is_stop_word(&w) || w.chars().count() < 3 || exists.exists(params![lang, w])? {
            out.push(w);
            continue;
        }
        let len = w.chars().count() as i64;
        let max_distance = if len <= 4 { 1 } else { 2 };
        let first: String = w.chars().take(1).collect();
        let upper = format!("{first}\u{10FFFF}");
        let typed_sound = sound::key(lang, &w);
        // (distance, -freq, word): the smallest is best.
        let mut ranked: Vec<(usize, i64, String)> = Vec::new();
        let rows = candidates.query_map(
            params![
                lang,
                typed_sound,
                first,
                upper,
                len - max_distance as i64,
                len + max_distance as i64
            ],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                ))
            },
        )?;
        for row in rows {
            let (candidate, freq, sound) = row?;
            let d = distance(lang, &w, &typed_sound, &candidate, &sound);
            if d <= max_distance + 1 {
                ranked.push((d, -freq, candidate));
            }
        }
        ranked.sort();
        match ranked.first() {
            Some((d, freq, candidate)) => {
                // Clearly best: nearer than the next, or as near and far more common.
                let clearly = ranked
                    .get(1)
                    .is_none_or(|(d2, f2, _)| d < d2 || -freq >= 3 * -f2);
                clear &= clearly;
                by_sound &= *d == 0;
                changed = true;
                out.push(candidate.clone());
            }
            None => out.push(w),
        }
    }
    Ok(changed.then(|| Correction {
        text: out.join(" "),
        clear,
        by_sound,
    }))
}

/// Titles for type-ahead: every complete word must match, the last one as a prefix.
pub fn suggest(
    conn: &Connection,
    prefix: &str,
    lang: Lang,
    limit: usize,
) -> rusqlite::Result<Vec<Suggestion>> {
    if prefix.trim().chars().count() < 2 {
        return Ok(Vec::new());
    }
    let plan = plan(prefix, lang, &SynonymTable::default(), true);
    if plan.is_empty() {
        return Ok(Vec::new());
    }
    Ok(run(conn, &plan, lang, limit, true)?
        .into_iter()
        .map(|h| Suggestion {
            slug: h.slug,
            title: h.title,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_become_quoted_words() {
        let p = plan(
            "disc AND NEAR(\"neck\"* ^pain",
            Lang::En,
            &SynonymTable::default(),
            false,
        );
        let fts = p.fts(true);
        assert_eq!(fts, "(\"disc\" AND \"near\" AND \"neck\" AND \"pain\")");
    }

    #[test]
    fn the_last_word_is_a_prefix_only_while_typing() {
        let p = plan("herniated di", Lang::En, &SynonymTable::default(), true);
        assert_eq!(p.terms, ["herniat"]);
        assert_eq!(p.prefix, Some(("di".into(), "di".into())));
        let done = plan("herniated di ", Lang::En, &SynonymTable::default(), true);
        assert!(done.prefix.is_none());
    }

    #[test]
    fn quote_doubles_inner_quotes() {
        assert_eq!(quote("a\"b"), "\"a\"\"b\"");
    }

    #[test]
    fn snippets_mark_matching_words_and_escape_the_rest() {
        let analyzer = Analyzer::new(Lang::En);
        let stems: HashSet<&str> = ["disc"].into_iter().collect();
        let s = snippet("A <b> disc & discs sit here.", "", &analyzer, &stems, None);
        assert_eq!(
            s,
            "A &lt;b&gt; <mark>disc</mark> &amp; <mark>discs</mark> sit here."
        );
    }

    /// The first-letter filter must not drop a word that starts with a capital or with an
    /// accented or non-ASCII letter, nor keep one that only shares a first letter.
    #[test]
    fn snippets_mark_capitalised_and_accented_words() {
        let analyzer = Analyzer::new(Lang::Es);
        let owned = [analyzer.stem("úlcera"), analyzer.stem("rodilla")];
        let stems: HashSet<&str> = owned.iter().map(String::as_str).collect();
        let s = snippet(
            "Úlceras en la Rodilla: rodillas y ulcera, no rueda.",
            "",
            &analyzer,
            &stems,
            None,
        );
        assert_eq!(
            s,
            "<mark>Úlceras</mark> en la <mark>Rodilla</mark>: <mark>rodillas</mark> y <mark>ulcera</mark>, no rueda."
        );
        let prefix = ("ñan".to_string(), "ñan".to_string());
        let s = snippet(
            "Ñandú y ñandúes",
            "",
            &analyzer,
            &HashSet::new(),
            Some(&prefix),
        );
        assert_eq!(s, "<mark>Ñandú</mark> y <mark>ñandúes</mark>");
    }
}
