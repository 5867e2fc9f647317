//! The check stage: the law's and the council's rules applied to loaded
//! records. Per-record work (call-in dates, single-record rules) runs while
//! a record's key positions are at hand; rules across records (unique ids,
//! links between records) run once over light summaries.

pub mod call_in;
pub mod enforce;
pub mod rules;
pub mod workdays;

use crate::config::Config;
use crate::diag::{did_you_mean, Diagnostic};
use crate::load::Documents;
use crate::records::Record;
use crate::yaml::Locations;
use chrono::NaiveDate;
use std::collections::HashMap;
use workdays::Calendar;

/// What every rule may consult: built once per run.
pub struct Context<'a> {
    pub config: &'a Config,
    pub calendar: &'a Calendar,
    pub today: NaiveDate,
    pub documents: &'a Documents,
}

/// Resolves a record's computed call-in fields and applies every
/// single-record rule.
pub fn check_record(r: &mut Record, loc: &Locations, ctx: &Context<'_>) -> Vec<Diagnostic> {
    let mut diags = call_in::resolve(r, loc, ctx);
    diags.extend(rules::check(r, loc, ctx));
    diags
}

/// Applies the council's `rules:` to a record's problems (those of reading
/// it and those of checking it).
pub fn enforce_record(r: &Record, diags: &mut Vec<Diagnostic>, ctx: &Context<'_>) {
    enforce::enforce(diags, r.decision_date.or(r.expected_date), &ctx.config.rules);
}

/// Where a record's cross-referenced keys stand, kept for the rules that
/// look across records.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct LinkPositions {
    pub id: (u32, u32),
    pub related: (u32, u32),
    pub supersedes: (u32, u32),
    #[serde(default)]
    pub meeting_item: (u32, u32),
}

impl LinkPositions {
    pub fn from(loc: &Locations) -> Self {
        LinkPositions {
            id: loc.find("id"),
            related: loc.find("related"),
            supersedes: loc.find("supersedes"),
            meeting_item: loc.find("meeting.item"),
        }
    }
}

/// Two decisions of one meeting under the same item number: the meeting's
/// decision list would show the number twice (a finding, both files named).
fn repeated_items(records: &[(Record, LinkPositions)]) -> Vec<Diagnostic> {
    let mut by_item: HashMap<(String, String), Vec<usize>> = HashMap::new();
    for (i, (r, _)) in records.iter().enumerate() {
        let Some(m) = &r.meeting else { continue };
        let (Some(slug), Some(item)) =
            (crate::records::parse::meeting_slug(m), m.item.as_deref().map(str::trim).filter(|i| !i.is_empty()))
        else {
            continue;
        };
        by_item.entry((slug, item.to_lowercase())).or_default().push(i);
    }
    let mut diags = Vec::new();
    for idx in by_item.values().filter(|idx| idx.len() > 1) {
        for &i in idx {
            let (r, pos) = &records[i];
            let m = r.meeting.as_ref();
            let others: Vec<String> =
                idx.iter().filter(|&&j| j != i).map(|&j| records[j].0.source.display().to_string()).collect();
            let (body, date) = (m.and_then(|m| m.body.as_deref()).unwrap_or(""), m.and_then(|m| m.date));
            let item = m.and_then(|m| m.item.as_deref()).unwrap_or("").trim();
            diags.push(
                Diagnostic::finding(
                    "meeting-item-repeated",
                    &r.source,
                    format!(
                        "item {item} of {body} on {} is also the item of {}",
                        date.map(|d| d.to_string()).unwrap_or_default(),
                        others.join(", ")
                    ),
                )
                .at(pos.meeting_item)
                .hint("give each decision of the meeting its own `item` as on the agenda (7, 7a, 8)"),
            );
        }
    }
    diags
}

/// Rules across records: ids are unique (both files named), `related`
/// and `supersedes` name records that exist, and no two decisions of a
/// meeting share an item number.
pub fn check_register(records: &[(Record, LinkPositions)]) -> Vec<Diagnostic> {
    let mut diags = repeated_items(records);
    let mut by_id: HashMap<&str, Vec<usize>> = HashMap::with_capacity(records.len());
    for (i, (r, _)) in records.iter().enumerate() {
        by_id.entry(r.id.as_str()).or_default().push(i);
    }
    for (id, idx) in &by_id {
        if idx.len() < 2 {
            continue;
        }
        for &i in idx {
            let (r, pos) = &records[i];
            let others: Vec<String> =
                idx.iter().filter(|&&j| j != i).map(|&j| records[j].0.source.display().to_string()).collect();
            diags.push(
                Diagnostic::error(
                    "duplicate-id",
                    &r.source,
                    format!("the id `{id}` is also used by {}", others.join(", ")),
                )
                .at(pos.id)
                .hint("every record needs its own id: give one of them another `id:` (or file name)"),
            );
        }
    }
    for (r, pos) in records {
        let targets = r
            .related
            .iter()
            .map(|t| (t, pos.related, "related"))
            .chain(r.supersedes.iter().map(|t| (t, pos.supersedes, "supersedes")));
        for (target, at, key) in targets {
            if target == &r.id {
                diags.push(
                    Diagnostic::warning("unknown-related", &r.source, format!("`{key}` names the record itself"))
                        .at(at)
                        .hint("name another record's id"),
                );
            } else if !by_id.contains_key(target.as_str()) {
                let hint =
                    match did_you_mean(target, by_id.keys().copied().filter(|k| k.len().abs_diff(target.len()) < 4)) {
                        Some(m) => format!("did you mean `{m}`?"),
                        None => "use the id of a record in this register (its file name without extension)".to_string(),
                    };
                diags.push(
                    Diagnostic::warning(
                        "unknown-related",
                        &r.source,
                        format!("`{key}` names `{target}`, which is not a record in this register"),
                    )
                    .at(at)
                    .hint(hint),
                );
            }
        }
    }
    diags
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn record(file: &str, meeting: &str) -> (Record, LinkPositions) {
        let text = format!("---\ntitle: T\ndecision_maker: Cabinet\nstatus: approved\nmeeting: {meeting}\n---\n");
        let parsed = crate::records::parse_record(text.as_bytes(), std::path::Path::new(file), &Config::default());
        (parsed.record.expect("the record parses"), LinkPositions::from(&parsed.locations))
    }

    #[test]
    fn two_items_of_a_meeting_with_one_number_are_a_finding_for_both() {
        let records = [
            record("a.md", "{ body: Cabinet, date: 2012-11-13, item: 7 }"),
            record("b.md", "{ body: cabinet, date: 2012-11-13, item: \" 7\" }"),
            record("c.md", "{ body: Cabinet, date: 2012-11-13, item: 8 }"),
            record("d.md", "{ body: Council, date: 2012-11-13, item: 7 }"),
            record("e.md", "{ body: Cabinet, date: 2012-11-14, item: 7 }"),
        ];
        let diags = check_register(&records);
        let named: Vec<(&str, String)> = diags.iter().map(|d| (d.code, d.path.display().to_string())).collect();
        assert_eq!(
            named,
            vec![("meeting-item-repeated", "a.md".into()), ("meeting-item-repeated", "b.md".into())],
            "{diags:?}"
        );
        assert!(diags[0].message.contains("b.md") && diags[0].severity == crate::rulebook::Severity::Finding);
        assert_eq!(diags[0].line, 5, "{diags:?}");
    }
}
