//! The index's files, all under `search-index/` and all gzip (the browser
//! inflates them with `DecompressionStream`, so a host that does not
//! compress still sends few bytes; a host that does and says so is
//! handled too, by the magic bytes).
//!
//! - `manifest.bin`: JSON `{v, docs, chunk, shards, stamp}`: how many
//!   decisions, how many to a summary file, and the shards' prefixes.
//! - `t/<prefix>.bin`: one shard: the terms starting with `prefix` (and not
//!   with a longer shard prefix). Binary: a varint count of terms, then
//!   each term as varint length, bytes, varint count of decisions and its
//!   postings (see `encode_term`).
//! - `d/<n>.bin`: JSON, the summaries of decisions `4n..4n+3`:
//!   `[id, title, decision maker, date, status, excerpt]`.
//! - `facets.bin`: JSON `{key: [[value, [gaps..]], ..]}`: the decisions of
//!   every filter value, gap-coded from -1.

use super::facets::FacetLists;
use super::{IndexBuilder, Postings, Terms, Window};
use crate::load::Error;
use crate::output::Staging;
use crate::render_html::Summary;
use flate2::write::GzEncoder;
use rayon::prelude::*;
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};
use std::hash::{Hash, Hasher};
use std::io::Write;

/// The folder of the index in the site.
pub const INDEX_DIR: &str = "search-index";

/// Decisions to a summary file: a page of twenty results, ranked by
/// relevance, touches up to twenty files of about a kilobyte each.
pub(super) const CHUNK: usize = 4;

/// A shard is split by its next letter while it holds more than this many
/// bytes (before compression; about a third of it after).
const SHARD_BYTES: usize = 16 * 1024;

/// Appends `v` as a LEB128 varint.
pub(super) fn push_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

pub(super) fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::with_capacity(bytes.len() / 3), flate2::Compression::new(6));
    // writing to a Vec cannot fail
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

/// The index as made: its vocabulary with each term's postings, its
/// shards and the keys of its files. A build makes it from every decision
/// and writes its files ([`write_index`]); `serve` holds it, so that an
/// edit encodes again only the terms and summary files it touches
/// ([`Index::edited`]), and answers for its files from it ([`Index::file`]).
#[derive(Default)]
pub struct Index {
    docs: u32,
    /// Sorted by word.
    terms: Vec<Term>,
    shards: Vec<Shard>,
    /// The key of each summary file (`d/<n>.bin`).
    chunks: Vec<u64>,
    /// Each filter value's decisions, which `facets.bin` lists: an edit
    /// that changes none of them keeps the file.
    lists: FacetLists,
    /// `facets.bin` and `manifest.bin`, compressed, and a hash of
    /// `facets.bin` before compression.
    facets: Vec<u8>,
    facets_key: u64,
    manifest: Vec<u8>,
}

/// A word of the vocabulary: its postings, and its entry as its shard
/// holds it (see [`encode_term`]).
struct Term {
    word: Box<str>,
    postings: Postings,
    entry: Vec<u8>,
}

impl Term {
    fn new(word: Box<str>, postings: Postings, docs: u32) -> Term {
        let entry = encode_term(&word, &postings, docs);
        Term { word, postings, entry }
    }
}

/// What an edit did to the decisions in listing order: those numbered
/// `from..old_end` were taken out, and those the index is given anew
/// (numbered from `from`) put in their place; the decisions after them
/// kept their order. A build from nothing is the edit that puts every
/// decision into an empty index (`Edit::default()`).
#[derive(Default)]
pub struct Edit {
    pub from: u32,
    pub old_end: u32,
    /// The terms of the decisions the edit took out or changed, as they
    /// were (the others of the window are among those given anew).
    pub taken: Vec<Terms>,
}

/// What is done with each file an index makes anew: a build writes it;
/// `serve` makes any file again when it is asked for.
type Made<'a> = dyn Fn(IndexFile) -> Result<(), Error> + Sync + 'a;

