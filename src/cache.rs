//! What a build made of each decision, kept for the next build in
//! decreg's own format (nothing published is read back): the decision's
//! summary and search terms, under the key of everything its page was
//! made from. A build whose staging folder holds a decision's page as
//! made from the same key takes these instead of reading the record's
//! text and rendering its page again: the page, its listings entry and
//! its search terms would come out the same.
//!
//! `<out>/.cache/pages/`: `index.bin` (each decision's id, key and where
//! its entry is) and `entries.bin` (the entries one after another). A
//! build appends the entries of the pages it made to `entries.bin` and
//! writes a new index beside the old (`index.bin.new`), put in place only
//! after it has published: entries past those an index names are never
//! read, so a build killed at any point leaves the cache as it was. When
//! most of `entries.bin` is entries no index names, a build writes it
//! anew (`entries.bin.new`, put in place with the index).

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

/// What a build leaves in memory for the next build of the same process
/// (`decreg serve`): what the cache files hold, without reading them again
/// (at 100,000 decisions reading them was half of a build after an edit).
/// The files are still written, for the next process.
#[derive(Default)]
pub struct Memory {
    pub(crate) checks: CheckMemory,
    pub(crate) pages: PageMemory,
}

/// The check's results of the last build, as `checks.jsonl` holds them.
#[derive(Default)]
pub struct CheckMemory {
    /// The context they were made in (`None`: nothing held).
    context: Option<u64>,
    /// Each record file's result, with its line in `checks.jsonl`.
    results: FxHashMap<PathBuf, (Checked, usize)>,
    /// The lines of `checks.jsonl` after its header (`None`: not kept).
    lines: Option<usize>,
    /// Its length then: one written since by another is read again.
    bytes: Option<u64>,
}

/// Each decision's page of the last build: its key, summary and terms.
#[derive(Default)]
pub struct PageMemory {
    pages: FxHashMap<String, PageMade>,
}

/// What a decision's page gave, under the key it was made from.
struct PageMade {
    key: u64,
    summary: Summary,
    terms: Terms,
}

impl PageMemory {
    /// The summary and terms of `id`'s page as made from `key`, if held.
    pub fn page(&self, id: &str, key: u64) -> Option<(Summary, Terms)> {
        let made = self.pages.get(id).filter(|m| m.key == key)?;
        Some((made.summary.clone(), made.terms.clone()))
    }

    /// Holds what a decision's page, made from `key`, gave.
    pub fn add(&mut self, key: u64, summary: Summary, terms: Terms) {
        self.pages.insert(summary.id.clone(), PageMade { key, summary, terms });
    }
}

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
    slots: FxHashMap<String, Place>,
    entries: std::fs::File,
}

/// Whether a cache file that is added to, `total` long of which `used` is
/// still of use, is mostly of no use: it is then written anew (both
/// caches here grow a build at a time and are rewritten by this rule).
fn mostly_unused(total: u64, used: u64) -> bool {
    total > 2 * used
}

/// Where a decision's entry is, and the key of the page it stands for.
#[derive(Clone, Copy, PartialEq)]
struct Place {
    key: u64,
    at: u64,
    len: u32,
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
        let slots = slots.into_iter().map(|s| (s.id, Place { key: s.key, at: s.at, len: s.len })).collect();
        Some(Earlier { slots, entries })
    }

    /// The summary and terms of `id`'s page as made from `key`, if kept.
    pub fn page(&self, id: &str, key: u64) -> Option<(Summary, Terms)> {
        let place = self.place(id, key)?;
        let mut bytes = vec![0; place.len as usize];
        read_at(&self.entries, &mut bytes, place.at).ok()?;
        read_entry(bytes)
    }

    /// Where `id`'s entry is, if it is kept under `key`.
    fn place(&self, id: &str, key: u64) -> Option<Place> {
        self.slots.get(id).copied().filter(|p| p.key == key)
    }

    /// The bytes of the entries the index names.
    fn named_bytes(&self) -> u64 {
        self.slots.values().map(|p| u64::from(p.len)).sum()
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
/// order; in place only with [`Kept::commit`].
pub struct Keeper<'e> {
    dir: PathBuf,
    /// The cache this build started from, whose entries it names again
    /// where they still hold; `None` when the entries are written anew.
    earlier: Option<&'e Earlier>,
    /// `entries.bin`, appended to, or `entries.bin.new`.
    path: PathBuf,
    entries: std::io::BufWriter<std::fs::File>,
    slots: Vec<Slot>,
    at: u64,
}

