//! Article bodies: Markdown to sanitized HTML, plus the plain text that search and the
//! reading-level estimate need. Constructs a patient screen should not get are reported.

use std::collections::HashSet;
use std::path::Path;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::diagnostics::{line_of, Diagnostics};

/// What an article body turns into.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rendered {
    /// Sanitized HTML: headings with ids, paragraphs, lists, emphasis.
    pub html: String,
    /// Heading texts, one per line.
    pub headings: String,
    /// Body text without headings; blocks separated by newlines.
    pub text: String,
    /// Sentences as the readability estimate counts them: headings and list items end one
    /// even without a full stop.
    pub sentence_text: String,
}

/// Renders `body` (which starts on line `body_line` of `path`), reporting raw HTML, images,
/// links, tables and `#` headings.
// Long on purpose: one pass over the parser's events, whose handling shares the open
// heading, the block's text and the heading ids given; one match keeps each event's
// handling beside the others.
pub fn render(body: &str, path: &Path, body_line: usize, diags: &mut Diagnostics) -> Rendered {
    let line_at = |offset: usize| body_line + line_of(body, offset) - 1;
    if body.trim().is_empty() {
        diags.error(
            path,
            body_line,
            "body",
            "the article has no text; write it below the closing `+++` line",
        );
        return Rendered::default();
    }

    let mut out = Rendered::default();
    let mut events = Vec::new();
    let mut in_heading: Option<(HeadingLevel, String)> = None;
    let mut ids = HashSet::new();
    let mut block = String::new();
    // `<b>x</b>` is two HTML events; one message per line is enough.
    let mut html_lines = HashSet::new();

    let parser = Parser::new_ext(body, Options::ENABLE_STRIKETHROUGH).into_offset_iter();
    for (event, range) in parser {
        match &event {
            Event::Html(_) | Event::InlineHtml(_) => {
                if html_lines.insert(line_at(range.start)) {
                    diags.error(
                        path,
                        line_at(range.start),
                        "body",
                        "raw HTML is not allowed; use Markdown (## headings, - lists, **bold**)",
                    );
                }
                continue;
            }
            Event::Start(Tag::Image { .. }) => {
                diags.error(
                    path,
                    line_at(range.start),
                    "body",
                    "images are not allowed in articles; describe it in words",
                );
            }
            Event::Start(Tag::Link { .. }) => {
                diags.error(
                    path,
                    line_at(range.start),
                    "body",
                    "links are not allowed on the kiosk; name the article in `related` instead",
                );
            }
            Event::Start(Tag::Heading { level, .. }) => {
                if *level == HeadingLevel::H1 {
                    diags.error(
                        path,
                        line_at(range.start),
                        "body",
                        "use `##` headings; the title comes from the front matter",
                    );
                }
                in_heading = Some((*level, String::new()));
                continue;
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text)) = in_heading.take() {
                    let id = unique_id(&text, &mut ids);
                    let level = match level {
                        HeadingLevel::H1 | HeadingLevel::H2 => 2,
                        HeadingLevel::H3 => 3,
                        _ => 4,
                    };
                    events.push(Event::Html(
                        format!(
                            "<h{level} id=\"{id}\">{}</h{level}>\n",
                            escape_html(text.trim())
                        )
                        .into(),
                    ));
                    out.headings.push_str(text.trim());
                    out.headings.push('\n');
                    out.sentence_text.push_str(text.trim());
                    out.sentence_text.push_str(".\n");
                }
                continue;
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, heading)) = in_heading.as_mut() {
                    heading.push_str(t);
                    continue;
                }
                block.push_str(t);
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some((_, heading)) = in_heading.as_mut() {
                    heading.push(' ');
                    continue;
                }
                block.push(' ');
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::BlockQuote(_)) => {
                flush(&mut block, &mut out);
            }
            _ => {
                if in_heading.is_some() {
                    continue;
                }
            }
        }
        events.push(event);
    }
    flush(&mut block, &mut out);

    let mut raw = String::new();
    pulldown_cmark::html::push_html(&mut raw, events.into_iter());
    out.html = sanitize(&raw);
    if out.text.trim().is_empty() {
        diags.error(
            path,
            body_line,
            "body",
            "the article has headings but no text; write paragraphs under them",
        );
    }
    out
}

