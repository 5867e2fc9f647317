//! What a build made of each decision, kept for the next build in
//! decreg's own format (nothing published is read back): the decision's
//! summary and search terms, under the key of everything its page was
//! made from. A build whose staging folder holds a decision's page as
//! made from the same key takes these instead of reading the record's
//! text and rendering its page again: the page, its listings entry and
//! its search terms would come out the same.
//!
//! `<out>/.cache/pages/`: `index.bin` (each decision's id, key and where
//! its entry is) and `entries.bin` (the entries one after another, in
//! listing order). A build writes both anew beside the old (`*.new`) and
//! puts them in place only after it has published.

use crate::load::Error;
use crate::public::Links;
use crate::records::Record;
use crate::render_html::Summary;
use crate::search::Terms;
use rustc_hash::{FxHashMap, FxHasher};
use serde::{Deserialize, Serialize};
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

const DIR: &str = ".cache/pages";

/// What a decision's page is made from, as one number: decreg, the
/// options, the day, the register's settings, templates and documents
/// (`context`), the record file's bytes, and the titles of the records
/// the page links to.
pub struct PageKeys<'a> {
    context: u64,
    files: &'a FxHashMap<PathBuf, crate::CheckedFile>,
    links: &'a Links<'a>,
}

impl<'a> PageKeys<'a> {
    /// The keys of the pages of `checked`'s records, for a build whose
    /// other inputs are `context` (see `stamp::Inputs::context`).
    pub fn new(context: u64, checked: &'a crate::Checked, links: &'a Links<'a>) -> Self {
        PageKeys { context, files: &checked.checked_files, links }
    }

    /// The key of `r`'s page with or without a PDF; `None` when its
    /// file's bytes are not known (the page is then always made).
    pub fn page(&self, r: &Record, pdf: bool) -> Option<u64> {
        let file = self.files.get(&r.source)?;
        let mut h = FxHasher::default();
        (self.context, &r.source, file.len, file.hash, pdf).hash(&mut h);
        for id in self.links.shown_by(r) {
            (id, self.links.title(id)).hash(&mut h);
        }
        self.links.superseded_by(&r.id).hash(&mut h);
        Some(h.finish())
    }

    /// The key of `r`'s PDF.
    pub fn report(&self, r: &Record) -> Option<u64> {
        let mut h = FxHasher::default();
        ("report", self.page(r, true)?).hash(&mut h);
        Some(h.finish())
    }
}

/// Where one decision's entry is in `entries.bin`.
#[derive(Serialize, Deserialize)]
struct Slot {
    id: String,
    key: u64,
    at: u64,
    len: u32,
}

/// The entries an earlier build kept, read one at a time as the pages
/// they stand for are taken.
pub struct Earlier {
    slots: FxHashMap<String, (u64, u64, u32)>,
    entries: std::fs::File,
}

/// A decision's entry: the length of its summary as 4 bytes, the summary
/// (bincode), then its search terms as bytes (see `search::Terms`).
fn entry(summary: &Summary, terms: &Terms) -> bincode::Result<Vec<u8>> {
    let summary = bincode::serialize(summary)?;
    let mut out = Vec::with_capacity(4 + summary.len() + terms.as_bytes().len());
    out.extend_from_slice(&(summary.len() as u32).to_le_bytes());
    out.extend_from_slice(&summary);
    out.extend_from_slice(terms.as_bytes());
    Ok(out)
}

/// The summary and terms of an entry [`entry`] made.
fn read_entry(mut bytes: Vec<u8>) -> Option<(Summary, Terms)> {
    let len = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?) as usize;
    let summary = bincode::deserialize(bytes.get(4..4 + len)?).ok()?;
    let terms = bytes.split_off(4 + len);
    Some((summary, Terms::from_bytes(terms)?))
}

