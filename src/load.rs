//! Loading a register from disk: finding record files under `decisions/`
//! (sorted, so every run sees them in the same order), the files under
//! `documents/`, and reading records in parallel. This module and the
//! output writer are the only ones that touch the file system.

use crate::diag::Diagnostic;
use std::collections::HashMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};
use walkdir::WalkDir;

/// An environment failure: decreg could not do its work at all (exit 2).
#[derive(Debug)]
pub struct Error {
    pub path: PathBuf,
    pub what: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.what)
    }
}

impl std::error::Error for Error {}

impl Error {
    pub fn io(path: &Path, e: &std::io::Error) -> Self {
        Error { path: path.to_path_buf(), what: e.to_string() }
    }
}

/// Record files found under `decisions/`, relative to the register's root.
pub struct Found {
    pub files: Vec<PathBuf>,
    pub diags: Vec<Diagnostic>,
}

fn is_record_ext(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("md" | "yaml" | "yml"))
}

fn is_skipped_name(name: &std::ffi::OsStr) -> bool {
    let n = name.to_string_lossy();
    n.starts_with('_') || n.starts_with('.')
}

/// Whether a build reads `rel` (relative to the root) as a record: a
/// record's file under `decisions/`, in no folder it skips.
pub fn is_record_path(rel: &Path) -> bool {
    let mut parts = rel.components().map(|c| c.as_os_str());
    parts.next().is_some_and(|first| first == "decisions")
        && rel.components().skip(1).all(|c| !is_skipped_name(c.as_os_str()))
        && is_record_ext(rel)
}

/// Walks `decisions/`: records in any sub-folder; names starting with `_`
/// or `.` skipped; any other file reported; links never followed out of
/// the register. Each entry of `decisions/` (a register keeps a folder a
/// year) is walked on a thread of its own, and the results joined in order.
pub fn find_records(root: &Path) -> Result<Found, Error> {
    use rayon::prelude::*;
    let dir = root.join("decisions");
    if !dir.is_dir() {
        return Err(Error {
            path: dir,
            what: "no decisions/ folder here: is this a register? (use --root DIR to point at one)".into(),
        });
    }
    let canonical_root = root.canonicalize().map_err(|e| Error::io(root, &e))?;
    let mut found = Found { files: Vec::new(), diags: Vec::new() };
    let mut tops: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries.filter_map(Result::ok).map(|e| e.path()).collect(),
        Err(e) => {
            found.diags.push(unreadable(root, &dir, &e.to_string()));
            Vec::new()
        }
    };
    // the order walkdir sorts a folder's entries in
    tops.retain(|p| p.file_name().is_some_and(|n| !is_skipped_name(n)));
    tops.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    let parts: Vec<Found> =
        crate::disk::install(|| tops.par_iter().map(|top| walk_records(root, &canonical_root, top)).collect());
    for part in parts {
        found.files.extend(part.files);
        found.diags.extend(part.diags);
    }
    Ok(found)
}

/// [`find_records`] under `top`, an entry of `decisions/`.
fn walk_records(root: &Path, canonical_root: &Path, top: &Path) -> Found {
    let mut found = Found { files: Vec::new(), diags: Vec::new() };
    let walker = WalkDir::new(top).follow_links(false).follow_root_links(false).sort_by_file_name().into_iter();
    for entry in walker.filter_entry(|e| e.depth() == 0 || !is_skipped_name(e.file_name())) {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().map_or_else(|| top.to_path_buf(), Path::to_path_buf);
                found.diags.push(unreadable(root, &path, &e.to_string()));
                continue;
            }
        };
        let rel = relative(root, entry.path());
        if entry.path_is_symlink() {
            check_link(canonical_root, entry.path(), &rel, &mut found);
        } else if entry.file_type().is_file() {
            if is_record_ext(&rel) {
                found.files.push(rel);
            } else {
                found.diags.push(unexpected(&rel));
            }
        }
    }
    found
}

