//! YAML behind one small door. serde_yaml parses (and guards against alias
//! bombs and deep nesting); it gives no positions for values, so
//! [`Locations`] reads the same text once more, line by line, to find where
//! each key stands. [`Fields`] then reads typed values out of a mapping and
//! reports every wrong type, bad date and unknown key at its own line.
//!
//! Keeping YAML here means a maintained fork of serde_yaml can replace it
//! without touching the record model.

use crate::diag::{did_you_mean, Diagnostic};
use chrono::NaiveDate;
use serde_yaml::{Mapping, Value};
use std::collections::HashMap;
use std::path::Path;

/// Parses YAML text into a value; on failure, a diagnostic at the error's
/// position (`first_line` is the file line on which `text` starts).
pub fn parse(text: &str, path: &Path, first_line: u32) -> Result<Value, Diagnostic> {
    if let Some((line, col)) = too_deep(text) {
        return Err(Diagnostic::error(
            "yaml-too-deep",
            path,
            format!("the YAML nests more than {MAX_DEPTH} levels of brackets here"),
        )
        .at((line + first_line - 1, col))
        .hint("a record's fields nest a few levels at most: check for a runaway `[` or `{`"));
    }
    serde_yaml::from_str::<Value>(text).map_err(|e| syntax_error(&e, text, path, first_line))
}

/// Deeper than any record needs; serde_yaml's own limit is reached only
/// after seconds of work on hostile input.
const MAX_DEPTH: usize = 64;

/// Where unquoted `[`/`{` nesting first exceeds [`MAX_DEPTH`], if it does.
fn too_deep(text: &str) -> Option<(u32, u32)> {
    let mut depth = 0usize;
    let (mut line, mut col) = (1u32, 0u32);
    let mut quote: Option<char> = None;
    for c in text.chars() {
        col += 1;
        match (quote, c) {
            (_, '\n') => {
                line += 1;
                col = 0;
                // a plain scalar's quote does not continue past its line
                if quote == Some('\'') {
                    quote = None;
                }
            }
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '[' | '{') => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some((line, col));
                }
            }
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

fn syntax_error(e: &serde_yaml::Error, text: &str, path: &Path, first_line: u32) -> Diagnostic {
    // libyaml points past the last line for an error at the end: show the last.
    let last = first_line + text.lines().count().max(1) as u32 - 1;
    let (line, col) = e
        .location()
        .map(|l| (l.line() as u32 + first_line - 1, l.column() as u32))
        .map(|(l, c)| if l > last { (last, 0) } else { (l, c) })
        .unwrap_or((first_line, 0));
    let msg = e.to_string();
    // serde_yaml appends " at line N column M": the location is shown separately.
    let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
    if msg.contains("repetition limit exceeded") {
        return Diagnostic::error("yaml-alias-bomb", path, "the YAML's aliases (`*name`) expand too far to be read")
            .at((line, col))
            .hint("a record needs no YAML anchors or aliases: write each value out");
    }
    if let Some(key) = msg.strip_prefix("duplicate entry with key ") {
        let key = key.trim_matches('"');
        // serde_yaml points at the start of the map; point at the repeat.
        let at = second_occurrence(text, key).map_or((line, col), |(l, c)| (l + first_line - 1, c));
        return Diagnostic::error("duplicate-field", path, format!("the field `{key}` is given twice"))
            .at(at)
            .hint("keep one of them: YAML does not allow a key twice in the same block");
    }
    let tab = text.lines().any(|l| l.starts_with('\t') || l.trim_start_matches(' ').starts_with('\t'));
    let hint = if tab {
        "YAML must be indented with spaces, not tabs"
    } else if msg.contains("flow mapping") || msg.contains("flow sequence") {
        "check the brackets: every `{` needs a `}` and every `[` a `]` on the same value"
    } else {
        "check the indentation and quoting on this line; a value containing `: ` or starting with a special character needs quotes"
    };
    Diagnostic::error("yaml-syntax", path, format!("the YAML cannot be read: {msg}")).at((line, col)).hint(hint)
}

/// The 1-based line and column of the second `key:` in `text`.
fn second_occurrence(text: &str, key: &str) -> Option<(u32, u32)> {
    let pattern = format!("{key}:");
    text.lines()
        .enumerate()
        .filter_map(|(n, l)| {
            let t = l.trim_start_matches([' ', '-']);
            t.starts_with(&pattern).then(|| (n as u32 + 1, (l.len() - t.len()) as u32 + 1))
        })
        .nth(1)
}