impl Earlier {
    /// The cache the last build left in `out`, if it left one that reads.
    pub fn open(out: &Path) -> Option<Earlier> {
        let dir = out.join(DIR);
        let index = std::fs::read(dir.join("index.bin")).ok()?;
        let slots: Vec<Slot> = bincode::deserialize(&index).ok()?;
        let path = dir.join("entries.bin");
        let entries = std::fs::File::open(&path).ok()?;
        let slots = slots.into_iter().map(|s| (s.id, (s.key, s.at, s.len))).collect();
        Some(Earlier { slots, entries })
    }

    /// The summary and terms of `id`'s page as made from `key`, if kept.
    pub fn page(&self, id: &str, key: u64) -> Option<(Summary, Terms)> {
        let &(kept, at, len) = self.slots.get(id)?;
        if kept != key {
            return None;
        }
        let mut bytes = vec![0; len as usize];
        read_at(&self.entries, &mut bytes, at).ok()?;
        read_entry(bytes)
    }
}

#[cfg(unix)]
fn read_at(file: &std::fs::File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
}

#[cfg(windows)]
fn read_at(file: &std::fs::File, mut buf: &mut [u8], mut at: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        let n = file.seek_read(buf, at)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf = &mut buf[n..];
        at += n as u64;
    }
    Ok(())
}

/// The cache a build makes as it goes, decision by decision in listing
/// order; in place only with [`Keeper::commit`].
pub struct Keeper {
    dir: PathBuf,
    entries: std::io::BufWriter<std::fs::File>,
    slots: Vec<Slot>,
    at: u64,
}

impl Keeper {
    pub fn new(out: &Path) -> Result<Keeper, Error> {
        let dir = out.join(DIR);
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, &e))?;
        let path = dir.join("entries.bin.new");
        let file = std::fs::File::create(&path).map_err(|e| Error::io(&path, &e))?;
        Ok(Keeper { dir, entries: std::io::BufWriter::new(file), slots: Vec::new(), at: 0 })
    }

    /// Keeps what `id`'s page, made from `key`, gave.
    pub fn add(&mut self, id: &str, key: u64, summary: &Summary, terms: &Terms) -> Result<(), Error> {
        let path = self.dir.join("entries.bin.new");
        let bytes = entry(summary, terms).map_err(|e| Error { path: path.clone(), what: e.to_string() })?;
        self.entries.write_all(&bytes).map_err(|e| Error::io(&path, &e))?;
        self.slots.push(Slot { id: id.to_string(), key, at: self.at, len: bytes.len() as u32 });
        self.at += bytes.len() as u64;
        Ok(())
    }

    /// Writes the index beside the entries; both still `*.new`.
    pub fn finish(mut self) -> Result<Kept, Error> {
        let path = self.dir.join("entries.bin.new");
        self.entries.flush().map_err(|e| Error::io(&path, &e))?;
        let index = self.dir.join("index.bin.new");
        let bytes = bincode::serialize(&self.slots).map_err(|e| Error { path: index.clone(), what: e.to_string() })?;
        std::fs::write(&index, bytes).map_err(|e| Error::io(&index, &e))?;
        Ok(Kept { dir: self.dir })
    }
}

/// A cache written whole, not yet in place.
pub struct Kept {
    dir: PathBuf,
}

impl Kept {
    /// Puts the cache in place of the last one: after the site it
    /// describes was published (a cache newer than the site it stands
    /// beside would only make the next build render more than it must).
    pub fn commit(self) -> Result<(), Error> {
        // the old index goes first: entries without an index are no cache,
        // where an old index over new entries would misread them
        let index = self.dir.join("index.bin");
        match std::fs::remove_file(&index) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::io(&index, &e)),
            _ => {}
        }
        for name in ["entries.bin", "index.bin"] {
            let (from, to) = (self.dir.join(format!("{name}.new")), self.dir.join(name));
            std::fs::rename(&from, &to).map_err(|e| Error::io(&to, &e))?;
        }
        Ok(())
    }
}

