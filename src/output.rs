//! Writing output safely. A build writes into a staging folder beside the
//! target and swaps it in only when complete, so a failed or killed build
//! leaves the previous output as it was. The output a swap replaces is
//! kept (`.<name>.previous`) and becomes the next build's staging folder:
//! rewriting files is far cheaper than making new ones and removing old. decreg marks the folders it
//! writes (`.decreg-output`, listing every file) and refuses to replace a
//! folder it did not write, or one holding files it did not write.

use crate::load::Error;
use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Told of each stage and each file written, to show progress.
pub trait Progress: Send + Sync {
    fn stage(&self, name: &str);
    fn file_written(&self);
    fn finish(&self);
}

/// No progress shown (not a terminal, `-q`, tests).
pub struct Silent;

impl Progress for Silent {
    fn stage(&self, _: &str) {}
    fn file_written(&self) {}
    fn finish(&self) {}
}

/// The marker decreg leaves in every folder it owns; it lists the files.
pub const MARKER: &str = ".decreg-output";

/// For the files made from a key (a decision's page, its PDF), each
/// file's key, so that the build that next starts from a folder knows
/// which of its files hold what it would make: kept under the output's
/// cache, as `<name>` for the published folder and `<name>.previous` for
/// the one kept beside it, not in the folders a council publishes.
const KEYS_DIR: &str = ".cache/keys";

/// A folder being written; swapped into place by [`Staging::publish`].
pub struct Staging {
    target: PathBuf,
    dir: PathBuf,
    /// The files written or kept, as they come (a set only once all have:
    /// a sorted list is built in one pass, where a set added to under its
    /// lock, 200,000 times at 100,000 decisions, kept both cores waiting).
    written: Mutex<Vec<String>>,
    /// The files the folder held when this build took it, as its marker
    /// listed them (`None`: not known, so [`Staging::publish`] looks).
    held: Option<Vec<String>>,
    /// The keys of the files the folder held when this build took it
    /// (the output of the build before last); for a new folder, those of
    /// the published one, whose files it takes as they are (`linked`).
    previous: HashMap<String, u64>,
    /// Where a file kept as it is comes from, when not from the folder
    /// itself: the published folder, for a build with no output of the
    /// build before last (the second build ever, or one after the spare
    /// was removed) that would otherwise make every file again.
    linked: Option<PathBuf>,
    /// The keys of the files this build wrote or kept.
    keys: Mutex<Vec<(String, u64)>>,
    progress: Arc<dyn Progress>,
}

