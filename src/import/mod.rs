//! `decreg import`: a council's published decisions brought into the
//! register as record files. Each page is read by its labels
//! ([`moderngov`]), written as a record in the spec's format, and matched
//! with the record of an earlier import by its id in the source system, so
//! importing again updates it. Nothing is invented: a field the page does
//! not print is left out. Nothing is lost: wording is kept, and a record
//! someone edited since it was imported is left alone.

pub mod moderngov;

use crate::records::{parse::slugify, Status};
use chrono::NaiveDate;
use moderngov::{Label, Page};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What an import did with one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Imported(PathBuf),
    Updated(PathBuf),
    Unchanged(PathBuf),
    Skipped { why: String },
}

/// One page and what became of it.
#[derive(Debug, Clone)]
pub struct Imported {
    pub page: PathBuf,
    pub outcome: Outcome,
}

/// The line in a record's front matter that says it was imported and how
/// its text read then: a record whose text no longer matches was edited.
const STAMP: &str = "# imported by decreg; text checksum ";

/// Imports every page under `paths` into the register at `root`.
pub fn import_moderngov(
    root: &Path,
    paths: &[PathBuf],
    today: NaiveDate,
    force: bool,
    progress: &dyn Fn(usize, usize),
) -> Result<Vec<Imported>, String> {
    let pages = page_files(paths)?;
    let mut known = imported_records(root);
    let mut done = Vec::with_capacity(pages.len());
    for (i, page) in pages.iter().enumerate() {
        progress(i, pages.len());
        let outcome = match std::fs::read(page) {
            Ok(bytes) => import_one(root, &String::from_utf8_lossy(&bytes), today, force, &mut known),
            Err(e) => Outcome::Skipped { why: format!("cannot read: {e}") },
        };
        done.push(Imported { page: page.clone(), outcome });
    }
    progress(pages.len(), pages.len());
    Ok(done)
}

/// The pages to read: files as given, and in folders every `.htm`,
/// `.html` and `.txt` file, leaving out what a browser saves beside a page
/// (its `_files/` folder).
fn page_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_file() {
            out.push(p.clone());
            continue;
        }
        if !p.is_dir() {
            return Err(format!("{}: no such file or folder", p.display()));
        }
        for entry in walkdir::WalkDir::new(p)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| !(e.file_type().is_dir() && e.file_name().to_string_lossy().ends_with("_files")))
        {
            let entry = entry.map_err(|e| e.to_string())?;
            let ext = entry.path().extension().map(|e| e.to_string_lossy().to_lowercase());
            if entry.file_type().is_file() && matches!(ext.as_deref(), Some("htm" | "html" | "txt")) {
                out.push(entry.path().to_path_buf());
            }
        }
    }
    Ok(out)
}

/// The register's records that came from ModernGov, by their id there.
fn imported_records(root: &Path) -> HashMap<String, PathBuf> {
    let mut known = HashMap::new();
    let config = crate::config::Config::from_root(root).map(|(c, _)| c).unwrap_or_default();
    for entry in walkdir::WalkDir::new(root.join("decisions")).into_iter().filter_map(Result::ok) {
        if entry.path().extension().is_none_or(|e| e != "md") {
            continue;
        }
        let Ok(bytes) = std::fs::read(entry.path()) else { continue };
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
        let parsed = crate::records::parse_record(&bytes, rel, &config);
        if let Some(origin) = parsed.record.and_then(|r| r.origin) {
            if origin.system.as_deref() == Some("moderngov") {
                if let Some(id) = origin.id {
                    known.insert(id, rel.to_path_buf());
                }
            }
        }
    }
    known
}

