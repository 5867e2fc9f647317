//! Republishing an edit: when a few record files changed since the last
//! clean build and nothing else did, only what shows them is made again
//! (their pages, the listing pages and feeds they are on, the pages that
//! show their titles, their rows of the open data, their postings in the
//! search index, their PDFs) and put in place, instead of the whole site.
//!
//! A clean build leaves a cache beside its output for this
//! (`.cache/republish/`): every record's summary and where it appears,
//! and what each listing page and feed was made from. An edit that would
//! move a decision between pages, listings or filters (a new date,
//! decision maker, status, subject, area, link or document), a new or
//! removed file, an error, or any change to the register's settings,
//! templates or documents is not republished: the build starts afresh, so
//! the result is always the site a full build would make.

use crate::build::BuildPlan;
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::load::{Documents, Error};
use crate::output::Overlay;
use crate::public::{self, Links, PublicRecord};
use crate::records::Record;
use crate::render_html::{self, Recipe, Renderer, Summary};
use crate::stamp::{self, Facts, Inputs, Stamp};
use crate::validate::{workdays::Calendar, Context};
use crate::{search, Checked};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The cache's folder, under the output folder.
const DIR: &str = ".cache/republish";

/// More changed files than this and a full build is as quick.
const MOST_EDITS: usize = 64;

/// What a decision's page and the register's other pages take from one
/// record that an edit must leave as it was to be republished: what
/// decides which listings, filters, feeds and calendars it is in and in
/// what order, what it links to, and what documents it publishes.
pub fn structure(s: &Summary, r: &Record) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    (&s.id, s.status, s.call_in_state, &s.deadline, &s.date, s.year, &s.month, &s.published).hash(&mut h);
    (&s.expected_date, &s.decision_maker, &s.areas, &s.subjects, s.exempt, s.key_decision).hash(&mut h);
    // what the statistics page counts: an edit to any of it is a full build
    (s.kind, &s.decision_date, &s.exempt_paragraphs, s.call_in_subject, s.called_in, s.call_in_outcome).hash(&mut h);
    (&s.forward_plan_published, s.urgency).hash(&mut h);
    (&r.related, &r.supersedes).hash(&mut h);
    public::copied_documents(r).for_each(|d| d.hash(&mut h));
    h.finish()
}

/// What a build learns of a record as it renders its page, for the cache.
pub struct PageFacts {
    pub source: PathBuf,
    pub key: u64,
    /// The ids whose titles its page shows.
    pub shows: Vec<String>,
    /// The record superseding it, if any.
    pub superseded_by: Option<String>,
}

impl PageFacts {
    pub fn of(r: &Record, s: &Summary, links: &Links<'_>) -> PageFacts {
        PageFacts {
            source: r.source.clone(),
            key: structure(s, r),
            shows: links.shown_by(r).into_iter().map(str::to_string).collect(),
            superseded_by: links.superseded_by(&r.id).map(str::to_string),
        }
    }
}

/// One record in the cache, by its number (its place in listing order).
#[derive(Serialize, Deserialize, Clone)]
struct Entry {
    source: PathBuf,
    summary: Summary,
    key: u64,
    /// The search index's shards holding its terms (see `pack_shards`).
    shards: Vec<u8>,
    /// The records whose titles its page shows, and those showing its.
    shows: Vec<u32>,
    shown_on: Vec<u32>,
    superseded_by: Option<u32>,
    /// Warnings about its file: its own, and those of rules across records.
    warnings: u32,
    register_warnings: u32,
    pdf: bool,
    /// The recipes of the pages and feeds it is on.
    pages: Vec<u32>,
    /// Where its pieces of the open data started after the full build
    /// (see `PiecesAt`; `Head::shifts` says where they are now).
    at: [u64; 4],
}

/// What the cached site was built from (`head.bin`, rewritten by each
/// republish).
#[derive(Serialize, Deserialize)]
struct Head {
    /// The inputs' fingerprint of the build the cache describes.
    fingerprint: u64,
    context: u64,
    /// The fingerprint of the record files' paths.
    paths: u64,
    decisions: usize,
    reports: usize,
    warnings: usize,
    /// Each splice into an open data file since the full build, in order:
    /// (file, where, how many bytes longer). A piece that started after
    /// `where` has moved by that much.
    shifts: Vec<Splice>,
}

/// A splice into open data file `.0` at `.1`, `.2` bytes longer after.
type Splice = (u8, u64, i64);

/// Where a piece of open data file `file` that a full build wrote at `at`
/// is after the splices since.
fn shifted(at: u64, file: u8, shifts: &[Splice]) -> u64 {
    shifts
        .iter()
        .filter(|s| s.0 == file)
        .fold(at, |q, &(_, pos, delta)| if q > pos { q.wrapping_add_signed(delta) } else { q })
}

