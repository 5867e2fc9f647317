//! A ModernGov decision-details page (`ieDecisionDetails.aspx`) read by its
//! labels: saved HTML is parsed with a real HTML parser (html5ever, through
//! scraper) and laid out as the lines a browser shows, and copied text is
//! those lines already, so one reader of labelled lines serves both.
//! ModernGov prints `Decision Maker: Cabinet` (older sites `Decision Maker
//! :-Cabinet`); a label that starts a section (`Purpose:`, `Decision:`) is
//! followed by its paragraphs up to the next label.

use scraper::{ElementRef, Html, Node, Selector};

/// One line of a page as shown: its text, and the link it carries if it
/// is (or holds) a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub text: String,
    pub href: Option<String>,
}

/// What a page's labels say, each value as printed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Page {
    /// The decision's id in ModernGov, and the page's address.
    pub id: Option<String>,
    pub url: Option<String>,
    pub title: Option<String>,
    /// Labelled values, in page order: (label as printed, its lines).
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub label: Label,
    /// The label as the page prints it, without its colon.
    pub printed: String,
    pub lines: Vec<Line>,
}

/// The labels decreg knows, by what they hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    DecisionMaker,
    Status,
    KeyDecision,
    CallIn,
    Purpose,
    Decision,
    Reasons,
    Alternatives,
    Interests,
    ReportAuthor,
    Published,
    DecisionDate,
    Meeting,
    EffectiveFrom,
    CallInDeadline,
    LeadMember,
    LeadOfficer,
    Areas,
    Documents,
    Title,
    Reference,
    ExpectedDate,
    ContactOfficer,
}

/// The labels as pages print them (compared without case, spaces or
/// punctuation at the end), and what each holds.
const LABELS: &[(&str, Label)] = &[
    ("decision maker", Label::DecisionMaker),
    ("decision status", Label::Status),
    ("is key decision?", Label::KeyDecision),
    ("key decision", Label::KeyDecision),
    ("is subject to call in?", Label::CallIn),
    ("is subject to call-in?", Label::CallIn),
    ("subject to call in", Label::CallIn),
    ("purpose", Label::Purpose),
    ("decision", Label::Decision),
    ("decisions", Label::Decision),
    ("reasons for the decision", Label::Reasons),
    ("reason for the decision", Label::Reasons),
    ("reasons for decision", Label::Reasons),
    ("reason for decision", Label::Reasons),
    ("reasons for the decisions", Label::Reasons),
    ("alternative options considered", Label::Alternatives),
    ("alternative options considered and rejected", Label::Alternatives),
    ("alternative options rejected", Label::Alternatives),
    ("other options considered", Label::Alternatives),
    ("interests and nature of interests declared", Label::Interests),
    ("report author", Label::ReportAuthor),
    ("publication date", Label::Published),
    ("date of decision", Label::DecisionDate),
    ("decided at meeting", Label::Meeting),
    ("effective from", Label::EffectiveFrom),
    ("call-in deadline date", Label::CallInDeadline),
    ("call in deadline date", Label::CallInDeadline),
    ("lead member", Label::LeadMember),
    ("lead officer", Label::LeadOfficer),
    ("wards affected", Label::Areas),
    ("divisions affected", Label::Areas),
    ("accompanying documents", Label::Documents),
    // older sites' `Label :-value` tables
    ("subject of decision", Label::Title),
    ("reference number", Label::Reference),
    ("date", Label::DecisionDate),
    ("subject to call-in", Label::CallIn),
    ("decision to take effect at end of", Label::CallInDeadline),
    ("attachments", Label::Documents),
    ("contact officer", Label::ContactOfficer),
    ("contact officers", Label::ContactOfficer),
    ("conflicts of interest declared (and dispensations granted by the monitoring officer)", Label::Interests),
    ("conflicts of interest declared", Label::Interests),
    // the forward plan's wording, on pages of decisions not yet taken
    ("decision due", Label::ExpectedDate),
];

/// The label a line starts with, and the rest of the line: `Label: value`
/// or the older `Label :-value`.
fn labelled(text: &str) -> Option<(Label, String, String)> {
    let (head, rest) = if let Some(at) = text.find(":-") {
        (&text[..at], &text[at + 2..])
    } else {
        let at = text.find(':')?;
        (&text[..at], &text[at + 1..])
    };
    let key = head.trim().to_lowercase();
    LABELS
        .iter()
        .find(|(name, _)| *name == key)
        .map(|(_, label)| (*label, head.trim().to_string(), rest.trim().to_string()))
}

/// Reads a page: HTML when it looks like HTML, else copied text.
pub fn read(text: &str) -> Page {
    let lines = if looks_like_html(text) { html_lines(text) } else { text_lines(text) };
    let mut page = from_lines(&lines);
    page.url = saved_from(text);
    page.id = page.url.as_deref().and_then(id_in_url).or_else(|| id_in_text(text));
    page
}

