//! Record Markdown to safe HTML. Council text pasted from Word keeps its
//! hand-written structure: a line starting with `(i)`, `a.`, `1)` begins a
//! new paragraph. The HTML is sanitised with ammonia (no script, event
//! handlers, `javascript:` URLs, iframes, forms or styles), so whatever a
//! record holds, a page shows it as text and links.

use ammonia::Builder;
use pulldown_cmark::{html, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::OnceLock;

/// How deep lists and quotes may nest on a page (items count as a level).
const MAX_NESTING: usize = 16;

/// Markdown options shared by every renderer.
pub fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// Renders record Markdown to sanitised HTML. Headings inside a section are
/// demoted below the section's own `<h2>`.
pub fn to_html(markdown: &str) -> String {
    let text = split_hand_markers(markdown);
    // Links whose address is not a web, mail or relative one, and images
    // (a record has none of its own), become their text.
    let mut dropped: Vec<bool> = Vec::new();
    // Lists and quotes past this depth are set as their text: hostile
    // nesting would otherwise cost seconds in the sanitiser.
    let mut containers: Vec<bool> = Vec::new();
    let events = Parser::new_ext(&text, options()).filter_map(move |e| match e {
        Event::Start(Tag::List(_) | Tag::BlockQuote(_) | Tag::Item) => {
            let keep = containers.iter().filter(|k| **k).count() < MAX_NESTING;
            containers.push(keep);
            keep.then_some(e)
        }
        Event::End(TagEnd::List(_) | TagEnd::BlockQuote(_) | TagEnd::Item) => {
            containers.pop().unwrap_or(true).then_some(e)
        }
        Event::Start(Tag::Link { ref dest_url, .. }) => {
            let keep = safe_url(dest_url);
            dropped.push(!keep);
            keep.then_some(e)
        }
        Event::End(TagEnd::Link) => (!dropped.pop().unwrap_or(false)).then_some(e),
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        other => Some(other),
    });
    let events = events.map(|e| match e {
        Event::Start(Tag::Heading { level, id, classes, attrs }) => {
            Event::Start(Tag::Heading { level: demote(level), id, classes, attrs })
        }
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(demote(level))),
        // Councils write text, not HTML: raw HTML in a record shows as the
        // characters typed (ammonia below is a second line of defence).
        Event::Html(t) | Event::InlineHtml(t) => Event::Text(t),
        other => other,
    });
    let mut raw = String::with_capacity(text.len() + text.len() / 4);
    html::push_html(&mut raw, events);
    sanitiser().clean(&raw).to_string()
}

/// Whether a link may be followed from a page: web, mail and telephone
/// links, and relative ones (no scheme).
pub fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    if ["https://", "http://", "mailto:", "tel:"].iter().any(|p| lower.starts_with(p)) {
        return true;
    }
    // relative: no scheme before the first '/', '?' or '#'
    let head = lower.split(['/', '?', '#']).next().unwrap_or("");
    !head.contains(':') && !lower.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// A URL fit for an `href`: unsafe characters percent-encoded; `None` for a
/// scheme a page must not link to.
pub fn href(url: &str) -> Option<String> {
    let url = url.trim();
    if !safe_url(url) {
        return None;
    }
    let mut out = String::with_capacity(url.len());
    for b in url.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => out.push(b as char),
            b'-' | b'.' | b'_' | b'~' | b':' | b'/' | b'?' | b'#' | b'[' | b']' | b'@' | b'!' | b'$' | b'&' | b'\''
            | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=' | b'%' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    Some(out)
}

/// An e-mail address fit for a `mailto:` link.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    !local.is_empty() && domain.contains('.') && s.chars().all(|c| c.is_ascii_alphanumeric() || "@.-_+'".contains(c))
}

fn demote(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 | HeadingLevel::H2 => HeadingLevel::H3,
        other => other,
    }
}

/// The tags a record's Markdown may produce on a page.
const ALLOWED_TAGS: &[&str] = &[
    "p",
    "br",
    "a",
    "em",
    "strong",
    "b",
    "i",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "sup",
    "sub",
    "del",
    "s",
];

