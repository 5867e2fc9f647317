//! A register of the imperfect records councils really have
//! (tests/fixtures/imperfect/): every statutory gap is a finding, every
//! record publishes, and the council decides when findings stop
//! publication (`rules.strict_from`, `rules.off`, `--deny-warnings`).

use super::support::*;
use serde_json::Value;
use std::collections::BTreeSet;

fn imperfect() -> std::path::PathBuf {
    fixture("imperfect")
}

fn expected() -> BTreeSet<(String, String, u64)> {
    let text = std::fs::read_to_string(imperfect().join("expected.txt")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            (cols[0].to_string(), cols[1].to_string(), cols[2].parse().unwrap())
        })
        .collect()
}

/// (severity, code, file) of every diagnostic.
fn kinds(report: &Value) -> BTreeSet<(String, String, String)> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let s = |k: &str| d[k].as_str().unwrap().to_string();
            (s("severity"), s("code"), s("file"))
        })
        .collect()
}

/// A copy of the imperfect register with `rules:` added to register.yaml.
fn with_rules(rules: &str) -> tempfile::TempDir {
    let dir = copy_register(&imperfect());
    let path = dir.path().join("register.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}\nrules:\n{rules}")).unwrap();
    dir
}

#[test]
fn statutory_gaps_are_findings_not_errors() {
    let (code, report) = check_json(&imperfect());
    assert_eq!(code, 0, "findings do not fail check");
    let got: BTreeSet<_> = triples(&report).into_iter().collect();
    assert_eq!(got, expected());
    assert!(kinds(&report).iter().all(|(severity, _, _)| severity == "finding"), "{report:#}");
    assert_eq!(report["errors"], 0);
    assert_eq!(report["findings"].as_u64().unwrap() as usize, expected().len());
    let human = decreg(&imperfect(), &["check"]);
    let text = String::from_utf8_lossy(&human.stderr);
    assert!(text.contains("finding[key-decision-notice]: no notice recorded"), "{text}");
    assert!(text.contains("0 errors, 16 findings, 0 warnings"), "{text}");
}

#[test]
fn every_imperfect_record_is_published_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let out = decreg(&imperfect(), &["build", "--no-pdf", "--out", dir.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let site = dir.path().join("site");
    let json: Value = serde_json::from_slice(&std::fs::read(site.join("decisions.json")).unwrap()).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 16, "every record is published");
    let page = |id: &str| std::fs::read_to_string(site.join("decisions").join(id).join("index.html")).unwrap();
    // a decided record without a decision date says so, and invents none
    let minutes = page("annual-governance-statement-2011-12");
    assert!(minutes.contains("<dt>Date of decision</dt><dd>Not recorded</dd>"), "{minutes}");
    // a dispensation in the council's words is shown in them
    let rents = page("hra-rent-setting-2010-11");
    assert!(rents.contains("dispensation: granted by the Standards Committee on 5 January 2010"));
    assert!(rents.contains("a dispensation was granted"));
    // a missing section simply does not appear; no finding reaches a public page
    let lease = page("lease-of-unit-4-riverside-trading-estate");
    assert!(!lease.contains("Reasons for the decision"));
    for (path, bytes) in output_files(&site) {
        let text = String::from_utf8_lossy(&bytes);
        for word in ["finding", "no notice recorded", "EXEMPT-CANARY-IMPERFECT"] {
            assert!(!text.contains(word), "{path} contains `{word}`");
        }
    }
}

#[test]
fn a_record_decreg_cannot_publish_still_stops_the_build() {
    let dir = copy_register(&imperfect());
    let bad = "---\ntitle: Charges for garden waste\ndecision_maker: Cabinet\nstatus: aproved\ndecision_date: 2024-02-07\n---\n";
    std::fs::write(dir.path().join("decisions/garden-waste.md"), bad).unwrap();
    let out = dir.path().join("output");
    let built = decreg(dir.path(), &["build", "--no-pdf", "--out", out.to_str().unwrap()]);
    assert_eq!(built.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&built.stderr);
    assert!(stderr.contains("error[invalid-value]: unknown status `aproved`"), "{stderr}");
    assert!(stderr.contains("nothing was published"), "{stderr}");
    assert!(!out.join("site").exists());
}

#[test]
fn strict_from_makes_findings_errors_only_for_later_decisions() {
    let dir = with_rules("  strict_from: 2020-01-01\n");
    let (code, report) = check_json(dir.path());
    assert_eq!(code, 1);
    let kinds = kinds(&report);
    let of = |file: &str| -> BTreeSet<&str> {
        kinds.iter().filter(|(_, _, f)| f.ends_with(file)).map(|(s, _, _)| s.as_str()).collect()
    };
    // decided 2020 and later: errors
    assert_eq!(of("covid-19-discretionary-business-grants.md"), BTreeSet::from(["error"]));
    assert_eq!(of("purchase-of-homes-for-temporary-accommodation.md"), BTreeSet::from(["error"]));
    assert_eq!(of("empty-homes-loan-scheme.md"), BTreeSet::from(["error"]));
    // decided before: still findings; with no date at all: never strict
    assert_eq!(of("library-service-redesign.md"), BTreeSet::from(["finding"]));
    assert_eq!(of("care-home-fee-uplift-2019-20.md"), BTreeSet::from(["finding"]));
    assert_eq!(of("annual-governance-statement-2011-12.md"), BTreeSet::from(["finding"]));
    let text = String::from_utf8_lossy(&decreg(dir.path(), &["check"]).stderr).into_owned();
    assert!(text.contains("error[late-publication]"), "{text}");
    assert!(text.contains("decisions from 2020-01-01 (`rules.strict_from`)"), "{text}");
}

#[test]
fn rules_off_silences_findings_but_never_errors() {
    let dir = with_rules("  off: [interests-not-stated, late-publication]\n");
    let (code, report) = check_json(dir.path());
    assert_eq!(code, 0);
    let codes: BTreeSet<String> = kinds(&report).into_iter().map(|(_, c, _)| c).collect();
    assert!(!codes.contains("interests-not-stated") && !codes.contains("late-publication"), "{codes:?}");
    assert!(codes.contains("missing-section"));

    let dir = with_rules("  off: [date-order, interest-not-stated]\n");
    let out = decreg(dir.path(), &["check"]);
    let text = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(text.contains("`date-order` is an error"), "{text}");
    assert!(text.contains("did you mean `interests-not-stated`?"), "{text}");
}

#[test]
fn deny_warnings_fails_the_run_on_any_finding() {
    let out = decreg(&imperfect(), &["check", "--deny-warnings", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(kinds(&report).iter().all(|(s, _, _)| s == "error"));
    assert_eq!(report["findings"], 0);
}

#[test]
fn the_rule_book_covers_every_code_check_reports_here() {
    // every code the fixtures report is in the README's table
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    for (code, _, _) in expected() {
        assert!(readme.contains(&format!("| `{code}` | finding |")), "{code}");
    }
}
