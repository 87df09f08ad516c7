//! Spec -> model: maps each named schema, each inline schema that needs a name, and
//! each operation's parameters to [`Item`]s. Constructs that have no faithful Rust
//! mapping become `serde_json::Value` and are reported by name and location. Rust
//! names come from `names.rs`, shape decisions from `shape.rs`, attributes from
//! `constraints.rs`; nullability is read from the JSON Schema view.

use std::collections::{BTreeMap, BTreeSet};

use covenant_spec::{Spec, pointer, view};
use proc_macro2::TokenStream;
use quote::quote;
use serde_json::{Map, Value};

use crate::Unmapped;
use crate::constraints::{self, Unchecked};
use crate::model::{Field, Item, Kind, Presence, Ty, Variant};
use crate::names::{field_name, type_name, variant_name};
use crate::shape::{
    doc_of, is_closed, is_object, is_type_union, single_type, string_enum, tagged_union, unchecked,
};

pub struct Builder<'s> {
    spec: &'s Spec,
    pub items: BTreeMap<String, Item>,
    /// Component name -> Rust name.
    names: BTreeMap<String, String>,
    /// Components reachable from a response (their string enums keep unknown values).
    open: BTreeSet<String>,
    /// Component name -> discriminator property carried by the enum tag instead.
    tagged_branch: BTreeMap<String, String>,
    /// Items exported as JSON Schema (named types of the API surface).
    pub exported: Vec<String>,
    pub unmapped: Vec<Unmapped>,
}

impl<'s> Builder<'s> {
    pub fn new(spec: &'s Spec) -> Self {
        let mut used = BTreeSet::new();
        let mut names = BTreeMap::new();
        for name in spec.schemas.keys() {
            let mut rust = type_name(name);
            while !used.insert(rust.clone()) {
                rust.push('_');
            }
            names.insert(name.clone(), rust);
        }
        let mut b = Builder {
            spec,
            items: BTreeMap::new(),
            names,
            open: BTreeSet::new(),
            tagged_branch: BTreeMap::new(),
            exported: Vec::new(),
            unmapped: Vec::new(),
        };
        b.find_open();
        b.find_tagged_branches();
        b
    }

    fn find_open(&mut self) {
        let mut stack: Vec<&Value> = Vec::new();
        for hook in &self.spec.webhooks {
            for m in hook.request_body.iter().flat_map(|b| &b.content) {
                if let Some(s) = &m.schema {
                    stack.push(&s.schema);
                }
            }
        }
        for op in &self.spec.operations {
            for r in &op.responses {
                for m in &r.content {
                    if let Some(s) = &m.schema {
                        stack.push(&s.schema);
                    }
                }
            }
        }
        while let Some(v) = stack.pop() {
            match v {
                Value::Object(m) => {
                    if let Some(r) = m.get("$ref").and_then(Value::as_str)
                        && let Some(name) = pointer::schema_name(r)
                    {
                        if self.open.insert(name.to_string())
                            && let Some(t) = pointer::resolve_ref(self.spec.document(), r)
                        {
                            stack.push(t);
                        }
                        continue;
                    }
                    stack.extend(m.values());
                }
                Value::Array(a) => stack.extend(a),
                _ => {}
            }
        }
    }

    fn find_tagged_branches(&mut self) {
        for schema in self.spec.schemas.values() {
            if let Some((prop, branches)) = tagged_union(schema) {
                for (name, _) in branches {
                    self.tagged_branch.insert(name, prop.clone());
                }
            }
        }
    }

    fn report(&mut self, pointer: &str, construct: impl Into<String>) {
        let location = self.spec.locate(pointer);
        self.unmapped.push(Unmapped {
            pointer: pointer.to_string(),
            location: location.to_string(),
            construct: construct.into(),
        });
    }

    /// Reports the keywords of `m` that the models do not check: JSON Schema
    /// 2020-12 assertions without a Rust mapping, and (in 3.1, where they apply)
    /// constraints written beside a `$ref`, which the model reads as the bare
    /// reference.
    fn report_unchecked(&mut self, m: &Map<String, Value>, at: &str) {
        let dialect31 = self.spec.dialect == covenant_spec::Dialect::OpenApi31;
        for (keyword, construct) in unchecked(m, dialect31) {
            self.report(&pointer::join(at, &keyword), construct);
        }
    }