/// How the site is laid out (`layout.bin`, written by full builds only).
#[derive(Serialize, Deserialize)]
struct Layout {
    /// Each file's record number (`u32::MAX`: a folder, or not a record).
    numbers: Vec<u32>,
    documents: Documents,
}

/// The cache's files: `facts.bin` holds each record file's size and time
/// at a fixed width, so a republish rewrites only the edited files' slots.
const FACT_BYTES: usize = 25;

fn fact_bytes(f: &Facts) -> [u8; FACT_BYTES] {
    let mut b = [0; FACT_BYTES];
    b[..8].copy_from_slice(&f.size.to_le_bytes());
    b[8..24].copy_from_slice(&f.modified.to_le_bytes());
    b[24] = u8::from(f.is_dir);
    b
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::io(path, &e)
}

fn codec(path: &Path) -> impl Fn(bincode::Error) -> Error + '_ {
    move |e| Error { path: path.to_path_buf(), what: format!("the build cache cannot be read or written: {e}") }
}

/// Variable-length integers: most of the cache is small numbers.
fn encoding() -> impl bincode::Options {
    bincode::DefaultOptions::new()
}

fn encode<T: Serialize>(path: &Path, value: &T) -> Result<Vec<u8>, Error> {
    use bincode::Options;
    encoding().serialize(value).map_err(codec(path))
}

fn decode<T: serde::de::DeserializeOwned>(path: &Path, bytes: &[u8]) -> Result<T, Error> {
    use bincode::Options;
    encoding().deserialize(bytes).map_err(codec(path))
}

/// Writes a file whole: to a neighbour first, then renamed over it.
fn replace(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let partial = path.with_extension("partial");
    std::fs::write(&partial, bytes).map_err(io(&partial))?;
    std::fs::rename(&partial, path).map_err(io(path))
}

/// Everything a clean build hands over to be cached.
pub struct Built<'a> {
    pub inputs: &'a Inputs,
    pub checked: &'a Checked,
    pub summaries: &'a [Summary],
    pub facts: &'a [PageFacts],
    pub doc_shards: Vec<Vec<u8>>,
    pub recipes: Vec<Recipe>,
    pub pieces_at: render_html::PiecesAt,
    pub pdf_ids: &'a std::collections::HashSet<String>,
}

/// Records encoded at a time when the cache is written.
const BATCH: usize = 4096;

/// Keeps the cache of a clean build (before its stamp is written: the
/// cache counts only with the stamp it was made with).
pub fn keep(out: &Path, root: &Path, b: Built<'_>) -> Result<(), Error> {
    use rayon::prelude::*;
    let dir = out.join(DIR);
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    // written last: until then no earlier cache can be taken for this one
    let _ = std::fs::remove_file(dir.join("head.bin"));
    let _ = std::fs::remove_file(dir.join("state.bin"));
    let number: HashMap<&str, u32> = b.summaries.iter().enumerate().map(|(i, s)| (s.id.as_str(), i as u32)).collect();
    let mut shown_on: Vec<Vec<u32>> = vec![Vec::new(); b.summaries.len()];
    for (i, f) in b.facts.iter().enumerate() {
        for id in &f.shows {
            if let Some(&n) = number.get(id.as_str()) {
                shown_on[n as usize].push(i as u32);
            }
        }
    }
    let mut warnings: HashMap<&Path, (u32, u32)> = HashMap::new();
    for d in b.checked.diags.iter().filter(|d| !d.is_error()) {
        let w = warnings.entry(d.path.as_path()).or_default();
        if d.code == "unknown-related" {
            w.1 += 1;
        } else {
            w.0 += 1;
        }
    }
    let mut pages: Vec<Vec<u32>> = vec![Vec::new(); b.summaries.len()];
    for (id, recipe) in b.recipes.iter().enumerate() {
        for n in recipe.members() {
            if let Some(p) = pages.get_mut(n as usize) {
                p.push(id as u32);
            }
        }
    }
    let encoded: Vec<Vec<u8>> = b.recipes.iter().map(|r| encode(&dir, r)).collect::<Result<_, Error>>()?;
    write_log(&dir, "recipes", &encoded)?;
    let mut doc_shards = b.doc_shards;
    doc_shards.resize(b.summaries.len(), Vec::new());
    let log = dir.join("records.bin");
    let mut index = Vec::with_capacity(b.summaries.len() * 12);
    let mut file = std::io::BufWriter::new(std::fs::File::create(&log).map_err(io(&log))?);
    let mut at = 0u64;
    let mut shards = doc_shards.into_iter();
    for start in (0..b.summaries.len()).step_by(BATCH) {
        let end = (start + BATCH).min(b.summaries.len());
        let batch: Vec<(usize, Vec<u8>)> = (start..end).map(|i| (i, shards.next().unwrap_or_default())).collect();
        let encoded: Vec<Vec<u8>> = batch
            .into_par_iter()
            .map(|(i, shards)| {
                let (s, f) = (&b.summaries[i], &b.facts[i]);
                let (own, register) = warnings.get(f.source.as_path()).copied().unwrap_or_default();
                let entry = Entry {
                    source: f.source.clone(),
                    summary: s.clone(),
                    key: f.key,
                    shards,
                    shows: f.shows.iter().filter_map(|id| number.get(id.as_str()).copied()).collect(),
                    shown_on: shown_on[i].clone(),
                    superseded_by: f.superseded_by.as_deref().and_then(|id| number.get(id).copied()),
                    warnings: own,
                    register_warnings: register,
                    pdf: b.pdf_ids.contains(&s.id),
                    pages: pages[i].clone(),
                    at: b.pieces_at.get(i).copied().unwrap_or([u64::MAX; 4]),
                };
                encode(&log, &entry)
            })
            .collect::<Result<_, Error>>()?;
        for e in &encoded {
            file.write_all(e).map_err(io(&log))?;
            index.extend_from_slice(&at.to_le_bytes());
            index.extend_from_slice(&(e.len() as u32).to_le_bytes());
            at += e.len() as u64;
        }
    }
    file.flush().map_err(io(&log))?;
    drop(file);
    replace(&dir.join("records.idx"), &index)?;
    let by_source: HashMap<PathBuf, u32> =
        b.facts.iter().enumerate().map(|(i, f)| (root.join(&f.source), i as u32)).collect();
    let layout = Layout {
        numbers: b
            .inputs
            .records
            .iter()
            .map(|(p, facts)| if facts.is_dir { u32::MAX } else { by_source.get(p).copied().unwrap_or(u32::MAX) })
            .collect(),
        documents: b.checked.documents.clone(),
    };
    let path = dir.join("layout.bin");
    replace(&path, &encode(&path, &layout)?)?;
    let facts: Vec<u8> = b.inputs.records.iter().flat_map(|(_, f)| fact_bytes(f)).collect();
    replace(&dir.join("facts.bin"), &facts)?;
    let head = Head {
        fingerprint: b.inputs.fingerprint(),
        context: b.inputs.context,
        paths: b.inputs.paths(),
        decisions: b.summaries.len(),
        reports: b.pdf_ids.len(),
        warnings: crate::diag::counts(&b.checked.diags).reported(),
        shifts: Vec::new(),
    };
    let path = dir.join("head.bin");
    replace(&path, &encode(&path, &head)?)
}

