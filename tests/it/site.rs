//! `decreg build`: the site's pages against reviewed golden files, exempt
//! information kept out of every byte, reproducible output, and builds that
//! fail or are refused leaving what was there untouched.

use super::support::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn build(root: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["build", "--no-pdf", "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    decreg(root, &args)
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    output_files(dir)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn sample_site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = build(&repo(), dir.path(), &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let site = dir.path().join("site");
    (dir, site)
}

/// Compares with a golden file; `UPDATE_GOLDEN=1` rewrites it for review.
fn golden(name: &str, actual: &str) {
    let path = repo().join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == actual,
        "{name} differs from its golden file; review with UPDATE_GOLDEN=1 cargo test and git diff"
    );
}

#[test]
fn decision_pages_match_their_golden_files() {
    let (_dir, site) = sample_site();
    let read = |id: &str| std::fs::read_to_string(site.join("decisions").join(id).join("index.html")).unwrap();
    golden("decision-seed-000.html", &read("joint-work-with-the-isle-of-wight-to-deliver-education-support-services"));
    golden("decision-exempt.html", &read("disposal-of-the-former-example-road-depot"));
    golden("decision-report-seed-002.html", &read("provision-of-education-services-to-oxfordshire-schools"));
}

#[test]
fn meeting_and_forward_plan_pages_match_their_golden_files() {
    let (_dir, site) = sample_site();
    let read = |path: &str| std::fs::read_to_string(site.join(path).join("index.html")).unwrap();
    // seed 000's meeting: two items in agenda order, each with its report
    golden("meeting-seed-000.html", &read("meetings/2012-11-13-cabinet"));
    // an exempt item: its title, item number and status, no report
    golden("meeting-exempt.html", &read("meetings/2025-03-18-cabinet"));
    golden("meetings.html", &read("meetings"));
    golden("forward-plan.html", &read("forward-plan"));
}

#[test]
fn exempt_information_reaches_no_output_byte() {
    let (_dir, site) = sample_site();
    let all = files(&site);
    assert!(all.keys().any(|k| k.starts_with("search-index/")), "the search index was written");
    let exempt_source =
        std::fs::read_to_string(repo().join("decisions/examples/disposal-of-the-former-example-road-depot.md"))
            .unwrap();
    assert!(exempt_source.contains("EXEMPT-CANARY-7f3a"), "the sample exempt record carries the canary");
    for (file, bytes) in &all {
        assert!(!contains(bytes, b"EXEMPT-CANARY-7f3a"), "the canary is in {file}");
    }
    // the exempt record is listed, with its title, and nothing of its body
    let page =
        String::from_utf8(all["decisions/disposal-of-the-former-example-road-depot/index.html"].clone()).unwrap();
    assert!(page.contains("Disposal of the Former Example Road Depot"));
    assert!(page.contains("paragraph 3 of Schedule 12A to the Local Government Act 1972, Part 1"));
    assert!(!page.contains("<h2>Decision</h2>"));
}

#[test]
fn the_same_input_gives_a_byte_identical_site() {
    let (_a, one) = sample_site();
    let (_b, two) = sample_site();
    let (one, two) = (files(&one), files(&two));
    assert_eq!(one.keys().collect::<Vec<_>>(), two.keys().collect::<Vec<_>>());
    for (name, bytes) in &one {
        assert!(bytes == &two[name], "{name} differs between two builds");
    }
}

#[test]
fn every_seed_fact_reaches_its_page() {
    let (_dir, site) = sample_site();
    let page = |id: &str| std::fs::read_to_string(site.join("decisions").join(id).join("index.html")).unwrap();
    let p = page("joint-work-with-the-isle-of-wight-to-deliver-education-support-services");
    for fact in [
        "Alison Alexander",
        "<time datetime=\"2012-11-22\">22 November 2012</time>",
        "Recommendations Approved",
        "Executive Director of Children’s Services and Learning",
    ] {
        assert!(p.contains(fact), "{fact}");
    }
    let p = page("provision-of-education-services-to-oxfordshire-schools");
    for fact in ["Margaret Dennison", "(01865) 815125", "Integrated Business Centre", "formally withdraw"] {
        assert!(p.contains(fact), "{fact}");
    }
    let p = page("hampshire-county-council-isle-of-wight-council-strategic-partnership-services-and-scope");
    for fact in ["<td>Steve Crocker</td>", "<td>90%</td>", "<td>129</td>", "Top 25%"] {
        assert!(p.contains(fact), "{fact}");
    }
}

#[test]
fn a_register_with_errors_publishes_nothing_and_keeps_the_old_site() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert!(build(&repo(), &out, &[]).status.success());
    let before = files(&out.join("site"));
    let bad = build(&fixture("invalid/law"), &out, &[]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("nothing was published"));
    assert_eq!(files(&out.join("site")), before, "the previous site is untouched");
}

