//! Meetings: the decisions taken (or to be taken) at each meeting of a
//! body, in agenda item order. `meetings/` lists the bodies and their
//! years, `meetings/<body>/<year>/` a year's meetings, newest first, and
//! `meetings/<date>-<body>/` one meeting: its decision list as the public
//! reads it after the meeting (2012 Regulations, reg. 12), beside the
//! decision list PDF. All made from summaries, so an exempt item shows only
//! its title, its item number and the paragraph.

use super::pages::{write_recipe, Recipe, Recipes};
use super::{Renderer, Summary};
use crate::load::Error;
use crate::output::Staging;
use crate::public::{item_key, DateView, ItemKey};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A meeting as its pages name it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MeetingHead {
    pub body: String,
    /// The body's folder under `meetings/`.
    pub body_slug: String,
    pub date: DateView,
    pub year: i32,
    /// The meeting's folder under `meetings/`.
    pub slug: String,
}

/// A meeting and its decisions, in item order.
pub struct Meeting<'s> {
    pub head: MeetingHead,
    pub items: Vec<&'s Summary>,
}

/// Every meeting that summaries name, newest first (then by body), each
/// with its decisions in item order.
pub fn meetings(summaries: &[Summary]) -> Vec<Meeting<'_>> {
    let mut by_slug: BTreeMap<&str, Vec<&Summary>> = BTreeMap::new();
    for s in summaries {
        if let Some(m) = &s.meeting {
            by_slug.entry(m.slug.as_str()).or_default().push(s);
        }
    }
    let mut out: Vec<Meeting<'_>> = by_slug
        .into_values()
        .filter_map(|mut items| {
            items.sort_by_cached_key(|s| item_order(s));
            // the body as most of its items write it (the first so written,
            // of those written differently in case or punctuation)
            let m = items.iter().filter_map(|s| s.meeting.as_ref()).min_by(|a, b| a.body.cmp(&b.body))?;
            let body_slug = crate::records::parse::slugify(&m.body);
            let head = MeetingHead {
                body: m.body.clone(),
                body_slug: if body_slug.is_empty() { "meeting".into() } else { body_slug },
                year: m.date.iso.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0),
                date: m.date.clone(),
                slug: m.slug.clone(),
            };
            Some(Meeting { head, items })
        })
        .collect();
    out.sort_by(|a, b| (&b.head.date.iso, &a.head.body).cmp(&(&a.head.date.iso, &b.head.body)));
    out
}

/// The order of a meeting's items: by number ("7" before "10", "7a" after
/// "7"), items without one last, then by id.
pub fn item_order(s: &Summary) -> (ItemKey, String) {
    (item_key(s.meeting.as_ref().and_then(|m| m.item.as_deref()).unwrap_or("")), s.id.clone())
}

/// A meeting in a year's list.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MeetingLine {
    pub date: DateView,
    pub slug: String,
    pub decisions: usize,
}

/// A body's years in the meetings index.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BodyYears {
    pub body: String,
    pub slug: String,
    pub years: Vec<YearCount>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct YearCount {
    pub year: i32,
    pub meetings: usize,
}

/// The folders of the meetings pages, for the sitemap: the index, each
/// body's years, each meeting.
pub fn site_paths(all: &[Meeting<'_>]) -> Vec<String> {
    let mut years: Vec<String> =
        all.iter().map(|m| format!("meetings/{}/{}/", m.head.body_slug, m.head.year)).collect();
    years.sort();
    years.dedup();
    let meetings = all.iter().map(|m| format!("meetings/{}/", m.head.slug));
    std::iter::once("meetings/".to_string()).chain(years).chain(meetings).collect()
}

/// A body's meetings by year, newest first.
struct BodyMeetings<'m> {
    body: &'m str,
    years: BTreeMap<std::cmp::Reverse<i32>, Vec<MeetingLine>>,
}

/// Writes every meeting's page, each body's year pages and the index.
pub fn write_meetings(
    r: &Renderer<'_>,
    summaries: &[Summary],
    out: &Staging,
    recipes: &Recipes<'_>,
) -> Result<(), Error> {
    let all = meetings(summaries);
    let summary = |n: u32| &summaries[n as usize];
    // by body slug, years newest first
    let mut bodies: BTreeMap<&str, BodyMeetings<'_>> = BTreeMap::new();
    for m in &all {
        let line = MeetingLine { date: m.head.date.clone(), slug: m.head.slug.clone(), decisions: m.items.len() };
        let body = bodies
            .entry(&m.head.body_slug)
            .or_insert_with(|| BodyMeetings { body: &m.head.body, years: BTreeMap::new() });
        body.years.entry(std::cmp::Reverse(m.head.year)).or_default().push(line);
        let recipe = Recipe::Meeting { meeting: m.head.clone(), pdf: r.pdf, members: recipes.numbers(&m.items) };
        write_recipe(r, recipe, &summary, out, recipes)?;
    }
    let mut index = Vec::new();
    for (slug, BodyMeetings { body, years }) in bodies {
        let mut counts = Vec::new();
        for (std::cmp::Reverse(year), meetings) in years {
            counts.push(YearCount { year, meetings: meetings.len() });
            let recipe = Recipe::MeetingYear { body: body.to_string(), body_slug: slug.to_string(), year, meetings };
            write_recipe(r, recipe, &summary, out, recipes)?;
        }
        index.push(BodyYears { body: body.to_string(), slug: slug.to_string(), years: counts });
    }
    write_recipe(r, Recipe::Meetings { bodies: index }, &summary, out, recipes)
}

/// A meeting's page.
pub fn meeting_page(r: &Renderer<'_>, head: &MeetingHead, pdf: bool, items: &[&Summary]) -> Result<String, Error> {
    let mut ctx = tera::Context::new();
    ctx.insert("meeting", head);
    ctx.insert("future", &(head.date.iso > r.site.today.iso));
    ctx.insert("items", items);
    ctx.insert("pdf", &pdf.then(|| format!("reports/meetings/{}.pdf", head.slug)));
    r.render("meeting.html", 2, &mut ctx)
}

/// A body's meetings in one year.
pub fn year_page(
    r: &Renderer<'_>,
    body: &str,
    body_slug: &str,
    year: i32,
    meetings: &[MeetingLine],
) -> Result<String, Error> {
    let mut ctx = tera::Context::new();
    ctx.insert("body", body);
    ctx.insert("body_slug", body_slug);
    ctx.insert("year", &year);
    ctx.insert("meetings", meetings);
    r.render("meetings-year.html", 3, &mut ctx)
}

/// The meetings index.
pub fn index_page(r: &Renderer<'_>, bodies: &[BodyYears]) -> Result<String, Error> {
    let mut ctx = tera::Context::new();
    ctx.insert("bodies", bodies);
    r.render("meetings.html", 1, &mut ctx)
}
