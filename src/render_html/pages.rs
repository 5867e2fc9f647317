//! The pages: one per decision, the home page, paginated listings (all
//! decisions; by year, decision maker, subject and area), call-in, the
//! forward plan, search and the 404 page.

use super::meetings::{BodyYears, Meeting, MeetingHead, MeetingLine, YearCount};
use super::{Renderer, Summary};
use crate::load::Error;
use crate::output::Staging;
use crate::public::{self, Links, PublicRecord};
use crate::records::{CallInState, Record};
use crate::search;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;
use tera::Context;

/// Decisions a listing page shows.
pub const PAGE_SIZE: usize = 50;

/// What making a decision's page leaves for the listings, the search
/// index and the caches.
struct Made {
    summary: Summary,
    terms: search::Terms,
    /// What the page was made from (see [`PageSources::key`]).
    key: Option<u64>,
    /// Rendered now, not kept from an earlier build.
    made_anew: bool,
}

/// What the HTML stage asks of the build for decision pages: the records
/// whole, and the pages an earlier build made, which this one takes as
/// they are where they were made from the same inputs.
pub trait PageSources: Sync {
    /// One number for everything `r`'s page is made from (`None`: the page
    /// is always made).
    fn key(&self, r: &Record, pdf: bool) -> Option<u64>;
    /// The summary and search terms of `id`'s page made from `key`, if an
    /// earlier build kept them.
    fn made(&self, id: &str, key: u64) -> Option<(Summary, search::Terms)>;
    /// The record with its text (a build holds records without it).
    fn whole<'r>(&self, r: &'r Record) -> Result<std::borrow::Cow<'r, Record>, Error>;
    /// The files under `documents/`.
    fn documents(&self) -> &crate::load::Documents;
}

/// Told of every decision's page, in listing order, as the index is, with
/// the key it was made from (if any), and given its search terms once the
/// index has them.
pub type OnPage<'f> = dyn FnMut(&Summary, Option<u64>, search::Terms) -> Result<(), Error> + Send + 'f;

/// Where listings place a decision: newest first, then by id.
pub fn listing_place(
    date: Option<chrono::NaiveDate>,
    id: &str,
) -> (std::cmp::Reverse<Option<chrono::NaiveDate>>, &str) {
    (std::cmp::Reverse(date), id)
}

/// Decision pages rendered at a time: enough to keep both cores busy, few
/// enough that a 100,000-decision register is never held as pages.
const BATCH: usize = 2048;

/// Renders and writes every decision page, a batch at a time in parallel,
/// in listing order (newest first); adds each decision to the search index
/// in that order and returns the summaries listings are made from. A page
/// the staging folder holds as made from the same key is kept as it is,
/// and its summary and terms taken from `sources`; any other record is
/// taken whole from `sources` as its page is made.
#[allow(clippy::too_many_arguments)]
pub fn write_decision_pages(
    r: &Renderer<'_>,
    records: &[&Record],
    links: &Links<'_>,
    pdf_ids: &std::collections::HashSet<String>,
    sources: &dyn PageSources,
    out: &Staging,
    index: &mut search::IndexBuilder,
    on_page: &mut OnPage<'_>,
) -> Result<DecisionPages, Error> {
    let mut ordered = records.to_vec();
    ordered.sort_by(|a, b| listing_place(a.date(), &a.id).cmp(&listing_place(b.date(), &b.id)));
    let mut summaries = Vec::with_capacity(ordered.len());
    let mut made_anew = 0;
    // Each batch's terms join the index while the next batch renders: the
    // index is one map, added to in order, and at 100,000 decisions adding
    // alone left a core idle for a tenth of the stage.
    let mut made: Vec<Made> = Vec::new();
    let mut add = |done: Vec<Made>| -> Result<(), Error> {
        for page in done {
            made_anew += usize::from(page.made_anew);
            index.add(&page.terms);
            on_page(&page.summary, page.key, page.terms)?;
            summaries.push(page.summary);
        }
        Ok(())
    };
    for batch in ordered.chunks(BATCH) {
        let done = std::mem::take(&mut made);
        let (pages, added) = rayon::join(
            || {
                batch
                    .par_iter()
                    .map(|rec| make_page(r, rec, links, pdf_ids.contains(&rec.id), sources, out))
                    .collect::<Result<Vec<_>, Error>>()
            },
            || add(done),
        );
        added?;
        made = pages?;
    }
    add(made)?;
    Ok(DecisionPages { summaries, made_anew })
}

