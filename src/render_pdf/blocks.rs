//! Record Markdown as a tree of blocks and inlines for the Typst templates.
//! Record text never becomes Typst source: the templates receive strings
//! inside this tree (as JSON) and set them as plain text, so `#`, `$`, `*`,
//! `@` or `<label>` in a record print as typed.

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Block {
    Paragraph { inlines: Vec<Inline> },
    Heading { level: u8, inlines: Vec<Inline> },
    List { ordered: bool, start: u64, items: Vec<Vec<Block>> },
    Table { header: Vec<Vec<Inline>>, rows: Vec<Vec<Vec<Inline>>> },
    Quote { blocks: Vec<Block> },
    Code { text: String },
    Rule,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "t", rename_all = "lowercase")]
pub enum Inline {
    Text { s: String },
    Strong { c: Vec<Inline> },
    Emph { c: Vec<Inline> },
    Strike { c: Vec<Inline> },
    Code { s: String },
    Link { url: String, c: Vec<Inline> },
    Break,
}

/// An open container while walking the events.
enum Frame {
    Root(Vec<Block>),
    Paragraph(Vec<Inline>),
    Heading(u8, Vec<Inline>),
    List {
        ordered: bool,
        start: u64,
        items: Vec<Vec<Block>>,
    },
    Item(Vec<Block>, Vec<Inline>),
    Quote(Vec<Block>),
    Code(String),
    Table {
        header: Vec<Vec<Inline>>,
        rows: Vec<Vec<Vec<Inline>>>,
        in_head: bool,
    },
    Row(Vec<Vec<Inline>>),
    Cell(Vec<Inline>),
    Span(fn(Vec<Inline>) -> Inline, Vec<Inline>),
    Link(String, Vec<Inline>),
    /// Raw HTML and images: their text is kept, their markup dropped.
    Drop(Vec<Inline>),
}

/// Lists and quotes nested deeper than this are set as the text of the
/// deepest one: no council paper nests further, and Typst (like any reader)
/// has a limit to how deep a document may go.
const MAX_NESTING: usize = 8;

fn nesting(stack: &[Frame]) -> usize {
    stack.iter().filter(|f| matches!(f, Frame::List { .. } | Frame::Quote(_))).count()
}

/// Parses record Markdown into blocks.
pub fn parse(markdown: &str) -> Vec<Block> {
    let text = crate::markdown::split_hand_markers(markdown);
    let mut stack: Vec<Frame> = vec![Frame::Root(Vec::new())];
    for event in Parser::new_ext(&text, crate::markdown::options()) {
        match event {
            Event::Start(tag) if too_deep(&stack, &tag) => {
                push_text(&mut stack, " ");
                stack.push(Frame::Drop(Vec::new()));
            }
            Event::Start(tag) => stack.push(open(tag)),
            Event::End(_) if stack.len() > 1 => {
                let frame = stack.pop().unwrap_or(Frame::Root(Vec::new()));
                close(frame, &mut stack);
            }
            Event::End(_) => {}
            Event::Text(t) => push_text(&mut stack, &t),
            Event::Code(t) => push_inline(&mut stack, Inline::Code { s: t.to_string() }),
            // Raw HTML in a record is text, as in the HTML pages.
            Event::Html(t) | Event::InlineHtml(t) => push_text(&mut stack, &t),
            Event::SoftBreak => push_text(&mut stack, " "),
            Event::HardBreak => push_inline(&mut stack, Inline::Break),
            Event::Rule => push_block(&mut stack, Block::Rule),
            _ => {}
        }
    }
    while stack.len() > 1 {
        let frame = stack.pop().unwrap_or(Frame::Root(Vec::new()));
        close(frame, &mut stack);
    }
    match stack.pop() {
        Some(Frame::Root(blocks)) => blocks,
        _ => Vec::new(),
    }
}

/// Whether a new container would nest too deep: a list or quote past
/// [`MAX_NESTING`], anything inside text already flattened, or any element
/// at all past a hard limit (emphasis inside emphasis a thousand deep).
fn too_deep(stack: &[Frame], tag: &Tag<'_>) -> bool {
    let container = matches!(tag, Tag::List(_) | Tag::BlockQuote(_));
    stack.len() >= 4 * MAX_NESTING
        || matches!(stack.last(), Some(Frame::Drop(_)))
        || (container && nesting(stack) >= MAX_NESTING)
}

