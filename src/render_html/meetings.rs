//! Meetings: the decisions taken (or to be taken) at each meeting of a
//! body, in agenda item order. `meetings/` lists the bodies and their
//! years, `meetings/<body>/<year>/` a year's meetings, newest first, and
//! `meetings/<date>-<body>/` one meeting: its decision list as the public
//! reads it after the meeting (2012 Regulations, reg. 12), beside the
//! decision list PDF. All made from summaries, so an exempt item shows only
//! its title, its item number and the paragraph. (`pages` writes them,
//! as recipes like every listing.)

use super::{Renderer, Summary};
use crate::load::Error;
use crate::public::DateView;
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

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
/// with its decisions in item order (see [`crate::meetings::by_meeting`]).
pub fn meetings(summaries: &[Summary]) -> Vec<Meeting<'_>> {
    let grouped =
        crate::meetings::by_meeting(summaries.iter(), |s| s.meeting.as_ref().map(Cow::Borrowed), |s| s.id.as_str());
    grouped
        .into_iter()
        .map(|m| {
            let body_slug = crate::records::parse::slugify(&m.meeting.body);
            let head = MeetingHead {
                body_slug: if body_slug.is_empty() { "meeting".into() } else { body_slug },
                year: m.meeting.date.year(),
                date: DateView::new(m.meeting.date),
                body: m.meeting.body,
                slug: m.meeting.slug,
            };
            Meeting { head, items: m.items }
        })
        .collect()
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
