//! The rules a single record must follow: the law on what a written record
//! of an executive decision holds, the notice a key decision needs, call-in
//! exemptions, exempt-information paragraphs, documents, dates in order and
//! the council's own closed list of decision makers. One small function a
//! rule; each pushes located diagnostics.

use super::Context;
use crate::diag::{did_you_mean, Diagnostic};
use crate::records::{Exempt, Kind, Record, SectionKind, Status, UrgencyRule};
use crate::validate::workdays::Calendar;
use crate::yaml::Locations;
use chrono::NaiveDate;

type Out = Vec<Diagnostic>;

/// Runs every single-record rule.
pub fn check(r: &Record, loc: &Locations, ctx: &Context<'_>) -> Out {
    let mut out = Vec::new();
    required_dates(r, loc, &mut out);
    written_record(r, loc, &mut out);
    key_decision_notice(r, loc, &mut out);
    call_in_exemption(r, loc, &mut out);
    called_in_dates(r, loc, &mut out);
    exempt_information(r, loc, ctx, &mut out);
    documents(r, loc, ctx, &mut out);
    dates_in_order(r, loc, &mut out);
    published_promptly(r, loc, ctx, &mut out);
    expected_date_passed(r, loc, ctx, &mut out);
    decision_maker_listed(r, loc, ctx, &mut out);
    out
}

fn err(r: &Record, code: &'static str, at: (u32, u32), msg: impl Into<String>, hint: impl Into<String>) -> Diagnostic {
    Diagnostic::error(code, &r.source, msg).at(at).hint(hint)
}

fn finding(
    r: &Record,
    code: &'static str,
    at: (u32, u32),
    msg: impl Into<String>,
    hint: impl Into<String>,
) -> Diagnostic {
    Diagnostic::finding(code, &r.source, msg).at(at).hint(hint)
}

fn warn(r: &Record, code: &'static str, at: (u32, u32), msg: impl Into<String>, hint: impl Into<String>) -> Diagnostic {
    Diagnostic::warning(code, &r.source, msg).at(at).hint(hint)
}

/// Decided statuses need a decision date, and publication when subject to
/// call-in; forthcoming ones an expected date.
fn required_dates(r: &Record, loc: &Locations, out: &mut Out) {
    let status = r.status.as_str();
    // A date present but unreadable has had its own diagnostic already.
    if r.status.is_decided() && r.decision_date.is_none() && !loc.has("decision_date") {
        out.push(finding(
            r,
            "decision-date-missing",
            loc.find("status"),
            format!("the record has status `{status}` but does not say when the decision was taken; it is published with the date \"not recorded\""),
            "add `decision_date: YYYY-MM-DD`, the date the decision was taken",
        ));
    }
    if r.status.is_decided() && r.call_in.subject && r.published.is_none() && !loc.has("published") {
        out.push(finding(
            r,
            "published-missing",
            loc.find("status"),
            "the decision is subject to call-in but does not say when its notice was published, so its call-in period is not known",
            "add `published: YYYY-MM-DD`; the call-in period runs from it (publication and decision dates are separate facts)",
        ));
    }
    if r.status == Status::Forthcoming
        && r.expected_date.is_none()
        && r.not_before.is_none()
        && !loc.has("expected_date")
    {
        out.push(finding(
            r,
            "expected-date-missing",
            loc.find("status"),
            "the forthcoming decision does not say when it is expected",
            "add `expected_date: YYYY-MM-DD`, or `not_before:` where only the earliest date is known",
        ));
    }
}