fn import_one(root: &Path, text: &str, today: NaiveDate, force: bool, known: &mut HashMap<String, PathBuf>) -> Outcome {
    let page = moderngov::read(text);
    let record = match Record::from_page(&page) {
        Ok(r) => r,
        Err(why) => return Outcome::Skipped { why },
    };
    let existing = page.id.as_ref().and_then(|id| known.get(id)).cloned();
    let rel = match (&existing, &page.id) {
        (Some(rel), _) => rel.clone(),
        (None, Some(id)) => free_path(root, &record, Some(id)),
        // copied text carries no id: its record is known by its path
        (None, None) => natural_path(&record),
    };
    let path = root.join(&rel);
    let old = std::fs::read_to_string(&path).ok();
    if old.as_deref().is_some_and(|t| !t.contains(STAMP)) {
        return Outcome::Skipped { why: format!("{} is already a record that was not imported", rel.display()) };
    }
    if let Some(old) = &old {
        // the same page again: the record as it would be had it been
        // retrieved on the day it was
        let retrieved = retrieved_in(old).unwrap_or(today);
        if *old == record.text(&page, retrieved) {
            return Outcome::Unchanged(rel);
        }
        if !force && edited(old) {
            return Outcome::Skipped {
                why: format!("{} was edited since it was imported (--force replaces it)", rel.display()),
            };
        }
    }
    if let Some(parent) = path.parent() {
        if let Err(e) = std::fs::create_dir_all(parent) {
            return Outcome::Skipped { why: format!("cannot make {}: {e}", parent.display()) };
        }
    }
    if let Err(e) = write_atomically(&path, record.text(&page, today).as_bytes()) {
        return Outcome::Skipped { why: format!("cannot write {}: {e}", rel.display()) };
    }
    if let Some(id) = &page.id {
        known.insert(id.clone(), rel.clone());
    }
    if existing.is_some() || old.is_some() {
        Outcome::Updated(rel)
    } else {
        Outcome::Imported(rel)
    }
}

/// Writes beside the file and renames over it: a killed import leaves the
/// record as it was or as it is now, never half written.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.importing"));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// `decisions/<year>/<slug>.md`.
fn natural_path(r: &Record) -> PathBuf {
    let year = r.year().map_or_else(|| "undated".to_string(), |y| y.to_string());
    let slug = slugify(&r.title);
    // long titles make long names: cut at the last whole word within 80
    let mut cut = slug.as_str();
    if cut.len() > 80 {
        cut = &cut[..cut[..80].rfind('-').unwrap_or(80)];
    }
    let slug = if cut.is_empty() { "decision" } else { cut.trim_end_matches('-') };
    PathBuf::from(format!("decisions/{year}/{slug}.md"))
}

/// [`natural_path`], or beside it with the page's id when another record
/// has it.
fn free_path(root: &Path, r: &Record, id: Option<&str>) -> PathBuf {
    let first = natural_path(r);
    if !root.join(&first).exists() {
        return first;
    }
    let tail = id.map_or_else(|| "imported".to_string(), |i| format!("moderngov-{i}"));
    first.with_file_name(format!("{}-{tail}.md", first.file_stem().unwrap_or_default().to_string_lossy()))
}

/// The checksum a record's text had when it was imported, and whether
/// its text differs now.
fn edited(text: &str) -> bool {
    let Some(at) = text.find(STAMP) else { return true };
    let line_end = text[at..].find('\n').map_or(text.len(), |e| at + e);
    let written = &text[at + STAMP.len()..line_end];
    let without = format!("{}{}", &text[..at], &text[(line_end + 1).min(text.len())..]);
    written.trim() != checksum(&without)
}

fn retrieved_in(text: &str) -> Option<NaiveDate> {
    let at = text.find("\n  retrieved: ")?;
    let rest = &text[at + 14..];
    crate::yaml::parse_date(rest.lines().next()?.trim()).ok()
}

/// A short checksum of a record's text (FNV-1a, 64 bits).
fn checksum(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// A record as read from a page, ready to be written.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Record {
    pub title: String,
    pub title_supplied: bool,
    pub decision_maker: String,
    pub status: Option<Status>,
    pub council_status: Option<String>,
    pub kind: Option<&'static str>,
    pub decision_date: Option<NaiveDate>,
    pub published: Option<NaiveDate>,
    pub key_decision: Option<bool>,
    pub call_in: Option<bool>,
    pub call_in_deadline: Option<NaiveDate>,
    pub effective_from: Option<NaiveDate>,
    pub expected_date: Option<NaiveDate>,
    pub reference: Option<String>,
    pub contact_officer: Option<String>,
    pub meeting: Option<(Option<String>, Option<NaiveDate>)>,
    pub report_author: Option<String>,
    pub lead_member: Option<String>,
    pub lead_officer: Option<String>,
    pub areas: Vec<String>,
    pub interests: Option<Vec<String>>,
    pub documents: Vec<(String, Option<String>)>,
    /// `## heading` and paragraphs, in page order.
    pub sections: Vec<(String, Vec<String>)>,
    /// Values printed that decreg could not read (a date it cannot parse):
    /// kept as comments, never lost.
    pub unread: Vec<(String, String)>,
}