/// Writes `<name>.bin`, the items one after another, and `<name>.idx`,
/// where each starts and how long it is.
fn write_log(dir: &Path, name: &str, items: &[Vec<u8>]) -> Result<(), Error> {
    let mut index = Vec::with_capacity(items.len() * 12);
    let mut at = 0u64;
    for e in items {
        index.extend_from_slice(&at.to_le_bytes());
        index.extend_from_slice(&(e.len() as u32).to_le_bytes());
        at += e.len() as u64;
    }
    replace(&dir.join(format!("{name}.bin")), &items.concat())?;
    replace(&dir.join(format!("{name}.idx")), &index)
}

/// The cache's records, read one at a time.
struct Store {
    dir: PathBuf,
    name: &'static str,
    index: Vec<u8>,
}

impl Store {
    fn open(dir: &Path, name: &'static str) -> Option<Store> {
        Some(Store { dir: dir.to_path_buf(), name, index: std::fs::read(dir.join(format!("{name}.idx"))).ok()? })
    }

    fn len(&self) -> u32 {
        (self.index.len() / 12) as u32
    }

    fn get<T: serde::de::DeserializeOwned>(&self, n: u32) -> Result<T, Error> {
        let path = self.dir.join(format!("{}.bin", self.name));
        let at = n as usize * 12;
        let slot = self.index.get(at..at + 12).ok_or_else(|| Error {
            path: path.clone(),
            what: format!("the build cache has no {} number {n}", self.name),
        })?;
        let offset = u64::from_le_bytes(slot[..8].try_into().unwrap_or_default());
        let len = u32::from_le_bytes(slot[8..].try_into().unwrap_or_default());
        let mut file = std::fs::File::open(&path).map_err(io(&path))?;
        file.seek(SeekFrom::Start(offset)).map_err(io(&path))?;
        let mut bytes = vec![0; len as usize];
        file.read_exact(&mut bytes).map_err(io(&path))?;
        decode(&path, &bytes)
    }

