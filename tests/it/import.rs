//! `decreg import moderngov`: saved and copied ModernGov pages become
//! records that check without errors, equal to the sample register's own
//! record of the same decision, and importing again changes nothing.

use super::support::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn seed_000() -> PathBuf {
    repo().join("../shared/seeds/000_e025105259f1d9e4.txt")
}

/// An empty register with the sample's settings.
fn empty_register() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(repo().join("register.yaml"), dir.path().join("register.yaml")).unwrap();
    dir
}

fn import(root: &Path, args: &[&str]) -> (i32, String) {
    let mut all = vec!["import", "moderngov"];
    all.extend_from_slice(args);
    let out = decreg(root, &all);
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn show(root: &Path, id: &str) -> Value {
    let out = decreg(root, &["show", id, "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

const JOINT_WORK: &str = "joint-work-with-the-isle-of-wight-to-deliver-education-support-services";

#[test]
fn seed_000_imports_to_the_sample_registers_record() {
    let reg = empty_register();
    let (code, said) = import(reg.path(), &[seed_000().to_str().unwrap()]);
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("1 imported"), "{said}");
    let mut imported = show(reg.path(), JOINT_WORK);
    let mut sample = show(&repo(), JOINT_WORK);
    // what the sample supplies that the page does not print, and what only
    // an import records
    for (v, keys) in
        [(&mut sample, &["forward_plan", "areas", "interests", "subjects"][..]), (&mut imported, &["origin"][..])]
    {
        let record = v.as_object_mut().unwrap();
        for k in keys {
            assert!(record.remove(*k).is_some(), "{k}");
        }
    }
    // the item number the sample supplies to order its meeting's decision list
    let meeting = sample["meeting"].as_object_mut().unwrap();
    assert!(meeting.remove("item").is_some());
    assert_eq!(imported, sample);
    let (code, report) = check_json(reg.path());
    assert_eq!(code, 0, "{report:#}");
}

#[test]
fn importing_again_changes_nothing_and_an_edit_survives() {
    let reg = empty_register();
    let seed = seed_000();
    import(reg.path(), &[seed.to_str().unwrap()]);
    let file = reg.path().join(format!("decisions/2012/{JOINT_WORK}.md"));
    let first = std::fs::read_to_string(&file).unwrap();
    let (code, said) = import(reg.path(), &[seed.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(said.contains("1 unchanged"), "{said}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), first);
    // an officer adds what the page lacked
    let edited = first.replace("report_author:", "interests: []\nreport_author:");
    std::fs::write(&file, &edited).unwrap();
    let (code, said) = import(reg.path(), &[seed.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(said.contains("edited since it was imported"), "{said}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), edited, "the edit is kept");
    let (_, said) = import(reg.path(), &["--force", seed.to_str().unwrap()]);
    assert!(said.contains("1 updated"), "{said}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), first);
}

#[test]
fn a_page_that_is_not_a_decision_is_skipped_and_the_run_goes_on() {
    let reg = empty_register();
    let pages = tempfile::tempdir().unwrap();
    std::fs::write(
        pages.path().join("a-not-a-decision.html"),
        "<html><body><h1>Agenda</h1><p>Nothing</p></body></html>",
    )
    .unwrap();
    std::fs::copy(seed_000(), pages.path().join("b-seed.txt")).unwrap();
    std::fs::create_dir(pages.path().join("b-seed_files")).unwrap();
    std::fs::write(pages.path().join("b-seed_files/style.html"), "<html></html>").unwrap();
    let (code, said) = import(reg.path(), &[pages.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("2 pages: 1 imported, 0 updated, 0 unchanged, 1 skipped"), "{said}");
    assert!(said.contains("names no decision maker"), "{said}");
    let (code, _) = import(reg.path(), &["/no/such/folder"]);
    assert_eq!(code, 2);
}

/// The record files under `dir/decisions`, by path.
fn records_under(dir: &Path) -> std::collections::BTreeMap<String, String> {
    let root = dir.join("decisions");
    walkdir::WalkDir::new(&root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(&root).unwrap().to_string_lossy().into_owned();
            (rel, std::fs::read_to_string(e.path()).unwrap())
        })
        .collect()
}

/// The saved pages of tests/fixtures/moderngov/pages (four sites' markup,
/// a legacy `:-` one among them, and a text copy) give the records in
/// expected/, reviewed line by line against EXPECTED.md beside them.
#[test]
fn saved_moderngov_pages_give_their_expected_records() {
    let fixture = fixture("moderngov");
    let reg = tempfile::tempdir().unwrap();
    std::fs::copy(fixture.join("register.yaml"), reg.path().join("register.yaml")).unwrap();
    let (code, said) = import(reg.path(), &[fixture.join("pages").to_str().unwrap()]);
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("6 pages: 6 imported"), "{said}");
    let got = records_under(reg.path());
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let _ = std::fs::remove_dir_all(fixture.join("expected/decisions"));
        for (rel, text) in &got {
            let to = fixture.join("expected/decisions").join(rel);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::write(to, text).unwrap();
        }
    }
    assert_eq!(
        got,
        records_under(&fixture.join("expected")),
        "UPDATE_GOLDEN=1 cargo test rewrites expected/ for review"
    );
    // they load without an error; what they lack is reported as findings
    let (code, report) = check_json(reg.path());
    assert_eq!(code, 0, "{report:#}");
    let codes: Vec<&str> =
        report["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"status-not-recognised"), "{codes:?}");
    // importing the same pages again changes nothing
    let (_, said) = import(reg.path(), &[fixture.join("pages").to_str().unwrap()]);
    assert!(said.contains("6 pages: 0 imported, 0 updated, 6 unchanged, 0 skipped"), "{said}");
    // the register builds, and each page shows what was imported
    let out = reg.path().join("output");
    let built = decreg(reg.path(), &["build", "--no-pdf", "--out", out.to_str().unwrap()]);
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let page = std::fs::read_to_string(
        out.join("site/decisions/riverside-depot-fleet-electrification-charging-infrastructure/index.html"),
    )
    .unwrap()
    .replace("&#x2F;", "/");
    for fact in [
        "Riverside Depot: Fleet Electrification &amp; Charging Infrastructure",
        "Recommendations Approved",
        "Priya Venkataraman",
        "“charge overnight, collect by day”",
        "(ii) To delegate authority to the Director of Environment",
        "Appendix A - Fleet Transition Plan 2024–2030",
        "https://democracy.example.gov.uk/ieDecisionDetails.aspx?ID=4127",
    ] {
        assert!(page.contains(fact), "{fact}");
    }
    let odd =
        std::fs::read_to_string(out.join("site/decisions/the-revised-street-trading-policy-2025-2030/index.html"))
            .unwrap();
    assert!(odd.contains("(title supplied)") && odd.contains("Awaiting Implementation - Subject to Scrutiny"));
}
