//! decreg: a UK council's register of decisions, checked against the law
//! and the council's rules, and published.
//!
//! The pipeline, one module a stage:
//! 1. [`config`] reads `register.yaml` (the council and its rules);
//! 2. [`load`] finds record files under `decisions/` and the files under
//!    `documents/`;
//! 3. [`records`] parses each file into a typed [`records::Record`];
//! 4. [`validate`] computes call-in dates and states and applies the rules,
//!    per record in parallel and then across records;
//! 5. [`public`] makes the public view of each record: the one gate that
//!    exempt information cannot pass;
//! 6. [`render_html`] renders pages, listings and open data from public
//!    views, [`search`] indexes them, `render_pdf` makes cabinet reports and
//!    decision notices through Typst (`reports` caches them), and
//!    [`output`] stages the site and swaps it into place ([`build`] orders
//!    these steps);
//! 7. [`listing`] shows the resolved records to officers (`list`, `show`).
//!
//! Every content problem is a [`diag::Diagnostic`] with file, line and
//! column; stages return them beside their output.

// The record schema (authoring.rs) is one large serde_json::json! literal.
#![recursion_limit = "256"]

pub mod authoring;
pub mod build;
pub mod cli;
pub mod config;
pub mod diag;
pub mod listing;
pub mod load;
pub mod markdown;
pub mod output;
pub mod public;
pub mod records;
pub mod render_html;
#[cfg(feature = "pdf")]
pub mod render_pdf;
#[cfg(feature = "pdf")]
pub mod reports;
pub mod search;
pub mod serve;
pub mod stamp;
pub mod validate;
pub mod yaml;

use chrono::NaiveDate;
use config::Config;
use diag::Diagnostic;
use rayon::prelude::*;
use records::Record;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use validate::{workdays::Calendar, Context, LinkPositions};

/// A loaded and checked register.
pub struct Checked {
    pub config: Config,
    /// Every record that could be identified, in file order.
    pub records: Vec<Record>,
    /// Every problem found, sorted by file and line.
    pub diags: Vec<Diagnostic>,
    /// How many record files were read.
    pub files: usize,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diags.iter().any(Diagnostic::is_error)
    }

    /// The files with at least one error: the records a build must skip.
    pub fn files_with_errors(&self) -> BTreeSet<PathBuf> {
        self.diags.iter().filter(|d| d.is_error()).map(|d| d.path.clone()).collect()
    }
}

/// Loads and checks the register at `root` as of `today`.
pub fn check(root: &Path, today: NaiveDate) -> Result<Checked, load::Error> {
    let (config, mut diags) =
        Config::from_root(root).map_err(|e| load::Error::io(&root.join(config::FILE_NAME), &e))?;
    let found = load::find_records(root)?;
    diags.extend(found.diags);
    let documents = load::Documents::scan(root);
    let calendar = Calendar::new(config.bank_holidays, &config.closures);
    let ctx = Context { config: &config, calendar: &calendar, today, documents: &documents };
    let loaded: Vec<Loaded> = found.files.par_iter().map(|rel| load_one(root, rel, &ctx)).collect();
    let mut records = Vec::with_capacity(loaded.len());
    for (record, d) in loaded {
        diags.extend(d);
        records.extend(record);
    }
    diags.extend(validate::check_register(&records));
    diag::sort(&mut diags);
    Ok(Checked { config, records: records.into_iter().map(|(r, _)| r).collect(), diags, files: found.files.len() })
}

/// One file's outcome: its record (if identified) and its problems.
type Loaded = (Option<(Record, LinkPositions)>, Vec<Diagnostic>);

/// Reads, parses and checks one record file.
fn load_one(root: &Path, rel: &Path, ctx: &Context<'_>) -> Loaded {
    let bytes = match load::read_record_file(root, rel, ctx.config.max_record_bytes) {
        Ok(b) => b,
        Err(d) => return (None, vec![d]),
    };
    let parsed = records::parse_record(&bytes, rel, ctx.config);
    let mut diags = parsed.diags;
    let record = parsed.record.map(|mut r| {
        diags.extend(validate::check_record(&mut r, &parsed.locations, ctx));
        (r, LinkPositions::from(&parsed.locations))
    });
    (record, diags)
}
