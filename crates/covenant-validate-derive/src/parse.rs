//! Step 1: read `#[validate(...)]`, `#[schemars(regex(pattern = ..))]` and the serde
//! attributes that decide wire names into a small model. Syntax errors stop here.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Attribute, Data, DeriveInput, Expr, Fields, Lit, LitStr, Token};

/// A numeric literal with where it was written.
#[derive(Clone)]
pub struct Num {
    pub value: f64,
    pub span: Span,
}

#[derive(Clone)]
pub enum Literal {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

#[derive(Clone)]
pub enum RuleKind {
    Length {
        min: Option<Num>,
        max: Option<Num>,
        equal: Option<Num>,
    },
    Range {
        min: Option<Num>,
        max: Option<Num>,
        exclusive_min: Option<Num>,
        exclusive_max: Option<Num>,
    },
    MultipleOf(Num),
    Pattern(LitStr),
    RegexPath(Expr),
    Format(LitStr),
    Email,
    Url,
    Enumeration(Vec<Literal>),
    UniqueItems,
    ForbiddenProperties(Vec<LitStr>),
    Nested,
}

impl RuleKind {
    pub fn key(&self) -> &'static str {
        match self {
            RuleKind::Length { .. } => "length",
            RuleKind::Range { .. } => "range",
            RuleKind::MultipleOf(_) => "multiple_of",
            RuleKind::Pattern(_) | RuleKind::RegexPath(_) => "regex",
            RuleKind::Format(_) => "format",
            RuleKind::Email => "email",
            RuleKind::Url => "url",
            RuleKind::Enumeration(_) => "enumeration",
            RuleKind::UniqueItems => "unique_items",
            RuleKind::ForbiddenProperties(_) => "forbidden_properties",
            RuleKind::Nested => "nested",
        }
    }
}

#[derive(Clone)]
pub struct Rule {
    pub kind: RuleKind,
    /// The attribute item, for errors.
    pub span: Span,
}

pub struct Field {
    /// `self.<member>` access.
    pub member: syn::Member,
    /// The pointer segment; `None` for flattened fields (same pointer as the parent).
    pub wire: Option<String>,
    pub rules: Vec<Rule>,
}

pub struct Variant {
    pub ident: syn::Ident,
    pub wire: String,
    pub fields: Vec<Field>,
    pub style: Style,
    pub unknown_value: Option<Span>,
}

#[derive(Clone, Copy, PartialEq)]
pub enum Style {
    Named,
    Unnamed,
    Unit,
}

pub enum Parsed {
    Struct {
        fields: Vec<Field>,
    },
    /// `externally_tagged`: the variant name is a pointer segment.
    Enum {
        variants: Vec<Variant>,
        externally_tagged: bool,
    },
}

#[derive(Default)]
struct Serde {
    rename: Option<String>,
    rename_all: Option<String>,
    flatten: bool,
    skip: bool,
    tag: bool,
    untagged: bool,
}

fn serde_attrs(attrs: &[Attribute]) -> Serde {
    let mut s = Serde::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        // serde itself reports malformed serde attributes; ignore what we cannot read.
        let _ = attr.parse_nested_meta(|meta| {
            let p = &meta.path;
            if p.is_ident("rename") || p.is_ident("rename_all") {
                let is_all = p.is_ident("rename_all");
                let value = if meta.input.peek(Token![=]) {
                    Some(meta.value()?.parse::<LitStr>()?.value())
                } else {
                    let mut de = None;
                    meta.parse_nested_meta(|inner| {
                        let v = inner.value()?.parse::<LitStr>()?.value();
                        if inner.path.is_ident("deserialize") {
                            de = Some(v);
                        }
                        Ok(())
                    })?;
                    de
                };
                if is_all {
                    s.rename_all = value
                } else {
                    s.rename = value
                }
            } else if p.is_ident("flatten") {
                s.flatten = true;
            } else if p.is_ident("skip") || p.is_ident("skip_deserializing") {
                s.skip = true;
            } else if p.is_ident("tag") {
                s.tag = true;
                let _ = meta.value()?.parse::<LitStr>()?;
            } else if p.is_ident("untagged") {
                s.untagged = true;
            } else if meta.input.peek(Token![=]) {
                let _ = meta.value()?.parse::<Expr>()?;
            } else if meta.input.peek(syn::token::Paren) {
                let _ = meta.parse_nested_meta(|m| {
                    if m.input.peek(Token![=]) {
                        let _ = m.value()?.parse::<Expr>()?;
                    }
                    Ok(())
                });
            }
            Ok(())
        });
    }
    s
}