/// The decision pages of a build.
pub struct DecisionPages {
    /// Each decision's summary, in listing order (its number).
    pub summaries: Vec<Summary>,
    /// How many pages were made anew (the rest were kept as they were).
    pub made_anew: usize,
}

/// Makes (or keeps) one decision's page.
fn make_page(
    r: &Renderer<'_>,
    rec: &Record,
    links: &Links<'_>,
    has_pdf: bool,
    sources: &dyn PageSources,
    out: &Staging,
) -> Result<Made, Error> {
    let path = decision_path(&rec.id);
    let key = sources.key(rec, has_pdf);
    if let Some(key) = key.filter(|&k| out.holds(&path, k)) {
        if let Some((summary, terms)) = sources.made(&rec.id, key) {
            out.keep(&path, key)?;
            return Ok(Made { summary, terms, key: Some(key), made_anew: false });
        }
    }
    let page = record_page(r, &*sources.whole(rec)?, sources.documents(), links, has_pdf)?;
    match key {
        Some(key) => out.write_keyed(&path, key, page.html.as_bytes())?,
        None => out.write(&path, page.html.as_bytes())?,
    }
    Ok(Made { summary: page.summary, terms: page.terms, key, made_anew: true })
}

/// A decision's page, with what listings and the search index take of it.
pub struct RecordPage {
    pub html: String,
    pub summary: Summary,
    pub terms: search::Terms,
}

/// Makes the page of a record, given whole: from its public view only.
pub fn record_page(
    r: &Renderer<'_>,
    whole: &Record,
    documents: &crate::load::Documents,
    links: &Links<'_>,
    has_pdf: bool,
) -> Result<RecordPage, Error> {
    let view = public::view(whole, r.config, documents, links, true);
    let summary = Summary::of(&view);
    let html = decision_page(r, &view, &summary, has_pdf)?;
    Ok(RecordPage { html, summary, terms: search::terms(&view) })
}

/// Where decision `id`'s page goes in the site.
pub fn decision_path(id: &str) -> String {
    format!("decisions/{id}/index.html")
}

/// A decision's page.
pub fn decision_page(r: &Renderer<'_>, d: &PublicRecord, summary: &Summary, has_pdf: bool) -> Result<String, Error> {
    let mut ctx = Context::new();
    ctx.insert("d", d);
    ctx.insert("summary", summary);
    ctx.insert("pdf", &has_pdf.then(|| format!("reports/{}.pdf", d.id)));
    ctx.insert("json_ld", &json_ld(d, r.site.base_url.as_deref(), &r.site.council));
    r.render("decision.html", 2, &mut ctx)
}

/// schema.org data for search engines; `<`, `>` and `&` escaped as JSON
/// unicode escapes, so no record text can end or confuse the script element.
fn json_ld(d: &PublicRecord, base_url: Option<&str>, council: &str) -> String {
    let mut v = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "name": d.title,
        "provider": { "@type": "GovernmentOrganization", "name": d.council.as_deref().unwrap_or(council) },
    });
    if let Some(date) = &d.date {
        v["datePublished"] = serde_json::Value::String(d.published.as_ref().unwrap_or(date).iso.clone());
    }
    if let Some(base) = base_url {
        v["url"] = serde_json::Value::String(format!("{base}decisions/{}/", d.id));
    }
    serde_json::to_string(&v)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[derive(Serialize)]
struct PageLink {
    number: usize,
    href: String,
    current: bool,
}

#[derive(Serialize)]
struct Pagination {
    current: usize,
    total: usize,
    prev: Option<String>,
    next: Option<String>,
    pages: Vec<PageLink>,
}

/// A run of a listing page's entries under one heading (a month, or none),
/// as HTML.
#[derive(Serialize)]
struct Group {
    heading: Option<String>,
    html: String,
}

/// Where a rendered entry takes the page's root and heading level.
const ROOT_MARK: &str = "\u{1}root\u{1}";
const LEVEL_MARK: &str = "\u{1}level\u{1}";

/// Each decision's entry in listings, rendered once (`list-item.html`) with
/// marks for the root and heading level that each page fills in: a
/// decision is listed five or more times (all decisions, its year, decision
/// maker, subjects and areas), and rendering its entry each time was most
/// of the listings' cost. The marks are control characters, which YAML
/// does not allow in a record's fields.
struct Entries<'a, 'r> {
    r: &'a Renderer<'r>,
    cells: FxHashMap<&'a str, (&'a Summary, std::sync::OnceLock<String>)>,
}

