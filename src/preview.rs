//! What `serve` shows of an edit before the build that follows it is
//! done. At 100,000 decisions a build takes seconds, most of it spent on
//! the decisions the edit did not touch. So serve holds what the last
//! build published ([`Held`]: the register as checked and the decisions'
//! summaries), checks the edited record files alone, and answers with
//! [`Shown`]: their pages, made as a build makes them, and every page the
//! site makes from the decisions' summaries (listings, meetings, feeds,
//! open data, statistics) and the search index, each made from the
//! summaries and search terms with the edit applied, by the
//! build's own plan ([`render_html::plan`]). The build runs behind it
//! and, once done, its output is what serve shows again.
//!
//! An edit is shown this way only when it is plain: record files edited
//! or added, each checked without error, and no id another file holds.
//! Any other change (a file removed, `register.yaml`, a template, a
//! document) waits for the build, which is also what names every error.

use crate::diag::Diagnostic;
use crate::load::Error;
use crate::public::Links;
use crate::records::Record;
use crate::render_html::{self, OpenData, Recipe, Renderer, Summary};
use crate::search::{self, Edit, Index, IndexBuilder, Terms};
use crate::validate::{workdays::Calendar, Context};
use crate::Checked;
use chrono::NaiveDate;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

/// What the last build published, held for the edits that follow it.
pub struct Held {
    checked: Checked,
    /// The decisions published, in listing order.
    summaries: Vec<Summary>,
    /// Their search terms, in the same order.
    terms: Vec<Terms>,
    /// The search index made of them.
    index: Index,
}

/// The site with an edit applied, as far as serve shows it before the
/// build that follows.
pub struct Shown {
    root: PathBuf,
    today: NaiveDate,
    config: crate::config::Config,
    /// The register's templates, as the edited pages were made with.
    tera: tera::Tera,
    summaries: Vec<Summary>,
    terms: Vec<Terms>,
    /// The edited decisions' pages, by their path in the site.
    pages: HashMap<String, String>,
    /// The pages of decisions the edit took away (an id changed).
    gone: HashSet<String>,
    /// The pages made from the summaries, planned when first asked for.
    plan: OnceLock<Plan>,
    /// The open data files every decision is in, each made once.
    open_data: [(OpenData, OnceLock<Vec<u8>>); 3],
    /// The search index the last build made, and what the edit did to
    /// the decisions it numbers: taken when the index is remade.
    earlier: Mutex<Option<EarlierIndex>>,
    /// The search index with the edit, remade once (`None`: the build's
    /// files stand).
    search: OnceLock<Option<Index>>,
    /// Set once [`Shown::prepare`] makes what the pages share.
    preparing: AtomicBool,
}

/// The index the last build made, and the edit to make in it.
struct EarlierIndex {
    index: Index,
    edit: Edit,
}

/// The recipes of the pages made from the summaries, by path.
struct Plan {
    recipes: Vec<Recipe>,
    at: HashMap<String, usize>,
}

/// Where listings place a summary (see [`render_html::listing_place`]).
fn place(s: &Summary) -> (std::cmp::Reverse<Option<NaiveDate>>, &str) {
    let date = s.date.as_ref().and_then(|d| NaiveDate::parse_from_str(&d.iso, "%Y-%m-%d").ok());
    render_html::listing_place(date, &s.id)
}

impl Held {
    /// What a build published: its register as checked, each decision's
    /// summary and search terms in listing order, and the search index
    /// made of them (`None` when they do not match, as from a build that
    /// kept no terms).
    pub fn new(checked: Checked, summaries: Vec<Summary>, terms: Vec<Terms>, index: Option<Index>) -> Option<Held> {
        let index = index.filter(|i| i.docs() as usize == summaries.len() && summaries.len() == terms.len())?;
        Some(Held { checked, summaries, terms, index })
    }

