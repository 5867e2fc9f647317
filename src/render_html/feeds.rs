//! Atom feeds of the newest decisions: of all of them and of each decision
//! maker, made from summaries (`Recipe::Feed` in the site's plan).

use super::{Renderer, Summary};
use std::fmt::Write as _;

/// Entries in a feed.
const FEED_SIZE: usize = 50;

/// XML text escaping.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // characters XML 1.0 cannot carry
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

fn atom_date(s: &Summary) -> String {
    feed_date(s).to_string() + "T00:00:00Z"
}

/// The day a feed dates a decision by: its publication, else its date.
fn feed_date(s: &Summary) -> &str {
    s.published.as_ref().or(s.date.as_ref()).map_or("1970-01-01", |d| d.iso.as_str())
}

/// The decisions a feed of `items` shows: the newest, newest first.
pub(super) fn feed_entries<'s>(items: &[&'s Summary]) -> Vec<&'s Summary> {
    let newest_first = |a: &&Summary, b: &&Summary| feed_date(b).cmp(feed_date(a)).then_with(|| a.id.cmp(&b.id));
    first_in_order(items.to_vec(), FEED_SIZE, newest_first)
}

/// The first `n` of `items` in `order`, in that order. They are picked out
/// before they are sorted: the feed of all decisions is made from every
/// decision at each build.
fn first_in_order<T>(mut items: Vec<T>, n: usize, order: impl Fn(&T, &T) -> std::cmp::Ordering) -> Vec<T> {
    if n == 0 {
        return Vec::new();
    }
    if items.len() > n {
        items.select_nth_unstable_by(n - 1, &order);
        items.truncate(n);
    }
    items.sort_by(order);
    items
}

/// An Atom feed of the newest decisions among `items` (newest first), and
/// the decisions it shows.
pub fn atom<'s>(r: &Renderer<'_>, title: &str, self_path: &str, items: &[&'s Summary]) -> (String, Vec<&'s Summary>) {
    let base = r.site.base_url.clone().unwrap_or_default();
    let id_of = |path: &str| {
        if base.is_empty() {
            format!("urn:decreg:{}:{path}", crate::records::parse::slugify(&r.site.council))
        } else {
            format!("{base}{path}")
        }
    };
    let entries = feed_entries(items);
    let updated = entries.first().map_or_else(|| format!("{}T00:00:00Z", r.site.today.iso), |s| atom_date(s));
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"");
    if !base.is_empty() {
        let _ = write!(x, " xml:base=\"{}\"", xml(&base));
    }
    let _ = write!(
        x,
        ">\n  <title>{}</title>\n  <id>{}</id>\n  <updated>{updated}</updated>\n  <author><name>{}</name></author>\n  <link rel=\"self\" href=\"{}\"/>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n  <generator>decreg</generator>\n",
        xml(title),
        xml(&id_of(self_path)),
        xml(&r.site.council),
        xml(&format!("{base}{self_path}")),
        xml(&if base.is_empty() { "./".to_string() } else { base.clone() }),
    );
    for s in &entries {
        let path = format!("decisions/{}/", s.id);
        let _ = write!(
            x,
            "  <entry>\n    <title>{}</title>\n    <id>{}</id>\n    <updated>{}</updated>\n    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n    <author><name>{}</name></author>\n    <category term=\"{}\" label=\"{}\"/>\n    <summary>{}</summary>\n  </entry>\n",
            xml(&s.title),
            xml(&id_of(&path)),
            atom_date(s),
            xml(&format!("{base}{path}")),
            xml(&s.decision_maker),
            s.status,
            xml(s.status_label),
            xml(&format!("{} – {}. {}", s.decision_maker, s.status_label, s.excerpt)),
        );
    }
    x.push_str("</feed>\n");
    (x, entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_in_order_are_those_a_whole_sort_puts_first() {
        // a fixed pseudo-random sequence, with repeats
        let items: Vec<u32> = (0..500u32).map(|i| i.wrapping_mul(2_654_435_761) % 97).collect();
        for n in [0, 1, 50, 499, 500, 600] {
            let mut sorted = items.clone();
            sorted.sort_by(|a, b| b.cmp(a));
            sorted.truncate(n);
            assert_eq!(first_in_order(items.clone(), n, |a, b| b.cmp(a)), sorted, "n = {n}");
        }
    }

    #[test]
    fn xml_escapes_markup_and_drops_control_characters() {
        assert_eq!(xml("<a href=\"x\">&'\u{1}"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
    }
}
