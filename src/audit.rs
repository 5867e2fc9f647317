//! `decreg audit`: the compliance report for democratic services and the
//! monitoring officer, never part of the public site. It gathers what
//! `check` found into what an officer reads first: how many findings of
//! each rule, by decision maker and by year; the key decisions taken without
//! 28 clear days' recorded notice; notices published late; call-in
//! exemptions used; and each record with its problems, the law's words
//! and where to look. Shown as a terminal table, JSON, CSV or an HTML page.

use crate::diag::{Diagnostic, Severity};
use crate::load::Error;
use crate::output::Staging;
use crate::records::{Record, UrgencyRule};
use crate::render_html::Renderer;
use crate::rulebook;
use crate::validate::rules::{publication_delay, PUBLISH_WITHIN_WORKING_DAYS};
use crate::validate::workdays::Calendar;
use crate::Checked;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The compliance report.
#[derive(Debug, Serialize)]
pub struct Audit {
    pub council: String,
    pub today: NaiveDate,
    pub records: usize,
    /// Records not published because they have errors.
    pub unpublished: usize,
    pub records_with_findings: usize,
    pub errors: usize,
    pub findings: usize,
    pub warnings: usize,
    /// What to fix first, in a few sentences.
    pub first: Vec<String>,
    pub by_rule: Vec<RuleCount>,
    pub by_decision_maker: Vec<GroupCount>,
    /// By the year of the decision ("not recorded" where it has no date).
    pub by_year: Vec<GroupCount>,
    pub short_notice: Vec<NoticeGap>,
    pub late_publication: Vec<LateNotice>,
    pub call_in_exemptions: Vec<ExemptionUsed>,
    /// Each record with errors or findings: those with errors first, then
    /// the most recent decisions.
    pub problems: Vec<RecordProblems>,
}

#[derive(Debug, Serialize)]
pub struct RuleCount {
    pub code: &'static str,
    pub kind: Severity,
    pub count: usize,
    pub records: usize,
    pub asks: &'static str,
    pub source: &'static str,
}

#[derive(Debug, Serialize)]
pub struct GroupCount {
    pub name: String,
    pub records: usize,
    pub records_with_findings: usize,
    pub findings: usize,
}

/// The facts of a record every list names.
#[derive(Debug, Clone, Serialize)]
pub struct RecordRef {
    pub id: String,
    pub title: String,
    pub file: String,
    pub decision_maker: String,
    pub decision_date: Option<NaiveDate>,
}

