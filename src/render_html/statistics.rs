//! How the council decides, in numbers: the figures of the public
//! statistics page, counted from the listings' summaries (public facts
//! only: an exempt decision counts in totals and by its Schedule 12A
//! paragraph, and nothing else of it is used). The page and its charts
//! are made from these in `render_html`; `statistics.json` is these.

use super::Summary;
use crate::records::{Kind, UrgencyRule};
use crate::validate::{rules::KEY_DECISION_NOTICE_DAYS, workdays::Calendar};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// Every figure of one statistics page.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Statistics {
    /// `None`: the whole register; else one year of decisions.
    pub year: Option<i32>,
    /// Decisions taken (with a decision date) in the period.
    pub decisions: usize,
    /// Decisions by month of decision, `YYYY-MM`, by kind (in [`Kind::ALL`] order).
    pub by_month: Vec<MonthCount>,
    pub key: KeyDecisions,
    /// Exempt decisions by Schedule 12A (7A) paragraph.
    pub exempt_by_paragraph: Vec<Count>,
    pub exempt: usize,
    pub call_in: CallIn,
    /// Days from decision to publication, by year of decision.
    pub publication_days: Vec<Spread>,
    /// The ten decision makers with most decisions.
    pub top_decision_makers: Vec<Count>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MonthCount {
    pub month: String,
    pub by_kind: [usize; 5],
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Count {
    pub name: String,
    pub count: usize,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct KeyDecisions {
    pub key: usize,
    /// Key decisions with a recorded forward plan notice 28 clear days or more before.
    pub with_notice: usize,
    pub general_exception: usize,
    pub special_urgency: usize,
    /// Neither 28 clear days' recorded notice nor an urgency rule.
    pub without_notice: usize,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct CallIn {
    pub subject: usize,
    pub requests: usize,
    /// What came of the requests, by outcome ("not recorded" where none is).
    pub outcomes: Vec<Count>,
}

/// The spread of a number of days: quartiles and the extremes.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Spread {
    pub year: i32,
    pub decisions: usize,
    pub min: i64,
    pub lower_quartile: i64,
    pub median: i64,
    pub upper_quartile: i64,
    pub max: i64,
}

/// A decision taken, with its dates read once.
struct Taken<'a> {
    s: &'a Summary,
    decided: NaiveDate,
    published: Option<NaiveDate>,
    notice: Option<NaiveDate>,
}

fn iso(d: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()
}

/// The day a decision was taken, which the statistics count it by.
fn decided(s: &Summary) -> Option<NaiveDate> {
    iso(s.decision_date.as_deref()?)
}

/// The statistics files of the register: a page of the whole register
/// and of each year a decision was taken in (as [`Statistics::of_all`]
/// counts them, newest first), and the figures of every year.
pub fn files(summaries: &[Summary]) -> Vec<StatisticsFile> {
    use chrono::Datelike;
    let years: std::collections::BTreeSet<i32> = summaries.iter().filter_map(|s| Some(decided(s)?.year())).collect();
    let pages = std::iter::once(None).chain(years.into_iter().rev().map(Some));
    pages.map(|year| StatisticsFile::Page { year }).chain([StatisticsFile::Json, StatisticsFile::Csv]).collect()
}

impl Statistics {
    /// The figures of the whole register, then of each year of decisions,
    /// newest first. Each decision's dates are read once.
    pub fn of_all(summaries: &[Summary]) -> Vec<Statistics> {
        use chrono::Datelike;
        let taken: Vec<Taken> = summaries
            .iter()
            .filter_map(|s| {
                let decided = decided(s)?;
                let published = s.published.as_ref().and_then(|d| iso(&d.iso));
                let notice = s.forward_plan_published.as_ref().and_then(|d| iso(&d.iso));
                Some(Taken { s, decided, published, notice })
            })
            .collect();
        let mut by_year: BTreeMap<i32, Vec<&Taken>> = BTreeMap::new();
        for t in &taken {
            by_year.entry(t.decided.year()).or_default().push(t);
        }
        let mut out = vec![Statistics::of(None, taken.iter())];
        out.extend(by_year.iter().rev().map(|(y, list)| Statistics::of(Some(*y), list.iter().copied())));
        out
    }

    fn of<'a>(year: Option<i32>, taken: impl Iterator<Item = &'a Taken<'a>>) -> Statistics {
        use chrono::Datelike;
        let mut months: BTreeMap<String, [usize; 5]> = BTreeMap::new();
        let mut key = KeyDecisions::default();
        let mut paragraphs: BTreeMap<u32, usize> = BTreeMap::new();
        let mut call_in = CallIn::default();
        let mut outcomes: BTreeMap<&str, usize> = BTreeMap::new();
        let mut delays: BTreeMap<i32, Vec<i64>> = BTreeMap::new();
        let mut makers: BTreeMap<&str, usize> = BTreeMap::new();
        let (mut exempt, mut decisions) = (0, 0);
        for t in taken {
            let (s, d) = (t.s, t.decided);
            decisions += 1;
            let kind = Kind::ALL.iter().position(|k| k.as_str() == s.kind).unwrap_or(0);
            months.entry(format!("{:04}-{:02}", d.year(), d.month())).or_default()[kind] += 1;
            if s.key_decision {
                key.key += 1;
                let notice = t.notice.map(|n| Calendar::clear_days(n, d));
                match (s.urgency, notice) {
                    (_, Some(days)) if days >= KEY_DECISION_NOTICE_DAYS => key.with_notice += 1,
                    (Some(u), _) if u == UrgencyRule::GeneralException.label() => key.general_exception += 1,
                    (Some(_), _) => key.special_urgency += 1,
                    (None, _) => key.without_notice += 1,
                }
            }
            if s.exempt {
                exempt += 1;
                for p in &s.exempt_paragraphs {
                    *paragraphs.entry(*p).or_default() += 1;
                }
            }
            call_in.subject += usize::from(s.call_in_subject);
            if s.called_in {
                call_in.requests += 1;
                *outcomes.entry(s.call_in_outcome.unwrap_or("not recorded")).or_default() += 1;
            }
            if let Some(p) = t.published.filter(|p| *p >= d) {
                delays.entry(d.year()).or_default().push((p - d).num_days());
            }
            *makers.entry(&s.decision_maker).or_default() += 1;
        }
        call_in.outcomes = counts(outcomes.into_iter().map(|(k, v)| (k.to_string(), v)));
        let mut top = counts(makers.into_iter().map(|(k, v)| (k.to_string(), v)));
        top.truncate(10);
        Statistics {
            year,
            decisions,
            by_month: fill_months(months),
            key,
            exempt_by_paragraph: paragraphs
                .into_iter()
                .map(|(p, n)| Count { name: format!("Paragraph {p}"), count: n })
                .collect(),
            exempt,
            call_in,
            publication_days: delays.into_iter().rev().map(|(y, days)| spread(y, days)).collect(),
            top_decision_makers: top,
        }
    }
}

