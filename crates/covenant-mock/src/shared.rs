//! Work shared between operations that document the same schema. Big specs repeat
//! their answers (Stripe documents `error` on all 468 operations and the `charge`
//! object on a dozen), and each answer's schema reaches most of the spec: building
//! a generator, a pool and a validator per operation took minutes and gigabytes.
//!
//! What is shared stays deterministic whatever order requests arrive in: a shared
//! pool is seeded by the first operation, in document order, that documents its
//! schema, so an operation of its own keeps the seed it always had.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use covenant_spec::book::{Page, Shelf, response_sites};
use covenant_spec::{SchemaSite, Spec};
use parking_lot::Mutex;

/// Values computed once per schema site (keyed by its direction and schema text).
pub struct SiteCache<T> {
    /// The first operation (by index) that documents each site.
    first: HashMap<String, usize>,
    cells: Mutex<HashMap<String, Arc<OnceLock<T>>>>,
}

impl<T: Clone> SiteCache<T> {
    /// `sites`: (operation index, site) in document order.
    pub fn new<'a>(sites: impl Iterator<Item = (usize, &'a SchemaSite)>) -> SiteCache<T> {
        let mut first = HashMap::new();
        for (i, site) in sites {
            first.entry(key(site)).or_insert(i);
        }
        SiteCache {
            first,
            cells: Mutex::new(HashMap::new()),
        }
    }

    /// The value for `site`, computed by `init(first operation index)` on first use.
    /// Concurrent first uses of different sites do not wait for each other.
    pub fn get(
        &self,
        site: &SchemaSite,
        fallback_index: usize,
        init: impl FnOnce(usize) -> T,
    ) -> T {
        let k = key(site);
        let first = self.first.get(&k).copied().unwrap_or(fallback_index);
        let cell = self.cells.lock().entry(k).or_default().clone();
        cell.get_or_init(|| init(first)).clone()
    }
}

fn key(site: &SchemaSite) -> String {
    format!("{:?}{}", site.direction, site.schema)
}

/// The validators of every documented answer body, compiled together on first use
/// (see [`covenant_spec::book`]).
pub struct AnswerValidators {
    shelf: OnceLock<Mutex<Shelf>>,
}

impl AnswerValidators {
    pub fn new() -> AnswerValidators {
        AnswerValidators {
            shelf: OnceLock::new(),
        }
    }

    pub fn get(&self, spec: &Spec, site: &SchemaSite) -> Result<Page, String> {
        self.shelf
            .get_or_init(|| Mutex::new(Shelf::new(spec, response_sites(spec))))
            .lock()
            .get(spec, site)
            .clone()
    }
}

impl Default for AnswerValidators {
    fn default() -> Self {
        Self::new()
    }
}
