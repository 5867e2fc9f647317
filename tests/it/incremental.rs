//! A full build starts from the output of the build before last and makes
//! again only the decision pages and PDFs whose inputs changed; what it
//! publishes is, byte for byte, what a build from nothing makes.

use super::support::*;
use std::collections::BTreeMap;
use std::path::Path;

fn build(root: &Path, extra: &[&str]) -> String {
    let mut args = vec!["build"];
    args.extend_from_slice(extra);
    let o = decreg(root, &args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn edit(root: &Path, rel: &str, from: &str, to: &str) {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} has {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// The site and reports `out` holds, but the search manifest's stamp.
fn published(out: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = output_files(&out.join("site"));
    files.extend(output_files(&out.join("reports")).into_iter().map(|(k, v)| (format!("reports folder/{k}"), v)));
    if let Some(manifest) = files.get_mut("search-index/manifest.bin") {
        let mut m: serde_json::Value = serde_json::from_slice(manifest).unwrap();
        m["stamp"] = serde_json::Value::Null;
        *manifest = serde_json::to_vec(&m).unwrap();
    }
    files
}

/// Asserts that `root/output` holds what a build from nothing makes.
fn same_as_from_nothing(root: &Path, extra: &[&str]) {
    let fresh = tempfile::tempdir().unwrap();
    let mut args = vec!["--out", fresh.path().to_str().unwrap()];
    args.extend_from_slice(extra);
    build(root, &args);
    let (mine, theirs) = (published(&root.join("output")), published(fresh.path()));
    assert_eq!(mine.keys().collect::<Vec<_>>(), theirs.keys().collect::<Vec<_>>(), "the same files");
    for (name, bytes) in &mine {
        assert!(bytes == &theirs[name], "{name} differs from a build's from nothing");
    }
}

/// How many pages a build said it made anew, and kept.
fn pages(said: &str) -> (usize, usize) {
    let Some((_, rest)) = said.split_once(" (") else { return (usize::MAX, 0) };
    let mut numbers = rest.split(' ').filter_map(|w| w.trim_end_matches(',').parse().ok());
    (numbers.next().unwrap_or(usize::MAX), numbers.next().unwrap_or(0))
}

const EDUCATION: &str = "decisions/2012/joint-work-with-the-isle-of-wight-to-deliver-education-support-services.md";
const CHILDREN: &str = "decisions/2023/future-arrangements-for-childrens-services-on-the-isle-of-wight.md";

#[test]
fn each_full_build_makes_only_what_changed_and_publishes_what_a_build_from_nothing_does() {
    let reg = copy_register(&repo());
    let root = reg.path();
    let first = build(root, &[]);
    assert!(!first.contains("as they were"), "the first build makes every page: {first}");

    // A new decision maker moves a decision between listings: a full build.
    // It starts from the output of the build before last (none yet), so
    // it makes every page again.
    let text = std::fs::read_to_string(root.join(EDUCATION)).unwrap();
    let maker = text.lines().find(|l| l.starts_with("decision_maker:")).unwrap().to_string();
    edit(root, EDUCATION, &maker, "decision_maker: Cabinet Member for Education");
    build(root, &[]);
    same_as_from_nothing(root, &[]);

    // The next full build starts from the first build's output: the two
    // records edited since (and those showing their titles) are made
    // again, the rest kept.
    let text = std::fs::read_to_string(root.join(CHILDREN)).unwrap();
    let maker = text.lines().find(|l| l.starts_with("decision_maker:")).unwrap().to_string();
    edit(root, CHILDREN, &maker, "decision_maker: Cabinet Member for Children");
    edit(root, CHILDREN, "title: Future", "title: Revised Future");
    let said = build(root, &[]);
    assert!(!said.contains("republished"), "{said}");
    let (made, kept) = pages(&said);
    assert!(kept > 0 && made < 11, "{said}");
    same_as_from_nothing(root, &[]);

    // A template every page uses: every page is made again.
    let tpl = root.join("templates/html/decision.html");
    std::fs::create_dir_all(tpl.parent().unwrap()).unwrap();
    let builtin = std::fs::read_to_string(repo().join("templates/html/decision.html")).unwrap();
    std::fs::write(&tpl, builtin.replacen("</article>", "<p>Printed from the register.</p></article>", 1)).unwrap();
    let said = build(root, &[]);
    assert!(!said.contains("as they were"), "{said}");
    same_as_from_nothing(root, &[]);
    // A document replaced: its copy in the site is replaced too.
    let docs = walkdir::WalkDir::new(root.join("documents")).into_iter().filter_map(Result::ok);
    let doc = docs.filter(|e| e.file_type().is_file()).find(|e| e.path().extension().is_some_and(|x| x == "csv"));
    let doc = doc.expect("the sample has documents").into_path();
    let mut bytes = std::fs::read(&doc).unwrap();
    bytes.extend_from_slice(b"\n");
    std::fs::write(&doc, bytes).unwrap();
    build(root, &[]);
    same_as_from_nothing(root, &[]);

    // Back to the built-in template: the output of the build before last
    // was made with it, and its pages are kept.
    std::fs::remove_file(&tpl).unwrap();
    let said = build(root, &[]);
    let (made, kept) = pages(&said);
    assert!(kept > 0 && made < 11, "{said}");
    same_as_from_nothing(root, &[]);
}

#[test]
fn a_build_with_skipped_records_publishes_what_a_build_of_the_valid_ones_does() {
    let reg = copy_register(&repo());
    let root = reg.path();
    build(root, &["--no-pdf"]);
    build(root, &["--no-pdf", "--force"]);
    edit(root, EDUCATION, "title: ", "title:\n  - not a title\n");
    let o = decreg(root, &["build", "--no-pdf", "--keep-going"]);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    let mine = published(&root.join("output"));
    std::fs::remove_file(root.join(EDUCATION)).unwrap();
    let fresh = tempfile::tempdir().unwrap();
    build(root, &["--no-pdf", "--out", fresh.path().to_str().unwrap()]);
    let theirs = published(fresh.path());
    assert_eq!(mine.keys().collect::<Vec<_>>(), theirs.keys().collect::<Vec<_>>(), "the same files");
    for (name, bytes) in &mine {
        assert!(bytes == &theirs[name], "{name} differs from a build of the valid records alone");
    }
    let home = String::from_utf8_lossy(&mine["index.html"]).into_owned();
    assert!(home.contains("decisions/"), "the home page lists decisions");
}