fn check_link(canonical_root: &Path, path: &Path, rel: &Path, found: &mut Found) {
    match path.canonicalize() {
        Err(e) => found.diags.push(
            Diagnostic::error("link-broken", rel, format!("this link cannot be followed: {e}"))
                .hint("remove the link, or make it point to a file inside the register"),
        ),
        Ok(target) if !target.starts_with(canonical_root) => found.diags.push(
            Diagnostic::error(
                "link-outside-register",
                rel,
                format!("this link leads outside the register, to {}", target.display()),
            )
            .hint("copy the file into the register instead of linking to it"),
        ),
        Ok(target) if target.is_dir() => found.diags.push(
            Diagnostic::warning("link-not-followed", rel, "decreg does not follow links to folders")
                .hint("move the folder into decisions/ instead of linking to it"),
        ),
        Ok(_) if is_record_ext(rel) => found.files.push(rel.to_path_buf()),
        Ok(_) => found.diags.push(unexpected(rel)),
    }
}

fn unexpected(rel: &Path) -> Diagnostic {
    Diagnostic::warning("unexpected-file", rel, "this file is not a record and is not read")
        .hint("records are .md, .yaml or .yml files; move other files to documents/, or start the name with `_` to keep it here unread")
}

fn unreadable(root: &Path, path: &Path, why: &str) -> Diagnostic {
    Diagnostic::error("unreadable-file", &relative(root, path), format!("cannot read: {why}"))
        .hint("check the file's permissions")
}

/// `path` relative to `root` where it lies inside it.
pub fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
}

/// Reads one record file, refusing it unread when it is over the size limit.
pub fn read_record_file(root: &Path, rel: &Path, max_bytes: u64) -> Result<Vec<u8>, Diagnostic> {
    let path = root.join(rel);
    let meta = std::fs::metadata(&path).map_err(|e| unreadable(root, &path, &e.to_string()))?;
    if meta.len() > max_bytes {
        return Err(Diagnostic::error(
            "record-too-large",
            rel,
            format!("the record is {} bytes, over the register's limit of {max_bytes}", meta.len()),
        )
        .at((1, 1))
        .hint("move long appendices into documents/ and link them, or raise `max_record_bytes` in register.yaml"));
    }
    std::fs::read(&path).map_err(|e| unreadable(root, &path, &e.to_string()))
}

/// A file under `documents/`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct DocumentFile {
    pub bytes: u64,
    /// A link whose target lies outside the register.
    pub links_outside: bool,
}

/// The files under `documents/`, by path relative to it (with `/`).
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct Documents {
    files: HashMap<String, DocumentFile>,
}

impl Documents {
    /// Walks `documents/` once, so rules look paths up instead of asking
    /// the file system per record.
    pub fn scan(root: &Path) -> Documents {
        let dir = root.join("documents");
        let mut files = HashMap::new();
        if !dir.is_dir() {
            return Documents { files };
        }
        let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        for entry in WalkDir::new(&dir).follow_links(false).into_iter().filter_map(Result::ok) {
            let rel = relative(&dir, entry.path());
            let key = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            if entry.path_is_symlink() {
                let target = entry.path().canonicalize();
                let outside = target.as_ref().map_or(true, |t| !t.starts_with(&canonical_root));
                if target.as_ref().is_ok_and(|t| t.is_file()) || outside {
                    let bytes = target.ok().and_then(|t| t.metadata().ok()).map_or(0, |m| m.len());
                    files.insert(key, DocumentFile { bytes, links_outside: outside });
                }
            } else if entry.file_type().is_file() {
                let bytes = entry.metadata().map_or(0, |m| m.len());
                files.insert(key, DocumentFile { bytes, links_outside: false });
            }
        }
        Documents { files }
    }

    pub fn get(&self, path: &str) -> Option<&DocumentFile> {
        self.files.get(path)
    }
}

/// Why a `documents` path would leave `documents/`, if it would.
pub fn document_path_problem(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        return Some("is empty");
    }
    if path.contains('\\') {
        return Some("uses `\\`: write folders with `/`");
    }
    let p = Path::new(path);
    if p.is_absolute() || path.starts_with('/') || path.get(1..2) == Some(":") {
        return Some("is absolute: it must be relative to documents/");
    }
    if p.components().any(|c| matches!(c, Component::ParentDir)) {
        return Some("uses `..` to leave documents/");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_paths_stay_inside_documents() {
        assert_eq!(document_path_problem("2012/report.pdf"), None);
        assert!(document_path_problem("../register.yaml").is_some());
        assert!(document_path_problem("2012/../../etc/passwd").is_some());
        assert!(document_path_problem("/etc/passwd").is_some());
        assert!(document_path_problem("C:/x.pdf").is_some());
        assert!(document_path_problem("a\\b.pdf").is_some());
    }
}
