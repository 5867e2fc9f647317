//! `decreg serve`: a live preview for authors. Builds the register into
//! `output/preview/`, serves it on 127.0.0.1 only, rebuilds when a record,
//! `register.yaml`, a document or a template changes, and reloads open
//! pages. A build with errors still shows the valid records, and the errors
//! appear in the terminal and over the page. The operating system tells it
//! of each edit, and each build starts from what the last left in memory:
//! a build like `decreg build`'s, without reading its cache files again.

use crate::build::build_from;
use crate::cache::Memory;
use crate::cli::BuildPlan;
use crate::diag::{self, Diagnostic};
use crate::load::Error;
use crate::output::Silent;
use crate::preview::{Held, Shown};
use chrono::NaiveDate;
use std::borrow::Cow;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the preview knows of the last build.
#[derive(Default)]
struct State {
    version: u64,
    errors: Vec<Diagnostic>,
    /// An edit shown before the build that follows it is done.
    shown: Option<Arc<Shown>>,
}

const RELOAD_JS: &str = r#"// decreg serve: reloads the page when the register changes, and shows
// the last build's errors over it.
(function () {
  let seen = null;
  async function poll() {
    try {
      const v = await (await fetch("/__decreg/version", { cache: "no-store" })).text();
      if (seen !== null && v !== seen) { location.reload(); return; }
      seen = v;
      const errors = await (await fetch("/__decreg/errors", { cache: "no-store" })).json();
      let box = document.getElementById("decreg-errors");
      if (errors.length === 0) { if (box) box.remove(); }
      else {
        if (!box) {
          box = document.createElement("section");
          box.id = "decreg-errors";
          box.setAttribute("role", "alert");
          box.className = "notice exempt-notice width";
          document.body.prepend(box);
        }
        box.replaceChildren();
        const h = document.createElement("h2");
        h.textContent = errors.length + " problem" + (errors.length === 1 ? "" : "s") + " in the register (these records are not shown)";
        box.append(h);
        const ul = document.createElement("ul");
        for (const e of errors) {
          const li = document.createElement("li");
          li.textContent = e.file + ":" + e.line + ": " + e.message + (e.hint ? " (" + e.hint + ")" : "");
          ul.append(li);
        }
        box.append(ul);
      }
    } catch (e) { /* the preview is restarting */ }
    // often: an edit is shown a tenth of a second after it is saved
    setTimeout(poll, 250);
  }
  poll();
})();
"#;

/// Runs the preview until the process is stopped. `ready` is told the
/// address once the first build is served.
/// With `verbose`, each build's stages are timed in the terminal.
pub fn serve(root: &Path, port: u16, today: NaiveDate, verbose: bool, ready: impl FnOnce(&str)) -> Result<(), Error> {
    let out = root.join("output/preview");
    let state = Arc::new(Mutex::new(State::default()));
    let mut memory = Memory::default();
    let first = crate::stamp::take(root, today, false);
    let built = first.fingerprint();
    let mut held = None;
    rebuild(root, &out, today, &state, first, &mut memory, &mut held, verbose);
    let listener = TcpListener::bind(("127.0.0.1", port)).map_err(|e| Error::io(Path::new("127.0.0.1"), &e))?;
    let addr = listener.local_addr().map_err(|e| Error::io(Path::new("127.0.0.1"), &e))?;
    ready(&format!("http://{addr}/"));
    {
        let (root, out, state) = (root.to_path_buf(), out.clone(), state.clone());
        let last = Last { fingerprint: built, memory, held };
        std::thread::spawn(move || watch(&root, &out, today, &state, last, verbose));
    }
    for stream in listener.incoming().flatten() {
        let (site, state) = (out.join("site"), state.clone());
        std::thread::spawn(move || {
            let _ = answer(stream, &site, &state);
        });
    }
    Ok(())
}