/// What the written record must contain (2012 Regulations, reg. 13; for
/// officers, the Openness of Local Government Bodies Regulations 2014).
fn written_record(r: &Record, loc: &Locations, out: &mut Out) {
    if !r.status.needs_written_reasons() {
        return;
    }
    let needed: &[SectionKind] = match r.kind {
        Kind::Executive | Kind::IndividualMember => {
            &[SectionKind::Decision, SectionKind::Reasons, SectionKind::Alternatives]
        }
        Kind::OfficerDelegated => &[SectionKind::Decision, SectionKind::Reasons],
        Kind::Committee | Kind::Council => &[],
    };
    let who = if r.kind == Kind::OfficerDelegated { "an officer decision" } else { "a decided executive decision" };
    for &kind in needed {
        match r.section(kind) {
            None => out.push(finding(
                r,
                "missing-section",
                loc.find("status"),
                format!("the written record of {who} must give {}, but it has no such section", section_words(kind)),
                format!("add a section `## {}`", kind.heading()),
            )),
            Some(s) if s.body.trim().is_empty() => out.push(finding(
                r,
                "empty-section",
                (s.line, 1),
                format!("the section `{}` is empty", s.heading),
                format!("write {} under this heading", section_words(kind)),
            )),
            Some(_) => {}
        }
    }
    if r.kind.is_executive() && r.interests.is_none() {
        out.push(finding(
            r,
            "interests-not-stated",
            loc.find("status"),
            "the record does not say whether any conflict of interest was declared",
            "add `interests: []` when none was declared, or list each `{ member, interest, type, action, dispensation }`",
        ));
    }
}

fn section_words(kind: SectionKind) -> &'static str {
    match kind {
        SectionKind::Decision => "the decision",
        SectionKind::Reasons => "the reasons for the decision",
        SectionKind::Alternatives => "the alternative options considered and rejected",
        SectionKind::Purpose => "its purpose",
        SectionKind::Recommendations => "the recommendations",
    }
}

/// The clear days' notice a key decision needs on the forward plan.
pub const KEY_DECISION_NOTICE_DAYS: i64 = 28;

/// A key decision needs 28 clear days' notice on the forward plan (2012
/// Regulations, reg. 9), unless the general exception (reg. 10: 5 clear
/// days) or special urgency (reg. 11: the chair's agreement) applies.
fn key_decision_notice(r: &Record, loc: &Locations, out: &mut Out) {
    if !r.key_decision || matches!(r.status, Status::Withdrawn | Status::Deferred) {
        return;
    }
    let decision = r.decision_date.or(r.expected_date);
    if let Some(u) = &r.urgency {
        match u.rule {
            None => out.push(finding(
                r,
                "urgency-rule-missing",
                loc.find("urgency"),
                "`urgency` does not say which rule applies",
                "add `rule: general-exception` or `rule: special-urgency`",
            )),
            Some(UrgencyRule::GeneralException) => match (u.notice_published, decision) {
                (Some(n), Some(d)) if Calendar::clear_days(n, d) < 5 => out.push(finding(
                    r,
                    "key-decision-notice",
                    loc.find("urgency.notice_published"),
                    format!(
                        "under the general exception a key decision needs 5 clear days' notice; {n} to {d} gives {}",
                        Calendar::clear_days(n, d).max(0)
                    ),
                    "use special urgency (with the scrutiny chair's agreement) or move the decision date",
                )),
                (None, _) => out.push(finding(
                    r,
                    "urgency-notice-missing",
                    loc.find("urgency"),
                    "the general exception needs a notice published 5 clear days before the decision",
                    "add `notice_published: YYYY-MM-DD`",
                )),
                _ => {}
            },
            Some(UrgencyRule::SpecialUrgency) if u.agreed_by.is_none() => out.push(finding(
                r,
                "urgency-agreement-missing",
                loc.find("urgency"),
                "special urgency needs the agreement of the scrutiny chair (or the chairman of the council)",
                "add `agreed_by:` naming who agreed the decision was urgent",
            )),
            Some(_) => {}
        }
        if u.reason.is_none() {
            out.push(finding(
                r,
                "urgency-reason-missing",
                loc.find("urgency"),
                "`urgency` gives no reason",
                "add `reason:` saying why the decision could not wait",
            ));
        }
        return;
    }
    let first = r.forward_plan.as_ref().and_then(|fp| fp.first_published);
    match (first, decision) {
        (None, _) => out.push(finding(
            r,
            "key-decision-notice",
            loc.find(if r.forward_plan.is_some() { "forward_plan" } else { "key_decision" }),
            "no notice recorded: the key decision gives no forward plan notice (`first_published`) and no `urgency`",
            "add `forward_plan: { ref: ..., first_published: YYYY-MM-DD }`, or `urgency:` with the rule that applied",
        )),
        (Some(f), Some(d)) if Calendar::clear_days(f, d) < KEY_DECISION_NOTICE_DAYS => out.push(finding(
            r,
            "key-decision-notice",
            loc.find("forward_plan.first_published"),
            format!("a key decision needs 28 clear days' notice; the forward plan notice of {f} gives {} before {d}", Calendar::clear_days(f, d).max(0)),
            "check the dates; where the notice really was late, record `urgency:` with the general exception or special urgency",
        )),
        _ => {}
    }
}

