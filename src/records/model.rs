//! The typed decision record: what a record file says, in the council's own
//! words, after loading. No I/O here; computed call-in dates are filled in
//! by the check stage ([`crate::validate::call_in`]).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// A decision's status, as the spec lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Forthcoming,
    ForDetermination,
    Approved,
    ApprovedWithAmendments,
    Rejected,
    Noted,
    ReferredToCouncil,
    Deferred,
    Withdrawn,
    Superseded,
}

impl Status {
    pub const ALL: [Status; 10] = [
        Status::Forthcoming,
        Status::ForDetermination,
        Status::Approved,
        Status::ApprovedWithAmendments,
        Status::Rejected,
        Status::Noted,
        Status::ReferredToCouncil,
        Status::Deferred,
        Status::Withdrawn,
        Status::Superseded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Forthcoming => "forthcoming",
            Status::ForDetermination => "for-determination",
            Status::Approved => "approved",
            Status::ApprovedWithAmendments => "approved-with-amendments",
            Status::Rejected => "rejected",
            Status::Noted => "noted",
            Status::ReferredToCouncil => "referred-to-council",
            Status::Deferred => "deferred",
            Status::Withdrawn => "withdrawn",
            Status::Superseded => "superseded",
        }
    }

    /// The status as a reader would say it ("Approved with amendments").
    pub fn label(self) -> &'static str {
        match self {
            Status::Forthcoming => "Forthcoming",
            Status::ForDetermination => "For determination",
            Status::Approved => "Approved",
            Status::ApprovedWithAmendments => "Approved with amendments",
            Status::Rejected => "Rejected",
            Status::Noted => "Noted",
            Status::ReferredToCouncil => "Referred to Council",
            Status::Deferred => "Deferred",
            Status::Withdrawn => "Withdrawn",
            Status::Superseded => "Superseded",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Decided statuses need a decision date (spec, "Body sections").
    pub fn is_decided(self) -> bool {
        matches!(
            self,
            Status::Approved
                | Status::ApprovedWithAmendments
                | Status::Rejected
                | Status::Noted
                | Status::ReferredToCouncil
        )
    }

    /// Statuses after which the written record must give decision, reasons
    /// and alternatives (Local Authorities (Executive Arrangements) (Meetings
    /// and Access to Information) (England) Regulations 2012, reg. 12-13).
    pub fn needs_written_reasons(self) -> bool {
        matches!(self, Status::Approved | Status::ApprovedWithAmendments | Status::Rejected)
    }

    /// Not yet taken: on the forward plan or awaiting the meeting.
    pub fn is_pending(self) -> bool {
        matches!(self, Status::Forthcoming | Status::ForDetermination)
    }
}

/// Who took the decision, in law.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    #[default]
    Executive,
    IndividualMember,
    OfficerDelegated,
    Committee,
    Council,
}

impl Kind {
    pub const ALL: [Kind; 5] =
        [Kind::Executive, Kind::IndividualMember, Kind::OfficerDelegated, Kind::Committee, Kind::Council];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Executive => "executive",
            Kind::IndividualMember => "individual-member",
            Kind::OfficerDelegated => "officer-delegated",
            Kind::Committee => "committee",
            Kind::Council => "council",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Who took the decision, as a chart's legend says it.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Executive => "Executive",
            Kind::IndividualMember => "Individual member",
            Kind::OfficerDelegated => "Officer",
            Kind::Committee => "Committee",
            Kind::Council => "Council",
        }
    }

    /// Executive decisions (Cabinet or a single Cabinet Member) are the ones
    /// scrutiny may call in (Local Government Act 2000, s.9F).
    pub fn is_executive(self) -> bool {
        matches!(self, Kind::Executive | Kind::IndividualMember)
    }
}

/// A person: written as a name alone or as a map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Person {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwardPlan {
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_published: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UrgencyRule {
    /// Regulation 10: 5 clear days' notice, the scrutiny chair informed.
    GeneralException,
    /// Regulation 11: the scrutiny chair (or the chairman) agrees.
    SpecialUrgency,
}