impl<'a, 'r> Entries<'a, 'r> {
    /// The entries of `summaries`, each rendered when first asked for
    /// (a build that keeps most listing pages renders few).
    fn of(r: &'a Renderer<'r>, summaries: impl Iterator<Item = &'a Summary>) -> Entries<'a, 'r> {
        Entries { r, cells: summaries.map(|s| (s.id.as_str(), (s, std::sync::OnceLock::new()))).collect() }
    }

    fn entry(&self, id: &str) -> Result<&str, Error> {
        let Some((s, cell)) = self.cells.get(id) else { return Ok("") };
        if let Some(html) = cell.get() {
            return Ok(html);
        }
        let mut ctx = Context::new();
        ctx.insert("s", s);
        ctx.insert("site", &self.r.site);
        ctx.insert("root", ROOT_MARK);
        ctx.insert("level", LEVEL_MARK);
        let html = self
            .r
            .tera
            .render("list-item.html", &ctx)
            .map_err(|e| super::template_error(&self.r.template_dir.join("list-item.html"), &e))?;
        Ok(cell.get_or_init(|| html))
    }

    /// The entries of `items`, grouped by month when `by_month`, for a page
    /// at `root` (month groups take `<h3>` titles under the month's `<h2>`).
    fn groups<'s>(
        &self,
        items: impl Iterator<Item = &'s Summary>,
        by_month: bool,
        root: &str,
    ) -> Result<Vec<Group>, Error> {
        let mut groups: Vec<Group> = Vec::new();
        for s in items {
            let heading = if by_month { s.month.clone() } else { None };
            let level = if heading.is_some() { "3" } else { "2" };
            let html = self.entry(&s.id)?.replace(ROOT_MARK, root).replace(LEVEL_MARK, level);
            match groups.last_mut() {
                Some(g) if g.heading == heading => g.html.push_str(&html),
                _ => groups.push(Group { heading, html }),
            }
        }
        Ok(groups)
    }
}

/// A paginated listing written under `base` (e.g. `browse/year/2012`).
#[derive(Clone, Serialize, Deserialize)]
pub struct Listing {
    base: String,
    title: String,
    intro: Option<String>,
    by_month: bool,
    feed: Option<String>,
}

/// The recipes of a listing's pages, each showing its part of `items`.
fn listing_recipes(l: &Listing, items: &[&Summary], all: &[Summary], plan: &mut Vec<Recipe>) {
    let pages = items.len().div_ceil(PAGE_SIZE).max(1);
    for (page, chunk) in (1..=pages).zip(items.chunks(PAGE_SIZE).chain(std::iter::repeat(&[][..]))) {
        let members = numbers(all, chunk);
        plan.push(Recipe::Listing { listing: l.clone(), page, pages, count: items.len(), members });
    }
}

/// Page `page` of `pages` of a listing of `count` decisions, showing
/// `chunk`.
fn listing_page(
    r: &Renderer<'_>,
    l: &Listing,
    page: usize,
    pages: usize,
    count: usize,
    chunk: &[&Summary],
    entries: &Entries<'_, '_>,
) -> Result<String, Error> {
    let base_depth = l.base.split('/').count();
    let depth = if page == 1 { base_depth } else { base_depth + 2 };
    let up = "../".repeat(depth);
    let groups = entries.groups(chunk.iter().copied(), l.by_month, &up)?;
    let href = |n: usize| if n == 1 { format!("{up}{}/", l.base) } else { format!("{up}{}/page/{n}/", l.base) };
    let pagination = Pagination {
        current: page,
        total: pages,
        prev: (page > 1).then(|| href(page - 1)),
        next: (page < pages).then(|| href(page + 1)),
        pages: page_numbers(page, pages)
            .into_iter()
            .map(|n| PageLink { number: n, href: href(n), current: n == page })
            .collect(),
    };
    let mut ctx = Context::new();
    ctx.insert("title", &l.title);
    ctx.insert("intro", &l.intro);
    ctx.insert("groups", &groups);
    ctx.insert("count", &count);
    ctx.insert("pagination", &pagination);
    ctx.insert("feed", &l.feed);
    r.render("list.html", depth, &mut ctx)
}

/// Where page `page` of a listing goes.
fn listing_path(l: &Listing, page: usize) -> String {
    if page == 1 {
        format!("{}/index.html", l.base)
    } else {
        format!("{}/page/{page}/index.html", l.base)
    }
}

