//! Registers written by ../shared/bench/gen-corpus: valid records check
//! clean, and every kind of broken record it writes is named with a line.

use super::support::*;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

pub fn gen_corpus(n: usize, bad: usize, dir: &Path) {
    let script = repo().join("../shared/bench/gen-corpus");
    let status = Command::new("python3")
        .arg(&script)
        .arg(n.to_string())
        .arg(dir)
        .args(["--bad", &bad.to_string(), "--replace"])
        .stdout(std::process::Stdio::null())
        .status()
        .expect("python3 runs gen-corpus");
    assert!(status.success(), "gen-corpus failed");
}

#[test]
fn every_broken_kind_is_named_with_a_line() {
    let dir = tempfile::tempdir().unwrap();
    gen_corpus(40, 18, dir.path());
    let (code, report) = check_json(dir.path());
    assert_eq!(code, 1);
    let mut by_file: BTreeMap<String, Vec<(String, u64)>> = BTreeMap::new();
    for (code, file, line) in triples(&report) {
        by_file.entry(file).or_default().push((code, line));
    }
    let bad_dir = dir.path().join("decisions/bad");
    let mut names: Vec<String> =
        std::fs::read_dir(&bad_dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names.len(), 18);
    let expected_code = |name: &str| -> &str {
        match name {
            n if n.starts_with("bad-broken-yaml") => "yaml-syntax",
            n if n.starts_with("bad-missing-title") => "missing-field",
            n if n.starts_with("bad-invalid-date") => "invalid-date",
            n if n.starts_with("bad-unknown-field") => "missing-field",
            n if n.starts_with("bad-duplicate-id") => "duplicate-id",
            n if n.starts_with("bad-exempt-paragraph") => "exempt-paragraph",
            n if n.starts_with("bad-deadline-before-published") => "deadline-before-published",
            n if n.starts_with("bad-non-utf8") => "not-utf8",
            n if n.starts_with("bad-empty-file") => "empty-record",
            n if n.starts_with("bad-oversized-body") => "record-too-large",
            n if n.starts_with("bad-unknown-status") => "invalid-value",
            n if n.starts_with("bad-missing-reasons") => "missing-section",
            n if n.starts_with("bad-yaml-tab-indent") => "yaml-syntax",
            n if n.starts_with("bad-unclosed-front-matter") => "front-matter-unclosed",
            n if n.starts_with("bad-invalid-id") => "invalid-id",
            n if n.starts_with("bad-missing-call-in-exemption") => "call-in-exemption-missing",
            n if n.starts_with("bad-duplicate-key") => "duplicate-field",
            n if n.starts_with("bad-key-decision-not-bool") => "wrong-type",
            other => panic!("a new kind of broken record: {other}"),
        }
    };
    for name in &names {
        let file = format!("decisions/bad/{name}");
        let diags = by_file.get(&file).unwrap_or_else(|| panic!("nothing said about {file}"));
        let want = expected_code(name);
        assert!(diags.iter().any(|(c, l)| c == want && *l >= 1), "{file}: want {want} with a line, got {diags:?}");
    }
    // only the broken files (and the record a duplicate id collides with) have errors
    let errors: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| d["file"].as_str().unwrap())
        .filter(|f| !f.starts_with("decisions/bad/"))
        .collect();
    assert!(errors.iter().all(|f| errors.len() <= 1 && f.starts_with("decisions/")), "{errors:?}");
}

#[test]
fn a_generated_register_checks_without_errors() {
    let dir = tempfile::tempdir().unwrap();
    gen_corpus(1500, 0, dir.path());
    let (code, report) = check_json(dir.path());
    let errors: Vec<_> =
        report["diagnostics"].as_array().unwrap().iter().filter(|d| d["severity"] == "error").collect();
    assert!(errors.is_empty(), "{:#?}", &errors[..errors.len().min(5)]);
    assert_eq!(code, 0);
    assert_eq!(report["records"], 1500);
    // deadlines gen-corpus wrote were computed with the same rule
    let differs = triples(&report)
        .into_iter()
        .filter(|(c, _, _)| c == "deadline-differs" || c == "effective-from-differs")
        .count();
    assert_eq!(differs, 0);
}