impl UrgencyRule {
    /// As the public pages say it.
    pub fn label(self) -> &'static str {
        match self {
            Self::GeneralException => "General exception (28 days' notice not given)",
            Self::SpecialUrgency => "Special urgency",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "general-exception" => Some(Self::GeneralException),
            "special-urgency" => Some(Self::SpecialUrgency),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Urgency {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<UrgencyRule>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agreed_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice_published: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The decision stands.
    Upheld,
    /// Sent back to the decision maker to reconsider.
    ReferredBack,
    ReferredToCouncil,
    /// The call-in request was withdrawn: the decision stands.
    Withdrawn,
}

impl Outcome {
    pub const NAMES: [&'static str; 4] = ["upheld", "referred-back", "referred-to-council", "withdrawn"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "upheld" => Some(Self::Upheld),
            "referred-back" => Some(Self::ReferredBack),
            "referred-to-council" => Some(Self::ReferredToCouncil),
            "withdrawn" => Some(Self::Withdrawn),
            _ => None,
        }
    }

    /// Whether the original decision may now be implemented.
    pub fn decision_stands(self) -> bool {
        matches!(self, Outcome::Upheld | Outcome::Withdrawn)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CalledIn {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub committee: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hearing_date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome_date: Option<NaiveDate>,
}

/// The call-in block as written, plus the computed deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CallIn {
    /// As written; `None` means "the register's default".
    #[serde(skip)]
    pub subject_given: Option<bool>,
    /// Resolved: whether the decision is subject to call-in.
    pub subject: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exemption: Option<String>,
    /// As written in the record, if given.
    #[serde(skip)]
    pub deadline_given: Option<NaiveDate>,
    /// The deadline shown: the given one, else the computed one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub called_in: Option<CalledIn>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interest {
    pub member: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interest: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dispensation: Option<Dispensation>,
}

/// Whether a dispensation was granted to a member who declared an
/// interest: councils write `true`/`false`, or say it in words ("granted
/// by the Standards Committee on 5 January 2010"), kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Dispensation {
    Granted(bool),
    Described(String),
}

impl Dispensation {
    /// What a public page says of it: nothing for `false`.
    pub fn shown(&self) -> Option<String> {
        match self {
            Dispensation::Granted(true) => Some("a dispensation was granted".into()),
            Dispensation::Granted(false) => None,
            Dispensation::Described(words) => Some(format!("dispensation: {words}")),
        }
    }
}

/// Exempt information under Schedule 12A (or 7A in Scotland).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exempt {
    pub paragraphs: Vec<u32>,
    /// The public-interest statement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub title: String,
    /// Relative to the register's `documents/`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exempt: Option<Exempt>,
}

/// The sections the law and the notice layout give a place of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SectionKind {
    Purpose,
    Recommendations,
    Decision,
    Reasons,
    Alternatives,
}

impl SectionKind {
    /// The heading decreg writes for it.
    pub fn heading(self) -> &'static str {
        match self {
            SectionKind::Purpose => "Purpose",
            SectionKind::Recommendations => "Recommendations",
            SectionKind::Decision => "Decision",
            SectionKind::Reasons => "Reasons for the decision",
            SectionKind::Alternatives => "Alternative options considered",
        }
    }
}

/// One `##` section of the body, in the order written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// The heading as written ("" for text before the first heading).
    pub heading: String,
    /// The known section it matches, if any.
    #[serde(rename = "section", skip_serializing_if = "Option::is_none")]
    pub kind: Option<SectionKind>,
    /// Markdown.
    pub body: String,
    /// Line of the heading in the file.
    #[serde(skip)]
    pub line: u32,
}

/// The call-in state of a decision on the day of the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallInState {
    /// Not subject to call-in (not executive, exempted, or nothing decided).
    NotSubject,
    /// Subject to call-in once decided and published.
    Pending,
    /// The call-in period is running.
    Open,
    /// A call-in request was made.
    CalledIn,
    /// The call-in period has passed: the decision may be implemented.
    Effective,
}

impl CallInState {
    pub fn as_str(self) -> &'static str {
        match self {
            CallInState::NotSubject => "not-subject",
            CallInState::Pending => "pending",
            CallInState::Open => "open",
            CallInState::CalledIn => "called-in",
            CallInState::Effective => "effective",
        }
    }
}

/// Whether a record was written as Markdown with front matter or as YAML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    #[default]
    Markdown,
    Yaml,
}

/// One decision, as loaded and resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    /// The file, relative to the register's root.
    pub source: PathBuf,
    #[serde(skip)]
    pub format: Format,
    pub title: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub title_supplied: bool,
    pub decision_maker: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    pub kind: Kind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub council_status: Option<String>,
    /// Extension: the council that took the decision, where a register
    /// holds more than one council's decisions (joint committees, archives).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub council: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision_date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_before: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<NaiveDate>,
    pub key_decision: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_decision_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forward_plan: Option<ForwardPlan>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urgency: Option<Urgency>,
    pub call_in: CallIn,
    pub call_in_state: CallInState,
    /// The date shown: the given one, else the computed one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_from: Option<NaiveDate>,
    #[serde(skip)]
    pub effective_from_given: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meeting: Option<Meeting>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_author: Option<Person>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead_member: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contact_officer: Vec<Person>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub areas: Vec<String>,
    /// `None`: not stated; `Some([])`: none declared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interests: Option<Vec<Interest>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exempt: Option<Exempt>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub directorate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead_officer: Option<Person>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<Document>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<String>,
    /// The record's `source:` field: where an imported record came from
    /// (named apart from `source`, the record's own file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    pub sections: Vec<Section>,
}

/// Where an imported record came from: `source: { url, system, id, retrieved }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Origin {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The system it was published with, e.g. `moderngov`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// Its id in that system.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retrieved: Option<NaiveDate>,
}

impl Record {
    /// The first section of a kind.
    pub fn section(&self, kind: SectionKind) -> Option<&Section> {
        self.sections.iter().find(|s| s.kind == Some(kind))
    }

    /// The date a reader files it under: decided, else expected.
    pub fn date(&self) -> Option<NaiveDate> {
        self.decision_date.or(self.expected_date).or(self.not_before).or(self.published)
    }

    pub fn is_exempt(&self) -> bool {
        self.exempt.is_some()
    }
}
