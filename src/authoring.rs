//! Helping authors write records: `decreg new` scaffolds a record with the
//! fields and headings its kind needs, and `decreg schema` describes the
//! front matter as a JSON Schema so editors validate and complete records
//! as they are typed.

use crate::load::Error;
use crate::records::parse::slugify;
use crate::records::{Kind, Status};
use chrono::{Datelike, NaiveDate};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// What `decreg new` is asked for.
pub struct NewRecord<'a> {
    pub title: &'a str,
    pub decision_maker: &'a str,
    pub kind: Kind,
    pub date: NaiveDate,
    pub yaml: bool,
}

/// Writes a new record under `decisions/<year>/<slug>`, never over an
/// existing file; returns its path.
pub fn new_record(root: &Path, r: &NewRecord<'_>) -> Result<PathBuf, Error> {
    let slug = slugify(r.title);
    if slug.is_empty() {
        return Err(Error {
            path: root.join("decisions"),
            what: "the title has no letters or digits to name the file by".into(),
        });
    }
    let ext = if r.yaml { "yaml" } else { "md" };
    let path = root.join("decisions").join(r.date.year().to_string()).join(format!("{slug}.{ext}"));
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, &e))?;
    }
    let text = if r.yaml { yaml_record(r) } else { markdown_record(r) };
    // create_new: a file that is already there is never overwritten
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            Error {
                path: path.clone(),
                what: "a record with this name already exists; choose another title or edit that file".into(),
            }
        } else {
            Error::io(&path, &e)
        }
    })?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(|e| Error::io(&path, &e))?;
    Ok(path)
}

