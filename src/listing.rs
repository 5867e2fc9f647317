//! `decreg list` and `decreg show`: the resolved records, with their
//! computed call-in dates, as a table for people, JSON for programs and CSV
//! for spreadsheets. These are officers' tools run on their own machine;
//! exempt records are listed here, marked as exempt.

use crate::cli::{ListArgs, ListFormat};
use crate::config::Config;
use crate::records::{CallInState, Record};
use crate::Checked;
use chrono::NaiveDate;
use std::fmt::Write as _;
use std::path::Path;

/// "13 November 2012".
pub fn long_date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// The records `list` shows: filtered, newest first, or soonest deadline
/// first when listing what is open for call-in.
pub fn select<'a>(checked: &'a Checked, args: &ListArgs) -> Vec<&'a Record> {
    let mut rows: Vec<&Record> = checked
        .records
        .iter()
        .filter(|r| args.status.is_none_or(|s| r.status == s))
        .filter(|r| args.call_in.is_none_or(|c| r.call_in_state == c.state()))
        .collect();
    if args.call_in.is_some_and(|c| c.state() == CallInState::Open) {
        rows.sort_by(|a, b| (a.call_in.deadline, &a.id).cmp(&(b.call_in.deadline, &b.id)));
    } else {
        rows.sort_by(|a, b| (b.date(), &a.id).cmp(&(a.date(), &b.id)));
    }
    rows
}

pub fn list(checked: &Checked, args: &ListArgs, today: NaiveDate) -> String {
    let rows = select(checked, args);
    match args.format {
        ListFormat::Json => {
            let json = serde_json::to_string_pretty(&rows).unwrap_or_else(|_| "[]".into());
            json + "\n"
        }
        ListFormat::Csv => csv(&rows),
        ListFormat::Table => table(&rows, &checked.config, today),
    }
}

/// The call-in column: what a democratic services officer asks first.
pub fn call_in_words(r: &Record, config: &Config) -> String {
    let cutoff = config.call_in.cutoff_time.as_deref().map(|t| format!(" {t}")).unwrap_or_default();
    match r.call_in_state {
        CallInState::Open => match r.call_in.deadline {
            Some(d) => format!("open until {}{cutoff}", d.format("%-d %b %Y")),
            None => "open".into(),
        },
        CallInState::CalledIn => match r.call_in.called_in.as_ref().and_then(|c| c.outcome) {
            Some(o) => format!(
                "called in: {}",
                serde_json::to_value(o).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
            ),
            None => "called in".into(),
        },
        CallInState::Effective => match r.effective_from {
            Some(d) => format!("effective {}", d.format("%-d %b %Y")),
            None => "effective".into(),
        },
        CallInState::NotSubject => "not subject".into(),
        CallInState::Pending => "pending".into(),
    }
}

fn table(rows: &[&Record], config: &Config, today: NaiveDate) -> String {
    let mut out = String::new();
    let head = ["DATE", "STATUS", "CALL-IN", "DECISION MAKER", "TITLE"];
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            let mut title = r.title.clone();
            if r.is_exempt() {
                title.insert_str(0, "[exempt] ");
            }
            [
                r.date().map(|d| d.to_string()).unwrap_or_default(),
                r.status.as_str().to_string(),
                call_in_words(r, config),
                truncate(&r.decision_maker, 32),
                truncate(&title, 70),
            ]
        })
        .collect();
    let mut widths = head.map(|h| h.chars().count());
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cols: &[String]| {
        let mut l = String::new();
        for (i, c) in cols.iter().enumerate() {
            if i + 1 == cols.len() {
                l.push_str(c);
            } else {
                let _ = write!(l, "{c:<w$}  ", w = widths[i]);
            }
        }
        l.trim_end().to_string() + "\n"
    };
    out.push_str(&line(&head.map(String::from)));
    for row in &cells {
        out.push_str(&line(row));
    }
    let noun = if rows.len() == 1 { "record" } else { "records" };
    let _ = writeln!(out, "{} {noun} (call-in states as of {})", rows.len(), long_date(today));
    out
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max - 1).collect::<String>() + "…"
    }
}

