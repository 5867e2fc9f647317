//! What a Typst template receives about a decision: one JSON document, made
//! from a public view (or, for an internal copy of an exempt report, from
//! the full view, stamped). The templates read it with `json(...)` and set
//! every string as plain text.

use super::blocks::{self, Block};
use crate::config::Config;
use crate::public::PublicRecord;
use crate::records::SectionKind;
use serde::Serialize;

/// Which document to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocKind {
    /// The cabinet report, before the decision.
    Report,
    /// The decision notice (record of decision), after it.
    Notice,
    /// A meeting's decision list.
    DecisionList,
    /// The Notice of Key Decisions (the forward plan).
    KeyDecisions,
}

impl DocKind {
    /// Reports before the decision, notices after.
    pub fn for_status(status: &str) -> DocKind {
        match status {
            "forthcoming" | "for-determination" => DocKind::Report,
            _ => DocKind::Notice,
        }
    }

    pub fn template(self) -> &'static str {
        match self {
            DocKind::Report => "report.typ",
            DocKind::Notice => "notice.typ",
            DocKind::DecisionList => "decision-list.typ",
            DocKind::KeyDecisions => "key-decisions.typ",
        }
    }
}

#[derive(Serialize)]
pub struct Labelled {
    pub label: &'static str,
    pub value: String,
}

#[derive(Serialize)]
pub struct CallIn {
    pub subject: bool,
    pub exemption: Option<String>,
    pub deadline: Option<String>,
    pub state: &'static str,
}

#[derive(Serialize)]
pub struct ExemptData {
    pub citation: String,
    pub reason: Option<String>,
    pub paragraphs: String,
}

#[derive(Serialize)]
pub struct Section {
    pub heading: String,
    pub role: Option<SectionKind>,
    pub blocks: Vec<Block>,
}

/// The whole document's data.
#[derive(Serialize)]
pub struct DocData {
    pub kind: DocKind,
    pub council: String,
    pub language: String,
    pub region: String,
    pub title: String,
    pub title_supplied: bool,
    pub decision_maker: String,
    pub status_label: &'static str,
    pub council_status: Option<String>,
    pub reference: Option<String>,
    pub meeting: Option<String>,
    pub report_by: Option<String>,
    pub lead_member: Option<String>,
    pub areas_label: String,
    pub areas: Vec<String>,
    pub key_decision: bool,
    pub key_decision_reason: Option<String>,
    pub forward_plan: Option<String>,
    pub urgency: Option<String>,
    pub call_in: CallIn,
    pub dates: Vec<Labelled>,
    pub report_author: Option<String>,
    pub contact_officers: Vec<String>,
    pub interests: Option<Vec<String>>,
    pub exempt: Option<ExemptData>,
    pub stamp: Option<String>,
    pub documents: Vec<String>,
    pub auto_number: bool,
    pub sections: Vec<Section>,
}

/// The language and region of `language` in register.yaml ("en", "GB"),
/// as Typst's `text(lang:, region:)` takes them.
pub fn language_and_region(config: &Config) -> (String, String) {
    let (language, region) = config.language.split_once('-').unwrap_or((&config.language, ""));
    (language.to_lowercase(), region.to_uppercase())
}