/// The page numbers to offer: first, last, and two either side.
fn page_numbers(current: usize, total: usize) -> Vec<usize> {
    let mut v: Vec<usize> = (1..=total).filter(|&n| n == 1 || n == total || n.abs_diff(current) <= 2).collect();
    v.dedup();
    v
}

#[derive(Clone, Serialize, Deserialize)]
pub struct Facet {
    name: String,
    href: String,
    count: usize,
}

/// Names to URL slugs, unique within a facet.
fn facet_slugs<'a>(names: impl Iterator<Item = &'a str>) -> BTreeMap<&'a str, String> {
    let mut used: HashMap<String, usize> = HashMap::new();
    let mut slugs = BTreeMap::new();
    let mut sorted: Vec<&str> = names.collect();
    sorted.sort_unstable();
    sorted.dedup();
    for name in sorted {
        let base = crate::records::parse::slugify(name);
        let base = if base.is_empty() { "other".to_string() } else { base };
        let n = used.entry(base.clone()).or_insert(0);
        *n += 1;
        slugs.insert(name, if *n == 1 { base } else { format!("{base}-{n}") });
    }
    slugs
}

/// Every page of the site made from the decisions' summaries rather than
/// from one record: home, all decisions, browse pages, call-in, the
/// forward plan, meetings, search, 404, feeds and open data, each as the
/// recipe that makes it. A build writes them all ([`write_plan`]); `serve`
/// makes the one a browser asks for ([`made`]) from the summaries it
/// holds, so an edit is shown before the build that follows it is done.
pub fn plan(r: &Renderer<'_>, all: &[Summary]) -> Vec<Recipe> {
    let mut plan = Vec::new();
    let everything: Vec<&Summary> = all.iter().collect();
    let listing = Listing {
        base: "decisions".into(),
        title: "All decisions".into(),
        intro: None,
        by_month: true,
        feed: Some("feeds/decisions.atom".into()),
    };
    listing_recipes(&listing, &everything, all, &mut plan);
    let facets = facet_recipes(all, &mut plan);
    let open = open_call_in(all);
    let forthcoming = forward_plan(all);
    let key = key_decisions(all, r.today);
    let other: Vec<&Summary> = forthcoming.iter().copied().filter(|s| !notice_facts(s).on_notice(r.today)).collect();
    let decided = everything.iter().filter(|s| s.status != "forthcoming" && s.status != "for-determination");
    plan.push(Recipe::Home {
        latest: numbers(all, &decided.take(10).copied().collect::<Vec<_>>()),
        open: numbers(all, &open),
        forthcoming: forthcoming.len(),
        total: all.len(),
        years: facets.get("year").cloned().unwrap_or_default(),
    });
    plan.push(Recipe::CallIn { members: numbers(all, &open) });
    plan.push(Recipe::ForwardPlan { key: numbers(all, &key), other: numbers(all, &other), pdf: r.pdf });
    let meetings = super::meetings::meetings(all);
    meeting_recipes(r, all, &meetings, &mut plan);
    plan.push(Recipe::Browse { facets: facets.clone() });
    plan.push(Recipe::Search { facets });
    plan.push(Recipe::NotFound);
    feed_recipes(r, all, &mut plan);
    plan.extend(super::statistics::files(all).into_iter().map(Recipe::Statistics));
    plan.extend(super::data::open_data_files(r, all, &meetings).into_iter().map(Recipe::OpenData));
    plan
}

/// The recipes of the feeds: all decisions, and one per decision maker.
fn feed_recipes(r: &Renderer<'_>, all: &[Summary], plan: &mut Vec<Recipe>) {
    let everything: Vec<&Summary> = all.iter().collect();
    let mut feeds = vec![(format!("Decisions of {}", r.site.council), "feeds/decisions.atom".to_string(), everything)];
    let slugs = decision_maker_slugs(all);
    let mut by_maker: std::collections::HashMap<&str, Vec<&Summary>> = std::collections::HashMap::new();
    for s in all {
        by_maker.entry(s.decision_maker.as_str()).or_default().push(s);
    }
    for (name, slug) in &slugs {
        let items = by_maker.remove(name).unwrap_or_default();
        feeds.push((format!("Decisions by {name}"), format!("feeds/{slug}.atom"), items));
    }
    for (title, path, items) in feeds {
        let members = numbers(all, &super::feeds::feed_entries(&items));
        plan.push(Recipe::Feed { path, title, members });
    }
}

