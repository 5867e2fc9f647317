//! Exempt information never reaches public output: a generated register in
//! which randomly chosen records are made exempt, each carrying its own
//! canary string in every field but the public ones (title, decision maker,
//! dates), is built; no output byte holds a canary (gzip files decompressed,
//! PDFs read as text). The seed is printed so a failure can be replayed
//! with DECREG_CANARY_SEED.

use super::support::*;
use serde_yaml::{Mapping, Value};
use std::path::Path;

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

fn s(v: &str) -> Value {
    Value::String(v.to_string())
}

/// Makes a record exempt, with `canary` in every non-public field and
/// section. Returns the new file text.
fn poison(text: &str, yaml: bool, canary: &str) -> String {
    let (front, body) = if yaml {
        (text.to_string(), String::new())
    } else {
        let rest = text.strip_prefix("---\n").unwrap();
        let end = rest.find("\n---\n").unwrap();
        (rest[..end].to_string(), rest[end + 5..].to_string())
    };
    let mut m: Mapping = serde_yaml::from_str(&front).unwrap();
    let mut exempt = Mapping::new();
    exempt.insert(s("paragraphs"), Value::Sequence(vec![Value::Number(3.into())]));
    exempt.insert(s("reason"), s("The public interest in maintaining the exemption outweighs disclosure."));
    m.insert(s("exempt"), Value::Mapping(exempt));
    for key in ["reference", "council_status", "key_decision_reason", "report_by", "lead_member", "directorate"] {
        m.insert(s(key), s(&format!("{key} {canary}")));
    }
    let mut person = Mapping::new();
    person.insert(s("name"), s(&format!("Author {canary}")));
    person.insert(s("email"), s(&format!("{}@example.org", canary.to_lowercase())));
    m.insert(s("report_author"), Value::Mapping(person.clone()));
    m.insert(s("contact_officer"), Value::Mapping(person.clone()));
    m.insert(s("lead_officer"), Value::Mapping(person));
    m.insert(s("areas"), Value::Sequence(vec![s(&format!("Ward {canary}"))]));
    m.remove(s("wards"));
    m.remove(s("divisions"));
    m.insert(s("subjects"), Value::Sequence(vec![s(&format!("Subject {canary}"))]));
    let mut interest = Mapping::new();
    interest.insert(s("member"), s(&format!("Councillor {canary}")));
    interest.insert(s("interest"), s(&format!("Interest {canary}")));
    m.insert(s("interests"), Value::Sequence(vec![Value::Mapping(interest)]));
    let mut doc = Mapping::new();
    doc.insert(s("title"), s(&format!("Appendix {canary}")));
    doc.insert(s("url"), s(&format!("https://example.org/{canary}.pdf")));
    m.insert(s("documents"), Value::Sequence(vec![Value::Mapping(doc)]));
    // the meeting (body, date, item) is public for an exempt item: its
    // meeting's agenda and decision list name it, with the paragraph
    // the urgency rule is public for an exempt key decision; not why, nor who agreed
    if let Some(Value::Mapping(urgency)) = m.get_mut(s("urgency")) {
        urgency.insert(s("reason"), s(&format!("Urgent because {canary}")));
        urgency.insert(s("agreed_by"), s(&format!("Chair {canary}")));
    }
    if let Some(Value::Mapping(call_in)) = m.get_mut(s("call_in")) {
        if call_in.contains_key(s("exemption")) {
            call_in.insert(s("exemption"), s(&format!("Urgent {canary}")));
        }
    }
    let section = format!("The confidential terms: {canary}, and the bidder {canary}.");
    if yaml {
        if let Some(Value::Sequence(sections)) = m.get_mut(s("sections")) {
            for sec in sections.iter_mut() {
                if let Value::Mapping(sec) = sec {
                    let body = sec.get(s("body")).and_then(Value::as_str).unwrap_or("").to_string();
                    sec.insert(s("body"), s(&format!("{body}\n\n{section}\n")));
                }
            }
        }
        serde_yaml::to_string(&m).unwrap()
    } else {
        let body = body.replace("\n## ", &format!("\n{section}\n\n## "));
        format!("---\n{}---\n{body}\n\n## Exempt appendix\n\n{section}\n", serde_yaml::to_string(&m).unwrap())
    }
}

/// Every output file's bytes (gzip decompressed), and for a PDF its text
/// as pdftotext reads it, also with hyphens and spaces removed (pdftotext
/// joins words hyphenated at a line's end).
fn all_output_text(dir: &Path) -> Vec<(String, Vec<u8>)> {
    output_files(dir)
        .into_iter()
        .map(|(rel, mut bytes)| {
            if rel.ends_with(".pdf") {
                let text =
                    std::process::Command::new("pdftotext").arg(dir.join(&rel)).arg("-").output().unwrap().stdout;
                let mut joined: Vec<u8> =
                    text.iter().copied().filter(|b| *b != b'-' && !b.is_ascii_whitespace()).collect();
                bytes.push(b'\n');
                bytes.extend_from_slice(&text);
                bytes.push(b'\n');
                bytes.append(&mut joined);
            }
            (rel, bytes)
        })
        .collect()
}

#[test]
fn no_canary_of_an_exempt_record_reaches_any_output_byte() {
    let seed: u64 = std::env::var("DECREG_CANARY_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
    });
    eprintln!("canary test seed: {seed} (replay with DECREG_CANARY_SEED={seed})");
    let mut rng = Lcg(seed);
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("reg");
    super::corpus::gen_corpus(90, 0, &reg);
    let mut canaries = Vec::new();
    let mut files: Vec<_> = walkdir::WalkDir::new(reg.join("decisions"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().to_path_buf())
        .collect();
    files.sort();
    for path in files {
        if rng.next() % 3 != 0 {
            continue;
        }
        let canary = format!("CANARY{:012X}", rng.next() << 16 | rng.next() & 0xffff);
        let yaml = path.extension().is_some_and(|e| e == "yaml");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, poison(&text, yaml, &canary)).unwrap();
        canaries.push((canary, path));
    }
    assert!(canaries.len() >= 10, "{} records poisoned", canaries.len());
    let out_dir = dir.path().join("out");
    let out = decreg(&reg, &["build", "--out", out_dir.to_str().unwrap()]);
    assert!(out.status.success(), "seed {seed}: {}", String::from_utf8_lossy(&out.stderr));
    let outputs = all_output_text(&out_dir);
    assert!(outputs.iter().any(|(n, _)| n.starts_with("site/search-index/")));
    assert!(outputs.iter().any(|(n, _)| n.ends_with(".pdf")));
    for (canary, source) in &canaries {
        for (name, bytes) in &outputs {
            let found = bytes.windows(canary.len()).any(|w| w.eq_ignore_ascii_case(canary.as_bytes()));
            assert!(!found, "seed {seed}: the canary of {} is in {name}", source.display());
        }
        // the exempt record is still listed, by its title
        let id = source.file_stem().unwrap().to_string_lossy();
        assert!(out_dir.join(format!("site/decisions/{id}/index.html")).is_file());
    }
}
