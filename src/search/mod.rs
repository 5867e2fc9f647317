//! The search index: decreg's own, made for a register of any size. The
//! browser fetches only the pieces a query needs: a small manifest, one
//! shard per query word (terms grouped by their first letters, split until
//! each shard is small), and the result summaries it shows, four
//! decisions a file. Filters are precomputed lists of decisions per value,
//! fetched only when someone opens the filters.
//!
//! Everything indexed comes from public views ([`PublicRecord`]) and
//! their [`Summary`], never from HTML, so nothing a page hides can be
//! searched for.
//!
//! Decisions are numbered in listing order (newest first), so "newest
//! first" is the order of their numbers, and postings are written in
//! ascending order as pages are rendered, batch by batch.

mod facets;
mod files;

use crate::public::PublicRecord;
use crate::render_html::Summary;
use rustc_hash::FxHashMap;
use unicode_normalization::UnicodeNormalization;

pub use files::{write_index, Edit, Index, INDEX_DIR};

/// Words longer than this are not indexed (no real word is; hostile
/// input might be).
const MAX_WORD: usize = 40;

/// The highest weight a term can have in one decision (4 bits).
const MAX_WEIGHT: u8 = 15;

/// The indexed terms of one decision with their weights (1..=15): a word
/// in the title counts most, then one in the decision maker, subjects or
/// areas, then how often it comes in the text. Held as one buffer, each
/// word (folded, so letters and digits only) followed by its weight, a
/// byte below 16: a build of 100,000 decisions makes and keeps millions of
/// them, and one allocation a decision is far cheaper than one a word.
#[derive(Debug, Clone, PartialEq)]
pub struct Terms(Vec<u8>);

impl Terms {
    fn push(&mut self, word: &str, weight: u8) {
        self.0.extend_from_slice(word.as_bytes());
        self.0.push(weight);
    }

    /// Each word with its weight.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u8)> + '_ {
        // Every word is ASCII (see `fold` and `from_bytes`), and so is every
        // weight byte: the buffer is text, checked once rather than a word
        // at a time, and cut only at ASCII bytes.
        let text = std::str::from_utf8(&self.0).unwrap_or_default();
        let mut start = 0;
        text.bytes().enumerate().filter(|&(_, b)| b <= MAX_WEIGHT).map(move |(at, weight)| {
            let word = &text[start..at];
            start = at + 1;
            (word, weight)
        })
    }

    /// The terms as bytes, for a build to keep.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The terms [`Terms::as_bytes`] gave; `None` for bytes it did not.
    /// One pass over the bytes: a build reads every kept decision's terms.
    pub fn from_bytes(bytes: Vec<u8>) -> Option<Terms> {
        let mut word = 0usize;
        for &b in &bytes {
            if b <= MAX_WEIGHT {
                // a weight ends a word of at least one letter, and is not 0
                if word == 0 || b == 0 {
                    return None;
                }
                word = 0;
            } else if b.is_ascii_alphanumeric() {
                word += 1;
            } else {
                return None;
            }
        }
        (word == 0).then_some(Terms(bytes))
    }
}

/// Appends `text` folded, as the index keeps words (`search.js` folds a
/// query the same way): ASCII letters lower-cased, digits kept, accents
/// dropped from other letters (NFD, then no combining marks), anything
/// else a space.
fn fold(text: &str, out: &mut String) {
    out.reserve(text.len() + 1);
    for c in text.chars() {
        if c.is_ascii() {
            out.push(if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { ' ' });
            continue;
        }
        for d in std::iter::once(c).nfd().filter(|c| !('\u{300}'..='\u{36f}').contains(c)).flat_map(char::to_lowercase)
        {
            out.push(if d.is_ascii_lowercase() || d.is_ascii_digit() { d } else { ' ' });
        }
    }
    out.push(' ');
}

/// Whether a folded word is indexed: single letters are left out, single
/// digits kept.
fn kept(w: &str) -> bool {
    !w.is_empty() && w.len() <= MAX_WORD && (w.len() > 1 || w.as_bytes()[0].is_ascii_digit())
}