/// Most first, ties by name.
fn counts(items: impl Iterator<Item = (String, usize)>) -> Vec<Count> {
    let mut v: Vec<Count> = items.map(|(name, count)| Count { name, count }).collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    v
}

/// Every month from the first to the last, those without decisions as 0.
fn fill_months(months: BTreeMap<String, [usize; 5]>) -> Vec<MonthCount> {
    let (Some(first), Some(last)) = (months.keys().next(), months.keys().next_back()) else { return Vec::new() };
    let parse = |m: &str| -> (i32, u32) { (m[..4].parse().unwrap_or(0), m[5..].parse().unwrap_or(1)) };
    let (mut y, mut m) = parse(first);
    let end = parse(last);
    let mut out = Vec::new();
    while (y, m) <= end {
        let key = format!("{y:04}-{m:02}");
        out.push(MonthCount { by_kind: months.get(&key).copied().unwrap_or_default(), month: key });
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    out
}

/// Quartiles by the nearest rank.
fn spread(year: i32, mut days: Vec<i64>) -> Spread {
    days.sort_unstable();
    let at = |q: f64| days[((q * (days.len() - 1) as f64).round() as usize).min(days.len() - 1)];
    Spread {
        year,
        decisions: days.len(),
        min: days[0],
        lower_quartile: at(0.25),
        median: at(0.5),
        upper_quartile: at(0.75),
        max: days[days.len() - 1],
    }
}

/// A file of the statistics: the page of the whole register
/// (`statistics/`) or of one year, or the figures of every year
/// (`statistics.json` and `.csv`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum StatisticsFile {
    Page { year: Option<i32> },
    Json,
    Csv,
}

impl StatisticsFile {
    pub fn path(&self) -> String {
        match self {
            StatisticsFile::Page { year: None } => "statistics/index.html".into(),
            StatisticsFile::Page { year: Some(y) } => format!("statistics/{y}/index.html"),
            StatisticsFile::Json => "statistics.json".into(),
            StatisticsFile::Csv => "statistics.csv".into(),
        }
    }
}