/// Where the check's results are kept, one line a record file.
const CHECKS: &str = ".cache/checks.jsonl";

/// What the check made of one record file, kept by the file's size and
/// time: a file still so is not read again (at 100,000 decisions reading
/// and checking every file was most of a build after a small change).
#[derive(Serialize, Deserialize)]
struct Checked {
    source: PathBuf,
    /// The file's size and modification time, as `stamp` takes them.
    facts: String,
    len: usize,
    hash: u64,
    record: KeptRecord,
    /// The file's own problems (those across records are found again).
    diags: Vec<crate::diag::Diagnostic>,
}

/// A checked record without its text, with what its JSON form leaves out.
#[derive(Serialize, Deserialize)]
struct KeptRecord {
    record: Record,
    positions: crate::validate::LinkPositions,
    format: crate::records::Format,
    effective_from_given: Option<chrono::NaiveDate>,
    subject_given: Option<bool>,
    deadline_given: Option<chrono::NaiveDate>,
    section_lines: Vec<u32>,
}

impl KeptRecord {
    fn of(r: &Record, positions: &crate::validate::LinkPositions) -> KeptRecord {
        KeptRecord {
            record: r.clone(),
            positions: positions.clone(),
            format: r.format,
            effective_from_given: r.effective_from_given,
            subject_given: r.call_in.subject_given,
            deadline_given: r.call_in.deadline_given,
            section_lines: r.sections.iter().map(|s| s.line).collect(),
        }
    }

    fn into_record(self) -> (Record, crate::validate::LinkPositions) {
        let mut r = self.record;
        r.format = self.format;
        r.effective_from_given = self.effective_from_given;
        r.call_in.subject_given = self.subject_given;
        r.call_in.deadline_given = self.deadline_given;
        for (s, line) in r.sections.iter_mut().zip(self.section_lines) {
            s.line = line;
        }
        (r, self.positions)
    }
}

/// Lines of the kept file parsed at a time.
const READ_BATCH: usize = 4096;

/// The results kept at `path` by a check with the same `context`, of the
/// files whose `facts` are still as they were, each with its line's number
/// (after the header); read a batch of lines at a time.
fn read_kept(path: &Path, context: u64, facts: &FxHashMap<PathBuf, String>) -> FxHashMap<PathBuf, (Checked, usize)> {
    use rayon::prelude::*;
    use std::io::BufRead;
    let mut earlier = FxHashMap::default();
    let Ok(file) = std::fs::File::open(path) else { return earlier };
    let mut lines = std::io::BufReader::new(file).lines().map_while(Result::ok).enumerate();
    if lines.next().and_then(|(_, header)| header.parse::<u64>().ok()) != Some(context) {
        return earlier;
    }
    loop {
        let batch: Vec<(usize, String)> = lines.by_ref().take(READ_BATCH).map(|(n, l)| (n - 1, l)).collect();
        if batch.is_empty() {
            return earlier;
        }
        let parsed: Vec<(Checked, usize)> = batch
            .par_iter()
            .filter_map(|(n, line)| Some((serde_json::from_str::<Checked>(line).ok()?, *n)))
            .filter(|(c, _)| facts.get(&c.source) == Some(&c.facts))
            .collect();
        earlier.extend(parsed.into_iter().map(|(c, n)| (c.source.clone(), (c, n))));
    }
}

/// A record file's facts as the check cache keeps them.
fn facts_text(f: &crate::stamp::Facts) -> String {
    format!("{}:{}", f.size, f.modified)
}

