//! Mending a published index when a few decisions are edited, instead of
//! building it again: the shards that held their old terms or will hold
//! their new ones are read, the decisions' postings are replaced, and the
//! shards, summary files and manifest are written again. Mended shards
//! hold exactly what a full build's would (the same terms, decisions and
//! weights as `search.js` reads them); only where a full build would split
//! or group shards differently may the files differ.

use super::files::{decode_varint, doc_chunk, encode_term, gunzip, gzip, Manifest, CHUNK, IN_TITLE};
use super::{Postings, Terms, INDEX_DIR};
use crate::load::Error;
use crate::render_html::Summary;
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::path::Path;

/// One edited decision: its number, the shards its old terms were in
/// (from the build cache) and its new terms.
pub struct Edit {
    pub doc: u32,
    pub old_shards: Vec<u32>,
    pub terms: Terms,
}

/// The mended files (paths in the site, gzip bytes) and each edited
/// decision's shards now.
pub struct Mended {
    pub files: Vec<(String, Vec<u8>)>,
    pub shards: Vec<Vec<u32>>,
    /// Of `files`, those the index did not have (new shards).
    pub new_files: Vec<String>,
    /// Shards the edits emptied, to be taken out of the site.
    pub removed_files: Vec<String>,
}

/// Mends the index in `site` for `edits`; `summary` gives any decision's
/// summary by number (for the summary files). `None` when the index cannot
/// be mended to match a full build: a shard left empty that is not at the
/// end of the list, or a common word whose bitmap would have to give way
/// to a gap list whose weights the index no longer holds. The build then
/// starts afresh. A new word no shard has a prefix of gets a new shard,
/// where a full build would put it, at the end of the list; so an edit
/// that takes such a word out again (an edit undone) empties the last
/// shard, which is taken out, as a full build would have none.
pub fn mend<'s>(
    site: &Path,
    edits: &[Edit],
    summary: &(dyn Fn(u32) -> Option<&'s Summary> + Sync),
) -> Result<Option<Mended>, Error> {
    let dir = site.join(INDEX_DIR);
    let manifest_path = dir.join("manifest.bin");
    let manifest: Manifest = read(&manifest_path).and_then(|b| {
        serde_json::from_slice(&b).map_err(|e| Error { path: manifest_path.clone(), what: e.to_string() })
    })?;
    let mut manifest = manifest;
    let old_shards = manifest.shards.len();
    let mut by_prefix: HashMap<String, u32> =
        manifest.shards.iter().enumerate().map(|(i, p)| (p.clone(), i as u32)).collect();
    let mut longest = manifest.shards.iter().map(String::len).max().unwrap_or(0);
    // shard -> doc -> its new (term, weight)s there
    let mut new_terms: BTreeMap<u32, ByDoc<'_>> = BTreeMap::new();
    let mut shards_now = Vec::with_capacity(edits.len());
    for e in edits {
        let mut mine = BTreeSet::new();
        for (term, weight) in e.terms.iter() {
            let shard = match shard_of(term, &by_prefix, longest) {
                Some(shard) => shard,
                None => {
                    // a shard of its own, where a full build would put it;
                    // added at the end, so that no other shard's number moves
                    let Some(prefix) = new_shard_for(term, &manifest.shards) else { return Ok(None) };
                    let n = manifest.shards.len() as u32;
                    longest = longest.max(prefix.len());
                    manifest.shards.push(prefix.clone());
                    by_prefix.insert(prefix, n);
                    n
                }
            };
            new_terms.entry(shard).or_default().entry(e.doc).or_default().push((term, weight));
            mine.insert(shard);
        }
        for &old in &e.old_shards {
            new_terms.entry(old).or_default().entry(e.doc).or_default();
        }
        shards_now.push(mine.into_iter().collect());
    }
    let docs = manifest.docs;
    // per shard: `None`, it cannot be mended
    let shard_files: Vec<Option<(u32, String, ShardAfter)>> = new_terms
        .par_iter()
        .map(|(&shard, by_doc)| {
            let prefix = manifest.shards.get(shard as usize).ok_or_else(|| Error {
                path: dir.clone(),
                what: format!("the build cache names shard {shard}, which the index does not have"),
            })?;
            let rel = format!("{INDEX_DIR}/t/{prefix}.bin");
            // a new shard starts with no terms
            let bytes = if (shard as usize) < old_shards { read(&site.join(&rel))? } else { vec![0] };
            Ok(mend_shard_if_changed(&bytes, by_doc, docs).map(|after| (shard, rel, after)))
        })
        .collect::<Result<_, Error>>()?;
    let Some(shard_files) = shard_files.into_iter().collect::<Option<Vec<_>>>() else { return Ok(None) };
    let mut files = Vec::new();
    let mut emptied = Vec::new();
    for (shard, rel, after) in shard_files {
        match after {
            ShardAfter::Unchanged => {}
            ShardAfter::Changed(bytes) => files.push((rel, gzip(&bytes))),
            ShardAfter::Emptied => emptied.push((shard, rel)),
        }
    }
    // Only the last shards can go: every other keeps its number, which
    // the build cache holds for the decisions with terms in it.
    emptied.sort();
    let first_gone = manifest.shards.len() - emptied.len();
    if emptied.iter().enumerate().any(|(i, (shard, _))| *shard as usize != first_gone + i) {
        return Ok(None);
    }
    manifest.shards.truncate(first_gone);
    let removed_files: Vec<String> = emptied.into_iter().map(|(_, rel)| rel).collect();
    let chunks: BTreeSet<u32> = edits.iter().map(|e| e.doc / CHUNK as u32).collect();
    for n in chunks {
        let rows: Vec<Summary> =
            (n * CHUNK as u32..(n + 1) * CHUNK as u32).filter_map(|d| summary(d).cloned()).collect();
        files.push((format!("{INDEX_DIR}/d/{n}.bin"), gzip(&doc_chunk(&rows))));
    }
    let mut stamp = std::hash::DefaultHasher::new();
    manifest.stamp.hash(&mut stamp);
    for (name, bytes) in &files {
        name.hash(&mut stamp);
        bytes.hash(&mut stamp);
    }
    let new_files: Vec<String> = manifest
        .shards
        .get(old_shards..)
        .unwrap_or_default()
        .iter()
        .map(|p| format!("{INDEX_DIR}/t/{p}.bin"))
        .collect();
    let manifest = Manifest { stamp: format!("{:016x}", stamp.finish()), ..manifest };
    let manifest =
        serde_json::to_vec(&manifest).map_err(|e| Error { path: manifest_path.clone(), what: e.to_string() })?;
    files.push((format!("{INDEX_DIR}/manifest.bin"), gzip(&manifest)));
    Ok(Some(Mended { files, shards: shards_now, new_files, removed_files }))
}