    /// Whether the schema's JSON Schema view admits `null` (`$ref`s followed).
    fn is_nullable(&self, schema: &Value) -> bool {
        view::admits_null(&self.spec.json_schema_node(schema))
    }

    fn unique(&self, base: &str) -> String {
        let mut name = type_name(base);
        while self.items.contains_key(&name) || self.names.values().any(|n| *n == name) {
            name.push('_');
        }
        name
    }

    /// Builds every component schema, every operation's parameters and inline
    /// bodies, and every webhook's inline payload.
    pub fn build_all(&mut self) {
        let schemas: Vec<(String, Value)> = self
            .spec
            .schemas
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (name, schema) in &schemas {
            let rust = self.names[name].clone();
            let pointer = Spec::schema_pointer(name);
            let open = self.open.contains(name);
            let skip = self.tagged_branch.get(name).cloned();
            self.named(&rust, schema, &pointer, open, skip.as_deref(), true);
        }
        let ops: Vec<_> = self.spec.operations.clone();
        for op in &ops {
            self.parameters(op);
            // Inline bodies (the five specs name theirs; real-world specs often do not).
            if let Some(body) = &op.request_body
                && let Some(site) = body.content.iter().find_map(|m| m.schema.as_ref())
                && site.name().is_none()
            {
                let hint = format!("{} request", op.id);
                let name = self.unique(&hint);
                self.named(&name, &site.schema, &site.pointer, false, None, true);
            }
            for r in &op.responses {
                if let Some(site) = r.json().and_then(|m| m.schema.as_ref())
                    && site.name().is_none()
                {
                    let hint = format!("{} response {}", op.id, r.status);
                    let name = self.unique(&hint);
                    self.named(&name, &site.schema, &site.pointer, true, None, true);
                }
            }
        }
        // Webhook payloads are the provider's to send: read as tolerantly as answers.
        let hooks: Vec<_> = self.spec.webhooks.clone();
        for hook in &hooks {
            if let Some(body) = &hook.request_body
                && let Some(site) = body.content.iter().find_map(|m| m.schema.as_ref())
                && site.name().is_none()
            {
                let name = self.unique(&format!("{} webhook", hook.path));
                self.named(&name, &site.schema, &site.pointer, true, None, true);
            }
        }
    }

    fn parameters(&mut self, op: &covenant_spec::Operation) {
        if op.parameters.is_empty() {
            return;
        }
        let name = self.unique(&format!("{} params", op.id));
        let mut fields = Vec::new();
        let mut used = BTreeSet::new();
        for p in &op.parameters {
            let mut rust = field_name(&p.name);
            while !used.insert(rust.clone()) {
                rust.push('_');
            }
            let schema = p
                .schema
                .as_ref()
                .map(|s| s.schema.clone())
                .unwrap_or(Value::Bool(true));
            let at = p
                .schema
                .as_ref()
                .map(|s| s.pointer.clone())
                .unwrap_or_else(|| p.pointer.clone());
            let hint = format!("{name} {}", p.name);
            let (ty, attrs) = self.field_type(&schema, &hint, &at, false);
            let nullable = self.is_nullable(&schema);
            let presence = match (p.required, nullable) {
                (true, false) => Presence::Required,
                (true, true) => Presence::RequiredNullable,
                (false, true) => Presence::OptionalNullable,
                (false, false) => Presence::Optional,
            };
            let location = p.location.as_str();
            let doc = Some(format!(
                "`{}` ({location} parameter){}",
                p.name,
                p.description
                    .as_deref()
                    .map(|d| format!(": {}", d.trim()))
                    .unwrap_or_default()
            ));
            fields.push(Field {
                rust,
                wire: p.name.clone(),
                doc,
                ty,
                presence,
                attrs,
                deprecated: p.deprecated,
            });
        }
        self.items.insert(
            name.clone(),
            Item {
                name: name.clone(),
                doc: Some(format!(
                    "Parameters of `{}` (`{} {}`).",
                    op.id, op.method, op.path
                )),
                pointer: op.pointer.clone(),
                kind: Kind::Struct {
                    fields,
                    additional: Some(Ty::Prim(quote!(serde_json::Value))),
                },
            },
        );
        self.exported.push(name);
    }

