//! PDFs in a build and on request. `decreg build` renders a cabinet report
//! (before the decision) or a decision notice (after it) for every public
//! decision, reusing cached PDFs of unchanged records; `decreg report`
//! renders one, and for an exempt decision writes an internal copy stamped
//! on every page, only where `-o` says.

use crate::config::Config;
use crate::load::{Documents, Error};
use crate::meetings::{by_meeting, Meeting, MeetingView, NoticeFacts};
use crate::output::Staging;
use crate::public::{self, Links};
use crate::records::Record;
use crate::render_pdf::data::{doc_data, DocData, DocKind};
use crate::render_pdf::{lists, Pdf};
use chrono::NaiveDate;
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// Stack for each PDF worker thread.
const TYPST_STACK: usize = 64 << 20;

/// The records that get a public PDF: every published one not exempt.
pub fn public_ids(records: &[&Record]) -> HashSet<String> {
    records.iter().filter(|r| !r.is_exempt()).map(|r| r.id.clone()).collect()
}

/// Where a build's PDFs go: the site's and the reports' staging folders,
/// with the key of each record's PDF (see `cache::PageKeys`).
pub struct ReportsOut<'a> {
    pub site: &'a Staging,
    pub reports: &'a Staging,
    pub keys: &'a crate::cache::PageKeys<'a>,
}

/// Where one PDF goes: its path in the site and in the reports folder.
struct Placed {
    in_site: String,
    in_reports: String,
}

impl ReportsOut<'_> {
    /// Keeps the PDF where both folders hold it as made from `key`; false
    /// when either does not (or it has no key), and it must be written.
    fn kept(&self, at: &Placed, key: Option<u64>) -> Result<bool, Error> {
        let Some(key) = key.filter(|&k| self.site.holds(&at.in_site, k) && self.reports.holds(&at.in_reports, k))
        else {
            return Ok(false);
        };
        self.site.keep(&at.in_site, key)?;
        self.reports.keep(&at.in_reports, key)?;
        Ok(true)
    }

    /// Writes the PDF into both folders, under `key` where it has one.
    fn write(&self, at: &Placed, key: Option<u64>, bytes: &[u8]) -> Result<(), Error> {
        match key {
            Some(key) => {
                self.site.write_keyed(&at.in_site, key, bytes)?;
                self.reports.write_keyed(&at.in_reports, key, bytes)
            }
            None => {
                self.site.write(&at.in_site, bytes)?;
                self.reports.write(&at.in_reports, bytes)
            }
        }
    }
}

/// What became of one record's PDF.
#[derive(Clone)]
enum Made {
    /// Both folders hold it as made from the same key: kept as it is.
    Kept,
    /// Written from the cache (`fresh`: rendered anew into it first).
    Written { cached: PathBuf, fresh: bool },
}

/// Renders (or takes from the cache) the PDF of every public record and
/// writes it as `reports/<id>.pdf` in the site and `<id>.pdf` in the
/// reports folder, unless both hold it already. Returns how many were
/// rendered anew.
pub fn write_public_reports(
    pdf: &Pdf,
    cache_dir: &Path,
    records: &[&Record],
    links: &Links<'_>,
    reader: &crate::Reader<'_>,
    out: &ReportsOut<'_>,
) -> Result<usize, Error> {
    let (config, documents) = (reader.config(), reader.documents());
    std::fs::create_dir_all(cache_dir).map_err(|e| Error::io(cache_dir, &e))?;
    let pool = pdf_workers(cache_dir)?;
    let results: Vec<(&str, Made)> = pool.install(|| {
        records
            .par_iter()
            .filter(|r| !r.is_exempt())
            .map(|r| {
                let at = Placed { in_site: format!("reports/{}.pdf", r.id), in_reports: format!("{}.pdf", r.id) };
                let key = out.keys.report(r);
                if out.kept(&at, key)? {
                    return Ok((r.id.as_str(), Made::Kept));
                }
                let whole = reader.whole(r)?;
                let (cached, bytes, fresh) = cached_report(pdf, cache_dir, &whole, config, documents, links)?;
                out.write(&at, key, &bytes)?;
                Ok((r.id.as_str(), Made::Written { cached, fresh }))
            })
            .collect::<Result<_, Error>>()
    })?;
    prune_cache(cache_dir, &results);
    Ok(results.iter().filter(|(_, made)| matches!(made, Made::Written { fresh: true, .. })).count())
}

/// Threads for Typst: its layout recurses deeply on long reports, and
/// rayon's default 2 MB thread stacks are not enough for it.
fn pdf_workers(dir: &Path) -> Result<rayon::ThreadPool, Error> {
    rayon::ThreadPoolBuilder::new()
        .stack_size(TYPST_STACK)
        .build()
        .map_err(|e| Error { path: dir.to_path_buf(), what: format!("cannot start the PDF workers: {e}") })
}

