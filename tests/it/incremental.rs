//! A full build starts from the output of the build before last and makes
//! again only the decision pages and PDFs whose inputs changed; what it
//! publishes is, byte for byte, what a build from nothing makes.

use super::support::*;
use std::collections::BTreeMap;
use std::path::Path;

/// The site and reports `out` holds.
fn published_files(out: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = output_files(&out.join("site"));
    files.extend(output_files(&out.join("reports")).into_iter().map(|(k, v)| (format!("reports folder/{k}"), v)));
    files
}

/// The search manifest's stamp, which browsers fetch the index's files with.
fn index_stamp(site: &BTreeMap<String, Vec<u8>>) -> String {
    let m: serde_json::Value = serde_json::from_slice(&site["search-index/manifest.bin"]).unwrap();
    m["stamp"].as_str().unwrap().to_string()
}

/// Asserts that `root/output` holds what a build from nothing makes.
fn same_as_from_nothing(root: &Path, extra: &[&str]) {
    let fresh = tempfile::tempdir().unwrap();
    let mut args = vec!["--out", fresh.path().to_str().unwrap()];
    args.extend_from_slice(extra);
    build(root, &args);
    let (mine, theirs) = (published_files(&root.join("output")), published_files(fresh.path()));
    assert_same_files(&mine, &theirs, "a build from nothing");
}

/// How many pages a build said it made anew, and kept.
fn pages(said: &str) -> (usize, usize) {
    let Some((_, rest)) = said.split_once(" (") else { return (usize::MAX, 0) };
    let mut numbers = rest.split(' ').filter_map(|w| w.trim_end_matches(',').parse().ok());
    (numbers.next().unwrap_or(usize::MAX), numbers.next().unwrap_or(0))
}

const EDUCATION: &str = "decisions/2012/joint-work-with-the-isle-of-wight-to-deliver-education-support-services.md";
const CHILDREN: &str = "decisions/2023/future-arrangements-for-childrens-services-on-the-isle-of-wight.md";

#[test]
fn each_full_build_makes_only_what_changed_and_publishes_what_a_build_from_nothing_does() {
    let reg = copy_register(&repo());
    let root = reg.path();
    let first = build(root, &[]);
    assert!(!first.contains("as they were"), "the first build makes every page: {first}");

    // A new decision maker moves a decision between listings. There is
    // no output of a build before last yet: the second build takes the
    // published pages that still hold (on Unix, where a file may have two
    // names; Windows makes them all again).
    let text = std::fs::read_to_string(root.join(EDUCATION)).unwrap();
    let maker = text.lines().find(|l| l.starts_with("decision_maker:")).unwrap().to_string();
    edit(root, EDUCATION, &maker, "decision_maker: Cabinet Member for Education");
    let said = build(root, &[]);
    if cfg!(unix) {
        let (made, kept) = pages(&said);
        assert!(kept > 0 && made < 11, "{said}");
    }
    same_as_from_nothing(root, &[]);

    // The next full build starts from the first build's output: the two
    // records edited since (and those showing their titles) are made
    // again, the rest kept.
    let text = std::fs::read_to_string(root.join(CHILDREN)).unwrap();
    let maker = text.lines().find(|l| l.starts_with("decision_maker:")).unwrap().to_string();
    edit(root, CHILDREN, &maker, "decision_maker: Cabinet Member for Children");
    edit(root, CHILDREN, "title: Future", "title: Revised Future");
    let said = build(root, &[]);
    let (made, kept) = pages(&said);
    assert!(kept > 0 && made < 11, "{said}");
    same_as_from_nothing(root, &[]);

    // A template every page uses: every page is made again.
    let tpl = root.join("templates/html/decision.html");
    std::fs::create_dir_all(tpl.parent().unwrap()).unwrap();
    let builtin = std::fs::read_to_string(repo().join("templates/html/decision.html")).unwrap();
    std::fs::write(&tpl, builtin.replacen("</article>", "<p>Printed from the register.</p></article>", 1)).unwrap();
    let said = build(root, &[]);
    assert!(!said.contains("as they were"), "{said}");
    same_as_from_nothing(root, &[]);
    // A document replaced: its copy in the site is replaced too.
    let docs = walkdir::WalkDir::new(root.join("documents")).into_iter().filter_map(Result::ok);
    let doc = docs.filter(|e| e.file_type().is_file()).find(|e| e.path().extension().is_some_and(|x| x == "csv"));
    let doc = doc.expect("the sample has documents").into_path();
    let mut bytes = std::fs::read(&doc).unwrap();
    bytes.extend_from_slice(b"\n");
    std::fs::write(&doc, bytes).unwrap();
    build(root, &[]);
    same_as_from_nothing(root, &[]);

    // Back to the built-in template: the output of the build before last
    // was made with it, and its pages are kept.
    std::fs::remove_file(&tpl).unwrap();
    let said = build(root, &[]);
    let (made, kept) = pages(&said);
    assert!(kept > 0 && made < 11, "{said}");
    same_as_from_nothing(root, &[]);
}