/// Where each key of a YAML block stands: dotted paths (`call_in.deadline`,
/// `interests.0.member`) to 1-based (line, column) in the file.
#[derive(Debug, Default, Clone)]
pub struct Locations {
    map: HashMap<String, (u32, u32)>,
    first_line: u32,
}

struct Open {
    indent: usize,
    path: String,
    /// The key's value is a block below it (nothing after the colon).
    block: bool,
}

impl Locations {
    /// Scans `text` (starting on file line `first_line`) for keys in block
    /// and flow style. Block scalars (`body: |`) are skipped whole.
    pub fn scan(text: &str, first_line: u32) -> Self {
        let mut map = HashMap::new();
        let mut stack: Vec<Open> = Vec::new();
        let mut items: HashMap<String, usize> = HashMap::new();
        let mut scalar_indent: Option<usize> = None;
        for (n, raw) in text.lines().enumerate() {
            let line_no = first_line + n as u32;
            let content = raw.trim_start_matches(' ');
            let indent = raw.len() - content.len();
            if let Some(si) = scalar_indent {
                if content.is_empty() || indent > si {
                    continue;
                }
                scalar_indent = None;
            }
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            let (dashes, rest, key_indent) = strip_dashes(content, indent);
            if dashes > 0 {
                // A sequence item belongs to the innermost key opened at a lower
                // indent, or at the same indent when that key's value is a block.
                while let Some(top) = stack.last() {
                    if top.indent > indent || (top.indent == indent && !top.block) {
                        stack.pop();
                    } else {
                        break;
                    }
                }
                let parent = stack.last().map(|o| o.path.clone()).unwrap_or_default();
                let counter = items.entry(parent.clone()).or_insert(0);
                let item_path = join(&parent, &counter.to_string());
                *counter += 1;
                map.entry(item_path.clone()).or_insert((line_no, indent as u32 + 1));
                // the item itself is a container at the dash's indent (+1 so a
                // following dash at the same indent closes it)
                stack.push(Open { indent: indent + 1, path: item_path, block: false });
            } else {
                while stack.last().is_some_and(|top| top.indent >= key_indent) {
                    stack.pop();
                }
            }
            let Some((key, after)) = split_key(rest) else { continue };
            let parent = stack.last().map(|o| o.path.clone()).unwrap_or_default();
            let path = join(&parent, key);
            map.entry(path.clone()).or_insert((line_no, key_indent as u32 + 1));
            let value = after.trim();
            if value.starts_with('|') || value.starts_with('>') {
                scalar_indent = Some(key_indent);
            } else if value.starts_with('{') {
                scan_flow(value, raw, &path, line_no, &mut map);
            }
            stack.push(Open { indent: key_indent, path, block: value.is_empty() || value.starts_with('#') });
        }
        Locations { map, first_line }
    }

    /// The position of `path`, or of its nearest located ancestor, or the
    /// first line of the block.
    pub fn find(&self, path: &str) -> (u32, u32) {
        let mut p = path;
        loop {
            if let Some(pos) = self.map.get(p) {
                return *pos;
            }
            match p.rfind('.') {
                Some(i) => p = &p[..i],
                None => return (self.first_line, 1),
            }
        }
    }

