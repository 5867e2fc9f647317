//! `decreg list` and `decreg show` on the sample register.

use super::support::*;
use serde_json::Value;

fn show_json(root: &std::path::Path, id: &str) -> Value {
    let out = decreg(root, &["show", id, "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_seed_notice_gets_its_printed_effective_date() {
    let r = show_json(&repo(), "joint-work-with-the-isle-of-wight-to-deliver-education-support-services");
    assert_eq!(r["published"], "2012-11-13");
    assert_eq!(r["call_in"]["deadline"], "2012-11-21");
    assert_eq!(r["effective_from"], "2012-11-22");
    assert_eq!(r["call_in_state"], "effective");
    assert_eq!(
        r["source"],
        "decisions/2012/joint-work-with-the-isle-of-wight-to-deliver-education-support-services.md"
    );
    assert_eq!(r["key_decision"], true);
    let sections: Vec<&str> = r["sections"].as_array().unwrap().iter().filter_map(|s| s["section"].as_str()).collect();
    assert_eq!(sections, ["purpose", "decision", "reasons", "alternatives"]);
}

#[test]
fn call_in_is_open_until_the_deadline_and_then_effective() {
    let dir = repo();
    let id = "joint-work-with-the-isle-of-wight-to-deliver-education-support-services";
    let state_on = |day: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_decreg"))
            .args(["--root", dir.to_str().unwrap(), "--today", day, "show", id, "--format", "json"])
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["call_in_state"].as_str().unwrap().to_string()
    };
    assert_eq!(state_on("2012-11-13"), "open");
    assert_eq!(state_on("2012-11-21"), "open");
    assert_eq!(state_on("2012-11-22"), "effective");
}

#[test]
fn the_open_call_in_table_answers_until_when() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_decreg"))
        .args(["--root", repo().to_str().unwrap(), "--today", "2012-11-15", "list", "--call-in", "open"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("open until 21 Nov 2012 16:00"), "{text}");
    assert!(text.contains("Joint Work with the Isle of Wight"), "{text}");
    assert!(text.contains("School Crossing Patrol Service Review"), "{text}");
    assert!(text.contains("2 records (call-in states as of 15 November 2012)"), "{text}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_decreg"))
        .args(["--root", repo().to_str().unwrap(), "--today", "2012-11-15", "list", "--status", "for-determination"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("1 record (call-in"), "{text}");
}

#[test]
fn list_filters_and_formats() {
    let out = decreg(&repo(), &["list", "--status", "forthcoming", "--format", "json"]);
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r["status"] == "forthcoming" && r["id"].is_string() && r["source"].is_string()));
    let out = decreg(&repo(), &["list", "--format", "csv"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert!(lines.next().unwrap().starts_with("id,title,decision_maker,status"));
    assert!(text.contains("2012-11-13,,2012-11-13,effective,2012-11-21,2012-11-22"), "{text}");
    let bad = decreg(&repo(), &["list", "--status", "agreed"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn show_finds_a_record_by_file_too() {
    let r =
        show_json(&repo(), "decisions/2012/joint-work-with-the-isle-of-wight-to-deliver-education-support-services.md");
    assert_eq!(r["decision_maker"], "Cabinet");
    let out = decreg(&repo(), &["show", "no-such-record"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn markdown_and_yaml_forms_resolve_identically() {
    let root = fixture("forms");
    let md = show_json(&root, "as-markdown");
    let yaml = show_json(&root, "as-yaml");
    let strip = |mut v: Value| {
        let o = v.as_object_mut().unwrap();
        o.remove("id");
        o.remove("source");
        v
    };
    assert_eq!(strip(md), strip(yaml));
}