/// Every meeting the records name, by slug, each with its decisions in
/// agenda order (see [`crate::meetings::by_meeting`]).
pub fn meetings<'r>(records: &[&'r Record]) -> BTreeMap<String, Meeting<'r, Record>> {
    let grouped = by_meeting(
        records.iter().copied(),
        |r| r.meeting.as_ref().and_then(MeetingView::of).map(Cow::Owned),
        |r| r.id.as_str(),
    );
    grouped.into_iter().map(|m| (m.meeting.slug.clone(), m)).collect()
}

/// A meeting's decision list as the JSON its template reads, given the
/// public views of its decisions in item order.
pub fn decision_list_json(
    meeting: &MeetingView,
    views: &[public::PublicRecord],
    config: &Config,
) -> Result<String, Error> {
    let data = lists::decision_list(meeting, views, config);
    serde_json::to_string(&data).map_err(|e| Error { path: meeting.slug.clone().into(), what: e.to_string() })
}

/// The Notice of Key Decisions as of `as_of`, as the JSON its template reads.
pub fn key_decisions_json(
    records: &[&Record],
    config: &Config,
    documents: &Documents,
    links: &Links<'_>,
    as_of: NaiveDate,
) -> Result<String, Error> {
    let mut on: Vec<&Record> = records.iter().copied().filter(|r| NoticeFacts::of_record(r).on_notice(as_of)).collect();
    on.sort_by_cached_key(|r| NoticeFacts::of_record(r).order());
    let views: Vec<_> = on.iter().map(|r| public::view(r, config, documents, links, false)).collect();
    let data = lists::key_decisions(&views, config, as_of);
    serde_json::to_string(&data).map_err(|e| Error { path: "forward-plan".into(), what: e.to_string() })
}

/// The name of a meeting's decision list: its PDF's document id, and its
/// file in the cache (the same from `decreg report` as from a build, so the
/// two make the same bytes).
pub fn decision_list_name(slug: &str) -> String {
    format!("meeting-{slug}")
}

/// The name of the Notice of Key Decisions as of a day.
pub fn key_decisions_name(as_of: NaiveDate) -> String {
    format!("key-decisions-{as_of}")
}

/// Writes the decision list of each meeting held by `today`
/// (`reports/meetings/<slug>.pdf` in the site, `meetings/<slug>.pdf` in
/// the reports folder) and the Notice of Key Decisions as of `today`
/// (`forward-plan/notice.pdf` in both). A list is kept where both folders
/// hold it made from the same reports. Neither path can be a decision's
/// PDF: ids have no `/`.
pub fn write_lists(
    pdf: &Pdf,
    cache_dir: &Path,
    records: &[&Record],
    links: &Links<'_>,
    reader: &crate::Reader<'_>,
    out: &ReportsOut<'_>,
    today: NaiveDate,
) -> Result<(), Error> {
    let (config, documents) = (reader.config(), reader.documents());
    let dir = cache_dir.join("lists");
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, &e))?;
    let all = meetings(records);
    let held: Vec<(&String, &Meeting<'_, Record>)> = all.iter().filter(|(_, m)| m.meeting.date <= today).collect();
    let mut made: Vec<(String, Made)> = pdf_workers(&dir)?.install(|| {
        held.par_iter()
            .map(|(slug, m)| {
                let name = decision_list_name(slug);
                let at = Placed {
                    in_site: format!("reports/meetings/{slug}.pdf"),
                    in_reports: format!("meetings/{slug}.pdf"),
                };
                let key = list_key(slug, m.items.iter().map(|r| out.keys.report(r)));
                if out.kept(&at, key)? {
                    return Ok((name, Made::Kept));
                }
                let views = m
                    .items
                    .iter()
                    .map(|r| reader.whole(r).map(|w| public::view(&w, config, documents, links, false)))
                    .collect::<Result<Vec<_>, Error>>()?;
                let json = decision_list_json(&m.meeting, &views, config)?;
                let (cached, bytes, fresh) = cached_pdf(pdf, &dir, &name, DocKind::DecisionList, &json)?;
                out.write(&at, Some(key.unwrap_or_else(|| pdf.key(&json))), &bytes)?;
                Ok((name, Made::Written { cached, fresh }))
            })
            .collect::<Result<_, Error>>()
    })?;
    let json = key_decisions_json(records, config, documents, links, today)?;
    let name = key_decisions_name(today);
    let (cached, bytes, fresh) = cached_pdf(pdf, &dir, &name, DocKind::KeyDecisions, &json)?;
    let at = Placed { in_site: "forward-plan/notice.pdf".into(), in_reports: "forward-plan/notice.pdf".into() };
    out.write(&at, Some(pdf.key(&json)), &bytes)?;
    made.push((name, Made::Written { cached, fresh }));
    let named: Vec<(&str, Made)> = made.iter().map(|(n, m)| (n.as_str(), m.clone())).collect();
    prune_cache(&dir, &named);
    Ok(())
}

