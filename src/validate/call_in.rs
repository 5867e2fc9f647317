//! Call-in arithmetic on one record: the deadline (published + N working
//! days, per register.yaml), the date the decision takes effect, and its
//! call-in state on the day of the build. Dates the record gives are kept
//! and shown; where they differ from the rule, `check` says so.

use super::Context;
use crate::diag::Diagnostic;
use crate::records::{CallInState, Record};
use crate::validate::workdays;
use crate::yaml::Locations;
use chrono::NaiveDate;

/// Fills in `call_in.deadline`, `effective_from` and `call_in_state`, and
/// reports given dates that differ from the computed ones.
pub fn resolve(r: &mut Record, loc: &Locations, ctx: &Context<'_>) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let computed_deadline = computed_deadline(r, ctx);
    if let (Some(given), Some(computed)) = (r.call_in.deadline_given, computed_deadline) {
        if given != computed {
            diags.push(differs("deadline-differs", r, loc, "call_in.deadline", "call-in deadline", given, computed));
        }
    }
    r.call_in.deadline = r.call_in.deadline_given.or(computed_deadline);
    let computed_effective = computed_effective_from(r, ctx);
    if let (Some(given), Some(computed)) = (r.effective_from_given, computed_effective) {
        if given != computed {
            diags.push(differs("effective-from-differs", r, loc, "effective_from", "effective date", given, computed));
        }
    }
    r.effective_from = r.effective_from_given.or(computed_effective);
    r.call_in_state = state(r, ctx.today);
    if let Some(p) = r.published.filter(|p| r.call_in.subject && !workdays::covered(*p)) {
        diags.push(
            Diagnostic::warning(
                "calendar-range",
                &r.source,
                format!(
                    "decreg's bank holidays cover {}-{}; the call-in period after {p} counts weekends only",
                    workdays::FIRST_YEAR,
                    workdays::LAST_YEAR
                ),
            )
            .at(loc.find("published"))
            .hint("add the bank holidays of that period to `closures` in register.yaml"),
        );
    }
    diags
}

fn computed_deadline(r: &Record, ctx: &Context<'_>) -> Option<NaiveDate> {
    if r.status.is_pending() || !r.call_in.subject {
        return None;
    }
    r.published.map(|p| ctx.calendar.call_in_deadline(p, &ctx.config.call_in))
}

/// Decisions that take effect: the decided ones, and superseded ones (which
/// were decided, and took effect, before being replaced).
fn takes_effect(r: &Record) -> bool {
    r.status.is_decided() || r.status == crate::records::Status::Superseded
}

/// When the decision may be implemented: the working day after the call-in
/// deadline; after a call-in, the outcome's date where the decision stands;
/// at once for a decision not subject to call-in.
fn computed_effective_from(r: &Record, ctx: &Context<'_>) -> Option<NaiveDate> {
    if !takes_effect(r) {
        return None;
    }
    if !r.call_in.subject {
        return r.decision_date;
    }
    if let Some(called) = &r.call_in.called_in {
        return match called.outcome {
            Some(o) if o.decision_stands() => called.outcome_date,
            _ => None,
        };
    }
    r.call_in.deadline.map(|d| ctx.calendar.next_working_day(d))
}

/// The call-in state on `today`.
pub fn state(r: &Record, today: NaiveDate) -> CallInState {
    if !r.call_in.subject {
        return CallInState::NotSubject;
    }
    if r.status.is_pending() {
        return CallInState::Pending;
    }
    if !takes_effect(r) {
        return CallInState::NotSubject;
    }
    if r.call_in.called_in.is_some() {
        return CallInState::CalledIn;
    }
    if r.published.is_none_or(|p| p > today) {
        return CallInState::Pending;
    }
    match r.call_in.deadline {
        None => CallInState::Pending,
        Some(d) if today <= d => CallInState::Open,
        Some(_) => CallInState::Effective,
    }
}

fn differs(
    code: &'static str,
    r: &Record,
    loc: &Locations,
    key: &str,
    what: &str,
    given: NaiveDate,
    computed: NaiveDate,
) -> Diagnostic {
    Diagnostic::warning(
        code,
        &r.source,
        format!("the {what} given is {given}, but the register's call-in rule gives {computed}"),
    )
    .at(loc.find(key))
    .hint(format!("decreg shows {given} as written; check it, or remove `{key}` to use {computed}"))
}
