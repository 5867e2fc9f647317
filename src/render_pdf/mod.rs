//! Cabinet reports and decision notices as PDF, through Typst. One engine
//! (templates and fonts) serves the whole build; reports are rendered in
//! parallel and cached by the hash of their data and templates, so an
//! unchanged record is not rendered again. Typst may read only the
//! templates and the embedded fonts: record text arrives as JSON data.

pub mod blocks;
pub mod data;
pub mod lists;

use crate::load::Error;
use data::{DocData, DocKind};
use std::hash::{Hash, Hasher};
use std::path::Path;
use typst::foundations::{Dict, IntoValue, Smart};
use typst_as_lib::TypstEngine;
use typst_layout::PagedDocument;

/// Built-in Typst templates, by file name.
const TEMPLATES: &[(&str, &str)] = &[
    ("common.typ", include_str!("../../templates/typst/common.typ")),
    ("report.typ", include_str!("../../templates/typst/report.typ")),
    ("notice.typ", include_str!("../../templates/typst/notice.typ")),
    ("decision-list.typ", include_str!("../../templates/typst/decision-list.typ")),
    ("key-decisions.typ", include_str!("../../templates/typst/key-decisions.typ")),
];

/// Liberation Sans (SIL Open Font License), metric-compatible with the
/// Arial councils use, and DejaVu Sans Mono for code (the copies
/// typst-assets ships: taking them from its `fonts()` linked in all 9.6 MB
/// of its fonts, New Computer Modern and Libertinus that no PDF uses).
const FONTS: &[&[u8]] = &[
    include_bytes!("../../templates/fonts/LiberationSans-Regular.ttf"),
    include_bytes!("../../templates/fonts/LiberationSans-Bold.ttf"),
    include_bytes!("../../templates/fonts/LiberationSans-Italic.ttf"),
    include_bytes!("../../templates/fonts/LiberationSans-BoldItalic.ttf"),
    // in typst-assets' order, so the PDFs stay byte for byte as they were
    include_bytes!("../../templates/fonts/DejaVuSansMono-Bold.ttf"),
    include_bytes!("../../templates/fonts/DejaVuSansMono-BoldOblique.ttf"),
    include_bytes!("../../templates/fonts/DejaVuSansMono-Oblique.ttf"),
    include_bytes!("../../templates/fonts/DejaVuSansMono.ttf"),
];

/// The Typst engine with decreg's templates (or a register's overrides)
/// and fonts, built once.
pub struct Pdf {
    engine: TypstEngine,
    /// Hash of the templates, part of every cache key.
    templates_hash: u64,
}

impl Pdf {
    /// Loads templates (a register's `templates/typst/` overrides any by
    /// file name) and fonts, and checks that the font set is usable.
    pub fn new(root: &Path) -> Result<Pdf, Error> {
        let dir = root.join("templates/typst");
        let mut sources: Vec<(&'static str, String)> = Vec::new();
        for (name, builtin) in TEMPLATES {
            let path = dir.join(name);
            let text = if path.is_file() {
                std::fs::read_to_string(&path).map_err(|e| Error::io(&path, &e))?
            } else {
                builtin.to_string()
            };
            sources.push((name, text));
        }
        let mut hasher = std::hash::DefaultHasher::new();
        sources.hash(&mut hasher);
        env!("CARGO_PKG_VERSION").hash(&mut hasher);
        let fonts: Vec<&'static [u8]> = FONTS.to_vec();
        let faces: usize =
            fonts.iter().map(|f| typst::text::Font::iter(typst::foundations::Bytes::new(*f)).count()).sum();
        if faces == 0 {
            return Err(Error { path: dir, what: "no usable font is embedded: PDFs would have no text".into() });
        }
        let engine = TypstEngine::builder()
            .fonts(fonts)
            .with_static_source_file_resolver(sources.iter().map(|(n, s)| (*n, s.clone())).collect::<Vec<_>>())
            .comemo_evict_max_age(Some(4))
            .build();
        Ok(Pdf { engine, templates_hash: hasher.finish() })
    }

    /// The cache key of a document: its data and the templates.
    pub fn key(&self, json: &str) -> u64 {
        let mut hasher = std::hash::DefaultHasher::new();
        self.templates_hash.hash(&mut hasher);
        json.hash(&mut hasher);
        hasher.finish()
    }

    /// Renders a document to PDF bytes: tagged, with a stable document id
    /// and no timestamp, so the same data gives the same bytes.
    pub fn render(&self, id: &str, data: &DocData) -> Result<Vec<u8>, Error> {
        let json = serde_json::to_string(data).map_err(|e| Error { path: id.into(), what: e.to_string() })?;
        self.render_json(id, data.kind, &json)
    }

    pub fn render_json(&self, id: &str, kind: DocKind, json: &str) -> Result<Vec<u8>, Error> {
        let template = kind.template();
        let mut inputs = Dict::new();
        inputs.insert("data".into(), json.into_value());
        let warned = self.engine.compile_with_input::<_, _, PagedDocument>(template, inputs);
        let doc = warned.output.map_err(|e| self.template_error(template, &e))?;
        let options = typst_pdf::PdfOptions {
            ident: Smart::Custom(format!("decreg:{id}:{}", kind.template())),
            creator: Smart::Custom(Some("decreg".into())),
            timestamp: None,
            tagged: true,
            ..Default::default()
        };
        typst_pdf::pdf(&doc, &options).map_err(|diags| Error {
            path: Path::new("templates/typst").join(template),
            what: diags.iter().map(|d| d.message.to_string()).collect::<Vec<_>>().join("; "),
        })
    }

    /// A template error with the template's line where Typst gives a span.
    fn template_error(&self, template: &str, e: &typst_as_lib::TypstAsLibError) -> Error {
        let what = match e {
            typst_as_lib::TypstAsLibError::TypstSource(diags) => diags
                .iter()
                .map(|d| {
                    let line = self
                        .engine
                        .with_world(template, |world| {
                            use typst::{World, WorldExt};
                            let id = d.span.id()?;
                            let source = world.source(id).ok()?;
                            let range = world.range(d.span)?;
                            let line = source.lines().byte_to_line(range.start)? + 1;
                            Some(format!("{}:{line}: ", id.vpath().get_without_slash()))
                        })
                        .ok()
                        .flatten()
                        .unwrap_or_default();
                    format!("{line}{}", d.message)
                })
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        };
        Error { path: Path::new("templates/typst").join(template), what }
    }
}
