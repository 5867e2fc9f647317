//! Meetings and the forward plan as the public view sees them: the meeting
//! a decision is taken at, the order of a meeting's agenda, and which key
//! decisions the Notice of Key Decisions lists on a given day. Pages (from
//! summaries) and PDFs (from records) group and choose by these same
//! rules, so the two never disagree.

use crate::records::Status;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// The meeting a decision was (or is to be) taken at, known by its body
/// and date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingView {
    pub body: String,
    pub date: NaiveDate,
    pub item: Option<String>,
    /// `2012-11-13-cabinet`: the meeting's folder under `meetings/`.
    pub slug: String,
}

impl MeetingView {
    /// `None` unless both body and date are given: without them there is
    /// no meeting to list it under.
    pub fn of(m: &crate::records::Meeting) -> Option<MeetingView> {
        let slug = crate::records::parse::meeting_slug(m)?;
        Some(MeetingView { body: m.body.as_deref()?.trim().to_string(), date: m.date?, item: m.item.clone(), slug })
    }
}

/// An agenda item number's place, compared as people read numbers: "7"
/// before "7a" before "7.2" before "7.10" before "10"; "Item 7" as "7";
/// items without a number last.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ItemKey {
    unnumbered: bool,
    parts: Vec<ItemPart>,
}

/// A run of digits (by value) or of other characters (lower case).
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum ItemPart {
    Number(u64),
    Text(String),
}

pub fn item_key(item: &str) -> ItemKey {
    let item = item.trim().to_lowercase();
    let item = item.strip_prefix("item").unwrap_or(&item).trim_start();
    let mut parts = Vec::new();
    let mut rest = item;
    while let Some(c) = rest.chars().next() {
        let digit = c.is_ascii_digit();
        let end = rest.find(|x: char| x.is_ascii_digit() != digit).unwrap_or(rest.len());
        let (run, next) = rest.split_at(end);
        parts.push(match run.parse::<u64>() {
            Ok(n) if digit => ItemPart::Number(n),
            _ => ItemPart::Text(run.to_string()),
        });
        rest = next;
    }
    ItemKey { unnumbered: !matches!(parts.first(), Some(ItemPart::Number(_))), parts }
}

/// A meeting and what was decided at it, in agenda order.
pub struct Meeting<'a, T> {
    pub meeting: MeetingView,
    pub items: Vec<&'a T>,
}

/// Groups decisions by the meeting `meeting_of` gives each, newest meeting
/// first (then by body), each meeting's decisions in agenda order, then by
/// id. Of the ways a meeting's items spell its body ("Cabinet",
/// "cabinet"), the one first in alphabetical order names it.
///
/// `meeting_of` lends a meeting where the item holds one (a summary) and
/// gives one made where it does not (a record): at 100,000 decisions,
/// copying each decision's meeting was most of what grouping cost.
pub fn by_meeting<'a, T>(
    items: impl Iterator<Item = &'a T>,
    meeting_of: impl Fn(&'a T) -> Option<Cow<'a, MeetingView>>,
    id_of: impl Fn(&T) -> &str,
) -> Vec<Meeting<'a, T>> {
    let mut by_slug: BTreeMap<String, Meeting<'a, T>> = BTreeMap::new();
    for item in items {
        let Some(m) = meeting_of(item) else { continue };
        match by_slug.get_mut(m.slug.as_str()) {
            Some(entry) => {
                if m.body < entry.meeting.body {
                    entry.meeting.body = m.body.clone();
                }
                entry.items.push(item);
            }
            None => {
                let meeting = m.into_owned();
                by_slug.insert(meeting.slug.clone(), Meeting { meeting, items: vec![item] });
            }
        }
    }
    let mut all: Vec<Meeting<'a, T>> = by_slug.into_values().collect();
    for m in &mut all {
        m.items.sort_by_cached_key(|t| {
            let item = meeting_of(t).and_then(|m| m.item.as_deref().map(item_key)).unwrap_or_else(|| item_key(""));
            (item, id_of(t).to_string())
        });
        m.meeting.item = None;
    }
    all.sort_by(|a, b| b.meeting.date.cmp(&a.meeting.date).then_with(|| a.meeting.body.cmp(&b.meeting.body)));
    all
}

/// What decides whether, and where, a decision is on the Notice of Key
/// Decisions.
pub struct NoticeFacts<'a> {
    pub id: &'a str,
    pub key_decision: bool,
    pub status: Option<Status>,
    pub decision_date: Option<NaiveDate>,
    /// When it is expected: the expected date, else the earliest.
    pub expected: Option<NaiveDate>,
    pub first_published: Option<NaiveDate>,
    pub reference: Option<&'a str>,
}

/// Where an entry stands on the notice: soonest first, undated last.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct NoticeOrder {
    undated: bool,
    when: Option<NaiveDate>,
    reference: String,
    id: String,
}

