//! A light summary of a public record: what listings, feeds and facets
//! need, so they never hold whole records.

use crate::meetings::MeetingView;
use crate::public::{DateView, PublicRecord};
use serde::{Deserialize, Deserializer, Serialize};

/// A label of the register's own (a status, a call-in state). An alias,
/// so that serde's derive does not take it for text borrowed from its input.
type Label = &'static str;

/// Kept in the build cache too (see `cache`), so it reads back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub id: String,
    pub title: String,
    pub council: Option<String>,
    pub decision_maker: String,
    #[serde(deserialize_with = "known")]
    pub status: Label,
    #[serde(deserialize_with = "known")]
    pub status_label: Label,
    pub key_decision: bool,
    pub exempt: bool,
    #[serde(deserialize_with = "known")]
    pub call_in_state: Label,
    #[serde(deserialize_with = "known")]
    pub call_in_label: Label,
    pub deadline: Option<DateView>,
    pub date: Option<DateView>,
    pub year: Option<i32>,
    /// "November 2012", for month headings.
    pub month: Option<String>,
    pub published: Option<DateView>,
    pub expected_date: Option<DateView>,
    pub forward_plan_ref: Option<String>,
    pub forward_plan_published: Option<DateView>,
    #[serde(deserialize_with = "known_or_none")]
    pub urgency: Option<Label>,
    pub areas: Vec<String>,
    pub subjects: Vec<String>,
    /// A sentence or two for feeds and result lists.
    pub excerpt: String,
    /// What the statistics page counts (public facts only).
    #[serde(deserialize_with = "known")]
    pub kind: Label,
    pub decision_date: Option<String>,
    pub exempt_paragraphs: Vec<u32>,
    pub call_in_subject: bool,
    pub called_in: bool,
    #[serde(deserialize_with = "known_or_none")]
    pub call_in_outcome: Option<Label>,
    /// The meeting it was, or is to be, taken at.
    pub meeting: Option<MeetingView>,
    /// The Notice of Key Decisions' own fields, for decisions still to be
    /// taken only: the documents submitted to the decision maker (titles
    /// as listed, exempt ones marked) and whom to contact about it.
    pub notice: Option<NoticeFields>,
}

/// What the Notice of Key Decisions says of a decision beyond its summary
/// (2012 Regulations, reg. 9(1)(g)-(h)); empty for an exempt one, whose
/// documents and officers are not published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoticeFields {
    pub documents: Vec<String>,
    pub contact: Option<String>,
    /// The first day it may be taken after 28 clear days' notice.
    pub notice_ends: Option<DateView>,
    /// Expected before that day.
    pub short_notice: bool,
}

impl NoticeFields {
    fn of(p: &PublicRecord) -> NoticeFields {
        let documents = p.documents.iter().map(crate::public::DocumentView::label).collect();
        let person = p.contact_officers.first().or(p.report_author.as_ref());
        let contact = person.map(crate::public::PersonView::line);
        NoticeFields { documents, contact, notice_ends: p.notice_ends.clone(), short_notice: p.short_notice }
    }
}

impl Summary {
    pub fn of(p: &PublicRecord) -> Summary {
        let excerpt = match &p.exempt {
            Some(e) => format!("Exempt information: {}.", e.citation),
            None => {
                let section = p
                    .sections
                    .iter()
                    .find(|s| s.section == Some(crate::records::SectionKind::Purpose))
                    .or_else(|| p.sections.iter().find(|s| s.section == Some(crate::records::SectionKind::Decision)))
                    .or_else(|| p.sections.first());
                section.map(|s| shorten(&crate::markdown::to_text(&s.markdown), 280)).unwrap_or_default()
            }
        };
        Summary {
            id: p.id.clone(),
            title: p.title.clone(),
            council: p.council.clone(),
            decision_maker: p.decision_maker.clone(),
            status: p.status,
            status_label: p.status_label,
            key_decision: p.key_decision,
            exempt: p.exempt.is_some(),
            call_in_state: p.call_in.state,
            call_in_label: p.call_in.state_label,
            deadline: p.call_in.deadline.clone(),
            date: p.date.clone(),
            year: p.year,
            month: p.date.as_ref().map(|d| d.long.split_once(' ').map_or(d.long.clone(), |(_, m)| m.to_string())),
            published: p.published.clone(),
            expected_date: p.expected_date.clone().or_else(|| p.not_before.clone()),
            forward_plan_ref: p.forward_plan_ref.clone(),
            forward_plan_published: p.forward_plan_published.clone(),
            urgency: p.urgency.as_ref().and_then(|u| u.rule),
            areas: p.areas.clone(),
            subjects: p.subjects.clone(),
            excerpt,
            kind: p.kind,
            decision_date: p.decision_date.as_ref().map(|d| d.iso.clone()),
            exempt_paragraphs: p.exempt.as_ref().map(|e| e.paragraphs.clone()).unwrap_or_default(),
            call_in_subject: p.call_in.subject,
            called_in: p.call_in.called_in.is_some(),
            call_in_outcome: p.call_in.called_in.as_ref().and_then(|c| c.outcome_label),
            meeting: p.meeting.clone(),
            notice: matches!(p.status, "forthcoming" | "for-determination").then(|| NoticeFields::of(p)),
        }
    }
}

/// Cuts text at a word boundary, with an ellipsis.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{}…", cut.trim_end_matches([',', ';', ':', '.']))
}

/// A label read back from the cache (see [`crate::records::known_name`]).
fn known<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    crate::records::known_name(d)
}

fn known_or_none<'de, D: Deserializer<'de>>(d: D) -> Result<Option<&'static str>, D::Error> {
    Option::<String>::deserialize(d).map(|o| o.map(crate::records::intern))
}