fn sanitiser() -> &'static Builder<'static> {
    static BUILDER: OnceLock<Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let tags: HashSet<&str> = ALLOWED_TAGS.iter().copied().collect();
        let mut b = Builder::default();
        b.tags(tags)
            .generic_attributes(HashSet::new())
            .tag_attributes([("a", ["href"].into_iter().collect()), ("ol", ["start"].into_iter().collect())].into())
            .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
            .link_rel(Some("noopener noreferrer"));
        b
    })
}

/// Checks rendered HTML holds only the tags and attributes the sanitiser
/// allows (for tests and the fuzzer): every `<` in the output opens an
/// allowed tag, since text `<` is escaped.
pub fn check_safe_html(html: &str) -> Result<(), String> {
    for (i, _) in html.match_indices('<') {
        let rest = &html[i + 1..];
        let end = rest.find('>').ok_or_else(|| format!("unclosed tag at {i}"))?;
        let tag = rest[..end].trim_start_matches('/');
        let name: String = tag.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        if !ALLOWED_TAGS.contains(&name.as_str()) {
            return Err(format!("<{name}> at {i}"));
        }
        let mut attrs = tag[name.len()..].trim_start();
        while !attrs.is_empty() && attrs != "/" {
            let key_end = attrs.find(|c: char| c == '=' || c.is_whitespace()).unwrap_or(attrs.len());
            let key = attrs[..key_end].to_ascii_lowercase();
            attrs = &attrs[key_end..];
            let mut value = "";
            if let Some(v) = attrs.strip_prefix("=\"") {
                let close = v.find('"').ok_or("unclosed attribute")?;
                value = &v[..close];
                attrs = &v[close + 1..];
            }
            attrs = attrs.trim_start();
            if !matches!(key.as_str(), "href" | "rel" | "start") {
                return Err(format!("attribute {key} on <{name}>"));
            }
            if key == "href" && !safe_url(&value.replace("&amp;", "&")) {
                return Err(format!("href {value}"));
            }
        }
    }
    Ok(())
}

