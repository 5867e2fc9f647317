//! A record file's text to a typed [`Record`]: every field of the spec read
//! with its type checked, every problem a located diagnostic. A record that
//! lacks what identifies it (title, decision maker, status) yields none.

use super::model::*;
use super::sections::{classify, split_markdown};
use super::text::{decode, split_front_matter};
use crate::config::Config;
use crate::diag::{did_you_mean, Diagnostic};
use crate::yaml::{self, Fields, FlagOrWords, Locations};
use serde_yaml::Value;
use std::path::Path;

/// Every field the spec defines, plus decreg's extensions (`council`).
pub const RECORD_FIELDS: &[&str] = &[
    "title",
    "title_supplied",
    "decision_maker",
    "status",
    "id",
    "reference",
    "kind",
    "council_status",
    "council",
    "decision_date",
    "expected_date",
    "not_before",
    "published",
    "key_decision",
    "key_decision_reason",
    "forward_plan",
    "urgency",
    "call_in",
    "effective_from",
    "meeting",
    "report_author",
    "report_by",
    "lead_member",
    "contact_officer",
    "areas",
    "wards",
    "divisions",
    "interests",
    "exempt",
    "directorate",
    "lead_officer",
    "documents",
    "subjects",
    "related",
    "supersedes",
    "source",
    "sections",
];

const PERSON_FIELDS: &[&str] = &["name", "role", "email", "phone"];

/// What parsing one file gave: the record, if it could be identified, and
/// every problem found on the way.
pub struct Parsed {
    pub record: Option<Record>,
    pub diags: Vec<Diagnostic>,
    /// Where each key stands, for the rules that run next.
    pub locations: Locations,
}

/// Parses a record from its bytes. `path` is the file as shown to the user
/// (relative to the register's root); its extension picks the format.
pub fn parse_record(bytes: &[u8], path: &Path, config: &Config) -> Parsed {
    let fail = |d: Diagnostic| Parsed { record: None, diags: vec![d], locations: Locations::default() };
    let text = match decode(bytes, path) {
        Ok(t) => t,
        Err(d) => return fail(d),
    };
    let format = match path.extension().and_then(|e| e.to_str()) {
        Some("yaml" | "yml") => Format::Yaml,
        _ => Format::Markdown,
    };
    let (front, front_line, body) = match format {
        Format::Yaml => (&*text, 1, None),
        Format::Markdown => match split_front_matter(&text, path) {
            Ok(s) => (s.front, s.front_line, Some((s.body, s.body_line))),
            Err(d) => return fail(d),
        },
    };
    let value = match yaml::parse(front, path, front_line) {
        Ok(v) => v,
        Err(d) => return fail(d),
    };
    let Value::Mapping(map) = &value else {
        return fail(
            Diagnostic::error(
                "not-a-map",
                path,
                format!("the record's fields are {}, not a map of fields", yaml::kind_of(&value)),
            )
            .at((front_line, 1))
            .hint("write each field as `name: value` on its own line, e.g. `title: Library Service Review`"),
        );
    };
    let loc = Locations::scan(front, front_line);
    let mut f = Fields::new(map, &loc, path);
    let sections = match body {
        Some((body, line)) => split_markdown(body, line),
        None => read_sections(&mut f),
    };
    let record = read_record(&mut f, path, format, sections, config);
    let mut diags = f.finish(RECORD_FIELDS);
    if format == Format::Markdown {
        // `sections:` belongs to YAML records; in front matter it is unread.
        if loc.has("sections") {
            diags.push(
                Diagnostic::warning("unknown-field", path, "`sections` is for records written in pure YAML")
                    .at(loc.find("sections"))
                    .hint("in a Markdown record, write sections as `## Heading` in the body"),
            );
        }
    }
    Parsed { record, diags, locations: loc }
}