const PARTNERSHIP: &str =
    "decisions/2017/hampshire-county-council-isle-of-wight-council-strategic-partnership-services-and-scope.md";

#[test]
fn an_edit_reaches_every_file_that_shows_it_and_leaves_nothing_of_the_old_text() {
    let reg = copy_register(&repo());
    let root = reg.path();
    // a word only this record has, in a shard it shares with others
    let slip = "wightcanaryzq";
    edit(root, EDUCATION, "## Purpose\n\n", &format!("## Purpose\n\nA slip that names {slip} in public. "));
    build(root, &["--no-pdf"]);
    // a second build, so that the next starts from the output of the first
    build(root, &["--no-pdf", "--force"]);
    let site = || published_files(&root.join("output"));
    let holds = |files: &BTreeMap<String, Vec<u8>>, text: &str| {
        files.iter().filter(|(_, b)| b.windows(text.len()).any(|w| w == text.as_bytes())).count()
    };
    let before = site();
    assert!(holds(&before, slip) > 0, "the word was published");

    // the slip taken out, a title and the title of a record another links to
    edit(root, EDUCATION, &format!("A slip that names {slip} in public. "), "");
    edit(root, EDUCATION, "title: Joint Work", "title: Revised Joint Work");
    edit(root, PARTNERSHIP, "title: \"Hampshire", "title: \"Renamed Hampshire");
    let said = build(root, &["--no-pdf"]);
    let (made, kept) = pages(&said);
    assert!(made < 11 && kept > 0, "{said}");
    let after = site();
    assert_eq!(holds(&after, slip), 0, "no page, open data file or index file still holds the word");
    assert_ne!(index_stamp(&after), index_stamp(&before), "the index's stamp changed, so browsers fetch it anew");
    let json = String::from_utf8_lossy(&after["decisions.json"]).into_owned();
    assert!(json.contains("\"title\": \"Revised Joint Work"), "the open data has the new title");
    let linking = "decisions/future-arrangements-for-childrens-services-on-the-isle-of-wight/index.html";
    let linking = String::from_utf8_lossy(&after[linking]).into_owned();
    assert!(linking.contains("Renamed Hampshire"), "the page linking to the renamed record shows its new title");
    same_as_from_nothing(root, &["--no-pdf"]);
    assert!(build(root, &["--no-pdf"]).contains("nothing has changed"), "and the next build has nothing to do");

    // exempt text added to an exempt record, with a public edit beside it
    let depot = "decisions/examples/disposal-of-the-former-example-road-depot.md";
    edit(root, depot, "EXEMPT-CANARY-7f3a", "EXEMPT-CANARY-7f3a EXEMPT-CANARY-b2c9");
    edit(root, depot, "title: ", "title: Revised ");
    build(root, &["--no-pdf"]);
    let after = site();
    assert!(holds(&after, "Revised ") > 0, "the new title is out");
    for (name, bytes) in &after {
        let text = String::from_utf8_lossy(bytes).to_lowercase();
        assert!(!text.contains("b2c9") && !text.contains("7f3a"), "{name} holds exempt text");
    }
    same_as_from_nothing(root, &["--no-pdf"]);
}