/// Whether a folded word of a title is indexed: as [`kept`], and also a
/// single letter that names something ("Zone G", "Phase F", "Block C"),
/// so that a title typed whole finds that decision before its siblings.
/// "a" and "i" are mostly words, and "s" is what a possessive leaves
/// ("Mary’s"); those are left out. `search.js` asks for single letters
/// without requiring them, since only titles have them.
fn kept_in_title(w: &str) -> bool {
    kept(w) || (w.len() == 1 && w.as_bytes()[0].is_ascii_lowercase() && !matches!(w, "a" | "i" | "s"))
}

/// The terms of a public record.
pub fn terms(p: &PublicRecord) -> Terms {
    let mut title = String::new();
    fold(&p.title, &mut title);
    let mut labels = String::new();
    for label in [&p.decision_maker]
        .into_iter()
        .chain(p.council.as_ref())
        .chain(p.reference.as_ref())
        .chain(&p.areas)
        .chain(&p.subjects)
        .chain(p.report_author.as_ref().map(|a| &a.name))
        .chain(p.exempt.as_ref().map(|e| &e.citation))
    {
        fold(label, &mut labels);
    }
    let mut text = String::new();
    for s in &p.sections {
        fold(&s.heading, &mut text);
        fold(&crate::markdown::to_text(&s.markdown), &mut text);
    }
    // (in the title, in a label, times in the text) per word
    let mut counts: FxHashMap<&str, (bool, bool, u32)> = FxHashMap::default();
    for w in title.split(' ').filter(|w| kept_in_title(w)) {
        counts.entry(w).or_default().0 = true;
    }
    for w in labels.split(' ').filter(|w| kept(w)) {
        counts.entry(w).or_default().1 = true;
    }
    for w in text.split(' ').filter(|w| kept(w)) {
        counts.entry(w).or_default().2 += 1;
    }
    let mut terms = Terms(Vec::with_capacity(counts.keys().map(|w| w.len() + 1).sum()));
    for (w, (in_title, in_label, times)) in counts {
        let text_weight = match times {
            0 => 0,
            1 => 1,
            2..=3 => 2,
            _ => 3,
        };
        let weight = 8 * u8::from(in_title) + 4 * u8::from(in_label) + text_weight;
        terms.push(w, weight.clamp(1, MAX_WEIGHT));
    }
    terms
}

/// One term's postings, gap-coded as it grows: each decision is the varint
/// of `(gap << 4) | weight`, the first gap counted from -1.
#[derive(Default)]
struct Postings {
    last: Option<u32>,
    count: u32,
    bytes: Vec<u8>,
}

impl Postings {
    fn push(&mut self, doc: u32, weight: u8) {
        let gap = self.last.map_or(doc + 1, |last| doc - last);
        files::push_varint(&mut self.bytes, (u64::from(gap) << 4) | u64::from(weight));
        self.last = Some(doc);
        self.count += 1;
    }

    /// The decisions and weights, in order.
    fn decode(&self) -> Entries<'_> {
        Entries { bytes: &self.bytes, at: 0, doc: -1 }
    }

    /// These postings after an edit (see [`Edit`]): the decisions before
    /// the edit's window as they were, then `new`'s (the window's, in
    /// their new numbers), then those after the window, moved by as many
    /// as the edit added or took. Gap coding lets the bytes on either side
    /// of the window be copied as they are: only the first gap after it
    /// changes.
    fn spliced(&self, window: &Window, new: Option<&Postings>) -> Postings {
        let mut entries = self.decode();
        let mut out = Postings::default();
        let mut before = 0;
        let mut next = None;
        while let Some((doc, weight)) = entries.next() {
            if doc >= window.from {
                next = Some((doc, weight));
                break;
            }
            before = entries.at;
            out.last = Some(doc);
            out.count += 1;
        }
        out.bytes.extend_from_slice(&self.bytes[..before]);
        for (doc, weight) in new.into_iter().flat_map(Postings::decode) {
            out.push(doc, weight);
        }
        let mut read = out.count - new.map_or(0, |p| p.count);
        while let Some((doc, weight)) = next {
            read += 1;
            if doc >= window.old_end {
                out.push(window.moved(doc), weight);
                out.bytes.extend_from_slice(&self.bytes[entries.at..]);
                out.count += self.count - read;
                out.last = self.last.map(|last| window.moved(last));
                break;
            }
            next = entries.next();
        }
        out
    }
}