impl Index {
    /// The index after `edit`, given the decisions it put in (`added`,
    /// numbered from `edit.from`) and every decision's summary in listing
    /// order. Postings change only for the words of the decisions in the
    /// edit's window and, when their numbers moved, of those after it;
    /// entries are encoded again where postings changed (all of them when
    /// the number of decisions did), and summary files from the window on.
    /// Every shard is split and put together again from its entries: that
    /// only sums lengths and copies about 15 MB at 100,000 decisions.
    pub fn edited(self, edit: &Edit, added: IndexBuilder, summaries: &[Summary]) -> Result<Index, Error> {
        self.remade(edit, added, summaries, &|_| Ok(()))
    }

    /// As [`Index::edited`], handing each file made anew to `made` as
    /// soon as it is made (a build never holds them all).
    fn remade(self, edit: &Edit, added: IndexBuilder, summaries: &[Summary], made: &Made) -> Result<Index, Error> {
        let refused = |what: String| Err(Error { path: INDEX_DIR.into(), what });
        if edit.from > edit.old_end || edit.old_end > self.docs || added.docs < edit.from {
            let (from, old_end, held, next) = (edit.from, edit.old_end, self.docs, added.docs);
            return refused(format!("an edit of {from}..{old_end} of {held} decisions, given up to {next}"));
        }
        let docs = added.docs + (self.docs - edit.old_end);
        if docs as usize != summaries.len() {
            return refused(format!("the index's {docs} decisions are not the {} listed", summaries.len()));
        }
        let window = Window {
            from: edit.from,
            old_end: edit.old_end,
            moved_by: i64::from(added.docs) - i64::from(edit.old_end),
        };
        // an index made before, not the empty one a build starts from
        let earlier = !self.manifest.is_empty();
        let mut lists = self.lists;
        let (facets, facets_key) = if lists.edit(&window, summaries) || !earlier {
            let raw = lists.json();
            (gzip(&raw), key_of(&raw))
        } else {
            (self.facets, self.facets_key)
        };
        let terms = vocabulary(self.terms, &window, &edit.taken, added, docs);
        let mut shards = Vec::new();
        split(&terms, 1, &mut shards);
        shards.par_iter_mut().try_for_each(|s| made(s.made(&terms)))?;
        let chunks = chunk_keys(self.chunks, &window, summaries, made)?;
        let manifest = Manifest {
            v: 1,
            docs,
            chunk: CHUNK,
            shards: shards.iter().map(|s| s.prefix.clone()).collect(),
            stamp: stamp(&shards, &chunks, facets_key),
        };
        let manifest =
            serde_json::to_vec(&manifest).map_err(|e| Error { path: INDEX_DIR.into(), what: e.to_string() })?;
        let index = Index { docs, terms, shards, chunks, lists, facets, facets_key, manifest: gzip(&manifest) };
        Ok(index)
    }

    /// How many decisions it holds.
    pub fn docs(&self) -> u32 {
        self.docs
    }

    /// The file at `path` in the site, as served (compressed), given the
    /// summaries the index was made with.
    pub fn file(&self, path: &str, summaries: &[Summary]) -> Option<Vec<u8>> {
        let name = path.strip_prefix(INDEX_DIR)?.strip_prefix('/')?;
        match name {
            "facets.bin" => return Some(self.facets.clone()),
            "manifest.bin" => return Some(self.manifest.clone()),
            _ => (),
        }
        if let Some(n) = name.strip_prefix("d/").and_then(|n| n.strip_suffix(".bin")) {
            let chunk = n.parse::<usize>().ok().filter(|c| c.to_string() == n)?;
            let rows = summaries.chunks(CHUNK).nth(chunk)?;
            return Some(gzip(&doc_chunk(rows)));
        }
        let prefix = name.strip_prefix("t/")?.strip_suffix(".bin")?;
        let shard = self.shards.iter().find(|s| s.prefix == prefix)?;
        Some(gzip(&encode_shard(&self.terms[shard.range.clone()])))
    }
}

/// A file's key: SipHash, not the fast hash: a key that two contents
/// shared would keep a stale file.
fn key_of(raw: &[u8]) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    h.write(raw);
    h.finish()
}