    /// Builds the item `rust` for `schema` (a component or a hoisted inline schema).
    fn named(
        &mut self,
        rust: &str,
        schema: &Value,
        at: &str,
        open: bool,
        skip_prop: Option<&str>,
        export: bool,
    ) {
        let doc = doc_of(schema);
        let kind = self.kind_of(rust, schema, at, open, skip_prop);
        // Aliases are exported too: a body may be a bare map or list.
        let exportable = true;
        self.items.insert(
            rust.to_string(),
            Item {
                name: rust.to_string(),
                doc,
                pointer: at.to_string(),
                kind,
            },
        );
        if export && exportable {
            self.exported.push(rust.to_string());
        }
    }

    fn kind_of(
        &mut self,
        rust: &str,
        schema: &Value,
        at: &str,
        open: bool,
        skip_prop: Option<&str>,
    ) -> Kind {
        let Some(m) = schema.as_object() else {
            return Kind::Alias(Ty::Prim(quote!(serde_json::Value)));
        };
        self.report_unchecked(m, at);
        if let Some(r) = m.get("$ref").and_then(Value::as_str) {
            return Kind::Alias(self.ref_ty(r, at));
        }
        if let Some(e) = string_enum(m) {
            return self.string_enum(rust, m, e, open);
        }
        if m.contains_key("oneOf") || m.contains_key("anyOf") {
            return self.union(rust, m, at, open);
        }
        if let Some(all) = m.get("allOf").and_then(Value::as_array) {
            if all.len() == 1 && !m.contains_key("properties") {
                let ptr = format!("{at}/allOf/0");
                return self.kind_of(rust, &all[0], &ptr, open, skip_prop);
            }
            let merged = self.merge_all_of(m, at);
            return self.object(rust, &merged, at, open, skip_prop);
        }
        if is_object(m) && (m.contains_key("properties") || is_closed(m)) {
            return self.object(rust, m, at, open, skip_prop);
        }
        let (ty, attrs) = self.field_type(schema, &format!("{rust} value"), at, open);
        if attrs.is_empty() {
            Kind::Alias(ty)
        } else {
            Kind::Newtype { ty, attrs }
        }
    }