impl<'e> Keeper<'e> {
    /// Keeps the cache in `out`, adding to the `earlier` one's entries
    /// while most of them are still named.
    pub fn new(out: &Path, earlier: Option<&'e Earlier>) -> Result<Keeper<'e>, Error> {
        let dir = out.join(DIR);
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, &e))?;
        let appended = dir.join("entries.bin");
        let length = std::fs::metadata(&appended).map_or(0, |m| m.len());
        let earlier = earlier.filter(|e| !mostly_unused(length, e.named_bytes()));
        let (path, file, at) = match earlier {
            Some(_) => {
                let file = std::fs::OpenOptions::new().append(true).open(&appended);
                (appended, file, length)
            }
            None => {
                let path = dir.join("entries.bin.new");
                let file = std::fs::File::create(&path);
                (path, file, 0)
            }
        };
        let file = file.map_err(|e| Error::io(&path, &e))?;
        Ok(Keeper { dir, earlier, path, entries: std::io::BufWriter::new(file), slots: Vec::new(), at })
    }

    /// Keeps what `id`'s page, made from `key`, gave: named where the
    /// earlier cache holds it, else added.
    pub fn add(&mut self, id: &str, key: u64, summary: &Summary, terms: &Terms) -> Result<(), Error> {
        if let Some(place) = self.earlier.and_then(|e| e.place(id, key)) {
            self.slots.push(Slot { id: id.to_string(), key, at: place.at, len: place.len });
            return Ok(());
        }
        let bytes = entry(summary, terms).map_err(|e| Error { path: self.path.clone(), what: e.to_string() })?;
        self.entries.write_all(&bytes).map_err(|e| Error::io(&self.path, &e))?;
        self.slots.push(Slot { id: id.to_string(), key, at: self.at, len: bytes.len() as u32 });
        self.at += bytes.len() as u64;
        Ok(())
    }

    /// Writes the index beside the old one (`index.bin.new`).
    pub fn finish(mut self) -> Result<Kept, Error> {
        self.entries.flush().map_err(|e| Error::io(&self.path, &e))?;
        let index = self.dir.join("index.bin.new");
        let bytes = bincode::serialize(&self.slots).map_err(|e| Error { path: index.clone(), what: e.to_string() })?;
        std::fs::write(&index, bytes).map_err(|e| Error::io(&index, &e))?;
        Ok(Kept { dir: self.dir, new_entries: self.earlier.is_none() })
    }
}

/// A cache written whole, not yet in place.
pub struct Kept {
    dir: PathBuf,
    /// Whether the entries were written anew, not added to the old.
    new_entries: bool,
}

impl Kept {
    /// Puts the cache in place of the last one: after the site it
    /// describes was published (a cache newer than the site it stands
    /// beside would only make the next build render more than it must).
    pub fn commit(self) -> Result<(), Error> {
        let index = self.dir.join("index.bin");
        if self.new_entries {
            // the old index goes first: entries without an index are no
            // cache, where an old index over new entries would misread them
            match std::fs::remove_file(&index) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::io(&index, &e)),
                _ => {}
            }
            let (from, to) = (self.dir.join("entries.bin.new"), self.dir.join("entries.bin"));
            std::fs::rename(&from, &to).map_err(|e| Error::io(&to, &e))?;
        }
        std::fs::rename(self.dir.join("index.bin.new"), &index).map_err(|e| Error::io(&index, &e))
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
#[derive(Clone, Serialize, Deserialize)]
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

/// What a check kept, as the next reads it.
struct KeptChecks {
    /// The results of files still as they were, each with its line's
    /// number (after the header); a later line for a file wins.
    earlier: FxHashMap<PathBuf, (Checked, usize)>,
    /// The lines after the header, or `None` when the file was kept by a
    /// check in another context (or none was kept).
    lines: Option<usize>,
}