/// A gap list read back: each decision with its weight, in order.
struct Entries<'a> {
    bytes: &'a [u8],
    /// The offset of the next entry.
    at: usize,
    doc: i64,
}

impl Iterator for Entries<'_> {
    type Item = (u32, u8);

    fn next(&mut self) -> Option<(u32, u8)> {
        let mut v: u64 = 0;
        let mut shift = 0;
        loop {
            let b = *self.bytes.get(self.at)?;
            self.at += 1;
            v |= u64::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                break;
            }
        }
        self.doc += (v >> 4) as i64;
        Some((self.doc as u32, (v & 15) as u8))
    }
}

/// The numbers an edit changed: decisions `from..old_end` were replaced
/// by those now numbered `from..old_end + moved_by`; those after moved by
/// `moved_by`.
struct Window {
    from: u32,
    old_end: u32,
    moved_by: i64,
}

impl Window {
    fn moved(&self, doc: u32) -> u32 {
        (i64::from(doc) + self.moved_by) as u32
    }
}

/// The index as it is built, decision by decision, in listing order.
#[derive(Default)]
pub struct IndexBuilder {
    terms: FxHashMap<Box<str>, Postings>,
    docs: u32,
}

impl IndexBuilder {
    /// A builder whose first decision is numbered `first`: the first of
    /// those an edit changed (see [`Index::edited`]).
    pub fn starting_at(first: u32) -> IndexBuilder {
        IndexBuilder { terms: FxHashMap::default(), docs: first }
    }

    /// Adds the next decision (numbered in the order added).
    pub fn add(&mut self, terms: &Terms) {
        let doc = self.docs;
        for (term, weight) in terms.iter() {
            match self.terms.get_mut(term) {
                Some(p) => p.push(doc, weight),
                None => {
                    let mut p = Postings::default();
                    p.push(doc, weight);
                    self.terms.insert(Box::from(term), p);
                }
            }
        }
        self.docs += 1;
    }

    /// The number the next decision added would have.
    pub fn docs(&self) -> u32 {
        self.docs
    }
}

/// The facets a search can be filtered by, with each decision's values.
pub const FACETS: [&str; 8] =
    ["decision_maker", "meeting", "year", "status", "key_decision", "call_in", "subject", "area"];