/// Writes every page of `plan`, keeping each the staging folder holds as
/// made from the same key. The open data and statistics files, each made
/// from every decision, are made one at a time beside the pages, the open
/// data written as made (200 MB together at 100,000 decisions).
pub fn write_plan(
    r: &Renderer<'_>,
    plan: Vec<Recipe>,
    all: &[Summary],
    out: &Staging,
    recipes: &Recipes,
) -> Result<(), Error> {
    let (pages, whole): (Vec<Recipe>, Vec<Recipe>) = plan.into_iter().partition(Recipe::keyed);
    let shared = Shared { entries: Entries::of(r, all.iter()), statistics: OnceLock::new() };
    let (pages, whole) = rayon::join(
        || pages.into_par_iter().try_for_each(|recipe| write_recipe(r, recipe, all, &shared, out, recipes)),
        || {
            whole.iter().try_for_each(|recipe| match recipe {
                Recipe::OpenData(file) => {
                    out.write_from(&recipe.path(), |to| super::data::write_open_data(r, file, all, to))
                }
                _ => {
                    let (path, text) = remade(r, recipe, all, &shared)?;
                    out.write(&path, text.as_bytes())
                }
            })
        },
    );
    pages?;
    whole
}

/// The page a recipe of the plan makes, from `all` (serve makes the page
/// a browser asks for this way; a build writes them all with
/// [`write_plan`]).
pub fn made(r: &Renderer<'_>, recipe: &Recipe, all: &[Summary]) -> Result<String, Error> {
    let members: Vec<&Summary> = recipe.members().filter_map(|n| all.get(n as usize)).collect();
    let shared = Shared { entries: Entries::of(r, members.into_iter()), statistics: OnceLock::new() };
    remade(r, recipe, all, &shared).map(|(_, text)| text)
}

/// A body's meetings by year, newest first.
struct BodyMeetings<'m> {
    body: &'m str,
    years: BTreeMap<std::cmp::Reverse<i32>, Vec<MeetingLine>>,
}

/// The recipes of every meeting's page, each body's year pages and the
/// index of meetings.
fn meeting_recipes(r: &Renderer<'_>, all: &[Summary], meetings: &[Meeting<'_>], plan: &mut Vec<Recipe>) {
    // by body slug, years newest first
    let mut bodies: BTreeMap<&str, BodyMeetings<'_>> = BTreeMap::new();
    for m in meetings {
        let line = MeetingLine { date: m.head.date.clone(), slug: m.head.slug.clone(), decisions: m.items.len() };
        let body = bodies
            .entry(&m.head.body_slug)
            .or_insert_with(|| BodyMeetings { body: &m.head.body, years: BTreeMap::new() });
        body.years.entry(std::cmp::Reverse(m.head.year)).or_default().push(line);
    }
    for m in meetings {
        // a meeting's decision list is made once it has met
        let pdf = r.pdf && m.head.date.iso <= r.site.today.iso;
        plan.push(Recipe::Meeting { meeting: m.head.clone(), pdf, members: numbers(all, &m.items) });
    }
    let mut index = Vec::new();
    for (slug, BodyMeetings { body, years }) in bodies {
        let mut counts = Vec::new();
        for (std::cmp::Reverse(year), meetings) in years {
            counts.push(YearCount { year, meetings: meetings.len() });
            plan.push(Recipe::MeetingYear { body: body.to_string(), body_slug: slug.to_string(), year, meetings });
        }
        index.push(BodyYears { body: body.to_string(), slug: slug.to_string(), years: counts });
    }
    plan.push(Recipe::Meetings { bodies: index });
}

/// The browse index's and search page's lists of years, decision makers,
/// subjects and areas.
pub type Facets = BTreeMap<String, Vec<Facet>>;

/// What a page of the site (or a feed, or an open data file) is made
/// from, its decisions by their numbers in listing order: enough to know
/// whether a page an earlier build made still holds, and to make it again
/// without the rest of the register.
#[derive(Clone, Serialize, Deserialize)]
pub enum Recipe {
    Listing {
        listing: Listing,
        page: usize,
        pages: usize,
        count: usize,
        members: Vec<u32>,
    },
    Home {
        latest: Vec<u32>,
        open: Vec<u32>,
        forthcoming: usize,
        total: usize,
        years: Vec<Facet>,
    },
    CallIn {
        members: Vec<u32>,
    },
    /// Key decisions on the notice, then other decisions to come.
    ForwardPlan {
        key: Vec<u32>,
        other: Vec<u32>,
        pdf: bool,
    },
    Feed {
        path: String,
        title: String,
        members: Vec<u32>,
    },
    Meeting {
        meeting: MeetingHead,
        pdf: bool,
        members: Vec<u32>,
    },
    MeetingYear {
        body: String,
        body_slug: String,
        year: i32,
        meetings: Vec<MeetingLine>,
    },
    Meetings {
        bodies: Vec<BodyYears>,
    },
    Browse {
        facets: Facets,
    },
    Search {
        facets: Facets,
    },
    NotFound,
    /// An open data file: made from every decision.
    OpenData(super::data::OpenData),
    /// A statistics page or file: made from every decision.
    Statistics(super::statistics::StatisticsFile),
}