/// The results kept at `path` by a check with the same `context`, of the
/// files whose `facts` are still as they were; read a batch of lines at a
/// time.
fn read_kept(path: &Path, context: u64, facts: &FxHashMap<PathBuf, String>) -> KeptChecks {
    use rayon::prelude::*;
    use std::io::BufRead;
    let mut kept = KeptChecks { earlier: FxHashMap::default(), lines: None };
    let Ok(file) = std::fs::File::open(path) else { return kept };
    // lines as bytes: one that does not read (a check killed as it wrote)
    // is passed over, and still counted
    let mut lines = std::io::BufReader::new(file).split(b'\n').map_while(Result::ok).enumerate();
    let header = lines.next().map(|(_, header)| String::from_utf8_lossy(&header).parse::<u64>().ok());
    if header != Some(Some(context)) {
        return kept;
    }
    let mut count = 0;
    loop {
        let batch: Vec<(usize, Vec<u8>)> = lines.by_ref().take(READ_BATCH).map(|(n, l)| (n - 1, l)).collect();
        if batch.is_empty() {
            kept.lines = Some(count);
            return kept;
        }
        count += batch.len();
        let parsed: Vec<(Checked, usize)> = batch
            .par_iter()
            .filter_map(|(n, line)| Some((serde_json::from_slice::<Checked>(line).ok()?, *n)))
            .filter(|(c, _)| facts.get(&c.source) == Some(&c.facts))
            .collect();
        kept.earlier.extend(parsed.into_iter().map(|(c, n)| (c.source.clone(), (c, n))));
    }
}

/// Each record file of a build of `root`, by its path from there, with
/// its facts as the check cache keeps them.
fn record_facts(root: &Path, inputs: &crate::stamp::Inputs) -> FxHashMap<PathBuf, String> {
    inputs
        .records
        .iter()
        .filter(|(_, f)| !f.is_dir)
        .filter_map(|(p, f)| Some((p.strip_prefix(root).ok()?.to_path_buf(), facts_text(f))))
        .collect()
}

/// A record file's facts as the check cache keeps them.
fn facts_text(f: &crate::stamp::Facts) -> String {
    format!("{}:{}", f.size, f.modified)
}

/// The check's results an earlier build kept, for files still as they
/// were; and the results of this build's check, written as they come
/// rather than held (at 100,000 decisions they are 160 MB): added to the
/// kept file, whose later line for a file wins, or, when that was kept in
/// another context, to a new one put in place by [`Checks::finish`].
pub struct Checks {
    /// The context of this build's check (see `stamp::Inputs::context`).
    context: u64,
    /// The record files' facts, as this build took them.
    facts: FxHashMap<PathBuf, String>,
    /// The kept results of files as they are now, with their line's number
    /// in the kept file; when held in memory for the next build (see
    /// [`Memory`]), this check's own results join them.
    earlier: FxHashMap<PathBuf, (Checked, usize)>,
    /// Which lines of the kept file were taken (the others are left out
    /// when it is written anew).
    taken_lines: Vec<bool>,
    /// How many files' results were taken from `earlier`.
    taken: usize,
    /// Where this check's results go (`None`: nowhere).
    keeping: Option<Keeping>,
    /// Whether `earlier` is held in memory for the next build.
    remembering: bool,
}

/// One record file's result, for the kept file and for memory.
pub(crate) struct KeptLine {
    checked: Checked,
    json: String,
}

/// This check's results, being written.
struct Keeping {
    path: PathBuf,
    file: std::io::BufWriter<std::fs::File>,
    failed: Option<std::io::Error>,
    /// How many lines the kept file had when this check started adding
    /// to it; `None` for a new file.
    added_to: Option<usize>,
    /// How many lines this check wrote.
    written: usize,
}

impl Keeping {
    fn line(&mut self, line: &str) {
        if self.failed.is_none() {
            match writeln!(self.file, "{line}") {
                Ok(()) => self.written += 1,
                Err(e) => self.failed = Some(e),
            }
        }
    }

    fn flushed(mut self) -> Result<PathBuf, Error> {
        let flushed = self.file.flush();
        match self.failed.or(flushed.err()) {
            Some(e) => Err(Error::io(&self.path, &e)),
            None => Ok(self.path),
        }
    }
}