    /// Whether a key was seen at exactly this path.
    pub fn has(&self, path: &str) -> bool {
        self.map.contains_key(path)
    }
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

/// Strips leading `- ` markers; returns how many, the rest, and the indent
/// at which the rest begins.
fn strip_dashes(content: &str, indent: usize) -> (usize, &str, usize) {
    let mut rest = content;
    let mut col = indent;
    let mut dashes = 0;
    while let Some(r) = rest.strip_prefix("- ").or_else(|| (rest == "-").then_some("")) {
        let trimmed = r.trim_start_matches(' ');
        col += rest.len() - trimmed.len();
        rest = trimmed;
        dashes += 1;
    }
    (dashes, rest, col)
}

/// `key: value` -> (key, value); quoted keys allowed.
fn split_key(s: &str) -> Option<(&str, &str)> {
    let (key, after) = if let Some(q) = s.strip_prefix('"').or_else(|| s.strip_prefix('\'')) {
        let end = q.find(['"', '\''])?;
        let after = q[end + 1..].strip_prefix(':')?;
        (&q[..end], after)
    } else {
        let colon = s.find(':')?;
        let key = &s[..colon];
        if key.is_empty() || key.contains([' ', '{', '[', '"', '\'', ',']) {
            return None;
        }
        (key, &s[colon + 1..])
    };
    (after.is_empty() || after.starts_with([' ', '\t'])).then_some((key, after))
}

/// Keys inside a one-line flow mapping: `{ body: Cabinet, date: 2012-11-13 }`.
fn scan_flow(value: &str, raw: &str, path: &str, line_no: u32, map: &mut HashMap<String, (u32, u32)>) {
    let base = raw.len() - value.len() - (raw.len() - raw.trim_end().len());
    let mut depth = 0;
    let mut start = None;
    for (i, c) in value.char_indices() {
        match c {
            '{' | '[' => {
                depth += 1;
                if depth == 1 && c == '{' {
                    start = Some(i + 1);
                }
            }
            '}' | ']' => depth -= 1,
            ',' if depth == 1 => start = Some(i + 1),
            ':' if depth == 1 => {
                if let Some(s) = start.take() {
                    let key = value[s..i].trim();
                    if !key.is_empty() {
                        let offset = s + (value[s..i].len() - value[s..i].trim_start().len());
                        let col = raw[..(base + offset).min(raw.len())].chars().count() as u32 + 1;
                        map.entry(join(path, key)).or_insert((line_no, col));
                    }
                }
            }
            _ => {}
        }
    }
}

/// A YAML value's kind in words, for "expected a date, found a list".
pub fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a map of fields",
        Value::Tagged(_) => "a tagged value",
    }
}

/// Reads typed fields out of one YAML mapping, reporting problems at the
/// line of the offending key. Keys read are remembered so [`Fields::finish`]
/// can name the unknown ones.
pub struct Fields<'a> {
    map: Option<&'a Mapping>,
    prefix: String,
    loc: &'a Locations,
    path: &'a Path,
    seen: Vec<String>,
    pub diags: Vec<Diagnostic>,
}

impl<'a> Fields<'a> {
    pub fn new(map: &'a Mapping, loc: &'a Locations, path: &'a Path) -> Self {
        Self::nested(Some(map), String::new(), loc, path)
    }

    fn nested(map: Option<&'a Mapping>, prefix: String, loc: &'a Locations, path: &'a Path) -> Self {
        Fields { map, prefix, loc, path, seen: Vec::new(), diags: Vec::new() }
    }

    /// The dotted path of a key in this block.
    pub fn key_path(&self, key: &str) -> String {
        join(&self.prefix, key)
    }

    /// The position of a key in this block.
    pub fn pos(&self, key: &str) -> (u32, u32) {
        self.loc.find(&self.key_path(key))
    }

    /// The position of this block itself.
    pub fn own_pos(&self) -> (u32, u32) {
        self.loc.find(&self.prefix)
    }