/// The data of a document about `p`. `stamp` marks an internal copy.
pub fn doc_data(p: &PublicRecord, config: &Config, kind: DocKind, stamp: Option<String>) -> DocData {
    let (language, region) = language_and_region(config);
    let sections: Vec<Section> = p
        .sections
        .iter()
        .map(|s| Section { heading: s.heading.clone(), role: s.section, blocks: blocks::parse(&s.markdown) })
        .collect();
    let numbered = blocks::numbers_paragraphs(&sections.iter().map(|s| s.blocks.clone()).collect::<Vec<_>>());
    let meeting = match (&p.meeting_body, &p.meeting_date) {
        (Some(b), Some(d)) => Some(format!("{b}, {}", d.long)),
        (Some(b), None) => Some(b.clone()),
        (None, Some(d)) => Some(d.long.clone()),
        (None, None) => None,
    };
    let mut dates = Vec::new();
    let mut date = |label: &'static str, d: &Option<crate::public::DateView>| {
        if let Some(d) = d {
            dates.push(Labelled { label, value: d.long.clone() });
        } else if label == "Date of decision" && p.decision_date_not_recorded {
            dates.push(Labelled { label, value: "Not recorded".into() });
        }
    };
    date("Publication date", &p.published);
    date("Date of decision", &p.decision_date);
    date("Expected date of decision", &p.expected_date);
    date("Not before", &p.not_before);
    date("Effective from", &p.effective_from);
    let cutoff = p.call_in.cutoff_time.as_deref().map(|t| format!("{t} on ")).unwrap_or_default();
    DocData {
        kind,
        council: p.council.clone().unwrap_or_else(|| config.council.clone()),
        language,
        region,
        title: p.title.clone(),
        title_supplied: p.title_supplied,
        decision_maker: p.decision_maker.clone(),
        status_label: p.status_label,
        council_status: p.council_status.clone(),
        reference: p.reference.clone(),
        meeting,
        report_by: p.report_by.clone(),
        lead_member: p.lead_member.clone(),
        areas_label: config.areas_label.clone(),
        areas: p.areas.clone(),
        key_decision: p.key_decision,
        key_decision_reason: p.key_decision_reason.clone(),
        forward_plan: match (&p.forward_plan_ref, &p.forward_plan_published) {
            (Some(r), Some(d)) => Some(format!("{r}, first published {}", d.long)),
            (Some(r), None) => Some(r.clone()),
            (None, Some(d)) => Some(format!("First published {}", d.long)),
            (None, None) => None,
        },
        urgency: p.urgency.as_ref().map(|u| {
            let mut s = u.rule.unwrap_or("Urgency").to_string();
            if let Some(r) = &u.reason {
                s.push_str(": ");
                s.push_str(r);
            }
            if let Some(a) = &u.agreed_by {
                s.push_str(&format!(" (agreed by {a})"));
            }
            s
        }),
        call_in: CallIn {
            subject: p.call_in.subject,
            exemption: p.call_in.exemption.clone(),
            deadline: p.call_in.deadline.as_ref().map(|d| format!("{cutoff}{}", d.long)),
            state: p.call_in.state_label,
        },
        dates,
        report_author: p.report_author.as_ref().map(crate::public::PersonView::line),
        contact_officers: p.contact_officers.iter().map(crate::public::PersonView::line).collect(),
        interests: p.interests.as_ref().map(|list| {
            list.iter()
                .map(|i| {
                    let mut s = i.member.clone();
                    if let Some(x) = &i.interest {
                        s.push_str(": ");
                        s.push_str(x);
                    }
                    if let Some(t) = &i.kind {
                        s.push_str(&format!(" ({t})"));
                    }
                    if let Some(a) = &i.action {
                        s.push_str("; ");
                        s.push_str(a);
                    }
                    if let Some(shown) = i.dispensation.as_ref().and_then(|d| d.shown()) {
                        s.push_str("; ");
                        s.push_str(&shown);
                    }
                    s
                })
                .collect()
        }),
        exempt: p.exempt.as_ref().map(|e| ExemptData {
            citation: e.citation.clone(),
            reason: e.reason.clone(),
            paragraphs: e.paragraphs.iter().map(u32::to_string).collect::<Vec<_>>().join(", "),
        }),
        stamp,
        documents: p
            .documents
            .iter()
            .map(|d| match (&d.exempt_notice, &d.format) {
                (Some(n), _) => format!("{} – {n}", d.title),
                (None, Some(f)) => format!("{} ({f})", d.title),
                (None, None) => format!("{} (not published online)", d.title),
            })
            .collect(),
        auto_number: !numbered,
        sections,
    }
}
