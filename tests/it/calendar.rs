//! decreg's call-in arithmetic against an independent bank-holiday source:
//! the PyPI `holidays` package's list (tests/fixtures/calendar, regenerated
//! and compared by scripts/test), counted naively day by day.

use super::support::repo;
use chrono::{Datelike, Days, NaiveDate, Weekday};
use decreg::config::{CallInRule, Counting, Region};
use decreg::validate::workdays::{bank_holidays, Calendar};
use std::collections::HashSet;

fn read_dates(file: &str, region: Region) -> HashSet<NaiveDate> {
    let text = std::fs::read_to_string(repo().join(file)).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("date,"))
        .filter_map(|l| {
            let cols: Vec<&str> = l.split(',').collect();
            (cols[1] == region.as_str()).then(|| NaiveDate::parse_from_str(cols[0], "%Y-%m-%d").unwrap())
        })
        .collect()
}

/// Dates the two sources are known to disagree on, with the reason
/// documented in the file; nothing else may differ.
fn known_differences(region: Region) -> HashSet<NaiveDate> {
    read_dates("tests/fixtures/calendar/known-differences.csv", region)
}

fn naive_deadline(off: &HashSet<NaiveDate>, published: NaiveDate, n: u32) -> NaiveDate {
    let mut d = published;
    let mut left = n;
    while left > 0 {
        d = d + Days::new(1);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !off.contains(&d) {
            left -= 1;
        }
    }
    d
}

#[test]
fn bank_holidays_match_the_independent_source() {
    for region in Region::ALL {
        let ours: HashSet<NaiveDate> = bank_holidays(region).into_iter().collect();
        let theirs = read_dates("tests/fixtures/calendar/independent-holidays.csv", region);
        let differing: HashSet<NaiveDate> = ours.symmetric_difference(&theirs).copied().collect();
        assert_eq!(differing, known_differences(region), "{region:?}");
        assert!(ours.len() > 250, "{region:?}: {}", ours.len());
    }
}

#[test]
fn call_in_deadlines_match_a_naive_count_on_the_independent_source_2000_to_2030() {
    for region in Region::ALL {
        let mut theirs = read_dates("tests/fixtures/calendar/independent-holidays.csv", region);
        // Where the independent source is documented as wrong, use the law.
        for d in known_differences(region) {
            if !theirs.remove(&d) {
                theirs.insert(d);
            }
        }
        let ours = Calendar::new(region, &[]);
        for n in [5, 6, 10] {
            let rule =
                CallInRule { working_days: n, counting: Counting::Clear, cutoff_time: None, default_subject: true };
            let mut day = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
            while day.year() <= 2030 {
                let expected = naive_deadline(&theirs, day, n);
                assert_eq!(ours.call_in_deadline(day, &rule), expected, "{region:?} published {day}, {n} days");
                assert_eq!(ours.next_working_day(expected), naive_deadline(&theirs, expected, 1));
                day = day + Days::new(1);
            }
        }
    }
}
