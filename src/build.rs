//! `decreg build`: check, then render the public register into a staged
//! folder and swap it into place. With errors nothing is published unless
//! `--keep-going`, and then every skipped record is named.

use crate::cli::BuildPlan;
use crate::load::Error;
use crate::output::Staging;
use crate::public::Links;
use crate::records::Record;
use crate::render_html::{self, Renderer};
use crate::stamp::{self, Stamp};
use crate::{cache, diag, public, search, Checked};
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What a build did.
pub struct Built {
    /// The register as checked; `None` when nothing had changed since the
    /// last clean build (see `up_to_date`), so nothing was read.
    pub checked: Option<Checked>,
    /// Set when the output was already up to date: what it holds.
    pub up_to_date: Option<Stamp>,
    /// Whether the site was published (swapped into place).
    pub published: bool,
    /// Record files left out because they have errors.
    pub skipped: BTreeSet<PathBuf>,
    pub decisions: usize,
    pub reports: Reports,
    /// Decision pages made anew; the others the output of the build before
    /// last held as this build would make them, and were kept.
    pub pages_made: usize,
    /// The summaries of the decisions published, in listing order: what
    /// the pages made from more than one decision were made from (none
    /// when nothing was published).
    pub summaries: Vec<render_html::Summary>,
    /// Each published decision's search terms, in the same order: kept
    /// only by a build that holds memory (`serve`'s).
    pub terms: Vec<search::Terms>,
    /// The search index made of those terms, kept as `terms` is.
    pub index: Option<search::Index>,
    pub timings: Vec<(&'static str, Duration)>,
}

pub fn build(plan: &BuildPlan) -> Result<Built, Error> {
    let started = Instant::now();
    // Taken before anything is read: an edit made during the build makes
    // the next build run again.
    let inputs = stamp::take(&plan.root, plan.today, plan.pdf);
    build_from(plan, inputs, started, None)
}

/// As [`build`], given the facts of its inputs taken just before (by
/// `serve`, whose look for changes took them already: at 100,000
/// decisions taking them again would double what each edit costs it),
/// and what the last build of this process left in `memory` (`serve`'s
/// builds follow one another: memory spares each the cache files' reading).
pub fn build_from(
    plan: &BuildPlan,
    inputs: stamp::Inputs,
    started: Instant,
    mut memory: Option<&mut cache::Memory>,
) -> Result<Built, Error> {
    let mut timings = Vec::new();
    let last = stamp::read(&plan.out);
    timings.push(("up-to-date check", started.elapsed()));
    let fingerprint = stamp::with_output(inputs.fingerprint(), &plan.out);
    if let Some(last) = last.clone().filter(|l| !plan.force && l.fingerprint == fingerprint) {
        let built = Built {
            checked: None,
            published: false,
            skipped: BTreeSet::new(),
            decisions: last.decisions,
            reports: Reports { published: last.reports, rendered: 0 },
            pages_made: 0,
            summaries: Vec::new(),
            terms: Vec::new(),
            index: None,
            up_to_date: Some(last),
            timings,
        };
        return Ok(built);
    }
    let started = Instant::now();
    plan.progress.stage("checking the register");
    // the check's results are kept only beside output of decreg's own: a
    // build into a folder it may not replace writes nothing there
    let keep = crate::output::may_be_ours(&plan.out.join("site"));
    let mut checks =
        cache::Checks::open(&plan.out, &plan.root, &inputs, keep, memory.as_deref_mut().map(|m| &mut m.checks))?;
    let checked = crate::check_light_since(&plan.root, plan.today, &mut checks)?;
    checks.finish(memory.as_deref_mut().map(|m| &mut m.checks))?;
    timings.push(("load and check", started.elapsed()));
    let skipped = checked.files_with_errors();
    if checked.has_errors() && !plan.keep_going {
        let (checked, up_to_date) = (Some(checked), None);
        return Ok(Built {
            checked,
            up_to_date,
            published: false,
            skipped,
            decisions: 0,
            reports: Reports::default(),
            pages_made: 0,
            summaries: Vec::new(),
            terms: Vec::new(),
            index: None,
            timings,
        });
    }
    let records: Vec<&Record> = checked.records.iter().filter(|r| !skipped.contains(&r.source)).collect();
    let decisions = records.len();
    stamp::clear(&plan.out);
    let pages = memory.map(|m| &mut m.pages);
    let reports = write_site(plan, &checked, &records, &inputs, pages, &mut timings);
    plan.progress.finish();
    let Written { reports, pages_made, summaries, terms, index } = reports?;
    if skipped.is_empty() {
        let warnings = diag::counts(&checked.diags).reported();
        let fingerprint = stamp::with_output(inputs.fingerprint(), &plan.out);
        stamp::write(&plan.out, &Stamp { fingerprint, decisions, reports: reports.published, warnings })?;
    }
    Ok(Built {
        checked: Some(checked),
        up_to_date: None,
        published: true,
        skipped,
        decisions,
        reports,
        pages_made,
        summaries,
        terms,
        index,
        timings,
    })
}

/// A folder to write, starting from the output of the build before last
/// (all of it written anew with `--force`).
fn start_folder(plan: &BuildPlan, folder: &str) -> Result<Staging, Error> {
    let staging = Staging::new(&plan.out.join(folder))?;
    Ok(if plan.force { staging.writing_everything() } else { staging })
}

/// The PDFs a build published.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reports {
    pub published: usize,
    /// Rendered anew (the rest came from the cache).
    pub rendered: usize,
}