/// What an edit leaves of one shard (its bytes before gzip).
#[derive(Debug, PartialEq)]
enum ShardAfter {
    /// The edited decisions have the same postings in it as before.
    Unchanged,
    Changed(Vec<u8>),
    /// No term is left in it.
    Emptied,
}

/// The new terms (and weights) of each edited decision within one shard.
type ByDoc<'t> = BTreeMap<u32, Vec<(&'t str, u8)>>;

/// The prefix of a new shard for a term no shard has a prefix of: one
/// letter longer than the longest prefix of it that shards were split by
/// (so `edited`, where shards `eda`, `edu` exist, goes to `edi`), as a full
/// build splits them.
fn new_shard_for(term: &str, shards: &[String]) -> Option<String> {
    let split =
        (1..=term.len()).rev().find(|&n| term.get(..n).is_some_and(|p| shards.iter().any(|s| s.starts_with(p))));
    term.get(..split.unwrap_or(0) + 1).map(str::to_string)
}

/// The shard a term belongs in, as `search.js` looks for it: the one with
/// the longest prefix of it.
fn shard_of(term: &str, by_prefix: &HashMap<String, u32>, longest: usize) -> Option<u32> {
    (1..=term.len().min(longest)).rev().find_map(|n| term.get(..n).and_then(|p| by_prefix.get(p)).copied())
}

fn read(path: &Path) -> Result<Vec<u8>, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, &e))?;
    gunzip(&bytes).map_err(|e| Error::io(path, &e))
}

/// Replaces the decisions of `by_doc` in a shard's terms with their new
/// terms; the shard's bytes before gzip, or `None` (see [`mend`]).
#[cfg(test)]
fn mend_shard(bytes: &[u8], by_doc: &ByDoc<'_>, docs: u32) -> Option<Vec<u8>> {
    match mend_shard_if_changed(bytes, by_doc, docs)? {
        ShardAfter::Unchanged => Some(bytes.to_vec()),
        ShardAfter::Changed(bytes) => Some(bytes),
        ShardAfter::Emptied => Some(vec![0]),
    }
}

