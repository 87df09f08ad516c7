//! The Rust-side model the generator builds from a spec before writing any tokens:
//! named items (structs, enums, newtypes, aliases) whose fields refer to each other
//! by name. Keeping this step separate lets the writer box exactly the fields that
//! close a cycle of direct containment (Tarjan's SCCs), and keeps output order stable.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;

/// A field or item type.
#[derive(Debug, Clone)]
pub enum Ty {
    /// A generated item, by Rust name.
    Named(String),
    /// A primitive or library type, already written as tokens (`String`, `i64`,
    /// `chrono::NaiveDate`, `serde_json::Value`, ...).
    Prim(TokenStream),
    Vec(Box<Ty>),
    Map(Box<Ty>),
    /// `Option<T>` inside a collection (a nullable item).
    Option(Box<Ty>),
}

impl Ty {
    /// Whether any generated item appears in this type (so `nested` validation is useful).
    pub fn has_named(&self) -> bool {
        match self {
            Ty::Named(_) => true,
            Ty::Prim(_) => false,
            Ty::Vec(t) | Ty::Map(t) | Ty::Option(t) => t.has_named(),
        }
    }

    /// Named items held without indirection (not inside a Vec or a map).
    pub fn direct(&self, out: &mut BTreeSet<String>) {
        match self {
            Ty::Named(n) => {
                out.insert(n.clone());
            }
            Ty::Option(t) => t.direct(out),
            Ty::Prim(_) | Ty::Vec(_) | Ty::Map(_) => {}
        }
    }
}

/// How a property is present on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Required, not nullable: `T`.
    Required,
    /// Required and nullable: `Option<T>`, missing is an error.
    RequiredNullable,
    /// Optional and nullable: `Nullable<T>` (absent / null / present).
    OptionalNullable,
    /// Optional, not nullable: `Option<T>`, `null` is an error.
    Optional,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub rust: String,
    pub wire: String,
    pub doc: Option<String>,
    pub ty: Ty,
    pub presence: Presence,
    /// `#[validate(...)]` and `#[schemars(...)]` attributes carrying the constraints.
    pub attrs: Vec<TokenStream>,
    pub deprecated: bool,
}

#[derive(Debug, Clone)]
pub struct Variant {
    pub rust: String,
    /// The wire values that select it (first is the canonical one).
    pub wire: Vec<String>,
    pub ty: Option<Ty>,
    pub deprecated: bool,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Struct {
        fields: Vec<Field>,
        /// `additionalProperties`: `None` = false (deny unknown fields), else the value
        /// type of the flattened map that keeps the other properties.
        additional: Option<Ty>,
    },
    /// A string enum. `open` keeps unknown values (response types).
    StringEnum {
        variants: Vec<Variant>,
        open: bool,
    },
    /// `oneOf`/`anyOf`: internally tagged when `tag` is set, else untagged.
    Union {
        variants: Vec<Variant>,
        tag: Option<String>,
    },
    /// A constrained value in a position without a field to carry the attributes.
    Newtype {
        ty: Ty,
        attrs: Vec<TokenStream>,
    },
    Alias(Ty),
}

#[derive(Debug, Clone)]
pub struct Item {
    pub name: String,
    pub doc: Option<String>,
    /// Where the schema is in the spec (for readers of the generated code).
    pub pointer: String,
    pub kind: Kind,
}

impl Item {
    pub fn direct_refs(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        match &self.kind {
            Kind::Struct { fields, .. } => fields.iter().for_each(|f| f.ty.direct(&mut out)),
            Kind::Union { variants, .. } => variants
                .iter()
                .filter_map(|v| v.ty.as_ref())
                .for_each(|t| t.direct(&mut out)),
            Kind::Newtype { ty, .. } | Kind::Alias(ty) => ty.direct(&mut out),
            Kind::StringEnum { .. } => {}
        }
        out
    }
}

/// Strongly connected components of the direct-containment graph: `scc[name]` is a
/// component id; two items in the same component contain each other (a field between
/// them needs a `Box`). Aliases are transparent, so they take part like any item.
pub fn components(items: &BTreeMap<String, Item>) -> BTreeMap<String, usize> {
    struct State<'a> {
        edges: BTreeMap<&'a str, Vec<String>>,
        index: BTreeMap<String, usize>,
        low: BTreeMap<String, usize>,
        on_stack: BTreeSet<String>,
        stack: Vec<String>,
        next: usize,
        comp: BTreeMap<String, usize>,
        ncomp: usize,
    }
    let mut s = State {
        edges: items
            .iter()
            .map(|(k, v)| (k.as_str(), v.direct_refs().into_iter().collect()))
            .collect(),
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        on_stack: BTreeSet::new(),
        stack: Vec::new(),
        next: 0,
        comp: BTreeMap::new(),
        ncomp: 0,
    };
    // Iterative Tarjan (Stripe's graph is deep enough to overflow a recursive one).
    for root in items.keys() {
        if s.index.contains_key(root) {
            continue;
        }
        let mut work: Vec<(String, usize)> = vec![(root.clone(), 0)];
        while let Some((v, i)) = work.pop() {
            if i == 0 {
                s.index.insert(v.clone(), s.next);
                s.low.insert(v.clone(), s.next);
                s.next += 1;
                s.stack.push(v.clone());
                s.on_stack.insert(v.clone());
            }
            let succ = s.edges.get(v.as_str()).cloned().unwrap_or_default();
            if i > 0 {
                let w = &succ[i - 1];
                if let (Some(&lw), Some(&lv)) = (s.low.get(w), s.low.get(&v))
                    && s.on_stack.contains(w)
                {
                    s.low.insert(v.clone(), lv.min(lw));
                }
            }
            let mut pushed = false;
            let mut j = i;
            while j < succ.len() {
                let w = &succ[j];
                j += 1;
                if !s.edges.contains_key(w.as_str()) {
                    continue;
                }
                if !s.index.contains_key(w) {
                    work.push((v.clone(), j));
                    work.push((w.clone(), 0));
                    pushed = true;
                    break;
                } else if s.on_stack.contains(w) {
                    let (lv, iw) = (s.low[&v], s.index[w]);
                    s.low.insert(v.clone(), lv.min(iw));
                }
            }
            if pushed {
                continue;
            }
            if s.low[&v] == s.index[&v] {
                while let Some(w) = s.stack.pop() {
                    s.on_stack.remove(&w);
                    s.comp.insert(w.clone(), s.ncomp);
                    if w == v {
                        break;
                    }
                }
                s.ncomp += 1;
            }
        }
    }
    s.comp
}
