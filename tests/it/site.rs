//! `decreg build`: the site's pages against reviewed golden files, exempt
//! information kept out of every byte, reproducible output, and builds that
//! fail or are refused leaving what was there untouched.

use super::support::*;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

fn build(root: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["build", "--no-pdf", "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    decreg(root, &args)
}

/// Every file under `dir`, by relative path, gzip bodies decompressed.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_file()) {
        let rel = entry.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
        let mut bytes = std::fs::read(entry.path()).unwrap();
        if bytes.starts_with(&[0x1f, 0x8b]) {
            let mut plain = Vec::new();
            if flate2::read::MultiGzDecoder::new(&bytes[..]).read_to_end(&mut plain).is_ok() {
                bytes = plain;
            }
        }
        out.insert(rel, bytes);
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn sample_site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = build(&repo(), dir.path(), &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let site = dir.path().join("site");
    (dir, site)
}

/// Compares with a golden file; `UPDATE_GOLDEN=1` rewrites it for review.
fn golden(name: &str, actual: &str) {
    let path = repo().join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == actual,
        "{name} differs from its golden file; review with UPDATE_GOLDEN=1 cargo test and git diff"
    );
}

#[test]
fn decision_pages_match_their_golden_files() {
    let (_dir, site) = sample_site();
    let read = |id: &str| std::fs::read_to_string(site.join("decisions").join(id).join("index.html")).unwrap();
    golden("decision-seed-000.html", &read("joint-work-with-the-isle-of-wight-to-deliver-education-support-services"));
    golden("decision-exempt.html", &read("disposal-of-the-former-example-road-depot"));
    golden("decision-report-seed-002.html", &read("provision-of-education-services-to-oxfordshire-schools"));
}

#[test]
fn exempt_information_reaches_no_output_byte() {
    let (_dir, site) = sample_site();
    let all = files(&site);
    assert!(all.keys().any(|k| k.starts_with("pagefind/")), "the search index was written");
    let exempt_source =
        std::fs::read_to_string(repo().join("decisions/examples/disposal-of-the-former-example-road-depot.md"))
            .unwrap();
    assert!(exempt_source.contains("EXEMPT-CANARY-7f3a"), "the sample exempt record carries the canary");
    for (file, bytes) in &all {
        assert!(!contains(bytes, b"EXEMPT-CANARY-7f3a"), "the canary is in {file}");
    }
    // the exempt record is listed, with its title, and nothing of its body
    let page =
        String::from_utf8(all["decisions/disposal-of-the-former-example-road-depot/index.html"].clone()).unwrap();
    assert!(page.contains("Disposal of the Former Example Road Depot"));
    assert!(page.contains("paragraph 3 of Schedule 12A to the Local Government Act 1972, Part 1"));
    assert!(!page.contains("<h2>Decision</h2>"));
}

#[test]
fn the_same_input_gives_a_byte_identical_site() {
    let (_a, one) = sample_site();
    let (_b, two) = sample_site();
    let (one, two) = (files(&one), files(&two));
    assert_eq!(one.keys().collect::<Vec<_>>(), two.keys().collect::<Vec<_>>());
    for (name, bytes) in &one {
        assert!(bytes == &two[name], "{name} differs between two builds");
    }
}

#[test]
fn every_seed_fact_reaches_its_page() {
    let (_dir, site) = sample_site();
    let page = |id: &str| std::fs::read_to_string(site.join("decisions").join(id).join("index.html")).unwrap();
    let p = page("joint-work-with-the-isle-of-wight-to-deliver-education-support-services");
    for fact in [
        "Alison Alexander",
        "<time datetime=\"2012-11-22\">22 November 2012</time>",
        "Recommendations Approved",
        "Executive Director of Children’s Services and Learning",
    ] {
        assert!(p.contains(fact), "{fact}");
    }
    let p = page("provision-of-education-services-to-oxfordshire-schools");
    for fact in ["Margaret Dennison", "(01865) 815125", "Integrated Business Centre", "formally withdraw"] {
        assert!(p.contains(fact), "{fact}");
    }
    let p = page("hampshire-county-council-isle-of-wight-council-strategic-partnership-services-and-scope");
    for fact in ["<td>Steve Crocker</td>", "<td>90%</td>", "<td>129</td>", "Top 25%"] {
        assert!(p.contains(fact), "{fact}");
    }
}

#[test]
fn a_register_with_errors_publishes_nothing_and_keeps_the_old_site() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert!(build(&repo(), &out, &[]).status.success());
    let before = files(&out.join("site"));
    let bad = build(&fixture("invalid/law"), &out, &[]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("nothing was published"));
    assert_eq!(files(&out.join("site")), before, "the previous site is untouched");
}

#[test]
fn keep_going_publishes_the_valid_records_and_names_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let out = build(&fixture("invalid/law"), dir.path(), &["--keep-going"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for skipped in [
        "decisions/no-reasons.md",
        "decisions/officer.md",
        "decisions/key-late.md",
        "decisions/urgent.md",
        "decisions/dates.md",
        "decisions/deadline-before.md",
        "decisions/forthcoming.md",
    ] {
        assert!(stderr.contains(&format!("skipped (has errors): {skipped}")), "{skipped}: {stderr}");
    }
    let site = dir.path().join("site");
    assert!(site.join("decisions/special/index.html").is_file(), "a record with warnings only is published");
    assert!(!site.join("decisions/dates/index.html").exists());
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(site.join("decisions.json")).unwrap()).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 1);
}

#[test]
fn out_never_replaces_a_folder_decreg_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("site")).unwrap();
    std::fs::write(dir.path().join("site/index.html"), "the council's own page").unwrap();
    let out = build(&repo(), dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not written by decreg"));
    assert_eq!(std::fs::read_to_string(dir.path().join("site/index.html")).unwrap(), "the council's own page");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no staging folder left behind");
}
