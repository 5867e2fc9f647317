//! The public register as a static website: Tera templates built into the
//! binary (a register's `templates/html/` overrides any by file name),
//! rendered from [`crate::public`] views only. Decision pages are rendered
//! and written in parallel; listings are built from light summaries.

mod charts;
mod data;
mod feeds;
pub mod meetings;
mod pages;
pub mod statistics;
mod summary;

pub use summary::Summary;

use crate::config::Config;
use crate::load::Error;
use crate::output::Staging;
use crate::public::DateView;
use serde::Serialize;
use std::path::Path;
use tera::Tera;

/// Built-in templates, by file name.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/html/base.html")),
    ("macros.html", include_str!("../../templates/html/macros.html")),
    ("home.html", include_str!("../../templates/html/home.html")),
    ("decision.html", include_str!("../../templates/html/decision.html")),
    ("list.html", include_str!("../../templates/html/list.html")),
    ("list-item.html", include_str!("../../templates/html/list-item.html")),
    ("browse.html", include_str!("../../templates/html/browse.html")),
    ("call-in.html", include_str!("../../templates/html/call-in.html")),
    ("forward-plan.html", include_str!("../../templates/html/forward-plan.html")),
    ("search.html", include_str!("../../templates/html/search.html")),
    ("404.html", include_str!("../../templates/html/404.html")),
    ("audit.html", include_str!("../../templates/html/audit.html")),
    ("statistics.html", include_str!("../../templates/html/statistics.html")),
    ("meetings.html", include_str!("../../templates/html/meetings.html")),
    ("meetings-year.html", include_str!("../../templates/html/meetings-year.html")),
    ("meeting.html", include_str!("../../templates/html/meeting.html")),
];

/// Static assets copied into the site, by path.
const ASSETS: &[(&str, &str)] = &[
    ("assets/site.css", include_str!("../../templates/assets/site.css")),
    ("assets/search.js", include_str!("../../templates/assets/search.js")),
];

/// Loads the templates: built-in ones, then the register's overrides.
pub fn templates(root: &Path) -> Result<Tera, Error> {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html"]);
    let dir = root.join("templates/html");
    let mut sources: Vec<(String, String)> = TEMPLATES.iter().map(|(n, s)| (n.to_string(), s.to_string())).collect();
    for (name, source) in sources.iter_mut() {
        let path = dir.join(&*name);
        if path.is_file() {
            *source = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, &e))?;
        }
    }
    tera.add_raw_templates(sources).map_err(|e| template_error(&dir, &e))?;
    Ok(tera)
}

/// Tera hides the useful part of its errors in the source chain.
pub fn template_error(dir: &Path, e: &tera::Error) -> Error {
    let mut what = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        what.push_str(": ");
        what.push_str(&s.to_string());
        source = s.source();
    }
    Error { path: dir.to_path_buf(), what }
}

/// What every page's template sees about the site.
#[derive(Serialize, Clone)]
pub struct SiteView {
    pub council: String,
    pub language: String,
    pub areas_label: String,
    pub colour: String,
    pub base_url: Option<String>,
    pub today: DateView,
    pub call_in_working_days: u32,
    pub cutoff_time: Option<String>,
    /// Whom the public asks about meetings and the forward plan.
    pub democratic_services: Option<String>,
}

impl SiteView {
    pub fn new(config: &Config, today: chrono::NaiveDate) -> Self {
        SiteView {
            council: config.council.clone(),
            language: config.language.clone(),
            areas_label: config.areas_label.clone(),
            colour: config.primary_colour.clone(),
            base_url: config.base_url.clone(),
            today: DateView::new(today),
            call_in_working_days: config.call_in.working_days,
            cutoff_time: config.call_in.cutoff_time.clone(),
            democratic_services: config.democratic_services.as_ref().map(crate::config::Contact::line),
        }
    }
}