#[derive(Debug, Serialize)]
pub struct NoticeGap {
    #[serde(flatten)]
    pub record: RecordRef,
    /// The forward plan notice's date, if one is recorded.
    pub notice: Option<NaiveDate>,
    pub clear_days: Option<i64>,
    /// The urgency rule relied on, if any.
    pub urgency: Option<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct LateNotice {
    #[serde(flatten)]
    pub record: RecordRef,
    pub published: NaiveDate,
    pub due: NaiveDate,
    pub working_days: i64,
}

#[derive(Debug, Serialize)]
pub struct ExemptionUsed {
    #[serde(flatten)]
    pub record: RecordRef,
    pub exemption: String,
}

#[derive(Debug, Serialize)]
pub struct RecordProblems {
    #[serde(flatten)]
    pub record: RecordRef,
    pub published: bool,
    pub problems: Vec<Problem>,
}

#[derive(Debug, Serialize)]
pub struct Problem {
    pub severity: Severity,
    pub code: &'static str,
    pub line: u32,
    pub column: u32,
    pub message: String,
    pub hint: Option<String>,
    pub asks: &'static str,
    pub source: &'static str,
}

const NOT_RECORDED: &str = "not recorded";

impl Audit {
    /// The report of a checked register as of `today`.
    pub fn of(checked: &Checked, today: NaiveDate) -> Audit {
        let config = &checked.config;
        let calendar = Calendar::new(config.bank_holidays, &config.closures);
        let by_file = problems_by_file(&checked.diags);
        let off = |code: &str| config.rules.off.contains(&code);
        let mut audit = Audit {
            council: config.council.clone(),
            today,
            records: checked.records.len(),
            unpublished: checked.files_with_errors().len(),
            records_with_findings: 0,
            errors: 0,
            findings: 0,
            warnings: 0,
            first: Vec::new(),
            by_rule: rule_counts(&checked.diags),
            by_decision_maker: Vec::new(),
            by_year: Vec::new(),
            short_notice: Vec::new(),
            late_publication: Vec::new(),
            call_in_exemptions: Vec::new(),
            problems: Vec::new(),
        };
        let counts = crate::diag::counts(&checked.diags);
        (audit.errors, audit.findings, audit.warnings) = (counts.errors, counts.findings, counts.warnings);
        let mut makers: BTreeMap<String, GroupCount> = BTreeMap::new();
        let mut years: BTreeMap<Option<i32>, GroupCount> = BTreeMap::new();
        for r in &checked.records {
            let mine = by_file.get(r.source.as_path()).map(Vec::as_slice).unwrap_or_default();
            let findings = mine.iter().filter(|d| d.severity == Severity::Finding).count();
            let year = r.decision_date.map(|d| d.year());
            let maker = makers.entry(r.decision_maker.clone());
            tally(maker.or_insert_with(|| GroupCount::named(r.decision_maker.clone())), findings);
            let year_name = year.map_or_else(|| NOT_RECORDED.to_string(), |y| y.to_string());
            tally(years.entry(year).or_insert_with(|| GroupCount::named(year_name)), findings);
            audit.records_with_findings += usize::from(findings > 0);
            if !off("key-decision-notice") {
                audit.short_notice.extend(notice_gap(r));
            }
            if !off("late-publication") {
                audit.late_publication.extend(publication_delay(r, &calendar).map(|late| LateNotice {
                    record: RecordRef::of(r),
                    published: late.published,
                    due: late.due,
                    working_days: late.working_days,
                }));
            }
            if let Some(exemption) = r.call_in.exemption.as_ref().filter(|_| !r.call_in.subject) {
                audit.call_in_exemptions.push(ExemptionUsed { record: RecordRef::of(r), exemption: exemption.clone() });
            }
            let shown: Vec<Problem> =
                mine.iter().filter(|d| d.severity != Severity::Warning).map(|d| Problem::of(d)).collect();
            if !shown.is_empty() {
                let published = !shown.iter().any(|p| p.severity == Severity::Error);
                audit.problems.push(RecordProblems { record: RecordRef::of(r), published, problems: shown });
            }
        }
        audit.by_decision_maker = sorted_groups(makers.into_values().collect());
        // years newest first, "not recorded" last
        audit.by_year = years.into_iter().rev().map(|(_, g)| g).collect();
        if let Some(pos) = audit.by_year.iter().position(|g| g.name == NOT_RECORDED) {
            let undated = audit.by_year.remove(pos);
            audit.by_year.push(undated);
        }
        audit.problems.sort_by(|a, b| {
            (a.published, std::cmp::Reverse(a.record.decision_date), &a.record.file).cmp(&(
                b.published,
                std::cmp::Reverse(b.record.decision_date),
                &b.record.file,
            ))
        });
        audit.short_notice.sort_by_key(|x| std::cmp::Reverse(x.record.decision_date));
        audit.late_publication.sort_by_key(|x| std::cmp::Reverse(x.record.decision_date));
        audit.call_in_exemptions.sort_by_key(|x| std::cmp::Reverse(x.record.decision_date));
        audit.first = fix_first(&audit);
        audit
    }