fn looks_like_html(text: &str) -> bool {
    let start = text.trim_start().get(..200).unwrap_or(text.trim_start()).to_ascii_lowercase();
    start.starts_with("<!doctype") || start.starts_with("<html") || start.starts_with("<!--") || start.contains("<body")
}

/// The page's address: the "saved from" comment browsers write, or its
/// canonical link, or any `ieDecisionDetails.aspx?ID=` address in it.
fn saved_from(text: &str) -> Option<String> {
    if let Some(at) = text.find("saved from url=(") {
        let rest = &text[at..];
        let start = rest.find(')')? + 1;
        let end = rest[start..].find(|c: char| c.is_whitespace()).map_or(rest.len(), |e| start + e);
        let url = rest[start..end].trim().trim_end_matches("-->");
        if url.starts_with("http") {
            return Some(url.to_string());
        }
    }
    if let Some(url) = canonical(text) {
        return Some(url);
    }
    let at = text.find("ieDecisionDetails.aspx?")?;
    let start = text[..at].rfind(|c: char| c == '"' || c == '\'' || c.is_whitespace()).map_or(0, |s| s + 1);
    let end = text[at..]
        .find(|c: char| c == '"' || c == '\'' || c == '<' || c.is_whitespace())
        .map_or(text.len(), |e| at + e);
    let url = text[start..end].replace("&amp;", "&");
    url.starts_with("http").then_some(url)
}

/// `<link rel="canonical" href="...">`, read with the HTML parser.
fn canonical(text: &str) -> Option<String> {
    let doc = Html::parse_document(text);
    let sel = Selector::parse(r#"link[rel="canonical"]"#).ok()?;
    doc.select(&sel).find_map(|l| l.value().attr("href")).filter(|h| h.starts_with("http")).map(str::to_string)
}

/// The decision's id in an address: `ID=4792`.
fn id_in_url(url: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k.eq_ignore_ascii_case("id") && !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())).then(|| v.to_string())
    })
}

fn id_in_text(text: &str) -> Option<String> {
    let at = text.find("ieDecisionDetails.aspx?")?;
    let end = text[at..].find(|c: char| c.is_whitespace() || c == '"' || c == '<').map_or(text.len(), |e| at + e);
    id_in_url(&text[at..end])
}

/// Copied text: hard-wrapped lines joined into paragraphs (a blank line
/// ends one; a line opening with a list marker starts one).
fn text_lines(text: &str) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    let mut open = false;
    for raw in text.lines() {
        let t = collapse(raw);
        if t.is_empty() {
            open = false;
            continue;
        }
        let starts = labelled(&t).is_some() || starts_with_marker(&t);
        match out.last_mut() {
            Some(last) if open && !starts && labelled(&last.text).is_none_or(|(_, _, v)| !v.is_empty()) => {
                last.text.push(' ');
                last.text.push_str(&t);
            }
            _ => out.push(Line { text: t, href: None }),
        }
        open = true;
    }
    out
}

/// A hand-written list marker opening a line: `(i)`, `(a)`, `(1)`, `a.`,
/// `i.`, `1.`, `1)`.
pub fn starts_with_marker(t: &str) -> bool {
    let word = t.split_whitespace().next().unwrap_or("");
    let body = |s: &str| {
        (!s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()))
            || (s.len() == 1 && s.bytes().all(|b| b.is_ascii_alphabetic()))
            || (!s.is_empty() && s.len() <= 4 && s.chars().all(|c| "ivxlc".contains(c)))
    };
    match word.strip_prefix('(') {
        Some(rest) => rest.strip_suffix(')').is_some_and(body),
        None => word.strip_suffix('.').or_else(|| word.strip_suffix(')')).is_some_and(body),
    }
}

/// Runs of white space (non-breaking spaces too) as one space, trimmed.
fn collapse(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '\u{a0}').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Elements that break a line where they start and end.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "tr",
    "ul",
    "ol",
    "table",
    "section",
    "article",
    "dd",
    "dt",
    "dl",
    "blockquote",
    "br",
    "td",
    "th",
    "header",
    "footer",
    "form",
    "main",
];

/// Elements whose text is never the page's.
const SKIPPED: &[&str] = &["script", "style", "noscript", "nav", "head", "template", "iframe", "select", "button"];

/// The lines of a saved HTML page's content, as a browser lays them out.
fn html_lines(text: &str) -> Vec<Line> {
    let doc = Html::parse_document(text);
    let root = ["#modgov", ".mgContent", "#mgContent", "main", "#content", "body"]
        .iter()
        .filter_map(|s| Selector::parse(s).ok())
        .find_map(|s| doc.select(&s).next())
        .unwrap_or_else(|| doc.root_element());
    let mut w = LineWriter::default();
    walk(root, &mut w);
    w.flush();
    let mut lines = w.lines;
    if let Some(title) = html_title(&doc) {
        lines.retain(|l| l.text != title);
        lines.insert(0, Line { text: format!("{TITLE_MARK}{title}"), href: None });
    }
    lines
}