/// The check's results an earlier build kept, for files still as they
/// were; and the results of this build's check, written as they come (to
/// a file put in place by [`Checks::finish`]) rather than held: at
/// 100,000 decisions they are 160 MB.
pub struct Checks {
    /// The record files' facts, as this build took them.
    facts: FxHashMap<PathBuf, String>,
    /// The kept results of files as they are now, with their line's number
    /// in the kept file.
    earlier: FxHashMap<PathBuf, (Checked, usize)>,
    /// The kept file, and which of its lines were taken (copied into this
    /// check's when it finishes: not held meanwhile, 160 MB at 100,000).
    kept_file: PathBuf,
    taken_lines: Vec<bool>,
    /// How many files' results were taken from `earlier`.
    taken: usize,
    /// Where this check's results go (`None`: nowhere).
    keeping: Option<Keeping>,
}

/// This check's results, being written.
struct Keeping {
    path: PathBuf,
    file: std::io::BufWriter<std::fs::File>,
    failed: Option<std::io::Error>,
}

impl Keeping {
    fn line(&mut self, line: &str) {
        if self.failed.is_none() {
            if let Err(e) = writeln!(self.file, "{line}") {
                self.failed = Some(e);
            }
        }
    }
}

impl Checks {
    /// The results kept in `out` by a build with the same context, for the
    /// files of `inputs` (a build of `root`); this check's are kept there
    /// too when `keep`.
    pub fn open(out: &Path, root: &Path, inputs: &crate::stamp::Inputs, keep: bool) -> Result<Checks, Error> {
        let facts: FxHashMap<PathBuf, String> = inputs
            .records
            .iter()
            .filter(|(_, f)| !f.is_dir)
            .filter_map(|(p, f)| Some((p.strip_prefix(root).ok()?.to_path_buf(), facts_text(f))))
            .collect();
        let kept_file = out.join(CHECKS);
        let earlier = read_kept(&kept_file, inputs.context, &facts);
        let lines = earlier.values().map(|(_, line)| line + 1).max().unwrap_or(0);
        let keeping = if keep { Some(Keeping::start(out, inputs.context)?) } else { None };
        Ok(Checks { facts, earlier, kept_file, taken_lines: vec![false; lines], taken: 0, keeping })
    }

    /// The kept result for `rel`, when its file is as it was then (kept
    /// again for the next build).
    pub(crate) fn take(&mut self, rel: &Path) -> Option<(crate::Loaded, crate::CheckedFile)> {
        let (c, line) = self.earlier.remove(rel)?;
        self.taken += 1;
        if let Some(taken) = self.taken_lines.get_mut(line) {
            *taken = true;
        }
        let record = Some(c.record.into_record());
        Some(((record, c.diags), crate::CheckedFile { len: c.len, hash: c.hash }))
    }

    /// How many files were not read again.
    pub fn taken(&self) -> usize {
        self.taken
    }

    /// The line that keeps the result of checking `rel` (its text
    /// dropped), when this check keeps its results. Only a public record
    /// without errors is kept: the output folder holds nothing of an exempt
    /// one (a council may copy the folder whole), nor of a file decreg
    /// could not read as a public record.
    pub(crate) fn line(&self, rel: &Path, loaded: &crate::Loaded, file: Option<crate::CheckedFile>) -> Option<String> {
        self.keeping.as_ref()?;
        let (facts, file) = (self.facts.get(rel)?, file?);
        let (record, _) = loaded.0.as_ref()?;
        if record.is_exempt() || loaded.1.iter().any(crate::diag::Diagnostic::is_error) {
            return None;
        }
        let checked = Checked {
            source: rel.to_path_buf(),
            facts: facts.clone(),
            len: file.len,
            hash: file.hash,
            record: loaded.0.as_ref().map(|(r, p)| KeptRecord::of(r, p))?,
            diags: loaded.1.clone(),
        };
        serde_json::to_string(&checked).ok()
    }

    /// Keeps a line [`Checks::line`] made.
    pub(crate) fn keep(&mut self, line: &str) {
        if let Some(keeping) = &mut self.keeping {
            keeping.line(line);
        }
    }