fn read_record(
    f: &mut Fields<'_>,
    path: &Path,
    format: Format,
    sections: Vec<Section>,
    config: &Config,
) -> Option<Record> {
    let title = required(f, "title", "the decision's title, e.g. `title: Library Service Review`");
    let decision_maker = required(f, "decision_maker", "who took the decision, e.g. `decision_maker: Cabinet`");
    // A record imported with the council's status words that decreg could
    // not map gives no `status`: a finding, and it is listed as decided
    // (noted) when it has a decision date, else as awaiting determination.
    let unmapped = f.raw("status").is_none() && f.raw("council_status").is_some();
    if unmapped {
        let words = f.text("council_status").unwrap_or_default();
        f.finding(
            "status-not-recognised",
            "council_status",
            format!("the council's status `{words}` is not one decreg knows, and the record gives no `status`"),
            "add `status:` with the spec's word for it (approved, rejected, noted, deferred, withdrawn, ...)",
        );
    }
    let status = if unmapped {
        Some(if f.raw("decision_date").is_some() { Status::Noted } else { Status::ForDetermination })
    } else {
        read_status(f)
    };
    let id = read_id(f, path);
    let kind = f.text("kind").map_or(Some(Kind::default()), |k| {
        let kind = Kind::parse(&k);
        if kind.is_none() {
            f.error("invalid-value", "kind", format!("unknown kind `{k}`"), one_of(&k, &Kind::ALL.map(Kind::as_str)));
        }
        kind
    });
    let mut r = Record {
        id: id.clone().unwrap_or_default(),
        source: path.to_path_buf(),
        format,
        title: title.unwrap_or_default(),
        title_supplied: f.boolean("title_supplied").unwrap_or(false),
        decision_maker: decision_maker.unwrap_or_default(),
        status: status.unwrap_or(Status::Forthcoming),
        reference: f.text("reference"),
        kind: kind.unwrap_or_default(),
        council_status: f.text("council_status"),
        council: f.text("council"),
        decision_date: f.date("decision_date"),
        expected_date: f.date("expected_date"),
        not_before: f.date("not_before"),
        published: f.date("published"),
        key_decision: f.boolean("key_decision").unwrap_or(false),
        key_decision_reason: f.text("key_decision_reason"),
        forward_plan: read_forward_plan(f),
        urgency: read_urgency(f),
        call_in: CallIn::default(),
        call_in_state: CallInState::NotSubject,
        effective_from: None,
        effective_from_given: f.date("effective_from"),
        meeting: read_meeting(f),
        report_author: person(f, "report_author"),
        report_by: f.text("report_by"),
        lead_member: f.text("lead_member"),
        contact_officer: persons(f, "contact_officer"),
        areas: read_areas(f),
        interests: read_interests(f),
        exempt: f.raw("exempt").and_then(|v| read_exempt(f, "exempt", v)),
        directorate: f.text("directorate"),
        lead_officer: person(f, "lead_officer"),
        documents: read_documents(f),
        subjects: f.text_list("subjects").unwrap_or_default(),
        related: f.text_list("related").unwrap_or_default(),
        supersedes: f.text("supersedes"),
        origin: read_origin(f),
        sections,
    };
    r.effective_from = r.effective_from_given;
    r.call_in = read_call_in(f, r.kind, config);
    let identified = !r.title.is_empty() && !r.decision_maker.is_empty() && status.is_some() && id.is_some();
    identified.then_some(r)
}

/// `status`, one of the spec's words.
fn read_status(f: &mut Fields<'_>) -> Option<Status> {
    required(f, "status", "e.g. `status: approved`").and_then(|s| {
        let st = Status::parse(&s);
        if st.is_none() {
            let names = Status::ALL.map(Status::as_str);
            let hint = match status_synonym(&s) {
                Some(m) => format!("did you mean `{m}`? (one of: {})", names.join(", ")),
                None => one_of(&s, &names),
            };
            f.error("invalid-value", "status", format!("unknown status `{s}`"), hint);
        }
        st
    })
}

fn required(f: &mut Fields<'_>, key: &str, example: &str) -> Option<String> {
    match f.text(key) {
        Some(v) if !v.is_empty() => Some(v),
        Some(_) => {
            f.error("missing-field", key, format!("`{key}` is empty"), format!("give {example}"));
            None
        }
        None => {
            if f.raw(key).is_none() && !f_has_wrong_type(f, key) {
                let pos = (f.own_pos().0, 1);
                f.diags.push(
                    Diagnostic::error("missing-field", f.file(), format!("the record has no `{key}`")).at(pos).hint(
                        match f.near_miss(key) {
                            Some(other) => format!("`{other}` looks like a misspelling of `{key}`"),
                            None => format!("add {example}"),
                        },
                    ),
                );
            }
            None
        }
    }
}

