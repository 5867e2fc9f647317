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

/// `decreg audit` on the imperfect register: (stdout, the page's HTML).
fn audit(root: &std::path::Path, format: &str) -> (String, String) {
    let out_dir = tempfile::tempdir().unwrap();
    let out = decreg(root, &["audit", "--format", format, "--out", out_dir.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page = std::fs::read_to_string(out_dir.path().join("audit/index.html")).unwrap();
    assert!(!out_dir.path().join("site").exists(), "the report is never part of the site");
    (String::from_utf8(out.stdout).unwrap(), page)
}

#[test]
fn the_audit_counts_findings_and_lists_what_to_fix() {
    let (json, page) = audit(&imperfect(), "json");
    let a: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(a["records"], 16);
    assert_eq!(a["findings"].as_u64().unwrap() as usize, expected().len());
    assert_eq!(a["records_with_findings"], 12);
    assert_eq!(a["unpublished"], 0);
    let count = |code: &str| {
        a["by_rule"].as_array().unwrap().iter().find(|r| r["code"] == code).map(|r| r["count"].as_u64().unwrap())
    };
    assert_eq!(count("missing-section"), Some(3));
    assert_eq!(count("key-decision-notice"), Some(2));
    assert_eq!(a["by_rule"][0]["code"], "missing-section", "most first");
    let cabinet = a["by_decision_maker"].as_array().unwrap().iter().find(|g| g["name"] == "Cabinet").unwrap();
    assert_eq!((cabinet["findings"].as_u64(), cabinet["records"].as_u64()), (Some(8), Some(9)));
    let undated = a["by_year"].as_array().unwrap().last().unwrap();
    assert_eq!(undated["name"], "not recorded");
    // key decisions without 28 clear days: no notice, a short one (17 days), and the urgent ones
    let notice = a["short_notice"].as_array().unwrap();
    let library = notice.iter().find(|n| n["id"] == "library-service-redesign").unwrap();
    assert_eq!((library["notice"].as_str(), library["clear_days"].as_i64()), (Some("2016-02-19"), Some(17)));
    let waste = notice.iter().find(|n| n["id"] == "waste-collection-vehicle-replacement").unwrap();
    assert!(waste["notice"].is_null() && waste["urgency"].is_null());
    assert_eq!(notice.len(), 5);
    let late = a["late_publication"].as_array().unwrap();
    assert_eq!(late.len(), 1);
    assert_eq!((late[0]["published"].as_str(), late[0]["working_days"].as_i64()), (Some("2022-03-15"), Some(6)));
    assert_eq!(a["call_in_exemptions"].as_array().unwrap().len(), 1);
    let problems = a["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 12);
    assert_eq!(problems[0]["id"], "empty-homes-loan-scheme", "the most recent decision first");
    assert!(problems[0]["problems"][0]["source"].as_str().unwrap().contains("2012 Regulations"));
    // the page says the same, for officers
    assert!(page.contains("<h1>Compliance report</h1>"));
    assert!(page.contains("15 March 2022"));
    assert!(page.contains("No notice recorded"));
    assert!(!page.contains("EXEMPT-CANARY-IMPERFECT"));
}

#[test]
fn the_audit_names_records_that_cannot_be_published_first() {
    let dir = copy_register(&imperfect());
    let bad = "---\ntitle: Charges for garden waste\ndecision_maker: Cabinet\nstatus: approved\ndecision_date: 2024-02-30\n---\n";
    std::fs::write(dir.path().join("decisions/garden-waste.md"), bad).unwrap();
    let (text, page) = audit(dir.path(), "table");
    assert!(text.contains("1 record cannot be published until its errors are fixed"), "{text}");
    let first = text.split("Records and their problems\n").nth(1).unwrap();
    assert!(first.trim_start().starts_with("Charges for garden waste"), "{first}");
    assert!(first.contains("NOT PUBLISHED"));
    assert!(page.contains("not published"));
}

#[test]
fn the_audit_csv_has_a_row_a_problem() {
    let (csv, _) = audit(&imperfect(), "csv");
    let mut lines = csv.split("\r\n").filter(|l| !l.is_empty());
    let head = lines.next().unwrap();
    assert!(head.starts_with("severity,code,file,line,"), "{head}");
    assert_eq!(lines.count(), expected().len());
    assert!(csv.contains("finding,late-publication,decisions/2022/empty-homes-loan-scheme.md,"));
}
