//! The build stamp: a fingerprint of everything a build reads (the
//! register's files by path, size and modification time, the options, the
//! day and decreg itself), kept beside the output after a clean build. When
//! the next build finds the same fingerprint and its output still in place,
//! there is nothing to do, and it says so in a fraction of a second
//! instead of rebuilding a register of 100,000 decisions.

use crate::load::Error;
use chrono::NaiveDate;
use rayon::prelude::*;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// Where the stamp is kept, under the output folder.
const FILE: &str = ".cache/build-stamp";

/// What a clean build published, kept with its fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub fingerprint: u64,
    pub decisions: usize,
    pub reports: usize,
    pub warnings: usize,
}

/// What a build of `root` reads, taken before it reads: the record files
/// one by one (so a later build can tell which changed) and everything
/// else as one fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs {
    /// decreg itself, the options, the day, `register.yaml`, `documents/`
    /// and `templates/`.
    pub context: u64,
    /// Every entry under `decisions/`, sorted, with its facts.
    pub records: Vec<(PathBuf, Facts)>,
    fingerprint: u64,
}

/// A file's size and modification time, and whether it is a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Facts {
    pub size: u64,
    /// Nanoseconds since 1970, where the system has them.
    pub modified: u128,
    pub is_dir: bool,
}

impl Inputs {
    fn new(context: u64, records: Vec<(PathBuf, Facts)>, root: &Path) -> Inputs {
        let mut all = rustc_hash::FxHasher::default();
        context.hash(&mut all);
        hash_tree(&records, root, &mut all);
        Inputs { context, records, fingerprint: all.finish() }
    }

    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }
}

/// Hashes a tree's paths by their bytes (`Path`'s own hash parses every
/// path into components, a third of an up-to-date check at 100,000 files;
/// the fast hash is for the same reason), from `root`: the same register
/// named another way (`--root .`, a whole path) is the same input.
fn hash_tree(tree: &[(PathBuf, Facts)], root: &Path, h: &mut impl Hasher) {
    let root = root.as_os_str().as_encoded_bytes();
    tree.len().hash(h);
    for (p, facts) in tree {
        // every path is `root` joined with another: its bytes after root's
        // (and after the separator, which `root` may end with or not)
        let p = p.as_os_str().as_encoded_bytes();
        let rest = p.strip_prefix(root).unwrap_or(p);
        h.write(&rest[rest.iter().take_while(|&&b| b == b'/' || b == b'\\').count()..]);
        h.write_u8(0);
        facts.hash(h);
    }
}

/// Takes the facts of everything a build of `root` reads.
pub fn take(root: &Path, today: NaiveDate, pdf: bool) -> Inputs {
    let mut h = std::hash::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut h);
    // decreg itself: a rebuilt binary may render differently
    if let Some(meta) = std::env::current_exe().ok().and_then(|p| std::fs::metadata(p).ok()) {
        file_facts(&meta).hash(&mut h);
    }
    (today, pdf).hash(&mut h);
    let config = std::fs::metadata(root.join(crate::config::FILE_NAME)).ok();
    config.as_ref().map(file_facts).hash(&mut h);
    let (records, others) = rayon::join(
        || tree_facts(&root.join("decisions")),
        || ["documents", "templates"].map(|d| tree_facts(&root.join(d))),
    );
    for (dir, facts) in ["documents", "templates"].iter().zip(others) {
        dir.hash(&mut h);
        let mut tree = rustc_hash::FxHasher::default();
        hash_tree(&facts, root, &mut tree);
        tree.finish().hash(&mut h);
    }
    Inputs::new(h.finish(), records, root)
}

/// The inputs' fingerprint joined with the output as it stands: a build
/// whose output was replaced or removed since is not up to date.
pub fn with_output(inputs: u64, out: &Path) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    inputs.hash(&mut h);
    for folder in ["site", "reports"] {
        let meta = std::fs::metadata(out.join(folder).join(crate::output::MARKER)).ok();
        (folder, meta.as_ref().map(file_facts)).hash(&mut h);
    }
    h.finish()
}

/// Size and modification time, to the nanosecond where the system has it.
pub fn file_facts(meta: &std::fs::Metadata) -> Facts {
    let modified = meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
    Facts { size: meta.len(), modified, is_dir: meta.is_dir() }
}