/// Marks the line that holds the page's title (the `h1`).
const TITLE_MARK: &str = "\u{1}title:";

/// The decision's title: ModernGov prints it as `h2.mgSubTitleTxt` under
/// an `h1` that says "Decision details"; other pages in an `h1`.
fn html_title(doc: &Html) -> Option<String> {
    let sel = Selector::parse(".mgSubTitleTxt, h1").ok()?;
    doc.select(&sel)
        .map(|h| collapse(&h.text().collect::<String>()))
        .find(|t| !t.is_empty() && !t.eq_ignore_ascii_case("decision details"))
}

#[derive(Default)]
struct LineWriter {
    lines: Vec<Line>,
    text: String,
    href: Option<String>,
}

impl LineWriter {
    fn flush(&mut self) {
        let t = collapse(&self.text);
        if !t.is_empty() {
            self.lines.push(Line { text: t, href: self.href.take() });
        }
        self.text.clear();
        self.href = None;
    }
}

fn walk(el: ElementRef<'_>, w: &mut LineWriter) {
    for child in el.children() {
        match child.value() {
            Node::Text(t) => w.text.push_str(t),
            Node::Element(e) => {
                let name = e.name();
                // a document's file size, and the links to other pages
                let other = e.classes().any(|c| c == "mgFileSize" || c == "mgActionList");
                if SKIPPED.contains(&name) || other {
                    continue;
                }
                let Some(child_el) = ElementRef::wrap(child) else { continue };
                let block = BLOCKS.contains(&name);
                if block {
                    w.flush();
                }
                if name == "a" && w.href.is_none() {
                    w.href = e.attr("href").map(str::to_string);
                }
                if name == "td" || name == "th" {
                    // a cell of a label-value table reads as one line
                    w.text.push(' ');
                    walk(child_el, w);
                    w.text.push(' ');
                    continue;
                }
                walk(child_el, w);
                if block {
                    w.flush();
                }
            }
            _ => {}
        }
    }
}

/// The page's labelled fields from its lines. The title is the marked
/// line (HTML) or, in copied text, the line after "Decision details".
fn from_lines(lines: &[Line]) -> Page {
    let mut page = Page::default();
    let mut current: Option<usize> = None;
    let mut after_heading = false;
    for line in lines {
        if let Some(title) = line.text.strip_prefix(TITLE_MARK) {
            page.title = Some(title.to_string());
            continue;
        }
        if let Some((label, printed, value)) = labelled(&line.text) {
            let mut lines = Vec::new();
            if !value.is_empty() {
                lines.push(Line { text: value, href: line.href.clone() });
            }
            page.fields.push(Field { label, printed, lines });
            current = Some(page.fields.len() - 1);
            continue;
        }
        if line.text.eq_ignore_ascii_case("decision details") {
            after_heading = true;
            continue;
        }
        match current {
            Some(i) => page.fields[i].lines.push(line.clone()),
            None if after_heading && page.title.is_none() => page.title = Some(line.text.clone()),
            None => {}
        }
    }
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_old_and_new() {
        assert_eq!(
            labelled("Decision Maker: Cabinet").map(|l| (l.0, l.2)),
            Some((Label::DecisionMaker, "Cabinet".into()))
        );
        assert_eq!(
            labelled("Decision Maker :-Cabinet").map(|l| (l.0, l.2)),
            Some((Label::DecisionMaker, "Cabinet".into()))
        );
        assert_eq!(labelled("Purpose:").map(|l| l.0), Some(Label::Purpose));
        assert_eq!(labelled("The decision: to agree"), None);
    }

    #[test]
    fn list_markers_start_paragraphs() {
        for yes in ["(i) To agree", "(a) x", "1. Both", "a. first", "ii. second", "1) one"] {
            assert!(starts_with_marker(yes), "{yes}");
        }
        for no in ["To agree", "Mr. Smith", "e.g. this", "2012. That"] {
            assert!(!starts_with_marker(no), "{no}");
        }
    }

    #[test]
    fn ids_from_addresses() {
        assert_eq!(id_in_url("https://x.gov.uk/ieDecisionDetails.aspx?ID=4792").as_deref(), Some("4792"));
        assert_eq!(id_in_url("https://x.gov.uk/ieDecisionDetails.aspx?AIId=1&ID=12").as_deref(), Some("12"));
        let saved = "<!-- saved from url=(0060)https://d.example.gov.uk/ieDecisionDetails.aspx?ID=77 -->\n<html>";
        assert_eq!(read(saved).id.as_deref(), Some("77"));
    }

    #[test]
    fn hard_wrapped_text_is_joined() {
        let page = read("Decision details\n\nA Title\n\nPurpose:\n\nTo consider\nthe report.\n\n(i) one\n(ii) two\n");
        assert_eq!(page.title.as_deref(), Some("A Title"));
        let texts: Vec<&str> = page.fields[0].lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["To consider the report.", "(i) one", "(ii) two"]);
    }
}