#[test]
fn a_build_with_skipped_records_publishes_what_a_build_of_the_valid_ones_does() {
    let reg = copy_register(&repo());
    let root = reg.path();
    build(root, &["--no-pdf"]);
    build(root, &["--no-pdf", "--force"]);
    edit(root, EDUCATION, "title: ", "title:\n  - not a title\n");
    let o = decreg(root, &["build", "--no-pdf", "--keep-going"]);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    let mine = published_files(&root.join("output"));
    std::fs::remove_file(root.join(EDUCATION)).unwrap();
    let fresh = tempfile::tempdir().unwrap();
    build(root, &["--no-pdf", "--out", fresh.path().to_str().unwrap()]);
    let theirs = published_files(fresh.path());
    assert_same_files(&mine, &theirs, "a build of the valid records alone");
    let home = String::from_utf8_lossy(&mine["index.html"]).into_owned();
    assert!(home.contains("decisions/"), "the home page lists decisions");
}

/// One change to a register between two builds.
#[derive(Debug, Clone)]
enum Change {
    /// A sentence added to a record's text (its title, for a YAML record).
    Text(usize),
    /// Its decision maker changed: it moves between listings and feeds.
    Maker(usize),
    /// Every date in it a year earlier: it moves down the listings, and
    /// the decisions between its old and new place move up.
    Year(usize),
    /// A copy under a new name (and so a new id).
    Add(usize),
    Remove(usize),
    /// Renamed: its id and page move.
    Rename(usize),
    /// Made exempt under paragraph 3.
    Exempt(usize),
    /// register.yaml: the council's colour.
    Settings(u8),
    /// The list entry template, overridden or put back.
    Template,
    /// A document replaced.
    Document,
    /// The next day.
    Day,
}

fn change() -> impl proptest::strategy::Strategy<Value = Change> {
    use proptest::prelude::*;
    prop_oneof![
        (0..64usize).prop_map(Change::Text),
        (0..64usize).prop_map(Change::Maker),
        (0..64usize).prop_map(Change::Year),
        (0..64usize).prop_map(Change::Add),
        (0..64usize).prop_map(Change::Remove),
        (0..64usize).prop_map(Change::Rename),
        (0..64usize).prop_map(Change::Exempt),
        any::<u8>().prop_map(Change::Settings),
        Just(Change::Template),
        Just(Change::Document),
        Just(Change::Day),
    ]
}

/// The register's record files, sorted.
fn record_files(root: &Path) -> Vec<std::path::PathBuf> {
    let walk = walkdir::WalkDir::new(root.join("decisions")).sort_by_file_name().into_iter().filter_map(Result::ok);
    walk.filter(|e| e.file_type().is_file()).map(|e| e.into_path()).collect()
}