/// A statistics file's text, from the figures of every period.
pub fn file(r: &super::Renderer<'_>, file: StatisticsFile, all: &[Statistics]) -> Result<String, crate::load::Error> {
    match file {
        StatisticsFile::Page { year } => {
            let Some(stats) = all.iter().find(|s| s.year == year) else { return Ok(String::new()) };
            let years: Vec<i32> = all.iter().filter_map(|s| s.year).collect();
            let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.label()).collect();
            let reading = reading_of(stats);
            let mut ctx = tera::Context::new();
            ctx.insert("stats", stats);
            ctx.insert("years", &years);
            ctx.insert("kinds", &kinds);
            ctx.insert("charts", &charts_of(stats, &reading, &kinds));
            ctx.insert("reading", &reading);
            r.render("statistics.html", if year.is_some() { 2 } else { 1 }, &mut ctx)
        }
        StatisticsFile::Json => Ok(serde_json::to_string_pretty(&all).unwrap_or_default() + "\n"),
        StatisticsFile::Csv => Ok(csv_of(all)),
    }
}

/// The charts of one page, as SVG, each described by its reading.
fn charts_of(s: &Statistics, reading: &BTreeMap<&str, String>, kinds: &[&str]) -> BTreeMap<&'static str, String> {
    use super::charts::{bars, stacked_columns};
    let mut c = BTreeMap::new();
    // over more than three years, months are too thin to see: the chart
    // sums them by year (the table keeps every month)
    let columns: Vec<(String, Vec<usize>)> = if s.by_month.len() > 36 {
        let mut by_year: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for m in &s.by_month {
            let year = by_year.entry(m.month[..4].to_string()).or_insert_with(|| vec![0; 5]);
            for (total, n) in year.iter_mut().zip(m.by_kind) {
                *total += n;
            }
        }
        by_year.into_iter().collect()
    } else {
        s.by_month.iter().map(|m| (m.month.clone(), m.by_kind.to_vec())).collect()
    };
    let per = if s.by_month.len() > 36 { "year" } else { "month" };
    let title = format!("Decisions each {per}, by who took them");
    c.insert("by_month", stacked_columns("by-month-chart", &title, &reading["by_month"], kinds, &columns));
    let k = &s.key;
    let key_rows = vec![
        ("With 28 clear days' notice".to_string(), k.with_notice),
        ("General exception".to_string(), k.general_exception),
        ("Special urgency".to_string(), k.special_urgency),
        ("No notice or urgency recorded".to_string(), k.without_notice),
    ];
    c.insert("key", bars("key-chart", "Key decisions by the notice recorded", &reading["key"], &key_rows));
    let rows = |v: &[Count]| v.iter().map(|c| (c.name.clone(), c.count)).collect::<Vec<_>>();
    c.insert(
        "exempt",
        bars("exempt-chart", "Exempt decisions by paragraph", &reading["exempt"], &rows(&s.exempt_by_paragraph)),
    );
    let mut call_in_rows =
        vec![("Subject to call-in".to_string(), s.call_in.subject), ("Called in".to_string(), s.call_in.requests)];
    call_in_rows.extend(s.call_in.outcomes.iter().map(|o| (o.name.clone(), o.count)));
    c.insert("call_in", bars("call-in-chart", "Call-in", &reading["call_in"], &call_in_rows));
    let median_rows: Vec<(String, usize)> =
        s.publication_days.iter().map(|d| (format!("{} (median days)", d.year), d.median.max(0) as usize)).collect();
    c.insert(
        "publication",
        bars(
            "publication-chart",
            "Median days from decision to publication, by year",
            &reading["publication"],
            &median_rows,
        ),
    );
    c.insert(
        "makers",
        bars(
            "makers-chart",
            "The ten decision makers with most decisions",
            &reading["makers"],
            &rows(&s.top_decision_makers),
        ),
    );
    c
}