    pub fn file(&self) -> &'a Path {
        self.path
    }

    /// The raw value of a key (null counts as absent).
    pub fn raw(&mut self, key: &str) -> Option<&'a Value> {
        self.seen.push(key.to_string());
        match self.map?.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v),
        }
    }

    pub fn error(&mut self, code: &'static str, key: &str, msg: impl Into<String>, hint: impl Into<String>) {
        let pos = self.pos(key);
        self.diags.push(Diagnostic::error(code, self.path, msg).at(pos).hint(hint));
    }

    pub fn finding(&mut self, code: &'static str, key: &str, msg: impl Into<String>, hint: impl Into<String>) {
        let pos = self.pos(key);
        self.diags.push(Diagnostic::finding(code, self.path, msg).at(pos).hint(hint));
    }

    pub fn warning(&mut self, code: &'static str, key: &str, msg: impl Into<String>, hint: impl Into<String>) {
        let pos = self.pos(key);
        self.diags.push(Diagnostic::warning(code, self.path, msg).at(pos).hint(hint));
    }

    fn wrong_type(&mut self, key: &str, expected: &str, found: &Value) {
        let name = self.key_path(key);
        self.error(
            "wrong-type",
            key,
            format!("`{name}` should be {expected}, but it is {}", kind_of(found)),
            format!("write `{name}` as {expected}"),
        );
    }

    /// Text; numbers and booleans are accepted and written as text, since a
    /// reference like `2012` or an item `7` is text to a reader.
    pub fn text(&mut self, key: &str) -> Option<String> {
        match self.raw(key)? {
            Value::String(s) => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            other => {
                self.wrong_type(key, "text", other);
                None
            }
        }
    }

    /// A yes/no field: only `true` or `false`.
    pub fn boolean(&mut self, key: &str) -> Option<bool> {
        match self.raw(key)? {
            Value::Bool(b) => Some(*b),
            other => {
                let name = self.key_path(key);
                let shown = match other {
                    Value::String(s) => format!("`{s}`"),
                    o => kind_of(o).to_string(),
                };
                self.error(
                    "wrong-type",
                    key,
                    format!("`{name}` must be true or false, not {shown}"),
                    format!("write `{name}: true` or `{name}: false`"),
                );
                None
            }
        }
    }

    /// `true`/`false`, or the council's words for it.
    pub fn flag_or_words(&mut self, key: &str) -> Option<FlagOrWords> {
        match self.raw(key)? {
            Value::Bool(b) => Some(FlagOrWords::Flag(*b)),
            Value::String(s) if !s.trim().is_empty() => Some(FlagOrWords::Words(s.trim().to_string())),
            other => {
                let name = self.key_path(key);
                self.error(
                    "wrong-type",
                    key,
                    format!("`{name}` must be true, false or words, not {}", kind_of(other)),
                    format!("write `{name}: true`, `{name}: false` or what was granted, e.g. `{name}: granted by the Standards Committee on 5 January 2010`"),
                );
                None
            }
        }
    }

    /// A whole number.
    pub fn number(&mut self, key: &str) -> Option<u64> {
        match self.raw(key)? {
            Value::Number(n) if n.as_u64().is_some() => n.as_u64(),
            other => {
                self.wrong_type(key, "a whole number", other);
                None
            }
        }
    }

    /// An ISO date (YYYY-MM-DD) that exists in the calendar.
    pub fn date(&mut self, key: &str) -> Option<NaiveDate> {
        let v = self.raw(key)?;
        let s = match v {
            Value::String(s) => s.trim().to_string(),
            other => {
                self.wrong_type(key, "a date (YYYY-MM-DD)", other);
                return None;
            }
        };
        match parse_date(&s) {
            Ok(d) => Some(d),
            Err(why) => {
                let name = self.key_path(key);
                self.error(
                    "invalid-date",
                    key,
                    format!("`{name}`: {why}"),
                    "write dates as YYYY-MM-DD, e.g. 2012-11-13",
                );
                None
            }
        }
    }

    /// A list of text; a single text value is taken as a list of one.
    pub fn text_list(&mut self, key: &str) -> Option<Vec<String>> {
        match self.raw(key)? {
            Value::String(s) => Some(vec![s.trim().to_string()]),
            Value::Sequence(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::String(s) => out.push(s.trim().to_string()),
                        Value::Number(n) => out.push(n.to_string()),
                        other => {
                            let name = format!("{}.{i}", self.key_path(key));
                            let pos = self.loc.find(&name);
                            self.diags.push(
                                Diagnostic::error(
                                    "wrong-type",
                                    self.path,
                                    format!("`{name}` should be text, but it is {}", kind_of(other)),
                                )
                                .at(pos)
                                .hint("write each entry of the list as text"),
                            );
                        }
                    }
                }
                Some(out)
            }
            other => {
                self.wrong_type(key, "a list of text", other);
                None
            }
        }
    }

    /// A nested map of fields, read with its own [`Fields`].
    pub fn map(&mut self, key: &str) -> Option<Fields<'a>> {
        match self.raw(key)? {
            Value::Mapping(m) => Some(Self::nested(Some(m), self.key_path(key), self.loc, self.path)),
            other => {
                self.wrong_type(key, "a map of fields", other);
                None
            }
        }
    }

    /// The items of a list, each as a raw value with its dotted path.
    pub fn list(&mut self, key: &str) -> Option<Vec<(String, &'a Value)>> {
        match self.raw(key)? {
            Value::Sequence(items) => {
                let base = self.key_path(key);
                Some(items.iter().enumerate().map(|(i, v)| (format!("{base}.{i}"), v)).collect())
            }
            other => {
                self.wrong_type(key, "a list", other);
                None
            }
        }
    }

    /// A [`Fields`] over a mapping found at `path` (e.g. one list item).
    pub fn sub(&self, map: &'a Mapping, path: String) -> Fields<'a> {
        Self::nested(Some(map), path, self.loc, self.path)
    }

    /// A key in this block that is not `key` but is close to it: the likely
    /// misspelling when a required field is missing.
    pub fn near_miss(&self, key: &str) -> Option<String> {
        self.map?
            .keys()
            .filter_map(Value::as_str)
            .find(|k| *k != key && did_you_mean(k, [key]).is_some())
            .map(str::to_string)
    }

    /// Warns of every key not read, naming the closest known one, and hands
    /// back the diagnostics.
    pub fn finish(mut self, known: &[&str]) -> Vec<Diagnostic> {
        let Some(map) = self.map else { return self.diags };
        for k in map.keys() {
            let name = match k {
                Value::String(s) => s.clone(),
                other => format!("{other:?}"),
            };
            if self.seen.contains(&name) {
                continue;
            }
            let path = self.key_path(&name);
            let hint = match did_you_mean(&name, known.iter().copied()) {
                Some(m) => format!("did you mean `{m}`?"),
                None => format!("the fields here are: {}", known.join(", ")),
            };
            let pos = self.loc.find(&path);
            self.diags.push(
                Diagnostic::warning("unknown-field", self.path, format!("unknown field `{path}`")).at(pos).hint(hint),
            );
        }
        self.diags
    }
}