impl Staging {
    /// Starts writing what will become `target` (e.g. `output/site`).
    /// Leftovers of killed builds are removed first: they are decreg's own.
    pub fn new(target: &Path) -> Result<Staging, Error> {
        // Fail before any work when the target is not ours to replace. A
        // quick look: the whole one, file by file, is made as the folder is
        // replaced (at 100,000 decisions a look through the site costs
        // most of a second, and one is enough).
        if !may_be_ours(target) {
            return Err(not_ours(target));
        }
        let parent = target.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(parent).map_err(|e| Error::io(parent, &e))?;
        let name = target.file_name().map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
        remove_leftovers(parent, &name);
        let dir = parent.join(format!(".{name}.staging-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, &e))?;
        }
        // The previous build's output, kept by publish: writing over its
        // files reuses them, where creating a fresh tree and removing the
        // old one would cost the file system far more (ext4 passes over
        // every inode freed in the last minutes when it makes a new one).
        let spare = spare_of(target);
        let mut previous = take_keys(&keys_of(target, true))?;
        let mut linked = None;
        if fs::rename(&spare, &dir).is_err() {
            // no spare: its keys, if any, hold for nothing here; the
            // published folder's files are taken from it instead, where a
            // file may have two names (a copy each would cost Windows
            // more than making the files again)
            previous = if cfg!(unix) { read_keys(&keys_of(target, false)) } else { HashMap::new() };
            linked = (!previous.is_empty()).then(|| target.to_path_buf());
            fs::create_dir(&dir).map_err(|e| Error::io(&dir, &e))?;
        }
        let held = take_marker(&dir)?;
        Ok(Staging {
            target: target.to_path_buf(),
            dir,
            written: Mutex::new(Vec::new()),
            held,
            previous,
            linked,
            keys: Mutex::new(Vec::new()),
            progress: Arc::new(Silent),
        })
    }

    /// Forgets what the folder held: every file is written anew (`--force`).
    pub fn writing_everything(mut self) -> Self {
        self.previous.clear();
        self
    }

    /// Whether the folder holds `rel` as made from `key` already.
    pub fn holds(&self, rel: &str, key: u64) -> bool {
        // a published file removed by hand since is made again
        self.previous.get(rel) == Some(&key) && self.linked.as_ref().is_none_or(|from| from.join(rel).is_file())
    }

    /// Keeps `rel`, which the folder holds as made from `key` (see
    /// [`Staging::holds`]), as if written again.
    pub fn keep(&self, rel: &str, key: u64) -> Result<(), Error> {
        if let Some(from) = &self.linked {
            let path = self.path_of(rel)?;
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|e| Error::io(parent, &e))?;
            }
            let from = from.join(rel);
            link_or_copy(&from, &path).map_err(|e| Error::io(&from, &e))?;
        }
        self.written.lock().unwrap_or_else(|e| e.into_inner()).push(rel.to_string());
        self.keys.lock().unwrap_or_else(|e| e.into_inner()).push((rel.to_string(), key));
        self.progress.file_written();
        Ok(())
    }

    /// Writes `rel`, made from `key`.
    pub fn write_keyed(&self, rel: &str, key: u64, bytes: &[u8]) -> Result<(), Error> {
        self.write(rel, bytes)?;
        self.keys.lock().unwrap_or_else(|e| e.into_inner()).push((rel.to_string(), key));
        Ok(())
    }

    /// Reports each file written to `progress`.
    pub fn with_progress(mut self, progress: Arc<dyn Progress>) -> Self {
        self.progress = progress;
        self
    }

    /// Writes one file at `rel` (with `/` separators), refusing paths that
    /// would leave the folder.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), Error> {
        let path = self.place(rel)?;
        write_over(&path, bytes).map_err(|e| Error::io(&path, &e))?;
        self.note_written(rel);
        Ok(())
    }

    /// Writes one file at `rel` as `make` writes it, a piece at a time:
    /// a file of 100 MB (open data at 100,000 decisions) is never held
    /// whole.
    pub fn write_from(
        &self,
        rel: &str,
        make: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<(), Error> {
        let path = self.place(rel)?;
        let written = open_over(&path).and_then(|over| {
            let mut pieces = Pieces { over, at: 0, held: Vec::new() };
            make(&mut pieces)?;
            pieces.finish()
        });
        written.map_err(|e| Error::io(&path, &e))?;
        self.note_written(rel);
        Ok(())
    }

    /// The path of `rel` in the folder, its folder made.
    fn place(&self, rel: &str) -> Result<PathBuf, Error> {
        let path = self.path_of(rel)?;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io(parent, &e))?;
        }
        Ok(path)
    }

    fn note_written(&self, rel: &str) {
        self.written.lock().unwrap_or_else(|e| e.into_inner()).push(rel.to_string());
        self.progress.file_written();
    }

    /// Copies a file in (documents).
    pub fn copy(&self, rel: &str, from: &Path) -> Result<(), Error> {
        let path = self.path_of(rel)?;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io(parent, &e))?;
        }
        copy_over(from, &path)?;
        self.written.lock().unwrap_or_else(|e| e.into_inner()).push(rel.to_string());
        Ok(())
    }

    /// Copies a file in, copied from what `key` stands for.
    pub fn copy_keyed(&self, rel: &str, key: u64, from: &Path) -> Result<(), Error> {
        self.copy(rel, from)?;
        self.keys.lock().unwrap_or_else(|e| e.into_inner()).push((rel.to_string(), key));
        Ok(())
    }

    fn path_of(&self, rel: &str) -> Result<PathBuf, Error> {
        let p = Path::new(rel);
        let safe = !rel.is_empty() && p.components().all(|c| matches!(c, Component::Normal(_))) && rel != MARKER;
        if !safe {
            return Err(Error { path: p.to_path_buf(), what: "refused to write outside the output folder".into() });
        }
        Ok(self.dir.join(p))
    }

    /// Removes what an earlier build left in the staging folder and this
    /// one did not write, writes the marker and swaps the folder into
    /// place. The previous folder is kept beside it, as the next build's
    /// starting point, only after the new one is in place.
    pub fn publish(self) -> Result<(), Error> {
        let written: BTreeSet<String> =
            self.written.into_inner().unwrap_or_else(|e| e.into_inner()).into_iter().collect();
        match &self.held {
            Some(held) => remove_held_unwritten(&self.dir, held, &written)?,
            None => remove_unwritten(&self.dir, &written)?,
        }
        let manifest: String = written.iter().map(|f| format!("{f}\n")).collect();
        let marker = self.dir.join(MARKER);
        let text = format!("# written by decreg; this folder is replaced whole by each build\n{manifest}");
        write_over(&marker, text.as_bytes()).map_err(|e| Error::io(&marker, &e))?;
        let mut keys = self.keys.into_inner().unwrap_or_else(|e| e.into_inner());
        keys.sort_unstable();
        let keys: String = keys.iter().map(|(rel, key)| format!("{key:016x}\t{rel}\n")).collect();
        // Both folders' keys are forgotten until the folders are in place:
        // a build killed in between finds none, and makes every file.
        let (published_keys, spare_keys) = (keys_of(&self.target, false), keys_of(&self.target, true));
        let kept_before = fs::read_to_string(&published_keys).ok();
        forget(&published_keys)?;
        forget(&spare_keys)?;
        if self.target.exists() {
            if let Err(e) = ensure_ours(&self.target) {
                let _ = fs::remove_dir_all(&self.dir);
                return Err(e);
            }
            let old = spare_of(&self.target);
            if old.exists() {
                // a spare no build took (another build's, or a failed rename)
                let _ = fs::remove_dir_all(&old);
            }
            rename_patiently(&self.target, &old).map_err(|e| held_open(&self.target, &e))?;
            if let Err(e) = rename_patiently(&self.dir, &self.target) {
                // put the previous output back before reporting
                let _ = rename_patiently(&old, &self.target);
                return Err(held_open(&self.target, &e));
            }
            if let Some(text) = kept_before {
                write_keys(&spare_keys, &text)?;
            }
        } else {
            rename_patiently(&self.dir, &self.target).map_err(|e| held_open(&self.target, &e))?;
        }
        write_keys(&published_keys, &keys)
    }

    /// Abandons the build: the staging folder is removed, the target untouched.
    pub fn discard(self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// How long a rename waits, in all, for another program to let go of a
/// file: a virus scan or a search indexer on Windows holds a new file for
/// a moment, and a rename of its folder fails until it lets go.
const RENAME_WAITS_MS: [u64; 6] = [50, 100, 200, 400, 800, 1600];

/// Renames `from` to `to`, retrying while another program holds a file.
fn rename_patiently(from: &Path, to: &Path) -> std::io::Result<()> {
    retry_while_held(|| fs::rename(from, to), held_by_another_program, &RENAME_WAITS_MS)
}

/// Runs `op` until it succeeds, fails otherwise than `held`, or the
/// waits (in milliseconds) run out.
fn retry_while_held<T>(
    mut op: impl FnMut() -> std::io::Result<T>,
    held: impl Fn(&std::io::Error) -> bool,
    waits_ms: &[u64],
) -> std::io::Result<T> {
    let mut waits = waits_ms.iter();
    loop {
        match op() {
            Err(e) if held(&e) => match waits.next() {
                Some(&ms) => std::thread::sleep(std::time::Duration::from_millis(ms)),
                None => return Err(e),
            },
            done => return done,
        }
    }
}

/// Whether an error says another program has the file open: on Windows
/// a folder cannot be renamed while a file in it is open without
/// FILE_SHARE_DELETE (access denied, sharing or lock violation). Unix
/// renames regardless, so there nothing is worth waiting for.
fn held_by_another_program(e: &std::io::Error) -> bool {
    #[cfg(windows)]
    {
        matches!(e.raw_os_error(), Some(5 | 32 | 33))
    }
    #[cfg(not(windows))]
    {
        let _ = e;
        false
    }
}

/// The error of a rename that failed, saying what to do when another
/// program held a file.
fn held_open(path: &Path, e: &std::io::Error) -> Error {
    if !held_by_another_program(e) {
        return Error::io(path, e);
    }
    Error {
        path: path.to_path_buf(),
        what: format!(
            "cannot be replaced: a file in it is open in another program ({e}). Close it (a browser tab \
             showing the file, an editor, a virus scan) and build again; what was published before is unchanged"
        ),
    }
}

/// Writes `bytes` as the file at `path`, over the file an earlier build
/// left there if there is one: in place, then cut to length. A staging
/// folder starts as the output of the build before last, and truncating
/// each of its files first would free their blocks only to take new ones:
/// on a file system mounted with `discard` the device is told of every
/// freed block, 0.5 ms a file here, which made a full build over 100,000
/// decisions' output take three times a build into an empty folder.
fn write_over(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let Over { mut file, had } = open_over(path)?;
    write_whole_blocks(&mut file, bytes, had)?;
    file.set_len(bytes.len() as u64)
}

/// The file system's block: the unit a write over a file's old blocks
/// either covers whole or must read first.
const BLOCK: usize = 4096;

/// Writes `bytes` from the start of a file that held `had` bytes, its last
/// block filled out with zeros when the old file had that block. A write
/// that covers only part of a block the page cache does not hold makes
/// ext4 read that block from the disk first and wait for it: one wait a
/// file, which left the cores idle for a third of a full build over the
/// output of a build from an earlier day. The caller cuts the file to
/// length after.
fn write_whole_blocks(file: &mut fs::File, bytes: &[u8], had: u64) -> std::io::Result<()> {
    use std::io::{IoSlice, Write};
    let tail = bytes.len() % BLOCK;
    let last_block_was_there = ((bytes.len() - tail) as u64) < had;
    if tail == 0 || !last_block_was_there {
        return file.write_all(bytes);
    }
    // one write, so that the kernel sees the last block covered whole
    let zeros = [0u8; BLOCK];
    let (mut head, mut pad) = (bytes, &zeros[..BLOCK - tail]);
    while !head.is_empty() || !pad.is_empty() {
        let n = match file.write_vectored(&[IoSlice::new(head), IoSlice::new(pad)]) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            written => written?,
        };
        if n == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        let from_head = n.min(head.len());
        head = &head[from_head..];
        pad = &pad[(n - from_head).min(pad.len())..];
    }
    Ok(())
}