/// Executive decisions not subject to call-in must say why (the council's
/// constitution; usually urgency).
fn call_in_exemption(r: &Record, loc: &Locations, out: &mut Out) {
    if r.kind.is_executive()
        && r.call_in.subject_given == Some(false)
        && r.call_in.exemption.is_none()
        && !r.status.is_pending()
    {
        out.push(finding(
            r,
            "call-in-exemption-missing",
            loc.find("call_in.subject"),
            "an executive decision that is not subject to call-in must say why",
            "add `exemption:` under `call_in`, e.g. \"Urgent: delay would prejudice the council's interests\"",
        ));
    }
    if !r.kind.is_executive() && r.call_in.subject_given == Some(true) {
        out.push(warn(
            r,
            "call-in-not-executive",
            loc.find("call_in.subject"),
            format!("call-in applies to executive decisions, but this is a `{}` decision", r.kind.as_str()),
            "set `kind:` to executive or individual-member, or remove `subject: true`",
        ));
    }
}

fn called_in_dates(r: &Record, loc: &Locations, out: &mut Out) {
    let Some(c) = &r.call_in.called_in else { return };
    if c.date.is_none() && c.by.is_empty() {
        out.push(finding(
            r,
            "called-in-incomplete",
            loc.find("call_in.called_in"),
            "`called_in` needs at least `date` or `by`",
            "say when the call-in request was made, or by whom",
        ));
    }
    if let (Some(d), Some(p)) = (c.date, r.published) {
        if d < p {
            out.push(err(
                r,
                "date-order",
                loc.find("call_in.called_in.date"),
                format!("the decision was called in on {d}, before it was published on {p}"),
                "check both dates",
            ));
        }
    }
    if let (Some(d), Some(deadline)) = (c.date, r.call_in.deadline) {
        if d > deadline {
            out.push(warn(
                r,
                "late-call-in",
                loc.find("call_in.called_in.date"),
                format!("the call-in request of {d} came after the deadline of {deadline}"),
                "check the dates; a late request is not a valid call-in",
            ));
        }
    }
    for (key, later) in [("hearing_date", c.hearing_date), ("outcome_date", c.outcome_date)] {
        if let (Some(d), Some(l)) = (c.date, later) {
            if l < d {
                out.push(err(
                    r,
                    "date-order",
                    loc.find(&format!("call_in.called_in.{key}")),
                    format!("`{key}` {l} is before the call-in request of {d}"),
                    "check both dates",
                ));
            }
        }
    }
    if c.outcome.is_some() && c.outcome_date.is_none() {
        out.push(finding(
            r,
            "called-in-incomplete",
            loc.find("call_in.called_in.outcome"),
            "the call-in outcome has no date",
            "add `outcome_date:`",
        ));
    }
}

/// Exempt paragraphs must exist in the register's legislation.
fn exempt_information(r: &Record, loc: &Locations, ctx: &Context<'_>, out: &mut Out) {
    if let Some(e) = &r.exempt {
        paragraphs_valid(r, e, loc.find("exempt"), ctx, out);
        if e.reason.is_none() {
            out.push(finding(
                r,
                "exempt-reason-missing",
                loc.find("exempt"),
                "the exempt record has no public-interest statement",
                "add `reason:` saying why the public interest in withholding the information outweighs disclosure",
            ));
        }
    }
    for (i, d) in r.documents.iter().enumerate() {
        if let Some(e) = &d.exempt {
            paragraphs_valid(r, e, loc.find(&format!("documents.{i}.exempt")), ctx, out);
        }
    }
}

fn paragraphs_valid(r: &Record, e: &Exempt, at: (u32, u32), ctx: &Context<'_>, out: &mut Out) {
    let valid = ctx.config.legislation.exempt_paragraphs();
    for p in &e.paragraphs {
        if !valid.contains(p) {
            out.push(err(
                r,
                "exempt-paragraph",
                at,
                format!(
                    "paragraph {p} is not an exempt-information paragraph of {}",
                    ctx.config.legislation.schedule()
                ),
                format!(
                    "use paragraphs {} to {} (legislation: {:?} in register.yaml)",
                    valid.start(),
                    valid.end(),
                    ctx.config.legislation
                ),
            ));
        }
    }
}