    /// Puts this check's results in place of the last ones: those taken
    /// are copied from the kept file, a line at a time.
    pub fn finish(self) -> Result<(), Error> {
        use std::io::BufRead;
        let Some(mut keeping) = self.keeping else { return Ok(()) };
        if self.taken > 0 {
            let file = std::fs::File::open(&self.kept_file).map_err(|e| Error::io(&self.kept_file, &e))?;
            // line 0 is the header
            for (n, line) in std::io::BufReader::new(file).lines().enumerate().skip(1) {
                let line = line.map_err(|e| Error::io(&self.kept_file, &e))?;
                if self.taken_lines.get(n - 1).copied().unwrap_or(false) {
                    keeping.line(&line);
                }
            }
        }
        let flushed = keeping.file.flush();
        if let Some(e) = keeping.failed.or(flushed.err()) {
            return Err(Error::io(&keeping.path, &e));
        }
        let path = keeping.path.with_extension("jsonl");
        std::fs::rename(&keeping.path, &path).map_err(|e| Error::io(&path, &e))
    }
}

impl Keeping {
    fn start(out: &Path, context: u64) -> Result<Keeping, Error> {
        let path = out.join(CHECKS).with_extension("partial");
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, &e))?;
        }
        let file = std::fs::File::create(&path).map_err(|e| Error::io(&path, &e))?;
        let mut keeping = Keeping { path, file: std::io::BufWriter::new(file), failed: None };
        keeping.line(&context.to_string());
        Ok(keeping)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    /// A copy of the sample register, to edit.
    fn sample() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let from = Path::new(env!("CARGO_MANIFEST_DIR"));
        for part in ["register.yaml", "decisions", "documents"] {
            for e in walkdir::WalkDir::new(from.join(part)).into_iter().filter_map(Result::ok) {
                if e.file_type().is_file() {
                    let to = dir.path().join(e.path().strip_prefix(from).unwrap());
                    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
                    std::fs::copy(e.path(), to).unwrap();
                }
            }
        }
        dir
    }

    #[test]
    fn a_kept_record_reads_back_as_it_was_checked() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let checked = crate::check_light(root, today()).unwrap();
        assert!(checked.records.len() > 5);
        for r in &checked.records {
            let line = serde_json::to_string(&KeptRecord::of(r, &Default::default())).unwrap();
            let back: KeptRecord = serde_json::from_str(&line).unwrap();
            assert_eq!(&back.into_record().0, r, "{}", r.source.display());
        }
    }

    #[test]
    fn a_file_unchanged_since_the_last_check_is_not_read_again_and_checks_the_same() {
        let reg = sample();
        let (root, out) = (reg.path(), reg.path().join("output"));
        let check = |expect_taken: usize| {
            let inputs = crate::stamp::take(root, today(), false);
            let mut checks = Checks::open(&out, root, &inputs, true).unwrap();
            let checked = crate::check_light_since(root, today(), &mut checks).unwrap();
            assert_eq!(checks.taken(), expect_taken);
            checks.finish().unwrap();
            let whole = crate::check_light(root, today()).unwrap();
            assert_eq!(checked.records, whole.records);
            assert_eq!(checked.diags, whole.diags);
            // an exempt record is never kept: read again each time
            assert!(checked.records.iter().any(Record::is_exempt));
            checked.records.iter().filter(|r| !r.is_exempt()).count()
        };
        let files = check(0);
        check(files);
        let edited = root.join("decisions/2023/future-arrangements-for-childrens-services-on-the-isle-of-wight.md");
        let text = std::fs::read_to_string(&edited).unwrap();
        std::fs::write(&edited, text.replacen("title: ", "title: Edited ", 1)).unwrap();
        check(files - 1);
        // another day: nothing is taken (call-in states move with it)
        let inputs = crate::stamp::take(root, today().succ_opt().unwrap(), false);
        let mut checks = Checks::open(&out, root, &inputs, true).unwrap();
        crate::check_light_since(root, today().succ_opt().unwrap(), &mut checks).unwrap();
        assert_eq!(checks.taken(), 0);
    }
}
