//! What the two documents that list decisions receive: a meeting's decision
//! list, published after the meeting (2012 Regulations, reg. 12), and the
//! Notice of Key Decisions (reg. 9). Both are made from public views only,
//! so an exempt item shows its title, item number and paragraph, nothing
//! more.

use super::data::{doc_data, DocData, DocKind};
use crate::config::Config;
use crate::meetings::MeetingView;
use crate::public::PublicRecord;
use chrono::NaiveDate;
use serde::Serialize;

/// A decision in a meeting's list: its item number and its notice's data.
#[derive(Serialize)]
pub struct ListItem {
    pub item: Option<String>,
    #[serde(flatten)]
    pub doc: DocData,
}

/// A meeting's decision list.
#[derive(Serialize)]
pub struct DecisionList {
    pub kind: DocKind,
    pub council: String,
    pub language: String,
    pub region: String,
    pub title: String,
    pub body: String,
    pub date: String,
    /// When the list was published: the latest of its decisions' notices.
    pub published: Option<String>,
    pub contact: Option<String>,
    pub cutoff_time: Option<String>,
    pub items: Vec<ListItem>,
}

/// The decision list of `meeting`, from the public views of its decisions
/// in item order.
pub fn decision_list(meeting: &MeetingView, views: &[PublicRecord], config: &Config) -> DecisionList {
    let (language, region) = super::data::language_and_region(config);
    let published = views.iter().filter_map(|v| v.published.as_ref()).max_by(|a, b| a.iso.cmp(&b.iso));
    DecisionList {
        kind: DocKind::DecisionList,
        council: config.council.clone(),
        language,
        region,
        title: format!("Decisions of {}, {}", meeting.body, crate::listing::long_date(meeting.date)),
        body: meeting.body.clone(),
        date: crate::listing::long_date(meeting.date),
        published: published.map(|d| d.long.clone()),
        contact: config.democratic_services.as_ref().map(|c| c.line()),
        cutoff_time: config.call_in.cutoff_time.clone(),
        items: views
            .iter()
            .map(|v| ListItem { item: v.meeting_item.clone(), doc: doc_data(v, config, DocKind::Notice, None) })
            .collect(),
    }
}

/// One key decision on the notice.
#[derive(Serialize)]
pub struct NoticeEntry {
    pub reference: Option<String>,
    pub title: String,
    pub decision_maker: String,
    /// "9 December 2025", or "Not before 1 March 2026".
    pub expected: Option<String>,
    pub reason: Option<String>,
    /// `None`: in public; else why in private.
    pub private: Option<String>,
    pub documents: Vec<String>,
    pub contact: Option<String>,
    pub first_published: Option<String>,
    /// The first day it may be taken after 28 clear days' notice.
    pub notice_ends: Option<String>,
    /// Why it may be taken sooner (the urgency rule), or that the record
    /// gives less than 28 clear days' notice and no rule.
    pub short_notice: Option<String>,
    pub url: Option<String>,
}

/// The Notice of Key Decisions.
#[derive(Serialize)]
pub struct KeyDecisions {
    pub kind: DocKind,
    pub council: String,
    pub language: String,
    pub region: String,
    pub title: String,
    pub as_of: String,
    /// The regulations that ask for the notice, where the register's
    /// legislation has them.
    pub regulations: Option<&'static str>,
    pub contact: Option<String>,
    pub entries: Vec<NoticeEntry>,
}

/// The notice as of `as_of`, from the public views of the key decisions
/// on it, in its order (see [`crate::meetings::NoticeFacts`]).
pub fn key_decisions(views: &[PublicRecord], config: &Config, as_of: NaiveDate) -> KeyDecisions {
    let (language, region) = super::data::language_and_region(config);
    KeyDecisions {
        kind: DocKind::KeyDecisions,
        council: config.council.clone(),
        language,
        region,
        title: "Notice of Key Decisions".into(),
        as_of: crate::listing::long_date(as_of),
        regulations: match config.legislation {
            crate::config::Legislation::England => Some(
                "the Local Authorities (Executive Arrangements) (Meetings and Access to Information) (England) Regulations 2012",
            ),
            // their regulations differ: the notice names none
            crate::config::Legislation::Wales | crate::config::Legislation::Scotland => None,
        },
        contact: config.democratic_services.as_ref().map(|c| c.line()),
        entries: views.iter().map(|v| notice_entry(v, config)).collect(),
    }
}

/// What the notice says of a key decision expected before 28 clear days'
/// notice ends whose record names no urgency rule.
pub const SHORT_NOTICE: &str = "Less than 28 clear days' notice, and no urgency rule recorded";

fn notice_entry(v: &PublicRecord, config: &Config) -> NoticeEntry {
    let expected = v.expected_date.as_ref().or(v.decision_date.as_ref());
    let expected_text = match (expected, &v.not_before) {
        (Some(d), _) => Some(d.long.clone()),
        (None, Some(d)) => Some(format!("Not before {}", d.long)),
        (None, None) => None,
    };
    let rule = v.urgency.as_ref().and_then(|u| u.rule);
    let short = match (v.short_notice, rule) {
        (_, Some(rule)) => Some(rule.to_string()),
        (true, None) => Some(SHORT_NOTICE.to_string()),
        (false, None) => None,
    };
    let person = v.contact_officers.first().or(v.report_author.as_ref());
    let contact =
        person.map(crate::public::PersonView::line).or_else(|| config.democratic_services.as_ref().map(|c| c.line()));
    NoticeEntry {
        reference: v.forward_plan_ref.clone(),
        title: v.title.clone(),
        decision_maker: v.decision_maker.clone(),
        expected: expected_text,
        reason: v.key_decision_reason.clone(),
        private: v.exempt.as_ref().map(|e| format!("Yes: exempt information under {}", e.citation)),
        documents: v.documents.iter().map(crate::public::DocumentView::label).collect(),
        contact,
        first_published: v.forward_plan_published.as_ref().map(|d| d.long.clone()),
        notice_ends: v.notice_ends.as_ref().map(|d| d.long.clone()),
        short_notice: short,
        url: config.base_url.as_ref().map(|b| format!("{b}decisions/{}/", v.id)),
    }
}