/// Whether a wrong-type diagnostic was already given for `key`.
fn f_has_wrong_type(f: &Fields<'_>, key: &str) -> bool {
    let name = format!("`{}`", f.key_path(key));
    f.diags.iter().any(|d| d.code == "wrong-type" && d.message.starts_with(&name))
}

/// Words councils use for a status, mapped to the spec's names.
fn status_synonym(s: &str) -> Option<&'static str> {
    match s.to_lowercase().trim() {
        "agreed" | "accepted" | "adopted" | "recommendations approved" | "resolved" => Some("approved"),
        "refused" | "not agreed" | "declined" => Some("rejected"),
        "amended" | "agreed with amendments" => Some("approved-with-amendments"),
        "postponed" => Some("deferred"),
        "pending" | "proposed" | "planned" => Some("forthcoming"),
        _ => None,
    }
}

fn one_of(given: &str, names: &[&str]) -> String {
    match did_you_mean(given, names.iter().copied()) {
        Some(m) => format!("did you mean `{m}`? (one of: {})", names.join(", ")),
        None => format!("write one of: {}", names.join(", ")),
    }
}

fn read_id(f: &mut Fields<'_>, path: &Path) -> Option<String> {
    let given = f.text("id");
    let id = given.clone().or_else(|| path.file_stem().map(|s| s.to_string_lossy().into_owned()))?;
    if is_slug(&id) && !is_device_name(&id) {
        return Some(id);
    }
    if is_device_name(&id) {
        // a slug, but one Windows cannot make a folder of
        let what = "is a name Windows keeps for a device: its page could not be written or served on Windows";
        let hint = format!("give the record another id, such as `id: {id}-decision`");
        if given.is_some() {
            f.error("invalid-id", "id", format!("the id `{id}` {what}"), hint);
        } else {
            let msg = format!("the file name gives the id `{id}`, which {what}");
            f.diags.push(Diagnostic::error("invalid-id", f.file(), msg).at((1, 1)).hint(hint));
        }
        return None;
    }
    let suggestion = slugify(&id);
    if given.is_some() {
        f.error(
            "invalid-id",
            "id",
            format!("the id `{id}` is not a valid id"),
            format!("ids use only a-z, 0-9 and hyphens: try `id: {suggestion}`"),
        );
    } else {
        f.diags.push(
            Diagnostic::error(
                "invalid-id",
                f.file(),
                format!("the file name gives the id `{id}`, which is not a valid id"),
            )
            .at((1, 1))
            .hint(format!("rename the file to `{suggestion}` with its extension, or add `id: {suggestion}`")),
        );
    }
    None
}

/// Names Windows keeps for devices, with or without an extension: a
/// folder `decisions/con/` cannot be made there, so a site built anywhere
/// could not be copied to or served from a Windows host.
pub fn is_device_name(id: &str) -> bool {
    let stem = id.split('.').next().unwrap_or(id);
    matches!(stem, "con" | "prn" | "aux" | "nul")
        || (stem.len() == 4
            && (stem.starts_with("com") || stem.starts_with("lpt"))
            && stem.as_bytes()[3].is_ascii_digit()
            && stem.as_bytes()[3] != b'0')
}

/// `[a-z0-9-]+`: the record's identity and URL.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A meeting's slug, `2012-11-13-cabinet`: its date and body, so bodies
/// written differently in case or punctuation ("Cabinet", "cabinet") are
/// one meeting. `None` without both: there is then no meeting to list the
/// decision under.
pub fn meeting_slug(m: &super::Meeting) -> Option<String> {
    let (body, date) = (m.body.as_deref()?.trim(), m.date?);
    if body.is_empty() {
        return None;
    }
    let body = slugify(body);
    Some(format!("{date}-{}", if body.is_empty() { "meeting" } else { &body }))
}

/// A slug from a title: lower case, ASCII letters and digits, hyphens.
pub fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à'..='å' => 'a',
            'è'..='ë' => 'e',
            'ì'..='ï' => 'i',
            'ò'..='ö' => 'o',
            'ù'..='ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            '’' | '\'' => continue,
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn person(f: &mut Fields<'_>, key: &str) -> Option<Person> {
    let v = f.raw(key)?;
    person_value(f, v, f.key_path(key))
}