    /// The terminal report: plain text tables.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Compliance report: {}, as of {}", self.council, self.today);
        let _ = writeln!(
            out,
            "{} records; {} not published (errors); {} with findings ({} findings); {} warnings\n",
            self.records, self.unpublished, self.records_with_findings, self.findings, self.warnings
        );
        if !self.first.is_empty() {
            let _ = writeln!(out, "What to fix first");
            for line in &self.first {
                let _ = writeln!(out, "  - {line}");
            }
            out.push('\n');
        }
        let rows: Vec<Vec<String>> = self
            .by_rule
            .iter()
            .map(|r| {
                vec![r.count.to_string(), r.records.to_string(), r.kind.as_str().into(), r.code.into(), r.asks.into()]
            })
            .collect();
        table(&mut out, "Problems by rule", &["count", "records", "kind", "code", "what the law or rule asks"], &rows);
        for (title, groups) in [("By decision maker", &self.by_decision_maker), ("By year of decision", &self.by_year)]
        {
            let rows: Vec<Vec<String>> = groups
                .iter()
                .filter(|g| g.findings > 0)
                .map(|g| {
                    vec![
                        g.findings.to_string(),
                        g.records_with_findings.to_string(),
                        g.records.to_string(),
                        g.name.clone(),
                    ]
                })
                .collect();
            table(&mut out, title, &["findings", "records with findings", "records", ""], &rows);
        }
        let rows: Vec<Vec<String>> = self
            .short_notice
            .iter()
            .map(|n| {
                vec![
                    date_or(n.record.decision_date),
                    date_or(n.notice),
                    n.clear_days.map_or_else(|| "-".into(), |d| d.to_string()),
                    n.urgency.unwrap_or("none").into(),
                    n.record.file.clone(),
                ]
            })
            .collect();
        table(
            &mut out,
            "Key decisions taken without 28 clear days' recorded notice",
            &["decided", "notice", "clear days", "urgency", "file"],
            &rows,
        );
        let rows: Vec<Vec<String>> = self
            .late_publication
            .iter()
            .map(|l| {
                vec![
                    date_or(l.record.decision_date),
                    l.published.to_string(),
                    l.working_days.to_string(),
                    l.record.file.clone(),
                ]
            })
            .collect();
        let title =
            format!("Decisions published more than {PUBLISH_WITHIN_WORKING_DAYS} working days after they were taken");
        table(&mut out, &title, &["decided", "published", "working days", "file"], &rows);
        let rows: Vec<Vec<String>> = self
            .call_in_exemptions
            .iter()
            .map(|e| vec![date_or(e.record.decision_date), e.record.file.clone(), e.exemption.clone()])
            .collect();
        table(&mut out, "Call-in exemptions used", &["decided", "file", "exemption"], &rows);
        let _ = writeln!(out, "Records and their problems");
        if self.problems.is_empty() {
            let _ = writeln!(out, "  none\n");
        }
        for r in &self.problems {
            let state = if r.published { "published" } else { "NOT PUBLISHED" };
            let _ = writeln!(
                out,
                "  {} ({}, {}; {state})",
                r.record.title,
                r.record.decision_maker,
                date_or(r.record.decision_date)
            );
            for p in &r.problems {
                let _ =
                    writeln!(out, "    {}:{} {}[{}] {}", r.record.file, p.line, p.severity.as_str(), p.code, p.message);
                let _ = writeln!(out, "      the law asks: {} ({})", p.asks, p.source);
            }
        }
        out
    }

    /// One row a problem (errors and findings), for a spreadsheet.
    pub fn to_csv(&self) -> String {
        let f = crate::listing::csv_field;
        let mut out = String::from(
            "severity,code,file,line,column,id,title,decision_maker,decision_date,published,message,what_the_law_asks,source\r\n",
        );
        for r in &self.problems {
            for p in &r.problems {
                let cols = [
                    p.severity.as_str().to_string(),
                    p.code.to_string(),
                    f(&r.record.file),
                    p.line.to_string(),
                    p.column.to_string(),
                    f(&r.record.id),
                    f(&r.record.title),
                    f(&r.record.decision_maker),
                    r.record.decision_date.map(|d| d.to_string()).unwrap_or_default(),
                    r.published.to_string(),
                    f(&p.message),
                    f(p.asks),
                    f(p.source),
                ];
                out.push_str(&cols.join(","));
                out.push_str("\r\n");
            }
        }
        out
    }
}