/// Document paths stay inside `documents/` and exist; URLs are web links.
fn documents(r: &Record, loc: &Locations, ctx: &Context<'_>, out: &mut Out) {
    for (i, d) in r.documents.iter().enumerate() {
        if let Some(path) = &d.path {
            let at = loc.find(&format!("documents.{i}.path"));
            match crate::load::document_path_problem(path) {
                Some(why) => out.push(err(
                    r,
                    "document-path",
                    at,
                    format!("the document path `{path}` {why}"),
                    "give the path relative to the register's documents/ folder, e.g. `2012/cabinet-report.pdf`",
                )),
                None => match ctx.documents.get(path) {
                    None => out.push(err(
                        r,
                        "document-missing",
                        at,
                        format!("the document `documents/{path}` does not exist"),
                        "check the file name and folder (names are case-sensitive), or remove `path`",
                    )),
                    Some(f) if f.links_outside => out.push(err(
                        r,
                        "document-path",
                        at,
                        format!("`documents/{path}` is a link to a file outside the register"),
                        "copy the file into documents/ instead of linking to it",
                    )),
                    Some(_) => {}
                },
            }
        }
        if let Some(url) = &d.url {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                out.push(err(
                    r,
                    "document-url",
                    loc.find(&format!("documents.{i}.url")),
                    format!("the document link `{url}` is not a web address"),
                    "write a full http:// or https:// address",
                ));
            }
        }
    }
}

/// Publication cannot come before the decision; nor a notice after it.
fn dates_in_order(r: &Record, loc: &Locations, out: &mut Out) {
    if let (Some(p), Some(d)) = (r.published, r.decision_date) {
        if p < d {
            out.push(err(
                r,
                "date-order",
                loc.find("published"),
                format!("the decision notice was published on {p}, before the decision was taken on {d}"),
                "check both dates: a notice is published on or after the decision date",
            ));
        }
    }
    if let (Some(deadline), Some(p)) = (r.call_in.deadline_given, r.published) {
        if deadline < p {
            out.push(err(
                r,
                "deadline-before-published",
                loc.find("call_in.deadline"),
                format!("the call-in deadline {deadline} is before publication on {p}"),
                "remove `deadline` to have decreg compute it, or correct it",
            ));
        }
    }
    if let (Some(e), Some(d)) = (r.effective_from_given, r.decision_date) {
        if e < d {
            out.push(err(
                r,
                "date-order",
                loc.find("effective_from"),
                format!("`effective_from` {e} is before the decision date {d}"),
                "check both dates",
            ));
        }
    }
}

/// Working days within which a decision notice is published: the
/// "as soon as reasonably practicable" of the 2012 Regulations, as
/// councils' procedure rules commonly put it.
pub const PUBLISH_WITHIN_WORKING_DAYS: u32 = 2;

/// An executive decision's notice published more than 2 working days after
/// the decision was taken.
fn published_promptly(r: &Record, loc: &Locations, ctx: &Context<'_>, out: &mut Out) {
    let Some(late) = publication_delay(r, ctx.calendar) else { return };
    out.push(finding(
        r,
        "late-publication",
        loc.find("published"),
        format!(
            "the decision of {} was published on {}, {} working days later; it was due by {}",
            late.decided, late.published, late.working_days, late.due
        ),
        "nothing to change in the record if the dates are right: publish decisions within 2 working days",
    ));
}

/// A decision notice published after it was due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LatePublication {
    pub decided: NaiveDate,
    pub published: NaiveDate,
    pub due: NaiveDate,
    /// Working days after the decision (its own day not counted).
    pub working_days: i64,
}