fn person_value(f: &mut Fields<'_>, v: &Value, path: String) -> Option<Person> {
    match v {
        Value::String(s) => Some(Person { name: s.trim().to_string(), ..Person::default() }),
        Value::Mapping(m) => {
            let mut p = f.sub(m, path.clone());
            let name = p.text("name");
            if name.is_none() {
                let pos = p.own_pos();
                p.diags.push(
                    Diagnostic::error("missing-field", f.file(), format!("`{path}` has no `name`"))
                        .at(pos)
                        .hint("a person needs at least `name:`"),
                );
            }
            let person = Person {
                name: name.unwrap_or_default(),
                role: p.text("role"),
                email: p.text("email"),
                phone: p.text("phone"),
            };
            let d = p.finish(PERSON_FIELDS);
            f.diags.extend(d);
            Some(person)
        }
        other => {
            let pos = f.pos(path.rsplit('.').next().unwrap_or(&path));
            f.diags.push(
                Diagnostic::error(
                    "wrong-type",
                    f.file(),
                    format!(
                        "`{path}` should be a name or a map of name, role, email and phone, but it is {}",
                        yaml::kind_of(other)
                    ),
                )
                .at(pos)
                .hint("write `name` or `{ name: ..., role: ..., email: ..., phone: ... }`"),
            );
            None
        }
    }
}

fn persons(f: &mut Fields<'_>, key: &str) -> Vec<Person> {
    match f.raw(key) {
        None => Vec::new(),
        Some(Value::Sequence(items)) => {
            let base = f.key_path(key);
            items.iter().enumerate().filter_map(|(i, v)| person_value(f, v, format!("{base}.{i}"))).collect()
        }
        Some(v) => person_value(f, v, f.key_path(key)).into_iter().collect(),
    }
}

fn read_forward_plan(f: &mut Fields<'_>) -> Option<ForwardPlan> {
    let mut m = f.map("forward_plan")?;
    let fp = ForwardPlan { reference: m.text("ref"), first_published: m.date("first_published") };
    let d = m.finish(&["ref", "first_published"]);
    f.diags.extend(d);
    Some(fp)
}

fn read_urgency(f: &mut Fields<'_>) -> Option<Urgency> {
    let mut m = f.map("urgency")?;
    let rule = m.text("rule").and_then(|r| {
        let rule = UrgencyRule::parse(&r);
        if rule.is_none() {
            m.error(
                "invalid-value",
                "rule",
                format!("unknown urgency rule `{r}`"),
                one_of(&r, &["general-exception", "special-urgency"]),
            );
        }
        rule
    });
    let u = Urgency {
        rule,
        reason: m.text("reason"),
        agreed_by: m.text("agreed_by"),
        notice_published: m.date("notice_published"),
    };
    let d = m.finish(&["rule", "reason", "agreed_by", "notice_published"]);
    f.diags.extend(d);
    Some(u)
}

fn read_call_in(f: &mut Fields<'_>, kind: Kind, config: &Config) -> CallIn {
    let default_subject = kind.is_executive() && config.call_in.default_subject;
    let Some(mut m) = f.map("call_in") else {
        return CallIn { subject: default_subject, ..CallIn::default() };
    };
    let subject_given = m.boolean("subject");
    let deadline_given = m.date("deadline");
    let called_in = m.map("called_in").map(|mut c| {
        let outcome = c.text("outcome").and_then(|o| {
            let out = Outcome::parse(&o);
            if out.is_none() {
                c.error(
                    "invalid-value",
                    "outcome",
                    format!("unknown call-in outcome `{o}`"),
                    one_of(&o, &Outcome::NAMES),
                );
            }
            out
        });
        let ci = CalledIn {
            date: c.date("date"),
            by: c.text_list("by").unwrap_or_default(),
            committee: c.text("committee"),
            hearing_date: c.date("hearing_date"),
            outcome,
            outcome_date: c.date("outcome_date"),
        };
        let d = c.finish(&["date", "by", "committee", "hearing_date", "outcome", "outcome_date"]);
        m.diags.extend(d);
        ci
    });
    let ci = CallIn {
        subject_given,
        subject: subject_given.unwrap_or(default_subject),
        exemption: m.text("exemption"),
        deadline_given,
        deadline: deadline_given,
        called_in,
    };
    let d = m.finish(&["subject", "exemption", "deadline", "called_in"]);
    f.diags.extend(d);
    ci
}