impl Recipe {
    /// Where its page goes in the site.
    pub fn path(&self) -> String {
        match self {
            Recipe::Listing { listing, page, .. } => listing_path(listing, *page),
            Recipe::Home { .. } => "index.html".into(),
            Recipe::CallIn { .. } => "call-in/index.html".into(),
            Recipe::ForwardPlan { .. } => "forward-plan/index.html".into(),
            Recipe::Feed { path, .. } => path.clone(),
            Recipe::Meeting { meeting, .. } => format!("meetings/{}/index.html", meeting.slug),
            Recipe::MeetingYear { body_slug, year, .. } => format!("meetings/{body_slug}/{year}/index.html"),
            Recipe::Meetings { .. } => "meetings/index.html".into(),
            Recipe::Browse { .. } => "browse/index.html".into(),
            Recipe::Search { .. } => "search/index.html".into(),
            Recipe::NotFound => "404.html".into(),
            Recipe::OpenData(file) => file.path(),
            Recipe::Statistics(file) => file.path(),
        }
    }

    /// Whether the recipe and its members' summaries are all its page is
    /// made from, so that a key of them tells a page still as it would be
    /// made (open data and statistics are made from every decision: never
    /// kept).
    fn keyed(&self) -> bool {
        !matches!(self, Recipe::OpenData(_) | Recipe::Statistics(_))
    }

    /// The decisions the page shows.
    pub fn members(&self) -> impl Iterator<Item = u32> + '_ {
        let (a, b): (&[u32], &[u32]) = match self {
            Recipe::Listing { members, .. }
            | Recipe::CallIn { members }
            | Recipe::Feed { members, .. }
            | Recipe::Meeting { members, .. } => (members, &[]),
            Recipe::Home { latest, open, .. } => (latest, open),
            Recipe::ForwardPlan { key, other, .. } => (key, other),
            Recipe::MeetingYear { .. }
            | Recipe::Meetings { .. }
            | Recipe::Browse { .. }
            | Recipe::Search { .. }
            | Recipe::NotFound
            | Recipe::OpenData(_)
            | Recipe::Statistics(_) => (&[], &[]),
        };
        a.iter().chain(b).copied()
    }
}

/// What the pages of a plan share, each made once when first asked for.
struct Shared<'a, 'r> {
    /// The decisions' entries in listings.
    entries: Entries<'a, 'r>,
    /// The figures of the statistics pages.
    statistics: OnceLock<Vec<super::statistics::Statistics>>,
}

/// Makes a recipe's page: its path in the site and its text, from `all`
/// (the summaries its numbers count in) and what the pages share.
fn remade(
    r: &Renderer<'_>,
    recipe: &Recipe,
    all: &[Summary],
    shared: &Shared<'_, '_>,
) -> Result<(String, String), Error> {
    let entries = &shared.entries;
    let of = |members: &[u32]| members.iter().filter_map(|&n| all.get(n as usize)).collect::<Vec<&Summary>>();
    let text = match recipe {
        Recipe::Listing { listing, page, pages, count, members } => {
            listing_page(r, listing, *page, *pages, *count, &of(members), entries)?
        }
        Recipe::Home { latest, open, forthcoming, total, years } => {
            let mut ctx = Context::new();
            ctx.insert("latest", &of(latest));
            ctx.insert("open", &of(open));
            ctx.insert("forthcoming_count", forthcoming);
            ctx.insert("total", total);
            ctx.insert("years", &Some(years));
            r.render("home.html", 0, &mut ctx)?
        }
        Recipe::CallIn { members } => {
            let mut ctx = Context::new();
            ctx.insert("items", &of(members));
            r.render("call-in.html", 1, &mut ctx)?
        }
        Recipe::ForwardPlan { key, other, pdf } => {
            let mut ctx = Context::new();
            ctx.insert("key_decisions", &of(key));
            ctx.insert("items", &of(other));
            ctx.insert("pdf", &pdf.then_some("forward-plan/notice.pdf"));
            r.render("forward-plan.html", 1, &mut ctx)?
        }
        Recipe::Feed { path, title, members } => super::feeds::atom(r, title, path, &of(members)).0,
        Recipe::Meeting { meeting, pdf, members } => super::meetings::meeting_page(r, meeting, *pdf, &of(members))?,
        Recipe::MeetingYear { body, body_slug, year, meetings } => {
            super::meetings::year_page(r, body, body_slug, *year, meetings)?
        }
        Recipe::Meetings { bodies } => super::meetings::index_page(r, bodies)?,
        Recipe::Browse { facets } => {
            let mut ctx = Context::new();
            ctx.insert("facets", facets);
            r.render("browse.html", 1, &mut ctx)?
        }
        Recipe::Search { facets } => {
            let mut ctx = Context::new();
            ctx.insert("facets", facets);
            r.render("search.html", 1, &mut ctx)?
        }
        Recipe::NotFound => not_found(r)?,
        // (serve's sitemaps: a build writes open data with write_open_data,
        // and serve holds the large files' bytes; every piece is text)
        Recipe::OpenData(file) => String::from_utf8(super::data::open_data_file(r, file, all)).unwrap_or_default(),
        Recipe::Statistics(file) => {
            let figures = shared.statistics.get_or_init(|| super::statistics::Statistics::of_all(all));
            super::statistics::file(r, *file, figures)?
        }
    };
    Ok((recipe.path(), text))
}