impl Checks {
    /// The results kept in `out` by a build with the same context, for the
    /// files of `inputs` (a build of `root`); this check's are kept there
    /// too when `keep`.
    pub fn open(
        out: &Path,
        root: &Path,
        inputs: &crate::stamp::Inputs,
        keep: bool,
        memory: Option<&mut CheckMemory>,
    ) -> Result<Checks, Error> {
        let facts = record_facts(root, inputs);
        let kept_file = out.join(CHECKS);
        let remembering = memory.is_some();
        // held in memory in the same context, and the file they stand for
        // still there to be added to: taken as it would be read
        let bytes = std::fs::metadata(&kept_file).ok().map(|m| m.len());
        let held = memory
            .filter(|m| m.context == Some(inputs.context) && (m.lines.is_none() || m.bytes == bytes))
            .map(std::mem::take);
        let kept = match held {
            Some(mut m) => {
                m.results.retain(|p, (c, _)| facts.get(p) == Some(&c.facts));
                KeptChecks { earlier: m.results, lines: m.lines }
            }
            None => read_kept(&kept_file, inputs.context, &facts),
        };
        let keeping = match (keep, kept.lines) {
            (false, _) => None,
            (true, Some(lines)) => Some(Keeping::add_to(&kept_file, lines)?),
            (true, None) => Some(Keeping::start(out, inputs.context)?),
        };
        let taken_lines = vec![false; kept.lines.unwrap_or(0)];
        let context = inputs.context;
        Ok(Checks { context, facts, earlier: kept.earlier, taken_lines, taken: 0, keeping, remembering })
    }

    /// The kept result of each of `files` that is as it was then (kept
    /// again for the next build), in order; `None` for the others. Made
    /// on every core: when held in memory, each record is a copy.
    pub(crate) fn take_all(&mut self, files: &[PathBuf]) -> Vec<Option<(crate::Loaded, crate::CheckedFile)>> {
        use rayon::prelude::*;
        let file = |c: &Checked| crate::CheckedFile { len: c.len, hash: c.hash };
        let taken: Vec<Option<(_, usize)>> = if self.remembering {
            // held for the next build too: a copy of the record and its problems
            let earlier = &self.earlier;
            let copy = |(c, line): &(Checked, usize)| {
                (((Some(c.record.clone().into_record()), c.diags.clone()), file(c)), *line)
            };
            files.par_iter().map(|rel| earlier.get(rel).map(copy)).collect()
        } else {
            let out: Vec<_> = files.iter().map(|rel| self.earlier.remove(rel)).collect();
            let moved = |(c, line): (Checked, usize)| {
                let file = file(&c);
                (((Some(c.record.into_record()), c.diags), file), line)
            };
            out.into_par_iter().map(|t| t.map(moved)).collect()
        };
        taken
            .into_iter()
            .map(|t| {
                let (result, line) = t?;
                self.taken += 1;
                if let Some(taken) = self.taken_lines.get_mut(line) {
                    *taken = true;
                }
                Some(result)
            })
            .collect()
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
    pub(crate) fn line(
        &self,
        rel: &Path,
        loaded: &crate::Loaded,
        file: Option<crate::CheckedFile>,
    ) -> Option<KeptLine> {
        if self.keeping.is_none() && !self.remembering {
            return None;
        }
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
        let json = match self.keeping {
            Some(_) => serde_json::to_string(&checked).ok()?,
            None => String::new(),
        };
        Some(KeptLine { checked, json })
    }

    /// Keeps a line [`Checks::line`] made.
    pub(crate) fn keep(&mut self, line: KeptLine) {
        // its number after the header, as the next build reads it
        let number = self.keeping.as_ref().map_or(usize::MAX, |k| k.added_to.unwrap_or(0) + k.written);
        if let Some(keeping) = &mut self.keeping {
            keeping.line(&line.json);
        }
        if self.remembering {
            self.earlier.insert(line.checked.source.clone(), (line.checked, number));
        }
    }

    /// Puts this check's results in place. The kept file, added to, is
    /// written anew once most of its lines are of files changed since.
    /// Held in `memory` too, when the check was opened with it.
    pub fn finish(self, memory: Option<&mut CheckMemory>) -> Result<(), Error> {
        let Checks { context, earlier, taken_lines, taken, keeping, remembering, .. } = self;
        let kept = match keeping {
            Some(keeping) => put_in_place(keeping, taken, &taken_lines)?,
            None => KeptFile::None,
        };
        if let Some(memory) = memory.filter(|_| remembering) {
            let held = |lines, bytes| CheckMemory { context: Some(context), results: earlier, lines, bytes };
            *memory = match kept {
                KeptFile::None => held(None, None),
                KeptFile::Lines { lines, path } => held(Some(lines), std::fs::metadata(path).ok().map(|m| m.len())),
                // the lines have moved: the next build reads the file
                KeptFile::Rewritten => CheckMemory::default(),
            };
        }
        Ok(())
    }
}

/// Where the kept file stands once a check has put it in place.
enum KeptFile {
    /// None was kept.
    None,
    /// `lines` after its header, at `path`.
    Lines { lines: usize, path: PathBuf },
    /// Written anew with only the lines still of use.
    Rewritten,
}

/// Puts a check's results in place: the new file renamed, or the file
/// added to, written anew when most of it is of no use (`taken_lines`
/// says which of its lines this check took; `taken` how many).
fn put_in_place(keeping: Keeping, taken: usize, taken_lines: &[bool]) -> Result<KeptFile, Error> {
    let (added_to, written) = (keeping.added_to, keeping.written);
    let path = keeping.flushed()?;
    let Some(lines) = added_to else {
        let kept = path.with_extension("jsonl");
        std::fs::rename(&path, &kept).map_err(|e| Error::io(&kept, &e))?;
        return Ok(KeptFile::Lines { lines: written, path: kept });
    };
    let (total, used) = (lines + written, taken + written);
    if !mostly_unused(total as u64, used as u64) {
        return Ok(KeptFile::Lines { lines: total, path });
    }
    // the header, the lines taken, and this check's own
    let keep = |n: usize| n == 0 || n > lines || taken_lines.get(n - 1).copied().unwrap_or(false);
    rewrite_lines(&path, keep)?;
    Ok(KeptFile::Rewritten)
}

/// Writes the file at `path` anew with only the lines `keep` keeps (by
/// number, from 0), a line at a time.
fn rewrite_lines(path: &Path, keep: impl Fn(usize) -> bool) -> Result<(), Error> {
    use std::io::BufRead;
    let partial = path.with_extension("partial");
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, &e))?;
    let out = std::fs::File::create(&partial).map_err(|e| Error::io(&partial, &e))?;
    let mut out = std::io::BufWriter::new(out);
    for (n, line) in std::io::BufReader::new(file).split(b'\n').enumerate() {
        let line = line.map_err(|e| Error::io(path, &e))?;
        if keep(n) {
            out.write_all(&line).and_then(|()| out.write_all(b"\n")).map_err(|e| Error::io(&partial, &e))?;
        }
    }
    out.flush().map_err(|e| Error::io(&partial, &e))?;
    std::fs::rename(&partial, path).map_err(|e| Error::io(path, &e))
}