fn read_origin(f: &mut Fields<'_>) -> Option<Origin> {
    let mut m = f.map("source")?;
    let origin =
        Origin { url: m.text("url"), system: m.text("system"), id: m.text("id"), retrieved: m.date("retrieved") };
    if origin.url.as_ref().is_some_and(|u| !(u.starts_with("https://") || u.starts_with("http://"))) {
        m.error(
            "invalid-value",
            "url",
            "`source.url` is not a web address",
            "write a full http:// or https:// address",
        );
    }
    let d = m.finish(&["url", "system", "id", "retrieved"]);
    f.diags.extend(d);
    Some(origin)
}

fn read_meeting(f: &mut Fields<'_>) -> Option<Meeting> {
    let mut m = f.map("meeting")?;
    let meeting = Meeting { body: m.text("body"), date: m.date("date"), item: m.text("item") };
    let d = m.finish(&["body", "date", "item"]);
    f.diags.extend(d);
    Some(meeting)
}

/// `areas`, or its aliases `wards` and `divisions`.
fn read_areas(f: &mut Fields<'_>) -> Vec<String> {
    let mut found: Vec<(&str, Vec<String>)> = Vec::new();
    for key in ["areas", "wards", "divisions"] {
        if let Some(v) = f.text_list(key) {
            found.push((key, v));
        }
    }
    if found.len() > 1 {
        let names: Vec<String> = found.iter().map(|(k, _)| format!("`{k}`")).collect();
        f.warning(
            "same-field-twice",
            found[1].0,
            format!("{} are the same field under different names", names.join(" and ")),
            "keep one list of areas; decreg uses them all together",
        );
    }
    let mut areas: Vec<String> = found.into_iter().flat_map(|(_, v)| v).filter(|a| !a.is_empty()).collect();
    areas.dedup();
    areas
}

fn read_interests(f: &mut Fields<'_>) -> Option<Vec<Interest>> {
    let items = f.list("interests")?;
    let mut out = Vec::with_capacity(items.len());
    for (path, v) in items {
        match v {
            Value::Mapping(m) => {
                let mut i = f.sub(m, path.clone());
                let member = i.text("member");
                if member.is_none() {
                    let pos = i.own_pos();
                    i.diags.push(
                        Diagnostic::error("missing-field", f.file(), format!("`{path}` has no `member`"))
                            .at(pos)
                            .hint("name the member who declared the interest"),
                    );
                }
                out.push(Interest {
                    member: member.unwrap_or_default(),
                    interest: i.text("interest"),
                    kind: i.text("type"),
                    action: i.text("action"),
                    dispensation: i.flag_or_words("dispensation").map(|d| match d {
                        FlagOrWords::Flag(b) => Dispensation::Granted(b),
                        FlagOrWords::Words(w) => Dispensation::Described(w),
                    }),
                });
                let d = i.finish(&["member", "interest", "type", "action", "dispensation"]);
                f.diags.extend(d);
            }
            Value::String(s) => {
                out.push(Interest { member: s.clone(), interest: None, kind: None, action: None, dispensation: None })
            }
            other => {
                let pos = f.pos(path.trim_start_matches(&format!("{}.", f.key_path(""))));
                f.diags.push(
                    Diagnostic::error(
                        "wrong-type",
                        f.file(),
                        format!(
                            "`{path}` should be a map of member, interest, type, action and dispensation, but it is {}",
                            yaml::kind_of(other)
                        ),
                    )
                    .at(pos)
                    .hint("write `- member: Councillor ...` with `interest:` below it"),
                );
            }
        }
    }
    Some(out)
}