#[test]
fn keep_going_publishes_the_valid_records_and_names_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let out = build(&fixture("invalid/law"), dir.path(), &["--keep-going"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    // only records decreg cannot publish correctly are left out
    for skipped in ["decisions/dates.md", "decisions/deadline-before.md", "decisions/no-reasons.md"] {
        assert!(stderr.contains(&format!("skipped (has errors): {skipped}")), "{skipped}: {stderr}");
    }
    // findings (no notice, no reasons, no exemption, incomplete urgency) are published
    for published in ["forthcoming", "key-late", "officer", "special", "urgent"] {
        assert!(!stderr.contains(&format!("skipped (has errors): decisions/{published}.md")), "{published}: {stderr}");
        assert!(dir.path().join(format!("site/decisions/{published}/index.html")).is_file(), "{published}");
    }
    let site = dir.path().join("site");
    assert!(!site.join("decisions/dates/index.html").exists());
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(site.join("decisions.json")).unwrap()).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 5);
}

/// `--keep-going` (and `serve`, which always builds so) makes the site a
/// clean build of the valid records makes: every listing, feed, open data
/// file and search shard, byte for byte.
#[test]
fn keep_going_makes_the_site_of_the_valid_records_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let clean = build(&repo(), &dir.path().join("clean"), &[]);
    assert!(clean.status.success(), "{}", String::from_utf8_lossy(&clean.stderr));
    let with_bad = copy_register(&repo());
    let bad = "---\ntitle: A record with an impossible date\ndecision_maker: Cabinet\nstatus: approved\ndecision_date: 2023-02-30\n---\n";
    std::fs::write(with_bad.path().join("decisions/impossible-date.md"), bad).unwrap();
    let kept = build(with_bad.path(), &dir.path().join("kept"), &["--keep-going"]);
    assert_eq!(kept.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&kept.stderr).contains("skipped (has errors): decisions/impossible-date.md"));
    let (clean, kept) = (files(&dir.path().join("clean/site")), files(&dir.path().join("kept/site")));
    assert_eq!(clean.keys().collect::<Vec<_>>(), kept.keys().collect::<Vec<_>>());
    for (path, bytes) in &clean {
        assert!(&kept[path] == bytes, "{path} differs from a clean build's");
    }
    let home = String::from_utf8_lossy(&clean["index.html"]).into_owned();
    assert!(home.matches("<li").count() >= 10, "the home page lists the latest decisions");
}

#[test]
fn out_never_replaces_a_folder_decreg_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("site")).unwrap();
    std::fs::write(dir.path().join("site/index.html"), "the council's own page").unwrap();
    let out = build(&repo(), dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not written by decreg"));
    assert_eq!(std::fs::read_to_string(dir.path().join("site/index.html")).unwrap(), "the council's own page");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no staging folder left behind");
}

