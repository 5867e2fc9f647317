//! The rule book: every code `check` reports, the kind of problem it is,
//! and the law or council rule behind it. A code has one kind, here and
//! only here: diagnostics take their severity from this table, the README's
//! rule table is written from it, and the compliance report quotes it.
//!
//! The kinds follow the spec ("What stops publication, and what is a
//! finding"): an error is a record decreg cannot publish correctly or
//! safely; a finding is what the law or the council's rules expect and the
//! record does not show (published as it is, reported to officers); a
//! warning is a slip in how the register is written (a misspelt field, a
//! date that differs from the call-in rule) that changes nothing published.

use serde::Serialize;

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Stops publication of the record.
    Error,
    /// A gap against the law or the council's rules: published, reported.
    Finding,
    /// A slip in writing the register: published, reported.
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Finding => "finding",
            Severity::Warning => "warning",
        }
    }
}

/// One rule: its code, its kind, what it asks and where that comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub code: &'static str,
    pub severity: Severity,
    /// What a record must show or be, in a sentence.
    pub asks: &'static str,
    /// The law or rule it comes from.
    pub source: &'static str,
}

const REGS_2012: &str =
    "Local Authorities (Executive Arrangements) (Meetings and Access to Information) (England) Regulations 2012";
const READABLE: &str = "decreg: a record it cannot read cannot be published";

use Severity::{Error, Finding, Warning};

const fn rule(code: &'static str, severity: Severity, asks: &'static str, source: &'static str) -> Rule {
    Rule { code, severity, asks, source }
}

