//! The command line: clap's parsed arguments become one checked plan
//! (root, today, output format) before any work starts. "Today" is read
//! here and nowhere below: from `--today`, else `SOURCE_DATE_EPOCH`, else
//! the clock.

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const EXAMPLES: &str = "Examples:
  decreg check                      check the register in this folder
  decreg check --format json        the same, as JSON for editors and CI
  decreg list --call-in open        what is open for call-in now, and until when
  decreg show joint-work-with-the-isle-of-wight-to-deliver-education-support-services
  decreg --root ../register --today 2012-11-19 list";

#[derive(Parser, Debug)]
#[command(name = "decreg", version, about = "Check and publish a council's register of decisions", after_help = EXAMPLES)]
pub struct Cli {
    /// The register's folder (holding register.yaml and decisions/).
    #[arg(long, global = true, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,

    /// The day to compute call-in states for (YYYY-MM-DD); default:
    /// SOURCE_DATE_EPOCH, else today.
    #[arg(long, global = true, value_name = "DATE", value_parser = parse_today)]
    pub today: Option<NaiveDate>,

    /// Print only errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Print more: timings of each stage.
    #[arg(short, long, global = true)]
    pub verbose: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check, then publish the register: the HTML site into <out>/site.
    #[command(
        after_help = "Nothing is published when the register has errors, unless --keep-going.\nThe previous output stays as it was until the new one is complete.\n\nExamples:\n  decreg build\n  decreg build --out /var/www/decisions --today 2012-11-19\n  decreg build --keep-going"
    )]
    Build(BuildArgs),
    /// Check every record against the law and the register's rules.
    #[command(
        after_help = "Exit status: 0 no errors (findings and warnings allowed), 1 errors found, 2 could not run.\n\nExamples:\n  decreg check\n  decreg check --deny-warnings --format json"
    )]
    Check(CheckArgs),
    /// The compliance report for officers: findings by rule, decision maker
    /// and year, key decisions without notice, late notices, call-in
    /// exemptions, and each record's problems.
    #[command(after_help = "Prints the report (a table, or --format json|csv) and writes it as a web page to
<out>/audit/index.html, outside the public site. Never published.

Examples:
  decreg audit
  decreg audit --format csv > findings.csv
  decreg audit --format json --out /tmp/decreg")]
    Audit(AuditArgs),
    /// Bring published decisions into the register as record files.
    #[command(
        after_help = "Reads pages saved from a ModernGov site (\"Save page as\", HTML with or without its _files folder,\nor the page's text copied from the browser), one record per decision, under decisions/<year>/.\nImporting a page again updates its record; a record edited since its import is left alone.\n\nExamples:\n  decreg import moderngov saved-pages/\n  decreg import moderngov ieDecisionDetails.aspx-ID-4792.html --force"
    )]
    Import {
        #[command(subcommand)]
        from: ImportFrom,
    },
    /// List the records with their computed call-in dates.
    #[command(
        after_help = "Examples:\n  decreg list --call-in open\n  decreg list --status forthcoming --format csv > forthcoming.csv"
    )]
    List(ListArgs),
    /// Render a record's cabinet report or decision notice, a meeting's decision list, or the Notice of Key Decisions as PDF.
    #[command(
        after_help = "A report is made before the decision, a notice after it, unless --kind says.\nAn exempt decision gives an internal copy stamped NOT FOR PUBLICATION on every page;\nit is written only where -o says, never into the published output.\nA decision list and the Notice of Key Decisions show exempt items as the public sees them.\n\nExamples:\n  decreg report provision-of-education-services-to-oxfordshire-schools\n  decreg report decisions/2012/joint-work.md --kind notice -o notice.pdf\n  decreg report --meeting 2012-11-13-cabinet\n  decreg report --forward-plan --as-of 2026-01-05 -o notice.pdf"
    )]
    Report(ReportArgs),
    /// Start a new record with the fields and headings its kind needs.
    #[command(
        after_help = "Writes decisions/<year>/<slug>.md (or .yaml) and never overwrites a file.\n\nExamples:\n  decreg new \"Library Service Review\"\n  decreg new \"Street Lighting Contract\" --decision-maker \"Director of Place\" --kind officer-delegated\n  decreg new \"Fees and Charges 2027/28\" --date 2027-02-10 --yaml"
    )]
    New(NewArgs),
    /// Preview the register on this machine, rebuilding as records change.
    #[command(
        after_help = "Serves on 127.0.0.1 only. Pages reload by themselves after each change;\nerrors show in the terminal and over the page, and the preview keeps running.\n\nExamples:\n  decreg serve\n  decreg serve --port 8080"
    )]
    Serve {
        /// The port (0: any free port).
        #[arg(long, default_value_t = 8000)]
        port: u16,
    },
    /// Print a JSON Schema of the record fields, for editors.
    #[command(
        after_help = "Example (VS Code with the YAML extension):\n  decreg schema > decreg.schema.json\n  then start a record with: # yaml-language-server: $schema=../../decreg.schema.json"
    )]
    Schema,
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  decreg completions bash > /etc/bash_completion.d/decreg\n  decreg completions zsh > ~/.zfunc/_decreg"
    )]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Show one record, resolved, by id or file.
    #[command(
        after_help = "Examples:\n  decreg show street-lighting-maintenance-contract-extension\n  decreg show decisions/2012/joint-work.md --format json"
    )]
    Show(ShowArgs),
}

#[derive(Args, Debug)]
pub struct BuildArgs {
    /// The output folder (default: output/ in the register).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Publish every valid record even when others have errors (those
    /// are named and left out; the exit status is still 1).
    #[arg(long)]
    pub keep_going: bool,
    /// Build the site without the PDF reports.
    #[arg(long)]
    pub no_pdf: bool,
    /// Rebuild even when nothing has changed since the last clean build
    /// (by default such a build stops at once and says so).
    #[arg(long)]
    pub force: bool,
}