/// Every tag in an HTML document: (name, [(attribute, value)]).
fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'<' && i + 1 < b.len() && b[i + 1].is_ascii_alphabetic() {
            let mut j = i + 1;
            let mut quote = None;
            while j < b.len() {
                match (quote, b[j]) {
                    (None, b'"' | b'\'') => quote = Some(b[j]),
                    (Some(q), c) if c == q => quote = None,
                    (None, b'>') => break,
                    _ => {}
                }
                j += 1;
            }
            let inner = &html[i + 1..j.min(b.len())];
            let name: String = inner.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
            let mut attrs = Vec::new();
            let rest = &inner[name.len()..];
            let mut chars = rest.char_indices().peekable();
            while let Some((k, c)) = chars.next() {
                if c.is_ascii_alphabetic() {
                    let start = k;
                    let mut end = k + 1;
                    while let Some(&(e, d)) = chars.peek() {
                        if d.is_ascii_alphanumeric() || d == '-' {
                            end = e + 1;
                            chars.next();
                        } else {
                            break;
                        }
                    }
                    let attr = rest[start..end].to_ascii_lowercase();
                    let mut value = String::new();
                    if chars.peek().map(|&(_, d)| d) == Some('=') {
                        chars.next();
                        let q = chars.peek().map(|&(_, d)| d);
                        if q == Some('"') || q == Some('\'') {
                            chars.next();
                            for (_, d) in chars.by_ref() {
                                if Some(d) == q {
                                    break;
                                }
                                value.push(d);
                            }
                        } else {
                            while let Some(&(_, d)) = chars.peek() {
                                if d.is_whitespace() {
                                    break;
                                }
                                value.push(d);
                                chars.next();
                            }
                        }
                    }
                    attrs.push((attr, value));
                }
            }
            out.push((name.to_ascii_lowercase(), attrs));
            i = j;
        }
        i += 1;
    }
    out
}

