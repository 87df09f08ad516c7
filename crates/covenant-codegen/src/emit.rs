//! Model -> Rust tokens. Every item derives `Serialize`, `Deserialize`, `JsonSchema`
//! and `Validate`; forward-compatible string enums get hand-written serde and schemars
//! impls so an unknown wire value lands in `Unknown(String)`.

use std::collections::BTreeMap;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::model::{Field, Item, Kind, Presence, Ty, Variant};

fn ident(s: &str) -> Ident {
    Ident::new(s, Span::call_site())
}

fn docs(doc: &Option<String>) -> TokenStream {
    let Some(doc) = doc else {
        return TokenStream::new();
    };
    let lines = doc.lines().map(|l| {
        let l = format!(" {}", l.trim_end());
        quote!(#[doc = #l])
    });
    quote!(#(#lines)*)
}

pub struct Emitter<'a> {
    pub scc: &'a BTreeMap<String, usize>,
}

impl Emitter<'_> {
    /// Writes `ty` as used from inside item `owner`, boxing a direct reference that
    /// closes a containment cycle.
    fn ty(&self, ty: &Ty, owner: &str, direct: bool) -> TokenStream {
        match ty {
            Ty::Named(n) => {
                let id = ident(n);
                let cyclic =
                    direct && self.scc.get(n).is_some() && self.scc.get(n) == self.scc.get(owner);
                if cyclic {
                    quote!(Box<#id>)
                } else {
                    quote!(#id)
                }
            }
            Ty::Prim(t) => t.clone(),
            Ty::Vec(t) => {
                let t = self.ty(t, owner, false);
                quote!(Vec<#t>)
            }
            Ty::Map(t) => {
                let t = self.ty(t, owner, false);
                quote!(std::collections::BTreeMap<String, #t>)
            }
            Ty::Option(t) => {
                let t = self.ty(t, owner, direct);
                quote!(Option<#t>)
            }
        }
    }

    pub fn item(&self, item: &Item) -> TokenStream {
        let name = ident(&item.name);
        let mut doc = item.doc.clone().unwrap_or_default();
        if !doc.is_empty() {
            doc.push_str("\n\n");
        }
        doc.push_str(&format!("Spec: `{}`", item.pointer));
        let doc = docs(&Some(doc));
        match &item.kind {
            Kind::Alias(ty) => {
                let t = self.ty(ty, &item.name, true);
                quote!(#doc pub type #name = #t;)
            }
            Kind::Newtype { ty, attrs } => {
                let t = self.ty(ty, &item.name, true);
                quote! {
                    #doc
                    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Validate)]
                    #[serde(transparent)]
                    pub struct #name(#(#attrs)* pub #t);
                }
            }
            Kind::Struct { fields, additional } => {
                self.structure(item, &name, &doc, fields, additional)
            }
            Kind::StringEnum {
                variants,
                open: false,
            } => {
                let vs = variants.iter().map(|v| {
                    let id = ident(&v.rust);
                    let wire = &v.wire[0];
                    let dep = v.deprecated.then(|| quote!(#[deprecated(note = "deprecated by the spec (x-deprecated-enum)")]));
                    quote!(#dep #[serde(rename = #wire)] #id)
                });
                quote! {
                    #doc
                    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, Validate)]
                    pub enum #name { #(#vs,)* }
                }
            }
            Kind::StringEnum {
                variants,
                open: true,
            } => self.open_enum(&name, &doc, variants),
            Kind::Union { variants, tag } => {
                let serde = match tag {
                    Some(t) => quote!(#[serde(tag = #t)]),
                    None => quote!(#[serde(untagged)]),
                };
                let vs = variants.iter().map(|v| {
                    let id = ident(&v.rust);
                    let rename = match v.wire.split_first() {
                        Some((first, rest)) => {
                            quote!(#[serde(rename = #first #(, alias = #rest)*)])
                        }
                        None => TokenStream::new(),
                    };
                    match &v.ty {
                        Some(t) => {
                            let nested = t.has_named().then(|| quote!(#[validate(nested)]));
                            let t = self.ty(t, &item.name, true);
                            quote!(#rename #id(#nested #t))
                        }
                        None => quote!(#rename #id),
                    }
                });
                quote! {
                    #doc
                    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Validate)]
                    #serde
                    pub enum #name { #(#vs,)* }
                }
            }
        }
    }

    fn structure(
        &self,
        item: &Item,
        name: &Ident,
        doc: &TokenStream,
        fields: &[Field],
        additional: &Option<Ty>,
    ) -> TokenStream {
        let fs = fields.iter().map(|f| {
            let fname = ident(&f.rust);
            let wire = &f.wire;
            let fdoc = docs(&f.doc);
            let inner = self.ty(&f.ty, &item.name, true);
            let attrs = &f.attrs;
            let nested = f.ty.has_named().then(|| quote!(#[validate(nested)]));
            let dep = f.deprecated.then(|| quote!(#[deprecated(note = "deprecated by the spec")]));
            let rename = (f.rust != *wire).then(|| quote!(#[serde(rename = #wire)]));
            let (ty, serde) = match f.presence {
                Presence::Required => (inner.clone(), TokenStream::new()),
                Presence::RequiredNullable => (
                    quote!(Option<#inner>),
                    quote! {
                        #[serde(deserialize_with = "covenant_validate::serde_helpers::required_nullable")]
                    },
                ),
                Presence::OptionalNullable => (
                    quote!(Nullable<#inner>),
                    quote!(#[serde(default, skip_serializing_if = "Nullable::is_absent")]),
                ),
                Presence::Optional => {
                    let with = inner.to_string().replace(' ', "");
                    (
                        quote!(Option<#inner>),
                        quote! {
                            #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "covenant_validate::serde_helpers::non_null")]
                            #[schemars(with = #with)]
                        },
                    )
                }
            };
            quote! {
                #fdoc
                #dep
                #rename
                #serde
                #(#attrs)*
                #nested
                pub #fname: #ty
            }
        });
        let (extra, deny) = match additional {
            None => (TokenStream::new(), quote!(#[serde(deny_unknown_fields)])),
            Some(t) => {
                let nested = t.has_named().then(|| quote!(#[validate(nested)]));
                let t = self.ty(t, &item.name, false);
                (
                    quote! {
                        /// Properties the spec does not name (`additionalProperties`), kept so
                        /// that they survive a round trip.
                        #[serde(flatten)]
                        #nested
                        pub additional_properties: std::collections::BTreeMap<String, #t>,
                    },
                    TokenStream::new(),
                )
            }
        };
        quote! {
            #doc
            #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Validate)]
            #deny
            pub struct #name {
                #(#fs,)*
                #extra
            }
        }
    }

    fn open_enum(&self, name: &Ident, doc: &TokenStream, variants: &[Variant]) -> TokenStream {
        let unknown = if variants.iter().any(|v| v.rust == "Unknown") {
            ident("Undocumented")
        } else {
            ident("Unknown")
        };
        let vs = variants.iter().map(|v| {
            let id = ident(&v.rust);
            let wire = format!(" `{}`", v.wire[0]);
            let dep = v.deprecated.then(
                || quote!(#[deprecated(note = "deprecated by the spec (x-deprecated-enum)")]),
            );
            quote!(#[doc = #wire] #dep #id)
        });
        let to_wire = variants.iter().map(|v| {
            let id = ident(&v.rust);
            let wire = &v.wire[0];
            quote!(#name::#id => #wire)
        });
        let from_wire = variants.iter().map(|v| {
            let id = ident(&v.rust);
            let wire = &v.wire[0];
            quote!(#wire => #name::#id)
        });
        let values: Vec<&String> = variants.iter().map(|v| &v.wire[0]).collect();
        let name_str = name.to_string();
        quote! {
            #doc
            ///
            /// A response enum: values the spec does not list deserialise into the unknown
            /// arm (so a provider adding a value does not break clients) and fail validation.
            #[derive(Debug, Clone, PartialEq, Eq, Hash, Validate)]
            pub enum #name {
                #(#vs,)*
                /// A value the spec does not list.
                #[validate(unknown_value)]
                #unknown(String),
            }

            #[allow(deprecated)]
            impl #name {
                /// The documented wire values.
                pub const VALUES: &'static [&'static str] = &[#(#values),*];

                /// The wire value.
                pub fn as_str(&self) -> &str {
                    match self {
                        #(#to_wire,)*
                        #name::#unknown(s) => s,
                    }
                }

                /// Maps a wire value, keeping unknown ones.
                pub fn from_wire(s: &str) -> Self {
                    match s {
                        #(#from_wire,)*
                        other => #name::#unknown(other.to_string()),
                    }
                }
            }

            impl Serialize for #name {
                fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    s.serialize_str(self.as_str())
                }
            }

            impl<'de> Deserialize<'de> for #name {
                fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                    Ok(Self::from_wire(&s))
                }
            }

            impl JsonSchema for #name {
                fn schema_name() -> std::borrow::Cow<'static, str> {
                    #name_str.into()
                }

                fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                    schemars::json_schema!({ "type": "string", "enum": Self::VALUES })
                }
            }
        }
    }
}