fn open(tag: Tag<'_>) -> Frame {
    match tag {
        Tag::Paragraph => Frame::Paragraph(Vec::new()),
        Tag::Heading { level, .. } => Frame::Heading(heading_level(level), Vec::new()),
        Tag::List(start) => Frame::List { ordered: start.is_some(), start: start.unwrap_or(1), items: Vec::new() },
        Tag::Item => Frame::Item(Vec::new(), Vec::new()),
        Tag::BlockQuote(_) => Frame::Quote(Vec::new()),
        Tag::CodeBlock(_) => Frame::Code(String::new()),
        Tag::Table(_) => Frame::Table { header: Vec::new(), rows: Vec::new(), in_head: false },
        Tag::TableHead => Frame::Row(Vec::new()),
        Tag::TableRow => Frame::Row(Vec::new()),
        Tag::TableCell => Frame::Cell(Vec::new()),
        Tag::Strong => Frame::Span(|c| Inline::Strong { c }, Vec::new()),
        Tag::Emphasis => Frame::Span(|c| Inline::Emph { c }, Vec::new()),
        Tag::Strikethrough => Frame::Span(|c| Inline::Strike { c }, Vec::new()),
        Tag::Link { dest_url, .. } => Frame::Link(dest_url.to_string(), Vec::new()),
        _ => Frame::Drop(Vec::new()),
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 | HeadingLevel::H2 | HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn close(frame: Frame, stack: &mut [Frame]) {
    match frame {
        Frame::Paragraph(inlines) => push_block(stack, Block::Paragraph { inlines }),
        Frame::Heading(level, inlines) => push_block(stack, Block::Heading { level, inlines }),
        Frame::List { ordered, start, items } => push_block(stack, Block::List { ordered, start, items }),
        Frame::Item(mut blocks, loose) => {
            // A tight list item's text arrives without a paragraph around it.
            if !loose.is_empty() {
                blocks.insert(0, Block::Paragraph { inlines: loose });
            }
            if let Some(Frame::List { items, .. }) = stack.last_mut() {
                items.push(blocks);
            }
        }
        Frame::Quote(blocks) => push_block(stack, Block::Quote { blocks }),
        Frame::Code(text) => push_block(stack, Block::Code { text: text.trim_end().to_string() }),
        Frame::Table { header, rows, .. } => push_block(stack, Block::Table { header, rows }),
        Frame::Row(cells) => {
            if let Some(Frame::Table { header, rows, in_head }) = stack.last_mut() {
                if header.is_empty() && !*in_head {
                    *header = cells;
                    *in_head = true;
                } else {
                    rows.push(cells);
                }
            }
        }
        Frame::Cell(inlines) => {
            if let Some(Frame::Row(cells)) = stack.last_mut() {
                cells.push(inlines);
            }
        }
        Frame::Span(make, c) => push_inline(stack, make(c)),
        Frame::Link(url, c) => {
            // Only web and mail links are kept as links; others as their text.
            if url.starts_with("https://") || url.starts_with("http://") || url.starts_with("mailto:") {
                push_inline(stack, Inline::Link { url, c });
            } else {
                for i in c {
                    push_inline(stack, i);
                }
            }
        }
        Frame::Drop(c) => {
            for i in c {
                push_inline(stack, i);
            }
        }
        Frame::Root(_) => {}
    }
}

fn push_block(stack: &mut [Frame], block: Block) {
    match stack.last_mut() {
        Some(Frame::Root(b) | Frame::Quote(b)) => b.push(block),
        Some(Frame::Item(b, loose)) => {
            if !loose.is_empty() {
                b.push(Block::Paragraph { inlines: std::mem::take(loose) });
            }
            b.push(block);
        }
        _ => {}
    }
}

/// The run of inlines a frame collects, if it collects inlines.
fn inlines_of(frame: &mut Frame) -> Option<&mut Vec<Inline>> {
    match frame {
        Frame::Paragraph(c)
        | Frame::Heading(_, c)
        | Frame::Cell(c)
        | Frame::Span(_, c)
        | Frame::Link(_, c)
        | Frame::Drop(c)
        | Frame::Item(_, c) => Some(c),
        _ => None,
    }
}

fn push_inline(stack: &mut [Frame], inline: Inline) {
    if let Some(c) = stack.last_mut().and_then(inlines_of) {
        c.push(inline);
        return;
    }
    match stack.last_mut() {
        Some(Frame::Code(s)) => {
            if let Inline::Text { s: t } = inline {
                s.push_str(&t);
            }
        }
        Some(Frame::Root(blocks) | Frame::Quote(blocks)) => blocks.push(Block::Paragraph { inlines: vec![inline] }),
        _ => {}
    }
}

/// Puts an invisible break opportunity (U+200B) every 30 characters into
/// runs of 40 or more letters or digits, which are never words and would
/// otherwise run off the page.
pub fn break_long_runs(text: &str) -> std::borrow::Cow<'_, str> {
    let mut run = 0;
    if !text.chars().any(|c| {
        run = if c.is_alphanumeric() { run + 1 } else { 0 };
        run >= 40
    }) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + text.len() / 30 * 3);
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        while i < chars.len() && chars[i].is_alphanumeric() {
            i += 1;
        }
        let len = i - start;
        for (k, c) in chars[start..i].iter().enumerate() {
            if len >= 40 && k > 0 && k % 30 == 0 {
                out.push('\u{200B}');
            }
            out.push(*c);
        }
        if i < chars.len() {
            out.push(chars[i]);
            i += 1;
        }
    }
    std::borrow::Cow::Owned(out)
}

