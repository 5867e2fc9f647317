//! Body sections: splitting a Markdown body at its `##` headings and
//! recognising the headings councils use for the sections the law names
//! (purpose, decision, reasons, alternatives), whatever their wording.

use super::model::{Section, SectionKind};
use super::text::line_of;
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// The known section a heading names, if any. Case, trailing colons, a
/// leading paragraph number and `(s)` plurals are ignored, so "REASONS FOR
/// THE DECISION(S):" and "3. Purpose of report" are recognised.
pub fn classify(heading: &str) -> Option<SectionKind> {
    let h = normalise(heading);
    let h = h.as_str();
    match h {
        "purpose" | "purpose of report" | "purpose of the report" | "summary" | "executive summary" => {
            Some(SectionKind::Purpose)
        }
        "recommendation" | "recommendations" => Some(SectionKind::Recommendations),
        "decision" | "decisions" | "resolved" | "decision made" | "decisions made" => Some(SectionKind::Decision),
        "reasons" | "reason" => Some(SectionKind::Reasons),
        "alternatives" | "options considered" => Some(SectionKind::Alternatives),
        _ if is_reasons(h) => Some(SectionKind::Reasons),
        _ if is_alternatives(h) => Some(SectionKind::Alternatives),
        _ => None,
    }
}

fn normalise(heading: &str) -> String {
    let lower = heading.trim().to_lowercase().replace("(s)", "s");
    let lower = lower.trim_end_matches([':', '.', ' ']);
    // a leading paragraph or section number: "3.", "3", "A."
    let words: Vec<&str> = lower.split_whitespace().collect();
    let skip =
        usize::from(words.len() > 1 && words[0].trim_end_matches('.').chars().all(|c| c.is_ascii_digit() || c == '.'));
    words[skip..].join(" ")
}

/// Reason(s) for (the) decision(s) in any combination, and reasons for
/// recommendation(s).
fn is_reasons(h: &str) -> bool {
    let Some(rest) = h.strip_prefix("reasons for ").or_else(|| h.strip_prefix("reason for ")) else {
        return false;
    };
    let rest = rest.strip_prefix("the ").unwrap_or(rest);
    matches!(rest, "decision" | "decisions" | "recommendation" | "recommendations")
}

/// Alternative/other options considered (and rejected), with an optional
/// leading "any".
fn is_alternatives(h: &str) -> bool {
    let h = h.strip_prefix("any ").unwrap_or(h);
    let h = h.strip_suffix(" and rejected").unwrap_or(h);
    matches!(
        h,
        "alternative options considered"
            | "other options considered"
            | "alternative options"
            | "other options"
            | "alternatives considered"
    )
}

/// Splits a Markdown body into sections at its level-2 headings. Text before
/// the first heading becomes a section with an empty heading. Headings
/// inside code blocks are not headings, which is why this reads the body
/// with a Markdown parser rather than by lines.
pub fn split_markdown(body: &str, first_line: u32) -> Vec<Section> {
    let mut heads: Vec<(usize, usize, String)> = Vec::new(); // (start, end, text)
    let mut current: Option<(usize, String)> = None;
    for (event, range) in Parser::new_ext(body, Options::ENABLE_TABLES).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level: HeadingLevel::H2, .. }) => current = Some((range.start, String::new())),
            Event::End(TagEnd::Heading(HeadingLevel::H2)) => {
                if let Some((start, text)) = current.take() {
                    heads.push((start, range.end, text));
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, text)) = current.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some((_, text)) = current.as_mut() {
                    text.push(' ');
                }
            }
            _ => {}
        }
    }
    let mut sections = Vec::with_capacity(heads.len() + 1);
    let preamble_end = heads.first().map_or(body.len(), |h| h.0);
    let preamble = body[..preamble_end].trim();
    if !preamble.is_empty() {
        let offset = body.len() - body.trim_start().len();
        sections.push(Section {
            heading: String::new(),
            kind: None,
            body: preamble.to_string(),
            line: line_of(body, offset, first_line),
        });
    }
    for (i, (start, end, text)) in heads.iter().enumerate() {
        let next = heads.get(i + 1).map_or(body.len(), |h| h.0);
        let heading = text.trim().to_string();
        sections.push(Section {
            kind: classify(&heading),
            heading,
            body: body[*end..next].trim().to_string(),
            line: line_of(body, *start, first_line),
        });
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_spec_variants() {
        use SectionKind::*;
        let cases = [
            ("Purpose", Purpose),
            ("Purpose of report", Purpose),
            ("Summary", Purpose),
            ("RECOMMENDATIONS", Recommendations),
            ("Recommendation", Recommendations),
            ("Decision", Decision),
            ("Decisions", Decision),
            ("RESOLVED:", Decision),
            ("Decision made", Decision),
            ("Reason for decision", Reasons),
            ("Reasons for the decision", Reasons),
            ("Reason(s) for the decision(s)", Reasons),
            ("Reasons for Decisions", Reasons),
            ("Reason for the decisions", Reasons),
            ("Reasons for recommendations", Reasons),
            ("Alternative options considered", Alternatives),
            ("Other Options Considered", Alternatives),
            ("Alternative options considered and rejected", Alternatives),
            ("Any alternative options considered and rejected", Alternatives),
            ("Other options considered and rejected", Alternatives),
            ("3. Purpose", Purpose),
        ];
        for (h, k) in cases {
            assert_eq!(classify(h), Some(k), "{h}");
        }
        for h in ["Introduction", "Financial implications", "Appendix 1: Staffing", "Background papers"] {
            assert_eq!(classify(h), None, "{h}");
        }
    }

    #[test]
    fn splits_at_level_two_headings_only() {
        let body = "\nIntro text.\n\n## Purpose\n\nTo consider.\n\n### Detail\n\nMore.\n\n```\n## not a heading\n```\n\n## Decision\n(i) To agree.\n";
        let s = split_markdown(body, 10);
        assert_eq!(s.len(), 3);
        assert_eq!((s[0].heading.as_str(), s[0].line), ("", 11));
        assert_eq!(s[1].kind, Some(SectionKind::Purpose));
        assert_eq!(s[1].line, 13);
        assert!(s[1].body.contains("### Detail") && s[1].body.contains("## not a heading"));
        assert_eq!(s[2].kind, Some(SectionKind::Decision));
        assert_eq!(s[2].body, "(i) To agree.");
        assert_eq!(s[2].line, 25);
    }
}
