//! Property tests: no input makes parsing panic, and a record's parse does
//! not depend on line endings or a byte order mark.

use decreg::config::Config;
use decreg::records::parse_record;
use proptest::prelude::*;
use std::path::Path;

const VALID: &str = "---\ntitle: A\ndecision_maker: Cabinet\nstatus: approved\ndecision_date: 2012-11-13\npublished: 2012-11-13\ncall_in:\n  subject: true\n  called_in: { date: 2012-11-15, by: [A] }\nmeeting: { body: Cabinet, date: 2012-11-13 }\ninterests:\n  - member: X\n---\n\n## Decision\n(i) To agree.\n\n## Reasons\nBecause.\n";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600), yaml in any::<bool>()) {
        let path = if yaml { Path::new("d/x.yaml") } else { Path::new("d/x.md") };
        let _ = parse_record(&bytes, path, &Config::default());
    }

    #[test]
    fn mutated_records_never_panic(pos in 0usize..VALID.len(), cut in 0usize..40, insert in "[-:{}\\[\\]#|> \n\tA-z0-9'\"]{0,12}") {
        let mut s = VALID.to_string();
        let pos = (0..=pos).rev().find(|p| s.is_char_boundary(*p)).unwrap_or(0);
        let end = (pos + cut).min(s.len());
        let end = (end..=s.len()).find(|p| s.is_char_boundary(*p)).unwrap_or(s.len());
        s.replace_range(pos..end, &insert);
        let parsed = parse_record(s.as_bytes(), Path::new("d/x.md"), &Config::default());
        for d in parsed.diags {
            prop_assert!(d.line <= s.lines().count() as u32 + 1, "{d:?}");
        }
    }

    #[test]
    fn crlf_and_bom_change_nothing(bom in any::<bool>()) {
        let plain = parse_record(VALID.as_bytes(), Path::new("d/x.md"), &Config::default());
        let mut other = if bom { "\u{feff}".to_string() } else { String::new() };
        other.push_str(&VALID.replace('\n', "\r\n"));
        let variant = parse_record(other.as_bytes(), Path::new("d/x.md"), &Config::default());
        prop_assert_eq!(plain.record, variant.record);
        prop_assert_eq!(plain.diags, variant.diags);
    }
}