/// Builds, keeping going past errors, and records the outcome; `held`
/// becomes what the build published.
#[allow(clippy::too_many_arguments)]
fn rebuild(
    root: &Path,
    out: &Path,
    today: NaiveDate,
    state: &Mutex<State>,
    inputs: crate::stamp::Inputs,
    memory: &mut Memory,
    held: &mut Option<Held>,
    verbose: bool,
) {
    let plan = BuildPlan {
        root: root.to_path_buf(),
        out: out.to_path_buf(),
        today,
        keep_going: true,
        pdf: false,
        // Not forced: a build makes again only what an edit changed. A
        // build that found errors keeps no stamp, so the next one checks
        // the register again and the page keeps showing the errors until
        // they are fixed.
        force: false,
        progress: Arc::new(Silent),
    };
    let started = Instant::now();
    // what the last build published is not needed by this one, and an edit
    // shown has what it needs of it: not held twice at 100,000 decisions
    *held = None;
    let errors = match build_from(&plan, inputs, started, Some(memory)) {
        Ok(built) => {
            if verbose {
                for (stage, took) in &built.timings {
                    eprintln!("{stage:>24}: {took:.2?}");
                }
            }
            let errors: Vec<Diagnostic> =
                built.checked.iter().flat_map(|c| &c.diags).filter(|d| d.is_error()).cloned().collect();
            for d in &errors {
                eprintln!("{}\n", diag::render_human(d, false));
            }
            let took = started.elapsed().as_secs_f64();
            eprintln!("rebuilt in {took:.1} s: {} decisions, {} errors", built.decisions, errors.len());
            // what is held may have taken an edit shown since (see
            // `Held::edited`): only what this build published stands
            *held = match (built.checked, built.published) {
                (Some(checked), true) => Held::new(checked, built.summaries, built.terms, built.index),
                _ => None,
            };
            errors
        }
        Err(e) => {
            *held = None;
            eprintln!("error: {e}");
            vec![Diagnostic::error("build-failed", &e.path, e.what.clone())]
        }
    };
    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
    s.version += 1;
    s.errors = errors;
    s.shown = None;
}

/// What the watch knows of the last build.
struct Last {
    /// The fingerprint of its inputs, taken before it read them.
    fingerprint: u64,
    memory: Memory,
    /// What it published.
    held: Option<Held>,
}

/// Rebuilds when anything a build reads changes. The operating system
/// tells of each change; where it cannot (too many folders watched, a
/// network drive), the register is looked through as the build's own
/// up-to-date check does, with a pause that grows with what a look costs:
/// at 100,000 decisions one takes about half a second of both cores.
/// Either way a build runs only when the inputs' fingerprint moved.
/// `last` holds the fingerprint of what the first build read, taken
/// before it read: an edit made while it ran is a change. An edit to
/// records alone is shown at once (see [`crate::preview`]) while the
/// build runs.
fn watch(root: &Path, out: &Path, today: NaiveDate, state: &Mutex<State>, mut last: Last, verbose: bool) {
    let (told, changes) = std::sync::mpsc::channel::<(Told, Vec<PathBuf>)>();
    let mut watcher = Watcher::new(root, told);
    let mut look = Duration::ZERO;
    loop {
        // told of changes, a look now and then still: a system may miss
        // some (a network drive, or Wine, which tells of none)
        let woke = match &mut watcher {
            Some(w) => w.wait(&changes, pause_after(look) * WATCHED_LOOKS_RARER),
            None => Woke::Stopped,
        };
        if woke == Woke::Stopped {
            watcher = None;
            std::thread::sleep(pause_after(look));
        }
        if let (Woke::Told(paths), Some(w)) = (&woke, &watcher) {
            show_edit(root, &w.root, today, state, &mut last.held, paths, verbose);
        }
        let started = Instant::now();
        let now = crate::stamp::take(root, today, false);
        look = started.elapsed();
        if verbose {
            let why = if matches!(woke, Woke::Told(_)) { "told of a change" } else { "looking for changes" };
            eprintln!("{why}: took the inputs' facts in {look:.2?}");
        }
        if now.fingerprint() != last.fingerprint {
            last.fingerprint = now.fingerprint();
            rebuild(root, out, today, state, now, &mut last.memory, &mut last.held, verbose);
        } else {
            // an edit shown and then undone: the output stands
            let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
            if s.shown.take().is_some() {
                s.version += 1;
            }
        }
    }
}

