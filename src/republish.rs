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
use crate::render_html::{self, Recipe, Renderer, SiteView, Summary};
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
    /// The search index's shards holding its terms.
    shards: Vec<u32>,
    /// The records whose titles its page shows, and those showing its.
    shows: Vec<u32>,
    shown_on: Vec<u32>,
    superseded_by: Option<u32>,
    /// Warnings about its file: its own, and those of rules across records.
    warnings: u32,
    register_warnings: u32,
    pdf: bool,
}

/// The rest of the cache: what the site was built from, and the recipes of
/// its pages of decisions.
#[derive(Serialize, Deserialize)]
struct State {
    /// The inputs' fingerprint of the build the cache describes.
    fingerprint: u64,
    context: u64,
    files: Vec<(PathBuf, Facts)>,
    /// Each file's record number (`u32::MAX`: a folder, or not a record).
    numbers: Vec<u32>,
    recipes: Vec<Recipe>,
    documents: Documents,
    decisions: usize,
    reports: usize,
    warnings: usize,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::io(path, &e)
}

fn codec(path: &Path) -> impl Fn(bincode::Error) -> Error + '_ {
    move |e| Error { path: path.to_path_buf(), what: format!("the build cache cannot be read or written: {e}") }
}

/// Everything a clean build hands over to be cached.
pub struct Built<'a> {
    pub inputs: &'a Inputs,
    pub checked: &'a Checked,
    pub summaries: &'a [Summary],
    pub facts: &'a [PageFacts],
    pub doc_shards: Vec<Vec<u32>>,
    pub recipes: Vec<Recipe>,
    pub pdf_ids: &'a std::collections::HashSet<String>,
}

/// Keeps the cache of a clean build (before its stamp is written: the
/// cache counts only with the stamp it was made with).
pub fn keep(out: &Path, root: &Path, b: Built<'_>) -> Result<(), Error> {
    use rayon::prelude::*;
    let dir = out.join(DIR);
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
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
    let mut doc_shards = b.doc_shards;
    doc_shards.resize(b.summaries.len(), Vec::new());
    let encoded: Vec<Vec<u8>> = b
        .summaries
        .par_iter()
        .zip(b.facts)
        .zip(doc_shards.into_par_iter().zip(shown_on))
        .map(|((s, f), (shards, shown_on))| {
            let (own, register) = warnings.get(f.source.as_path()).copied().unwrap_or_default();
            let entry = Entry {
                source: f.source.clone(),
                summary: s.clone(),
                key: f.key,
                shards,
                shows: f.shows.iter().filter_map(|id| number.get(id.as_str()).copied()).collect(),
                shown_on,
                superseded_by: f.superseded_by.as_deref().and_then(|id| number.get(id).copied()),
                warnings: own,
                register_warnings: register,
                pdf: b.pdf_ids.contains(&s.id),
            };
            bincode::serialize(&entry).unwrap_or_default()
        })
        .collect();
    let log = dir.join("records.bin");
    let mut index = Vec::with_capacity(encoded.len() * 12);
    let mut file = std::io::BufWriter::new(std::fs::File::create(&log).map_err(io(&log))?);
    let mut at = 0u64;
    for e in &encoded {
        file.write_all(e).map_err(io(&log))?;
        index.extend_from_slice(&at.to_le_bytes());
        index.extend_from_slice(&(e.len() as u32).to_le_bytes());
        at += e.len() as u64;
    }
    file.flush().map_err(io(&log))?;
    let idx = dir.join("records.idx");
    std::fs::write(&idx, index).map_err(io(&idx))?;
    let by_source: HashMap<PathBuf, u32> =
        b.facts.iter().enumerate().map(|(i, f)| (root.join(&f.source), i as u32)).collect();
    let state = State {
        fingerprint: b.inputs.fingerprint(),
        context: b.inputs.context,
        numbers: b
            .inputs
            .records
            .iter()
            .map(|(p, facts)| if facts.2 { u32::MAX } else { by_source.get(p).copied().unwrap_or(u32::MAX) })
            .collect(),
        files: b.inputs.records.clone(),
        recipes: b.recipes,
        documents: b.checked.documents.clone(),
        decisions: b.summaries.len(),
        reports: b.pdf_ids.len(),
        warnings: crate::diag::counts(&b.checked.diags).1,
    };
    write_state(&dir, &state)
}

