//! The public view of a record: what may leave the council's machine. Every
//! public output (pages, search index, feeds, JSON, CSV, calendar) is made
//! from a [`PublicRecord`] and never from a [`Record`], so this module is
//! the one gate exempt information must pass. An exempt record shows only
//! its title, decision maker, dates and the exempt-information notice;
//! exempt documents are listed as exempt, never linked or copied.

use crate::config::Config;
use crate::load::Documents;
use crate::meetings::MeetingView;
use crate::records::{CallInState, Exempt, Outcome, Person, Record, SectionKind, UrgencyRule};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::HashMap;

/// A date as people read it and as machines do.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq, Hash)]
pub struct DateView {
    /// 2012-11-13
    pub iso: String,
    /// 13 November 2012
    pub long: String,
}

impl DateView {
    pub fn new(d: NaiveDate) -> Self {
        DateView { iso: d.to_string(), long: d.format("%-d %B %Y").to_string() }
    }
}

fn dv(d: Option<NaiveDate>) -> Option<DateView> {
    d.map(DateView::new)
}

#[derive(Debug, Clone, Serialize)]
pub struct ExemptNotice {
    pub paragraphs: Vec<u32>,
    /// "paragraph 3 of Part 1 of Schedule 12A to the Local Government Act 1972"
    pub citation: String,
    /// The public-interest statement.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CalledInView {
    pub date: Option<DateView>,
    pub by: Vec<String>,
    pub committee: Option<String>,
    pub hearing_date: Option<DateView>,
    pub outcome: Option<&'static str>,
    pub outcome_label: Option<&'static str>,
    pub outcome_date: Option<DateView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CallInView {
    pub subject: bool,
    pub state: &'static str,
    pub state_label: &'static str,
    pub exemption: Option<String>,
    pub deadline: Option<DateView>,
    pub cutoff_time: Option<String>,
    pub called_in: Option<CalledInView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DocumentView {
    pub title: String,
    /// Site-relative link ("documents/2012/report.pdf") or a web address.
    pub href: Option<String>,
    pub external: bool,
    /// "PDF, 120 KB"
    pub format: Option<String>,
    /// "exempt (paragraph 3)"
    pub exempt_notice: Option<String>,
}

impl DocumentView {
    /// As lists of documents name it: "Appendix 1 (PDF, 120 KB)", or
    /// "Appendix 2 (exempt (paragraph 3))".
    pub fn label(&self) -> String {
        match (&self.exempt_notice, &self.format) {
            (Some(n), _) => format!("{} ({n})", self.title),
            (None, Some(f)) => format!("{} ({f})", self.title),
            (None, None) => self.title.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionView {
    pub heading: String,
    pub section: Option<SectionKind>,
    pub markdown: String,
    /// Sanitised HTML, filled only for pages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
}

/// A person as a page shows them: the e-mail address is a link only when
/// it is an address.
#[derive(Debug, Clone, Serialize)]
pub struct PersonView {
    pub name: String,
    pub role: Option<String>,
    pub email: Option<String>,
    pub mailto: Option<String>,
    pub phone: Option<String>,
}

impl PersonView {
    /// One line, as a report's footer prints it: "Alison Alexander,
    /// Director, alison@example.gov.uk, Tel: 023 8083 4000".
    pub fn line(&self) -> String {
        let phone = self.phone.as_ref().map(|t| format!("Tel: {t}"));
        let how = [self.role.as_deref(), self.email.as_deref(), phone.as_deref()];
        std::iter::once(self.name.as_str()).chain(how.into_iter().flatten()).collect::<Vec<_>>().join(", ")
    }

    pub fn of(p: &Person) -> PersonView {
        PersonView {
            name: p.name.clone(),
            role: p.role.clone(),
            email: p.email.clone(),
            mailto: p.email.as_deref().filter(|e| crate::markdown::is_email(e)).map(|e| format!("mailto:{e}")),
            phone: p.phone.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct UrgencyView {
    pub rule: Option<&'static str>,
    pub reason: Option<String>,
    pub agreed_by: Option<String>,
    pub notice_published: Option<DateView>,
}

/// The original page of an imported record.
#[derive(Debug, Clone, Serialize)]
pub struct OriginView {
    pub url: String,
    /// "ModernGov", as the system calls itself.
    pub system: Option<String>,
    pub retrieved: Option<DateView>,
}

/// Everything the public may see of one decision.
#[derive(Debug, Clone, Serialize)]
pub struct PublicRecord {
    pub id: String,
    pub title: String,
    pub title_supplied: bool,
    pub council: Option<String>,
    pub decision_maker: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub council_status: Option<String>,
    pub kind: &'static str,
    pub reference: Option<String>,
    pub date: Option<DateView>,
    pub year: Option<i32>,
    pub decision_date: Option<DateView>,
    /// A decided record that does not say when: shown as "not recorded"
    /// rather than left out, so no one reads the page as undecided.
    pub decision_date_not_recorded: bool,
    pub expected_date: Option<DateView>,
    pub not_before: Option<DateView>,
    pub published: Option<DateView>,
    pub effective_from: Option<DateView>,
    pub key_decision: bool,
    pub key_decision_reason: Option<String>,
    pub forward_plan_ref: Option<String>,
    pub forward_plan_published: Option<DateView>,
    /// The first day the decision may be taken after 28 clear days' notice
    /// on the forward plan.
    pub notice_ends: Option<DateView>,
    /// A key decision expected (or taken) before its 28 clear days' notice
    /// ended: the urgency rule, if any, says why.
    pub short_notice: bool,
    pub urgency: Option<UrgencyView>,
    pub call_in: CallInView,
    pub meeting_body: Option<String>,
    pub meeting_date: Option<DateView>,
    pub meeting_item: Option<String>,
    /// The meeting's page (`meetings/<slug>/`), where body and date are known.
    pub meeting: Option<MeetingView>,
    pub report_author: Option<PersonView>,
    pub report_by: Option<String>,
    pub lead_member: Option<String>,
    pub lead_officer: Option<PersonView>,
    pub directorate: Option<String>,
    pub contact_officers: Vec<PersonView>,
    pub areas: Vec<String>,
    pub subjects: Vec<String>,
    /// `None`: not stated; empty: none declared.
    pub interests: Option<Vec<crate::records::Interest>>,
    pub documents: Vec<DocumentView>,
    pub related: Vec<Link>,
    pub supersedes: Option<Link>,
    pub superseded_by: Option<Link>,
    /// Where an imported record came from: a link to the original.
    pub origin: Option<OriginView>,
    pub sections: Vec<SectionView>,
    pub exempt: Option<ExemptNotice>,
}

/// Titles by id, and who supersedes whom: what a record's links need.
pub struct Links<'a> {
    titles: HashMap<&'a str, &'a str>,
    superseded_by: HashMap<&'a str, &'a str>,
}

impl<'a> Links<'a> {
    pub fn new(records: &[&'a Record]) -> Self {
        let titles = records.iter().map(|r| (r.id.as_str(), r.title.as_str())).collect();
        let superseded_by =
            records.iter().filter_map(|r| r.supersedes.as_deref().map(|old| (old, r.id.as_str()))).collect();
        Links { titles, superseded_by }
    }

    /// The ids a record's view shows the titles of: its related records,
    /// the one it supersedes and the one superseding it, where they exist.
    pub fn shown_by<'r>(&'r self, r: &'r Record) -> Vec<&'r str> {
        let mut ids: Vec<&'r str> = r.related.iter().map(String::as_str).chain(r.supersedes.as_deref()).collect();
        ids.extend(self.superseded_by.get(r.id.as_str()).copied());
        ids.retain(|id| self.titles.contains_key(id));
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The title of record `id`, if there is one.
    pub fn title(&self, id: &str) -> Option<&'a str> {
        self.titles.get(id).copied()
    }

    /// The record superseding `id`, if any.
    pub fn superseded_by(&self, id: &str) -> Option<&'a str> {
        self.superseded_by.get(id).copied()
    }

    fn link(&self, id: &str) -> Option<Link> {
        self.titles.get(id).map(|t| Link { id: id.to_string(), title: t.to_string() })
    }
}

/// The exempt-information citation in the register's own legislation.
pub fn citation(e: &Exempt, config: &Config) -> String {
    let paras: Vec<String> = e.paragraphs.iter().map(u32::to_string).collect();
    let word = if paras.len() == 1 { "paragraph" } else { "paragraphs" };
    format!("{word} {} of {}", join_and(&paras), config.legislation.schedule())
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

pub fn state_label(s: CallInState) -> &'static str {
    match s {
        CallInState::NotSubject => "Not subject to call-in",
        CallInState::Pending => "Call-in period not started",
        CallInState::Open => "Open for call-in",
        CallInState::CalledIn => "Called in",
        CallInState::Effective => "Call-in period ended",
    }
}

fn outcome_label(o: Outcome) -> &'static str {
    match o {
        Outcome::Upheld => "Decision upheld",
        Outcome::ReferredBack => "Referred back to the decision maker",
        Outcome::ReferredToCouncil => "Referred to Council",
        Outcome::Withdrawn => "Call-in withdrawn",
    }
}

fn outcome_code(o: Outcome) -> &'static str {
    match o {
        Outcome::Upheld => "upheld",
        Outcome::ReferredBack => "referred-back",
        Outcome::ReferredToCouncil => "referred-to-council",
        Outcome::Withdrawn => "withdrawn",
    }
}

/// The public view of a record. `html` fills sections' HTML (for pages).
pub fn view(r: &Record, config: &Config, documents: &Documents, links: &Links<'_>, html: bool) -> PublicRecord {
    make_view(r, config, documents, links, html, false)
}

/// Everything of a record, exempt parts included, for an internal copy
/// (`decreg report` of an exempt decision). Never used for publication.
pub fn internal_view(r: &Record, config: &Config, documents: &Documents, links: &Links<'_>) -> PublicRecord {
    make_view(r, config, documents, links, false, true)
}

fn make_view(
    r: &Record,
    config: &Config,
    documents: &Documents,
    links: &Links<'_>,
    html: bool,
    internal: bool,
) -> PublicRecord {
    let exempt = r.exempt.as_ref().map(|e| ExemptNotice {
        paragraphs: e.paragraphs.clone(),
        citation: citation(e, config),
        reason: e.reason.clone(),
    });
    let mut p = PublicRecord {
        id: r.id.clone(),
        title: r.title.clone(),
        title_supplied: r.title_supplied,
        council: r.council.clone(),
        decision_maker: r.decision_maker.clone(),
        status: r.status.as_str(),
        status_label: r.status.label(),
        council_status: None,
        kind: r.kind.as_str(),
        reference: None,
        date: dv(r.date()),
        year: r.date().map(|d| d.year()),
        decision_date: dv(r.decision_date),
        decision_date_not_recorded: r.decision_date.is_none() && r.status.is_decided(),
        expected_date: dv(r.expected_date),
        not_before: dv(r.not_before),
        published: dv(r.published),
        effective_from: dv(r.effective_from),
        key_decision: false,
        key_decision_reason: None,
        forward_plan_ref: None,
        forward_plan_published: None,
        notice_ends: None,
        short_notice: false,
        urgency: None,
        call_in: call_in_view(r, config, exempt.is_none() || internal),
        meeting_body: None,
        meeting_date: None,
        meeting_item: None,
        meeting: None,
        report_author: None,
        report_by: None,
        lead_member: None,
        lead_officer: None,
        directorate: None,
        contact_officers: Vec::new(),
        areas: Vec::new(),
        subjects: Vec::new(),
        interests: None,
        documents: Vec::new(),
        related: Vec::new(),
        supersedes: None,
        superseded_by: None,
        origin: None,
        sections: Vec::new(),
        exempt,
    };
    // Where it was taken is public even for an exempt item: the meeting's
    // agenda lists it, with the paragraph, among the others.
    if let Some(m) = &r.meeting {
        p.meeting_body = m.body.clone();
        p.meeting_date = dv(m.date);
        p.meeting_item = m.item.clone();
        p.meeting = MeetingView::of(m);
    }
    // Whether it is a key decision, its notice and the urgency rule are
    // public too: the Notice of Key Decisions must list a key decision to
    // be taken in private, and why (2012 Regulations, reg. 9(1)(d), (f)).
    p.key_decision = r.key_decision;
    p.forward_plan_ref = r.forward_plan.as_ref().and_then(|f| f.reference.clone());
    p.forward_plan_published = dv(r.forward_plan.as_ref().and_then(|f| f.first_published));
    let notice_ends = r.forward_plan.as_ref().and_then(|f| f.first_published).map(crate::meetings::notice_ends);
    p.notice_ends = dv(notice_ends);
    p.short_notice = r.key_decision
        && matches!((notice_ends, r.expected_date.or(r.decision_date)), (Some(ends), Some(d)) if d < ends);
    p.urgency = r.urgency.as_ref().map(|u| UrgencyView {
        rule: u.rule.map(UrgencyRule::label),
        reason: None,
        agreed_by: None,
        notice_published: dv(u.notice_published),
    });
    if p.exempt.is_none() || internal {
        fill_public_fields(&mut p, r, config, documents, links, html);
    }
    p
}

/// Everything beyond title, decision maker and dates: only for records
/// that are not exempt.
fn fill_public_fields(
    p: &mut PublicRecord,
    r: &Record,
    config: &Config,
    documents: &Documents,
    links: &Links<'_>,
    html: bool,
) {
    p.council_status = r.council_status.clone();
    p.origin = r.origin.as_ref().and_then(|o| {
        let system =
            o.system.as_deref().map(|s| if s == "moderngov" { "ModernGov".to_string() } else { s.to_string() });
        o.url.clone().map(|url| OriginView { url, system, retrieved: dv(o.retrieved) })
    });
    p.reference = r.reference.clone();
    p.key_decision_reason = r.key_decision_reason.clone();
    p.urgency = r.urgency.as_ref().map(|u| UrgencyView {
        rule: u.rule.map(UrgencyRule::label),
        reason: u.reason.clone(),
        agreed_by: u.agreed_by.clone(),
        notice_published: dv(u.notice_published),
    });
    p.report_author = r.report_author.as_ref().map(PersonView::of);
    p.report_by = r.report_by.clone();
    p.lead_member = r.lead_member.clone();
    p.lead_officer = r.lead_officer.as_ref().map(PersonView::of);
    p.directorate = r.directorate.clone();
    p.contact_officers = r.contact_officer.iter().map(PersonView::of).collect();
    p.areas = r.areas.clone();
    p.subjects = r.subjects.clone();
    p.interests = r.interests.clone();
    p.documents = r.documents.iter().map(|d| document_view(d, config, documents)).collect();
    p.related = r.related.iter().filter_map(|id| links.link(id)).collect();
    p.supersedes = r.supersedes.as_deref().and_then(|id| links.link(id));
    p.superseded_by = links.superseded_by.get(r.id.as_str()).and_then(|id| links.link(id));
    p.sections = r
        .sections
        .iter()
        .map(|s| SectionView {
            heading: if s.heading.is_empty() { String::new() } else { s.heading.clone() },
            section: s.kind,
            markdown: s.body.clone(),
            html: html.then(|| crate::markdown::to_html(&s.body)),
        })
        .collect();
}

fn call_in_view(r: &Record, config: &Config, public: bool) -> CallInView {
    let called_in = r.call_in.called_in.as_ref().filter(|_| public).map(|c| CalledInView {
        date: dv(c.date),
        by: c.by.clone(),
        committee: c.committee.clone(),
        hearing_date: dv(c.hearing_date),
        outcome: c.outcome.map(outcome_code),
        outcome_label: c.outcome.map(outcome_label),
        outcome_date: dv(c.outcome_date),
    });
    CallInView {
        subject: r.call_in.subject,
        state: r.call_in_state.as_str(),
        state_label: state_label(r.call_in_state),
        exemption: r.call_in.exemption.clone().filter(|_| public),
        deadline: dv(r.call_in.deadline),
        cutoff_time: config.call_in.cutoff_time.clone(),
        called_in,
    }
}

fn document_view(d: &crate::records::Document, config: &Config, documents: &Documents) -> DocumentView {
    if let Some(e) = &d.exempt {
        let paras: Vec<String> = e.paragraphs.iter().map(u32::to_string).collect();
        let word = if paras.len() == 1 { "paragraph" } else { "paragraphs" };
        let _ = config;
        return DocumentView {
            title: d.title.clone(),
            href: None,
            external: false,
            format: None,
            exempt_notice: Some(format!("exempt ({word} {})", join_and(&paras))),
        };
    }
    if let Some(path) = &d.path {
        let size = documents.get(path).map(|f| f.bytes);
        return DocumentView {
            title: d.title.clone(),
            href: Some(format!("documents/{path}")),
            external: false,
            format: Some(format_label(path, size)),
            exempt_notice: None,
        };
    }
    // Only web links: `check` refuses others, and a page never carries them.
    let url = d
        .url
        .as_deref()
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .and_then(crate::markdown::href);
    DocumentView {
        title: d.title.clone(),
        external: url.is_some(),
        href: url,
        format: d.url.as_deref().map(|u| format_label(u, None)),
        exempt_notice: None,
    }
}

/// "PDF, 120 KB" from a file name and size.
pub fn format_label(name: &str, bytes: Option<u64>) -> String {
    let ext = name.rsplit('.').next().filter(|e| e.len() <= 5 && *e != name).unwrap_or("").to_uppercase();
    let ext = if ext.is_empty() || ext.contains('/') { "Web page".to_string() } else { ext };
    match bytes {
        Some(b) if b >= 1_000_000 => format!("{ext}, {:.1} MB", b as f64 / 1_000_000.0),
        Some(b) => format!("{ext}, {} KB", b.div_ceil(1000).max(1)),
        None => ext,
    }
}

/// The documents of a record that the site copies: non-exempt local files
/// of a non-exempt record.
pub fn copied_documents(r: &Record) -> impl Iterator<Item = &str> {
    let public = r.exempt.is_none();
    r.documents.iter().filter(move |d| public && d.exempt.is_none()).filter_map(|d| d.path.as_deref())
}

/// Plain text of everything a record's public page shows, for the search
/// index and feeds.
pub fn text_of(p: &PublicRecord) -> String {
    // The body first, so result excerpts quote the decision, not its labels.
    let mut text = String::new();
    for s in &p.sections {
        text.push_str(&s.heading);
        text.push_str(". ");
        text.push_str(&crate::markdown::to_text(&s.markdown));
        text.push(' ');
    }
    let mut parts: Vec<&str> = vec![&p.title, &p.decision_maker];
    parts.extend(p.council.as_deref());
    parts.extend(p.reference.as_deref());
    parts.extend(p.areas.iter().map(String::as_str));
    parts.extend(p.subjects.iter().map(String::as_str));
    parts.extend(p.report_author.as_ref().map(|a| a.name.as_str()));
    parts.extend(p.exempt.as_ref().map(|e| e.citation.as_str()));
    text.push_str(&parts.join(" · "));
    text
}
