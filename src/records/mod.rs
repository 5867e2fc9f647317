//! Records: the typed model of a decision and how record files become it.
//! `text` decodes bytes and splits front matter, `sections` finds the body's
//! sections, `parse` reads the fields; `model` holds the types.

pub mod model;
pub mod parse;
pub mod sections;
pub mod text;

pub use model::*;
pub use parse::{parse_record, Parsed};

/// A name of decreg's own (a rule's code, a status label) read back from
/// a build's cache as the `&'static str` the code gives it: each distinct
/// name is kept once for the process (there are a few dozen of them).
pub fn known_name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    <String as serde::Deserialize>::deserialize(d).map(intern)
}

/// The one `&'static str` of a name (see [`known_name`]).
pub fn intern(s: String) -> &'static str {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static SEEN: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut seen = SEEN.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(&known) = seen.get(s.as_str()) {
        return known;
    }
    let leaked: &'static str = Box::leak(s.into_boxed_str());
    seen.insert(leaked);
    leaked
}