    /// The site with the record files `changed` (relative to `root`) as
    /// they are now; `None` when the edit is not plain (see the module's
    /// note) and only a build can show it. What is held goes into what
    /// is shown (copying 100,000 summaries would cost more than all the
    /// rest): the build that follows holds anew.
    pub fn edited(mut self, root: &Path, today: NaiveDate, changed: &[PathBuf]) -> Option<Shown> {
        let config = &self.checked.config;
        let documents = &self.checked.documents;
        let calendar = Calendar::new(config.bank_holidays, &config.closures);
        let ctx = Context { config, calendar: &calendar, today, documents };
        let mut edited = Vec::with_capacity(changed.len());
        for rel in changed {
            let (record, mut diags) = crate::load_one(root, rel, &ctx);
            crate::validate::enforce::silence(&mut diags, &config.rules);
            if diags.iter().any(Diagnostic::is_error) {
                return None;
            }
            edited.push(record?.0);
        }
        let skipped = self.checked.files_with_errors();
        let changed: HashSet<&Path> = changed.iter().map(PathBuf::as_path).collect();
        let edited_ids: HashSet<&str> = edited.iter().map(|r| r.id.as_str()).collect();
        if edited_ids.len() < edited.len() {
            return None;
        }
        // the records the edited pages name, as a build's links would have them
        let named: HashSet<&str> =
            edited.iter().flat_map(|r| r.related.iter().map(String::as_str).chain(r.supersedes.as_deref())).collect();
        let mut linked: Vec<&Record> = Vec::new();
        let mut gone = HashSet::new();
        for r in &self.checked.records {
            if changed.contains(r.source.as_path()) {
                gone.insert(r.id.as_str());
            } else if edited_ids.contains(r.id.as_str()) {
                // an id another file holds, even one the build skipped:
                // the build names both
                return None;
            } else if skipped.contains(&r.source) {
                continue;
            } else if named.contains(r.id.as_str()) || r.supersedes.as_deref().is_some_and(|s| edited_ids.contains(s)) {
                linked.push(r);
            }
        }
        linked.extend(&edited);
        let links = Links::new(&linked);
        let renderer = Renderer::new(root, config, today).ok()?;
        let made: Vec<_> = edited
            .iter()
            .map(|r| render_html::record_page(&renderer, r, documents, &links, false))
            .collect::<Result<_, _>>()
            .ok()?;
        // the decisions the edit took out, then those it put in: the span
        // of listing places between them is all the search index remakes
        let (summaries, terms) = (&mut self.summaries, &mut self.terms);
        let before = summaries.len();
        let mut from = before;
        let mut after = before;
        let mut taken = Vec::new();
        let places: Vec<usize> = (0..before).filter(|&n| gone.contains(summaries[n].id.as_str())).collect();
        for &at in places.iter().rev() {
            summaries.remove(at);
            taken.push(terms.remove(at));
            from = from.min(at);
            after = after.min(before - 1 - at);
        }
        let mut pages = HashMap::new();
        for page in made {
            pages.insert(render_html::decision_path(&page.summary.id), page.html);
            let at = summaries.partition_point(|s| place(s) < place(&page.summary));
            summaries.insert(at, page.summary);
            terms.insert(at, page.terms);
            from = from.min(at);
            after = after.min(summaries.len() - 1 - at);
        }
        let edit = Edit { from: from as u32, old_end: (before - after) as u32, taken };
        let gone = gone.into_iter().filter(|id| !edited_ids.contains(id)).map(render_html::decision_path).collect();
        let (config, tera) = (config.clone(), renderer.tera);
        // 100,000 records take a fifth of a second to free: not while the
        // edited page waits to be shown
        let register = self.checked;
        std::thread::spawn(move || drop(register));
        Some(Shown {
            root: root.to_path_buf(),
            today,
            config,
            tera,
            summaries: self.summaries,
            terms: self.terms,
            pages,
            gone,
            plan: OnceLock::new(),
            earlier: Mutex::new(Some(EarlierIndex { index: self.index, edit })),
            open_data: [OpenData::Json, OpenData::Csv, OpenData::Calendar].map(|file| (file, OnceLock::new())),
            search: OnceLock::new(),
            preparing: AtomicBool::new(false),
        })
    }
}