/// As [`mend_shard`], but telling apart a shard whose edited decisions
/// have the same postings as before (most of an edit's shards: it keeps
/// most of its words), which then need not be written again, and one left
/// with no terms. `None` when it cannot be mended (see [`mend`]).
///
/// Works term by term on the stored bytes: a term no edited decision was
/// or is in is copied as it stands, so a shard of common words (a bitmap
/// of every decision each) costs a few bit tests, not decoding them all.
fn mend_shard_if_changed(bytes: &[u8], by_doc: &ByDoc<'_>, docs: u32) -> Option<ShardAfter> {
    let edited: Vec<u32> = by_doc.keys().copied().collect();
    // term -> the edited decisions' new weights in it, by decision
    let mut incoming: BTreeMap<&str, Vec<(u32, u8)>> = BTreeMap::new();
    for (&d, terms) in by_doc {
        for &(t, w) in terms {
            incoming.entry(t).or_default().push((d, w));
        }
    }
    let mut at = 0;
    let count = decode_varint(bytes, &mut at)?;
    // terms as they stand, borrowed, or made again
    let mut out: Vec<Cow<'_, [u8]>> = Vec::with_capacity(count as usize + incoming.len());
    let mut changed = false;
    let mut next_new = incoming.iter().peekable();
    let mut last: Option<&str> = None;
    for _ in 0..count {
        let stored = stored_term(bytes, &mut at, docs)?;
        // a full build sorts them; merging in new terms relies on it
        if last.is_some_and(|l| l >= stored.term) {
            return None;
        }
        last = Some(stored.term);
        while let Some((t, new)) = next_new.next_if(|(t, _)| **t < stored.term) {
            changed = true;
            out.push(Cow::Owned(encode_postings(t, new.clone(), docs, false)?));
        }
        let new = next_new.next_if(|(t, _)| **t == stored.term).map(|(_, n)| n.as_slice()).unwrap_or(&[]);
        let weigh = |w: u8| if stored.bitmap && w < IN_TITLE { 1 } else { w };
        let mut after: Vec<(u32, u8)> = new.iter().map(|&(d, w)| (d, weigh(w))).collect();
        after.sort_unstable();
        if stored.edited_postings(&edited, docs)? == after {
            out.push(Cow::Borrowed(stored.bytes));
            continue;
        }
        changed = true;
        let mut postings = stored.postings(docs)?;
        postings.retain(|(d, _)| edited.binary_search(d).is_err());
        postings.extend(after);
        if !postings.is_empty() {
            out.push(Cow::Owned(encode_postings(stored.term, postings, docs, stored.bitmap)?));
        }
    }
    for (t, new) in next_new {
        changed = true;
        out.push(Cow::Owned(encode_postings(t, new.clone(), docs, false)?));
    }
    if !changed {
        return Some(ShardAfter::Unchanged);
    }
    // a full build would have no such shard
    if out.is_empty() {
        return Some(ShardAfter::Emptied);
    }
    let mut shard = Vec::with_capacity(bytes.len() + 64);
    super::files::push_varint(&mut shard, out.len() as u64);
    for b in &out {
        shard.extend_from_slice(b);
    }
    Some(ShardAfter::Changed(shard))
}

/// A term's encoded bytes from its postings; `None` when it was a bitmap
/// and would now be a gap list, whose weights a bitmap does not keep.
fn encode_postings(term: &str, mut postings: Vec<(u32, u8)>, docs: u32, was_bitmap: bool) -> Option<Vec<u8>> {
    postings.sort_unstable();
    let mut p = Postings::default();
    for (d, w) in postings {
        p.push(d, w);
    }
    let encoded = encode_term(term, &p, docs);
    if was_bitmap && form_of(&encoded)? != 1 {
        return None;
    }
    Some(encoded)
}

/// Decisions with their weights, decoded.
type Weighted = Vec<(u32, u8)>;

/// One term of a shard as it is stored, not yet decoded.
struct Stored<'b> {
    term: &'b str,
    /// All of it, from its length to its last posting.
    bytes: &'b [u8],
    /// Its postings (gap list), or its title list and then its bitmap.
    body: &'b [u8],
    count: u64,
    bitmap: bool,
}

