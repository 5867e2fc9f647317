//! Open data beside the pages: `decisions.json` and `decisions.csv` (one
//! row per public decision), Atom feeds (all decisions and one per decision
//! maker), an iCalendar file of call-in deadlines, expected decision
//! dates and meetings, and `sitemap.xml`. All made from summaries: no exempt content
//! reaches them.

use super::feeds::xml;
use super::{Renderer, Summary};
use crate::load::Error;
use crate::output::Staging;
use serde::Serialize;
use std::fmt::Write as _;

/// URLs in one sitemap file (the protocol's limit).
const SITEMAP_SIZE: usize = 50_000;

/// The columns of decisions.csv and the fields of decisions.json, in order.
pub const COLUMNS: [&str; 17] = [
    "id",
    "url",
    "title",
    "council",
    "decision_maker",
    "status",
    "key_decision",
    "exempt",
    "decision_date",
    "expected_date",
    "published",
    "call_in_state",
    "call_in_deadline",
    "forward_plan_ref",
    "areas",
    "subjects",
    "summary",
];

#[derive(Serialize)]
struct Row<'a> {
    id: &'a str,
    url: String,
    title: &'a str,
    council: Option<&'a str>,
    decision_maker: &'a str,
    status: &'a str,
    key_decision: bool,
    exempt: bool,
    decision_date: Option<&'a str>,
    expected_date: Option<&'a str>,
    published: Option<&'a str>,
    call_in_state: &'a str,
    call_in_deadline: Option<&'a str>,
    forward_plan_ref: Option<&'a str>,
    areas: &'a [String],
    subjects: &'a [String],
    summary: &'a str,
}

fn row<'a>(s: &'a Summary, base: &str) -> Row<'a> {
    Row {
        id: &s.id,
        url: format!("{base}decisions/{}/", s.id),
        title: &s.title,
        council: s.council.as_deref(),
        decision_maker: &s.decision_maker,
        status: s.status,
        key_decision: s.key_decision,
        exempt: s.exempt,
        // as recorded: a decided record without one has none here either
        decision_date: s.decision_date.as_deref(),
        expected_date: s.expected_date.as_ref().map(|d| d.iso.as_str()),
        published: s.published.as_ref().map(|d| d.iso.as_str()),
        call_in_state: s.call_in_state,
        call_in_deadline: s.deadline.as_ref().map(|d| d.iso.as_str()),
        forward_plan_ref: s.forward_plan_ref.as_deref(),
        areas: &s.areas,
        subjects: &s.subjects,
        summary: &s.excerpt,
    }
}

pub fn write_open_data(
    r: &Renderer<'_>,
    summaries: &[Summary],
    out: &Staging,
    recipes: &super::pages::Recipes<'_>,
) -> Result<(), Error> {
    let base = r.site.base_url.clone().unwrap_or_default();
    let text = json(summaries, &base);
    out.write("decisions.json", text.as_bytes())?;
    // each file goes before the next is made: together they are 200 MB
    // at 100,000 decisions
    drop(text);
    let mut csv = COLUMNS.join(",") + "\r\n";
    push_rows(&mut csv, summaries, |s, out| out.push_str(&csv_row(s, &base)));
    out.write("decisions.csv", csv.as_bytes())?;
    drop(csv);
    write_feeds(r, summaries, out, recipes)?;
    let meetings = super::meetings::meetings(summaries);
    out.write("calendar.ics", ics(r, summaries, &meetings).as_bytes())?;
    if let Some(base) = &r.site.base_url {
        write_sitemaps(base, summaries, &meetings, out)?;
    }
    Ok(())
}

/// decisions.json: the same text as serde_json's pretty printing of the
/// array, made a row at a time.
fn json(summaries: &[Summary], base: &str) -> String {
    let Some((first, rest)) = summaries.split_first() else { return "[]".into() };
    let mut out = format!("[\n{}", json_row(first, base));
    push_rows(&mut out, rest, |s, out| {
        out.push_str(",\n");
        out.push_str(&json_row(s, base));
    });
    out.push_str("\n]");
    out
}

/// Rows made at once: beyond the file's text, a build holds no more.
const ROWS_AT_ONCE: usize = 8192;

/// Appends each summary's row (`row` appends it) to `out`, in order, made
/// on every core a group at a time (an open data file's rows are most of
/// what it costs).
fn push_rows(out: &mut String, summaries: &[Summary], row: impl Fn(&Summary, &mut String) + Sync) {
    use rayon::prelude::*;
    for group in summaries.chunks(ROWS_AT_ONCE) {
        let parts: Vec<String> = group
            .par_chunks(512)
            .map(|chunk| {
                let mut part = String::new();
                chunk.iter().for_each(|s| row(s, &mut part));
                part
            })
            .collect();
        parts.iter().for_each(|p| out.push_str(p));
    }
}