impl Keeping {
    fn start(out: &Path, context: u64) -> Result<Keeping, Error> {
        let path = out.join(CHECKS).with_extension("partial");
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, &e))?;
        }
        let file = std::fs::File::create(&path).map_err(|e| Error::io(&path, &e))?;
        let mut file = std::io::BufWriter::new(file);
        writeln!(file, "{context}").map_err(|e| Error::io(&path, &e))?;
        Ok(Keeping { path, file, failed: None, added_to: None, written: 0 })
    }

    /// Adds to the kept file at `path`, of `lines` lines after its header.
    /// A line a killed check left cut short is ended first, so that the
    /// next is whole (the cut one reads as nothing).
    fn add_to(path: &Path, lines: usize) -> Result<Keeping, Error> {
        let mut file =
            std::fs::OpenOptions::new().read(true).append(true).open(path).map_err(|e| Error::io(path, &e))?;
        let len = file.metadata().map_err(|e| Error::io(path, &e))?.len();
        let mut last = [b'\n'];
        if len > 0 {
            read_at(&file, &mut last, len - 1).map_err(|e| Error::io(path, &e))?;
        }
        if last[0] != b'\n' {
            file.write_all(b"\n").map_err(|e| Error::io(path, &e))?;
        }
        let file = std::io::BufWriter::new(file);
        Ok(Keeping { path: path.to_path_buf(), file, failed: None, added_to: Some(lines), written: 0 })
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
        // read from the kept file each time, then held in memory between
        // checks as `serve` holds it
        for in_memory in [false, true] {
            checks_taken_since_the_last(in_memory);
        }
    }

    fn checks_taken_since_the_last(in_memory: bool) {
        let reg = sample();
        let (root, out) = (reg.path(), reg.path().join("output"));
        let memory = std::cell::RefCell::new(CheckMemory::default());
        let check = |expect_taken: usize| {
            let inputs = crate::stamp::take(root, today(), false);
            let mut held = memory.borrow_mut();
            let mut checks = Checks::open(&out, root, &inputs, true, in_memory.then_some(&mut *held)).unwrap();
            let checked = crate::check_light_since(root, today(), &mut checks).unwrap();
            assert_eq!(checks.taken(), expect_taken);
            checks.finish(in_memory.then_some(&mut *held)).unwrap();
            if in_memory {
                // what memory holds is what the kept file would give
                let kept = read_kept(&out.join(CHECKS), inputs.context, &record_facts(root, &inputs));
                if held.context.is_some() {
                    assert_eq!(held.lines, kept.lines);
                    let mut sources: Vec<_> = held.results.keys().collect();
                    let mut read: Vec<_> = kept.earlier.keys().collect();
                    sources.sort();
                    read.sort();
                    assert_eq!(sources, read);
                    for (source, (_, line)) in &held.results {
                        assert_eq!(*line, kept.earlier[source].1, "{}", source.display());
                    }
                }
            }
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
        check(files);
        // a line a killed check left cut short reads as nothing, and the
        // next line added after it is whole
        let kept = out.join(CHECKS);
        let mut file = std::fs::OpenOptions::new().append(true).open(&kept).unwrap();
        file.write_all(b"{\"source\":\"decisions/20").unwrap();
        drop(file);
        check(files);
        for n in 0..3 * files {
            // a length of its own each time: the file's facts change even
            // where the clock does not between two writes
            let title = format!("title: Edited {} ", "x".repeat(n + 1));
            std::fs::write(&edited, text.replacen("title: ", &title, 1)).unwrap();
            check(files - 1);
            check(files);
        }
        // once most lines are of files changed since, it is written anew
        let lines = std::fs::read_to_string(&kept).unwrap().lines().count();
        assert!(lines <= 2 * files + 2, "{lines} lines for {files} files");
        // another day: nothing is taken (call-in states move with it)
        let inputs = crate::stamp::take(root, today().succ_opt().unwrap(), false);
        let mut held = memory.borrow_mut();
        let mut checks = Checks::open(&out, root, &inputs, true, in_memory.then_some(&mut *held)).unwrap();
        crate::check_light_since(root, today().succ_opt().unwrap(), &mut checks).unwrap();
        assert_eq!(checks.taken(), 0);
    }

    #[test]
    fn a_build_adds_the_entries_it_made_and_writes_them_anew_once_most_are_old() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let checked = crate::check_light(root, today()).unwrap();
        let records: Vec<&Record> = checked.records.iter().collect();
        let links = Links::new(&records);
        let made: Vec<(Summary, Terms)> = records
            .iter()
            .take(3)
            .map(|r| {
                let view = crate::public::view(r, &checked.config, &checked.documents, &links, false);
                (Summary::of(&view), crate::search::terms(&view))
            })
            .collect();
        let out = tempfile::tempdir().unwrap();
        let entries = out.path().join(DIR).join("entries.bin");
        // Build n keeps the three pages, the last under key n.
        let build = |n: u64| {
            let earlier = Earlier::open(out.path());
            let mut keeper = Keeper::new(out.path(), earlier.as_ref()).unwrap();
            for (i, (summary, terms)) in made.iter().enumerate() {
                let key = if i == 2 { n } else { 0 };
                keeper.add(&summary.id, key, summary, terms).unwrap();
            }
            keeper.finish().unwrap().commit().unwrap();
            std::fs::metadata(&entries).unwrap().len()
        };
        let all = build(1);
        assert_eq!(build(1), all, "nothing changed: nothing added");
        let last = build(2) - all;
        assert!(last > 0 && last < all, "the second build added the changed entry alone");
        let earlier = Earlier::open(out.path()).unwrap();
        for (i, (summary, terms)) in made.iter().enumerate() {
            let key = if i == 2 { 2 } else { 0 };
            let (s, t) = earlier.page(&summary.id, key).expect("kept");
            assert_eq!((&s, &t), (summary, terms));
            assert!(earlier.page(&summary.id, key + 1).is_none(), "not under another key");
        }
        drop(earlier);
        // once the entries no index names are most of the file, it is written anew
        let mut sizes = Vec::new();
        for n in 3..40 {
            sizes.push(build(n));
        }
        assert!(sizes.iter().all(|&size| size <= 2 * all + last), "{sizes:?}");
        assert!(sizes.windows(2).any(|w| w[1] < w[0]), "it shrank: {sizes:?}");
        let earlier = Earlier::open(out.path()).unwrap();
        assert_eq!(earlier.page(&made[2].0.id, 39).map(|(s, _)| s), Some(made[2].0.clone()));
    }
}
