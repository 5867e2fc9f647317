//! Open data beside the pages: `decisions.json` and `decisions.csv` (one
//! row per public decision), an iCalendar file of call-in deadlines,
//! expected decision dates and meetings, and `sitemap.xml`. All made from
//! summaries: no exempt content reaches them.

use super::feeds::xml;
use super::meetings::Meeting;
use super::{Renderer, Summary};
use serde::Serialize;
use std::fmt::Write as _;
use std::io::{self, Write};

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

/// An open data file, made from every decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum OpenData {
    Json,
    Csv,
    Calendar,
    /// `sitemap.xml`: the site's addresses, or when they are more than one
    /// file holds, the index of `parts` files.
    Sitemap {
        parts: usize,
    },
    /// `sitemap-<n>.xml`, counted from 1.
    SitemapPart {
        n: usize,
    },
}

impl OpenData {
    pub fn path(&self) -> String {
        match self {
            OpenData::Json => "decisions.json".into(),
            OpenData::Csv => "decisions.csv".into(),
            OpenData::Calendar => "calendar.ics".into(),
            OpenData::Sitemap { .. } => "sitemap.xml".into(),
            OpenData::SitemapPart { n } => format!("sitemap-{n}.xml"),
        }
    }
}

/// The open data files of the site, given its decisions and meetings:
/// sitemaps only where the register gives the site's address.
pub(super) fn open_data_files(r: &Renderer<'_>, all: &[Summary], meetings: &[Meeting<'_>]) -> Vec<OpenData> {
    let mut files = vec![OpenData::Json, OpenData::Csv, OpenData::Calendar];
    if r.site.base_url.is_some() {
        let parts = site_url_count(all, meetings).div_ceil(SITEMAP_SIZE);
        files.push(OpenData::Sitemap { parts });
        if parts > 1 {
            files.extend((1..=parts).map(|n| OpenData::SitemapPart { n }));
        }
    }
    files
}

/// An open data file's bytes, made in memory (serve holds them to answer
/// with; a build writes each file as it is made, [`write_open_data`]).
pub fn open_data_file(r: &Renderer<'_>, file: &OpenData, all: &[Summary]) -> Vec<u8> {
    let mut bytes = Vec::new();
    // writing to memory does not fail
    let _ = write_open_data(r, file, all, &mut bytes);
    bytes
}

/// Writes an open data file to `out` a piece at a time: at 100,000
/// decisions decisions.json alone is 98 MB, and a build that held each
/// file whole held most at that moment.
pub fn write_open_data(r: &Renderer<'_>, file: &OpenData, all: &[Summary], out: &mut dyn Write) -> io::Result<()> {
    let base = r.site.base_url.clone().unwrap_or_default();
    match *file {
        OpenData::Json => json(all, &base, out),
        OpenData::Csv => {
            out.write_all((COLUMNS.join(",") + "\r\n").as_bytes())?;
            let rows =
                |group: &[Summary], part: &mut String| group.iter().for_each(|s| part.push_str(&csv_row(s, &base)));
            push_rows(all, rows, |part| out.write_all(part.as_bytes()))
        }
        OpenData::Calendar => ics(r, all, &super::meetings::meetings(all), out),
        OpenData::Sitemap { parts } if parts > 1 => {
            let mut index = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
            for n in 1..=parts {
                let _ = writeln!(index, "  <sitemap><loc>{}</loc></sitemap>", xml(&format!("{base}sitemap-{n}.xml")));
            }
            out.write_all((index + "</sitemapindex>\n").as_bytes())
        }
        OpenData::Sitemap { .. } => {
            out.write_all(urlset(&site_urls(&base, all, &super::meetings::meetings(all))).as_bytes())
        }
        OpenData::SitemapPart { n } => {
            let urls = site_urls(&base, all, &super::meetings::meetings(all));
            out.write_all(urlset(urls.chunks(SITEMAP_SIZE).nth(n - 1).unwrap_or(&[])).as_bytes())
        }
    }
}

/// decisions.json: serde_json's pretty printing of the array, made a
/// group of rows at a time.
fn json(summaries: &[Summary], base: &str, out: &mut dyn Write) -> io::Result<()> {
    if summaries.is_empty() {
        return out.write_all(b"[]");
    }
    out.write_all(b"[\n")?;
    let rows = |group: &[Summary], part: &mut String| {
        let rows: Vec<Row<'_>> = group.iter().map(|s| row(s, base)).collect();
        let text = serde_json::to_string_pretty(&rows).unwrap_or_default();
        // the rows as the whole array holds them: within "[\n" and "\n]"
        part.push_str(text.get(2..text.len().saturating_sub(2)).unwrap_or_default());
    };
    let mut first = true;
    push_rows(summaries, rows, |part| {
        if !std::mem::take(&mut first) {
            out.write_all(b",\n")?;
        }
        out.write_all(part.as_bytes())
    })?;
    out.write_all(b"\n]")
}

