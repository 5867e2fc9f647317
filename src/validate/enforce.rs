//! The council's choice of when findings stop publication (`rules:` in
//! register.yaml) and of what is not reported, applied to a record's
//! problems once they are all known.

use crate::config::Enforcement;
use crate::diag::{Diagnostic, Severity};
use chrono::NaiveDate;

/// Drops the codes the council turned off, and makes findings on a
/// decision taken on or after `strict_from` errors. `taken` is the
/// decision's date (or, for one not yet taken, its expected date); a
/// record with neither is never strict, since no one can say it is new.
pub fn enforce(diags: &mut Vec<Diagnostic>, taken: Option<NaiveDate>, rules: &Enforcement) {
    silence(diags, rules);
    let Some(from) = rules.strict_from.filter(|from| taken.is_some_and(|t| t >= *from)) else { return };
    for d in diags.iter_mut().filter(|d| d.severity == Severity::Finding) {
        let why =
            format!("an error because register.yaml enforces this rule on decisions from {from} (`rules.strict_from`)");
        d.raise(&why);
    }
}

/// Drops the findings and warnings whose codes the council turned off.
pub fn silence(diags: &mut Vec<Diagnostic>, rules: &Enforcement) {
    if !rules.off.is_empty() {
        diags.retain(|d| d.is_error() || !rules.off.contains(&d.code));
    }
}

/// Makes every finding and warning an error: `check --deny-warnings`.
pub fn deny_all(diags: &mut [Diagnostic]) {
    for d in diags.iter_mut().filter(|d| !d.is_error()) {
        d.raise("an error for this run: --deny-warnings");
    }
}
