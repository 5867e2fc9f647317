//! Running the binary and reading its JSON.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const TODAY: &str = "2026-11-24";

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// Runs `decreg --root ROOT --today TODAY ARGS`.
pub fn decreg(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_decreg"))
        .arg("--root")
        .arg(root)
        .args(["--today", TODAY])
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the decreg binary runs")
}

/// `decreg check --format json`: (exit code, report).
pub fn check_json(root: &Path) -> (i32, Value) {
    let out = decreg(root, &["check", "--format", "json"]);
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("check printed no JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), report)
}

/// The diagnostics of a report as (code, file, line) triples.
pub fn triples(report: &Value) -> Vec<(String, String, u64)> {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Every file under `dir`, by relative path, gzip bodies decompressed (the
/// search index's files are gzip).
pub fn output_files(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_file()) {
        let rel = entry.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
        out.insert(rel, inflated(std::fs::read(entry.path()).unwrap()));
    }
    out
}

/// A file's bytes, inflated when they are gzip (the search index's files).
pub fn inflated(bytes: Vec<u8>) -> Vec<u8> {
    use std::io::Read;
    let mut plain = Vec::new();
    if bytes.starts_with(&[0x1f, 0x8b]) && flate2::read::MultiGzDecoder::new(&bytes[..]).read_to_end(&mut plain).is_ok()
    {
        return plain;
    }
    bytes
}

/// Asserts that two folders' files (as [`output_files`] reads them) are
/// the same files, byte for byte; `theirs` names what made the second.
pub fn assert_same_files(
    mine: &std::collections::BTreeMap<String, Vec<u8>>,
    theirs: &std::collections::BTreeMap<String, Vec<u8>>,
    what: &str,
) {
    assert_eq!(mine.keys().collect::<Vec<_>>(), theirs.keys().collect::<Vec<_>>(), "the same files as {what}");
    for (name, bytes) in mine {
        assert!(bytes == &theirs[name], "{name} differs from {what}'s");
    }
}

/// A copy of a register's own files (register.yaml, decisions/,
/// documents/, templates/), to edit or to build beside another.
pub fn copy_register(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for part in ["register.yaml", "decisions", "documents", "templates"] {
        let walk = walkdir::WalkDir::new(from.join(part)).into_iter().filter_map(Result::ok);
        for entry in walk.filter(|e| e.file_type().is_file()) {
            let to = dir.path().join(entry.path().strip_prefix(from).unwrap());
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(entry.path(), to).unwrap();
        }
    }
    dir
}

/// Runs `decreg build EXTRA` on `root`, which must succeed: what it said.
pub fn build(root: &Path, extra: &[&str]) -> String {
    let mut args = vec!["build"];
    args.extend_from_slice(extra);
    let o = decreg(root, &args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Replaces the first `from` in the file `rel` of `root` with `to`.
pub fn edit(root: &Path, rel: &str, from: &str, to: &str) {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} has {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}
