//! The search index read back as the browser reads it (manifest, shard by
//! longest prefix, postings, summaries), and builds that find nothing
//! changed.

use super::support::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

fn varint(bytes: &[u8], at: &mut usize) -> u64 {
    let (mut v, mut shift) = (0u64, 0);
    loop {
        let b = bytes[*at];
        *at += 1;
        v |= u64::from(b & 0x7f) << shift;
        shift += 7;
        if b & 0x80 == 0 {
            return v;
        }
    }
}

/// Decodes a gap list of `n` entries: (decision, weight).
fn gap_list(bytes: &[u8], at: &mut usize, n: u64) -> Vec<(u64, u64)> {
    let mut doc: i64 = -1;
    (0..n)
        .map(|_| {
            let v = varint(bytes, at);
            doc += (v >> 4) as i64;
            (doc as u64, v & 15)
        })
        .collect()
}

/// A shard: each term with its decisions and weights.
fn shard(bytes: &[u8], docs: u64) -> BTreeMap<String, Vec<(u64, u64)>> {
    let mut at = 0;
    let mut terms = BTreeMap::new();
    for _ in 0..varint(bytes, &mut at) {
        let len = varint(bytes, &mut at) as usize;
        let term = String::from_utf8(bytes[at..at + len].to_vec()).unwrap();
        at += len;
        let count = varint(bytes, &mut at);
        let form = bytes[at];
        at += 1;
        let postings = if form == 0 {
            gap_list(bytes, &mut at, count)
        } else {
            let heavy_n = varint(bytes, &mut at);
            let heavy: BTreeMap<u64, u64> = gap_list(bytes, &mut at, heavy_n).into_iter().collect();
            let bitmap = &bytes[at..at + docs.div_ceil(8) as usize];
            at += bitmap.len();
            (0..docs)
                .filter(|d| bitmap[*d as usize / 8] & (1 << (d % 8)) != 0)
                .map(|d| (d, heavy.get(&d).copied().unwrap_or(1)))
                .collect()
        };
        assert_eq!(postings.len() as u64, count, "{term}");
        terms.insert(term, postings);
    }
    assert_eq!(at, bytes.len(), "the shard is read to its end");
    terms
}

struct Index {
    files: BTreeMap<String, Vec<u8>>,
    manifest: Value,
}

impl Index {
    fn read(site: &Path) -> Index {
        let files = output_files(&site.join("search-index"));
        let manifest = serde_json::from_slice(&files["manifest.bin"]).unwrap();
        Index { files, manifest }
    }

    fn docs(&self) -> u64 {
        self.manifest["docs"].as_u64().unwrap()
    }

    /// The decisions a whole word is in, looked up as search.js does.
    fn lookup(&self, word: &str) -> Vec<(u64, u64)> {
        let shards: Vec<&str> =
            self.manifest["shards"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
        let Some(prefix) = (1..=word.len()).rev().map(|n| &word[..n]).find(|p| shards.contains(p)) else {
            return Vec::new();
        };
        let terms = shard(&self.files[&format!("t/{prefix}.bin")], self.docs());
        terms.get(word).cloned().unwrap_or_default()
    }

    /// The id of decision `doc`, from its summary file.
    fn id_of(&self, doc: u64) -> String {
        let chunk = self.manifest["chunk"].as_u64().unwrap();
        let rows: Value = serde_json::from_slice(&self.files[&format!("d/{}.bin", doc / chunk)]).unwrap();
        rows[(doc % chunk) as usize][0].as_str().unwrap().to_string()
    }
}

fn built_sample() -> (tempfile::TempDir, Index) {
    let dir = tempfile::tempdir().unwrap();
    let out = decreg(&repo(), &["build", "--no-pdf", "--out", dir.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let index = Index::read(&dir.path().join("site"));
    (dir, index)
}

#[test]
fn words_lead_to_their_decisions_through_shard_postings_and_summaries() {
    let (_dir, index) = built_sample();
    assert_eq!(index.docs(), 12, "every published decision is numbered");
    let seed_000 = "joint-work-with-the-isle-of-wight-to-deliver-education-support-services";
    let wight: Vec<String> = index.lookup("wight").iter().map(|(d, _)| index.id_of(*d)).collect();
    assert!(wight.contains(&seed_000.to_string()), "{wight:?}");
    // a title word weighs more than a word of the text alone
    let (_, weight) = index.lookup("wight").into_iter().find(|(d, _)| index.id_of(*d) == seed_000).unwrap();
    assert!(weight >= 8, "{weight}");
    // accents and case are folded as search.js folds a query
    assert!(index.lookup("Wight").is_empty(), "terms are stored folded");
    assert!(index.lookup("zzzzunheardof").is_empty());
}

#[test]
fn decisions_are_numbered_newest_first_as_the_open_data_lists_them() {
    let (dir, index) = built_sample();
    let rows: Value = serde_json::from_slice(&std::fs::read(dir.path().join("site/decisions.json")).unwrap()).unwrap();
    let ids: Vec<&str> = rows.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    for (doc, id) in ids.iter().enumerate() {
        assert_eq!(index.id_of(doc as u64), *id, "decision {doc}");
    }
}

#[test]
fn an_exempt_decision_is_found_by_its_title_and_never_by_its_text() {
    let (_dir, index) = built_sample();
    let exempt = "disposal-of-the-former-example-road-depot";
    let by_title: Vec<String> = index.lookup("depot").iter().map(|(d, _)| index.id_of(*d)).collect();
    assert!(by_title.contains(&exempt.to_string()), "{by_title:?}");
    let source = std::fs::read_to_string(repo().join("decisions/examples").join(format!("{exempt}.md"))).unwrap();
    assert!(source.contains("EXEMPT-CANARY-7f3a"));
    assert!(index.lookup("7f3a").is_empty(), "a word of the exempt text is indexed");
}

/// A copy of a fixture register, to edit.
fn copy_of(name: &str) -> tempfile::TempDir {
    copy_register(&fixture(name))
}

#[test]
fn a_build_with_nothing_changed_says_so_and_leaves_the_output_alone() {
    let reg = copy_of("forms");
    let out = reg.path().join("output");
    let build = |extra: &[&str]| {
        let mut args = vec!["build", "--no-pdf"];
        args.extend_from_slice(extra);
        let o = decreg(reg.path(), &args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let marker = out.join("site/.decreg-output");
    let modified = || std::fs::metadata(&marker).unwrap().modified().unwrap();
    assert!(build(&[]).contains("published"));
    let first = modified();
    let again = build(&[]);
    assert!(again.contains("nothing has changed since the last build"), "{again}");
    assert_eq!(modified(), first, "the site was not rewritten");

    // an edited record is published
    let record = reg.path().join("decisions/as-markdown.md");
    let text = std::fs::read_to_string(&record).unwrap();
    std::fs::write(&record, text.replacen("title: ", "title: Revised ", 1)).unwrap();
    assert!(build(&[]).contains("published"));
    assert!(build(&[]).contains("nothing has changed"));
    // --force rebuilds; so does a build whose site has gone
    assert!(build(&["--force"]).contains("published"));
    std::fs::remove_dir_all(out.join("site")).unwrap();
    assert!(build(&[]).contains("published"));
    assert!(marker.is_file());
}