/// Shows an edit of `paths` (as the system named them, under `canonical`,
/// the root) at once where it is plain, before the build that follows.
fn show_edit(
    root: &Path,
    canonical: &Path,
    today: NaiveDate,
    state: &Mutex<State>,
    held: &mut Option<Held>,
    paths: &[PathBuf],
    verbose: bool,
) {
    let started = Instant::now();
    let Some(files) = edited_records(canonical, paths) else { return };
    // what is held goes into what is shown: the build that follows holds anew
    let Some(shown) = held.take().and_then(|held| held.edited(root, today, &files)) else { return };
    let shown = Arc::new(shown);
    {
        let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
        s.shown = Some(shown.clone());
        s.version += 1;
    }
    let page = started.elapsed();
    // the listings are planned, and open data and the search index made,
    // before the build behind takes the cores
    shown.prepare();
    if verbose {
        let rest = started.elapsed() - page;
        eprintln!("showing the edit: its page in {page:.2?}, listings, open data and search index in {rest:.2?}");
    }
}

/// The record files `paths` name (relative to `root`), when an edit or
/// addition of record files is all they tell of: anything else a build
/// reads (a record removed, `register.yaml`, a template or a document)
/// waits for the build. Files a build does not read as records (an
/// editor's swap file, a folder) are no part of it.
fn edited_records(root: &Path, paths: &[PathBuf]) -> Option<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        let Ok(rel) = path.strip_prefix(root) else { continue };
        let first = rel.components().next().map(|c| c.as_os_str());
        if crate::load::is_record_path(rel) {
            // a file the build reads: not removed, and not reached through
            // a link to a folder (the build follows none)
            let read = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
                && std::fs::canonicalize(path).is_ok_and(|real| real == root.join(rel));
            if !read {
                return None;
            }
            files.push(rel.to_path_buf());
        } else if first.is_some_and(|f| f != "decisions" && what_changed(root, std::slice::from_ref(path)).is_some()) {
            return None;
        }
    }
    files.sort();
    files.dedup();
    (!files.is_empty()).then_some(files)
}

/// How much rarer the looks for changes are while the system tells of
/// them: every 4 s on a small register, every 45 s at 100,000 decisions.
const WATCHED_LOOKS_RARER: u32 = 10;

/// What the operating system is asked to tell of: the register's file
/// and the folders a build reads, each as it comes to be.
const WATCHED: [&str; 3] = ["decisions", "documents", "templates"];

/// The register's folders, watched.
struct Watcher {
    root: PathBuf,
    inner: notify::RecommendedWatcher,
    /// The folders of [`WATCHED`] being watched.
    armed: Vec<&'static str>,
}

/// Why the watch woke.
#[derive(PartialEq)]
enum Woke {
    /// Told of a change, to these paths.
    Told(Vec<PathBuf>),
    /// Due to look for changes itself.
    Due,
    /// No longer watching: looking for changes from now on.
    Stopped,
}

/// What the operating system told of.
enum Told {
    /// A change to something a build reads.
    Change,
    /// One of [`WATCHED`] made, removed or replaced: watched anew.
    Folder,
}

impl Watcher {
    /// Watches `root` (not what is under it: the output is written there)
    /// and the folders a build reads; `None` when the system cannot.
    fn new(root: &Path, told: std::sync::mpsc::Sender<(Told, Vec<PathBuf>)>) -> Option<Watcher> {
        use notify::Watcher as _;
        // the system names what changed by the path watched: a whole one,
        // whatever `--root` was (`.` by default)
        let root = &root.canonicalize().ok()?;
        let at_root = root.to_path_buf();
        let handler = move |event: notify::Result<notify::Event>| {
            // reading a file (the build itself does) is no change
            let Some(event) = event.ok().filter(|e| !e.kind.is_access()) else { return };
            let _ = match what_changed(&at_root, &event.paths) {
                Some(what) => told.send((what, event.paths)),
                None => Ok(()),
            };
        };
        let mut inner = notify::recommended_watcher(handler).ok()?;
        inner.watch(root, notify::RecursiveMode::NonRecursive).ok()?;
        let mut w = Watcher { root: root.to_path_buf(), inner, armed: Vec::new() };
        w.arm().then_some(w)
    }