/// `exempt:` as a map `{ paragraphs, reason }`, or a paragraph number or
/// list of numbers alone.
fn read_exempt(f: &mut Fields<'_>, key: &str, v: &Value) -> Option<Exempt> {
    let path = f.key_path(key);
    let paragraphs = |f: &mut Fields<'_>, v: &Value, at: &str| -> Vec<u32> {
        let vals: Vec<&Value> = match v {
            Value::Sequence(s) => s.iter().collect(),
            other => vec![other],
        };
        vals.into_iter()
            .filter_map(|p| {
                let n = match p {
                    Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
                    Value::String(s) => s.trim().parse().ok(),
                    _ => None,
                };
                if n.is_none() {
                    let pos = f.pos(at);
                    f.diags.push(
                        Diagnostic::error("wrong-type", f.file(), format!("`{path}` paragraphs must be numbers"))
                            .at(pos)
                            .hint("write e.g. `paragraphs: [3]`"),
                    );
                }
                n
            })
            .collect()
    };
    match v {
        Value::Mapping(m) => {
            let mut e = f.sub(m, path.clone());
            let paras = e.raw("paragraphs").map(|p| paragraphs(&mut e, p, "paragraphs")).unwrap_or_default();
            if paras.is_empty() {
                let pos = e.own_pos();
                e.diags.push(
                    Diagnostic::error("missing-field", f.file(), format!("`{path}` names no paragraph"))
                        .at(pos)
                        .hint("give the Schedule 12A paragraph(s), e.g. `paragraphs: [3]`"),
                );
            }
            let ex = Exempt { paragraphs: paras, reason: e.text("reason") };
            let d = e.finish(&["paragraphs", "reason"]);
            f.diags.extend(d);
            Some(ex)
        }
        other => Some(Exempt { paragraphs: paragraphs(f, other, key), reason: None }),
    }
}

fn read_documents(f: &mut Fields<'_>) -> Vec<Document> {
    let Some(items) = f.list("documents") else { return Vec::new() };
    let mut out = Vec::with_capacity(items.len());
    for (path, v) in items {
        let Value::Mapping(m) = v else {
            let pos = f.pos("documents");
            f.diags.push(
                Diagnostic::error(
                    "wrong-type",
                    f.file(),
                    format!("`{path}` should be a map with `title` and `path` or `url`"),
                )
                .at(pos)
                .hint("write `- title: Cabinet report` with `path: 2012/report.pdf` below it"),
            );
            continue;
        };
        let mut d = f.sub(m, path.clone());
        let title = d.text("title");
        if title.is_none() {
            let pos = d.own_pos();
            d.diags.push(
                Diagnostic::error("missing-field", f.file(), format!("`{path}` has no `title`"))
                    .at(pos)
                    .hint("give the document a title"),
            );
        }
        let exempt = d.raw("exempt").and_then(|v| read_exempt(&mut d, "exempt", v));
        out.push(Document { title: title.unwrap_or_default(), path: d.text("path"), url: d.text("url"), exempt });
        let diags = d.finish(&["title", "path", "url", "exempt"]);
        f.diags.extend(diags);
    }
    out
}

/// The `sections:` list of a YAML record.
fn read_sections(f: &mut Fields<'_>) -> Vec<Section> {
    let Some(items) = f.list("sections") else { return Vec::new() };
    let mut out = Vec::with_capacity(items.len());
    for (path, v) in items {
        let Value::Mapping(m) = v else {
            let pos = f.pos("sections");
            f.diags.push(
                Diagnostic::error(
                    "wrong-type",
                    f.file(),
                    format!("`{path}` should be a map with `heading` and `body`"),
                )
                .at(pos)
                .hint("write `- heading: Purpose` with `body: |` and the Markdown below it"),
            );
            continue;
        };
        let mut s = f.sub(m, path.clone());
        let heading = s.text("heading").unwrap_or_default();
        if heading.is_empty() {
            let pos = s.own_pos();
            s.diags.push(
                Diagnostic::error("missing-field", f.file(), format!("`{path}` has no `heading`"))
                    .at(pos)
                    .hint("give every section a `heading:` (e.g. Decision) and a `body:`"),
            );
        }
        let body = s.text("body").unwrap_or_default();
        let line = s.own_pos().0;
        out.push(Section { kind: classify(&heading), heading, body, line });
        let d = s.finish(&["heading", "body"]);
        f.diags.extend(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_names_windows_keeps_for_devices_are_not_ids() {
        for id in ["con", "prn", "aux", "nul", "com1", "com9", "lpt1", "lpt9", "nul.tar"] {
            assert!(is_device_name(id), "{id}");
        }
        // (no record file in the fixtures is named so: Windows could not check it out)
        for id in ["com0", "lpt0", "com10", "console", "auxiliary", "nul-decision", "con-2024", "com"] {
            assert!(!is_device_name(id), "{id}");
        }
    }
}
