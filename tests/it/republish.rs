//! An edit is republished without rebuilding the site, and the site it
//! leaves is the one a full build makes: every file the same, byte for
//! byte, but the search index's manifest stamp (which must change, so
//! browsers drop shards they cached).

use super::support::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// A copy of the sample register, to edit.
fn sample() -> tempfile::TempDir {
    copy_register(&repo())
}

/// The published site and reports, with the manifest's stamp set aside.
fn published(out: &Path) -> (BTreeMap<String, Vec<u8>>, String) {
    let mut files = output_files(&out.join("site"));
    files.extend(output_files(&out.join("reports")).into_iter().map(|(k, v)| (format!("reports folder/{k}"), v)));
    let manifest = files.get_mut("search-index/manifest.bin").expect("a search manifest");
    let mut m: Value = serde_json::from_slice(manifest).unwrap();
    let stamp = m["stamp"].as_str().unwrap().to_string();
    m["stamp"] = Value::Null;
    // a republish adds a new shard at the end of the list, a full build in order
    if let Some(shards) = m["shards"].as_array_mut() {
        shards.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    }
    *manifest = serde_json::to_vec(&m).unwrap();
    (files, stamp)
}

/// Asserts the site in `root/output` is what a full build makes.
fn same_as_a_full_build(root: &Path, extra: &[&str]) {
    let full = tempfile::tempdir().unwrap();
    let mut args = vec!["--force", "--out", full.path().to_str().unwrap()];
    args.extend_from_slice(extra);
    build(root, &args);
    let (mine, _) = published(&root.join("output"));
    let (theirs, _) = published(full.path());
    assert_eq!(mine.keys().collect::<Vec<_>>(), theirs.keys().collect::<Vec<_>>(), "the same files");
    for (name, bytes) in &mine {
        assert!(bytes == &theirs[name], "{name} differs from a full build's");
    }
}

const EDUCATION: &str = "decisions/2012/joint-work-with-the-isle-of-wight-to-deliver-education-support-services.md";
const PARTNERSHIP: &str =
    "decisions/2017/hampshire-county-council-isle-of-wight-council-strategic-partnership-services-and-scope.md";
const CHILDREN: &str = "decisions/2023/future-arrangements-for-childrens-services-on-the-isle-of-wight.md";

#[test]
fn edited_titles_and_text_are_republished_as_a_full_build_would_make_them() {
    let reg = sample();
    let root = reg.path();
    assert!(build(root, &["--no-pdf"]).contains("published 11 decisions"));
    let (_, first_stamp) = published(&root.join("output"));

    // a title: its page, listings, feeds, index and open data
    edit(root, EDUCATION, "title: Joint Work", "title: Revised Joint Work");
    let said = build(root, &["--no-pdf"]);
    assert!(said.contains("republished the edit to decisions/2012/joint-work"), "{said}");
    same_as_a_full_build(root, &["--no-pdf"]);
    let (site, stamp) = published(&root.join("output"));
    assert_ne!(stamp, first_stamp, "the index's stamp changed with it");
    let json = String::from_utf8_lossy(&site["decisions.json"]).into_owned();
    assert!(json.contains("\"title\": \"Revised Joint Work"), "the open data has the new title");
    assert!(build(root, &["--no-pdf"]).contains("nothing has changed"), "and the next build has nothing to do");

    // the title of a record another's page links to, and text in two at once
    edit(root, PARTNERSHIP, "title: \"Hampshire", "title: \"Renamed Hampshire");
    edit(root, CHILDREN, "## Purpose\n\n", "## Purpose\n\nA new opening sentence about kestrels. ");
    let said = build(root, &["--no-pdf"]);
    assert!(said.contains("republished the edits to 2 records"), "{said}");
    same_as_a_full_build(root, &["--no-pdf"]);
    let site = published(&root.join("output")).0;
    let linking = String::from_utf8_lossy(
        &site["decisions/future-arrangements-for-childrens-services-on-the-isle-of-wight/index.html"],
    )
    .into_owned();
    assert!(linking.contains("Renamed "), "the page linking to the renamed record shows its new title");
}

#[test]
fn an_edit_republished_with_its_pdf_matches_a_full_build() {
    let reg = sample();
    let root = reg.path();
    build(root, &[]);
    edit(root, EDUCATION, "title: Joint Work", "title: Revised Joint Work");
    let said = build(root, &[]);
    assert!(said.contains("republished") && said.contains("1 PDF reports rendered anew"), "{said}");
    same_as_a_full_build(root, &[]);
}

