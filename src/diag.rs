//! Diagnostics: every problem decreg finds in a register is a [`Diagnostic`]
//! value carrying the file, line and column it came from, a stable code, a
//! message and a hint saying what to do. Stages collect them and return them
//! beside their output; they are sorted and printed once, at the end.

use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub use crate::rulebook::Severity;

/// A rule's name. An alias, so that serde's derive does not take it for
/// text borrowed from what it reads (a build's cache).
type Code = &'static str;

/// One problem, located in a file of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable, kebab-case name for the rule (`unknown-field`, `missing-section`).
    #[serde(deserialize_with = "crate::records::known_name")]
    pub code: Code,
    /// The file, relative to the register's root where it lies inside it.
    #[serde(rename = "file")]
    pub path: PathBuf,
    /// 1-based line; 0 when the problem concerns the whole file.
    pub line: u32,
    /// 1-based column, counted in characters; 0 when unknown.
    #[serde(rename = "column")]
    pub col: u32,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, path: &Path, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, path, message)
    }

    pub fn finding(code: &'static str, path: &Path, message: impl Into<String>) -> Self {
        Self::new(Severity::Finding, code, path, message)
    }

    pub fn warning(code: &'static str, path: &Path, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, path, message)
    }

    /// The rule book gives each code one kind; the constructor a call site
    /// names must agree (a test reads the sources to make sure).
    fn new(severity: Severity, code: &'static str, path: &Path, message: impl Into<String>) -> Self {
        debug_assert_eq!(crate::rulebook::severity_of(code), severity, "`{code}` is not a {severity:?}");
        Diagnostic { severity, code, path: path.to_path_buf(), line: 0, col: 0, message: message.into(), hint: None }
    }

    /// Places the diagnostic at a line and column.
    pub fn at(mut self, (line, col): (u32, u32)) -> Self {
        self.line = line;
        self.col = col;
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Makes a finding or warning an error, saying why in its hint: the
    /// council's enforcement, or `--deny-warnings`.
    pub fn raise(&mut self, why: &str) {
        self.severity = Severity::Error;
        self.hint = Some(match self.hint.take() {
            Some(h) => format!("{h} ({why})"),
            None => why.to_string(),
        });
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts by file, then line and column, then code, so output is stable and
/// an author can work down a file from top to bottom.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (&a.path, a.line, a.col, a.code, &a.message).cmp(&(&b.path, b.line, b.col, b.code, &b.message))
    });
}

/// How many problems of each kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub errors: usize,
    pub findings: usize,
    pub warnings: usize,
}

impl Counts {
    /// Problems that do not stop publication.
    pub fn reported(&self) -> usize {
        self.findings + self.warnings
    }
}

pub fn counts(diags: &[Diagnostic]) -> Counts {
    let mut c = Counts::default();
    for d in diags {
        match d.severity {
            Severity::Error => c.errors += 1,
            Severity::Finding => c.findings += 1,
            Severity::Warning => c.warnings += 1,
        }
    }
    c
}

/// Renders one diagnostic for a person at a terminal, in the compiler style
/// authors know from other tools: `error[code]: file:line:col: message`.
pub fn render_human(d: &Diagnostic, color: bool) -> String {
    use anstyle::{AnsiColor, Style};
    let (label, style) = match d.severity {
        Severity::Error => ("error", AnsiColor::Red.on_default().bold()),
        Severity::Finding => ("finding", AnsiColor::Magenta.on_default().bold()),
        Severity::Warning => ("warning", AnsiColor::Yellow.on_default().bold()),
    };
    let bold = Style::new().bold();
    let dim = AnsiColor::Cyan.on_default();
    let paint = |s: &Style, text: &str| {
        if color {
            format!("{}{}{}", s.render(), text, s.render_reset())
        } else {
            text.to_string()
        }
    };
    let mut out = String::new();
    let _ = write!(out, "{}: {}", paint(&style, &format!("{label}[{}]", d.code)), paint(&bold, &d.message));
    let _ = write!(out, "\n  {} {}", paint(&dim, "-->"), location(d));
    if let Some(hint) = &d.hint {
        let _ = write!(out, "\n  {} {hint}", paint(&dim, "= help:"));
    }
    out
}

/// `path:line:col`, leaving out what is not known.
pub fn location(d: &Diagnostic) -> String {
    let path = d.path.display();
    match (d.line, d.col) {
        (0, _) => format!("{path}"),
        (l, 0) => format!("{path}:{l}"),
        (l, c) => format!("{path}:{l}:{c}"),
    }
}

/// The closest of `candidates` to `word`, if it is close enough to be a
/// plausible typing slip ("decison_maker" -> "decision_maker").
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= (c.chars().count().max(word.chars().count()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_nearest_field() {
        let fields = ["decision_maker", "decision_date", "title"];
        assert_eq!(did_you_mean("decison_maker", fields), Some("decision_maker"));
        assert_eq!(did_you_mean("decision_dat", fields), Some("decision_date"));
        assert_eq!(did_you_mean("colour", fields), None);
    }

    #[test]
    fn sorts_by_file_then_line() {
        let a = Diagnostic::error("x", Path::new("b.md"), "m").at((1, 1));
        let b = Diagnostic::error("x", Path::new("a.md"), "m").at((9, 1));
        let c = Diagnostic::error("x", Path::new("a.md"), "m").at((2, 1));
        let mut v = vec![a.clone(), b.clone(), c.clone()];
        sort(&mut v);
        assert_eq!(v, vec![c, b, a]);
    }

    #[test]
    fn human_rendering_names_file_line_and_hint() {
        let d = Diagnostic::warning("unknown-field", Path::new("decisions/a.md"), "unknown field `decison_maker`")
            .at((3, 1))
            .hint("did you mean `decision_maker`?");
        let text = render_human(&d, false);
        assert!(text.starts_with("warning[unknown-field]: unknown field `decison_maker`"));
        assert!(text.contains("--> decisions/a.md:3:1"));
        assert!(text.contains("= help: did you mean `decision_maker`?"));
    }
}
