//! `decreg new`, `decreg schema` and `decreg completions`.

use super::support::*;

fn register() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("decisions")).unwrap();
    std::fs::write(
        dir.path().join("register.yaml"),
        "council: Test Council\ndecision_makers: [Cabinet, Director of Place]\n",
    )
    .unwrap();
    dir
}

#[test]
fn new_writes_a_record_that_checks_and_never_overwrites() {
    let dir = register();
    let out = decreg(dir.path(), &["new", "Library Service Review: Phase 2", "--date", "2027-02-10"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let path = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(path.ends_with("decisions/2027/library-service-review-phase-2.md"), "{path}");
    let text = std::fs::read_to_string(&path).unwrap();
    for heading in ["## Purpose", "## Decision", "## Reasons for the decision", "## Alternative options considered"] {
        assert!(text.contains(heading), "{heading}");
    }
    let officer = decreg(
        dir.path(),
        &[
            "new",
            "Street Lighting Contract",
            "--decision-maker",
            "Director of Place",
            "--kind",
            "officer-delegated",
            "--date",
            "2027-03-01",
            "--yaml",
        ],
    );
    assert!(officer.status.success(), "{}", String::from_utf8_lossy(&officer.stderr));
    assert!(String::from_utf8_lossy(&officer.stdout).trim().ends_with("decisions/2027/street-lighting-contract.yaml"));

    let (code, report) = check_json(dir.path());
    let errors: Vec<_> =
        report["diagnostics"].as_array().unwrap().iter().filter(|d| d["severity"] == "error").collect();
    assert!(errors.is_empty() && code == 0, "{errors:#?}");
    assert_eq!(report["records"], 2);

    std::fs::write(&path, "the author's own words").unwrap();
    let again = decreg(dir.path(), &["new", "Library Service Review: Phase 2", "--date", "2027-02-10"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "the author's own words");
}

#[test]
fn schema_is_json_schema_2020_12_of_the_fields() {
    let out = decreg(&repo(), &["schema"]);
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    for field in decreg::records::parse::RECORD_FIELDS {
        assert!(schema["properties"].get(field).is_some(), "{field} is described");
    }
    let statuses = schema["properties"]["status"]["enum"].as_array().unwrap();
    assert_eq!(statuses.len(), 10);
}

#[test]
fn completions_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = decreg(&repo(), &["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("decreg") && text.contains("build"), "{shell}");
    }
}