impl Shown {
    /// The page at `path` in the site (`decisions/index.html`) with the
    /// edit applied; `None` for what the edit leaves as the last build
    /// wrote it (other decisions' pages, assets and documents, which the
    /// build that follows brings).
    /// Pages and open data made already are lent, not copied: at
    /// 100,000 decisions decisions.json is 98 MB.
    pub fn page(&self, path: &str) -> Option<Result<Cow<'_, [u8]>, Error>> {
        if let Some(html) = self.pages.get(path) {
            return Some(Ok(Cow::Borrowed(html.as_bytes())));
        }
        if let Some((file, made)) = self.open_data.iter().find(|(file, _)| file.path() == path) {
            let bytes = made.get_or_init(|| render_html::open_data_file(&self.renderer(), file, &self.summaries));
            return Some(Ok(Cow::Borrowed(bytes)));
        }
        if path.starts_with(search::INDEX_DIR) {
            return self.search().as_ref()?.file(path, &self.summaries).map(|bytes| Ok(Cow::Owned(bytes)));
        }
        let plan = self.plan();
        let recipe = &plan.recipes[*plan.at.get(path)?];
        Some(render_html::made(&self.renderer(), recipe, &self.summaries).map(|text| Cow::Owned(text.into_bytes())))
    }

    /// The search index with the edit, made once from the last build's
    /// (see [`Index::edited`]). Once `prepare` has begun, it makes it,
    /// right after decisions.json: a search asked for meanwhile waits
    /// rather than take a core from the listings' plan.
    fn search(&self) -> &Option<Index> {
        while self.preparing.load(Ordering::Acquire) {
            match self.search.get() {
                Some(made) => return made,
                None => std::thread::sleep(std::time::Duration::from_millis(10)),
            }
        }
        self.search.get_or_init(|| self.make_search())
    }

    /// The last build's index with the edit: only the decisions in the
    /// edit's span are added again.
    fn make_search(&self) -> Option<Index> {
        let EarlierIndex { index, edit } = self.earlier.lock().ok()?.take()?;
        let after = index.docs().checked_sub(edit.old_end)? as usize;
        let span = self.terms.get(edit.from as usize..self.terms.len().checked_sub(after)?)?;
        let mut added = IndexBuilder::starting_at(edit.from);
        span.iter().for_each(|terms| added.add(terms));
        index.edited(&edit, added, &self.summaries).ok()
    }

    /// Whether `path` is the page of a decision the edit took away.
    pub fn gone(&self, path: &str) -> bool {
        self.gone.contains(path)
    }

    fn renderer(&self) -> Renderer<'_> {
        Renderer::with_templates(self.tera.clone(), &self.root, &self.config, self.today)
    }

    /// The pages made from the summaries, planned once.
    fn plan(&self) -> &Plan {
        self.plan.get_or_init(|| {
            let recipes = render_html::plan(&self.renderer(), &self.summaries);
            let at = recipes.iter().enumerate().map(|(n, recipe)| (recipe.path(), n)).collect();
            Plan { recipes, at }
        })
    }

    /// Plans the pages made from the summaries, and makes the open data
    /// files and the search index, now rather than when a browser first
    /// asks for one: serve does it before the build behind takes the cores.
    pub fn prepare(&self) {
        let renderer = self.renderer();
        self.preparing.store(true, Ordering::Release);
        // on threads of their own: a thread of rayon's pool must never
        // wait for a file another thread is making on that pool
        std::thread::scope(|scope| {
            scope.spawn(|| {
                self.plan();
            });
            // decisions.json, then the search index (a tenth of a second
            // or less), then the rest of open data
            let [json, rest @ ..] = &self.open_data;
            let make = |(file, made): &(OpenData, OnceLock<Vec<u8>>)| {
                made.get_or_init(|| render_html::open_data_file(&renderer, file, &self.summaries));
            };
            make(json);
            self.search.get_or_init(|| self.make_search());
            rest.iter().for_each(make);
        });
    }
}