fn apply(root: &Path, change: &Change, day: &mut chrono::NaiveDate, n: usize) {
    let files = record_files(root);
    let pick = |i: usize| files[i % files.len()].clone();
    let rewrite = |path: &Path, f: &dyn Fn(String) -> String| {
        let text = std::fs::read_to_string(path).unwrap();
        std::fs::write(path, f(text)).unwrap();
    };
    match change {
        Change::Text(i) => {
            let path = pick(*i);
            if path.extension().is_some_and(|x| x == "md") {
                rewrite(&path, &|t| format!("{t}\nA sentence added in step {n}.\n"));
            } else {
                rewrite(&path, &|t| t.replacen("title: ", &format!("title: Step {n} "), 1));
            }
        }
        Change::Maker(i) => {
            let maker = format!("decision_maker: Cabinet Member for Step {n}");
            rewrite(&pick(*i), &|t| {
                t.lines()
                    .map(|l| if l.starts_with("decision_maker:") { maker.as_str() } else { l })
                    .collect::<Vec<_>>()
                    .join("\n")
                    + "\n"
            });
        }
        Change::Year(i) => rewrite(&pick(*i), &a_year_earlier),
        Change::Add(i) => {
            let from = pick(*i);
            let ext = from.extension().unwrap().to_string_lossy().into_owned();
            let to = root.join(format!("decisions/added/copy-{n}.{ext}"));
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(&from, &to).unwrap();
            rewrite(&to, &|t| t.lines().filter(|l| !l.starts_with("id:")).collect::<Vec<_>>().join("\n") + "\n");
        }
        Change::Remove(i) if files.len() > 3 => std::fs::remove_file(pick(*i)).unwrap(),
        Change::Remove(_) => {}
        Change::Rename(i) => {
            let from = pick(*i);
            let name = format!("renamed-{n}-{}", from.file_name().unwrap().to_string_lossy());
            std::fs::rename(&from, from.with_file_name(name)).unwrap();
        }
        Change::Exempt(i) => {
            let path = pick(*i);
            let text = std::fs::read_to_string(&path).unwrap();
            if !text.contains("\nexempt:") && path.extension().is_some_and(|x| x == "md") {
                let block = "exempt:\n  paragraphs: [3]\n  reason: The public interest in keeping it exempt outweighs disclosure.\n";
                std::fs::write(&path, text.replacen("---\n", &format!("---\n{block}"), 1)).unwrap();
            }
        }
        Change::Settings(c) => {
            let colour = format!("primary_colour: \"#{c:02x}3366\"\n");
            rewrite(&root.join("register.yaml"), &|t| {
                t.lines().filter(|l| !l.starts_with("primary_colour:")).collect::<Vec<_>>().join("\n") + "\n" + &colour
            });
        }
        Change::Template => {
            let path = root.join("templates/html/list-item.html");
            let builtin = std::fs::read_to_string(repo().join("templates/html/list-item.html")).unwrap();
            let now = std::fs::read_to_string(&path).unwrap_or_default();
            let next =
                if now == builtin { builtin.replacen("</", &format!("<!-- step {n} --></"), 1) } else { builtin };
            std::fs::write(&path, next).unwrap();
        }
        Change::Document => {
            let path = root.join("documents/examples/school-term-dates-2027-28-consultation-responses.csv");
            let mut bytes = std::fs::read(&path).unwrap();
            bytes.extend_from_slice(format!("step {n},\n").as_bytes());
            std::fs::write(&path, bytes).unwrap();
        }
        Change::Day => *day = day.succ_opt().unwrap(),
    }
}

/// `text` with every date (`2024-03-05`) a year earlier.
fn a_year_earlier(text: String) -> String {
    let b = text.as_bytes();
    let is_date = |at: usize| {
        let shape = b"dddd-dd-dd";
        at + shape.len() <= b.len()
            && shape
                .iter()
                .enumerate()
                .all(|(n, &c)| if c == b'd' { b[at + n].is_ascii_digit() } else { b[at + n] == c })
    };
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while at < b.len() {
        if is_date(at) && (at == 0 || !b[at - 1].is_ascii_alphanumeric()) {
            let year: u32 = text[at..at + 4].parse().unwrap();
            out.push_str(&format!("{:04}", year.saturating_sub(1)));
            at += 4;
        } else {
            let c = text[at..].chars().next().unwrap();
            out.push(c);
            at += c.len_utf8();
        }
    }
    out
}

/// Runs `decreg --root ROOT --today DAY build --no-pdf ARGS`: whether it
/// published.
fn build_on(root: &Path, day: chrono::NaiveDate, args: &[&str]) -> bool {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_decreg"))
        .arg("--root")
        .arg(root)
        .args(["--today", &day.to_string(), "build", "--no-pdf"])
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.code().is_some_and(|c| c <= 1), "{said}");
    o.status.success()
}