/// A sentence a chart: what it shows, in words.
fn reading_of(s: &Statistics) -> BTreeMap<&'static str, String> {
    let mut r = BTreeMap::new();
    let busiest =
        s.by_month.iter().max_by_key(|m| (m.by_kind.iter().sum::<usize>(), std::cmp::Reverse(m.month.clone())));
    r.insert(
        "by_month",
        match busiest {
            Some(m) => format!(
                "{} decisions over {} months; the most in one month was {}, in {}.",
                s.decisions,
                s.by_month.len(),
                m.by_kind.iter().sum::<usize>(),
                m.month
            ),
            None => "No decisions with a recorded date.".to_string(),
        },
    );
    let k = &s.key;
    r.insert(
        "key",
        format!(
            "{} of {} decisions were key decisions; {} of them had 28 clear days' recorded notice, {} used the general exception and {} special urgency.",
            k.key, s.decisions, k.with_notice, k.general_exception, k.special_urgency
        ),
    );
    r.insert(
        "exempt",
        format!(
            "{} of {} decisions were taken on exempt information, counted here by the paragraph that applied.",
            s.exempt, s.decisions
        ),
    );
    r.insert(
        "call_in",
        format!("{} decisions were subject to call-in and {} were called in.", s.call_in.subject, s.call_in.requests),
    );
    r.insert(
        "publication",
        match s.publication_days.first() {
            Some(d) => format!(
                "In {}, half the decision notices were published within {} of the decision, and the slowest after {}.",
                d.year,
                days(d.median),
                days(d.max)
            ),
            None => "No decision records both its date and its publication.".to_string(),
        },
    );
    r.insert(
        "makers",
        match s.top_decision_makers.first() {
            Some(c) => format!("{} took the most decisions: {}.", c.name, c.count),
            None => "No decisions.".to_string(),
        },
    );
    r
}

fn days(n: i64) -> String {
    if n == 1 {
        "1 day".to_string()
    } else {
        format!("{n} days")
    }
}

/// One row a figure: `period,chart,name,series,value`.
fn csv_of(all: &[Statistics]) -> String {
    let f = crate::listing::csv_field;
    let mut out = String::from("period,chart,name,series,value\r\n");
    for s in all {
        let period = s.year.map_or_else(|| "all".to_string(), |y| y.to_string());
        let mut row = |chart: &str, name: &str, series: &str, value: String| {
            out.push_str(&format!("{period},{chart},{},{},{value}\r\n", f(name), f(series)));
        };
        row("decisions", "decisions", "", s.decisions.to_string());
        for m in &s.by_month {
            for (i, n) in m.by_kind.iter().enumerate() {
                row("by_month", &m.month, Kind::ALL[i].as_str(), n.to_string());
            }
        }
        let k = &s.key;
        for (name, n) in [
            ("key", k.key),
            ("with_notice", k.with_notice),
            ("general_exception", k.general_exception),
            ("special_urgency", k.special_urgency),
            ("without_notice", k.without_notice),
        ] {
            row("key_decisions", name, "", n.to_string());
        }
        for c in &s.exempt_by_paragraph {
            row("exempt_by_paragraph", &c.name, "", c.count.to_string());
        }
        row("call_in", "subject", "", s.call_in.subject.to_string());
        row("call_in", "requests", "", s.call_in.requests.to_string());
        for c in &s.call_in.outcomes {
            row("call_in_outcomes", &c.name, "", c.count.to_string());
        }
        for d in &s.publication_days {
            for (series, v) in [
                ("decisions", d.decisions as i64),
                ("min", d.min),
                ("lower_quartile", d.lower_quartile),
                ("median", d.median),
                ("upper_quartile", d.upper_quartile),
                ("max", d.max),
            ] {
                row("publication_days", &d.year.to_string(), series, v.to_string());
            }
        }
        for c in &s.top_decision_makers {
            row("top_decision_makers", &c.name, "", c.count.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quartiles_by_nearest_rank() {
        let s = spread(2024, vec![5, 1, 3, 2, 4]);
        assert_eq!((s.min, s.lower_quartile, s.median, s.upper_quartile, s.max), (1, 2, 3, 4, 5));
        let one = spread(2024, vec![7]);
        assert_eq!((one.min, one.median, one.max), (7, 7, 7));
    }

    #[test]
    fn months_without_decisions_are_zero() {
        let mut m = BTreeMap::new();
        m.insert("2024-11".to_string(), [1, 0, 0, 0, 0]);
        m.insert("2025-02".to_string(), [0, 2, 0, 0, 0]);
        let filled = fill_months(m);
        let names: Vec<&str> = filled.iter().map(|m| m.month.as_str()).collect();
        assert_eq!(names, ["2024-11", "2024-12", "2025-01", "2025-02"]);
        assert_eq!(filled[1].by_kind, [0; 5]);
    }
}