/// Rows made at once: beyond them, a build holds none of the file.
const ROWS_AT_ONCE: usize = 8192;

/// Hands `emit` the rows of `summaries` in order, made on every core a
/// group at a time (`rows` makes a part of a group, 512 rows): an open
/// data file's rows are most of what it costs.
fn push_rows(
    summaries: &[Summary],
    rows: impl Fn(&[Summary], &mut String) + Sync,
    mut emit: impl FnMut(&str) -> io::Result<()>,
) -> io::Result<()> {
    use rayon::prelude::*;
    for group in summaries.chunks(ROWS_AT_ONCE) {
        let parts: Vec<String> = group
            .par_chunks(512)
            .map(|chunk| {
                let mut part = String::new();
                rows(chunk, &mut part);
                part
            })
            .collect();
        parts.iter().try_for_each(|p| emit(p))?;
    }
    Ok(())
}

/// One decision's row of decisions.csv, with its line end.
fn csv_row(s: &Summary, base: &str) -> String {
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

fn ics(r: &Renderer<'_>, summaries: &[Summary], meetings: &[Meeting<'_>], out: &mut dyn Write) -> io::Result<()> {
    let mut head = String::new();
    for l in [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//decreg//Decisions register//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        format!("X-WR-CALNAME:{}", ics_text(&format!("{}: call-in deadlines and expected decisions", r.site.council))),
    ] {
        head.push_str(&fold(&l));
    }
    out.write_all(head.as_bytes())?;
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
        out.write_all(text.as_bytes())?;
    }
    out.write_all(b"END:VCALENDAR\r\n")
}

/// A decision's events in calendar.ics (its call-in deadline, its expected
/// date), each as (date, kind, text).
fn ics_events(r: &Renderer<'_>, s: &Summary) -> Vec<(String, &'static str, String)> {
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
fn meeting_event(r: &Renderer<'_>, m: &Meeting<'_>) -> String {
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

/// The site's pages of one address each that a sitemap lists first.
const SITE_PAGES: [&str; 6] = ["", "decisions/", "browse/", "call-in/", "forward-plan/", "search/"];

/// How many addresses [`site_urls`] gives, counted without making them.
fn site_url_count(all: &[Summary], meetings: &[Meeting<'_>]) -> usize {
    SITE_PAGES.len() + all.len() + super::meetings::site_paths(meetings).len()
}

/// Every address of the site a search engine is told of.
fn site_urls(base: &str, all: &[Summary], meetings: &[Meeting<'_>]) -> Vec<String> {
    let mut urls: Vec<String> = SITE_PAGES.iter().map(|p| format!("{base}{p}")).collect();
    urls.extend(all.iter().map(|s| format!("{base}decisions/{}/", s.id)));
    urls.extend(super::meetings::site_paths(meetings).iter().map(|p| format!("{base}{p}")));
    urls
}

fn urlset(urls: &[String]) -> String {
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for u in urls {
        let _ = writeln!(x, "  <url><loc>{}</loc></url>", xml(u));
    }
    x + "</urlset>\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sitemap_is_split_by_the_addresses_it_lists() {
        let record = |id: &str, meeting: &str| {
            let text = format!("---\ntitle: T\ndecision_maker: Cabinet\nstatus: approved\ndecision_date: 2024-01-0{meeting}\nmeeting:\n  body: Cabinet\n  date: 2024-01-0{meeting}\n---\n\n## Decision\n\nApproved.\n");
            (format!("decisions/{id}.md"), text)
        };
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("register.yaml"), "council: Test Council\nbase_url: https://example.org/\n")
            .unwrap();
        std::fs::create_dir_all(dir.path().join("decisions")).unwrap();
        for (path, text) in [record("a", "2"), record("b", "2"), record("c", "3")] {
            std::fs::write(dir.path().join(path), text).unwrap();
        }
        let today = chrono::NaiveDate::from_ymd_opt(2024, 2, 1).unwrap();
        let checked = crate::check(dir.path(), today).unwrap();
        let r = Renderer::new(dir.path(), &checked.config, today).unwrap();
        let links = crate::public::Links::new(&checked.records.iter().collect::<Vec<_>>());
        let all: Vec<Summary> = checked
            .records
            .iter()
            .map(|rec| Summary::of(&crate::public::view(rec, &checked.config, &checked.documents, &links, true)))
            .collect();
        let meetings = super::super::meetings::meetings(&all);
        assert_eq!(meetings.len(), 2);
        let base = r.site.base_url.clone().unwrap();
        assert_eq!(site_url_count(&all, &meetings), site_urls(&base, &all, &meetings).len());
    }

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