    /// Watches the folders of [`WATCHED`] that exist now; `false` when one
    /// cannot be watched.
    fn arm(&mut self) -> bool {
        use notify::Watcher as _;
        for name in WATCHED {
            let dir = self.root.join(name);
            if !self.armed.contains(&name) && dir.is_dir() {
                if self.inner.watch(&dir, notify::RecursiveMode::Recursive).is_err() {
                    return false;
                }
                self.armed.push(name);
            }
        }
        true
    }

    /// Watches the folders of [`WATCHED`] anew: one replaced (moved away
    /// and another put in its place) is watched where it is now.
    fn rearm(&mut self) -> bool {
        use notify::Watcher as _;
        for name in std::mem::take(&mut self.armed) {
            let _ = self.inner.unwatch(&self.root.join(name));
        }
        self.arm()
    }

    /// Waits for a change, then for the burst it starts to end (an editor
    /// saves a file in several steps; a copy into `documents/` may go on
    /// for longer, and is not waited for past a second), or for
    /// `at_most`.
    fn wait(&mut self, changes: &std::sync::mpsc::Receiver<(Told, Vec<PathBuf>)>, at_most: Duration) -> Woke {
        use std::sync::mpsc::RecvTimeoutError;
        let mut folders = false;
        let mut paths = Vec::new();
        match changes.recv_timeout(at_most) {
            Err(RecvTimeoutError::Disconnected) => return Woke::Stopped,
            Err(RecvTimeoutError::Timeout) => return Woke::Due,
            Ok((told, named)) => {
                folders |= matches!(told, Told::Folder);
                paths.extend(named);
            }
        }
        let burst = Instant::now();
        while burst.elapsed() < Duration::from_secs(1) {
            match changes.recv_timeout(Duration::from_millis(25)) {
                Ok((told, named)) => {
                    folders |= matches!(told, Told::Folder);
                    paths.extend(named);
                }
                Err(_) => break,
            }
        }
        // a folder made since (the first record's) is watched from now
        let armed = if folders { self.rearm() } else { self.arm() };
        if armed {
            Woke::Told(paths)
        } else {
            Woke::Stopped
        }
    }
}

/// What a change to `paths` is to the preview: in the register's root,
/// only `register.yaml` and the folders of [`WATCHED`] are read by a
/// build (a log written there, or the output, is not).
fn what_changed(root: &Path, paths: &[PathBuf]) -> Option<Told> {
    let mut what = None;
    for path in paths {
        let Ok(rel) = path.strip_prefix(root) else { continue };
        let mut parts = rel.components();
        let (Some(first), rest) = (parts.next(), parts.next()) else { continue };
        let first = first.as_os_str();
        if WATCHED.iter().any(|w| first == *w) {
            what = Some(if rest.is_none() { Told::Folder } else { what.unwrap_or(Told::Change) });
        } else if first == crate::config::FILE_NAME && rest.is_none() {
            what = Some(what.unwrap_or(Told::Change));
        }
    }
    what
}

/// The pause before the next look for changes, given how long the last
/// one took: at least 400 ms, and nine times the look, so that looking
/// takes at most a tenth of the time.
fn pause_after(look: Duration) -> Duration {
    (look * 9).max(Duration::from_millis(400))
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css",
        Some("js") => "text/javascript",
        Some("json") => "application/json",
        Some("xml") => "application/xml",
        Some("atom") => "application/atom+xml",
        Some("ics") => "text/calendar",
        Some("csv") => "text/csv",
        Some("pdf") => "application/pdf",
        Some("wasm") => "application/wasm",
        _ => "application/octet-stream",
    }
}

fn respond(stream: &mut TcpStream, status: &str, kind: &str, body: &[u8]) -> std::io::Result<()> {
    write!(stream, "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n", body.len())?;
    stream.write_all(body)
}

