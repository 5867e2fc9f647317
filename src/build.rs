//! `decreg build`: check, then render the public register into a staged
//! folder and swap it into place. With errors nothing is published unless
//! `--keep-going`, and then every skipped record is named.

use crate::load::{Documents, Error};
use crate::output::{Progress, Staging};
use crate::records::Record;
use crate::render_html::{self, Renderer, SiteView};
use crate::{public, search, Checked};
use chrono::NaiveDate;
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A checked plan for one build.
pub struct BuildPlan {
    pub root: PathBuf,
    /// The output folder; the site goes to `<out>/site`.
    pub out: PathBuf,
    pub today: NaiveDate,
    pub keep_going: bool,
    /// Render PDF reports (and link them from decision pages).
    pub pdf: bool,
    /// Where to show progress (a bar on a terminal, nothing otherwise).
    pub progress: Arc<dyn Progress>,
}

/// What a build did.
pub struct Built {
    pub checked: Checked,
    /// Whether the site was published (swapped into place).
    pub published: bool,
    /// Record files left out because they have errors.
    pub skipped: BTreeSet<PathBuf>,
    pub decisions: usize,
    /// PDFs published, and how many of them were rendered anew (the rest
    /// came from the cache).
    pub reports: (usize, usize),
    pub timings: Vec<(&'static str, Duration)>,
}

pub fn build(plan: &BuildPlan) -> Result<Built, Error> {
    let mut timings = Vec::new();
    let started = Instant::now();
    plan.progress.stage("checking the register");
    let checked = crate::check(&plan.root, plan.today)?;
    timings.push(("load and check", started.elapsed()));
    let skipped = checked.files_with_errors();
    if checked.has_errors() && !plan.keep_going {
        return Ok(Built { checked, published: false, skipped, decisions: 0, reports: (0, 0), timings });
    }
    let records: Vec<&Record> = checked.records.iter().filter(|r| !skipped.contains(&r.source)).collect();
    let decisions = records.len();
    let reports = write_site(plan, &checked, &records, &mut timings);
    plan.progress.finish();
    let reports = reports?;
    Ok(Built { checked, published: true, skipped, decisions, reports, timings })
}

/// Writes the site (and reports); returns (PDFs, PDFs rendered anew).
fn write_site(
    plan: &BuildPlan,
    checked: &Checked,
    records: &[&Record],
    timings: &mut Vec<(&'static str, Duration)>,
) -> Result<(usize, usize), Error> {
    let stage = Instant::now();
    let staging = Staging::new(&plan.out.join("site"))?.with_progress(plan.progress.clone());
    let reports = if plan.pdf && cfg!(feature = "pdf") { Some(Staging::new(&plan.out.join("reports"))?) } else { None };
    let result = (|| {
        let tera = render_html::templates(&plan.root)?;
        let renderer = Renderer {
            tera,
            site: SiteView::new(&checked.config, plan.today),
            config: &checked.config,
            template_dir: plan.root.join("templates/html"),
        };
        let documents = Documents::scan(&plan.root);
        render_html::write_assets(&staging, &checked.config)?;
        copy_documents(&plan.root, records, &staging)?;
        timings.push(("assets and documents", stage.elapsed()));
        plan.progress.stage("PDF reports");
        let (pdf_ids, rendered) = match &reports {
            Some(reports) => write_reports(plan, checked, records, &documents, &staging, reports, timings)?,
            None => (HashSet::new(), 0),
        };
        let stage = Instant::now();
        plan.progress.stage("decision pages");
        let pages = render_html::write_decision_pages(&renderer, records, &documents, &pdf_ids, &staging)?;
        timings.push(("decision pages", stage.elapsed()));
        let (summaries, entries): (Vec<_>, Vec<_>) = pages.into_iter().unzip();
        let stage = Instant::now();
        plan.progress.stage("listings and open data");
        render_html::write_listings(&renderer, &summaries, &staging)?;
        render_html::write_open_data(&renderer, &summaries, &staging)?;
        timings.push(("listings and open data", stage.elapsed()));
        let stage = Instant::now();
        plan.progress.stage("search index");
        search::write_index(entries, &checked.config.language, &staging)?;
        timings.push(("search index", stage.elapsed()));
        Ok((pdf_ids.len(), rendered))
    })();
    match result {
        Ok(counts) => {
            let stage = Instant::now();
            staging.publish()?;
            if let Some(reports) = reports {
                reports.publish()?;
            }
            timings.push(("publish", stage.elapsed()));
            Ok(counts)
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

/// The PDFs: into the site (linked from decision pages) and into
/// `<out>/reports`; cached under `<out>/.cache/reports`.
#[cfg(feature = "pdf")]
fn write_reports(
    plan: &BuildPlan,
    checked: &Checked,
    records: &[&Record],
    documents: &Documents,
    site: &Staging,
    reports: &Staging,
    timings: &mut Vec<(&'static str, Duration)>,
) -> Result<(HashSet<String>, usize), Error> {
    let stage = Instant::now();
    let cache = plan.out.join(".cache/reports");
    let fresh =
        crate::reports::write_public_reports(&plan.root, &cache, records, &checked.config, documents, site, reports)?;
    timings.push(("PDF reports", stage.elapsed()));
    Ok((crate::reports::public_ids(records), fresh))
}

#[cfg(not(feature = "pdf"))]
fn write_reports(
    _plan: &BuildPlan,
    _checked: &Checked,
    _records: &[&Record],
    _documents: &Documents,
    _site: &Staging,
    _reports: &Staging,
    _timings: &mut Vec<(&'static str, Duration)>,
) -> Result<(HashSet<String>, usize), Error> {
    Ok((HashSet::new(), 0))
}

/// Copies the documents public records link to; exempt ones stay behind.
fn copy_documents(root: &Path, records: &[&Record], out: &Staging) -> Result<(), Error> {
    let paths: BTreeSet<&str> = records.iter().flat_map(|r| public::copied_documents(r)).collect();
    for path in paths {
        let from = root.join("documents").join(path);
        if from.is_file() {
            out.copy(&format!("documents/{path}"), &from)?;
        }
    }
    Ok(())
}
