//! Step 3: write the `Validate` impl. Each field shadows `at` with a `Path` frame for its wire name
//! (a stack value, nothing rendered) and runs its rules (calls into `covenant_validate::rules`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::DeriveInput;

use crate::parse::{Field, Literal, Num, Parsed, RuleKind, Style};

pub fn fallback(input: &DeriveInput) -> TokenStream {
    let name = &input.ident;
    let (impl_g, ty_g, where_c) = input.generics.split_for_impl();
    quote! {
        impl #impl_g ::covenant_validate::Validate for #name #ty_g #where_c {
            fn validate_into(&self, _: &::covenant_validate::Path<'_>, _: &mut ::covenant_validate::ValidationErrors) {}
        }
    }
}

fn opt_f64(n: &Option<Num>) -> TokenStream {
    match n {
        Some(n) => {
            let v = n.value;
            quote!(::core::option::Option::Some(#v))
        }
        None => quote!(::core::option::Option::None),
    }
}

fn opt_usize(n: &Option<Num>) -> TokenStream {
    match n {
        Some(n) => {
            let v = n.value as usize;
            quote!(::core::option::Option::Some(#v))
        }
        None => quote!(::core::option::Option::None),
    }
}

/// The checks of one field whose value is reachable as the expression `value` (a reference).
fn field_checks(f: &Field, value: &TokenStream) -> TokenStream {
    let mut body = TokenStream::new();
    for rule in &f.rules {
        let span = rule.span;
        // Spanned at the attribute, so a rule that does not fit the field's type is
        // reported there.
        let rules = quote_spanned!(span=> ::covenant_validate::rules);
        body.extend(match &rule.kind {
            RuleKind::Length { min, max, equal } => {
                let (min, max) = if equal.is_some() { (opt_usize(equal), opt_usize(equal)) } else { (opt_usize(min), opt_usize(max)) };
                quote_spanned!(span=> #rules::length(#value, #min, #max, at, errors);)
            }
            RuleKind::Range { min, max, exclusive_min, exclusive_max } => {
                let (a, b, c, d) = (opt_f64(min), opt_f64(max), opt_f64(exclusive_min), opt_f64(exclusive_max));
                quote_spanned!(span=> #rules::range(#value, #a, #b, #c, #d, at, errors);)
            }
            RuleKind::MultipleOf(n) => {
                let v = n.value;
                quote_spanned!(span=> #rules::multiple_of(#value, #v, at, errors);)
            }
            RuleKind::Pattern(lit) => quote_spanned! {span=>
                {
                    // Compiled on first use, once per process.
                    static PATTERN: #rules::Pattern = #rules::Pattern::new(#lit);
                    #rules::pattern(#value, &PATTERN, at, errors);
                }
            },
            RuleKind::RegexPath(path) => quote_spanned!(span=> #rules::pattern(#value, &(#path), at, errors);),
            RuleKind::Format(lit) => {
                let variant = match lit.value().as_str() {
                    "date" => quote!(Date),
                    "date-time" => quote!(DateTime),
                    "uuid" => quote!(Uuid),
                    "email" => quote!(Email),
                    "uri" => quote!(Uri),
                    _ => quote!(Iban),
                };
                quote_spanned!(span=> #rules::format(#value, ::covenant_validate::formats::Format::#variant, at, errors);)
            }
            RuleKind::Email => quote_spanned!(span=> #rules::format(#value, ::covenant_validate::formats::Format::Email, at, errors);),
            RuleKind::Url => quote_spanned!(span=> #rules::format(#value, ::covenant_validate::formats::Format::Uri, at, errors);),
            RuleKind::UniqueItems => quote_spanned!(span=> #rules::unique_items(#value, at, errors);),
            RuleKind::Enumeration(values) => {
                let lits = values.iter().map(|l| match l {
                    Literal::Str(s) => quote!(#rules::Literal::Str(#s)),
                    Literal::Int(i) => quote!(#rules::Literal::Int(#i)),
                    Literal::Float(f) => quote!(#rules::Literal::Float(#f)),
                    Literal::Bool(b) => quote!(#rules::Literal::Bool(#b)),
                });
                quote_spanned!(span=> #rules::enumeration(#value, &[#(#lits),*], at, errors);)
            }
            RuleKind::ForbiddenProperties(names) => quote_spanned!(span=> #rules::forbidden_properties(#value, &[#(#names),*], at, errors);),
            RuleKind::Nested => quote_spanned!(span=> ::covenant_validate::Validate::validate_into(#value, at, errors);),
        });
    }
    if body.is_empty() {
        return body;
    }
    // `is_valid` only needs the first violation: stop after a field that had one.
    let body = quote! {
        #body
        if errors.settled() {
            return;
        }
    };
    match &f.wire {
        Some(wire) => quote! {
            {
                let at = &::covenant_validate::Path::key(at, #wire);
                #body
            }
        },
        None => body,
    }
}

pub fn expand(input: &DeriveInput, parsed: &Parsed) -> TokenStream {
    let name = &input.ident;
    let (impl_g, ty_g, where_c) = input.generics.split_for_impl();
    let body = match parsed {
        Parsed::Struct { fields } => {
            let checks = fields.iter().map(|f| {
                let m = &f.member;
                field_checks(f, &quote!(&self.#m))
            });
            quote!(#(#checks)*)
        }
        Parsed::Enum {
            variants,
            externally_tagged,
        } => {
            let arms = variants.iter().map(|v| {
                let ident = &v.ident;
                let binds: Vec<_> = (0..v.fields.len()).map(|i| format_ident!("__f{}", i)).collect();
                let pattern = match v.style {
                    Style::Unit => quote!(Self::#ident),
                    Style::Unnamed => quote!(Self::#ident(#(#binds),*)),
                    Style::Named => {
                        let members = v.fields.iter().map(|f| &f.member);
                        quote!(Self::#ident { #(#members: #binds,)* .. })
                    }
                };
                let mut checks: TokenStream = v.fields.iter().zip(&binds).map(|(f, b)| field_checks(f, &quote!(#b))).collect();
                if let (Some(span), Some(b)) = (v.unknown_value, binds.first()) {
                    checks.extend(quote_spanned!(span=> ::covenant_validate::rules::unknown_value(::core::convert::AsRef::<str>::as_ref(#b), at, errors);));
                }
                // The unknown arm holds the bare wire string, not a tagged variant.
                if *externally_tagged && v.style != Style::Unit && v.unknown_value.is_none() && !checks.is_empty() {
                    let wire = &v.wire;
                    checks = quote! {
                        let at = &::covenant_validate::Path::key(at, #wire);
                        #checks
                    };
                }
                quote!(#pattern => { #checks })
            });
            quote! {
                #[allow(unused_variables)]
                match self {
                    #(#arms)*
                }
            }
        }
    };
    quote! {
        #[automatically_derived]
        impl #impl_g ::covenant_validate::Validate for #name #ty_g #where_c {
            #[allow(unused_variables, clippy::needless_borrow)]
            fn validate_into(&self, at: &::covenant_validate::Path<'_>, errors: &mut ::covenant_validate::ValidationErrors) {
                #body
            }
        }
    }
}