fn write_state(dir: &Path, state: &State) -> Result<(), Error> {
    let path = dir.join("state.bin");
    let partial = dir.join("state.partial");
    let bytes = bincode::serialize(state).map_err(codec(&path))?;
    std::fs::write(&partial, bytes).map_err(io(&partial))?;
    std::fs::rename(&partial, &path).map_err(io(&path))
}

fn read_state(dir: &Path) -> Option<State> {
    let bytes = std::fs::read(dir.join("state.bin")).ok()?;
    bincode::deserialize(&bytes).ok()
}

/// The cache's records, read one at a time.
struct Store {
    dir: PathBuf,
    index: Vec<u8>,
}

impl Store {
    fn open(dir: &Path) -> Option<Store> {
        Some(Store { dir: dir.to_path_buf(), index: std::fs::read(dir.join("records.idx")).ok()? })
    }

    fn len(&self) -> u32 {
        (self.index.len() / 12) as u32
    }

    fn get(&self, n: u32) -> Result<Entry, Error> {
        let path = self.dir.join("records.bin");
        let at = n as usize * 12;
        let slot = self
            .index
            .get(at..at + 12)
            .ok_or_else(|| Error { path: path.clone(), what: format!("the build cache has no decision number {n}") })?;
        let offset = u64::from_le_bytes(slot[..8].try_into().unwrap_or_default());
        let len = u32::from_le_bytes(slot[8..].try_into().unwrap_or_default());
        let mut file = std::fs::File::open(&path).map_err(io(&path))?;
        file.seek(SeekFrom::Start(offset)).map_err(io(&path))?;
        let mut bytes = vec![0; len as usize];
        file.read_exact(&mut bytes).map_err(io(&path))?;
        bincode::deserialize(&bytes).map_err(codec(&path))
    }

    /// Adds new versions of records (appended; the index points to them).
    fn put(&mut self, entries: &[(u32, Entry)]) -> Result<(), Error> {
        let path = self.dir.join("records.bin");
        let mut file = std::fs::OpenOptions::new().append(true).open(&path).map_err(io(&path))?;
        let mut at = file.metadata().map_err(io(&path))?.len();
        for (n, e) in entries {
            let bytes = bincode::serialize(e).map_err(codec(&path))?;
            file.write_all(&bytes).map_err(io(&path))?;
            let slot = *n as usize * 12;
            self.index[slot..slot + 8].copy_from_slice(&at.to_le_bytes());
            self.index[slot + 8..slot + 12].copy_from_slice(&(bytes.len() as u32).to_le_bytes());
            at += bytes.len() as u64;
        }
        file.sync_data().map_err(io(&path))?;
        let idx = self.dir.join("records.idx");
        let partial = self.dir.join("records.partial");
        std::fs::write(&partial, &self.index).map_err(io(&partial))?;
        std::fs::rename(&partial, &idx).map_err(io(&idx))
    }
}

/// What republishing did.
pub struct Republished {
    /// The record files republished.
    pub changed: Vec<PathBuf>,
    /// Files of the site (and reports) replaced.
    pub files: usize,
    /// Problems found in the changed files (warnings only: a file with an
    /// error is left to a full build, which reports it).
    pub diags: Vec<Diagnostic>,
    pub stamp: Stamp,
    /// PDFs rendered anew.
    pub reports: usize,
}

