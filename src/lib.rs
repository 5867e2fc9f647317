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
//!    these steps). A build starts from the output of the build before
//!    last and keeps each file it holds as made from the same key;
//!    [`cache`] keeps, in decreg's own format, what the next build needs
//!    to know of this one (each record file's check, each page's summary
//!    and search terms), so that it reads and makes only what changed;
//! 7. [`listing`] shows the resolved records to officers (`list`, `show`);
//!    [`serve`] previews the site as it is built, and [`preview`] shows an
//!    edit of records from what the last build published, by the same
//!    recipes ([`render_html::plan`]) and with the last build's search
//!    index edited ([`search::Index::edited`], the way every build makes
//!    its index from an empty one), until the build behind it is done.
//!
//! Every content problem is a [`diag::Diagnostic`] with file, line and
//! column; stages return them beside their output.

// The record schema (authoring.rs) is one large serde_json::json! literal.
#![recursion_limit = "256"]

pub mod audit;
pub mod authoring;
pub mod build;
pub mod cache;
pub mod cli;
pub mod config;
pub mod diag;
pub mod disk;
pub mod import;
pub mod listing;
pub mod load;
pub mod markdown;
pub mod meetings;
pub mod output;
pub mod preview;
pub mod public;
pub mod records;
pub mod render_html;
#[cfg(feature = "pdf")]
pub mod render_pdf;
#[cfg(feature = "pdf")]
pub mod reports;
pub mod rulebook;
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
use rustc_hash::FxHashMap;
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
    /// The files under `documents/`, as the rules saw them.
    pub documents: load::Documents,
    /// Of each record whose text [`check_light`] dropped, its file as it
    /// was checked: [`Reader::whole`] takes back only the text of a file
    /// still so, and a build knows by it which pages it made before.
    pub(crate) checked_files: FxHashMap<PathBuf, CheckedFile>,
}

/// A record file as it was checked: its length and a hash of its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CheckedFile {
    pub len: usize,
    pub hash: u64,
}

impl CheckedFile {
    fn of(bytes: &[u8]) -> CheckedFile {
        CheckedFile { len: bytes.len(), hash: file_hash(bytes) }
    }
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
    check_keeping(root, today, true, None)
}

/// Loads and checks the register, keeping no record's section text: a
/// build of 100,000 decisions then holds a few hundred bytes a record, and
/// reads each record again with [`Reader`] when it renders it.
pub fn check_light(root: &Path, today: NaiveDate) -> Result<Checked, load::Error> {
    check_keeping(root, today, false, None)
}

/// [`check_light`], taking from `checks` the results of files as they were
/// when an earlier build checked them, and keeping there this check's.
pub fn check_light_since(root: &Path, today: NaiveDate, checks: &mut cache::Checks) -> Result<Checked, load::Error> {
    check_keeping(root, today, false, Some(checks))
}

fn check_keeping(
    root: &Path,
    today: NaiveDate,
    keep_text: bool,
    checks: Option<&mut cache::Checks>,
) -> Result<Checked, load::Error> {
    let (config, mut diags) =
        Config::from_root(root).map_err(|e| load::Error::io(&root.join(config::FILE_NAME), &e))?;
    let found = load::find_records(root)?;
    diags.extend(found.diags);
    let documents = load::Documents::scan(root);
    let calendar = Calendar::new(config.bank_holidays, &config.closures);
    let ctx = Context { config: &config, calendar: &calendar, today, documents: &documents };
    let loaded = load_all(root, &found.files, &ctx, keep_text, checks);
    let mut records = Vec::with_capacity(loaded.len());
    let mut checked_files = FxHashMap::default();
    for FileChecked { loaded: (record, d), file } in loaded.into_iter().flatten() {
        diags.extend(d);
        if let (Some((r, _)), Some(file)) = (&record, file) {
            checked_files.insert(r.source.clone(), file);
        }
        records.extend(record);
    }
    diags.extend(validate::check_register(&records));
    validate::enforce::silence(&mut diags, &config.rules);
    diag::sort(&mut diags);
    let records = records.into_iter().map(|(r, _)| r).collect();
    Ok(Checked { config, records, diags, files: found.files.len(), documents, checked_files })
}

/// One file checked: what it gave, and its bytes as checked.
struct FileChecked {
    loaded: Loaded,
    file: Option<CheckedFile>,
}

/// Files read and checked at a time: the results' lines for the cache are
/// written a batch at a time rather than held (160 MB at 100,000).
const LOAD_BATCH: usize = 4096;