/// When an executive decision's notice came later than
/// [`PUBLISH_WITHIN_WORKING_DAYS`] after it: the rule, and the compliance
/// report's list of late notices.
pub fn publication_delay(r: &Record, calendar: &Calendar) -> Option<LatePublication> {
    // a decision taken at a meeting without its own date was taken that day:
    // the meeting's decision list is due 2 working days after it
    let met = r.meeting.as_ref().and_then(|m| m.date).filter(|_| r.status.is_decided());
    let decided = r.decision_date.or(met)?;
    let published = r.published?;
    if !r.kind.is_executive() || published < decided {
        return None;
    }
    let due = calendar.add_working_days(decided, PUBLISH_WITHIN_WORKING_DAYS);
    let working_days = calendar.clear_working_days(decided, published) + i64::from(calendar.is_working_day(published));
    (published > due).then_some(LatePublication { decided, published, due, working_days })
}

fn expected_date_passed(r: &Record, loc: &Locations, ctx: &Context<'_>, out: &mut Out) {
    let Some(expected) = r.expected_date.filter(|_| r.status.is_pending()) else { return };
    if expected < ctx.today {
        out.push(finding(
            r,
            "expected-date-passed",
            loc.find("expected_date"),
            format!(
                "the decision was expected on {expected}, which has passed, but its status is still `{}`",
                r.status.as_str()
            ),
            "record the decision (status, decision_date) or move `expected_date`",
        ));
    }
}

/// Where register.yaml lists the decision makers, others are a finding.
fn decision_maker_listed(r: &Record, loc: &Locations, ctx: &Context<'_>, out: &mut Out) {
    let Some(list) = &ctx.config.decision_makers else { return };
    if list.contains(&r.decision_maker) {
        return;
    }
    let hint = match did_you_mean(&r.decision_maker, list.iter().map(String::as_str)) {
        Some(m) => format!("did you mean `{m}`? Otherwise add it to `decision_makers` in register.yaml"),
        None => "use a decision maker listed in register.yaml, or add this one to `decision_makers` there".to_string(),
    };
    out.push(finding(
        r,
        "unknown-decision-maker",
        loc.find("decision_maker"),
        format!("`{}` is not in the register's list of decision makers", r.decision_maker),
        hint,
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Region};

    fn record(decided: &str, published: &str, kind: &str) -> Record {
        let text = format!(
            "---\ntitle: T\ndecision_maker: Cabinet\nkind: {kind}\nstatus: approved\ndecision_date: {decided}\npublished: {published}\n---\n"
        );
        let parsed = crate::records::parse_record(text.as_bytes(), std::path::Path::new("t.md"), &Config::default());
        parsed.record.expect("the record parses")
    }

    fn delay(decided: &str, published: &str, kind: &str) -> Option<(String, i64)> {
        let calendar = Calendar::new(Region::EnglandAndWales, &[]);
        publication_delay(&record(decided, published, kind), &calendar).map(|l| (l.due.to_string(), l.working_days))
    }

    #[test]
    fn a_notice_is_due_within_two_working_days() {
        // Friday's decision is due by Tuesday: the weekend does not count
        assert_eq!(delay("2022-03-04", "2022-03-08", "executive"), None);
        assert_eq!(delay("2022-03-04", "2022-03-09", "executive"), Some(("2022-03-08".into(), 3)));
        // Maundy Thursday's decision: Good Friday and Easter Monday are bank holidays
        assert_eq!(delay("2022-04-14", "2022-04-20", "executive"), None);
        assert_eq!(delay("2022-04-14", "2022-04-21", "individual-member"), Some(("2022-04-20".into(), 3)));
        // published on a Saturday: the working days counted stop at Friday
        assert_eq!(delay("2022-03-07", "2022-03-12", "executive"), Some(("2022-03-09".into(), 4)));
        // the rule is the 2012 Regulations': executive decisions only
        assert_eq!(delay("2022-03-04", "2022-03-20", "committee"), None);
    }

    #[test]
    fn a_meeting_s_decision_list_is_due_two_working_days_after_the_meeting() {
        let text = "---\ntitle: T\ndecision_maker: Cabinet\nstatus: approved\npublished: 2022-03-09\nmeeting: { body: Cabinet, date: 2022-03-04, item: 7 }\n---\n";
        let parsed = crate::records::parse_record(text.as_bytes(), std::path::Path::new("t.md"), &Config::default());
        let calendar = Calendar::new(Region::EnglandAndWales, &[]);
        let late = publication_delay(&parsed.record.expect("the record parses"), &calendar).expect("late");
        assert_eq!((late.decided.to_string(), late.due.to_string()), ("2022-03-04".into(), "2022-03-08".into()));
    }
}