/// A checked plan for one build, made from [`BuildArgs`] (or by `serve`).
pub struct BuildPlan {
    pub root: PathBuf,
    /// The output folder; the site goes to `<out>/site`.
    pub out: PathBuf,
    pub today: NaiveDate,
    pub keep_going: bool,
    /// Render PDF reports (and link them from decision pages).
    pub pdf: bool,
    /// Rebuild even when nothing has changed since the last clean build.
    pub force: bool,
    /// Where to show progress (a bar on a terminal, nothing otherwise).
    pub progress: std::sync::Arc<dyn crate::output::Progress>,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[arg(long, value_enum, default_value_t = DiagFormat::Human)]
    pub format: DiagFormat,
    /// Treat findings and warnings as errors for this run (exit 1 when there are any).
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Subcommand, Debug)]
pub enum ImportFrom {
    /// ModernGov decision-details pages (ieDecisionDetails.aspx), saved or copied.
    Moderngov(ImportArgs),
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// Saved pages, or folders of them.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Replace records edited since they were imported.
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    /// The output folder: the page goes to <out>/audit (default: output/ in the register).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    /// Only records with this status (e.g. approved, forthcoming).
    #[arg(long, value_name = "STATUS", value_parser = parse_status)]
    pub status: Option<crate::records::Status>,
    /// Only records in this call-in state.
    #[arg(long = "call-in", value_enum, value_name = "STATE")]
    pub call_in: Option<CallInFilter>,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// A record's id, or the path of its file.
    #[arg(required_unless_present_any = ["meeting", "forward_plan"], conflicts_with_all = ["meeting", "forward_plan"])]
    pub record: Option<String>,
    /// A meeting's decision list instead: the meeting as its page names it,
    /// `<date>-<body>` (e.g. 2012-11-13-cabinet).
    #[arg(long, value_name = "DATE-BODY", conflicts_with = "forward_plan")]
    pub meeting: Option<String>,
    /// The Notice of Key Decisions instead, as of today (or --as-of).
    #[arg(long)]
    pub forward_plan: bool,
    /// The day the Notice of Key Decisions is made as of.
    #[arg(long, value_name = "DATE", value_parser = parse_today, requires = "forward_plan")]
    pub as_of: Option<NaiveDate>,
    /// Where to write the PDF (default: <id>.pdf here).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Which document to make.
    #[arg(long, value_enum)]
    pub kind: Option<ReportKind>,
    /// Print the JSON data the Typst template receives, instead of the PDF
    /// (for template authors).
    #[arg(long)]
    pub data: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportKind {
    Report,
    Notice,
}

#[derive(Args, Debug)]
pub struct NewArgs {
    /// The decision's title.
    pub title: String,
    /// Who takes the decision (default: the first in register.yaml's list, else Cabinet).
    #[arg(long, value_name = "NAME")]
    pub decision_maker: Option<String>,
    /// executive, individual-member, officer-delegated, committee or council.
    #[arg(long, value_name = "KIND", value_parser = parse_kind, default_value = "executive")]
    pub kind: crate::records::Kind,
    /// The expected date of the decision (default: today).
    #[arg(long, value_name = "DATE", value_parser = parse_today)]
    pub date: Option<NaiveDate>,
    /// Write a pure-YAML record instead of Markdown.
    #[arg(long)]
    pub yaml: bool,
}

fn parse_kind(s: &str) -> Result<crate::records::Kind, String> {
    crate::records::Kind::parse(s)
        .ok_or_else(|| "one of executive, individual-member, officer-delegated, committee, council".to_string())
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// A record's id, or the path of its file.
    pub record: String,
    #[arg(long, value_enum, default_value_t = DiagFormat::Human)]
    pub format: DiagFormat,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiagFormat {
    Human,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListFormat {
    Table,
    Json,
    Csv,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallInFilter {
    Open,
    CalledIn,
    Effective,
    NotSubject,
    Pending,
}

impl CallInFilter {
    pub fn state(self) -> crate::records::CallInState {
        use crate::records::CallInState as S;
        match self {
            CallInFilter::Open => S::Open,
            CallInFilter::CalledIn => S::CalledIn,
            CallInFilter::Effective => S::Effective,
            CallInFilter::NotSubject => S::NotSubject,
            CallInFilter::Pending => S::Pending,
        }
    }
}

fn parse_today(s: &str) -> Result<NaiveDate, String> {
    crate::yaml::parse_date(s)
}

fn parse_status(s: &str) -> Result<crate::records::Status, String> {
    crate::records::Status::parse(s).ok_or_else(|| {
        let names: Vec<&str> = crate::records::Status::ALL.iter().map(|s| s.as_str()).collect();
        format!("unknown status; one of: {}", names.join(", "))
    })
}

/// Today's date for the run: `--today`, else `SOURCE_DATE_EPOCH` (seconds
/// since 1970, as reproducible-build tools set it), else the local clock.
pub fn resolve_today(given: Option<NaiveDate>) -> Result<NaiveDate, String> {
    if let Some(d) = given {
        return Ok(d);
    }
    if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
        let secs: i64 =
            epoch.trim().parse().map_err(|_| format!("SOURCE_DATE_EPOCH `{epoch}` is not a number of seconds"))?;
        return chrono::DateTime::from_timestamp(secs, 0)
            .map(|t| t.date_naive())
            .ok_or_else(|| format!("SOURCE_DATE_EPOCH `{epoch}` is out of range"));
    }
    Ok(chrono::Local::now().date_naive())
}