/// Reads and checks the record files, in parallel, but those `checks`
/// holds as they are (it keeps what this check makes of the others). One
/// slot a file, in order; `None` for none (a file cannot fail to give one).
fn load_all(
    root: &Path,
    files: &[PathBuf],
    ctx: &Context<'_>,
    keep_text: bool,
    mut checks: Option<&mut cache::Checks>,
) -> Vec<Option<FileChecked>> {
    let mut slots: Vec<Option<FileChecked>> = match checks.as_deref_mut() {
        Some(checks) => checks
            .take_all(files)
            .into_iter()
            .map(|taken| taken.map(|(loaded, file)| FileChecked { loaded, file: Some(file) }))
            .collect(),
        None => files.iter().map(|_| None).collect(),
    };
    let load = |rel: &PathBuf| match keep_text {
        true => FileChecked { loaded: load_one(root, rel, ctx), file: None },
        false => {
            let (loaded, file) = load_light(root, rel, ctx);
            FileChecked { loaded, file }
        }
    };
    for (batch, chunk) in slots.chunks_mut(LOAD_BATCH).enumerate() {
        let keeping = checks.as_deref();
        let lines: Vec<cache::KeptLine> = disk::install(|| {
            chunk
                .par_iter_mut()
                .enumerate()
                .filter(|(_, slot)| slot.is_none())
                .filter_map(|(j, slot)| {
                    let rel = &files[batch * LOAD_BATCH + j];
                    let done = load(rel);
                    let line = keeping.and_then(|c| c.line(rel, &done.loaded, done.file));
                    *slot = Some(done);
                    line
                })
                .collect()
        });
        if let Some(checks) = checks.as_deref_mut() {
            lines.into_iter().for_each(|line| checks.keep(line));
        }
    }
    slots
}

/// Empties every section's text, keeping its heading and kind.
fn drop_text(r: &mut Record) {
    for s in &mut r.sections {
        s.body = String::new();
    }
}

/// Reads checked records again, with their text, as they are rendered.
pub struct Reader<'a> {
    root: &'a Path,
    config: &'a Config,
    calendar: Calendar,
    documents: &'a load::Documents,
    today: NaiveDate,
    checked_files: &'a FxHashMap<PathBuf, CheckedFile>,
}

impl<'a> Reader<'a> {
    /// A reader of the records `checked` holds, with the same documents
    /// and day the check used.
    pub fn new(root: &'a Path, checked: &'a Checked, today: NaiveDate) -> Self {
        let config = &checked.config;
        let calendar = Calendar::new(config.bank_holidays, &config.closures);
        Reader { root, config, calendar, documents: &checked.documents, today, checked_files: &checked.checked_files }
    }

    pub fn root(&self) -> &Path {
        self.root
    }

    pub fn config(&self) -> &Config {
        self.config
    }

    /// The files under `documents/`.
    pub fn documents(&self) -> &load::Documents {
        self.documents
    }

    /// The record, whole, as [`check`] would give it: read again when
    /// [`check_light`] dropped its text. A file changed since it was
    /// checked (an edit during the build) is an error: the build stops,
    /// and the next one checks the edit.
    pub fn whole<'r>(&self, checked: &'r Record) -> Result<std::borrow::Cow<'r, Record>, load::Error> {
        if checked.sections.is_empty() || checked.sections.iter().any(|s| !s.body.is_empty()) {
            return Ok(std::borrow::Cow::Borrowed(checked));
        }
        if let Some(r) = self.text_of_unchanged(checked) {
            return Ok(std::borrow::Cow::Owned(r));
        }
        let ctx =
            Context { config: self.config, calendar: &self.calendar, today: self.today, documents: self.documents };
        let changed = || load::Error {
            path: checked.source.clone(),
            what: "this record changed while the site was being built; nothing was published: build again".into(),
        };
        let (record, diags) = load_one(self.root, &checked.source, &ctx);
        let Some((mut r, _)) = record.filter(|_| !diags.iter().any(Diagnostic::is_error)) else {
            return Err(changed());
        };
        // the same record but for its text
        let bodies: Vec<String> = r.sections.iter_mut().map(|s| std::mem::take(&mut s.body)).collect();
        if r != *checked {
            return Err(changed());
        }
        for (s, body) in r.sections.iter_mut().zip(bodies) {
            s.body = body;
        }
        Ok(std::borrow::Cow::Owned(r))
    }

    /// The record with its sections' text, when its file is a Markdown one
    /// still byte for byte as it was checked: then only the body is split
    /// again, as the check split it, and the fields, rules and dates the
    /// check worked out stand (reading them again is most of a page's cost
    /// at 100,000 decisions). `None` sends the caller the long way.
    fn text_of_unchanged(&self, checked: &Record) -> Option<Record> {
        if checked.format != records::Format::Markdown {
            return None;
        }
        let file = *self.checked_files.get(&checked.source)?;
        let bytes = load::read_record_file(self.root, &checked.source, self.config.max_record_bytes).ok()?;
        if CheckedFile::of(&bytes) != file {
            return None;
        }
        let text = records::text::decode(&bytes, &checked.source).ok()?;
        let split = records::text::split_front_matter(&text, &checked.source).ok()?;
        let sections = records::sections::split_markdown(split.body, split.body_line);
        let same = sections.len() == checked.sections.len()
            && sections.iter().zip(&checked.sections).all(|(a, b)| a.heading == b.heading && a.line == b.line);
        if !same {
            return None;
        }
        let mut whole = checked.clone();
        for (s, read) in whole.sections.iter_mut().zip(sections) {
            s.body = read.body;
        }
        Some(whole)
    }
}

