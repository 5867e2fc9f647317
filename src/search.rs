//! The search index: Pagefind, used as a library, fed with custom records
//! made from public views only (never from HTML, so nothing a page hides
//! can be indexed). The browser downloads the index in pieces.
//! Pagefind's files are written by decreg into the staged site, not by
//! Pagefind's own writer.

use crate::load::Error;
use crate::output::Staging;
use crate::public::PublicRecord;
use std::collections::BTreeMap;

/// What the index holds for one decision.
pub struct Entry {
    pub url: String,
    pub content: String,
    pub meta: BTreeMap<String, String>,
    pub filters: BTreeMap<String, Vec<String>>,
    pub sort: BTreeMap<String, String>,
}

/// The search entry of a public record: its page's text, with facets as
/// filters and its date as the sort key.
pub fn entry(p: &PublicRecord) -> Entry {
    let mut meta = BTreeMap::new();
    meta.insert("title".to_string(), p.title.clone());
    meta.insert("decision_maker".to_string(), p.decision_maker.clone());
    meta.insert("status".to_string(), p.status_label.to_string());
    if let Some(d) = &p.date {
        meta.insert("date".to_string(), d.iso.clone());
        meta.insert("date_long".to_string(), d.long.clone());
    }
    let mut filters: BTreeMap<String, Vec<String>> = BTreeMap::new();
    filters.insert("decision_maker".into(), vec![p.decision_maker.clone()]);
    if let Some(y) = p.year {
        filters.insert("year".into(), vec![y.to_string()]);
    }
    filters.insert("status".into(), vec![p.status_label.to_string()]);
    filters
        .insert("key_decision".into(), vec![if p.key_decision { "Key decision" } else { "Not a key decision" }.into()]);
    filters.insert("call_in".into(), vec![p.call_in.state_label.to_string()]);
    if !p.subjects.is_empty() {
        filters.insert("subject".into(), p.subjects.clone());
    }
    if !p.areas.is_empty() {
        filters.insert("area".into(), p.areas.clone());
    }
    let mut sort = BTreeMap::new();
    if let Some(d) = &p.date {
        sort.insert("date".to_string(), d.iso.clone());
    }
    Entry { url: format!("decisions/{}/", p.id), content: crate::public::text_of(p), meta, filters, sort }
}

/// Builds the index and writes its files under `pagefind/`. Entries are
/// added in the order given, which the caller keeps stable.
#[cfg(feature = "search")]
pub fn write_index(entries: Vec<Entry>, language: &str, out: &Staging) -> Result<usize, Error> {
    use pagefind::api::PagefindIndex;
    use pagefind::options::PagefindServiceConfig;
    let fail = |what: String| Error { path: "pagefind".into(), what };
    let lang = language.split('-').next().unwrap_or("en").to_lowercase();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| fail(format!("cannot start the indexer: {e}")))?;
    let files = runtime.block_on(async {
        let config = PagefindServiceConfig::builder().keep_index_url(false).force_language(lang.clone()).build();
        let mut index = PagefindIndex::new(Some(config)).map_err(|e| fail(e.to_string()))?;
        for e in entries {
            index
                .add_custom_record(e.url, e.content, lang.clone(), Some(e.meta), Some(e.filters), Some(e.sort))
                .await
                .map_err(|e| fail(e.to_string()))?;
        }
        index.get_files().await.map_err(|e| fail(e.to_string()))
    })?;
    let mut written = 0;
    for f in files {
        let name = f.filename.to_string_lossy().replace('\\', "/");
        // The default UIs are not used: decreg's own search page is.
        if name.contains("-ui.") || name.contains("-ui/") || name.starts_with("playground") {
            continue;
        }
        out.write(&format!("pagefind/{name}"), &f.contents)?;
        written += 1;
    }
    Ok(written)
}

/// Without the `search` feature there is no index; the search page says so.
#[cfg(not(feature = "search"))]
pub fn write_index(_entries: Vec<Entry>, _language: &str, _out: &Staging) -> Result<usize, Error> {
    Ok(0)
}
