//! Many schema sites of one spec checked by one compiled validator.
//!
//! A site's JSON Schema view holds every schema it reaches; on a big spec that is
//! most of the spec (Stripe's answers reach 600 KB of schemas each), and `jsonschema`
//! compiles what a document reaches once per validator: 231 answer validators took
//! 11 s and 850 MB. A [`Book`] translates all its sites as the properties of one
//! object (`{"s0": <site 0>, "s1": <site 1>, ...}`), so every schema is translated
//! and compiled once, and checks an instance of site `i` as the member `s<i>` of a
//! wrapper object. Violations come back with that member's prefix taken off: the
//! same pointers, keywords and messages as a validator of the site alone.
//!
//! ```
//! use covenant_spec::{book::Book, Direction};
//! let yaml = r#"
//! openapi: 3.0.3
//! info: {title: t, version: "1"}
//! paths: {}
//! components:
//!   schemas:
//!     Pet: {type: object, required: [name], properties: {name: {type: string}}}
//! "#;
//! let spec = covenant_spec::Spec::from_str("pets.yaml", yaml).unwrap();
//! let book = Book::new(
//!     &spec,
//!     Direction::Response,
//!     &[serde_json::json!({"$ref": "#/components/schemas/Pet"})],
//! )
//! .unwrap();
//! let pet = book.page(0).unwrap();
//! assert!(pet.is_valid(&serde_json::json!({"name": "Rex"})));
//! let v = pet.violations(&serde_json::json!({}));
//! assert_eq!((v[0].pointer.as_str(), v[0].keyword.as_str()), ("/name", "required"));
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::view::{self, Direction, Violation};
use crate::{SchemaSite, Spec, pointer};

/// One validator for many schema sites (see the module docs).
pub struct Book {
    validator: jsonschema::Validator,
    len: usize,
}

impl Book {
    /// Compiles `schemas` (OpenAPI schema values of `spec`, in `direction`) as one
    /// document. Fails when any of them does not compile; [`Page::single`] then
    /// gives each its own validator, so one bad schema costs only its own sites.
    pub fn new(spec: &Spec, direction: Direction, schemas: &[Value]) -> Result<Arc<Book>, String> {
        let props: Map<String, Value> = schemas
            .iter()
            .enumerate()
            .map(|(i, s)| (slot(i), s.clone()))
            .collect();
        let wrapper = serde_json::json!({"type": "object", "properties": props});
        let validator = view::compile(&spec.json_schema_of(&wrapper, direction))?;
        Ok(Arc::new(Book {
            validator,
            len: schemas.len(),
        }))
    }

    /// The checker of the `i`-th schema given to [`Book::new`].
    pub fn page(self: &Arc<Self>, i: usize) -> Option<Page> {
        (i < self.len).then(|| Page(Inner::Book(self.clone(), slot(i))))
    }
}

fn slot(i: usize) -> String {
    format!("s{i}")
}

/// The validator of one schema site: its own, or its page of a shared [`Book`].
#[derive(Clone)]
pub struct Page(Inner);

#[derive(Clone)]
enum Inner {
    Book(Arc<Book>, String),
    Single(Arc<jsonschema::Validator>),
}

impl Page {
    /// A validator of its own (what [`Spec::compile`] builds).
    pub fn single(validator: jsonschema::Validator) -> Page {
        Page(Inner::Single(Arc::new(validator)))
    }

    pub fn is_valid(&self, instance: &Value) -> bool {
        match &self.0 {
            Inner::Single(v) => v.is_valid(instance),
            Inner::Book(book, slot) => book.validator.is_valid(&wrap(slot, instance)),
        }
    }

    /// Every violation, as [`view::violations`] reports them for the site alone.
    pub fn violations(&self, instance: &Value) -> Vec<Violation> {
        match &self.0 {
            Inner::Single(v) => view::violations(v, instance),
            Inner::Book(book, slot) => {
                let prefix = format!("/{}", pointer::escape(slot));
                view::violations(&book.validator, &wrap(slot, instance))
                    .into_iter()
                    .map(|mut v| {
                        v.pointer = v
                            .pointer
                            .strip_prefix(&prefix)
                            .unwrap_or(&v.pointer)
                            .to_string();
                        v
                    })
                    .collect()
            }
        }
    }
}