/// The values of facet `key` for one decision.
pub fn facet_values<'a>(s: &'a Summary, key: &str) -> Vec<std::borrow::Cow<'a, str>> {
    use std::borrow::Cow::{Borrowed, Owned};
    match key {
        "decision_maker" => vec![Borrowed(s.decision_maker.as_str())],
        // the body whose meeting took it
        "meeting" => s.meeting.iter().map(|m| Borrowed(m.body.as_str())).collect(),
        "year" => s.year.map(|y| Owned(y.to_string())).into_iter().collect(),
        "status" => vec![Borrowed(s.status_label)],
        "key_decision" => vec![Borrowed(if s.key_decision { "Key decision" } else { "Not a key decision" })],
        "call_in" => vec![Borrowed(s.call_in_label)],
        "subject" => s.subjects.iter().map(|v| Borrowed(v.as_str())).collect(),
        "area" => s.areas.iter().map(|v| Borrowed(v.as_str())).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let mut folded = String::new();
        fold(text, &mut folded);
        folded.split(' ').filter(|w| kept(w)).map(str::to_string).collect()
    }

    #[test]
    fn words_fold_case_and_accents_and_split_on_the_rest() {
        let w = words("Café Révisé: £1.2m for the Council’s “Station Quarter” a 5 x");
        assert_eq!(w, ["cafe", "revise", "1", "2m", "for", "the", "council", "station", "quarter", "5"]);
    }

    #[test]
    fn a_title_keeps_the_letters_that_name_things_and_the_text_does_not() {
        let mut title = String::new();
        fold("Residents’ Parking – St Mary’s Zone G, Block C: a Phase I plan", &mut title);
        let terms: Vec<&str> = title.split(' ').filter(|w| kept_in_title(w)).collect();
        assert_eq!(terms, ["residents", "parking", "st", "mary", "zone", "g", "block", "c", "phase", "plan"]);
        assert!(!kept("g"), "a letter in the text is not a term");
    }

    #[test]
    fn terms_read_back_from_their_bytes() {
        let mut terms = Terms(Vec::new());
        for (w, weight) in [("station", 9), ("2m", 1), ("quarter", 15)] {
            terms.push(w, weight);
        }
        assert_eq!(terms.iter().collect::<Vec<_>>(), [("station", 9), ("2m", 1), ("quarter", 15)]);
        assert_eq!(Terms::from_bytes(terms.as_bytes().to_vec()), Some(terms));
        assert_eq!(Terms::from_bytes(b"cut".to_vec()), None, "a word without its weight");
        assert_eq!(Terms::from_bytes(vec![3]), None, "a weight without its word");
        assert_eq!(Terms::from_bytes(b"a b\x01".to_vec()), None, "a word not folded");
        assert_eq!(Terms::from_bytes(b"ab\x00".to_vec()), None, "a weight of 0");
        assert_eq!(Terms::from_bytes(b"ab\x01\x02".to_vec()), None, "two weights for one word");
        assert_eq!(Terms::from_bytes(Vec::new()).map(|t| t.iter().count()), Some(0), "no terms at all");
    }

    #[test]
    fn overlong_words_are_dropped() {
        let long = "a".repeat(MAX_WORD + 1);
        assert_eq!(words(&format!("x{long} ok")), ["ok"]);
    }

    fn postings(entries: &[(u32, u8)]) -> Postings {
        let mut p = Postings::default();
        entries.iter().for_each(|&(doc, weight)| p.push(doc, weight));
        p
    }

    #[test]
    fn postings_spliced_are_the_postings_made_anew() {
        let old = [(0, 3), (4, 1), (5, 9), (7, 2), (130, 4), (131, 1), (900, 15)];
        /// An edit of decisions `from..old_end`: what the window now
        /// holds with the word, and how many decisions in all.
        struct Case {
            from: u32,
            old_end: u32,
            window: &'static [(u32, u8)],
            held: u32,
        }
        let case = |from, old_end, window, held| Case { from, old_end, window, held };
        let edits = [
            case(5, 6, &[(5, 12)], 1),        // a title edited in place
            case(5, 6, &[], 1),               // the word left a decision
            case(0, 0, &[(0, 8)], 1),         // a decision added first
            case(4, 8, &[(5, 2), (6, 9)], 3), // some of those in the window moved
            case(131, 131, &[], 0),           // nothing changed at all
            case(130, 900, &[(130, 4)], 1),   // many taken away
            case(901, 901, &[(901, 1)], 1),   // one added last
        ];
        for Case { from, old_end, window, held } in edits {
            let moved_by = i64::from(from + held) - i64::from(old_end);
            let w = Window { from, old_end, moved_by };
            let new = (!window.is_empty()).then(|| postings(window));
            let got = postings(&old).spliced(&w, new.as_ref());
            let mut want: Vec<(u32, u8)> = old.iter().copied().filter(|&(d, _)| d < from).collect();
            want.extend_from_slice(window);
            want.extend(old.iter().filter(|&&(d, _)| d >= old_end).map(|&(d, wt)| (w.moved(d), wt)));
            let want = postings(&want);
            assert_eq!((&got.bytes, got.count, got.last), (&want.bytes, want.count, want.last), "{from}..{old_end}");
        }
    }

    #[test]
    fn postings_are_gap_coded_with_their_weight() {
        let mut p = Postings::default();
        p.push(0, 3);
        p.push(5, 15);
        p.push(300, 1);
        // (1 << 4) | 3 = 19; (5 << 4) | 15 = 95; (295 << 4) | 1 = 4721 = 0xF1 0x24 as varint
        assert_eq!(p.bytes, [19, 95, 0xF1, 0x24]);
        assert_eq!(p.count, 3);
        assert_eq!(p.decode().collect::<Vec<_>>(), [(0, 3), (5, 15), (300, 1)]);
    }
}