/// One decision's row of decisions.json, indented as inside the array
/// (JSON strings carry no raw line breaks, so indenting lines is safe).
pub fn json_row(s: &Summary, base: &str) -> String {
    let text = serde_json::to_string_pretty(&row(s, base)).unwrap_or_default();
    let mut out = String::with_capacity(text.len() + 64);
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str("  ");
        out.push_str(line);
    }
    out
}

/// One decision's row of decisions.csv, with its line end.
pub fn csv_row(s: &Summary, base: &str) -> String {
    let r = row(s, base);
    let f = crate::listing::csv_field;
    let opt = |v: Option<&str>| f(v.unwrap_or(""));
    let cols = [
        f(r.id),
        f(&r.url),
        f(r.title),
        opt(r.council),
        f(r.decision_maker),
        f(r.status),
        r.key_decision.to_string(),
        r.exempt.to_string(),
        opt(r.decision_date),
        opt(r.expected_date),
        opt(r.published),
        f(r.call_in_state),
        opt(r.call_in_deadline),
        opt(r.forward_plan_ref),
        f(&r.areas.join("; ")),
        f(&r.subjects.join("; ")),
        f(r.summary),
    ];
    cols.join(",") + "\r\n"
}

fn write_feeds(
    r: &Renderer<'_>,
    summaries: &[Summary],
    out: &Staging,
    recipes: &super::pages::Recipes<'_>,
) -> Result<(), Error> {
    let all: Vec<&Summary> = summaries.iter().collect();
    let mut feeds = vec![(format!("Decisions of {}", r.site.council), "feeds/decisions.atom".to_string(), all)];
    let slugs = super::pages::decision_maker_slugs(summaries);
    let mut by_maker: std::collections::HashMap<&str, Vec<&Summary>> = std::collections::HashMap::new();
    for s in summaries {
        by_maker.entry(s.decision_maker.as_str()).or_default().push(s);
    }
    for (name, slug) in &slugs {
        let items = by_maker.remove(name).unwrap_or_default();
        feeds.push((format!("Decisions by {name}"), format!("feeds/{slug}.atom"), items));
    }
    for (title, path, items) in feeds {
        let members = recipes.numbers(&super::feeds::feed_entries(&items));
        let recipe = super::pages::Recipe::Feed { path, title, members };
        super::pages::write_recipe(r, recipe, &|n| &summaries[n as usize], out, recipes)?;
    }
    Ok(())
}

/// iCalendar text escaping (RFC 5545, 3.3.11).
fn ics_text(s: &str) -> String {
    s.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace('\n', "\\n")
}

/// Folds a content line at 75 octets (RFC 5545, 3.1), never inside a
/// character.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3);
    let mut width = 0;
    for c in line.chars() {
        let w = c.len_utf8();
        if width + w > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += w;
    }
    out.push_str("\r\n");
    out
}

fn ics(r: &Renderer<'_>, summaries: &[Summary], meetings: &[super::meetings::Meeting<'_>]) -> String {
    let mut x = String::new();
    for l in [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//decreg//Decisions register//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        format!("X-WR-CALNAME:{}", ics_text(&format!("{}: call-in deadlines and expected decisions", r.site.council))),
    ] {
        x.push_str(&fold(&l));
    }
    let mut events: Vec<(String, &str, &str, String)> = {
        use rayon::prelude::*;
        summaries
            .par_iter()
            .flat_map_iter(|s| ics_events(r, s).into_iter().map(move |(d, k, t)| (d, s.id.as_str(), k, t)))
            .collect()
    };
    events.extend(
        meetings.iter().map(|m| (m.head.date.iso.clone(), m.head.slug.as_str(), "meeting", meeting_event(r, m))),
    );
    events.sort_by(|a, b| (&a.0, a.1, a.2).cmp(&(&b.0, b.1, b.2)));
    for (_, _, _, text) in events {
        x.push_str(&text);
    }
    x.push_str("END:VCALENDAR\r\n");
    x
}

/// A decision's events in calendar.ics (its call-in deadline, its expected
/// date), each as (date, kind, text).
pub fn ics_events(r: &Renderer<'_>, s: &Summary) -> Vec<(String, &'static str, String)> {
    let mut events = Vec::new();
    if let (Some(d), "open" | "effective" | "called-in") = (&s.deadline, s.call_in_state) {
        events.push((d.iso.clone(), format!("Call-in deadline: {}", s.title), "call-in"));
    }
    if let (Some(d), "forthcoming" | "for-determination") = (&s.expected_date, s.status) {
        events.push((d.iso.clone(), format!("Expected decision: {}", s.title), "expected"));
    }
    let mut out = Vec::new();
    for (date, summary, kind) in events {
        let description = match kind {
            "call-in" => {
                let cutoff = r.site.cutoff_time.as_deref().map(|t| format!(" at {t}")).unwrap_or_default();
                format!("The last day to call in this decision by {}{cutoff}.", s.decision_maker)
            }
            _ => format!("{} is expected to take this decision.", s.decision_maker),
        };
        let event = Event {
            uid: &format!("{kind}-{}", s.id),
            date: &date,
            summary: &summary,
            description: &description,
            page: &format!("decisions/{}/", s.id),
        };
        out.push((date.clone(), kind, vevent(r, &event)));
    }
    out
}