fn flush(block: &mut String, out: &mut Rendered) {
    let text = block.trim();
    if !text.is_empty() {
        out.text.push_str(text);
        out.text.push('\n');
        out.sentence_text.push_str(text);
        if !text.ends_with(['.', '!', '?', ':', ';']) {
            out.sentence_text.push('.');
        }
        out.sentence_text.push('\n');
    }
    block.clear();
}

/// Allows only the markup an article needs; anything else is dropped.
fn sanitize(html: &str) -> String {
    let tags: HashSet<&str> = [
        "h2",
        "h3",
        "h4",
        "p",
        "ul",
        "ol",
        "li",
        "strong",
        "em",
        "del",
        "blockquote",
        "br",
        "hr",
        "code",
    ]
    .into_iter()
    .collect();
    ammonia::Builder::default()
        .tags(tags)
        .generic_attributes(HashSet::new())
        .add_tag_attributes("h2", &["id"])
        .add_tag_attributes("h3", &["id"])
        .add_tag_attributes("h4", &["id"])
        .add_tag_attributes("ol", &["start"])
        .link_rel(None)
        .url_schemes(HashSet::new())
        .clean(html)
        .to_string()
}

fn unique_id(text: &str, used: &mut HashSet<String>) -> String {
    let mut base = String::new();
    for c in text.to_lowercase().chars() {
        if c.is_alphanumeric() {
            base.push(c);
        } else if !base.ends_with('-') && !base.is_empty() {
            base.push('-');
        }
    }
    let base = base.trim_end_matches('-').to_string();
    let base = if base.is_empty() {
        "section".to_string()
    } else {
        base
    };
    let mut id = base.clone();
    let mut n = 2;
    while !used.insert(id.clone()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn render_ok(body: &str) -> (Rendered, Diagnostics) {
        let mut diags = Diagnostics::default();
        let r = render(body, &PathBuf::from("a.md"), 10, &mut diags);
        (r, diags)
    }

    #[test]
    fn headings_get_ids_and_lists_survive() {
        let (r, diags) = render_ok("## What is it?\n\nA disc.\n\n- one\n- two\n");
        assert!(!diags.has_errors());
        assert!(
            r.html.contains("<h2 id=\"what-is-it\">What is it?</h2>"),
            "{}",
            r.html
        );
        assert!(r.html.contains("<li>one</li>"), "{}", r.html);
        assert_eq!(r.headings, "What is it?\n");
        assert_eq!(r.text, "A disc.\none\ntwo\n");
    }

    #[test]
    fn raw_html_is_reported_with_its_line_and_never_rendered() {
        let (r, diags) = render_ok("## Hi\n\nText.\n\n<script>alert(1)</script>\n");
        let all = diags.sorted();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].line, 14);
        assert!(all[0].message.contains("raw HTML"));
        assert!(!r.html.contains("script"));
    }

    #[test]
    fn inline_html_is_reported_once_per_line() {
        let (r, diags) = render_ok("## Hi\n\nSome <b>bold</b> text.\n");
        assert_eq!(diags.error_count(), 1, "{:?}", diags.sorted());
        assert!(!r.html.contains("<b>"), "{}", r.html);
    }

    #[test]
    fn an_empty_body_is_an_error() {
        let (_, diags) = render_ok("  \n\n");
        assert!(diags.has_errors());
    }

    #[test]
    fn repeated_headings_get_distinct_ids() {
        let (r, _) = render_ok("## Risks\n\nA.\n\n## Risks\n\nB.\n");
        assert!(r.html.contains("id=\"risks\""));
        assert!(r.html.contains("id=\"risks-2\""));
    }

    #[test]
    fn headings_text_is_escaped() {
        let (r, _) = render_ok("## Fish & chips <3?\n\nA.\n");
        assert!(r.html.contains("Fish &amp; chips &lt;3?"), "{}", r.html);
    }
}