/// Every entry under `dir` with its facts, each folder before what it
/// holds and names sorted; sub-folders are walked in parallel (a register
/// keeps a folder a year). Entries are asked for their facts through their
/// folder (`fstatat`), not by their whole path.
fn tree_facts(dir: &Path) -> Vec<(PathBuf, Facts)> {
    let top = sorted_entries(dir);
    top.par_iter()
        .flat_map_iter(|(path, facts)| {
            let mut out = vec![(path.clone(), *facts)];
            if facts.is_dir {
                walk(path, &mut out);
            }
            out
        })
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<(PathBuf, Facts)>) {
    for (path, facts) in sorted_entries(dir) {
        let sub = facts.is_dir.then(|| path.clone());
        out.push((path, facts));
        if let Some(sub) = sub {
            walk(&sub, out);
        }
    }
}

/// A folder's entries with their facts, by name; symbolic links are not
/// followed.
fn sorted_entries(dir: &Path) -> Vec<(PathBuf, Facts)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut found: Vec<(PathBuf, Facts)> =
        entries.filter_map(Result::ok).filter_map(|e| e.metadata().ok().map(|m| (e.path(), file_facts(&m)))).collect();
    found.sort_unstable_by(|a, b| a.0.as_os_str().cmp(b.0.as_os_str()));
    found
}

/// The stamp the last clean build into `out` left, if any.
pub fn read(out: &Path) -> Option<Stamp> {
    let text = std::fs::read_to_string(out.join(FILE)).ok()?;
    let mut fields = text.lines().filter(|l| !l.starts_with('#'));
    let mut next = || fields.next().and_then(|l| l.split_once(' ')).map(|(_, v)| v.to_string());
    Some(Stamp {
        fingerprint: u64::from_str_radix(&next()?, 16).ok()?,
        decisions: next()?.parse().ok()?,
        reports: next()?.parse().ok()?,
        warnings: next()?.parse().ok()?,
    })
}

/// Keeps the stamp of a clean build.
pub fn write(out: &Path, stamp: &Stamp) -> Result<(), Error> {
    let path = out.join(FILE);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, &e))?;
    }
    let text = format!(
        "# decreg build stamp: what the last clean build read and published\nfingerprint {:016x}\ndecisions {}\nreports {}\nwarnings {}\n",
        stamp.fingerprint, stamp.decisions, stamp.reports, stamp.warnings
    );
    std::fs::write(&path, text).map_err(|e| Error::io(&path, &e))
}

/// Forgets the stamp (before a build changes the output).
pub fn clear(out: &Path) {
    let _ = std::fs::remove_file(out.join(FILE));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_reads_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let stamp = Stamp { fingerprint: 0xdead_beef_0123, decisions: 12, reports: 9, warnings: 3 };
        write(dir.path(), &stamp).unwrap();
        assert_eq!(read(dir.path()), Some(stamp));
        clear(dir.path());
        assert_eq!(read(dir.path()), None);
    }

    #[test]
    fn any_change_to_a_record_changes_the_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("decisions/2024")).unwrap();
        std::fs::write(root.join("decisions/2024/a.md"), "one").unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let inputs = |root: &Path, day, pdf| take(root, day, pdf).fingerprint();
        std::fs::create_dir_all(root.join("documents")).unwrap();
        std::fs::write(root.join("documents/report.pdf"), "pdf").unwrap();
        let first = inputs(root, day, true);
        assert_eq!(first, inputs(root, day, true), "the same files, the same fingerprint");
        // the register named other ways: by a path with `.` in it, or
        // ending with a separator
        let context = take(root, day, true).context;
        for named_otherwise in [root.join("."), PathBuf::from(format!("{}/", root.display()))] {
            let other = take(&named_otherwise, day, true);
            assert_eq!((other.fingerprint(), other.context), (first, context), "{}", named_otherwise.display());
        }
        assert_ne!(first, inputs(root, day.succ_opt().unwrap(), true), "another day");
        assert_ne!(first, inputs(root, day, false), "other options");
        std::fs::write(root.join("decisions/2024/a.md"), "two!").unwrap();
        assert_ne!(first, inputs(root, day, true), "an edited record");
        let edited = inputs(root, day, true);
        std::fs::write(root.join("decisions/2024/b.md"), "new").unwrap();
        assert_ne!(edited, inputs(root, day, true), "a new record");
    }

    #[test]
    fn removed_or_replaced_output_is_not_up_to_date() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        std::fs::create_dir_all(out.join("site")).unwrap();
        std::fs::write(out.join("site").join(crate::output::MARKER), "x").unwrap();
        let built = with_output(7, out);
        assert_eq!(built, with_output(7, out));
        std::fs::remove_dir_all(out.join("site")).unwrap();
        assert_ne!(built, with_output(7, out));
    }
}