/// What writing the site did.
struct Written {
    reports: Reports,
    /// Decision pages made anew (the rest were kept as they were).
    pages_made: usize,
    summaries: Vec<render_html::Summary>,
    terms: Vec<search::Terms>,
    index: Option<search::Index>,
}

/// Writes the site (and reports).
fn write_site(
    plan: &BuildPlan,
    checked: &Checked,
    records: &[&Record],
    inputs: &stamp::Inputs,
    memory: Option<&mut cache::PageMemory>,
    timings: &mut Vec<(&'static str, Duration)>,
) -> Result<Written, Error> {
    let stage = Instant::now();
    let staging = start_folder(plan, "site")?.with_progress(plan.progress.clone());
    let reports = if plan.pdf && cfg!(feature = "pdf") { Some(start_folder(plan, "reports")?) } else { None };
    let links = Links::new(records);
    let keys = cache::PageKeys::new(inputs.context, checked, &links);
    let mut kept_pages = None;
    let result = (|| {
        let mut renderer = Renderer::new(&plan.root, &checked.config, plan.today)?;
        renderer.context = inputs.context;
        renderer.pdf = reports.is_some();
        let reader = crate::Reader::new(&plan.root, checked, plan.today);
        render_html::write_assets(&staging, &checked.config)?;
        copy_documents(&plan.root, records, &staging)?;
        timings.push(("assets and documents", stage.elapsed()));
        plan.progress.stage("PDF reports");
        let (pdf_ids, rendered) = match &reports {
            Some(reports) => write_reports(plan, records, &links, &keys, &reader, &staging, reports, timings)?,
            None => (HashSet::new(), 0),
        };
        let stage = Instant::now();
        plan.progress.stage("decision pages");
        let mut index = search::IndexBuilder::default();
        let held = memory.as_deref();
        let sources = Sources { keys: &keys, held, earlier: cache::Earlier::open(&plan.out), reader: &reader };
        let mut keeper = cache::Keeper::new(&plan.out, sources.earlier.as_ref())?;
        let mut next = held.map(|_| cache::PageMemory::default());
        let mut in_order = Vec::new();
        let pages = render_html::write_decision_pages(
            &renderer,
            records,
            &links,
            &pdf_ids,
            &sources,
            &staging,
            &mut index,
            &mut |summary, key, terms| {
                if let Some(key) = key {
                    keeper.add(&summary.id, key, summary, &terms)?;
                }
                if let Some(next) = &mut next {
                    in_order.push(terms.clone());
                    if let Some(key) = key {
                        next.add(key, summary.clone(), terms);
                    }
                }
                Ok(())
            },
        )?;
        kept_pages = Some((keeper.finish()?, next));
        let summaries = pages.summaries;
        timings.push(("decision pages", stage.elapsed()));
        let stage = Instant::now();
        // The index first: unless serve holds it, its postings are freed
        // before listings render.
        plan.progress.stage("search index");
        let index = search::write_index(index, &summaries, &staging)?;
        let index = held.is_some().then_some(index);
        timings.push(("search index", stage.elapsed()));
        let stage = Instant::now();
        plan.progress.stage("listings, open data and statistics");
        let recipes = render_html::Recipes::new(&summaries);
        let plan = render_html::plan(&renderer, &summaries);
        render_html::write_plan(&renderer, plan, &summaries, &staging, &recipes)?;
        timings.push(("listings, open data and statistics", stage.elapsed()));
        let reports = Reports { published: pdf_ids.len(), rendered };
        Ok(Written { reports, pages_made: pages.made_anew, summaries, terms: in_order, index })
    })();
    match result {
        Ok(written) => {
            let stage = Instant::now();
            staging.publish()?;
            if let Some(reports) = reports {
                reports.publish()?;
            }
            if let Some((kept, next)) = kept_pages {
                kept.commit()?;
                if let (Some(memory), Some(next)) = (memory, next) {
                    *memory = next;
                }
            }
            timings.push(("publish", stage.elapsed()));
            Ok(written)
        }
        Err(e) => {
            staging.discard();
            if let Some(reports) = reports {
                reports.discard();
            }
            Err(e)
        }
    }
}

/// What the HTML stage takes from the build for decision pages.
struct Sources<'a> {
    keys: &'a cache::PageKeys<'a>,
    /// What the last build of this process made, held in memory.
    held: Option<&'a cache::PageMemory>,
    earlier: Option<cache::Earlier>,
    reader: &'a crate::Reader<'a>,
}

