//! From a record file's bytes to its parts: UTF-8 (with or without a byte
//! order mark, LF or CRLF) and, for Markdown records, the YAML front matter
//! split from the body. Pure functions over bytes, so tests and the fuzzer
//! feed them directly.

use crate::diag::Diagnostic;
use std::borrow::Cow;
use std::path::Path;

/// Decodes a record file: refuses empty files and bytes that are not UTF-8
/// (naming the byte offset and line), strips a BOM and turns CRLF into LF.
pub fn decode<'a>(bytes: &'a [u8], path: &Path) -> Result<Cow<'a, str>, Diagnostic> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let offset = e.valid_up_to();
        let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count() as u32 + 1;
        let col =
            String::from_utf8_lossy(&bytes[..offset]).rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
        Diagnostic::error(
            "not-utf8",
            path,
            format!("the file is not valid UTF-8: byte {offset} (0x{:02X}) cannot be read", bytes[offset]),
        )
        .at((line, col))
        .hint("save the file as UTF-8 (a '£' or '–' pasted from a Windows document is the usual cause)")
    })?;
    if text.trim().is_empty() {
        return Err(Diagnostic::error("empty-record", path, "the file is empty")
            .at((1, 1))
            .hint("write the record's fields, or delete the file (or start its name with `_` to keep it as a draft)"));
    }
    // A lone CR is a line break to YAML too (old Mac files): make it one,
    // so every line number means the same line to decreg and to YAML.
    Ok(if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(text)
    })
}

/// A Markdown record split in two: its front matter and its body, each with
/// the file line it starts on.
#[derive(Debug, PartialEq, Eq)]
pub struct Split<'a> {
    pub front: &'a str,
    pub front_line: u32,
    pub body: &'a str,
    pub body_line: u32,
}

/// Splits `---\n<yaml>\n---\n<markdown>`. The closing fence may also be `...`.
pub fn split_front_matter<'a>(text: &'a str, path: &Path) -> Result<Split<'a>, Diagnostic> {
    let Some(rest) = text.strip_prefix("---\n").or_else(|| (text.trim_end() == "---").then_some("")) else {
        return Err(Diagnostic::error("front-matter-missing", path, "the record does not start with front matter")
            .at((1, 1))
            .hint("a Markdown record starts with a line `---`, its fields in YAML, and another line `---`"));
    };
    let mut offset = 0;
    for (n, line) in rest.split_inclusive('\n').enumerate() {
        let bare = line.trim_end_matches('\n').trim_end();
        if bare == "---" || bare == "..." {
            let front = &rest[..offset];
            let body = &rest[offset + line.len()..];
            return Ok(Split { front, front_line: 2, body, body_line: n as u32 + 3 });
        }
        offset += line.len();
    }
    Err(Diagnostic::error("front-matter-unclosed", path, "the front matter is never closed")
        .at((1, 1))
        .hint("end the fields with a line holding only `---`, before the first `##` heading"))
}

/// 1-based line of a byte offset, given where `text` starts in the file.
pub fn line_of(text: &str, offset: usize, first_line: u32) -> u32 {
    first_line + text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> &'static Path {
        Path::new("d.md")
    }

    #[test]
    fn splits_front_matter_and_counts_lines() {
        let s = split_front_matter("---\ntitle: A\nstatus: x\n---\n\n## Purpose\nText\n", p()).unwrap();
        assert_eq!(s.front, "title: A\nstatus: x\n");
        assert_eq!(s.front_line, 2);
        assert_eq!(s.body, "\n## Purpose\nText\n");
        assert_eq!(s.body_line, 5);
    }

    #[test]
    fn unclosed_and_missing_front_matter_are_errors() {
        assert_eq!(split_front_matter("---\ntitle: A\n\n## Purpose\n", p()).unwrap_err().code, "front-matter-unclosed");
        assert_eq!(split_front_matter("# Title\n", p()).unwrap_err().code, "front-matter-missing");
    }

    #[test]
    fn decodes_bom_and_crlf() {
        let t = decode(b"\xEF\xBB\xBF---\r\ntitle: A\r\n---\r\n", p()).unwrap();
        assert_eq!(t, "---\ntitle: A\n---\n");
    }

    #[test]
    fn a_lone_carriage_return_is_a_line_break() {
        assert_eq!(decode(b"a\rb\r\nc", p()).unwrap(), "a\nb\nc");
    }

    #[test]
    fn names_the_byte_that_is_not_utf8() {
        let d = decode(b"---\ntitle: caf\xE9\n", p()).unwrap_err();
        assert_eq!(d.code, "not-utf8");
        assert_eq!((d.line, d.col), (2, 11));
        assert!(d.message.contains("byte 14 (0xE9)"), "{}", d.message);
    }

    #[test]
    fn empty_files_are_refused() {
        assert_eq!(decode(b"", p()).unwrap_err().code, "empty-record");
        assert_eq!(decode(b" \n\n", p()).unwrap_err().code, "empty-record");
    }
}