/// Every rule, errors first, in the order an officer meets them.
pub const RULES: &[Rule] = &[
    // The file cannot be read as a record.
    rule("unreadable-file", Error, "the file can be read", READABLE),
    rule("not-utf8", Error, "the file is UTF-8 text", READABLE),
    rule("empty-record", Error, "the file is not empty", READABLE),
    rule("record-too-large", Error, "the file is under the register's size limit (`max_record_bytes`)", READABLE),
    rule("front-matter-missing", Error, "a Markdown record starts with YAML front matter between `---` lines", READABLE),
    rule("front-matter-unclosed", Error, "the front matter ends with a `---` line", READABLE),
    rule("yaml-syntax", Error, "the YAML is well formed", READABLE),
    rule("yaml-alias-bomb", Error, "YAML aliases expand to a readable size", READABLE),
    rule("yaml-too-deep", Error, "YAML is nested at most 64 deep", READABLE),
    rule("duplicate-field", Error, "each field is given once", READABLE),
    rule("not-a-map", Error, "the front matter is a map of fields", READABLE),
    rule("link-outside-register", Error, "record files lie inside the register", "decreg: files outside the register are never published"),
    rule("link-broken", Error, "links under `decisions/` can be followed", READABLE),
    // A value decreg cannot publish correctly.
    rule("missing-field", Error, "`title`, `decision_maker` and `status` are given, and each list item has its name", "records spec: required fields"),
    rule("wrong-type", Error, "each field has the type the spec gives it", "records spec: field types"),
    rule("invalid-date", Error, "dates are real dates written YYYY-MM-DD", "records spec: dates"),
    rule("invalid-value", Error, "fields with a closed list of values use one of them", "records spec: allowed values"),
    rule("invalid-id", Error, "an `id` is a slug (lower-case letters, digits, hyphens), and not a name Windows keeps for a device (`con`, `nul`, `com1`…)", "records spec: `id`; it becomes the page's address"),
    rule("duplicate-id", Error, "every record has its own id", "records spec: `id`; two records cannot share one address"),
    rule("exempt-paragraph", Error, "exempt paragraphs exist in the register's legislation", "Local Government Act 1972, Schedule 12A (Schedule 7A in Scotland)"),
    rule("document-path", Error, "document paths stay inside `documents/`", "decreg: nothing outside `documents/` is published"),
    rule("document-missing", Error, "a document path names a file in `documents/`", "decreg: a link must lead to the document"),
    rule("document-url", Error, "a document link is an http(s) address", "decreg: a link must lead to the document"),
    rule("date-order", Error, "dates do not contradict each other (no notice before its decision, no hearing before its request)", "records spec: dates"),
    rule("deadline-before-published", Error, "a call-in deadline is not before publication", "records spec: call-in"),
    // What the law or the council's rules expect.
    rule("missing-section", Finding, "the written record of a decision gives the decision, the reasons for it and (for executive decisions) the alternatives considered and rejected", "2012 Regulations, regs. 12-13; Openness of Local Government Bodies Regulations 2014, reg. 7 (officers)"),
    rule("empty-section", Finding, "a section the law requires says something", "2012 Regulations, regs. 12-13; Openness of Local Government Bodies Regulations 2014, reg. 7 (officers)"),
    rule("interests-not-stated", Finding, "the record of an executive decision notes any conflict of interest declared, and any dispensation", "2012 Regulations, regs. 12(2)(d)-(e) and 13(2)(d)-(e)"),
    rule("decision-date-missing", Finding, "the record of a decision gives the date it was made", "2012 Regulations, regs. 12(2)(a) and 13(2)(a); Openness Regulations 2014, reg. 7(2)(a)"),
    rule("key-decision-notice", Finding, "a key decision is on the forward plan 28 clear days before it is taken (5 under the general exception)", "2012 Regulations, regs. 9 and 10"),
    rule("urgency-rule-missing", Finding, "an urgent key decision says which rule applied: the general exception or special urgency", "2012 Regulations, regs. 10-11"),
    rule("urgency-notice-missing", Finding, "under the general exception, notice is published 5 clear days before the decision", "2012 Regulations, reg. 10(2)-(3)"),
    rule("urgency-agreement-missing", Finding, "under special urgency, the chair of the scrutiny committee (or of the council) agrees the decision cannot wait", "2012 Regulations, reg. 11"),
    rule("urgency-reason-missing", Finding, "an urgent key decision gives the reasons it could not wait", "2012 Regulations, regs. 10(3)(b) and 11(2)-(3)"),
    rule("call-in-exemption-missing", Finding, "an executive decision not subject to call-in says why (usually urgency)", "Local Government Act 2000, s. 9F; the council's scrutiny procedure rules"),
    rule("published-missing", Finding, "a decision subject to call-in records when its notice was published: the call-in period runs from it", "the council's scrutiny procedure rules (call-in)"),
    rule("late-publication", Finding, "a decision notice is published within 2 working days of the decision", "2012 Regulations, regs. 12-14 (as soon as reasonably practicable); the council's procedure rules"),
    rule("called-in-incomplete", Finding, "a call-in records when it was requested, or by whom", "the council's scrutiny procedure rules (call-in)"),
    rule("exempt-reason-missing", Finding, "exempt information states why the public interest in withholding it outweighs disclosure", "Local Government Act 1972, Schedule 12A, para. 10"),
    rule("expected-date-missing", Finding, "a forthcoming decision gives the date it is expected (or the earliest)", "2012 Regulations, reg. 9(2) (the notice states when the decision is to be made)"),
    rule("expected-date-passed", Finding, "a forthcoming decision whose expected date has passed is recorded or moved", "2012 Regulations, reg. 9 (the notice is kept up to date)"),
    rule("status-not-recognised", Finding, "the record gives the spec's `status` for the council's own status words", "records spec: `status`, `council_status` (imported records)"),
    rule("meeting-item-repeated", Finding, "each decision taken at a meeting has its own item number, so the meeting's decision list is in agenda order", "2012 Regulations, reg. 12 (the record of decisions taken at a meeting); the meeting's agenda"),
    rule("unknown-decision-maker", Finding, "the decision maker is one the council lists in `decision_makers`", "the council's scheme of delegation (register.yaml)"),
    // Slips in writing the register.
    rule("unknown-field", Warning, "fields are ones the spec knows (a misspelt one is not read)", "records spec: fields"),
    rule("same-field-twice", Warning, "areas are given under one name (`areas`, `wards` or `divisions`)", "records spec: `areas`"),
    rule("unknown-related", Warning, "`related` and `supersedes` name records in the register", "records spec: `related`, `supersedes`"),
    rule("deadline-differs", Warning, "a written call-in deadline matches the register's call-in rule", "register.yaml `call_in`"),
    rule("effective-from-differs", Warning, "a written effective date matches the register's call-in rule", "register.yaml `call_in`"),
    rule("call-in-not-executive", Warning, "call-in is claimed only for executive decisions", "Local Government Act 2000, s. 9F"),
    rule("late-call-in", Warning, "a call-in request comes by the deadline", "the council's scrutiny procedure rules (call-in)"),
    rule("calendar-range", Warning, "call-in periods fall within the bank holidays decreg knows", "Banking and Financial Dealings Act 1971 (bank holidays)"),
    rule("unexpected-file", Warning, "files under `decisions/` are records (`.md`, `.yaml`)", "records spec: layout"),
    rule("link-not-followed", Warning, "`decisions/` holds no links to folders", "records spec: layout"),
    // The register's settings.
    rule("colour-contrast", Error, "the register's colours give text a contrast of at least 4.5:1", "WCAG 2.2, 1.4.3 (Public Sector Bodies Accessibility Regulations 2018)"),
    rule("build-failed", Error, "the build can write its output", "decreg"),
];