/// A file written over a piece at a time ([`Staging::write_from`]), in
/// whole blocks as [`write_over`] writes: pieces are held until they fill
/// a megabyte, whose whole blocks are written, and the rest at the end.
struct Pieces {
    over: Over,
    /// Where the next whole block goes.
    at: u64,
    held: Vec<u8>,
}

/// What [`Pieces`] gathers before it writes.
const PIECES_AT_ONCE: usize = 256 * BLOCK;

impl std::io::Write for Pieces {
    fn write(&mut self, piece: &[u8]) -> std::io::Result<usize> {
        self.held.extend_from_slice(piece);
        if self.held.len() >= PIECES_AT_ONCE {
            let whole = self.held.len() - self.held.len() % BLOCK;
            self.over.file.write_all(&self.held[..whole])?;
            self.held.drain(..whole);
            self.at += whole as u64;
        }
        Ok(piece.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Pieces {
    /// Writes what is held and cuts the file to its length.
    fn finish(mut self) -> std::io::Result<()> {
        let had_beyond = self.over.had.saturating_sub(self.at);
        write_whole_blocks(&mut self.over.file, &self.held, had_beyond)?;
        self.over.file.set_len(self.at + self.held.len() as u64)
    }
}

/// A file opened to be written over, and how long it was.
struct Over {
    file: fs::File,
    had: u64,
}

/// Opens the file at `path` for writing without emptying it; one that
/// cannot be opened so (e.g. read-only), or that is also another file
/// (see [`link_or_copy`]), is replaced by a new one. One look at the open
/// file tells both its length and its names.
fn open_over(path: &Path) -> std::io::Result<Over> {
    let open = || fs::OpenOptions::new().write(true).create(true).truncate(false).open(path);
    let file = open().or_else(|e| match fs::remove_file(path) {
        Ok(()) => open(),
        Err(_) => Err(e),
    })?;
    let meta = file.metadata()?;
    if !shared(&meta) {
        return Ok(Over { file, had: meta.len() });
    }
    drop(file);
    fs::remove_file(path)?;
    Ok(Over { file: open()?, had: 0 })
}

/// Makes `to` the file at `from`, as cheaply as the system allows: a
/// second name for it where files may have several (writing over either
/// later makes a new file, see [`open_over`]), else a copy.
fn link_or_copy(from: &Path, to: &Path) -> std::io::Result<()> {
    // never a copy onto a second name of the file itself
    match fs::remove_file(to) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    #[cfg(unix)]
    if fs::hard_link(from, to).is_ok() {
        return Ok(());
    }
    fs::copy(from, to).map(|_| ())
}

/// Whether a file has other names than the one it was opened by.
#[cfg(unix)]
fn shared(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    meta.nlink() > 1
}

/// Windows: decreg gives no file two names there ([`link_or_copy`] copies).
#[cfg(not(unix))]
fn shared(_: &fs::Metadata) -> bool {
    false
}

/// Files copied through memory (and so written as [`write_over`] writes)
/// up to this size; larger ones are copied by the kernel, where one read
/// of a last block is little beside the rest.
const COPY_IN_MEMORY: u64 = 4 << 20;

/// Copies the file at `from` to `to` as [`write_over`] writes.
fn copy_over(from: &Path, to: &Path) -> Result<(), Error> {
    let mut source = fs::File::open(from).map_err(|e| Error::io(from, &e))?;
    let size = source.metadata().map_err(|e| Error::io(from, &e))?.len();
    if size <= COPY_IN_MEMORY {
        let mut bytes = Vec::with_capacity(size as usize);
        std::io::Read::read_to_end(&mut source, &mut bytes).map_err(|e| Error::io(from, &e))?;
        return write_over(to, &bytes).map_err(|e| Error::io(to, &e));
    }
    let copied = (|| {
        let mut file = open_over(to)?.file;
        let len = std::io::copy(&mut source, &mut file)?;
        file.set_len(len)
    })();
    copied.map_err(|e| Error::io(to, &e))
}

/// Removes the folders under `root` that held `file`, just removed, and
/// hold nothing now, deepest first. Where several threads remove files of
/// one folder, the one that empties it last removes it.
fn remove_emptied_folders(root: &Path, file: &Path) {
    let mut parent = file.parent();
    // fails, as it should, at the first folder that still holds files
    while let Some(p) = parent.filter(|p| *p != root && p.starts_with(root)) {
        if fs::remove_dir(p).is_err() {
            break;
        }
        parent = p.parent();
    }
}

/// Where the previous output of `target` is kept for the next build.
fn spare_of(target: &Path) -> PathBuf {
    let name = target.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    target.with_file_name(format!(".{name}.previous"))
}

/// Where the keys of `target` (or of the folder kept beside it, `spare`)
/// are kept (see [`KEYS_DIR`]).
fn keys_of(target: &Path, spare: bool) -> PathBuf {
    let name = target.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let parent = target.parent().unwrap_or(Path::new("."));
    parent.join(KEYS_DIR).join(if spare { format!("{name}.previous") } else { name })
}

/// Keeps a folder's keys; none are kept for a folder without any.
fn write_keys(path: &Path, text: &str) -> Result<(), Error> {
    if text.is_empty() {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| Error::io(parent, &e))?;
    }
    fs::write(path, text).map_err(|e| Error::io(path, &e))
}

/// Forgets keys that are about to stop holding.
fn forget(path: &Path) -> Result<(), Error> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(path, &e)),
        _ => Ok(()),
    }
}