/// The vocabulary after an edit: the postings of the words of the
/// decisions it took (`taken`) or put in (`added`) spliced, and those of
/// the words of decisions after it when their numbers moved. A term's
/// entry is made again where its postings changed, and every one when the
/// number of decisions did: an entry may hold a bitmap of all `docs`.
fn vocabulary(terms: Vec<Term>, window: &Window, taken: &[Terms], added: IndexBuilder, docs: u32) -> Vec<Term> {
    let taken: FxHashSet<&str> = taken.iter().flat_map(|t| t.iter().map(|(word, _)| word)).collect();
    let kept: Vec<Term> = terms
        .into_par_iter()
        .filter_map(|term| {
            let new = added.terms.get(&term.word);
            let touched = new.is_some() || taken.contains(&*term.word);
            let after = term.postings.last.is_some_and(|last| last >= window.old_end);
            if !touched && (window.moved_by == 0 || !after) {
                return Some(if window.moved_by == 0 { term } else { Term::new(term.word, term.postings, docs) });
            }
            let postings = term.postings.spliced(window, new);
            (postings.count > 0).then(|| Term::new(term.word, postings, docs))
        })
        .collect();
    let mut new: Vec<(Box<str>, Postings)> =
        added.terms.into_iter().filter(|(word, _)| kept.binary_search_by(|t| t.word.cmp(word)).is_err()).collect();
    new.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    merged(kept, new.into_par_iter().map(|(word, postings)| Term::new(word, postings, docs)).collect())
}

/// The keys of the summary files after an edit, those made anew handed
/// to `made`: the files from the window on, and after it too when the
/// decisions there moved.
fn chunk_keys(earlier: Vec<u64>, window: &Window, summaries: &[Summary], made: &Made) -> Result<Vec<u64>, Error> {
    let from = window.from as usize / CHUNK;
    let all = summaries.len().div_ceil(CHUNK);
    let to = if window.moved_by == 0 { (window.old_end as usize).div_ceil(CHUNK) } else { all };
    let remade: Vec<u64> = summaries
        .par_chunks(CHUNK)
        .enumerate()
        .skip(from)
        .take(to - from)
        .map(|(n, c)| {
            let file = chunk_file(n, c);
            let key = file.key;
            made(file).map(|()| key)
        })
        .collect::<Result<_, _>>()?;
    let mut chunks = earlier[..from.min(earlier.len())].to_vec();
    chunks.extend(remade);
    if window.moved_by == 0 {
        chunks.extend_from_slice(&earlier[to..]);
    }
    Ok(chunks)
}

/// A stamp of every file's content: the browser asks for the files with
/// it, so a cached shard of an older index is never mixed with this one.
fn stamp(shards: &[Shard], chunks: &[u64], facets_key: u64) -> String {
    let mut stamp = std::hash::DefaultHasher::new();
    for s in shards {
        shard_name(&s.prefix).hash(&mut stamp);
        s.key.hash(&mut stamp);
    }
    for (n, key) in chunks.iter().enumerate() {
        chunk_name(n).hash(&mut stamp);
        key.hash(&mut stamp);
    }
    facets_key.hash(&mut stamp);
    format!("{:016x}", stamp.finish())
}

/// Two sorted vocabularies as one.
fn merged(a: Vec<Term>, b: Vec<Term>) -> Vec<Term> {
    if b.is_empty() {
        return a;
    }
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
        let first = if x.word < y.word { a.next() } else { b.next() };
        out.extend(first);
    }
    out.extend(a);
    out.extend(b);
    out
}

fn shard_name(prefix: &str) -> String {
    format!("{INDEX_DIR}/t/{prefix}.bin")
}

fn chunk_name(n: usize) -> String {
    format!("{INDEX_DIR}/d/{n}.bin")
}

fn chunk_file(n: usize, chunk: &[Summary]) -> IndexFile {
    IndexFile::of(chunk_name(n), doc_chunk(chunk))
}

/// Builds the index from every decision and writes its files; returns
/// the index, for `serve` to hold.
pub fn write_index(index: IndexBuilder, summaries: &[Summary], out: &Staging) -> Result<Index, Error> {
    let index = Index::default().remade(&Edit::default(), index, summaries, &|f| f.write(out))?;
    out.write(&format!("{INDEX_DIR}/facets.bin"), &index.facets)?;
    out.write(&format!("{INDEX_DIR}/manifest.bin"), &index.manifest)?;
    Ok(index)
}