/// Reads the term at `at` as far as its end, decoding nothing.
fn stored_term<'b>(bytes: &'b [u8], at: &mut usize, docs: u32) -> Option<Stored<'b>> {
    let start = *at;
    let len = decode_varint(bytes, at)? as usize;
    let term = std::str::from_utf8(bytes.get(*at..*at + len)?).ok()?;
    *at += len;
    let count = decode_varint(bytes, at)?;
    let form = *bytes.get(*at)?;
    *at += 1;
    let body = *at;
    match form {
        0 => skip_varints(bytes, at, count)?,
        1 => {
            let heavy = decode_varint(bytes, at)?;
            skip_varints(bytes, at, heavy)?;
            *at += (docs as usize).div_ceil(8);
        }
        _ => return None,
    }
    let whole = bytes.get(start..*at)?;
    Some(Stored { term, bytes: whole, body: bytes.get(body..*at)?, count, bitmap: form == 1 })
}

fn skip_varints(bytes: &[u8], at: &mut usize, n: u64) -> Option<()> {
    for _ in 0..n {
        let end = bytes.get(*at..)?.iter().position(|b| b & 0x80 == 0)?;
        *at += end + 1;
    }
    Some(())
}

impl Stored<'_> {
    /// The postings of the `edited` decisions (sorted) in this term, as
    /// `search.js` reads them.
    fn edited_postings(&self, edited: &[u32], docs: u32) -> Option<Vec<(u32, u8)>> {
        let mut at = 0;
        if !self.bitmap {
            let mut out = Vec::new();
            let (mut doc, mut want) = (-1i64, edited.iter().peekable());
            for _ in 0..self.count {
                let v = decode_varint(self.body, &mut at)?;
                doc += (v >> 4) as i64;
                while want.next_if(|&&w| i64::from(w) < doc).is_some() {}
                let Some(&&w) = want.peek() else { break };
                if i64::from(w) == doc {
                    out.push((w, (v & 15) as u8));
                }
            }
            return Some(out);
        }
        let (heavy, map) = self.bitmap_parts(docs)?;
        let mut out = Vec::new();
        for &d in edited {
            if map.get(d as usize / 8).is_some_and(|b| b & (1 << (d % 8)) != 0) {
                let w = heavy.iter().find(|(h, _)| *h == d).map_or(1, |(_, w)| *w);
                out.push((d, w));
            }
        }
        Some(out)
    }

    /// A bitmap term's title list (decisions with their weights) and its
    /// bitmap of every decision.
    fn bitmap_parts(&self, docs: u32) -> Option<(Weighted, &[u8])> {
        let mut at = 0;
        let heavy_count = decode_varint(self.body, &mut at)?;
        let mut heavy = Vec::with_capacity(heavy_count as usize);
        gaps(self.body, &mut at, heavy_count, &mut heavy)?;
        Some((heavy, self.body.get(at..at + (docs as usize).div_ceil(8))?))
    }

    /// All its postings, decoded. Decisions in a bitmap that are not in
    /// its title list weigh 1, as `search.js` reads them.
    fn postings(&self, docs: u32) -> Option<Vec<(u32, u8)>> {
        let mut at = 0;
        let mut postings = Vec::with_capacity(self.count as usize);
        if !self.bitmap {
            gaps(self.body, &mut at, self.count, &mut postings)?;
            return Some(postings);
        }
        let (heavy, map) = self.bitmap_parts(docs)?;
        let mut h = heavy.iter().peekable();
        for (byte_at, &byte) in map.iter().enumerate() {
            let mut bits = byte;
            while bits != 0 {
                let d = (byte_at * 8) as u32 + bits.trailing_zeros();
                bits &= bits - 1;
                match h.next_if(|(hd, _)| *hd == d) {
                    Some(&(_, w)) => postings.push((d, w)),
                    None => postings.push((d, 1)),
                }
            }
        }
        debug_assert!(heavy.iter().all(|(_, w)| *w >= IN_TITLE));
        Some(postings)
    }
}

/// A shard's terms, decoded: each with its postings.
type Decoded = Vec<(String, Vec<(u32, u8)>)>;