/// Parses `YYYY-MM-DD`, refusing dates that do not exist.
/// A yes-or-no field some councils answer in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlagOrWords {
    Flag(bool),
    Words(String),
}

pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let b = s.as_bytes();
    let shape_ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        return Err(format!("`{s}` is not a date in the form YYYY-MM-DD"));
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
    let (y, m, d) = (num(0..4) as i32, num(5..7), num(8..10));
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("{s} is not a date that exists"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FM: &str = "title: A\ncall_in:\n  subject: true\n  called_in:\n    date: 2012-11-19\n    by: [A, B]\nmeeting: { body: Cabinet, date: 2012-11-13 }\ninterests:\n  - member: X\n    interest: Y\n  - member: Z\nsections:\n- heading: Purpose\n  body: |\n    text: not a key\n    more\n- heading: Decision\n";

    #[test]
    fn locates_block_flow_and_list_keys() {
        let loc = Locations::scan(FM, 2);
        assert_eq!(loc.find("title"), (2, 1));
        assert_eq!(loc.find("call_in.called_in.date"), (6, 5));
        assert_eq!(loc.find("call_in.called_in.by.1"), (7, 5));
        assert_eq!(loc.find("meeting.date"), (8, 27));
        assert_eq!(loc.find("interests.0.member"), (10, 5));
        assert_eq!(loc.find("interests.0.interest"), (11, 5));
        assert_eq!(loc.find("interests.1.member"), (12, 5));
        assert_eq!(loc.find("sections.0.heading"), (14, 3));
        assert_eq!(loc.find("sections.1.heading"), (18, 3));
        assert!(!loc.has("text"));
    }

    #[test]
    fn refuses_dates_that_do_not_exist() {
        assert!(parse_date("2023-02-30").unwrap_err().contains("does not exist") || parse_date("2023-02-30").is_err());
        assert_eq!(parse_date("2012-11-13"), Ok(NaiveDate::from_ymd_opt(2012, 11, 13).unwrap()));
        assert!(parse_date("13/11/2012").is_err());
        assert!(parse_date("2012-1-13").is_err());
    }

    #[test]
    fn syntax_errors_carry_the_file_line() {
        let text = "title: A\nmeeting: { body: Cabinet, date: 2012-11-13, item: 7\nstatus: approved\n";
        let d = parse(text, Path::new("a.md"), 2).unwrap_err();
        assert_eq!(d.code, "yaml-syntax");
        assert!(d.line >= 3, "line {}", d.line);
    }

    #[test]
    fn hostile_yaml_is_refused_quickly() {
        let deep = format!("x: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let d = parse(&deep, Path::new("a.md"), 2).unwrap_err();
        assert_eq!((d.code, d.line), ("yaml-too-deep", 2));
        let mut bomb = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (name, prev) in
            [("b", "a"), ("c", "b"), ("d", "c"), ("e", "d"), ("f", "e"), ("g", "f"), ("h", "g"), ("i", "h")]
        {
            bomb.push_str(&format!("{name}: &{name} [{}]\n", vec![format!("*{prev}"); 9].join(", ")));
        }
        assert_eq!(parse(&bomb, Path::new("a.md"), 2).unwrap_err().code, "yaml-alias-bomb");
        assert!(parse("title: 'it''s [not] {nested}'\nx: [[1], {a: [2]}]\n", Path::new("a.md"), 2).is_ok());
    }

    #[test]
    fn duplicate_keys_are_named() {
        let d = parse("title: A\ntitle: B\n", Path::new("a.md"), 2).unwrap_err();
        assert_eq!(d.code, "duplicate-field");
        assert!(d.message.contains("`title`"));
        assert_eq!(d.line, 3);
    }
}