impl render_html::PageSources for Sources<'_> {
    fn key(&self, r: &Record, pdf: bool) -> Option<u64> {
        self.keys.page(r, pdf)
    }

    fn made(&self, id: &str, key: u64) -> Option<(render_html::Summary, search::Terms)> {
        self.held.and_then(|held| held.page(id, key)).or_else(|| self.earlier.as_ref()?.page(id, key))
    }

    fn whole<'r>(&self, r: &'r Record) -> Result<std::borrow::Cow<'r, Record>, Error> {
        self.reader.whole(r)
    }

    fn documents(&self) -> &crate::load::Documents {
        self.reader.documents()
    }
}

/// The PDFs: into the site (linked from decision pages) and into
/// `<out>/reports`; cached under `<out>/.cache/reports`.
#[cfg(feature = "pdf")]
#[allow(clippy::too_many_arguments)]
fn write_reports(
    plan: &BuildPlan,
    records: &[&Record],
    links: &Links<'_>,
    keys: &cache::PageKeys<'_>,
    reader: &crate::Reader<'_>,
    site: &Staging,
    reports: &Staging,
    timings: &mut Vec<(&'static str, Duration)>,
) -> Result<(HashSet<String>, usize), Error> {
    let stage = Instant::now();
    let cache = plan.out.join(".cache/reports");
    let into = crate::reports::ReportsOut { site, reports, keys };
    let pdf = crate::render_pdf::Pdf::new(&plan.root)?;
    let fresh = crate::reports::write_public_reports(&pdf, &cache, records, links, reader, &into)?;
    crate::reports::write_lists(&pdf, &cache, records, links, reader, &into, plan.today)?;
    timings.push(("PDF reports", stage.elapsed()));
    Ok((crate::reports::public_ids(records), fresh))
}

#[cfg(not(feature = "pdf"))]
#[allow(clippy::too_many_arguments)]
fn write_reports(
    _plan: &BuildPlan,
    _records: &[&Record],
    _links: &Links<'_>,
    _keys: &cache::PageKeys<'_>,
    _reader: &crate::Reader<'_>,
    _site: &Staging,
    _reports: &Staging,
    _timings: &mut Vec<(&'static str, Duration)>,
) -> Result<(HashSet<String>, usize), Error> {
    Ok((HashSet::new(), 0))
}

/// Copies the documents public records link to; exempt ones stay behind.
fn copy_documents(root: &Path, records: &[&Record], out: &Staging) -> Result<(), Error> {
    use rayon::prelude::*;
    let paths: BTreeSet<&str> = records.iter().flat_map(|r| public::copied_documents(r)).collect();
    crate::disk::install(|| {
        paths.into_par_iter().try_for_each(|path| {
            let from = root.join("documents").join(path);
            let Some(meta) = std::fs::metadata(&from).ok().filter(|m| m.is_file()) else { return Ok(()) };
            // a document is kept where the folder holds it copied from a
            // file of the same size and time
            let key = {
                use std::hash::{Hash, Hasher};
                let mut h = std::hash::DefaultHasher::new();
                stamp::file_facts(&meta).hash(&mut h);
                h.finish()
            };
            let rel = format!("documents/{path}");
            if out.holds(&rel, key) {
                out.keep(&rel, key)
            } else {
                out.copy_keyed(&rel, key, &from)
            }
        })
    })
}