impl Record {
    pub fn from_page(page: &Page) -> Result<Record, String> {
        let mut r = Record::default();
        for f in &page.fields {
            let value = || f.lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join(" ");
            let date = |r: &mut Record| {
                let v = value();
                match parse_date(&v) {
                    Some(d) => Some(d),
                    None => {
                        if !v.is_empty() {
                            r.unread.push((f.printed.clone(), v));
                        }
                        None
                    }
                }
            };
            match f.label {
                Label::DecisionMaker => r.decision_maker = value(),
                Label::Status => {
                    let words = value();
                    r.status = map_status(&words);
                    r.council_status = Some(words).filter(|w| !w.is_empty());
                }
                Label::KeyDecision => r.key_decision = yes_no(&value()),
                Label::CallIn => r.call_in = yes_no(&value()),
                Label::Purpose | Label::Decision | Label::Reasons | Label::Alternatives => {
                    let paragraphs: Vec<String> = f.lines.iter().map(|l| l.text.clone()).collect();
                    r.sections.push((f.printed.clone(), paragraphs));
                }
                Label::Interests => {
                    let v = value();
                    r.interests = Some(if v.is_empty() || v.eq_ignore_ascii_case("none") {
                        Vec::new()
                    } else {
                        f.lines.iter().map(|l| l.text.clone()).collect()
                    });
                }
                Label::ReportAuthor => r.report_author = Some(value()).filter(|v| !v.is_empty()),
                Label::Published => r.published = date(&mut r),
                Label::DecisionDate => r.decision_date = date(&mut r),
                Label::EffectiveFrom => r.effective_from = date(&mut r),
                Label::CallInDeadline => r.call_in_deadline = date(&mut r),
                Label::Meeting => r.meeting = Some(meeting(&value())),
                Label::LeadMember => r.lead_member = Some(value()).filter(|v| !v.is_empty()),
                Label::LeadOfficer => r.lead_officer = Some(value()).filter(|v| !v.is_empty()),
                Label::Areas => {
                    r.areas = value().split(';').map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect()
                }
                Label::Documents => {
                    // a document links to a file (or, restricted, to nothing);
                    // a link to another page of the site is navigation
                    r.documents = f
                        .lines
                        .iter()
                        .filter(|l| l.href.as_deref().is_none_or(|h| !h.to_lowercase().contains(".aspx")))
                        .map(|l| (document_title(&l.text), l.href.clone()))
                        .collect();
                }
                Label::Title => r.title = value(),
                Label::Reference => r.reference = Some(value()).filter(|v| !v.is_empty()),
                Label::ExpectedDate => {
                    // "27 Jan 2025 by Cabinet Member for Housing"
                    let v = value();
                    let day = v.split(" by ").next().unwrap_or(&v).to_string();
                    match parse_date(&day) {
                        Some(d) => r.expected_date = Some(d),
                        None => r.unread.push((f.printed.clone(), v)),
                    }
                }
                Label::ContactOfficer => r.contact_officer = Some(value()).filter(|v| !v.is_empty()),
            }
        }
        if r.decision_maker.is_empty() {
            return Err("the page names no decision maker (`Decision Maker:`): is it a decision-details page?".into());
        }
        match page.title.clone().filter(|t| !t.is_empty()).or(Some(r.title.clone()).filter(|t| !t.is_empty())) {
            Some(t) => r.title = t,
            None => {
                r.title = supplied_title(&r).ok_or("the page has no title, purpose or decision to name it by")?;
                r.title_supplied = true;
            }
        }
        if r.status.is_none() && r.council_status.is_none() {
            return Err("the page has no `Decision status:`".into());
        }
        r.kind = kind_of(&r.decision_maker);
        Ok(r)
    }

    fn year(&self) -> Option<i32> {
        use chrono::Datelike;
        let meeting = self.meeting.as_ref().and_then(|m| m.1);
        self.decision_date.or(meeting).or(self.published).or(self.expected_date).map(|d| d.year())
    }