/// Reads and forgets the keys kept at `path`: forgotten first, so that a
/// build killed while writing over the folder's files leaves no key that
/// no longer holds.
fn take_keys(path: &Path) -> Result<HashMap<String, u64>, Error> {
    let Ok(text) = fs::read_to_string(path) else { return Ok(HashMap::new()) };
    forget(path)?;
    Ok(keys_in(&text))
}

/// The keys kept at `path`, if any.
fn read_keys(path: &Path) -> HashMap<String, u64> {
    fs::read_to_string(path).map(|text| keys_in(&text)).unwrap_or_default()
}

/// The keys in a keys file's text: a line each, the key in hex, a tab,
/// the file's path in the folder.
fn keys_in(text: &str) -> HashMap<String, u64> {
    text.lines()
        .filter_map(|l| l.split_once('\t'))
        .filter_map(|(key, rel)| Some((rel.to_string(), u64::from_str_radix(key, 16).ok()?)))
        .collect()
}

/// Removes the files under `dir` that are not in `written` (what an
/// earlier build wrote there and this one did not), and folders left empty.
fn remove_unwritten(dir: &Path, written: &BTreeSet<String>) -> Result<(), Error> {
    each_file(dir, &|key, path| {
        if !written.contains(key) {
            fs::remove_file(path).map_err(|e| Error::io(path, &e))?;
            remove_emptied_folders(dir, path);
        }
        Ok(())
    })
}

/// The files a folder's marker lists, and the marker taken out: the
/// folder is about to be written over, and a build killed meanwhile
/// leaves it unmarked, so that the next build that takes it looks at
/// what it holds instead (at 100,000 decisions looking through its
/// 178,000 files costs about a second).
fn take_marker(dir: &Path) -> Result<Option<Vec<String>>, Error> {
    let marker = dir.join(MARKER);
    let Ok(text) = fs::read_to_string(&marker) else { return Ok(None) };
    fs::remove_file(&marker).map_err(|e| Error::io(&marker, &e))?;
    let inside = |l: &&str| Path::new(l).components().all(|c| matches!(c, Component::Normal(_)));
    let listed: Vec<&str> = text.lines().filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    // a marker that names anything outside the folder is not ours to trust
    if !listed.iter().all(inside) {
        return Ok(None);
    }
    Ok(Some(listed.into_iter().map(str::to_string).collect()))
}