/// One of the index's files, before it is compressed: compressing is most
/// of what writing the index costs, and a file the staging folder holds
/// as made from the same bytes is kept as it is.
struct IndexFile {
    name: String,
    raw: Vec<u8>,
    /// A hash of `raw`.
    key: u64,
}

impl IndexFile {
    fn of(name: String, raw: Vec<u8>) -> IndexFile {
        IndexFile { name, key: key_of(&raw), raw }
    }

    fn write(&self, out: &Staging) -> Result<(), Error> {
        if out.holds(&self.name, self.key) {
            out.keep(&self.name, self.key)
        } else {
            out.write_keyed(&self.name, self.key, &gzip(&self.raw))
        }
    }
}

#[derive(Serialize, Deserialize)]
pub(super) struct Manifest {
    pub v: u32,
    pub docs: u32,
    pub chunk: usize,
    pub shards: Vec<String>,
    pub stamp: String,
}

/// A shard: the terms `range` of the sorted vocabulary, under `prefix`,
/// and the key of its file once made.
struct Shard {
    prefix: String,
    range: std::ops::Range<usize>,
    key: u64,
}

impl Shard {
    fn made(&mut self, terms: &[Term]) -> IndexFile {
        let file = IndexFile::of(shard_name(&self.prefix), encode_shard(&terms[self.range.clone()]));
        self.key = file.key;
        file
    }
}

/// A term's entry in a shard: its length and bytes, how many decisions
/// have it, then its postings in whichever form is smaller:
/// - `0`, then the gap list (see `Postings`);
/// - `1`, then the varint count and gap list of the decisions with the
///   term in their title (weight [`IN_TITLE`] or more), then a bitmap of
///   every decision that has it (bit `d % 8` of byte `d / 8`); the others
///   weigh 1. A word in most decisions costs an eighth of a byte a
///   decision, however common it is; how it weighs in the others is
///   dropped, which matters little for a word that common.
pub(super) fn encode_term(term: &str, p: &Postings, docs: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(term.len() + p.bytes.len() + 8);
    push_varint(&mut out, term.len() as u64);
    out.extend_from_slice(term.as_bytes());
    push_varint(&mut out, u64::from(p.count));
    let bitmap_bytes = (docs as usize).div_ceil(8);
    if p.bytes.len() <= bitmap_bytes {
        // smaller than any bitmap: most terms
        out.push(0);
        out.extend_from_slice(&p.bytes);
        return out;
    }
    let mut bitmap = vec![0u8; bitmap_bytes];
    let mut heavy = Postings::default();
    for (doc, weight) in p.decode() {
        bitmap[doc as usize / 8] |= 1 << (doc % 8);
        if weight >= IN_TITLE {
            heavy.push(doc, weight);
        }
    }
    if p.bytes.len() <= bitmap.len() + heavy.bytes.len() {
        out.push(0);
        out.extend_from_slice(&p.bytes);
        return out;
    }
    out.push(1);
    push_varint(&mut out, u64::from(heavy.count));
    out.extend_from_slice(&heavy.bytes);
    out.extend_from_slice(&bitmap);
    out
}

/// The least weight of a word in a decision's title (see `terms`).
pub(super) const IN_TITLE: u8 = 8;

/// Groups the sorted `terms` by their first `len` letters and splits each
/// group that is too big by its next letter. A term exactly as long as its
/// group's prefix stays in the group's own shard.
fn split(terms: &[Term], len: usize, shards: &mut Vec<Shard>) {
    split_range(terms, 0..terms.len(), len, shards);
}

fn split_range(terms: &[Term], range: std::ops::Range<usize>, len: usize, shards: &mut Vec<Shard>) {
    let mut start = range.start;
    while start < range.end {
        let prefix = prefix_of(&terms[start].word, len);
        let end = start + terms[start..range.end].partition_point(|t| prefix_of(&t.word, len) == prefix);
        let size: usize = terms[start..end].iter().map(|t| t.entry.len()).sum();
        let longer = terms[start..end].iter().position(|t| t.word.len() > len);
        match longer {
            Some(first_longer) if size > SHARD_BYTES => {
                // terms equal to the prefix sort first
                if first_longer > 0 {
                    shards.push(Shard { prefix: prefix.to_string(), range: start..start + first_longer, key: 0 });
                }
                split_range(terms, start + first_longer..end, len + 1, shards);
            }
            _ => shards.push(Shard { prefix: prefix.to_string(), range: start..end, key: 0 }),
        }
        start = end;
    }
}