    /// The record file's text.
    pub fn text(&self, page: &Page, retrieved: NaiveDate) -> String {
        let mut y = String::from("---\n");
        field(&mut y, "title", &self.title);
        if self.title_supplied {
            y.push_str("title_supplied: true\n");
        }
        field(&mut y, "decision_maker", &self.decision_maker);
        if let Some(s) = self.status {
            let _ = writeln!(y, "status: {}", s.as_str());
        }
        if let Some(k) = self.kind {
            let _ = writeln!(y, "kind: {k}");
        }
        if let Some(c) = &self.council_status {
            field(&mut y, "council_status", c);
        }
        if let Some(r) = &self.reference {
            field(&mut y, "reference", r);
        }
        for (key, d) in [
            ("decision_date", self.decision_date),
            ("expected_date", self.expected_date),
            ("published", self.published),
        ] {
            if let Some(d) = d {
                let _ = writeln!(y, "{key}: {d}");
            }
        }
        if let Some(k) = self.key_decision {
            let _ = writeln!(y, "key_decision: {k}");
        }
        if self.call_in.is_some() || self.call_in_deadline.is_some() {
            y.push_str("call_in:\n");
            if let Some(s) = self.call_in {
                let _ = writeln!(y, "  subject: {s}");
            }
            if let Some(d) = self.call_in_deadline {
                let _ = writeln!(y, "  deadline: {d}");
            }
        }
        if let Some(d) = self.effective_from {
            let _ = writeln!(y, "effective_from: {d}");
        }
        if let Some((body, date)) = &self.meeting {
            y.push_str("meeting:\n");
            if let Some(b) = body {
                field(&mut y, "  body", b);
            }
            if let Some(d) = date {
                let _ = writeln!(y, "  date: {d}");
            }
        }
        for (key, v) in [
            ("report_author", &self.report_author),
            ("lead_member", &self.lead_member),
            ("lead_officer", &self.lead_officer),
            ("contact_officer", &self.contact_officer),
        ] {
            if let Some(v) = v {
                field(&mut y, key, v);
            }
        }
        list(&mut y, "areas", &self.areas);
        if let Some(i) = &self.interests {
            list(&mut y, "interests", i);
            if i.is_empty() {
                y.push_str("interests: []\n");
            }
        }
        if !self.documents.is_empty() {
            y.push_str("documents:\n");
            for (title, href) in &self.documents {
                field(&mut y, "  - title", title);
                if let Some(url) = href.as_deref().and_then(|h| absolute(h, page.url.as_deref())) {
                    field(&mut y, "    url", &url);
                }
            }
        }
        y.push_str("source:\n");
        if let Some(url) = &page.url {
            field(&mut y, "  url", url);
        }
        y.push_str("  system: moderngov\n");
        if let Some(id) = &page.id {
            let _ = writeln!(y, "  id: \"{id}\"");
        }
        let _ = writeln!(y, "  retrieved: {retrieved}");
        for (label, value) in &self.unread {
            let _ = writeln!(y, "# {label} as printed (not a date decreg can read): {}", value.replace('\n', " "));
        }
        let mut body = String::new();
        for (heading, paragraphs) in &self.sections {
            let _ = write!(body, "\n## {heading}\n");
            for p in paragraphs {
                let _ = write!(body, "\n{}\n", markdown_text(p));
            }
        }
        let unstamped = format!("{y}---\n{body}");
        let stamp = format!("{STAMP}{}\n", checksum(&unstamped));
        format!("{y}{stamp}---\n{body}")
    }
}

/// Who took the decision, in law, from the decision maker's name: a
/// portfolio holder alone, or an officer; else the default (executive).
fn kind_of(decision_maker: &str) -> Option<&'static str> {
    let m = decision_maker.to_lowercase();
    let member = ["cabinet member", "portfolio holder", "leader of the council", "executive member", "lead member"];
    let officer = ["director", "head of", "chief executive", "officer", "manager"];
    if member.iter().any(|w| m.starts_with(w)) {
        Some("individual-member")
    } else if officer.iter().any(|w| m.contains(w)) {
        Some("officer-delegated")
    } else {
        None
    }
}

/// A document's title as listed, without the size older sites print
/// after it ("(112K/bytes)") or ModernGov's note on a restricted one.
fn document_title(listed: &str) -> String {
    let mut t = listed.trim().to_string();
    if let Some(at) = t.rfind(" (") {
        let tail = &t[at + 2..];
        if tail.ends_with("bytes)") || tail.ends_with("KB)") || tail.ends_with("MB)") {
            t.truncate(at);
        }
    }
    t.trim_end_matches("Restricted enclosure").trim().to_string()
}

