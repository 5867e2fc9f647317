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

use super::{facet_values, IndexBuilder, Postings, FACETS};
use crate::load::Error;
use crate::output::Staging;
use crate::render_html::Summary;
use flate2::write::GzEncoder;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
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

/// The index's files, made from the index and the decisions' summaries
/// in listing order: a build writes them ([`write_index`]); `serve`
/// answers for them from memory while an edit is shown.
pub struct IndexFiles {
    /// The shards, then the summary files.
    files: Vec<IndexFile>,
    /// `facets.bin` and `manifest.bin`, compressed.
    facets: Vec<u8>,
    manifest: Vec<u8>,
}

impl IndexFiles {
    pub fn new(index: IndexBuilder, summaries: &[Summary]) -> Result<IndexFiles, Error> {
        let docs = index.docs;
        let mut terms: Vec<(Box<str>, Postings)> = index.terms.into_iter().collect();
        terms.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let terms: Vec<(Box<str>, Vec<u8>)> = terms
            .into_par_iter()
            .map(|(t, p)| {
                let bytes = encode_term(&t, &p, docs);
                (t, bytes)
            })
            .collect();
        let mut shards = Vec::new();
        split(&terms, 1, &mut shards);
        let mut files: Vec<IndexFile> = shards
            .par_iter()
            .map(|s| IndexFile::of(format!("{INDEX_DIR}/t/{}.bin", s.prefix), encode_shard(&terms[s.range.clone()])))
            .collect();
        drop(terms);
        files.par_extend(
            summaries
                .par_chunks(CHUNK)
                .enumerate()
                .map(|(n, chunk)| IndexFile::of(format!("{INDEX_DIR}/d/{n}.bin"), doc_chunk(chunk))),
        );
        let facets = facet_lists(summaries);
        // A stamp of every file's content: the browser asks for the files with
        // it, so a cached shard of an older index is never mixed with this one.
        let mut stamp = std::hash::DefaultHasher::new();
        for f in &files {
            f.name.hash(&mut stamp);
            f.key.hash(&mut stamp);
        }
        facets.hash(&mut stamp);
        let manifest = Manifest {
            v: 1,
            docs,
            chunk: CHUNK,
            shards: shards.iter().map(|s| s.prefix.clone()).collect(),
            stamp: format!("{:016x}", stamp.finish()),
        };
        let manifest =
            serde_json::to_vec(&manifest).map_err(|e| Error { path: INDEX_DIR.into(), what: e.to_string() })?;
        Ok(IndexFiles { files, facets: gzip(&facets), manifest: gzip(&manifest) })
    }

    /// The file at `path` in the site, as served (compressed).
    pub fn file(&self, path: &str) -> Option<Vec<u8>> {
        match path.strip_prefix(INDEX_DIR)?.strip_prefix('/')? {
            "facets.bin" => Some(self.facets.clone()),
            "manifest.bin" => Some(self.manifest.clone()),
            _ => self.files.iter().find(|f| f.name == path).map(|f| gzip(&f.raw)),
        }
    }
}

/// Builds the index's files and writes them; returns how many.
pub fn write_index(index: IndexBuilder, summaries: &[Summary], out: &Staging) -> Result<usize, Error> {
    let made = IndexFiles::new(index, summaries)?;
    made.files.par_iter().try_for_each(|f| f.write(out))?;
    out.write(&format!("{INDEX_DIR}/facets.bin"), &made.facets)?;
    out.write(&format!("{INDEX_DIR}/manifest.bin"), &made.manifest)?;
    Ok(made.files.len() + 2)
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
        // SipHash, not the fast hash: a key that two contents shared would
        // keep a stale file
        let mut h = std::hash::DefaultHasher::new();
        h.write(&raw);
        IndexFile { name, key: h.finish(), raw }
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

/// A shard: the terms `range` of the sorted vocabulary, under `prefix`.
struct Shard {
    prefix: String,
    range: std::ops::Range<usize>,
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
    let mut bitmap = vec![0u8; (docs as usize).div_ceil(8)];
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
fn split(terms: &[(Box<str>, Vec<u8>)], len: usize, shards: &mut Vec<Shard>) {
    split_range(terms, 0..terms.len(), len, shards);
}

fn split_range(terms: &[(Box<str>, Vec<u8>)], range: std::ops::Range<usize>, len: usize, shards: &mut Vec<Shard>) {
    let mut start = range.start;
    while start < range.end {
        let prefix = prefix_of(&terms[start].0, len);
        let end = start + terms[start..range.end].partition_point(|(t, _)| prefix_of(t, len) == prefix);
        let size: usize = terms[start..end].iter().map(|(_, b)| b.len()).sum();
        let longer = terms[start..end].iter().position(|(t, _)| t.len() > len);
        match longer {
            Some(first_longer) if size > SHARD_BYTES => {
                // terms equal to the prefix sort first
                if first_longer > 0 {
                    shards.push(Shard { prefix: prefix.to_string(), range: start..start + first_longer });
                }
                split_range(terms, start + first_longer..end, len + 1, shards);
            }
            _ => shards.push(Shard { prefix: prefix.to_string(), range: start..end }),
        }
        start = end;
    }
}

fn prefix_of(term: &str, len: usize) -> &str {
    &term[..term.len().min(len)]
}

fn encode_shard(terms: &[(Box<str>, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(terms.iter().map(|(_, b)| b.len()).sum::<usize>() + 4);
    push_varint(&mut out, terms.len() as u64);
    for (_, bytes) in terms {
        out.extend_from_slice(bytes);
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

/// Every filter value with the decisions that have it, in the order the
/// filters are shown: years newest first, the rest by how many decisions
/// they have, then by name.
fn facet_lists(summaries: &[Summary]) -> Vec<u8> {
    let mut out: BTreeMap<&str, Vec<(String, Vec<u32>)>> = BTreeMap::new();
    for key in FACETS {
        let mut by_value: BTreeMap<String, (u32, Vec<u32>)> = BTreeMap::new();
        for (doc, s) in summaries.iter().enumerate() {
            for v in facet_values(s, key) {
                let (last, gaps) = by_value.entry(v.into_owned()).or_insert((u32::MAX, Vec::new()));
                // u32::MAX + 1 wraps to 0: the first gap is counted from -1
                gaps.push((doc as u32).wrapping_sub(*last));
                *last = doc as u32;
            }
        }
        let mut values: Vec<(String, Vec<u32>)> = by_value.into_iter().map(|(v, (_, gaps))| (v, gaps)).collect();
        if key == "year" {
            values.sort_by(|a, b| b.0.cmp(&a.0));
        } else {
            values.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(&b.0)));
        }
        out.insert(key, values);
    }
    serde_json::to_vec(&out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary(words: &[&str], bytes_each: usize) -> Vec<(Box<str>, Vec<u8>)> {
        let mut v: Vec<(Box<str>, Vec<u8>)> = words.iter().map(|w| (Box::from(*w), vec![1; bytes_each])).collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    fn prefixes(terms: &[(Box<str>, Vec<u8>)]) -> Vec<(String, Vec<String>)> {
        let mut shards = Vec::new();
        split(terms, 1, &mut shards);
        shards.into_iter().map(|s| (s.prefix, terms[s.range].iter().map(|(t, _)| t.to_string()).collect())).collect()
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