fn prefix_of(term: &str, len: usize) -> &str {
    &term[..term.len().min(len)]
}

fn encode_shard(terms: &[Term]) -> Vec<u8> {
    let mut out = Vec::with_capacity(terms.iter().map(|t| t.entry.len()).sum::<usize>() + 4);
    push_varint(&mut out, terms.len() as u64);
    for t in terms {
        out.extend_from_slice(&t.entry);
    }
    out
}

pub(super) fn doc_chunk(chunk: &[Summary]) -> Vec<u8> {
    let rows: Vec<[&str; 6]> = chunk
        .iter()
        .map(|s| {
            [
                s.id.as_str(),
                s.title.as_str(),
                s.decision_maker.as_str(),
                s.date.as_ref().map_or("", |d| d.long.as_str()),
                s.status_label,
                s.excerpt.as_str(),
            ]
        })
        .collect();
    serde_json::to_vec(&rows).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary(words: &[&str], bytes_each: usize) -> Vec<Term> {
        let mut v: Vec<Term> = words
            .iter()
            .map(|w| Term { word: Box::from(*w), postings: Postings::default(), entry: vec![1; bytes_each] })
            .collect();
        v.sort_by(|a, b| a.word.cmp(&b.word));
        v
    }

    fn prefixes(terms: &[Term]) -> Vec<(String, Vec<String>)> {
        let mut shards = Vec::new();
        split(terms, 1, &mut shards);
        shards.into_iter().map(|s| (s.prefix, terms[s.range].iter().map(|t| t.word.to_string()).collect())).collect()
    }

    #[test]
    fn small_groups_stay_whole() {
        let terms = vocabulary(&["apple", "apricot", "bus", "busy"], 10);
        let got = prefixes(&terms);
        assert_eq!(
            got,
            [("a".into(), vec!["apple".into(), "apricot".into()]), ("b".into(), vec!["bus".into(), "busy".into()])]
        );
    }

    #[test]
    fn big_groups_split_by_their_next_letter_and_keep_the_short_term() {
        let terms = vocabulary(&["co", "cold", "council", "count", "cut"], SHARD_BYTES / 3);
        let got: Vec<String> = prefixes(&terms).into_iter().map(|(p, _)| p).collect();
        // "c" is too big: "co" keeps the term "co", its longer terms split
        // further while too big; "cu" is small
        assert!(got.contains(&"cu".to_string()), "{got:?}");
        assert!(got.iter().any(|p| p == "co"), "{got:?}");
        assert!(got.iter().all(|p| p.starts_with('c')));
        // every term is in exactly one shard, found by its longest prefix
        let all: Vec<String> = prefixes(&terms).into_iter().flat_map(|(_, t)| t).collect();
        assert_eq!(all, ["co", "cold", "council", "count", "cut"]);
        for (prefix, words) in prefixes(&terms) {
            for w in words {
                let longest = got.iter().filter(|p| w.starts_with(p.as_str())).max_by_key(|p| p.len()).unwrap();
                assert_eq!(longest, &prefix, "{w} is looked up in {longest}");
            }
        }
    }

    #[test]
    fn a_common_term_is_a_bitmap_with_its_title_and_label_decisions_listed() {
        let mut p = Postings::default();
        for doc in 0..64 {
            p.push(doc, if doc == 9 { 12 } else { 1 + (doc % 3) as u8 });
        }
        let bytes = encode_term("council", &p, 64);
        // 7, "council", 64 decisions, form 1, one heavier: doc 9 (gap 10)
        // weighing 12, (10 << 4) | 12 = 172 as a varint; then all 64 bits
        let mut expected = vec![7];
        expected.extend_from_slice(b"council");
        expected.extend_from_slice(&[64, 1, 1, 0xAC, 0x01]);
        expected.extend_from_slice(&[0xff; 8]);
        assert_eq!(bytes, expected);
    }

    #[test]
    fn a_rare_term_keeps_its_gap_list() {
        let mut p = Postings::default();
        p.push(3, 2);
        let bytes = encode_term("quay", &p, 100_000);
        assert_eq!(bytes, [4, b'q', b'u', b'a', b'y', 1, 0, (4 << 4) | 2]);
    }

    /// The sample register's decisions: summaries and terms, each with
    /// its id.
    fn sample() -> Vec<(Summary, Terms)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let checked = crate::check_light(root, today).unwrap();
        let records: Vec<&crate::records::Record> = checked.records.iter().collect();
        let links = crate::public::Links::new(&records);
        records
            .iter()
            .map(|r| {
                let view = crate::public::view(r, &checked.config, &checked.documents, &links, false);
                (Summary::of(&view), super::super::terms(&view))
            })
            .collect()
    }

    fn made_from_nothing(docs: &[(Summary, Terms)]) -> Index {
        let mut added = IndexBuilder::default();
        docs.iter().for_each(|(_, t)| added.add(t));
        let summaries: Vec<Summary> = docs.iter().map(|(s, _)| s.clone()).collect();
        Index::default().edited(&Edit::default(), added, &summaries).unwrap()
    }

    /// Every file of `index`, by name, as served.
    fn files_of(index: &Index, docs: &[(Summary, Terms)]) -> std::collections::BTreeMap<String, Vec<u8>> {
        let summaries: Vec<Summary> = docs.iter().map(|(s, _)| s.clone()).collect();
        let mut names: Vec<String> = index.shards.iter().map(|s| shard_name(&s.prefix)).collect();
        names.extend((0..summaries.len().div_ceil(CHUNK)).map(chunk_name));
        names.extend(["facets.bin", "manifest.bin"].map(|n| format!("{INDEX_DIR}/{n}")));
        names.into_iter().map(|n| (n.clone(), index.file(&n, &summaries).unwrap())).collect()
    }

    #[test]
    fn an_index_edited_is_the_index_made_from_nothing() {
        let docs = sample();
        let n = docs.len();
        assert!(n >= 10, "{n} decisions");
        let moved = |from: usize, to: usize| {
            let mut d = docs.clone();
            let doc = d.remove(from);
            d.insert(to, doc);
            d
        };
        let mut retitled = docs.clone();
        retitled[7].1 = docs[3].1.clone();
        let mut added_first = docs.clone();
        added_first.insert(0, docs[5].clone());
        let mut taken = docs.clone();
        taken.remove(n / 2);
        // (the decisions after the edit, its window: from, old_end, and
        // the decisions it took out or changed)
        let edits = [
            (retitled, 7, 8, vec![7]),
            (added_first, 0, 0, vec![]),
            (taken, n / 2, n / 2 + 1, vec![n / 2]),
            (moved(n - 2, 1), 1, n - 1, vec![n - 2]),
            (moved(2, n - 3), 2, n - 2, vec![2]),
        ];
        for (after, from, old_end, changed) in edits {
            let new_end = after.len() - (n - old_end);
            let mut added = IndexBuilder::starting_at(from as u32);
            after[from..new_end].iter().for_each(|(_, t)| added.add(t));
            let edit = Edit {
                from: from as u32,
                old_end: old_end as u32,
                taken: changed.iter().map(|&c| docs[c].1.clone()).collect(),
            };
            let summaries: Vec<Summary> = after.iter().map(|(s, _)| s.clone()).collect();
            let edited = made_from_nothing(&docs).edited(&edit, added, &summaries).unwrap();
            let fresh = made_from_nothing(&after);
            assert_eq!(files_of(&edited, &after), files_of(&fresh, &after), "edit of {from}..{old_end}");
        }
    }

    #[test]
    fn varints_are_leb128() {
        let mut v = Vec::new();
        push_varint(&mut v, 0);
        push_varint(&mut v, 127);
        push_varint(&mut v, 128);
        push_varint(&mut v, 300);
        assert_eq!(v, [0, 127, 0x80, 1, 0xAC, 2]);
    }
}