/// serde's `rename_all` rules, applied to a Rust identifier.
fn apply_rename_all(rule: &str, name: &str, is_variant: bool) -> String {
    let words: Vec<String> = if is_variant {
        // PascalCase variant -> words
        let mut words = Vec::new();
        let mut cur = String::new();
        for c in name.chars() {
            if c.is_uppercase() && !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            cur.push(c);
        }
        if !cur.is_empty() {
            words.push(cur);
        }
        words
    } else {
        name.split('_').map(str::to_string).collect()
    };
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let cap = |w: &String| {
        let mut c = w.chars();
        c.next()
            .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
            .unwrap_or_default()
    };
    match rule {
        "lowercase" => {
            if is_variant {
                name.to_lowercase()
            } else {
                name.to_string()
            }
        }
        "UPPERCASE" => name.to_uppercase(),
        "PascalCase" => lower.iter().map(cap).collect(),
        "camelCase" => {
            let mut s: String = lower.iter().map(cap).collect();
            if let Some(f) = s.get(..1).map(str::to_lowercase) {
                s.replace_range(..1, &f);
            }
            s
        }
        "snake_case" => lower.join("_"),
        "SCREAMING_SNAKE_CASE" => lower.join("_").to_uppercase(),
        "kebab-case" => lower.join("-"),
        "SCREAMING-KEBAB-CASE" => lower.join("-").to_uppercase(),
        _ => name.to_string(),
    }
}

pub fn parse(input: &DeriveInput) -> syn::Result<Parsed> {
    let container = serde_attrs(&input.attrs);
    let mut errors: Option<syn::Error> = None;
    let mut push = |e: syn::Error| match &mut errors {
        Some(all) => all.combine(e),
        None => errors = Some(e),
    };
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("validate")) {
        push(syn::Error::new(
            attr.span(),
            "`#[validate(...)]` goes on fields (and `unknown_value` on enum variants), not on the type",
        ));
    }
    let parsed = match &input.data {
        Data::Struct(s) => {
            let (fields, _) = fields(&s.fields, container.rename_all.as_deref(), &mut push);
            Parsed::Struct { fields }
        }
        Data::Enum(e) => {
            let mut variants = Vec::new();
            for v in &e.variants {
                let serde = serde_attrs(&v.attrs);
                let name = v.ident.to_string();
                let wire = serde
                    .rename
                    .clone()
                    .unwrap_or_else(|| match &container.rename_all {
                        Some(rule) => apply_rename_all(rule, &name, true),
                        None => name.clone(),
                    });
                let mut unknown_value = None;
                for attr in v.attrs.iter().filter(|a| a.path().is_ident("validate")) {
                    if let Err(e) = attr.parse_nested_meta(|meta| {
                        if meta.path.is_ident("unknown_value") {
                            if unknown_value.is_some() {
                                return Err(meta.error("duplicate `unknown_value`"));
                            }
                            unknown_value = Some(meta.path.span());
                            Ok(())
                        } else {
                            Err(meta.error("unknown key on an enum variant: only `unknown_value` goes here (field rules go on the variant's fields)"))
                        }
                    }) {
                        push(e);
                    }
                }
                let (fields, style) = fields(&v.fields, serde.rename_all.as_deref(), &mut push);
                variants.push(Variant {
                    ident: v.ident.clone(),
                    wire,
                    fields,
                    style,
                    unknown_value,
                });
            }
            Parsed::Enum {
                variants,
                externally_tagged: !container.tag && !container.untagged,
            }
        }
        Data::Union(u) => {
            return Err(syn::Error::new(
                u.union_token.span,
                "`Validate` cannot be derived for a union",
            ));
        }
    };
    match errors {
        Some(e) => Err(e),
        None => Ok(parsed),
    }
}