/// The rule with this code.
pub fn rule_of(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code == code)
}

/// The severity a code has; an unknown code (a bug) is an error, so that
/// nothing is published on a problem no one has classed.
pub fn severity_of(code: &str) -> Severity {
    rule_of(code).map_or(Error, |r| r.severity)
}

/// The README's rule table.
pub fn markdown_table() -> String {
    let mut out = String::from("| code | kind | what a record must show or be | source |\n|---|---|---|---|\n");
    for r in RULES {
        let source = r.source.replace("2012 Regulations", "2012 Regs");
        out.push_str(&format!("| `{}` | {} | {} | {} |\n", r.code, r.severity.as_str(), r.asks, source));
    }
    out
}

/// The full name of the regulations the sources shorten to "2012 Regulations".
pub fn regulations_2012() -> &'static str {
    REGS_2012
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::path::Path;

    #[test]
    fn every_code_is_listed_once() {
        let mut seen = HashSet::new();
        for r in RULES {
            assert!(seen.insert(r.code), "{} is listed twice", r.code);
            assert!(r.code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "{}", r.code);
        }
    }

    /// Each diagnostic the code makes uses a constructor of its code's
    /// kind, and every code in the table is made somewhere.
    #[test]
    fn the_code_makes_each_code_with_its_kind() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut used = HashSet::new();
        for entry in walkdir::WalkDir::new(&src).into_iter().filter_map(Result::ok) {
            if entry.path().extension().is_none_or(|e| e != "rs") || entry.path().ends_with("rulebook.rs") {
                continue;
            }
            let text = std::fs::read_to_string(entry.path()).unwrap();
            for (made_as, code) in made_codes(&text) {
                let rule = rule_of(code)
                    .unwrap_or_else(|| panic!("{}: `{code}` is not in the rule book", entry.path().display()));
                if let Some(made_as) = made_as {
                    assert_eq!(made_as, rule.severity, "{}: `{code}`", entry.path().display());
                }
                used.insert(code.to_string());
            }
        }
        for r in RULES {
            assert!(used.contains(r.code), "`{}` is in the rule book but nothing reports it", r.code);
        }
    }

    /// The codes in calls like `error("code"`, `finding(r, "code"` or
    /// `Diagnostic::new("code"`, with the kind the call names.
    fn made_codes(text: &str) -> Vec<(Option<Severity>, &str)> {
        let mut out = Vec::new();
        for (name, kind) in [
            ("error(", Some(Error)),
            ("err(", Some(Error)),
            ("finding(", Some(Finding)),
            ("warning(", Some(Warning)),
            ("warn(", Some(Warning)),
            ("differs(", Some(Warning)),
            ("Diagnostic::new(", None),
        ] {
            for (at, _) in text.match_indices(name) {
                let before = text[..at].chars().last();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let rest = text[at + name.len()..].trim_start();
                let rest = rest.strip_prefix("r,").map_or(rest, str::trim_start);
                if let Some(quoted) = rest.strip_prefix('"') {
                    let code = &quoted[..quoted.find('"').unwrap_or(0)];
                    if !code.is_empty()
                        && code.contains('-')
                        && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    {
                        out.push((kind, code));
                    }
                }
            }
        }
        out
    }

    #[test]
    fn the_readme_rule_table_is_the_rule_book() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
        let readme = std::fs::read_to_string(&path).unwrap();
        let (start, end) = ("<!-- rules:start -->\n", "<!-- rules:end -->");
        let from = readme.find(start).expect("README marks its rule table") + start.len();
        let to = readme.find(end).expect("README marks the end of its rule table");
        let table = markdown_table();
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, format!("{}{table}{}", &readme[..from], &readme[to..])).unwrap();
            return;
        }
        assert_eq!(
            &readme[from..to],
            table,
            "the README's rule table is stale: UPDATE_GOLDEN=1 cargo test rewrites it"
        );
    }
}