fn decode_shard(bytes: &[u8], docs: u32) -> Option<Decoded> {
    let mut at = 0;
    let count = decode_varint(bytes, &mut at)?;
    (0..count)
        .map(|_| {
            let stored = stored_term(bytes, &mut at, docs)?;
            Some((stored.term.to_string(), stored.postings(docs)?))
        })
        .collect()
}

/// Reads `n` gap-coded postings.
fn gaps(bytes: &[u8], at: &mut usize, n: u64, out: &mut Vec<(u32, u8)>) -> Option<()> {
    let mut doc: i64 = -1;
    for _ in 0..n {
        let v = decode_varint(bytes, at)?;
        doc += (v >> 4) as i64;
        out.push((u32::try_from(doc).ok()?, (v & 15) as u8));
    }
    Some(())
}

/// The form byte of an encoded term.
fn form_of(encoded: &[u8]) -> Option<u8> {
    let mut at = 0;
    let len = decode_varint(encoded, &mut at)? as usize;
    at += len;
    decode_varint(encoded, &mut at)?;
    encoded.get(at).copied()
}

/// A decision's shard numbers (ascending) as varints of their gaps, the
/// form `write_index` gives them in.
pub fn pack_shards(shards: &[u32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(shards.len() + 4);
    let mut last = 0;
    for &s in shards {
        super::files::push_varint(&mut out, u64::from(s - last));
        last = s;
    }
    out
}

pub fn unpack_shards(packed: &[u8]) -> Vec<u32> {
    let mut out = Vec::new();
    let (mut at, mut last) = (0, 0u32);
    while let Some(gap) = decode_varint(packed, &mut at) {
        last += gap as u32;
        out.push(last);
    }
    out
}

/// Which shards each decision has terms in, from the shards' own bytes
/// (before gzip): what the build cache keeps so that an edit can be mended.
pub fn docs_in_shard(bytes: &[u8], docs: u32) -> Vec<u32> {
    let mut all: Vec<u32> = decode_shard(bytes, docs)
        .unwrap_or_default()
        .into_iter()
        .flat_map(|(_, postings)| postings.into_iter().map(|(d, _)| d))
        .collect();
    all.sort_unstable();
    all.dedup();
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shard(terms: &[(&str, &[(u32, u8)])], docs: u32) -> Vec<u8> {
        let mut out = Vec::new();
        super::super::files::push_varint(&mut out, terms.len() as u64);
        for (t, postings) in terms {
            let mut p = Postings::default();
            for &(d, w) in *postings {
                p.push(d, w);
            }
            out.extend(encode_term(t, &p, docs));
        }
        out
    }

    fn read_back(bytes: &[u8], docs: u32) -> Vec<(String, Vec<(u32, u8)>)> {
        decode_shard(bytes, docs).unwrap()
    }

    #[test]
    fn an_edit_replaces_the_decisions_postings_and_drops_emptied_terms() {
        let before = shard(&[("deposit", &[(3, 2)]), ("depot", &[(0, 1), (3, 9)])], 400);
        let mut by_doc = BTreeMap::new();
        by_doc.insert(3, vec![("depth", 8u8)]);
        let after = mend_shard(&before, &by_doc, 400).unwrap();
        assert_eq!(
            read_back(&after, 400),
            vec![("depot".to_string(), vec![(0, 1)]), ("depth".to_string(), vec![(3, 8)])],
            "`deposit` went with the edit; `depth` came"
        );
        assert_eq!(after, shard(&[("depot", &[(0, 1)]), ("depth", &[(3, 8)])], 400), "the bytes a full build makes");
    }

    #[test]
    fn a_common_word_stays_a_bitmap_or_the_mend_gives_way() {
        // in 40 of 64 decisions: an 8-byte bitmap beats a 40-byte gap list
        let common: Vec<(u32, u8)> = (0..40).map(|d| (d, if d == 1 { 9 } else { 1 })).collect();
        let before = shard(&[("plan", &common)], 64);
        assert_eq!(read_back(&before, 64), vec![("plan".to_string(), common.clone())]);
        let mut by_doc = BTreeMap::new();
        by_doc.insert(50, vec![("plan", 1u8)]);
        let more = mend_shard(&before, &by_doc, 64).unwrap();
        let mut expected = common.clone();
        expected.push((50, 1));
        assert_eq!(read_back(&more, 64), vec![("plan".to_string(), expected)]);
        // taken out of all but two: a gap list would now be smaller, but
        // the weights it would carry are gone
        let by_doc: ByDoc<'_> = (2..40).map(|d| (d, Vec::new())).collect();
        assert!(mend_shard(&before, &by_doc, 64).is_none());
    }

    #[test]
    fn a_shard_whose_postings_an_edit_keeps_is_left_alone() {
        let common: Vec<(u32, u8)> = (0..40).map(|d| (d, if d == 1 { 9 } else { 2 })).collect();
        let before = shard(&[("depot", &[(3, 3)]), ("plan", &common)], 64);
        // decision 3 keeps its words; the bitmap never held its weight 2
        let by_doc: ByDoc<'_> = [(3, vec![("plan", 2u8), ("depot", 3)])].into_iter().collect();
        assert_eq!(mend_shard_if_changed(&before, &by_doc, 64), Some(ShardAfter::Unchanged));
        // nor does a decision the shard never held and does not now
        let by_doc: ByDoc<'_> = [(60, vec![])].into_iter().collect();
        assert_eq!(mend_shard_if_changed(&before, &by_doc, 64), Some(ShardAfter::Unchanged));
        let by_doc: ByDoc<'_> = [(3, vec![("plan", 2u8), ("depot", 2)])].into_iter().collect();
        assert!(
            matches!(mend_shard_if_changed(&before, &by_doc, 64), Some(ShardAfter::Changed(_))),
            "a weight changed"
        );
        // and one whose only decision takes its only word out is emptied
        let lone = shard(&[("xylophone", &[(3, 9)])], 64);
        let by_doc: ByDoc<'_> = [(3, vec![])].into_iter().collect();
        assert_eq!(mend_shard_if_changed(&lone, &by_doc, 64), Some(ShardAfter::Emptied));
    }

    #[test]
    fn a_mended_shard_of_common_words_is_what_a_full_build_writes() {
        let plan: Vec<(u32, u8)> = (0..40).map(|d| (d, if d == 1 { 9 } else { 1 })).collect();
        let road: Vec<(u32, u8)> = (10..60).map(|d| (d, 1)).collect();
        let before = shard(&[("park", &[(5, 2)]), ("plan", &plan), ("road", &road)], 64);
        // decision 20 leaves `plan` and `park`, takes `play` to its title; `road` is untouched
        let by_doc: ByDoc<'_> = [(20, vec![("play", 9u8), ("road", 1)])].into_iter().collect();
        let after = mend_shard(&before, &by_doc, 64).unwrap();
        let plan_after: Vec<(u32, u8)> = plan.iter().copied().filter(|(d, _)| *d != 20).collect();
        assert_eq!(
            after,
            shard(&[("park", &[(5, 2)]), ("plan", &plan_after), ("play", &[(20, 9)]), ("road", &road)], 64)
        );
        // a shard whose terms are out of order is not one a build wrote
        let unsorted = shard(&[("road", &road), ("park", &[(5, 2)])], 64);
        assert!(mend_shard_if_changed(&unsorted, &by_doc, 64).is_none());
    }

    #[test]
    fn shard_lists_pack_as_gaps_and_read_back() {
        let shards = vec![0, 3, 4, 200, 70_000];
        let packed = pack_shards(&shards);
        assert_eq!(packed[..3], [0, 3, 1], "gaps from 0");
        assert_eq!(unpack_shards(&packed), shards);
        assert!(unpack_shards(&[]).is_empty());
    }

    #[test]
    fn a_term_goes_to_the_shard_with_its_longest_prefix() {
        let by_prefix: HashMap<String, u32> =
            [("s", 0), ("st", 1), ("sta", 2)].into_iter().map(|(p, n)| (p.to_string(), n)).collect();
        assert_eq!(shard_of("station", &by_prefix, 3), Some(2));
        assert_eq!(shard_of("stop", &by_prefix, 3), Some(1));
        assert_eq!(shard_of("sun", &by_prefix, 3), Some(0));
        assert_eq!(shard_of("park", &by_prefix, 3), None);
        let shards: Vec<String> = ["eda", "edu", "p"].iter().map(|s| s.to_string()).collect();
        assert_eq!(new_shard_for("edited", &shards).as_deref(), Some("edi"), "one letter past the split");
        assert_eq!(new_shard_for("zoo", &shards).as_deref(), Some("z"), "a letter no shard has");
    }
}
