//! Any bytes, as a Markdown or a YAML record: parsing and the per-file
//! checks never panic, and every diagnostic points inside the file.
#![no_main]
use decreg::config::Config;
use decreg::records::parse_record;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let config = Config::default();
    for name in ["decisions/x.md", "decisions/x.yaml"] {
        let parsed = parse_record(data, Path::new(name), &config);
        // LF, CRLF and a lone CR each end a line
        let breaks = data.iter().enumerate().filter(|(i, &b)| b == b'\n' || (b == b'\r' && data.get(i + 1) != Some(&b'\n'))).count();
        let lines = breaks as u32 + 1;
        for d in &parsed.diags {
            assert!(d.line <= lines, "{d:?}");
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = decreg::records::text::split_front_matter(text, Path::new("x.md"));
        let _ = decreg::yaml::Locations::scan(text, 1);
        let _ = Config::parse(text, Path::new("register.yaml"));
    }
});