impl NoticeFacts<'_> {
    pub fn of_record(r: &crate::records::Record) -> NoticeFacts<'_> {
        NoticeFacts {
            id: &r.id,
            key_decision: r.key_decision,
            status: Some(r.status),
            decision_date: r.decision_date,
            expected: r.expected_date.or(r.not_before),
            first_published: r.forward_plan.as_ref().and_then(|f| f.first_published),
            reference: r.forward_plan.as_ref().and_then(|f| f.reference.as_deref()),
        }
    }

    /// On the notice as of `as_of`: a key decision not yet taken that day,
    /// whose notice (if it has one) was first published by then. One
    /// withdrawn, deferred or superseded is not.
    pub fn on_notice(&self, as_of: NaiveDate) -> bool {
        let still_to_take = match self.status {
            Some(s) if s.is_pending() => true,
            Some(Status::Withdrawn | Status::Deferred | Status::Superseded) | None => false,
            // decided since: it was to come that day, if its notice was out
            Some(_) => self.decision_date.is_some_and(|d| d > as_of) && self.first_published.is_some(),
        };
        self.key_decision && still_to_take && self.first_published.is_none_or(|f| f <= as_of)
    }

    pub fn order(&self) -> NoticeOrder {
        let when = self.expected.or(self.decision_date);
        NoticeOrder {
            undated: when.is_none(),
            when,
            reference: self.reference.unwrap_or_default().to_string(),
            id: self.id.to_string(),
        }
    }
}

/// The first day a key decision first published on the forward plan on
/// `first_published` may be taken: after 28 clear days, neither the day of
/// publication nor the day of the decision counted (2012 Regulations,
/// reg. 9(2)).
pub fn notice_ends(first_published: NaiveDate) -> NaiveDate {
    let days = crate::validate::rules::KEY_DECISION_NOTICE_DAYS as u64 + 1;
    first_published.checked_add_days(chrono::Days::new(days)).unwrap_or(first_published)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_in_agenda_order() {
        let mut items: Vec<&str> = vec!["10", "7.10", "7a", "", "7", "Item 8", " 2", "B", "7.2"];
        items.sort_by_key(|i| item_key(i));
        assert_eq!(items, vec![" 2", "7", "7.2", "7.10", "7a", "Item 8", "10", "", "B"]);
    }

    #[test]
    fn a_key_decision_may_be_taken_after_28_clear_days() {
        let first = NaiveDate::from_ymd_opt(2025, 11, 1).unwrap();
        let ends = notice_ends(first);
        assert_eq!(ends, NaiveDate::from_ymd_opt(2025, 11, 30).unwrap());
        assert_eq!(crate::validate::workdays::Calendar::clear_days(first, ends), 28);
    }

    fn meeting(body: &str, date: &str, item: Option<&str>) -> crate::records::Meeting {
        crate::records::Meeting {
            body: Some(body.into()),
            date: NaiveDate::parse_from_str(date, "%Y-%m-%d").ok(),
            item: item.map(str::to_string),
        }
    }

    #[test]
    fn one_meeting_whatever_the_case_of_its_body() {
        assert_eq!(MeetingView::of(&meeting("Cabinet", "2012-11-13", None)).unwrap().slug, "2012-11-13-cabinet");
        assert_eq!(MeetingView::of(&meeting(" cabinet", "2012-11-13", None)).unwrap().slug, "2012-11-13-cabinet");
        assert_eq!(MeetingView::of(&meeting("  ", "2012-11-13", None)), None);
    }

    #[test]
    fn meetings_newest_first_and_their_items_in_agenda_order() {
        let items = [
            ("b", meeting("cabinet", "2012-11-13", Some("7"))),
            ("a", meeting("Cabinet", "2012-11-13", Some("10"))),
            ("c", meeting("Council", "2013-01-01", None)),
            ("d", meeting("Cabinet", "2012-11-13", Some("7"))),
        ];
        let all = by_meeting(items.iter(), |(_, m)| MeetingView::of(m).map(Cow::Owned), |(id, _)| id);
        let shown: Vec<(String, Vec<&str>)> =
            all.iter().map(|m| (m.meeting.body.clone(), m.items.iter().map(|(id, _)| *id).collect())).collect();
        assert_eq!(shown, vec![("Council".into(), vec!["c"]), ("Cabinet".into(), vec!["b", "d", "a"])]);
    }

    #[test]
    fn the_notice_lists_key_decisions_still_to_take_whose_notice_is_out() {
        let day = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok();
        let facts = |status: Status, decided: Option<&str>, first: Option<&str>| NoticeFacts {
            id: "x",
            key_decision: true,
            status: Some(status),
            decision_date: decided.and_then(day),
            expected: None,
            first_published: first.and_then(day),
            reference: None,
        };
        let as_of = day("2025-02-01").unwrap();
        assert!(facts(Status::Forthcoming, None, Some("2025-01-10")).on_notice(as_of));
        assert!(facts(Status::Forthcoming, None, None).on_notice(as_of), "one with no notice is listed, and a finding");
        assert!(!facts(Status::Forthcoming, None, Some("2025-02-02")).on_notice(as_of), "not yet published");
        assert!(facts(Status::Approved, Some("2025-03-18"), Some("2025-01-10")).on_notice(as_of), "decided later");
        assert!(!facts(Status::Approved, Some("2025-02-01"), Some("2025-01-10")).on_notice(as_of), "decided that day");
        assert!(!facts(Status::Withdrawn, None, Some("2025-01-10")).on_notice(as_of));
        let not_key = NoticeFacts { key_decision: false, ..facts(Status::Forthcoming, None, None) };
        assert!(!not_key.on_notice(as_of));
    }
}