#[test]
fn hostile_records_render_harmlessly() {
    let dir = tempfile::tempdir().unwrap();
    let out = build(&fixture("hostile"), dir.path(), &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let allowed = [
        "html",
        "head",
        "meta",
        "title",
        "link",
        "script",
        "body",
        "a",
        "header",
        "div",
        "span",
        "nav",
        "ul",
        "ol",
        "li",
        "main",
        "article",
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "dl",
        "dt",
        "dd",
        "section",
        "time",
        "strong",
        "em",
        "code",
        "pre",
        "blockquote",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "caption",
        "footer",
        "form",
        "label",
        "input",
        "button",
        "select",
        "option",
        "fieldset",
        "legend",
        "noscript",
        "br",
        "hr",
        "del",
        "s",
        "b",
        "i",
        "sup",
        "sub",
        "details",
        "summary",
        // the statistics page's charts, drawn by decreg (names in them are text)
        "figure",
        "svg",
        "desc",
        "defs",
        "pattern",
        "rect",
        "path",
        "circle",
        "line",
        "text",
    ];
    let mut pages = 0;
    for (name, bytes) in files(&dir.path().join("site")) {
        if !name.ends_with(".html") {
            continue;
        }
        pages += 1;
        let html = String::from_utf8(bytes).unwrap();
        for (tag, attrs) in tags(&html) {
            assert!(allowed.contains(&tag.as_str()), "<{tag}> in {name}");
            for (attr, value) in &attrs {
                assert!(!attr.starts_with("on"), "{attr} on <{tag}> in {name}");
                let v = value.trim().to_ascii_lowercase();
                assert!(
                    !v.starts_with("javascript:") && !v.starts_with("data:") && !v.starts_with("vbscript:"),
                    "{attr}={value} in {name}"
                );
                assert!(!(tag == "meta" && attr == "http-equiv" && v == "refresh"), "refresh in {name}");
            }
            if tag == "script" {
                let kind = attrs.iter().find(|(a, _)| a == "type").map(|(_, v)| v.as_str());
                let src = attrs.iter().find(|(a, _)| a == "src").map(|(_, v)| v.as_str());
                assert!(
                    kind == Some("application/ld+json") || src.is_some_and(|s| s.ends_with("assets/search.js")),
                    "script in {name}"
                );
            }
            if tag == "form" {
                let action = attrs.iter().find(|(a, _)| a == "action").map(|(_, v)| v.as_str()).unwrap_or("");
                assert!(action.ends_with("search/"), "a record's form in {name}");
            }
        }
        // the text is still there to read
        if name == "decisions/hostile/index.html" {
            assert!(html.contains("&lt;script&gt;alert(&#x27;s1&#x27;)&lt;&#x2F;script&gt;"), "{html}");
            assert!(html.contains("{{ site.council }}"));
        }
    }
    assert!(pages > 5);
}

#[test]
fn a_killed_build_leaves_the_previous_output_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let first = decreg(&repo(), &["build", "--out", out.to_str().unwrap()]);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let site_before = files(&out.join("site"));
    let reports_before = files(&out.join("reports"));
    assert!(!reports_before.is_empty());

    // a bigger register, whose build takes long enough to be killed midway
    let big = dir.path().join("big");
    super::corpus::gen_corpus(500, 0, &big);
    for delay_ms in [100u64, 400, 900, 1800, 3000] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_decreg"))
            .args(["--root", big.to_str().unwrap(), "--today", TODAY, "build", "--out", out.to_str().unwrap(), "-q"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let finished = child.try_wait().unwrap().is_some();
        assert!(!finished, "the build finished within {delay_ms} ms: make the register bigger");
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        assert!(files(&out.join("site")) == site_before, "the site changed after a kill at {delay_ms} ms");
        assert!(files(&out.join("reports")) == reports_before, "the reports changed after a kill at {delay_ms} ms");
    }
    // the next build completes and clears what the killed ones left
    let last = decreg(&repo(), &["build", "--force", "--out", out.to_str().unwrap()]);
    assert!(last.status.success());
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".staging-") || n.contains(".old-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// The statistics page and its figures: public facts only, an exempt
/// decision counted in totals and by paragraph and nowhere else.
#[test]
fn statistics_count_public_facts_and_keep_exempt_text_out() {
    let (_dir, site) = sample_site();
    let stats: serde_json::Value =
        serde_json::from_slice(&std::fs::read(site.join("statistics.json")).unwrap()).unwrap();
    let all = &stats[0];
    assert!(all["year"].is_null());
    let decisions: serde_json::Value =
        serde_json::from_slice(&std::fs::read(site.join("decisions.json")).unwrap()).unwrap();
    let taken: Vec<&serde_json::Value> =
        decisions.as_array().unwrap().iter().filter(|d| !d["decision_date"].is_null()).collect();
    assert_eq!(all["decisions"].as_u64().unwrap() as usize, taken.len());
    let exempt = taken.iter().filter(|d| d["exempt"] == true).count();
    assert!(exempt > 0, "the sample register has an exempt decision");
    assert_eq!(all["exempt"].as_u64().unwrap() as usize, exempt);
    let by_paragraph: u64 =
        all["exempt_by_paragraph"].as_array().unwrap().iter().map(|c| c["count"].as_u64().unwrap()).sum();
    assert!(by_paragraph >= exempt as u64);
    let page = std::fs::read_to_string(site.join("statistics/index.html")).unwrap();
    assert!(page.contains("<svg class=\"chart\"") && page.contains("<title id=\"key-chart-title\">"));
    for year in stats.as_array().unwrap().iter().skip(1) {
        let y = year["year"].as_i64().unwrap();
        assert!(site.join(format!("statistics/{y}/index.html")).is_file(), "{y}");
        assert!(page.contains(&format!("href=\"../statistics/{y}/\"")), "{y}");
    }
    let home = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(home.contains("href=\"statistics/\""));
    for path in ["statistics.json", "statistics.csv", "statistics/index.html"] {
        assert!(!contains(&std::fs::read(site.join(path)).unwrap(), b"EXEMPT-CANARY-7f3a"), "{path}");
    }
}