fn fields(
    fields: &Fields,
    rename_all: Option<&str>,
    push: &mut impl FnMut(syn::Error),
) -> (Vec<Field>, Style) {
    let style = match fields {
        Fields::Named(_) => Style::Named,
        Fields::Unnamed(_) => Style::Unnamed,
        Fields::Unit => Style::Unit,
    };
    let single = fields.len() == 1;
    let mut out = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        let serde = serde_attrs(&f.attrs);
        let rules = match field_rules(&f.attrs) {
            Ok(r) => r,
            Err(e) => {
                push(e);
                Vec::new()
            }
        };
        if serde.skip {
            continue;
        }
        let (member, wire) = match &f.ident {
            Some(ident) => {
                let name = ident.to_string();
                let name = name.strip_prefix("r#").unwrap_or(&name).to_string();
                let wire = serde.rename.clone().unwrap_or_else(|| match rename_all {
                    Some(rule) => apply_rename_all(rule, &name, false),
                    None => name,
                });
                (syn::Member::Named(ident.clone()), Some(wire))
            }
            // A newtype is transparent on the wire; a tuple is an array.
            None => (
                syn::Member::Unnamed(i.into()),
                if single { None } else { Some(i.to_string()) },
            ),
        };
        out.push(Field {
            member,
            wire: if serde.flatten { None } else { wire },
            rules,
        });
    }
    (out, style)
}

fn num(expr: &Expr) -> syn::Result<Num> {
    let span = expr.span();
    let value = match expr {
        Expr::Lit(l) => match &l.lit {
            Lit::Int(i) => i.base10_parse::<f64>()?,
            Lit::Float(f) => f.base10_parse::<f64>()?,
            _ => return Err(syn::Error::new(span, "expected a number literal")),
        },
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => -num(&u.expr)?.value,
        Expr::Group(g) => num(&g.expr)?.value,
        _ => {
            return Err(syn::Error::new(
                span,
                "expected a number literal (bounds are checked at compile time)",
            ));
        }
    };
    Ok(Num { value, span })
}

fn literal(expr: &Expr) -> syn::Result<Literal> {
    Ok(match expr {
        Expr::Lit(l) => match &l.lit {
            Lit::Str(s) => Literal::Str(s.value()),
            Lit::Int(i) => Literal::Int(i.base10_parse()?),
            Lit::Float(f) => Literal::Float(f.base10_parse()?),
            Lit::Bool(b) => Literal::Bool(b.value),
            _ => {
                return Err(syn::Error::new(
                    expr.span(),
                    "expected a string, number or bool literal",
                ));
            }
        },
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => match literal(&u.expr)? {
            Literal::Int(i) => Literal::Int(-i),
            Literal::Float(f) => Literal::Float(-f),
            _ => return Err(syn::Error::new(expr.span(), "only numbers can be negated")),
        },
        _ => {
            return Err(syn::Error::new(
                expr.span(),
                "expected a string, number or bool literal",
            ));
        }
    })
}