/// A record file's bytes as a hash: the same file read twice in one build,
/// and the pages made from it (SipHash, not the fast hash: a hash two
/// contents shared would keep a stale page).
fn file_hash(bytes: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = std::hash::DefaultHasher::new();
    h.write(bytes);
    h.finish()
}

/// One file's outcome: its record (if identified) and its problems.
pub(crate) type Loaded = (Option<(Record, LinkPositions)>, Vec<Diagnostic>);

/// Reads, parses and checks one record file.
pub(crate) fn load_one(root: &Path, rel: &Path, ctx: &Context<'_>) -> Loaded {
    match load::read_record_file(root, rel, ctx.config.max_record_bytes) {
        Ok(bytes) => load_bytes(&bytes, rel, ctx),
        Err(d) => (None, vec![d]),
    }
}

/// [`load_one`] for [`check_light`]: the record without its text, and its
/// file's length and hash, by which [`Reader::whole`] knows the file
/// unchanged.
fn load_light(root: &Path, rel: &Path, ctx: &Context<'_>) -> (Loaded, Option<CheckedFile>) {
    let bytes = match load::read_record_file(root, rel, ctx.config.max_record_bytes) {
        Ok(bytes) => bytes,
        Err(d) => return ((None, vec![d]), None),
    };
    let (mut record, diags) = load_bytes(&bytes, rel, ctx);
    let mut file = None;
    if let Some((r, _)) = &mut record {
        drop_text(r);
        file = Some(CheckedFile::of(&bytes));
    }
    ((record, diags), file)
}

/// Parses and checks one record file's bytes.
fn load_bytes(bytes: &[u8], rel: &Path, ctx: &Context<'_>) -> Loaded {
    let parsed = records::parse_record(bytes, rel, ctx.config);
    let mut diags = parsed.diags;
    let record = parsed.record.map(|mut r| {
        diags.extend(validate::check_record(&mut r, &parsed.locations, ctx));
        validate::enforce_record(&r, &mut diags, ctx);
        (r, LinkPositions::from(&parsed.locations))
    });
    (record, diags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn register() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/forms");
        for name in ["register.yaml", "decisions/as-markdown.md", "decisions/as-yaml.yaml"] {
            let to = dir.path().join(name);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(from.join(name), to).unwrap();
        }
        dir
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    /// The register checked whole and light.
    fn checked_both_ways(dir: &Path) -> (Checked, Checked) {
        (check(dir, today()).unwrap(), check_light(dir, today()).unwrap())
    }

    #[test]
    fn a_light_check_keeps_no_text_and_the_reader_brings_it_back_whole() {
        let dir = register();
        let (full, light) = checked_both_ways(dir.path());
        assert_eq!(full.diags, light.diags);
        let reader = Reader::new(dir.path(), &light, today());
        for (whole, lean) in full.records.iter().zip(&light.records) {
            assert!(lean.sections.iter().all(|s| s.body.is_empty()));
            assert!(whole.sections.iter().any(|s| !s.body.is_empty()));
            assert_eq!(&*reader.whole(lean).unwrap(), whole);
        }
    }

    #[test]
    fn only_an_unchanged_markdown_file_has_its_text_taken_back_alone() {
        let dir = register();
        let (full, light) = checked_both_ways(dir.path());
        let reader = Reader::new(dir.path(), &light, today());
        let of = |name: &str| light.records.iter().position(|r| r.source.ends_with(name)).unwrap();
        let (md, yaml) = (of("as-markdown.md"), of("as-yaml.yaml"));
        assert_eq!(reader.text_of_unchanged(&light.records[md]).as_ref(), Some(&full.records[md]));
        // YAML sections are values: read the long way
        assert_eq!(reader.text_of_unchanged(&light.records[yaml]), None);
        // an edit to the text that keeps its length, its headings and lines
        let path = dir.path().join("decisions/as-markdown.md");
        let text = std::fs::read_to_string(&path).unwrap();
        let i = text.rfind(|c: char| c.is_ascii_lowercase() && c != 'z').unwrap();
        let swapped = format!("{}z{}", &text[..i], &text[i + 1..]);
        assert_eq!(swapped.len(), text.len());
        std::fs::write(&path, swapped).unwrap();
        assert_eq!(reader.text_of_unchanged(&light.records[md]), None);
    }

    #[test]
    fn a_record_edited_during_a_build_stops_it() {
        let dir = register();
        let light = check_light(dir.path(), today()).unwrap();
        let path = dir.path().join("decisions/as-markdown.md");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replacen("title: ", "title: Edited ", 1)).unwrap();
        let reader = Reader::new(dir.path(), &light, today());
        let edited = light.records.iter().find(|r| r.source.ends_with("as-markdown.md")).unwrap();
        let err = reader.whole(edited).unwrap_err();
        assert!(err.what.contains("changed while the site was being built"), "{}", err.what);
    }
}