/// Writes the report's HTML page to `<out>/audit/index.html`, outside
/// the public site, the way every output folder is written (staged, then
/// swapped in whole). Returns the page's path.
pub fn write_page(root: &Path, out: &Path, checked: &Checked, audit: &Audit) -> Result<PathBuf, Error> {
    let mut renderer = Renderer::new(root, &checked.config, audit.today)?;
    renderer.tera.register_filter("long_date", long_date);
    let mut ctx = tera::Context::new();
    ctx.insert("audit", audit);
    let html = renderer.render("audit.html", 0, &mut ctx)?;
    let target = out.join("audit");
    let staging = Staging::new(&target)?;
    match staging.write("index.html", html.as_bytes()) {
        Ok(()) => staging.publish()?,
        Err(e) => {
            staging.discard();
            return Err(e);
        }
    }
    Ok(target.join("index.html"))
}

/// `2022-03-07` as `7 March 2022`, for the page.
fn long_date(value: &tera::Value, _: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let iso = value.as_str().unwrap_or_default();
    let day = crate::yaml::parse_date(iso).map_err(tera::Error::msg)?;
    Ok(tera::Value::String(crate::public::DateView::new(day).long))
}

impl GroupCount {
    fn named(name: String) -> Self {
        GroupCount { name, records: 0, records_with_findings: 0, findings: 0 }
    }
}

fn tally(g: &mut GroupCount, findings: usize) {
    g.records += 1;
    g.records_with_findings += usize::from(findings > 0);
    g.findings += findings;
}

/// Most findings first; ties by name.
fn sorted_groups(mut groups: Vec<GroupCount>) -> Vec<GroupCount> {
    groups.sort_by(|a, b| b.findings.cmp(&a.findings).then_with(|| a.name.cmp(&b.name)));
    groups
}

impl RecordRef {
    fn of(r: &Record) -> Self {
        RecordRef {
            id: r.id.clone(),
            title: r.title.clone(),
            file: r.source.display().to_string(),
            decision_maker: r.decision_maker.clone(),
            decision_date: r.decision_date,
        }
    }
}

impl Problem {
    fn of(d: &Diagnostic) -> Self {
        let rule = rulebook::rule_of(d.code);
        Problem {
            severity: d.severity,
            code: d.code,
            line: d.line,
            column: d.col,
            message: d.message.clone(),
            hint: d.hint.clone(),
            asks: rule.map_or("", |r| r.asks),
            source: rule.map_or("", |r| r.source),
        }
    }
}

fn problems_by_file(diags: &[Diagnostic]) -> HashMap<&Path, Vec<&Diagnostic>> {
    let mut by_file: HashMap<&Path, Vec<&Diagnostic>> = HashMap::new();
    for d in diags {
        by_file.entry(d.path.as_path()).or_default().push(d);
    }
    by_file
}

/// Errors and findings by rule, most first (warnings are for authors, not
/// this report).
fn rule_counts(diags: &[Diagnostic]) -> Vec<RuleCount> {
    let mut by_code: HashMap<&'static str, (usize, std::collections::HashSet<&Path>)> = HashMap::new();
    for d in diags.iter().filter(|d| d.severity != Severity::Warning) {
        let e = by_code.entry(d.code).or_default();
        e.0 += 1;
        e.1.insert(d.path.as_path());
    }
    let mut counts: Vec<RuleCount> = by_code
        .into_iter()
        .map(|(code, (count, files))| {
            let rule = rulebook::rule_of(code);
            RuleCount {
                code,
                kind: rulebook::severity_of(code),
                count,
                records: files.len(),
                asks: rule.map_or("", |r| r.asks),
                source: rule.map_or("", |r| r.source),
            }
        })
        .collect();
    counts.sort_by(|a, b| {
        (a.kind, std::cmp::Reverse(a.count), a.code).cmp(&(b.kind, std::cmp::Reverse(b.count), b.code))
    });
    counts
}