/// Builds as `decreg serve` does, in this process, holding what each
/// build leaves in `memory` for the next, and in `held` what it
/// published: into `<root>/held-output`, without PDFs. Whether it
/// published.
fn build_holding(
    root: &Path,
    day: chrono::NaiveDate,
    memory: &mut decreg::cache::Memory,
    held: &mut Option<decreg::preview::Held>,
) -> bool {
    let plan = decreg::cli::BuildPlan {
        root: root.to_path_buf(),
        out: root.join("held-output"),
        today: day,
        keep_going: false,
        pdf: false,
        force: false,
        progress: std::sync::Arc::new(decreg::output::Silent),
    };
    let inputs = decreg::stamp::take(root, day, false);
    let built = decreg::build::build_from(&plan, inputs, std::time::Instant::now(), Some(memory)).unwrap();
    let done = built.published || built.up_to_date.is_some();
    *held = match (built.checked, built.published) {
        (Some(checked), true) => decreg::preview::Held::new(checked, built.summaries, built.terms, built.index),
        _ => None,
    };
    done
}

/// Each record file's bytes, by path relative to `root`.
fn record_bytes(root: &Path) -> BTreeMap<std::path::PathBuf, Vec<u8>> {
    record_files(root)
        .into_iter()
        .map(|path| (path.strip_prefix(root).unwrap().to_path_buf(), std::fs::read(&path).unwrap()))
        .collect()
}

/// What `serve` shows of `change` at once, before the build that follows
/// it, where it shows it: an edit or addition of record files only.
fn shown_at_once(
    root: &Path,
    day: chrono::NaiveDate,
    change: &Change,
    before: &BTreeMap<std::path::PathBuf, Vec<u8>>,
    held: &mut Option<decreg::preview::Held>,
) -> Option<decreg::preview::Shown> {
    if !matches!(change, Change::Text(_) | Change::Maker(_) | Change::Year(_) | Change::Add(_) | Change::Exempt(_)) {
        return None;
    }
    let after = record_bytes(root);
    let edited: Vec<std::path::PathBuf> =
        after.iter().filter(|(path, bytes)| before.get(*path) != Some(bytes)).map(|(p, _)| p.clone()).collect();
    if edited.is_empty() {
        return None;
    }
    // as serve does: what is held goes into what is shown
    held.take()?.edited(root, day, &edited)
}

