//! `decreg check` on the sample register and on fixture registers whose
//! expected diagnostics are written beside them (tests/fixtures/invalid/*/
//! expected.txt: `code file line`, one a line).

use super::support::*;
use std::collections::BTreeSet;

#[test]
fn the_sample_register_has_no_errors() {
    let (code, report) = check_json(&repo());
    let errors: Vec<_> =
        report["diagnostics"].as_array().unwrap().iter().filter(|d| d["severity"] == "error").collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(code, 0);
    assert!(report["records"].as_u64().unwrap() >= 11);
}

fn expected(case: &str) -> BTreeSet<(String, String, u64)> {
    let text = std::fs::read_to_string(fixture("invalid").join(case).join("expected.txt")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            (cols[0].to_string(), cols[1].to_string(), cols[2].parse().unwrap())
        })
        .collect()
}

fn assert_case(case: &str) {
    let (code, report) = check_json(&fixture("invalid").join(case));
    let got: BTreeSet<_> = triples(&report).into_iter().collect();
    let want = expected(case);
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(missing.is_empty() && extra.is_empty(), "{case}: missing {missing:#?}\nunexpected {extra:#?}");
    assert_eq!(code, 1, "{case}: errors give exit status 1");
}

#[test]
fn field_problems_are_located() {
    assert_case("fields");
}

#[test]
fn the_law_and_the_councils_rules() {
    assert_case("law");
}

#[test]
fn unreadable_files_and_cross_record_problems() {
    assert_case("files");
}

#[test]
fn exempt_paragraphs_follow_the_registers_legislation() {
    assert_case("wales");
}

#[test]
fn human_output_names_file_line_rule_and_hint() {
    let out = decreg(&fixture("invalid/fields"), &["check"]);
    let text = String::from_utf8(out.stderr).unwrap();
    assert!(text.contains("warning[unknown-field]: unknown field `decison_maker`"), "{text}");
    assert!(text.contains("--> decisions/typos.md:3:1"), "{text}");
    assert!(text.contains("= help: did you mean `decision_maker`?"), "{text}");
    assert!(text.contains("help: `decison_maker` looks like a misspelling of `decision_maker`"), "{text}");
    assert!(!text.contains("\u{1b}["), "no colour when NO_COLOR is set or output is not a terminal");
    // sorted by file, then line
    let typos = text.find("decisions/typos.md:2").unwrap();
    assert!(text.find("decisions/no-status.yaml").unwrap() < typos);
    assert!(text.contains("error[invalid-value]: unknown status `agreed`"));
    assert!(text.contains("did you mean `approved`?"));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn warnings_pass_unless_denied() {
    let root = fixture("invalid/warnings-only");
    assert_eq!(decreg(&root, &["check"]).status.code(), Some(0));
    assert_eq!(decreg(&root, &["check", "--deny-warnings"]).status.code(), Some(1));
}

#[test]
fn a_folder_without_decisions_is_a_usage_failure() {
    let dir = tempfile::tempdir().unwrap();
    let out = decreg(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no decisions/ folder"));
}

#[test]
fn no_register_yaml_means_defaults() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("decisions")).unwrap();
    std::fs::write(
        dir.path().join("decisions/a.md"),
        "---\ntitle: A\ndecision_maker: Cabinet\nstatus: approved\ndecision_date: 2012-11-13\npublished: 2012-11-13\ninterests: []\n---\n## Decision\nx\n## Reasons for the decision\ny\n## Alternative options considered\nz\n",
    )
    .unwrap();
    let out = decreg(dir.path(), &["show", "a", "--format", "json"]);
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // default rule: 5 clear working days
    assert_eq!(r["call_in"]["deadline"], "2012-11-20");
    assert_eq!(r["effective_from"], "2012-11-21");
}