/// Plain text of Markdown, for search and feeds: no markup, whitespace
/// folded.
pub fn to_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for e in Parser::new_ext(markdown, options()) {
        match e {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(_) => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a line starts with a hand-written paragraph marker: `(1)`,
/// `(a)`, `(iv)`, `a.`, `iv.`, `1)`.
pub fn starts_with_marker(line: &str) -> bool {
    let t = line.trim_start();
    let token = t.split_whitespace().next().unwrap_or("");
    if token.len() == t.len() {
        return false; // a marker alone with no text
    }
    let inner =
        |s: &str| !s.is_empty() && s.len() <= 5 && (s.chars().all(|c| c.is_ascii_digit()) || is_letter_or_roman(s));
    if let Some(body) = token.strip_prefix('(').and_then(|s| s.strip_suffix(')')) {
        return inner(body);
    }
    if let Some(body) = token.strip_suffix(')') {
        return body.chars().all(|c| c.is_ascii_digit()) && !body.is_empty() && body.len() <= 3;
    }
    if let Some(body) = token.strip_suffix('.') {
        return body.len() == 1 && body.chars().all(|c| c.is_ascii_lowercase()) || is_roman(body);
    }
    false
}

fn is_letter_or_roman(s: &str) -> bool {
    (s.len() == 1 && s.chars().all(|c| c.is_ascii_lowercase())) || is_roman(s)
}

fn is_roman(s: &str) -> bool {
    !s.is_empty() && s.len() <= 5 && s.chars().all(|c| matches!(c, 'i' | 'v' | 'x'))
}

/// Inserts a blank line before a line that starts with a hand-written
/// marker, outside code blocks and tables, so it becomes its own paragraph.
pub fn split_hand_markers(md: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut changed = false;
    let mut fenced = false;
    let mut prev_blank = true;
    let mut prev_table = false;
    for line in md.split_inclusive('\n') {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            fenced = !fenced;
        }
        let table = t.starts_with('|');
        if !fenced && !prev_blank && !prev_table && !table && starts_with_marker(line) {
            out.push('\n');
            changed = true;
        }
        out.push_str(line);
        prev_blank = t.trim().is_empty();
        prev_table = table;
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(md)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_markers_start_paragraphs() {
        let html = to_html("(i) To agree.\n(ii) To delegate.\na. first\nb. second\nThe end e.g. here.");
        // "The end" continues the paragraph above it: only markers split.
        assert_eq!(html.matches("<p>").count(), 4, "{html}");
        assert!(html.contains("<p>(ii) To delegate.</p>"));
    }

    #[test]
    fn markers_are_recognised() {
        for ok in ["(1) x", "(a) x", "(iv) x", "a. x", "iv. x", "1) x", "  (ii) x"] {
            assert!(starts_with_marker(ok), "{ok}");
        }
        for no in ["e.g. x", "Mr. x", "(note) x", "1.5 x", "(i)", "ab. x", "2024) x"] {
            assert!(!starts_with_marker(no), "{no}");
        }
    }

    #[test]
    fn html_in_records_is_shown_as_text_and_never_runs() {
        let html = to_html("<script>alert(1)</script><img src=x onerror=alert(1)> <iframe srcdoc='<script>alert(1)</script>'></iframe><form><input></form><a href=\"https://example.org\" onclick=\"alert(1)\">ok</a>");
        for bad in ["<script", "<img", "<iframe", "<form", "<input", "<a "] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the text stays readable: {html}");
        let link = to_html(
            "[click](javascript:alert(1)) and [entity](&#106;avascript:alert(1)) and [ok](https://example.org)",
        );
        assert!(!link.contains("javascript"), "{link}");
        assert!(link.contains("<a href=\"https://example.org\" rel=\"noopener noreferrer\">ok</a>"), "{link}");
    }

    #[test]
    fn unsafe_links_and_images_become_text() {
        let html = to_html("[a](javascript:x) [b](data:text/html,x) [c](vbscript:x) ![d](https://x.org/i.png) [e](../f/) [g](https://x.org/?q=<s>)");
        assert_eq!(html.matches("<a ").count(), 2, "{html}");
        assert!(!html.contains(">a</a>") && html.contains("a b c d"), "{html}");
        assert_eq!(
            href("https://example.org/r.pdf?a=1&b=<script>").unwrap(),
            "https://example.org/r.pdf?a=1&b=%3Cscript%3E"
        );
        assert_eq!(href("javascript:alert(1)"), None);
        assert_eq!(href(" JaVaScRiPt:alert(1)"), None);
        assert!(is_email("jane.smith@example.gov.uk"));
        assert!(!is_email("a@example.org\" onmouseover=\"x"));
    }

    #[test]
    fn deep_nesting_is_capped_and_kept_as_text() {
        let html = to_html(&format!("{} deep", ">".repeat(10_000)));
        assert!(html.matches("<blockquote>").count() <= MAX_NESTING, "{}", html.matches("<blockquote>").count());
        assert!(html.contains("deep"));
        assert_eq!(html.matches("<blockquote>").count(), html.matches("</blockquote>").count());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        #[test]
        fn no_markup_gets_through(text in "([-<>/\"'=()\\[\\]!#*_`|\n :a-z0-9&;]|<script>|<img src=x onerror=alert(1)>|javascript:|<a href=|<svg onload=|<iframe|\\]\\(|&#106;){0,40}") {
            let html = to_html(&text);
            if let Err(why) = check_safe_html(&html) {
                return Err(proptest::test_runner::TestCaseError::fail(format!("{why}: {html}")));
            }
        }
    }

    #[test]
    fn the_checker_catches_markup() {
        assert!(check_safe_html("<p>ok <a href=\"https://x.org\" rel=\"noopener noreferrer\">x</a></p>").is_ok());
        assert!(check_safe_html("<script>x</script>").is_err());
        assert!(check_safe_html("<a href=\"javascript:x\">x</a>").is_err());
        assert!(check_safe_html("<p onclick=\"x\">x</p>").is_err());
    }

    #[test]
    fn tables_render_and_headings_are_demoted() {
        let html = to_html("# Big\n\n| Measure | Target |\n|---|---|\n| Schools good | 90% |\n");
        assert!(html.contains("<h3>Big</h3>"));
        assert!(html.contains("<td>Schools good</td>"));
        assert!(!html.contains("style="));
    }

    #[test]
    fn text_strips_markup() {
        assert_eq!(to_text("**Bold** and [a link](https://x.org)\n\n- item"), "Bold and a link item");
    }
}