/// Everything the HTML stage needs, made once per build.
pub struct Renderer<'a> {
    /// One number for everything a page is made from besides its own
    /// content (decreg, the options, the day, the register's settings,
    /// templates and documents: see `stamp::Inputs::context`); 0 when
    /// not told.
    pub context: u64,
    pub tera: Tera,
    pub site: SiteView,
    pub config: &'a Config,
    pub template_dir: std::path::PathBuf,
    /// Whether the build makes PDFs, so pages may link to them.
    pub pdf: bool,
    /// The build's day.
    pub today: chrono::NaiveDate,
}

impl<'a> Renderer<'a> {
    /// The register's templates (built-in ones overridden by its own) and
    /// site, as of `today`.
    pub fn new(root: &Path, config: &'a Config, today: chrono::NaiveDate) -> Result<Renderer<'a>, Error> {
        Ok(Renderer::with_templates(templates(root)?, root, config, today))
    }

    /// As [`Renderer::new`], with the register's templates as read already.
    pub fn with_templates(tera: Tera, root: &Path, config: &'a Config, today: chrono::NaiveDate) -> Renderer<'a> {
        Renderer {
            context: 0,
            tera,
            site: SiteView::new(config, today),
            config,
            template_dir: root.join("templates/html"),
            pdf: false,
            today,
        }
    }

    /// Renders a template with the site and the page's own context; `depth`
    /// is how many folders the page sits below the site's root.
    pub fn render(&self, template: &str, depth: usize, ctx: &mut tera::Context) -> Result<String, Error> {
        ctx.insert("site", &self.site);
        ctx.insert("root", &"../".repeat(depth));
        ctx.insert("nav", nav_of(template));
        self.tera.render(template, ctx).map_err(|e| template_error(&self.template_dir.join(template), &e))
    }
}

/// Which main navigation item a template belongs to.
fn nav_of(template: &str) -> &'static str {
    match template {
        "decision.html" | "list.html" => "decisions",
        "browse.html" => "browse",
        "call-in.html" => "call-in",
        "forward-plan.html" => "forward-plan",
        "search.html" => "search",
        "statistics.html" => "statistics",
        "meetings.html" | "meetings-year.html" | "meeting.html" => "meetings",
        _ => "home",
    }
}

/// Writes the site's static assets, and the council's colour as a
/// stylesheet (the pages' Content-Security-Policy allows no inline style).
pub fn write_assets(out: &Staging, config: &Config) -> Result<(), Error> {
    for (path, text) in ASSETS {
        let served = if path.ends_with(".js") { without_comments(text) } else { text.to_string() };
        out.write(path, served.as_bytes())?;
    }
    let colour = format!(":root {{ --council: {}; }}\n", config.primary_colour);
    out.write("assets/council.css", colour.as_bytes())
}

/// A script as the site serves it: without its comment lines, blank lines
/// and indentation, which are a quarter of search.js and would be fetched
/// by every first search (many hosts do not compress). search.js has no
/// string that spans lines, so no line is changed inside one.
fn without_comments(script: &str) -> String {
    let mut out = String::with_capacity(script.len());
    for line in script.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("//")) {
        out.push_str(line);
        out.push('\n');
    }
    out
}

pub use data::{open_data_file, OpenData};
pub use pages::{
    decision_page, decision_path, listing_place, made, plan, record_page, write_decision_pages, write_plan,
    DecisionPages, OnPage, PageSources, Recipe, Recipes, RecordPage,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_are_served_without_comment_lines_and_indentation() {
        let served = without_comments("// why\nfunction f() {\n  // because\n  return `a // b`;\n\n}\n");
        assert_eq!(served, "function f() {\nreturn `a // b`;\n}\n");
    }

    #[test]
    fn no_script_has_a_template_string_across_lines_that_trimming_would_change() {
        for (path, text) in ASSETS.iter().filter(|(p, _)| p.ends_with(".js")) {
            for (n, line) in text.lines().enumerate() {
                assert!(line.matches('`').count() % 2 == 0, "{path}:{}: a template string spans lines", n + 1);
            }
        }
    }
}
