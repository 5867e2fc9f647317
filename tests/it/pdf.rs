//! PDFs read back with poppler (pdftotext, pdfinfo, pdffonts), as a reader
//! or a screen reader would: the seed report's text in order, the seed
//! schedule's tables, embedded fonts, title and tagging, record text that
//! looks like Typst printed as typed, exempt reports kept out of the
//! published output, and an unchanged record not rendered twice.

use super::support::*;
use std::path::Path;
use std::process::Command;

fn text_of(pdf: &Path) -> String {
    let out = Command::new("pdftotext").arg(pdf).arg("-").output().expect("pdftotext runs");
    // reading order; whitespace folded for matching
    String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text as laid out on the page, whitespace folded: a label and its
/// value on one line, as a reader sees them side by side.
fn layout_text_of(pdf: &Path) -> String {
    let out = Command::new("pdftotext").arg("-layout").arg(pdf).arg("-").output().expect("pdftotext runs");
    String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// pdftotext joins a word hyphenated at a line's end; compare without hyphens.
fn unhyphenated(text: &str) -> String {
    text.replace(['-', ' '], "")
}

fn fonts_of(pdf: &Path) -> String {
    let out = Command::new("pdffonts").arg(pdf).output().expect("pdffonts runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn info(pdf: &Path) -> String {
    let out = Command::new("pdfinfo").arg(pdf).output().expect("pdfinfo runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn build_with_pdf(root: &Path) -> (tempfile::TempDir, std::process::Output) {
    let dir = tempfile::tempdir().unwrap();
    let out = decreg(root, &["build", "--out", dir.path().to_str().unwrap()]);
    (dir, out)
}

#[test]
fn the_sample_register_gets_a_pdf_for_every_public_decision() {
    let (dir, out) = build_with_pdf(&repo());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let reports = dir.path().join("reports");

    // seed 002: the cabinet report, paragraphs 1 to 7 in order
    let report = reports.join("provision-of-education-services-to-oxfordshire-schools.pdf");
    let text = text_of(&report);
    assert!(text.contains("PROVISION OF EDUCATION SERVICES TO OXFORDSHIRE SCHOOLS"), "{text}");
    let mut at = 0;
    for n in 1..=7 {
        let needle = format!("{n}. ");
        let found = text[at..].find(&needle).unwrap_or_else(|| panic!("paragraph {n} after byte {at}: {text}"));
        at += found + needle.len();
    }
    assert!(
        text.contains("The Cabinet is RECOMMENDED to agree that Oxfordshire County Council should formally withdraw"),
        "{text}"
    );
    assert!(text.contains("Margaret Dennison"), "{text}");
    let i = info(&report);
    assert!(i.contains("Title:") && i.contains("Provision of Education Services to Oxfordshire Schools"), "{i}");
    assert!(i.contains("Tagged:") && i.lines().any(|l| l.starts_with("Tagged:") && l.ends_with("yes")), "{i}");

    // seed 004: the KPI and staffing tables
    let schedule = text_of(
        &reports.join("hampshire-county-council-isle-of-wight-council-strategic-partnership-services-and-scope.pdf"),
    );
    for cell in [
        "90%",
        "100%",
        "better than average",
        "Top 25%",
        "129",
        "Steve Crocker",
        "Stuart Ashley",
        "Felicity Roe",
        "Brian Pope",
        "0.5",
    ] {
        assert!(schedule.contains(cell), "{cell} in {schedule}");
    }

    // seed 000: the decision notice with its dates
    let notice = text_of(&reports.join("joint-work-with-the-isle-of-wight-to-deliver-education-support-services.pdf"));
    for fact in
        ["Recommendations Approved", "Alison Alexander", "13 November 2012", "22 November 2012", "21 November 2012"]
    {
        assert!(notice.contains(fact), "{fact} in {notice}");
    }

    // every font embedded
    let pdfs: Vec<std::path::PathBuf> = std::fs::read_dir(&reports)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    assert_eq!(pdfs.len(), 11, "every public decision of the sample register");
    for pdf in &pdfs {
        let pdf = pdf.clone();
        let fonts = fonts_of(&pdf);
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert!(!rows.is_empty(), "{} has fonts", pdf.display());
        for row in rows {
            let cols: Vec<&str> = row.split_whitespace().collect();
            let emb = cols[cols.len() - 5];
            assert_eq!(emb, "yes", "{}: {row}", pdf.display());
        }
    }

    // no public PDF carries the exempt record's canary
    for pdf in &pdfs {
        assert!(!unhyphenated(&text_of(pdf)).contains("EXEMPTCANARY7f3a"), "{}", pdf.display());
    }
    // the exempt decision has no public PDF, anywhere
    assert!(!reports.join("disposal-of-the-former-example-road-depot.pdf").exists());
    assert!(!dir.path().join("site/reports/disposal-of-the-former-example-road-depot.pdf").exists());
    // and decision pages link their PDF
    let page = std::fs::read_to_string(
        dir.path()
            .join("site/decisions/joint-work-with-the-isle-of-wight-to-deliver-education-support-services/index.html"),
    )
    .unwrap();
    assert!(page.contains("reports/joint-work-with-the-isle-of-wight-to-deliver-education-support-services.pdf"));
    assert!(dir
        .path()
        .join("site/reports/joint-work-with-the-isle-of-wight-to-deliver-education-support-services.pdf")
        .is_file());
}

#[test]
fn pdfs_are_reproducible_and_cached() {
    let dir = tempfile::tempdir().unwrap();
    // --force: the cache is what is tested, not the up-to-date check
    let out = |d: &Path| decreg(&repo(), &["build", "--force", "--out", d.to_str().unwrap()]);
    let first = out(dir.path());
    assert!(String::from_utf8_lossy(&first.stderr).contains("rendered, 0 unchanged"));
    let bytes =
        std::fs::read(dir.path().join("reports/provision-of-education-services-to-oxfordshire-schools.pdf")).unwrap();
    let second = out(dir.path());
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("(0 rendered, "),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    // a fresh folder (no cache) renders the same bytes
    let other = tempfile::tempdir().unwrap();
    out(other.path());
    assert_eq!(
        std::fs::read(other.path().join("reports/provision-of-education-services-to-oxfordshire-schools.pdf")).unwrap(),
        bytes
    );
}

#[test]
fn typst_and_template_syntax_in_records_print_as_typed() {
    let (dir, out) = build_with_pdf(&fixture("injection"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = text_of(&dir.path().join("reports/injection.pdf"));
    for literal in [
        "#read(\"/etc/passwd\")",
        "#import \"common.typ\": *",
        "$x^2$",
        "@label",
        "<label>",
        "*stars*",
        "_underscores_",
        "{{ site.council }}",
        "{% if true %}yes{% endif %}",
        "#include \"report.typ\"",
        "<script>alert(\"x\")</script>",
        "#panic(\"stop\")",
        "Cabinet #eval(\"1+1\") $y$",
        "#read(\"/etc/hostname\")",
    ] {
        assert!(text.contains(literal), "{literal} in {text}");
    }
    // nothing was read from disk
    let hostname = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
    assert!(!text.contains("root:x:0:0"), "{text}");
    if hostname.trim().len() > 3 {
        assert!(!text.contains(hostname.trim()), "{text}");
    }
    // and the HTML page shows them as text too
    let page = std::fs::read_to_string(dir.path().join("site/decisions/injection/index.html")).unwrap();
    assert!(page.contains("{{ site.council }}") && page.contains("&lt;script&gt;alert("), "{page}");
    assert!(!page.contains("<script>alert("));
}

#[test]
fn an_exempt_report_is_an_internal_copy_written_only_where_asked() {
    let id = "disposal-of-the-former-example-road-depot";
    let refused = decreg(&repo(), &["report", id]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("only where -o"));

    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("internal.pdf");
    let out = decreg(&repo(), &["report", id, "-o", pdf.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let pages: usize = info(&pdf).lines().find_map(|l| l.strip_prefix("Pages:")).unwrap().trim().parse().unwrap();
    for page in 1..=pages {
        let p = page.to_string();
        let raw = Command::new("pdftotext").args(["-f", &p, "-l", &p]).arg(&pdf).arg("-").output().unwrap();
        let text = String::from_utf8_lossy(&raw.stdout);
        assert!(text.contains("NOT FOR PUBLICATION"), "page {page}: {text}");
    }
    assert!(unhyphenated(&text_of(&pdf)).contains("EXEMPTCANARY7f3a"), "the internal copy is complete");

    // never into the published output
    let site = repo().join("output/site");
    std::fs::create_dir_all(&site).unwrap();
    let into_site = decreg(&repo(), &["report", id, "-o", site.join("x.pdf").to_str().unwrap()]);
    assert_eq!(into_site.status.code(), Some(2));
    assert!(!site.join("x.pdf").exists());
}

#[test]
fn report_kind_can_be_chosen() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("n.pdf");
    let out = decreg(
        &repo(),
        &[
            "report",
            "provision-of-education-services-to-oxfordshire-schools",
            "--kind",
            "notice",
            "-o",
            pdf.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(text_of(&pdf).contains("RECORD OF DECISION"), "{}", text_of(&pdf));
}

#[test]
fn each_meeting_gets_its_decision_list_in_item_order_and_an_exempt_item_shows_only_its_notice() {
    let (dir, out) = build_with_pdf(&repo());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // seed 000's meeting, with the fictional second decision taken at it
    let pdf = dir.path().join("reports/meetings/2012-11-13-cabinet.pdf");
    let list = layout_text_of(&pdf);
    let at = |needle: &str| list.find(needle).unwrap_or_else(|| panic!("{needle} in {list}"));
    let first = at("Item 6: Joint Work with the Isle of Wight to Deliver Education Support Services");
    let second = at("Item 7: School Crossing Patrol Service Review");
    assert!(first < second, "item order: {list}");
    // each entry's decision, reasons and deadline, in its own part
    for (needle, after) in [
        ("(i) To agree to the continuation", first),
        ("Both the Isle of Wight and Southampton City Councils", first),
        ("(i) To keep a school crossing patrol at every site", second),
        ("41 of 44 sites meet the national criteria", second),
        ("Councillor Example", second),
    ] {
        assert!(at(needle) > after, "{needle} after its heading: {list}");
    }
    assert!(at("(i) To agree to the continuation") < second);
    assert_eq!(list.matches("Deadline: 16:00 on 21 November 2012").count(), 2, "{list}");
    assert_eq!(list.matches("Takes effect: 22 November 2012").count(), 2, "{list}");
    for fact in ["RECORD OF DECISIONS", "Date of publication 13 November 2012", "Democratic Services (example)"] {
        assert!(list.contains(fact), "{fact} in {list}");
    }
    let i = info(&pdf);
    assert!(i.lines().any(|l| l.starts_with("Title:") && l.contains("Decisions of Cabinet, 13 November 2012")), "{i}");
    assert!(i.lines().any(|l| l.starts_with("Tagged:") && l.ends_with("yes")), "{i}");
    assert!(fonts_of(&pdf).lines().skip(2).all(|row| row.split_whitespace().rev().nth(4) == Some("yes")));

    // the exempt item: its title, item number and paragraph, nothing of its text
    let exempt = layout_text_of(&dir.path().join("reports/meetings/2025-03-18-cabinet.pdf"));
    assert!(exempt.contains("Item 9: Disposal of the Former Example Road Depot"), "{exempt}");
    assert!(exempt.contains("paragraph 3"), "{exempt}");
    let source =
        std::fs::read_to_string(repo().join("decisions/examples/disposal-of-the-former-example-road-depot.md"))
            .unwrap();
    let body = source.split("\n---\n").nth(1).unwrap();
    for line in body.lines().filter(|l| l.len() > 40 && !l.starts_with('#')) {
        let words: String = line.split_whitespace().take(8).collect::<Vec<_>>().join(" ");
        assert!(!exempt.contains(&words), "exempt text {words:?} in {exempt}");
    }
    assert!(!unhyphenated(&exempt).contains("EXEMPTCANARY7f3a"));
    assert!(!exempt.contains("Exempt appendix 1"), "{exempt}");

    // the site has the same file, linked from the meeting's page
    let page = std::fs::read_to_string(dir.path().join("site/meetings/2012-11-13-cabinet/index.html")).unwrap();
    assert!(page.contains("reports/meetings/2012-11-13-cabinet.pdf"), "{page}");
    assert_eq!(
        std::fs::read(dir.path().join("site/reports/meetings/2012-11-13-cabinet.pdf")).unwrap(),
        std::fs::read(&pdf).unwrap()
    );

    // and `decreg report --meeting` makes the same document
    let by_hand = dir.path().join("by-hand.pdf");
    let o = decreg(&repo(), &["report", "--meeting", "2012-11-13-cabinet", "-o", by_hand.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read(&by_hand).unwrap(), std::fs::read(&pdf).unwrap(), "the same bytes as the build's");
    // the build's notice is the one `decreg report` makes as of the build's day
    let notice = dir.path().join("notice.pdf");
    let o = decreg(&repo(), &["report", "--forward-plan", "-o", notice.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let built = std::fs::read(dir.path().join("reports/forward-plan/notice.pdf")).unwrap();
    assert_eq!(built, std::fs::read(&notice).unwrap());
    assert_eq!(built, std::fs::read(dir.path().join("site/forward-plan/notice.pdf")).unwrap());
    let o = decreg(&repo(), &["report", "--meeting", "2012-11-13-cabnet"]);
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && said.contains("did you mean `2012-11-13-cabinet`?"), "{said}");
}

#[test]
fn the_notice_of_key_decisions_lists_the_key_decisions_still_to_take_as_of_its_day() {
    let notice = |as_of: &str| {
        let o = decreg(&repo(), &["report", "--forward-plan", "--as-of", as_of, "--data"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()
    };
    let refs = |v: &serde_json::Value| -> Vec<String> {
        v["entries"].as_array().unwrap().iter().map(|e| e["reference"].as_str().unwrap_or("").to_string()).collect()
    };
    // before the depot sale: it is on the notice, in private; the bus lane
    // scheme was not yet published, the leisure centre not for years
    let february = notice("2025-02-01");
    assert_eq!(refs(&february), ["FP/2023/019", "EXAMPLE-FP-2025-004"]);
    let depot = &february["entries"][1];
    assert_eq!(depot["expected"], "18 March 2025");
    assert_eq!(depot["first_published"], "10 January 2025");
    assert_eq!(depot["notice_ends"], "8 February 2025");
    assert!(depot["private"].as_str().unwrap().contains("paragraph 3"), "{depot}");
    assert_eq!(depot["documents"], serde_json::json!([]), "an exempt decision's documents are not listed");
    assert_eq!(depot["short_notice"], serde_json::Value::Null);
    assert_eq!(february["entries"][0]["private"], serde_json::Value::Null);
    // in May the bus lane scheme is on it and the depot decided
    assert_eq!(refs(&notice("2025-05-01")), ["FP/2023/019", "EXAMPLE-FP-2025-011"]);
    // the leisure centre from the day its notice was published
    assert_eq!(refs(&notice("2026-12-03")), ["FP/2023/019"]);
    assert_eq!(refs(&notice("2026-12-04")), ["FP/2023/019", "EXAMPLE-FP-2026-037"]);

    // an entry expected before its 28 clear days end, with no urgency rule
    let reg = copy_register(&repo());
    let leisure = "decisions/examples/replacement-of-the-example-park-leisure-centre.md";
    edit(reg.path(), leisure, "expected_date: 2027-03-16", "expected_date: 2026-12-20");
    let o = decreg(reg.path(), &["report", "--forward-plan", "--as-of", "2026-12-10", "--data"]);
    let short: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let entry = short["entries"].as_array().unwrap().iter().find(|e| e["reference"] == "EXAMPLE-FP-2026-037").unwrap();
    assert_eq!(entry["notice_ends"], "2 January 2027");
    assert_eq!(entry["short_notice"], "Less than 28 clear days' notice, and no urgency rule recorded");
    assert_eq!(refs(&short)[0], "FP/2023/019", "the overdue entry first, then by expected date");

    // the PDF carries the same, and none of the exempt record's text
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("notice.pdf");
    let o = decreg(&repo(), &["report", "--forward-plan", "--as-of", "2025-02-01", "-o", pdf.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = layout_text_of(&pdf);
    let at = |needle: &str| text.find(needle).unwrap_or_else(|| panic!("{needle} in {text}"));
    assert!(
        at("FP/2023/019: Future Arrangements") < at("EXAMPLE-FP-2025-004: Disposal of the Former Example Road Depot")
    );
    assert!(text.contains("As published on 1 February 2025"), "{text}");
    assert!(text.contains("May be taken from 8 February 2025"), "{text}");
    assert!(!unhyphenated(&text).contains("EXEMPTCANARY7f3a"));
    assert!(info(&pdf).lines().any(|l| l.starts_with("Title:") && l.contains("Notice of Key Decisions")));
}
