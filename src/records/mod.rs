//! Records: the typed model of a decision and how record files become it.
//! `text` decodes bytes and splits front matter, `sections` finds the body's
//! sections, `parse` reads the fields; `model` holds the types.

pub mod model;
pub mod parse;
pub mod sections;
pub mod text;

pub use model::*;
pub use parse::{parse_record, Parsed};