/// Republishes the edits since the last clean build, when they can be:
/// `None` when a full build is needed (see the module's note).
pub fn republish(plan: &BuildPlan, inputs: &Inputs, last: &Stamp) -> Result<Option<Republished>, Error> {
    let dir = plan.out.join(DIR);
    let Some(mut state) = read_state(&dir) else { return Ok(None) };
    if stamp::with_output(state.fingerprint, &plan.out) != last.fingerprint || state.context != inputs.context {
        return Ok(None);
    }
    let Some(changed) = changed_files(&state, inputs) else { return Ok(None) };
    let Some(mut store) = Store::open(&dir) else { return Ok(None) };
    if store.len() as usize != state.decisions {
        return Ok(None);
    }
    let Some(work) = Work::prepare(plan, &state, &store, &changed)? else { return Ok(None) };
    let sources: Vec<PathBuf> = work.edited.iter().map(|e| e.old.source.clone()).collect();
    let Some((done, overlay)) = work.render(plan, &state, &store)? else { return Ok(None) };
    // From here the site changes: a build killed now must not think it up
    // to date, nor trust the cache.
    stamp::clear(&plan.out);
    overlay.commit()?;
    store.put(&done.entries)?;
    for &i in &changed {
        state.files[i] = inputs.records[i].clone();
    }
    state.fingerprint = inputs.fingerprint();
    state.warnings = state.warnings + done.warnings.1 - done.warnings.0;
    write_state(&dir, &state)?;
    let stamp = Stamp {
        fingerprint: stamp::with_output(state.fingerprint, &plan.out),
        decisions: state.decisions,
        reports: state.reports,
        warnings: state.warnings,
    };
    stamp::write(&plan.out, &stamp)?;
    Ok(Some(Republished {
        changed: sources,
        files: done.files,
        diags: work_diags(done.diags),
        stamp,
        reports: done.fresh_reports,
    }))
}

fn work_diags(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    crate::diag::sort(&mut diags);
    diags
}