#[test]
fn a_word_taken_out_by_an_edit_leaves_no_trace_in_the_site() {
    let reg = sample();
    let root = reg.path();
    // shares its shard with other words ("wight"), which keep it
    let canary = "wightcanaryzq";
    edit(root, EDUCATION, "## Purpose\n\n", &format!("## Purpose\n\nA slip that names {canary} in public. "));
    build(root, &["--no-pdf"]);
    let holds = |root: &Path| {
        published(&root.join("output")).0.iter().any(|(_, b)| b.windows(canary.len()).any(|w| w == canary.as_bytes()))
    };
    assert!(holds(root), "the word was published before the edit");
    edit(root, EDUCATION, &format!("A slip that names {canary} in public. "), "");
    assert!(build(root, &["--no-pdf"]).contains("republished"));
    assert!(!holds(root), "no page, open data file or index shard still holds the word");
    same_as_a_full_build(root, &["--no-pdf"]);
}

#[test]
fn an_edit_that_moves_a_decision_or_has_an_error_is_built_whole() {
    let reg = sample();
    let root = reg.path();
    build(root, &["--no-pdf"]);
    // a new decision maker moves it between listings and feeds
    let text = std::fs::read_to_string(root.join(EDUCATION)).unwrap();
    let maker = text.lines().find(|l| l.starts_with("decision_maker:")).unwrap().to_string();
    edit(root, EDUCATION, &maker, "decision_maker: Cabinet Member for Education");
    let said = build(root, &["--no-pdf"]);
    assert!(!said.contains("republished") && said.contains("published 11 decisions"), "{said}");
    same_as_a_full_build(root, &["--no-pdf"]);

    // an error: nothing is published, and the site stays as it was
    let before = published(&root.join("output")).0;
    edit(root, EDUCATION, "title: ", "title:\n  - not a title\n");
    let o = decreg(root, &["build", "--no-pdf"]);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nothing was published"));
    assert!(published(&root.join("output")).0 == before, "the site is untouched");
}

#[test]
fn an_edit_to_an_exempt_record_republishes_none_of_its_exempt_text() {
    let reg = sample();
    let root = reg.path();
    build(root, &["--no-pdf"]);
    let depot = "decisions/examples/disposal-of-the-former-example-road-depot.md";
    edit(root, depot, "EXEMPT-CANARY-7f3a", "EXEMPT-CANARY-7f3a EXEMPT-CANARY-b2c9");
    edit(root, depot, "title: ", "title: Revised ");
    let said = build(root, &["--no-pdf"]);
    assert!(said.contains("republished"), "{said}");
    let site = published(&root.join("output")).0;
    assert!(site.values().any(|b| String::from_utf8_lossy(b).contains("Revised ")), "the new title is out");
    for (name, bytes) in &site {
        let text = String::from_utf8_lossy(bytes).to_lowercase();
        assert!(!text.contains("b2c9") && !text.contains("7f3a"), "{name} holds exempt text");
    }
    same_as_a_full_build(root, &["--no-pdf"]);
}

#[test]
fn a_word_that_needs_a_shard_of_its_own_gets_one() {
    let reg = sample();
    let root = reg.path();
    build(root, &["--no-pdf"]);
    assert!(!root.join("output/site/search-index/t/x.bin").exists(), "the sample has no word in x");
    edit(root, EDUCATION, "title: Joint Work", "title: Xylophone Joint Work");
    let said = build(root, &["--no-pdf"]);
    assert!(said.contains("republished"), "{said}");
    assert!(root.join("output/site/search-index/t/x.bin").is_file());
    let marker = std::fs::read_to_string(root.join("output/site/.decreg-output")).unwrap();
    assert!(marker.lines().any(|l| l == "search-index/t/x.bin"), "the site's marker lists the new shard");
    same_as_a_full_build(root, &["--no-pdf"]);

    // the edit undone: the shard it needed is emptied, and goes
    edit(root, EDUCATION, "title: Xylophone Joint Work", "title: Joint Work");
    let said = build(root, &["--no-pdf"]);
    assert!(said.contains("republished") && said.contains(", 1 taken out;"), "{said}");
    assert!(!root.join("output/site/search-index/t/x.bin").exists(), "the emptied shard is taken out");
    let marker = std::fs::read_to_string(root.join("output/site/.decreg-output")).unwrap();
    assert!(!marker.lines().any(|l| l == "search-index/t/x.bin"), "and the marker no longer lists it");
    same_as_a_full_build(root, &["--no-pdf"]);
    // and the word once more, so that the full build below meets the added shard
    edit(root, EDUCATION, "title: Joint Work", "title: Xylophone Joint Work");
    assert!(build(root, &["--no-pdf"]).contains("republished"));
    // and a full build over it accepts the folder as decreg's own
    assert!(build(root, &["--no-pdf", "--force"]).contains("published 11 decisions"));
}