/// A title for a page that prints none: the first sentence of its
/// purpose, else of its decision, marked as supplied.
fn supplied_title(r: &Record) -> Option<String> {
    let first = ["purpose", "decision"].iter().find_map(|want| {
        r.sections.iter().find(|(h, _)| h.to_lowercase().starts_with(want)).and_then(|(_, p)| p.first())
    })?;
    // "RESOLVED: That the revised policy, attached ..., be adopted" -> "The revised policy"
    let mut sentence = first.split_inclusive(". ").next().unwrap_or(first).trim().trim_end_matches('.');
    for lead in ["RESOLVED:", "RESOLVED", "Resolved:", "That ", "that "] {
        sentence = sentence.strip_prefix(lead).unwrap_or(sentence).trim_start();
    }
    let sentence = sentence.split(", ").next().unwrap_or(sentence);
    let mut chars = sentence.chars();
    let sentence: String = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
    let mut title = String::new();
    for word in sentence.split_whitespace() {
        if title.len() + word.len() > 100 {
            title.push_str(" …");
            break;
        }
        if !title.is_empty() {
            title.push(' ');
        }
        title.push_str(word);
    }
    Some(title).filter(|t| !t.is_empty())
}

/// The spec's status for the council's words; `None` when decreg cannot
/// tell (the record then says so as a finding, rather than guess).
pub fn map_status(words: &str) -> Option<Status> {
    let w = words.to_lowercase();
    let w = w.split(" (").next().unwrap_or(&w).trim().trim_end_matches('.');
    Some(match w {
        "recommendations approved"
        | "recommendation approved"
        | "approved"
        | "agreed"
        | "decision made"
        | "made"
        | "implemented"
        | "adopted"
        | "resolved"
        | "recommendations agreed" => Status::Approved,
        "approved with amendments" | "recommendations approved with amendments" | "amended" => {
            Status::ApprovedWithAmendments
        }
        "for determination" | "for decision" => Status::ForDetermination,
        "deleted" | "withdrawn" | "item withdrawn" => Status::Withdrawn,
        "rejected" | "refused" | "recommendations rejected" | "not approved" => Status::Rejected,
        "noted" | "report noted" => Status::Noted,
        "deferred" | "item deferred" => Status::Deferred,
        "referred to council" | "recommendations to council" | "recommended to council" => Status::ReferredToCouncil,
        _ => return None,
    })
}

fn yes_no(v: &str) -> Option<bool> {
    match v.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" => Some(true),
        "no" | "n" | "false" => Some(false),
        _ => None,
    }
}

/// `13/11/2012 - Cabinet`: the meeting's date and body.
fn meeting(v: &str) -> (Option<String>, Option<NaiveDate>) {
    let (date, body) = match v.split_once(" - ") {
        Some((d, b)) => (parse_date(d), Some(b.trim().to_string())),
        None => match parse_date(v) {
            Some(d) => (Some(d), None),
            None => (None, Some(v.trim().to_string())),
        },
    };
    (body.filter(|b| !b.is_empty()), date)
}

/// `dd/mm/yyyy` (ModernGov), `yyyy/mm/dd` (older sites), ISO, or
/// `13 November 2012`.
pub fn parse_date(v: &str) -> Option<NaiveDate> {
    let v = v.trim();
    let parts: Vec<&str> = v.split(['/', '-', '.']).collect();
    if parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
        let n: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
        return if parts[0].len() == 4 {
            NaiveDate::from_ymd_opt(n[0] as i32, n[1], n[2])
        } else if parts[2].len() == 4 {
            NaiveDate::from_ymd_opt(n[2] as i32, n[1], n[0])
        } else {
            None
        };
    }
    NaiveDate::parse_from_str(v, "%d %B %Y").or_else(|_| NaiveDate::parse_from_str(v, "%d %b %Y")).ok()
}

