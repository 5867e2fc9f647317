//! Integration tests: the `decreg` binary run on real registers (the sample
//! register, fixture registers, generated ones).

mod authoring;
mod calendar;
mod canary;
mod check;
mod corpus;
mod findings;
mod import;
mod incremental;
mod list;
mod parse_props;
mod pdf;
mod search;
mod serve;
mod site;
mod support;
