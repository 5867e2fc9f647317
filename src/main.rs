//! The `decreg` binary: parse arguments, run the library, print
//! diagnostics, exit 0 (clean), 1 (errors in the register) or 2 (could not
//! run).

use clap::Parser;
use decreg::cli::{Cli, Command, DiagFormat};
use decreg::{diag, listing, Checked};
use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

// A build allocates and frees millions of small strings on both cores;
// glibc's allocator spent a fifth of a build's time on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(msg) => {
            let mut err = anstream::stderr();
            let _ = writeln!(
                err,
                "{}error:{} {msg}",
                anstyle::AnsiColor::Red.on_default().bold().render(),
                anstyle::Reset.render()
            );
            ExitCode::from(2)
        }
    }
}

fn run(cli: &Cli) -> Result<ExitCode, String> {
    let today = decreg::cli::resolve_today(cli.today)?;
    match &cli.command {
        Command::Build(args) => return build(cli, args, today),
        Command::Schema => {
            let text = serde_json::to_string_pretty(&decreg::authoring::schema()).map_err(|e| e.to_string())?;
            return write_stdout(&(text + "\n")).map(|_| ExitCode::SUCCESS);
        }
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(*shell, &mut Cli::command(), "decreg", &mut std::io::stdout());
            return Ok(ExitCode::SUCCESS);
        }
        Command::New(args) => return new(cli, args, today),
        Command::Import { from: decreg::cli::ImportFrom::Moderngov(args) } => return import(cli, args, today),
        Command::Serve { port } => {
            decreg::serve::serve(&cli.root, *port, today, cli.verbose, |url| {
                println!("serving the register at {url} (Ctrl-C to stop)");
                let _ = std::io::stdout().flush();
            })
            .map_err(|e| e.to_string())?;
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let started = Instant::now();
    let mut checked = decreg::check(&cli.root, today).map_err(|e| e.to_string())?;
    if cli.verbose {
        eprintln!("loaded and checked {} files in {:.0?}", checked.files, started.elapsed());
    }
    match &cli.command {
        Command::Check(args) => {
            if args.deny_warnings {
                decreg::validate::enforce::deny_all(&mut checked.diags);
            }
            match args.format {
                DiagFormat::Human => print_human(&checked, cli.quiet),
                DiagFormat::Json => print_json(&checked).map_err(|e| e.to_string())?,
            }
            let failed = diag::counts(&checked.diags).errors > 0;
            Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Command::Audit(args) => audit(cli, args, &checked, today),
        Command::List(args) => {
            if !cli.quiet {
                print_problems_summary(&checked);
            }
            let out = listing::list(&checked, args, today);
            write_stdout(&out)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Build(_)
        | Command::Schema
        | Command::Completions { .. }
        | Command::New(_)
        | Command::Serve { .. }
        | Command::Import { .. } => {
            unreachable!("handled above")
        }
        Command::Report(args) => report(cli, args, &checked, today),
        Command::Show(args) => {
            let record = listing::find(&checked, &args.record, &cli.root)
                .ok_or_else(|| format!("no record with the id or file `{}` (see `decreg list`)", args.record))?;
            let out = match args.format {
                DiagFormat::Human => listing::show_human(record, &checked.config),
                DiagFormat::Json => listing::to_json(record),
            };
            write_stdout(&out)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn build(cli: &Cli, args: &decreg::cli::BuildArgs, today: chrono::NaiveDate) -> Result<ExitCode, String> {
    let plan = decreg::cli::BuildPlan {
        root: cli.root.clone(),
        out: args.out.clone().unwrap_or_else(|| cli.root.join("output")),
        today,
        keep_going: args.keep_going,
        pdf: !args.no_pdf,
        force: args.force,
        progress: progress(cli),
    };
    let built = decreg::build::build(&plan).map_err(|e| e.to_string())?;
    if cli.verbose {
        for (stage, took) in &built.timings {
            eprintln!("{stage:>24}: {took:.2?}");
        }
    }
    if let Some(last) = &built.up_to_date {
        if !cli.quiet {
            let warnings = reported_note(last.warnings);
            let reports = match last.reports {
                0 => String::new(),
                n => format!(" and {n} PDF reports"),
            };
            eprintln!(
                "nothing has changed since the last build: {} decisions{reports} in {} are up to date{warnings}",
                last.decisions,
                plan.out.display()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let Some(checked) = &built.checked else { return Ok(ExitCode::SUCCESS) };
    print_human(checked, true);
    if !built.published {
        eprintln!(
            "nothing was published: fix the errors above, or build with --keep-going to publish the valid records"
        );
        return Ok(ExitCode::from(1));
    }
    for file in &built.skipped {
        eprintln!("skipped (has errors): {}", file.display());
    }
    if !cli.quiet {
        let made = match built.pages_made {
            n if n == built.decisions => String::new(),
            n => format!(" ({n} pages made anew, {} as they were)", built.decisions - n),
        };
        eprintln!("published {} decisions to {}{made}", built.decisions, plan.out.join("site").display());
        let reports = built.reports;
        if reports.published > 0 {
            eprintln!(
                "{} PDF reports in {} ({} rendered, {} unchanged)",
                reports.published,
                plan.out.join("reports").display(),
                reports.rendered,
                reports.published - reports.rendered
            );
        }
    }
    Ok(if built.skipped.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// `decreg import moderngov`: the pages, then a table of what became of each.
fn import(cli: &Cli, args: &decreg::cli::ImportArgs, today: chrono::NaiveDate) -> Result<ExitCode, String> {
    use decreg::import::Outcome;
    let bar = if cli.quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(0)
    };
    let progress = |done: usize, all: usize| {
        bar.set_length(all as u64);
        bar.set_position(done as u64);
    };
    let done = decreg::import::import_moderngov(&cli.root, &args.paths, today, args.force, &progress)?;
    bar.finish_and_clear();
    let mut counts = [0usize; 4];
    let mut table = String::new();
    for d in &done {
        let (i, what, detail) = match &d.outcome {
            Outcome::Imported(p) => (0, "imported", p.display().to_string()),
            Outcome::Updated(p) => (1, "updated", p.display().to_string()),
            Outcome::Unchanged(p) => (2, "unchanged", p.display().to_string()),
            Outcome::Skipped { why } => (3, "skipped", why.clone()),
        };
        counts[i] += 1;
        table.push_str(&format!("{what:<10} {}  {detail}\n", d.page.display()));
    }
    if !cli.quiet {
        eprint!("{table}");
    }
    eprintln!(
        "{} pages: {} imported, {} updated, {} unchanged, {} skipped",
        done.len(),
        counts[0],
        counts[1],
        counts[2],
        counts[3]
    );
    if counts[0] + counts[1] > 0 && !cli.quiet {
        eprintln!(
            "next: `decreg check` lists what the imported records lack (findings), `decreg build` publishes them"
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn audit(
    cli: &Cli,
    args: &decreg::cli::AuditArgs,
    checked: &Checked,
    today: chrono::NaiveDate,
) -> Result<ExitCode, String> {
    use decreg::cli::ListFormat;
    let audit = decreg::audit::Audit::of(checked, today);
    let out = args.out.clone().unwrap_or_else(|| cli.root.join("output"));
    let page = decreg::audit::write_page(&cli.root, &out, checked, &audit).map_err(|e| e.to_string())?;
    let text = match args.format {
        ListFormat::Table => audit.to_text(),
        ListFormat::Json => serde_json::to_string_pretty(&audit).map_err(|e| e.to_string())? + "\n",
        ListFormat::Csv => audit.to_csv(),
    };
    write_stdout(&text)?;
    if !cli.quiet {
        eprintln!("the report as a web page, for officers only: {}", page.display());
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(feature = "pdf")]
fn report(
    cli: &Cli,
    args: &decreg::cli::ReportArgs,
    checked: &Checked,
    today: chrono::NaiveDate,
) -> Result<ExitCode, String> {
    use decreg::render_pdf::data::DocKind;
    let Some(wanted) = &args.record else { return report_list(cli, args, checked, today) };
    let record = listing::find(checked, wanted, &cli.root)
        .ok_or_else(|| format!("no record with the id or file `{wanted}` (see `decreg list`)"))?;
    let errors: Vec<_> = checked.diags.iter().filter(|d| d.is_error() && d.path == record.source).collect();
    if !errors.is_empty() {
        for d in &errors {
            eprintln!("{}\n", diag::render_human(d, false));
        }
        return Err(format!("{} has errors: fix them first", record.source.display()));
    }
    let kind = args.kind.map(|k| match k {
        decreg::cli::ReportKind::Report => DocKind::Report,
        decreg::cli::ReportKind::Notice => DocKind::Notice,
    });
    if args.data && !record.is_exempt() {
        let data = decreg::reports::data_of(&cli.root, record, &checked.records, &checked.config, kind);
        return write_stdout(&(serde_json::to_string_pretty(&data).map_err(|e| e.to_string())? + "\n"))
            .map(|_| ExitCode::SUCCESS);
    }
    let dest = match (&args.output, record.is_exempt()) {
        (Some(o), _) => o.clone(),
        (None, true) => {
            return Err("this decision is exempt: its internal copy is written only where -o FILE says".into())
        }
        (None, false) => std::path::PathBuf::from(format!("{}.pdf", record.id)),
    };
    decreg::reports::check_destination(&cli.root, &dest).map_err(|e| e.to_string())?;
    let bytes = decreg::reports::render_one(&cli.root, record, &checked.records, &checked.config, kind)
        .map_err(|e| e.to_string())?;
    write_pdf(cli, &dest, &bytes)
}

/// Writes a PDF `decreg report` made, and says where.
#[cfg(feature = "pdf")]
fn write_pdf(cli: &Cli, dest: &std::path::Path, bytes: &[u8]) -> Result<ExitCode, String> {
    std::fs::write(dest, bytes).map_err(|e| format!("{}: {e}", dest.display()))?;
    if !cli.quiet {
        eprintln!("wrote {}", dest.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// `report --meeting` and `report --forward-plan`: from the records without
/// errors, as a build publishes them.
#[cfg(feature = "pdf")]
fn report_list(
    cli: &Cli,
    args: &decreg::cli::ReportArgs,
    checked: &Checked,
    today: chrono::NaiveDate,
) -> Result<ExitCode, String> {
    use decreg::render_pdf::data::DocKind;
    let skipped = checked.files_with_errors();
    let records: Vec<&decreg::records::Record> =
        checked.records.iter().filter(|r| !skipped.contains(&r.source)).collect();
    let links = decreg::public::Links::new(&records);
    let documents = decreg::load::Documents::scan(&cli.root);
    let (name, kind, json) = match &args.meeting {
        Some(slug) => {
            let meetings = decreg::reports::meetings(&records);
            let Some(m) = meetings.get(slug.as_str()) else {
                let known: Vec<&str> = meetings.keys().map(String::as_str).collect();
                let hint = match diag::did_you_mean(slug, known.iter().copied()) {
                    Some(k) => format!("did you mean `{k}`?"),
                    None => "meetings are named <date>-<body>, as on their pages under meetings/".to_string(),
                };
                return Err(format!("no meeting `{slug}` in the register: {hint}"));
            };
            if m.meeting.date > today {
                return Err(format!(
                    "the meeting `{slug}` is on {}: its decision list is made once it has met",
                    m.meeting.date
                ));
            }
            let views: Vec<_> =
                m.items.iter().map(|r| decreg::public::view(r, &checked.config, &documents, &links, false)).collect();
            let json =
                decreg::reports::decision_list_json(&m.meeting, &views, &checked.config).map_err(|e| e.to_string())?;
            (decreg::reports::decision_list_name(slug), DocKind::DecisionList, json)
        }
        None => {
            let as_of = args.as_of.unwrap_or(today);
            let json = decreg::reports::key_decisions_json(&records, &checked.config, &documents, &links, as_of)
                .map_err(|e| e.to_string())?;
            (decreg::reports::key_decisions_name(as_of), DocKind::KeyDecisions, json)
        }
    };
    if args.data {
        return write_stdout(&(json + "\n")).map(|_| ExitCode::SUCCESS);
    }
    let dest = args.output.clone().unwrap_or_else(|| std::path::PathBuf::from(format!("{name}.pdf")));
    // the build publishes these; written here, one would bypass its swap
    decreg::reports::check_destination(&cli.root, &dest).map_err(|e| e.to_string())?;
    let pdf = decreg::render_pdf::Pdf::new(&cli.root).map_err(|e| e.to_string())?;
    let bytes = pdf.render_json(&name, kind, &json).map_err(|e| e.to_string())?;
    write_pdf(cli, &dest, &bytes)
}

#[cfg(not(feature = "pdf"))]
fn report(
    _cli: &Cli,
    _args: &decreg::cli::ReportArgs,
    _checked: &Checked,
    _today: chrono::NaiveDate,
) -> Result<ExitCode, String> {
    Err("this decreg was built without PDF support (the `pdf` feature)".into())
}

fn new(cli: &Cli, args: &decreg::cli::NewArgs, today: chrono::NaiveDate) -> Result<ExitCode, String> {
    let (config, _) = decreg::config::Config::from_root(&cli.root).map_err(|e| e.to_string())?;
    let maker = args
        .decision_maker
        .clone()
        .or_else(|| config.decision_makers.as_ref().and_then(|l| l.first().cloned()))
        .unwrap_or_else(|| "Cabinet".to_string());
    let request = decreg::authoring::NewRecord {
        title: &args.title,
        decision_maker: &maker,
        kind: args.kind,
        date: args.date.unwrap_or(today),
        yaml: args.yaml,
    };
    let path = decreg::authoring::new_record(&cli.root, &request).map_err(|e| e.to_string())?;
    // `decisions/2027/x.md`, not `./decisions/2027/x.md`, when run in the register
    println!("{}", path.strip_prefix(".").unwrap_or(&path).display());
    Ok(ExitCode::SUCCESS)
}

/// A spinner with the stage and the files written, on a terminal only.
fn progress(cli: &Cli) -> std::sync::Arc<dyn decreg::output::Progress> {
    use std::io::IsTerminal;
    if cli.quiet || !std::io::stderr().is_terminal() {
        return std::sync::Arc::new(decreg::output::Silent);
    }
    std::sync::Arc::new(Bar(indicatif::ProgressBar::new_spinner().with_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg}: {pos} files written ({elapsed})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    )))
}

struct Bar(indicatif::ProgressBar);

impl decreg::output::Progress for Bar {
    fn stage(&self, name: &str) {
        self.0.set_message(name.to_string());
        self.0.tick();
    }
    fn file_written(&self) {
        self.0.inc(1);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

fn write_stdout(s: &str) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`decreg list | head`) is not a failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}

fn print_human(checked: &Checked, quiet: bool) {
    let mut err = anstream::stderr();
    let color = anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never;
    for d in &checked.diags {
        if quiet && !d.is_error() {
            continue;
        }
        let _ = writeln!(err, "{}\n", diag::render_human(d, color));
    }
    let c = diag::counts(&checked.diags);
    if quiet && c.errors == 0 {
        return;
    }
    let records = checked.records.len();
    let files = if checked.files == 1 { "record file" } else { "record files" };
    let noun = if records == 1 { "record" } else { "records" };
    let _ = writeln!(err, "checked {} {files} ({records} {noun}): {}", checked.files, counted(c));
    if c.findings > 0 {
        let _ = writeln!(
            err,
            "findings are published as they are and reported to officers: `decreg audit` lists them by rule, decision maker and year"
        );
    }
}

fn print_json(checked: &Checked) -> Result<(), serde_json::Error> {
    let c = diag::counts(&checked.diags);
    let report = serde_json::json!({
        "files": checked.files,
        "records": checked.records.len(),
        "errors": c.errors,
        "findings": c.findings,
        "warnings": c.warnings,
        "diagnostics": checked.diags,
    });
    let text = serde_json::to_string_pretty(&report)?;
    let _ = write_stdout(&(text + "\n"));
    Ok(())
}

/// `list` and `show` still say when the register has problems.
fn print_problems_summary(checked: &Checked) {
    let c = diag::counts(&checked.diags);
    if c.errors + c.reported() > 0 {
        eprintln!("note: the register has {} (run `decreg check`)", counted(c));
    }
}

/// What a build that published says of the findings and warnings it left
/// for officers.
fn reported_note(n: usize) -> String {
    match n {
        0 => String::new(),
        1 => " (1 finding or warning for officers: see decreg check)".into(),
        n => format!(" ({n} findings and warnings for officers: see decreg check)"),
    }
}

/// "1 error, 3 findings, 0 warnings".
fn counted(c: diag::Counts) -> String {
    let n = |k: usize, word: &str| format!("{k} {word}{}", if k == 1 { "" } else { "s" });
    format!("{}, {}, {}", n(c.errors, "error"), n(c.findings, "finding"), n(c.warnings, "warning"))
}