/// The validators of many sites, one [`Book`] per direction, a [`Page`] per
/// distinct schema; sites not given at the start compile alone when first asked for.
pub struct Shelf {
    pages: HashMap<String, Result<Page, String>>,
}

impl Shelf {
    pub fn new<'a>(spec: &Spec, sites: impl IntoIterator<Item = &'a SchemaSite>) -> Shelf {
        let mut by_direction: BTreeMap<String, (Direction, Vec<String>, Vec<Value>)> =
            BTreeMap::new();
        let mut seen = HashSet::new();
        for site in sites {
            let key = site_key(site);
            if seen.insert(key.clone()) {
                let entry = by_direction
                    .entry(format!("{:?}", site.direction))
                    .or_insert_with(|| (site.direction, Vec::new(), Vec::new()));
                entry.1.push(key);
                entry.2.push(site.schema.clone());
            }
        }
        let mut pages = HashMap::new();
        for (direction, keys, schemas) in by_direction.into_values() {
            // One schema that does not compile fails the book: each site then
            // compiles alone, so the error stays with the sites that have it.
            let Ok(book) = Book::new(spec, direction, &schemas) else {
                continue;
            };
            for (i, key) in keys.into_iter().enumerate() {
                if let Some(page) = book.page(i) {
                    pages.insert(key, Ok(page));
                }
            }
        }
        Shelf { pages }
    }

    /// The validator of `site` (compiled alone if the shelf did not hold it).
    pub fn get(&mut self, spec: &Spec, site: &SchemaSite) -> &Result<Page, String> {
        self.pages
            .entry(site_key(site))
            .or_insert_with(|| spec.compile(site).map(Page::single))
    }
}

/// The JSON body schemas of every documented answer of `spec`.
pub fn response_sites(spec: &Spec) -> impl Iterator<Item = &SchemaSite> {
    spec.operations
        .iter()
        .flat_map(|op| &op.responses)
        .flat_map(|r| &r.content)
        .filter(|m| m.is_json())
        .filter_map(|m| m.schema.as_ref())
}

fn site_key(site: &SchemaSite) -> String {
    format!("{:?}{}", site.direction, site.schema)
}

fn wrap(slot: &str, instance: &Value) -> Value {
    let mut m = Map::with_capacity(1);
    m.insert(slot.to_string(), instance.clone());
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SPEC: &str = r#"
openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Pet:
      type: object
      required: [name, id]
      properties:
        id: {type: string, readOnly: true}
        name: {type: string, minLength: 2}
        tags: {type: array, items: {$ref: '#/components/schemas/Tag'}}
    Tag: {type: string, enum: [a, b]}
"#;

    /// A page reports exactly what a validator of the site alone reports, in both
    /// directions (readOnly members are not required of requests).
    #[test]
    fn pages_agree_with_single_validators() {
        let spec = Spec::from_str("t.yaml", SPEC).expect("loads");
        let schemas = [
            json!({"$ref": "#/components/schemas/Pet"}),
            json!({"type": "array", "items": {"$ref": "#/components/schemas/Tag"}}),
            json!({"type": "integer", "minimum": 3}),
        ];
        let instances = [
            json!({}),
            json!({"name": "x", "tags": ["c"]}),
            json!({"id": "1", "name": "Rex", "tags": ["a"]}),
            json!(["a", "z", 4]),
            json!(2),
            json!(7),
            json!("7"),
        ];
        for direction in [Direction::Request, Direction::Response] {
            let book = Book::new(&spec, direction, &schemas).expect("compiles");
            for (i, s) in schemas.iter().enumerate() {
                let alone = view::compile(&spec.json_schema_of(s, direction)).expect("compiles");
                let page = book.page(i).expect("page");
                for inst in &instances {
                    assert_eq!(page.is_valid(inst), alone.is_valid(inst), "{i} {inst}");
                    assert_eq!(
                        page.violations(inst),
                        view::violations(&alone, inst),
                        "{i} {inst} {direction:?}"
                    );
                }
            }
            assert!(book.page(schemas.len()).is_none());
        }
    }
}
