//! A schema's constraints as the attributes that carry them on a field or newtype:
//! `#[validate(...)]` for covenant-validate's derive, plus `#[schemars(...)]` where
//! schemars would not export the keyword by itself; and a string's format as its Rust
//! type. Numeric bounds are read from the node's JSON Schema view
//! ([`covenant_spec::Spec::json_schema_node`]), so OpenAPI 3.0's boolean exclusive
//! bounds stay the view's business.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::{Map, Value};

use crate::model::Ty;

/// Constraints the derive validator cannot check: (JSON Pointer, what and why), for the
/// builder to report as unmapped.
pub(crate) type Unchecked = Vec<(String, String)>;

/// A string's attributes (lengths, pattern, enum, checked formats) and its Rust type:
/// `date-time`, `date` and `uuid` map to chrono/uuid types unless other constraints
/// need the text.
pub(crate) fn string(
    m: &Map<String, Value>,
    at: &str,
    attrs: &mut Vec<TokenStream>,
    unchecked: &mut Unchecked,
) -> Ty {
    let constrained = ["minLength", "maxLength", "pattern", "enum"]
        .iter()
        .any(|k| m.contains_key(*k));
    length(m, "minLength", "maxLength", attrs);
    if let Some(p) = m.get("pattern").and_then(Value::as_str) {
        if regress::Regex::new(p).is_ok() {
            attrs.push(quote!(#[schemars(regex(pattern = #p))]));
        } else {
            unchecked.push((
                format!("{at}/pattern"),
                format!("pattern {p:?} is not an ECMA-262 regex; not checked"),
            ));
        }
    }
    enumeration(m, attrs);
    match m.get("format").and_then(Value::as_str) {
        Some("date-time") if !constrained => {
            Ty::Prim(quote!(chrono::DateTime<chrono::FixedOffset>))
        }
        Some("date") if !constrained => Ty::Prim(quote!(chrono::NaiveDate)),
        Some("uuid") if !constrained => Ty::Prim(quote!(uuid::Uuid)),
        Some("email") => {
            attrs.push(quote!(#[validate(email)]));
            Ty::Prim(quote!(String))
        }
        Some("uri") => {
            attrs.push(quote!(#[validate(url)]));
            Ty::Prim(quote!(String))
        }
        Some(f @ ("iban" | "date-time" | "date" | "uuid")) => {
            attrs.push(quote!(#[validate(format = #f)]));
            attrs.push(quote!(#[schemars(extend("format" = #f))]));
            Ty::Prim(quote!(String))
        }
        Some(
            f @ ("hostname"
            | "ipv4"
            | "ipv6"
            | "time"
            | "duration"
            | "uri-reference"
            | "idn-email"
            | "idn-hostname"
            | "iri"
            | "iri-reference"
            | "json-pointer"
            | "relative-json-pointer"
            | "regex"
            | "uri-template"),
        ) => {
            unchecked.push((
                format!("{at}/format"),
                format!("format `{f}` is not checked by the derive validator"),
            ));
            Ty::Prim(quote!(String))
        }
        _ => Ty::Prim(quote!(String)),
    }
}

/// A number's or integer's attributes, from its JSON Schema view node `view`: the
/// range (exclusive bounds are numbers there), `multipleOf` and `enum`.
pub(crate) fn numeric(view: &Value, attrs: &mut Vec<TokenStream>) {
    let Some(m) = view.as_object() else {
        return;
    };
    let num = |k: &str| m.get(k).and_then(Value::as_f64);
    let (min, max) = (num("minimum"), num("maximum"));
    let (emin, emax) = (num("exclusiveMinimum"), num("exclusiveMaximum"));
    let mut items = Vec::new();
    for (k, v) in [
        ("min", min),
        ("max", max),
        ("exclusive_min", emin),
        ("exclusive_max", emax),
    ] {
        if let Some(v) = v {
            let k = proc_macro2::Ident::new(k, proc_macro2::Span::call_site());
            let lit = num_lit(v);
            items.push(quote!(#k = #lit));
        }
    }
    if !items.is_empty() {
        attrs.push(quote!(#[validate(range(#(#items),*))]));
    }
    if let Some(v) = emin {
        let lit = num_lit(v);
        attrs.push(quote!(#[schemars(extend("exclusiveMinimum" = #lit))]));
    }
    if let Some(v) = emax {
        let lit = num_lit(v);
        attrs.push(quote!(#[schemars(extend("exclusiveMaximum" = #lit))]));
    }
    if let Some(v) = num("multipleOf").filter(|v| *v > 0.0) {
        let lit = num_lit(v);
        attrs.push(quote!(#[validate(multiple_of = #lit)]));
        attrs.push(quote!(#[schemars(extend("multipleOf" = #lit))]));
    }
    enumeration(m, attrs);
}

/// An integral bound as an integer literal, others as floats.
fn num_lit(v: f64) -> TokenStream {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        let i = v as i64;
        quote!(#i)
    } else {
        quote!(#v)
    }
}

/// `min*`/`max*` lengths (`lo`, `hi`) as `#[validate(length(..))]`.
pub(crate) fn length(m: &Map<String, Value>, lo: &str, hi: &str, attrs: &mut Vec<TokenStream>) {
    let min = m.get(lo).and_then(Value::as_u64).map(|v| v as usize);
    let max = m.get(hi).and_then(Value::as_u64).map(|v| v as usize);
    let mut items = Vec::new();
    if let Some(v) = min {
        items.push(quote!(min = #v));
    }
    if let Some(v) = max {
        items.push(quote!(max = #v));
    }
    if !items.is_empty() {
        attrs.push(quote!(#[validate(length(#(#items),*))]));
        if lo == "minProperties" {
            // schemars maps `length` to strings and arrays only.
            if let Some(v) = min {
                attrs.push(quote!(#[schemars(extend("minProperties" = #v))]));
            }
            if let Some(v) = max {
                attrs.push(quote!(#[schemars(extend("maxProperties" = #v))]));
            }
        }
    }
}

/// Non-string `enum`s (and string enums on fields that stay `String`) as attributes.
pub(crate) fn enumeration(m: &Map<String, Value>, attrs: &mut Vec<TokenStream>) {
    let Some(values) = m.get("enum").and_then(Value::as_array) else {
        return;
    };
    let non_null: Vec<&Value> = values.iter().filter(|v| !v.is_null()).collect();
    if non_null.is_empty() {
        return;
    }
    let lits: Vec<TokenStream> = non_null
        .iter()
        .filter_map(|v| match v {
            Value::String(s) => Some(quote!(#s)),
            Value::Bool(b) => Some(quote!(#b)),
            Value::Number(n) => Some(match n.as_i64() {
                Some(i) => quote!(#i),
                None => {
                    let f = n.as_f64().unwrap_or_default();
                    quote!(#f)
                }
            }),
            _ => None,
        })
        .collect();
    if lits.len() != non_null.len() {
        return;
    }
    attrs.push(quote!(#[validate(enumeration(#(#lits),*))]));
    attrs.push(quote!(#[schemars(extend("enum" = [#(#lits),*]))]));
}