fn answer(mut stream: TcpStream, site: &Path, state: &Mutex<State>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    let mut host = None;
    let mut line = String::new();
    while reader.read_line(&mut line)? > 2 {
        if let Some((_, value)) = line.split_once(':').filter(|(name, _)| name.eq_ignore_ascii_case("host")) {
            host = Some(value.trim().to_string());
        }
        line.clear();
    }
    // a page elsewhere whose name it points at this machine (DNS
    // rebinding) must not read the preview, nor the files it serves
    if host.as_deref().is_some_and(|h| !is_this_machine(h)) {
        return respond(&mut stream, "403 Forbidden", "text/plain", b"decreg serve answers only to this machine");
    }
    let target = request.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    match path {
        "/__decreg/version" => {
            let v = state.lock().unwrap_or_else(|e| e.into_inner()).version;
            return respond(&mut stream, "200 OK", "text/plain", v.to_string().as_bytes());
        }
        "/__decreg/errors" => {
            let errors =
                serde_json::to_vec(&state.lock().unwrap_or_else(|e| e.into_inner()).errors).unwrap_or_default();
            return respond(&mut stream, "200 OK", "application/json", &errors);
        }
        "/__decreg/reload.js" => return respond(&mut stream, "200 OK", "text/javascript", RELOAD_JS.as_bytes()),
        _ => {}
    }
    let shown = state.lock().unwrap_or_else(|e| e.into_inner()).shown.clone();
    let page = site_path(path).map(|mut rel| {
        if path.ends_with('/') || rel.is_empty() || site.join(&rel).is_dir() {
            rel = if rel.is_empty() { "index.html".into() } else { format!("{rel}/index.html") };
        }
        rel
    });
    let not_found = || {
        let page = std::fs::read(site.join("404.html")).unwrap_or_default();
        ("404 Not Found", site.join("404.html"), Cow::Owned(page))
    };
    let (status, file, mut body) = match (&page, shown.as_deref()) {
        (None, _) => not_found(),
        (Some(rel), Some(shown)) if shown.gone(rel) => not_found(),
        (Some(rel), shown) => match shown.and_then(|s| s.page(rel)) {
            Some(Ok(bytes)) => ("200 OK", PathBuf::from(rel), bytes),
            Some(Err(e)) => {
                return respond(&mut stream, "500 Internal Server Error", "text/plain", e.to_string().as_bytes())
            }
            // (the build behind may swap the folder between a look and a read)
            None => match std::fs::read(site.join(rel)) {
                Ok(bytes) => ("200 OK", site.join(rel), Cow::Owned(bytes)),
                Err(_) => not_found(),
            },
        },
    };
    if file.extension().is_some_and(|e| e == "html") {
        let html =
            String::from_utf8_lossy(&body).replace("</body>", "<script src=\"/__decreg/reload.js\"></script>\n</body>");
        body = Cow::Owned(html.into_bytes());
    }
    respond(&mut stream, status, content_type(&file), &body)
}

/// Whether a request's `Host` names this machine: the preview listens on
/// 127.0.0.1 only, and browsers name it so.
fn is_this_machine(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    matches!(name.to_ascii_lowercase().as_str(), "127.0.0.1" | "localhost" | "::1")
}

/// The file a request's path names in the site, relative to it (with
/// `/`); `None` for a path that would lead out of it, whether written
/// plainly or percent-encoded (`/..%2f..%2fetc`).
fn site_path(path: &str) -> Option<String> {
    let mut parts = Vec::new();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        let part = percent_decode(part);
        if part == "." || part == ".." || part.contains(['/', '\\', '\0', ':']) {
            return None;
        }
        parts.push(part);
    }
    Some(parts.join("/"))
}