/// [`remove_unwritten`] for a folder whose files are known: those `held`.
fn remove_held_unwritten(dir: &Path, held: &[String], written: &BTreeSet<String>) -> Result<(), Error> {
    use rayon::prelude::*;
    crate::disk::install(|| {
        held.par_iter().filter(|rel| !written.contains(rel.as_str())).try_for_each(|rel| {
            let path = dir.join(rel);
            match fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::io(&path, &e)),
                _ => {}
            }
            remove_emptied_folders(dir, &path);
            Ok(())
        })
    })
}

/// Whether `target` is absent, empty or marked as decreg's own: a quick
/// look (see [`ensure_ours`] for the whole one).
pub fn may_be_ours(target: &Path) -> bool {
    match fs::read_dir(target) {
        Err(_) => !target.exists(),
        Ok(mut entries) => target.join(MARKER).is_file() || entries.next().is_none(),
    }
}

/// Why decreg will not replace `target`, a folder it has not marked.
fn not_ours(target: &Path) -> Error {
    Error {
        path: target.to_path_buf(),
        what: "this folder was not written by decreg (it has no .decreg-output marker); decreg will not replace it. Choose another --out folder or move it away".into(),
    }
}

/// Refuses to replace a folder decreg did not write, or one where someone
/// has since added files of their own. Only the folders changed since the
/// marker was written are looked into (see [`changed_at`]): adding or
/// removing a file changes its folder's time, and decreg writes the
/// marker last (at 100,000 decisions looking into all 130,000 folders
/// took most of a second of each build; asking each for its time takes a
/// tenth of that).
pub fn ensure_ours(target: &Path) -> Result<(), Error> {
    use rayon::prelude::*;
    let marker = target.join(MARKER);
    let (listed, marked_at) = match (fs::read_to_string(&marker), fs::metadata(&marker)) {
        (Ok(text), Ok(meta)) => {
            let listed = text.lines().filter(|l| !l.starts_with('#')).map(str::to_string).collect::<BTreeSet<_>>();
            (listed, meta.modified().ok())
        }
        _ if fs::read_dir(target).is_ok_and(|mut d| d.next().is_none()) => return Ok(()),
        _ => return Err(not_ours(target)),
    };
    let mut folders: BTreeSet<&str> = BTreeSet::from([""]);
    for file in &listed {
        let mut at = file.as_str();
        while let Some((parent, _)) = at.rsplit_once('/') {
            if !folders.insert(parent) {
                break;
            }
            at = parent;
        }
    }
    let changed = |folder: &str| {
        let changed = fs::metadata(target.join(folder)).ok().and_then(|m| changed_at(&m));
        match (changed, marked_at) {
            (Some(changed), Some(marked)) => changed + TIME_SLACK > marked,
            _ => true,
        }
    };
    let changed: Vec<&str> = crate::disk::install(|| folders.par_iter().copied().filter(|f| changed(f)).collect());
    for folder in changed {
        look_into(target, folder, &listed, &folders)?;
    }
    Ok(())
}

/// When a folder last changed, as far as decreg can trust it: on Unix the
/// later of its modification time and its status change time, which no
/// program can set back (`tar`, `rsync -a` and `cp -a` set folders'
/// modification times to those they copy). `None` elsewhere: Windows does
/// not give the second, and on FAT does not move a folder's time when a
/// file is added, so every folder is looked into there.
fn changed_at(meta: &fs::Metadata) -> Option<std::time::SystemTime> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let status = std::time::UNIX_EPOCH
            + std::time::Duration::new(u64::try_from(meta.ctime()).ok()?, u32::try_from(meta.ctime_nsec()).ok()?);
        Some(meta.modified().ok()?.max(status))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

/// How far apart two times a file system gives may be and still be the
/// same moment: FAT keeps a folder's time to 2 s.
const TIME_SLACK: std::time::Duration = std::time::Duration::from_secs(2);

/// [`ensure_ours`] for one folder (`""`: the target itself): each file
/// in it is listed, and a folder in it that decreg did not make holds no
/// file.
fn look_into(target: &Path, folder: &str, listed: &BTreeSet<String>, folders: &BTreeSet<&str>) -> Result<(), Error> {
    let dir = target.join(folder);
    let Ok(entries) = fs::read_dir(&dir) else { return Ok(()) };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let key = if folder.is_empty() { name.into_owned() } else { format!("{folder}/{name}") };
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && folders.contains(key.as_str()) {
            continue;
        }
        if is_dir {
            each_file(&entry.path(), &|_, path| Err(not_written(path)))?;
        } else if key != MARKER && !listed.contains(&key) {
            return Err(not_written(&entry.path()));
        }
    }
    Ok(())
}

/// Why decreg will not replace a folder holding `path`.
fn not_written(path: &Path) -> Error {
    Error {
        path: path.to_path_buf(),
        what: "this file was not written by decreg; the build would replace its folder, so it stopped. Move the file elsewhere and build again".into(),
    }
}

/// Calls `f` with every file under `dir` (anything not a folder; links
/// are not followed), as its `/`-separated path from `dir` and its path,
/// stopping at the first error. Folders are read in parallel on the
/// disk's threads: a site of 100,000 decisions has a folder each, and
/// read one after another, cold, they took 10 s of a full build. Folders
/// that cannot be read are passed over.
fn each_file(dir: &Path, f: &OnFile<'_>) -> Result<(), Error> {
    crate::disk::install(|| each_file_in(dir, "", f))
}

/// What [`each_file`] calls with each file: its key and its path.
type OnFile<'f> = dyn Fn(&str, &Path) -> Result<(), Error> + Sync + 'f;