/// A key decision taken without 28 clear days' recorded notice: with no
/// notice recorded, or a shorter one (under an urgency rule or none).
fn notice_gap(r: &Record) -> Option<NoticeGap> {
    if !r.key_decision || !r.status.is_decided() {
        return None;
    }
    let notice = r.forward_plan.as_ref().and_then(|fp| fp.first_published);
    let clear_days = notice.zip(r.decision_date).map(|(n, d)| Calendar::clear_days(n, d).max(0));
    if clear_days.is_some_and(|d| d >= crate::validate::rules::KEY_DECISION_NOTICE_DAYS) {
        return None;
    }
    let urgency = r.urgency.as_ref().map(|u| match u.rule {
        Some(UrgencyRule::GeneralException) => "general exception (reg. 10)",
        Some(UrgencyRule::SpecialUrgency) => "special urgency (reg. 11)",
        None => "urgency, rule not recorded",
    });
    Some(NoticeGap { record: RecordRef::of(r), notice, clear_days, urgency })
}

/// A few sentences on what matters most.
fn fix_first(a: &Audit) -> Vec<String> {
    let mut first = Vec::new();
    if a.unpublished > 0 {
        first.push(format!(
            "{} record{} cannot be published until {} errors are fixed (listed first below).",
            a.unpublished,
            plural(a.unpublished),
            if a.unpublished == 1 { "its" } else { "their" }
        ));
    }
    let recent: Vec<&NoticeGap> = a.short_notice.iter().filter(|n| n.urgency.is_none()).collect();
    if !recent.is_empty() {
        first.push(format!(
            "{} key decision{} taken with no urgency rule and less than 28 clear days' recorded notice (regs. 9-11): check the forward plan dates, or record the urgency that applied.",
            recent.len(),
            plural(recent.len())
        ));
    }
    if let Some(top) = a.by_rule.iter().find(|r| r.kind == Severity::Finding) {
        first.push(format!(
            "The most common finding is {} ({} record{}): {}.",
            top.code,
            top.records,
            plural(top.records),
            top.asks
        ));
    }
    if !a.late_publication.is_empty() {
        first.push(format!(
            "{} decision notice{} published more than {PUBLISH_WITHIN_WORKING_DAYS} working days after the decision.",
            a.late_publication.len(),
            if a.late_publication.len() == 1 { " was" } else { "s were" }
        ));
    }
    if first.is_empty() {
        first.push("Nothing to fix: every record shows what the law and the council's rules ask.".into());
    }
    first
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn date_or(d: Option<NaiveDate>) -> String {
    d.map_or_else(|| NOT_RECORDED.to_string(), |d| d.to_string())
}

/// A titled plain-text table, columns padded to their widest cell; the
/// last column is left unpadded.
fn table(out: &mut String, title: &str, head: &[&str], rows: &[Vec<String>]) {
    let _ = writeln!(out, "{title}");
    if rows.is_empty() {
        let _ = writeln!(out, "  none\n");
        return;
    }
    let mut widths: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::from(" ");
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            s.push(' ');
            if i + 1 == cells.len() {
                s.push_str(cell);
            } else {
                let _ = write!(s, "{cell:<w$}");
            }
        }
        s.trim_end().to_string()
    };
    let _ = writeln!(out, "{}", line(head.to_vec()));
    for row in rows {
        let _ = writeln!(out, "{}", line(row.iter().map(String::as_str).collect()));
    }
    out.push('\n');
}