/// The 404 page, served at any depth: its links start from the site's root.
fn not_found(r: &Renderer<'_>) -> Result<String, Error> {
    let mut ctx = Context::new();
    let root_path =
        r.site.base_url.as_deref().and_then(|u| u.splitn(4, '/').nth(3)).map_or("/".to_string(), |p| format!("/{p}"));
    ctx.insert("site", &r.site);
    ctx.insert("root", &root_path);
    ctx.insert("nav", "");
    r.tera.render("404.html", &ctx).map_err(|e| super::template_error(&r.template_dir.join("404.html"), &e))
}

/// Writes a recipe's page, or keeps it where the staging folder holds it
/// as made from the same key.
fn write_recipe(
    r: &Renderer<'_>,
    recipe: Recipe,
    all: &[Summary],
    shared: &Shared<'_, '_>,
    out: &Staging,
    recipes: &Recipes,
) -> Result<(), Error> {
    let key = recipes.key(r, &recipe);
    let path = recipe.path();
    if out.holds(&path, key) {
        return out.keep(&path, key);
    }
    let (path, text) = remade(r, &recipe, all, shared)?;
    out.write_keyed(&path, key, text.as_bytes())
}

/// The numbers of `items`, each one of `all`: its place there.
pub(super) fn numbers(all: &[Summary], items: &[&Summary]) -> Vec<u32> {
    let start = all.as_ptr() as usize;
    let size = std::mem::size_of::<Summary>();
    items
        .iter()
        .map(|s| {
            let at = (*s as *const Summary as usize - start) / size;
            debug_assert!(std::ptr::eq(&all[at], *s));
            at as u32
        })
        .collect()
}

/// How a build knows a page of decisions made from the same summaries.
pub struct Recipes {
    /// One number for each summary, in listing order.
    fingerprints: Vec<u64>,
}