/// The files that changed, by their place in the inputs; `None` when files
/// came or went, or too many changed.
fn changed_files(state: &State, inputs: &Inputs) -> Option<Vec<usize>> {
    if state.files.len() != inputs.records.len() {
        return None;
    }
    let mut changed = Vec::new();
    for (i, ((was, then), (is, now))) in state.files.iter().zip(&inputs.records).enumerate() {
        if was != is || then.2 != now.2 {
            return None;
        }
        // a folder's time changes when an editor saves by renaming
        if !now.2 && then != now {
            if state.numbers[i] == u32::MAX || changed.len() == MOST_EDITS {
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
    fn prepare(plan: &BuildPlan, state: &State, store: &Store, changed: &[usize]) -> Result<Option<Work>, Error> {
        let (config, config_diags) =
            Config::from_root(&plan.root).map_err(|e| Error::io(&plan.root.join(crate::config::FILE_NAME), &e))?;
        if config_diags.iter().any(Diagnostic::is_error) {
            return Ok(None);
        }
        let calendar = Calendar::new(config.bank_holidays, &config.closures);
        let ctx = Context { config: &config, calendar: &calendar, today: plan.today, documents: &state.documents };
        let mut edited = Vec::new();
        for &i in changed {
            let number = state.numbers[i];
            let old = store.get(number)?;
            let (record, diags) = crate::load_one(&plan.root, &old.source, &ctx);
            let Some((record, _)) = record.filter(|_| !diags.iter().any(Diagnostic::is_error)) else {
                return Ok(None);
            };
            edited.push(Edited { number, record, summary: old.summary.clone(), old, diags });
        }
        // Titles first (an edited record may show another's), then views.
        let mut work = Work { config, edited };
        let titles = work.titles(store, work.edited.iter().map(|e| &e.old))?;
        for e in &mut work.edited {
            let links = links_for(&e.record, &e.old, &titles);
            let view = public::view(&e.record, &work.config, &state.documents, &links, true);
            e.summary = Summary::of(&view);
            if structure(&e.summary, &e.record) != e.old.key {
                return Ok(None);
            }
        }
        Ok(Some(work))
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
                    let s = store.get(n)?.summary;
                    v.insert((s.id, s.title));
                }
            }
        }
        Ok(titles)
    }

    fn render(self, plan: &BuildPlan, state: &State, store: &Store) -> Result<Option<(Done, Overlay)>, Error> {
        let tera = render_html::templates(&plan.root)?;
        let r = Renderer {
            tera,
            site: SiteView::new(&self.config, plan.today),
            config: &self.config,
            template_dir: plan.root.join("templates/html"),
        };
        let mut overlay = Overlay::new(&plan.out)?;
        match self.render_into(plan, state, store, &r, &mut overlay) {
            Ok(Some(mut done)) => {
                done.files = overlay.len();
                Ok(Some((done, overlay)))
            }
            other => {
                overlay.discard();
                other.map(|_| None)
            }
        }
    }

    fn render_into(
        &self,
        plan: &BuildPlan,
        state: &State,
        store: &Store,
        r: &Renderer<'_>,
        overlay: &mut Overlay,
    ) -> Result<Option<Done>, Error> {
        let numbers: BTreeSet<u32> = self.edited.iter().map(|e| e.number).collect();
        let retitled: Vec<&Edited> = self.edited.iter().filter(|e| e.summary.title != e.old.summary.title).collect();
        // Pages to make again: the edited records', and those showing a
        // changed title.
        let mut pages: BTreeSet<u32> = numbers.clone();
        pages.extend(retitled.iter().flat_map(|e| e.old.shown_on.iter().copied()));
        let mut summaries: HashMap<u32, Summary> = self.edited.iter().map(|e| (e.number, e.summary.clone())).collect();
        let recipes: Vec<&Recipe> =
            state.recipes.iter().filter(|rc| rc.members().any(|n| numbers.contains(&n))).collect();
        let mut wanted: BTreeSet<u32> = recipes.iter().flat_map(|rc| rc.members()).collect();
        for &n in &numbers {
            let chunk = n / 4 * 4;
            wanted.extend(chunk..(chunk + 4).min(state.decisions as u32));
        }
        let mut others: HashMap<u32, Entry> = HashMap::new();
        for n in wanted.iter().chain(&pages) {
            if !summaries.contains_key(n) && !others.contains_key(n) {
                let e = store.get(*n)?;
                summaries.insert(*n, e.summary.clone());
                others.insert(*n, e);
            }
        }
        let calendar = Calendar::new(self.config.bank_holidays, &self.config.closures);
        let ctx = Context { config: &self.config, calendar: &calendar, today: plan.today, documents: &state.documents };
        // The records whose pages (and PDFs) are made again, whole.
        let mut whole: Vec<(u32, std::borrow::Cow<'_, Record>, Entry)> = Vec::new();
        for &n in &pages {
            match self.edited.iter().find(|e| e.number == n) {
                Some(e) => whole.push((n, std::borrow::Cow::Borrowed(&e.record), e.old.clone())),
                None => {
                    let entry = others.get(&n).cloned().ok_or_else(|| missing(n))?;
                    let (record, diags) = crate::load_one(&plan.root, &entry.source, &ctx);
                    let Some((record, _)) = record.filter(|_| !diags.iter().any(Diagnostic::is_error)) else {
                        return Ok(None);
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
            let view: PublicRecord = public::view(record, &self.config, &state.documents, &links, true);
            let summary = Summary::of(&view);
            let html = render_html::decision_page(r, &view, &summary, entry.pdf)?;
            overlay.write("site", &format!("decisions/{}/index.html", view.id), html.as_bytes())?;
            if numbers.contains(n) {
                search_edits.push(search::Edit {
                    doc: *n,
                    old_shards: entry.shards.clone(),
                    terms: search::terms(&view),
                });
            }
            if entry.pdf && plan.pdf {
                report_jobs.push((record.as_ref(), links));
            }
        }
        for rc in &recipes {
            let (path, html) = render_html::remade(r, rc, &|n| &summaries[&n])?;
            overlay.write("site", &path, html.as_bytes())?;
        }
        let Some(mended) = search::mend(&plan.out.join("site"), &search_edits, &|n| summaries.get(&n))? else {
            return Ok(None);
        };
        for (path, bytes) in &mended.files {
            overlay.write("site", path, bytes)?;
        }
        if !self.open_data(r, plan, overlay)? {
            return Ok(None);
        }
        if !report_jobs.is_empty() {
            fresh_reports = self.reports(plan, state, &report_jobs, overlay)?;
        }
        let mut entries = Vec::new();
        let mut diags = Vec::new();
        let (mut before, mut after) = (0, 0);
        for e in &self.edited {
            let shards = search_edits
                .iter()
                .position(|s| s.doc == e.number)
                .map_or_else(|| e.old.shards.clone(), |i| mended.shards[i].clone());
            let own = e.diags.len() as u32;
            before += (e.old.warnings) as usize;
            after += own as usize;
            diags.extend(e.diags.iter().cloned());
            entries.push((e.number, Entry { summary: e.summary.clone(), shards, warnings: own, ..e.old.clone() }));
        }
        Ok(Some(Done { entries, diags, warnings: (before, after), files: 0, fresh_reports }))
    }

    /// Replaces the edited records' rows of decisions.json and
    /// decisions.csv and their events in calendar.ics; `false` when one is
    /// not where the cache says (then a full build is needed).
    fn open_data(&self, r: &Renderer<'_>, plan: &BuildPlan, overlay: &mut Overlay) -> Result<bool, Error> {
        use render_html::{csv_row, ics_events, json_row};
        let base = r.site.base_url.clone().unwrap_or_default();
        type Pieces = Vec<(String, String)>;
        type PiecesOf<'f> = &'f dyn Fn(&Summary) -> Vec<String>;
        let files: [(&str, PiecesOf<'_>); 3] = [
            ("decisions.json", &|s| vec![json_row(s, &base)]),
            ("decisions.csv", &|s| vec![csv_row(s, &base)]),
            ("calendar.ics", &|s| ics_events(r, s).into_iter().map(|(_, _, t)| t).collect()),
        ];
        for (name, pieces_of) in files {
            let mut pieces: Pieces = Vec::new();
            for e in &self.edited {
                let (old, new) = (pieces_of(&e.old.summary), pieces_of(&e.summary));
                if old.len() != new.len() {
                    return Ok(false);
                }
                pieces.extend(old.into_iter().zip(new).filter(|(o, n)| o != n));
            }
            if pieces.is_empty() {
                continue;
            }
            let path = plan.out.join("site").join(name);
            let mut text = std::fs::read(&path).map_err(io(&path))?;
            for (old, new) in pieces {
                let Some(at) = memchr::memmem::find(&text, old.as_bytes()) else { return Ok(false) };
                text.splice(at..at + old.len(), new.into_bytes());
            }
            overlay.write("site", name, &text)?;
        }
        Ok(true)
    }

    #[cfg(feature = "pdf")]
    fn reports(
        &self,
        plan: &BuildPlan,
        state: &State,
        jobs: &[(&Record, Links<'_>)],
        overlay: &mut Overlay,
    ) -> Result<usize, Error> {
        let cache = plan.out.join(".cache/reports");
        std::fs::create_dir_all(&cache).map_err(io(&cache))?;
        let root = plan.root.clone();
        let made: Vec<(String, Vec<u8>, bool)> = crate::reports::with_report_stack(|| {
            let pdf = crate::render_pdf::Pdf::new(&root)?;
            jobs.iter()
                .map(|(record, links)| {
                    let (_, bytes, fresh) =
                        crate::reports::cached_report(&pdf, &cache, record, &self.config, &state.documents, links)?;
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
    fn reports(&self, _: &BuildPlan, _: &State, _: &[(&Record, Links<'_>)], _: &mut Overlay) -> Result<usize, Error> {
        Ok(0)
    }
}

fn missing(n: u32) -> Error {
    Error { path: PathBuf::from(DIR), what: format!("the build cache lost decision number {n}") }
}

/// The links a record's page shows, from the titles at hand.
fn links_for<'a>(record: &'a Record, entry: &Entry, titles: &'a HashMap<u32, (String, String)>) -> Links<'a> {
    let of = |n: &u32| titles.get(n).map(|(id, title)| (id.as_str(), title.as_str()));
    let shown = entry.shows.iter().filter_map(of).collect();
    let superseded_by =
        entry.superseded_by.as_ref().and_then(of).map(|(id, _)| (record.id.as_str(), id)).into_iter().collect();
    Links::from_parts(shown, superseded_by)
}

/// Rendered, not yet committed.
struct Done {
    entries: Vec<(u32, Entry)>,
    diags: Vec<Diagnostic>,
    /// Warnings of the edited files before and after.
    warnings: (usize, usize),
    files: usize,
    fresh_reports: usize,
}