/// YAML text for a scalar: quoted when plain YAML would misread it.
fn scalar(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

fn front_matter(r: &NewRecord<'_>) -> String {
    let mut f = format!("title: {}\ndecision_maker: {}\n", scalar(r.title), scalar(r.decision_maker));
    if r.kind != Kind::Executive {
        f.push_str(&format!("kind: {}\n", r.kind.as_str()));
    }
    f.push_str(&format!("status: forthcoming\nexpected_date: {}\n", r.date));
    f.push_str("key_decision: false  # when true, add forward_plan: { ref, first_published: YYYY-MM-DD }\n");
    if matches!(r.kind, Kind::Executive | Kind::Committee | Kind::Council) {
        // a decision taken at a meeting is listed on the meeting's page and decision list
        f.push_str(&format!(
            "# meeting: {{ body: {}, date: {}, item: 1 }}  # the meeting it is taken at, and its agenda item\n",
            scalar(r.decision_maker),
            r.date
        ));
    }
    if r.kind.is_executive() {
        f.push_str(
            "# when it is decided: status: approved, decision_date, published (the call-in period runs from it)\n",
        );
        f.push_str("interests: []  # or a list of { member, interest, type, action, dispensation }\n");
    } else {
        f.push_str("# when it is decided: status: approved and decision_date\n");
    }
    f.push_str("report_author: { name: \"\", role: \"\", email: \"\" }\n");
    f.push_str("areas: [All Wards]\nsubjects: []\n");
    f
}

/// The sections a record of this kind must hold once decided.
fn headings(kind: Kind) -> Vec<(&'static str, &'static str)> {
    let mut h = vec![
        ("Purpose", "What the decision is about, in a sentence or two."),
        ("Decision", "(i) What was decided."),
        ("Reasons for the decision", "Why."),
    ];
    if kind != Kind::OfficerDelegated {
        h.push(("Alternative options considered", "The options considered and rejected, and why."));
    }
    h
}

fn markdown_record(r: &NewRecord<'_>) -> String {
    let mut s = format!("---\n{}---\n", front_matter(r));
    for (h, placeholder) in headings(r.kind) {
        s.push_str(&format!("\n## {h}\n\n{placeholder}\n"));
    }
    s
}

fn yaml_record(r: &NewRecord<'_>) -> String {
    let mut s = front_matter(r);
    s.push_str("sections:\n");
    for (h, placeholder) in headings(r.kind) {
        s.push_str(&format!("  - heading: {h}\n    body: |\n      {placeholder}\n"));
    }
    s
}

fn date_format() -> Value {
    json!({ "type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" })
}

fn person() -> Value {
    json!({
        "description": "A name, or a map of name, role, email and phone.",
        "oneOf": [
            { "type": "string" },
            { "type": "object", "additionalProperties": false, "required": ["name"], "properties": {
                "name": { "type": "string" }, "role": { "type": "string" },
                "email": { "type": "string" }, "phone": { "type": "string" } } }
        ]
    })
}

fn strings() -> Value {
    json!({ "oneOf": [{ "type": "string" }, { "type": "array", "items": { "type": "string" } }] })
}

fn exempt() -> Value {
    json!({
        "description": "Exempt information: the Schedule 12A (or 7A) paragraph(s) and the public-interest statement.",
        "oneOf": [
            { "type": "integer" },
            { "type": "array", "items": { "type": "integer" } },
            { "type": "object", "additionalProperties": false, "required": ["paragraphs"], "properties": {
                "paragraphs": { "oneOf": [{ "type": "integer" }, { "type": "array", "items": { "type": "integer" }, "minItems": 1 }] },
                "reason": { "type": "string", "description": "Why the public interest in withholding outweighs disclosure." } } }
        ]
    })
}

/// The JSON Schema (draft 2020-12) of a record's fields. `yaml` adds the
/// `sections` list that pure-YAML records carry.
pub fn schema() -> Value {
    let statuses: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
    let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://decreg.invalid/schema/record.json",
        "title": "decreg decision record",
        "description": "The front matter of a decision record (../shared/spec/records.md), or a whole pure-YAML record.",
        "type": "object",
        "required": ["title", "decision_maker", "status"],
        "additionalProperties": false,
        "properties": {
            "title": { "type": "string", "minLength": 1, "description": "The decision's title." },
            "title_supplied": { "type": "boolean", "description": "The title was written by the editor, not the council." },
            "decision_maker": { "type": "string", "minLength": 1, "description": "A body (Cabinet, Council) or a person or role." },
            "status": { "enum": statuses, "description": "Where the decision stands." },
            "id": { "type": "string", "pattern": "^[a-z0-9-]+$", "description": "Stable identity and URL; default: the file name." },
            "reference": { "type": ["string", "number"], "description": "The council's own reference." },
            "kind": { "enum": kinds, "description": "Who took the decision in law; default executive." },
            "council_status": { "type": "string", "description": "The council's own status wording, shown verbatim." },
            "council": { "type": "string", "description": "decreg extension: the council that took the decision, where a register holds several." },
            "decision_date": date_format(),
            "expected_date": date_format(),
            "not_before": date_format(),
            "published": date_format(),
            "key_decision": { "type": "boolean" },
            "key_decision_reason": { "type": "string" },
            "forward_plan": { "type": "object", "additionalProperties": false, "properties": {
                "ref": { "type": ["string", "number"] }, "first_published": date_format() } },
            "urgency": { "type": "object", "additionalProperties": false, "properties": {
                "rule": { "enum": ["general-exception", "special-urgency"] },
                "reason": { "type": "string" }, "agreed_by": { "type": "string" }, "notice_published": date_format() } },
            "call_in": { "type": "object", "additionalProperties": false, "properties": {
                "subject": { "type": "boolean" },
                "exemption": { "type": "string", "description": "Required when an executive decision is not subject to call-in." },
                "deadline": date_format(),
                "called_in": { "type": "object", "additionalProperties": false, "properties": {
                    "date": date_format(), "by": strings(), "committee": { "type": "string" },
                    "hearing_date": date_format(),
                    "outcome": { "enum": ["upheld", "referred-back", "referred-to-council", "withdrawn"] },
                    "outcome_date": date_format() } } } },
            "effective_from": date_format(),
            "meeting": { "type": "object", "additionalProperties": false, "properties": {
                "body": { "type": "string" }, "date": date_format(), "item": { "type": ["string", "number"] } } },
            "report_author": person(),
            "report_by": { "type": "string" },
            "lead_member": { "type": "string" },
            "contact_officer": { "oneOf": [person(), { "type": "array", "items": person() }] },
            "areas": strings(),
            "wards": strings(),
            "divisions": strings(),
            "interests": { "type": "array", "items": { "oneOf": [
                { "type": "string" },
                { "type": "object", "additionalProperties": false, "required": ["member"], "properties": {
                    "member": { "type": "string" }, "interest": { "type": "string" }, "type": { "type": "string" },
                    "action": { "type": "string" }, "dispensation": { "type": ["boolean", "string"] } } } ] } },
            "exempt": exempt(),
            "directorate": { "type": "string" },
            "lead_officer": person(),
            "documents": { "type": "array", "items": { "type": "object", "additionalProperties": false, "required": ["title"], "properties": {
                "title": { "type": "string" },
                "path": { "type": "string", "description": "Relative to the register's documents/ folder." },
                "url": { "type": "string", "pattern": "^https?://" },
                "exempt": exempt() } } },
            "subjects": strings(),
            "related": strings(),
            "supersedes": { "type": "string" },
            "source": { "type": "object", "additionalProperties": false, "properties": {
                "url": { "type": "string" }, "system": { "type": "string" }, "id": { "type": "string" },
                "retrieved": { "type": "string", "format": "date" } } },
            "sections": { "type": "array", "description": "Pure-YAML records: the body as a list of sections.", "items": {
                "type": "object", "additionalProperties": false, "required": ["heading"], "properties": {
                    "heading": { "type": "string" }, "body": { "type": "string" } } } }
        }
    })
}