    /// Adds new versions of records: appended, and their slots in the
    /// index rewritten in place (a republish clears the stamp first, so a
    /// cache left half written is never trusted).
    fn put(&mut self, entries: &[(u32, Entry)]) -> Result<(), Error> {
        let path = self.dir.join("records.bin");
        let mut file = std::fs::OpenOptions::new().append(true).open(&path).map_err(io(&path))?;
        let mut at = file.metadata().map_err(io(&path))?.len();
        let idx = self.dir.join("records.idx");
        let mut index = std::fs::OpenOptions::new().write(true).open(&idx).map_err(io(&idx))?;
        for (n, e) in entries {
            let bytes = encode(&path, e)?;
            file.write_all(&bytes).map_err(io(&path))?;
            let slot = *n as usize * 12;
            let mut new = [0u8; 12];
            new[..8].copy_from_slice(&at.to_le_bytes());
            new[8..].copy_from_slice(&(bytes.len() as u32).to_le_bytes());
            self.index[slot..slot + 12].copy_from_slice(&new);
            index.seek(SeekFrom::Start(slot as u64)).map_err(io(&idx))?;
            index.write_all(&new).map_err(io(&idx))?;
            at += bytes.len() as u64;
        }
        Ok(())
    }
}

/// What republishing did.
pub struct Republished {
    /// The record files republished.
    pub changed: Vec<PathBuf>,
    /// Files of the site (and reports) replaced or added.
    pub files: usize,
    /// Files of the site taken out (search shards an edit emptied).
    pub removed: usize,
    /// Problems found in the changed files (warnings only: a file with an
    /// error is left to a full build, which reports it).
    pub diags: Vec<Diagnostic>,
    pub stamp: Stamp,
    /// PDFs rendered anew.
    pub reports: usize,
    /// How long each step took.
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

/// Times the steps of a republish.
struct Laps(Vec<(&'static str, std::time::Duration)>, std::time::Instant);

impl Laps {
    fn lap(&mut self, step: &'static str) {
        let now = std::time::Instant::now();
        self.0.push((step, now - self.1));
        self.1 = now;
    }
}

/// Republishes the edits since the last clean build, when they can be:
/// `None` when a full build is needed (see the module's note).
/// Why an edit could not be republished (and a full build is made).
pub type Why = &'static str;

pub fn republish(plan: &BuildPlan, inputs: &Inputs, last: &Stamp) -> Result<Result<Republished, Why>, Error> {
    let mut laps = Laps(Vec::new(), std::time::Instant::now());
    let dir = plan.out.join(DIR);
    let head_path = dir.join("head.bin");
    let Ok(bytes) = std::fs::read(&head_path) else {
        return Ok(Err("there is no build cache (the last build was not a clean one)"));
    };
    let mut head: Head = decode(&head_path, &bytes)?;
    if stamp::with_output(head.fingerprint, &plan.out) != last.fingerprint
        || head.context != inputs.context
        || head.paths != inputs.paths()
    {
        return Ok(Err("settings, templates, documents, the day, decreg or the set of record files changed"));
    }
    let facts_path = dir.join("facts.bin");
    let facts = std::fs::read(&facts_path).map_err(io(&facts_path))?;
    let Some(changed) = changed_files(&facts, inputs) else {
        return Ok(Err("a file that is not a record changed, or more than 64 did"));
    };
    let layout_path = dir.join("layout.bin");
    let layout: Layout = decode(&layout_path, &std::fs::read(&layout_path).map_err(io(&layout_path))?)?;
    let (Some(mut store), Some(recipes)) = (Store::open(&dir, "records"), Store::open(&dir, "recipes")) else {
        return Ok(Err("the build cache is incomplete"));
    };
    if store.len() as usize != head.decisions || layout.numbers.len() != inputs.records.len() {
        return Ok(Err("the build cache is incomplete"));
    }
    laps.lap("read the build cache");
    let work = match Work::prepare(plan, &layout, &store, &changed)? {
        Ok(work) => work,
        Err(why) => return Ok(Err(why)),
    };
    laps.lap("check the edited records");
    let sources: Vec<PathBuf> = work.edited.iter().map(|e| e.old.source.clone()).collect();
    let (done, overlay) = match work.render(plan, &layout, &store, &recipes, &head, &mut laps)? {
        Ok(done) => done,
        Err(why) => return Ok(Err(why)),
    };
    // From here the site changes: a build killed now must not think it up
    // to date, nor trust the cache.
    stamp::clear(&plan.out);
    let removed = overlay.removed();
    let files = overlay.len() - removed;
    overlay.commit()?;
    laps.lap("put the files in place");
    store.put(&done.entries)?;
    let mut facts_file = std::fs::OpenOptions::new().write(true).open(&facts_path).map_err(io(&facts_path))?;
    for &i in &changed {
        facts_file.seek(SeekFrom::Start((i * FACT_BYTES) as u64)).map_err(io(&facts_path))?;
        facts_file.write_all(&fact_bytes(&inputs.records[i].1)).map_err(io(&facts_path))?;
    }
    drop(facts_file);
    head.fingerprint = inputs.fingerprint();
    head.shifts.extend(done.shifts);
    head.warnings = (head.warnings + done.warnings.1).saturating_sub(done.warnings.0);
    replace(&head_path, &encode(&head_path, &head)?)?;
    let stamp = Stamp {
        fingerprint: stamp::with_output(head.fingerprint, &plan.out),
        decisions: head.decisions,
        reports: head.reports,
        warnings: head.warnings,
    };
    stamp::write(&plan.out, &stamp)?;
    laps.lap("update the build cache");
    Ok(Ok(Republished {
        changed: sources,
        files,
        removed,
        diags: work_diags(done.diags),
        stamp,
        reports: done.fresh_reports,
        timings: laps.0,
    }))
}

fn work_diags(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    crate::diag::sort(&mut diags);
    diags
}

/// The record files that changed, by their place in the inputs (whose
/// paths are those of the cached build); `None` when one that changed is
/// not a record, or too many changed.
fn changed_files(facts: &[u8], inputs: &Inputs) -> Option<Vec<usize>> {
    if facts.len() != inputs.records.len() * FACT_BYTES {
        return None;
    }
    let mut changed = Vec::new();
    for (i, (then, (_, now))) in facts.chunks_exact(FACT_BYTES).zip(&inputs.records).enumerate() {
        if then[24] != u8::from(now.is_dir) {
            return None;
        }
        // a folder's time changes when an editor saves by renaming
        if !now.is_dir && then != fact_bytes(now) {
            if changed.len() == MOST_EDITS {
                return None;
            }
            changed.push(i);
        }
    }
    Some(changed)
}

/// An edited record, read and checked again.
struct Edited {
    number: u32,
    record: Record,
    old: Entry,
    summary: Summary,
    diags: Vec<Diagnostic>,
}

/// The edits, checked, with what they need.
struct Work {
    config: Config,
    edited: Vec<Edited>,
}

impl Work {
    fn prepare(
        plan: &BuildPlan,
        layout: &Layout,
        store: &Store,
        changed: &[usize],
    ) -> Result<Result<Work, Why>, Error> {
        let (config, config_diags) =
            Config::from_root(&plan.root).map_err(|e| Error::io(&plan.root.join(crate::config::FILE_NAME), &e))?;
        if config_diags.iter().any(Diagnostic::is_error) {
            return Ok(Err("a file that is not a record changed"));
        }
        let calendar = Calendar::new(config.bank_holidays, &config.closures);
        let ctx = Context { config: &config, calendar: &calendar, today: plan.today, documents: &layout.documents };
        let mut edited = Vec::new();
        for &i in changed {
            let number = layout.numbers[i];
            if number == u32::MAX {
                return Ok(Err("an edited record has errors"));
            }
            let old: Entry = store.get(number)?;
            let (record, diags) = crate::load_one(&plan.root, &old.source, &ctx);
            let Some((record, _)) = record.filter(|_| !diags.iter().any(Diagnostic::is_error)) else {
                return Ok(Err("register.yaml has errors"));
            };
            edited.push(Edited { number, record, summary: old.summary.clone(), old, diags });
        }
        // Titles first (an edited record may show another's), then views.
        let mut work = Work { config, edited };
        let titles = work.titles(store, work.edited.iter().map(|e| &e.old))?;
        for e in &mut work.edited {
            let links = links_for(&e.record, &e.old, &titles);
            let view = public::view(&e.record, &work.config, &layout.documents, &links, true);
            e.summary = Summary::of(&view);
            if structure(&e.summary, &e.record) != e.old.key {
                return Ok(Err("an edit moves its decision (its date, decision maker, status, subjects, areas, links or documents changed)"));
            }
        }
        Ok(Ok(work))
    }

    /// The ids and titles (as they are now) of the edited records and of
    /// the records the pages of `entries` show.
    fn titles<'e>(
        &self,
        store: &Store,
        entries: impl Iterator<Item = &'e Entry>,
    ) -> Result<HashMap<u32, (String, String)>, Error> {
        let mut titles: HashMap<u32, (String, String)> =
            self.edited.iter().map(|e| (e.number, (e.record.id.clone(), e.record.title.clone()))).collect();
        for e in entries {
            for &n in e.shows.iter().chain(&e.superseded_by) {
                if let std::collections::hash_map::Entry::Vacant(v) = titles.entry(n) {
                    let s = store.get::<Entry>(n)?.summary;
                    v.insert((s.id, s.title));
                }
            }
        }
        Ok(titles)
    }

    fn render(
        self,
        plan: &BuildPlan,
        layout: &Layout,
        store: &Store,
        recipes: &Store,
        head: &Head,
        laps: &mut Laps,
    ) -> Result<Result<(Done, Overlay), Why>, Error> {
        let r = Renderer::new(&plan.root, &self.config, plan.today)?;
        let overlay = Overlay::new(&plan.out)?;
        match self.render_into(Sources { plan, layout, store, recipes, head }, &r, &overlay, laps) {
            Ok(Ok(done)) => Ok(Ok((done, overlay))),
            // nothing of it was published
            Ok(Err(why)) => {
                overlay.discard();
                Ok(Err(why))
            }
            Err(e) => {
                overlay.discard();
                Err(e)
            }
        }
    }

    /// Makes everything again into `overlay`; the open data files are
    /// copied alongside (the kernel's work) while the pages and index are
    /// made (the processor's).
    fn render_into(
        &self,
        from: Sources<'_>,
        r: &Renderer<'_>,
        overlay: &Overlay,
        laps: &mut Laps,
    ) -> Result<Result<Done, Why>, Error> {
        let (plan, head) = (from.plan, from.head);
        std::thread::scope(|scope| {
            let open = scope.spawn(|| self.open_data(r, plan, head, overlay));
            let rest = self.render_pages(from, r, overlay, laps);
            let open = open.join().unwrap_or_else(|_| {
                Err(Error { path: plan.out.join("site"), what: "the open data could not be written".into() })
            });
            laps.lap("open data (alongside)");
            match (rest?, open?) {
                (Ok(mut done), Ok(shifts)) => {
                    done.shifts = shifts;
                    Ok(Ok(done))
                }
                (Err(why), _) | (_, Err(why)) => Ok(Err(why)),
            }
        })
    }

    fn render_pages(
        &self,
        from: Sources<'_>,
        r: &Renderer<'_>,
        overlay: &Overlay,
        laps: &mut Laps,
    ) -> Result<Result<Done, Why>, Error> {
        let Sources { plan, layout, store, recipes: recipe_store, head: _ } = from;
        let numbers: BTreeSet<u32> = self.edited.iter().map(|e| e.number).collect();
        let retitled: Vec<&Edited> = self.edited.iter().filter(|e| e.summary.title != e.old.summary.title).collect();
        // Pages to make again: the edited records', and those showing a
        // changed title.
        let mut pages: BTreeSet<u32> = numbers.clone();
        pages.extend(retitled.iter().flat_map(|e| e.old.shown_on.iter().copied()));
        let mut summaries: HashMap<u32, Summary> = self.edited.iter().map(|e| (e.number, e.summary.clone())).collect();
        let on_pages: BTreeSet<u32> = self.edited.iter().flat_map(|e| e.old.pages.iter().copied()).collect();
        let recipes: Vec<Recipe> = on_pages.into_iter().map(|id| recipe_store.get(id)).collect::<Result<_, Error>>()?;
        let mut wanted: BTreeSet<u32> = recipes.iter().flat_map(|rc| rc.members()).collect();
        for &n in &numbers {
            let chunk = n / 4 * 4;
            wanted.extend(chunk..(chunk + 4).min(store.len()));
        }
        let mut others: HashMap<u32, Entry> = HashMap::new();
        for n in wanted.iter().chain(&pages) {
            if !summaries.contains_key(n) && !others.contains_key(n) {
                let e: Entry = store.get(*n)?;
                summaries.insert(*n, e.summary.clone());
                others.insert(*n, e);
            }
        }
        let calendar = Calendar::new(self.config.bank_holidays, &self.config.closures);
        let ctx =
            Context { config: &self.config, calendar: &calendar, today: plan.today, documents: &layout.documents };
        // The records whose pages (and PDFs) are made again, whole.
        let mut whole: Vec<(u32, std::borrow::Cow<'_, Record>, Entry)> = Vec::new();
        for &n in &pages {
            match self.edited.iter().find(|e| e.number == n) {
                Some(e) => whole.push((n, std::borrow::Cow::Borrowed(&e.record), e.old.clone())),
                None => {
                    let entry = others.get(&n).cloned().ok_or_else(|| missing(n))?;
                    let (record, diags) = crate::load_one(&plan.root, &entry.source, &ctx);
                    let Some((record, _)) = record.filter(|_| !diags.iter().any(Diagnostic::is_error)) else {
                        return Ok(Err("a record showing an edited title has errors"));
                    };
                    whole.push((n, std::borrow::Cow::Owned(record), entry));
                }
            }
        }
        let titles = self.titles(store, whole.iter().map(|(_, _, e)| e))?;
        let mut search_edits = Vec::new();
        let mut fresh_reports = 0;
        let mut report_jobs: Vec<(&Record, Links<'_>)> = Vec::new();
        let titles_ref = &titles;
        for (n, record, entry) in &whole {
            let links = links_for(record, entry, titles_ref);
            let view: PublicRecord = public::view(record, &self.config, &layout.documents, &links, true);
            let summary = Summary::of(&view);
            let html = render_html::decision_page(r, &view, &summary, entry.pdf)?;
            overlay.write("site", &format!("decisions/{}/index.html", view.id), html.as_bytes())?;
            if numbers.contains(n) {
                search_edits.push(search::Edit {
                    doc: *n,
                    old_shards: search::unpack_shards(&entry.shards),
                    terms: search::terms(&view),
                });
            }
            if entry.pdf && plan.pdf {
                report_jobs.push((record.as_ref(), links));
            }
        }
        laps.lap("decision pages");
        for rc in &recipes {
            let (path, html) = render_html::remade(r, rc, &|n| &summaries[&n])?;
            overlay.write("site", &path, html.as_bytes())?;
        }
        laps.lap("listings and feeds");
        let Some(mended) = search::mend(&plan.out.join("site"), &search_edits, &|n| summaries.get(&n))? else {
            return Ok(Err("the search index cannot be mended to match a full build (a shard would be emptied that is not the last, or a common word's bitmap undone)"));
        };
        for (path, bytes) in &mended.files {
            if mended.new_files.contains(path) {
                overlay.create("site", path, bytes)?;
            } else {
                overlay.write("site", path, bytes)?;
            }
        }
        for path in &mended.removed_files {
            overlay.remove("site", path)?;
        }
        laps.lap("search index");
        if !report_jobs.is_empty() {
            fresh_reports = self.reports(plan, layout, &report_jobs, overlay)?;
            laps.lap("PDF reports");
        }
        let mut entries = Vec::new();
        let mut diags = Vec::new();
        let (mut before, mut after) = (0, 0);
        for e in &self.edited {
            let shards = search_edits
                .iter()
                .position(|s| s.doc == e.number)
                .map_or_else(|| e.old.shards.clone(), |i| search::pack_shards(&mended.shards[i]));
            let own = e.diags.len() as u32;
            before += (e.old.warnings) as usize;
            after += own as usize;
            diags.extend(e.diags.iter().cloned());
            entries.push((e.number, Entry { summary: e.summary.clone(), shards, warnings: own, ..e.old.clone() }));
        }
        Ok(Ok(Done { shifts: Vec::new(), entries, diags, warnings: (before, after), fresh_reports }))
    }

    /// Replaces the edited records' rows of decisions.json and
    /// decisions.csv and their events in calendar.ics, copying the rest of
    /// each file as it is (in the kernel, where it can); the splices made,
    /// or `None` when a piece is not where the cache says or anywhere in
    /// its file (then a full build is needed).
    fn open_data(
        &self,
        r: &Renderer<'_>,
        plan: &BuildPlan,
        head: &Head,
        overlay: &Overlay,
    ) -> Result<Result<Vec<Splice>, Why>, Error> {
        use render_html::{csv_row, ics_events, json_row};
        let base = r.site.base_url.clone().unwrap_or_default();
        type PiecesOf<'f> = &'f dyn Fn(&Summary) -> Vec<String>;
        let files: [(&str, PiecesOf<'_>); 3] = [
            ("decisions.json", &|s| vec![json_row(s, &base)]),
            ("decisions.csv", &|s| vec![csv_row(s, &base)]),
            ("calendar.ics", &|s| ics_events(r, s).into_iter().map(|(_, _, t)| t).collect()),
        ];
        let mut shifts = Vec::new();
        for (k, (name, pieces_of)) in files.into_iter().enumerate() {
            // (where the full build put it, old text, new text)
            let mut pieces: Vec<(u64, String, String)> = Vec::new();
            for e in &self.edited {
                let (old, new) = (pieces_of(&e.old.summary), pieces_of(&e.summary));
                if old.len() != new.len() {
                    return Ok(Err("an edit adds or removes a calendar event"));
                }
                for (n, (o, w)) in old.into_iter().zip(new).enumerate() {
                    if o != w {
                        pieces.push((e.old.at.get(k + n).copied().unwrap_or(u64::MAX), o, w));
                    }
                }
            }
            if pieces.is_empty() {
                continue;
            }
            let path = plan.out.join("site").join(name);
            let Some(mut found) = find_pieces(&path, k as u8, &pieces, &head.shifts)? else {
                return Ok(Err("a piece of the open data is not where the cache says"));
            };
            found.sort_by_key(|(at, _)| *at);
            if found.windows(2).any(|w| w[0].0 + pieces[w[0].1].1.len() as u64 > w[1].0) {
                return Ok(Err("pieces of the open data overlap"));
            }
            overlay.write_with("site", name, |out| {
                let mut from = std::fs::File::open(&path)?;
                let mut done = 0;
                for &(at, i) in &found {
                    std::io::copy(&mut (&mut from).take(at - done), out)?;
                    out.write_all(pieces[i].2.as_bytes())?;
                    done = at + pieces[i].1.len() as u64;
                    from.seek(SeekFrom::Start(done))?;
                }
                std::io::copy(&mut from, out)?;
                Ok(())
            })?;
            // later splices first, so each one's place holds for the next
            for &(at, i) in found.iter().rev() {
                shifts.push((k as u8, at, pieces[i].2.len() as i64 - pieces[i].1.len() as i64));
            }
        }
        Ok(Ok(shifts))
    }

    #[cfg(feature = "pdf")]
    fn reports(
        &self,
        plan: &BuildPlan,
        layout: &Layout,
        jobs: &[(&Record, Links<'_>)],
        overlay: &Overlay,
    ) -> Result<usize, Error> {
        let cache = plan.out.join(".cache/reports");
        std::fs::create_dir_all(&cache).map_err(io(&cache))?;
        let root = plan.root.clone();
        let made: Vec<(String, Vec<u8>, bool)> = crate::reports::with_report_stack(|| {
            let pdf = crate::render_pdf::Pdf::new(&root)?;
            jobs.iter()
                .map(|(record, links)| {
                    let (_, bytes, fresh) =
                        crate::reports::cached_report(&pdf, &cache, record, &self.config, &layout.documents, links)?;
                    Ok((record.id.clone(), bytes, fresh))
                })
                .collect::<Result<Vec<_>, Error>>()
        })??;
        let mut fresh = 0;
        for (id, bytes, new) in made {
            overlay.write("site", &format!("reports/{id}.pdf"), &bytes)?;
            overlay.write("reports", &format!("{id}.pdf"), &bytes)?;
            fresh += usize::from(new);
        }
        Ok(fresh)
    }

    #[cfg(not(feature = "pdf"))]
    fn reports(&self, _: &BuildPlan, _: &Layout, _: &[(&Record, Links<'_>)], _: &Overlay) -> Result<usize, Error> {
        Ok(0)
    }
}

fn missing(n: u32) -> Error {
    Error { path: PathBuf::from(DIR), what: format!("the build cache lost decision number {n}") }
}

/// Where each old piece is in the file now, with its index in `pieces`:
/// first where the cache says, else anywhere in the file.
fn find_pieces(
    path: &Path,
    file: u8,
    pieces: &[(u64, String, String)],
    shifts: &[Splice],
) -> Result<Option<Vec<(u64, usize)>>, Error> {
    let mut f = std::fs::File::open(path).map_err(io(path))?;
    let mut whole: Option<Vec<u8>> = None;
    let mut found = Vec::with_capacity(pieces.len());
    for (i, (at, old, _)) in pieces.iter().enumerate() {
        let guess = shifted(*at, file, shifts);
        let mut here = vec![0u8; old.len()];
        let hit = *at != u64::MAX
            && f.seek(SeekFrom::Start(guess)).is_ok()
            && f.read_exact(&mut here).is_ok()
            && here == old.as_bytes();
        if hit {
            found.push((guess, i));
            continue;
        }
        if whole.is_none() {
            whole = Some(std::fs::read(path).map_err(io(path))?);
        }
        match whole.as_deref().and_then(|w| memchr::memmem::find(w, old.as_bytes())) {
            Some(at) => found.push((at as u64, i)),
            None => return Ok(None),
        }
    }
    Ok(Some(found))
}

/// The links a record's page shows, from the titles at hand.
fn links_for<'a>(record: &'a Record, entry: &Entry, titles: &'a HashMap<u32, (String, String)>) -> Links<'a> {
    let of = |n: &u32| titles.get(n).map(|(id, title)| (id.as_str(), title.as_str()));
    let shown = entry.shows.iter().filter_map(of).collect();
    let superseded_by =
        entry.superseded_by.as_ref().and_then(of).map(|(id, _)| (record.id.as_str(), id)).into_iter().collect();
    Links::from_parts(shown, superseded_by)
}

/// What a republish reads from.
#[derive(Clone, Copy)]
struct Sources<'a> {
    plan: &'a BuildPlan,
    layout: &'a Layout,
    store: &'a Store,
    recipes: &'a Store,
    head: &'a Head,
}

/// Rendered, not yet committed.
struct Done {
    /// The splices made into the open data files (see `Head::shifts`).
    shifts: Vec<Splice>,
    entries: Vec<(u32, Entry)>,
    diags: Vec<Diagnostic>,
    /// Warnings of the edited files before and after.
    warnings: (usize, usize),
    fresh_reports: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_piece_moves_with_each_earlier_splice_of_its_own_file() {
        // decisions.json grew by 5 at 100, then shrank by 2 at 40; the csv
        // grew at 10
        let shifts = [(0, 100, 5), (0, 40, -2), (1, 10, 7)];
        assert_eq!(shifted(20, 0, &shifts), 20, "before both");
        assert_eq!(shifted(60, 0, &shifts), 58, "after the second only");
        assert_eq!(shifted(200, 0, &shifts), 203, "after both");
        assert_eq!(shifted(100, 0, &shifts), 98, "the spliced piece itself stays put");
        assert_eq!(shifted(200, 1, &shifts), 207, "each file its own");
    }

    #[test]
    fn facts_keep_their_width() {
        let f = Facts { size: 12_345, modified: 1_700_000_000_123_456_789, is_dir: false };
        let b = fact_bytes(&f);
        assert_eq!(b.len(), FACT_BYTES);
        let later = Facts { modified: f.modified + 1, ..f };
        assert_ne!(b, fact_bytes(&later), "a nanosecond counts");
    }
}