/// One number for a meeting's list: its slug and the keys of its
/// decisions' reports (`None` when one has none: then it is made).
fn list_key(slug: &str, reports: impl Iterator<Item = Option<u64>>) -> Option<u64> {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    slug.hash(&mut h);
    for key in reports {
        key?.hash(&mut h);
    }
    Some(h.finish())
}

/// A document's PDF from the cache in `dir` (`<name>-<key>.pdf`, keyed by
/// its data and the templates), else rendered and cached: where it is
/// cached, its bytes, and whether it was rendered anew.
fn cached_pdf(pdf: &Pdf, dir: &Path, name: &str, kind: DocKind, json: &str) -> Result<(PathBuf, Vec<u8>, bool), Error> {
    let cached = dir.join(format!("{name}-{:016x}.pdf", pdf.key(json)));
    match std::fs::read(&cached) {
        Ok(b) => Ok((cached, b, false)),
        Err(_) => {
            let b = pdf.render_json(name, kind, json)?;
            std::fs::write(&cached, &b).map_err(|e| Error::io(&cached, &e))?;
            Ok((cached, b, true))
        }
    }
}

/// A public record's PDF, from the cache when its content is there
/// (keyed by what the report shows), else rendered and cached: where it is
/// cached, its bytes, and whether it was rendered anew.
pub fn cached_report(
    pdf: &Pdf,
    cache_dir: &Path,
    r: &Record,
    config: &Config,
    documents: &Documents,
    links: &Links<'_>,
) -> Result<(PathBuf, Vec<u8>, bool), Error> {
    let view = public::view(r, config, documents, links, false);
    let data = doc_data(&view, config, DocKind::for_status(view.status), None);
    let json = serde_json::to_string(&data).map_err(|e| Error { path: r.source.clone(), what: e.to_string() })?;
    // a template that fails on this record is reported against the record
    let failed_on = |e: Error| {
        if e.path.starts_with("templates") {
            Error { path: r.source.clone(), what: e.to_string() }
        } else {
            e
        }
    };
    cached_pdf(pdf, cache_dir, &r.id, data.kind, &json).map_err(failed_on)
}

/// Removes cached PDFs no longer of use: those of records gone or made
/// exempt, and the older versions of those written this build (a PDF
/// kept as it is keeps its cached version too). The cache folder is
/// decreg's own; its files are named `<id>-<16 hex digits>.pdf`.
fn prune_cache(dir: &Path, made: &[(&str, Made)]) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let used: HashSet<&Path> = made
        .iter()
        .filter_map(|(_, m)| match m {
            Made::Written { cached, .. } => Some(cached.as_path()),
            Made::Kept => None,
        })
        .collect();
    let kept: HashSet<&str> = made.iter().filter(|(_, m)| matches!(m, Made::Kept)).map(|(id, _)| *id).collect();
    for e in entries.filter_map(Result::ok) {
        let path = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".pdf") else { continue };
        let id = stem.len().checked_sub(17).filter(|&at| stem.is_char_boundary(at)).map(|at| &stem[..at]);
        if !used.contains(path.as_path()) && !id.is_some_and(|id| kept.contains(id)) {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// One document on request. An exempt record gives an internal copy,
/// stamped "NOT FOR PUBLICATION" on every page.
pub fn render_one(
    root: &Path,
    record: &Record,
    all: &[Record],
    config: &Config,
    kind: Option<DocKind>,
) -> Result<Vec<u8>, Error> {
    let pdf = Pdf::new(root)?;
    let data = data_of(root, record, all, config, kind);
    pdf.render(&record.id, &data)
}

/// The data a template receives for one record (the internal copy's, for
/// an exempt record).
pub fn data_of(root: &Path, record: &Record, all: &[Record], config: &Config, kind: Option<DocKind>) -> DocData {
    let documents = Documents::scan(root);
    let refs: Vec<&Record> = all.iter().collect();
    let links = Links::new(&refs);
    let (view, stamp) = match &record.exempt {
        Some(e) => {
            let paras: Vec<String> = e.paragraphs.iter().map(u32::to_string).collect();
            let word = if paras.len() == 1 { "paragraph" } else { "paragraphs" };
            let stamp = format!("NOT FOR PUBLICATION — exempt information ({word} {})", paras.join(", "));
            (public::internal_view(record, config, &documents, &links), Some(stamp))
        }
        None => (public::view(record, config, &documents, &links, false), None),
    };
    let kind = kind.unwrap_or_else(|| DocKind::for_status(view.status));
    doc_data(&view, config, kind, stamp)
}

/// Refuses to write an internal copy into the published output.
pub fn check_destination(root: &Path, dest: &Path) -> Result<(), Error> {
    let parent = dest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let parent = parent.canonicalize().map_err(|e| Error::io(parent, &e))?;
    for published in ["output/site", "output/reports"] {
        if let Ok(p) = root.join(published).canonicalize() {
            if parent.starts_with(&p) {
                return Err(Error {
                    path: dest.to_path_buf(),
                    what: format!("decreg report never writes into {published}: choose a file elsewhere"),
                });
            }
        }
    }
    Ok(())
}