/// An edit that gives a record another id: serve shows the new page at
/// once as a build from nothing makes it, and not the page it took away.
#[test]
fn serve_shows_a_changed_id_at_once_and_not_the_page_it_took_away() {
    let reg = copy_register(&repo());
    let root = reg.path();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let (mut memory, mut held) = (decreg::cache::Memory::default(), None);
    assert!(build_holding(root, day, &mut memory, &mut held));
    let file = record_files(root).into_iter().find(|f| f.extension().is_some_and(|x| x == "md")).unwrap();
    let old = format!("decisions/{}/index.html", file.file_stem().unwrap().to_string_lossy());
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replacen("---\n", "---\nid: renamed-in-place\n", 1)).unwrap();
    let rel = file.strip_prefix(root).unwrap().to_path_buf();
    let shown = held.take().unwrap().edited(root, day, &[rel]).expect("a plain edit is shown");
    let fresh = tempfile::tempdir().unwrap();
    assert!(build_on(root, day, &["--out", fresh.path().to_str().unwrap()]));
    let theirs = published_files(fresh.path());
    assert!(shown.gone(&old) && !theirs.contains_key(&old), "{old}");
    let new = "decisions/renamed-in-place/index.html";
    assert!(!shown.gone(new));
    assert_eq!(shown.page(new).unwrap().unwrap(), theirs[new]);
    for (name, bytes) in &theirs {
        if let Some(page) = shown.page(name) {
            assert!(&inflated(page.unwrap().into_owned()) == bytes, "serve showed {name} otherwise");
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: std::env::var("DECREG_EDIT_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(12),
        ..Default::default()
    })]

    /// Whatever the edits, each build publishes what a build from nothing
    /// of the same register publishes, byte for byte: a `decreg build`
    /// each time, and a build holding the last one's results in memory
    /// as `serve` does.
    #[test]
    fn any_sequence_of_edits_publishes_what_a_build_from_nothing_does(
        changes in proptest::collection::vec(change(), 3..8)
    ) {
        let reg = copy_register(&repo());
        let root = reg.path();
        let mut day = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let mut memory = decreg::cache::Memory::default();
        let mut held = None;
        assert!(build_on(root, day, &[]));
        assert!(build_holding(root, day, &mut memory, &mut held));
        for (n, change) in changes.iter().enumerate() {
            let before = record_bytes(root);
            apply(root, change, &mut day, n);
            let shown = shown_at_once(root, day, change, &before, &mut held);
            let published = build_on(root, day, &[]);
            proptest::prop_assert_eq!(build_holding(root, day, &mut memory, &mut held), published);
            if !published {
                continue; // an edit with an error publishes nothing
            }
            let fresh = tempfile::tempdir().unwrap();
            assert!(build_on(root, day, &["--out", fresh.path().to_str().unwrap()]));
            let theirs = published_files(fresh.path());
            for out in ["output", "held-output"] {
                let mine = published_files(&root.join(out));
                let names = |m: &BTreeMap<String, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
                proptest::prop_assert_eq!(names(&mine), names(&theirs), "{} after {:?}", out, &changes[..=n]);
                for (name, bytes) in &mine {
                    proptest::prop_assert!(
                        bytes == &theirs[name],
                        "{}/{} differs after {:?}:\n{}\n---\n{}",
                        out,
                        name,
                        &changes[..=n],
                        String::from_utf8_lossy(bytes),
                        String::from_utf8_lossy(&theirs[name])
                    );
                }
            }
            // what serve showed at once: each page it answered for is the
            // page a build from nothing makes
            let Some(shown) = shown else { continue };
            let mut answered = 0;
            for (name, bytes) in &theirs {
                let Some(page) = shown.page(name) else { continue };
                answered += 1;
                let page = inflated(page.unwrap().into_owned());
                proptest::prop_assert!(
                    &page == bytes,
                    "serve showed {} otherwise after {:?}:\n{}\n---\n{}",
                    name,
                    &changes[..=n],
                    String::from_utf8_lossy(&page),
                    String::from_utf8_lossy(bytes)
                );
            }
            let edited = theirs
                .keys()
                .filter(|name| name.starts_with("decisions/") && name.matches('/').count() == 2)
                .filter(|name| shown.page(name).is_some());
            proptest::prop_assert!(edited.count() > 0, "serve showed no edited page after {:?}", &changes[..=n]);
            proptest::prop_assert!(answered > 20, "serve answered for {} pages", answered);
            proptest::prop_assert!(shown.page("search-index/manifest.bin").is_some(), "no search index");
        }
    }
}

/// A build killed at any point (SIGKILL) leaves no key that no longer
/// holds: the next build publishes what a build from nothing does.
#[test]
fn a_build_killed_midway_leaves_the_next_to_publish_what_a_build_from_nothing_does() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("reg");
    super::corpus::gen_corpus(1500, 0, &reg);
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    // two builds: the third starts from the first's output, with its keys
    assert!(build_on(&reg, day, &[]));
    assert!(build_on(&reg, day, &["--force"]));
    let mut changes = 0;
    for delay_ms in [40u64, 150, 350, 600, 900] {
        changes += 1;
        apply(&reg, &Change::Maker(changes * 7), &mut day.clone(), changes);
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_decreg"))
            .args(["--root", reg.to_str().unwrap(), "--today", &day.to_string(), "build", "--no-pdf", "-q"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL, if it has not finished
        child.wait().unwrap();
    }
    assert!(build_on(&reg, day, &[]));
    let fresh = tempfile::tempdir().unwrap();
    assert!(build_on(&reg, day, &["--out", fresh.path().to_str().unwrap()]));
    let (mine, theirs) = (published_files(&reg.join("output")), published_files(fresh.path()));
    assert_same_files(&mine, &theirs, "a build from nothing");
}