fn field_rules(attrs: &[Attribute]) -> syn::Result<Vec<Rule>> {
    let mut rules = Vec::new();
    for attr in attrs {
        if attr.path().is_ident("validate") {
            attr.parse_nested_meta(|meta| {
                let span = meta.path.span();
                let key = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
                let kind = match key.as_str() {
                    "length" | "range" => {
                        let (mut min, mut max, mut equal, mut emin, mut emax) = (None, None, None, None, None);
                        meta.parse_nested_meta(|item| {
                            let k = item.path.get_ident().map(ToString::to_string).unwrap_or_default();
                            let slot = match (key.as_str(), k.as_str()) {
                                (_, "min") => &mut min,
                                (_, "max") => &mut max,
                                ("length", "equal") => &mut equal,
                                ("range", "exclusive_min") => &mut emin,
                                ("range", "exclusive_max") => &mut emax,
                                _ => {
                                    let allowed = if key == "length" { "`min`, `max`, `equal`" } else { "`min`, `max`, `exclusive_min`, `exclusive_max`" };
                                    return Err(item.error(format!("unknown key `{k}` in `{key}(...)`; expected {allowed}")));
                                }
                            };
                            if slot.is_some() {
                                return Err(item.error(format!("duplicate `{k}`")));
                            }
                            *slot = Some(num(&item.value()?.parse::<Expr>()?)?);
                            Ok(())
                        })?;
                        if key == "length" {
                            RuleKind::Length { min, max, equal }
                        } else {
                            RuleKind::Range { min, max, exclusive_min: emin, exclusive_max: emax }
                        }
                    }
                    "multiple_of" => RuleKind::MultipleOf(num(&meta.value()?.parse::<Expr>()?)?),
                    "format" => RuleKind::Format(meta.value()?.parse::<LitStr>()?),
                    "email" => RuleKind::Email,
                    "url" => RuleKind::Url,
                    "unique_items" => RuleKind::UniqueItems,
                    "nested" => RuleKind::Nested,
                    "enumeration" => {
                        let content;
                        syn::parenthesized!(content in meta.input);
                        let items = content.parse_terminated(Expr::parse_without_eager_brace, Token![,])?;
                        RuleKind::Enumeration(items.iter().map(literal).collect::<syn::Result<_>>()?)
                    }
                    "forbidden_properties" => {
                        let content;
                        syn::parenthesized!(content in meta.input);
                        let items = content.parse_terminated(|i: syn::parse::ParseStream| i.parse::<LitStr>(), Token![,])?;
                        RuleKind::ForbiddenProperties(items.into_iter().collect())
                    }
                    "regex" => {
                        let mut path = None;
                        meta.parse_nested_meta(|item| {
                            if item.path.is_ident("path") {
                                if path.is_some() {
                                    return Err(item.error("duplicate `path`"));
                                }
                                path = Some(item.value()?.parse::<Expr>()?);
                                Ok(())
                            } else if item.path.is_ident("pattern") {
                                Err(item.error("write a literal pattern as `#[schemars(regex(pattern = \"...\"))]` (schemars rejects `validate(regex(pattern))`); `validate(regex(...))` takes `path = <a covenant_validate::rules::Pattern>`"))
                            } else {
                                Err(item.error("unknown key in `regex(...)`; expected `path`"))
                            }
                        })?;
                        RuleKind::RegexPath(path.ok_or_else(|| meta.error("`regex(...)` needs `path = ...`"))?)
                    }
                    "unknown_value" => return Err(meta.error("`unknown_value` goes on an enum variant, not on a field")),
                    _ => return Err(meta.error(format!(
                        "unknown validate key `{key}`; expected one of: length, range, multiple_of, format, email, url, unique_items, enumeration, forbidden_properties, regex, nested"
                    ))),
                };
                rules.push(Rule { kind, span });
                Ok(())
            })?;
        } else if attr.path().is_ident("schemars") {
            // Only `regex(pattern = "...")` matters to the validator; schemars checks the rest.
            let _ = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("regex") {
                    let span = meta.path.span();
                    meta.parse_nested_meta(|item| {
                        if item.path.is_ident("pattern") {
                            let lit = item.value()?.parse::<LitStr>()?;
                            rules.push(Rule {
                                kind: RuleKind::Pattern(lit),
                                span,
                            });
                        }
                        Ok(())
                    })
                } else {
                    if meta.input.peek(Token![=]) {
                        let _ = meta.value()?.parse::<Expr>()?;
                    } else if meta.input.peek(syn::token::Paren) {
                        let content;
                        syn::parenthesized!(content in meta.input);
                        let _ = content.parse::<proc_macro2::TokenStream>();
                    }
                    Ok(())
                }
            });
        }
    }
    Ok(rules)
}