/// A meeting's event in calendar.ics: the day, with its decisions.
fn meeting_event(r: &Renderer<'_>, m: &super::meetings::Meeting<'_>) -> String {
    let n = m.items.len();
    let event = Event {
        uid: &format!("meeting-{}", m.head.slug),
        date: &m.head.date.iso,
        summary: &format!("Meeting: {}", m.head.body),
        description: &format!("{n} decision{} on the register for this meeting.", if n == 1 { "" } else { "s" }),
        page: &format!("meetings/{}/", m.head.slug),
    };
    vevent(r, &event)
}

/// One all-day event of calendar.ics.
struct Event<'a> {
    /// Unique in the calendar; `@` and the site's host are added.
    uid: &'a str,
    /// YYYY-MM-DD.
    date: &'a str,
    summary: &'a str,
    description: &'a str,
    /// The page it links to, under `base_url` (no link without one).
    page: &'a str,
}

/// An event's VEVENT lines, folded.
fn vevent(r: &Renderer<'_>, e: &Event<'_>) -> String {
    let base = r.site.base_url.as_deref().unwrap_or_default();
    let host = base.split('/').nth(2).unwrap_or("decreg.invalid");
    let day = e.date.replace('-', "");
    let next = chrono::NaiveDate::parse_from_str(e.date, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.succ_opt())
        .map_or(day.clone(), |d| d.format("%Y%m%d").to_string());
    let mut x = String::new();
    for l in [
        "BEGIN:VEVENT".to_string(),
        format!("UID:{}@{host}", e.uid),
        format!("DTSTAMP:{}T000000Z", r.site.today.iso.replace('-', "")),
        format!("DTSTART;VALUE=DATE:{day}"),
        format!("DTEND;VALUE=DATE:{next}"),
        format!("SUMMARY:{}", ics_text(e.summary)),
        format!("DESCRIPTION:{}", ics_text(e.description)),
        format!("URL:{base}{}", e.page),
        "TRANSP:TRANSPARENT".into(),
        "END:VEVENT".into(),
    ] {
        if !(l.starts_with("URL:") && base.is_empty()) {
            x.push_str(&fold(&l));
        }
    }
    x
}

fn write_sitemaps(
    base: &str,
    summaries: &[Summary],
    meetings: &[super::meetings::Meeting<'_>],
    out: &Staging,
) -> Result<(), Error> {
    let mut urls: Vec<String> = ["", "decisions/", "browse/", "call-in/", "forward-plan/", "search/"]
        .iter()
        .map(|p| format!("{base}{p}"))
        .collect();
    urls.extend(summaries.iter().map(|s| format!("{base}decisions/{}/", s.id)));
    urls.extend(super::meetings::site_paths(meetings).iter().map(|p| format!("{base}{p}")));
    let chunks: Vec<&[String]> = urls.chunks(SITEMAP_SIZE).collect();
    let urlset = |chunk: &[String]| {
        let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
        for u in chunk {
            let _ = writeln!(x, "  <url><loc>{}</loc></url>", xml(u));
        }
        x + "</urlset>\n"
    };
    if chunks.len() <= 1 {
        out.write("sitemap.xml", urlset(chunks.first().copied().unwrap_or(&[])).as_bytes())?;
        return Ok(());
    }
    let mut index = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (i, chunk) in chunks.iter().enumerate() {
        let name = format!("sitemap-{}.xml", i + 1);
        out.write(&name, urlset(chunk).as_bytes())?;
        let _ = writeln!(index, "  <sitemap><loc>{}</loc></sitemap>", xml(&format!("{base}{name}")));
    }
    out.write("sitemap.xml", (index + "</sitemapindex>\n").as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ics_lines_fold_at_75_octets_without_splitting_characters() {
        let line = format!("SUMMARY:{}", "Café – £1.64 million ".repeat(8));
        let folded = fold(&line);
        for l in folded.split("\r\n") {
            assert!(l.len() <= 75, "{} octets", l.len());
        }
        assert_eq!(folded.replace("\r\n ", "").trim_end_matches("\r\n"), line);
    }
}