fn each_file_in(dir: &Path, prefix: &str, f: &OnFile<'_>) -> Result<(), Error> {
    use rayon::prelude::*;
    let Ok(entries) = fs::read_dir(dir) else { return Ok(()) };
    let mut folders = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let key = if prefix.is_empty() { name.into_owned() } else { format!("{prefix}/{name}") };
        match entry.file_type() {
            Ok(t) if t.is_dir() => folders.push((entry.path(), key)),
            Ok(_) => f(&key, &entry.path())?,
            Err(_) => {}
        }
    }
    folders.into_par_iter().try_for_each(|(path, key)| each_file_in(&path, &key, f))
}

/// Removes staging and old folders left by builds that were killed.
fn remove_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else { return };
    let prefixes = [format!(".{name}.staging-"), format!(".{name}.old-")];
    for entry in entries.filter_map(Result::ok) {
        let n = entry.file_name().to_string_lossy().into_owned();
        if prefixes.iter().any(|p| n.starts_with(p.as_str())) {
            let pid = n.rsplit('-').next().and_then(|p| p.parse::<u32>().ok());
            // another build running now owns its own folder
            if pid.is_some_and(|p| p != std::process::id() && Path::new(&format!("/proc/{p}")).exists()) {
                continue;
            }
            // a killed build's staging folder is as good a start as the
            // previous output (publish removes whatever it did not write)
            let spare = parent.join(format!(".{name}.previous"));
            if n.contains(".staging-") && !spare.exists() && fs::rename(entry.path(), &spare).is_ok() {
                continue;
            }
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rename_waits_while_another_program_holds_a_file_then_gives_up() {
        let held = || std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let is_held = |e: &std::io::Error| e.kind() == std::io::ErrorKind::PermissionDenied;
        let mut tries = 0;
        let done = retry_while_held(
            || {
                tries += 1;
                if tries < 3 {
                    Err(held())
                } else {
                    Ok(tries)
                }
            },
            is_held,
            &[0, 0, 0],
        );
        assert_eq!(done.unwrap(), 3, "let go after two waits: the third try renames");

        let mut tries = 0;
        let gave_up = retry_while_held(
            || -> std::io::Result<()> {
                tries += 1;
                Err(held())
            },
            is_held,
            &[0, 0],
        );
        assert!(gave_up.is_err());
        assert_eq!(tries, 3, "one try, then one after each wait");

        let mut tries = 0;
        let other = retry_while_held(
            || -> std::io::Result<()> {
                tries += 1;
                Err(std::io::Error::from(std::io::ErrorKind::NotFound))
            },
            is_held,
            &[0, 0],
        );
        assert!(other.is_err());
        assert_eq!(tries, 1, "an error no other program causes is not retried");
    }

    #[test]
    fn publishes_and_replaces_its_own_output() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("site");
        let s = Staging::new(&target).unwrap();
        s.write("a/index.html", b"one").unwrap();
        s.publish().unwrap();
        assert_eq!(fs::read(target.join("a/index.html")).unwrap(), b"one");
        let s = Staging::new(&target).unwrap();
        s.write("b.html", b"two").unwrap();
        s.publish().unwrap();
        assert!(!target.join("a/index.html").exists());
        assert!(!target.join("a").exists(), "a folder left empty goes too");
        assert_eq!(fs::read(target.join("b.html")).unwrap(), b"two");
        let mut left: Vec<String> =
            fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        left.sort();
        assert_eq!(left, [".site.previous", "site"], "no staging or old folders left, only the previous output");
        assert_eq!(fs::read(dir.path().join(".site.previous/a/index.html")).unwrap(), b"one");

        // the third build starts from the second's output and keeps none of it unwritten
        let s = Staging::new(&target).unwrap();
        assert!(!dir.path().join(".site.previous").exists(), "taken as the staging folder");
        s.write("c.html", b"three").unwrap();
        s.publish().unwrap();
        assert!(!target.join("b.html").exists());
        assert!(!target.join("a").exists());
        assert_eq!(fs::read(target.join("c.html")).unwrap(), b"three");
        let listed = fs::read_to_string(target.join(MARKER)).unwrap();
        assert!(listed.ends_with("c.html\n") && !listed.contains("b.html"), "{listed}");
    }

    #[test]
    fn a_folder_started_from_the_build_before_last_knows_which_files_it_holds() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("site");
        let s = Staging::new(&target).unwrap();
        s.write_keyed("a.html", 1, b"made from 1").unwrap();
        s.write("b.html", b"no key").unwrap();
        s.publish().unwrap();
        let s = Staging::new(&target).unwrap();
        // a new folder holds what the published one does, where a file
        // can have two names
        assert_eq!(s.holds("a.html", 1), cfg!(unix));
        s.write_keyed("a.html", 2, b"made from 2").unwrap();
        s.publish().unwrap();
        // the third build starts from the first's folder
        let s = Staging::new(&target).unwrap();
        assert!(s.holds("a.html", 1) && !s.holds("a.html", 2) && !s.holds("b.html", 0));
        s.keep("a.html", 1).unwrap();
        s.publish().unwrap();
        assert_eq!(fs::read(target.join("a.html")).unwrap(), b"made from 1");
        assert!(!target.join("b.html").exists(), "a file neither written nor kept goes");
        let listed = fs::read_to_string(target.join(MARKER)).unwrap();
        assert!(listed.ends_with("\na.html\n"), "{listed}");
        // the fourth starts from the second's folder, and knows its keys
        let s = Staging::new(&target).unwrap();
        assert!(s.holds("a.html", 2));
        s.discard();
        // a spare removed by hand: its keys hold for nothing
        let s = Staging::new(&target).unwrap();
        s.write_keyed("a.html", 3, b"made from 3").unwrap();
        s.publish().unwrap();
        fs::remove_dir_all(dir.path().join(".site.previous")).unwrap();
        let s = Staging::new(&target).unwrap();
        assert!(!s.holds("a.html", 1));
        s.discard();
    }

    #[test]
    fn a_folder_a_killed_build_left_is_looked_through_not_taken_at_its_word() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("site");
        for page in ["a.html", "b.html"] {
            let s = Staging::new(&target).unwrap();
            s.write(page, b"page").unwrap();
            s.write("index.html", b"home").unwrap();
            s.publish().unwrap();
        }
        // the third build takes the first's folder (a.html listed), writes
        // a file of its own and is killed
        let s = Staging::new(&target).unwrap();
        assert_eq!(s.held.as_deref(), Some(&["a.html".to_string(), "index.html".to_string()][..]));
        s.write("stray.html", b"half a build").unwrap();
        std::mem::forget(s);
        // the fourth starts from what it left: unmarked, so looked through
        let s = Staging::new(&target).unwrap();
        assert!(s.held.is_none());
        s.write("index.html", b"home").unwrap();
        s.publish().unwrap();
        let mut left: Vec<String> =
            fs::read_dir(&target).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        left.sort();
        assert_eq!(left, [MARKER, "index.html"], "neither the listed page nor the stray one is left");
        // the fifth starts from the second's folder and removes what its marker lists
        let s = Staging::new(&target).unwrap();
        assert_eq!(s.held.as_deref(), Some(&["b.html".to_string(), "index.html".to_string()][..]));
        s.write("c/index.html", b"c").unwrap();
        s.publish().unwrap();
        assert!(!target.join("b.html").exists() && !target.join("index.html").exists());
        assert_eq!(fs::read(target.join("c/index.html")).unwrap(), b"c");
    }

    #[test]
    fn refuses_folders_and_files_it_did_not_write() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("site");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("mine.txt"), b"user's").unwrap();
        assert!(Staging::new(&target).is_err());
        assert_eq!(fs::read(target.join("mine.txt")).unwrap(), b"user's");

        let target = dir.path().join("site2");
        let s = Staging::new(&target).unwrap();
        s.write("index.html", b"x").unwrap();
        s.publish().unwrap();
        let s = Staging::new(&target).unwrap();
        s.write("index.html", b"y").unwrap();
        fs::write(target.join("notes.txt"), b"added by hand").unwrap();
        assert!(s.publish().is_err());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2, "the staging folder is removed");
        assert_eq!(fs::read(target.join("notes.txt")).unwrap(), b"added by hand");
        assert_eq!(fs::read(target.join("index.html")).unwrap(), b"x");
    }

    #[test]
    fn a_file_of_someone_else_deep_in_the_site_is_found_and_a_file_not_written_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("site");
        let s = Staging::new(&target).unwrap();
        for n in 0..40 {
            s.write(&format!("decisions/d{n}/index.html"), b"page").unwrap();
        }
        s.publish().unwrap();
        let theirs = target.join("decisions/d17/notes.txt");
        fs::write(&theirs, b"added by hand").unwrap();
        let e = ensure_ours(&target).unwrap_err();
        assert_eq!(e.path, theirs, "{}", e.what);
        fs::remove_file(&theirs).unwrap();

        // the next build but one starts from this output and writes fewer pages
        let s = Staging::new(&target).unwrap();
        s.write("decisions/d3/index.html", b"page").unwrap();
        s.publish().unwrap();
        let s = Staging::new(&target).unwrap();
        s.write("decisions/d3/index.html", b"page").unwrap();
        s.publish().unwrap();
        let left: Vec<_> = fs::read_dir(target.join("decisions")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, ["d3"], "the pages not written, and their folders, are gone");
    }

    #[cfg(unix)]
    #[test]
    fn the_second_build_takes_the_published_files_and_never_writes_into_them() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("site");
        let s = Staging::new(&target).unwrap();
        s.write_keyed("decisions/a/index.html", 1, b"page a, made from 1").unwrap();
        s.write_keyed("b.html", 7, b"page b").unwrap();
        s.write("c.html", b"no key").unwrap();
        s.write_keyed("d.html", 9, b"page d").unwrap();
        s.publish().unwrap();
        // removed by hand from the published folder: made again, not kept
        fs::remove_file(target.join("d.html")).unwrap();
        // no output of a build before last: the published files are kept
        let s = Staging::new(&target).unwrap();
        assert!(s.holds("decisions/a/index.html", 1) && s.holds("b.html", 7) && !s.holds("c.html", 0));
        assert!(!s.holds("d.html", 9));
        s.keep("decisions/a/index.html", 1).unwrap();
        s.write_keyed("b.html", 8, b"page b, made from 8").unwrap();
        s.publish().unwrap();
        assert_eq!(fs::read(target.join("decisions/a/index.html")).unwrap(), b"page a, made from 1");
        assert!(!target.join("c.html").exists());
        // the third starts from the first's folder, whose page a is the
        // published one under another name: writing it makes a new file
        let s = Staging::new(&target).unwrap();
        assert!(s.holds("b.html", 7), "the first build's own page b");
        s.write_keyed("decisions/a/index.html", 2, b"page a, made from 2").unwrap();
        s.keep("b.html", 7).unwrap();
        assert_eq!(
            fs::read(target.join("decisions/a/index.html")).unwrap(),
            b"page a, made from 1",
            "the published page is as it was until the swap"
        );
        s.publish().unwrap();
        assert_eq!(fs::read(target.join("decisions/a/index.html")).unwrap(), b"page a, made from 2");
        assert_eq!(fs::read(target.join("b.html")).unwrap(), b"page b");
        assert_eq!(fs::read(spare_of(&target).join("decisions/a/index.html")).unwrap(), b"page a, made from 1");
    }

    #[test]
    fn only_folders_changed_since_the_marker_are_looked_into() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("site");
        let s = Staging::new(&target).unwrap();
        for page in ["index.html", "decisions/a/index.html", "decisions/b/index.html"] {
            s.write(page, b"page").unwrap();
        }
        s.publish().unwrap();
        let now = std::time::SystemTime::now();
        let mark_at = |t: std::time::SystemTime| fs::File::open(target.join(MARKER)).unwrap().set_modified(t).unwrap();
        let hour = std::time::Duration::from_secs(3600);
        ensure_ours(&target).unwrap();

        // files added in a folder of decreg's and in a folder of their own
        let theirs = target.join("decisions/b/notes.txt");
        fs::write(&theirs, b"added by hand").unwrap();
        fs::create_dir(target.join("decisions/c")).unwrap();
        fs::write(target.join("decisions/c/more.txt"), b"added by hand").unwrap();
        // a marker written after them: their folders are not looked into
        // (on Unix; Windows looks into every folder)
        mark_at(now + hour);
        assert_eq!(ensure_ours(&target).is_ok(), cfg!(unix));
        // a marker written before them: both are found
        mark_at(now - hour);
        let e = ensure_ours(&target).unwrap_err();
        assert_eq!(e.path, target.join("decisions/c/more.txt"), "{}", e.what);
        fs::remove_dir_all(target.join("decisions/c")).unwrap();
        assert_eq!(ensure_ours(&target).unwrap_err().path, theirs);
        fs::remove_file(&theirs).unwrap();
        ensure_ours(&target).unwrap();

        // a folder's modification time put back (as `tar` and `rsync -a`
        // do) hides nothing on Unix: its status change time moved too
        let hidden = target.join("decisions/a/notes.txt");
        fs::write(&hidden, b"copied in by rsync -a").unwrap();
        fs::File::open(target.join("decisions/a")).unwrap().set_modified(now - 2 * hour).unwrap();
        assert_eq!(ensure_ours(&target).unwrap_err().path, hidden);
    }

    #[test]
    fn a_file_written_over_holds_exactly_the_new_bytes_whatever_the_old_length() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("page.html");
        let bytes = |n: usize, b: u8| vec![b; n];
        // (old length, new length): last block partial in the old file,
        // past its end, the same, both block-aligned, and a new file longer
        let cases = [
            (10_000, 5_000),
            (3_000, 5_000),
            (5_000, 5_000),
            (3 * BLOCK, 2 * BLOCK),
            (9_000, 8_200),
            (8_200, 20_000),
            (0, 7),
        ];
        for (old, new) in cases {
            fs::write(&path, bytes(old, b'o')).unwrap();
            write_over(&path, &bytes(new, b'n')).unwrap();
            assert_eq!(fs::read(&path).unwrap(), bytes(new, b'n'), "old {old} bytes, new {new}");
        }
        let from = dir.path().join("from.pdf");
        fs::write(&from, bytes(5_000, b'd')).unwrap();
        fs::write(&path, bytes(6_000, b'o')).unwrap();
        copy_over(&from, &path).unwrap();
        assert_eq!(fs::read(&path).unwrap(), bytes(5_000, b'd'));
    }

    #[test]
    fn a_file_written_in_pieces_holds_exactly_its_bytes_in_order_whatever_the_old_length() {
        let dir = tempfile::tempdir().unwrap();
        let staging = Staging::new(&dir.path().join("site")).unwrap();
        let path = staging.dir.join("decisions.json");
        let made = |n: usize| (0..n).map(|i| (i % 251) as u8).collect::<Vec<u8>>();
        let mb = PIECES_AT_ONCE;
        // (old length, new length): shorter, longer, past a megabyte's
        // whole blocks with a partial block left, and over a longer file
        let cases = [(0, 10), (10_000, 5_000), (3_000, 2 * mb + 123), (3 * mb, mb + BLOCK), (mb + 5, 3 * mb + 7)];
        for (old, new) in cases {
            fs::write(&path, vec![b'o'; old]).unwrap();
            let bytes = made(new);
            staging
                .write_from("decisions.json", |to| {
                    // pieces of every size, some larger than what is held
                    let mut rest = &bytes[..];
                    for size in [1, 4095, 700_000, 2 * mb, 3].iter().cycle() {
                        if rest.is_empty() {
                            break;
                        }
                        let (piece, after) = rest.split_at((*size).min(rest.len()));
                        to.write_all(piece)?;
                        rest = after;
                    }
                    Ok(())
                })
                .unwrap();
            assert_eq!(fs::read(&path).unwrap(), bytes, "old {old} bytes, new {new}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_full_build_writes_over_the_files_of_the_build_before_last() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("site");
        let doc = dir.path().join("report.pdf");
        let build = |page: &[u8], document: &[u8]| {
            fs::write(&doc, document).unwrap();
            let s = Staging::new(&target).unwrap();
            s.write("decisions/a/index.html", page).unwrap();
            s.copy("documents/report.pdf", &doc).unwrap();
            s.publish().unwrap();
        };
        build(b"the first page, the longest", b"a long first document");
        let page = target.join("decisions/a/index.html");
        let first = fs::metadata(&page).unwrap().ino();
        build(b"second page", b"second");
        build(b"third", b"3rd");
        assert_eq!(fs::read(&page).unwrap(), b"third", "nothing of the longer file is left at its end");
        assert_eq!(fs::read(target.join("documents/report.pdf")).unwrap(), b"3rd");
        assert_eq!(fs::metadata(&page).unwrap().ino(), first, "the file of the build before last, written over");
    }

    #[test]
    fn refuses_paths_that_leave_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let s = Staging::new(&dir.path().join("site")).unwrap();
        assert!(s.write("../escape.html", b"x").is_err());
        assert!(s.write("/etc/x", b"x").is_err());
        assert!(s.write(MARKER, b"x").is_err());
        s.discard();
    }
}