    /// `allOf` of objects: one struct with every part's properties and required lists.
    fn merge_all_of(&mut self, m: &Map<String, Value>, at: &str) -> Map<String, Value> {
        let mut props = Map::new();
        let mut required: Vec<Value> = Vec::new();
        let mut closed = false;
        let mut parts: Vec<(Value, String)> = m
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, p)| (p.clone(), format!("{at}/allOf/{i}")))
            .collect();
        let mut own = m.clone();
        own.remove("allOf");
        parts.push((Value::Object(own), at.to_string()));
        let mut seen = 0;
        while let Some((p, ptr)) = parts.pop() {
            seen += 1;
            if seen > 256 {
                break;
            }
            let p = self.spec.resolve(&p).clone();
            let Some(pm) = p.as_object() else { continue };
            if let Some(inner) = pm.get("allOf").and_then(Value::as_array) {
                for (i, x) in inner.iter().enumerate() {
                    parts.push((x.clone(), format!("{ptr}/allOf/{i}")));
                }
            }
            if pm.contains_key("oneOf") || pm.contains_key("anyOf") || pm.contains_key("not") {
                self.report(
                    &ptr,
                    "`allOf` part with `oneOf`/`anyOf`/`not` is merged without that part",
                );
            }
            for (k, v) in pm
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                props.entry(k.clone()).or_insert_with(|| v.clone());
            }
            for r in pm
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if !required.contains(r) {
                    required.push(r.clone());
                }
            }
            closed |= pm.get("additionalProperties") == Some(&Value::Bool(false));
        }
        let mut out = Map::new();
        out.insert("type".into(), Value::String("object".into()));
        out.insert("properties".into(), Value::Object(props));
        out.insert("required".into(), Value::Array(required));
        if m.get("unevaluatedProperties") == Some(&Value::Bool(false)) {
            // Every part's properties are evaluated: exactly the merged struct's.
            out.insert("additionalProperties".into(), Value::Bool(false));
        } else if closed {
            self.report(
                at,
                "`additionalProperties: false` inside `allOf` is not enforced on the merged struct",
            );
        }
        out
    }

    fn object(
        &mut self,
        rust: &str,
        m: &Map<String, Value>,
        at: &str,
        open: bool,
        skip_prop: Option<&str>,
    ) -> Kind {
        let required: BTreeSet<&str> = m
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut fields = Vec::new();
        let mut used = BTreeSet::new();
        used.insert("additional_properties".to_string());
        let empty = Map::new();
        let props = m
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        for (wire, ps) in props {
            if Some(wire.as_str()) == skip_prop {
                continue;
            }
            let mut name = field_name(wire);
            while !used.insert(name.clone()) {
                name.push('_');
            }
            let pat = format!("{at}/properties/{}", covenant_spec::pointer::escape(wire));
            let hint = format!("{rust} {wire}");
            let (ty, attrs) = self.field_type(ps, &hint, &pat, open);
            let target = self.spec.resolve(ps);
            let read_write = ["readOnly", "writeOnly"].iter().any(|k| {
                target.get(*k) == Some(&Value::Bool(true)) || ps.get(*k) == Some(&Value::Bool(true))
            });
            let nullable = self.is_nullable(ps);
            let req = required.contains(wire.as_str()) && !read_write;
            let presence = match (req, nullable) {
                (true, false) => Presence::Required,
                (true, true) => Presence::RequiredNullable,
                (false, true) => Presence::OptionalNullable,
                (false, false) => Presence::Optional,
            };
            fields.push(Field {
                rust: name,
                wire: wire.clone(),
                doc: doc_of(ps).or_else(|| {
                    if ps.get("$ref").is_some() {
                        None
                    } else {
                        doc_of(target)
                    }
                }),
                ty,
                presence,
                attrs,
                deprecated: ps.get("deprecated") == Some(&Value::Bool(true)),
            });
        }
        let additional = match m.get("additionalProperties") {
            _ if is_closed(m) => None,
            Some(Value::Object(a)) if !a.is_empty() => {
                let ptr = format!("{at}/additionalProperties");
                let (ty, attrs) = self.field_type(
                    &Value::Object(a.clone()),
                    &format!("{rust} additional"),
                    &ptr,
                    open,
                );
                Some(if attrs.is_empty() {
                    ty
                } else {
                    self.newtype(&format!("{rust} additional"), ty, attrs, &ptr)
                })
            }
            _ => Some(Ty::Prim(quote!(serde_json::Value))),
        };
        Kind::Struct { fields, additional }
    }

    fn string_enum(
        &mut self,
        rust: &str,
        m: &Map<String, Value>,
        values: Vec<String>,
        open: bool,
    ) -> Kind {
        let deprecated: BTreeSet<String> = m
            .get("x-deprecated-enum")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        let mut used = BTreeSet::new();
        if open {
            used.insert("Unknown".to_string());
        }
        let mut variants = Vec::new();
        for v in values {
            let mut name = variant_name(&v);
            while !used.insert(name.clone()) {
                name.push('_');
            }
            variants.push(Variant {
                rust: name,
                deprecated: deprecated.contains(&v),
                wire: vec![v],
                ty: None,
            });
        }
        let _ = rust;
        Kind::StringEnum { variants, open }
    }

    fn union(&mut self, rust: &str, m: &Map<String, Value>, at: &str, open: bool) -> Kind {
        let key = if m.contains_key("oneOf") {
            "oneOf"
        } else {
            "anyOf"
        };
        let branches = m
            .get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if let Some((prop, tagged)) = tagged_union(&Value::Object(m.clone())) {
            let variants = tagged
                .into_iter()
                .map(|(name, values)| Variant {
                    rust: type_name(&name),
                    wire: values,
                    ty: Some(Ty::Named(
                        self.names
                            .get(&name)
                            .cloned()
                            .unwrap_or_else(|| type_name(&name)),
                    )),
                    deprecated: false,
                })
                .collect();
            return Kind::Union {
                variants,
                tag: Some(prop),
            };
        }
        if m.contains_key("discriminator") {
            self.report(
                &format!("{at}/discriminator"),
                "discriminator without `$ref` branches: mapped as an untagged enum",
            );
        }
        if key == "oneOf" && branches.len() > 1 {
            // serde picks the first branch that fits; oneOf's "exactly one" is not re-checked.
        }
        let mut variants = Vec::new();
        let mut used = BTreeSet::new();
        for (i, b) in branches.iter().enumerate() {
            let ptr = format!("{at}/{key}/{i}");
            let base = b
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.rsplit('/').next())
                .map(type_name)
                .or_else(|| b.get("title").and_then(Value::as_str).map(type_name))
                .unwrap_or_else(|| format!("Variant{i}"));
            let mut name = base;
            while !used.insert(name.clone()) {
                name.push('_');
            }
            let (ty, attrs) = self.field_type(b, &format!("{rust} {name}"), &ptr, open);
            let ty = if attrs.is_empty() {
                ty
            } else {
                self.newtype(&format!("{rust} {name}"), ty, attrs, &ptr)
            };
            variants.push(Variant {
                rust: name,
                wire: Vec::new(),
                ty: Some(ty),
                deprecated: false,
            });
        }
        Kind::Union {
            variants,
            tag: None,
        }
    }

    fn newtype(&mut self, hint: &str, ty: Ty, attrs: Vec<TokenStream>, at: &str) -> Ty {
        let name = self.unique(hint);
        self.items.insert(
            name.clone(),
            Item {
                name: name.clone(),
                doc: None,
                pointer: at.to_string(),
                kind: Kind::Newtype { ty, attrs },
            },
        );
        Ty::Named(name)
    }

    fn ref_ty(&mut self, r: &str, at: &str) -> Ty {
        match pointer::schema_name(r).and_then(|n| self.names.get(n)) {
            Some(n) => Ty::Named(n.clone()),
            None => {
                self.report(
                    at,
                    format!("`$ref: {r}` does not point at a component schema"),
                );
                Ty::Prim(quote!(serde_json::Value))
            }
        }
    }

    /// The type of a value in field position, and the attributes carrying its
    /// constraints. Nullability is left to the caller (`Presence`) except inside
    /// collections, where a nullable item becomes `Option<T>`.
    pub fn field_type(
        &mut self,
        schema: &Value,
        hint: &str,
        at: &str,
        open: bool,
    ) -> (Ty, Vec<TokenStream>) {
        let Some(m) = schema.as_object() else {
            if schema == &Value::Bool(false) {
                self.report(
                    at,
                    "schema `false` (nothing is valid) is mapped to serde_json::Value",
                );
            }
            return (Ty::Prim(quote!(serde_json::Value)), Vec::new());
        };
        self.report_unchecked(m, at);
        if let Some(r) = m.get("$ref").and_then(Value::as_str) {
            return (self.ref_ty(r, at), Vec::new());
        }
        if string_enum(m).is_some()
            || m.contains_key("oneOf")
            || m.contains_key("anyOf")
            || m.contains_key("allOf")
            || (is_object(m) && (m.contains_key("properties") || is_closed(m)))
        {
            if let Some(all) = m.get("allOf").and_then(Value::as_array)
                && all.len() == 1
                && !m.contains_key("properties")
                && all[0].get("$ref").is_some()
            {
                return self.field_type(&all[0], hint, &format!("{at}/allOf/0"), open);
            }
            let name = self.unique(hint);
            self.named(&name, schema, at, open, None, false);
            return (Ty::Named(name), Vec::new());
        }
        let ty_name = single_type(m);
        if is_type_union(m) {
            self.report(
                at,
                "`type` listing several non-null types is mapped to serde_json::Value",
            );
            return (Ty::Prim(quote!(serde_json::Value)), Vec::new());
        }
        let mut attrs = Vec::new();
        let ty = match ty_name {
            Some("string") => {
                let mut unchecked = Unchecked::new();
                let ty = constraints::string(m, at, &mut attrs, &mut unchecked);
                for (pointer, construct) in unchecked {
                    self.report(&pointer, construct);
                }
                ty
            }
            Some("integer") => {
                constraints::numeric(&self.spec.json_schema_node(schema), &mut attrs);
                if m.get("format").and_then(Value::as_str) == Some("int32") {
                    Ty::Prim(quote!(i32))
                } else {
                    Ty::Prim(quote!(i64))
                }
            }
            Some("number") => {
                constraints::numeric(&self.spec.json_schema_node(schema), &mut attrs);
                Ty::Prim(quote!(f64))
            }
            Some("boolean") => {
                constraints::enumeration(m, &mut attrs);
                Ty::Prim(quote!(bool))
            }
            Some("array") => {
                let items = m.get("items").cloned().unwrap_or(Value::Bool(true));
                let ptr = format!("{at}/items");
                let (it, iattrs) = self.field_type(&items, &format!("{hint} item"), &ptr, open);
                let it = if iattrs.is_empty() {
                    it
                } else {
                    self.newtype(&format!("{hint} item"), it, iattrs, &ptr)
                };
                let it = if self.is_nullable(&items) {
                    Ty::Option(Box::new(it))
                } else {
                    it
                };
                constraints::length(m, "minItems", "maxItems", &mut attrs);
                if m.get("uniqueItems") == Some(&Value::Bool(true)) {
                    attrs.push(quote!(#[validate(unique_items)]));
                    attrs.push(quote!(#[schemars(extend("uniqueItems" = true))]));
                }
                Ty::Vec(Box::new(it))
            }
            Some("object") | None if is_object(m) || ty_name.is_none() => {
                if let Some(not) = m.get("not") {
                    match covenant_spec::idioms::forbidden_properties(self.spec.resolve(not)) {
                        Some(names) => {
                            // The `not` itself goes into the export verbatim (it holds no
                            // `$ref`: `forbidden_properties` accepts only `required` lists).
                            let json: TokenStream = serde_json::to_string(not)
                                .unwrap_or_default()
                                .parse()
                                .unwrap_or_default();
                            attrs.push(quote!(#[validate(forbidden_properties(#(#names),*))]));
                            attrs.push(quote!(#[schemars(extend("not" = #json))]));
                        }
                        None => self.report(
                            &format!("{at}/not"),
                            "`not` is checked by the model only as `not: {required: [..]}` (one name) or `not: {anyOf: [{required: [name]}, ..]}`",
                        ),
                    }
                }
                match m.get("additionalProperties") {
                    Some(Value::Object(a)) if !a.is_empty() => {
                        let ptr = format!("{at}/additionalProperties");
                        let av = Value::Object(a.clone());
                        let (vt, vattrs) =
                            self.field_type(&av, &format!("{hint} value"), &ptr, open);
                        let vt = if vattrs.is_empty() {
                            vt
                        } else {
                            self.newtype(&format!("{hint} value"), vt, vattrs, &ptr)
                        };
                        let vt = if self.is_nullable(&av) {
                            Ty::Option(Box::new(vt))
                        } else {
                            vt
                        };
                        constraints::length(m, "minProperties", "maxProperties", &mut attrs);
                        Ty::Map(Box::new(vt))
                    }
                    _ if ty_name == Some("object") => {
                        constraints::length(m, "minProperties", "maxProperties", &mut attrs);
                        Ty::Prim(quote!(serde_json::Map<String, serde_json::Value>))
                    }
                    _ => Ty::Prim(quote!(serde_json::Value)),
                }
            }
            // `type: "null"` (3.1): the unit type, which serde reads and writes as null.
            Some("null") => Ty::Prim(quote!(())),
            Some(other) => {
                self.report(at, format!("unknown type `{other}`"));
                Ty::Prim(quote!(serde_json::Value))
            }
            None => Ty::Prim(quote!(serde_json::Value)),
        };
        (ty, attrs)
    }
}