/// A link made absolute against the page's address.
fn absolute(href: &str, base: Option<&str>) -> Option<String> {
    // a space is not allowed in an address; pages often have them raw
    let href = &href.trim().replace(' ', "%20");
    if href.starts_with("http://") || href.starts_with("https://") {
        return Some(href.to_string());
    }
    let base = base?;
    let origin_end = base.find("://").map(|i| i + 3)?;
    let host_end = base[origin_end..].find('/').map_or(base.len(), |i| origin_end + i);
    if let Some(path) = href.strip_prefix('/') {
        return Some(format!("{}/{path}", &base[..host_end]));
    }
    let dir_end = base.rfind('/').filter(|&i| i >= host_end).map_or(host_end, |i| i);
    Some(format!("{}/{}", &base[..dir_end], href.trim_start_matches("./")))
}

/// A YAML `key: value` line, quoted where YAML would read the value as
/// something else.
fn field(y: &mut String, key: &str, value: &str) {
    let _ = writeln!(y, "{key}: {}", yaml_scalar(value));
}

fn list(y: &mut String, key: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(y, "{key}:");
    for i in items {
        let _ = writeln!(y, "  - {}", yaml_scalar(i));
    }
}

fn yaml_scalar(v: &str) -> String {
    let plain = !v.is_empty()
        && !v.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`".contains(c) || c.is_whitespace())
        && !v.ends_with(|c: char| c.is_whitespace() || c == ':')
        && !v.contains(": ")
        && !v.contains(" #")
        && !matches!(v.to_lowercase().as_str(), "yes" | "no" | "true" | "false" | "null" | "on" | "off" | "~")
        && v.parse::<f64>().is_err()
        && parse_date(v).is_none();
    if plain {
        v.to_string()
    } else {
        serde_json::to_string(v).unwrap_or_default()
    }
}

/// Page text as Markdown that renders as it reads: characters Markdown
/// would take as markup are escaped; hand-written list markers stay.
fn markdown_text(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for c in p.chars() {
        if matches!(c, '\\' | '*' | '_' | '`' | '<' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    if out.starts_with('#') || out.starts_with('>') || out.starts_with("- ") || out.starts_with("+ ") {
        out.insert(0, '\\');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_councils_print_them() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(parse_date("13/11/2012"), d(2012, 11, 13));
        assert_eq!(parse_date("2012/11/13"), d(2012, 11, 13));
        assert_eq!(parse_date("13 November 2012"), d(2012, 11, 13));
        assert_eq!(parse_date("31/02/2012"), None);
        assert_eq!(parse_date("soon"), None);
    }

    #[test]
    fn statuses_are_mapped_or_left_to_officers() {
        assert_eq!(map_status("Recommendations Approved"), Some(Status::Approved));
        assert_eq!(map_status("Recommendations approved (subject to call-in)"), Some(Status::Approved));
        assert_eq!(map_status("For Determination"), Some(Status::ForDetermination));
        assert_eq!(map_status("Deleted"), Some(Status::Withdrawn));
        assert_eq!(map_status("Awaiting Implementation - Subject to Scrutiny"), None);
    }

    #[test]
    fn yaml_values_that_would_be_misread_are_quoted() {
        assert_eq!(yaml_scalar("Cabinet"), "Cabinet");
        assert_eq!(yaml_scalar("Yes"), "\"Yes\"");
        assert_eq!(yaml_scalar("Item 5: Budget"), "\"Item 5: Budget\"");
        assert_eq!(yaml_scalar("- a"), "\"- a\"");
        assert_eq!(yaml_scalar("Children’s Services & Learning"), "Children’s Services & Learning");
    }

    #[test]
    fn an_edit_is_noticed() {
        let page = moderngov::read("Decision details\n\nT\n\nDecision Maker: Cabinet\n\nDecision status: Approved\n");
        let r = Record::from_page(&page).unwrap();
        let text = r.text(&page, NaiveDate::from_ymd_opt(2026, 1, 2).unwrap());
        assert!(!edited(&text));
        assert!(edited(&text.replace("title: T", "title: T2")));
    }

    #[test]
    fn links_are_made_absolute() {
        let base = Some("https://d.example.gov.uk/ieDecisionDetails.aspx?ID=5");
        assert_eq!(
            absolute("documents/s1/a.pdf", base).as_deref(),
            Some("https://d.example.gov.uk/documents/s1/a.pdf")
        );
        assert_eq!(absolute("/mgIssue.aspx", base).as_deref(), Some("https://d.example.gov.uk/mgIssue.aspx"));
    }
}
