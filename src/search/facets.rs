//! `facets.bin`: every filter value with the decisions that have it. Held
//! as lists of decision numbers, so that an edit changes only the lists
//! of the values in its window (and moves the numbers after it), as it
//! does the postings.

use super::{facet_values, Window, FACETS};
use crate::render_html::Summary;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

/// For each facet (in the order of [`FACETS`]), each value's decisions,
/// ascending; a decision with a value twice is listed twice.
#[derive(Default)]
pub(super) struct FacetLists(Vec<FxHashMap<String, Vec<u32>>>);

impl FacetLists {
    /// The lists after an edit (see [`super::Edit`]), given every
    /// decision's summary in listing order; whether any list changed.
    pub(super) fn edit(&mut self, window: &Window, summaries: &[Summary]) -> bool {
        self.0.resize_with(FACETS.len(), FxHashMap::default);
        let (from, old_end) = (window.from, window.old_end);
        let new_end = (i64::from(old_end) + window.moved_by) as u32;
        let mut changed = false;
        for (key, lists) in FACETS.iter().zip(&mut self.0) {
            let mut span: FxHashMap<String, Vec<u32>> = FxHashMap::default();
            for doc in from..new_end {
                for v in facet_values(&summaries[doc as usize], key) {
                    match span.get_mut(v.as_ref()) {
                        Some(docs) => docs.push(doc),
                        None => drop(span.insert(v.into_owned(), vec![doc])),
                    }
                }
            }
            for (value, docs) in lists.iter_mut() {
                let new = span.remove(value.as_str());
                let lo = docs.partition_point(|&d| d < from);
                let hi = docs.partition_point(|&d| d < old_end);
                let moved = window.moved_by != 0 && hi < docs.len();
                if new.is_none() && lo == hi && !moved {
                    continue;
                }
                let new = new.unwrap_or_default();
                // a number moved changes the list; else only the window can
                changed |= moved || docs[lo..hi] != new[..];
                let tail = docs.len() - hi;
                docs.splice(lo..hi, new);
                let after = docs.len() - tail;
                docs[after..].iter_mut().for_each(|d| *d = window.moved(*d));
            }
            changed |= !span.is_empty();
            lists.extend(span);
            lists.retain(|_, docs| !docs.is_empty());
        }
        changed
    }

    /// `facets.bin` before compression: JSON `{key: [[value, [gaps..]], ..]}`,
    /// gaps counted from -1, in the order the filters are shown: years
    /// newest first, the rest by how many decisions they have, then by name.
    pub(super) fn json(&self) -> Vec<u8> {
        let mut out: BTreeMap<&str, Vec<(&str, Vec<u32>)>> = BTreeMap::new();
        for (key, lists) in FACETS.iter().zip(&self.0) {
            let mut values: Vec<(&str, &Vec<u32>)> = lists.iter().map(|(v, docs)| (v.as_str(), docs)).collect();
            if *key == "year" {
                values.sort_by(|a, b| b.0.cmp(a.0));
            } else {
                values.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(b.0)));
            }
            let gaps = |docs: &Vec<u32>| {
                // u32::MAX + 1 wraps to 0: the first gap is counted from -1
                let mut last = u32::MAX;
                let gap = |d: &u32| {
                    let gap = d.wrapping_sub(last);
                    last = *d;
                    gap
                };
                docs.iter().map(gap).collect()
            };
            out.insert(key, values.into_iter().map(|(v, docs)| (v, gaps(docs))).collect());
        }
        serde_json::to_vec(&out).unwrap_or_default()
    }
}