fn push_text(stack: &mut [Frame], text: &str) {
    if text.is_empty() {
        return;
    }
    let text = &*break_long_runs(text);
    // Merge with a preceding text run, so a template sets fewer pieces.
    if let Some(c) = stack.last_mut().and_then(inlines_of) {
        if let Some(Inline::Text { s }) = c.last_mut() {
            s.push_str(text);
            return;
        }
    }
    push_inline(stack, Inline::Text { s: text.to_string() });
}

/// Whether the author numbered paragraphs themselves (an ordered list at
/// the top level of any section).
pub fn numbers_paragraphs(sections: &[Vec<Block>]) -> bool {
    sections.iter().flatten().any(|b| matches!(b, Block::List { ordered: true, .. }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Inline {
        Inline::Text { s: s.into() }
    }

    #[test]
    fn paragraphs_lists_and_emphasis() {
        let b = parse("(i) To agree.\n(ii) To **delegate**.\n\n3. Numbered\n4. Next\n   - a. sub");
        assert_eq!(b[0], Block::Paragraph { inlines: vec![text("(i) To agree.")] });
        assert_eq!(
            b[1],
            Block::Paragraph {
                inlines: vec![text("(ii) To "), Inline::Strong { c: vec![text("delegate")] }, text(".")]
            }
        );
        let Block::List { ordered: true, start: 3, items } = &b[2] else { panic!("{:?}", b[2]) };
        assert_eq!(items.len(), 2);
        assert!(matches!(items[1][1], Block::List { ordered: false, .. }), "{:?}", items[1]);
    }

    #[test]
    fn tables_keep_header_and_empty_cells() {
        let b = parse("| Post | | Days |\n|---|---|---|\n| Director | Steve Crocker | 1 |\n| Admin | | 0.5 |");
        let Block::Table { header, rows } = &b[0] else { panic!() };
        assert_eq!(header.len(), 3);
        assert_eq!(rows[1][1], Vec::<Inline>::new());
        assert_eq!(rows[0][1], vec![text("Steve Crocker")]);
    }

    #[test]
    fn long_runs_get_break_opportunities() {
        let long = "a".repeat(70);
        let text = format!("see {long} here");
        let broken = break_long_runs(&text);
        assert_eq!(broken.matches('\u{200B}').count(), 2);
        assert_eq!(broken.replace('\u{200B}', ""), format!("see {long} here"));
        assert!(matches!(break_long_runs("ordinary words only"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn deep_nesting_is_flattened_not_lost() {
        let md = format!(
            "{} deep quote\n\n{}",
            ">".repeat(5000),
            (0..300).map(|i| format!("{}- item {i}\n", "  ".repeat(i))).collect::<String>()
        );
        let blocks = parse(&md);
        fn depth(b: &[Block]) -> usize {
            b.iter()
                .map(|b| match b {
                    Block::Quote { blocks } => 1 + depth(blocks),
                    Block::List { items, .. } => 1 + items.iter().map(|i| depth(i)).max().unwrap_or(0),
                    _ => 0,
                })
                .max()
                .unwrap_or(0)
        }
        assert!(depth(&blocks) <= MAX_NESTING, "{}", depth(&blocks));
        let json = serde_json::to_string(&blocks).unwrap();
        assert!(json.contains("deep quote") && json.contains("item 299"), "the text is kept");
    }

    #[test]
    fn markup_and_script_stay_text() {
        let b = parse("#read(\"/etc/passwd\") $x$ @ref <label> <script>alert(1)</script> [x](javascript:alert(1))");
        let json = serde_json::to_string(&b).unwrap();
        assert!(json.contains("#read(\\\"/etc/passwd\\\") $x$ @ref"), "{json}");
        assert!(json.contains("<label>"), "{json}");
        assert!(!json.contains("\"url\":\"javascript"), "{json}");
    }
}
