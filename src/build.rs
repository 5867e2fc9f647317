//! `decreg build`: check, then render the public register into a staged
//! folder and swap it into place. With errors nothing is published unless
//! `--keep-going`, and then every skipped record is named.

use crate::load::{Documents, Error};
use crate::output::Staging;
use crate::records::Record;
use crate::render_html::{self, Renderer, SiteView};
use crate::{public, search, Checked};
use chrono::NaiveDate;
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A checked plan for one build.
pub struct BuildPlan {
    pub root: PathBuf,
    /// The output folder; the site goes to `<out>/site`.
    pub out: PathBuf,
    pub today: NaiveDate,
    pub keep_going: bool,
}

/// What a build did.
pub struct Built {
    pub checked: Checked,
    /// Whether the site was published (swapped into place).
    pub published: bool,
    /// Record files left out because they have errors.
    pub skipped: BTreeSet<PathBuf>,
    pub decisions: usize,
    pub timings: Vec<(&'static str, Duration)>,
}

pub fn build(plan: &BuildPlan) -> Result<Built, Error> {
    let mut timings = Vec::new();
    let started = Instant::now();
    let checked = crate::check(&plan.root, plan.today)?;
    timings.push(("load and check", started.elapsed()));
    let skipped = checked.files_with_errors();
    if checked.has_errors() && !plan.keep_going {
        return Ok(Built { checked, published: false, skipped, decisions: 0, timings });
    }
    let records: Vec<&Record> = checked.records.iter().filter(|r| !skipped.contains(&r.source)).collect();
    let decisions = records.len();
    write_site(plan, &checked, &records, &mut timings)?;
    Ok(Built { checked, published: true, skipped, decisions, timings })
}

fn write_site(
    plan: &BuildPlan,
    checked: &Checked,
    records: &[&Record],
    timings: &mut Vec<(&'static str, Duration)>,
) -> Result<(), Error> {
    let stage = Instant::now();
    let staging = Staging::new(&plan.out.join("site"))?;
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
        let pages = render_html::write_decision_pages(&renderer, records, &documents, &HashSet::new(), &staging)?;
        timings.push(("decision pages", stage.elapsed()));
        let (summaries, entries): (Vec<_>, Vec<_>) = pages.into_iter().unzip();
        let stage = Instant::now();
        render_html::write_listings(&renderer, &summaries, &staging)?;
        render_html::write_open_data(&renderer, &summaries, &staging)?;
        timings.push(("listings and open data", stage.elapsed()));
        let stage = Instant::now();
        search::write_index(entries, &checked.config.language, &staging)?;
        timings.push(("search index", stage.elapsed()));
        Ok(())
    })();
    match result {
        Ok(()) => {
            let stage = Instant::now();
            staging.publish()?;
            timings.push(("publish", stage.elapsed()));
            Ok(())
        }
        Err(e) => {
            staging.discard();
            Err(e)
        }
    }
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