const CSV_COLUMNS: [&str; 13] = [
    "id",
    "title",
    "decision_maker",
    "status",
    "kind",
    "key_decision",
    "decision_date",
    "expected_date",
    "published",
    "call_in_state",
    "call_in_deadline",
    "effective_from",
    "source",
];

fn csv(rows: &[&Record]) -> String {
    let mut out = CSV_COLUMNS.join(",") + "\n";
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    for r in rows {
        let cols = [
            r.id.clone(),
            r.title.clone(),
            r.decision_maker.clone(),
            r.status.as_str().into(),
            r.kind.as_str().into(),
            r.key_decision.to_string(),
            date(r.decision_date),
            date(r.expected_date),
            date(r.published),
            r.call_in_state.as_str().into(),
            date(r.call_in.deadline),
            date(r.effective_from),
            r.source.display().to_string(),
        ];
        let quoted: Vec<String> = cols.iter().map(|c| csv_field(c)).collect();
        out.push_str(&quoted.join(","));
        out.push('\n');
    }
    out
}

/// RFC 4180 quoting.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A record by id, or by the path of its file (relative to the register's
/// root, or as typed from the current folder).
pub fn find<'a>(checked: &'a Checked, key: &str, root: &Path) -> Option<&'a Record> {
    checked.records.iter().find(|r| r.id == key).or_else(|| {
        let as_path = Path::new(key);
        let rel = as_path.strip_prefix(root).unwrap_or(as_path);
        checked.records.iter().find(|r| r.source == rel || r.source == as_path)
    })
}

pub fn to_json(r: &Record) -> String {
    serde_json::to_string_pretty(r).unwrap_or_default() + "\n"
}

/// A record as a reader would scan it in a terminal: the notice's fields in
/// order, then its sections.
pub fn show_human(r: &Record, config: &Config) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}\n{}\n", r.title, "=".repeat(r.title.chars().count().min(80)));
    let mut field = |name: &str, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            let _ = writeln!(out, "{name:<22}{v}");
        }
    };
    field("Id", Some(r.id.clone()));
    field("File", Some(r.source.display().to_string()));
    field("Council", r.council.clone());
    field("Decision maker", Some(r.decision_maker.clone()));
    field("Status", Some(r.council_status.clone().unwrap_or_else(|| r.status.label().into())));
    field("Kind", Some(r.kind.as_str().into()));
    field("Reference", r.reference.clone());
    field("Key decision", Some(if r.key_decision { "Yes" } else { "No" }.into()));
    field("Key decision reason", r.key_decision_reason.clone());
    field(
        "Forward plan",
        r.forward_plan.as_ref().map(|f| {
            let date = f.first_published.map(|d| format!(" (first published {})", long_date(d))).unwrap_or_default();
            format!("{}{date}", f.reference.clone().unwrap_or_default())
        }),
    );
    field("Subject to call-in", Some(if r.call_in.subject { "Yes" } else { "No" }.into()));
    field("Exemption", r.call_in.exemption.clone());
    field("Call-in", Some(call_in_words(r, config)));
    field("Call-in deadline", r.call_in.deadline.map(long_date));
    field("Decision date", r.decision_date.map(long_date));
    field("Expected date", r.expected_date.map(long_date));
    field("Published", r.published.map(long_date));
    field("Effective from", r.effective_from.map(long_date));
    field(
        "Meeting",
        r.meeting.as_ref().map(|m| {
            [m.date.map(long_date), m.body.clone(), m.item.as_ref().map(|i| format!("item {i}"))]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" - ")
        }),
    );
    field("Report author", r.report_author.as_ref().map(|p| p.name.clone()));
    field(&config.areas_label, Some(r.areas.join(", ")));
    field("Subjects", Some(r.subjects.join(", ")));
    field(
        "Exempt",
        r.exempt.as_ref().map(|e| {
            let paras: Vec<String> = e.paragraphs.iter().map(u32::to_string).collect();
            format!("paragraph {} of {}", paras.join(", "), config.legislation.schedule())
        }),
    );
    for s in &r.sections {
        let heading = if s.heading.is_empty() { "(introduction)" } else { &s.heading };
        let _ = write!(out, "\n## {heading}\n\n{}\n", s.body);
    }
    out
}