/// One number for a summary, for the keys of the pages that show it.
fn fingerprint(s: &Summary) -> u64 {
    use std::hash::Hasher;
    // SipHash, not the fast hash: a key two summaries shared would keep a
    // stale page
    struct Hashing(std::hash::DefaultHasher);
    impl std::io::Write for Hashing {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.write(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut h = Hashing(std::hash::DefaultHasher::new());
    // a summary always serialises; were one not to, its page is made anew
    // each time (its key then holds only what did)
    let _ = bincode::serialize_into(&mut h, s);
    h.0.finish()
}

impl Recipes {
    pub fn new(all: &[Summary]) -> Self {
        Recipes { fingerprints: all.par_iter().map(fingerprint).collect() }
    }

    /// One number for everything a recipe's page is made from: the
    /// renderer's context, the recipe and its decisions' summaries.
    pub fn key(&self, r: &Renderer<'_>, recipe: &Recipe) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = rustc_hash::FxHasher::default();
        r.context.hash(&mut h);
        bincode::serialize(recipe).unwrap_or_default().hash(&mut h);
        for n in recipe.members() {
            self.fingerprints.get(n as usize).hash(&mut h);
        }
        h.finish()
    }
}

fn open_call_in(summaries: &[Summary]) -> Vec<&Summary> {
    let mut open: Vec<&Summary> = summaries.iter().filter(|s| s.call_in_state == CallInState::Open.as_str()).collect();
    open.sort_by(|a, b| {
        (a.deadline.as_ref().map(|d| &d.iso), &a.id).cmp(&(b.deadline.as_ref().map(|d| &d.iso), &b.id))
    });
    open
}

/// The key decisions on the Notice of Key Decisions on `day`, in its
/// order: the ones its PDF lists from the records.
fn key_decisions(summaries: &[Summary], day: chrono::NaiveDate) -> Vec<&Summary> {
    let mut on: Vec<&Summary> = summaries.iter().filter(|s| notice_facts(s).on_notice(day)).collect();
    on.sort_by_cached_key(|s| notice_facts(s).order());
    on
}

/// What the notice asks of a summary (its dates are kept as text).
fn notice_facts(s: &Summary) -> crate::meetings::NoticeFacts<'_> {
    let date = |iso: Option<&str>| iso.and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    crate::meetings::NoticeFacts {
        id: &s.id,
        key_decision: s.key_decision,
        status: crate::records::Status::parse(s.status),
        decision_date: date(s.decision_date.as_deref()),
        expected: date(s.expected_date.as_ref().map(|d| d.iso.as_str())),
        first_published: date(s.forward_plan_published.as_ref().map(|d| d.iso.as_str())),
        reference: s.forward_plan_ref.as_deref(),
    }
}

fn forward_plan(summaries: &[Summary]) -> Vec<&Summary> {
    let mut items: Vec<&Summary> =
        summaries.iter().filter(|s| s.status == "forthcoming" || s.status == "for-determination").collect();
    items.sort_by(|a, b| {
        (a.expected_date.as_ref().map(|d| &d.iso), &a.id).cmp(&(b.expected_date.as_ref().map(|d| &d.iso), &b.id))
    });
    items
}

/// The facet values of a summary (its decision maker, subjects or areas).
type NamesOf = fn(&Summary) -> Vec<&str>;

/// The recipes of the browse pages by year, decision maker, subject and
/// area; returns the facet lists for the browse index and the search page.
fn facet_recipes(all: &[Summary], plan: &mut Vec<Recipe>) -> Facets {
    let mut facets = Facets::new();
    // years, newest first
    let mut years: BTreeMap<i32, Vec<&Summary>> = BTreeMap::new();
    for s in all {
        if let Some(y) = s.year {
            years.entry(y).or_default().push(s);
        }
    }
    let mut year_facets = Vec::new();
    for (year, items) in years.iter().rev() {
        let base = format!("browse/year/{year}");
        let listing = Listing {
            base: base.clone(),
            title: format!("Decisions in {year}"),
            intro: None,
            by_month: true,
            feed: None,
        };
        listing_recipes(&listing, items, all, plan);
        year_facets.push(Facet { name: year.to_string(), href: format!("{base}/"), count: items.len() });
    }
    facets.insert("year".into(), year_facets);

    let kinds: [(&str, &str, NamesOf); 3] = [
        ("decision-maker", "Decisions by", |s| vec![s.decision_maker.as_str()]),
        ("subject", "Decisions about", |s| s.subjects.iter().map(String::as_str).collect()),
        ("area", "Decisions affecting", |s| s.areas.iter().map(String::as_str).collect()),
    ];
    for (key, lead, names_of) in kinds {
        let mut by_name: BTreeMap<&str, Vec<&Summary>> = BTreeMap::new();
        for s in all {
            for name in names_of(s) {
                by_name.entry(name).or_default().push(s);
            }
        }
        let slugs = facet_slugs(by_name.keys().copied());
        let mut list = Vec::new();
        for (name, items) in &by_name {
            let base = format!("browse/{key}/{}", slugs[name]);
            let feed = (key == "decision-maker").then(|| format!("feeds/{}.atom", slugs[name]));
            let listing =
                Listing { base: base.clone(), title: format!("{lead} {name}"), intro: None, by_month: false, feed };
            listing_recipes(&listing, items, all, plan);
            list.push(Facet { name: name.to_string(), href: format!("{base}/"), count: items.len() });
        }
        facets.insert(key.into(), list);
    }
    facets
}

/// Slugs of decision makers, for per-maker feeds (the same as browse pages).
fn decision_maker_slugs(summaries: &[Summary]) -> BTreeMap<&str, String> {
    facet_slugs(summaries.iter().map(|s| s.decision_maker.as_str()))
}