fn percent_decode(s: &str) -> String {
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if let (b'%', Some(&hi), Some(&lo)) = (b[i], b.get(i + 1), b.get(i + 2)) {
            if let (Some(hi), Some(lo)) = (hex(hi), hex(lo)) {
                out.push(hi << 4 | lo);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_a_build_reads_is_a_change() {
        let root = Path::new("/councils/register");
        let told = |paths: &[&str]| {
            let paths: Vec<PathBuf> = paths.iter().map(|p| root.join(p)).collect();
            match what_changed(root, &paths) {
                None => "nothing",
                Some(Told::Change) => "change",
                Some(Told::Folder) => "folder",
            }
        };
        assert_eq!(told(&["serve.log"]), "nothing", "a log written beside the register");
        assert_eq!(told(&["output"]), "nothing");
        assert_eq!(told(&["register.yaml"]), "change");
        assert_eq!(told(&["decisions/2024/budget.md"]), "change");
        assert_eq!(told(&["documents/2024/report.pdf"]), "change");
        assert_eq!(told(&["templates"]), "folder", "a folder made or replaced is watched anew");
        assert_eq!(told(&["serve.log", "decisions/2024/budget.md"]), "change");
        assert_eq!(told(&["decisions", "decisions/2024/budget.md"]), "folder");
        assert!(what_changed(root, &[PathBuf::from("/elsewhere/register.yaml")]).is_none());
    }

    #[test]
    fn only_an_edit_or_addition_of_records_is_shown_before_the_build() {
        let dir = tempfile::tempdir().unwrap();
        // the watch names paths under the root as the system has it
        let root = &dir.path().canonicalize().unwrap();
        for file in [
            "decisions/2024/budget.md",
            "decisions/2024/.budget.md.swp",
            "decisions/_draft.md",
            "notes.txt",
            "elsewhere/linked.md",
        ] {
            std::fs::create_dir_all(root.join(file).parent().unwrap()).unwrap();
            std::fs::write(root.join(file), "x").unwrap();
        }
        let shown = |paths: &[&str]| {
            let paths: Vec<PathBuf> = paths.iter().map(|p| root.join(p)).collect();
            edited_records(root, &paths)
        };
        let budget = Some(vec![PathBuf::from("decisions/2024/budget.md")]);
        assert_eq!(shown(&["decisions/2024/budget.md"]), budget);
        assert_eq!(shown(&["decisions/2024/budget.md", "decisions/2024/budget.md"]), budget);
        // an editor's swap file, a skipped draft, a folder, a file beside the register
        let beside = ["decisions/2024/.budget.md.swp", "decisions/_draft.md", "decisions/2024", "notes.txt"];
        assert_eq!(shown(&[&beside[..], &["decisions/2024/budget.md"]].concat()), budget);
        assert_eq!(shown(&beside), None, "no record edited");
        assert_eq!(shown(&["decisions/2024/budget.md", "decisions/2024/gone.md"]), None, "a record removed");
        assert_eq!(shown(&["decisions/2024/budget.md", "register.yaml"]), None);
        assert_eq!(shown(&["decisions/2024/budget.md", "templates/html/list.html"]), None);
        assert_eq!(shown(&["decisions/2024/budget.md", "documents/report.pdf"]), None);
        // a folder reached through a link: the build follows none
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.join("elsewhere"), root.join("decisions/linked")).unwrap();
            assert_eq!(shown(&["decisions/linked/linked.md"]), None);
        }
    }

    #[test]
    fn a_request_never_leads_out_of_the_site() {
        assert_eq!(site_path("/decisions/budget/").as_deref(), Some("decisions/budget"));
        assert_eq!(site_path("/").as_deref(), Some(""));
        assert_eq!(site_path("/documents/Caf%C3%A9%20plan.pdf").as_deref(), Some("documents/Café plan.pdf"));
        for path in ["/../etc/passwd", "/..%2f..%2fetc%2fpasswd", "/%2e%2e/secret", "/a/%2E%2E/b", "/a%5c..%5cb", "/C:"]
        {
            assert_eq!(site_path(path), None, "{path}");
        }
        // a `%` before a character of several bytes, or at the end
        assert_eq!(percent_decode("%é"), "%é");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%4"), "%4");
    }

    #[test]
    fn only_this_machine_is_answered() {
        for host in ["127.0.0.1:8000", "localhost:8000", "LOCALHOST", "[::1]:8000", "127.0.0.1"] {
            assert!(is_this_machine(host), "{host}");
        }
        for host in ["attacker.example:8000", "127.0.0.1.attacker.example", "[::2]:80", ""] {
            assert!(!is_this_machine(host), "{host}");
        }
    }

    #[test]
    fn a_costly_look_for_changes_waits_longer_before_the_next() {
        assert_eq!(pause_after(Duration::from_millis(5)), Duration::from_millis(400), "a small register: 400 ms");
        // 100,000 decisions: half a second's look, then four and a half seconds' rest
        assert_eq!(pause_after(Duration::from_millis(500)), Duration::from_millis(4500));
    }
}
